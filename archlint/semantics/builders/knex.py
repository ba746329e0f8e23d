"""knex: ``db('articles').select(…).where(…).join(…).orderBy(…).limit(…)`` lifted to SQL.

knex arguments are SQL identifiers written as strings (``'articles.id'``, ``'a.title as t'``)
and values; which is which depends on the method and the position — ``.where(col, op, value)``
binds its last argument, ``.on(col, op, col)`` and ``.andOn(col, op, col)`` treat all three as
identifiers, so a runtime value there becomes a column name (a problem of the lifted query: the
fix is ``.andOnVal`` or ``knex.raw('?', [value])``).  Join callbacks (``function () { this.on(…) }``)
are read from their IR; ``where(function () {…})`` is a condition the lifter does not expand
(the query stays inexact).  ``knex.raw`` fragments are parsed with sqlglot where they are one
expression (``knex.raw('count(*) as n')``).
"""

from __future__ import annotations

from sqlglot import exp

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.tables import Catalog

BUILDER = "knex"

_WHERE = {
    "where": ("and", False), "andWhere": ("and", False), "orWhere": ("or", False),
    "whereNot": ("and", True), "andWhereNot": ("and", True), "orWhereNot": ("or", True),
}
_JOINS = {
    "join": "", "innerJoin": "", "leftJoin": "LEFT", "leftOuterJoin": "LEFT", "rightJoin": "RIGHT",
    "rightOuterJoin": "RIGHT", "fullOuterJoin": "FULL", "outerJoin": "FULL", "crossJoin": "CROSS",
}
_AGGREGATES = {"count": exp.Count, "countDistinct": exp.Count, "sum": exp.Sum, "sumDistinct": exp.Sum, "avg": exp.Avg,
               "avgDistinct": exp.Avg, "min": exp.Min, "max": exp.Max}
_COMPARE = {"=": exp.EQ, "==": exp.EQ, "!=": exp.NEQ, "<>": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
            "like": exp.Like, "ilike": exp.ILike}
_NO_SQL = frozenset({
    "then", "catch", "finally", "transacting", "timeout", "debug", "options", "connection", "forUpdate", "forShare",
    "skipLocked", "noWait", "toSQL", "toString", "stream", "pipe", "asCallback", "on", "clone", "queryContext", "hintComment",
    "onConflict", "ignore", "merge", "first_",
})
OUTCOME = {
    "returning": "knex ignores `.returning()` on MySQL (it only warns), so the insert resolves to `[insertId]`, not the rows the code reads",
}
IDIOM = {
    "returning": "on MySQL read the id from the result (`const [id] = await db('t').insert(row)`) and select the row if needed",
    "order": "add `.orderBy('created_at', 'desc')` (and a unique tiebreaker such as `'id'`) before `.limit()`/`.offset()`",
    "where": "add `.where({ id })` before `.del()`/`.update()`",
    "group": "add `.groupBy('…')` for the plain columns, or aggregate them",
    "distinct": "count distinct keys with `.countDistinct('articles.id')`, or count in a subquery",
    "limit-join": "page the parent rows first (`.whereIn('articles.id', db('articles').select('id').orderBy(…).limit(n))`) and join the collection to that page, or load it with a second query",
}


def define(program, catalog: Catalog, in_project) -> None:
    """knex has no models: its tables come from migrations and DDL (see :mod:`..tables`)."""
    return


