"""The program model: modules' IR, names resolved to definitions, classes across modules, instance
fields, the ORM schema, and the cache of function summaries — the one object checks query.

Resolution follows Python and JS semantics closely enough for data-layer questions and never
guesses: a name is a local (the interpreter's environment), a variable of an enclosing function
(its last environment), a module global, an import resolved by the module graph to a file or to an
external package, or a builtin; anything else is ``UNKNOWN``.
"""

from __future__ import annotations

import bisect
from collections import deque
from itertools import islice
from types import MappingProxyType

from archlint.domain import ir
from archlint.domain.graph import ModuleGraph
from archlint.domain.projects import Projects
from archlint.domain.records import NamedTuple
from archlint.semantics import values as v
from archlint.semantics.discriminants import assigned_paths as _assigned_paths
from archlint.semantics.library import Library
from archlint.semantics.records import UNKNOWN_SUMMARY, Analysis
from archlint.semantics.schema import BUILTIN_USER_KEY, Schema, discover
from archlint.semantics.schema import known as schema_names

MAX_CALL_DEPTH = 5  # handler -> service -> repository -> helper -> driver call
_FIELD_ROUNDS = 5  # see Program._settle_fields


def _root_order(items):
    """The order the analyses of record run in (module paths, then each module's functions).  Findings
    should not depend on it; tests replace it to prove that (``tests/test_analysis_order.py``)."""
    return items
_PY_BUILTINS = frozenset(
    "len list dict set tuple frozenset str int float bool bytes sorted reversed enumerate zip map filter iter next "
    "sum min max any all abs round isinstance getattr setattr hasattr print repr range type super object id "
    "Exception ValueError KeyError TypeError RuntimeError NotImplementedError PermissionError".split()
)
_JS_GLOBALS = frozenset(
    "Promise Object Array JSON Math Number String Boolean Date Error TypeError RangeError parseInt parseFloat "
    "console process Buffer Map Set Symbol BigInt encodeURIComponent decodeURIComponent setTimeout setImmediate "
    "structuredClone isNaN globalThis require".split()
)


_MAX_CLOSURE_FRAMES = 8  # frames kept per nested function (each call context of its definer)
DECLARED_TAG = "declared"  # an instance known from a type annotation only (calls.DECLARED)


class Known(NamedTuple):
    """The library names this module reads: the ``[[names]]`` table with ``reader = "program"`` of
    ``rules/knowledge/frameworks.toml`` (each key is explained there), built once per run."""

    request_globals: dict  # import -> framework whose current request it is
    context_globals: dict  # import -> (framework, scope) of an application-context namespace
    context_framework: dict  # framework -> the framework whose context slots it shares
    starlette_middleware: frozenset
    aiohttp_middleware: frozenset
    context_calls: frozenset  # fastify decorate()
    django_settings: frozenset
    shared_context_wrappers: frozenset  # fastify-plugin: the wrapped plugin shares its parent's context
    fastify_modules: frozenset  # importing one makes a module Fastify code
    pass_through_wrappers: frozenset  # createMiddleware(fn): fn itself


def _known(table: dict) -> Known:
    return Known(request_globals=dict(table["request_globals"]),
                 context_globals={name: tuple(slot) for name, slot in table["context_globals"].items()},
                 context_framework=dict(table["context_framework"]),
                 **{key: frozenset(table[key]) for key in ("starlette_middleware", "aiohttp_middleware", "context_calls",
                                                           "django_settings", "shared_context_wrappers", "fastify_modules",
                                                           "pass_through_wrappers")})


def passes_through(program, name: str) -> bool:
    """``name`` (a canonical external name) returns the function it wraps: fastify-plugin's ``fp(plugin)``,
    Hono's ``createMiddleware(handler)`` (``module:.export`` is the same export as ``module:export``)."""
    return shares_context(program, name) or name.replace(":.", ":", 1) in known(program).pass_through_wrappers


def known(program) -> Known:
    return program.library.view("program", _known)


def shares_context(program, name: str) -> bool:
    """``name`` (a canonical external name) is a wrapper whose plugin shares its parent's context (fastify-plugin)."""
    return name.split(":", 1)[0] in known(program).shared_context_wrappers


class NodeIndex(NamedTuple):
    """One walk of a function's body (nested functions excluded), kept for the rules that would walk it
    again: its calls by the name they call, its assignments, and the few other nodes rules look for,
    each in source order (``Program.node_index``)."""

    methods: dict  # method name -> its calls `x.name(…)`
    functions: dict  # plain name -> its calls `name(…)`
    assigns: tuple  # the Assign statements
    # the calls and the marks (string constants, string-keyed entries and try statements) in the walk's
    # order: one reference each, where a position per call (a dict by id) and a (position, node) pair
    # per mark held the same order in ~6x the memory (Django: 11.5 MiB of indexes, most of it that)
    ordered: tuple

    def in_order(self, calls) -> list:
        """``calls`` (of this body) sorted in source order."""
        if len(calls) < 2:
            return list(calls)
        at = {id(node): position for position, node in enumerate(self.ordered)}
        return sorted(calls, key=lambda call: at[id(call)])


def _node_index(function: ir.Function) -> NodeIndex:
    methods: dict = {}
    functions: dict = {}
    assigns: list = []
    ordered: list = []
    for node in ir.iter_nodes(function.body):
        kind = type(node)
        if kind is ir.Call:
            ordered.append(node)
            func = node.func
            if type(func) is ir.Attr:
                methods.setdefault(func.name, []).append(node)
            elif type(func) is ir.Name:
                functions.setdefault(func.id, []).append(node)
        elif kind is ir.Assign:
            assigns.append(node)
        elif kind is ir.Try or kind is ir.Const and type(node.value) is str or kind is ir.Entry and type(node.key) is str:
            ordered.append(node)
    # tuples, not the lists that grew, and one shared empty table for the many bodies calling nothing
    return NodeIndex({name: tuple(calls) for name, calls in methods.items()} if methods else _NO_CALLS,
                     {name: tuple(calls) for name, calls in functions.items()} if functions else _NO_CALLS,
                     tuple(assigns) if assigns else (), tuple(ordered) if ordered else ())


_NO_CALLS = _EMPTY_TABLE = MappingProxyType({})  # one shared empty, read-only table
# the node kinds :meth:`Program.nodes_of` keeps, one walk of a body filling them all: what the
# rules that each walked every function again look for (AL201/AL809's returns and statements,
# AL602's `.length`, AL404's option literals, the callback loops)
_KEPT_KINDS = frozenset({ir.Return, ir.ExprStmt, ir.Attr, ir.Obj, ir.Loop})


class ModuleTable(dict):
    """The modules the model has read: the deep files up front, then any file an import or a call
    reaches (lowered on first use through ``loader``), so a service wired by constructor injection
    in a composition root is read although it imports no database module itself."""

    def __init__(self, initial: dict, loader=None, on_load=None) -> None:
        super().__init__(initial)
        self.loader = loader
        self.on_load = on_load
        self.missing: set[str] = set()
        self.later: list[str] = []  # loaded on demand, in load order

    def _load(self, path: str):
        if self.loader is None or path in self.missing:
            return None
        module = self.loader(path)
        if module is None:
            self.missing.add(path)
            return None
        dict.__setitem__(self, path, module)
        self.later.append(path)
        if self.on_load is not None:
            self.on_load(path, module)
        return module

    def __missing__(self, path: str):
        module = self._load(path)
        if module is None:
            raise KeyError(path)
        return module

    def get(self, path, default=None):
        found = dict.get(self, path)
        if found is None:
            found = self._load(path)
        return found if found is not None else default

    def __contains__(self, path) -> bool:
        return dict.__contains__(self, path) or self._load(path) is not None


