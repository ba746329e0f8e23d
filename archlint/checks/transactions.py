"""Transaction rules on the semantic model: AL305 one request writing several times outside a
transaction, AL215/AL306 a query inside a managed-transaction callback that is not given the
transaction (it runs outside it), AL310 a lookup by a column that rejects duplicates followed by
an insert with no unique-violation handling (check-then-insert race).

*One operation* is a route handler and everything it calls (``program.routes()``; class views:
their HTTP-method and action methods).  Its writes are the ``write`` effects of the handler's
summary, each with the call path that reached it.  Whether two writes are atomic depends on how
the stack commits (``rules/knowledge/transactions.toml``, verified against the libraries):

* *unit of work* (SQLAlchemy sessions, DB-API drivers: sqlite3, psycopg, pymysql): writes join
  one open transaction until ``commit()`` — several ``add()`` and one commit are atomic; a
  ``commit()`` *between* two writes is what splits them;
* *autocommit* (Django, Sequelize, knex, Prisma, TypeORM, node-postgres, mysql2, asyncpg …):
  every statement commits on its own unless it runs inside a transaction (``atomic``,
  ``sequelize.transaction``, ``trx``, ``$transaction``, ``BEGIN`` … ``COMMIT`` on one client).

Two writes count only when they can run in one request: writes on opposite sides of an ``if`` (or
after an early ``return``) are alternatives, not a sequence.  A best-effort write is no part of the
operation (``values.BEST_EFFORT_TAG``): one statement run by a call whose value is dropped, inside a
``try`` of the callee that keeps its failure from the caller (a stale OAuth session deleted with
``await OAuthSessions.delete_session_by_id(session.id)``) — the operation neither learns whether it
happened nor stops when it fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import values as v
from archlint.semantics.calls import known as call_names
from archlint.semantics.calls import EACH_VALUE, FORWARDED_SQL, LOOKUP, OPEN_TX, SAVES_EXISTING, SWALLOW_TAG, chain_order, insert_statement
from archlint.semantics.exception_handlers import JS_SCOPES
from archlint.semantics.interpreter import known as unique_names
from archlint.semantics.routes import handler_functions
from archlint.semantics.row_keys import saves_self, written_row



@dataclass(frozen=True, slots=True)
class Known:
    """The stacks' commit models and unique-violation facts (``rules/knowledge/transactions.toml``)."""
    unit_of_work: frozenset
    autocommit: frozenset
    flush_writes: frozenset
    not_a_write: frozenset
    shares_connection: dict
    idempotent_writes: frozenset
    chain_writes: frozenset
    guidance: dict
    managed: dict  # stack -> (how it opens a managed transaction, how a query joins it)
    inserts: frozenset
    saves_given_rows: frozenset  # inserts that update the row they are given when it is a stored one (`row.save()`)
    filter_methods: frozenset
    range_lookups: frozenset
    equality_operators: frozenset
    conflict_steps: frozenset
    schema_stacks: frozenset
    python_unique_stacks: frozenset
    js_unique_stacks: frozenset
    js_unique_errors: tuple
    unique_error: dict
    unique_fix: dict
    declare_unique: dict
    table_columns: frozenset  # SQLAlchemy Core: the attribute of a `Table` holding its columns (`users.c.email`)


_TEXTS = ("shares_connection", "guidance", "unique_error", "unique_fix", "declare_unique")


def _known(table: dict) -> Known:
    return Known(managed={stack: tuple(pair) for stack, pair in table["managed"].items()},
                 js_unique_errors=tuple(table["js_unique_errors"]),
                 **{key: dict(table[key]) for key in _TEXTS},
                 **{key: frozenset(table[key]) for key in (
                     "unit_of_work", "autocommit", "flush_writes", "not_a_write", "idempotent_writes", "chain_writes",
                     "inserts", "saves_given_rows", "filter_methods", "range_lookups", "equality_operators", "conflict_steps", "schema_stacks",
                     "python_unique_stacks", "js_unique_stacks", "table_columns")})


def transaction_names(program) -> Known:
    return program.library.view("checks.transactions", _known)


# Django's transactions do not work in async mode (its docs): the writes go into one sync function run in a thread
_DJANGO_ASYNC_GUIDANCE = ("Move the writes into one synchronous function decorated with `@transaction.atomic` and await "
                          "it through `sync_to_async(fn)(…)`: `transaction.atomic()` does not work in async code.")
_DEFAULT_GUIDANCE = "Run the writes in one transaction (commit once, at the end of the operation)."


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = {(a.path, a.fid): a for a in program.analyses() if a.fid}
    atomic_requests = _django_atomic_requests(program, ctx.files)
    names = transaction_names(program)
    reported: set = set()
    local_loop = _local_loop(program)
    for analysis in _handler_analyses(program, analyses):
        effects = analysis.summary.effects
        for finding in _writes_without_transaction(ctx, names, analysis, effects, atomic_requests, local_loop):
            key = (finding.path, finding.line, finding.column)
            if key not in reported:
                reported.add(key)
                yield finding
    yield from _outside_managed_transaction(ctx, names, program.analyses())
    yield from _outside_open_transaction(ctx, names, program)
    yield from check_then_insert(ctx, analyses, atomic_requests)


def _handler_analyses(program, analyses: dict):
    """The analyses of the production route handlers: one operation each (what AL305/AL310 judge)."""
    for path, fid in _handlers(program):
        analysis = analyses.get((path, fid))
        if analysis is not None and not non_production(path):
            yield analysis


def _handlers(program) -> list[tuple[str, int]]:
    found: dict = {}
    for route in program.routes():
        handler = route.handler
        for function in handler_functions(program, route):
            found[(function.path, function.fid)] = None
        if type(handler) is v.ClassValue:
            cls = program.cls(handler.path, handler.cid)
            for serializer_method in _serializer_writes(program, handler.path, cls):
                found[(serializer_method.path, serializer_method.fid)] = None
    return sorted(found)


def _serializer_writes(program, path: str, cls) -> list:
    """A DRF generic view or viewset (``ListCreateAPIView``, ``ModelViewSet``) runs its
    ``serializer_class``'s ``create``/``update`` inside the library (``perform_create`` →
    ``serializer.save()``): those project methods are the request's writes (a serializer that creates
    the article, then its tags)."""
    if cls is None:
        return []
    found = []
    for field in cls.fields:
        if field.name != "serializer_class" or field.value is None:
            continue
        serializer = program.static_value(path, field.value)
        if type(serializer) is not v.ClassValue:
            continue
        for name in ("create", "update"):
            method = program.method(serializer.path, serializer.cid, name)
            if method is not None:
                found.append(method)
    return found


