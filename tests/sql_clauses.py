"""Clause-by-clause views of a SQL tree, for comparing a lifted query with what the real library
compiles (tests/test_builders_proof.py).

Aliases are resolved to table names (SQLAlchemy's ``article_tags_1``, knex's ``as a``), column
references become ``table.column``, placeholders of every style become ``?``, and ``table.*``
is expanded with the table's columns when they are given — so two trees that mean the same
query compare equal whatever their surface differences.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


def parse(sql: str, dialect: str = "") -> exp.Expression:
    return sqlglot.parse_one(sql, read=dialect or None)


def clauses(tree: exp.Expression, columns: dict[str, list[str]] | None = None) -> dict:
    """FROM, joins (table, side, equality pairs), WHERE atoms, GROUP BY, HAVING atoms, ORDER BY,
    LIMIT/OFFSET, DISTINCT and the projection of the outermost SELECT (or the write's table and
    WHERE)."""
    columns = columns or {}
    if isinstance(tree, (exp.Delete, exp.Update)):
        target = tree.this
        aliases = {(target.alias or target.name).lower(): target.name.lower()} if isinstance(target, exp.Table) else {}
        where = tree.args.get("where")
        return {"kind": type(tree).__name__.lower(), "table": target.name.lower() if isinstance(target, exp.Table) else "",
                "where": _atoms(where.this, aliases) if where is not None else set()}
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    aliases = _aliases(select)
    source = select.args.get("from_") or select.args.get("from")
    base = source.this.name.lower() if source is not None and isinstance(source.this, exp.Table) else ""
    joins = []
    for join in select.args.get("joins") or ():
        if not isinstance(join.this, exp.Table):
            continue
        on = join.args.get("on")
        pairs = frozenset(
            frozenset((_column(eq.this, aliases), _column(eq.expression, aliases)))
            for eq in (on.find_all(exp.EQ) if on is not None else ())
            if isinstance(eq.this, exp.Column) and isinstance(eq.expression, exp.Column)
        )
        joins.append((join.this.name.lower(), (join.args.get("side") or "").upper(), pairs))
    where = select.args.get("where")
    having = select.args.get("having")
    group = select.args.get("group")
    order = select.args.get("order")
    limit = select.args.get("limit")
    offset = select.args.get("offset")
    return {
        "kind": "select",
        "from": base,
        "joins": sorted(joins, key=lambda j: (j[0], j[1], sorted(sorted(p) for p in j[2]))),
        "where": _atoms(where.this, aliases) if where is not None else set(),
        "group": sorted(_column(c, aliases) for c in group.find_all(exp.Column)) if group is not None else [],
        "having": _atoms(having.this, aliases) if having is not None else set(),
        "order": [(_term(o.this, aliases), bool(o.args.get("desc"))) for o in order.expressions] if order is not None else [],
        "limit": _bound(limit),
        "offset": _bound(offset),
        "distinct": select.args.get("distinct") is not None,
        "projection": _projection(select, aliases, columns),
    }


def _aliases(select: exp.Select) -> dict[str, str]:
    found = {}
    for table in select.find_all(exp.Table):
        if table.find_ancestor(exp.Select) is not select:
            continue
        found[(table.alias or table.name).lower()] = table.name.lower()
        found[table.name.lower()] = table.name.lower()
    return found


def _column(node, aliases) -> str:
    if not isinstance(node, exp.Column):
        return type(node).__name__.lower()
    table = aliases.get(node.table.lower(), node.table.lower())
    name = "*" if isinstance(node.this, exp.Star) else node.name.lower()
    return f"{table}.{name}" if table else name


def _term(node, aliases) -> str:
    if isinstance(node, exp.Column):
        return _column(node, aliases)
    if isinstance(node, exp.AggFunc):
        inner = node.this
        if isinstance(inner, exp.Distinct):
            return f"{type(node).__name__.lower()}(distinct {_term(inner.expressions[0], aliases)})"
        return f"{type(node).__name__.lower()}({_term(inner, aliases) if inner is not None else '*'})"
    if isinstance(node, exp.Star):
        return "*"
    if isinstance(node, (exp.Placeholder, exp.Parameter)) or (isinstance(node, exp.Literal) and not node.is_string and False):
        return "?"
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, (exp.Anonymous, exp.Func)):
        return node.sql_name().lower() if hasattr(node, "sql_name") else type(node).__name__.lower()
    return type(node).__name__.lower()


_BOUND = (exp.Placeholder, exp.Parameter)


def _value(node) -> str:
    if isinstance(node, _BOUND) or isinstance(node, exp.Literal):
        return "?"  # a bound value or a literal the library binds: both are values
    if isinstance(node, exp.Null):
        return "null"
    return type(node).__name__.lower()


def _atoms(condition, aliases) -> set:
    """The comparisons of a condition: (left term, operator, right term or value)."""
    atoms = set()
    for node in condition.walk():
        if isinstance(node, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.Is)):
            left, right = node.this, node.expression
            if isinstance(left, _BOUND) and isinstance(right, exp.Column):
                left, right = right, left
            right_term = _column(right, aliases) if isinstance(right, exp.Column) else _value(right)
            # Case-insensitive LIKE is ILIKE on PostgreSQL and LIKE on SQLite/MySQL: one atom.
            operator = "like" if isinstance(node, exp.ILike) else type(node).__name__.lower()
            atoms.add((_term(left, aliases), operator, right_term))
        elif isinstance(node, exp.In):
            atoms.add((_term(node.this, aliases), "in", "?"))
    return atoms


def _bound(node) -> str | None:
    if node is None:
        return None
    return "?"  # knex binds LIMIT/OFFSET values, SQLAlchemy inlines them here: a value either way


def _projection(select: exp.Select, aliases, columns) -> list[str]:
    found = set()
    for item in select.expressions:
        value = item.unalias() if isinstance(item, exp.Alias) else item
        if isinstance(value, exp.Column) and isinstance(value.this, exp.Star):
            table = aliases.get(value.table.lower(), value.table.lower())
            if table in columns:
                found.update(f"{table}.{c.lower()}" for c in columns[table])
                continue
        found.add(_term(value, aliases))
    return sorted(found)
