"""Read-modify-write of a stored column: ``data: { favoritesCount: article.favoritesCount + 1 }``.

The new value is computed in the application from the value the row had when it was *read*, and
written back.  Two requests that read the same row both write ``n + 1``: one increment is lost (the
classic lost update; a transaction at the default READ COMMITTED level does not prevent it).  The
database can do it atomically — ``{ increment: 1 }`` (Prisma), ``increment()`` (Sequelize/TypeORM/
knex), ``F("count") + 1`` (Django), ``Article.count + 1`` in the statement (SQLAlchemy) — or the
read can lock the row (``select_for_update``, ``with_for_update``, ``forUpdate``, ``lock:``).

What this module reads is the IR only: which written value is an increment of the same column of a
row held in a local name, whether the statement compares the old value (a compare-and-set, which
is safe), and whether the function locks what it reads.  Whether the name holds a *stored* row is
the interpreter's answer (see ``Frame``), so a row built in this request is never reported.  The
increment may be computed in one function and written in another — a service passing
``article.favoritesCount + 1`` to a repository's ``set({ favoritesCount })``, or the row itself to a
repository writing ``article.favorites_count + 1``: the value carries :data:`STALE_TAG` through arguments
and locals, and the write runs in the caller's context (a context event).
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple

LOCKED = frozenset({"locked"})  # on what a locking read returns (a query, its rows)


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "lost_updates"``
    of ``rules/knowledge/orms.toml`` (each key is explained there), built once per run."""

    write_methods: frozenset  # calls that write a row's values
    lock_methods: frozenset  # reads that lock the rows they return
    version_columns: frozenset  # columns whose condition makes an update a compare-and-set
    clamp_functions: frozenset  # `max(0, row.count - 1)`: a bound around an increment keeps it one


def _known(table: dict) -> Known:
    return Known(**{key: frozenset(table[key]) for key in Known._fields})


def known(program) -> Known:
    return program.library.view("lost_updates", _known)


def increment_of(node, column: str, numeric=None, clamps: frozenset = frozenset()) -> ir.Name | None:
    """``row.column + n`` / ``n + row.column`` / ``row.column - n`` with a numeric constant ``n``:
    the name holding the row, else ``None``.  ``numeric(expr)``, when given, says whether another
    expression is a numeric constant where it runs — ``delta`` in ``bump(article, delta)`` that every
    caller passes ``1`` or ``-1``.  ``clamps``: bound functions (``max``, ``Math.max``) whose call
    around the increment (``max(0, row.count - 1)``) still computes it from the value read."""
    node = unclamped(node, clamps, numeric)
    if type(node) is not ir.BinOp or node.op not in ("+", "-"):
        return None
    for attribute, other in ((node.left, node.right), (node.right, node.left) if node.op == "+" else (None, None)):
        if (type(attribute) is ir.Attr and attribute.name == column and type(attribute.obj) is ir.Name
                and (is_number(other) or (numeric is not None and other is not None and numeric(other)))):
            return attribute.obj
    return None


def unclamped(node, clamps: frozenset, numeric=None):
    """The bounded expression of ``max(0, expr)`` / ``min(expr, 100)`` (a call of a ``clamps`` function with
    one numeric constant and one other positional argument), else ``node``: an unlike-that never goes below
    zero is still the value read minus one, so two concurrent unlikes still lose one."""
    if type(node) is not ir.Call or len(node.args) != 2 or not clamps or ir.dotted(node.func) not in clamps:
        return node
    if any(arg.kind != "pos" for arg in node.args):
        return node
    first, second = node.args[0].value, node.args[1].value
    for bound, value in ((first, second), (second, first)):
        if is_number(bound) or (numeric is not None and numeric(bound)):
            return value
    return node


def is_number(node) -> bool:
    return type(node) is ir.Const and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


STALE_TAG = "stale-increment:"  # + "stack|model|column": a value computed as a stored row's column ± a constant


