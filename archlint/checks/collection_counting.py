"""AL232: counting or searching a relationship collection in code — ``len(article.favorited_by)``,
``user in article.favorited_by``, ``any(f.id == me.id for f in article.favorited_by)``,
``article.favoritedBy.length``, ``article.followers.some(f => f.id === me.id)``.

The semantic model records a ``collection-read`` event where an attribute of a model instance is a
collection relationship that materialises its rows (SQLAlchemy ``relationship`` lists — lazily
loaded or eager —, Sequelize/TypeORM associations; Django's related managers query on their own
and are AL602's business).  This check finds the reads whose *only* use is a count or a search and
that *load* the collection to answer it (a lazy relationship: the read issues a SELECT of every related
row) — a question one ``COUNT``/``EXISTS`` query answers.  A collection the query loaded on purpose
(``selectinload``, ``lazy="selectin"``, a Sequelize ``include``) costs no further query to count and
stays silent, as do associations that never load by themselves.
A function that also reads the same relationship of the same object in any other way (serialises
the tag list, iterates it) needs the rows anyway and stays silent.
A method reading its own row's collection (``any(u.id == uid for u in self.favorited_by)``) does not know
what the caller's query loaded: when every caller the model ran it for passes a row whose query loaded
that collection (``selectinload(Article.favorited_by)``), the method loads nothing and stays silent
(gthomas08/realworld-fastapi's ``Article.is_favorited_by``).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.ir_format import render
from archlint.semantics.support import known as support_names

_SEARCH_METHODS = frozenset({"some", "every", "find", "findIndex", "includes", "indexOf"})  # JS: answer one yes/no
_SEARCH_CALLS = frozenset({"any", "all"})  # Python: over a generator of the collection
_HINT = {
    "sqlalchemy": "count in SQL — `session.scalar(select(func.count()).select_from(Favorite).where(Favorite.article_id == "
                  "article.id))` — or test membership with `select(exists().where(…))`; for a list endpoint add the count as "
                  "a correlated subquery / `column_property`",
    "sequelize": "use the association's `countFavoritedBy()` / `hasFavoritedBy(user)` mixin, `Favorite.count({ where })`, "
                 "or a `sequelize.fn('COUNT', …)` attribute in the query",
    "typeorm": "use `repository.count({ where })` / `exists({ where })`, or `loadRelationCountAndMap` on the query builder",
    "prisma": "use `_count: { select: { relation: true } }` in the query, or `prisma.relation.count({ where })`",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    callers: dict = {}  # (path, span) -> states of the read when a caller ran the function that makes it
    own_reads = []
    for analysis in program.analyses():
        reads = {}
        for event in analysis.events:
            if event.kind != "collection-read":
                continue
            if _own(analysis, event):
                reads[event.span] = event.detail
            else:  # a callee's read, run with the caller's row (a context event)
                callers.setdefault((event.path, event.span), set()).add(event.detail.rsplit("|", 1)[-1])
        if reads and analysis.fid and not non_production(analysis.path):
            own_reads.append((analysis, reads))
    for analysis, reads in own_reads:
        yield from _counted(ctx, analysis, reads, callers)


def _own(analysis, event) -> bool:
    """The read is in the analysed function's own body (not a callee's, reported to it as a context event)."""
    span = analysis.function.span
    return event.path == analysis.path and span.line <= event.span.line <= span.end_line


def _counted(ctx: CheckContext, analysis, reads: dict, callers: dict) -> Iterator[Finding]:
    uses: dict = {}  # (object text, relation) -> [(span, how)]
    consumed: set = set()
    for node in ir.iter_nodes(analysis.function.body):
        found = _counting_use(node, reads)
        if found is None:
            continue
        attr, how = found
        consumed.add(attr.span)
        uses.setdefault(_key(attr, reads), []).append((node.span, attr, how))
    other = {}  # (object text, relation) read any other way: the rows are needed anyway
    for node in ir.iter_nodes(analysis.function.body):
        if type(node) is ir.Attr and node.span in reads and node.span not in consumed:
            other[_key(node, reads)] = True
    for key, found in sorted(uses.items(), key=lambda item: item[1][0][0]):
        if key in other:
            continue
        span, attr, how = found[0]
        model, _relation, state = reads[attr.span].split("|")
        if state in ("loaded", "read", "none", "") or state in support_names(ctx.program).eager_strategies:
            continue  # the query chose to load it (selectinload, include): counting what is loaded costs no query
        seen = callers.get((analysis.path, attr.span))
        if seen and all(s in ("loaded", "none", "") or s in support_names(ctx.program).eager_strategies for s in seen):
            continue  # every caller's query loaded it: the method's read costs no query either
            # ("read": loaded only by the caller's own earlier lazy read — reported there, and here once that is fixed)
        stack = _stack(ctx, model)
        what = " and ".join(sorted({h for _s, _a, h in found}))
        subject = f"`{render(attr)}`"
        message = (
            f"{subject} is lazy-loaded by a SELECT of the whole collection only to be {what} in code: every related row is fetched and built as an object to "
            f"answer what one COUNT/EXISTS query answers — the endpoint slows down and uses memory as the collection "
            f"grows (every favorite of a popular article), and once per row in a list"
        )
        guidance = f"Ask the database instead: {_HINT.get(stack, 'a COUNT or EXISTS query keyed by the row id')}."
        yield ctx.registry.finding("AL232", analysis.path, span, message, guidance)


def _counting_use(node, reads: dict):
    """``(collection attribute, how)`` when ``node`` counts or searches a collection read."""
    kind = type(node)
    if kind is ir.Call:
        func = node.func
        if type(func) is ir.Name and len(node.args) == 1:
            argument = node.args[0].value
            if func.id == "len" and _read(argument, reads):
                return argument, "counted"
            if func.id in _SEARCH_CALLS and type(argument) is ir.Loop and _read(argument.iter, reads) \
                    and not _calls_out(argument):
                return argument.iter, "searched"
            if func.id == "sum" and type(argument) is ir.Loop and _read(argument.iter, reads):
                return argument.iter, "counted"
        if type(func) is ir.Attr and func.name in _SEARCH_METHODS and _read(func.obj, reads):
            return func.obj, "searched"
        return None
    if kind is ir.Attr and node.name == "length":
        if _read(node.obj, reads):
            return node.obj, "counted"
        inner = node.obj  # xs.filter(cb).length
        if type(inner) is ir.Loop and inner.kind == "filter" and _read(inner.iter, reads):
            return inner.iter, "counted"
        return None
    if kind is ir.Compare and node.op in ("in", "not-in") and _read(node.right, reads):
        return node.right, "searched"
    if kind is ir.Loop and node.kind in _SEARCH_METHODS and _read(node.iter, reads) and not _calls_out(node):
        return node.iter, "searched"
    return None


def _calls_out(loop: ir.Loop) -> bool:
    """The search's test calls a function or method per element (indico's ``any(track.can_manage(user, …)
    for track in self.reviewed_for_tracks)``): code no COUNT/EXISTS query can run, so the rows are needed."""
    parts = (loop.result, *loop.conditions, loop.body)
    return any(type(node) is ir.Call for part in parts if part is not None for node in ir.iter_nodes(part))


def _key(attr: ir.Attr, reads: dict) -> tuple:
    """One relationship of one object (``self.favorited_by``), however often it is read."""
    model, relation, _state = reads[attr.span].split("|")
    return render(attr.obj), model, relation


def _read(node, reads: dict) -> bool:
    return type(node) is ir.Attr and node.span in reads


def _stack(ctx: CheckContext, model: str) -> str:
    found = ctx.program.schema.models.get(model)
    return found.stack if found is not None else ""
