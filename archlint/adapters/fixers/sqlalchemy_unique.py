"""AL208: the rows of a joined eager load of a collection read without ``.unique()``: insert it.

The finding names where the rows are read: a reading call (``session.scalars(stmt).all()``,
``result.one()``, ``…scalar_one_or_none()``) or the result a loop iterates
(``for row in rows.scalars():``).  The fix puts ``.unique()`` right there —
``session.scalars(stmt).unique().all()``, ``for row in rows.scalars().unique():``,
``(await session.scalars(stmt)).unique().all()`` — so the rows are de-duplicated where they are
read.  Without it SQLAlchemy raises, so no working behaviour changes.
"""

from __future__ import annotations

import libcst as cst

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.python_cst import Change, PythonModule, keep_parens

# The Result methods that raise for joined collections without unique() (semantics/support.py).
_READERS = frozenset({"all", "one", "one_or_none", "scalar_one", "scalar_one_or_none", "fetchall", "partitions"})
_POSTFIX = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)  # `.unique()` binds to them without parentheses


@fixer("AL208", "python")
def add_unique(module: PythonModule, finding, ctx) -> Change:
    node = module.node_at(finding, cst.BaseExpression)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _READERS:
        reader = node.func  # `<result>.all` -> `<result>.unique().all`
        unique = cst.Call(func=cst.Attribute(value=reader.value, attr=cst.Name("unique")))
        return Change(node, node.with_changes(func=reader.with_changes(value=unique)))
    if isinstance(node, _POSTFIX):  # an iterated result
        return Change(node, keep_parens(cst.Call(func=cst.Attribute(value=node.with_changes(lpar=[], rpar=[]), attr=cst.Name("unique"))), node))
    if isinstance(node, cst.Await):
        if node.lpar:  # `(await x)` already has the parentheses `.unique()` needs
            return Change(node, cst.Call(func=cst.Attribute(value=node, attr=cst.Name("unique"))))
        wrapped = node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return Change(node, cst.Call(func=cst.Attribute(value=wrapped, attr=cst.Name("unique"))))
    raise Decline("the rows are read through an expression `.unique()` cannot be appended to; call it by hand")
