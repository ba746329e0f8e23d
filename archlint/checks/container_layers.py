"""AL101/AL102 through a dependency-injection container: the layer rules' import edges cannot see
``container.resolve('tagRepository').popular(limit)`` in a controller — the controller imports only the
container (a composition root), and the container hands it the repository, skipping the service layer.

The semantic model already types what a container resolves (``semantics/containers.py``: a hand-written
registry's ``register(name, factory)`` / ``resolve(name)``, awilix's ``container.resolve(name)``).  A
resolution is judged like an import of the resolved object's class: only in a project with layers
(configured or inferred with confidence, the layer rules' own premise), only in a module of a layer
that is not a composition root, and only when every value the call resolves to is an instance of a
project class whose module is in a layer the caller's layer may not use.  Reported at the resolve call.
It needs the bodies, so it runs in a full check (a layers-only run sees imports only).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.layers import Layer


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.architecture is None:
        return
    program = ctx.program
    if program is None or not program.modules:
        return
    from archlint.domain import ir
    from archlint.semantics import values as v
    from archlint.semantics.containers import known, registry_classes

    registries = registry_classes(program)
    resolvers = known(program).container_resolvers
    reported: set = set()
    for analysis in program.analyses():
        path = analysis.path
        if path in ctx.composition_roots or path not in ctx.files:
            continue
        layer = ctx.layer(path)
        if layer is None:
            continue
        for record in analysis.calls:
            node = record.node
            if type(node.func) is not ir.Attr or (path, node.span) in reported:
                continue
            receiver = v.strip(record.receiver)
            if type(receiver) is v.Instance:
                registry = registries.get((receiver.path, receiver.cid))
                if registry is None or node.func.name != registry.resolve:
                    continue
            elif type(receiver) is not v.External or f"{receiver.name}.{node.func.name}" not in resolvers:
                continue
            judged = _judge(ctx, layer, [v.strip(option) for option in v.options(record.result)], v)
            if judged is None:
                continue
            reported.add((path, node.span))
            yield _finding(ctx, path, node, layer, *judged)


def _judge(ctx: CheckContext, layer: Layer, values: list, v) -> tuple | None:
    """``(class module, its layer)`` when every resolved value is an instance of a project class in a
    layer ``layer`` may not use (one such module; a union over several is not judged)."""
    targets = set()
    for value in values:
        if type(value) is not v.Instance or value.path in ctx.composition_roots:
            return None
        target = ctx.layer(value.path)
        if target is None or layer.allows(target):
            return None
        targets.add((value.path, target.name))
    if len(targets) != 1:
        return None
    target_path, name = next(iter(targets))
    return target_path, next(t for t in ctx.architecture.layers if t.name == name)  # type: ignore[union-attr]


def _finding(ctx: CheckContext, path: str, node, layer: Layer, target_path: str, target: Layer) -> Finding:
    allowed = ", ".join(layer.may_import) if layer.may_import is not None else "the layers below it"
    shown = _call_text(node)
    if target.rank < layer.rank:
        message = (
            f"upward dependency through a container: {layer.name} layer resolves `{shown}`, an object of "
            f"`{target_path}` in the {target.name} layer above it; no import shows it, but the lower layer "
            f"now depends on the higher one"
        )
        guidance = (
            f"Give this code what it needs from {layer.name} or a layer it may use ({allowed or 'none'}), "
            f"or pass it in as a parameter, instead of resolving the {target.name} object from the container."
        )
        return ctx.registry.finding("AL101", path, node.span, message, guidance)
    relation = "a sibling layer it must not know" if target.rank == layer.rank else "bypassing the layer in between"
    message = (
        f"skip-layer dependency through a container: {layer.name} layer resolves `{shown}`, an object of "
        f"`{target_path}` in the {target.name} layer, {relation}; {layer.name} may use only {allowed or 'nothing'} "
        f"(no import shows it: the container hands it over)"
    )
    guidance = (
        f"Resolve an object of a layer {layer.name} may use ({allowed or 'none'}) and let it use the "
        f"{target.name} layer; add such a method (e.g. to the service) if it does not exist yet."
    )
    return ctx.registry.finding("AL102", path, node.span, message, guidance, data=(("layers", (layer.name, target.name)),))


def _call_text(node) -> str:
    """``container.resolve('tagRepository')`` as written (a receiver named or ``this.F``, a literal key)."""
    from archlint.domain import ir

    obj = node.func.obj
    if type(obj) is ir.Name:
        receiver = obj.id
    elif type(obj) is ir.Attr and type(obj.obj) is ir.Name:
        receiver = f"{obj.obj.id}.{obj.name}"
    else:
        receiver = "…"
    key = node.args[0].value if node.args else None
    shown = f"'{key.value}'" if type(key) is ir.Const and isinstance(key.value, str) else "…"
    return f"{receiver}.{node.func.name}({shown})"
