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
    runs = _builder_queries(ctx)
    if not paths and not runs:
        return
    typed = _typed_receivers(ctx) if paths else {}
    text_projects = ctx.projects.split(paths)
    lifted_projects: dict[str, list] = {}
    for run in runs:
        lifted_projects.setdefault(ctx.projects.of(_first_path(run)), []).append(run)
    # The database (so the dialect) and the schema are guessed per project: one package's URL or
    # models say nothing about its sibling's SQL (domain/projects.py).
    for project in sorted(set(text_projects) | set(lifted_projects)):
        project_paths = text_projects.get(project, [])
        files = ctx.project_files(project)
        choice = detect_database(files, ctx.graph, ctx.projects.manifest_of(ctx.manifest, project), sql)
        sites = sql_sites(ctx.files, project_paths, ctx.datalayer, ctx.graph, sql, choice.database, typed) if project_paths else []
        sites = [site for site in sites if not site.helper] + _helper_sites(ctx, sites, sql, choice.database, project_paths)
        sites = _guarded(ctx, sites, sql)
        reported: set[tuple[str, str, int]] = set()
        catalog = None
        if (sites or lifted_projects.get(project)) and ctx.program is not None:
            from archlint.checks.sql import lifting

            catalog = lifting.project_catalog(ctx, project, choice.database, sql)  # one schema per project
        if sites:
            # sqlglot (~0.2 s to import) is loaded only for projects that have SQL to analyse.
            from archlint.checks.sql import runner

            for item in runner.run(ctx, sites, project_paths, sql, choice.database, project, catalog):
                reported.add((item.rule, item.path, item.line))
                yield item
        if lifted_projects.get(project):
            from archlint.checks.sql import lifting

            for item in lifting.run(ctx, lifted_projects[project], project, sql, choice.database, catalog):
                key = (item.rule, item.path, item.line)
                if key not in reported:  # raw SQL inside a builder chain was judged as SQL text already
                    reported.add(key)
                    yield item


def _helper_sites(ctx: CheckContext, sites: list, sql: SqlKnowledge, database: str | None, paths: list) -> list:
    """The SQL callers hand a query helper: a sink whose SQL is a parameter of the function it is in
    (``def _fetchone(self, query, vars): cursor.execute(query, vars)`` — alerta's backend, the Flask tutorial's
    ``query_db(query, args=())``) runs the text each caller passes, with the values it passes for the helper's
    own value parameters: one site per call of the helper the call graph records, judged where the caller wrote
    its SQL.  A helper that passes values it builds itself, or a caller whose text is not known, gives none."""
    program = ctx.program
    if program is None:
        return []
    from archlint.domain import ir
    from archlint.domain.facts import Argument
    from archlint.domain.ir_format import render
    from archlint.domain.sql.sites import helper_site
    from archlint.semantics.callers import argument_sites

    in_project = set(paths)
    found = []
    for site in sites:
        if site.sql is not None or site.bound is None or type(site.bound[0]) is not ir.Name:
            continue
        name = site.bound[0].id
        module = program.modules.get(site.path)
        function = ir.innermost_function(module, site.call.span) if module is not None else None
        if function is None or function.kind == "module" or function.scope_of(name) != "param":
            continue
        values = site.bound[1]
        if len(values) != len(site.params) or any(
                arg.kind != "pos" or type(arg.value) is not ir.Name or function.scope_of(arg.value.id) != "param" for arg in values):
            continue  # values the helper builds itself, or passes by keyword: not the caller's to count
        passed = tuple(arg.value.id for arg in values)
        defaults = {param.name: param.default for param in function.params}
        changed = any(type(node) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in node.targets)
                      for node in ir.iter_nodes(function.body))
        for path, node, slots in argument_sites(program, site.path, function.fid, (name,) + passed):
            facts = ctx.files.get(path)
            if path not in in_project or facts is None or slots[name] is None:
                continue
            call = next((c for c in facts.calls if c.span == node.span), None)
            if call is None:
                continue
            arguments = call.arguments(full=True)
            params = []
            for value in passed:
                index = slots[value]
                if index is not None and index < len(arguments):
                    params.append(Argument("", arguments[index].text))
                elif index is None and defaults.get(value) is not None:
                    params.append(Argument("", render(defaults[value], 80)))
                else:
                    params = None
                    break
            if params is None:
                continue
            lifted = helper_site(ctx.files, ctx.graph, sql, database, site, path, call, slots[name], tuple(params), not changed)
            if lifted is not None:
                found.append(lifted)
    return found


