"""What stack a project *really* uses — the verdicts behind ``archlint verify``.

The Constraint Decay verifiers grep added diff lines: a README mentioning ``postgresql://``, a
comment saying "SQLAlchemy", or ``psycopg2-binary`` in requirements.txt all count as evidence.
Here every verdict is derived from the facts of code that runs: app objects that register routes,
engines and connections that are created, queries that go through an ORM, and the layer graph.
Each verdict carries file:line evidence, pass or fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archlint.domain.arguments import ir_call, string_of
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import canonical, production
from archlint.domain.env_defaults import env_defaults
from archlint.domain.facts import Span
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches
from archlint.domain.records import NamedTuple
from archlint.domain.orm_models import _declared_abstract
from archlint.domain.schema_sync import schema_command, synchronised_schemas, untyped_schema_calls
from archlint.domain.sql import detect_database, sql_knowledge, urls_in

_DJANGO_ENGINE = re.compile(r"django\.db\.backends\.(\w+)")
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:TEMP\w*\s+)?TABLE\b", re.I)
_NICE = {"sqlalchemy": "SQLAlchemy", "sequelize": "Sequelize", "postgresql": "PostgreSQL", "sqlite": "SQLite",
         "mysql": "MySQL", "django": "Django ORM", "knex": "Knex", "prisma": "Prisma", "typeorm": "TypeORM",
         "drizzle": "Drizzle", "kysely": "Kysely", "mikro-orm": "MikroORM", "objection": "Objection.js", "tortoise": "Tortoise ORM",
         "peewee": "peewee", "sqlmodel": "SQLModel"}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A file:line that supports a verdict."""
    path: str
    line: int
    detail: str

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "detail": self.detail}


@dataclass(slots=True)
class Verdict:
    """The verdict on one required constraint, with its evidence."""
    constraint: str
    expected: str
    compliant: bool
    reason: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "constraint": self.constraint,
            "expected": self.expected,
            "compliant": self.compliant,
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
        }


def nice(name: str) -> str:
    return _NICE.get(name, name)


# framework ----------------------------------------------------------------------------------------
def served_frameworks(ctx: CheckContext) -> dict[str, tuple[list[Evidence], list[Evidence]]]:
    """framework -> (app/router objects created, routes registered), from production code."""
    found: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    for framework in ctx.knowledge.of_kind("framework"):
        constructors = set(framework.extra.get("app_constructors", ()))
        methods = set(framework.extra.get("route_methods", ()))
        python = framework.language == "python"
        wanted = {canonical(c, "python") for c in constructors} if python else constructors
        declare = set(framework.extra.get("route_constructors", ()))
        declarations = {canonical(c, "python") for c in declare} if python else declare
        apps: list[Evidence] = []
        routes: list[Evidence] = []
        for path in sorted(ctx.files):
            facts = ctx.files[path]
            if not production(path) or (facts.language == "python") != python or not _imports_any(ctx, path, framework.modules):
                continue
            names: set[str] = set()
            for assign in facts.assigns:
                if canonical(assign.resolved, facts.language) in wanted:
                    names.add(assign.target.split(":")[0].strip())
                    apps.append(Evidence(path, assign.span.line, f"{assign.target.split(':')[0].strip()} = {assign.callee}(…)"))
            for call in facts.calls:
                resolved = canonical(call.resolved, facts.language)
                if resolved in wanted and not any(e.path == path and e.line == call.span.line for e in apps):
                    apps.append(Evidence(path, call.span.line, f"{call.callee}(…)"))
                    if framework.name == "django" and call.callee.split(".")[-1] in ("path", "re_path", "url"):
                        routes.append(Evidence(path, call.span.line, f"{call.callee}({call.args_text[:40]}…)"))
                if resolved in declarations:  # Route("/api/tags", tags), Litestar's @get("/api/tags")
                    routes.append(Evidence(path, call.span.line, f"{call.callee}({call.args_text[:40]}…)"))
                    continue
                head, _, rest = call.callee.partition(".")
                if head in names and rest in methods:
                    routes.append(Evidence(path, call.span.line, f"{call.callee}({call.args_text[:40]}…)"))
            called = {e.line for e in routes if e.path == path}
            for function in facts.functions:
                window = range(function.span.line - 3 * len(function.decorators), function.span.line)
                if any(line in called for line in window):
                    continue  # `@app.get("/x")` is a call too: the registration is counted once
                for decorator in function.decorators:
                    head, _, rest = decorator.split("(")[0].partition(".")
                    if head in names and rest in methods:
                        routes.append(Evidence(path, function.span.line, f"@{decorator[:60]}"))
        if apps or routes:
            # the application object first (FastAPI() before APIRouter(), Flask() before Blueprint())
            apps.sort(key=lambda e: (not _primary_app(framework, e.detail), e.path, e.line))
            found[framework.name] = (apps, routes)
    return found


