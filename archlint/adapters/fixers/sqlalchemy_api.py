"""AL203: SQLAlchemy APIs removed in 2.0, where the 2.0 spelling is a mechanical rewrite.

* ``select([a, b])`` -> ``select(a, b)`` (``select([*cols])`` too; a comprehension is splatted) —
  only when the list is the sole argument: 1.x's second positional argument was the WHERE clause.
* ``session.execute("SQL")`` -> ``session.execute(text("SQL"))``, importing ``text`` (or using
  ``sa.text``).  Declined when the SQL has DBAPI placeholders (``%s``, ``%(name)s``, ``?``): text()
  binds ``:name`` parameters, so the placeholders and values need a person; and declined when it has
  ``:name`` binds but no values are passed (text() would demand them).

``Engine.execute()`` (needs a ``with engine.connect()`` block) and ``select(…).all()`` (needs a
session to execute it) have no mechanical rewrite.
"""

from __future__ import annotations

import re

import libcst as cst

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.python_cst import Change, Names, PythonModule
from archlint.domain.findings import Finding

# SQLAlchemy's own TextClause bind pattern (sqlalchemy/sql/elements.py `_bind_params_regex`).
_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")
_DBAPI_PLACEHOLDER = re.compile(r"%s|%\(\w+\)s|\?")


@fixer("AL203", "python")
def removed_api(module: PythonModule, finding: Finding, ctx) -> Change:
    call = module.node_at(finding, cst.Call)
    name = _last_name(call.func)
    if name == "select" and call.args and isinstance(call.args[0].value, (cst.List, cst.ListComp)):
        return _positional_select(call)
    if name == "execute" and _on_engine(ctx, finding):
        raise Decline("Engine.execute() needs a `with engine.connect() as conn:` block; no mechanical rewrite")
    if name == "execute" and call.args and isinstance(call.args[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        return _wrap_in_text(module, call)
    if name == "execute":
        raise Decline("this execute() has no mechanical 2.0 rewrite (see the guidance)")
    raise Decline(f"`.{name}()` on a Select needs a session to execute it; no mechanical rewrite")


def _on_engine(ctx, finding: Finding) -> bool:
    """Whether the check judged this execute() as ``Engine.execute`` (its receiver typed as an
    engine) — that finding is about the receiver, and text() would not fix it."""
    where = (finding.line, finding.column, finding.end_line, finding.end_column)
    return any(
        access.kind == "engine" and access.method == "execute" and tuple(access.span) == where
        for access in ctx.datalayer.accesses_in(finding.path)
    )


def _last_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _positional_select(call: cst.Call) -> Change:
    if len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
        raise Decline("select([...]) with more arguments: 1.x's second argument was the WHERE clause; move it to .where() by hand")
    argument = call.args[0]
    listed = argument.value
    if isinstance(listed, cst.ListComp):
        return Change(argument, argument.with_changes(star="*"))
    elements = list(listed.elements)
    if not elements:
        return Change(call, call.with_changes(args=[]))
    arguments = []
    for element in elements:
        star = "*" if isinstance(element, cst.StarredElement) else ""
        arguments.append(cst.Arg(value=element.value, star=star, comma=element.comma))
    # The brackets' line breaks become the parentheses' where the call had none of its own:
    # `select([\n  a,\n])` -> `select(\n  a,\n)`, `select(\n  [a],\n)` -> `select(\n  a,\n)`.
    # A comment in the whitespace around the brackets is never dropped.
    inner_open, outer_open = listed.lbracket.whitespace_after, call.whitespace_before_args
    if _comment(inner_open) and _comment(outer_open):
        raise Decline("comments on both sides of the `[`; remove the brackets by hand")
    opening = inner_open if _comment(inner_open) or _empty(outer_open) else outer_open
    inner_close, outer_close = listed.rbracket.whitespace_before, argument.whitespace_after_arg
    last = arguments[-1]
    if isinstance(argument.comma, cst.Comma) and not _comment(last.comma) and not _comment(inner_close):
        arguments[-1] = last.with_changes(comma=argument.comma, whitespace_after_arg=outer_close)
    elif _empty(outer_close) or _comment(inner_close):
        arguments[-1] = last.with_changes(whitespace_after_arg=inner_close)
        if isinstance(argument.comma, cst.Comma) and not isinstance(last.comma, cst.Comma):
            arguments[-1] = arguments[-1].with_changes(comma=argument.comma)
    else:
        arguments[-1] = last.with_changes(whitespace_after_arg=outer_close)
    return Change(call, call.with_changes(args=arguments, whitespace_before_args=opening))


def _empty(whitespace) -> bool:
    return isinstance(whitespace, cst.SimpleWhitespace) and not whitespace.value


def _comment(node) -> bool:
    """Whether a whitespace (or a comma's whitespace) node carries a comment."""
    if isinstance(node, cst.Comma):
        return _comment(node.whitespace_before) or _comment(node.whitespace_after)
    return isinstance(node, cst.ParenthesizedWhitespace) and (
        node.first_line.comment is not None or any(line.comment is not None for line in node.empty_lines)
    )


def _wrap_in_text(module: PythonModule, call: cst.Call) -> Change:
    string = call.args[0].value
    if call.args[0].keyword or call.args[0].star:
        raise Decline("the SQL is not the first positional argument")
    sql = string.evaluated_value
    if not isinstance(sql, str):
        raise Decline("the SQL is not a plain text string")
    if _DBAPI_PLACEHOLDER.search(sql):
        raise Decline("the SQL uses DBAPI placeholders (%s, ?); text() binds :name parameters, so rewrite placeholders and values by hand")
    if _BIND.search(sql) and len(call.args) == 1:
        raise Decline("`:name` in the SQL would become text() bind parameters with no values passed")
    names = Names(module)
    wrapped = names.call("text", [cst.Arg(value=string.with_changes(lpar=[], rpar=[]))])
    return Change(string, wrapped.with_changes(lpar=string.lpar, rpar=string.rpar), tuple(names.imports))
