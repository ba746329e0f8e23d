"""Performance rules: AL601 query per row of a query result (N+1), AL602 loading all rows to count.

AL601 fires only when both halves of N+1 are visible: the loop iterates over the result of a DB
access, and the query inside the loop uses the loop variable.  A loop over request data (saving each
tag of a new article) is a legitimate pattern and stays silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import DbAccess, call_of, non_production
from archlint.domain.facts import FileFacts, Loop
from archlint.domain.findings import Finding

_LEN_ALL = re.compile(r"^\s*(.*(?:scalars|execute|query|objects|filter|filter_by|select)\b.*)\.all\(\)\s*$", re.DOTALL)
_LENGTH_OF_FIND_ALL = re.compile(r"\.findAll\s*\(.*\)\s*\)?\s*\.length\s*$", re.DOTALL)


def check(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    by_scope: dict[tuple[str, str], list[DbAccess]] = {}
    for access in data.accesses:
        by_scope.setdefault((access.path, access.scope), []).append(access)
    for access in data.accesses:
        if "loop" in access.flags.split() and access.category == "query" and not non_production(access.path):
            yield from _n_plus_one(ctx, access, by_scope)
    for path in sorted(data.analysed):
        yield from _count_by_loading(ctx, ctx.files[path])


def _n_plus_one(ctx: CheckContext, access: DbAccess, by_scope: dict) -> Iterator[Finding]:
    facts = ctx.files[access.path]
    loop = _innermost_loop(facts, access)
    if loop is None or not loop.target:
        return
    variables = [v.strip() for v in re.split(r"[,()\s]+", loop.target) if v.strip()]
    call = call_of(facts, access)
    if call is None or not any(re.search(rf"\b{re.escape(v)}\b", call.args_text + call.callee) for v in variables):
        return
    if not _from_query(facts, loop, by_scope.get((access.path, loop.scope), [])):
        return
    message = (
        f"N+1 queries: `{access.callee}(…)` runs once per row of `{loop.iterable}`, a query result; "
        f"a list endpoint with 100 rows sends 101 queries and its latency grows with the data"
    )
    guidance = (
        "Load the related rows with the first query: selectinload/joinedload (SQLAlchemy), select_related/"
        "prefetch_related (Django), `include` (Sequelize/Prisma), or one `WHERE id IN (…)` query keyed by id."
    )
    yield ctx.registry.finding("AL601", access.path, access.span, message, guidance)


def _innermost_loop(facts: FileFacts, access: DbAccess) -> Loop | None:
    position = (access.span.line, access.span.column)
    containing = [
        loop for loop in facts.loops
        if (loop.span.line, loop.span.column) <= position <= (loop.span.end_line, loop.span.end_column)
    ]
    return max(containing, key=lambda loop: (loop.span.line, loop.span.column)) if containing else None


def _from_query(facts: FileFacts, loop: Loop, scope_accesses: list[DbAccess]) -> bool:
    """The loop iterates a DB result: directly, or through a name assigned from one."""
    callees = {a.callee for a in scope_accesses}
    if any(callee and callee in loop.iterable for callee in callees):
        return True
    name = loop.iterable.strip()
    for assign in facts.assigns:
        if assign.scope == loop.scope and name in _names(assign.target):
            if any(callee in assign.value for callee in callees if callee):
                return True
    return False


def _names(target: str) -> list[str]:
    return [part.strip().split(":")[0] for part in target.strip("{}()[] ").split(",")]


def _count_by_loading(ctx: CheckContext, facts: FileFacts) -> Iterator[Finding]:
    if facts.language == "python":
        for call in facts.calls:
            if call.callee == "len" and _LEN_ALL.match(call.args_text):
                message = "`len(….all())` loads every row into memory only to count them; on a large table the endpoint slows down and can run out of memory"
                guidance = "Count in the database: select(func.count()).select_from(Model) / query.count() / Model.objects.count()."
                yield ctx.registry.finding("AL602", facts.path, call.span, message, guidance)
        return
    for assign in facts.assigns:
        if _LENGTH_OF_FIND_ALL.search(assign.value):
            message = "`findAll(…).length` loads every row to count them; the endpoint slows down as the table grows"
            yield ctx.registry.finding("AL602", facts.path, assign.span, message, "Use `Model.count({ where })` (or findAndCountAll for a page plus the total).")