def _guarded(ctx: CheckContext, sites: list, sql: SqlKnowledge) -> list:
    """What the IR knows about each site that the text extraction does not:

    * a site inside ``if bind.dialect.name == "postgresql":`` (or after ``if … != "postgresql":
      return``) runs only on that database: it is judged in that dialect, not the project's;
    * a hole that is a parameter declared ``number`` / ``int`` / ``bool`` prints digits or
      true/false: it cannot carry a quote, so it is no injection (effect's ``pid = ${pid}``);
      a local whose every assignment is built from literals — through branches and nested
      helpers called with literals — is fixed text (:mod:`archlint.semantics.hole_values`)."""
    program = ctx.program
    if program is None or not sites:
        return sites
    from archlint.semantics.dialect_guards import Excluded, guarded_dialects

    imported = {name for facts in ctx.files.values() for record in facts.imports for name in record.names}

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__") and name not in imported

    result = []
    for site in sites:
        module = program.modules.get(site.path)
        site = _typed_holes(program, site, private)
        names = guarded_dialects(module, site.call.span, sql.dialect_subjects, _dialect_helper(program, site.path, sql)) \
            if module is not None else None
        databases = {sql.database_named(name) for name in names} if names else set()
        if names is None and module is not None:
            # `sequelize = new Sequelize({ dialect: 'sqlite', … })` just before, in place: that connection's database
            databases = _constructed_databases(program, module, site.call.span, sql)
            names = frozenset(databases)
        if type(names) is Excluded:
            if site.database in databases:  # `else` of `if (dialect === 'postgres')`: another database's SQL
                site = site._replace(database=None)
        elif len(databases) == 1 and None not in databases:
            database = databases.pop()
            if database != site.database:
                site = site._replace(database=database)
        result.append(site)
    return result


def _dialect_helper(program, path: str, sql: SqlKnowledge):
    """Whether a call answers the connection's dialect name: a project function every ``return`` of which
    is the name of a database (``function getDbClient(db) { … if (client === 'pg') return 'postgres' …
    return 'sqlite' }``, ``getDatabaseType()`` read from the URL) — code that picks its SQL by what it
    answers tests a dialect like ``knex.client.config.client`` itself."""
    from archlint.domain import ir
    from archlint.semantics import values as v

    cache = program.memoised("sql.dialect_helpers", dict)  # (path, fid) → answers a database name

    def answers(call) -> bool:
        target = v.strip(program.static_value(path, call.func)) if type(call.func) in (ir.Name, ir.Attr) else None
        if type(target) is not v.Function:
            return False
        key = (target.path, target.fid)
        if key not in cache:
            function = program.function(target.path, target.fid)
            returned = [node.value for node in ir.iter_nodes(function.body) if type(node) is ir.Return] if function else []
            cache[key] = bool(returned) and all(
                type(value) is ir.Const and isinstance(value.value, str) and sql.database_named(value.value) is not None
                for value in returned)
        return cache[key]

    return answers


def _constructed_databases(program, module, span, sql: SqlKnowledge) -> set:
    from archlint.domain import ir
    from archlint.domain.sql.database import options_database
    from archlint.semantics.dialect_guards import constructed_options

    function = ir.innermost_function(module, span)
    # the method calls of the function's own body, indexed once for the run (a connection's `.query(…)`)
    calls = program.node_index(function).methods.values() if function is not None else ()
    call = next((node for named in calls for node in named if node.span == span), None)
    if call is None:
        return set()
    return {options_database(options, sql) for options in constructed_options(module, call)} - {None}


def _typed_holes(program, site, private=None):
    text = site.sql
    if text is None or not text.runtime_holes:
        return site
    from archlint.domain.sql.holes import RUNTIME, SAFE
    from archlint.semantics.hole_values import constant_property, fixed_name, known, static_constant

    anchored = text.anchor is not None
    path = text.path if anchored else site.path
    module = program.modules.get(path)
    if module is None:
        return site
    span = text.anchor.span if anchored else site.call.span

    names = known(program)

    def fixed(expr: str) -> bool:
        return fixed_name(module, span, expr, private, names) or constant_property(program, path, span, expr) \
            or static_constant(program, path, expr)

    holes = tuple(hole._replace(origin=SAFE) if hole.origin == RUNTIME and fixed(hole.expr.strip()) else hole for hole in text.holes)
    return site._replace(sql=text._replace(holes=holes)) if holes != text.holes else site


