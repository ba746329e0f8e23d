"""A compact, readable rendering of the IR — for tests, ``--verbose`` traces and debugging.

Tests assert on this text (``assert render(expr) == "session.execute(select(User).where(…))"``)
instead of on nested constructor calls, which keeps them readable and makes a lowering change
show up as a one-line diff.
"""

from __future__ import annotations

from archlint.domain import ir


def render(node, limit: int = 0) -> str:
    """One expression (or statement head) as text, close to source syntax but normalised."""
    text = _expr(node)
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def _args(args) -> str:
    parts = []
    for arg in args:
        if arg.kind == "kw":
            parts.append(f"{arg.name}={_expr(arg.value)}")
        elif arg.kind == "star":
            parts.append(f"*{_expr(arg.value)}")
        elif arg.kind == "kwstar":
            parts.append(f"**{_expr(arg.value)}")
        else:
            parts.append(_expr(arg.value))
    return ", ".join(parts)


def _operand(node) -> str:
    """``(await x).y``: an await read through needs its parentheses back."""
    return f"({_expr(node)})" if type(node) is ir.Await else _expr(node)


def _expr(node) -> str:  # noqa: C901 - one branch per record, flat on purpose
    kind = type(node)
    if node is None:
        return "None"
    if kind is ir.Name:
        return node.id
    if kind is ir.Attr:
        return f"{_operand(node.obj)}{'?.' if node.optional else '.'}{node.name}"
    if kind is ir.Index:
        return f"{_operand(node.obj)}[{_expr(node.index)}]"
    if kind is ir.Call:
        prefix = "new " if node.new else ""
        if len(node.args) == 1 and type(node.args[0].value) is ir.Template and node.args[0].value.tag is not None:
            return f"{prefix}{_expr(node.func)}{_template(node.args[0].value)}"  # sql`…`: the tag once
        return f"{prefix}{_expr(node.func)}{'?.' if node.optional else ''}({_args(node.args)})"
    if kind is ir.Const:
        return repr(node.value)
    if kind is ir.Template:
        tag = _expr(node.tag) if node.tag is not None else "f"
        return tag + _template(node)
    if kind is ir.BinOp:
        return f"({_expr(node.left)} {node.op} {_expr(node.right)})"
    if kind is ir.BoolOp:
        return "(" + f" {node.op} ".join(_expr(v) for v in node.values) + ")"
    if kind is ir.Compare:
        op = node.op + ("=" if node.strict else "")
        return f"({_expr(node.left)} {op} {_expr(node.right)})"
    if kind is ir.Unary:
        space = " " if node.op.isalpha() else ""
        return f"{node.op}{space}{_expr(node.operand)}"
    if kind is ir.Cond:
        return f"({_expr(node.then)} if {_expr(node.test)} else {_expr(node.orelse)})"
    if kind is ir.Await:
        return f"await {_expr(node.value)}"
    if kind is ir.Seq:
        inner = ", ".join(_expr(e) for e in node.elts)
        return {"list": f"[{inner}]", "tuple": f"({inner})", "set": f"{{{inner}}}"}.get(node.kind, f"[{inner}]")
    if kind is ir.Starred:
        return f"*{_expr(node.value)}"
    if kind is ir.Obj:
        parts = []
        for entry in node.entries:
            if entry.key is None:
                parts.append(f"**{_expr(entry.value)}")
                continue
            key = entry.key if isinstance(entry.key, str) else f"[{_expr(entry.key)}]"
            default = f" = {_expr(entry.default)}" if entry.default is not None else ""
            parts.append(f"{key}: {_expr(entry.value)}{default}")
        return "{" + ", ".join(parts) + "}"
    if kind is ir.FuncRef:
        return f"<function #{node.fid}>"
    if kind is ir.ClassRef:
        return f"<class #{node.cid}>"
    if kind is ir.Loop:
        target = _expr(node.target) if node.target is not None else ""
        return f"<{node.kind} {target} in {_expr(node.iter)}>"
    if kind is ir.Opaque:
        return f"<{node.kind}>"
    return f"<{kind.__name__}>"


