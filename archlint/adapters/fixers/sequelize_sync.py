"""AL216 (unsafe): ``sync({ force: true })`` / ``sync({ alter: true })`` -> ``sync()``.

The flagged options are removed with their commas; the other options (``logging``…) and comments
stay, and an object left empty goes with its parentheses' content: ``sync()``.  Unsafe because a
test set-up or a seed script may rely on the tables being dropped or altered at start-up.
"""

from __future__ import annotations

from archlint.adapters.fixers import fixer
from archlint.adapters.fixers.base import Decline
from archlint.adapters.fixers.js_text import Edit, JsSource
from archlint.domain.findings import Finding

_DESTRUCTIVE = frozenset({"force", "alter"})


@fixer("AL216", "javascript")
def plain_sync(source: JsSource, finding: Finding, ctx) -> list[Edit]:
    call = source.node_at(finding, "call_expression")
    arguments = call.child_by_field_name("arguments")
    given = [child for child in arguments.named_children if child.type != "comment"] if arguments is not None else []
    if len(given) != 1 or given[0].type != "object":
        raise Decline("sync()'s options are not one object literal")
    options = given[0]
    entries = [child for child in options.named_children if child.type != "comment"]
    flagged = [entry for entry in entries if _destructive(source, entry)]
    if not flagged:
        raise Decline("no `force: true` / `alter: true` option in the object")
    if len(flagged) == len(entries) and not any(child.type == "comment" for child in options.named_children):
        return [Edit(arguments.start_byte, arguments.end_byte, "()")]
    return [_removal(source, run) for run in _runs(entries, flagged)]


def _destructive(source: JsSource, entry) -> bool:
    if entry.type != "pair":
        return False
    key, value = entry.child_by_field_name("key"), entry.child_by_field_name("value")
    return source.text(key).strip("'\"") in _DESTRUCTIVE and value is not None and source.text(value) == "true"


def _runs(entries: list, flagged: list) -> list[list]:
    """Consecutive flagged entries, so one removal takes each run with the right comma."""
    runs: list[list] = []
    for index, entry in enumerate(entries):
        if entry in flagged:
            if runs and entries.index(runs[-1][-1]) == index - 1:
                runs[-1].append(entry)
            else:
                runs.append([entry])
    return runs


def _removal(source: JsSource, run: list) -> Edit:
    first, last = run[0], run[-1]
    data = source.data
    after = last.next_sibling
    if after is not None and after.type == ",":
        end = after.end_byte
        while data[end : end + 1] in (b" ", b"\t"):
            end += 1
        line_start = data.rfind(b"\n", 0, first.start_byte) + 1
        if not data[line_start : first.start_byte].strip() and data[end : end + 1] in (b"\n", b"\r"):
            return Edit(line_start, data.index(b"\n", end) + 1, "")  # the options' own line(s)
        return Edit(first.start_byte, end, "")  # `force: true, ` (a trailing comma goes with it)
    before = first.prev_sibling
    if before is not None and before.type == ",":
        return Edit(before.start_byte, last.end_byte, "")  # `, force: true` at the end
    return Edit(first.start_byte, last.end_byte, "")
