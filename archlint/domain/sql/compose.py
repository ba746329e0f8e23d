"""How a SQL argument is built, read from its source text: literal, f-string / template, ``%``,
``.format`` or ``+`` — the pieces and the holes.

The frontends keep SQL-looking literals as :class:`~archlint.domain.facts.StringLit` facts, but
``"SELECT … WHERE id = " + uid`` keeps only its first piece and ``"… %s" % x`` looks exactly
like a parameterised query.  The operator is only visible in the call's argument text, so this
module reads that text (Python and JS alike) into one :class:`Composed` value: the SQL with a
``{}`` marker at every hole, each hole's expression and kind of interpolation, and *segments*
that map every character back to the argument's source text — so a finding about the third
line of ``"SELECT …" "FROM …" "WHERE …"`` lands on that line.

Escapes are kept as written (``\\n`` stays two characters) so that mapping stays one-to-one;
the lexer blanks them out before parsing.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from archlint.domain.arguments import split_arguments, split_top_level
from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple

_PY_STRING = re.compile(r"""^([rRbBuUfFtT]{0,2})('''|\"\"\"|'|")(.*)\2$""", re.DOTALL)
_PY_PIECE = re.compile(r"""[rRbBuUfFtT]{0,2}(?:'''|\"\"\"|'|")""")
_FORMAT_CALL = re.compile(r"^(?P<template>.+?)\s*\.\s*format\s*\((?P<args>.*)\)\s*$", re.DOTALL)
_PERCENT_FIELD = lazy_compile(r"%(?:\((?P<name>\w+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<conv>[sdifrxXeEgGcab%])")
FORMAT_FIELD = lazy_compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")  # `{{`, `}}` or a replacement field
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


class Hole(NamedTuple):
    offset: int  # index of the ``{}`` marker in Composed.text
    expr: str
    how: str  # fstring | template | percent | format | concat
    # (line, column) where the expression is evaluated, when not where the SQL runs: a hole of the element a
    # comprehension / `.map` callback builds (its loop variable is bound there, see ``sql.joined``)
    at: tuple | None = None


class Composed(NamedTuple):
    text: str
    holes: tuple[Hole, ...]
    how: str  # literal | fstring | template | percent | format | concat
    opener: int  # width of the first literal's prefix + opening quote
    raw: str = ""  # the argument's source text ("" when the text came from elsewhere)
    segments: tuple[tuple[int, int], ...] = ()  # (text offset, raw offset) where a 1:1 run starts
    first: int = -1  # raw offset of the first literal (where its StringLit span starts)
    cut: bool = False  # the argument text ended inside a literal: only a prefix of the SQL is known

    def raw_offset(self, offset: int) -> int | None:
        if not self.segments:
            return None
        index = bisect_right([s[0] for s in self.segments], offset) - 1
        text_start, raw_start = self.segments[max(index, 0)]
        return raw_start + max(offset - text_start, 0)


class _Builder:
    """Accumulates text, holes and segments."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.holes: list[Hole] = []
        self.segments: list[tuple[int, int]] = []
        self.first = -1

    def literal(self, text: str, raw: int) -> None:
        if text:
            self.segments.append((self.length, raw))
            self.parts.append(text)
            self.length += len(text)

    def hole(self, expr: str, how: str, raw: int) -> None:
        self.segments.append((self.length, raw))
        self.holes.append(Hole(self.length, expr.strip(), how))
        self.parts.append("{}")
        self.length += 2

    def copy(self, source: Composed, start: int, end: int) -> None:
        """Append ``source.text[start:end]`` (no holes inside), split at its segment boundaries."""
        cuts = sorted({start, end} | {s for s, _ in source.segments if start < s < end})
        for left, right in zip(cuts, cuts[1:]):
            raw = source.raw_offset(left)
            self.literal(source.text[left:right], raw if raw is not None else 0)

    def build(self, how: str, opener: int, raw: str) -> Composed:
        return Composed("".join(self.parts), tuple(self.holes), how, opener, raw, tuple(self.segments), self.first)


