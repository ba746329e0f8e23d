"""AL602 (JS/TS): ``(await Model.findAll(opts)).length`` -> ``await Model.count(opts)``.

Counting in the database gives the same number only when the options select the same rows:
no options, or only ``where`` and options that do not shape the result (transaction, paranoid,
logging, benchmark).  ``include`` would make count() count joined rows (AL217), ``limit``/``offset``
are ignored by count(), ``group`` makes it return an array, and options passed as a variable
cannot be read — all of those are declined.
"""

from __future__ import annotations

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.js_text import Edit, JsSource, unwrap
from archlint.domain.findings import Finding

_NEUTRAL_OPTIONS = frozenset({"where", "transaction", "paranoid", "logging", "benchmark"})


@fixer("AL602", "javascript")
def count_in_database(source: JsSource, finding: Finding, ctx) -> list[Edit]:
    value = source.node_at(finding, "member_expression", "variable_declarator", "assignment_expression")
    if value.type != "member_expression":  # a finding on the whole assignment: its value
        value = unwrap(value.child_by_field_name("value" if value.type == "variable_declarator" else "right"))
    if value is None or value.type != "member_expression" or source.text(value.child_by_field_name("property")) != "length":
        raise Decline("the value is not `(…).length`")
    awaited = unwrap(value.child_by_field_name("object"))
    if awaited is None or awaited.type != "await_expression":
        raise Decline("findAll(…) is not awaited: `.length` of a promise is undefined; await the count by hand")
    call = unwrap(awaited.named_children[0]) if awaited.named_child_count else None
    function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    method = function.child_by_field_name("property") if function is not None and function.type == "member_expression" else None
    if method is None or source.text(method) != "findAll":
        raise Decline("not `await Model.findAll(…)`")
    _check_options(source, call.child_by_field_name("arguments"))
    text = source.text(awaited, end=method.start_byte) + "count" + source.text(awaited, start=method.end_byte)
    return [Edit(value.start_byte, value.end_byte, text)]


def _check_options(source: JsSource, arguments) -> None:
    given = [child for child in arguments.named_children if child.type != "comment"] if arguments is not None else []
    if not given:
        return
    if len(given) > 1 or given[0].type != "object":
        raise Decline("findAll's options are not an object literal archlint can read")
    for entry in given[0].named_children:
        if entry.type == "comment":
            continue
        key = entry.child_by_field_name("key") if entry.type == "pair" else entry
        name = source.text(key).strip("'\"") if key is not None else ""
        if entry.type not in ("pair", "shorthand_property_identifier") or name not in _NEUTRAL_OPTIONS:
            raise Decline(f"the option `{name or source.text(entry)}` changes what count() counts; rewrite by hand")
