"""AL404: the placeholders in the SQL and the values passed with it disagree.

Only literal values are counted — a tuple/list/dict/array/object literal, or the positional
arguments of a varargs API (asyncpg, Prisma ``$queryRawUnsafe``) — and only for SQL known
exactly with no interpolation that could add placeholders.  ``(uid)`` is a parenthesised value,
not a tuple: sqlite3 then binds each character of the string, psycopg raises.
"""

from __future__ import annotations

from collections.abc import Iterator

from archlint.checks.sql.analysis import Prepared, finding
from archlint.domain import ir
from archlint.domain.arguments import ir_call
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding
from archlint.domain.sql.holes import CONSTANT
from archlint.domain.sql.lexer import NAMED, POSITIONAL

_CALLBACK_NAMES = frozenset({"cb", "callback", "done", "next"})
_OPTION_KEYS = ("replacements", "bind")


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
    """Number of values (int), their names (dict), the text of a non-tuple ``(x)`` (str), or _UNKNOWN —
    read from the IR of the values' argument: a sequence literal counts its elements, a dict/object
    literal names its keys; a starred element or a spread makes the count unknown."""
    node = ir_call(facts, site.call) if facts is not None else None
    args = _value_arguments(site, node) if node is not None else None
    if args is None:
        return _UNKNOWN
    if site.sink.params == "varargs":
        if any(arg.kind != "pos" or type(arg.value) is ir.Starred for arg in args):
            return _UNKNOWN
        return len(args)
    if args and args[-1] is node.args[-1] and _is_callback(args[-1].value):
        args = args[:-1]
    if not args:
        return 0
    value = args[0].value
    if site.many:
        if type(value) is not ir.Seq or not value.elts:
            return _UNKNOWN
        value = value.elts[0]
    elif site.language == "python" and type(value) in (ir.Name, ir.Attr, ir.Const) and _parenthesised(site.params[0].text):
        return site.params[0].text.strip()
    if type(value) is ir.Seq and value.kind in ("list", "tuple"):
        if any(type(element) is ir.Starred for element in value.elts):
            return _UNKNOWN
        return len(value.elts)
    if type(value) is ir.Obj:
        if any(not isinstance(entry.key, str) for entry in value.entries):
            return _UNKNOWN  # a spread (``**kw`` / ``...o``) or a computed key
        return {entry.key: entry for entry in value.entries}
    return _UNKNOWN


def _value_arguments(site, node) -> list | None:
    """The IR arguments holding the values passed with the SQL, in order; ``None`` when the call's
    IR and its argument list do not line up.  Sequelize passes them in the options object
    (``{ replacements: {…} }`` / ``{ bind: […] }``): that entry's value, as an argument."""
    if site.sink.params == "options":
        for arg in node.args:
            if type(arg.value) is ir.Obj:
                for entry in arg.value.entries:
                    if entry.key in _OPTION_KEYS:
                        return [ir.Arg("pos", "", entry.value)]
        return [] if not site.params else None
    arguments = site.call.arguments(full=True)
    if len(arguments) != len(node.args):
        return None
    args = [node.args[arguments.index(p)] for p in site.params if p in arguments]
    return args if len(args) == len(site.params) else None


def _parenthesised(text: str) -> bool:
    """``(uid)``: a value in grouping parentheses, which the IR drops (it is no tuple)."""
    text = text.strip()
    return text[:1] == "(" and text[-1:] == ")"


def _is_callback(value) -> bool:
    """A function or arrow (``db.all(sql, [id], (err, rows) => …)``) or a name callbacks go by
    (``cb``, ``done``) passed last: the driver's callback, not a value."""
    return type(value) is ir.FuncRef or type(value) is ir.Name and value.id in _CALLBACK_NAMES


def _expected(positional) -> int:
    numbered = [int(p.name) for p in positional if p.kind in ("dollar", "qmark_numbered") and p.name.isdigit()]
    if numbered and len(numbered) == len(positional):
        return max(numbered)
    return len(positional)
