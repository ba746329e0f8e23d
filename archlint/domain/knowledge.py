"""What archlint knows about the ecosystem: web frameworks, DB drivers, ORMs.

Loaded from ``rules/knowledge/*.toml``; adding a driver or a framework is a data change.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Package:
    """One framework, driver or ORM entry."""

    kind: str  # "framework" | "driver" | "orm"
    name: str
    language: str  # "python" | "node"
    modules: tuple[str, ...]
    packages: tuple[str, ...]
    extra: dict = field(default_factory=dict, hash=False, compare=False)  # database, placeholder, …


@dataclass(frozen=True, slots=True)
class AccessSpec:
    """How one stack's data access looks at a call site (``rules/knowledge/access.toml``).

    Python names are canonical dotted paths (``sqlalchemy.orm.sessionmaker``); JS names keep the
    ``specifier:attr`` form (``pg:Pool``) because specifiers contain dots and slashes.
    """

    stack: str
    objects: dict  # constructor -> object kind
    annotations: dict  # annotation -> object kind
    derived: dict  # "kind.method" -> object kind
    methods: dict  # kind -> frozenset of DB-touching methods
    categories: dict  # method -> query | write | transaction | connect | schema


@dataclass(slots=True)
class Knowledge:
    """The knowledge tables of rules/knowledge (packages, access, semantics, roles)."""
    entries: list[Package] = field(default_factory=list)
    access: list[AccessSpec] = field(default_factory=list)
    semantics: dict = field(default_factory=dict)  # stack -> tables of rules/knowledge/semantics.toml
    roles: dict = field(default_factory=dict)  # role -> its words (rules/knowledge/roles.toml)
    # reader -> key -> names: the ``[[names]]`` tables of rules/knowledge/*.toml, merged per reading module
    # (``reader = "frameworks"`` is archlint/semantics/frameworks.py); a key is one list or table of
    # qualified names (classes, functions, decorators, modules) or method names of a third-party library
    names: dict = field(default_factory=dict)
    # fork -> module: a package publishing another's API under its own name (an entry's ``forks``: n8n's
    # ``@n8n/typeorm``); the frontends bind names imported from it as names of the original module
    module_aliases: dict = field(default_factory=dict)
    # Typed tables built from ``entries`` once per Knowledge (``sql_knowledge``: six readers a run).
    # A loaded Knowledge is never changed (nothing appends to ``entries`` after ``load_knowledge``);
    # a table is still rebuilt if the entries grew, so a test that adds one sees it.
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def entry(self, name: str) -> Package | None:
        return next((e for e in self.entries if e.name == name), None)

    def view(self, reader: str, build):
        """A module's typed view of its ``[[names]]`` tables (``build(table)``), built once per Knowledge:
        for the checks that also run without a semantic model (``Library.view`` is the model's own)."""
        key = ("names", reader)
        found = self.derived.get(key)
        if found is None:
            found = self.derived[key] = build(self.names.get(reader, {}))
        return found

    def framework_names(self, framework: str, key: str) -> frozenset:
        """The names a framework's entry lists under ``key`` (``body_parsers``, ``body_parsing_routers``,
        ``promise_routers`` of ``express`` in rules/knowledge/frameworks.toml); empty when it lists none."""
        for entry in self.entries:
            if entry.kind == "framework" and entry.name == framework:
                return frozenset(entry.extra.get(key, ()))
        return frozenset()

    def of_kind(self, kind: str) -> list[Package]:
        return [entry for entry in self.entries if entry.kind == kind]

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Named module groups usable in configs as ``@name`` (``@db-drivers``, …)."""
        server = [m for e in self.of_kind("framework") for m in e.extra.get("server_modules", e.modules)]
        return {
            "@db-drivers": tuple(m for e in self.of_kind("driver") for m in e.modules),
            "@orms": tuple(m for e in self.of_kind("orm") for m in e.modules),
            "@web-frameworks": tuple(m for e in self.of_kind("framework") for m in e.modules),
            "@web-frameworks-server": tuple(server),
        }


def module_matches(imported: str, pattern: str) -> bool:
    """Submodule-granular match of an imported name against a module pattern.

    ``sqlalchemy.orm.Session`` matches ``sqlalchemy.orm``; ``sqlalchemy_utils`` does not match
    ``sqlalchemy``; ``@prisma/client/runtime`` matches ``@prisma/client``; ``node:sqlite``
    matches ``node:sqlite``.
    """
    if imported == pattern:
        return True
    return imported.startswith(pattern) and imported[len(pattern)] in "./"