def compose(arg: str, language: str) -> Composed | None:
    """The SQL an argument builds, or ``None`` when it is not built from string literals here."""
    arg = arg.strip()
    if not arg:
        return None
    composed = _python(arg) if language == "python" else _javascript(arg)
    return None if composed is None else composed._replace(raw=arg)


def is_name(arg: str) -> bool:
    return bool(_IDENTIFIER.match(arg.strip()))


def _pieces(arg: str, separator: str) -> list[tuple[str, int]]:
    """Top-level pieces of ``arg`` with their offsets."""
    found = []
    position = 0
    for piece in split_top_level(arg, separator):
        position = arg.find(piece, position)
        found.append((piece, position))
        position += len(piece)
    return found


def _unwrap(text: str, base: int) -> tuple[str, int]:
    stripped = text.strip()
    base += len(text) - len(text.lstrip())
    while stripped.startswith("(") and stripped.endswith(")") and not split_top_level(stripped[1:-1], ",")[1:]:
        inner = stripped[1:-1]
        base += 1 + len(inner) - len(inner.lstrip())
        stripped = inner.strip()
    return stripped, base


# Python --------------------------------------------------------------------------------------------
def _python(arg: str) -> Composed | None:
    percent = _pieces(arg, "%")
    if len(percent) == 2 and _PY_PIECE.match(percent[0][0]):
        template = _py_literal(*percent[0])
        if template is not None and not template.holes:
            return _percent(template, percent[1][0])
    match = _FORMAT_CALL.match(arg)
    if match and _PY_PIECE.match(match.group("template")):
        template = _py_literal(match.group("template"), 0)
        if template is not None and not template.holes:
            return _format(template, match.group("args"))
    parts = _pieces(arg, "+")
    if len(parts) > 1:
        cut = _cut_short(parts[-1][0], "python")
        composed = _concat([(_py_literal(p, o) if _PY_PIECE.match(p) else None, p, o) for p, o in parts[: len(parts) - cut]])
        return composed._replace(cut=True) if cut and composed is not None else composed
    return _py_literal(arg, 0)


def _py_literal(text: str, base: int) -> Composed | None:
    """One literal or an implicit concatenation (``"a" f"{b}"``) of literals at ``base``."""
    text, base = _unwrap(text, base)
    pieces = _py_pieces(text)
    if not pieces:
        return None
    builder = _Builder()
    fstring = False
    opener = 0
    for index, (piece, start) in enumerate(pieces):
        match = _PY_STRING.match(piece)
        if match is None or "b" in match.group(1).lower():
            return None
        prefix = len(match.group(1)) + len(match.group(2))
        if index == 0:
            opener = prefix
            builder.first = base + start
        content = base + start + prefix
        if "f" in match.group(1).lower():
            fstring = True
            _scan_braces(match.group(3), content, builder, "fstring", "{")
        else:
            builder.literal(match.group(3), content)
    return builder.build("fstring" if fstring else "literal", opener, "")


def _py_pieces(text: str) -> list[tuple[str, int]] | None:
    pieces = []
    index = 0
    while index < len(text):
        while index < len(text) and text[index] in " \t\r\n\\":
            index += 1
        if index >= len(text):
            break
        match = _PY_PIECE.match(text, index)
        if match is None:
            return None
        quote = match.group(0).lstrip("rRbBuUfFtT")
        end = text.find(quote, match.end()) if len(quote) == 3 else _single_end(text, match.end(), quote)
        if end < 0:
            return None
        end += len(quote)
        pieces.append((text[index:end], index))
        index = end
    return pieces


def _single_end(text: str, start: int, quote: str) -> int:
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index
        if text[index] == "\n":
            return -1
        index += 1
    return -1


