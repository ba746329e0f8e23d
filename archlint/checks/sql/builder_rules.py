"""The SQL rules on queries lifted from builder chains (``archlint/semantics/builders``), and the
rules only a builder shows.

Each lifted query is a sqlglot tree whose nodes remember the builder call that wrote them, so a
finding sits on ``.limit(10)`` / ``findAll({ limit })`` / ``qs[:20]`` and its guidance speaks the
builder's idiom (``IDIOM`` of each builder module).  What runs here:

* the statement rules of embedded SQL on the tree: AL405 a write with no condition (all of a
  query's possible chains lack one; Django only in a request path), AL406 a cartesian join,
  AL408 / AL415 columns beside aggregates, AL409 LIMIT/OFFSET without ORDER BY, AL410 COUNT over
  a one-to-many join, AL402 constructs of another database, AL411 / AL412 names the schema does
  not have, AL419 a qualifier that is not in FROM/JOIN;
* AL416 LIMIT over joined collection rows;
* the builders' own problems: AL417 unknown field/lookup, AL418 a value where the builder takes
  an identifier, AL421 a join with no (or several) foreign-key paths.

Rules that need the whole query (no WHERE, a cartesian product) only judge ``exact`` lifts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

from sqlglot import exp

from archlint.checks.sql import names
from archlint.checks.sql.statement_rules import anti_join, is_one_row_limit, pages_unordered
from archlint.domain import ir
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics.builders import LIFTERS, base, lift_query
from archlint.semantics.builders.sqlalchemy import PORTABLE
from archlint.semantics.tables import snake
from archlint.semantics.web import analyses_by_function

# Reported by the lifters themselves (semantics/builders), as problems of a lifted query.
BUILDER_PROBLEMS = ("AL417", "AL418", "AL421")

class Context:
    """What the rules of one project need: the registry, the schema, the database."""

    def __init__(self, ctx, program, catalog, dialect, sql, handlers: frozenset) -> None:
        self.ctx = ctx
        self.program = program
        self.catalog = catalog
        self.dialect = dialect  # Dialect of the project's database, or None
        self.sql = sql
        self.handlers = handlers  # (path, fid) of route handlers


def run(context: Context, runs) -> Iterator[Finding]:
    # A run's lifted sqlglot trees are cyclic (parent links) and dead once it is judged, but the
    # pipeline pauses the collector for the whole check: on a saleor-sized tree 137k of their
    # objects (~50 MB, the check's peak) piled up here.  What is alive now is frozen, out of reach
    # of the collections below, so each pass sees only what the last runs allocated (~0.1 s there).
    paused = not gc.isenabled()
    if paused:
        gc.freeze()
    try:
        for index, run in enumerate(runs):
            yield from _judge(context, run)
            if paused and index % 32 == 31:
                gc.collect(1)
    finally:
        if paused:
            gc.unfreeze()


def _judge(context: Context, run) -> Iterator[Finding]:
    alternatives = lift_query(context.program, context.catalog, run.query)
    if not alternatives:
        return
    for lifted in alternatives:
        for problem in lifted.problems:
            yield context.ctx.registry.finding(problem.rule, problem.path, problem.span, problem.message, problem.guidance)
    found = list(_write_without_where(context, run, alternatives))
    for lifted in alternatives:
        if not non_production(lifted.path):
            found.extend(_statement(context, lifted, run))
    yield from (item for item in found if item is not None)


def _finding(context: Context, rule: str, lifted: base.Lifted, node, message: str, guidance: str) -> Finding | None:
    if rule in lifted.covered:
        return None
    path, span = lifted.at(node)
    return context.ctx.registry.finding(rule, path, span, message, guidance)


def _idiom(lifted: base.Lifted, key: str) -> str:
    module = LIFTERS.get(lifted.builder)
    return getattr(module, "IDIOM", {}).get(key, "")


def _selects(tree: exp.Expression) -> list[exp.Select]:
    return list(tree.find_all(exp.Select))


def _statement(context: Context, lifted: base.Lifted, run) -> Iterator[Finding]:
    tree = lifted.tree
    if tree.find(exp.Limit, exp.Offset) is not None:
        yield from _limit_without_order(context, lifted, tree, run.in_while or _writes_its_batch(context.program, run))
    yield from _aggregates(context, lifted, tree)
    yield from _count_fan_out(context, lifted, tree)
    yield from _limit_over_collection(context, lifted, tree)
    yield from _dialect(context, lifted, tree)
    if lifted.exact:
        yield from _cartesian(context, lifted, tree)
    yield from _names(context, lifted, tree)


# AL405 ----------------------------------------------------------------------------------------------
def _write_without_where(context: Context, run, alternatives) -> Iterator[Finding]:
    """Every possible chain writes with no condition (a branch that adds ``.where`` is a fix)."""
    writes = [a for a in alternatives if isinstance(a.tree, (exp.Update, exp.Delete))]
    if not writes or len(writes) != len(alternatives) or not all(a.exact for a in writes):
        return
    if any(_has_condition(a.tree) for a in writes):
        return
    first = writes[0]
    if non_production(first.path) or _purges(context, first, first.tree.this) or _resets_then_sets_one(context, first):
        return
    if first.builder == "django" and not (run.handlers & context.handlers):
        return  # Django: only a request path deletes/updates everything by accident
    tree = first.tree
    verb = "UPDATE" if isinstance(tree, exp.Update) else "DELETE"
    table = tree.this.name if isinstance(tree.this, exp.Table) else "the table"
    effect = "overwrites those columns in every row" if verb == "UPDATE" else "deletes every row"
    message = (
        f"this {first.builder} {verb.lower()} of `{table}` has no condition: the statement it sends ({verb} … with no "
        f"WHERE) {effect} of `{table}`, not the rows the code means"
    )
    guidance = f"Filter the write: {_idiom(first, 'where')}; if every row is really meant, say so explicitly (a truncate in a migration)."
    yield _finding(context, "AL405", first, tree, message, guidance)


def _has_condition(tree: exp.Expression) -> bool:
    where = tree.args.get("where")
    if where is None:
        return False
    condition = where.this
    return not (isinstance(condition, exp.Boolean) and condition.this is True)


def _purges(context: Context, lifted: base.Lifted, written=None) -> bool:
    """A function named for emptying a table or for every row of something that takes only its
    handle (``clearTags()``, ``reset_db(session)``, ``deactivate_all_functions(db)``), or a factory of
    one: fastapi-crudrouter's ``_delete_all()`` returns its ``def route(db = Depends(…))``."""
    module = context.program.modules.get(lifted.path)
    if module is None:
        return False
    best = ir.innermost_function(module, lifted.span)
    if best is None or best.kind == "module":
        return False
    parameters = [p.name for p in best.params]
    table = written.name if isinstance(written, exp.Table) and written.name else None
    function, depth = best, 0
    while function is not None and function.kind != "module" and depth < 4:
        if context.sql.purges(snake(function.name), parameters, table):
            return True
        function = module.functions[function.parent] if 0 <= function.parent < len(module.functions) else None
        depth += 1
    return False


