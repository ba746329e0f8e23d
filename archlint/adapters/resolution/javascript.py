"""JS/TS import specifiers -> project files, from the file list and configs alone.

Mirrors what Node and the TypeScript compiler would do, without touching ``node_modules``:

* relative specifiers, probed with extensions and ``index.*`` (TypeScript importers try the TS
  extensions first, JS importers the JS ones), including the TS ESM convention where
  ``./a.js`` names the source ``a.ts``;
* ``#alias`` / ``#alias/*`` from the ``imports`` of the nearest ``package.json`` above the
  importer;
* ``paths`` (longest matching pattern first) and ``baseUrl`` of the nearest tsconfig/jsconfig;
* module-alias's ``_moduleAliases`` of the nearest ``package.json`` (``@model/User``);
* ``NODE_PATH=src`` in that ``package.json``'s scripts: a bare specifier naming no declared dependency
  is looked up under those folders (``require("lib/utils")`` -> ``src/lib/utils.js``);
* workspace packages: a bare specifier naming a ``package.json`` of the project resolves into
  that package (monorepos import their own packages by name);
* Node core modules, always reported as ``node:<name>`` (``fs`` and ``node:fs`` are one module);
* other bare specifiers are external, reported with their full subpath
  (``sequelize/lib/utils``), so checks can match either the package or a deep import.

Anything that leaves the analysis root, or looks like an unconfigured alias (``@/x``, ``~/x``),
is unresolved rather than guessed.
"""

from __future__ import annotations

import re
from posixpath import dirname, join, normpath
from typing import TypeVar

from archlint.domain.manifest import PackageJson, TsConfig

INTERNAL = "internal"
EXTERNAL = "external"
UNRESOLVED = "unresolved"

# require("module").builtinModules of Node 20, without internal and subpath names.
NODE_CORE_MODULES = frozenset(
    {
        "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
        "crypto", "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2",
        "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process", "punycode",
        "querystring", "readline", "repl", "stream", "string_decoder", "sys", "timers", "tls",
        "trace_events", "tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
    }
)  # fmt: skip

_TS_IMPORTER = (".ts", ".tsx", ".mts", ".cts")
_TS_FIRST = (".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".json")
_JS_FIRST = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".d.ts", ".json")
# TS ESM convention: the emitted extension is written, the source extension exists.
_SOURCE_FOR_EMITTED = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
# An npm package name: "@scope/name" or "name" not starting with ".", "_", "~" or "#".
_PACKAGE = re.compile(r"^(?:@[^/@\s.][^/\s]*/[^/\s]+|[^./_~#@\s][^/\s]*)(?:/|$)")

Resolution = tuple[str, str]
T = TypeVar("T")


