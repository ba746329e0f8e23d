"""Patches against real trees: read a patch file, work out which directory its paths are relative
to, apply it in memory to the files of PATH, and write the result into a temporary copy — never
into PATH.  Also: rebuild the files of a greenfield patch (no PATH), and compare two checked-out
trees as if one were a patch of the other.

The patch is untrusted input.  Every path it names is checked after its prefixes are removed:
no absolute path, no ``..`` or empty component, and nothing through a symbolic link of the tree
(a link could lead a read or a write out of it).  Symbolic links the patch itself creates are not
rebuilt.  Nothing in a patch is ever executed, and no external ``git`` / ``patch`` program is run:
they may be missing, and they have path rules of their own.

A patch that does not apply is a :class:`PatchError` whose message is one line naming the first
file and hunk that failed — the CLI prints it and exits 2.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from archlint.adapters.config_loader import CONFIG_NAMES
from archlint.adapters.discovery import DEFAULT_EXCLUDED_DIRS, LANGUAGES, is_manifest_name
from archlint.domain.change import ChangeSet, FileChange
from archlint.domain.diff import SUBMODULE_MODE, SYMLINK_MODE, DiffError, FilePatch, Patch, parse
from archlint.domain.diff_apply import BinaryUnavailable, HunkFailed, apply_file, apply_hunks, split_lines

MAX_FILE_BYTES = 5 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")

Where = Callable[[str, bool], "str | None"]  # (path as the patch names it, git section?) -> path in the tree


class PatchError(Exception):
    pass


def read_patch(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise PatchError(f"cannot read patch {path}: {exc.strerror}") from exc


def load_patch(path: str, strict: bool = True) -> Patch:
    """The parsed patch.  An empty file is an empty change; a file with text but no file sections
    (an HTML error page saved as ``pr.diff``) is an error, not "nothing changed"."""
    data = read_patch(path)
    try:
        patch = parse(data, strict=strict)
    except DiffError as exc:
        raise PatchError(f"{path}: {exc}") from exc
    if not patch.files and data.strip():
        raise PatchError(f"{path} is not a unified diff: no `diff --git` or `---`/`+++` file sections in it")
    return patch


# greenfield: the files a patch adds ----------------------------------------------------------------
def added_files(text: str | bytes) -> dict[str, str]:
    """path -> content of every file the patch creates (a greenfield run's patch)."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    files: dict[str, str] = {}
    for section in parse(data, strict=False).files:
        if section.status != "added" or section.binary or SYMLINK_MODE in (section.new_mode, section.old_mode):
            continue
        name = section.new_path if section.git else _without_b_prefix(section.new_path or "")
        if not safe_path(name):
            continue
        content = apply_hunks(b"", section.hunks).content
        if content:
            files[name] = content.decode("utf-8", "surrogateescape")
    return files


def _without_b_prefix(name: str) -> str:
    return name[2:] if name.startswith("b/") else name


def materialise(text: str | bytes, directory: str) -> int:
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


def safe_path(path: str) -> bool:
    """Relative, inside the tree, no empty / ``.`` / ``..`` component."""
    if not path or "\0" in path or path.startswith(("/", "\\")) or _DRIVE.match(path):
        return False
    parts = path.replace("\\", "/").split("/")
    return all(part not in ("", ".", "..") for part in parts)


def _plausible(path: str, git: bool) -> bool:
    """A name as a patch may write it: no ``..``, ``.`` or empty component, nothing absolute in a
    git section (a plain ``diff -u /old /new`` names absolute paths, which stripping removes)."""
    body = path[1:] if path.startswith("/") and not git else path
    return safe_path(body)


# which directory the patch's paths are relative to -----------------------------------------------
@dataclass(frozen=True, slots=True)
class Layout:
    """Paths lose ``strip`` leading components (``patch -pN``; git sections' names come without
    their ``a/`` / ``b/`` prefix already, so there it is a diff made a directory above the tree,
    as ``git diff --no-index old new``); every path must then start with ``prefix`` — PATH's own
    location inside the tree the patch was made for (a PR's diff is relative to the repository
    root, PATH may be ``backend/``) — which is removed.  A path outside ``prefix`` is outside PATH."""

    strip: int = 0
    prefix: str = ""

    def __call__(self, path: str, git: bool = True) -> str | None:
        parts = path.split("/")
        if len(parts) <= self.strip:
            return None
        parts = parts[self.strip:]
        if self.prefix:
            head = self.prefix.split("/")
            if parts[:len(head)] != head:
                return None
            parts = parts[len(head):]
        return "/".join(parts) or None


def choose_layout(base: str, patch: Patch) -> Layout:
    """The layout under which the most files the patch changes or deletes exist in ``base``; then
    the usual number of components to strip (1 for ``diff -ruN old new``, none for git), then the
    most files created in directories that exist, then PATH as the patch's root."""
    components = [part for part in os.path.abspath(base).split(os.sep) if part]
    preferred = 1 if any(_prefixed(section) for section in patch.files if not section.git) else 0
    best: tuple[tuple, Layout] | None = None
    for strip in range(4):
        for depth in range(min(3, len(components)) + 1):
            layout = Layout(strip, "/".join(components[len(components) - depth:]) if depth else "")
            existing, directories = _fit(base, patch, layout)
            key = (-existing, abs(strip - preferred), -directories, depth)
            if best is None or key < best[0]:
                best = (key, layout)
    return best[1] if best else Layout()


def _prefixed(section: FilePatch) -> bool:
    """``--- a/x`` / ``+++ b/x``, ``--- old/x`` / ``+++ new/x``: the first components differ
    (or, for a created or deleted file, git's ``b/`` / ``a/``)."""
    old, new = (section.old_path or "").split("/"), (section.new_path or "").split("/")
    if section.old_path is None or section.new_path is None:
        return (len(new) > 1 and new[0] == "b") or (len(old) > 1 and old[0] == "a")
    return len(old) > 1 and len(new) > 1 and old[0] != new[0] and old[1:] == new[1:]


def _fit(base: str, patch: Patch, layout: Layout) -> tuple[int, int]:
    """(files the patch changes or deletes that exist, files it creates whose directory exists).
    Only the first is evidence enough to strip components: a patch that creates files in new
    directories would otherwise be stripped until its files land in directories that exist."""
    existing = directories = 0
    for section in patch.files:
        old = layout(section.old_path) if section.old_path else None
        if old and safe_path(old) and _lexists(base, old, directory=False):
            existing += 1
        if section.new_path and section.new_path != section.old_path:
            new = layout(section.new_path)
            if new and safe_path(new) and _lexists(base, new.rsplit("/", 1)[0] if "/" in new else "", directory=True):
                directories += 1
    return existing, directories


def _lexists(base: str, relative: str, directory: bool) -> bool:
    path = os.path.join(base, *relative.split("/")) if relative else base
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) if directory else stat.S_ISREG(info.st_mode)


