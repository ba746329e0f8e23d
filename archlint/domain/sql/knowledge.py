"""Typed views of ``rules/knowledge/sql_dialects.toml``: databases, constructs, paramstyles, sinks.

The loader turns every TOML entry into a generic :class:`~archlint.domain.knowledge.Package`;
this module gives the SQL entries names and types once, so the extraction and the checks never
index raw dictionaries, and adding a database, a construct or a sink stays a data change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archlint.domain.constants import ValueFunctions, value_functions
from archlint.domain.knowledge import Knowledge, Package
from archlint.domain.lazy_regex import lazy_compile


OTHER_DATABASE = "other"  # a database archlint has no dialect table for: its SQL is judged by none


@dataclass(frozen=True, slots=True)
class Dialect:
    """A database as the SQL rules know it (drivers.toml)."""
    name: str  # postgresql | sqlite | mysql (drivers.toml `database`)
    label: str
    sqlglot: str
    url_schemes: tuple[str, ...]
    options: tuple[str, ...]
    images: tuple[str, ...]
    path_names: tuple[str, ...]
    engine_placeholders: frozenset[str]
    ignored_placeholders: frozenset[str]
    native_python: str
    native_node: str
    messages: dict = field(default_factory=dict)  # syntax_error, unknown_table, unknown_column, group_by

    def says(self, what: str, name: str = "") -> str:
        return self.messages.get(what, "").replace("{name}", name)


@dataclass(frozen=True, slots=True)
class Construct:
    """A SQL construct that only some databases support."""
    name: str
    label: str
    pattern: object  # a pattern, compiled when first searched (lazy_compile)
    supported: frozenset[str]
    error: dict
    fix: str


@dataclass(frozen=True, slots=True)
class ParamStyle:
    """A driver's placeholder style."""
    name: str
    accepts: frozenset[str]
    passthrough: bool
    example: str


@dataclass(frozen=True, slots=True)
class Sink:
    """One API that takes SQL text (see the ``[[sql_sink]]`` comment in the TOML)."""

    name: str
    language: str
    label: str = ""
    stacks: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    callee_methods: frozenset[str] = frozenset()
    requires_modules: tuple[str, ...] = ()
    untyped: bool = False
    script_methods: frozenset[str] = frozenset()
    many_methods: frozenset[str] = frozenset()
    sql_keywords: tuple[str, ...] = ()
    statement: str = "auto"
    placeholders: str = ""
    params: str = ""
    single_statement: str = ""
    single_with_params: str = ""
    count_error: str = ""
    by_text: bool = False  # SQL recognised by its text on any receiver (see the TOML header)
    quiet_methods: frozenset[str] = frozenset()
    traced_holes: bool = False  # AL502 only for holes that are request data or the function's parameters
    guidance: str = ""  # AL502's fix when a placeholder passed beside the SQL is not how this API binds

    def takes_script(self, method: str) -> bool:
        return method in self.script_methods


