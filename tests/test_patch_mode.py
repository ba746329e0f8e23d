"""`check PATH --patch` / `verify PATH --patch` on feature tasks built like the study's (a finished
repository with a feature removed, and the patch that puts it back; tests/feature_tasks.py), for
the five frameworks of the study's feature tasks, plus renames, deletions, CRLF, a binary marker,
an agent's imperfect patch and a patch that does not apply.

What must hold (issue 17): `verify PATH --patch` gives exactly the verdicts of `verify` on the
finished repository; `check PATH --patch` reports nothing the finished repository does not have
and nothing outside the patched files; `--all` is `check` on the finished repository; the same
mechanism gives `--changed-only` on a git work tree the same answer; PATH is never written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from feature_tasks import feature_pair, git_diff
from helpers import cli_in_process
from test_changed import git

from archlint.application.patched import patched
from archlint.application.pipeline import Options, run_check
from archlint.application.verify import Constraints, run_verify

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ORM = {"flask": "sqlalchemy", "fastapi": "sqlalchemy", "aiohttp": "sqlalchemy", "express": "sequelize", "hono": "sequelize"}


def run_cli(*args: str, cwd: Path):
    """test_cli.run_cli's command, cache and environment, run in this process (cli_in_process)."""
    return cli_in_process(*args, cwd=cwd, env={"NO_COLOR": "1", "ARCHLINT_CACHE_DIR": str(Path(cwd).resolve() / ".cache-test")})


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _key(finding) -> tuple:
    return (finding.rule, finding.path, finding.line, finding.column, finding.message)


def assert_patch_mode_agrees(base: Path, patch: Path, finished: Path, constraints: Constraints, tmp: Path) -> dict:
    """The three promises of issue 17 on one (base, patch, finished) triple; returns facts for
    further checks."""
    before = _snapshot(base)
    options = Options(cache_dir=str(tmp / "cache"))
    patched_verify = run_verify(str(base), constraints, patch=str(patch), options=options)
    finished_verify = run_verify(str(finished), constraints, options=Options(use_cache=False))
    assert [v.to_dict() for v in patched_verify.verdicts] == [v.to_dict() for v in finished_verify.verdicts]
    assert [_key(f) for f in patched_verify.report.findings] == [_key(f) for f in finished_verify.report.findings]
    assert patched_verify.root == str(base)

    finished_check = {_key(f) for f in run_check([str(finished)], Options(use_cache=False)).findings}
    with patched(str(base), str(patch), options) as compared:
        touched = compared.changes.touched()
        introduced = [_key(f) for f in compared.introduced.findings]
        everything = [_key(f) for f in compared.after.findings]
    assert set(introduced) <= finished_check, "reports nothing the finished repository does not have"
    assert all(path in touched for _rule, path, *_rest in introduced), "nothing outside the patched files"
    assert set(everything) == finished_check, "--all is the finished repository"
    assert _snapshot(base) == before, "PATH is never written"
    return {"verify": patched_verify, "introduced": introduced, "touched": touched}


@pytest.mark.parametrize("framework", ["flask", "fastapi", "aiohttp", "express", "hono"])
def test_a_perfect_feature_patch_gives_the_finished_repository_verdicts(tmp_path, framework):
    base, patch, finished = feature_pair(tmp_path, FIXTURES / f"{framework}-clean", "comment")
    constraints = Constraints(framework, "clean", "sqlite", ORM[framework])
    facts = assert_patch_mode_agrees(base, patch, finished, constraints, tmp_path)
    result = facts["verify"]
    assert facts["introduced"] == [] and any("comment" in path for path in facts["touched"])
    # every verdict says what the patch did to its evidence; the restored routes are named
    changes = {change.constraint: change for change in result.change.verdicts}
    assert set(changes) == {"framework", "architecture", "database", "orm"}
    assert all(change.was_compliant is not None for change in changes.values())
    framework_added = [item.path for item in changes["framework"].added]
    assert framework_added and all(path in facts["touched"] for path in framework_added)
    assert any("comment" in item.detail.lower() for item in changes["framework"].added)
    assert any("→" in item.detail for item in changes["architecture"].added)
    assert all(change.removed == [] for change in changes.values()), "restoring a feature removes no evidence"
    assert changes["framework"].summary.startswith("framework: ") and "the patch adds" in changes["framework"].summary


