"""AL208: a joined eager load of a collection read without ``.unique()``: insert it.

The finding names the call that reads the rows (``session.scalars(stmt)``); the fix appends
``.unique()`` to it — ``(await session.scalars(stmt)).unique()`` when it is awaited — so whatever
follows (``.first()``, ``.all()``, a later ``result.scalars()``) reads de-duplicated rows.  Without
it SQLAlchemy raises, so no working behaviour changes.  ``scalar(stmt)``, which returns the first
row's first column, becomes ``scalars(stmt).unique().first()``, the same value.
"""

from __future__ import annotations

import libcst as cst

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.python_cst import Change, PythonModule, keep_parens
from archlint.domain.findings import Finding

_RESULT_METHODS = frozenset({"scalars", "execute", "stream", "stream_scalars"})


@fixer("AL208", "python")
def add_unique(module: PythonModule, finding: Finding, ctx) -> Change:
    call = module.node_at(finding, cst.Call)
    if not isinstance(call.func, cst.Attribute):
        raise Decline("not a method call on a session or connection")
    method = call.func.attr.value
    if method not in _RESULT_METHODS and method != "scalar":
        raise Decline(f"`.{method}()` does not return a Result to call .unique() on")
    reader = call
    if method == "scalar":
        reader = call.with_changes(func=call.func.with_changes(attr=cst.Name("scalars")), lpar=[], rpar=[])
    parent = module.parent(call)
    target: cst.BaseExpression = call
    outer = target = call
    if isinstance(parent, cst.Await) and parent.expression is call:
        target = parent
        if parent.lpar:  # `(await s.scalars(q))` already has the parentheses `.unique()` needs
            reader, outer = parent.with_changes(expression=reader), None
        else:
            reader, outer = parent.with_changes(expression=reader, lpar=[cst.LeftParen()], rpar=[cst.RightParen()]), parent
    else:
        reader = reader.with_changes(lpar=[], rpar=[])
    result = cst.Call(func=cst.Attribute(value=reader, attr=cst.Name("unique")))
    if method == "scalar":
        result = cst.Call(func=cst.Attribute(value=result, attr=cst.Name("first")))
    return Change(target, keep_parens(result, outer) if outer is not None else result)
