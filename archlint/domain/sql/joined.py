"""SQL assembled from a list of clauses, read from the IR of the sink's function.

The common shape of dynamic filters::

    clauses = []                                   const where = [];
    if author:                                     if (author) where.push(`u.username = '${author}'`);
        clauses.append(f"u.username = '{author}'")
    sql = "SELECT … WHERE " + " AND ".join(clauses)   const sql = ['SELECT …', where.join(' AND ')].join(' ');
    cursor.execute(sql)                            await sequelize.query(sql);

:mod:`~archlint.domain.sql.steps` rebuilds a name from its ``=`` / ``+=`` assignments, but a list
grows by method calls (``append``/``push``/``extend``/``unshift``) and ``+=`` of list literals, and
its text only exists once it is joined.  :class:`Joined` replays, in source order, the statements of
the sink's function that precede it: a list name's value is its last ``=`` (a list literal) plus
every later ``append``/``push`` (each argument one element), ``extend``/``+=`` of a list literal or
of another such list, ``unshift`` (in front); a string name's value is its last ``=`` plus every
later ``+=``.  ``sep.join(xs)`` (Python) / ``xs.join(sep)`` (JS) with a constant separator is the
elements with the separator between them.

An element is SQL text when it is a literal, an f-string / template literal (its holes are holes of
the SQL), ``+`` / ``%`` / ``.format`` of literals, a conditional whose other arm is ``""``, a joined
list, or a local name holding one of these.  An element that is none of these (``clauses.append(cond)``
with ``cond`` a parameter, ``where.push(buildFilter(q))``) is left out, like a ``q += where_clause``
step the facts do not show: no hole is invented for it (and a list none of whose elements is known
gives no text at all).  A spread (``...cols``), ``extend`` or ``+=`` of something that is not a list
rebuilt here adds elements nobody can count: the list is unknown.  A placeholder element (``"u.username =
:author"``) is constant text, so the bound look-alike has no hole.

The text is never *exact*: whether each append runs, how often, and what a helper the list is
handed to adds are not known, so the whole-statement rules skip it; the injection, dialect and
placeholder rules read it as one possible statement.  Every piece keeps where its node is, so a
finding about ``'${author}'`` lands on that ``push``.

A list of *statements* built by a comprehension / generator expression or a JS ``.map`` callback
(``[f"DELETE FROM t WHERE id = {i}" for i in ids]``, ``ids.map((id) => `DELETE … ${id}`)``) is one
element: the statement its element expression builds, each hole located where the loop binds its variable
(``Hole.at``: the constant folder then knows ``i`` runs over ``ids``).  Only a list whose element is a
whole statement is replayed; a comprehension of clauses (``", ".join(f"{c} = %s" for c in cols)``) keeps
the reading of the join as a hole.  Such a list — or one grown by ``append`` — is either joined or run
element by element: the variable of a ``for`` loop around the sink (``for q in queries: cur.execute(q)``,
``for (const sql of statements) await client.query(sql)``) holds its one element.

Only used when the SQL argument does reach a join, or a loop variable, over a list it can rebuild;
anything else is left to :mod:`~archlint.domain.sql.compose` and :mod:`~archlint.domain.sql.steps`.
"""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.ir_format import render
from archlint.domain.records import NamedTuple
from archlint.domain.sql.compose import Composed, Hole, compose
from archlint.domain.sql.lexer import is_statement
from archlint.domain.sql.steps import Built, Piece

_GROW = frozenset({"append", "push", "extend", "unshift"})
_ELEMENT_LOOPS = frozenset({"comprehension", "map"})  # loops whose value is the list of their element
_DEPTH = 12


class _Part(NamedTuple):
    text: str | None  # None: a hole
    node: object  # the IR node (its span locates the part; a hole's expression)
    how: str = ""  # a hole's interpolation: fstring | template | concat | percent | format
    opener: int = 0  # a template's hole: width of its `{` / `${` (a finding points at it)
    at: tuple | None = None  # a hole of a loop's element: where it is evaluated (compose.Hole.at)


class _Step(NamedTuple):
    kind: str  # = | += | append | push | extend | unshift | each (the variable of a `for` loop around the sink)
    value: object  # the assigned value, or the Call
    position: tuple[int, int]


class _Value(NamedTuple):
    parts: tuple[_Part, ...] | None  # a text
    elements: tuple[tuple[_Part, ...] | None, ...] | None = None  # a list: each element's text (None: not known)


