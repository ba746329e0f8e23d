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
unique keys.  A name is ``(kind, name)``: ``("row", local)`` for the row a local holds, ``("key", local)`` for
the row whose key a local holds, ``name`` an ``int`` for a position among a job runner's forwarded ``*args``.
Unknown stays unknown: anything not followed answers None.
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


def _known(table: dict) -> Known:
    return Known(frozenset(table["row_keys"]))


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
    if SAVES_EXISTING in write.tags and type(receiver) is ir.Name:
        held = _resolve(program, path, function, ("row", receiver.id))
    else:
        key = statement_key(program, write.query, function)
        held = _resolve(program, path, function, _named("key", key, program)) if key is not None else None
    for level in range(len(chain) - 2, common - 1, -1):
        if held is None:
            return None
        callee = function
        path = chain[level][0]
        function = function_at(program, path, chain[level][1])
        call = program.calls_by_span(function).get(chain[level][1]) if function is not None else None
        if call is None or held[1] in callee.locals:
            return None  # a local of the callee, not handed in
        expr = _argument(callee, call, held[1])
        held = _resolve(program, path, function, _named(held[0], expr, program)) if expr is not None else None
    return held if held is not None and type(held[1]) is str else None


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
    if kind == "key" and type(expr) is ir.Attr and type(expr.obj) is ir.Name and expr.name in known(program).row_keys:
        return ("row", expr.obj.id)
    return None


def _resolve(program, path: str, function: ir.Function, held):
    """``held`` in ``function``'s terms: a parameter as it is (never assigned), a local bound once to another name
    or to the lookup of a row by its key followed to that name; a forwarded ``*args`` position as the index among
    the positional arguments of the call that ran ``function``."""
    for _ in range(4):
        if held is None:
            return None
        kind, name = held
        if type(name) is tuple:
            _, varargs, index = name
            params = [p for p in function.params if p.kind in ("pos", "posonly", "vararg")]
            star = next((i for i, p in enumerate(params) if p.kind == "vararg" and p.name == varargs), None)
            if star is None or varargs in _assigned(program, function):
                return None
            if ir.self_name(function):
                star -= 1
            return (kind, star + index)
        values = _assigned(program, function).get(name, [])
        parameter = any(p.name == name for p in function.params)
        if not values:
            return held if parameter or name not in function.locals else None
        if parameter or len(values) != 1 or values[0] is None:
            return None
        value = values[0].value if type(values[0]) is ir.Await else values[0]
        if type(value) is ir.Name:
            held = (kind, value.id)
            continue
        key = lookup_key(program, path, value) if kind == "row" else None
        return _named("key", key, program) if key is not None else held
    return None


def _assigned(program, function: ir.Function) -> dict:
    """name -> the values the function's plain assignments give it (a loop target or a destructuring: None), from
    the walk of its body the program keeps (``node_index``, ``nodes_of``)."""
    found: dict = {}
    for node in program.node_index(function).assigns:
        for target in node.targets:
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
