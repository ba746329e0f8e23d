"""Rebuild the files a unified diff *adds* (``git add -A && git diff`` output, the benchmark's
patch format) so they can be analysed like a checked-out tree.

Only new files are rebuilt: a modified file's diff holds only some of its lines.  Paths are
sanitised (no absolute paths, no ``..``, no symlinks) because the patch is untrusted; nothing in it
is ever executed.
"""

from __future__ import annotations

import os
import re

MAX_FILE_BYTES = 5 * 1024 * 1024
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")


class PatchError(Exception):
    pass


def added_files(text: str) -> dict[str, str]:
    """path -> content of every file the patch creates."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    path = ""
    new_file = False
    symlink = False
    in_hunk = False
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current, new_file, symlink, in_hunk = None, False, False, False
            match = re.match(r"diff --git a/(.+?) b/(.+)$", line)
            path = match.group(2) if match else ""
            continue
        if not in_hunk:
            if line.startswith("new file mode"):
                new_file = True
                symlink = line.strip().endswith("120000")
            elif line.startswith("--- /dev/null"):
                new_file = True
            elif line.startswith("+++ "):
                target = line[4:].strip()
                if target.startswith("b/"):
                    path = target[2:]
            elif _HUNK.match(line):
                in_hunk = True
                if new_file and not symlink and _safe(path):
                    current = files.setdefault(path, [])
            continue
        if line.startswith("diff --git "):
            continue
        if _HUNK.match(line):
            continue
        if current is None:
            continue
        if line.startswith("+"):
            current.append(line[1:])
        elif line.startswith("\\"):
            continue  # "\ No newline at end of file"
    return {p: "\n".join(lines) + "\n" for p, lines in files.items() if lines}


def _safe(path: str) -> bool:
    if not path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path) or re.search(r"[\x00-\x1f\x7f]", path):
        return False
    parts = path.replace("\\", "/").split("/")
    return ".." not in parts and "" not in parts


def materialise(text: str, directory: str) -> int:
    """Write the added files under ``directory``; returns how many were written."""
    written = 0
    for relative, content in sorted(added_files(text).items()):
        data = content.encode("utf-8", "surrogateescape")
        if len(data) > MAX_FILE_BYTES:
            continue
        target = os.path.join(directory, *relative.split("/"))
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError:
            continue  # a name the file system refuses (too long, a file where a directory goes)
        written += 1
    return written


def read_patch(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError as exc:
        raise PatchError(f"cannot read patch {path}: {exc.strerror}") from exc
