"""Tests that pick one value of one discriminant: ``if (req.method === 'POST')`` … ``if (req.method ===
'DELETE')``.  Two such branches on the same request attribute with different constants never both run
in one request (a favourite/unfavourite handler shared by two routes), so the branches they open are
recorded as opposite sides of one virtual site, ``eq:<expression>``.

Only request data qualifies (the framework's request object does not change while the handler runs)
and only when the function never assigns the expression: ``let mode = …; if (mode === 'a') { mode =
'b' } if (mode === 'b') …`` runs both."""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.ir_format import render
from archlint.semantics import values as v


def _path(node) -> bool:
    """A name or an attribute chain over a name (``req.method``, ``ctx.request.method``)."""
    while type(node) is ir.Attr:
        node = node.obj
    return type(node) is ir.Name


def assigned_paths(assigns: tuple) -> frozenset:
    """The names and attribute chains a function's assignments (its ``NodeIndex.assigns``) assign (rendered)."""
    found = set()
    for node in assigns:
        for target in node.targets:
            for part in ir.iter_nodes((target,)):
                if type(part) in (ir.Name, ir.Attr):
                    found.add(render(part, 120))
    return frozenset(found)


def equality_side(test, evaluate, assigned: frozenset) -> tuple[str, str] | None:
    """``(virtual site, side)`` for ``<request attribute> == <constant>``, else ``None``."""
    if type(test) is not ir.Compare or test.op != "==":
        return None
    for subject, constant in ((test.left, test.right), (test.right, test.left)):
        if type(constant) is not ir.Const or not isinstance(constant.value, (str, int, float)) or not _path(subject):
            continue
        text = render(subject, 120)
        if text in assigned:
            return None
        value = evaluate(subject)
        if v.REQUEST_TAG not in v.tags_of(value) and type(v.strip(value)) is not v.Request:
            return None
        return f"eq:{text}", f"={constant.value!r}"
    return None
