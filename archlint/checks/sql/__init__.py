"""Embedded SQL rules (AL401–AL414) and SQL injection (AL502, AL503).

The pipeline per project: detect the database (:func:`~archlint.domain.sql.detect_database`) →
extract the SQL sites (:func:`~archlint.domain.sql.sql_sites`) → per site, lex and parse once
(:mod:`.analysis`) → run the rule families (:mod:`.runner`): injection, dialect/driver fit,
parameter counts, statement semantics and names against the schema.  Findings sit on the SQL
literal (the line inside a multi-line string where possible); a constant used by several sinks is
reported once.  Nothing here imports sqlglot until a project turns out to have SQL sites.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches
from archlint.domain.sql import SqlKnowledge, detect_database, sql_knowledge, sql_sites


def check(ctx: CheckContext) -> Iterator[Finding]:
    sql = sql_knowledge(ctx.knowledge)
    paths = candidate_paths(ctx, sql)
    if not paths:
        return
    # The database (so the dialect) and the schema are guessed per project: one package's URL or
    # models say nothing about its sibling's SQL (domain/projects.py).
    for project, project_paths in ctx.projects.split(paths).items():
        files = {path: facts for path, facts in ctx.files.items() if ctx.projects.of(path) == project}
        choice = detect_database(files, ctx.graph, ctx.projects.manifest_of(ctx.manifest, project), sql)
        sites = sql_sites(ctx.files, project_paths, ctx.datalayer, ctx.graph, sql, choice.database)
        if not sites:
            continue
        # sqlglot (~0.2 s to import) is loaded only for projects that have SQL to analyse.
        from archlint.checks.sql import runner

        yield from runner.run(ctx, sites, project_paths, sql, choice.database, project)


def candidate_paths(ctx: CheckContext, sql: SqlKnowledge) -> list[str]:
    """Files with data-layer imports, plus importers of any module a SQL sink needs (alembic)."""
    modules = {m for sink in sql.sinks for m in sink.requires_modules}
    modules |= {f.split(":")[0].split(".")[0] for sink in sql.sinks for f in sink.functions}
    extra = {
        path
        for path, facts in ctx.files.items()
        if facts.parsed
        and any(edge.external and any(module_matches(edge.target, m) for m in modules) for edge in ctx.graph.out_edges(path))
    }
    if ctx.bodies is not None:
        extra &= ctx.bodies  # the pipeline's plan kept only files that name a sink (`.extra(`, `RawSQL`)
    return sorted(set(ctx.datalayer.analysed) | extra)