def _resets_then_sets_one(context: Context, lifted: base.Lifted) -> bool:
    """The exclusive-flag idiom: every row's flag is reset to a constant, then the function sets it on the
    one row it means — misago's ``Theme.objects.update(is_active=False)`` then
    ``Theme.objects.filter(pk=theme.pk).update(is_active=True)``, indico's
    ``MapArea.query.update({MapArea.is_default: False})`` then ``map_area.is_default = …``.  Every row is
    meant: the reset is what keeps the flag on one row only."""
    if not isinstance(lifted.tree, exp.Update):
        return False
    module = context.program.modules.get(lifted.path)
    function = ir.innermost_function(module, lifted.span) if module is not None else None
    if function is None or function.kind == "module":
        return False
    _path, written = lifted.at(lifted.tree)
    reset = next((node for node in ir.iter_nodes(function.body)
                  if type(node) is ir.Call and node.method == "update"
                  and (node.span.end_line, node.span.end_column) == (written.end_line, written.end_column)), None)
    columns = _set_constants(reset) if reset is not None else set()
    if not columns:
        return False
    end = (written.end_line, written.end_column)
    for node in ir.iter_nodes(function.body):
        span = getattr(node, "span", None)
        if span is None or (span.line, span.column) < end:
            continue  # the reset itself, or what ran before it
        if type(node) is ir.Assign and any(type(t) is ir.Attr and t.name in columns for t in node.targets):
            return True  # map_area.is_default = True
        if type(node) is ir.Call and node.method == "update" and _set_names(node) & columns:
            return True  # .filter(pk=…).update(is_active=True)
    return False