@dataclass(frozen=True, slots=True)
class SqlKnowledge:
    """The SQL knowledge of rules/knowledge: dialects, constructs, placeholder styles, sinks."""
    dialects: dict[str, Dialect] = field(default_factory=dict)
    constructs: tuple[Construct, ...] = ()
    paramstyles: dict[str, ParamStyle] = field(default_factory=dict)
    sinks: tuple[Sink, ...] = ()
    safe_holes: tuple = ()  # of patterns, compiled when first searched (lazy_compile)
    values: ValueFunctions = ValueFunctions()  # what library functions do to a hole's value
    syntax_slips: tuple[tuple, ...] = ()  # (pattern, description), compiled when first searched
    other_path_names: frozenset[str] = frozenset()  # directories of databases without a dialect table
    driver_styles: dict[str, str] = field(default_factory=dict)  # driver stack -> paramstyle
    driver_databases: dict[str, str] = field(default_factory=dict)  # driver stack -> database
    driver_modules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # driver stack -> modules
    # database -> imports that fix it by themselves (`bun:sqlite`, `@libsql/client`, `drizzle-orm/d1`, …)
    dialect_modules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # class (canonical name) -> database its instance fixes (Kysely's `new PostgresDialect({ pool })`)
    dialect_constructors: dict[str, str] = field(default_factory=dict)
    driver_languages: dict[str, str] = field(default_factory=dict)  # driver stack -> python | node
    other_grammars: tuple[str, ...] = ()  # sqlglot dialects of databases without a table here
    other_modules: tuple[str, ...] = ()  # drivers of those databases (oracledb, pyodbc, tedious …)
    orm_modules: tuple[str, ...] = ()  # modules of ORMs / query builders (Sequelize, knex, TypeORM …)
    purge_names: re.Pattern | None = None  # snake_case names of functions that empty tables
    purge_parameters: frozenset[str] = frozenset()  # the handles (and the parameters picking no rows) such a function may take
    schema_constructs: frozenset[str] = frozenset()  # constructs whose SQL fragment is DDL (CheckConstraint, …)
    # (modules, methods, parameters): hook parameters the framework checks against a fixed set first
    validated_parameters: tuple[tuple[tuple[str, ...], frozenset[str], frozenset[str]], ...] = ()
    # expressions that read a connection's dialect name, as chains (``("*", "getDialect()")``)
    dialect_subjects: tuple[tuple[str, ...], ...] = ()
    request_roots: frozenset[str] = frozenset()  # names the request goes by (`req`, `request`)
    request_holders: frozenset[tuple[str, str]] = frozenset()  # (name, attribute) holding it (`ctx.request`)

    def spelled_on_request(self, head: str, first: str) -> bool:
        """A chain starting at the name ``head``, whose first attribute read is ``first`` (``""`` for
        none), is spelled on the request (sql_dialects.toml ``[[request_spelling]]``): the evidence
        left where no semantic model says whether a value is request data."""
        return head in self.request_roots or (head, first) in self.request_holders

    def purges(self, snake_name: str, parameters, table: str | None = None) -> bool:
        """A function that takes nothing but the handle it works through and is named for emptying
        a table (``clear``, ``wipe_db``, ``truncate_all``; names in snake_case) or for acting on
        every row of something (open-webui's ``deactivate_all_functions`` and ``delete_all_groups``,
        which also empties ``group_member``; ``mark_all_notifications_read``): its unfiltered write
        means every row.  ``leave_all`` names nothing after "all" and ``cleanup_expired`` names rows it
        forgot to pick.  One table, ``[[purge_function]]``, for raw SQL and lifted queries.  With the
        written ``table`` known, a verb followed right away by the table's plural names its rows too:
        prefect's ``delete_automations_for_workspace(db, session)`` deletes from ``automation`` —
        ``delete_expired_automations`` names rows it forgot to pick and still fires."""
        if not all(p.lower().replace("_", "") in self.purge_parameters for p in parameters):
            return False
        if self.purge_names is not None and self.purge_names.search(snake_name):
            return True
        words = snake_name.lower().split("_")
        if any(word in ("all", "every") and any(words[i + 1:]) for i, word in enumerate(words[:-1])):
            return True
        return table is not None and _names_table_rows(words, table)

    def dialect_for_scheme(self, scheme: str) -> Dialect | None:
        scheme = scheme.lower().split("+", 1)[0]
        return next((d for d in self.dialects.values() if scheme in d.url_schemes), None)

    def dialect_for_option(self, value: str) -> Dialect | None:
        value = value.lower()
        return next((d for d in self.dialects.values() if value in d.options), None)

    def database_of_path(self, path: str) -> str | None:
        """``backends/sqlite3/introspection.py`` / ``playhouse/sqlcipher_ext.py`` -> "sqlite";
        :data:`OTHER_DATABASE` for a database without a dialect table (``dialects/oracle/``);
        ``None`` when the path names no database."""
        parts = path.split("/")
        stem_words = re.split(r"[_.-]", parts[-1].rsplit(".", 1)[0].lower())
        for part in [*stem_words, *reversed(parts[:-1])]:
            for name in (part.lower(), *re.split(r"[_.-]", part.lower())):  # aurora-mysql/, sqlite-abstract/
                found = self._database_named(name)
                if found is not None:
                    return found
        return None

    def database_of_scope(self, scope: str) -> str | None:
        """``SqliteDatabase.pragma`` / ``PostgresqlDatabase.get_tables`` -> the database its class or
        function is named for (names of five letters or more, so ``pg`` inside ``page`` is no match)."""
        lowered = scope.lower()
        for dialect in self.dialects.values():
            if any(len(name) >= 5 and name in lowered for name in dialect.path_names):
                return dialect.name
        if any(len(name) >= 5 and name in lowered for name in self.other_path_names):
            return OTHER_DATABASE
        return None

    def database_named(self, name: str) -> str | None:
        """The database a dialect / vendor name stands for (``postgresql``, ``mariadb`` -> ``mysql``,
        ``mssql`` -> :data:`OTHER_DATABASE`), ``None`` when unknown."""
        return self._database_named(name.lower())

    def _database_named(self, part: str) -> str | None:
        dialect = next((d for d in self.dialects.values() if part in d.path_names), None)
        if dialect is not None:
            return dialect.name
        return OTHER_DATABASE if part in self.other_path_names else None

    def accepted_placeholders(self, style: str, database: str) -> frozenset[str] | None:
        """Placeholder kinds a paramstyle binds on ``database``; ``None`` when unknown."""
        paramstyle = self.paramstyles.get(style)
        if paramstyle is None:
            return None
        accepted = set(paramstyle.accepts)
        dialect = self.dialects.get(database)
        if paramstyle.passthrough and dialect is not None:
            accepted |= dialect.engine_placeholders
        return frozenset(accepted)


