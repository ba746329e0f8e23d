"""``importlib.metadata`` loaded only when sqlglot really asks it something.

sqlglot's ``dialects/dialect.py`` runs ``from importlib.metadata import entry_points`` at import
time, to look up third-party dialect plugins later — which archlint never needs (it names only
dialects that sqlglot ships).  Loading ``importlib.metadata`` pulls in ``email``, ``zipfile``,
``csv`` and ``socket``: ~15 ms of the ~60 ms that importing sqlglot costs, on every check of an
app with SQL or an ORM (the 51-file Conduit app: a twentieth of its cold run).

:func:`install` (called by the ``archlint`` process entry point only, never on import) puts a
one-shot finder in front of ``sys.meta_path``: when sqlglot is first imported, a stand-in module is
``sys.modules["importlib.metadata"]`` for exactly the duration of sqlglot's own import.  Its
``entry_points`` loads the real module on first call and delegates; any other attribute read does
the same.  After sqlglot's import the stand-in is gone from ``sys.modules``, so everything else
that imports ``importlib.metadata`` gets the real one.  Behaviour is unchanged: only *when* the
module is loaded moves (``tests/test_deferred_metadata.py``).

The same window defers ``sqlglot.diff``, which sqlglot's package imports only to re-export its
``diff`` function (an AST diff archlint never calls; five dataclasses and ``heapq``: ~1% of a
51-file app's cold run): while the package body runs, ``sys.modules["sqlglot.diff"]`` is a
stand-in whose ``diff`` imports the real module on first call and delegates.  Afterwards the
stand-in is gone, so ``import sqlglot.diff`` loads the real module as usual.
"""

from __future__ import annotations

import sys
from types import ModuleType

_NAME = "importlib.metadata"


def _real() -> ModuleType:
    import importlib

    if isinstance(sys.modules.get(_NAME), _StandIn):
        del sys.modules[_NAME]
    if isinstance(getattr(importlib, "metadata", None), _StandIn):
        del importlib.metadata
    import importlib.metadata

    return importlib.metadata


def entry_points(*args, **kwargs):
    return _real().entry_points(*args, **kwargs)


class _StandIn(ModuleType):
    entry_points = staticmethod(entry_points)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system asks for __path__ etc.: a plain module's answer
            raise AttributeError(name)
        return getattr(_real(), name)


_DIFF = "sqlglot.diff"


def diff(*args, **kwargs):
    """``sqlglot.diff`` (re-exported as ``sqlglot.diff``): the real module, loaded on first call."""
    if isinstance(sys.modules.get(_DIFF), _DiffStandIn):
        del sys.modules[_DIFF]
    from sqlglot.diff import diff as real

    return real(*args, **kwargs)


class _DiffStandIn(ModuleType):
    diff = staticmethod(diff)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if isinstance(sys.modules.get(_DIFF), _DiffStandIn):
            del sys.modules[_DIFF]
        import importlib

        return getattr(importlib.import_module(_DIFF), name)


class _Loader:
    """Wraps sqlglot's loader: the stand-in is in place while its package body runs."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        import importlib

        placed = _NAME not in sys.modules
        if placed:  # `from importlib.metadata import x` reads sys.modules, `importlib.metadata.x` the package
            sys.modules[_NAME] = importlib.metadata = _StandIn(_NAME)
        if _DIFF not in sys.modules:
            sys.modules[_DIFF] = _DiffStandIn(_DIFF)
        try:
            self.loader.exec_module(module)
        finally:
            if isinstance(sys.modules.get(_DIFF), _DiffStandIn):
                del sys.modules[_DIFF]
            if placed and isinstance(sys.modules.get(_NAME), _StandIn):
                del sys.modules[_NAME]
            if placed and isinstance(getattr(importlib, "metadata", None), _StandIn):
                del importlib.metadata

    def __getattr__(self, name: str):  # get_resource_reader, is_package, ...
        return getattr(self.loader, name)


class _FirstSqlglotImport:
    def find_spec(self, name, path=None, target=None):
        if name != "sqlglot":
            return None
        uninstall()
        spec = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        if spec is not None and spec.loader is not None and _NAME not in sys.modules:
            spec.loader = _Loader(spec.loader)
        return spec


_FINDER = _FirstSqlglotImport()


def install() -> None:
    if "sqlglot" not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
