"""Automatic fixes: one fixer per rule and language, registered by rule id.

Findings are the input.  A fixer receives one finding and the parsed file, locates the node the
finding's span names (libcst for Python, tree-sitter for JS/TS) and returns the rewrite — it never
re-detects the bug.  :func:`fix_file` applies every fix of one file in one pass with
non-overlapping edits; a fix that overlaps another waits for the next round.

Adding a fixer is one small module: a function decorated with ``@fixer("AL123", "javascript")``
(see ``sequelize_sync.py`` for a JS text edit, ``postgres_url.py`` for a libcst one), its module
in the import list of :func:`registered`, and ``fix = "safe"|"unsafe"`` plus ``fix_what`` in the rule's catalogue
entry (tests/test_fix.py checks that the marks and the registered fixers agree).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache

from archlint.adapters.fixers.base import Decline, FileFix
from archlint.domain.findings import Finding

_FAMILIES = {"python": "python", "javascript": "javascript", "typescript": "javascript"}
_REGISTRY: dict[tuple[str, str], Callable] = {}


def fixer(rule: str, family: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the fixer of ``rule`` in ``family`` ("python" or
    "javascript", which covers TypeScript)."""

    def register(function: Callable) -> Callable:
        if (rule, family) in _REGISTRY:
            raise ValueError(f"two fixers for {rule} ({family})")
        _REGISTRY[(rule, family)] = function
        return function

    return register


@cache
def registered() -> dict[tuple[str, str], Callable]:
    """Every fixer, keyed by (rule id, family); the modules are imported on first use."""
    from archlint.adapters.fixers import (  # noqa: F401 - importing a fixer module registers its fixers
        postgres_url,
        sequelize_count,
        sequelize_sync,
        sqlalchemy_api,
        sqlalchemy_conditions,
        sqlalchemy_relationships,
        sqlalchemy_unique,
    )

    return dict(_REGISTRY)


def family(language: str) -> str:
    return _FAMILIES.get(language, "")


def has_fixer(rule: str, language: str) -> bool:
    return (rule, family(language)) in registered()


def fix_file(path: str, language: str, data: bytes, findings: list[Finding], ctx) -> FileFix:
    """Apply the fixes of ``findings`` (all in ``path``, each with a registered fixer) to ``data``."""
    fixers = {rule: function for (rule, kind), function in registered().items() if kind == family(language)}
    if family(language) == "python":
        from archlint.adapters.fixers.python_cst import fix_python

        return fix_python(path, data, findings, fixers, ctx)
    from archlint.adapters.fixers.js_text import fix_javascript

    return fix_javascript(path, language, data, findings, fixers, ctx)


def read_file(root: str, path: str) -> bytes | None:
    try:
        with open(os.path.join(root, path), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def write_file(root: str, paths: list[str], contents: dict[str, bytes]) -> None:
    """Write the new contents of ``paths`` (relative to ``root``) in place."""
    for path in paths:
        with open(os.path.join(root, path), "wb") as handle:
            handle.write(contents[path])


__all__ = ["Decline", "FileFix", "fix_file", "fixer", "has_fixer", "registered"]