# AL305 ---------------------------------------------------------------------------------------------
def compatible(a: tuple, b: tuple) -> bool:
    """Two effects can run in one request: no ``if`` puts them on opposite sides."""
    sides = dict(a)
    return all(sides.get(site, side) == side for site, side in b)


def _local_loop(program):
    """``(effect) -> bool``: the innermost loop around the effect is written in the function the
    effect is in (not in a caller that calls that function once per item)."""
    loops: dict = {}
    for analysis in program.analyses():
        for loop in analysis.loops:
            loops.setdefault(loop.id, loop)

    def function_of(path: str, span):
        module = program.modules.get(path)
        found = ir.innermost_function(module, span) if module is not None else None
        return (path, found.fid) if found is not None else None

    def local(effect) -> bool:
        loop = loops.get(effect.loops[-1]) if effect.loops else None
        return loop is not None and function_of(loop.path, loop.span) == function_of(effect.path, effect.span)
    return local


def _writes_without_transaction(ctx, names: Known, analysis, effects, atomic_requests: bool, local_loop=None) -> Iterator[Finding]:
    by_stack: dict[str, list] = {}
    present = {effect.stack for effect in effects}
    for effect in effects:
        if effect.op == "write" and _retires_found_row(ctx.program, effect):
            continue  # a lookup closing the stale row it found, then answering "none": complete on its own
        if effect.stack in names.unit_of_work or effect.stack in names.autocommit:
            stack = names.shares_connection.get(effect.stack, effect.stack)
            by_stack.setdefault(stack if stack in present else effect.stack, []).append(effect)
    for stack, stack_effects in sorted(by_stack.items()):
        if stack == "django" and atomic_requests:
            continue
        if stack in names.unit_of_work:
            writes = _split_by_commit(names, stack_effects, local_loop)
            if len(writes) >= 2 and _one_row(ctx.program, [e for e in stack_effects if _is_unit_write(names, e)]):
                continue
        else:
            writes = _autocommitted(names, stack_effects)
            if len(writes) >= 2 and _one_row(ctx.program, writes):
                continue
        if len(writes) < 2:
            writes = _separate_blocks(names, stack_effects)
        if len(writes) >= 2:
            yield _finding(ctx, names, analysis, stack, writes)


def _one_row(program, writes: list) -> bool:
    """Every write stores one and the same row, named by one local of the function where their call paths part:
    the row the first write inserted and bound (``cf = CachedFile.objects.create(…)``) saved again
    (``cf.save()``), or one stored row the function holds saved again and again — directly or by methods called
    on it that save ``self`` (``summary.recount_labels()`` → ``self.save()``).  A failure between them leaves that
    row as the earlier write left it; no second row disagrees with it, which is what a transaction would prevent."""
    steps = [list(w.trace) + [(w.path, w.span, "")] for w in writes]
    common = 0
    while all(len(s) > common + 1 for s in steps) and len({(s[common][0], s[common][1]) for s in steps}) == 1:
        common += 1
    path = steps[0][common][0]
    module = program.modules.get(path)
    function = ir.innermost_function(module, steps[0][common][1]) if module is not None else None
    if function is None or any(chain[common][0] != path for chain in steps):
        return False
    calls = program.calls_by_span(function)
    bound: dict = {}  # name -> the calls whose value it is bound to (None: bound otherwise)
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign:
            for target in node.targets:
                value = node.value.value if type(node.value) is ir.Await else node.value
                for name in ir.target_names(target):
                    bound.setdefault(name, []).append(value.span if type(value) is ir.Call and type(target) is ir.Name else None)
        elif type(node) is ir.Loop and node.target is not None:
            for name in ir.target_names(node.target):
                bound.setdefault(name, []).append(None)
    names = set()
    for index, (write, chain) in enumerate(zip(writes, steps)):
        call = calls.get(chain[common][1])
        if call is None:
            return False
        receiver = call.func.obj if type(call.func) is ir.Attr else None
        if index == 0 and len(chain) == common + 1 and SAVES_EXISTING not in write.tags:
            # the insert: `name = Model.objects.create(…)`, the name bound by nothing else
            held = [name for name, spans in bound.items() if spans == [call.span]]
            if len(held) != 1:
                return False
            names.add(held[0])
            continue
        if SAVES_EXISTING in write.tags and type(receiver) is ir.Name and receiver.id != ir.self_name(function) \
                and len(bound.get(receiver.id, ())) <= 1 and saves_self(program, chain[common + 1:]):
            names.add(receiver.id)
            continue
        held = written_row(program, write, chain, common)
        if held is None or len(bound.get(held[1], ())) > 1:
            return False
        names.add(held[1] if held[0] == "row" else held)
    return len(names) == 1 and len({write.model for write in writes}) == 1  # one row is a row of one model


def _retires_found_row(program, effect) -> bool:
    """The write stores the row a name holds (``sess.save()``) and the statement after it in the same block forgets
    that row (``sess = None``): a lookup that found a stale row — an expired session, a lapsed token — closes it and
    answers as if it had found none (pretix's ``User.get_active_staff_session``: ``sess.date_end = now();
    sess.save(); sess = None``).  The close is complete on its own: the row stays retired whatever the request
    writes next, and nothing the request writes depends on it, so it is no part of the operation's writes."""
    key = (effect.path, effect.span)
    found = program.memoised("AL305_retired", dict)
    if key not in found:
        found[key] = _forgotten_after(program, effect.path, effect.span)
    return found[key]


def _forgotten_after(program, path: str, span) -> bool:
    module = program.modules.get(path)
    function = ir.innermost_function(module, span) if module is not None else None
    if function is None:
        return False
    for block in _blocks(function):
        for index, statement in enumerate(block[:-1]):
            if type(statement) is not ir.ExprStmt or statement.span != span and getattr(statement.value, "span", None) != span:
                continue
            call = statement.value
            receiver = call.func.obj if type(call) is ir.Call and type(call.func) is ir.Attr else None
            after = block[index + 1]
            return type(receiver) is ir.Name and type(after) is ir.Assign and len(after.targets) == 1 \
                and type(after.targets[0]) is ir.Name and after.targets[0].id == receiver.id \
                and type(after.value) is ir.Const and after.value.value is None
    return False


