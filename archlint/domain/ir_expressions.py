"""IR expressions as the expression trees of :mod:`archlint.domain.expressions`.

Constant folding reads expression *text* the facts carry, and the facts cut long values (an
assignment whose value is a call keeps its first 200 characters): ``const ids = cols.map((c) => {
params.push(v); return driver.createParameter(…); })`` arrives truncated and folds to unknown.  The
IR holds the whole expression, callbacks included, so the folder asks it here for the same tree
shapes, plus one the text parser cannot build:

``("returns", locals, values)`` — the body of a block-bodied function: ``locals`` the
``(name, value)`` assignments of its own locals in source order (``None`` for a name bound with
no value the IR models: a ``for`` target, a destructuring, a local handed to a call that may change
it), ``values`` every ``return`` value of the function itself (not of the callbacks nested in it).
``rows.push(x)`` is the assignment ``rows = rows + [x]``, ``entry[key] = v`` is
``("setitem", ("name", "entry"), key, v)``.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.expressions import UNKNOWN

_MAX_DEPTH = 24
_ARRAY_CALLBACKS = frozenset({"map", "flatMap"})
_APPENDS = frozenset({"push", "unshift", "add", "append"})


def from_ir(node, module: ir.ModuleIR, depth: int = 0) -> tuple:
    """The expression tree of an IR expression (``("unknown",)`` for what it does not model)."""
    if depth > _MAX_DEPTH or node is None:
        return UNKNOWN
    kind = type(node)
    down = depth + 1
    if kind is ir.Name:
        return ("name", node.id)
    if kind is ir.Attr:
        return ("attr", from_ir(node.obj, module, down), node.name)
    if kind is ir.Index:
        return ("index", from_ir(node.obj, module, down), from_ir(node.index, module, down))
    if kind is ir.Const:
        value = node.value
        if isinstance(value, str):
            return ("str", value)
        if isinstance(value, bool) or value is None:
            return ("const", ir.empty_literal(node) or repr(value))
        if isinstance(value, (int, float)):
            return ("num", str(value))
        return UNKNOWN
    if kind is ir.Call:
        if node.new:
            return UNKNOWN
        args, keywords = [], []
        for arg in node.args:
            value = from_ir(arg.value, module, down)
            if arg.kind == "kw":
                keywords.append((arg.name, value))
            elif arg.kind in ("star", "kwstar"):
                args.append(("spread", value))
            else:
                args.append(value)
        return ("call", from_ir(node.func, module, down), tuple(args), tuple(keywords))
    if kind is ir.Template:
        if node.tag is not None:
            return UNKNOWN
        parts: list = []
        for index, text in enumerate(node.strings):
            if text:
                parts.append(text)
            if index < len(node.holes):
                parts.append(from_ir(node.holes[index], module, down))
        return ("fstr", tuple(parts))
    if kind is ir.BinOp:
        return ("bin", node.op, from_ir(node.left, module, down), from_ir(node.right, module, down))
    if kind is ir.BoolOp:
        values = [from_ir(v, module, down) for v in node.values]
        tree = values[0] if values else UNKNOWN
        for value in values[1:]:
            tree = ("bin", node.op, tree, value)
        return tree
    if kind is ir.Compare:
        op = node.op + "=" if node.strict and node.op in ("==", "!=") else node.op
        return ("bin", op, from_ir(node.left, module, down), from_ir(node.right, module, down))
    if kind is ir.Unary:
        return ("unary", node.op, from_ir(node.operand, module, down))
    if kind is ir.Cond:
        return ("cond", from_ir(node.test, module, down), from_ir(node.then, module, down), from_ir(node.orelse, module, down))
    if kind is ir.Await:
        return ("unary", "await", from_ir(node.value, module, down))
    if kind is ir.Seq:
        return ("seq", tuple(from_ir(e, module, down) for e in node.elts))
    if kind is ir.Starred:
        return ("spread", from_ir(node.value, module, down))
    if kind is ir.Obj:
        keys, values = [], []
        for entry in node.entries:
            if entry.key is None:
                return UNKNOWN  # {...other}: keys the literal does not show
            keys.append(("str", entry.key) if isinstance(entry.key, str) else from_ir(entry.key, module, down))
            values.append(from_ir(entry.value, module, down))
        return ("dict", tuple(keys), tuple(values))
    if kind is ir.FuncRef:
        return function_tree(module, node.fid, depth)
    if kind is ir.Loop:
        if node.kind in _ARRAY_CALLBACKS and 0 <= node.fid < len(module.functions):
            callback = function_tree(module, node.fid, depth)
            return ("call", ("attr", from_ir(node.iter, module, down), node.kind), (callback,), ())
        if node.kind == "comprehension" and node.result is not None and node.target is not None and len(node.body) == 0:
            return ("comp", from_ir(node.result, module, down), tuple(ir.target_names(node.target)),
                    from_ir(node.iter, module, down))
        return UNKNOWN
    return UNKNOWN


def function_tree(module: ir.ModuleIR, fid: int, depth: int = 0) -> tuple:
    """``("fn", params, body)`` of a lambda / arrow / function expression: ``body`` its one
    returned expression, else a ``("returns", …)`` node (see the module docstring)."""
    if not 0 <= fid < len(module.functions) or depth > _MAX_DEPTH:
        return UNKNOWN
    function = module.functions[fid]
    params = tuple(p.name for p in function.params)
    if any(p.kind == "pattern" or not p.name for p in function.params):
        return UNKNOWN
    body = function.body
    down = depth + 1
    if len(body) == 1 and type(body[0]) is ir.Return:
        return ("fn", params, from_ir(body[0].value, module, down) if body[0].value is not None else ("const", "undefined"))
    returns, assigns = _own_statements(body)
    if not returns:
        return UNKNOWN
    locals_: list[tuple[str, tuple | None]] = []
    assigned = set()
    mine = function.locals - set(params)
    for assign in assigns:
        if type(assign) is ir.ExprStmt:  # rows.push(row) / Object.assign(entry, …)
            call = assign.value
            receiver = call.receiver
            if type(receiver) is ir.Name and receiver.id in mine:
                items = ("seq", tuple(from_ir(a.value, module, down) for a in call.args))
                locals_.append((receiver.id, ("bin", "+", ("name", receiver.id), items)
                                if call.method in _APPENDS else None))
            for arg in call.args:
                if type(arg.value) is ir.Name and arg.value.id in mine and call.method not in _APPENDS:
                    locals_.append((arg.value.id, None))  # handed to a call that may change it
            continue
        target = assign.targets[0] if len(assign.targets) == 1 else None
        if type(target) is ir.Index and type(target.obj) is ir.Name and target.obj.id in mine and assign.op == "=":
            name = target.obj.id  # entry[key] = value
            locals_.append((name, ("setitem", ("name", name), from_ir(target.index, module, down),
                                   from_ir(assign.value, module, down))))
            continue
        if target is not None and type(target) in (ir.Attr, ir.Index):
            root = target
            while type(root) in (ir.Attr, ir.Index):
                root = root.obj
            if type(root) is ir.Name and root.id in mine:
                locals_.append((root.id, None))  # entry.left = …: a shape the trees do not follow
            continue
        names = [t.id for t in assign.targets if type(t) is ir.Name]
        if len(names) != len(assign.targets) or assign.op not in ("=", "+="):
            for target in assign.targets:
                locals_.extend((name, None) for name in ir.target_names(target))
            continue
        value = from_ir(assign.value, module, down) if assign.value is not None else ("const", "undefined")
        for name in names:
            locals_.append((name, ("bin", "+", ("name", name), value) if assign.op == "+=" else value))
            assigned.add(name)
    locals_.extend((name, None) for name in sorted(function.locals - assigned - set(params)))
    values = tuple(from_ir(r.value, module, down) if r.value is not None else ("const", "undefined") for r in returns)
    return ("fn", params, ("returns", tuple(locals_), values))


def _own_statements(body: tuple) -> tuple[list, list]:
    """The ``return`` and assignment statements of a function body, not those of the inline
    callbacks (a JS ``map``/``forEach`` loop keeps its callback's body in the :class:`Loop`)."""
    nested: set[int] = set()
    for node in ir.iter_nodes(body):
        if type(node) is ir.Loop and node.fid >= 0:
            nested.update(id(inner) for inner in ir.iter_nodes(node.body))
    returns, assigns = [], []
    for node in ir.iter_nodes(body):
        if id(node) in nested:
            continue
        if type(node) is ir.Return:
            returns.append(node)
        elif type(node) is ir.Assign or (type(node) is ir.ExprStmt and type(node.value) is ir.Call):
            assigns.append(node)
    return returns, assigns
