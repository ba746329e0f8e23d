"""Inline suppressions: a reviewed exception written next to the code it excuses.

Accepted forms (the frontends record every comment that mentions archlint, so this module
only has to read the comment text)::

    import sqlite3  # archlint: ignore[AL103, skip-layer-import] one-off migration script
    // archlint-ignore AL102 health check reads the pool directly
    // archlint: ignore[AL102] same, in the Python spelling

A suppression covers findings of the named rules (ids or names) that start on the comment's
own line or on the line below it.  Because an exception nobody can review is a hole in the
check, the stage also reports suppressions without a reason (AL901), rules a suppression names
that matched nothing (AL902 — not for rules switched off with select/ignore, which could not
have matched) and suppressions naming no rule or an unknown one (AL903).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from archlint.domain.context import CheckContext
from archlint.domain.facts import Span
from archlint.domain.findings import Finding
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.rules import Registry

# The directive opens the comment (as with eslint-disable), so prose that quotes it is no
# suppression: Python style needs brackets, JS style may list the rules without them.
_DIRECTIVE = lazy_compile(r"(?:#+|//+|/\*+)?\s*archlint(?P<style>:\s*ignore|-ignore)\b:?(?P<rest>.*)", re.DOTALL)
_BRACKETED = lazy_compile(r"\s*\[(?P<refs>[^\]]*)\](?P<reason>.*)", re.DOTALL)
_LISTED = lazy_compile(r"\s*(?P<refs>[\w-]+(?:\s*,\s*[\w-]+)*)(?P<reason>.*)", re.DOTALL)
_REASON_NOISE = " \t\r\n-–—:*/>"  # separators and comment closers around the reason

Configure = Callable[[list[Finding]], list[Finding]]


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline `archlint: ignore[...]` comment."""
    path: str
    line: int
    text: str  # the whole comment
    refs: tuple[str, ...]  # as written: ids or names
    reason: str


def parse_suppression(path: str, line: int, comment: str) -> Suppression | None:
    """The suppression ``comment`` states, or None when the comment merely mentions archlint."""
    match = _DIRECTIVE.match(comment.strip())
    if match is None:
        return None
    rest = match.group("rest")
    listed = _BRACKETED.match(rest)
    if listed is None and match.group("style") == "-ignore":
        listed = _LISTED.match(rest)
    if listed is None:
        return Suppression(path, line, comment.strip(), (), rest.strip(_REASON_NOISE))
    refs = tuple(ref.strip() for ref in listed.group("refs").split(",") if ref.strip())
    return Suppression(path, line, comment.strip(), refs, listed.group("reason").strip(_REASON_NOISE))


def suppression_comment(language: str, rules: list[str], reason: str) -> str:
    """A new suppression of ``rules``: ``# archlint: ignore[AL201, AL202] reason`` in Python,
    ``// archlint-ignore AL216 reason`` in JS/TS (``check --add-ignore``)."""
    listed = ", ".join(rules)
    if language == "python":
        return f"# archlint: ignore[{listed}] {reason}"
    return f"// archlint-ignore {listed} {reason}"


def with_rules_added(comment: str, rules: list[str]) -> str | None:
    """``comment`` with ``rules`` added to its rule list when it is an archlint suppression
    naming rules, else ``None`` (the reason already written stays)."""
    stripped = comment.strip()
    match = _DIRECTIVE.match(stripped)
    if match is None or stripped != comment:
        return None
    rest, offset = match.group("rest"), match.start("rest")
    listed = _BRACKETED.match(rest)
    if listed is None and match.group("style") == "-ignore":
        listed = _LISTED.match(rest)
    if listed is None or not listed.group("refs").strip():
        return None
    present = {ref.strip() for ref in listed.group("refs").split(",")}
    missing = [rule for rule in rules if rule not in present]
    end = offset + listed.end("refs")
    if not missing:
        return comment
    return comment[:end].rstrip() + ", " + ", ".join(missing) + comment[end:]


def clean_reason(reason: str) -> str:
    """One line, no surrounding separators: what a suppression comment can carry."""
    return " ".join(reason.split()).strip(_REASON_NOISE)


