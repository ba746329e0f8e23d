"""`archlint audit` on feature runs (issue 17 §4): the study's feature-task layout
(`{framework}/{agent}/{model}/hard-focused-task-NNN/{date}/run_N/{agent}-{task}.patch`), a manifest
whose `base` column names the checkout each run's patch applies to, verdicts of the resulting
repository, findings the change introduces, and a report.html with greenfield and feature runs apart."""

from __future__ import annotations

import csv
import json
import re
import shutil
from functools import partial
from pathlib import Path

import pytest
from feature_tasks import feature_pair
from test_audit import headless_dom
from test_audit_tree import FIXTURES, put_run, task_dir

from archlint.adapters.run_store import FoundRun
from archlint.application.audit import REPORT, SUMMARY, AuditRequest, run_audit, write_outputs
from archlint.application.audit_runs import describe
from archlint.application.pipeline import Options
from archlint.application.verify import Constraints, run_verify
from archlint.reporters import audit_csv, audit_html

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _feature_run(root: Path, framework_dir: str, task: str, run: str, patch: Path) -> Path:
    directory = root / framework_dir / "mini_swe_sdk" / "gpt-5.4" / task / "2026-05-03T10-00-00" / run
    directory.mkdir(parents=True)
    target = directory / f"mini_swe_sdk-{task}.patch"
    shutil.copy(patch, target)
    return target


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feature-audit")
    results = tmp / "results"

    def skip_layer(root: Path) -> None:
        controller = root / "src/controllers/articles.js"
        controller.write_text("const repo = require('../repositories/comment.repository');\n" + controller.read_text())

    pairs = tmp / "pairs"
    (pairs / "good").mkdir(parents=True)
    (pairs / "bad").mkdir()
    base, good_patch, finished = feature_pair(pairs / "good", FIXTURES / "express-clean", "comment")
    _base2, bad_patch, bad_finished = feature_pair(pairs / "bad", FIXTURES / "express-clean", "comment", edit=skip_layer)
    checkout = tmp / "checkouts" / "express-comments"
    shutil.copytree(base, checkout)
    runs = {
        "good": _feature_run(results, "express", "hard-focused-task-001", "run_1", good_patch),
        "bad": _feature_run(results, "express", "hard-focused-task-001", "run_2", bad_patch),
        "no-base": _feature_run(results, "honojs", "hard-focused-task-004", "run_1", good_patch),
    }
    finished_run = results / "express" / "mini_swe_sdk" / "gpt-5.4" / "hard-focused-task-001" / "2026-05-03T10-00-00" / "run_3"
    shutil.copytree(bad_finished, finished_run)  # a checked-out run: compared file by file with its base
    runs["checkout"] = finished_run
    nested = finished_run.parent / "run_4"
    shutil.copytree(bad_finished, nested / "repo")  # checked out one level down, next to the run's logs
    (nested / "newman-run-report.csv").write_text("assertion,passed\n")
    runs["nested"] = nested
    runs["greenfield"] = put_run(task_dir(results, "uv-flask-openapi-clean_architecture") / "run_1", FIXTURES / "flask-clean")
    manifest = tmp / "runs.csv"
    manifest.write_text("path,framework,architecture,base\n"  # a task folder: every run under it
                        "results/express/mini_swe_sdk/gpt-5.4/hard-focused-task-001,express,clean,checkouts/express-comments\n")
    outcome = run_audit(AuditRequest([str(results)], out=str(tmp / "out"), manifest=str(manifest), jobs=2))
    write_outputs(outcome, {SUMMARY: audit_csv.render, REPORT: partial(audit_html.render, rule_names={"AL102": "skip-layer-import"})})
    rows = {name: next(row for row in outcome.rows if row["path"] == str(path)) for name, path in runs.items()}
    return tmp, rows, {"base": checkout, "finished": finished, "bad_finished": bad_finished}


def test_feature_task_names_map_to_their_framework():
    spec = describe(FoundRun("/r/honojs/openhands/qwen/hard-focused-task-002/2026-05-01/run_1/openhands-hard-focused-task-002.patch", "patch"), None)
    assert (spec.framework, spec.task, spec.mode, spec.level, spec.agent, spec.model, spec.run) == (
        "hono", "hono-hard-focused-task-002", "feature", None, "openhands", "qwen", "run_1")
    named = describe(FoundRun("/r/fastapi-hard-focused-task-010/run_2", "dir"), None)
    assert (named.framework, named.runtime, named.task, named.problem) == ("fastapi", "uv", "fastapi-hard-focused-task-010", "")
    listed = describe(FoundRun("/r/x.patch", "patch"), {"path": "/r/x.patch", "task": "flask-hard-focused-task-003", "base": "/"})
    assert (listed.framework, listed.base, listed.mode, listed.problem) == ("flask", "/", "feature", "")
    unknown = describe(FoundRun("/r/hard-focused-task-001/run_1", "dir"), None)
    assert "cannot tell its framework" in unknown.problem


