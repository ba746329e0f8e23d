"""The relational schema of one project: every table with its columns, keys and the place that
defines it — read from every place a project defines tables.

* ORM models (SQLAlchemy, Django, Sequelize, TypeORM; each builder module's ``define``), with
  how each model attribute maps to a column (``field:``, ``underscored``, ``db_column``, ``@map``)
  and how each relation joins (foreign key on either side, or a through table);
* DDL: ``CREATE TABLE`` / ``ALTER TABLE … ADD COLUMN`` in ``.sql`` files and in strings the code
  runs (``db.exec(SCHEMA)`` at start-up);
* migrations: Alembic ``op.create_table``/``op.add_column``, Django ``migrations.CreateModel``/
  ``AddField``, knex ``knex.schema.createTable(name, t => …)``, Sequelize
  ``queryInterface.createTable``/``addColumn``;
* ``schema.prisma`` models and Drizzle ``pgTable``/``sqliteTable``/``mysqlTable`` objects.

A table's column set is *closed* when its one definition lists every column (a model with a
mixin the analysis cannot read, or a ``Table(..., autoload_with=engine)``, is open); rules about
unknown columns only judge closed tables.  Each table keeps where it was defined, for evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archlint.domain import ir
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v


class ForeignKey(NamedTuple):
    column: str
    table: str  # referenced table (lower case)
    target: str = "id"  # referenced column


class Join(NamedTuple):
    """How a relation of a model joins its target: ``pairs`` of (column of the left table,
    column of the right table), or two hops through ``through`` (an association table)."""

    target: str  # target table name
    pairs: tuple  # ((left column, right column), ...) for a direct join
    collection: bool  # several target rows per source row
    through: str = ""
    through_pairs: tuple = ()  # (source column, through column) pairs
    target_pairs: tuple = ()  # (through column, target column) pairs


@dataclass(slots=True)
class Table:
    """A table of a project's schema and what defines it."""
    name: str
    source: str  # what defines it: "SQLAlchemy model Article", "knex migration", "schema.sql" …
    path: str = ""
    line: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # lower name -> name as written
    closed: bool = True  # every column is known
    attributes: dict[str, str] = field(default_factory=dict)  # ORM attribute -> column (models only)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    primary_key: str = "id"
    model: str = ""  # model key, for a table an ORM model maps
    relations: dict[str, Join] = field(default_factory=dict)  # relation attribute -> how it joins
    ordering: tuple = ()  # Django Meta.ordering: default ORDER BY
    underscored: bool = False  # Sequelize: attributes map to snake_case columns
    compounds: dict[str, tuple] = field(default_factory=dict)  # Prisma compound unique key `a_b` -> its fields (a, b)

    def add_column(self, name: str) -> None:
        if name:
            self.columns.setdefault(name.lower(), name)

    def has(self, name: str) -> bool:
        return name.lower() in self.columns

    def column_of(self, attribute: str) -> str:
        """The column an ORM attribute maps to (the attribute itself when it is not remapped)."""
        return self.attributes.get(attribute, attribute)

    @property
    def where(self) -> str:
        return f"{self.source} ({self.path}:{self.line})" if self.path else self.source