def has_join(function: ir.Function) -> bool:
    """Whether the function calls a ``join`` method or has a ``for`` loop binding a name (the cheap test
    before replaying it)."""
    return any(type(node) is ir.Call and node.method == "join"
               or type(node) is ir.Loop and node.kind == "for" and type(node.target) is ir.Name
               for node in ir.iter_nodes(function.body))


class Joined:
    """The SQL text a sink's argument builds through joined lists, in one function."""

    def __init__(self, function: ir.Function, sink: Span, language: str) -> None:
        self.function = function
        self.sink = (sink.line, sink.column)
        self.python = language == "python"
        self.joined = False  # some join was rebuilt
        self._steps: dict[str, list[_Step]] | None = None

    def build(self, node) -> Built | None:
        """The text ``node`` builds, or ``None`` when it does not go through a list this can rebuild."""
        parts = self._text(node, 0, frozenset())
        if parts is None or not self.joined:
            return None
        return _built(parts, "fstring" if self.python else "template")

    def build_each(self, iterable) -> Built | None:
        """The text each element of ``iterable`` holds when it is one statement rebuilt here: what a
        callback run per element (``statements.forEach((sql) => client.query(sql))``) is handed."""
        elements = self._list(iterable, 0, frozenset())
        if elements is None or len(elements) != 1 or elements[0] is None:
            return None
        return _built(elements[0], "fstring" if self.python else "template")

    # texts ---------------------------------------------------------------------------------------------
    def _text(self, node, depth: int, seen: frozenset) -> tuple[_Part, ...] | None:
        if depth > _DEPTH:
            return None
        kind = type(node)
        if kind is ir.Const:
            return (_Part(node.value, node),) if isinstance(node.value, str) else None
        if kind is ir.Template:
            if node.tag is not None:
                return None
            parts: list[_Part] = []
            how = "fstring" if self.python else "template"
            for index, hole in enumerate(node.holes):
                if node.strings[index]:
                    parts.append(_Part(node.strings[index], node if index == 0 else node.holes[index - 1]))
                inner = self._text(hole, depth + 1, seen) if self._composite(hole) else None
                parts.extend(inner if inner is not None else (_Part(None, hole, how, 1 if self.python else 2),))
            if node.strings[-1]:
                parts.append(_Part(node.strings[-1], node.holes[-1] if node.holes else node))
            return tuple(parts)
        if kind is ir.BinOp and node.op == "+":
            left = self._text(node.left, depth + 1, seen)
            right = self._text(node.right, depth + 1, seen)
            if left is None and right is None:
                return None
            return (left or (_Part(None, node.left, "concat"),)) + (right or (_Part(None, node.right, "concat"),))
        if kind is ir.BinOp and node.op == "%" and self.python:
            if type(node.left) is not ir.Const or not isinstance(node.left.value, str):
                return None
            return _composed(compose(f"{render(node.left)} % {render(node.right)}", "python"), node)
        if kind is ir.Call:
            if node.method == "join":
                return self._join(node, depth, seen)
            receiver = node.receiver
            if node.method == "format" and self.python and type(receiver) is ir.Const and isinstance(receiver.value, str):
                return _composed(compose(render(node), "python"), node)
            return None
        if kind is ir.Cond:
            body = self._text(node.then, depth + 1, seen)
            orelse = self._text(node.orelse, depth + 1, seen)
            if _empty(body):
                return orelse
            if _empty(orelse):
                return body
            return None
        if kind is ir.Name:
            value = self._name(node.id, depth, seen)
            return value.parts if value is not None else None
        return None

    @staticmethod
    def _composite(node) -> bool:
        """A hole worth reading as text of its own: a join, or a local name (possibly holding one)."""
        return type(node) is ir.Name or type(node) is ir.Call and node.method == "join" or type(node) is ir.Cond

    def _join(self, call: ir.Call, depth: int, seen: frozenset) -> tuple[_Part, ...] | None:
        receiver = call.receiver
        positional = [a for a in call.args if a.kind == "pos"]
        if len(positional) != len(call.args):
            return None
        if type(receiver) is ir.Const and isinstance(receiver.value, str):  # Python: sep.join(xs)
            if len(positional) != 1:
                return None
            separator, source = receiver, positional[0].value
        elif not self.python and len(positional) <= 1:  # JS: xs.join(sep); join() is ","
            separator = positional[0].value if positional else ir.Const(",", call.span)
            source = receiver
            if type(separator) is not ir.Const or not isinstance(separator.value, str):
                return None
        else:
            return None
        elements = self._list(source, depth + 1, seen)
        if elements is None or elements and all(e is None for e in elements):
            return None  # unknown, or nothing known in it: no text, rather than an empty one
        self.joined = True
        parts: list[_Part] = []
        for index, element in enumerate(e for e in elements if e is not None):
            if index and separator.value:
                parts.append(_Part(separator.value, separator))
            parts.extend(element)
        return tuple(parts)

    # lists -------------------------------------------------------------------------------------------
    def _list(self, node, depth: int, seen: frozenset) -> tuple[tuple[_Part, ...] | None, ...] | None:
        if depth > _DEPTH:
            return None
        kind = type(node)
        if kind is ir.Seq and node.kind in ("list", "tuple"):
            return self._elements(node.elts, depth, seen)
        if kind is ir.BinOp and node.op == "+":
            left = self._list(node.left, depth + 1, seen)
            right = self._list(node.right, depth + 1, seen)
            return None if left is None or right is None else left + right
        if kind is ir.Name:
            value = self._name(node.id, depth, seen)
            return value.elements if value is not None else None
        if kind is ir.Loop and node.kind in _ELEMENT_LOOPS:
            element = self._loop_element(node, depth + 1, seen)
            return None if element is None else (element,)
        return None

    def _loop_element(self, loop: ir.Loop, depth: int, seen: frozenset) -> tuple[_Part, ...] | None:
        """The statement a comprehension / ``.map`` callback builds per element, its holes located where
        the loop binds its variable; ``None`` unless it is a whole statement."""
        result = loop.result
        if result is None and loop.kind == "map":  # ids.map((id) => { return `DELETE …`; })
            returns = [node for node in ir.iter_nodes(loop.body) if type(node) is ir.Return]
            result = returns[0].value if len(returns) == 1 and loop.body and loop.body[-1] is returns[0] else None
        if result is None:
            return None
        parts = self._text(result, depth + 1, seen)
        if parts is None or not is_statement("".join("{}" if p.text is None else p.text for p in parts)):
            return None
        return tuple(p._replace(at=(p.node.span.line, p.node.span.column)) if p.text is None and p.at is None else p
                     for p in parts)

    def _elements(self, nodes, depth: int, seen: frozenset) -> tuple[tuple[_Part, ...] | None, ...] | None:
        """Each element's text, ``None`` for one that is not SQL text built here (left out of the join,
        see the module doc); ``None`` when a spread (``...cols`` / ``*cols``) is not a list rebuilt here:
        how many elements it adds, and what they are, is unknown."""
        found = []
        for element in nodes:
            if type(element) is ir.Starred:
                inner = self._list(element.value, depth + 1, seen)
                if inner is None:
                    return None
                found.extend(inner)
                continue
            found.append(self._text(element, depth + 1, seen))
        return tuple(found)

    # names ---------------------------------------------------------------------------------------------
    def _name(self, name: str, depth: int, seen: frozenset) -> _Value | None:
        if name in seen or self.function.scope_of(name) != "local":
            return None
        steps = self._collect().get(name)
        if not steps:
            return None
        bases = [i for i, step in enumerate(steps) if step.kind in ("=", "each")]
        if not bases:
            return None
        seen = seen | {name}
        base = steps[bases[-1]]
        value: _Value
        if base.kind == "each":  # for q in queries: — the one element the list is known to hold
            elements = self._list(base.value, depth + 1, seen)
            if elements is None or len(elements) != 1 or elements[0] is None:
                return None
            self.joined = True
            value = _Value(elements[0])
        elif type(base.value) is ir.Loop and base.value.kind in _ELEMENT_LOOPS:
            elements = self._list(base.value, depth + 1, seen)
            if elements is None:
                return None
            value = _Value(None, elements)
        elif type(base.value) is ir.Seq and base.value.kind in ("list", "tuple"):
            elements = self._elements(base.value.elts, depth + 1, seen)
            if elements is None:
                return None
            value = _Value(None, elements)
        else:
            text = self._text(base.value, depth + 1, seen)
            if text is None:
                return None
            value = _Value(text)
        for step in steps[bases[-1] + 1:]:
            value = self._apply(value, step, depth, seen)
            if value is None:
                return None
        return value

    def _apply(self, value: _Value, step: _Step, depth: int, seen: frozenset) -> _Value | None:
        if value.elements is None:  # a text: `+=` appends, nothing else applies
            if step.kind != "+=":
                return value
            text = self._text(step.value, depth + 1, seen)
            return value if text is None else _Value(value.parts + text)
        if step.kind == "+=" or step.kind == "extend":
            source = step.value if step.kind == "+=" else (step.value.args[0].value if len(step.value.args) == 1 else None)
            added = self._list(source, depth + 1, seen) if source is not None else None
            return None if added is None else _Value(None, value.elements + added)
        if step.kind in ("append", "push", "unshift"):
            args = step.value.args
            if step.kind == "append" and len(args) != 1:
                return value
            added = self._elements([a.value if a.kind == "pos" else ir.Starred(a.value, a.value.span) for a in args], depth, seen)
            if added is None:
                return None
            return _Value(None, added + value.elements if step.kind == "unshift" else value.elements + added)
        return value

    def _collect(self) -> dict[str, list[_Step]]:
        """Every assignment to a plain name and every growing call on one, before the sink, in order."""
        if self._steps is not None:
            return self._steps
        steps: dict[str, list[_Step]] = {}
        for node in ir.iter_nodes(self.function.body):
            kind = type(node)
            if kind is ir.Loop and node.kind == "for" and type(node.target) is ir.Name \
                    and (node.span.line, node.span.column) <= self.sink <= (node.span.end_line, node.span.end_column):
                steps.setdefault(node.target.id, []).append(_Step("each", node.iter, (node.span.line, node.span.column)))
                continue
            if kind is not ir.Assign and kind is not ir.ExprStmt or (node.span.end_line, node.span.end_column) > self.sink:
                continue
            if kind is ir.Assign and node.value is not None and node.op in ("=", "+=") and len(node.targets) == 1 \
                    and type(node.targets[0]) is ir.Name:
                steps.setdefault(node.targets[0].id, []).append(_Step(node.op, node.value, (node.span.line, node.span.column)))
            elif kind is ir.ExprStmt:
                call = node.value.value if type(node.value) is ir.Await else node.value
                if type(call) is ir.Call and call.method in _GROW and type(call.receiver) is ir.Name:
                    steps.setdefault(call.receiver.id, []).append(_Step(call.method, call, (node.span.line, node.span.column)))
        for found in steps.values():
            found.sort(key=lambda step: step.position)
        self._steps = steps
        return steps


