"""AL104 import cycles between modules and AL105 cycles between layers.

Each strongly connected group is reported once, at the import that starts one concrete
shortest cycle through it, with the whole path in the message — a cycle report that only
says "these 14 modules" is not actionable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.facts import DEFERRED, DYNAMIC, LAZY, RUNTIME, TYPE_ONLY
from archlint.domain.findings import Finding
from archlint.domain.graph import Edge, shortest_cycle, shortest_path, strongly_connected


def check(ctx: CheckContext) -> Iterator[Finding]:
    kinds = {RUNTIME, DYNAMIC, DEFERRED}
    if ctx.config.cycles_include_lazy:
        kinds.add(LAZY)
    if ctx.config.cycles_include_type_only:
        kinds.add(TYPE_ONLY)
    edges = ctx.graph.internal_edges(frozenset(kinds))
    yield from _module_cycles(ctx, edges)
    if ctx.architecture is not None:
        yield from _layer_cycles(ctx, edges)


def _first_edges(edges: list[Edge], key) -> tuple[dict[str, list[str]], dict[tuple[str, str], Edge]]:
    successors: dict[str, set[str]] = defaultdict(set)
    first: dict[tuple[str, str], Edge] = {}
    for edge in sorted(edges, key=lambda e: (e.source, e.span.line, e.span.column)):
        source, target = key(edge.source), key(edge.target)
        if source is None or target is None or source == target and edge.source == edge.target:
            continue
        successors[source].add(target)
        first.setdefault((source, target), edge)
    return {node: sorted(children) for node, children in successors.items()}, first


def _module_cycles(ctx: CheckContext, edges: list[Edge]) -> Iterator[Finding]:
    """A cycle harms only through an import read at load: ES modules whose imports of each other
    are all *deferred* (read in functions only) load in any order.  One load-time edge is enough
    (entered from the other side, it reads a module still loading), so a group is reported at its
    first such edge, with a shortest cycle through it."""
    successors, first = _first_edges(edges, lambda path: path)
    at_load = {(e.source, e.target) for e in edges if e.kind != DEFERRED}
    for component in strongly_connected(sorted(successors), successors):
        members = set(component)
        eager = sorted((first[pair] for pair in at_load if pair[0] in members and pair[1] in members and pair in first),
                       key=lambda e: (e.source, e.span.line, e.span.column))
        if not eager:
            continue
        if len(eager) == sum(1 for pair in first if pair[0] in members and pair[1] in members):
            cycle = shortest_cycle(component, successors)  # no deferred edge: a shortest cycle of the group
            edge = first[(cycle[0], cycle[1])]
        else:
            edge = eager[0]  # through an import read at load
            cycle = [edge.source] + shortest_path(edge.target, edge.source, members, successors)
        path_text = " -> ".join(f"`{node}`" for node in cycle)
        extra = f" ({len(component)} modules are tangled in this cycle group)" if len(component) > len(cycle) - 1 else ""
        message = (
            f"import cycle: {path_text}{extra}; at runtime one of these modules is used while only partially "
            f"initialised (Python ImportError / None attributes, CommonJS empty exports)"
        )
        guidance = (
            f"Break the cycle at this import (`{cycle[0]}` -> `{cycle[1]}`): move the shared code into a module both "
            f"can import, or invert the dependency with a parameter or an interface."
        )
        yield ctx.registry.finding("AL104", edge.source, edge.span, message, guidance)


def _layer_cycles(ctx: CheckContext, edges: list[Edge]) -> Iterator[Finding]:
    def layer_name(path: str) -> str | None:
        if path in ctx.composition_roots:
            return None
        layer = ctx.layer(path)
        return layer.name if layer is not None else None

    # an import of the ORM's setup from below it (models -> `db/sequelize.js`) is no upward dependency (AL101)
    edges = [e for e in edges if not (e.target in ctx.setup_modules and _below(ctx, e.source, e.target))]
    successors, first = _first_edges(edges, layer_name)
    successors = {node: [c for c in children if c != node] for node, children in successors.items()}
    for component in strongly_connected(sorted(successors), successors):
        cycle = shortest_cycle(component, successors)
        edge = first[(cycle[0], cycle[1])]
        examples = "; ".join(
            f"{a} -> {b} at `{first[(a, b)].source}:{first[(a, b)].span.line}`" for a, b in zip(cycle, cycle[1:])
        )
        message = (
            f"layer cycle: {' -> '.join(cycle)} ({examples}); these layers can no longer change or be tested apart"
        )
        yield ctx.registry.finding("AL105", edge.source, edge.span, message)


def _below(ctx: CheckContext, source: str, target: str) -> bool:
    source_layer, target_layer = ctx.layer(source), ctx.layer(target)
    return source_layer is not None and target_layer is not None and target_layer.rank < source_layer.rank