@dataclass(slots=True)
class Catalog:
    """The tables a project defines (models, DDL, migrations, schema files)."""
    tables: dict[str, Table] = field(default_factory=dict)  # lower name -> table
    models: dict[str, Table] = field(default_factory=dict)  # model key -> table
    closed: bool = True  # no reflection, no definition archlint could not read
    authoritative: bool = False  # DDL or migrations define the tables (not only models)
    variables: dict = field(default_factory=dict)  # (path, variable) -> table: Drizzle table objects

    def add(self, table: Table) -> Table:
        """Add a definition; a second definition of the same table merges its columns (a migration
        adding what a model also says) and keeps the first source."""
        key = table.name.lower()
        existing = self.tables.get(key)
        if existing is None:
            self.tables[key] = table
        else:
            if not table.model or existing.model:
                for name in table.columns.values():
                    existing.add_column(name)
            else:  # the model's own mapping is richer: keep it, add what the other source knew
                for name in existing.columns.values():
                    table.add_column(name)
                table.foreign_keys.extend(fk for fk in existing.foreign_keys if fk not in table.foreign_keys)
                self.tables[key] = table
                existing = table
            existing.closed = existing.closed and table.closed
            existing.foreign_keys.extend(fk for fk in table.foreign_keys if fk not in existing.foreign_keys)
        if table.model:
            self.models[table.model] = self.tables[key]
        return self.tables[key]

    def get(self, name: str) -> Table | None:
        return self.tables.get(name.lower()) if name else None

    def model(self, key: str) -> Table | None:
        return self.models.get(key)

    def links(self, left: str, right: str) -> list[tuple[str, str]]:
        """Direct foreign-key paths between two tables: (column of left, column of right) pairs."""
        found = []
        a, b = self.get(left), self.get(right)
        if a is not None:
            found += [(fk.column, fk.target) for fk in a.foreign_keys if fk.table == right.lower()]
        if b is not None and left.lower() != right.lower():
            found += [(fk.target, fk.column) for fk in b.foreign_keys if fk.table == left.lower()]
        return found

    def fans_out(self, base: str, joined: str, pairs: list[tuple[str, str]]) -> bool | None:
        """Does joining ``joined`` on these column pairs give several rows per ``base`` row?
        ``False`` when the join reaches ``joined``'s primary key (many-to-one), ``True`` when it
        follows a foreign key of ``joined`` back to ``base``, ``None`` when the schema cannot tell."""
        target = self.get(joined)
        if target is None or not pairs:
            return None
        if any(right.lower() == target.primary_key.lower() for _left, right in pairs):
            return False
        keys = {fk.column.lower() for fk in target.foreign_keys if fk.table == base.lower()}
        if any(right.lower() in keys for _left, right in pairs):
            return True
        return None


# DDL -------------------------------------------------------------------------------------------
_DDL = re.compile(r"\b(CREATE\s+(?:(?:TEMP\w*|VIRTUAL)\s+)?(?:TABLE|VIEW)|ALTER\s+TABLE)\b", re.IGNORECASE)
# SQLite's `CREATE VIRTUAL TABLE name USING fts5(content, …)`: a table whose columns its module decides
_VIRTUAL = re.compile(r"\bCREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?(\w+)[\"`\]]?\s+USING\b", re.IGNORECASE)


def looks_like_ddl(text: str) -> bool:
    return bool(_DDL.search(text))


def add_ddl(catalog: Catalog, text: str, source: str, path: str, line: int, dialect: str = "") -> None:
    """``CREATE TABLE`` / ``CREATE VIEW`` / ``ALTER TABLE … ADD COLUMN`` statements of a SQL text."""
    import logging

    import sqlglot
    from sqlglot import exp

    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # "falling back to parsing as a Command": not the user's concern
    virtual = _VIRTUAL.findall(text)
    if virtual:  # sqlglot does not read a module's arguments (`"identifier" UNINDEXED, prefix='2,3'`): the names only
        for name in virtual:
            catalog.add(Table(name, source, path, line, closed=False))
        catalog.authoritative = True
        return
    try:
        statements = sqlglot.parse(text.replace("?", "NULL"), read=dialect or None)
    except Exception:  # noqa: BLE001 - ParseError, TokenError, or a sqlglot bug on odd input
        statements = []
        catalog.closed = False  # tables this text defines are not known: judge no name against it
    for statement in statements:
        if isinstance(statement, exp.Command) and re.match(r"\s*(CREATE|ALTER)\s+(TEMP\w*\s+)?TABLE", statement.sql(), re.I):
            catalog.closed = False  # a table statement sqlglot does not model: its columns are not known
            continue
        if isinstance(statement, exp.Create) and isinstance(statement.this, exp.Schema):
            schema = statement.this
            if not isinstance(schema.this, exp.Table):
                continue
            table = Table(schema.this.name, source, path, line)
            for item in schema.expressions:
                if isinstance(item, exp.ColumnDef):
                    table.add_column(item.name)
                    for constraint in item.args.get("constraints") or ():
                        kind = constraint.args.get("kind")
                        if isinstance(kind, exp.Reference):
                            target = kind.this
                            ref = target.this if isinstance(target, exp.Schema) else target
                            cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
                            if isinstance(ref, exp.Table):
                                table.foreign_keys.append(ForeignKey(item.name, ref.name.lower(), cols[0] if cols else "id"))
                        if isinstance(kind, exp.PrimaryKeyColumnConstraint):
                            table.primary_key = item.name
                elif isinstance(item, exp.ForeignKey):
                    reference = item.args.get("reference")
                    target = reference.this if reference is not None else None
                    ref = target.this if isinstance(target, exp.Schema) else target
                    cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
                    own = [e.name for e in item.expressions]
                    if isinstance(ref, exp.Table) and own:
                        table.foreign_keys.append(ForeignKey(own[0], ref.name.lower(), cols[0] if cols else "id"))
            catalog.add(table)
            catalog.authoritative = True
        elif isinstance(statement, exp.Create) and isinstance(statement.this, exp.Table) and statement.kind in ("TABLE", "VIEW"):
            catalog.add(Table(statement.this.name, source, path, line, closed=False))  # CREATE … AS SELECT
            catalog.authoritative = True
        elif isinstance(statement, exp.Alter) and isinstance(statement.this, exp.Table):
            existing = catalog.get(statement.this.name)
            for action in statement.args.get("actions") or ():
                if isinstance(action, exp.ColumnDef) and existing is not None:
                    existing.add_column(action.name)
                elif isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table) and existing is not None:
                    # ALTER TABLE auth_new RENAME TO auth (SQLite's table rebuild): the new name has the
                    # old table's columns.  Migrations are not ordered here: added to any the name
                    # already has, never removed; the old name keeps its columns too
                    renamed = Table(action.this.name, source, path, line, closed=existing.closed)
                    for column in existing.columns.values():
                        renamed.add_column(column)
                    catalog.add(renamed)
                elif existing is not None:
                    existing.closed = False  # a column rename or a drop: not followed


