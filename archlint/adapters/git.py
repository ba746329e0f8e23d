"""The only place archlint runs a process: ``git``, to learn what a change did to a work tree.

Only read-only commands are used (``rev-parse``, ``diff``, ``ls-files``), with NUL-separated
output where names are listed, so no path is mangled by quoting; ``diff`` output is read as bytes
and parsed by archlint's own diff parser, with prefixes, colours, external diff drivers and text
conversion pinned on the command line so a user's git config cannot change its shape.  Every
failure becomes a :class:`ConfigError` — the CLI prints it as one line and exits 2.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from archlint.domain.config import ConfigError

_DIFF = ("-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M",
         "--ignore-submodules=all", "--src-prefix=a/", "--dst-prefix=b/")


@dataclass(frozen=True, slots=True)
class WorkTreeDiff:
    """The changes of a git work tree below one directory, against a base revision."""
    prefix: str  # the directory asked about, relative to the work tree's root ("" for the root)
    patch: bytes  # `git diff BASE` below that directory (staged or not), paths from the root, renames detected
    untracked: list[str]  # untracked, not ignored files below it (relative to the root)
    has_base: bool  # False in a repository without commits: every file is new


def toplevel(directory: str) -> str:
    """The root of the git work tree containing ``directory``."""
    result = _git(directory, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise ConfigError(f"--changed-only needs a git repository, and {directory} is not inside one")
    return result.stdout.strip()


def work_tree_diff(directory: str, base: str = "HEAD") -> WorkTreeDiff:
    """What the work tree changed below ``directory`` against ``base`` (staged or not, plus
    untracked files).  In a repository without commits yet, every file is new."""
    top = toplevel(directory)
    relative = os.path.relpath(os.path.realpath(directory), os.path.realpath(top))
    prefix = "" if relative == os.curdir else relative.replace(os.sep, "/")
    below = [prefix] if prefix else []
    if _git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0 and base == "HEAD":
        every = _names(top, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *below)
        return WorkTreeDiff(prefix, b"", every, False)
    if _git(top, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
        raise ConfigError(f"unknown git revision {base!r} (for --base); fetch it or name a commit, branch or tag")
    result = _git(top, *_DIFF, base, "--", *below, binary=True)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git diff failed: {message[-1] if message else 'no output'}")
    untracked = _names(top, "ls-files", "-z", "--others", "--exclude-standard", "--", *below)
    return WorkTreeDiff(prefix, result.stdout, untracked, True)


def _names(top: str, *args: str) -> list[str]:
    result = _git(top, *args)
    if result.returncode != 0:
        raise ConfigError(f"git {args[0]} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'no output'}")
    return [name for name in result.stdout.split("\0") if name]


def _git(cwd: str, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    text = {} if binary else {"text": True, "encoding": "utf-8", "errors": "surrogateescape"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, **text)
    except FileNotFoundError as exc:
        raise ConfigError("--changed-only needs git, and no `git` executable is on PATH") from exc
    except NotADirectoryError as exc:
        raise ConfigError(f"not a directory: {cwd}") from exc