def _set_names(call: ir.Call) -> set:
    """The columns an ``update(col=…)`` / ``update({Model.col: …})`` call sets."""
    names = set()
    for arg in call.args:
        if arg.kind == "kw":
            names.add(arg.name)
        elif type(arg.value) is ir.Obj:
            names.update(e.key.name if type(e.key) is ir.Attr else e.key for e in arg.value.entries
                         if type(e.key) is ir.Attr or isinstance(e.key, str))
    return names


def _set_constants(call: ir.Call) -> set:
    """The columns an update sets, when it sets each to a constant (a reset); empty otherwise."""
    values = [arg.value for arg in call.args if arg.kind == "kw"]
    for arg in call.args:
        if type(arg.value) is ir.Obj:
            values.extend(e.value for e in arg.value.entries)
    if not values or any(type(value) is not ir.Const for value in values):
        return set()
    return _set_names(call)


# AL409 ----------------------------------------------------------------------------------------------
def _limit_without_order(context: Context, lifted: base.Lifted, tree, batched: bool) -> Iterator[Finding]:
    for select in _selects(tree):
        if not pages_unordered(select, batched):
            continue
        offset = select.args.get("offset")
        if offset is None and select.meta.get(base.UNORDERED):
            continue  # `qs.order_by()[:250]`: any 250 rows, by choice (pretix's sample of subevent names)
        node = offset if offset is not None else select.args.get("limit")
        message = (
            "the query pages its rows (LIMIT/OFFSET) with no ORDER BY: the database returns rows in no defined order, so "
            "pages overlap or skip rows and the same request returns different rows between runs"
        )
        yield _finding(context, "AL409", lifted, node, message, f"Order before paging: {_idiom(lifted, 'order')}.")
        return


def _writes_its_batch(program, run) -> bool:
    """The rows a LIMIT query picks are the keys of a write right after it — ``ids = (await
    session.exec(select(Job.id).where(…).limit(500))).all()`` then ``delete(Job).where(Job.id.in_(ids))``
    (langflow's delete_batch): any rows will do, the caller repeats until none are left."""
    module = program.modules.get(run.path) if run.path else None
    if module is None or run.span is None:
        return False
    function = ir.innermost_function(module, run.span)
    if function is None or function.kind == "module":
        return False
    picked = set()
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign and node.value is not None and ir.span_contains(node.value.span, run.span):
            picked.update(target.id for target in node.targets if type(target) is ir.Name)
    if _processes_each_row(program, run, function, picked):
        return True
    if not picked:
        return False
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Call or type(node.func) is not ir.Attr or node.func.name not in ("where", "filter"):
            continue
        writes = any(type(inner) is ir.Call and inner.short_name in ("delete", "update")
                     for inner in ir.iter_nodes((node.func.obj,)))
        keyed = any(type(inner) is ir.Call and inner.short_name == "in_" and inner.args
                    and type(inner.args[0].value) is ir.Name and inner.args[0].value.id in picked
                    for inner in ir.iter_nodes(tuple(a.value for a in node.args)))
        if writes and keyed:
            return True
    return False


