"""Find the files to analyse: sources by extension, plus the manifests that describe the stack.

Walks with ``os.scandir`` (one syscall per directory, no per-file stat for the common case),
prunes excluded directories before descending, honours ``.gitignore`` files at every level,
and never follows a symlink out of the root or into a loop.  Problems with individual files
(broken symlinks, loops) are returned as data, not raised.
"""

from __future__ import annotations

import errno
import os
from operator import attrgetter
from dataclasses import dataclass, field

from archlint.domain.facts import ParseProblem, Span
from archlint.domain.layers import glob_match

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
}

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        "node_modules", ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".env", "env",
        ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".archlint_cache", "dist",
        "build", ".next", ".nuxt", ".svelte-kit", ".turbo", ".parcel-cache", "coverage",
        ".eggs", "site-packages", "bower_components", ".yarn", ".pnpm-store", ".idea", ".vscode",
        "vendor",  # third-party code copied into the tree is not the project's architecture
    }
)

_MANIFEST_NAMES = frozenset(
    {
        "pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "package.json", "tsconfig.json",
        "jsconfig.json", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml",
        "run.sh", "alembic.ini", "manage.py", "start.sh", "entrypoint.sh", "docker-entrypoint.sh", "Dockerfile",
        "Procfile",
    }
)


_MANIFEST_HINT = (".txt", ".in", ".toml", ".cfg", ".env", ".yml", ".yaml", "Pipfile")


