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
* **SQLAlchemy** ``text("… LIMIT :limit")`` parameters when the project's driver is asyncpg: ``text()``
  gives the bind no type, so the str reaches asyncpg's ``bigint`` codec as above (psycopg sends
  text that PostgreSQL casts, so other drivers stay silent).
* **mysql2 / mysql** ``query(sql, [limit])``: values are interpolated client-side and a string is
  quoted, ``LIMIT '20'`` → ``ER_PARSE_ERROR``.  ``execute()`` is *not* reported: a prepared
  statement takes the string (passing strings is the known workaround for the
  "Incorrect arguments to mysqld_stmt_execute" that JS numbers get on MySQL ≥ 8.0.22).

A handler passing ``req.query.limit`` to a service that passes it on to a repository is followed
by parameter name, up to three calls deep.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.ir_format import render
from archlint.domain.sql import asyncpg_signal, detect_database, sql_knowledge
from archlint.domain.sql.lexer import mask, placeholders
from archlint.semantics import values as v
from archlint.semantics import web
from archlint.semantics.records import recorded_argument

_PRISMA_PAGED = frozenset({"findMany", "findFirst", "findFirstOrThrow", "count", "aggregate", "groupBy"})
_PRISMA_KEYS = ("take", "skip")
_QUERY_PARTS = ("query", "query_params", "args", "GET")
_COERCING = ("fastify", "nestjs")


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    seen = set()  # a service called by two handlers is reported once
    sql = sql_knowledge(ctx.knowledge)
    verdicts: dict = {}

    def asyncpg(path: str) -> str:
        project = ctx.projects.of(path)
        if project not in verdicts:
            files = ctx.project_files(project)
            manifest = ctx.projects.manifest_of(ctx.manifest, project)
            verdicts[project] = asyncpg_signal(files, manifest, detect_database(files, ctx.graph, manifest, sql))
        return verdicts[project]

    for analysis in program.analyses():
        if non_production(analysis.path) or analysis.function is None:
            continue
        language = program.modules[analysis.path].language if analysis.path in program.modules else ""
        for record in analysis.calls:
            if language == "python":
                found = [*_asyncpg(ctx, analysis, record), *_sqlalchemy_text(ctx, analysis, record, asyncpg)]
            else:
                found = [*_prisma(ctx, analysis.path, record, lambda key, options: _query_string_read(options.get(key))),
                         *_mysql(ctx, analysis.path, record, lambda _expr, value: _query_string_read(value)),
                         *_in_callee(ctx, program, record)]
            for finding in found:
                if finding.sort_key() not in seen:
                    seen.add(finding.sort_key())
                    yield finding


def _in_callee(ctx: CheckContext, program, record, depth: int = 0) -> Iterator[Finding]:
    """``listArticles(req.query.limit)`` in the handler, ``findMany({ take: limit })`` (or a mysql2
    ``query(sql, [limit])``) in the service: a callee's analysis sees its parameters as unknown, so
    the query-string reads are mapped to the parameter names here, and on through a callee that
    passes the parameter on unchanged (controller → service → repository, three calls deep)."""
    reads = _param_reads(program, record, lambda value: _query_string_read(value))
    yield from _through(ctx, program, record, reads, depth)


def _param_reads(program, record, read_of) -> dict:
    if len(record.callees) == 1 and non_production(record.callees[0].path):
        return {}
    return _passed(program, record, lambda index: read_of(record.args[index]))


def _passed(program, record, read_at) -> dict:
    """``{parameter: read_at(index)}`` for each parameter of the call's one callee that an argument fills
    (``records.recorded_argument``: by position or by keyword, past ``self``), where that read is not empty."""
    if len(record.callees) != 1:
        return {}
    callee = record.callees[0]
    target = program.function(callee.path, callee.fid)
    if target is None:
        return {}
    python = program.language(callee.path) == "python"
    passed = {}
    for param in target.params:
        found = recorded_argument(record, callee.path, target, param.name, python)
        if found is not None and not found[1] and (read := read_at(found[0])):
            passed[param.name] = read
    return passed


def _through(ctx: CheckContext, program, record, reads: dict, depth: int) -> Iterator[Finding]:
    if not reads:
        return
    callee = record.callees[0]
    analysis = web.analyses_by_function(program).get((callee.path, callee.fid))
    for inner in analysis.calls if analysis is not None else ():
        def from_caller(key, _options, node=inner.node):
            value = _entry_value(node, key)
            return reads.get(value.id, "") if type(value) is ir.Name else ""
        yield from _prisma(ctx, callee.path, inner, from_caller)
        yield from _mysql(ctx, callee.path, inner, lambda expr, _value: reads.get(expr.id, "") if type(expr) is ir.Name else "")
        if depth < 2:  # the parameter passed on as it is: `return repo.list(limit)`
            def passed_on(index, node=inner.node):
                value = node.args[index].value
                return reads.get(value.id, "") if type(value) is ir.Name else ""
            yield from _through(ctx, program, inner, _passed(program, inner, passed_on), depth + 1)


_MYSQL_CLIENT_SIDE = frozenset({"query"})


