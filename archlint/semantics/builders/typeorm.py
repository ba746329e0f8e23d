"""TypeORM: ``find*`` option objects and ``createQueryBuilder`` chains lifted to SQL, and the
tables entities map.

An entity's table is ``@Entity('name')`` / ``@Entity({ name })``, else the snake case of its class
name (TypeORM's default naming strategy); a column is ``@Column({ name })`` or the property name;
a ``@ManyToOne`` adds the join column ``<property>Id`` (or ``@JoinColumn({ name })``).

Query builders write conditions as SQL fragments over ``alias.property`` with ``:name``
parameters; the fragments are parsed with sqlglot and the properties stay as written (TypeORM
maps them), so a property the entity does not have shows as an unknown column.  ``take``/``skip``
page the parent entities (TypeORM selects the distinct ids first); ``limit``/``offset`` limit the
joined rows — with a collection joined, that is a page cut in the middle (AL416).
"""

from __future__ import annotations

import re

from sqlglot import exp

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.options import Option
from archlint.semantics.tables import Catalog, ForeignKey, Join, Table, camel, snake

BUILDER = "typeorm"
IDIOM = {
    "order": "add `order: { createdAt: 'DESC', id: 'DESC' }` to the find options (`.orderBy('article.createdAt', 'DESC')` on a query builder) before `skip`/`take`",
    "where": "add `.where('id = :id', { id })` before `.execute()`",
    "group": "add `.groupBy('alias.column')` for the plain columns",
    "distinct": "count distinct ids (`COUNT(DISTINCT article.id)`), or use `getCount()`, which does",
    "limit-join": "use `.take(n)`/`.skip(n)` instead of `.limit()`/`.offset()` when joining a collection (TypeORM then pages the parent entities)",
}
_RELATIONS = {"ManyToOne": False, "OneToOne": False, "OneToMany": True, "ManyToMany": True}
_COLUMNS = ("Column", "PrimaryGeneratedColumn", "PrimaryColumn", "CreateDateColumn", "UpdateDateColumn",
            "DeleteDateColumn", "VersionColumn", "ObjectIdColumn", "Generated")
_PARAM = re.compile(r":(\.\.\.)?([A-Za-z_]\w*)")
_FIND = frozenset({"find", "findBy", "findOne", "findOneBy", "findAndCount", "findAndCountBy", "findOneOrFail",
                   "findOneByOrFail", "count", "countBy", "exist", "exists", "existsBy"})


# the tables entities map ----------------------------------------------------------------------------
def define(program, catalog: Catalog, in_project) -> None:
    models = [m for m in program.schema.models.values() if m.stack == "typeorm" and in_project(m.path)]
    pending = []
    for model in models:
        table, relations = _entity(program, model)
        catalog.add(table)
        pending.append((table, relations))
    for table, relations in pending:
        for name, (target_name, kind, join_column, inverse) in relations.items():
            key = program.schema.by_name(target_name, "typeorm", table.path) if target_name else ""
            target = catalog.model(key) if key else None
            if target is None:
                continue
            if kind in ("ManyToOne", "OneToOne") and (kind == "ManyToOne" or join_column):
                column = join_column or camel(f"{name}_{target.primary_key}")
                table.add_column(column)
                table.attributes.setdefault(column, column)
                table.foreign_keys.append(ForeignKey(column, target.name.lower(), target.primary_key))
                table.relations[name] = Join(target.name, ((column, target.primary_key),), False)
    for table, relations in pending:  # inverse sides, once the owning sides are known
        for name, (target_name, kind, _join_column, inverse) in relations.items():
            key = program.schema.by_name(target_name, "typeorm", table.path) if target_name else ""
            target = catalog.model(key) if key else None
            if target is None or name in table.relations:
                continue
            if kind in ("OneToMany", "OneToOne"):
                back = next((j for j in target.relations.values() if j.target == table.name and j.pairs), None)
                if back is not None:
                    table.relations[name] = Join(target.name, tuple((r, l) for l, r in back.pairs), kind == "OneToMany")
            elif kind == "ManyToMany":
                through = f"{table.name}_{snake(name)}_{target.name}"
                left, right = f"{camel(table.name)}Id", f"{camel(target.name)}Id"
                junction = catalog.get(through) or catalog.add(Table(through, "TypeORM many-to-many", table.path, table.line, closed=False))
                junction.add_column(left)
                junction.add_column(right)
                table.relations[name] = Join(target.name, (), True, through, ((table.primary_key, left),), ((right, target.primary_key),))


