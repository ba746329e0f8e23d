"""Lower a tree-sitter-python tree into the IR (:mod:`archlint.domain.ir`).

Runs on the tree the Python frontend already parsed, only for files that need deep analysis.
One recursive pass over the named nodes, dispatching on the node type; no text is re-scanned
except string literals, which are cooked here once.

Decisions worth knowing (the IR docstrings list the language-neutral ones):

* ``:=`` (walrus) is hoisted: ``if (user := get()) is None:`` becomes ``user = get()`` before the
  ``if`` and ``user`` in the test, so narrowing and def-use see an ordinary assignment.
* A comprehension with several ``for`` clauses is a :class:`Loop` per clause, the inner one as the
  outer one's ``result``; ``if`` clauses attach to the clause they follow.  A dict comprehension's
  result is the ``(key, value)`` tuple.
* ``match`` becomes an ``if``/``else`` chain whose tests are :class:`Opaque` ``case`` nodes (the
  bodies are what matter to the data-layer rules).
* Imports are not statements: they bind names module-wide in :attr:`ModuleIR.bindings` (the same
  ``module:attr`` targets as the facts' :class:`~archlint.domain.facts.Binding`), also when the
  import sits inside a function.
* Nesting deeper than :data:`MAX_DEPTH` becomes :class:`Opaque` and marks the module ``truncated``:
  5,000 nested brackets must cost linear time, not a RecursionError.
"""

from __future__ import annotations

import re
from sys import intern as _intern

from archlint.adapters.frontends.source import Columns
from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.lazy_regex import lazy_compile

MAX_DEPTH = 150
SHORT_TEXT = 40  # bytes: texts up to this long are interned
_new = tuple.__new__  # builds a record without the NamedTuple's Python-level __new__ (hot path)
# a Span from its packed fields without its Python-level __new__ (tree-sitter rows and columns are
# uint32: every field fits its 32 bits)
_packed = int.__new__

_ESCAPE = lazy_compile(r"\\(N\{[^}]*\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "a": "\a", "\\": "\\",
                   "'": "'", '"': '"', "\n": "", "\r\n": ""}
_COMPARE_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!=", "<>": "!=", "in": "in",
                "not in": "not-in", "is": "is", "is not": "is-not"}
_COMPREHENSIONS = {"list_comprehension": "list", "set_comprehension": "set", "generator_expression": "generator",
                   "dictionary_comprehension": "dict"}


def _cook_one(match: re.Match[str]) -> str:
    body = match.group(1)
    simple = _SIMPLE_ESCAPES.get(body)
    if simple is not None:
        return simple
    head = body[0]
    try:
        if head in "uU" and len(body) > 1:
            return chr(int(body[1:], 16))
        if head == "x" and len(body) == 3:
            return chr(int(body[1:], 16))
        if head in "01234567":
            return chr(int(body, 8))
        if head == "N":
            import unicodedata

            return unicodedata.lookup(body[2:-1])
    except (ValueError, KeyError, OverflowError):
        pass
    return "\\" + body


def cook(raw: str) -> str:
    """The value of a non-raw Python string literal's body."""
    return _ESCAPE.sub(_cook_one, raw) if "\\" in raw else raw


class _FunctionState:
    """What is being collected for the function under construction."""

    __slots__ = ("fid", "locals", "globals", "hoisted", "imports")

    def __init__(self, fid: int) -> None:
        self.fid = fid
        self.locals: set[str] = set()
        self.globals: set[str] = set()
        self.imports: set[str] = set()
        self.hoisted: list[ir.Stmt] = []  # walrus assignments of the statement being lowered


