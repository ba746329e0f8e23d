"""Questions the framework rules ask about routes, on top of the routes table (:mod:`.routes`).

* which functions serve a route (the handler, and functions wrapped at the registration such as
  ``router.get('/x', handle(async (req, res) => …))``), and their analyses of record;
* what those functions read from and write to the request (``request-read`` /
  ``request-write`` events the interpreter records: ``body``, ``user``, ``state.user``,
  ``[user]``, ``var.user`` …);
* the app or router object a route was registered on, its ancestors through mounts, and the
  registration calls made on them in order (middleware ``use`` calls);
* path templates normalised across frameworks: ``{slug}`` = ``:slug`` = ``<slug>`` =
  ``<str:slug>`` = ``{slug:\\d+}``.
"""

from __future__ import annotations

import re

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

_PARAM = re.compile(r"^(?:\{(?P<brace>[^{}:]+)(?::(?P<brace_rx>[^{}]*))?\}|:(?P<colon>\w+)(?:\((?P<colon_rx>[^)]*)\))?\??|"
                    r"<(?:(?P<conv>\w+)(?:\([^)]*\))?:)?(?P<angle>\w+)>|\(\?P<(?P<named>\w+)>(?P<named_rx>[^)]*)\)|\*)$")


class Segment(NamedTuple):
    text: str  # the static text, or "" for a parameter
    param: str = ""  # the parameter name ("*" for a wildcard)
    pattern: str = ""  # a converter or regex constraining the parameter (``int``, ``\\d+``)


def segments(path: str) -> tuple[Segment, ...]:
    """``/api/articles/{slug}/comments/<int:id>`` → static and parameter segments."""
    found = []
    for part in path.strip().strip("^$").split("/"):
        if not part:
            continue
        match = _PARAM.match(part)
        if match is None:
            found.append(Segment(part))
            continue
        name = match.group("brace") or match.group("colon") or match.group("angle") or match.group("named") or "*"
        pattern = match.group("brace_rx") or match.group("colon_rx") or match.group("conv") or match.group("named_rx") or ""
        found.append(Segment("", name.strip(), pattern.strip()))
    return tuple(found)


def template(path: str) -> str:
    """The normalised template: ``/api/articles/{}/comments/{}``."""
    return "/" + "/".join(s.text if not s.param else "{}" for s in segments(path))


def accepts(segment: Segment, text: str) -> bool:
    """Whether a parameter segment captures the static text ``text`` (``int``/``\\d+`` do not capture ``feed``)."""
    pattern = segment.pattern
    if not pattern or pattern in ("str", "slug", "path", "string", "any"):
        return not (pattern == "slug" and not re.fullmatch(r"[-a-zA-Z0-9_]+", text))
    if pattern in ("int", "float", "uuid", "number"):
        return bool(re.fullmatch(r"\d+", text)) if pattern != "uuid" else False
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return False


class Registration(NamedTuple):
    """A registration call as the interpreter saw it: ``app.use(express.json())``, ``router.get(…)``."""

    path: str
    node: ir.Call
    app: v.App
    values: tuple


def registrations(program, static: bool = False) -> list[Registration]:
    """Every registration call on an app or router, in (file, position) order; ``static``: the ones
    recorded so far, without finishing the analysis (asked while handlers are being analysed)."""
    if not static:
        program.routes()
    found = []
    for key in sorted(program.route_calls, key=lambda k: (k[0], k[1])):
        path, node, app, values = program.route_calls[key]
        if type(v.strip(app)) is v.App:
            found.append(Registration(path, node, v.strip(app), values))
    return found


def registration_of(program, route) -> Registration | None:
    found = program.route_calls.get((route.file, route.span))
    if found is None or type(v.strip(found[2])) is not v.App:
        return None
    return Registration(found[0], found[1], v.strip(found[2]), found[3])


