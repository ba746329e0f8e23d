"""db-access rules: AL301 DB access outside the data-access layer, AL302 DB client created per
call, AL303 two data-access stacks, AL304 schema never created.

All four read the data layer computed from the facts (typed receivers, access sites, models);
none of them looks at imports, which is exactly why they catch what import rules miss.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from archlint.checks.schema_startup import Site, never_run, schema_calls, where_to_create
from archlint.domain.schema_sync import schema_command, schema_holders, synchronised_schemas, untyped_schema_calls
from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import Construct, DbAccess, access_owner, non_production
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches
from archlint.domain.records import NamedTuple


class Known(NamedTuple):
    """The names of ``reader = "checks.db_access"`` in ``rules/knowledge/access.toml`` and ``drivers.toml``
    (explained there); the raw drivers are the ``[[driver]]`` entries of drivers.toml."""

    pool_owners: frozenset  # handle kinds that own a connection pool (AL302)
    poolless_drivers: frozenset  # driver modules that open none (AL302: built per request at no cost)


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def _names(knowledge) -> Known:
    return knowledge.view("checks.db_access", _known)


# SQL's schema statements (the language's, not a library's): a string starting with one is set-up, not a query
_DDL_VERBS = frozenset({"CREATE", "ALTER", "DROP", "PRAGMA"})
_RAW_THROUGH_ORM = {
    "sqlalchemy": "the session: `session.execute(text(\"…\"), params)`",
    "sequelize": "`sequelize.query(sql, { replacements, type: QueryTypes.SELECT })`",
    "objection": "`Model.knex().raw(sql, bindings)`",
    "django": "`Model.objects.raw(sql, params)` or `connection.cursor()`",
    "prisma": "`prisma.$queryRaw` tagged templates",
    "knex": "`knex.raw(sql, bindings)`",
    "kysely": "a Kysely sql`…` template run with `.execute(db)` (its holes bound)",
    "bookshelf": "`bookshelf.knex.raw(sql, bindings)`",
    "typeorm": "`dataSource.query(sql, params)`",
}
_STACK_NAMES = {"sqlalchemy": "SQLAlchemy", "django": "the Django ORM", "sequelize": "Sequelize", "prisma": "Prisma",
                "typeorm": "TypeORM", "knex": "Knex", "drizzle": "Drizzle", "kysely": "Kysely", "objection": "Objection.js",
                "bookshelf": "Bookshelf"}


def check(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    if not data.analysed:
        return
    yield from _outside_data_layer(ctx, data.accesses)
    yield from _per_call_clients(ctx, data.constructs)
    yield from _mixed_stacks(ctx, data.accesses)
    yield from _schema_never_created(ctx)


# AL301 ------------------------------------------------------------------------------------------
def _outside_data_layer(ctx: CheckContext, accesses: list[DbAccess]) -> Iterator[Finding]:
    architecture = ctx.architecture
    if architecture is None:
        return
    data_layers = [layer for layer in architecture.layers if layer.data_access]
    if not data_layers:
        return
    names = " / ".join(layer.name for layer in data_layers)
    reported: set[tuple[str, int, int]] = set()
    # advanced-alchemy repositories and services are the project's own data-layer classes (a subclass per
    # model, semantics.toml `bound_models`): calling one is going through that layer, not around it
    project_layer = {(stack, kind) for stack, table in ctx.knowledge.semantics.items() for kind in table.get("bound_models", {})}
    for access in accesses:
        position = (access.path, access.span.line, access.span.column)
        if position in reported or (access.stack, access.kind) in project_layer:
            continue  # conn.execute(...).fetchone(): one statement, one finding
        if project_layer and _in_bound_class(ctx, access):
            continue  # a method of an advanced-alchemy service: `self.repository.session.execute(…)` is that layer
        if access.category not in ("query", "write") or non_production(access.path):
            continue
        owner = access_owner(access.flags)
        if owner and _data_access_file(ctx, architecture, owner):
            continue  # `this.articles.find()` on a project repository class: a call into the repositories layer
        layer = ctx.layer(access.path)
        if _data_access_file(ctx, architecture, access.path):
            continue
        if layer is None:
            if access.path not in ctx.composition_roots or _is_ddl(ctx, access):
                continue  # unlayered helpers are judged by the transitive layer rules
            where = "a composition root"
        else:
            where = f"the {layer.name} layer"
        kind = access.kind.replace("_", " ")  # prisma_model -> model, prisma -> client (not "prisma prisma_model")
        kind = kind[len(access.stack):].strip() or "client" if kind.startswith(access.stack) else kind
        what = f"{access.stack} {kind}"
        message = (
            f"DB access in {where}: `{access.callee}(…)` {_verb(access)} through the {what} directly, "
            f"bypassing the {names} layer; queries spread into handlers cannot be reused, tested or kept in one transaction"
        )
        guidance = (
            f"Move this {access.category} into a function of the {names} layer and call that function "
            f"{'through the services layer' if layer is not None and layer.name == 'routes' else 'from here'}."
        )
        reported.add(position)
        yield ctx.registry.finding("AL301", access.path, access.span, message, guidance)


def _data_access_file(ctx: CheckContext, architecture, path: str) -> bool:
    """A file of the data-access layer, or one its own name or innermost directory puts there below the
    layer it sits in (Ghost's ``services/offers/OfferBookshelfRepository.js``)."""
    layer = ctx.layer(path)
    if layer is not None and layer.data_access:
        return True
    nested = architecture.nested_layer(path) if layer is not None else architecture.stated_layer(path)
    return nested is not None and nested.data_access


def _verb(access: DbAccess) -> str:
    return {"write": "writes to the database", "query": "queries the database"}.get(access.category, "talks to the database")


def _is_ddl(ctx: CheckContext, access: DbAccess) -> bool:
    """``conn.execute("CREATE TABLE …")`` in an entry point is schema set-up, not a query: the first
    argument is a string (a literal, a template's leading text, or a constant it names) that starts
    with a DDL verb."""
    program = ctx.program
    record = program.call_record(access.path, access.span) if program is not None else None
    if record is None:
        return False
    from archlint.semantics.options import Option

    first = Option.argument(record.node, record.args, 0)
    if first is None:
        return False
    text = first.string
    if text is None and type(first.node) is ir.Template and first.node.strings:
        text = first.node.strings[0]
    words = text.split(None, 1) if text else []
    return bool(words) and words[0].upper() in _DDL_VERBS


# AL302 ------------------------------------------------------------------------------------------
def _in_bound_class(ctx: CheckContext, access: DbAccess) -> bool:
    program = ctx.program
    head = access.scope.split(".", 1)[0] if "." in access.scope else ""
    return bool(head) and program is not None and access.path in program.modules and program.bound_handle_class(access.path, head)


def _per_call_clients(ctx: CheckContext, constructs: list[Construct]) -> Iterator[Finding]:
    """A pool-owning client created in a function that runs per request: the function is a route
    handler or is called (through up to five calls) from one, or it runs in a loop.  A factory (it
    returns what it builds), a function called only at start-up (module level, ``asyncio.run``,
    ``app.on_event("startup")``) or never called, a cached or stored client: created once."""
    program = ctx.program
    if program is None:
        return
    per_request = _per_request_functions(program)
    for analysis in program.analyses():
        if not analysis.fid or non_production(analysis.path):
            continue
        function = analysis.function
        for construct in analysis.constructs:
            if construct.kind not in _names(ctx.knowledge).pool_owners or construct.target.startswith(("self.", "this.", "cls.")):
                continue
            if _cached(function.decorators) or _returns_what_it_builds(function, construct) or _stored(function, construct):
                continue
            if _poolless(ctx, program, construct):
                continue
            trace = per_request.get((analysis.path, analysis.fid))
            if trace is None and not construct.loops and not _instance_method(function):
                continue
            message = (
                f"`{construct.callee}` creates a new {construct.stack} {construct.kind.replace('_', ' ')} every time "
                f"`{function.qualname}` runs{_how(trace, construct)}; each one "
                f"opens its own connection pool, so under load the server exhausts database connections and every call "
                f"pays the connection set-up"
            )
            guidance = (
                f"Create the {construct.kind.replace('_', ' ')} once at module level or in the app factory/lifespan "
                f"and reuse it (pass it in, or import the shared instance)."
            )
            yield ctx.registry.finding("AL302", construct.path, construct.span, message, guidance)


def _poolless(ctx: CheckContext, program, construct: Construct) -> bool:
    """The construct is a driver that opens no connection pool (``poolless_drivers``)."""
    record = program.call_record(construct.path, construct.span)
    func = record.node.func if record is not None and type(record.node) is ir.Call else None
    name = program.static_name(construct.path, func) if func is not None else ""
    return name.split(":", 1)[0] in _names(ctx.knowledge).poolless_drivers


def _how(trace, construct) -> str:
    if trace:
        return f" (per request: {trace})"
    return " (inside a loop)" if construct.loops else ""


def _per_request_functions(program) -> dict:
    """(path, fid) of route handlers and of what they call, five calls deep -> how it is reached."""
    callers: dict = {}
    for analysis in program.analyses():
        for record in analysis.calls:
            for callee in record.callees:
                callers.setdefault((analysis.path, analysis.fid), set()).add((callee.path, callee.fid))
    found: dict = {}
    frontier = []
    for route in program.routes():
        handler = route.handler
        if handler is not None and hasattr(handler, "fid"):
            key = (handler.path, handler.fid)
            if key not in found:
                found[key] = f"handler of {route.method} {route.path or '?'}"
                frontier.append(key)
    for _depth in range(5):
        following = []
        for key in frontier:
            for callee in callers.get(key, ()):
                if callee not in found:
                    found[callee] = found[key] + " → " + (program.function(*callee).qualname if program.function(*callee) else "?")
                    following.append(callee)
        frontier = following
    return found


def _instance_method(function) -> bool:
    """A repository/service method runs whenever its object is used; a constructor or a
    classmethod/staticmethod factory runs once to set things up."""
    if function.kind != "method" or function.name in ("__init__", "constructor", "__new__", "setup", "setUp"):
        return False
    return not any(_decorator_name(d) in ("classmethod", "staticmethod") for d in function.decorators)


def _decorator_name(decorator) -> str:
    """The decorator's name or last attribute, called or not (``lru_cache`` of ``@functools.lru_cache(maxsize=1)``),
    read from its IR."""
    if type(decorator) is ir.Call:
        return decorator.short_name
    return decorator.name if type(decorator) is ir.Attr else decorator.id if type(decorator) is ir.Name else ""


def _returns_what_it_builds(function, construct) -> bool:
    """``def make_engine(): return create_engine(…)`` / ``pool = createPool(url); return new Database(pool)``."""
    from archlint.domain import ir

    name = construct.target
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Return and node.value is not None:
            # `return c.json(await db.select().from(tags))` uses the client, it does not hand it out:
            # a name read only as the receiver of a method is no returned client
            receivers = {id(inner.obj) for inner in ir.iter_nodes(node.value) if type(inner) is ir.Attr}
            for inner in ir.iter_nodes(node.value):
                if getattr(inner, "span", None) == construct.span and id(inner) not in receivers:
                    return True
                if name and type(inner) is ir.Name and inner.id == name and id(inner) not in receivers:
                    return True
    return False


def _stored(function, construct) -> bool:
    """The client is kept beyond the call — memoised in a module-level cache or a global:
    ``if key not in ENGINES: engine = create_async_engine(url); ENGINES[key] = engine`` (prefect),
    ``global _pool; _pool = await asyncpg.create_pool(…)`` — so it is created once per key."""
    from archlint.domain import ir

    assigns = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Assign]
    names = {construct.target} if construct.target else set()
    for node in assigns:  # engine = create_async_engine(…) / engine = await create_pool(…)
        value = node.value.value if type(node.value) is ir.Await else node.value
        if getattr(value, "span", None) == construct.span:
            names.update(t.id for t in node.targets if type(t) is ir.Name)
    if names & function.globals:
        return True
    for node in assigns:
        value = node.value.value if type(node.value) is ir.Await else node.value
        if not (getattr(value, "span", None) == construct.span or type(value) is ir.Name and value.id in names):
            continue
        for target in node.targets:
            root = target
            while type(root) in (ir.Index, ir.Attr):
                root = root.obj
            if root is not target and type(root) is ir.Name and (
                root.id in ("self", "cls", "this") or root.id not in function.locals or root.id in function.globals
            ):
                return True
    return False


