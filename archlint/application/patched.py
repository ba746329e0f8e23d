"""A tree before and after a change, both analysed by the normal pipeline.

* ``check/verify PATH --patch FILE``: *before* is PATH as it is; *after* is a temporary copy of
  PATH with the patch applied (PATH itself is never written).
* ``check --changed-only``: *after* is the git work tree as it is; *before* is a temporary copy
  with ``git diff BASE`` applied in reverse.
* an audited feature run checked out next to its base: both trees as they are, compared file by file.

Either way the result is a :class:`Compared` — two reports, the :class:`ChangeSet` and the
findings the change introduced (:mod:`archlint.application.changed`) — available inside a
``with`` block, because the copy (and the source lines reporters quote) lives only that long.

The copy mirrors the layout the findings are relative to: PATH below the directory of the config
that governs it, with that config file.  Findings of both trees therefore have the same paths,
and the copy's facts come from PATH's own facts cache (files the change leaves alone are not
parsed again), which the copy's run reads but never writes.  The temporary directory holds an empty ``.git`` so the config search stops there
instead of wandering into whatever lies above the system's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from archlint.adapters import git
from archlint.adapters.patch import (Layout, PatchError, align, load_patch, materialise, patch_changes, plan_patch, read_patch,
                                     replicate, tree_changes, write_plan)
from archlint.application.changed import Introduced, introduced
from archlint.application.pipeline import Options, Report, run_check
from archlint.application.suppressions import SourceText
from archlint.domain.change import ChangeSet
from archlint.domain.config import ConfigError
from archlint.domain.diff import DiffError, parse


@dataclass(slots=True)
class Compared:
    """The reports of a tree before and after a change, and the change itself."""
    before: Report | None  # None: nothing before (a repository without commits)
    after: Report  # its ``root`` is where its files are now: the patched copy, or the work tree
    changes: ChangeSet  # paths relative to the reports' roots
    root: str  # the directory to name in reports: PATH's root, never the temporary copy
    introduced: Introduced


@contextmanager
def patched(path: str, patch_file: str, options: Options) -> Iterator[Compared]:
    """PATH before and after ``patch_file``.  A patch that does not apply raises
    :class:`PatchError` before anything is analysed."""
    base = os.path.abspath(path)
    if not os.path.isdir(base):
        raise ConfigError(f"with --patch, PATH must be a directory: {path}")
    plan = plan_patch(base, load_patch(patch_file), patch_file)
    runs = replace(options, reuse_results=False)
    before = run_check([base], runs)
    with _scratch() as scratch:
        copy_root = _copy_root(scratch, before.root)
        copy_path = _below(copy_root, before.root, base)
        replicate(base, copy_path)
        config = _config_for_copy(before, options, [base], copy_root)
        write_plan(plan, copy_path)
        after = run_check([copy_path], replace(runs, config_path=config, cache_root=before.root))
        changes = plan.changes.under(_relative(base, before.root))
        found = introduced(before, after, changes, SourceText(before.root), SourceText(after.root))
        yield Compared(before, after, changes, before.root, found)


@contextmanager
def changed(paths: list[str], options: Options, base: str = "HEAD") -> Iterator[Compared]:
    """The git work tree of ``paths`` now, and as it was at ``base``."""
    runs = replace(options, reuse_results=False)
    after = run_check(paths, runs)
    root = after.root
    diff = git.work_tree_diff(root, base)
    where = Layout(0, diff.prefix)
    try:
        patch = parse(diff.patch)
    except DiffError as exc:
        raise ConfigError(f"cannot read the output of git diff: {exc}") from exc
    untracked = [relative for relative in (where(name, True) for name in diff.untracked) if relative]
    changes = patch_changes(patch, where, root, untracked)
    source = SourceText(root)
    if not diff.has_base or not changes:
        before = None if not diff.has_base else after  # no commit: all is new; no change: nothing is
        yield Compared(before, after, changes, root, introduced(before, after, changes, source, source))
        return
    plan = plan_patch(root, patch.reversed(), f"git diff {base}", where)
    plan.deletes.update(untracked)
    with _scratch() as scratch:
        copy_root = _copy_root(scratch, root)
        absolute = [os.path.abspath(p) for p in paths]
        copies = [_below(copy_root, root, path) for path in absolute]
        for path, copy in zip(absolute, copies):
            if not any(other != path and path.startswith(other.rstrip(os.sep) + os.sep) for other in absolute):
                _copy(path, copy)  # a path inside another one is copied with it
        config = _config_for_copy(after, options, absolute, copy_root)
        write_plan(plan, copy_root)
        before = run_check(copies, replace(runs, config_path=config, cache_root=root))
        yield Compared(before, after, changes, root, introduced(before, after, changes, SourceText(before.root), source))


@contextmanager
def trees(base: str, other: str, options: Options) -> Iterator[Compared]:
    """``other`` judged as a change of ``base`` (two checkouts; neither is copied or written).
    A run checked out one level down (``run_1/repo/``) is compared from there."""
    runs = replace(options, reuse_results=False)
    before = run_check([base], runs)
    after = run_check([align(base, other)], runs)
    changes = tree_changes(before.root, after.root)
    yield Compared(before, after, changes, after.root,
                   introduced(before, after, changes, SourceText(before.root), SourceText(after.root)))


@contextmanager
def greenfield_tree(patch: str) -> Iterator[str]:
    """A temporary directory holding the files a greenfield patch adds (``--patch`` without PATH)."""
    text = read_patch(patch)
    with tempfile.TemporaryDirectory(prefix="archlint-patch-") as directory:
        if materialise(text, directory) == 0:
            raise PatchError(f"the patch adds no files: {patch}")
        yield directory


@contextmanager
def _scratch() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="archlint-patch-") as scratch:
        os.mkdir(os.path.join(scratch, ".git"))  # a project boundary for the config search
        yield scratch


def _copy_root(scratch: str, root: str) -> str:
    return os.path.join(scratch, os.path.basename(root.rstrip(os.sep)) or "tree")


def _relative(path: str, root: str) -> str:
    relative = os.path.relpath(path, root)
    return "" if relative == os.curdir else relative.replace(os.sep, "/")


def _below(copy_root: str, root: str, path: str) -> str:
    relative = _relative(path, root)
    if relative.startswith(".."):
        raise ConfigError(f"{path} is outside the analysed root {root}")
    return os.path.join(copy_root, *relative.split("/")) if relative else copy_root


def _copy(path: str, target: str) -> None:
    if os.path.isdir(path):
        replicate(path, target)
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if not os.path.lexists(target):
        shutil.copy2(path, target)


def _config_for_copy(report: Report, options: Options, paths: list[str], copy_root: str) -> str | None:
    """The config the copy is analysed with.  A config inside the copied paths is found by the
    usual search (so a patch that changes it takes effect); one in the root above them is copied
    next to them; one elsewhere (``--config`` outside the tree) is used where it is."""
    config = os.path.abspath(report.context.config.path) if report.context is not None and report.context.config.path else ""
    if not config:
        return None
    inside_paths = any(config == p or config.startswith(p.rstrip(os.sep) + os.sep) for p in paths)
    if inside_paths:
        return _below(copy_root, report.root, config) if options.config_path else None
    relative = _relative(config, report.root)
    if relative.startswith(".."):
        return config
    target = _below(copy_root, report.root, config)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        shutil.copy2(config, target)
    except OSError as exc:
        raise PatchError(f"cannot copy the config {config}: {exc.strerror}") from exc
    return target