def _processes_each_row(program, run, function: ir.Function, picked: set) -> bool:
    """The rows a LIMIT query picks are iterated and each one is written — ``for row_id, details in
    rows: update(T).where(T.id == row_id)``, ``for event in (…limit(n)).all(): await
    _terminalize(session, event=event)``, ``event.state = "expired"`` (langflow's redaction and
    trigger sweeps): every fetched row is processed and the caller repeats until none are left, so
    which rows come back does not matter.  A write to the query's own model that uses the loop's
    row (the ``elem:<loop>`` tag the interpreter gives each row, through helpers too) is the
    per-row write; a loop that only reads its rows (builds a listing) or writes elsewhere per row
    (notifies the "latest" ten) is a page."""
    loops = []
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Loop or node.kind != "for":
            continue
        names = {inner.id for inner in ir.iter_nodes((node.iter,)) if type(inner) is ir.Name}
        if not (ir.span_contains(node.iter.span, run.span) or names & picked):
            continue
        loops.append(node)
    analysis = analyses_by_function(program).get((run.path, function.fid)) if loops else None
    if analysis is None:
        return False
    effects = (*analysis.effects, *analysis.summary.effects)
    ids = {f"{run.path}:{loop.span.line}:{loop.span.column}" for loop in loops}
    model = run.query.model
    per_row = [effect.op for effect in effects
               if any(f"elem:{loop}" in effect.deps for loop in ids) and (not model or effect.model in (model, ""))]
    # `event.state = "expired"` is written by the commit (the unit of work flushes each changed row);
    # rows only annotated for a response (`article.favorited = …`, no commit) are a page
    return "write" in per_row or ("dirty" in per_row and any(effect.op in ("commit", "transaction") for effect in effects))


# AL408 / AL415 ---------------------------------------------------------------------------------------
def _aggregates(context: Context, lifted: base.Lifted, tree) -> Iterator[Finding]:
    from archlint.checks.sql.statement_rules import aggregate_message, aggregate_without_group, joined_keyed, ungrouped

    database = context.dialect.name if context.dialect is not None else ""
    for select in _selects(tree):
        group = select.args.get("group")
        if group is None:
            found = aggregate_without_group(select, database)
            if found is None:
                continue
            aggregate, plain = found
            name = (plain.unalias() if isinstance(plain, exp.Alias) else plain).sql()
            guidance = f"Group the rows: {_idiom(lifted, 'group')}."
            yield _finding(context, "AL415", lifted, aggregate, aggregate_message(name, database), guidance)
            continue
        if not group.expressions or any(isinstance(g, exp.Literal) or _unknown_group(g) for g in group.expressions):
            continue  # (grouped by columns archlint cannot name: which projections they cover is unknown)
        aliases = {p.alias.lower() for p in select.expressions if p.alias}
        grouped = {(c.table.lower(), c.name.lower()) for g in group.expressions for c in g.find_all(exp.Column)}
        grouped_sql = {g.sql().lower() for g in group.expressions}
        keyed = {table for table, name in grouped if name == "id"} | _keyed(context, group)
        keyed = joined_keyed(select, keyed, database, lambda name: _primary_key(context, name))
        for projection in select.expressions:
            column = ungrouped(projection, grouped, grouped_sql, keyed, aliases)
            if column is None or isinstance(column.this, exp.Star):
                continue
            dialect = context.dialect
            outcome = dialect.says("group_by", column.name) if dialect is not None else (
                "PostgreSQL and MySQL reject it; SQLite returns a value from an arbitrary row of each group")
            message = f"`{column.sql()}` is selected but neither grouped nor aggregated: {outcome}"
            yield _finding(context, "AL408", lifted, column, message, f"Group it or aggregate it: {_idiom(lifted, 'group')}.")
            break


def _primary_key(context: Context, name: str) -> str:
    table = context.catalog.get(name)
    return table.primary_key if table is not None and table.primary_key else "id"


