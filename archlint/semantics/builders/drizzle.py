"""Drizzle: ``db.select(…).from(articles).leftJoin(users, eq(…)).where(…).orderBy(…).limit(…)``
and ``db.delete(t).where(…)`` / ``db.update(t).set(…).where(…)`` lifted to SQL.

Tables are the project's ``pgTable``/``sqliteTable``/``mysqlTable`` objects (``articles.authorId``
is the column its builder names, ``integer('author_id')``); conditions are the ``drizzle-orm``
operators (``eq``, ``and``, ``or``, ``like``, ``ilike`` …) and ``sql`…``` fragments.  Drizzle's
``ilike`` renders ILIKE on every database.
"""

from __future__ import annotations

from sqlglot import exp

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.tables import Catalog, ForeignKey, add_drizzle, variable_table

BUILDER = "drizzle"
IDIOM = {
    "order": "add `.orderBy(desc(articles.createdAt), desc(articles.id))` before `.limit()`/`.offset()`",
    "where": "add `.where(eq(table.id, id))` before running the delete/update",
    "group": "add `.groupBy(table.id)` for the plain columns",
    "distinct": "count distinct keys with `countDistinct(table.id)`",
    "limit-join": "page the parent rows in a subquery and join the collection to that page",
    "ilike": "use `like(lower(col), pattern.toLowerCase())` off PostgreSQL (Drizzle's `ilike` always emits ILIKE)",
}
_COMPARE = {"eq": exp.EQ, "ne": exp.NEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE,
            "like": exp.Like, "ilike": exp.ILike, "notLike": exp.Like, "notIlike": exp.ILike}
