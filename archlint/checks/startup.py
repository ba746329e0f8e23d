"""stack rules about what happens when the server starts: AL703 a database URL or dialect that
falls back to SQLite in a PostgreSQL project, AL704 a start-up that drops the schema, AL706 bcrypt
hashing that raises on long (or, with passlib and bcrypt 5, on all) passwords.

Read from the semantic model (calls with their resolved callees and constant arguments, class
fields of settings classes) and from what the project runs at start (:mod:`archlint.domain.startup`).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.startup import sets_variable
from archlint.domain.version_spec import highest_major
from archlint.semantics import values as v
from archlint.semantics import web

_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "decouple.config", "environ.Env.str"})
_POSTGRES_PACKAGES = frozenset({"psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "asyncpg", "pg", "pg-promise", "postgres",
                                "psycopg-pool", "pg8000"})
_SETTINGS_BASES = frozenset({"pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic_settings.main.BaseSettings"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    yield from _dialect_fallback(ctx, program)
    yield from _destructive_startup(ctx, program)
    yield from _bcrypt_limit(ctx, program)


def _production_modules(program):
    for path in sorted(program.modules):
        if not non_production(path):
            yield path, program.modules[path]


# AL703 -------------------------------------------------------------------------------------------------
def postgres_evidence(manifest) -> str:
    """Why a project's database is PostgreSQL (a declared driver, a compose service), or ``""``."""
    for dependency in manifest.dependencies:
        if dependency.name.lower() in _POSTGRES_PACKAGES:
            return f"`{dependency.name}` is declared in {dependency.path}"
    for service in manifest.services:
        if service.image.split(":")[0].rsplit("/", 1)[-1] in ("postgres", "postgis", "postgresql"):
            return f"{service.path} runs a `{service.image}` service"
    return ""


def _dialect_fallback(ctx: CheckContext, program) -> Iterator[Finding]:
    """Per project (``domain/projects.py``): a sibling app's PostgreSQL driver says nothing of this
    one's database, and a sibling's run.sh sets nothing for it."""
    manifests: dict[str, tuple] = {}  # project -> (its manifest, why it targets PostgreSQL)
    seen: set[tuple[str, str]] = set()
    for path, module in _production_modules(program):
        project = ctx.projects.of(path)
        if project not in manifests:
            manifest = ctx.projects.manifest_of(ctx.manifest, project)
            manifests[project] = (manifest, postgres_evidence(manifest))
        manifest, evidence = manifests[project]
        if not evidence:
            continue
        for variable, default, node, branch in _fallbacks(program, path, module):
            if (project, variable) in seen or not (branch or _is_sqlite(variable, default)):
                continue
            seen.add((project, variable))
            if sets_variable(manifest, variable) is not None:
                continue
            fallback = (f"the branch taken when `{variable}` is unset uses `{default}`" if branch
                        else f"`{variable}` falls back to `{default}` when it is unset")
            message = (
                f"{fallback}, and nothing that starts the app sets it "
                f"(run.sh, Dockerfile, compose, .env, package.json scripts, Procfile) although the project targets "
                f"PostgreSQL ({evidence}): the server starts on a SQLite file, every write lands there, and the "
                f"PostgreSQL database stays empty"
            )
            guidance = (
                f"Read `{variable}` without a SQLite default (`os.environ[\"{variable}\"]` / fail fast when it is missing) "
                f"and set it where the app starts (run.sh `export {variable}=postgresql://…`, compose `environment`)."
            )
            yield ctx.registry.finding("AL703", path, node.span, message, guidance)


_DATABASE_VARIABLE = ("URL", "URI", "DSN", "DIALECT", "DATABASE", "DB_TYPE", "DB_ENGINE", "DB_CLIENT", "CONNECTION")


def _is_sqlite(variable: str, default: str) -> bool:
    """A SQLite URL or dialect name as the default of a variable that names the database (not
    ``DB_STORAGE``, the file a SQLite branch uses)."""
    return default.strip().lower().startswith("sqlite") and any(word in variable.upper() for word in _DATABASE_VARIABLE)


