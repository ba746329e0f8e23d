"""Layers: which layer a file belongs to, and which layer may import which.

A layer is a role (routes, services, repositories, models, or any custom name).  Files are
assigned either by path globs (custom config) or by the role aliases of a preset applied
inside *containers* — directories such as ``app/`` or ``src/`` whose children are the layer
directories.  Presets repeat per container, as import-linter's containers do, so a monorepo
with ``users/`` and ``orders/`` each holding ``routes/ services/ …`` gets one architecture each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from archlint.domain.facts import DECLARATION_SUFFIXES
from archlint.domain.knowledge import module_matches


@dataclass(frozen=True, slots=True)
class Layer:
    """A layer of the contract, ranked from the top."""
    name: str
    rank: int  # 0 = top; a layer may be imported by layers of lower rank only
    may_import: tuple[str, ...] | None  # None: every layer below (import-linter semantics)
    forbidden_external: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    # aliases and suffixes only deliberately layered code uses (auto-detection's confidence)
    distinctive: tuple[str, ...] = ()
    distinctive_suffixes: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # globs, for configured layers
    transitive: bool = False
    data_access: bool = False  # the layer that may talk to the database (repositories)

    def allows(self, other: Layer) -> bool:
        if other.name == self.name:
            return True
        if self.may_import is None:
            return other.rank > self.rank
        return other.name in self.may_import


@dataclass(slots=True)
class Architecture:
    """The layers in force for one analysis, and how files are assigned to them."""

    name: str  # preset name or "custom"
    layers: list[Layer]
    containers: list[str] = field(default_factory=list)  # "" = root; used by presets
    composition_root_names: frozenset[str] = frozenset()
    composition_root_globs: tuple[str, ...] = ()
    exhaustive: bool = False
    exhaustive_ignore: tuple[str, ...] = ()
    source: str = ""  # where the architecture came from: config path or "auto"
    # nested_layer per path: AL301 asks it for every DB access of a file outside the data layer
    _nested: dict[str, Layer | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def layer(self, name: str) -> Layer:
        return next(layer for layer in self.layers if layer.name == name)

    def assign(self, path: str) -> Layer | None:
        """The layer of ``path`` (POSIX, relative to root), or None."""
        if self.containers:
            return self._assign_in_containers(path)
        for layer in self.layers:
            if layer.paths and any(glob_match(path, pattern) for pattern in layer.paths):
                return layer
        return None

    def _assign_in_containers(self, path: str) -> Layer | None:
        for container in sorted(self.containers, key=len, reverse=True):
            prefix = f"{container}/" if container else ""
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :].split("/")
            directories, filename = rest[:-1], rest[-1]
            for directory in directories:
                layer = self._by_alias(directory)
                if layer is not None:
                    return layer
            return self._by_suffix(filename)
        return None

    def nested_layer(self, path: str) -> Layer | None:
        """The role a file's own name or its innermost distinctive directory states *below* the layer
        it is assigned to (``services/offers/OfferBookshelfRepository.js``,
        ``services/members/members-api/repositories/MemberRepository.js``: repositories kept in a services
        feature folder), else None.  Not one above it: ``domain/repositories.py`` is the domain's repository
        interface (a port).  Only what a file does itself is judged by it (AL301: a repository querying):
        its imports stay judged by the layer it is assigned to, since its siblings in the feature folder
        (``services/offers/Offer.js``) have no role of their own.  Answered once per path."""
        try:
            return self._nested[path]
        except KeyError:
            found = self._nested[path] = self._nested_layer(path)
            return found

    def stated_layer(self, path: str) -> Layer | None:
        """For a file outside every layered container, the layer its own distinctive name or its innermost
        distinctive directory states (a feature folder holding only ``entities/`` and ``repositories/`` —
        ``api/follows/repositories/follows.repository.ts`` beside the layered ``api/articles/`` — is no
        container, but its repository is one), else None."""
        if not self.containers or self.assign(path) is not None:
            return None
        rest = path.split("/")
        return self._by_distinctive_name(rest[-1]) or self._innermost_distinctive(rest[:-1])

    def _nested_layer(self, path: str) -> Layer | None:
        outer = self.assign(path)
        if outer is None or not self.containers:
            return None
        container = max((c for c in self.containers if not c or path.startswith(f"{c}/")), key=len, default=None)
        if container is None:
            return None
        rest = path[len(container) + 1 if container else 0 :].split("/")
        inner = self._by_distinctive_name(rest[-1]) or self._innermost_distinctive(rest[:-1])
        return inner if inner is not None and inner.rank > outer.rank else None

    def _by_distinctive_name(self, filename: str) -> Layer | None:
        """The layer a file's own name states with a distinctive suffix (``OfferBookshelfRepository.js``,
        ``offer_repository.py``, ``offer-repository.js``).  Ghost keeps its repositories beside the services
        that use them (``services/offers/OfferBookshelfRepository.js``): the name, not ``services/``, tells."""
        stem = file_stem(filename)
        return next((layer for layer in self.layers if has_suffix(stem, layer.distinctive_suffixes, camel_case=True)), None)

    def _innermost_distinctive(self, directories: list[str]) -> Layer | None:
        """The layer of the innermost directory named with a distinctive alias
        (``services/members/members-api/repositories/``)."""
        for directory in reversed(directories):
            layer = self._by_alias(directory)
            if layer is not None and directory.lower() in layer.distinctive:
                return layer
        return None

    def _in_layer_directory(self, path: str) -> bool:
        """Whether ``path`` is the module of a layer directory: its own directory names a layer,
        the one the file is assigned to (``src/routes/index.js``; not ``infrastructure/models/index.js``,
        whose directories name two layers)."""
        parent = path.rsplit("/", 2)[-2] if path.count("/") >= 1 else ""
        own = self._by_alias(parent) if parent else None
        return own is not None and self._assign_in_containers(path) is own

    def _by_alias(self, directory: str) -> Layer | None:
        lowered = directory.lower()
        for layer in self.layers:
            if lowered in layer.aliases:
                return layer
        return None

    def _by_suffix(self, filename: str) -> Layer | None:
        stem = file_stem(filename)
        return next((layer for layer in self.layers if has_suffix(stem, layer.suffixes)), None)

    def is_setup_module(self, path: str, edges, data_packages: tuple[str, ...]) -> bool:
        """Whether ``path`` is the ORM's setup kept in a plain ``db/`` or ``database/`` directory of the
        data-access layer (``src/db/sequelize.js``: ``new Sequelize(…)``; ``app/db/base.py``: the declarative
        ``Base``): a file named with no distinctive role whose imports are all packages (no project module),
        one of them an ORM or a driver.  The models layer must import it — a Sequelize ``Model.init`` needs the
        instance, a SQLAlchemy model its ``Base`` — so that import is no upward dependency on the repositories
        (AL101) and closes no layer cycle (AL105); the preset's ``distinctive`` list already says these
        directories hold a plain app's connection.  What imports it from above (a route) stays judged."""
        layer = self.assign(path) if self.containers else None
        if layer is None or not layer.data_access:
            return False
        parts = path.split("/")
        if has_suffix(file_stem(parts[-1]), layer.distinctive_suffixes, camel_case=True):
            return False
        if any(directory.lower() in layer.distinctive for directory in parts[:-1]):
            return False
        externals = [edge.target for edge in edges if edge.source != edge.target]
        if not externals or any(not edge.external for edge in edges if edge.source != edge.target):
            return False
        return any(module_matches(target, package) for target in externals for package in data_packages)

    def is_composition_root(self, path: str) -> bool:
        stem = file_stem(path.rsplit("/", 1)[-1])
        if stem.lower() in _DIRECTORY_MODULES and self._in_layer_directory(path):
            return False  # `routes/index.js` is the routes directory's own module, not the app's wiring
        if stem in self.composition_root_names or stem.lower() in self.composition_root_names:
            return True
        return any(glob_match(path, pattern) for pattern in self.composition_root_globs)


