"""The ``archlint`` process defers ``importlib.metadata`` past sqlglot's import (a start-up cost
of ~15 ms) without changing what sqlglot or anyone else sees (archlint/adapters/deferred_metadata.py)."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = r"""
import sys
from archlint.adapters import deferred_metadata
deferred_metadata.install()
import sqlglot
from sqlglot.dialects.dialect import Dialect
assert "importlib.metadata" not in sys.modules, "loaded with sqlglot"
assert deferred_metadata._FINDER not in sys.meta_path, "the finder is one-shot"
assert Dialect.get_or_raise("postgres") is not None  # a shipped dialect: no plugin lookup
assert "importlib.metadata" not in sys.modules
try:
    Dialect.get_or_raise("no_such_dialect_here")  # an unknown name: sqlglot asks the entry points
except ValueError:
    pass
assert "importlib.metadata" in sys.modules
import importlib.metadata
assert type(importlib.metadata) is type(sys), "the real module, not the stand-in"
assert importlib.metadata.version("sqlglot") == sqlglot.__version__
print("ok")
"""


def test_sqlglot_imports_without_importlib_metadata_and_plugins_still_load():
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


_DURING = r"""
import sys
from archlint.adapters import deferred_metadata
deferred_metadata.install()
import sqlglot.errors  # the package first, then its submodule
import sqlglot
loader = sqlglot.__spec__.loader
assert isinstance(loader, deferred_metadata._Loader)
# what code imported while sqlglot's package runs sees: both spellings reach the real module
sys.modules["importlib.metadata"] = deferred_metadata._StandIn("importlib.metadata")
import importlib
importlib.metadata = sys.modules["importlib.metadata"]
import importlib.metadata
assert importlib.metadata.version("sqlglot") == sqlglot.__version__  # loads the real one
assert type(sys.modules["importlib.metadata"]) is type(sys)
assert type(importlib.metadata) is type(sys)
print("ok")
"""


def test_code_run_inside_the_window_reaches_the_real_module():
    done = subprocess.run([sys.executable, "-c", _DURING], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_stand_in_delegates_attributes_to_the_real_module():
    from archlint.adapters.deferred_metadata import _StandIn

    stand_in = _StandIn("importlib.metadata")
    assert callable(stand_in.version)
    assert not hasattr(stand_in, "__path__")  # the import system's probe must not load it


_DIFF = r"""
import sys
from archlint.adapters import deferred_metadata
deferred_metadata.install()
import sqlglot
assert "sqlglot.diff" not in sys.modules, "sqlglot's AST diff loaded with sqlglot"
edits = sqlglot.diff(sqlglot.parse_one("SELECT a FROM t"), sqlglot.parse_one("SELECT b FROM t"))
assert type(sys.modules["sqlglot.diff"]) is type(sys), "the first call loads the real module"
from sqlglot.diff import Keep, diff
assert any(isinstance(edit, Keep) for edit in edits)
assert diff(sqlglot.parse_one("SELECT 1"), sqlglot.parse_one("SELECT 1"))
print("ok")
"""


def test_sqlglot_diff_is_loaded_on_first_use():
    done = subprocess.run([sys.executable, "-c", _DIFF], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
