"""AL001–AL004: files that could not be (fully) analysed.  Never silent, never a crash."""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding



def check(ctx: CheckContext) -> Iterator[Finding]:
    for path in sorted(ctx.files):
        facts = ctx.files[path]
        for problem in facts.problems:
            yield ctx.registry.finding(problem.rule, path, problem.span, problem.message)
