"""The module graph: one node per analysed file, edges to files or external packages.

Built once per analysis from every language's facts, so a Python service and a TypeScript
handler live in the same graph and the same layer rules apply to both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from archlint.domain.facts import Span


@dataclass(frozen=True, slots=True)
class Edge:
    """An import from one file to a file or an external package."""
    source: str  # importer path
    target: str  # imported file path (internal) or package name with subpath (external)
    external: bool
    kind: str  # import kind (runtime, type-only, lazy, dynamic)
    span: Span
    specifier: str  # as written, for messages


@dataclass(frozen=True, slots=True)
class BindingTarget:
    """Where an imported local name comes from: an internal file (and the attribute imported
    from it, ``""`` for the module itself) or an external dotted/specifier name."""

    file: str | None
    attr: str
    external: str | None


@dataclass(slots=True)
class ModuleGraph:
    """The import graph of the analysed files."""
    modules: dict[str, str] = field(default_factory=dict)  # path -> module name (dotted / path)
    edges: list[Edge] = field(default_factory=list)
    unresolved: list[Edge] = field(default_factory=list)
    _out: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    _in: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    # (importer path, binding target as the frontend wrote it) -> BindingTarget; filled lazily
    # because only data-layer files need it.
    binding_resolver: object = None

    def resolve_binding(self, path: str, target: str) -> BindingTarget:
        return self.binding_resolver(path, target)  # type: ignore[misc,operator]

    def in_edges(self, path: str) -> list[Edge]:
        return self._in.get(path, [])

    def add(self, edge: Edge) -> None:
        self.edges.append(edge)
        self._out[edge.source].append(edge)
        if not edge.external:
            self._in[edge.target].append(edge)

    def out_edges(self, path: str) -> list[Edge]:
        return self._out.get(path, [])

    def internal_edges(self, kinds: frozenset[str]) -> list[Edge]:
        return [e for e in self.edges if not e.external and e.kind in kinds and e.source != e.target]


def strongly_connected(nodes: list[str], successors: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (deep import chains must not hit the recursion limit).

    Returns components of size > 1 (plus self-loops), each sorted, in a deterministic order.
    """
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index_of:
            continue
        work = [(start, iter(successors.get(start, ())))]
        index_of[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in successors.get(node, ()):
                    components.append(sorted(component))
    return sorted(components)


def shortest_path(start: str, goal: str, members: set, successors: dict[str, list[str]]) -> list[str]:
    """A shortest path ``start`` … ``goal`` inside ``members`` (BFS), ``[start, goal]`` when none."""
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    for node in queue:
        if node == goal:
            path = [node]
            while parents[path[-1]] is not None:
                path.append(parents[path[-1]])  # type: ignore[arg-type]
            return list(reversed(path))
        for child in sorted(successors.get(node, ())):
            if child in members and child not in parents:
                parents[child] = node
                queue.append(child)
    return [start, goal]


def shortest_cycle(component: list[str], successors: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through the component's first node, by BFS inside the component."""
    members = set(component)
    start = component[0]
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    for node in queue:
        for child in sorted(successors.get(node, ())):
            if child not in members:
                continue
            if child == start:
                path = [node]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])  # type: ignore[arg-type]
                return list(reversed(path)) + [start]
            if child not in parents:
                parents[child] = node
                queue.append(child)
    return [start, start]
