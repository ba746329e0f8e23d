"""The typed intermediate representation (IR) that data-layer checks read instead of text.

Why an IR: 0.1.0's facts were strings (``callee``, ``args_text``) matched with regexes inside one
function, so a query one call away, a session from a factory or ``Depends``, or a path with no
``None`` check were invisible.  The IR keeps what an analysis needs and nothing else: calls with
their receiver and argument *expressions*, names with their scope, literals constant-folded,
and the control structure (loops, ``with`` blocks, ``try``, branches with their tests).

One IR for Python and JS/TS (semgrep's lesson): both frontends lower their tree-sitter trees into
these records, so the semantic model and every check are written once.  Language differences that
matter to an analysis are normalised at lowering time:

* ``xs.map(async x => …)`` / ``forEach`` / ``flatMap`` / ``filter`` … with an inline callback, a
  comprehension or generator expression, ``for … of`` and ``for … in`` all become :class:`Loop`;
* ``new X(…)`` is a :class:`Call` with ``new=True``; JS ``throw`` is :class:`Raise`;
* ``a?.b`` / ``a?.()`` are :class:`Attr` / :class:`Call` with ``optional=True``;
* a Python f-string / t-string and a JS template literal are :class:`Template`; adjacent string
  literals and ``+`` of constants are folded into one :class:`Const`;
* ``this`` is the name ``this``; ``self`` stays ``self`` (the first parameter of a method);
* TypeScript types (annotations, generics) are lowered to the same expression records
  (``Repository<User>`` → ``Index(Name('Repository'), Name('User'))``, ``A | null`` → ``BinOp``).

Records are ``NamedTuple``s (created by the hundred thousand, pickled into the cache; see
``facts.py`` for the measurement).  Every node has a :class:`~archlint.domain.facts.Span`, so a
finding points at exact code and a fix can edit it.  Constructs the lowering does not model become
:class:`Opaque` holding the expressions found inside, so no call is ever lost, and an analysis
treats its value as unknown — unknown stays unknown, never guessed.
"""

from __future__ import annotations

from typing import Union

from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple

NO_NAMES: frozenset = frozenset()


def frozen(names) -> frozenset:
    """``names`` as a frozenset, the empty one shared: most functions declare no ``global`` and
    many bind no local (saleor-sized tree: 35,000 empty sets, 7.5 MiB held for the whole run)."""
    return frozenset(names) if names else NO_NAMES

# Expressions -----------------------------------------------------------------------------------


class Name(NamedTuple):
    """A name read (or bound, as an assignment target).  Its scope is answered by the enclosing
    :class:`Function` (``function.scope_of(name)``): parameter, local, enclosing function, module
    global, import or builtin — decided once per function, never by matching text."""

    id: str
    span: Span


class Attr(NamedTuple):
    """``obj.name``; ``optional`` for ``obj?.name``."""

    obj: Expr
    name: str
    span: Span
    optional: bool = False


class Index(NamedTuple):
    """``obj[index]``; also a generic type ``Repository<User>`` / ``Mapped[list[Tag]]``."""

    obj: Expr
    index: Expr
    span: Span
    optional: bool = False


class Arg(NamedTuple):
    """One call argument.  ``kind``: ``pos``, ``kw`` (``name=value``), ``star`` (``*xs`` / ``...xs``),
    ``kwstar`` (``**kw``)."""

    kind: str
    name: str
    value: Expr


class Call(NamedTuple):
    """A call: ``func(args)``.  A method call is ``Call(Attr(receiver, method), …)``.  ``new`` for JS
    ``new X()``; ``optional`` for ``f?.()``; a tagged template ``sql`…``` is a call with the
    :class:`Template` as its only argument."""

    func: Expr
    args: tuple[Arg, ...]
    span: Span
    new: bool = False
    optional: bool = False

    @property
    def method(self) -> str:
        """The called attribute (``execute`` of ``session.execute(…)``), else ``""``."""
        return self.func.name if type(self.func) is Attr else ""

    @property
    def short_name(self) -> str:
        """The called attribute or plain name (``dirname`` of ``path.dirname(…)`` and of ``dirname(…)``), else ``""``."""
        func = self.func
        return func.name if type(func) is Attr else func.id if type(func) is Name else ""

    @property
    def receiver(self) -> Expr | None:
        return self.func.obj if type(self.func) is Attr else None

    def arg(self, position: int = -1, keyword: str = "") -> Expr | None:
        """The argument by keyword (Python ``k=v``) or by position among positional ones."""
        if keyword:
            for arg in self.args:
                if arg.kind == "kw" and arg.name == keyword:
                    return arg.value
        if position >= 0:
            positional = [arg.value for arg in self.args if arg.kind == "pos"]
            if position < len(positional):
                return positional[position]
        return None