def _primary_app(framework, detail: str) -> bool:
    """Whether an app construction is the framework's application object (``FastAPI()``, ``Flask()``,
    ``express()``) rather than a router (``APIRouter()``, ``Blueprint()``, ``express.Router()``):
    the first ``app_constructors`` entry names it — an attribute of the module, or (``express:``)
    the module's own default export."""
    spec = (framework.extra.get("app_constructors") or [""])[0]
    module, _, attribute = spec.partition(":")
    name = attribute.split(".")[-1] if attribute and attribute != "default" else module.split("/")[-1]
    # a default export is named by the importer (`import Koa from 'koa'`: `new Koa()`): compared without case
    return bool(name) and (f"{name}(" in detail or not attribute and f"{name.lower()}(" in detail.lower())


def _imports_any(ctx: CheckContext, path: str, modules) -> bool:
    return any(edge.external and any(module_matches(edge.target, m) for m in modules) for edge in ctx.graph.out_edges(path))


def framework_verdict(ctx: CheckContext, expected: str, semantic: dict | None = None) -> Verdict:
    """``semantic``: framework -> (apps, routes) read from the semantic model's routes table; it
    adds what the facts cannot see (an app built by ``require('fastify')({…})``)."""
    served = served_frameworks(ctx)
    for name, (apps, routes) in (semantic or {}).items():
        known_apps, known_routes = served.setdefault(name, ([], []))
        known_apps.extend(e for e in apps if e not in known_apps)
        seen = {(e.path, e.line) for e in known_routes}
        known_routes.extend(e for e in routes if (e.path, e.line) not in seen)
    apps, routes = served.get(expected, ([], []))
    others = sorted(name for name, (a, r) in served.items() if name != expected and a and r)
    if not apps or not routes:
        missing = "no app object is created" if not apps else "no route is registered"
        evidence = (apps + routes)[:3] or [e for name in others for e in served[name][1][:1]]
        elsewhere = f"; routes are served by {', '.join(others)}" if others else ""
        return Verdict("framework", expected, False, f"{expected}: {missing}{elsewhere}", evidence)
    if others:
        evidence = apps[:1] + routes[:1] + [served[name][1][0] for name in others]
        reason = f"{expected} serves routes, but so does {', '.join(others)} (a second web framework)"
        return Verdict("framework", expected, False, reason, evidence)
    reason = f"{expected} app created at {apps[0].path}:{apps[0].line}; {len(routes)} route registration(s)"
    return Verdict("framework", expected, True, reason, apps[:1] + routes[:2])


