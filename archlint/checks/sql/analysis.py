"""One SQL site made ready for the rules: decoded, masked, split, normalised and parsed once.

Every rule family reads the same :class:`Prepared` value, so a text is lexed once and each of
its statements is parsed at most twice (value sentinels for holes first, identifier sentinels if
that fails — ``FROM {table}`` only parses with an identifier there).  :meth:`Prepared.at` turns an
offset in the SQL text into the file and span of the finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.checks.sql.parser import Parsed, parse
from archlint.domain.context import CheckContext
from archlint.domain.facts import Span
from archlint.domain.findings import Finding
from archlint.domain.sql.knowledge import Dialect, SqlKnowledge
from archlint.domain.sql.lexer import (
    Normalised,
    Placeholder,
    Statement,
    decode_escapes,
    mask,
    normalise,
    placeholders,
    split_statements,
)
from archlint.domain.sql.sites import SqlSite

GENERIC = ""  # sqlglot's default dialect, for ASTs when the database is unknown


@dataclass(slots=True)
class PreparedStatement:
    """One statement of a SQL site, lexed, with its placeholders and holes."""
    statement: Statement
    placeholders: list[Placeholder]
    holes: list[int]  # offsets of ``{}`` markers, relative to the statement
    normalised: Normalised | None = None
    parsed: Parsed | None = None

    @property
    def tree(self):
        return self.parsed.tree if self.parsed is not None else None

    def original(self, normalised_offset: int) -> int:
        """Offset in the statement of a character of the normalised SQL."""
        return self.normalised.offsets.original(normalised_offset) if self.normalised is not None else normalised_offset


@dataclass(slots=True)
class Prepared:
    """A SQL site lexed and split into statements, ready for the rules."""
    site: SqlSite
    text: str
    masked: str
    dialect: Dialect | None
    placeholders: list[Placeholder]
    statements: list[PreparedStatement] = field(default_factory=list)

    @property
    def sqlglot_dialect(self) -> str:
        return self.dialect.sqlglot if self.dialect is not None else GENERIC

    def at(self, offset: int | None = None, length: int = 0) -> tuple[str, Span]:
        """The finding's file and span: inside the literal when it is known, else the call."""
        sql = self.site.sql
        if sql is not None and sql.located:
            return sql.path, sql.span(offset, length)  # type: ignore[return-value]
        return self.site.path, self.site.call.span


def prepare(site: SqlSite, sql: SqlKnowledge) -> Prepared | None:
    if site.sql is None:
        return None
    text = decode_escapes(site.sql.text)
    masked = mask(text)
    dialect = sql.dialects.get(site.database)
    ignored = dialect.ignored_placeholders if dialect is not None else frozenset()
    holes = [hole.offset for hole in site.sql.holes]
    found = [p for p in placeholders(masked, ignored) if not _in_hole(p.offset, holes)]
    prepared = Prepared(site, text, masked, dialect, found)
    for statement in split_statements(text, masked):
        end = statement.offset + len(statement.text)
        prepared.statements.append(
            PreparedStatement(
                statement,
                [p._replace(offset=p.offset - statement.offset) for p in found if statement.offset <= p.offset < end],
                [h - statement.offset for h in holes if statement.offset <= h < end],
            )
        )
    return prepared


def parse_statement(prepared: Prepared, item: PreparedStatement, dialect: str | None = None) -> Parsed:
    """Parse (memoised) in ``dialect`` (default: the site's); holes as values, then as identifiers."""
    name = prepared.sqlglot_dialect if dialect is None else dialect
    normalised = normalise(item.statement, item.holes, item.placeholders, identifier_holes=False)
    parsed = parse(normalised.sql, name)
    if not parsed.ok and item.holes:
        retry = normalise(item.statement, item.holes, item.placeholders, identifier_holes=True)
        second = parse(retry.sql, name)
        if second.ok:
            normalised, parsed = retry, second
    if dialect is None:
        item.normalised, item.parsed = normalised, parsed
    return parsed


def finding(ctx: CheckContext, prepared: Prepared, rule: str, offset: int | None, length: int, message: str,
            guidance: str) -> Finding:
    path, span = prepared.at(offset, length)
    return ctx.registry.finding(rule, path, span, message, guidance)


def _in_hole(offset: int, holes: list[int]) -> bool:
    return any(h <= offset < h + 2 for h in holes)
