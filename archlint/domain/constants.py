"""Constant folding: what the value of an expression can be, at one place in one file.

One question, asked by every rule that must tell a fixed string from a runtime value — is the
hole in ``f"SELECT … FROM {self.table} WHERE id IN ({marks})"`` injection (AL502)? which modules
does ``require('./routes/' + m)`` load (AL106)? — answered in one place::

    ConstantFolder(facts, functions).fold(expression, scope, at) -> Folded(kind, values, items)

``kind`` is one of

* ``constant`` — fixed in the code: a literal, a module constant, a name or ``self.table`` whose
  every assignment is constant, a loop variable over ``range(1, 5)`` or a literal list, an enum
  member, a lookup in a constant allow-list (``SORTS[key]``), an UPPER_CASE name (by convention);
* ``derived`` — computed from constants and the *shape* of runtime data, never its content: a
  length, a number (``int(x)``, ``a - b`` in JS), a list of ``?`` placeholders
  (``",".join("?" * len(ids))``, ``ids.map(() => '?').join()``, ``", ".join(["?"] * n)``);
* ``quoted`` — passed through an identifier or literal quoting function (``quote_ident``,
  ``sql.Identifier``, ``pg.escapeIdentifier``, ``knex.ref`` …: ``rules/knowledge/values.toml``);
* ``unknown`` — anything else: a parameter, request data, a call archlint does not know.

``values`` are the possible strings when they are known and few (what a dynamic import needs);
``items`` describe the elements when the value is a sequence (what a loop variable takes).

It reads the facts the frontends record (:class:`~archlint.domain.facts.Assign` for every
assignment, :class:`~archlint.domain.facts.Loop`, classes, parameters) and expression *text*
through :mod:`archlint.domain.expressions`.  Flow-insensitive by design: a name is as constant as
the least constant of all its assignments in its scope.  The typed per-function IR will answer the
same question from real def-use chains; this module's interface is what it has to keep.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from archlint.domain import ir
from archlint.domain.expressions import names_in, parse
from archlint.domain.facts import FileFacts
from archlint.domain.ir_expressions import from_ir, function_tree
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple

CONSTANT = "constant"
DERIVED = "derived"
QUOTED = "quoted"
UNKNOWN = "unknown"
_RANK = {CONSTANT: 0, DERIVED: 1, QUOTED: 2, UNKNOWN: 3}
_MAX_VALUES = 32
_MAX_DEPTH = 20
_CONSTANT_NAME = lazy_compile(r"^_*[A-Z][A-Z0-9_]*$")
TABLE_ATTRIBUTES = frozenset({"__tablename__", "tableName", "table_name", "db_table"})
# names whose value is the module's own place (folded without an assignment)
FOLDED_NAMES = frozenset({"__dirname", "__filename", "__name__", "__package__", "__file__"})
_ENUM_BASES = lazy_compile(r"(^|\.)(Enum|IntEnum|StrEnum|Flag|IntFlag|TextChoices|IntegerChoices|Choices|enum)$")
_DECLARED_EXPORT = lazy_compile(r"^(?:exports\.[\w$]+\s*=\s*)*void 0$")
_INDEX_CALLBACKS = frozenset({"map", "flatMap", "forEach", "filter", "some", "every", "find", "findIndex"})
# list (set) methods that put elements in place, and which arguments are elements: each one, the last one
# (`insert(i, x)`), or each element of each one (`extend(xs)`)
_GROWERS = {"append": "one", "push": "one", "unshift": "one", "add": "one", "insert": "last", "extend": "each"}


class Folded(NamedTuple):
    kind: str
    values: tuple[str, ...] | None = None  # possible text values (kind constant), when known and few
    items: Folded | None = None  # the elements, when the value is a sequence (or a dict's keys)
    mapping: bool = False  # a dict / object: lookups into a constant one are constant
    step: Folded | None = None  # an iterator step `{ value, done }` (`it.next()`): its `value` is this element
    foreign: bool = False  # what an installed package exports (its tables: their elements are its data, not input)

    @property
    def safe(self) -> bool:
        """Cannot carry text chosen at runtime (what injection rules need)."""
        return self.kind != UNKNOWN


UNKNOWN_VALUE = Folded(UNKNOWN)
_DERIVED = Folded(DERIVED)
_QUOTED = Folded(QUOTED)
_ANY_CONSTANT = Folded(CONSTANT)


def worst(*folded: Folded) -> Folded:
    """The least constant of several values; their text values are pooled when all are known."""
    if not folded:
        return _ANY_CONSTANT
    kind = max((f.kind for f in folded), key=_RANK.__getitem__)
    values: tuple[str, ...] | None = None
    if all(f.values is not None for f in folded):
        pooled = tuple(dict.fromkeys(v for f in folded for v in f.values or ()))
        values = pooled if len(pooled) <= _MAX_VALUES else None
    items = [f.items for f in folded if f.items is not None]
    merged_items = worst(*items) if items and len(items) == len(folded) else None
    steps = [f.step for f in folded if f.step is not None]
    merged_step = worst(*steps) if steps and len(steps) == len(folded) else None
    return Folded(kind, values if kind == CONSTANT else None, merged_items, all(f.mapping for f in folded), merged_step,
                  kind == CONSTANT and all(f.foreign for f in folded))


def _concat(parts: list[Folded]) -> Folded:
    kind = max((p.kind for p in parts), key=_RANK.__getitem__) if parts else CONSTANT
    if kind != CONSTANT or any(p.values is None for p in parts):
        return Folded(kind)
    combined = [""]
    for part in parts:
        combined = ["".join(pair) for pair in product(combined, part.values or ())]
        if len(combined) > _MAX_VALUES:
            return Folded(kind)
    return Folded(kind, tuple(dict.fromkeys(combined)))


@dataclass(frozen=True, slots=True)
class ValueFunctions:
    """What library functions do to a value (``rules/knowledge/values.toml``), matched against
    the callee as written (see :meth:`matches`)."""

    derived: frozenset[str] = frozenset()  # result is a number / bool / placeholder whatever the input
    quoted: frozenset[str] = frozenset()  # result is a quoted identifier or literal
    same: frozenset[str] = frozenset()  # result is the first argument's value (str(), Object.freeze())
    same_methods: frozenset[str] = frozenset()  # x.upper() / x.trim(): the receiver's value
    path_joins: frozenset[str] = frozenset()  # path.join / os.path.join: the parts joined by "/"
    iterators: frozenset[str] = frozenset()  # TypeScript's `__values(xs)`: an iterator over xs's elements

    @staticmethod
    def matches(callee: str, names: frozenset[str]) -> bool:
        """``name`` a bare call; ``a.b`` the end of a dotted callee; ``.m`` a method of any
        receiver; ``Math.*`` any function of ``Math``."""
        if not callee:
            return False
        parts = callee.split(".")
        if len(parts) == 1:
            return callee in names
        if f".{parts[-1]}" in names or f"{parts[-2]}.*" in names:
            return True
        return any(".".join(parts[start:]) in names for start in range(len(parts) - 1))


def value_functions(knowledge) -> ValueFunctions:
    """The tables from the ``[[value_function]]`` entries of the knowledge."""
    tables: dict[str, set[str]] = {"derived": set(), "quoted": set(), "same": set(), "same_methods": set(), "path_joins": set(),
                                   "iterators": set()}
    for entry in knowledge.of_kind("value_function"):
        tables[entry.extra["result"]].update(entry.extra.get("functions", ()))
    return ValueFunctions(**{key: frozenset(value) for key, value in tables.items()})


class ConstantFolder:
    """Folds expressions of one file.  ``imported(name)`` resolves a name bound by an import to
    ``(facts of the defining file, name there)`` — one hop across modules — or None."""

    def __init__(
        self,
        facts: FileFacts,
        functions: ValueFunctions,
        imported: Callable[[str], tuple[FileFacts, str] | None] | None = None,
        conventions: bool = True,
    ) -> None:
        """``conventions``: an UPPER_CASE name nothing binds counts as a constant (configuration);
        off where only the code's own constants will do."""
        self.facts = facts
        self.conventions = conventions
        self.functions = functions
        self.imported = imported
        self.language = "python" if facts.language == "python" else "javascript"
        self._cache: dict[tuple, Folded] = {}
        self._class_names: set[str] | None = None
        self._by_target: dict[tuple[str, str], list] | None = None
        self._foreign: dict[int, ConstantFolder] = {}
        self._ir_assigns: dict[tuple[int, int], object] | None = None
        self._by_unpacked: dict[tuple[str, str], list] | None = None
        self._by_grown: dict[tuple[str, str], list] | None = None

    # public -----------------------------------------------------------------------------------------
    def fold(self, expression: str, scope: str = "", at: tuple[int, int] | None = None, known: dict[str, str] | None = None) -> Folded:
        """The value of ``expression`` written in function ``scope`` (qualified name, "" for module
        level) at ``at`` = (line, column), which places it inside or outside loops.  ``known`` gives
        names whose value the caller knows (``__name__`` relative to the file, for imports)."""
        key = (expression, scope, at, tuple(sorted(known.items())) if known else ())
        cached = self._cache.get(key)
        if cached is None:
            bound = {name: Folded(CONSTANT, (value,)) for name, value in (known or {}).items()}
            cached = self._node(parse(expression, self.language), _Where(scope, at, bound), 0, frozenset())
            self._cache[key] = cached
        return cached

    # nodes ------------------------------------------------------------------------------------------
    def _node(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        if depth > _MAX_DEPTH:
            return UNKNOWN_VALUE
        kind = node[0]
        if kind == "str":
            return Folded(CONSTANT, (node[1],))
        if kind == "num":
            return Folded(CONSTANT, (node[1],))
        if kind == "const":
            return Folded(CONSTANT, (node[1],))
        if kind == "fstr":
            return _concat([Folded(CONSTANT, (p,)) if isinstance(p, str) else self._node(p, where, depth + 1, seen) for p in node[1]])
        if kind == "format":
            inner = self._node(node[1], where, depth + 1, seen)
            if node[2][-1:] in tuple("dfeEgGxXobn%c") and inner.kind == UNKNOWN:
                return _DERIVED  # {x:d} / {x:.2f}: formats a number or raises
            return Folded(inner.kind) if inner.kind == CONSTANT else inner
        if kind == "name":
            return self._name(node[1], where, depth, seen)
        if kind == "attr":
            return self._attribute(node, where, depth, seen)
        if kind == "index":
            return self._index(node, where, depth, seen)
        if kind == "call":
            return self._call(node, where, depth, seen)
        if kind == "bin":
            return self._binary(node, where, depth, seen)
        if kind == "unary":
            if node[1] == "await":
                return self._awaited(node[2], where, depth, seen)
            operand = self._node(node[2], where, depth + 1, seen)
            if node[1] in ("not", "!", "typeof", "void", "delete", "-", "+", "~"):
                return Folded(CONSTANT) if operand.kind == CONSTANT else _DERIVED
            return UNKNOWN_VALUE  # await x
        if kind == "cond":
            then_where, else_where = _narrowed(node[1], where)
            return worst(self._node(node[2], then_where, depth + 1, seen), self._node(node[3], else_where, depth + 1, seen))
        if kind == "seq":
            items = [self._node(item, where, depth + 1, seen) for item in node[1]]
            return Folded(worst(*items).kind, None, worst(*items))
        if kind == "dict":
            values = [self._node(v, where, depth + 1, seen) for v in node[2]]
            keys = [self._node(k, where, depth + 1, seen) for k in node[1]]
            return Folded(worst(*values).kind, None, worst(*keys), True)
        if kind == "comp":
            return self._comprehension(node, where, depth, seen)
        if kind == "spread":
            return self._node(node[1], where, depth + 1, seen)
        if kind == "returns":
            return self._returns(node, where, depth, seen)
        if kind == "setitem":  # entry[key] = value (a block's local, see ir_expressions)
            base, key, value = (self._node(n, where, depth + 1, seen) for n in node[1:])
            if base.mapping:
                return Folded(worst(base, value).kind, None, worst(base.items or _ANY_CONSTANT, key), True)
            return Folded(worst(base, value).kind, None, worst(base.items or _ANY_CONSTANT, value))
        return UNKNOWN_VALUE

    def _returns(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        """A block-bodied function's value: the worst of its ``return`` values, its own locals
        folded from their assignments in source order (every assignment of a name pooled)."""
        _kind, assignments, values = node
        inner = where.bind({name: UNKNOWN_VALUE for name, _value in assignments})
        pooled: dict[str, Folded] = {}
        for name, value in assignments:
            if value is None:
                pooled[name] = UNKNOWN_VALUE
                inner = inner.bind({name: UNKNOWN_VALUE})
                continue
            folded = self._node(value, inner, depth + 1, seen)
            pooled[name] = worst(pooled[name], folded) if name in pooled else folded
            inner = inner.bind({name: pooled[name]})
        return worst(*(self._node(value, inner, depth + 1, seen) for value in values)) if values else UNKNOWN_VALUE

    def _awaited(self, operand: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        """``await p.then((row) => …)``: what the callback returns (its argument unknown);
        ``await this.load(…)``: what the method's returns settle to; else the operand's value
        (awaiting a value that is no promise gives it back)."""
        if depth > _MAX_DEPTH:
            return UNKNOWN_VALUE
        if (operand[0] == "call" and operand[1][0] == "attr" and operand[1][2] == "then" and operand[2]
                and operand[2][0][0] == "fn" and operand[2][0][2] is not None):
            _fn, params, body = operand[2][0]
            return self._node(body, where.bind({param: UNKNOWN_VALUE for param in params}), depth + 1, seen)
        if operand[0] == "call" and operand[1][0] == "attr" and operand[1][1] in (("name", "this"), ("name", "self")):
            value = self._method_value(operand[1][2], operand[2], where, depth, seen, awaited=True)
            if value is not None:
                return value
        return self._node(operand, where, depth + 1, seen)

    def _method_value(self, method: str, args: tuple, where: _Where, depth: int, seen: frozenset,
                      awaited: bool = False) -> Folded | None:
        """``this.getIds(metadata, ids)`` of a method of the enclosing class in this file: the worst
        of its ``return`` values, its parameters bound to the arguments (from the IR)."""
        owner = where.scope.rsplit(".", 1)[0] if "." in where.scope else ""
        module = self.facts.ir
        if not owner or owner not in self._classes() or module is None:
            return None
        target = f"{owner}.{method}"
        key = ("method", target)
        if key in seen:
            return UNKNOWN_VALUE
        found = next((f for f in module.functions if f.qualname == target and f.kind == "method"), None)
        if found is None:
            return None
        tree = function_tree(module, found.fid)
        if tree[0] != "fn" or any(a[0] == "spread" for a in args):
            return None
        _fn, params, body = tree
        bound = {param: self._node(arg, where, depth + 1, seen) for param, arg in zip(params, args)}
        for param in found.params[len(args):]:  # no argument: the default (`claimableSql(alias = '')` called bare)
            bound[param.name] = UNKNOWN_VALUE if param.default is None else self._node(
                from_ir(param.default, module), _Where(found.qualname, None, {}), depth + 1, seen)
        inner = _Where(found.qualname, None, bound)
        seen = seen | {key}
        if body[0] != "returns":
            return self._awaited(body, inner, depth + 1, seen) if awaited else self._node(body, inner, depth + 1, seen)
        if not awaited:
            return self._node(body, inner, depth + 1, seen)
        _kind, assignments, values = body
        return self._node(("returns", assignments, tuple(("unary", "await", v) for v in values)), inner, depth + 1, seen)

    def _comprehension(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        _kind, element, names, iterable = node
        source = self._node(iterable, where, depth + 1, seen)
        element_where = where.bind({name: _elements(source) for name in names})
        value = self._node(element, element_where, depth + 1, seen)
        return Folded(_sequence_kind(source, value), None, value)

    # names ------------------------------------------------------------------------------------------
    def _name(self, name: str, where: _Where, depth: int, seen: frozenset) -> Folded:
        if name in where.bound:
            return where.bound[name]
        if name in FOLDED_NAMES:
            return Folded(CONSTANT, (".",) if name in ("__dirname", "__package__") else None)
        key = ("name", name, where.scope)
        if key in seen:
            return UNKNOWN_VALUE
        seen = seen | {key}
        looped = self._loop_variable(name, where, depth, seen)
        if looped is not None:
            return looped
        if self._is_parameter(name, where.scope):
            overwritten = self._overwritten(name, where, depth, seen)
            return overwritten if overwritten is not None else self._constant_argument(name, where.scope, depth, seen)
        for scope in _enclosing(where.scope, self._classes()):
            assigned = self._assigned(name, scope, depth, seen)
            if assigned is not None:
                return self._conventional(name, assigned)
            if scope and self._is_parameter(name, scope):
                return UNKNOWN_VALUE
        if name in self._classes():
            return Folded(CONSTANT, None, None, True)  # a class: its attributes are looked up below
        if self.imported is not None and depth < _MAX_DEPTH - 2:
            found = self.imported(name)
            if found is not None and found[1]:
                foreign_facts, foreign_name = found
                folder = self._foreign_folder(foreign_facts)
                value = folder._name(foreign_name, _Where("", None, {}), depth + 2, frozenset())
                return self._conventional(name, value)
        return self._conventional(name, UNKNOWN_VALUE)

    def _overwritten(self, name: str, where: _Where, depth: int, seen: frozenset) -> Folded | None:
        """A parameter the function overwrites unconditionally before ``where.at``, with nothing else
        assigning it in between (knex's ``indexName = indexName ? this.formatter.wrap(indexName) :
        this._indexCommand(…)`` before ``create index ${indexName}``): it holds the new value there.
        Read from the IR of the function: a plain ``=`` statement of its body, not one in a branch."""
        module = self.facts.ir
        if module is None or where.at is None:
            return None
        function = next((f for f in module.functions if f.qualname == where.scope), None)
        if function is None:
            return None
        last = None
        for statement in function.body:
            if (statement.span.line, statement.span.column) >= where.at:
                break
            if type(statement) is ir.Assign and statement.op == "=" and statement.value is not None \
                    and len(statement.targets) == 1 and type(statement.targets[0]) is ir.Name and statement.targets[0].id == name:
                last = statement
        if last is None:
            return None
        for node in ir.iter_nodes(function.body):
            if type(node) is ir.Assign and node is not last and last.span.line <= node.span.line <= where.at[0] \
                    and any(name in ir.target_names(t) for t in node.targets):
                return None  # assigned again (in a branch) before the hole
        value = from_ir(last.value, module)
        return self._node(value, _Where(where.scope, (last.span.line, last.span.column), where.bound), depth + 1, seen)

    def _conventional(self, name: str, value: Folded) -> Folded:
        return _by_convention(name, value) if self.conventions else value

    def _foreign_folder(self, facts: FileFacts) -> ConstantFolder:
        folder = self._foreign.get(id(facts))
        if folder is None:
            folder = ConstantFolder(facts, self.functions, None, self.conventions)
            self._foreign[id(facts)] = folder
        return folder

    def _assigned(self, target: str, scope: str, depth: int, seen: frozenset) -> Folded | None:
        """The worst value of every assignment to ``target`` in ``scope``; None when there is none.
        ``package, module = REGISTRY[name]`` gives each name an element of the value."""
        found = self._assignments().get((scope, target), [])
        unpacked = self._unpacked().get((scope, target), [])
        if not found and not unpacked:
            return None
        values = [_elements(self._node(parse(assign.value, self.language), _Where(scope, (assign.span.line, assign.span.column), {}),
                                       depth + 1, seen)) for assign in unpacked]
        for assign in found:
            where = _Where(scope, (assign.span.line, assign.span.column), {})
            value = self._node(parse(assign.value, self.language), where, depth + 1, seen)
            if value.kind == UNKNOWN and (tree := self._ir_value(assign)) is not None:
                value = self._node(tree, where, depth + 1, seen)  # the text was cut: the IR has it whole
            values.append(value)
        value = worst(*values)
        if value.items is not None and not value.mapping:
            grown = self._grown(target, scope, depth, seen)
            if grown:  # `const rows = []; rows.push(...(await q))`: the list holds what was put in it too
                value = value._replace(kind=max(value.kind, DERIVED, key=_RANK.__getitem__), values=None,
                                       items=worst(value.items, *grown))
        return value

    def _grown(self, name: str, scope: str, depth: int, seen: frozenset) -> list[Folded]:
        """The elements the function ``scope`` puts into the list ``name`` in place (``name.push(x)``,
        ``.append(x)``, ``.insert(i, x)``, ``.unshift(x)``, ``.add(x)``; ``.extend(xs)`` and ``push(...xs)``
        each element of ``xs``), read from the IR.  A list bound to ``[]`` is not empty when the
        code fills it: typeorm's ``dbTables = []`` filled with ``push(...(await this.query(sql)))``."""
        module = self.facts.ir
        if module is None:
            return []
        grown = []
        for node in self._grow_calls().get((scope, name), ()):
            where = _Where(scope, (node.span.line, node.span.column), {})
            how = _GROWERS[node.func.name]
            for arg in node.args[-1:] if how == "last" else node.args:
                value = self._node(from_ir(arg.value, module), where, depth + 1, seen)
                grown.append(_elements(value) if how == "each" or arg.kind == "star" else value)
        return grown

    def _grow_calls(self) -> dict[tuple[str, str], list]:
        """Each function's in-place growing calls (``name.push(…)`` …, ``_GROWERS``) by (function, list name):
        one walk of the file's IR for every list the folder asks about."""
        if self._by_grown is None:
            table: dict[tuple[str, str], list] = {}
            walked: set[str] = set()
            for function in self.facts.ir.functions:
                if function.qualname in walked:
                    continue  # the first function of a qualified name is the scope's, as everywhere in the folder
                walked.add(function.qualname)
                for node in ir.iter_nodes(function.body):
                    if type(node) is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name \
                            and node.func.name in _GROWERS and node.args:
                        table.setdefault((function.qualname, node.func.obj.id), []).append(node)
            self._by_grown = table
        return self._by_grown

    def _unpacked(self) -> dict[tuple[str, str], list]:
        """Assignments to a flat tuple of names (``a, b = value`` / ``(a, b) = value``), by name."""
        if self._by_unpacked is None:
            table: dict[tuple[str, str], list] = {}
            for assign in (*self.facts.assigns, *self.facts.value_assigns):
                text = assign.target.strip().strip("()[]")
                if "," not in text:
                    continue
                names = [part.strip() for part in text.split(",")]
                if all(re.fullmatch(r"[A-Za-z_]\w*", name) for name in names if name):
                    for name in names:
                        if name:
                            table.setdefault((assign.scope, name), []).append(assign)
            self._by_unpacked = table
        return self._by_unpacked

    def _ir_value(self, assign) -> tuple | None:
        """The assigned value as the IR holds it (same start as the fact's span), as a tree."""
        module = self.facts.ir
        if module is None:
            return None
        if self._ir_assigns is None:
            table: dict[tuple[int, int], object] = {}
            for function in module.functions:
                for node in ir.iter_nodes(function.body):
                    if type(node) is ir.Assign and node.value is not None and len(node.targets) == 1:
                        table.setdefault((node.span.line, node.span.column), node.value)
            self._ir_assigns = table
        value = self._ir_assigns.get((assign.span.line, assign.span.column))
        return from_ir(value, module) if value is not None else None

    def _assignments(self) -> dict[tuple[str, str], list]:
        if self._by_target is None:
            table: dict[tuple[str, str], list] = {}
            for assign in (*self.facts.assigns, *self.facts.value_assigns):
                target = _target_name(assign.target)
                if target:
                    table.setdefault((assign.scope, target), []).append(assign)
            self._by_target = table
        return self._by_target

    def _loop_variable(self, name: str, where: _Where, depth: int, seen: frozenset) -> Folded | None:
        if where.at is None:
            return None
        line, column = where.at
        best = None
        for loop in self.facts.loops:
            span = loop.span
            if not ((span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)):
                continue
            if loop.scope != where.scope and not where.scope.startswith(loop.scope + ".") and loop.scope:
                continue
            names = names_in(loop.target)
            if name not in names:
                continue
            if best is None or (span.line, span.column) > (best.span.line, best.span.column):
                best = loop  # the innermost loop binding the name
        if best is None:
            return None
        names = names_in(best.target)
        loop_where = _Where(best.scope, (best.span.line, best.span.column), {})
        tree = parse(best.iterable, self.language)
        if tree[0] == "call" and tree[1] == ("name", "enumerate") and len(names) == 2 and tree[2]:
            return _DERIVED if name == names[0] else _elements(self._node(tree[2][0], loop_where, depth + 1, seen))
        if (self.language == "python" and len(names) == 2 and tree[0] == "call" and tree[1][0] == "attr"
                and tree[1][2] == "items" and not tree[2]):
            mapping = self._node(tree[1][1], loop_where, depth + 1, seen)
            if mapping.mapping and mapping.items is not None:
                # for key, value in TABLES.items(): the keys of a dict literal, its values' worst kind
                return mapping.items if name == names[0] else Folded(mapping.kind)
        source = self._node(tree, loop_where, depth + 1, seen)
        if len(names) == 1:
            return _elements(source)
        if self.language != "python" and len(names) == 2 and name == names[1] and not _destructured(best.target):
            return _DERIVED  # rows.map((row, i) => …): the index (not `({ NAME, SCHEMA }) =>`: two fields of the row)
        return _elements(source) if source.kind == CONSTANT else UNKNOWN_VALUE

    def _constant_argument(self, name: str, scope: str, depth: int, seen: frozenset) -> Folded:
        """A parameter of a module-level function the file does not export, which every call in the
        file passes a constant (``batchDeleteOrphans(knex, 'final_entities')``): that constant."""
        if "." in scope or self.language == "python" or scope in self.facts.exports or depth > _MAX_DEPTH - 2:
            return UNKNOWN_VALUE
        function = next((f for f in self.facts.functions if f.qualname == scope), None)
        if function is None:
            return UNKNOWN_VALUE
        names = [p.name for p in function.parameters()]
        position = names.index(name) if name in names else -1
        if position < 0 or any(p.startswith(("*", ".")) for p in names[:position + 1]):
            return UNKNOWN_VALUE
        calls = [c for c in self.facts.calls if c.callee == scope]
        if not calls or any(c.callee == scope for c in self.facts.calls if c.scope == scope):
            return UNKNOWN_VALUE  # never called here, or recursive
        values = []
        for call in calls:
            arguments = call.arguments(full=True)
            if position >= len(arguments) or arguments[position].keyword or arguments[position].text.startswith("..."):
                return UNKNOWN_VALUE
            values.append(self._node(parse(arguments[position].text, self.language), _Where(call.scope, None, {}),
                                     depth + 2, seen))
        value = worst(*values)
        return value if value.kind == CONSTANT else UNKNOWN_VALUE

    def _is_parameter(self, name: str, scope: str) -> bool:
        if not scope:
            return False
        function = next((f for f in self.facts.functions if f.qualname == scope), None)
        return function is not None and any(p.name.lstrip("*.") == name for p in function.parameters())

    def _classes(self) -> set[str]:
        if self._class_names is None:
            self._class_names = {c.name for c in self.facts.classes}
        return self._class_names

    # attributes ---------------------------------------------------------------------------------------
    def _attribute(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        _kind, obj, attribute = node
        if attribute in TABLE_ATTRIBUTES or attribute == "_meta":
            return Folded(CONSTANT)  # the model's own table name (__tablename__, _meta.db_table)
        if attribute in ("name", "key") and _schema_column(obj):
            return Folded(CONSTANT)  # table.c[key].name / Model.__table__.c.id.name: a column the schema declares
        if obj[0] == "name" and obj[1] in ("self", "this", "cls"):
            value = self._member(attribute, where.scope, depth, seen)
            return value if value is not None else self._conventional(attribute, UNKNOWN_VALUE)
        if obj[0] == "name" and obj[1] in self._classes() and obj[1] not in where.bound:
            value = self._class_attribute(obj[1], attribute, depth, seen)
            if value is not None:
                return value
        if obj == ("name", "__spec__") and attribute in ("parent", "name") and self.language == "python":
            return Folded(CONSTANT)  # the module's own package / name
        if attribute == "length" and self.language != "python":
            return _DERIVED
        base = self._node(obj, where, depth + 1, seen)
        if attribute == "value" and base.step is not None:
            return base.step  # `c = _b.value` of an iterator step: one element of what is iterated
        if base.kind == CONSTANT and (base.mapping or attribute in ("value", "name")):
            return Folded(CONSTANT)  # ENUM.MEMBER.value, CONFIG.key of a constant object
        if base.kind == DERIVED or base.kind == QUOTED and base.mapping:
            return Folded(base.kind)  # a member of an object whose every value is a number / quoted
        if base.kind == UNKNOWN and obj[0] == "name" and obj[1] not in where.bound and not self._is_parameter(obj[1], where.scope):
            # (a name a callback binds is an element — `rows.map((t) => t.TABLE_NAME)` — not a module or a class)
            member = self._module_member(obj[1], attribute, depth)
            if member is not None:
                return member
            if self._package_export(obj[1], where.scope):
                return Folded(CONSTANT, None, None, True, foreign=True)  # `constants_1.TaskStatus.Running`: another package's code
            return self._conventional(attribute, UNKNOWN_VALUE)  # settings.TABLE_PREFIX, Config.TABLE
        # the UPPER_CASE convention names constants of modules and classes; on an object that arrives
        # as a parameter or through an attribute chain it says nothing: Django's `request.GET` /
        # `self.request.POST` / `request.META` hold the client's input
        return self._conventional(attribute, UNKNOWN_VALUE) if base.kind == CONSTANT else UNKNOWN_VALUE

    def _module_member(self, name: str, attribute: str, depth: int) -> Folded | None:
        """``entities_1.OutboxStatus`` where ``entities_1`` is a project module (``require`` /
        ``import * as``): what that module assigns to ``OutboxStatus`` (``exports.OutboxStatus = {
        Pending: 'pending' }``, ``export const …``) — n8n's repositories splice their entities'
        status constants into SQL this way."""
        found = self.imported(name) if self.imported is not None and depth < _MAX_DEPTH - 2 else None
        if found is None or found[1]:
            return None
        folder = self._foreign_folder(found[0])
        for target in (attribute, f"exports.{attribute}"):
            # TypeScript's CommonJS output declares every export first: `exports.A = exports.B = void 0`
            assigns = [a for a in folder._assignments().get(("", target), ()) if not _DECLARED_EXPORT.match(a.value)]
            if assigns:
                return worst(*(folder._node(parse(a.value, folder.language), _Where("", None, {}), depth + 2, frozenset())
                               for a in assigns))
        return None

    def _package_export(self, name: str, scope: str) -> bool:
        """``name`` (JS) is what an installed package exports — ``const constants_1 = require("@n8n/constants")``,
        ``import { TaskStatus } from '@n8n/constants'`` — and no function around ``scope`` rebinds it: what
        a member of it holds (an enum member, a constant table) is that package's code, never the
        request's data.  A project module (a relative specifier) is read through ``_module_member``."""
        if self.language == "python":
            return False
        target = next((b.target for b in self.facts.bindings if b.name == name), None)
        if target is None or target.startswith((".", "/")):
            return False
        assignments = self._assignments()
        return not any((enclosing, name) in assignments for enclosing in _enclosing(scope, self._classes()) if enclosing)

    def _member(self, attribute: str, scope: str, depth: int, seen: frozenset) -> Folded | None:
        """``self.x`` inside a method: every ``self.x = …`` in the class (and its subclasses in this
        file) and the class-level ``x = …``."""
        classes = self._classes()
        owner = next((part for part in reversed(scope.split(".")) if part in classes), None)
        if owner is None:
            return None
        family = {owner} | {c.name for c in self.facts.classes if any(b.split(".")[-1] == owner for b in c.bases)}
        key = ("member", owner, attribute)
        if key in seen:
            return UNKNOWN_VALUE
        seen = seen | {key}
        values = []
        for (assign_scope, target), found in self._assignments().items():
            if target in (f"self.{attribute}", f"this.{attribute}", f"cls.{attribute}") and assign_scope.split(".")[0] in family:
                values.append(self._assigned(target, assign_scope, depth, seen))
            elif target == attribute and assign_scope in family:
                values.append(self._assigned(target, assign_scope, depth, seen))
        values = [v for v in values if v is not None]
        return worst(*values) if values else None

    def _class_attribute(self, class_name: str, attribute: str, depth: int, seen: frozenset) -> Folded | None:
        assigned = self._assigned(attribute, class_name, depth, seen)
        if assigned is not None:
            return assigned
        cls = next(c for c in self.facts.classes if c.name == class_name)
        if any(_ENUM_BASES.search(base) for base in cls.bases):
            return Folded(CONSTANT, None, None, True)  # an enum member
        return None

    # lookups and calls ------------------------------------------------------------------------------
    def _index(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        base = self._node(node[1], where, depth + 1, seen)
        if node[2] == ("slice",):
            return Folded(base.kind, None, base.items)
        if base.kind == CONSTANT and not base.mapping and base.items is not None and base.items.mapping:
            return base.items  # `entry[1]` of a constant list of objects: one of those objects
        if base.kind == CONSTANT:
            return Folded(CONSTANT)  # a lookup in a constant allow-list
        if base.kind == DERIVED or base.items is not None and base.items.kind != UNKNOWN:
            return base.items if base.items is not None else _DERIVED
        return UNKNOWN_VALUE

    def _call(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        _kind, function, args, keywords = node
        if function[0] == "seq" and len(function[1]) == 2 and function[1][0] == ("num", "0"):
            function = function[1][1]  # tsc's CommonJS output `(0, dialect_1.nowLiteral)(…)`: a plain call
        callee = _dotted(function)
        functions = self.functions
        if callee and functions.matches(callee, functions.quoted):
            return _QUOTED
        if callee and functions.matches(callee, functions.derived):
            return _DERIVED
        fold = lambda n: self._node(n, where, depth + 1, seen)  # noqa: E731
        if callee and functions.matches(callee, functions.path_joins):
            parts = [fold(a) for a in args]
            joined = _concat(_interleave(parts, Folded(CONSTANT, ("/",))))
            return joined._replace(values=tuple(_normalise_path(v) for v in joined.values)) if joined.values else joined
        if callee in ("range", "Array", "Array.from") or callee in ("Object.keys", "Object.entries", "Object.values"):
            return self._sequence_call(callee, args, where, depth, seen)
        if callee and functions.matches(callee, functions.same):
            return fold(args[0]) if args else Folded(CONSTANT, ("",))
        if callee and args and functions.matches(callee, functions.iterators):
            return fold(args[0])  # `__values(xs)`: iterating it iterates xs
        if function[0] == "attr" and function[2] == "next" and not args and self.language != "python":
            element = _elements(fold(function[1]))  # `_b = _a.next()` on `__values(xs)`: `_b.value` is an element of xs
            return Folded(element.kind, step=element)
        if function[0] == "name":
            return self._local_helper(function[1], args, where, depth, seen)
        if function[0] != "attr":
            return UNKNOWN_VALUE
        receiver, method = function[1], function[2]
        if receiver[0] == "name" and receiver[1] in ("this", "self") and self._quoting_method(method, where.scope):
            return _QUOTED  # this.getTableName('user'): a method that returns the driver's escape of a name
        if receiver[0] == "name" and receiver[1] in ("this", "self"):
            value = self._method_value(method, args, where, depth, seen)
            if value is not None:
                return value  # this.claimableSql('t.'): what the class's own method returns for these arguments
        if receiver[0] == "name" and receiver[1] not in where.bound and not any(arg[0] == "spread" for arg in args):
            helper = self._module_helper(receiver[1], method, args, where, depth, seen)
            if helper is not None:
                return helper
        if method in functions.same_methods:
            return fold(receiver)
        if method == "join":
            return self._join(receiver, args, where, depth, seen)
        if method in ("replace", "replaceAll") and _escapes_quote(args):
            return _QUOTED  # passphrase.replace("'", "''"): SQL's own escape of a quoted literal
        if method in ("replace", "replaceAll") and args:
            # name.replace("]", "]]"): the receiver's text with constant text substituted — as
            # constant as the receiver and every argument (not `TEMPLATE.replace("{x}", user)`)
            return worst(fold(receiver), *(fold(a) for a in args), *(fold(v) for _k, v in keywords))
        if method == "format" and self.language == "python":
            return worst(fold(receiver), *(fold(a) for a in args), *(fold(v) for _k, v in keywords))
        if method in ("get", "has", "includes") and (base := fold(receiver)).kind == CONSTANT:
            return worst(Folded(CONSTANT), *(fold(a) for a in args[1:]))  # ALLOWED.get(key, "id")
        if method == "repeat":
            base = fold(receiver)
            return _DERIVED if base.kind == CONSTANT else base
        if method in ("fill",):
            value = fold(args[0]) if args else Folded(CONSTANT)
            return Folded(DERIVED, None, value)
        if method in ("keys", "values") and (base := fold(receiver)).kind == CONSTANT:
            return Folded(CONSTANT, None, base.items if method == "keys" else Folded(CONSTANT))
        if method in ("map", "flatMap") and args and args[0][0] == "fn":
            return self._map(receiver, args[0], where, depth, seen)
        if method == "map" and args and args[0][0] in ("name", "attr") and functions.matches(_dotted(args[0]), functions.quoted):
            source = fold(receiver)  # names.map(this.dataSource.driver.escape): each element quoted
            return Folded(_sequence_kind(source, _QUOTED), None, _QUOTED)
        if method == "count":
            return _DERIVED
        return UNKNOWN_VALUE

    def _local_helper(self, name: str, args: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        """A call of an arrow function bound once to a local name, its body one expression
        (``const esc = (name) => queryRunner.connection.driver.escape(name)``): the body's value with
        the parameters bound to the arguments."""
        key = ("helper", name, where.scope)
        if key in seen or name in where.bound or any(arg[0] == "spread" for arg in args):
            return UNKNOWN_VALUE
        folded = [self._node(arg, where, depth + 1, seen) for arg in args]
        for scope in _enclosing(where.scope, self._classes()):
            if (scope, name) in self._assignments():
                return self._helper_value(name, scope, folded, depth + 1, seen | {key})
            if scope and self._is_parameter(name, scope):
                return UNKNOWN_VALUE
        if self.imported is not None and depth < _MAX_DEPTH - 2:
            # `import { nowLiteral } from './dialect'` / `from .sql import quoted_table`: the helper
            # another project module defines, its parameters bound to the arguments folded here
            found = self.imported(name)
            if found is not None and found[1]:
                foreign_facts, foreign_name = found
                return self._foreign_folder(foreign_facts)._helper_value(foreign_name, "", folded, depth + 2, frozenset())
        return UNKNOWN_VALUE

    def _module_helper(self, module_name: str, name: str, args: tuple, where: _Where, depth: int, seen: frozenset) -> Folded | None:
        """``dialect_1.nowLiteral(pg)`` / ``dialect.now_literal(pg)`` where the receiver is a whole project
        module (``require``, ``import * as``, ``import dialect``): that module's helper, else ``None``."""
        if self.imported is None or depth >= _MAX_DEPTH - 2 or self._is_parameter(module_name, where.scope):
            return None
        found = self.imported(module_name)
        if found is None or found[1]:
            return None
        folded = [self._node(arg, where, depth + 1, seen) for arg in args]
        value = self._foreign_folder(found[0])._helper_value(name, "", folded, depth + 2, frozenset())
        return value if value.kind != UNKNOWN else None

    def _helper_value(self, name: str, scope: str, arguments: list[Folded], depth: int, seen: frozenset) -> Folded:
        """The value of the function bound to ``name`` in ``scope`` — an arrow or lambda assigned once,
        or a module-level ``def`` / ``function`` declaration (from the IR) — called with ``arguments``
        (already folded where the call is)."""
        found = self._assignments().get((scope, name))
        if found:
            if len(found) != 1:
                return UNKNOWN_VALUE
            function = parse(found[0].value, self.language)
            inner_scope = scope
        else:
            module = self.facts.ir
            declared = [f for f in module.functions if f.name == name and f.parent == 0 and f.kind == "function"] \
                if module is not None and not scope else []
            if len(declared) != 1:
                return UNKNOWN_VALUE
            function = function_tree(module, declared[0].fid)
            inner_scope = declared[0].qualname
        if function[0] != "fn" or function[2] is None:
            return UNKNOWN_VALUE
        _kind, params, body = function
        bound = _bind(params, arguments)  # a parameter with no argument: its default, as at the call sites
        return self._node(body, _Where(inner_scope, None, bound), depth + 1, seen)

    def _quoting_method(self, method: str, scope: str) -> bool:
        """A method of the enclosing class every ``return`` of which returns a quoting call
        (``getTableName(name) { …; return this.manager.connection.driver.escape(`${prefix}${name}`); }``,
        n8n's repositories)."""
        owner = scope.rsplit(".", 1)[0] if "." in scope else ""
        if not owner or owner not in self._classes():
            return False
        module = self.facts.ir
        if module is None:
            return False
        target = f"{owner}.{method}"
        found = next((f for f in module.functions if f.qualname == target and f.kind == "method"), None)
        if found is not None:
            return self._returns_quoted(module, found, 0)
        return self._inherited_quoting(owner, method)

    def _inherited_quoting(self, owner: str, method: str) -> bool:
        """The method is not the class's own but its base class's, that base imported from another
        project module (knex's ``class TableCompiler_Oracle extends TableCompiler`` calling
        ``this.tableName()`` / ``this._indexCommand(…)``, both ``return this.formatter.wrap(name)``):
        one hop, the base's own method only, judged in the base's file."""
        module = self.facts.ir
        if self.imported is None or module is None:
            return False
        declared = next((c for c in module.classes if c.qualname == owner), None)
        if declared is None or any(f.qualname == f"{owner}.{method}" for f in module.functions):
            return False
        for base in declared.bases:
            if type(base) is not ir.Name:
                continue
            found = self.imported(base.id)
            if found is None or found[0].ir is None:
                continue
            foreign = found[0].ir
            # `module.exports = TableCompiler` read through `require`: the whole module, its one class
            classes = [c for c in foreign.classes if c.qualname == (found[1] or base.id)] or (
                foreign.classes if not found[1] and len(foreign.classes) == 1 else [])
            for cls in classes:
                function = next((f for f in foreign.functions if f.qualname == f"{cls.qualname}.{method}"
                                 and f.kind == "method"), None)
                if function is not None:
                    return self._foreign_folder(found[0])._returns_quoted(foreign, function, 0)
        return False

    def _returns_quoted(self, module, function, depth: int) -> bool:
        """Every ``return`` of ``function`` is a quoting call, or the quoted parts of a dotted path
        joined again — typeorm's ``getTableName(tablePath) { return tablePath.split(".").map((i) =>
        i === "" ? i : driver.escape(i)).join("."); }`` (the branch taken when ``i`` equals a
        constant returns that constant)."""
        returns = [node for node in ir.iter_nodes(function.body) if type(node) is ir.Return]
        return bool(returns) and depth < 3 and all(
            self._quoted_expr(module, node.value, None, depth) for node in returns)

    def _quoted_expr(self, module, value, narrowed, depth: int) -> bool:
        if type(value) is ir.Const or (narrowed is not None and type(value) is ir.Name and value.id == narrowed):
            return True
        if type(value) is ir.Cond:
            test = value.test
            equal = (test.left.id if type(test) is ir.Compare and test.op == "==" and type(test.left) is ir.Name
                     and type(test.right) is ir.Const else None)
            return (self._quoted_expr(module, value.then, equal or narrowed, depth)
                    and self._quoted_expr(module, value.orelse, narrowed, depth))
        if type(value) is not ir.Call or type(value.func) not in (ir.Name, ir.Attr):
            return False
        if self.functions.matches(_ir_dotted(value.func), self.functions.quoted):
            return True
        if value.method == "join":  # parts.map(cb).join(".") / ".".join(quote(p) for p in parts)
            loop = value.receiver if type(value.receiver) is ir.Loop else value.arg(0)
            if type(loop) is not ir.Loop or loop.kind not in ("map", "comprehension"):
                return False
            if 0 <= loop.fid < len(module.functions):
                return self._returns_quoted(module, module.functions[loop.fid], depth + 1)
            return loop.result is not None and self._quoted_expr(module, loop.result, narrowed, depth + 1)
        return False

    def _sequence_call(self, callee: str, args: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        if callee == "range":
            return Folded(DERIVED, None, _DERIVED)
        if callee == "Object.keys":
            base = self._node(args[0], where, depth + 1, seen) if args else UNKNOWN_VALUE
            return Folded(base.kind, None, base.items) if base.mapping else UNKNOWN_VALUE
        if callee in ("Object.entries", "Object.values"):
            # of a constant object (a package's exported table): its values — and for entries `[key, value]`
            # pairs — are that constant data
            base = self._node(args[0], where, depth + 1, seen) if args else UNKNOWN_VALUE
            if base.kind != CONSTANT or not base.foreign:
                return UNKNOWN_VALUE  # (a project object is filled at runtime: `resolutions[key] = …`)
            value = Folded(CONSTANT, mapping=True, foreign=True)
            return Folded(CONSTANT, None, value if callee == "Object.values" else Folded(CONSTANT, None, value))
        if callee == "Array":  # Array(n) / new Array(n): n empty slots
            return Folded(DERIVED, None, Folded(CONSTANT, ("",)))
        if not args:
            return UNKNOWN_VALUE
        source = self._node(args[0], where, depth + 1, seen)  # Array.from(x, fn)
        if source.mapping and source.items is not None:
            source = Folded(DERIVED, None, Folded(CONSTANT, ("",)))  # Array.from({ length: n })
        if len(args) > 1 and args[1][0] == "fn":
            return self._apply(source, args[1], where, depth, seen)
        return source

    def _join(self, receiver: tuple, args: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        if self.language == "python":
            separator = self._node(receiver, where, depth + 1, seen)
            source = self._node(args[0], where, depth + 1, seen) if args else UNKNOWN_VALUE
        else:
            source = self._node(receiver, where, depth + 1, seen)
            separator = self._node(args[0], where, depth + 1, seen) if args else Folded(CONSTANT, (",",))
        elements = _elements(source)
        if source.kind == CONSTANT and elements.kind == CONSTANT and separator.kind == CONSTANT:
            return Folded(CONSTANT)
        return Folded(max(elements.kind, separator.kind, DERIVED if source.kind != UNKNOWN else UNKNOWN, key=_RANK.__getitem__))

    def _map(self, receiver: tuple, function: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        source = self._node(receiver, where, depth + 1, seen)
        return self._apply(source, function, where, depth, seen)

    def _apply(self, source: Folded, function: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        """``xs.map((x, i) => body)``: a sequence of ``body`` with x an element of xs, i its index."""
        _kind, params, body = function
        if body is None:
            return UNKNOWN_VALUE
        bound = _bind(params[:2], [_elements(source), _DERIVED])
        value = self._node(body, where.bind(bound), depth + 1, seen)
        return Folded(_sequence_kind(source, value), None, value)

    def _binary(self, node: tuple, where: _Where, depth: int, seen: frozenset) -> Folded:
        _kind, operator, left_node, right_node = node
        left = self._node(left_node, where, depth + 1, seen)
        right = self._node(right_node, where, depth + 1, seen)
        if operator == "+":
            if left.items is not None and right.items is not None:
                return Folded(worst(left, right).kind, None, worst(left.items, right.items))
            return _concat([left, right])
        if operator == "*":
            if self.language != "python":
                return _DERIVED
            repeated = next((side for side in (left, right) if side.kind == CONSTANT and (side.values or side.items)), None)
            if repeated is not None:  # "?" * len(ids) / ["?"] * n: copies of a constant
                other = right if repeated is left else left
                if other.kind == CONSTANT:
                    return Folded(CONSTANT, None, repeated.items)
                return Folded(DERIVED, None, repeated.items)
            return worst(left, right) if UNKNOWN in (left.kind, right.kind) else _DERIVED
        if operator == "%" and self.language == "python" and left.kind == CONSTANT and left.values:
            return worst(left, right, *([right.items] if right.items is not None else []))
        if operator in ("or", "||", "??", "and", "&&"):
            return worst(left, right)
        if operator in ("-", "/", "//", "**", "%", "<<", ">>", ">>>", "&", "|", "^", "@"):
            if self.language != "python" or UNKNOWN not in (left.kind, right.kind) or _numeric(left_node) or _numeric(right_node):
                return Folded(CONSTANT) if left.kind == right.kind == CONSTANT else _DERIVED
            return UNKNOWN_VALUE
        return _DERIVED  # comparisons, `in`, `is`: a boolean


class _Where(NamedTuple):
    scope: str
    at: tuple[int, int] | None
    bound: dict  # names bound by an enclosing lambda / comprehension / callback

    def bind(self, names: dict) -> _Where:
        return _Where(self.scope, self.at, {**self.bound, **names})


def _narrowed(test: tuple, where: _Where) -> tuple[_Where, _Where]:
    """The two branches of ``typeof x === "string" ? a : b``: in the one where ``x`` is not a
    string it is a number, a boolean or an empty value read back as such, never text (CockroachDB's
    ``typeof value === "string" ? parseInt(value) : value``)."""
    if test[0] != "bin" or test[1] not in ("===", "==", "!==", "!="):
        return where, where
    sides = (test[2], test[3])
    typed = next((s for s in sides if s[0] == "unary" and s[1] == "typeof" and s[2][0] == "name"), None)
    other = sides[1] if typed is sides[0] else sides[0]
    if typed is None or other != ("str", "string"):
        return where, where
    not_text = where.bind({typed[2][1]: _DERIVED})
    return (where, not_text) if test[1] in ("===", "==") else (not_text, where)


def _elements(source: Folded) -> Folded:
    """What a loop over ``source`` binds: its items, else nothing known."""
    if source.items is not None:
        return source.items
    if source.kind == CONSTANT and source.foreign:
        return Folded(CONSTANT, mapping=True, foreign=True)  # an element of a package's exported table: that package's data
    return UNKNOWN_VALUE if source.kind == UNKNOWN else Folded(source.kind if source.kind != CONSTANT else CONSTANT)


def _bind(params, values) -> dict:
    """Parameters bound to values, by position.  A destructured parameter (``{ NAME, SCHEMA }``, as
    :mod:`~archlint.domain.expressions` keeps it) binds each of its names to a field of its value — as
    constant as the value, never constant by the UPPER_CASE convention (typeorm's
    ``rows.map(({ TABLE_NAME, TABLE_SCHEMA }) => …)`` over INFORMATION_SCHEMA rows)."""
    bound = {}
    for param, value in zip(params, values):
        if _destructured(param):
            bound.update((name, Folded(value.kind)) for name in names_in(param))
        else:
            bound[param] = value
    return bound


def _destructured(target: str) -> bool:
    """A loop target that is one destructuring pattern (``{ a, b }`` / ``[a, b]``), not a parameter list."""
    text = target.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text[:1] in ("{", "[") and text[-1:] in ("}", "]")


def _sequence_kind(source: Folded, element: Folded) -> str:
    """A comprehension / map over ``source`` producing ``element``s: constant when both are, derived
    when the elements are fixed but how many depends on runtime data (placeholder lists)."""
    if element.kind == UNKNOWN:
        return UNKNOWN
    if source.kind == CONSTANT and element.kind == CONSTANT:
        return CONSTANT
    return max(element.kind, DERIVED, key=_RANK.__getitem__)


def _schema_column(node: tuple) -> bool:
    """``table.c[key]`` / ``table.columns[key]`` / ``table.c.title``: a column of a SQLAlchemy
    ``Table`` (its collection ``c``/``columns``), whose name the schema declares."""
    if node[0] not in ("index", "attr"):
        return False
    collection = node[1]
    return collection[0] == "attr" and collection[2] in ("c", "columns")


def _by_convention(name: str, value: Folded) -> Folded:
    """An UPPER_CASE name is a constant by convention when nothing shows it is not (an environment
    variable read at start-up is configuration, not input)."""
    if value.kind == UNKNOWN and constant_name(name):
        return Folded(CONSTANT, None, value.items, value.mapping)
    return value


def constant_name(name: str) -> bool:
    """``SORTS`` / ``_ALLOWED_ORDER``: written UPPER_CASE, a constant by the Python and JS convention
    (the one spelling of the convention: constant folding and the allow-list guards both ask here)."""
    return _CONSTANT_NAME.match(name) is not None


def _numeric(node: tuple) -> bool:
    return node[0] == "num" or (node[0] == "call" and node[1][0] == "name" and node[1][1] in ("len", "int", "float", "round"))


def _interleave(parts: list[Folded], separator: Folded) -> list[Folded]:
    result: list[Folded] = []
    for part in parts:
        if result:
            result.append(separator)
        result.append(part)
    return result


def _normalise_path(path: str) -> str:
    """``./routes//users`` -> ``./routes/users``; ``.`` parts dropped after the first."""
    leading = path.startswith("./")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    joined = "/".join(parts)
    return ("./" + joined) if leading or not path.startswith("/") else "/" + joined


def _escapes_quote(args: tuple) -> bool:
    """``("'", "''")`` / ``('"', '""')``: the arguments of a replace that doubles a quote character
    (peewee's sqlcipher ``passphrase.replace("'", "''")`` before ``PRAGMA key='%s'``)."""
    if len(args) != 2 or args[0][0] != "str" or args[1][0] != "str":
        return False
    quote, doubled = args[0][1], args[1][1]
    return quote in ("'", '"', "`") and doubled == quote * 2


_ir_dotted = ir.dotted  # ``this.manager.connection.driver.escape`` of an IR name / attribute chain


def _dotted(node: tuple) -> str:
    if node[0] == "name":
        return node[1]
    if node[0] == "attr":
        base = _dotted(node[1])
        return f"{base}.{node[2]}" if base else ""
    return ""


def _target_name(target: str) -> str:
    """``x`` / ``self.x`` / ``x: int`` / ``const x`` -> the assigned name; "" for patterns."""
    name = target.split(":", 1)[0].strip()
    name = re.sub(r"^(?:export\s+)?(?:const|let|var)\s+", "", name)
    return name if re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?", name) else ""


def _enclosing(scope: str, classes: set[str]) -> list[str]:
    """``Repo.get.inner`` -> [``Repo.get.inner``, ``Repo.get``, ""]: the scopes whose names a
    function sees (class bodies are not among them)."""
    parts = scope.split(".") if scope else []
    scopes = []
    for end in range(len(parts), 0, -1):
        if end < len(parts) and parts[end - 1] in classes:
            continue
        scopes.append(".".join(parts[:end]))
    scopes.append("")
    return scopes


__all__ = ["CONSTANT", "DERIVED", "QUOTED", "UNKNOWN", "ConstantFolder", "Folded", "ValueFunctions", "value_functions", "worst"]
