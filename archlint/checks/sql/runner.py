"""Run every SQL rule family over the extracted sites (imported only when there are sites)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from archlint.checks.db_access import non_production
from archlint.checks.sql import (
    dialect_rules,
    injection,
    params,
    schema,
    statement_rules,
)
from archlint.checks.sql.analysis import Prepared, finding, parse_statement, prepare
from archlint.domain import indexes, ir
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.sql import SqlKnowledge, SqlSite
from archlint.semantics.tables import snake


def run(ctx: CheckContext, sites: list[SqlSite], paths: list[str], sql: SqlKnowledge, database: str | None,
        project: str = "", catalog=None) -> Iterator[Finding]:
    dialect = sql.dialects.get(database or "")
    known = schema.build_schema(ctx, paths, dialect.sqlglot if dialect is not None else "", project, catalog)
    reported: set[tuple[str, str, int, int]] = set()
    for site in sites:
        for item in _site_findings(ctx, site, sql, known):
            key = (item.rule, item.path, item.line, item.column)
            if key not in reported:
                reported.add(key)
                yield item


def _site_findings(ctx: CheckContext, site, sql: SqlKnowledge, known: schema.Schema) -> Iterator[Finding]:
    if site.sink.by_text:
        yield from _by_text(ctx, site, sql, known)
        return
    yield from injection.runtime_text(ctx, site)
    prepared = prepare(site, sql)
    if prepared is None:
        return
    yield from injection.interpolated(ctx, prepared, sql)
    yield from dialect_rules.constructs(ctx, prepared, sql)
    yield from dialect_rules.placeholder_style(ctx, prepared, sql)
    yield from params.check_counts(ctx, prepared)
    if site.kind == "fragment":
        return
    yield from dialect_rules.syntax(ctx, prepared, sql)
    yield from dialect_rules.several_statements(ctx, prepared)
    yield from _statement_findings(ctx, prepared, known, sql)


def _by_text(ctx: CheckContext, site, sql: SqlKnowledge, known: schema.Schema) -> Iterator[Finding]:
    """SQL recognised by its text on an untyped receiver: judged only when every statement parses
    in the project's dialect (a string that does not is no SQL), and never for what depends on
    the driver (placeholder style and count, several statements); each finding says so."""
    prepared = prepare(site, sql)
    if prepared is None or not prepared.statements:
        return
    for item in prepared.statements:
        parsed = parse_statement(prepared, item)
        if parsed.tree is None and not dialect_rules.construct_offsets(prepared, sql):
            return
    note = f" (recognised as SQL by its text: `{site.call.callee}` is not known to be a database handle)"
    found = list(injection.interpolated(ctx, prepared, sql)) + list(dialect_rules.constructs(ctx, prepared, sql))
    found += list(_statement_findings(ctx, prepared, known, sql))
    for item in found:
        yield replace(item, message=item.message + note)


def _statement_findings(ctx: CheckContext, prepared: Prepared, known: schema.Schema, sql: SqlKnowledge) -> Iterator[Finding]:
    site = prepared.site
    exact = site.sql is not None and site.sql.exact
    bounded_writes = not non_production(site.path) and not _purges(ctx.files[site.path], site.call.scope, sql)
    for item in prepared.statements:
        if item.parsed is None:
            parse_statement(prepared, item)
        issues = list(statement_rules.check_statement(prepared, item, exact, bounded_writes))
        issues += schema.check_names(prepared, item, known)
        for issue in issues:
            if issue.rule == "AL414" and _columns_only(ctx, site):
                continue
            offset = item.statement.offset + issue.offset
            yield finding(ctx, prepared, issue.rule, offset, issue.length, issue.message, issue.guidance)


def _columns_only(ctx: CheckContext, site) -> bool:
    """``cursor = db.execute('SELECT * FROM t LIMIT 1')`` read only through ``cursor.description``
    (peewee's reflection and migrator): introspection of the table's columns, where every column is
    the point and no row is used (from the IR of the statement's function)."""
    facts = ctx.files.get(site.path)
    module = facts.ir if facts is not None and facts.has_ir else None
    function = ir.innermost_function(module, site.call.span) if module is not None else None
    if function is None:
        return False
    span = site.call.span
    names = set()
    described = False
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Attr and node.name == "description" and type(node.obj) is ir.Call and node.obj.span == span:
            described = True
        if type(node) is ir.Assign and node.value is not None and len(node.targets) == 1 and type(node.targets[0]) is ir.Name:
            value = node.value.value if type(node.value) is ir.Await else node.value
            if type(value) is ir.Call and value.span == span:
                names.add(node.targets[0].id)
    if not names:
        return described
    reads = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Name and node.id in names]
    attributes = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Attr and type(node.obj) is ir.Name
                  and node.obj.id in names]
    targets = len(names)  # the assignment's own target is a Name too
    return bool(attributes) and all(a.name == "description" for a in attributes) and len(reads) == targets + len(attributes)


def _purges(facts, scope: str, sql: SqlKnowledge) -> bool:
    """``def clear(self)``: a function named for emptying a table that takes only its handle means
    every row (camelCase read as words: n8n's e2e ``truncateAll()`` is ``truncate_all``)."""
    function = indexes.first(facts.functions, indexes.by_qualname, scope)
    return function is not None and sql.purges(snake(function.name), [p.name for p in function.parameters()])
