"""SQLAlchemy: 2.0 ``select/insert/update/delete`` statements and the legacy ``session.query``
chain (and Flask-SQLAlchemy's ``Model.query``) lifted to SQL, and the tables the models map.

Entities are the project's models (``select(Article)`` reads ``articles``); ``Article.title``
is a column, ``func.count(Article.id)`` an aggregate, ``Article.tags`` in ``.join()`` a relation
joined through its foreign keys (or its ``secondary`` table).  ``.join(Tag)`` with no ON clause
is joined the way SQLAlchemy does it: along the one foreign key between the two tables — and
when there is none, or several, SQLAlchemy raises (``Don't know how to join``), which is a
problem of the lifted query.  Loader options (``selectinload``…) do not change the statement a
rule judges and are ignored; ``.ilike()`` is portable (SQLAlchemy renders ``lower() LIKE
lower()`` off PostgreSQL).
"""

from __future__ import annotations

from sqlglot import exp

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.tables import Catalog, ForeignKey, Join, Table, snake, variable_table

BUILDER = "sqlalchemy"
PORTABLE = "archlint_portable"  # meta on a node the library renders portably (SQLAlchemy .ilike())

_AGGREGATES = {"count": exp.Count, "sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}
_COMPARE = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
_NO_SQL = frozenset({
    "options", "execution_options", "params", "unique", "scalars", "mappings", "tuples", "all", "one", "one_or_none",
    "scalar", "scalar_one", "scalar_one_or_none", "first_or_404", "get_or_404", "one_or_404", "correlate",
    "enable_eagerloads", "yield_per", "populate_existing", "with_for_update", "execute", "stream", "exec",
    "prefix_with", "suffix_with", "with_hint", "set_label_style", "autoflush", "partitions", "fetchall", "__iter__",
})
IDIOM = {
    "order": "add `.order_by(Model.created_at.desc(), Model.id)` before `.limit()`/`.offset()`",
    "where": "add `.where(Model.id == id)` (or `.filter_by(id=id)`) before running the statement",
    "group": "add the column to `.group_by(…)` or aggregate it with `func.max(…)`",
    "distinct": "count distinct keys: `func.count(distinct(Model.id))`, or count in a scalar subquery",
    "join": "pass the ON clause: `.join(Target, Target.fk_id == Model.id)` (or join the relationship attribute)",
    "limit-join": "page the parent rows in a subquery (`.limit()` on `select(Model.id)`), or load the collection with `selectinload`",
}


# the tables the models map ----------------------------------------------------------------------------
def define(program, catalog: Catalog, in_project) -> None:
    """Every SQLAlchemy model of the project as a table (columns, foreign keys, relations), and
    Core ``Table("name", metadata, Column(…))`` association tables."""
    schema = program.schema
    secondaries: dict = {}
    for path in sorted(program.modules):
        if not in_project(path):
            continue
        module = program.modules[path]
        if module.language != "python":
            continue
        for statement in module.module.body:
            if type(statement) is ir.Assign and type(statement.value) is ir.Call:
                name = program.static_name(path, statement.value.func)
                if name.rsplit(".", 1)[-1] == "Table" and name.startswith(("sqlalchemy", "flask_sqlalchemy", "quart_sqlalchemy")):
                    table = _core_table(program, path, statement.value)
                    if table is not None:
                        catalog.add(table)
                        for target in statement.targets:
                            if type(target) is ir.Name:
                                secondaries[(path, target.id)] = table.name
                                catalog.variables[(path, target.id)] = table.name  # `assoc.c.user` names it
    models = [m for m in schema.models.values() if m.stack == "sqlalchemy" and in_project(m.path)]
    for model in models:
        catalog.add(_model_table(program, model))
    for model in models:
        _relations(program, catalog, model, secondaries)


def _core_table(program, path: str, call: ir.Call) -> Table | None:
    name = call.arg(0)
    if type(name) is not ir.Const or not isinstance(name.value, str):
        return None
    table = Table(name.value, "SQLAlchemy Table", path, call.span.line)
    for arg in call.args[1:]:
        if arg.kind == "kw" and arg.name in ("autoload_with", "autoload"):
            table.closed = False
        column = arg.value
        if type(column) is ir.Call and program.static_name(path, column.func).endswith("Column"):
            column_name = column.arg(0)
            if type(column_name) is ir.Const and isinstance(column_name.value, str):
                table.add_column(column_name.value)
                table.foreign_keys.extend(_foreign_keys(program, path, column, column_name.value))
    return table


def _foreign_keys(program, path: str, call: ir.Call, column: str) -> list[ForeignKey]:
    found = []
    keyword = call.arg(keyword="foreign_key")  # SQLModel: Field(foreign_key="tag.id")
    if type(keyword) is ir.Const and isinstance(keyword.value, str) and "." in keyword.value \
            and program.static_name(path, call.func).startswith("sqlmodel"):
        table, _, ref = keyword.value.rpartition(".")
        found.append(ForeignKey(column, table.rsplit(".", 1)[-1].lower(), ref))
    for arg in call.args:
        inner = arg.value
        if type(inner) is ir.Call and program.static_name(path, inner.func).endswith("ForeignKey"):
            target = inner.arg(0)
            text = target.value if type(target) is ir.Const and isinstance(target.value, str) else ""
            if type(target) is ir.Attr and type(target.obj) is ir.Name:  # ForeignKey(User.id)
                model = _model_named(program, path, target.obj)
                table = program.schema.models[model].table if model else ""
                text = f"{table or snake(target.obj.id)}.{target.name}"
            if "." in text:
                table, _, ref = text.rpartition(".")
                found.append(ForeignKey(column, table.rsplit(".", 1)[-1].lower(), ref))
    return found


def _helper_foreign_keys(program, path: str, call: ir.Call, column: str) -> list[ForeignKey] | None:
    """The foreign keys of the column a project helper returns, its text evaluated with the call's
    arguments: ``reference_col("users")`` whose body is ``return db.Column(db.ForeignKey("{0}.{1}".format(
    tablename, pk_name)), …)`` (``pk_name="id"`` by default) links the column to ``users.id``; a helper
    whose body is not one ``return Column(…)`` or whose key text does not fold is None (not known)."""
    helper = program.static_value(path, call.func)
    function = program.function(helper.path, helper.fid)
    returns = [statement for statement in function.body if type(statement) is ir.Return] if function is not None else []
    if len(returns) != 1 or type(returns[0].value) is not ir.Call or not program.static_name(
            helper.path, returns[0].value.func).endswith("Column"):
        return None
    bound = _bound_texts(function, call)
    found = []
    for arg in returns[0].value.args:
        inner = arg.value
        if type(inner) is ir.Call and program.static_name(helper.path, inner.func).endswith("ForeignKey"):
            text = _folded_text(inner.arg(0), bound)
            if text is None or "." not in text:
                return None
            table, _, ref = text.rpartition(".")
            found.append(ForeignKey(column, table.rsplit(".", 1)[-1].lower(), ref))
    return found


def _bound_texts(function: ir.Function, call: ir.Call) -> dict:
    """parameter -> the literal text the call gives it (by position, by keyword, else its default)."""
    positional = [arg.value for arg in call.args if arg.kind == "pos"]
    bound = {}
    for index, param in enumerate(p for p in function.params if p.kind in ("pos", "posonly", "kwonly")):
        given = positional[index] if param.kind != "kwonly" and index < len(positional) else call.arg(keyword=param.name)
        value = given if given is not None else param.default
        if type(value) is ir.Const and isinstance(value.value, (str, int)) and not isinstance(value.value, bool):
            bound[param.name] = str(value.value)
    return bound


def _folded_text(node, bound: dict) -> str | None:
    """A string built from literals and the bound parameters: a literal, a parameter, an f-string, or
    ``"{0}.{1}".format(…)`` / ``"{}.{}".format(…)``; None when any part is not known."""
    kind = type(node)
    if kind is ir.Const and isinstance(node.value, str):
        return node.value
    if kind is ir.Name:
        return bound.get(node.id)
    if kind is ir.Template and node.tag is None:
        holes = [_folded_text(hole, bound) for hole in node.holes]
        if any(hole is None for hole in holes):
            return None
        return "".join(text + hole for text, hole in zip(node.strings, holes + [""]))
    if kind is ir.Call and type(node.func) is ir.Attr and node.func.name == "format" and all(a.kind == "pos" for a in node.args):
        pattern = _folded_text(node.func.obj, bound)
        parts = [_folded_text(a.value, bound) for a in node.args]
        if pattern is None or any(part is None for part in parts):
            return None
        try:
            return pattern.format(*parts)
        except (IndexError, KeyError, ValueError):
            return None
    return None


def _model_named(program, path: str, node) -> str:
    value = program.static_value(path, node)
    return program.model_of_class(value.path, value.cid) if type(value) is v.ClassValue else ""


def table_name(model) -> str:
    return model.table or snake(model.name)


def _model_table(program, model) -> Table:
    table = Table(table_name(model), f"SQLAlchemy model {model.name}", model.path, model.span.line, model=model.key)
    closed = True
    for path, cid in program.subclass_chain(model.path, model.cid):
        cls = program.cls(path, cid)
        if cls is None:
            continue
        if (path, cid) != (model.path, model.cid) and not _declarative(program, path, cid):
            closed = False if not cls.fields and _may_declare_columns(program, path, cls) else closed
        for member in cls.fields:
            _model_field(program, path, member, model, table)
        for base in program.bases(path, cid):
            if type(base) is v.External and not _known_base(base.name):
                closed = False
    if any(f.name == "__table__" for f in program.cls(model.path, model.cid).fields):
        closed = False
    table.closed = closed and table.closed  # (a helper-built column opened it)
    if "id" not in table.columns and table.columns:
        table.primary_key = next(iter(table.columns.values()))
    return table


def _may_declare_columns(program, path: str, cls: ir.Class) -> bool:
    """A project mixin with no class attributes may still add columns through decorated methods
    (``@declared_attr def created_by(cls): return Column(…)``); one whose methods carry no decorator but
    builtins (``@classmethod``) — ``CRUDMixin``'s save/update/delete, given as ``SQLAlchemy(model_class=…)``
    — adds none."""
    for fid in cls.methods:
        function = program.function(path, fid)
        for decorator in function.decorators if function is not None else ():
            if not program.static_name(path, decorator.func if type(decorator) is ir.Call else decorator).startswith("builtins."):
                return True
    return not cls.methods


def _declarative(program, path: str, cid: int) -> bool:
    return bool(program.class_stack(path, cid))


def _known_base(name: str) -> bool:
    short = name.rsplit(".", 1)[-1]
    return name.startswith(("sqlalchemy", "sqlmodel", "flask_sqlalchemy", "quart_sqlalchemy")) or short in ("Model", "Base", "object") or name == "builtins.object"


def _model_field(program, path: str, member: ir.Field, model, table: Table) -> None:
    if member.name.startswith("__"):
        return
    call = member.value if type(member.value) is ir.Call else None
    callee = program.static_name(path, call.func) if call is not None else ""
    short = callee.rsplit(".", 1)[-1]
    if call is not None and type(program.static_value(path, call.func)) is v.Function and not member.name.startswith("_"):
        # `user_id = reference_col("users")`: a project helper that returns the column
        table.add_column(member.name)
        table.attributes[member.name] = member.name
        keys = _helper_foreign_keys(program, path, call, member.name)
        if keys is None:
            table.closed = False  # a helper archlint cannot read: its column's foreign keys are not known
        else:
            table.foreign_keys.extend(keys)
        return
    if short in ("Column", "mapped_column", "column_property", "Field") or (call is None and member.name in model.columns):
        if short == "column_property":
            return
        column = member.name
        if call is not None:
            first = call.arg(0)
            if type(first) is ir.Const and isinstance(first.value, str):
                column = first.value
            for arg in call.args:
                if arg.kind == "kw" and arg.name == "name" and type(arg.value) is ir.Const and isinstance(arg.value.value, str):
                    column = arg.value.value
                if arg.kind == "kw" and arg.name == "primary_key" and type(arg.value) is ir.Const and arg.value.value is True:
                    table.primary_key = column
            table.foreign_keys.extend(_foreign_keys(program, path, call, column))
        table.add_column(column)
        table.attributes[member.name] = column


def _relations(program, catalog: Catalog, model, secondaries: dict) -> None:
    table = catalog.model(model.key)
    cls = program.cls(model.path, model.cid)
    if table is None or cls is None:
        return
    for name, relation in model.relations.items():
        target = catalog.model(relation.target) if relation.target else None
        if target is None:
            continue
        member = next((f for f in cls.fields if f.name == name), None)
        call = member.value if member is not None and type(member.value) is ir.Call else None
        secondary = call.arg(keyword="secondary") if call is not None else None
        if secondary is not None:
            through_name = secondaries.get((model.path, secondary.id)) if type(secondary) is ir.Name else (
                secondary.value if type(secondary) is ir.Const and isinstance(secondary.value, str) else "")
            if type(secondary) is ir.Name and not through_name:
                value = program.static_value(model.path, secondary)
                through_name = ""
                del value
            through = catalog.get(through_name or "")
            if through is None:
                continue
            left = [(fk.target, fk.column) for fk in through.foreign_keys if fk.table == table.name.lower()]
            right = [(fk.column, fk.target) for fk in through.foreign_keys if fk.table == target.name.lower()]
            if len(left) == 1 and len(right) == 1:
                table.relations[name] = Join(target.name, (), True, through.name, tuple(left), tuple(right))
            continue
        chosen = _chosen_foreign_key(call)
        outgoing = [fk for fk in table.foreign_keys if fk.table == target.name.lower() and (not chosen or fk.column == chosen)]
        incoming = [fk for fk in target.foreign_keys if fk.table == table.name.lower() and (not chosen or fk.column == chosen)]
        if outgoing and not relation.collection and len(outgoing) == 1:
            table.relations[name] = Join(target.name, ((outgoing[0].column, outgoing[0].target),), False)
        elif incoming and len(incoming) == 1:
            table.relations[name] = Join(target.name, ((incoming[0].target, incoming[0].column),), relation.collection)


def _chosen_foreign_key(call) -> str:
    """``relationship(foreign_keys=[author_id])`` / ``foreign_keys="Article.author_id"``."""
    if call is None:
        return ""
    chosen = call.arg(keyword="foreign_keys")
    if type(chosen) is ir.Seq and len(chosen.elts) == 1:
        chosen = chosen.elts[0]
    if type(chosen) is ir.Name:
        return chosen.id
    if type(chosen) is ir.Attr:
        return chosen.name
    if type(chosen) is ir.Const and isinstance(chosen.value, str):
        return chosen.value.strip("[]").rsplit(".", 1)[-1]
    return ""


# lifting ----------------------------------------------------------------------------------------
class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, chain: tuple) -> None:
        super().__init__(program, catalog, query)
        self.chain = chain
        self.tree: exp.Expression | None = None
        self.entity: Table | None = None  # the primary entity (FROM) of the statement
        self.last: Table | None = None  # the last joined entity (filter_by applies to it)
        self.tables: list[Table] = []  # tables in FROM/JOIN, in order
        self.path = chain[0].path

    # ---------------------------------------------------------------------------------------------
    def run(self) -> b.Lifted | None:
        steps = [b.StepView(step) for step in self.chain]
        first = steps[0]
        if not self.start(first):
            return None
        for step in steps[1:]:
            self.step(step)
        if self.tree is None:
            return None
        self.finish()
        return b.Lifted(BUILDER, self.tree, first.path, first.span, self.query.model, self.exact, self.problems,
                        steps=self.chain)

    def start(self, step: b.StepView) -> bool:
        method = step.method
        if type(step.node) is ir.Attr and method == "query":  # Flask-SQLAlchemy Model.query
            return self._model_query(step)
        if method in ("select", "query"):
            self.tree = b.located(exp.Select(), step.where)
            for node, value in step.positional:
                if type(node) is ir.Seq:  # legacy select([A.id, A.title])
                    for element in node.elts:
                        self.project(element, None, step)
                else:
                    self.project(node, value, step)
            return True
        if method in ("insert", "update", "delete"):
            node, value = step.arg(0)
            table = self.table_of(node, value)
            if table is None and node is None and type(step.node) is ir.Call and type(step.node.func) is ir.Attr:
                # `articles.delete()` / `Customer.__table__.update()`: a Core table's own statement, of the table
                # (or the mapped model) the query was built on
                model = self.query.model
                table = (self.catalog.model(model) or self.catalog.get(model)) if model else None
            if table is None:
                return False
            self.entity = self.last = table
            target = b.located(b.table(table.name), step.where)
            self.tree = b.located({"insert": exp.Insert, "update": exp.Update, "delete": exp.Delete}[method](this=target), step.where)
            self.tables.append(table)
            return True
        return False

    def _model_query(self, step: b.StepView) -> bool:
        model = self.query.model
        table = self.catalog.model(model) if model else None
        if table is None:
            return False
        self.tree = b.located(exp.Select(expressions=[b.column("*", table.name)]), step.where)
        self.use(table, step)
        return True

    def use(self, table: Table, step: b.StepView) -> None:
        if self.entity is None:
            self.entity = table
            self.last = table
            if isinstance(self.tree, exp.Select):
                b.set_from(self.tree, b.located(b.table(table.name), step.where), step.where)
        if table not in self.tables:
            self.tables.append(table)

    def project(self, node, value, step: b.StepView) -> None:
        bare = v.strip(value)
        # a model class, or a Core table (`select(comments, users.c.username)`: every column of `comments`)
        if type(bare) is v.ModelClass or (type(bare) is v.ClassValue and self.program.model_of_class(bare.path, bare.cid)) \
                or (type(bare) is v.Db and bare.kind == "table" and bare.model):
            table = self.table_of(node, value)
            if table is not None:
                self.tree.append("expressions", b.located(b.column("*", table.name), step.where))
                self.use(table, step)
                return
        term = self.expression(node, value, step)
        if term is None:
            self.exact = False
            return
        self.tree.append("expressions", b.located(term, step.where))
        self._from_columns(term, step)

    def _from_columns(self, term: exp.Expression, step: b.StepView) -> None:
        """``select(func.count(Article.id))``: the table of the first column is the FROM entity."""
        if self.entity is not None:
            return
        for column in term.find_all(exp.Column):
            table = self.catalog.get(column.table) if column.table else None
            if table is not None:
                self.use(table, step)
                return

    def step(self, step: b.StepView) -> None:  # noqa: C901 - one branch per builder method
        method = step.method
        tree = self.tree
        if method in _NO_SQL:
            return
        if method in ("where", "filter") and tree is not None:
            for node, value in step.positional:
                b.add_where(tree, b.located(self.condition(node, value, step), step.where))
        elif method == "filter_by":
            target = self.last or self.entity
            for name, (node, value) in step.keywords.items():
                if name == "**" or target is None:
                    b.add_where(tree, b.unknown_condition())
                    self.exact = False
                    continue
                condition = exp.EQ(this=b.column(target.column_of(name), target.name), expression=b.value_expr(node, value))
                b.add_where(tree, b.located(condition, step.where))
        elif method in ("join", "outerjoin", "join_from"):
            self.join(step, outer=method == "outerjoin" or _truthy(step.keywords.get("isouter")))
        elif method == "select_from" and isinstance(tree, exp.Select):
            node, value = step.arg(0)
            table = self.table_of(node, value)
            if table is not None:
                self.entity = None
                self.use(table, step)
            elif self.entity is None and not self.tables:
                series = _series_source(node)
                if series is not None:
                    b.set_from(tree, b.located(series, step.where), step.where)
        elif method == "order_by" and isinstance(tree, exp.Select):
            for node, value in step.positional:
                if type(node) is ir.Const and node.value is None:
                    tree.set("order", None)
                    continue
                term, desc = self.ordering(node, value, step)
                if term is None:  # order_by(order_func(sort)): ordered, by something not known here
                    self.exact = False
                    term = b.hole(node, value)
                b.add_order(tree, term, desc, step.where)
        elif method == "group_by" and isinstance(tree, exp.Select):
            for node, value in step.positional:
                term = self.expression(node, value, step)
                if term is not None:
                    b.add_group(tree, term, step.where)
                else:
                    self.exact = False
        elif method == "having" and isinstance(tree, exp.Select):
            for node, value in step.positional:
                b.add_having(tree, b.located(self.condition(node, value, step), step.where))
        elif method in ("limit", "offset") and isinstance(tree, exp.Select):
            node, value = step.arg(0)
            term = b.value_expr(node, value)
            (b.set_limit if method == "limit" else b.set_offset)(tree, term, step.where)
        elif method in ("first",) and isinstance(tree, exp.Select):
            b.set_limit(tree, exp.Literal.number(1), step.where)
        elif method == "get" and isinstance(tree, exp.Select) and self.entity is not None:
            node, value = step.arg(0)
            b.add_where(tree, exp.EQ(this=b.column(self.entity.primary_key, self.entity.name), expression=b.value_expr(node, value)))
            b.set_limit(tree, exp.Literal.number(1), step.where)
        elif method == "distinct" and isinstance(tree, exp.Select):
            terms = [self.expression(node, value, step) for node, value in step.positional]
            distinct = exp.Distinct(on=exp.Tuple(expressions=[t for t in terms if t is not None])) if terms else exp.Distinct()
            tree.set("distinct", b.located(distinct, step.where))
        elif method in ("add_columns", "with_only_columns", "add_entity") and isinstance(tree, exp.Select):
            if method == "with_only_columns":
                tree.set("expressions", [])
            for node, value in step.positional:
                self.project(node, value, step)
        elif method == "count" and isinstance(tree, exp.Select):  # legacy Query.count(): SELECT count(*) over it
            tree.set("expressions", [b.located(exp.Count(this=exp.Star()), step.where)])
        elif method == "paginate" and isinstance(tree, exp.Select):
            b.set_limit(tree, b.hole(step.node, None), step.where)
            b.set_offset(tree, b.hole(step.node, None), step.where)
        elif method in ("values", "set") and isinstance(tree, (exp.Insert, exp.Update)):
            self.values(step)
        elif method == "delete" and isinstance(tree, exp.Select):  # legacy query.delete()
            where = tree.args.get("where")
            self.tree = b.located(exp.Delete(this=b.table(self.entity.name) if self.entity else None, where=where), step.where)
        elif method == "update" and isinstance(tree, exp.Select):  # legacy query.update({...})
            where = tree.args.get("where")
            self.tree = b.located(exp.Update(this=b.table(self.entity.name) if self.entity else None, where=where,
                                             expressions=[exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())]), step.where)
        elif method in ("returning",):
            return
        elif method in ("subquery", "scalar_subquery", "cte", "alias", "exists", "union", "union_all", "except_", "intersect",
                        "lateral", "correlate_except", "with_entities", "from_statement", "group_by_raw"):
            self.exact = False
        else:
            self.exact = False

    def finish(self) -> None:
        tree = self.tree
        if isinstance(tree, exp.Select) and tree.args.get(b.FROM_KEY) is None and self.tables:
            b.set_from(tree, b.table(self.tables[0].name), None)
        if isinstance(tree, exp.Select) and self.entity is not None:
            # Tables named in the select list or conditions but not joined: SQLAlchemy adds them
            # to FROM (a cartesian product it warns about).
            joined = {b.table_alias(j.this) for j in tree.args.get("joins") or () if isinstance(j.this, exp.Table)}
            joined.add(self.entity.name.lower())
            source = b.from_table(tree)
            if source is not None:  # the FROM may have moved to a relationship's parent (relation_join)
                joined.add(b.table_alias(source))
            for column in tree.find_all(exp.Column):
                name = column.table.lower()
                if name and name not in joined and self.catalog.get(name) is not None and _in_own_select(tree, column):
                    tree.append("joins", exp.Join(this=b.table(self.catalog.get(name).name)))
                    joined.add(name)

    # joins -------------------------------------------------------------------------------------
    def join(self, step: b.StepView, outer: bool) -> None:
        tree = self.tree
        if not isinstance(tree, exp.Select):
            self.exact = False
            return
        positional = list(step.positional)
        if step.method == "join_from" and positional:
            positional = positional[1:]
        node, value = positional[0] if positional else (None, None)
        onclause = positional[1] if len(positional) > 1 else step.keywords.get("onclause")
        bare = v.strip(value) if value is not None else None
        side = "LEFT" if outer else ""
        if type(bare) is v.ModelAttr:
            self.relation_join(bare, step, side)
            return
        target = self.table_of(node, value)
        if target is None:
            self.exact = False
            return
        if onclause is not None:
            condition = self.condition(onclause[0], onclause[1], step)
            join = b.add_join(tree, b.table(target.name), condition, side, step.where)
            join.meta[b.FAN_OUT] = self._fan_out_of(target, condition)
            self.tables.append(target)
            self.last = target
            return
        links = []
        for table in self.tables:
            links += [(table, pair) for pair in self.catalog.links(table.name, target.name)]
        closed = all(t.closed for t in (*self.tables, target)) and self.catalog.closed
        if len(links) != 1:
            if closed:
                self._join_problem(step, target, links)
            join = b.add_join(tree, b.table(target.name), None, side, step.where)
            join.meta["archlint_inferred"] = False
            self.exact = False
            self.tables.append(target)
            self.last = target
            return
        source, (left, right) = links[0]
        condition = exp.EQ(this=b.column(right, target.name), expression=b.column(left, source.name))
        join = b.add_join(tree, b.table(target.name), condition, side, step.where)
        join.meta[b.FAN_OUT] = self.catalog.fans_out(source.name, target.name, [(left, right)])
        self.tables.append(target)
        self.last = target

    def _join_problem(self, step: b.StepView, target: Table, links) -> None:
        left = ", ".join(f"`{t.name}`" for t in self.tables) or "the statement"
        if not links:
            message = (
                f"`.join({target.name})` names no ON clause and no foreign key links {left} to `{target.name}`: SQLAlchemy "
                f"raises `InvalidRequestError: Don't know how to join to {target.name}` when the statement is compiled"
            )
        else:
            columns = ", ".join(f"`{source.name}.{l}`→`{target.name}.{r}`" for source, (l, r) in links)
            message = (
                f"`.join({target.name})` names no ON clause and several foreign keys link {left} to `{target.name}` "
                f"({columns}): SQLAlchemy raises `Can't determine join … there are multiple foreign key paths`"
            )
        guidance = f"Pass the condition ({IDIOM['join']}), or join a relationship attribute (`.join(Model.relation)`)."
        self.problems.append(b.Problem("AL421", step.path, step.span, message, guidance))

    def relation_join(self, attribute: v.ModelAttr, step: b.StepView, side: str) -> None:
        source = self.catalog.model(attribute.model)
        join = source.relations.get(attribute.name) if source is not None else None
        tree = self.tree
        if source is not None and self.entity is None:  # select(func.count()).join(Article.tags)
            self.use(source, step)
        if join is None:
            self.exact = False
            target = None
            relation = self.program.schema.relation(attribute.model, attribute.name)
            if relation is not None:
                target = self.catalog.model(relation.target)
            if target is not None:
                node = b.add_join(tree, b.table(target.name), b.unknown_condition(), side, step.where)
                node.meta[b.FAN_OUT] = relation.collection
                node.meta[b.RELATION] = attribute.name
                self.tables.append(target)
                self.last = target
            return
        target = self.catalog.get(join.target)
        if source not in self.tables and target is not None and target is self.entity and isinstance(tree, exp.Select):
            # select(Tag.name).join(Article.tags): the join starts from the relationship's parent,
            # and the FROM that only held the target is absorbed by the join that now contains it
            # (SQLAlchemy renders FROM articles JOIN article_tags … JOIN tags) — not a cross join.
            b.set_from(tree, b.located(b.table(source.name), step.where), step.where)
            self.tables.insert(0, source)
        if join.through:
            on = b.and_all([exp.EQ(this=b.column(t, join.through), expression=b.column(s, source.name)) for s, t in join.through_pairs])
            first = b.add_join(tree, b.table(join.through), on, side, step.where)
            first.meta[b.FAN_OUT] = True
            on = b.and_all([exp.EQ(this=b.column(r, join.target), expression=b.column(t, join.through)) for t, r in join.target_pairs])
            second = b.add_join(tree, b.table(join.target), on, side, step.where)
            second.meta[b.FAN_OUT] = False
            second.meta[b.RELATION] = attribute.name
            first.meta[b.RELATION] = attribute.name
        else:
            on = b.and_all([exp.EQ(this=b.column(r, join.target), expression=b.column(l, source.name)) for l, r in join.pairs])
            node = b.add_join(tree, b.table(join.target), on, side, step.where)
            node.meta[b.FAN_OUT] = join.collection
            node.meta[b.RELATION] = attribute.name
        if target is not None:
            self.tables.append(target)
            self.last = target

    def _fan_out_of(self, target: Table, condition) -> bool | None:
        if condition is None or self.entity is None:
            return None
        pairs = []
        for equality in condition.find_all(exp.EQ):
            sides = [equality.this, equality.expression]
            if all(isinstance(s, exp.Column) for s in sides):
                mine = [s for s in sides if s.table.lower() == target.name.lower()]
                other = [s for s in sides if s.table.lower() != target.name.lower()]
                if mine and other:
                    pairs.append((other[0].name, mine[0].name))
        return self.catalog.fans_out(self.entity.name, target.name, pairs)

    # expressions -------------------------------------------------------------------------------
    def table_of(self, node, value) -> Table | None:
        bare = v.strip(value) if value is not None else None
        model = ""
        if type(bare) is v.ModelClass:
            model = bare.model
        elif type(bare) is v.Db and bare.kind == "table" and bare.model:  # insert(articles): a Core table (or a model's __table__)
            return self.catalog.model(bare.model) or self.catalog.get(bare.model)
        elif type(bare) is v.ClassValue:
            model = self.program.model_of_class(bare.path, bare.cid)
        elif node is not None:
            resolved = self.resolve(node)
            if type(resolved) is v.ClassValue:
                model = self.program.model_of_class(resolved.path, resolved.cid)
        return self.catalog.model(model) if model else None

    def resolve(self, node):
        """A module-level name or attribute chain: a model class, a model attribute, a library symbol."""
        if type(node) is ir.Name:
            return self.program.static_value(self.path, node)
        if type(node) is ir.Attr:
            base = self.resolve(node.obj)
            if type(base) is v.ClassValue:
                model = self.program.model_of_class(base.path, base.cid)
                if model:
                    return v.ModelAttr("sqlalchemy", model, node.name)
            if type(base) is v.External:
                return v.External(f"{base.name}.{node.name}")
            return v.UNKNOWN
        return v.UNKNOWN

    def core_column(self, node) -> exp.Expression | None:
        """``favoriter_assoc.c.favoriter`` / ``.columns.favoriter`` of a Core ``Table(...)`` the catalog holds:
        that table's column (named in a condition, SQLAlchemy adds the table to FROM unless it is joined)."""
        if type(node) is not ir.Attr or type(node.obj) is not ir.Attr or node.obj.name not in ("c", "columns") \
                or type(node.obj.obj) is not ir.Name:
            return None
        table = self.catalog.get(variable_table(self.program, self.catalog, self.path, node.obj.obj.id))
        if table is None or table.model or not table.has(node.name):
            return None
        return b.column(node.name, table.name)

    def attribute_column(self, attribute: v.ModelAttr) -> exp.Expression | None:
        table = self.catalog.model(attribute.model)
        if table is None:
            return None
        if attribute.name in table.relations:
            return None
        return b.column(table.column_of(attribute.name), table.name)

    def expression(self, node, value, step: b.StepView) -> exp.Expression | None:  # noqa: C901
        bare = v.strip(value) if value is not None else None
        if type(bare) is v.ModelAttr:
            return self.attribute_column(bare)
        if node is None:
            return None
        kind = type(node)
        if kind in (ir.Name, ir.Attr):
            resolved = self.resolve(node)
            if type(resolved) is v.ModelAttr:
                return self.attribute_column(resolved)
            core = self.core_column(node)
            if core is not None:
                return core
            if type(resolved) is v.ClassValue:
                table = self.table_of(node, resolved)
                return b.column("*", table.name) if table is not None else None
            return b.hole(node, value)
        if kind is ir.Const:
            return b.literal(node.value) if not isinstance(node.value, str) else b.dotted(node.value)
        if kind is ir.Call:
            return self.call_expression(node, step)
        if kind is ir.BinOp and node.op in ("+", "-", "*", "/"):
            left = self.expression(node.left, None, step)
            right = self.expression(node.right, None, step)
            if left is None or right is None:
                return None
            return {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}[node.op](this=left, expression=right)
        return None

    def call_expression(self, node: ir.Call, step: b.StepView) -> exp.Expression | None:  # noqa: C901
        func = node.func
        args = [a.value for a in node.args if a.kind == "pos"]
        if type(func) is ir.Attr:
            resolved = self.resolve(func.obj)
            if type(resolved) is v.External and resolved.name.rsplit(".", 1)[-1] == "func":
                return self.function(func.name, args, node, step)
            method = func.name
            inner = self.expression(func.obj, None, step)
            if method == "label" and inner is not None and args and type(args[0]) is ir.Const:
                return b.aliased(inner, str(args[0].value))
            if method in ("distinct",) and inner is not None:
                return exp.Distinct(expressions=[inner])
            if method in ("desc", "asc", "nulls_last", "nulls_first") and inner is not None:
                return inner
            if method in ("cast",) and inner is not None:
                return inner
            return None
        name = self.program.static_name(self.path, func)
        short = name.rsplit(".", 1)[-1]
        if name.startswith(("sqlalchemy", "sqlmodel")):
            if short in ("distinct",) and args:
                inner = self.expression(args[0], None, step)
                return exp.Distinct(expressions=[inner]) if inner is not None else None
            if short in ("desc", "asc") and args:
                return self.expression(args[0], None, step)
            if short in ("literal_column", "text") and args and type(args[0]) is ir.Const:
                return exp.column(str(args[0].value)) if short == "literal_column" else _raw(str(args[0].value))
            if short == "literal" and args:
                return b.value_expr(args[0], None)
            if short in ("cast", "type_coerce") and args:
                return self.expression(args[0], None, step)
        return None

    def function(self, name: str, args, node: ir.Call, step: b.StepView) -> exp.Expression | None:
        terms = [self.expression(a, None, step) for a in args]
        if any(t is None for t in terms):
            terms = [t if t is not None else b.hole(a, None) for t, a in zip(terms, args)]
        lower = name.lower()
        if lower in _AGGREGATES:
            if lower == "count" and not terms:
                return exp.Count(this=exp.Star())
            first = terms[0] if terms else exp.Star()
            return _AGGREGATES[lower](this=first)
        return b.located(exp.Anonymous(this=name, expressions=terms), (step.path, b.method_span(node) if type(node.func) is ir.Attr else node.span))

    def ordering(self, node, value, step: b.StepView) -> tuple[exp.Expression | None, bool]:
        desc = False
        if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in ("desc", "asc"):
            desc = node.func.name == "desc"
        elif type(node) is ir.Call and self.program.static_name(self.path, node.func).rsplit(".", 1)[-1] in ("desc", "asc"):
            desc = self.program.static_name(self.path, node.func).endswith("desc")
        elif type(node) is ir.Const and isinstance(node.value, str):
            text = node.value.strip()
            desc = text.lower().endswith(" desc")
            return b.dotted(text.split()[0]), desc
        return self.expression(node, value, step), desc

    def condition(self, node, value, step: b.StepView) -> exp.Expression:  # noqa: C901
        kind = type(node)
        if kind is ir.Compare and node.op in _COMPARE:
            left = self.expression(node.left, None, step)
            if left is None:
                return self.inexact_condition()
            right_node = node.right
            if type(right_node) is ir.Const and right_node.value is None:
                return exp.Is(this=left, expression=exp.Null()) if node.op == "==" else exp.Not(this=exp.Is(this=left, expression=exp.Null()))
            right = self.expression(right_node, None, step) if self._is_column(right_node) else b.value_expr(right_node, None)
            if right is None:
                right = b.hole(right_node, None)
            return _COMPARE[node.op](this=left, expression=right)
        if kind is ir.BinOp and node.op in ("&", "|"):
            left, right = self.condition(node.left, None, step), self.condition(node.right, None, step)
            return exp.And(this=left, expression=right) if node.op == "&" else exp.Or(this=left, expression=right)
        if kind is ir.Unary and node.op == "~":
            return exp.Not(this=self.condition(node.operand, None, step))
        if kind is ir.Call:
            return self.call_condition(node, step)
        if kind is ir.Const and isinstance(node.value, bool):
            return exp.Boolean(this=node.value)
        return self.inexact_condition()

    def _is_column(self, node) -> bool:
        resolved = self.resolve(node) if type(node) in (ir.Name, ir.Attr) else None
        return type(resolved) is v.ModelAttr

    def call_condition(self, node: ir.Call, step: b.StepView) -> exp.Expression:  # noqa: C901
        func = node.func
        args = [a.value for a in node.args if a.kind == "pos"]
        name = self.program.static_name(self.path, func) if type(func) in (ir.Name, ir.Attr) else ""
        short = name.rsplit(".", 1)[-1] if name.startswith(("sqlalchemy", "sqlmodel")) else ""
        if short in ("and_", "or_"):
            parts = [self.condition(a, None, step) for a in args]
            combined = (b.and_all if short == "and_" else b.or_all)(parts)
            return combined if combined is not None else exp.Boolean(this=True)
        if short == "not_" and args:
            return exp.Not(this=self.condition(args[0], None, step))
        if short in ("true", "false"):
            return exp.Boolean(this=short == "true")
        if short == "text" and args and type(args[0]) is ir.Const:
            return _raw(str(args[0].value))
        if type(func) is ir.Attr:
            method = func.name
            subject = self.expression(func.obj, None, step)
            if subject is None:
                return self.inexact_condition()
            value = args[0] if args else None
            if method in ("in_", "not_in", "notin_"):
                condition = exp.In(this=subject, expressions=[b.hole(value, None)])
                return exp.Not(this=condition) if method != "in_" else condition
            if method in ("is_", "is_not", "isnot"):
                condition = exp.Is(this=subject, expression=exp.Null())
                return exp.Not(this=condition) if method != "is_" else condition
            if method in ("like", "ilike", "contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "not_like", "not_ilike"):
                pattern = b.value_expr(value, None) if value is not None else b.hole(node, None)
                insensitive = method in ("ilike", "icontains", "istartswith", "iendswith", "not_ilike")
                node_ = (exp.ILike if insensitive else exp.Like)(this=subject, expression=pattern)
                node_.meta[PORTABLE] = True
                return exp.Not(this=node_) if method.startswith("not_") else node_
            if method == "between" and len(args) == 2:
                return exp.Between(this=subject, low=b.value_expr(args[0], None), high=b.value_expr(args[1], None))
            if method in ("any", "has"):
                return exp.Exists(this=exp.Select(expressions=[exp.Literal.number(1)]))
        return self.inexact_condition()

    def values(self, step: b.StepView) -> None:
        tree = self.tree
        for name, (node, value) in step.keywords.items():
            if name == "**":
                continue
            tree.append("expressions", exp.EQ(this=exp.column(name), expression=b.value_expr(node, value)))


def _raw(text: str) -> exp.Expression:
    import sqlglot

    try:
        node = sqlglot.parse_one(text.replace("?", "NULL"))
    except Exception:  # noqa: BLE001
        return b.unknown_condition()
    node.meta[b.RAW] = True
    return node


def _truthy(pair) -> bool:
    if pair is None:
        return False
    node, value = pair
    return (type(node) is ir.Const and node.value is True) or b.const_of(value) is True


def _in_own_select(select: exp.Select, column: exp.Column) -> bool:
    return column.find_ancestor(exp.Select) is select


def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    found = _Lifter(program, catalog, query, chain).run()
    return [found] if found is not None else []


def _series_source(node) -> exp.Table | None:
    """``select_from(func.generate_series(start, stop, step).alias("dt"))``: a function scan of a
    series, as the FROM sqlglot models it (``GenerateSeries``) — what AL409 asks about a LIMIT on it.
    Only a function sqlglot knows generates a series; any other function stays unknown."""
    alias = ""
    if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name == "alias" and type(node.func.obj) is ir.Call:
        first = node.args[0].value if node.args and node.args[0].kind == "pos" else None
        alias = first.value if type(first) is ir.Const and type(first.value) is str else ""
        node = node.func.obj
    if type(node) is not ir.Call or type(node.func) is not ir.Attr:
        return None
    owner = node.func.obj
    owner_name = owner.id if type(owner) is ir.Name else owner.name if type(owner) is ir.Attr else ""
    if owner_name != "func" or any(arg.kind != "pos" for arg in node.args):
        return None
    function = exp.func(node.func.name, *[exp.Placeholder(this=f"a{i}") for i in range(len(node.args))])
    if not isinstance(function, exp.GenerateSeries):
        return None
    table = exp.Table(this=function)
    if alias:
        table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return table
