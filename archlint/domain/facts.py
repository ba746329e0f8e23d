"""Language-neutral facts extracted from one source file.

Records are ``NamedTuple``s: they are created by the hundred thousand on a cold run and
pickled through the process pool and the cache, and tuples are several times cheaper to build
and to (un)pickle than frozen dataclasses (measured: unpickling Django's facts took 0.76 s as
dataclasses).

Every frontend (Python, JS/TS) produces a :class:`FileFacts`; every check reads only these
records, never a syntax tree.  That is what lets later rule families (DB access, ORM, SQL,
stack verification) add checks without a second parser, and what makes the per-file cache
possible: facts depend only on the file's bytes, so they are keyed by a content hash.

Facts are *raw*: an import stores the specifier exactly as written.  Resolving it to a file
needs the whole project (source roots, tsconfig paths), which is the graph stage's job.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from archlint.domain.records import NamedTuple

# Import kinds -------------------------------------------------------------------------------
RUNTIME = "runtime"  # executed when the module is imported
TYPE_ONLY = "type-only"  # `if TYPE_CHECKING:` / `import type` — erased at runtime
LAZY = "lazy"  # inside a function body (or PEP 810 `lazy import`): runs on first call
DYNAMIC = "dynamic"  # importlib.import_module("lit") / import("lit") / require in a function
OPAQUE = "opaque"  # import_module(expr) / require(expr): target unknown statically
# import_module(expr) whose target folding proves is one of the code's own constants (a lookup in a
# constant registry, ``module, attr = _public_api[name]``) without listing them: no edge, no AL106
REGISTRY = "registry"
# An ES module import whose bindings are read only inside functions: the module loads with the
# importer, its values are read later (TypeORM entities' `@ManyToOne(() => User)`)
DEFERRED = "deferred"
# The module of a DYNAMIC import that loads every module of the importer's own directory
# (sequelize-cli's models/index.js: require(path.join(__dirname, file)) over readdirSync(__dirname)).
OWN_DIRECTORY = "./*"

# TypeScript declaration files: types only, never loaded — every import in one is erased at runtime
DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")


def is_declaration_file(path: str) -> bool:
    """``user.d.ts`` (any case): a file of type declarations, which no runtime ever loads."""
    return path.lower().endswith(DECLARATION_SUFFIXES)

# CallSite.callee of a callee too long to read (a generated 5,000-link chain): no name in it, so
# nothing downstream mistakes it for a receiver or a method.
UNREADABLE_CALLEE = "…"

IMPORT_KINDS = (RUNTIME, TYPE_ONLY, LAZY, DYNAMIC, OPAQUE, DEFERRED)


_FIELD = (1 << 32) - 1  # one field of a Span
_int_new = int.__new__


class Span(int):
    """1-based line and column range, end inclusive of the last character's column + 1.

    One int, the four fields 32 bits each (``line`` the most significant): every IR node and body
    record holds one, and a 4-tuple (80 bytes, and an int object per line number above 256) was the
    largest single kind of object of a check — saleor-sized tree: 830,000 spans, 63 MiB; packed,
    64 bytes and no int objects of their own.  Spans compare as the tuples they stand for (the
    packing keeps their order), unpack, index and read their fields by name, and repr as before;
    a Span is not equal to a plain tuple."""

    __slots__ = ()
    _fields = ("line", "column", "end_line", "end_column")

    def __new__(cls, line: int, column: int, end_line: int, end_column: int) -> Span:
        if (line | column | end_line | end_column) >> 32:
            raise ValueError(f"span field out of range: {(line, column, end_line, end_column)}")
        return _int_new(cls, line << 96 | column << 64 | end_line << 32 | end_column)

    # ``line`` and ``end_column`` read in C (``(96).__rrshift__(span)`` is ``span >> 96``)
    line = property((96).__rrshift__)
    column = property(lambda self: self >> 64 & _FIELD)
    end_line = property(lambda self: self >> 32 & _FIELD)
    end_column = property(_FIELD.__rand__)

    def __iter__(self):
        return iter((self >> 96, self >> 64 & _FIELD, self >> 32 & _FIELD, self & _FIELD))

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index):
        return (self >> 96, self >> 64 & _FIELD, self >> 32 & _FIELD, self & _FIELD)[index]

    def __bool__(self) -> bool:
        return True  # as the 4-tuple it was, Span(0, 0, 0, 0) included

    def __repr__(self) -> str:
        line, column, end_line, end_column = self
        return f"Span(line={line}, column={column}, end_line={end_line}, end_column={end_column})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def __reduce__(self):
        return (_span, (int(self),))

    def _replace(self, **fields) -> Span:
        values = dict(zip(self._fields, self))
        values.update(fields)
        return Span(**values)

    def _asdict(self) -> dict:
        return dict(zip(self._fields, self))


def _span(packed: int) -> Span:
    """Unpickle a :class:`Span` from its packed value (no Python ``__new__``, no range check)."""
    return _int_new(Span, packed)


class Import(NamedTuple):
    """One import edge as written in the source.

    ``module`` is the specifier: a dotted Python module (``.services``, ``..``, ``sqlalchemy.orm``)
    or a JS specifier (``../services/a.js``, ``@prisma/client``).  ``names`` are the imported
    names for ``from X import a, b`` / ``import {a, b} from 'X'`` (``*`` for star / namespace).
    For opaque imports ``module`` is the source text of the argument expression.
    """

    module: str
    names: tuple[str, ...]
    kind: str
    span: Span
    level: int = 0  # Python relative-import level (number of leading dots)
    optional: bool = False  # inside try/except ImportError (try/catch in JS): the code runs without it


class Binding(NamedTuple):
    """A local name bound by an import: ``t`` -> ``sqlalchemy.text``, ``Op`` -> ``sequelize.Op``.

    ``target`` is ``module`` plus the imported attribute, joined by ``:`` so that JS paths
    with dots survive: ``sqlalchemy:text``, ``./db:default``, ``sequelize:Op``.  A whole-module
    binding (``import sqlalchemy as sa``, ``const x = require('x')``) has an empty attribute.
    """

    name: str
    target: str
    line: int


class Argument(NamedTuple):
    """A call argument: its keyword (or ``""`` for positional), source text and literal value.

    ``literal`` is the decoded value of a plain string literal (no interpolation); ``None``
    otherwise.  ``text`` is truncated to keep facts small; checks that need more ask the
    frontend's deep pass.
    """

    keyword: str
    text: str
    literal: str | None = None


class CallSite(NamedTuple):
    """A call expression.

    ``callee`` is the callee as written with call arguments elided (``session.query``,
    ``session.query().filter``, ``knex``); ``resolved`` replaces the first name through the
    file's import bindings (``sa.select`` -> ``sqlalchemy:select``; ``t`` -> ``sqlalchemy:text``),
    or is ``None`` when the first name is not imported.  ``scope`` is the enclosing function's
    qualified name (``ArticleRepo.get``), ``""`` at module level.

    ``args_text`` is the raw source between the parentheses (capped at 2,000 characters).
    Splitting it into :class:`Argument` records costs a Python-level walk, and only the few
    calls a check matches need it, so :meth:`arguments` does it on demand.
    """

    callee: str
    resolved: str | None
    args_text: str
    span: Span
    scope: str
    flags: str = ""  # space-separated: await, stmt (result dropped), return, chained, loop
    # Where ``args_text`` starts (1-based line and character column; 0 = unknown): a check that
    # parses the arguments can point its finding at one argument (see arguments.span_in_arguments).
    args_line: int = 0
    args_column: int = 0

    def has(self, flag: str) -> bool:
        return flag in self.flags.split()

    def arguments(self, full: bool = False) -> tuple[Argument, ...]:
        """The argument records (keyword, expression text, literal value); ``full``: texts not cut
        at 200 characters."""
        from archlint.domain.arguments import split_arguments

        return split_arguments(self.args_text, full)


class Assign(NamedTuple):
    """``target = value`` (also ``with value as target`` and JS declarations) when the value is a
    call, ``await``/``new`` of a call, a name or an attribute.  An annotated Python assignment keeps
    its annotation in ``target`` (``author: Mapped["User"]``).  It is what receiver typing needs to
    know that ``session`` came from ``SessionLocal()`` or ``self.repo`` from a parameter.  SQL text
    built step by step (``q = "SELECT …"``, ``q += " WHERE …"``, ``q = q + …``) is recorded too, so
    the SQL rules can follow a query to the call that runs it.

    ``callee``/``resolved`` describe the value when it is a call (through ``await``/``new``),
    else they are ``""``/``None`` and ``value`` holds the name or attribute text.
    """

    target: str
    value: str
    callee: str
    resolved: str | None
    span: Span
    scope: str
    op: str = "="  # "+=" for augmented assignments (``q += " AND tag = ?"``)


class Loop(NamedTuple):
    """A loop (``for``, ``while``, comprehension, JS ``for…of`` or an array-method callback such
    as ``items.map(async x => …)``): ``span`` covers the body that runs once per item."""

    target: str
    iterable: str
    span: Span
    scope: str


class Hole(NamedTuple):
    """An interpolation inside a string: f-string ``{x}``, template ``${x}``, ``%s``/``.format``
    operands are recorded by the SQL issue's deep pass.  ``offset`` is the index in ``text``."""

    expr: str
    offset: int