class Program:
    def __init__(self, modules: dict[str, ir.ModuleIR], graph: ModuleGraph, library: Library, loader=None) -> None:
        self.graph = graph
        self.library = library
        # The framework context slots, one project-wide table for Python and JS: (framework, scope, key)
        # -> the DB handle that start-up code, a plugin, a hook, a middleware or a helper stores there for
        # handlers to read, joined over every write (see ``write_context``; one table so that what counts
        # as a handle, and what a write drops, is the same for every framework).  Express settings
        # ``app.set('sequelize', s)`` (scope ``settings``), Fastify ``fastify.decorate('db', knex(…))``
        # (``app``; ``decorateRequest``: ``request``), Express ``req.db = db`` in a middleware / Koa
        # ``app.context.db`` / ``ctx.db`` (``request``), Koa ``ctx.state.db`` and Starlette
        # ``request.state.db`` or a lifespan's state (``state``), Hono ``c.set('db', db)`` (``var``),
        # Express ``app.locals.db`` (``app.locals``), Flask/Quart ``g.db`` (``g``), Flask
        # ``app.extensions['sqlalchemy']`` (``extensions``), the aiohttp application mapping
        # ``app['db']`` (``app``), Starlette ``app.state.pool`` (``app.state``).  Each project of the tree
        # (a manifest root, ``domain/projects.py``) has its own slots: two apps in one tree that both
        # store ``app["session_factory"]`` are two applications, and which write a handler reads must not
        # depend on the order the analyses ran in.  The key is (project, framework, scope, key).
        self.context_values: dict[tuple[str, str, str, str], object] = {}
        self.projects = Projects()  # the tree's projects (set by the semantic model); one root project by default
        self.mongoose_schemas: dict[str, str] = {}  # mongoose model key -> the schema variable in its module
        self.define_aliases: dict[tuple[str, str], str] = {}  # (path, local name) -> Sequelize define model key
        self._schema: Schema | None = None
        self._class_stack: dict[tuple[str, int], str] = {}
        self._static_busy: set = set()
        self._module_envs: dict[str, dict] = {}
        self._module_busy: set[str] = set()
        self._lazy_envs: dict = {}  # path -> LazyModuleEnv, or None: not declarations only (see lazy_env)
        self.closures: dict[tuple[str, int], list[dict]] = {}  # (path, fid) -> the defining frames' environments
        self.latest_closures: dict[tuple[str, int], dict] = {}  # (path, fid) -> the environment that defined it last
        self.keyed_environments: dict[int, dict] = {}  # id -> environment named by id in a summary key (kept alive)
        self.fields: dict[tuple[str, int], dict[str, object]] = {}  # class -> field -> value (joined)
        self.setattr_names: dict[tuple[str, int], set[str] | None] = {}  # see note_setattr
        self.summaries: dict = {}
        # the call depth a summary's computation needed (see ``summary_of``): key -> how many levels of calls
        # from it down were followed; a summary cut by the depth budget is cached under ``(key, budget left)``
        self.summary_heights: dict = {}
        self.computing: list = []  # per summary being computed: [levels it needed, whether the budget cut it]
        # the functions a call reached (a summary asked for) and the classes an analysis built: of the
        # modules loaded on demand, only these are analysed of record (see ``analyses``)
        self.reached: set[tuple[str, int]] = set()
        self.instantiated: set[tuple[str, int]] = set()
        self.stack: list[tuple[str, int]] = []  # functions being analysed (recursion / depth)
        self.globals_written: dict[str, dict[str, object]] = {}  # `global db; db = …` in functions
        self.field_changes = 0
        # which fields an analysis read, and when (see ``analyses``: the rounds that settle class fields)
        self.field_reads: list[dict] = []  # per running analysis or summary: (class, field) -> field_changes at the first read
        self.field_changed_at: dict = {}  # (class, field) -> field_changes at its last change
        self.summary_reads: dict = {}  # summary key -> the reads of its computation
        self.root_reads: list = []  # (analysis of record, its reads), in the order they ran
        self.loop_callbacks: set[tuple[str, int]] = set()
        self._static_members: dict[tuple[str, str], object] = {}
        self._transactional_managers: dict[tuple[str, int], bool] = {}
        self._methods: dict[tuple[str, int], dict[str, int]] = {}
        self._mro: dict[tuple[str, int], list[tuple[str, int]]] = {}
        self._bases: dict[tuple[str, int], list] = {}
        # lookups through the class hierarchy, which is fixed once read (``bases`` is cached per class, and a
        # module loaded or missing stays so): hundreds of thousands of calls per run resolved once each
        self._method_lookups: dict[tuple[str, int, str], object] = {}
        self._query_classes: dict[tuple[str, int], object] = {}  # model class -> its project query class (query_class)
        self._field_lookups: dict[tuple[str, int, str], object] = {}
        self._chains: dict[tuple[str, int], list] = {}
        self._exports: dict[str, set | None] = {}  # path -> its literal ``__all__`` (see star_source), walked once
        self._constructed_loads: set | None = None  # classes instantiated with default loader options somewhere
        self._name_injections: dict | None = None  # Litestar-style DI: parameter name -> its providers
        self.permission_objects: dict[tuple[str, int], frozenset[str]] = {}  # see frameworks.permission_object
        self.serialization_plugin: bool | None = None  # see frameworks._serialization_plugin
        self.manager_loads: dict[str, frozenset] = {}  # Django model key -> what its manager's get_queryset loads
        # call-record indexes built once per run: (path, fid) of a callee -> its records (constant_arguments);
        # (path, line, column) of a call -> its records (checks/sql/injection)
        self.records_by_callee: dict | None = None
        self.calls_by_position: dict | None = None
        self._bindings: dict[str, dict[str, str]] = {}
        self.open_sessions: set[str] = set()  # sess:<with-block> tags of sessions whose `with` is running
        # sess:<with-block> tags of sessions whose `with` ended during the current analysis of record:
        # only those are known closed (a value read from a field, stored by a caller inside its own
        # `with`, is not — that caller runs the method while the session is open)
        self.exited_sessions: set[str] = set()
        self.route_calls: dict = {}  # (path, span) -> (path, call, app, argument values): every registration seen
        self.param_loaders: dict = {}  # (path, fid) -> framework: `router.param('article', loader)` loaders
        # (path, fid) -> the value a middleware stores as the request body (`req.body = value`, Koa
        # `ctx.request.body = value`): what the handlers of the routes it precedes read as the body
        self.body_writes: dict = {}
        self.body_values: list = []  # the values of `body-write` events (their detail is the index)
        self._body_probed: set = set()
        # a middleware a factory made at its registration (`validate(updateSchema)`), run with the factory's
        # parameters bound to that call's arguments (see ``replaced_body``): (path, fid) -> that environment
        # while it runs; what it stores as the body, per (path, fid, registration, argument)
        self.pinned_closures: dict = {}
        self._pinned_body: list = []
        self.pinned_body_writes: dict = {}
        self.app_prefixes: dict[str, str] = {}  # app/router site -> its own prefix (url_prefix=, APIRouter(prefix=))
        self.app_mounts: dict[str, tuple[str, str]] = {}  # child site -> (parent site, mount prefix)
        # Litestar `route_handlers=[…]`: (path, fid) of a handler / (path, -cid - 1) of a Controller -> the
        # site of the app or Router that registers it
        self.handler_mounts: dict[tuple[str, int], str] = {}
        # the same registration call seen again with other values (`for (const [p, r] of Object.entries(routes))
        # app.use(p, r)`, unrolled per router): read for its mounts
        self.repeated_route_calls: dict = {}
        # (path, span) -> the App a JS error handler is registered on (`fastify.setErrorHandler(fn)`, `app.onError(fn)`)
        self.handler_receivers: dict = {}
        self.shared_contexts: set = set()  # Fastify plugin sites wrapped by fastify-plugin: the parent's context
        # path -> [(line, imported file)] of its `from x import *` (set by the builder: imports are facts, not IR)
        self.star_imports = lambda _path: []
        # path -> the external modules of its `from m import *` whose exports the knowledge lists (set by the builder)
        self.external_stars = lambda _path: ()
        self._imports_busy: set = set()  # (path, name) of the import bindings being resolved (re-export cycles)
        self._star_busy: set = set()  # (path, name) of star-import lookups running (cyclic `import *`)
        self.context_receivers: dict = {}  # (path, span) -> stack of a builder call typed only in a caller's context
        self.handle_extensions: dict = {}  # (stack, kind, model) -> v.Record of the methods `.extend({...})` added
        self.extension_receivers: dict = {}  # (path, fid) of such a method -> the handle its `this` is
        self.deep_derefs: dict = {}  # (path, span) -> Deref of an unloaded relation read in a callee's frame
        # loop id -> LoopInfo of a serializer loop run in a frame with no analysis of its own (a nested
        # `CommentSerializer(obj.comments.all(), many=True)` inside a serializer method): the per-row
        # checks see its loop as they see a written one
        self.nested_loops: dict = {}
        # (path, span) -> (relation, declaration) of a nested serializer / schema field that the framework
        # reads for each row (`author = ProfileSerializer()`: ("author", "ArticleSerializer.author =
        # ProfileSerializer()")): the per-row findings name the relation whose objects the nested reads run on
        self.nested_fields: dict = {}
        # (path, span) -> Deref of a nullable lookup a callee ran with its caller's values and read unchecked (AL220)
        self.callee_null_derefs: dict = {}
        # (path, span) -> (fid, Deref) of the reads a function's default analysis left to its callers'
        # contexts: the lookup was keyed by a column of a parameter it knew nothing of (DEFERRED_TAG);
        # `called` holds the functions some caller's context ran — the others are judged on their own
        self.deferred_derefs: dict = {}
        self.called: set = set()
        # (path, span) -> (fid, Deref, parameter names) of the reads of a row a function's default analysis
        # looked up by its own parameter (DEFERRED_PARAMETER_TAG): judged by what the callers pass
        self.parameter_derefs: dict = {}
        self.schema_files: list = []  # (path, text) of .prisma / .sql files (set by the builder)
        self.container_cradle: dict[str, dict[str, object]] = {}  # awilix: project -> registered name -> value (containers.wire)
        self.registry_values: dict[tuple[str, int], dict[str, object]] = {}  # hand-written registries (containers.registry_call)
        self.registry_pending: list = []  # their module-level factories, run once the module has (containers.wire_registries)
        self.modules = ModuleTable(modules, loader, self._index)
        for path, module in modules.items():
            self._index(path, module)

    def _index(self, path: str, module: ir.ModuleIR) -> None:
        self._bindings[path] = dict(module.bindings)
        if module.language == "python":
            return  # Python lowers no callback loops (comprehensions have no function of their own)
        for function in module.functions:
            for node in self.nodes_of(function, ir.Loop):
                if node.fid >= 0:
                    self.loop_callbacks.add((path, node.fid))

    # definitions ----------------------------------------------------------------------------------
    def function(self, path: str, fid: int) -> ir.Function | None:
        module = self.modules.get(path)
        return module.functions[fid] if module is not None and 0 <= fid < len(module.functions) else None

    def cls(self, path: str, cid: int) -> ir.Class | None:
        module = self.modules.get(path)
        return module.classes[cid] if module is not None and 0 <= cid < len(module.classes) else None

    def module_ir(self, path: str) -> ir.ModuleIR | None:
        """The IR of a project file, without selecting it for the model (a module read for a cheap fact:
        a JS error handler in a ``server.js`` with no data-layer signal): the model's own copy when it has
        read it, else the parsed file's."""
        module = dict.get(self.modules, path)
        if module is None and self.modules.loader is not None and path not in self.modules.missing:
            module = self.modules.loader(path)
        return module

    def language(self, path: str) -> str:
        module = self.modules.get(path)
        return module.language if module is not None else ""

    # closures -----------------------------------------------------------------------------------------
    def define_closure(self, path: str, fid: int, env: dict) -> None:
        """A nested function defined (again) in a frame whose environment is ``env`` (kept live: a
        variable assigned after the definition is seen too).  A function defined in several frames —
        a route factory ``articlesRouter({ articleService })`` called by the composition root, and the
        same factory analysed on its own with unknown parameters — keeps each of them."""
        envs = self.closures.setdefault((path, fid), [])
        self.latest_closures[(path, fid)] = env
        if not any(known is env for known in envs) and len(envs) < _MAX_CLOSURE_FRAMES:
            envs.append(env)

    def live_closure(self, path: str, fid: int):
        """The environment of the frame that last defined the nested function ``fid`` while that definer is
        still running (``build_name(parts, fallback=lambda: self.order.event)`` calls the lambda before the
        property returns): the lambda sees that call's ``self``, not the join of every caller's.  ``None``
        when the definer is not running (a callback kept and called later reads the join)."""
        pinned = self.pinned_closures.get((path, fid))
        if pinned is not None:  # a route's middleware run with the arguments of the factory call that made it
            return pinned
        definition = self.function(path, fid)
        if definition is None or definition.parent <= 0 or (path, definition.parent) not in self.stack:
            return None
        return self.latest_closures.get((path, fid))

    def closure_value(self, path: str, fid: int, name: str):
        """What ``name`` holds in the frames that defined the function ``fid``: the join of the
        frames that know it (a frame that could not know it — a parameter nobody passed — adds
        nothing), ``UNKNOWN`` when every frame binds it unknown, ``None`` when no frame binds it."""
        envs = self.closures.get((path, fid))
        if not envs:
            return None
        live = self.live_closure(path, fid)
        if live is not None and name in live and not _knows_nothing(live[name]):
            return self._open_when_defined(path, fid, live[name])
        found = None
        typed = None
        bound = False
        for env in envs:
            if name not in env:
                continue
            bound = True
            value = env[name]
            if _knows_nothing(value):
                continue
            if v.TYPED_ROW_TAG in v.tags_of(value):
                # a row known from the definer's parameter annotation only (`def update(cls, field: Field)` analysed
                # on its own): the frame of a real call knows what its query loaded, so the annotation adds nothing
                # to that call's row — joined, it would unload what the caller's selectinload() loaded (argilla's
                # policy closures `is_allowed` reading `field.dataset`)
                typed = value if typed is None else v.join(typed, value)
                continue
            found = value if found is None else v.join(found, value)
        if found is None:
            found = typed
        if found is not None:
            return self._open_when_defined(path, fid, found)
        return v.UNKNOWN if bound else None

    def _open_when_defined(self, path: str, fid: int, value):
        """A handle the defining frame closed *after* this function's definition (the live frame shows
        `client.end()` of a `finally`) was open when the function was made — a callback handed to an
        awaited call (`applyMigrations(dir, (sql) => client.query(sql))`) runs before the close: the
        closed mark is dropped.  A handle closed before the definition keeps it."""
        tags = v.tags_of(value)
        if not any(t.startswith("closed-handle:") for t in tags):
            return value
        definition = self.function(path, fid)
        if definition is None:
            return value
        kept = set()
        for t in tags:
            if t.startswith("closed-handle:"):
                where, _, line = t[len("closed-handle:"):].rsplit(":", 2)[0].rpartition(":")
                if where == path and line.isdigit() and int(line) > definition.span.end_line:
                    continue
            kept.add(t)
        return v.Tagged(value.value, frozenset(kept)) if kept else value.value

    # framework context slots (see ``context_values``) ------------------------------------------------
    def write_context(self, framework: str, scope: str, key: str, value, checked: bool = True) -> None:
        """A framework context slot written with ``value``.  The slot is a DB handle (a client, a model
        class, or an object of them) only while every write stores one: anything else written to it
        (``req.user``, ``g.user``, a stub object in one app, a value the analysis cannot type) makes it
        unknown for good, so no rule reads a handle into a slot that may hold something else.  A
        ``None`` written too (``g.db = None`` at teardown) is dropped, and so are request data, loop-row
        and ``with``-session tags: the slot outlives the request or block that wrote it."""
        kept = None
        for option in v.options(value):
            bare = self._model_classes(v.strip(option))
            if type(bare) is v.Const and bare.value is None:
                continue
            tags = frozenset(t for t in v.tags_of(option) if t != v.REQUEST_TAG and not t.startswith(("elem:", "sess:")))
            if type(bare) is v.External and bare.name.endswith("()") and self.library.constructor(bare.name[:-2]) is not None:
                # `app["engine"] = engine` in a hook that saw the module's `engine = create_async_engine(…)` only
                # statically (the call, not its value): the handle that call makes
                from archlint.semantics.support import is_async_api

                name, bare = bare.name[:-2], self.library.constructor(bare.name[:-2])
                tags = tags | ({"async"} if is_async_api(self, name) else set())
            kept = v.join(kept, v.tag(bare, tags))
        if kept is None:
            return
        if _rows_of_one_model(kept) and checked:
            # req.user = await User.findByPk(id) in an auth middleware: handlers read a User row (its
            # absence is the middleware's to check: a 401 there, not a null row in every handler)
            kept = v.tag(v.strip(kept)._replace(nullable=False, origin=""), v.tags_of(kept))
        elif _rows_of_one_model(kept):  # a router.param loader: the row as it stored it (null when it did not check)
            kept = v.tag(v.strip(kept), frozenset(t for t in v.tags_of(kept) if t != v.INPUT_TAG))
        elif not _db_like(kept):
            kept = v.UNKNOWN  # something else: the slot is not known to hold a handle (joins to unknown)
        slot = (self._running_project(), known(self).context_framework.get(framework, framework), scope, key)
        old = self.context_values.get(slot)
        self.context_values[slot] = kept if old is None else v.join(old, kept)

    def _running_project(self) -> str:
        """The project of the function being analysed (the writer or reader of a context slot)."""
        return self.projects.of(self.stack[-1][0]) if self.stack else ""

    def _context_slot(self, framework: str, scope: str, key: str):
        """The slot a handler reads: its own project's, else that of the nearest project it is nested in."""
        framework = known(self).context_framework.get(framework, framework)
        for project in reversed(self.projects.visible(self._running_project())):
            found = self.context_values.get((project, framework, scope, key))
            if found is not None:
                return found
        return None

    def _model_classes(self, bare):
        """A model class as the project wrote it (``class User extends Model`` returned by its own
        ``static initModel(sequelize)``), alone or in an object of models (``{ User, Article }`` from
        ``initModels(sequelize)``), as the model it is."""
        if type(bare) is v.ClassValue:
            model = self.model_of_class(bare.path, bare.cid)
            return v.ModelClass(self.schema.models[model].stack, model) if model else bare
        if type(bare) is v.Record and any(type(v.strip(item)) is v.ClassValue for _key, item in bare.items):
            return v.Record(tuple((key, v.tag(self._model_classes(v.strip(item)), v.tags_of(item))) for key, item in bare.items))
        return bare

    def read_context(self, framework: str, scope: str, key: str):
        """What a handler reads from a framework context slot: the joined DB handle written there,
        else ``None`` (a slot nothing DB-like was written to stays unknown)."""
        found = self._context_slot(framework, scope, key)
        return found if found is not None and _db_like(found) else None

    def read_row_context(self, framework: str, scope: str, key: str):
        """The model row every write of a request slot stored (``req.user``, ``ctx.state.user``), else ``None``."""
        found = self._context_slot(framework, scope, key)
        return found if found is not None and _rows_of_one_model(found) else None

    # static resolution (no interpretation): what module-level names denote -------------------------
    def static_value(self, path: str, node) -> object:
        """The value of a name/attribute chain at module level, from definitions and imports only
        — what class bases, decorators and schema declarations need before anything runs."""
        kind = type(node)
        if kind is ir.Name:
            return self.module_member_static(path, node.id)
        if kind is ir.Attr:
            base = self.static_value(path, node.obj)
            return self.static_attribute(base, node.name)
        if kind is ir.Call:
            base = self.static_value(path, node.func)
            first = node.args[0].value if node.args else None
            if (type(base) is v.External and base.name == "global:require" and type(first) is ir.Const
                    and isinstance(first.value, str)):  # const mongoose = require('mongoose'), as the interpreter's require
                found = self.graph.resolve_binding(path, f"{first.value}:")
                return v.Module(found.file) if found.file is not None else v.External(f"{first.value}:")
            if type(base) is v.External and node.args and passes_through(self, base.name):
                plugin = self.static_value(path, node.args[0].value)  # export default fp(plugin): the plugin
                if type(plugin) is v.Function:
                    return plugin
            if type(base) is v.External:
                return v.External(base.name + "()")
            if type(base) is v.ClassValue:
                handle = self._library_handle_base(base) if self.modules[path].language == "python" else None
                return v.External(handle.name + "()") if handle is not None else v.Instance(base.path, base.cid)
            return v.UNKNOWN
        if kind is ir.ClassRef:
            return v.ClassValue(path, node.cid)
        if kind is ir.FuncRef:
            return v.Function(path, node.fid)
        if kind is ir.Index:  # a generic base: `extends Model<Attrs>` / `Base[T]` is the base itself
            return self.static_value(path, node.obj)
        if kind is ir.Const:
            return v.Const(node.value)
        if kind is ir.Obj and node.entries and all(type(e.key) is str and type(e.value) is ir.Const for e in node.entries):
            # a table of literals: a TypeScript `enum` (lowered to an object of its members) or `const SORTS = { … }`
            return v.Record(tuple((e.key, v.Const(e.value.value)) for e in node.entries))
        return v.UNKNOWN

    def transactional_manager(self, path: str, fid: int) -> bool:
        """A project ``@contextmanager`` generator that yields inside ``with transaction.atomic():``
        (pretix's ``rolledback_transaction()``): what its ``with`` block runs is in that transaction."""
        key = (path, fid)
        found = self._transactional_managers.get(key)
        if found is None:
            found = self._transactional_managers[key] = self._yields_in_transaction(path, fid)
        return found

    def _yields_in_transaction(self, path: str, fid: int) -> bool:
        function = self.function(path, fid)
        if function is None or not function.is_generator or not self.context_manager_function(path, function):
            return False
        for node in ir.iter_nodes(function.body):
            if type(node) is not ir.With or not any(
                    self._atomic_call(path, item.context) or self._handle_transaction(path, function, item.context)
                    for item in node.items):
                continue
            if any(type(inner) is ir.Opaque and inner.kind == "yield" for inner in ir.iter_nodes(node.body)):
                return True
        return False

    def _handle_transaction(self, path: str, function, context) -> bool:
        """``async with self.engine.begin() as conn:`` / ``with self.session.begin():`` in a context-manager
        method (a ``Database.transaction()`` helper): a transaction method called on a DB handle, the receiver
        evaluated in the method (``self`` an instance of its class)."""
        from archlint.semantics.interpreter import Frame, call_names

        call = context.value if type(context) is ir.Await else context
        if type(call) is not ir.Call or call.method not in call_names(self).transaction_methods or call.receiver is None:
            return False
        frame = Frame(self, path, function, 0)
        frame.env = dict(self.module_env(path))
        if function.cls >= 0 and function.params:
            frame.self_value = frame.env[function.params[0].name] = v.Instance(path, function.cls)
        try:
            receiver = frame.eval(call.receiver)
        except RecursionError:
            return False
        return type(v.strip(receiver)) is v.Db

    def context_manager_function(self, path: str, function) -> bool:
        """A function decorated as a context manager (``@contextmanager``/``@asynccontextmanager``; the names
        are ``context_decorators`` in frameworks.toml): ``with f() as x:`` runs its body up to the ``yield``."""
        from archlint.semantics.interpreter import known

        names = known(self).context_decorators
        return any(self.static_name(path, d.func if type(d) is ir.Call else d) in names for d in function.decorators)

    def _atomic_call(self, path: str, context) -> bool:
        call = context.value if type(context) is ir.Await else context
        if type(call) is not ir.Call or type(call.func) not in (ir.Name, ir.Attr):
            return False
        callee = self.static_value(path, call.func)
        return type(callee) is v.External and callee.name.endswith(("transaction.atomic", "transaction.commit_on_success"))

    def _library_handle_base(self, cls: v.ClassValue):
        """The library DB-handle class a project class extends (``class IndicoSQLAlchemy(SQLAlchemy)``,
        indico's and many Flask apps' subclass of the extension), else ``None``: what a module-level
        ``db = IndicoSQLAlchemy(…)`` declares models and relationships with (``db.Model``, ``db.relationship``)
        is the extension's."""
        for path, cid in self.subclass_chain(cls.path, cls.cid):
            for base in self.bases(path, cid):
                if type(base) is v.External and self.library.constructor(base.name) is not None:
                    return base
        return None

    def static_attribute(self, base, name: str):
        kind = type(base)
        if kind is v.Record:
            return base.get(name) or v.UNKNOWN
        if kind is v.External:
            separator = "." if self._python_name(base.name) or base.name.endswith(")") else ("" if base.name.endswith(":") else ".")
            qualified = f"{base.name}{separator}{name}"
            if base.name in known(self).django_settings:  # settings.USER_SERIALIZER: the project's string, when every settings module agrees
                text = self.django_setting(name)
                if text is not None:
                    return v.Const(text)
            return self.library.handles.get(qualified) or v.External(qualified)
        if kind is v.Module:
            found = self.module_member_static(base.path, name)
            if found is v.UNKNOWN and self.language(base.path) != "python":
                # `require('./db').model` where db.js ends `module.exports = mongoose`: the member of what
                # the module exports as a whole (read only when the module defines no such name)
                whole = self._commonjs_whole_export(base.path)
                if whole is not None:
                    return self.static_attribute(whole, name)
            return found
        if kind is v.ClassValue:
            cls = self.cls(base.path, base.cid)
            if cls is not None:
                for fid in cls.methods:
                    function = self.function(base.path, fid)
                    if function is not None and function.name == name:
                        return v.Function(base.path, fid)
        return v.UNKNOWN

    def _commonjs_whole_export(self, path: str):
        """What ``module.exports = <name>`` hands out as the module's whole value, statically, when that is a
        package's object (``module.exports = mongoose``: ``External('mongoose:')``); else ``None``."""
        module = self.modules.get(path)
        if module is None:
            return None
        defaults = self._static_index(module)[1].get("default", ())
        export = defaults[-1] if defaults else None
        if export is None or not export.local or export.value is None:
            return None
        value = self.module_member_static(path, export.local)
        return value if type(value) is v.External else None

    @staticmethod
    def _python_name(name: str) -> bool:
        return ":" not in name

    def module_member_static(self, path: str, name: str):
        key = (path, name)
        found = self._static_members.get(key)
        if found is not None:
            return found
        if key in self._static_busy:
            return v.UNKNOWN
        module = self.modules.get(path)
        if module is None:
            return self.submodule(path, name)  # a package with no analysed code of its own
        self._static_busy.add(key)
        try:
            value = self._module_member_static(module, path, name)
        finally:
            self._static_busy.discard(key)
        self._static_members[key] = value
        return value

    def binding(self, path: str, name: str) -> str | None:
        table = self._bindings.get(path)
        found = table.get(name) if table is not None else None
        if found is None and table is not None and self.library.star_exports:
            # `from peewee import *`: a name the external module's `__all__` exports (semantics.toml star_exports)
            for module in self.external_stars(path):
                if name in self.library.star_exports[module]:
                    return f"{module}:{name}"
        return found

    def _module_member_static(self, module: ir.ModuleIR, path: str, name: str, before: int | None = None):
        assigned, exported = self._static_index(module)
        indices = assigned.get(name)
        if indices:  # the last top-level `name = …` (before `before`)
            position = len(indices) if before is None else bisect.bisect_left(indices, before)
            if position:
                index = indices[position - 1]
                statement = module.module.body[index]
                key = _destructured_key(statement, name)
                if key is not None:
                    # `const { Schema, model } = mongoose` (mongoose a module's `module.exports`): the
                    # member of what is destructured, unless the import binding already names it
                    binding = self.binding(path, name)
                    if binding is not None:
                        return self.resolve_binding(path, binding)
                    return self.static_attribute(self.static_value(path, statement.value), key)
                wrapped = self._rewrapped_function(module, path, name, index, statement.value)
                return wrapped if wrapped is not None else self.static_value(path, statement.value)
        if module.language != "python":
            for export in exported.get(name, ()):
                if export.local and export.local != name:
                    return self.module_member_static(path, export.local)
                if export.value is not None:
                    return self.static_value(path, export.value)
                if export.source:  # export { x } from './x' / export * as ns from './x'
                    return self.resolve_binding(path, f"{export.source}:{'' if export.source_name == '*' else export.source_name or name}")
        binding = self.binding(path, name)
        if binding is not None:
            return self.resolve_binding(path, binding)
        if module.language == "python":
            conditional = _conditional_definition(module.module.body, name)
            if conditional is not None:
                # ``if not is_model_registered("catalogue", "Product"): class Product(AbstractProduct): …``
                # (django-oscar's overridable models): the one definition the module has
                return self.static_value(path, conditional)
            source = self.star_source(path, name)
            if source is not None:
                return self.module_member_static(source, name)
        if module.language != "python":
            source = self.js_star_source(path, name)
            if source is not None:  # `export * from './schema'` in a barrel index.ts
                return self.module_member_static(source, name)
        if module.language == "python" and name in _PY_BUILTINS:
            return v.External(f"builtins.{name}")
        if module.language != "python" and (name in _JS_GLOBALS or name in self.library.js_globals):
            return v.External(f"global:{name}")
        return self.submodule(path, name)

    def submodule(self, path: str, name: str):
        """``pkg.sub`` read on a package the project holds (``import mlflow.store.db.utils`` binds
        ``mlflow``; ``mlflow.store.db.utils._get_managed_session_maker`` walks its subpackages): the
        submodule ``pkg/sub.py`` or ``pkg/sub/__init__.py``, else ``UNKNOWN``."""
        if not path.endswith("/__init__.py") and path != "__init__.py":
            return v.UNKNOWN
        folder = path[: -len("__init__.py")]
        for candidate in (f"{folder}{name}.py", f"{folder}{name}/__init__.py"):
            if candidate in self.graph.modules:
                return v.Module(candidate)
        return v.UNKNOWN

    def _static_index(self, module: ir.ModuleIR) -> tuple[dict, dict]:
        """``module``'s top level indexed once (a large TS module has thousands of statements and
        exports, and ``module_member_static`` asks for each name it reads): name -> the positions of
        the statements assigning it, ascending — not ``relationship = relationship``, a re-export of
        the import it shadows —, and name -> its exports in source order."""
        cache = self.memoised("static_indexes", dict)
        found = cache.get(id(module))
        if found is not None and found[0] is module:
            return found[1], found[2]
        assigned: dict[str, list[int]] = {}
        for index, statement in enumerate(module.module.body):
            if type(statement) is ir.Assign and statement.value is not None:
                shadowed = statement.value.id if type(statement.value) is ir.Name else None
                for target in statement.targets:
                    names = [target.id] if type(target) is ir.Name and target.id != shadowed else (
                        [e.value.id for e in target.entries if type(e.key) is str and type(e.value) is ir.Name]
                        if type(target) is ir.Obj and module.language != "python" else [])
                    for assigned_name in names:  # `x = …`, and each name of `const { a, b: c } = …` (JS)
                        indices = assigned.setdefault(assigned_name, [])
                        if not indices or indices[-1] != index:
                            indices.append(index)
        exported: dict[str, list] = {}
        for export in module.exports:
            exported.setdefault(export.name, []).append(export)
        # read only: the positions as tuples (a one-name list took twice a tuple's memory), one empty table shared
        assigned = {name: tuple(indices) for name, indices in assigned.items()} if assigned else _EMPTY_TABLE
        cache[id(module)] = (module, assigned, exported or _EMPTY_TABLE)  # the module is kept: its id is not reused
        return assigned, exported

    def _rewrapped_function(self, module: ir.ModuleIR, path: str, name: str, index: int, value):
        """``view = login_required(view)`` / ``mass_update = staff_member_required(mass_update)``: a decorator
        (a package's or the project's, however defined) applied by hand to the function defined above — the
        name still runs that function (as with ``@login_required``, whose decorators the model reads on the
        definition)."""
        if module.language != "python" or type(value) is not ir.Call or not any(
                type(arg.value) is ir.Name and arg.value.id == name for arg in value.args):
            return None
        if type(v.strip(self.static_value(path, value.func))) is v.ClassValue:
            return None  # `x = Wrapper(x)`: an instance of a project class, not the function
        earlier = v.strip(self._module_member_static(module, path, name, index))
        return earlier if type(earlier) is v.Function else None

    def type_alias(self, path: str, node, depth: int = 0):
        """The subscripted type a module-level alias names — ``SessionDep = Annotated[AsyncSession,
        Depends(get_session)]`` (or ``SessionDep: TypeAlias = …``) in this module or imported from
        another — as ``(defining path, ir.Index)``, else ``None``."""
        if type(node) is not ir.Name or depth > 4:
            return None
        module = self.modules.get(path)
        if module is None or module.language != "python":
            return None
        statement = self._last_assignments(path, module.module).get(node.id)
        if statement is not None:
            value = statement.value
            if type(value) is ir.Index:
                return path, value
            return self.type_alias(path, value, depth + 1) if type(value) is ir.Name else None
        binding = self.binding(path, node.id)
        if binding is None:
            return None
        found = self.graph.resolve_binding(path, binding)
        if found.file is None or found.file not in self.modules or not found.attr or "." in found.attr:
            return None
        return self.type_alias(found.file, ir.Name(found.attr, node.span), depth + 1)

    def _last_assignments(self, path: str, top: ir.Function) -> dict:
        """name -> the last top-level ``name = <value>`` statement of the module whose top level is
        ``top``, indexed once per module (``type_alias`` asks for every annotation an analysis reads)."""
        cache = self.memoised("last_assigned", dict)
        found = cache.get(path)
        if found is not None and found[0] is top:
            return found[1]
        index: dict = {}
        for statement in top.body:
            if type(statement) is ir.Assign and statement.value is not None:
                for target in statement.targets:
                    if type(target) is ir.Name:
                        index[target.id] = statement
        cache[path] = (top, index)
        return index

    def calls_of_methods(self, methods: frozenset) -> list:
        """(path, call) of every module-level statement call ``x.<method>(…)`` with ``method`` in ``methods``
        (``api.add_router("/profiles", router)``), over the project's Python modules; computed once per set."""
        return self.memoised("statement-calls:" + ",".join(sorted(methods)), lambda: self._statement_calls(methods))

    def _statement_calls(self, methods: frozenset) -> list:
        found = []
        for path, module in self.modules.items():
            if self.language(path) != "python":
                continue
            for statement in module.module.body:
                call = statement.value if type(statement) is ir.ExprStmt else None
                if type(call) is ir.Call and type(call.func) is ir.Attr and call.func.name in methods:
                    found.append((path, call))
        return found

    def static_name(self, path: str, node) -> str:
        """The canonical external name of a callee (``sqlalchemy.orm.relationship``), or ``""``."""
        value = self.static_value(path, node)
        return value.name if type(value) is v.External else ""

    def django_setting(self, name: str) -> str | None:
        """The text a Django setting certainly holds (``USER_SERIALIZER = 'users.serializers.X'``) in
        every settings module of the project that sets it, else ``None`` (read statically: a
        settings module is ``settings.py`` or a module of a ``settings/`` package)."""
        memo = self.memoised("django_setting_texts", dict)
        if name not in memo:
            from archlint.semantics import django_settings

            values = set()
            for path in sorted(self.graph.modules):
                if path.endswith(".py") and (path.rsplit("/", 1)[-1] == "settings.py" or "/settings/" in f"/{path}"):
                    setting = django_settings.read(self, path).get(name)
                    if setting is not None:
                        values.add(setting.value if setting.certain and isinstance(setting.value, str) else None)
            memo[name] = next(iter(values)) if len(values) == 1 else None
        return memo[name]

    def import_string(self, path: str, dotted: str):
        """``import_string("users.serializers.BaseUserSerializer")``: the project definition the
        dotted path names (Django's ``import_string``, the settings-driven class idiom), else ``UNKNOWN``."""
        module, _, attribute = dotted.rpartition(".")
        if not module or not attribute.isidentifier():
            return v.UNKNOWN
        candidates = sorted((p for p, name in self.graph.modules.items() if name == module or name.endswith("." + module)),
                            key=lambda p: (len(p), p))
        if not candidates:
            return v.External(dotted)  # a package's class: named, not guessed
        return self.module_member_static(candidates[0], attribute) if candidates[0] in self.modules else v.UNKNOWN

    def runs_in_thread(self, path: str, fid: int) -> bool:
        """A function decorated to run in a worker thread when awaited (``@sync_to_async``,
        ``@database_sync_to_async``): what it does to the database happens off the event loop."""
        memo = self.memoised("in_thread", dict)
        key = (path, fid)
        if key not in memo:
            function = self.function(path, fid)
            wrappers = self.library.thread_wrappers
            memo[key] = function is not None and any(
                self.static_name(path, d.func if type(d) is ir.Call else d) in wrappers for d in function.decorators)
        return memo[key]

    def resolve_binding(self, path: str, target: str):
        """An import binding (``app.db:SessionLocal``) → the value it names (statically)."""
        found = self.graph.resolve_binding(path, target)
        if found.file is not None:
            if found.file not in self.modules:
                return v.Module(found.file) if not found.attr else v.UNKNOWN
            if not found.attr:
                return v.Module(found.file)
            head, _, rest = found.attr.partition(".")
            value = self.module_member_static(found.file, head if head != "default" or self.language(path) == "python" else "default")
            for part in rest.split(".") if rest else ():
                value = self.static_attribute(value, part)
            return value
        return v.External(found.external or target)

    # classes and models -------------------------------------------------------------------------------
    def bases(self, path: str, cid: int) -> list:
        key = (path, cid)
        found = self._bases.get(key)
        if found is None:
            cls = self.cls(path, cid)
            found = [self.static_value(path, base) for base in cls.bases] if cls is not None else []
            for node, value in zip(cls.bases if cls is not None else (), list(found)):
                mixin = self._factory_model_base(path, node) if type(value) is v.External else None
                if mixin is not None:
                    found.append(mixin)
            self._bases[key] = found
        return found

    def _factory_model_base(self, path: str, node):
        """The project class a model base's factory call names (orms.toml ``model_base_keywords``):
        ``db = SQLAlchemy(model_class=CRUDMixin)`` makes every ``db.Model`` subclass inherit CRUDMixin's
        methods, ``declarative_base(cls=ModelBase)`` ModelBase's — followed through the imports and
        aliases (``Model = db.Model``) that lead from the class's base to the call; None otherwise."""
        found = self._defining_call(path, node, 0)
        if found is None:
            return None
        where, call = found
        factory = self.static_value(where, call.func)
        keyword = schema_names(self).model_base_keywords.get(factory.name) if type(factory) is v.External else None
        for arg in call.args if keyword else ():
            if arg.kind == "kw" and arg.name == keyword:
                mixin = self.static_value(where, arg.value)
                return mixin if type(mixin) is v.ClassValue else None
        return None

    def _defining_call(self, path: str, node, depth: int):
        """(module, call) whose result ``node`` reads — through module-level assignments, imports and
        attribute reads on the result (``db.Model`` → ``db = SQLAlchemy(…)``); None past a few links."""
        kind = type(node)
        if depth > 8:
            return None
        if kind is ir.Call:
            return path, node
        if kind is ir.Attr:
            return self._defining_call(path, node.obj, depth + 1)
        if kind is not ir.Name or path not in self.modules:
            return None
        module = self.modules[path]
        assigned, _ = self._static_index(module)
        indices = assigned.get(node.id)
        if indices:
            return self._defining_call(path, module.module.body[indices[-1]].value, depth + 1)
        binding = self.binding(path, node.id)
        found = self.graph.resolve_binding(path, binding) if binding is not None else None
        if found is None or found.file not in self.modules or not found.attr or "." in found.attr:
            return None
        return self._defining_call(found.file, ir.Name(found.attr, node.span), depth + 1)

    def class_stack(self, path: str, cid: int) -> str:
        """The ORM whose model this class is (``sqlalchemy``, ``django``, ``sequelize``, ``typeorm``), or ``""``."""
        key = (path, cid)
        if key in self._class_stack:
            return self._class_stack[key]
        self._class_stack[key] = ""  # a cycle in the bases is not a model
        stack = ""
        cls = self.cls(path, cid)
        if cls is not None:
            for decorator in cls.decorators:
                name = self.static_name(path, decorator.func if type(decorator) is ir.Call else decorator)
                if name in ("typeorm:Entity", "typeorm:ViewEntity") or name.endswith(":Entity") and "typeorm" in name:
                    stack = "typeorm"
                elif name.endswith(":Entity") and name[:-len(":Entity")] in self.library.modules_of_orm.get("mikro-orm", ()):
                    stack = "mikro-orm"  # @mikro-orm/core, a driver package, or the pre-v4 `mikro-orm` (orms.toml)
            for base in self.bases(path, cid) if not stack else ():
                stack = self._stack_of_base(base)
                if stack:
                    break
            if not stack and self._django_fields_on_package_base(path, cid, cls):
                stack = "django"
        self._class_stack[key] = stack
        return stack

    def _django_fields_on_package_base(self, path: str, cid: int, cls: ir.Class) -> bool:
        """A class deriving from a package's class (``django_lifecycle.LifecycleModel``,
        ``model_utils.models.TimeStampedModel``) that declares Django model fields
        (``models.UUIDField(…)``, ``models.ForeignKey(…)``): a Django model, since only a model's
        metaclass makes those class attributes fields."""
        if not any(type(base) is v.External and not base.name.startswith(("builtins.", "django.db.models"))
                   for base in self.bases(path, cid)):
            return False
        for member in cls.fields:
            if type(member.value) is ir.Call:
                name = self.static_name(path, member.value.func)
                short = name.rsplit(".", 1)[-1]
                if name.startswith("django.db.models.") and (short.endswith("Field") or short in ("ForeignKey", "OneToOneField")):
                    return True
        return False

    def flask_model(self, path: str, cid: int) -> bool:
        """A Flask-SQLAlchemy model: the class derives (directly or through project classes) from
        ``db.Model`` (orms.toml ``flask_models``), whose ``query`` property runs on ``db.session``."""
        names = schema_names(self)
        for link in self.subclass_chain(path, cid):
            for base in self.bases(*link):
                if type(base) is v.External and (base.name in names.flask_models or base.name.endswith("SQLAlchemy().Model")):
                    return True
        return False

    def query_class(self, path: str, cid: int):
        """The project class a Flask-SQLAlchemy model's ``query`` is an instance of (orms.toml
        ``query_class_attributes`` / ``query_class_keywords``): ``query_class = BillQuery`` on the model
        or a project base, else ``db = SQLAlchemy(query_class=BillQuery)`` behind its ``db.Model``;
        None when neither names a project class (the library's own Query)."""
        return _memo(self._query_classes, (path, cid), lambda: self._query_class(path, cid))

    def _query_class(self, path: str, cid: int):
        names = schema_names(self)
        chain = self.subclass_chain(path, cid)
        for link in chain:
            cls = self.cls(*link)
            for member in cls.fields if cls is not None else ():
                if member.name in names.query_class_attributes and member.value is not None:
                    nested = next((c for c in cls.nested if type(member.value) is ir.Name and (inner := self.cls(link[0], c))
                                   is not None and inner.name == member.value.id), None)  # a class of the model's body
                    found = v.ClassValue(link[0], nested) if nested is not None else self.static_value(link[0], member.value)
                    if type(found) is v.ClassValue:
                        return found
        for link in chain:
            cls = self.cls(*link)
            for node in cls.bases if cls is not None else ():
                made = self._defining_call(link[0], node, 0)
                if made is None:
                    continue
                where, call = made
                factory = self.static_value(where, call.func)
                keyword = names.query_class_keywords.get(factory.name) if type(factory) is v.External else None
                for arg in call.args if keyword else ():
                    if arg.kind == "kw" and arg.name == keyword:
                        found = self.static_value(where, arg.value)
                        return found if type(found) is v.ClassValue else None
        return None

    def _stack_of_base(self, base) -> str:
        if type(base) is v.External:
            name = base.name
            names = schema_names(self)
            if name in names.sqlalchemy_bases or name in names.flask_models or name.endswith("SQLAlchemy().Model"):
                return "sqlalchemy"
            if name in self.library.declarative_bases:
                return self.library.declarative_bases[name]
            if name in names.django_bases:
                return "django"
            if name in names.sequelize_bases or name.endswith(":Model") and "sequelize" in name:
                return "sequelize"
            if name in ("objection:Model", "objection:default.Model"):
                return "objection"
            if name in names.tortoise_bases:
                return "tortoise"
            if name in names.peewee_bases:
                return "peewee"
            return ""
        if type(base) is v.ClassValue:
            return self.class_stack(base.path, base.cid)
        return ""

    def bound_handle_class(self, path: str, name: str) -> bool:
        """Whether the module's class ``name`` extends a library class a project subclasses per model
        (advanced-alchemy's repositories and services, ``semantics.toml`` ``bound_models``): its methods
        are the project's own data layer."""
        module = self.modules.get(path)
        for cls in module.classes if module is not None else ():
            if cls.name != name:
                continue
            for link in self.subclass_chain(path, cls.cid):
                for base in self.bases(*link):
                    if type(base) is not v.External:
                        continue
                    handle = self.library.annotated(base.name) or self.library.annotated(base.name.rsplit(".", 1)[-1])
                    if handle is not None and (handle.stack, handle.kind) in self.library.bound_models:
                        return True
        return False

    def constructed_with_loads(self, path: str, cid: int) -> bool:
        """Whether the project makes instances of this class with default loader options anywhere:
        ``ArticleService(session, load=[…])``, ``ArticleService.new(session=s, load=[…])``, advanced-alchemy's
        ``create_service_provider(ArticleService, load=[…])`` — a handler typed ``ArticleService`` may get
        one of them, so what its queries load is unknown.  Indexed once over the project's calls."""
        index = self._constructed_loads
        if index is None:
            index = self._constructed_loads = set()
            keywords = self.library.instance_loads
            for module_path, module in list(self.modules.items()) if keywords else ():
                if module.language != "python":
                    continue
                roots = [function.body for function in module.functions]
                roots += [member.value for cls in module.classes for member in cls.fields if member.value is not None]
                for root in roots:
                    for node in ir.iter_nodes(root):
                        if type(node) is not ir.Call or not any(a.kind == "kw" and a.name in keywords for a in node.args):
                            continue
                        func = node.func.obj if type(node.func) is ir.Attr else node.func
                        for candidate in (func, *(a.value for a in node.args if a.kind == "pos")):
                            if type(candidate) in (ir.Name, ir.Attr):
                                value = v.strip(self.static_value(module_path, candidate))
                                if type(value) is v.ClassValue:
                                    index.add((value.path, value.cid))
        return (path, cid) in index

    def name_injections(self) -> dict:
        """Dependency injection by parameter name (``frameworks.toml`` ``dependency_keywords``): the project's
        ``dependencies={"articles_service": Provide(provide_articles_service)}`` mappings — on the app, a router,
        a route decorator or a Controller's class attribute — as ``{name: [(path, provider expression)]}``,
        plus ``{"": {(path, fid)…}}`` naming the provider functions.  Indexed once, Python modules only."""
        if self._name_injections is not None:
            return self._name_injections
        found: dict = {}
        self._name_injections = found
        data = [d for d in self.library.framework_data.values() if d.get("dependency_keywords")]
        keywords = frozenset(k for d in data for k in d["dependency_keywords"])
        providers = frozenset(p for d in data for p in d.get("dependency_providers", ()))
        async_configs = frozenset(c for d in data for c in d.get("plugin_async_configs", ()))
        if not keywords:
            return found

        def mapping(path: str, node) -> None:
            for entry in node.entries if type(node) is ir.Obj else ():
                if not isinstance(entry.key, str):
                    continue
                provider = entry.value
                if type(provider) is ir.Call and self.static_name(path, provider.func) in providers and provider.args:
                    provider = provider.args[0].value
                found.setdefault(entry.key, []).append((path, provider))
                value = v.strip(self.static_value(path, provider)) if type(provider) in (ir.Name, ir.Attr) else None
                if type(value) is v.Function:
                    found.setdefault("", set()).add((value.path, value.fid))

        for path, module in list(self.modules.items()):  # resolving names may load more modules
            if module.language != "python" or not any(target.startswith("litestar") for _name, target in module.bindings):
                continue
            for cls in module.classes:
                for member in cls.fields:
                    if member.name in keywords and member.value is not None:
                        mapping(path, member.value)
            for function in module.functions:
                for node in ir.iter_nodes((function.body, function.decorators)):
                    if type(node) is not ir.Call:
                        continue
                    for arg in node.args:
                        if arg.kind == "kw" and arg.name in keywords:
                            mapping(path, arg.value)
                    if type(node.func) in (ir.Name, ir.Attr) and self.static_name(path, node.func).rsplit(".", 1)[-1] in async_configs:
                        found["<async plugin>"] = True  # the plugin's session is an AsyncSession
        return found

    def auto_named(self, path: str, cid: int) -> bool:
        """A model of a declarative base that names the table after the class (``semantics.toml``
        ``declarative_bases``: advanced-alchemy's ``UUIDBase``), directly or through project bases."""
        return any(type(base) is v.External and base.name in self.library.declarative_bases
                   for link in self.subclass_chain(path, cid) for base in self.bases(*link))

    def sqlmodel_class(self, path: str, cid: int) -> bool:
        """A class deriving from ``sqlmodel.SQLModel`` (directly or through project classes)."""
        return any(type(b) is v.External and b.name == "sqlmodel.SQLModel"
                   for link in self.subclass_chain(path, cid) for b in self.bases(*link))

    def is_abstract_model(self, path: str, cid: int) -> bool:
        """``class Base(DeclarativeBase)`` / ``Meta.abstract = True``: a base, not a table."""
        cls = self.cls(path, cid)
        if cls is None:
            return True
        names = {f.name for f in cls.fields}
        if self._meta_flag(path, cls, "abstract"):
            return True
        if "__abstract__" in names:
            return True
        if self.sqlmodel_class(path, cid):
            # SQLModel: only a class declared with `table=True` is a table; `ArticleBase(SQLModel)` and
            # the API schemas derived from it (`ArticlePublic(ArticleBase)`) are pydantic models
            return not any(kw.name == "table" and not (type(kw.value) is ir.Const and kw.value.value is False) for kw in cls.keywords)
        for base in self.bases(path, cid):
            if type(base) is v.External and (base.name in schema_names(self).sqlalchemy_bases or base.name == "sqlalchemy.orm.DeclarativeBase"):
                return "__tablename__" not in names and "__table__" not in names
        return False

    def is_proxy_model(self, path: str, cid: int) -> bool:
        """A Django proxy model (``class Meta: proxy = True``): a Python class over its concrete
        parent's table, no table of its own."""
        cls = self.cls(path, cid)
        return cls is not None and self._meta_flag(path, cls, "proxy")

    def _meta_flag(self, path: str, cls, name: str) -> bool:
        """``class Meta: <name> = True`` inside a Django model class (``abstract``, ``proxy``)."""
        for nested in cls.nested:
            inner = self.cls(path, nested)
            if inner is not None and inner.name == "Meta" and any(
                    member.name == name and type(member.value) is ir.Const and member.value.value is True for member in inner.fields):
                return True
        return False

    def table_model(self, key: str) -> str:
        """The model whose table a model's rows are: a Django proxy model's concrete parent (through
        proxies of proxies), else the model itself.  Two models with the same answer read the same rows."""
        model = self.schema.get(key)
        if model is None or model.stack != "django" or model.cid < 0 or not self.is_proxy_model(model.path, model.cid):
            return key
        for base_path, base_cid in self.subclass_chain(model.path, model.cid)[1:]:
            base = self.schema.by_class.get((base_path, base_cid))
            if base and not self.is_proxy_model(base_path, base_cid):
                return base
        return key

    @property
    def schema(self) -> Schema:
        if self._schema is None:
            self._schema = Schema()  # visible (empty) while discovery runs
            self._schema = discover(self)
        return self._schema

    def django_user_model(self) -> str:
        """The project's custom Django user model (``request.user``'s class), ``""`` when unknown."""
        return self.schema.user_model

    def django_builtin_model(self, name: str):
        """``django.contrib.auth.models.User`` as the model of Django's own user (a ``ModelClass``)
        when the project has no custom user model and its relations point at that one."""
        if name != "django.contrib.auth.models.User" or self.schema.user_model != BUILTIN_USER_KEY:
            return None
        return v.ModelClass("django", BUILTIN_USER_KEY)

    def model_of_class(self, path: str, cid: int) -> str:
        return self.schema.by_class.get((path, cid), "")

    def registered_model(self, path: str, name: str):
        """``db.Article`` / ``const { Article } = require('../models')`` in JS: sequelize-cli's
        ``models/index.js`` fills ``db[model.name] = model`` in a loop over the directory, so the
        object's keys are only known as the names of the project's models.  A missing key that is
        exactly one JS model's name is that model (``ModelClass``); anything else stays unknown."""
        if not name[:1].isupper() or self.language(path) == "python":
            return None
        found = [m for m in self.schema.models.values() if m.name == name and self.language(m.path) != "python"]
        if len(found) != 1:
            return None
        return v.ModelClass(found[0].stack, found[0].key)

    def prototype_method(self, model_key: str, name: str):
        """``Article.prototype.toJson = async function (user) {…}`` next to ``const Article =
        sequelize.define('Article', …)``: the instance method of a ``define`` model (a ``Function``),
        or ``None``.  Indexed once from the modules that define models."""
        index = getattr(self, "_prototype_methods", None)
        if index is None:
            index = self._prototype_methods = {}
            for path in sorted({path for path, _name in self.define_aliases}):
                for variable, method, function in self._attached_functions(path, "prototype"):
                    key = self.define_aliases.get((path, variable))
                    if key:
                        index.setdefault((key, method), function)
        return index.get((model_key, name))

    def schema_method(self, model_key: str, name: str, static: bool = False):
        """``ArticleSchema.methods.toJSONFor = function (user) {…}`` (or ``ArticleSchema.method('toJSONFor',
        fn)``) next to ``mongoose.model('Article', ArticleSchema)``: the documents' instance method (a
        ``Function``), or ``None``; with ``static``, the model's own (``ArticleSchema.statics.bySlug = fn`` /
        ``ArticleSchema.static('bySlug', fn)``: ``this`` is the model)."""
        index = getattr(self, "_schema_methods", None)
        if index is None:
            names = schema_names(self)
            index = self._schema_methods = {}
            for key, schema_variable in sorted(self.mongoose_schemas.items()):
                path = self.schema.models[key].path if key in self.schema.models else ""
                for holder, kind in names.mongoose_method_holders.items():
                    for variable, method, function in self._attached_functions(path, holder):
                        if variable == schema_variable:
                            index.setdefault((key, method, kind), function)
                for variable, method, function, kind in self._registered_schema_functions(
                        path, names.mongoose_method_holders, names.mongoose_method_registrars):
                    if variable == schema_variable:
                        index.setdefault((key, method, kind), function)
        return index.get((model_key, name, static))

    @staticmethod
    def _object_functions(path: str, node):
        """(name, ``Function``) of each function-valued entry of an object literal (``{ toJSONFor() {…} }``)."""
        for entry in node.entries if type(node) is ir.Obj else ():
            if isinstance(entry.key, str) and type(entry.value) is ir.FuncRef:
                yield entry.key, v.Function(path, entry.value.fid)

    def _registered_schema_functions(self, path: str, holders: dict, registrars: dict):
        """``XSchema.method('name', function …)`` / ``XSchema.static('name', function …)`` (``registrars``: method ->
        static?) in the module at ``path`` — or several at once, ``XSchema.method({ name() {…} })`` /
        ``XSchema.methods = { name() {…} }`` (``holders``: holder -> static?): (``XSchema``, ``name``, the
        ``Function``, whether it is a static) for each."""
        module = self.modules.get(path)
        for function in module.functions if module is not None else ():
            for node in ir.iter_nodes(function.body):
                if type(node) is ir.Assign and len(node.targets) == 1 and type(node.targets[0]) is ir.Attr \
                        and node.targets[0].name in holders and type(node.targets[0].obj) is ir.Name:
                    # `ArticleSchema.methods = { toJSONFor(user) {…}, … }`: the whole table at once
                    for method, function in self._object_functions(path, node.value):
                        yield node.targets[0].obj.id, method, function, holders[node.targets[0].name]
                    continue
                if type(node) is not ir.Call or type(node.func) is not ir.Attr or node.func.name not in registrars:
                    continue
                if type(node.func.obj) is not ir.Name or len(node.args) not in (1, 2):
                    continue
                if len(node.args) == 1:  # `ArticleSchema.method({ toJSONFor() {…} })`: several at once
                    for method, function in self._object_functions(path, node.args[0].value):
                        yield node.func.obj.id, method, function, registrars[node.func.name]
                    continue
                label, value = node.args[0].value, node.args[1].value
                if type(label) is ir.Const and isinstance(label.value, str) and type(value) is ir.FuncRef:
                    yield node.func.obj.id, label.value, v.Function(path, value.fid), registrars[node.func.name]

    def _attached_functions(self, path: str, holder: str):
        """``X.<holder>.name = function …`` in the module at ``path`` (``Article.prototype.toJson``,
        ``ArticleSchema.methods.toJSONFor``): (``X``, ``name``, the ``Function``) for each."""
        module = self.modules.get(path)
        for function in module.functions if module is not None else ():
            for node in ir.iter_nodes(function.body):
                if type(node) is not ir.Assign or type(node.value) is not ir.FuncRef or len(node.targets) != 1:
                    continue
                target = node.targets[0]
                owner = target.obj if type(target) is ir.Attr else None
                if type(owner) is ir.Attr and owner.name == holder and type(owner.obj) is ir.Name:
                    yield owner.obj.id, target.name, v.Function(path, node.value.fid)

    def own_method(self, path: str, cid: int, name: str):
        """The method ``name`` the class's own body defines (not a base's); None otherwise."""
        cls = self.cls(path, cid)
        if cls is None:
            return None
        table = self._methods.get((path, cid))
        if table is None:
            table = self._methods[(path, cid)] = {}
            for fid in cls.methods:
                function = self.function(path, fid)
                if function is not None:
                    table.setdefault(function.name, fid)
        return v.Function(path, table[name]) if name in table else None

    def mro(self, path: str, cid: int) -> list[tuple[str, int]]:
        """The project classes of the class's method resolution order, Python's C3 linearisation
        (library bases are left out: archlint reads no code of theirs).  ``super()`` in a mixin's
        method reaches the class after the mixin in *this* order — the concrete class's, not the
        mixin's own bases (``class NoteViewSet(LiveOnlyMixin, AuthorJoinMixin, ModelViewSet)``:
        ``LiveOnlyMixin``'s ``super().get_queryset()`` is ``AuthorJoinMixin``'s).  Depth-first order
        when the bases admit no linearisation (Python would refuse the class)."""
        key = (path, cid)
        found = self._mro.get(key)
        if found is None:
            self._mro[key] = [key]  # a cycle of bases (a parse archlint got wrong) ends here
            found = self._mro[key] = self._linearise(key)
        return found

    def _linearise(self, key: tuple[str, int]) -> list[tuple[str, int]]:
        bases = [(b.path, b.cid) for b in self.bases(*key) if type(b) is v.ClassValue and self.cls(b.path, b.cid) is not None]
        sequences = [list(self.mro(*base)) for base in bases] + [list(bases)]
        merged = [key]
        while True:
            sequences = [s for s in sequences if s]
            if not sequences:
                return merged
            for sequence in sequences:
                head = sequence[0]
                if not any(head in other[1:] for other in sequences):
                    break
            else:  # no consistent order: depth first, each class once
                return merged + [c for c in self.subclass_chain(*key) if c not in merged]
            merged.append(head)
            for sequence in sequences:
                if sequence[0] == head:
                    del sequence[0]

    def method(self, path: str, cid: int, name: str, seen: frozenset = frozenset()):
        """A method by name through the class and its project bases (left to right, depth first)."""
        if seen:
            return self._method(path, cid, name, seen)
        return _memo(self._method_lookups, (path, cid, name), lambda: self._method(path, cid, name, seen))

    def _method(self, path: str, cid: int, name: str, seen: frozenset):
        if self.cls(path, cid) is None or (path, cid) in seen:
            return None
        found = self.own_method(path, cid, name)
        if found is not None:
            return found
        for base in self.bases(path, cid):
            if type(base) is v.ClassValue:
                found = self.method(base.path, base.cid, name, seen | {(path, cid)})
                if found is not None:
                    return found
        return None

    def class_field(self, path: str, cid: int, name: str, seen: frozenset = frozenset()) -> ir.Field | None:
        if seen:
            return self._class_field(path, cid, name, seen)
        return _memo(self._field_lookups, (path, cid, name), lambda: self._class_field(path, cid, name, seen))

    def _class_field(self, path: str, cid: int, name: str, seen: frozenset) -> ir.Field | None:
        cls = self.cls(path, cid)
        if cls is None or (path, cid) in seen:
            return None
        for member in cls.fields:
            if member.name == name:
                return member
        for base in self.bases(path, cid):
            if type(base) is v.ClassValue:
                found = self.class_field(base.path, base.cid, name, seen | {(path, cid)})
                if found is not None:
                    return found
        return None

    def has_subclasses(self, path: str, cid: int) -> bool:
        """A project class some loaded class derives from: an instance typed as it may be a
        subclass's at run time (a dialect's ``preparer`` overridden per database)."""
        index = getattr(self, "_children", None)
        if index is None or index[0] != len(self.modules):
            children: set = set()
            for module_path in list(self.modules):
                for other in self.modules[module_path].classes:
                    for base in self.bases(module_path, other.cid):
                        if type(base) is v.ClassValue:
                            children.add((base.path, base.cid))
            index = self._children = (len(self.modules), children)
        return (path, cid) in index[1]

    def routed_bases(self) -> frozenset:
        """(path, cid) of the project classes a routed class (a Django class-based view, a DRF view or
        viewset) derives from — its mixins and base views, whose methods run for the routed view's
        requests (``self.kwargs`` in a permission mixin is that view's URL kwargs)."""
        handlers = self._handler_frameworks()
        cached = getattr(self, "_routed_bases", None)
        if cached is not None and cached[0] is handlers:
            return cached[1]
        routed = {(path, function.cls) for path, fid in handlers for function in (self.function(path, fid),)
                  if function is not None and function.cls >= 0}
        found = frozenset(link for path, cid in sorted(routed) for link in self.subclass_chain(path, cid))
        self._routed_bases = (handlers, found)
        return found

    def closed_class(self, path: str, cid: int) -> bool:
        """Every attribute of the class is visible in the project: its bases are project classes (or
        none / ``object``), nothing adds attributes at run time (``__getattr__``, a metaclass, a class
        decorator other than ``@dataclass``, ``X.prototype.y = …`` in its module)."""
        key = (path, cid)
        found = self._closed.get(key) if hasattr(self, "_closed") else None
        if found is not None:
            return found
        if not hasattr(self, "_closed"):
            self._closed = {}
        self._closed[key] = False  # a cycle is not closed
        result = True
        for chain_path, chain_cid in self.subclass_chain(path, cid):
            cls = self.cls(chain_path, chain_cid)
            module = self.modules.get(chain_path)
            if cls is None or module is None or cls.keywords:
                result = False
                break
            for decorator in cls.decorators:
                name = self.static_name(chain_path, decorator.func if type(decorator) is ir.Call else decorator)
                if name not in ("dataclasses.dataclass",):
                    result = False
            for fid in cls.methods:
                function = self.function(chain_path, fid)
                if function is not None and function.name in ("__getattr__", "__getattribute__"):
                    result = False
            for base in self.bases(chain_path, chain_cid):
                if type(base) is v.ClassValue:
                    continue
                if type(base) is v.External and base.name in ("builtins.object", "global:Object"):
                    continue
                result = False
            if module.language != "python" and any(
                    type(node) is ir.Attr and node.name == "prototype" for f in module.functions for node in ir.iter_nodes(f.body)):
                result = False
            if not result:
                break
        self._closed[key] = result
        return result

    def subclass_chain(self, path: str, cid: int) -> list[tuple[str, int]]:
        """The class and its project bases (for field lookups written in a base's ``__init__``);
        computed once per class (the list is shared: callers only read it)."""
        found = self._chains.get((path, cid))
        if found is not None:
            return found
        chain, todo, seen = [], [(path, cid)], set()
        while todo:
            key = todo.pop(0)
            if key in seen:
                continue
            seen.add(key)
            chain.append(key)
            for base in self.bases(*key):
                if type(base) is v.ClassValue:
                    todo.append((base.path, base.cid))
        self._chains[(path, cid)] = chain
        return chain

    # instance fields (written by any method, joined; see interpreter) -------------------------------
    def note_setattr(self, target, key) -> None:
        """``setattr(style, role, func)`` on an instance of a project class: the attribute names it adds
        (``None``: a computed name, any attribute), read once every analysis of record ran."""
        bare = v.strip(target)
        if type(bare) is not v.Instance:
            return
        names = self.setattr_names.setdefault((bare.path, bare.cid), set())
        if names is None:
            return
        options = [v.strip(option) for option in v.options(key)]
        if v.is_constant(key) and all(isinstance(option.value, str) for option in options):
            names.update(option.value for option in options)
        else:
            self.setattr_names[(bare.path, bare.cid)] = None

    def set_by_setattr(self, path: str, cid: int, name: str) -> bool:
        """Whether some ``setattr`` call adds ``name`` to instances of the class (or of a project base)."""
        for link in self.subclass_chain(path, cid):
            if link in self.setattr_names:
                names = self.setattr_names[link]
                if names is None or name in names:
                    return True
        return False

    def field_value(self, path: str, cid: int, name: str):
        return self.field_entry(path, cid, name)[0]

    def field_entry(self, path: str, cid: int, name: str) -> tuple:
        """``(value, (path, cid))``: what was written to the field, and the class whose instances
        it was written on (the class itself or the project base whose table holds it)."""
        reads = self.field_reads[-1] if self.field_reads else None
        for key in self.subclass_chain(path, cid):
            if reads is not None and (key, name) not in reads:
                reads[(key, name)] = self.field_changes
            table = self.fields.get(key)
            if table is not None and name in table:
                return table[name], key
        return None, None

    def write_field(self, path: str, cid: int, name: str, value) -> None:
        """Fields join what every constructor call and method writes; a write of ``UNKNOWN`` (a
        constructor analysed on its own, with no caller's arguments) adds no information and does
        not erase what a composition root passed in."""
        table = self.fields.setdefault((path, cid), {})
        old = table.get(name)
        if old is not None and _uninformative(value):
            return
        if old is not None and _uninformative(old):
            old = None
        new = value if old is None else self._refined_join(old, value)
        if new != old:
            table[name] = new
            self.field_changes += 1
            if _holds_object(new) or (old is not None and _holds_object(old)):
                # a field that only ever held constants, plain containers of them or unknowns decides no call
                # the analyses follow and no handle they track: reading it early does not change what they find
                self.field_changed_at[((path, cid), name)] = self.field_changes

    def _refined_join(self, old, value):
        """Two writes of one field joined, where an instance known from a type annotation only
        (``favorite_repo: IFavoriteRepository``, the constructor analysed on its own) gives way to
        an instance of one of its project subclasses that a composition root passes
        (``FavoriteService(favorite_repo=FavoriteRepository())``): the object held is that
        subclass's, so its methods — not the abstract ones, which do nothing — are what run.
        A ``None`` placeholder (``self.session = None`` in ``__init__``, the session made in ``__aenter__`` /
        ``connect()``; ``self.session = None`` again on close) gives way to the database handle written
        to the field: what the methods using it reach is that handle."""
        for placeholder, other in ((old, value), (value, old)):
            if v.strip(placeholder) == v.Const(None) and not v.tags_of(placeholder) \
                    and type(v.strip(other)) in (v.Db, v.Instance):
                return other
        for typed, other in ((old, value), (value, old)):
            if v.TYPED_ROW_TAG in v.tags_of(typed) and type(v.strip(typed)) is v.Row \
                    and v.TYPED_ROW_TAG not in v.tags_of(other) and type(v.strip(other)) is v.Row \
                    and v.strip(other).model == v.strip(typed).model:
                # a row known from the constructor's annotation only (`def __init__(self, dataset: Dataset)` analysed
                # on its own) gives way to the row a caller's query loaded (argilla's HubDatasetExporter(dataset) after
                # selectinload(Dataset.fields)): the annotation tells nothing of what was loaded
                return other
        for declared, other in ((old, value), (value, old)):
            if DECLARED_TAG not in v.tags_of(declared):
                continue
            concrete = [v.strip(o) for o in v.options(other) if type(v.strip(o)) is v.Instance]
            if not concrete:
                continue
            kept = []
            for option in v.options(declared):
                bare = v.strip(option)
                if type(bare) is v.Instance and any(
                        (c.path, c.cid) != (bare.path, bare.cid) and (bare.path, bare.cid) in self.subclass_chain(c.path, c.cid)
                        for c in concrete):
                    continue
                kept.append(option)
            if len(kept) == len(v.options(declared)):
                continue
            result = other
            for option in kept:
                result = v.join(result, option)
            return result
        return v.join(old, value)

    # module environments --------------------------------------------------------------------------
    def module_env(self, path: str) -> dict:
        """A module's globals after its whole top level ran (interpreted once; a cycle sees what is
        defined so far).  A reader that wants one name asks :meth:`module_global`, which for a
        declarations-only JS/TS module interprets only that name's declaration."""
        env = self._module_envs.get(path)
        if env is not None:
            return env
        if path not in self.modules:
            return {}
        if path in self._module_busy:
            return {}
        from archlint.semantics.interpreter import run_module

        lazy = self.lazy_env(path)
        self._module_busy.add(path)
        computing, self.computing = self.computing, []  # its calls are its own, not the depth of a summary it runs in
        try:
            env = lazy.complete() if lazy is not None else run_module(self, path)
        finally:
            self._module_busy.discard(path)
            self.computing = computing
        self._module_envs[path] = env
        return env

    def lazy_env(self, path: str):
        """The :class:`~archlint.semantics.module_env.LazyModuleEnv` of a JS/TS module whose top level
        only declares names (made on first use), else ``None``: such a module's declarations are
        interpreted one by one as they are read, not all when the first is."""
        lazy = self._lazy_envs.get(path, False)
        if lazy is False:
            from archlint.semantics.module_env import LazyModuleEnv, declarations

            module = self.modules.get(path)
            declared = declarations(module) if module is not None and module.language != "python" else None
            lazy = self._lazy_envs[path] = LazyModuleEnv(self, path, declared) if declared is not None else None
        return lazy

    def _globals(self, path: str) -> dict:
        """The environment :meth:`module_global` reads ``path``'s names from: the whole one once built,
        else the lazy one of a declarations-only module, else the whole one built now."""
        env = self._module_envs.get(path)
        if env is not None:
            return env
        lazy = self.lazy_env(path)
        if lazy is None and path in self._module_busy:
            # the module's own top level is running and calls one of its functions (`const main = async () =>
            # { initControllers(router) … }; main();`): that function reads the globals defined so far
            return self.latest_closures.get((path, 0), {})
        return lazy if lazy is not None else self.module_env(path)

    def commonjs_exports(self, path: str):
        """What a JS module's top level assigned to ``module.exports`` / ``exports.x``, else ``None``.
        A declarations-only module assigns neither (an attribute target is not a declaration), so its
        top level is not run to find out."""
        if self.lazy_env(path) is not None:
            return None
        return self.module_env(path).get("<exports>")

    def module_member(self, path: str, name: str):
        """``from app.db import SessionLocal`` / ``import { db } from './db'`` / ``require('./db').db``."""
        module = self.modules.get(path)
        if module is None:
            return self.submodule(path, name)
        env = self._globals(path)
        if module.language != "python":
            exports = self.commonjs_exports(path)
            if name == "default" and exports is not None:
                return exports
            if name == "default" and "<default>" in env:
                return env["<default>"]
            if exports is not None and type(v.strip(exports)) is v.Record:
                found = v.strip(exports).get(name)
                if found is not None:
                    return found
            for export in module.exports:
                if export.name == name:
                    if export.local:
                        # `export { sequelize, Tag }`: the module's global, an imported binding
                        # included (`import { sequelize } from '../database.js'` re-exported
                        # from models/index.js is the interpreted Sequelize instance)
                        return self.module_global(path, export.local)
                    if export.source and export.source_name == "*":  # export * as users from './users'
                        return self.import_value(path, f"{export.source}:")
                    if export.source:  # `export { knex } from './knex'`: that module's interpreted global
                        return self.import_value(path, f"{export.source}:{export.source_name or name}")
            source = self.js_star_source(path, name)
            if source is not None:  # `export * from './data-source'` in a barrel index.ts
                return self.module_member(source, name)
        return self.module_global(path, name)

    def js_star_source(self, path: str, name: str) -> str | None:
        """The project module an ``export * from './x'`` of ``path`` re-exports ``name`` from (the
        module does not export it itself), else ``None``.  ``export *`` never re-exports ``default``."""
        module = self.modules.get(path)
        if module is None or name == "default" or any(e.name == name for e in module.exports):
            return None
        for export in module.exports:
            if export.name != "*" or not export.source or (path, export.source, name) in self._star_busy:
                continue
            found = self.graph.resolve_binding(path, f"{export.source}:{name}")
            target = self.modules.get(found.file) if found.file else None
            if target is None or target.language == "python":
                continue
            if any(e.name == name for e in target.exports):
                return found.file
            self._star_busy.add((path, export.source, name))
            try:
                if self.js_star_source(found.file, name) is not None:
                    return found.file
            finally:
                self._star_busy.discard((path, export.source, name))
        return None

    def module_global(self, path: str, name: str):
        """The module-level name ``name`` as code *inside* the module reads it: its global, never an
        export of that name (``module.exports = { config: membersConfig }`` in Ghost's members
        service does not make the ``config`` its functions read — ``require('…/shared/config')``
        — the members config provider)."""
        module = self.modules.get(path)
        if module is None:
            return v.UNKNOWN
        env = self._globals(path)
        written = self.globals_written.get(path, {}).get(name)
        if name in env:
            value = env[name]
            binding = self.binding(path, name)
            if binding is not None and _bound_under_condition(module.module.body, name):
                # ``if PYDANTIC_V2: class ModelField: …`` / ``else: from pydantic.fields import ModelField``:
                # imports are not interpreted, so the name is either definition
                value = v.join(value, self.import_value(path, binding))
            return v.join(value, written) if written is not None else value
        if written is not None:
            return written
        binding = self.binding(path, name)
        if binding is not None:
            return self.import_value(path, binding)
        source = self.star_source(path, name) if module.language == "python" else None
        if source is not None:  # `from oscar.apps.catalogue.abstract_models import *`: that module's global
            return self.module_member(source, name)
        return self.module_member_static(path, name)

    def star_source(self, path: str, name: str) -> str | None:
        """The project module a ``from m import *`` of ``path`` takes the public name ``name`` from (the
        last star import defining it wins, as at run time; a module's ``__all__`` list, when it is a
        literal, limits what it exports), else ``None``."""
        if name.startswith("_"):
            return None
        for _line, source in reversed(list(self.star_imports(path))):
            module = self.modules.get(source)
            if module is None or module.language != "python":
                continue
            exported = self._exports[source] if source in self._exports else \
                self._exports.setdefault(source, _literal_all(module.module.body))
            if exported is not None and name not in exported:
                continue
            if _assigns(module.module.body, name) or self.binding(source, name) is not None \
                    or (source, name) not in self._star_busy and self._star_defines(source, name):
                return source
        return None

    def _star_defines(self, path: str, name: str) -> bool:
        self._star_busy.add((path, name))
        try:
            return self.star_source(path, name) is not None
        finally:
            self._star_busy.discard((path, name))

    def import_value(self, path: str, target: str):
        """What an import binding denotes at run time: the imported module's *interpreted* global
        (``SessionLocal = sessionmaker(...)`` is a session factory, not just a call).  A cycle of
        re-exports (``a`` imports ``x`` from ``b``, which imports it from ``a``: nothing defines it)
        is unknown."""
        key = (path, target)
        if key in self._imports_busy:
            return v.UNKNOWN
        self._imports_busy.add(key)
        try:
            return self._import_value(path, target)
        finally:
            self._imports_busy.discard(key)

    def _import_value(self, path: str, target: str):
        found = self.graph.resolve_binding(path, target)
        if found.file is None:
            name = found.external or target
            framework = known(self).request_globals.get(name)
            if framework:  # flask.request: the current request, a context-local
                return v.tag(v.Request(framework), frozenset({v.REQUEST_TAG}))
            if name in known(self).context_globals:
                return v.Context(*known(self).context_globals[name])
            return v.External(name)
        if found.file not in self.modules:
            return v.Module(found.file) if not found.attr else v.UNKNOWN
        if not found.attr:
            return self.module_exports(found.file) if self.language(path) != "python" else v.Module(found.file)
        head, _, rest = found.attr.partition(".")
        value = self.module_member(found.file, head)
        for part in rest.split(".") if rest else ():
            value = self.static_attribute(value, part) if type(value) in (v.Module, v.External, v.ClassValue) else v.UNKNOWN
        return value

    def module_exports(self, path: str):
        """What ``require('./x')`` / a whole-module import evaluates to."""
        module = self.modules.get(path)
        if module is None:
            return v.Module(path)
        if module.language != "python":
            exports = self.commonjs_exports(path)
            if exports is not None:
                return exports
        return v.Module(path)

    # summaries and analyses of record ---------------------------------------------------------------
    def summary_of(self, function: v.Function, args: tuple = (), kwargs: tuple = (), depth: int = 1, step: int = 1):
        """What calling ``function`` with these argument values returns and does (cached).
        Past :data:`MAX_CALL_DEPTH`, or inside a recursive cycle, the answer is ``UNKNOWN``.  ``step``: the levels
        of calls this call adds to its caller's (0 for a delegating method, ``calls.delegating``)."""
        Frame = _late("interpreter").Frame

        definition = self.function(function.path, function.fid)
        # a nested function reads its definers' frames (closure_value joins them): a summary computed
        # when one frame had defined it — `get_repository(ArticlesRepository)`'s `_get_repo` — does not
        # hold once another frame has (`get_repository(CommentsRepository)`), so their count is in the key
        frames = len(self.closures.get((function.path, function.fid), ())) if definition is not None and definition.parent > 0 else 0
        live = self.live_closure(function.path, function.fid) if frames else None
        if live is not None:  # called while its definer runs: that frame's environment decides (see live_closure)
            # the key names the environment by id: kept alive for the run, so no later dict reuses the id
            self.keyed_environments.setdefault(id(live), live)
            frames = (frames, id(live))
        # the client-input tag (AL234) is in the key: a repository's `.get(slug=slug)` raises a missing row on a
        # client's key only when a route handler's parameter reached it, so a summary computed for a caller
        # passing its own value is not the one a handler's call reads (left out, AL234 depended on which of
        # them ran first: agent-drf-generics-layered-bugs reversed).  +0.2 % summaries on Django, +3.5 % on
        # open-webui's backend
        key = _SummaryKey((function, _key_values(args), tuple((k, _key_values((a,))[0]) for k, a in kwargs), frames))
        # a summary is what a call returns with calls followed to MAX_CALL_DEPTH: one computed near the budget
        # misses what its callees do further down, one computed near the top does not.  So a summary records
        # how many levels of calls it needed (``summary_heights``) and is reused wherever that many are left;
        # one the budget cut is kept for the budget it had only, ``(key, left)`` (reused by a shallower
        # caller, or a shallower one reused by a deeper caller, which caller ran first decided the findings:
        # open-webui's backend, AL305 on a request's writes, tests/test_analysis_order.py).  Cost, user CPU of a full
        # check (s46): open-webui's backend +10-15 % (frame runs 20k -> 27k: cut summaries computed again per budget),
        # Django +7 %, wagtail +6 %
        left = MAX_CALL_DEPTH - depth + 1
        found = self.summaries.get(key)
        height = self.summary_heights.get(key, 0) if found is not None else 0
        if found is None or height > left:
            height, found = -1, self.summaries.get((key, left))  # cut at this budget, if computed with it
        if found is not None:
            if self.computing:
                caller = self.computing[-1]
                if height < 0:
                    caller[1] = True
                else:
                    caller[0] = max(caller[0], height + step)
            if self.field_reads:  # a summary reused reads what its computation read, when it read it
                _merge_reads(self.field_reads[-1], self.summary_reads.get(key if height >= 0 else (key, left)))
            return found
        marker = (function.path, function.fid)
        if definition is None or marker in self.stack:
            return UNKNOWN_SUMMARY
        if left < 1:  # past the budget: the summary of the caller holds for its budget only
            if self.computing:
                self.computing[-1][1] = True
            return UNKNOWN_SUMMARY
        self.reached.add(marker)
        self.stack.append(marker)
        tracking = bool(self.field_reads)
        if tracking:
            self.field_reads.append({})
        needed = [1, False]  # levels of calls followed from here, whether the budget cut one
        self.computing.append(needed)
        try:
            summary = Frame(self, function.path, definition, depth).run(args, kwargs, function.bound)
        finally:
            self.stack.pop()
            self.computing.pop()
            if self.computing:
                caller = self.computing[-1]
                caller[0] = max(caller[0], needed[0] + step)
                caller[1] = caller[1] or needed[1]
            if not needed[1]:  # every call it made was followed: the same summary wherever that many levels are left
                self.summary_heights[key] = needed[0]
            else:
                key = (key, left)
            if tracking:
                reads = self.field_reads.pop()
                if reads:
                    self.summary_reads[key] = reads
                    _merge_reads(self.field_reads[-1], reads)
        self.summaries[key] = summary
        return summary

    def default_receiver(self, path: str, function: ir.Function):
        """``self``/``this`` of a method analysed on its own: an instance of its class
        (the class itself for static methods and classmethods)."""
        if function.cls < 0:
            extended = self.extension_receivers.get((path, function.fid))
            if extended is not None:  # `getRepository(User).extend({ byId(id) { return this.findOneBy({ id }) } })`
                return extended
            if function.kind == "function" and self.language(path) != "python" \
                    and self._handler_frameworks().get((path, function.fid)) == "fastify":
                return v.App("fastify")  # a Fastify handler written as a function: `this` is the instance
            return None
        if function.is_static or any(
            type(d) is ir.Name and d.id == "classmethod" for d in function.decorators
        ):
            return v.ClassValue(path, function.cls)
        model = self.model_of_class(path, function.cls)
        if model:  # a model's method: `self` is a row of it (its relations read as relations)
            stack = self.schema.models[model].stack
            # Sequelize/TypeORM/Objection load an association only when the query that made the row asked:
            # on its own the method cannot know what its callers loaded (judged in their contexts instead)
            return v.Row(stack, model, frozenset({"*"}) if stack in ("sequelize", "typeorm", "objection") else frozenset())
        action = _late("frameworks").viewset_action(self, path, function) if self.language(path) == "python" else ""
        if action:  # a DRF viewset's action method: `self.action` is its name while it runs
            return v.tag(v.Instance(path, function.cls), frozenset({"declared", v.DRF_ACTION_TAG + action}))
        # any subclass may be `self` (a mixin's methods call what the class it is mixed into defines)
        return v.tag(v.Instance(path, function.cls), frozenset({"declared"}))

    def handler_arguments(self, path: str, function: ir.Function) -> tuple:
        """A route handler (or middleware) analysed on its own gets the request where its framework passes it:
        Express ``(req, res)``, Koa ``ctx``, Hono ``c``, Fastify ``request``, Django/aiohttp/DRF
        ``request`` (after ``self`` for class views).  FastAPI and Flask handlers take no request
        argument (FastAPI injects by annotation, Flask has the ``request`` global)."""
        plugin = self._fastify_plugins().get((path, function.fid))
        if plugin is not None:  # app.register(plugin): a Fastify plugin gets the (child) instance, not a request
            return (plugin,)
        services = self._injected_services(path, function)
        if services is not None:  # registerInit({ deps: { database: coreServices.database }, async init({ database }) {…} })
            return (services,)
        framework = self._handler_frameworks().get((path, function.fid))
        if framework is None and any(
            self.static_name(path, d.func if type(d) is ir.Call else d) in known(self).aiohttp_middleware
            for d in function.decorators
        ):
            framework = "aiohttp"  # @web.middleware async def auth(request, handler)
        if framework is None and function.name == "dispatch" and function.cls >= 0 and any(
                type(base) is v.External and base.name in known(self).starlette_middleware
                for link in self.subclass_chain(path, function.cls) for base in self.bases(*link)):
            framework = "starlette"  # class DBSession(BaseHTTPMiddleware): async def dispatch(self, request, call_next)
        if framework is None and self.django_middleware_hook(path, function):
            framework = "django"  # class OrganizerMiddleware: def __call__(self, request) / process_request(self, request)
        if framework is None:
            hook = self.context_hook(path, function)
            if hook is not None and hook[1] == "app":  # @app.before_server_start async def setup(app, loop)
                return (v.App(hook[0]),)
            framework = hook[0] if hook is not None else None  # @app.on_request async def open_session(request)
        if framework is None or framework in ("fastapi", "flask", "quart", "litestar", "nestjs"):
            return ()
        tags = {v.REQUEST_TAG}
        if self.replaced_body(path, function.fid) is not None:  # validate(schema) before it on every route
            tags.add(f"{v.BODY_REPLACED_TAG}{path}:{function.fid}")
        return (v.tag(v.Request(framework), frozenset(tags)),)

    def _injected_services(self, path: str, function: ir.Function):
        """The object a framework calls an ``init`` function with when it is registered with its dependencies by
        service ref (``env.registerInit({ deps: { database: coreServices.database }, async init({ database }) {…} })``,
        semantics.toml ``service_inits``): each key of ``deps`` holds the DB handle its ref injects, other keys stay
        unknown; ``None`` when the function is no such ``init``."""
        library = self.library
        if not library.service_inits or function.parent < 0 or self.language(path) == "python":
            return None
        outer = self.function(path, function.parent)
        if outer is None:
            return None
        for method in sorted(library.service_inits):
            for call in self.calls_named(outer, method=method):
                options = call.arg(0)
                if type(options) is not ir.Obj:
                    continue
                entries = {entry.key: entry.value for entry in options.entries if isinstance(entry.key, str)}
                init, deps = entries.get("init"), entries.get("deps")
                if type(init) is not ir.FuncRef or init.fid != function.fid or type(deps) is not ir.Obj:
                    continue
                found = []
                for entry in deps.entries:
                    if not isinstance(entry.key, str) or type(entry.value) not in (ir.Name, ir.Attr):
                        continue
                    ref = v.strip(self.static_value(path, entry.value))
                    handle = library.service_refs.get(ref.name) if type(ref) is v.External else None
                    if handle is not None:
                        found.append((entry.key, handle))
                return v.Record(tuple(sorted(found)))
        return None

    def replaced_body(self, path: str, fid: int):
        """What a route handler reads as the request body when every route it serves runs a middleware that
        stored one (``router.put('/x', validate(schema), handler)`` with ``req.body = value`` in the
        middleware, ``Program.body_writes``): the join of those values, else ``None`` (a route without
        such a middleware hands the handler the client's own body).  A middleware a factory made at the
        registration is run with that call's arguments (``validate(createSchema)`` on one route,
        ``validate(updateSchema)`` on the next: each route's body is what its own schema returns)."""
        found = None
        for middlewares in self._route_middleware().get((path, fid), ()):
            written = None
            for middleware, pin in middlewares:
                if type(middleware) is v.Function:
                    held = self._pinned_body_write(middleware, pin) if pin is not None else None
                    if held is None:
                        self._run_body_writer(middleware)
                        held = self.body_writes.get((middleware.path, middleware.fid))
                    if held is not None:
                        written = held  # the last one to write the body decides
            if written is None:
                return None
            found = written if found is None else v.join(found, written)
        return found

    def record_body(self, path: str, fid: int, value) -> None:
        if self._pinned_body and self._pinned_body[-1][0] == (path, fid):
            self._pinned_body[-1][1].append(value)
            return
        held = self.body_writes.get((path, fid))
        self.body_writes[(path, fid)] = value if held is None else v.join(held, value)

    def _pinned_body_write(self, middleware: v.Function, pin: tuple):
        """What the middleware stores as the body when its factory's parameters hold the arguments of the
        call that made it at the registration (``pin``: the registration's key and argument index, and
        that environment), else ``None``."""
        key = (middleware.path, middleware.fid, pin[0])
        if key in self.pinned_body_writes:
            return self.pinned_body_writes[key]
        self.pinned_body_writes[key] = None  # while it runs (a recursive ask reads the general answer)
        function = self.function(middleware.path, middleware.fid)
        if function is None or not function.params or not _writes_body(function, function.params[0].name):
            return None
        marker = (middleware.path, middleware.fid)
        self.keyed_environments.setdefault(id(pin[1]), pin[1])
        previous = self.pinned_closures.get(marker)
        self.pinned_closures[marker] = pin[1]
        self._pinned_body.append((marker, []))
        try:
            self.summary_of(v.Function(middleware.path, middleware.fid), self.handler_arguments(middleware.path, function))
        finally:
            _marker, values = self._pinned_body.pop()
            if previous is None:
                self.pinned_closures.pop(marker, None)
            else:
                self.pinned_closures[marker] = previous
        found = None
        for value in values:
            found = value if found is None else v.join(found, value)
        self.pinned_body_writes[key] = found
        return found

    def _factory_environment(self, registration, index: int, middleware: v.Function):
        """The environment of the factory call that made ``middleware`` as argument ``index`` of the
        registration (``validate(updateArticleSchema)``): the factory's parameters bound to that call's
        arguments, each a module-level name of the registering module; ``None`` when the argument is no
        such call of the function enclosing the middleware."""
        path, node = registration[0], registration[1]
        if index >= len(node.args) or type(node.args[index].value) is not ir.Call:
            return None
        call = node.args[index].value
        definition = self.function(middleware.path, middleware.fid)
        factory = self.function(middleware.path, definition.parent) if definition is not None and definition.parent > 0 else None
        if factory is None or factory.kind == "module" or any(a.kind != "pos" for a in call.args):
            return None
        module = self.modules.get(path)
        around = ir.innermost_function(module, call.span) if module is not None else None
        env = {}
        for param, arg in zip(factory.params, call.args):
            root = arg.value
            while type(root) is ir.Attr:
                root = root.obj
            if param.kind not in ("pos", "posonly") or param.target is not None or type(root) is not ir.Name:
                return None
            if around is not None and around.kind != "module" and around.scope_of(root.id) != "outer":
                return None  # a local or parameter of the registering function, not a module-level name
            value = self._global_chain(path, arg.value)
            if value is None or type(v.strip(value)) is v.Unknown:
                return None
            env[param.name] = value
        return env or None

    def _global_chain(self, path: str, node):
        """``schema`` / ``schemas.article.create`` read at module level of ``path``: the global, then the
        entries of object literals and the members of modules it holds; ``None`` past anything else."""
        if type(node) is ir.Name:
            return self.module_global(path, node.id)
        if type(node) is not ir.Attr:
            return None
        base = self._global_chain(path, node.obj)
        bare = v.strip(base) if base is not None else None
        if type(bare) is v.Record:
            return bare.get(node.name)
        if type(bare) is v.Module:
            return self.module_member(bare.path, node.name)
        return None

    def _route_middleware(self) -> dict:
        """(path, fid) of a route handler -> the middleware of each route it serves, as (function, pin)
        pairs: the app/router ``use`` middleware registered before it (:func:`web.used_before`), then the
        route's own, ``pin`` the factory call's environment (:meth:`_pin`) or ``None`` (built once per set of
        registrations seen)."""
        from archlint.semantics.routes import collect_static

        stamp = (len(self.route_calls), len(self.repeated_route_calls))
        cached = getattr(self, "_middleware_index", None)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        from archlint.semantics import web

        index: dict = {}
        registered = web.registration_index(self, static=True)  # read once for every route below
        for route in collect_static(self):
            if type(route.handler) is v.Function:
                registration = web.registration_of(self, route)
                used = tuple((m, None) for m in web.used_before(self, registration, route, True, registered)) \
                    if registration is not None else ()
                own = tuple((m, self._pin(route, m)) for m in route.middleware)
                index.setdefault((route.handler.path, route.handler.fid), []).append(used + own)
        self._middleware_index = (stamp, index)
        return index

    def _pin(self, route, middleware):
        """(registration key and argument index, environment) of a middleware a factory call made in place
        at the route's registration, else ``None``."""
        if type(middleware) is not v.Function:
            return None
        found = self.route_calls.get((route.file, route.span))
        if found is None:
            return None
        for index, value in enumerate(found[3]):
            if v.strip(value) == middleware:
                env = self._factory_environment(found, index, middleware)
                return ((route.file, route.span, index), env) if env is not None else None
        return None

    def _run_body_writer(self, middleware: v.Function) -> None:
        """Run, once, a route middleware that assigns its request's body (syntax decides which), so
        ``body_writes`` holds what it stores before the handlers after it are analysed (a middleware
        module off the database path is analysed late, after the handlers)."""
        key = (middleware.path, middleware.fid)
        if key in self.body_writes or key in self._body_probed:
            return
        self._body_probed.add(key)
        function = self.function(middleware.path, middleware.fid)
        if function is None or not function.params or not _writes_body(function, function.params[0].name):
            return
        self.summary_of(v.Function(middleware.path, middleware.fid), self.handler_arguments(middleware.path, function))

    def context_hook(self, path: str, function: ir.Function) -> tuple[str, str] | None:
        """``(framework, "request" | "app")`` for a function a decorator registers as a request hook
        (Sanic ``@app.on_request`` / ``@app.on_response`` / ``@bp.middleware("response")``) or a server listener
        (``@app.before_server_start``, ``@app.listener("main_process_start")``) of that framework's application
        (``frameworks.toml`` ``context_request_hooks`` / ``context_app_hooks``), else None."""
        hooks = _late("interpreter").known(self).context_hooks
        if not hooks or self.language(path) != "python":
            return None
        for decorator in function.decorators:
            func = decorator.func if type(decorator) is ir.Call else decorator
            if type(func) is not ir.Attr:
                continue
            for framework, kinds in hooks.items():
                kind = next((kind for kind, names in kinds.items() if func.name in names), None)
                if kind is None:
                    continue
                app = v.strip(self.static_value(path, func.obj)) if type(func.obj) in (ir.Name, ir.Attr) else None
                if type(app) is not v.App and type(func.obj) is ir.Name:
                    app = self._factory_local(path, function, func.obj.id) or app  # app = Sanic(…) in create_app()
                made_by = self.library.app(app.name) if type(app) is v.External else ""  # app = Sanic("conduit")
                if type(app) is v.App and app.framework == framework or made_by == framework:
                    return framework, kind
        return None

    def _factory_local(self, path: str, function: ir.Function, name: str):
        """What the function enclosing ``function`` (an app factory) binds ``name`` to when it is a call of a
        library callable (``app = Sanic("conduit")``): that call's external, else None."""
        functions = self.modules[path].functions
        if not 0 < function.parent < len(functions):
            return None
        for statement in functions[function.parent].body:
            if type(statement) is ir.Assign and type(statement.value) is ir.Call \
                    and any(type(t) is ir.Name and t.id == name for t in statement.targets):
                called = self.static_name(path, statement.value.func)
                return v.External(f"{called}()") if called else None
        return None

    def django_middleware_hook(self, path: str, function: ir.Function) -> bool:
        """``__call__`` / ``process_request`` / ``process_view`` of a Django middleware class (listed in the
        ``MIDDLEWARE`` setting, or based on ``MiddlewareMixin``): Django passes it each request first."""
        if function.cls < 0 or function.name not in ("__call__", "process_request", "process_view") \
                or self.language(path) != "python":
            return False
        from archlint.semantics import exception_handlers

        names = exception_handlers.known(self)
        classes = self.memoised("django_middleware", lambda: exception_handlers._settings_middleware(self, names))
        return any(link in classes or any(type(base) is v.External and base.name in names.middleware_bases
                                          and base.name.startswith("django.") for base in self.bases(*link))
                   for link in self.subclass_chain(path, function.cls))

    def _fastify_plugins(self) -> dict:
        """(path, fid) -> the Fastify instance a plugin passed to ``app.register(plugin)`` receives,
        or that ``@fastify/autoload`` loads from a folder (``register(AutoLoad, { dir: path.join(__dirname,
        'routes') })``, the fastify-cli layout): each module's exported function there.

        Asked for every function analysed, while registrations are still being recorded: each
        registration (``route_calls`` only grows, an entry never changes) is read once, and a
        plugin keeps the first registering call in (path, span) order, as a sorted pass would.
        An autoloaded folder's modules are listed once; what they export is read on every ask
        (it depends on the modules loaded so far)."""
        memo = self.memoised("fastify_memo", lambda: {"seen": 0, "first": {}, "found": {}, "autoload": []})
        fresh = list(islice(self.route_calls, memo["seen"], None))  # a module loaded below may register more
        if not fresh and not memo["autoload"]:
            return memo["found"]
        first = memo["first"]
        for key in fresh:
            path, node, app, values = self.route_calls[key]
            if node.method != "register" or type(v.strip(app)) is not v.App or v.strip(app).framework != "fastify":
                continue
            order = (key[0], key[1])
            site = v.App("fastify", f"{path}:{node.span.line}:{node.span.column}")
            for value in values:
                plugin = v.strip(value)
                if type(plugin) is v.Function:
                    _keep_first(first, (plugin.path, plugin.fid), order, site)
            loader = v.strip(values[0]) if values else None
            folder = _autoload_folder(path, node) if type(loader) is v.External and loader.name.startswith("@fastify/autoload") else None
            if folder:
                modules = [module for module in sorted(self.graph.modules)
                           if module.startswith(folder) and self.graph.modules.get(module) is not None
                           and not module.endswith(".d.ts") and module.rsplit(".", 1)[-1] in ("js", "mjs", "cjs", "ts", "mts", "cts")]
                memo["autoload"].append((order, site, modules))
        memo["seen"] += len(fresh)
        found = dict(first)
        for order, site, modules in memo["autoload"]:
            for module in modules:
                plugin = v.strip(self.module_member(module, "default")) if module in self.modules else None
                if type(plugin) is not v.Function:
                    plugin = v.strip(self.module_exports(module)) if module in self.modules else None
                if type(plugin) is v.Function and plugin.path == module:
                    _keep_first(found, (plugin.path, plugin.fid), order, site)
        memo["found"] = {plugin: site for plugin, (_order, site) in found.items()}
        return memo["found"]

    def handler_functions(self) -> dict:
        """(path, fid) of every route handler (and route middleware) -> its framework."""
        return self._handler_frameworks()

    def allow_listing_pipe(self, framework: str) -> bool:
        """The app installs a global validation pipe that strips what a DTO does not declare
        (``app.useGlobalPipes(new ValidationPipe({ whitelist: true }))``, or a provider
        ``{ provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true }) }`` / ``useClass`` /
        ``useFactory``: ``frameworks.toml`` ``validation_pipes``/``global_pipe_methods``/
        ``global_pipe_tokens``/``allow_list_options`` of ``framework``), read from the IR of the
        production modules once per run."""
        memo = self.memoised("allow_listing_pipes", dict)
        if framework in memo:
            return memo[framework]
        from archlint.domain.datalayer import non_production

        data = self.library.framework_data.get(framework, {})
        methods, tokens = (frozenset(data.get(key, ())) for key in ("global_pipe_methods", "global_pipe_tokens"))
        found = False
        for path, module in self.modules.items() if data.get("validation_pipes") else ():
            if module.language == "python" or non_production(path):
                continue
            roots = [function.body for function in module.functions] + [cls.decorators for cls in module.classes]  # @Module({ providers })
            for root in roots:
                for node in ir.iter_nodes(root):
                    if type(node) is ir.Call and node.method in methods:
                        found = found or any(self.allow_listing_pipe_value(path, arg.value, framework) for arg in node.args)
                    elif type(node) is ir.Obj and tokens and any(
                            e.key == "provide" and self.static_name(path, e.value) in tokens for e in node.entries):
                        found = found or any(self._provided_pipe(path, e, framework) for e in node.entries)
                if found:
                    break
            if found:
                break
        memo[framework] = found
        return found

    def stripped_body_handlers(self, framework: str) -> frozenset:
        """(path, fid) of the route handlers whose request body the framework replaces with a schema's parsed
        output that keeps only declared keys: the app installs such a validator compiler
        (``app.setValidatorCompiler(validatorCompiler)`` of fastify-type-provider-zod, ``frameworks.toml``
        ``validator_compilers``) and the route's options declare ``schema: { body: S }`` with ``S`` a
        stripping schema (``z.object({…})``, ``stripping_body_schemas``) to which no method keeping unknown
        keys (``.passthrough()``, ``keeping_schema_methods``) is applied.  Read from the IR once per run."""
        memo = self.memoised("stripped_bodies", dict)
        if framework in memo:
            return memo[framework]
        from archlint.domain.datalayer import non_production

        data = self.library.framework_data.get(framework, {})
        compilers, setters = (frozenset(data.get(key, ())) for key in ("validator_compilers", "validator_compiler_methods"))
        modules = [(path, module) for path, module in self.modules.items()
                   if module.language != "python" and not non_production(path)] if compilers else []
        installed = any(
            type(node) is ir.Call and node.method in setters and node.args
            and self.static_name(path, node.args[0].value) in compilers
            for path, module in modules for function in module.functions for node in ir.iter_nodes(function.body))
        found: set = set()
        for path, module in modules if installed else ():
            for function in module.functions:
                for node in ir.iter_nodes(function.body):
                    if type(node) is ir.Call and type(node.func) is ir.Attr:
                        self._stripped_route(path, node, data, found)
        memo[framework] = frozenset(found)
        return memo[framework]

    def validated_targets(self, framework: str) -> dict:
        """(path, fid) of a route handler -> {target: (path, schema expression)}: the validator middlewares
        (``frameworks.toml`` ``validator_middlewares``) among the route's arguments, ``zValidator('json', s)``
        in ``app.put(url, zValidator('json', s), handler)``, whose parsed output the handler reads as
        ``c.req.valid('json')``.  Read from the IR once per run."""
        memo = self.memoised("validated_targets", dict)
        if framework in memo:
            return memo[framework]
        from archlint.domain.datalayer import non_production

        middlewares = frozenset(self.library.framework_data.get(framework, {}).get("validator_middlewares", ()))
        found: dict = {}
        for path, module in self.modules.items() if middlewares else ():
            if module.language == "python" or non_production(path):
                continue
            for function in module.functions:
                for node in ir.iter_nodes(function.body):
                    if type(node) is not ir.Call or type(node.func) is not ir.Attr:
                        continue
                    positional = [a.value for a in node.args if a.kind == "pos"]
                    targets = {}
                    for arg in positional[:-1]:
                        inner = [a.value for a in arg.args if a.kind == "pos"] if type(arg) is ir.Call else []
                        if (len(inner) >= 2 and type(inner[0]) is ir.Const and isinstance(inner[0].value, str)
                                and self.static_name(path, arg.func) in middlewares):
                            targets[inner[0].value] = (path, inner[1])
                    handler = positional[-1] if targets else None
                    if type(handler) is ir.FuncRef:
                        found[(path, handler.fid)] = targets
                    elif type(handler) in (ir.Name, ir.Attr):
                        target = v.strip(self.static_value(path, handler))
                        if type(target) is v.Function:
                            found[(target.path, target.fid)] = targets
        memo[framework] = found
        return found

    def _stripped_route(self, path: str, call: ir.Call, data: dict, found: set) -> None:
        """``app.post(url, { schema: { body } }, handler)`` / ``app.route({ schema: { body }, handler })``."""
        positional = [a.value for a in call.args if a.kind == "pos"]
        for options in positional:
            if type(options) is not ir.Obj:
                continue
            schema = next((e.value for e in options.entries if e.key == "schema"), None)
            body = next((e.value for e in schema.entries if e.key == "body"), None) if type(schema) is ir.Obj else None
            if body is None or not self._stripping_schema(path, body, data, 0):
                continue
            handler = next((e.value for e in options.entries if e.key == "handler"), None)
            if handler is None and positional[-1] is not options:
                handler = positional[-1]
            if type(handler) is ir.FuncRef:
                found.add((path, handler.fid))
            elif type(handler) in (ir.Name, ir.Attr):
                target = v.strip(self.static_value(path, handler))
                if type(target) is v.Function:
                    found.add((target.path, target.fid))

    def stripping_schema(self, path: str, node, framework: str) -> bool:
        """``node`` builds a schema whose parsed output keeps only declared keys, by ``framework``'s
        ``stripping_body_schemas`` and ``keeping_schema_methods`` (nested ``.passthrough()`` keeps them)."""
        return self._stripping_schema(path, node, self.library.framework_data.get(framework, {}), 0)

    def _stripping_schema(self, path: str, node, data: dict, depth: int) -> bool:
        """``node`` builds a schema whose parsed output keeps only declared keys (see ``stripped_body_handlers``);
        a name is followed to its module-level definition, here or through an import."""
        if depth > 4:
            return False
        if type(node) is ir.Name:
            module = self.modules.get(path)
            statement = self._last_assignments(path, module.module).get(node.id) if module is not None else None
            if statement is not None:
                return self._stripping_schema(path, statement.value, data, depth + 1)
            binding = self.binding(path, node.id)
            target = self.graph.resolve_binding(path, binding) if binding else None
            if target is None or target.file is None or target.file not in self.modules or not target.attr:
                return False
            return self._stripping_schema(target.file, ir.Name(target.attr.rsplit(".", 1)[-1], node.span), data, depth + 1)
        keeping = frozenset(data.get("keeping_schema_methods", ()))
        if any(type(inner) is ir.Call and inner.method in keeping for inner in ir.iter_nodes(node)):
            return False
        head = node
        while type(head) is ir.Call and type(head.func) is ir.Attr and type(head.func.obj) is ir.Call:
            head = head.func.obj  # z.object({…}).strict(): the chain's first call builds the schema
        return type(head) is ir.Call and self.static_name(path, head.func) in frozenset(data.get("stripping_body_schemas", ()))

    def _provided_pipe(self, path: str, entry, framework: str) -> bool:
        """One entry of a ``{ provide: APP_PIPE, … }`` provider: ``useValue: new ValidationPipe({…})``,
        ``useClass: StrictPipe`` (a subclass whose constructor passes the options to ``super``) or
        ``useFactory: () => new ValidationPipe({…})``."""
        if entry.key == "useValue":
            return self.allow_listing_pipe_value(path, entry.value, framework)
        if entry.key == "useClass":
            return self._allow_listing_pipe_class(path, entry.value, framework)
        if entry.key == "useFactory" and type(entry.value) is ir.FuncRef:
            factory = self.function(path, entry.value.fid)
            return factory is not None and any(
                type(node) is ir.Return and node.value is not None and self.allow_listing_pipe_value(path, node.value, framework)
                for node in ir.iter_nodes(factory.body))
        return False

    def allow_listing_pipe_value(self, path: str, node, framework: str) -> bool:
        """``node`` (written in ``path``) makes a validation pipe that strips what a DTO does not declare:
        ``new ValidationPipe({ whitelist: true })``, ``new StrictPipe()`` of a subclass calling
        ``super({ whitelist: true })``, or a module-level name bound to one of those."""
        data = self.library.framework_data.get(framework, {})
        pipes, options = (frozenset(data.get(key, ())) for key in ("validation_pipes", "allow_list_options"))
        if type(node) is ir.Name and self.modules.get(path) is not None:
            statement = self._last_assignments(path, self.modules[path].module).get(node.id)
            return statement is not None and type(statement.value) is ir.Call and self.allow_listing_pipe_value(path, statement.value, framework)
        if type(node) is not ir.Call or not node.new:
            return False
        if self.static_name(path, node.func) in pipes:
            return _allow_list_options(node, options)
        return self._allow_listing_pipe_class(path, node.func, framework)

    def _allow_listing_pipe_class(self, path: str, node, framework: str) -> bool:
        """``class StrictPipe extends ValidationPipe { constructor() { super({ whitelist: true }) } }``."""
        data = self.library.framework_data.get(framework, {})
        pipes, options = (frozenset(data.get(key, ())) for key in ("validation_pipes", "allow_list_options"))
        cls_value = v.strip(self.static_value(path, node)) if type(node) in (ir.Name, ir.Attr) else None
        cls = self.cls(cls_value.path, cls_value.cid) if type(cls_value) is v.ClassValue else None
        if cls is None or not any(self.static_name(cls_value.path, base) in pipes for base in cls.bases):
            return False
        for fid in cls.methods:
            method = self.function(cls_value.path, fid)
            if method is not None and method.name == "constructor":
                return any(type(call) is ir.Call and type(call.func) is ir.Name and call.func.id == "super"
                           and _allow_list_options(call, options) for call in ir.iter_nodes(method.body))
        return False

    def _handler_frameworks(self) -> dict:
        """(path, fid) of each route handler and middleware -> its framework.  Built again whenever more
        registrations were recorded since: a router made in a factory that nothing at module level calls
        (``export function createRouter() { const router = Router(); router.put(…, handler) … }``, the host
        calling it from a start-up callback) registers its routes only while the factory is analysed, and a
        table built before that handed those handlers no request."""
        stamp = (len(self.route_calls), len(self.repeated_route_calls), len(self.param_loaders))
        cached = getattr(self, "_handlers", None)
        found = cached[1] if cached is not None and cached[0] == stamp else None
        if found is None:
            from archlint.semantics.routes import collect_static

            found = {}
            self._handlers = (stamp, found)
            for path, node, _app, _values in self.route_calls.values():  # handle(async (req, res) => …)
                for arg in node.args:
                    wrapped = arg.value
                    if type(wrapped) is ir.Call:
                        for inner in wrapped.args:
                            if type(inner.value) is ir.FuncRef:
                                found.setdefault((path, inner.value.fid), _app.framework if type(_app) is v.App else "")
            for key, framework in self.param_loaders.items():  # router.param(name, loader): (req, res, next, value)
                found.setdefault(key, framework)
            for route in collect_static(self):
                handler = route.handler
                for middleware in route.middleware:  # app.use(auth) / app.get('/x', auth, handler)
                    if type(middleware) is v.Function:
                        found.setdefault((middleware.path, middleware.fid), route.framework)
                if type(handler) is v.Function:
                    found.setdefault((handler.path, handler.fid), route.framework)
                elif type(handler) is v.ClassValue:
                    cls = self.cls(handler.path, handler.cid)
                    for fid in cls.methods if cls is not None else ():
                        found.setdefault((handler.path, fid), route.framework)
        return found

    @property
    def sequelize_cls(self) -> bool:
        """The project calls ``Sequelize.useCLS(namespace)``: transactions reach queries implicitly."""
        found = getattr(self, "_sequelize_cls", None)
        if found is None:
            found = self._sequelize_cls = any(
                type(node) is ir.Call and node.method == "useCLS"
                for path in list(self.modules) if self.modules[path].language != "python"
                for function in self.modules[path].functions for node in ir.iter_nodes(function.body)
            )
        return found

    def table_variable(self, path: str, name: str) -> str:
        """The SQL name of the table a variable holds — a Drizzle table (``export const articles =
        sqliteTable('articles', …)``) or a SQLAlchemy Core ``users = Table("users", metadata, …)``,
        here or through an import — else ``""``: a query's rows are then rows *of* that table, as
        knex's are."""
        memo = self.memoised("table_variables", dict)
        key = (path, name)
        if key not in memo:
            memo[key] = ""
            file, attr = path, name
            for _hop in range(5):  # an import, then re-exports (`export { x } from`, `export * from`) of a barrel
                module = self.modules.get(file) if file is not None else None
                if module is None:
                    break
                defined = _table_definition(module, attr)
                if defined is not None:
                    memo[key] = defined
                    break
                binding = self.binding(file, attr)
                export = next((e for e in module.exports if e.name == attr and e.source), None) \
                    if module.language != "python" else None
                if binding is None and export is not None:
                    binding = f"{export.source}:{export.source_name or attr}"
                if binding is not None:
                    target = self.graph.resolve_binding(file, binding)
                    file, attr = target.file, (target.attr or attr).split(".")[-1]
                    continue
                star = self.js_star_source(file, attr) if module.language != "python" else None
                if star is None:
                    break
                file = star
        return memo[key]

    def declared_type(self, path: str, name: str):
        """``(module, type expression)`` of the TypeScript interface or type alias ``name`` means in module
        ``path`` (``ModuleIR.types``): declared there, or imported from the project module declaring it
        (``import { RouterOptions } from './router'``); else ``None``."""
        memo = self.memoised("declared_types", dict)
        key = (path, name)
        if key not in memo:
            memo[key] = self._declared_type(path, name)
        return memo[key]

    def _declared_type(self, path: str, name: str):
        module = self.modules.get(path)
        if module is None or module.language == "python":
            return None
        for declared, value in module.types:
            if declared == name:
                return path, value
        target = next((t for local, t in module.bindings if local == name), None)
        if target is None:
            return None
        found = self.graph.resolve_binding(path, target)
        other = self.modules.get(found.file) if found.file is not None and found.attr and "." not in found.attr else None
        for declared, value in other.types if other is not None else ():
            if declared == found.attr:
                return found.file, value
        return None

    def implementation_of(self, interface: str):
        """The class value of the one class in the program that declares ``implements <interface>``
        (TypeScript), else ``None`` (none, or several: which one a container injects is not known)."""
        found = self.memoised("implementations", self._implementations).get(interface, [])
        return v.ClassValue(*found[0]) if len(found) == 1 else None

    def relational_table(self, member: str) -> str:
        """The SQL name of the table ``db.query.<member>`` reads: Drizzle's relational API is keyed
        by the schema object's keys, the export names of the table variables (``import * as schema``)
        — the one project module-level ``<member> = …Table('name', …)``; ``""`` when none or several."""
        memo = self.memoised("relational_tables", dict)
        if member not in memo:
            found = set()
            for path in sorted(self.modules):
                if self.language(path) == "python":
                    continue
                table = self.table_variable(path, member)
                if table:
                    found.add(table)
            memo[member] = next(iter(found)) if len(found) == 1 else ""
        return memo[member]

    def routes(self) -> list:
        """Every route registered in the program (see :mod:`.routes`), computed once."""
        found = getattr(self, "_routes", None)
        if found is None:
            from archlint.semantics.routes import collect

            found = self._routes = collect(self)
        return found

    def exception_handlers(self) -> tuple:
        """Every application-level exception handler of the program (see :mod:`.exception_handlers`), recorded once."""
        found = getattr(self, "_exception_handlers", None)
        if found is None:
            from archlint.semantics.exception_handlers import collect

            found = self._exception_handlers = collect(self)
        return found

    def _analyse_module(self, path: str, functions=None, top: bool = True) -> list:
        """The analyses of record of ``path``: its top level (unless ``top`` is false) and its functions
        (``functions``, by default all of them)."""
        run_module = _late("interpreter").run_module

        module = self.modules[path]
        results = []
        if top:
            env_analysis = Analysis(path, module.module)
            self.field_reads.append({})  # what the summaries it computes read (the top level itself runs once)
            try:
                run_module(self, path, env_analysis)
            finally:
                self.field_reads.pop()
            results.append(env_analysis)
        # a nested function reads the frames that defined it (``closures``): it is analysed after its definer,
        # whatever the order of the others
        for function in _definers_first(_root_order(module.functions[1:] if functions is None else functions)):
            if (path, function.fid) in self.loop_callbacks:
                continue
            results.append(self._analyse_root(path, function))
        return results

    def _analyse_root(self, path: str, function: ir.Function):
        """The analysis of record of one function; the fields it read (and when) are kept in ``root_reads``."""
        Frame = _late("interpreter").Frame

        self.exited_sessions = set()
        analysis = Analysis(path, function)
        self.stack.append((path, function.fid))
        self.field_reads.append({})
        try:
            analysis.summary = Frame(self, path, function, 1, analysis).run(
                self.handler_arguments(path, function), bound=self.default_receiver(path, function)
            )
        finally:
            self.stack.pop()
            self.root_reads.append((analysis, self.field_reads.pop()))
        return analysis

    def _settle_fields(self, results: list) -> None:
        """Class fields join what every analysis writes (``self.session`` of a repository a DI provider
        builds), so an analysis that read a field before a later one changed it saw less than one run after:
        what it finds depended on the order they ran in.  Those analyses run again, with the summaries that
        read such a field dropped, until no field read changes after (five rounds at most)."""
        for _round in range(_FIELD_ROUNDS):
            changed = self.field_changed_at
            stale = [n for n, (_analysis, reads) in enumerate(self.root_reads)
                     if any(changed.get(field, 0) > seen for field, seen in reads.items())]
            if not stale:
                return
            # a summary that read a field changed since is computed again; the others hold as they are
            for key, reads in list(self.summary_reads.items()):
                if any(changed.get(field, 0) > seen for field, seen in reads.items()):
                    del self.summary_reads[key]
                    self.summaries.pop(key, None)
            positions = {id(analysis): n for n, analysis in enumerate(results)}
            runs = self.root_reads
            self.root_reads = []
            for n in stale:
                old = runs[n][0]
                results[positions[id(old)]] = self._analyse_root(old.path, old.function)
                runs[n] = self.root_reads.pop()
            self.root_reads = runs

    def _context_writers(self, paths) -> list:
        """Functions that may store a DB handle in a framework context slot, with the arguments their
        framework passes them, run once before the analyses so every handler, analysed in any order,
        reads the slot (syntax only decides which functions to run early)."""
        found: dict = {}
        for path in paths:
            module = self.modules[path]
            if module.language == "python":
                for function in module.functions[1:]:
                    request = [p.name for p in function.params if p.kind in ("pos", "posonly")][1:2]
                    if request and self.django_middleware_hook(path, function) \
                            and _writes_context(function, request[0], known(self).context_calls):
                        # request.organizer = Organizer.objects.get(…) in a Django middleware: views read that row
                        found.setdefault((path, function.fid), (path, function, self.handler_arguments(path, function)))
                hooks = [function for function in module.functions[1:] if self.context_hook(path, function) is not None]
                for function in hooks:  # Sanic: request.ctx.session = … in @app.on_request, app.ctx.x = … in a listener
                    found.setdefault((path, function.fid), (path, function, self.handler_arguments(path, function)))
                for function in self._python_context_writers(module):
                    # a hook nested in an app factory reads the factory's names (`app`, `engine`): the
                    # factory runs first, so the hook's closure holds them
                    enclosing = []
                    parent = function.parent
                    while 0 < parent < len(module.functions) and len(enclosing) < 5:
                        enclosing.append(module.functions[parent])
                        parent = module.functions[parent].parent
                    for outer in reversed(enclosing):
                        found.setdefault((path, outer.fid), (path, outer, self.handler_arguments(path, outer)))
                    # an aiohttp middleware gets the request (`request['session'] = session` with no annotation)
                    found.setdefault((path, function.fid), (path, function, self.handler_arguments(path, function)))
                continue
            express = any(target.split(":", 1)[0] == "express" for _name, target in module.bindings)
            fastify = any(target.split(":", 1)[0] in known(self).fastify_modules for _name, target in module.bindings)
            nested = _nested_functions(module)
            for function in module.functions[1:]:
                first = function.params[0].name if function.params else ""
                arguments = self.handler_arguments(path, function) \
                    if first and _writes_context_nested(nested, function, first, known(self).context_calls) else ()
                if not arguments and first and fastify and _decorates(function, first):
                    # a plugin nothing in the project registers (fastify-cli loads app.js; @fastify/autoload its folders)
                    arguments = (v.App("fastify", f"{path}:{function.span.line}:{function.span.column}"),)
                if arguments:  # req.db = db / ctx.state.db = db / c.set('db', db) in a middleware, fastify.decorate('db', …)
                    found[(path, function.fid)] = (path, function, arguments)
                elif express and _sets_setting(function):  # app.set('sequelize', sequelize) in start()
                    found.setdefault((path, function.fid), (path, function, ()))
        return list(found.values())

    @staticmethod
    def _python_context_writers(module) -> list:
        """Python functions that fill a framework context namespace (``g.db = …``, ``app['db'] = …``,
        ``app.state.pool = …``, ``request.state.db = …``, ``setattr(g, "db", conn)``) or run / register
        the code that does (``app.on_startup.append(init_db)``, ``app.add_event_handler("startup", f)``,
        ``db.init_app(app)``, which registers Flask-SQLAlchemy in ``app.extensions``)."""
        frameworks = {target.split(":", 1)[0].split(".", 1)[0] for _name, target in module.bindings}
        if not frameworks & {"flask", "quart", "aiohttp", "fastapi", "starlette"}:
            return []
        return [function for function in module.functions[1:]
                if any(_python_context_write(node) or _request_item_write(node, function) for node in ir.iter_nodes(function.body))]

        return found

    def memoised(self, key: str, compute):
        """``compute()``, once per program: an analysis that several checks read (AL809's unawaited
        calls, which AL201 also skips) is run by the first that asks."""
        cache = self.__dict__.setdefault("_memoised", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def node_index(self, function: ir.Function) -> NodeIndex:
        """The :class:`NodeIndex` of ``function``'s body, built on first use and kept for the run: the
        schema, the exception handlers, the Flask teardown hooks, AL602 and the request discriminants
        read calls by name and assignments from it instead of each walking every function again."""
        cache = self.memoised("node_indexes", dict)
        found = cache.get(id(function))
        if found is not None and found[0] is function:
            return found[1]
        index = _node_index(function)
        cache[id(function)] = (function, index)  # the function is kept: its id is not reused
        return index

    def assigned_names(self, function: ir.Function) -> frozenset:
        """The names the assignments of ``function``'s body bind (nested functions excluded), from its
        :class:`NodeIndex`: a parameter among them no longer holds what the caller passed."""
        return frozenset(name for node in self.node_index(function).assigns
                         for target in node.targets for name in ir.target_names(target))

    def nodes_of(self, function: ir.Function, kind: type) -> tuple:
        """The nodes of type ``kind`` (one of :data:`_KEPT_KINDS`) in ``function``'s body, nested
        functions excluded, in source order: one walk per function for the run, whichever rules ask."""
        cache = self.memoised("kind_tables", dict)
        found = cache.get(id(function))
        if found is None or found[0] is not function:
            table: dict = {}
            for node in ir.iter_nodes(function.body):
                if type(node) in _KEPT_KINDS:
                    table.setdefault(type(node), []).append(node)
            found = cache[id(function)] = (function, {k: tuple(nodes) for k, nodes in table.items()})  # the function kept: its id is not reused
        return found[1].get(kind, ())

    def calls_named(self, function: ir.Function, method: str = "", name: str = "") -> list:
        """The calls ``x.method(…)`` (or ``name(…)``) in ``function``'s body, in source order."""
        index = self.node_index(function)
        return index.methods.get(method, ()) if method else index.functions.get(name, ())

    def calls_by_span(self, function: ir.Function) -> dict:
        """The calls of ``function``'s body (nested functions excluded) by their span, from its
        :class:`NodeIndex` — for the rules that find the call an effect or a registration names by
        position, instead of walking the body again for each."""
        return {node.span: node for node in self.node_index(function).ordered if type(node) is ir.Call}

    def assigned_paths(self, path: str, function: ir.Function) -> frozenset:
        """Names and attribute chains the function assigns (see ``discriminants.py``), once per function."""
        cache = self.memoised("assigned", dict)
        key = (path, function.fid)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _assigned_paths(self.node_index(function).assigns)
        return found

    def _implementations(self) -> dict:
        """interface -> (path, cid) of each class declaring ``implements`` it."""
        index: dict = {}
        for path in sorted(self.modules):
            module = self.modules[path]
            for cls in module.classes:
                for name in getattr(cls, "implements", ()):
                    index.setdefault(name, []).append((path, cls.cid))
        return index

    def call_record(self, path: str, span):
        """The :class:`~archlint.semantics.records.CallRecord` of the call at ``span`` in ``path`` as its
        function's analysis of record saw it (IR node, receiver and argument values), else ``None``:
        what rules about a call's arguments read instead of its text."""
        by_span = self.memoised("call_records", self._call_records).get(path)
        return by_span.get(span) if by_span is not None else None

    def _call_records(self) -> dict:
        """path -> span -> record: no (path, span) key tuple per call (tens of thousands)."""
        index: dict = {}
        for analysis in self.analyses():
            by_span = index.get(analysis.path)
            if by_span is None:
                by_span = index[analysis.path] = {}
            for record in analysis.calls:
                by_span.setdefault(record.node.span, record)
        return index

    def _analyse_reached(self, initial: list) -> list:
        """The analyses of record of the deep files (``initial``: every function), then of the modules
        loaded on demand, each for the functions an analysis reached (see :func:`_reached_functions`),
        until no analysis reaches a new one: a library module an import went through (a barrel, a
        helper, a schema builder) is read where a deep file calls it, not analysed whole, while a
        service a composition root built (its class) or a route handler calls keeps its analyses."""
        results: list = []
        deep = set(initial)
        later = self.modules.later
        # every deep module once, in load order, then the loaded ones (only the newly loaded ones are
        # read after each module, so a tree of thousands of modules is not rescanned per module)
        queue = deque(_root_order(list(dict.fromkeys(initial + later))))
        queued = set(queue)
        read = len(later)
        loaded: list[str] = []
        done: set = set()  # (path, fid) analysed of record
        tops: set[str] = set()  # loaded modules whose top level was analysed of record

        def queue_loaded() -> None:
            """Queue the modules the last analyses loaded (only those: ``later`` is never rescanned)."""
            nonlocal read
            fresh = later[read:]
            read += len(fresh)
            for loaded_path in fresh:
                if loaded_path not in queued:
                    queued.add(loaded_path)
                    queue.append(loaded_path)

        while True:
            while queue:
                path = queue.popleft()
                if path in deep:
                    results.extend(self._analyse_module(path))
                else:
                    loaded.append(path)
                queue_loaded()
            progress = False
            for path in loaded:
                functions = _reached_functions(self, path, self.modules[path], done)
                if not functions:
                    continue
                progress = True
                done.update((path, function.fid) for function in functions)
                results.extend(self._analyse_module(path, functions, top=path not in tops))
                tops.add(path)
                queue_loaded()
            if not progress and not queue:
                return results

    def analyses(self) -> list:
        """Every function's analysis of record, in its default calling context, after a pre-pass
        over module top levels and constructors (the fields and globals they set)."""
        cached = getattr(self, "_analyses", None)
        if cached is not None:
            return cached
        # Pre-pass: module top levels and constructors write instance fields and module globals
        # (`self.repo = repo`, `db = SessionLocal()`) that methods analysed later read.
        initial = sorted(self.modules)
        from archlint.semantics.containers import flush_registries, wire, wire_providers, wire_registries

        wire_registries(self)  # a hand-written `register(name, factory)` container, before the modules resolving from it
        for path in initial:
            if self.lazy_env(path) is None:
                # (a declarations-only JS/TS module is skipped: a method reads its globals lazily, and
                # its top level's analysis of record runs the declarations' calls, whose field
                # writes the settling rounds then propagate)
                self.module_env(path)
            for function in self.modules[path].functions:
                if function.cls >= 0 and function.name in ("__init__", "constructor"):
                    self.summary_of(v.Function(path, function.fid, v.Instance(path, function.cls)))
        flush_registries(self)  # registered by a module the pre-pass ran
        wire(self)  # awilix: the constructors and factories a container builds, run with its cradle
        wire_providers(self)  # python-dependency-injector: the classes a declarative container provides
        deep = set(initial)  # (membership: `initial` is a list of hundreds of paths)
        autoloading = [p for p in sorted(self.graph.modules) if p not in deep
                       and any(e.external and e.target.startswith("@fastify/autoload") for e in self.graph.out_edges(p))]
        for path in autoloading:  # the fastify-cli app.js: nothing imports it, it wires the folders autoload reads
            if path in self.modules:
                self.module_env(path)
        writers = self._context_writers(initial + [p for p in autoloading if p in self.modules])
        # what start-up code stores on the application first, then what per-request hooks store from
        # it (`g.session = current_app.extensions['sessionmaker']()` in a before_request hook)
        writers.sort(key=lambda item: self.modules[item[0]].language == "python" and (
            _request_level_writer(item[1]) or (self.context_hook(item[0], item[1]) or ("", ""))[1] == "request"))
        for path, function, arguments in writers:
            # a Django middleware's hook is a method: Django calls it on the instance it built
            bound = v.Instance(path, function.cls) if self.django_middleware_hook(path, function) else None
            self.summary_of(v.Function(path, function.fid, bound), arguments)  # req.db = db in a middleware, g.db = … in get_db()
        for (path, fid), instance in sorted(self._fastify_plugins().items()):
            self.summary_of(v.Function(path, fid), (instance,))  # an autoloaded plugin decorates, registers its routes
        self.__dict__.pop("_handlers", None)  # registrations made by the functions just run count too
        self.summaries.clear()
        results: list = []
        # every module once, in load order: the ones an analysis loads join the end of the queue
        # (only the newly loaded ones are read after each module, so a tree of thousands of
        # modules is not rescanned per module)
        results.extend(self._analyse_reached(initial))
        self._settle_fields(results)
        self.root_reads, self.summary_reads = [], {}  # read by the rounds only
        # the checks read the analyses in this order, and several keep the first of equal things they meet (AL601's
        # query per place, ``call_record``): by module and function, not by the order they ran in (label-studio:
        # an N+1's queries listed in another order, open-webui: an `execute` on Channel or on nothing, reversed)
        results.sort(key=lambda analysis: (analysis.path, analysis.fid))
        from archlint.semantics.frameworks import framework_analyses

        self.exited_sessions = set()
        results.extend(framework_analyses(self))
        for analysis in results:
            analysis.compact()
        self._analyses = results
        return results


def _uninformative(value) -> bool:
    """A field write that adds nothing: ``UNKNOWN``, or an object of unknowns (``this.repos = { articles, users }``
    in a constructor analysed on its own, the destructured parameters unknown) — what a composition root passed
    stays the field's value."""
    if v.is_unknown(value) and not v.tags_of(value):
        return True
    bare = v.strip(value)
    return type(bare) is v.Record and not v.tags_of(value) and bool(bare.items) \
        and all(_uninformative(item) for _key, item in bare.items)


def _holds_object(value) -> bool:
    """Whether ``value`` may be an object the analyses follow (a handle, a row, an instance, a function, a
    library object) or name a session (its identity tags), rather than only constants, containers of them
    and unknowns (see ``Program.write_field``)."""
    for option in v.options(value):
        if any(t.startswith(v.IDENTITY_TAGS) or t.startswith("sess:") for t in v.tags_of(option)):
            return True
        bare = v.strip(option)
        kind = type(bare)
        if kind is v.Unknown or kind is v.Const:
            continue
        if kind is v.Object:
            if bare.kind.startswith("rowmap"):
                return True
            continue
        if kind is v.Record:
            if any(_holds_object(item) for _key, item in bare.items):
                return True
            continue
        if kind is v.Tuple:
            if any(_holds_object(item) for item in bare.items):
                return True
            continue
        if kind is v.Items:
            if _holds_object(bare.item):
                return True
            continue
        return True
    return False


def _merge_reads(into: dict, reads) -> None:
    """``reads`` (field -> when first read) added to ``into``, keeping the earlier time of each field."""
    if reads:
        for field, seen in reads.items():
            known = into.get(field)
            if known is None or seen < known:
                into[field] = seen


def _reached_functions(program: Program, path: str, module, done: set) -> list:
    """The functions of ``path`` (a module loaded on demand) not yet analysed of record that an
    analysis reached: called (a summary asked for), a method of a class it built, or nested in one."""
    from archlint.semantics.routes import declared_handlers

    reached, instantiated = program.reached, program.instantiated
    declared = program.memoised("declared_handlers", dict)
    handlers, controllers = declared.get(path) or declared.setdefault(path, declared_handlers(program, path, module))
    chosen: set[int] = set()
    picked = []
    for function in module.functions[1:]:
        parent = function.parent
        if (path, function.fid) in reached or function.fid in handlers or (parent > 0 and parent in chosen) \
                or (function.cls >= 0 and ((path, function.cls) in instantiated or function.cls in controllers
                                           or _constructed(program, path, function.cls))):
            chosen.add(function.fid)  # (a function's definer comes before it in the table)
            if (path, function.fid) not in done:
                picked.append(function)
    return picked


def _constructed(program: Program, path: str, cid: int) -> bool:
    """A constructor of the class ran (a container built it: awilix ``asClass``, ``loadModules``)."""
    constructor = program.method(path, cid, "__init__") or program.method(path, cid, "constructor")
    return constructor is not None and (constructor.path, constructor.fid) in program.reached


def _definers_first(functions) -> list:
    """``functions`` in their order, except that a nested function waits for the function that defines it."""
    out: list = []
    emitted: set = set()
    waiting: dict = {}
    pending = [(f, False) for f in reversed(functions)]
    while pending:
        function, ready = pending.pop()
        if not ready and function.parent > 0 and function.parent not in emitted:
            waiting.setdefault(function.parent, []).append(function)
            continue
        out.append(function)
        emitted.add(function.fid)
        pending.extend((f, True) for f in reversed(waiting.pop(function.fid, ())))
    return out + [f for group in waiting.values() for f in group]  # a definer not in the list: as they came


def _keep_first(found: dict, plugin: tuple, order: tuple, site) -> None:
    """Record ``site`` as ``plugin``'s Fastify instance unless a registration earlier in (path, span) order did."""
    if plugin not in found or order < found[plugin][0]:
        found[plugin] = (order, site)


def _python_context_write(node) -> bool:
    """A statement that may fill a Python framework context slot or run / register the code that does."""
    kind = type(node)
    if kind is ir.Assign:
        return any(_context_target(t) for t in node.targets)
    if kind is not ir.Call:
        return False
    if type(node.func) is ir.Name:
        return node.func.id == "setattr" and bool(node.args) and type(node.arg(0)) is ir.Name and node.arg(0).id == "g"  # setattr(g, "db", conn)
    if type(node.func) is not ir.Attr:
        return False
    if node.func.name == "append" and type(node.func.obj) is ir.Attr:
        return node.func.obj.name in ("on_startup", "cleanup_ctx", "on_cleanup", "on_shutdown")  # app.on_startup.append(init_db)
    return node.func.name in ("add_event_handler", "init_app")




def _request_level_writer(function) -> bool:
    """A Python function storing into a per-request namespace (``g.x = …``, ``request['x'] = …``,
    ``request.state.x = …``) and into no application-level one."""
    request_level = app_level = False
    params = {param.name for param in function.params}
    for node in ir.iter_nodes(function.body):
        if type(node) is not ir.Assign:
            continue
        for target in node.targets:
            if type(target) is ir.Attr and type(target.obj) is ir.Name and target.obj.id == "g":
                request_level = True
            elif type(target) is ir.Index and type(target.obj) is ir.Name and target.obj.id in params and target.obj.id not in ("app", "application"):
                request_level = True
            elif type(target) is ir.Attr and type(target.obj) is ir.Attr and target.obj.name == "state" and \
                    type(target.obj.obj) is ir.Name and target.obj.obj.id in ("request", "req"):
                request_level = True
            elif _context_target(target) or type(target) is ir.Index and type(target.obj) is ir.Attr and target.obj.name == "extensions":
                app_level = True
    return request_level and not app_level


def _request_item_write(node, function) -> bool:
    """``request['session'] = session`` in an aiohttp middleware: an item stored on a parameter."""
    if type(node) is not ir.Assign:
        return False
    params = {param.name for param in function.params}
    return any(type(t) is ir.Index and type(t.obj) is ir.Name and t.obj.id in params for t in node.targets)


def _context_target(target) -> bool:
    """An assignment target that may store into a context namespace: ``g.x``, ``….state.x``, ``x[key]``,
    ``app.extensions[key]``."""
    if type(target) is ir.Attr:
        return type(target.obj) is ir.Name and target.obj.id == "g" or type(target.obj) is ir.Attr and target.obj.name == "state"
    return type(target) is ir.Index and (type(target.obj) is ir.Name and target.obj.id in ("app", "application")
                                         or type(target.obj) is ir.Attr and target.obj.name in ("app", "extensions"))


def _allow_list_options(call, options: frozenset) -> bool:
    """The pipe's first argument is an object literal setting one of ``options`` to ``true``."""
    first = call.args[0].value if call.args else None
    return type(first) is ir.Obj and any(
        e.key in options and type(e.value) is ir.Const and e.value.value is True for e in first.entries)


def _autoload_folder(path: str, node: ir.Call) -> str | None:
    """``dir: path.join(__dirname, 'routes')`` in ``register(AutoLoad, {…})`` → ``<dir of path>/routes/``."""
    options = node.arg(1)
    if type(options) is not ir.Obj:
        return None
    target = next((e.value for e in options.entries if e.key == "dir"), None)
    if type(target) is not ir.Call or not target.args or not _module_directory(target.args[0].value):
        return None
    parts = [a.value.value for a in target.args[1:] if type(a.value) is ir.Const and isinstance(a.value.value, str)]
    if len(parts) != len(target.args) - 1 or not parts:
        return None
    base = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    folder = "/".join(p.strip("/") for p in parts if p.strip("/") not in (".", ""))
    return base + folder + "/" if folder and ".." not in folder else None


def _module_directory(node) -> bool:
    """The directory of the module the expression is written in: CommonJS ``__dirname``, or the ES-module spelling
    ``dirname(fileURLToPath(import.meta.url))`` (``path.dirname`` / ``url.fileURLToPath`` of Node's own modules)."""
    if type(node) is ir.Name:
        return node.id == "__dirname"
    if type(node) is not ir.Call or len(node.args) != 1 or node.short_name != "dirname":
        return False
    inner = node.args[0].value
    if type(inner) is not ir.Call or len(inner.args) != 1 or inner.short_name != "fileURLToPath":
        return False
    url = inner.args[0].value
    return type(url) is ir.Attr and url.name == "url" and type(url.obj) is ir.Name and url.obj.id == "import.meta"


def _rows_of_one_model(value) -> bool:
    """A slot holding rows of one model (a middleware's ``req.user = await User.findByPk(id)``)."""
    rows = [v.strip(option) for option in v.options(value)]
    return bool(rows) and all(type(row) is v.Row and row.model for row in rows) and len({row.model for row in rows}) == 1


def _db_like(value) -> bool:
    """A slot value handlers may read as what was stored: DB handles and models (or a bag of them),
    or — every write alike — the objects a composition root builds around them: a project object (a
    service, a repository) or a container of them (``c.set('container', { articleService })``,
    ``ctx.state.services = services``, ``fastify.decorate('services', { articles })``), whose
    methods then run with the values the root gave their constructors.  A slot holding a handle on
    one path and some project object on another (a demo stub connection) is neither."""
    options = v.options(value)
    if any(type(v.strip(option)) is v.Unknown for option in options):
        return False
    kinds = {_slot_kind(v.strip(option)) for option in options}
    return len(kinds) == 1 and None not in kinds


def _slot_kind(bare) -> str | None:
    if type(bare) in (v.Db, v.ModelClass):
        return "handle"
    if type(bare) is v.Instance:
        return "object"
    if type(bare) is v.Record:
        if any(_handle_item(item) for _key, item in bare.items):
            return "handle"  # app.context.models = { Article, User } / req.models = require('./models') (sequelize-cli)
        if any(type(v.strip(item)) is v.Instance for _key, item in bare.items):
            return "object"  # { articleService, userService }
    return None


def _handle_item(item) -> bool:
    """A member that makes an object a bag of DB handles: a handle or model, or the Sequelize class
    sequelize-cli's ``models/index.js`` puts next to its models (``db.Sequelize = Sequelize``)."""
    bare = v.strip(item)
    return type(bare) in (v.Db, v.ModelClass) or type(bare) is v.External and bare.name in ("sequelize:", "sequelize:Sequelize", "sequelize:default")




def _writes_body(function: ir.Function, first: str) -> bool:
    """``first.body = …`` / ``first.request.body = …`` (Koa) in the function's own body, or ``first`` passed to
    a call (``validateRequest(req, next, schema)`` may store it) (syntax only: which middleware to run before
    the handlers)."""
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Call and any(type(arg.value) is ir.Name and arg.value.id == first for arg in node.args):
            return True
        if type(node) is ir.Assign:
            for target in node.targets:
                if type(target) is not ir.Attr or target.name != "body":
                    continue
                obj = target.obj.obj if type(target.obj) is ir.Attr and target.obj.name == "request" else target.obj
                if type(obj) is ir.Name and obj.id == first:
                    return True
    return False


def _writes_context(function: ir.Function, first: str, context_calls: frozenset) -> bool:
    """``first.x = …`` / ``first.state.x = …`` / ``first.context.x = …`` / ``first.set('x', …)`` /
    ``first.decorate('x', …)`` in the function's own body (syntax only: which functions to run early)."""
    for node in ir.iter_nodes(function.body):
        if type(node) is ir.Assign:
            for target in node.targets:
                obj = target.obj if type(target) is ir.Attr else None
                if type(obj) is ir.Attr and obj.name in ("state", "context", "locals"):
                    obj = obj.obj
                if type(obj) is ir.Name and obj.id == first:
                    return True
        elif type(node) is ir.Call and node.method in context_calls and type(node.func) is ir.Attr \
                and type(node.func.obj) is ir.Name and node.func.obj.id == first and len(node.args) == 2 \
                and type(node.arg(0)) is ir.Const and isinstance(node.arg(0).value, str):
            return True
    return False


def _nested_functions(module) -> dict[int, list]:
    """fid -> the functions written directly inside it (the JS lowering numbers bodies breadth-first, so a
    function's descendants are not the fids right after it)."""
    nested: dict[int, list] = {}
    for inner in module.functions[1:]:
        nested.setdefault(inner.parent, []).append(inner)
    return nested


def _writes_context_nested(nested: dict, function: ir.Function, first: str, context_calls: frozenset) -> bool:
    """:func:`_writes_context` in the function or in a callback written inside it that still sees ``first``:
    a ``router.param`` loader or a middleware storing the row from its promise's callback
    (``Article.findOne({ slug }).then((article) => { req.article = article; next() })``) runs early too, so a
    handler in a module analysed before it reads the row."""
    pending = [function]
    while pending:
        current = pending.pop()
        if _writes_context(current, first, context_calls):
            return True
        pending.extend(inner for inner in nested.get(current.fid, ()) if not any(p.name == first for p in inner.params))
    return False


def _decorates(function: ir.Function, first: str) -> bool:
    """``first.decorate(…)`` / ``first.decorateRequest(…)`` / ``first.register(…)``: a Fastify plugin's body."""
    return any(type(node) is ir.Call and node.method in ("decorate", "decorateRequest", "register") and type(node.func) is ir.Attr
               and type(node.func.obj) is ir.Name and node.func.obj.id == first for node in ir.iter_nodes(function.body))


def _sets_setting(function: ir.Function) -> bool:
    """``x.set('key', value)`` in the function's body: an Express application setting, maybe."""
    return any(type(node) is ir.Call and node.method == "set" and len(node.args) == 2
               and type(node.arg(0)) is ir.Const and isinstance(node.arg(0).value, str) for node in ir.iter_nodes(function.body))


def _assigns(body: tuple, name: str) -> bool:
    """Whether a module's top level (or an ``if``/``try`` in it) assigns ``name``."""
    for statement in body:
        kind = type(statement)
        if kind is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets):
            return True
        if kind in (ir.If, ir.Try) and any(type(node) is ir.Assign and any(type(t) is ir.Name and t.id == name for t in node.targets)
                                           for node in ir.iter_nodes(statement)):
            return True
    return False