def _purge_names(entries: list[Package]) -> re.Pattern | None:
    words = [re.escape(w) for e in entries for w in _strings(e, "words")]
    suffixes = [re.escape(s) for e in entries for s in _strings(e, "suffixes")]
    if not words:
        return None
    return re.compile(rf"(^|_)({'|'.join(words)})(_({'|'.join(suffixes) or '(?!)'}))?$", re.IGNORECASE)


def _strings(entry: Package, key: str) -> tuple[str, ...]:
    return tuple(entry.extra.get(key, ()))


def _sink(entry: Package) -> Sink:
    extra = entry.extra
    return Sink(
        name=entry.name,
        language=entry.language,
        label=extra.get("label", entry.name),
        stacks=frozenset(_strings(entry, "stacks")),
        methods=frozenset(_strings(entry, "methods")),
        functions=frozenset(_strings(entry, "functions")),
        callee_methods=frozenset(_strings(entry, "callee_methods")),
        requires_modules=_strings(entry, "requires_modules"),
        untyped=bool(extra.get("untyped", False)),
        script_methods=frozenset(_strings(entry, "script_methods")),
        many_methods=frozenset(_strings(entry, "many_methods")),
        sql_keywords=_strings(entry, "sql_keywords"),
        statement=extra.get("statement", "auto"),
        placeholders=extra.get("placeholders", ""),
        params=extra.get("params", ""),
        single_statement=extra.get("single_statement", ""),
        single_with_params=extra.get("single_with_params", ""),
        count_error=extra.get("count_error", ""),
        traced_holes=bool(extra.get("traced_holes", False)),
        by_text=bool(extra.get("by_text", False)),
        quiet_methods=frozenset(_strings(entry, "quiet_methods")),
        guidance=extra.get("guidance", ""),
    )


def sql_knowledge(knowledge: Knowledge) -> SqlKnowledge:
    """The typed tables, built once per ``knowledge`` (the stack, the deep plan and five SQL
    families each ask for them; the result is frozen)."""
    built = knowledge.derived.get("sql")
    if built is None or built[0] != len(knowledge.entries):
        built = knowledge.derived["sql"] = (len(knowledge.entries), _build(knowledge))
    return built[1]


