"""Sequelize: ``Model.findAll/findOne/findAndCountAll/count/update/destroy`` option objects lifted
to SQL, and the tables Sequelize models map.

A model's table is ``tableName``, else its name (``freezeTableName``), else the plural of its
name; an attribute's column is its ``field:``, else the snake case of its name under
``underscored`` (model or global ``define`` options), else the name itself; timestamps add
``createdAt``/``updatedAt`` (``created_at``… when underscored).  A ``where`` key that is not an
attribute is sent as a column name as written — a problem when no such column exists (the
classic ``where: { article_id }`` against an ``articleId`` attribute).

``include`` becomes joins through the associations (``hasMany``/``belongsToMany`` fan out); as
Sequelize does, a ``limit`` with a collection include pages the parent rows in a subquery unless
``subQuery: false``; ``findAndCountAll`` and ``count`` with such an include count joined rows
unless ``distinct: true``.
"""

from __future__ import annotations

from sqlglot import exp

from archlint.domain import ir
from archlint.semantics import values as v
from archlint.semantics.builders import base as b
from archlint.semantics.options import Option, computed_key
from archlint.semantics.tables import Catalog, ForeignKey, Join, Table, camel, plural, snake

BUILDER = "sequelize"
IDIOM = {
    "order": "add `order: [['createdAt', 'DESC'], ['id', 'DESC']]` next to `limit`/`offset`",
    "where": "pass the condition: `{ where: { id } }` (Sequelize deletes or updates every row for `where: {}`)",
    "group": "add the column to `group: [...]`, or aggregate it with `sequelize.fn`",
    "distinct": "pass `distinct: true` (and `col: 'id'`) so Sequelize counts distinct parent rows",
    "limit-join": "drop `subQuery: false` so Sequelize pages the parent rows in a subquery, or load the collection with `separate: true`",
}
_OPS = {
    "eq": exp.EQ, "ne": exp.NEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE, "like": exp.Like,
    "iLike": exp.ILike, "notLike": exp.Like, "notILike": exp.ILike, "startsWith": exp.Like, "endsWith": exp.Like,
    "substring": exp.Like,
}
_READS = frozenset({"findAll", "findOne", "findAndCountAll", "count", "findByPk", "max", "min", "sum", "findOrCreate"})
_WRITES = frozenset({"destroy", "update", "create", "bulkCreate", "increment", "decrement", "upsert"})


# the tables the models map ----------------------------------------------------------------------------
class _Options:
    def __init__(self) -> None:
        self.underscored = False
        self.freeze = False
        self.timestamps = True


def define(program, catalog: Catalog, in_project) -> None:
    models = [m for m in program.schema.models.values() if m.stack == "sequelize" and in_project(m.path)]
    if not models:
        return
    defaults = _global_defaults(program, in_project)
    calls = _definition_calls(program, models)
    for model in models:
        catalog.add(_model_table(model, calls.get(model.key), defaults))
    _associations(program, catalog, models, in_project)


def _global_defaults(program, in_project) -> _Options:
    """``new Sequelize(url, { define: { underscored: true, freezeTableName: true } })``."""
    options = _Options()
    for path in sorted(program.modules):
        module = program.modules[path]
        if not in_project(path) or module.language == "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Obj:
                    for entry in node.entries:
                        if entry.key == "define" and type(entry.value) is ir.Obj:
                            _read_options(entry.value, options)
    return options


def _read_options(node: ir.Obj, options: _Options) -> None:
    for entry in node.entries:
        if type(entry.value) is not ir.Const:
            continue
        if entry.key == "underscored":
            options.underscored = bool(entry.value.value)
        elif entry.key == "freezeTableName":
            options.freeze = bool(entry.value.value)
        elif entry.key == "timestamps":
            options.timestamps = bool(entry.value.value)


