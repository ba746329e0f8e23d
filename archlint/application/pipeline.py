"""The check pipeline, in the order data flows (each stage one function of :func:`_run_check`):

discover (config, active rules, files) → parse (one frontend per language, cached, parallel: head
facts) → facts/IR (the data-layer files' bodies and IR, planned once) → graph (module graph, layer
assignment, the check context) → checks (one module per rule family) → suppressions (config
select / ignore / severity, inline suppressions, sorted) → baseline and changed-only filtering (in
the command) → reporters.

Everything a reporter prints comes out of :func:`run_check` as a :class:`Report`.  For `check`, an
unchanged tree reuses the previous run's findings (see :func:`_result_key`); baselines and
changed-only filtering happen after, in the command.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from archlint import __version__
from archlint.adapters import config_loader, knowledge
from archlint.adapters.cache import FactsCache, code_and_data_fingerprint, default_cache_dir
from archlint.adapters.digest import blake2b
from archlint.adapters.discovery import describe_hidden, discover
from archlint.application.deep_plan import plan_deep, read_source
from archlint.application.parsing import FULL, Workers, deepen, extract_full, scan_sources
from archlint.checks import FAMILIES
from archlint.domain.config import Config, ConfigError
from archlint.domain.facts import FileFacts
from archlint.domain.findings import CATEGORIES, SEVERITY_RANK, Finding

if TYPE_CHECKING:
    from archlint.domain.context import CheckContext

# The graph, the semantic model, suppressions and the check context are imported in
# `_run_check` after the result cache was asked: a warm run of an unchanged tree never loads them.


@dataclass(slots=True)
class Options:
    """Command-line overrides; ``None`` means "as the config says"."""

    config_path: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    jobs: int = 0  # 0 = all cores
    preset: str | None = None  # force a preset and ignore configured layers (verify: "clean" or "none")
    reuse_results: bool = False  # `check` only: return the last run's findings for an identical tree
    cache_root: str | None = None  # analysing a temporary copy of this tree: read its facts cache, never write it
    openapi: str | None = None  # the API contract (--openapi FILE); overrides the config's `openapi`
    # Every file's content hash, for the fixers (they refuse a file changed since it was read); a
    # run without a cache or fixes skips them (blake2b over saleor's 28 MB: ~0.05 s on one core).
    hashes: bool = True
    # The semantic model and its data layer stay on the report's context after the run (``verify``
    # and the fixers read them).  A plain ``check`` reads only the findings: ``False`` frees them
    # once the checks are done when the facts cache is saved next, whose pickling would otherwise
    # add to them (without a save nothing comes after them: they are left to the process's exit).
    keep_model: bool = True


@dataclass(slots=True)
class Report:
    """The result of one check run: findings, stats and the context the checks read."""
    root: str
    findings: list[Finding]
    stats: dict
    fail_on: str = "warning"
    context: CheckContext | None = field(default=None, repr=False)
    cache_hits: int = 0
    notices: list[str] = field(default_factory=list)  # for stderr (never in the report itself)

    @property
    def failed(self) -> bool:
        threshold = SEVERITY_RANK[self.fail_on]
        return any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "schema": 1,
            "archlint": __version__,
            "root": self.root,
            "findings": [finding.to_dict() for finding in self.findings],
            "stats": self.stats,
        }


def default_jobs() -> int:
    """All cores.  Measured on the 2-vCPU benchmark machine: two busy processes each run ~1.5x
    slower there (SMT siblings), yet the pool still wins once workers return head-only facts
    (Django cold 2.8 s -> 2.0 s, typeorm 1.7 s -> 1.35 s); small repos stay in-process."""
    return os.cpu_count() or 1


def analysis_root(paths: list[str]) -> str:
    """The directory findings are relative to: the path itself, or the common parent."""
    absolute = [os.path.abspath(p) for p in paths]
    for path in absolute:
        if not os.path.exists(path) and not os.path.islink(path):
            raise ConfigError(f"path does not exist: {path}")
    if len(absolute) == 1:
        only = absolute[0]
        return only if os.path.isdir(only) else os.path.dirname(only)
    common = os.path.commonpath(absolute)
    return common if os.path.isdir(common) else os.path.dirname(common)


def run_check(paths: list[str], options: Options | None = None) -> Report:
    """One analysis.  The cyclic garbage collector is paused for its duration: facts, IR and
    abstract values are millions of small tuples with no reference cycles, and collector passes
    over that growing heap cost more than the analysis itself (measured: unpickling pretix's IR
    takes 4.5 s with collection on, 0.15 s with it paused); what little garbage the run makes is
    collected when it ends."""
    enabled = gc.isenabled()
    gc.disable()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4000))  # the interpreter follows calls five deep over nested IR
    try:
        return _run_check(paths, options)
    finally:
        sys.setrecursionlimit(limit)
        if enabled:
            gc.enable()


@dataclass(slots=True)
class _Run:
    """What one ``check`` run has learnt so far; each stage of :func:`_run_check` reads it and adds to it."""

    options: Options
    started: float
    root: str
    config: Config
    registry: object
    spec: object  # the API contract, or None
    found: object  # what discovery found (sources, manifests, problems)
    cache: FactsCache | None
    active: set[str]
    families: list
    model_families: frozenset[str]  # the families whose selected rules read the semantic model
    workers: Workers | None = None
    files: dict = field(default_factory=dict)
    hits: int = 0
    sizes: dict = field(default_factory=dict)
    pending: object = None  # the deep extraction the pool is still doing (parsing.Pending), drained by the checks

    @property
    def bodies(self) -> bool:
        """Some selected rule reads the semantic model: the data-layer plan and the deep pass run."""
        return bool(self.model_families)

    @property
    def sources(self) -> dict:
        return {source.path: source for source in self.found.sources}


def _run_check(paths: list[str], options: Options | None = None) -> Report:
    """discover → parse → facts/IR → graph → checks → suppressions, one named stage each (the baseline
    and the reporters are the command's, after this returns)."""
    run = _discover(paths, options or Options())
    spool_in = os.path.dirname(run.cache.path) if run.cache is not None else None
    with Workers(run.options.jobs or default_jobs(), keep_blobs=run.cache is not None, spool_in=spool_in) as workers:
        run.workers = workers
        _parse(run)
        result_key = _result_key(run.root, run.config, run.files, run.found, run.spec) \
            if run.cache is not None and run.options.reuse_results else None
        if result_key is not None and (cached := run.cache.get_result(result_key)) is not None:
            return _report(run.root, list(cached), run.found, run.files, run.config, run.started, None, run.hits)
        context, reuse, keys, plan_reads = _facts_and_graph(run)
        findings = _checks(run, context, reuse, keys, plan_reads)
        findings = _suppressions(run, context, findings)
        if not run.options.keep_model and run.cache is not None and run.options.cache_root is None:
            context.release_model()  # only under a save: freeing costs time, and nothing else comes after
        _save_cache(run, result_key, findings)
        return _report(run.root, findings, run.found, run.files, run.config, run.started, context, run.hits)


def _discover(paths: list[str], options: Options) -> _Run:
    """Stage 1, discover: the config, the rules it leaves active, the source files and manifests."""
    started = time.perf_counter()
    start = analysis_root(paths)
    config = config_loader.load_config(options.config_path or config_loader.find_config(start))
    root = _project_root(start, paths, config.path)
    registry = knowledge.load_registry()
    config = _merge_options(config, options)
    _validate_rule_refs(config, registry)
    spec = _api_spec(options, config)
    found = discover(root, [os.path.abspath(p) for p in paths], list(config.exclude), config.gitignore)
    cache = FactsCache(options.cache_dir or default_cache_dir(), options.cache_root or root) if options.use_cache else None
    active = active_rules(registry, config)
    npm = any(relative.rpartition("/")[2] == "package.json" for relative, _absolute in found.manifests)
    families, model_families = selected_families(active, npm)
    return _Run(options, started, root, config, registry, spec, found, cache, active, families, model_families)


def selected_families(active: set[str], npm: bool) -> tuple[list, frozenset[str]]:
    """The families with an ``active`` rule, and those among them that read the semantic model for
    those rules (``npm``: the tree has a package.json): the union of what the selected rules read
    decides what the run builds.  A family that reads the model only where another one built it
    (``with_bodies_only``) is left out when no other one does."""
    families = [family for family in FAMILIES if active.intersection(family.rules)]
    model = {family.module for family in families if family.reads_model(active, npm)}
    if not any(family.module in model and not family.with_bodies_only for family in families):
        families = [family for family in families if not family.with_bodies_only]
        model = set()
    return families, frozenset(model)


def _parse(run: _Run) -> None:
    """Stage 2, parse: every source's head facts (imports, names, data-layer signals), cached and parallel."""
    run.files, run.hits, run.sizes = scan_sources(run.found.sources, run.cache, run.workers, signals=run.bodies,
                                                  hashes=run.options.hashes)
    if run.cache is None:  # nothing will save the pool's pickled bodies and IR once they are read
        for facts in run.files.values():
            facts.keep_blobs = False


def _facts_and_graph(run: _Run):
    """Stages 3 and 4, facts/IR and graph: the module graph, the files the data-layer rules read deep
    (their bodies and IR, or the last run's plan when nothing they read changed), and the check
    context over all of it.  Returns ``(context, reuse, keys, plan_reads)``."""
    from archlint.application.graph_builder import build_graph
    from archlint.application.manifest_reader import read_manifests

    files, found, workers = run.files, run.found, run.workers
    for path, problem in found.problems:
        files.setdefault(path, FileFacts(path=path, language="unknown", content_hash="")).problems.append(problem)
    other_files = [relative for relative, _absolute in found.manifests]
    manifest = read_manifests(found.manifests)
    graph = build_graph(files, manifest, other_files, run.config.source_roots)
    knowledge_tables = knowledge.load_knowledge()
    sources = run.sources
    bodies = run.bodies
    deep = planned = semantic = None
    reuse = keys = None
    plan_reads: dict[str, list] = {}
    if bodies and run.cache is not None:
        from archlint.application import deep_reuse

        keys = (deep_reuse.base_key(code_and_data_fingerprint(), run.root, run.config, found, run.spec, _manifest_bytes(found)),
                deep_reuse.heads_digest(files))
        reuse, fresh = deep_reuse.lookup(run.cache.get_deep(), *keys, files, sorted(run.model_families),
                                         lambda path: extract_full(sources[path], files[path].content_hash),
                                         run.cache.peek)
        if reuse is not None and fresh:
            for path, full in fresh.items():  # extracted to compare: the pack keeps them for the new content
                files[path].adopt(full)
            run.cache.put_deep(reuse)  # the edited files' new content hashes: the next run compares no facts
    if reuse is not None:
        deep, planned, semantic = reuse["plan"]  # what the last run decided from the same inputs
    elif bodies:
        from archlint.application.semantic_model import semantic_files

        deep, planned = plan_deep(files, graph, knowledge_tables, sources, workers, run.sizes, plan_reads)
        workers.release()
        semantic = tuple(semantic_files(files, graph, knowledge_tables, deep, _reader(sources), manifest))
        reached = _reached(run, graph, semantic)
        # their IR, from one parse each: on the pool, not waited for (the analysis starts on what
        # has arrived), with the syntax-only checks the parse family reads last (_early_syntax)
        run.pending = deepen(files, sources, set(semantic) | reached, _early_syntax(run, set(semantic) | reached),
                             workers, run.sizes, defer=semantic, then=_import_order(graph, semantic, reached))
    workers.release()
    context = _context(run, graph, manifest, knowledge_tables, other_files, (deep, planned, semantic))
    return context, reuse, keys, plan_reads


def _reader(sources):
    """``read(path)``: a source file's bytes, ``None`` when unreadable (the plan then assumes the most)."""
    return lambda path: read_source(sources, path)


def _import_order(graph, start, reached: set[str]) -> tuple[str, ...]:
    """``reached`` breadth first from ``start`` along project imports: the analysis follows calls
    out of the semantic files, so the modules they import are read before the ones those import
    (the pool's batches in this order arrive about when they are wanted; largest first, the
    analysis waited for most of them at its first reads)."""
    order: list[str] = []
    seen = set(start)
    level = list(start)
    while level:
        following = []
        for path in level:
            for edge in graph.out_edges(path):
                target = edge.target
                if not edge.external and target in reached and target not in seen:
                    seen.add(target)
                    order.append(target)
                    following.append(target)
        level = following
    return tuple(order)


def _early_syntax(run: _Run, deep: set[str]) -> set[str]:
    """The JS/TS files whose syntax-only parse can go to the pool with the deep extraction of
    ``deep``, when AL001 is selected: the files outside it (the model lowers JS/TS modules from
    the import closure ``_reached`` put in ``deep``, so none of these is read deep later; Python
    files are left to the end, the on-demand loader reads modules the plan did not name)."""
    if "AL001" not in run.active or not any(family.module == "parse" for family in run.families):
        return set()
    return {path for path, facts in run.files.items()
            if path not in deep and facts.language not in ("python", "unknown") and facts.parsed and not facts.syntax_checked}


def _reached(run: _Run, graph, semantic) -> set[str]:
    """The JS/TS files the semantic model will lower when its analysis reaches them through
    imports (``deep_plan.reached_scripts``), when they are enough work for the pool: then they
    are extracted there with the semantic files rather than one by one in this process.  A batch
    this process would run itself is left to the on-demand loader, which reads only what the
    analysis reaches."""
    from archlint.application.deep_plan import reached_scripts

    files = run.files
    reached = {path for path in reached_scripts(files, graph, semantic) if not files[path].has_body}
    todo = reached | {path for path in semantic if not files[path].has_body}
    return reached if run.workers.pooled([(FULL, "", path, files[path].language) for path in todo], run.sizes) else set()


def _context(run: _Run, graph, manifest, knowledge_tables, other_files: list, plan: tuple) -> CheckContext:
    """The check context: layers assigned, the semantic model and the data layer built on first use."""
    from archlint.application.architecture import resolve_architecture
    from archlint.domain.context import CheckContext
    from archlint.domain.projects import projects_from

    deep, planned, semantic = plan
    workers = run.workers
    source_paths = sorted(p for p, f in run.files.items() if f.language != "unknown")
    architecture = resolve_architecture(run.config, source_paths, knowledge_tables, knowledge.load_preset)
    context = CheckContext(
        root=run.root,
        files=run.files,
        graph=graph,
        manifest=manifest,
        registry=run.registry,
        knowledge=knowledge_tables,
        config=run.config,
        architecture=architecture,
        config_path=_relative_config(run.root, run.config.path),
        deep=deep,
        bodies=planned,
        semantic=semantic,
        projects=projects_from(source_paths + other_files),
        api_spec=run.spec,
        rules=frozenset(run.active),
    )
    context.program_factory = lambda: released(_semantic_model().build_program(context))
    context.datalayer_factory = lambda: released(_semantic_model().build_datalayer(context))

    def released(model):  # the blobs unpickled for it are freed: their pages go back (Workers.release)
        workers.release()
        return model

    if architecture is not None:
        context.composition_roots = frozenset(p for p in source_paths if architecture.is_composition_root(p))
        groups = knowledge_tables.groups()
        data_packages = groups["@orms"] + groups["@db-drivers"]
        context.setup_modules = frozenset(p for p in source_paths if p not in context.composition_roots
                                          and architecture.is_setup_module(p, graph.out_edges(p), data_packages))
    return context


def _checks(run: _Run, context: CheckContext, reuse, keys, plan_reads: dict) -> list[Finding]:
    """Stage 5, checks: every active rule family over the context (the deep families' findings taken
    from the last run when its plan was reused, and recorded for the next one otherwise)."""
    files, workers, sources = run.files, run.workers, run.sources
    findings: list[Finding] = []
    deep_findings: dict[str, tuple[Finding, ...]] = {}
    # The syntax-only parse of the files no rule read deep comes last, before the family that
    # reports it: a file the checks deepened on demand (a module the semantic model imported)
    # has its verdict from that one parse by then, instead of a syntax parse first and a
    # second parse for its body and IR.
    for family in sorted(run.families, key=lambda family: family.module == "parse"):
        if family.module == "parse" and run.pending is not None:
            run.pending.drain()  # the syntax verdicts (and bodies nobody read) the pool has made
            run.pending = None
        if family.module == "parse" and "AL001" in run.active:
            deepen(files, sources, set(), set(files), workers, run.sizes)
            workers.release()
        deep_family = family.module in run.model_families
        if reuse is not None and deep_family:
            findings.extend(reuse["findings"][family.module])
            continue
        found_here = list(family.check(context))
        workers.release()
        findings.extend(found_here)
        if deep_family:
            deep_findings[family.module] = tuple(found_here)
    if run.pending is not None:  # what the deep families did not read still belongs in the cache
        run.pending.drain()
        run.pending = None
    if keys is not None and reuse is None:
        from archlint.application import deep_reuse

        entry = deep_reuse.record(*keys, files, (context.deep, context.bodies, context.semantic), plan_reads, deep_findings)
        if entry is not None:
            run.cache.put_deep(entry)
    return findings


def _suppressions(run: _Run, context: CheckContext, findings: list[Finding]) -> list[Finding]:
    """Stage 6, suppressions: the config's select / ignore / severity, then inline ``# archlint: ignore``."""
    from archlint.application.suppressions import apply_suppressions

    config = run.config
    findings = sorted(_apply_config(findings, config), key=Finding.sort_key)
    return apply_suppressions(findings, context, lambda found: _apply_config(found, config))


def _save_cache(run: _Run, result_key: str | None, findings: list[Finding]) -> None:
    """The facts cache, written after the checks (bodies they extracted on demand are kept too), and
    this run's findings for an identical tree."""
    if run.cache is None:
        return
    if result_key is not None:
        run.cache.put_result(result_key, tuple(findings))
    if run.options.cache_root is None:  # a temporary copy must not evict the real tree's entries
        run.cache.save()


def _semantic_model():
    """The data-layer model's builders, imported on first use: a layers-only run never loads them."""
    from archlint.application import semantic_model

    return semantic_model


def active_rules(registry, config: Config) -> set[str]:
    """Rule ids that survive ``select``/``ignore``: only their families run, and only they decide
    what the deep pass extracts (``--select layering`` builds no data-layer or SQL facts)."""
    active = set()
    for spec in registry:
        refs = ("ALL", spec.id, spec.name, spec.category)
        if config.select and not any(ref in refs for ref in config.select):
            continue
        if any(ref in refs for ref in config.ignore):
            continue
        active.add(spec.id)
    return active


def _report(root, findings, found, files, config: Config, started: float, context, hits: int) -> Report:
    total = len(found.sources) + found.skipped
    parsed = sum(1 for source in found.sources if files[source.path].parsed)
    stats = {
        "files": total,
        "parsed": parsed,
        "skipped": total - parsed,
        "seconds": round(time.perf_counter() - started, 3),
    }
    notices = [] if total else [_nothing_analysed(root, found)]
    return Report(root=root, findings=findings, stats=stats, fail_on=config.fail_on, context=context, cache_hits=hits,
                  notices=notices)


def _nothing_analysed(root: str, found) -> str:
    """Zero files must not look like a clean bill of health (ruff warns the same way)."""
    message = f"nothing was analysed: no Python or JavaScript/TypeScript source file under {root}"
    if found.hidden:
        message += (f" outside the default excludes, which hid {describe_hidden(root, found.hidden)}"
                    " — name a directory on the command line to analyse it anyway")
    return message


def _api_spec(options: Options, config: Config):
    """The OpenAPI contract: ``--openapi FILE`` (relative to the working directory), else the
    config's ``openapi`` (relative to the config file); ``None`` when neither names one."""
    if not options.openapi and not config.openapi:
        return None  # the spec reader (and its regexes) is imported only when a contract is given
    from archlint.adapters.openapi import load_spec

    if options.openapi:
        return load_spec(options.openapi)
    if config.openapi:
        base = os.path.dirname(os.path.abspath(config.path)) if config.path else os.getcwd()
        return load_spec(os.path.join(base, config.openapi), config.openapi)
    return None


def _result_key(root: str, config: Config, files: dict, found, spec=None) -> str:
    """Everything the findings depend on: archlint's code and data, the config, every analysed
    file's content, what discovery reported, the manifests' bytes and the API contract's."""
    digest = blake2b(digest_size=16)
    for part in (code_and_data_fingerprint(), root, repr(config), repr(found.problems), spec.digest if spec is not None else ""):
        digest.update(part.encode() + b"\0")
    for path in sorted(files):
        digest.update(f"{path}:{files[path].content_hash}\0".encode())
    digest.update(_manifest_bytes(found))
    return digest.hexdigest()


def _manifest_bytes(found) -> bytes:
    """Every manifest's path and bytes, as one key part."""
    parts = []
    for relative, absolute in found.manifests:
        try:
            with open(absolute, "rb") as handle:
                parts.append(relative.encode() + b"\0" + handle.read() + b"\0")
        except OSError:
            parts.append(relative.encode() + b"\0unreadable\0")
    return b"".join(parts)


def _project_root(start: str, paths: list[str], config_path: str) -> str:
    """Findings and config globs are relative to the config's directory when the analysed
    paths lie inside it (``archlint check src`` next to pyproject.toml), else to ``start``."""
    if not config_path:
        return start
    base = os.path.dirname(os.path.abspath(config_path))
    inside = all(os.path.abspath(p) == base or os.path.abspath(p).startswith(base + os.sep) for p in paths)
    return base if inside else start


def _merge_options(config: Config, options: Options) -> Config:
    if options.preset is not None:
        config = replace(config, preset=options.preset, layers=[], containers=None)
    return replace(
        config,
        select=options.select or config.select,
        ignore=tuple(config.ignore) + tuple(options.ignore),
        exclude=tuple(config.exclude) + tuple(options.exclude),
        fail_on=options.fail_on or config.fail_on,
    )


def _validate_rule_refs(config: Config, registry) -> None:
    """Unknown rule ids in select/ignore/severity would silently change nothing: refuse them."""
    where = config.path or "command line"
    for ref in tuple(config.select) + tuple(config.ignore):
        if ref not in registry and ref not in CATEGORIES and ref != "ALL":
            raise ConfigError(f"{where}: unknown rule or category {ref!r} in select/ignore")
    for ref in config.severity:
        if ref not in registry:
            raise ConfigError(f"{where}: unknown rule {ref!r} in severity")


def _matches(finding: Finding, refs) -> bool:
    return any(ref in ("ALL", finding.rule, finding.name, finding.category) for ref in refs)


def _apply_config(findings: list[Finding], config: Config) -> list[Finding]:
    result = []
    for finding in findings:
        if config.select and not _matches(finding, config.select):
            continue
        if _matches(finding, config.ignore):
            continue
        severity = config.severity.get(finding.rule) or config.severity.get(finding.name)
        result.append(replace(finding, severity=severity) if severity else finding)
    return result


def _relative_config(root: str, path: str) -> str:
    if not path:
        return ""
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return "" if relative.startswith("..") else relative
