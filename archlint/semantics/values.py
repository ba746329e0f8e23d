"""Abstract values: what the semantic model knows an expression evaluates to.

The lattice is deliberately small and every value is a hashable ``NamedTuple``, because values
are also the keys of the summary cache (a function is analysed once per distinct tuple of
argument values).  :data:`UNKNOWN` is the top: any operation the model does not know yields it,
and no rule fires on it — unknown stays unknown, never guessed.

* :class:`Db` — a database handle: an engine, a session factory, a session, a connection, a
  cursor, a pool, a Sequelize instance, a knex instance, a Prisma client or model delegate, a
  TypeORM DataSource / EntityManager / Repository, a Drizzle db, a Django manager.  ``stack`` names
  the ``[[access]]`` entry of ``rules/knowledge/access.toml`` that describes it; ``model`` is set
  for handles bound to one model (``prisma.article``, ``Repository<Article>``, ``Article.objects``).
* :class:`Query` (built, not run yet: a ``select()``, a Django QuerySet, a knex builder),
  :class:`Result` (run, rows not fetched), :class:`Rows` (a list of model instances),
  :class:`Row` (one instance; ``nullable`` when the API returns ``None``/``null`` for no row) —
  each remembers the relations loaded eagerly, which is what the N+1 and lazy-load rules read.
* :class:`ModelClass` — an ORM model class (``Article``, ``User.objects``' owner).
* :class:`Function`, :class:`ClassValue`, :class:`Instance`, :class:`Module` — project code.
* :class:`External` — a symbol of an installed package, by canonical name.
* :class:`Request` — request data (the whole request, its body, params, query, headers).
* :class:`Const` — a known constant; ``Const(ANY_CONSTANT)`` is "constant-derived, value unknown"
  (``len(ids)``, ``",".join("?" * n)``): enough for the injection rules.
* :class:`Record` / :class:`Tuple` — object and tuple values, for destructuring.
* :class:`Union` — a few alternatives (a branch assigned two different things).
* :class:`Tagged` — a value carrying *tags*: ``elem:<loop>`` (derived from an element of a loop over
  DB rows — a query using it runs once per row) and ``request`` (derived from request data).
"""

from __future__ import annotations

from typing import Union as _Union

from archlint.domain.records import NamedTuple


# In a row's ``loaded``: this row is an instance other rows share (the row a Django reverse
# foreign-key manager was read through, handed to each of its rows as ``row.<fk>``): what it loads
# through a foreign key is loaded once for all of them, so a single-valued relation reached through
# it is no per-row query.  (Its collections are queried afresh on every ``.all()``.)
SHARED = "="


class Unknown(NamedTuple):
    pass


UNKNOWN = Unknown()