def _definition_calls(program, models) -> dict:
    """model key -> (attributes Obj, options Obj | None): ``define(name, attrs, opts)`` or ``init(attrs, opts)``."""
    found: dict = {}
    by_path: dict = {}
    for model in models:
        by_path.setdefault(model.path, []).append(model)
    for path, owned in by_path.items():
        module = program.modules[path]
        names = {m.name: m for m in owned}
        class_names = {m.name: m for m in owned if m.cid >= 0}
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Call:
                    continue
                if node.method == "define":
                    name = node.arg(0)
                    if type(name) is ir.Const and name.value in names:
                        found[names[name.value].key] = (node.arg(1), node.arg(2), node.span.line)
                elif node.method == "init" and type(node.arg(0)) is ir.Obj:
                    receiver = node.receiver
                    owner = None
                    if type(receiver) is ir.Name and receiver.id in class_names:
                        owner = class_names[receiver.id]
                    elif type(receiver) is ir.Name and receiver.id in ("super", "this") and function.cls >= 0:
                        owner = next((m for m in owned if m.cid == function.cls), None)
                    if owner is not None:
                        found[owner.key] = (node.arg(0), node.arg(1), node.span.line)
    return found


def _model_table(model, definition, defaults: _Options) -> Table:
    attributes, options_node, line = definition if definition is not None else (None, None, model.span.line)
    options = _Options()
    options.underscored, options.freeze, options.timestamps = defaults.underscored, defaults.freeze, defaults.timestamps
    table_name = ""
    model_name = model.name
    created, updated, deleted = "createdAt", "updatedAt", ""
    if type(options_node) is ir.Obj:
        _read_options(options_node, options)
        for entry in options_node.entries:
            if entry.key == "tableName" and type(entry.value) is ir.Const:
                table_name = str(entry.value.value)
            elif entry.key == "modelName" and type(entry.value) is ir.Const:
                model_name = str(entry.value.value)
            elif entry.key in ("createdAt", "updatedAt", "deletedAt") and type(entry.value) is ir.Const:
                value = entry.value.value
                renamed = value if isinstance(value, str) else ("" if value is False else entry.key)
                if entry.key == "createdAt":
                    created = renamed
                elif entry.key == "updatedAt":
                    updated = renamed
                else:
                    deleted = renamed
            elif entry.key == "paranoid" and type(entry.value) is ir.Const and entry.value.value:
                deleted = deleted or "deletedAt"
        if any(e.key is None for e in options_node.entries):
            options.underscored = options.underscored  # a spread of shared options: read what we can
    name = table_name or (model_name if options.freeze else plural(model_name))
    table = Table(name, f"Sequelize model {model.name}", model.path, line, model=model.key)
    primary = ""
    if type(attributes) is ir.Obj:
        for entry in attributes.entries:
            if not isinstance(entry.key, str):
                table.closed = False  # ...sharedFields: not known one by one
                continue
            field = snake(entry.key) if options.underscored else entry.key
            if type(entry.value) is ir.Obj:
                for option in entry.value.entries:
                    if option.key == "field" and type(option.value) is ir.Const and isinstance(option.value.value, str):
                        field = option.value.value
                    if option.key == "primaryKey" and type(option.value) is ir.Const and option.value.value is True:
                        primary = entry.key
                    if option.key == "references" and type(option.value) is ir.Obj:
                        target = next((o.value.value for o in option.value.entries if o.key == "model" and type(o.value) is ir.Const), "")
                        if isinstance(target, str) and target:
                            table.foreign_keys.append(ForeignKey(field, target.lower(), "id"))
            table.add_column(field)
            table.attributes[entry.key] = field
    else:
        table.closed = False
    if not primary:
        table.add_column("id")
        table.attributes.setdefault("id", "id")
    table.primary_key = table.attributes.get(primary, primary) if primary else "id"
    if options.timestamps:
        for attribute in (created, updated):
            if attribute:
                column = snake(attribute) if options.underscored else attribute
                table.add_column(column)
                table.attributes[attribute] = column
    if deleted:
        column = snake(deleted) if options.underscored else deleted
        table.add_column(column)
        table.attributes[deleted] = column
    table.underscored = options.underscored
    return table