def _blocks(function: ir.Function):
    """The statement blocks of ``function``: its body and every block nested in it."""
    yield function.body
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.If:
            yield node.body
            yield node.orelse
        elif kind in (ir.Loop, ir.With) and type(node.body) is tuple:
            yield node.body
        elif kind is ir.Try:
            yield node.body
            yield node.orelse
            yield node.final
            for handler in node.handlers:
                yield handler.body


def _separate_blocks(names: Known, effects) -> list:
    """Writes in two different transaction blocks of one request (``TX_BLOCK_TAG``): a repository method that
    opens its own ``async with self._sessions.begin()`` to insert the article, another that opens one to insert
    its tags — the first block has committed before the second starts.  One block reached twice (a helper
    called per item) is not judged here."""
    first = None
    found: list = []
    for effect in effects:
        block = next((t for t in effect.tags if t.startswith(v.TX_BLOCK_TAG)), None)
        if block is None or not effect.in_tx or effect.op not in ("write", "dirty"):
            continue
        if not _is_write(names, effect._replace(op="write", in_tx=False)) or effect.method in names.idempotent_writes:
            continue
        if first is None:
            first, found = (block, effect), [effect]
        elif block != first[0] and compatible(first[1].branch, effect.branch) \
                and all(block != b for b in (next(t for t in e.tags if t.startswith(v.TX_BLOCK_TAG)) for e in found)):
            found.append(effect)
    return found[:4] if len(found) >= 2 else []


def _is_write(names: Known, effect) -> bool:
    return (effect.op == "write" and not effect.in_tx and (effect.method not in names.not_a_write or effect.stack in names.flush_writes)
            and not any(t.startswith("outside-tx:") for t in effect.tags)
            and v.IN_HANDLER_TAG not in effect.tags and v.INJECTED_TAG not in effect.tags and v.BEST_EFFORT_TAG not in effect.tags)


def _is_unit_write(names: Known, effect) -> bool:
    """A write of a unit of work: a statement, or a change to a row the session holds (the ``dirty``
    effect, flushed by the next commit: ``article.favorites_count += 1``, ``article.tags.append(tag)``)."""
    return _is_write(names, effect) or effect.op == "dirty" and _is_write(names, effect._replace(op="write"))


def _same_operation(first, commit, later, committed_alone: bool = False) -> bool:
    """A change to a held row splits a unit of work only with the commit and the write it is paired
    with in the same function: ``add(favorite); commit(); article.count += 1; commit()``.  A row an
    auth dependency touches and commits (``user.last_active_at = now``) is its own operation, not
    half of the handler's.  A later change that its own function commits (``committed_alone``: a
    repository's ``bump_favorites(article)`` setting the count and committing) after a write the
    operation committed first (``add_favorite``: add + commit) is the second half of that operation."""
    if first.op != "dirty" and later.op != "dirty":
        return True
    if first.op != "dirty" and committed_alone and first.trace[:len(commit.trace)] == commit.trace:
        return True
    # the changed row's function commits; the other write is its own or made by a call it makes
    # (`self.users.add(Follow(…)); commit(); target.followers_count += 1; commit()`)
    return all(e.trace == commit.trace if e.op == "dirty" else e.trace[:len(commit.trace)] == commit.trace
               for e in (first, later))


def _split_by_commit(names: Known, effects, local_loop=None) -> list:
    """Unit of work: two writes with a ``commit()`` between them on one path (or a write and a
    commit repeated by one loop) — the first is durable before the second runs."""
    repeated: list = []
    # (pure tests, computed once: each (write, commit) pair below scans every later effect — on a
    # request of open-webui's size, hundreds of effects, that was a tenth of the whole run)
    unit = [_is_unit_write(names, effect) for effect in effects]
    commits = [j for j, effect in enumerate(effects) if effect.op == "commit" and not effect.in_tx]
    prefixes = _trace_prefixes(effects) if commits else Counter()
    placed = {j: _commit_site(effects[j], prefixes) for j in commits}
    # changes to a held row that a later commit of their own function flushes
    alone = {k for k, effect in enumerate(effects) if unit[k] and effect.op == "dirty"
             and any(j > k and placed[j].trace == effect.trace and compatible(effect.branch, effects[j].branch) for j in commits)}
    for i, first in enumerate(effects):
        if not unit[i]:
            continue
        after: list | None = None  # the unit writes after `first` on a path with it
        for j in commits:
            if j <= i:
                continue
            commit = placed[j]
            if not compatible(first.branch, commit.branch):
                continue
            shared = [loop for loop in first.loops if loop in commit.loops]
            if not repeated and shared and _same_operation(first, commit, first) and (
                    first.op != "dirty" or local_loop is None or local_loop(first)) and not (
                    _per_item(first, shared[-1]) and _per_item(commit, shared[-1])):
                # add + commit once per iteration (a changed row: in a loop of its own function — a
                # method that updates one row and commits, called per item, is one operation per item)
                repeated = [first, first]
            if after is None:
                after = [(k, e) for k, e in enumerate(effects) if k > i and unit[k] and compatible(first.branch, e.branch)]
            later = [e for k, e in after if k > j and compatible(commit.branch, e.branch)
                     and _same_operation(first, commit, e, k in alone) and not _unchanged_resave(effects, i, j, k, e)]
            if later and not _repeats_alone(first, later):
                return [first] + later[:3]
    return repeated


def _trace_prefixes(effects) -> Counter:
    """How many effects' call traces begin with each prefix: counted once per request, so placing every
    commit below is a walk up its own trace instead of a scan of every effect at each step."""
    return Counter(effect.trace[:n] for effect in effects for n in range(len(effect.trace) + 1))


def _commit_site(commit, prefixes: Counter):
    """``commit`` placed where the operation commits: a call that does nothing but commit
    (a repository's ``def commit(self): db.session.commit()``, a unit of work's ``commit()`` forwarding to its
    session — one or several such wrappers deep) commits in the function that makes the call, as
    ``db.session.commit()`` written there would; so ``add_favorite(…); repo.commit(); article.count += 1;
    repo.commit()`` pairs the changed row with the commits of its own function.  A call that also writes
    (``repo.save(row)``: add + commit) keeps its commit inside it — some other effect's trace shares that
    call's prefix (``prefixes`` counts the commit itself once for each of its own prefixes)."""
    trace = commit.trace
    while trace and prefixes[trace] == 1:
        trace = trace[:-1]
    return commit if trace == commit.trace else commit._replace(trace=trace)


