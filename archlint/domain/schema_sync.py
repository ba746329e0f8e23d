"""Schemas an ORM creates from its connection options, read from the IR.

Some Node ORMs create the tables themselves when the connection starts, with no ``sync()`` or
``create_all()`` call in the project:

* @nestjs/sequelize: ``SequelizeModule.forRoot({ autoLoadModels: true })`` (or ``forRootAsync``
  whose ``useFactory`` returns such options) registers the ``forFeature`` models and runs
  ``sequelize.sync()`` unless ``synchronize: false``.  Without ``autoLoadModels`` its connection
  factory returns the bare ``Sequelize`` and creates nothing, so ``synchronize`` alone does not count.
* TypeORM: ``new DataSource({ synchronize: true })`` / ``createConnection(…)`` and @nestjs/typeorm's
  ``TypeOrmModule.forRoot({ synchronize: true })`` create the entities' tables on ``initialize()``;
  ``migrationsRun: true`` runs the migrations there.
* Drizzle: ``migrate(db, { migrationsFolder })`` of a driver's migrator (``drizzle-orm/postgres-js/migrator``)
  applies the generated migrations.
* advanced-alchemy / Litestar (Python): ``SQLAlchemyAsyncConfig(create_all=True, metadata=…)`` creates the
  tables when the plugin starts.

A flag that is not a constant (``synchronize: process.env.NODE_ENV !== 'production'``) may be on, so
it counts: AL304 and the database verdict must not claim that nothing creates the schema.

:func:`untyped_schema_calls` is the one definition, shared by AL304 and the database verdict, of a
schema-creating call whose receiver the data layer did not type (a typed one is an access of
category ``schema``): ``create_all`` by its method name (``Base.metadata.create_all(engine)``,
``db.create_all()``) or passed as a reference (``conn.run_sync(Base.metadata.create_all)``), and a
schema method of an object reached through a holder the typing does not follow
(``DI.orm.schema.updateSchema()``, ``orm.getSchemaGenerator().createSchema()``) — the holders and
their schema methods are access.toml's ``derived`` kinds.  A method named like one of those on
anything else (``glob.sync()``, ``mkdirp.sync()``, ``fs.readFileSync()``, ``create_all_users()``)
creates no tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

from archlint.domain import ir
from archlint.domain.arguments import ir_call
from archlint.domain.knowledge import Knowledge, module_matches

@dataclass(frozen=True, slots=True)
class SchemaCalls:
    """The calls that create a schema when the app starts, from the knowledge (``orms.toml``:
    ``autoload_sync``, ``synchronize_options``, ``schema_migrators``; ``frameworks.toml``:
    advanced-alchemy's ``plugin_configs`` / ``plugin_modules``)."""
    autoload_sync: frozenset  # Sequelize connections syncing the models with `autoLoadModels: true`
    synchronize_options: frozenset  # TypeORM connections creating the tables with `synchronize: true`
    migrators: tuple  # `module:export` patterns (`*` any module path part) applying migrations on start
    node_modules: tuple  # the JS modules those come from: only files importing one are lowered
    plugin_configs: frozenset  # advanced-alchemy's configs taking `create_all=True`
    plugin_modules: tuple
    flags: tuple  # Python `(module.Name pattern, keyword)`: start-up calls creating the tables with the keyword on
    calls: tuple  # Python `module.Name` patterns of calls creating the tables outright
    python_modules: tuple  # the Python modules those come from: only files importing one are lowered


def schema_calls_known(knowledge: Knowledge) -> SchemaCalls:
    built = knowledge.derived.get("schema_sync")
    if built is None or built[0] != len(knowledge.entries):
        orms = knowledge.of_kind("orm")
        frameworks = knowledge.of_kind("framework")
        autoload = frozenset(c for e in orms for c in e.extra.get("autoload_sync", ()))
        synchronize = frozenset(c for e in orms for c in e.extra.get("synchronize_options", ()))
        migrators = tuple(m for e in orms for m in e.extra.get("schema_migrators", ()))
        modules = {target.split(":", 1)[0] for target in autoload | synchronize}
        modules |= {pattern.split(":", 1)[0].split("/*", 1)[0] for pattern in migrators}
        flags = tuple(sorted((pattern, keyword) for e in orms for pattern, keyword in e.extra.get("schema_flags", {}).items()))
        calls = tuple(sorted(c for e in orms for c in e.extra.get("schema_calls", ())))
        plugin_modules = tuple(m for f in frameworks for m in f.extra.get("plugin_modules", ()))
        python_modules = {pattern.split(".*", 1)[0].split(".", 1)[0] for pattern, _ in flags} | {c.split(".", 1)[0] for c in calls}
        built = knowledge.derived["schema_sync"] = (len(knowledge.entries), SchemaCalls(
            autoload, synchronize, migrators, tuple(sorted(modules)),
            frozenset(c for f in frameworks for c in f.extra.get("plugin_configs", ())),
            plugin_modules, flags, calls, tuple(sorted(set(plugin_modules) | python_modules))))
    return built[1]


def synchronising_calls(module: ir.ModuleIR, known: SchemaCalls, options_named=None) -> list[tuple[ir.Span, str]]:
    """``(span, what)`` of every call in ``module`` whose options make the ORM create the schema
    when the connection starts (class decorators included: NestJS ``@Module({ imports: […] })``);
    ``known``: which calls those are (:func:`schema_calls_known`); ``options_named(name)``: the object
    literal a module-level name holds, also one imported from a config module
    (``TypeOrmModule.forRoot(typeOrmConfig)``), else ``None``."""
    if module.language == "python":
        return _python_synchronising_calls(module, known)
    decorators = tuple(decorator for cls in module.classes for decorator in cls.decorators)
    found = []
    for block in [decorators] + [function.body for function in module.functions]:
        for call in ir.calls_in(block):
            target = _target(module, call.func)
            if _migrator(target, known.migrators):
                found.append((call.span, f"{target.split(':', 1)[1]}(db, {{ migrationsFolder }})"))
                continue
            if target not in known.autoload_sync and target not in known.synchronize_options:
                continue
            options = call.arg(0)
            if type(options) is ir.Name and options_named is not None:
                options = options_named(options.id)
            if target.endswith("forRootAsync"):
                options = _returned_object(module, _entry(options, "useFactory"), options_named)
            if type(options) is not ir.Obj:
                continue
            if target in known.autoload_sync:
                if _maybe_on(_entry(options, "autoLoadModels")) and not _off(_entry(options, "synchronize")):
                    found.append((call.span, f"{target.split(':', 1)[1]}({{ autoLoadModels: true }})"))
            elif _maybe_on(_entry(options, "synchronize")):
                found.append((call.span, f"{target.split(':', 1)[1]}({{ synchronize: true }})"))
            elif _maybe_on(_entry(options, "migrationsRun")):
                found.append((call.span, f"{target.split(':', 1)[1]}({{ migrationsRun: true }})"))
    return found


def _python_synchronising_calls(module: ir.ModuleIR, known: SchemaCalls) -> list[tuple[ir.Span, str]]:
    """advanced-alchemy's (and Litestar's re-exported) plugin configs: ``SQLAlchemyAsyncConfig(create_all=True,
    metadata=Base.metadata)`` runs ``metadata.create_all`` when the application starts; an ORM's start-up call with its
    schema keyword on (``register_tortoise(app, …, generate_schemas=True)``, orms.toml ``schema_flags``) or a call
    creating the tables outright (``await Tortoise.generate_schemas()``, ``schema_calls``)."""
    found = []
    for function in module.functions:
        for call in ir.calls_in(function.body):
            target = _target(module, call.func).replace(":", ".")
            head, _, name = target.rpartition(".")
            if name in known.plugin_configs and head.startswith(known.plugin_modules) and _maybe_on(call.arg(keyword="create_all")):
                found.append((call.span, f"{name}(create_all=True)"))
                continue
            if not target:
                continue
            keyword = next((k for pattern, k in known.flags if dotted_match(target, pattern)), None)
            if keyword is not None and _maybe_on(call.arg(keyword=keyword)):
                found.append((call.span, f"{name}({keyword}=True)"))
            elif any(dotted_match(target, pattern) for pattern in known.calls):
                found.append((call.span, f"{name}()"))
    return found


def dotted_match(target: str, pattern: str) -> bool:
    """``target`` (``tortoise.contrib.fastapi.register_tortoise``) is ``pattern`` segment by segment, a ``*`` standing
    for one dotted segment or part of one (``tortoise.contrib.*.register_tortoise``): fnmatch's ``*`` alone would
    span dots, and take ``tortoise.contrib.fastapi.helpers.register_tortoise`` for the integration."""
    parts, wanted = target.split("."), pattern.split(".")
    return len(parts) == len(wanted) and all(fnmatchcase(part, glob) for part, glob in zip(parts, wanted))


def _migrator(target: str, patterns: tuple) -> bool:
    """``target`` is one of the migrator patterns (``drizzle-orm/*/migrator:migrate``, ``*`` any module path part —
    several, too: ``drizzle-orm/aws-data-api/pg/migrator`` is one of drizzle's migrators)."""
    return any(fnmatchcase(target, pattern) for pattern in patterns)


def _target(module: ir.ModuleIR, func) -> str:
    """``module:Name.attr`` of a callee through the file's import bindings, else ``""``."""
    if type(func) is ir.Name:
        return module.binding(func.id) or ""
    if type(func) is ir.Attr and type(func.obj) is ir.Name:
        bound = module.binding(func.obj.id)
        return f"{bound}.{func.name}" if bound else ""
    return ""


def _entry(obj, key: str):
    """The value of ``key`` in an object literal (the last one wins, as in JS), else ``None``."""
    found = None
    for entry in obj.entries if type(obj) is ir.Obj else ():
        if entry.key == key:
            found = entry.value
    return found


def _returned_object(module: ir.ModuleIR, factory, options_named=None):
    """The object literal a factory (``useFactory: (config) => ({ … })``) returns, or the one a module-level
    or imported name it returns holds (``useFactory: () => typeOrmConfig``)."""
    if type(factory) is not ir.FuncRef or not 0 <= factory.fid < len(module.functions):
        return None
    function = module.functions[factory.fid]
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Return and type(node.value) is ir.Obj:
            return node.value
        if (type(node) is ir.Return and type(node.value) is ir.Name and options_named is not None
                and function.scope_of(node.value.id) == "outer"):
            return options_named(node.value.id)
    return None


def _maybe_on(node) -> bool:
    """A flag that is present and not a falsy constant."""
    return node is not None and not _off(node)


def _off(node) -> bool:
    return type(node) is ir.Const and not node.value


def synchronised_schemas(files, graph, wanted, knowledge: Knowledge) -> list[tuple[str, ir.Span, str]]:
    """``(path, span, what)`` of the synchronising calls in the files ``wanted`` accepts — only
    files importing one of the modules of those calls (or the plugins' modules) are lowered (their IR
    is usually built already)."""
    found = []
    known = schema_calls_known(knowledge)
    for path in sorted(files):
        facts = files[path]
        if not facts.parsed or not wanted(path):
            continue
        modules = known.python_modules if facts.language == "python" else known.node_modules
        if not any(edge.external and module_matches(edge.target, m) for edge in graph.out_edges(path) for m in modules):
            continue
        module = facts.ir
        if module is not None:
            named = (lambda name, path=path, module=module: _options_object(files, graph, path, module, name))
            found.extend((path, span, what) for span, what in synchronising_calls(module, known, named))
    return found


def _options_object(files, graph, path: str, module: ir.ModuleIR, name: str):
    """The object literal ``name`` holds at the top level of ``module`` — or, imported, at the top
    level of the project module that exports it (``export const typeOrmConfig: TypeOrmModuleOptions =
    { …, synchronize: true }`` in ``config/typeorm.config.ts``).  ``None`` when it is anything else."""
    found = _module_object(module, name)
    if found is not None:
        return found
    binding = module.binding(name)
    if not binding:
        return None
    resolved = graph.resolve_binding(path, binding)
    other = files.get(resolved.file) if resolved.file is not None and resolved.attr and "." not in resolved.attr else None
    if other is None or other.ir is None or other.language == "python":
        return None
    return _module_object(other.ir, resolved.attr)


def _module_object(module: ir.ModuleIR, name: str):
    """The object literal a module-level ``const name = { … }`` (or ``export default``-less export) assigns."""
    found = None
    for statement in module.module.body:
        if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets):
            found = statement.value if type(statement.value) is ir.Obj else None
    if found is None:
        for export in module.exports:
            if export.name == name and type(export.value) is ir.Obj:
                found = export.value
    return found


