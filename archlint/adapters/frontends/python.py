"""Python frontend: tree-sitter-python → :class:`FileFacts`.

Why tree-sitter and not the ``ast`` module: ``ast`` only parses the grammar of the interpreter
running archlint, while agents write PEP 695 generics, PEP 701 f-strings, PEP 758
``except A, B:`` and 3.15 ``lazy import``.  tree-sitter parses all of them on any interpreter,
is error-tolerant (a syntax error still yields the other facts) and releases the GIL while
parsing.  One query per file collects every node of interest in C; Python code only touches
the captured nodes, never the whole tree.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from sys import intern as _intern

from archlint.adapters.frontends.python_syntax import (
    LAYOUT_PATTERNS,
    OriginalSpans,
    depth_problem,
    layout_problems,
    without_grammar_gaps,
)
from archlint.adapters.frontends.scanner import decoded_head, file_signal
from archlint.adapters.frontends.source import SQL_FRAGMENT, Columns, decode, has_signal
from archlint.adapters.frontends.tree_walk import Ancestry, Intervals, preorder
from archlint.domain.facts import (
    DYNAMIC,
    UNREADABLE_CALLEE,
    LAZY,
    OPAQUE,
    RUNTIME,
    TYPE_ONLY,
    Argument,
    Assign,
    Binding,
    CallSite,
    ClassDef,
    FileFacts,
    FunctionDef,
    Hole,
    Import,
    Loop,
    ParseProblem,
    Span,
    StringLit,
)
from archlint.domain.lazy_regex import lazy_compile

_FACT_PATTERNS = """
(import_statement) @import
(import_from_statement) @import
(call) @call
(class_definition) @class
(function_definition) @function
(assignment) @assign
(augmented_assignment) @assign
(with_item value: (as_pattern)) @with
(for_statement) @loop
(while_statement) @loop
(for_in_clause) @loop
"""
_QUERY = _FACT_PATTERNS + LAYOUT_PATTERNS
# The lean head's queries: what constant folding of a computed import reads (the facts), or the
# imports alone; no layout patterns (every statement, block and clause of the file, captured and
# sorted for nothing: the lean head makes no syntax verdict).
_FOLD_QUERY = _FACT_PATTERNS
_IMPORT_QUERY = "(import_statement) @import (import_from_statement) @import"
# Strings and comments are many and rarely interesting: they get their own query, run only
# when a cheap byte-level scan of the file says they can matter.
_STRING_QUERY = "(string) @string (concatenated_string) @string"
_COMMENT_QUERY = "(comment) @comment"
# The file-level SQL/DB-URL signal, as one pattern: the reference that ``scanner.file_signal`` (what
# the frontend runs, ~10x faster) is tested against; compiled only when a test asks for it.
_FILE_SIGNAL_PATTERN = (
    rb"(?i)[\"'(]\s*(select|insert|update|delete|create|alter|drop|with|pragma|replace|truncate|merge|upsert|"
    rb"begin|commit|rollback|explain|vacuum|grant|set\s+search_path)\s|"
    rb"\b(postgres(ql)?|sqlite3?|mysql|mariadb|mssql|oracle|mongodb|cockroachdb)(\+\w+)?:|django\.db\.backends\."
)


def __getattr__(name: str):
    if name == "_FILE_SIGNAL":
        return re.compile(_FILE_SIGNAL_PATTERN)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
_ARGS_TEXT_LIMIT = 2_000
_CALLEE_BYTES = 4_000  # longer callees are not typed (see UNREADABLE_CALLEE)

_ARG_TEXT_LIMIT = 200
_SHORT_TEXT = 40  # characters: texts up to this long are interned
_STRING_PREFIX = re.compile(r"^([rRbBuUfFtT]*)('''|\"\"\"|'|\")")
_CALL_ARGS = re.compile(r"\((?:[^()]|\([^()]*\))*\)")
# Calls of builtins carry no architecture or data-layer meaning; skipping them (when the name is
# not rebound by an import) removes a third of the call facts on a typical code base.
_IGNORED_BUILTINS = frozenset(
    "isinstance issubclass str int float bool bytes list dict set tuple frozenset print range enumerate zip "
    "sorted reversed type repr getattr setattr hasattr delattr super min max sum abs round any all iter next "
    "map callable id hash format vars object property staticmethod classmethod hex oct chr ord divmod "
    "NotImplementedError ValueError TypeError KeyError AttributeError RuntimeError IndexError Exception "
    "ImportError OSError AssertionError StopIteration".split()
)
_DYNAMIC_IMPORTERS = {"importlib:import_module", "builtins:__import__", "__import__"}


@lru_cache(maxsize=8)
def _extra_query(which: str):
    import tree_sitter as ts

    language = _language_parser()[0]
    queries = {
        "string": _STRING_QUERY, "comment": _COMMENT_QUERY, "head": _HEAD_QUERY, "fold": _FOLD_QUERY,
        "imports": _IMPORT_QUERY,
    }
    return ts.Query(language, queries[which])


@lru_cache(maxsize=1)
def _language_parser():
    """The grammar and a parser, without the full query (16 ms to compile: the lean head and the
    syntax-only pass never run it)."""
    import tree_sitter as ts

    from archlint.adapters.frontends.grammars import binding

    language = ts.Language(binding("tree_sitter_python").language())
    return language, ts.Parser(language)


@lru_cache(maxsize=1)
def _grammar():
    import tree_sitter as ts

    language, parser = _language_parser()
    return language, ts.Query(language, _QUERY), parser, ts.QueryCursor


def syntax_tree(data: bytes):
    """The tree-sitter tree of UTF-8 ``data`` (for the fixers, which place comments by it)."""
    return _language_parser()[1].parse(data)


_HEAD_QUERY = "(import_statement) @import (import_from_statement) @import" + LAYOUT_PATTERNS
# Dynamic imports are calls: a file that may contain one gets the full pass even for its head.
_DYNAMIC_IMPORT_TOKENS = (b"import_module", b"__import__")


def extract(path: str, source: bytes, language: str = "python", full: bool = True, eager: tuple[bytes, ...] = (),
            ir: bool = False, lean: bool = False) -> FileFacts:
    """Extract the facts of one Python file.  Never raises on bad input.

    ``full=False`` is the cheap pass: the head only (imports, problems, suppressions, signals),
    skipping the per-call Python work that dominates extraction time; the body is extracted
    later, and only for the files the data-layer rules look at.  Files whose bytes mention one of
    the ``eager`` module names (DB drivers, ORMs) get the full pass at once, which saves
    parsing them a second time.

    ``lean=True`` (a head for a run whose rules read no bodies, for the few files the byte-level
    scanner hands back): the same imports and suppressions, ``signals`` left unknown (``None``, as
    the scanner leaves them when no rule reads bodies, and decided when one does), but the body is built only
    as far as constant folding of computed imports needs it (no attribute reads, no strings) and
    then dropped, and no syntax verdict is made (``syntax_checked`` False, as after the scanner).
    """
    if lean:
        return _lean_head(path, source)
    facts = FileFacts(path=path, language="python", content_hash="")
    decoded = decode(source, "python")
    facts.problems.extend(decoded.problems)
    if decoded.skip or not decoded.data.strip():
        facts.lines = decoded.data.count(b"\n") + (1 if decoded.data else 0)
        return facts
    data = decoded.data
    facts.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    too_deep = depth_problem(data)
    if too_deep is not None:  # CPython refuses it, and the parser could crash on it: not parsed
        facts.problems.append(too_deep)
        return facts
    language, query, parser, cursor_type = _grammar()
    tree = parser.parse(data)
    root = tree.root_node
    signal = file_signal(data)  # `_FILE_SIGNAL.search(data) is not None`, ~10x faster (tests/test_scanner.py)
    facts.signals = "sql" if signal else ""
    full = full or signal or any(token in data for token in _DYNAMIC_IMPORT_TOKENS + eager)
    captures = cursor_type(query if full else _extra_query("head")).captures(root)
    if signal and full:
        captures.update(cursor_type(_extra_query("string")).captures(root))
    if b"archlint" in data:
        captures.update(cursor_type(_extra_query("comment")).captures(root))
    extractor = _Extractor(facts, data, captures, root, full)
    extractor.run()
    if facts.has_body:
        facts.body.share_strings()
    facts.problems.extend(_syntax_problems(tree.root_node, data, parser, language, cursor_type, captures))
    if ir:  # the semantic model's IR, from this same parse (lowered already when folding needed it)
        facts.set_ir(extractor.lowered if extractor.lowered is not None else _lower(root, data, path, extractor.cols))
    return facts


def _lean_head(path: str, source: bytes) -> FileFacts:
    facts, data = decoded_head(path, source)
    if data is None:
        return facts
    facts.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    too_deep = depth_problem(data)
    if too_deep is not None:
        facts.problems.append(too_deep)
        facts.syntax_checked = True
        return facts
    import tree_sitter as ts

    parser = _language_parser()[1]
    cursor_type = ts.QueryCursor
    root = parser.parse(data).root_node
    facts.signals = None  # unknown, as after the scanner's head for such a run (no rule reads it)
    full = any(token in data for token in _DYNAMIC_IMPORT_TOKENS)  # only folding needs a body here
    captures = cursor_type(_extra_query("fold" if full else "imports")).captures(root)
    if b"archlint" in data:
        captures.update(cursor_type(_extra_query("comment")).captures(root))
    _Extractor(facts, data, captures, root, full, lean=True).run()
    facts.drop_body()
    return facts


def _lower(root, data: bytes, path: str, cols=None, only_lines=None):
    from archlint.adapters.frontends.python_ir import lower

    try:
        return lower(root, data, path, cols, only_lines)
    except RecursionError:
        return None


def syntax_problems(source: bytes) -> list[ParseProblem]:
    """AL001 for one file whose head came from the cheap scanner: one parse, no fact extraction
    (the files no selected rule reads the body of, when syntax errors are checked)."""
    decoded = decode(source, "python")
    if decoded.skip or not decoded.data.strip():
        return []
    too_deep = depth_problem(decoded.data)
    if too_deep is not None:  # CPython refuses it, and the parser could crash on it: not parsed
        return [too_deep]
    import tree_sitter as ts

    language, parser = _language_parser()
    cursor_type = ts.QueryCursor
    root = parser.parse(decoded.data).root_node
    return _syntax_problems(root, decoded.data, parser, language, cursor_type, None)


class _Extractor:
    """Turns one file's query captures into facts.  One instance per file."""

    def __init__(self, facts: FileFacts, data: bytes, captures: dict, root, full: bool = True, lean: bool = False) -> None:
        self.full = full
        self.lean = lean  # the lean head: of the calls, only the dynamic imports matter
        self.facts = facts
        self.data = data
        self.root = root
        self.lowered = None  # the file's IR when import folding asked for it (see lower)
        self.cols = Columns(data)
        self.captures = captures
        for name, nodes in captures.items():  # tree-sitter's order of nodes starting at one byte varies run to run
            captures[name] = sorted(nodes, key=preorder)
        self.up = Ancestry(root)  # parents without a walk from the root each time (see run)
        self.scopes = _Scopes(captures.get("class", []), captures.get("function", []))
        self.bindings: dict[str, str] = {}
        self.binding_records: list[Binding] = []

    def lower(self):
        """The file's IR, lowered from this parse on first use (import folding reads the guards)."""
        if self.lowered is None:
            # The lean head's IR answers only the guards of its computed imports and is then
            # dropped: the functions around those calls suffice (see python_ir.lower).
            only = tuple(sorted({r.span.line - 1 for r in self.facts.imports if r.kind == OPAQUE})) if self.lean else None
            self.lowered = _lower(self.root, self.data, self.facts.path, self.cols, only)
        return self.lowered

    def run(self) -> None:
        for node in self.captures.get("import", ()):
            self._import(node)
        for node in self.captures.get("comment", ()):
            text = node.text.decode("utf-8", "replace")
            if "archlint" in text:
                self.facts.suppressions.append((node.start_point[0] + 1, text))
        if not self.full:
            self.facts.imports.sort(key=lambda record: (record.span.line, record.span.column))
            return
        self.facts.bindings.extend(self.binding_records)
        self.facts.bindings.sort(key=lambda b: b.line)
        for node in self.captures.get("class", ()):
            self._class(node)
        for node in self.captures.get("function", ()):
            self._function(node)
        calls = self._importer_calls() if self.lean else self.captures.get("call", ())
        self.up.prefetch(calls, levels=2)  # the call's context, through an `await`
        self.up.prefetch([n for name in ("string", "loop") for n in self.captures.get(name, ())])
        self.loop_spans = Intervals()
        for node in self.captures.get("loop", ()):
            self._loop(node)
        bindings = self.bindings
        for call in calls:
            function = call.child_by_field_name("function")
            if function.type == "identifier":
                name = function.text.decode("utf-8", "replace")
                if name in _IGNORED_BUILTINS and name not in bindings:
                    continue
            self._call(call, function, call.child_by_field_name("arguments"))
        for node in self.captures.get("assign", ()):
            self._assign(node, node.child_by_field_name("left"), node.child_by_field_name("right"))
        for node in self.captures.get("with", ()):
            pattern = node.child_by_field_name("value")
            alias = pattern.child_by_field_name("alias")
            if pattern.named_child_count and alias is not None:
                self._assign(node, alias, pattern.named_children[0])
        for node in self.captures.get("string", ()):
            self._string(node)
        # Captures come grouped by pattern, not in document order: restore source order.
        body = self.facts.body
        for records in (self.facts.imports, body.calls, body.strings, body.classes, body.functions, body.assigns,
                        body.value_assigns, body.loops):
            records.sort(key=lambda record: (record.span.line, record.span.column))
        if any(record.kind == OPAQUE for record in self.facts.imports):  # constant folding only where needed
            from archlint.adapters.frontends.computed_imports import resolve_computed_imports

            resolve_computed_imports(self.facts, self.lower)

    # imports ----------------------------------------------------------------------------
    def _import(self, node) -> None:
        kind = _import_context(node)
        optional = _guarded_by_import_error(node)
        span = self.cols.span(node)
        line = span.line
        if node.type == "import_statement":
            for name_node in node.children_by_field_name("name"):
                if name_node.type == "aliased_import":
                    module = _text(name_node.child_by_field_name("name"))
                    alias = _text(name_node.child_by_field_name("alias"))
                    self._bind(alias, f"{module}:", line)
                else:
                    module = _text(name_node)
                    top = module.split(".", 1)[0]
                    self._bind(top, f"{top}:", line)
                self.facts.imports.append(Import(module, (), kind, span, 0, optional))
            return
        module_node = node.child_by_field_name("module_name")
        level, module = _relative(module_node)
        names: list[str] = []
        for name_node in node.children_by_field_name("name"):
            if name_node.type == "aliased_import":
                name = _text(name_node.child_by_field_name("name"))
                local = _text(name_node.child_by_field_name("alias"))
            else:
                name = local = _text(name_node)
            names.append(name)
            self._bind(local, f"{'.' * level}{module}:{name}", line)
        if not names and any(child.type == "wildcard_import" for child in node.children):
            names.append("*")
        self.facts.imports.append(Import(module, tuple(names), kind, span, level, optional))

    def _bind(self, name: str, target: str, line: int) -> None:
        self.bindings[name] = target
        self.binding_records.append(Binding(name, target, line))

    def _importer_calls(self) -> list:
        """The calls that may be dynamic imports: a name or attribute callee ending in
        ``import_module``, ``__import__`` or a name bound to one of them (any other callee shape
        is kept, whatever it is)."""
        tokens = (b"import_module", b"__import__", *(name.encode() for name, target in self.bindings.items() if target in _DYNAMIC_IMPORTERS))
        kept = []
        for call in self.captures.get("call", ()):
            function = call.child_by_field_name("function")
            if function is not None and function.type in ("identifier", "attribute") and not function.text.endswith(tokens):
                continue
            kept.append(call)
        return kept

    def _resolve(self, dotted: str) -> str | None:
        head, _, rest = dotted.partition(".")
        called = head.endswith("()")  # select().where: the head is itself a call
        if called:
            head = head[:-2]
        target = self.bindings.get(head)
        if target is None:
            return "builtins:__import__" if dotted == "__import__" else None
        if called:
            target += "()"
        if not rest:
            return target
        return f"{target}{rest}" if target.endswith(":") else f"{target}.{rest}"

    # definitions ------------------------------------------------------------------------
    def _class(self, node) -> None:
        bases: list[str] = []
        superclasses = node.child_by_field_name("superclasses")
        if superclasses is not None:
            for child in superclasses.named_children:
                if child.type != "keyword_argument" and child.type != "comment":
                    bases.append(_text(child))
        attributes: list[str] = []
        body = node.child_by_field_name("body")
        if body is not None:
            for statement in body.named_children:
                if statement.type == "expression_statement" and statement.named_child_count:
                    target = statement.named_children[0]
                    if target.type == "assignment":
                        left = target.child_by_field_name("left")
                        if left is not None and left.type == "identifier":
                            attributes.append(_text(left))
        self.facts.classes.append(
            ClassDef(
                name=_text(node.child_by_field_name("name")),
                bases=tuple(bases),
                resolved_bases=tuple(self._resolve(_strip_call(b)) for b in bases),
                decorators=_decorators(node),
                span=self.cols.span(node),
                attributes=tuple(attributes),
            )
        )

    def _function(self, node) -> None:
        parameters = node.child_by_field_name("parameters")
        self.facts.functions.append(
            FunctionDef(
                name=_text(node.child_by_field_name("name")),
                qualname=self.scopes.qualname_of(node),
                decorators=_decorators(node),
                params_text=_inner(self.data, parameters),
                is_async=node.children[0].type == "async",
                span=self.cols.span(node),
            )
        )

    # calls ------------------------------------------------------------------------------
    def _call(self, call, callee, args) -> None:
        if callee.end_byte - callee.start_byte > _CALLEE_BYTES:
            callee_text = UNREADABLE_CALLEE  # a 5,000-link chain: reading it for every link is quadratic
        elif callee.type in ("identifier", "attribute"):
            callee_text = _strip_call(_text(callee))
        else:
            callee_text = _shape(callee)
        resolved = self._resolve(callee_text)
        span = self.cols.span(call)
        row, byte_col = args.start_point if args is not None else (-1, 0)
        if args is not None and args.type == "argument_list":
            byte_col += 1  # past the "("
        site = CallSite(
            callee_text, resolved, _inner(self.data, args), span, self.scopes.at(call.start_byte), self._flags(call),
            self.cols.lines[row] if args is not None else 0, self.cols.column(row, byte_col) if args is not None else 0,
        )
        self.facts.calls.append(site)
        if resolved in _DYNAMIC_IMPORTERS or callee_text == "importlib.import_module":
            self._dynamic_import(site.arguments(), span)

    def _flags(self, call) -> str:
        """How the call's result is used — what "forgot to await" or "query in a loop" need."""
        flags = []
        parent = self.up.parent(call)
        kind = parent.type if parent is not None else ""
        if kind == "await":
            flags.append("await")
            parent = self.up.parent(parent)
            kind = parent.type if parent is not None else ""
        if kind == "expression_statement":
            flags.append("stmt")
        elif kind == "return_statement":
            flags.append("return")
        elif kind == "attribute":
            flags.append("chained")
        if self.loop_spans.contains(call.start_byte):
            flags.append("loop")
        return _intern(" ".join(flags))

    def _loop(self, node) -> None:
        if node.type == "for_in_clause":
            target, iterable, body = node.child_by_field_name("left"), node.child_by_field_name("right"), self.up.parent(node)
        elif node.type == "for_statement":
            target, iterable = node.child_by_field_name("left"), node.child_by_field_name("right")
            body = node.child_by_field_name("body")
        else:
            target, iterable, body = None, node.child_by_field_name("condition"), node.child_by_field_name("body")
        if body is None:
            return
        self.loop_spans.add(body.start_byte, body.end_byte)
        self.facts.loops.append(
            Loop(_text(target), _text(iterable)[:_ARG_TEXT_LIMIT], self.cols.span(body), self.scopes.at(node.start_byte))
        )

    def _assign(self, node, left, right) -> None:
        if left is None or right is None:
            return
        op = "="
        if node.type == "augmented_assignment":
            operator = node.child_by_field_name("operator")
            op = _text(operator) if operator is not None else "+="
            if op != "+=" or not (self._sql_text(right) or self._text_piece(right)):
                self._value_assign(node, left, right, op)
                return
        value = right.named_children[0] if right.type == "await" and right.named_child_count else right
        callee, resolved = "", None
        if value.type == "call":
            function = value.child_by_field_name("function")
            callee = _strip_call(_text(function)) if function is not None else ""
            resolved = self._resolve(callee)
        elif op == "=" and value.type not in ("identifier", "attribute") and not (
            value.type == "string" and left.type == "identifier" and left.text.startswith(b"__")
        ) and not self._sql_text(value):
            self._value_assign(node, left, right, op)
            return  # calls, names, attributes, dunder strings (__tablename__) and SQL-building text
        annotation = node.child_by_field_name("type") if node.type == "assignment" else None
        target = f"{_text(left)}: {_text(annotation)}" if annotation is not None else _text(left)
        self.facts.assigns.append(
            Assign(
                target[:_ARG_TEXT_LIMIT], _text(right)[:_ARG_TEXT_LIMIT], callee, resolved,
                self.cols.span(node), self.scopes.at(node.start_byte), op,
            )
        )

    def _value_assign(self, node, left, right, op: str) -> None:
        """Any other assignment (a literal, arithmetic, a lookup, a comprehension): what constant
        folding needs to tell ``table = "articles"`` from ``table = request.args["t"]``."""
        if left.type not in ("identifier", "attribute", "pattern_list", "tuple_pattern"):
            return
        self.facts.value_assigns.append(
            Assign(_text(left)[:_ARG_TEXT_LIMIT], _text(right)[:_ARGS_TEXT_LIMIT], "", None,
                   self.cols.span(node), self.scopes.at(node.start_byte), op)
        )

    def _text_piece(self, node) -> bool:
        """``q += where_clause`` / ``q += f", {col} = ?"``: in a file that builds SQL, any string-ish
        append may extend a query, so it is recorded (integers and lists are not)."""
        if not self.facts.signals:
            return False
        if node.type in ("identifier", "attribute", "string", "concatenated_string", "call"):
            return True
        return node.type == "binary_operator" and (b"'" in node.text or b'"' in node.text)

    def _sql_text(self, node) -> bool:
        """A string (or string arithmetic) that looks like SQL or a SQL fragment: what a query
        built in steps is made of."""
        if node.type not in ("string", "concatenated_string", "binary_operator", "parenthesized_expression"):
            return False
        if not self.facts.signals:
            return False
        text = _text(node)
        return bool(SQL_FRAGMENT.search(text))

    def _dynamic_import(self, arguments: tuple[Argument, ...], span: Span) -> None:
        if not arguments:
            return
        first = arguments[0]
        if first.keyword not in ("", "name"):
            return
        if first.literal is None:
            self.facts.imports.append(Import(first.text, (), OPAQUE, span))
            return
        stripped = first.literal.lstrip(".")
        level = len(first.literal) - len(stripped)
        self.facts.imports.append(Import(stripped, (), DYNAMIC, span, level))

    # strings ----------------------------------------------------------------------------
    def _string(self, node) -> None:
        parent = self.up.parent(node)
        if parent is not None and (parent.type == "concatenated_string" or parent.type == "expression_statement"):
            return  # pieces of a concatenation are handled as one; bare strings are docstrings
        raw = node.text.decode("utf-8", "replace")
        if not has_signal(_strip_quotes(raw)):
            return
        pieces = node.named_children if node.type == "concatenated_string" else (node,)
        text_parts: list[str] = []
        holes: list[Hole] = []
        kind = "plain"
        for piece in pieces:
            for child in piece.children:
                if child.type == "interpolation":
                    kind = "fstring"
                    expression = child.child_by_field_name("expression")
                    offset = sum(map(len, text_parts))
                    holes.append(Hole(_text(expression) if expression is not None else "", offset))
                    text_parts.append("{}")
                elif child.type in ("string_content", "escape_sequence"):
                    text_parts.append(_text(child))
        self.facts.strings.append(
            StringLit("".join(text_parts), kind, tuple(holes), self.cols.span(node), self.scopes.at(node.start_byte))
        )


