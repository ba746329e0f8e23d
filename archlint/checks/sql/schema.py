"""The project's schema, as far as the facts show it, and AL411/AL412 against it.

Tables and columns come from the ORM models the data layer found (SQLAlchemy ``__tablename__``
and mapped columns, Sequelize ``define``/``init`` with ``tableName``), SQLAlchemy Core
``Table("name", metadata, Column("x", …))``, migration calls (``op.create_table``,
``queryInterface.createTable``) and DDL in string literals (``CREATE TABLE``/``VIEW``,
``ALTER TABLE … ADD COLUMN``).  sqlglot's ``qualify`` reports unknown columns but not unknown
tables (reference §4.1), and costs ~0.6 ms a statement, so the walk is done here directly.

A name is only "unknown" against a *closed* schema: any ``.sql`` / ``.prisma`` file (unreadable
by checks), a Django model (``db_table`` is not in the facts) or reflection
(``autoload_with``, ``metadata.reflect``) opens it, and the rules stay silent.  When the schema
is only ORM models (no DDL, no migrations), tables the app leaves to someone else are common, so
an unknown table is reported only as a near miss of a known one (``user`` for ``users``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlglot import exp

from archlint.checks.sql.analysis import Prepared, PreparedStatement
from archlint.checks.sql.parser import parse
from archlint.checks.sql.statement_rules import Issue, identifier_offset
from archlint.domain import ir
from archlint.domain.arguments import argument_nodes, ir_call
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import Model
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.orm_models import columns_fully_declared
from archlint.domain.facts import FileFacts
from archlint.domain.sql.catalog_tables import catalog_pattern
from archlint.domain.sql.lexer import decode_escapes, has_sentinel, mask, split_statements
from archlint.semantics.options import Option
from archlint.semantics.tables import looks_like_ddl

# `CREATE VIRTUAL TABLE main_document USING fts5(…)` (SQLite) defines a table too: its columns stay unknown
_DDL_NAME = lazy_compile(r"CREATE\s+(?:(?:TEMP\w*|VIRTUAL)\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[]?(\w+)", re.IGNORECASE)
_ADD_COLUMN = lazy_compile(r"ALTER\s+TABLE\s+[\"`]?(\w+)[\"`]?\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?[\"`]?(\w+)", re.IGNORECASE)
# Reflection (see _reflects): automap_base(), declarative_base(cls=DeferredReflection)
_REFLECTING = frozenset({"automap_base", "DeferredReflection"})
# Oracle's data dictionary (`select SUM(bytes) from dba_segments`, `user_tab_columns`) is a catalog like pg_*
_SYSTEM_TABLE = catalog_pattern(r"__\w+")  # and double-underscore internals
_IMPLICIT_COLUMNS = frozenset({"rowid", "oid", "_rowid_", "ctid", "excluded", "true", "false"})
_CLAUSE_TYPES = (exp.Select, exp.Insert, exp.Update, exp.Delete, exp.Union)


@dataclass(slots=True)
class Schema:
    """The tables and columns a project's SQL may name."""
    tables: dict[str, set[str] | None] = field(default_factory=dict)  # None: columns unknown
    sources: set[str] = field(default_factory=set)
    closed: bool = True
    authoritative: bool = False  # the project writes its schema itself (DDL strings, migrations)

    def add(self, table: str, columns: Iterable[str] | None, source: str) -> None:
        table = table.lower()
        self.sources.add(source)
        if columns is None:
            self.tables.setdefault(table, None)
            return
        known = self.tables.get(table)
        if table in self.tables and known is None:
            return  # another source saw the table without its columns: stay unsure
        self.tables[table] = (known or set()) | {c.lower() for c in columns}

    @property
    def usable(self) -> bool:
        return self.closed and bool(self.tables)