class _Lowerer:
    def __init__(self, data: bytes, path: str, cols: Columns | None = None, only_lines: tuple[int, ...] | None = None) -> None:
        self.data = data
        self.path = path
        self.only_lines = only_lines  # see lower()
        self.cols = cols if cols is not None else Columns(data)
        self.spans = self.cols.spans.setdefault
        self.ascii = data.isascii()
        self.chars = data.decode("ascii") if self.ascii else ""
        self.functions: list[ir.Function | None] = [None]
        self.classes: list[ir.Class | None] = []
        self.bindings: list[tuple[str, str]] = []
        self.states: list[_FunctionState] = []
        self.qualnames: list[str] = []  # enclosing def/class names
        self.class_ids: list[int] = []  # enclosing class being lowered (-1 in functions)
        self.depth = 0
        self.truncated = False
        self.expr_handlers = {
            "identifier": self.e_name,
            "attribute": self.e_attribute,
            "subscript": self.e_subscript,
            "call": self.e_call,
            "string": self.e_string,
            "concatenated_string": self.e_concatenated,
            "integer": self.e_number,
            "float": self.e_number,
            "true": lambda n: ir.Const(True, self.span(n)),
            "false": lambda n: ir.Const(False, self.span(n)),
            "none": lambda n: ir.Const(None, self.span(n)),
            "ellipsis": lambda n: ir.Const(Ellipsis, self.span(n)),
            "binary_operator": self.e_binary,
            "boolean_operator": self.e_boolean,
            "comparison_operator": self.e_compare,
            "not_operator": self.e_not,
            "unary_operator": self.e_unary,
            "conditional_expression": self.e_conditional,
            "await": self.e_await,
            "list": self.e_sequence,
            "tuple": self.e_sequence,
            "set": self.e_sequence,
            "expression_list": self.e_sequence,
            "pattern_list": self.e_sequence,
            "tuple_pattern": self.e_sequence,
            "list_pattern": self.e_sequence,
            "parenthesized_expression": self.e_parenthesized,
            "dictionary": self.e_dictionary,
            "list_splat": self.e_starred,
            "list_splat_pattern": self.e_starred,
            "dictionary_splat": self.e_starred,
            "dictionary_splat_pattern": self.e_starred,
            "parenthesized_list_splat": self.e_starred,
            "lambda": self.e_lambda,
            "named_expression": self.e_walrus,
            "list_comprehension": self.e_comprehension,
            "set_comprehension": self.e_comprehension,
            "generator_expression": self.e_comprehension,
            "dictionary_comprehension": self.e_comprehension,
            "type": self.e_type,
            "generic_type": self.e_generic,
            "union_type": self.e_union,
            "member_type": self.e_member_type,
            "keyword_argument": self.e_keyword_as_value,
            "as_pattern": self.e_as_pattern,
        }
        self.stmt_handlers = {
            "expression_statement": self.s_expression,
            "return_statement": self.s_return,
            "raise_statement": self.s_raise,
            "if_statement": self.s_if,
            "for_statement": self.s_for,
            "while_statement": self.s_while,
            "with_statement": self.s_with,
            "try_statement": self.s_try,
            "assert_statement": self.s_assert,
            "break_statement": lambda n: [ir.Jump("break", self.span(n))],
            "continue_statement": lambda n: [ir.Jump("continue", self.span(n))],
            "delete_statement": self.s_delete,
            "function_definition": self.s_function,
            "class_definition": self.s_class,
            "decorated_definition": self.s_decorated,
            "global_statement": self.s_global,
            "nonlocal_statement": self.s_global,
            "import_statement": self.s_import,
            "import_from_statement": self.s_import,
            "future_import_statement": lambda n: [],
            "pass_statement": lambda n: [],
            "type_alias_statement": lambda n: [],
            "comment": lambda n: [],
            "match_statement": self.s_match,
            "block": self.s_block,
        }

    # helpers -------------------------------------------------------------------------------
    def span(self, node) -> Span:
        """One object per distinct range of the file (``Columns.span``)."""
        (sr, sc), (er, ec) = node.start_point, node.end_point
        if self.ascii:  # byte columns are character columns
            span = _packed(Span, sr + 1 << 96 | sc + 1 << 64 | er + 1 << 32 | ec + 1)
        else:
            column = self.cols.column
            span = _packed(Span, sr + 1 << 96 | column(sr, sc) << 64 | er + 1 << 32 | column(er, ec))
        return self.spans(span, span)

    def text(self, node) -> str:
        """The node's source text; a short one (a parameter or function name, an operator) as the
        one interned object of its value, like names and attributes: ``self``, ``__init__``,
        ``request`` recur in every file and each copy was held for the whole run."""
        if node is None:
            return ""
        start, end = node.start_byte, node.end_byte
        text = self.chars[start:end] if self.ascii else self.data[start:end].decode("utf-8", "replace")
        return _intern(text) if end - start <= SHORT_TEXT else text

    @property
    def state(self) -> _FunctionState:
        return self.states[-1]

    def bind(self, target: ir.Expr | None) -> None:
        """Record the names an assignment target binds as locals of the current function."""
        if target is None:
            return
        kind = type(target)
        if kind is ir.Name:
            self.state.locals.add(target.id)
        elif kind is ir.Seq:
            for element in target.elts:
                self.bind(element)
        elif kind is ir.Starred:
            self.bind(target.value)
        elif kind is ir.Obj:
            for entry in target.entries:
                self.bind(entry.value)

    # module --------------------------------------------------------------------------------
    def lower_module(self, root) -> ir.ModuleIR:
        # A partial IR (``only_lines``) asks about the few functions it lowers: their bodies are
        # searched for a ``yield`` on demand, not the whole file first (see _has_yield).
        # Most files never spell ``yield`` (Django: 95 of 885): no query over their tree at all.
        self.generators = None if self.only_lines is not None else _generator_bodies(root) if b"yield" in self.data else set()
        state = _FunctionState(0)
        self.states.append(state)
        self.class_ids.append(-1)
        body = self.block(root.named_children)
        self.states.pop()
        self.functions[0] = ir.Function(
            0, "<module>", "", "module", (), tuple(body), self.span(root),
            locals=ir.frozen(state.locals), globals=ir.NO_NAMES,
        )
        return ir.ModuleIR(
            self.path, "python", tuple(self.functions), tuple(self.classes), (), tuple(self.bindings), self.truncated
        )

    # statements ----------------------------------------------------------------------------
    def block(self, nodes) -> list[ir.Stmt]:
        result: list[ir.Stmt] = []
        for node in nodes:
            result.extend(self.stmt(node))
        return result

    def body_of(self, node) -> tuple[ir.Stmt, ...]:
        if node is None:
            return ()
        if node.type == "block":
            return tuple(self.block(node.named_children))
        return tuple(self.stmt(node))

    def stmt(self, node) -> list[ir.Stmt]:
        handler = self.stmt_handlers.get(node.type)
        if self.depth > MAX_DEPTH:
            self.truncated = True
            return []
        self.depth += 1
        try:
            if handler is None:
                if node.type == "ERROR" or node.is_error:
                    return self.s_error(node)
                value = self.expr(node)
                result = [ir.ExprStmt(value, self.span(node))]
            else:
                result = handler(node)
        finally:
            self.depth -= 1
        hoisted = self.state.hoisted
        if hoisted:
            self.state.hoisted = []
            return hoisted + result
        return result

    def s_block(self, node) -> list[ir.Stmt]:
        return self.block(node.named_children)

    def s_error(self, node) -> list[ir.Stmt]:
        """A syntax error: keep every statement or expression tree-sitter recognised inside."""
        result: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type in self.stmt_handlers:
                result.extend(self.stmt(child))
            elif child.type in self.expr_handlers:
                result.append(ir.ExprStmt(self.expr(child), self.span(child)))
        return result

    def s_expression(self, node) -> list[ir.Stmt]:
        children = node.named_children
        if not children:
            return []
        if len(children) == 1:
            child = children[0]
            kind = child.type
            if kind == "assignment":
                return self.s_assignment(child)
            if kind == "augmented_assignment":
                return self.s_augmented(child)
            if kind in ("string", "concatenated_string"):
                return []  # a bare string has no effect: docstrings, commented-out code
            value = self.expr(child)
            if type(value) is ir.Loop and value.kind != "comprehension":
                return [value]
            return [ir.ExprStmt(value, self.span(node))]
        return [ir.ExprStmt(ir.Seq("tuple", tuple(self.expr(c) for c in children), self.span(node)), self.span(node))]

    def s_assignment(self, node) -> list[ir.Stmt]:
        targets: list[ir.Expr] = []
        current = node
        annotation = None
        value: ir.Expr | None = None
        while True:
            left = current.child_by_field_name("left")
            targets.append(self.target(left))
            type_node = current.child_by_field_name("type")
            if type_node is not None:
                annotation = self.expr(type_node)
            right = current.child_by_field_name("right")
            if right is None:
                break
            if right.type == "assignment":  # a = b = value
                current = right
                continue
            value = self.expr(right)
            break
        for target in targets:
            self.bind(target)
        return [ir.Assign(tuple(targets), value, self.span(node), "=", annotation)]

    def s_augmented(self, node) -> list[ir.Stmt]:
        target = self.target(node.child_by_field_name("left"))
        operator = node.child_by_field_name("operator")
        value = self.expr(node.child_by_field_name("right"))
        op = self.text(operator) if operator is not None else "+="
        self.bind(target)
        return [ir.Assign((target,), value, self.span(node), op)]

    def target(self, node) -> ir.Expr:
        if node is None:
            return ir.Opaque("missing", (), Span(1, 1, 1, 1))
        return self.expr(node)

    def s_return(self, node) -> list[ir.Stmt]:
        children = node.named_children
        value = None
        if children:
            value = self.expr(children[0]) if len(children) == 1 else ir.Seq(
                "tuple", tuple(self.expr(c) for c in children), self.span(node)
            )
        return [ir.Return(value, self.span(node))]

    def s_raise(self, node) -> list[ir.Stmt]:
        cause = node.child_by_field_name("cause")
        children = [c for c in node.named_children if cause is None or c.id != cause.id]
        value = self.expr(children[0]) if children else None
        return [ir.Raise(value, self.span(node))]

    def s_if(self, node) -> list[ir.Stmt]:
        test = self.expr(node.child_by_field_name("condition"))
        hoisted, self.state.hoisted = self.state.hoisted, []
        body = self.body_of(node.child_by_field_name("consequence"))
        alternatives = node.children_by_field_name("alternative")
        orelse: tuple[ir.Stmt, ...] = ()
        for alternative in reversed(alternatives):
            if alternative.type == "else_clause":
                orelse = self.body_of(alternative.child_by_field_name("body"))
            else:  # elif_clause
                elif_test = self.expr(alternative.child_by_field_name("condition"))
                elif_hoisted, self.state.hoisted = self.state.hoisted, []
                elif_body = self.body_of(alternative.child_by_field_name("consequence"))
                orelse = (*elif_hoisted, ir.If(elif_test, elif_body, orelse, self.span(alternative)))
        self.state.hoisted = hoisted
        return [ir.If(test, body, orelse, self.span(node))]

    def s_for(self, node) -> list[ir.Stmt]:
        target = self.target(node.child_by_field_name("left"))
        self.bind(target)
        iterable = self.expr(node.child_by_field_name("right"))
        hoisted, self.state.hoisted = self.state.hoisted, []
        body = self.body_of(node.child_by_field_name("body"))
        alternative = node.child_by_field_name("alternative")
        orelse = self.body_of(alternative.child_by_field_name("body")) if alternative is not None else ()
        self.state.hoisted = hoisted
        is_async = node.children[0].type == "async"
        return [ir.Loop("for", target, iterable, body, self.span(node), orelse=orelse, is_async=is_async)]

    def s_while(self, node) -> list[ir.Stmt]:
        test = self.expr(node.child_by_field_name("condition"))
        hoisted, self.state.hoisted = self.state.hoisted, []
        body = self.body_of(node.child_by_field_name("body"))
        alternative = node.child_by_field_name("alternative")
        orelse = self.body_of(alternative.child_by_field_name("body")) if alternative is not None else ()
        self.state.hoisted = hoisted
        return [ir.Loop("while", None, test, body, self.span(node), orelse=orelse)]

    def s_with(self, node) -> list[ir.Stmt]:
        items: list[ir.WithItem] = []
        for clause in node.named_children:
            if clause.type != "with_clause":
                continue
            for item in clause.named_children:
                if item.type != "with_item":
                    continue
                value = item.child_by_field_name("value")
                if value is None:
                    continue
                if value.type == "as_pattern" and value.named_children:
                    context = self.expr(value.named_children[0])
                    alias = value.child_by_field_name("alias")
                    inner = alias.named_children[0] if alias is not None and alias.named_children else alias
                    target = self.target(inner) if inner is not None else None
                    self.bind(target)
                    items.append(ir.WithItem(context, target))
                elif value.type == "tuple" and all(c.type == "as_pattern" for c in value.named_children):
                    for pattern in value.named_children:  # with (a as x, b as y):
                        context = self.expr(pattern.named_children[0])
                        alias = pattern.child_by_field_name("alias")
                        inner = alias.named_children[0] if alias is not None and alias.named_children else alias
                        target = self.target(inner) if inner is not None else None
                        self.bind(target)
                        items.append(ir.WithItem(context, target))
                else:
                    items.append(ir.WithItem(self.expr(value), None))
        hoisted, self.state.hoisted = self.state.hoisted, []
        body = self.body_of(node.child_by_field_name("body"))
        self.state.hoisted = hoisted
        is_async = node.children[0].type == "async"
        return [ir.With(tuple(items), body, self.span(node), is_async)]

    def s_try(self, node) -> list[ir.Stmt]:
        body = self.body_of(node.child_by_field_name("body"))
        handlers: list[ir.Handler] = []
        orelse: tuple[ir.Stmt, ...] = ()
        final: tuple[ir.Stmt, ...] = ()
        for child in node.named_children:
            kind = child.type
            if kind in ("except_clause", "except_group_clause"):
                handlers.append(self._handler(child))
            elif kind == "else_clause":
                orelse = self.body_of(child.child_by_field_name("body"))
            elif kind == "finally_clause":
                block = next((c for c in child.named_children if c.type == "block"), None)
                final = self.body_of(block)
        return [ir.Try(body, tuple(handlers), orelse, final, self.span(node))]

    def _handler(self, node) -> ir.Handler:
        types: ir.Expr | None = None
        name = ""
        value = node.child_by_field_name("value")
        block = None
        for child in node.named_children:
            if child.type == "block":
                block = child
        if value is not None:
            if value.type == "as_pattern" and value.named_children:
                types = self.expr(value.named_children[0])
                alias = value.child_by_field_name("alias")
                name = self.text(alias.named_children[0] if alias is not None and alias.named_children else alias)
            else:
                types = self.expr(value)
        else:  # older grammars: except E as e with positional children
            exprs = [c for c in node.named_children if c.type != "block" and c.type != "comment"]
            if exprs:
                types = self.expr(exprs[0])
            if len(exprs) > 1 and exprs[1].type == "identifier":
                name = self.text(exprs[1])
        if name:
            self.state.locals.add(name)
        return ir.Handler(types, name, self.body_of(block), self.span(node))

    def s_assert(self, node) -> list[ir.Stmt]:
        children = node.named_children
        if not children:
            return []
        return [ir.Assert(self.expr(children[0]), self.span(node))]

    def s_delete(self, node) -> list[ir.Stmt]:
        children = node.named_children
        targets: list[ir.Expr] = []
        for child in children:
            if child.type == "expression_list":
                targets.extend(self.expr(c) for c in child.named_children)
            else:
                targets.append(self.expr(child))
        return [ir.Delete(tuple(targets), self.span(node))]

    def s_global(self, node) -> list[ir.Stmt]:
        for child in node.named_children:
            if child.type == "identifier":
                self.state.globals.add(self.text(child))
        return []

    def s_import(self, node) -> list[ir.Stmt]:
        """Imports bind module-wide (see the module docstring); they are not statements.  Inside a
        function the names are also recorded as that function's ``imports``."""
        start = len(self.bindings)
        self._import(node)
        if len(self.states) > 1:
            self.state.imports.update(local for local, _ in self.bindings[start:])
        return []

    def _import(self, node) -> None:
        if node.type == "import_statement":
            for name_node in node.children_by_field_name("name"):
                if name_node.type == "aliased_import":
                    module = self.text(name_node.child_by_field_name("name"))
                    self.bindings.append((self.text(name_node.child_by_field_name("alias")), f"{module}:"))
                else:
                    top = self.text(name_node).split(".", 1)[0]
                    self.bindings.append((top, f"{top}:"))
            return
        module_node = node.child_by_field_name("module_name")
        level, module = 0, ""
        if module_node is not None:
            if module_node.type == "relative_import":
                prefix = next((c for c in module_node.named_children if c.type == "import_prefix"), None)
                level = len(self.text(prefix)) if prefix is not None else 0
                dotted = next((c for c in module_node.named_children if c.type == "dotted_name"), None)
                module = self.text(dotted)
            else:
                module = self.text(module_node)
        for name_node in node.children_by_field_name("name"):
            if name_node.type == "aliased_import":
                name = self.text(name_node.child_by_field_name("name"))
                local = self.text(name_node.child_by_field_name("alias"))
            else:
                name = local = self.text(name_node)
            self.bindings.append((local, f"{'.' * level}{module}:{name}"))

    def s_match(self, node) -> list[ir.Stmt]:
        subject = node.child_by_field_name("subject")
        body = node.child_by_field_name("body")
        result: list[ir.Stmt] = []
        if subject is not None:
            result.append(ir.ExprStmt(self.expr(subject), self.span(subject)))
        cases = body.named_children if body is not None else []
        orelse: tuple[ir.Stmt, ...] = ()
        for case in reversed([c for c in cases if c.type == "case_clause"]):
            consequence = case.child_by_field_name("consequence")
            test = ir.Opaque("case", (), self.span(case))
            orelse = (ir.If(test, self.body_of(consequence), orelse, self.span(case)),)
        result.extend(orelse)
        return result

    # definitions ----------------------------------------------------------------------------
    def s_decorated(self, node) -> list[ir.Stmt]:
        decorators = tuple(
            self.expr(child.named_children[0]) for child in node.named_children
            if child.type == "decorator" and child.named_children
        )
        definition = node.child_by_field_name("definition")
        if definition is None:
            return []
        if definition.type == "class_definition":
            return self.s_class(definition, decorators)
        return self.s_function(definition, decorators)

    def s_function(self, node, decorators: tuple[ir.Expr, ...] = ()) -> list[ir.Stmt]:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node)
        fid = self.define_function(node, name, decorators)
        self.state.locals.add(name)
        return [ir.Assign((ir.Name(name, self.span(name_node)),), ir.FuncRef(fid, self.span(node)), self.span(node))]

    def define_function(self, node, name: str, decorators: tuple[ir.Expr, ...], kind: str = "") -> int:
        fid = len(self.functions)
        self.functions.append(None)
        parent = self.state.fid
        cls = self.class_ids[-1]
        in_class = cls >= 0
        qualname = ".".join([*self.qualnames, name])
        state = _FunctionState(fid)
        self.states.append(state)
        self.qualnames.append(name)
        self.class_ids.append(-1)
        try:
            params = self.parameters(node.child_by_field_name("parameters"))
            returns_node = node.child_by_field_name("return_type")
            returns = self.expr(returns_node) if returns_node is not None else None
            if kind == "lambda":
                body_node = node.child_by_field_name("body")
                value = self.expr(body_node) if body_node is not None else ir.Const(None, self.span(node))
                body: tuple[ir.Stmt, ...] = (*state.hoisted, ir.Return(value, self.span(body_node or node)))
                state.hoisted = []
                is_async = skipped = False
            else:
                only = self.only_lines
                skipped = only is not None and not any(node.start_point[0] <= row <= node.end_point[0] for row in only)
                # a function that holds none of the lines asked about keeps no body (see lower)
                body = () if skipped else self.body_of(node.child_by_field_name("body"))
                is_async = node.children[0].type == "async"
            is_generator = kind != "lambda" and not skipped and self._has_yield(node.child_by_field_name("body"))
        finally:
            self.class_ids.pop()
            self.qualnames.pop()
            self.states.pop()
        decorator_names = {self._decorator_name(d) for d in decorators}
        is_static = "staticmethod" in decorator_names
        if kind == "lambda":
            function_kind = "lambda"
        elif in_class:
            function_kind = "method"
        else:
            function_kind = "function"
        self.functions[fid] = ir.Function(
            fid, name, qualname, function_kind, tuple(params), body, self.span(node), decorators, is_async,
            is_generator, returns, parent, cls if in_class else -1, ir.frozen(state.locals), ir.frozen(state.globals),
            is_static, ir.frozen(state.imports),
        )
        return fid

    @staticmethod
    def _decorator_name(decorator: ir.Expr) -> str:
        while type(decorator) is ir.Call:
            decorator = decorator.func
        if type(decorator) is ir.Attr:
            return decorator.name
        if type(decorator) is ir.Name:
            return decorator.id
        return ""

    def _has_yield(self, body) -> bool:
        """A ``yield`` directly in this function (not in a nested def/lambda/class)."""
        if body is None:
            return False
        if self.generators is None:
            return b"yield" in self.data[body.start_byte:body.end_byte] and (body.start_byte, body.end_byte) in _generator_bodies(body)
        return (body.start_byte, body.end_byte) in self.generators

    def parameters(self, node) -> list[ir.Param]:
        if node is None:
            return []
        params: list[ir.Param] = []
        keyword_only = False
        for child in node.named_children:
            kind = child.type
            span = self.span(child)
            if kind == "identifier":
                params.append(ir.Param(self.text(child), "kwonly" if keyword_only else "pos", span))
            elif kind == "typed_parameter":
                inner = child.named_children[0] if child.named_children else None
                annotation = child.child_by_field_name("type")
                note = self.expr(annotation) if annotation is not None else None
                if inner is not None and inner.type == "list_splat_pattern":
                    params.append(ir.Param(self.text(inner.named_children[0]) if inner.named_children else "", "vararg", span, note))
                    keyword_only = True
                elif inner is not None and inner.type == "dictionary_splat_pattern":
                    params.append(ir.Param(self.text(inner.named_children[0]) if inner.named_children else "", "kwarg", span, note))
                else:
                    params.append(ir.Param(self.text(inner), "kwonly" if keyword_only else "pos", span, note))
            elif kind in ("default_parameter", "typed_default_parameter"):
                name = self.text(child.child_by_field_name("name"))
                annotation = child.child_by_field_name("type")
                value = child.child_by_field_name("value")
                params.append(ir.Param(
                    name, "kwonly" if keyword_only else "pos", span,
                    self.expr(annotation) if annotation is not None else None,
                    self.expr(value) if value is not None else None,
                ))
            elif kind == "list_splat_pattern":
                params.append(ir.Param(self.text(child.named_children[0]) if child.named_children else "", "vararg", span))
                keyword_only = True
            elif kind == "dictionary_splat_pattern":
                params.append(ir.Param(self.text(child.named_children[0]) if child.named_children else "", "kwarg", span))
            elif kind == "keyword_separator":
                keyword_only = True
            elif kind == "positional_separator":
                params = [p._replace(kind="posonly") if p.kind == "pos" else p for p in params]
            elif kind == "tuple_pattern":  # Python 2 style, or lambda (a, b)
                params.append(ir.Param(self.text(child), "pos", span))
        return params

    def s_class(self, node, decorators: tuple[ir.Expr, ...] = ()) -> list[ir.Stmt]:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node)
        cid = len(self.classes)
        self.classes.append(None)
        bases: list[ir.Expr] = []
        keywords: list[ir.Arg] = []
        superclasses = node.child_by_field_name("superclasses")
        if superclasses is not None:
            for child in superclasses.named_children:
                if child.type == "keyword_argument":
                    value = child.child_by_field_name("value")
                    keywords.append(ir.Arg("kw", _intern(self.text(child.child_by_field_name("name"))),
                                           self.expr(value) if value is not None else ir.Const(None, self.span(child))))
                elif child.type not in ("comment", "list_splat", "dictionary_splat"):
                    bases.append(self.expr(child))
        qualname = ".".join([*self.qualnames, name])
        parent = self.state.fid
        fields: list[ir.Field] = []
        methods: list[int] = []
        nested: list[int] = []
        self.qualnames.append(name)
        self.class_ids.append(cid)
        only = self.only_lines
        try:
            body = node.child_by_field_name("body")
            if only is not None and not any(node.start_point[0] <= row <= node.end_point[0] for row in only):
                body = None  # a partial IR: a class holding none of the lines asked about keeps no members
            for statement in body.named_children if body is not None else ():
                self._class_member(statement, fields, methods, nested, ())
        finally:
            self.class_ids.pop()
            self.qualnames.pop()
        self.classes[cid] = ir.Class(
            cid, name, qualname, tuple(bases), self.span(node), decorators, tuple(keywords), tuple(fields),
            tuple(methods), parent, tuple(nested),
        )
        self.state.locals.add(name)
        return [ir.Assign((ir.Name(name, self.span(name_node)),), ir.ClassRef(cid, self.span(node)), self.span(node))]

    def _class_member(self, statement, fields, methods, nested, decorators) -> None:
        kind = statement.type
        if kind == "decorated_definition":
            decorators = tuple(
                self.expr(child.named_children[0]) for child in statement.named_children
                if child.type == "decorator" and child.named_children
            )
            definition = statement.child_by_field_name("definition")
            if definition is not None:
                self._class_member(definition, fields, methods, nested, decorators)
            return
        if kind == "function_definition":
            name = self.text(statement.child_by_field_name("name"))
            methods.append(self.define_function(statement, name, decorators))
            return
        if kind == "class_definition":
            before = len(self.classes)
            self.s_class(statement, decorators)
            nested.append(before)
            return
        if kind == "expression_statement" and statement.named_children:
            inner = statement.named_children[0]
            if inner.type == "assignment":
                left = inner.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    annotation = inner.child_by_field_name("type")
                    right = inner.child_by_field_name("right")
                    fields.append(ir.Field(
                        self.text(left), self.span(inner),
                        self.expr(annotation) if annotation is not None else None,
                        self.expr(right) if right is not None else None,
                    ))
                    self.state.hoisted = []
            return
        if kind in ("if_statement", "try_statement"):  # conditional class bodies: keep their members
            for block in statement.named_children:
                if block.type == "block":
                    for child in block.named_children:
                        self._class_member(child, fields, methods, nested, ())

    # expressions ---------------------------------------------------------------------------
    def expr(self, node) -> ir.Expr:
        if node is None:
            return ir.Opaque("missing", (), Span(1, 1, 1, 1))
        handler = self.expr_handlers.get(node.type)
        if self.depth > MAX_DEPTH:
            self.truncated = True
            return ir.Opaque("too-deep", (), self.span(node))
        self.depth += 1
        try:
            if handler is not None:
                return handler(node)
            return self.e_opaque(node)
        finally:
            self.depth -= 1

    def e_opaque(self, node) -> ir.Expr:
        parts = tuple(self.expr(c) for c in node.named_children if c.type in self.expr_handlers or c.type == "yield")
        return ir.Opaque(node.type, parts, self.span(node))

    def e_name(self, node) -> ir.Expr:
        return _new(ir.Name, (_intern(self.text(node)), self.span(node)))

    def e_attribute(self, node) -> ir.Expr:
        obj = self.expr(node.child_by_field_name("object"))
        return _new(ir.Attr, (obj, _intern(self.text(node.child_by_field_name("attribute"))), self.span(node), False))

    def e_subscript(self, node) -> ir.Expr:
        obj = self.expr(node.child_by_field_name("value"))
        indexes = [self.e_slice(c) if c.type == "slice" else self.expr(c) for c in node.children_by_field_name("subscript")]
        index = indexes[0] if len(indexes) == 1 else ir.Seq("tuple", tuple(indexes), self.span(node))
        return ir.Index(obj, index, self.span(node))

    def e_slice(self, node) -> ir.Expr:
        return ir.Opaque("slice", tuple(self.expr(c) for c in node.named_children), self.span(node))

    def e_call(self, node) -> ir.Expr:
        func = self.expr(node.child_by_field_name("function"))
        arguments = node.child_by_field_name("arguments")
        args: list[ir.Arg] = []
        if arguments is not None:
            if arguments.type == "generator_expression":
                args.append(ir.Arg("pos", "", self.expr(arguments)))
            else:
                for child in arguments.named_children:
                    kind = child.type
                    if kind == "keyword_argument":
                        value = child.child_by_field_name("value")
                        args.append(ir.Arg("kw", _intern(self.text(child.child_by_field_name("name"))), self.expr(value)))
                    elif kind == "list_splat":
                        args.append(ir.Arg("star", "", self.expr(child.named_children[0]) if child.named_children else self.e_opaque(child)))
                    elif kind == "dictionary_splat":
                        args.append(ir.Arg("kwstar", "", self.expr(child.named_children[0]) if child.named_children else self.e_opaque(child)))
                    elif kind != "comment":
                        args.append(_new(ir.Arg, ("pos", "", self.expr(child))))
        return _new(ir.Call, (func, tuple(args), self.span(node), False, False))

    def e_keyword_as_value(self, node) -> ir.Expr:
        value = node.child_by_field_name("value")
        return self.expr(value)

    def e_as_pattern(self, node) -> ir.Expr:
        return self.expr(node.named_children[0]) if node.named_children else self.e_opaque(node)

    def e_number(self, node) -> ir.Expr:
        text = self.text(node).replace("_", "")
        try:
            if node.type == "integer":
                lowered = text.lower().rstrip("lj")
                value: object = int(lowered, 0) if lowered[:2] in ("0x", "0o", "0b") else int(lowered.lstrip("0") or "0")
            else:
                value = float(text.rstrip("jJ"))
        except ValueError:
            value = text
        return ir.Const(value, self.span(node))

    def e_string(self, node) -> ir.Expr:
        strings, holes, prefix = self._string_parts(node)
        span = self.span(node)
        if holes or "f" in prefix or "t" in prefix:
            return ir.Template(tuple(strings), tuple(holes), span)
        value = strings[0]
        if "b" in prefix:
            return ir.Const(value.encode("utf-8", "surrogateescape"), span)
        # keys, field names, related names repeat through a file: one object each (``Columns.span``)
        return ir.Const(_intern(value) if len(value) <= 64 else value, span)

    def _string_parts(self, node) -> tuple[list[str], list[ir.Expr], str]:
        """A literal's cooked text pieces and its interpolation holes."""
        children = node.children
        if not children:
            return [self.text(node)], [], ""
        start_node = children[0]
        start_text = self.text(start_node) if start_node.type == "string_start" else ""
        prefix = start_text.rstrip("'\"").lower()
        raw = "r" in prefix
        formatted = "f" in prefix or "t" in prefix
        cursor = start_node.end_byte if start_node.type == "string_start" else node.start_byte
        end = children[-1].start_byte if children[-1].type == "string_end" else node.end_byte
        strings: list[str] = []
        holes: list[ir.Expr] = []
        piece: list[str] = []
        for child in children:
            if child.type != "interpolation":
                continue
            piece.append(self._cook(self.data[cursor : child.start_byte], raw, formatted))
            strings.append("".join(piece))
            piece = []
            expression = child.child_by_field_name("expression")
            holes.append(self.expr(expression) if expression is not None else ir.Opaque("hole", (), self.span(child)))
            cursor = child.end_byte
        piece.append(self._cook(self.data[cursor:end], raw, formatted))
        strings.append("".join(piece))
        return strings, holes, prefix

    @staticmethod
    def _cook(raw_bytes: bytes, raw: bool, formatted: bool) -> str:
        text = raw_bytes.decode("utf-8", "replace")
        if formatted:
            text = text.replace("{{", "{").replace("}}", "}")
        return text if raw else cook(text)

    def e_concatenated(self, node) -> ir.Expr:
        strings: list[str] = [""]
        holes: list[ir.Expr] = []
        formatted = False
        for piece in node.named_children:
            if piece.type != "string":
                continue
            parts, piece_holes, prefix = self._string_parts(piece)
            formatted = formatted or bool(piece_holes) or "f" in prefix or "t" in prefix
            strings[-1] += parts[0]
            for hole, tail in zip(piece_holes, parts[1:]):
                holes.append(hole)
                strings.append(tail)
        if formatted:
            return ir.Template(tuple(strings), tuple(holes), self.span(node))
        return ir.Const(strings[0], self.span(node))

    def e_binary(self, node) -> ir.Expr:
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else "?"
        span = self.span(node)
        if op == "+" and type(left) is ir.Const and type(right) is ir.Const and isinstance(left.value, str) and isinstance(right.value, str):
            return ir.Const(left.value + right.value, span)
        return ir.BinOp(op, left, right, span)

    def e_boolean(self, node) -> ir.Expr:
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else "and"
        values: list[ir.Expr] = []
        for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
            value = self.expr(side)
            if type(value) is ir.BoolOp and value.op == op:
                values.extend(value.values)  # a and b and c -> one BoolOp
            else:
                values.append(value)
        return ir.BoolOp(op, tuple(values), self.span(node))

    def e_compare(self, node) -> ir.Expr:
        operands: list[ir.Expr] = []
        operators: list[str] = []
        for index, child in enumerate(node.children):
            field = node.field_name_for_child(index)
            if field == "operators":
                operators.append(_COMPARE_OPS.get(" ".join(self.text(child).split()), self.text(child)))
            elif child.is_named and child.type != "comment":
                operands.append(self.expr(child))
        span = self.span(node)
        if len(operands) < 2 or len(operators) != len(operands) - 1:
            return ir.Opaque("comparison", tuple(operands), span)
        comparisons = [ir.Compare(op, left, right, span) for op, left, right in zip(operators, operands, operands[1:])]
        return comparisons[0] if len(comparisons) == 1 else ir.BoolOp("and", tuple(comparisons), span)

    def e_not(self, node) -> ir.Expr:
        return ir.Unary("not", self.expr(node.child_by_field_name("argument")), self.span(node))

    def e_unary(self, node) -> ir.Expr:
        operator = node.child_by_field_name("operator")
        operand = self.expr(node.child_by_field_name("argument"))
        op = self.text(operator) if operator is not None else "-"
        if op == "-" and type(operand) is ir.Const and isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
            return ir.Const(-operand.value, self.span(node))
        return ir.Unary(op, operand, self.span(node))

    def e_conditional(self, node) -> ir.Expr:
        children = [c for c in node.named_children if c.type != "comment"]
        if len(children) != 3:
            return self.e_opaque(node)
        then, test, orelse = (self.expr(c) for c in children)
        return ir.Cond(test, then, orelse, self.span(node))

    def e_await(self, node) -> ir.Expr:
        children = node.named_children
        return ir.Await(self.expr(children[0]) if children else ir.Opaque("missing", (), self.span(node)), self.span(node))

    def e_sequence(self, node) -> ir.Expr:
        kind = node.type
        seq_kind = "list" if kind in ("list", "list_pattern") else "set" if kind == "set" else "tuple"
        return ir.Seq(seq_kind, tuple(self.expr(c) for c in node.named_children if c.type != "comment"), self.span(node))

    def e_parenthesized(self, node) -> ir.Expr:
        children = [c for c in node.named_children if c.type != "comment"]
        if len(children) == 1:
            return self.expr(children[0])
        return self.e_opaque(node)

    def e_dictionary(self, node) -> ir.Expr:
        entries: list[ir.Entry] = []
        for child in node.named_children:
            if child.type == "pair":
                key_node = child.child_by_field_name("key")
                key = self.expr(key_node)
                value = self.expr(child.child_by_field_name("value"))
                plain = key.value if type(key) is ir.Const and isinstance(key.value, str) else key
                entries.append(ir.Entry(plain, value))
            elif child.type == "dictionary_splat":
                entries.append(ir.Entry(None, self.expr(child.named_children[0]) if child.named_children else self.e_opaque(child)))
        return ir.Obj(tuple(entries), self.span(node))

    def e_starred(self, node) -> ir.Expr:
        children = node.named_children
        value = self.expr(children[0]) if children else ir.Opaque("missing", (), self.span(node))
        return ir.Starred(value, self.span(node))

    def e_lambda(self, node) -> ir.Expr:
        fid = self.define_function(node, f"<lambda@{node.start_point[0] + 1}>", (), kind="lambda")
        return ir.FuncRef(fid, self.span(node))

    def e_walrus(self, node) -> ir.Expr:
        name_node = node.child_by_field_name("name")
        value = self.expr(node.child_by_field_name("value"))
        target = ir.Name(self.text(name_node), self.span(name_node))
        self.state.locals.add(target.id)
        self.state.hoisted.append(ir.Assign((target,), value, self.span(node)))
        return target

    def e_comprehension(self, node) -> ir.Expr:
        body_node = node.child_by_field_name("body")
        clauses = [c for c in node.named_children if c.type in ("for_in_clause", "if_clause")]
        # Build clause by clause: each for_in_clause opens a loop, its if_clauses filter it.
        loops: list[tuple[ir.Expr, ir.Expr, list[ir.Expr], object, bool]] = []
        for clause in clauses:
            if clause.type == "for_in_clause":
                target = self.target(clause.child_by_field_name("left"))
                self.bind(target)
                iterable = self.expr(clause.child_by_field_name("right"))
                loops.append((target, iterable, [], clause, clause.children[0].type == "async"))
            elif loops:
                loops[-1][2].extend(self.expr(c) for c in clause.named_children)
        if body_node is not None and body_node.type == "pair":
            key = self.expr(body_node.child_by_field_name("key"))
            value = self.expr(body_node.child_by_field_name("value"))
            result: ir.Expr = ir.Seq("tuple", (key, value), self.span(body_node))
        else:
            result = self.expr(body_node)
        span = self.span(node)
        for target, iterable, conditions, _clause, is_async in reversed(loops):
            result = ir.Loop("comprehension", target, iterable, (), span, result, tuple(conditions), is_async=is_async)
        return result if loops else ir.Opaque("comprehension", (result,), span)

    def e_type(self, node) -> ir.Expr:
        children = node.named_children
        if len(children) == 1:
            return self.expr(children[0])
        return self.e_opaque(node)

    def e_generic(self, node) -> ir.Expr:
        children = node.named_children
        if not children:
            return self.e_opaque(node)
        base = self.expr(children[0])
        arguments: list[ir.Expr] = []
        for child in children[1:]:
            if child.type == "type_parameter":
                arguments.extend(self.expr(c) for c in child.named_children)
        index = arguments[0] if len(arguments) == 1 else ir.Seq("tuple", tuple(arguments), self.span(node))
        return ir.Index(base, index, self.span(node))

    def e_union(self, node) -> ir.Expr:
        children = node.named_children
        if len(children) != 2:
            return self.e_opaque(node)
        return ir.BinOp("|", self.expr(children[0]), self.expr(children[1]), self.span(node))

    def e_member_type(self, node) -> ir.Expr:
        children = node.named_children
        if len(children) != 2:
            return self.e_opaque(node)
        return ir.Attr(self.expr(children[0]), self.text(children[1]), self.span(node))


