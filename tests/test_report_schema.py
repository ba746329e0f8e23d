"""The JSON report's schema ships inside the package and real output validates against it — as
SARIF is validated against the official schema in test_ci_formats.py.  The schema is the
contract other programs depend on: a field added, renamed or dropped by accident fails here."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from helpers import cli_in_process, make_repo

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
SCHEMA = json.loads(files("archlint").joinpath("schemas", "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def run_cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """The CLI's command in this process: the JSON it prints is what these tests validate (a fresh
    interpreter per report cost ~0.5 s of start-up each and tested nothing more)."""
    return cli_in_process(*args, "--no-cache", cwd=cwd, env={"NO_COLOR": "1"})


def test_the_schema_is_valid_and_printed_by_the_cli():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    printed = subprocess.run([sys.executable, "-m", "archlint", "schema"], capture_output=True, text=True)
    assert printed.returncode == 0 and json.loads(printed.stdout) == SCHEMA


@pytest.mark.parametrize("fixture", ["flask-violations", "sqlalchemy-bugs", "sql-node-postgres-bugs", "express-clean"])
def test_check_reports_validate(fixture):
    result = run_cli("check", str(FIXTURES / fixture), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    VALIDATOR.validate(report)
    assert report["findings"] or fixture.endswith("clean")


def test_verify_reports_validate_for_trees_and_patches(tmp_path):
    tree = run_cli("verify", str(FIXTURES / "verify" / "baseline-compliant"), "--task",
                   "uv-flask-openapi-clean_architecture-sqlite-sqlalchemy", "--format", "json")
    assert tree.returncode == 0, tree.stderr
    VALIDATOR.validate(json.loads(tree.stdout))
    patch = tmp_path / "change.patch"
    patch.write_text("diff --git a/app.py b/app.py\nnew file mode 100644\n--- /dev/null\n+++ b/app.py\n@@ -0,0 +2 @@\n"
                     "+from flask import Flask\n+app = Flask(__name__)\n")
    patched = run_cli("verify", "--patch", str(patch), "--framework", "flask", "--database", "sqlite", "--format", "json")
    assert patched.returncode == 1, patched.stderr
    VALIDATOR.validate(json.loads(patched.stdout))


def test_verify_with_an_openapi_spec_validates_with_its_fifth_verdict():
    fixture = FIXTURES / "contract-express-bugs"
    result = run_cli("verify", str(fixture), "--framework", "express", "--architecture", "clean", "--database", "postgresql",
                     "--orm", "sequelize", "--openapi", str(fixture / "openapi.yml"), "--format", "json")
    report = json.loads(result.stdout)
    VALIDATOR.validate(report)
    assert [c["constraint"] for c in report["constraints"]] == ["framework", "architecture", "database", "orm", "api"]


def test_hostile_and_empty_trees_still_validate(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "app/bad.py": "def f(:\n    pass\n",
        "app/esc.py": 'import sqlite3\nconn = sqlite3.connect("x.db")\nconn.execute("SELECT 1\x1b[2J")\n',
    })
    (repo / "app" / "bin.py").write_bytes(b"\x00\x01binary")
    hostile = run_cli("check", str(repo), "--format", "json")
    report = json.loads(hostile.stdout)
    VALIDATOR.validate(report)
    assert {"AL001", "AL002"} <= {f["rule"] for f in report["findings"]}
    empty = run_cli("check", str(make_repo(tmp_path / "empty", {"dist/app.py": "x = 1\n"})), "--format", "json")
    VALIDATOR.validate(json.loads(empty.stdout))


def test_the_schema_rejects_what_the_contract_forbids():
    good = json.loads(run_cli("check", str(FIXTURES / "flask-violations"), "--format", "json").stdout)
    renamed = json.loads(json.dumps(good))
    renamed["findings"][0]["col"] = renamed["findings"][0].pop("column")
    extra_stat = json.loads(json.dumps(good))
    extra_stat["stats"]["cache_hits"] = 3
    for bad in (renamed, extra_stat, {**good, "schema": 2}):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(bad)
