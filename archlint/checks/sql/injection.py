"""SQL injection at SQL sinks: AL502 runtime values spliced into SQL text, AL503 SQL text that
*is* a runtime value (``order_by(text(sort))``, ``Sequelize.literal(req.query.order)``).

Holes were classified when the site was extracted (:mod:`archlint.domain.sql.holes`): constants
and allow-listed expressions (placeholder lists, numbers, escapers) stay silent, so the classic
``f"SELECT … FROM {TABLE} WHERE id = ?"`` and ``f"… IN ({placeholders})"`` are not reported.
Tagged templates (``sql`…```, ``Prisma.sql`…```) never reach here: their holes are bound.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.checks.sql.analysis import Prepared, finding
from archlint.domain import ir
from archlint.domain.expressions import parse
from archlint.domain.context import CheckContext
from archlint.domain.facts import FileFacts
from archlint.domain.findings import Finding
from archlint.domain.sql.holes import VIEW_QUERY
from archlint.domain.sql.knowledge import SqlKnowledge
from archlint.domain.sql.sites import SqlSite

_CLAUSE_CALLS = frozenset({"order_by", "where", "filter", "having", "group_by", "join", "select_from", "orderBy"})
_HOW = {
    "fstring": "an f-string",
    "template": "a template literal",
    "percent": "`%` formatting",
    "format": "`.format()`",
    "concat": "`+` concatenation",
    "replace": "`.replace()`",
}
_IDENTIFIER_ROLES = frozenset({"a table name", "an ORDER BY/GROUP BY term", "a column list"})


def interpolated(ctx: CheckContext, prepared: Prepared, sql: SqlKnowledge) -> Iterator[Finding]:
    """AL502 at the first runtime hole; the message names every one."""
    site = prepared.site
    holes = site.sql.runtime_holes if site.sql is not None else ()
    # the model's verdict is asked only where a hole's being request data matters (a traced sink, a view's query)
    request = _request_data(ctx, site) if holes and (site.sink.traced_holes or any(h.role == VIEW_QUERY for h in holes)) else None
    if holes and site.sink.traced_holes and request is not True:
        facts = ctx.files[site.path]
        holes = tuple(h for h in holes if _request_hole(ctx, site, h.expr, request, sql)
                      or "(" not in h.expr and (_parameter_of(facts, site.call.scope, h.expr, site.language) is not None
                                                or _destructured_parameter(ctx, site, h.expr)))
    # a view's defining query is SQL text by design (the developer's view), unless it is request data;
    # a value checked against a constant allow-list before the statement runs is one of its constants
    holes = tuple(h for h in holes if (h.role != VIEW_QUERY or _request_hole(ctx, site, h.expr, request, sql))
                  and not _allow_listed(ctx, site, h.expr) and not _validated_parameter(ctx, site, h.expr, sql))
    if not holes or (site.kind == "fragment" and _schema_definition(ctx, site, sql)):
        return
    first = holes[0]
    names = ", ".join(f"`{h.expr}`" for h in holes[:4]) + (" …" if len(holes) > 4 else "")
    how = _HOW.get(first.how, "interpolation")
    if first.role in _IDENTIFIER_ROLES:
        risk = (
            "placeholders cannot stand for identifiers, and a crafted value rewrites the query (SQL injection)"
        )
        guidance = (
            "Map the input through a constant allow-list and interpolate only the looked-up constant, e.g. "
            "`SORTS = {\"new\": \"created_at DESC\"}` then `SORTS.get(key, \"created_at DESC\")`."
        )
    else:
        risk = "a value containing a quote or SQL rewrites the query (SQL injection) and ordinary input such as O'Brien breaks it"
        guidance = _bind_guidance(site, sql)
    message = f"{names} {'is' if len(holes) == 1 else 'are'} spliced into the SQL text by {how} (as {first.role}): {risk}"
    yield finding(ctx, prepared, "AL502", first.offset, 2, message, guidance)


def _schema_definition(ctx: CheckContext, site: SqlSite, sql: SqlKnowledge) -> bool:
    """The fragment becomes part of a schema object — ``sqltext = text(f"{column.name} is json")``
    then ``CheckConstraint(sqltext, name=…)`` (advanced-alchemy's JSON type attaching its check
    to the column's table): DDL the code defines from the column it is bound to, emitted by
    ``create_all``/migrations, never a statement that carries a request's data.  The constructs are
    sql_dialects.toml ``[[schema_construct]]``."""
    program = ctx.program
    module = program.modules.get(site.path) if program is not None else None
    function = ir.innermost_function(module, site.call.span) if module is not None else None
    if function is None:
        return False
    names = {t.id for node in ir.iter_nodes(function.body) if type(node) is ir.Assign and node.value is not None
             and node.value.span == site.call.span for t in node.targets if type(t) is ir.Name}
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Call:
            continue
        if node.short_name not in sql.schema_constructs:
            continue
        for arg in node.args:
            value = arg.value
            if value.span == site.call.span or (type(value) is ir.Name and value.id in names):
                return True
    return False


def _bind_guidance(site: SqlSite, sql: SqlKnowledge) -> str:
    if site.sink.guidance:
        return site.sink.guidance
    if site.sink.name == "typeorm-builder-clause":
        return (f"Name a parameter in the condition and pass its value beside it: "
                f"`.{site.method}('article.title ILIKE :term', {{ term: `%${{term}}%` }})`.")
    style = sql.paramstyles.get(site.style)
    marker = style.example if style is not None else "the driver's placeholder"
    values = "(value,)" if site.language == "python" else "[value]"
    return f"Use a placeholder ({marker}) in the SQL and pass the value separately: `{site.call.callee}(sql, {values})`."


def _allow_listed(ctx: CheckContext, site: SqlSite, expression: str) -> bool:
    """Checked against a constant allow-list where the statement runs or by the constructor of the
    instance it is read from, or a parameter of a private helper every caller fills with a constant
    (``self._fetch_setting(connection, "sql_mode")``)."""
    program = ctx.program
    module = program.modules.get(site.path) if program is not None else None
    expression = expression.strip()
    if module is None or not _dotted(expression, site.language):
        return False
    from archlint.domain.allow_lists import allow_listed, constructor_pinned
    from archlint.semantics.constant_arguments import constant_parameter

    return allow_listed(module, site.call.span, expression) or constructor_pinned(module, site.call.span, expression) or (
        expression.isidentifier() and constant_parameter(program, site.path, site.call.span, expression))


def _validated_parameter(ctx: CheckContext, site: SqlSite, expression: str, sql: SqlKnowledge) -> bool:
    """The hole is a parameter of a framework hook the framework calls only with a value it checked
    against a fixed set (sql_dialects.toml ``[[validated_parameter]]``: SQLAlchemy's dialect
    ``set_isolation_level(dbapi_connection, level)``), read from the IR: the enclosing function is a
    method of that name in a class with a base, the name one of its parameters never reassigned, and
    the file imports the framework or belongs to it."""
    program = ctx.program
    module = program.modules.get(site.path) if program is not None else None
    expression = expression.strip()
    if module is None or not sql.validated_parameters or not expression.isidentifier():
        return False
    function = ir.innermost_function(module, site.call.span)
    if function is None or function.kind != "method" or function.scope_of(expression) != "param":
        return False
    owner = next((c for c in module.classes if function.fid in c.methods), None)
    if owner is None or not owner.bases or any(type(n) is ir.Assign and any(expression in ir.target_names(t) for t in n.targets)
                                               for n in ir.iter_nodes(function.body)):
        return False
    from archlint.domain.knowledge import module_matches

    own = ctx.graph.modules.get(site.path, "")
    imported = [edge.target.split(":")[0] for edge in ctx.graph.out_edges(site.path) if edge.external]
    return any(function.name in methods and expression in parameters
               and any(module_matches(name, m) for name in (own, *imported) for m in modules)
               for modules, methods, parameters in sql.validated_parameters)


def _dotted(expression: str, language: str) -> bool:
    """The hole is a name or a chain of attribute reads (``sort``, ``self.columns``), read from its
    expression tree, spelled plainly (``a.b``: the allow-lists know that spelling)."""
    tree, attributes = parse(expression, language), []
    while tree[0] == "attr":
        attributes.append(tree[2])
        tree = tree[1]
    return tree[0] == "name" and ".".join([tree[1], *reversed(attributes)]) == expression


def _root_name(expression: str, language: str) -> str:
    """The name an attribute/index/call chain starts from (``opts`` of ``opts.sort[0]``), from the
    expression's tree; ``""`` for any other expression."""
    tree = parse(expression, language)
    while tree[0] in ("attr", "index", "call"):
        tree = tree[1]
    return tree[1] if tree[0] == "name" else ""


def _request_hole(ctx: CheckContext, site: SqlSite, expression: str, request: bool | None, sql: SqlKnowledge) -> bool:
    """The expression (a hole, or the whole SQL argument) is request data: the model's verdict on the
    SQL argument (``request``, from :func:`_request_data`), a parameter named for the request in a
    function the model does not see routed (:func:`_request_parameter`), or — no model for the file —
    the conventional spelling (sql_dialects.toml ``[[request_spelling]]``)."""
    if request is None:
        head, first = _chain_start(expression, site.language)
        return sql.spelled_on_request(head, first)
    return request or _request_parameter(ctx, site, expression, sql)


def _chain_start(expression: str, language: str) -> tuple[str, str]:
    """The name an attribute/index/call chain starts from and the first attribute read off it
    (``("ctx", "request")`` of ``ctx.request.body.sql``), from the expression's tree; ``("", "")``
    when the chain starts anywhere but a name."""
    tree, first = parse(expression, language), ""
    while tree[0] in ("attr", "index", "call"):
        first = tree[2] if tree[0] == "attr" else ""
        tree = tree[1]
    return (tree[1], first) if tree[0] == "name" else ("", "")


def _request_parameter(ctx: CheckContext, site: SqlSite, expression: str, sql: SqlKnowledge) -> bool:
    """``async viewFromRequest(req) { … `CREATE VIEW report AS ${req.body.sql}` }``: read off a parameter
    named for the request (sql_dialects.toml ``[[request_spelling]]``), in a function the model analysed
    without a caller that routes a request to it — the name is the only evidence there (as AL501's
    ``_conventional_part``).  A local named so (a migration runner's ``for request in pending``) is not a
    parameter and does not count, nor is the instance (``self.request`` of a view class the model does not
    see routed: the model knows the views that keep their request there)."""
    program = ctx.program
    module = program.modules.get(site.path) if program is not None else None
    head, first = _chain_start(expression, site.language)
    if module is None or head in ("self", "cls", "this") or not sql.spelled_on_request(head, first):
        return False
    function = ir.innermost_function(module, site.call.span)
    return function is not None and function.kind != "module" and function.scope_of(head) == "param"


def _request_data(ctx: CheckContext, site: SqlSite) -> bool | None:
    """Whether the sink's SQL argument is (or holds) request data, as the semantic model's values say:
    the request tag the interpreter carries through locals, destructuring and helper parameters
    (``const { sql } = req.query`` then ``pool.query(sql)``; ``statement = request.args["sql"]`` handed
    to ``run_report(db, statement)``) — never a name that merely starts with ``request``
    (``request_count``, a migration runner's ``for request in pending``).  ``None`` when the file has
    no semantic model (the model was not built for the run): the caller falls back to the
    conventional spelling (sql_dialects.toml ``[[request_spelling]]``), the only evidence left."""
    program = ctx.program
    if program is None or site.path not in program.modules:
        return None
    from archlint.semantics import values as v

    span = site.call.span
    records = _calls_by_position(program).get((site.path, span.line, span.column), ())
    argument = site.bound[0] if site.bound is not None else None
    if any(v.REQUEST_TAG in v.tags_of(value) for record in records for value in _sql_argument_values(record, argument)):
        return True
    # one helper call away: `def run_report(statement): … db.execute(statement)` analysed in its default
    # context knows nothing of `statement`; its callers' records hold what they pass
    function = ir.innermost_function(program.modules[site.path], span) if type(argument) is ir.Name else None
    if function is None or function.kind == "module" or function.scope_of(argument.id) != "param" \
            or argument.id in program.assigned_names(function):
        return False
    from archlint.semantics.callers import passed_values

    return any(v.REQUEST_TAG in v.tags_of(value) for value in passed_values(program, site.path, function.fid, argument.id))


def _sql_argument_values(record, argument) -> tuple:
    """The value the call record holds for the site's SQL argument (not the bound values beside it:
    ``pool.query(sql, [req.params.id])`` binds its request data); every argument's when the
    argument's IR is not known."""
    if argument is None:
        return record.args
    found = tuple(value for arg, value in zip(record.node.args, record.args) if arg.value.span == argument.span)
    return found or record.args


def _calls_by_position(program) -> dict:
    """(path, line, column) -> the call records the analyses made there, indexed once per run (a scan
    of every analysis for each traced SQL site grew with sites × calls)."""
    index = program.calls_by_position
    if index is None:
        index = {}
        for analysis in program.analyses():
            for record in analysis.calls:
                node = record.node.span
                index.setdefault((analysis.path, node.line, node.column), []).append(record)
        program.calls_by_position = index
    return index


def _destructured_parameter(ctx: CheckContext, site: SqlSite, expression: str) -> bool:
    """``function applyFilters(query, { author, tag })`` with ``${tag}`` in a raw fragment: a name a
    destructured parameter binds is the caller's argument too (read from the IR's parameter pattern)."""
    program = ctx.program
    module = program.modules.get(site.path) if program is not None else None
    if module is None or not expression.isidentifier():
        return False
    from archlint.domain import ir

    function = ir.innermost_function(module, site.call.span)
    if function is None or function.kind == "module" or function.scope_of(expression) != "param":
        return False
    return any(p.target is not None and expression in ir.target_names(p.target) for p in function.params)


def runtime_text(ctx: CheckContext, site: SqlSite, sql: SqlKnowledge) -> Iterator[Finding]:
    """AL503: the SQL argument is request data, or a parameter that ends up in a clause."""
    if site.sql is not None or not site.expression:
        return
    expression = site.expression
    facts = ctx.files[site.path]
    if _request_hole(ctx, site, expression, _request_data(ctx, site), sql):
        why = "request data"
    elif site.kind == "fragment" or _inside_clause(facts, site):
        parameter = _parameter_of(facts, site.call.scope, expression, site.language)
        if parameter is None:
            return
        why = f"the caller's argument `{parameter}` (a parameter of `{site.call.scope}`)"
    else:
        return
    message = (
        f"`{site.call.callee}({expression})` makes {why} the SQL text itself: whoever controls the value writes raw "
        f"SQL into the query (SQL injection), and binding cannot help because the value is the SQL"
    )
    guidance = (
        "Never turn input into SQL text: look it up in a constant allow-list (`ORDERS = {\"new\": Article.created_at.desc()}`; "
        "`ORDERS.get(key, default)`) or build the clause with the ORM's column API."
    )
    yield ctx.registry.finding("AL503", site.path, site.call.span, message, guidance)


def _inside_clause(facts: FileFacts, site: SqlSite) -> bool:
    """The site's call is an argument, at any depth, of a clause-building call (``order_by(text(sort))``):
    read from the file's IR calls enclosing it, by the called attribute or name."""
    from archlint.domain.arguments import ir_calls

    span = site.call.span
    return any(outer != span and node.short_name in _CLAUSE_CALLS and ir.span_contains(outer, span)
               for outer, node in ir_calls(facts).items())


def _parameter_of(facts: FileFacts, scope: str, expression: str, language: str) -> str | None:
    head = _root_name(expression, language)
    function = next((f for f in facts.functions if f.qualname == scope), None)
    if function is None or head in ("self", "cls", "this") or head.isupper():
        return None
    return head if any(p.name == head for p in function.parameters()) else None
