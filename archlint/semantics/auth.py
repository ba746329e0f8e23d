"""How a project's auth code reads the ``Authorization`` header, from the IR of its functions.

Two questions the contract's auth rules ask:

* :func:`scheme_words` — which scheme word the code accepts before the credential: the string it
  compares the header (or its first word) with, tests with ``startswith``/``startsWith``, strips
  with ``replace``/``removeprefix``, matches with a regex, or the fixed length it slices off
  (``header[7:]`` is ``"Bearer "``).  Code that takes ``split(" ")[1]`` without looking at the
  first word names no scheme: it accepts any.
* :func:`requires` — whether a middleware/dependency rejects a request that carries no header at
  all (its ``if not header:`` branch raises, throws or answers 401/403) or lets it through
  (``if (!header) return next()`` — optional auth).  Unknown when neither is visible.
"""

from __future__ import annotations

import re

from archlint.domain import ir
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

SCHEMES = ("bearer", "token", "jwt", "basic")
_HEADER_KEYS = ("authorization", "http_authorization")
_TEXT_METHODS = frozenset({"startswith", "startsWith", "replace", "removeprefix", "indexOf", "includes", "match", "test",
                           "lstrip", "endswith", "search", "split", "partition", "fullmatch", "compile", "sub", "replaceAll"})
_SLICES = {7: "bearer", 6: "token", 4: "jwt"}  # len("Bearer "), len("Token "), len("JWT ")
_REGEX_WORD = lazy_compile(r"^\^?\(?\??(?:i\))?\(?(bearer|token|jwt|basic)\b", re.IGNORECASE)
_REJECT_STATUS = (401, 403)


class Known(NamedTuple):
    """The names the auth rules read: the ``[[names]]`` table with ``reader = "auth"`` of
    ``rules/knowledge/auth.toml`` (each key is explained there), built once per run."""

    identity_words: frozenset  # words a request-context key holding the caller's identity contains
    identity_middleware: frozenset  # packages whose middleware sets the identity under its own name
    user_attributes: frozenset  # a request's attribute holding the authenticated user (`req.user`)
    request_names: frozenset  # the names a handler's request goes by
    request_attributes: frozenset  # the attribute of `self` a class-based view keeps its request in
    user_parameters: frozenset  # an annotated / decorated parameter so named is the injected current user
    user_names: frozenset  # a name in a handler's body that is the current user


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def known(program) -> Known:
    return program.library.view("auth", _known)


def header_reads(function: ir.Function) -> list:
    """IR nodes reading the Authorization header: ``req.headers.authorization``,
    ``request.headers.get("Authorization")``, ``c.req.header('Authorization')``,
    ``request.META["HTTP_AUTHORIZATION"]``, ``req.get('authorization')``."""
    found = []
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Attr and node.name.lower() == "authorization":
            found.append(node)
        elif kind is ir.Call and type(node.func) is ir.Attr and node.args:
            first = node.args[0].value
            if type(first) is ir.Const and isinstance(first.value, str) and first.value.lower() in _HEADER_KEYS:
                found.append(node)
        elif kind is ir.Index and type(node.index) is ir.Const and isinstance(node.index.value, str) \
                and node.index.value.lower() in _HEADER_KEYS:
            found.append(node)
        elif kind is ir.Obj:  # const { authorization } = req.headers
            if any(isinstance(e.key, str) and e.key.lower() == "authorization" for e in node.entries):
                found.append(node)
    for param in function.params:  # FastAPI: authorization: str = Header(...)
        if param.name.lower() == "authorization" and type(param.default) is ir.Call:
            found.append(param.default)
    return found


def header_names(function: ir.Function) -> set[str]:
    """Local names holding the header (or a value derived from it: its parts, the token)."""
    reads = {id(n) for n in header_reads(function)}
    names: set[str] = {p.name for p in function.params if p.name.lower() == "authorization"}
    for _ in range(3):  # header -> parts -> token
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.Assign or node.value is None:
                continue
            inside = list(ir.iter_nodes(node.value))
            if any(id(n) in reads for n in inside) or any(type(n) is ir.Name and n.id in names for n in inside):
                for target in node.targets:
                    names.update(ir.target_names(target))
            for target in node.targets:  # const { authorization } = req.headers
                if id(target) in reads:
                    names.update(ir.target_names(target))
    return names