class _Scopes:
    """Maps a byte offset to the qualified name of the innermost enclosing def/class.

    Definitions are nested intervals; sorting by start and keeping a parent index lets a
    lookup be a bisect plus a short walk up, instead of walking tree parents per call.
    """

    def __init__(self, classes, functions) -> None:
        nodes = sorted(list(classes) + list(functions), key=lambda n: n.start_byte)
        self.starts = [n.start_byte for n in nodes]
        self.ends = [n.end_byte for n in nodes]
        self.names: list[str] = []
        self.parents: list[int] = []
        self.index_of: dict[tuple[int, int], int] = {}
        stack: list[int] = []
        for index, node in enumerate(nodes):
            while stack and self.ends[stack[-1]] <= node.start_byte:
                stack.pop()
            parent = stack[-1] if stack else -1
            name = _text(node.child_by_field_name("name"))
            self.names.append(f"{self.names[parent]}.{name}" if parent >= 0 else name)
            self.parents.append(parent)
            self.index_of[(node.start_byte, node.end_byte)] = index
            stack.append(index)

    def at(self, offset: int) -> str:
        index = bisect.bisect_right(self.starts, offset) - 1
        while index >= 0 and self.ends[index] <= offset:
            index = self.parents[index]
        return self.names[index] if index >= 0 else ""

    def qualname_of(self, node) -> str:
        return self.names[self.index_of[(node.start_byte, node.end_byte)]]


