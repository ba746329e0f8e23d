"""Rules on one parsed statement: queries that run but do the wrong thing.

AL405 UPDATE/DELETE without WHERE · AL406 join without a condition (cartesian product) ·
AL407 ``= NULL`` · AL408 a selected column neither grouped nor aggregated · AL409 LIMIT/OFFSET
without ORDER BY · AL410 COUNT over a one-to-many join · AL414 ``SELECT *`` · AL416 LIMIT over
the rows of a one-to-many join.

Each rule reads sqlglot's tree; positions come from identifier metadata (mapped back through
the normalisation) or from the keyword in the masked statement text.  Rules that a suffix could
invalidate (``q += " WHERE …"``) only run on exact texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.domain.records import NamedTuple

from sqlglot import exp

from archlint.checks.sql.analysis import Prepared, PreparedStatement
from archlint.domain.datalayer import migration
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.sql.holes import CONSTANT, SqlHole
from archlint.domain.sql.lexer import hole_number, placeholder_sentinel

_NULL_COMPARISON = lazy_compile(r"(=|<>|!=)\s*NULL\b|\bNULL\s*(=|<>|!=)", re.IGNORECASE)
_STAR = lazy_compile(r"\bSELECT\s+(?:DISTINCT\s+)?(\*|[\w\"`]+\.\*)", re.IGNORECASE)
_EXPLICIT_ON = lazy_compile(r"^\s*(?:AS\s+)?(?:[\w\"`]+\s+)?(ON|USING)\b", re.IGNORECASE)


class Issue(NamedTuple):
    rule: str
    offset: int  # in the statement
    length: int
    message: str
    guidance: str


def check_statement(prepared: Prepared, item: PreparedStatement, exact: bool, bounded_writes: bool) -> Iterator[Issue]:
    """``bounded_writes``: UPDATE/DELETE here are meant to touch selected rows (application code,
    not a migration, a script or a ``clear()``-style method)."""
    tree = item.tree
    if tree is None:
        return
    if exact:
        if bounded_writes:
            yield from _unbounded_write(prepared, item, tree)
        yield from _cartesian_joins(item, tree)
        yield from _group_by(prepared, item, tree)
        yield from _aggregate_without_group(prepared, item, tree)
        yield from _count_fan_out(item, tree)
        yield from _limit_over_collection(item, tree)
        yield from _unknown_qualifiers(prepared, item, tree)
    yield from _untyped_parameters(prepared, item, tree)
    yield from _null_comparison(item, tree)
    yield from _limit_without_order(item, tree)
    if not migration(prepared.site.path):  # a migration runs against its own revision's schema: no column is added under it
        yield from _select_star(item, tree)


def identifier_offset(item: PreparedStatement, node: exp.Expression) -> tuple[int, int] | None:
    """(offset in the statement, length) of the first identifier of ``node``."""
    identifier = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier)
    if identifier is None or "start" not in identifier.meta:
        return None
    start = item.original(identifier.meta["start"])
    return start, len(identifier.name)


def hole_named(prepared: Prepared, name: str) -> SqlHole | None:
    """The interpolation hole behind a sentinel identifier (``__h3``), if ``name`` is one."""
    number = hole_number(name)
    holes = prepared.site.sql.holes if prepared.site.sql is not None else ()
    return holes[number] if number is not None and number < len(holes) else None


def _keyword(item: PreparedStatement, pattern: str) -> tuple[int, int]:
    match = re.search(pattern, item.statement.masked, re.IGNORECASE)
    if match is None:
        stripped = len(item.statement.text) - len(item.statement.text.lstrip())
        return stripped, 1
    return match.start(), len(match.group(0))


def _selects(tree: exp.Expression) -> Iterator[exp.Select]:
    yield from tree.find_all(exp.Select)


def _own(select: exp.Select, node: exp.Expression) -> bool:
    """``node`` belongs to ``select`` itself, not to a subquery inside it."""
    return node.find_ancestor(exp.Select) is select


# AL405 --------------------------------------------------------------------------------------------------
def _unbounded_write(prepared: Prepared, item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    if not isinstance(tree, (exp.Update, exp.Delete)) or tree.args.get("where") is not None:
        return
    verb = "UPDATE" if isinstance(tree, exp.Update) else "DELETE"
    table = tree.this.name if isinstance(tree.this, exp.Table) else "the table"
    hole = hole_named(prepared, table)
    if hole is not None:
        if hole.origin != CONSTANT:
            return  # a helper over any table (schema utilities, cache back-ends), not one app query
        table = hole.expr
    effect = "overwrites the updated columns of every row" if verb == "UPDATE" else "deletes every row"
    offset, length = _keyword(item, r"\b" + verb + r"\b")
    message = f"`{verb}` on `{table}` has no WHERE clause: it {effect} of `{table}`, not the one row the code means"
    guidance = "Add the WHERE clause that selects the intended rows (`WHERE id = ?`); if every row is really meant, write `WHERE true` (or TRUNCATE in a migration) to say so."
    yield Issue("AL405", offset, length, message, guidance)


# AL406 --------------------------------------------------------------------------------------------------
def _cartesian_joins(item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    single = _single_row_ctes(tree)
    for select in _selects(tree):
        from_ = select.args.get("from_") or select.args.get("from")
        if from_ is None:
            continue
        seen = {_alias(t) for t in from_.find_all(exp.Table)}
        for join in select.args.get("joins") or []:
            table = join.this
            if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
                continue  # a table function (json_each, unnest) or a subquery
            alias = _alias(table)
            if table.name.lower() in single:
                seen.add(alias)
                continue  # `WITH q AS (SELECT plainto_tsquery(…) AS query) … FROM t, q`: one row, no product
            position = identifier_offset(item, table)
            if position is not None and _unconditioned(item, join, position, select, seen, alias):
                message = (
                    f"`{table.name}` is joined without a join condition: every row of it is paired with every row of "
                    f"the other table(s) — a cartesian product that multiplies the result and grows with the data"
                )
                guidance = f"Join on the key: `JOIN {table.name} {alias} ON {alias}.<fk> = <other>.id` (write CROSS JOIN when the product is intended)."
                yield Issue("AL406", position[0], position[1], message, guidance)
            seen.add(alias)


def _single_row_ctes(tree: exp.Expression) -> set[str]:
    """Names of the CTEs that yield exactly one row: a SELECT without FROM (``SELECT
    plainto_tsquery('simple', :q) AS query``), an aggregate without GROUP BY (``SELECT max(x)``), a
    ``LIMIT 1``, or an ``INSERT … VALUES (one row) RETURNING id`` (the upsert-then-use idiom of
    PostgreSQL migrations).  Joining one row adds columns to every row and multiplies nothing."""
    found = set()
    for cte in tree.find_all(exp.CTE):
        query = cte.this
        if isinstance(query, exp.Insert) and cte.alias and query.args.get("returning") is not None:
            values = query.expression
            if isinstance(values, exp.Values) and len(values.expressions) == 1:
                found.add(cte.alias.lower())
            continue
        if not isinstance(query, exp.Select) or not cte.alias:
            continue
        if is_one_row_limit(query.args.get("limit")):
            found.add(cte.alias.lower())
            continue
        from_ = query.args.get("from_") or query.args.get("from")
        if query.args.get("joins") or query.args.get("where") is not None or query.args.get("group") is not None:
            continue
        if query.args.get("having") is not None:
            continue
        aggregate = query.expressions and all(isinstance(e.unalias(), exp.AggFunc) for e in query.expressions)
        if from_ is None or aggregate:
            found.add(cte.alias.lower())
    return found


def _alias(table: exp.Table) -> str:
    return (table.alias or table.name).lower()


def _unconditioned(item, join: exp.Join, position, select: exp.Select, seen: set[str], alias: str) -> bool:
    masked = item.statement.masked
    before = masked[: position[0]].rstrip().rstrip('"`').rstrip()
    before = re.sub(r"[\w`\"\[\]]+\s*\.\s*$", "", before).rstrip()  # `schema.` of a qualified table name
    if join.args.get("using") or (join.args.get("on") is not None and not _implicit_true(join)):
        return False
    if (join.method or "").upper() == "NATURAL":
        return False  # NATURAL [LEFT|INNER] JOIN: joined on the shared column names
    # CROSS JOIN is read from the text: sqlglot marks a plain comma join `FROM a, b` as kind CROSS too
    if re.search(r"\bCROSS\s+JOIN$", before, re.IGNORECASE) or re.search(r"\bLATERAL$", before, re.IGNORECASE):
        return False
    if _EXPLICIT_ON.match(masked[position[0] + position[1] :]):
        return False  # an explicit `ON TRUE`
    if before.endswith(","):
        return not _linked(select, alias, seen)
    return True


def _implicit_true(join: exp.Join) -> bool:
    on = join.args.get("on")
    return isinstance(on, exp.Boolean) and on.this is True


def _linked(select: exp.Select, alias: str, seen: set[str]) -> bool:
    """A comma join is a join when equalities in WHERE tie the new table to an earlier one — directly, or
    through a table listed after it (``FROM pg_class t, pg_class i, pg_index idx WHERE t.oid = idx.indrelid
    AND i.oid = idx.indexrelid``: ``i`` meets ``t`` through ``idx``)."""
    where = select.args.get("where")
    if where is None:
        return False
    edges: dict[str, set[str]] = {}
    for equality in where.find_all(exp.EQ):
        sides = [{c.table.lower() for c in side.find_all(exp.Column)} for side in (equality.this, equality.expression)]
        if any("" in side for side in sides):
            return True  # an unqualified column: cannot tell, assume it links
        for a, b in (sides, sides[::-1]):
            for x in a:
                edges.setdefault(x, set()).update(b - {x})
    reached, frontier = {alias}, [alias]
    while frontier:
        for other in edges.get(frontier.pop(), ()):
            if other in seen:
                return True
            if other not in reached:
                reached.add(other)
                frontier.append(other)
    return False


# AL407 --------------------------------------------------------------------------------------------------
def _null_comparison(item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    for comparison in tree.find_all(exp.EQ, exp.NEQ):
        if not (isinstance(comparison.this, exp.Null) or isinstance(comparison.expression, exp.Null)):
            continue
        if comparison.find_ancestor(exp.Where, exp.Having, exp.Join, exp.If, exp.Case) is None:
            continue  # `SET col = NULL` is an assignment
        match = _NULL_COMPARISON.search(item.statement.masked)
        offset, length = (match.start(), len(match.group(0))) if match else _keyword(item, r"\bNULL\b")
        written = " ".join(match.group(0).split()) if match else ("= NULL" if isinstance(comparison, exp.EQ) else "<> NULL")
        fix = "IS NULL" if isinstance(comparison, exp.EQ) else "IS NOT NULL"
        message = (
            f"`{written}` is never true: any comparison with NULL yields NULL (unknown), so the condition "
            f"silently matches no row"
        )
        yield Issue("AL407", offset, length, message, f"Write `{fix}`.")
        return


# AL408 --------------------------------------------------------------------------------------------------
def _group_by(prepared: Prepared, item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    for select in _selects(tree):
        group = select.args.get("group")
        if group is None or not group.expressions:
            continue
        if any(isinstance(g, exp.Literal) for g in group.expressions):
            continue  # GROUP BY 1, 2
        aliases = {p.alias.lower() for p in select.expressions if p.alias}
        grouped = {(c.table.lower(), c.name.lower()) for g in group.expressions for c in g.find_all(exp.Column)}
        grouped_sql = {g.sql().lower() for g in group.expressions}
        keyed = {table for table, name in grouped if name == "id"}
        keyed = joined_keyed(select, keyed, prepared.dialect.name if prepared.dialect is not None else "")
        for projection in select.expressions:
            column = ungrouped(projection, grouped, grouped_sql, keyed, aliases)
            if column is None:
                continue
            position = identifier_offset(item, column) or (0, 1)
            dialect = prepared.dialect
            outcome = dialect.says("group_by", column.name) if dialect is not None else (
                "PostgreSQL and MySQL reject it; SQLite returns a value from an arbitrary row of each group"
            )
            message = f"`{column.sql()}` is selected but neither grouped nor aggregated: {outcome}"
            guidance = f"Add `{column.sql()}` to GROUP BY, or aggregate it (MAX({column.sql()}), COUNT(…))."
            yield Issue("AL408", position[0], position[1], message, guidance)
            return


def joined_keyed(select: exp.Select, keyed: set, database: str, primary_key=lambda table: "id") -> set:
    """``keyed`` plus the tables a join reaches through their primary key from a keyed table
    (``GROUP BY articles.id`` … ``JOIN users ON articles.author = users.id``: one user per group, so
    ``users.username`` has one value).  SQLite returns it as is, MySQL (5.7+) derives the same
    dependency from an inner join's equality; PostgreSQL recognises only the grouped table's own
    key, so there it stays an error."""
    if database not in ("sqlite", "mysql", "mariadb"):
        return keyed
    keyed = set(keyed)
    joins = list(select.args.get("joins") or ())
    changed = True
    while changed:
        changed = False
        for join in joins:
            table = join.this
            if not isinstance(table, exp.Table) or database != "sqlite" and join.side:
                continue
            alias = table.alias_or_name.lower()
            if alias in keyed or join.args.get("on") is None:
                continue
            key = (primary_key(table.name) or "id").lower()
            for equality in join.args["on"].find_all(exp.EQ):
                sides = (equality.this, equality.expression)
                if all(isinstance(side, exp.Column) for side in sides) and any(
                        side.table.lower() == alias and side.name.lower() == key and other.table.lower() in keyed
                        for side, other in (sides, sides[::-1])):
                    keyed.add(alias)
                    changed = True
                    break
    return keyed


def ungrouped(projection, grouped, grouped_sql, keyed, aliases) -> exp.Column | None:
    """The first column of a projection that is neither grouped, aggregated nor functionally
    dependent on a grouped key (``None`` when there is none)."""
    value = projection.unalias() if isinstance(projection, exp.Alias) else projection
    # Unknown functions and WITHIN GROUP may be aggregates sqlglot does not model (LISTAGG …).
    if isinstance(value, exp.Star) or value.find(exp.AggFunc, exp.Window, exp.Subquery, exp.WithinGroup, exp.Anonymous):
        return None
    if value.sql().lower() in grouped_sql or (projection.alias and projection.alias.lower() in grouped_sql):
        return None
    for column in value.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            return None
        key = (column.table.lower(), column.name.lower())
        if key in grouped or ("", key[1]) in grouped or any(name == key[1] for _, name in grouped if not key[0]):
            continue
        if key[0] in keyed or (not key[0] and "" in keyed) or key[1] in aliases:
            continue  # functionally dependent on a grouped primary key
        return column
    return None


# AL409 --------------------------------------------------------------------------------------------------
def _limit_without_order(item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    for select in _selects(tree):
        if not pages_unordered(select):
            continue
        limit = select.args.get("limit")
        position = _keyword(item, r"\bLIMIT\b" if limit is not None else r"\bOFFSET\b")
        message = (
            "LIMIT/OFFSET without ORDER BY: the database returns rows in no particular order, so pages overlap or "
            "skip rows and the same request returns different rows between runs"
        )
        guidance = "Add an ORDER BY on a unique key before LIMIT (e.g. `ORDER BY created_at DESC, id DESC`)."
        yield Issue("AL409", position[0], position[1], message, guidance)
        return


def pages_unordered(select: exp.Select, batched: bool = False) -> bool:
    """Whether ``select`` takes a LIMIT/OFFSET slice of rows whose order is undefined *and matters*
    (AL409, for raw SQL and lifted queries alike).  Order does not matter for: ``LIMIT 1`` (a lookup
    or an existence check), ``LIMIT 2`` (a uniqueness probe), one aggregate row, ``EXISTS (…)``, a slice ordered by its enclosing
    union or select, a slice only counted (``SELECT count(*) FROM (… LIMIT n)``), and a LIMIT with no
    OFFSET that picks the next batch for an UPDATE/DELETE/INSERT (``WITH batch AS (SELECT id …
    LIMIT 500) UPDATE …`` / ``WHERE id IN (SELECT … LIMIT :n)``: any rows will do, the loop repeats
    until none are left — prefect's and Django's backfill migrations).  ``batched``: the query runs
    again and again in a ``while`` loop (prefect's services: ``while True: runs = …limit(batch_size)``),
    the same batch idiom written in code."""
    limit, offset = select.args.get("limit"), select.args.get("offset")
    if (limit is None and offset is None) or select.args.get("order") is not None:
        return False
    parent = select.parent
    if isinstance(parent, (exp.Union, exp.Subquery)) and parent.args.get("order") is not None:
        return False
    if select.find_ancestor(exp.Exists) is not None:
        return False
    if offset is None and (is_one_row_limit(limit) or _uniqueness_probe(limit)):
        return False
    if _only_aggregates(select):
        return False  # one aggregate row
    if _series_scan(select):
        return False  # generate_series(start, stop, step) yields its rows in order: the cap only bounds the count
    outer = parent.find_ancestor(exp.Select) if isinstance(parent, exp.Subquery) else None
    if outer is not None and (outer.args.get("order") is not None or _only_aggregates(outer)):
        return False
    return not (offset is None and (batched or select.find_ancestor(exp.Update, exp.Delete, exp.Insert) is not None))


def _series_scan(select: exp.Select) -> bool:
    """The rows are a series a function generates — ``FROM generate_series(start, stop, step) AS dt``
    alone (prefect's timestamp intervals, ``… LIMIT 500``): a function scan returns the series in the
    order it generates it, so the slice is its first rows (sqlglot's ``GenerateSeries`` node)."""
    from_ = select.args.get("from_") or select.args.get("from")
    source = from_.this if from_ is not None else None
    return not select.args.get("joins") and isinstance(source, exp.Table) and isinstance(source.this, exp.GenerateSeries)


def is_one_row_limit(limit) -> bool:
    """``LIMIT 1``."""
    return _limit_literal(limit) == "1"


def _uniqueness_probe(limit) -> bool:
    """``LIMIT 2``: fetch at most two rows to tell "none / one / more than one" apart (what
    ``one_or_none`` semantics need; advanced-alchemy, hand-written ``get_unique``) — which two rows
    come back does not matter."""
    return _limit_literal(limit) == "2"


def _limit_literal(limit) -> str | None:
    """The constant of ``LIMIT n`` (the node or its expression), else None."""
    value = limit.expression if isinstance(limit, exp.Limit) else limit
    return value.this if isinstance(value, exp.Literal) else None


def _only_aggregates(select: exp.Select) -> bool:
    return select.args.get("group") is None and bool(select.expressions) and all(p.find(exp.AggFunc) for p in select.expressions)


# AL410 --------------------------------------------------------------------------------------------------
def _count_fan_out(item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    for select in _selects(tree):
        joins = [j for j in select.args.get("joins") or [] if isinstance(j.this, exp.Table)]
        from_ = select.args.get("from_") or select.args.get("from")
        if not joins or from_ is None or not isinstance(from_.this, exp.Table):
            continue
        base = _alias(from_.this)
        to_many = {_alias(j.this): j.this.name for j in joins if _to_many(j)}
        if not to_many:
            continue
        for count in select.find_all(exp.Count):
            if not _own(select, count) or isinstance(count.this, exp.Distinct):
                continue
            counted = _counted_alias(count, base)
            others = {a: t for a, t in to_many.items() if a != counted}
            star = isinstance(count.this, exp.Star) or count.this is None
            # COUNT(*) over one child table is the child count; it only fans out with a second one.
            if not others or (star and len(to_many) < 2) or counted not in (base, *to_many):
                continue
            joined = " and ".join(f"`{t}`" for t in others.values())
            what = "joined row" if star else ("row" if counted == base else f"`{to_many[counted]}` row")
            position = identifier_offset(item, count) or _keyword(item, r"\bCOUNT\b")
            message = (
                f"`{count.sql()}` over a one-to-many join with {joined}: every counted {what} is repeated once per "
                f"matching {joined} row, so the count is inflated (fan-out)"
            )
            guidance = "Count distinct keys (`COUNT(DISTINCT a.id)`), or count in a correlated subquery instead of joining."
            yield Issue("AL410", position[0], position[1], message, guidance)
            return


def _to_many(join: exp.Join) -> bool:
    """``JOIN comments c ON c.article_id = a.id`` fans out; ``JOIN users u ON u.id = a.author_id`` does not."""
    on = join.args.get("on")
    if on is None or _implicit_true(join):
        return False
    alias = _alias(join.this)
    for equality in on.find_all(exp.EQ):
        for side in (equality.this, equality.expression):
            if isinstance(side, exp.Column) and side.table.lower() == alias:
                return side.name.lower() != "id"
    return False


# AL416 --------------------------------------------------------------------------------------------------
def _limit_over_collection(item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    """``SELECT a.id, t.name FROM articles a LEFT JOIN article_tags at ON at.article_id = a.id …
    LIMIT ?``: the page counts article×tag rows.  A join used as a filter (``WHERE f.follower_id
    = ?``, or ``t.name = ?`` on the table the association leads to) keeps one row per parent."""
    for select in _selects(tree):
        limit, offset = select.args.get("limit"), select.args.get("offset")
        if limit is None and offset is None or (offset is None and is_one_row_limit(limit)):
            continue
        if select.args.get("group") is not None or select.args.get("distinct") is not None:
            continue
        if select.expressions and all(p.find(exp.AggFunc) for p in select.expressions):
            continue
        from_ = select.args.get("from_") or select.args.get("from")
        if from_ is None or not isinstance(from_.this, exp.Table):
            continue
        joins = [j for j in select.args.get("joins") or [] if isinstance(j.this, exp.Table)]
        fanning = [j for j in joins if _to_many(j) and not _filtering(select, j, joins)]
        if not fanning:
            continue
        name = fanning[0].this.name
        position = _keyword(item, r"\bLIMIT\b" if limit is not None else r"\bOFFSET\b")
        message = (
            f"LIMIT/OFFSET applies to the rows of the join with `{name}` (one row per `{name}` row), not to the "
            f"parent rows: a page holds fewer parents than asked and cuts a parent's `{name}` in the middle"
        )
        guidance = (
            "Page the parent rows in a subquery (`WHERE a.id IN (SELECT id FROM articles ORDER BY … LIMIT ?)`), "
            f"then join `{name}` for that page, or aggregate it per parent (GROUP BY)."
        )
        yield Issue("AL416", position[0], position[1], message, guidance)
        return


def _filtering(select: exp.Select, join: exp.Join, joins: list[exp.Join]) -> bool:
    """The join, or a table joined many-to-one from it, is pinned to one value in ON or WHERE — or it
    is an anti-join (``LEFT JOIN r ON s.id = r.id … WHERE r.id IS NULL``: the rows without a match, one
    each; Backstage's orphan clean-up)."""
    if anti_join(select, join):
        return True
    reached = {_alias(join.this)}
    for other in joins:  # in order: article_tags, then tags ON t.id = at.tag_id
        on = other.args.get("on")
        if other is not join and on is not None and not _to_many(other) and any(
                c.table.lower() in reached for c in on.find_all(exp.Column) if c.table.lower() != _alias(other.this)):
            reached.add(_alias(other.this))
    for place in (join.args.get("on"), select.args.get("where")):
        if place is None:
            continue
        for comparison in place.find_all(exp.EQ, exp.In):
            sides = [comparison.this, comparison.expression] if isinstance(comparison, exp.EQ) else [comparison.this, None]
            for mine, other in (sides, reversed(sides)):
                if isinstance(mine, exp.Column) and mine.table.lower() in reached and (
                        other is None or not other.find(exp.Column)):
                    return True
    return False


def anti_join(select: exp.Select, join: exp.Join) -> bool:
    """``LEFT JOIN r ON … WHERE r.<a join column> IS NULL``: the parents without a match, one row each."""
    on, where = join.args.get("on"), select.args.get("where")
    if on is None or where is None or (join.args.get("side") or "").upper() != "LEFT":
        return False
    alias = _alias(join.this)
    joined = {c.name.lower() for c in on.find_all(exp.Column) if c.table.lower() == alias}
    return any(isinstance(test.this, exp.Column) and test.this.table.lower() == alias and test.this.name.lower() in joined
               and isinstance(test.expression, exp.Null) for test in where.find_all(exp.Is))


def _counted_alias(count: exp.Count, base: str) -> str:
    if isinstance(count.this, exp.Star) or count.this is None:
        return base
    column = count.this if isinstance(count.this, exp.Column) else count.this.find(exp.Column)
    return column.table.lower() if column is not None and column.table else base


# AL414 --------------------------------------------------------------------------------------------------
# System catalogs (what introspection code reads): their row shape is the database's, not the app's.
_CATALOG_TABLE = lazy_compile(r"^(sqlite_\w+|pg_\w+|information_schema|dual|(all|user|dba)_\w+|v\$\w+|sys\w*)$", re.IGNORECASE)
_CATALOG_SCHEMA = lazy_compile(r"^(information_schema|pg_catalog|sys|mysql|performance_schema|sysibm|syscat)$", re.IGNORECASE)


def _reads_a_stored_table(select: exp.Select) -> bool:
    """Does the SELECT read a table (not a function, a subquery or a CTE of the same query)?"""
    ctes = {cte.alias_or_name.lower() for cte in select.find_all(exp.CTE)}
    parent = select.parent
    while parent is not None:  # CTEs of an enclosing WITH
        ctes |= {cte.alias_or_name.lower() for cte in parent.find_all(exp.CTE)} if isinstance(parent, exp.Select) else set()
        parent = parent.parent
    from_ = select.args.get("from_") or select.args.get("from")
    sources = ([from_.this] if from_ is not None else []) + [join.this for join in select.args.get("joins") or ()]
    return any(
        isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier) and source.name.lower() not in ctes
        and not _CATALOG_TABLE.match(source.name.strip()) and not _CATALOG_SCHEMA.match((source.db or "").strip())
        for source in sources
    )


def _select_star(item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    if not isinstance(tree, exp.Select):
        return
    if not any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)) for p in tree.expressions):
        return
    if not _reads_a_stored_table(tree):
        return  # SELECT * FROM current_database() / generate_series() / (subquery) / a CTE: no table's row shape
    match = _STAR.search(item.statement.masked)
    offset, length = (match.start(1), len(match.group(1))) if match else _keyword(item, r"\bSELECT\b")
    message = (
        "`SELECT *` reads every column: a column added later silently changes the row shape (tuple unpacking breaks, "
        "responses start leaking fields such as password hashes) and every column is read and sent each time"
    )
    yield Issue("AL414", offset, length, message, "List the columns the code uses.")


# AL415 --------------------------------------------------------------------------------------------------
def aggregate_without_group(select: exp.Select, database: str):
    """(first aggregate, first plain column) of a SELECT that mixes them with no GROUP BY, else
    ``None``.  SQLite's bare column beside a lone MIN()/MAX() is a documented feature, not a bug."""
    if select.args.get("group") is not None:
        return None
    aggregates = [p for p in select.expressions if not p.find(exp.Window)
                  and any(a.find_ancestor(exp.Select) is select for a in p.find_all(exp.AggFunc))]
    if not aggregates:
        return None
    plain = next((p for p in select.expressions if _plain(p)), None)
    if plain is None:
        return None
    if database == "sqlite" and all(type(a.unalias() if isinstance(a, exp.Alias) else a) in (exp.Min, exp.Max) for a in aggregates):
        return None
    return aggregates[0], plain


def _plain(projection: exp.Expression) -> bool:
    value = projection.unalias() if isinstance(projection, exp.Alias) else projection
    if value.find(exp.AggFunc, exp.Window, exp.Subquery, exp.Anonymous):
        return False
    return value.find(exp.Column) is not None or isinstance(value, exp.Star)


GROUP_OUTCOME = {
    "postgresql": 'column "{name}" must appear in the GROUP BY clause or be used in an aggregate function',
    "mysql": "ER_MIX_OF_GROUP_FUNC_AND_FIELDS (ONLY_FULL_GROUP_BY): In aggregated query without GROUP BY, expression contains nonaggregated column '{name}'",
    "sqlite": "no error: SQLite collapses the result to one row and takes `{name}` from an arbitrary row",
}


def aggregate_message(name: str, database: str) -> str:
    shown = name[:-1] + "…" if name.endswith("*") else name  # PostgreSQL names the first column of t.*
    outcome = GROUP_OUTCOME.get(database, "PostgreSQL and MySQL reject it; SQLite collapses the result to one row").replace("{name}", shown)
    return (
        f"`{name}` is selected beside an aggregate with no GROUP BY: the query returns one row for the whole table "
        f"instead of one per `{name}` row — {outcome}"
    )


def _aggregate_without_group(prepared: Prepared, item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    database = prepared.dialect.name if prepared.dialect is not None else ""
    for select in _selects(tree):
        found = aggregate_without_group(select, database)
        if found is None:
            continue
        _aggregate, plain = found
        value = plain.unalias() if isinstance(plain, exp.Alias) else plain
        position = identifier_offset(item, value) or _keyword(item, r"\bSELECT\b")
        guidance = "Add GROUP BY on the parent's key (`GROUP BY a.id`), or aggregate every selected column."
        yield Issue("AL415", position[0], position[1], aggregate_message(value.sql(), database), guidance)
        return


# AL419 --------------------------------------------------------------------------------------------------
def _unknown_qualifiers(prepared: Prepared, item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    from archlint.checks.sql.names import unknown_qualifiers

    for issue in unknown_qualifiers(tree, prepared.dialect):
        position = identifier_offset(item, issue.node) or (0, 1)
        yield Issue(issue.rule, position[0], position[1], issue.message, issue.guidance)
        return


# AL420 --------------------------------------------------------------------------------------------------
_SERVER_BOUND = frozenset({"dollar"})  # placeholders PostgreSQL itself types (pg, asyncpg): $1, $2


def _untyped_parameters(prepared: Prepared, item: PreparedStatement, tree: exp.Expression) -> Iterator[Issue]:
    """A ``$n`` PostgreSQL must type where it first meets it, met first where nothing types it."""
    dialect = prepared.dialect
    if dialect is None or dialect.name != "postgresql":
        return
    sentinels = {placeholder_sentinel(index): placeholder for index, placeholder in enumerate(item.placeholders)}
    first: dict[str, exp.Expression] = {}
    for node in tree.find_all(exp.Placeholder, bfs=False):
        placeholder = sentinels.get(node.name)
        if placeholder is None or placeholder.kind not in _SERVER_BOUND or placeholder.name in first:
            continue
        first[placeholder.name] = (node, placeholder)
    for number, (node, placeholder) in sorted(first.items()):
        if not _untyped(node):
            continue
        text = item.statement.text[placeholder.offset: placeholder.offset + placeholder.length]
        message = (
            f"`{text}` is first used in `{node.parent.sql(dialect='postgres')}`, where nothing gives it a type: PostgreSQL "
            f"cannot prepare the statement and fails every call with 'could not determine data type of parameter {text}'"
        )
        guidance = f"Cast it where it is first used (`{text}::text IS NULL`), or compare it with a column before the IS NULL test."
        yield Issue("AL420", placeholder.offset, placeholder.length, message, guidance)
        return


def _untyped(node: exp.Expression) -> bool:
    parent = node.parent
    if isinstance(parent, exp.Is) and parent.this is node and isinstance(parent.expression, exp.Null):
        return True
    if isinstance(parent, exp.Coalesce):
        others = [parent.this, *parent.expressions]
        return all(isinstance(o, (exp.Placeholder, exp.Null)) for o in others)
    return False
