"""Resource lifecycle on the semantic model: AL307 a connection or cursor used after it was
closed, released or left the ``with`` block that closed it; AL308 one module-level connection
entered (``async with db``) by every request; AL309 an item assigned into an immutable driver row.

The interpreter tags a variable's handle when ``close()``/``release()``/``end()`` runs on it (or
``pool.release(conn)``), and when the ``with`` block that owns it ends for the handles whose
context manager closes them (psycopg 3, aiosqlite and PyMySQL connections, cursors,
``pool.acquire()``); a DB call through a tagged handle on the same path is the finding.  Verified:
sqlite3 "Cannot operate on a closed database." / "Cannot operate on a closed cursor.", aiosqlite
"threads can only be started once", "'sqlite3.Row' object does not support item assignment".
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep

_ERRORS = {
    "sqlite3": "sqlite3.ProgrammingError: Cannot operate on a closed database. (closed cursor: \"Cannot operate on a closed cursor.\")",
    "aiosqlite": "ValueError: Connection closed / sqlite3.ProgrammingError: Cannot operate on a closed database.",
    "psycopg": "psycopg.OperationalError: the connection is closed (a cursor: \"the cursor is closed\")",
    "psycopg2": "psycopg2.InterfaceError: connection already closed / cursor already closed",
    "asyncpg": "asyncpg InterfaceError: cannot call Connection.fetch(): connection has been released back to the pool",
    "pg": "Error: Client was closed and is not queryable / the released client is used by another request",
    "mysql2": "Error: Can't add new command when connection is in closed state",
    "pymysql": "pymysql.err.InterfaceError: (0, '') on a closed connection",
}


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    seen: set = set()
    for analysis in program.analyses():
        if non_production(analysis.path):
            continue
        for event in analysis.events:
            key = (event.kind, event.path, event.span.line, event.span.column)  # a chain reports once
            if key in seen:
                continue
            if event.kind == "use-after-close":
                seen.add(key)
                yield _use_after_close(ctx, event)
            elif event.kind == "shared-connection-entered":
                seen.add(key)
                yield _shared(ctx, event)
            elif event.kind == "row-item-assigned":
                seen.add(key)
                yield _row_assigned(ctx, event)


def _use_after_close(ctx, event) -> Finding:
    stack, kind, method, site = event.detail.split("|", 3)
    path, line, column, how = site.split(":", 3)
    closed = {"with-exit": "when its `with` block ended", "released": "when its `async with pool.acquire()` block released it"}.get(
        how, f"by `{how}()`")
    message = (
        f"`{method}` runs on a {stack} {kind} that was closed {closed} (line {line}{'' if path == event.path else f' of {path}'}): "
        f"it raises {_ERRORS.get(stack, 'an error: the handle is closed')} — a 500"
    )
    guidance = "Run every query while the handle is open (inside the `with` block, before close/release), or open a new one."
    trace = (TraceStep(path, int(line), int(column), f"closed here ({how})"),)
    return ctx.registry.finding("AL307", event.path, event.span, message, guidance, trace)


def _shared(ctx, event) -> Finding:
    stack, name = event.detail.split("|", 1)
    if stack == "aiosqlite":
        what = "aiosqlite starts the connection's thread when it is entered: the second request raises RuntimeError (\"threads can only be started once\")"
    else:
        what = f"leaving the block closes the {stack} connection: every request after the first fails (\"the connection is closed\")"
    message = f"`{name}` is one connection made at import time and entered by this function on every call — {what}"
    guidance = f"Open a connection per request (`async with {stack}.connect(…) as db:`), or open `{name}` once at startup and use it without `with`."
    return ctx.registry.finding("AL308", event.path, event.span, message, guidance)


def _row_assigned(ctx, event) -> Finding:
    kind = {"asyncpg": "asyncpg.Record"}.get(event.detail, "sqlite3.Row")
    message = (
        f"An item is assigned into a {kind} fetched from the database: rows are immutable — TypeError (\"'{kind}' object does "
        f"not support item assignment\"), a 500"
    )
    guidance = "Copy the row into a dict first (`row = dict(row)`), then change the copy."
    return ctx.registry.finding("AL309", event.path, event.span, message, guidance)