def _entity(program, model) -> tuple[Table, dict]:
    cls = program.cls(model.path, model.cid)
    name = ""
    for decorator in cls.decorators if cls is not None else ():
        if type(decorator) is ir.Call and program.static_name(model.path, decorator.func).endswith("Entity"):
            first = decorator.arg(0)
            if type(first) is ir.Const and isinstance(first.value, str):
                name = first.value
            elif type(first) is ir.Obj:
                name = next((e.value.value for e in first.entries if e.key == "name" and type(e.value) is ir.Const), "") or ""
    table = Table(name or snake(model.name), f"TypeORM entity {model.name}", model.path, model.span.line, model=model.key)
    relations: dict = {}
    primary = ""
    for path, cid in program.subclass_chain(model.path, model.cid):
        owner = program.cls(path, cid)
        if owner is None:
            continue
        for base in program.bases(path, cid):
            if type(base) is v.External and "typeorm" not in base.name:
                table.closed = False
        for member in owner.fields:
            kind, call = _decorator(program, path, member)
            if kind in _COLUMNS:
                column = member.name
                options = call.arg(0) if call is not None else None
                if type(options) is ir.Obj:
                    column = next((e.value.value for e in options.entries if e.key == "name" and type(e.value) is ir.Const), column)
                table.add_column(member.name)
                table.add_column(column)
                table.attributes[member.name] = column
                if kind.startswith("Primary"):
                    primary = column
            elif kind in _RELATIONS and call is not None:
                target = ""
                first = call.arg(0)
                if type(first) is ir.FuncRef:
                    function = program.function(path, first.fid)
                    returned = function.body[-1].value if function is not None and function.body and type(function.body[-1]) is ir.Return else None
                    target = returned.id if type(returned) is ir.Name else ""
                elif type(first) is ir.Const and isinstance(first.value, str):
                    target = first.value
                join_column = _join_column(program, path, member)
                relations[member.name] = (target, kind, join_column, "")
            elif kind is None and member.decorators:
                continue
    table.primary_key = primary or "id"
    if not primary:
        table.add_column("id")
    return table, relations


def _decorator(program, path: str, member: ir.Field):
    for decorator in member.decorators:
        call = decorator if type(decorator) is ir.Call else None
        name = program.static_name(path, call.func if call is not None else decorator)
        short = name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        if short in _COLUMNS or short in _RELATIONS:
            return short, call
    return None, None


def _join_column(program, path: str, member: ir.Field) -> str:
    for decorator in member.decorators:
        if type(decorator) is ir.Call and program.static_name(path, decorator.func).endswith("JoinColumn"):
            options = decorator.arg(0)
            if type(options) is ir.Obj:
                return next((e.value.value for e in options.entries if e.key == "name" and type(e.value) is ir.Const), "") or ""
    return ""


