"""`archlint audit`: run discovery in the study's results layout, verdict rows, resuming, the CSV and
HTML outputs, timeouts and crashes of single runs, manifests and the CLI."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from archlint.application.audit import REPORT, RESULTS, SUMMARY, AuditRequest, run_audit, write_outputs
from archlint.application.audit_pool import run_local
from archlint.application.audit_runs import RunSpec
from archlint.application.audit_worker import error_row
from archlint.reporters import audit_csv, audit_html
from test_audit_tree import FIXTURES, put_run, task_dir

FLASK_CA = "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy"
NO_FILES_PATCH = "diff --git a/app.py b/app.py\nindex 1111111..2222222 100644\n--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
RENDERERS = {SUMMARY: audit_csv.render, REPORT: partial(audit_html.render, rule_names={"AL102": "skip-layer-import"})}


def _expected(name: str) -> dict:
    return json.loads((FIXTURES / "verify" / name / "verify.json").read_text())["expected"]


def build_tree(root: Path) -> dict[str, dict | str]:
    """A small results tree; returns run path -> expected verdicts (or the expected error text)."""
    flask = task_dir(root, FLASK_CA)
    koa = task_dir(root, "node-koa-openapi-clean_architecture-sqlite-sequelize", "openhands", "qwen3-coder", "2026-05-02")
    express = task_dir(root, "node-express-openapi-clean_architecture", "openhands", "qwen3-coder", "2026-05-02")
    cases = {
        put_run(flask / "run_1", FIXTURES / "verify" / "baseline-compliant"): _expected("baseline-compliant"),
        put_run(flask / "run_2" / "repo", FIXTURES / "verify" / "skip-layer-route-to-repository").parent:
            _expected("skip-layer-route-to-repository"),
        put_run(flask / "run_3", FIXTURES / "verify" / "root-app-raw-db", as_patch=True): _expected("root-app-raw-db"),
        put_run(task_dir(root, "uv-flask-openapi-clean_architecture-postgres-sqlalchemy") / "run_1",
                FIXTURES / "verify" / "sqlite-fallback-url"): _expected("sqlite-fallback-url"),
        put_run(koa / "run_1", FIXTURES / "verify" / "multiline-esm-import"): _expected("multiline-esm-import"),
        put_run(express / "run_1", FIXTURES / "express-violations"): {"framework": True, "architecture": False},
        put_run(task_dir(root, "uv-flask-openapi-unconstrained") / "run_1", FIXTURES / "flask-clean"): {"framework": True},
    }
    (flask / "run_4").mkdir()
    (flask / "run_4" / "patch").write_text(NO_FILES_PATCH)
    cases[flask / "run_4" / "patch"] = "the patch adds no files"
    (flask / "run_5").mkdir()
    (flask / "run_5" / "trajectory.json").write_text("{}")
    cases[flask / "run_5"] = "no source files and no patch"
    return {str(path): expected for path, expected in cases.items()}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    base = tmp_path_factory.mktemp("audit")
    expected = build_tree(base / "results")
    outcome = run_audit(AuditRequest([str(base / "results")], out=str(base / "out"), jobs=2))
    write_outputs(outcome, RENDERERS)
    return base, expected, outcome


def test_every_run_gets_its_verdicts_or_an_error(audited):
    _base, expected, outcome = audited
    assert (outcome.found, outcome.verified, outcome.skipped) == (9, 9, 0)
    rows = {row["path"]: row for row in outcome.rows}
    assert set(rows) == set(expected)
    for path, want in expected.items():
        row = rows[path]
        if isinstance(want, str):
            assert want in row["error"] and row["compliant"] is None and row["verdicts"] == [], row
            continue
        assert row["error"] is None, row["error"]
        assert {v["constraint"]: v["compliant"] for v in row["verdicts"]} == want, path
        assert row["compliant"] == all(want.values())
        assert all(v["reason"] and v["evidence"]["path"] and v["evidence"]["line"] >= 0 for v in row["verdicts"])


def test_rows_carry_the_study_coordinates(audited):
    _base, _expected, outcome = audited
    rows = {(row["task"], row["run"]): row for row in outcome.rows}
    patch = rows[(FLASK_CA, "run_3")]
    assert (patch["kind"], patch["framework"], patch["level"], patch["runtime"]) == ("patch", "flask", 3, "uv")
    assert (patch["agent"], patch["model"], patch["date"], patch["path"].endswith("agent.patch")) == ("mini-swe", "gpt-5.4", "2026-05-01", True)
    express = rows[("node-express-openapi-clean_architecture", "run_1")]
    assert (express["level"], express["agent"], express["model"], express["date"]) == (1, "openhands", "qwen3-coder", "2026-05-02")
    assert (express["architecture"], express["database"], express["orm"]) == ("clean", "", "")
    assert express["findings"]["by_category"]["layering"] >= 1
    assert express["findings"]["total"] == sum(express["findings"]["by_rule"].values())
    assert rows[("uv-flask-openapi-unconstrained", "run_1")]["level"] == 0


def test_results_jsonl_has_one_line_per_run_and_a_rerun_skips_them(audited, tmp_path):
    base, expected, _outcome = audited
    out = tmp_path / "out"
    shutil.copytree(base / "out", out)
    lines = (out / RESULTS).read_text().splitlines()
    assert len(lines) == len(expected) and all(json.loads(line)["schema"] == 1 for line in lines)

    again = run_audit(AuditRequest([str(base / "results")], out=str(out), jobs=2))
    assert (again.verified, again.skipped, len(again.rows)) == (0, 9, 9)
    assert (out / RESULTS).read_text().splitlines() == lines

    with open(out / RESULTS, "a") as handle:  # an audit killed mid-write
        handle.write('{"path": "/cut-sh')
    extra = put_run(task_dir(tmp_path / "more", FLASK_CA) / "run_9", FIXTURES / "verify" / "baseline-compliant")
    resumed = run_audit(AuditRequest([str(base / "results"), str(tmp_path / "more")], out=str(out), jobs=2))
    assert (resumed.verified, resumed.skipped, len(resumed.rows)) == (1, 9, 10)
    last = json.loads((out / RESULTS).read_text().splitlines()[-1])
    assert last["path"] == str(extra) and last["compliant"] is True


def test_summary_csv(audited):
    base, expected, _outcome = audited
    with open(base / "out" / SUMMARY, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {row["path"]: row for row in reader}
    assert tuple(reader.fieldnames) == audit_csv.COLUMNS
    assert set(rows) == set(expected)
    for column in ("path", "task", "framework", "level", "agent", "model", "compliant", "architecture_ok", "findings_layering", "seconds", "error"):
        assert column in audit_csv.COLUMNS
    raw = next(row for path, row in rows.items() if path.endswith("agent.patch"))
    assert (raw["compliant"], raw["architecture_ok"], raw["orm_ok"], raw["level"]) == ("false", "false", "false", "3")
    assert raw["failed"] == "architecture;orm" and raw["first_failure"].startswith("architecture: ")
    unconstrained = next(row for row in rows.values() if row["task"] == "uv-flask-openapi-unconstrained")
    assert (unconstrained["framework_ok"], unconstrained["architecture_ok"], unconstrained["level"]) == ("true", "", "0")
    broken = next(row for path, row in rows.items() if path.endswith(os.sep + "patch"))
    assert broken["compliant"] == "" and "adds no files" in broken["error"]


def test_report_html_is_self_contained_with_charts_and_evidence_links(audited):
    base, _expected, outcome = audited
    page = (base / "out" / REPORT).read_text()
    for chart in ("by-framework", "by-level", "categories", "rules"):
        assert re.search(rf'<figure id="chart-{chart}"><svg class="chart"[^>]*>.*?<rect class="bar"', page, re.S), chart
    assert "<script src" not in page and "<link rel=\"stylesheet\"" not in page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page), "no network at view time"
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    failing = [row for row in outcome.rows if row["compliant"] is False]
    assert len(failing) == 5
    table = page.split('<table id="failures">', 1)[1].split("</table>", 1)[0]
    for row in failing:
        link = os.path.relpath(row["path"], base / "out").replace(os.sep, "/")
        assert f'href="{link}"' in table, link
        for verdict in row["verdicts"]:
            if not verdict["compliant"]:
                evidence = verdict["evidence"]
                assert f"{evidence['path']}:{evidence['line']}" in table
    assert "repo/app/routes/articles.py:3" in table  # run_2/repo: evidence relative to the run directory
    errors = page.split('<table id="errors">', 1)[1]
    assert "the patch adds no files" in errors and "no source files and no patch" in errors
    assert "AL102 skip-layer-import" in page


def headless_dom(page: Path, tmp_path: Path) -> str:
    """The DOM of ``page`` after its script ran in headless Chromium (skips without Chromium);
    fails on any console message or uncaught error."""
    chromium = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium); the HTML was only checked statically")
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    assert 'data-ready="1"' in result.stdout, "the page's script ran to the end"
    return result.stdout


def test_report_renders_in_headless_chromium(audited, tmp_path):
    base, _expected, _outcome = audited
    dom = headless_dom(base / "out" / REPORT, tmp_path)
    assert len(re.findall(r'<svg class="chart"', dom)) == 4
    assert len(re.findall(r'<rect class="bar"', dom)) > 10


# one pathological run must not stall the audit ---------------------------------------------------
def _spec(name: str) -> RunSpec:
    return RunSpec(path=f"/runs/{name}", kind="dir", task=FLASK_CA, framework="flask")


def _fast(spec: RunSpec) -> dict:
    return error_row(spec, "", 0.0) | {"error": None, "compliant": True}


def _sleeps(spec: RunSpec) -> dict:
    if spec.path.endswith("slow"):
        time.sleep(60)
    return _fast(spec)


def _deaf(spec: RunSpec) -> dict:
    """Stuck where SIGALRM cannot reach it (like a C extension that never returns)."""
    if spec.path.endswith("stuck"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    return _fast(spec)


def _crashes(spec: RunSpec) -> dict:
    if spec.path.endswith("crash"):
        os._exit(3)
    return _fast(spec)


@pytest.mark.parametrize("worker, bad", [(_sleeps, "slow"), (_deaf, "stuck")])
def test_a_run_that_never_finishes_becomes_a_timeout_row(worker, bad):
    started = time.monotonic()
    specs = [_spec("a"), _spec(bad), _spec("b"), _spec("c")]
    rows = {row["path"]: row for row in run_local(specs, jobs=2, timeout=0.5, worker=worker, grace=0.5)}
    assert time.monotonic() - started < 15
    assert rows[f"/runs/{bad}"]["error"] == "timed out after 0.5 s"
    assert all(rows[f"/runs/{name}"]["compliant"] is True for name in "abc")


def test_a_run_that_kills_its_worker_is_an_error_and_the_others_still_run():
    specs = [_spec("a"), _spec("crash"), _spec("b"), _spec("c"), _spec("d")]
    rows = {row["path"]: row for row in run_local(specs, jobs=2, timeout=30, worker=_crashes)}
    assert "worker process died" in rows["/runs/crash"]["error"]
    assert all(rows[f"/runs/{name}"]["compliant"] is True for name in "abcd")


# manifests ---------------------------------------------------------------------------------------
def test_manifest_gives_constraints_to_runs_without_task_names(tmp_path):
    put_run(tmp_path / "plain" / "a", FIXTURES / "verify" / "baseline-compliant")
    put_run(tmp_path / "plain" / "b", FIXTURES / "verify" / "sqlite-fallback-url")
    put_run(tmp_path / "plain" / "c", FIXTURES / "verify" / "baseline-compliant")
    (tmp_path / "runs.csv").write_text(
        "path,task,framework,architecture,database,orm\n"
        f"plain/a,{FLASK_CA},,,,\n"
        "plain/b,,flask,clean,postgres,sqlalchemy\n"
        "plain/gone,,flask,,sqlite,\n"
    )
    outcome = run_audit(AuditRequest([str(tmp_path / "plain")], out=str(tmp_path / "out"), manifest=str(tmp_path / "runs.csv"), jobs=2))
    rows = {Path(row["path"]).name: row for row in outcome.rows}
    assert rows["a"]["compliant"] is True and rows["a"]["task"] == FLASK_CA and rows["a"]["level"] == 3
    assert rows["b"]["task"] == "uv-flask-openapi-clean_architecture-postgres-sqlalchemy"
    assert {v["constraint"]: v["compliant"] for v in rows["b"]["verdicts"]} == _expected("sqlite-fallback-url")
    assert "does not exist" in rows["gone"]["error"] and rows["gone"]["level"] == 1
    assert "no benchmark task name" in rows["c"]["error"]


def test_task_from_a_patch_name_and_both_manifest_spellings():
    from archlint.adapters.run_store import FoundRun
    from archlint.application.audit_runs import describe

    loose = describe(FoundRun("/x/uv-flask-openapi-sqlite.patch", "patch"), None)
    assert (loose.task, loose.database, loose.level, loose.agent, loose.problem) == ("uv-flask-openapi-sqlite", "sqlite", 1, "", "")
    columns = describe(FoundRun("/x/a", "dir"), {"path": "/x/a", "framework": "express", "architecture": "yes", "database": "postgres", "orm": "yes"})
    assert (columns.task, columns.orm, columns.database, columns.level) == (
        "node-express-openapi-clean_architecture-postgres-sequelize", "sequelize", "postgresql", 3)
    assert "manifest line 4" in describe(FoundRun("/x/a", "dir"), {"path": "/x/a", "framework": "rails", "line": "4"}).problem


# CLI ---------------------------------------------------------------------------------------------
def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archlint", "audit", *args], capture_output=True, text=True, **kwargs)


def test_cli_writes_the_three_files_and_is_silent_on_stderr_without_a_tty(audited, tmp_path):
    base, _expected, _outcome = audited
    result = _cli(str(base / "results"), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.search(r"9 runs found, 9 verified now, 0 already done; .* 2 compliant, 5 non-compliant, 2 errors", result.stdout)
    assert {p.name for p in (tmp_path / "out").iterdir()} == {RESULTS, SUMMARY, REPORT}
    missing = _cli(str(tmp_path / "nope"), "--out", str(tmp_path / "out2"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def _on_a_terminal(*args: str) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; (exit code, what it drew there)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "archlint", "audit", *args], stdout=subprocess.PIPE, stderr=slave, timeout=60)
        os.close(slave)
        os.set_blocking(master, False)
        try:
            shown = os.read(master, 65536).decode()
        except OSError:  # EIO / EAGAIN: nothing was drawn
            shown = ""
    finally:
        os.close(master)
    return result.returncode, shown


def test_cli_draws_a_progress_bar_only_on_a_terminal(tmp_path):
    put_run(task_dir(tmp_path / "results", FLASK_CA) / "run_1", FIXTURES / "verify" / "baseline-compliant")
    code, shown = _on_a_terminal(str(tmp_path / "results"), "--out", str(tmp_path / "out"))
    assert code == 0 and "\raudit [" in shown and "1/1 runs" in shown
    code, shown = _on_a_terminal(str(tmp_path / "results"), "--out", str(tmp_path / "out2"), "--no-progress")
    assert code == 0 and shown == ""


def test_without_worker_processes_the_audit_runs_serially(monkeypatch):
    import archlint.application.audit_pool as pool

    def refuse(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(pool, "ProcessPoolExecutor", refuse)
    rows = list(run_local([_spec("a"), _spec("b")], jobs=2, timeout=5, worker=_fast))
    assert [row["compliant"] for row in rows] == [True, True]