_AGGREGATES = {"count": exp.Count, "sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max, "countDistinct": exp.Count}
_JOINS = {"leftJoin": "LEFT", "innerJoin": "", "rightJoin": "RIGHT", "fullJoin": "FULL"}


def define(program, catalog: Catalog, in_project) -> None:
    references = []
    for path in sorted(program.modules):
        module = program.modules[path]
        if not in_project(path) or module.language == "python":
            continue
        references += [(path, *item) for item in add_drizzle(catalog, module)]
    for path, table_name, column, variable, attribute in references:
        table = catalog.get(table_name)
        target = catalog.get(variable_table(program, catalog, path, variable))
        if table is not None and target is not None:
            table.foreign_keys.append(ForeignKey(column, target.name.lower(), target.column_of(attribute)))


class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, chain: tuple) -> None:
        super().__init__(program, catalog, query)
        self.chain = chain
        self.tree: exp.Expression | None = None
        self.path = chain[0].path
        self.main = ""

    def run(self) -> b.Lifted | None:
        steps = [b.StepView(step) for step in self.chain]
        first = steps[0]
        method = first.method
        if method in ("select", "selectDistinct"):
            self.tree = b.located(exp.Select(), first.where)
            if method == "selectDistinct":
                self.tree.set("distinct", exp.Distinct())
            node, _value = first.arg(0)
            if type(node) is ir.Obj:
                self.selection(node, first)
        elif method in ("delete", "update", "insert"):
            table = self.table_of(first.arg(0)[0])
            if table is None:
                return None
            kind = {"delete": exp.Delete, "update": exp.Update, "insert": exp.Insert}[method]
            self.tree = b.located(kind(this=b.table(table)), first.where)
            if kind is exp.Update:
                self.tree.set("expressions", [exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())])
            self.main = table
        else:
            return None
        for step in steps[1:]:
            self.step(step)
        if isinstance(self.tree, exp.Select) and not self.tree.expressions:
            self.tree.set("expressions", [exp.Star()])
        return b.Lifted(BUILDER, self.tree, first.path, first.span, self.query.model, self.exact, self.problems, steps=self.chain)

    def selection(self, node: ir.Obj, first: b.StepView) -> None:
        """``select({ slug: articles.slug, favoritesCount: count(favorites.userId).as('n'),
        author: { username: users.username } })``: each field a projection, a nested object's
        fields too (Drizzle nests them in the result; the SQL selects them flat); a spread of
        columns or an expression not understood makes the tree inexact, the rest is kept."""
        for entry in node.entries:
            if type(entry.value) is ir.Obj:
                self.selection(entry.value, first)
                continue
            term = self.expression(entry.value) if entry.value is not None else None
            if term is None:
                self.exact = False
                continue
            self.tree.append("expressions", b.located(b.aliased(term, entry.key if isinstance(entry.key, str) else ""), first.where))

    def step(self, step: b.StepView) -> None:
        method = step.method
        tree = self.tree
        if method in ("then", "execute", "all", "get", "run", "values", "set", "returning", "prepare", "$dynamic",
                      "onConflictDoNothing", "onConflictDoUpdate", "catch", "finally"):
            return
        if method == "from" and isinstance(tree, exp.Select):
            table = self.table_of(step.arg(0)[0])
            if table is None:
                self.exact = False
                return
            self.main = table
            b.set_from(tree, b.table(table), step.where)
        elif method == "where":
            node = step.arg(0)[0]
            b.add_where(tree, b.located(self.condition(node) if node is not None else exp.Boolean(this=True), step.where))
        elif method in _JOINS and isinstance(tree, exp.Select):
            table = self.table_of(step.arg(0)[0])
            on_node = step.arg(1)[0]
            if table is None:
                self.exact = False
                return
            condition = self.condition(on_node) if on_node is not None else None
            join = b.add_join(tree, b.table(table), condition, _JOINS[method], step.where)
            join.meta[b.FAN_OUT] = self._fan_out(table, condition)
        elif method == "orderBy" and isinstance(tree, exp.Select):
            for node, _value in step.positional:
                desc = type(node) is ir.Call and self._name(node.func) == "desc"
                inner = node.args[0].value if type(node) is ir.Call and self._name(node.func) in ("desc", "asc") and node.args else node
                term = self.expression(inner)
                b.add_order(tree, term if term is not None else b.hole(node, None), desc, step.where)
        elif method in ("limit", "offset") and isinstance(tree, exp.Select):
            node, value = step.arg(0)
            (b.set_limit if method == "limit" else b.set_offset)(tree, b.value_expr(node, value), step.where)
        elif method == "groupBy" and isinstance(tree, exp.Select):
            for node, _value in step.positional:
                term = self.expression(node)
                if term is not None:
                    b.add_group(tree, term, step.where)
        elif method == "having" and isinstance(tree, exp.Select):
            b.add_having(tree, self.condition(step.arg(0)[0]))
        else:
            self.exact = False

    def _name(self, func) -> str:
        value = self.program.static_value(self.path, func) if type(func) in (ir.Name, ir.Attr) else v.UNKNOWN
        if type(value) is v.External and "drizzle-orm" in value.name:
            return value.name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        return ""

    def table_of(self, node) -> str:
        if type(node) is not ir.Name:
            return ""
        return variable_table(self.program, self.catalog, self.path, node.id)

    def expression(self, node) -> exp.Expression | None:
        if type(node) is ir.Attr and type(node.obj) is ir.Name:
            table = self.table_of(node.obj)
            found = self.catalog.get(table) if table else None
            if found is not None:
                return b.column(found.column_of(node.name), table)
            return None
        if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in ("as", "mapWith", "$type") \
                and type(node.func.obj) is ir.Call:
            return self.expression(node.func.obj)  # count(x).as('n') / sql`…`.mapWith(Number): the expression itself
        if type(node) is ir.Call:
            name = self._name(node.func)
            if name in _AGGREGATES:
                inner = self.expression(node.args[0].value) if node.args else exp.Star()
                if inner is None:
                    return None
                if name == "countDistinct":
                    inner = exp.Distinct(expressions=[inner])
                return _AGGREGATES[name](this=inner)
        if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id == "sql" or type(node) is ir.Template:
            return exp.Anonymous(this=b.RAW)
        return None

    def condition(self, node) -> exp.Expression:
        if type(node) is not ir.Call:
            return self.inexact_condition()
        name = self._name(node.func)
        args = [a.value for a in node.args if a.kind == "pos"]
        if name in ("and", "or"):
            parts = [self.condition(a) for a in args if a is not None]
            return (b.and_all if name == "and" else b.or_all)(parts) or exp.Boolean(this=True)
        if name == "not" and args:
            return exp.Not(this=self.condition(args[0]))
        if name in _COMPARE and len(args) == 2:
            left = self.expression(args[0])
            right = self.expression(args[1]) or b.value_expr(args[1], None)
            if left is None:
                return self.inexact_condition()
            node_ = _COMPARE[name](this=left, expression=right)
            return exp.Not(this=node_) if name.startswith("not") else node_
        if name in ("isNull", "isNotNull") and args:
            subject = self.expression(args[0])
            if subject is not None:
                node_ = exp.Is(this=subject, expression=exp.Null())
                return exp.Not(this=node_) if name == "isNotNull" else node_
        if name in ("inArray", "notInArray") and len(args) == 2:
            subject = self.expression(args[0])
            if subject is not None:
                node_ = exp.In(this=subject, expressions=[b.hole(args[1], None)])
                return exp.Not(this=node_) if name == "notInArray" else node_
        return self.inexact_condition()

    def _fan_out(self, table: str, condition) -> bool | None:
        if condition is None or not self.main:
            return None
        pairs = []
        for equality in condition.find_all(exp.EQ):
            sides = [equality.this, equality.expression]
            if all(isinstance(s, exp.Column) for s in sides):
                mine = [s for s in sides if s.table.lower() == table.lower()]
                other = [s for s in sides if s.table.lower() == self.main.lower()]
                if mine and other:
                    pairs.append((other[0].name, mine[0].name))
        return self.catalog.fans_out(self.main, table, pairs)


def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    found = _Lifter(program, catalog, query, chain).run()
    return [found] if found is not None else []