# Prisma ------------------------------------------------------------------------------------------
_PRISMA_MODEL = lazy_compile(r"^\s*model\s+(\w+)\s*\{(.*?)^\s*\}", re.MULTILINE | re.DOTALL)
_PRISMA_SCALARS = frozenset("String Int BigInt Float Decimal Boolean DateTime Json Bytes Unsupported".split())


class PrismaModel(NamedTuple):
    name: str
    table: str
    fields: dict  # field -> column (scalar fields)
    relations: dict  # field -> (target model, collection, (own fields), (referenced fields))
    line: int
    unique: tuple = ()  # field sets declared unique: `@unique`, `@id`, `@@unique([a, b])`, `@@id([a, b])`
    relation_names: tuple = ()  # (field, name) of relation fields naming their relation: `@relation("UserFollows")`
    compounds: tuple = ()  # (name, (fields…)) of `@@id([a, b])` / `@@unique([a, b])`: the `where` key `a_b` (or `name:`)


def prisma_models(text: str) -> list[PrismaModel]:
    """The models of a ``schema.prisma`` (enums and types are not tables)."""
    found = []
    enums = set(re.findall(r"^\s*enum\s+(\w+)", text, re.MULTILINE))
    for match in _PRISMA_MODEL.finditer(text):
        name, body = match.group(1), match.group(2)
        table = name
        fields: dict = {}
        relations: dict = {}
        unique: list = []
        relation_names: list = []
        compounds: list = []
        for raw in body.splitlines():
            line = raw.split("//", 1)[0].strip()
            if not line:
                continue
            mapped = re.match(r'@@map\(\s*(?:name:\s*)?"([^"]+)"', line)
            if mapped:
                table = mapped.group(1)
                continue
            together = re.match(r"@@(?:unique|id)\(\s*(?:fields:\s*)?\[([^\]]*)\]", line)
            if together:
                members = tuple(f.strip().split("(")[0] for f in together.group(1).split(",") if f.strip())
                unique.append(tuple(sorted(members)))
                named = re.search(r'\bname:\s*"(\w+)"', line)
                compounds.append((named.group(1) if named else "_".join(members), members))
                continue
            if line.startswith("@@"):
                continue
            parts = line.split()
            if len(parts) < 2:
                continue
            field_name, kind = parts[0], parts[1]
            base = kind.rstrip("?[]")
            if base in _PRISMA_SCALARS or base in enums:
                column = re.search(r'@map\(\s*(?:name:\s*)?"([^"]+)"', line)
                fields[field_name] = column.group(1) if column else field_name
                if re.search(r"@(?:unique|id)\b", line):
                    unique.append((field_name,))
            else:
                own = re.search(r"fields:\s*\[([^\]]*)\]", line)
                ref = re.search(r"references:\s*\[([^\]]*)\]", line)
                relations[field_name] = (
                    base, kind.endswith("[]"),
                    tuple(f.strip() for f in own.group(1).split(",")) if own else (),
                    tuple(f.strip() for f in ref.group(1).split(",")) if ref else (),
                )
                named = re.search(r'@relation\(\s*(?:name:\s*)?"([^"]+)"', line)
                if named:
                    relation_names.append((field_name, named.group(1)))
        found.append(PrismaModel(name, table, fields, relations, text.count("\n", 0, match.start()) + 1, tuple(unique),
                                 tuple(relation_names), tuple(compounds)))
    return found


