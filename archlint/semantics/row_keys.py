"""Row keys: which one stored row a write stores, named in the terms of a function up its call path.

A write names its row where it runs: the held row it saves (``reimport.save()``) or the key its statement
filters on (``update(App).where(App.id == id)``).  Each call up the path hands that name in as an argument
(``Apps.update_app_by_id(app_id, …)``; a job runner's ``job(*args)`` forwarding its caller's arguments), and a
local bound once to the lookup of one row by its key (``reimport = ProjectReimport.objects.get(id=reimport_id)``,
``session.get(Auth, user_id)``) names that key.  Writes that reach one name store one row (AL305's exemption:
a failure between them leaves that row as an earlier write left it, and no other row disagrees with it).

What a lookup of one row is comes from knowledge: a library call whose value is one row (``semantics.toml``
``returns``: ``row`` / ``row?``, the call records of the analysis say which calls those were); the columns that
name one row are ``row_keys`` (``transactions.toml``, ``reader = "row_keys"``) and the model's single-column
unique keys.  A row is followed through the pydantic model built from it and its copies (``row_models``,
``row_copies``), the rows project functions return (an item of a returned tuple too), an object's field set from
a constructor argument (``AppConnection(app)`` → ``self.app``), and ``current_auth or lookup(key)`` when the
caller leaves ``current_auth`` None.

A name is ``(kind, name)``: ``("row", local)`` for the row a local holds, ``("key", local)`` for the row whose
key a local holds; ``name`` an ``int`` for a position among a job runner's forwarded ``*args``, ``"base.field"``
for a field of a held object, ``("local", path, call span, name)`` for a callee's local bound once in the one run
of it that call makes (the identity two writes share when one runs inside the call and the other stores the row
the call returned).  Unknown stays unknown: anything not followed answers None.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.calls import SAVES_EXISTING
from archlint.semantics.calls import known as call_names
from archlint.semantics.records import argument_for


class Known(NamedTuple):
    row_keys: frozenset  # columns naming one row of any model (`pk`, the default `id` primary key)
    row_copies: frozenset  # methods of a row answering a copy of that row (pydantic `model_copy`)
    row_models: frozenset  # class methods building a model of the row given (pydantic `model_validate`)


def _known(table: dict) -> Known:
    return Known(*(frozenset(table[key]) for key in ("row_keys", "row_copies", "row_models")))


def known(program) -> Known:
    return program.library.view("row_keys", _known)


def written_row(program, write, chain: list, common: int):
    """The one row ``write`` stores, named in the function where the call paths part (``chain[common]``, the
    steps of ``write.trace`` followed by the write itself): ``("row", name)`` for the row a local holds,
    ``("key", name)`` for the row whose key a local holds — or None (label-studio data_import/api.py
    async_reimport, open-webui's apps router)."""
    found = program.memoised("row_keys.written", dict)
    key = (tuple(chain), common, SAVES_EXISTING in write.tags)
    if key not in found:
        found[key] = _written_row(program, write, chain, common)
    return found[key]


def _written_row(program, write, chain: list, common: int):
    path, span, _ = chain[-1]
    function = function_at(program, path, span)
    if function is None:
        return None
    call = program.calls_by_span(function).get(span)
    receiver = call.func.obj if call is not None and type(call.func) is ir.Attr else None
    assigned = _assigned_attribute(program, function, span) if call is None else None
    if assigned is not None:  # `auth_row.email = email` on a row the session holds: the flush stores that row
        held = _resolve(program, path, function, ("row", assigned), at=span)
    elif SAVES_EXISTING in write.tags and type(receiver) is ir.Name:
        held = _resolve(program, path, function, ("row", receiver.id), at=span)
    else:
        key = statement_key(program, write.query, function)
        held = _resolve(program, path, function, _held(program, path, function, "key", key), at=span) if key is not None else None
    for level in range(len(chain) - 2, common - 1, -1):
        if held is None:
            return None
        callee = function
        path = chain[level][0]
        function = function_at(program, path, chain[level][1])
        call = program.calls_by_span(function).get(chain[level][1]) if function is not None else None
        if call is not None and type(held[1]) is tuple and held[1][0] == "unless":
            # `auth = current_auth or lookup(user_id)`: the lookup's row when this call leaves `current_auth` None
            _, parameter, alternative = held[1]
            held = (held[0], alternative) if _left_none(callee, call, parameter) else None
            if held is None:
                return None
        if call is None or type(held[1]) is tuple:
            return None  # a callee's local met below the level where the paths part: another invocation each time
        if type(held[1]) is str and "." in held[1]:  # `self.app` handed in as the receiver's field: `peer.app`
            across = _across(callee, call, held)
            held = _resolve(program, path, function, (held[0], f"{across[0].id}.{across[1]}"), at=call.span) \
                if across is not None and type(across[0]) is ir.Name else None
            continue
        if held[1] in callee.locals:
            # one value of the callee's run by this one call, where the paths part: the writes below it that name
            # it and the rows the call returns that carry it (:func:`_returned`) name one row
            local = _local(program, path, function, call, callee, held[1]) if level == common else None
            held = (held[0], local) if local is not None else None
            continue
        expr = _argument(callee, call, held[1])
        held = _resolve(program, path, function, _held(program, path, function, held[0], expr), at=call.span) if expr is not None else None
    # a field of `self` or of a parameter names no row where the paths part: a call between the writes may set it
    return held if held is not None and (type(held[1]) is str and "." not in held[1] or type(held[1]) is tuple
                                         and held[1][0] == "local") else None


def saves_self(program, chain) -> bool:
    """Each step of ``chain`` (the calls below the one made on the row, ending at the write) is a call on the
    ``self`` of the method it is written in: the write saves the object the first call was made on."""
    for path, span, _label in chain:
        function = function_at(program, path, span)
        if function is None or not ir.self_name(function):
            return False
        call = program.calls_by_span(function).get(span)
        receiver = call.func.obj if call is not None and type(call.func) is ir.Attr else None
        if type(receiver) is not ir.Name or receiver.id != ir.self_name(function):
            return False
    return True


def function_at(program, path: str, span):
    module = program.modules.get(path)
    return ir.innermost_function(module, span) if module is not None else None


def _argument(callee: ir.Function, call: ir.Call, name):
    """The expression of ``call`` that fills ``callee``'s parameter ``name`` (an ``int``: the callee's positional
    arguments forwarded from its own ``*args`` — see :func:`_forwarded`)."""
    if type(name) is int:
        positional = []
        for arg in call.args:
            if arg.kind == "pos":
                positional.append(arg.value)
            elif arg.kind == "star":
                break  # which argument fills a position after `*xs` is unknown
        return positional[name] if name < len(positional) else None
    bound = type(call.func) is ir.Attr and callee.kind == "method" and not callee.is_static
    if name == ir.self_name(callee):
        return call.func.obj if bound else None
    found = argument_for(callee, call.args, name, bound)
    if found is not None:
        return call.args[found[0]].value if not found[1] else None
    return _forwarded(callee, call, name, bound)


def _forwarded(callee: ir.Function, call: ir.Call, name: str, bound: bool):
    """``job(*args)`` inside ``def start_job(job, *args, …)``: the callee's positional parameter ``name`` is one of the
    arguments the caller of ``start_job`` passed after ``job`` — its index among that call's positional arguments."""
    params = [p for p in callee.params[1 if bound else 0:] if p.kind in ("pos", "posonly")]
    index = next((i for i, p in enumerate(params) if p.name == name), None)
    stars = [i for i, arg in enumerate(call.args) if arg.kind == "star"]
    if index is None or len(stars) != 1 or type(call.args[stars[0]].value) is not ir.Name:
        return None
    before = [arg for arg in call.args[:stars[0]] if arg.kind == "pos"]
    if len(before) != stars[0] or index < len(before):
        return None
    caller = call.args[stars[0]].value.id
    return ("forward", caller, index - len(before))


def _named(kind: str, expr, program):
    """``(kind, name)`` for an argument expression: a name, a key read from a held row (``row.id`` -> the row), or
    a parameter's forwarded position (``("forward", varargs, i)``, resolved by :func:`_resolve`)."""
    if type(expr) is tuple:
        return (kind, expr)
    if type(expr) is ir.Name:
        return (kind, expr.id)
    if kind == "key" and type(expr) is ir.Attr and expr.name in known(program).row_keys:
        row = _named("row", expr.obj, program)
        return row if row is not None and type(row[1]) is str else None
    if kind == "row" and type(expr) is ir.Attr and type(expr.obj) is ir.Name:
        return ("row", f"{expr.obj.id}.{expr.name}")  # the row a field of a held object holds (`self.app`)
    return None


def _resolve(program, path: str, function: ir.Function, held, depth: int = 0, at=None):
    """``held`` in ``function``'s terms: a parameter as it is (never assigned), a local bound once to another name
    or to the lookup of a row by its key followed to that name (a local bound several times: the binding that
    reaches ``at``, the span of the call or write that reads it); a forwarded ``*args`` position as the index among
    the positional arguments of the call that ran ``function``; a field of a held object (``self.app``) as that
    object's field, or as the constructor argument it was built with (see :func:`_field`)."""
    for _ in range(4):
        if held is None:
            return None
        kind, name = held
        if type(name) is str and "." in name:
            return _field(program, path, function, held, depth)
        if type(name) is tuple and name[0] == "forward":
            _, varargs, index = name
            params = [p for p in function.params if p.kind in ("pos", "posonly", "vararg")]
            star = next((i for i, p in enumerate(params) if p.kind == "vararg" and p.name == varargs), None)
            if star is None or varargs in _assigned(program, function):
                return None
            if ir.self_name(function):
                star -= 1
            return (kind, star + index)
        if type(name) is tuple:  # ("local", …) / ("unless", …): decided where the call paths part
            return held
        values = _assigned(program, function).get(name, [])
        parameter = any(p.name == name for p in function.params)
        if not values:
            return held if parameter or name not in function.locals else None
        if len({_shape(value) for value in values}) != 1 and not parameter and at is not None:
            reaching = _reaching(program, function, name, at)
            values = [reaching] if reaching is not None else values
        at = None
        if parameter or values[0] is None or len({_shape(value) for value in values}) != 1:
            return None
        value = _unwrap(values[0])
        if type(value) is ir.Name and len(values) == 1:
            held = (kind, value.id)
            continue
        if kind != "row":
            return held if len(values) == 1 else None
        found = _held(program, path, function, kind, value, depth)
        if found is None or found == held:
            # bound again and again to what no row key follows from: which binding the write saw is unknown
            return held if len(values) == 1 and type(value) is not _Item else None
        held = found
    return None


def _reaching(program, function: ir.Function, name: str, at):
    """The value of the one plain assignment of ``name`` that reaches ``at``: the last one written before it, in no
    branch, loop or ``try`` that ``at`` is not in too (``app = await Apps.update_app_by_id(…)`` before
    ``connections.connect(app)``), else None."""
    before = [node for node in program.node_index(function).assigns
              if len(node.targets) == 1 and type(node.targets[0]) is ir.Name and node.targets[0].id == name
              and (node.span.end_line, node.span.end_column) <= (at.line, at.column)]
    if not before:
        return None
    last = before[-1]
    for node in ir.iter_nodes(function.body):
        if type(node) in (ir.If, ir.Loop, ir.Try) and ir.span_contains(node.span, last.span) \
                and not ir.span_contains(node.span, at):
            return None
    for loop in program.nodes_of(function, ir.Loop):  # a binding later in a loop around `at` reaches it on the next turn
        if ir.span_contains(loop.span, at) and any(ir.span_contains(loop.span, node.span) and node is not last
                                                   for node in program.node_index(function).assigns
                                                   if name in [n for t in node.targets for n in ir.target_names(t)]):
            return None
    return last.value


def _field(program, path: str, function: ir.Function, held, depth: int):
    """``(kind, "base.field")``: the row a field of ``base`` holds.  Of ``self`` or a parameter: the field as it is
    when every assignment of it in ``function`` keeps that row (``self.app = await Apps.get_app_by_id(self.app.id)``
    re-reads the row by its own key); of a local bound once to a project class's constructor: the argument the
    constructor stores in that field (``peer = AppConnection(app)``, ``self.app = app``)."""
    kind, name = held
    base, field = name.split(".", 1)
    if "." in field:
        return None
    busy = program.memoised("row_keys.fields", set)
    key = (path, function.span, name)
    if key in busy:
        return held  # re-reading the field while judging its own assignments: assumed kept, the others decide
    busy.add(key)
    try:
        if base == ir.self_name(function) or any(p.name == base for p in function.params):
            if base in _assigned(program, function):
                return None
            for node in program.node_index(function).assigns:
                for target in node.targets:
                    if type(target) is ir.Attr and target.name == field and type(target.obj) is ir.Name and target.obj.id == base \
                            and _resolve(program, path, function, _held(program, path, function, kind, node.value, depth + 1)) != held:
                        return None
            return held
        values = _assigned(program, function).get(base, [])
        if len(values) != 1 or type(_unwrap(values[0])) is not ir.Call or base not in function.locals:
            return None
        built = _unwrap(values[0])
        record = program.call_record(path, built.span)
        result = v.strip(record.result) if record is not None else None
        if type(result) is not v.Instance:
            return None
        stored = [(f, node.value) for f in record.callees for init in [program.function(f.path, f.fid)]
                  if init is not None and init.name == "__init__"
                  for node in program.node_index(init).assigns
                  if any(type(t) is ir.Attr and t.name == field and type(t.obj) is ir.Name and t.obj.id == ir.self_name(init)
                         for t in node.targets)]
        if len(stored) != 1:
            return None
        init = program.function(stored[0][0].path, stored[0][0].fid)
        inner = _resolve(program, stored[0][0].path, init, _held(program, stored[0][0].path, init, kind, stored[0][1], depth + 1))
        if inner is None or type(inner[1]) is not str or "." in inner[1] or inner[1] in init.locals:
            return None
        found = argument_for(init, built.args, inner[1], True)
        if found is None or found[1]:
            return None
        return _resolve(program, path, function, _held(program, path, function, inner[0], built.args[found[0]].value, depth + 1))
    finally:
        busy.discard(key)


def _across(callee: ir.Function, call: ir.Call, held):
    """``held`` (a name of ``callee``) as the expression of ``call`` it is handed in by, with the field it reads:
    ``(expression, "")`` for a parameter, ``(receiver, "app")`` for ``self.app``; None for a local."""
    name = held[1]
    base, _, field = name.partition(".")
    if base in callee.locals:
        return None
    expr = _argument(callee, call, base)
    return (expr, field) if expr is not None else None


class _Item(NamedTuple):
    """The ``index``-th item a destructuring assignment takes from ``value`` (``user, auth, … = await f()``)."""
    value: object
    index: int


def _shape(value):
    return (value.index, ir.shape(value.value)) if type(value) is _Item else ir.shape(value)


def _unwrap(value):
    return value.value if type(value) is ir.Await else value


def _held(program, path: str, function: ir.Function, kind: str, expr, depth: int = 0):
    """The name ``expr`` (written in ``function``) holds a row by: a name, a key read from a held row (``row.id``),
    a forwarded position; for a row: a copy of a held row (pydantic ``auth.model_copy(update=…)``: ``row_copies``),
    the model built from one (``AuthModel.model_validate(row)``: ``row_models``), the key of a lookup of one row
    (:func:`lookup_key`), or the row a project function returns (:func:`_returned`, an item of the tuple it
    returns too)."""
    if type(expr) is tuple or type(expr) is ir.Name or kind == "key":
        return _named(kind, expr, program)
    expr = _unwrap(expr)
    names = known(program)
    if type(expr) is _Item:
        call = _unwrap(expr.value)
        return _returned(program, path, function, call, expr.index, depth) if type(call) is ir.Call else None
    if type(expr) is ir.Name:
        return (kind, expr.id)
    if type(expr) is ir.BoolOp and expr.op == "or" and len(expr.values) == 2 and type(expr.values[0]) is ir.Name \
            and any(p.name == expr.values[0].id and _none(p.default) and p.default is not None for p in function.params):
        # `current_auth or await self.get_auth_by_id(user_id)`: the caller decides (see :func:`_left_none`)
        alternative = _resolve(program, path, function, _held(program, path, function, kind, expr.values[1], depth))
        if alternative is None or type(alternative[1]) is not str:
            return None
        return (alternative[0], ("unless", expr.values[0].id, alternative[1]))
    if type(expr) is not ir.Call:
        return None
    if type(expr.func) is not ir.Attr:
        return _returned(program, path, function, expr, None, depth)
    method = expr.func.name
    if method in names.row_copies and type(expr.func.obj) is ir.Name:
        return ("row", expr.func.obj.id)
    if method in names.row_models and len(expr.args) == 1 and expr.args[0].kind == "pos" and type(expr.args[0].value) is ir.Name:
        return ("row", expr.args[0].value.id)
    key = lookup_key(program, path, expr)
    if key is not None:
        return _named("key", key, program)
    return _returned(program, path, function, expr, None, depth)


def _returned(program, path: str, function: ir.Function, call: ir.Call, index, depth: int):
    """The row the one project function ``call`` runs returns (its ``index``-th item when it returns a tuple), in
    ``function``'s terms: what each of its returns holds — a parameter is the argument the call gives it; a local
    bound once, outside loops, is that local of this run of the callee (``("local", path, call span, name)``); a
    return of ``None`` (``x if row else None``, ``return None``) finds no row, so it stores none."""
    if depth >= 3:
        return None
    callees = _runs(program, path, call)
    if len(callees) != 1:
        return None
    callee_path, fid = next(iter(callees))
    callee = program.function(callee_path, fid)
    if callee is None:
        return None
    inner, again = set(), []
    for node in program.nodes_of(callee, ir.Return):
        value = _unwrap(node.value) if node.value is not None else None
        if type(value) is ir.Cond:
            value = value.then if _none(value.orelse) else value.orelse if _none(value.then) else value
        if _none(value):
            continue
        if index is not None:
            if type(value) is not ir.Seq or value.kind != "tuple" or len(value.elts) <= index \
                    or any(type(e) is ir.Starred for e in value.elts[:index + 1]):
                return None
            value = _unwrap(value.elts[index])
        if index is None and type(value) is ir.Call and _recursive(program, callee_path, callee, fid, value):
            again.append(value)  # `return await self.get_auth_by_id(user_id, db=session)`: what the other returns hold
            continue
        inner.add(_resolve(program, callee_path, callee, _held(program, callee_path, callee, "row", value, depth + 1)))
    if len(inner) != 1:
        return None
    held = next(iter(inner))
    if held is None or type(held[1]) is not str:
        return None
    for recursive in again:  # the same row only when the call hands the parameter on as it is
        expr = _argument(callee, recursive, held[1]) if held[1] not in callee.locals else None
        if type(expr) is not ir.Name or expr.id != held[1]:
            return None
    if type(held[1]) is str and "." in held[1]:
        across = _across(callee, call, held)
        return _resolve(program, path, function, (held[0], f"{across[0].id}.{across[1]}"), depth + 1) \
            if across is not None and type(across[0]) is ir.Name else None
    if held[1] in callee.locals:
        local = _local(program, path, function, call, callee, held[1])
        return (held[0], local) if local is not None else None
    expr = _argument(callee, call, held[1])
    return _resolve(program, path, function, _held(program, path, function, held[0], expr, depth + 1)) if expr is not None else None


def _left_none(callee: ir.Function, call: ir.Call, parameter: str) -> bool:
    """``call`` gives ``callee``'s parameter ``parameter`` (one defaulting to ``None``) no argument."""
    if any(arg.kind in ("star", "dstar") for arg in call.args):
        return False
    bound = type(call.func) is ir.Attr and callee.kind == "method" and not callee.is_static
    return argument_for(callee, call.args, parameter, bound) is None


def _assigned_attribute(program, function: ir.Function, span):
    """The name of the row whose attribute the assignment at ``span`` sets (``auth_row.email = email``), else None."""
    for node in program.node_index(function).assigns:
        if len(node.targets) == 1 and type(node.targets[0]) is ir.Attr and span in (node.span, node.targets[0].span) \
                and type(node.targets[0].obj) is ir.Name:
            return node.targets[0].obj.id
    return None


def _recursive(program, path: str, function: ir.Function, fid: int, call: ir.Call) -> bool:
    """``call`` (in ``function``) runs ``function`` again: ``self.get_auth_by_id(user_id, db=session)``."""
    runs = _runs(program, path, call)
    if runs:
        return runs == {(path, fid)}
    return type(call.func) is ir.Attr and type(call.func.obj) is ir.Name and call.func.name == function.name \
        and bool(ir.self_name(function)) and call.func.obj.id == ir.self_name(function)


def _runs(program, path: str, call: ir.Call) -> set:
    """The project functions the analysis saw ``call`` run, as ``(path, fid)``; a call the analysis of record did not
    reach (in a branch its default arguments skip: ``if enroll:``) runs the function its callee names by definitions
    and imports alone (``Apps.get_app_by_id`` of the module's ``Apps = AppsTable()``)."""
    record = program.call_record(path, call.span)
    if record is not None:
        return {(f.path, f.fid) for f in record.callees}
    found = program.static_value(path, call.func)
    if type(found) is not v.Function and type(call.func) is ir.Attr:  # a method of a module's instance
        owner = program.static_value(path, call.func.obj)
        found = program.method(owner.path, owner.cid, call.func.name) if type(owner) is v.Instance else None
    return {(found.path, found.fid)} if type(found) is v.Function else set()


def _none(value) -> bool:
    return value is None or type(value) is ir.Const and value.value is None


def _local(program, path: str, function: ir.Function, call: ir.Call, callee: ir.Function, name: str):
    """``("local", path, call span, name)``: the callee's local ``name`` in the run ``call`` makes — one value when the
    callee binds it once, outside its loops, and the call runs once (outside ``function``'s loops); else None."""
    if any(p.name == name for p in callee.params):
        return None
    assigns = [node for node in program.node_index(callee).assigns
               if any(name in ir.target_names(target) for target in node.targets)]
    loops = program.nodes_of(callee, ir.Loop)
    if len(assigns) != 1 or any(name in ir.target_names(loop.target) for loop in loops if loop.target is not None) \
            or any(ir.span_contains(loop.span, assigns[0].span) for loop in loops) \
            or any(ir.span_contains(loop.span, call.span) for loop in program.nodes_of(function, ir.Loop)):
        return None
    return ("local", path, call.span, name)


def _assigned(program, function: ir.Function) -> dict:
    """name -> the values the function's plain assignments give it (a loop target or a destructuring: None), from
    the walk of its body the program keeps (``node_index``, ``nodes_of``)."""
    found: dict = {}
    for node in program.node_index(function).assigns:
        for target in node.targets:
            if type(target) is ir.Seq and target.kind in ("tuple", "list") and not any(type(e) is ir.Starred for e in target.elts):
                for index, element in enumerate(target.elts):
                    for name in ir.target_names(element):
                        found.setdefault(name, []).append(_Item(node.value, index) if type(element) is ir.Name else None)
                continue
            for name in ir.target_names(target):
                found.setdefault(name, []).append(node.value if type(target) is ir.Name else None)
    for node in program.nodes_of(function, ir.Loop):
        if node.target is not None:
            for name in ir.target_names(node.target):
                found.setdefault(name, []).append(None)
    return found


def lookup_key(program, path: str, value):
    """The key expression of a lookup of one row by one of its keys: a library call the analysis saw yield one row
    (``semantics.toml`` ``returns``: ``row`` / ``row?`` — Django ``Model.objects.get(id=key)``, peewee/Tortoise
    ``Model.get(id=key)``, ``get_or_none``) given one keyword naming a key column, or, when the model is its first
    argument (SQLAlchemy ``session.get(Model, key)``), the one argument after it."""
    if type(value) is not ir.Call or type(value.func) is not ir.Attr:
        return None
    record = program.call_record(path, value.span)
    if record is None or record.callees or type(v.strip(record.result)) is not v.Row:
        return None
    receiver = v.strip(record.receiver)
    if type(receiver) not in (v.Db, v.Query, v.ModelClass):
        return None
    model = program.schema.get(v.strip(record.result).model)
    keys = known(program).row_keys | {next(iter(u)) for u in (model.unique if model is not None else ()) if len(u) == 1}
    named = [arg for arg in value.args if arg.kind != "pos"]
    positional = [arg.value for arg in value.args if arg.kind == "pos"]
    if len(named) == 1 and not positional:
        return named[0].value if named[0].kind == "kw" and named[0].name in keys else None
    outcome = program.library.outcome(receiver.stack, receiver.kind, value.func.name) if type(receiver) is v.Db else None
    if outcome is not None and outcome.model.split(",")[0] == "arg0" and len(positional) == 2 \
            and all(arg.kind in ("pos", "kw") for arg in value.args):
        return positional[1]
    if outcome is not None and outcome.source == "arg0" and len(positional) == 1 and record.args:
        # `session.scalar(select(App).where(App.id == id))`: the key the statement it runs filters on
        function = function_at(program, path, value.span)
        statement = v.strip(record.args[0])
        return statement_key(program, statement, function) if function is not None else None
    return None


def statement_key(program, query, function: ir.Function):
    """The expression a write statement's filter compares the row's key with (``update(App).where(App.id == id)``,
    ``.filter(pk=key)``), written in ``function``; None when the statement is not known to write one keyed row."""
    if type(query) is not v.Query or len(query.chains) != 1:
        return None
    model = program.schema.get(query.model)
    keys = known(program).row_keys | {next(iter(u)) for u in (model.unique if model is not None else ()) if len(u) == 1}
    steps = call_names(program).filter_steps
    table = query.model.rsplit(":", 1)[-1]  # `App.id`: a key of the statement's own model, not of a joined one
    found = []
    for step in next(iter(query.chains)):
        node = step.node
        if type(node) is not ir.Call or type(node.func) is not ir.Attr or node.func.name not in steps:
            continue
        if not ir.span_contains(function.span, node.span):
            return None
        for arg in node.args:
            expr = arg.value
            if arg.kind == "kw" and arg.name in keys:
                found.append(expr)
            elif arg.kind == "pos" and type(expr) is ir.Compare and expr.op == "==" and type(expr.left) is ir.Attr \
                    and expr.left.name in keys and type(expr.left.obj) is ir.Name and expr.left.obj.id == table:
                found.append(expr.right)
    return found[0] if len(found) == 1 else None