def _percent(template: Composed, operand: str) -> Composed:
    operand = operand.strip()
    values = _operand_values(operand)
    named = _dict_values(operand)
    builder = _Builder()
    builder.first = template.first
    cursor = 0
    position = 0
    for match in _PERCENT_FIELD.finditer(template.text):
        builder.copy(template, cursor, match.start())
        cursor = match.end()
        raw = template.raw_offset(match.start()) or 0
        if match.group("conv") == "%":
            builder.literal("%", raw)
            continue
        name = match.group("name")
        if name is not None:
            expr = named.get(name, f"{operand}[{name!r}]")
        else:
            expr = values[position] if position < len(values) else operand
            position += 1
        if match.group("conv") in "dif":
            expr = f"int({expr})"  # %d cannot carry SQL text: it raises on non-numbers
        builder.hole(expr, "percent", raw)
    builder.copy(template, cursor, len(template.text))
    return builder.build("percent", template.opener, "")


def _format(template: Composed, args_text: str) -> Composed:
    arguments = split_arguments(args_text, full=True)
    positional = [a.text for a in arguments if not a.keyword]
    keywords = {a.keyword: a.text for a in arguments if a.keyword}
    builder = _Builder()
    builder.first = template.first
    cursor = 0
    automatic = 0
    for match in FORMAT_FIELD.finditer(template.text):
        builder.copy(template, cursor, match.start())
        cursor = match.end()
        raw = template.raw_offset(match.start()) or 0
        field = match.group("field")
        if field is None:
            builder.literal(match.group(0)[0], raw)
            continue
        expr, automatic, key = format_argument(field, positional, keywords, automatic)
        if expr is None:  # not given: the field's name, or the whole argument list
            expr = key if key and not key.isdigit() else args_text
        builder.hole(expr, "format", raw)
    builder.copy(template, cursor, len(template.text))
    return builder.build("format", template.opener, "")


def format_argument(field: str, positional: list, keywords: dict, automatic: int):
    """The argument ``str.format`` puts in a replacement field: ``{}`` the next positional one,
    ``{0}`` by index, ``{name}`` by keyword (conversions, specs, attributes and indexes after the
    name ignored).  Returns (the argument or ``None`` when the call does not give it, the next
    automatic index, the field's name)."""
    key = re.split(r"[!:.\[]", field, maxsplit=1)[0]
    if key == "":
        return (positional[automatic] if automatic < len(positional) else None), automatic + 1, key
    if key.isdigit():
        return (positional[int(key)] if int(key) < len(positional) else None), automatic, key
    return keywords.get(key), automatic, key


def _operand_values(operand: str) -> list[str]:
    if operand.startswith("(") and operand.endswith(")"):
        inner = split_top_level(operand[1:-1])
        if len(inner) > 1 or operand[1:-1].rstrip().endswith(","):
            return inner
    return [operand]


def _dict_values(operand: str) -> dict[str, str]:
    if not (operand.startswith("{") and operand.endswith("}")):
        return {}
    values = {}
    for item in split_top_level(operand[1:-1]):
        key, _, value = item.partition(":")
        values[key.strip().strip("'\"")] = value.strip()
    return values


# JavaScript -----------------------------------------------------------------------------------------
def _javascript(arg: str) -> Composed | None:
    parts = _pieces(arg, "+")
    if len(parts) == 1:
        parts = _string_concat(arg) or parts
    if len(parts) > 1:
        cut = _cut_short(parts[-1][0], "javascript")
        composed = _concat([(_js_literal(p, o), p, o) for p, o in parts[: len(parts) - cut]])
        return composed._replace(cut=True) if cut and composed is not None else composed
    return _js_literal(arg, 0)


def _string_concat(arg: str) -> list[tuple[str, int]] | None:
    """tsc's ES5 output of a template literal, ``"… iso_2 = '".concat(c.alpha2, "'")`` (medusa's compiled
    migrations): a string literal's ``concat`` call is the ``+`` of the literal and every argument — the
    pieces with their offsets in ``arg``; None for anything else."""
    text, base = _unwrap(arg, 0)
    if len(text) < 2 or text[0] not in "'\"":
        return None
    end = _single_end(text, 1, text[0])
    rest = text[end + 1:] if end > 0 else ""
    call = rest.lstrip()
    if not call.startswith(".concat(") or not call.endswith(")"):
        return None
    opened = base + end + 1 + (len(rest) - len(call)) + len(".concat(")
    inner = call[len(".concat("):-1]
    if not inner.strip():
        return None
    pieces = [(text[: end + 1], base)]
    position = 0
    for piece in split_top_level(inner, ","):
        position = inner.find(piece, position)
        pieces.append((piece, opened + position))
        position += len(piece)
    return pieces