def incremented_column(node) -> tuple[ir.Name, str] | None:
    """``row.column + n`` / ``n + row.column`` / ``row.column - n`` with a numeric constant ``n``, written
    anywhere (an argument, a local): the name holding the row and the column, else ``None``."""
    if type(node) is not ir.BinOp or node.op not in ("+", "-"):
        return None
    for side in (node.left, node.right) if node.op == "+" else (node.left,):
        if type(side) is ir.Attr and type(side.obj) is ir.Name:
            name = increment_of(node, side.name)
            if name is not None:
                return name, side.name
    return None


def written_names(call: ir.Call) -> list[tuple[str, ir.Name]]:
    """(column, name) of each written value of ``call`` that is a plain local or parameter — a keyword
    argument (``values(count=n)``) or an object literal's entry (``set({ favoritesCount })``), one level into
    ``data``/``$set`` — whose value may have been computed elsewhere (a caller's ``row.count + 1``)."""
    found = []
    for arg in call.args:
        if arg.kind == "kw" and arg.name and type(arg.value) is ir.Name:
            found.append((arg.name, arg.value))
        elif type(arg.value) is ir.Obj:
            found.extend((column, value) for column, value in _entries(arg.value) if type(value) is ir.Name)
    return found


def written_increments(call: ir.Call, clamps: frozenset = frozenset()) -> list[tuple[str, ir.Name, ir.Expr]]:
    """(column, row name, value) of each written value of ``call`` that increments the column it
    is written to: keyword arguments (``update(count=a.count + 1)``) and object literals, one level
    into ``data``/``$set`` (``update({ where, data: { count: a.count + 1 } })``)."""
    found = []
    for arg in call.args:
        if arg.kind == "kw" and arg.name:
            name = increment_of(arg.value, arg.name, clamps=clamps)
            if name is not None:
                found.append((arg.name, name, arg.value))
        elif type(arg.value) is ir.Obj:
            for column, value in _entries(arg.value):
                name = increment_of(value, column, clamps=clamps)
                if name is not None:
                    found.append((column, name, value))
    return found


def _entries(obj: ir.Obj):
    for entry in obj.entries:
        if not isinstance(entry.key, str):
            continue
        if entry.key in ("data", "$set") and type(entry.value) is ir.Obj:
            yield from _entries(entry.value)
        elif entry.key not in ("where", "select", "include"):
            yield entry.key, entry.value


def compare_and_set(call: ir.Call, column: str, names: Known) -> bool:
    """The update is conditional on the old value (``where: { id, count: a.count }``,
    ``filter(pk=a.pk, version=a.version).update(…)``, ``.where('version', a.version)``): a
    concurrent change makes it match no row instead of being overwritten."""
    guarded = names.version_columns | {column}
    for arg in call.args:  # the write itself: only its `where` option is a condition
        if type(arg.value) is ir.Obj and any(e.key == "where" and type(e.value) is ir.Obj and _names(e.value, guarded)
                                             for e in arg.value.entries):
            return True
    node = call.func.obj if type(call.func) is ir.Attr else None
    while type(node) is ir.Call:  # the builder chain it is called on: filter(…) / where(…)
        for index, arg in enumerate(node.args):
            if arg.kind == "kw" and arg.name in guarded:
                return True
            if type(arg.value) is ir.Obj and _names(arg.value, guarded):
                return True
            if index == 0 and type(arg.value) is ir.Const and isinstance(arg.value.value, str) and arg.value.value in guarded:
                return True
        node = node.func.obj if type(node.func) is ir.Attr else None
    return False


def _names(obj: ir.Obj, keys: frozenset) -> bool:
    return any(isinstance(entry.key, str) and entry.key in keys for entry in obj.entries)


def lock_option(call: ir.Call) -> bool:
    """A find with a lock option: ``findOne({ where, lock: t.LOCK.UPDATE })`` (Sequelize),
    ``findOne({ where, lock: { mode: 'pessimistic_write' } })`` (TypeORM)."""
    return any(type(arg.value) is ir.Obj and any(entry.key == "lock" for entry in arg.value.entries) for arg in call.args)


def locks_rows(function: ir.Function, names: Known) -> bool:
    """The function reads with a row lock somewhere (or passes a ``lock`` option to a find)."""
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Call and node.method in names.lock_methods:
            return True
        if type(node) is ir.Entry and node.key == "lock":
            return True
    return False