# A directory's own module (``import '../repositories'`` loads ``repositories/index.js``): inside a
# layer directory it belongs to that layer, whatever the composition-root names say.
_DIRECTORY_MODULES = frozenset({"index"})


def role_of_directory(layers: list[Layer], directory: str) -> Layer | None:
    lowered = directory.lower()
    return next((layer for layer in layers if lowered in layer.aliases), None)


def has_suffix(stem: str, suffixes: tuple[str, ...], camel_case: bool = False) -> bool:
    """``articles.controller`` / ``user_repository`` / ``user-repo`` end with a role suffix; with
    ``camel_case`` also ``UserRepository`` (a capitalised suffix after a lower-case letter)."""
    lowered = stem.lower()
    for suffix in suffixes:
        if lowered == suffix or lowered.endswith(("." + suffix, "_" + suffix, "-" + suffix)):
            return True
        if camel_case and len(stem) > len(suffix) and stem.endswith(suffix.capitalize()) and stem[-len(suffix) - 1].islower():
            return True
    return False


def file_stem(filename: str) -> str:
    """``articles.controller.ts`` -> ``articles.controller``; ``user.d.ts`` -> ``user``."""
    for ext in DECLARATION_SUFFIXES:
        if filename.endswith(ext):
            return filename[: -len(ext)]
    return filename.rsplit(".", 1)[0] if "." in filename else filename


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Glob with ``**`` (any number of directories), ``*`` (within one component) and ``?``."""
    return re.compile(_glob_source(pattern))


def _glob_source(pattern: str) -> str:
    """The regular expression text of :func:`_glob_regex` (compiled there; joined uncompiled by
    :func:`_non_production_regex`, whose 18 patterns are never matched one by one)."""
    pattern = pattern.strip("/")
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return "".join(parts) + "(?:/.*)?$"


def glob_match(path: str, pattern: str) -> bool:
    """Match a POSIX relative path; a pattern naming a directory matches everything below it."""
    return bool(_glob_regex(pattern).match(path))


# Code that never serves a request (here, not in datalayer.py, so that layer-only runs need not import the data layer).
_NON_PRODUCTION = (
    "**/tests/**", "**/test/**", "**/testing/**", "**/__tests__/**", "**/*.test.*", "**/*.spec.*", "**/test_*.py",
    "**/*_test.py", "**/tests.py", "**/conftest.py", "**/migrations/**", "**/alembic/**", "**/scripts/**", "**/seeders/**",
    "**/seeds/**", "**/seed.*", "**/management/commands/**", "**/test_utils/**",
)


@lru_cache(maxsize=8192)
def non_production(path: str) -> bool:
    """Tests, migrations, seeds and scripts: code that never serves a request.  (Asked for every
    access site; one answer per path, from one regex: the patterns' alternation matches where
    one of them does — 18 matches per path were ~0.1 s of a saleor-sized layers-only run.)"""
    return _non_production_regex().match(path) is not None


@lru_cache(maxsize=1)
def _non_production_regex() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_glob_source(pattern)})" for pattern in _NON_PRODUCTION))


__all__ = ["Architecture", "Layer", "file_stem", "glob_match", "has_suffix", "non_production", "role_of_directory"]