class Const(NamedTuple):
    """A literal: ``str``, ``int``, ``float``, ``bool``, ``None`` (JS ``null``/``undefined``) or
    ``bytes``.  Strings joined by ``+`` / implicit concatenation are folded here."""

    value: object
    span: Span
    # JS ``null`` / ``undefined`` (both ``None`` here): which one was written, "" elsewhere.  Built
    # with ``tuple.__new__`` the field may be absent: read it with :func:`empty_literal`
    literal: str = ""


def empty_literal(node) -> str:
    """``"null"`` / ``"undefined"`` for a JS literal of that name, else ``""``."""
    return node[2] if type(node) is Const and len(node) > 2 else ""


class Template(NamedTuple):
    """f-string / t-string / template literal: ``strings`` interleave with ``holes``
    (``len(strings) == len(holes) + 1``).  ``tag`` is the tag of a JS tagged template."""

    strings: tuple[str, ...]
    holes: tuple[Expr, ...]
    span: Span
    tag: Expr | None = None


class BinOp(NamedTuple):
    """Arithmetic / string / bitwise operator: ``+ - * / % | & ^ << >> ** //``; in types, ``A | B``.
    (JS ``in``/``instanceof`` are :class:`Compare`.)"""

    op: str
    left: Expr
    right: Expr
    span: Span


class BoolOp(NamedTuple):
    """``and``/``or`` (Python), ``&&``/``||``/``??`` (JS), normalised to ``and``/``or``/``??``."""

    op: str
    values: tuple[Expr, ...]
    span: Span


class Compare(NamedTuple):
    """One comparison ``left op right``; Python chains ``a < b < c`` become a :class:`BoolOp`.
    ``op`` is ``== != < <= > >= is is-not in not-in`` (JS ``===``/``!==`` are ``==``/``!=`` with
    ``strict=True``)."""

    op: str
    left: Expr
    right: Expr
    span: Span
    strict: bool = False


class Unary(NamedTuple):
    """``not x`` / ``!x`` (op ``not``), ``-x``, ``+x``, ``~x``, JS ``typeof x`` / ``void x`` / ``delete x``."""

    op: str
    operand: Expr
    span: Span


class Cond(NamedTuple):
    """``a if test else b`` / ``test ? a : b``."""

    test: Expr
    then: Expr
    orelse: Expr
    span: Span


class Await(NamedTuple):
    value: Expr
    span: Span


class Seq(NamedTuple):
    """List / tuple / set / array literal (or a destructuring pattern when it is a target).
    Elements may be :class:`Starred`."""

    kind: str  # list | tuple | set
    elts: tuple[Expr, ...]
    span: Span


class Starred(NamedTuple):
    """``*xs`` in a sequence / ``...xs`` in an array or object, or a rest element in a pattern."""

    value: Expr
    span: Span


class Entry(NamedTuple):
    """One entry of a dict / object literal.  ``key`` is a ``str`` for a plain key (``{a: 1}``,
    ``{"a": 1}``, shorthand ``{a}``), an expression for a computed key, ``None`` for a spread
    (``{...body}`` / ``{**body}``).  In a destructuring pattern ``value`` is the target and
    ``default`` the default value (``{ page = 1 } = query``)."""

    key: str | Expr | None
    value: Expr
    default: Expr | None = None


class Obj(NamedTuple):
    """Dict / object literal (or an object destructuring pattern when it is a target)."""

    entries: tuple[Entry, ...]
    span: Span


class FuncRef(NamedTuple):
    """A function value defined here: a lambda, arrow, nested ``def``, function expression or a
    class body's method.  ``fid`` indexes :attr:`ModuleIR.functions`."""

    fid: int
    span: Span


