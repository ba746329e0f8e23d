"""The compiled tree-sitter grammars, loaded without their packages' ``__init__``.

``tree_sitter_python`` (like the JavaScript and TypeScript grammar packages) imports
``importlib.resources`` at import time — and with it ``tempfile``, ``shutil``, ``random`` and
more, ~8 ms of a small repo's cold start — only to read highlight queries archlint never uses.
The grammar itself is the package's ``_binding`` extension module; it is loaded directly here,
and through the ordinary import when the package is laid out differently.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec, PathFinder


def binding(package: str):
    """The module with ``package``'s ``language*()`` functions (``tree_sitter_python._binding``)."""
    name = f"{package}._binding"
    module = sys.modules.get(name)
    if module is not None:
        return module
    try:
        spec = PathFinder.find_spec(package)
        for directory in (spec.submodule_search_locations or ()) if spec is not None else ():
            for suffix in EXTENSION_SUFFIXES:
                path = os.path.join(directory, "_binding" + suffix)
                if os.path.isfile(path):
                    loader = ExtensionFileLoader(name, path)
                    module = loader.create_module(ModuleSpec(name, loader, origin=path))
                    loader.exec_module(module)
                    sys.modules[name] = module  # the package's own `from ._binding import …` reuses it
                    return module
    except (ImportError, OSError, AttributeError, TypeError, ValueError):
        pass
    return _package(package)


def _package(package: str):
    """The grammar package imported the ordinary way (static imports: archlint's own graph sees them)."""
    if package == "tree_sitter_python":
        import tree_sitter_python as module
    elif package == "tree_sitter_javascript":
        import tree_sitter_javascript as module
    else:
        import tree_sitter_typescript as module
    return module