def add_prisma(catalog: Catalog, text: str, path: str) -> None:
    models = prisma_models(text)
    by_name = {m.name: m for m in models}
    for model in models:
        table = Table(model.table, "schema.prisma", path, model.line, model=f"prisma:{model.name}")
        for field_name, column in model.fields.items():
            table.add_column(column)
            table.attributes[field_name] = column
        table.compounds.update(model.compounds)
        for field_name, (target, collection, own, ref) in model.relations.items():
            other = by_name.get(target)
            if other is None:
                continue
            if own and ref:
                pairs = tuple((model.fields.get(a, a), other.fields.get(b, b)) for a, b in zip(own, ref))
                table.foreign_keys.extend(ForeignKey(model.fields.get(a, a), other.table.lower(), other.fields.get(b, b))
                                          for a, b in zip(own, ref))
                table.relations[field_name] = Join(other.table, pairs, collection)
            else:
                relation = dict(model.relation_names).get(field_name, "")
                peers = [(name, t, c, o) for name, (t, c, o, _r) in other.relations.items()
                         if t == model.name and name != field_name and dict(other.relation_names).get(name, "") == relation]
                back = next(((o, r) for name, (t, _c, o, r) in other.relations.items()
                             if t == model.name and o and dict(other.relation_names).get(name, "") == relation), None)
                if back is not None:
                    pairs = tuple((model.fields.get(b, b), other.fields.get(a, a)) for a, b in zip(*back))
                    table.relations[field_name] = Join(other.table, pairs, collection)
                elif collection and any(c and not o for _name, _t, c, o in peers):
                    # an implicit many-to-many (`tags Tag[]` / `articles Article[]`, or a self-relation
                    # `followedBy User[] @relation("UserFollows")` / `following User[] @relation("UserFollows")`):
                    # Prisma's own join table, `_ArticleToTag` or `_<relation name>`; column A for the model
                    # whose name sorts first (on a self-relation, for the field whose name sorts first)
                    if target == model.name:
                        peer = next(name for name, _t, c, o in peers if c and not o)
                        mine, theirs = ("A", "B") if field_name < peer else ("B", "A")
                    else:
                        mine, theirs = ("A", "B") if model.name < other.name else ("B", "A")
                    through = f"_{relation}" if relation else f"_{min(model.name, other.name)}To{max(model.name, other.name)}"
                    table.relations[field_name] = Join(other.table, (), True, through, ((model.fields.get("id", "id"), mine),),
                                                       ((theirs, other.fields.get("id", "id")),))
        catalog.add(table)
    catalog.authoritative = catalog.authoritative or bool(models)


# migrations and Drizzle, read from the IR -------------------------------------------------------
_KNEX_COLUMN_TYPES = frozenset(
    "increments bigIncrements integer bigInteger bigint tinyint smallint mediumint text string float double decimal "
    "boolean date datetime dateTime time timestamp binary enum enu json jsonb uuid specificType geometry point "
    "integer unsigned".split()
)


def add_migrations(catalog: Catalog, module: ir.ModuleIR) -> None:
    """knex ``createTable``, Sequelize ``queryInterface.createTable``/``addColumn``, Alembic
    ``op.create_table``/``op.add_column`` and Django ``migrations.CreateModel``/``AddField``."""
    bodies = [function.body for function in module.functions]
    bodies += [member.value for cls in module.classes for member in cls.fields if member.value is not None]  # Django: operations = [...]
    for body in bodies:
        for node in ir.iter_nodes(body):
            if type(node) is not ir.Call:
                continue
            method = node.short_name
            if method in ("createTable", "createTableIfNotExists"):
                _knex_or_sequelize_table(catalog, module, node)
            elif method == "create_table":
                _alembic_table(catalog, module, node)
            elif method in ("addColumn", "add_column"):
                _added_column(catalog, node)
            elif method == "CreateModel":
                _django_migration(catalog, module, node)


def _const(node) -> str:
    return node.value if type(node) is ir.Const and isinstance(node.value, str) else ""