def _unknown_group(node) -> bool:
    return isinstance(node, exp.Anonymous) and node.name == base.UNKNOWN_GROUP


def _keyed(context: Context, group) -> set[str]:
    """Tables grouped by their primary key (functionally determine their other columns)."""
    keyed = set()
    for column in group.find_all(exp.Column):
        table = context.catalog.get(column.table) if column.table else None
        if table is not None and column.name.lower() == table.primary_key.lower():
            keyed.add(column.table.lower())
    return keyed


# AL410 ----------------------------------------------------------------------------------------------
def _count_fan_out(context: Context, lifted: base.Lifted, tree) -> Iterator[Finding]:
    for select in _selects(tree):
        base_table = base.from_table(select)
        if base_table is None:
            continue
        fanning = {base.table_alias(j.this): j for j in select.args.get("joins") or ()
                   if isinstance(j.this, exp.Table) and j.meta.get(base.FAN_OUT) is True and not _filter_join(select, j)}
        if not fanning:
            continue
        root = base.table_alias(base_table)
        # grouped by a column of the joined collection (pretix's `.values("options").annotate(count=Count("id"))`):
        # each group holds one row of it, so the count per group is not multiplied by that join
        group = select.args.get("group")
        grouped = {c.table.lower() for c in group.find_all(exp.Column) if c.table} if group is not None else set()
        for count in select.find_all(exp.Count):
            if count.find_ancestor(exp.Select) is not select or isinstance(count.this, exp.Distinct):
                continue
            star = isinstance(count.this, exp.Star) or count.this is None
            column = count.this if isinstance(count.this, exp.Column) else count.find(exp.Column)
            counted = column.table.lower() if column is not None and column.table else root
            # COUNT(tags.id) over articles→article_tags→tags counts the tags: the association join
            # is the counted collection itself, not a second one multiplying it.
            others = [alias for alias in fanning if counted not in _downstream(select, alias)
                      and not _downstream(select, alias) & grouped]
            # COUNT(*) grouped by the parent over one child join is the child count per parent; as a
            # total (no GROUP BY) it counts parent×child rows.
            if not others or (star and len(fanning) < 2 and select.args.get("group") is not None):
                continue
            joined = " and ".join(f"`{fanning[a].this.name}`" for a in others)
            message = (
                f"`{count.sql()}` counts rows of a one-to-many join with {joined}: every counted row is repeated once per "
                f"matching {joined} row, so the count is inflated (fan-out)"
            )
            yield _finding(context, "AL410", lifted, count, message, f"Count distinct rows: {_idiom(lifted, 'distinct')}.")
            return


def _filter_join(select: exp.Select, join: exp.Join) -> bool:
    """A one-to-many join used as a filter (``tag = ?`` on the joined table, or on the target of
    the association table it leads to): one row per parent row survives, nothing multiplies."""
    relation = join.meta.get(base.RELATION)
    if relation:
        related = [j for j in select.args.get("joins") or () if j.meta.get(base.RELATION) == relation and j is not join]
        if any(_filtered(select, j) for j in related if isinstance(j.this, exp.Table)):
            return True
    if _filtered(select, join):
        return True
    # knex spells the association by hand: `.join('article_tags', …).join('tags', 'tags.id',
    # 'article_tags.tag_id').where('tags.name', tag)` filters the association rows as well.
    alias = base.table_alias(join.this)
    by_alias = _joins_by_alias(select)
    return any(_filtered(select, by_alias[other]) for other in _reached(select, alias) - {alias} if other in by_alias)


def _joins_by_alias(select: exp.Select) -> dict:
    return {base.table_alias(j.this): j for j in select.args.get("joins") or () if isinstance(j.this, exp.Table)}