def _unchanged_resave(effects, i: int, j: int, k: int, later) -> bool:
    """``later`` adds again a row this request already looked up and wrote (``first`` at ``i``, committed at
    ``j``), and no column of that row changed between the commit and it: the flush finds nothing to write,
    so it cannot fail half-way — ``article.update(**fields)`` (which saves and commits) followed by
    ``article.save()`` is one write.  A change in between (``row.body = …``, a ``dirty`` effect on the
    same looked-up row) is a second write."""
    if SAVES_EXISTING not in later.tags:
        return False
    rows = {t for t in later.tags if t.startswith(LOOKUP)}
    if not rows or not rows & {t for t in effects[i].tags if t.startswith(LOOKUP)}:
        return False
    return not any(effects[m].op == "dirty" and rows & effects[m].tags for m in range(j + 1, k))


def _repeats_alone(first, later: list) -> bool:
    """Every later write is the first statement again, reached along another call path, and a
    failure of it never leaves its ``try`` (``swallow:`` tag): open-webui deleting a stale OAuth
    session through ``delete_session_by_id`` (logs and returns False) from two places in one
    request — each run is complete on its own and does not stop the next, nothing is half-written."""
    return (any(tag.startswith(SWALLOW_TAG) for tag in first.tags)
            and all((e.path, e.span) == (first.path, first.span) for e in later))


def _per_item(effect, loop) -> bool:
    """The statement runs inside a ``try`` that is itself inside ``loop`` and lets no error out
    (``swallow:<n>``, n loops between that ``try`` and the statement): a failing iteration is
    recorded or skipped and the loop goes on — each item is its own unit of work (open-webui's
    skill import reporting a status per package, a cleanup deleting stale sessions one by one through
    a helper that logs and returns False), not half of one."""
    return v.inside_loop(effect.tags, SWALLOW_TAG, effect.loops, loop)


def _autocommitted(names: Known, effects) -> list:
    """Autocommit: every write outside a transaction commits alone; raw ``BEGIN``…``COMMIT`` on one
    connection (``op`` begin/commit) groups the writes between them."""
    writes, open_tx = [], False
    for effect in effects:
        if effect.op == "begin":
            open_tx = True
        elif effect.op == "commit":
            open_tx = False
        elif _is_write(names, effect) and not open_tx and effect.method not in names.idempotent_writes:
            writes.append(effect)
    writes = _distinct_statements(writes)
    if not writes:
        return []
    if len(writes) == 1 and EACH_VALUE in writes[0].tags:
        return [writes[0], writes[0]]  # `execute_many(insert, values)`: one statement per value, each committed alone
    first = writes[0]
    together = [first] + [w for w in writes[1:] if compatible(first.branch, w.branch)]
    if len(together) < 2:
        for index, candidate in enumerate(writes[1:], 1):
            together = [candidate] + [w for w in writes[index + 1:] if compatible(candidate.branch, w.branch)]
            if len(together) >= 2:
                break
    return together if len(together) >= 2 else []


def _distinct_statements(writes: list) -> list:
    """One write statement reached along two call paths (a helper called twice) writes the same
    row again: it is one write, not two."""
    seen: set = set()
    distinct = []
    for write in writes:
        # a wrapper's one site runs the statement each caller hands it: its text tells them apart
        key = (write.path, write.span, next((t for t in write.tags if t.startswith(FORWARDED_SQL)), ""))
        if key not in seen:
            seen.add(key)
            distinct.append(write)
    return distinct


def _finding(ctx, names: Known, analysis, stack: str, writes: list) -> Finding:
    steps = [list(w.trace) + [(w.path, w.span, "")] for w in writes]
    common = 0
    while all(len(s) > common + 1 for s in steps) and len({(s[common][0], s[common][1]) for s in steps}) == 1:
        common += 1
    path, span, _label = steps[0][common]
    trace = [TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in steps[0][:common]]
    described = []
    for write, chain in zip(writes, steps):
        step_path, step_span, via = chain[common]
        where_from = f" (reached from line {step_span.line}: `{via}`)" if via and len(chain) > common + 1 else ""
        what = f"`{_write_method(names, write)}`" + (f" on {_model_name(write.model)}" if write.model else "")
        described.append(what)
        trace.append(TraceStep(write.path, write.span.line, write.span.column, f"writes {what}{where_from}"))
    repeated = len(writes) == 2 and writes[0] is writes[1]
    if repeated:
        trace = trace[:-1]
    where = "this handler" if common == 0 else f"the operation the handler at {analysis.path}:{analysis.function.span.line} runs"
    if writes[0].in_tx:  # _separate_blocks: each write's own transaction block
        what = (f"{len(writes)} writes ({', '.join(described)}) run in separate transactions: each `with … begin()` / "
                f"`atomic()` block commits when it ends, before the next one starts")
        consequence = "when a later one fails, the earlier blocks are already committed and stay"
    elif stack in names.unit_of_work:
        if repeated:
            what = f"{described[0]} is committed once per loop iteration"
        else:
            what = f"{len(writes)} writes ({', '.join(described)}) are committed separately: a `commit()` runs between them"
        consequence = "when a later write fails, the earlier ones are already committed and stay"
    elif repeated and EACH_VALUE in writes[0].tags:
        what = (f"{described[0]} runs its statement once per value outside a transaction: {stack} commits each "
                f"statement on its own")
        consequence = "when a later value fails (a constraint, a timeout, a crash), the rows of the earlier ones stay"
    else:
        what = f"{len(writes)} writes ({', '.join(described)}) run outside a transaction: {stack} commits each statement on its own"
        consequence = "when a later one fails (a constraint, a timeout, a crash), the earlier ones stay"
    message = (
        f"One request, {what} — {consequence}: the data is left half-written (an article without its tags, a counter "
        f"that no longer matches its rows) and retrying the request duplicates it ({where})"
    )
    guidance = names.guidance.get(stack, _DEFAULT_GUIDANCE)
    if stack == "django" and analysis.function is not None and analysis.function.is_async:
        guidance = _DJANGO_ASYNC_GUIDANCE  # transaction.atomic() does not work in async code
    return ctx.registry.finding("AL305", path, span, message, guidance, tuple(trace))