def router_constructor(program, route) -> str:
    """The resolved name of the library call that made the router a route is registered on
    (``express-promise-router:default`` for ``const router = Router()``), through one project function
    returning it (a generated ``createOpenApiRouter = async (o) => createValidatedOpenApiRouter…(spec, o)``);
    ``""`` when archlint cannot tell."""
    registration = registration_of(program, route)
    if registration is None or not registration.app.site:
        return ""
    path, line, column = registration.app.site.rsplit(":", 2)
    call = _call_at(program, path, int(line), int(column))
    if call is None:
        return ""
    name = program.static_name(path, call.func)
    if name:
        return name
    made = program.static_value(path, call.func)
    function = program.function(made.path, made.fid) if type(made) is v.Function else None
    if function is None:
        return ""
    returned = [stmt.value for stmt in ir.iter_nodes(function.body) if type(stmt) is ir.Return and stmt.value is not None]
    inner = [r.value if type(r) is ir.Await else r for r in returned]
    if len(inner) != 1 or type(inner[0]) is not ir.Call:
        return ""
    return program.static_name(made.path, inner[0].func)


def _call_at(program, path: str, line: int, column: int):
    module = program.modules.get(path)
    for function in module.functions if module is not None else ():
        for node in program.node_index(function).ordered:
            if type(node) is ir.Call and node.span.line == line and node.span.column == column:
                return node
    return None


class Registrations:
    """Every registration call on an app or router (:func:`registrations`), indexed once: the ``use``
    calls of each (app or router site, file), in order, and the registrations that mount each site."""

    def __init__(self, everything: list[Registration]) -> None:
        self.uses: dict[tuple[str, str], list[Registration]] = {}
        self.mounts: dict[tuple[str, str], Registration] = {}  # (parent site, child site) -> the first mounting call
        for registration in everything:
            if type(registration.node.func) is ir.Attr and registration.node.func.name == "use":
                self.uses.setdefault((registration.app.site, registration.path), []).append(registration)
            for value in registration.values:
                if type(v.strip(value)) is v.App:
                    self.mounts.setdefault((registration.app.site, v.strip(value).site), registration)


def registration_index(program, static: bool = False) -> Registrations:
    """:class:`Registrations` of :func:`registrations`, built once per run for as long as no registration is added
    (the checks ask for every route in turn; ``route_calls`` only grows, so its size tells when to build again)."""
    if not static:
        program.routes()
    return program.memoised(f"web-registrations:{len(program.route_calls)}",
                            lambda: Registrations(registrations(program, static=True)))


def uses_before(program, registration: Registration, route, static: bool = False, index: Registrations | None = None) -> list[Registration]:
    """``app.use(auth)`` / ``router.use(validate(schema))`` / ``app.use('/api/articles', load)``
    registered, in the same file, before the route on its router — or before the mount of that router
    on an ancestor — in a framework that runs ``use`` middleware in registration order before the
    routes after it (``frameworks.toml`` ``ordered_middleware``; across files the order is not known).
    ``index``: :class:`Registrations` of :func:`registrations`, when the caller asks for many routes at once."""
    from archlint.semantics.routes import full_path, known as route_names

    if route.framework not in route_names(program).ordered_middleware:
        return []
    if index is None:
        index = registration_index(program, static)
    found = []
    entry = registration
    for site in ancestors(program, registration.app.site):
        for other in index.uses.get((site, entry.path), ()):
            if (other.node.span.line, other.node.span.column) >= (entry.node.span.line, entry.node.span.column):
                continue
            prefix = other.node.arg(0)
            if type(prefix) is ir.Const and isinstance(prefix.value, str):
                mounted = full_path(program, other.app, prefix.value.replace("/*", "").replace("*", ""))
                if not covers(mounted, route.path):
                    continue
            found.append(other)
        parent = program.app_mounts.get(site)
        entry = index.mounts.get((parent[0], site)) if parent is not None else None
        if entry is None:
            break
    return found


