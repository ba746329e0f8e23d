"""Lazy top-level environments of JS/TS modules.

A library module is mostly declarations: thousands of ``export const map = dual(2, (self, f) => …)``
(effect), each a call the interpreter would run to know the value.  Interpreting a whole module's
top level the first time any name is read from it (``import * as Effect from './Effect.js'``;
``Effect.gen(…)``) interprets every module the library imports, transitively: on effect that was
most of the deep analysis, although a data-layer file reads a few dozen of those names.

So a JS/TS module whose top level only *declares* names — each statement binds names
(``const x = …``, ``function f``, ``class C``, a destructuring) and no name twice, or is an expression
that only reads names (TypeScript type syntax the grammar does not know lowers to such
statements) — gets a :class:`LazyModuleEnv`: a declaration is interpreted the first time something
reads one of its names.  A module whose top level does anything else (``app.use(…)``,
``module.exports = …``, ``Foo.prototype.x = …``, an ``if``, a loop, a name assigned twice) keeps the
eager interpretation, in order, as before: its statements may matter even when none of its names
is read.

What reading a declaration lazily changes, and why that holds: a declaration runs when it is
first read instead of in source order, so a read of a name declared *later* in the module now sees
its value rather than falling back to the static one; a cycle (a declaration that reads itself
while it is being interpreted) sees the name as not yet defined, as a cycle between modules
already does; and each declaration has the step budget of one frame of its own (the eager top
level shared one budget, so a long module stopped part way).
"""

from __future__ import annotations

from archlint.domain import ir

# expression nodes that only read: evaluating them calls nothing and writes nothing
_INERT = frozenset({ir.Name, ir.Const, ir.Opaque, ir.Seq, ir.Obj, ir.Entry, ir.FuncRef, ir.ClassRef, ir.Starred})
# what a declaration's targets may hold: names and destructuring patterns (a default is a constant)
_PATTERN = frozenset({ir.Name, ir.Seq, ir.Obj, ir.Entry, ir.Starred, ir.Const})

DEFAULT = "<default>"  # env key: the value of `export default { … }` (see interpreter.run_module)


def declarations(module: ir.ModuleIR) -> dict[str, int] | None:
    """Name -> index of the top-level statement that declares it, when ``module``'s top level only
    declares names (see the module docstring); ``None`` when it does anything else.  An
    ``export default <expression>`` (an object literal, ``Base.extend``) is the pseudo-name :data:`DEFAULT`,
    index ``-1``."""
    found: dict[str, int] = {}
    for index, statement in enumerate(module.module.body):
        kind = type(statement)
        if kind is ir.ExprStmt:
            if all(type(node) in _INERT for node in ir.iter_nodes(statement.value)):
                continue
            return None
        if kind is not ir.Assign or statement.op != "=" or not statement.targets:
            return None
        for target in statement.targets:
            for node in ir.iter_nodes(target):
                if type(node) not in _PATTERN:
                    return None
                if type(node) is ir.Name:
                    if node.id in found:
                        return None  # `let x; x = …`: the order of the assignments matters
                    found[node.id] = index
    for export in module.exports:
        if export.name == "default" and not export.local and not export.source and export.value is not None:
            found[DEFAULT] = -1
    return found


class LazyModuleEnv(dict):
    """A JS/TS module's globals, each declaration interpreted the first time one of its names is
    read (``name in env``, ``env[name]``, ``env.get(name)`` — what a :class:`Frame` and
    :class:`Program` ask).  :meth:`complete` interprets the rest, in source order, for the readers
    that need the whole environment (a copy, the pre-pass over the deep files)."""

    def __init__(self, program, path: str, declared: dict[str, int]) -> None:
        super().__init__()
        self.program = program
        self.path = path
        self.pending: dict[int, list[str]] = {}  # statement index -> the names it declares, not run yet
        self.owner: dict[str, int] = declared
        for name, index in declared.items():
            self.pending.setdefault(index, []).append(name)
        self.runs = 0  # declarations interpreted (tests read it: what laziness saved is what did not run)

    def _define(self, name) -> bool:
        index = self.owner.get(name) if type(name) is str else None
        if index is None or index not in self.pending:
            return False
        del self.pending[index]  # a read of these names while it runs (a cycle) sees them undefined
        self._run(index)
        return True

    def _run(self, index: int) -> None:
        from archlint.semantics.interpreter import Frame, _Budget

        module = self.program.modules[self.path]
        frame = Frame(self.program, self.path, module.module, 0)
        frame.env = frame.lazy_globals = self
        self.runs += 1
        try:
            if index < 0:
                value = next(e.value for e in module.exports
                             if e.name == "default" and not e.local and not e.source and e.value is not None)
                dict.__setitem__(self, DEFAULT, frame.eval(value))
            else:
                frame.stmt(module.module.body[index])
        except (_Budget, RecursionError):  # past the budget, or nesting deeper than Python's stack
            pass
        if frame.env is not self:  # a loop in the declaration joined the environment into a new dict
            dict.update(self, frame.env)

    def complete(self) -> LazyModuleEnv:
        """Interpret every declaration not read yet, in source order (the default export last, as
        :func:`~archlint.semantics.interpreter.run_module` does)."""
        for index in sorted(self.pending, key=lambda i: (i < 0, i)):
            if index in self.pending:  # an earlier one may have read it
                del self.pending[index]
                self._run(index)
        return self

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or (self._define(name) and dict.__contains__(self, name))

    def __missing__(self, name):
        if self._define(name) and dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def get(self, name, default=None):
        return self[name] if name in self else default
