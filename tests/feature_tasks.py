"""Feature tasks built the way the study built them (benchmark.md §1.1): take a finished repository,
remove one feature group ("comments", "tags", ...), and the task's reference patch is the diff that
puts it back.  ``feature_pair`` returns (the repository with the feature removed, the patch, the
finished repository); the patch comes from the real ``git diff`` (or ``diff -u``)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

from test_changed import git

_OPENERS, _CLOSERS = "([{", ")]}"


def remove_feature(root: Path, word: str) -> None:
    """Delete the files named after the feature, and the statements that mention it: Python
    imports lose the names, functions and classes named after it go (with their decorators),
    module-level statements mentioning it go; in JS/TS every statement mentioning it goes."""
    word = word.lower()
    for path in sorted(root.rglob("*")):
        if path.is_file() and word in path.name.lower():
            path.unlink()
    for path in sorted(root.rglob("*.py")):
        _rewrite(path, _without_python, word)
    for pattern in ("*.js", "*.ts"):
        for path in sorted(root.rglob(pattern)):
            _rewrite(path, _without_js, word)


def _rewrite(path: Path, edit, word: str) -> None:
    """Line ends are kept as they are (CRLF files stay CRLF)."""
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(edit(text, word))


def _without_python(text: str, word: str) -> str:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (first line, last line, replacement), 1-based inclusive

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            eol = "\r\n" if lines[node.lineno - 1].endswith("\r\n") else "\n"
            segment = "".join(lines[start - 1:node.end_lineno]).lower()
            if word not in segment:
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                kept = [alias for alias in node.names if word not in (alias.name + (alias.asname or "")).lower()]
                if isinstance(node, ast.ImportFrom) and word in (node.module or "").lower():
                    kept = []
                indent = lines[node.lineno - 1][: len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())]
                replacement = indent + ast.unparse(type(node)(**{**node.__dict__, "names": kept})) + eol if kept else ""
                edits.append((start, node.end_lineno, replacement))
            elif isinstance(node, ast.ClassDef) and word not in node.name.lower():
                visit(node.body)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and word not in node.name.lower():
                continue  # a function that merely uses the feature stays (the base need not be perfect)
            else:
                edits.append((start, node.end_lineno, ""))

    visit(tree.body)
    for first, last, replacement in sorted(edits, reverse=True):
        lines[first - 1:last] = [replacement] if replacement else []
    return "".join(lines)


def _without_js(text: str, word: str) -> str:
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if word not in line.lower():
            out.append(line)
            index += 1
            continue
        depth = 0
        end = index
        while end < len(lines):
            code = re.sub(r"(['\"`]).*?\1", "", lines[end])
            depth += sum(code.count(c) for c in _OPENERS) - sum(code.count(c) for c in _CLOSERS)
            if depth <= 0:
                break
            end += 1
        index = end + 1
    return "".join(out)


def git_diff(base: Path, finished: Path, out: Path, *options: str) -> Path:
    """``git add -A && git diff`` from ``base`` to ``finished``, as the study made its patches."""
    scratch = out.parent / f"{out.stem}-repo"
    shutil.copytree(base, scratch)
    git(scratch, "init", "-q")
    git(scratch, "add", "-A")
    git(scratch, "commit", "-qm", "base")
    for path in list(scratch.iterdir()):
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(finished, scratch, dirs_exist_ok=True)
    git(scratch, "add", "-A")
    out.write_bytes(subprocess.run(["git", "diff", "--cached", "-M", *options], cwd=scratch, capture_output=True, check=True).stdout)
    return out


def feature_pair(tmp: Path, finished_source: Path, word: str, edit=None) -> tuple[Path, Path, Path]:
    """(repository without the feature, the patch that restores it, the finished repository).
    ``edit(finished)`` may change the finished repository first (an agent's imperfect patch)."""
    finished = tmp / "finished"
    shutil.copytree(finished_source, finished, ignore=shutil.ignore_patterns("expected.json", "EXPECTED.md", "verify.json"))
    base = tmp / "base"
    shutil.copytree(finished, base)
    remove_feature(base, word)
    if edit is not None:
        edit(finished)
    patch = tmp / "feature.patch"
    git_diff(base, finished, patch)
    return base, patch, finished
