"""Projects inside one analysed tree, split by their manifests.

A tree can hold several projects: a monorepo's ``packages/*``, a ``backend/`` and a ``frontend/``,
or a folder of downloaded packages.  Whatever archlint *guesses* for a project as a whole — which
database it talks to (and so the SQL dialect), which tables its schema has, which data-access
stacks it mixes, whether it creates its schema — must come from that project alone: TypeORM's
MySQL driver is not wrong because a sibling package's URL says PostgreSQL.

A project is a directory holding a manifest (``package.json``, ``pyproject.toml``, ``setup.py``,
``setup.cfg``, ``requirements.txt``, ``Pipfile``); a file belongs to the nearest one above it, or
to the root project ``""``.  A ``setup.py`` inside a Python package (an ``__init__.py`` beside it:
django-cms's ``cms/utils/setup.py``, indico's ``indico/cli/setup.py``) is a module of that package,
not a setuptools script, so it starts no project.  A project sees its own files and manifests and those of the projects
it is nested in (a root ``docker-compose.yml`` serves every sub-project), never a sibling's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TypeVar

from archlint.domain.manifest import Manifest

MANIFEST_NAMES = frozenset({"package.json", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile"})
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Projects:
    """The projects of the analysed tree (a monorepo's packages), by root directory.

    A tree of hundreds of projects (a folder of downloaded packages, a fixture collection) asks
    ``of`` for every file, model and manifest item of every project: ``of`` walks up the path's
    directories (its depth, not the number of projects) and remembers its answers, and
    ``manifest_of`` groups the manifest by owner once, so the per-project work stays linear."""
    roots: tuple[str, ...] = ("",)  # POSIX directories relative to the analysis root; "" = the root
    _roots: frozenset[str] = field(init=False, repr=False, compare=False)
    _owners: dict[str, str] = field(init=False, repr=False, compare=False)
    _manifests: dict[int, tuple[Manifest, dict, dict]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_roots", frozenset(self.roots))
        object.__setattr__(self, "_owners", {})
        object.__setattr__(self, "_manifests", {})

    def of(self, path: str) -> str:
        """The project ``path`` (a file or directory) belongs to: the deepest root that is
        ``path`` or one of its directories."""
        owner = self._owners.get(path)
        if owner is None:
            owner = ""
            candidate = path
            while candidate:
                if candidate in self._roots:
                    owner = candidate
                    break
                candidate = candidate.rpartition("/")[0]
            self._owners[path] = owner
        return owner

    def split(self, paths: list[str]) -> dict[str, list[str]]:
        """``paths`` grouped by project, in sorted project order."""
        groups: dict[str, list[str]] = {}
        for path in paths:
            groups.setdefault(self.of(path), []).append(path)
        return dict(sorted(groups.items()))

    def sees(self, project: str, path: str) -> bool:
        """Does ``project`` see the file or manifest at ``path`` (its own, or an enclosing project's)?"""
        owner = self.of(path)
        return owner == project or owner == "" or project.startswith(owner + "/")

    def visible(self, project: str) -> list[str]:
        """The projects whose files and manifests ``project`` sees: the root, the projects it is
        nested in, and itself (``sees`` as a list)."""
        owners = [""]
        parts = project.split("/") if project else []
        for end in range(1, len(parts) + 1):
            owners.append("/".join(parts[:end]))
        return owners

    def manifest_of(self, manifest: Manifest, project: str) -> Manifest:
        """The part of ``manifest`` that ``project`` sees (items in their manifest order)."""
        if len(self.roots) == 1:
            return manifest
        entry = self._manifests.get(id(manifest))
        if entry is None or entry[0] is not manifest:
            entry = (manifest, self._by_owner(manifest), {})
            self._manifests[id(manifest)] = entry
        _, groups, done = entry
        if project not in done:
            owners = self.visible(project)
            keep = {}
            for name, by_owner in groups.items():
                items = [pair for owner in owners for pair in by_owner.get(owner, ())]
                items.sort(key=lambda pair: pair[0])
                keep[name] = [item for _, item in items]
            done[project] = replace(manifest, **keep)
        return done[project]

    def _by_owner(self, manifest: Manifest) -> dict[str, dict[str, list]]:
        """Every list of ``manifest`` that ``manifest_of`` filters: its (index, item) pairs by
        the project that owns the item."""
        where = {
            "dependencies": lambda item: item.path,
            "env": lambda item: item.path,
            "services": lambda item: item.path,
            "tsconfigs": lambda item: item.directory + "/x",
            "packages": lambda item: item.directory + "/x",
            "files": lambda item: item,
            "commands": lambda item: item[0],
            "schema_files": lambda item: item[0],
        }
        groups: dict[str, dict[str, list]] = {}
        for name, path in where.items():
            by_owner: dict[str, list] = {}
            for index, item in enumerate(getattr(manifest, name)):
                by_owner.setdefault(self.of(path(item)), []).append((index, item))
            groups[name] = by_owner
        return groups


def projects_from(paths: list[str]) -> Projects:
    """The projects of a tree, from the paths of every file in it."""
    roots = {""}
    present = set(paths)
    for path in paths:
        directory, _, name = path.rpartition("/")
        if name == "setup.py" and f"{directory}/__init__.py".lstrip("/") in present:
            continue  # a module of a package named setup, no setuptools script
        if name in MANIFEST_NAMES:
            roots.add(directory)
    return Projects(tuple(sorted(roots)))


__all__ = ["MANIFEST_NAMES", "Projects", "projects_from"]
