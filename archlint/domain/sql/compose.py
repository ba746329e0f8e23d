"""How a SQL argument is built, read from its source text: literal, f-string / template, ``%``,
``.format`` or ``+`` — the pieces and the holes.

The frontends keep SQL-looking literals as :class:`~archlint.domain.facts.StringLit` facts, but
``"SELECT … WHERE id = " + uid`` keeps only its first piece and ``"… %s" % x`` looks exactly
like a parameterised query.  The operator is only visible in the call's argument text, so this
module reads that text (Python and JS alike) into one :class:`Composed` value: the SQL with a
``{}`` marker at every hole, and each hole's expression and kind of interpolation.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from archlint.domain.arguments import split_top_level

_PY_STRING = re.compile(r"""^([rRbBuUfFtT]{0,2})('''|\"\"\"|'|")(.*)\2$""", re.DOTALL)
_PY_PIECE = re.compile(r"""[rRbBuUfFtT]{0,2}(?:'''|\"\"\"|'|")""")
_FORMAT_CALL = re.compile(r"^(?P<template>.+?)\s*\.\s*format\s*\((?P<args>.*)\)\s*$", re.DOTALL)
_PERCENT_FIELD = re.compile(r"%(?:\((?P<name>\w+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<conv>[sdifrxXeEgGcab%])")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


class Hole(NamedTuple):
    offset: int  # index of the ``{}`` marker in Composed.text
    expr: str
    how: str  # fstring | template | percent | format | concat


class Composed(NamedTuple):
    text: str
    holes: tuple[Hole, ...]
    how: str  # literal | fstring | template | percent | format | concat
    opener: int  # width of the first literal's prefix + opening quote


def compose(arg: str, language: str) -> Composed | None:
    """The SQL an argument builds, or ``None`` when it is not built from string literals here."""
    arg = arg.strip()
    if not arg:
        return None
    if language == "python":
        return _python(arg)
    return _javascript(arg)


def is_name(arg: str) -> bool:
    return bool(_IDENTIFIER.match(arg.strip()))


# Python --------------------------------------------------------------------------------------------
def _python(arg: str) -> Composed | None:
    percent = split_top_level(arg, "%")
    if len(percent) == 2 and _PY_PIECE.match(percent[0]):
        template = _py_literal(percent[0])
        if template is not None and not template.holes:
            return _percent(template, percent[1])
    match = _FORMAT_CALL.match(arg)
    if match and _PY_PIECE.match(match.group("template")):
        template = _py_literal(match.group("template"))
        if template is not None and not template.holes:
            return _format(template, match.group("args"))
    parts = split_top_level(arg, "+")
    if len(parts) > 1:
        return _concat([_py_literal(p) if _PY_PIECE.match(p) else None for p in parts], parts)
    return _py_literal(arg)


def _py_literal(text: str) -> Composed | None:
    """One literal or an implicit concatenation (``"a" f"{b}"``) of literals."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    pieces = _py_pieces(text)
    if not pieces:
        return None
    parts: list[str] = []
    holes: list[Hole] = []
    fstring = False
    opener = 0
    for index, piece in enumerate(pieces):
        match = _PY_STRING.match(piece)
        if match is None or "b" in match.group(1).lower():
            return None
        if index == 0:
            opener = len(match.group(1)) + len(match.group(2))
        if "f" in match.group(1).lower():
            fstring = True
            _scan_braces(match.group(3), parts, holes, "fstring", "{")
        else:
            parts.append(match.group(3))
    return Composed("".join(parts), tuple(holes), "fstring" if fstring else "literal", opener)


def _py_pieces(text: str) -> list[str] | None:
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
        pieces.append(text[index:end])
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
    parts: list[str] = []
    holes: list[Hole] = []
    cursor = 0
    position = 0
    for match in _PERCENT_FIELD.finditer(template.text):
        parts.append(template.text[cursor : match.start()])
        cursor = match.end()
        if match.group("conv") == "%":
            parts.append("%")
            continue
        name = match.group("name")
        if name is not None:
            expr = named.get(name, f"{operand}[{name!r}]")
        else:
            expr = values[position] if position < len(values) else operand
            position += 1
        if match.group("conv") in "dif":
            expr = f"int({expr})"  # %d cannot carry SQL text: it raises on non-numbers
        holes.append(Hole(sum(map(len, parts)), expr, "percent"))
        parts.append("{}")
    parts.append(template.text[cursor:])
    return Composed("".join(parts), tuple(holes), "percent", template.opener)