class ClassRef(NamedTuple):
    """A class defined here (``cid`` indexes :attr:`ModuleIR.classes`): the value of a class
    statement or a JS class expression."""

    cid: int
    span: Span


class Loop(NamedTuple):
    """A loop, as a statement or as an expression (its value is the list of ``result`` values).

    ``kind``: ``for`` (Python ``for``, JS ``for…of`` / ``for…in`` / C-style ``for``), ``while``,
    ``comprehension`` (list/set/dict comprehension, generator expression), or the JS array method
    whose inline callback is the body (``map``, ``forEach``, ``flatMap``, ``filter``, ``reduce``,
    ``some``, ``every``, ``find``, ``findIndex``).  ``target`` binds each element (``None`` for
    ``while``); ``iter`` is what is iterated (the test for ``while``).  ``fid`` is the callback's
    function when the body came from one (its parameters are the targets; ``await`` inside an
    ``async`` callback makes the iterations concurrent — what ``Promise.all(xs.map(async …))`` does).
    ``is_async`` marks ``async for`` / ``for await``.  ``conditions`` are comprehension ``if`` clauses.
    ``optional`` marks a JS array method reached by optional chaining (``xs?.map(…)``: nothing runs on
    ``null``/``undefined``).
    """

    kind: str
    target: Expr | None
    iter: Expr
    body: tuple[Stmt, ...]
    span: Span
    result: Expr | None = None
    conditions: tuple[Expr, ...] = ()
    orelse: tuple[Stmt, ...] = ()
    fid: int = -1
    is_async: bool = False
    optional: bool = False


class Opaque(NamedTuple):
    """A construct the IR does not model (JSX, ``yield``, a ``match`` subject, decorators' odd
    shapes, syntax errors): its value is unknown, but the expressions found inside are kept so
    their calls are still seen."""

    kind: str
    parts: tuple[Expr, ...]
    span: Span


Expr = Union[
    Name, Attr, Index, Call, Const, Template, BinOp, BoolOp, Compare, Unary, Cond, Await, Seq, Starred, Obj,
    FuncRef, ClassRef, Loop, Opaque,
]

# Statements ------------------------------------------------------------------------------------


class Assign(NamedTuple):
    """``targets = value`` (several targets for ``a = b = v``), annotated assignment, declaration
    (``const x = v``), augmented assignment (``op`` ``+=`` …), ``with … as x`` is not one (see
    :class:`With`).  A declaration without a value (``x: int`` / ``let x;``) has ``value=None``.
    Targets are :class:`Name` / :class:`Attr` / :class:`Index` / :class:`Seq` / :class:`Obj` patterns."""

    targets: tuple[Expr, ...]
    value: Expr | None
    span: Span
    op: str = "="
    annotation: Expr | None = None


class ExprStmt(NamedTuple):
    value: Expr
    span: Span


class Return(NamedTuple):
    value: Expr | None
    span: Span


class Raise(NamedTuple):
    """Python ``raise`` / JS ``throw``; also Flask ``abort(404)`` is *not* lowered here (it is a call;
    the semantic model knows which calls never return)."""

    value: Expr | None
    span: Span


class If(NamedTuple):
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    span: Span


class WithItem(NamedTuple):
    context: Expr
    target: Expr | None


class With(NamedTuple):
    """``with a as x, b:`` / ``async with``.  JS has no ``with`` for resources; ``using`` declarations
    are lowered to one."""

    items: tuple[WithItem, ...]
    body: tuple[Stmt, ...]
    span: Span
    is_async: bool = False


class Handler(NamedTuple):
    """``except T as name:`` / ``catch (name)``; ``types`` is ``None`` for a bare ``except:``/``catch``."""

    types: Expr | None
    name: str
    body: tuple[Stmt, ...]
    span: Span


class Try(NamedTuple):
    body: tuple[Stmt, ...]
    handlers: tuple[Handler, ...]
    orelse: tuple[Stmt, ...]
    final: tuple[Stmt, ...]
    span: Span


class Assert(NamedTuple):
    test: Expr
    span: Span


class Jump(NamedTuple):
    """``break`` / ``continue`` (``kind``)."""

    kind: str
    span: Span


class Delete(NamedTuple):
    """``del x[k]`` / ``delete obj.k``: writes into the targets."""

    targets: tuple[Expr, ...]
    span: Span