def used_before(program, registration: Registration, route, static: bool = False, index: Registrations | None = None) -> list:
    """The functions :func:`uses_before`'s registrations install (``v.Function`` values, in order)."""
    return [v.strip(value) for use in uses_before(program, registration, route, static, index) for value in use.values
            if type(v.strip(value)) is v.Function]


def covers(prefix: str, path: str) -> bool:
    """A ``use`` prefix matches the start of a route path (parameters match anything)."""
    mine, theirs = segments(prefix), segments(path)
    if len(mine) > len(theirs):
        return False
    return all(a.param or b.param or a.text == b.text for a, b in zip(mine, theirs))


def ancestors(program, site: str) -> list[str]:
    """The app/router site and every site it is mounted under, nearest first."""
    chain, seen = [], set()
    while site and site not in seen:
        seen.add(site)
        chain.append(site)
        parent = program.app_mounts.get(site)
        site = parent[0] if parent else ""
    return chain


def route_functions(program, route) -> list[v.Function]:
    """The handler and the functions wrapped at the registration (``handle(async (req, res) => …)``)."""
    found = []
    if type(route.handler) is v.Function:
        found.append(route.handler)
    registration = program.route_calls.get((route.file, route.span))
    if registration is not None:
        path, node = registration[0], registration[1]
        for arg in node.args:
            wrapped = arg.value
            if type(wrapped) is ir.Call:
                for inner in wrapped.args:
                    if type(inner.value) is ir.FuncRef:
                        found.append(v.Function(path, inner.value.fid))
    return list(dict.fromkeys(f._replace(bound=None) for f in found))


def analyses_by_function(program) -> dict:
    index = getattr(program, "_analysis_index", None)
    if index is None:
        index = {}
        for analysis in program.analyses():
            if analysis.fid:
                index.setdefault((analysis.path, analysis.fid), analysis)
        program._analysis_index = index
    return index


def nested(program, function: v.Function) -> list[v.Function]:
    """The function and the functions defined inside it (callbacks, closures)."""
    module = program.modules.get(function.path)
    if module is None:
        return [function]
    return [v.Function(function.path, fid) for fid in ir.enclosed_fids(module, function.fid)]


def events(program, functions, kind: str) -> list:
    """``request-read``/``request-write`` events (or any kind) of these functions and their nested functions."""
    index = analyses_by_function(program)
    found = []
    for function in functions:
        for inner in nested(program, function):
            analysis = index.get((inner.path, inner.fid))
            if analysis is not None:
                found.extend(e for e in analysis.events if e.kind == kind)
    return found


def reads_body(program, route) -> bool:
    return any(e.detail == "body" or e.detail.startswith("body.") for e in events(program, route_functions(program, route), "request-read"))


def callee_name(program, path: str, node) -> str:
    """The canonical external name of a call's callee, normalised across import spellings:
    ``express.json``/``express:default.json`` → ``express:json``; ``bodyParser.json`` → ``body-parser:json``."""
    call = node.value if type(node) is ir.Await else node
    if type(call) is not ir.Call or type(call.func) not in (ir.Name, ir.Attr):
        return ""
    value = resolve(program, path, call.func)
    return canonical(value.name) if type(value) is v.External else ""


def canonical(name: str) -> str:
    return name.replace(":default.", ":").replace(":.", ":").replace(":default", ":")


def resolve(program, path: str, node):
    """A module-level name or attribute chain: from imports and definitions, else from the
    module's interpreted globals (``const express = require('express')``)."""
    if type(node) is ir.Name:
        value = program.static_value(path, node)
        if type(value) is v.External and not value.name.startswith("global:require"):
            return value
        if type(value) in (v.Function, v.ClassValue, v.Module):
            return value
        return v.strip(program.module_global(path, node.id))
    if type(node) is ir.Attr:
        base = resolve(program, path, node.obj)
        if type(base) in (v.External, v.Module, v.ClassValue):
            return program.static_attribute(base, node.name)
        return v.UNKNOWN
    return program.static_value(path, node)


def function_node(program, function: v.Function) -> ir.Function | None:
    return program.function(function.path, function.fid)
