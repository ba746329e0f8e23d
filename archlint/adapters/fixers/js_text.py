"""JS/TS fixes: exact text edits on tree-sitter spans (no formatter, no printer).

A fixer finds the node at the finding's span and returns byte-range edits built from the
original source slices, so everything it does not replace stays as written.  The edits of one
file are applied together when they do not overlap; the result must parse with no more errors
than the original, or the file is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archlint.adapters.fixers.base import Decline, FileFix, LineIndex, SourceText
from archlint.adapters.frontends.javascript import syntax_tree
from archlint.domain.findings import Finding


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace bytes ``start:end`` of the (BOM-less) source with ``text``."""

    start: int
    end: int
    text: str


class JsSource:
    """One parsed JS/TS file, as the fixers see it."""

    def __init__(self, path: str, language: str, text: str) -> None:
        self.data = text.encode("utf-8")
        self.tree = syntax_tree(path, self.data, language)
        self.lines = LineIndex(text)

    def node_at(self, finding: Finding, *types: str):
        """The node of one of ``types`` whose range is exactly the finding's span."""
        start = self.lines.point(finding.line, finding.column)
        end = self.lines.point(finding.end_line, finding.end_column)
        node = self.tree.root_node.descendant_for_point_range(start, end)
        while node is not None and (node.start_point, node.end_point) == (start, end):
            if node.type in types:
                return node
            node = node.parent
        raise Decline(f"no {' or '.join(types)} at exactly the finding's span")

    def text(self, node, start: int | None = None, end: int | None = None) -> str:
        return self.data[node.start_byte if start is None else start : node.end_byte if end is None else end].decode("utf-8")


def unwrap(node):
    """Skip parentheses and TypeScript's non-null / `as` wrappers around an expression."""
    while node is not None and node.type in ("parenthesized_expression", "non_null_expression") and node.named_child_count:
        node = node.named_children[0]
    return node


Fixer = Callable[[JsSource, Finding, object], list[Edit]]


def fix_javascript(path: str, language: str, data: bytes, findings: list[Finding], fixers: dict[str, Fixer], ctx) -> FileFix:
    result = FileFix(path, data, data)
    try:
        source_text = SourceText.decode(data, language)
    except Decline as exc:
        result.declined = [(finding, str(exc)) for finding in findings]
        return result
    source = JsSource(path, language, source_text.text)
    planned: list[tuple[Finding, tuple[Edit, ...]]] = []
    for finding in findings:
        try:
            edits = tuple(sorted(fixers[finding.rule](source, finding, ctx), key=lambda e: (e.start, e.end)))
        except Decline as exc:
            result.declined.append((finding, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a fixer bug on odd code declines, never aborts the run
            result.declined.append((finding, f"internal error in the fixer ({type(exc).__name__}: {exc})"))
            continue
        if edits:
            planned.append((finding, edits))
    accepted: list[tuple[Finding, tuple[Edit, ...]]] = []
    for finding, edits in sorted(planned, key=lambda item: (item[1][0].start, item[1][-1].end)):
        twin = any(edits == other for _f, other in accepted)
        if not twin and any(_overlap(edits, other) for _f, other in accepted):
            result.declined.append((finding, "another fix rewrites the same code in this round; run --fix again"))
            continue
        accepted.append((finding, edits))
    if not accepted:
        return result
    body = source.data
    for edit in sorted({e for _f, edits in accepted for e in edits}, key=lambda e: e.start, reverse=True):
        body = body[: edit.start] + edit.text.encode("utf-8") + body[edit.end :]
    if _errors(syntax_tree(path, body, language)) > _errors(source.tree):
        result.declined.extend((finding, "internal: the fixed file would not parse") for finding, _ in accepted)
        return result
    result.after = source_text.encode(body.decode("utf-8"))
    result.fixed = [finding for finding, _edits in accepted]
    return result


def _overlap(first: tuple[Edit, ...], second: tuple[Edit, ...]) -> bool:
    return any(a.start < b.end and b.start < a.end or (a.start == b.start and a.end == b.end) for a in first for b in second)


def _errors(tree) -> int:
    """How many ERROR / MISSING nodes the tree has (0 for a clean parse)."""
    if not tree.root_node.has_error:
        return 0
    count, stack = 0, [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return count
