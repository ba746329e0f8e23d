"""Split raw argument / parameter list text into records, on demand.

The cheap pass stores ``args_text`` and ``params_text`` as source slices because walking the
argument nodes of every call in Python doubles the cost of a cold run (measured on Django:
0.4 s of 1.6 s).  Only the calls and functions a check has matched are split, with this small
quote- and bracket-aware scanner that handles Python and JS/TS alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from archlint.domain import ir
from archlint.domain.facts import Argument, Parameter, Span

_TEXT_LIMIT = 200
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}
_KEYWORD = re.compile(r"^([A-Za-z_]\w*)\s*=(?![=>])")
_PY_STRING = re.compile(r"""^([rRuUbB]{0,2})('''|\"\"\"|'|")(.*)\2$""", re.DOTALL)
_JS_TEMPLATE = re.compile(r"^`([^`]*)`$", re.DOTALL)


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on ``separator`` outside brackets, strings and template literals."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in "'\"`":
            index = _skip_string(text, index)
            continue
        if char == "#" and separator == "," and (index == 0 or text[index - 1] in " \t\n,("):
            # a Python comment inside an argument list (`this.#db` in JS is not one)
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _skip_string(text: str, index: int) -> int:
    """Index just past the string literal starting at ``index`` (unterminated: end of text)."""
    quote = text[index]
    if quote != "`" and text.startswith(quote * 3, index):
        end = text.find(quote * 3, index + 3)
        return len(text) if end < 0 else end + 3
    position = index + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == quote:
            return position + 1
        if char == "\n" and quote != "`":
            return position
        position += 1
    return len(text)


def literal_value(text: str) -> str | None:
    """Value of a plain string literal (Python or JS); ``None`` for f-strings, holes, names."""
    text = text.strip()
    template = _JS_TEMPLATE.match(text)
    if template:
        body = template.group(1)
        return None if "${" in body else body
    pieces = _implicit_concatenation(text)
    if pieces is None:
        return None
    values = []
    for piece in pieces:
        match = _PY_STRING.match(piece)
        if match is None or "f" in match.group(1).lower():
            return None
        values.append(match.group(3))
    return "".join(values)


def _implicit_concatenation(text: str) -> list[str] | None:
    """``"a" "b"`` -> ['"a"', '"b"']; anything that is not only string literals -> None."""
    if not text or text[0] not in "'\"rRuUbB":
        return None
    pieces: list[str] = []
    index = 0
    while index < len(text):
        while index < len(text) and text[index] in " \t\r\n()":
            index += 1
        if index >= len(text):
            break
        start = index
        while index < len(text) and text[index] in "rRuUbBfFtT":
            index += 1
        if index >= len(text) or text[index] not in "'\"":
            return None
        end = _skip_string(text, index)
        pieces.append(text[start:end])
        index = end
    return pieces or None


@lru_cache(maxsize=4096)
def split_arguments(args_text: str, full: bool = False) -> tuple[Argument, ...]:
    """The argument records of a call's argument text: keyword (``k=v``), expression text (cut at
    200 characters unless ``full``: a long SQL literal must stay whole) and literal value."""
    arguments: list[Argument] = []
    for piece in split_top_level(args_text):
        keyword = ""
        value = piece
        match = _KEYWORD.match(piece)
        if match:
            keyword, value = match.group(1), piece[match.end() :].strip()
        arguments.append(Argument(keyword, value if full else value[:_TEXT_LIMIT], literal_value(value)))
    return tuple(arguments)


@lru_cache(maxsize=4096)
def split_parameters(params_text: str) -> tuple[Parameter, ...]:
    """``self, db: Session = Depends(get_db), *args`` -> Parameter records (Python and TS)."""
    parameters: list[Parameter] = []
    for piece in split_top_level(params_text):
        if piece in ("/", "*"):
            continue
        default = ""
        head = piece
        equals = split_top_level(piece, "=")
        if len(equals) > 1 and not piece.startswith(("{", "[")):
            head, default = equals[0], "=".join(equals[1:])
        name, _, annotation = head.partition(":")
        parameters.append(Parameter(name.strip().lstrip("*.").strip().rstrip("?").strip(), annotation.strip(), default.strip()))  # TS `x?: T`
    return tuple(parameters)


def span_in_arguments(call, node) -> Span:
    """The file span of ``node``, an ``ast`` node of ``f(<call.args_text>)`` (the form checks parse
    a Python call's arguments in), or the whole call's span when the frontend did not record
    where the arguments start.

    ``ast`` positions count UTF-8 bytes and the first line carries the two characters of ``f(``;
    archlint's spans count characters, so each position is converted through its line's text.
    """
    if not call.args_line or getattr(node, "end_lineno", None) is None:
        return call.span
    lines = call.args_text.split("\n")

    def position(lineno: int, byte_col: int) -> tuple[int, int] | None:
        if not 0 < lineno <= len(lines):
            return None
        text = lines[lineno - 1].encode("utf-8")
        if lineno == 1:
            return call.args_line, call.args_column + len(text[: max(byte_col - 2, 0)].decode("utf-8", "replace"))
        return call.args_line + lineno - 1, len(text[:byte_col].decode("utf-8", "replace")) + 1

    start = position(node.lineno, node.col_offset)
    end = position(node.end_lineno, node.end_col_offset)
    if start is None or end is None:
        return call.span
    return Span(start[0], start[1], end[0], end[1])


# The IR view of a call site's arguments ------------------------------------------------------------
# A :class:`CallSite` and the IR :class:`~archlint.domain.ir.Call` it was read from share a span, so
# a rule that matched a call site by its callee reads the arguments from the IR node: keywords,
# literals, object-literal keys and the names an argument refers to — never the argument text.
_CALL_INDEX: dict[int, tuple[object, dict]] = {}


def ir_calls(facts) -> dict:
    """The IR calls of ``facts``' file by span (the span of the :class:`CallSite` read from each),
    class bodies included; empty when the file has no IR.  Built once per module IR."""
    module = facts.ir
    if module is None:
        return {}
    entry = _CALL_INDEX.get(id(module))
    if entry is None or entry[0] is not module:
        if len(_CALL_INDEX) >= 512:
            _CALL_INDEX.clear()
        index: dict = {}
        # function bodies, and class bodies' declarations (``posts = relationship("Post")``), bases
        # and decorators, which are no function's statements
        for root in (*(function.body for function in module.functions), module.classes):
            for node in ir.iter_nodes(root):
                if type(node) is ir.Call:
                    index.setdefault(node.span, node)
        entry = _CALL_INDEX[id(module)] = (module, index)
    return entry[1]


_LINE_INDEX: dict[int, tuple[object, dict]] = {}


def ir_calls_on_line(facts, line: int) -> list:
    """The IR calls of ``facts``' file that start on ``line``, in span order."""
    module = facts.ir
    if module is None:
        return []
    entry = _LINE_INDEX.get(id(module))
    if entry is None or entry[0] is not module:
        if len(_LINE_INDEX) >= 512:
            _LINE_INDEX.clear()
        by_line: dict = {}
        for span, node in sorted(ir_calls(facts).items()):
            by_line.setdefault(span.line, []).append(node)
        entry = _LINE_INDEX[id(module)] = (module, by_line)
    return entry[1].get(line, [])


def ir_call(facts, call):
    """The IR node of the call site ``call`` of ``facts``' file, else ``None``."""
    return ir_calls(facts).get(call.span)


def argument_nodes(facts, call):
    """Every IR node in the arguments of the call site ``call``, the bodies of the lambdas/arrows
    an argument defines included (``run_sync(lambda c: Base.metadata.create_all(c))``)."""
    node = ir_call(facts, call)
    if node is None:
        return
    functions = facts.ir.functions
    pending: list = [arg.value for arg in node.args]
    while pending:
        for inner in ir.iter_nodes(pending.pop()):
            yield inner
            if type(inner) is ir.FuncRef and 0 <= inner.fid < len(functions):
                pending.append(functions[inner.fid].body)


def refers_to(facts, call, names: frozenset[str]) -> bool:
    """Whether an argument of the call site ``call`` refers to one of ``names``: a name or an
    attribute (``Base.metadata.create_all`` in ``conn.run_sync(Base.metadata.create_all)``), also
    inside a lambda/arrow the argument defines or a call it makes."""
    for inner in argument_nodes(facts, call):
        kind = type(inner)
        if kind is ir.Name and inner.id in names or kind is ir.Attr and inner.name in names:
            return True
    return False


def string_of(expr) -> str | None:
    """The text of a string literal expression (``'User'``, a template without holes or tag)."""
    kind = type(expr)
    if kind is ir.Const:
        return expr.value if isinstance(expr.value, str) else None
    if kind is ir.Template and not expr.holes and expr.tag is None:
        return "".join(expr.strings)
    return None


def object_strings(expr, keys: frozenset[str]) -> dict[str, str]:
    """The string-valued entries named ``keys`` of the object literals in ``expr``, nested ones
    included (``{ as: 'posts', through: { model: 'UserRoles' } }``), later ones winning."""
    found: dict[str, str] = {}
    for node in ir.iter_nodes(expr):
        if type(node) is ir.Obj:
            for entry in node.entries:
                if entry.key in keys:
                    text = string_of(entry.value)
                    if text:
                        found[entry.key] = text
    return found