class StringLit(NamedTuple):
    """A string literal that carries a data-layer signal (looks like SQL or a DB URL).

    ``text`` is the literal's value with every hole replaced by ``{}``; ``kind`` is
    ``plain`` / ``fstring`` / ``template`` / ``tagged`` (JS tagged template; ``tag`` names it).
    """

    text: str
    kind: str
    holes: tuple[Hole, ...]
    span: Span
    scope: str
    tag: str = ""


class ClassDef(NamedTuple):
    """A class with its bases (as written and resolved through bindings) and decorators."""

    name: str
    bases: tuple[str, ...]
    resolved_bases: tuple[str | None, ...]
    decorators: tuple[str, ...]
    span: Span
    attributes: tuple[str, ...] = ()  # names assigned in the class body (columns, __tablename__)


class Parameter(NamedTuple):
    name: str
    annotation: str = ""
    default: str = ""


class FunctionDef(NamedTuple):
    """A function or method; ``qualname`` includes enclosing classes/functions."""

    name: str
    qualname: str
    decorators: tuple[str, ...]
    params_text: str  # raw parameter list source; see :meth:`parameters`
    is_async: bool
    span: Span

    def parameters(self) -> tuple[Parameter, ...]:
        from archlint.domain.arguments import split_parameters

        return split_parameters(self.params_text)