# lifting ----------------------------------------------------------------------------------------
class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, chain: tuple) -> None:
        super().__init__(program, catalog, query)
        self.chain = chain
        self.table = catalog.model(query.model) if query.model else None
        self.aliases: dict[str, Table] = {}
        self.main = ""
        self.tree: exp.Expression | None = None
        self.paged = False  # take/skip: TypeORM pages the parent entities

    def run(self) -> list[b.Lifted]:
        steps = [b.StepView(step) for step in self.chain]
        first = steps[0]
        if first.method in _FIND:
            return self.find(first)
        if first.method != "createQueryBuilder":
            return []
        self.tree = b.located(exp.Select(), first.where)
        alias = b.string_of(*reversed(first.arg(0))) or ""
        if len(first.positional) >= 2:  # dataSource.createQueryBuilder(Article, 'a')
            self.table = self._entity_table(first.arg(0)) or self.table
            alias = b.string_of(*reversed(first.arg(1))) or alias
        if self.table is not None:
            self.main = alias or self.table.name
            self.aliases[self.main] = self.table
            b.set_from(self.tree, b.table(self.table.name, self.main), first.where)
            self.tree.append("expressions", b.column("*", self.main))
        for step in steps[1:]:
            self.step(step)
            if self.tree is None:
                return []
        if isinstance(self.tree, exp.Select) and not self.tree.expressions:
            self.tree.set("expressions", [b.column("*", self.main)] if self.main else [exp.Star()])
        if self.paged and isinstance(self.tree, exp.Select):
            _page_parents(self.tree, self.main)
        return [b.Lifted(BUILDER, self.tree, first.path, first.span, self.query.model, self.exact, self.problems, steps=self.chain)]

    def _entity_table(self, pair) -> Table | None:
        node, value = pair
        bare = v.strip(value) if value is not None else None
        if type(bare) is v.ModelClass:
            return self.catalog.model(bare.model)
        if type(bare) is v.ClassValue:
            key = self.program.model_of_class(bare.path, bare.cid)
            return self.catalog.model(key) if key else None
        return None

    # query builder -----------------------------------------------------------------------------
    def step(self, step: b.StepView) -> None:  # noqa: C901 - one branch per builder method
        method = step.method
        tree = self.tree
        if method in ("setParameter", "setParameters", "printSql", "cache", "withDeleted", "useTransaction", "setLock",
                      "loadRelationCountAndMap", "loadRelationIdAndMap", "getMany", "getOne", "getOneOrFail", "getRawMany",
                      "getRawOne", "stream", "getQuery", "getSql", "execute", "getManyAndCount", "getCount", "getExists"):
            if method in ("getCount", "getManyAndCount") and isinstance(tree, exp.Select):
                pass  # TypeORM counts COUNT(DISTINCT id): correct with joins
            return
        if method in ("leftJoinAndSelect", "innerJoinAndSelect", "leftJoin", "innerJoin"):
            self.join(step, "LEFT" if method.startswith("left") else "", select=method.endswith("AndSelect"))
        elif method in ("where", "andWhere", "orWhere"):
            if method == "where" and isinstance(tree, (exp.Select, exp.Update, exp.Delete)):
                tree.set("where", None)
            b.add_where(tree, b.located(self.fragment(step), step.where), use_or=method == "orWhere")
        elif method in ("whereInIds", "andWhereInIds"):
            b.add_where(tree, exp.In(this=b.column("id", self.main), expressions=[b.hole(step.arg(0)[0], step.arg(0)[1])]))
        elif method in ("orderBy", "addOrderBy") and isinstance(tree, exp.Select):
            if method == "orderBy":
                tree.set("order", None)
            node, value = step.arg(0)
            text = b.string_of(value, node)
            direction = b.string_of(*reversed(step.arg(1))) if len(step.positional) > 1 else ""
            if text is None and node is not None and type(node) is ir.Obj:
                for entry in node.entries:
                    if isinstance(entry.key, str):
                        b.add_order(tree, b.dotted(entry.key), "DESC" in str(getattr(entry.value, "value", "")).upper(), step.where)
                return
            if method == "orderBy" and node is None:
                return
            b.add_order(tree, b.dotted(text) if text else b.hole(node, value), (direction or "").upper() == "DESC", step.where)
        elif method in ("limit", "offset") and isinstance(tree, exp.Select):
            node, value = step.arg(0)
            (b.set_limit if method == "limit" else b.set_offset)(tree, b.value_expr(node, value), step.where)
        elif method in ("take", "skip") and isinstance(tree, exp.Select):
            node, value = step.arg(0)
            self.paged = True
            (b.set_limit if method == "take" else b.set_offset)(tree, b.value_expr(node, value), step.where)
        elif method in ("select", "addSelect") and isinstance(tree, exp.Select):
            if method == "select":
                tree.set("expressions", [])
            if step.positional:  # select(selection, aliasName?): the second argument names the first
                self.select(step, *step.positional[0])
                alias = b.string_of(*reversed(step.positional[1])) if len(step.positional) > 1 else None
                if alias and tree.expressions:
                    named = b.located(exp.alias_(tree.expressions[-1].copy(), alias, quoted=False), step.where)
                    tree.set("expressions", [*tree.expressions[:-1], named])
        elif method in ("groupBy", "addGroupBy") and isinstance(tree, exp.Select):
            text = b.string_of(*reversed(step.arg(0)))
            b.add_group(tree, b.dotted(text) if text else b.hole(*step.arg(0)), step.where)
        elif method in ("having", "andHaving", "orHaving") and isinstance(tree, exp.Select):
            b.add_having(tree, b.located(self.fragment(step), step.where))
        elif method == "delete":
            # the builder's alias names the DELETE's / UPDATE's table: TypeORM accepts `alias.property` in its
            # conditions and drops the prefix itself (`createQueryBuilder("tf").update().whereInIds(…)`)
            self.tree = b.located(exp.Delete(this=b.table(self.table.name, self.main) if self.table else None), step.where)
        elif method == "update":
            table = self._entity_table(step.arg(0)) or self.table
            if table is not None:
                if table is not self.table or not self.main:
                    self.main = table.name
                    self.aliases[self.main] = table
                self.table = table
            self.tree = b.located(exp.Update(this=b.table(self.table.name, self.main) if self.table else None,
                                             expressions=[exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())]), step.where)
        elif method in ("from",):
            table = self._entity_table(step.arg(0))
            if table is not None:
                self.table = table
                alias = b.string_of(*reversed(step.arg(1))) if len(step.positional) > 1 else table.name
                self.main = alias or table.name
                self.aliases[self.main] = table
                if isinstance(tree, exp.Select):
                    b.set_from(tree, b.table(table.name, self.main), step.where)
                else:
                    tree.set("this", b.table(table.name))
        elif method in ("set", "values", "into", "insert", "returning", "orIgnore", "orUpdate", "distinct"):
            if method == "insert":
                self.tree = None
            if method == "distinct" and isinstance(tree, exp.Select):
                tree.set("distinct", exp.Distinct())
            return
        else:
            self.exact = False

    def join(self, step: b.StepView, side: str, select: bool) -> None:
        tree = self.tree
        path = b.string_of(*reversed(step.arg(0)))
        alias = b.string_of(*reversed(step.arg(1))) or ""
        if not path or not alias or not isinstance(tree, exp.Select):
            self.exact = False
            return
        condition = None
        if len(step.positional) > 2:
            condition = self.fragment_text(b.string_of(*reversed(step.arg(2))))
        owner_alias, _, relation = path.partition(".")
        owner = self.aliases.get(owner_alias)
        if relation and owner is not None:
            join = owner.relations.get(relation)
            target = self.catalog.get(join.target) if join is not None else None
            if join is None or target is None:
                self.exact = False
                node = b.add_join(tree, b.table(relation, alias), b.unknown_condition(), side, step.where)
                node.meta[b.RELATION] = relation
                return
            self.aliases[alias] = target
            if join.through:
                on = b.and_all([exp.EQ(this=b.column(t, join.through), expression=b.column(s, owner_alias)) for s, t in join.through_pairs])
                first = b.add_join(tree, b.table(join.through), on, side, step.where)
                first.meta[b.FAN_OUT] = True
                first.meta[b.RELATION] = relation
                on = b.and_all([exp.EQ(this=b.column(r, alias), expression=b.column(t, join.through)) for t, r in join.target_pairs])
                node = b.add_join(tree, b.table(target.name, alias), on, side, step.where)
                node.meta[b.FAN_OUT] = False
            else:
                on = b.and_all([exp.EQ(this=b.column(r, alias), expression=b.column(l, owner_alias)) for l, r in join.pairs])
                node = b.add_join(tree, b.table(target.name, alias), on, side, step.where)
                node.meta[b.FAN_OUT] = join.collection
            node.meta[b.RELATION] = relation
            if condition is not None:
                node.set("on", exp.And(this=node.args.get("on"), expression=condition))
            if select:
                tree.append("expressions", b.located(b.column("*", alias), step.where))
            return
        entity = self._entity_table(step.arg(0))  # .leftJoin(Photo, 'photo', 'photo.userId = user.id')
        if entity is not None:
            self.aliases[alias] = entity
            node = b.add_join(tree, b.table(entity.name, alias), condition or b.unknown_condition(), side, step.where)
            if condition is None:
                self.exact = False
            return
        self.exact = False

    def select(self, step: b.StepView, node, value) -> None:
        items = []
        bare = v.strip(value) if value is not None else None
        if type(node) is ir.Seq:
            items = [b.string_of(None, e) for e in node.elts]
        elif type(bare) is v.Tuple:
            items = [b.string_of(i) for i in bare.items]
        else:
            items = [b.string_of(value, node)]
        alias_node = None
        for text in items:
            if text is None:
                self.exact = False
                continue
            fragment = _parse(text.replace(":", f"{b.PLACEHOLDER}_"))
            term = fragment if fragment is not None else b.dotted(text)
            self.tree.append("expressions", b.located(term, step.where))
        del alias_node

    def fragment(self, step: b.StepView) -> exp.Expression:
        node, value = step.arg(0)
        text = b.string_of(value, node)
        if text is None:
            return self.inexact_condition()  # new Brackets(qb => …) / an object condition
        return self.fragment_text(text) or self.inexact_condition()

    def fragment_text(self, text: str | None) -> exp.Expression | None:
        if text is None:
            return None
        cleaned = _PARAM.sub("?", text)
        parsed = _parse(cleaned)
        if parsed is None:
            return self.inexact_condition()
        return parsed

    # find options ------------------------------------------------------------------------------
    def find(self, step: b.StepView) -> list[b.Lifted]:
        table = self.table
        if table is None:
            return []
        method = step.method
        options = _Options(*step.arg(0)) if step.positional else None
        by = method.endswith("By") or method.endswith("ByOrFail")
        where_option = options if by else (options.get("where") if options is not None else None)
        select = b.located(exp.Select(expressions=[b.column("*", table.name)]), step.where)
        b.set_from(select, b.table(table.name), step.where)
        if where_option is not None:
            b.add_where(select, b.located(self.where(where_option, table, step), (step.path, where_option.span or step.span)))
        relations = options.get("relations") if options is not None and not by else None
        collection = False
        if relations is not None:
            for name in relations.names():
                join = table.relations.get(name.split(".")[0])
                if join is None:
                    continue
                node = b.add_join(select, b.table(join.target, name), b.unknown_condition(), "LEFT", step.where)
                node.meta[b.FAN_OUT] = join.collection
                collection = collection or join.collection
        order = options.get("order") if options is not None and not by else None
        if order is not None:
            for key, item in order.items():
                if key == "..." or item is None:  # order: sortOptions — ordered, by what is not known
                    b.add_order(select, b.hole(order.node, order.value), False, (step.path, order.span or step.span))
                    continue
                b.add_order(select, self.property(key, table, step), (item.string or "").upper() == "DESC", (step.path, order.span or step.span))
        for key, setter in (("take", b.set_limit), ("skip", b.set_offset)):
            item = options.get(key) if options is not None and not by else None
            if item is not None:
                setter(select, item.expr(), (step.path, item.span or step.span))
        if method.startswith("findOne"):
            b.set_limit(select, exp.Literal.number(1), step.where)
        if collection and (select.args.get("limit") is not None or select.args.get("offset") is not None):
            _page_parents(select, table.name)
        if method in ("count", "countBy"):
            select.set("expressions", [exp.Count(this=exp.Distinct(expressions=[b.column(table.primary_key, table.name)]))])
        return [b.Lifted(BUILDER, select, step.path, step.span, self.query.model, self.exact, self.problems, steps=self.chain)]

    def where(self, option: "_Options", table: Table, step: b.StepView) -> exp.Expression:
        if option.is_list:  # where: [{…}, {…}] is OR
            return b.or_all([self.where(item, table, step) for item in option.elements()]) or exp.Boolean(this=True)
        if not option.is_record:
            return self.inexact_condition()
        parts = []
        for key, item in option.items():
            if key == "...":
                parts.append(self.inexact_condition())
                continue
            if key in table.relations:
                parts.append(b.unknown_condition() if item.is_record else exp.EQ(this=exp.column(key), expression=item.expr()))
                continue
            subject = self.property(key, table, step)
            if type(item.node) is ir.Call:  # Like('%x%'), In([...]), IsNull(), ILike(…)
                parts.append(self.operator(subject, item.node))
            else:
                parts.append(exp.EQ(this=subject, expression=item.expr()))
        return b.and_all(parts) or exp.Boolean(this=True)

    def operator(self, subject: exp.Expression, call: ir.Call) -> exp.Expression:
        name = call.short_name
        argument = call.arg(0)
        value = b.value_expr(argument, None) if argument is not None else b.hole(call, None)
        if name in ("Like", "ILike"):
            return (exp.ILike if name == "ILike" else exp.Like)(this=subject, expression=value)
        if name == "In":
            return exp.In(this=subject, expressions=[value])
        if name == "IsNull":
            return exp.Is(this=subject, expression=exp.Null())
        if name in ("MoreThan", "LessThan", "MoreThanOrEqual", "LessThanOrEqual", "Equal"):
            kind = {"MoreThan": exp.GT, "LessThan": exp.LT, "MoreThanOrEqual": exp.GTE, "LessThanOrEqual": exp.LTE, "Equal": exp.EQ}[name]
            return kind(this=subject, expression=value)
        if name == "Not" and type(argument) is ir.Call:
            return exp.Not(this=self.operator(subject, argument))
        return self.inexact_condition()

    def property(self, key: str, table: Table, step: b.StepView) -> exp.Expression:
        if key not in table.attributes and key not in table.relations and table.closed and not table.has(key):
            self.unknown_property(key, table, step)
        return b.column(table.column_of(key), table.name)

    def unknown_property(self, key: str, table: Table, step: b.StepView) -> None:
        name = table.model.rsplit(":", 1)[-1]
        fields = ", ".join(sorted(table.attributes)[:12])
        message = (f"`{key}` is not a property of the entity `{name}`: TypeORM rejects the find options "
                   f"(EntityPropertyNotFoundError: Property \"{key}\" was not found in \"{name}\")")
        self.problems.append(b.Problem("AL417", step.path, step.span, message, f"Use a property of `{name}` ({fields})."))


