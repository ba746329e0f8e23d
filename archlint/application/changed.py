"""Findings a change introduces: the one rule behind ``check PATH --patch FILE`` and
``check --changed-only``, so the two always agree.

The whole project is analysed twice — before and after the change — because a layer violation
needs both ends of an import and a cycle all of its modules.  A finding of the tree after the
change is *introduced* when

* it sits on a line the change adds, or
* the tree after the change has more findings with its fingerprint than the tree before.

The fingerprint is the rule, the path after renames, the whitespace-normalised text of the
finding's line and the normalised header of the function around it — never the line number,
which any change above the finding shifts.  Only findings in files the change creates, modifies
or renames are reported: you answer for what you touched, judged with the whole project as
context.  Findings the change causes in files it does not touch (rare: an import that now
resolves into another layer) are counted, not listed; ``--all`` shows the whole tree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from archlint.application.pipeline import Report
from archlint.application.suppressions import SourceText
from archlint.domain.change import ChangeSet
from archlint.domain.context import CheckContext
from archlint.domain.findings import Finding

_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Introduced:
    """How the findings of a change split: introduced, elsewhere, pre-existing, fixed."""
    findings: list[Finding]  # introduced, in files the change touches, in report order
    elsewhere: int = 0  # introduced in files the change does not touch (not listed)
    preexisting: int = 0  # findings of touched files that the tree already had
    fixed: int = 0  # findings of the tree before the change that are gone after it

    def to_dict(self) -> dict:
        return {"introduced": len(self.findings), "preexisting": self.preexisting, "elsewhere": self.elsewhere,
                "fixed": self.fixed}


def introduced(before: Report | None, after: Report, changes: ChangeSet, before_source: SourceText | None,
               after_source: SourceText) -> Introduced:
    """Split ``after.findings`` by whether the change introduced them.  ``before`` is None when
    there was no tree before (a repository without commits: everything is new).

    A finding that stands for several (``Finding.members``: the views reaching one per-row query in
    shared serializer code) answers to its members' keys too, as it does for a baseline: a view
    added to those that already reached the query is no new defect, and the view reported alone
    before is not "fixed" by now being one of several.  It belongs to the change when the change
    touches its file or one of its views' files, so it is listed, not only counted."""
    touched = changes.touched()
    waiting: dict[tuple, list[int]] = defaultdict(list)  # key -> findings of the tree before
    total = 0
    if before is not None and before_source is not None:
        for index, finding in enumerate(before.findings):
            if changes.after_path(finding.path) is None:
                continue
            total += 1
            for key in _keys(finding, changes.after_path, before.context, before_source, touched):
                waiting[key].append(index)
    consumed: set[int] = set()
    new: set[int] = set()
    # plain findings first, in report order (the first ones of a key match), then merged ones
    for index in sorted(range(len(after.findings)), key=lambda i: bool(after.findings[i].members)):
        finding = after.findings[index]
        if finding.line in changes.added_lines(finding.path):
            new.add(index)
            continue
        match = next((i for key in _keys(finding, _same, after.context, after_source, touched)
                      for i in waiting.get(key, ()) if i not in consumed), None)
        if match is None:
            new.add(index)
        else:
            consumed.add(match)
    mine = [_touches(f, touched) for f in after.findings]
    listed = [f for i, f in enumerate(after.findings) if i in new and mine[i]]
    return Introduced(
        findings=listed,
        elsewhere=sum(1 for i in new if not mine[i]),
        preexisting=sum(mine) - len(listed),
        fixed=total - len(consumed) + _deleted(before, changes),
    )


def _same(path: str) -> str:
    return path


def _touches(finding: Finding, touched) -> bool:
    return finding.path in touched or any(member.path in touched for member in finding.members)


def _keys(finding: Finding, rename, ctx: CheckContext | None, source: SourceText, touched) -> list[tuple]:
    """The finding's key, then its members' (see :func:`introduced`)."""
    keys = []
    for one in (finding, *finding.members):
        path = rename(one.path)
        if path is not None:
            keys.append(_key(one, path, ctx, source, deep=path in touched))
    return keys


def _deleted(before: Report | None, changes: ChangeSet) -> int:
    """Findings of files the change deletes: gone with them."""
    if before is None:
        return 0
    return sum(1 for finding in before.findings if changes.after_path(finding.path) is None)


def _key(finding: Finding, path: str, ctx: CheckContext | None, source: SourceText, deep: bool) -> tuple:
    code = _SPACE.sub(" ", source.line(finding.path, finding.line).strip())
    return (finding.rule, path, code, _enclosing(finding, ctx, source) if deep else "")


def _enclosing(finding: Finding, ctx: CheckContext | None, source: SourceText) -> str:
    """Qualified name and normalised first line of the innermost function around the finding
    ("" at module level).  Read only for files the change touches: it needs their body facts."""
    facts = ctx.files.get(finding.path) if ctx is not None else None
    if facts is None or facts.language == "unknown":
        return ""
    best = None
    for function in facts.body.functions:
        span = function.span
        if span.line <= finding.line <= span.end_line and (best is None or span.line >= best.span.line):
            best = function
    if best is None:
        return ""
    return f"{best.qualname}:{_SPACE.sub(' ', source.line(finding.path, best.span.line).strip())}"