def _generator_bodies(root) -> set[tuple[int, int]]:
    """The byte ranges of the function bodies holding a ``yield`` of their own (not one of a
    nested def/lambda/class): one query over the file and a short climb from each ``yield``,
    instead of a walk of every function's subtree (nested functions were walked again and
    again: 1.6 s of Django's lowering under the profiler)."""
    found: set[tuple[int, int]] = set()
    for node in _yield_cursor()(_yield_query()).captures(root).get("yield", ()):
        child, parent = node, node.parent
        while parent is not None and parent.type not in ("function_definition", "lambda", "class_definition"):
            child, parent = parent, parent.parent
        if parent is not None and parent.type == "function_definition":
            body = parent.child_by_field_name("body")
            if body is not None and body.start_byte <= node.start_byte and node.end_byte <= body.end_byte:
                found.add((body.start_byte, body.end_byte))
    return found


def _yield_query():
    global _YIELD_QUERY
    if _YIELD_QUERY is None:
        import tree_sitter as ts

        from archlint.adapters.frontends.grammars import binding

        _YIELD_QUERY = ts.Query(ts.Language(binding("tree_sitter_python").language()), "(yield) @yield")
    return _YIELD_QUERY


def _yield_cursor():
    import tree_sitter as ts

    return ts.QueryCursor


_YIELD_QUERY = None


def lower(root, data: bytes, path: str, cols: Columns | None = None, only_lines: tuple[int, ...] | None = None) -> ir.ModuleIR:
    """The IR of one Python file, from the tree the frontend parsed (``root`` is its root node).
    The cyclic GC is paused while lowering: the IR is hundreds of thousands of tuples and no
    reference cycles, and collector passes over them cost a third of the time.

    ``only_lines`` (0-based rows): a partial IR for one question about those lines — the module's
    top level whole, and of the functions only those holding one of the rows (and so every function
    around the code on them) get a body; the others keep their signature and span, with an empty
    body, and a class holding none of the rows keeps no members.  The lean head asks it for the guards of its computed imports (Django's 24 such files:
    whole IR was half of their cost); it is never the file's IR."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    lowerer = _Lowerer(data, path, cols, only_lines)
    try:
        return lowerer.lower_module(root)
    finally:
        # Its handler tables hold bound methods (a reference cycle): with the collector paused for
        # the whole check, every lowerer — the file's bytes, its text, its column index — stayed
        # alive to the end (saleor-sized tree: ~20 MB).  Emptied, it is freed at once.
        lowerer.__dict__.clear()
        if enabled:
            gc.enable()