def scheme_words(function: ir.Function) -> list[tuple[str, object]]:
    """(scheme word, node) the function tests the header against, in source order."""
    found: list[tuple[str, object]] = []
    names = header_names(function)
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Compare:
            for side in (node.left, node.right):
                word = _word(side)
                if word:
                    found.append((word, node))
                if type(side) is ir.Seq:
                    found.extend((w, node) for e in side.elts if (w := _word(e)))
        elif kind is ir.Call and type(node.func) is ir.Attr and node.func.name in _TEXT_METHODS:
            for arg in node.args:
                word = _word(arg.value) or _regex_word(arg.value)
                if word and node.func.name != "split":
                    found.append((word, node))
        elif kind is ir.Call and node.args:  # re.match(r"^Bearer (\S+)", header)
            word = _regex_word(node.args[0].value)
            if word:
                found.append((word, node))
        elif kind is ir.Index and type(node.index) is ir.Opaque and node.index.kind == "slice":
            if type(node.obj) is ir.Name and node.obj.id in names:
                bound = next((p for p in node.index.parts if type(p) is ir.Const and isinstance(p.value, int)), None)
                if bound is not None and bound.value in _SLICES:
                    found.append((_SLICES[bound.value], node))
        if kind is ir.Call and type(node.func) is ir.Attr and node.func.name in ("slice", "substring", "substr") and node.args:
            receiver = node.func.obj
            bound = node.args[0].value
            if type(receiver) is ir.Name and receiver.id in names and type(bound) is ir.Const and bound.value in _SLICES:
                found.append((_SLICES[bound.value], node))
    return found


def _word(node) -> str:
    if type(node) is ir.Const and isinstance(node.value, str):
        text = node.value.strip().lower()
        if text in SCHEMES:
            return text
    return ""


def _regex_word(node) -> str:
    if type(node) is ir.Const and isinstance(node.value, str) and any(ch in node.value for ch in "^\\(["):
        match = _REGEX_WORD.match(node.value.strip())
        if match:
            return match.group(1).lower()
    return ""


# does it reject a request without the header? --------------------------------------------------------
def requires(program, function: v.Function, depth: int = 0, call: ir.Call | None = None):
    """``True`` when the function rejects a request carrying no Authorization header, ``False``
    when it lets it through, ``None`` when archlint cannot tell.  A rejection under ``if required:``
    (a parameter of the function) is judged with the constant ``call`` passes for it, else with the
    parameter's constant default: ``current_user(request, required=False)`` lets anonymous requests
    through."""
    definition = program.function(function.path, function.fid)
    if definition is None or depth > 2:
        return None
    flags = _flags(definition, call)
    reads = header_reads(definition)
    names = header_names(definition) | _derived_names(program, function.path, definition)
    if reads or names:
        read_ids = {id(n) for n in reads}
        for node in ir.iter_nodes(definition.body):
            if type(node) is not ir.If or not _tests_absence(node.test, names, read_ids):
                continue
            if _rejects(node.body, flags):
                return True
            if _passes(node.body, flags):
                return False
        return None
    for callee in _project_callees(program, function.path, definition):
        inner = requires(program, callee, depth + 1)
        if inner is not None:
            return inner
    return None


def _derived_names(program, path: str, definition: ir.Function) -> set[str]:
    """Names assigned from a project function that reads the header (``token = tokenFrom(req)``)."""
    found: set[str] = set()
    for node in ir.iter_nodes(definition.body):
        if type(node) is not ir.Assign or node.value is None:
            continue
        value = node.value.value if type(node.value) is ir.Await else node.value
        if type(value) is not ir.Call or type(value.func) not in (ir.Name, ir.Attr):
            continue
        callee = program.static_value(path, value.func)
        target = program.function(callee.path, callee.fid) if type(callee) is v.Function else None
        if target is not None and header_reads(target):
            for name in node.targets:
                found.update(ir.target_names(name))
    return found