def test_renames_deletions_crlf_and_a_binary_marker(tmp_path):
    """The finished repository renames a module (and its imports), deletes a legacy file, keeps
    CRLF line ends, and changes a binary file — and the patch has a `Binary files differ` line."""
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "flask-violations", source)
    (source / "static").mkdir()
    (source / "static/logo.png").write_bytes(bytes(range(256)))
    (source / "app/legacy.py").write_text("import sqlite3\n\ndef raw():\n    return sqlite3.connect('x.db')\n")

    def finish(root: Path) -> None:
        old = root / "app/services/article_service.py"
        (root / "app/services/articles.py").write_text(old.read_text())
        old.unlink()
        for path in root.rglob("*.py"):
            path.write_text(path.read_text().replace("article_service", "articles"))
        (root / "app/legacy.py").unlink()
        (root / "static/logo.png").write_bytes(bytes(range(255, -1, -1)))
        for path in root.rglob("*.py"):
            path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))

    for path in source.rglob("*.py"):  # CRLF before and after
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    base, patch, finished = feature_pair(tmp_path, source, "tag", edit=finish)
    text = patch.read_bytes()
    assert b"rename from app/services/article_service.py" in text and b"deleted file mode" in text
    assert b"Binary files a/static/logo.png and b/static/logo.png differ" in text and b"\r\n" in text
    facts = assert_patch_mode_agrees(base, patch, finished, Constraints("flask", "clean"), tmp_path)
    assert "app/services/articles.py" in facts["touched"] and "app/legacy.py" not in facts["touched"]
    # the rename keeps the old module's findings as "already there", not "introduced"
    assert not any(path == "app/services/articles.py" for _rule, path, *_ in facts["introduced"])


