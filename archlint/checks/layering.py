"""Layer rules: AL101 upward, AL102 skip-layer, AL103 forbidden external, AL106 opaque
dynamic import, AL107 unlayered module (exhaustive mode), AL108 layer matching nothing.

Direct imports are checked by default.  With ``transitive = true`` (per layer or globally) an
import is also followed through *unlayered* modules (``utils/``, a root ``db.py``), because that
is where a route hides its way to the database; chains through other layers are not followed,
since each layer's own imports are judged where they are written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.facts import DEFERRED, DYNAMIC, LAZY, OPAQUE, RUNTIME, Span
from archlint.domain.findings import Finding
from archlint.domain.graph import Edge
from archlint.domain.knowledge import module_matches
from archlint.domain.layers import Layer, glob_match

CHECKED_KINDS = frozenset({RUNTIME, LAZY, DYNAMIC, DEFERRED})
_KIND_WORDS = {"driver": "database driver", "orm": "ORM", "framework": "web framework"}


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from _opaque_imports(ctx)
    if ctx.architecture is None:
        return
    yield from _layers_matching_nothing(ctx)
    for path in sorted(ctx.files):
        if path in ctx.composition_roots:
            continue
        layer = ctx.layer(path)
        if layer is None:
            yield from _unlayered(ctx, path)
            continue
        reported: set[tuple] = set()
        wiring = None  # whether the file is a framework plugin wiring a dependency: read once, on first need
        for edge in ctx.graph.out_edges(path):
            if edge.kind not in CHECKED_KINDS:
                continue
            if edge.external and _framework_import(ctx, layer, edge.target):
                wiring = _wiring_plugin(ctx, path) if wiring is None else wiring
                if wiring:
                    continue
            for finding in _judge(ctx, layer, edge, (edge,)):
                key = (finding.rule, finding.line, finding.column, finding.message.split(":", 1)[0])
                if key not in reported:
                    reported.add(key)
                    yield finding
            if layer.transitive and not edge.external:
                yield from _transitive(ctx, layer, edge, reported)


def _judge(ctx: CheckContext, layer: Layer, edge: Edge, chain: tuple[Edge, ...]) -> Iterator[Finding]:
    """Findings for ``layer`` reaching ``chain[-1].target`` (directly when the chain is one edge)."""
    first, last = chain[0], chain[-1]
    via = _via(chain)
    if last.external:
        forbidden = next((p for p in layer.forbidden_external if module_matches(last.target, p)), None)
        if forbidden is not None:
            yield _forbidden_external(ctx, layer, first, last, forbidden, via)
        return
    if last.target in ctx.composition_roots:
        return
    target_layer = ctx.layer(last.target)
    if target_layer is None or layer.allows(target_layer):
        return
    allowed = ", ".join(layer.may_import) if layer.may_import is not None else "the layers below it"
    target = last.target
    if target_layer.rank < layer.rank:
        if target in ctx.setup_modules:
            return  # the ORM's setup (a Sequelize instance, a declarative Base) the models must import
        message = (
            f"upward import: {layer.name} layer imports `{target}` from the {target_layer.name} layer above it{via}; "
            f"the lower layer now depends on the higher one, which breaks the required dependency direction "
            f"and tends to create import cycles"
        )
        guidance = (
            f"Move what `{first.source}` needs from `{target}` down into {layer.name} or a layer it may import "
            f"({allowed or 'none'}), or pass it in as a parameter instead of importing the {target_layer.name} layer."
        )
        yield ctx.registry.finding("AL101", first.source, first.span, message, guidance)
        return
    relation = "a sibling layer it must not know" if target_layer.rank == layer.rank else "bypassing the layer in between"
    message = (
        f"skip-layer import: {layer.name} layer imports `{target}` from the {target_layer.name} layer directly{via}, "
        f"{relation}; {layer.name} may import only {allowed or 'nothing'}"
    )
    guidance = (
        f"Call a function of a layer {layer.name} may import ({allowed or 'none'}) and let it use "
        f"the {target_layer.name} layer; add such a function if it does not exist yet."
    )
    yield ctx.registry.finding("AL102", first.source, first.span, message, guidance,
                               data=(("layers", (layer.name, target_layer.name)),))


def _forbidden_external(ctx, layer: Layer, first: Edge, last: Edge, forbidden: str, via: str) -> Finding:
    what = _describe_package(ctx, last.target)
    shown = last.specifier if last.specifier else last.target
    allowed = [
        other.name
        for other in ctx.architecture.layers  # type: ignore[union-attr]
        if not any(module_matches(last.target, p) for p in other.forbidden_external)
    ]
    message = f"{what} `{shown}` imported in the {layer.name} layer{via}; the {layer.name} layer must not use `{forbidden}`"
    if what == "database driver":
        message += ", so this code talks to the database around the data-access layer"
    elif what == "web framework":
        message += ", so this code is tied to the HTTP framework"
    where = ", ".join(allowed) if allowed else "a composition root"
    guidance = f"Move the code that uses `{forbidden}` into a layer that may use it ({where}) and call that layer from here."
    return ctx.registry.finding("AL103", first.source, first.span, message, guidance)


class Known(NamedTuple):
    """The framework plugins the layer rules read as wiring: the ``[[names]]`` table with ``reader =
    "checks.layering"`` of ``rules/knowledge/frameworks.toml`` (each key is explained there)."""

    plugin_wrappers: frozenset  # `fp` of fastify-plugin, as the frontends bind it (`module:export`)
    wiring_methods: frozenset  # `fastify.decorate(…)`: the plugin provides a dependency to the app
    presentation_methods: frozenset  # `fastify.get(…)` / `route` / `register` / `inject`: not wiring alone


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in ("plugin_wrappers", "wiring_methods", "presentation_methods")})


def _framework_import(ctx: CheckContext, layer: Layer, module: str) -> bool:
    """``module`` is a web framework's the layer forbids (AL103 would report it)."""
    forbidden = any(module_matches(module, pattern) for pattern in layer.forbidden_external)
    return forbidden and _describe_package(ctx, module) == _KIND_WORDS["framework"]