def _build(knowledge: Knowledge) -> SqlKnowledge:
    dialects = {
        entry.name: Dialect(
            name=entry.name,
            label=entry.extra.get("label", entry.name),
            sqlglot=entry.extra["sqlglot"],
            url_schemes=_strings(entry, "url_schemes"),
            options=_strings(entry, "options"),
            images=_strings(entry, "images"),
            path_names=_strings(entry, "path_names"),
            engine_placeholders=frozenset(_strings(entry, "engine_placeholders")),
            ignored_placeholders=frozenset(_strings(entry, "ignored_placeholders")),
            native_python=entry.extra.get("native_python", ""),
            native_node=entry.extra.get("native_node", ""),
            messages={k: entry.extra[k] for k in ("syntax_error", "unknown_table", "unknown_column", "quoted_unknown_column", "group_by") if k in entry.extra},
        )
        for entry in knowledge.of_kind("dialect")
    }
    constructs = tuple(
        Construct(
            name=entry.name,
            label=entry.extra.get("label", entry.name),
            pattern=lazy_compile(entry.extra["pattern"], re.IGNORECASE | re.MULTILINE),
            supported=frozenset(_strings(entry, "supported")),
            error=dict(entry.extra.get("error", {})),
            fix=entry.extra.get("fix", ""),
        )
        for entry in knowledge.of_kind("sql_construct")
    )
    paramstyles = {
        entry.name: ParamStyle(
            entry.name,
            frozenset(_strings(entry, "accepts")),
            bool(entry.extra.get("passthrough", False)),
            entry.extra.get("example", ""),
        )
        for entry in knowledge.of_kind("paramstyle")
    }
    safe = tuple(lazy_compile(p) for entry in knowledge.of_kind("sql_safe_hole") for p in _strings(entry, "patterns"))
    slips = tuple(
        (lazy_compile(entry.extra["pattern"], re.IGNORECASE), entry.extra.get("description", entry.name))
        for entry in knowledge.of_kind("sql_syntax_slip")
    )
    drivers = knowledge.of_kind("driver")
    purges = knowledge.of_kind("purge_function")
    return SqlKnowledge(
        purge_names=_purge_names(purges),
        purge_parameters=frozenset(p for entry in purges for p in _strings(entry, "handle_parameters"))
        | frozenset(p for entry in purges for p in _strings(entry, "neutral_parameters")),
        dialects=dialects,
        constructs=constructs,
        paramstyles=paramstyles,
        sinks=tuple(_sink(entry) for entry in knowledge.of_kind("sql_sink")),
        safe_holes=safe,
        values=value_functions(knowledge),
        syntax_slips=slips,
        other_path_names=frozenset(p for e in knowledge.of_kind("other_database") for p in _strings(e, "path_names")),
        driver_styles={d.name: d.extra.get("placeholder", "") for d in drivers},
        driver_databases={d.name: d.extra.get("database", "") for d in drivers},
        driver_modules={d.name: d.modules for d in drivers},
        dialect_modules={entry.name: entry.modules for entry in knowledge.of_kind("dialect") if entry.modules},
        dialect_constructors={name: entry.name for entry in knowledge.of_kind("dialect") for name in _strings(entry, "constructors")},
        driver_languages={d.name: d.language for d in drivers},
        other_grammars=tuple(g for e in knowledge.of_kind("other_database") for g in e.extra.get("sqlglot", ())),
        dialect_subjects=tuple(tuple(c.split(".")) for e in knowledge.of_kind("dialect_subject") for c in _strings(e, "chains")),
        other_modules=tuple(m for e in knowledge.of_kind("other_database") for m in e.modules),
        orm_modules=tuple(m for e in knowledge.of_kind("orm") for m in e.modules),
        schema_constructs=frozenset(n for e in knowledge.of_kind("schema_construct") for n in _strings(e, "names")),
        validated_parameters=tuple((e.modules, frozenset(_strings(e, "methods")), frozenset(_strings(e, "parameters")))
                                   for e in knowledge.of_kind("validated_parameter")),
        request_roots=frozenset(n for e in knowledge.of_kind("request_spelling") for n in _strings(e, "roots")),
        request_holders=frozenset(tuple(h.split(".", 1)) for e in knowledge.of_kind("request_spelling")
                                  for h in _strings(e, "holders")),
    )


def _names_table_rows(words: list[str], table: str) -> bool:
    """``["delete", "automations", "for", "workspace"]`` names the rows of ``automation``: the word(s)
    right after the verb are the table's name in the plural (or the name itself when already plural)."""
    name = [w for w in table.lower().split("_") if w]
    if not name or len(words) < 1 + len(name):
        return False
    *head, last = name
    plurals = {last + "s", last + "es"} | ({last[:-1] + "ies"} if last.endswith("y") else set())
    if last.endswith("s"):
        plurals.add(last)
    found = words[1:1 + len(name)]
    return found[:-1] == head and found[-1] in plurals
