"""Where benchmark runs live on disk, and where an audit keeps its results.

Reading side: a results tree (``data/results/{runtime}/{agent}/{model}/{task}/{date}/run_N/``) holds
one run per ``run_N`` directory — a checked-out repository, or the agent's patch, or (when the agent
produced nothing) neither.  Outside ``run_N`` directories any directory that directly holds sources
or a project manifest is a run, and any loose ``*.patch`` / ``*.diff`` file is one.  The walk never
follows symlinks and never descends into a run, so a repository's own sub-packages are not runs.

Writing side: ``results.jsonl`` is append-only (one JSON object per line, flushed per run) so an
interrupted audit loses at most the run in flight; a truncated last line is ignored on load.  Other
outputs are replaced atomically so a reader never sees half a report.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from archlint.adapters.discovery import DEFAULT_EXCLUDED_DIRS, LANGUAGES

RUN_DIR = re.compile(r"^run[_-]?\d+$", re.I)
PATCH_SUFFIXES = (".patch", ".diff")
# Files that make a directory a project even when its sources sit in sub-directories.
PROJECT_MARKERS = frozenset({"package.json", "requirements.txt", "pyproject.toml", "setup.py", "manage.py", "Pipfile", "run.sh"})


class RunStoreError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class FoundRun:
    """A benchmark run found under an audit root."""
    path: str  # absolute
    kind: str  # "dir" | "patch" | "empty"


def is_patch_name(name: str) -> bool:
    return name.lower().endswith(PATCH_SUFFIXES) or name.lower() == "patch"


def find_runs(root: str) -> list[FoundRun]:
    """Every run under ``root`` (which may itself be a run directory or a patch file)."""
    root = os.path.abspath(root)
    if not os.path.exists(root):
        raise RunStoreError(f"path does not exist: {root}")
    if os.path.isfile(root):
        return [FoundRun(root, "patch")]
    return sorted(_walk(root), key=lambda run: run.path)


def _walk(directory: str) -> Iterator[FoundRun]:
    files, dirs = _listing(directory)
    if RUN_DIR.match(os.path.basename(directory)):
        yield _run_dir(directory, files)
        return
    if any(_is_source(name) or name in PROJECT_MARKERS for name in files):
        yield FoundRun(directory, "dir")
        return
    for name in files:
        if is_patch_name(name):
            yield FoundRun(os.path.join(directory, name), "patch")
    for name in dirs:
        yield from _walk(os.path.join(directory, name))


def _run_dir(directory: str, files: list[str]) -> FoundRun:
    """A ``run_N`` directory: its source tree if it has one (the full repository is more complete
    than a diff, which only rebuilds added files), else its patch, else an empty run."""
    if _has_sources(directory):
        return FoundRun(directory, "dir")
    patches = sorted(_patches_below(directory), key=lambda path: (path.count(os.sep), path))
    return FoundRun(patches[0], "patch") if patches else FoundRun(directory, "empty")


def _has_sources(directory: str) -> bool:
    files, dirs = _listing(directory)
    return any(_is_source(name) for name in files) or any(_has_sources(os.path.join(directory, d)) for d in dirs)


def _patches_below(directory: str) -> Iterator[str]:
    files, dirs = _listing(directory)
    yield from (os.path.join(directory, name) for name in files if is_patch_name(name))
    for name in dirs:
        yield from _patches_below(os.path.join(directory, name))


def _listing(directory: str) -> tuple[list[str], list[str]]:
    """(files, sub-directories) without symlinks, hidden or dependency/build directories."""
    files: list[str] = []
    dirs: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if entry.name not in DEFAULT_EXCLUDED_DIRS and not entry.name.startswith("."):
                        dirs.append(entry.name)
                elif entry.is_file():
                    files.append(entry.name)
    except OSError:
        pass
    return sorted(files), sorted(dirs)


def _is_source(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in LANGUAGES


# manifest -----------------------------------------------------------------------------------------
def read_manifest(path: str) -> list[dict[str, str]]:
    """Rows of a ``--manifest`` CSV with lower-cased column names; ``path`` (and the optional
    ``base``) made absolute against the manifest's own directory so the file can be moved together
    with the runs."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise RunStoreError(f"cannot read manifest {path}: {exc.strerror}") from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise RunStoreError(f"manifest {path} is not a UTF-8 CSV file: {exc}") from exc
    base = os.path.dirname(os.path.abspath(path))
    result = []
    for number, row in enumerate(rows, start=2):
        clean = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if not clean.get("path"):
            raise RunStoreError(f"{path}:{number}: the manifest needs a `path` column with a value on every row")
        clean["path"] = os.path.normpath(os.path.join(base, clean["path"]))
        if clean.get("base"):  # the checkout a feature run's patch applies to
            clean["base"] = os.path.normpath(os.path.join(base, clean["base"]))
        clean["line"] = str(number)
        result.append(clean)
    return result


# results store ------------------------------------------------------------------------------------
class ResultsFile:
    """``OUT/results.jsonl``: rows keyed by run path; the last row for a path wins."""

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> dict[str, dict]:
        rows: dict[str, dict] = {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                for line in handle:
                    try:
                        row = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by an interrupted audit
                    if isinstance(row, dict) and isinstance(row.get("path"), str):
                        rows[row["path"]] = row
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise RunStoreError(f"cannot read {self.path}: {exc.strerror}") from exc
        return rows

    def appender(self) -> "_Appender":
        return _Appender(self.path)


class _Appender:
    """Context manager appending one flushed line per row; starts on a fresh line if the previous
    audit was killed mid-write."""

    def __init__(self, path: str) -> None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        needs_newline = os.path.exists(path) and os.path.getsize(path) > 0 and not _ends_with_newline(path)
        self._handle = open(path, "a", encoding="utf-8")
        if needs_newline:
            self._handle.write("\n")

    def write(self, row: dict) -> None:
        self._handle.write(json.dumps(row, sort_keys=False, ensure_ascii=False) + "\n")
        self._handle.flush()

    def __enter__(self) -> "_Appender":
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def write_text(path: str, text: str) -> None:
    """Replace ``path`` atomically: write a sibling file (created with the usual umask), then rename."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
