"""SQLAlchemy relationship-loading rules: AL208 joined eager load of a collection read without
``.unique()``, AL209 lazy relationship read on an AsyncSession result (MissingGreenlet), AL218 lazy
relationship read after the ``with`` block that owned the session closed it (DetachedInstanceError),
AL603 lazy relationship read per row of a query result (N+1).

All three follow one query from its statement (``select(Model).options(...)``, possibly through a
``stmt`` variable) to where its rows are used, within one function.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import DbAccess, Model, call_of
from archlint.domain.facts import Assign, FileFacts
from archlint.domain.findings import Finding

_SELECTED_MODEL = re.compile(r"\b(?:select|query)\(\s*([A-Z]\w*)\b")
_EAGER = re.compile(r"\b(selectinload|joinedload|subqueryload|immediateload|contains_eager)\(\s*([A-Z]\w*)\.(\w+)")
_EAGER_ALL = re.compile(r"\b(selectinload|joinedload|subqueryload|immediateload)\(\s*['\"]\*['\"]")
_EAGER_BY_DEFAULT = frozenset({"selectin", "joined", "subquery", "immediate", "raise", "raise_on_sql", "noload", "write_only", "dynamic"})
_ROW_METHODS = frozenset({"execute", "scalars", "scalar", "get", "query", "stream", "stream_scalars"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    models = {name: m for name, m in data.models.items() if m.stack == "sqlalchemy"}
    if not models:
        return
    by_scope: dict[tuple[str, str], list[DbAccess]] = {}
    for access in data.accesses:
        if access.stack == "sqlalchemy" and access.scope and access.method in _ROW_METHODS:
            by_scope.setdefault((access.path, access.scope), []).append(access)
    for (path, scope), accesses in sorted(by_scope.items()):
        facts = ctx.files[path]
        function = next((f for f in facts.functions if f.qualname == scope), None)
        if function is None:
            continue
        assigns = [a for a in facts.assigns if a.scope == scope]
        yield from _joined_without_unique(ctx, facts, scope, accesses, assigns, models)
        yield from _lazy_reads(ctx, facts, scope, function.is_async, accesses, assigns, models)


def _statement_text(text: str, assigns: list[Assign], line: int) -> str:
    """The query text with `stmt`-style variables replaced by what they were assigned (once)."""
    expanded = text
    for assign in sorted(assigns, key=lambda a: a.span.line):
        if assign.span.line < line and re.search(rf"\b{re.escape(assign.target)}\b", text):
            expanded += " " + assign.value
    return expanded


# AL208 ---------------------------------------------------------------------------------------------
def _joined_without_unique(ctx, facts: FileFacts, scope: str, accesses, assigns, models) -> Iterator[Finding]:
    if any(".unique" in call.callee for call in facts.calls if call.scope == scope):
        return
    for access in accesses:
        call = call_of(facts, access)
        if call is None:
            continue
        text = _statement_text(call.args_text, assigns, access.span.line)
        for loader, model_name, relation in _EAGER.findall(text):
            model = models.get(model_name)
            field = model.fields.get(relation) if model is not None else None
            if loader != "joinedload" or field is None or field.options.get("collection") not in ("true", "guess"):
                continue
            message = (
                f"`joinedload({model_name}.{relation})` eager-loads a collection, and the rows are read with "
                f"`{access.callee}(…)` without `.unique()`: SQLAlchemy raises InvalidRequestError (\"The unique() method "
                f"must be invoked on this Result\") — the endpoint returns 500"
            )
            guidance = "Call `.unique()` on the result before scalars()/scalar_one…(), or use selectinload() for collections."
            yield ctx.registry.finding("AL208", facts.path, access.span, message, guidance)
            return


# AL209 / AL603 ---------------------------------------------------------------------------------------
def _lazy_reads(ctx, facts: FileFacts, scope: str, is_async: bool, accesses, assigns, models) -> Iterator[Finding]:
    access_callees = {a.callee for a in accesses}
    reported: set[tuple[str, str]] = set()
    for assign in assigns:
        if not any(callee in assign.value for callee in access_callees):
            continue
        text = _statement_text(assign.value, assigns, assign.span.line)
        selected = _SELECTED_MODEL.search(text)
        model = models.get(selected.group(1)) if selected else None
        if model is None or _EAGER_ALL.search(text):
            continue
        eager = {relation for _loader, owner, relation in _EAGER.findall(text) if owner == model.name}
        lazy = {
            name for name, f in model.fields.items()
            if f.kind == "relationship" and name not in eager and f.options.get("lazy", "select") not in _EAGER_BY_DEFAULT
        }
        if not lazy:
            continue
        names = {assign.target.split(":")[0].strip()}
        rows = names | {loop.target for loop in facts.loops if loop.scope == scope and loop.iterable.strip() in names}
        loops = {loop.target: loop for loop in facts.loops if loop.scope == scope and loop.iterable.strip() in names}
        closed_at = _session_block_end(facts, scope, assign, access_callees)
        for read in facts.reads:
            if read.scope != scope or read.base not in rows or read.span.line <= assign.span.line:
                continue
            relation = read.chain.split(".")[0]
            if relation not in lazy or (read.base, relation) in reported:
                continue
            reported.add((read.base, relation))
            if closed_at is not None and read.span.line > closed_at and not is_async:
                yield _detached_finding(ctx, facts, read, model, relation, closed_at)
            elif is_async or read.base in loops:  # one lazy load of one object is fine in sync code
                yield _lazy_finding(ctx, facts, read, model, relation, is_async, loops.get(read.base))


def _session_block_end(facts: FileFacts, scope: str, assign: Assign, access_callees: set[str]) -> int | None:
    """Last line of the ``with … as session:`` body the rows were loaded in, if any."""
    for block in facts.blocks:
        if block.scope != scope or not (block.span.line <= assign.span.line <= block.span.end_line):
            continue
        if any(callee.split(".")[0] == block.target and callee in assign.value for callee in access_callees):
            return block.span.end_line
    return None


def _detached_finding(ctx, facts, read, model: Model, relation: str, closed_at: int) -> Finding:
    message = (
        f"`{read.base}.{relation}` lazy-loads {model.name}.{relation} after the session was closed (its `with` block ends "
        f"at line {closed_at}): SQLAlchemy raises DetachedInstanceError (\"Parent instance is not bound to a Session\")"
    )
    guidance = (
        f"Eager-load it while the session is open (`.options(selectinload({model.name}.{relation}))`), read it inside the "
        f"`with` block, or return plain data (a schema/dict) instead of ORM objects."
    )
    return ctx.registry.finding("AL218", facts.path, read.span, message, guidance)


def _lazy_finding(ctx, facts, read, model: Model, relation: str, is_async: bool, loop) -> Finding:
    if is_async:
        message = (
            f"`{read.base}.{relation}` lazy-loads a relationship of {model.name} inside async code: the load needs "
            f"I/O that AsyncSession cannot do implicitly, so it raises MissingGreenlet (sqlalchemy.exc) — a 500"
        )
        guidance = f"Eager-load it in the query: `.options(selectinload({model.name}.{relation}))`, or `await {read.base}.awaitable_attrs.{relation}`."
        return ctx.registry.finding("AL209", facts.path, read.span, message, guidance)
    message = (
        f"`{read.base}.{relation}` lazy-loads {model.name}.{relation} once per row of `{loop.iterable}`: each access is a "
        f"separate query (N+1)"
    )
    guidance = f"Add `.options(selectinload({model.name}.{relation}))` (or joinedload for many-to-one) to the query."
    return ctx.registry.finding("AL603", facts.path, read.span, message, guidance)
