"""Baselines: today's findings accepted, new ones reported, fixed ones listed, the file only shrinks."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import make_repo
from test_cli import VIOLATING, run_cli

from archlint.application.baseline import fingerprints
from archlint.domain.findings import Finding


def write_baseline(tmp_path, repo, name="baseline.json"):
    path = tmp_path / name
    result = run_cli("check", str(repo), "--write-baseline", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"wrote 3 findings to baseline {path}" in result.stderr
    return path


def test_written_baseline_makes_todays_code_pass_and_is_deterministic(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    path = write_baseline(tmp_path, repo)
    first = path.read_bytes()
    data = json.loads(first)
    assert data["archlint_baseline"] == 1
    rows = data["findings"]
    assert [(r["rule"], r["path"]) for r in rows] == [
        ("AL001", "app/broken.py"),
        ("AL102", "app/routes/users.py"),
        ("AL103", "app/routes/users.py"),
    ]
    assert rows == sorted(rows, key=lambda r: (r["path"], r["rule"], r["message"], r["fingerprint"]))
    assert all(set(r) == {"fingerprint", "rule", "name", "path", "message"} for r in rows)  # no line numbers
    write_baseline(tmp_path, repo)
    assert path.read_bytes() == first
    result = run_cli("check", str(repo), "--baseline", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "3 known findings hidden by baseline" in result.stderr


def test_fingerprints_survive_line_shifts_and_new_findings_are_reported(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    path = write_baseline(tmp_path, repo)
    route = repo / "app/routes/users.py"
    route.write_text('"""Users."""\n\n# shifted down\n' + route.read_text() + "from app.models.user import User\n")
    (repo / "app/services/users.py").write_text("import sqlite3\nfrom app.repositories.users import UserRepository\n")
    result = run_cli("check", str(repo), "--baseline", str(path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [(f["rule"], f["path"], f["line"]) for f in data["findings"]] == [("AL103", "app/services/users.py", 1)]
    assert data["baseline"] == {"fixed": [], "suppressed": 3}
    assert list(data)[:5] == ["schema", "archlint", "root", "findings", "stats"]  # contract fields untouched


def test_fixed_entries_are_listed_and_the_file_only_shrinks(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    path = write_baseline(tmp_path, repo)
    (repo / "app/broken.py").write_text("x = 1\n")  # AL001 fixed
    (repo / "app/routes/users.py").write_text(  # AL103 still there, AL102 fixed, one new AL102 elsewhere
        "import sqlite3\nfrom app.services.users import UserRepository\n"
    )
    (repo / "app/routes/admin.py").write_text("from app.repositories.users import UserRepository\n")
    text = run_cli("check", str(repo), "--baseline", str(path), cwd=tmp_path)
    assert text.returncode == 1
    assert "app/routes/admin.py" in text.stdout and "app/routes/users.py" not in text.stdout
    assert "2 baseline entries are fixed" in text.stderr
    assert "fixed: AL001 app/broken.py" in text.stderr and "fixed: AL102 app/routes/users.py" in text.stderr
    as_json = json.loads(run_cli("check", str(repo), "--baseline", str(path), "--format", "json", cwd=tmp_path).stdout)
    assert sorted((row["rule"], row["path"]) for row in as_json["baseline"]["fixed"]) == [
        ("AL001", "app/broken.py"),
        ("AL102", "app/routes/users.py"),
    ]
    assert as_json["baseline"]["suppressed"] == 1

    ratchet = run_cli("check", str(repo), "--baseline", str(path), "--write-baseline", str(path), cwd=tmp_path)
    assert ratchet.returncode == 1  # the new finding is still reported, not absorbed
    rows = json.loads(path.read_text())["findings"]
    assert [(r["rule"], r["path"]) for r in rows] == [("AL103", "app/routes/users.py")]
    again = run_cli("check", str(repo), "--baseline", str(path), "--format", "json", cwd=tmp_path)
    assert json.loads(again.stdout)["baseline"] == {"fixed": [], "suppressed": 1}


def test_identical_findings_get_occurrence_indexes(tmp_path):
    finding = Finding("AL103", "forbidden-external-import", "layering", "error", "a.py", 1, 1, 1, 15, "m", "g")
    (tmp_path / "a.py").write_text("import sqlite3\nimport sqlite3\n")
    second = Finding(**{**{s: getattr(finding, s) for s in Finding.__slots__}, "line": 2, "end_line": 2})
    prints = fingerprints([finding, second], str(tmp_path))
    assert prints[0].endswith("-0") and prints[1].endswith("-1")
    assert prints[0].rsplit("-", 1)[0] == prints[1].rsplit("-", 1)[0]
    # the same text on a shifted line is the same finding
    (tmp_path / "a.py").write_text("\n\nimport sqlite3\n")
    moved = Finding(**{**{s: getattr(finding, s) for s in Finding.__slots__}, "line": 3, "end_line": 3})
    assert fingerprints([moved], str(tmp_path)) == prints[:1]


def test_bad_baseline_files_are_exit_2(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    missing = run_cli("check", str(repo), "--baseline", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert missing.returncode == 2 and "baseline file not found" in missing.stderr
    (tmp_path / "bad.json").write_text('{"findings": 3}')
    bad = run_cli("check", str(repo), "--baseline", str(tmp_path / "bad.json"), cwd=tmp_path)
    assert bad.returncode == 2 and "is not an archlint baseline" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and bad.stdout == ""


def test_views_sharing_one_per_row_query_are_one_finding_an_older_baseline_still_accepts(tmp_path):
    """AL601 reports a per-row query in serializer code that several views reach once, at the query
    (it was one finding per view).  A baseline written when it was one per view still accepts it — the
    merged finding answers to its views' fingerprints — and rewriting that baseline swaps those entries
    for the merged finding's own; adding a view keeps the merged finding's fingerprint."""
    import shutil

    from archlint.application.baseline import aliases, entries, render
    from archlint.application.pipeline import Options, run_check

    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures/agent-drf-shared-mixin-bugs", repo)
    report = run_check([str(repo)], Options())
    shared = [f for f in report.findings if f.path == "inventory/catalog/serializers.py"]
    assert [(f.rule, f.line) for f in shared] == [("AL601", 16)]
    assert [(step.path, step.line) for step in shared[0].trace] == [("inventory/catalog/views.py", line) for line in (8, 13, 18)]
    members = dict(shared[0].data)["merged"]
    assert [(f.path, f.line) for f in members] == [("inventory/catalog/views.py", line) for line in (8, 13, 18)]
    # the baseline as it was written before: one entry per view, none for the merged finding
    others = [f for f in report.findings if f not in shared]
    old = entries(others + list(members), fingerprints(others, str(repo)) + fingerprints(list(members), str(repo)))
    path = tmp_path / "baseline.json"
    path.write_text(render(old))
    result = run_cli("check", str(repo), "--baseline", str(path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["baseline"] == {"fixed": [], "suppressed": 4}
    result = run_cli("check", str(repo), "--baseline", str(path), "--write-baseline", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(path.read_text())["findings"]
    assert sorted(r["path"] for r in rows) == ["inventory/catalog/reports.py", "inventory/catalog/reports.py",
                                               "inventory/catalog/serializers.py", "inventory/catalog/views.py"]
    merged_print = fingerprints(shared, str(repo))[0]
    assert merged_print in {r["fingerprint"] for r in rows}
    assert aliases(shared, str(repo))[0] == frozenset(fingerprints(list(members), str(repo)))
    # a fourth view reaching the mixin: still the same finding for the baseline
    views = repo / "inventory/catalog/views.py"
    views.write_text(views.read_text().replace(
        "class SiteViewSet(", "class AreaViewSet(viewsets.ReadOnlyModelViewSet):\n    queryset = Site.objects.prefetch_related(\"labels\")\n"
        "    serializer_class = SiteSerializer\n\n\nclass SiteViewSet("))
    result = run_cli("check", str(repo), "--baseline", str(path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    after = run_check([str(repo)], Options())
    merged = [f for f in after.findings if f.path == "inventory/catalog/serializers.py"]
    assert "4 views" in merged[0].message and fingerprints(merged, str(repo)) == [merged_print]