def _conditional_definition(body: tuple, name: str):
    """The value of the one assignment of ``name`` inside the module's top-level ``if``/``try``
    blocks, when the module assigns it nowhere else (``None`` for none or several)."""
    found = []
    for statement in body:
        if type(statement) in (ir.If, ir.Try):
            found.extend(node.value for node in ir.iter_nodes(statement) if type(node) is ir.Assign and node.value is not None
                         and any(type(t) is ir.Name and t.id == name for t in node.targets))
    return found[0] if len(found) == 1 else None


def _literal_all(body: tuple):
    """The names of a literal ``__all__ = [...]`` (plus ``__all__.append("X")`` / ``+=`` are not
    followed: ``None`` then means no limit only when there is no ``__all__`` at all)."""
    for statement in body:
        if type(statement) is ir.Assign and any(type(t) is ir.Name and t.id == "__all__" for t in statement.targets):
            value = statement.value
            if type(value) is ir.Seq and all(type(e) is ir.Const and isinstance(e.value, str) for e in value.elts):
                names = {e.value for e in value.elts}
                appended = any(type(node) is ir.Call and type(node.func) is ir.Attr and type(node.func.obj) is ir.Name
                               and node.func.obj.id == "__all__" for s in body for node in ir.iter_nodes(s))
                return None if appended else names
            return None
    return None


