"""framework rule AL807: route handlers whose sync/async kind the framework cannot run.

* a Flask ``async def`` view without the ``async`` extra (asgiref): Flask raises "RuntimeError:
  Install Flask with the 'async' extra in order to use async views." — a 500 on every call
  (verified, Flask 3.1);
* a synchronous handler (FastAPI/Flask/aiohttp/Django ``def``) that calls an async API or a
  project ``async def``: it cannot await, so the coroutine never runs ("coroutine … was never
  awaited") and the write or read silently does not happen;
* an Express 4 ``async`` handler with an ``await`` outside any ``try``/``catch``, no wrapper and no
  ``express-async-errors``: Express 4 ignores the returned Promise, a rejected query becomes an
  unhandledRejection and the request hangs until the client times out.

aiohttp 3 still runs a plain ``def`` handler (verified on 3.14: 200), so that alone is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from archlint.checks.awaits import _awaitable
from archlint.checks.web_quirks import declared_major
from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics import values as v
from archlint.semantics import web


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    routes = [r for r in program.routes() if not non_production(r.file) and r.method != "USE"]
    if not routes:
        return
    index = web.analyses_by_function(program)
    seen: set = set()
    flask_async = _flask_async_supported(ctx)
    express_major = declared_major(ctx, "express")
    async_errors = _imports(ctx, ("express-async-errors", "express-async-handler", "@awaitjs/express"))
    for route in routes:
        for function in _handlers(program, route):
            key = (function.path, function.fid)
            definition = program.function(*key)
            if key in seen or definition is None:
                continue
            seen.add(key)
            if route.framework in ("flask",) and definition.is_async and not flask_async:
                message = (
                    f"`async def {definition.name}` is a Flask view, but the project does not install Flask's `async` "
                    f"extra (asgiref): every request raises \"RuntimeError: Install Flask with the 'async' extra in order "
                    f"to use async views.\" and returns 500"
                )
                guidance = "Make the view a plain `def` (with a synchronous session), or declare `flask[async]` in requirements."
                yield ctx.registry.finding("AL807", function.path, definition.span, message, guidance)
            elif route.framework in ("fastapi", "flask", "aiohttp", "django", "starlette") and not definition.is_async:
                yield from _sync_calls_async(ctx, program, index.get(key), definition)
            elif route.framework == "express" and definition.is_async and express_major is not None and express_major < 5 \
                    and not async_errors and not route.wrapped and not _on_promise_router(ctx, program, route):
                uncaught = _uncaught_throw(program, index.get(key), definition)
                if uncaught is not None:
                    node, what = uncaught
                    message = (
                        f"async handler of `{route.method} {route.path}` {what} outside any try/catch on Express "
                        f"{express_major}, which ignores the Promise a handler returns: the error becomes an unhandled "
                        f"rejection, no response is sent (not even the intended 404/422) and the request hangs until the "
                        f"client times out"
                    )
                    guidance = "Wrap the body in try/catch and call `next(err)`, wrap handlers with an asyncHandler helper, or `require('express-async-errors')` once."
                    yield ctx.registry.finding("AL807", function.path, node.span, message, guidance)


def _handlers(program, route) -> list:
    """The function registered as the handler (not what a wrapper wraps: the wrapper decides)."""
    handler = route.handler
    if type(handler) is v.Function:
        return [handler._replace(bound=None)]
    if type(handler) is v.ClassValue:
        cls = program.cls(handler.path, handler.cid)
        methods = []
        for fid in cls.methods if cls is not None else ():
            function = program.function(handler.path, fid)
            if function is not None and function.name in ("get", "post", "put", "patch", "delete"):
                methods.append(v.Function(handler.path, fid))
        return methods
    return []


def sync_python_handlers(program) -> set:
    """(path, fid) of synchronous Python route handlers (AL807 reports their async calls)."""
    found = set()
    for route in program.routes():
        if route.framework in ("fastapi", "flask", "aiohttp", "django", "starlette"):
            for function in _handlers(program, route):
                definition = program.function(function.path, function.fid)
                if definition is not None and not definition.is_async:
                    found.add((function.path, function.fid))
    return found


def _flask_async_supported(ctx: CheckContext) -> bool:
    """The async extra (asgiref) is declared — or Flask is not declared at all (unknown: silent)."""
    flask = [d for d in ctx.manifest.dependencies if d.name.lower() in ("flask", "quart")]
    if not flask or any(d.name.lower() == "quart" for d in flask):
        return True
    return any(d.name.lower() == "asgiref" or "async" in d.spec.lower() for d in ctx.manifest.dependencies if d.name.lower() in ("flask", "asgiref"))


def _on_promise_router(ctx: CheckContext, program, route) -> bool:
    """The route is registered on a router that awaits its handlers' Promises (``frameworks.toml``
    ``promise_routers``: ``const router = Router()`` imported from express-promise-router)."""
    made = web.router_constructor(program, route)
    return bool(made) and made in ctx.knowledge.framework_names("express", "promise_routers")


def _imports(ctx: CheckContext, packages: tuple) -> bool:
    return any(edge.external and edge.target.split(":")[0] in packages for path in ctx.files for edge in ctx.graph.out_edges(path))


def _sync_calls_async(ctx, program, analysis, definition) -> Iterator[Finding]:
    if analysis is None:
        return
    # a coroutine handed straight to a call that runs it is not one never awaited: `asyncio.run(fetch())`,
    # `loop.run_until_complete(…)` (frameworks.toml coroutine_runners), or a project function given it
    # (changedetection.io's `run_async_in_browser_loop(_fetch_snapshot())` submits it to a background loop);
    # `jsonify(fetch())` builds the response from the coroutine object and stays reported
    runners = _runners(program)
    callees = {record.node.span: record.callees for record in analysis.calls}
    handed = {arg.value.span for node in ir.iter_nodes(definition.body) if type(node) is ir.Call
              and (callees.get(node.span) or _runs_coroutines(program, analysis.path, node, runners))
              for arg in node.args if type(arg.value) is ir.Call}
    for record in analysis.calls:
        if record.node.span in handed:
            continue
        what = _awaitable(program, record)
        if not what:
            continue
        from archlint.domain.ir_format import render

        shown = render(record.node, 60)
        message = (
            f"`def {definition.name}` is a synchronous route handler, but `{shown}` returns a coroutine ({what}): a "
            f"plain function cannot await it, so it never runs (RuntimeWarning: coroutine … was never awaited) — the "
            f"query or write silently does not happen and the response is built from a coroutine object"
        )
        guidance = f"Declare the handler `async def {definition.name}` and `await` the call (or use the synchronous API)."
        yield ctx.registry.finding("AL807", analysis.path, record.node.span, message, guidance)
        return


class Known(NamedTuple):
    """The ``[[names]]`` table with ``reader = "checks.async_handlers"`` of ``rules/knowledge/frameworks.toml``."""

    coroutine_runners: frozenset  # callables and `.methods` that run the coroutine given to them


def _known(table: dict) -> Known:
    return Known(coroutine_runners=frozenset(table["coroutine_runners"]))


def _runners(program) -> frozenset:
    return program.library.view("checks.async_handlers", _known).coroutine_runners


def _runs_coroutines(program, path: str, node: ir.Call, runners: frozenset) -> bool:
    """``node`` is a call of a coroutine runner: a listed callable, or a listed method of any receiver."""
    if type(node.func) is ir.Attr and "." + node.func.name in runners:
        return True
    return program.static_name(path, node.func) in runners


def _uncaught_throw(program, analysis, function: ir.Function):
    """The first statement of an async handler that rejects outside a ``try`` with a ``catch``: a
    ``throw``, or an ``await`` of a project function that throws (a NotFoundError from a
    service).  Awaits of calls that only fail on infrastructure errors are not reported."""
    protected: set = set()
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Try and node.handlers:
            protected.update(id(inner) for inner in ir.iter_nodes(node.body))
    callees = {record.node.span: record.callees for record in analysis.calls} if analysis is not None else {}
    for node in ir.iter_nodes(function.body):
        if id(node) in protected:
            continue
        if type(node) is ir.Raise:
            return node, "throws"
        if type(node) is ir.Await and type(node.value) is ir.Call:
            for callee in callees.get(node.value.span, ()):
                thrower = _throws(program, callee, 3, set())
                if thrower:
                    return node, f"awaits `{thrower}`, which throws,"
    return None


def _throws(program, callee, depth: int, seen: set) -> str:
    """The name of a project function on this call path that has a ``throw``/``raise`` outside a try."""
    key = (callee.path, callee.fid)
    definition = program.function(*key)
    if definition is None or key in seen or depth < 0:
        return ""
    seen.add(key)
    protected: set = set()
    for node in ir.iter_nodes(definition.body):
        if type(node) is ir.Try and node.handlers:
            protected.update(id(inner) for inner in ir.iter_nodes(node.body))
    if any(type(node) is ir.Raise and id(node) not in protected and _expected_error(program, callee.path, node)
           for node in ir.iter_nodes(definition.body)):
        return definition.name
    analysis = web.analyses_by_function(program).get(key)
    for record in analysis.calls if analysis is not None else ():
        for inner in record.callees:
            found = _throws(program, inner, depth - 1, seen)
            if found:
                return found
    return ""


def _expected_error(program, path: str, node: ir.Raise) -> bool:
    """A thrown application error — ``new NotFoundError(…)`` of a project class, ``createError(404)``
    (http-errors) — the request path a client hits (a 404, a 403), not a defensive ``new Error``."""
    value = node.value
    if type(value) is not ir.Call:
        return False
    callee = web.resolve(program, path, value.func)
    if type(callee) in (v.ClassValue, v.Function):
        return True
    return type(callee) is v.External and callee.name.split(":")[0] in ("http-errors", "@hapi/boom", "boom", "http-status")
