"""Lookup tables over a file's fact lists, built once per list.

Checks ask the same questions for every call site — "the call at this span", "the function with
this qualname", "the strings and assignments of this scope" — and a linear scan per question makes
a big file quadratic: a 20,000-line seed script of ``cursor.execute("INSERT …")`` took minutes.
Each table is keyed by the list it indexes (its identity and length, so a list that grew is
indexed again) and kept while the run holds the list.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")

_TABLES: dict[tuple[int, Callable], tuple[list, int, dict]] = {}
_LIMIT = 1_024


def positions(items: list[T], key: Callable[[T], Hashable]) -> dict[Hashable, list[int]]:
    """``key(item)`` -> the positions of the items with that key, in list order (one table per
    list and key function; use the module-level keys below, not a fresh lambda per call)."""
    slot = (id(items), key)
    cached = _TABLES.get(slot)
    if cached is not None and cached[0] is items and cached[1] == len(items):
        return cached[2]
    table: dict[Hashable, list[int]] = {}
    for position, item in enumerate(items):
        table.setdefault(key(item), []).append(position)
    if len(_TABLES) >= _LIMIT:
        _TABLES.clear()
    _TABLES[slot] = (items, len(items), table)  # holding the list keeps its id from being reused
    return table


def first(items: list[T], key: Callable[[T], Hashable], value: Hashable) -> T | None:
    """The first item whose key is ``value`` (what ``next(i for i in items if key(i) == value)`` finds)."""
    found = positions(items, key).get(value)
    return items[found[0]] if found else None


def having(items: list[T], key: Callable[[T], Hashable], values: Iterable[Hashable]) -> list[T]:
    """The items whose key is one of ``values``, in list order."""
    table = positions(items, key)
    found: list[int] = []
    for value in set(values):
        found.extend(table.get(value, ()))
    found.sort()
    return [items[position] for position in found]


def by_scope(item) -> str:
    return item.scope


def by_qualname(item) -> str:
    return item.qualname


def by_site(item) -> tuple:
    """A call site's identity as access sites and constructs carry it: span and callee."""
    return item.span, item.callee