class _Options(Option):
    """A find-options object (see :class:`~archlint.semantics.options.Option`), read the way the
    lifter needs: a computed key or an unknown object is the key ``...`` (whatever it holds is
    not known), and a scalar has no elements."""

    __slots__ = ()

    @property
    def span(self):
        return self.node.span if self.node is not None else None

    def items(self):
        keys = []
        if type(self.node) is ir.Obj:
            keys = [e.key if isinstance(e.key, str) else "..." for e in self.node.entries]
        elif type(self.bare) is v.Record:
            keys = [k for k, _ in self.bare.items]
        elif self.bare is None or v.is_unknown(self.bare):
            return [("...", None)]
        return [(k, self.get(k) if k != "..." else None) for k in keys]

    def elements(self):
        if type(self.node) is ir.Seq:
            return [_Options(e, None) for e in self.node.elts]
        if type(self.bare) is v.Tuple:
            return [_Options(None, i) for i in self.bare.items]
        return []

    def names(self) -> list[str]:
        if self.is_list:
            return [b.string_of(e.value, e.node) for e in self.elements() if b.string_of(e.value, e.node)]
        if self.is_record:
            return [k for k, item in self.items() if k != "..." and item is not None and b.const_of(item.value, item.node) is not False]
        return []

    def expr(self) -> exp.Expression:
        return b.value_expr(self.node, self.value) if self.node is not None else (
            b.literal(b.const_of(self.value)) if b.const_of(self.value) is not None else b.hole(None, self.value))


def _parse(text: str) -> exp.Expression | None:
    from archlint.semantics.builders.knex import parse_fragment

    node = parse_fragment(text)
    if node is not None:
        for inner in node.walk():
            inner.meta.pop(b.RAW, None)  # a query-builder fragment is part of the query, not raw SQL text
    return node


def _page_parents(select: exp.Select, alias: str) -> None:
    """``take``/``skip`` (and find with relations): TypeORM selects the page of distinct parent ids
    first, so the limit applies to parents — modelled as the parent page in a subquery."""
    inner = exp.Select(expressions=[exp.Distinct(expressions=[b.column("id", alias)])])
    source = select.args.get(b.FROM_KEY)
    if source is None:
        return
    inner.set(b.FROM_KEY, source.copy())
    for key in ("limit", "offset"):
        inner.set(key, select.args.get(key))
        select.set(key, None)
    order = select.args.get("order")
    if order is not None:
        inner.set("order", order.copy())
    b.add_where(select, exp.In(this=b.column("id", alias), query=exp.Subquery(this=inner)))


def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    return _Lifter(program, catalog, query, chain).run()
