"""Names in a SQL tree against what the query itself and the schema define.

AL419: a qualified column (``u.username``) whose qualifier no FROM/JOIN of its query (or of an
enclosing query, for a correlated subquery) introduces — the database rejects it (PostgreSQL
``missing FROM-clause entry for table "u"``, SQLite ``no such column: u.username``).  AL411 /
AL412 for trees that are not SQL text (lifted from a builder): a table or a column the project's
catalog (``archlint/semantics/tables.py``) does not define, judged only against closed tables.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from archlint.domain.records import NamedTuple

from sqlglot import exp

from archlint.domain.sql.catalog_tables import catalog_pattern
from archlint.domain.sql.lexer import has_sentinel

# Oracle's data dictionary (`select SUM(bytes) from dba_segments`, `user_tab_columns`) is a catalog like pg_*
_SYSTEM = catalog_pattern("excluded", "new", "old")  # pseudo-tables of upserts and triggers too
_MISSING = {
    "postgresql": 'missing FROM-clause entry for table "{name}"',
    "sqlite": "no such column: {column}",
    "mysql": "Unknown column '{column}' in 'field list'",
}


class NameIssue(NamedTuple):
    rule: str
    node: exp.Expression
    message: str
    guidance: str


def _scope(select: exp.Expression) -> set[str]:
    """Names a column of ``select`` may be qualified with: its own tables and aliases, those of the
    queries it is nested in (correlation), and CTE names."""
    names: set[str] = set()
    node = select
    while node is not None:
        if isinstance(node, (exp.Select, exp.Update, exp.Delete, exp.Insert)):
            names |= _sources(node)
        if isinstance(node, exp.Expression):
            with_ = node.args.get("with") or node.args.get("with_")
            if with_ is not None:
                names |= {cte.alias_or_name.lower() for cte in with_.expressions}
        node = node.parent
    return names


def _sources(node: exp.Expression) -> set[str]:
    found: set[str] = set()
    items = []
    source = node.args.get("from_") or node.args.get("from")
    if source is not None:
        items.append(source.this)
        items.extend(source.expressions or [])
    items.extend(join.this for join in node.args.get("joins") or ())
    if isinstance(node, (exp.Update, exp.Delete, exp.Insert)):
        target = node.this.this if isinstance(node.this, exp.Schema) else node.this
        items.append(target)
        items.extend(node.args.get("tables") or ())
        using = node.args.get("using")
        if using is not None:
            items.extend(using if isinstance(using, list) else [using])
    for item in items:
        if isinstance(item, exp.Table):
            found.add(item.name.lower())
            if item.alias:
                found.add(item.alias.lower())
        elif isinstance(item, (exp.Subquery, exp.Lateral, exp.Unnest)) or item is not None:
            alias = getattr(item, "alias", "")
            if alias:
                found.add(alias.lower())
            if isinstance(item, exp.Expression) and not isinstance(item, exp.Table):
                found.add("*")  # a table function / subquery without an alias: cannot judge
    return found


def _owner(column: exp.Column) -> exp.Expression | None:
    return column.find_ancestor(exp.Select, exp.Update, exp.Delete)


def unknown_qualifiers(tree: exp.Expression, dialect=None, raw=None) -> Iterator[NameIssue]:
    """AL419, at most once per qualifier."""
    if not isinstance(tree, (exp.Select, exp.Update, exp.Delete, exp.Union, exp.Insert)):
        return
    reported: set[str] = set()
    for column in tree.find_all(exp.Column):
        qualifier = column.table
        if not qualifier or column.args.get("db") or column.args.get("catalog"):
            continue
        lowered = qualifier.lower()
        if lowered in reported or has_sentinel(lowered) or _SYSTEM.match(lowered):
            continue
        if raw is not None and raw(column):
            continue
        owner = _owner(column)
        if owner is None:
            continue
        scope = _scope(owner)
        if "*" in scope or lowered in scope:
            continue
        if column.find_ancestor(exp.Order) is not None and isinstance(owner, exp.Select) and _union_order(owner):
            continue
        reported.add(lowered)
        name = dialect.name if dialect is not None else ""
        written = f"{qualifier}.{column.name}"
        outcome = _MISSING.get(name, 'an error (missing FROM-clause entry / no such column)').replace("{name}", qualifier).replace("{column}", written)
        tables = ", ".join(sorted(n for n in scope if n != "*")) or "none"
        message = (
            f"`{written}` is qualified with `{qualifier}`, but no FROM/JOIN of the query introduces `{qualifier}` "
            f"(it has: {tables}): the query fails with {outcome}"
        )
        guidance = f"Join the table under that alias (`JOIN <table> {qualifier} ON …`), or qualify the column with an alias the query has."
        yield NameIssue("AL419", column, message, guidance)


def _union_order(select: exp.Select) -> bool:
    return isinstance(select.parent, exp.Union)


def check(tree: exp.Expression, catalog, dialect, raw=None) -> Iterator[NameIssue]:
    """AL419, then AL411/AL412 against the catalog (closed tables only)."""
    yield from unknown_qualifiers(tree, dialect, raw)
    if catalog is None or not catalog.closed or not catalog.tables:
        return
    aliases: dict[str, str] = {}
    unknown_table = False
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        name = table.name.lower()
        aliases[(table.alias or table.name).lower()] = name
        if name in ctes or catalog.get(name) is not None or has_sentinel(name) or _SYSTEM.match(name):
            continue
        if raw is not None and raw(table):
            continue
        if not catalog.authoritative and not difflib.get_close_matches(name, list(catalog.tables), n=1, cutoff=0.8):
            continue
        unknown_table = True
        close = difflib.get_close_matches(name, list(catalog.tables), n=1)
        hint = f"Did you mean `{close[0]}`? " if close else ""
        outcome = dialect.says("unknown_table", table.name) if dialect is not None else "a 'no such table' error"
        sources = sorted({t.source for t in catalog.tables.values()})
        message = f"table `{table.name}` is not in the schema this project defines ({', '.join(sources[:4])}): the query fails with {outcome}"
        yield NameIssue("AL411", table, message, f"{hint}Use an existing table, or add it to the migrations first.")
    if unknown_table:
        return
    projected = {p.alias.lower() for s in tree.find_all(exp.Select) for p in s.expressions if p.alias}
    tables = set(aliases.values())
    for column in tree.find_all(exp.Column):
        if isinstance(column.this, exp.Star) or (raw is not None and raw(column)):
            continue
        qualifier = column.table.lower()
        if qualifier:
            table_name = aliases.get(qualifier)
        elif len(tables) == 1 and not any(True for _ in tree.find_all(exp.Subquery)):
            table_name = next(iter(tables))
        else:
            continue
        table = catalog.get(table_name) if table_name else None
        name = column.name.lower()
        if table is None or not table.closed or not table.columns or table.has(name) or name in projected:
            continue
        if has_sentinel(name) or name in ("rowid", "oid", "ctid", "_rowid_"):
            continue
        outcome = dialect.says("unknown_column", column.name) if dialect is not None else "a 'no such column' error"
        close = difflib.get_close_matches(name, list(table.columns), n=1)
        hint = f"Did you mean `{table.columns[close[0]]}`? " if close else ""
        listing = ", ".join(sorted(table.columns.values())[:12])
        message = f"column `{column.name}` does not exist in `{table.name}` (defined in {table.where}): the query fails with {outcome}"
        yield NameIssue("AL412", column, message, f"{hint}Use an existing column of `{table.name}` ({listing}).")
        return
