"""Prisma: ``prisma.<model>.findMany/findFirst/count/deleteMany/updateMany/…`` option objects
lifted to SQL over the tables of ``schema.prisma``.

``where`` filters (``equals``/``in``/``contains``/``startsWith``/``lt``…, ``AND``/``OR``/``NOT``,
relation filters ``some``/``every``/``none``/``is``), ``orderBy``, ``take``/``skip`` and
``select``/``include`` keys are checked against the model's fields (Prisma rejects an unknown
one with a validation error).  ``include`` loads relations with separate queries, so it joins
nothing.  ``contains`` with ``mode: 'insensitive'`` is PostgreSQL's ILIKE.
"""

from __future__ import annotations

from sqlglot import exp

from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.builders.typeorm import _Options
from archlint.semantics.tables import Catalog

BUILDER = "prisma"
IDIOM = {
    "order": "add `orderBy: [{ createdAt: 'desc' }, { id: 'desc' }]` next to `take`/`skip`",
    "where": "pass a `where` that selects the rows (`deleteMany({ where: { articleId } })`)",
    "group": "group with `groupBy({ by: [...] })`",
    "distinct": "count with `_count` on the relation instead of joining",
    "ilike": "drop `mode: 'insensitive'` on SQLite/MySQL (their LIKE-based `contains` is case-insensitive for ASCII)",
}
OUTCOME = {
    "ilike": "Prisma rejects the query (PrismaClientValidationError: Unknown argument `mode`): case-insensitive mode exists only for PostgreSQL and MongoDB",
}
_READS = frozenset({"findMany", "findFirst", "findUnique", "findFirstOrThrow", "findUniqueOrThrow", "count", "aggregate", "groupBy"})
_WRITES = frozenset({"deleteMany", "updateMany", "delete", "update", "upsert"})
_FILTERS = {"equals": exp.EQ, "lt": exp.LT, "lte": exp.LTE, "gt": exp.GT, "gte": exp.GTE, "not": exp.NEQ}
_ARGUMENTS = frozenset({"where", "select", "include", "orderBy", "take", "skip", "cursor", "distinct", "data", "by",
                        "_count", "_sum", "_avg", "_min", "_max", "having", "create", "update", "omit", "relationLoadStrategy",
                        "skipDuplicates"})


def define(program, catalog: Catalog, in_project) -> None:
    """Prisma models come from ``schema.prisma`` (read by :func:`..tables.add_prisma`)."""
    return


