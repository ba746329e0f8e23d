"""stack rules: AL701 ``postgres://`` given to SQLAlchemy, AL702 a DB driver or ORM the code needs
but the manifest does not declare.

Server start-up failures were 28 % of the study's failed runs; these two are the cheapest to see
statically: SQLAlchemy rejects the ``postgres`` scheme (NoSuchModuleError), and an import — or a
Sequelize ``dialect`` — whose package is missing from requirements.txt / pyproject / package.json
fails with ModuleNotFoundError / "Please install pg package manually" on a clean install.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches
from archlint.semantics.options import Option

# A URL has something after the scheme: a bare "postgres://" is the pattern of the Heroku idiom
# that rewrites the scheme (`url.replace("postgres://", "postgresql://", 1)`), not a URL.  The pattern
# reads a string literal's own value (a connection URL, configuration written in code), not
# argument or callee text.
_POSTGRES_SCHEME = re.compile(r"^postgres://.")
_DIALECT_PACKAGES = {"postgres": ("pg",), "sqlite": ("sqlite3",), "mysql": ("mysql2",), "mariadb": ("mariadb",), "mssql": ("tedious",)}


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.selected("AL701"):  # (the only part that reads the data layer of a Python tree)
        yield from _postgres_scheme(ctx)
    if ctx.selected("AL702"):
        yield from _undeclared(ctx)


# AL701 ----------------------------------------------------------------------------------------------
def _postgres_scheme(ctx: CheckContext) -> Iterator[Finding]:
    data = ctx.datalayer
    engine_files = {c.path for c in data.constructs if c.stack == "sqlalchemy" and c.kind == "engine"}
    if not engine_files:
        return
    for path in sorted(p for p, f in ctx.files.items() if f.language == "python" and f.signals and not non_production(p)):
        for string in ctx.files[path].strings:
            if _POSTGRES_SCHEME.match(string.text):
                message = (
                    "`postgres://` is not a SQLAlchemy dialect name: create_engine raises NoSuchModuleError "
                    "(Can't load plugin: sqlalchemy.dialects:postgres) and the server does not start"
                )
                guidance = "Use `postgresql://` (or `postgresql+psycopg://`); for a Heroku-style DATABASE_URL, replace the scheme before create_engine."
                yield ctx.registry.finding("AL701", path, string.span, message, guidance)


# AL702 ----------------------------------------------------------------------------------------------
def _undeclared(ctx: CheckContext) -> Iterator[Finding]:
    """Judged per project: a file is held to the manifests its own project sees (its own and
    those of the projects it is nested in), never a sibling's or a sub-project's — label-studio's
    ``tests/loadtests/requirements.txt`` (locust) does not declare the whole tree's dependencies."""
    by_project: dict[str, dict[str, set[str]]] = {}
    entries = [e for e in ctx.knowledge.entries if e.kind in ("driver", "orm") and e.packages]
    integrations: dict[str, bool] = {}
    for path in sorted(ctx.files):
        facts = ctx.files[path]
        ecosystem = "pypi" if facts.language == "python" else "npm"
        project = ctx.projects.of(path)
        declared = by_project.get(project)
        if declared is None:
            declared = by_project[project] = {"pypi": set(), "npm": set()}
            hoisted = _workspace_of(ctx, project)
            for dependency in ctx.manifest.dependencies:
                if ctx.projects.sees(project, dependency.path):
                    declared[dependency.ecosystem].add(dependency.name.lower())
                elif dependency.ecosystem == "npm" and ctx.projects.of(dependency.path) in hoisted:
                    declared["npm"].add(dependency.name.lower())
        if non_production(path) or not declared[ecosystem] or not facts.parsed or _optional_integration(ctx, path, integrations):
            continue
        reported: set[str] = set()
        optional = {record.span for record in facts.imports if record.optional}
        for edge in ctx.graph.out_edges(path):
            if not edge.external or edge.kind == "type-only" or edge.span in optional:
                continue  # a driver imported inside try/except ImportError is an optional fallback
            entry = next((e for e in entries if any(module_matches(edge.target, m) for m in e.modules)), None)
            if entry is None or (entry.language == "python") != (ecosystem == "pypi") or entry.name in reported:
                continue
            if not _declares(entry, declared[ecosystem]):
                reported.add(entry.name)
                yield _missing(ctx, path, edge.span, edge.specifier, entry.packages, ecosystem)
        if ecosystem == "npm":
            yield from _sequelize_dialect(ctx, path, declared["npm"])