def _write_method(names: Known, effect) -> str:
    """The write as written: a statement run by awaiting its builder (Drizzle, knex) is named by
    the chain's write call (`update`, `delete`, `insert`), not by the `await`."""
    if effect.method != "await" or effect.query is None:
        return effect.method
    for chain in sorted(effect.query.chains, key=chain_order):
        for step in chain:
            method = getattr(step.node, "method", "")
            if method in names.chain_writes:
                return method
    return effect.method


def _model_name(key: str) -> str:
    return key.rsplit(":", 1)[-1] if key else ""


def _django_atomic_requests(program, files) -> bool:
    """``DATABASES = {"default": {..., "ATOMIC_REQUESTS": True}}``: Django wraps every view in a transaction."""
    for path in sorted(files):
        name = path.rsplit("/", 1)[-1]
        if not path.endswith(".py") or ("settings" not in name and "/settings/" not in path):
            continue
        module = program.modules.get(path)
        if module is None:
            continue
        for node in ir.iter_nodes(module.module.body):
            if type(node) is ir.Entry and node.key == "ATOMIC_REQUESTS" and type(node.value) is ir.Const and node.value.value is True:
                return True
    return False


# AL215 / AL306 ---------------------------------------------------------------------------------------


def _outside_managed_transaction(ctx, names: Known, analyses) -> Iterator[Finding]:
    """A query run inside a managed-transaction callback without the callback's handle."""
    seen: set = set()
    for analysis in analyses:
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        for effect in effects:
            outside = next((t for t in sorted(effect.tags) if t.startswith("outside-tx:")), None)
            if outside is None or effect.stack not in names.managed or non_production(effect.path) or effect.method == "__call__":
                continue  # (knex('t') only builds the query; the statement is reported where it runs)
            chain = list(effect.trace)
            site = outside[len("outside-tx:"):]
            # report at the call inside the callback that leads to the query (the query itself when written there)
            start = next((i for i, (p, s, _l) in enumerate(chain) if f"{p}:{s.line}:{s.column}" == site), None)
            if start is None:
                continue  # the callback is analysed from a caller: its own analysis reports it
            rest = chain[start + 1:]
            while len(rest) > 1 and _relays_callback(ctx.program, *rest[0]):
                rest = rest[1:]  # `work(t)` in a `withTransaction(work)` helper: the caller's callback holds the call
            path, span = (rest[0][0], rest[0][1]) if rest else (effect.path, effect.span)
            key = (path, span)
            if key in seen:
                continue
            seen.add(key)
            opened, passing = names.managed[effect.stack]
            model = _model_name(effect.model)
            query = f"`{effect.method}`" + (f" on {model}" if model else "")
            through = f" (through `{rest[0][2]}`)" if len(rest) > 1 or (rest and (rest[0][0], rest[0][1]) != (effect.path, effect.span)) else ""
            if effect.stack == "sequelize":
                consequence = ("in Sequelize (without CLS) it runs on another pooled connection, outside the transaction: it is not "
                               "rolled back with it, does not see its uncommitted rows, and on SQLite it waits for the transaction's "
                               "lock and fails with SQLITE_BUSY: database is locked")
            else:
                consequence = ("it runs on another connection, outside the transaction: it is not rolled back with it, does not "
                               "see its uncommitted rows, and on SQLite it fails with SQLITE_BUSY (database is locked)")
            message = f"{query}{through} runs inside `{opened}` without the transaction — {consequence}"
            guidance = f"Pass the transaction to it: {passing}; a repository called here must take the transaction as a parameter."
            trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in rest[1:])
            if rest:
                trace += (TraceStep(effect.path, effect.span.line, effect.span.column, f"runs {query}"),)
            rule = "AL215" if effect.stack == "sequelize" else "AL306"
            yield ctx.registry.finding(rule, path, span, message, guidance, trace)


def _outside_open_transaction(ctx, names: Known, program) -> Iterator[Finding]:
    """A query run between ``const t = await sequelize.transaction()`` and ``t.commit()`` without ``t``:
    reported in the function that opened the transaction, at its call leading to the query."""
    seen: set = set()
    for analysis in program.analyses():
        function = program.function(analysis.path, analysis.fid) if analysis.fid else None
        if function is None:
            continue
        for effect in analysis.summary.effects:
            opened = next((t for t in sorted(effect.tags) if t.startswith(OPEN_TX)), None)
            if opened is None or effect.stack not in names.managed or non_production(effect.path) or effect.method == "__call__":
                continue
            path, line, _column = opened[len(OPEN_TX):].rsplit(":", 2)
            rest = list(effect.trace)
            if path != analysis.path or not function.span.line <= int(line) <= function.span.end_line:
                # a caller of the function that opened it: reported here only when the query is on a row
                # this caller passed in (`repo.update(article, …)` whose `article.setTags(…)` the opener's
                # own analysis cannot type); reported at the opener's call leading to the query
                opener = _enclosing_function(program, path, int(line))
                inside = next((i for i, (p, s, _l) in enumerate(rest) if opener is not None and p == path
                               and opener.span.line <= s.line <= opener.span.end_line), None)
                if inside is None and not (opener is not None and effect.path == path
                                           and opener.span.line <= effect.span.line <= opener.span.end_line):
                    continue
                if not rest or (rest[0][0] == path and opener.span.line <= rest[0][1].line <= opener.span.end_line):
                    continue  # the opener itself is analysed (its own analysis reports it)
                rest = rest[inside:] if inside is not None else []
            where, span = (rest[0][0], rest[0][1]) if rest else (effect.path, effect.span)
            if (where, span) in seen:
                continue
            seen.add((where, span))
            model = _model_name(effect.model)
            query = f"`{effect.method}`" + (f" on {model}" if model else "")
            through = f" (through `{rest[0][2]}`)" if rest and (rest[0][0], rest[0][1]) != (effect.path, effect.span) else ""
            message = (f"{query}{through} runs while the transaction opened at line {line} is open, without it — in Sequelize "
                       "(without CLS) it runs on another pooled connection, outside the transaction: a rollback does not undo "
                       "it, it does not see the transaction's uncommitted rows, and on SQLite it waits for the transaction's "
                       "lock and fails with SQLITE_BUSY: database is locked") if effect.stack == "sequelize" else (
                       f"{query}{through} runs while the transaction opened at line {line} is open, without it — it runs on "
                       "another connection, outside the transaction: a rollback does not undo it")
            passing = names.managed[effect.stack][1]
            guidance = f"Pass the transaction to it: {passing}; a repository called here must take the transaction as a parameter."
            trace = tuple(TraceStep(p, s.line, s.column, f"calls `{label}`") for p, s, label in rest[1:])
            if rest:
                trace += (TraceStep(effect.path, effect.span.line, effect.span.column, f"runs {query}"),)
            yield ctx.registry.finding("AL215" if effect.stack == "sequelize" else "AL306", where, span, message, guidance, trace)


