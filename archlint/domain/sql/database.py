"""Which database a project uses, from the facts alone — with the evidence for it.

Embedded SQL is only right or wrong *for a database*: ``ILIKE`` is fine on PostgreSQL and a
syntax error on SQLite.  The signals, strongest first (reference §5):

1. DB URLs — string literals in code (``create_engine("postgresql+psycopg://…")``, the
   ``os.getenv("DATABASE_URL", "sqlite:///./app.db")`` fallback) and ``.env`` / compose values;
2. explicit options — Sequelize ``dialect: 'postgres'``, knex ``client: 'pg'``, TypeORM ``type``, Django's
   ``ENGINE: "django.db.backends.sqlite3"``, Kysely's dialect class (``new SqliteDialect(…)``);
3. drivers imported by the code (psycopg, sqlite3, mysql2 …);
4. docker-compose images (a ``postgres`` service may be unused, so it only breaks ties).

The strongest kind present decides; a tie there is broken by the next kind, so a project that
imports both sqlite3 and psycopg follows its URLs.  Test files do not vote: an in-memory SQLite
URL in ``conftest.py`` says nothing about production, and neither does one in a branch that runs only
under the tests (``if app.config["TESTING"]: … "sqlite:///:memory:"``).  Pure function; the stack-verification
command reuses it.
"""

from __future__ import annotations

import re
from collections import Counter

from archlint.domain import ir
from archlint.domain.arguments import ir_calls
from archlint.domain.facts import FileFacts
from archlint.domain.graph import ModuleGraph
from archlint.domain.datalayer import migration
from archlint.domain.knowledge import module_matches
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.manifest import Manifest
from archlint.domain.records import NamedTuple
from archlint.domain.sql.knowledge import SqlKnowledge

# (a shell default `${DATABASE_URL:-postgres://…}` / `${DATABASE_URL:=…}` puts the URL after `:-` / `:=`)
_URL = re.compile(r"(?:(?<=:-)|(?<=:=)|(?<![\w+.-]))([A-Za-z][\w]*)(?:\+[\w]+)?:(?://|/|:memory:)")
_FILE_DB = re.compile(r"\bfile:[^\s'\"`]*\.(?:db|sqlite3?)\b", re.IGNORECASE)
_OPTION_KEYS = frozenset({"dialect", "client", "type", "provider"})
_TEST_PATH = re.compile(r"(^|/)(tests?|__tests__|spec|fixtures?)/|(^|/)(test_[^/]*|[^/]*_test\.py|conftest\.py|[^/]*\.(test|spec)\.[jt]sx?)$")
_RANK = ("url", "option", "driver", "image")
_DJANGO_ENGINE = re.compile(r"^django\.db\.backends\.(\w+)$")
_PRISMA_PROVIDER = lazy_compile(r'datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"(\w+)"', re.DOTALL)


class Evidence(NamedTuple):
    database: str
    kind: str  # url | option | driver | image
    path: str
    line: int
    detail: str  # the URL scheme, option value, driver or image


class DatabaseChoice(NamedTuple):
    database: str | None  # None: no signal, or signals that contradict each other evenly
    evidence: tuple[Evidence, ...]

    def databases(self) -> frozenset[str]:
        return frozenset(e.database for e in self.evidence)