# database -----------------------------------------------------------------------------------------
def database_evidence(ctx: CheckContext, semantic: list | None = None) -> dict[str, list[Evidence]]:
    """engine -> evidence from code and the start-up configuration (never README or comments).

    URL and option evidence comes from the SQL family's ``detect_database`` (one table of
    schemes and dialect options for both); verify then keeps only what the app *runs with*: an
    ``.env`` counts only when the app loads it (dotenv), driver *imports* and compose images do
    not count (a driver is evidence when it is called), and run.sh exports and Django's ``ENGINE``
    are added.
    """
    found: dict[str, list[Evidence]] = {}

    def add(engine: str | None, path: str, line: int, detail: str) -> None:
        if engine:
            found.setdefault(engine, []).append(Evidence(path, line, detail))

    dotenv = _uses_dotenv(ctx)
    sql = sql_knowledge(ctx.knowledge)
    choice = detect_database(ctx.files, ctx.graph, ctx.manifest, sql)
    dead, fallbacks = _env_fallbacks(ctx, dotenv, sql)
    entry_points = {m for modules in sql.dialect_modules.values() for m in modules}
    for item in choice.evidence:
        if item.kind == "driver" and item.detail in entry_points and production(item.path):
            # `drizzle-orm/bun-sqlite`, `bun:sqlite`, `@libsql/client`: an import that names the database
            add(item.database, item.path, item.line, f"imports {item.detail}")
            continue
        if item.kind not in ("url", "option") or not production(item.path) or item.detail.startswith("ENGINE "):
            continue  # Django's ENGINE is added below
        if item.path in _env_files(ctx) and not (dotenv or _is_compose(item.path)):
            continue
        if (item.path, item.line) in dead or (item.kind == "option" and (item.path, item.detail) in dead):
            continue  # os.getenv("DATABASE_URL", "sqlite://…") while run.sh exports DATABASE_URL: never used
        add(item.database, item.path, item.line, f"{item.kind} {item.detail}")
    for engine, path, line, detail in fallbacks:  # process.env.DATABASE_URL || 'sqlite:conduit.sqlite'
        if not any((e.path, e.line) == (path, line) for e in found.get(engine, [])):
            add(engine, path, line, detail)
    for path in sorted(ctx.files):
        facts = ctx.files[path]
        if not production(path) or not facts.signals:
            continue
        for string in facts.strings:
            django = _DJANGO_ENGINE.search(string.text)
            if django:
                dialect = sql.dialect_for_scheme(django.group(1).split("_")[0])  # postgresql_psycopg2 -> postgresql
                add(dialect.name if dialect else None, path, string.span.line, f"Django ENGINE {string.text}")
    data = ctx.datalayer
    drivers = {e.name: e.extra.get("database") for e in ctx.knowledge.of_kind("driver")}
    for item in list(data.constructs) + list(data.accesses):
        if production(item.path) and item.stack in drivers:
            add(drivers[item.stack], item.path, item.span.line, f"{item.stack} {item.callee}(…)")
    for path, line, command in ctx.manifest.commands:
        for database, scheme in urls_in(command, sql):
            add(database, path, line, f"start-up command sets a {scheme}:// URL")
    for engine, item, url in semantic or ():  # URLs the semantic model saw reach a DB constructor
        if (item.path, url) in dead or any(value == url for _path, value in dead):
            continue  # a settings default the start-up environment overrides
        if not any((e.path, e.line) == (item.path, item.line) for e in found.get(engine, [])):
            add(engine, item.path, item.line, item.detail)
    return found


def _env_fallbacks(ctx: CheckContext, dotenv: bool, sql) -> tuple[set, list]:
    """The fallbacks of environment reads in production code (``os.getenv("DATABASE_URL",
    "sqlite:///…")``, ``process.env.DATABASE_URL || 'sqlite:conduit.sqlite'``, a ``BaseSettings``
    field): those whose variable the start-up environment sets are dead — their (path, line)
    and (path, value) are returned to be dropped; the others are what the app runs with —
    (engine, path, line, detail) for each that names a database by URL or scheme (``sqlite:x``,
    a Sequelize URL without ``//``), which the literal scan may not have recognised."""
    names = _startup_variables(ctx, dotenv)
    dead: set = set()
    live: list = []
    for path in sorted(ctx.files):
        facts = ctx.files[path]
        if not production(path) or facts.ir is None:
            continue
        for default in env_defaults(facts):
            variable = default.variable.upper() if default.case_insensitive else default.variable
            if variable in (names if not default.case_insensitive else {n.upper() for n in names}):
                dead.add((path, default.span.line))
                dead.add((path, default.value))
                continue
            engine = _names_database(default.value, sql)
            if engine:
                scheme = default.value.split(":", 1)[0]
                live.append((engine, path, default.span.line, f"{default.variable} unset: falls back to a {scheme}: URL"))
    return dead, live


