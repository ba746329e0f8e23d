"""framework rule AL810: auth context a handler reads that nothing sets.

Handlers read the authenticated user from the request — Express ``req.user``, Koa
``ctx.state.user``, Hono ``c.get('user')``, aiohttp ``request['user']``, Starlette/FastAPI
``request.state.user`` — and middleware is supposed to put it there.  When no middleware, hook or
handler in the program writes that key (or writes it under another name: ``req.userId`` set,
``req.user`` read), the read is ``undefined`` / ``KeyError`` on every authenticated call.  Read
from the interpreter's ``request-read`` / ``request-write`` events, never from text.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics import auth, web

_SPELLING = {
    "express": lambda key: f"req.{key}",
    "koa": lambda key: f"ctx.state.{key}",
    "hono": lambda key: f"c.get('{key}')",
    "aiohttp": lambda key: f"request['{key}']",
    "fastapi": lambda key: f"request.state.{key}",
    "starlette": lambda key: f"request.state.{key}",
}


def _context_key(framework: str, detail: str, words: frozenset) -> str:
    """The auth-context key an event reads or writes in this framework, or ``""``
    (``req['user']`` is ``req.user`` everywhere but in aiohttp, where items and attributes differ)."""
    if framework != "aiohttp" and "[" in detail:
        detail = detail.replace("[", "").replace("]", "")
    if framework == "express" and "." not in detail and not detail.startswith(("[", "var.")):
        key = detail
    elif framework in ("koa", "fastapi", "starlette") and detail.startswith("state.") and detail.count(".") == 1:
        key = detail[6:]
    elif framework == "hono" and detail.startswith("var."):
        key = detail[4:]
    elif framework == "aiohttp" and detail.startswith("[") and detail.endswith("]"):
        key = detail[1:-1]
    else:
        return ""
    return key if any(word in key.lower() for word in words) else ""


def _middleware_writes(program) -> set:
    """Keys an Express middleware-shaped function ``(req, res, next)`` stores on its first parameter
    (``req.accountability = await getAccountabilityForToken(req.token)``) although the analysis did
    not see it mounted with a request (``app.use(asyncHandler(handler))`` through a project wrapper;
    @directus/api): the key is set by middleware, not missing."""
    from archlint.domain import ir

    keys: set = set()
    for module in program.modules.values():
        if module.language == "python":
            continue
        for function in module.functions:
            params = [p for p in function.params if p.kind == "pos"]
            if len(params) < 3 or function.kind == "module":
                continue
            request = params[0].name
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Assign:
                    for target in node.targets:
                        if type(target) is ir.Attr and type(target.obj) is ir.Name and target.obj.id == request:
                            key = _context_key("express", target.name, auth.known(program).identity_words)
                            if key:
                                keys.add(key)
    return keys


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    routes = [r for r in program.routes() if not non_production(r.file) and r.method != "USE" and r.framework in _SPELLING]
    names = auth.known(program)
    if not routes or _imports_auth_package(ctx, names.identity_middleware):
        return
    written: dict[str, set] = {}
    for analysis in program.analyses():
        for event in analysis.events:
            if event.kind == "request-write":
                for framework in _SPELLING:
                    key = _context_key(framework, event.detail, names.identity_words)
                    if key:
                        written.setdefault(framework, set()).add(key)
    written.setdefault("express", set()).update(_middleware_writes(program))
    reported: set = set()
    for route in routes:
        spell = _SPELLING[route.framework]
        for event in web.events(program, web.route_functions(program, route), "request-read"):
            key = _context_key(route.framework, event.detail, names.identity_words)
            # one finding per route and key, at its first read (`req.user && req.user.id` is one mistake)
            once = (route.file, route.method, route.path, key)
            if not key or key in written.get(route.framework, set()) or (event.path, event.span) in reported or once in reported:
                continue
            reported.update(((event.path, event.span), once))
            others = sorted(written.get(route.framework, set()))
            setter = (f"the auth middleware sets {', '.join(f'`{spell(o)}`' for o in others)} instead" if others
                      else "no middleware, hook or dependency in the project sets it")
            if route.framework == "aiohttp" or route.framework in ("fastapi", "starlette"):
                failure = "KeyError" if route.framework == "aiohttp" else "AttributeError: 'State' object has no attribute"
                outcome = f"the read is {failure} on every authenticated call (a 500, or a 401 for a valid token)"
            else:
                outcome = (f"the read is undefined on every call — `{spell(key)}.id` throws \"Cannot read properties of "
                           f"undefined\" (a 500) and a guarded `{spell(key)} && …` treats every caller as anonymous")
            message = f"`{route.method} {route.path}` reads `{spell(key)}`, but {setter}: {outcome}"
            guidance = f"Read the key the auth middleware sets{f' (`{spell(others[0])}`)' if others else ''}, or set `{spell(key)}` in the middleware that verifies the token."
            yield ctx.registry.finding("AL810", event.path, event.span, message, guidance)


def _imports_auth_package(ctx: CheckContext, packages: frozenset) -> bool:
    for path in ctx.files:
        for edge in ctx.graph.out_edges(path):
            if edge.external and any(edge.target == p or edge.target.startswith((p + ":", p + ".", p + "/")) for p in packages):
                return True
    return False