def _cached(decorators) -> bool:
    return any(_decorator_name(d) in ("lru_cache", "cache", "cached_property", "once", "property") for d in decorators)


# AL303 ------------------------------------------------------------------------------------------
def _mixed_stacks(ctx: CheckContext, accesses: list[DbAccess]) -> Iterator[Finding]:
    production = [a for a in accesses if a.category in ("query", "write") and not non_production(a.path)]
    by_project: dict[tuple[str, bool], list[DbAccess]] = {}
    for access in production:  # two packages of one tree, or a Python and a Node program, mix nothing
        python = access.path.endswith((".py", ".pyi"))
        by_project.setdefault((ctx.projects.of(access.path), python), []).append(access)
    for project in sorted(by_project):
        yield from _mixed_in_project(ctx, by_project[project])


def _mixed_in_project(ctx: CheckContext, production: list[DbAccess]) -> Iterator[Finding]:
    optional: dict = {}
    production = [a for a in production if not _optional_backend(ctx, a, optional)]
    counts = Counter(a.stack for a in production)
    # ORMs built on another stack's connection (orms.toml `builds_on`): Objection.js runs every query through
    # the knex instance bound by `Model.knex(knex)`, Bookshelf through `bookshelf(knex)` — knex calls beside
    # them share its pool and its transactions
    built_on = [(entry.name, base) for entry in ctx.knowledge.of_kind("orm") for base in entry.extra.get("builds_on", ())]
    for orm, base in built_on:
        if counts.get(orm) and counts.get(base):
            counts[orm] += counts.pop(base)
            production = [a for a in production if a.stack != base]
    drivers = frozenset(entry.name for entry in ctx.knowledge.of_kind("driver"))  # raw drivers: drivers.toml
    orms = [stack for stack in counts if stack not in drivers]
    if not orms or len(counts) < 2:
        return
    primary = max(orms, key=lambda stack: (counts[stack], stack))
    for stack in sorted(counts):
        if stack == primary:
            continue
        first = next(a for a in production if a.stack == stack)
        kind = "raw driver" if stack in drivers else "second ORM"
        entry = ctx.knowledge.entry(stack)
        shown = entry.modules[0] if entry is not None and entry.modules else stack  # sqlite3-node -> sqlite3
        message = (
            f"{kind} `{shown}` does data access ({counts[stack]} call sites) alongside "
            f"{_STACK_NAMES.get(primary, primary)} ({counts[primary]} call sites); two stacks on one database mean "
            f"two connection pools, transactions that do not see each other's writes, and schema drift"
        )
        raw = _RAW_THROUGH_ORM.get(primary, "its own connection")
        guidance = (
            f"Rewrite these `{shown}` calls with {_STACK_NAMES.get(primary, primary)} (raw SQL can go through {raw}), "
            f"and drop the extra stack."
        )
        yield ctx.registry.finding("AL303", first.path, first.span, message, guidance)