def _wiring_plugin(ctx: CheckContext, path: str) -> bool:
    """The module exports one framework plugin that wires a dependency into the app, and nothing else:
    ``export default fp(async (fastify) => { fastify.decorate('db', sequelize); … })`` — the framework's
    dependency injection, wiring like a ``container`` module, wherever the agent put it
    (``src/infrastructure/database/plugin.ts``).  Read from the file's own IR, only for a file whose
    framework import AL103 would report.  Not one whose plugin also registers routes or sub-plugins
    (``fastify.get(…)``, ``register``: presentation code in that layer), nor a module exporting anything
    else (a repository taking a ``FastifyRequest``)."""
    facts = ctx.files.get(path)
    module = facts.ir if facts is not None and facts.parsed else None
    if module is None or not module.exports:
        return False
    known = ctx.knowledge.view("checks.layering", _known)
    assigned = {statement.targets[0].id: statement.value for statement in module.module.body
                if type(statement) is ir.Assign and len(statement.targets) == 1 and type(statement.targets[0]) is ir.Name
                and statement.value is not None}
    exported = [_assigned_value(assigned, export.value if export.value is not None else ir.Name(export.local, export.span))
                if not export.source else None for export in module.exports]
    call = exported[0]
    if any(value != call for value in exported):
        return False  # `export default plugin` beside `export const plugin = fp(…)` is one export
    if type(call) is not ir.Call or type(call.func) is not ir.Name or not call.args or call.args[0].kind != "pos":
        return False
    if module.binding(call.func.id) not in known.plugin_wrappers:
        return False
    plugin = _assigned_value(assigned, call.args[0].value)
    if type(plugin) is not ir.FuncRef or plugin.fid >= len(module.functions):
        return False
    function = module.functions[plugin.fid]
    if not function.params:
        return False
    instance = function.params[0].name
    methods = {node.func.name for fid in ir.enclosed_fids(module, plugin.fid) for node in ir.calls_in(module.functions[fid].body)
               if type(node.func) is ir.Attr and type(node.func.obj) is ir.Name and node.func.obj.id == instance}
    return bool(methods & known.wiring_methods) and not methods & known.presentation_methods