# applying a patch to a tree, in memory ------------------------------------------------------------
@dataclass(slots=True)
class _Entry:
    """One path of a tree being patched in memory: its content and where that content came from."""
    content: bytes | None  # None: no (rebuildable) file at this path
    origin: str | None  # the path this content had in the base tree (None: new content)
    added: frozenset[int] = frozenset()
    mode: str = ""  # git file mode the patch gives ("100755"); "" = as in the base tree
    note: str = ""
    changed: bool = False


@dataclass(slots=True)
class Plan:
    """What applying a patch does to ``base``: files to write (content, git mode or "") and to
    delete, relative to ``base``, and the :class:`ChangeSet` for reporting."""

    base: str
    writes: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    deletes: set[str] = field(default_factory=set)
    changes: ChangeSet = field(default_factory=ChangeSet)


def plan_patch(base: str, patch: Patch, name: str, where: Where | None = None) -> Plan:
    """Apply ``patch`` to the files of ``base`` in memory.  Sections touching the same file one
    after the other (a patch series) apply in order.  Raises :class:`PatchError` (one line)."""
    builder = _Builder(base, name, where or choose_layout(base, patch))
    for section in patch.files:
        builder.apply(section)
    return builder.plan()


class _Builder:
    def __init__(self, base: str, name: str, where: Where) -> None:
        self.base, self.name, self.where = base, name, where
        self.image: dict[str, _Entry] = {}
        self.loaded: set[str] = set()  # base files that exist (and were read)
        self.links: set[str] = set()  # symbolic links of the base tree the patch replaces or deletes
        self.outside: list[str] = []

    def fail(self, path: str, why: str) -> PatchError:
        return PatchError(f"{self.name} does not apply to {self.base}: {path}: {why}")

    def current(self, relative: str, link_ok: bool = False) -> _Entry:
        if relative not in self.image:
            content = self._read(relative, link_ok)
            self.image[relative] = _Entry(content, relative if content is not None else None)
            if content is not None:
                self.loaded.add(relative)
        return self.image[relative]

    def _read(self, relative: str, link_ok: bool) -> bytes | None:
        path = self.base
        parts = relative.split("/")
        for index, part in enumerate(parts):
            path = os.path.join(path, part)
            try:
                info = os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError as exc:
                raise self.fail(relative, f"cannot read it: {exc.strerror}") from exc
            if stat.S_ISLNK(info.st_mode):
                if link_ok and index == len(parts) - 1:
                    self.links.add(relative)
                    return None
                raise self.fail(relative, "the path goes through a symbolic link of the tree; refusing to follow it")
        if stat.S_ISDIR(info.st_mode):
            raise self.fail(relative, "is a directory in the tree")
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise self.fail(relative, f"cannot read it: {exc.strerror}") from exc

    def _place(self, path: str | None, git: bool) -> str | None:
        if path is None:
            return None
        relative = self.where(path, git) if _plausible(path, git) else path
        if relative is not None and not safe_path(relative):
            raise PatchError(f"{self.name}: refusing the unsafe path {path!r} (absolute, '..' or an empty component)")
        return relative

    def apply(self, section: FilePatch) -> None:
        old, new = self._place(section.old_path, section.git), self._place(section.new_path, section.git)
        if (section.old_path and old is None) or (section.new_path and new is None):
            self.outside.append(section.path)
            if old is not None and not section.copy:  # moved out of PATH: gone from it
                self.current(old)
                self.image[old] = _Entry(None, None, changed=True)
            elif new is not None:  # moved in: its old content lies outside PATH, which is never read
                self.image[new] = _Entry(None, None, changed=True, note="moved in from outside the analysed directory; not rebuilt")
            return
        if SUBMODULE_MODE in (section.old_mode, section.new_mode):
            self.outside.append(section.path)
            return
        if SYMLINK_MODE in (section.old_mode, section.new_mode):
            self._symlink(old, new)
            return
        source = self.current(old) if old else None
        if source is not None and source.content is None:
            raise self.fail(old, f"{_first_hunk(section)}the file does not exist")
        if new and new != old:
            target = self.current(new)
            if target.content is not None and not (not section.git and source is None and target.content == b""):
                raise self.fail(new, "the patch creates it, but it already exists")
        try:
            applied = apply_file(source.content if source else None, section)
        except HunkFailed as exc:
            raise self.fail(old or new, str(exc)) from exc
        except BinaryUnavailable as exc:
            applied = None
            note = f"binary file not rebuilt: {exc}"
        if new is None:
            self.image[old] = _Entry(None, None, changed=True)
            return
        if applied is None:
            content, added = (source.content if source else None), frozenset()
        else:
            content, note = applied.content, ""
            previous = {applied.kept[line] for line in source.added if line in applied.kept} if source else set()
            added = frozenset(previous) | applied.added
        origin = source.origin if source is not None and not section.copy else None
        mode = section.new_mode or (source.mode if source is not None else "")
        self.image[new] = _Entry(content, origin, added, mode, note, changed=True)
        if old and old != new and not section.copy:
            self.image[old] = _Entry(None, None, changed=True)

    def _symlink(self, old: str | None, new: str | None) -> None:
        """Symbolic links are neither followed nor rebuilt: the file at the path goes away and the
        link is listed as not rebuilt."""
        for relative in {old, new} - {None}:
            self.current(relative, link_ok=True)
            self.image[relative] = _Entry(None, None, changed=True)
        if new:
            self.image[new].note = "symbolic link not rebuilt"

    def plan(self) -> Plan:
        plan = Plan(self.base)
        files: list[FileChange] = []
        for relative, entry in sorted(self.image.items()):
            if not entry.changed:
                continue
            if entry.content is not None:
                plan.writes[relative] = (entry.content, entry.mode)
            elif relative in self.loaded or relative in self.links:
                plan.deletes.add(relative)
            if entry.content is not None or entry.note:
                files.append(FileChange(entry.origin, relative, entry.added, entry.note))
        live = {entry.origin for entry in self.image.values() if entry.content is not None and entry.origin}
        files.extend(FileChange(relative, None) for relative in sorted(self.loaded - live))
        plan.changes = ChangeSet(files, sorted(self.outside))
        return plan


