"""Transaction rules on the semantic model: AL305 one request writing several times outside a
transaction, AL215/AL306 a query inside a managed-transaction callback that is not given the
transaction (it runs outside it).

*One operation* is a route handler and everything it calls (``program.routes()``; class views:
their HTTP-method and action methods).  Its writes are the ``write`` effects of the handler's
summary, each with the call path that reached it.  Whether two writes are atomic depends on how
the stack commits (``rules/knowledge/transactions`` below, verified against the libraries):

* *unit of work* (SQLAlchemy sessions, DB-API drivers: sqlite3, psycopg, pymysql): writes join
  one open transaction until ``commit()`` — several ``add()`` and one commit are atomic; a
  ``commit()`` *between* two writes is what splits them;
* *autocommit* (Django, Sequelize, knex, Prisma, TypeORM, node-postgres, mysql2, asyncpg …):
  every statement commits on its own unless it runs inside a transaction (``atomic``,
  ``sequelize.transaction``, ``trx``, ``$transaction``, ``BEGIN`` … ``COMMIT`` on one client).

Two writes count only when they can run in one request: writes on opposite sides of an ``if`` (or
after an early ``return``) are alternatives, not a sequence.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding, TraceStep
from archlint.semantics import values as v

UNIT_OF_WORK = frozenset({"sqlalchemy", "sqlite3", "aiosqlite", "psycopg2", "psycopg", "pymysql"})
AUTOCOMMIT = frozenset({"django", "sequelize", "knex", "prisma", "typeorm", "pg", "mysql2", "asyncpg", "better-sqlite3",
                        "sqlite3-node", "drizzle", "mongoose"})
_NOT_A_WRITE = frozenset({"flush", "refresh"})  # flush sends what the transaction already holds
# Self-contained, idempotent writes: one statement (or a lookup and an insert the ORM retries on
# IntegrityError) whose effect a retry finds and reuses — a failure after it leaves a row the
# next attempt converges on, not half an operation (wagtail's lazily created UserProfile).
_IDEMPOTENT = frozenset({"get_or_create", "aget_or_create", "update_or_create", "aupdate_or_create", "findOrCreate",
                         "findCreateFind", "upsert"})
_VIEW_METHODS = frozenset({
    "get", "post", "put", "patch", "delete", "create", "update", "partial_update", "destroy", "perform_create",
    "perform_update", "perform_destroy", "form_valid",
})
_GUIDANCE = {
    "sqlalchemy": "Make it one unit of work: let the repositories `add()`/`flush()` and commit once at the end of the "
                  "operation (or wrap it in `with session.begin():`), so a failure rolls every write back.",
    "django": "Wrap the operation in `with transaction.atomic():` (or decorate the view/service with `@transaction.atomic`).",
    "sequelize": "Run the writes in `sequelize.transaction(async (t) => { … })` and pass `{ transaction: t }` to every query "
                 "(repositories take `t` as a parameter).",
    "knex": "Run the writes in `knex.transaction(async (trx) => { … })` and build every query from `trx` (or `.transacting(trx)`).",
    "prisma": "Use one nested write, `prisma.$transaction([…])`, or `prisma.$transaction(async (tx) => { … })` with every query on `tx`.",
    "typeorm": "Run the writes in `dataSource.transaction(async (manager) => { … })` and save through `manager` "
               "(or a QueryRunner with startTransaction/commitTransaction).",
    "pg": "Check out one client (`const client = await pool.connect()`), run `BEGIN`, the writes and `COMMIT` on it "
          "(`ROLLBACK` in catch, `client.release()` in finally).",
    "mysql2": "Get one connection, `beginTransaction()`, run the writes on it, then `commit()` (`rollback()` on error).",
    "asyncpg": "Run the writes in `async with conn.transaction():` on one acquired connection.",
    "mongoose": "Run the writes in `await mongoose.connection.transaction(async (session) => { … })` (or "
                "`session.withTransaction`) and pass `{ session }` to every write; or make it one atomic document update.",
}
_DEFAULT_GUIDANCE = "Run the writes in one transaction (commit once, at the end of the operation)."


def check(ctx: CheckContext) -> Iterator[Finding]:
    program = ctx.program
    if program is None or not program.modules:
        return
    analyses = {(a.path, a.fid): a for a in program.analyses() if a.fid}
    atomic_requests = _django_atomic_requests(program, ctx.files)
    reported: set = set()
    for path, fid in _handlers(program):
        analysis = analyses.get((path, fid))
        if analysis is None or non_production(path):
            continue
        effects = analysis.summary.effects
        for finding in _writes_without_transaction(ctx, analysis, effects, atomic_requests):
            key = (finding.path, finding.line, finding.column)
            if key not in reported:
                reported.add(key)
                yield finding
    yield from _outside_managed_transaction(ctx, program.analyses())


def _handlers(program) -> list[tuple[str, int]]:
    found: dict = {}
    for route in program.routes():
        handler = route.handler
        if type(handler) is v.Function:
            found[(handler.path, handler.fid)] = None
        elif type(handler) is v.ClassValue:
            cls = program.cls(handler.path, handler.cid)
            for fid in cls.methods if cls is not None else ():
                function = program.function(handler.path, fid)
                if function is not None and function.name in _VIEW_METHODS:
                    found[(handler.path, fid)] = None
    return sorted(found)


# AL305 ---------------------------------------------------------------------------------------------
def compatible(a: tuple, b: tuple) -> bool:
    """Two effects can run in one request: no ``if`` puts them on opposite sides."""
    sides = dict(a)
    return all(sides.get(site, side) == side for site, side in b)


def _writes_without_transaction(ctx, analysis, effects, atomic_requests: bool) -> Iterator[Finding]:
    by_stack: dict[str, list] = {}
    for effect in effects:
        if effect.stack in UNIT_OF_WORK or effect.stack in AUTOCOMMIT:
            by_stack.setdefault(effect.stack, []).append(effect)
    for stack, stack_effects in sorted(by_stack.items()):
        if stack == "django" and atomic_requests:
            continue
        if stack in UNIT_OF_WORK:
            writes = _split_by_commit(stack_effects)
        else:
            writes = _autocommitted(stack_effects)
        if len(writes) >= 2:
            yield _finding(ctx, analysis, stack, writes)


def _is_write(effect) -> bool:
    return (effect.op == "write" and not effect.in_tx and effect.method not in _NOT_A_WRITE
            and not any(t.startswith("outside-tx:") for t in effect.tags))


def _split_by_commit(effects) -> list:
    """Unit of work: two writes with a ``commit()`` between them on one path (or a write and a
    commit repeated by one loop) — the first is durable before the second runs."""
    repeated: list = []
    for i, first in enumerate(effects):
        if not _is_write(first):
            continue
        for j in range(i + 1, len(effects)):
            commit = effects[j]
            if commit.op != "commit" or commit.in_tx or not compatible(first.branch, commit.branch):
                continue
            if not repeated and set(first.loops) & set(commit.loops):  # add + commit once per iteration
                repeated = [first, first]
            later = [e for e in effects[j + 1:] if _is_write(e) and compatible(first.branch, e.branch)
                     and compatible(commit.branch, e.branch)]
            if later:
                return [first] + later[:3]
    return repeated


def _autocommitted(effects) -> list:
    """Autocommit: every write outside a transaction commits alone; raw ``BEGIN``…``COMMIT`` on one
    connection (``op`` begin/commit) groups the writes between them."""
    writes, open_tx = [], False
    for effect in effects:
        if effect.op == "begin":
            open_tx = True
        elif effect.op == "commit":
            open_tx = False
        elif _is_write(effect) and not open_tx and effect.method not in _IDEMPOTENT:
            writes.append(effect)
    writes = _distinct_statements(writes)
    if not writes:
        return []
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
        if (write.path, write.span) not in seen:
            seen.add((write.path, write.span))
            distinct.append(write)
    return distinct


def _finding(ctx, analysis, stack: str, writes: list) -> Finding:
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
        what = f"`{write.method}`" + (f" on {_model_name(write.model)}" if write.model else "")
        described.append(what)
        trace.append(TraceStep(write.path, write.span.line, write.span.column, f"writes {what}{where_from}"))
    repeated = len(writes) == 2 and writes[0] is writes[1]
    if repeated:
        trace = trace[:-1]
    where = "this handler" if common == 0 else f"the operation the handler at {analysis.path}:{analysis.function.span.line} runs"
    if stack in UNIT_OF_WORK:
        if repeated:
            what = f"{described[0]} is committed once per loop iteration"
        else:
            what = f"{len(writes)} writes ({', '.join(described)}) are committed separately: a `commit()` runs between them"
        consequence = "when a later write fails, the earlier ones are already committed and stay"
    else:
        what = f"{len(writes)} writes ({', '.join(described)}) run outside a transaction: {stack} commits each statement on its own"
        consequence = "when a later one fails (a constraint, a timeout, a crash), the earlier ones stay"
    message = (
        f"One request, {what} — {consequence}: the data is left half-written (an article without its tags, a counter "
        f"that no longer matches its rows) and retrying the request duplicates it ({where})"
    )
    return ctx.registry.finding("AL305", path, span, message, _GUIDANCE.get(stack, _DEFAULT_GUIDANCE), tuple(trace))


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
_MANAGED = {
    "sequelize": ("sequelize.transaction(async (t) => …)", "`{ transaction: t }` in its options"),
    "knex": ("knex.transaction(async (trx) => …)", "build it from `trx` (`trx('table')…` or `.transacting(trx)`)"),
    "prisma": ("prisma.$transaction(async (tx) => …)", "call it on `tx` (`tx.article.create(…)`), not on the global client"),
    "typeorm": ("dataSource.transaction(async (manager) => …)", "run it through `manager` (`manager.save(…)`, `manager.getRepository(…)`)"),
}


def _outside_managed_transaction(ctx, analyses) -> Iterator[Finding]:
    """A query run inside a managed-transaction callback without the callback's handle."""
    seen: set = set()
    for analysis in analyses:
        effects = analysis.summary.effects if analysis.fid else analysis.effects
        for effect in effects:
            outside = next((t for t in effect.tags if t.startswith("outside-tx:")), None)
            if outside is None or effect.stack not in _MANAGED or non_production(effect.path) or effect.method == "__call__":
                continue  # (knex('t') only builds the query; the statement is reported where it runs)
            chain = list(effect.trace)
            site = outside[len("outside-tx:"):]
            # report at the call inside the callback that leads to the query (the query itself when written there)
            start = next((i for i, (p, s, _l) in enumerate(chain) if f"{p}:{s.line}:{s.column}" == site), None)
            if start is None:
                continue  # the callback is analysed from a caller: its own analysis reports it
            rest = chain[start + 1:]
            path, span = (rest[0][0], rest[0][1]) if rest else (effect.path, effect.span)
            key = (path, span)
            if key in seen:
                continue
            seen.add(key)
            opened, passing = _MANAGED[effect.stack]
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