def detect_database(
    files: dict[str, FileFacts], graph: ModuleGraph, manifest: Manifest, sql: SqlKnowledge
) -> DatabaseChoice:
    evidence: list[Evidence] = []
    for path in sorted(files):
        facts = files[path]
        if not facts.parsed or _TEST_PATH.search(path):
            continue
        externals = [edge for edge in graph.out_edges(path) if edge.external]
        evidence.extend(_driver_evidence(path, facts, externals, sql))
        # Only files whose cheap pass saw SQL/URL strings, or that import an ORM, have their
        # bodies read: detection must not load the body of every file of a large project.
        if facts.signals:
            evidence.extend(_url_evidence(path, facts, sql))
        if not migration(path) and any(module_matches(e.target, m) for e in externals for m in sql.orm_modules):
            evidence.extend(_option_evidence(path, facts, sql))  # migrations configure no connection
        elif _KNEXFILE.match(path.rsplit("/", 1)[-1]):
            evidence.extend(_knexfile_evidence(path, facts, sql))
    for path, text in manifest.schema_files:  # schema.prisma: datasource db { provider = "sqlite" }
        match = _PRISMA_PROVIDER.search(text) if path.endswith(".prisma") else None
        dialect = sql.dialect_for_option(match.group(1)) if match is not None else None
        if dialect is not None:
            evidence.append(Evidence(dialect.name, "option", path, text.count("\n", 0, match.start()) + 1, match.group(1)))
    if any(d.name == "sequelize" for d in manifest.dependencies):
        for path, text in manifest.connection_configs:
            evidence.extend(_sequelize_config_evidence(path, text, sql))
    for env in manifest.env:
        for database, scheme in urls_in(env.value, sql):
            evidence.append(Evidence(database, "url", env.path, env.line, f"{env.name}={scheme}://…"))
    for service in manifest.services:
        image = service.image.split(":", 1)[0].lower()
        dialect = next((d for d in sql.dialects.values() if image in d.images), None)
        if dialect is not None:
            evidence.append(Evidence(dialect.name, "image", service.path, service.line, service.image))
    return DatabaseChoice(_decide(evidence), tuple(evidence))


# sequelize-cli runs (and its generated models/index.js connects) with NODE_ENV, `development` when unset
_SEQUELIZE_DEFAULT_ENV = "development"