def _optional_backend(ctx: CheckContext, access: DbAccess, seen: dict) -> bool:
    """``access`` sits in a file that imports its stack only inside ``try: … except ImportError`` (and imports
    it at all): an optional backend that runs only where its user installed that stack and chose it — a
    library's adapter per backend (fastapi-crudrouter's ``DatabasesCRUDRouter`` beside its
    ``SQLAlchemyCRUDRouter``, each given its connection by the user) is one of alternatives, not a second
    stack on one database.  An app that imports its driver plainly keeps it counted."""
    key = (access.path, access.stack)
    if key not in seen:
        entry = ctx.knowledge.entry(access.stack)
        facts = ctx.files.get(access.path)
        modules = entry.modules if entry is not None else ()
        imports = [record for record in (facts.imports if facts is not None else ())
                   if any(module_matches(record.module, m) for m in modules)]
        seen[key] = bool(imports) and all(record.optional for record in imports)
    return seen[key]


# AL304 ------------------------------------------------------------------------------------------
def _schema_never_created(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    projects = ctx.projects
    by_project: dict[str, list] = {}
    for model in data.models.values():
        if not non_production(model.path) and not _snippet(model.path, projects.of(model.path)) \
                and not _abstract(ctx, model):
            by_project.setdefault(projects.of(model.path), []).append(model)
    for project in sorted(by_project):
        yield from _project_schema_never_created(ctx, project, sorted(by_project[project], key=lambda m: (m.path, m.span.line)))


def _abstract(ctx: CheckContext, model) -> bool:
    """A model class that is a base, not a table (``class Meta: abstract = True``, ``__abstract__ = True``,
    a SQLModel class without ``table=True``), read on the class's IR: django-cms's
    ``MaterializedPathMixin(models.Model)`` has no table for anything to create."""
    program = ctx.program
    module = program.modules.get(model.path) if program is not None else None
    if module is None:
        return False
    for cid, cls in enumerate(module.classes):
        if cls.name == model.name and cls.span.line == model.span.line:
            return program.is_abstract_model(model.path, cid)
    return False


_SNIPPET_DIRS = frozenset({"examples", "example", "docs", "docs_src", "doc", "samples", "snippets"})


def _snippet(path: str, project: str) -> bool:
    """A model in a documentation or examples directory *inside* a project (a library's
    ``fastcrud/examples/article/model.py``, FastAPI's ``docs_src/``): standalone snippets shown in
    docs, not the project's app, so nothing is expected to create their tables.  A project whose
    root is itself under ``examples/`` (an example app with its own manifest) is still judged."""
    inner = path[len(project):].lstrip("/") if project and path.startswith(project) else path
    return any(part in _SNIPPET_DIRS for part in inner.split("/")[:-1])


def _project_schema_never_created(ctx: CheckContext, project: str, models: list) -> Iterator[Finding]:
    data = ctx.datalayer
    projects = ctx.projects
    own = lambda path: projects.of(path) == project  # noqa: E731
    if any(("/migrations/" in f"/{p}" or "/alembic/" in f"/{p}" or "/versions/" in f"/{p}") and own(p) for p in ctx.files):
        return
    manifest = projects.manifest_of(ctx.manifest, project)
    if any(p.endswith(".sql") or p.rsplit("/", 1)[-1] in ("alembic.ini", ".sequelizerc", "schema.prisma") for p in manifest.files):
        return
    if any(schema_command(ctx.knowledge, command) for _path, _line, command in manifest.commands):
        return
    production = lambda path: own(path) and not non_production(path)  # noqa: E731
    sites = {(a.path, a.span): Site(a.path, a.span, a.method) for a in data.accesses if a.category == "schema" and production(a.path)}
    for site in schema_calls(ctx.program, production, schema_holders(ctx.knowledge)):
        sites.setdefault((site.path, site.span), site)
    if sites or any(a.category == "schema" and own(a.path) for a in data.accesses):
        outcome = never_run(manifest, ctx.program, sorted(sites.values(), key=lambda s: (s.path, s.span.line, s.span.column)))
        if outcome is not None:
            yield _never_run_finding(ctx, outcome, manifest)
        return
    if synchronised_schemas(ctx.files, ctx.graph, production, ctx.knowledge):
        return  # SequelizeModule.forRoot({ autoLoadModels: true }), TypeORM `synchronize: true`
    if any(untyped_schema_calls(ctx.files, [path for path in data.analysed if own(path)], ctx.knowledge)):
        return  # Base.metadata.create_all(engine) on an untyped metadata, DI.orm.schema.updateSchema()
    first = models[0]
    stack = _STACK_NAMES.get(first.stack, first.stack).removeprefix("the ")  # "2 Django ORM model(s)"
    message = (
        f"{len(models)} {stack} model(s) are defined but nothing creates their tables: no create_all/sync call, "
        f"no migrations and no migration command in the start scripts; on a fresh database the first query fails "
        f"with 'no such table' / 'relation does not exist'"
    )
    where = where_to_create(manifest, ctx.files)
    call = _CREATE_CALL.get(first.stack, "`Base.metadata.create_all(engine)` / `await sequelize.sync()`")
    if first.stack == "sequelize" and any(edge.external and edge.target.startswith("@nestjs/sequelize")
                                          for path in ctx.files if own(path) for edge in ctx.graph.out_edges(path)):
        call = "`autoLoadModels: true` in `SequelizeModule.forRoot({ … })` (@nestjs/sequelize then runs `sequelize.sync()` as the connection starts)"
    guidance = (
        (f"Call {call} where the app starts, in {where} (before the server serves requests), " if where else
         f"Create the schema on startup ({call} in the module the server starts from), ")
        + "or run the migrations (`alembic upgrade head`, `python manage.py migrate`, `npx sequelize-cli db:migrate`) "
          "in run.sh before the server starts."
    )
    yield ctx.registry.finding("AL304", first.path, first.span, message, guidance)


_CREATE_CALL = {"sqlalchemy": "`Base.metadata.create_all(engine)`", "sequelize": "`await sequelize.sync()`",
                "typeorm": "`dataSource.initialize()` with `synchronize` or `runMigrations()`",
                "django": "`python manage.py migrate`", "prisma": "`npx prisma migrate deploy`"}


def _never_run_finding(ctx: CheckContext, outcome, manifest) -> Finding:
    entry = outcome.entry
    if outcome.uncalled:
        message = (
            f"`{outcome.call}` runs {outcome.why}: when `{entry.command.strip()}` ({entry.path}:{entry.line}) starts "
            f"the app nothing creates the tables, so the first query fails with 'no such table' / 'relation does not exist'"
        )
    else:
        message = (
            f"`{outcome.call}` runs {outcome.why}, but `{entry.command.strip()}` ({entry.path}:{entry.line}) imports "
            f"the app instead of running the file: that code never runs, so the tables are never created and the "
            f"first query fails with 'no such table' / 'relation does not exist'"
        )
    where = where_to_create(manifest, ctx.files)
    what = f"Call `{outcome.uncalled}()`" if outcome.uncalled else "Move the call"
    guidance = (
        f"{what} where the app starts{f', in {where}' if where else ''}: at module level after the engine is "
        f"created, in the app factory, or in a startup/lifespan hook — not under `if __name__ == \"__main__\":`."
    )
    return ctx.registry.finding("AL304", outcome.path, outcome.span, message, guidance)
