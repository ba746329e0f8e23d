"""``check --fix`` / ``--diff`` / ``--add-ignore``: findings in, fixed (or annotated) files out.

One round: check → the reported findings whose rule has a fix of an allowed kind (``safe``;
``unsafe`` too with ``--unsafe-fixes``) and a registered fixer → every fix of a file applied in
one pass (adapters/fixers) → files written.  A fix can reveal another (splitting ``a is None
and b`` into two arguments exposes the ``is None``), so ``--fix`` repeats rounds until nothing
changes; ``--diff`` shows one round and writes nothing.  ``--add-ignore REASON`` then suppresses
what remains with inline comments.  The command then checks the result as ``check`` would: that
report and its exit code are the answer.

The findings to fix are the ones the command reports: ``check`` (the caller's) applies the
baseline and ``--changed-only`` (what the change introduces), so they limit fixes as they limit
the report.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from archlint.adapters import fixers
from archlint.adapters.cache import content_hash
from archlint.adapters.fixers.comments import annotate
from archlint.application.pipeline import Report
from archlint.application.suppressions import clean_reason, suppression_comment, with_rules_added
from archlint.domain.config import ConfigError
from archlint.domain.findings import SEVERITY_RANK, Finding

MAX_ROUNDS = 10
_NEVER_SUPPRESSED = ("AL001", "AL002", "AL003", "AL004", "AL901", "AL902", "AL903")  # parse and suppression findings

CheckRound = Callable[[], tuple[Report, list[Finding]]]


@dataclass(slots=True)
class FixRequest:
    """What --fix / --diff / --add-ignore asked for."""
    fix: bool = False  # --fix (or --diff): apply fixes
    diff: bool = False  # --diff: compute, write nothing
    unsafe: bool = False  # --unsafe-fixes
    ignore_reason: str | None = None  # --add-ignore REASON


@dataclass(slots=True)
class FixOutcome:
    """What the fix rounds changed, fixed and declined."""
    report: Report  # the last check (of the tree before the last round's writes)
    failed: bool = False  # the findings first reported reach --fail-on (the exit code of --diff)
    contents: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # path -> (before, after)
    fixed: list[Finding] = field(default_factory=list)
    declined: dict[Finding, str] = field(default_factory=dict)  # fixable, still reported, not fixed: why
    unsafe_available: int = 0  # findings whose fix needs --unsafe-fixes
    suppressed: list[Finding] = field(default_factory=list)
    unplaced: list[tuple[Finding, str]] = field(default_factory=list)
    rounds: int = 0

    def diff(self) -> str:
        """Unified diff of every changed file, paths relative to the analysed root."""
        chunks = []
        for path in sorted(self.contents):
            before, after = self.contents[path]
            if before == after:
                continue
            old, new = (data.decode("utf-8", "replace").splitlines(keepends=True) for data in (before, after))
            lines = list(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))
            chunks.append("".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines))
        return "".join(chunks)

    @property
    def changed_files(self) -> list[str]:
        return sorted(path for path, (before, after) in self.contents.items() if before != after)


def run_fixes(request: FixRequest, check: CheckRound) -> FixOutcome:
    """Fix rounds, then suppressions; ``check()`` runs one check and returns the report with the
    findings this command reports (the command re-checks the result for its own report)."""
    reason = clean_reason(request.ignore_reason) if request.ignore_reason is not None else None
    if request.ignore_reason is not None and not reason:
        raise ConfigError("--add-ignore needs a reason: why is each remaining finding acceptable?")
    report, findings = check()
    outcome = FixOutcome(report, failed=_fails(report, findings))
    current: dict[str, bytes] = {}
    if request.fix:
        stuck: set[tuple[str, str, str]] = set()
        for _round in range(1 if request.diff else MAX_ROUNDS):
            fixed_before = len(outcome.fixed)
            previous = {path: (current.get(path), outcome.contents.get(path)) for path in {f.path for f in findings}}
            changed = _fix_round(report, [f for f in findings if _key(f) not in stuck], request.unsafe, current, outcome)
            if not changed:
                break
            outcome.rounds += 1
            if request.diff:
                break
            fixers.write_file(report.root, changed, current)
            before = Counter(_key(f) for f in findings)
            report, findings = check()
            after = Counter(_key(f) for f in findings)
            undo = set()
            for finding in outcome.fixed[fixed_before:]:  # a fix that left its finding behind is undone, not retried
                if after[_key(finding)] >= before[_key(finding)]:
                    stuck.add(_key(finding))
                    undo.add(finding.path)
                    outcome.declined[finding] = "internal: the fix did not remove the finding; fix it by hand"
            if undo:  # put those files back as they were before this round; their other fixes come again next round
                outcome.fixed[fixed_before:] = [f for f in outcome.fixed[fixed_before:] if f.path not in undo]
                for path in undo:
                    _restore(report.root, path, previous[path], current, outcome)
                report, findings = check()
        remaining = set(findings)
        outcome.declined = {f: why for f, why in outcome.declined.items() if request.diff or f in remaining or _key(f) in stuck}
        outcome.unsafe_available = sum(1 for f in findings if _fix_kind(report, f) == "unsafe" and not request.unsafe)
    if reason is not None:
        remaining_findings = [f for f in findings if f not in set(outcome.fixed)] if request.diff else findings
        changed = _suppress(report, remaining_findings, reason, current, outcome, request.diff)
        if changed and not request.diff:
            fixers.write_file(report.root, changed, current)
    outcome.report = report
    return outcome


def _fails(report: Report, findings: list[Finding]) -> bool:
    threshold = SEVERITY_RANK[report.fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)


def _key(finding: Finding) -> tuple[str, str, str]:
    """A finding's identity across rounds, whose fixes may move it to another line."""
    return finding.rule, finding.path, finding.message


