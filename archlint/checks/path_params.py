"""framework rule AL815: a string path parameter (a slug, a username) used as a numeric id.

Which parameters are strings: those the API contract types ``string`` (matched to the route's own
names by position: ``/articles/{slug}`` ↔ ``/articles/:articleSlug``); without a contract,
parameters named ``slug`` or ``username``, whose values are never numbers.  What makes it a
numeric id:

* the route's converter — ``<int:slug>`` (Flask, Django), ``{slug:int}`` (FastAPI/Starlette),
  ``{slug:\\d+}`` (aiohttp), ``:slug(\\d+)`` (Express/Koa): every real slug is a 404;
* a FastAPI handler annotating it ``int``: every call is a 422;
* code that converts or looks it up as a number, in the handler or in the project functions it
  hands the value to (three calls deep): ``int(slug)``, ``Number(slug)``/``parseInt``/``+slug``,
  Sequelize ``findByPk(slug)`` or ``where: { id: slug }``, SQLAlchemy ``session.get(Article, slug)``
  / ``Article.query.get(slug)``, Django ``.get(pk=slug)`` / ``get_object_or_404(Article, id=slug)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import production
from archlint.domain.findings import Finding
from archlint.domain.ir_format import render
from archlint.semantics import values as v
from archlint.semantics import web
from archlint.semantics.api_contract import api_routes, contract_for, coverage
from archlint.semantics.records import argument_for

_STRING_NAMES = ("slug", "username")
_NUMERIC_CONVERTERS = ("int", "float", "number", "integer", r"\d+", "[0-9]+", r"\d*", "uuid")
_NUMERIC_CALLS = frozenset({"builtins.int", "builtins.float", "global:Number", "global:parseInt", "global:parseFloat", "global:BigInt"})
_ID_KEYS = ("pk", "id")
_LOOKUPS = frozenset({"findOne", "findAll", "findOrCreate", "update", "destroy", "count", "findAndCountAll", "filter", "get",
                      "exclude", "get_object_or_404", "where", "filter_by"})
_MAX_DEPTH = 3


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    contract = contract_for(program, ctx.api_spec, production)
    typed = _contract_types(program, contract) if contract is not None else {}
    reported: set = set()
    for route in api_routes(program, production):
        strings = typed.get((route.file, route.span, route.path))
        segments = web.segments(route.path)
        if strings is None:
            strings = {s.param: "" for s in segments if s.param in _STRING_NAMES}
        for segment in segments:
            if not segment.param or segment.param not in strings:
                continue
            where = strings[segment.param] or (f"`{segment.param}` names a string" if not contract else "")
            finding = _converter(ctx, route, segment, where) or _annotation(ctx, program, route, segment, where)
            if finding is not None and not strings[segment.param] and any(
                    _numeric_use(program, function, segment.param, route.framework, 0, set()) is not None
                    for function in _handlers(route)):
                # only the name says "string", and both the route and the code say number: django-notifications'
                # `<int:slug>` is `id2slug(notification.id)`, read back by `slug2id(slug)` (`long(slug) - 110909`)
                continue
            if finding is not None:
                if (finding.path, finding.line) not in reported:
                    reported.add((finding.path, finding.line))
                    yield finding
                continue
            for function in _handlers(route):
                use = _numeric_use(program, function, segment.param, route.framework, 0, set())
                if use is None:
                    continue
                path, node, how = use
                if (path, node.span.line) in reported:
                    continue
                reported.add((path, node.span.line))
                yield _use_finding(ctx, route, segment, path, node, how, where)


def _contract_types(program, contract) -> dict:
    """(route file, span, path) -> {route parameter: where the contract types it string}."""
    found: dict = {}
    for served in coverage(program, contract, production).served:
        route, operation = served.route, served.operation
        mine, theirs = web.segments(route.path), web.segments(operation.path)
        strings = found.setdefault((route.file, route.span, route.path), {})
        for a, b in zip(mine, theirs):
            if not a.param or not b.param:
                continue
            parameter = operation.parameter(b.param)
            if parameter is not None and parameter.type == "string":
                strings[a.param] = f"{contract.source} types `{b.param}` as a string" + (
                    f" ({contract.where(operation)})" if not contract.builtin else "")
    return found


def _handlers(route) -> list:
    handler = route.handler
    return [handler] if type(handler) is v.Function else []


def _converter(ctx, route, segment, where: str):
    pattern = segment.pattern.strip()
    if not pattern or pattern.lower() not in _NUMERIC_CONVERTERS:
        return None
    message = (
        f"`{route.path}` constrains `{segment.param}` to numbers (`{pattern}`), but {where or 'it is a string'}: "
        f"a real value (`how-to-train-your-dragon`) never matches, so every such request gets 404"
        + (" (FastAPI: 422)" if route.framework == "fastapi" else "")
    )
    guidance = f"Drop the numeric converter: capture `{segment.param}` as a string (`<{segment.param}>`, `{{{segment.param}}}`, `:{segment.param}`)."
    return ctx.registry.finding("AL815", route.file, route.span, message, guidance)


def _annotation(ctx, program, route, segment, where: str):
    if route.framework != "fastapi" or type(route.handler) is not v.Function:
        return None
    function = program.function(route.handler.path, route.handler.fid)
    for param in function.params if function is not None else ():
        if param.name == segment.param and type(param.annotation) is ir.Name and param.annotation.id in ("int", "float"):
            message = (
                f"the handler of `{route.path}` declares `{segment.param}: {param.annotation.id}`, but {where or 'it is a string'}: "
                f"FastAPI validates the path parameter and answers every real value with 422 \"Input should be a valid integer\""
            )
            guidance = f"Declare `{segment.param}: str`."
            return ctx.registry.finding("AL815", route.handler.path, param.span, message, guidance)
    return None


def _use_finding(ctx, route, segment, path, node, how: str, where: str):
    message = (
        f"`{segment.param}` of `{route.path}` is used as a numeric id ({how}: `{render(node, 60)}`), but {where or 'it is a string'}: "
        f"{_failure(how, path.endswith('.py'))}"
    )
    guidance = f"Look the resource up by `{segment.param}` (`where slug = :slug`, `findOne({{ where: {{ slug }} }})`), not by its numeric primary key."
    return ctx.registry.finding("AL815", path, node.span, message, guidance)


def _failure(how: str, python: bool) -> str:
    if how.startswith("converted"):
        return ("`int()` raises ValueError on every real value: a 500" if python else
                "every real value converts to NaN, so the lookup matches nothing (404) or PostgreSQL rejects it")
    return ("PostgreSQL rejects the query with `invalid input syntax for type integer: \"how-to-train-your-dragon\"` (a 500), "
            "and SQLite finds nothing (404)")


def _numeric_use(program, function: v.Function, name: str, framework: str, depth: int, seen: set):
    """(path, node, how) of the first numeric use of the parameter in ``function`` or the project
    functions it passes the value to."""
    key = (function.path, function.fid, name)
    definition = program.function(function.path, function.fid)
    if definition is None or key in seen or depth > _MAX_DEPTH:
        return None
    seen.add(key)
    holders = _holders(definition, name)
    analysis = web.analyses_by_function(program).get((function.path, function.fid))
    records = {record.node.span: record for record in analysis.calls} if analysis is not None else {}

    def is_param(node) -> bool:
        if type(node) is ir.Name:
            return node.id in holders
        if type(node) is ir.Attr and node.name == name and type(node.obj) is ir.Attr and node.obj.name in ("params", "match_info"):
            return True
        if type(node) is ir.Call and node.method == "param" and node.args and type(node.args[0].value) is ir.Const \
                and node.args[0].value.value == name:
            return True  # Hono c.req.param('slug')
        if type(node) is ir.Index and type(node.obj) is ir.Attr and node.obj.name in ("match_info", "params", "kwargs") \
                and type(node.index) is ir.Const and node.index.value == name:
            return True
        return False

    for node in ir.iter_nodes(definition.body):
        kind = type(node)
        if kind is ir.Unary and node.op == "+" and is_param(node.operand):
            return function.path, node, "converted with unary +"
        if kind is not ir.Call:
            continue
        positional = [a.value for a in node.args if a.kind == "pos"]
        callee = web.callee_name(program, function.path, node) if type(node.func) in (ir.Name, ir.Attr) else ""
        if callee in _NUMERIC_CALLS and positional and is_param(positional[0]):
            return function.path, node, f"converted with `{callee.split(':')[-1].split('.')[-1]}()`"
        method = node.method
        data = _data_receiver(records.get(node.span))
        if method == "findByPk" and positional and is_param(positional[0]):
            return function.path, node, "looked up by primary key"
        if method == "get" and data and len(positional) >= 2 and is_param(positional[1]) and type(positional[0]) in (ir.Name, ir.Attr):
            return function.path, node, "looked up by primary key (`session.get`)"
        if method == "get" and data and len(positional) == 1 and is_param(positional[0]) and type(node.func.obj) is ir.Attr \
                and node.func.obj.name == "query":
            return function.path, node, "looked up by primary key (`Model.query.get`)"
        if (method in _LOOKUPS and data) or (type(node.func) is ir.Name and node.func.id == "get_object_or_404"):
            for arg in node.args:
                if arg.kind == "kw" and arg.name in _ID_KEYS and is_param(arg.value):
                    return function.path, node, f"looked up as `{arg.name}=`"
                for inner in ir.iter_nodes(arg.value):
                    if type(inner) is ir.Obj and any(e.key in _ID_KEYS and is_param(e.value) for e in inner.entries if isinstance(e.key, str)):
                        return function.path, node, "looked up as `id`"
        callee_value = program.static_value(function.path, node.func) if type(node.func) in (ir.Name, ir.Attr) else None
        if type(callee_value) is not v.Function:
            callee_value = _bound_method(program, function, node)
        if type(callee_value) is v.Function:
            target = program.function(callee_value.path, callee_value.fid)
            if target is None:
                continue
            # the parameter each argument fills (records.argument_for: `self` of a bound method, keywords, spreads)
            bound = callee_value.path.endswith(".py") and callee_value.bound is not None
            for index, arg in enumerate(node.args):
                if not is_param(arg.value):
                    continue
                inner_name = next((p.name for p in target.params if argument_for(target, node.args, p.name, bound) == (index, "")), "")
                if inner_name:
                    found = _numeric_use(program, callee_value, inner_name, framework, depth + 1, seen)
                    if found is not None:
                        return found
    return None


_DATA_VALUES = (v.Db, v.Query, v.ModelClass, v.Result, v.Rows)


def _data_receiver(record) -> bool:
    """The call's receiver is a DB handle, a query or a model class (not a service that happens
    to have a ``get``)."""
    if record is None:
        return False
    return any(type(v.strip(option)) in _DATA_VALUES for option in v.options(record.receiver))


def _bound_method(program, function: v.Function, node: ir.Call):
    """``service.get_article(slug)`` / ``this.service.get(slug)``: the method the interpreter
    resolved for this call in the function's analysis of record."""
    analysis = web.analyses_by_function(program).get((function.path, function.fid))
    if analysis is None:
        return None
    for record in analysis.calls:
        if record.node.span == node.span and len(record.callees) == 1:
            return record.callees[0]
    return None


