"""Session set-up shared by every test module.

**Scratch directories, removed at the end of the run.**  The session keeps two directories under the
system temp dir, both inside one ``archlint-test-<pid>-*`` directory:

* ``pycache/`` — one bytecode cache for the session.  About 150 tests run archlint in a fresh
  interpreter (the CLI's exit codes and streams, the pre-commit hook, the fuzz sweep's second process
  with another hash seed, the startup-import probes).  Where the environment says
  ``PYTHONDONTWRITEBYTECODE`` (the machine the suite runs on does), each of those interpreters compiled
  archlint and its dependencies from source again: ~0.8 s of CPU of a ~1.3 s ``archlint check`` of a
  small fixture.  The subprocesses inherit ``PYTHONPYCACHEPREFIX`` pointing here, so the first compiles
  and the others read the bytecode; what each process imports and does is the same.
* ``cache/`` — the archlint cache of the CLI runs started from the repository root
  (``test_cli.run_cli``), which must not write into the checkout.

They used to be two ``archlint-test-(py)cache-*`` directories removed by ``atexit`` alone, which never
runs when pytest is ended by a signal (a timeout's SIGTERM, a closed terminal's SIGHUP, SIGKILL): every
such run left ~50 MB in /tmp.  Now they go in ``pytest_unconfigure`` (after a failing or interrupted
session too), on SIGTERM / SIGHUP before the signal takes its usual effect, and — for SIGKILL, which
nothing can catch — the next session removes the directory of any earlier session whose process is gone.

**The self-check starts early.**  ``test_cli.py::test_archlint_passes_its_own_layers_contract`` runs
``archlint check archlint`` (the package's own ~70k lines, ~60 s of CPU) in a subprocess.  When it is
among the collected tests, that subprocess is started right after collection, the test is moved to the
end of the run and reads its result there: the same command, environment and assertions, but it runs
beside the rest of the suite (on the machine's other core) instead of alone while the suite waits.
Under pytest-xdist (``-n auto``, the default in pyproject.toml: the suite's own checks spread over the
cores) each worker collects every test, so none starts the subprocess: the test is moved to the front and
runs in whichever worker the scheduler gives it first, while the other workers run the rest.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

_OWNER = os.getpid()
_PREFIX = "archlint-test-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: somebody else's process, alive
        return True
    return True


def _sweep_dead_sessions() -> None:
    """Remove the scratch directory of every earlier session whose process no longer exists."""
    base = Path(tempfile.gettempdir())
    for path in base.glob(_PREFIX + "[0-9]*-*"):
        pid = path.name[len(_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != _OWNER and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


_sweep_dead_sessions()
SCRATCH = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{_OWNER}-"))
SHARED_CACHE = SCRATCH / "cache"
SHARED_CACHE.mkdir()
os.environ["ARCHLINT_TEST_SHARED_CACHE"] = str(SHARED_CACHE)  # test_cli.run_cli's cache for runs from the repository root

if sys.flags.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"):
    _PYCACHE = SCRATCH / "pycache"
    _PYCACHE.mkdir()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(_PYCACHE)


def _remove_scratch() -> None:
    if os.getpid() == _OWNER:  # never from a forked child (archlint's parser pool, the audit pool)
        shutil.rmtree(SCRATCH, ignore_errors=True)


atexit.register(_remove_scratch)


def _on_signal(signum, _frame):
    if os.getpid() == _OWNER:
        _stop_self_check()
        _remove_scratch()
    signal.signal(signum, signal.SIG_DFL)  # then the signal does what it would have done
    os.kill(os.getpid(), signum)


for _signum in (signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_signum) in (signal.SIG_DFL, None):
        signal.signal(_signum, _on_signal)


# -- the early self-check --------------------------------------------------------------------------
REPO_ROOT = Path(__file__).resolve().parent.parent
SELF_CHECK_TEST = "test_cli.py::test_archlint_passes_its_own_layers_contract"
SELF_CHECK_ARGS = ("check", "archlint", "--format", "json", "--no-cache")
_self_check: dict[str, object] = {}


def cli_env(cwd: Path | None = None) -> dict[str, str]:
    """The environment of test_cli.run_cli's subprocess."""
    cache = str(Path(cwd).resolve() / ".cache-test") if cwd else str(SHARED_CACHE)
    return dict(os.environ, NO_COLOR="1", ARCHLINT_CACHE_DIR=cache)


def _start_self_check() -> None:
    out = open(SCRATCH / "self-check.out", "w+")
    err = open(SCRATCH / "self-check.err", "w+")
    process = subprocess.Popen([sys.executable, "-m", "archlint", *SELF_CHECK_ARGS], stdout=out, stderr=err, text=True,
                               cwd=REPO_ROOT, env=cli_env())
    _self_check.update(process=process, out=out, err=err)


def _stop_self_check() -> None:
    process = _self_check.pop("process", None)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    for name in ("out", "err"):
        stream = _self_check.pop(name, None)
        if stream is not None:
            stream.close()


def self_check_result() -> subprocess.CompletedProcess | None:
    """The early self-check's outcome (waiting for it to end), or None when it was not started."""
    process = _self_check.get("process")
    if process is None:
        return None
    process.wait()
    out, err = _self_check["out"], _self_check["err"]
    out.seek(0)
    err.seek(0)
    result = subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())
    _stop_self_check()
    return result


@pytest.hookimpl(trylast=True)  # after -k / -m / --deselect have chosen the items
def pytest_collection_modifyitems(config, items):
    found = [index for index, item in enumerate(items) if item.nodeid.endswith(SELF_CHECK_TEST)]
    if not found or len(items) < 2:
        return
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # under pytest-xdist every worker collects (and would start a subprocess of its own): the test runs
        # itself, first — the scheduler hands it to one worker while the others take the rest of the suite
        items.insert(0, items.pop(found[0]))
        return
    _start_self_check()
    items.append(items.pop(found[0]))  # read last: the rest of the suite runs while it works


@pytest.fixture
def early_self_check() -> subprocess.CompletedProcess | None:
    """The result of the self-check subprocess started after collection, or None (the test runs it)."""
    return self_check_result()


def pytest_unconfigure(config):
    _stop_self_check()
    _remove_scratch()
