"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, Azure DevOps, VS Code SARIF viewer).

Every rule of the registry is described in ``tool.driver.rules`` with its full documentation
(what, why, a bad and a good example, the fix) as ``help`` text and markdown, so a reviewer
sees the reasoning next to the annotation without running ``archlint explain``.  Results carry
archlint's baseline fingerprint in ``partialFingerprints``: an alert keeps its identity when
lines above it move.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from archlint.domain.findings import Finding
from archlint.domain.rules import Registry, RuleSpec

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/archlint/"
ROOT_BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = "archlint/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(
    findings: list[Finding],
    registry: Registry,
    version: str,
    root_uri: str,
    fingerprints: list[str],
    path_prefix: str = "",
    baseline_applied: bool = False,
) -> str:
    """``root_uri`` is the ``file:`` URI (ending in ``/``) that artifact paths are relative to;
    ``path_prefix`` is prepended to each finding's path to make it relative to that URI."""
    rules = list(registry)
    index = {spec.id: position for position, spec in enumerate(rules)}
    results = [
        _result(finding, index[finding.rule], fingerprint, path_prefix, baseline_applied)
        for finding, fingerprint in zip(findings, fingerprints)
    ]
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "archlint",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(spec) for spec in rules],
                    }
                },
                "originalUriBaseIds": {ROOT_BASE_ID: {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(spec: RuleSpec) -> dict:
    text = (
        f"{spec.what}\n\nWhy: {spec.why}\n\nExample:\n{spec.example}\n\nUse instead:\n{spec.use_instead}\n\n"
        f"Fix: {spec.guidance}"
    )
    markdown = (
        f"**{spec.id} {spec.name}** — {spec.summary}\n\n{spec.what}\n\n## Why is this bad\n{spec.why}\n\n"
        f"## Example\n```\n{spec.example.strip()}\n```\n\n## Use instead\n```\n{spec.use_instead.strip()}\n```\n\n"
        f"## How to fix\n{spec.guidance}"
    )
    return {
        "id": spec.id,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": spec.what},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVELS[spec.severity]},
        "properties": {"category": spec.category, "tags": ["architecture", spec.category], "heuristic": spec.heuristic},
    }


def _result(finding: Finding, rule_index: int, fingerprint: str, prefix: str, baseline_applied: bool) -> dict:
    result = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(prefix + finding.path), "uriBaseId": ROOT_BASE_ID},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": max(finding.end_line, finding.line),
                        "endColumn": _end_column(finding),
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"name": finding.name, "category": finding.category, "guidance": finding.guidance},
    }
    if baseline_applied:
        result["baselineState"] = "new"
    return result


def _end_column(finding: Finding) -> int:
    """SARIF's endColumn is exclusive, like archlint's; a one-line region may not end before it starts."""
    if finding.end_line > finding.line:
        return max(finding.end_column, 1)
    return max(finding.end_column, finding.column)
