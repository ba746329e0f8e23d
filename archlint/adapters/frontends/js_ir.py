"""JavaScript / TypeScript / TSX syntax tree -> :class:`~archlint.domain.ir.ModuleIR`.

``lower(root, source, path, language)`` takes the tree-sitter root the JS frontend already parsed
(``javascript._grammar``) and returns the typed IR the semantic model reads.  It never raises on
bad input: ``ERROR`` subtrees become :class:`Opaque` holding the expressions found inside, and
nesting past :data:`MAX_DEPTH` becomes ``Opaque("depth")`` with ``ModuleIR.truncated`` set, so a
5,000-deep generated expression costs neither a ``RecursionError`` nor quadratic time.

How the tree is walked, and why:

* One pass, top-down, dispatching on the node type through a dict; no parent climbing and no
  re-scan of the text.  Member/call/subscript chains (``knex('t').where().orderBy()…``) and
  left-nested binary chains (``'a' + b + 'c' + …``) are unwound in a loop, so the recursion depth
  follows the real nesting of the code, not the length of a builder chain.
* Function bodies are lowered from a queue after the body that defines them (each one starts
  again at depth 0), so callback pyramids do not pile up Python frames.  The exception is an
  inline callback of an array method, whose body is needed in place (see below).

What each construct becomes (decisions an analysis may rely on):

* ``functions[0]`` is the module (name ``<module>``, qualname ``""``).  Every function, arrow,
  method, getter/setter, generator and ``static {}`` block (a ``method`` named ``<static>``) is a
  :class:`Function`.  Its name is its own, else the name it is bound to (variable, assigned
  member's property, object key, class field, ``default`` for ``export default``), else
  ``<arrow@LINE>`` / ``<function@LINE>`` / ``<class@LINE>``; the qualname joins the enclosing
  function's or class's qualname with a dot (``ArticleService.list``; the anonymous handler of
  ``router.get('/', async (req, res) => …)`` on line 12 of a module is ``<arrow@12>``, a callback
  inside it ``<arrow@12>.<arrow@14>``).
* ``locals``: every name declared in the function (``var``/``let``/``const``/``using`` including
  destructuring, function and class declarations, ``catch`` parameters, ``for … of/in``
  declarations, enums, namespaces; at module level also import bindings).  Block scoping is not
  modelled (a ``let`` in an inner block is a local of the function).  Parameters are not locals;
  a destructured parameter is a :class:`Param` of kind ``pattern`` with ``name == ""`` and the
  pattern in ``target`` (``Function.scope_of`` looks inside it).
* A function declaration's ``Assign(Name, FuncRef)`` is placed at the top of its block, as JS
  hoists it (a call above the declaration sees it); a class declaration stays in place.
* ``switch`` is lowered to nested :class:`If` whose tests are ``Compare("==", discriminant,
  case, strict=True)`` (consecutive empty cases are joined with ``or``; ``default`` is the last
  ``else``); a ``break`` that leaves the switch disappears.  Fall-through from a non-empty case is
  not modelled.  A discriminant that may have effects (a call) is first assigned to the local
  ``<switch@LINE>`` so it is evaluated once.
* C-style ``for (init; test; update)`` is ``init`` followed by ``Loop("for", target=None,
  iter=test)`` whose body ends with ``update``; ``do … while`` is a ``while`` loop; ``for … in``
  iterates the keys but is a ``for`` loop like ``for … of``.
* ``using`` / ``await using`` declarations are a :class:`With` whose body is the rest of the block.
* An assignment used as a value (``if (!(user = await find()))``, ``a || (a = b)``) is hoisted:
  the ``Assign`` is emitted just before the statement that contains it and the expression reads
  the target (``if not user``), so its call is seen exactly once.  Out of a ``while``/``for``
  condition it goes to the start of the loop body (it runs on every iteration); inside a
  short-circuit or a ternary branch it is an approximation (the assignment looks unconditional).
* Array methods with an inline callback (``xs.map(async x => …)``, ``forEach``, ``flatMap``,
  ``filter``, ``reduce`` (element = second parameter), ``some``, ``every``, ``find``,
  ``findIndex``) are :class:`Loop` expressions sharing the callback's body; the callback is still
  a :class:`Function`.  Extra arguments that do something (``reduce(f, Promise.resolve())``) are
  hoisted as expression statements before the statement, so no call is lost.
* A tagged template ``sql`…``` is ``Call(sql, (Template(…, tag=sql),))`` (the tag is a function
  called with the template); an untagged template without holes is a :class:`Const`.
* ``in`` and ``instanceof`` are :class:`Compare` (``in`` is Python's ``Compare("in")`` too).
* ``module.exports = v``, ``module.exports.x = v``, ``exports.x = v`` stay assignments *and*
  become :class:`Export` records; ``module.exports = { a, b: c }`` also exports each plain key (as
  Node's ESM interop does).  ``export default <expr>`` keeps the expression as a statement when
  it can do something (a call), so its calls are seen.  Type-only exports are skipped.
* TypeScript: type aliases, interfaces, overload signatures and ``declare`` statements produce
  nothing; an ``enum`` is ``Assign(Name, Obj(member: Const))``; a ``namespace`` binds its name
  (``Opaque("namespace")``) and its body is lowered inline into the enclosing scope (its own
  ``export``s are not module exports).  Types become expressions (``Repository<User>`` ->
  ``Index(Repository, User)``, ``User[]`` -> ``Index(Array, User)``, ``A | null`` -> ``BinOp("|")``);
  object, function and other exotic types are ``Opaque("type")``.
* Instance field initialisers are :class:`Field` values only (not copied into the constructor).
"""

from __future__ import annotations

import gc
import re
import sys
from collections import deque

from archlint.adapters.frontends.javascript import _ARRAY_LOOPS, _unescape
from archlint.adapters.frontends.source import Columns
from archlint.adapters.frontends.ts_helpers import ts_helpers
from archlint.adapters.knowledge import canonical_binding
from archlint.domain.facts import Span
from archlint.domain.ir import (
    NO_NAMES,
    Arg,
    Assign,
    Attr,
    Await,
    BinOp,
    BoolOp,
    Call,
    Class,
    ClassRef,
    Compare,
    Cond,
    Const,
    Delete,
    Entry,
    Export,
    ExprStmt,
    Field,
    FuncRef,
    Function,
    Handler,
    If,
    Index,
    Jump,
    Loop,
    ModuleIR,
    Name,
    Obj,
    Opaque,
    Param,
    Raise,
    Return,
    Seq,
    Starred,
    Template,
    Try,
    Unary,
    With,
    WithItem,
    frozen,
    iter_nodes,
)

# JSDoc `@param {Type} name` (also `[name]` / `[name=default]`), and the nodes between a function and the comment
# documenting it (`const f = (db) => …`, `export function f`, `key: function (db) {…}`, `exports.f = …`)
_JSDOC_PARAM = re.compile(r"@param\s*\{([^{}]+)\}\s*\[?([A-Za-z_$][\w$]*)")
_JSDOC_TYPE = re.compile(r"@type\s*\{([^{}]+)\}")
_JSDOC_HOLDERS = frozenset({"variable_declarator", "lexical_declaration", "variable_declaration", "export_statement",
                            "pair", "assignment_expression", "expression_statement"})
_JSDOC_IMPORT = re.compile(r"^import\(\s*['\"]([^'\"]+)['\"]\s*\)((?:\.[A-Za-z_$][\w$]*)+)$")
_JSDOC_DOTTED = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


def _jsdoc_type(text: str, span):
    """A JSDoc type as an annotation: ``Knex`` / ``a.B`` a name chain, ``import('knex').Knex`` the export
    of that module (what ``require('knex').Knex`` reads); ``None`` for anything else (unions, generics)."""
    found = _JSDOC_IMPORT.match(text)
    if found is not None:
        value = Call(Name("require", span), (Arg("pos", "", Const(found.group(1), span)),), span)
        parts = found.group(2).split(".")[1:]
    elif _JSDOC_DOTTED.match(text):
        first, *parts = text.split(".")
        value = Name(first, span)
    else:
        return None
    for part in parts:
        value = Attr(value, part, span)
    return value


MAX_DEPTH = 300  # nesting levels lowered before the rest becomes Opaque("depth")
# Every recursive cycle of the lowering passes through a method that counts one level at most this
# many Python frames after the previous one; the bound is lowered so that the deepest lowering fits
# under the interpreter's recursion limit from wherever ``lower`` is called.
_FRAMES_PER_LEVEL = 4
_SPARE_FRAMES = 50

_FUNCTIONS = frozenset({"function_expression", "generator_function", "arrow_function"})
_METHODS = frozenset({"method_definition", "class_static_block"})
_CLASSES = frozenset({"class_declaration", "abstract_class_declaration"})
_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
     "instantiation_expression"}
)
_BOOL_OPS = {"&&": "and", "||": "or", "??": "??"}
_COMPARE_OPS = {
    "==": ("==", False), "!=": ("!=", False), "===": ("==", True), "!==": ("!=", True),
    "<": ("<", False), "<=": ("<=", False), ">": (">", False), ">=": (">=", False),
    "in": ("in", False), "instanceof": ("instanceof", False),
}
_UNARY_OPS = {"!": "not"}
_FIELD_MODIFIERS = frozenset({"readonly", "abstract", "declare", "accessor"})
_PARAM_MODIFIERS = frozenset({"readonly"})
_CHAIN_LINKS = frozenset({"member_expression", "call_expression", "subscript_expression"})
# Records are built with ``tuple.__new__`` on hot paths: a NamedTuple's own ``__new__`` is a Python
# function, and these records are created by the hundred thousand on a cold run.
_new = tuple.__new__
# a Span from its packed fields without its Python-level __new__ (tree-sitter rows and columns are
# uint32: every field fits its 32 bits)
_packed = int.__new__
_SIMPLE_TYPES = frozenset({"type_identifier", "identifier", "predefined_type", "this_type"})


class _Frame:
    """The function being lowered: where its declared names go."""

    __slots__ = ("fid", "locals", "breakable")

    def __init__(self, fid: int) -> None:
        self.fid = fid
        self.locals: set[str] = set()
        self.breakable: list[str] = []  # "loop" / "switch": what an unlabelled break leaves