class ParseProblem(NamedTuple):
    """Why a file could not be (fully) analysed; becomes an AL0xx ``parse`` finding."""

    rule: str  # AL001 syntax error, AL002 unreadable, AL003 encoding, AL004 too large/minified
    message: str
    span: Span


class SpooledBlob(NamedTuple):
    """A body or IR blob a pool worker wrote to its spool file instead of sending it: where it is.
    The cache's save copies it from there (the adapter reads it: the domain does no file I/O), so
    this process holds the records the worker sent and no pickled copy of them until the save
    (saleor-sized tree, default jobs: ~75 MiB of blobs held beside their records)."""

    path: str
    offset: int
    size: int


def _bytes(blob, read_spooled=None) -> bytes | None:
    """A blob's bytes.  A :class:`SpooledBlob` is read by ``read_spooled`` (the cache adapter's
    reader, ``None`` when the spool is gone or short); without a reader it is unavailable and the
    caller pickles the records, which a spooled file always holds."""
    if blob is None or type(blob) is bytes:
        return blob
    return read_spooled(blob) if read_spooled is not None else None


@dataclass(slots=True)
class FileBody:
    """The bulky part of a file's facts: needed only by data-layer rules, on some files."""

    bindings: list[Binding] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    assigns: list[Assign] = field(default_factory=list)
    # every other assignment (literals, arithmetic, lookups, comprehensions, `n += 1`): what
    # constant folding (domain/constants.py) reads; kept apart so receiver typing never sees them
    value_assigns: list[Assign] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    strings: list[StringLit] = field(default_factory=list)
    classes: list[ClassDef] = field(default_factory=list)
    functions: list[FunctionDef] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    # JS/TS re-exports (`export * from`, `export * as N from`, `export {a as b} from`): the import
    # record's span, the name taken from that module (`*`: all of it) and the name exported
    # (`*`: each under its own name) — what a barrel hands out, for the deep scope
    reexports: list[tuple[Span, str, str]] = field(default_factory=list)

    def share_strings(self) -> None:
        """Make equal strings of this file's records one object, so the pickle that carries the
        body from the pool or the cache memoises each once and the unpickled body shares it.
        Callees, resolved names, receivers, targets and argument texts repeat call after call
        (the saleor-sized tree: 810k strings in its bodies, 194k distinct; 59 MiB before).  Run
        once, in the process that extracted the body, before anything reads it."""
        shared: dict[str, str] = {}
        share = shared.setdefault
        for records in (self.calls, self.assigns, self.value_assigns, self.loops,
                        self.functions, self.classes, self.bindings):
            for index, record in enumerate(records):
                records[index] = _new_record(type(record), [share(v, v) if type(v) is str else v for v in record])


