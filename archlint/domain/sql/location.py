"""Where a character of an embedded SQL text sits in the host file.

A finding about line 7 of a 20-line triple-quoted query should point at line 7 of that query,
not at the opening quote.  ``StringLit.span`` gives the literal's start; the text keeps the
source's line breaks, so an offset becomes a line by counting newlines.  Columns are exact on
continuation lines; on the first line they add the opening quote's width, and after a hole
they add what the ``{}`` marker stands for (``{expr}`` / ``${expr}`` in the source).
"""

from __future__ import annotations

from archlint.domain.facts import Span, StringLit


def text_span(anchor: StringLit, opener: int, offset: int, length: int, language: str) -> Span:
    """Span of ``text[offset:offset + length]`` of the literal ``anchor`` in its file."""
    text = anchor.text
    multiline = anchor.span.end_line > anchor.span.line
    if multiline and "\n" not in text:
        return anchor.span  # "a" "b" pieces on several lines: no offset maps to one line reliably
    offset = max(0, min(offset, len(text)))
    before = text[:offset]
    lines = before.count("\n")
    if not multiline or anchor.span.line + lines > anchor.span.end_line:
        lines = 0  # an escaped \n decoded into the text, not a line break in the source
        line_start = 0
        column = anchor.span.column + opener
    else:
        line_start = before.rfind("\n") + 1
        column = 1 if lines else anchor.span.column + opener
    column += offset - line_start + _hole_widths(anchor, line_start, offset, language)
    line = anchor.span.line + lines
    return Span(line, column, line, column + max(length, 1))


def _hole_widths(anchor: StringLit, start: int, end: int, language: str) -> int:
    """Extra source characters of the holes between ``start`` and ``end`` on one line."""
    extra = 1 if language != "python" else 0  # `${` vs `{`
    return sum(len(hole.expr) + extra for hole in anchor.holes if start <= hole.offset < end)


def guess_opener(anchor: StringLit, language: str) -> int:
    """Width of the opening quote (and prefix) when the literal's source text is not at hand."""
    if language != "python":
        return 1
    prefix = 1 if anchor.kind == "fstring" else 0
    return prefix + (3 if anchor.span.end_line > anchor.span.line else 1)


def raw_span(anchor: StringLit, raw: str, first: int, position: int, length: int) -> Span:
    """Span of ``raw[position:position+length]``, where ``raw`` is an argument's source text whose
    literal starting at ``first`` is ``anchor``."""
    return point_span(anchor.span.line, anchor.span.column, raw, first, position, length)


def point_span(line: int, column: int, raw: str, start: int, position: int, length: int) -> Span:
    """Span of ``raw[position:position+length]`` in a source text whose character ``raw[start]``
    is at ``line``/``column`` of its file: lines after that one start at column 1."""
    position = max(start, min(position, len(raw)))
    newlines = raw.count("\n", start, position)
    if newlines == 0:
        column += position - start
    else:
        column = position - raw.rfind("\n", 0, position)
    line += newlines
    return Span(line, column, line, column + max(length, 1))