def _fix_kind(report: Report, finding: Finding) -> str:
    spec = report.context.registry.get(finding.rule) if report.context is not None else None
    if spec is None or not spec.fix:
        return ""
    return spec.fix if fixers.has_fixer(finding.rule, _language(report, finding.path)) else ""


def _language(report: Report, path: str) -> str:
    facts = report.context.files.get(path) if report.context is not None else None
    return facts.language if facts is not None else ""


def _fix_round(report: Report, findings: list[Finding], unsafe: bool, current: dict[str, bytes], outcome: FixOutcome) -> list[str]:
    """Fix what this round's findings allow; returns the paths whose content changed."""
    allowed = ("safe", "unsafe") if unsafe else ("safe",)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if _fix_kind(report, finding) in allowed:
            by_path.setdefault(finding.path, []).append(finding)
    changed = []
    for path, group in sorted(by_path.items()):
        data = _content(report, path, current)
        facts = report.context.files[path]
        if data is None or content_hash(data, facts.language) != facts.content_hash:
            outcome.declined.update((f, "the file changed since it was analysed; run again") for f in group)
            continue
        result = fixers.fix_file(path, facts.language, data, group, report.context)
        outcome.declined.update(result.declined)
        if result.changed:
            outcome.fixed.extend(result.fixed)
            _record(outcome, path, data, result.after, current)
            changed.append(path)
    return changed


def _suppress(report: Report, findings: list[Finding], reason: str, current: dict[str, bytes], outcome: FixOutcome,
              unchecked: bool) -> list[str]:
    """Suppress ``findings``; ``unchecked``: files fixed in memory were not re-checked (--diff),
    so the findings' lines are those of the original files."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule in _NEVER_SUPPRESSED:
            outcome.unplaced.append((finding, "parse and suppression findings are fixed, not suppressed"))
            continue
        if _language(report, finding.path) not in ("python", "javascript", "typescript"):
            outcome.unplaced.append((finding, "not in a Python or JS/TS file, where an inline comment could go"))
            continue
        by_path.setdefault(finding.path, []).append(finding)
    changed = []
    for path, group in sorted(by_path.items()):
        language = _language(report, path)
        data = _content(report, path, current)
        if data is None:
            outcome.unplaced.extend((f, "the file cannot be read") for f in group)
            continue
        if unchecked and path in outcome.contents:  # fixed in memory: follow the lines the fixes moved
            group, moved = _follow_lines(outcome.contents[path][0], data, group)
            outcome.unplaced.extend(moved)

        def render(existing: str | None, rules: list[str], language: str = language) -> str | None:
            return suppression_comment(language, rules, reason) if existing is None else with_rules_added(existing, rules)

        result = annotate(path, language, data, group, render)
        outcome.unplaced.extend(result.declined)
        if result.changed:
            outcome.suppressed.extend(result.fixed)
            _record(outcome, path, data, result.after, current)
            changed.append(path)
    return changed


def _follow_lines(before: bytes, after: bytes, findings: list[Finding]) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Findings of ``before`` moved to their lines in ``after`` (a fixed file not yet re-checked)."""
    old, new = before.split(b"\n"), after.split(b"\n")
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            mapping.update({i1 + k + 1: j1 + k + 1 for k in range(i2 - i1)})
    kept, lost = [], []
    for finding in findings:
        line = mapping.get(finding.line)
        if line is None:
            lost.append((finding, "its line is rewritten by a fix; run --add-ignore after --fix"))
        else:
            kept.append(replace(finding, line=line, end_line=finding.end_line + line - finding.line))
    return kept, lost


def _restore(root: str, path: str, previous: tuple, current: dict[str, bytes], outcome: FixOutcome) -> None:
    content, contents = previous
    original = outcome.contents[path][0]
    data = content if content is not None else original
    current[path] = data
    if contents is None:
        del outcome.contents[path]
    else:
        outcome.contents[path] = contents
    fixers.write_file(root, [path], current)


def _content(report: Report, path: str, current: dict[str, bytes]) -> bytes | None:
    return current[path] if path in current else fixers.read_file(report.root, path)


def _record(outcome: FixOutcome, path: str, before: bytes, after: bytes, current: dict[str, bytes]) -> None:
    first = outcome.contents[path][0] if path in outcome.contents else before
    outcome.contents[path] = (first, after)
    current[path] = after
