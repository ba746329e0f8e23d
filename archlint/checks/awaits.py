"""framework rule AL809: the result of an async call used without ``await`` — or, in Python, dropped
(``session.commit()`` as a statement: the coroutine never runs).

A call returns a coroutine / Promise when its callee is a project ``async def`` / ``async``
function (the call graph: :attr:`CallRecord.callees`) or a known async API (``semantics.toml``
``awaitable``: AsyncSession, asyncpg, aiosqlite, Sequelize, Prisma, TypeORM, pg).  Using that
result — an attribute read, a subscript, a comparison, a truth test — directly or through the
variable it was stored in, is the bug: ``'coroutine' object is not subscriptable``, a Promise
that is always truthy, ``undefined.id``.  The study's judge saw handlers calling
``get_current_user()`` without ``await``: a 500 on every endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics import values as v
from archlint.semantics.support import ASYNC, SYNC_DRIVER, prisma_fluent

_PROMISE_METHODS = frozenset({"then", "catch", "finally", "send", "throw", "close", "__await__", "result", "cancel", "done"})
# What every object has, a Promise or a coroutine included: `(async () => {})().constructor.prototype`
# (execa's way to reach Promise.prototype) reads a real property.
_EVERY_OBJECT = frozenset({"constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "toLocaleString",
                           "propertyIsEnumerable", "__proto__", "__class__", "__name__", "__qualname__", "cr_frame",
                           "cr_code", "cr_running", "cr_await"})


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from unawaited(ctx)


def unawaited(ctx: CheckContext) -> tuple[Finding, ...]:
    """AL809's findings, computed once per program (``Program.memoised``): this check reports them and
    AL201 (``nullable_results``) leaves the reads they report alone."""
    program = ctx.program
    if program is None or not program.modules:
        return ()
    return program.memoised("AL809", lambda: tuple(_check(ctx)))


def _check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    from archlint.checks.async_handlers import sync_python_handlers

    sync_handlers = sync_python_handlers(program)  # AL807 reports async calls there
    dropped: set = set()  # (path, span) of the JS statements reported as dropped writes
    for analysis in program.analyses():
        if non_production(analysis.path) or analysis.function is None or (analysis.path, analysis.fid) in sync_handlers:
            continue
        records = {record.node.span: record for record in analysis.calls}
        awaitable = {span: what for span, record in records.items() if (what := _awaitable(program, record))}
        javascript = program.language(analysis.path) != "python"
        if awaitable:
            direct = frozenset(span for span in awaitable if _awaitable(program, records[span], direct=True))
            yield from _uses(ctx, analysis, awaitable, {span: record.result for span, record in records.items()}, direct)
            if javascript:
                yield from _noted(dropped, _dropped_writes(ctx, analysis, records, awaitable))
        if javascript:
            yield from _noted(dropped, _dropped_builders(ctx, analysis, records))
        else:
            yield from _unawaited_relations(ctx, analysis)
    yield from _dropped_in_callers(ctx, program, dropped)


def _unawaited_relations(ctx, analysis) -> Iterator[Finding]:
    """Tortoise: a relation the row's query did not fetch is an awaitable, not the related rows —
    ``article.author`` is a ``QuerySet`` (``.first()`` of the author) until awaited, ``user.articles`` a
    ``ReverseRelation`` holding nothing.  Reading a field of the target model from the first
    (``article.author.username``: AttributeError) or iterating / subscripting the second (``for a in
    user.articles``: NoValuesFetched) is the agents' bug; the relation's own methods (``.all()``,
    ``.filter(…)``), ``await article.author`` and a relation fetched with the rows are not."""
    relations = {e.span: e.detail for e in analysis.events if e.kind == "awaitable-relation" and e.path == analysis.path}
    if not relations:
        return
    schema = ctx.program.schema
    function = analysis.function
    nodes = list(ir.iter_edges(function.body))
    assignments, awaited = _assigned_and_awaited(nodes)
    stored: dict = {}  # name -> (relation read, target, many)
    reported: set = set()

    def misuse(parent, field, target: str, many: bool) -> str:
        if many:
            if type(parent) is ir.Loop and field == "iter":
                return "iterates it"
            return "subscripts it" if type(parent) is ir.Index and field == "obj" else ""
        model = schema.get(target)
        if type(parent) is ir.Attr and field == "obj" and model is not None \
                and (parent.name in model.columns or parent.name in model.relations):
            return f"reads `.{parent.name}` from it"
        return ""

    for node, parent, field in nodes:
        if type(node) is not ir.Attr or node.span not in relations or type(parent) is ir.Await:
            continue
        target, many = relations[node.span].split("|")[0], relations[node.span].endswith("|many")
        used = misuse(parent, field, target, many)
        if used and node.span not in reported:
            reported.add(node.span)
            yield _relation_finding(ctx, analysis.path, parent, node, target, many, used)
        elif type(parent) is ir.Assign and field == "value" and len(parent.targets) == 1 and type(parent.targets[0]) is ir.Name:
            stored[parent.targets[0].id] = (node, target, many)
    for name, (read, target, many) in stored.items():
        if assignments.get(name, 0) != 1 or name in awaited or function.scope_of(name) != "local":
            continue
        for node, parent, field in nodes:
            if type(node) is ir.Name and node.id == name and parent is not None:
                used = misuse(parent, field, target, many)
                if used and read.span not in reported:
                    reported.add(read.span)
                    yield _relation_finding(ctx, analysis.path, parent, read, target, many, used, stored_as=name)
                    break


def _assigned_and_awaited(nodes) -> tuple[dict[str, int], set[str]]:
    """How many times each plain name is assigned in a function (``nodes``: its ``ir.iter_edges``), and the
    names it awaits as such (``await pending``): a value stored once and never awaited is the one judged."""
    assignments: dict[str, int] = {}
    awaited: set[str] = set()
    for node, _parent, _field in nodes:
        if type(node) is ir.Assign:
            for target in node.targets:
                if type(target) is ir.Name:
                    assignments[target.id] = assignments.get(target.id, 0) + 1
        elif type(node) is ir.Await and type(node.value) is ir.Name:
            awaited.add(node.value.id)
    return assignments, awaited


def _relation_finding(ctx, path: str, use, read: ir.Attr, target: str, many: bool, misuse: str, stored_as: str = "") -> Finding:
    from archlint.domain.ir_format import render

    shown = render(read, 60)
    holder = f" (stored in `{stored_as}`)" if stored_as else ""
    if many:
        failure = (f"the relation was not fetched, so Tortoise raises NoValuesFetched instead of giving the "
                   f"{target.rsplit(':', 1)[-1]} rows")
        guidance = (f"Fetch the rows: `await {shown}.all()` (or `.prefetch_related(\"{read.name}\")` on the query that "
                    f"loaded the row, or `await row.fetch_related(\"{read.name}\")`), then iterate them.")
    else:
        failure = ("the relation was not fetched, so Tortoise answers a QuerySet (an awaitable of the row), not the "
                   "row: AttributeError: 'QuerySet' object has no attribute")
        guidance = (f"Await it — `(await {shown})` — or load it with the row (`.select_related(\"{read.name}\")` / "
                    f"`.prefetch_related(\"{read.name}\")` on its query, or `await row.fetch_related(\"{read.name}\")`).")
    message = (f"`{shown}` is not awaited (a Tortoise relation the query did not fetch), yet the code {misuse}{holder}: "
               f"{failure} — the request fails every time")
    return ctx.registry.finding("AL809", path, use.span, message, guidance)


def _noted(seen: set, findings) -> Iterator[Finding]:
    for finding in findings:
        key = (finding.path, finding.line, finding.column)
        if key not in seen:
            seen.add(key)
            yield finding


def _awaitable(program, record, direct: bool = False, seen: frozenset = frozenset()) -> str:
    """What makes this call's result awaitable (for the message), or ``""``.  ``direct``: only the
    function the call names counts, not one it runs (``app.on_startup.append(init_db)`` runs the
    hook, but returns what ``append`` returns)."""
    node = record.node
    called = node.short_name
    handed = {(bare.path, bare.fid) for bare in map(v.strip, record.args) if type(bare) is v.Function}
    for callee in record.callees:
        function = program.function(callee.path, callee.fid)
        if function is None or function.is_generator:
            continue
        if (callee.path, callee.fid) in handed and function.name != called:
            # `fastify.register(articleRoutes, opts)`: the call runs the function it is handed and answers something
            # of its own (the instance, chainable: `.register(a).register(b)`), not the function's Promise
            continue
        if function.is_async and (not direct or function.name == called and _plain(program, callee.path, function)):
            return f"`{function.name}` is async"
        if not function.is_async and function.name == called and _plain(program, callee.path, function):
            pending = _returns_pending(program, callee.path, function, seen)
            if pending:
                return f"`{function.name}` returns {pending} unawaited"
    node = record.node
    method = node.method
    receiver = record.receiver
    bare = v.strip(receiver)
    if method and type(bare) in (v.Db, v.ModelClass, v.Query, v.Row, v.Rows, v.Result):
        if SYNC_DRIVER in v.tags_of(receiver):
            return ""  # Drizzle on better-sqlite3: `.get()` returns the row
        async_handle = bool(v.tags_of(receiver) & ASYNC)
        if program.library.awaitable(bare, method, async_handle):
            return f"`{method}()` of {bare.stack} returns an awaitable"
    return ""


def _returns_pending(program, path: str, function, seen: frozenset) -> str:
    """A plain (not ``async``) function whose every ``return`` hands back an awaitable call's result
    as it is — ``findById(id) { return this.repo.findOneBy({ id }) }``, ``(slug) =>
    prisma.article.findUnique(…)``: its caller holds the Promise, not the row.  Judged on the
    function's own analysis of record (the call's receiver typed there), through such helpers up to a
    few levels; ``""`` when one return is anything else (a value, an ``await``, an unknown call)."""
    marker = (path, function.fid)
    if marker in seen or len(seen) >= 3:
        return ""
    what = ""
    for node in program.nodes_of(function, ir.Return):
        value = node.value
        record = program.call_record(path, value.span) if type(value) is ir.Call else None
        inner = _awaitable(program, record, direct=True, seen=seen | {marker}) if record is not None else ""
        if not inner:
            return ""
        what = what or f"`{ir_render(value)}` ({inner})"
    return what


def ir_render(node) -> str:
    from archlint.domain.ir_format import render

    return render(node, 40)


_TRANSPARENT = frozenset({"builtins.staticmethod", "builtins.classmethod", "abc.abstractmethod", "typing.override",
                          "typing_extensions.override"})


def _plain(program, path: str, function) -> bool:
    """An ``async def`` whose call returns its coroutine: no decorator that may run it instead
    (prefect's ``@sync_compatible`` runs it to completion when called from sync code)."""
    return all(program.static_name(path, d.func if type(d) is ir.Call else d) in _TRANSPARENT for d in function.decorators)


def _misuse(parent, field: str, child) -> str:
    kind = type(parent)
    if kind is ir.Attr and field == "obj":
        return "" if parent.name in _PROMISE_METHODS or parent.name in _EVERY_OBJECT else f"reads `.{parent.name}` from it"
    if kind is ir.Index and field == "obj":
        return "subscripts it"
    if kind is ir.Compare:
        return "compares it" if parent.op not in ("in", "not-in") or field == "left" else ""
    if kind in (ir.If, ir.Cond) and field == "test" or kind is ir.Assert:
        return "tests it for truth (a coroutine/Promise is always truthy)"
    if kind is ir.Unary and parent.op == "not":
        return "tests it for truth (a coroutine/Promise is always truthy)"
    if kind is ir.BinOp and parent.op not in ("|",):  # `count + 1`: TypeError in Python, "[object Promise]1" in JS
        return f"uses it as an operand of `{parent.op}`"
    return ""


def _uses(ctx, analysis, awaitable: dict, results: dict, direct: frozenset = frozenset()) -> Iterator[Finding]:
    function = analysis.function
    python = ctx.program.language(analysis.path) == "python"
    nodes = list(ir.iter_edges(function.body))
    stored: dict[str, tuple] = {}  # name -> (call, what)
    assignments, awaited_names = _assigned_and_awaited(nodes)
    reported: set = set()
    for node, parent, field in nodes:
        if type(node) is not ir.Call or node.span not in awaitable:
            continue
        if type(parent) is ir.Await:
            continue
        what = awaitable[node.span]
        misuse = _misuse(parent, field, node)
        if misuse and type(parent) is ir.Attr and prisma_fluent(ctx.program, results.get(node.span), parent.name) is not None:
            continue  # prisma.article.findUnique(…).comments(): the fluent API runs on the unawaited query
        if misuse:
            reported.add(node.span)
            yield _finding(ctx, analysis.path, parent, node, what, misuse, python)
        elif python and type(parent) is ir.ExprStmt and field == "value" and node.span in direct:
            reported.add(node.span)
            yield _dropped(ctx, analysis.path, node, what)
        elif type(parent) is ir.Assign and field == "value" and len(parent.targets) == 1 and type(parent.targets[0]) is ir.Name:
            stored[parent.targets[0].id] = (node, what)
    for name, (call, what) in stored.items():
        if assignments.get(name, 0) != 1 or name in awaited_names:
            continue
        if function.kind != "module" and function.scope_of(name) != "local":
            continue  # a closure's variable (`promise = run()` … `if (promise)`): other functions set it to null
        for node, parent, field in nodes:
            if type(node) is ir.Name and node.id == name and parent is not None:
                misuse = _misuse(parent, field, node)
                if misuse and call.span not in reported:
                    reported.add(call.span)
                    yield _finding(ctx, analysis.path, parent, call, what, misuse, python, stored_as=name)
                    break


def _dropped_writes(ctx, analysis, records: dict, awaitable: dict) -> Iterator[Finding]:
    """JS: a call of a project function that writes to the database, written as a bare statement
    (``commentRepository.remove(comment);`` where ``remove`` returns ``comment.destroy()``): the
    promise is dropped, so the handler answers before the write is stored and a failed write is an
    unhandled rejection (which ends the Node process).  The writes are the analysis's own effects
    whose trace starts at this call; a direct ORM call as a statement is AL211's."""
    function = analysis.function
    if function.kind == "module":
        return  # a script's top-level `seed();`: Node waits for the pending promise before it exits
    for node in ctx.program.nodes_of(function, ir.ExprStmt):
        if type(node.value) is not ir.Call:
            continue
        call = node.value
        if call.span not in awaitable:
            continue
        if _background_task(ctx.program, analysis.path, call):
            continue
        if records[call.span].callees:
            writes = [effect for effect in analysis.summary.effects
                      if effect.op == "write" and effect.trace and effect.trace[0][1] == call.span]
        else:  # `this.db.getRepository(Follow).delete({ … });` — a Sequelize call as a statement is AL211's
            writes = [effect for effect in analysis.summary.effects
                      if effect.op == "write" and not effect.trace and effect.path == analysis.path
                      and effect.span == call.span and effect.stack != "sequelize"]
        if not writes:
            continue
        write = writes[0]
        if not write.trace and write.stack in ctx.program.library.lazy_promises:  # Prisma: nothing ran
            yield _never_run(ctx, analysis.path, call, write.stack, write.method, write.model)
        else:
            yield _dropped_write(ctx, analysis.path, call, awaitable[call.span], write)


def _background_task(program, path: str, call: ir.Call) -> bool:
    """``(async () => { try { … } catch (e) { … } })();``: an async function written in place, started
    and deliberately left running, whose whole body catches what it throws — its promise never rejects,
    and nothing after the statement was waiting for it (an application's bootstrap, a background job)."""
    if call.args or type(call.func) is not ir.FuncRef:
        return False
    module = program.modules.get(path)
    function = module.functions[call.func.fid] if module is not None and call.func.fid < len(module.functions) else None
    if function is None or not function.is_async or not function.body:
        return False
    body = function.body
    return len(body) == 1 and type(body[0]) is ir.Try and bool(body[0].handlers)


def _dropped_builders(ctx, analysis, records: dict) -> Iterator[Finding]:
    """JS: a statement whose value is a built write query of a thenable stack — knex, Drizzle,
    Mongoose — not awaited: ``this.users.unfollow(a, b);`` where ``unfollow`` returns
    ``this.db.delete(follows).where(…)``, or the chain itself.  The builder runs only when awaited or
    ``.then()``-ed, so the write never happens (the Python coroutine's case, not a raced Promise).  A
    builder held in a local (``query.update(…)`` on a mutable knex builder awaited later) is not one."""
    from archlint.semantics.calls import chain_writes, written_step

    function = analysis.function
    if function.kind == "module":
        return
    thenables = ctx.program.library.thenables
    for node in ctx.program.nodes_of(function, ir.ExprStmt):
        if type(node.value) is not ir.Call:
            continue
        call = node.value
        record = records.get(call.span)
        query = v.strip(record.result) if record is not None else None
        if type(query) is not v.Query or query.stack not in thenables or not chain_writes(ctx.program, query):
            continue
        root = _chain_root(call)
        if type(root) is ir.Name and function.scope_of(root.id) != "outer":
            continue  # a builder variable (or a parameter): whoever holds it may still run it
        yield _never_run(ctx, analysis.path, call, query.stack, written_step(ctx.program, query), query.model)


def _promise_chained(call: ir.Call) -> bool:
    """``q.then(cb)`` / ``.catch(…)`` / ``.finally(…)``: a statement that consumes the chain as a promise —
    ``then`` runs a thenable query, and a query its callback returns is run by the promise it resolves."""
    from archlint.semantics.calls import PROMISE_METHODS

    return type(call.func) is ir.Attr and call.func.name in PROMISE_METHODS


def _chain_root(node):
    while True:
        if type(node) is ir.Call:
            node = node.func
        elif type(node) is ir.Attr:
            node = node.obj
        else:
            return node


def _never_run(ctx, path: str, call: ir.Call, stack: str, method: str, model: str, trace: tuple = ()) -> Finding:
    from archlint.domain.ir_format import render

    shown = render(call, 60)
    table = model.rsplit(":", 1)[-1]
    stored = f"`{method}`" + (f" on {table}" if table else "") if method else "a write"
    message = (
        f"`{shown}` is a {stack} query that writes ({stored}) and it is never awaited: a {stack} query "
        f"runs only when awaited or `.then()`-ed, so this write never reaches the database — the request "
        f"answers success and nothing is stored"
    )
    return ctx.registry.finding("AL809", path, call.span, message,
                                f"Write `await {shown}` (or return it to a caller that awaits it).", trace)


def _dropped_in_callers(ctx, program, dropped: set) -> Iterator[Finding]:
    """JS: a write a request handler reaches through calls, one of which is a bare statement in a
    module analysed only in its callers' context (a service with no data-layer import of its own):
    ``this.userRepository.unfollow(id, user.id);`` where ``unfollow`` returns ``this.knex('follows')
    .where(…).del()``.  Reported at the dropped call when the function it calls hands the write's promise
    back (an ``async`` function, or a plain one returning the chain the write is on)."""
    functions: dict = {}
    seen: set = set()
    for analysis in program.analyses():
        if program.language(analysis.path) == "python":
            continue
        for effect in analysis.summary.effects:
            if effect.op != "write" or not effect.trace or effect.stack == "sequelize":
                continue
            if SYNC_DRIVER in effect.tags or effect.stack in _synchronous_stacks(program):
                continue  # better-sqlite3's `stmt.run(…)` in a helper: the helper returns the result, no Promise
            steps = [(path, span) for path, span, _label in effect.trace] + [(effect.path, effect.span)]
            site = _dropped_site(ctx, program, functions, effect, seen, dropped)
            if site is not None:
                yield site
            for index in range(len(steps) - 1):
                path, span = steps[index]
                if (path, span) in seen or non_production(path) or path not in ctx.datalayer.analysed:
                    continue
                seen.add((path, span))
                statement = _statement_call(program, functions, path, span)
                if statement is None:
                    continue
                pending = _hands_back(program, functions, *steps[index + 1])
                if not pending:
                    break
                if (path, span.line, span.column) in dropped:
                    break
                dropped.add((path, span.line, span.column))
                model = effect.model
                if pending == "builder" and (effect.stack in program.library.thenables
                                             or effect.stack in program.library.lazy_promises):
                    if _promise_chained(statement):
                        break  # `User.findById(id).then(() => row.remove())`: the promise runs what its callback returns
                    yield _never_run(ctx, path, statement, effect.stack, effect.method, model)
                else:
                    yield _dropped_write(ctx, path, statement, "the function it calls returns the write's promise", effect)
                break


def _dropped_site(ctx, program, functions: dict, effect, seen: set, dropped: set) -> Finding | None:
    """The write itself written as a bare statement where only a caller's context types its receiver —
    ``tx.article.delete({ … });`` in the ``$transaction(async (tx) => …)`` callback of a repository: the
    callback's promise settles (and the transaction commits) before the write, which then fails or runs
    outside it.  Only a Promise-returning stack (``awaitable`` / ``thenable`` knowledge), not a handle of a
    synchronous driver, not a call given a callback (the callback API runs it), not a builder variable.
    On a stack of lazy promises (Prisma) the write never runs at all, and ``void`` discards it the same way."""
    key = (effect.path, effect.span)
    if key in seen or non_production(effect.path) or effect.path not in ctx.datalayer.analysed:
        return None
    seen.add(key)
    library = program.library
    if effect.stack == "sequelize" or (effect.stack not in library.awaitables and effect.stack not in library.thenables) \
            or SYNC_DRIVER in effect.tags or effect.stack in _synchronous_stacks(program):
        return None
    lazy = effect.stack in library.lazy_promises
    statement = _statement_call(program, functions, effect.path, effect.span, through_void=lazy)
    if statement is None or (effect.path, statement.span.line, statement.span.column) in dropped:
        return None
    if any(type(arg) is ir.FuncRef for arg in statement.args):
        return None
    root = _chain_root(statement)
    function = _function_at(program, functions, effect.path, effect.span)
    if type(root) is ir.Name and function.scope_of(root.id) == "local":
        return None  # `query.del()` on a builder variable someone awaits later
    dropped.add((effect.path, statement.span.line, statement.span.column))
    if lazy:
        return _never_run(ctx, effect.path, statement, effect.stack, effect.method, effect.model)
    return _dropped_write(ctx, effect.path, statement, f"`{effect.method}()` of {effect.stack} returns a promise", effect)


def _synchronous_stacks(program) -> frozenset:
    """Stacks the project builds a synchronous handle of (it imports Drizzle's better-sqlite3 driver): a
    write whose receiver only a caller types may be one of those handles' — `tx.insert(t).values(…).run()` in
    a better-sqlite3 transaction returns the result, no Promise — so a dropped one is not judged there."""
    modules = program.library.synchronous_modules
    return program.memoised("synchronous-stacks", lambda: frozenset(
        modules[edge.target] for path in program.graph.modules for edge in program.graph.out_edges(path)
        if edge.external and edge.target in modules))


def _function_at(program, functions: dict, path: str, span):
    key = (path, span)
    if key not in functions:
        module = program.modules.get(path)
        functions[key] = ir.innermost_function(module, span) if module is not None else None
    return functions[key]


def _statement_call(program, functions: dict, path: str, span, through_void: bool = False):
    """The call at ``span`` when it is a whole expression statement of a function (not a module's top
    level); with ``through_void`` also ``void call(…);`` — which discards a lazy promise unstarted."""
    function = _function_at(program, functions, path, span)
    if function is None or function.kind == "module":
        return None
    for node in program.nodes_of(function, ir.ExprStmt):
        value = node.value
        if through_void and type(value) is ir.Unary and value.op == "void":
            value = value.operand
        if type(value) is ir.Call and value.span == span:
            return value
    return None


def _hands_back(program, functions: dict, path: str, span) -> str:
    """How the function holding the call at ``span`` gives its caller that call's promise: ``async`` (the
    function's own promise), ``builder`` (a plain function returning the chain the call is on), else ``""``."""
    function = _function_at(program, functions, path, span)
    if function is None or function.kind == "module" or function.is_generator:
        return ""
    if function.is_async:
        return "async"
    for node in program.nodes_of(function, ir.Return):
        if node.value is not None:
            link = node.value
            while type(link) in (ir.Call, ir.Attr):
                if type(link) is ir.Call and link.span == span:
                    return "builder"
                link = link.func if type(link) is ir.Call else link.obj
    return ""


def _dropped_write(ctx, path: str, call: ir.Call, what: str, write) -> Finding:
    from archlint.domain.findings import TraceStep
    from archlint.domain.ir_format import render

    shown = render(call, 60)
    stored = f"`{write.method}`" + (f" on {write.model.rsplit(':', 1)[-1]}" if write.model else "")  # model key path:Name
    message = (
        f"`{shown}` is never awaited ({what}), and it writes to the database ({stored}): the request answers "
        f"before the write is stored, the next read may not see it, and a failed write becomes an unhandled "
        f"rejection that nothing turns into an error response (Node ends the process on one)"
    )
    trace = [TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in write.trace[1:]]
    trace.append(TraceStep(write.path, write.span.line, write.span.column, f"writes {stored}"))
    return ctx.registry.finding("AL809", path, call.span, message,
                                f"Write `await {shown}` (or return its promise) inside an async function.", tuple(trace))


def _dropped(ctx, path: str, call: ir.Call, what: str) -> Finding:
    """``session.commit()`` as a statement on an AsyncSession: a Python coroutine that nobody awaits
    never starts — unlike a JS Promise, nothing of it runs."""
    from archlint.domain.ir_format import render

    shown = render(call, 60)
    message = (
        f"`{shown}` is never awaited ({what}): a coroutine that is not awaited never runs, so this call silently does "
        f"nothing (RuntimeWarning: coroutine was never awaited) — a commit that never happens loses the request's writes"
    )
    return ctx.registry.finding("AL809", path, call.span, message, f"Write `await {shown}`.")


def _finding(ctx, path: str, use, call: ir.Call, what: str, misuse: str, python: bool, stored_as: str = "") -> Finding:
    from archlint.domain.ir_format import render

    shown = render(call, 60)
    holder = f" (stored in `{stored_as}`)" if stored_as else ""
    if misuse.startswith("tests"):
        failure = "the check never fails, so the code goes on as if the value were there"
    elif misuse.startswith("compares"):
        failure = "the comparison is always false"
    elif misuse.startswith("uses it as an operand"):
        failure = ("TypeError: unsupported operand type(s) for a coroutine" if python
                   else "the Promise is converted to the string \"[object Promise]\" (or NaN), never to its value")
    elif python:
        failure = "TypeError: 'coroutine' object is not subscriptable / AttributeError: 'coroutine' object has no attribute (RuntimeWarning: coroutine was never awaited)"
    else:
        failure = "a Promise has no such property, so the value is undefined"
    message = (
        f"`{shown}` is not awaited ({what}), yet the code {misuse}{holder}: {failure} — "
        f"the request fails or takes the wrong branch every time"
    )
    guidance = f"Write `await {shown}` (and make the enclosing function async if it is not)."
    return ctx.registry.finding("AL809", path, use.span, message, guidance)
