"""Sequelize rules: AL211 promise never awaited, AL212 string operator aliases, AL213 destroy /
update without a where, AL214 include of a model with no association, AL216 sync({ force|alter })
outside tests, AL217 findAndCountAll/count with include but no ``distinct: true``.  (AL215, a query
inside a managed transaction without ``{ transaction: t }``, reads the semantic model:
:mod:`archlint.checks.transactions`.)

Each reads the Sequelize access sites of the data layer and the shape of their option objects;
runtime behaviour in the messages was verified against Sequelize 6.37 by generating the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import DbAccess, Model, call_of, non_production
from archlint.domain.facts import CallSite, FileFacts, Span
from archlint.domain.findings import Finding
from archlint.domain.jsobject import JsArray, JsObject, arguments

_STRING_OPERATOR = re.compile(
    r"""[{,]\s*['"]?\$(gt|gte|lt|lte|ne|eq|in|notIn|like|notLike|iLike|notILike|or|and|not|between|notBetween|"""
    r"""contains|contained|overlap|startsWith|endsWith|substring|is|regexp)['"]?\s*:"""
)
_FINDERS = frozenset({"findAll", "findOne", "findAndCountAll", "count", "findByPk", "findOrCreate"})
_INSTANCE_WRITES = frozenset({"save", "destroy", "update", "reload", "increment", "decrement", "restore", "set", "validate"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    accesses = [a for a in data.accesses if a.stack == "sequelize"]
    if not accesses:
        return
    unattributed_associations = _has_unattributed_associations(ctx)
    for access in accesses:
        facts = ctx.files[access.path]
        call = _call(facts, access.span, access.callee)
        if call is None:
            continue
        yield from _not_awaited(ctx, access)
        yield from _string_operators(ctx, access, call)
        yield from _unbounded_write(ctx, access, call)
        if not unattributed_associations:
            yield from _include_without_association(ctx, access, call, data.models)
        yield from _sync_force(ctx, access, call)
        yield from _count_with_include(ctx, access, call)
    yield from _instance_not_awaited(ctx, data.models)


def _call(facts: FileFacts, span: Span, callee: str) -> CallSite | None:
    return call_of(facts, _Site(span, callee))


class _Site(NamedTuple):
    span: Span
    callee: str


def _options(call: CallSite, index: int) -> JsObject | None:
    parsed = arguments(call.args_text)
    return parsed[index] if len(parsed) > index and isinstance(parsed[index], JsObject) else None


# AL211 -------------------------------------------------------------------------------------------
def _not_awaited(ctx: CheckContext, access: DbAccess) -> Iterator[Finding]:
    flags = access.flags.split()
    if "stmt" not in flags or "await" in flags or access.method in ("define", "init"):
        return
    if access.kind == "row":
        return  # instance methods (article.save()) are AL211's instance half, below
    if not access.scope and access.category in ("schema", "connect"):
        return  # start-up at module level (`sequelize.sync()` before listen) runs no request
    message = (
        f"`{access.callee}(…)` returns a promise that is never awaited: the handler continues (and responds) before "
        f"the query runs, its errors become unhandled rejections, and the next read may not see the write"
    )
    guidance = f"`await {access.callee}(…)` (or return the promise) inside an async function."
    yield ctx.registry.finding("AL211", access.path, access.span, message, guidance)


def _instance_not_awaited(ctx: CheckContext, models: dict[str, Model]) -> Iterator[Finding]:
    """``article.save()`` where ``article`` came from ``await Article.findOne(...)``."""
    model_names = {name for name, model in models.items() if model.stack == "sequelize"}
    for path in sorted(ctx.datalayer.analysed):
        facts = ctx.files[path]
        if facts.language == "python":
            continue
        instances = {
            (assign.scope, assign.target)
            for assign in facts.assigns
            if assign.callee.split(".")[0] in model_names and assign.callee.rsplit(".", 1)[-1] in _FINDERS | {"create", "build"}
        }
        for call in facts.calls:
            parts = call.callee.split(".")
            if len(parts) != 2 or parts[1] not in _INSTANCE_WRITES or (call.scope, parts[0]) not in instances:
                continue
            if call.has("stmt") and not call.has("await"):
                message = (
                    f"`{call.callee}()` on a Sequelize instance is never awaited: the change may not be stored when the "
                    f"response is sent, and a failure becomes an unhandled rejection"
                )
                yield ctx.registry.finding("AL211", path, call.span, message, f"`await {call.callee}()`.")


# AL212 -------------------------------------------------------------------------------------------
def _string_operators(ctx: CheckContext, access: DbAccess, call: CallSite) -> Iterator[Finding]:
    match = _STRING_OPERATOR.search(call.args_text)
    if match is None:
        return
    operator = match.group(1)
    message = (
        f"string operator alias `${operator}` in a Sequelize query: v5+ no longer accepts string aliases, so the "
        f"operator object is compared as a value (`WHERE \"col\" = '[object Object]'`) — no error, wrong rows"
    )
    guidance = f"Use the symbol operator: `const {{ Op }} = require('sequelize')` and `{{ [Op.{operator}]: value }}`."
    yield ctx.registry.finding("AL212", access.path, access.span, message, guidance)


# AL213 -------------------------------------------------------------------------------------------
def _unbounded_write(ctx: CheckContext, access: DbAccess, call: CallSite) -> Iterator[Finding]:
    if access.kind != "model" or access.method not in ("destroy", "update"):
        return
    index = 0 if access.method == "destroy" else 1
    parsed = arguments(call.args_text)
    if len(parsed) <= index:
        if access.method == "destroy":
            message = "`destroy()` with no options on a model throws \"Missing where or truncate attribute\" — the delete endpoint returns 500"
        else:
            message = "`update(values)` with no options throws \"Missing where attribute in the options parameter\" — the update endpoint returns 500"
        yield ctx.registry.finding("AL213", access.path, access.span, message, "Pass `{ where: { id } }` naming the rows to change.")
        return
    options = parsed[index]
    if not isinstance(options, JsObject) or options.spread:
        return
    where = options.get("where")
    if where is None and "truncate" not in options.entries:
        message = f"`{access.method}` options have no `where`: Sequelize throws \"Missing where attribute\" at runtime"
        yield ctx.registry.finding("AL213", access.path, access.span, message, "Add `where: { … }` naming the rows to change.")
    elif isinstance(where, JsObject) and not where.entries and not where.spread:
        verb = "DELETE FROM" if access.method == "destroy" else "UPDATE"
        message = f"`{access.method}` with `where: {{}}` runs `{verb} \"table\"` with no condition: every row is affected"
        yield ctx.registry.finding("AL213", access.path, access.span, message, "Put the real condition in `where`, or use `truncate: true` if clearing the table is intended.")


# AL214 -------------------------------------------------------------------------------------------
def _include_without_association(ctx, access: DbAccess, call: CallSite, models: dict[str, Model]) -> Iterator[Finding]:
    if access.kind != "model" or access.method not in _FINDERS:
        return
    base = models.get(access.callee.rsplit(".", 1)[0].split(".")[-1])
    options = _options(call, 1 if access.method == "findByPk" else 0)
    if base is None or options is None:
        return
    include = options.get("include")
    items = include.items if isinstance(include, JsArray) else [include] if include is not None else []
    associations = [f for f in base.fields.values() if f.kind == "association"]
    if not associations:
        return
    for item in items:
        target, alias = _include_target(item)
        if target is None or target not in models:
            continue
        matching = [a for a in associations if a.target == target]
        if not matching:
            message = (
                f"`include: {target}` on `{base.name}`, but {base.name} has no association with {target}: Sequelize throws "
                f"SequelizeEagerLoadingError (\"{target} is not associated to {base.name}!\")"
            )
            guidance = f"Declare `{base.name}.hasMany/hasOne/belongsTo/belongsToMany({target}, …)` or include a model that is associated."
            yield ctx.registry.finding("AL214", access.path, access.span, message, guidance)
        elif alias and not any(a.options.get("as") == alias for a in matching):
            declared = ", ".join(sorted({repr(a.options.get("as")) for a in matching if a.options.get("as")})) or "no alias"
            message = (
                f"`include` of {target} as '{alias}', but {base.name}'s association with {target} is declared with {declared}: "
                f"Sequelize throws SequelizeEagerLoadingError"
            )
            guidance = f"Use the alias the association declares, or add `as: '{alias}'` to the association."
            yield ctx.registry.finding("AL214", access.path, access.span, message, guidance)


def _include_target(item) -> tuple[str | None, str]:
    if isinstance(item, str):
        return (item.split(".")[-1] if re.fullmatch(r"[\w.]+", item) else None), ""
    if isinstance(item, JsObject) and isinstance(item.get("model"), str):
        alias = item.get("as")
        return item.get("model").split(".")[-1], alias.strip("'\"`") if isinstance(alias, str) else ""
    return None, ""


def _has_unattributed_associations(ctx: CheckContext) -> bool:
    """``this.hasMany(models.X)`` inside ``static associate`` cannot be attributed: stay silent."""
    models = ctx.datalayer.models
    for path in ctx.datalayer.analysed:
        for call in ctx.files[path].calls:
            parts = call.callee.split(".")
            if len(parts) >= 2 and parts[-1] in ("hasMany", "hasOne", "belongsTo", "belongsToMany") and parts[-2] not in models:
                return True
    return False


# AL216 -------------------------------------------------------------------------------------------
def _sync_force(ctx: CheckContext, access: DbAccess, call: CallSite) -> Iterator[Finding]:
    if access.method != "sync" or non_production(access.path):
        return
    options = _options(call, 0)
    if options is None:
        return
    for flag, consequence in (("force", "drops and recreates every table on each start: all data is lost on every restart"),
                              ("alter", "alters tables to match the models on each start: columns can be dropped or data truncated")):
        if options.get(flag) == "true":
            message = f"`sync({{ {flag}: true }})` in application code {consequence}"
            guidance = "Use plain `sync()` to create missing tables (or migrations with sequelize-cli / umzug); keep force/alter to tests."
            yield ctx.registry.finding("AL216", access.path, access.span, message, guidance)


# AL217 -------------------------------------------------------------------------------------------
def _count_with_include(ctx: CheckContext, access: DbAccess, call: CallSite) -> Iterator[Finding]:
    if access.method not in ("findAndCountAll", "count"):
        return
    options = _options(call, 0)
    if options is None or options.get("include") is None or options.get("distinct") == "true":
        return
    message = (
        f"`{access.method}` with `include` but without `distinct: true` counts joined rows, not {access.callee.split('.')[0]} rows: "
        f"an article with three comments counts three times, so `articlesCount` and pagination are wrong"
    )
    yield ctx.registry.finding("AL217", access.path, access.span, message, "Add `distinct: true` (and `col: 'id'` if needed) to the options.")
