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
from archlint.checks.sql.result_use import columns_only
from archlint.domain import indexes
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
    yield from injection.runtime_text(ctx, site, sql)
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
    unserved = offline(ctx, site.path)
    bounded_writes = not unserved and not _purges(ctx.files[site.path], site.call.scope, sql)
    for item in prepared.statements:
        if item.parsed is None:
            parse_statement(prepared, item)
        issues = list(statement_rules.check_statement(prepared, item, exact, bounded_writes))
        issues += schema.check_names(prepared, item, known)
        for issue in issues:
            if issue.rule == "AL414" and columns_only(ctx, site):
                continue
            if issue.rule in _SERVING_ONLY and unserved:
                continue
            offset = item.statement.offset + issue.offset
            yield finding(ctx, prepared, issue.rule, offset, issue.length, issue.message, issue.guidance)


# what costs only a request that serves data: `SELECT *` and unordered pages in a test or a migration do not
_SERVING_ONLY = ("AL414", "AL409")


def offline(ctx: CheckContext, path: str) -> bool:
    """Code no request runs: tests, scripts, seeds, migrations (by path, and revisions wherever they live)."""
    return non_production(path) or migration_script(ctx, path)


def migration_script(ctx: CheckContext, path: str) -> bool:
    """A schema-migration revision (Alembic's script template, wherever its ``versions/`` directory lives —
    ckan's ``ckan/migration/versions/``): a module defining ``upgrade()`` and ``downgrade()`` at top level.
    Its statements backfill every row on purpose.  (AL502 still judges what it splices: names a revision reads
    from rows are not constants — tests/test_typed_holes.py.)"""
    facts = ctx.files.get(path)
    if facts is None:
        return False
    names = {function.qualname for function in facts.functions}
    return "upgrade" in names and "downgrade" in names


def _purges(facts, scope: str, sql: SqlKnowledge) -> bool:
    """``def clear(self)``: a function named for emptying a table that takes only its handle means
    every row (camelCase read as words: n8n's e2e ``truncateAll()`` is ``truncate_all``)."""
    function = indexes.first(facts.functions, indexes.by_qualname, scope)
    return function is not None and sql.purges(snake(function.name), [p.name for p in function.parameters()])