class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, chain: tuple, depth: int = 0) -> None:
        super().__init__(program, catalog, query)
        self.chain = chain
        self.depth = depth
        self.tree: exp.Expression = exp.Select()
        self.table = ""
        self.alias = ""
        self.joined: dict[str, str] = {}  # alias (lowercase) -> table of each join so far

    def run(self) -> b.Lifted | None:
        steps = [b.StepView(step) for step in self.chain]
        first = steps[0]
        rest = steps[1:]
        if first.method in ("raw", "transaction", "schema", "destroy"):
            return None  # knex.raw(sql): SQL text, checked as such
        if first.method in _KNOWN:
            rest = steps  # db.select(...).from(...): the handle's own method starts the chain
        else:
            self.source(first, *first.arg(0))
            b.located(self.tree, first.where)
        for step in rest:
            self.step(step)
        if self.tree is None:
            return None
        if isinstance(self.tree, exp.Select) and not self.tree.expressions:
            self.tree.set("expressions", [exp.Star()])
        return b.Lifted(BUILDER, self.tree, first.path, first.span, self.query.model, self.exact, self.problems,
                        steps=self.chain)

    # FROM --------------------------------------------------------------------------------------
    def source(self, step: b.StepView, node, value) -> None:
        name = b.string_of(value, node)
        if name is None:
            record = v.strip(value) if value is not None else None
            if type(record) is v.Record and len(record.items) == 1:  # db({ a: 'articles' })
                alias, target = record.items[0]
                name = f"{b.string_of(target)} as {alias}" if b.string_of(target) else None
        if name is None:
            self.exact = False
            return
        table, alias = b.split_alias(name)
        self.table, self.alias = table, alias or table
        target = b.located(b.table(table, alias), step.where)
        if isinstance(self.tree, exp.Select):
            b.set_from(self.tree, target, step.where)
        else:
            self.tree.set("this", target)

    # steps -------------------------------------------------------------------------------------
    def step(self, step: b.StepView) -> None:  # noqa: C901 - one branch per knex method
        method = step.method
        tree = self.tree
        if method in _NO_SQL:
            return
        if method in ("from", "table", "into"):
            self.source(step, *step.arg(0))
        elif method in ("select", "column", "columns", "distinct", "first", "pluck"):
            for node, value in self._flat(step.positional):
                self.select(step, node, value)
            if method == "distinct" and isinstance(tree, exp.Select):
                tree.set("distinct", b.located(exp.Distinct(), step.where))
            if method == "first" and isinstance(tree, exp.Select):
                b.set_limit(tree, exp.Literal.number(1), step.where)
        elif method in _AGGREGATES:
            self.aggregate(step, method)
        elif method in _WHERE:
            joiner, negate = _WHERE[method]
            condition = self.where_condition(step)
            if negate and condition is not None:
                condition = exp.Not(this=condition)
            b.add_where(tree, b.located(condition, step.where), use_or=joiner == "or")
        elif method.startswith(("where", "orWhere", "andWhere")):
            condition = self.special_where(step, method)
            b.add_where(tree, b.located(condition, step.where), use_or=method.startswith("orWhere"))
        elif method in _JOINS:
            self.join(step, _JOINS[method])
        elif method == "joinRaw":
            fragment = self.raw(step)
            join = b.add_join(tree, exp.Table(this=exp.to_identifier(b.RAW)), b.unknown_condition(), "", step.where)
            join.meta[b.RAW] = fragment is not None
            self.exact = False
        elif method == "groupBy" and isinstance(tree, exp.Select):
            for node, value in self._flat(step.positional):
                name = b.string_of(value, node)
                if name is None:  # `.groupBy(this.columns)`: grouped, by columns archlint cannot name
                    self.exact = False
                    b.add_group(tree, b.unknown_group(), step.where)
                    continue
                b.add_group(tree, b.located(b.dotted(name), step.where), step.where)
        elif method in ("groupByRaw",) and isinstance(tree, exp.Select):
            fragment = self.raw(step)
            b.add_group(tree, fragment if fragment is not None else exp.Anonymous(this=b.RAW), step.where)
        elif method in ("having", "andHaving", "orHaving") and isinstance(tree, exp.Select):
            b.add_having(tree, b.located(self.comparison(step, step.positional), step.where))
        elif method in ("havingRaw", "havingIn", "havingNull", "havingNotNull", "havingBetween") and isinstance(tree, exp.Select):
            b.add_having(tree, b.located(self.raw(step) or b.unknown_condition(), step.where))
        elif method == "orderBy" and isinstance(tree, exp.Select):
            self.order(step)
        elif method == "orderByRaw" and isinstance(tree, exp.Select):
            fragment = self.raw(step)
            b.add_order(tree, fragment if fragment is not None else exp.Anonymous(this=b.RAW), False, step.where)
        elif method in ("limit", "offset") and isinstance(tree, exp.Select):
            node, value = step.arg(0)
            (b.set_limit if method == "limit" else b.set_offset)(tree, b.value_expr(node, value), step.where)
        elif method == "insert":
            self.write(step, exp.Insert)
        elif method == "update":
            self.write(step, exp.Update)
        elif method in ("del", "delete", "truncate"):
            self.write(step, exp.Delete)
        elif method in ("increment", "decrement"):
            self.write(step, exp.Update)
            self.counter(step, method)
        elif method == "returning" and isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
            tree.set("returning", b.located(exp.Returning(expressions=[exp.Star()]), step.where))
        elif method in ("as", "returning"):
            return
        elif method in ("clearSelect",) and isinstance(tree, exp.Select):
            tree.set("expressions", [])
        elif method in ("clearOrder",) and isinstance(tree, exp.Select):
            tree.set("order", None)
        elif method in ("clearWhere",):
            tree.set("where", None)
        else:
            self.exact = False  # modify(fn), union, with …: not followed

    @staticmethod
    def _flat(pairs):
        """``select(['a', 'b'])`` and ``select('a', 'b')`` alike."""
        for node, value in pairs:
            if type(node) is ir.Seq:
                bare = v.strip(value) if value is not None else None
                items = bare.items if type(bare) is v.Tuple else (None,) * len(node.elts)
                for element, item in zip(node.elts, items):
                    yield element, item
            else:
                yield node, value

    def select(self, step: b.StepView, node, value) -> None:
        tree = self.tree
        if not isinstance(tree, exp.Select):
            return
        raw = self.raw_node(node)
        if raw is not None:
            tree.append("expressions", b.located(raw, step.where))
            return
        name = b.string_of(value, node)
        if name is not None:
            column, alias = b.split_alias(name)
            tree.append("expressions", b.located(b.aliased(b.dotted(column), alias), step.where))
            return
        record = v.strip(value) if value is not None else None
        if type(record) is v.Record:  # select({ alias: 'col' })
            for alias, item in record.items:
                text = b.string_of(item)
                if text is not None:
                    tree.append("expressions", b.located(b.aliased(b.dotted(text), alias), step.where))
            return
        if type(record) is v.Query:  # a subquery in the select list
            return
        self.exact = False

    def aggregate(self, step: b.StepView, method: str) -> None:
        tree = self.tree
        if not isinstance(tree, exp.Select):
            return
        kind = _AGGREGATES[method]
        distinct = method.endswith("Distinct")
        pairs = list(self._flat(step.positional)) or [(None, v.Const("*"))]
        for node, value in pairs:
            raw = self.raw_node(node)
            if raw is not None:
                tree.append("expressions", b.located(kind(this=raw), step.where))
                continue
            name = b.string_of(value, node)
            alias = ""
            record = v.strip(value) if value is not None else None
            if name is None and type(record) is v.Record and len(record.items) == 1:  # count({ total: '*' })
                alias, item = record.items[0]
                name = b.string_of(item)
            if name is None:
                self.exact = False
                continue
            column, written_alias = b.split_alias(name)
            alias = alias or written_alias
            inner = exp.Star() if column == "*" else b.dotted(column)
            if distinct:
                inner = exp.Distinct(expressions=[inner])
            tree.append("expressions", b.located(b.aliased(kind(this=inner), alias), step.where))

    def where_condition(self, step: b.StepView) -> exp.Expression | None:
        positional = step.positional
        if not positional:
            return None
        node, value = positional[0]
        if type(node) is ir.FuncRef:
            return self.inexact_condition()  # where(function () { this.where(…).orWhere(…) })
        raw = self.raw_node(node)
        if raw is not None and len(positional) == 1:
            return raw
        record = v.strip(value) if value is not None else None
        if len(positional) == 1 and type(node) is ir.Obj or (len(positional) == 1 and type(record) is v.Record):
            return self.object_condition(node, record)
        if len(positional) == 1:
            return self.inexact_condition()
        return self.comparison(step, positional)

    def object_condition(self, node, record) -> exp.Expression:
        items = []
        if type(node) is ir.Obj:
            for entry in node.entries:
                if not isinstance(entry.key, str):
                    self.exact = False
                    items.append(b.unknown_condition())
                    continue
                value = record.get(entry.key) if type(record) is v.Record else None
                items.append(_equals(b.dotted(entry.key), entry.value, value))
        elif type(record) is v.Record:
            for key, value in record.items:
                items.append(_equals(b.dotted(key), None, value))
        if not items:
            return exp.Boolean(this=True)  # where({}): no condition at all
        return b.and_all(items)

    def comparison(self, step: b.StepView, positional) -> exp.Expression:
        if len(positional) < 2:
            return self.inexact_condition()
        column_node, column_value = positional[0]
        name = b.string_of(column_value, column_node)
        subject = self.raw_node(column_node)
        if subject is None:
            if name is None:
                return self.inexact_condition()
            subject = b.dotted(name)
        if len(positional) == 2:
            node, value = positional[1]
            return _equals(subject, node, value)
        op_node, op_value = positional[1]
        operator = (b.string_of(op_value, op_node) or "").lower()
        node, value = positional[2]
        operand = self.raw_node(node) or b.value_expr(node, value)
        if operator in _COMPARE:
            return _COMPARE[operator](this=subject, expression=operand)
        if operator in ("in", "not in"):
            condition = exp.In(this=subject, expressions=[operand])
            return exp.Not(this=condition) if operator == "not in" else condition
        if operator in ("is", "is not"):
            condition = exp.Is(this=subject, expression=operand)
            return exp.Not(this=condition) if operator == "is not" else condition
        return self.inexact_condition()

    def special_where(self, step: b.StepView, method: str) -> exp.Expression:
        base = method.replace("orWhere", "where").replace("andWhere", "where")
        node, value = step.arg(0)
        name = b.string_of(value, node)
        if base == "whereRaw":
            return self.raw(step) or b.unknown_condition()
        if base in ("whereExists", "whereNotExists"):
            condition = exp.Exists(this=exp.Select(expressions=[exp.Literal.number(1)]))
            return exp.Not(this=condition) if "Not" in base else condition
        if name is None:
            return self.inexact_condition()
        subject = b.dotted(name)
        if base in ("whereNull", "whereNotNull"):
            condition = exp.Is(this=subject, expression=exp.Null())
            return exp.Not(this=condition) if base == "whereNotNull" else condition
        if base in ("whereIn", "whereNotIn"):
            second = step.arg(1)
            inner = self.subquery(second[1]) if second[1] is not None else None
            condition = exp.In(this=subject, query=inner) if inner is not None else exp.In(this=subject, expressions=[b.hole(second[0], second[1])])
            return exp.Not(this=condition) if base == "whereNotIn" else condition
        if base in ("whereBetween", "whereNotBetween"):
            low, high = b.hole(step.arg(1)[0], None), b.hole(step.arg(1)[0], None)
            condition = exp.Between(this=subject, low=low, high=high)
            return exp.Not(this=condition) if "Not" in base else condition
        if base in ("whereLike", "whereILike"):
            node2, value2 = step.arg(1)
            condition = (exp.ILike if base == "whereILike" else exp.Like)(this=subject, expression=b.value_expr(node2, value2))
            condition.meta["archlint_portable"] = True  # knex renders whereILike per dialect
            return condition
        if base == "whereNot":
            return exp.Not(this=self.comparison(step, step.positional))
        return self.inexact_condition()

    def subquery(self, value) -> exp.Expression | None:
        bare = v.strip(value)
        if type(bare) is not v.Query or bare.stack != "knex" or not bare.chains or self.depth > 2:
            return None
        chain = sorted(bare.chains, key=b.chain_key)[0]
        inner = _Lifter(self.program, self.catalog, bare, chain, self.depth + 1).run()
        if inner is None:
            return None
        if not inner.exact:
            self.exact = False
        return inner.tree

    # joins -------------------------------------------------------------------------------------
    def join(self, step: b.StepView, side: str) -> None:
        tree = self.tree
        if not isinstance(tree, exp.Select):
            return
        node, value = step.arg(0)
        name = b.string_of(value, node)
        if name is None:
            self.exact = False
            return
        table, alias = b.split_alias(name)
        target = b.table(table, alias)
        rest = step.positional[1:]
        kind = "CROSS" if side == "CROSS" else ""
        side = "" if side == "CROSS" else side
        condition: exp.Expression | None = None
        if kind == "CROSS":
            condition = None
        elif rest and type(rest[0][0]) is ir.FuncRef:
            condition = self.join_callback(step, rest[0][0])
        elif len(rest) == 1 and type(v.strip(rest[0][1]) if rest[0][1] is not None else None) is v.Record:
            record = v.strip(rest[0][1])
            condition = b.and_all([exp.EQ(this=b.dotted(k), expression=b.dotted(b.string_of(i) or "")) for k, i in record.items])
        elif len(rest) in (2, 3):
            condition = self.on(step, rest, values=False)
        else:
            self.exact = False
            condition = b.unknown_condition()
        join = b.add_join(tree, target, condition, side, step.where, kind)
        join.meta[b.FAN_OUT] = self.fan_out(table, alias or table, condition)
        self.joined[(alias or table).lower()] = table

    def on(self, step: b.StepView, operands, values: bool) -> exp.Expression:
        """``on(a, b)`` / ``on(a, op, b)``: both sides are identifiers (``values`` for ``onVal``)."""
        first_node, first_value = operands[0]
        operator = "="
        if len(operands) == 3:
            operator = (b.string_of(operands[1][1], operands[1][0]) or "=").lower()
        last_node, last_value = operands[-1]
        left_name = b.string_of(first_value, first_node)
        left = b.dotted(left_name) if left_name is not None else (self.raw_node(first_node) or b.hole(first_node, first_value))
        if values:
            right = self.raw_node(last_node) or b.value_expr(last_node, last_value)
        else:
            right_name = b.string_of(last_value, last_node)
            raw = self.raw_node(last_node)
            if raw is not None:
                right = raw
            elif right_name is not None:
                right = b.dotted(right_name)
            else:
                right = b.hole(last_node, last_value)
                if b.is_runtime(last_node, last_value):
                    self.value_as_identifier(step, last_node)
        return _COMPARE.get(operator, exp.EQ)(this=left, expression=right)

    def value_as_identifier(self, step: b.StepView, node) -> None:
        from archlint.domain.ir_format import render

        text = render(node, 60)
        message = (
            f"`{text}` is passed as the last operand of `.{step.method}()`, where knex expects a column name: knex quotes "
            f"the value as an identifier, so the join compares against a column named after the value (PostgreSQL: "
            f"'column \"…\" does not exist'; SQLite/MySQL may match nothing) instead of binding it"
        )
        guidance = (
            f"Bind the value: `.andOnVal('col', '=', {text})` (or `.on('col', '=', knex.raw('?', [{text}]))`), or move the "
            f"condition to `.where('col', {text})`."
        )
        self.problems.append(b.Problem("AL418", step.path, step.span, message, guidance))

    def join_callback(self, step: b.StepView, ref: ir.FuncRef) -> exp.Expression:
        function = self.program.function(step.path, ref.fid)
        if function is None:
            return self.inexact_condition()
        closure = self.program.closures.get((step.path, ref.fid), {})
        calls = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Call]
        # The chain this.on(…).andOn(…).orOn(…): innermost (the first written) first.
        conditions: list[tuple[str, exp.Expression]] = []
        for call in sorted(calls, key=lambda c: (c.span.end_line, c.span.end_column)):
            method = call.method
            if method not in ("on", "andOn", "orOn", "onVal", "andOnVal", "orOnVal", "onIn", "andOnIn", "onNull",
                              "andOnNull", "onNotNull", "andOnNotNull", "using"):
                continue
            operands = [(arg.value, _closure_value(arg.value, closure)) for arg in call.args if arg.kind == "pos"]
            inner = b.StepView(v.Step(step.path, call, tuple(("pos", "", value) for _node, value in operands)))
            if method in ("onVal", "andOnVal", "orOnVal"):
                condition = self.on(inner, operands, values=True) if len(operands) >= 2 else b.unknown_condition()
            elif method in ("on", "andOn", "orOn") and len(operands) in (2, 3):
                condition = self.on(inner, operands, values=False)
            else:
                condition = b.unknown_condition()
                self.exact = False
            conditions.append(("or" if method.startswith("or") else "and", b.located(condition, inner.where)))
        if not conditions:
            return self.inexact_condition()
        result = conditions[0][1]
        for joiner, condition in conditions[1:]:
            result = (exp.Or if joiner == "or" else exp.And)(this=result, expression=condition)
        return result

    def fan_out(self, table: str, alias: str, condition) -> bool | None:
        """One-to-many from the FROM table, or from an earlier join (``tags`` joined on
        ``article_tags.tag_id`` is many-to-one from ``article_tags``)."""
        if condition is None or not self.table:
            return None
        pairs = []
        source = self.table
        known = {self.alias.lower(): self.table, self.table.lower(): self.table, **self.joined}
        for equality in condition.find_all(exp.EQ):
            sides = [equality.this, equality.expression]
            if all(isinstance(s, exp.Column) for s in sides):
                mine = [s for s in sides if s.table.lower() in (alias.lower(), table.lower())]
                other = [s for s in sides if s.table.lower() not in (alias.lower(), table.lower())]
                if mine and other and other[0].table.lower() in known:
                    if pairs and known[other[0].table.lower()] != source:
                        continue  # pairs naming two different tables: judge the first only
                    source = known[other[0].table.lower()]
                    pairs.append((other[0].name, mine[0].name))
        found = self.catalog.fans_out(source, table, pairs)
        if found is None and pairs:  # no schema: the naming convention says it (comments.article_id = articles.id)
            right = pairs[0][1].lower()
            if right == "id":
                return False
            if right.endswith("_id") or right.endswith("id") and right != "id":
                return True
        return found

    # ORDER BY ----------------------------------------------------------------------------------
    def order(self, step: b.StepView) -> None:
        tree = self.tree
        node, value = step.arg(0)
        direction = b.string_of(*reversed(step.arg(1))) if len(step.positional) > 1 else None
        desc = (direction or "").lower() == "desc"
        raw = self.raw_node(node)
        if raw is not None:
            b.add_order(tree, raw, desc, step.where)
            return
        name = b.string_of(value, node)
        if name is not None:
            b.add_order(tree, b.dotted(name), desc, step.where)
            return
        bare = v.strip(value) if value is not None else None
        if type(node) is ir.Seq or type(bare) is v.Tuple:  # orderBy([{ column: 'a', order: 'desc' }, 'b'])
            items = bare.items if type(bare) is v.Tuple else ()
            for item in items:
                text = b.string_of(item)
                record = v.strip(item)
                if text is not None:
                    b.add_order(tree, b.dotted(text), False, step.where)
                elif type(record) is v.Record and b.string_of(record.get("column")) is not None:
                    b.add_order(tree, b.dotted(b.string_of(record.get("column"))),
                                (b.string_of(record.get("order")) or "").lower() == "desc", step.where)
                else:
                    b.add_order(tree, b.hole(node, item), False, step.where)
            if not items:
                b.add_order(tree, b.hole(node, value), False, step.where)
            return
        b.add_order(tree, b.hole(node, value), desc, step.where)  # orderBy(sort): a runtime column

    # writes ------------------------------------------------------------------------------------
    def counter(self, step: b.StepView, method: str) -> None:
        """``increment('favorites_count', 1)`` / ``increment({ views: 1, likes: 2 })``: SET col = col ± n."""
        node, value = step.arg(0)
        record = v.strip(value) if value is not None else None
        if type(record) is v.Record:
            pairs = [(key, None, item) for key, item in record.items]
        elif b.string_of(value, node) is not None:
            amount_node, amount = step.arg(1)
            pairs = [(b.string_of(value, node), amount_node, amount)]
        else:
            return
        operation = exp.Add if method == "increment" else exp.Sub
        expressions = []
        for column, amount_node, amount in pairs:
            if not isinstance(column, str):
                return
            by = b.value_expr(amount_node, amount) if amount_node is not None or amount is not None else b.literal(1)
            expressions.append(exp.EQ(this=b.dotted(column), expression=operation(this=b.dotted(column), expression=by)))
        if isinstance(self.tree, exp.Update) and expressions:
            self.tree.set("expressions", expressions)

    def write(self, step: b.StepView, kind) -> None:
        tree = self.tree
        source = b.from_table(tree) if isinstance(tree, exp.Select) else tree.this
        target = source if source is not None else b.table(self.table or b.UNKNOWN_TABLE)
        where = tree.args.get("where")
        if kind is exp.Insert:
            node = exp.Insert(this=target)
        elif kind is exp.Update:
            node = exp.Update(this=target, where=where, expressions=[exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())])
        else:
            node = exp.Delete(this=target, where=where)
        if isinstance(tree, exp.Select) and (tree.args.get("joins") or tree.args.get("limit")):
            self.exact = False  # knex ignores or rejects joins/limits on writes per dialect
        self.tree = b.located(node, step.where)

    # raw fragments -----------------------------------------------------------------------------
    def raw_node(self, node) -> exp.Expression | None:
        """``knex.raw('count(*) as n')`` / ``db.raw('?', [x])`` as a sqlglot expression."""
        if type(node) is not ir.Call or node.method != "raw" or not node.args:
            return None
        first = node.args[0].value
        text = first.value if type(first) is ir.Const and isinstance(first.value, str) else None
        if text is None:
            return self.inexact_condition()
        return parse_fragment(text)

    def raw(self, step: b.StepView) -> exp.Expression | None:
        node, value = step.arg(0)
        text = b.string_of(value, node)
        if text is None:
            self.exact = False
            return None
        return parse_fragment(text)


