"""Data-layer facts derived from per-file facts: DB handles, DB access sites, ORM models.

Import rules cannot see a route that receives ``db: Session = Depends(get_db)`` and calls
``db.execute(...)`` — nothing suspicious is imported.  So archlint *types receivers*: it follows
each name back to where it came from —

* a constructor from the knowledge tables (``create_engine``, ``sessionmaker``, ``new Pool``,
  ``new PrismaClient``, ``sqlite3.connect``), at module level or in a function, in this file or
  in an imported module (``from app.db import SessionLocal``);
* a derived object (``SessionLocal()`` → session, ``engine.connect()`` → connection,
  ``conn.cursor()`` → cursor, ``db.session`` on Flask-SQLAlchemy);
* a parameter annotation (``db: Session``, ``repo: Repository<User>``, TS parameter properties)
  or a FastAPI ``Depends(provider)`` whose provider yields a session;
* ``self.x`` / ``this.x`` assigned from any of the above in any method of the class;
* an ORM model recognised structurally (Django ``X.objects``, Flask-SQLAlchemy ``X.query``,
  Sequelize ``X.findAll`` on a model defined with ``define``/``init``/``extends Model``).

A *DB access site* is then a call of a DB-touching method on a typed receiver.  All of this is
a pure function of the facts, the module graph and ``rules/knowledge/access.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from archlint.domain import indexes, ir
from archlint.domain.arguments import refers_to
from archlint.domain.callers import ImportedNames, callers
from archlint.domain.facts import Assign, CallSite, FileFacts, Span
from archlint.domain.graph import ModuleGraph
from archlint.domain.knowledge import Knowledge, module_matches
from archlint.domain.layers import glob_match, non_production  # noqa: F401  (re-exported: the checks import it from here)
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.orm_models import SQLA_BASE_FACTORIES, Model, canonical, find_models, is_abstract_base
from archlint.domain.records import NamedTuple


_SCHEMA_FUNCTIONS = frozenset({"create_all", "drop_all"})  # passed to run_sync: a schema access
_RUNS_CALLABLE = frozenset({"run_sync", "run_callable"})  # AsyncConnection/AsyncSession.run_sync, 1.x Connection.run_callable


class Typed(NamedTuple):
    stack: str
    kind: str


# in DbAccess.flags: `owner=<path>` — the query ran through a method a project class inherits from the
# library handle (`class ArticleRepository extends Repository<Article>`), the class defined in <path>
OWNER_FLAG = "owner="


def access_owner(flags: str) -> str:
    """The path of the project class an access ran through (:data:`OWNER_FLAG`), else ``""``."""
    return next((word[len(OWNER_FLAG):] for word in flags.split() if word.startswith(OWNER_FLAG)), "")


class DbAccess(NamedTuple):
    """A call that talks to the database."""

    path: str
    stack: str
    kind: str  # the receiver's object kind: session, connection, cursor, model, pool, …
    method: str
    category: str  # query | write | transaction | connect | schema
    callee: str
    span: Span
    scope: str
    flags: str


class Construct(NamedTuple):
    """Creation of a DB handle (engine, pool, client, session factory, session, connection)."""

    path: str
    stack: str
    kind: str
    callee: str
    span: Span
    scope: str
    target: str  # the name it is assigned to ("" when not assigned)


@dataclass(slots=True)
class DataLayer:
    """The data layer of a project: DB accesses, constructs and ORM models."""
    accesses: list[DbAccess] = field(default_factory=list)
    constructs: list[Construct] = field(default_factory=list)
    models: dict[str, Model] = field(default_factory=dict)  # by class / model name (first definition)
    all_models: list[Model] = field(default_factory=list)  # every class model, same-named ones too
    module_objects: dict[str, dict[str, Typed]] = field(default_factory=dict)
    analysed: frozenset[str] = frozenset()  # files that had data-layer signals
    _by_path: dict[str, list[DbAccess]] | None = None

    def accesses_in(self, path: str) -> list[DbAccess]:
        """Indexed once (a scan per call was quadratic: 0.5 s on a 1,700-file data layer)."""
        if self._by_path is None:
            self._by_path = {}
            for access in self.accesses:
                self._by_path.setdefault(access.path, []).append(access)
        return self._by_path.get(path, [])


# Helpers ------------------------------------------------------------------------------------
def production(path: str) -> bool:
    """Code that serves requests: the complement of :func:`non_production` (a filter for routes)."""
    return not non_production(path)


def call_of(facts: FileFacts, site) -> CallSite | None:
    """The call behind an access site / construct (same span and callee); indexed, since checks
    ask for every access."""
    return indexes.first(facts.calls, indexes.by_site, (site.span, site.callee))


_SEGMENT = re.compile(r"([A-Za-z_$#][\w$]*)(\(\))?")
_ANNOTATION_TOKEN = lazy_compile(r"[A-Za-z_][\w.]*")
# A FastAPI dependency that hands out a session is named for it (get_db, get_session, db_session…);
# one that builds a service from a session (get_article_service) must not count as a session.
_PROVIDER_NAME = re.compile(r"(^|_)(db|session|sess|conn|connection|database|uow|transaction)(_|$)", re.IGNORECASE)
_TS_MODIFIERS = ("private ", "public ", "protected ", "readonly ", "override ")


def is_column_path(parts: list[str]) -> bool:
    """``Model.attr``, ``table.c.attr``, ``Model.rel.attr`` (as ``["Model", "attr"]``): what SQLAlchemy
    conditions treat as a column — an attribute chain on a capitalised name or on ``x.c``."""
    return len(parts) >= 2 and (parts[0][:1].isupper() or parts[1] in ("c", "columns"))


def segments(callee: str) -> list[tuple[str, bool]]:
    """``engine.connect().execute`` -> [("engine", False), ("connect", True), ("execute", False)]."""
    return list(_segments(callee))


@lru_cache(maxsize=65_536)
def _segments(callee: str) -> tuple[tuple[str, bool], ...]:
    """Callee texts repeat (``self.session.add`` hundreds of times): split each once.  The cache
    lives for the run, and so would a pair per segment of every callee: equal pairs (``("self",
    False)``, ``("objects", False)``) are one object (saleor-sized tree: 96,000 pairs, 5 MiB)."""
    share = _SEGMENT_PAIRS.setdefault
    return tuple(share(pair, pair) for pair in ((m.group(1), bool(m.group(2))) for m in _SEGMENT.finditer(callee)))


_SEGMENT_PAIRS: dict[tuple[str, bool], tuple[str, bool]] = {}


def data_layer_modules(knowledge: Knowledge) -> tuple[str, ...]:
    return tuple(m for e in knowledge.entries if e.kind in ("orm", "driver") for m in e.modules)


class _ScopeEnvs:
    """Typed names per scope (a qualname such as ``Repo.save``), and the chain of environments a
    name is looked up in from inside a scope: its own, then every enclosing scope's, innermost
    first (the class's env is where ``self.x`` lives).

    Deeply nested code is hostile input (a 3,000-level bundle of arrows), so a chain must not cost
    the nesting depth per call: only scopes that bind something are linked, each scope remembers
    its nearest binding ancestor, and that memo is dropped only when a scope binds its first name.
    A lookup then costs the number of enclosing scopes that really bind a DB handle.
    """

    __slots__ = ("_envs", "_parent", "_nearest")

    def __init__(self) -> None:
        self._envs: dict[str, dict[str, Typed]] = {}
        self._parent: dict[str, str] = {}  # scope -> enclosing scope ("" at the top)
        self._nearest: dict[str, str] = {}  # scope -> itself or nearest enclosing scope with an env, or ""

    def put(self, scope: str, name: str, typed: Typed) -> None:
        env = self._envs.get(scope)
        if env is None:
            env = self._envs[scope] = {}
            self._nearest.clear()
        env[name] = typed

    def items(self):
        return self._envs.items()

    def chain(self, scope: str) -> list[dict[str, Typed]]:
        chain = []
        current = self._nearest_env(scope)
        while current:
            chain.append(self._envs[current])
            current = self._nearest_env(self._enclosing(current))
        return chain

    def _enclosing(self, scope: str) -> str:
        parent = self._parent.get(scope)
        if parent is None:
            parent = self._parent[scope] = scope.rpartition(".")[0]
        return parent

    def _nearest_env(self, scope: str) -> str:
        unresolved = []
        current = scope
        while current and current not in self._nearest and current not in self._envs:
            unresolved.append(current)
            current = self._enclosing(current)
        found = self._nearest.get(current, current)  # current is "", has an env, or is memoised
        for pending in unresolved:
            self._nearest[pending] = found
        return found


# The analysis ---------------------------------------------------------------------------------
class _Analyser:
    def __init__(self, files: dict[str, FileFacts], graph: ModuleGraph, knowledge: Knowledge) -> None:
        self.files = files
        self.graph = graph
        self.knowledge = knowledge
        self.specs = {spec.stack: spec for spec in knowledge.access}
        self.constructors: dict[str, Typed] = {}
        self.annotations: dict[str, Typed] = {}
        for spec in knowledge.access:
            for name, kind in spec.objects.items():
                self.constructors.setdefault(name, Typed(spec.stack, kind))
            for name, kind in spec.annotations.items():
                self.annotations.setdefault(name, Typed(spec.stack, kind))
        self.modules = data_layer_modules(knowledge)
        self.result = DataLayer()
        self._module_env: dict[str, dict[str, Typed]] = {}
        self._in_progress: set[str] = set()
        self.providers: dict[str, Typed] = {}  # function name -> what it provides (get_db)
        self.analysed: frozenset[str] = frozenset()
        self._bindings: dict[str, dict[str, str]] = {}  # path -> local name -> binding target
        # `Depends(provider)` / `Security(provider)`: FastAPI calls the provider per request (frameworks.toml
        # `fastapi_depends`, the names the call evaluator reads too)
        self.depends: frozenset[str] = frozenset(knowledge.names.get("calls", {}).get("fastapi_depends", ()))
        self.depending: set[str] = set()  # files with such a parameter: typed again once every provider is known

    # which files to look at -------------------------------------------------------------------
    def signal_files(self) -> list[str]:
        """Without a plan from the pipeline: the seeds, then the names that flow out of them."""
        deep = seed_files(self.files, self.graph, self.knowledge)
        while True:
            more = follow_names(self.files, self.graph, self.knowledge, deep)
            if not more:
                return sorted(deep)
            deep |= more

    # typing --------------------------------------------------------------------------------------
    def module_env(self, path: str) -> dict[str, Typed]:
        """DB objects bound at module level in ``path`` (and its exports)."""
        if path in self._module_env:
            return self._module_env[path]
        if path in self._in_progress or path not in self.files or path not in self.analysed:
            return {}  # a file with no data-layer signal defines no DB handle: don't load its body
        self._in_progress.add(path)
        env: dict[str, Typed] = {}
        facts = self.files[path]
        for assign in facts.assigns:
            if assign.scope:
                continue
            typed = self.type_of(path, assign, [env])
            if typed is None:
                continue
            for name in _assigned_names(assign.target):
                env[name] = typed
        if "module.exports" in env:  # CommonJS `module.exports = db` is what require() returns
            env.setdefault("default", env["module.exports"])
        self._in_progress.discard(path)
        self._module_env[path] = env
        return env

    def type_of(self, path: str, assign: Assign, envs: list[dict[str, Typed]]) -> Typed | None:
        language = self.files[path].language
        if assign.callee:
            direct = self.constructors.get(canonical(assign.resolved, language) or "")
            if direct is not None:
                return direct
            return self.walk(path, assign.callee, envs, called=True)
        return self.walk(path, assign.value, envs, called=False)

    def lookup(self, path: str, name: str, envs: list[dict[str, Typed]]) -> Typed | str | None:
        """A name's type: from the scope chain, the module, or through an import.  Returns a
        file path (str) when the name is an imported *module* (``db.User`` lookups)."""
        for env in envs:
            if name in env:
                return env[name]
        own = self.module_env(path)
        if name in own:
            return own[name]
        binding = self._binding(path, name)
        if binding is None:
            return None
        target = self.graph.resolve_binding(path, binding)
        if target.file is not None:
            if not target.attr:
                required = self.module_env(target.file).get("default") if self.files[path].language != "python" else None
                return required or target.file
            exported = self.module_env(target.file)
            head = target.attr.split(".")[0]
            return exported.get(head) or exported.get("default" if head == "default" else head)
        if target.external is not None:
            return self.constructors.get(canonical(target.external, self.files[path].language) or "")
        return None

    def _binding(self, path: str, name: str) -> str | None:
        table = self._bindings.get(path)
        if table is None:
            table = self._bindings[path] = {b.name: b.target for b in self.files[path].bindings}
        return table.get(name)

    def walk(self, path: str, chain: str, envs: list[dict[str, Typed]], called: bool) -> Typed | None:
        """Type of ``chain`` (a callee or attribute text); ``called``: the chain itself is called."""
        parts = segments(chain)
        if not parts:
            return None
        if called and not parts[-1][1]:
            parts[-1] = (parts[-1][0], True)
        head, head_called = parts[0]
        start = 1
        current: Typed | str | None
        if head in ("self", "this") and len(parts) > 1:
            current = self.lookup(path, f"{head}.{parts[1][0]}", envs)
            head_called = parts[1][1]
            start = 2
        else:
            current = self.lookup(path, head, envs)
        if isinstance(current, str):  # an imported module: db.SessionLocal
            if start >= len(parts):
                return None
            name, head_called = parts[start]
            current = self.module_env(current).get(name)
            start += 1
        if current is None:
            return self._external_chain(path, parts)
        if head_called:
            current = self._derive(current, "__call__")
        for name, is_called in parts[start:]:
            if current is None:
                return None
            current = self._derive(current, name)
        return current

    def _external_chain(self, path: str, parts: list[tuple[str, bool]]) -> Typed | None:
        """``sa.orm.sessionmaker(...)`` where ``sa`` is ``import sqlalchemy as sa``."""
        binding = self._binding(path, parts[0][0])
        if binding is None:
            return None
        language = self.files[path].language
        base = canonical(binding, language) or ""
        names = [name for name, _ in parts[1:]]
        for cut in range(len(names), -1, -1):
            dotted = ".".join([base] + names[:cut]) if language == "python" else _js_join(binding, names[:cut])
            typed = self.constructors.get(dotted)
            if typed is not None:
                return typed
        return None

    def _derive(self, typed: Typed, method: str) -> Typed | None:
        spec = self.specs.get(typed.stack)
        if spec is None:
            return None
        derived = spec.derived.get(f"{typed.kind}.{method}")
        if derived is not None:
            return Typed(typed.stack, derived)
        if typed.stack == "prisma" and typed.kind == "prisma" and not method.startswith("$"):
            return Typed("prisma", "prisma_model")
        return None

    # scopes ----------------------------------------------------------------------------------------
    def scope_envs(self, path: str) -> _ScopeEnvs:
        """Typed names per function scope (qualname), plus ``self.x`` per class under ``Class``."""
        facts = self.files[path]
        envs = _ScopeEnvs()
        for function in facts.functions:
            defaults = None
            for parameter in function.parameters():
                default = None
                if parameter.default and facts.language == "python":  # its IR expression: `Depends(get_db)`
                    if defaults is None:
                        defaults = self._defaults(path, function.span)
                    default = defaults.get(parameter.name)
                typed = self._parameter_type(path, parameter.annotation, default)
                if typed is None:
                    continue
                name = parameter.name
                for modifier in _TS_MODIFIERS:
                    if name.startswith(modifier):
                        name = name[len(modifier) :]
                        envs.put(_class_of(function.qualname), f"this.{name.strip()}", typed)
                envs.put(function.qualname, name.strip(), typed)
        for _round in range(2):  # self.x assigned in __init__ and used in a later method, either order
            for assign in facts.assigns:
                if not assign.scope:
                    continue
                typed = self.type_of(path, assign, envs.chain(assign.scope))
                if typed is None:
                    continue
                if assign.target.startswith(("self.", "this.")):
                    envs.put(_class_of(assign.scope), assign.target, typed)
                else:
                    for name in _assigned_names(assign.target):
                        envs.put(assign.scope, name, typed)
        for qualname, env in envs.items():
            provided = next((t for t in env.values() if t.kind in ("session", "connection")), None)
            if provided is not None and "." not in qualname and _PROVIDER_NAME.search(qualname):
                self.providers.setdefault(qualname, provided)
        return envs

    def _defaults(self, path: str, span: Span) -> dict[str, ir.Expr]:
        """The default values of the parameters of the function at ``span``, as IR expressions."""
        module = self.files[path].ir
        function = next((f for f in module.functions if f.span == span), None) if module is not None else None
        return {p.name: p.default for p in function.params if p.default is not None} if function is not None else {}

    def _external(self, path: str, node) -> str:
        """The canonical name of the external a name or attribute chain refers to (``Depends`` imported
        from fastapi: ``fastapi.Depends``), else ``""``."""
        head, _, rest = ir.dotted(node).partition(".")
        binding = self._binding(path, head) if head else None
        if binding is None:
            return ""
        target = self.graph.resolve_binding(path, binding)
        if target.external is None:
            return ""
        base = canonical(target.external, self.files[path].language) or ""
        return f"{base}.{rest}" if rest and base else base

    def _parameter_type(self, path: str, annotation: str, default) -> Typed | None:
        language = self.files[path].language
        for token in _ANNOTATION_TOKEN.findall(annotation):
            head = token.split(".")[0]
            binding = self._binding(path, head)
            if binding is not None:
                target = self.graph.resolve_binding(path, binding)
                if target.external is not None:
                    rest = token[len(head) :]
                    name = (canonical(target.external, language) or "") + rest
                    typed = self.annotations.get(name) or self.annotations.get(token)
                    if typed is not None and self._stack_imported(path, typed.stack):
                        return typed
                    continue
            typed = self.annotations.get(token)
            if typed is not None and self._stack_imported(path, typed.stack):
                return typed
        if type(default) is ir.Call and self._external(path, default.func) in self.depends:
            self.depending.add(path)
            provider = ir.dotted(default.arg(0, "dependency"))  # `Depends(get_db)`, `Depends(deps.get_db)`
            return self.providers.get(provider.rsplit(".", 1)[-1]) if provider else None
        return None

    def _stack_imported(self, path: str, stack: str) -> bool:
        """An annotation ``Session`` only means SQLAlchemy's if the file can see SQLAlchemy."""
        return True if stack in ("prisma", "typeorm") else any(
            edge.external for edge in self.graph.out_edges(path)
        )

    # access sites ------------------------------------------------------------------------------------
    def accesses(self, path: str, envs: _ScopeEnvs, models: dict[str, Model]) -> None:
        facts = self.files[path]
        language = facts.language
        for call in facts.calls:
            chain = envs.chain(call.scope) if call.scope else []
            parts = segments(call.callee)
            if not parts:
                continue
            typed_ctor = self.constructors.get(canonical(call.resolved, language) or "")
            if typed_ctor is None and len(parts) > 1 and not call.resolved:
                typed_ctor = self._external_chain(path, parts) if self._binding(path, parts[0][0]) else None
            if typed_ctor is not None:
                self._construct(path, call, typed_ctor)
                continue
            site = self._site(path, call, parts, chain, models)
            if site is not None:
                self.result.accesses.append(site)

    def _construct(self, path: str, call: CallSite, typed: Typed) -> None:
        target = next(
            (a.target for a in self.files[path].assigns if a.span.line == call.span.line and a.callee == call.callee), ""
        )
        self.result.constructs.append(Construct(path, typed.stack, typed.kind, call.callee, call.span, call.scope, target))

    def _site(self, path, call: CallSite, parts, chain, models: dict[str, Model]) -> DbAccess | None:
        method = parts[-1][0]
        if len(parts) == 1:
            receiver = self.lookup(path, method, chain)
            if isinstance(receiver, Typed) and "__call__" in self._methods(receiver):
                return self._access(path, call, receiver, "__call__")
            return None
        receiver_text = call.callee[: call.callee.rfind(".")]
        receiver = self.walk(path, receiver_text, chain, called=False)
        if receiver is not None and method in self._methods(receiver):
            return self._access(path, call, receiver, method)
        model = models.get(parts[-2][0]) if not parts[-2][1] else None
        if model is not None and model.stack == "sequelize":
            if method in self.specs["sequelize"].methods.get("model", ()):
                return self._access(path, call, Typed("sequelize", "model"), method)
        if len(parts) >= 3 and not parts[-2][1] and not parts[-3][1]:
            owner, manager = parts[-3][0], parts[-2][0]
            model = models.get(owner)
            if model is not None and manager == "objects" and model.stack == "django":
                return self._access(path, call, Typed("django", "manager"), method)
            if model is not None and manager == "query" and model.stack == "sqlalchemy":
                return self._access(path, call, Typed("sqlalchemy", "legacy_query"), method)
        return None

    def _methods(self, typed: Typed) -> frozenset[str]:
        spec = self.specs.get(typed.stack)
        return spec.methods.get(typed.kind, frozenset()) if spec is not None else frozenset()

    def _access(self, path: str, call: CallSite, typed: Typed, method: str) -> DbAccess:
        spec = self.specs.get(typed.stack)
        category = spec.categories.get(method, "query") if spec is not None else "query"
        if method in _RUNS_CALLABLE and refers_to(self.files[path], call, _SCHEMA_FUNCTIONS):
            category = "schema"  # conn.run_sync(Base.metadata.create_all) / run_sync(lambda c: metadata.drop_all(c))
        return DbAccess(path, typed.stack, typed.kind, method, category, call.callee, call.span, call.scope, call.flags)


# Which files the data layer reads the bodies of ------------------------------------------------------------
# Decided from the cheap pass (imports, string signals) and from the bodies of files already known to
# be data-layer files — never "imports something that imports a DB module": on saleor that pulled
# 1,461 bodies into model discovery.
_MANAGED = ("objects", "query")  # Django `Model.objects`, Flask-SQLAlchemy `Model.query`


def seed_files(files: dict[str, FileFacts], graph: ModuleGraph, knowledge: Knowledge, mentions=None) -> set[str]:
    """Files importing a driver or ORM module, files whose strings look like SQL or a DB URL, and the JS files
    whose calls reach a DB with no import to mark them (:func:`seed_candidates`, then :func:`body_seeds`, their
    bodies read here: without a plan there is no cheap pass to keep them out of)."""
    seeds, candidates = seed_candidates(files, graph, knowledge, mentions)
    return seeds | body_seeds(files, graph, knowledge, candidates)


def seed_candidates(files: dict[str, FileFacts], graph: ModuleGraph, knowledge: Knowledge, mentions=None) -> tuple[set[str], dict[str, bool]]:
    """The cheap pass's seeds — files importing a driver or ORM module, files whose strings look like SQL or a DB
    URL — and the candidates whose answer is in their calls, which the cheap pass does not read (path -> whether
    it names a runtime global): a JS file naming a framework's runtime global (``mentions(path, words, managed)``,
    the plan's look at a file's bytes, asks it of its text) or importing a module of DB service refs.  The plan
    extracts the candidates' bodies on the pool with the seeds' and asks :func:`body_seeds` then."""
    modules = data_layer_modules(knowledge)
    matches: dict[str, bool] = {}

    def data_module(target: str) -> bool:
        if target not in matches:
            matches[target] = any(module_matches(target, m) for m in modules)
        return matches[target]

    def signals(facts: FileFacts) -> str:
        if facts.signals is None:  # a head scanned for a run that planned no bodies: decide it now
            facts.body  # noqa: B018 - the loader's full pass sets the signal too
        return facts.signals or ""

    runtime = js_globals(knowledge)
    inits = service_inits(knowledge)
    seeds: set[str] = set()
    candidates: dict[str, bool] = {}
    for path, facts in files.items():
        if not facts.parsed:
            continue
        if any(edge.external and data_module(edge.target) for edge in graph.out_edges(path)) and not migration(path) \
                or signals(facts):
            seeds.add(path)
            continue
        named = bool(runtime) and facts.language != "python" and (mentions is None or mentions(path, set(runtime), set()))
        if named or inits and imports_service_refs(facts, graph.out_edges(path), inits):
            candidates[path] = named
    return seeds, candidates


def body_seeds(files: dict[str, FileFacts], graph: ModuleGraph, knowledge: Knowledge, candidates: dict[str, bool]) -> set[str]:
    """Those of :func:`seed_candidates`' ``candidates`` whose calls reach a DB: a member of a runtime global
    (:func:`reads_global`, asked of a file that names one) or a registered ``init`` (:func:`registers_services`)."""
    runtime = js_globals(knowledge)
    inits = service_inits(knowledge)
    return {path for path, named in candidates.items()
            if named and reads_global(files[path], runtime) or inits and registers_services(files[path], graph.out_edges(path), inits)}


def service_inits(knowledge: Knowledge) -> tuple[frozenset, frozenset]:
    """The methods registering an ``init`` with its dependencies by service ref (semantics.toml `service_inits`) and
    the modules of the refs that inject a DB handle (`service_refs`)."""
    methods = frozenset(name for table in knowledge.semantics.values() for name in table.get("service_inits", ()))
    modules = frozenset(name.partition(":")[0] for table in knowledge.semantics.values() for name in table.get("service_refs", {}))
    return (methods, modules) if methods and modules else ()


def registers_services(facts: FileFacts, edges, inits: tuple) -> bool:
    """A JS file registering an ``init`` (`env.registerInit({ deps, init })`) that imports a module of DB service refs
    (`coreServices.database`): the handle reaches it by injection, with no import of a driver to mark it."""
    methods = inits[0]
    return imports_service_refs(facts, edges, inits) \
        and any(call.callee.rpartition(".")[2] in methods for call in facts.calls)  # (the calls last: they need the body)


def imports_service_refs(facts: FileFacts, edges, inits: tuple) -> bool:
    """The head's half of :func:`registers_services`: a JS file importing a module of DB service refs."""
    modules = inits[1]
    return facts.language != "python" and any(edge.external and edge.target in modules for edge in edges)


def js_globals(knowledge: Knowledge) -> frozenset:
    """The JS runtime globals a data layer is reached through (semantics.toml `globals`: Strapi's `strapi`)."""
    return frozenset(name for table in knowledge.semantics.values() for name in table.get("globals", ()))


def reads_global(facts: FileFacts, names: frozenset) -> bool:
    """A JS file calling a member of one of the runtime globals ``names`` (`strapi.db.query(…)`): it reaches the
    database with no import to mark it (a local of the same name shadows it; the semantic model tells them apart)."""
    return facts.language != "python" and any(call.callee.partition(".")[0] in names and "." in call.callee
                                               for call in facts.calls)


def marked(files, graph: ModuleGraph, knowledge: Knowledge, paths) -> set[str]:
    """Those of ``paths`` with data-layer marks of their own: they import a driver or an ORM, or
    hold SQL / DB-URL strings (the seeds' marks, migrations included)."""
    modules = data_layer_modules(knowledge)
    runtime = js_globals(knowledge)
    return {path for path in paths if files[path].signals or any(
        edge.external and any(module_matches(edge.target, m) for m in modules) for edge in graph.out_edges(path))
        or runtime and reads_global(files[path], runtime)}


_MIGRATIONS = ("**/migrations/**", "**/alembic/**")


def migration(path: str) -> bool:
    """A schema migration: it imports the ORM to describe tables (``CreateModel``, ``op.add_column``),
    not to query them, and no rule reads it unless it holds SQL (then its string signal makes it a
    data-layer file).  In a Django project more than half of the files importing ``django.db`` are
    migrations (965 of 1,615 on the saleor-sized tree)."""
    return any(glob_match(path, pattern) for pattern in _MIGRATIONS)


def follow_names(files, graph: ModuleGraph, knowledge: Knowledge, deep: set[str], mentions=None) -> set[str]:
    """Files outside ``deep`` that import a data-layer *name* from a file inside it: a DB handle or
    session provider (``SessionLocal``, ``get_db``, ``db``), a declarative base, or an ORM model the
    file then uses through its manager (``User.objects``, ``User.query``).  JS/TS files have their
    bodies from the cheap pass already, so their importers of what ``deep`` files define are all
    taken (``callers``: through barrels; a type-only import only of what a file with marks of its
    own defines — a type calls nothing, and effect's type imports reached 550 of its 626 modules).

    ``mentions(path, words, managed)`` says whether the file's text names one of ``words`` or uses
    one of ``managed`` as ``Name.objects`` / ``Name.query``; ``None`` reads the file's facts instead."""
    analyser = _Analyser(files, graph, knowledge)
    analyser.analysed = frozenset(deep)
    models = find_models(files, sorted(deep), analyser.module_env, declarative=_declarative_bases(knowledge),
                         associations=_association_methods(knowledge))
    model_paths: dict[str, set[str]] = {}
    for model in models.values():
        model_paths.setdefault(model.path, set()).add(model.name)
    found: set[str] = set()
    scripts = {path for path in deep if files[path].language != "python"}
    if scripts:
        names = ImportedNames(files, graph)
        found |= {path for path in callers(names, scripts, marked(files, graph, knowledge, scripts)) - deep
                  if files[path].parsed and files[path].language != "python" and not migration(path)}
    for target in sorted(deep):
        if files[target].language != "python":
            continue
        words, managed = _exported(analyser, target), model_paths.get(target, set())
        for edge in graph.in_edges(target):
            source = edge.source
            if source in deep or source in found or source not in files or not files[source].parsed:
                continue
            if migration(source):
                continue  # a migration importing a model describes it; with SQL it is a seed already
            facts = files[source]
            if facts.language != "python":
                continue  # a script importing a Python file: none of its names reach it
            if not words and not managed:
                continue
            names = next((imp.names for imp in facts.imports if imp.span == edge.span), ())
            if names and graph.modules.get(target, "").rsplit(".", 1)[-1] in names:
                names = ()  # `from app import models`: the module itself, used as `models.User.objects`
            if names and "*" not in names:
                if set(names) & words or _uses(files, source, set(), set(names) & managed, mentions):
                    found.add(source)
            elif _uses(files, source, words, managed, mentions):  # `import app.db` / `from app import models`
                found.add(source)
    return found


def _exported(analyser: _Analyser, path: str) -> set[str]:
    """Names a data-layer file hands out: typed DB objects, session providers, declarative bases."""
    facts = analyser.files[path]
    words = set(analyser.module_env(path))
    for function in facts.functions:
        if "." not in function.qualname and _PROVIDER_NAME.search(function.name):
            words.add(function.name)  # get_db, get_session
    for assign in facts.assigns:
        if not assign.scope and canonical(assign.resolved, facts.language) in SQLA_BASE_FACTORIES:
            words.update(_assigned_names(assign.target))  # Base = declarative_base()
        owner, _, attribute = assign.value.rpartition(".")
        typed = analyser.lookup(path, owner, []) if owner and not assign.scope and not assign.callee and attribute == "Model" else None
        if getattr(typed, "kind", None) == "flask_db" and assign.target.isidentifier():
            words.add(assign.target)  # Model = db.Model: models elsewhere derive from the re-exported base
    for cls in facts.classes:
        if is_abstract_base(cls, facts.language):
            words.add(cls.name)  # class Base(DeclarativeBase): models elsewhere derive from it
    return words


def _uses(files, path: str, words: set[str], managed: set[str], mentions) -> bool:
    if not words and not managed:
        return False
    if mentions is not None:
        return mentions(path, words, managed)
    facts = files[path]
    for call in facts.calls:
        parts = call.callee.split(".")
        if parts[0] in words or (len(parts) > 2 and parts[0] in managed and parts[1] in _MANAGED):
            return True
    return any(a.value.split(".")[0] in words or a.callee.split(".")[0] in words for a in facts.assigns)


# Entry point --------------------------------------------------------------------------------------------
def analyse(files: dict[str, FileFacts], graph: ModuleGraph, knowledge: Knowledge, paths=None, sites: bool = True) -> DataLayer:
    """``paths``: the data-layer files the pipeline planned (and extracted in parallel); without
    it they are found here, bodies loading on demand.  ``sites=False`` leaves ``accesses`` and
    ``constructs`` empty, for a caller that takes them from the semantic model instead: the
    typed scopes they are found in feed nothing else (models and module objects are decided
    before them)."""
    analyser = _Analyser(files, graph, knowledge)
    paths = sorted(paths) if paths is not None else analyser.signal_files()
    analyser.result.analysed = analyser.analysed = frozenset(paths)
    models = find_models(files, paths, analyser.module_env, analyser.result.all_models, _declarative_bases(knowledge),
                         _association_methods(knowledge))
    if sites:
        envs = {path: analyser.scope_envs(path) for path in paths}
        for path in sorted(analyser.depending):  # `db = Depends(get_db)` can only be typed once every provider is known
            envs[path] = analyser.scope_envs(path)
        for path in paths:
            analyser.accesses(path, envs[path], models)
    analyser.result.models = models
    analyser.result.module_objects = {p: analyser.module_env(p) for p in paths}
    analyser.result.accesses.sort(key=lambda a: (a.path, a.span.line, a.span.column))
    analyser.result.constructs.sort(key=lambda c: (c.path, c.span.line, c.span.column))
    return analyser.result


def _association_methods(knowledge: Knowledge) -> frozenset:
    """Sequelize's association methods (``hasMany``…: ``orms.toml`` ``sequelize_associations``)."""
    return frozenset(knowledge.names.get("schema", {}).get("sequelize_associations", ()))


def _declarative_bases(knowledge: Knowledge) -> frozenset:
    """Library bases whose subclasses are tables named after the class (``semantics.toml``)."""
    return frozenset(name for table in knowledge.semantics.values() for name in table.get("declarative_bases", ()))


def _assigned_names(target: str) -> list[str]:
    """``x`` -> [x]; ``{ a, b: c }`` / ``a, b`` -> [a, c] / [a, b]; ``x: Session`` -> [x]."""
    target = target.strip()
    if target.startswith("{") and target.endswith("}"):
        names = []
        for piece in target[1:-1].split(","):
            piece = piece.split("=")[0].strip()
            if piece:
                names.append(piece.split(":")[-1].strip())
        return names
    return [piece.strip().split(":")[0].strip() for piece in target.strip("()[]").split(",") if piece.strip()]


def _class_of(qualname: str) -> str:
    return qualname.rsplit(".", 1)[0] if "." in qualname else qualname


def _js_join(binding: str, names: list[str]) -> str:
    if not names:
        return binding
    separator = "" if binding.endswith(":") else "."
    return binding + separator + ".".join(names)