def _declares(entry, declared: set[str]) -> bool:
    """Whether the declared distributions install ``entry``: one of its packages, or a plugin whose name
    starts with one of its ``package_prefixes`` (a `django-*` app requires Django)."""
    if {p.lower() for p in entry.packages} & declared:
        return True
    prefixes = tuple(entry.extra.get("package_prefixes", ()))
    return bool(prefixes) and any(name.startswith(prefixes) for name in declared)


def _workspace_of(ctx: CheckContext, project: str) -> frozenset[str]:
    """The projects an npm/yarn workspace installs together with ``project``: a package.json
    ``workspaces`` list above it that names it makes one ``node_modules`` at the workspace root, where
    every member's dependencies are hoisted — ``require('sequelize')`` in ``packages/api`` finds the
    copy ``packages/db`` declares.  (pnpm keeps members apart; it reads ``pnpm-workspace.yaml``, not
    this field.)  Empty when ``project`` is no workspace member."""
    for package in ctx.manifest.packages:
        if not package.workspaces:
            continue
        root = package.directory
        prefix = f"{root}/" if root else ""
        members = {
            candidate for candidate in ctx.projects.roots
            if candidate != root and candidate.startswith(prefix)
            and any(fnmatchcase(candidate[len(prefix):], glob) for glob in package.workspaces)
        }
        if project in members:
            return frozenset(members | {root})
    return frozenset()


# Where a library keeps its optional integrations with other packages (``django.contrib``,
# ``starlette_admin.contrib.sqla``, ``sentry_sdk.integrations.sqlalchemy``).  Not ``plugins/``:
# a Fastify app's ``src/plugins/db.js`` is loaded by @fastify/autoload, which no import shows.
_INTEGRATION_DIRS = frozenset({"contrib", "integrations"})


def _optional_integration(ctx: CheckContext, path: str, seen: dict[str, bool]) -> bool:
    """``path`` lies in an integration subpackage (``<pkg>/contrib/sqla/…``) that nothing outside
    the integrations imports: only a user who imports the integration runs it, and that user has
    the package it adapts (starlette-admin's ``contrib/sqla`` imports SQLAlchemy, which the wheel
    does not declare).  The import a clean install runs is the one the library's own modules make."""
    parts = path.split("/")
    index = next((i for i, part in enumerate(parts[:-1]) if part in _INTEGRATION_DIRS and i > 0), -1)
    if index < 0:
        return False
    root = "/".join(parts[:index + 2])
    root = root.rsplit(".", 1)[0] if index + 2 == len(parts) else root  # contrib/sqla.py is its own root
    if root not in seen:
        # another integration beside it may build on it (``contrib/sqlmodel`` on ``contrib/sqla``)
        home = "/".join(parts[:index + 1]) + "/"
        inside = [p for p in ctx.files if p == path or p.startswith(root + "/") or p.rsplit(".", 1)[0] == root]
        seen[root] = not any(not edge.source.startswith(home) and not non_production(edge.source)
                             for member in inside for edge in ctx.graph.in_edges(member))
    return seen[root]


def _sequelize_dialect(ctx: CheckContext, path: str, declared: set[str]) -> Iterator[Finding]:
    for construct in ctx.datalayer.constructs:
        if construct.path != path or construct.stack != "sequelize":
            continue
        dialect = _dialect_option(ctx, construct)
        packages = _DIALECT_PACKAGES.get(dialect.lower(), ()) if dialect else ()
        if packages and not set(packages) & declared:
            yield _missing(ctx, path, construct.span, f"dialect '{dialect}'", packages, "npm")


def _dialect_option(ctx: CheckContext, construct) -> str | None:
    """The ``dialect`` of ``new Sequelize(…, { dialect: 'mysql' })``: a string constant in an option
    object among the arguments (a literal, or an object a constant holds)."""
    program = ctx.program
    record = program.call_record(construct.path, construct.span) if program is not None else None
    if record is None:
        return None
    for index in range(len(record.node.args)):
        option = Option.argument(record.node, record.args, index)
        if option is None:
            return None
        dialect = option.get("dialect") if option.is_record else None
        if dialect is not None and dialect.string is not None:
            return dialect.string
    return None


def _missing(ctx: CheckContext, path: str, span, what: str, packages, ecosystem: str) -> Finding:
    manifest = "requirements.txt / pyproject.toml" if ecosystem == "pypi" else "package.json"
    failure = (
        "ModuleNotFoundError at import" if ecosystem == "pypi"
        else "\"Cannot find module\" / Sequelize's \"Please install … package manually\" at start-up"
    )
    message = (
        f"`{what}` needs the `{packages[0]}` package, which {manifest} does not declare: on a clean install the "
        f"server fails with {failure}"
    )
    guidance = f"Add `{packages[0]}` to {manifest} (pin the version you develop with)."
    return ctx.registry.finding("AL702", path, span, message, guidance)
