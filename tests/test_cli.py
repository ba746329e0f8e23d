"""The CLI contract: JSON shape, exit codes, text output, errors on stderr, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from helpers import cli_in_process, make_repo

import archlint
from archlint.adapters.knowledge import load_registry
from archlint.reporters.rules_reporter import README_BEGIN, README_END, render_markdown

REPO_ROOT = Path(__file__).resolve().parent.parent

# output-contract.md, as a schema: every field, its type, and nothing missing.
FINDING_SCHEMA = {
    "type": "object",
    "required": ["rule", "name", "category", "severity", "path", "line", "column", "end_line", "end_column", "message", "guidance"],
    "additionalProperties": False,
    "properties": {
        "rule": {"type": "string", "pattern": "^AL[0-9]{3}$"},
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "category": {"enum": ["layering", "db-access", "orm", "sql", "injection", "performance", "stack", "framework", "parse"]},
        "severity": {"enum": ["error", "warning", "info"]},
        "path": {"type": "string", "pattern": "^[^/\\\\].*"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
        "end_line": {"type": "integer", "minimum": 1},
        "end_column": {"type": "integer", "minimum": 1},
        "message": {"type": "string", "minLength": 10},
        "guidance": {"type": "string", "minLength": 10},
    },
}
REPORT_SCHEMA = {
    "type": "object",
    "required": ["schema", "archlint", "root", "findings", "stats"],
    "properties": {
        "schema": {"const": 1},
        "archlint": {"type": "string"},
        "root": {"type": "string"},
        "findings": {"type": "array", "items": FINDING_SCHEMA},
        "stats": {
            "type": "object",
            "required": ["files", "parsed", "skipped", "seconds"],
            "properties": {k: {"type": "number", "minimum": 0} for k in ("files", "parsed", "skipped", "seconds")},
        },
    },
}

VIOLATING = {
    "requirements.txt": "flask\n",
    "app/main.py": "from app.routes import users\n",
    "app/routes/users.py": "import sqlite3\nfrom app.repositories.users import UserRepository\n",
    "app/services/users.py": "from app.repositories.users import UserRepository\n",
    "app/repositories/users.py": "class UserRepository: pass\n",
    "app/models/user.py": "class User: pass\n",
    "app/broken.py": "def f(:\n    pass\n",
}


# runs from the repository root write their cache here, not into it: a directory of the session's scratch
# directory (tests/conftest.py), removed at the end of the run
_SHARED_CACHE = os.environ["ARCHLINT_TEST_SHARED_CACHE"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", ARCHLINT_CACHE_DIR=str(Path(cwd).resolve() / ".cache-test") if cwd else _SHARED_CACHE)
    return subprocess.run(
        [sys.executable, "-m", "archlint", *args], capture_output=True, text=True, cwd=cwd or REPO_ROOT, env=env
    )


def listing(*args: str) -> str:
    """What ``archlint ARGS`` prints, through the CLI's command in this process: for the listings
    (rules, explain) whose text is the point; run_cli keeps a real process for exit codes and streams."""
    result = cli_in_process(*args, cwd=REPO_ROOT, env={"NO_COLOR": "1", "ARCHLINT_CACHE_DIR": _SHARED_CACHE})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_json_report_matches_the_contract_and_exit_code_is_1(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    result = run_cli("check", str(repo), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, REPORT_SCHEMA)
    assert data["root"] == str(repo)
    assert [(f["rule"], f["path"], f["line"]) for f in data["findings"]] == [
        ("AL001", "app/broken.py", 1),
        ("AL103", "app/routes/users.py", 1),
        ("AL102", "app/routes/users.py", 2),
    ]
    assert list(data["findings"][0]) == list(FINDING_SCHEMA["required"])  # field order as in the contract
    assert data["stats"]["files"] == 6 and data["stats"]["parsed"] == 6 and data["stats"]["skipped"] == 0


def test_output_is_deterministic_across_runs_and_cache_states(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    outputs = []
    for extra in (["--no-cache"], [], [], ["--jobs", "1"]):
        data = json.loads(run_cli("check", str(repo), "--format", "json", *extra, cwd=tmp_path).stdout)
        outputs.append(data["findings"])
    assert all(output == outputs[0] for output in outputs)


def test_exit_0_when_nothing_reaches_the_failing_severity(tmp_path):
    repo = make_repo(tmp_path / "repo", {**VIOLATING, "app/broken.py": "x = 1\n"})
    assert run_cli("check", str(repo), "--ignore", "AL102,AL103", cwd=tmp_path).returncode == 0
    assert run_cli("check", str(repo), "--select", "layering", "--fail-on", "error", cwd=tmp_path).returncode == 1


def test_text_output_groups_by_file_with_code_frame_and_fix(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    result = run_cli("check", str(repo), cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert "app/routes/users.py" in lines
    assert any(line.strip().startswith("2 | from app.repositories.users import UserRepository") for line in lines)
    assert any("fix:" in line for line in lines)
    assert "\033[" not in result.stdout  # no colour when not a terminal
    assert lines[-1].startswith("3 errors in 6 files (0 skipped)")


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "does/not/exist"], "path does not exist"),
        (["check", ".", "--select", "AL999"], "unknown rule or category 'AL999'"),
        (["check", ".", "--config", "missing.toml"], "config file not found"),
        (["explain", "AL999"], "unknown rule"),
    ],
)
def test_usage_errors_are_one_line_on_stderr_and_exit_2(tmp_path, args, message):
    make_repo(tmp_path, {"a.py": "x = 1\n"})
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


@pytest.mark.parametrize(
    "config, message",
    [
        ("[tool.archlint]\nlayerz = []\n", "unknown config key 'layerz'"),
        ("[tool.archlint]\nfail_on = 'fatal'\n", "fail_on must be one of"),
        ("[tool.archlint]\n[[tool.archlint.layers]]\nname = 'a'\nmay_import = ['b']\n", "unknown layer 'b'"),
        ("[tool.archlint\n", "invalid TOML"),
        ("[tool.archlint]\npreset = 'onion-ring'\n", "unknown preset 'onion-ring'"),
        ("[tool.archlint]\n[tool.archlint.severity]\nAL555 = 'error'\n", "unknown rule 'AL555'"),
    ],
)
def test_bad_config_is_exit_2(tmp_path, config, message):
    make_repo(tmp_path, {"pyproject.toml": config, "a.py": "x = 1\n"})
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_output_file_and_python_api_give_the_same_data(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    out = tmp_path / "report.json"
    run_cli("check", str(repo), "--format", "json", "--output", str(out), cwd=tmp_path)
    from_cli = json.loads(out.read_text())
    from_api = archlint.check(str(repo))
    assert from_api["findings"] == from_cli["findings"]
    assert from_api["root"] == from_cli["root"]


def test_rules_and_explain_come_from_the_registry():
    registry = load_registry()
    rules = run_cli("rules").stdout.splitlines()
    assert len(rules) == len(list(registry))
    assert rules[0].startswith("AL001  syntax-error")
    explained = listing("explain", "skip-layer-import")
    for heading in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## How to fix"):
        assert heading in explained
    as_json = json.loads(listing("rules", "--format", "json"))
    assert {r["id"] for r in as_json} == {spec.id for spec in registry}


def test_readme_rule_table_is_generated_from_the_registry():
    readme = (REPO_ROOT / "README.md").read_text()
    start, end = readme.index(README_BEGIN), readme.index(README_END) + len(README_END)
    assert readme[start:end] + "\n" == render_markdown(load_registry()), "run: archlint rules --format markdown"


def test_every_rule_documents_why_and_how_to_fix():
    for spec in load_registry():
        assert spec.what and spec.why and spec.example and spec.use_instead and spec.guidance, spec.id


def test_archlint_passes_its_own_layers_contract(early_self_check):
    command = ("check", "archlint", "--format", "json", "--no-cache")
    if early_self_check is not None:  # the same command, started after collection (tests/conftest.py)
        assert early_self_check.args == [sys.executable, "-m", "archlint", *command]
    result = early_self_check or run_cli(*command)
    data = json.loads(result.stdout)
    assert data["findings"] == [], data["findings"]
    assert result.returncode == 0


def test_every_heuristic_rule_states_its_measured_precision():
    for spec in load_registry():
        if spec.heuristic:
            assert "bench/precision.py" in spec.precision, spec.id
            assert "## Measured precision" in listing("explain", spec.id)


def test_every_declared_dependency_is_imported_by_archlint():
    """A dependency no code imports is a defect: every user installs it for nothing."""
    import ast
    import re

    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover
        import tomli as tomllib

    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    imported = set()
    for path in (REPO_ROOT / "archlint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    aliases = {"pyyaml": "yaml"}
    for requirement in declared:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
        module = aliases.get(name, name.replace("-", "_"))
        assert module in imported, f"{requirement} is declared in pyproject.toml but archlint never imports {module}"