def _fallbacks(program, path: str, module: ir.ModuleIR):
    """(variable, constant default, node, branch): ``os.getenv("X", "d")``, ``process.env.X || 'd'``,
    ``process.env.X ?? 'd'``, a settings-class field ``database_url: str = "d"``; and with ``branch``
    true a choice on whether the variable is set whose unset side names SQLite —
    ``url ? new Sequelize(url, …) : new Sequelize({ dialect: 'sqlite' })`` (``url`` read from
    ``process.env``), ``if os.environ.get("POSTGRES_HOST"): DATABASES = {…} else: {… sqlite3 …}``:
    the same fallback written as a branch (the node is the SQLite constant)."""
    for function in module.functions:
        env_names = None  # local name -> the variable it was read from, on first need
        for node in ir.iter_nodes(function.body):
            kind = type(node)
            if kind is ir.Call:
                name = web.callee_name(program, path, node)
                if name.replace(":", ".") not in _ENV_GETTERS:
                    continue
                variable, default = node.arg(0), node.arg(1, "default")
                if type(variable) is ir.Const and type(default) is ir.Const and isinstance(default.value, str):
                    yield str(variable.value), default.value, node, False
            elif kind is ir.BoolOp and node.op in ("or", "??") and len(node.values) >= 2:
                variable = _process_env(node.values[0])
                default = node.values[-1]
                if variable and type(default) is ir.Const and isinstance(default.value, str):
                    yield variable, default.value, node, False
            elif kind is ir.Cond or kind is ir.If:
                if env_names is None:
                    env_names = _env_names(program, path, function)
                variable, negated = _env_test(program, path, node.test, env_names)
                if not variable:
                    continue
                unset = (node.body if kind is ir.If else node.then) if negated else node.orelse
                sqlite = _sqlite_constant(unset)
                if sqlite is not None:
                    yield variable, sqlite.value, sqlite, True
    for cls in module.classes:
        bases = {b.name for b in program.bases(path, cls.cid) if type(b) is v.External}
        if not bases & _SETTINGS_BASES:
            continue
        for member in cls.fields:
            if type(member.value) is ir.Const and isinstance(member.value.value, str):
                yield member.name.upper(), member.value.value, member, False


def _env_read(program, path: str, node) -> str:
    """The environment variable ``node`` reads (``process.env.X``, ``os.getenv("X")``,
    ``os.environ.get("X")``), or ``""``."""
    variable = _process_env(node)
    if variable:
        return variable
    if type(node) is ir.Call and web.callee_name(program, path, node).replace(":", ".") in _ENV_GETTERS:
        first = node.arg(0)
        if type(first) is ir.Const and isinstance(first.value, str):
            return first.value
    return ""


def _env_names(program, path: str, function: ir.Function) -> dict[str, str]:
    """Names the function binds once, straight from an environment read (``const url = process.env.DATABASE_URL``)."""
    names: dict[str, str] = {}
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign and len(node.targets) == 1 and type(node.targets[0]) is ir.Name:
            variable = _env_read(program, path, node.value)
            name = node.targets[0].id
            names[name] = variable if name not in names and variable else ""
    return {name: variable for name, variable in names.items() if variable}


def _env_test(program, path: str, test, env_names: dict[str, str]) -> tuple[str, bool]:
    """(variable, negated) when ``test`` is only whether an environment variable is set."""
    negated = False
    while type(test) is ir.Unary and test.op == "not":
        negated, test = not negated, test.operand
    if type(test) is ir.Name:
        return env_names.get(test.id, ""), negated
    return _env_read(program, path, test), negated


def _sqlite_constant(branch):
    """The first constant in ``branch`` naming SQLite as the engine: a ``sqlite:``/``sqlite+…``
    URL, the ``'sqlite'`` dialect, Django's ``django.db.backends.sqlite3``."""
    for node in ir.iter_nodes(branch):
        if type(node) is ir.Const and isinstance(node.value, str):
            text = node.value.strip().lower()
            if text in ("sqlite", "sqlite3", "django.db.backends.sqlite3") or text.startswith(("sqlite:", "sqlite+")):
                return node
    return None


def _process_env(node) -> str:
    if type(node) is ir.Attr and type(node.obj) is ir.Attr and node.obj.name == "env" and type(node.obj.obj) is ir.Name \
            and node.obj.obj.id == "process":
        return node.name
    if type(node) is ir.Index and type(node.obj) is ir.Attr and node.obj.name == "env" and type(node.index) is ir.Const:
        return str(node.index.value)
    return ""


# AL704 -------------------------------------------------------------------------------------------------
_RESET_WORDS = ("reset", "drop", "seed", "test", "teardown", "clear", "wipe", "recreate", "fixture", "truncate")


def _destructive_startup(ctx: CheckContext, program) -> Iterator[Finding]:
    for path, module in _production_modules(program):
        for function in module.functions:
            if any(word in function.name.lower() for word in _RESET_WORDS):
                continue  # an explicit reset helper, not start-up
            # the function's node index (one walk per function for the run, shared with the other rules)
            # holds its calls in source order and by method name: no walk of every body again here
            index = program.node_index(function)
            drops = index.methods.get("drop_all", ())
            creates = index.methods.get("create_all", ())
            for drop in drops:
                if creates and any((c.span.line, c.span.column) > (drop.span.line, drop.span.column) for c in creates) \
                        and not _under_flag(function, drop):
                    message = (
                        "`drop_all()` runs before `create_all()` when the app starts: every restart drops every table "
                        "and recreates it empty — users, articles and comments are lost on each deploy or crash-restart"
                    )
                    guidance = "Call only `create_all()` at start-up (it creates missing tables); keep `drop_all()` in tests or an explicit reset command."
                    yield ctx.registry.finding("AL704", path, drop.span, message, guidance)
            for call in index.ordered:
                option = _drop_schema_option(call) if type(call) is ir.Call else None
                if option is not None and not _under_flag(function, call):
                    message = (
                        "the TypeORM data source sets `dropSchema: true`: every connection at start-up drops the whole "
                        "schema (with `synchronize: true` it is then recreated empty) — all data is lost on every restart"
                    )
                    guidance = "Remove `dropSchema` (keep it to test data sources); create the schema with migrations or `synchronize` alone in development."
                    yield ctx.registry.finding("AL704", path, option.span, message, guidance)