def _relays_callback(program, path: str, span, label: str) -> bool:
    """Whether the call at ``span`` calls a parameter of its function or of one enclosing it: the
    ``work(t)`` of ``withTransaction(work) { return sequelize.transaction((t) => work(t)); }``.  The
    helper only relays the transaction to the callback its caller wrote; the query that forgets the
    transaction is reached from that callback, so the finding belongs at the callback's call."""
    module = program.modules.get(path)
    function = _enclosing_function(program, path, span.line)
    while function is not None:
        if any(param.name == label for param in function.params):
            return True
        parent = function.parent
        function = next((f for f in module.functions if f.fid == parent), None) if parent >= 0 else None
    return False


def _enclosing_function(program, path: str, line: int):
    """The innermost function of module ``path`` whose span holds ``line``."""
    module = program.modules.get(path)
    best = None
    for function in module.functions if module is not None else ():
        if function.span.line <= line <= function.span.end_line and (
                best is None or function.span.line >= best.span.line):
            best = function
    return best


# AL310 ---------------------------------------------------------------------------------------------

def check_then_insert(ctx: CheckContext, analyses: dict, atomic_requests: bool = False) -> Iterator[Finding]:
    """AL310: a lookup by column(s) C of model M that decides an early exit (``if existing: return
    409``) or guards the insert (``if not existing: session.add(…)``, the idempotent follow/favorite, a
    toggle's else branch), followed on the not-found path by an insert of M — outside any transaction (issue 13's
    premise: a check and an insert that share a transaction, or Django's ``ATOMIC_REQUESTS``, are not
    judged), not guarded by a handler of the unique violation, not an upsert."""
    program = ctx.program
    exits: dict = {}
    for analysis in program.analyses():
        for event in analysis.events:
            if event.kind == "lookup-exit":
                site, side, lookups, _shape = event.detail.split("|")
                exits[(site, side)] = (event, frozenset(lookups.split(",")))
    if not exits:
        return
    names = transaction_names(program)
    global_stacks, controller_filters = _global_unique_handlers(ctx, names)
    reported: set = set()
    for analysis in _handler_analyses(program, analyses):
        effects = analysis.summary.effects
        reads = {f"{e.path}:{e.span.line}:{e.span.column}": e for e in effects if e.op == "read" and e.model}
        for index, write in enumerate(effects):
            if write.op != "write" or not write.model or not (write.method in names.inserts or insert_statement(program, write.query)) \
                    or _caught(names, write, effects[index + 1:]):
                continue
            key = (write.path, write.span)
            if key in reported:
                continue
            if _upsert(names, write, effects):
                continue  # INSERT … ON CONFLICT: the database decides the race
            if write.method in names.saves_given_rows and ("saves-existing" in write.tags or _saves_looked_up_row(write, reads)):
                continue  # `row.save()` of a row a lookup returned or the request holds: an update, not an insert
            found = _deciding_lookup(program, names, write, reads, exits)
            if found is None:
                continue
            read, event, columns = found
            if event.detail.endswith("|guard") and not _guards_inline(program, event, read, write):
                continue
            if (read.in_tx and write.in_tx) or (atomic_requests and write.stack == "django"):
                continue  # one transaction (locking or not): outside this rule's premise
            model = program.schema.get(write.model)
            unique = model is not None and any(u <= columns for u in model.unique)
            # whether the schema archlint read can say (Mongoose schemas and knex tables are not read for it)
            known = unique or (model is not None and model.stack in names.schema_stacks and bool(model.columns))
            if (unique or not known) and (write.stack in global_stacks or write.stack in names.js_unique_stacks and _filtered(analysis, controller_filters)):
                # an app-wide error handler turns the unique violation into a client error — where the
                # schema cannot say (knex, Mongoose) the handler is taken as the sign of the constraint
                continue
            reported.add(key)
            yield _check_then_insert_finding(ctx, names, analysis, read, write, event, columns, unique if known else None, model)


def _guards_inline(program, event, read, write) -> bool:
    """A get-or-create shape (``if not existing: session.add(Follow(…))``, ``if (!fav) await
    repo.addFavorite(…)``) is judged where the function that tests the lookup also runs it (itself or
    through a call it makes), once per request: not on a flag a caller passed in
    (``rename_or_create(row, found)``, whose other side a caller may have ruled out) and not inside a loop
    (a tag get-or-create per name of the request: left unjudged for now)."""
    if write.loops:
        return False
    here = _enclosing_function(program, event.path, event.span.line)
    if here is None:
        return False
    return any(path == event.path and here.span.line <= span.line <= here.span.end_line
               for path, span in [(read.path, read.span), *((p, s) for p, s, _ in read.trace)])


def _global_unique_handlers(ctx, known_stacks: Known) -> tuple:
    """Stacks whose unique violations an app-wide error handler answers — the handlers are the facts the
    program records once (:meth:`Program.exception_handlers`, see :mod:`archlint.semantics.exception_handlers`).

    Python: a registration (Flask / FastAPI / Starlette / django-ninja / Sanic) for a unique violation's
    class (``@app.errorhandler(IntegrityError)``, ``add_exception_handler(UniqueViolation, …)``:
    ``unique_errors`` of ``rules/knowledge/orms.toml``), or a decorated one whose body tells a unique
    violation apart (``unique_codes``: ``23505``, ``UniqueViolation`` …).

    JS/TS: a handler of the record's JS frameworks (Express error middleware, a Koa ``try`` around
    ``next()``, Fastify ``setErrorHandler``, Hono ``onError``, a NestJS ``@Catch`` filter) registered for a
    unique violation's class (``@Catch(Prisma.PrismaClientKnownRequestError)``) or whose body tells one
    apart (``P2002``, ``SequelizeUniqueConstraintError``, ``23505`` …).  A catch-all that answers every
    error alike (a generic 500) answers no unique violation.  A NestJS filter only ``@UseFilters`` applies
    answers for its controllers and methods only: the second value, (path, "class", cid) / (path, "method", fid)."""
    found: set = set()
    views: set = set()  # the controllers / methods a NestJS filter applied by @UseFilters answers for
    program = ctx.program
    names = unique_names(program)
    codes = names.unique_codes
    for handler in program.exception_handlers():
        if handler.scope in JS_SCOPES:
            if any(e in n for e in known_stacks.js_unique_errors for n in handler.exceptions) \
                    or any(_marks_unique(body, codes) for body in handler.bodies):
                if handler.views:
                    views.update(handler.views)
                else:
                    found |= known_stacks.js_unique_stacks
        elif handler.kind == "registration" and (any(name.endswith(names.unique_errors) for name in handler.exceptions) or (
                handler.function >= 0 and _marks_unique(program.modules[handler.path].functions[handler.function].body, codes))):
            found |= known_stacks.python_unique_stacks
    return frozenset(found), frozenset(views)