def build_schema(ctx: CheckContext, paths: list[str], dialect: str, project: str = "", catalog=None) -> Schema:
    """The tables of one project (its models, DDL and migrations; never a sibling project's).
    ``catalog`` (``archlint/semantics/tables.py``) adds what only the semantic model reads: tables
    of ``.sql``/``schema.prisma`` files, knex/Sequelize/Alembic/Django migrations with their
    columns, Drizzle tables."""
    schema = Schema()
    projects = ctx.projects
    read = catalog is not None and catalog.closed  # every .sql/.prisma text parsed into the catalog
    if not read and any(p.endswith((".sql", ".prisma")) and projects.sees(project, p) for p in ctx.manifest.files):
        schema.closed = False
    if catalog is not None and not catalog.closed:
        schema.closed = False
    models = {name: m for name, m in ctx.datalayer.models.items() if projects.of(m.path) == project}
    mapped: set[str] = set()  # SQLAlchemy models the catalog maps: their columns come from there
    if read:
        sqlalchemy = {_key(m) for m in models.values() if m.stack == "sqlalchemy"}
        for table in catalog.tables.values():
            if table.model and not table.model.startswith(("prisma:", "drizzle:")):
                if table.model not in sqlalchemy:
                    continue  # other ORMs' models: the facts below judge them as before
                # the catalog follows the class's project bases, a declarative base's own columns
                # included (prefect's `Base(DeclarativeBase)` declares `id` and `created` for every model)
                mapped.add(table.model)
            schema.add(table.name, list(table.columns.values()) if table.closed and table.columns else None, table.source)
        schema.authoritative = schema.authoritative or catalog.authoritative
    if any(m.stack not in ("sqlalchemy", "sequelize") for m in models.values()):
        schema.closed = False
    for model in models.values():
        if _key(model) not in mapped:
            _model_table(ctx, model, schema)
    for path in paths:
        facts = ctx.files[path]
        _calls(facts, schema)
        for literal in facts.strings:
            if looks_like_ddl(literal.text):
                _ddl(decode_escapes(literal.text), dialect, schema, "DDL")
    return schema


def _key(model: Model) -> str:
    """The semantic model's key of a facts model (``semantics/schema.py``: ``path:Name``)."""
    return f"{model.path}:{model.name}"


def _model_table(ctx: CheckContext, model: Model, schema: Schema) -> None:
    facts = ctx.files[model.path]
    if model.stack == "sqlalchemy":
        table = model.table or _snake(model.name)
        columns = _sqlalchemy_columns(facts, model) if columns_fully_declared(facts, model) else None
        schema.add(table, columns, "SQLAlchemy models")
    elif model.stack == "sequelize":
        option = _sequelize_table(ctx, model)
        names = [option] if option else [model.name, _plural(model.name)]
        names += [f.options["through"] for f in model.fields.values() if f.kind == "association" and f.options.get("through")]
        for name in names:
            schema.add(name, None, "Sequelize models")


def _sqlalchemy_columns(facts: FileFacts, model: Model) -> list[str]:
    """The model's columns: its mapped attributes, plus the database name a column is given as the
    first argument (``body = Column("body_text", Text)`` / ``db.Column(…)`` / ``mapped_column(…)``),
    read from the class's IR fields."""
    columns = [name for name, f in model.fields.items() if f.kind == "column" and not name.startswith("_")]
    module = facts.ir
    for cls in module.classes if module is not None else ():
        if cls.name != model.name or cls.parent != 0:
            continue
        for field in cls.fields:
            value = field.value
            if type(value) is not ir.Call:
                continue
            called = value.short_name
            first = value.arg(0)
            if called in ("Column", "mapped_column") and type(first) is ir.Const and isinstance(first.value, str):
                columns.append(first.value)
    return columns



def _sequelize_table(ctx: CheckContext, model: Model) -> str:
    """The table of a Sequelize model as its options name it: ``tableName: 'x'``, else the model's
    name under ``freezeTableName: true`` (options of ``sequelize.define(name, attributes, options)``
    / ``Model.init(attributes, options)``, read from the IR and the values), else ``""``."""
    program = ctx.program
    facts = ctx.files.get(model.path)
    module = facts.ir if facts is not None and program is not None else None
    if module is None:
        return ""
    for function in module.functions:
        # `static initialize(sequelize) { this.init(attributes, { tableName }) }` in the model's own class
        own = function.is_static and 0 <= function.cls < len(module.classes) and module.classes[function.cls].name == model.name
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.Call:
                continue
            if node.span == model.span and node.method == "define":
                index = 2
            elif node.method in ("init", "initialize") and type(node.receiver) is ir.Name and (
                    node.receiver.id == model.name or (own and node.receiver.id == "this")):
                index = 1
            else:
                continue
            record = program.call_record(model.path, node.span)
            options = Option.argument(node, record.args if record is not None else (), index)
            if options is None:
                continue
            table = options.get("tableName")
            if table is not None and table.string:
                return table.string
            frozen = options.get("freezeTableName")
            if frozen is not None and frozen.is_true():
                return model.name
    return ""


