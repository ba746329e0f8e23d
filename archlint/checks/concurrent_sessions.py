"""AL237: one async session or connection used by coroutines that run at once.

``asyncio.gather(*(self._to_out(a) for a in rows))``, ``gather(f(session), g(session))``, the ``create_task``
calls of one ``async with TaskGroup() as tg:`` block, tasks started with ``asyncio.create_task`` and awaited
later: the coroutines run concurrently.  When two of them reach the same ``AsyncSession`` (or asyncpg /
aiosqlite connection) and one queries it, the second operation starts while the first holds the connection —
SQLAlchemy raises ``InvalidRequestError: This session is provisioning a new connection; concurrent operations are
not permitted`` (or ``IllegalStateChangeError``), asyncpg ``InterfaceError: cannot perform operation: another
operation is in progress``.

Read from the model, never from text: the scheduled coroutines are the calls the scheduler is given (through
a comprehension, a list built with ``append``, a ``create_task`` wrapper); what each does to the database is the
effects its call recorded in the function's analysis of record (``Effect.trace`` starts at that call), and the
session an effect ran on is named by ``Effect.handle`` — the ``sid:`` of the ``SessionLocal()`` / ``Depends``
session, the ``hid:`` of a parameter annotated ``AsyncSession``.  A session is shared when it flows *into* the
coroutines — an argument, the receiver (a service holding a repository holding the session), the scheduler's
own session or parameter read by a nested coroutine — and no effect of that coroutine ran on a handle that may
be one the coroutine opened itself (``async with self._sessionmaker() as s`` per task, ``engine.connect()`` per
task).  Only async handles count (a sync ``Session`` in threads is another problem), and only functions that
both schedule concurrent work and reach a DB handle are examined.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.facts import Span
from archlint.domain.findings import Finding, TraceStep
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.calls import held_sessions, known
from archlint.semantics.support import callee_text

_USES = ("read", "write", "commit", "transaction", "begin")  # operations that occupy the connection
_QUERIES = ("read", "write")
_HANDLES = ("session", "connection")


class _Unit(NamedTuple):
    call: ir.Call  # the coroutine-making call
    many: bool  # made once per element of a loop: several coroutines from this one call
    direct: bool = False  # the scheduler's own call while a task runs: its handles are the scheduler's


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    names = None
    for analysis in program.analyses():
        function = analysis.function
        if not analysis.fid or not function.is_async:
            continue
        effects = [e for e in analysis.summary.effects if e.handle and e.op in _USES and _async(program, e)]
        if not effects:
            continue
        if names is None:
            names = known(program)
        for scheduler, group in _groups(program, analysis.path, function, names):
            finding = _shared(ctx, analysis, scheduler, group, effects)
            if finding is not None:
                yield finding


def _async(program, effect) -> bool:
    """The handle is an async one: an AsyncSession/AsyncConnection (the ``async`` tag), or a driver whose every
    connection is (``async_drivers``)."""
    return "async" in effect.tags or effect.stack in known(program).async_drivers


# what runs at once ------------------------------------------------------------------------------------
def _groups(program, path: str, function: ir.Function, names) -> list[tuple[ir.Call, list[_Unit]]]:
    """The sets of coroutines ``function`` runs concurrently, each with the call that schedules them: one per
    ``gather``/``wait``/``as_completed`` call, one per TaskGroup block, one for the tasks it spawns."""
    nodes = list(ir.iter_nodes(function.body))  # one walk of the body, read three ways below
    loops = [node.span for node in nodes if type(node) is ir.Loop]
    awaited = {node.value.span for node in nodes if type(node) is ir.Await}
    groups = []
    spawned: list[_Unit] = []
    first_spawn = None
    spawn_spans: list = []
    groups_of = {}
    for node in nodes:
        if type(node) is ir.With:
            for item in node.items:
                if type(item.context) is ir.Call and type(item.target) is ir.Name \
                        and program.static_name(path, item.context.func) in names.task_groups:
                    groups_of[item.target.id] = (node, [])
        if type(node) is not ir.Call:
            continue
        func = node.func
        if type(func) is ir.Attr and func.name == "create_task" and type(func.obj) is ir.Name and func.obj.id in groups_of:
            block, units = groups_of[func.obj.id]
            if node.args and _inside(node.span, block.span):
                units += _units(program, path, function, node.args[0].value, _in_loop(node.span, loops, block.span), names, loops)
            continue
        name = program.static_name(path, func) if type(func) in (ir.Name, ir.Attr) else ""
        if name in names.concurrent_awaits:
            args = [a.value for a in node.args if a.kind in ("pos", "star")]  # gather(f(s), *coros)
            if name.rsplit(".", 1)[-1] != "gather":
                args = args[:1]  # wait(tasks) / as_completed(coros): one iterable
            units = []
            for arg in args:
                units += _units(program, path, function, arg, False, names, loops)
            groups.append((node, units))
        elif name in names.task_spawners and node.args and node.span not in awaited:
            # a task started and awaited later runs alongside the ones started before it is awaited
            first_spawn = first_spawn or node
            spawn_spans.append(node.span)
            spawned += _units(program, path, function, node.args[0].value, _spawned_per_element(node.span, loops, awaited),
                              names, loops)
    for block, units in groups_of.values():
        groups.append((block.items[0].context, units))
    gathered = {unit.call.span for _call, units in groups for unit in units}
    spawned = [unit for unit in spawned if unit.call.span not in gathered]  # create_task(…) then gather(*tasks): once
    if first_spawn is not None and not _awaits_between(spawn_spans, awaited):
        if len(spawned) == 1 and not spawned[0].many:
            spawned += _direct_uses(nodes, first_spawn, names, program, path)
        groups.append((first_spawn, spawned))
    return [(call, units) for call, units in groups if sum(2 if u.many else 1 for u in units) >= 2]


def _direct_uses(nodes: list, spawn: ir.Call, names, program, path: str) -> list[_Unit]:
    """``task = create_task(bump(session)); row = await session.execute(…); await task``: the scheduler's own
    calls after the task starts and before anything awaits it run alongside it — the outermost calls of that
    stretch (which of them reach the task's session, the effects they recorded tell)."""
    task = next((t.id for node in nodes if type(node) is ir.Assign and node.value is spawn
                 for t in node.targets if type(t) is ir.Name), None)
    if task is None:
        return []
    start = (spawn.span.end_line, spawn.span.end_column)
    end = next(((node.span.line, node.span.column) for node in nodes if type(node) is ir.Await
                and (node.span.line, node.span.column) > start
                and any(type(inner) is ir.Name and inner.id == task for inner in ir.iter_nodes(node.value))), None)
    calls = [node for node in nodes if type(node) is ir.Call and (node.span.line, node.span.column) > start
             and (end is None or (node.span.end_line, node.span.end_column) <= end)
             and program.static_name(path, node.func) not in names.task_spawners]
    return [_Unit(call, False, True) for call in calls
            if not any(other is not call and _inside(call.span, other.span) for other in calls)]


def _awaits_between(spawns: list, awaited) -> bool:
    """Something is awaited between the first and the last task started: they may run one after another
    (``t = create_task(f(s)); await t; u = create_task(g(s))``) — not judged."""
    first, last = min(spawns), max(spawns)
    return len(spawns) > 1 and any((first.end_line, first.end_column) < (at.line, at.column) and at < last for at in awaited)


def _units(program, path, function, expr, many: bool, names, loops, depth: int = 0) -> list[_Unit]:
    """The coroutine-making calls ``expr`` stands for (see the module docstring)."""
    kind = type(expr)
    if depth > 3:
        return []
    if kind is ir.Starred:
        return _units(program, path, function, expr.value, many, names, loops, depth + 1)
    if kind is ir.Loop and expr.kind == "comprehension" and expr.result is not None:
        return _units(program, path, function, expr.result, True, names, loops, depth + 1)
    if kind is ir.Seq:
        return [u for elt in expr.elts for u in _units(program, path, function, elt, many, names, loops, depth + 1)]
    if kind is ir.Call:
        name = program.static_name(path, expr.func) if type(expr.func) in (ir.Name, ir.Attr) else ""
        if name in names.task_spawners and expr.args:
            return _units(program, path, function, expr.args[0].value, many, names, loops, depth + 1)
        return [_Unit(expr, many)]
    if kind is ir.Name and function.scope_of(expr.id) != "param":
        found = []  # coros = [f(x) for x in xs] / coros.append(f(x)) / task = create_task(f(s))
        index = program.node_index(function)  # its assignments and `x.append(…)` calls, each in walk order
        grown = index.in_order(index.methods.get("append", ()) + index.methods.get("add", ()))
        for node in heapq.merge(index.assigns, grown, key=lambda node: (node.span.line, node.span.column)):
            if type(node) is ir.Assign:
                if node.value is not None and any(type(t) is ir.Name and t.id == expr.id for t in node.targets):
                    found += _units(program, path, function, node.value, many, names, loops, depth + 1)
            elif type(node.func.obj) is ir.Name and node.func.obj.id == expr.id and node.args:
                found += _units(program, path, function, node.args[0].value, many or _in_loop(node.span, loops),
                                names, loops, depth + 1)
        return found
    return []


def _spawned_per_element(span, loops, awaited) -> bool:
    """A task started in a loop whose body awaits nothing: the tasks of the iterations run together (a loop
    that awaits — the task, or anything — is not judged)."""
    inner = [loop for loop in loops if _inside(span, loop) and loop != span]
    if not inner:
        return False
    loop = max(inner, key=lambda s: (s.line, s.column))
    return not any(_inside(at, loop) for at in awaited)


def _inside(span, outer) -> bool:
    return ir.span_contains(outer, span)


def _in_loop(span, loops, within=None) -> bool:
    return any(_inside(span, loop) and loop != span and (within is None or _inside(loop, within)) for loop in loops)


# which session they share -----------------------------------------------------------------------------
def _shared(ctx, analysis, scheduler: ir.Call, units: list[_Unit], effects) -> Finding | None:
    program = ctx.program
    path = analysis.path
    own = _scheduler_own(program, path, analysis.function)
    records = {record.node.span: record for record in analysis.calls}
    users: dict[str, list] = {}  # identity -> [(unit, effect)]
    for unit in units:
        mine = [e for e in effects if _made_by(e, path, unit.call.span)]
        if not mine:
            continue
        if unit.direct:
            for identity in set().union(*(e.handle for e in mine)):
                users.setdefault(identity, []).extend((unit, e) for e in mine if identity in e.handle)
            continue
        inflow, closures = _inflow(program, records.get(unit.call.span), path, analysis.function)
        inflow |= own
        for closure in closures:  # a coroutine defined in the scheduler reads the sessions the scheduler opened
            inflow |= {t for e in mine for t in e.handle if _opened_in(t, path, analysis.function.span, closure)}
        if any(not e.handle <= inflow for e in mine) or _opened_on_the_way(program, mine):
            continue  # a handle the coroutine may have opened itself: one per task
        for identity in set().union(*(e.handle for e in mine)):
            users.setdefault(identity, []).extend((unit, e) for e in mine if identity in e.handle)
    for identity, used in sorted(users.items()):
        calls = {}
        for unit, effect in used:
            calls.setdefault(unit.call.span, (unit, []))[1].append(effect)
        count = sum(2 if unit.many else 1 for unit, _effects in calls.values())
        query = next((e for _unit, found in calls.values() for e in found if e.op in _QUERIES), None)
        if count < 2 or query is None:
            continue
        return _finding(ctx, path, scheduler, calls, query)
    return None


def _opened_on_the_way(program, effects) -> bool:
    """A handle of these effects may be a session the coroutine opened itself: one of its ``sid:`` sites lies in
    a function the coroutine ran to reach the statement (``async with self._sessionmaker() as s:
    ArticleRepository(s).title(i)`` — the repository's field joins every session it was built with, the
    request's one too, so the identities alone cannot tell)."""
    for effect in effects:
        functions = [_enclosing(program, where, at) for where, at, _label in effect.trace[1:]]
        functions.append(_enclosing(program, effect.path, effect.span))
        for tag in effect.handle:
            site = _site(tag)
            if site is not None and any(f is not None and f[0] == site[0] and _inside(site[1], f[1]) for f in functions):
                return True
    return False


def _enclosing(program, path: str, span):
    """(path, span) of the innermost function of ``path`` holding ``span``."""
    module = program.modules.get(path)
    function = ir.innermost_function(module, span) if module is not None else None
    return (path, function.span) if function is not None and function.kind != "module" else None


def _site(tag: str):
    """(path, span) of the call a ``sid:<path>:<line>:<column>`` session was made at."""
    if not tag.startswith("sid:"):
        return None
    where, line, column = tag[4:].rsplit(":", 2)
    if not line.isdigit() or not column.isdigit():
        return None
    return where, Span(int(line), int(column), int(line), int(column))


def _made_by(effect, path: str, span) -> bool:
    """The effect happened inside the call at ``span`` of the analysed function (its trace starts there)."""
    if effect.trace:
        where, at, _label = effect.trace[0]
        return where == path and _inside(at, span)
    return effect.path == path and _inside(effect.span, span)


def _inflow(program, record, path: str, function: ir.Function) -> tuple[set, list]:
    """The session identities a coroutine call is handed — its arguments, its receiver (and what their fields
    hold) — and the spans of the coroutines it runs that are defined inside the scheduler (they read the
    scheduler's sessions as free names)."""
    if record is None:
        return set(), []
    found: set = set()
    closures = []
    for value in (record.receiver,) + tuple(record.args):
        for option in v.options(value):
            bare = v.strip(option)
            if type(bare) is v.Db and bare.kind in _HANDLES:
                found |= {t for t in v.tags_of(option) if t.startswith(v.IDENTITY_TAGS)}
            elif type(bare) is v.Instance:
                found |= held_sessions(program, option, v.IDENTITY_TAGS, _HANDLES)
    for callee in record.callees:
        nested = program.function(callee.path, callee.fid)
        if callee.path == path and nested is not None and nested.parent == function.fid:
            closures.append(nested.span)
    return found, closures


def _opened_in(tag: str, path: str, span, closure) -> bool:
    """``sid:<site>`` of a session opened in the scheduler's body (``span``), not inside the closure."""
    site = _site(tag)
    return site is not None and site[0] == path and _inside(site[1], span) and not _inside(site[1], closure)


def _scheduler_own(program, path: str, function: ir.Function) -> set:
    """The ``hid:`` of the scheduler's parameters (``session: AsyncSession``) — the handles it holds for its
    whole body (``sid:`` sessions it opens itself come with the closures' reads, see :func:`_inflow`)."""
    return {f"{v.HANDLE_ID_TAG}{path}:{p.span.line}:{p.span.column}" for p in function.params}


def _finding(ctx, path, scheduler: ir.Call, calls: dict, query) -> Finding:
    shown = []
    for unit, _effects in sorted(calls.values(), key=lambda item: (item[0].call.span.line, item[0].call.span.column)):
        if unit.direct:
            shown.append(f"its own query at line {unit.call.span.line}")
            continue
        shown.append(f"`{callee_text(unit.call)}(…)`" + (" once per element" if unit.many else ""))
    handle = "AsyncSession" if query.stack == "sqlalchemy" else f"{query.stack} connection"
    message = (
        f"`{callee_text(scheduler)}` runs {' and '.join(shown)} at the same time, all on one {handle}: the "
        f"`{query.method}` at {query.path}:{query.span.line} starts while another coroutine's operation holds it — "
        f"SQLAlchemy raises InvalidRequestError (\"This session is provisioning a new connection; concurrent operations "
        f"are not permitted\") or IllegalStateChangeError, asyncpg InterfaceError (\"another operation is in progress\"), "
        f"psycopg OperationalError (\"another command is already in progress\") "
        f"— the request fails"
    )
    guidance = (
        "Await the coroutines one after another (a plain `for` loop), or query once for all rows before fanning out; "
        "if they must run concurrently, give each its own session (`async with sessionmaker() as s:` inside the "
        "coroutine)."
    )
    trace = tuple(TraceStep(p, span.line, span.column, f"calls `{label}`") for p, span, label in query.trace) \
        + (TraceStep(query.path, query.span.line, query.span.column, f"`{query.method}` on the shared {handle}"),)
    return ctx.registry.finding("AL237", path, scheduler.span, message, guidance, trace)
