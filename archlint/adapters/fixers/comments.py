"""Inline suppression comments placed by the syntax tree (``check --add-ignore``).

A suppression covers its own line and the line below, so a finding on line N gets the comment
at the end of line N, or on a new line above it.  The tree says where a comment cannot go: the
end of a line inside a string, template literal, block comment or JSX text; after a Python
backslash continuation; above a line that continues the previous one.  A line that already has
a comment gets the rule added to its archlint suppression, or a comment above it.  What the
comment says is the caller's business (``render``): this module only knows where it fits.
"""

from __future__ import annotations

from collections.abc import Callable

from archlint.adapters.fixers.base import Decline, FileFix, SourceText
from archlint.domain.findings import Finding

# Nodes a line break can sit inside of, where a comment would become part of the node.
_OPAQUE = {
    "python": frozenset({"string"}),
    "javascript": frozenset({"string", "template_string", "comment", "jsx_element", "jsx_fragment",
                             "jsx_self_closing_element", "jsx_opening_element"}),
}

Render = Callable[[str | None, list[str]], str | None]


def annotate(path: str, language: str, data: bytes, findings: list[Finding], render: Render) -> FileFix:
    """Suppress ``findings`` (all in ``path``) with comments from ``render(existing, rules)``:
    ``existing`` is ``None`` for a new comment, else a comment already on the line, for which
    ``render`` returns the comment with the rules added, or ``None`` when it is no suppression."""
    result = FileFix(path, data, data)
    family = "python" if language == "python" else "javascript"
    try:
        source = SourceText.decode(data, language)
    except Decline as exc:
        result.declined = [(finding, str(exc)) for finding in findings]
        return result
    lines = source.text.split("\n")
    encoded = [line.encode("utf-8") for line in lines]
    starts = [0]
    for line in encoded[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    tree = _tree(path, language, "\n".join(lines).encode("utf-8"))
    by_line: dict[int, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    edits: list[tuple[int, str, str]] = []  # (line, how, text): how = end | above | replace
    for number in sorted(by_line):
        group = by_line[number]
        rules = sorted({finding.rule for finding in group})
        try:
            edits.append(_placement(family, tree, lines, encoded, starts, number, rules, render))
        except Decline as exc:
            result.declined.extend((finding, str(exc)) for finding in group)
            continue
        result.fixed.extend(group)
    for number, how, text in sorted(edits, reverse=True):
        index = number - 1
        if how == "end":
            body = lines[index].rstrip("\r")
            ending = lines[index][len(body) :]
            lines[index] = body.rstrip() + "  " + text + ending
        elif how == "replace":
            lines[index] = text
        else:
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            ending = "\r" if lines[index].endswith("\r") else ""
            lines.insert(index, indent + text + ending)
    result.after = source.encode("\n".join(lines))
    return result


def _tree(path: str, language: str, data: bytes):
    if language == "python":
        from archlint.adapters.frontends.python import syntax_tree

        return syntax_tree(data)
    from archlint.adapters.frontends.javascript import syntax_tree as js_syntax_tree

    return js_syntax_tree(path, data, language)


def _placement(family: str, tree, lines: list[str], encoded: list[bytes], starts: list[int], number: int,
               rules: list[str], render: Render) -> tuple[int, str, str]:
    if not 0 < number <= len(lines) - (lines[-1] == ""):
        raise Decline("the finding's line is not in the file")
    text = lines[number - 1].rstrip("\r")
    content_end = starts[number - 1] + len(text.rstrip().encode("utf-8"))
    line_start = starts[number - 1]
    root = tree.root_node
    existing = _comment_ending_line(root, content_end, number - 1)
    if existing is not None:
        start, comment = existing
        column = len(encoded[number - 1][: start - line_start].decode("utf-8", "replace"))
        merged = render(comment, rules)
        if merged is not None:
            return number, "replace", text[:column] + merged + lines[number - 1][len(text) :]
    ends_open = _inside(root, content_end, family) or (family == "python" and text.rstrip().endswith("\\"))
    if existing is None and not ends_open and text.strip():
        return number, "end", render(None, rules) or ""
    previous = lines[number - 2].rstrip() if number > 1 else ""
    continues = family == "python" and previous.endswith("\\") and not _inside(root, line_start - 1, family)
    if _inside(root, line_start, family) or continues or (number > 1 and _inside(root, line_start - 1, family)):
        raise Decline("the line is part of a multi-line string or continued line where no comment fits; suppress it by hand")
    return number, "above", render(None, rules) or ""


def _inside(root, offset: int, family: str) -> bool:
    """Whether byte ``offset`` lies strictly inside a node a comment cannot be written into."""
    if offset <= 0:
        return False
    node = root.descendant_for_byte_range(offset, offset)
    opaque = _OPAQUE[family]
    while node is not None:
        if node.type in opaque and node.start_byte < offset < node.end_byte:
            return True
        node = node.parent
    return False


def _comment_ending_line(root, content_end: int, row: int) -> tuple[int, str] | None:
    """(start byte, text) of a comment that starts on ``row`` and ends the line, if any."""
    if content_end <= 0:
        return None
    node = root.descendant_for_byte_range(content_end - 1, content_end)
    if node is None or node.type != "comment" or node.start_point[0] != row or node.end_byte != content_end:
        return None
    return node.start_byte, node.text.decode("utf-8", "replace")