def _first_hunk(section: FilePatch) -> str:
    return f"hunk 1 of {len(section.hunks)} ({section.hunks[0].header}, patch line {section.hunks[0].line}): " if section.hunks else ""


# the temporary copy --------------------------------------------------------------------------------
def replicate(source: str, target: str) -> None:
    """Copy what the analysis of ``source`` reads — sources, manifests, ``.gitignore`` files and
    the config — to ``target`` (which must not exist), with hard links where the file system allows
    (the copy is never written in place: :func:`write_plan` replaces files).  Dependency, build and
    VCS directories and virtualenvs are left out, as discovery skips them; so are directories with
    nothing to analyse (a wheel's thousands of locale directories cost seconds to create and remove).
    Symbolic links that stay inside ``source`` are recreated relative to the copy; those leading out
    of it are left out, as discovery would skip them."""
    real_source = os.path.realpath(source)
    copier = _Copier(target)
    for relative, entry in _walk(source):
        try:
            if entry.is_symlink():
                _copy_link(entry.path, copier.place(relative), real_source, target)
            else:
                copier.copy(entry.path, relative)
        except OSError:
            continue  # an unreadable file is left out, as discovery would report it unreadable
    os.makedirs(target, exist_ok=True)


def _walk(root: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to ``root``, entry) of every file the analysis may read, and of every
    symbolic link to such a file or to a directory; not below dependency, build or VCS directories
    or virtualenvs (discovery never enters them either)."""
    stack = [(root, "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            relative = prefix + entry.name
            try:
                if entry.is_symlink():
                    if entry.is_dir() or _analysed(entry.name, relative):
                        yield relative, entry
                elif entry.is_dir():
                    excluded = entry.name in DEFAULT_EXCLUDED_DIRS or entry.name.endswith(".egg-info")
                    if not excluded and not os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                        stack.append((entry.path, relative + "/"))
                elif entry.is_file() and _analysed(entry.name, relative):
                    yield relative, entry
            except OSError:
                continue


def _analysed(name: str, relative: str) -> bool:
    """A file discovery or the config search may read."""
    dot = name.rfind(".")
    extension = name[dot:].lower() if dot > 0 else ""
    return extension in LANGUAGES or name in (".gitignore", *CONFIG_NAMES) or is_manifest_name(name, relative)


class _Copier:
    def __init__(self, target: str) -> None:
        self.target = target
        self.links = True
        self.made: set[str] = set()

    def place(self, relative: str) -> str:
        """The path of ``relative`` in the copy, its directory created."""
        path = os.path.join(self.target, *relative.split("/"))
        directory = os.path.dirname(path)
        if directory not in self.made:
            os.makedirs(directory, exist_ok=True)
            self.made.add(directory)
        return path

    def copy(self, source: str, relative: str) -> None:
        target = self.place(relative)
        if os.path.lexists(target):
            return  # copied already (overlapping paths); never write into what may be a hard link
        if self.links:
            try:
                os.link(source, target)
                return
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
                    raise
                self.links = False  # another file system, or links not allowed: copy from now on
        shutil.copy2(source, target)


def _copy_link(link: str, to: str, real_source: str, target_root: str) -> None:
    try:
        os.stat(link)
        resolved = os.path.realpath(link)
    except OSError:
        os.symlink("archlint-broken-link", to)  # broken (or a loop): it stays broken in the copy
        return
    if resolved != real_source and not resolved.startswith(real_source + os.sep):
        return
    mirrored = os.path.join(target_root, os.path.relpath(resolved, real_source))
    os.symlink(os.path.relpath(mirrored, os.path.dirname(to)), to)


def write_plan(plan: Plan, root: str) -> None:
    """Carry out ``plan`` on the copy at ``root``: deletions first, then fresh files (an existing
    one is unlinked first, so a hard link into the original tree is never written through)."""
    try:
        for relative in sorted(plan.deletes):
            path = os.path.join(root, *relative.split("/"))
            if os.path.lexists(path):
                os.unlink(path)
        for relative, (content, mode) in sorted(plan.writes.items()):
            path = os.path.join(root, *relative.split("/"))
            permissions = 0o644
            if os.path.lexists(path):
                permissions = stat.S_IMODE(os.lstat(path).st_mode)
                os.unlink(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(content)
            if mode:
                permissions = 0o755 if mode.endswith("755") else 0o644
            os.chmod(path, permissions)
    except OSError as exc:
        raise PatchError(f"cannot build the patched copy of {plan.base}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc


# a patch made from the tree itself ------------------------------------------------------------------
def patch_changes(patch: Patch, where: Where, root: str, untracked: list[str] = ()) -> ChangeSet:
    """The change a patch describes, read from its hunks alone — right for a patch just made from
    the tree (``git diff``), whose hunks sit exactly where their headers say.  ``untracked``
    files (relative to ``root``) count as added in full."""
    files: list[FileChange] = []
    outside: list[str] = []
    for section in patch.files:
        old = where(section.old_path, section.git) if section.old_path else None
        new = where(section.new_path, section.git) if section.new_path else None
        if old is None and new is None:
            outside.append(section.path)
            continue
        added = frozenset(line for hunk in section.hunks for line in hunk.added_lines())
        files.append(FileChange(None if section.copy else old, new, added))
    for relative in untracked:
        data = _read_bytes(os.path.join(root, *relative.split("/")))
        files.append(FileChange(None, relative, frozenset(range(1, len(split_lines(data)) + 1))))
    return ChangeSet(files, outside)


# two checked-out trees -----------------------------------------------------------------------------
def align(base: str, other: str) -> str:
    """The directory of ``other`` that corresponds to ``base``: ``other`` itself, or its one
    sub-directory that holds base's top-level entries (a run checked out as ``run_1/repo/``)."""
    names = {name for name, _path in _top(base)}
    here = {name for name, _path in _top(other)}
    if names & here:
        return other
    inside = [path for name, path in _top(other) if os.path.isdir(path) and names & {n for n, _p in _top(path)}]
    return inside[0] if len(inside) == 1 else other


