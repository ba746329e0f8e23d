"""The dependency graph as plain data for ``archlint graph``: modules or whole layers, with the
imports that break a layer rule marked, so the picture shows *where* the architecture leaks.

Layer view (default): one node per layer (per container when a preset repeats across several),
``(composition roots)`` and ``(unlayered)`` for the rest, external packages collapsed to their
top-level name.  Module view: one node per source file, grouped by layer.  An edge is marked as
a violation when a layering finding was reported at one of the imports it stands for — so
suppressed or baselined findings are not drawn red, just as they are not reported.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from archlint import __version__
from archlint.domain.context import CheckContext
from archlint.domain.facts import TYPE_ONLY
from archlint.domain.findings import Finding
from archlint.domain.graph import Edge
from archlint.domain.knowledge import module_matches

UNLAYERED = "(unlayered)"
ROOTS = "(composition roots)"
# Node's built-in modules that may be imported without the `node:` prefix.
_NODE_BUILTINS = frozenset({
    "assert", "buffer", "child_process", "cluster", "crypto", "dns", "events", "fs", "http", "http2", "https",
    "net", "os", "path", "process", "querystring", "readline", "stream", "string_decoder", "timers", "tls",
    "url", "util", "worker_threads", "zlib",
})


def export_graph(
    ctx: CheckContext, findings: list[Finding], modules: bool = False, external: bool = True, stdlib: bool = False
) -> dict:
    """``external=False`` leaves packages out; standard-library modules (``os``, ``node:fs``) are
    left out unless ``stdlib`` is set, a rule flagged the import, or they are a known driver or
    framework (``sqlite3``) — they are noise in a picture of the architecture."""
    violations = _violations_by_edge(ctx, findings)
    sources = {path for path, facts in ctx.files.items() if facts.language != "unknown"}
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str], dict] = {}
    for path in sorted(sources):
        _add_node(nodes, *_internal_node(ctx, path, modules))
    for edge in ctx.graph.edges:
        if edge.source not in sources or (edge.external and not external):
            continue
        source = _internal_node(ctx, edge.source, modules)[0]
        if edge.external:
            language = ctx.files[edge.source].language
            target = _package(edge.target, language)
            if not stdlib and edge not in violations and _is_plain_stdlib(ctx, target, language):
                continue
            _add_node(nodes, target, "external", None)
        elif edge.target in sources:
            target = _internal_node(ctx, edge.target, modules)[0]
        else:
            continue
        if source == target:
            continue
        entry = edges.setdefault(
            (source, target), {"source": source, "target": target, "imports": 0, "type_only": True, "violation": False, "rules": set()}
        )
        entry["imports"] += 1
        entry["type_only"] = entry["type_only"] and edge.kind == TYPE_ONLY
        rules = violations.get(edge)
        if rules:
            entry["violation"] = True
            entry["rules"] |= rules
    return {
        "schema": 1,
        "archlint": __version__,
        "root": ctx.root,
        "view": "modules" if modules else "layers",
        "nodes": sorted(nodes.values(), key=lambda node: (node["kind"] == "external", node["id"])),
        "edges": [
            {**entry, "rules": sorted(entry["rules"])} for _key, entry in sorted(edges.items(), key=lambda item: item[0])
        ],
    }


def _add_node(nodes: dict[str, dict], node_id: str, kind: str, layer: str | None) -> None:
    node = nodes.setdefault(node_id, {"id": node_id, "kind": kind, "layer": layer, "modules": 0})
    if kind != "external":
        node["modules"] += 1


def _internal_node(ctx: CheckContext, path: str, modules: bool) -> tuple[str, str, str | None]:
    """(node id, kind, layer) of a source file in the chosen view."""
    layer = ctx.layer(path)
    if layer is not None:
        group, kind = _qualified(ctx, path, layer.name), "layer"
    elif path in ctx.composition_roots:
        group, kind = ROOTS, "composition-roots"
    else:
        group, kind = UNLAYERED, "unlayered"
    if modules:
        return path, "module", group
    return group, kind, group


def _qualified(ctx: CheckContext, path: str, layer: str) -> str:
    """``routes``, or ``users/routes`` when a preset applies in several containers."""
    containers = ctx.architecture.containers if ctx.architecture is not None else []
    if len(containers) < 2:
        return layer
    owner = max((c for c in containers if not c or path.startswith(c + "/")), key=len, default="")
    return f"{owner}/{layer}" if owner else layer


def _package(target: str, language: str) -> str:
    """Top-level package: ``sqlalchemy.orm`` -> ``sqlalchemy``; ``@prisma/client/x`` ->
    ``@prisma/client``; ``lodash/fp`` -> ``lodash`` (JS names may contain dots)."""
    if language == "python":
        return target.split(".", 1)[0]
    parts = target.split("/")
    return "/".join(parts[:2]) if target.startswith("@") else parts[0]


def _is_plain_stdlib(ctx: CheckContext, package: str, language: str) -> bool:
    if language == "python":
        builtin = package in sys.stdlib_module_names
    else:
        builtin = package.startswith("node:") or package in _NODE_BUILTINS
    return builtin and not any(module_matches(package, m) for entry in ctx.knowledge.entries for m in entry.modules)


def _violations_by_edge(ctx: CheckContext, findings: list[Finding]) -> dict[Edge, set[str]]:
    """The import edges layering findings were reported at.  A finding sits on an import's span;
    when one import has several targets (``from app import a, b``) the message names the one
    that broke the rule (or, for a transitive finding, the first hop after ``via``)."""
    at_span: dict[tuple[str, int, int], list[Edge]] = defaultdict(list)
    for edge in ctx.graph.edges:
        at_span[(edge.source, edge.span.line, edge.span.column)].append(edge)
    marked: dict[Edge, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.category != "layering":
            continue
        candidates = at_span.get((finding.path, finding.line, finding.column), [])
        named = [e for e in candidates if f"`{e.target}`" in finding.message or f"`{e.specifier}`" in finding.message]
        for edge in named or (candidates if len(candidates) == 1 else []):
            marked[edge].add(finding.rule)
    return marked