def _format(template: Composed, args_text: str) -> Composed:
    arguments = split_top_level(args_text)
    positional = [a for a in arguments if not re.match(r"^\w+\s*=(?!=)", a)]
    keywords = {a.split("=", 1)[0].strip(): a.split("=", 1)[1].strip() for a in arguments if a not in positional}
    parts: list[str] = []
    holes: list[Hole] = []
    cursor = 0
    automatic = 0
    for match in _FORMAT_FIELD.finditer(template.text):
        parts.append(template.text[cursor : match.start()])
        cursor = match.end()
        field = match.group("field")
        if field is None:
            parts.append(match.group(0)[0])
            continue
        key = re.split(r"[!:.\[]", field, maxsplit=1)[0]
        if key == "":
            expr = positional[automatic] if automatic < len(positional) else args_text
            automatic += 1
        elif key.isdigit():
            expr = positional[int(key)] if int(key) < len(positional) else args_text
        else:
            expr = keywords.get(key, key)
        holes.append(Hole(sum(map(len, parts)), expr, "format"))
        parts.append("{}")
    parts.append(template.text[cursor:])
    return Composed("".join(parts), tuple(holes), "format", template.opener)


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
    parts = split_top_level(arg, "+")
    if len(parts) > 1:
        return _concat([_js_literal(p) for p in parts], parts)
    return _js_literal(arg)


def _js_literal(text: str) -> Composed | None:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if len(text) < 2 or text[0] not in "'\"`" or text[-1] != text[0]:
        return None
    body = text[1:-1]
    if text[0] != "`":
        return Composed(_js_unescape(body), (), "literal", 1)
    parts: list[str] = []
    holes: list[Hole] = []
    _scan_braces(body, parts, holes, "template", "${")
    return Composed("".join(parts), tuple(holes), "template" if holes else "literal", 1)


def _js_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _JS_ESCAPES.get(m.group(1), m.group(1)), text, flags=re.DOTALL)


# shared -------------------------------------------------------------------------------------------------
def _scan_braces(body: str, parts: list[str], holes: list[Hole], how: str, opener: str) -> None:
    """Append the literal text of an f-string / template body to ``parts`` with ``{}`` markers."""
    index = 0
    literal: list[str] = []
    while index < len(body):
        if opener == "{" and body.startswith(("{{", "}}"), index):
            literal.append(body[index])
            index += 2
            continue
        if opener == "${" and body[index] == "\\" and index + 1 < len(body):
            literal.append(_JS_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
            continue
        if body.startswith(opener, index):
            end = _matching_brace(body, index + len(opener))
            expr = body[index + len(opener) : end]
            if how == "fstring":
                expr = _strip_format_spec(expr)
            parts.append("".join(literal))
            literal = []
            holes.append(Hole(sum(map(len, parts)), expr.strip(), how))
            parts.append("{}")
            index = end + 1
            continue
        literal.append(body[index])
        index += 1
    parts.append("".join(literal))


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


def _concat(literals: list[Composed | None], parts: list[str]) -> Composed | None:
    if all(piece is None for piece in literals):
        return None
    text: list[str] = []
    holes: list[Hole] = []
    opener = next((piece.opener for piece in literals if piece is not None), 1) if literals[0] is not None else 0
    for piece, source in zip(literals, parts):
        base = sum(map(len, text))
        if piece is None:
            holes.append(Hole(base, source.strip(), "concat"))
            text.append("{}")
            continue
        holes.extend(Hole(base + hole.offset, hole.expr, hole.how) for hole in piece.holes)
        text.append(piece.text)
    return Composed("".join(text), tuple(holes), "concat", opener)