def _reached(select: exp.Select, alias: str) -> set[str]:
    """``alias`` and the tables joined many-to-one from it (``FAN_OUT`` False, the ON naming a
    reached table): ``article_tags`` reaches ``tags``; their rows are one per ``article_tags`` row."""
    reached = {alias}
    joins = [(base.table_alias(j.this), j) for j in select.args.get("joins") or ()
             if isinstance(j.this, exp.Table) and j.meta.get(base.FAN_OUT) is False and j.args.get("on") is not None]
    grew = True
    while grew:
        grew = False
        for other, join in joins:
            if other in reached:
                continue
            if any(c.table.lower() in reached for c in join.args["on"].find_all(exp.Column)):
                reached.add(other)
                grew = True
    return reached


def _downstream(select: exp.Select, alias: str) -> set[str]:
    """``alias`` and the tables joined *through* it, later in the join order (the ON naming a table
    already reached): ``article_tags`` reaches ``tags``; in label-studio's ``Count("project__tasks__
    annotations")`` the ``tasks`` join reaches ``annotations``.  A fan-out join on the path to the
    counted table does not multiply it — each counted row has one row of every table before it on
    that path; only a one-to-many join off the path (a sibling collection) repeats it."""
    joins = [(base.table_alias(j.this), j) for j in select.args.get("joins") or () if isinstance(j.this, exp.Table)]
    reached = {alias}
    after = False
    for other, join in joins:
        if other == alias:
            after = True
            continue
        on = join.args.get("on")
        if after and on is not None and any(c.table.lower() in reached for c in on.find_all(exp.Column)):
            reached.add(other)
    return reached


def _filtered(select: exp.Select, join: exp.Join) -> bool:
    alias = base.table_alias(join.this)
    places = [join.args.get("on"), select.args.get("where")]
    for place in places:
        if place is None:
            continue
        for comparison in place.find_all(exp.EQ, exp.In):
            subject = comparison.this
            other = comparison.expression if isinstance(comparison, exp.EQ) else None
            if isinstance(subject, exp.Column) and subject.table.lower() == alias and (
                    other is None or isinstance(other, (exp.Placeholder, exp.Literal))):
                return True
            if isinstance(other, exp.Column) and other.table.lower() == alias and isinstance(subject, (exp.Placeholder, exp.Literal)):
                return True
    return False


# AL416 ----------------------------------------------------------------------------------------------
def _limit_over_collection(context: Context, lifted: base.Lifted, tree) -> Iterator[Finding]:
    for select in _selects(tree):
        limit, offset = select.args.get("limit"), select.args.get("offset")
        if limit is None and offset is None or (offset is None and is_one_row_limit(limit)):
            continue
        if select.args.get("group") is not None or select.args.get("distinct") is not None:
            continue
        fanning = [j for j in select.args.get("joins") or () if isinstance(j.this, exp.Table) and j.meta.get(base.FAN_OUT) is True
                   and not _filter_join(select, j) and not anti_join(select, j)]
        if not fanning:
            continue
        if select.expressions and all(p.find(exp.AggFunc) for p in select.expressions):
            continue
        join = fanning[0]
        name = join.meta.get(base.RELATION) or join.this.name
        node = limit if limit is not None else offset
        message = (
            f"LIMIT/OFFSET applies to the rows of the join with `{name}` (one row per `{name}` row), not to the parent rows: "
            f"a page holds fewer parents than asked and cuts a parent's `{name}` in the middle"
        )
        yield _finding(context, "AL416", lifted, node, message, f"Page the parent rows: {_idiom(lifted, 'limit-join')}.")
        return


# AL406 ----------------------------------------------------------------------------------------------
def _cartesian(context: Context, lifted: base.Lifted, tree) -> Iterator[Finding]:
    for select in _selects(tree):
        base_table = base.from_table(select)
        if base_table is None:
            continue
        seen = {base.table_alias(base_table)}
        for join in select.args.get("joins") or ():
            target = join.this
            if not isinstance(target, exp.Table):
                continue
            alias = base.table_alias(target)
            if join.args.get("on") is None and not join.args.get("using") and (join.args.get("kind") or "").upper() != "CROSS":
                if not _linked(select, alias, seen):
                    message = (
                        f"`{target.name}` is part of the query with no join condition: every row of it is paired with every row "
                        f"of the other table(s) — a cartesian product that multiplies the result"
                    )
                    yield _finding(context, "AL406", lifted, join, message, f"Join on the key: {_idiom(lifted, 'join') or 'add the join condition'}.")
                    return
            seen.add(alias)