def _knex_or_sequelize_table(catalog: Catalog, module: ir.ModuleIR, node: ir.Call) -> None:
    name = _const(node.arg(0))
    if not name:
        return
    body = node.arg(1)
    table = Table(name, "migration", module.path, node.span.line)
    if type(body) is ir.FuncRef:  # knex: (t) => { t.increments('id'); t.string('title') }
        function = module.functions[body.fid]
        for inner in ir.iter_nodes(function.body):
            if type(inner) is not ir.Call:
                continue
            column = _const(inner.arg(0))
            if inner.method in _KNEX_COLUMN_TYPES and column:
                table.add_column(column)
            elif inner.method in ("timestamps",):
                table.add_column("created_at")
                table.add_column("updated_at")
            elif inner.method == "foreign" and column:
                table.add_column(column)
            elif inner.method == "references":
                _knex_reference(table, inner)
            elif inner.method in ("specificType",) and column:
                table.add_column(column)
    elif type(body) is ir.Obj:  # Sequelize: { id: {...}, title: {...} }
        for entry in body.entries:
            if isinstance(entry.key, str):
                table.add_column(entry.key)
                if type(entry.value) is ir.Obj:
                    for option in entry.value.entries:
                        if option.key == "references" and type(option.value) is ir.Obj:
                            target = next((_const(o.value) for o in option.value.entries if o.key == "model"), "")
                            key = next((_const(o.value) for o in option.value.entries if o.key == "key"), "") or "id"
                            if target:
                                table.foreign_keys.append(ForeignKey(entry.key, target.lower(), key))
            else:
                table.closed = False
    else:
        table.closed = False
    catalog.add(table)
    catalog.authoritative = True


def _knex_reference(table: Table, call: ir.Call) -> None:
    """``t.integer('author_id').references('users.id')`` / ``.references('id').inTable('users')``."""
    target = _const(call.arg(0))
    inner = call.receiver
    while type(inner) is ir.Call and inner.method not in _KNEX_COLUMN_TYPES and inner.method != "foreign":
        inner = inner.receiver
    column = _const(inner.arg(0)) if type(inner) is ir.Call else ""
    if not column or not target:
        return
    if "." in target:
        ref_table, _, ref_column = target.partition(".")
        table.foreign_keys.append(ForeignKey(column, ref_table.lower(), ref_column))


def _alembic_table(catalog: Catalog, module: ir.ModuleIR, node: ir.Call) -> None:
    name = _const(node.arg(0))
    if not name:
        return
    table = Table(name, "Alembic migration", module.path, node.span.line)
    for arg in node.args[1:]:
        inner = arg.value
        if type(inner) is ir.Call and inner.short_name in ("Column",):
            column = _const(inner.arg(0))
            table.add_column(column)
            for item in inner.args:
                if type(item.value) is ir.Call and item.value.short_name == "ForeignKey":
                    target = _const(item.value.arg(0))
                    if "." in target:
                        ref_table, _, ref_column = target.rpartition(".")
                        table.foreign_keys.append(ForeignKey(column, ref_table.lower(), ref_column))
        elif type(inner) is ir.Call and inner.short_name == "ForeignKeyConstraint":
            own, ref = inner.arg(0), inner.arg(1)
            if type(own) is ir.Seq and type(ref) is ir.Seq and own.elts and ref.elts:
                target = _const(ref.elts[0])
                if "." in target:
                    ref_table, _, ref_column = target.rpartition(".")
                    table.foreign_keys.append(ForeignKey(_const(own.elts[0]), ref_table.lower(), ref_column))
    catalog.add(table)
    catalog.authoritative = True


def _added_column(catalog: Catalog, node: ir.Call) -> None:
    table = catalog.get(_const(node.arg(0)))
    second = node.arg(1)
    if table is None:
        return
    if type(second) is ir.Const and isinstance(second.value, str):
        table.add_column(second.value)
    elif type(second) is ir.Call and second.short_name == "Column":
        table.add_column(_const(second.arg(0)))