Stmt = Union[Assign, ExprStmt, Return, Raise, If, Loop, With, Try, Assert, Jump, Delete]

# Definitions ------------------------------------------------------------------------------------


class Param(NamedTuple):
    """A parameter.  ``kind``: ``pos`` (positional or keyword), ``posonly``, ``kwonly``, ``vararg``
    (``*args`` / ``...rest``), ``kwarg`` (``**kw``), ``pattern`` (a JS destructured parameter: the
    pattern is ``target``).  ``annotation`` is the type as an expression; ``modifiers`` holds
    TypeScript accessibility/readonly words (a constructor parameter with one is also a field);
    ``decorators`` are parameter decorators (NestJS ``@InjectRepository(User)``, ``@Body()``)."""

    name: str
    kind: str
    span: Span
    annotation: Expr | None = None
    default: Expr | None = None
    target: Expr | None = None
    modifiers: tuple[str, ...] = ()
    decorators: tuple[Expr, ...] = ()


class Function(NamedTuple):
    """A function, method, lambda/arrow, or a module's top level (``kind == "module"``, fid 0).

    ``locals`` are the names the body binds (assignments, ``for`` targets, ``with … as``, nested
    ``def``/``class``, imports inside the function, ``except … as``; JS ``var``/``let``/``const``/
    ``function`` declarations), so a name's scope is a lookup, not a guess.  ``globals`` are names
    declared ``global``/``nonlocal`` (Python) — bound outside despite being assigned here.
    ``parent`` is the enclosing function's fid (-1 for the module), ``cls`` the class id of a
    method (-1 otherwise)."""

    fid: int
    name: str
    qualname: str
    kind: str  # module | function | method | lambda | arrow | getter | setter
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span
    decorators: tuple[Expr, ...] = ()
    is_async: bool = False
    is_generator: bool = False
    returns: Expr | None = None  # the return annotation
    parent: int = -1
    cls: int = -1
    locals: frozenset[str] = NO_NAMES
    globals: frozenset[str] = NO_NAMES
    is_static: bool = False
    # names a Python function-scope import binds (``from flask import Config`` inside a method): the
    # file's ``bindings`` say what they import; inside this function they shadow a module-level
    # definition of the same name (not in ``locals``: every other reader treats imports as module-wide)
    imports: frozenset[str] = NO_NAMES

    def scope_of(self, name: str) -> str:
        """``param`` / ``local`` / ``outer`` (not bound here: an enclosing function, the module,
        an import or a builtin — the semantic model resolves it through the chain of parents)."""
        if name in self.globals:
            return "outer"
        for param in self.params:
            if param.name == name or (param.target is not None and name in target_names(param.target)):
                return "param"
        return "local" if name in self.locals else "outer"


class Field(NamedTuple):
    """A class-level declaration: a Python class attribute (``author = relationship(…)``,
    ``id: Mapped[int] = mapped_column()``), a TS/JS class field (``private repo = new Repo()``,
    ``@InjectRepository(User) repo: Repository<User>``)."""

    name: str
    span: Span
    annotation: Expr | None = None
    value: Expr | None = None
    decorators: tuple[Expr, ...] = ()
    modifiers: tuple[str, ...] = ()
    is_static: bool = False


class Class(NamedTuple):
    """A class: bases and decorators as expressions, fields, methods (fids), nested in ``parent``."""

    cid: int
    name: str
    qualname: str
    bases: tuple[Expr, ...]
    span: Span
    decorators: tuple[Expr, ...] = ()
    keywords: tuple[Arg, ...] = ()  # metaclass=…, Python class keywords
    fields: tuple[Field, ...] = ()
    methods: tuple[int, ...] = ()
    parent: int = 0  # enclosing function fid (0: module level)
    nested: tuple[int, ...] = ()  # classes defined in the body (Django ``class Meta``)
    implements: tuple[str, ...] = ()  # TypeScript ``implements IArticleRepository``: the interface names


class Export(NamedTuple):
    """What a JS/TS module exports under ``name`` (``default`` for the default export):
    ``local`` is the local name it refers to, or ``value`` an expression (``module.exports = {…}``,
    ``export default new Service()``); a re-export names its ``source`` specifier and the name
    there (``export { a as b } from './x'``, ``export * from './x'`` has name ``*``)."""

    name: str
    span: Span
    local: str = ""
    value: Expr | None = None
    source: str = ""
    source_name: str = ""