def _calls(facts: FileFacts, schema: Schema) -> None:
    nodes = None
    may_reflect = _may_reflect(facts)
    for call in facts.calls:
        if schema.closed and _reflects(facts, call, may_reflect):
            schema.closed = False  # only ever opens the schema: a mention is enough
        last = call.callee.rsplit(".", 1)[-1]
        migration = last in ("create_table", "createTable")
        core = last == "Table" and (call.resolved or "").replace(":", ".").startswith("sqlalchemy")
        if not (migration or core):
            continue
        if nodes is None:  # the file's IR, built for the first table call only
            module = facts.ir
            nodes = {} if module is None else {
                n.span: n for function in module.functions for n in ir.iter_nodes(function.body) if type(n) is ir.Call}
        node = nodes.get(call.span)
        first = node.arg(0) if node is not None else None
        if type(first) is ir.Template and not first.holes and first.tag is None:
            name = first.strings[0] if first.strings else ""  # createTable(`users`)
        else:
            name = first.value if type(first) is ir.Const and isinstance(first.value, str) else ""
        if not name.isidentifier():
            continue
        if migration:
            schema.add(name, None, "migrations")
            schema.authoritative = True
        else:
            schema.add(name, _core_columns(node), "SQLAlchemy tables")


def _reflects(facts: FileFacts, call, may_reflect: bool) -> bool:
    """Whether the call site reflects tables from the database: ``automap_base()``,
    ``Table("t", metadata, autoload_with=engine)``, or an argument that is or calls one
    (``declarative_base(cls=DeferredReflection)``, ``run_sync(lambda c: metadata.reflect(c))``).
    A migration's own ``meta_data.reflect(connection)`` reads tables the migrations made: it does
    not open the schema.  ``may_reflect`` (:func:`_may_reflect`) spares files that name no
    reflection the IR."""
    parts = call.callee.split(".")
    if any(part.removesuffix("()") in _REFLECTING for part in parts):
        return True  # automap_base(), DeferredReflection.prepare(engine)
    if parts[-1] == "Table":
        node = ir_call(facts, call)
        if node is not None and node.arg(keyword="autoload_with") is not None:
            return True
    if not may_reflect:
        return False
    for node in argument_nodes(facts, call):
        kind = type(node)
        if kind is ir.Name and node.id in _REFLECTING or kind is ir.Attr and node.name in _REFLECTING:
            return True
        if kind is ir.Call and node.method == "reflect":
            return True
    return False


def _may_reflect(facts: FileFacts) -> bool:
    """Whether an argument in the file can refer to reflection, from the body facts: it imports
    ``automap_base`` / ``DeferredReflection`` or calls a ``….reflect`` (a lambda's calls are call
    sites too)."""
    return any(b.target.rsplit(":", 1)[-1].rsplit(".", 1)[-1] in _REFLECTING for b in facts.bindings) or any(
        c.callee.rsplit(".", 1)[-1] == "reflect" for c in facts.calls)


def _core_columns(table: ir.Call) -> list[str]:
    """``Table("users", metadata, Column("id", …), sa.Column("name", …))``: the columns' names."""
    columns = []
    for arg in table.args:
        value = arg.value
        if arg.kind != "pos" or type(value) is not ir.Call:
            continue
        called = value.short_name
        first = value.arg(0)
        if called == "Column" and type(first) is ir.Const and isinstance(first.value, str):
            columns.append(first.value)
    return columns


def _ddl(text: str, dialect: str, schema: Schema, source: str) -> None:
    masked = mask(text)
    for statement in split_statements(text, masked):
        added = _ADD_COLUMN.search(statement.masked)
        if added:
            table = added.group(1).lower()
            if schema.tables.get(table) is not None:
                schema.tables[table].add(added.group(2).lower())  # type: ignore[union-attr]
            continue
        name = _DDL_NAME.search(statement.masked)
        if name is None:
            continue
        schema.authoritative = True
        tree = parse(statement.text.replace("?", "NULL"), dialect).tree
        if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Schema):
            columns = [c.name for c in tree.this.expressions if isinstance(c, exp.ColumnDef)]
            schema.add(tree.this.this.name, columns, source)
        else:
            schema.add(name.group(1), None, source)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plural(name: str) -> str:
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    return name + "s"


# AL411 / AL412 -------------------------------------------------------------------------------------------