def _django_migration(catalog: Catalog, module: ir.ModuleIR, node: ir.Call) -> None:
    """``migrations.CreateModel(name='Article', fields=[('title', models.CharField(…)), …])`` in
    ``<app>/migrations/0001_initial.py``: table ``<app>_article`` (``options={'db_table': …}``)."""
    name = _const(node.arg(0, "name"))
    fields = node.arg(1, "fields")
    if not name or type(fields) is not ir.Seq:
        return
    parts = module.path.split("/")
    label = parts[-3] if len(parts) >= 3 and parts[-2] == "migrations" else ""
    table_name = f"{label}_{name.lower()}" if label else name.lower()
    options = node.arg(keyword="options")
    if type(options) is ir.Obj:
        table_name = next((_const(e.value) for e in options.entries if e.key == "db_table" and _const(e.value)), table_name)
    table = Table(table_name, "Django migration", module.path, node.span.line)
    for item in fields.elts:
        if type(item) is not ir.Seq or len(item.elts) != 2:
            table.closed = False
            continue
        field, kind = _const(item.elts[0]), item.elts[1]
        callee = kind.short_name if type(kind) is ir.Call else ""
        if callee == "ManyToManyField":
            continue
        column = f"{field}_id" if callee in ("ForeignKey", "OneToOneField") else field
        db_column = kind.arg(keyword="db_column") if type(kind) is ir.Call else None
        table.add_column(_const(db_column) or column)
    catalog.add(table)


_DRIZZLE_TABLES = frozenset({"pgTable", "sqliteTable", "mysqlTable"})


def add_drizzle(catalog: Catalog, module: ir.ModuleIR) -> list[tuple[str, str, str, str]]:
    """``export const articles = pgTable('articles', { authorId: integer('author_id') })``: the
    table, and ``catalog.variables[(path, 'articles')]``.  Returns the foreign keys to resolve
    once every table is known: (table, column, referenced variable, referenced attribute)."""
    references = []
    for statement in module.module.body:
        target, call = _assigned_call(statement)
        if call is None or call.short_name not in _DRIZZLE_TABLES:
            continue
        name = _const(call.arg(0))
        columns = call.arg(1)
        if not name:
            continue
        table = Table(name, "Drizzle table", module.path, call.span.line, model=f"drizzle:{module.path}:{target}")
        if type(columns) is ir.Obj:
            for entry in columns.entries:
                if not isinstance(entry.key, str):
                    table.closed = False
                    continue
                column = _drizzle_column(entry.value) or entry.key
                table.add_column(column)
                table.attributes[entry.key] = column
                reference = _drizzle_reference(module, entry.value)
                if reference is not None:
                    references.append((name, column, *reference))
        else:
            table.closed = False
        catalog.add(table)
        catalog.variables[(module.path, target)] = name
        catalog.authoritative = True
    return references


def _assigned_call(statement):
    if type(statement) is ir.Assign and statement.targets and type(statement.targets[0]) is ir.Name and type(statement.value) is ir.Call:
        return statement.targets[0].id, statement.value
    return "", None


def _drizzle_column(node) -> str:
    """``integer('author_id').notNull().references(…)`` → ``author_id``."""
    while type(node) is ir.Call and type(node.func) is ir.Attr:
        node = node.func.obj
    if type(node) is ir.Call:
        return _const(node.arg(0))
    return ""


def _drizzle_reference(module: ir.ModuleIR, node):
    """``.references(() => users.id)`` → (``users``, ``id``)."""
    while type(node) is ir.Call and type(node.func) is ir.Attr:
        if node.func.name == "references" and node.args and type(node.args[0].value) is ir.FuncRef:
            function = module.functions[node.args[0].value.fid]
            body = function.body[-1] if function.body else None
            value = body.value if type(body) is ir.Return else None
            if type(value) is ir.Attr and type(value.obj) is ir.Name:
                return value.obj.id, value.name
            return None
        node = node.func.obj
    return None


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def plural(name: str) -> str:
    """Sequelize's (inflection's) plural for the common cases: User → Users, Category → Categories."""
    lower = name.lower()
    if re.search(r"[^aeiou]y$", lower):
        return name[:-1] + ("ies" if name[-1].islower() else "IES")
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    if lower.endswith("person"):
        return name[:-6] + ("people" if name[-6].islower() else "People")
    return name + "s"


def value_string(value) -> str:
    bare = v.strip(value)
    return bare.value if type(bare) is v.Const and isinstance(bare.value, str) else ""


def variable_table(program, catalog: Catalog, path: str, name: str) -> str:
    """The table a table variable names (a Drizzle table, a SQLAlchemy Core ``Table``), here or through an import."""
    found = catalog.variables.get((path, name))
    if found:
        return found
    binding = program.binding(path, name)
    if binding is not None:
        target = program.graph.resolve_binding(path, binding)
        if target.file is not None:
            return catalog.variables.get((target.file, (target.attr or name).split(".")[-1]), "")
    return ""
