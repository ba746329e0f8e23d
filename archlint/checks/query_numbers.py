"""sql rule AL442: a page size or offset read from the query string (a string) reaching a
``LIMIT``/``OFFSET`` that only takes a number.

Query-string values are strings (``?limit=20`` → ``"20"``).  Most stacks convert them on the way
(SQLAlchemy's ``.limit()`` calls ``int()``, knex ``parseInt``s, node-postgres and psycopg send
an untyped literal PostgreSQL coerces); two do not, and those are the failures reported:

* **Prisma** ``take``/``skip``: the client validates the argument types before any SQL —
  ``PrismaClientValidationError: Argument `take`: Invalid value provided. Expected Int, provided
  String.`` on every request that passes ``?limit=``.  The value is the interpreter's: a
  ``Request(part="query.limit")`` option (``req.query.limit``, ``const { limit = 20 } =
  req.query``); ``Number()``/``parseInt()``/``+x`` give another value, so converted ones stay silent.
* **asyncpg** ``$n`` parameters in ``LIMIT $n``/``OFFSET $n`` (the ``$n`` placeholder in Python
  SQL is asyncpg's): the codec for ``bigint`` takes only ints — ``DataError: invalid input for
  query argument $1: '20' ('str' object cannot be interpreted as an integer)``.  Python values
  are read from the IR: the argument (or the one local it was assigned from) is
  ``request.query.get(…)`` / ``request.query[…]`` / ``request.query_params…`` / Flask
  ``request.args.get(…)`` without ``type=int``; an ``int(…)`` around it is a conversion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.ir_format import render
from archlint.semantics import values as v
from archlint.semantics import web

_PRISMA_PAGED = frozenset({"findMany", "findFirst", "findFirstOrThrow", "count", "aggregate", "groupBy"})
_PRISMA_KEYS = ("take", "skip")
_QUERY_PARTS = ("query", "query_params", "args", "GET")
_COERCING = ("fastify", "nestjs")
_PLACEHOLDER = re.compile(r"\b(LIMIT|OFFSET)\s+\$(\d+)", re.IGNORECASE)


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    seen = set()  # a service called by two handlers is reported once
    for analysis in program.analyses():
        if non_production(analysis.path) or analysis.function is None:
            continue
        language = program.modules[analysis.path].language if analysis.path in program.modules else ""
        for record in analysis.calls:
            if language == "python":
                found = list(_asyncpg(ctx, analysis, record))
            else:
                found = [*_prisma(ctx, analysis.path, record, lambda key, options: _query_string_read(options.get(key))),
                         *_prisma_in_callee(ctx, program, record)]
            for finding in found:
                if finding.sort_key() not in seen:
                    seen.add(finding.sort_key())
                    yield finding


def _prisma_in_callee(ctx: CheckContext, program, record) -> Iterator[Finding]:
    """``listArticles(req.query.limit)`` in the handler, ``findMany({ take: limit })`` in the
    service: a callee's analysis sees its parameters as unknown, so the query-string reads are
    mapped to the parameter names here (one call deep, the layering agents write)."""
    if len(record.callees) != 1:
        return
    callee = record.callees[0]
    target = program.function(callee.path, callee.fid)
    if target is None or non_production(callee.path):
        return
    params = [p.name for p in target.params if p.name not in ("self", "this")]
    reads = {params[i]: read for i, value in enumerate(record.args) if i < len(params) and (read := _query_string_read(value))}
    if not reads:
        return
    analysis = web.analyses_by_function(program).get((callee.path, callee.fid))
    for inner in analysis.calls if analysis is not None else ():
        def from_caller(key, _options, node=inner.node):
            value = _entry_value(node, key)
            return reads.get(value.id, "") if type(value) is ir.Name else ""
        yield from _prisma(ctx, callee.path, inner, from_caller)


def _prisma(ctx: CheckContext, path: str, record, read_of) -> Iterator[Finding]:
    node = record.node
    bare = v.strip(record.receiver)
    if node.method not in _PRISMA_PAGED or type(bare) is not v.Db or bare.stack != "prisma" or not record.args:
        return
    options = v.strip(record.args[0])
    if type(options) is not v.Record:
        return
    for key in _PRISMA_KEYS:
        read = read_of(key, options)
        if read:
            where = getattr(_entry_value(node, key), "span", None) or node.span
            message = (
                f"`{key}` gets the query-string value `{read}`, a string, in Prisma's `{node.method}()`: the client "
                f"rejects it before any SQL (`PrismaClientValidationError: Argument `{key}`: Invalid value provided. "
                f"Expected Int, provided String.`), so every request with `?{read}=` fails"
            )
            guidance = (f"Convert it first: `{key}: Number({read}) || 20` (or `parseInt({read}, 10)`), or validate the "
                        f"query with a schema that coerces numbers (zod `z.coerce.number()`).")
            yield ctx.registry.finding("AL442", path, where, message, guidance)


def _query_string_read(value) -> str:
    """``limit`` when one of the value's options is the query-string read ``req.query.limit``, else
    ``""``.  Fastify's and NestJS's queries are left alone: a route ``schema.querystring`` (Ajv
    coerces to its types) or a DTO with ``transform`` makes them numbers."""
    for option in v.options(value) if value is not None else ():
        bare = v.strip(option)
        if type(bare) is v.Request and bare.part.startswith("query.") and bare.framework not in _COERCING:
            return bare.part.split(".", 1)[1]
    return ""


def _entry_value(node: ir.Call, key: str):
    for arg in node.args:
        if type(arg.value) is ir.Obj:
            for entry in arg.value.entries:
                if entry.key == key:
                    return entry.value
    return None


def _asyncpg(ctx: CheckContext, analysis, record) -> Iterator[Finding]:
    node = record.node
    if not record.args or not node.method:
        return
    sql = v.strip(record.args[0])
    if type(sql) is not v.Const or not isinstance(sql.value, str):
        return
    positional = [a.value for a in node.args if a.kind == "pos"]
    if len(positional) != len(record.args):
        return  # a *args call: the positions are unknown
    definition = analysis.function
    for match in _PLACEHOLDER.finditer(sql.value):
        index = int(match.group(2))
        if index >= len(positional):
            continue
        value = record.args[index]
        if any(type(v.strip(o)) not in (v.Unknown, v.Request) for o in v.options(value)):
            continue  # a number, a converted value (`int(…)` is an int object): not a raw string
        read = _python_query_read(positional[index], definition)
        if read is None:
            continue
        clause = match.group(1).upper()
        message = (
            f"`{clause} ${index}` gets `{_text(read)}`, a query-string value and so a string: asyncpg's integer codec "
            f"rejects it (`DataError: invalid input for query argument ${index}: '20' ('str' object cannot be "
            f"interpreted as an integer)`), so the listing fails whenever the client sends it"
        )
        guidance = f"Convert it before the query: `int({_text(read)})` (with a default and a 400 on a bad value), or declare the parameter as `int` in the route."
        yield ctx.registry.finding("AL442", analysis.path, getattr(positional[index], "span", node.span), message, guidance)


def _python_query_read(expr, definition):
    """The query-string read the expression is, or the one its local name was assigned from."""
    if _is_query_read(expr):
        return expr
    if type(expr) is not ir.Name or definition is None:
        return None
    sources = [node.value for node in ir.iter_nodes(definition.body)
               if type(node) is ir.Assign and any(type(t) is ir.Name and t.id == expr.id for t in node.targets)]
    if len(sources) == 1 and sources[0] is not None and _is_query_read(_first_operand(sources[0])):
        return _first_operand(sources[0])
    return None


def _first_operand(expr):
    """``request.query.get("limit") or "20"``: the read is the first operand."""
    if type(expr) is ir.BoolOp and expr.values:
        return expr.values[0]
    return expr


def _is_query_read(expr) -> bool:
    if type(expr) is ir.Call and expr.method in ("get", "getone") and type(expr.func.obj) is ir.Attr \
            and expr.func.obj.name in _QUERY_PARTS:
        return not any(a.kind == "kw" and a.name == "type" for a in expr.args)  # Flask's type=int converts
    return type(expr) is ir.Index and type(expr.obj) is ir.Attr and expr.obj.name in _QUERY_PARTS


def _text(expr) -> str:
    return render(expr)