def _filtered(analysis, views: frozenset) -> bool:
    """The route handler's method, or its controller class, is under a ``@UseFilters`` filter answering the violation."""
    return bool(views) and ((analysis.path, "method", analysis.fid) in views
                            or (analysis.path, "class", analysis.function.cls) in views)


def _marks_unique(body, codes: frozenset) -> bool:
    for inner in ir.iter_nodes(body):
        kind = type(inner)
        if kind is ir.Const and (isinstance(inner.value, str) and inner.value in codes or inner.value == 11000):
            return True
        if kind is ir.Name and inner.id in codes or kind is ir.Attr and inner.name in codes:
            return True
    return False


def _upsert(names: Known, write, effects) -> bool:
    """The insert's statement resolves conflicts itself (knex ``.insert(…).onConflict('name').ignore()``,
    TypeORM ``.orIgnore()``, Drizzle ``onConflictDoNothing``) — also when the chain is completed where
    it is awaited (knex records the write at ``insert()`` and the whole statement at the ``await``)."""
    for effect in (write, *effects):
        query = effect.query
        for chain in query.chains if query is not None else ():
            if effect is not write and not any(step.path == write.path and getattr(step.node, "span", None) == write.span for step in chain):
                continue
            for step in chain:
                node = step.node
                if type(node) is ir.Call and type(node.func) is ir.Attr and node.func.name in names.conflict_steps:
                    return True
    return False


def _saves_looked_up_row(write, reads) -> bool:
    for tag in write.tags:
        if tag.startswith("lookup:"):
            read = reads.get(tag[len("lookup:"):])
            if read is not None and read.model == write.model:
                return True
    return False


def _caught(names: Known, write, later) -> bool:
    """The insert is inside a handler of the unique violation — under a unit of work (SQLAlchemy,
    DB-API) the violation is raised by the ``commit()``/``flush()`` that sends it, so a handler around
    the first one after the insert counts too."""
    if "caught:unique" in write.tags:
        return True
    if write.stack not in names.unit_of_work:
        return False
    for effect in later:
        if (effect.op == "commit" or effect.method == "flush") and effect.stack == write.stack and compatible(write.branch, effect.branch):
            return "caught:unique" in effect.tags
    return False


def _deciding_lookup(program, names: Known, write, reads, exits):
    for site, side in write.branch:
        entry = exits.get((site, side))
        if entry is None:
            continue
        event, lookups = entry
        for lookup in sorted(lookups):
            read = reads.get(lookup)
            if read is None or read.model != write.model:
                continue
            columns = _lookup_keys(program, names, read)
            if not columns:
                continue
            written = _written_keys(write)
            if written is not None and not (columns & written):
                continue
            return read, event, columns
    return None


def _lookup_keys(program, names: Known, read) -> frozenset:
    """The attributes the lookup's WHERE compares (``filter_by(email=…)``, ``where(User.email == …)``,
    ``where: { email }``, ``filter(email__iexact=…)``), when every chain of it is readable."""
    query = read.query
    if query is None or not query.chains:
        return frozenset()
    model = program.schema.get(read.model)
    known = (model.columns | set(model.relations)) if model is not None else set()
    found: set | None = None
    for chain in query.chains:
        keys: set = set()
        for step in chain:
            keys |= _step_keys(program, names, read.model, step)
            for kind, _name, value in step.args:
                inner = v.strip(value)
                if kind == "pos" and type(inner) is v.Query and inner.model == read.model:
                    # select(exists().where(Follow.a == x, Follow.b == y)): the WHERE of the subquery the statement wraps
                    for inner_chain in inner.chains:
                        for inner_step in inner_chain:
                            keys |= _step_keys(program, names, read.model, inner_step)
        if _RANGE in keys:
            return frozenset()  # `created__gte=today`, `{ createdAt: { [Op.gte]: … } }`: a quota, not a duplicate check
        if known:
            keys &= known
        found = keys if found is None else found & keys
    return frozenset(found or ())


_RANGE = "<range>"  # among the keys: the lookup also compares a column by something other than equality


def _step_keys(program, names: Known, model_key: str, step) -> set:
    node = step.node
    if type(node) is not ir.Call:
        return set()
    method = node.short_name
    if method not in names.filter_methods:
        return set()
    keys: set = set()
    for (kind, name, value), arg in zip(step.args, node.args):
        if kind == "kw" and name:
            parts = name.split("__")
            keys.add(parts[0])
            if len(parts) > 1 and parts[-1] in names.range_lookups:
                keys.add(_RANGE)
        elif kind == "pos":
            record = v.strip(value)
            if type(record) is v.Record:
                where = v.strip(record.get("where") or v.UNKNOWN)
                model = program.schema.get(model_key)
                columns = frozenset(model.columns) if model is not None else frozenset()
                keys |= _record_keys(names, where if type(where) is v.Record else record, columns=columns)
            else:
                keys |= _compared_attributes(program, step.path, model_key, arg.value, names.table_columns)
    return keys


def _record_keys(names: Known, record, depth: int = 0, columns: frozenset = frozenset()) -> set:
    """``{ email }`` / ``{ [Op.or]: [{ email }, { username }] }`` / ``{ OR: [...] }`` → their column keys.
    Prisma's compound unique selector (``{ userId_articleId: { userId, articleId } }``, the selector of an
    ``@@id``/``@@unique`` over several columns) compares each of its columns by equality: those columns."""
    keys: set = set()
    for key, value in record.items:
        inner = v.strip(value)
        if type(inner) is v.Tuple and depth < 3:
            for item in inner.items:
                item = v.strip(item)
                if type(item) is v.Record:
                    keys |= _record_keys(names, item, depth + 1, columns)
        elif isinstance(key, str) and key not in columns and type(inner) is v.Record and inner.items \
                and all(isinstance(k, str) and k in columns and type(v.strip(i)) is not v.Record for k, i in inner.items):
            keys.update(k for k, _ in inner.items)
        elif isinstance(key, str):
            keys.add(key)
            if type(inner) is v.Record and not all(k in names.equality_operators for k, _ in inner.items):
                keys.add(_RANGE)  # { createdAt: { gte: … } } / { $gte: … } / { [Op.gt]: … }
    return keys


