"""CI output formats: SARIF 2.1.0 (validated against the official schema), GitHub workflow
commands (escaping as the Actions toolkit does it) and JUnit XML (parsed).

``tests/data/sarif-schema-2.1.0.json`` is the OASIS SARIF 2.1.0 schema (the final "rtm.5"
revision) as bundled in the npm package ``@microsoft/jest-sarif`` (lib/schemas/, MIT).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from helpers import make_repo
from test_cli import VIOLATING, run_cli

from archlint.adapters.knowledge import load_registry
from archlint.domain.findings import Finding
from archlint.reporters import github_reporter, junit_reporter

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
_COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def finding(**changes) -> Finding:
    base = dict(rule="AL102", name="skip-layer-import", category="layering", severity="error", path="app/routes/a.py",
                line=3, column=1, end_line=3, end_column=20, message="skip-layer import: routes imports repositories",
                guidance="Call a service instead.")
    return Finding(**{**base, **changes})


def test_sarif_validates_against_the_official_schema_and_carries_the_rule_docs(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    result = run_cli("check", ".", "--format", "sarif", cwd=repo)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "archlint" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {spec.id for spec in load_registry()}
    al102 = rules["AL102"]
    assert al102["name"] == "skip-layer-import"
    assert al102["shortDescription"]["text"] and al102["fullDescription"]["text"]
    assert al102["defaultConfiguration"]["level"] == "error"
    assert rules["AL106"]["defaultConfiguration"]["level"] == "note"
    for heading in ("## Why is this bad", "## Example", "## Use instead", "## How to fix"):
        assert heading in al102["help"]["markdown"]
    assert "Why:" in al102["help"]["text"] and "Fix:" in al102["help"]["text"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("AL001", "error"), ("AL103", "error"), ("AL102", "error")]
    location = results[2]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/routes/users.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 50}
    assert driver["rules"][results[2]["ruleIndex"]]["id"] == "AL102"
    prints = [r["partialFingerprints"]["archlint/v1"] for r in results]
    assert len(set(prints)) == 3
    results[0]["level"] = "fatal"  # the schema really is enforced
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)


def test_sarif_paths_are_relative_to_the_working_directory(tmp_path):
    make_repo(tmp_path / "repo", VIOLATING)
    log = json.loads(run_cli("check", "repo", "--format", "sarif", cwd=tmp_path).stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert uris[0] == "repo/app/broken.py"
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_sarif_with_no_findings_is_valid(tmp_path):
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    result = run_cli("check", ".", "--format", "sarif", cwd=repo)
    assert result.returncode == 0
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def unescape_property(text: str) -> str:
    return text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def parse_command(line: str) -> tuple[str, dict, str]:
    match = _COMMAND.match(line)
    assert match, line
    props = dict(part.split("=", 1) for part in match["props"].split(","))
    return match[1], {k: unescape_property(v) for k, v in props.items()}, unescape_property(match["message"])


def test_github_commands_for_a_real_run(tmp_path):
    repo = make_repo(tmp_path / "repo", VIOLATING)
    result = run_cli("check", ".", "--format", "github", cwd=repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    level, props, message = parse_command(lines[2])
    assert level == "error"
    assert props == {"file": "app/routes/users.py", "line": "2", "col": "1", "endLine": "2", "endColumn": "49",
                     "title": "AL102 skip-layer-import"}
    assert message.startswith("skip-layer import:") and "\nfix: " in message
    assert lines[2].startswith("::error file=app/routes/users.py,line=2,col=1,endLine=2,endColumn=49,title=AL102 skip-layer-import::")
    prefixed = run_cli("check", "repo", "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert parse_command(prefixed[0])[1]["file"] == "repo/app/broken.py"


def test_github_escaping_follows_the_actions_toolkit():
    weird = finding(path="app/we,ird:name%.py", message="100% wrong: a, b\r\nnext line", severity="warning")
    line = github_reporter.render([weird]).rstrip("\n")
    assert "\n" not in line and "\r" not in line
    assert "file=app/we%2Cird%3Aname%25.py," in line
    assert line.endswith("::100% wrong: a, b%0D%0Anext line%0Afix: Call a service instead.".replace("100%", "100%25"))
    level, props, message = parse_command(line)
    assert level == "warning" and props["file"] == "app/we,ird:name%.py"
    assert message == "100% wrong: a, b\r\nnext line\nfix: Call a service instead."
    notice = github_reporter.render([finding(severity="info")])
    assert notice.startswith("::notice file=")


def test_junit_is_valid_xml_with_one_testcase_per_finding(tmp_path):
    repo = make_repo(tmp_path / "repo", {**VIOLATING, "app/x.py": "import importlib\nimportlib.import_module(name)\n"})
    result = run_cli("check", ".", "--format", "junit", cwd=repo)
    assert result.returncode == 1
    suite = ET.fromstring(result.stdout)
    assert suite.tag == "testsuite" and suite.get("name") == "archlint"
    cases = suite.findall("testcase")
    assert suite.get("tests") == str(len(cases)) == "4"
    assert suite.get("failures") == "3"
    failures = [case for case in cases if case.find("failure") is not None]
    assert [case.find("failure").get("type") for case in failures] == ["AL001", "AL103", "AL102"]
    info = next(case for case in cases if case.find("failure") is None)
    assert "AL106" in info.get("name") and "info" in info.find("system-out").text
    assert "fix:" in failures[0].find("failure").text


def test_junit_escapes_markup_and_drops_characters_xml_cannot_hold():
    nasty = finding(message='<script>&"quotes"\x01\x1b[31m', path="a<b>.py")
    suite = ET.fromstring(junit_reporter.render([nasty], {"seconds": 0.5}))
    failure = suite.find("testcase/failure")
    assert failure.get("message") == '<script>&"quotes"\\x01\\x1b[31m'
    empty = ET.fromstring(junit_reporter.render([], {"seconds": 0.1}))
    assert empty.get("tests") == "1" and empty.get("failures") == "0"
