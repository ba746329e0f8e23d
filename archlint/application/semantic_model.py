"""Which files the semantic model reads, and building it.

Deep analysis (the IR and the interpreter) starts from the files on a path to the database: the
files that import a DB driver or an ORM or hold SQL/DB-URL strings, and the files that call into
them — importers up to :data:`CALLER_LEVELS` levels (route → service → repository), the call depth
the summaries follow — and the files that import a web framework (where apps, routers, routes and
middleware are declared: what the framework rules read).  Any other file the analysis reaches (a service a composition root wires by
constructor injection) is lowered when first reached; everything else keeps the cheap facts only.
"""

from __future__ import annotations

from archlint.domain.context import CheckContext
from archlint.domain.knowledge import module_matches

CALLER_LEVELS = 3


def deep_files(context: CheckContext) -> list[str]:
    files, graph = context.files, context.graph
    modules = tuple(m for e in context.knowledge.entries if e.kind in ("orm", "driver", "framework") for m in e.modules)
    matches: dict[str, bool] = {}

    def data_or_web_module(target: str) -> bool:
        if target not in matches:
            matches[target] = any(module_matches(target, m) for m in modules)
        return matches[target]

    level = {
        path for path, facts in files.items()
        if facts.parsed and (facts.signals or any(e.external and data_or_web_module(e.target) for e in graph.out_edges(path)))
    }
    selected = set(level)
    for _ in range(CALLER_LEVELS):
        level = {edge.source for path in level for edge in graph.in_edges(path)} - selected
        if not level:
            break
        selected |= level
    return sorted(p for p in selected if p in files and files[p].parsed and files[p].language != "unknown")


def build_program(context: CheckContext):
    from archlint.semantics.library import Library
    from archlint.semantics.program import Program

    files = context.files

    def load(path: str):
        facts = files.get(path)
        return facts.ir if facts is not None and facts.parsed and facts.language != "unknown" else None

    modules = {}
    for path in deep_files(context):
        module = files[path].ir
        if module is not None:
            modules[path] = module
    return Program(modules, context.graph, Library(context.knowledge), loader=load)
