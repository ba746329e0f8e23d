"""What an interpolation hole in SQL text holds, and where in the statement it sits.

Interpolating is not always injection: ``f"SELECT * FROM {TABLE} WHERE id = ?"`` splices a
constant, ``f"… IN ({placeholders})"`` splices ``?, ?, ?`` built from a length, and
``int(limit)`` cannot carry a quote.  A hole is *runtime* — reportable — only when it is none of

* ``constant``: a literal, or a name in UPPER_CASE (``TABLE``, ``self.TABLE``, ``settings.USERS_TABLE``,
  ``SORT_COLUMNS[key]``, ``ALLOWED.get(key, "id")`` — a lookup in a constant allow-list);
* ``safe``: a match of the ``[[sql_safe_hole]]`` patterns (placeholder lists, numbers, escapers);
* a local name assigned from one of those in the same function (one step, from ``Assign`` facts).

The hole's *role* (quoted value, value, table name, ORDER BY term …) only shapes the message:
a value can be bound as a parameter, an identifier needs an allow-list.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from archlint.domain.facts import FileFacts

_LITERAL = re.compile(r"""^(?:[rRuUbB]?(?:'[^']*'|"[^"]*")|`[^`$]*`|-?\d+(?:\.\d+)?|None|null|True|False|true|false)$""")
_LITERAL_CHOICE = re.compile(  # ("…" if flag else "…") / flag ? '…' : '…'
    r"""^\(?\s*(?:'[^']*'|"[^"]*")\s+if\s+[^'"]+\s+else\s+(?:'[^']*'|"[^"]*")\s*\)?$"""
    r"""|^\(?[\w.!\s]+\?\s*(?:'[^']*'|"[^"]*"|`[^`$]*`)\s*:\s*(?:'[^']*'|"[^"]*"|`[^`$]*`)\s*\)?$"""
)
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_LOOKUP = re.compile(r"^(?P<head>[\w.$]+?)\s*(?:\[|\.get\s*\(|\.has\s*\()")
_DUNDER_TABLE = re.compile(r"(__tablename__|__table__\.name|_meta\.db_table|\.tableName|getTableName\(\))")
_ROLES = (
    (re.compile(r"\b(FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)\s*$", re.I), "a table name"),
    (re.compile(r"\b(LIMIT|OFFSET)\s*$", re.I), "a LIMIT/OFFSET value"),
    (re.compile(r"\bIN\s*\(\s*$", re.I), "an IN list"),
    (re.compile(r"\b(ORDER|GROUP)\s+BY\b[^;()]*$", re.I), "an ORDER BY/GROUP BY term"),
    (re.compile(r"(=|<>|!=|<|>|\bLIKE|\bIS|\bBETWEEN|\bAND|\bVALUES\s*\(|,)\s*$", re.I), "a value"),
    (re.compile(r"\bSELECT\s+(DISTINCT\s+)?$", re.I), "a column list"),
)
# Where request data comes from, in the frameworks archlint knows (Flask/Django/FastAPI, Express/Koa/Hono).
REQUEST_SOURCE = re.compile(r"^(request|req|ctx\.request|ctx\.query|ctx\.params|c\.req|self\.request|event\.body)\b")
CONSTANT = "constant"
SAFE = "safe"
RUNTIME = "runtime"


class SqlHole(NamedTuple):
    offset: int  # index of the ``{}`` marker in the SQL text
    expr: str
    how: str  # fstring | template | percent | format | concat
    origin: str  # constant | safe | runtime
    role: str  # with its article: a quoted value, a value, a table name, an ORDER BY/GROUP BY term, …


def origin(expr: str, facts: FileFacts, scope: str, safe: tuple[re.Pattern, ...], depth: int = 0) -> str:
    expr = expr.strip()
    if _is_constant(expr):
        return CONSTANT
    if any(pattern.search(expr) for pattern in safe):
        return SAFE
    if depth == 0 and re.match(r"^[A-Za-z_$][\w$]*$", expr):
        for assign in facts.assigns:
            if assign.target.split(":")[0].strip() == expr and assign.scope in (scope, ""):
                value = origin(assign.value, facts, scope, safe, depth + 1)
                if value != RUNTIME:
                    return value
    return RUNTIME


def _is_constant(expr: str) -> bool:
    if _LITERAL.match(expr) or _DUNDER_TABLE.search(expr) or _LITERAL_CHOICE.match(expr):
        return True
    lookup = _LOOKUP.match(expr)
    chain = lookup.group("head") if lookup else expr
    if not re.match(r"^[\w.$]+$", chain):
        return False
    parts = chain.split(".")
    return any(_CONSTANT_NAME.match(part) for part in (parts[0], parts[-1]))


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
