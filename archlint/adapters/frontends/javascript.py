"""JavaScript / TypeScript frontend: one file's bytes -> :class:`FileFacts`.

The file is parsed with tree-sitter and every fact family is collected with queries, so the
tree is walked in C; Python only looks at the handful of nodes a query returns (imports, calls,
functions, classes).  Strings and suppression comments are found by a regex over the raw bytes
first and mapped back to nodes, because scanning every string node in Python would cost more
than the parse itself on literal-heavy files.

Enclosing scopes are computed by one sweep over byte offsets (functions and classes nest
properly in a syntax tree), instead of climbing ``node.parent`` for every call.

Conventions worth knowing when writing checks:

* ``CallSite.callee`` normalises member chains: ``?.`` becomes ``.``, whitespace disappears,
  call arguments are elided (``knex('t').where`` -> ``knex().where``), wrappers such as
  ``(0, db_1.query)`` (TypeScript's CommonJS output), ``x!`` and ``x as T`` are unwrapped, and a
  function-valued callee (an IIFE) is ``<function>``.  A tagged template (``sql`...```) is a call
  whose single argument is the template.
* ``scope`` is the qualified name of the innermost enclosing function *or class body*, so a
  class-field initialiser reports ``User``, not the module level; class decorators and
  ``extends`` expressions belong to the scope around the class.
* ``ClassDef.attributes`` includes TypeScript constructor parameter properties
  (``constructor(private repo: Repo)``), which are fields too.
* A default import names ``default`` in ``Import.names``; ``require`` destructuring and
  ``require('m').y`` name the picked attributes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from operator import attrgetter

import tree_sitter as ts

from archlint.adapters.frontends.js_syntax import parse_without_gaps, parsed_problem
from archlint.adapters.frontends.ts_helpers import ts_helpers
from archlint.adapters.knowledge import canonical_binding
from archlint.adapters.frontends.source import (
    JS_FILE_DB_URL, JS_SQL_CANDIDATE, JS_SUPPRESSION, JS_URL_CANDIDATE, SQL_FRAGMENT, Columns, decode, has_signal,
)
from archlint.adapters.frontends.tree_walk import Ancestry, Intervals, preorder
from archlint.domain.facts import (
    DYNAMIC,
    UNREADABLE_CALLEE,
    DEFERRED,
    LAZY,
    OPAQUE,
    RUNTIME,
    TYPE_ONLY,
    Assign,
    is_declaration_file,
    Binding,
    CallSite,
    ClassDef,
    FileFacts,
    FunctionDef,
    Hole,
    Import,
    Loop,
    ParseProblem,
    StringLit,
)

ARGS_TEXT_LIMIT = 2_000  # CallSite.args_text cap, as in the Python frontend
SHAPE_LIMIT = 200  # callee text for unusual callee shapes
CALLEE_BYTES = 4_000  # a longer callee (a 5,000-link chain) is not typed: its text would make every link quadratic
ANONYMOUS = "<anonymous>"
# A qualified name holds every enclosing name, so 5,000 nested functions would make 5,000 names of
# up to 5,000 parts (hundreds of MB).  Past this depth a scope is named after its ancestor at the
# limit, a marker and its own name: deeper scopes of one name share their facts' scope — no real
# code nests 64 functions, and a check reads the innermost names anyway.
MAX_SCOPE_DEPTH = 64
DEEP_SCOPES = "<deep>"

_SUFFIX_GRAMMAR = {
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
}

_QUERY = """
(import_statement) @import
(export_statement) @export
(call_expression) @call
(new_expression) @call
(variable_declarator name: (_) value: (_)) @assign
(assignment_expression) @assign
(augmented_assignment_expression) @assign
(for_in_statement) @loop
(for_statement) @loop
(while_statement) @loop
(do_statement) @loop
[(class_declaration) (class) %s] @class
[(function_declaration) (generator_function_declaration) (function_expression)
 (generator_function) (arrow_function) (method_definition)] @function
