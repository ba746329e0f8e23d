"""Python module names and import resolution from file paths alone.

Agents often omit ``__init__.py`` and run their app from inside a sub-directory
(``cd app && python main.py`` then ``from services import x``), so archlint never relies on
packages being marked or on the code being importable (import-linter silently skips such
modules).  Instead it reconstructs what ``sys.path`` would contain — *source roots*:

* the analysis root, and any configured ``source_roots``;
* every ``src/`` directory;
* every directory holding an entry script (``main.py``, ``manage.py``, ``app.py`` …) or a
  project manifest (``pyproject.toml``, ``requirements.txt`` …): Python puts the script's
  directory first on ``sys.path``;
* the parent of every top-level package (a directory with ``__init__.py`` whose parent has none).

An absolute import resolves against the roots that contain the importer (deepest first), then
the others; a relative import resolves from the importer's directory.  What resolves nowhere is
external (stdlib or a third-party package).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from archlint.domain.facts import Import

ENTRY_SCRIPTS = frozenset(
    {"main.py", "manage.py", "app.py", "run.py", "server.py", "wsgi.py", "asgi.py", "__main__.py", "conftest.py"}
)
PROJECT_FILES = frozenset(
    {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "run.sh", "alembic.ini"}
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a Python import resolves to: an internal file or an external module."""
    path: str  # internal file path, or external dotted module name
    external: bool


