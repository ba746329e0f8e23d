"""AL501: the whole request object used as a query filter (operator injection / data exposure).

SQL built from interpolated strings is the embedded-SQL family's job; this rule covers the ORM
side, where no SQL string exists but the client still chooses the query.

What the rule reads is the access call as the semantic model saw it: the ``where`` entry of an
option object (JS) or a ``**`` argument (Python) whose *value* is a whole part of the request
(``req.query``, ``ctx.request.body``, ``request.args``, ``request.get_json()``), not text that
looks like one — a comment, a string or a field (``req.query.author``) is not.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.semantics import values as v
from archlint.semantics.options import Option

_WHOLE_PARTS = frozenset({"body", "query", "params"})
# Methods that hand out a whole part: Hono `c.req.query()` / `c.req.param()`, Python `.to_dict()` / `.dict()`.
_WHOLE_METHODS = {"query": "query", "param": "params", "to_dict": "", "dict": ""}
# Python ORM methods whose keyword arguments are the values written, not a filter
_VALUE_METHODS = frozenset({"update", "aupdate", "create", "acreate", "bulk_create", "insert", "values"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    accesses = ctx.datalayer.accesses
    if program is None or not accesses:
        return
    for access in accesses:
        record = program.call_record(access.path, access.span)
        if record is None:
            continue
        source = _whole_request_filter(record, program, access.path)
        if source is None:
            continue
        message = (
            f"`{source}` is passed whole as the query filter of `{access.callee}(…)`: the client chooses which columns "
            f"to filter on and, in Sequelize, can send operator objects (`{{\"password\": {{\"$ne\": null}}}}`-style) "
            f"to match rows it should not see"
        )
        guidance = "Pick the allowed fields explicitly (e.g. `{ where: { author: req.query.author } }` / `filter_by(author=request.args.get(\"author\"))`) and validate their types."
        yield ctx.registry.finding("AL501", access.path, access.span, message, guidance)


def _whole_request_filter(record, program, path: str) -> str | None:
    """How the call's filter is written when it is a whole request part: ``where: req.query`` in an
    option object, ``**request.args`` as an argument — in the call or in a step of the chain it ends
    (``Article.objects.filter(**request.GET.dict()).count()``); else ``None``."""
    while record is not None:
        found = _filter_argument(record, program, path)
        if found is not None:
            return found
        func = record.node.func
        inner = func.obj if type(func) is ir.Attr and type(func.obj) is ir.Call else None
        record = program.call_record(path, inner.span) if inner is not None else None
    return None


def _filter_argument(record, program, path: str) -> str | None:
    node = record.node
    for order, arg in enumerate(node.args):
        value = record.args[order] if order < len(record.args) else None
        if arg.kind == "kwstar" and node.method in _VALUE_METHODS:
            continue  # `.update(**data)` / `.create(**data)`: the columns written, not a filter (AL504's)
        if arg.kind == "kwstar":
            if _whole_part(arg.value, value, program, path):
                return _written(arg.value)
        elif arg.kind == "pos" and type(arg.value) is ir.Obj:
            where = Option(arg.value, value).get("where")
            if where is not None and where.node is not None and _whole_part(where.node, where.value, program, path):
                return _written(where.node)
    return None


def _whole_part(node, value, program, path: str) -> bool:
    bare = v.strip(value) if value is not None else None
    if type(bare) is v.Request:
        return bare.part in _WHOLE_PARTS
    if (bare is None or v.is_unknown(bare)) and _conventional_part(node, path.endswith(".py")):
        return True  # a view the model does not see routed: `request.GET` read off a parameter named for it
    if type(node) is ir.Call and not node.args and node.method in _WHOLE_METHODS:
        inner = program.call_record(path, node.span)
        receiver = v.strip(inner.receiver) if inner is not None else None
        if type(receiver) is not v.Request:
            return False
        wanted = _WHOLE_METHODS[node.method]
        return receiver.part == "" and bool(wanted) if wanted else receiver.part in _WHOLE_PARTS
    return False


# The request objects' conventional names (Express/Koa/Hono, Django/Flask/DRF) and their whole parts.
_JS_REQUEST = frozenset({"req", "request", "ctx"})
_JS_PARTS = frozenset({"body", "query", "params"})
_PY_PARTS = frozenset({"args", "json", "form", "values", "GET", "POST", "query_params", "data"})


def _conventional_part(node, python: bool) -> bool:
    """``req.query`` / ``ctx.request.body`` / ``c.req.query()`` / ``request.GET`` / ``request.get_json()``
    (optionally ``.dict()`` / ``.to_dict()``) written on the conventional request names, as IR."""
    if python:
        if type(node) is ir.Call and not node.args and node.method in ("dict", "to_dict"):
            node = node.receiver
        if type(node) is ir.Call and not node.args and node.method == "get_json":
            return type(node.receiver) is ir.Name and node.receiver.id == "request"
        return type(node) is ir.Attr and type(node.obj) is ir.Name and node.obj.id == "request" and node.name in _PY_PARTS
    if type(node) is ir.Call and not node.args and node.method in _JS_PARTS:
        node = node.func  # Hono: c.req.query()
    if type(node) is not ir.Attr or node.name not in _JS_PARTS:
        return False
    owner = node.obj
    if type(owner) is ir.Name:
        return owner.id in _JS_REQUEST
    return type(owner) is ir.Attr and type(owner.obj) is ir.Name and (owner.obj.id, owner.name) in (("ctx", "request"), ("c", "req"))


def _written(node) -> str:
    if type(node) is ir.Name:
        return node.id
    if type(node) is ir.Attr:
        return f"{_written(node.obj)}.{node.name}"
    if type(node) is ir.Call:
        return f"{_written(node.func)}()"
    return "…"