def _bound_under_condition(body: tuple, name: str) -> bool:
    """Whether a module's top level assigns ``name`` (a ``class``/``def`` is an assignment in the
    IR) only inside an ``if``/``try`` — a definition that may not be the one that runs."""
    nested = False
    for statement in body:
        kind = type(statement)
        if kind is ir.Assign and any(type(t) is ir.Name and t.id == name for t in statement.targets):
            return False
        if kind in (ir.If, ir.Try) and not nested:
            nested = any(type(t) is ir.Name and t.id == name
                         for node in ir.iter_nodes(statement) if type(node) is ir.Assign for t in node.targets)
    return nested


def _table_definition(module: ir.ModuleIR, name: str) -> str | None:
    """The SQL name in ``name = …Table('articles', …)`` (or ``sa.Table(…)``) at the top of ``module`` (``""`` when it is
    not a literal), else ``None``: the module does not define ``name`` as a table."""
    for statement in module.module.body:
        value = statement.value if type(statement) is ir.Assign else None
        callee = value.func if type(value) is ir.Call else None
        # `Table(…)` / `sa.Table(…)` / `sqlalchemy.Table(…)`
        if (type(callee) is ir.Name and callee.id.endswith("Table") or type(callee) is ir.Attr and callee.name.endswith("Table")) \
                and any(type(t) is ir.Name and t.id == name for t in statement.targets):
            first = value.arg(0)
            return first.value if type(first) is ir.Const and isinstance(first.value, str) else ""
    return None