def _mysql(ctx: CheckContext, path: str, record, read_of) -> Iterator[Finding]:
    """mysql2 / mysql ``query(sql, [limit])``: the driver interpolates the values client-side and
    quotes a string, so ``LIMIT ?`` becomes ``LIMIT '20'``, a syntax error in MySQL.  ``execute()``
    is not reported: a prepared statement takes a string there (it is even the known workaround for
    numbers on MySQL ≥ 8.0.22, node-mysql2#1239)."""
    node = record.node
    bare = v.strip(record.receiver)
    if node.method not in _MYSQL_CLIENT_SIDE or type(bare) is not v.Db or bare.stack not in ("mysql2", "mysql") or len(node.args) < 2:
        return
    sql = v.strip(record.args[0]) if record.args else None
    if type(sql) is not v.Const or not isinstance(sql.value, str):
        return
    elements = node.args[1].value.elts if type(node.args[1].value) is ir.Seq else ()
    values = v.strip(record.args[1]) if len(record.args) > 1 else None
    items = values.items if type(values) is v.Tuple else ()
    for parameter in _paging(sql.value, "mysql", "qmark"):
        index = parameter.position  # the n-th `?` takes the n-th value
        expr = elements[index] if index < len(elements) else None
        value = items[index] if index < len(items) else None
        if expr is None:
            continue
        read = read_of(expr, value)
        if not read:
            continue
        message = (
            f"`{parameter.clause} ?` gets the query-string value `{read}`, a string, through {bare.stack}'s `query()`: the "
            f"driver interpolates it quoted (`LIMIT '20'`) and MySQL answers `ER_PARSE_ERROR: You have an error in your SQL "
            f"syntax … near ''20''`, so every request with `?{read}=` fails"
        )
        guidance = f"Convert it first: `Number.parseInt({read}, 10) || 20` (numbers are interpolated unquoted), or validate the query with a schema that coerces numbers."
        yield ctx.registry.finding("AL442", path, expr.span, message, guidance)


def _paging(text: str, dialect: str, kind: str) -> list:
    """The ``LIMIT``/``OFFSET`` parameters of one placeholder kind in a SQL text, from its parse
    tree (:mod:`archlint.checks.sql.paging`); the lexer first says whether the text has such a
    placeholder at all, so sqlglot is loaded and run only for SQL that could have one."""
    if not any(p.kind == kind for p in placeholders(mask(text))):
        return []
    from archlint.checks.sql.paging import paging_parameters

    return [p for p in paging_parameters(text, dialect) if p.placeholder.kind == kind]


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
    for parameter in _paging(sql.value, "postgres", "dollar"):
        index = int(parameter.placeholder.name)  # `$2` is the second value after the SQL
        if index >= len(positional):
            continue
        value = record.args[index]
        if any(type(v.strip(o)) not in (v.Unknown, v.Request) for o in v.options(value)):
            continue  # a number, a converted value (`int(…)` is an int object): not a raw string
        read = _python_query_read(positional[index], definition)
        if read is None:
            continue
        clause = parameter.clause
        message = (
            f"`{clause} ${index}` gets `{_text(read)}`, a query-string value and so a string: asyncpg's integer codec "
            f"rejects it (`DataError: invalid input for query argument ${index}: '20' ('str' object cannot be "
            f"interpreted as an integer)`), so the listing fails whenever the client sends it"
        )
        guidance = f"Convert it before the query: `int({_text(read)})` (with a default and a 400 on a bad value), or declare the parameter as `int` in the route."
        yield ctx.registry.finding("AL442", analysis.path, getattr(positional[index], "span", node.span), message, guidance)


_TEXT_FUNCTIONS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"})
_EXECUTES = frozenset({"execute", "scalars", "scalar", "stream", "stream_scalars"})


def _sqlalchemy_text(ctx: CheckContext, analysis, record, asyncpg) -> Iterator[Finding]:
    """``session.execute(text("… LIMIT :limit"), {"limit": request.query_params.get("limit")})``
    under asyncpg: ``text()`` gives the parameter no type, SQLAlchemy passes the str on and
    asyncpg's ``bigint`` codec rejects it (psycopg sends it as text and PostgreSQL casts it)."""
    node = record.node
    positional = [a.value for a in node.args if a.kind == "pos"]
    if node.method not in _EXECUTES or len(positional) < 2 or type(positional[0]) is not ir.Call or type(positional[1]) is not ir.Obj:
        return
    statement = positional[0]
    if ctx.program.static_name(analysis.path, statement.func) not in _TEXT_FUNCTIONS:
        return
    sql = statement.arg(0)
    if type(sql) is not ir.Const or not isinstance(sql.value, str):
        return
    entries = {e.key: e.value for e in positional[1].entries if isinstance(e.key, str)}
    for parameter in _paging(sql.value, "postgres", "named"):
        name = parameter.placeholder.name
        expr = entries.get(name)
        read = _python_query_read(expr, analysis.function) if expr is not None else None
        if read is None:
            continue
        evidence = asyncpg(analysis.path)
        if not evidence:
            return
        message = (
            f"`{parameter.clause} :{name}` in `text()` gets `{_text(read)}`, a query-string value and so a string; `text()` gives "
            f"the parameter no type and the driver is asyncpg ({evidence}), whose integer codec rejects it (`DataError: invalid "
            f"input for query argument $1: '20' ('str' object cannot be interpreted as an integer)`)"
        )
        guidance = (f"Convert it before the query (`int({_text(read)})` with a default and a 400 on a bad value), declare the "
                    f"route parameter as `int`, or use `select(...).limit(n)`, which converts.")
        yield ctx.registry.finding("AL442", analysis.path, getattr(expr, "span", node.span), message, guidance)


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