class ModuleIR(NamedTuple):
    """The IR of one file.  ``functions[0]`` is the module's top level.  Python modules export
    their globals implicitly; ``exports`` lists JS/TS exports (ESM and CommonJS).  ``bindings`` maps
    local names bound by imports to their targets in the frontends' ``module:attr`` form (the
    same strings as :class:`~archlint.domain.facts.Binding`), which the graph resolves to files."""

    path: str
    language: str
    functions: tuple[Function, ...]
    classes: tuple[Class, ...]
    exports: tuple[Export, ...] = ()
    bindings: tuple[tuple[str, str], ...] = ()
    truncated: bool = False  # nesting past the lowering's depth bound became Opaque
    # TypeScript `x!`: the (end line, end column) of each expression under a non-null assertion (the
    # assertion is dropped from the IR; it checks nothing at runtime)
    asserted: frozenset = NO_NAMES
    # TypeScript `interface X { a: T }` / `type X = { a: T }` at module level: (name, the type as an expression;
    # an object type is an `Obj` whose entries are the members' types) — what a parameter annotated `X` holds
    types: tuple = ()

    @property
    def module(self) -> Function:
        return self.functions[0]

    def binding(self, name: str) -> str | None:
        for local, target in self.bindings:
            if local == name:
                return target
        return None


# Walking ---------------------------------------------------------------------------------------


_SCALAR_FIELDS = frozenset({
    "span", "id", "name", "op", "kind", "strict", "optional", "new", "is_async", "fid", "cid", "strings", "qualname",
    "is_generator", "parent", "cls", "locals", "globals", "is_static", "imports", "modifiers", "local", "source", "source_name",
    "path", "language", "truncated", "bindings",
    # ``Template.tag`` is the tagged call's own ``func`` again (``Call(sql, (Template(…, tag=sql),))``):
    # walking it too would visit the tag twice per level, and a chain of tagged templates
    # (a`x`y`z`… — what tree-sitter recovers from backquoted words in a broken TS file) doubles at
    # every level: 2^n visits (effect 4.1.5's Schema.ts ran past 10 minutes).
    "tag",
})


def _child_fields(record: type) -> tuple[int, ...]:
    """Indexes of the fields of ``record`` that can hold IR nodes or blocks, last first (so that a
    stack pops them in source order).  ``Const.value`` is a literal, never a node."""
    if record is Const:
        return ()
    return tuple(reversed([i for i, field in enumerate(record._fields) if field not in _SCALAR_FIELDS]))


def iter_nodes(root: object):
    """Every IR record under ``root`` (a node or a block), itself included, depth first in source
    order.  Nested functions are not entered: a :class:`FuncRef` only names its ``fid``.  The
    fields to descend into are computed once per record type (this walk runs over every function
    of every deep file)."""
    stack = [root]
    pop, push = stack.pop, stack.append
    children = _CHILDREN
    while stack:
        current = pop()
        kind = type(current)
        if kind is tuple:  # a block, or a tuple-valued field
            stack.extend(reversed(current))
            continue
        fields = children.get(kind)
        if fields is None:
            continue  # a string, a number, a span
        yield current
        for index in fields:
            value = current[index]
            if value is not None and type(value) is not str:
                push(value)


def shape(node) -> object:
    """``node`` (an expression, a statement or a tuple of them) without its spans: a hashable tree of
    record names, names, operators and literals, equal for two pieces of code written the same way
    anywhere — a structural key (``where(Deployment.id == row.id)`` in one chain and in another).
    A template's ``tag`` is left out (it is its call's ``func`` again, see ``_SCALAR_FIELDS``); a
    literal keeps its type (``1`` is not ``True``); a set of names is sorted, so ``repr`` of a shape
    is deterministic too."""
    kind = type(node)
    if kind is tuple:
        return tuple(shape(item) for item in node)
    if kind is Const:
        return ("Const", type(node.value).__name__, node.value, empty_literal(node))
    if kind is frozenset:
        return tuple(sorted(node))
    fields = getattr(kind, "_fields", None)
    if fields is None or kind is Span:
        return node  # a name, an operator, a number, None
    return (kind.__name__, *(shape(value) for field, value in zip(fields, node) if field not in ("span", "tag")))