def _compared_attributes(program, path: str, model_key: str, node, table_columns: frozenset = frozenset()) -> set:
    """``User.email == email`` / ``or_(User.email == e, User.username == u)`` / ``func.lower(User.email) == e``;
    the model may be reached through its module (``models.User.email == e``); a SQLAlchemy Core table's
    column through its column collection (``users.c.email == e``, the table named by its SQL name)."""
    keys: set = set()
    for inner in ir.iter_nodes(node):
        if type(inner) is not ir.Compare:
            continue
        for side in (inner.left, inner.right):
            for attr in ir.iter_nodes(side):
                if type(attr) is ir.Attr and type(attr.obj) in (ir.Name, ir.Attr):
                    owner = program.static_value(path, attr.obj)
                    if type(owner) is v.ClassValue and program.model_of_class(owner.path, owner.cid) == model_key \
                            or type(attr.obj) is ir.Attr and attr.obj.name in table_columns and type(attr.obj.obj) is ir.Name \
                            and program.table_variable(path, attr.obj.obj.id) == model_key:
                        keys.add(attr.name if inner.op == "==" else _RANGE)  # Post.created >= today: not a duplicate check
    return keys


def _written_keys(write):
    """The attributes an insert sets when its arguments say (``create({ data: { … } })``,
    ``Model.create({ … })``, ``objects.create(email=…)``); None when unknown (``session.add(user)``)."""
    query = write.query
    if query is None or not query.chains:
        return None
    found: set | None = None
    for chain in query.chains:
        step = chain[-1]
        keys: set = set()
        readable = False
        for kind, name, value in step.args:
            if kind == "kw" and name:
                keys.add(name)
                readable = True
            elif kind == "pos":
                record = v.strip(value)
                if type(record) is v.Record:
                    data = v.strip(record.get("data") or v.UNKNOWN)
                    source = data if type(data) is v.Record else record
                    if any(not isinstance(k, str) or k == "..." for k, _ in source.items):
                        return None  # a spread: any key
                    keys |= {k for k, _ in source.items}
                    readable = True
        if not readable:
            return None
        found = keys if found is None else found | keys
    return found


def _shown(effect) -> str:
    """The method to name: the last builder call of an awaited chain (``findOne``, ``first``), not ``await``."""
    if effect.method == "await" and effect.query is not None and effect.query.chains:
        node = min(effect.query.chains, key=chain_order)[-1].node
        if type(node) is ir.Call and type(node.func) is ir.Attr:
            return node.func.name
    return effect.method


def _check_then_insert_finding(ctx, names: Known, analysis, read, write, event, columns, unique, model) -> Finding:
    guard = event.detail.rsplit("|", 1)[-1] == "guard"
    name = _model_name(write.model) if model is not None else f"`{_model_name(write.model)}` row"
    cols = ", ".join(f"`{c}`" for c in sorted(columns))
    steps = [list(read.trace) + [(read.path, read.span, "")], list(write.trace) + [(write.path, write.span, "")]]
    trace = []
    for label, chain in (("looks up", steps[0]), ("inserts", steps[1])):
        for p, s, via in chain[:-1]:
            trace.append(TraceStep(p, s.line, s.column, f"calls `{via}`"))
        p, s, _ = chain[-1]
        what = f"`{_shown(read if label == 'looks up' else write)}`"
        trace.append(TraceStep(p, s.line, s.column, f"{label} {name} ({what})" + (f" by {cols}" if label == "looks up" else "")))
        if label == "looks up":
            trace.append(TraceStep(event.path, event.span.line, event.span.column,
                                   "inserts only when none is found" if guard else "leaves early when it is found"))
    deduped, seen = [], set()
    for step in trace:
        if (step.path, step.line, step.column, step.note) not in seen:
            seen.add((step.path, step.line, step.column, step.note))
            deduped.append(step)
    stack = write.stack
    here = f"`{_shown(read)}` ({read.path}:{read.span.line})"
    # the check answers a client error (`if existing: return 409`) or the insert is skipped when the row
    # exists (`if not existing: add(…)`: follow, favorite, a tag): the loser of the race should succeed
    answered = "the success the request gets when the row already exists" if guard else "the 409/422 the check answers"
    race = (f"The request checks that no {name} with the same {cols} exists ({here}, decided at {event.path}:{event.span.line}) "
            f"and then inserts one, outside any transaction: two concurrent requests "
            f"(a double-submitted form, a retry) both pass the check before either inserts")
    if unique is None:
        outcome = (f"; with a unique index on {cols} the second insert raises {names.unique_error.get(stack, 'a unique-violation error')} "
                   f"that nothing handles (a 500 instead of {answered}), without one both rows are stored "
                   f"(duplicates)")
    elif unique:
        outcome = (f"; {name} declares {cols} unique, so the second insert raises {names.unique_error.get(stack, 'a unique-violation error')} "
                   f"that nothing handles — a 500 where the endpoint answers "
                   f"{'success when the row already exists' if guard else '409/422 for the same duplicate'}")
    else:
        outcome = (f"; {name} declares no unique constraint on {cols}, so both inserts succeed and the table holds duplicate rows "
                   f"(if the database has a constraint the models do not show, the loser gets an unhandled "
                   f"{names.unique_error.get(stack, 'unique-violation error')} — a 500)")
    declare = names.declare_unique.get(stack, "a unique constraint on the column")
    fix = names.unique_fix.get(stack, "catch the unique violation and answer 409")
    fix = fix.replace("insert(User)", f"insert({name})")
    guidance = (f"The check alone cannot prevent the duplicate: {'keep' if unique else 'make sure there is' if unique is None else 'declare'} {declare} and {fix}; "
                f"the early check can stay for the common case."
                + (" Where the row already being there is success (follow, favorite), answer the violation "
                   "as if the check had found it." if guard else ""))
    return ctx.registry.finding("AL310", write.path, write.span, race + outcome, guidance, tuple(deduped))