class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, step: v.Step) -> None:
        super().__init__(program, catalog, query)
        self.view = b.StepView(step)
        self.table = catalog.model(query.model)
        self.reported: set = set()

    def run(self) -> list[b.Lifted]:
        view, table = self.view, self.table
        method = view.method
        if table is None or (method not in _READS and method not in _WRITES):
            return []
        options = _Options(*view.arg(0)) if view.positional else None
        if options is not None and not options.is_record:
            self.exact = False
            options = None
        where = options.get("where") if options is not None else None
        if method in _WRITES:
            kind = exp.Delete if method.startswith("delete") else exp.Update
            condition = self.where(where, table) if where is not None else None
            tree = kind(this=b.table(table.name), where=exp.Where(this=condition) if condition is not None else None)
            if kind is exp.Update:
                tree.set("expressions", [exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())])
            if view.positional and options is None:
                self.exact = False  # deleteMany(filters): an object the model did not track
            return [self._lifted(b.located(tree, view.where))]
        select = b.located(exp.Select(expressions=[b.column("*", table.name)]), view.where)
        b.set_from(select, b.table(table.name), view.where)
        if where is not None:
            b.add_where(select, b.located(self.where(where, table), (view.path, where.span or view.span)))
        for key in ("select", "include"):
            chosen = options.get(key) if options is not None else None
            if chosen is not None and chosen.is_record:
                for name, _item in chosen.items():
                    if name not in ("...", "_count"):
                        self.field(name, table, chosen.span)
        order = options.get("orderBy") if options is not None else None
        if order is not None:
            for item in order.elements() if order.is_list else [order]:
                if not item.is_record or any(name == "..." for name, _ in item.items()):
                    b.add_order(select, b.hole(item.node, item.value), False, (view.path, order.span or view.span))
                    continue  # orderBy: sort — ordered, by what is not known here
                for name, direction in item.items():
                    if name in table.relations and direction is not None and direction.is_record:
                        # orderBy: { articles: { _count: 'desc' } } / { author: { username: 'asc' } }: ordered by
                        # an aggregate or a column of the relation (what exactly is not lifted)
                        nested = [d for _n, d in direction.items() if d is not None]
                        b.add_order(select, b.hole(direction.node, direction.value),
                                    any((d.string or "").lower() == "desc" for d in nested), (view.path, order.span or view.span))
                        continue
                    term = self.field(name, table, order.span)
                    if term is not None:
                        b.add_order(select, term, (direction.string or "").lower() == "desc" if direction is not None else False,
                                    (view.path, order.span or view.span))
        for key, setter in (("take", b.set_limit), ("skip", b.set_offset)):
            item = options.get(key) if options is not None else None
            if item is not None:
                setter(select, item.expr(), (view.path, item.span or view.span))
        if method.startswith("findFirst") or method.startswith("findUnique"):
            b.set_limit(select, exp.Literal.number(1), view.where)
        if method == "count":
            select.set("expressions", [exp.Count(this=exp.Star())])
        if options is not None:
            for name, _item in options.items():
                if name not in _ARGUMENTS and name != "...":
                    self.unknown(name, table, options.span, argument=True)
        return [self._lifted(select)]

    def _lifted(self, tree) -> b.Lifted:
        return b.Lifted(BUILDER, tree, self.view.path, self.view.span, self.query.model, self.exact, self.problems,
                        steps=(self.view.step,))

    def field(self, name: str, table, span) -> exp.Expression | None:
        if name in table.attributes:
            return b.column(table.attributes[name], table.name)
        if name in table.relations:
            return None
        self.unknown(name, table, span)
        return None

    def unknown(self, name: str, table, span, argument: bool = False) -> None:
        if name in self.reported:
            return
        self.reported.add(name)
        model = table.model.rsplit(":", 1)[-1]
        where = "argument of" if argument else "field of"
        fields = ", ".join(sorted(set(table.attributes) | set(table.relations))[:14])
        message = (f"`{name}` is not a {where} `{model}` in schema.prisma: Prisma rejects the call with "
                   f"PrismaClientValidationError (Unknown argument `{name}`) before any SQL runs")
        self.problems.append(b.Problem("AL417", self.view.path, span or self.view.span, message,
                                       f"Use a field of `{model}` ({fields})."))

    def where(self, option, table) -> exp.Expression:
        if not option.is_record:
            return self.inexact_condition()
        parts = []
        for key, item in option.items():
            if key == "..." or item is None:
                self.exact = False
                parts.append(b.unknown_condition())
                continue
            if key in ("AND", "OR"):
                inner = [self.where(e, table) for e in (item.elements() if item.is_list else [item])]
                combined = (b.and_all if key == "AND" else b.or_all)(inner)
                parts.append(combined if combined is not None else exp.Boolean(this=key == "AND"))
                continue
            if key == "NOT":
                parts.append(exp.Not(this=self.where(item, table)))
                continue
            if key in table.compounds and item.is_record:
                # where: { userId_articleId: { userId, articleId } }: the `@@id([userId, articleId])` key —
                # one condition per field of the compound
                for name in table.compounds[key]:
                    inner = item.get(name)
                    if name in table.attributes and inner is not None:
                        parts.append(self.filter(b.column(table.attributes[name], table.name), inner))
                    else:
                        self.exact = False
                        parts.append(b.unknown_condition())
                continue
            if key in table.relations:
                parts.append(exp.Exists(this=exp.Select(expressions=[exp.Literal.number(1)])))
                continue
            if key not in table.attributes:
                self.unknown(key, table, option.span)
                parts.append(b.unknown_condition())
                self.exact = False
                continue
            subject = b.column(table.attributes[key], table.name)
            parts.append(self.filter(subject, item))
        return b.and_all(parts) or exp.Boolean(this=True)

    def filter(self, subject, item) -> exp.Expression:
        if not item.is_record:
            if b.const_of(item.value, item.node) is None and item.node is not None and getattr(item.node, "value", 1) is None:
                return exp.Is(this=subject, expression=exp.Null())
            return exp.EQ(this=subject, expression=item.expr())
        mode = item.get("mode")
        insensitive = mode is not None and (mode.string or "") == "insensitive"
        parts = []
        for key, inner in item.items():
            if key in _FILTERS and inner is not None:
                parts.append(_FILTERS[key](this=subject, expression=inner.expr()))
            elif key in ("contains", "startsWith", "endsWith") and inner is not None:
                node = (exp.ILike if insensitive else exp.Like)(this=subject, expression=inner.expr())
                parts.append(b.located(node, (self.view.path, mode.span)) if insensitive and mode.span else node)
            elif key in ("in", "notIn") and inner is not None:
                condition = exp.In(this=subject, expressions=[inner.expr()])
                parts.append(exp.Not(this=condition) if key == "notIn" else condition)
            elif key == "mode":
                continue
            else:
                self.exact = False
                parts.append(b.unknown_condition())
        return b.and_all(parts) or exp.Boolean(this=True)


def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    return _Lifter(program, catalog, query, chain[0]).run() if len(chain) == 1 else []
