"""Django QuerySets lifted to SQL, and the tables Django models map.

``Article.objects.filter(author__username=name).exclude(…).annotate(n=Count('comments'))
.order_by('-created_at')[:20]`` becomes the SELECT Django compiles: lookups ``a__b__lookup``
walk relations (forward foreign keys, reverse relations by their query name, many-to-many
through their table), each relation a join; ``annotate`` aggregates over LEFT joins grouped by the
model's key; slices are LIMIT/OFFSET; ``count()``/``exists()``/``first()``/``delete()``/
``update()`` are the statements they run; ``Meta.ordering`` orders an unordered query.

A lookup naming no field of a model whose fields are all known is Django's ``FieldError:
Cannot resolve keyword`` — a problem of the lifted query.
"""

from __future__ import annotations

from sqlglot import exp

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.tables import Catalog, ForeignKey, Join, Table

BUILDER = "django"
IDIOM = {
    "order": "add `.order_by('-created_at', '-id')` before slicing (or `ordering` in the model's Meta)",
    "where": "filter before deleting: `.filter(pk=pk).delete()` (`.all().delete()` empties the table)",
    "group": "group with `.values('field').annotate(…)`",
    "distinct": "pass `distinct=True`: `Count('comments', distinct=True)`, or annotate with a `Subquery` count",
    "limit-join": "slice the parent queryset and load the collection with `prefetch_related`",
}
_LOOKUPS = frozenset(
    "exact iexact contains icontains in gt gte lt lte startswith istartswith endswith iendswith range date year iso_year "
    "month day week week_day iso_week_day quarter time hour minute second isnull regex iregex search unaccent trigram_similar "
    "has_key has_keys has_any_keys contained_by overlap len".split()
)
_FIELD_BASES = ("django.db.models", "django.contrib.postgres.fields", "django.contrib.gis.db.models")
_RELATIONS = {"ForeignKey": False, "OneToOneField": False, "ManyToManyField": True}
_ARITHMETIC = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}
_AGGREGATES = {"Count": exp.Count, "Sum": exp.Sum, "Avg": exp.Avg, "Min": exp.Min, "Max": exp.Max}
_COMPARE = {"exact": exp.EQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}
_NO_SQL = frozenset({"all", "prefetch_related", "only", "defer", "using", "select_for_update", "iterator", "none",
                     "in_bulk", "get_queryset", "_chain", "__iter__", "list", "len", "sorted", "tuple", "bool"})


# the tables the models map ----------------------------------------------------------------------------
def app_label(path: str) -> str:
    parts = path.split("/")
    if parts[-1] == "models.py" and len(parts) >= 2:
        return parts[-2]
    if len(parts) >= 3 and parts[-2] == "models":
        return parts[-3]
    return parts[-2] if len(parts) >= 2 else ""


def define(program, catalog: Catalog, in_project) -> None:
    models = [m for m in program.schema.models.values() if m.stack == "django" and m.cid >= 0 and in_project(m.path)]
    for model in models:
        catalog.add(_model_table(program, model))
    for model in models:
        _relations(program, catalog, model, reverse=False)
    for model in models:
        _relations(program, catalog, model, reverse=True)


def _meta(program, path: str, cid: int, depth: int = 0) -> dict:
    """The model's ``Meta`` options, with the ``ordering`` Django carries over from a parent model: all of a
    ``class Meta(AbstractNotification.Meta)`` base's options (django-notifications' swappable Notification,
    whose rows come ordered by ``-timestamp``), and a parent model's ``ordering`` when the child declares no
    ``Meta`` (abstract parent) or no ``ordering`` of its own (multi-table parent)."""
    cls = program.cls(path, cid)
    found: dict = {}
    meta = None
    for nested in cls.nested if cls is not None else ():
        inner = program.cls(path, nested)
        if inner is None or inner.name != "Meta":
            continue
        meta = inner
        for member in inner.fields:
            found[member.name] = member.value
    if cls is None or depth > 8 or "ordering" in found:
        return found
    for node in meta.bases if meta is not None else ():
        owner = program.static_value(path, node.obj) if type(node) is ir.Attr and node.name == "Meta" else None
        if type(owner) is v.ClassValue:
            for key, value in _meta(program, owner.path, owner.cid, depth + 1).items():
                found.setdefault(key, value)
    for base in program.bases(path, cid):
        if "ordering" in found or type(base) is not v.ClassValue:
            continue
        inherited = _meta(program, base.path, base.cid, depth + 1)
        abstract = inherited.get("abstract")
        if "ordering" in inherited and (meta is None or not (type(abstract) is ir.Const and abstract.value is True)):
            found["ordering"] = inherited["ordering"]
    return found


