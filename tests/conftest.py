"""Session set-up shared by every test module.

One bytecode cache for the session.  About 150 tests run archlint in a fresh interpreter (the CLI's
exit codes and streams, the pre-commit hook, the fuzz sweep's second process with another hash
seed, the startup-import probes).  Where the environment says ``PYTHONDONTWRITEBYTECODE`` (the
machine the suite runs on does), each of those interpreters compiled archlint and its dependencies
from source again: ~0.8 s of CPU of a ~1.3 s ``archlint check`` of a small fixture.  The subprocesses
inherit ``PYTHONPYCACHEPREFIX``, a temporary directory outside the checkout removed at the end, so
the first compiles and the others read the bytecode; what each process imports and does is the same.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

if sys.flags.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"):
    _PYCACHE = tempfile.mkdtemp(prefix="archlint-test-pycache-")
    atexit.register(shutil.rmtree, _PYCACHE, True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = _PYCACHE