def _knows_nothing(value) -> bool:
    """A closure frame's value that tells nothing of the name: unknown, an unknown parameter, or an object built
    only from such (``const deps = { userRepository, articleRepository }`` in a factory analysed on its own, with
    its parameters unknown) — joined with the frame that knows them (the composition root's call), it would turn
    their repositories into unknowns."""
    if type(value) is v.Unknown or _unknown_parameter(value):
        return True
    bare = v.strip(value)
    if type(bare) is v.Record:
        return bool(bare.items) and all(_knows_nothing(item) for _key, item in bare.items)
    if type(bare) is v.Tuple:
        return bool(bare.items) and all(_knows_nothing(item) for item in bare.items)
    return False


def _unknown_parameter(value) -> bool:
    """An unknown value that only marks a parameter of the function analysed on its own (AL220's
    ``param:<name>`` / ``parameter-key`` tags): like a bare unknown, a frame that holds it knows nothing
    of the name, so it adds nothing to a closure's join (joined, it would turn the request body another
    frame passed — ``{ ...data, slug }`` in a transaction callback — into an unknown)."""
    return type(value) is v.Tagged and type(value.value) is v.Unknown and all(
        t == v.PARAMETER_KEY_TAG or t.startswith(v.PLAIN_PARAMETER_TAG) for t in value.tags)


