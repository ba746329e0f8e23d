"""What an interpolation hole in SQL text holds, and where in the statement it sits.

Interpolating is not always injection: ``f"SELECT * FROM {TABLE} WHERE id = ?"`` splices a
constant, ``f"… IN ({placeholders})"`` splices ``?, ?, ?`` built from a length, and
``int(limit)`` cannot carry a quote.  Constant folding (:mod:`archlint.domain.constants`) decides
what a hole's expression can be; a hole is *runtime* — reportable — only when folding says
``unknown`` and the expression does not match a ``[[sql_safe_hole]]`` name pattern either
(``placeholders``, ``qmarks``: names agents give to placeholder lists built somewhere folding
cannot see).  Its origin is

* ``constant``: fixed in the code, with no placeholder in its known text (so counting the
  statement's placeholders still works);
* ``safe``: derived from constants and the shape of runtime data (a placeholder list, a number),
  passed through a quoting function, a constant holding placeholders, or a safe name;
* ``runtime``: anything else.

The hole's *role* (quoted value, value, table name, ORDER BY term …) only shapes the message:
a value can be bound as a parameter, an identifier needs an allow-list.
"""

from __future__ import annotations

import re

from archlint.domain.constants import CONSTANT as FOLDED_CONSTANT
from archlint.domain.constants import UNKNOWN as FOLDED_UNKNOWN
from archlint.domain.constants import ConstantFolder
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple

_PLACEHOLDER = lazy_compile(r"\?|%s|%\(|\$\d|:\w")
VIEW_QUERY = "a view's defining query"
_ROLES = (
    # CREATE [MATERIALIZED] VIEW name AS <query>: only a whole query fits there (typeorm's
    # createViewSql splices the @ViewEntity's `expression`, SQL written by the developer)
    (lazy_compile(r"\bVIEW\s+(IF\s+NOT\s+EXISTS\s+)?[^\s;()]+\s+AS\s*$", re.I), VIEW_QUERY),
    (lazy_compile(r"\b(FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)\s*$", re.I), "a table name"),
    (lazy_compile(r"\b(LIMIT|OFFSET)\s*$", re.I), "a LIMIT/OFFSET value"),
    (lazy_compile(r"\bIN\s*\(\s*$", re.I), "an IN list"),
    (lazy_compile(r"\b(ORDER|GROUP)\s+BY\b[^;()]*$", re.I), "an ORDER BY/GROUP BY term"),
    (lazy_compile(r"(=|<>|!=|<|>|\bLIKE|\bIS|\bBETWEEN|\bAND|\bVALUES\s*\(|,)\s*$", re.I), "a value"),
    (lazy_compile(r"\bSELECT\s+(DISTINCT\s+)?$", re.I), "a column list"),
)
CONSTANT = "constant"
SAFE = "safe"
RUNTIME = "runtime"


class SqlHole(NamedTuple):
    offset: int  # index of the ``{}`` marker in the SQL text
    expr: str
    how: str  # fstring | template | percent | format | concat
    origin: str  # constant | safe | runtime
    role: str  # with its article: a quoted value, a value, a table name, an ORDER BY/GROUP BY term, …


def origin(expr: str, folder: ConstantFolder, scope: str, at: tuple[int, int] | None, safe: tuple[re.Pattern, ...]) -> str:
    """The hole's origin (see the module docstring); ``at`` places it inside or outside loops."""
    expr = expr.strip()
    folded = folder.fold(expr, scope, at)
    if folded.kind == FOLDED_CONSTANT:
        if folded.values is not None and any(_PLACEHOLDER.search(value) for value in folded.values):
            return SAFE
        return CONSTANT
    if folded.kind != FOLDED_UNKNOWN or any(pattern.search(expr) for pattern in safe):
        return SAFE
    return RUNTIME


def role(text: str, offset: int) -> str:
    """The hole's syntactic position, judged from the SQL before it."""
    before = text[:offset]
    if _inside_quotes(before):
        return "a quoted value"
    tail = before[-80:]
    for pattern, name in _ROLES:
        if pattern.search(tail):
            return name
    return "a SQL fragment"


def _inside_quotes(before: str) -> bool:
    return before.count("'") % 2 == 1