def _linked(select: exp.Select, alias: str, seen: set[str]) -> bool:
    where = select.args.get("where")
    if where is None:
        return False
    for equality in where.find_all(exp.EQ):
        sides = [{c.table.lower() for c in side.find_all(exp.Column)} for side in (equality.this, equality.expression)]
        if any(alias in a and (b & seen) for a, b in (sides, sides[::-1])):
            return True
    return False


# AL402 ----------------------------------------------------------------------------------------------
def _dialect(context: Context, lifted: base.Lifted, tree) -> Iterator[Finding]:
    dialect = context.dialect
    if dialect is None:
        return
    neutral = tree.copy()
    for node in list(neutral.find_all(exp.ILike, exp.Like)):
        if node.meta.get(PORTABLE) or node.meta.get("archlint_portable"):
            node.replace(exp.Like(this=node.this, expression=node.expression))
    for node in list(neutral.walk()):
        if node.meta.get(base.RAW):
            node.meta.pop(base.SPAN, None)
    try:
        text = neutral.sql()
    except Exception:  # noqa: BLE001 - a tree sqlglot cannot render: nothing to judge
        return
    for construct in context.sql.constructs:
        if dialect.name in construct.supported or construct.name in ("backtick-identifier", "trailing-comma"):
            continue
        if not construct.pattern.search(text):
            continue
        node = _construct_node(neutral, construct.pattern)
        if node is not None and _from_raw(node):
            continue  # raw SQL text: the embedded SQL rules report it there
        owners = " and ".join(context.sql.dialects[n].label for n in sorted(construct.supported) if n in context.sql.dialects)
        outcome = getattr(LIFTERS.get(lifted.builder), "OUTCOME", {}).get(construct.name) or construct.error.get(dialect.name) or dialect.says("syntax_error")
        message = f"this {lifted.builder} query emits {construct.label}, which is {owners} syntax, but this project uses {dialect.label}: {outcome}"
        yield _finding(context, "AL402", lifted, node, message, _idiom(lifted, construct.name) or construct.fix)


def _construct_node(tree: exp.Expression, pattern) -> exp.Expression | None:
    """The smallest node whose SQL shows the construct (for its location)."""
    best = None
    for node in tree.walk():
        try:
            text = node.sql()
        except Exception:  # noqa: BLE001
            continue
        if pattern.search(text) and (best is None or len(text) < len(best[1])):
            best = (node, text)
    return best[0] if best is not None else None


def _from_raw(node: exp.Expression) -> bool:
    while node is not None:
        if node.meta.get(base.RAW):
            return True
        node = node.parent
    return False


# AL411 / AL412 / AL419 -------------------------------------------------------------------------------
def _names(context: Context, lifted: base.Lifted, tree) -> Iterator[Finding]:
    """Names a builder wrote as strings (knex, TypeORM query builder): tables and columns the
    schema does not have, qualifiers no FROM/JOIN introduces.  ORM attributes were mapped to
    columns by the lifter and are correct by construction."""
    if lifted.builder not in ("knex", "typeorm"):
        return
    if lifted.builder == "typeorm" and not (lifted.steps and lifted.steps[0].node.method == "createQueryBuilder"):
        return  # find options name properties (AL417), not SQL
    if any(not (select.args.get("from_") or select.args.get("from")) for select in _selects(tree)):
        return  # the builder's table was not known (`getRepository(Entity)` of no known entity): no scope to judge
    for issue in names.check(tree, context.catalog, context.dialect, raw=lambda n: _from_raw(n)):
        yield _finding(context, issue.rule, lifted, issue.node, issue.message, issue.guidance)