def _top(directory: str) -> list[tuple[str, str]]:
    try:
        return [(entry.name, entry.path) for entry in os.scandir(directory)
                if not entry.name.startswith(".") and entry.name not in DEFAULT_EXCLUDED_DIRS]
    except OSError:
        return []


def tree_changes(base: str, other: str) -> ChangeSet:
    """``other`` compared with ``base`` as if it were ``base`` plus a patch: files added,
    deleted and modified (renames show as a deletion and an addition), with the added lines.
    Only files the analysis reads are compared (see :func:`replicate`)."""
    before, after = dict(_files(base)), dict(_files(other))
    changes: list[FileChange] = []
    for relative in sorted(before.keys() | after.keys()):
        if relative not in after:
            changes.append(FileChange(relative, None))
            continue
        new = _read_bytes(after[relative])
        if relative not in before:
            changes.append(FileChange(None, relative, frozenset(range(1, len(split_lines(new)) + 1))))
            continue
        old = _read_bytes(before[relative])
        if old != new:
            changes.append(FileChange(relative, relative, added_lines(old, new)))
    return ChangeSet(changes)


def added_lines(old: bytes, new: bytes) -> frozenset[int]:
    """Lines of ``new`` that are not in ``old``, by a line diff."""
    matcher = difflib.SequenceMatcher(None, split_lines(old), split_lines(new), autojunk=False)
    return frozenset(line + 1 for tag, _i1, _i2, j1, j2 in matcher.get_opcodes() if tag in ("replace", "insert")
                     for line in range(j1, j2))


def _files(root: str) -> Iterator[tuple[str, str]]:
    return ((relative, entry.path) for relative, entry in _walk(root) if not entry.is_symlink())


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""
