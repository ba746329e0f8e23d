"""`--changed-only [--base REV]`: the whole graph is analysed before and after the work tree's
changes, and only the findings the changes introduce are reported.  These tests run the real `git`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from helpers import make_repo
from test_cli import VIOLATING, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "archlint tests",
    "GIT_AUTHOR_EMAIL": "tests@archlint.invalid",
    "GIT_COMMITTER_NAME": "archlint tests",
    "GIT_COMMITTER_EMAIL": "tests@archlint.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real git in ``repo`` with a neutral identity and no user/system config."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result


def committed_repo(tmp_path, files=VIOLATING):
    repo = make_repo(tmp_path / "repo", files)
    (repo / ".gitignore").write_text(".cache-test/\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


def reported(repo, *args: str, cwd=None):
    result = run_cli("check", str(repo), "--format", "json", *args, cwd=cwd or repo.parent)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def test_only_findings_the_change_introduces_are_reported(tmp_path):
    repo = committed_repo(tmp_path)
    assert reported(repo, "--changed-only") == (0, [])
    # a change to services makes no finding of its own; the violating route is unchanged
    (repo / "app/services/users.py").write_text("from app.repositories.users import UserRepository\nx = 1\n")
    assert reported(repo, "--changed-only") == (0, [])
    # touching the route (its lines shift) does not re-report what it already had
    (repo / "app/routes/users.py").write_text("# touched\nimport sqlite3\nfrom app.repositories.users import UserRepository\n")
    assert reported(repo, "--changed-only") == (0, [])
    # a new violation in it is reported, judged with the rest of the (unchanged) graph
    with open(repo / "app/routes/users.py", "a") as handle:
        handle.write("from app.repositories.users import UserRepository as Repository\n")
    assert reported(repo, "--changed-only") == (1, [("AL102", "app/routes/users.py", 4)])
    (repo / "app/routes/admin.py").write_text("from app.repositories.users import UserRepository\n")  # untracked
    assert ("AL102", "app/routes/admin.py", 1) in reported(repo, "--changed-only")[1]
    git(repo, "add", "app/routes/admin.py")  # staged counts too
    assert ("AL102", "app/routes/admin.py", 1) in reported(repo, "--changed-only")[1]


def test_base_revision(tmp_path):
    repo = committed_repo(tmp_path)
    base = git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / "app/routes/admin.py").write_text("from app.repositories.users import UserRepository\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "admin route")
    assert reported(repo, "--changed-only")[1] == []
    assert reported(repo, "--base", base)[1] == [("AL102", "app/routes/admin.py", 1)]
    assert reported(repo, "--changed-only", "--base", "HEAD~1")[1] == [("AL102", "app/routes/admin.py", 1)]


def test_subdirectory_root_and_repository_without_commits(tmp_path):
    outer = tmp_path / "outer"
    make_repo(outer / "backend", VIOLATING)
    git(outer, "init", "-q")
    code, found = reported(outer / "backend", "--changed-only")  # no commit yet: everything is new
    assert code == 1 and ("AL102", "app/routes/users.py", 2) in found
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "base")
    assert reported(outer / "backend", "--changed-only")[1] == []
    (outer / "backend/app/broken.py").write_text("def g(:\n")
    assert reported(outer / "backend", "--changed-only")[1] == [("AL001", "app/broken.py", 1)]


def test_not_a_git_repository_or_unknown_revision_is_exit_2(tmp_path):
    plain = make_repo(tmp_path / "plain", VIOLATING)
    env_free = run_cli("check", str(plain), "--changed-only", cwd=tmp_path)
    assert env_free.returncode == 2 and env_free.stdout == ""
    assert "--changed-only needs a git repository" in env_free.stderr
    assert len(env_free.stderr.strip().splitlines()) == 1
    repo = committed_repo(tmp_path)
    bad = run_cli("check", str(repo), "--base", "no-such-branch", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown git revision 'no-such-branch'" in bad.stderr


def test_changed_only_combines_with_a_baseline(tmp_path):
    repo = committed_repo(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert run_cli("check", str(repo), "--write-baseline", str(baseline), cwd=tmp_path).returncode == 0
    (repo / "app/routes/users.py").write_text("import sqlite3\nfrom app.repositories.users import UserRepository\nimport psycopg2\n")
    code, found = reported(repo, "--changed-only", "--baseline", str(baseline))
    # only the new import is reported: a driver in a route (AL103), and not declared in requirements (AL702)
    assert (code, found) == (1, [("AL103", "app/routes/users.py", 3), ("AL702", "app/routes/users.py", 3)])


def test_overlapping_paths_and_the_work_tree_is_never_written(tmp_path):
    repo = committed_repo(tmp_path)
    (repo / "app/routes/admin.py").write_text("from app.repositories.users import UserRepository\n")
    (repo / "app/services/users.py").write_text("from app.repositories.users import UserRepository\ny = 2\n")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in repo.rglob("*.py")}
    result = run_cli("check", str(repo), str(repo / "app/routes"), "--changed-only", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert [(f["rule"], f["path"]) for f in json.loads(result.stdout)["findings"]] == [("AL102", "app/routes/admin.py")]
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in repo.rglob("*.py")} == before


def test_a_finding_merged_at_shared_serializer_code_is_judged_through_its_views(tmp_path):
    """AL601 reports a per-row query in serializer code several views reach once, at the query, and
    the finding answers to each view's own finding.  A change adding one more view to those that
    reach it introduces nothing (the defect was there) and fixes nothing (the view reported alone is
    one of several now); a change that makes the first views reach it lists the finding even though
    the serializer's file is untouched — the change touched the views."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parent.parent / "fixtures/agent-drf-shared-mixin-bugs"
    files = {p.relative_to(fixture).as_posix(): p.read_text() for p in fixture.rglob("*") if p.is_file()}
    views = files["inventory/catalog/views.py"]
    head, rest = views.split("class SiteViewSet(", 1)
    site, rest = rest.split("class RackViewSet(", 1)
    rack, rest = rest.split("class DeviceViewSet(", 1)
    device, vendor = rest.split("class VendorViewSet(", 1)
    without = head + "class VendorViewSet(" + vendor
    one = head + "class SiteViewSet(" + site + "class VendorViewSet(" + vendor
    two = head + "class SiteViewSet(" + site + "class RackViewSet(" + rack + "class VendorViewSet(" + vendor
    shared = ("AL601", "inventory/catalog/serializers.py", 16)

    def change(base: str, after: str) -> tuple[list, dict]:
        root = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
        repo = committed_repo(root, {**files, "inventory/catalog/views.py": base})
        (repo / "inventory/catalog/views.py").write_text(after)
        result = run_cli("check", str(repo), "--format", "json", "--changed-only", cwd=root)
        assert result.returncode in (0, 1), result.stderr
        data = json.loads(result.stdout)
        return [(f["rule"], f["path"], f["line"]) for f in data["findings"]], data["change"]

    found, summary = change(one, two)  # a second view: the one finding per view becomes the shared one
    assert shared not in found and summary["fixed"] == 0 and summary["elsewhere"] == 0, (found, summary)
    found, summary = change(two, views)  # a third and a fourth view
    assert shared not in found and summary["fixed"] == 0 and summary["elsewhere"] == 0, (found, summary)
    found, summary = change(without, two)  # no view reached it before
    assert shared in found and summary["elsewhere"] == 0, (found, summary)