def _sequelize_config_evidence(path: str, text: str, sql: SqlKnowledge) -> list[Evidence]:
    """sequelize-cli's ``config/config.json``: the ``dialect`` of its ``development`` entry, the one the
    app and the CLI use when ``NODE_ENV`` is unset (``production`` may name another database)."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return []
    entry = data.get(_SEQUELIZE_DEFAULT_ENV) if isinstance(data, dict) else None
    value = entry.get("dialect") if isinstance(entry, dict) else None
    dialect = sql.dialect_for_option(value) if isinstance(value, str) else None
    if dialect is None:
        return []
    at = text.find(f'"{_SEQUELIZE_DEFAULT_ENV}"')
    line = text.count("\n", 0, at) + 1 if at >= 0 else 1
    return [Evidence(dialect.name, "option", path, line, f"{value} ({_SEQUELIZE_DEFAULT_ENV})")]


def _decide(evidence: list[Evidence]) -> str | None:
    candidates: set[str] | None = None
    for kind in _RANK:
        votes = Counter(e.database for e in evidence if e.kind == kind and (candidates is None or e.database in candidates))
        if not votes:
            continue
        best = max(votes.values())
        leaders = {database for database, count in votes.items() if count == best}
        if len(leaders) == 1:
            return leaders.pop()
        candidates = leaders
    return None


def _driver_evidence(path: str, facts: FileFacts, externals, sql: SqlKnowledge) -> list[Evidence]:
    language = "python" if facts.language == "python" else "node"
    found = []
    for driver, modules in sql.driver_modules.items():
        database = sql.driver_databases.get(driver, "")
        if not database or sql.driver_languages.get(driver, language) != language:
            continue
        edge = next((e for e in externals if any(module_matches(e.target, m) for m in modules)), None)
        if edge is not None:
            found.append(Evidence(database, "driver", path, edge.span.line, driver))
    if language == "node":
        for database, modules in sql.dialect_modules.items():
            hit = next(((e, m) for e in externals for m in modules if module_matches(e.target, m)), None)
            if hit is not None:  # import { drizzle } from 'drizzle-orm/bun-sqlite' / import { Database } from 'bun:sqlite'
                found.append(Evidence(database, "driver", path, hit[0].span.line, hit[1]))
    return found


def _url_evidence(path: str, facts: FileFacts, sql: SqlKnowledge) -> list[Evidence]:
    found = []
    for literal in facts.strings:
        engine = _DJANGO_ENGINE.match(literal.text)  # DATABASES["default"]["ENGINE"]: an explicit option
        dialect = sql.dialect_for_scheme(engine.group(1).split("_")[0]) if engine else None  # postgresql_psycopg2
        if dialect is not None:
            found.append(Evidence(dialect.name, "option", path, literal.span.line, f"ENGINE {literal.text}"))
        for database, scheme in urls_in(literal.text, sql):
            found.append(Evidence(database, "url", path, literal.span.line, f"{scheme}://…"))
    if not found:  # the IR is read only for a file with a database URL or engine (not lowered for the rest)
        return found
    testing = _test_only_lines(facts)
    # `if app.config['TESTING']: …'sqlite:///:memory:'`: the test database, not the app's
    return [evidence for evidence in found if not any(first <= evidence.line <= last for first, last in testing)]


# A flag or environment value that means "running under the tests": `app.testing`, `settings.TESTING`,
# `app.config["TESTING"]`, `os.getenv("TESTING")`, `ENV == "test"`, `"pytest" in sys.modules`.
_TESTING = lazy_compile(r"^(?:testing|tests?|is_testing|is_test|pytest|unittest|running_tests?|under_test)$|_testing$", re.IGNORECASE)


def _test_only_lines(facts: FileFacts) -> list[tuple[int, int]]:
    """Line ranges of the branches that run only under tests (the body of ``if app.testing:``,
    the ``else`` of ``if not settings.TESTING:``), from the IR; none without it."""
    if facts.ir is None:
        return []
    ranges = []
    for function in facts.ir.functions:
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.If:
                continue
            guard = _testing_guard(node.test)
            branch = node.body if guard == 1 else node.orelse if guard == -1 else ()
            if branch:
                ranges.append((branch[0].span.line, branch[-1].span.end_line))
    return ranges


def _testing_guard(test) -> int:
    """1 when ``test`` holds exactly under the tests, -1 when exactly outside them, else 0 (a
    condition that mixes in anything else — ``if app.testing or DEBUG:`` — is no test branch)."""
    kind = type(test)
    if kind is ir.Unary and test.op == "not":
        return -_testing_guard(test.operand)
    if kind is ir.Compare:
        sign = 1 if test.op in ("==", "in", "is") else -1 if test.op in ("!=", "not-in", "is-not") else 0
        sides = (test.left, test.right)
        if sign and any(type(s) is ir.Const and isinstance(s.value, str) and _TESTING.search(s.value) for s in sides):
            return sign  # ENV == "test", "pytest" in sys.modules
        if sign and test.op in ("==", "!=", "is", "is-not") and any(type(s) is ir.Const and s.value is True for s in sides):
            return sign * _testing_guard(test.left if type(test.right) is ir.Const else test.right)  # TESTING == True
        return 0
    if kind is ir.Name:
        return 1 if _TESTING.search(test.id) else 0
    if kind is ir.Attr:
        return 1 if _TESTING.search(test.name) else 0
    if kind is ir.Index:
        key = test.index
        return 1 if type(key) is ir.Const and isinstance(key.value, str) and _TESTING.search(key.value) else 0
    if kind is ir.Call and test.args:  # os.getenv("TESTING"), app.config.get("TESTING")
        first = test.args[0].value
        named = type(test.func) is ir.Attr and test.func.name in ("get", "getenv") or type(test.func) is ir.Name and test.func.id == "getenv"
        return 1 if named and type(first) is ir.Const and isinstance(first.value, str) and _TESTING.search(first.value) else 0
    return 0


def urls_in(text: str, sql: SqlKnowledge) -> list[tuple[str, str]]:
    found = []
    for match in _URL.finditer(text):
        dialect = sql.dialect_for_scheme(match.group(1))
        if dialect is not None:
            found.append((dialect.name, match.group(1).lower()))
    if not found and _FILE_DB.search(text) and "sqlite" in sql.dialects:
        found.append(("sqlite", "file"))
    return found


def _option_evidence(path: str, facts: FileFacts, sql: SqlKnowledge) -> list[Evidence]:
    """A connection option naming the database in an object literal a call is given, also nested
    (``knex({ client: 'pg' })``, ``new Sequelize(url, { dialect: 'sqlite' })``, TypeORM's
    ``new DataSource({ type: 'postgres' })``): JS/TS object keys, read from the IR."""
    found = []
    if facts.language == "python":
        return found  # Python passes URLs and keywords (``{"type": …}`` dicts are not connection options)
    for call in facts.calls if sql.dialect_constructors else ():
        database = sql.dialect_constructors.get(call.resolved or "")
        if database is not None:  # new Kysely({ dialect: new SqliteDialect({ database }) })
            found.append(Evidence(database, "option", path, call.span.line, f"new {call.resolved.rsplit(':', 1)[-1]}"))
    calls = ir_calls(facts)
    functions = facts.ir.functions if facts.ir is not None else ()
    seen = set()  # an object nested in another call's arguments (`@Module({ imports: [X.forRoot({…})] })`) counts once
    for span in sorted(calls):
        stack = [arg.value for arg in calls[span].args]
        while stack:
            node = stack.pop()
            for node in ir.iter_nodes(node):
                if type(node) is not ir.Obj or node.span in seen:
                    continue
                seen.add(node.span)
                for entry in node.entries:
                    value = entry.value
                    if entry.key == "useFactory" and type(value) is ir.FuncRef and 0 <= value.fid < len(functions):
                        stack.append(functions[value.fid].body)  # forRootAsync({ useFactory: () => ({ dialect: … }) })
                found.extend(_object_options(path, node, span.line, sql))
    return found


def options_database(node: ir.Obj, sql: SqlKnowledge) -> str | None:
    """The database one connection's options object names (``{ dialect: 'sqlite', storage }``), else ``None``."""
    found = {evidence.database for evidence in _object_options("", node, 0, sql)}
    return found.pop() if len(found) == 1 else None