_LATE: dict = {}


def _late(name: str):
    """The semantics module ``name`` — ``interpreter``, ``frameworks`` or ``restx``, modules that import this
    one, so a module-level import here would be a cycle — imported on first use and then read from a
    dict: an import statement in a function body costs microseconds per call (a check of the module's
    spec each time), and ``summary_of`` alone runs ~46k times on Django.  The imports are spelled out
    (no ``importlib``) so that archlint's own layers check sees these edges."""
    found = _LATE.get(name)
    if found is None:
        if name == "interpreter":
            from archlint.semantics import interpreter as found
        elif name == "frameworks":
            from archlint.semantics import frameworks as found
        else:
            from archlint.semantics import restx as found
        _LATE[name] = found
    return found


class _SummaryKey:
    """A summary's key with its hash computed once: a call looks its key up in ``summaries``, then
    ``summary_heights`` and often ``summaries`` again under ``(key, left)`` — and stores it in three tables
    when computed —, and each lookup hashed the whole tuple of argument values again (rows, records,
    unions: ~4 µs a key on Django, ~150,000 hashes a run).  Equal exactly when the tuples are."""

    __slots__ = ("parts", "hash")

    def __init__(self, parts: tuple) -> None:
        self.parts = parts
        self.hash = hash(parts)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other) -> bool:
        return type(other) is _SummaryKey and self.hash == other.hash and self.parts == other.parts

    def __repr__(self) -> str:
        return f"_SummaryKey({self.parts!r})"