def _names_database(text: str, sql) -> str | None:
    """The engine a URL names: ``postgresql+psycopg://…``, ``sqlite:///x.db``, and Sequelize's
    ``sqlite:conduit.sqlite`` (a known scheme without ``//``)."""
    found = urls_in(text, sql)
    if found:
        return found[0][0]
    scheme, colon, _rest = text.partition(":")
    if not colon or not scheme.replace("+", "").isalnum() or " " in text:
        return None
    dialect = sql.dialect_for_scheme(scheme.split("+", 1)[0])
    return dialect.name if dialect is not None else None


def _startup_variables(ctx: CheckContext, dotenv: bool) -> set[str]:
    """Environment variables the app is started with: set by run.sh and the other start-up
    commands (``export X=…``, ``X=… cmd``, ``env X=… cmd``), and by ``.env`` when the app loads it.
    A Dockerfile's ``ENV`` and compose ``environment`` are not the benchmark's way of starting it."""
    names: set[str] = set()
    for path, _line, command in ctx.manifest.commands:
        if path.rsplit("/", 1)[-1].startswith("Dockerfile") or _is_compose(path):
            continue
        words = command.split()
        while words and words[0] in ("export", "env", "declare", "-x", "readonly"):
            words = words[1:]
        for word in words:
            name, equals, _value = word.partition("=")
            if not equals or not re.fullmatch(r"[A-Za-z_]\w*", name):
                break
            names.add(name)
    if dotenv:
        names.update(v.name for v in ctx.manifest.env if not _is_compose(v.path))
    return names


def scheme_engine(ctx: CheckContext):
    """scheme -> engine name (``sqlite`` -> sqlite, ``postgres`` -> postgresql), from the SQL tables."""
    return _engine_by(sql_knowledge(ctx.knowledge).dialect_for_scheme)


def option_engine(ctx: CheckContext):
    """option value -> engine name (Sequelize ``dialect: 'postgres'``, knex ``client: 'pg'``), from the SQL tables."""
    return _engine_by(sql_knowledge(ctx.knowledge).dialect_for_option)


def _engine_by(lookup):
    def engine(text: str) -> str:
        dialect = lookup(text)
        return dialect.name if dialect is not None else ""

    return engine


def _env_files(ctx: CheckContext) -> set[str]:
    return {variable.path for variable in ctx.manifest.env}