def _assigned_value(assigned: dict, node):
    """``node``, or what the module-level name it is was assigned (``const plugin = fp(dbPlugin)``), a few hops."""
    for _ in range(4):
        if type(node) is not ir.Name or node.id not in assigned:
            break
        node = assigned[node.id]
    return node


def _describe_package(ctx: CheckContext, module: str) -> str:
    for entry in ctx.knowledge.entries:
        if any(module_matches(module, m) for m in entry.modules):
            return _KIND_WORDS.get(entry.kind, "package")
    return "package"


def _via(chain: tuple[Edge, ...]) -> str:
    if len(chain) == 1:
        return ""
    return " via " + " -> ".join(f"`{edge.source}`" for edge in chain[1:])


def _transitive(ctx: CheckContext, layer: Layer, edge: Edge, reported: set) -> Iterator[Finding]:
    """Follow ``edge`` through unlayered, non-root modules and judge what is reached."""
    start = edge.target
    if ctx.layer(start) is not None or start in ctx.composition_roots:
        return
    queue: list[tuple[Edge, ...]] = [(edge,)]
    seen = {start}
    while queue:
        chain = queue.pop(0)
        for nxt in ctx.graph.out_edges(chain[-1].target):
            if nxt.kind not in CHECKED_KINDS:
                continue
            extended = chain + (nxt,)
            for finding in _judge(ctx, layer, edge, extended):
                key = (finding.rule, finding.line, finding.message.split(";", 1)[0])
                if key not in reported:
                    reported.add(key)
                    yield finding
            target = nxt.target
            if nxt.external or target in seen or ctx.layer(target) is not None or target in ctx.composition_roots:
                continue
            seen.add(target)
            queue.append(extended)


def _opaque_imports(ctx: CheckContext) -> Iterator[Finding]:
    for path in sorted(ctx.files):
        for imp in ctx.files[path].imports:
            if imp.kind == OPAQUE:
                message = (
                    f"import target computed at runtime from `{imp.module}`; no static check can see which "
                    f"module is loaded, and a name taken from input can load arbitrary code"
                )
                yield ctx.registry.finding("AL106", path, imp.span, message)


def _unlayered(ctx: CheckContext, path: str) -> Iterator[Finding]:
    architecture = ctx.architecture
    if architecture is None or not architecture.exhaustive or ctx.files[path].language == "unknown":
        return
    if any(glob_match(path, pattern) for pattern in architecture.exhaustive_ignore):
        return
    if architecture.containers and not any(
        not container or path.startswith(container + "/") for container in architecture.containers
    ):
        return
    names = ", ".join(layer.name for layer in architecture.layers)
    message = f"`{path}` belongs to no layer ({names}); no layer rule checks what it imports or who imports it"
    yield ctx.registry.finding("AL107", path, Span(1, 1, 1, 1), message)


def _layers_matching_nothing(ctx: CheckContext) -> Iterator[Finding]:
    architecture = ctx.architecture
    if architecture is None or architecture.name != "custom":
        return
    paths = [p for p, f in ctx.files.items() if f.language != "unknown"]
    location = ctx.config_path or ctx.config.path
    for entry in ctx.config.layers:
        if entry.paths and not any(glob_match(p, pattern) for p in paths for pattern in entry.paths):
            line = entry.line or 1
            globs = ", ".join(entry.paths)
            message = f"layer `{entry.name}` matches no source file (paths: {globs}); every rule for this layer is silently off"
            yield ctx.registry.finding("AL108", location, Span(line, 1, line, 1), message)