def _key_values(values: tuple) -> tuple:
    """The values as a summary's key holds them: without the tags AL220's call graph reads of a caller's
    plain parameter or found key (``param:<name>``, ``checked-key``): what a caller passes is judged from
    its own analysis (``semantics/callers.py``), so a callee is not analysed again for each caller's
    parameter name.  The client-input tag stays (see ``Program.summary_of``)."""
    if not any(type(value) is v.Tagged and _keyless(value.tags) != value.tags for value in values):
        return values
    out = []
    for value in values:
        if type(value) is v.Tagged:
            rest = _keyless(value.tags)
            if rest != value.tags:
                value = v.Tagged(value.value, rest) if rest else value.value
        out.append(value)
    return tuple(out)


_KEYLESS: dict = {}


def _keyless(tags: frozenset) -> frozenset:
    """``tags`` without the ones a summary's key leaves out (once per distinct tag set: asked for every
    argument of every call of a project function)."""
    found = _KEYLESS.get(tags)
    if found is None:
        found = tags
        if any(t == v.CHECKED_KEY_TAG or t.startswith((v.PLAIN_PARAMETER_TAG, v.FOUND_FILTER_TAG)) for t in tags):
            # (and the filter a row was found by: it speaks of the caller's names, nothing the callee reads)
            found = frozenset(t for t in tags if t != v.CHECKED_KEY_TAG and not t.startswith((v.PLAIN_PARAMETER_TAG, v.FOUND_FILTER_TAG)))
        if len(_KEYLESS) > 50_000:
            _KEYLESS.clear()
        _KEYLESS[tags] = found
    return found


def _memo(table: dict, key, compute):
    """``table[key]``, computed once per run (None is an answer too: a method no class of the chain has)."""
    if key in table:
        return table[key]
    found = table[key] = compute()
    return found


def _destructured_key(statement, name: str) -> str | None:
    """The property ``name`` is bound to when ``statement`` is a destructuring ``const { key: name } = …``
    (``const { model } = mongoose``), else ``None``."""
    for target in statement.targets:
        if type(target) is ir.Obj:
            for entry in target.entries:
                if type(entry.key) is str and type(entry.value) is ir.Name and entry.value.id == name:
                    return entry.key
    return None