def test_feature_runs_get_the_verdicts_of_the_resulting_repository(audited):
    _tmp, rows, trees = audited
    want = {v.constraint: (v.compliant, v.reason) for v in
            run_verify(str(trees["finished"]), Constraints("express", "clean"), options=Options(use_cache=False)).verdicts}
    good = rows["good"]
    assert (good["mode"], good["framework"], good["architecture"], good["base"]) == ("feature", "express", "clean", str(trees["base"]))
    assert good["error"] is None, good["error"]
    assert {v["constraint"]: (v["compliant"], v["reason"]) for v in good["verdicts"]} == want
    assert good["verdicts"][0]["was_compliant"] is not None and good["verdicts"][0]["patch"].startswith("framework: ")
    assert good["findings"]["total"] == 0 and good["change"]["introduced"] == 0 and good["change"]["files"] >= 3
    assert all(v["compliant"] and v["was_compliant"] for v in good["verdicts"])
    bad = rows["bad"]
    assert bad["findings"]["by_rule"] == {"AL102": 1} and bad["change"]["introduced"] == 1
    architecture = next(v for v in bad["verdicts"] if v["constraint"] == "architecture")
    assert (architecture["was_compliant"], architecture["compliant"]) == (True, False)
    assert architecture["patch"].startswith("architecture: no longer compliant; the patch adds src/controllers/articles.js")
    checkout = rows["checkout"]  # the same change, as a checked-out run
    assert checkout["error"] is None and checkout["findings"]["by_rule"] == {"AL102": 1}
    assert [v["compliant"] for v in checkout["verdicts"]] == [v["compliant"] for v in bad["verdicts"]]
    nested = rows["nested"]
    assert (nested["error"], nested["findings"]["by_rule"], nested["change"]) == (None, {"AL102": 1}, checkout["change"])
    assert "`base` column" in rows["no-base"]["error"] and rows["no-base"]["framework"] == "hono"
    assert rows["greenfield"]["mode"] == "greenfield" and rows["greenfield"]["level"] == 1


def test_report_separates_greenfield_and_feature_runs(audited):
    tmp, rows, _trees = audited
    page = (tmp / "out" / REPORT).read_text()
    greenfield, feature = page.index('id="greenfield"'), page.index('id="feature"')
    assert greenfield < page.index('id="chart-by-level"') < feature < page.index('id="chart-feature-by-framework"')
    assert 'id="verdict-changes"' in page and 'id="chart-feature-rules"' in page
    feature_failures = page.split('<table id="feature-failures">', 1)[1].split("</table>", 1)[0]
    assert feature_failures.count("<tr><td>") == 3  # run_2 (the patch), run_3 and run_4 (checkouts)
    assert "architecture: no longer compliant; the patch adds" in feature_failures
    greenfield_failures = page.split('<table id="failures">', 1)[1].split("</table>", 1)[0]
    assert "hard-focused-task" not in greenfield_failures
    changes = page.split('<table id="verdict-changes">', 1)[1].split("</table>", 1)[0]
    assert "<tr><td>architecture</td>" in changes
    with open(tmp / "out" / SUMMARY, newline="") as handle:
        table = {row["path"]: row for row in csv.DictReader(handle)}
    good = table[rows["good"]["path"]]
    assert (good["mode"], good["base"], good["level"]) == ("feature", rows["good"]["base"], "")
    json.dumps(rows)  # rows stay plain JSON


def test_a_manifest_row_names_a_base_that_is_missing(tmp_path):
    (tmp_path / "pair").mkdir()
    _base, patch, _finished = feature_pair(tmp_path / "pair", FIXTURES / "flask-clean", "comment")
    run = _feature_run(tmp_path / "results", "flask", "hard-focused-task-002", "run_1", patch)
    manifest = tmp_path / "runs.csv"
    manifest.write_text(f"path,task,base\n{run.relative_to(tmp_path)},flask-hard-focused-task-002,nowhere\n")
    outcome = run_audit(AuditRequest([str(tmp_path / "results")], out=str(tmp_path / "out"), manifest=str(manifest), jobs=1))
    assert "the base checkout does not exist" in outcome.rows[0]["error"]


def test_the_two_part_report_renders_in_headless_chromium(audited, tmp_path):
    out, _rows, _trees = audited
    dom = headless_dom(out / "out" / REPORT, tmp_path)
    assert len(re.findall(r'<svg class="chart"', dom)) == 6  # 4 greenfield charts, 2 feature charts
