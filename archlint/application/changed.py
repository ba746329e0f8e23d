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
from collections import Counter, defaultdict
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
    there was no tree before (a repository without commits: everything is new)."""
    touched = changes.touched()
    before_keys: Counter = Counter()
    if before is not None and before_source is not None:
        for finding in before.findings:
            path = changes.after_path(finding.path)
            if path is not None:
                before_keys[_key(finding, path, before.context, before_source, deep=path in touched)] += 1
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, finding in enumerate(after.findings):
        groups[_key(finding, finding.path, after.context, after_source, deep=finding.path in touched)].append(index)
    new: set[int] = set()
    matched = 0
    for key, indices in groups.items():
        on_added = [i for i in indices if after.findings[i].line in changes.added_lines(after.findings[i].path)]
        others = [i for i in indices if i not in on_added]
        budget = before_keys.get(key, 0)
        matched += min(budget, len(others))
        new.update(on_added)
        new.update(others[budget:])
    listed = [f for i, f in enumerate(after.findings) if i in new and f.path in touched]
    in_touched = sum(1 for f in after.findings if f.path in touched)
    return Introduced(
        findings=listed,
        elsewhere=sum(1 for i in new if after.findings[i].path not in touched),
        preexisting=in_touched - len(listed),
        fixed=max(0, sum(before_keys.values()) - matched) + _deleted(before, changes),
    )


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