class _AnyConstant:
    """Marker for "a constant whose exact value is not tracked"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY_CONSTANT"

    def __reduce__(self):
        return "ANY_CONSTANT"


ANY_CONSTANT = _AnyConstant()


class Const(NamedTuple):
    value: object


class Db(NamedTuple):
    stack: str
    kind: str
    model: str = ""  # model key for handles bound to one model
    # a Django related manager: the "<model key>.<relation>" it was read through (``user.task_locks``),
    # whose querysets are filtered by the foreign key to that row
    via: str = ""
    # a prefetched manager: what the prefetch loaded below it (``followups__author`` → ``author``)
    loaded: frozenset = frozenset()


class Step(NamedTuple):
    """One builder call of a query chain, with the values its arguments had: what the lifters of
    ``semantics/builders`` turn into SQL.  ``node`` is the :class:`~archlint.domain.ir.Call`
    (an :class:`~archlint.domain.ir.Index` for a Django slice ``qs[a:b]``); ``args`` are
    ``(kind, keyword, value)`` per argument, in order."""

    path: str
    node: object
    args: tuple = ()


class Query(NamedTuple):
    """A query built but not run.  ``lazy`` marks Django QuerySets (iterating runs them).

    ``chains`` are the builder calls that made it, one tuple of :class:`Step` per possible way
    (``q = select(A)``; ``if tag: q = q.join(…)`` gives two); empty when the chain is not known
    (a query that came from code the model does not follow) — then nothing is lifted."""

    stack: str
    model: str
    loaded: frozenset = frozenset()
    lazy: bool = False
    unique: bool = False  # SQLAlchemy .unique() applied
    joined: frozenset = frozenset()  # relations loaded with joinedload (need .unique() for collections)
    single: bool = False  # knex .first(): awaiting it yields one row (or undefined)
    cached: bool = False  # a Django related manager whose relation was prefetched: no query when read
    write: bool = False  # an INSERT/UPDATE/DELETE statement (``update(Article).where(...)``): running it writes
    chains: frozenset = frozenset()
    # a Django QuerySet this path checked to match a row (``if qs.exists():`` / ``if not qs: raise``):
    # its ``.first()`` is a row, not None.  A field, not a tag: tags join as "may", this is a "must"
    # (a path that did not check joins to a Union whose ``.first()`` stays nullable)
    nonempty: bool = False
    via: str = ""  # made from a related manager (see :class:`Db`): an implicit WHERE on the foreign key
    # Django ``Model.objects.none()`` (and what is chained on it): no row, so no relation of one to load
    empty: bool = False


class FoundFilter(NamedTuple):
    """What a SQLAlchemy statement's filter reads (``calls.statement_filter``): once a lookup by it found its
    row (``if not deployment_id: return None``), a later statement of the function with the very same filter
    finds that row too — until the program rebinds a value it reads or writes a column it compares
    (``Frame.forget_found_filters``).  ``select(Deployment.id).where(Deployment.flow_id == deployment.flow_id)``:
    steps ``(("where", <shape>),)``, columns ``{("Deployment", "flow_id")}``, values ``{("deployment", "flow_id")}``."""

    scope: str  # "<path>:<fid>": the function whose names the values are
    steps: tuple  # each filter step's method and its arguments' IR without spans (``ir.shape``), in order
    # (model class name, column): the columns the filter compares; class "" for a column of the statement's
    # model, whichever it is (``filter_by(name=…)``)
    columns: frozenset
    # model class names the filter reads in ways not known column by column (a relationship's ``has()``,
    # ``__table__``; "" for ``filter_by(**data)``): any update of one may change it
    whole: frozenset
    # (name, attribute) of the function's values it reads: ``deployment.flow_id`` -> ("deployment", "flow_id"),
    # a name read whole (``flow_id``, ``data["name"]``) -> (name, "")
    values: frozenset
    # its identity on the rows it found (``FOUND_FILTER_TAG`` + scope and steps, ``found_filter``) and in the path
    # facts: equal for the same filter in the same function, however it was built (what else the record holds
    # follows from those two).  Nothing reads it back
    tag: str

    def moved_by(self, model: str, columns: frozenset | None) -> bool:
        """Whether a write of the model class ``model`` ("" unknown) setting ``columns`` (None: any, or a
        delete) may change what the filter matches: a filter that names no model may be of any table."""
        models = {name for name, _ in self.columns} | self.whole
        if not model or not models:
            return True
        if model not in models and "" not in models:
            return False  # a filter of another model's table
        if columns is None or model in self.whole or "" in self.whole:
            return True
        return any(name in (model, "") and column in columns for name, column in self.columns)


def found_filter(scope: str, steps: tuple, columns: frozenset, whole: frozenset, values: frozenset) -> FoundFilter:
    return FoundFilter(scope, steps, columns, whole, values, f"{FOUND_FILTER_TAG}{scope}|{steps!r}")


class Result(NamedTuple):
    """SQLAlchemy ``Result``/``ScalarResult``: the statement ran, rows are not fetched yet."""

    stack: str
    model: str
    loaded: frozenset = frozenset()
    unique: bool = False
    joined: frozenset = frozenset()
    # the statement looks its row up by one key read from a row the program holds
    # (``select(WorkPool).where(WorkPool.id == pool.id)`` after ``if not pool: raise``): it finds it
    keyed: bool = False
    # what the statement's filter steps read (``calls.statement_filter``, see ``FOUND_FILTER_TAG``); None when unknown
    where: FoundFilter | None = None
    # what the statement's one key makes of the row it finds (``calls.lookup_key_tags``): keyed by the
    # function's parameter, the callers decide — as for a query chain's own ``.first()``
    key_tags: frozenset = frozenset()


class Rows(NamedTuple):
    stack: str
    model: str
    loaded: frozenset = frozenset()


class Row(NamedTuple):
    stack: str
    model: str
    loaded: frozenset = frozenset()
    nullable: bool = False
    # where a nullable row came from: "path:line:column:callee" of the call that returns None/null
    # when no row matches (``.first()``, ``findOne``); "" when unknown.  Dropped once checked.
    origin: str = ""
    # JS: the empty value a nullable lookup yields for no row — "null" (TypeORM findOne, Prisma, Sequelize,
    # Mongoose, MikroORM) or "undefined" (Drizzle findFirst/.get(), knex .first(), better-sqlite3 .get(),
    # Array.find); "" when unknown or both.  A strict `=== undefined` guard of a null lookup never matches.
    empty: str = ""


class ModelClass(NamedTuple):
    stack: str
    model: str
    # Sequelize `Article.scope('withAuthor')` / `unscoped()`: the includes of the chosen scopes (`scoped`: a
    # scope was chosen, so the model's `defaultScope` no longer applies); a plain model class loads its defaultScope's
    loaded: frozenset = frozenset()
    scoped: bool = False


class ModelAttr(NamedTuple):
    """``Article.tags`` / ``Article.title`` on a model class: a column or relationship attribute,
    what loader options and conditions are built from."""

    stack: str
    model: str
    name: str


class Loader(NamedTuple):
    """An eager-loading option (``selectinload(Article.tags)``): ``path`` is the relation chain
    from the queried model (``("author", "followers")`` for a chained loader)."""

    strategy: str
    path: tuple
    nested: tuple = ()  # loaders of relations below ``path``, with full paths: ``selectinload(A.b).options(selectinload(B.c))``


class Function(NamedTuple):
    """A project function; ``bound`` is the receiver of a bound method (``self``/``this``); ``partial`` the
    leading arguments ``fn.bind(this, viewer)`` / ``functools.partial(fn, viewer)`` fixed (passed before the
    caller's); ``keywords`` the ``(name, value)`` pairs ``functools.partial(fn, session=db)`` fixed, by name
    (a keyword the caller passes wins)."""

    path: str
    fid: int
    bound: object = None
    partial: tuple = ()
    keywords: tuple = ()


class ClassValue(NamedTuple):
    path: str
    cid: int


class Instance(NamedTuple):
    path: str
    cid: int


class Module(NamedTuple):
    path: str


class External(NamedTuple):
    """``sqlalchemy.orm.sessionmaker`` (Python, dotted) / ``pg:Pool`` (JS, ``specifier:attr``)."""

    name: str


class Request(NamedTuple):
    """``part``: ``""`` (the request object), ``body``, ``params``, ``query``, ``headers``, ``user``…"""

    framework: str
    part: str = ""


class Object(NamedTuple):
    """Some value that is certainly not ``None``/``null`` — a ``set()``, a list built by a
    comprehension, a string from ``str()`` — whose content is not tracked.  What lets
    ``if ids is not None:`` choose its branch when a caller passes a set."""

    kind: str


class App(NamedTuple):
    """A web framework's application or router object (``Flask(__name__)``, ``express.Router()``,
    ``new Hono()``): routes registered on it are what the routes table reads."""

    framework: str
    site: str = ""  # where it was made (path:line:col): routers mounted under a prefix are told apart


class Context(NamedTuple):
    """A Python framework's context namespace whose slots a start-up hook, a middleware or a helper
    writes and handlers read: Flask/Quart ``g`` (``(flask|quart, g)``), the aiohttp application
    mapping (``(aiohttp, app)``: ``app['db']``, ``request.app['db']``, ``request.config_dict[key]``)
    and its start-up hooks (``(aiohttp, hooks)``), Flask's ``app.extensions`` (``(flask, extensions)``),
    Starlette's application (``(starlette, app)``) and its ``app.state`` (``(starlette, app.state)``).
    The slots are the per-project ``Program.context_values[(project, framework, scope, key)]`` that the JS
    frameworks' slots (``req.db``, ``fastify.decorate``, ``c.set``) use too; a slot nobody wrote a DB
    handle to is unknown."""

    framework: str
    scope: str


ANNOTATED_APP = "<annotated>"  # App.site of a parameter typed as the application: which one is not known


class Record(NamedTuple):
    """An object / dict with known keys (``module.exports = { list, create }``, ``{ Article, User }``).
    An :data:`ITERATES` entry is what iterating the object yields (Flask-SQLAlchemy's ``Pagination``:
    ``for a in page`` runs over the page's rows, as ``page.items`` does)."""

    items: tuple  # ((key, value), ...)

    def get(self, key: str):
        for name, value in self.items:
            if name == key:
                return value
        return None


ITERATES = "<iter>"  # Record key: what iterating the object yields (not one of its attributes)


class Tuple(NamedTuple):
    items: tuple


class Items(NamedTuple):
    """A list / set / dict the program fills (``result = []`` then ``result.append((row, flag))``,
    ``by_id[key] = row``, ``rows.extend(more)``, a comprehension of rows): what any one element is, the
    join of everything put in (``semantics/sequences.py``).  ``keyed``: a dict — its values are the
    elements (``d[k]``, ``d.values()``), iterating it yields its keys."""

    item: object
    keyed: bool = False


class Union(NamedTuple):
    """``options``: the distinct alternatives in :func:`order_key` order — never in a set's order,
    which follows the per-process string hash (``PYTHONHASHSEED``): whichever alternative a rule
    reads first (the model named in a finding, the first query of a loop) is the same in every run."""

    options: tuple


class Tagged(NamedTuple):
    value: object
    tags: frozenset


Value = _Union[
    Unknown, Const, Db, Query, Result, Rows, Row, ModelClass, ModelAttr, Loader, Function, ClassValue, Instance, Module, External, Request,
    Object, App, Context, Record, Tuple, Items, Union, Tagged,
]

MAX_UNION = 4
# A join of project functions only (a dict or tuple of handlers: `{"task_number": annotate_task_number, …}`)
# keeps more alternatives: calling one of them calls each, and each is followed exactly
MAX_FUNCTION_UNION = 16
MAX_CHAINS = 8  # possible builder chains of one query value; past it the chain is not known
REQUEST_TAG = "request"
# On a value the client chose: a route handler's URL/query parameter (`def article(request, slug)`,
# FastAPI `slug: str`, Flask `<slug>`), a DRF/Django view's `self.kwargs`, the request body, query
# string or path parameters — not its headers, cookies or authenticated user (AL234)
INPUT_TAG = "input"
BODY_FIELDS_TAG = "body-fields:"  # body-fields:<a,b,…>: a request body a schema loaded, holding only these keys
# On the request a route handler gets: every route serving it runs a middleware that replaced the body
# (`req.body = value` after validating it); `body-replaced:<path>:<fid>` names the handler (Program.replaced_body)
BODY_REPLACED_TAG = "body-replaced:"
INPUT_PARTS = frozenset({"body", "params", "query"})
# On a read effect: the lookup raises when no row matches (Django `.get()`, SQLAlchemy `.one()` /
# `.scalar_one()`); CAUGHT_MISSING_TAG: an enclosing `try` (here or in a caller) catches that error
RAISES_MISSING_TAG = "raises-missing:"
CAUGHT_MISSING_TAG = "caught-missing"
# A column value read from a row the program holds (`comment.authorId`, `article.slug` after a
# create): a lookup keyed only by such values re-reads a row that exists (a foreign key, a re-fetch).
STORED_KEY_TAG = "stored-key"
# On the rows a raw lookup SELECT returned as a list (node-postgres `const { rows } = await pool.query("SELECT …
# WHERE username = $1", …)`): ``lookup-rows:<path:line:column:callee>`` of the query — ``rows[0]`` is that lookup's
# row, ``undefined`` when nothing matched (a subscript of other rows is left unjudged).
LOOKUP_ROWS_TAG = "lookup-rows:"
# On the value of an optional chain of a row that may be missing (JS ``article?.id`` of a lookup that may have
# found nothing): ``optional-read:<path:line:column>`` of the chain, which yields ``undefined`` on that path.
# Only the value itself carries it — copied by assignments, object entries, shorthand properties and spreads —
# not what is computed from it (``support.computed_tags``), a fallback (``?? -1``) or the object holding it:
# what reads it (Prisma's dropped ``undefined`` keys, ``Calls._undefined_keys``) finds the chain it came from.
OPTIONAL_READ_TAG = "optional-read:"
# A column read from a parameter the function's own analysis knows nothing of (`article.author_id` in
# `def present(article)`): a foreign key if the callers pass a row, the client's id if they pass the
# request's body — so a lookup keyed by it is judged where the callers' values are known, and the
# row it returns carries DEFERRED_TAG in the function's default analysis.
PARAMETER_KEY_TAG = "parameter-key"
DEFERRED_TAG = "deferred-null"
# A parameter itself as the key (``User.findByPk(userId)`` in ``profileOf(userId)``, the parameter's
# value unknown): ``param:<name>`` on the argument, ``deferred-param:<name>`` on the row the lookup
# returns.  The callers decide: a function every caller of which is known and passes a stored key
# re-reads a row that exists; an unknown caller, or one passing the client's id, leaves the read
# judged where it is (``semantics/callers.py``).
PLAIN_PARAMETER_TAG = "param:"
DEFERRED_PARAMETER_TAG = "deferred-param:"
# On the key of a lookup a check found (``message = get_message_by_id(message_id)`` then ``if not message:
# raise 404``): a row with that key existed at the check.  Not a stored key — a write in between may move
# the row (``update(slug, data)`` then ``findOne({ slug })``) — but a caller passing it to a helper keyed by
# its parameter hands it a key that was found; CHECKED_LOOKUP_TAG on the rows such a helper looks up.
CHECKED_KEY_TAG = "checked-key"
CHECKED_LOOKUP_TAG = "checked-lookup"
# On a nullable row a SQLAlchemy statement looked up: ``FoundFilter.tag`` of the statement's filter, an identity
# only — ``calls.found_records`` holds the :class:`FoundFilter` record itself.
# Past a check that it was found (``if not deployment_id: return None``), a later statement with the very
# same filter — the values it reads not assigned again, no column it compares written since — finds its row
# too (prefect's create_deployment: the id by (flow_id, name), then the row by (flow_id, name)).
FOUND_FILTER_TAG = "found-filter:"
# On a write effect: it runs in an `except` handler (a compensating or cleanup write), or in a
# dependency the framework injects before the handler (FastAPI `Depends`: the auth dependency's
# last-active update) — not one of the operation's own writes that belong in its transaction.
IN_HANDLER_TAG = "in-except"
# beside IN_HANDLER_TAG: `handler-loops:<n>`, the loops between the innermost handler and the statement — a
# handler inside a loop over rows runs for the rows whose step failed, a per-row decision (see inside_loop)
HANDLER_LOOPS_TAG = "handler-loops:"
INJECTED_TAG = "injected"
# On a read or lazy load: it runs only when something failed — in a catch-all handler (bare `except:`,
# `except Exception:`, a JS `catch`/`.catch`) or one that raises at its end (`except X: cleanup(); raise`).
# A per-row query there is recovery on a failing row (open-webui deactivates a function whose module
# failed to load), not the work of every row: no N+1.  A handler of a lookup error is ordinary control
# flow (`except KeyError: cache[k] = Tag.objects.get(…)`, a memo filled on a miss) and is not tagged.
FAILURE_TAG = "on-failure"
# on a SQLAlchemy row known from a parameter's annotation only (`def to_dict(article: Article)` analysed on its
# own): what the caller's query loaded is unknown, so a `lazy="raise"` relation read there is not known to raise
TYPED_ROW_TAG = "typed-row"
RAISE_LOAD_TAG = "raise-load"  # on a lazy effect of a relation that raises instead of loading (lazy="raise", raiseload())
PREFETCH_TAG = "prefetch:"  # prefetch:<path>: a Django Prefetch(…) object, with the relation path it loads
REQUERY_TAG = "requery:"  # requery:<method>: a related manager's query that runs even when the relation was prefetched (taggit's names())
KEYED_MIXIN_TAG = "keyed-mixin"  # on a lazy effect of an association mixin keyed by the row on another receiver (viewer.hasFollow(row.id))
# in Row.loaded beside "rel": rel is loaded because this request already read it (a lazy load), not by the query's
# options — a method the row is then passed to reads it for free, but only thanks to that earlier load (AL232)
READ_LOADED = "~"
RAISE_LOADER = "!raise:"  # in Row.loaded: raiseload(Model.rel) ("!raise:rel") / raiseload("*") ("!raise:*"); "!raise-sql:" for sql_only
RAISE_SQL_LOADER = "!raise-sql:"
# On an AsyncSession (or its factory) whose commit expires every object it holds (``expire_on_commit`` left at
# its default True): a read of an expired object's attribute needs implicit I/O (MissingGreenlet, AL236)
COLLECTION_WRITE_TAG = "collection-write"  # on a dirty effect of a relationship collection changed in place (`user.followed.append(u)`)
EXPIRES_TAG = "expires-on-commit"
EXPIRED_TAG = "expired:"  # expired:<path:line:column of the commit>: on a row such a commit expired, until refreshed
THREAD_TAG = "thread"  # on a callee's effect that runs in a worker thread (a `@sync_to_async` function)
SESSION_BLOCK_TAG = "sess:"  # sess:<path:line:col> of the `with` block whose session loaded the value (interpreter.py)
HANDLE_ID_TAG = "hid:"  # hid:<path:line:col> of a scheduler's parameter holding a session/connection by annotation (AL237)
IDENTITY_TAGS = ("sid:", HANDLE_ID_TAG)  # the tags that name one session/connection (Effect.handle)
# On a write or commit of a call whose value the caller discards (``await OAuthSessions.delete_session_by_id(
# session.id)`` as a statement) made inside a ``try`` of the callee that lets no error out: best effort —
# the operation neither learns whether it happened nor stops when it fails, so it is no part of the
# operation's unit of work (AL305).
BEST_EFFORT_TAG = "best-effort"
DETACHED_TAG = "detached"  # an effect of a coroutine started as a task nothing waits for (semantics/tasks.py)
# On an effect of django-ninja building the response schema of an ``async def`` route: ninja validates
# the returned rows in the event loop, so a query there raises SynchronousOnlyOperation (AL233)
ASYNC_RESPONSE_TAG = "async-response"
# On a DRF view instance the list-view analysis binds as ``self`` (and on the ``self.action`` read from
# it): the view serves its ``list`` action, so ``if self.action == "list"`` takes its one side.
DRF_ACTION_TAG = "drf-action:"
TX_TAG = "tx:"  # tx:<site>: a transaction handle (or a value built from one) of a transaction opened at <site>
# txblock:<site>: a write inside the `with`/`async with` block at <site> that opened the transaction it runs in (the
# outermost one: `with session.begin():`, `transaction.atomic()`, a project unit of work) — it commits when that block
# ends, so two writes in two such blocks of one request are two transactions (AL305)
TX_BLOCK_TAG = "txblock:"
# On a list literal the program added elements to that the interpreter does not collect (``names = []``
# then ``names.append(field.source)`` in a loop — only rows are followed, see sequences.py): what it
# holds is not the literal's items.  ``select_related(*names)`` of it may load any relation.
GROWN_TAG = "grown"


def tx_tags(value) -> frozenset:
    return frozenset(t for t in tags_of(value) if t.startswith(TX_TAG))


def extend_chains(chains: frozenset, step: Step) -> frozenset:
    """Every known chain with ``step`` appended (unknown stays unknown)."""
    return frozenset(chain + (step,) for chain in chains)


def merge_chains(left: frozenset, right: frozenset) -> frozenset:
    """The chains of a query after a merge point: both sides' ways, unknown if either is."""
    if not left or not right:
        return frozenset()
    merged = left | right
    return merged if len(merged) <= MAX_CHAINS else frozenset()


def strip(value):
    """The value without its tags."""
    return value.value if type(value) is Tagged else value


_NO_TAGS = frozenset()  # the one empty tag set tags_of answers (frozenset() built a new object per call)
# the kinds of value that never carry tags (see tag): a set, one hash per call instead of ten comparisons
_UNTAGGED = frozenset({Function, ClassValue, Module, External, ModelClass, ModelAttr, Loader, Const, App, Context})


def tags_of(value) -> frozenset:
    return value.tags if type(value) is Tagged else _NO_TAGS


def tag(value, tags: frozenset):
    """``value`` with ``tags`` added (constants and functions never carry tags: they do not
    depend on a row or on the request)."""
    if not tags:
        return value
    if type(value) is Tagged:
        merged = value.tags | tags
        return value if merged == value.tags else Tagged(value.value, shared_tags(merged))
    if type(value) in _UNTAGGED:
        return value
    return Tagged(value, shared_tags(frozenset(tags)))


_TAG_SETS: dict[frozenset, frozenset] = {}


def shared_tags(tags: frozenset) -> frozenset:
    """One object per distinct tag set: the values of a loop's rows carry the same ``elem:`` set
    in every summary that mentions them (saleor-sized tree: 6,500 copies of one set), and every
    effect copied into a caller's summary carries a new set equal to one seen before (most often
    the empty set: 216 bytes each, ~20,000 of them on the saleor-sized tree)."""
    if len(_TAG_SETS) > 50_000:
        _TAG_SETS.clear()
    return _TAG_SETS.setdefault(tags, tags)


def options(value) -> tuple:
    """The alternatives of a value (one, unless it is a :class:`Union`)."""
    bare = strip(value)
    if type(bare) is Union:
        extra = tags_of(value)
        return tuple(tag(option, extra) for option in bare.options)
    return (value,)


def _wide_function_table(a, b, merged: set) -> bool:
    """A join past ``MAX_UNION`` stays known only when it joins a table of project functions that was
    already that wide (see :func:`function_table`) with its own kind — not for any join of functions: a
    TypeScript library's overloads and curried helpers (effect's ``dual``) would each be followed."""
    return len(merged) <= MAX_FUNCTION_UNION and all(type(option) is Function for option in merged) \
        and any(type(side) is Union and len(side.options) > MAX_UNION for side in (a, b))


def function_table(items):
    """The join of a literal table's values (``{"task_number": annotate_task_number, …}.values()``,
    ``COUNTERS[name]``): project functions only are kept up to ``MAX_FUNCTION_UNION`` — calling one of
    them calls each, and each is followed exactly; anything else joins as usual."""
    found = None
    extra: frozenset = frozenset()
    wide: set = set()
    for item in items:
        found = join(found, item)
        extra |= tags_of(item)
        bare = strip(item)
        wide.update(bare.options if type(bare) is Union else (bare,))
    if len(wide) > MAX_UNION and len(wide) <= MAX_FUNCTION_UNION and all(type(option) is Function for option in wide):
        return tag(Union(tuple(sorted(wide, key=order_key))), extra)
    return found


def join(left, right):
    """The value after a merge point (``if``/``else``, two returns, a loop that may not run)."""
    if left == right:
        return left
    if left is None:
        return right
    if right is None:
        return left
    extra = tags_of(left) | tags_of(right)
    a, b = strip(left), strip(right)
    if type(a) is Unknown or type(b) is Unknown:
        return tag(UNKNOWN, extra)
    # A row or None is a nullable row.
    for row, other, other_tags in ((a, b, tags_of(right)), (b, a, tags_of(left))):
        if type(row) is Row and type(other) is Const and other.value is None:
            # `row if row else None`: the None stands for the lookup the checked row came from
            origin = row.origin or next((t[len(MISSED_TAG):] for t in sorted(other_tags) if t.startswith(MISSED_TAG)), "")
            return tag(row._replace(nullable=True, empty="", origin=origin), extra)  # which empty value the None is: unknown
        if type(row) is Row and type(other) is Row and row.model == other.model:
            empties = {r.empty for r in (row, other) if r.nullable}
            # "*": everything at hand (an empty stand-in row has nothing to load), so the other side's loads decide
            loaded = row.loaded if "*" in other.loaded else other.loaded if "*" in row.loaded else row.loaded & other.loaded
            return tag(row._replace(nullable=row.nullable or other.nullable, loaded=loaded,
                                    empty=empties.pop() if len(empties) == 1 else ""), extra)
    if type(a) is Const and type(b) is Const:
        return tag(Const(ANY_CONSTANT), extra)
    if type(a) is Items or type(b) is Items:  # a list filled on one path, left empty (or filled otherwise) on the other
        items, other = (a, b) if type(a) is Items else (b, a)
        if type(other) is Items and other.keyed == items.keyed:
            return tag(Items(join(items.item, other.item), items.keyed), extra)
        if not items.keyed and type(other) is Tuple:
            item = items.item
            for element in other.items:
                item = join(item, element)
            return tag(Items(item), extra)
        if items.keyed and type(other) is Record and not other.items:
            return tag(items, extra)
    # A query on one path, an empty one on the other (``else: qs = Order.objects.none()``): the rows
    # iterated are the query's, the empty one has none
    if type(a) is Query and type(b) is Query and a.model == b.model and a.empty != b.empty:
        return tag(b if a.empty else a, extra)
    # The same query built two ways (``if tag: q = q.join(…)``): one query, both chains.
    if type(a) is Query and type(b) is Query and a.chains != b.chains and a._replace(chains=b.chains) == b:
        return tag(a._replace(chains=merge_chains(a.chains, b.chains)), extra)
    # The same query with and without eager loads it names at run time (``if names: qs =
    # qs.select_related(*names)``, names computed from the serializer's fields): the loads are unknown
    # but may be complete — one query that may have loaded anything, not a path that loaded nothing.
    if type(a) is Query and type(b) is Query and ("*" in a.loaded) != ("*" in b.loaded) \
            and a._replace(loaded=b.loaded, joined=b.joined, chains=b.chains) == b:
        return tag(a._replace(loaded=a.loaded | b.loaded, joined=a.joined & b.joined,
                              chains=merge_chains(a.chains, b.chains)), extra)
    merged: set = set()
    for option in (a, b):
        merged.update(option.options if type(option) is Union else (option,))
    if len(merged) > MAX_UNION and not _wide_function_table(a, b, merged):
        return tag(UNKNOWN, extra)
    if len(merged) == 1:  # the same value with other tags (a session from Depends and one from an annotation)
        return tag(merged.pop(), extra)
    return tag(Union(tuple(sorted(merged, key=order_key))), extra)


def order_key(value) -> tuple:
    """A sort key for abstract values (and what they hold: strings, numbers, sets, IR nodes) that is
    the same in every process: a set is keyed by its members' keys sorted, never by its iteration
    order or ``repr`` (both follow the per-process string hash); an IR node by its kind and span (one
    node per span and kind in a file; the value holding it names the file)."""
    kind = type(value)
    if kind is str:
        return ("s", value)
    if kind is bool or kind is int or kind is float:
        return ("n", kind.__name__, value)
    if value is None:
        return ("0",)
    if kind is frozenset or kind is set:
        return ("f", tuple(sorted(order_key(member) for member in value)))
    if kind is dict:
        return ("d", tuple(sorted((order_key(k), order_key(item)) for k, item in value.items())))
    if isinstance(value, tuple):
        fields = getattr(kind, "_fields", None)
        if fields and "span" in fields and kind.__module__ == "archlint.domain.ir":
            return ("i", kind.__name__, tuple(value.span))
        return ("t", kind.__name__, tuple(order_key(item) for item in value))
    return ("o", kind.__name__, str(value))


def is_unknown(value) -> bool:
    return type(strip(value)) is Unknown


def is_constant(value) -> bool:
    """Known at analysis time to be a constant (every alternative is)."""
    return all(type(strip(option)) is Const and REQUEST_TAG not in tags_of(option) for option in options(value))


def is_nullable(value) -> bool:
    """A DB result that may be ``None`` here: an unchecked ``.first()``/``findOne`` result, or the
    ``None`` a function returns where such a lookup found nothing (:func:`missed_lookup`)."""
    if type(value) is Tagged and missed_origin(value):
        return True
    bare = value.value if type(value) is Tagged else value
    if type(bare) is Union:  # options(value) without the re-tagged copies: a tag never changes a stripped option
        return any(type(option) is Row and option.nullable or type(option) is Tagged and type(option.value) is Row
                   and option.value.nullable for option in bare.options)
    return type(bare) is Row and bare.nullable


# On a ``None`` that stands for a lookup that found no row (``if article is None: return None``):
# missed:<the lookup's origin>.  A constant carries no tag through :func:`tag`; this one is built as is.
MISSED_TAG = "missed:"
STRICT_MISSED_TAG = "missed-strict"  # with it: a None of a non-Django lookup (see missed_lookup)
LOCAL_LOOKUP = ("local-lookup",)  # Frame.strict_missed: the name holds the function's own lookup result


def missed_lookup(value):
    """``None`` where ``value`` (a possibly-None lookup result) was found to be None, remembering the
    lookup; plain ``None`` for anything else."""
    rows = [strip(o) for o in options(value) if type(strip(o)) is Row and strip(o).nullable and strip(o).origin]
    origin = next((row.origin for row in rows if row.stack == "django"), "")
    if origin or not rows:
        origin = origin or missed_origin(value)
        strict = STRICT_MISSED_TAG in tags_of(value) and not rows
        return Tagged(Const(None), frozenset({MISSED_TAG + origin} | ({STRICT_MISSED_TAG} if strict else set()))) \
            if origin else Const(None)
    # Other stacks (SQLAlchemy): strict.  On open-webui the helpers answering None for a missing row are mostly
    # re-read after the caller checked the row exists, checked by a helper the caller passes the result to
    # (`check_access(row, user)` raising 404), or read on a path a correlated flag guards; so the caller's read
    # is judged only straight after the call, in the same block, before the value goes to any function
    # (Frame.strict_missed)
    return Tagged(Const(None), frozenset({MISSED_TAG + rows[0].origin, STRICT_MISSED_TAG}))


def without_missed(value):
    """``value`` with no ``missed:`` tag: its ``None`` no longer stands for a lookup's missing row."""
    if type(value) is not Tagged or not any(t.startswith(MISSED_TAG) or t == STRICT_MISSED_TAG for t in value.tags):
        return value
    rest = frozenset(t for t in value.tags if not t.startswith(MISSED_TAG) and t != STRICT_MISSED_TAG)
    return Tagged(value.value, shared_tags(rest)) if rest else value.value


# On a lookup result of another stack a branch found None (``if not message: return None`` after
# ``session.get(Message, id)``): missed-row:<the lookup's origin>.  Not nullable (see missed_lookup's
# comment): a caller that checks the helper's answer only learns that the key it passed finds a row.
MISSED_ROW_TAG = "missed-row:"


def missed_row(value) -> str:
    """The lookup a ``missed-row`` tag on ``value`` names (``value`` the nullable row on the branch
    that found it None, or the ``None`` a helper returned there), else ``""``."""
    return next((t[len(MISSED_ROW_TAG):] for t in sorted(tags_of(value)) if t.startswith(MISSED_ROW_TAG)), "")


def row_missed(value):
    """``value`` (a nullable row of a stack :func:`missed_lookup` leaves untagged) on the branch that
    found it None, tagged ``missed-row``; anything else as it is."""
    origin = next((strip(o).origin or strip(o).model for o in options(value)
                   if type(strip(o)) is Row and strip(o).nullable and strip(o).stack != "django"), "")
    return tag(value, frozenset({MISSED_ROW_TAG + origin})) if origin else value


def missed_origin(value) -> str:
    """The lookup whose missing row a ``None`` among ``value``'s alternatives stands for (see
    :func:`missed_lookup`; joined with other values the tag sits on the union), else ``""``."""
    if type(value) is not Tagged:
        return ""
    bare = value.value
    if type(bare) is Union:  # options(value), stripped (see is_nullable)
        if not any(strip(o) == _NONE for o in bare.options):
            return ""
    elif bare != _NONE:
        return ""
    return next((t[len(MISSED_TAG):] for t in sorted(value.tags) if t.startswith(MISSED_TAG)), "")


_NONE = Const(None)

_NON_NULL = (Db, Query, Result, Rows, ModelClass, ModelAttr, Loader, Function, ClassValue, Instance, Module, External,
             Object, App, Context, Record, Tuple, Items)


def truth(value):
    """``True``/``False`` when every alternative is known truthy / falsy, else ``None``."""
    answers = set()
    for option in options(value):
        bare = strip(option)
        kind = type(bare)
        if kind is Const and bare.value is not ANY_CONSTANT:
            answers.add(bool(bare.value))
        elif kind is Row:
            if bare.nullable:
                return None
            answers.add(True)
        elif kind in _NON_NULL and kind is not Tuple and kind is not Record and kind is not Object and kind is not Items:
            answers.add(True)
        else:
            return None
    return answers.pop() if len(answers) == 1 else None


def nullness(value):
    """``True`` when the value is certainly ``None``, ``False`` when certainly not, else ``None``."""
    answers = set()
    for option in options(value):
        bare = strip(option)
        kind = type(bare)
        if kind is Const and bare.value is not ANY_CONSTANT:
            answers.add(bare.value is None)
        elif kind is Const:
            return None
        elif kind is Row:
            if bare.nullable:
                return None
            answers.add(False)
        elif kind in _NON_NULL:
            answers.add(False)
        else:
            return None
    return answers.pop() if len(answers) == 1 else None


def elem_loops(value) -> frozenset:
    """The loops (ids) whose element this value depends on."""
    return frozenset(t for t in tags_of(value) if t.startswith("elem:"))


def inside_loop(tags, prefix: str, loops: tuple, loop_id: str) -> bool:
    """Some ``<prefix><n>`` tag (``n`` loops between a ``try`` or handler and the statement: SWALLOW_TAG,
    HANDLER_LOOPS_TAG) places that ``try``/handler inside ``loop_id``, one of the statement's ``loops``."""
    if loop_id not in loops:
        return False
    index = len(loops) - 1 - loops[::-1].index(loop_id)
    return any(tag.startswith(prefix) and tag[len(prefix):].isdigit() and index < len(loops) - int(tag[len(prefix):])
               for tag in tags)