def _is_compose(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith(("docker-compose", "compose"))


def _uses_dotenv(ctx: CheckContext) -> bool:
    return any(d.name in ("python-dotenv", "dotenv") for d in ctx.manifest.dependencies)


def schema_creation(ctx: CheckContext) -> Evidence | None:
    """Where the schema is created at start-up, if anywhere."""
    data = ctx.datalayer
    for access in data.accesses:
        if access.category == "schema":
            return Evidence(access.path, access.span.line, f"{access.callee}(…)")
    for path, call in untyped_schema_calls(ctx.files, data.analysed, ctx.knowledge):
        return Evidence(path, call.span.line, f"{call.callee}(…)")
    for path, span, what in synchronised_schemas(ctx.files, ctx.graph, production, ctx.knowledge):
        return Evidence(path, span.line, what)
    for path, line, command in ctx.manifest.commands:
        if schema_command(ctx.knowledge, command):
            return Evidence(path, line, command[:80])
    runner = _migration_runner(ctx)
    for path in sorted(ctx.files):
        if runner is not None and ("/migrations/" in f"/{path}" or "/alembic/versions/" in f"/{path}"):
            return Evidence(runner.path, runner.line, f"{runner.detail}: runs {path}")
        for string in ctx.files[path].strings if production(path) and ctx.files[path].signals else ():
            if _CREATE_TABLE.match(string.text):
                return Evidence(path, string.span.line, string.text.strip()[:60])
    return None


# Calls that run migrations from the app's code.  Python by resolved name (alembic's
# command.upgrade(cfg, "head"), Django's call_command("migrate")); JS by the migrator methods of
# knex (db.migrate.latest()), umzug (umzug.up()) and TypeORM (dataSource.runMigrations()), which
# are properties of a handle the facts do not resolve.
_PY_MIGRATION_CALLS = frozenset({"alembic.command.upgrade"})
_JS_MIGRATION_CALLS = re.compile(r"(?:^|\.)(?:migrate\.latest|migrate\.up|runMigrations|migrator\.up|umzug\.up|migrations\.up)$")


def _migration_runner(ctx: CheckContext) -> Evidence | None:
    """What runs the migration files at start-up: a production call that applies them. (Start-up
    commands that migrate were taken before.) Migration files nothing runs create no schema.  A
    method merely named ``upgrade`` (``plan.upgrade()``) is no migration runner."""
    for path in sorted(ctx.files):
        if not production(path):
            continue
        facts = ctx.files[path]
        for call in facts.calls:
            if facts.language == "python":
                name = canonical(call.resolved, "python")
                runs = name in _PY_MIGRATION_CALLS or (
                    name == "django.core.management.call_command" and _first_string(facts, call) == "migrate")
            else:
                runs = bool(_JS_MIGRATION_CALLS.search(call.callee))
            if runs:
                return Evidence(path, call.span.line, f"{call.callee}(…)")
    return None


def _first_string(facts, call) -> str | None:
    node = ir_call(facts, call)
    return string_of(node.args[0].value) if node is not None and node.args else None


def database_verdict(ctx: CheckContext, expected: str, semantic: list | None = None, connects: bool = False) -> Verdict:
    """``connects``: a framework's start-up call connects with the options read (Vendure ``bootstrap(config)``)."""
    found = database_evidence(ctx, semantic)
    mine = found.get(expected, [])
    others = {engine: items for engine, items in found.items() if engine != expected}
    connected = connects or bool(ctx.datalayer.constructs or ctx.datalayer.accesses)
    if others:
        engine, items = sorted(others.items())[0]
        reason = (
            f"{nice(engine)} is used or is the fallback ({items[0].path}:{items[0].line}: {items[0].detail}); "
            f"the app must store its data in {nice(expected)}"
        )
        return Verdict("database", expected, False, reason, items[:2] + mine[:1])
    if not mine:
        declared = [d for d in ctx.manifest.dependencies if d.name in _driver_packages(ctx, expected)]
        detail = " (only declared as a dependency)" if declared else ""
        evidence = [Evidence(d.path, d.line, f"declared {d.name}") for d in declared[:1]]
        return Verdict("database", expected, False, f"no code connects to {nice(expected)}{detail}", evidence)
    if not connected:
        reason = f"{nice(expected)} is named but no engine, pool or connection is ever created (data kept in memory?)"
        return Verdict("database", expected, False, reason, mine[:2])
    schema = schema_creation(ctx)
    if schema is None:
        reason = f"connects to {nice(expected)}, but nothing creates the schema at start-up (no create_all/sync/migrations/CREATE TABLE)"
        return Verdict("database", expected, False, reason, mine[:2])
    reason = f"connects to {nice(expected)} ({mine[0].path}:{mine[0].line}); schema created at {schema.path}:{schema.line}"
    return Verdict("database", expected, True, reason, mine[:2] + [schema])


def _driver_packages(ctx: CheckContext, engine: str) -> set[str]:
    return {p for e in ctx.knowledge.of_kind("driver") if e.extra.get("database") == engine for p in e.packages}


# orm ------------------------------------------------------------------------------------------------
# `--orm sqlmodel`: SQLModel is SQLAlchemy underneath (its sessions and queries are SQLAlchemy's), so
# the verdict is SQLAlchemy's with the models required to be SQLModel classes; `--orm sqlalchemy`
# accepts SQLModel models (they are SQLAlchemy mapped classes).
_VARIANTS = {"sqlmodel": ("sqlalchemy", "sqlmodel.SQLModel")}


def orm_verdict(ctx: CheckContext, expected: str) -> Verdict:
    data = ctx.datalayer
    stack, required_base = _VARIANTS.get(expected, (expected, None))
    entry = ctx.knowledge.entry(stack)
    own = {stack, *(entry.extra.get("builds_on", ()) if entry is not None else ())}
    models = sorted((m for m in data.models.values() if m.stack == stack and production(m.path)), key=lambda m: (m.path, m.span.line))
    if required_base is not None:
        models = [m for m in models if _derives_from(ctx, m.path, m.name, required_base)]
    declared = [] if models or entry is None else _declared_models(ctx, entry)
    work = [a for a in data.accesses if a.category in ("query", "write") and production(a.path)]
    mine = [a for a in work if a.stack in own]
    other = [a for a in work if a.stack not in own]
    if declared:
        models = declared
    if not models and stack == "sqlalchemy" and required_base is None:
        models = _imperative_models(ctx)
    if not models:
        if required_base is not None and any(m.stack == stack and production(m.path) for m in data.models.values()):
            plain = next(m for m in sorted(data.models.values(), key=lambda m: (m.path, m.span.line)) if m.stack == stack and production(m.path))
            reason = f"no {nice(expected)} model is defined: the models are plain {nice(stack)} classes (e.g. {plain.name})"
            return Verdict("orm", expected, False, reason, [Evidence(plain.path, plain.span.line, f"{nice(stack)} model {plain.name}")])
        mine = [a for a in mine if a.stack == stack]  # Knex calls are Objection's own only beside Objection models
        other = [a for a in work if a.stack != stack]
        evidence = [Evidence(a.path, a.span.line, f"{a.stack} {a.callee}(…)") for a in other[:2]] or _plain_models(ctx)
        doing = f"; data access is done with {', '.join(sorted({a.stack for a in other}))}" if other else ""
        if mine and not other:  # SQLAlchemy Core: Table objects and connection.execute(select(table)), no mapped class
            evidence = [Evidence(a.path, a.span.line, f"{a.stack} {a.callee}(…)") for a in mine[:2]]
            doing = f"; {len(mine)} query/write call(s) go through {nice(expected)} without a model (the core API, not the ORM)"
        return Verdict("orm", expected, False, f"no {nice(expected)} model is defined{doing}", evidence)
    first_model = Evidence(models[0].path, models[0].span.line, f"{nice(expected)} model {models[0].name}")
    if not mine:
        return Verdict("orm", expected, False, f"{nice(expected)} models exist but no query goes through {nice(expected)}", [first_model])
    if other:
        stacks = ", ".join(sorted({a.stack for a in other}))
        reason = f"{len(other)} data-access call(s) bypass {nice(expected)} through {stacks} (e.g. {other[0].path}:{other[0].span.line})"
        evidence = [first_model] + [Evidence(a.path, a.span.line, f"{a.stack} {a.callee}(…)") for a in other[:2]]
        return Verdict("orm", expected, False, reason, evidence)
    reason = f"{len(models)} {nice(expected)} model(s); {len(mine)} query/write call(s), all through {nice(expected)}"
    return Verdict("orm", expected, True, reason, [first_model, Evidence(mine[0].path, mine[0].span.line, f"{mine[0].callee}(…)")])


class _Declared(NamedTuple):
    name: str
    path: str
    span: Span


def _imperative_models(ctx: CheckContext) -> list:
    """SQLAlchemy models mapped imperatively (``registry.map_imperatively(Article, articles_table)``):
    plain domain classes the ORM maps onto Core tables — the ORM all the same (sessions, identity
    map, relationships), which the facts' class-based model discovery does not see."""
    program = ctx.program
    if program is None:
        return []
    found = [m for m in program.schema.models.values() if m.imperative and production(m.path)]
    return sorted((_Declared(m.name, m.path, m.span) for m in found), key=lambda m: (m.path, m.span.line))


def _declared_models(ctx: CheckContext, entry) -> list:
    """Models of an ORM whose classes archlint's model discovery does not read, declared the way
    ``orms.toml`` says: a class extending ``model_bases`` (directly or through a local base class:
    ``class Article extends BaseModel``), decorated with ``model_decorators`` (``@Entity()``), or a
    ``model_constructors`` call (``pgTable('users', …)``, ``new EntitySchema({…})``); Prisma's
    ``model X {`` blocks in ``schema.prisma``."""
    bases = set(entry.extra.get("model_bases", ()))
    decorators = set(entry.extra.get("model_decorators", ()))
    constructors = set(entry.extra.get("model_constructors", ()))
    found: list[_Declared] = []
    derived: dict[str, tuple[str, object]] = {}  # class name -> (path, class) extending something local
    models: set[str] = set()
    for path in sorted(ctx.files):
        facts = ctx.files[path]
        if not production(path) or not _imports_any(ctx, path, entry.modules) and not facts.classes:
            continue
        ir_module = facts.ir
        for cls in facts.classes:
            own = [_own_name(resolved, entry, facts.language) for resolved in cls.resolved_bases]
            if any(name in bases for name in own):
                models.add(cls.name)
                if not _declared_abstract(facts, cls):  # Tortoise/peewee `class Meta: abstract = True`: a base, no table
                    found.append(_Declared(cls.name, path, cls.span))
                continue
            heads = {decorator.split("(")[0].strip() for decorator in cls.decorators}
            if ir_module is not None and any(_own_name(ir_module.binding(head.split(".")[0]), entry, facts.language) in decorators for head in heads):
                models.add(cls.name)
                found.append(_Declared(cls.name, path, cls.span))
                continue
            if cls.bases:
                derived[cls.name] = (path, cls)
        if constructors and _imports_any(ctx, path, entry.modules):
            for call in facts.calls:
                if _own_name(call.resolved, entry, facts.language) in constructors:
                    found.append(_Declared(_first_string(facts, call) or call.callee, path, call.span))  # define('Article', …)
    changed = True
    while changed:  # class Article extends BaseModel; class BaseModel extends Model
        changed = False
        for name, (path, cls) in list(derived.items()):
            if any(base.split(".")[-1].split(":")[-1] in models for base in cls.bases):
                models.add(name)
                if not _declared_abstract(ctx.files[path], cls):
                    found.append(_Declared(name, path, cls.span))
                del derived[name]
                changed = True
    if entry.name == "prisma":
        for path, text in ctx.manifest.schema_files:
            for match in re.finditer(r"^model\s+(\w+)\s*\{", text, re.M):
                found.append(_Declared(match.group(1), path, Span(text.count("\n", 0, match.start()) + 1, 1, 0, 0)))
    return sorted(found, key=lambda m: (m.path, m.span.line))


def _own_name(resolved: str | None, entry, language: str) -> str | None:
    """``typeorm:Entity`` -> ``Entity`` when the module is one of the ORM's, else None."""
    if not resolved:
        return None
    if ":" in resolved:
        module, _, name = resolved.partition(":")
        name = name.split(".")[-1] if name else ""
    else:
        module, _, name = resolved.rpartition(".")
    return name if module and any(module_matches(module, m) for m in entry.modules) else None


def _derives_from(ctx: CheckContext, path: str, name: str, base: str) -> bool:
    facts = ctx.files.get(path)
    cls = next((c for c in facts.classes if c.name == name), None) if facts is not None else None
    return cls is not None and any(canonical(b, "python") == base for b in cls.resolved_bases if b)


def _plain_models(ctx: CheckContext) -> list[Evidence]:
    """Where the models are, when they are not ORM models (dataclasses, typedefs)."""
    for path in sorted(ctx.files):
        layer = ctx.layer(path)
        if layer is not None and layer.name == "models" and production(path):
            classes = ctx.files[path].classes
            line = classes[0].span.line if classes else 1
            return [Evidence(path, line, "models defined without the ORM")]
    return []


# architecture ------------------------------------------------------------------------------------------
def layer_directories(ctx: CheckContext) -> dict[str, tuple[str, Evidence]]:
    """layer -> (its first directory, evidence: the first production source file in it)."""
    architecture = ctx.architecture
    layers = architecture.layers if architecture is not None else []
    found: dict[str, tuple[str, Evidence]] = {}
    for path in sorted(ctx.files):
        if not production(path) or ctx.files[path].language == "unknown":
            continue
        parts = path.split("/")
        for index, directory in enumerate(parts[:-1]):
            layer = next((l for l in layers if directory.lower() in l.aliases), None)
            if layer is not None and layer.name not in found:
                found[layer.name] = ("/".join(parts[:index + 1]), Evidence(path, 1, f"{layer.name} layer directory `{directory}/`"))
    return found


def architecture_violations(ctx: CheckContext, findings: list[Finding]) -> list[Finding]:
    """What breaks clean architecture: upward and route-to-repository imports, a layer importing what it must
    not (a driver or the web framework where the preset forbids it, the ORM in an entities layer the project
    keeps free of persistence: AL103), DB access outside the repositories (also in files outside every layer)."""
    violations = [f for f in findings if _architecture_violation(ctx, f)]
    return violations + _unlayered_db_access(ctx, {(f.path, f.line) for f in violations})


def architecture_verdict(ctx: CheckContext, expected: str, findings: list[Finding]) -> Verdict:
    architecture = ctx.architecture
    layers = architecture.layers if architecture is not None else []
    directories = {name: evidence for name, (_directory, evidence) in layer_directories(ctx).items()}
    roles = [l.name for l in layers if l.name in directories]
    if len(roles) < 3:
        missing = ", ".join(l.name for l in layers if l.name not in directories) or "routes, services, repositories, models"
        reason = f"only {len(roles)}/4 layers are directories ({', '.join(roles) or 'none'}); missing: {missing}"
        return Verdict("architecture", expected, False, reason, list(directories.values()))
    violations = architecture_violations(ctx, findings)
    if violations:
        first = violations[0]
        reason = f"{len(violations)} violation(s); first: {first.path}:{first.line}: {first.message.split(';')[0]}"
        evidence = [Evidence(f.path, f.line, f"{f.rule} {f.message.split(';')[0][:110]}") for f in violations[:8]]
        return Verdict("architecture", expected, False, reason, evidence)
    reason = f"{len(roles)}/4 layers as directories ({', '.join(roles)}); dependencies point downwards; DB access only in repositories"
    return Verdict("architecture", expected, True, reason, [directories[r] for r in roles])


def _architecture_violation(ctx: CheckContext, finding: Finding) -> bool:
    if finding.rule in ("AL101", "AL103", "AL301"):
        return True
    if finding.rule == "AL102":  # routes reaching the data-access layer (services skipping nothing is fine)
        layers = {layer.name: layer for layer in ctx.architecture.layers} if ctx.architecture is not None else {}
        return any(name in layers and layers[name].data_access for name in dict(finding.data).get("layers", ()))
    return False


def _unlayered_db_access(ctx: CheckContext, already: set[tuple[str, int]]) -> list[Finding]:
    """Queries in files outside every layer (a root ``app.py``, ``utils/db.py``) break the
    architecture too; AL301 leaves them to the transitive rules, verify does not."""
    result = []
    for access in ctx.datalayer.accesses:
        if access.category not in ("query", "write") or not production(access.path):
            continue
        if ctx.layer(access.path) is not None or (access.path, access.span.line) in already:
            continue
        if access.path in ctx.composition_roots:
            continue  # composition roots are AL301's job (it exempts DDL there)
        message = f"DB access outside the repository layer: `{access.callee}(…)` in `{access.path}`, which belongs to no layer"
        result.append(ctx.registry.finding("AL301", access.path, access.span, message))
        already.add((access.path, access.span.line))
    return result