def _js_literal(text: str, base: int) -> Composed | None:
    text, base = _unwrap(text, base)
    if len(text) < 2 or text[0] not in "'\"`" or text[-1] != text[0]:
        return None
    builder = _Builder()
    builder.first = base
    if text[0] != "`":
        builder.literal(text[1:-1], base + 1)
        return builder.build("literal", 1, "")
    _scan_braces(text[1:-1], base + 1, builder, "template", "${")
    return builder.build("template" if builder.holes else "literal", 1, "")


# shared -------------------------------------------------------------------------------------------------
def _cut_short(piece: str, language: str) -> bool:
    """Does the last ``+`` piece open a string it never closes?  The frontends keep the first
    2,000 characters of a call's arguments, so a constant SQL text concatenated from a hundred
    pieces ends inside a literal: the cut literal is no runtime value (read as a hole it was an
    injection that is not there), and the text after it is unknown (``Composed.cut``)."""
    text = piece.strip().lstrip("(").lstrip()
    if language == "python":
        match = _PY_PIECE.match(text)
        if match is None:
            return False
        quote = match.group(0).lstrip("rRbBuUfFtT")
        end = text.find(quote, match.end()) if len(quote) == 3 else _single_end(text, match.end(), quote)
        return end < 0
    if not text or text[0] not in "'\"`":
        return False
    index = 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == text[0]:
            return False
        index += 1
    return True


def _scan_braces(body: str, raw: int, builder: _Builder, how: str, opener: str) -> None:
    """Append an f-string / template body: literal runs and a hole for every ``{…}`` / ``${…}``."""
    index = 0
    run = 0
    while index < len(body):
        if opener == "{" and body.startswith(("{{", "}}"), index):
            builder.literal(body[run:index] + body[index], raw + run)
            index += 2
            run = index
            continue
        if opener == "${" and body[index] == "\\":
            index += 2
            continue
        if body.startswith(opener, index):
            builder.literal(body[run:index], raw + run)
            end = _matching_brace(body, index + len(opener))
            expr = body[index + len(opener) : end]
            builder.hole(_strip_format_spec(expr) if how == "fstring" else expr, how, raw + index)
            index = end + 1
            run = index
            continue
        index += 1
    builder.literal(body[run:], raw + run)


def _matching_brace(body: str, start: int) -> int:
    depth = 0
    index = start
    while index < len(body):
        char = body[index]
        if char in "'\"`":
            close = body.find(char, index + 1)
            index = len(body) if close < 0 else close + 1
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return len(body)


def _strip_format_spec(expr: str) -> str:
    """``x!r:>10`` -> ``x``; ``x=`` -> ``x`` (a ``:`` inside brackets or a lambda is kept)."""
    depth = 0
    for index, char in enumerate(expr):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and (char == ":" or (char == "!" and expr[index + 1 : index + 2] != "=")):
            expr = expr[:index]
            break
    expr = expr.rstrip()
    if expr.endswith("=") and not expr.endswith(("==", "!=", "<=", ">=")):
        expr = expr[:-1]
    return expr


def _concat(parts: list[tuple[Composed | None, str, int]]) -> Composed | None:
    if all(piece is None for piece, _, _ in parts):
        return None
    builder = _Builder()
    first_piece = parts[0][0]
    builder.first = first_piece.first if first_piece is not None else -1
    for piece, source, offset in parts:
        if piece is None:
            builder.hole(source, "concat", offset)
            continue
        cursor = 0
        for hole in piece.holes:
            builder.copy(piece, cursor, hole.offset)
            builder.hole(hole.expr, hole.how, piece.raw_offset(hole.offset) or offset)
            cursor = hole.offset + 2
        builder.copy(piece, cursor, len(piece.text))
    return builder.build("concat", first_piece.opener if first_piece is not None else 0, "")