def _tests_absence(test, names: set[str], read_ids: set[int]) -> bool:
    """``not header`` / ``!header`` / ``header is None`` / ``!header || …`` (first operand)."""
    kind = type(test)
    if kind is ir.Unary and test.op == "not":
        return _mentions(test.operand, names, read_ids)
    if kind is ir.Compare and test.op in ("is", "==") and type(test.right) is ir.Const and test.right.value in (None, ""):
        return _mentions(test.left, names, read_ids)
    if kind is ir.BoolOp and test.op == "or" and test.values:
        return _tests_absence(test.values[0], names, read_ids)
    return False


def _mentions(node, names: set[str], read_ids: set[int]) -> bool:
    return any((type(n) is ir.Name and n.id in names) or id(n) in read_ids for n in ir.iter_nodes(node))


def _flags(definition: ir.Function, call: ir.Call | None) -> dict:
    """The constant value of each parameter on this call: the call's constant argument (by keyword,
    or by position after ``self``/``cls`` for a method called on a receiver), else the parameter's
    constant default."""
    params = [p for p in definition.params if p.kind in ("pos", "posonly", "kwonly")]
    flags = {p.name: p.default.value for p in params if type(p.default) is ir.Const}
    if call is None:
        return flags
    positional = [p for p in params if p.kind != "kwonly"]
    if positional and positional[0].name in ("self", "cls") and type(call.func) is ir.Attr:
        positional = positional[1:]
    index = 0
    for arg in call.args:
        if arg.kind == "pos":
            name = positional[index].name if index < len(positional) else None
            index += 1
        elif arg.kind == "kw":
            name = arg.name
        else:
            return {}  # *args / **kw: the binding is unknown
        if name is not None:
            if type(arg.value) is ir.Const:
                flags[name] = arg.value.value
            else:
                flags.pop(name, None)
    return flags


def _decided(test, flags: dict):
    """``True``/``False`` when the test is a parameter flag (``required`` / ``not required``) whose
    value is known, else ``None``."""
    if type(test) is ir.Name and test.id in flags:
        return bool(flags[test.id])
    if type(test) is ir.Unary and test.op == "not":
        inner = _decided(test.operand, flags)
        return None if inner is None else not inner
    return None


def _reachable(body, flags: dict):
    """The nodes of ``body`` (as :func:`ir.iter_nodes`), without the branches of a statement
    ``if <flag>:`` that the known flag value does not take."""
    for statement in body:
        if type(statement) is ir.If:
            taken = _decided(statement.test, flags)
            if taken is not None:
                yield from _reachable(statement.body if taken else statement.orelse, flags)
                continue
            yield statement
            yield from ir.iter_nodes(statement.test)
            yield from _reachable(statement.body, flags)
            yield from _reachable(statement.orelse, flags)
        else:
            yield from ir.iter_nodes(statement)


def _rejects(body, flags: dict | None = None) -> bool:
    for node in _reachable(body, flags or {}):
        kind = type(node)
        if kind is ir.Raise:
            return True
        if kind is ir.Const and type(node.value) is int and node.value in _REJECT_STATUS:
            return True
        if kind is ir.Name and node.id in ("HTTPUnauthorized", "HTTPForbidden", "PermissionDenied", "NotAuthenticated",
                                            "AuthenticationFailed", "UnauthorizedError"):
            return True
        if kind is ir.Attr and node.name in ("HTTPUnauthorized", "HTTPForbidden", "HTTP_401_UNAUTHORIZED", "HTTP_403_FORBIDDEN",
                                              "NotAuthenticated", "AuthenticationFailed", "PermissionDenied"):
            return True
        if kind is ir.Call and type(node.func) is ir.Name and node.func.id == "abort":
            return True
    return False


def _passes(body, flags: dict | None = None) -> bool:
    """``return next()`` / ``await next(); return`` / ``return None`` / ``return`` without a rejection."""
    if _rejects(body, flags):
        return False
    for node in _reachable(body, flags or {}):
        if type(node) is ir.Return:
            return True
        if type(node) is ir.Call and type(node.func) is ir.Name and node.func.id in ("next", "call_next", "handler"):
            return True
    return False


def _project_callees(program, path: str, definition: ir.Function) -> list:
    found = []
    for call in ir.calls_in(definition.body):
        func = call.func.value if type(call.func) is ir.Await else call.func
        if type(func) in (ir.Name, ir.Attr):
            value = program.static_value(path, func)
            if type(value) is v.Function:
                found.append(value)
    return found