def check_names(prepared: Prepared, item: PreparedStatement, schema: Schema) -> Iterator[Issue]:
    tree = item.tree
    if tree is None or not schema.usable or not isinstance(tree, _CLAUSE_TYPES):
        return
    ctes = {cte.alias.lower() for cte in tree.find_all(exp.CTE)}
    aliases: dict[str, str] = {}
    unknown = False
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or (table.db and table.db.lower() not in ("public", "main")):
            continue
        name = table.name.lower()
        aliases[(table.alias or table.name).lower()] = name
        if name in ctes or name in schema.tables or _SYSTEM_TABLE.match(name):
            continue
        if has_sentinel(name):
            continue  # a name built from an interpolation hole (``{prefix}users``): not a table we can know
        if not schema.authoritative and not difflib.get_close_matches(name, list(schema.tables), n=1, cutoff=0.8):
            continue
        unknown = True
        yield _unknown_table(prepared, item, table, schema)
    if not unknown:
        yield from _unknown_columns(prepared, item, tree, aliases, schema)


def _unknown_table(prepared: Prepared, item: PreparedStatement, table: exp.Table, schema: Schema) -> Issue:
    position = identifier_offset(item, table) or (0, 1)
    dialect = prepared.dialect
    outcome = dialect.says("unknown_table", table.name) if dialect is not None else "a 'no such table' error"
    sources = ", ".join(sorted(schema.sources))
    message = f"table `{table.name}` is not in the schema this project defines ({sources}): the query fails with {outcome}"
    return Issue("AL411", position[0], position[1], message, _suggest(table.name, schema.tables, "table"))


def _unknown_columns(prepared, item, tree, aliases: dict[str, str], schema: Schema) -> Iterator[Issue]:
    # a row source other than a table (`FROM alerts, UNNEST(tags) tag`, `jsonb_each(…)`, `LATERAL (…)`) brings
    # columns of its own, which an unqualified column may name: judged like a nested query's
    nested = any(True for _ in tree.find_all(exp.Subquery, exp.CTE, exp.Union, exp.Unnest, exp.Lateral)) or any(
        not isinstance(table.this, exp.Identifier) for table in tree.find_all(exp.Table))
    projected = {p.alias.lower() for s in tree.find_all(exp.Select) for p in s.expressions if p.alias}
    tables = set(aliases.values())
    for column, table in _columns(tree, aliases, nested, tables):
        columns = schema.tables.get(table)
        name = column.name.lower()
        if columns is None or name in columns or name in projected or name in _IMPLICIT_COLUMNS or name.startswith("__"):
            continue
        position = identifier_offset(item, column) or (0, 1)
        dialect = prepared.dialect
        outcome = dialect.says("unknown_column", column.name) if dialect is not None else "a 'no such column' error"
        quoted = dialect.says("quoted_unknown_column", column.name) if dialect is not None and _double_quoted(item, position) else ""
        if quoted:  # DELETE FROM block_type WHERE name = "Debug Print Notification" on SQLite
            message = f"`\"{column.name}\"` is not a column of `{table}` — {quoted}"
            guidance = f"Write the string with single quotes ('{column.name}') or, better, pass it as a bound parameter."
        else:
            message = f"column `{column.name}` does not exist in `{table}`: the query fails with {outcome}"
            guidance = _suggest(column.name, {c: None for c in columns}, f"column of `{table}`")
        yield Issue("AL412", position[0], position[1], message, guidance)
        return


def _double_quoted(item: PreparedStatement, position: tuple[int, int]) -> bool:
    """Whether the identifier at ``position`` is written in double quotes in the statement."""
    text, start = item.statement.text, position[0]
    return 0 <= start < len(text) and text[start] == '"'


def _columns(tree, aliases: dict[str, str], nested: bool, tables: set[str]):
    if isinstance(tree, exp.Insert) and isinstance(tree.this, exp.Schema):
        target = tree.this.this.name.lower()
        for identifier in tree.this.expressions:
            if isinstance(identifier, exp.Identifier):
                yield identifier, target
    for column in tree.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            continue
        qualifier = column.table.lower()
        if qualifier:
            if qualifier in aliases:
                yield column, aliases[qualifier]
        elif not nested and len(tables) == 1:
            yield column, next(iter(tables))


def _suggest(name: str, known: dict, what: str) -> str:
    close = difflib.get_close_matches(name.lower(), list(known), n=1)
    listing = ", ".join(sorted(known)[:12])
    hint = f"Did you mean `{close[0]}`? " if close else ""
    return f"{hint}Use an existing {what} ({listing}), or add the missing one to the models / migrations first."
