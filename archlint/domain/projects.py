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

from dataclasses import dataclass, replace
from typing import TypeVar

from archlint.domain.manifest import Manifest

MANIFEST_NAMES = frozenset({"package.json", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile"})
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Projects:
    """The projects of the analysed tree (a monorepo's packages), by root directory."""
    roots: tuple[str, ...] = ("",)  # POSIX directories relative to the analysis root; "" = the root

    def of(self, path: str) -> str:
        """The project ``path`` (a file or directory) belongs to."""
        best = ""
        for root in self.roots:
            if root and (path == root or path.startswith(root + "/")) and len(root) > len(best):
                best = root
        return best

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

    def manifest_of(self, manifest: Manifest, project: str) -> Manifest:
        """The part of ``manifest`` that ``project`` sees."""
        if len(self.roots) == 1:
            return manifest
        keep = lambda items: [item for item in items if self.sees(project, item.path)]  # noqa: E731
        return replace(
            manifest,
            dependencies=keep(manifest.dependencies),
            env=keep(manifest.env),
            services=keep(manifest.services),
            tsconfigs=[t for t in manifest.tsconfigs if self.sees(project, t.directory + "/x")],
            packages=[p for p in manifest.packages if self.sees(project, p.directory + "/x")],
            files=[f for f in manifest.files if self.sees(project, f)],
            commands=[c for c in manifest.commands if self.sees(project, c[0])],
            schema_files=[f for f in manifest.schema_files if self.sees(project, f[0])],
        )


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
