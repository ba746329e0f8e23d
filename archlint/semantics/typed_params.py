"""Parameters whose declared type makes their text harmless in SQL: ``pid: number`` (TypeScript,
checked by the compiler), ``limit: int`` / ``flag: bool | None`` / ``Optional[int]`` (Python, checked
by type checkers and by FastAPI/pydantic at the boundary).  Spliced into SQL they print as digits,
``true``/``false`` or ``None``: nothing that can close a quote or add a clause.

Read from the IR: the name is resolved through the function that holds the SQL and its enclosing
functions (a closure's free name is the enclosing function's parameter), and a parameter the body
reassigns is not trusted (Python lets ``limit = request.args["limit"]`` replace it)."""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.semantics.dialect_guards import innermost_function

_SCALAR_TYPES = frozenset({"int", "float", "bool", "number", "bigint", "boolean"})


def _scalar(annotation) -> bool | None:
    """True: a scalar type; None: nothing (``None`` / ``null`` / ``undefined``); False: anything else."""
    kind = type(annotation)
    if kind is ir.Name:
        if annotation.id in _SCALAR_TYPES:
            return True
        return None if annotation.id in ("None", "null", "undefined") else False
    if kind is ir.Const and annotation.value is None:
        return None
    if kind is ir.BinOp and annotation.op == "|":
        sides = (_scalar(annotation.left), _scalar(annotation.right))
        if False in sides or True not in sides:
            return False
        return True
    if kind is ir.Index and type(annotation.obj) in (ir.Name, ir.Attr):
        head = annotation.obj.id if type(annotation.obj) is ir.Name else annotation.obj.name
        return True if head == "Optional" and _scalar(annotation.index) is True else False
    return False


def _assigned(function: ir.Function, name: str) -> bool:
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign and any(type(part) is ir.Name and part.id == name
                                           for target in node.targets for part in ir.iter_nodes((target,))):
            return True
        if type(node) is ir.Loop and node.target is not None and any(
                type(part) is ir.Name and part.id == name for part in ir.iter_nodes((node.target,))):
            return True
    return False


def scalar_parameter(module: ir.ModuleIR, span: Span, name: str) -> bool:
    """``name``, read by the code at ``span``, is a parameter declared as a number or a boolean."""
    if not name.isidentifier():
        return False
    function = innermost_function(module, span)
    while function is not None and function.kind != "module":
        scope = function.scope_of(name)
        if scope == "param":
            if _assigned(function, name):
                return False
            parameter = next((p for p in function.params if p.name == name), None)
            return parameter is not None and parameter.annotation is not None and _scalar(parameter.annotation) is True
        if scope == "local":
            return False
        function = module.functions[function.parent] if 0 <= function.parent < len(module.functions) else None
    return False