def lower(root, source: bytes, path: str, language: str) -> ModuleIR:
    """The IR of one parsed JS/TS file.  ``source`` is the exact bytes the tree was parsed from.

    The cyclic garbage collector is paused meanwhile: the lowering allocates hundreds of thousands
    of tuples and creates no reference cycle, and the collector's passes over them cost about a
    third of the time (measured on sequelize + knex + typeorm + express, 568k nodes)."""
    lowerer = _Lowerer(source)
    headroom = sys.getrecursionlimit() - _frames_in_use() - _SPARE_FRAMES
    lowerer.max_depth = max(1, min(MAX_DEPTH, headroom // _FRAMES_PER_LEVEL))
    collecting = gc.isenabled()
    gc.disable()
    try:
        return lowerer.module(root, path, language)
    finally:
        if collecting:
            gc.enable()


def _frames_in_use() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        count += 1
        frame = frame.f_back
    return count


def _op_text(node) -> str:
    return node.type if node is not None else ""


class _Lowerer:  # noqa: PLR0904 - one method per construct, flat on purpose
    def __init__(self, source: bytes) -> None:
        self.src = source
        self.ascii = source.isascii()
        self.chars = source.decode("ascii") if self.ascii else ""
        self.columns = Columns(source)
        self.functions: list[Function | None] = []
        self.classes: list[Class | None] = []
        self.exports: list[Export] = []
        self.bindings: list[tuple[int, str, str]] = []
        self.truncated = False
        self.asserted: set = set()  # (end line, end column) of expressions under `!` (see ModuleIR.asserted)
        self.depth = 0
        self.max_depth = MAX_DEPTH
        self.out: list = []
        self.hoisted: list = []
        self.frame = _Frame(0)
        self.prefix = ""  # qualname of the enclosing function or class body
        self.namespace = 0  # inside a TS namespace: its exports are not the module's
        self.queue: deque = deque()
        self.constructors: list[tuple[int, int, int]] = []  # (cid, fields index, constructor fid)
        self.types: list[tuple[str, object]] = []  # ModuleIR.types

    # -- driver ----------------------------------------------------------------------------------
    def module(self, root, path: str, language: str) -> ModuleIR:
        self.functions.append(None)
        body = self.statements(root.named_children)
        span = self.span(root)
        self.functions[0] = Function(
            0, "<module>", "", "module", (), body, span, locals=frozen(self.frame.locals)
        )
        while self.queue:
            self.run(self.queue.popleft())
        self.finish_constructors()
        self.finish_decorators(body)
        self.bindings.sort(key=lambda entry: entry[0])
        return ModuleIR(
            path,
            language,
            tuple(self.functions),
            tuple(self.classes),
            tuple(self.exports),
            tuple((local, target) for _, local, target in self.bindings),
            self.truncated,
            frozen(self.asserted),
            tuple(self.types),
        )

    # -- helpers ---------------------------------------------------------------------------------
    def text(self, node) -> str:
        if self.ascii:  # byte offsets are character offsets
            return self.chars[node.start_byte : node.end_byte]
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def leaf_span(self, node) -> Span:
        """Span of a token that cannot contain a newline (a number, a keyword, a quoted string)."""
        if self.ascii:
            row, column = node.start_point
            line = row + 1 << 32
            span = _packed(Span, line << 64 | column + 1 << 64 | line | column + 1 + node.end_byte - node.start_byte)
            return self.columns.shared(span)
        return self.span(node)

    def span(self, node) -> Span:
        """One object per distinct range of the file (``Columns.span``)."""
        (sr, sc), (er, ec) = node.start_point, node.end_point
        if self.ascii:
            return self.columns.shared(_packed(Span, sr + 1 << 96 | sc + 1 << 64 | er + 1 << 32 | ec + 1))
        return self.columns.span(node)

    def declare(self, name: str) -> None:
        self.frame.locals.add(name)

    def qualify(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def enter(self) -> bool:
        """Enter one nesting level (the caller leaves it with ``self.depth -= 1``); ``False``, and
        the module marked truncated, past the bound."""
        if self.depth >= self.max_depth:
            self.truncated = True
            return False
        self.depth += 1
        return True

    # -- statements ------------------------------------------------------------------------------
    def statements(self, nodes) -> tuple:
        """Lower a list of statement nodes into a new block (function declarations first)."""
        if not self.enter():
            return ()
        saved_out, saved_hoisted = self.out, self.hoisted
        self.out, self.hoisted = [], []
        self.run_statements(nodes)
        block = self.hoisted + self.out if self.hoisted else self.out
        self.out, self.hoisted = saved_out, saved_hoisted
        self.depth -= 1
        return tuple(block)

    def block(self, node) -> tuple:
        """The statements of a body: a ``{ … }`` block or a single statement."""
        if node is None:
            return ()
        if node.type == "statement_block":
            return self.statements(node.named_children)
        return self.statements((node,))

    def run_statements(self, nodes) -> None:
        for index, node in enumerate(nodes):
            if node.type == "using_declaration":
                self.using(node, nodes[index + 1 :])
                return
            self.stmt(node)

    def stmt(self, node) -> None:
        handler = _STMT_HANDLERS.get(node.type)
        if handler is None:
            if node.type in _EXPR_HANDLERS:  # an expression where a statement was expected
                self.out.append(ExprStmt(self.expr(node), self.span(node)))
                return
            if not node.is_named:
                return
            handler = _Lowerer.error_statement  # a node type this lowering does not know
        if self.depth >= self.max_depth:
            self.truncated = True
            self.out.append(ExprStmt(Opaque("depth", (), self.span(node)), self.span(node)))
            return
        self.depth += 1
        handler(self, node)
        self.depth -= 1

    def nested_block(self, node) -> None:
        self.run_statements(node.named_children)

    def skip(self, node) -> None:
        """Type-only and ambient TypeScript, empty statements, comments: nothing runs."""

    def type_declaration(self, node) -> None:
        """``interface RouterOptions { store: NotificationsStore }`` / ``type Options = { database: Knex }``:
        nothing runs, but a parameter annotated with the name holds an object of those members' types.
        Read at module level only (outside a namespace), without the interface's ``extends``."""
        name = node.child_by_field_name("name")
        if name is None or self.namespace or self.prefix:
            return
        if node.type == "interface_declaration":
            body = node.child_by_field_name("body")
            value = self.object_type(body) if body is not None else None
        else:
            if node.child_by_field_name("type_parameters") is not None:
                return  # a generic alias: its members depend on the arguments
            target = node.child_by_field_name("value")
            value = self.typ(target) if target is not None else None
        if value is not None:
            self.types.append((self.text(name), value))

    def expression_statement(self, node) -> None:
        inner = _first_named(node)
        if inner is not None:
            self.effect(inner, node)

    def effect(self, node, statement=None) -> None:
        """An expression evaluated for its effect: assignments become :class:`Assign`."""
        while node.type == "parenthesized_expression":
            inner = _first_named(node)
            if inner is None:
                return
            node = inner
        if not self.enter():
            self.out.append(ExprStmt(Opaque("depth", (), self.span(node)), self.span(node)))
            return
        self.effect_of(node, statement)
        self.depth -= 1

    def effect_of(self, node, statement) -> None:
        kind = node.type
        if kind == "assignment_expression":
            self.assignment(node)
        elif kind == "augmented_assignment_expression":
            self.augmented(node)
        elif kind == "update_expression":
            self.update(node)
        elif kind == "sequence_expression":
            for part in node.named_children:
                if part.type != "comment":
                    self.effect(part)
        elif kind == "unary_expression" and _op_text(node.child_by_field_name("operator")) == "delete":
            argument = node.child_by_field_name("argument")
            if argument is not None:
                self.out.append(Delete((self.expr(argument),), self.span(node)))
        elif kind == "internal_module":
            self.namespace_statement(node)
        else:
            value = self.expr(node)
            self.out.append(ExprStmt(value, self.span(statement or node)))

    def declaration(self, node) -> None:
        """``var``/``let``/``const``: one :class:`Assign` per declarator, its names declared."""
        for declarator in node.named_children:
            if declarator.type == "variable_declarator":
                self.declarator(declarator)

    def declarator(self, node) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        value_node = node.child_by_field_name("value")
        type_node = node.child_by_field_name("type")
        annotation = self.typ(type_node) if type_node is not None else None
        if annotation is None and name_node.type == "identifier" and node.parent is not None \
                and len(node.parent.named_children) == 1:
            annotation = self.jsdoc_type(node.parent)  # `/** @type {import('knex').Knex} */ const db = …`
        if value_node is None:
            target = self.pattern(name_node, True)
            self.out.append(Assign((target,), None, self.span(node), annotation=annotation))
            return
        extra, value_node = self.assignment_chain(value_node)
        hint = self.text(name_node) if name_node.type == "identifier" else ""
        marked = any(c.type == "comment" and "@class" in self.text(c) for c in node.children)  # `/** @class */`
        value = self.es5_class(value_node, hint, marked) if hint else None
        if value is None:
            value = self.named(value_node, hint)
        targets = (self.pattern(name_node, True),) + tuple(self.pattern(t, False) for t in extra)
        self.out.append(Assign(targets, value, self.span(node), annotation=annotation))
        self.after_assign(targets, value, node)

    def assignment_chain(self, value_node):
        """``a = b = v``: the inner targets (``b``) and the final value node (``v``)."""
        extra = []
        while value_node.type in ("assignment_expression", "parenthesized_expression"):
            if value_node.type == "parenthesized_expression":
                inner = _first_named(value_node)
                if inner is None or inner.type != "assignment_expression":
                    break
                value_node = inner
            left, right = value_node.child_by_field_name("left"), value_node.child_by_field_name("right")
            if left is None or right is None:
                break
            extra.append(left)
            value_node = right
        return extra, value_node

    def assignment(self, node):
        """``a = b = v`` as a statement; returns the :class:`Assign` (its targets are read back
        when the assignment was used as a value)."""
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            self.out.append(ExprStmt(self.opaque(node), self.span(node)))
            return None
        extra, right = self.assignment_chain(right)
        value = self.named(right, self.bound_name(left))
        targets = tuple([self.pattern(t, False) for t in [left, *extra]])
        assign = Assign(targets, value, self.span(node))
        self.out.append(assign)
        self.after_assign(targets, value, node)
        return assign

    def bound_name(self, target) -> str:
        """The name a function assigned to ``target`` is known by (facts' convention)."""
        kind = target.type
        if kind == "identifier":
            return self.text(target)
        if kind == "member_expression":
            prop = target.child_by_field_name("property")
            if prop is not None:
                name = self.text(prop)
                if name == "exports" and self.text(target) == "module.exports":
                    return "default"
                return name
        return ""

    def augmented(self, node):
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            self.out.append(ExprStmt(self.opaque(node), self.span(node)))
            return None
        op = _op_text(node.child_by_field_name("operator")) or "+="
        value = self.expr(right)
        assign = Assign((self.pattern(left, False),), value, self.span(node), op)
        self.out.append(assign)
        return assign

    def update(self, node):
        """``i++`` / ``--i``: an augmented assignment by one."""
        argument = node.child_by_field_name("argument")
        if argument is None:
            self.out.append(ExprStmt(self.opaque(node), self.span(node)))
            return None
        op = "-=" if _op_text(node.child_by_field_name("operator")) == "--" else "+="
        span = self.span(node)
        assign = Assign((self.pattern(argument, False),), Const(1, span), span, op)
        self.out.append(assign)
        return assign

    def after_assign(self, targets, value, node) -> None:
        """Import bindings from ``require``/``import()`` and CommonJS exports."""
        module, attribute = _required(value)
        for target in targets:
            kind = type(target)
            if module is not None:
                if kind is Name:
                    self.bindings.append((target.span.line, target.id, canonical_binding(f"{module}:{attribute}")))
                elif kind is Obj and not attribute:
                    for entry in target.entries:
                        if type(entry.key) is str and type(entry.value) is Name:
                            local = entry.value
                            self.bindings.append((local.span.line, local.id, canonical_binding(f"{module}:{entry.key}")))
            if kind is Attr:
                self.commonjs_export(target, value, node)

    def commonjs_export(self, target: Attr, value, node) -> None:
        obj = target.obj
        if type(obj) is Name:
            if obj.id == "module" and target.name == "exports":
                name = "default"
            elif obj.id == "exports":
                name = target.name
            else:
                return
        elif type(obj) is Attr and type(obj.obj) is Name and obj.obj.id == "module" and obj.name == "exports":
            name = target.name
        else:
            return
        span = self.span(node)
        self.exports.append(_export(name, span, value))
        if name == "default" and type(value) is Obj:
            for entry in value.entries:
                if type(entry.key) is str:
                    self.exports.append(_export(entry.key, span, entry.value))

    def using(self, node, rest) -> None:
        """``using x = r()`` / ``await using``: a ``with`` over the rest of the block."""
        items = []
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name_node = declarator.child_by_field_name("name")
            value_node = declarator.child_by_field_name("value")
            value = self.expr(value_node) if value_node is not None else Const(None, self.span(declarator))
            target = self.pattern(name_node, True) if name_node is not None else None
            items.append(WithItem(value, target))
        is_async = any(child.type == "await" for child in node.children)
        body = self.statements(rest)
        self.out.append(With(tuple(items), body, self.span(node), is_async))

    def function_declaration(self, node) -> None:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node) if name_node is not None else f"<function@{node.start_point[0] + 1}>"
        self.declare(name)
        ref = self.function_ref(node, name)
        self.hoisted.append(Assign((Name(name, self.span(name_node or node)),), ref, self.span(node)))

    def class_declaration(self, node, decorators=()) -> None:
        name_node = node.child_by_field_name("name")
        ref = self.class_ref(node, "", decorators)
        if type(ref) is ClassRef:
            name = self.classes[ref.cid].name
        else:
            name = self.text(name_node) if name_node is not None else f"<class@{node.start_point[0] + 1}>"
        self.declare(name)
        self.out.append(Assign((Name(name, self.span(name_node or node)),), ref, self.span(node)))

    def return_statement(self, node) -> None:
        value = _first_named(node)
        self.out.append(Return(self.expr(value) if value is not None else None, self.span(node)))

    def throw_statement(self, node) -> None:
        value = _first_named(node)
        self.out.append(Raise(self.expr(value) if value is not None else None, self.span(node)))

    def if_statement(self, node) -> None:
        """``if / else if / else`` chains are unwound in a loop (a long ``else if`` chain is not
        deep nesting); the test of an ``else if`` hoists its assignments into the ``else``."""
        links = []  # (pre-statements, test, body, span)
        orelse: tuple = ()
        current = node
        pre = self.out
        while True:
            saved = self.out
            self.out = pre
            test = self.expr_or_true(current.child_by_field_name("condition"), current)
            self.out = saved
            body = self.block(current.child_by_field_name("consequence"))
            links.append((pre, test, body, self.span(current)))
            alternative = current.child_by_field_name("alternative")
            branch = _first_named(alternative) if alternative is not None else None
            if branch is None:
                break
            if branch.type != "if_statement":
                orelse = self.block(branch)
                break
            current, pre = branch, []
        for index in range(len(links) - 1, 0, -1):
            pre, test, body, span = links[index]
            orelse = (*pre, If(test, body, orelse, span))
        _, test, body, span = links[0]
        self.out.append(If(test, body, orelse, span))

    def switch_statement(self, node) -> None:
        value_node = node.child_by_field_name("value")
        span = self.span(node)
        discriminant = self.expr_or_true(value_node, node)
        if _has_effect(discriminant):  # evaluated once, compared many times
            temp = Name(f"<switch@{span.line}>", span)
            self.declare(temp.id)
            self.out.append(Assign((temp,), discriminant, span))
            discriminant = temp
        body = node.child_by_field_name("body")
        cases: list[tuple[list, tuple, Span]] = []
        tests: list = []
        default: tuple = ()
        self.frame.breakable.append("switch")
        for case in body.named_children if body is not None else ():
            if case.type == "switch_case":
                case_value = case.child_by_field_name("value")
                if case_value is not None:
                    tests.append(Compare("==", discriminant, self.expr(case_value), self.span(case_value), True))
                body_nodes = [n for n in case.children_by_field_name("body") if n.type != "comment"]
                if body_nodes:  # `case 'a': break;` has a body (empty once its break is gone)
                    cases.append((tests, self.statements(body_nodes), self.span(case)))
                    tests = []
            elif case.type == "switch_default":
                default = self.statements(case.children_by_field_name("body"))
        self.frame.breakable.pop()
        orelse = default
        for case_tests, statements, case_span in reversed(cases):
            test = case_tests[0] if len(case_tests) == 1 else BoolOp("or", tuple(case_tests), case_span)
            if not case_tests:
                test = Const(True, case_span)
            orelse = (If(test, statements, orelse, case_span),)
        self.out.extend(orelse)

    def for_statement(self, node) -> None:
        initializer = node.child_by_field_name("initializer")
        if initializer is not None:
            if initializer.type in ("lexical_declaration", "variable_declaration"):
                self.declaration(initializer)
            elif initializer.type == "expression_statement":
                self.expression_statement(initializer)
            elif initializer.type != "empty_statement" and initializer.is_named:
                self.effect(initializer)
        condition = node.child_by_field_name("condition")
        if condition is not None and condition.type == "expression_statement":
            condition = _first_named(condition)
        span = self.span(node)
        if condition is None or condition.type == "empty_statement" or not condition.is_named:
            test, pre = Const(True, span), ()
        else:
            test, pre = self.loop_test(condition, node)
        increment = node.child_by_field_name("increment")
        body = self.loop_body(node.child_by_field_name("body"), increment)
        self.out.append(Loop("for", None, test, pre + body, span))

    def loop_body(self, node, increment=None) -> tuple:
        if not self.enter():
            return ()
        self.frame.breakable.append("loop")
        saved_out, saved_hoisted = self.out, self.hoisted
        self.out, self.hoisted = [], []
        if node is not None:
            if node.type == "statement_block":
                self.run_statements(node.named_children)
            else:
                self.stmt(node)
        if increment is not None:
            self.effect(increment)
        block = self.hoisted + self.out if self.hoisted else self.out
        self.out, self.hoisted = saved_out, saved_hoisted
        self.frame.breakable.pop()
        self.depth -= 1
        return tuple(block)

    def for_in_statement(self, node) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        declared = node.child_by_field_name("kind") is not None
        is_async = False
        for child in node.children:
            if child.type == "await":
                is_async = True
            elif child.type == "(":
                break
        iterable = self.expr(right) if right is not None else Const(None, self.span(node))
        target = self.pattern(left, declared) if left is not None else None
        body = self.loop_body(node.child_by_field_name("body"))
        self.out.append(Loop("for", target, iterable, body, self.span(node), is_async=is_async))

    def loop_test(self, node, owner) -> tuple:
        """A loop condition and the assignments hoisted out of it (``while ((row = await
        cursor.next()))``), which run on every iteration and so go into the loop body."""
        saved, self.out = self.out, []
        test = self.expr_or_true(node, owner)
        pre, self.out = self.out, saved
        return test, tuple(pre)

    def while_statement(self, node) -> None:
        test, pre = self.loop_test(node.child_by_field_name("condition"), node)
        body = self.loop_body(node.child_by_field_name("body"))
        self.out.append(Loop("while", None, test, pre + body, self.span(node)))

    def do_statement(self, node) -> None:
        body = self.loop_body(node.child_by_field_name("body"))
        test, pre = self.loop_test(node.child_by_field_name("condition"), node)
        self.out.append(Loop("while", None, test, body + pre, self.span(node)))

    def jump(self, node) -> None:
        kind = "break" if node.type == "break_statement" else "continue"
        labelled = node.child_by_field_name("label") is not None
        breakable = self.frame.breakable
        if kind == "break" and not labelled and breakable and breakable[-1] == "switch":
            return  # leaves the switch, which is an if-chain here
        self.out.append(Jump(kind, self.span(node)))

    def try_statement(self, node) -> None:
        body = self.block(node.child_by_field_name("body"))
        handlers = []
        handler = node.child_by_field_name("handler")
        if handler is not None:
            parameter = handler.child_by_field_name("parameter")
            name = ""
            if parameter is not None:
                if parameter.type == "identifier":
                    name = self.text(parameter)
                    self.declare(name)
                else:
                    self.pattern(parameter, True)
            handlers.append(Handler(None, name, self.block(handler.child_by_field_name("body")), self.span(handler)))
        finalizer = node.child_by_field_name("finalizer")
        final = self.block(finalizer.child_by_field_name("body")) if finalizer is not None else ()
        self.out.append(Try(body, tuple(handlers), (), final, self.span(node)))

    def labeled_statement(self, node) -> None:
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def with_statement(self, node) -> None:
        """JS ``with (obj)`` injects a scope; not a resource: the object, then the body."""
        obj = node.child_by_field_name("object")
        if obj is not None:
            self.out.append(ExprStmt(Opaque("with", (self.expr(obj),), self.span(obj)), self.span(node)))
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def error_statement(self, node) -> None:
        """An ``ERROR`` (or unknown) node where statements go: its statements are lowered, the
        expressions found elsewhere inside are kept in an :class:`Opaque`."""
        parts = []
        stack = node.named_children[::-1]
        while stack:
            child = stack.pop()
            kind = child.type
            if kind in _STMT_HANDLERS:
                self.stmt(child)
            elif kind in _EXPR_HANDLERS:
                parts.append(self.expr(child))
            else:
                stack.extend(child.named_children[::-1])
        if parts:
            self.out.append(ExprStmt(Opaque(node.type, tuple(parts), self.span(node)), self.span(node)))

    # -- modules: imports, exports, TS declarations --------------------------------------------------
    def import_statement(self, node) -> None:
        """Bindings in the facts' ``module:attr`` form (see ``javascript._Extractor.esm_import``)."""
        source = node.child_by_field_name("source")
        line = node.start_point[0] + 1
        for child in node.named_children:
            if child.type == "import_require_clause":
                source = child.child_by_field_name("source")
                module = self.literal(source)
                if child.named_child_count and module is not None:
                    local = self.text(child.named_children[0])
                    self.bind_import(line, local, f"{module}:")
        if source is None:
            return
        module = self.literal(source)
        if module is None:
            return
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self.bind_import(line, self.text(part), f"{module}:default")
                elif part.type == "namespace_import" and part.named_child_count:
                    self.bind_import(line, self.text(part.named_children[-1]), f"{module}:")
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        imported_node = spec.child_by_field_name("name")
                        if imported_node is None:
                            continue
                        local = spec.child_by_field_name("alias") or imported_node
                        self.bind_import(line, self.text(local), f"{module}:{self.name_text(imported_node)}")

    def bind_import(self, line: int, local: str, target: str) -> None:
        self.declare(local)
        self.bindings.append((line, local, canonical_binding(target)))

    def ambient(self, node) -> None:
        """``declare …`` has no runtime code; imports inside ``declare module 'm' { … }`` still
        bind names (the facts record them too)."""
        for child in node.named_children:
            body = child.child_by_field_name("body") if child.type in ("module", "internal_module") else None
            for statement in body.named_children if body is not None else ():
                if statement.type == "import_statement":
                    self.import_statement(statement)

    def import_alias(self, node) -> None:
        """TS ``import A = B.C``: an assignment."""
        named = [c for c in node.named_children if c.type != "comment"]
        if len(named) >= 2:
            name = self.text(named[0])
            self.declare(name)
            self.out.append(Assign((Name(name, self.span(named[0])),), self.typ(named[-1]), self.span(node)))

    def export_statement(self, node) -> None:
        is_type = False
        is_default = False
        has_equals = False
        decorators = []
        for child in node.children:
            kind = child.type
            if kind == "type":
                is_type = True
            elif kind == "default":
                is_default = True
            elif kind == "=":
                has_equals = True
            elif kind == "decorator":
                decorators.append(self.decorator(child))
        if is_type:
            return
        exporting = not self.namespace
        span = self.span(node)
        declaration = node.child_by_field_name("declaration")
        if declaration is not None:
            if declaration.type in _CLASSES:
                self.class_declaration(declaration, tuple(decorators))
            else:
                self.stmt(declaration)
            if exporting:
                names = self.declared_names(declaration)
                if is_default:
                    self.exports.extend(Export("default", span, local=n) for n in names[:1])
                else:
                    self.exports.extend(Export(n, span, local=n) for n in names)
            return
        source_node = node.child_by_field_name("source")
        source = self.literal(source_node) if source_node is not None else None
        value_node = node.child_by_field_name("value")
        if value_node is None and has_equals:  # TS `export = x`
            value_node = _first_named(node)
        if value_node is not None:
            value = self.named(value_node, "default")
            if _has_effect(value):
                self.out.append(ExprStmt(value, span))
            if exporting:
                self.exports.append(_export("default", span, value))
            return
        if not exporting:
            return
        clause = None
        for child in node.named_children:
            if child.type == "export_clause":
                clause = child
            elif child.type == "namespace_export" and child.named_child_count and source is not None:
                alias = self.name_text(child.named_children[-1])
                self.exports.append(Export(alias, span, source=source, source_name="*"))
                return
        if clause is None:
            if source is not None:  # export * from './x'
                self.exports.append(Export("*", span, source=source, source_name="*"))
            return
        for spec in clause.named_children:
            if spec.type != "export_specifier" or any(c.type == "type" for c in spec.children):
                continue
            name_node = spec.child_by_field_name("name")
            if name_node is None:
                continue
            alias_node = spec.child_by_field_name("alias")
            name = self.name_text(name_node)
            exported = self.name_text(alias_node) if alias_node is not None else name
            if source is not None:
                self.exports.append(Export(exported, self.span(spec), source=source, source_name=name))
            else:
                self.exports.append(Export(exported, self.span(spec), local=name))

    def declared_names(self, declaration) -> list[str]:
        kind = declaration.type
        if kind in ("lexical_declaration", "variable_declaration"):
            names: list[str] = []
            for declarator in declaration.named_children:
                if declarator.type == "variable_declarator":
                    name = declarator.child_by_field_name("name")
                    if name is not None:
                        names.extend(self.declared_pattern_names(name))
            return names
        if kind in ("interface_declaration", "type_alias_declaration", "ambient_declaration", "function_signature"):
            return []
        if kind == "import_alias":
            first = _first_named(declaration)
            return [self.text(first)] if first is not None else []
        name = declaration.child_by_field_name("name")
        return [self.name_text(name)] if name is not None else []

    def declared_pattern_names(self, node) -> list[str]:
        """Identifiers a declaration pattern binds, read from the tree (not lowered twice)."""
        names = []
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.type
            if kind in ("identifier", "shorthand_property_identifier_pattern"):
                names.append(self.text(current))
            elif kind in ("pair_pattern", "assignment_pattern", "object_assignment_pattern"):
                inner = current.child_by_field_name("value") or current.child_by_field_name("left")
                if inner is not None:
                    stack.append(inner)
            elif kind in ("object_pattern", "array_pattern", "rest_pattern"):
                stack.extend(reversed(current.named_children))
        return names

    def enum_declaration(self, node) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is None:
            return
        name = self.text(name_node)
        self.declare(name)
        entries = []
        following: object = 0
        for member in body.named_children if body is not None else ():
            if member.type == "enum_assignment":
                key_node = member.child_by_field_name("name")
                value_node = member.child_by_field_name("value")
                value = self.expr(value_node) if value_node is not None else Const(following, self.span(member))
            elif member.type in ("property_identifier", "string", "identifier"):
                key_node = member
                value = Const(following, self.span(member))
            else:
                continue
            entries.append(Entry(self.key(key_node) if key_node is not None else "", value))
            number = value.value if type(value) is Const else None
            following = number + 1 if type(number) in (int, float) else None
        span = self.span(node)
        self.out.append(Assign((Name(name, self.span(name_node)),), Obj(tuple(entries), span), span))

    def namespace_statement(self, node) -> None:
        """``namespace N { … }``: ``N`` is bound and the body lowered inline (its exports stay its own)."""
        name_node = node.child_by_field_name("name")
        span = self.span(node)
        if name_node is not None and name_node.type in ("identifier", "nested_identifier"):
            name = self.text(name_node).split(".")[0]
            self.declare(name)
            self.out.append(Assign((Name(name, self.span(name_node)),), Opaque("namespace", (), span), span))
        body = node.child_by_field_name("body")
        if body is not None:
            self.namespace += 1
            self.run_statements(body.named_children)
            self.namespace -= 1

    # -- functions -------------------------------------------------------------------------------
    def function_ref(self, node, name: str = "", cls: int = -1, decorators=(), is_static: bool = False) -> FuncRef:
        """Reserve a fid for a function defined here; its body is lowered later from the queue."""
        fid = len(self.functions)
        self.functions.append(None)
        if node.type in _FUNCTIONS:  # `const x = function named() {}`: its own name wins, as in JS
            own = node.child_by_field_name("name")
            if own is not None:
                name = self.text(own)
        name = name or self.anonymous(node)
        self.queue.append((fid, node, name, self.qualify(name), self.frame.fid, cls, decorators, is_static))
        return FuncRef(fid, self.span(node))

    def anonymous(self, node) -> str:
        kind = "arrow" if node.type == "arrow_function" else "function"
        return f"<{kind}@{node.start_point[0] + 1}>"

    def run(self, job) -> None:
        fid, node, name, qualname, parent, cls, decorators, is_static = job
        saved_depth, self.depth = self.depth, 0
        self.functions[fid] = self.function(fid, node, name, qualname, parent, cls, decorators, is_static)
        self.depth = saved_depth

    def function(self, fid, node, name, qualname, parent, cls, decorators, is_static) -> Function:
        self.depth += 1  # callers check the bound (run() starts at 0, array_loop checks)
        saved = (self.frame, self.out, self.hoisted, self.prefix)
        frame = self.frame = _Frame(fid)
        self.prefix = qualname
        self.out, self.hoisted = [], []
        node_type = node.type
        kind = "arrow" if node_type == "arrow_function" else "method" if node_type in _METHODS else "function"
        is_async = False
        is_generator = node_type in ("generator_function", "generator_function_declaration")
        params_node = body_node = returns_node = own_name = None
        for index, child in enumerate(node.children):
            field = node.field_name_for_child(index)
            if field == "parameters" or field == "parameter":
                params_node = child
            elif field == "body":
                body_node = child
            elif field == "return_type":
                returns_node = child
            elif field == "name":
                own_name = child
            elif not child.is_named:
                token = child.type
                if token == "async":
                    is_async = True
                elif token == "*":
                    is_generator = True
                elif token == "get" and kind == "method":
                    kind = "getter"
                elif token == "set" and kind == "method":
                    kind = "setter"
                elif token == "static":
                    is_static = True
        if own_name is not None and node_type in _FUNCTIONS:
            frame.locals.add(self.text(own_name))
        params = self.params(params_node) if params_node is not None else ()
        if any(p.annotation is None and p.name for p in params):
            documented = self.jsdoc_params(node)  # `/** @param {import('knex').Knex} db */`: the declared type
            if documented:
                params = tuple(p._replace(annotation=documented[p.name]) if p.annotation is None and p.name in documented
                               else p for p in params)
        returns = self.typ(returns_node) if returns_node is not None else None
        if body_node is None:
            pass
        elif body_node.type == "statement_block":
            self.run_statements(body_node.named_children)
        else:
            value = self.expr(body_node)
            self.out.append(Return(value, self.span(body_node)))
        body = tuple(self.hoisted + self.out) if self.hoisted else tuple(self.out)
        self.frame, self.out, self.hoisted, self.prefix = saved
        self.depth -= 1
        return Function(
            fid, name, qualname, kind, params, body, self.span(node), tuple(decorators), is_async, is_generator,
            returns, parent, cls, frozen(frame.locals), NO_NAMES, is_static,
        )

    def jsdoc_params(self, node) -> dict:
        """The ``@param {Type} name`` tags of the JSDoc block written just before a function (or before
        the declaration, export, property or assignment holding it), as annotations: plain JavaScript's
        way to type a parameter (``{Knex}``, ``{import('knex').Knex}``); other type expressions are not read."""
        holder = node
        for _hop in range(4):
            comment = holder.prev_named_sibling
            if comment is not None and comment.type == "comment":
                text = self.text(comment)
                if not text.startswith("/**"):
                    return {}
                found = {}
                for match in _JSDOC_PARAM.finditer(text):
                    annotation = _jsdoc_type(match.group(1).strip(), self.span(comment))
                    if annotation is not None:
                        found.setdefault(match.group(2), annotation)
                return found
            parent = holder.parent
            if parent is None or parent.type not in _JSDOC_HOLDERS or comment is not None:
                return {}
            holder = parent
        return {}

    def jsdoc_type(self, declaration):
        """The ``@type {Type}`` of the JSDoc block just before a one-name declaration, as an annotation."""
        holder = declaration
        if holder.parent is not None and holder.parent.type == "export_statement":
            holder = holder.parent
        comment = holder.prev_named_sibling
        if comment is None or comment.type != "comment" or not self.text(comment).startswith("/**"):
            return None
        found = _JSDOC_TYPE.search(self.text(comment))
        return _jsdoc_type(found.group(1).strip(), self.span(comment)) if found is not None else None

    def params(self, node) -> tuple[Param, ...]:
        if node.type == "identifier":  # `x => …`
            return (Param(self.text(node), "pos", self.span(node)),)
        params = []
        for child in node.named_children:
            kind = child.type
            if kind in ("required_parameter", "optional_parameter"):
                param = self.ts_param(child)
                if param is not None:
                    params.append(param)
            elif kind != "comment":
                params.append(self.js_param(child, child))
        return tuple(params)

    def js_param(self, node, whole, **extra) -> Param:
        """One parameter pattern: ``x``, ``x = 1``, ``{ a, b }``, ``[a]``, ``...rest``."""
        kind = node.type
        span = self.span(whole)
        default = extra.pop("default", None)
        if kind == "assignment_pattern":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None:
                default = self.expr(right) if right is not None else None
                node, kind = left, left.type
        if kind == "identifier":
            return Param(self.text(node), "pos", span, default=default, **extra)
        if kind == "rest_pattern":
            inner = _first_named(node)
            if inner is not None and inner.type == "identifier":
                return Param(self.text(inner), "vararg", span, default=default, **extra)
            target = self.pattern(inner, False) if inner is not None else None
            return Param("", "vararg", span, default=default, target=target, **extra)
        return Param("", "pattern", span, default=default, target=self.pattern(node, False), **extra)

    def ts_param(self, node) -> Param | None:
        pattern = node.child_by_field_name("pattern")
        if pattern is None or pattern.type == "this":  # `this: Foo` is a type, not a parameter
            return None
        modifiers = []
        decorators = []
        for child in node.children:
            kind = child.type
            if kind == "accessibility_modifier":
                modifiers.append(self.text(child))
            elif kind in _PARAM_MODIFIERS:
                modifiers.append(kind)
            elif kind == "override_modifier":
                modifiers.append("override")
            elif kind == "decorator":
                decorators.append(self.decorator(child))
        type_node = node.child_by_field_name("type")
        value_node = node.child_by_field_name("value")
        return self.js_param(
            pattern,
            node,
            annotation=self.typ(type_node) if type_node is not None else None,
            default=self.expr(value_node) if value_node is not None else None,
            modifiers=tuple(modifiers),
            decorators=tuple(decorators),
        )

    def decorator(self, node):
        inner = _first_named(node)
        return self.expr(inner) if inner is not None else Opaque("decorator", (), self.span(node))

    # -- classes ---------------------------------------------------------------------------------
    def class_ref(self, node, name: str = "", decorators=()) -> ClassRef | Opaque:
        if not self.enter():
            return Opaque("depth", (), self.span(node))
        cid = len(self.classes)
        self.classes.append(None)
        span = self.span(node)
        name_node = node.child_by_field_name("name")
        if name_node is not None:
            name = self.text(name_node)
        name = name or f"<class@{span.line}>"
        qualname = self.qualify(name)
        own_decorators = list(decorators)
        bases = []
        implements: tuple[str, ...] = ()
        body = None
        for child in node.children:
            kind = child.type
            if kind == "decorator":
                own_decorators.append(self.decorator(child))
            elif kind == "class_heritage":
                bases.extend(self.heritage(child))
                implements = self.implemented(child)
            elif kind == "class_body":
                body = child
        saved_prefix, self.prefix = self.prefix, qualname
        fields: list[Field] = []
        methods: list[int] = []
        pending: list = []
        for member in body.named_children if body is not None else ():
            kind = member.type
            if kind == "decorator":
                pending.append(self.decorator(member))
            elif kind == "method_definition":
                self.method(member, cid, pending, methods, fields)
                pending = []
            elif kind in ("field_definition", "public_field_definition"):
                fields.append(self.field(member, cid, pending))
                pending = []
            elif kind == "class_static_block":
                fid = len(self.functions)
                self.functions.append(None)
                self.queue.append((fid, member, "<static>", self.qualify("<static>"), self.frame.fid, cid, (), True))
                methods.append(fid)
            elif kind != "comment":
                pending = []
        self.prefix = saved_prefix
        self.classes[cid] = Class(
            cid, name, qualname, tuple(bases), span, tuple(own_decorators), (), tuple(fields), tuple(methods),
            self.frame.fid,  # 0 at module level, like Function.parent and the Python lowering
            implements=implements,
        )
        self.depth -= 1
        return ClassRef(cid, span)

    def es5_class(self, node, name: str, marked: bool = False):
        """TypeScript's ES5 output of a class (npm packages ship it): ``var User = /** @class */ (function
        (_super) { __extends(User, _super); function User() {…} User.prototype.m = function () {…};
        __decorate([Column()], User.prototype, "name", void 0); User = __decorate([Entity()], User); return
        User; }(BaseEntity))`` is the class ``User`` extending ``BaseEntity``: its constructor, its prototype
        methods (``User.m = …``: static) and the decorators ``__decorate`` applies.  ``None`` for any other value."""
        call = node
        while call.type == "parenthesized_expression" and _first_named(call) is not None:
            call = _first_named(call)
        if call.type != "call_expression":
            return None
        function, arguments = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        while function is not None and function.type == "parenthesized_expression" and _first_named(function) is not None:
            function = _first_named(function)
        if function is None or function.type != "function_expression" or arguments is None:
            return None
        args = [a for a in arguments.named_children if a.type != "comment"]
        body = function.child_by_field_name("body")
        statements = [c for c in body.named_children if c.type != "comment"] if body is not None else []
        if len(args) > 1 or not statements or statements[-1].type != "return_statement" \
                or self.text(statements[-1]).rstrip(";").split() != ["return", name]:
            return None
        constructor = next((c for c in statements if c.type == "function_declaration"
                            and self.text(c.child_by_field_name("name") or c) == name), None)
        calls = tuple(f"{helper}({name}," for helper in ts_helpers().extends)  # `__extends(User, _super)`
        extends = any(c.type == "expression_statement" and self.text(c).replace(" ", "").startswith(calls)
                      for c in statements)
        if constructor is None or not (marked or args and extends) or not self.enter():
            return None  # (tsc marks the IIFE `/** @class */`; `__extends(User, _super)` names a subclass)
        cid = len(self.classes)
        self.classes.append(None)
        span = self.span(node)
        qualname = self.qualify(name)
        bases = [self.expr(args[0])] if args else []
        class_decorators: list = []
        members: dict = {}  # member name -> the decorators `__decorate([…], User.prototype, "name", …)` applies
        assigned = []  # (left, right) of `User.prototype.m = function () {…}` / `User.m = …`
        for statement in statements:
            expression = _first_named(statement) if statement.type == "expression_statement" else None
            if expression is None:
                continue
            if expression.type == "assignment_expression":
                left, right = expression.child_by_field_name("left"), expression.child_by_field_name("right")
                if left is None or right is None:
                    continue
                if right.type == "call_expression" and self.text(left) == name:
                    found = self._es5_decorate(right)  # User = __decorate([Entity()], User)
                    if found is not None and found[1] is None:
                        class_decorators.extend(found[0])
                elif right.type in ("function_expression", "arrow_function") and left.type == "member_expression":
                    assigned.append((left, right))
            elif expression.type == "call_expression":
                found = self._es5_decorate(expression)
                if found is not None and found[1] is not None:
                    members.setdefault(found[1], []).extend(found[0])
        saved_prefix, self.prefix = self.prefix, qualname
        methods = [len(self.functions)]  # `function User() {…}`: the constructor (its own name is the class's)
        self.functions.append(None)
        self.queue.append((methods[0], constructor, "constructor", self.qualify("constructor"), self.frame.fid, cid, (), False))
        for left, right in assigned:
            owner, _dot, member = self.text(left).rpartition(".")
            if owner == f"{name}.prototype":  # User.prototype.m = function () {…}
                methods.append(self.function_ref(right, member, cid, tuple(members.pop(member, ()))).fid)
            elif owner == name:  # User.m = function () {…}: a static method
                methods.append(self.function_ref(right, member, cid, (), True).fid)
        self.prefix = saved_prefix
        fields = [Field(member, span, None, None, tuple(decorators)) for member, decorators in members.items()]
        self.classes[cid] = Class(cid, name, qualname, tuple(bases), span, tuple(class_decorators), (), tuple(fields),
                                  tuple(methods), self.frame.fid)
        self.depth -= 1
        return ClassRef(cid, span)

    def _es5_decorate(self, call):
        """``__decorate([d…], C.prototype, "name", void 0)`` -> (decorators, "name"); ``__decorate([d…], C)`` ->
        (decorators, None); anything else ``None``."""
        function, arguments = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if function is None or arguments is None or self.text(function).rpartition(".")[2] not in ts_helpers().decorate:
            return None
        args = [a for a in arguments.named_children if a.type != "comment"]
        if not args or args[0].type != "array":
            return None
        decorators = [self.expr(element) for element in args[0].named_children if element.type != "comment"]
        if len(args) == 2:
            return decorators, None
        if len(args) >= 3 and args[1].type == "member_expression" and self.text(args[1]).endswith(".prototype") \
                and args[2].type == "string":
            return decorators, self.text(args[2])[1:-1]
        return None

    def heritage(self, node) -> list:
        """``extends X`` (JS: the expression; TS: ``extends_clause`` with type arguments).
        ``implements`` is a type-only contract and is ignored."""
        bases = []
        for child in node.named_children:
            kind = child.type
            if kind == "extends_clause":
                value = None
                for part in child.named_children:
                    if part.type == "type_arguments":
                        if value is not None:
                            bases[-1] = Index(value, self.type_arguments(part), self.span(child))
                    elif part.type != "comment":
                        value = self.expr(part)
                        bases.append(value)
            elif kind not in ("implements_clause", "comment"):
                bases.append(self.expr(child))
        return bases

    @staticmethod
    def implemented(node) -> tuple[str, ...]:
        """``implements IArticleRepository, Disposable<T>``: the interfaces' names (the last segment)."""
        names = []
        for child in node.named_children:
            if child.type == "class_heritage":
                return _Lowerer.implemented(child)
            if child.type == "implements_clause":
                for part in child.named_children:
                    base = part.child_by_field_name("name") if part.type == "generic_type" else part
                    text = base.text.decode("utf-8", "replace") if base is not None and base.text else ""
                    if text:
                        names.append(text.rsplit(".", 1)[-1])
        return tuple(names)

    def method(self, member, cid: int, pending: list, methods: list, fields: list) -> None:
        decorators = list(pending)
        is_static = False
        name_node = None
        for index, child in enumerate(member.children):
            kind = child.type
            if kind == "decorator":
                decorators.append(self.decorator(child))
            elif kind == "static":
                is_static = True
            elif member.field_name_for_child(index) == "name":
                name_node = child
        name = self.member_name(name_node) if name_node is not None else "<method>"
        ref = self.function_ref(member, name, cid, tuple(decorators), is_static)
        methods.append(ref.fid)
        if name == "constructor":
            self.constructors.append((cid, len(fields), ref.fid))

    def field(self, member, cid: int, pending: list) -> Field:
        decorators = list(pending)
        modifiers = []
        is_static = False
        name_node = type_node = value_node = None
        for index, child in enumerate(member.children):
            kind = child.type
            field = member.field_name_for_child(index)
            if field in ("property", "name"):
                name_node = child
            elif field == "type":
                type_node = child
            elif field == "value":
                value_node = child
            elif kind == "decorator":
                decorators.append(self.decorator(child))
            elif kind == "static":
                is_static = True
            elif kind == "accessibility_modifier":
                modifiers.append(self.text(child))
            elif kind == "override_modifier":
                modifiers.append("override")
            elif kind in _FIELD_MODIFIERS:
                modifiers.append(kind)
        name = self.member_name(name_node) if name_node is not None else ""
        annotation = self.typ(type_node) if type_node is not None else None
        value = self.named(value_node, name, cid) if value_node is not None else None
        return Field(name, self.span(member), annotation, value, tuple(decorators), tuple(modifiers), is_static)

    def finish_decorators(self, body) -> None:
        """TypeScript's compiled decorators (npm packages ship that JavaScript): after ``class User …``,
        ``__decorate([Column(), …], User.prototype, "name", void 0)`` decorates the member ``name`` (a
        field, or the method of that name) and ``User = __decorate([Entity()], User)`` the class — the
        same decorators the TypeScript source wrote on them."""
        classes = {cls.name: cls.cid for cls in self.classes if cls is not None and cls.qualname == cls.name}
        if not classes:
            return
        helpers = ts_helpers().decorate
        for statement in body:
            call = statement.value if type(statement) in (ExprStmt, Assign) else None
            if type(call) is not Call or len(call.args) < 2 or type(call.args[0].value) is not Seq:
                continue
            func = call.func
            if not (type(func) is Name and func.id in helpers or type(func) is Attr and func.name in helpers):
                continue
            decorators = call.args[0].value.elts
            target = call.args[1].value
            if type(target) is Name and target.id in classes and len(call.args) == 2 and type(statement) is Assign:
                cid = classes[target.id]  # User = __decorate([Entity()], User)
                cls = self.classes[cid]
                self.classes[cid] = cls._replace(decorators=cls.decorators + tuple(decorators))
                continue
            member = call.args[2].value if len(call.args) > 2 else None
            if not (type(target) is Attr and target.name == "prototype" and type(target.obj) is Name
                    and target.obj.id in classes and type(member) is Const and isinstance(member.value, str)):
                continue
            cid = classes[target.obj.id]
            cls = self.classes[cid]
            method = next((fid for fid in cls.methods if self.functions[fid] is not None
                           and self.functions[fid].name == member.value), None)
            if method is not None:  # a method decorator (`@BeforeInsert()`): the method's own
                self.functions[method] = self.functions[method]._replace(
                    decorators=self.functions[method].decorators + tuple(decorators))
                continue
            fields = list(cls.fields)
            index = next((i for i, f in enumerate(fields) if f.name == member.value and not f.is_static), None)
            if index is None:
                fields.append(Field(member.value, call.span, None, None, tuple(decorators)))
            else:
                fields[index] = fields[index]._replace(decorators=fields[index].decorators + tuple(decorators))
            self.classes[cid] = cls._replace(fields=tuple(fields))

    def finish_constructors(self) -> None:
        """TS parameter properties (``constructor(private readonly repo: Repo)``) are fields too,
        placed where the constructor is among the members."""
        for cid, position, fid in reversed(self.constructors):
            constructor = self.functions[fid]
            properties = [
                Field(p.name, p.span, p.annotation, None, p.decorators, p.modifiers)
                for p in constructor.params
                if p.modifiers and p.name
            ]
            if properties:
                cls = self.classes[cid]
                fields = cls.fields[:position] + tuple(properties) + cls.fields[position:]
                self.classes[cid] = cls._replace(fields=fields)

    # -- expressions -----------------------------------------------------------------------------
    def expr(self, node):
        kind = node.type
        if kind == "identifier":
            return self.name(node)
        handler = _EXPR_HANDLERS.get(kind)
        if handler is None:
            return self.opaque(node)
        if self.depth >= self.max_depth:
            self.truncated = True
            return Opaque("depth", (), self.span(node))
        self.depth += 1
        value = handler(self, node)
        self.depth -= 1
        return value

    def expr_or_true(self, node, owner):
        """A test; an absent one (``for (;;)``, error recovery) is always true."""
        if node is None:
            return Const(True, self.span(owner))
        return self.expr(node)

    def named(self, node, name: str, cls: int = -1):
        """A value bound to ``name``: a function or class expression takes the name."""
        inner = node
        while inner.type in _WRAPPERS:
            unwrapped = _first_named(inner)
            if unwrapped is None:
                break
            inner = unwrapped
        kind = inner.type
        if kind in _FUNCTIONS:
            return self.function_ref(inner, name, cls)
        if kind == "class":
            return self.class_ref(inner, name)
        return self.expr(node)

    def opaque(self, node, kind: str = ""):
        """A construct the IR does not model: the expressions inside are kept."""
        parts = []
        stack = node.named_children[::-1]
        while stack:
            child = stack.pop()
            if child.type in _EXPR_HANDLERS:
                parts.append(self.expr(child))
            else:
                stack.extend(child.named_children[::-1])
        return Opaque(kind or node.type, tuple(parts), self.span(node))

    def name(self, node):
        """An identifier (never spans lines: its end is its start plus its length)."""
        start, end = node.start_byte, node.end_byte
        if self.ascii:
            row, column = node.start_point
            line = row + 1 << 32
            span = _packed(Span, line << 64 | column + 1 << 64 | line | column + 1 + end - start)
            return _new(Name, (self.chars[start:end], span))
        return _new(Name, (self.src[start:end].decode("utf-8", "replace"), self.span(node)))

    def meta_property(self, node):
        return Name("".join(self.text(node).split()), self.span(node))

    def constant(self, node):
        kind = node.type
        if kind in ("null", "undefined"):  # both None; the strict equality `=== undefined` tells them apart
            return _new(Const, (None, self.leaf_span(node), kind))
        return _new(Const, (kind == "true", self.leaf_span(node)))

    def string(self, node):
        text = self.text(node)
        span = self.span(node) if "\\" in text else self.leaf_span(node)  # `\` + newline continues a line
        return _new(Const, (_unescape(text[1:-1]), span))

    def literal(self, node) -> str | None:
        if node is not None and node.type == "string":
            return _unescape(self.text(node)[1:-1])
        return None

    def name_text(self, node) -> str:
        """An identifier, or a string used as a name (``export { x as "a-b" }``)."""
        value = self.literal(node)
        return self.text(node) if value is None else value

    def number(self, node):
        value = _number(self.text(node))
        if value is None:
            return Opaque("number", (), self.span(node))
        return _new(Const, (value, self.leaf_span(node)))

    def regex(self, node):
        """A regex literal: ``Opaque("regex:identifier")`` when it matches only whole words of
        ``[A-Za-z0-9_]`` (``/^\\w+$/``, ``/^[a-z_][a-z0-9_]*$/i``) — a string it accepts holds no quote,
        space or SQL punctuation (allow_lists: a ``RE.test(key)`` guard) — else ``Opaque("regex")``."""
        pattern, flags = node.child_by_field_name("pattern"), node.child_by_field_name("flags")
        text = self.text(pattern) if pattern is not None else ""
        multiline = flags is not None and "m" in self.text(flags)  # `^`/`$` at every line: a second line passes
        return Opaque("regex:identifier" if not multiline and _IDENTIFIER_REGEX.fullmatch(text) else "regex", (), self.span(node))

    def template(self, node, tag=None):
        strings: list[str] = []
        holes: list = []
        pieces: list[str] = []
        for child in node.children:
            kind = child.type
            if kind == "string_fragment":
                pieces.append(self.text(child))
            elif kind == "escape_sequence":
                pieces.append(_unescape(self.text(child)))
            elif kind == "template_substitution":
                strings.append("".join(pieces))
                pieces = []
                inner = _first_named(child)
                holes.append(self.expr(inner) if inner is not None else Const(None, self.span(child)))
        strings.append("".join(pieces))
        if not holes and tag is None:
            return Const(strings[0], self.span(node))
        return Template(tuple(strings), tuple(holes), self.span(node), tag)

    def assert_non_null(self, node) -> None:
        inner = _first_named(node)
        if inner is not None:
            span = self.span(inner)
            self.asserted.add((span.end_line, span.end_column))

    def unwrap(self, node):
        """Parentheses and TypeScript-only wrappers (``x as T``, ``x!``, ``<T>x``, ``f<T>``)."""
        if node.type == "non_null_expression":
            self.assert_non_null(node)
        inner = None
        if node.type == "type_assertion":
            for child in node.named_children:
                if child.type not in ("type_arguments", "comment"):
                    inner = child
        else:
            inner = _first_named(node)
        if inner is None:
            return Opaque(node.type, (), self.span(node))
        return self.expr(inner)

    def sequence(self, node):
        """``(a, b)`` is ``b``; earlier parts that do something make it an Opaque of all parts."""
        parts = [self.expr(c) for c in node.named_children if c.type != "comment"]
        if not parts:
            return Opaque("sequence_expression", (), self.span(node))
        if all(isinstance(p, (Const, Name)) for p in parts[:-1]):
            return parts[-1]  # `(0, db_1.query)` from compiled TypeScript
        return Opaque("sequence", tuple(parts), self.span(node))

    def assignment_value(self, node):
        assign = self.assignment(node)
        return assign.targets[0] if assign is not None else Opaque("assignment", (), self.span(node))

    def augmented_value(self, node):
        assign = self.augmented(node)
        return assign.targets[0] if assign is not None else Opaque("assignment", (), self.span(node))

    def update_value(self, node):
        assign = self.update(node)
        return assign.targets[0] if assign is not None else Opaque("update", (), self.span(node))

    def function_value(self, node):
        return self.function_ref(node)

    def class_value(self, node):
        return self.class_ref(node)

    def ternary(self, node):
        test = self.expr_or_true(node.child_by_field_name("condition"), node)
        then = node.child_by_field_name("consequence")
        orelse = node.child_by_field_name("alternative")
        span = self.span(node)
        return Cond(
            test,
            self.expr(then) if then is not None else Const(None, span),
            self.expr(orelse) if orelse is not None else Const(None, span),
            span,
        )

    def await_(self, node):
        inner = _first_named(node)
        span = self.span(node)
        return Await(self.expr(inner) if inner is not None else Const(None, span), span)

    def yield_(self, node):
        return self.opaque(node, "yield")

    def unary(self, node):
        op = _op_text(node.child_by_field_name("operator"))
        argument = node.child_by_field_name("argument")
        span = self.span(node)
        operand = self.expr(argument) if argument is not None else Const(None, span)
        if type(operand) is Const:
            value = operand.value
            if op == "-" and type(value) in (int, float):
                return Const(-value, span)
            if op == "void":  # `void 0`: how compiled TypeScript writes undefined
                return Const(None, span, "undefined")
        return Unary(_UNARY_OPS.get(op, op), operand, span)

    def binary(self, node):
        """Left-nested chains (``'a' + b + 'c'``, ``x && y && z``) are unwound in a loop."""
        spine = [node]
        left = node.child_by_field_name("left")
        while left is not None and left.type == "binary_expression":
            spine.append(left)
            left = left.child_by_field_name("left")
        value = self.expr(left) if left is not None else Const(None, self.span(node))
        for link in reversed(spine):
            op = _op_text(link.child_by_field_name("operator"))
            right_node = link.child_by_field_name("right")
            span = self.span(link)
            right = self.expr(right_node) if right_node is not None else Const(None, span)
            value = _combine(op, value, right, span)
        return value

    def array(self, node):
        elements = []
        expecting = True  # a comma with no element before it is a hole
        for child in node.children:
            kind = child.type
            if kind == ",":
                if expecting:
                    elements.append(Const(None, self.span(child)))
                expecting = True
            elif kind == "spread_element":
                elements.append(self.spread(child))
                expecting = False
            elif child.is_named and kind != "comment":
                elements.append(self.expr(child))
                expecting = False
        return Seq("list", tuple(elements), self.span(node))

    def spread(self, node):
        inner = _first_named(node)
        span = self.span(node)
        return Starred(self.expr(inner) if inner is not None else Const(None, span), span)

    def object(self, node):
        entries = []
        for child in node.named_children:
            kind = child.type
            if kind == "pair":
                key_node = child.child_by_field_name("key")
                value_node = child.child_by_field_name("value")
                key = self.key(key_node) if key_node is not None else ""
                hint = key if type(key) is str else ""
                value = self.named(value_node, hint) if value_node is not None else Const(None, self.span(child))
                entries.append(_new(Entry, (key, value, None)))
            elif kind == "shorthand_property_identifier":
                name = self.name(child)
                entries.append(_new(Entry, (name.id, name, None)))
            elif kind == "spread_element":
                inner = _first_named(child)
                if inner is not None:
                    entries.append(Entry(None, self.expr(inner)))
            elif kind == "method_definition":
                name_node = child.child_by_field_name("name")
                key = self.key(name_node) if name_node is not None else ""
                name = self.key_name(name_node, key)
                entries.append(Entry(key, self.function_ref(child, name)))
            elif kind != "comment":
                entries.append(Entry(None, self.expr(child)))
        return Obj(tuple(entries), self.span(node))

    def key(self, node):
        """An object/class key: a ``str`` (identifier, string, number), or an expression (computed)."""
        kind = node.type
        if kind == "computed_property_name":
            inner = _first_named(node)
            if inner is None:
                return ""
            value = self.expr(inner)
            return value.value if type(value) is Const and type(value.value) is str else value
        if kind == "string":
            return _unescape(self.text(node)[1:-1])
        if kind == "number":
            value = _number(self.text(node))
            return str(value) if type(value) is int else self.text(node)
        return self.text(node)

    def key_name(self, node, key=None) -> str:
        """A member's name: its key, or ``[expression text]`` for a computed key."""
        if key is None:
            key = self.key(node)
        return key if type(key) is str else f"[{' '.join(self.text(node)[1:-1].split())}]"

    def member_name(self, node) -> str:
        """The name of a class member; a computed key (``[Symbol.for('…')]()``) is evaluated
        where the class is defined, so one that calls something is kept there as a statement."""
        key = self.key(node)
        if type(key) is not str and _has_effect(key):
            self.out.append(ExprStmt(key, self.span(node)))
        return self.key_name(node, key)

    def jsx(self, node):
        """JSX is opaque; the embedded ``{expressions}`` (handlers, ``items.map(…)``) are kept."""
        parts = []
        stack = node.named_children[::-1]
        while stack:
            child = stack.pop()
            if child.type == "jsx_expression":
                inner = _first_named(child)
                if inner is not None:
                    parts.append(self.spread(inner) if inner.type == "spread_element" else self.expr(inner))
            else:
                stack.extend(child.named_children[::-1])
        return Opaque("jsx", tuple(parts), self.span(node))

    def pattern_value(self, node):
        """A destructuring pattern met as a value (error recovery): its targets, read."""
        return self.pattern(node, False)

    def new(self, node):
        constructor = node.child_by_field_name("constructor")
        arguments = node.child_by_field_name("arguments")
        span = self.span(node)
        func = self.expr(constructor) if constructor is not None else Opaque("new", (), span)
        args = self.arguments(arguments) if arguments is not None else ()
        return Call(func, args, span, True)

    def arguments(self, node) -> tuple[Arg, ...]:
        if not self.enter():
            return (Arg("pos", "", Opaque("depth", (), self.span(node))),)
        args = []
        for child in node.named_children:
            kind = child.type
            if kind == "spread_element":
                inner = _first_named(child)
                if inner is not None:
                    args.append(Arg("star", "", self.expr(inner)))
            elif kind != "comment":
                args.append(_new(Arg, ("pos", "", self.expr(child))))
        self.depth -= 1
        return tuple(args)

    def chain(self, node):
        """``a.b(c)[d]?.e()…``: the chain is unwound in a loop and rebuilt from its head, so a long
        builder chain is not deep recursion.  The object / function of a link is its first child
        and the property / arguments its last (a comment is never first or last)."""
        links = []
        current = node
        wrapped = False  # inside `( … )`: a link no longer starts where the chain starts
        while True:
            kind = current.type
            if kind in _CHAIN_LINKS:
                children = current.children
                links.append((kind, current, children, wrapped))
                current = children[0]
            elif kind == "non_null_expression" or kind == "parenthesized_expression":
                if kind == "non_null_expression":
                    self.assert_non_null(current)
                inner = _first_named(current)
                if inner is None or inner.type not in _CHAIN_LINKS:
                    break
                wrapped = wrapped or kind == "parenthesized_expression"
                current = inner
            else:
                break
        awaited = False
        if current.type == "await_expression" and links and links[-1][0] == "call_expression" \
                and any(child.type == "type_arguments" for child in links[-1][2]):
            # tree-sitter-typescript reads `await repo.findOne<User>(q).then(…)` as `(await repo.findOne)<User>(q)…`:
            # the await binds the whole chain, the call's callee is the awaited operand
            inner = _first_named(current)
            if inner is not None:
                current, awaited = inner, True
        value = self.expr(current) if current is not node else Opaque(node.type, (), self.span(node))
        start_row, start_column = (current if awaited else node).start_point  # every link starts where the chain starts
        for kind, link, children, wrapped in reversed(links):
            if self.ascii and not wrapped:
                end_row, end_column = link.end_point
                span = _packed(Span, start_row + 1 << 96 | start_column + 1 << 64 | end_row + 1 << 32 | end_column + 1)
            else:
                span = self.span(link)
            count = len(children)
            if kind == "member_expression":
                optional = count > 2 and _optional(children)
                name = self.text(children[-1]) if count > 2 else ""
                value = _new(Attr, (value, name, span, optional))
            elif kind == "call_expression":
                optional = count > 2 and _optional(children)
                value = self.call(link, value, span, children[-1] if count > 1 else None, optional)
            else:
                index = link.child_by_field_name("index")
                optional = count > 2 and _optional(children)
                index_value = self.expr(index) if index is not None else Const(None, span)
                value = _new(Index, (value, index_value, span, optional))
        return Await(value, self.span(node)) if awaited else value

    def call(self, node, func, span, arguments, optional: bool):
        if arguments is None:
            return _new(Call, (func, (), span, False, optional))
        if arguments.type == "template_string":  # sql`…`: the tag called with the template
            return Call(func, (Arg("pos", "", self.template(arguments, func)),), span, False, optional)
        if type(func) is Attr and func.name in _ARRAY_LOOPS:
            loop = self.array_loop(node, func, arguments, span)
            if loop is not None:
                return loop
        return _new(Call, (func, self.arguments(arguments), span, False, optional))

    def array_loop(self, node, func: Attr, arguments, span):
        """``xs.map(async (x) => …)``: a :class:`Loop` whose body is the inline callback's."""
        named = [c for c in arguments.named_children if c.type != "comment"]
        if not named or named[0].type not in ("arrow_function", "function_expression"):
            return None
        callback = named[0]
        if self.depth >= self.max_depth:
            return None
        for extra in named[1:]:  # reduce's initial value, thisArg: evaluated before the loop
            value = self.expr(extra)
            if _has_effect(value):
                self.out.append(ExprStmt(value, self.span(extra)))
        fid = len(self.functions)
        self.functions.append(None)
        own = callback.child_by_field_name("name")
        name = self.text(own) if own is not None else self.anonymous(callback)
        function = self.function(fid, callback, name, self.qualify(name), self.frame.fid, -1, (), False)
        self.functions[fid] = function
        params = function.params
        position = 1 if func.name == "reduce" else 0
        target = None
        if len(params) > position:
            param = params[position]
            target = param.target if param.target is not None else Name(param.name, param.span)
        result = None
        body_node = callback.child_by_field_name("body")
        if body_node is not None and body_node.type != "statement_block" and function.body:
            last = function.body[-1]
            result = last.value if type(last) is Return else None
        return Loop(func.name, target, func.obj, function.body, span, result, fid=fid, is_async=function.is_async,
                    optional=func.optional)

    # -- patterns (assignment / declaration targets) ---------------------------------------------------
    def pattern(self, node, declare: bool):
        kind = node.type
        if kind == "identifier" or kind == "shorthand_property_identifier_pattern":
            name = self.name(node)
            if declare:
                self.frame.locals.add(name.id)
            return name
        if self.depth >= self.max_depth:
            self.truncated = True
            return Opaque("depth", (), self.span(node))
        self.depth += 1
        if kind == "object_pattern":
            value = self.object_pattern(node, declare)
        elif kind == "array_pattern":
            value = self.array_pattern(node, declare)
        elif kind == "rest_pattern":
            inner = _first_named(node)
            value = Starred(self.pattern(inner, declare) if inner is not None else Opaque("rest", (), self.span(node)), self.span(node))
        elif kind == "assignment_pattern":  # `[a = 1]`: the default is dropped
            left = node.child_by_field_name("left")
            value = self.pattern(left, declare) if left is not None else self.opaque(node)
        elif kind in ("parenthesized_expression", "non_null_expression", "as_expression", "satisfies_expression"):
            inner = _first_named(node)
            value = self.pattern(inner, declare) if inner is not None else self.opaque(node)
        else:
            value = self.expr(node)
        self.depth -= 1
        return value

    def object_pattern(self, node, declare: bool):
        entries = []
        for child in node.named_children:
            kind = child.type
            if kind == "shorthand_property_identifier_pattern":
                entries.append(Entry(self.text(child), self.pattern(child, declare)))
            elif kind == "object_assignment_pattern":
                left, right = child.child_by_field_name("left"), child.child_by_field_name("right")
                if left is None:
                    continue
                target = self.pattern(left, declare)
                key = target.id if type(target) is Name else ""
                entries.append(Entry(key, target, self.expr(right) if right is not None else None))
            elif kind == "pair_pattern":
                key_node, value_node = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key_node is None or value_node is None:
                    continue
                key = self.key(key_node)
                default = None
                if value_node.type == "assignment_pattern":
                    right = value_node.child_by_field_name("right")
                    default = self.expr(right) if right is not None else None
                    value_node = value_node.child_by_field_name("left") or value_node
                entries.append(Entry(key, self.pattern(value_node, declare), default))
            elif kind == "rest_pattern":
                inner = _first_named(child)
                if inner is not None:
                    entries.append(Entry(None, self.pattern(inner, declare)))
        return Obj(tuple(entries), self.span(node))

    def array_pattern(self, node, declare: bool):
        elements = []
        expecting = True
        for child in node.children:
            kind = child.type
            if kind == ",":
                if expecting:
                    elements.append(Opaque("elision", (), self.span(child)))
                expecting = True
            elif child.is_named and kind != "comment":
                elements.append(self.pattern(child, declare))
                expecting = False
        return Seq("list", tuple(elements), self.span(node))

    # -- TypeScript types as expressions -------------------------------------------------------
    def typ(self, node):
        kind = node.type
        if kind == "type_annotation" or kind == "opting_type_annotation" or kind == "omitting_type_annotation":
            inner = _first_named(node)
            return self.typ(inner) if inner is not None else Opaque("type", (), self.span(node))
        if kind in _SIMPLE_TYPES:
            return Name(self.text(node), self.span(node))
        if self.depth >= self.max_depth:
            self.truncated = True
            return Opaque("depth", (), self.span(node))
        self.depth += 1
        value = self.compound_type(node, kind)
        self.depth -= 1
        return value

    def compound_type(self, node, kind: str):
        span = self.span(node)
        if kind == "generic_type":
            name = node.child_by_field_name("name")
            arguments = node.child_by_field_name("type_arguments")
            base = self.typ(name) if name is not None else Opaque("type", (), span)
            return Index(base, self.type_arguments(arguments), span) if arguments is not None else base
        if kind in ("nested_type_identifier", "nested_identifier", "member_expression"):
            parts = self.text(node).replace(" ", "").split(".")
            value = Name(parts[0], span)
            for part in parts[1:]:
                value = Attr(value, part, span)
            return value
        if kind == "array_type":
            inner = _first_named(node)
            element = self.typ(inner) if inner is not None else Opaque("type", (), span)
            return Index(Name("Array", span), element, span)
        if kind in ("union_type", "intersection_type"):
            op = "|" if kind == "union_type" else "&"
            members = [self.typ(c) for c in node.named_children if c.type != "comment"]
            if not members:
                return Opaque("type", (), span)
            value = members[0]
            for member in members[1:]:
                value = BinOp(op, value, member, span)
            return value
        if kind == "literal_type":
            inner = _first_named(node)
            return self.expr(inner) if inner is not None else Opaque("type", (), span)
        if kind in ("parenthesized_type", "readonly_type", "optional_type", "rest_type"):
            inner = _first_named(node)
            return self.typ(inner) if inner is not None else Opaque("type", (), span)
        if kind == "tuple_type":
            return Seq("tuple", tuple(self.typ(c) for c in node.named_children if c.type != "comment"), span)
        if kind in ("undefined", "null"):
            return Const(None, span)
        if kind == "object_type":
            return self.object_type(node)
        return Opaque("type", (), span)

    def object_type(self, node):
        """``{ database: Knex; logger?: Logger }``: an ``Obj`` of the members' types (method and index
        signatures left out)."""
        entries = []
        for member in node.named_children:
            if member.type != "property_signature":
                continue
            key, annotation = member.child_by_field_name("name"), member.child_by_field_name("type")
            if key is None or annotation is None or key.type not in ("property_identifier", "identifier"):
                continue
            entries.append(Entry(self.text(key), self.typ(annotation)))
        return Obj(tuple(entries), self.span(node))

    def type_arguments(self, node):
        members = [self.typ(c) for c in node.named_children if c.type != "comment"]
        if len(members) == 1:
            return members[0]
        return Seq("tuple", tuple(members), self.span(node))


def _first_named(node):
    """The first named child that is not a comment (``None`` if there is none)."""
    for child in node.named_children:
        if child.type != "comment":
            return child
    return None


def _optional(children) -> bool:
    """Whether a member / call / subscript link is ``?.`` (its ``optional_chain`` token sits
    between the first and the last child)."""
    for child in children[1:-1]:
        if child.type == "optional_chain":
            return True
    return False


def _combine(op: str, left, right, span: Span):
    if op == "+":
        if type(left) is Const and type(right) is Const:
            lv, rv = left.value, right.value
            if (type(lv) is str and type(rv) in (str, int)) or (type(lv) is int and type(rv) is str):
                return Const(f"{lv}{rv}", span)
        return BinOp("+", left, right, span)
    bool_op = _BOOL_OPS.get(op)
    if bool_op is not None:
        if type(left) is BoolOp and left.op == bool_op:
            return BoolOp(bool_op, left.values + (right,), span)
        return BoolOp(bool_op, (left, right), span)
    compare = _COMPARE_OPS.get(op)
    if compare is not None:
        return Compare(compare[0], left, right, span, compare[1])
    return BinOp(op, left, right, span)


def _number(text: str):
    """A JS numeric literal's value (``0x1F``, ``1_000``, ``10n``, ``.5``, ``1e3``), else ``None``."""
    raw = text.replace("_", "")
    if raw.endswith("n"):
        raw = raw[:-1]
    try:
        if raw[:2].lower() in ("0x", "0o", "0b"):
            return int(raw, 0)
        if raw.isdigit():
            if len(raw) > 1 and raw[0] == "0" and all(c in "01234567" for c in raw):
                return int(raw, 8)  # legacy octal
            return int(raw)
        return float(raw)
    except ValueError:
        return None


def _required(value):
    """``require('m')`` / ``require('m').x`` / ``await import('m')``: (module, attribute) or (None, "")."""
    attribute = ""
    if type(value) is Attr:
        attribute = value.name
        value = value.obj
    if type(value) is Await:
        value = value.value
    if type(value) is not Call or value.new or type(value.func) is not Name or value.func.id not in ("require", "import"):
        return None, ""
    if not value.args or value.args[0].kind != "pos":
        return None, ""
    first = value.args[0].value
    if type(first) is not Const or type(first.value) is not str:
        return None, ""
    return first.value, attribute


def _has_effect(value) -> bool:
    """Whether evaluating ``value`` can do something (a call, an await, a loop, an unknown)."""
    for node in iter_nodes(value):
        if type(node) in (Call, Await, Loop, Opaque):
            return True
    return False


# an anchored pattern of word-character classes and quantifiers only: `^\w+$`, `^[a-zA-Z_][a-zA-Z0-9_]*$`
_WORD_ATOM = r"(?:\\w|\\d|[A-Za-z0-9_]|\[(?:\\w|\\d|[A-Za-z0-9_](?:-[A-Za-z0-9_])?)+\])"
_IDENTIFIER_REGEX = re.compile(r"\^(?:" + _WORD_ATOM + r"(?:[+*?]|\{\d+(?:,\d*)?\})?)+\$")


def _export(name: str, span: Span, value) -> Export:
    if type(value) is Name:
        return Export(name, span, local=value.id, value=value)
    return Export(name, span, value=value)


_STMT = {
    "expression_statement": "expression_statement",
    "lexical_declaration": "declaration",
    "variable_declaration": "declaration",
    "function_declaration": "function_declaration",
    "generator_function_declaration": "function_declaration",
    "class_declaration": "class_declaration",
    "abstract_class_declaration": "class_declaration",
    "return_statement": "return_statement",
    "throw_statement": "throw_statement",
    "if_statement": "if_statement",
    "switch_statement": "switch_statement",
    "for_statement": "for_statement",
    "for_in_statement": "for_in_statement",
    "while_statement": "while_statement",
    "do_statement": "do_statement",
    "break_statement": "jump",
    "continue_statement": "jump",
    "try_statement": "try_statement",
    "labeled_statement": "labeled_statement",
    "statement_block": "nested_block",
    "with_statement": "with_statement",
    "import_statement": "import_statement",
    "import_alias": "import_alias",
    "export_statement": "export_statement",
    "enum_declaration": "enum_declaration",
    "internal_module": "namespace_statement",
    "module": "namespace_statement",
    "empty_statement": "skip",
    "debugger_statement": "skip",
    "comment": "skip",
    "hash_bang_line": "skip",
    "html_comment": "skip",
    "type_alias_declaration": "type_declaration",
    "interface_declaration": "type_declaration",
    "ambient_declaration": "ambient",
    "function_signature": "skip",
    "ERROR": "error_statement",
}

_EXPR = {
    "identifier": "name",
    "this": "name",
    "super": "name",
    "import": "name",
    "shorthand_property_identifier": "name",
    "meta_property": "meta_property",
    "true": "constant",
    "false": "constant",
    "null": "constant",
    "undefined": "constant",
    "string": "string",
    "number": "number",
    "regex": "regex",
    "template_string": "template",
    "member_expression": "chain",
    "subscript_expression": "chain",
    "call_expression": "chain",
    "new_expression": "new",
    "parenthesized_expression": "unwrap",
    "as_expression": "unwrap",
    "satisfies_expression": "unwrap",
    "non_null_expression": "unwrap",
    "type_assertion": "unwrap",
    "instantiation_expression": "unwrap",
    "sequence_expression": "sequence",
    "assignment_expression": "assignment_value",
    "augmented_assignment_expression": "augmented_value",
    "update_expression": "update_value",
    "arrow_function": "function_value",
    "function_expression": "function_value",
    "generator_function": "function_value",
    "class": "class_value",
    "ternary_expression": "ternary",
    "await_expression": "await_",
    "yield_expression": "yield_",
    "unary_expression": "unary",
    "binary_expression": "binary",
    "array": "array",
    "object": "object",
    "spread_element": "spread",
    "jsx_element": "jsx",
    "jsx_self_closing_element": "jsx",
    "jsx_fragment": "jsx",
    "object_pattern": "pattern_value",
    "array_pattern": "pattern_value",
}

_STMT_HANDLERS = {kind: getattr(_Lowerer, method) for kind, method in _STMT.items()}
_EXPR_HANDLERS = {kind: getattr(_Lowerer, method) for kind, method in _EXPR.items()}
