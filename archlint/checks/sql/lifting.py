"""The SQL rules on queries built with a query builder or an ORM, per project: the project's
schema (every place it defines tables), its database, and the lifted queries it runs."""

from __future__ import annotations

from collections.abc import Iterator

from archlint.checks.sql import builder_rules
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.sql import SqlKnowledge
from archlint.semantics import values as v
from archlint.semantics.builders import build_catalog
from archlint.semantics.tables import looks_like_ddl

_MIGRATION_DIRS = ("migrations", "migration", "migrate", "versions", "db/schema", "database/schema")


def run(ctx: CheckContext, runs: list, project: str, sql: SqlKnowledge, database: str | None, catalog=None) -> Iterator[Finding]:
    program = ctx.program
    if catalog is None:
        catalog = project_catalog(ctx, project, database, sql)
    dialect = sql.dialects.get(database or "")
    context = builder_rules.Context(ctx, program, catalog, dialect, sql, _handlers(program))
    seen: set[tuple[str, str, int, int]] = set()
    for item in builder_rules.run(context, runs):
        key = (item.rule, item.path, item.line, item.column)
        if key not in seen:
            seen.add(key)
            yield item


def project_catalog(ctx: CheckContext, project: str, database: str | None, sql: SqlKnowledge):
    """The project's tables from models, DDL strings, .sql/.prisma files and migrations."""
    projects = ctx.projects
    dialect = sql.dialects.get(database or "")
    in_project = lambda path: projects.of(path) == project  # noqa: E731
    ddl = []
    migrations = []
    # Django models define their tables themselves: the hundreds of migration files of a Django
    # project are read only when it has no models (Alembic's few files always are).
    modelled = any(m.stack == "django" and in_project(m.path) for m in ctx.program.schema.models.values())
    for path, facts in ctx.visible_files(project).items():
        if not facts.parsed:
            continue
        if facts.signals:
            for literal in facts.strings:
                if looks_like_ddl(literal.text):
                    ddl.append((literal.text, path, literal.span.line))
        if modelled and facts.language == "python":
            continue
        lowered = "/" + path.lower()
        if any(f"/{name}/" in lowered for name in _MIGRATION_DIRS) or lowered.rsplit("/", 1)[-1].startswith(("schema.", "migrate")):
            migrations.append(path)
    schema_files = projects.manifest_of(ctx.manifest, project).schema_files
    return build_catalog(ctx.program, in_project, ddl, schema_files, sorted(migrations), dialect.sqlglot if dialect else "")


def _handlers(program) -> frozenset:
    """(path, fid) of every route handler (Django writes are judged on request paths only);
    computed once per program (its routes are), not once per project."""
    routes = program.routes()
    memo = program.__dict__.get("_sql_route_handlers")
    if memo is not None and memo[0] is routes:
        return memo[1]
    found = set()
    for route in routes:
        handler = v.strip(route.handler)
        if type(handler) is v.Function:
            found.add((handler.path, handler.fid))
        elif type(handler) is v.ClassValue:
            cls = program.cls(handler.path, handler.cid)
            for fid in cls.methods if cls is not None else ():
                found.add((handler.path, fid))
    program.__dict__["_sql_route_handlers"] = (routes, frozenset(found))
    return program.__dict__["_sql_route_handlers"][1]