def _model_table(program, model) -> Table:
    meta = _meta(program, model.path, model.cid)
    db_table = meta.get("db_table")
    label = meta.get("app_label")
    label_text = label.value if type(label) is ir.Const and isinstance(label.value, str) else app_label(model.path)
    name = db_table.value if type(db_table) is ir.Const and isinstance(db_table.value, str) else f"{label_text}_{model.name.lower()}"
    table = Table(name, f"Django model {model.name}", model.path, model.span.line, model=model.key)
    ordering = meta.get("ordering")
    if type(ordering) is ir.Seq:
        table.ordering = tuple(e.value for e in ordering.elts if type(e) is ir.Const and isinstance(e.value, str))
    closed = True
    primary = ""
    for path, cid in program.subclass_chain(model.path, model.cid):
        cls = program.cls(path, cid)
        if cls is None:
            continue
        for base in program.bases(path, cid):
            if type(base) is v.External and not base.name.startswith(("django.db.models", "builtins")):
                closed = False  # a third-party base (TimeStampedModel, MPTTModel) adds fields we do not see
        for member in cls.fields:
            kind = _field(program, path, member)
            if kind is None:
                continue
            if kind == "unknown":
                closed = False
                continue
            column = member.name
            call = member.value
            db_column = call.arg(keyword="db_column") if type(call) is ir.Call else None
            if kind in ("ForeignKey", "OneToOneField"):
                column = f"{member.name}_id"
                table.attributes[f"{member.name}_id"] = column
            if type(db_column) is ir.Const and isinstance(db_column.value, str):
                column = db_column.value
            if kind == "ManyToManyField":
                continue
            if type(call) is ir.Call:
                key = call.arg(keyword="primary_key")
                if type(key) is ir.Const and key.value is True:
                    primary = column
            table.add_column(column)
            table.attributes[member.name] = column
    if not primary:
        table.add_column("id")
        table.attributes.setdefault("id", "id")
    table.primary_key = primary or "id"
    table.attributes["pk"] = table.primary_key
    table.closed = closed
    return table


def _field(program, path: str, member: ir.Field) -> str | None:
    """The Django field class of a class attribute (``None``: not a field; ``unknown``: a field
    archlint cannot read, such as a third-party field)."""
    call = member.value
    if member.name.startswith("_") or member.name in ("objects", "Meta"):
        return None
    if type(call) is not ir.Call:
        return None
    name = program.static_name(path, call.func)
    short = name.rsplit(".", 1)[-1]
    if name.startswith(_FIELD_BASES) and (short.endswith("Field") or short in _RELATIONS or short.endswith("Key")):
        return short
    if name.startswith(("django.db.models",)) and short in ("Manager",):
        return None
    if short.endswith(("Manager", "manager")) and not short.endswith("TaggableManager"):
        return None
    if name.startswith("django.") and not short[:1].isupper():
        return None
    return "unknown"


def _relations(program, catalog: Catalog, model, reverse: bool) -> None:
    table = catalog.model(model.key)
    if table is None:
        return
    for name, relation in model.relations.items() if not reverse else ():
        target = catalog.model(relation.target) if relation.target else None
        if target is None:
            continue
        if relation.kind == "forward" and relation.via in ("ForeignKey", "OneToOneField", "ParentalKey"):
            column = table.attributes.get(f"{name}_id", f"{name}_id")
            table.foreign_keys.append(ForeignKey(column, target.name.lower(), target.primary_key))
            table.relations[name] = Join(target.name, ((column, target.primary_key),), False)
        elif relation.kind == "forward" and relation.via in ("ManyToManyField", "ParentalManyToManyField"):
            through = f"{table.name}_{name}"
            left = f"{table.model.rsplit(':', 1)[-1].lower()}_id"
            right = f"{target.model.rsplit(':', 1)[-1].lower()}_id"
            if left == right:
                left, right = f"from_{left}", f"to_{right}"
            junction = catalog.get(through) or catalog.add(Table(through, f"Django many-to-many {model.name}.{name}", model.path, relation.span.line))
            junction.add_column("id")
            junction.add_column(left)
            junction.add_column(right)
            table.relations[name] = Join(target.name, (), True, through, ((table.primary_key, left),), ((right, target.primary_key),))
    for name, relation in model.relations.items() if reverse else ():  # once every forward one is known
        if relation.kind != "reverse":
            continue
        source = catalog.model(relation.target)
        if source is None:
            continue
        forward = next((j for j in source.relations.values() if j.target == table.name or j.target.lower() == table.name.lower()), None)
        if forward is None:
            continue
        if forward.through:
            table.relations[name] = Join(source.name, (), True, forward.through,
                                         tuple((t, s) for s, t in forward.target_pairs[::-1]),
                                         tuple((t, s) for s, t in forward.through_pairs[::-1]))
        else:
            table.relations[name] = Join(source.name, tuple((r, l) for l, r in forward.pairs), relation.collection)