# helpers ------------------------------------------------------------------------------------
def _text(node) -> str:
    """The node's text; a short one interned (the same names and operators recur in every file and
    the records holding them live for the whole run)."""
    if node is None:
        return ""
    text = node.text.decode("utf-8", "replace")
    return _intern(text) if len(text) <= _SHORT_TEXT else text


def _strip_call(text: str) -> str:
    """``session.query(User).filter`` -> ``session.query().filter``; also drops newlines."""
    if "(" in text:
        previous = None
        while previous != text:
            previous, text = text, _CALL_ARGS.sub("()", text)
    text = "".join(text.split())
    return _intern(text) if len(text) <= _SHORT_TEXT else text


def _shape(node) -> str:
    """Callee text for non-name callees (subscripts, lambdas): keep it short and comparable."""
    return _strip_call(_text(node))[:_ARG_TEXT_LIMIT]


def _inner(data: bytes, node) -> str:
    """Source between the brackets of an argument/parameter list (generator args: all of it)."""
    if node is None:
        return ""
    start, end = node.start_byte, node.end_byte
    if node.type in ("argument_list", "parameters"):
        start, end = start + 1, end - 1
    return data[start : min(end, start + _ARGS_TEXT_LIMIT)].decode("utf-8", "replace")


def _strip_quotes(raw: str) -> str:
    """A literal's text without its prefix and quotes (``f"BEGIN"`` -> ``BEGIN``), so that the signal's
    patterns anchored at the end (a lone ``COMMIT``, ``TRUNCATE TABLE t``) see where the text ends."""
    match = _STRING_PREFIX.match(raw)
    if not match:
        return raw
    quote = match.group(2)
    end = len(raw) - len(quote) if raw.endswith(quote) and len(raw) >= match.end() + len(quote) else len(raw)
    return raw[match.end():end]


