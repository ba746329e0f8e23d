"""Findings should not depend on the order the analyses of record run in (issue 11: a prerequisite for
analysing fewer roots).  ``program._root_order`` is the one place that order is chosen; reversing it
(module paths and each module's functions) gives the same findings on these fixtures.  Known to differ
still: summaries cached without their call depth (open-webui's backend: a request's AL305 sees one write
more or less, see the report of s41-depth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.application.pipeline import Options, run_check
from archlint.semantics import program


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# real-shaped Python apps whose findings run through helpers, services and repositories several calls deep
DEEP = ["agent-django-clean-arch-bugs", "agent-aiohttp-views-uow-bugs",
        "agent-django-drf-conduit-bugs", "agent-django-repository-kwargs-bugs",
        # a nested function reads its definer's frame: analysed after it whatever the order (AL220 in `_move`)
        "agent-fastapi-closure-check-bugs",
        # the client-input tag is in a summary's key: the repository lookup a handler's slug reaches raises AL234
        # whichever caller of it (one passing its own value) ran first
        "agent-drf-generics-layered-bugs",
        # class fields a composition root fills (a repository's `self.session` from the session a DI provider,
        # a before_request hook or the handler itself passes) are settled before the findings are read: a
        # service method analysed before that root ran is analysed again (Program._settle_fields)
        "agent-fastapi-service-bugs", "agent-fastapi-gather-session-bugs", "agent-aiohttp-request-session-bugs",
        "agent-quart-before-request-bugs", "agent-quart-g-session-bugs"]


def _reversed(items):
    return list(reversed(list(items)))


@pytest.mark.parametrize("name", DEEP)
def test_reversing_the_root_order_keeps_every_fixture_finding(name, monkeypatch):
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    assert expected, "a fixture with findings: an empty one would prove nothing"
    monkeypatch.setattr(program, "_root_order", _reversed)
    report = run_check([str(FIXTURES / name)], Options(use_cache=False))
    assert [{"rule": f.rule, "path": f.path, "line": f.line, "column": f.column} for f in report.findings] == expected