def callback_loop(module: ir.ModuleIR, function: ir.Function) -> tuple[ir.Function, ir.Loop] | None:
    """The enclosing function and the array-method loop (``xs.forEach(cb)``, ``xs.map(cb)``) whose inline
    callback ``function`` is, else ``None``."""
    if function.kind == "module" or not 0 <= function.parent < len(module.functions):
        return None
    parent = module.functions[function.parent]
    for node in ir.iter_nodes(parent.body):
        if type(node) is ir.Loop and node.fid == function.fid:
            return parent, node
    return None


def _empty(parts) -> bool:
    return parts is not None and all(p.text == "" for p in parts)


def _composed(composed: Composed | None, node) -> tuple[_Part, ...] | None:
    """A ``%`` / ``.format`` element read by :func:`compose` from its rendered IR: its text and holes,
    all located at the node."""
    if composed is None:
        return None
    parts: list[_Part] = []
    cursor = 0
    for hole in composed.holes:
        if hole.offset > cursor:
            parts.append(_Part(composed.text[cursor:hole.offset], node))
        parts.append(_Part(None, _Rendered(hole.expr, node.span), hole.how))
        cursor = hole.offset + 2
    if cursor < len(composed.text):
        parts.append(_Part(composed.text[cursor:], node))
    return tuple(parts)


class _Rendered(NamedTuple):
    """A hole :func:`compose` found, as its expression text, at the node it came from."""

    text: str
    span: Span


def _built(parts: tuple[_Part, ...], default_how: str) -> Built:
    text: list[str] = []
    holes: list[Hole] = []
    pieces: list[Piece] = []
    length = 0
    for part in parts:
        if part.text is None:
            expr = part.node.text if type(part.node) is _Rendered else render(part.node)
            chunk = "{}"
            holes.append(Hole(length, expr, part.how or default_how, part.at))
        else:
            chunk = part.text
            if not chunk:
                continue
        span = part.node.span
        pieces.append(Piece(length, Composed(chunk, (), "literal", 0), 0, span.line, max(span.column - part.opener, 1)))
        text.append(chunk)
        length += len(chunk)
    return Built("".join(text), tuple(holes), "concat" if holes else "literal", tuple(pieces), False)