# Schema-creating calls on untyped receivers ---------------------------------------------------------
_CREATE_ALL = "create_all"  # SQLAlchemy's MetaData.create_all / Flask-SQLAlchemy's db.create_all


def schema_holders(knowledge: Knowledge) -> dict[str, frozenset[str]]:
    """Attribute or getter -> the schema methods of the object kind it derives (access.toml
    ``derived`` and ``categories``): ``schema``/``getSchemaGenerator`` -> ``createSchema``, …,
    ``migrator``/``getMigrator`` -> ``up``, knex's ``schema`` -> ``createTable``, ``migrate`` -> ``latest``."""
    holders: dict[str, frozenset[str]] = {}
    for spec in knowledge.access:
        for key, kind in spec.derived.items():
            methods = frozenset(m for m in spec.methods.get(kind, ()) if spec.categories.get(m) == "schema")
            if methods:
                attr = key.rsplit(".", 1)[-1]
                holders[attr] = holders.get(attr, frozenset()) | methods
    return holders


def creates_schema(call: ir.Call, holders: dict[str, frozenset[str]]) -> bool:
    """Whether ``call`` creates the schema whatever its receiver (see the module docstring)."""
    func = call.func
    if type(func) is ir.Name and func.id == _CREATE_ALL or call.method == _CREATE_ALL:
        return True
    if any(_names_create_all(arg.value) for arg in call.args):
        return True  # conn.run_sync(Base.metadata.create_all) / run_in_executor(None, metadata.create_all, engine)
    receiver = call.receiver
    holder = receiver.name if type(receiver) is ir.Attr else receiver.method if type(receiver) is ir.Call else ""
    return call.method in holders.get(holder, ())