class Association:
    __slots__ = ("owner", "target", "side", "collection", "alias", "foreign_key", "through", "other_key")

    def __init__(self, owner, target, side, collection, alias, foreign_key, through, other_key):
        self.owner, self.target, self.alias = owner, target, alias
        self.side, self.collection = side, collection  # where the foreign key lives (source | target | through); a collection?
        self.foreign_key, self.through, self.other_key = foreign_key, through, other_key


def _associations(program, catalog: Catalog, models, in_project) -> None:
    from archlint.semantics.schema import _sequelize_model_named, known as schema_names

    sides, collections = schema_names(program).sequelize_association_keys, schema_names(program).sequelize_associations
    keys = {m.key for m in models}
    found: list[Association] = []
    for path in sorted({m.path for m in models} | {p for p in program.modules if in_project(p)}):
        module = program.modules.get(path)
        if module is None or module.language == "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Call or node.method not in sides:
                    continue
                owner = _sequelize_model_named(program, path, node.receiver, program.schema, function)
                target = _sequelize_model_named(program, path, node.arg(0), program.schema, function)
                if owner not in keys or target not in keys:
                    continue
                options = node.arg(1)
                alias = foreign_key = through = other_key = ""
                explicit = False
                if type(options) is ir.Obj:
                    for entry in options.entries:
                        value = entry.value
                        text = value.value if type(value) is ir.Const and isinstance(value.value, str) else ""
                        if type(value) is ir.Obj:  # foreignKey: { name: 'authorId', field: 'author_id' }
                            text = next((e.value.value for e in value.entries if e.key == "name" and type(e.value) is ir.Const), "")
                        if entry.key == "as":
                            alias = text
                        elif entry.key == "foreignKey":
                            foreign_key, explicit = text, bool(text)
                        elif entry.key == "through":
                            through = text or _model_table_name(program, catalog, path, value, function)
                        elif entry.key == "otherKey":
                            other_key = text
                side = sides[node.method]
                found.append(Association(owner, target, side, collections[node.method], alias, foreign_key, through, other_key))
                if not explicit and side != "through":
                    holder = catalog.model(owner if side == "source" else target)
                    if holder is not None:
                        holder.closed = False  # a default foreign key name (UserId): not guessed
    for item in found:
        _association_join(catalog, item)


def _model_table_name(program, catalog: Catalog, path: str, node, function) -> str:
    from archlint.semantics.schema import _sequelize_model_named

    key = _sequelize_model_named(program, path, node, program.schema, function)
    table = catalog.model(key) if key else None
    return table.name if table is not None else ""


def _association_join(catalog: Catalog, item: Association) -> None:
    owner, target = catalog.model(item.owner), catalog.model(item.target)
    if owner is None or target is None:
        return
    name = item.alias or (plural(target_model_name(target)) if item.collection else target_model_name(target))
    underscored = owner.underscored
    if item.side == "source":  # belongsTo
        attribute = item.foreign_key or camel(f"{name}_{target.primary_key}")
        column = owner.attributes.get(attribute) or (snake(attribute) if underscored else attribute)
        owner.add_column(column)
        owner.attributes.setdefault(attribute, column)
        owner.foreign_keys.append(ForeignKey(column, target.name.lower(), target.primary_key))
        owner.relations[name] = Join(target.name, ((column, target.primary_key),), False)
    elif item.side == "target":  # hasMany, hasOne
        singular = target_model_name(owner)
        attribute = item.foreign_key or camel(f"{singular}_{owner.primary_key}")
        column = target.attributes.get(attribute) or (snake(attribute) if target.underscored else attribute)
        target.add_column(column)
        target.attributes.setdefault(attribute, column)
        target.foreign_keys.append(ForeignKey(column, owner.name.lower(), owner.primary_key))
        owner.relations[name] = Join(target.name, ((owner.primary_key, column),), item.collection)
    elif item.side == "through" and item.through:  # belongsToMany
        source_key = item.foreign_key or camel(f"{target_model_name(owner)}_{owner.primary_key}")
        other = item.other_key or camel(f"{target_model_name(target)}_{target.primary_key}")
        through = catalog.get(item.through)
        if through is None:
            through = catalog.add(Table(item.through, "Sequelize belongsToMany", owner.path, owner.line, closed=False))
        for column in (source_key, other):
            through.add_column(through.attributes.get(column, column))
        owner.relations[name] = Join(target.name, (), True, through.name, ((owner.primary_key, source_key),),
                                     ((other, target.primary_key),))