class JsResolver:
    """Resolves specifiers for one project; results are cached per (directory, kind, specifier)."""

    def __init__(self, files: set[str], tsconfigs: list[TsConfig], packages: list[PackageJson]) -> None:
        self.files = frozenset(files)
        self.tsconfigs: dict[str, TsConfig] = {}
        for config in tsconfigs:
            known = self.tsconfigs.get(config.directory)
            if known is None or not (known.paths or known.base_url is not None):
                self.tsconfigs[config.directory] = config  # tsconfig + jsconfig: keep the useful one
        self.packages = {package.directory: package for package in packages}
        self.workspaces = {package.name: package for package in packages if package.name}
        self._cache: dict[tuple[str, bool, str], Resolution] = {}

    def resolve(self, importer: str, specifier: str) -> Resolution:
        """``('internal', path)``, ``('external', name)`` or ``('unresolved', specifier)``."""
        directory = dirname(importer)
        ts_first = importer.endswith(_TS_IMPORTER)
        key = (directory, ts_first, specifier)
        result = self._cache.get(key)
        if result is None:
            result = self._resolve(directory, ts_first, specifier)
            self._cache[key] = result
        return result

    def _resolve(self, directory: str, ts_first: bool, specifier: str) -> Resolution:
        if specifier.startswith("node:"):
            return EXTERNAL, specifier
        if specifier.startswith(("./", "../")) or specifier in (".", ".."):
            return self._internal(self._probe(join(directory, specifier), ts_first), specifier)
        if specifier.startswith("#"):
            return self._package_import(directory, ts_first, specifier)
        found = self._tsconfig(directory, ts_first, specifier)
        if found is not None:
            return INTERNAL, found
        aliased = self._module_alias(directory, ts_first, specifier)
        if aliased is not None:
            return aliased
        if specifier.split("/", 1)[0] in NODE_CORE_MODULES:
            return EXTERNAL, "node:" + specifier
        found = self._node_path(directory, ts_first, specifier)
        if found is not None:
            return INTERNAL, found
        if not _PACKAGE.match(specifier):
            return UNRESOLVED, specifier
        return self._bare(ts_first, specifier)

    @staticmethod
    def _internal(path: str | None, specifier: str) -> Resolution:
        return (INTERNAL, path) if path is not None else (UNRESOLVED, specifier)

    # -- probing --------------------------------------------------------------------------------
    def _probe(self, raw: str, ts_first: bool) -> str | None:
        """The project file a path names, trying extensions and ``index.*``; ``None`` when no
        file matches or the path leaves the root."""
        path = normpath(raw)
        if path == ".." or path.startswith(("../", "/")):
            return None
        path = "" if path == "." else path
        extensions = _TS_FIRST if ts_first else _JS_FIRST
        for candidate in self._candidates(path, ts_first, extensions):
            if candidate in self.files:
                return candidate
        return self._package_main(path, ts_first)

    @staticmethod
    def _candidates(path: str, ts_first: bool, extensions: tuple[str, ...]) -> list[str]:
        dot = path.rfind(".")
        emitted = path[dot:] if dot > path.rfind("/") else ""
        sources = [path[:dot] + ext for ext in _SOURCE_FOR_EMITTED.get(emitted, ())]
        exact = [path] if path else []
        ordered = sources + exact if ts_first else exact + sources
        index = f"{path}/index" if path else "index"
        return ordered + [path + ext for ext in extensions if path] + [index + ext for ext in extensions]

    def _package_main(self, directory: str, ts_first: bool) -> str | None:
        """A directory holding a package.json resolves to its ``main``."""
        package = self.packages.get(directory)
        if package is None or not package.main:
            return None
        main = normpath(join(directory, package.main))
        if main == directory:
            return None
        return next(
            (
                c
                for c in self._candidates(main, ts_first, _TS_FIRST if ts_first else _JS_FIRST)
                if c in self.files
            ),
            None,
        )

    # -- configuration-driven specifiers -------------------------------------------------------
    def _package_import(self, directory: str, ts_first: bool, specifier: str) -> Resolution:
        package = _nearest(self.packages, directory)
        if package is None:
            return UNRESOLVED, specifier
        for target in _expand(dict(package.imports), specifier):
            if not target.startswith("./"):
                return self._bare(ts_first, target) if _PACKAGE.match(target) else (UNRESOLVED, specifier)
            found = self._probe(join(package.directory, target), ts_first)
            if found is not None:
                return INTERNAL, found
        return UNRESOLVED, specifier

    def _tsconfig(self, directory: str, ts_first: bool, specifier: str) -> str | None:
        config = _nearest(self.tsconfigs, directory)
        if config is None:
            return None
        base = join(config.directory, config.base_url) if config.base_url is not None else config.directory
        for target in _expand(dict(config.paths), specifier):
            found = self._probe(join(base, target), ts_first)
            if found is not None:
                return found
        if config.base_url is not None:
            return self._probe(join(base, specifier), ts_first)
        return None

    def _module_alias(self, directory: str, ts_first: bool, specifier: str) -> Resolution | None:
        """module-alias: the specifier is an alias of the nearest package.json's ``_moduleAliases`` or
        starts with one and ``/`` (``@model`` / ``@model/User``), the longest alias first; a relative
        target is taken from that package.json's directory, a bare one names a package.  ``None`` when
        no alias matches."""
        package = _nearest(self.packages, directory)
        for alias, target in package.aliases if package is not None else ():
            if specifier != alias and not specifier.startswith(alias + "/"):
                continue
            rest = specifier[len(alias):]
            if target.startswith(("./", "../")) or target in (".", ".."):
                return self._internal(self._probe(join(package.directory, target) + rest, ts_first), specifier)
            joined = target + rest
            return self._bare(ts_first, joined) if _PACKAGE.match(joined) else (UNRESOLVED, specifier)
        return None

    def _node_path(self, directory: str, ts_first: bool, specifier: str) -> str | None:
        """``NODE_PATH=src`` in the nearest package.json's scripts: a bare specifier that names no declared
        dependency (node_modules answers those first) is the project file under that folder
        (``require("lib/utils")`` -> ``src/lib/utils.js``), else ``None``."""
        package = _nearest(self.packages, directory)
        if package is None or not package.node_path:
            return None
        parts = specifier.split("/")
        if "/".join(parts[:2] if specifier.startswith("@") else parts[:1]) in package.declared:
            return None
        for folder in package.node_path:
            found = self._probe(join(package.directory, folder, specifier), ts_first)
            if found is not None:
                return found
        return None

    def _bare(self, ts_first: bool, specifier: str) -> Resolution:
        """A package specifier: into a workspace package of the project, else external."""
        parts = specifier.split("/")
        name_length = 2 if specifier.startswith("@") else 1
        package = self.workspaces.get("/".join(parts[:name_length]))
        if package is not None:
            found = self._probe(join(package.directory, *parts[name_length:]), ts_first)
            if found is not None:
                return INTERNAL, found
        return EXTERNAL, specifier


def _nearest(table: dict[str, T], directory: str) -> T | None:
    """The entry of ``table`` (keyed by directory) in ``directory`` or its closest ancestor."""
    while directory not in table and directory:
        directory = dirname(directory)
    return table.get(directory)


def _expand(patterns: dict[str, object], specifier: str) -> list[str]:
    """Targets of the best-matching pattern: an exact key, else the ``*`` pattern with the
    longest prefix (as TypeScript and Node both choose); ``*`` in targets gets the match."""
    exact = patterns.get(specifier)
    if exact is not None:
        return _targets(exact)
    best, best_prefix, captured = None, -1, ""
    for pattern, targets in patterns.items():
        prefix, star, suffix = pattern.partition("*")
        if (
            star
            and len(prefix) > best_prefix
            and specifier.startswith(prefix)
            and specifier.endswith(suffix)
            and len(specifier) >= len(prefix) + len(suffix)
        ):
            best, best_prefix = targets, len(prefix)
            captured = specifier[len(prefix) : len(specifier) - len(suffix)]
    if best is None:
        return []
    return [target.replace("*", captured) for target in _targets(best)]


def _targets(value: object) -> list[str]:
    """tsconfig ``paths`` hold a list of targets, package ``imports`` a single one."""
    return [value] if isinstance(value, str) else list(value)
