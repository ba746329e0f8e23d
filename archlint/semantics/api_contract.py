"""The routes table held against an API contract: which operations are served, by which route.

Matching is by method and normalised path template (``{slug}`` = ``:slug`` = ``<slug>`` =
``<str:slug>``; trailing slashes ignored — Django's are AL803's business), on the full paths the
routes table computes (prefixes of routers, blueprints, ``include()``, ``app.use('/api', r)``,
``register(prefix)``, Hono ``route()``).  A route answers the methods it declares: a Django view
its ``require_http_methods``/handler methods, a DRF viewset its actions, ``ALL`` everything.

What archlint cannot see is never called missing: an operation under a mount it cannot read (an
``include()`` of an unknown module, ``app.use('/api', <unresolved router>)``, a catch-all route)
is *unknown*, not missing.
"""

from __future__ import annotations

from archlint.domain.contract import CONDUIT, CONDUIT_MIN_PATHS, ApiSpec, Operation
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics import web

_CATCH_ALL = ("*", "(.*)", "/*")


class Served(NamedTuple):
    operation: Operation
    route: object  # the Route that answers it


class Missing(NamedTuple):
    operation: Operation
    near: object  # a Route on the same path (another method) or the nearest sibling, or None
    same_path: bool  # the path is routed, only the method is not
    captured_by: object = None  # a parameterised route that answers the path instead (/articles/:slug for /articles/feed)


class Coverage(NamedTuple):
    served: list
    missing: list
    unknown: list  # operations under something archlint cannot read
    extra: list  # routes the contract does not have

    @property
    def total(self) -> int:
        return len(self.served) + len(self.missing) + len(self.unknown)


def api_routes(program, production) -> list:
    """The routes that answer requests (mounts and middleware left out), in production code."""
    return [r for r in program.routes() if r.method != "USE" and production(r.file) and r.path]


def contract_for(program, spec: ApiSpec | None, production) -> ApiSpec | None:
    """The contract the app is held to: the given spec, else Conduit's when the app routes at
    least :data:`CONDUIT_MIN_PATHS` of Conduit's 12 paths, else ``None``."""
    if spec is not None:
        return spec
    templates = {web.template(r.path) for r in api_routes(program, production)}
    conduit_paths = {web.template(op.path) for op in CONDUIT.operations}
    if len(conduit_paths & templates) >= CONDUIT_MIN_PATHS:
        return CONDUIT
    return None


def coverage(program, spec: ApiSpec, production) -> Coverage:
    routes = api_routes(program, production)
    opaque = [web.segments(prefix) for prefix in opaque_prefixes(program, production)]
    served, missing, unknown = [], [], []
    used: set = set()
    for operation in sorted(spec.operations, key=lambda o: (o.path, o.method)):
        wanted = web.segments(operation.path)
        exact = [r for r in routes if _same_template(web.segments(r.path), wanted)]
        answering = [r for r in exact if _accepts(r.method, operation.method)]
        if answering:
            served.append(Served(operation, answering[0]))
            used.update(id(r) for r in answering)
            continue
        if any(_under(prefix, wanted) for prefix in opaque) or any(_catch_all(r.path) and _accepts(r.method, operation.method)
                                                                     for r in routes):
            unknown.append(operation)
            continue
        captured = next((r for r in routes if _accepts(r.method, operation.method) and _captures(web.segments(r.path), wanted)), None)
        if captured is not None and not exact:
            missing.append(Missing(operation, captured, False, captured))
            continue
        near = exact[0] if exact else _nearest(routes, wanted)
        missing.append(Missing(operation, near, bool(exact)))
    spec_templates = [web.segments(op.path) for op in spec.operations]
    extra = [r for r in routes if id(r) not in used and not any(_same_template(web.segments(r.path), t) for t in spec_templates)]
    return Coverage(served, missing, unknown, extra)


def opaque_prefixes(program, production) -> list[str]:
    """Prefixes under which routes are mounted that archlint cannot read."""
    from archlint.semantics.django_urls import opaque_prefixes as django_opaque

    found = list(django_opaque(program))
    for route in program.routes():
        if route.method != "USE" or not production(route.file) or not route.path or route.framework == "django":
            continue
        registration = web.registration_of(program, route)
        if registration is None:
            continue
        values = [v.strip(value) for value in registration.values[1:]]
        if any(type(value) not in (v.Function, v.App, v.Const) for value in values):
            found.append(_mount_path(program, registration, route.path))
    return found


def _mount_path(program, registration, path: str) -> str:
    from archlint.semantics.routes import full_path

    return full_path(program, registration.app, path)


def _same_template(route, wanted) -> bool:
    if len(route) != len(wanted):
        return False
    return all((a.param and b.param) or (not a.param and not b.param and a.text == b.text) for a, b in zip(route, wanted))


def _captures(route, wanted) -> bool:
    """A parameterised route that matches the operation's static path (``/articles/:slug`` for
    ``/articles/feed``)."""
    if len(route) != len(wanted):
        return False
    for a, b in zip(route, wanted):
        if a.param:
            if not b.param and (a.param == "*" or not web.accepts(a, b.text)):
                return False
        elif b.param or a.text != b.text:
            return False
    return any(a.param and not b.param for a, b in zip(route, wanted))


def _under(prefix, wanted) -> bool:
    if len(prefix) > len(wanted):
        return False
    return all(a.param or b.param or a.text == b.text for a, b in zip(prefix, wanted))


def _catch_all(path: str) -> bool:
    return any(path.endswith(mark) for mark in _CATCH_ALL) or "(.*)" in path


def _accepts(route_method: str, method: str) -> bool:
    methods = set(route_method.upper().split(","))
    return "ALL" in methods or method in methods or (method == "HEAD" and "GET" in methods)


def _nearest(routes, wanted):
    """The route sharing the longest leading run of segments (where a missing route belongs)."""
    best, best_score = None, 0
    for route in routes:
        segments = web.segments(route.path)
        score = 0
        for a, b in zip(segments, wanted):
            if (a.param and b.param) or (not a.param and a.text == b.text):
                score += 1
            else:
                break
        if score > best_score:
            best, best_score = route, score
    return best


def describe(route) -> str:
    return f"`{route.method} {route.path}` ({route.file}:{route.span.line})"