def _object_options(path: str, node: ir.Obj, line: int, sql: SqlKnowledge) -> list[Evidence]:
    """``{ client: 'sqlite3' }`` — or ``{ client: process.env.DB_CLIENT || 'sqlite3' }``: the value used
    when the variable is unset is the database the app runs on by default."""
    found = []
    for entry in node.entries:
        value = entry.value
        if type(value) is ir.BoolOp and value.op in ("or", "??") and value.values:
            value = value.values[-1]
        if entry.key in _OPTION_KEYS and type(value) is ir.Const and isinstance(value.value, str):
            dialect = sql.dialect_for_option(value.value)
            if dialect is not None:
                found.append(Evidence(dialect.name, "option", path, line, value.value))
    return found


_KNEXFILE = re.compile(r"knexfile\.(?:js|cjs|mjs|ts)$")


def _knexfile_evidence(path: str, facts: FileFacts, sql: SqlKnowledge) -> list[Evidence]:
    """knex's own configuration file (the CLI and ``require('./knexfile')[env]`` read it): its
    environments' ``client`` options, in any object literal of the file (it imports no knex)."""
    if facts.language == "python" or not facts.ir:
        return []
    found = []
    # `export default { client: 'pg', … }` is an export's value, in no function body
    roots = [function.body for function in facts.ir.functions] + [e.value for e in facts.ir.exports if e.value is not None]
    for root in roots:
        for node in ir.iter_nodes(root):
            if type(node) is ir.Obj:
                found.extend(_object_options(path, node, node.span.line, sql))
    return list(dict.fromkeys(found))


_ASYNCPG_URL = lazy_compile(r"\bpostgres(?:ql)?\+asyncpg://")


def asyncpg_signal(files: dict[str, FileFacts], manifest: Manifest, choice: DatabaseChoice) -> str:
    """Where a PostgreSQL project shows that its driver is asyncpg — a ``postgresql+asyncpg://`` URL
    in code or an env file, or asyncpg as its only PostgreSQL driver import — else ``""``.  Rules
    about asyncpg's strict codecs (aware datetimes, string LIMITs) need the driver, not only the
    database: psycopg accepts what asyncpg rejects."""
    if choice.database != "postgresql":
        return ""
    for path in sorted(files):
        if _TEST_PATH.search(path):
            continue
        for literal in files[path].strings:
            if _ASYNCPG_URL.search(literal.text):
                return f"`postgresql+asyncpg://` in {path}:{literal.span.line}"
    for env in manifest.env:
        if _ASYNCPG_URL.search(env.value):
            return f"`{env.name}=postgresql+asyncpg://…` in {env.path}:{env.line}"
    drivers = [e for e in choice.evidence if e.kind == "driver" and e.database == "postgresql"]
    if drivers and all(e.detail == "asyncpg" for e in drivers):
        return f"`asyncpg` imported in {drivers[0].path}:{drivers[0].line}"
    return ""