def _decorators(node) -> tuple[str, ...]:
    parent = node.parent
    if parent is None or parent.type != "decorated_definition":
        return ()
    return tuple(
        " ".join(_text(child).lstrip("@").split()) for child in parent.children if child.type == "decorator"
    )


def _relative(module_node) -> tuple[int, str]:
    """``..a.b`` -> (2, "a.b"); ``x.y`` -> (0, "x.y")."""
    if module_node is None:
        return 0, ""
    if module_node.type == "relative_import":
        prefix = module_node.named_children[0] if module_node.named_child_count else None
        level = len(_text(prefix)) if prefix is not None and prefix.type == "import_prefix" else 0
        dotted = next((c for c in module_node.named_children if c.type == "dotted_name"), None)
        return level, _text(dotted)
    return 0, _text(module_node)


_TYPE_CHECKING = lazy_compile(r"(?:[^\W\d]\w*\.)*TYPE_CHECKING")


def _import_context(node) -> str:
    """Runtime, lazy (function body / PEP 810) or type-only (``if TYPE_CHECKING:`` body)."""
    previous = node.prev_sibling
    if previous is not None and previous.type == "ERROR" and previous.text == b"lazy":
        return LAZY
    child, parent = node, node.parent
    while parent is not None:
        kind = parent.type
        if kind in ("function_definition", "lambda"):
            return LAZY
        if kind == "if_statement" and child.type == "block":
            condition = _text(parent.child_by_field_name("condition"))
            if _TYPE_CHECKING.fullmatch(condition):  # not `if X or not t.TYPE_CHECKING:` (trio/socket.py)
                return TYPE_ONLY
        child, parent = parent, parent.parent
    return RUNTIME


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _guarded_by_import_error(node) -> bool:
    """``try: import psycopg2`` ``except ImportError:``: an optional dependency (a fallback driver)."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in ("function_definition", "class_definition", "module"):
        if parent.type == "try_statement" and child.type == "block":
            for clause in parent.children:
                if clause.type != "except_clause":
                    continue
                caught = [c for c in clause.named_children if c.type != "block" and c.type != "comment"]
                if not caught:
                    return True  # bare except
                names = set(re.findall(r"[A-Za-z_][\w.]*", _text(caught[0])))
                if {name.rsplit(".", 1)[-1] for name in names} & _IMPORT_ERRORS:
                    return True
        if parent.type == "with_statement" and child.type == "block" and _suppresses_import_error(parent):
            return True  # `with contextlib.suppress(ImportError): import asyncpg`
        child, parent = parent, parent.parent
    return False


def _suppresses_import_error(with_statement) -> bool:
    header = _text(with_statement).split("\n", 1)[0]
    match = re.match(r"\s*with\s+(?:contextlib\.)?suppress\(([^()]*)\)\s*:", header)
    return match is not None and bool(
        {name.rsplit(".", 1)[-1] for name in re.findall(r"[A-Za-z_][\w.]*", match.group(1))} & _IMPORT_ERRORS)


def _syntax_problems(root, data: bytes, parser, language, cursor_type, captures) -> list[ParseProblem]:
    """The first reason CPython would refuse the file, if any: an error node tree-sitter found
    (minus the grammar's gaps: PEP 810 ``lazy``, PEP 696 defaults, under-indented lines inside
    brackets), or an indentation or nesting error it accepted (see ``python_syntax``)."""
    columns = Columns(data)
    if root.has_error:
        rewritten = without_grammar_gaps(data)
        if rewritten is not data:
            root, captures, columns = parser.parse(rewritten).root_node, None, OriginalSpans(data, columns)
    found = _error_problems(root, columns, cursor_type) if root.has_error else []
    found.extend(layout_problems(root, data, columns, language, cursor_type, captures))
    if not found:
        return []
    return [min(found, key=lambda problem: (problem.span.line, problem.span.column))]


def _error_problems(root, cols, cursor_type) -> list[ParseProblem]:
    """The first ERROR / MISSING node; PEP 810 ``lazy import`` is not one."""
    error_query = _error_query()
    found = []
    for name, nodes in cursor_type(error_query).captures(root).items():
        for node in nodes:
            if name == "error" and _is_lazy_keyword(node):
                continue
            found.append(node)
    if not found:
        return []
    first = min(found, key=lambda n: n.start_byte)
    if first.is_missing:
        message = f"syntax error: missing `{first.type}`"
    else:
        snippet = " ".join(_text(first).split())[:40]
        message = f"syntax error: unexpected `{snippet}`" if snippet else "syntax error"
    return [ParseProblem("AL001", message + "; the module cannot be imported", cols.span(first))]


@lru_cache(maxsize=1)
def _error_query():
    import tree_sitter as ts

    return ts.Query(_language_parser()[0], "(ERROR) @error (MISSING) @missing")


def _is_lazy_keyword(node) -> bool:
    """``lazy import x`` (PEP 810): an ERROR ``lazy`` before the import — or, as a function's
    first statement, before the body block that starts with it."""
    if node.text != b"lazy":
        return False
    following = node.next_sibling
    if following is not None and following.type == "block" and following.named_child_count:
        following = following.named_children[0]
    return following is not None and following.type in ("import_statement", "import_from_statement")
