"""AL701: ``postgres://`` given to SQLAlchemy -> ``postgresql://``, in the literal itself.

The finding's span is the string literal; the scheme is rewritten in its first piece as written
(a plain string, the first part of an f-string or of an implicit concatenation), so prefixes,
quotes and everything after the scheme stay byte for byte.
"""

from __future__ import annotations

import libcst as cst

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.python_cst import Change, PythonModule
from archlint.domain.findings import Finding

_OLD, _NEW = "postgres://", "postgresql://"


@fixer("AL701", "python")
def postgresql_scheme(module: PythonModule, finding: Finding, ctx) -> Change:
    node = module.node_at(finding, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
    while isinstance(node, cst.ConcatenatedString):
        node = node.left
    if isinstance(node, cst.SimpleString):
        opening = len(node.prefix) + len(node.quote)
        if node.value[opening:].startswith(_OLD):
            return Change(node, node.with_changes(value=node.value[:opening] + _NEW + node.value[opening + len(_OLD) :]))
    elif isinstance(node, cst.FormattedString) and node.parts and isinstance(node.parts[0], cst.FormattedStringText):
        first = node.parts[0]
        if first.value.startswith(_OLD):
            text = first.with_changes(value=_NEW + first.value[len(_OLD) :])
            return Change(first, text)
    raise Decline("the literal does not start with `postgres://` as written (escapes or a computed prefix)")