def test_an_imperfect_patch_reports_only_what_it_introduces(tmp_path):
    """The agent restores comments but its new route reaches the repository directly."""
    def skip_layer(root: Path) -> None:
        views = root / "app/views/articles.py"
        views.write_text(views.read_text().replace(
            "from app.services import article_service, comment_service",
            "from app.repositories import comment_repository\nfrom app.services import article_service, comment_service"))

    base, patch, finished = feature_pair(tmp_path, FIXTURES / "flask-clean", "comment", edit=skip_layer)
    facts = assert_patch_mode_agrees(base, patch, finished, Constraints("flask", "clean"), tmp_path)
    assert [(rule, path) for rule, path, *_ in facts["introduced"]] == [("AL102", "app/views/articles.py")]
    architecture = next(c for c in facts["verify"].change.verdicts if c.constraint == "architecture")
    assert (architecture.was_compliant, architecture.compliant) == (True, False)
    assert architecture.summary.startswith("architecture: no longer compliant; the patch adds ")
    assert any(item.path == "app/views/articles.py" and "AL102" in item.detail for item in architecture.added)
    assert architecture.removed == []  # the layer directories are all still there

    # the CLI: exit 1, only the introduced finding, the change summarised on stderr
    result = run_cli("check", str(base), "--patch", str(patch), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["root"] == str(base)
    assert [(f["rule"], f["path"]) for f in data["findings"]] == [("AL102", "app/views/articles.py")]
    assert data["change"]["from"] == "patch" and data["change"]["introduced"] == 1
    assert "app/repositories/comment_repository.py" in data["change"]["files"]["added"]
    text = run_cli("check", str(base), "--patch", str(patch), cwd=tmp_path)
    assert text.returncode == 1 and "[AL102 skip-layer-import]" in text.stdout
    assert "from app.repositories import comment_repository" in text.stdout  # the code frame, read from the copy
    assert text.stderr.count("\n") == 1 and "1 findings introduced" in text.stderr
    every = run_cli("check", str(base), "--patch", str(patch), "--all", "--format", "json", cwd=tmp_path)
    finished_json = run_cli("check", str(finished), "--format", "json", cwd=tmp_path)
    assert json.loads(every.stdout)["findings"] == json.loads(finished_json.stdout)["findings"]
    verify = run_cli("verify", str(base), "--patch", str(patch), "--framework", "flask", "--architecture", "clean", cwd=tmp_path)
    assert verify.returncode == 1 and "patch: architecture: no longer compliant" in verify.stdout
    data = json.loads(run_cli("verify", str(base), "--patch", str(patch), "--framework", "flask", "--architecture", "clean",
                              "--format", "json", cwd=tmp_path).stdout)
    assert list(data) == ["schema", "archlint", "root", "compliant", "constraints", "findings", "patch"]  # additive
    assert all(list(c) == ["constraint", "expected", "compliant", "reason", "evidence", "patch"] for c in data["constraints"])
    assert set(data["constraints"][1]["patch"]) == {"was_compliant", "summary", "added", "removed"}
    assert data["patch"]["path"] == str(patch) and data["patch"]["base"] == str(base) and data["patch"]["introduced"] == 1
    assert [(f["rule"], f["path"]) for f in data["patch"]["introduced_findings"]] == [("AL102", "app/views/articles.py")]


def test_changed_only_agrees_with_the_same_patch(tmp_path):
    """A work tree at the base commit with the patch's result in it: --changed-only reports what
    check BASE --patch reports."""
    def skip_layer(root: Path) -> None:
        views = root / "app/views/articles.py"
        views.write_text(views.read_text() + "\nfrom app.repositories import user_repository  # noqa\n")

    base, patch, finished = feature_pair(tmp_path, FIXTURES / "flask-clean", "comment", edit=skip_layer)
    work = tmp_path / "work"
    shutil.copytree(base, work)
    (work / ".gitignore").write_text(".cache-test/\n")
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "base")
    for path in list(work.iterdir()):
        if path.name not in (".git", ".gitignore"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(finished, work, dirs_exist_ok=True)
    git(work, "add", "app/views")  # some staged, the rest (new files included) not

    from_patch = run_cli("check", str(base), "--patch", str(patch), "--format", "json", cwd=tmp_path)
    from_git = run_cli("check", str(work), "--changed-only", "--format", "json", cwd=tmp_path)
    assert from_patch.returncode == from_git.returncode == 1, from_git.stderr
    findings = [(f["rule"], f["path"], f["line"]) for f in json.loads(from_git.stdout)["findings"]]
    assert findings == [(f["rule"], f["path"], f["line"]) for f in json.loads(from_patch.stdout)["findings"]]
    assert findings and all(rule == "AL102" for rule, _path, _line in findings)
    change = json.loads(from_git.stdout)["change"]
    assert change["from"] == "git" and "app/services/comment_service.py" in change["files"]["added"]


def test_a_patch_that_does_not_apply_is_exit_2_with_one_line(tmp_path):
    base, patch, _finished = feature_pair(tmp_path, FIXTURES / "express-clean", "comment")
    controller = base / "src/controllers/articles.js"
    controller.write_text(controller.read_text().replace("router.get('/tags'", "router.get('/all-tags'"))
    for command in ("check", "verify"):
        extra = ("--framework", "express") if command == "verify" else ()
        result = run_cli(command, str(base), "--patch", str(patch), *extra, cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "does not apply" in lines[0] and "src/controllers/articles.js: hunk 2 of 2 (@@ -" in lines[0]


def test_plain_diff_and_a_subdirectory_path(tmp_path):
    """A `diff -ruN` patch, and a repository diff applied to PATH = the backend directory."""
    if shutil.which("diff") is None:
        pytest.skip("no diff program")
    import subprocess

    base, _patch, finished = feature_pair(tmp_path, FIXTURES / "hono-clean", "comment")
    plain = tmp_path / "plain.diff"
    plain.write_bytes(subprocess.run(["diff", "-ruN", "base", "finished"], cwd=tmp_path, capture_output=True).stdout)
    assert_patch_mode_agrees(base, plain, finished, Constraints("hono", "clean"), tmp_path)

    mono_base, mono_finished = tmp_path / "mono-base", tmp_path / "mono-finished"
    shutil.copytree(base, mono_base / "backend")
    shutil.copytree(finished, mono_finished / "backend")
    (mono_base / "README.md").write_text("old\n")
    (mono_finished / "README.md").write_text("new\n")
    pr = git_diff(mono_base, mono_finished, tmp_path / "pr.diff")
    facts = assert_patch_mode_agrees(mono_base / "backend", pr, mono_finished / "backend", Constraints("hono"), tmp_path)
    assert facts["verify"].change.files.outside == ["README.md"]


def test_usage_errors_and_the_greenfield_meaning(tmp_path):
    base, patch, _finished = feature_pair(tmp_path, FIXTURES / "flask-clean", "comment")
    both = run_cli("check", str(base), "--patch", str(patch), "--changed-only", cwd=tmp_path)
    assert both.returncode == 2 and len(both.stderr.strip().splitlines()) == 1
    alone = run_cli("check", str(base), "--all", cwd=tmp_path)
    assert alone.returncode == 2 and "--all only goes with --patch" in alone.stderr
    nothing = run_cli("check", cwd=tmp_path)
    assert nothing.returncode == 2 and "give the paths to check" in nothing.stderr
    html = tmp_path / "pr.diff"
    html.write_text("<!DOCTYPE html><html><body>Not Found</body></html>\n")  # a failed download
    wrong = run_cli("check", str(base), "--patch", str(html), cwd=tmp_path)
    assert wrong.returncode == 2 and "is not a unified diff" in wrong.stderr and len(wrong.stderr.splitlines()) == 1
    html.write_text("")  # an empty PR: nothing changed, nothing introduced
    empty = run_cli("check", str(base), "--patch", str(html), cwd=tmp_path)
    assert empty.returncode == 0 and "touches 0 files" in empty.stderr
    # without PATH, --patch still means the files a greenfield patch adds
    from test_verify import _as_patch

    greenfield = tmp_path / "greenfield.patch"
    greenfield.write_text(_as_patch(FIXTURES / "flask-violations"))
    result = run_cli("check", "--patch", str(greenfield), "--format", "json", cwd=tmp_path)
    expected = run_cli("check", str(FIXTURES / "flask-violations"), "--format", "json", "--no-cache", cwd=tmp_path)
    got = json.loads(result.stdout)
    assert got["root"] == str(greenfield) and "change" not in got
    assert [(f["rule"], f["path"], f["line"]) for f in got["findings"]] == [
        (f["rule"], f["path"], f["line"]) for f in json.loads(expected.stdout)["findings"] if f["path"] not in ("expected.json", "EXPECTED.md")]


def test_a_config_above_path_governs_the_patched_copy_too(tmp_path):
    """`check app --patch` where archlint.toml sits in the repository root above PATH: the copy is
    analysed with that config and findings keep the paths `check app` gives (relative to the root)."""
    def finish(root: Path) -> None:
        views = root / "app/views/articles.py"
        views.write_text(views.read_text() + "\nimport sqlite3\nfrom app.repositories import user_repository\n")

    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "flask-violations", source)
    (source / "archlint.toml").write_text('ignore = ["AL103"]\n')
    base, patch, finished = feature_pair(tmp_path, source, "comment", edit=finish)
    want = run_cli("check", str(finished / "app"), "--format", "json", "--no-cache", cwd=tmp_path)
    every = run_cli("check", str(base / "app"), "--patch", str(patch), "--all", "--format", "json", cwd=tmp_path)
    assert json.loads(every.stdout)["findings"] == json.loads(want.stdout)["findings"]
    assert json.loads(every.stdout)["root"] == str(base)  # the config's directory, as for `check base/app`
    new = json.loads(run_cli("check", str(base / "app"), "--patch", str(patch), "--format", "json", cwd=tmp_path).stdout)
    found = {(f["rule"], f["path"]) for f in new["findings"]}
    assert ("AL102", "app/views/articles.py") in found and not any(rule == "AL103" for rule, _ in found)  # the config's ignore
    touched = set(new["change"]["files"]["added"]) | set(new["change"]["files"]["modified"])
    assert "app/views/articles.py" in touched and {path for _rule, path in found} <= touched
