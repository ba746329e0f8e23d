"""Which files the semantic model reads, and building it.

Deep analysis (the IR and the interpreter) starts from the files on a path to the database: the
files that import a DB driver or an ORM or hold SQL/DB-URL strings, and the files that call into
them — importers up to :data:`CALLER_LEVELS` levels (route → service → repository), the call depth
the summaries follow, each counted through the names it imports (``domain/callers.py``: a name
taken from a barrel counts for the module that defines it, a re-export calls nothing, a type-only
import counts only toward a file with data-layer marks of its own; a Python file planned only for
its SQL strings counts its importers of names that may carry that SQL, and its callers further up
only once it imports from a file holding DB values: a query is an effect only on a handle, model or
builder) — and the files that import a
web framework (where apps, routers, routes and middleware are declared: what the framework rules
read).  Any other file the analysis reaches (a service a composition root wires by constructor
injection, a barrel an import goes through) is lowered when first reached; everything else keeps
the cheap facts only.
"""

from __future__ import annotations

from archlint.domain.callers import ImportedNames, callers, sql_users
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import OWNER_FLAG
from archlint.domain.knowledge import module_matches

CALLER_LEVELS = 3


def semantic_files(files, graph, knowledge, deep=None, read=None, manifest=None) -> list[str]:
    """The files the semantic model starts from: the data-layer files (``deep``: the pipeline's
    plan; without one, files importing a driver/ORM or holding SQL/DB-URL strings), the files that
    import a web framework, and their importers up to :data:`CALLER_LEVELS` levels — production
    code only (tests never decide a finding).

    In a tree whose production code imports no driver, ORM or web framework and whose manifests
    declare no driver or ORM (:func:`database_tree`), a Python file's data-layer mark can only be
    its strings (SQL- or DB-URL-looking text: the cheap signal also takes ``"(with a session)"`` in
    a message, or ``SELECT`` in a docstring or a linter's knowledge table) or a name imported from
    such a file: there no Python file starts the model.  Its body facts are still planned (the SQL
    family reads them, and loads a module into the model when a SQL site asks); only the up-front
    interpretation of its functions and their callers is skipped — on archlint's own package those
    strings started the model from 81 files, ~50 s of the run."""
    from archlint.domain.datalayer import marked, non_production
    from archlint.domain.facts import OWN_DIRECTORY

    modules = tuple(m for e in knowledge.entries if e.kind in ("orm", "driver", "framework") for m in e.modules)
    web = tuple(m for e in knowledge.entries if e.kind == "framework" for m in e.modules)
    matches: dict[tuple[str, bool], bool] = {}

    def matching(target: str, web_only: bool) -> bool:
        key = (target, web_only)
        if key not in matches:
            matches[key] = any(module_matches(target, m) for m in (web if web_only else modules))
        return matches[key]

    # `bootstrap(config)` of a framework taking the connection options in its config (orms.toml
    # [[connection_config]]): the call the database verdict reads, by the function's imported name
    configured = {tuple(name.rsplit(":", 1)) for e in knowledge.of_kind("connection_config")
                  for name in e.extra.get("functions", ())}
    strings_count = database_tree(files, graph, knowledge, manifest)
    level: set[str] = set()
    held: set[str] = set()  # files passing a DB configuration to a framework's bootstrap
    for path, facts in files.items():
        if not facts.parsed or non_production(path):
            continue
        if configured and any((record.module, name) in configured for record in facts.imports for name in record.names):
            level.add(path)
            held.add(path)
            continue
        if deep is not None:
            if path in deep and (strings_count or facts.language != "python") \
                    or any(e.external and matching(e.target, True) for e in graph.out_edges(path)):
                level.add(path)
        elif facts.signals and (strings_count or facts.language != "python") \
                or any(e.external and matching(e.target, False) for e in graph.out_edges(path)):
            level.add(path)
    # what a data-layer directory loader loads (sequelize-cli's models/index.js: the model files
    # receive `sequelize` as a parameter and import nothing that marks them)
    loaded = {e.target for path in level for e in graph.out_edges(path) if e.specifier == OWN_DIRECTORY and e.target in files}
    level |= loaded
    # a type-only import counts toward the files with marks of their own (a DB handle's or a
    # model's type annotating a parameter), not toward every caller of them
    typed = marked(files, graph, knowledge, level)
    names = ImportedNames(files, graph)
    selected = set(level)
    # A Python file planned only for its SQL-looking strings holds no DB value of its own: a query is
    # an effect only on a handle, model or builder, and those come from a driver/ORM import, a
    # framework or a name taken from such a file.  Its importers of names that may carry its SQL text
    # are read (they may run it: the SQL family's sites); its callers further up only once it is
    # reached from a file holding DB values (then it is a caller like any other, a level later).
    text_only = {path for path in level if files[path].language == "python"
                 and not (deep is not None and path not in deep) and files[path].signals
                 and not any(e.external and matching(e.target, False) for e in graph.out_edges(path))} - loaded - held
    pending = text_only | {path for path in sql_users(names, text_only, read) if not non_production(path)} - selected
    selected |= pending
    level -= text_only
    for _ in range(CALLER_LEVELS):
        level = {path for path in callers(names, level, typed) if not non_production(path)} - (selected - pending)
        if not level:
            break
        selected |= level
        pending -= level
    return sorted(p for p in selected if p in files and files[p].parsed and files[p].language != "unknown")


