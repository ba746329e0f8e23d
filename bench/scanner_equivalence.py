#!/usr/bin/env python3
"""Does the cheap import scanner yield exactly what the tree-sitter frontend yields?

Usage: ``python bench/scanner_equivalence.py DIR [DIR...]`` (e.g. the Django, SQLAlchemy and
wagtail/netbox trees ``bench/run.py`` fetches into ``bench/.work/targets``).  For every ``.py``
and JS/TS file it compares the scanner's imports and archlint comments with the frontend's, and
prints the files that differ (none, or the exit code is 1) and how many files the scanner handed
back to the frontend as "unsure" (for those, the frontend's lean head — what a layers-only run asks —
is compared with its regular one).  ``tests/test_scanner_equivalence.py`` runs the same comparison
on these trees when they are present (opt-in, skips offline).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archlint.adapters.frontends.js_scanner import compare_file as compare_js_file  # noqa: E402
from archlint.adapters.frontends.scanner import compare_file  # noqa: E402

JS_LANGUAGES = {".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescript",
                ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript"}
SUFFIXES = (".py", *JS_LANGUAGES)


def compare_tree(root: Path) -> tuple[int, int, list[str]]:
    files = unsure = 0
    differences: list[str] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or not path.name.endswith(SUFFIXES) or "node_modules" in path.parts:
            continue
        files += 1
        relative, raw = str(path.relative_to(root)), path.read_bytes()
        language = JS_LANGUAGES.get(path.suffix)
        verdict = compare_js_file(relative, raw, language) if language else compare_file(relative, raw)
        if verdict is None:
            unsure += 1
        elif verdict:
            differences.append(f"{path}: {verdict}")
    return files, unsure, differences


def main(argv: list[str]) -> int:
    failed = False
    for argument in argv or ["."]:
        started = time.perf_counter()
        files, unsure, differences = compare_tree(Path(argument))
        seconds = time.perf_counter() - started
        print(f"{argument}: {files} files, {unsure} handed to the frontend, {len(differences)} differ ({seconds:.1f} s)")
        for line in differences[:50]:
            print("  " + line)
        failed = failed or bool(differences)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
