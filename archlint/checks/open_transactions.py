"""AL206 for an unmanaged transaction (``const t = await sequelize.transaction()``) left open.

Sequelize commits or rolls back a *managed* transaction (``sequelize.transaction(async (t) => …)``)
itself; an unmanaged one is the caller's to end on every path.  Left open on a ``return``, or when a
write in it throws outside a ``try`` that rolls it back, it keeps its pooled connection checked out
(idle in transaction) until the pool runs dry, and on SQLite its write lock blocks every other request.
Read from the semantic model's ``open-tx-exit``/``tx-ended`` events and the function's IR.  Run from
the SQLAlchemy family's AL206 pass (``checks/sqlalchemy.py``), which owns the rule's other shapes.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.domain import ir
from archlint.domain.context import CheckContext
from archlint.domain.datalayer import non_production
from archlint.domain.findings import Finding
from archlint.semantics.calls import known


_TX_COMMIT = {
    "sequelize": "`await t.commit()` before every `return` (and `await t.rollback()` in a `catch`), or use a managed "
                 "transaction — `await sequelize.transaction(async (t) => { … })` commits when the callback resolves and "
                 "rolls back when it throws",
}


def _handle_name(function, line: int, column: int) -> str | None:
    """The local the transaction opened at (line, column) is assigned to: ``t`` of ``const t = await sequelize.transaction()``."""
    name = None
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign and node.value is not None and len(node.targets) == 1 and type(node.targets[0]) is ir.Name:
            value = node.value.value if type(node.value) is ir.Await else node.value
            if type(value) is ir.Call and (value.span.line, value.span.column) == (line, column) or (
                    node.value.span.line, node.value.span.column) == (line, column):
                name = node.targets[0].id
    return name


def _unprotected_write(program, function, name: str):
    """The first call given ``{ transaction: name }`` that writes — or reads with an option that throws on a
    missing row (``rejectOnEmpty: true``) — and is not inside the body of a ``try`` whose handler or
    ``finally`` calls ``name.rollback()``, else ``None``."""
    def rolls_back(block) -> bool:
        return any(type(n) is ir.Call and type(n.func) is ir.Attr and n.func.name == "rollback"
                   and type(n.func.obj) is ir.Name and n.func.obj.id == name for n in ir.iter_nodes(block))

    names = known(program)
    prefixes = tuple(sorted(names.association_mutators))
    protected = []
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Try and node.body and (any(rolls_back(h.body) for h in node.handlers) or rolls_back(node.final)):
            protected.append((node.body[0].span.line, node.body[-1].span.end_line))
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Call or type(node.func) is not ir.Attr:
            continue
        method = node.func.name
        if method not in names.transaction_writes and not method.startswith(prefixes) and not _raising_read(node, names):
            continue
        given = any(type(a.value) is ir.Obj and any(e.key == "transaction" and type(e.value) is ir.Name and e.value.id == name
                                                    for e in a.value.entries) for a in node.args)
        if given and not any(start <= node.span.line <= end for start, end in protected):
            return node
    return None


def _raising_read(node: ir.Call, names) -> bool:
    """A read given an option that makes it throw on an ordinary request: ``findOne({ …, rejectOnEmpty: true })``
    raises EmptyResultError for every key that matches no row (``rejectOnEmpty: false`` does not)."""
    return any(type(a.value) is ir.Obj and any(e.key in names.transaction_raising_reads
                                               and not (type(e.value) is ir.Const and not e.value.value)
                                               for e in a.value.entries) for a in node.args)


def _closure_uses(module, fid: int, name: str, depth: int = 0) -> bool:
    """A nested function reads the handle other than as a query's ``{ transaction: name }`` option
    (``tags.map((n) => Tag.findOrCreate({ where: { n }, transaction: t }))`` does not; a
    ``res.on('finish', () => t.commit())`` does: it may end it)."""
    nested = module.functions[fid]
    allowed = set()
    for node in ir.iter_nodes(nested.body):
        if type(node) is ir.Obj:
            allowed.update(e.value.span for e in node.entries
                           if e.key == "transaction" and type(e.value) is ir.Name and e.value.id == name)
    for node in ir.iter_nodes(nested.body):
        if type(node) is ir.Name and node.id == name and node.span not in allowed:
            return True
        if type(node) is ir.FuncRef and 0 <= node.fid < len(module.functions) and (
                depth > 3 or _closure_uses(module, node.fid, name, depth + 1)):
            return True
    return False


def _transaction_escapes(program, path: str, function, line: int, column: int) -> bool:
    """The transaction handle is used other than as ``t.commit()`` / ``t.rollback()`` /
    ``t.afterCommit(…)`` receiver or a query's ``{ transaction: t }`` option: stored
    (``req.transaction = t``), passed to a function (``await handler(req, res, t)``), returned in a
    list, or read by a closure — whoever receives it may end it.  Unknown handle name: escapes."""
    module = program.modules.get(path)
    if module is None:
        return True
    name = _handle_name(function, line, column)
    if name is None:
        return True
    allowed: set = set()
    uses: list = []
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Attr and type(node.obj) is ir.Name and node.obj.id == name:
            allowed.add(node.obj.span)
        elif type(node) is ir.Obj:
            for entry in node.entries:
                if entry.key == "transaction" and type(entry.value) is ir.Name and entry.value.id == name:
                    allowed.add(entry.value.span)
        elif type(node) is ir.Name and node.id == name:
            uses.append(node.span)
        elif type(node) is ir.FuncRef and 0 <= node.fid < len(module.functions) and _closure_uses(module, node.fid, name):
            return True
    targets = {n.targets[0].span for n in ir.iter_nodes(function.body) if type(n) is ir.Assign and len(n.targets) == 1
               and type(n.targets[0]) is ir.Name and n.targets[0].id == name}
    return any(span not in allowed and span not in targets for span in uses)


def check(ctx: CheckContext, program) -> Iterator[Finding]:
    """An unmanaged transaction (``const t = await sequelize.transaction()``) that the function
    commits or rolls back on some path, left open on another: a ``return`` (or the end of the body)
    reached with ``t`` neither committed nor rolled back.  Its writes are never committed and its
    pooled connection stays checked out ("idle in transaction") until the pool runs dry; on SQLite the
    open write transaction locks the database for every other request.  An exit inside a ``try``
    with a ``finally`` is not judged (the ``finally`` may end it)."""
    for analysis in program.analyses():
        if not analysis.fid or non_production(analysis.path):
            continue
        ended = {e.detail for e in analysis.events if e.kind == "tx-ended"}
        seen: set = set()
        for event in analysis.events:
            if event.kind != "open-tx-exit" or event.detail not in ended or event.detail in seen:
                continue
            seen.add(event.detail)
            stack, site = event.detail.split("|", 1)
            opened_line = int(site.rsplit(":", 2)[1])
            function = analysis.function
            if _transaction_escapes(program, analysis.path, function, opened_line, int(site.rsplit(":", 2)[2])):
                continue
            at_end = event.span == function.span
            span = event.span
            if at_end:
                span = next((e.span for e in analysis.events if e.kind == "tx-ended" and e.detail == event.detail), event.span)
            where = "the end of the function" if at_end else "this `return`"
            owner = f"`{function.qualname}`" if not function.qualname.startswith("<") else "the function"
            message = (f"The transaction opened at line {opened_line} is neither committed nor rolled back on the path "
                       f"to {where} ({owner} ends it on other paths): its writes are never committed and "
                       f"its pooled connection stays checked out, idle in transaction, until the pool runs dry (on "
                       f"SQLite its write lock blocks every other request)")
            guidance = f"End the transaction on every path: {_TX_COMMIT.get(stack, 'commit or roll it back before every return')}."
            yield ctx.registry.finding("AL206", analysis.path, span, message, guidance, ())
        for detail in sorted(ended - seen):
            stack, site = detail.split("|", 1)
            if stack != "sequelize":
                continue
            _path, line, column = site.rsplit(":", 2)
            function = analysis.function
            name = _handle_name(function, int(line), int(column))
            if name is None or _transaction_escapes(program, analysis.path, function, int(line), int(column)):
                continue
            write = _unprotected_write(program, function, name)
            if write is None:
                continue
            why = ("EmptyResultError for a key that matches no row" if _raising_read(write, known(program))
                   and write.func.name not in known(program).transaction_writes
                   else "a unique or foreign-key violation, a validation error")
            message = (f"`{write.func.name}` runs in the transaction opened at line {line} outside a `try` whose `catch` "
                       f"rolls it back: when it throws ({why}) nothing "
                       f"commits or rolls back `{name}`, so its pooled connection stays checked out, idle in "
                       f"transaction, until the pool runs dry (on SQLite its write lock blocks every other request)")
            guidance = (f"Wrap the writes in `try {{ …; await {name}.commit(); }} catch (err) {{ await {name}.rollback(); "
                        f"throw err; }}`, or use a managed transaction — `await sequelize.transaction(async (t) => {{ … }})` "
                        f"rolls back when the callback throws.")
            yield ctx.registry.finding("AL206", analysis.path, write.span, message, guidance, ())
