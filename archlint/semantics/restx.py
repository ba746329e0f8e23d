"""flask-restx / flask-restful marshalling: a *field map* applied to every object of a list.

A field map is a dict of ``fields.*`` — ``ns.model("Article", {...})``, ``api.model(...)``,
``Model(...)``, ``ns.inherit("X", parent, {...})`` or a plain dict (flask-restful's
``resource_fields``).  ``@ns.marshal_with(m)`` / ``@ns.marshal_list_with(m)`` / ``@marshal_with(m)``
apply it to what the handler returns, ``marshal(data, m)`` to a value; both map a list item by item
(flask-restx 1.3 ``marshal``: ``if isinstance(data, (list, tuple))``).  Per object, each field reads
``get_value(attribute or key, obj)`` — a dotted path walks attributes, a callable ``attribute`` is
called with the object; ``fields.Nested(m)`` marshals what it read with ``m`` (each element when it is
a collection), ``fields.List(fields.Nested(m))`` each element of the collection it read.  Modelled
as a loop over the rows whose body reads those attributes, so a lazy relation a field reaches is an
N+1 like any other (:func:`~archlint.semantics.frameworks.each_row`).

Only field maps written as dict literals are read; one built in code (``dict(base, **extra)``,
a loop filling it) stays unknown, and so does a field class of the project's own.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.frameworks import MAX_NESTING, _element, _read_all, _read_chain, _short, each_row, read_in_module

_MAX_RESOLVE = 6


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "restx"`` of
    ``rules/knowledge/frameworks.toml`` (each key is explained there), built once per run."""

    restx_modules: tuple  # prefixes
    model_makers: frozenset
    marshal_decorators: dict  # short name -> always a list
    unread_fields: frozenset


def _known(table: dict) -> Known:
    return Known(restx_modules=tuple(table["restx_modules"]), model_makers=frozenset(table["model_makers"]),
                 marshal_decorators=dict(table["marshal_decorators"]), unread_fields=frozenset(table["unread_fields"]))


def known(program) -> Known:
    return program.library.view("restx", _known)


def _restx(program, name: str) -> bool:
    return name.startswith(known(program).restx_modules)


def field_map(program, path: str, node, depth: int = 0):
    """``(module, dict literal)`` of the field map ``node`` names, else ``None``."""
    if depth > _MAX_RESOLVE or node is None:
        return None
    kind = type(node)
    if kind is ir.Obj:
        return path, node
    if kind is ir.Call:
        callee = program.static_name(path, node.func)
        if not _restx(program, callee) or callee.rsplit(".", 1)[-1].rstrip("()") not in known(program).model_makers:
            return None
        maps = [arg.value for arg in node.args if arg.kind == "pos"]
        return field_map(program, path, maps[-1], depth + 1) if maps else None
    if kind is ir.Name:
        binding = program.binding(path, node.id)
        if binding is not None:  # from .models import article_fields
            target = program.graph.resolve_binding(path, binding)
            if target.file is None or not target.attr:
                return None
            return field_map(program, target.file, ir.Name(target.attr.split(".")[-1], node.span), depth + 1)
        module = program.modules.get(path)
        for statement in reversed(module.module.body) if module is not None else ():
            if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == node.id for t in statement.targets):
                return field_map(program, path, statement.value, depth + 1)
    return None


def marshalled(program, path: str, function: ir.Function):
    """``(module, dict literal, label)`` when a marshalling decorator maps what ``function`` returns."""
    for decorator in function.decorators:
        if type(decorator) is not ir.Call or not decorator.args:
            continue
        name = program.static_name(path, decorator.func)
        short = name.rsplit(".", 1)[-1]
        if not _restx(program, name) or short not in known(program).marshal_decorators:
            continue
        found = field_map(program, path, decorator.args[0].value)
        if found is not None:
            return found[0], found[1], short
    return None


def marshal_returned(frame, node, found, returned) -> None:
    """The handler returned ``returned``; a list of rows (or ``(rows, status)``) is mapped row by row."""
    module, fields, label = found
    bare = v.strip(returned)
    if type(bare) is v.Tuple and len(bare.items) in (2, 3) and type(v.strip(bare.items[1])) is v.Const:
        returned = bare.items[0]  # return rows, 200 (Flask's (body, status[, headers]))
    each_row(frame, node, returned, lambda row: read_in_module(frame, node, label, module, lambda child: read_fields(child, fields, row, 0)))


def marshal_hook(frame, node: ir.Call, name: str, args) -> bool:
    """``marshal(rows, article_fields)``; ``True`` when this was that call."""
    if not _restx(frame.program, name) or name.rsplit(".", 1)[-1] != "marshal" or len(args) < 2 or type(node) is not ir.Call:
        return False
    fields_node = next((arg.value for arg in node.args[1:2] if arg.kind == "pos"), None) or node.arg(keyword="fields")
    found = field_map(frame.program, frame.path, fields_node)
    if found is not None:
        module, fields = found
        each_row(frame, node, args[0][2], lambda row: read_in_module(frame, node, "marshal", module, lambda child: read_fields(child, fields, row, 0)))
    return True


def read_fields(child, fields: ir.Obj, obj, depth: int) -> None:
    """What marshalling one object with ``fields`` reads of it (``child`` runs in their module)."""
    if depth > MAX_NESTING or type(v.strip(obj)) is not v.Row:
        return
    for entry in fields.entries:
        if isinstance(entry.key, str):
            _read_field(child, entry.key, entry.value, obj, depth)


def _read_field(child, key: str, node, obj, depth: int) -> None:
    call = node if type(node) is ir.Call else None
    short = _short(child.eval_cached(call.func if call is not None else node))
    if not short or short in known(child.program).unread_fields:
        return
    attribute = call.arg(keyword="attribute") if call is not None else None
    if attribute is not None and type(attribute) is not ir.Const:
        function = v.strip(child.eval_cached(attribute))
        if type(function) is v.Function:  # attribute=lambda a: len(a.favorited_by)
            child.call_function(attribute, function, [("pos", "", obj, None)], label=key)
        return
    source = attribute.value if attribute is not None and isinstance(attribute.value, str) else key
    if not all(part.isidentifier() for part in source.split(".")):
        return
    value = _read_chain(child, obj, source, node)
    inner = _nested_map(child, call, short)
    if short == "List":
        value = _read_all(child, value, node)
    if inner is None:
        return
    value = _read_all(child, value, node)
    element = _element(value)
    if element is not None:  # Nested over a collection marshals each element
        value = element
    read_fields(child, inner[1], value, depth + 1) if inner[0] == child.path else read_in_module(
        child, node, key, inner[0], lambda grandchild: read_fields(grandchild, inner[1], value, depth + 1))


def _nested_map(child, call, short: str):
    """``Nested(m)`` → m's field map; ``List(Nested(m))`` → the same; else ``None``."""
    if call is None or not call.args:
        return None
    first = call.args[0].value
    if short == "Nested":
        return field_map(child.program, child.path, first)
    if short == "List" and type(first) is ir.Call and _short(child.eval_cached(first.func)) == "Nested":
        return _nested_map(child, first, "Nested")
    return None
