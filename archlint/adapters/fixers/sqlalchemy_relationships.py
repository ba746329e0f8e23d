"""AL205 (unsafe): ``back_populates`` naming a missing attribute, renamed to the one candidate.

The candidate is the only relationship of the target model that points back to this model and
does not already pair with another attribute.  The rename is unsafe: when the reverse side was
simply never written, the right fix is to add it, not to pair with an unrelated relationship.
"""

from __future__ import annotations

import libcst as cst

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.python_cst import Change, PythonModule
from archlint.domain.findings import Finding
from archlint.domain.orm_models import ModelIndex


@fixer("AL205", "python")
def back_populates(module: PythonModule, finding: Finding, ctx) -> Change:
    statement = module.node_at(finding, cst.Assign, cst.AnnAssign)
    call = statement.value
    argument = next(
        (a for a in getattr(call, "args", ()) if a.keyword is not None and a.keyword.value == "back_populates"), None
    )
    if argument is None or not isinstance(argument.value, cst.SimpleString):
        raise Decline("back_populates is not a plain string argument of this relationship()")
    model, relation = _relation_at(ctx, finding)
    index = ModelIndex(ctx.datalayer.all_models, ctx.files, ctx.graph.resolve_binding, ctx.projects.of)
    target = index.resolve(model.path, relation.target)  # the class the check judged, by the same rule
    if target is None:
        raise Decline(f"the target model {relation.target!r} is not known")
    candidates = sorted(
        name
        for name, field in target.fields.items()
        if field.kind == "relationship"
        and index.resolve(target.path, field.target) is model
        and field.options.get("back_populates", relation.name) == relation.name
    )
    if len(candidates) != 1:
        found = ", ".join(candidates) or "none"
        raise Decline(f"{target.name} has {len(candidates)} relationships back to {model.name} ({found}); choose by hand")
    string = argument.value
    opening = len(string.prefix) + len(string.quote)
    renamed = string.with_changes(value=string.value[:opening] + candidates[0] + string.value[-len(string.quote) :])
    return Change(string, renamed)


def _relation_at(ctx, finding: Finding):
    for model in ctx.datalayer.all_models:
        if model.path != finding.path:
            continue
        for field in model.fields.values():
            span = field.span
            if field.kind == "relationship" and (span.line, span.column, span.end_line, span.end_column) == (
                finding.line, finding.column, finding.end_line, finding.end_column
            ):
                return model, field
    raise Decline("no relationship of a known model at the finding's span")
