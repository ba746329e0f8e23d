"""Which manifest reader a file name asks for, decided from the name alone.

Discovery asks this of every ``.txt`` / ``.toml`` / ``.cfg`` / ``.yml`` / ``.env``-like file it
walks past; keeping the decision here means a tree with no manifest never imports the readers
(:mod:`archlint.adapters.manifests`: tomllib, ``ast`` walks and a dozen regexes — a twentieth of a
51-file app's layers-only run).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# name (lower case) -> kind; the readers are in archlint.adapters.manifests._READERS
_EXACT = {"pyproject.toml": "pyproject", "setup.cfg": "setup.cfg", "setup.py": "setup.py", "pipfile": "pipfile"}
_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$")
_NOT_PIP_INPUTS = frozenset({"manifest", "makefile", "configure", "doxyfile"})


def manifest_kind(path_rel: str) -> str | None:
    """The kind of manifest ``path_rel`` is ("pyproject", "setup.cfg", "setup.py", "pipfile",
    "metadata", "compose", "env", "requirements"), or ``None`` (never package.json/tsconfig)."""
    path = PurePosixPath(path_rel)
    name = path.name.lower()
    if name in _EXACT:
        return _EXACT[name]
    if name == "metadata" and path.parent.name.lower().endswith(".dist-info"):
        return "metadata"
    if _COMPOSE_NAME.match(name):
        return "compose"
    if _is_env(name):
        return "env"
    return "requirements" if _is_requirements(path, name) else None


def _is_env(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _is_requirements(path: PurePosixPath, name: str) -> bool:
    """``*requirements*.txt``, any ``.txt`` in a ``requirements/`` directory, pip-compile ``*.in``.

    ``*.in`` is also the autotools/setuptools template suffix, so ``config.h.in`` (stem with a
    dot) and ``MANIFEST.in``-style names are excluded.
    """
    if name.endswith(".txt"):
        return "requirements" in name or path.parent.name.lower() == "requirements"
    if not name.endswith(".in"):
        return False
    stem = name.removesuffix(".in")
    return bool(stem) and "." not in stem and stem not in _NOT_PIP_INPUTS