def _typed_receivers(ctx: CheckContext) -> dict:
    """(path, span) of calls whose receiver the semantic model knows is a DB handle -> its stack:
    ``this.db.prepare(…)`` on a handle a constructor received, ``db.execute(…)`` on a
    ``Depends(get_db)`` session.  Only read when the model was built anyway."""
    program = ctx.program
    if program is None or not program.modules:
        return {}
    from archlint.semantics import values as v

    typed: dict = {}
    wrappers: dict = {}  # (path, fid) of a project function handing its first parameter on as a handle's SQL -> the stack
    for analysis in program.analyses():
        for record in analysis.calls:
            for option in v.options(record.receiver):
                bare = v.strip(option)
                if type(bare) is v.Db and record.node.method:
                    typed.setdefault((analysis.path, record.node.span), bare.stack)
                    if _forwards_sql(analysis.function, record.node):
                        wrappers.setdefault((analysis.path, analysis.fid), bare.stack)
                elif type(bare) is v.Query and bare.stack in ("typeorm", "knex") and record.node.method:
                    # a condition of a query builder (`qb.where(…)`, `query.whereRaw(…)`): the builder-clause sinks
                    typed.setdefault((analysis.path, record.node.span), bare.stack)
    if wrappers:
        # `db.query('UPDATE …', [id])` on a project class whose `query(sql, params)` runs `this.pool.query(sql, params)`:
        # the caller's call is where the SQL is written, so it is the site (placeholders, values, names)
        for analysis in program.analyses():
            for record in analysis.calls:
                stacks = {wrappers.get((f.path, f.fid)) for f in record.callees} - {None}
                if len(stacks) == 1 and record.node.method and record.node.args and record.node.args[0].kind == "pos":
                    typed.setdefault((analysis.path, record.node.span), stacks.pop())
    for key, stack in program.context_receivers.items():  # typed only with a caller's values (a builder passed in)
        typed.setdefault(key, stack)
    return typed


def _forwards_sql(function, node) -> bool:
    """``node`` (a call on a DB handle inside ``function``) is given ``function``'s first parameter as its SQL
    and, if anything more, its second as the values — the same argument positions as the handle's own call."""
    from archlint.domain import ir

    params = [p.name for p in function.params if p.kind in ("pos", "posonly") and p.name not in ("self", "this")]
    args = node.args
    if not params or not args or len(args) > 2 or any(a.kind != "pos" for a in args):
        return False
    if type(args[0].value) is not ir.Name or args[0].value.id != params[0]:
        return False
    return len(args) == 1 or len(params) > 1 and type(args[1].value) is ir.Name and args[1].value.id == params[1]


def _builder_queries(ctx: CheckContext) -> list:
    """Queries built with a query builder or an ORM (lifted by ``archlint/semantics/builders``)."""
    if not any(e.external and e.target.split(".")[0].split("/")[0].lstrip("@") in _BUILDER_MODULES
               for path in ctx.files for e in ctx.graph.out_edges(path)):
        return []
    program = ctx.program
    if program is None or not program.modules:
        return []
    from archlint.semantics.builders import collect_queries

    return collect_queries(program)


_BUILDER_MODULES = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy", "django", "knex", "sequelize", "sequelize-typescript",
                              "typeorm", "prisma", "drizzle-orm", "objection", "nestjs"})


def _first_path(run) -> str:
    return min((chain[0].path for chain in run.query.chains), default=run.path)


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
    # Files with SQL-looking strings: a handle received through a constructor or a parameter
    # leaves no data-layer import in the file that runs the SQL.
    signalled = {path for path, facts in ctx.files.items() if facts.parsed and facts.signals}
    if ctx.bodies is not None:
        extra &= ctx.bodies  # the pipeline's plan kept only files that name a sink (`.extra(`, `RawSQL`)
        signalled &= ctx.bodies
    return sorted(set(ctx.datalayer.analysed) | extra | signalled)