def dotted(node) -> str:
    """``this.manager.connection.driver.escape`` of a name / attribute chain, else ``""``."""
    if type(node) is Name:
        return node.id
    if type(node) is Attr:
        base = dotted(node.obj)
        return f"{base}.{node.name}" if base else ""
    return ""


def target_names(target: Expr) -> list[str]:
    """The names an assignment target or destructuring pattern binds (``{ a, b: [c, ...d] }`` ->
    ``a c d``); a JS destructured parameter keeps its pattern in :attr:`Param.target`."""
    names: list[str] = []
    stack = [target]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is Name:
            names.append(node.id)
        elif kind is Seq:
            stack.extend(reversed(node.elts))
        elif kind is Obj:
            stack.extend(reversed([entry.value for entry in node.entries]))
        elif kind is Starred:
            stack.append(node.value)
    return names


def iter_edges(root: object, parent: object = None, field: str = ""):
    """``(node, parent, field)`` for every IR record under ``root``, in the order of
    :func:`iter_nodes` (the same child fields, nested functions not entered): for checks that
    judge a node by where it sits (``await``-less coroutines: what the parent does with it)."""
    stack = [(root, parent, field)]
    pop, push = stack.pop, stack.append
    children = _CHILDREN
    while stack:
        current, up, name = pop()
        kind = type(current)
        if kind is tuple:
            stack.extend((item, up, name) for item in reversed(current))
            continue
        fields = children.get(kind)
        if fields is None:
            continue
        yield current, up, name
        names = kind._fields
        for index in fields:
            value = current[index]
            if value is not None and type(value) is not str:
                push((value, current, names[index]))


def span_contains(outer: Span, inner: Span) -> bool:
    """Whether ``inner`` lies within ``outer`` (both ends included)."""
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line, outer.end_column)


def self_name(function: Function) -> str:
    """The name a method calls its own instance (``self``, or whatever its first parameter is named); ``""`` for a
    function, a static method or a method without parameters."""
    return function.params[0].name if function.kind == "method" and function.params and not function.is_static else ""


def enclosed_fids(module: ModuleIR, fid: int) -> list[int]:
    """``fid`` and the fids of the functions defined inside it (callbacks, closures, hooks), ascending: a nested
    function comes after its parent in ``module.functions``."""
    inside = {fid}
    for candidate in module.functions[fid + 1:]:
        if candidate.parent in inside:
            inside.add(candidate.fid)
    return sorted(inside)


def innermost_function(module: ModuleIR, span: Span) -> Function | None:
    """The innermost function (or the module's top level) whose source holds ``span``."""
    found = None
    for candidate in module.functions:
        if span_contains(candidate.span, span) and (found is None or span_contains(found.span, candidate.span)):
            found = candidate
    return found


def exits(block: tuple) -> bool:
    """The block never falls through: it ends with return / raise / continue / break, or with an
    ``if`` whose both arms do (what makes ``if x not in ALLOWED: raise`` a guard)."""
    if not block:
        return False
    last = block[-1]
    if type(last) in (Return, Raise, Jump):
        return True
    if type(last) is If:
        return exits(last.body) and exits(last.orelse)
    return False


def calls_in(block: object) -> list[Call]:
    """Every call in a function body or block (not in nested functions), in source order."""
    return [node for node in iter_nodes(block) if type(node) is Call]


_CHILDREN: dict = {}


def _tuple_reduce(self):
    """Unpickle through ``tuple.__new__`` (C), as the facts records do (see ``facts.py``)."""
    return (tuple.__new__, (type(self), tuple(self)))


for _record in (
    Name, Attr, Index, Arg, Call, Const, Template, BinOp, BoolOp, Compare, Unary, Cond, Await, Seq, Starred, Entry,
    Obj, FuncRef, ClassRef, Loop, Opaque, Assign, ExprStmt, Return, Raise, If, WithItem, With, Handler, Try, Assert,
    Jump, Delete, Param, Function, Field, Class, Export, ModuleIR,
):
    _record.__reduce__ = _tuple_reduce  # type: ignore[method-assign]
    _CHILDREN[_record] = _child_fields(_record)
