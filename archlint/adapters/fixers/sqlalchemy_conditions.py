"""AL201 and AL202: Python operators inside SQLAlchemy conditions, rewritten to the SQL ones.

AL201 ``and``/``or``/``not``: ``where(a and b)`` becomes ``where(a, b)`` (where(), filter() and
having() AND their arguments); anywhere else ``and_(a, b)``, and ``or``/``not`` become ``or_(…)``/
``not_(…)``.  Operands that are themselves Python boolean operations are converted too — the
check found the outer one, and the inner ones are part of the same broken condition.

AL202 ``is``/``in``: ``col is None`` -> ``col.is_(None)``, ``is not`` -> ``is_not``, ``in`` ->
``in_``, ``not in`` -> ``not_in``.  ``value in Model.col`` (membership in an array column) needs
``contains``/``any`` chosen by a person, so it is declined.
"""

from __future__ import annotations

import libcst as cst

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.python_cst import Change, Names, PythonModule, keep_parens, without_parens
from archlint.domain.datalayer import is_column_path
from archlint.domain.findings import Finding

_SEPARATE_ARGUMENTS = frozenset({"where", "filter", "having", "and_"})  # methods that AND their arguments
_OPERATOR_METHODS = {cst.Is: "is_", cst.IsNot: "is_not", cst.In: "in_", cst.NotIn: "not_in"}
_PRE_14_METHODS = {"is_not": "isnot", "not_in": "notin_"}  # spellings before SQLAlchemy 1.4


@fixer("AL201", "python")
def boolean_operator(module: PythonModule, finding: Finding, ctx) -> Change:
    node = module.node_at(finding, cst.BooleanOperation, cst.UnaryOperation)
    if isinstance(node, cst.UnaryOperation) and not isinstance(node.operator, cst.Not):
        raise Decline("not a `not` operation")
    names = Names(module)
    parent = module.parent(node)
    if (
        isinstance(node, cst.BooleanOperation)
        and isinstance(node.operator, cst.And)
        and isinstance(parent, cst.Arg)
        and not parent.keyword
        and not parent.star
        and _method(module.parent(parent)) in _SEPARATE_ARGUMENTS
    ):
        arguments = _arguments(node, names)
        last = arguments[-1].with_changes(comma=parent.comma, whitespace_after_arg=parent.whitespace_after_arg)
        return Change(parent, cst.FlattenSentinel([*arguments[:-1], last]), tuple(names.imports))
    return Change(node, keep_parens(_sql(node, names), node), tuple(names.imports))


def _method(call) -> str:
    if not isinstance(call, cst.Call):
        return ""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _sql(node: cst.BaseExpression, names: Names) -> cst.BaseExpression:
    """``node`` with its Python boolean operators turned into SQLAlchemy calls (a node of
    another kind is returned as it is)."""
    if isinstance(node, cst.BooleanOperation):
        helper = "and_" if isinstance(node.operator, cst.And) else "or_"
        return names.call(helper, _arguments(node, names))
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return names.call("not_", [cst.Arg(value=_operand(node.expression, names))])
    return node


def _operand(node: cst.BaseExpression, names: Names) -> cst.BaseExpression:
    """An operand becoming a call argument: a converted one loses its now-redundant parentheses."""
    converted = _sql(node, names)
    return without_parens(converted) if converted is not node else node


def _arguments(node: cst.BooleanOperation, names: Names) -> list[cst.Arg]:
    """``a and b and c`` -> [a, b, c] as call arguments; each comma takes the place of an
    operator and keeps the line break or comment around it."""
    operands, operators = _chain(node)
    arguments = []
    for index, operand in enumerate(operands):
        comma = _comma(operators[index]) if index < len(operators) else cst.MaybeSentinel.DEFAULT
        arguments.append(cst.Arg(value=_operand(operand, names), comma=comma))
    return arguments


def _chain(node: cst.BooleanOperation) -> tuple[list[cst.BaseExpression], list[cst.BaseBooleanOp]]:
    """The operands of a run of one operator: ``a and b and c``, not into parenthesised groups."""
    kind = type(node.operator)
    operands: list[cst.BaseExpression] = []
    operators: list[cst.BaseBooleanOp] = []

    def walk(part: cst.BaseExpression, top: bool) -> None:
        if isinstance(part, cst.BooleanOperation) and isinstance(part.operator, kind) and (top or not part.lpar):
            walk(part.left, False)
            operators.append(part.operator)
            walk(part.right, False)
        else:
            operands.append(part)

    walk(node, True)
    return operands, operators


def _comma(operator: cst.BaseBooleanOp) -> cst.Comma:
    before, after = operator.whitespace_before, operator.whitespace_after
    if isinstance(before, cst.ParenthesizedWhitespace) and not isinstance(after, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=before)  # `a\n and b` -> `a,\n b`
    if not isinstance(before, cst.ParenthesizedWhitespace):
        before = cst.SimpleWhitespace("")
    return cst.Comma(whitespace_before=before, whitespace_after=after)


@fixer("AL202", "python")
def identity_test(module: PythonModule, finding: Finding, ctx) -> Change:
    node = module.node_at(finding, cst.Comparison)
    if len(node.comparisons) != 1:
        raise Decline("a chained comparison; split it by hand")
    (target,) = node.comparisons
    method = _OPERATOR_METHODS.get(type(target.operator))
    if method is None:
        raise Decline("not an `is`/`in` comparison")
    if not _column_like(node.left):
        raise Decline("`value in Model.column` tests membership in an array column: use .contains()/.any() by hand")
    if _pinned_before_14(ctx):
        method = _PRE_14_METHODS.get(method, method)
    call = cst.Call(func=cst.Attribute(value=node.left, attr=cst.Name(method)), args=[cst.Arg(value=target.comparator)])
    return Change(node, keep_parens(call, node))


def _column_like(node: cst.BaseExpression) -> bool:
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name) or not parts:
        return False
    return is_column_path([node.value, *reversed(parts)])


def _pinned_before_14(ctx) -> bool:
    """A project that pins SQLAlchemy 1.0-1.3 has isnot()/notin_() but not is_not()/not_in()."""
    manifest = getattr(ctx, "manifest", None)
    for dependency in getattr(manifest, "dependencies", ()):
        if dependency.name == "sqlalchemy":
            spec = dependency.spec.replace(" ", "")
            return any(spec.startswith(p) for p in ("==1.0", "==1.1", "==1.2", "==1.3", "<1.4", "<=1.3", "~=1.3", "~=1.2"))
    return False
