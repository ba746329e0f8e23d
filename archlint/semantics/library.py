"""Library behaviour as data: what a call on a DB handle, a query or a row yields and does.

Reads two tables of ``rules/knowledge/``: ``access.toml`` (which constructors make DB handles, which
annotations name them, which methods touch the database and in which category) and
``semantics.toml`` (what each call yields: a query, a result, rows, a nullable row…, whether it runs
SQL or writes, where the model and the eager loads come from).  A new ORM version is a data change.
"""

from __future__ import annotations

from functools import lru_cache

from archlint.domain.datalayer import js_globals
from archlint.domain.knowledge import Knowledge, module_matches
from archlint.domain.records import NamedTuple
from archlint.semantics.values import Db


class Outcome(NamedTuple):
    """One parsed result descriptor of ``semantics.toml`` (its header documents the words)."""

    value: str  # query | result | rows | row | row? | scalar | none | same | tuple | record | loader:* | handle:*
    run: bool = False
    write: bool = False
    model: str = "recv"  # recv | relation | argN[,argM…] (the first listed position naming a model)
    source: str = ""  # "" | arg0: model and loads come from the first argument's query
    loads: str = ""  # "" | "args" | an option key (include, relations)
    unique: bool = False
    single: bool = False
    prefetch: bool = False
    nonempty: bool = False  # the query throws when it finds no row (Objection throwIfNotFound())
    lazy: bool = False  # loads the relation the receiver was read from (MikroORM `article.tags.init()`)
    new: bool = False  # the row is built, not stored yet (TypeORM `repository.create(…)`)
    builds: bool = False  # only builds a statement on the handle (Core `articles.insert()`): nothing runs here
    each: bool = False  # runs the statement once per value of its second argument, each its own statement (databases `execute_many`)
    annotates: bool = False  # its keyword arguments become attributes of every row (Django `annotate(n=…)`)
    nothing: bool = False  # a query that matches no row (Django `none()`)
    assigns: bool = False  # the row built holds the related objects given by keyword (Django `objects.create(fk=obj)`)
    given: bool = False  # the row stored is the one given as the first argument, with what it holds (TypeORM `save(entity)`)
    raw: bool = False  # plain objects of the selected columns (TypeORM `getRawMany()`): no relation to load
    empty: str = ""  # JS row?: "null" / "undefined", what it yields for no row ("" : the stack's `empty`)
    of: str = ""  # a tuple's first item: rows | row (advanced-alchemy `list_and_count` -> (rows, count))
    nullable: str = ""  # a row that is row? when this option is given `false` (Bookshelf `fetch({ require: false })`)
    inserted: str = ""  # the result's attribute holding the key of the row an INSERT stored (better-sqlite3 `lastInsertRowid`)


@lru_cache(maxsize=512)
def parse_outcome(descriptor: str) -> Outcome:
    words = descriptor.split()
    fields: dict = {"value": words[0] if words else "none"}
    for word in words[1:]:
        key, _, argument = word.partition("=")
        if key in ("run", "write", "unique", "single", "prefetch", "nonempty", "lazy", "new", "raw", "assigns", "given", "nothing",
                   "annotates", "builds", "each"):
            fields[key] = True
        elif key == "model":
            fields["model"] = argument or "recv"
        elif key == "from":
            fields["source"] = argument
        elif key == "loads":
            fields["loads"] = argument or "args"
        elif key == "empty":
            fields["empty"] = argument
        elif key == "of":
            fields["of"] = argument
        elif key == "nullable":
            fields["nullable"] = argument
        elif key == "inserted":
            fields["inserted"] = argument
    return Outcome(**fields)


class Callback(NamedTuple):
    """``sequelize.transaction(async t => …)``: the callback's first argument is a handle of
    ``kind`` (of the receiver's stack), and the callback runs inside a transaction or not."""

    kind: str
    transaction: bool
    passed: bool = False  # only queries given the callback's handle run in the transaction (Sequelize, knex, Prisma, TypeORM)