_KNOWN = frozenset({"select", "from", "table", "insert", "update", "del", "delete", "count", "first", "into", "distinct",
                    "column", "columns", "min", "max", "sum", "avg", "countDistinct", "where", "join", "with"})


def parse_fragment(text: str) -> exp.Expression | None:
    """A SQL expression fragment (a select item, a condition, an ORDER BY term), ``?`` bound."""
    import sqlglot

    cleaned = text.replace("??", b.IDENTIFIER)  # `?` parses as a placeholder (a bound value)
    try:
        statement = sqlglot.parse_one(f"SELECT {cleaned}")
    except Exception:  # noqa: BLE001 - not an expression sqlglot reads: opaque
        return None
    if not isinstance(statement, exp.Select) or len(statement.expressions) != 1:
        return None
    node = statement.expressions[0]
    node.pop()
    for inner in node.walk():
        inner.meta[b.RAW] = True
    return node


def _equals(subject: exp.Expression, node, value) -> exp.Expression:
    if (type(node) is ir.Const and node.value is None) or (node is None and v.strip(value) == v.Const(None)):
        return exp.Is(this=subject, expression=exp.Null())
    return exp.EQ(this=subject, expression=b.value_expr(node, value) if node is not None else (
        b.literal(b.const_of(value)) if b.const_of(value) is not None else b.hole(None, value)))


def _closure_value(node, closure: dict):
    if type(node) is ir.Name and node.id in closure:
        return closure[node.id]
    if type(node) is ir.Const:
        return v.Const(node.value)
    return None



def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    found = _Lifter(program, catalog, query, chain).run()
    return [found] if found is not None else []