_new_record = tuple.__new__


class FileFacts:
    """Everything archlint knows about one file.

    The *head* (imports, problems, suppressions, signals) comes from the cheap pass every file
    gets: it is all the graph and the layer rules need.  The *body* (:class:`FileBody`: calls,
    assignments, strings, classes, functions) is extracted only for files the data-layer rules
    look at — on Django 52 files of 885 — through a loader the parsing stage attaches; when facts
    travel through the cache or the process pool an extracted body stays a pickled blob until it
    is first accessed.  A warm run that only checks layers never unpickles a single call site.
    """

    __slots__ = (
        "path", "language", "content_hash", "lines", "imports", "problems", "suppressions", "signals",
        "_body", "_blob", "_loader", "fresh_body", "syntax_checked", "_ir", "_ir_blob", "_ir_loader", "fresh_ir",
        "keep_blobs", "_pending",
    )

    def __init__(
        self,
        path: str,
        language: str,
        content_hash: str,
        lines: int = 0,
        imports: list[Import] | None = None,
        problems: list[ParseProblem] | None = None,
        suppressions: list[tuple[int, str]] | None = None,
        signals: str | None = "",
        body: FileBody | None = None,
        blob: bytes | None = None,
        syntax_checked: bool = True,
        ir_blob: bytes | None = None,
    ) -> None:
        self.path = path  # POSIX path relative to the analysis root
        self.language = language  # "python" | "javascript" | "typescript" | "unknown"
        self.content_hash = content_hash
        self.lines = lines
        self.imports = imports if imports is not None else []
        self.problems = problems if problems is not None else []
        self.suppressions = suppressions if suppressions is not None else []  # (line, comment text)
        # "sql" when the bytes hold SQL-looking or DB-URL strings; None = not decided (a cheap scan
        # for a run whose rules read no bodies; the pipeline decides it before any rule that does)
        self.signals = signals
        self._body = body
        self._blob = blob
        self._loader = None
        self.fresh_body = False  # the body was extracted during this run (the cache should keep it)
        # False while only the cheap scan has seen the file: syntax errors (AL001) need a parse,
        # which the pipeline does only when AL001 is selected (or the body is extracted anyway).
        self.syntax_checked = syntax_checked
        self._ir = None  # the typed IR (domain/ir.py), for files the semantic model reads
        self._ir_blob = ir_blob
        self._ir_loader = None
        self.fresh_ir = False
        # Whether a pickled body or IR stays once unpickled: a cache that saves this file writes it
        # as is.  A run without a cache drops it (the saleor-sized tree held 64 MB of blobs beside
        # the records unpickled from them).
        self.keep_blobs = True
        self._pending = None  # made elsewhere: called before the body or IR is read (attach_pending)

    def _settle(self) -> None:
        settle, self._pending = self._pending, None
        settle()

    @property
    def has_body(self) -> bool:
        if self._pending is not None and self._body is None and self._blob is None:
            self._settle()
        return self._body is not None or self._blob is not None

    @property
    def body(self) -> FileBody:
        if self._body is None:
            if self._pending is not None and self._blob is None:
                self._settle()
            if self._body is None and self._blob is None and self._loader is not None:
                self.adopt(self._loader())
            if self._body is None:
                if self._blob is not None:
                    # the blob stays: saving the cache again writes it as is instead of pickling
                    # the body anew (a one-file edit re-saved Django's 185 bodies: 0.7 s)
                    data = _bytes(self._blob)
                    self._body = pickle.loads(data) if data is not None else FileBody()
                    if not self.keep_blobs:
                        self._blob = None
                else:
                    self._body = FileBody()
        return self._body

    def drop_body(self) -> None:
        """Forget a partial body (the lean head's): a reader gets the loader's full one instead."""
        self._body = self._blob = None

    def attach_loader(self, loader) -> None:
        """``loader()`` extracts the body on first use (it re-reads and re-parses the file) and
        returns the full facts; their syntax problems replace the cheap pass's unknown."""
        self._loader = loader

    def attach_pending(self, settle) -> None:
        """The body and IR are being made elsewhere: ``settle()``, called once before either is first
        read or asked for (``has_body`` / ``has_ir`` too), puts them in place (:meth:`adopt`), so every
        reader sees what the loaders would have given; the loaders attached so far are dropped."""
        self._pending = settle
        self._loader = self._ir_loader = None

    def adopt(self, full: FileFacts) -> None:
        """Take the body and syntax verdict of the deep pass over the same bytes (the head's
        imports stay: the scanner's are the frontend's, and the graph is built from them)."""
        self._body, self._blob = full._body, full._blob
        self._loader = None
        if not self.syntax_checked:
            self.problems.extend(p for p in full.problems if p.rule == "AL001")
            self.syntax_checked = True
        if self.signals is None:
            self.signals = full.signals
        if full.has_ir:  # lowered from the same parse
            self._ir, self._ir_blob, self._ir_loader = full._ir, full._ir_blob, None
            self.fresh_ir = True
        self.fresh_body = True

    @property
    def ir(self):
        """The file's :class:`~archlint.domain.ir.ModuleIR` (``None`` when it cannot be built),
        lowered on first use and kept by the cache like the body."""
        if self._ir is None:
            if self._pending is not None and self._ir_blob is None:
                self._settle()
            if self._ir is not None:
                pass
            elif self._ir_blob is not None:
                # the blob stays, like the body's: saving the cache again writes it as is (a
                # one-file edit re-pickled Django's 540 IRs on save: 0.6 s)
                data = _bytes(self._ir_blob)
                self._ir = pickle.loads(data) if data is not None else False
                if not self.keep_blobs:
                    self._ir_blob = None
            elif self._ir_loader is not None:
                loader, self._ir_loader = self._ir_loader, None
                found = loader()
                if isinstance(found, FileFacts):  # the body came with the IR, from one parse
                    if not self.has_body:
                        self.adopt(found)
                    found = found._ir
                self._ir = found or False
                self.fresh_ir = True
        return self._ir or None

    def set_ir(self, module) -> None:
        """The IR lowered from the same parse as the facts (the deep pass in a worker)."""
        self._ir = module if module is not None else False
        self._ir_blob = self._ir_loader = None
        self.fresh_ir = True

    @property
    def has_ir(self) -> bool:
        if self._pending is not None and self._ir is None and self._ir_blob is None:
            self._settle()
        return self._ir is not None or self._ir_blob is not None

    def attach_ir_loader(self, loader) -> None:
        """``loader()`` lowers the IR on first use: the module, or the full facts of one parse
        (body and IR), whose body is adopted too when none was extracted yet."""
        self._ir_loader = loader

    @property
    def read_deep(self) -> bool:
        """Whether this run looked past the head: the body or the IR was extracted, lowered or
        unpickled (what the deep-findings cache records as a dependency)."""
        return self._body is not None or self._ir is not None

    @property
    def read_parts(self) -> tuple[bool, bool]:
        """(body, IR): which of the two this run extracted, lowered or unpickled — a blob the cache
        carried and nobody opened was not read."""
        return self._body is not None, self._ir is not None

    bindings = property(lambda self: self.body.bindings)
    calls = property(lambda self: self.body.calls)
    assigns = property(lambda self: self.body.assigns)
    value_assigns = property(lambda self: self.body.value_assigns)
    loops = property(lambda self: self.body.loops)
    strings = property(lambda self: self.body.strings)
    classes = property(lambda self: self.body.classes)
    functions = property(lambda self: self.body.functions)
    exports = property(lambda self: self.body.exports)
    reexports = property(lambda self: self.body.reexports)

    def _head(self) -> tuple:
        return (self.path, self.language, self.content_hash, self.lines, self.imports, self.problems,
                self.suppressions, self.signals)

    def _state(self) -> tuple:
        return self._head() + (self.syntax_checked,)

    def with_path(self, path: str) -> FileFacts:
        """The same facts for an identical file at another path (a cache hit)."""
        copy = FileFacts(
            *self._head(), body=self._body, blob=self._blob, syntax_checked=self.syntax_checked, ir_blob=self._ir_pickle()
        )
        copy.path = path
        return copy

    def _ir_pickle(self, read_spooled=None) -> bytes | None:
        if self._ir_blob is not None and (blob := _bytes(self._ir_blob, read_spooled)) is not None:
            return blob
        if self._ir is not None:
            return pickle.dumps(self._ir, pickle.HIGHEST_PROTOCOL)  # False (no IR) pickles too
        return None

    def dump_blobs(self, stream, read_spooled=None) -> tuple[int, int]:
        """Write the body blob and then the IR blob :meth:`packed` gives to ``stream`` (a seekable
        binary file) and return their sizes (``-1``: none).  Records are pickled straight into the
        stream, never made one bytes object (whose buffer doubled as it grew: the largest IR of
        the saleor-sized tree made the cache's save its run's peak)."""
        return (_dump_part(stream, self._blob, self._body, read_spooled),
                _dump_part(stream, self._ir_blob, self._ir, read_spooled))

    def spool(self, handle, name: str) -> None:
        """Write the body and IR blobs to ``handle`` (a pool worker's spool file ``name``, at its end)
        and keep where they are: this object then pickles as its records and those places
        (:meth:`__reduce__`), so the process that reads it holds no blob.  Only for facts holding
        a body as records (the deep pass's extraction; its IR too when it has one)."""
        start = handle.tell()
        body, ir = self.dump_blobs(handle)
        self._blob = SpooledBlob(name, start, body) if body >= 0 else None
        self._ir_blob = SpooledBlob(name, start + max(body, 0), ir) if ir >= 0 else None

    def unspool(self) -> None:
        """Forget spooled places (the spool could not be written): the facts pickle as blobs again."""
        if type(self._blob) is SpooledBlob:
            self._blob = None
        if type(self._ir_blob) is SpooledBlob:
            self._ir_blob = None

    def __reduce__(self):
        if type(self._blob) is SpooledBlob and self._body is not None:
            # a worker wrote the blobs to its spool: the records travel as one stream (as below),
            # with where the cache's save finds the blobs
            return (_rebuild_joint, (self._state(), self._body, self._ir, self._blob, self._ir_blob))
        if not self.keep_blobs and self._body is not None and self._ir is not None:
            # Nothing will save blobs of this file (a run without a cache): the body and the IR go
            # into the enclosing pickle as records, in one stream, so the positions and texts they
            # share (almost every span of a body is also a span of its IR) arrive as one object
            # each, as the worker that extracted them from one parse held them — two blobs
            # unpickled apart held two copies (saleor-sized tree: see git log)
            return (_rebuild_joint, (self._state(), self._body, self._ir))
        return (from_packed, self.packed())

    def head_state(self) -> tuple:
        """The head facts as one tuple (imports, problems, signals…), the first part of :meth:`packed`."""
        return self._state()

    def packed(self, read_spooled=None) -> tuple:
        """(head state, body blob, IR blob): what a pickle or the cache's pack stores of the file, the
        blobs ``None`` when there is no body or IR; :func:`from_packed` makes the facts again.
        ``read_spooled`` reads a blob a worker spooled (else the records are pickled)."""
        blob = _bytes(self._blob, read_spooled)
        if blob is None and self._body is not None:
            blob = pickle.dumps(self._body, pickle.HIGHEST_PROTOCOL)
        return self._state(), blob, self._ir_pickle(read_spooled)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileFacts):
            return NotImplemented
        return self._head() == other._head() and self.body == other.body

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"FileFacts({self.path!r}, {self.language!r}, imports={len(self.imports)}, problems={self.problems!r})"

    @property
    def parsed(self) -> bool:
        """False when the file could not be read or decoded at all (counted as skipped)."""
        return not any(p.rule in ("AL002", "AL004") for p in self.problems)