def is_manifest_name(name: str, relative: str = "") -> bool:
    if name in _MANIFEST_NAMES:
        return True
    if name == "METADATA" and relative.rpartition("/")[0].rpartition("/")[2].endswith(".dist-info"):
        return True  # an unpacked wheel's dependency list (Requires-Dist)
    if relative and (name.endswith(_MANIFEST_HINT) or name.startswith(".env")):
        from archlint.adapters.manifest_names import manifest_kind  # not the readers: most trees have no manifest

        if manifest_kind(relative) is not None:
            return True
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return True
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return True
    if name.startswith(("docker-compose.", "tsconfig.")) and name.endswith((".yml", ".yaml", ".json")):
        return True
    if name == "config.json" and relative.rpartition("/")[0].rpartition("/")[2] == "config":
        return True  # sequelize-cli's config/config.json: the connection of each NODE_ENV
    return name.endswith((".sql", ".sh", ".prisma")) or name == ".sequelizerc"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A source file found under the analysed root."""
    path: str  # POSIX, relative to root
    absolute: str
    language: str


@dataclass(slots=True)
class Discovery:
    """What the walk of the analysed root found: sources, manifests and the files it could not read."""
    root: str
    sources: list[SourceFile] = field(default_factory=list)
    manifests: list[tuple[str, str]] = field(default_factory=list)  # (relative, absolute)
    problems: list[tuple[str, ParseProblem]] = field(default_factory=list)
    skipped: int = 0  # files seen but not analysed (symlinks out of root, …)
    hidden: list[tuple[str, str]] = field(default_factory=list)  # (directory, why) pruned by a default exclude


class _GitIgnore:
    """The .gitignore files in force for a directory, each matched relative to its own dir."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, object]] = []

    def load(self, directory_rel: str, absolute: str) -> None:
        if not os.path.isfile(os.path.join(absolute, ".gitignore")):
            return  # a directory, or a FIFO that would block the read forever
        try:
            with open(os.path.join(absolute, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self.specs.append((directory_rel, spec))

    def ignored(self, path: str, is_dir: bool) -> bool:
        candidate = path + "/" if is_dir else path
        for base, spec in self.specs:
            if base and not path.startswith(base + "/"):
                continue
            relative = candidate[len(base) + 1 :] if base else candidate
            if spec.match_file(relative):  # type: ignore[attr-defined]
                return True
        return False


def discover(root: str, paths: list[str], exclude: list[str], use_gitignore: bool = True) -> Discovery:
    """Walk ``paths`` (absolute, inside ``root``) and classify what is found."""
    result = Discovery(root=root)
    real_root = os.path.realpath(root)
    seen_dirs = _SeenDirs()
    ignores = _GitIgnore()
    if use_gitignore:
        ignores.load("", root)
    seen_files: set[str] = set()
    for path in paths:
        relative = _relative(root, path)
        # A path named on the command line is analysed even if an exclude pattern covers it
        # (as ruff does); the patterns still prune what is found below it.
        active = [
            pattern for pattern in exclude
            if not (relative and (glob_match(relative, pattern) or glob_match(relative + "/", pattern)))
        ]
        if os.path.isdir(path):
            if seen_dirs.pending:
                seen_dirs.eager = True  # a second directory named: it may lie inside the first
            _walk(result, path, relative, real_root, active, ignores if use_gitignore else None, seen_dirs, seen_files)
        else:
            _add_file(result, path, relative, real_root, seen_files, explicit=True)
    _drop_browser_assets(result)
    result.sources.sort(key=lambda s: s.path)
    result.manifests.sort()
    result.problems.sort(key=lambda item: item[0])
    return result


# Directories that hold what a web server hands to browsers: Django's ``static/``, a build's
# ``static.dist/``, ``assets/``, ``public/``.
_ASSET_DIRS = frozenset({"static", "staticfiles", "static.dist", "static_root", "assets", "public"})


def _drop_browser_assets(result: Discovery) -> None:
    """JS/TS under an asset directory that no ``package.json`` governs is not a Node program: it is
    the browser code a Python app serves (pretix ships 629 such files, 56 MB of jQuery plugins
    and Vite bundles, which cost 9 s and 600 MB and yielded only noise: a syntax complaint about a
    vendor bundle, 59 "minified file skipped").  Such files are left out with their discovery
    problems, and each asset directory is reported with the default excludes; JS under a
    ``package.json`` — a Node backend's ``public/`` included — stays."""
    node_dirs = {relative.rpartition("/")[0] for relative, _absolute in result.manifests if relative.rpartition("/")[2] == "package.json"}
    assets: set[str] = set()

    def asset_directory(path: str) -> str:
        if LANGUAGES.get(_extension(path.rpartition("/")[2])) in (None, "python"):
            return ""
        parts = path.split("/")[:-1]
        if "" in node_dirs or any("/".join(parts[:i]) in node_dirs for i in range(1, len(parts) + 1)):
            return ""
        index = next((i for i, part in enumerate(parts) if part in _ASSET_DIRS), None)
        return "/".join(parts[: index + 1]) if index is not None else ""

    kept = []
    for source in result.sources:
        directory = asset_directory(source.path)
        if directory:
            assets.add(directory)
        else:
            kept.append(source)
    problems = []
    for path, problem in result.problems:
        directory = asset_directory(path)
        if directory:
            assets.add(directory)
            result.skipped -= 1  # a file skipped by name (minified) or a bad symlink: not counted either
        else:
            problems.append((path, problem))
    result.sources[:] = kept
    result.problems[:] = problems
    result.hidden.extend((directory, "browser assets: JS/TS no package.json governs") for directory in sorted(assets))


def _relative(root: str, path: str) -> str:
    relative = os.path.relpath(path, root).replace(os.sep, "/")
    return "" if relative == "." else relative


class _SeenDirs:
    """The ``(st_dev, st_ino)`` of every directory walked, so that a symlink back into the tree
    (a loop, or a second path to a directory) is walked once.  Only a symlinked directory or a
    second path on the command line can reach a directory again, so the keys are taken lazily:
    until one of those is met the walk records the directories' paths and stats nothing (Django's
    wheel: 2,458 directories, 2,458 ``stat`` calls saved); from then on every directory is
    stat-ed, the ones walked before first — the same set of keys, the same verdicts."""

    __slots__ = ("keys", "pending", "eager")

    def __init__(self) -> None:
        self.keys: set[tuple[int, int]] = set()
        self.pending: list[str] = []
        self.eager = False

    def first_visit(self, directory: str) -> bool:
        if not self.eager:
            self.pending.append(directory)
            return True
        if self.pending:
            for walked in self.pending:
                try:
                    info = os.stat(walked)
                except OSError:
                    continue
                self.keys.add((info.st_dev, info.st_ino))
            self.pending = []
        try:
            info = os.stat(directory)
        except OSError:
            return False
        key = (info.st_dev, info.st_ino)
        if key in self.keys:
            return False  # a symlink back into a directory already walked: a loop or a duplicate
        self.keys.add(key)
        return True


_BY_NAME = attrgetter("name")


def _walk(result, top, top_rel, real_root, exclude, ignores, seen_dirs: _SeenDirs, seen_files) -> None:
    stack = [(top, top_rel)]
    while stack:
        directory, directory_rel = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            continue
        if not seen_dirs.first_visit(directory):
            continue
        if len(entries) > 1:
            entries.sort(key=_BY_NAME)
        names = {entry.name for entry in entries}
        if "pyvenv.cfg" in names and directory_rel:
            result.hidden.append((directory_rel, "a virtualenv"))
            continue  # a virtualenv, whatever its name
        if ignores is not None and directory_rel and ".gitignore" in names:
            ignores.load(directory_rel, directory)
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows symlinks; False for broken ones
            except OSError:
                is_dir = False
            if not is_dir:
                readable = _READ_NAMES.get(entry.name)
                if readable is None:
                    readable = _READ_NAMES[entry.name] = _may_be_read(entry.name)
                if not readable:
                    continue  # `django.po`, `logo.png`: neither a source nor a manifest (_add_file would return)
            relative = f"{directory_rel}/{entry.name}" if directory_rel else entry.name
            if is_dir:
                if _default_excluded(entry.name):
                    result.hidden.append((relative, f"default exclude `{entry.name}`"))
                    continue
                if _excluded_dir(entry.name, relative, exclude, ignores):
                    continue
                if entry.is_symlink():
                    if not _inside(os.path.realpath(entry.path), real_root):
                        result.skipped += 1
                        continue
                    seen_dirs.eager = True  # this directory may be one walked already: keys from now on
                stack.append((entry.path, relative))
                continue
            if exclude and any(glob_match(relative, pattern) for pattern in exclude):
                continue
            if ignores is not None and ignores.specs and ignores.ignored(relative, False):
                continue
            try:
                regular = entry.is_file()  # the d_type the scan read, unless a symlink
            except OSError:
                regular = False
            _add_file(result, entry.path, relative, real_root, seen_files, explicit=False, symlink=entry.is_symlink(), regular=regular)


# Every name ``is_manifest_name`` can accept ends or starts like one of these (or is in _MANIFEST_NAMES)
_MANIFEST_ENDINGS = (*_MANIFEST_HINT, ".json", ".sql", ".sh", ".prisma")
_MANIFEST_STARTS = (".env", "requirements", "docker-compose.", "tsconfig.")


_READ_NAMES: dict[str, bool] = {}  # _may_be_read by name: a tree repeats its names (`__init__.py`, `django.po`)


def _may_be_read(name: str) -> bool:
    """Can ``_add_file`` do anything with a file of this name: a source by extension, or a name
    ``is_manifest_name`` may accept (an over-approximation that reads the name alone)?"""
    return (_extension(name) in LANGUAGES or name in _MANIFEST_NAMES or name == "METADATA" or name == ".sequelizerc"
            or name.endswith(_MANIFEST_ENDINGS) or name.startswith(_MANIFEST_STARTS))


def _default_excluded(name: str) -> bool:
    return name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info")


def _excluded_dir(name: str, relative: str, exclude: list[str], ignores) -> bool:
    if exclude and any(glob_match(relative, pattern) for pattern in exclude):
        return True
    return ignores is not None and bool(ignores.specs) and ignores.ignored(relative, True)


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root + os.sep)


def _add_file(
    result: Discovery, path: str, relative: str, real_root: str, seen: set[str], explicit: bool, symlink: bool | None = None,
    regular: bool | None = None,
) -> None:
    name = relative.rsplit("/", 1)[-1]
    extension = _extension(name)
    language = LANGUAGES.get(extension)
    if language is not None and language != "python" and (".min." in name or name.endswith((".bundle.js", ".chunk.js"))):
        # Build output by name: reported without reading it (others are caught by content).
        message = "minified or generated file (by name); skipped"
        result.problems.append((relative, ParseProblem("AL004", message, Span(1, 1, 1, 1))))
        result.skipped += 1
        return
    manifest = language is None and is_manifest_name(name, relative)
    if language is None and not manifest:
        return
    if relative in seen:
        return
    seen.add(relative)
    if os.path.islink(path) if symlink is None else symlink:  # the walk knows it without a syscall
        problem = _symlink_problem(path, real_root)
        if problem == "outside":
            result.skipped += 1
            return
        if problem:
            if language is not None:
                result.problems.append((relative, ParseProblem("AL002", problem, Span(1, 1, 1, 1))))
                result.skipped += 1
            return
    if not (os.path.isfile(path) if regular is None else regular):
        # A FIFO, socket or device named like a source file (or a symlink to one): reading it would
        # block the run forever or return no source.  Seen, not analysed.
        result.skipped += 1
        return
    if manifest:
        result.manifests.append((relative, path))
    else:
        result.sources.append(SourceFile(relative, path, language))


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _symlink_problem(path: str, real_root: str) -> str:
    """'' when the symlink is fine, 'outside' when it leaves the root, else a message."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop; the file cannot be read"
        return "broken symlink; the file it points to does not exist"
    if not _inside(os.path.realpath(path), real_root):
        return "outside"
    return ""


def describe_hidden(root: str, hidden: list[tuple[str, str]], limit: int = 8) -> str:
    """What the default excludes hid, for the "nothing was analysed" warning: each pruned directory
    with the number of source files under it (counted only now, when it matters, up to 10,000
    entries per directory, never following a symlink)."""
    parts = []
    for relative, why in sorted(hidden)[:limit]:
        count = _count_sources(os.path.join(root, *relative.split("/")))
        noun = "source file" if count == 1 else "source files"
        parts.append(f"{relative}/ ({why}: {count if count < _COUNT_LIMIT else f'{_COUNT_LIMIT}+'} {noun})")
    if len(hidden) > limit:
        parts.append(f"and {len(hidden) - limit} more")
    return "; ".join(parts)


_COUNT_LIMIT = 10_000


def _count_sources(directory: str) -> int:
    count = seen = 0
    stack = [directory]
    while stack and seen < _COUNT_LIMIT:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif _extension(entry.name) in LANGUAGES:
                    count += 1
            except OSError:
                continue
    return min(count, _COUNT_LIMIT)
