"""The only place archlint runs a process: ``git``, to learn which files a change touches.

Only read-only plumbing commands are used (``rev-parse``, ``diff --name-only``, ``ls-files``),
with NUL-separated output so no path is mangled by quoting.  Every failure becomes a
:class:`ConfigError` — the CLI prints it as one line and exits 2.
"""

from __future__ import annotations

import os
import subprocess

from archlint.domain.config import ConfigError


def toplevel(directory: str) -> str:
    """The root of the git work tree containing ``directory``."""
    result = _git(directory, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise ConfigError(f"--changed-only needs a git repository, and {directory} is not inside one")
    return result.stdout.strip()


def changed_files(directory: str, base: str = "HEAD") -> list[str]:
    """Absolute paths of files that differ from ``base`` in the work tree (staged or not),
    plus untracked files that are not ignored.  In a repository without commits yet, every
    file counts as changed."""
    top = toplevel(directory)
    if _git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0 and base == "HEAD":
        listed = _names(top, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    else:
        if _git(top, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
            raise ConfigError(f"unknown git revision {base!r} (for --base); fetch it or name a commit, branch or tag")
        listed = _names(top, "diff", "--name-only", "-z", base, "--") + _names(
            top, "ls-files", "-z", "--others", "--exclude-standard"
        )
    return sorted({os.path.join(top, name) for name in listed})


def _names(top: str, *args: str) -> list[str]:
    result = _git(top, *args)
    if result.returncode != 0:
        raise ConfigError(f"git {args[0]} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'no output'}")
    return [name for name in result.stdout.split("\0") if name]


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", check=False
        )
    except FileNotFoundError as exc:
        raise ConfigError("--changed-only needs git, and no `git` executable is on PATH") from exc
    except NotADirectoryError as exc:
        raise ConfigError(f"not a directory: {cwd}") from exc
