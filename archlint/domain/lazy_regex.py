"""Regular expressions compiled on first use.

A module-level ``re.compile`` runs at import, whether or not the run ever matches with it: on a
cold check of a 51-file app, 80-odd of the patterns compiled at import were never used (the
import scanner's, which only the layers-only path runs; SQL-text rules for an app with no SQL
text; reporters' escapes for a clean report) — ~3% of its instructions.  :func:`lazy_compile` gives
an object with the methods of a compiled pattern that compiles it when one of them is first
read, then keeps the compiled pattern's bound methods in its own slots, so every later call costs
what a call on the compiled pattern costs (no ``__getattr__`` on the hot path).

Only for patterns used through their methods and attributes (``P.match(…)``, ``P.sub(…)``,
``P.pattern``): a lazy pattern is not a :class:`re.Pattern`, so it is never handed to ``re.sub``
and friends or to ``isinstance``.
"""

from __future__ import annotations

import re

_ATTRIBUTES = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
               "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    __slots__ = ("_source", "_flags", *_ATTRIBUTES)

    def __init__(self, source: str | bytes, flags: int = 0) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str):  # only reached while a slot is still empty: before compiling
        if name not in _ATTRIBUTES:
            raise AttributeError(name)
        compiled = re.compile(self._source, self._flags)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source!r}, {self._flags!r})"


def lazy_compile(source: str | bytes, flags: int = 0) -> LazyPattern:
    """``re.compile(source, flags)``, done when the pattern is first used."""
    return LazyPattern(source, flags)
