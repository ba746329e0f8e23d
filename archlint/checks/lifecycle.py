"""Resource lifecycle on the semantic model: AL307 a connection or cursor used after it was
closed, released or left the ``with`` block that closed it; AL308 one module-level connection
entered (``async with db``) by every request; AL309 an item assigned into an immutable driver row;
AL312 a session / connection / pooled client opened here and not closed on every path.

The interpreter tags a variable's handle when ``close()``/``release()``/``end()`` runs on it (or
``pool.release(conn)``), and when the ``with`` block that owns it ends for the handles whose
context manager closes them (psycopg 3, aiosqlite and PyMySQL connections, cursors,
``pool.acquire()``); a DB call through a tagged handle on the same path is the finding.  Verified:
sqlite3 "Cannot operate on a closed database." / "Cannot operate on a closed cursor.", aiosqlite
"threads can only be started once", "'sqlite3.Row' object does not support item assignment".
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v

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
    yield from _leaks(ctx, program)


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


# AL312 -------------------------------------------------------------------------------------------


class Known(NamedTuple):
    opens: frozenset  # stack:receiver-kind.method
    constructors: frozenset  # module:export, and module.export (how a dotted callee resolves)
    closers: frozenset
    pooled: frozenset  # stacks whose handles are lent by a pool


def _known(table: dict) -> Known:
    constructors = frozenset(table["leak_constructors"])
    return Known(frozenset(table["leak_opens"]), constructors | {c.replace(":", ".") for c in constructors},
                  frozenset(table["leak_closers"]), frozenset(table["leak_pooled_stacks"]))


_KINDS = ("session", "connection", "client")


def _opened(program, known: Known, path: str, record) -> str:
    """The stack of the handle the recorded call opens here, else ``""``."""
    result, receiver = v.strip(record.result), v.strip(record.receiver)
    if type(result) is not v.Db or result.kind not in _KINDS or record.callees:
        return ""
    node = record.node
    if type(receiver) is v.Db:
        method = node.method or "__call__"
        return result.stack if f"{receiver.stack}:{receiver.kind}.{method}" in known.opens else ""
    name = program.static_name(path, node.func)
    return result.stack if name in known.constructors else ""


def _leaks(ctx, program) -> Iterator[Finding]:
    known = program.library.view("checks.lifecycle", _known)
    for analysis in program.analyses():
        function = analysis.function
        if non_production(analysis.path) or function.kind == "module" or not analysis.calls:
            continue
        for record in analysis.calls:
            stack = _opened(program, known, analysis.path, record)
            if not stack:
                continue
            found = _leak(program, known, analysis.path, function, record.node)
            if found is not None and (found[1] == "never" or stack in known.pooled):
                yield _leak_finding(ctx, analysis.path, record.node, stack, v.strip(record.result).kind, *found)


def _leak(program, known: Known, path: str, function: ir.Function, call: ir.Call):
    """``(name, how, line)`` when the handle the call opens is bound to a local that does not escape and some
    path from the open to the function's exit does not close it; ``how`` is ``never`` or ``exception``."""
    located = _binding(function.body, call)
    if located is None:
        return None
    block, index, name = located
    if name in function.globals:
        return None  # a module global assigned here: it outlives the call
    aliases = _aliases(program, known, path, function, name)
    if aliases is None:
        return None
    closes = _closes(function.body, aliases, known)
    if not closes:
        return name, "never", 0
    if any(where != "plain" for where, _ in closes):
        return None  # closed in a `finally` or an `except` handler: the author handles the exception edge
    # closed only on the straight path: the statements between the open and the first close of its own
    # block run calls that can raise (or return early) and skip it
    for position in range(index + 1, len(block)):
        statement = block[position]
        if _closes(statement, aliases, known):
            if type(statement) is ir.ExprStmt:
                between = block[index + 1:position]
                risky = [n for n in ir.iter_nodes(between) if type(n) in (ir.Call, ir.Return, ir.Raise)]
                if risky:
                    return name, "exception", statement.span.line
            return None
    return None  # closed somewhere else (a branch, a nested block): not judged