def target_model_name(table: Table) -> str:
    return table.model.rsplit(":", 1)[-1] if table.model else table.name


# lifting ----------------------------------------------------------------------------------------
_Option = Option  # the option reader the Sequelize checks share (semantics/options.py)
_computed_key = computed_key


def _op_name(key: str) -> str:
    """``[sequelize:Op.like]`` / ``[Op.like]`` / ``$like`` → ``like``."""
    if key.startswith("[") and key.endswith("]"):
        inner = key[1:-1]
        return inner.rsplit(".", 1)[-1] if "Op." in inner or inner.startswith("Op") else ""
    if key.startswith("$") and not key.endswith("$"):
        return key[1:]
    return ""


class _Lifter(b.Lifter):
    def __init__(self, program, catalog: Catalog, query: v.Query, step: v.Step) -> None:
        super().__init__(program, catalog, query)
        self.view = b.StepView(step)
        self.path = step.path
        self.table = catalog.model(query.model)
        self.reported: set = set()

    def run(self) -> list[b.Lifted]:
        method = self.view.method
        table = self.table
        if table is None or (method not in _READS and method not in _WRITES):
            return []
        where = self.view.where
        if method in ("create", "bulkCreate", "upsert"):
            return [self._lifted(b.located(exp.Insert(this=b.table(table.name)), where))]
        options = self.options(1 if method in ("update", "findByPk", "max", "min", "sum", "increment", "decrement") else 0)
        if method in ("destroy", "update", "increment", "decrement"):
            return [self._lifted(self.write(method, options))]
        select = b.located(exp.Select(), where)
        b.set_from(select, b.table(table.name, target_model_name(table)), where)
        alias = target_model_name(table)
        self.projection(select, options, alias, method)
        self.conditions(select, options, table, alias)
        if method == "findByPk":
            node, value = self.view.arg(0)
            b.add_where(select, exp.EQ(this=b.column(table.primary_key, alias), expression=b.value_expr(node, value)))
        collection = self.includes(select, options, table, alias)
        self.grouping(select, options, alias)
        self.ordering(select, options, table, alias)
        limit = options.get("limit") if options is not None else None
        offset = options.get("offset") if options is not None else None
        if method == "findOne":
            b.set_limit(select, exp.Literal.number(1), where)
        if limit is not None:
            b.set_limit(select, self.value(limit), (self.path, self._span(limit)))
        if offset is not None:
            b.set_offset(select, self.value(offset), (self.path, self._span(offset)))
        subquery = options.get("subQuery") if options is not None else None
        if collection and (select.args.get("limit") is not None or select.args.get("offset") is not None) and (
                subquery is None or subquery.constant is not False):
            _page_in_subquery(select, table, alias)  # what Sequelize emits: LIMIT on the parent rows
        results = []
        if method in ("count", "findAndCountAll"):
            results.append(self._lifted(self.count(select, options, alias, method)))
        if method != "count":
            results.append(self._lifted(select))
        return results

    def _lifted(self, tree: exp.Expression) -> b.Lifted:
        lifted = b.Lifted(BUILDER, tree, self.path, self.view.span, self.query.model, self.exact, self.problems,
                          steps=(self.view.step,))
        # A literal option object is judged by the Sequelize family already (AL213 destroy/update
        # with `where: {}`, AL217 findAndCountAll/count with include and no distinct): once per problem.
        index = 1 if self.view.method == "update" else 0
        node = self.view.arg(index)[0]
        if type(node) is ir.Obj:
            lifted.covered = frozenset({"AL405", "AL410"})
        if self._scope_ordered():  # `Article.scope('recent').findAll({ limit })`: the scope's `order` applies
            lifted.covered = lifted.covered | {"AL409"}
        return lifted

    def _scope_ordered(self) -> bool:
        """The scopes the query runs under order its rows: `Model.scope('recent')` naming a scope with an `order`
        (or one archlint does not know), or the model's `defaultScope` when no scope was chosen (`unscoped()` drops it)."""
        model = self.program.schema.get(self.query.model)
        node = self.view.node
        if model is None or type(node) is not ir.Call or type(node.func) is not ir.Attr:
            return False
        receiver = node.func.obj
        if type(receiver) is ir.Call and type(receiver.func) is ir.Attr and receiver.func.name == "scope":
            names = [arg.value.value if arg.kind == "pos" and type(arg.value) is ir.Const else None for arg in receiver.args]
            return any(name is None or name in model.scope_orders or name not in model.scopes for name in names)
        if type(receiver) is ir.Call and type(receiver.func) is ir.Attr and receiver.func.name == "unscoped":
            return False
        return "defaultScope" in model.scope_orders

    def _span(self, option: _Option):
        return option.node.span if option is not None and option.node is not None else self.view.span

    def options(self, index: int) -> _Option | None:
        node, value = self.view.arg(index)
        if node is None and value is None:
            return None
        return _Option(node, value)

    def value(self, option: _Option) -> exp.Expression:
        found = option.constant
        if found is not None and not isinstance(found, bool):
            return b.literal(found)
        return b.hole(option.node, option.value)

    # columns ------------------------------------------------------------------------------------
    def column(self, key: str, table: Table, alias: str, where_span) -> exp.Expression:
        """An attribute used in the options: its column, or the key itself when it is none (a
        problem when no such column exists either)."""
        if key.startswith("$") and key.endswith("$"):  # '$author.username$': a column of an include
            inner = key.strip("$")
            qualifier, _, name = inner.rpartition(".")
            return b.column(name, qualifier)
        if "." in key:
            qualifier, _, name = key.rpartition(".")
            return b.column(name, qualifier)
        if key in table.attributes:
            return b.column(table.attributes[key], alias)
        if not table.has(key) and table.closed and key not in self.reported:
            self.reported.add(key)
            self.unknown_attribute(key, table, where_span)
        return b.column(key, alias)

    def unknown_attribute(self, key: str, table: Table, span) -> None:
        model = target_model_name(table)
        folded = key.replace("_", "").lower()
        near = next((a for a in table.attributes if a.replace("_", "").lower() == folded), "")
        if near:
            why = (f"`{key}` is not an attribute of `{model}` (the attribute is `{near}`, column `{table.attributes[near]}`): "
                   f"Sequelize sends unknown keys as column names, and `{table.name}` has no column `{key}`")
        else:
            why = f"`{key}` is not an attribute of `{model}` and `{table.name}` has no such column"
        message = f"{why} — the query fails with 'column {model}.{key} does not exist' (SQLite: 'no such column')"
        attributes = ", ".join(sorted(table.attributes)[:12])
        guidance = f"Use the model's attribute name{f' `{near}`' if near else ''} (attributes: {attributes})."
        self.problems.append(b.Problem("AL417", self.path, span, message, guidance))

    def projection(self, select: exp.Select, options: _Option | None, alias: str, method: str) -> None:
        attributes = options.get("attributes") if options is not None else None
        if method in ("max", "min", "sum"):
            node, value = self.view.arg(0)
            name = b.string_of(value, node) or "id"
            kind = {"max": exp.Max, "min": exp.Min, "sum": exp.Sum}[method]
            select.append("expressions", kind(this=self.column(name, self.table, alias, self.view.span)))
            return
        if attributes is None:
            select.append("expressions", b.column("*", alias))
            return
        items = attributes.elements() if attributes.is_list else []
        if attributes.is_record:
            include = attributes.get("include")
            select.append("expressions", b.column("*", alias))
            items = include.elements() if include is not None else []
        for item in items:
            term = self.attribute(item, alias)
            if term is None:
                self.exact = False
                continue
            select.append("expressions", b.located(term, (self.path, self._span(item))))

    def attribute(self, item: _Option, alias: str) -> exp.Expression | None:
        text = item.string
        if text is not None:
            return self.column(text, self.table, alias, self._span(item))
        if item.is_list:  # [sequelize.fn('COUNT', sequelize.col('comments.id')), 'commentCount']
            parts = item.elements()
            if len(parts) == 2:
                term = self.sql_value(parts[0], alias)
                name = parts[1].string
                if term is not None:
                    return b.aliased(term, name or "")
        return self.sql_value(item, alias)

    def sql_value(self, item: _Option, alias: str) -> exp.Expression | None:
        """``sequelize.fn(...)`` / ``sequelize.col(...)`` / ``sequelize.literal(...)``."""
        node = item.node
        if type(node) is not ir.Call:
            text = item.string
            return self.column(text, self.table, alias, self._span(item)) if text is not None else None
        method = node.short_name
        args = [a.value for a in node.args if a.kind == "pos"]
        if method == "col" and args and type(args[0]) is ir.Const:
            return b.dotted(str(args[0].value))
        if method == "literal" and args and type(args[0]) is ir.Const:
            from archlint.semantics.builders.knex import parse_fragment

            return parse_fragment(str(args[0].value)) or exp.Anonymous(this=b.RAW)
        if method == "fn" and args and type(args[0]) is ir.Const:
            name = str(args[0].value)
            inner = [self.sql_value(_Option(a, None), alias) or b.hole(a, None) for a in args[1:]]
            lower = name.lower()
            if lower == "count":
                return exp.Count(this=inner[0] if inner else exp.Star())
            kind = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}.get(lower)
            if kind is not None and inner:
                return kind(this=inner[0])
            return b.located(exp.Anonymous(this=name, expressions=inner), (self.path, node.span))
        if method == "where":
            return b.unknown_condition()
        return None

    # WHERE --------------------------------------------------------------------------------------
    def conditions(self, select, options: _Option | None, table: Table, alias: str) -> None:
        where = options.get("where") if options is not None else None
        if where is None:
            return
        condition = self.where(where, table, alias)
        b.add_where(select, b.located(condition, (self.path, self._span(where))))

    def where(self, where: _Option, table: Table, alias: str) -> exp.Expression:
        if not where.is_record:
            if where.is_list:
                return b.and_all([self.where(e, table, alias) for e in where.elements()]) or exp.Boolean(this=True)
            if type(where.node) is ir.Call:
                return self.sql_value(where, alias) or self.inexact_condition()
            return self.inexact_condition()
        parts = []
        for key, item in where.items():
            if key == "...":
                parts.append(self.inexact_condition())
                continue
            op = _op_name(key)
            if op in ("or", "and"):
                inner = [self.where(e, table, alias) for e in item.elements()] if item.is_list else (
                    [self.where(_Option(n.node, n.value), table, alias) for _k, n in item.items()] if item.is_record else [self.inexact_condition()])
                inner = [i for i in inner if i is not None]
                combined = (b.or_all if op == "or" else b.and_all)(inner)
                parts.append(combined if combined is not None else exp.Boolean(this=op == "and"))
                continue
            if op == "not":
                parts.append(exp.Not(this=self.where(item, table, alias)))
                continue
            if not key:
                parts.append(self.inexact_condition())
                continue
            subject = self.column(key, table, alias, self._span(item))
            parts.append(self.operand(subject, item))
        if not parts:
            return exp.Boolean(this=True)  # where: {} — every row
        return b.and_all(parts)

    def operand(self, subject: exp.Expression, item: _Option) -> exp.Expression:
        if item.is_record:
            parts = []
            for key, inner in item.items():
                op = _op_name(key)
                if op in _OPS:
                    node = _OPS[op](this=subject, expression=self.value(inner))
                    parts.append(exp.Not(this=node) if op.startswith("not") else node)
                elif op in ("in", "notIn"):
                    condition = exp.In(this=subject, expressions=[self.value(inner)])
                    parts.append(exp.Not(this=condition) if op == "notIn" else condition)
                elif op in ("is", "not") and inner.constant is None and type(inner.node) is ir.Const:
                    condition = exp.Is(this=subject, expression=exp.Null())
                    parts.append(exp.Not(this=condition) if op == "not" else condition)
                elif op == "between":
                    parts.append(exp.Between(this=subject, low=self.value(inner), high=self.value(inner)))
                elif op in ("contains", "overlap", "any", "contained"):
                    parts.append(b.located(exp.ArrayContainsAll(this=subject, expression=self.value(inner)), (self.path, self._span(inner))))
                else:
                    parts.append(self.inexact_condition())
            return b.and_all(parts) or exp.Boolean(this=True)
        if item.is_list:
            return exp.In(this=subject, expressions=[self.value(item)])
        if type(item.node) is ir.Const and item.node.value is None:
            return exp.Is(this=subject, expression=exp.Null())
        return exp.EQ(this=subject, expression=self.value(item))

    # include ------------------------------------------------------------------------------------
    def includes(self, select, options: _Option | None, table: Table, alias: str) -> bool:
        include = options.get("include") if options is not None else None
        if include is None:
            return False
        collection = False
        for item in include.elements():
            collection = self.include(select, item, table, alias) or collection
        return collection

    def include(self, select, item: _Option, owner: Table, owner_alias: str) -> bool:
        target_key, name, options = self._include_target(item, owner)
        if not name:
            self.exact = False
            return False
        join = owner.relations.get(name)
        if join is None:
            self.exact = False
            return False
        where = options.get("where") if options is not None else None
        required = options.get("required") if options is not None else None
        separate = options.get("separate") if options is not None else None
        if separate is not None and separate.constant is True:
            return False  # a query of its own
        inner = (required is not None and required.constant is True) or (where is not None and (required is None or required.constant is not False))
        side = "" if inner else "LEFT"
        span = (self.path, self._span(item))
        target = self.catalog.get(join.target)
        if join.through:
            on = b.and_all([exp.EQ(this=b.column(t, join.through), expression=b.column(s, owner_alias)) for s, t in join.through_pairs])
            first = b.add_join(select, b.table(join.through), on, side, span)
            first.meta[b.FAN_OUT] = True
            first.meta[b.RELATION] = name
            on = b.and_all([exp.EQ(this=b.column(r, name), expression=b.column(t, join.through)) for t, r in join.target_pairs])
            node = b.add_join(select, b.table(join.target, name), on, side, span)
            node.meta[b.FAN_OUT] = False
        else:
            on = b.and_all([exp.EQ(this=b.column(r, name), expression=b.column(l, owner_alias)) for l, r in join.pairs])
            node = b.add_join(select, b.table(join.target, name), on, side, span)
            node.meta[b.FAN_OUT] = join.collection
        node.meta[b.RELATION] = name
        if where is not None and target is not None:
            node.set("on", exp.And(this=node.args.get("on"), expression=self.where(where, target, name)))
        collection = join.collection
        nested = options.get("include") if options is not None else None
        if nested is not None and target is not None:
            for inner_item in nested.elements():
                collection = self.include(select, inner_item, target, name) or collection
        return collection

    def _include_target(self, item: _Option, owner: Table) -> tuple[str, str, _Option | None]:
        """(target model, association name, include options)."""
        options = item if item.is_record else None
        model_option = item.get("model") if options is not None else item
        alias = options.get("as").string if options is not None and options.get("as") is not None else ""
        association = options.get("association").string if options is not None and options.get("association") is not None else ""
        if association:
            return "", association, options
        target = v.strip(model_option.value) if model_option is not None and model_option.value is not None else None
        target_key = target.model if type(target) is v.ModelClass else ""
        if alias:
            return target_key, alias, options
        if target_key:
            target_table = self.catalog.model(target_key)
            for name, join in owner.relations.items():
                if target_table is not None and join.target == target_table.name:
                    return target_key, name, options
        return target_key, "", options

    # GROUP / ORDER ------------------------------------------------------------------------------
    def grouping(self, select, options: _Option | None, alias: str) -> None:
        group = options.get("group") if options is not None else None
        if group is None:
            return
        for item in group.elements():
            text = item.string
            term = self.column(text, self.table, alias, self._span(item)) if text is not None else self.sql_value(item, alias)
            if term is None:
                self.exact = False
                continue
            b.add_group(select, term, (self.path, self._span(item)))

    def ordering(self, select, options: _Option | None, table: Table, alias: str) -> None:
        order = options.get("order") if options is not None else None
        if order is None:
            return
        span = (self.path, self._span(order))
        items = order.elements() if order.is_list else [order]
        for item in items:
            if item.string is not None:
                b.add_order(select, self.column(item.string, table, alias, self._span(item)), False, span)
                continue
            if item.is_list:
                parts = item.elements()
                direction = (parts[-1].string or "").upper() if len(parts) >= 2 else ""
                desc = direction.startswith("DESC")
                terms = parts[:-1] if direction in ("ASC", "DESC", "ASC NULLS LAST", "DESC NULLS LAST", "DESC NULLS FIRST", "ASC NULLS FIRST") else parts
                last = terms[-1] if terms else None
                if last is not None and last.string is not None:
                    qualifier = next((p.string for p in terms[:-1] if p.string), "")
                    term = b.column(last.string, qualifier) if qualifier else self.column(last.string, table, alias, self._span(last))
                    b.add_order(select, term, desc, span)
                    continue
                if last is not None:
                    term = self.sql_value(last, alias)
                    if term is not None:
                        b.add_order(select, term, desc, span)
                        continue
            b.add_order(select, b.hole(item.node, item.value), False, span)

    # COUNT / writes -----------------------------------------------------------------------------
    def count(self, select: exp.Select, options: _Option | None, alias: str, method: str) -> exp.Select:
        distinct = options.get("distinct") if options is not None else None
        column = options.get("col") if options is not None else None
        counted = self.column(column.string, self.table, alias, self._span(column)) if column is not None and column.string else (
            b.column(self.table.primary_key, alias))
        if distinct is not None and distinct.constant is True:
            counted = exp.Distinct(expressions=[counted])
        tree = select.copy()
        tree.set("expressions", [b.located(exp.Count(this=counted), self.view.where)])
        for key in ("order", "limit", "offset"):
            tree.set(key, None)
        source = tree.args.get(b.FROM_KEY)
        if source is not None and isinstance(source.this, exp.Subquery):  # count over the whole table, not a page
            inner = source.this.this
            tree.set(b.FROM_KEY, exp.From(this=b.table(self.table.name, alias)))
            where = inner.args.get("where")
            if where is not None:
                tree.set("where", where)
        return tree

    def write(self, method: str, options: _Option | None) -> exp.Expression:
        table = self.table
        target = b.table(table.name)
        where_option = options.get("where") if options is not None else None
        where = None
        if where_option is not None:
            condition = self.where(where_option, table, table.name)
            where = exp.Where(this=condition)
        elif options is None or options.known:
            truncate = options.get("truncate") if options is not None else None
            if truncate is None or truncate.constant is not True:
                self.missing_where(method)
        else:
            self.exact = False
        span = (self.path, self.view.span)
        if method == "destroy":
            return b.located(exp.Delete(this=target, where=where), span)
        return b.located(exp.Update(this=target, where=where, expressions=[exp.EQ(this=exp.column(b.SET_LIST), expression=exp.Null())]), span)

    def missing_where(self, method: str) -> None:
        """``destroy()`` / ``update(values)`` with no ``where`` option: Sequelize refuses to run it
        ('Missing where attribute in the options parameter') — loud, not a silent full-table write."""
        self.exact = False  # the statement never runs: no SQL rule applies


def _page_in_subquery(select: exp.Select, table: Table, alias: str) -> None:
    inner = exp.Select(expressions=[b.column("*", alias)])
    b.set_from(inner, b.table(table.name, alias), None)
    for key in ("where", "order", "limit", "offset"):
        value = select.args.get(key)
        if value is not None:
            inner.set(key, value)
            select.set(key, None)
    subquery = exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias)))
    select.set(b.FROM_KEY, exp.From(this=subquery))
    order = inner.args.get("order")
    if order is not None:
        select.set("order", order.copy())


def lift_chain(program, catalog: Catalog, query: v.Query, chain: tuple) -> list[b.Lifted]:
    return _Lifter(program, catalog, query, chain[0]).run() if len(chain) == 1 else []  # one option-object call each