def apply_suppressions(findings: list[Finding], ctx: CheckContext, configure: Configure) -> list[Finding]:
    """Drop suppressed findings and add the findings about the suppressions themselves.

    ``configure`` is the pipeline's select/ignore/severity filter: the new findings go through
    it like every other finding, and it tells which rules are switched off (a suppression of a
    deselected rule is not "unused").
    """
    suppressions = [
        parsed
        for path in sorted(ctx.files)
        for line, comment in ctx.files[path].suppressions
        if (parsed := parse_suppression(path, line, comment)) is not None
    ]
    if not suppressions:
        return findings
    registry = ctx.registry
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault((suppression.path, suppression.line), []).append(suppression)
    used: set[tuple[Suppression, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        match = _covering(finding, by_line, registry)
        if match is not None:
            used.add((match, finding.rule))
            continue
        # A finding standing for several (one per view reaching shared serializer code) is the
        # members' too: a suppression at a view accepts that view — it is used, never stale — and
        # the finding is suppressed once every view is (else the views left still reach the query).
        covered = [m for member in finding.members if (m := _covering(member, by_line, registry)) is not None]
        used.update((m, finding.rule) for m in covered)
        if not finding.members or len(covered) < len(finding.members):
            kept.append(finding)
    source = SourceText(ctx.root)
    meta = [m for s in suppressions for m in _judge(s, used, ctx, configure, source)]
    return sorted(kept + configure(meta), key=Finding.sort_key)


def _covering(finding: Finding, by_line, registry: Registry) -> Suppression | None:
    """The suppression on the finding's line (preferred) or the line above that names its rule."""
    for line in (finding.line, finding.line - 1):
        for suppression in by_line.get((finding.path, line), ()):
            if any(ref in registry and registry.get(ref).id == finding.rule for ref in suppression.refs):
                return suppression
    return None


def _judge(suppression: Suppression, used, ctx: CheckContext, configure: Configure, source: SourceText) -> list[Finding]:
    registry = ctx.registry
    path, span = suppression.path, _comment_span(source, suppression)
    shown = f"`{suppression.text[:80]}`"
    unknown = [ref for ref in suppression.refs if ref not in registry]
    if not suppression.refs:
        message = f"suppression {shown} names no rule; blanket suppressions are not supported, so it hides nothing"
        return [registry.finding("AL903", path, span, message)]
    found = []
    for ref in unknown:
        message = f"suppression {shown} names unknown rule `{ref}`; it suppresses nothing (see `archlint rules`)"
        found.append(registry.finding("AL903", path, span, message))
    if not suppression.reason and len(unknown) < len(suppression.refs):
        message = f"suppression {shown} gives no reason; write why this exception is acceptable after the rule list"
        found.append(registry.finding("AL901", path, span, message))
    for ref in suppression.refs:
        if ref in unknown:
            continue
        rule = registry.get(ref).id
        if (suppression, rule) in used or not _active(rule, registry, configure):
            continue
        message = (
            f"suppression of {rule} ({registry.get(rule).name}) matches no finding on line {suppression.line} "
            f"or {suppression.line + 1}; a stale suppression hides the next violation written here"
        )
        found.append(registry.finding("AL902", path, span, message))
    return found


def _active(rule: str, registry: Registry, configure: Configure) -> bool:
    """Whether select/ignore let ``rule`` through: ask the pipeline's own filter with a probe."""
    probe = registry.finding(rule, "", Span(1, 1, 1, 1), "probe")
    return bool(configure([probe]))


def _comment_span(source: SourceText, suppression: Suppression) -> Span:
    text = source.line(suppression.path, suppression.line)
    index = text.find(suppression.text)
    if index < 0:  # a block comment spanning lines: point at the whole first line
        return Span(suppression.line, 1, suppression.line, len(text) + 1)
    return Span(suppression.line, index + 1, suppression.line, index + 1 + len(suppression.text))


class SourceText:
    """Source lines of the analysed files, read on demand and kept for one run only (the files
    may change between two runs in one process, as with the Python API)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, line: int) -> str:
        """Line ``line`` (1-based) of ``path`` without its newline; "" when unavailable."""
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = _read_lines(os.path.join(self.root, path))
        return lines[line - 1] if 0 < line <= len(lines) else ""


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()
