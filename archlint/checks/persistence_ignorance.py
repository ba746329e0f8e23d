"""AL103 for an ORM imported into an entities layer the project keeps free of persistence.

The Clean Architecture preset lets the models/entities layer use the ORM: that is where most
projects declare their mapped classes.  A project that declares every mapping somewhere else —
its ORM model classes in the data-access layer beside plain domain entities, or its domain
dataclasses mapped imperatively (``registry.map_imperatively(Article, articles_table)``) from an
infrastructure module — has chosen an entities layer that knows nothing of the database; a module
of that layer importing the ORM (``from sqlalchemy.orm import Session`` in a repository protocol)
breaks its own design.  Judged only where the project's mappings are all known (the semantic
model's schema), at least one exists, and none is declared in a module of the entities layer.
It needs the bodies, so it runs in a full check (a layers-only run sees imports only).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.facts import DEFERRED, DYNAMIC, LAZY, RUNTIME
from archlint.domain.findings import Finding
from archlint.domain.knowledge import module_matches

_CHECKED = frozenset({RUNTIME, LAZY, DYNAMIC, DEFERRED})


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.architecture is None:
        return
    program = ctx.program
    if program is None or not program.modules or not program.schema.models:
        return
    entities = [layer for layer in ctx.architecture.layers if layer.may_import == () and not layer.data_access]
    if len(entities) != 1:
        return
    layer = entities[0]
    orms = [(entry.name, module) for entry in ctx.knowledge.of_kind("orm") for module in entry.modules]
    if any(module in layer.forbidden_external for _name, module in orms):
        return  # the layer rules already forbid the ORM there (the hexagonal preset's domain)
    mapped_in = {model.mapped_in or model.path for model in program.schema.models.values() if not non_production(model.path)}
    layers = [ctx.layer(path) for path in mapped_in]
    if not mapped_in or any(found is None or found is layer for found in layers):
        return  # a mapping in the entities layer, or one whose layer is unknown: the premise does not hold
    mapping_layers = sorted({found.name for found in layers})
    for path in sorted(ctx.files):
        if path in ctx.composition_roots or ctx.layer(path) is not layer or non_production(path):
            continue
        for edge in ctx.graph.out_edges(path):
            if not edge.external or edge.kind not in _CHECKED:
                continue
            orm = next((name for name, module in orms if module_matches(edge.target, module)), None)
            if orm is None:
                continue
            shown = edge.specifier or edge.target
            message = (
                f"ORM `{shown}` imported in the {layer.name} layer, which this project keeps free of persistence: every "
                f"mapping it declares lives in the {', '.join(mapping_layers)} layer, so this module ties the entities "
                f"to the database library they were separated from"
            )
            guidance = (
                f"Keep the {layer.name} layer plain (dataclasses, protocols typed with its own types) and move what "
                f"needs `{shown}` into the {', '.join(mapping_layers)} layer, behind an interface the {layer.name} layer defines."
            )
            yield ctx.registry.finding("AL103", path, edge.span, message, guidance)
            break