def _drop_schema_option(call: ir.Call):
    for arg in call.args:
        if type(arg.value) is ir.Obj:
            for entry in arg.value.entries:
                if entry.key == "dropSchema" and type(entry.value) is ir.Const and entry.value.value is True:
                    return entry.value
    return None


def _under_flag(function: ir.Function, call) -> bool:
    """Inside an ``if`` (``if settings.RESET_DB:`` / ``if (process.env.NODE_ENV === 'test')``): a
    deliberate, guarded reset."""
    for node in ir.iter_nodes(function.body):
        branches = (node.body, node.orelse) if type(node) is ir.If else (node.then, node.orelse) if type(node) is ir.Cond else ()
        if any(inner is call for branch in branches for inner in ir.iter_nodes(branch)):
            return True
    return False


# AL706 -------------------------------------------------------------------------------------------------
def _bcrypt_limit(ctx: CheckContext, program) -> Iterator[Finding]:
    bcrypt = _declared(ctx, "bcrypt")
    passlib = _declared(ctx, "passlib")
    major = _major(bcrypt)
    if bcrypt is None and passlib is None:
        return
    raises = major is None or major >= 5  # an unpinned bcrypt installs 5.x
    if not raises:
        return
    for path in _importers(ctx, ("passlib", "bcrypt")):
        module = program.modules.get(path)
        if module is None or module.language != "python":
            continue
        for function in module.functions:
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Call:
                    continue
                name = web.callee_name(program, path, node)
                if name == "passlib.context.CryptContext" and _bcrypt_scheme(node) and passlib is not None:
                    message = (
                        f"passlib's bcrypt handler with bcrypt {bcrypt.spec if bcrypt is not None and bcrypt.spec else '(unpinned: 5.x)'}: "
                        f"passlib 1.7.4 hashes a >72-byte probe when it loads the backend, and bcrypt 5 raises "
                        f"\"ValueError: password cannot be longer than 72 bytes\" — every registration and login fails with a 500"
                    )
                    guidance = "Pin `bcrypt<5` next to passlib (or hash with the `bcrypt` package directly and reject passwords over 72 bytes)."
                    yield ctx.registry.finding("AL706", path, node.span, message, guidance)
                elif name == "bcrypt.hashpw" and not _length_checked(function, node) and not _short_literal(node):
                    message = (
                        "bcrypt.hashpw on a password whose length is never checked: bcrypt 5 raises \"ValueError: password "
                        "cannot be longer than 72 bytes\" on a longer password, so registration returns 500"
                    )
                    guidance = "Reject passwords over 72 bytes with a 422 before hashing (`len(password.encode()) > 72`), or validate the length in the request schema."
                    yield ctx.registry.finding("AL706", path, node.span, message, guidance)


def _short_literal(call: ir.Call) -> bool:
    """``bcrypt.hashpw(b"placeholder", …)``: a literal of at most 72 bytes (open-webui hashes one at
    import for constant-time sign-in), not a user's password."""
    password = call.arg(0, "password")
    if type(password) is not ir.Const or not isinstance(password.value, (str, bytes)):
        return False
    value = password.value.encode() if isinstance(password.value, str) else password.value
    return len(value) <= 72


def _importers(ctx: CheckContext, packages: tuple) -> list[str]:
    """Production files importing one of ``packages`` (read into the model on demand: a
    ``security.py`` that hashes passwords imports no database module)."""
    found = []
    for path in sorted(ctx.files):
        if non_production(path):
            continue
        for edge in ctx.graph.out_edges(path):
            if edge.external and edge.target.split(".")[0].split(":")[0] in packages:
                found.append(path)
                break
    return found


def _declared(ctx: CheckContext, name: str):
    return next((d for d in ctx.manifest.dependencies if d.name.lower() in (name, f"{name}[bcrypt]")), None)


def _major(dependency) -> int | None:
    """The highest major version a manifest's specifier allows (``<5`` → 4, ``==4.0.1`` → 4, ``^4.1`` → 4)."""
    return highest_major(dependency.spec) if dependency is not None else None


def _bcrypt_scheme(node: ir.Call) -> bool:
    schemes = node.arg(keyword="schemes") or node.arg(0)
    return type(schemes) is ir.Seq and any(type(e) is ir.Const and e.value == "bcrypt" for e in schemes.elts)


def _length_checked(function: ir.Function, call: ir.Call) -> bool:
    """A ``len(…)`` comparison or a ``[:72]`` slice in the function that hashes."""
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Compare and any(type(n) is ir.Call and type(n.func) is ir.Name and n.func.id == "len"
                                            for n in ir.iter_nodes((node.left, node.right))):
            return True
        if type(node) is ir.Index and type(node.index) is ir.Opaque and node.index.kind == "slice":
            return True
    return False
