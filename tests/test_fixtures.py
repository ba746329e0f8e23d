"""Every bundled fixture repo gives exactly its expected findings.

`fixtures/<name>/expected.json` lists (rule, path, line, column) for every finding; each violation
fixture's EXPECTED.md explains why each one is there, and each *-clean / *-correct fixture holds the
look-alike idioms that must stay silent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.application.pipeline import Options, run_check

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").is_file())


def test_every_fixture_has_expectations():
    assert len(NAMES) >= 20
    for name in ("flask", "fastapi", "django", "aiohttp", "express", "fastify", "hono", "koa"):
        assert f"{name}-clean" in NAMES and f"{name}-violations" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_fixture_findings_are_exactly_the_expected_ones(name):
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    report = run_check([str(FIXTURES / name)], Options(use_cache=False))
    got = [{"rule": f.rule, "path": f.path, "line": f.line, "column": f.column} for f in report.findings]
    assert got == expected
    if name.endswith(("-clean", "-correct")):
        assert got == [], "clean fixtures hold the correct idioms and must stay silent"
    for finding in report.findings:
        assert finding.guidance and finding.message