class PythonResolver:
    def __init__(self, files: list[str], other_files: list[str] = (), source_roots: list[str] | None = None) -> None:
        self.files = set(files)
        self.directories = _directories(self.files)
        self.roots = _detect_roots(self.files, self.directories, list(other_files), source_roots)
        # Memos: a saleor-sized tree resolves ~20k imports, most of them the same few hundred
        # module names from files under the same roots (0.25 s -> 0.05 s under the profiler).
        self._files: dict[str, str | None] = {}
        self._roots: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._absolute: dict[tuple[tuple[str, ...], str, tuple[str, ...]], tuple[Target, ...]] = {}

    # module names ---------------------------------------------------------------------------
    def module_name(self, path: str) -> str:
        root = self._root_of(path)
        relative = path[len(root) + 1 :] if root else path
        stem = relative.rsplit(".", 1)[0]
        if stem.endswith("/__init__") or stem == "__init__":
            stem = stem[: -len("__init__")].rstrip("/") or root.rsplit("/", 1)[-1]
        return stem.replace("/", ".")

    def _root_of(self, path: str) -> str:
        best = ""
        for root in self.roots:
            if root and path.startswith(root + "/") and len(root) > len(best):
                best = root
        return best

    # resolution -----------------------------------------------------------------------------
    def resolve(self, importer: str, imp: Import) -> list[Target]:
        """Targets of one import: the module, or each imported submodule for ``from x import a``."""
        if imp.level:
            base = self._package_dir(importer, imp.level)
            if base is None:
                return []
            prefix = f"{base}/{imp.module.replace('.', '/')}".strip("/") if imp.module else base
            return self._from_candidates(imp, [prefix], relative=True)
        module_path = imp.module.replace(".", "/")
        # A standard-library name never resolves through another directory's root: ``import
        # collections`` in prefect's server/models/ is the stdlib, not server/api/collections.py
        # (api/ is a root only for a script started there, which is not how models/ is imported).
        stdlib = imp.module.split(".", 1)[0] in sys.stdlib_module_names
        roots = self._roots_for(importer, others=not stdlib)
        key = (roots, imp.module, imp.names)
        known = self._absolute.get(key)
        if known is None:
            candidates = [f"{root}/{module_path}" if root else module_path for root in roots]
            targets = self._from_candidates(imp, candidates, relative=False) or self._compiled_submodule(roots, imp.module)
            if not targets:
                if imp.names and imp.names != ("*",):
                    targets = [Target(f"{imp.module}.{name}", True) for name in imp.names]
                else:
                    targets = [Target(imp.module, True)]
            known = self._absolute[key] = tuple(targets)
        return list(known)

    def _from_candidates(self, imp: Import, prefixes: list[str], relative: bool) -> list[Target]:
        for prefix in prefixes:
            module_file = self._file_for(prefix)
            if module_file is None and prefix not in self.directories:
                continue
            # A directory without __init__.py is a namespace package: its node is "dir/".
            itself = Target(module_file if module_file is not None else f"{prefix}/", False)
            targets: list[Target] = []
            for name in imp.names:
                if name == "*":
                    continue
                sub_prefix = f"{prefix}/{name}" if prefix else name
                sub = self._file_for(sub_prefix)
                if sub is None and sub_prefix in self.directories:
                    sub = f"{sub_prefix}/"
                target = Target(sub, False) if sub is not None else itself
                if target not in targets:
                    targets.append(target)
            return targets or [itself]
        return []

    def _compiled_submodule(self, roots: tuple[str, ...], module: str) -> list[Target]:
        """``sqlalchemy.cyextension.processors`` where ``sqlalchemy/cyextension/__init__.py`` is in
        the tree but the module is a compiled ``.so``: a submodule of a regular local package comes
        from that package (only namespace packages take parts from other distributions), so the
        import is an edge to the deepest package, never an external module nobody declares."""
        parts = module.split(".")
        for root in roots:
            for depth in range(len(parts) - 1, 0, -1):
                package = "/".join(parts[:depth]) + "/__init__.py"
                if (f"{root}/{package}" if root else package) in self.files:
                    return [Target(f"{root}/{package}" if root else package, False)]
        return []

    def _file_for(self, prefix: str) -> str | None:
        try:
            return self._files[prefix]
        except KeyError:
            pass
        found = None
        for candidate in (f"{prefix}.py", f"{prefix}/__init__.py", f"{prefix}.pyi", f"{prefix}/__init__.pyi"):
            if candidate in self.files:
                found = candidate
                break
        self._files[prefix] = found
        return found

    def _package_dir(self, importer: str, level: int) -> str | None:
        parts = importer.split("/")[:-1]
        if level - 1 > len(parts):
            return None
        return "/".join(parts[: len(parts) - (level - 1)])

    def _roots_for(self, importer: str, others: bool = True) -> tuple[str, ...]:
        """Roots containing the importer (deepest first), then (``others``) every other root."""
        key = (importer.rpartition("/")[0], others)
        known = self._roots.get(key)
        if known is None:
            containing = [r for r in self.roots if not r or importer.startswith(r + "/")]
            containing.sort(key=len, reverse=True)
            known = tuple(containing + [r for r in self.roots if r not in containing] if others else containing)
            self._roots[key] = known
        return known


def _directories(files: set[str]) -> set[str]:
    directories: set[str] = set()
    for path in files:
        parts = path.split("/")[:-1]
        for index in range(1, len(parts) + 1):
            directories.add("/".join(parts[:index]))
    return directories


def _detect_roots(files: set[str], directories: set[str], other_files: list[str], configured) -> list[str]:
    roots: set[str] = {""}
    if configured:
        roots.update(root.strip("/") for root in configured)
    for directory in directories:
        if directory == "src" or directory.endswith("/src"):
            roots.add(directory)
    for path in list(files) + other_files:
        directory, _, name = path.rpartition("/")
        if name == "setup.py" and f"{directory}/__init__.py".lstrip("/") in files:
            continue  # indico's `indico/cli/setup.py`: a module of a package (a `setup` command), no setuptools script
        if name in ENTRY_SCRIPTS or name in PROJECT_FILES or name.startswith("requirements"):
            roots.add(directory)
        if name == "__init__.py":
            parent = directory.rpartition("/")[0]
            if f"{parent}/__init__.py".lstrip("/") not in files:
                roots.add(parent)
    return sorted(roots)
