"""Findings should not depend on the order the analyses of record run in (issue 11: a prerequisite for
analysing fewer roots).  ``program._root_order`` is the one place that order is chosen; reversing it
(module paths and each module's functions) gives the same findings, messages included, on these fixtures.

What made them differ, and what keeps them equal now:
* class fields a later analysis fills: settled after the fact (``Program._settle_fields``);
* a summary computed near the call-depth budget (its callees' writes and queries cut off) reused by a caller with
  more depth left, or one computed near the top reused past the budget: a summary records the depth its
  computation needed and one the budget cut is cached for that budget only (``Program.summary_of``);
* checks that keep the first of equal effects they meet (AL601's query per place): the analyses are listed by
  module and function, not by the order they ran in (``Program.analyses``).
Measured on open-webui's backend (12 messages differed reversed) and label-studio (3): none now."""

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
        "agent-quart-before-request-bugs", "agent-quart-g-session-bugs",
        # a helper whose commit is three calls down, reached from one handler directly (AL305: two commits) and
        # from another four calls deep (past the budget): the handler's AL305 went missing when the deep caller
        # ran first; a repository's N+1 whose statement a scope helper builds lost its model, or its finding
        "agent-fastapi-deep-audit-bugs"]


def _reversed(items):
    return list(reversed(list(items)))


def _findings(name: str) -> list:
    report = run_check([str(FIXTURES / name)], Options(use_cache=False))
    return [(f.rule, f.path, f.line, f.column, f.message) for f in report.findings]


@pytest.mark.parametrize("name", DEEP)
def test_reversing_the_root_order_keeps_every_fixture_finding(name, monkeypatch):
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    assert expected, "a fixture with findings: an empty one would prove nothing"
    forward = _findings(name)
    monkeypatch.setattr(program, "_root_order", _reversed)
    backward = _findings(name)
    assert [{"rule": r, "path": p, "line": line, "column": c} for r, p, line, c, _m in backward] == expected
    assert backward == forward  # the messages too (which writes, which queries, in which order)
