"""Small shared pieces of the interpreter: the library names they read (``Known``), and operations on
values and environments that both statement/expression evaluation and call dispatch use.  The name sets
left here are the languages' own (JS array methods, Python and JS builtins), not a library's."""

from __future__ import annotations

from archlint.domain import ir
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "support"`` of
    ``rules/knowledge/orms.toml`` (explained there), built once per run."""

    eager_strategies: frozenset  # SQLAlchemy loader strategies that load the relation with the parent
    no_query_strategies: frozenset  # ... whose attribute read runs no lazy load (raise, noload, dynamic …)
    async_api_libraries: tuple  # a name holding one of these words …
    async_api_modules: tuple  # … in one of these modules, or …
    async_api_prefixes: tuple  # … whose short name starts with one of these is an async API
    async_api_class_prefixes: tuple  # short-name prefixes of an async API wherever it comes from
    async_api_names: frozenset  # short names of an async API wherever it comes from
    queryset_builders: frozenset  # Django queryset methods that build another queryset of the same rows
    row_keeping_builders: frozenset  # ... that drop no row (a queryset known to have a row keeps it)


_PREFIXES = frozenset({"async_api_libraries", "async_api_modules", "async_api_prefixes", "async_api_class_prefixes"})


def _known(table: dict) -> Known:
    return Known(**{key: (tuple if key in _PREFIXES else frozenset)(table[key]) for key in Known._fields})


def known(program) -> Known:
    return program.library.view("support", _known)


ARRAY_LOOPS = frozenset({"map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex"})
CONTAINERS = frozenset({
    "builtins.set", "builtins.list", "builtins.dict", "builtins.tuple", "builtins.frozenset", "builtins.str",
    "builtins.sorted", "builtins.int", "builtins.float", "builtins.bool", "global:Set", "global:Map", "global:Array.from",
    "global:String", "global:Number", "global:Object.keys", "global:Object.values", "global:Object.entries",
})
ASYNC = frozenset({"async"})
SYNC_DRIVER = "sync-driver"  # a handle of a synchronous driver (Drizzle on better-sqlite3): nothing it returns is a Promise
# Flask-SQLAlchemy's ``db.session``: one scoped session per request, removed (rolled back) when the
# request ends.  Its identity lets AL206 match a route's writes with the commits of the request.
FLASK_SESSION = "sid:flask-sqlalchemy"
# on the query `Model.query` of a Flask-SQLAlchemy model: an instance of the model's query class, whose own
# methods (program.query_class) are the project's, called instead of the library's of the same name
MODEL_QUERY = "model-query"
# a DB-API connection a Flask/Quart app keeps per request in `g` (`g.db = sqlite3.connect(…)`, the Flask
# tutorial's get_db()), closed at teardown: its writes are lost unless the request commits them (AL206)
G_CONNECTION = "gconn:"


def is_async_api(program, name: str) -> bool:
    """``AsyncSession`` / ``async_sessionmaker`` / ``create_async_engine``: lazy loads cannot happen
    (the ``async_api_*`` names of ``rules/knowledge/orms.toml``)."""
    names = known(program)
    short = name.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    if any(word in name for word in names.async_api_libraries) and (
            any(module in name for module in names.async_api_modules) or short.startswith(names.async_api_prefixes)):
        return True
    return short.startswith(names.async_api_class_prefixes) or short in names.async_api_names


def request_free(*values) -> bool:  
    return not any(v.REQUEST_TAG in v.tags_of(value) for value in values)


def all_tags(values) -> frozenset:
    tags: frozenset = frozenset()
    for value in values:
        if type(value) is v.Tagged:
            tags = tags | value.tags
    return tags


def computed_tags(values) -> frozenset:
    """The tags of a value computed by code the interpreter does not follow (an unknown or library
    function, a method of an unknown object) from ``values``: where they came from (the request, a
    loop's row, a session block) — but not that one of them was a stored row's key.  ``Connection(server,
    config.bind_dn).entries[0]["mail"]`` is not a key, and a lookup by it may well find nothing (the
    caller's ``if not user:`` branch is live)."""
    return without_optional(all_tags(values) - {v.STORED_KEY_TAG})


def without_identity(tags: frozenset) -> frozenset:
    """``tags`` less the session/connection identities (``values.IDENTITY_TAGS``).  For the tags a call's
    ARGUMENTS give its effect and its answer: what a statement runs through, and what loads the rows it
    answers, is the receiver — ``session.execute(delete(M).where(M.id.in_(ids)))`` with ``ids`` read
    through the request's session still writes through ``session`` (open-webui's ``remove_users_from_group``:
    a write taken for the request session's, never committed, AL206)."""
    if not any(t.startswith(v.IDENTITY_TAGS) for t in tags):
        return tags
    return frozenset(t for t in tags if not t.startswith(v.IDENTITY_TAGS))


def without_optional(tags: frozenset) -> frozenset:
    """``tags`` less the optional-chain marks (``values.OPTIONAL_READ_TAG``): what holds or is computed from
    such a value is not itself ``undefined`` when the row is missing."""
    if not any(t.startswith(v.OPTIONAL_READ_TAG) for t in tags):
        return tags
    return frozenset(t for t in tags if not t.startswith(v.OPTIONAL_READ_TAG))


def field_key(obj, name: str) -> str:
    """Environment key of ``self.x`` / ``this.x`` inside a method (flow-sensitive field values)."""
    if type(obj) is ir.Name and obj.id in ("self", "this", "cls"):
        return f"{obj.id}.{name}"
    return ""


def non_null(value):
    """The value on a path where it was checked not to be None/null."""
    options = v.options(value)
    if len(options) > 1:
        kept = [o for o in options if v.strip(o) != v.Const(None)]
        result = None
        for option in kept:
            result = v.join(result, non_null(option))
        return result if result is not None else v.UNKNOWN
    bare = v.strip(value)
    if type(bare) is v.Row and bare.nullable:
        return v.tag(bare._replace(nullable=False, origin="", empty=""), v.tags_of(value))
    if type(value) is v.Tagged and type(bare) is not v.Const and v.missed_origin(value):
        return v.without_missed(value)  # a missing row's member (`return row?.bio`), checked: the member
    return value


def prisma_fluent(program, value, name: str):
    """Prisma's fluent API: ``prisma.article.findUnique({ where }).comments()`` reads a relation of
    the row the *unawaited* query will find (null when there is none) — one query, not a read of a
    Promise.  The relation when ``name`` is one of the row's model, else ``None``."""
    bare = v.strip(value)
    if type(bare) is not v.Row or bare.stack != "prisma" or not bare.model:
        return None
    return program.schema.relation(bare.model, name)


def null_origins(values) -> frozenset:
    """The lookups (``Row.origin``) whose possibly-None rows are among ``values``."""
    found = set()
    for value in values:
        for option in v.options(value):
            bare = v.strip(option)
            if type(bare) is v.Row and bare.nullable and bare.origin:
                found.add(bare.origin)
        if v.missed_origin(value):
            found.add(v.missed_origin(value))
    return frozenset(found)


def row_of(value):
    bare = v.strip(value)
    if type(bare) in (v.Rows, v.Result):
        return (bare.stack, bare.model, bare.loaded)
    return None


def model_of(value) -> str:
    bare = v.strip(value)
    return getattr(bare, "model", "") if type(bare) in (v.Query, v.Result, v.Rows, v.Row, v.Db) else ""


def entered(value):
    """What ``with X as y`` binds: the handle itself for sessions/connections (their
    ``__enter__`` returns self); a transaction context yields its connection."""
    bare = v.strip(value)
    if type(bare) is v.Db and bare.kind == "transaction":
        return v.tag(v.Db(bare.stack, "connection" if bare.stack != "sqlalchemy" else "session", bare.model), v.tags_of(value))
    return value


FACT = "fact:"  # env keys of path facts that hold only where every joined path established them
EXISTS_MODEL = "exists-model:"  # a FACT: the Django table (its model key) a tested query found a row in


def join_envs(left: dict, right: dict) -> dict:
    """The environment after a merge point: each name's values joined; a name bound on one side
    only keeps that side's value.  A :data:`FACT` key (``fact:nonempty:Organization.objects``) is a
    "must" fact: it survives only when both sides hold it."""
    if left is right:
        return left
    merged = dict(left)
    for key, value in right.items():
        if key in merged:
            if merged[key] != value:
                merged[key] = v.join(merged[key], value)
        else:
            merged[key] = value
    for key in [k for k in merged if k.startswith(FACT) and (k not in left or k not in right)]:
        del merged[key]
    return merged


def dotted(node) -> str | None:
    """``Organization.objects`` / ``self.user.orgs``: a chain of names, as text; ``None`` otherwise
    (a call in the chain would run again, and may answer differently)."""
    parts = []
    while type(node) is ir.Attr:
        parts.append(node.name)
        node = node.obj
    if type(node) is not ir.Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def query_chain(program, node) -> str | None:
    """A Django queryset built from a chain of names (``self.order.invoices.filter(paid=True)``) as a
    key, else ``None``: building it again builds the same query, so ``if qs.count():`` (or
    ``.exists()``) of one spelling is known of a later ``.last()`` of the same spelling.  A plain chain
    of names is its dotted text; a chain with builder calls is ``repr`` of its :func:`ir.shape` (the
    structural key: rendered text drops a comprehension's element and a slice's bounds, so
    ``filter(id__in=[x.id for x in xs])`` and ``filter(id__in=[x.pk for x in xs])`` would be one query)."""
    chain = dotted(node)
    if chain is not None or type(node) is not ir.Call or type(node.func) is not ir.Attr \
            or node.func.name not in known(program).queryset_builders:
        return chain
    if query_chain(program, node.func.obj) is None:
        return None
    return repr(ir.shape(node))


def callee_text(node) -> str:
    from archlint.domain.ir_format import render

    return render(node.func, 80) if type(node) is ir.Call else render(node, 80)
