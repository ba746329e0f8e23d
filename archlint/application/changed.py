"""Changed-files mode: report only findings in files a change touches.

The whole project is still analysed — a layer violation needs both ends of an import, and a
cycle needs all of its modules — and only the *reported* findings are limited to the files
``git`` lists as changed.  That keeps the run honest on large legacy code bases: you answer
for what you touched, and nothing you touched is judged without its context.
"""

from __future__ import annotations

import os

from archlint.adapters import git
from archlint.domain.findings import Finding


def changed_paths(root: str, base: str = "HEAD") -> set[str]:
    """Changed files as POSIX paths relative to ``root`` (the report's root); files outside
    ``root`` are dropped, since no finding can point at them."""
    real_root = os.path.realpath(root)
    result = set()
    for absolute in git.changed_files(real_root, base):
        relative = os.path.relpath(os.path.realpath(absolute), real_root)
        if not relative.startswith(os.pardir + os.sep) and relative != os.pardir:
            result.add(relative.replace(os.sep, "/"))
    return result


def limit_to_changed(findings: list[Finding], prints: list[str], root: str, base: str = "HEAD") -> tuple[list[Finding], list[str]]:
    """The findings in changed files, with their fingerprints (``prints`` may be empty)."""
    changed = changed_paths(root, base)
    keep = [index for index, finding in enumerate(findings) if finding.path in changed]
    return [findings[i] for i in keep], [prints[i] for i in keep] if prints else []
