"""Will CPython load this file?  tree-sitter's error nodes, corrected both ways.

tree-sitter-python accepts files CPython refuses — a body that is not indented (``def f():`` then
``return 1`` at column 0), a dedent to a column no enclosing block uses, ``else:`` out of line
with its ``if``, a class with no body, more than 99 indentation levels or 200 nested brackets —
and rejects files CPython accepts (PEP 696 type parameter defaults, 3.13; PEP 810 ``lazy
import``, 3.15).  Both directions are settled here from the tree and the bytes alone.

Why not ask the interpreter (``compile()``)?  archlint runs on 3.11 but analyses code written for
3.12–3.15 (PEP 695/696/701/750/758/810): ``compile()`` would call every newer file invalid, and its
nesting limits are those of one CPython version (3.13 accepts 21 nested loops and 5,000-term
expressions that 3.11 and 3.12 refuse).  So only what *every* supported CPython refuses is an
error here: the tokenizer's limits (99 indentation levels, 200 nested brackets) and the
indentation rules, which have not changed since Python 3.0.

One limit is also tree-sitter's: its Python scanner crashes the whole process (SIGSEGV) past about
500 indentation levels.  A file is therefore measured *before* it is given to the parser, and one
that CPython would refuse for its depth is never parsed at all.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from archlint.domain.facts import ParseProblem, Span
from archlint.domain.lazy_regex import lazy_compile

MAX_INDENT_LEVELS = 99  # CPython's tokenizer: "too many levels of indentation" at the 100th
MAX_BRACKET_DEPTH = 200  # CPython's tokenizer: "too many nested parentheses" at the 201st
PARSER_COLUMN_LIMIT = 500  # tree-sitter-python's scanner overflows its indent stack near 510 levels
_TAB = 8

_SUFFIX = "; the module cannot be imported"
_TAB_ERROR = "inconsistent use of tabs and spaces in indentation"
_BAD_DEDENT = "unindent does not match any outer indentation level"

# Lines deep enough that the exact measurement is needed: 99+ characters of indentation, or 13+
# when tabs (worth up to 8 columns each) are among them.
_DEEP_LINE = lazy_compile(rb"(?m)^(?:[ \t\f]{99}|(?=[ \f]*\t)[ \t\f]{13})")
_DEEP_SPACES = b"\n" + b" " * 99
_TOKEN = lazy_compile(
    rb"""(?P<string>[rRbBuUfFtT]{0,2}(?:'''|\"\"\"|'|"))
      | (?P<comment>\#)
      | (?P<open>[(\[{])
      | (?P<close>[)\]}])
      | (?P<continuation>\\\r?\n)
      | (?P<newline>\r\n|\r|\n)""",
    re.VERBOSE,
)
_STRING_END = {
    b"'''": lazy_compile(rb"(?:[^\\']|\\[\s\S]|'(?!''))*'''"),
    b'"""': lazy_compile(rb'(?:[^\\"]|\\[\s\S]|"(?!""))*"""'),
    b"'": lazy_compile(rb"(?:[^\\'\r\n]|\\[\s\S])*'"),
    b'"': lazy_compile(rb'(?:[^\\"\r\n]|\\[\s\S])*"'),
}
_LINE_END = lazy_compile(rb"[\r\n]")
_INDENT = lazy_compile(rb"[ \t\f]*")


def _columns(indent: bytes) -> int:
    """CPython's column of an indentation: tabs to the next multiple of 8, a form feed resets."""
    column = 0
    for char in indent:
        if char == 0x09:
            column = (column // _TAB + 1) * _TAB
        elif char == 0x0C:
            column = 0
        else:
            column += 1
    return column


def depth_problem(data: bytes) -> ParseProblem | None:
    """Measured before parsing: AL001 when a logical line sits 100 indentation levels deep
    (CPython refuses the file), AL004 when the measurement itself cannot be trusted (a bracket
    or string left open) and some line is indented deep enough to crash the parser.  Most files
    are settled by one regular-expression search."""
    if b"\t" not in data and b"\f" not in data:
        if _DEEP_SPACES not in data and not data.startswith(_DEEP_SPACES[1:]):
            return None
    elif _DEEP_LINE.search(data) is None:
        return None
    levels, line, trusted = _deepest_indentation(data)
    if levels > MAX_INDENT_LEVELS:
        message = f"indentation error: too many levels of indentation ({MAX_INDENT_LEVELS} is the limit){_SUFFIX}"
        return ParseProblem("AL001", message, Span(line, 1, line, 1))
    if trusted:
        return None
    for match in re.finditer(rb"(?m)^[ \t\f]{%d,}" % (PARSER_COLUMN_LIMIT // _TAB), data):
        if _columns(match.group()) >= PARSER_COLUMN_LIMIT:
            line = data.count(b"\n", 0, match.start()) + 1
            message = f"line {line} is indented {PARSER_COLUMN_LIMIT}+ columns deep; file not analysed"
            return ParseProblem("AL004", message, Span(line, 1, line, 1))
    return None


def _deepest_indentation(data: bytes) -> tuple[int, int, bool]:
    """(levels, line, trusted) of the deepest logical line, tokenizing only what decides it:
    strings, comments, brackets and line breaks (a line inside brackets or a string is no new
    level).  ``trusted`` is False when a string or bracket was left open (or the text fooled this
    small tokenizer, e.g. PEP 701 quotes): then lines it skipped may be real ones."""
    stack = [0]
    deepest, deepest_line = 0, 1
    depth = 0
    line = 1
    position = 0
    at_line_start = True
    size = len(data)
    while position < size:
        if at_line_start and depth == 0:
            indent = _INDENT.match(data, position)
            following = data[indent.end() : indent.end() + 1]
            if following not in (b"", b"\n", b"\r", b"#"):
                column = _columns(indent.group())
                if column > stack[-1]:
                    stack.append(column)
                    if len(stack) - 1 > deepest:
                        deepest, deepest_line = len(stack) - 1, line
                        if deepest > MAX_INDENT_LEVELS:
                            return deepest, deepest_line, True
                else:
                    while len(stack) > 1 and column < stack[-1]:
                        stack.pop()
        at_line_start = False
        token = _TOKEN.search(data, position)
        if token is None:
            break
        kind = token.lastgroup
        position = token.end()
        if kind == "string":
            quote = token.group().lstrip(b"rRbBuUfFtT")
            end = _STRING_END[quote].match(data, position)
            if end is None:
                return deepest, deepest_line, False  # unterminated string
            line += data.count(b"\n", position, end.end())
            position = end.end()
        elif kind == "comment":
            end = _LINE_END.search(data, position)
            position = end.start() if end is not None else size
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "continuation":
            line += 1
        else:
            line += 1
            at_line_start = True
    return deepest, deepest_line, depth == 0


# -- after parsing ------------------------------------------------------------------------------
# The frontend appends these patterns to its own query, so the layout costs no extra pass over
# the tree (a query's cost is the walk, not the captures).
LAYOUT_PATTERNS = """
(module (_) @statement)
(block) @block
(block (_) @statement)
[(elif_clause) (else_clause) (except_clause) (finally_clause)] @clause
(decorated_definition (decorator) @clause)
(decorated_definition definition: (_) @clause)
(print_statement) @python2
(exec_statement) @python2
(module (return_statement) @outside)
(class_definition body: (block (return_statement) @outside))
"""
_HEADERS = {
    "function_definition": "function definition",
    "class_definition": "class definition",
    "if_statement": "'if' statement",
    "elif_clause": "'elif' statement",
    "else_clause": "'else' statement",
    "for_statement": "'for' statement",
    "while_statement": "'while' statement",
    "with_statement": "'with' statement",
    "try_statement": "'try' statement",
    "except_clause": "'except' statement",
    "finally_clause": "'finally' statement",
    "match_statement": "'match' statement",
    "case_clause": "'case' statement",
}
_NOT_STATEMENT_START = frozenset(b"#\\")  # a comment or a line continuation among the statements
_BRACKETS = frozenset(b"()[]{}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_BRACKET_QUERY = '["(" "[" "{"] @open [")" "]" "}"] @close'
_BLOCK, _STATEMENT, _CLAUSE = 0, 1, 2


@lru_cache(maxsize=4)
def _query(language, source: str):
    import tree_sitter as ts

    return ts.Query(language, source)


def layout_problems(root, data: bytes, columns, language, cursor_type, captures=None) -> list[ParseProblem]:
    """What tree-sitter accepts and CPython refuses: an empty block, statements of one block at
    different indentations (or an indented module-level one), a clause (``else``, ``except``…)
    or a decorated ``def`` out of line with its statement or decorator, more than 200 nested
    brackets, Python 2 ``print "x"``, ``return`` directly in a module or class body.
    ``captures``: the ``LAYOUT_PATTERNS`` captures when the caller's query included them."""
    if captures is None:
        captures = cursor_type(_query(language, LAYOUT_PATTERNS)).captures(root)
    problems = [_empty_block(node, columns) for node in captures.get("block", ()) if node.start_byte == node.end_byte]
    problems.extend(_python2(captures.get("python2", ()), columns))
    problems.extend(
        ParseProblem("AL001", f"syntax error: 'return' outside function{_SUFFIX}", columns.span(node))
        for node in captures.get("outside", ())[:1]
    )
    problems.extend(_indentation_problems(captures, data, columns))
    problems.extend(_brackets(root, data, columns, language, cursor_type))
    return problems


def _empty_block(block, columns) -> ParseProblem:
    header = block.parent
    kind = _HEADERS.get(header.type, "statement") if header is not None else "statement"
    line = header.start_point.row + 1 if header is not None else block.start_point.row + 1
    message = f"indentation error: expected an indented block after {kind} on line {line}{_SUFFIX}"
    return ParseProblem("AL001", message, columns.span(block))


def _python2(statements, columns) -> list[ParseProblem]:
    """Python 2's ``print "x"`` / ``exec "code"``, which the grammar still knows (``print >>f, x``
    is a valid, if useless, expression in Python 3)."""
    for node in statements:
        if not any(child.type == "chevron" for child in node.children):
            keyword = "print" if node.type == "print_statement" else "exec"
            message = f"syntax error: missing parentheses in call to '{keyword}' (Python 2 syntax){_SUFFIX}"
            return [ParseProblem("AL001", message, columns.span(node))]
    return []


def _indentation(data: bytes, start: int) -> tuple[int, int] | None:
    """``(column, characters)`` of the indentation of what starts at ``start`` when it starts a
    logical line (only whitespace before it on its line, no backslash continuing the previous
    one), else ``None``.  CPython compares both: a tab and eight spaces reach the same column but
    are not the same indentation (TabError)."""
    line_start = data.rfind(b"\n", 0, start) + 1
    prefix = data[line_start:start]
    if prefix.strip(b" \t\f"):
        return None
    if line_start and data[max(0, line_start - 3) : line_start].rstrip(b"\r\n").endswith(b"\\"):
        return None
    return _columns(prefix), len(prefix) - prefix.rfind(b"\f") - 1


def _indentation_problems(captures, data: bytes, columns) -> list[ParseProblem]:
    """One sweep over blocks, statements and clauses in source order (they nest like brackets):
    every statement that starts a line must be indented like the first such statement of its
    block (at module level: not at all), that must be deeper than the enclosing block, and a
    clause (``else:``, a decorator, the decorated ``def``) must line up with its statement.

    This runs on every file, so the common case is kept cheap: in a file without tabs or form
    feeds, a statement's indentation is its byte column when only spaces precede it."""
    groups = (captures.get("block", ()), captures.get("statement", ()), captures.get("clause", ()))
    items = [(node.start_byte, kind, index) for kind, nodes in enumerate(groups) for index, node in enumerate(nodes)]
    items.sort()
    plain = b"\t" not in data and b"\f" not in data
    # open blocks and statements, innermost last: [kind, end, indentation]; the module is a block at 0
    stack: list[list] = [[_BLOCK, len(data) + 1, (0, 0)]]
    for start, kind, index in items:
        node = groups[kind][index]
        while len(stack) > 1 and stack[-1][1] <= start:
            stack.pop()
        if kind == _BLOCK:
            stack.append([_BLOCK, node.end_byte, None])
            continue
        if data[start] in _NOT_STATEMENT_START:
            continue
        indentation = _plain_indentation(data, start, node.start_point.column) if plain else _indentation(data, start)
        if kind == _STATEMENT:
            stack.append([_STATEMENT, node.end_byte, indentation])
            if indentation is None:
                continue
            block = stack[-2] if stack[-2][0] == _BLOCK else next(e for e in reversed(stack) if e[0] == _BLOCK)
            if indentation == block[2] or node.type == "ERROR":
                continue
            what = _mismatch(block, indentation, stack)
        else:
            owner = next((entry for entry in reversed(stack) if entry[0] == _STATEMENT), None)
            expected = owner[2] if owner is not None else None
            what = None
            if indentation is not None and expected is not None and indentation != expected:
                what = _TAB_ERROR if indentation[0] == expected[0] else _BAD_DEDENT
        if what is not None:
            return [ParseProblem("AL001", f"indentation error: {what}{_SUFFIX}", columns.span(node))]
    return []


_SPACES = b" " * 256


def _plain_indentation(data: bytes, start: int, column: int) -> tuple[int, int] | None:
    """``_indentation`` for a file indented with spaces only (the column is the byte column)."""
    line_start = start - column
    if column and (column > 256 or data[line_start:start] != _SPACES[:column]):
        return None if column <= 256 or data[line_start:start].strip(b" ") else (column, column)
    if line_start >= 2 and (data[line_start - 2] == 0x5C or data[line_start - 3 : line_start - 1] == b"\\\r"):
        return None  # the previous line ends with a backslash: this one continues it
    return column, column


def _mismatch(block: list, indentation: tuple[int, int], stack: list[list]) -> str | None:
    """Why a statement's indentation is wrong for its block (recording the block's indentation
    when this is its first statement), or ``None``."""
    level = block[2]
    if level is None:
        block[2] = indentation
        outer = next((entry[2] for entry in reversed(stack) if entry[0] == _BLOCK and entry is not block and entry[2] is not None), (0, 0))
        if indentation[0] <= outer[0]:
            return "expected an indented block"
        return _TAB_ERROR if indentation[1] <= outer[1] else None
    if indentation == level:
        return None
    if indentation[0] == level[0]:
        return _TAB_ERROR
    if level == (0, 0) or indentation[0] > level[0]:
        return "unexpected indent"
    return _BAD_DEDENT


def _brackets(root, data: bytes, columns, language, cursor_type) -> list[ParseProblem]:
    """More than 200 nested brackets.  An upper bound from the raw bytes settles almost every
    file (the brackets alone, in runs of 32: depth before the run plus the run's openers); only
    a file that may be that deep is measured on the tree, where strings and comments hold none."""
    brackets = data.translate(None, _NOT_BRACKETS)
    if len(brackets) <= MAX_BRACKET_DEPTH:
        return []
    depth = 0
    for index in range(0, len(brackets), 32):
        run = brackets[index : index + 32]
        opened = run.count(b"(") + run.count(b"[") + run.count(b"{")
        if depth + opened > MAX_BRACKET_DEPTH - 20:  # strings and comments may skew the count a little
            break
        depth = max(0, depth + 2 * opened - len(run))
    else:
        return []
    captures = cursor_type(_query(language, _BRACKET_QUERY)).captures(root)
    tokens = sorted([(n.start_byte, 1, n) for n in captures.get("open", ())] + [(n.start_byte, -1, n) for n in captures.get("close", ())], key=lambda t: t[0])
    depth = 0
    for _start, step, node in tokens:
        depth += step
        if depth > MAX_BRACKET_DEPTH:
            message = f"syntax error: too many nested parentheses ({MAX_BRACKET_DEPTH} is the limit){_SUFFIX}"
            return [ParseProblem("AL001", message, columns.span(node))]
    return []


# -- grammar gaps ----------------------------------------------------------------------------------
def without_grammar_gaps(data: bytes) -> bytes:
    """The file rewritten, byte for byte the same length, so that valid code tree-sitter-python
    cannot parse becomes code it can; ``data`` itself when nothing applies.  Used only for files
    whose tree has errors, to tell the grammar's gaps from real mistakes:

    * PEP 696 (3.13) defaults in type parameter lists — ``class A[T = int]``, ``def f[*Ts = *tuple[int]]``,
      ``type X[**P = [int]] = …`` — have no rule in tree-sitter-python 0.25 (upstream issue #346):
      the defaults are blanked;
    * a line inside brackets indented less than its block (``if (`` / ``a and`` / ``b`` at column
      0 / ``):``) makes the grammar's scanner close the block; inside brackets line breaks and
      comments are only whitespace to Python, so they are turned into spaces.
    """
    return _flatten_brackets(without_type_parameter_defaults(data))


def _flatten_brackets(data: bytes) -> bytes:
    if b"\n" not in data:
        return data
    out: bytearray | None = None
    depth = 0
    position = 0
    size = len(data)
    while position < size:
        token = _TOKEN.search(data, position)
        if token is None:
            break
        kind = token.lastgroup
        position = token.end()
        if kind == "string":
            end = _STRING_END[token.group().lstrip(b"rRbBuUfFtT")].match(data, position)
            if end is None:
                break
            position = end.end()
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        else:
            end = position
            if kind == "comment":
                line_end = _LINE_END.search(data, position)
                end = position = line_end.start() if line_end is not None else size
            if depth:
                if out is None:
                    out = bytearray(data)
                out[token.start() : end] = b" " * (end - token.start())
    return data if out is None else bytes(out)


class OriginalSpans:
    """Spans of a tree parsed from rewritten text, measured on the original text by byte offset
    (a flattened bracket has fewer lines than the original)."""

    def __init__(self, data: bytes, columns) -> None:
        self._data, self._columns = data, columns
        self._line_starts = [0] + [m.end() for m in re.finditer(b"\n", data)]

    def span(self, node) -> Span:
        start_line, start_column = self._point(node.start_byte)
        end_line, end_column = self._point(node.end_byte)
        return Span(start_line, start_column, end_line, end_column)

    def _point(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._line_starts, offset) - 1
        return row + 1, self._columns.column(row, offset - self._line_starts[row])


# PEP 696 defaults (see above).
_TYPE_PARAMETERS = lazy_compile(rb"\b(?:class|def|type)\s+[A-Za-z_\x80-\xff][\w\x80-\xff]*\s*\[")


def without_type_parameter_defaults(data: bytes) -> bytes:
    if b"=" not in data:
        return data
    out: bytearray | None = None
    for match in _TYPE_PARAMETERS.finditer(data):
        spans = _default_spans(data, match.end())
        if spans:
            if out is None:
                out = bytearray(data)
            for start, end in spans:
                out[start:end] = bytes(b if b in b"\r\n" else 0x20 for b in data[start:end])
    return data if out is None else bytes(out)


def _default_spans(data: bytes, position: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each ``= default`` at the top level of the bracket list opened just
    before ``position``; [] when the list does not close."""
    spans: list[tuple[int, int]] = []
    depth = 1
    default_start: int | None = None
    index = position
    size = min(len(data), position + 10_000)
    while index < size:
        char = data[index]
        if char in b"'\"":
            end = data.find(bytes([char]), index + 1)
            if end < 0:
                return []
            index = end
        elif char in b"([{":
            depth += 1
        elif char in b")]}":
            depth -= 1
            if depth == 0:
                if default_start is not None:
                    spans.append((default_start, index))
                return spans
        elif depth == 1 and char == 0x2C:  # ,
            if default_start is not None:
                spans.append((default_start, index))
                default_start = None
        elif depth == 1 and char == 0x3D and default_start is None:  # =
            default_start = index
        index += 1
    return []
