"""What an analysis produces: effects and summaries (what flows between functions) and the
per-site records a function's analysis of record keeps for the checks."""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.facts import Span
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v


class Effect(NamedTuple):
    """Something a function (or a function it calls) does to the database."""

    op: str  # read | write | transaction | schema | connect | lazy
    stack: str
    model: str
    method: str
    path: str
    span: Span
    deps: frozenset  # elem:<loop> tags of the values the statement used
    in_tx: bool
    trace: tuple  # ((path, span, label), ...): the calls from the analysed function down to the statement
    loops: tuple  # ids of the loops around it, outermost first, across the trace
    detail: str = ""  # e.g. the relation a lazy load reads
    tags: frozenset = frozenset()  # every tag of the values involved: async, sess:<with>, request …
    # The branches the statement runs on, across the trace: ((if-site, "then"|"else"), ...).  Two
    # effects are on one path unless they sit on opposite sides of one ``if`` (an early
    # ``return``/``raise`` puts the rest of the block on the other side).
    branch: tuple = ()
    query: object = None  # the Query (with its builder chains) this statement runs, for the lifters
    # the identities (``sid:``/``hid:`` tags) of the handle the statement ran on — the receiver's own, not the
    # arguments' (a row another session loaded, used as a key): which session two coroutines share (AL237)
    handle: frozenset = frozenset()


class Summary(NamedTuple):
    returns: object
    effects: tuple
    always_raises: bool = False
    # dereferences of a nullable row the caller passed in (Deref, origin = the caller's lookup):
    # `serialize(article)` after an unchecked `findOne` fails inside `serialize`, and the
    # caller's analysis reports it at the argument.
    derefs: tuple = ()
    # model-level mistakes seen only with the caller's values (`authorId: user` where `user` is the
    # caller's row): recorded where they happen, reported once (Event)
    events: tuple = ()
    # the branch sides ((if-site, side), …) every normal return of the function runs on: a helper
    # `if db.query(User).filter_by(email=e).first(): raise HTTPException(409)` returns only on the
    # not-found side, so what its caller does after the call runs there too (AL310)
    exit_branch: tuple = ()
    # the sess:<with-block> tags of the sessions whose `with` block ended during the call (its own or a
    # callee's): rows it returns tagged with one were loaded by a session that is closed once it returns
    exited: frozenset = frozenset()
    # (parameter, model, relations): the function selected the rows of `parameter` again, with loader options,
    # on the session another parameter holds (`select(Record).filter(Record.id.in_([r.id for r in records]))
    # .options(selectinload(Record.responses))`, the result discarded): the session's identity map loads
    # those relations onto the very rows the caller passed — SQLAlchemy's prefetch_related_objects
    row_loads: tuple = ()
    # (parameter, attribute, query): a lazy Django queryset the function left on an attribute of the row a
    # parameter holds (`instance._actions = instance.get_actions()` in a serializer's to_representation):
    # not run yet — whatever renders that attribute runs it (frameworks._serializer_reads)
    row_slots: tuple = ()
    # the keys (FoundFilter of calls.key_filter, read from parameters) by which a row was checked found on every
    # normal return: `async function assertExists(slug) { if (!(await Article.findOne({ where: { slug } })))
    # throw … }` — the caller that passed `slug` finds the row of that key again (Calls.rebind_found_keys)
    found_keys: tuple = ()


class Site(NamedTuple):
    """A DB access written in the analysed function (what AL301-style rules report)."""

    path: str
    span: Span
    stack: str
    kind: str
    method: str
    category: str  # query | write | transaction | connect | schema
    model: str
    loops: tuple
    in_tx: bool
    callee: str  # the callee as written, for messages
    # the project class whose inherited handle ran it (`this.articles.find()` on `class ArticleRepository
    # extends Repository<Article>`): a call into that class's layer
    owner: str = ""


class Construct(NamedTuple):
    """A DB handle created by calling a library constructor."""

    path: str
    span: Span
    stack: str
    kind: str
    callee: str
    target: str  # where it is stored ("" when not assigned)
    loops: tuple


class LoopInfo(NamedTuple):
    id: str
    path: str
    span: Span
    kind: str
    source: str  # rows | query | built (instances the code constructed) | keys (a row's stored ids) | other
    model: str


class Deref(NamedTuple):
    """An attribute or index read of a value that may be None/null on this path."""

    path: str
    span: Span
    name: str
    model: str
    origin: str = ""  # the call that returned the nullable row (Row.origin), "" when unknown
    via: tuple = ()  # (path, span, name) of the dereference inside the callee(s) the row was passed to
    # how None fails a Python read that is no attribute access: "subscriptable" (`row["name"]`),
    # "iterable" (`dict(row)`), "a mapping" (`{**row}`) — TypeError: 'NoneType' object is not …
    subscript: str = ""
    destructure: bool = False  # `const { title } = row` (JS: TypeError: Cannot destructure property …)
    guard: str = ""  # "<line>:=== undefined": a strict guard of the other empty value let the row through
    asserted: bool = False  # TypeScript `row!.title`: the non-null assertion only silences the compiler
    empty: str = ""  # JS: "null" / "undefined", what the lookup yields for no row (Row.empty), "" unknown
    # not a read that throws: an optional chain (`article?.id`) of the row given as a key where the stack drops an
    # `undefined` key — "<unique|filter>:<method>" (Prisma `connect: { id: article?.id }`, `deleteMany({ where: … })`)
    sink: str = ""