def query_names(program, catalog: Catalog, model_key: str) -> dict:
    """Lookup name -> (kind, detail) for a model: ``field`` (an attribute, inherited ones
    included), ``relation`` (relation attribute name, as the schema knows it)."""
    model = program.schema.get(model_key)
    names: dict = {}
    if model is None:
        return names
    table = catalog.model(model_key)
    for column in list(model.columns) + (list(table.attributes) if table is not None else []):
        names[column] = ("field", column)
    for name, relation in model.relations.items():
        if relation.kind == "reverse":
            lookup = name[:-4] if name.endswith("_set") and name[:-4] == program.schema.models[relation.target].name.lower() else name
            names[lookup] = ("relation", name)
        else:
            names[name] = ("relation", name)
    names.setdefault("pk", ("field", "pk"))
    names.setdefault("id", ("field", "id"))
    return names


# lifting ----------------------------------------------------------------------------------------
class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, chain: tuple) -> None:
        super().__init__(program, catalog, query)
        self.chain = chain
        self.model = query.model
        self.table = catalog.model(query.model)
        self.joins: dict[tuple, str] = {}  # relation path -> alias
        self.annotations: set[str] = set()
        self.annotation_terms: dict[str, exp.Expression] = {}  # name -> its lifted expression
        self.values: list[str] = []
        self.tree: exp.Expression | None = None
        self.ordered = False
        self.outer = False  # joins for annotations are LEFT OUTER, for filters INNER

    def run(self) -> b.Lifted | None:
        if self.table is None:
            return None
        steps = [b.StepView(step) for step in self.chain]
        first = steps[0]
        select = b.located(exp.Select(expressions=[b.column("*", self.table.name)]), first.where)
        b.set_from(select, b.table(self.table.name), first.where)
        self.tree = select
        if self.query.via:
            self.related_filter(first)
        for step in steps:
            self.step(step)
            if self.tree is None:
                return None
        if isinstance(self.tree, exp.Select) and not self.ordered and self.tree.args.get("order") is None and self.table.ordering:
            for field in self.table.ordering:  # Meta.ordering: Django orders an unordered queryset
                term = self.lookup_column(field.lstrip("-"), None, record=False)
                if term is not None:
                    b.add_order(self.tree, term, field.startswith("-"), None)
        return b.Lifted(BUILDER, self.tree, first.path, first.span, self.model, self.exact, self.problems, steps=self.chain)

    def related_filter(self, first: b.StepView) -> None:
        """A related manager's queryset (``user.task_locks.all().delete()``) is filtered by the foreign
        key to the row it was read from: ``WHERE tasks_tasklock.user_id = ?`` — Django adds it, the
        chain does not show it.  A relation the catalog cannot join directly (many-to-many through a
        table) still filters, but the lifted tree does not say how: not exact."""
        source, _, name = self.query.via.rpartition(".")
        table = self.catalog.model(source)
        join = table.relations.get(name) if table is not None else None
        if join is None or join.through or len(join.pairs) != 1 or join.target.lower() != self.table.name.lower():
            self.exact = False
            return
        _source_column, target_column = join.pairs[0]
        key = b.hole(None, None)  # the row's primary key: a value the program holds, not request data
        key.meta[b.HOLE] = b.Hole(f"{name} of the row", False, False)
        condition = exp.EQ(this=b.column(target_column, self.table.name), expression=key)
        b.add_where(self.tree, b.located(condition, first.where))

    def step(self, step: b.StepView) -> None:  # noqa: C901 - one branch per QuerySet method
        method = step.method
        tree = self.tree
        if method in _NO_SQL:
            return
        if not isinstance(tree, exp.Select):
            self.exact = False
            return
        if method in ("filter", "exclude", "get"):
            conditions = [self.q_condition(node, value, step) for node, value in step.positional]
            for name, (node, value) in step.keywords.items():
                conditions.append(self.keyword_condition(name, node, value, step))
            condition = b.and_all(conditions)
            if condition is not None:
                b.add_where(tree, b.located(exp.Not(this=condition) if method == "exclude" else condition, step.where))
        elif method == "order_by":
            tree.set("order", None)
            self.ordered = True
            tree.meta[b.UNORDERED] = not step.positional  # `order_by()`: the default ordering dropped on purpose
            for node, value in step.positional:
                text = b.string_of(value, node)
                if text is None:
                    b.add_order(tree, b.hole(node, value), False, step.where)
                    continue
                if text == "?":
                    b.add_order(tree, exp.Anonymous(this="RANDOM"), False, step.where)
                    continue
                term = self.lookup_column(text.lstrip("-"), step)
                # a name that does not resolve (AL417 says so) still orders: the query is not unordered
                b.add_order(tree, term if term is not None else b.hole(node, value), text.startswith("-"), step.where)
        elif method in ("values", "values_list"):
            names = [b.string_of(value, node) for node, value in step.positional]
            if any(n is None for n in names):
                self.exact = False
            self.values = [n for n in names if n]
            terms = [self.lookup_column(n, step) for n in self.values]
            tree.set("expressions", [b.located(t, step.where) for t in terms if t is not None] or [b.column("*", self.table.name)])
        elif method in ("annotate", "aggregate", "alias"):
            self.annotate(step, aggregate=method == "aggregate")
        elif method == "distinct":
            tree.set("distinct", b.located(exp.Distinct(), step.where))
        elif method == "select_related":
            for node, value in step.positional:
                text = b.string_of(value, node)
                if text:
                    self.join_path(text.split("__"), step, outer=True)
        elif method == "count":
            self.ordered = True
            tree.set("order", None)
            if tree.args.get("group") is not None or tree.args.get("distinct") is not None or tree.args.get("limit") is not None:
                # annotate()/distinct()/a slice: Django counts the rows of the query as a subquery
                outer = exp.Select(expressions=[b.located(exp.Count(this=exp.Star()), step.where)])
                b.set_from(outer, exp.Subquery(this=tree, alias=exp.TableAlias(this=exp.to_identifier("subquery"))), step.where)
                self.tree = b.located(outer, step.where)
            else:
                tree.set("expressions", [b.located(exp.Count(this=exp.Star()), step.where)])
        elif method == "exists":
            tree.set("expressions", [exp.Literal.number(1)])
            b.set_limit(tree, exp.Literal.number(1), step.where)
        elif method in ("first", "last", "earliest", "latest"):
            if tree.args.get("order") is None and not self.table.ordering:
                b.add_order(tree, b.column(self.table.primary_key, self.table.name), method == "last", step.where)
            self.ordered = True
            b.set_limit(tree, exp.Literal.number(1), step.where)
        elif method == "reverse":
            return
        elif method == "[]":
            self.slice(step)
        elif method == "delete":
            self.tree = b.located(exp.Delete(this=b.table(self.table.name), where=tree.args.get("where")), step.where)
            if tree.args.get("joins"):
                self.exact = False
        elif method == "update":
            self.tree = b.located(exp.Update(this=b.table(self.table.name), where=tree.args.get("where"),
                                             expressions=[exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())]), step.where)
            for name in step.keywords:
                if name != "**":
                    self.lookup_column(name, step)
        elif method in ("create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"):
            for name in step.keywords:
                if name not in ("**", "defaults", "create_defaults"):
                    self.lookup_column(name.split("__")[0], step)
            self.tree = None
        else:
            self.exact = False

    def slice(self, step: b.StepView) -> None:
        node = step.node
        parts = node.index.parts if type(node.index) is ir.Opaque else ()
        start = stop = None
        if len(parts) == 2:
            start, stop = parts
        elif len(parts) == 1:
            part = parts[0]
            if (part.span.line, part.span.column) == (node.index.span.line, node.index.span.column):
                start = part
            else:
                stop = part
        tree = self.tree
        if stop is not None:
            if start is not None and type(start) is ir.Const and type(stop) is ir.Const:
                b.set_limit(tree, exp.Literal.number(int(stop.value) - int(start.value)), step.where)
            else:
                b.set_limit(tree, b.value_expr(stop, None), step.where)
        if start is not None and not (type(start) is ir.Const and start.value == 0):
            b.set_offset(tree, b.value_expr(start, None), step.where)

    # lookups -----------------------------------------------------------------------------------
    def keyword_condition(self, name: str, node, value, step: b.StepView) -> exp.Expression:
        if name == "**":
            return self.inexact_condition()
        parts = name.split("__")
        lookup = "exact"
        if len(parts) > 1 and parts[-1] in _LOOKUPS:
            lookup = parts.pop()
        column = self.resolve(parts, step, suffix=lookup if lookup != "exact" or name.endswith("__exact") else "")
        if column is None:
            return self.inexact_condition()
        operand = b.value_expr(node, value)
        if lookup == "isnull":
            condition = exp.Is(this=column, expression=exp.Null())
            constant = b.const_of(value, node)
            return exp.Not(this=condition) if constant is False else condition
        if lookup == "exact" and type(node) is ir.Const and node.value is None:
            return exp.Is(this=column, expression=exp.Null())
        if lookup in _COMPARE:
            return _COMPARE[lookup](this=column, expression=operand)
        if lookup == "iexact":
            return exp.EQ(this=exp.Upper(this=column), expression=exp.Upper(this=operand))
        if lookup in ("contains", "startswith", "endswith"):
            return exp.Like(this=column, expression=operand)
        if lookup in ("icontains", "istartswith", "iendswith"):
            node_ = exp.ILike(this=column, expression=operand)
            node_.meta["archlint_portable"] = True  # Django renders UPPER() LIKE UPPER() off PostgreSQL
            return node_
        if lookup == "in":
            inner = self.subquery(value)
            return exp.In(this=column, query=inner) if inner is not None else exp.In(this=column, expressions=[operand])
        if lookup == "range":
            return exp.Between(this=column, low=operand, high=operand.copy())
        return exp.EQ(this=column, expression=operand)

    def subquery(self, value) -> exp.Expression | None:
        bare = v.strip(value) if value is not None else None
        if type(bare) is not v.Query or bare.stack != "django" or not bare.chains:
            return None
        chain = sorted(bare.chains, key=lambda c: tuple((s.path, s.node.span) for s in c))[0]
        inner = _Lifter(self.program, self.catalog, bare, chain).run()
        return inner.tree if inner is not None else None

    def q_condition(self, node, value, step: b.StepView) -> exp.Expression:
        """``Q(a=1) | Q(b__lt=2)`` / ``~Q(...)`` / ``Q(...) & Q(...)``."""
        kind = type(node)
        if kind is ir.BinOp and node.op in ("|", "&"):
            left = self.q_condition(node.left, None, step)
            right = self.q_condition(node.right, None, step)
            return exp.Or(this=left, expression=right) if node.op == "|" else exp.And(this=left, expression=right)
        if kind is ir.Unary and node.op == "~":
            return exp.Not(this=self.q_condition(node.operand, None, step))
        if kind is ir.Call and self.program.static_name(step.path, node.func).endswith(".Q"):
            parts = []
            for arg in node.args:
                if arg.kind == "kw":
                    parts.append(self.keyword_condition(arg.name, arg.value, None, step))
                elif arg.kind == "pos":
                    parts.append(self.q_condition(arg.value, None, step))
                else:
                    self.exact = False
                    parts.append(b.unknown_condition())
            return b.and_all(parts) or exp.Boolean(this=True)
        return self.inexact_condition()

    def resolve(self, parts: list[str], step: b.StepView | None, record: bool = True, suffix: str = "") -> exp.Expression | None:
        """A lookup path to a column, joining each relation it crosses (``suffix``: the lookup
        operator that followed, for Django's own wording of an error)."""
        model, alias = self.model, self.table.name
        table = self.table
        crossed = None  # the relation the previous part followed
        whole = "__".join(parts)
        if len(parts) > 1 and whole in self.annotations:  # `comments__count`: a positional aggregate's default name
            term = self.annotation_terms.get(whole)
            return term.copy() if term is not None else exp.column(whole)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part in self.annotations and index == 0:
                term = self.annotation_terms.get(part)  # values('n') after annotate(n=Count(…)): the aggregate itself
                return term.copy() if term is not None and last else exp.column(part)
            names = query_names(self.program, self.catalog, model)
            found = names.get(part)
            if found is None and part.endswith("_id") and part[:-3] in names:
                found = ("field", part)
            if found is None:
                if record and step is not None:
                    rest = "__".join(parts[index:] + ([suffix] if suffix and suffix != "exact" else []))
                    self.unknown(part, model, step, names, rest, crossed)
                return None
            kind, detail = found
            if kind == "field":
                if not last:
                    return None  # a transform (date__year) or a JSON key: not followed
                return b.column(table.column_of(detail) if detail != "pk" else table.primary_key, alias)
            relation = self.program.schema.relation(model, detail)
            crossed = relation
            target = self.catalog.model(relation.target) if relation is not None and relation.target else None
            if target is None:
                self.exact = False
                return None
            join = table.relations.get(detail)
            if last and join is not None and join.pairs and not join.collection:
                return b.column(join.pairs[0][0], alias)  # author=user compares the foreign key
            alias = self.join(tuple(parts[: index + 1]), table, alias, detail, target, step, outer=self.outer)
            model, table = relation.target, target
            if last:
                return b.column(target.primary_key, alias)
        return None

    def lookup_column(self, name: str, step: b.StepView | None, record: bool = True) -> exp.Expression | None:
        parts = name.split("__")
        if len(parts) > 1 and parts[-1] in _LOOKUPS:
            parts.pop()
        return self.resolve(parts, step, record)

    def join(self, path: tuple, table: Table, alias: str, relation: str, target: Table, step, outer: bool = False) -> str:
        if path in self.joins:
            return self.joins[path]
        join = table.relations.get(relation)
        name = target.name if target.name not in self.joins.values() and target.name != self.table.name else f"{target.name}_{len(self.joins) + 1}"
        where = step.where if step is not None else None
        side = "LEFT" if outer else ""  # filters join INNER; annotations and select_related LEFT OUTER
        if join is None:
            node = b.add_join(self.tree, b.table(target.name, name), b.unknown_condition(), side, where)
            self.exact = False
        elif join.through:
            on = b.and_all([exp.EQ(this=b.column(t, join.through), expression=b.column(s, alias)) for s, t in join.through_pairs])
            first = b.add_join(self.tree, b.table(join.through), on, side, where)
            first.meta[b.FAN_OUT] = True
            first.meta[b.RELATION] = relation
            on = b.and_all([exp.EQ(this=b.column(r, name), expression=b.column(t, join.through)) for t, r in join.target_pairs])
            node = b.add_join(self.tree, b.table(target.name, name), on, side, where)
            node.meta[b.FAN_OUT] = False
        else:
            on = b.and_all([exp.EQ(this=b.column(r, name), expression=b.column(l, alias)) for l, r in join.pairs])
            node = b.add_join(self.tree, b.table(target.name, name), on, side, where)
            node.meta[b.FAN_OUT] = join.collection
        node.meta[b.RELATION] = relation
        self.joins[path] = name
        return name

    def join_path(self, parts: list[str], step, outer: bool) -> None:
        model, table, alias = self.model, self.table, self.table.name
        for index, part in enumerate(parts):
            relation = self.program.schema.relation(model, part)
            target = self.catalog.model(relation.target) if relation is not None and relation.target else None
            if target is None:
                return
            alias = self.join(tuple(parts[: index + 1]), table, alias, part, target, step, outer)
            model, table = relation.target, target

    def unknown(self, part: str, model: str, step: b.StepView, names: dict, rest: str = "", crossed=None) -> None:
        table = self.catalog.model(model)
        if table is None or not table.closed or not self._relations_known(model):
            self.exact = False
            return
        name = model.rsplit(":", 1)[-1]
        choices = ", ".join(sorted(k for k in names if k != "pk"))
        if crossed is None:
            error = f"Cannot resolve keyword '{part}' into field"
        else:  # after a relation Django reads the rest as a lookup on the relation field
            error = f"Unsupported lookup '{rest or part}' for {_field_class(crossed)} or join on the field not permitted"
        message = (
            f"`{part}` is not a field or relation of `{name}`: Django raises FieldError: {error} when the queryset "
            f"is evaluated"
        )
        import difflib

        close = difflib.get_close_matches(part, list(names), n=1)
        guidance = f"{'Did you mean `' + close[0] + '`? ' if close else ''}Use a field of `{name}` (choices: {choices})."
        self.problems.append(b.Problem("AL417", step.path, step.span, message, guidance))
        self.exact = False

    def _relations_known(self, model: str) -> bool:
        """Reverse relations come from every model pointing here: all of them must be readable."""
        found = self.program.schema.get(model)
        return found is not None and all(r.target for r in found.relations.values())

    # aggregates --------------------------------------------------------------------------------
    def annotate(self, step: b.StepView, aggregate: bool) -> None:
        tree = self.tree
        items = [(name, node) for name, (node, _value) in step.keywords.items() if name != "**"]
        for node, _value in step.positional:
            items.append((self.default_alias(node, step), node))
        if aggregate:
            tree.set("expressions", [])
        added = False
        for name, node in items:
            self.outer = True
            try:
                term = self.expression(node, step)
            finally:
                self.outer = False
            if name:
                self.annotations.add(name)  # a name the query has, whether or not its expression lifts
            if term is None:
                self.exact = False
                continue
            if name:
                self.annotation_terms[name] = term
            tree.append("expressions", b.located(b.aliased(term, name), step.where))
            added = added or bool(term.find(exp.AggFunc))
        if added and not aggregate:
            if self.values:
                for value_name in self.values:
                    column = self.lookup_column(value_name, step, record=False)
                    # a field the catalog cannot name (pretix's I18nCharField `name`): Django still groups by it
                    b.add_group(tree, column if column is not None else b.unknown_group(), step.where)
                    if column is None:
                        self.exact = False
            elif tree.args.get("group") is None:
                b.add_group(tree, b.column(self.table.primary_key, self.table.name), step.where)

    def default_alias(self, node, step: b.StepView) -> str:
        """``annotate(Count("emails"))``: Django names a positional aggregate over one field
        ``<field>__<aggregate>`` (``emails__count``), the name a later ``order_by("-emails__count")`` uses."""
        if type(node) is not ir.Call:
            return ""
        name = self.program.static_name(step.path, node.func) or ""
        short = name.rsplit(".", 1)[-1]
        args = [a.value for a in node.args if a.kind == "pos"]
        if short not in _AGGREGATES or not name.startswith("django.") or len(args) != 1 \
                or type(args[0]) is not ir.Const or not isinstance(args[0].value, str) or args[0].value == "*":
            return ""
        return f"{args[0].value}__{short.lower()}"

    def expression(self, node, step: b.StepView) -> exp.Expression | None:
        if type(node) is ir.BinOp and node.op in _ARITHMETIC:  # Sum('quantity') - Coalesce(Sum(…), 0)
            left, right = self.operand(node.left, step), self.operand(node.right, step)
            return _ARITHMETIC[node.op](this=left, expression=right) if left is not None and right is not None else None
        if type(node) is not ir.Call:
            return None
        name = self.program.static_name(step.path, node.func)
        short = name.rsplit(".", 1)[-1]
        args = [a.value for a in node.args if a.kind == "pos"]
        if short in _AGGREGATES and name.startswith("django."):
            distinct = node.arg(keyword="distinct")
            target = args[0] if args else None
            text = target.value if type(target) is ir.Const and isinstance(target.value, str) else None
            if text is None:
                inner = self.expression(target, step) if target is not None else exp.Star()
            elif text == "*":
                inner = exp.Star()
            else:
                inner = self.lookup_column(text, step)
            if inner is None:
                return None
            if type(distinct) is ir.Const and distinct.value is True:
                inner = exp.Distinct(expressions=[inner])
            return _AGGREGATES[short](this=inner)
        if short == "F" and args and type(args[0]) is ir.Const:
            return self.lookup_column(str(args[0].value), step)
        if name.startswith("django."):
            self.exact = False
            return exp.Anonymous(this=short.upper())
        return None


    def operand(self, node, step: b.StepView) -> exp.Expression | None:
        """A side of arithmetic between expressions: an expression, or a number (``F('n') + 1``)."""
        if type(node) is ir.Const and type(node.value) in (int, float):
            return exp.Literal.number(node.value)
        return self.expression(node, step)


def _field_class(relation) -> str:
    """The field class Django names in 'Unsupported lookup … for X' after crossing ``relation``."""
    if relation.kind == "reverse":
        return {"ManyToManyField": "ManyToManyRel", "OneToOneField": "OneToOneRel"}.get(relation.via, "ManyToOneRel")
    return "OneToOneField" if relation.via == "OneToOneField" else "ForeignKey"


def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    found = _Lifter(program, catalog, query, chain).run()
    return [found] if found is not None else []