def _names_create_all(expr) -> bool:
    """``create_all`` / ``Base.metadata.create_all``: a reference, not a call (a call made in an
    argument, ``run_sync(lambda c: metadata.create_all(c))``, is a call of its own)."""
    if type(expr) is ir.Name:
        return expr.id == _CREATE_ALL
    if type(expr) is not ir.Attr or expr.name != _CREATE_ALL:
        return False
    while type(expr) is ir.Attr:
        expr = expr.obj
    return type(expr) is ir.Name


def untyped_schema_calls(files, paths, knowledge: Knowledge) -> Iterator[tuple[str, object]]:
    """``(path, call site)`` of every schema-creating call (:func:`creates_schema`) in the files
    ``paths``, in path and source order.  The facts' call sites say which calls may be one (the
    callee's last name, or an argument naming ``create_all``); only those are read on the IR, so a
    file with none is never lowered for it."""
    holders = schema_holders(knowledge)
    methods = {_CREATE_ALL}.union(*holders.values())
    for path in sorted(paths):
        facts = files[path]
        for site in facts.calls:
            if site.callee.rpartition(".")[2] not in methods and not any(
                    argument.text.rpartition(".")[2] == _CREATE_ALL for argument in site.arguments()):
                continue
            node = ir_call(facts, site)
            if node is not None and creates_schema(node, holders):
                yield path, site


# Start commands ------------------------------------------------------------------------------------
def schema_command(knowledge: Knowledge, command: str) -> bool:
    """Whether a start command (a shell line, not code: there is no IR to read) creates the schema:
    it runs a migration tool or create_all()/sync() (orms.toml ``[[schema_command]]``)."""
    patterns = tuple(p for entry in knowledge.of_kind("schema_command") for p in entry.extra.get("patterns", ()))
    return bool(patterns) and _command_pattern(patterns).search(command) is not None


@lru_cache(maxsize=4)
def _command_pattern(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