def _holders(definition: ir.Function, name: str) -> set[str]:
    """Local names holding the parameter: the function parameter of that name, and names
    assigned from ``req.params.slug`` / ``const { slug } = req.params`` / ``c.req.param('slug')`` /
    ``request.match_info['slug']``."""
    holders = {p.name for p in definition.params if p.name == name}
    for node in ir.iter_nodes(definition.body):
        if type(node) is not ir.Assign or node.value is None:
            continue
        value = node.value.value if type(node.value) is ir.Await else node.value
        for target in node.targets:
            if type(target) is ir.Obj and type(value) is ir.Attr and value.name in ("params", "match_info"):
                for entry in target.entries:
                    if entry.key == name:
                        holders.update(ir.target_names(entry.value))
            elif type(target) is ir.Name and (
                    (type(value) is ir.Attr and value.name == name and type(value.obj) is ir.Attr and value.obj.name in ("params", "match_info"))
                    or (type(value) is ir.Index and type(value.index) is ir.Const and value.index.value == name
                        and type(value.obj) is ir.Attr and value.obj.name in ("params", "match_info"))
                    or (type(value) is ir.Call and value.method in ("param", "get") and value.args
                        and type(value.args[0].value) is ir.Const and value.args[0].value.value == name
                        and (value.method == "param" or (type(value.func.obj) is ir.Attr and value.func.obj.name == "match_info")))):
                holders.add(target.id)
    return holders