[(decorator) (class_heritage)] @load_time
(method_definition name: (property_identifier) @_ctor parameters: (formal_parameters) @load_time (#eq? @_ctor "constructor"))
(assignment_expression
  left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
  (#eq? @_module "module") (#eq? @_exports "exports")) @cjs_default
(assignment_expression
  left: (member_expression object: (identifier) @_exports_obj property: (property_identifier) @cjs_name)
  (#eq? @_exports_obj "exports"))
(assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @_module2 property: (property_identifier) @_exports2)
    property: (property_identifier) @cjs_name)
  (#eq? @_module2 "module") (#eq? @_exports2 "exports"))
"""

# Byte-level candidates for signal strings: see ``source.JS_SQL_CANDIDATE``.
_SQL_CANDIDATE, _URL_CANDIDATE, _FILE_DB_URL = JS_SQL_CANDIDATE, JS_URL_CANDIDATE, JS_FILE_DB_URL
_SUPPRESSION = JS_SUPPRESSION
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_WHITESPACE = re.compile(r"\s+")

_FUNCTION_DECLARATIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "method_definition"}
)
_CLASS_DECLARATIONS = frozenset({"class_declaration", "abstract_class_declaration"})
_NAME_NODES = frozenset({"identifier", "this", "super", "import"})
_FUNCTION_VALUES = frozenset({"function_expression", "generator_function", "arrow_function", "class"})
_WRAPPERS = frozenset(
    {"parenthesized_expression", "non_null_expression", "as_expression", "satisfies_expression"}
)
_STRING_PARTS = frozenset({"string_fragment", "escape_sequence", '"', "'", "`"})
_FIELDS = frozenset({"field_definition", "public_field_definition"})
_DECLARATION_LISTS = frozenset({"lexical_declaration", "variable_declaration"})
_ARRAY_LOOPS = frozenset({"map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex"})


@dataclass(frozen=True, slots=True)
class _Grammar:
    """A tree-sitter parser and its facts query for one JS/TS grammar."""
    parser: ts.Parser
    query: ts.Query


@cache
def _grammar(name: str) -> _Grammar:
    """Languages, parsers and compiled queries are built once per process: compiling the query
    costs far more than parsing a typical file."""
    from archlint.adapters.frontends.grammars import binding

    if name == "javascript":
        language = ts.Language(binding("tree_sitter_javascript").language())
        extra_classes = ""
    else:
        grammar = binding("tree_sitter_typescript")
        raw = grammar.language_tsx() if name == "tsx" else grammar.language_typescript()
        language = ts.Language(raw)
        extra_classes = "(abstract_class_declaration)"
    return _Grammar(ts.Parser(language), ts.Query(language, _QUERY % extra_classes))


def _is_declaration(path: str) -> bool:
    """``.d.ts`` / ``.d.mts`` / ``.d.cts``: type declarations, where functions have no bodies."""
    return is_declaration_file(path)


def syntax_tree(path: str, data: bytes, language: str) -> ts.Tree:
    """The tree-sitter tree of UTF-8 ``data`` with the grammar the frontend uses for ``path``
    (for the fixers, which edit source text on node spans)."""
    return _grammar(_grammar_name(path, language)).parser.parse(data)


def _grammar_name(path: str, language: str) -> str:
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot > path.rfind("/") else ""
    return _SUFFIX_GRAMMAR.get(suffix, "typescript" if language == "typescript" else "javascript")


def extract(path: str, source: bytes, language: str, full: bool = True, ir: bool = False) -> FileFacts:
    """Extract the facts of one JS/TS file; never raises on bad input.

    Always the full pass (``full`` is accepted for symmetry with the Python frontend): CommonJS
    imports are ``require`` calls, so the head needs the call facts anyway.
    """
    facts = FileFacts(path=path, language=language, content_hash="")
    facts.lines = source.count(b"\n") + (not source.endswith(b"\n")) if source else 0
    decoded = decode(source, language)
    facts.problems.extend(decoded.problems)
    data = decoded.data
    if decoded.skip or not data.strip():
        return facts
    extractor = _Extractor(data, _grammar(_grammar_name(path, language)), facts, _is_declaration(path))
    extractor.run()
    if facts.has_body:
        facts.body.share_strings()
    facts.signals = "sql" if facts.strings or extractor.defines_model else ""
    if ir:  # the semantic model's IR, from this same parse
        from archlint.adapters.frontends.js_ir import lower

        try:
            facts.set_ir(lower(extractor.root, data, path, language))
        except RecursionError:
            facts.set_ir(None)
    return facts


def syntax_problems(path: str, source: bytes, language: str) -> list[ParseProblem]:
    """AL001 alone, from one parse: the syntax verdict of a file whose head the byte-level
    scanner read (``js_scanner``), for a run whose rules read no body of it."""
    decoded = decode(source, language)
    data = decoded.data
    if decoded.skip or not data.strip():
        return []
    grammar = _grammar(_grammar_name(path, language))
    problem = parsed_problem(parse_without_gaps(grammar.parser, data, _is_declaration(path)), Columns(data))
    return [problem] if problem is not None else []


def _invoked_at_once(node: ts.Node) -> bool:
    """A function expression called where it is written (``(function () {…})()``, ``(function () {…}())``,
    ``(() => …)()``): tsc's ES5 classes, module-pattern wrappers."""
    holder = node.parent
    while holder is not None and holder.type == "parenthesized_expression":
        node, holder = holder, holder.parent
    return holder is not None and holder.type == "call_expression" and holder.child_by_field_name("function") == node


def _constructor_parameter_type(node: ts.Node) -> bool:
    """A type in a constructor's parameter list: decorator metadata (``design:paramtypes``) reads it
    when the class is defined, and Nest resolves its injections from it."""
    parent = node.parent
    while parent is not None and parent.type not in ("formal_parameters", "class_body", "statement_block", "program"):
        parent = parent.parent
    method = parent.parent if parent is not None and parent.type == "formal_parameters" else None
    name = method.child_by_field_name("name") if method is not None and method.type == "method_definition" else None
    return name is not None and name.text == b"constructor"


def _inside_try(node: ts.Node) -> bool:
    """``try { require('pg-native') } catch {}``: an optional dependency the code runs without."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in _FUNCTION_DECLARATIONS and parent.type != "program":
        if parent.type == "try_statement" and child == parent.child_by_field_name("body") and parent.child_by_field_name("handler"):
            return True
        child, parent = parent, parent.parent
    return False


def _unescape(raw: str) -> str:
    """Cooked value of a JS string body (the part between the quotes)."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(_unescape_one, raw)


def _unescape_one(match: re.Match[str]) -> str:
    body = match.group(1)
    if body[0] == "u" and len(body) > 1:
        return chr(int(body[2:-1] if body[1] == "{" else body[1:], 16))
    if body[0] == "x" and len(body) == 3:
        return chr(int(body[1:], 16))
    if body in ("\n", "\r\n", "\r", "\u2028", "\u2029"):
        return ""  # line continuation
    return _SIMPLE_ESCAPES.get(body, body)


@dataclass(slots=True)
class _Scope:
    """A function or class: the byte range that counts as "inside" and its local name."""

    start: int
    end: int
    name: str
    is_function: bool
    qualname: str = ""


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a call / string sits: enclosing qualified name and whether a function body encloses it."""

    scope: str
    in_function: bool


def _nest(scopes: list[_Scope], points: list[int]) -> list[_Place]:
    """Fill ``qualname`` of every scope and return the place of every byte offset in ``points``.

    Scopes and points are swept in offset order with a stack of open scopes; a point that
    starts exactly where a scope starts is outside it (``function(){}()`` calls from outside).
    """
    events = [(s.start, 1, -s.end, i) for i, s in enumerate(scopes)]
    events += [(p, 0, 0, i) for i, p in enumerate(points)]
    events.sort()
    places: list[_Place] = [_Place("", False)] * len(points)
    stack: list[tuple[_Scope, bool]] = []  # (scope, inside a function)
    for offset, is_scope, _, index in events:
        while stack and stack[-1][0].end <= offset:
            stack.pop()
        outer = stack[-1][0].qualname if stack else ""
        in_function = stack[-1][1] if stack else False
        if is_scope:
            scope = scopes[index]
            if len(stack) >= MAX_SCOPE_DEPTH:  # hostile nesting: names stop growing (see MAX_SCOPE_DEPTH)
                outer = stack[MAX_SCOPE_DEPTH - 1][0].qualname + "." + DEEP_SCOPES
            scope.qualname = f"{outer}.{scope.name}" if outer else scope.name
            stack.append((scope, in_function or scope.is_function))
        else:
            places[index] = _Place(outer, in_function)
    return places


class _Extractor:
    """One file's extraction; holds the source and the per-file binding table."""

    def __init__(self, source: bytes, grammar: _Grammar, facts: FileFacts, declaration: bool = False) -> None:
        self.src = source
        self.facts = facts
        # TypeScript the grammar cannot parse (a known gap, see js_syntax) would leave ERROR nodes that
        # swallow the imports, calls and classes after them: the facts come from the tree of the
        # same-length rewrite instead when that one is clean (node text is read from `source`).
        self.parsed = parse_without_gaps(grammar.parser, source, declaration)
        self.tree = self.parsed.tree
        self.root = self.tree.root_node
        # Capture lists are not in a stable order (nodes starting at one byte come in either order
        # from run to run); facts must be deterministic: document order, enclosing node first.
        self.captures = {
            name: sorted(nodes, key=preorder)
            for name, nodes in ts.QueryCursor(grammar.query).captures(self.root).items()
        }
        self.pos = Columns(source)
        self.bindings: dict[str, str] = {}
        self.esm_imports: list = []  # (index in facts.imports, node) of runtime ESM imports, judged lazy or not at the end
        # (index in facts.imports, local name, declarator) of top-level `var a_1 = require("./a")` (compiled CommonJS)
        self.cjs_requires: list = []
        self.loop_ranges = Intervals()
        self.up = Ancestry(self.root)  # parents in source order, without a walk from the root each time
        self.children: dict[int, tuple[list[ts.Node], dict[int, int]]] = {}  # parent id -> named children
        self.current_class = ""
        # `q += where` can extend a query only in a file that builds SQL at all
        self.src_has_sql = _SQL_CANDIDATE.search(source) is not None
        self.defines_model = False  # a `sequelize.define('User', {…})` call: see call_site

    # -- helpers ------------------------------------------------------------------------------
    def text(self, node: ts.Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def literal(self, node: ts.Node) -> str | None:
        """Value of a string literal or substitution-free template; ``None`` for anything else."""
        if node.type == "string":
            return _unescape(self.text(node)[1:-1])
        if node.type == "template_string" and not any(
            c.type == "template_substitution" for c in node.named_children
        ):
            return _unescape(self.text(node)[1:-1])
        return None

    def bind(self, name_node: ts.Node, target: str) -> None:
        name = self.text(name_node)
        target = canonical_binding(target)
        self.bindings[name] = target
        self.facts.bindings.append(Binding(name, target, name_node.start_point.row + 1))

    # -- driver -------------------------------------------------------------------------------
    def run(self) -> None:
        facts = self.facts
        for node in self.captures.get("import", ()):
            self.esm_import(node)
        for node in self.captures.get("export", ()):
            self.export_statement(node)
        string_nodes = self.string_nodes()
        calls = self.captures.get("call", ())
        # parents asked below, answered in one walk: wrappers, `await` and the statement around a call
        self.up.prefetch(calls, levels=4)
        self.up.prefetch(list(self.captures.get("class", ())) + list(self.captures.get("function", ())) + string_nodes)
        assigns = self.captures.get("assign", ())
        loops = self.captures.get("loop", ())
        scopes, scope_nodes = self.scopes()
        points = [c.start_byte for c in calls] + [n.start_byte for n in assigns] + [n.start_byte for n in loops]
        places = _nest(scopes, points + [s.start_byte for s in string_nodes])
        call_places = places[: len(calls)]
        assign_places = places[len(calls) : len(calls) + len(assigns)]
        loop_places = places[len(calls) + len(assigns) : len(points)]
        for call, place in zip(calls, call_places):
            self.require(call, place)
        for node, place in zip(loops, loop_places):
            self.loop_statement(node, place.scope)
        for call, place in zip(calls, call_places):
            self.array_callback_loop(call, place.scope)
        for call, place in zip(calls, call_places):
            facts.calls.append(self.call_site(call, place.scope))
            if not place.scope:
                self.getter_export(call)
        for node, place in zip(assigns, assign_places):
            self.assignment(node, place.scope)
        for node, place in zip(string_nodes, places[len(points) :]):
            literal = self.string_lit(node, place.scope)
            if has_signal(literal.text) or _FILE_DB_URL.search(literal.text):
                facts.strings.append(literal)
        for scope, node in zip(scopes, scope_nodes):
            self.definition(scope, node)
        self.commonjs_exports()
        self.lazy_esm_imports()
        self.lazy_cjs_requires()
        if any(record.kind == OPAQUE for record in facts.imports):  # constant folding only where needed
            from archlint.adapters.frontends.computed_imports import resolve_computed_imports

            resolve_computed_imports(facts)
        facts.imports.sort(key=lambda i: (i.span.line, i.span.column))
        facts.bindings.sort(key=attrgetter("line"))
        facts.value_assigns.sort(key=lambda a: (a.span.line, a.span.column))
        facts.suppressions.extend(self.suppressions())
        problem = parsed_problem(self.parsed, self.pos)
        if problem is not None:
            facts.problems.append(problem)

    # -- imports ------------------------------------------------------------------------------
    def esm_import(self, node: ts.Node) -> None:
        clauses = node.named_children
        require_clause = next((c for c in clauses if c.type == "import_require_clause"), None)
        source = (require_clause or node).child_by_field_name("source")
        if source is None:
            return
        module = self.literal(source) or ""
        names: list[str] = []
        type_flags: list[bool] = []
        type_only = any(c.type == "type" for c in node.children)
        for child in clauses:
            if child.type == "import_clause":
                self.import_clause(child, module, names, type_flags)
        if require_clause is not None:  # TS `import x = require('m')`
            self.bind(require_clause.named_children[0], f"{module}:")
        if type_flags and all(type_flags):
            type_only = True
        kind = TYPE_ONLY if type_only else RUNTIME
        self.facts.imports.append(Import(module, tuple(names), kind, self.pos.span(node)))
        if kind == RUNTIME and require_clause is None:
            self.esm_imports.append((len(self.facts.imports) - 1, node))

    def import_clause(self, clause: ts.Node, module: str, names: list[str], type_flags: list[bool]) -> None:
        """Record names and bindings; ``type_flags`` gets one entry per name (``True`` = type-only)."""
        for part in clause.named_children:
            if part.type == "identifier":
                names.append("default")
                type_flags.append(False)
                self.bind(part, f"{module}:default")
            elif part.type == "namespace_import":
                names.append("*")
                type_flags.append(False)
                self.bind(part.named_children[-1], f"{module}:")
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    imported = self.name_text(spec.child_by_field_name("name"))
                    local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    names.append(imported)
                    type_flags.append(any(c.type == "type" for c in spec.children))
                    self.bind(local, f"{module}:{imported}")

    def lazy_esm_imports(self) -> None:
        """In a file with decorators, an ESM import of a project module whose bindings are read only
        inside functions (and in type positions), or not at all, is *deferred*: ES modules bind live, so the module is complete by the time the
        function runs, and a cycle through such imports cannot see it half-initialised.  TypeORM /
        sequelize-typescript entities are the everyday case: ``@ManyToOne(() => User)`` in
        article.entity.ts and ``@OneToMany(() => Article, …)`` in user.entity.ts import each other
        and read each other only in the arrow functions the ORM calls later (``author: User`` is a
        type).  What runs at load stays eager: top-level code, ``extends``, decorators
        (``@InjectRepository(Article)``, also on parameters) and a constructor's parameter types
        (decorator metadata: Nest resolves ``design:paramtypes`` at load).  ``require`` destructured
        at the top level copies values when it runs and is never judged here."""
        # (a `decorator` under an ERROR is error recovery's, not the code's: a JSDoc comment's `@since` after
        # a construct the grammar cannot read — effect's schema/VariantSchema.ts)
        if not any(node.type == "decorator" and node.parent.type != "ERROR" for node in self.captures.get("load_time", ())):
            return  # judged where decorators make the pattern (and only there: a cost on every mention)
        owners: dict[str, int] = {}
        statements: dict[int, ts.Node] = {}
        for index, node in self.esm_imports:
            if not self.facts.imports[index].module.startswith("."):
                continue  # a package cannot be in a cycle with the project
            clause = next((c for c in node.named_children if c.type == "import_clause"), None)
            for name in self._imported_locals(clause) if clause is not None else ():
                if name.isidentifier() and name not in owners:
                    owners[name] = index
                    statements[index] = node
        if not owners:
            return
        for index in set(statements) - self._eager_imports(owners, statements):
            self.facts.imports[index] = self.facts.imports[index]._replace(kind=DEFERRED)

    def lazy_cjs_requires(self) -> None:
        """In compiled CommonJS (tsc/Babel output: ``Object.defineProperty(exports, "__esModule", …)``), a
        top-level ``var a_1 = require("./a")`` whose binding is read only inside functions is *deferred*, like
        the ES import it was compiled from: ``a_1`` holds the module's exports object, which the module fills with
        ``exports.X = …`` as it loads, so a function reading ``a_1.X`` later sees it complete — TypeORM entities'
        ``(0, typeorm_1.ManyToOne)(function () { return customer_1.Customer; })`` import each other that way.
        A binding read at load (top-level code, ``__metadata("design:type", a_1.A)``, ``__extends``) stays eager.
        (Hand-written CommonJS is not judged: a module that replaces ``module.exports`` leaves such a binding
        holding the stale object, so a cycle through it is a real defect.)"""
        if not self.cjs_requires or not any(
                statement.type == "expression_statement" and self.text(statement).replace(" ", "").startswith(
                    ('Object.defineProperty(exports,"__esModule"', "Object.defineProperty(exports,'__esModule'",
                     "exports.__esModule=true"))
                for statement in self.root.named_children):
            return
        owners: dict[str, int] = {}
        statements: dict[int, ts.Node] = {}
        for index, name, declarator in self.cjs_requires:
            if name.isidentifier() and name not in owners:
                owners[name] = index
                statements[index] = declarator
        for index in set(statements) - self._eager_imports(owners, statements):
            self.facts.imports[index] = self.facts.imports[index]._replace(kind=DEFERRED)

    def _eager_imports(self, owners: dict, statements: dict) -> set:
        """The imports (of ``owners``: local name -> import index) one of whose bindings is read at load,
        outside the import's own statement (``statements``: import index -> node)."""
        pattern = re.compile(rb"(?<![\w$.])(" + b"|".join(re.escape(n.encode()) for n in sorted(owners, key=len, reverse=True))
                             + rb")(?![\w$])")
        boundaries, states = self._load_time_segments()
        eager: set[int] = set()
        for match in pattern.finditer(self.src):
            index = owners[match.group(1).decode()]
            start = match.start()
            if index in eager or statements[index].start_byte <= start < statements[index].end_byte:
                continue
            if states[bisect.bisect_right(boundaries, start)]:  # in a function body: nothing is read at load
                continue
            leaf = self.root.descendant_for_byte_range(start, match.end())
            if leaf is not None and (leaf.type in ("identifier", "shorthand_property_identifier")
                                     or leaf.type == "type_identifier" and _constructor_parameter_type(leaf)):
                eager.add(index)  # read when the module loads (a type, a key, a comment or a string is not)
        # an import whose bindings nothing reads (an agent's leftover `import { Follow } from './Follow.js'`; tsc
        # drops it from the output) reads nothing half-initialised either
        return eager

    def _load_time_segments(self) -> tuple[list[int], list[bool]]:
        """The file cut into segments by function bodies and load-time islands within them
        (decorators, ``extends``, a constructor's parameters): ``states[bisect_right(boundaries, o)]``
        says whether the code at byte ``o`` runs later than the module body."""
        ranges = []  # (start, end, runs later)
        for node in self.captures.get("function", ()):
            if _invoked_at_once(node):
                continue  # `(function (_super) { … }(Base))`: an IIFE's body runs where it is written
            params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
            ranges.append((params.start_byte if params is not None else node.start_byte, node.end_byte, True))
        for node in self.captures.get("load_time", ()):
            ranges.append((node.start_byte, node.end_byte, False))
        ranges.sort(key=lambda r: (r[0], -r[1]))
        boundaries: list[int] = []
        states: list[bool] = [False]
        stack: list[tuple[int, bool]] = []

        def cut(at: int) -> None:
            state = stack[-1][1] if stack else False
            if boundaries and boundaries[-1] == at:
                states[-1] = state
            elif states[-1] != state:
                boundaries.append(at)
                states.append(state)

        for start, end, later in ranges:
            while stack and stack[-1][0] <= start:
                closed = stack.pop()[0]
                cut(closed)
            stack.append((end, later))
            cut(start)
        while stack:
            closed = stack.pop()[0]
            cut(closed)
        return boundaries, states

    def _imported_locals(self, clause: ts.Node) -> list[str]:
        found = []
        for part in clause.named_children:
            if part.type == "identifier":
                found.append(self.text(part))
            elif part.type == "namespace_import":
                found.append(self.text(part.named_children[-1]))
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type == "import_specifier" and not any(c.type == "type" for c in spec.children):
                        local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        found.append(self.text(local))
        return found

    def name_text(self, node: ts.Node) -> str:
        """An identifier, or a string used as a name (``import {"a-b" as c}``)."""
        value = self.literal(node)
        return self.text(node) if value is None else value

    def export_statement(self, node: ts.Node) -> None:
        self.facts.exports.extend(self.export_names(node))
        source = node.child_by_field_name("source")
        if source is None:
            return
        names: list[str] = []
        type_flags: list[bool] = []
        span = self.pos.span(node)
        reexports = self.facts.reexports
        for child in node.named_children:
            if child.type == "export_clause":
                for spec in child.named_children:
                    if spec.type == "export_specifier":
                        name = self.name_text(spec.child_by_field_name("name"))
                        alias = spec.child_by_field_name("alias")
                        names.append(name)
                        reexports.append((span, name, self.name_text(alias) if alias is not None else name))
                        type_flags.append(any(c.type == "type" for c in spec.children))
            elif child.type == "namespace_export":
                reexports.append((span, "*", self.name_text(child.named_children[-1])))  # export * as ns from
        if not any(c.type == "export_clause" for c in node.named_children):
            names.append("*")  # export * from / export * as ns from
            if not any(c.type == "namespace_export" for c in node.named_children):
                reexports.append((span, "*", "*"))
        type_only = any(c.type == "type" for c in node.children) or (bool(type_flags) and all(type_flags))
        module = self.literal(source) or ""
        self.facts.imports.append(Import(module, tuple(names), TYPE_ONLY if type_only else RUNTIME, span))

    def require(self, call: ts.Node, place: _Place) -> None:
        """``require(...)`` and ``import(...)`` calls become imports (and bindings when assigned)."""
        if call.type != "call_expression":
            return
        function = call.child_by_field_name("function")
        is_import = function.type == "import"
        if not is_import and (function.type != "identifier" or self.text(function) != "require"):
            return
        arguments = call.child_by_field_name("arguments")
        if arguments is None or arguments.type != "arguments":
            return
        args = [a for a in arguments.named_children if a.type != "comment"]
        if not args:
            return
        module = self.literal(args[0])
        span = self.pos.span(call)
        if module is None:
            self.facts.imports.append(Import(self.text(args[0]), (), OPAQUE, span))
            return
        kind = DYNAMIC if is_import else LAZY if place.in_function else RUNTIME
        names = self.require_bindings(call, module)
        self.facts.imports.append(Import(module, names, kind, span, 0, _inside_try(call)))
        if kind == RUNTIME and not names and module.startswith("."):
            holder = self.up.parent(call)
            if holder is not None and holder.type == "arguments":  # `__importDefault(require("./a"))`: the module itself
                wrapper = self.up.parent(holder)
                function = wrapper.child_by_field_name("function") if wrapper is not None else None
                holder = self.up.parent(wrapper) if function is not None and self.text(function) in ts_helpers().import_default else None
            target = holder.child_by_field_name("name") if holder is not None and holder.type == "variable_declarator" else None
            if target is not None and target.type == "identifier":
                self.cjs_requires.append((len(self.facts.imports) - 1, self.text(target), holder))

    def require_bindings(self, call: ts.Node, module: str) -> tuple[str, ...]:
        """Bind the names a ``require`` / ``await import`` result is assigned to; return picked attrs."""
        holder = self.up.parent(call)
        attribute = ""
        if holder is not None and holder.type == "await_expression":
            holder = self.up.parent(holder)
        if holder is not None and holder.type == "member_expression":
            attribute = self.text(holder.child_by_field_name("property"))
            holder = self.up.parent(holder)
        if holder is None:
            return (attribute,) if attribute else ()
        if holder.type == "variable_declarator":
            target = holder.child_by_field_name("name")
        elif holder.type == "assignment_expression":
            target = holder.child_by_field_name("left")
        else:
            return (attribute,) if attribute else ()
        if target.type == "identifier":
            self.bind(target, f"{module}:{attribute}")
            return (attribute,) if attribute else ()
        if target.type == "object_pattern" and not attribute:
            return tuple(self.destructure(target, module))
        return (attribute,) if attribute else ()

    def destructure(self, pattern: ts.Node, module: str) -> list[str]:
        """``const {a, b: c, d = 1} = require('m')``: bind a, c, d and return ["a", "b", "d"]."""
        picked = []
        for part in pattern.named_children:
            if part.type == "object_assignment_pattern":
                part = part.child_by_field_name("left")
            if part.type == "shorthand_property_identifier_pattern":
                key, local = self.text(part), part
            elif part.type == "pair_pattern":
                key, local = (
                    self.name_text(part.child_by_field_name("key")),
                    part.child_by_field_name("value"),
                )
                if local.type == "assignment_pattern":
                    local = local.child_by_field_name("left")
                if local.type != "identifier":
                    continue
            else:
                continue
            picked.append(key)
            self.bind(local, f"{module}:{key}")
        return picked

    # -- calls --------------------------------------------------------------------------------
    def call_site(self, call: ts.Node, scope: str) -> CallSite:
        is_new = call.type == "new_expression"
        head, rest = self.callee(call.child_by_field_name("constructor" if is_new else "function"))
        arguments = call.child_by_field_name("arguments")
        args_text = self.inner(arguments)
        span = self.pos.span(call)
        line = column = 0
        if arguments is not None:
            row, byte_col = arguments.start_point
            lines = self.pos.lines  # the shared int of the line number (source.line_numbers)
            line, column = lines[row] if row < len(lines) else row + 1, self.pos.column(row, byte_col + (self.src[arguments.start_byte : arguments.start_byte + 1] == b"("))
        if rest.endswith(".define") and arguments is not None and not self.defines_model:
            self.defines_model = self.model_definition(arguments)
        return CallSite(head + rest, self.resolve(head, rest), args_text, span, scope, self.flags(call), line, column)

    def model_definition(self, arguments: ts.Node) -> bool:
        """``x.define('User', { … })``: Sequelize's model definition, a data-layer file even when it
        imports nothing — sequelize-cli's ``models/user.js`` is ``module.exports = (sequelize,
        DataTypes) => sequelize.define(…)``, loaded by ``models/index.js`` reading the directory.
        (``customElements.define('x-tag', Class)`` passes a class, not attributes.)"""
        args = [a for a in arguments.named_children if a.type != "comment"]
        return len(args) >= 2 and self.literal(args[0]) is not None and args[1].type == "object"

    def flags(self, call: ts.Node) -> str:
        """How the call's value is used — what "promise never awaited" or "query in a loop" need."""
        flags = []
        parent = self.up.parent(call)
        while parent is not None and parent.type in _WRAPPERS:
            parent = self.up.parent(parent)
        kind = parent.type if parent is not None else ""
        if kind == "await_expression":
            flags.append("await")
            parent = self.up.parent(parent)
            kind = parent.type if parent is not None else ""
        if kind == "expression_statement":
            flags.append("stmt")
        elif kind == "return_statement" or (kind == "arrow_function" and parent.child_by_field_name("body") == call):
            flags.append("return")
        elif kind == "member_expression":
            flags.append("chained")
        if self.loop_ranges.contains(call.start_byte):
            flags.append("loop")
        return " ".join(flags)

    # -- assignments and loops ----------------------------------------------------------------
    def assignment(self, node: ts.Node, scope: str) -> None:
        left = node.child_by_field_name("name" if node.type == "variable_declarator" else "left")
        right = node.child_by_field_name("value" if node.type == "variable_declarator" else "right")
        if left is None or right is None:
            return
        op = "="
        if node.type == "augmented_assignment_expression":
            operator = node.child_by_field_name("operator")
            op = self.text(operator) if operator is not None else "+="
            string_ish = right.type in ("string", "template_string", "identifier", "member_expression", "call_expression")
            if op != "+=" or not (SQL_FRAGMENT.search(self.text(right)) or (string_ish and self.src_has_sql)):
                self.value_assign(node, left, right, scope, op)
                return
            self.facts.assigns.append(Assign(self.text(left)[:SHAPE_LIMIT], self.text(right)[:ARGS_TEXT_LIMIT], "", None, self.pos.span(node), scope, op))
            return
        if right.type in ("string", "template_string", "binary_expression") and SQL_FRAGMENT.search(self.text(right)):
            self.facts.assigns.append(Assign(self.text(left)[:SHAPE_LIMIT], self.text(right)[:ARGS_TEXT_LIMIT], "", None, self.pos.span(node), scope))
            return
        value = right
        while value.type in _WRAPPERS or value.type == "await_expression":
            if not value.named_child_count:
                return
            value = value.named_children[0]
        callee, resolved = "", None
        if value.type in ("call_expression", "new_expression"):
            function = value.child_by_field_name("constructor" if value.type == "new_expression" else "function")
            head, rest = self.callee(function)
            callee, resolved = head + rest, self.resolve(head, rest)
        elif value.type not in ("identifier", "member_expression"):
            self.value_assign(node, left, right, scope, op)
            return
        self.facts.assigns.append(
            Assign(self.text(left)[:SHAPE_LIMIT], self.text(right)[:SHAPE_LIMIT], callee, resolved, self.pos.span(node), scope)
        )

    def getter_export(self, call: ts.Node) -> None:
        """tsc's CommonJS form of ``export { X } from 'm'``: ``Object.defineProperty(exports, "X", { enumerable:
        true, get: function () { return m_1.X; } })`` at module level, recorded as the ``exports.X = m_1.X``
        it stands for (constant folding reads a project module's exports from its assignments)."""
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        if function is None or arguments is None or self.text(function) != "Object.defineProperty":
            return
        args = [a for a in arguments.named_children if a.type != "comment"]
        if len(args) != 3 or self.text(args[0]) != "exports" or args[2].type != "object":
            return
        name = self.literal(args[1])
        getter = next((pair.child_by_field_name("value") for pair in args[2].named_children
                       if pair.type == "pair" and self.text(pair.child_by_field_name("key")) == "get"), None)
        body = getter.child_by_field_name("body") if getter is not None and getter.type in ("function_expression", "function") else None
        statements = [s for s in body.named_children if s.type != "comment"] if body is not None else []
        if not name or len(statements) != 1 or statements[0].type != "return_statement" or not statements[0].named_child_count:
            return
        value = statements[0].named_children[0]
        if value.type in ("identifier", "member_expression"):
            self.facts.assigns.append(Assign(f"exports.{name}", self.text(value)[:SHAPE_LIMIT], "", None, self.pos.span(call), ""))

    def value_assign(self, node: ts.Node, left: ts.Node, right: ts.Node, scope: str, op: str = "=") -> None:
        """Any other assignment (a literal, an array, arithmetic, a template): what constant folding
        needs to tell ``const name = './x'`` from a value computed at runtime."""
        if left.type not in ("identifier", "member_expression"):
            return
        self.facts.value_assigns.append(
            Assign(self.text(left)[:SHAPE_LIMIT], self.text(right)[:ARGS_TEXT_LIMIT], "", None, self.pos.span(node), scope, op)
        )

    def loop_statement(self, node: ts.Node, scope: str) -> None:
        body = node.child_by_field_name("body")
        if body is None:
            return
        if node.type == "for_in_statement":
            target, iterable = node.child_by_field_name("left"), node.child_by_field_name("right")
        else:
            target, iterable = None, node.child_by_field_name("condition")
        self.add_loop(self.text(target) if target else "", self.text(iterable) if iterable else "", body, scope)

    def array_callback_loop(self, call: ts.Node, scope: str) -> None:
        """``rows.map(async (row) => …)``: the callback runs once per element — a loop."""
        function = call.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return
        method = function.child_by_field_name("property")
        if method is None or self.text(method) not in _ARRAY_LOOPS:
            return
        arguments = call.child_by_field_name("arguments")
        callback = arguments.named_children[0] if arguments is not None and arguments.named_child_count else None
        if callback is None or callback.type not in ("arrow_function", "function_expression"):
            return
        parameters = callback.child_by_field_name("parameters") or callback.child_by_field_name("parameter")
        target = self.text(parameters).strip("()") if parameters is not None else ""
        self.add_loop(target, self.text(function.child_by_field_name("object")), callback, scope)

    def add_loop(self, target: str, iterable: str, body: ts.Node, scope: str) -> None:
        self.loop_ranges.add(body.start_byte, body.end_byte)
        self.facts.loops.append(Loop(target[:SHAPE_LIMIT], iterable[:SHAPE_LIMIT], self.pos.span(body), scope))

    def inner(self, node: ts.Node | None) -> str:
        """Source between the brackets of an argument / parameter list (capped), for the shared
        on-demand splitter; a tagged template's template is kept whole, as its one argument."""
        if node is None:
            return ""
        start, end = node.start_byte, node.end_byte
        if self.src[start : start + 1] == b"(":
            start += 1
            if self.src[end - 1 : end] == b")" and end > start:
                end -= 1
        end = min(end, start + 4 * ARGS_TEXT_LIMIT)  # AMD `define(…)` wraps a whole file
        return self.src[start:end].decode("utf-8", "replace")[:ARGS_TEXT_LIMIT]

    def callee(self, node: ts.Node) -> tuple[str, str]:
        """Split a callee into its head (an identifier when possible) and the normalised rest.

        Iterative so that long builder chains (``q.where().andWhere()…``) cannot hit the
        recursion limit.
        """
        if node.end_byte - node.start_byte > CALLEE_BYTES:
            return UNREADABLE_CALLEE, ""
        parts: list[str] = []
        while True:
            kind = node.type
            if kind == "member_expression":
                parts.append("." + self.text(node.child_by_field_name("property")))
                node = node.child_by_field_name("object")
            elif kind == "call_expression":
                parts.append("()")
                node = node.child_by_field_name("function")
            elif kind == "subscript_expression":
                parts.append("[" + self.text(node.child_by_field_name("index")) + "]")
                node = node.child_by_field_name("object")
            elif kind in _WRAPPERS and node.named_child_count:
                node = node.named_children[0]
            elif kind == "sequence_expression" and node.named_child_count:
                node = node.named_children[-1]
            else:
                break
        if kind in _NAME_NODES:
            head = self.text(node)
        elif kind in _FUNCTION_VALUES:
            head = "<function>"
        else:
            head = _WHITESPACE.sub(" ", self.text(node))[:SHAPE_LIMIT]
        return head, "".join(reversed(parts))

    def resolve(self, head: str, rest: str) -> str | None:
        """Replace the head through the import bindings: ``S`` + ``.literal`` -> ``sequelize:Sequelize.literal``."""
        target = self.bindings.get(head)
        if target is None:
            return None
        if target.endswith(":") and rest.startswith("."):
            rest = rest[1:]
        return target + rest

    # -- strings ------------------------------------------------------------------------------
    def string_nodes(self) -> list[ts.Node]:
        """String / template nodes whose text looks like SQL or holds a DB URL, in source order."""
        found: dict[int, ts.Node] = {}
        for match in _SQL_CANDIDATE.finditer(self.src):
            node = self.string_at(match.start())
            if node is not None and node.start_byte == match.start():
                found.setdefault(node.start_byte, node)
        for match in _URL_CANDIDATE.finditer(self.src):
            node = self.string_at(match.start())
            if node is not None:
                found.setdefault(node.start_byte, node)
        return [found[k] for k in sorted(found)]

    def string_at(self, offset: int) -> ts.Node | None:
        """The string or template whose own text (not a nested expression or comment) holds ``offset``."""
        node = self.up.at(offset)
        if node is not None and node.type in _STRING_PARTS:
            node = self.up.parent(node)
        return node if node is not None and node.type in ("string", "template_string") else None

    def string_lit(self, node: ts.Node, scope: str) -> StringLit:
        span = self.pos.span(node)
        if node.type == "string":
            return StringLit(_unescape(self.text(node)[1:-1]), "plain", (), span, scope)
        text, holes = self.template(node)
        parent = self.up.parent(node)
        if (
            parent is not None
            and parent.type == "call_expression"
            and parent.child_by_field_name("arguments") == node
        ):
            head, rest = self.callee(parent.child_by_field_name("function"))
            return StringLit(text, "tagged", holes, span, scope, head + rest)
        return StringLit(text, "template", holes, span, scope)

    def template(self, node: ts.Node) -> tuple[str, tuple[Hole, ...]]:
        """Cooked template text with each ``${…}`` replaced by ``{}``, plus the holes."""
        pieces: list[str] = []
        holes: list[Hole] = []
        length = 0
        for child in node.children:
            kind = child.type
            if kind == "template_substitution":
                inner = [c for c in child.named_children if c.type != "comment"]
                expr = self.text(inner[0]) if inner else ""
                holes.append(Hole(expr, length))
                piece = "{}"
            elif kind == "string_fragment":
                piece = self.text(child)
            elif kind == "escape_sequence":
                piece = _unescape(self.text(child))
            else:
                continue
            pieces.append(piece)
            length += len(piece)
        return "".join(pieces), tuple(holes)

    # -- definitions --------------------------------------------------------------------------
    def scopes(self) -> tuple[list[_Scope], list[ts.Node]]:
        """Every class and function with its scope range.

        A class's range is its body and a function's starts at its parameters, so decorators,
        ``extends`` expressions and computed method keys, which run where the class is defined,
        belong to the outer scope.
        """
        scopes: list[_Scope] = []
        nodes: list[ts.Node] = []
        for node in self.captures.get("class", ()):
            body = node.child_by_field_name("body")
            start = body.start_byte if body is not None else node.end_byte
            scopes.append(_Scope(start, node.end_byte, self.bound_name(node, _CLASS_DECLARATIONS), False))
            nodes.append(node)
        for node in self.captures.get("function", ()):
            params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
            start = params.start_byte if params is not None else node.start_byte
            scopes.append(_Scope(start, node.end_byte, self.bound_name(node, _FUNCTION_DECLARATIONS), True))
            nodes.append(node)
        return scopes, nodes

    def bound_name(self, node: ts.Node, declarations: frozenset[str]) -> str:
        """The name a function/class is known by: its own for declarations, else what it is
        assigned to (variable, member, object key, class field, ``export default``)."""
        own = node.child_by_field_name("name")
        if node.type in declarations and own is not None:
            return self.name_text(own)
        parent = self.up.parent(node)
        kind = parent.type if parent is not None else ""
        if kind == "variable_declarator":
            target = parent.child_by_field_name("name")
            if target.type == "identifier":
                return self.text(target)
        elif kind == "assignment_expression":
            target = parent.child_by_field_name("left")
            if target.type == "identifier":
                return self.text(target)
            if target.type == "member_expression":
                if self.text(target) == "module.exports":
                    return "default"
                return self.text(target.child_by_field_name("property"))
        elif kind == "pair":
            return self.name_text(parent.child_by_field_name("key"))
        elif kind in _FIELDS:
            return self.text(parent.child_by_field_name("property") or parent.child_by_field_name("name"))
        elif kind == "export_statement":
            return "default"
        return self.name_text(own) if own is not None else ANONYMOUS

    def definition(self, scope: _Scope, node: ts.Node) -> None:
        if not scope.is_function:
            self.facts.classes.append(self.class_def(scope, node))
        elif scope.name != ANONYMOUS:
            self.facts.functions.append(self.function_def(scope, node))

    def class_def(self, scope: _Scope, node: ts.Node) -> ClassDef:
        bases: list[str] = []
        resolved: list[str | None] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                base = self.base_node(child)
                if base is not None:
                    head, rest = self.callee(base)
                    bases.append(head + rest)
                    resolved.append(self.resolve(head, rest))
        decorators = self.decorators(node)
        parent = self.up.parent(node)
        if parent is not None and parent.type == "export_statement":
            decorators = self.decorators(parent) + decorators
        self.current_class = scope.qualname  # field values are assignments in the class scope
        return ClassDef(
            scope.name, tuple(bases), tuple(resolved), decorators, self.pos.span(node), self.attributes(node)
        )

    def base_node(self, heritage: ts.Node) -> ts.Node | None:
        """JS puts the ``extends`` expression in ``class_heritage``; TS wraps it in ``extends_clause``."""
        for child in heritage.named_children:
            if child.type == "extends_clause":
                return child.child_by_field_name("value")
            if child.type not in ("implements_clause", "comment"):
                return child
        return None

    def decorators(self, node: ts.Node) -> tuple[str, ...]:
        return tuple(self.decorator_text(c) for c in node.children if c.type == "decorator")

    def decorator_text(self, decorator: ts.Node) -> str:
        """``@Column({ type: 'text' })`` -> ``Column({ type: 'text' })``, whitespace collapsed like the
        Python frontend."""
        return " ".join(self.text(decorator).lstrip("@").split())

    def attributes(self, node: ts.Node) -> tuple[str, ...]:
        body = node.child_by_field_name("body")
        if body is None:
            return ()
        names: list[str] = []
        for member in body.named_children:
            if member.type in _FIELDS:
                name = member.child_by_field_name("property") or member.child_by_field_name("name")
                names.append(self.name_text(name))
                value = member.child_by_field_name("value")
                if value is not None and name is not None and self.current_class:
                    self.facts.value_assigns.append(Assign(
                        self.name_text(name)[:SHAPE_LIMIT], self.text(value)[:ARGS_TEXT_LIMIT], "", None,
                        self.pos.span(member), self.current_class,
                    ))
            elif (
                member.type == "method_definition"
                and self.text(member.child_by_field_name("name")) == "constructor"
            ):
                names.extend(self.parameter_properties(member))
        return tuple(names)

    def parameter_properties(self, constructor: ts.Node) -> list[str]:
        """TS ``constructor(private readonly repo: Repo)`` declares the field ``repo``."""
        params = constructor.child_by_field_name("parameters")
        names = []
        for param in params.named_children if params is not None else ():
            if param.type in ("required_parameter", "optional_parameter") and any(
                c.type in ("accessibility_modifier", "readonly", "override_modifier") for c in param.children
            ):
                names.append(self.text(param.child_by_field_name("pattern")))
        return names

    def function_def(self, scope: _Scope, node: ts.Node) -> FunctionDef:
        decorators = self.method_decorators(node) if node.type == "method_definition" else ()
        params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        is_async = any(c.type == "async" for c in node.children)
        return FunctionDef(
            scope.name, scope.qualname, decorators, self.inner(params), is_async, self.pos.span(node)
        )

    def method_decorators(self, method: ts.Node) -> tuple[str, ...]:
        """TypeScript places method decorators as siblings just before the method."""
        found: list[str] = []
        siblings, position = self.named_siblings(method)
        for sibling in reversed(siblings[:position]):
            if sibling.type not in ("decorator", "comment"):
                break
            if sibling.type == "decorator":
                found.append(self.decorator_text(sibling))
        return tuple(reversed(found)) + self.decorators(method)

    def named_siblings(self, node: ts.Node) -> tuple[list[ts.Node], int]:
        """The named children of ``node``'s parent and ``node``'s position among them; each
        parent's list is read once (``prev_named_sibling`` walks down from the root each time)."""
        parent = self.up.parent(node)
        if parent is None:
            return [node], 0
        cached = self.children.get(parent.id)
        if cached is None:
            children = parent.named_children
            cached = self.children[parent.id] = (children, {child.id: i for i, child in enumerate(children)})
        return cached[0], cached[1].get(node.id, 0)

    # -- exports ------------------------------------------------------------------------------
    def export_names(self, node: ts.Node) -> list[str]:
        declaration = node.child_by_field_name("declaration")
        if declaration is not None:
            return self.declared_names(declaration)
        names: list[str] = []
        for child in node.children:
            if child.type in ("default", "="):
                return ["default"]
            if child.type == "export_clause":
                for spec in child.named_children:
                    if spec.type == "export_specifier":
                        exported = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        names.append(self.name_text(exported))
            elif child.type == "namespace_export":
                names.append(self.name_text(child.named_children[-1]))
        return names

    def declared_names(self, declaration: ts.Node) -> list[str]:
        if declaration.type == "ambient_declaration" and declaration.named_child_count:
            return self.declared_names(declaration.named_children[0])
        if declaration.type in _DECLARATION_LISTS:
            names: list[str] = []
            for declarator in declaration.named_children:
                if declarator.type == "variable_declarator":
                    names.extend(self.pattern_names(declarator.child_by_field_name("name")))
            return names
        name = declaration.child_by_field_name("name")
        return [self.name_text(name)] if name is not None else []

    def pattern_names(self, node: ts.Node) -> list[str]:
        """Identifiers bound by a (possibly destructuring) declaration pattern."""
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            return [self.text(node)]
        if kind in ("pair_pattern", "assignment_pattern", "object_assignment_pattern"):
            inner = node.child_by_field_name("value") or node.child_by_field_name("left")
            return self.pattern_names(inner) if inner is not None else []
        if kind in ("object_pattern", "array_pattern", "rest_pattern"):
            return [n for child in node.named_children for n in self.pattern_names(child)]
        return []

    def commonjs_exports(self) -> None:
        exports = self.facts.exports
        exports.extend("default" for _ in self.captures.get("cjs_default", ()))
        exports.extend(self.text(n) for n in self.captures.get("cjs_name", ()))

    # -- comments and errors ------------------------------------------------------------------
    def suppressions(self) -> list[tuple[int, str]]:
        found: dict[int, tuple[int, str]] = {}
        for match in _SUPPRESSION.finditer(self.src):
            node = self.root.descendant_for_byte_range(match.start(), match.end())
            if node is not None and node.type in ("comment", "html_comment"):
                found.setdefault(node.start_byte, (node.start_point.row + 1, self.text(node)))
        return [found[k] for k in sorted(found)]
