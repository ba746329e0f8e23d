"""Which database a statement runs on, by the dialect test that guards it.

Code that supports several databases picks its SQL per database::

    dialect_name = bind.dialect.name
    if dialect_name == "sqlite":
        stmt = stmt.filter(text("… json_each(Chat.meta, '$.tags') …"))
    elif dialect_name == "postgresql":
        stmt = stmt.filter(text("Chat.chat::text NOT LIKE …"))

    if engine.dialect.name != "postgresql":
        return
    conn.execute(text("CREATE INDEX … USING gin (…)"))

The second ``text()`` only ever runs on PostgreSQL, whatever database the project's own URL names:
:func:`guarded_dialects` finds it by walking the enclosing function's IR down to the call and
reading the tests of the branches that lead there (and of the ``if …: return`` guards before it in
the same block).  A dialect test is ``== / != / in / not in`` between a string constant and the
connection's own dialect name — SQLAlchemy's ``<engine | connection | session.bind>.dialect.name``
or Django's ``connection.vendor`` — directly or through a local assigned only from one.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple


def _chain(node) -> tuple[str, ...]:
    """``context.sequelize.getDialect()`` -> ``("context", "sequelize", "getDialect()")``."""
    parts: list[str] = []
    while True:
        kind = type(node)
        if kind is ir.Call and not node.args and type(node.func) is ir.Attr:
            parts.append(node.func.name + "()")
            node = node.func.obj
        elif kind is ir.Attr:
            parts.append(node.name)
            node = node.obj
        elif kind is ir.Name:
            parts.append(node.id)
            break
        else:
            parts.append("")
            break
    return tuple(reversed(parts))


class _Scope(NamedTuple):
    locals: frozenset[str]  # locals assigned only from a dialect name
    subjects: tuple[tuple[str, ...], ...]  # chains that read it; a leading "*" wants some receiver
    tests: tuple = ()  # (name, test) of locals assigned once from a dialect test (`isSQLite = client === 'sqlite3'`)
    calls: object = None  # call -> whether it answers a dialect name (a project helper `getDbClient(db)`)


class Excluded(frozenset):
    """Dialect names the connection can *not* have there (the ``else`` of ``dialect === 'postgres'``)."""


def _is_subject(node, scope: _Scope) -> bool:
    if type(node) is ir.Name:
        return node.id in scope.locals
    if type(node) is ir.BoolOp and node.op in ("??", "or", "||") and node.values:
        return _is_subject(node.values[0], scope)  # `db.client?.config?.client ?? 'sqlite3'`: the name, or a default
    if type(node) is ir.Call and scope.calls is not None and scope.calls(node):
        return True
    if type(node) not in (ir.Attr, ir.Call):
        return False
    chain = _chain(node)
    for path in scope.subjects:
        wanted = path[1:] if path[0] == "*" else path
        if len(chain) >= len(path) and chain[-len(wanted):] == wanted:
            return True
    return False


def _combine(found: list) -> frozenset[str] | None:
    """What several constraints that all hold leave: the names allowed by every positive one less
    the excluded ones, or (none positive) the union of the exclusions."""
    if not found:
        return None
    excluded = frozenset().union(*(f for f in found if type(f) is Excluded))
    allowed = [f for f in found if type(f) is not Excluded]
    if allowed:
        return frozenset.intersection(*allowed) - excluded
    return Excluded(excluded)


def _scope(function: ir.Function, subjects, calls=None) -> _Scope:
    """The function's dialect locals (``client = knex.client.config.client``) and, read with them, its
    locals holding a dialect test (``isSQLite = client === 'better-sqlite3' || client === 'sqlite3'``)."""
    bare = _Scope(frozenset(), subjects, (), calls)
    sources = _sources(function)
    names = frozenset(name for name, values in sources.items()
                      if function.scope_of(name) == "local" and all(v is not None and _is_subject(v, bare) for v in values))
    scope = bare._replace(locals=names)
    tests = tuple((name, values[0]) for name, values in sorted(sources.items())
                  if name not in names and function.scope_of(name) == "local" and len(values) == 1 and values[0] is not None
                  and _implied(values[0], True, scope) is not None)
    return scope._replace(tests=tests)


def _sources(function: ir.Function) -> dict:
    sources: dict[str, list] = {}
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign:
            for target in node.targets:
                if type(target) is ir.Name:
                    sources.setdefault(target.id, []).append(node.value if node.op == "=" else None)
                else:
                    for part in ir.iter_nodes((target,)):
                        if type(part) is ir.Name:
                            sources.setdefault(part.id, []).append(None)
        elif type(node) is ir.Loop and node.target is not None:
            for part in ir.iter_nodes((node.target,)):
                if type(part) is ir.Name:
                    sources.setdefault(part.id, []).append(None)
    return sources


def _names(node) -> frozenset[str] | None:
    """The string constants of ``'postgresql'`` / ``('postgresql', 'postgres')``."""
    if type(node) is ir.Const and type(node.value) is str:
        return frozenset((node.value,))
    if type(node) is ir.Seq and node.elts and all(type(e) is ir.Const and type(e.value) is str for e in node.elts):
        return frozenset(e.value for e in node.elts)
    return None


def _implied(test, truthy: bool, scope: _Scope) -> frozenset[str] | None:
    """The dialect names the connection can have when ``test`` evaluates to ``truthy`` (``None``: the
    test says nothing about it)."""
    kind = type(test)
    if kind is ir.Name:
        held = next((value for name, value in scope.tests if name == test.id), None)
        return _implied(held, truthy, scope) if held is not None else None
    if kind is ir.Unary and test.op == "not":
        return _implied(test.operand, not truthy, scope)
    if kind is ir.BoolOp:
        # `a and b` true: both hold; `a or b` false: neither holds.  Any one that pins the dialect does.
        if (test.op == "and") == truthy:
            return _combine([f for f in (_implied(v, truthy, scope) for v in test.values) if f is not None])
        # `a or b` true: one of them holds — the names either admits, when each admits some
        either = [_implied(v, truthy, scope) for v in test.values]
        if either and all(f is not None and type(f) is not Excluded for f in either):
            return frozenset().union(*either)
        return None
    if kind is not ir.Compare:
        return None
    if test.op in ("==", "!="):
        for subject, constant in ((test.left, test.right), (test.right, test.left)):
            names = _names(constant)
            if names is not None and len(names) == 1 and _is_subject(subject, scope):
                return names if (test.op == "==") == truthy else Excluded(names)
        return None
    if test.op in ("in", "not in") and _is_subject(test.left, scope):
        names = _names(test.right)
        if names is not None:
            return names if (test.op == "in") == truthy else Excluded(names)
    return None


def _walk(block: tuple, span: Span, scope: _Scope) -> list[frozenset[str]] | None:
    """The dialect constraints on the way to the statement holding ``span`` inside ``block``
    (``None`` when no statement of the block holds it)."""
    constraints: list[frozenset[str]] = []
    for statement in block:
        if not ir.span_contains(statement.span, span):
            if type(statement) is ir.If:
                # `if dialect != "postgresql": return` — what follows runs only on PostgreSQL
                if ir.exits(statement.body) and not ir.exits(statement.orelse):
                    found = _implied(statement.test, False, scope)
                    if found is not None:
                        constraints.append(found)
                elif ir.exits(statement.orelse) and not ir.exits(statement.body):
                    found = _implied(statement.test, True, scope)
                    if found is not None:
                        constraints.append(found)
            continue
        kind = type(statement)
        if kind is ir.If:
            for side, truthy in ((statement.body, True), (statement.orelse, False)):
                inner = _walk(side, span, scope)
                if inner is not None:
                    found = _implied(statement.test, truthy, scope)
                    return constraints + ([found] if found is not None else []) + inner
            return constraints  # in the test itself
        for field in ("body", "orelse", "final"):
            inner = _walk(getattr(statement, field, ()) or (), span, scope)
            if inner is not None:
                return constraints + inner
        if kind is ir.Try:
            for handler in statement.handlers:
                inner = _walk(handler.body, span, scope)
                if inner is not None:
                    return constraints + inner
        return constraints
    return None


def guarded_dialects(module: ir.ModuleIR, span: Span, subjects, calls=None) -> frozenset[str] | None:
    """The dialect names (``postgresql``, ``sqlite``, ``mysql`` …) the connection can have where the
    code at ``span`` runs, by the dialect tests that guard it in its function; an :class:`Excluded`
    set for the names it cannot have (``else`` of ``if (dialect === 'postgres')``); ``None`` when no
    test says.  ``subjects``: what reads the connection's dialect name (``[[dialect_subject]]`` of
    rules/knowledge/sql_dialects.toml), each a dotted chain whose end the expression must match
    (``("*", "dialect", "name")``, ``getDialect()``).  ``calls``: whether a call answers a dialect
    name (the caller's summary of a project helper such as ``getDbClient(db)``)."""
    function = ir.innermost_function(module, span)
    if function is None or not subjects:
        return None
    return _combine(_walk(function.body, span, _scope(function, tuple(subjects), calls)) or [])


# -- a connection made in place ------------------------------------------------------------------
def _block_path(block: tuple, span: Span) -> list[tuple[tuple, int]] | None:
    """The (block, index) pairs from ``block`` down to the statement holding ``span``."""
    for index, statement in enumerate(block):
        if not ir.span_contains(statement.span, span):
            continue
        inner: list | None = None
        for field in ("body", "orelse", "final"):
            inner = _block_path(getattr(statement, field, ()) or (), span)
            if inner is not None:
                break
        if inner is None and type(statement) is ir.Try:
            for handler in statement.handlers:
                inner = _block_path(handler.body, span)
                if inner is not None:
                    break
        return [(block, index), *(inner or [])]
    return None


def _assigns(node, name: str) -> bool:
    return any(type(part) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in part.targets)
               for part in ir.iter_nodes((node,)))