class Event(NamedTuple):
    """A rule-specific observation made while interpreting (``joined-collection-without-unique``)."""

    kind: str
    path: str
    span: Span
    detail: str


class CallRecord(NamedTuple):
    """A call in the analysed function with the values the interpreter saw: what rules about
    arguments and results read (``len(…all())``, ``findOne`` results, option objects)."""

    node: ir.Call
    receiver: object  # the receiver's value for method calls, else the callee's value
    args: tuple  # argument values, in order
    result: object
    loops: tuple
    in_tx: bool
    callees: tuple = ()  # the project functions the call ran (a union receiver may run several)
    caught: bool = False  # inside a `try` whose handler catches a None dereference (AttributeError/TypeError/Exception)


UNKNOWN_SUMMARY = Summary(v.UNKNOWN, ())


_POSITIONAL = ("pos", "posonly", "pattern")


def argument_for(function: ir.Function, args, name: str, bound: bool) -> tuple[int, str] | None:
    """Which of a call's ``args`` fills ``function``'s parameter ``name``: ``(index in args, field)``,
    ``field`` the key to read from the argument when ``name`` is a field of a destructured object
    parameter (``function f({ tableName, trx })`` called with ``f({ tableName: 'user' })``), else ``""``.
    ``args`` are the call's ``ir.Arg`` or the interpreter's ``(kind, name, value, expr)`` tuples
    (kinds ``pos``/``kw``/``star``/``kwstar``).  ``bound``: a Python method called through its
    instance (or a classmethod through its class) — the receiver fills ``self``/``cls``.  A keyword
    argument binds a positional-or-keyword or keyword-only parameter by name; a positional one
    the positional parameters in order.  ``None`` when no argument written here fills it (a default
    value, a parameter not found) or a ``*xs`` / ``**kw`` spread before it makes it unknown."""
    if not name:
        return None
    params = function.params
    if bound and function.kind == "method" and not function.is_static and params:
        params = params[1:]  # self / cls
    slots = []
    for param in params:
        if param.kind not in _POSITIONAL:
            break  # after `*args` every parameter is keyword-only
        slots.append(param)
    param = next((p for p in params if p.name == name and p.kind in ("pos", "posonly", "kwonly", "pattern")), None)
    field = ""
    if param is None:
        # `async function updateIdsInBatches({ tableName, idPrefix, trx })`: a field of the destructured object
        param = next((p for p in slots if p.kind == "pattern" and type(p.target) is ir.Obj and any(
            e.key == name and type(e.value) is ir.Name and e.value.id == name for e in p.target.entries)), None)
        if param is None:
            return None
        field = name
    keyword = not field and param.kind in ("pos", "kwonly")
    position = next((i for i, p in enumerate(slots) if p is param), None)
    positional = 0
    for index, arg in enumerate(args):
        kind = arg[0]
        if kind == "kw":
            if keyword and arg[1] == name:
                return index, ""
        elif kind == "pos":
            if positional == position:
                return index, field
            positional += 1
        else:
            position = None  # `*xs` / `**kw`: which parameter gets the arguments after it is unknown
            if not keyword:
                return None
    return None


_NO_NAMES: frozenset = frozenset()


class Analysis:
    """The facts of one function's analysis of record (its default calling context)."""

    __slots__ = ("path", "fid", "function", "summary", "sites", "constructs", "loops", "derefs", "calls", "effects", "events",
                 "owned")

    def __init__(self, path: str, function: ir.Function) -> None:
        self.path = path
        self.fid = function.fid
        self.function = function
        self.summary: Summary = UNKNOWN_SUMMARY
        self.sites: list[Site] = []
        self.constructs: list[Construct] = []
        self.loops: list[LoopInfo] = []
        self.derefs: list[Deref] = []
        self.calls: list[CallRecord] = []
        self.events: list[Event] = []
        self.owned: set[str] = set()  # sid:<site> of sessions this function opens or receives per request
        self.effects: tuple = ()  # the module top level's own effects (functions have them in summary)

    def compact(self) -> None:
        """Once every analysis of record ran (nothing appends to them after): each list becomes a
        tuple — an empty one the shared empty tuple, an empty set the shared empty frozenset.  Most
        functions have no sites, loops, derefs or events and own no session: seven empty containers
        each (~550 bytes) on tens of thousands of analyses stayed to the end of the run; a list that
        grew by appending also holds a header and spare slots a tuple does not (s55-rss)."""
        for name in ("sites", "constructs", "loops", "derefs", "calls", "events"):
            setattr(self, name, tuple(getattr(self, name)))
        if not self.owned:
            self.owned = _NO_NAMES


def recorded_argument(record: CallRecord, path: str, function: ir.Function, name: str, python: bool) -> tuple[int, str] | None:
    """:func:`argument_for` on a recorded call of the function at ``(path, function.fid)``, bound as the
    interpreter ran it (``self.helper(x)`` fills ``self``; ``Helper.helper(obj, x)`` does not)."""
    callee = next((c for c in record.callees if c.path == path and c.fid == function.fid), None)
    found = argument_for(function, record.node.args, name, python and callee is not None and callee.bound is not None)
    return found if found is not None and found[0] < len(record.args) else None
