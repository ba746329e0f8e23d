"""AL604: a synchronous database call inside an ``async def`` route handler (FastAPI, Starlette,
aiohttp, Quart, Sanic, Litestar).

These frameworks run every ``async def`` handler on one event loop.  A statement run through a
synchronous handle — a SQLAlchemy ``Session`` from ``sessionmaker``/``create_engine``, ``sqlite3``,
``psycopg2``, ``pymysql`` — blocks that loop until the database answers: while one request waits for
its query, no other request of the worker makes progress (the endpoint is fine alone and collapses
under concurrency).  The semantic model knows which handles come from an async API (``async`` tag)
and reaches the statements through services, repositories and helpers (the handler's summary).

Not reported: calls offloaded to a thread (``asyncio.to_thread``, ``loop.run_in_executor``,
``run_in_threadpool``, ``anyio.to_thread.run_sync``, ``sync_to_async``, SQLAlchemy ``run_sync``),
statements of a *sync* FastAPI dependency (``Depends(get_current_user)`` with a plain ``def``:
FastAPI runs it in its threadpool), plain ``def`` handlers (run in a threadpool by FastAPI/Starlette),
Flask's ``async def`` views (each request runs its own loop in a worker thread) and Django (its ORM
refuses to run in async code instead).
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.calls import known
from archlint.semantics.routes import handler_functions


class Known(NamedTuple):
    """The names of ``reader = "checks.blocking_calls"`` in ``rules/knowledge/frameworks.toml`` and
    ``drivers.toml`` (explained there)."""

    loop_frameworks: frozenset  # frameworks running every async def handler on one event loop
    sync_only_stacks: frozenset  # stacks whose every statement blocks
    sync_or_async_stacks: frozenset  # stacks that block unless the handle is async (the `async` tag)
    offloads: frozenset  # functions running a sync callable in a worker thread
    offload_methods: frozenset  # methods doing the same (loop.run_in_executor, conn.run_sync)


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def _names(program) -> Known:
    return program.library.view("checks.blocking_calls", _known)


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = {(a.path, a.fid): a for a in program.analyses() if a.fid}
    calls = _CallIndex(program)
    reported: set = set()
    names = _names(program)
    for route in program.routes():
        if route.framework not in names.loop_frameworks:
            continue
        for function in handler_functions(program, route):
            definition = program.function(function.path, function.fid)
            analysis = analyses.get((function.path, function.fid))
            if definition is None or analysis is None or not definition.is_async or non_production(function.path):
                continue
            for effect in analysis.summary.effects:
                key = (effect.path, effect.span)
                if key in reported or not _blocking(names, effect) or calls.awaited(effect.path, effect.span) \
                        or _offloaded(program, calls, effect):
                    continue
                reported.add(key)
                yield _finding(ctx, function.path, definition, effect)


def _blocking(names: Known, effect) -> bool:
    if effect.op not in ("read", "write", "commit"):
        return False
    if effect.stack in names.sync_only_stacks:
        return True
    return effect.stack in names.sync_or_async_stacks and "async" not in effect.tags


def _offloaded(program, calls: "_CallIndex", effect) -> bool:
    """A call on the way from the handler to the statement that runs it off the event loop."""
    names = _names(program)
    for path, span, _label in effect.trace:
        node = calls.at(path, span)
        if node is None:
            continue
        if node.method in names.offload_methods:
            return True
        name = program.static_name(path, node.func)
        if name in names.offloads:
            return True
        if name in known(program).fastapi_depends and node.args:
            provider = v.strip(program.static_value(path, node.args[0].value))
            definition = program.function(provider.path, provider.fid) if type(provider) is v.Function else None
            if definition is None or not definition.is_async:
                return True  # a sync dependency: FastAPI runs it in its threadpool
    return False


class _CallIndex:
    """The IR call at a (path, span), parameter defaults included (``Depends(…)``)."""

    def __init__(self, program) -> None:
        self.program = program
        self.by_path: dict = {}
        self.awaited_by_path: dict = {}

    def at(self, path: str, span):
        return self._tables(path)[0].get(span)

    def awaited(self, path: str, span) -> bool:
        """The statement is awaited: whatever the handle's value lost on the way, a sync driver's
        result cannot be awaited — it is an async API."""
        return span in self._tables(path)[1]

    def _tables(self, path: str):
        table = self.by_path.get(path)
        if table is None:
            table = self.by_path[path] = {}
            awaited = self.awaited_by_path[path] = set()
            module = self.program.modules.get(path)
            for function in module.functions if module is not None else ():
                roots = [function.body] + [p.default for p in function.params if p.default is not None]
                for root in roots:
                    for node in ir.iter_nodes(root):
                        if type(node) is ir.Call:
                            table.setdefault(node.span, node)
                        elif type(node) is ir.Await and type(node.value) is ir.Call:
                            awaited.add(node.value.span)
        return table, self.awaited_by_path[path]


def _finding(ctx, path: str, handler, effect) -> Finding:
    what = {"commit": "commits", "write": "writes", "read": "queries"}[effect.op]
    driver = "SQLAlchemy `Session`" if effect.stack == "sqlalchemy" else f"`{effect.stack}`"
    message = (
        f"`async def {handler.name}` {what} through a synchronous {driver} (`{effect.method}`): the call blocks the event "
        f"loop until the database answers, so every other request of this worker waits — the API stalls under "
        f"concurrent load"
    )
    guidance = ("Use the async driver and await it (create_async_engine + AsyncSession, asyncpg, aiosqlite), or make the "
                "handler a plain `def` (FastAPI/Starlette run it in a threadpool), or offload it with `await run_in_threadpool(…)`.")
    trace = [TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in effect.trace]
    trace.append(TraceStep(effect.path, effect.span.line, effect.span.column, f"{what} synchronously"))
    return ctx.registry.finding("AL604", effect.path, effect.span, message, guidance, tuple(trace))