def _dump_part(stream, blob, record, read_spooled=None) -> int:
    """One blob of :meth:`FileFacts.dump_blobs`: the blob as it is (read from the spool), else the
    record pickled into ``stream``; its size, ``-1`` when there is neither."""
    if blob is not None and (data := _bytes(blob, read_spooled)) is not None:
        stream.write(data)
        return len(data)
    if record is None:
        return -1
    start = stream.tell()
    pickle.dump(record, stream, pickle.HIGHEST_PROTOCOL)
    return stream.tell() - start


def from_packed(state: tuple, blob: bytes | None, ir_blob: bytes | None = None) -> FileFacts:
    """The facts :meth:`FileFacts.packed` stored, the blobs left pickled until first read."""
    return FileFacts(*state[:-1], blob=blob, syntax_checked=state[-1], ir_blob=ir_blob)


def _rebuild_joint(state: tuple, body: FileBody, module, blob: SpooledBlob | None = None,
                   ir_blob: SpooledBlob | None = None) -> FileFacts:
    """Facts whose body and IR travelled as records (``__reduce__``): no blobs to keep, or only
    where a worker spooled them (``blob``, ``ir_blob``: what the cache's save writes)."""
    facts = FileFacts(*state[:-1], body=body, syntax_checked=state[-1], ir_blob=ir_blob)
    facts._blob = blob
    facts._ir = module
    facts.keep_blobs = blob is not None
    return facts


def _tuple_reduce(self):
    """Unpickle through ``tuple.__new__`` (C) instead of the NamedTuple's Python ``__new__``:
    loading Django's cached facts drops from 0.5 s to a fraction of that."""
    return (tuple.__new__, (type(self), tuple(self)))


for _record in (Import, Binding, Argument, CallSite, Assign, Loop, Hole, StringLit, ClassDef, Parameter, FunctionDef, ParseProblem,
                SpooledBlob):
    _record.__reduce__ = _tuple_reduce  # type: ignore[method-assign]