def dump(block, indent: int = 0) -> list[str]:
    """Statements as indented lines: ``if``/``for``/``with``/``try`` with their bodies."""
    lines: list[str] = []
    pad = "  " * indent
    for stmt in block:
        kind = type(stmt)
        if kind is ir.Assign:
            targets = " = ".join(_expr(t) for t in stmt.targets)
            note = f": {_expr(stmt.annotation)}" if stmt.annotation is not None else ""
            op = stmt.op if stmt.op != "=" else "="
            lines.append(f"{pad}{targets}{note} {op} {_expr(stmt.value)}" if stmt.value is not None else f"{pad}{targets}{note}")
        elif kind is ir.ExprStmt:
            if type(stmt.value) is ir.Loop:
                lines.extend(dump((stmt.value,), indent))
            else:
                lines.append(f"{pad}{_expr(stmt.value)}")
        elif kind is ir.Return:
            lines.append(f"{pad}return {_expr(stmt.value)}" if stmt.value is not None else f"{pad}return")
        elif kind is ir.Raise:
            lines.append(f"{pad}raise {_expr(stmt.value)}" if stmt.value is not None else f"{pad}raise")
        elif kind is ir.If:
            lines.append(f"{pad}if {_expr(stmt.test)}:")
            lines.extend(dump(stmt.body, indent + 1))
            if stmt.orelse:
                lines.append(f"{pad}else:")
                lines.extend(dump(stmt.orelse, indent + 1))
        elif kind is ir.Loop:
            target = _expr(stmt.target) if stmt.target is not None else ""
            prefix = "async " if stmt.is_async else ""
            lines.append(f"{pad}{prefix}{stmt.kind} {target} in {_expr(stmt.iter)}:")
            for condition in stmt.conditions:
                lines.append(f"{pad}  if {_expr(condition)}")
            lines.extend(dump(stmt.body, indent + 1))
            if stmt.result is not None:
                lines.append(f"{pad}  -> {_expr(stmt.result)}")
        elif kind is ir.With:
            items = ", ".join(
                _expr(item.context) + (f" as {_expr(item.target)}" if item.target is not None else "") for item in stmt.items
            )
            lines.append(f"{pad}{'async ' if stmt.is_async else ''}with {items}:")
            lines.extend(dump(stmt.body, indent + 1))
        elif kind is ir.Try:
            lines.append(f"{pad}try:")
            lines.extend(dump(stmt.body, indent + 1))
            for handler in stmt.handlers:
                types = _expr(handler.types) if handler.types is not None else ""
                name = f" as {handler.name}" if handler.name else ""
                lines.append(f"{pad}except {types}{name}:".replace("except :", "except:").replace("except  as", "except as"))
                lines.extend(dump(handler.body, indent + 1))
            if stmt.orelse:
                lines.append(f"{pad}else:")
                lines.extend(dump(stmt.orelse, indent + 1))
            if stmt.final:
                lines.append(f"{pad}finally:")
                lines.extend(dump(stmt.final, indent + 1))
        elif kind is ir.Assert:
            lines.append(f"{pad}assert {_expr(stmt.test)}")
        elif kind is ir.Jump:
            lines.append(f"{pad}{stmt.kind}")
        elif kind is ir.Delete:
            lines.append(f"{pad}del {', '.join(_expr(t) for t in stmt.targets)}")
        else:
            lines.append(f"{pad}<{kind.__name__}>")
    return lines


def dump_function(function: ir.Function) -> str:
    params = ", ".join(
        ("*" if p.kind == "vararg" else "**" if p.kind == "kwarg" else "")
        + p.name
        + (f": {_expr(p.annotation)}" if p.annotation is not None else "")
        + (f" = {_expr(p.default)}" if p.default is not None else "")
        for p in function.params
    )
    head = f"{'async ' if function.is_async else ''}{function.kind} {function.qualname}({params})"
    return "\n".join([head] + dump(function.body, 1))


def _template(node: ir.Template) -> str:
    pieces = [node.strings[0]]
    for hole, tail in zip(node.holes, node.strings[1:]):
        pieces.append("{" + _expr(hole) + "}")
        pieces.append(tail)
    return f"`{''.join(pieces)}`"