def database_tree(files, graph, knowledge, manifest=None) -> bool:
    """Whether a Python file of this tree can be a data-layer file: some production file imports a
    driver, an ORM or a web framework, or a manifest declares a driver or ORM as a runtime
    dependency (a subtree checked on its own).  Tests, migrations and scripts do not count: they
    never start the model, and a handle they pass into production code is typed by nothing the
    model reads up front (archlint's own tests import SQLAlchemy and Django to compile queries)."""
    from archlint.domain.datalayer import non_production

    modules = tuple(m for e in knowledge.entries if e.kind in ("orm", "driver", "framework") for m in e.modules)
    seen: set[str] = set()
    for edge in graph.edges:
        if edge.external and edge.target not in seen and edge.source in files and not non_production(edge.source):
            seen.add(edge.target)
            if any(module_matches(edge.target, m) for m in modules):
                return True
    if manifest is not None:
        declared = {_package(d.name) for d in getattr(manifest, "dependencies", ()) if not d.dev}
        if declared & {_package(p) for e in knowledge.entries if e.kind in ("orm", "driver") for p in e.packages}:
            return True
    return False


def _package(name: str) -> str:
    return name.lower().replace("_", "-")


def build_program(context: CheckContext):
    from archlint.semantics.library import Library
    from archlint.semantics.program import Program

    files = context.files

    def load(path: str):
        facts = files.get(path)
        return facts.ir if facts is not None and facts.parsed and facts.language != "unknown" else None

    modules = {}
    chosen = context.semantic if context.semantic is not None else semantic_files(files, context.graph, context.knowledge, manifest=context.manifest)
    for path in chosen:
        module = files[path].ir
        if module is not None:
            modules[path] = module
    program = Program(modules, context.graph, Library(context.knowledge), loader=load)
    stars: dict = {}  # per path, once: the interpreter asks for every module-level name it misses (40k on Django)
    program.star_imports = lambda path: stars[path] if path in stars else stars.setdefault(path, star_imports(context, path))
    outside: dict = {}
    program.external_stars = lambda path: outside[path] if path in outside else outside.setdefault(
        path, external_stars(context, path, program.library.star_exports))
    program.projects = context.projects  # framework context slots are per project
    program.schema_files = list(getattr(context.manifest, "schema_files", ()) or ())  # schema.prisma: the Prisma models
    return program


def star_imports(context: CheckContext, path: str) -> list[tuple[int, str]]:
    """``from .base import *`` in ``path``: (line, imported project file), in source order —
    what a split Django settings module runs."""
    facts = context.files.get(path)
    if facts is None or not facts.parsed or not any("*" in record.names for record in facts.imports):
        return []  # (asked for every module-level name a function reads that the module does not bind)
    targets = {(edge.span.line, edge.span.column): edge.target for edge in context.graph.out_edges(path) if not edge.external}
    found = []
    for record in facts.imports:
        if "*" in record.names:
            target = targets.get((record.span.line, record.span.column))
            if target is not None:
                found.append((record.span.line, target))
    return sorted(found)


def external_stars(context: CheckContext, path: str, exported: dict) -> tuple[str, ...]:
    """The external modules ``path`` imports with ``from m import *`` whose exports the knowledge lists
    (``from peewee import *``), last first — a later star import shadows an earlier one."""
    facts = context.files.get(path)
    if facts is None or not facts.parsed or facts.language != "python":
        return ()
    return tuple(record.module for record in reversed(facts.imports)
                 if "*" in record.names and not record.level and record.module in exported)


def build_datalayer(context: CheckContext):
    """The data layer the older checks read, with its access sites and DB handles taken from the
    semantic model: a session from a factory, ``Depends``, a context manager or a constructor
    parameter wired in a composition root is typed, which the fact-based typing could not do.
    ORM models and module-level handles still come from the facts."""
    from archlint.domain.datalayer import Construct, DbAccess

    legacy = context.legacy_datalayer(sites=context.program_factory is None)  # else the model's sites replace them
    program = context.program
    if program is None:
        return legacy
    accesses: dict = {}
    constructs: dict = {}
    by_file: dict[str, dict] = {}
    for analysis in program.analyses():
        calls = by_file.get(analysis.path)
        if calls is None:
            facts = context.files.get(analysis.path)
            calls = by_file[analysis.path] = {call.span: call for call in facts.calls} if facts is not None else {}
        for site in analysis.sites:
            call = calls.get(site.span)
            callee, scope, flags = (call.callee, call.scope, call.flags) if call is not None else (site.callee, analysis.function.qualname, "")
            if site.loops and "loop" not in flags.split():
                flags = (flags + " loop").strip()
            if site.owner:
                flags = (flags + f" {OWNER_FLAG}{site.owner}").strip()
            accesses.setdefault((site.path, site.span, site.method), DbAccess(
                site.path, site.stack, site.kind, site.method, site.category, callee, site.span, scope, flags,
            ))
        for construct in analysis.constructs:
            call = calls.get(construct.span)
            callee, scope = (call.callee, call.scope) if call is not None else (construct.callee, analysis.function.qualname)
            constructs.setdefault((construct.path, construct.span), Construct(
                construct.path, construct.stack, construct.kind, callee, construct.span, scope, construct.target,
            ))
    legacy.accesses = sorted(accesses.values(), key=lambda a: (a.path, a.span.line, a.span.column))
    legacy.constructs = sorted(constructs.values(), key=lambda c: (c.path, c.span.line, c.span.column))
    legacy.analysed = frozenset(legacy.analysed) | frozenset(p for p in program.modules if p in context.files)
    return legacy
