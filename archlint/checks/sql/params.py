"""AL404: the placeholders in the SQL and the values passed with it disagree.

Only literal values are counted — a tuple/list/dict/array/object literal, or the positional
arguments of a varargs API (asyncpg, Prisma ``$queryRawUnsafe``) — and only for SQL known
exactly with no interpolation that could add placeholders.  ``(uid)`` is a parenthesised value,
not a tuple: sqlite3 then binds each character of the string, psycopg raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archlint.checks.sql.analysis import Prepared, finding
from archlint.domain import ir
from archlint.domain.arguments import ir_call, split_top_level
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.sql.holes import CONSTANT
from archlint.domain.sql.lexer import NAMED, POSITIONAL

_NOT_A_TUPLE = re.compile(r"^\(\s*[^,()\[\]{}]+\s*\)$")
_CALLBACK_NAMES = frozenset({"cb", "callback", "done", "next"})


def check_counts(ctx: CheckContext, prepared: Prepared) -> Iterator[Finding]:
    site = prepared.site
    if site.sql is None or not site.sql.exact or site.kind == "script" or site.sink.params in ("", "none"):
        return
    if any(hole.origin != CONSTANT for hole in site.sql.holes) or not site.style:
        return
    found = [p for p in prepared.placeholders if p.kind in POSITIONAL | NAMED or p.kind == "knex_identifier"]
    problem = _problem(site, found, ctx.files.get(site.path))
    if problem is None:
        return
    message, guidance, name = problem
    first = next((p for p in found if p.name == name), None) if name else (found[0] if found else None)
    at = (first.offset, first.length) if first is not None else (None, 0)
    yield finding(ctx, prepared, "AL404", at[0], at[1], message, guidance)


def _problem(site, found, facts=None) -> tuple[str, str, str] | None:
    """(message, guidance, the placeholder name to point at or "")."""
    values = _values(site, facts)
    if values is _UNKNOWN:
        return None
    positional = [p for p in found if p.kind in POSITIONAL or p.kind == "knex_identifier"]
    named = {p.name for p in found if p.kind in NAMED}
    if positional and named:
        return None
    expected = _expected(positional)
    given = values if isinstance(values, int) else (len(values) if isinstance(values, dict) else 1)
    error = _error(site, expected or len(named), given)
    if isinstance(values, str):  # `(uid)`: one value in parentheses
        message = (
            f"`{values}` is not a tuple — the parentheses only group — so the driver receives a bare value: a string is "
            f"taken as a sequence of characters (a 5-letter value counts as 5 parameters: {_error(site, expected, 5)}) "
            f"and a number is rejected as an unsupported parameter type"
        )
        return message, f"Add the trailing comma: `{values[:-1].rstrip()},)` (or pass a list).", ""
    if named:
        return _missing_names(named, values, error)
    if isinstance(values, dict):
        return None  # a mapping for positional placeholders is the driver's business, not countable
    if values == expected:
        return None
    if values == 0:
        message = f"{expected} placeholder(s) but no values are passed: {error}"
        guidance = "Pass the values as the next argument, one per placeholder."
    elif expected == 0:
        message = f"{values} value(s) passed but the SQL has no placeholder: {error}"
        guidance = "Put a placeholder where each value belongs, or drop the values."
    else:
        message = f"{expected} placeholder(s) but {values} value(s) passed: {error}"
        guidance = "Pass exactly one value per placeholder, in order."
    return message, guidance, ""


_UNKNOWN = object()


def _error(site, placeholders: int, values: int) -> str:
    text = site.sink.count_error or "the driver raises a parameter-count error"
    return text.replace("{placeholders}", str(placeholders)).replace("{values}", str(values))


def _missing_names(named: set[str], values, error: str) -> tuple[str, str, str] | None:
    if isinstance(values, int) and values:
        return None  # positional values for named placeholders: bound in order by some drivers
    given = set(values) if isinstance(values, dict) else set()
    missing = sorted(named - given)
    if not missing:
        return None
    what = ", ".join(f"`{name}`" for name in missing)
    passed = "values given: " + ", ".join(sorted(given)) if given else "no values are passed"
    message = f"named placeholder(s) {what} get no value ({passed}): {error}"
    return message, "Pass a mapping with one entry per named placeholder.", missing[0]


def _values(site, facts=None):
    """Number of values (int), their names (dict), the text of a non-tuple ``(x)`` (str), or _UNKNOWN."""
    params = list(site.params)
    if site.sink.params == "varargs":
        if any(p.keyword or p.text.startswith(("*", "...")) for p in params):
            return _UNKNOWN
        return len(params)
    if params and facts is not None and _callback_last(facts, site, params[-1]):
        params = params[:-1]
    if not params:
        return 0
    text = params[0].text.strip()
    if site.many:
        inner = text[1:-1].strip() if text[:1] in "[(" and text[-1:] in "])" else ""
        items = split_top_level(inner) if inner else []
        if not items:
            return _UNKNOWN
        text = items[0]
    if site.language == "python" and _NOT_A_TUPLE.match(text) and not site.many:
        return text
    if text[:1] in "([" and text[-1:] in ")]":
        items = split_top_level(text[1:-1])
        if any(item.startswith(("*", "...")) for item in items):
            return _UNKNOWN
        return len(items)
    if text.startswith("{") and text.endswith("}"):
        return _keys(text[1:-1])
    return _UNKNOWN


def _callback_last(facts, site, last) -> bool:
    """Whether the last value passed is the call's last argument and a callback — a function or
    arrow (``db.all(sql, [id], (err, rows) => …)``) or a name callbacks go by (``cb``, ``done``) —
    read from the IR call, not the argument text."""
    node = ir_call(facts, site.call)
    arguments = site.call.arguments(full=True)
    if node is None or not node.args or not arguments or arguments[-1] != last or len(arguments) != len(node.args):
        return False
    value = node.args[-1].value
    return type(value) is ir.FuncRef or type(value) is ir.Name and value.id in _CALLBACK_NAMES


def _keys(body: str):
    keys = {}
    for item in split_top_level(body):
        if item.startswith(("**", "...")):
            return _UNKNOWN
        key = split_top_level(item, ":")[0].strip().strip("'\"`")
        keys[key] = item
    return keys


def _expected(positional) -> int:
    numbered = [int(p.name) for p in positional if p.kind in ("dollar", "qmark_numbered") and p.name.isdigit()]
    if numbered and len(numbered) == len(positional):
        return max(numbered)
    return len(positional)
