"""Coroutines run as tasks of their own (``asyncio.create_task(notify(row))``).

Calling an ``async def`` makes a coroutine; what its body does to the database happens where it
runs.  Handed to a task spawner (``task_spawners`` of ``rules/knowledge/frameworks.toml``) and never
awaited, it runs detached: the loop that started it goes on at once, so the queries of the task are
not the loop's (AL601), however many tasks the loop starts.  A task the function awaits after all —
the spawn awaited (``await asyncio.create_task(…)``), or its result read inside an ``await`` (``t =
create_task(…); await t``, ``tasks.append(…)`` then ``await asyncio.gather(*tasks)``) — runs in
the loop's time and stays the loop's.

A project wrapper that spawns its parameter (open-webui's ``async def create_task(redis, coroutine,
…)``: ``task = asyncio.create_task(coroutine); tasks[task_id] = task; return task_id, task``) spawns
what its callers pass there, detached where the caller drops the result (``await create_task(None,
send_event(…))``).  Read from the IR only.
"""

from __future__ import annotations

from archlint.domain import ir


def spawners(program) -> frozenset:
    from archlint.semantics.calls import known

    return known(program).task_spawners


def spawner_names(program) -> frozenset:
    """The last names of the spawners (``create_task``, ``ensure_future``)."""
    memo = program.memoised("spawner_names", list)
    if not memo:
        memo.append(frozenset(name.rsplit(".", 1)[-1] for name in spawners(program)))
    return memo[0]


def awaited(function: ir.Function, call: ir.Call, wrapper: bool, returning: bool) -> bool:
    """Whether ``function`` waits for the task ``call`` starts (see the module docstring): the call
    awaited itself (unless ``wrapper``: awaiting a wrapper only runs the wrapper), its result read
    inside an ``await``, or — unless ``returning`` is allowed — returned to a caller that may."""
    span = call.span
    value: object = call
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Await and node.value.span == span:
            if not wrapper:
                return True
            value = node
    holders: set[str] = set()
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Assign and node.value is not None and node.value.span == value.span:
            for target in node.targets:
                if type(target) is ir.Index and type(target.obj) is ir.Name:
                    holders.add(target.obj.id)  # tasks[task_id] = task
                else:
                    holders.update(ir.target_names(target))
        elif kind is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name \
                and any(arg.value.span == value.span for arg in node.args):
            holders.add(node.func.obj.id)  # tasks.append(create_task(…)) / background.add(…)
        elif kind is ir.Return and node.value is not None and not returning \
                and any(n.span == value.span for n in ir.iter_nodes(node.value) if hasattr(n, "span")):
            return True
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Await and node is not value and any(
                type(n) is ir.Name and n.id in holders or getattr(n, "span", None) == span
                for n in ir.iter_nodes(node.value)):
            return True
        if type(node) is ir.Return and node.value is not None and not returning and any(
                type(n) is ir.Name and n.id in holders for n in ir.iter_nodes(node.value)):
            return True
    return False


def spawned_parameters(program, path: str, fid: int) -> frozenset:
    """The names of the parameters the function at ``(path, fid)`` starts as detached tasks (see the
    module docstring), memoised per function."""
    memo = program.memoised("spawned_parameters", dict)
    key = (path, fid)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _spawned(program, path, fid)
    return found


def _spawned(program, path: str, fid: int) -> frozenset:
    function = program.function(path, fid)
    if function is None or function.kind == "module" or not function.is_async:
        return frozenset()
    names = spawners(program)
    found = set()
    for call in ir.calls_in(function.body):
        if not call.args or call.args[0].kind != "pos" or type(call.args[0].value) is not ir.Name:
            continue
        name = call.args[0].value.id
        if function.scope_of(name) != "param" or program.static_name(path, call.func) not in names:
            continue
        if not awaited(function, call, wrapper=False, returning=True):
            found.add(name)
    return frozenset(found)


def schedules_concurrently(program, path: str, function: ir.Function) -> bool:
    """Whether ``function`` runs coroutines at once (``asyncio.gather``/``wait``/``as_completed``, a ``TaskGroup``, a
    task spawner), memoised per function: only there does a session parameter get an identity of its own
    (``hid:``, AL237) — elsewhere it would only split the summaries of the callees it is passed to."""
    memo = program.memoised("schedules_concurrently", dict)
    key = (path, function.fid)
    found = memo.get(key)
    if found is None:
        from archlint.semantics.calls import known

        names = known(program)
        every = names.concurrent_awaits | names.task_groups | names.task_spawners
        last = {name.rsplit(".", 1)[-1] for name in every}
        found = memo[key] = function.is_async and any(
            call.short_name in last
            and program.static_name(path, call.func) in every for call in ir.calls_in(function.body))
    return found

