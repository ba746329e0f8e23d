"""Who calls a function, as far as the project's call graph can tell — and what they pass.

AL220 asks it of a dereference in a function every caller calls inside a ``try`` catching the
error it raises (``caught``), and of a lookup keyed by a parameter itself (``User.findByPk(userId)`` in
``profileOf(userId)``): the row exists when every caller hands it a stored key (``comment.authorId``
of a row just read or written, the foreign key of a row held) and may not when a caller hands it the
client's id (``req.params.id``) — or when a caller is not known at all: a route handler or callback
the framework calls, a function passed as a value, exported with no caller in the project, or called
through a receiver the model could not type.  So the answer is yes only when the graph is closed:

* the function is named and plain (no decorator but ``staticmethod``/``classmethod``, not a dunder,
  not a method of a class with a library base — the framework calls those), not a route handler;
* every file importing its module (transitively; tests aside) is analysed;
* in those files its names occur only as the callee of a call or in an export
  (``module.exports = { profileOf }``, ``exports.profileOf = …``) — never passed or stored as a value;
* no call by one of its names was left unresolved (an unknown receiver might be it);
* it has at least one caller, and each caller passes, for the parameter, a stored key — or a plain
  parameter of its own, or a column of a parameter of its own, whose callers are asked the same
  (a row for the column's parameter).
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.datalayer import non_production
from archlint.semantics import values as v
from archlint.semantics.records import recorded_argument

MAX_DEPTH = 4
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})


def settled(program, path: str, fid: int, names) -> bool:
    """Every caller of the function at ``(path, fid)`` is known and passes a stored key as each
    parameter in ``names``."""
    return _settled(program, path, fid, frozenset(names), "key", 0, frozenset())


def _settled(program, path: str, fid: int, names: frozenset, kind: str, depth: int, busy: frozenset) -> bool:
    marker = (path, fid)
    if depth > MAX_DEPTH or marker in busy:
        return False
    busy = busy | {marker}
    graph = _graph(program)
    function = program.function(path, fid)
    callers = graph.callers.get(marker)
    if function is None or not callers or not _closed(program, graph, path, function):
        return False
    for caller, record in callers:
        for name in names:
            found = _argument(program, path, function, record, name)
            if found is None:
                return False
            value, expr = found
            if not _passes(program, caller, value, expr, kind, depth, busy):
                return False
    return True


def caught(program, path: str, fid: int) -> bool:
    """Every caller of the function at ``(path, fid)`` is known and calls it inside a ``try`` whose
    handler catches the ``AttributeError`` a None dereference raises (``except AttributeError``, or a
    catch-all answering a literal — the interpreter's rule for a read written in the ``try``) — a
    closure defined and called inside such a ``try``: a dereference in it is caught like one written
    inline there.  Its calls of itself (recursion) run inside the first call; at least one
    other caller is needed."""
    graph = _graph(program)
    function = program.function(path, fid)
    callers = [(caller, record) for caller, record in graph.callers.get((path, fid), ())
               if (caller.path, caller.fid) != (path, fid)]
    if function is None or not callers or not _closed(program, graph, path, function):
        return False
    return all(record.caught for _caller, record in callers)


def _passes(program, caller, value, expr, kind: str, depth: int, busy: frozenset) -> bool:
    """The caller's argument is what the callee's lookup needs: a stored key (``key``) or a row the
    program read (``row``, whose column the callee looks up by) — or the caller's own parameter,
    plain or a column of it, that its callers are asked about in turn."""
    tags = v.tags_of(value)
    if kind == "key" and (v.STORED_KEY_TAG in tags or v.CHECKED_KEY_TAG in tags):
        return True  # also the client's id once a lookup by it found its row (`if not message: raise 404`)
    if v.INPUT_TAG in tags:
        return False
    bare = v.strip(value)
    if kind == "row" and type(bare) is v.Row and bare.model:
        return True
    function = caller.function
    parameters = {p.name for p in function.params if p.kind in ("pos", "posonly", "kwonly")}
    if type(expr) is ir.Name and expr.id in parameters and bare is v.UNKNOWN:
        return _settled(program, caller.path, caller.fid, frozenset({expr.id}), kind, depth + 1, busy)
    if kind == "key" and type(expr) is ir.Attr and type(expr.obj) is ir.Name and expr.obj.id in parameters and bare is v.UNKNOWN:
        return _settled(program, caller.path, caller.fid, frozenset({expr.obj.id}), "row", depth + 1, busy)
    return False


def _argument(program, path: str, function: ir.Function, record, name: str):
    """(value, expression) the call ``record`` passes as ``function``'s parameter ``name``, else
    ``None`` (a spread, a default value, a parameter not found, a field of a destructured one)."""
    found = recorded_argument(record, path, function, name, program.language(path) == "python")
    if found is None or found[1]:
        return None
    return record.args[found[0]], record.node.args[found[0]].value


def passed_values(program, path: str, fid: int, name: str) -> list:
    """The values the recorded calls of the function at ``(path, fid)`` pass as its parameter ``name``
    (tests aside; a spread, a default or a destructured field passes none written there)."""
    function = program.function(path, fid)
    if function is None:
        return []
    found = []
    for caller, record in _graph(program).callers.get((path, fid), ()):
        argument = None if non_production(caller.path) else _argument(program, path, function, record, name)
        if argument is not None:
            found.append(argument[0])
    return found


def argument_sites(program, path: str, fid: int, names: tuple) -> list:
    """Each recorded call of the function at ``(path, fid)`` with what it passes for the parameters ``names``:
    ``(caller path, the call, {name: index in the call's arguments, or None when the default fills it})``.
    A call that passes a parameter through a ``*xs`` / ``**kw`` spread or a destructured field is left out
    (what it passes is not written there).  Tests aside; in source order."""
    function = program.function(path, fid)
    if function is None:
        return []
    found = []
    for caller, record in _graph(program).callers.get((path, fid), ()):
        if non_production(caller.path):
            continue
        python = program.language(path) == "python"
        slots = {}
        for name in names:
            at = recorded_argument(record, path, function, name, python)
            if at is None and any(arg.kind in ("star", "kwstar") for arg in record.node.args):
                slots = None
                break
            if at is not None and at[1]:
                slots = None
                break
            slots[name] = at[0] if at is not None else None
        if slots is not None:
            found.append((caller.path, record.node, slots))
    return sorted(found, key=lambda item: (item[0], item[1].span.line, item[1].span.column))


class _Graph:
    __slots__ = ("callers", "unresolved", "analysed", "references", "closed")

    def __init__(self) -> None:
        self.callers: dict = {}  # (path, fid) -> [(caller Analysis, CallRecord)]
        self.unresolved: set[str] = set()  # names of calls whose callee the model did not know
        self.analysed: set[str] = set()
        self.references: dict = {}  # path -> (names used as values, {fid: names binding it}, fids used as values)
        self.closed: dict = {}  # (path, fid) -> whether every caller is known (asked once per read otherwise)


def _graph(program) -> _Graph:
    return program.memoised("caller_graph", lambda: _build_graph(program))


def _build_graph(program) -> _Graph:
    graph = _Graph()
    for analysis in program.analyses():
        graph.analysed.add(analysis.path)
        for record in analysis.calls:
            if record.callees:
                for callee in dict.fromkeys((c.path, c.fid) for c in record.callees):
                    graph.callers.setdefault(callee, []).append((analysis, record))
            elif _unknown(record.receiver):
                name = record.node.short_name
                if name:
                    graph.unresolved.add(name)
    return graph


def _unknown(value) -> bool:
    return any(type(v.strip(option)) is v.Unknown for option in v.options(value))


def closed(program, path: str, function: ir.Function) -> bool:
    """Every caller of ``function`` is known to the call graph (see the module's rules)."""
    return _closed(program, _graph(program), path, function)


def _closed(program, graph: _Graph, path: str, function: ir.Function) -> bool:
    key = (path, function.fid)
    found = graph.closed.get(key)
    if found is None:
        found = graph.closed[key] = _closed_graph(program, graph, path, function)
    return found


def _closed_graph(program, graph: _Graph, path: str, function: ir.Function) -> bool:
    names = set(_references(program, graph, path)[1].get(function.fid, ()))
    if not function.name.startswith("<"):
        names.add(function.name)
    if function.kind == "module" or not names or any(name.startswith("__") for name in names):
        return False
    if any(not (type(d) is ir.Name and d.id in _PLAIN_DECORATORS) for d in function.decorators):
        return False
    if (path, function.fid) in program.handler_functions():
        return False
    if function.cls >= 0 and any(type(base) is not v.ClassValue for base in program.bases(path, function.cls)):
        return False  # a library base class: the framework calls its methods
    files = _importers(program, path)
    if files is None:
        return False
    if names & graph.unresolved:
        return False
    for file in files:
        used, _bindings, passed = _references(program, graph, file)
        if names & used or file == path and function.fid in passed:
            return False
    return True


def _importers(program, path: str):
    """``path`` and every production file importing it, directly or through others — ``None`` when
    one of them was not analysed (its calls are not known)."""
    seen = {path}
    queue = [path]
    while queue:
        current = queue.pop()
        for edge in program.graph.in_edges(current):
            source = edge.source
            if source in seen or non_production(source):
                continue
            seen.add(source)
            queue.append(source)
    return seen if seen <= _graph(program).analysed else None


def _references(program, graph: _Graph, path: str):
    """(the names the module uses as values — not as a call's callee, an assignment's target or an
    export —, {fid: the names a definition binds}, the fids used as values)."""
    found = graph.references.get(path)
    if found is not None:
        return found
    module = program.modules.get(path)
    used: set[str] = set()
    bindings: dict = {}
    passed: set[int] = set()
    if module is not None:
        for function in module.functions:
            _scan(function.body, used, bindings, passed)
    graph.references[path] = found = (used, bindings, passed)
    return found


def _scan(body, used: set, bindings: dict, passed: set) -> None:
    skip: set[int] = set()  # ids of the nodes in an allowed position
    for node in ir.iter_nodes(body):
        kind = type(node)
        if id(node) in skip:
            if kind is ir.Obj:  # module.exports = { list, get }
                skip.update(id(entry.value) for entry in node.entries)
            continue
        if kind is ir.Call:
            skip.add(id(node.func))
        elif kind is ir.Assign:
            skip.update(id(t) for t in node.targets)
            value = node.value
            if type(value) is ir.FuncRef:
                skip.add(id(value))
                for target in node.targets:
                    name = target.id if type(target) is ir.Name else target.name if type(target) is ir.Attr else ""
                    if name:
                        bindings.setdefault(value.fid, set()).add(name)
            elif _export_target(node.targets):
                skip.add(id(value))
        elif kind is ir.Obj:
            for entry in node.entries:
                if type(entry.value) is ir.FuncRef and isinstance(entry.key, str):
                    skip.add(id(entry.value))  # { async get(id) { … } }: a method of the object
                    bindings.setdefault(entry.value.fid, set()).add(entry.key)
        elif kind is ir.Name:
            used.add(node.id)
        elif kind is ir.Attr:
            used.add(node.name)
        elif kind is ir.FuncRef:
            passed.add(node.fid)


def _export_target(targets) -> bool:
    """``module.exports = …``, ``module.exports.x = …``, ``exports.x = …``."""
    for target in targets:
        while type(target) is ir.Attr:
            if target.name == "exports" and type(target.obj) is ir.Name and target.obj.id == "module":
                return True
            if type(target.obj) is ir.Name and target.obj.id == "exports":
                return True
            target = target.obj
    return False