def _binding(body: tuple, call: ir.Call):
    """``(block, index, name)`` of the ``name = <call>`` / ``name = await <call>`` statement."""
    stack = [body]
    while stack:
        block = stack.pop()
        for index, statement in enumerate(block):
            kind = type(statement)
            if kind is ir.Assign:
                value = statement.value
                if type(value) is ir.Await:
                    value = value.value
                if value is call:
                    if statement.op == "=" and len(statement.targets) == 1 and type(statement.targets[0]) is ir.Name:
                        return block, index, statement.targets[0].id
                    return None
            elif kind is ir.If:
                stack.extend((statement.body, statement.orelse))
            elif kind is ir.Loop:
                stack.extend(b for b in (getattr(statement, "body", ()), getattr(statement, "orelse", ())) if type(b) is tuple)
            elif kind is ir.With:
                stack.append(statement.body)
            elif kind is ir.Try:
                stack.extend((statement.body, statement.orelse, statement.final, *(h.body for h in statement.handlers)))
    return None


def _aliases(program, known: Known, path: str, function: ir.Function, name: str):
    """The local names through which the handle is reached (itself, and a project object built around it
    that stays local: ``svc = ArticleService(session)``), or ``None`` when it escapes: returned,
    yielded, stored in an attribute, an item or a container, entered by ``with``, passed to a library
    call or to a project one that closes or keeps it, or read by a nested function."""
    names = {name}
    changed = True
    while changed:
        changed = False
        for node, parent, field in ir.iter_edges(function.body):
            if type(node) is not ir.Name or node.id not in names:
                continue
            verdict = _use(program, known, path, function, node, parent, field)
            if verdict is None:
                return None
            if verdict and verdict not in names:
                names.add(verdict)
                changed = True
    if _nested_reads(program, path, function, names):
        return None
    return names


def _use(program, known, path, function, node, parent, field):
    """``""`` for a use that keeps the handle here (a method call or attribute read on it, a test, a
    rebinding of the name), a new alias name, or ``None`` for an escape."""
    kind = type(parent)
    if kind is ir.Attr and field == "obj":
        return ""
    if kind in (ir.Compare, ir.BoolOp, ir.Unary, ir.If) or kind is ir.Assign and field == "targets":
        return ""
    if kind is ir.Arg:
        return _argument(program, known, path, function, node, parent)
    return None


def _argument(program, known, path, function, node, arg):
    """The handle passed to a call: a project class built around it (its instance's methods use it) that
    stays local is an alias; anything else may keep or close it."""
    for call in ir.iter_nodes(function.body):
        if type(call) is not ir.Call or arg not in call.args:
            continue
        target = _project_class(program, path, call)
        if target is None or _class_closes_or_leaks(program, known, target):
            return None
        holder = _holder(function.body, call)
        return holder  # "" (used in place: `Service(session).search(…)`), a local name, or None
    return None


def _project_class(program, path, call):
    value = program.static_value(path, call.func)
    return value if type(value) is v.ClassValue else None


def _class_closes_or_leaks(program, known, cls) -> bool:
    """The class's methods close a handle they hold (``self.session.close()``), or give it away."""
    definition = program.cls(cls.path, cls.cid)
    if definition is None:
        return True
    for fid in definition.methods:
        method = program.function(cls.path, fid)
        if method is None:
            return True
        for node in ir.iter_nodes(method.body):
            if type(node) is ir.Call and node.method in known.closers:
                return True
            if type(node) is ir.Return and type(node.value) is ir.Attr and type(node.value.obj) is ir.Name \
                    and node.value.obj.id in ("self", "this"):
                return True  # hands out what it holds (`def session(self): return self._session`)
    return False


