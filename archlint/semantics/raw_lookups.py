"""Which raw SQL statement is a *lookup*: a ``SELECT`` of rows of one table filtered by a ``WHERE``.

``cursor.execute("SELECT slug, title FROM articles WHERE slug = ?", …).fetchone()`` and asyncpg's
``conn.fetchrow(…)`` return ``None`` when no row matches, so the row they give is as nullable as an
ORM's ``.first()``.  Other statements always yield their row — ``SELECT COUNT(*) …`` (an aggregate
without ``GROUP BY``), ``INSERT … RETURNING id``, ``SELECT 1`` — and a ``SELECT`` with no ``WHERE``
is not a lookup of one thing, so none of them is judged.  The statement is parsed with sqlglot (the
same tree the SQL rules read), once per text.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=2048)
def lookup_table(sql: str) -> str:
    """The table a lookup ``SELECT`` reads (its ``FROM``), else ``""``."""
    upper = sql.upper()
    if not upper.lstrip(" (\n\t").startswith("SELECT") or "WHERE" not in upper:
        return ""  # not a SELECT, or one without a WHERE (no keyword, no clause): no parse, no sqlglot
    from sqlglot import exp

    statements = _parsed(sql, (None,))
    if statements is None or len(statements) != 1 or not isinstance(statements[0], exp.Select):
        return ""
    select = statements[0]
    if select.args.get("where") is None:
        return ""
    projections = [p.this if isinstance(p, exp.Alias) else p for p in select.expressions]
    if projections and all(isinstance(p, (exp.AggFunc, exp.Exists, exp.Literal)) for p in projections) and not select.args.get("group"):
        return ""  # COUNT(*) / EXISTS(…) / 1: exactly one row whatever matches
    source = select.args.get("from_") or select.args.get("from")
    table = source.this if source is not None else None
    return table.name if isinstance(table, exp.Table) else ""


@lru_cache(maxsize=1024)
def inserted_table(sql: str) -> str:
    """The table a raw ``INSERT`` writes (``INSERT INTO tags (name) VALUES ($1) ON CONFLICT DO NOTHING``, ``INSERT OR
    IGNORE INTO …``, MySQL's ``INSERT IGNORE INTO …``), else ``""``.  Once it ran, a row with the values it was given
    exists — it stored one, or one was there already (the conflict it ignored); a failed insert throws."""
    if not sql.upper().lstrip(" (\n\t").startswith("INSERT"):
        return ""
    from sqlglot import exp

    statements = _parsed(sql, (None, "mysql"))  # INSERT IGNORE is MySQL's
    if statements is None or len(statements) != 1 or not isinstance(statements[0], exp.Insert):
        return ""
    target = statements[0].this
    table = target.this if isinstance(target, exp.Schema) else target
    return table.name if isinstance(table, exp.Table) else ""


def _parsed(sql: str, dialects: tuple) -> list | None:
    """``sql``'s statements as sqlglot reads them in the first of ``dialects`` that parses it (the driver's
    placeholders — ``%s``, ``%(slug)s``, ``?``, ``$1`` — read as bind parameters), else ``None``."""
    import sqlglot
    from sqlglot.errors import SqlglotError

    from archlint.domain.sql.lexer import Statement, mask, normalise, placeholders

    masked = mask(sql)
    found = placeholders(masked)
    if found:
        sql = normalise(Statement(0, sql, masked), [], found, False).sql
    for dialect in dialects:
        try:
            return sqlglot.parse(sql, read=dialect)
        except (SqlglotError, ValueError, RecursionError):
            continue
    return None