def _reaching_value(module: ir.ModuleIR, span: Span, name: str):
    """The value of the one assignment to ``name`` that reaches ``span`` along its enclosing blocks —
    in its function, or, for a closure's free variable, in the functions around it (``sequelize =
    new Sequelize({ dialect: 'sqlite' }); const pragmas = async () => { await sequelize.query(…) }``);
    ``None`` when another assignment (in a branch, a loop) may come between or none is seen."""
    function = ir.innermost_function(module, span)
    while function is not None:
        path = _block_path(function.body, span) or []
        for block, index in reversed(path):
            for statement in reversed(block[:index]):
                if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets):
                    return statement.value if statement.op == "=" else None
                if _assigns(statement, name):
                    return None
        if function.scope_of(name) != "outer" or function.parent < 0:
            return None
        span, function = function.span, module.functions[function.parent]
    return None


def constructed_options(module: ir.ModuleIR, call: ir.Call) -> tuple:
    """The object-literal arguments of ``new X(…)`` that made the connection ``call`` runs on, when its
    receiver is a local (or a closure's free variable) assigned from one in place; ``()`` otherwise."""
    receiver = call.func.obj if type(call.func) is ir.Attr else None
    if type(receiver) is not ir.Name:
        return ()
    value = _reaching_value(module, call.span, receiver.id)
    if type(value) is ir.Await:
        value = value.value
    if type(value) is not ir.Call or not value.new:
        return ()
    return tuple(arg.value for arg in value.args if arg.kind == "pos" and type(arg.value) is ir.Obj)