class Library:
    def __init__(self, knowledge: Knowledge) -> None:
        self.access = {spec.stack: spec for spec in knowledge.access}
        self.language = {entry.name: entry.language for entry in knowledge.entries}
        self.constructors: dict[str, Db] = {}
        self.annotations: dict[str, Db] = {}
        for spec in knowledge.access:
            for name, kind in spec.objects.items():
                self.constructors.setdefault(name, Db(spec.stack, kind))
            for name, kind in spec.annotations.items():
                self.annotations.setdefault(name, Db(spec.stack, kind))
        self.apps: dict[str, str] = {}  # app/router constructor (canonical name) -> framework
        self.route_methods: dict[str, frozenset] = {}
        self.framework_data: dict[str, dict] = {}  # framework -> its other keys in frameworks.toml
        self.names: dict[str, dict] = knowledge.names  # reader -> its [[names]] keys (see view())
        self.views: dict[str, object] = {}
        for entry in knowledge.entries:
            if entry.kind != "framework":
                continue
            self.framework_data[entry.name] = entry.extra
            self.route_methods[entry.name] = frozenset(entry.extra.get("route_methods", ()))
            for name in entry.extra.get("app_constructors", ()):
                if entry.language == "python":
                    module, _, attr = name.partition(":")
                    name = f"{module}.{attr}".strip(".")
                self.apps.setdefault(name, entry.name)
        self.functions: dict[str, tuple[str, Outcome]] = {}
        self.returns: dict[tuple[str, str], Outcome] = {}
        self.attributes: dict[tuple[str, str], Outcome] = {}
        self.callbacks: dict[tuple[str, str], Callback] = {}
        self.awaitables: dict[str, object] = {}  # stack -> "run" | frozenset of "<kind>.<method>"
        self.coroutines: dict[str, frozenset] = {}  # stack -> "<kind>.<method>" returning a coroutine on any handle
        # functions that wrap SQL text for an ORM (`sqlalchemy.text("SELECT …")`): the `[[sql_sink]]` entries
        # of sql_dialects.toml with `functions` and a whole statement (`statement = "auto"`)
        self.sql_text_functions: frozenset = frozenset(
            name for entry in knowledge.of_kind("sql_sink") if entry.extra.get("statement", "auto") == "auto"
            for name in entry.extra.get("functions", ()))
        # methods of the clause those functions build that give back the same statement (`text("…").bindparams(…)`)
        self.sql_text_methods: frozenset = frozenset(
            name for entry in knowledge.of_kind("sql_sink") if entry.extra.get("statement", "auto") == "auto"
            for name in entry.extra.get("statement_methods", ()))
        # the ORMs' own modules: what a function of theirs builds from a key (`eq(users.id, key)`,
        # `and_(…)`) is a condition on that key, where any other library's result is a new value
        self.orm_modules: tuple = tuple(m for entry in knowledge.of_kind("orm") for m in entry.modules)
        # each ORM's modules, by the entry's name (`sqlalchemy`: also flask_sqlalchemy, sqlmodel, quart_sqlalchemy…)
        self.modules_of_orm: dict[str, tuple] = {entry.name: entry.modules for entry in knowledge.of_kind("orm")}
        self._orm_functions: dict[str, bool] = {}
        self.row_loaders: dict[str, str] = {  # function -> stack (semantics.toml `row_loaders`)
            name: stack for stack, table in knowledge.semantics.items() for name in table.get("row_loaders", ())}
        self.row_loader_methods: frozenset = frozenset(  # (stack, "kind.method") loading relations onto rows given
            (stack, name) for stack, table in knowledge.semantics.items() for name in table.get("row_loader_methods", ()))
        self.thread_wrappers: frozenset = frozenset(  # decorators that run a sync function in a worker thread
            name for table in knowledge.semantics.values() for name in table.get("thread_wrappers", ()))
        self.handles: dict[str, Db] = {}  # external attribute that is a DB handle (``mongoose:connection``)
        # a framework's dependency injection by service refs (semantics.toml `service_inits`, `service_refs`)
        self.service_inits: frozenset = frozenset(
            name for table in knowledge.semantics.values() for name in table.get("service_inits", ()))
        self.service_refs: dict[str, Db] = {
            name: Db(stack, kind) for stack, table in knowledge.semantics.items() for name, kind in table.get("service_refs", {}).items()}
        # JS runtime globals a framework defines (semantics.toml `globals`: Strapi's `strapi`): a free name of a
        # JS module that is one of them reads as ``global:<name>`` (the data-layer plan reads the same list)
        self.js_globals: frozenset = js_globals(knowledge)
        # query libraries over a driver (aiosql): the callable that builds the handle -> its kind, and
        # what calling any method of that kind yields, whichever driver it adapts
        self.thenables = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("thenable"))
        # stacks whose every query promise is lazy (Prisma): dropped unawaited, it never runs
        self.lazy_promises = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("lazy_promises"))
        # JS: what a stack's lookups yield for no row ("null" / "undefined"), unless the descriptor says
        self.empties = {stack: table["empty"] for stack, table in knowledge.semantics.items() if table.get("empty")}
        # lookups that read one aggregate row whatever matches (`findOne({ attributes: [[fn('COUNT', …), 'n']] })`)
        self.single_row_aggregates = {stack: table["single_row_aggregates"] for stack, table in knowledge.semantics.items()
                                      if table.get("single_row_aggregates")}
        self.synchronous = frozenset(name for table in knowledge.semantics.values() for name in table.get("synchronous", ()))
        # the module of each synchronous constructor -> its stack (`drizzle-orm/better-sqlite3` -> drizzle)
        self.synchronous_modules = {name.rsplit(":", 1)[0]: stack for stack, table in knowledge.semantics.items()
                                    for name in table.get("synchronous", ())}
        self.asynchronous = frozenset(name for table in knowledge.semantics.values() for name in table.get("asynchronous", ()))
        # per-stack flags and lists of semantics.toml (see its header)
        self.mutable_builders = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("mutable_builder"))
        self.orm_lookups = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("orm_lookups"))
        # module -> the names `from module import *` binds (semantics.toml `star_exports`: an external module's `__all__`)
        self.star_exports: dict[str, frozenset] = {
            module: frozenset(names) for table in knowledge.semantics.values() for module, names in table.get("star_exports", {}).items()}
        # stacks whose built queries run when iterated and cache their rows (Django QuerySets, Peewee selects)
        self.lazy_queries = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("lazy_queries"))
        self.keyed_records = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("keyed_records"))
        # stack -> {method: "unique" | "filter"} and the nested-write keys whose value is a unique `where` (Prisma's
        # `connect`): the stack drops an `undefined` key of those objects (semantics.toml `undefined_keys`)
        self.undefined_keys: dict[str, tuple[dict, frozenset, frozenset]] = {
            stack: ({**{m: "filter" for m in table["undefined_keys"].get("filter", ())},
                     **{m: "unique" for m in table["undefined_keys"].get("unique", ())}},
                    frozenset(table["undefined_keys"].get("relations", ())), frozenset(table["undefined_keys"].get("nested", ())))
            for stack, table in knowledge.semantics.items() if table.get("undefined_keys")}
        self.mass_assign: dict[str, frozenset] = {
            stack: frozenset(table["mass_assign"]) for stack, table in knowledge.semantics.items() if table.get("mass_assign")}
        # stacks whose loaded relation "<alias>.<relation>" names a relation of the aliased row (TypeORM joins)
        self.alias_loads = frozenset(stack for stack, table in knowledge.semantics.items() if table.get("alias_loads"))
        # stack -> (option, value): its loaded relations join into one statement unless the option has that value
        self.single_query_loads: dict[str, tuple[str, str]] = {
            stack: (table["single_query_loads"]["option"], table["single_query_loads"]["separate"])
            for stack, table in knowledge.semantics.items() if table.get("single_query_loads")}
        # stack -> the option keys that cap a read to one page (`take`, `limit`): its `.length` is not a count (AL602)
        self.page_options: dict[str, frozenset] = {
            stack: frozenset(table["page_options"]) for stack, table in knowledge.semantics.items() if table.get("page_options")}
        self.adapters: dict[str, str] = {}
        self.adapted: dict[str, Outcome] = {}
        self.registries: set[tuple[str, str]] = set()  # (stack, handle kind) whose attributes are models by name
        # handle classes a project subclasses per model (advanced-alchemy's repositories and services): the
        # class attribute naming the model, the classmethods yielding an instance, the keyword of its loads
        self.bound_models: dict[tuple[str, str], str] = {}
        # `AppDataSource.getRepository(Article).extend({ findBySlug(slug) { return this.findOne(…) } })`:
        # the handle, with the object's functions as more methods whose `this` is the handle
        # (stack, "kind.method"): a handle method that defines a model named by its first argument
        # (`sequelize.define('Article', …)`, Bookshelf `bookshelf.model('Article', …)`): it yields the model class
        self.definers: frozenset = frozenset(
            (stack, name) for stack, table in knowledge.semantics.items() for name in table.get("definers", ()))
        self.extensions: frozenset = frozenset(
            (stack, name) for stack, table in knowledge.semantics.items() for name in table.get("extensions", ()))
        # handle classes a project subclass binds to a model by its constructor's `super(Model, …)`
        self.super_models: frozenset = frozenset(
            (stack, kind) for stack, table in knowledge.semantics.items() for kind in table.get("super_models", ()))
        # Sequelize `Model.scope(name)` / `Model.unscoped()`: the model class with the named scopes' includes
        self.scope_methods: dict[str, dict] = {
            stack: dict(table["scope_methods"]) for stack, table in knowledge.semantics.items() if table.get("scope_methods")}
        # stack -> the write options naming the only attributes it stores (Sequelize `{ fields: [...] }`)
        self.field_allow_lists: dict[str, frozenset] = {
            stack: frozenset(table["field_allow_lists"]) for stack, table in knowledge.semantics.items() if table.get("field_allow_lists")}
        # "<kind>.<method>" calls whose first argument must be a model instance: None there raises like a read (AL220)
        self.instance_arguments: frozenset = frozenset(
            (stack, name) for stack, table in knowledge.semantics.items() for name in table.get("instance_arguments", ()))
        self.instance_factories: frozenset = frozenset(
            (stack, name) for stack, table in knowledge.semantics.items() for name in table.get("instance_factories", ()))
        self.instance_loads: frozenset = frozenset(
            name for table in knowledge.semantics.values() for name in table.get("instance_loads", ()))
        self.declarative_bases: dict[str, str] = {name: stack for stack, table in knowledge.semantics.items()
                                                  for name in table.get("declarative_bases", ())}
        self.class_loads: dict[str, str] = {stack: table["class_loads"] for stack, table in knowledge.semantics.items()
                                            if table.get("class_loads")}
        for stack, table in knowledge.semantics.items():
            for name, kind in table.get("adapters", {}).items():
                self.adapters[name] = kind
                found = table.get("returns", {}).get(f"{kind}.*")
                if found is not None:
                    self.adapted[kind] = parse_outcome(found)
            for kind, attribute in table.get("bound_models", {}).items():
                self.bound_models[(stack, kind)] = attribute
            for kind in table.get("registries", ()):
                self.registries.add((stack, kind))
            self.coroutines[stack] = frozenset(table.get("coroutines", ()))
            awaitable = table.get("awaitable")
            if awaitable is not None:
                self.awaitables[stack] = awaitable if isinstance(awaitable, str) else frozenset(awaitable)
            for name, descriptor in table.get("functions", {}).items():
                self.functions[name] = (stack, parse_outcome(descriptor))
            for key, descriptor in table.get("returns", {}).items():
                self.returns[(stack, key)] = parse_outcome(descriptor)
            for key, descriptor in table.get("attributes", {}).items():
                self.attributes[(stack, key)] = parse_outcome(descriptor)
            for name, kind in table.get("handles", {}).items():
                self.handles[name] = Db(stack, kind)
            for key, descriptor in table.get("callbacks", {}).items():
                kind, _, rest = descriptor.partition(" ")
                words = rest.split()
                self.callbacks[(stack, key)] = Callback(kind, "transaction" in words, "passed" in words)

    def view(self, reader: str, build):
        """A module's typed view of its ``[[names]]`` tables (``build(table)``), built once per library:
        the semantic modules read library names from here, never from the TOML per call."""
        found = self.views.get(reader)
        if found is None:
            found = self.views[reader] = build(self.names.get(reader, {}))
        return found

    def app(self, name: str) -> str:
        """The framework whose app or router this external callable builds, or ``""``."""
        return self.apps.get(name) or self.apps.get(name[:-2] if name.endswith("()") else "", "")

    # handles ----------------------------------------------------------------------------------
    def orm_function(self, name: str) -> bool:
        """``name`` (an external's dotted or ``module:export`` name) is defined by an ORM's own module."""
        found = self._orm_functions.get(name)
        if found is None:
            module = name.split(":", 1)[0] if ":" in name else name
            found = self._orm_functions[name] = any(module_matches(module, m) for m in self.orm_modules)
        return found

    def constructor(self, name: str) -> Db | None:
        """A DB handle made by calling an external callable (``sqlalchemy.create_engine``, ``pg:Pool``)."""
        return self.constructors.get(name)

    def annotated(self, name: str) -> Db | None:
        return self.annotations.get(name)

    def derived(self, handle: Db, member: str) -> Db | None:
        """``engine.connect()`` → connection; ``db.session`` → session; ``prisma.article`` → model delegate."""
        spec = self.access.get(handle.stack)
        if spec is None:
            return None
        kind = spec.derived.get(f"{handle.kind}.{member}")
        if kind is not None:
            if (handle.stack, handle.kind) in self.bound_models and (handle.stack, kind) not in self.bound_models:
                return Db(handle.stack, kind, "")  # a repository's session: bound to no model of its own
            return Db(handle.stack, kind, handle.model, loaded=handle.loaded if (handle.stack, kind) in self.bound_models else frozenset())
        if handle.stack == "drizzle" and handle.kind == "relational" and member and not member.startswith(("$", "_")):
            return Db("drizzle", "relational_table", "")  # db.query.users: one table of the relational API
        if handle.stack == "prisma" and handle.kind == "prisma" and member and not member.startswith(("$", "_")):
            return Db("prisma", "prisma_model", "prisma:" + member[:1].upper() + member[1:])
        return None

    def is_registry(self, handle: Db) -> bool:
        """``sequelize.models``: reading ``.Article`` on it gives the model registered as 'Article'."""
        return (handle.stack, handle.kind) in self.registries

    def category(self, handle: Db, method: str) -> str | None:
        """``query``/``write``/``transaction``/``connect``/``schema`` when ``method`` of this handle
        talks to the database (a DB access site), else ``None``."""
        if handle.kind in self.adapted:  # aiosql: every method of the queries object runs a named query
            return "query" if method[:1].isalpha() else None
        spec = self.access.get(handle.stack)
        if spec is None or method not in spec.methods.get(handle.kind, ()):
            return None
        return spec.categories.get(method, "query")

    # calls ---------------------------------------------------------------------------------------
    def outcome(self, stack: str, kind: str, method: str) -> Outcome | None:
        if kind in self.adapted:
            return self.adapted[kind] if method[:1].isalpha() else None
        return self.returns.get((stack, f"{kind}.{method}"))

    def adapter(self, name: str, adapter_name) -> Db | None:
        """``aiosql.from_path(path, "asyncpg")``: a handle of the named driver's stack, of the
        library's kind (its queries run on that driver's connections)."""
        kind = self.adapters.get(name)
        if kind is None or not isinstance(adapter_name, str) or adapter_name not in self.access:
            return None
        return Db(adapter_name, kind)

    def attribute(self, stack: str, kind: str, name: str) -> Outcome | None:
        return self.attributes.get((stack, f"{kind}.{name}"))

    def function(self, name: str) -> tuple[str, Outcome] | None:
        return self.functions.get(name)

    def awaitable(self, handle, method: str, async_handle: bool) -> bool:
        """Whether calling ``method`` on this DB value returns a coroutine / Promise (``semantics.toml``
        ``awaitable``, ``coroutines``): every running call of a Promise-based stack, the listed methods of
        an async handle, or a stack's async API on any handle."""
        stack = getattr(handle, "stack", "")
        kind = getattr(handle, "kind", None) or {"ModelClass": "model", "Query": "query", "Row": "row", "Rows": "rows",
                                                  "Result": "result"}.get(type(handle).__name__, "")
        if f"{kind}.{method}" in self.coroutines.get(stack, ()):
            return True  # Django's aget()/acount()/asave(): coroutines whatever the handle
        rule = self.awaitables.get(stack)
        if rule is None:
            return False
        if rule == "run":
            outcome = self.outcome(stack, kind, method) or (self.outcome(stack, "modelclass", method) if kind == "model" else None)
            if outcome is not None:  # (a statement only built on the handle runs at its `execute()`: Kysely `insertInto`)
                return (outcome.run or outcome.write) and not outcome.builds
            return type(handle) is Db and self.category(handle, method) in ("query", "write", "transaction", "connect", "schema")
        return async_handle and f"{kind}.{method}" in rule

    def callback(self, stack: str, kind: str, method: str) -> Callback | None:
        return self.callbacks.get((stack, f"{kind}.{method}"))