def _holder(body, call):
    """Where the object a call builds goes: ``""`` when used in place (a method called on it, awaited,
    a statement of its own), a local name it is bound to, ``None`` for anything else."""
    for node, parent, field in ir.iter_edges(body):
        if node is not call:
            continue
        kind = type(parent)
        if kind is ir.Attr and field == "obj" or kind is ir.ExprStmt:
            return ""
        if kind is ir.Assign and field == "value" and len(parent.targets) == 1 and type(parent.targets[0]) is ir.Name:
            return parent.targets[0].id
        return None
    return None


def _nested_reads(program, path, function, names) -> bool:
    """A nested function or lambda reads one of the names (a callback may close it later)."""
    module = program.modules[path] if path in program.modules else None
    if module is None:
        return True
    for nested in getattr(module, "functions", ()):
        if nested.parent != function.fid:
            continue
        for node in ir.iter_nodes(nested.body):
            if type(node) is ir.Name and node.id in names:
                return True
        for param in nested.params:
            if param.default is not None and any(type(n) is ir.Name and n.id in names for n in ir.iter_nodes(param.default)):
                return True
    return False


def _closes(root, names, known) -> list:
    """``(where, call)`` of each close of the handle under ``root``: ``plain``, ``finally`` or ``handler``."""
    found = []

    def walk(block, where):
        for node in ir.iter_nodes(block):
            if type(node) is ir.Call and _is_close(node, names, known):
                found.append((where, node))

    def visit(statements, where):
        for statement in statements if type(statements) is tuple else (statements,):
            if type(statement) is ir.Try:
                visit(statement.body, where)
                visit(statement.orelse, where)
                for handler in statement.handlers:
                    visit(handler.body, "handler")
                visit(statement.final, "finally")
            elif type(statement) is ir.If:
                visit(statement.body, where)
                visit(statement.orelse, where)
            elif type(statement) is ir.Loop:
                walk(statement, where)
            elif type(statement) is ir.With:
                walk(tuple(item.context for item in statement.items), where)
                visit(statement.body, where)
            else:
                walk(statement, where)

    visit(root, "plain")
    return found


def _is_close(call: ir.Call, names, known) -> bool:
    if call.method in known.closers and type(call.receiver) is ir.Name and call.receiver.id in names:
        return True
    # `pool.release(conn)` / `pool.putconn(conn)`: the pool takes it back
    return call.method in known.closers | {"putconn"} and any(type(a.value) is ir.Name and a.value.id in names for a in call.args)


def _leak_finding(ctx, path, call, stack, kind, name, how, line) -> Finding:
    what = "pooled client" if stack in ("pg", "mysql2") else kind
    if stack == "sqlalchemy":
        runtime = ("nothing gives back the pooled connection of the transaction it began (any query begins one) but the "
                   "garbage collector — held while an exception's traceback keeps the frame, dropped with \"The garbage "
                   "collector is trying to clean up non-checked-in connection\" for an async session — and under load the "
                   "pool runs dry (\"QueuePool limit of size 5 overflow 10 reached\")")
        fix = f"Open it with `with` (`with SessionLocal() as {name}:` / `async with factory() as {name}:`), or close it in `finally`."
    elif stack in ("pg", "mysql2"):
        runtime = ("the client is never given back to the pool — once every client is checked out, the next "
                   "`pool.connect()` waits forever and the app hangs")
        fix = f"Release it on every path: `try {{ … }} finally {{ {name}.release(); }}`."
    else:
        runtime = ("it stays open until the garbage collector reclaims it (a ResourceWarning \"unclosed database\" on "
                   "Python 3.13+; while an exception's traceback keeps the frame, its file handle or server connection and "
                   "any lock of its uncommitted transaction stay held)")
        fix = f"Open it with `with` (`with closing(connect(…)) as {name}:`), or close it in `try … finally: {name}.close()`."
    if how == "never":
        message = f"The {stack} {what} `{name}` opened here is never closed on any path: {runtime}"
    else:
        message = (f"The {stack} {what} `{name}` opened here is closed only on the straight path (line {line}): an exception or early return "
                   f"between the open and the close skips it — {runtime}")
    return ctx.registry.finding("AL312", path, call.span, message, fix)
