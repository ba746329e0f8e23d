"""Run every SQL rule family over the extracted sites (imported only when there are sites)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.checks.db_access import non_production
from archlint.checks.sql import (
    dialect_rules,
    injection,
    params,
    schema,
    statement_rules,
)
from archlint.checks.sql.analysis import Prepared, finding, parse_statement, prepare
from archlint.domain import indexes
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.sql import SqlKnowledge, SqlSite


def run(ctx: CheckContext, sites: list[SqlSite], paths: list[str], sql: SqlKnowledge, database: str | None,
        project: str = "") -> Iterator[Finding]:
    dialect = sql.dialects.get(database or "")
    known = schema.build_schema(ctx, paths, dialect.sqlglot if dialect is not None else "", project)
    reported: set[tuple[str, str, int, int]] = set()
    for site in sites:
        for item in _site_findings(ctx, site, sql, known):
            key = (item.rule, item.path, item.line, item.column)
            if key not in reported:
                reported.add(key)
                yield item


def _site_findings(ctx: CheckContext, site, sql: SqlKnowledge, known: schema.Schema) -> Iterator[Finding]:
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
    yield from _statement_findings(ctx, prepared, known)


def _statement_findings(ctx: CheckContext, prepared: Prepared, known: schema.Schema) -> Iterator[Finding]:
    site = prepared.site
    exact = site.sql is not None and site.sql.exact
    bounded_writes = not non_production(site.path) and not _purges(ctx.files[site.path], site.call.scope)
    for item in prepared.statements:
        if item.parsed is None:
            parse_statement(prepared, item)
        issues = list(statement_rules.check_statement(prepared, item, exact, bounded_writes))
        issues += schema.check_names(prepared, item, known)
        for issue in issues:
            offset = item.statement.offset + issue.offset
            yield finding(ctx, prepared, issue.rule, offset, issue.length, issue.message, issue.guidance)


_PURGE_NAME = re.compile(r"(^|_)(clear|reset|purge|flush|wipe|truncate|empty|cleanup|delete_all|remove_all|clear_all)$", re.I)


def _purges(facts, scope: str) -> bool:
    """``def clear(self)``: a parameterless method named for emptying a table means every row."""
    function = indexes.first(facts.functions, indexes.by_qualname, scope)
    if function is None or not _PURGE_NAME.search(function.name):
        return False
    return all(p.name in ("self", "cls") for p in function.parameters())
