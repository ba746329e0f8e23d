"""A small SQL lexer: blank out literals, split statements, find placeholders, normalise.

sqlglot cannot take embedded SQL as written (reference §4.3, verified): ``%s`` and ``%(x)s`` fail
under SQLite and MySQL, ``$1`` silently becomes a *column* there, and an f-string hole ``{x}``
silently parses as ``STRUCT(x)``.  So every SQL text is first rewritten into a form that every
dialect parses the same way — each placeholder becomes ``:name`` and each interpolation hole a
sentinel — while an :class:`OffsetMap` remembers where each character came from, so a parser
error or an AST node can be reported at its line and column in the host file.

All regexes here run on the *masked* text: string literals and comments are blanked with
spaces (their quotes kept) at the same length, so a ``?`` or ``ILIKE`` inside a quoted value
never counts and offsets never move.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from archlint.domain.lazy_regex import lazy_compile
from archlint.domain.records import NamedTuple

_DOLLAR_QUOTE = lazy_compile(r"\$([A-Za-z_]\w*)?\$")
_PLACEHOLDER = re.compile(
    r"""(?P<escaped>%%)
      | (?P<pyformat>%\((?P<pyname>\w+)\)s)
      | (?P<format>%[sb](?![\w]))
      | (?P<knex_identifier>\?\?|(?<![:\w]):[A-Za-z_]\w*:(?![:\w]))
      | (?P<qmark_numbered>\?\d+)
      | (?P<qmark>\?(?![|&]))
      | (?P<dollar>\$\d+)
      | (?P<dollar_name>\$[A-Za-z_]\w*)
      | (?P<named>(?<![:\w\\]):(?P<colname>[A-Za-z_]\w*)(?![:\w]))
      | (?P<at>(?<![\w@])@(?P<atname>[A-Za-z_]\w*))""",
    re.VERBOSE,
)
_KINDS = ("pyformat", "format", "knex_identifier", "qmark_numbered", "qmark", "dollar", "dollar_name", "named", "at")
POSITIONAL = frozenset({"qmark", "format", "dollar", "qmark_numbered"})
NAMED = frozenset({"named", "pyformat", "at", "dollar_name"})
_BLOCK_STATEMENT = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\w*\s+)?(?:TRIGGER|FUNCTION|PROCEDURE)\b|\bBEGIN\s+ATOMIC\b", re.IGNORECASE
)
# DDL for routines, types and extensions (``DROP FUNCTION f(value TEXT)``, ``CREATE TYPE … AS ENUM``,
# ``ALTER EXTENSION``): sqlglot has no grammar for their signatures, so a parse failure there says
# nothing about the SQL — such statements are not judged for syntax.
ROUTINE_DDL = re.compile(
    r"^\s*(?:CREATE(?:\s+OR\s+REPLACE)?|DROP|ALTER|COMMENT\s+ON)\s+(?:FUNCTION|PROCEDURE|AGGREGATE|ROUTINE|OPERATOR|TYPE|"
    r"DOMAIN|EXTENSION|RULE|POLICY|TRIGGER|EVENT\s+TRIGGER|COLLATION|CAST|LANGUAGE|PUBLICATION|SUBSCRIPTION)\b",
    re.IGNORECASE,
)
_ESCAPE = lazy_compile(r"\\(.)", re.DOTALL)
STATEMENT_START = re.compile(
    r"^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|PRAGMA|REPLACE|MERGE|TRUNCATE|EXPLAIN|VALUES|UPSERT)\b",
    re.IGNORECASE,
)


class Placeholder(NamedTuple):
    kind: str  # qmark, qmark_numbered, named, at, dollar, dollar_name, format, pyformat, knex_identifier
    offset: int
    length: int
    name: str  # the parameter name or number ("" for ? and %s)


class Statement(NamedTuple):
    """One statement of a SQL text: its slice of the original and of the masked text."""

    offset: int
    text: str
    masked: str


def decode_escapes(text: str) -> str:
    """``\\n`` in a literal's source is two characters; SQL must see whitespace there.
    Every escape keeps its length (``\\n`` -> two spaces) so offsets into the text still match the
    source.  An escaped quote keeps its space *outside* what it quotes: an opening quote becomes
    space + quote, a closing one quote + space (``\\"Articles\\"`` -> `` "Articles" ``, never the
    identifier ``"Articles "``); which one it is follows from the quotes of that kind before it."""
    if "\\" not in text:
        return text
    pieces: list[str] = []
    open_quotes: set[str] = set()
    last = 0
    for match in _ESCAPE.finditer(text):
        start = match.start()
        for char in text[last:start]:  # the unescaped quotes in between open and close too
            if char in "'\"`":
                open_quotes ^= {char}
        pieces.append(text[last:start])
        escaped = match.group(1)
        if escaped in "'\"`" and len(escaped) == 1:
            pieces.append(escaped + " " if escaped in open_quotes else " " + escaped)
            open_quotes ^= {escaped}
        else:
            pieces.append(" " * (match.end() - start))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def mask(sql: str) -> str:
    """The text with string literal contents and comments replaced by spaces (same length)."""
    out = list(sql)
    index = 0
    length = len(sql)
    while index < length:
        char = sql[index]
        if char == "'":
            end = _quoted_end(sql, index, "'")
            _blank(out, index + 1, end - 1)
            index = end
        elif char == "-" and sql.startswith("--", index):
            end = sql.find("\n", index)
            end = length if end < 0 else end
            _blank(out, index, end)
            index = end
        elif char == "/" and sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            end = length if end < 0 else end + 2
            _blank(out, index, end)
            index = end
        elif char == "$":
            match = _DOLLAR_QUOTE.match(sql, index)
            if match is None or (index > 0 and (sql[index - 1].isalnum() or sql[index - 1] == "_")):
                index += 1
                continue
            tag = match.group(0)
            end = sql.find(tag, match.end())
            end = length if end < 0 else end
            _blank(out, match.end(), end)
            index = end + len(tag)
        else:
            index += 1
    return "".join(out)


def _quoted_end(sql: str, start: int, quote: str) -> int:
    """Index just past the literal opened at ``start`` (``''`` is an escaped quote)."""
    index = start + 1
    while index < len(sql):
        if sql[index] == quote:
            if sql.startswith(quote * 2, index):
                index += 2
                continue
            return index + 1
        if sql[index] == "\\" and quote == "'":
            index += 2  # MySQL / E'' strings; harmless elsewhere
            continue
        index += 1
    return len(sql)


def _blank(out: list[str], start: int, end: int) -> None:
    for position in range(max(start, 0), min(end, len(out))):
        if out[position] != "\n":
            out[position] = " "


def split_statements(sql: str, masked: str) -> list[Statement]:
    """Statements separated by ``;`` outside literals; trigger/function bodies stay whole."""
    if _BLOCK_STATEMENT.search(masked):
        return [Statement(0, sql, masked)] if sql.strip() else []
    statements = []
    start = 0
    for index, char in enumerate(masked + ";"):
        if char != ";":
            continue
        if masked[start:index].strip():
            statements.append(Statement(start, sql[start:index], masked[start:index]))
        start = index + 1
    return statements


def placeholders(masked: str, ignored: frozenset[str] = frozenset()) -> list[Placeholder]:
    found = []
    for match in _PLACEHOLDER.finditer(masked):
        kind = next((k for k in _KINDS if match.group(k)), None)
        if kind is None or kind in ignored or kind == "qmark" and _jsonb_key_operator(masked, match.start()):
            continue
        text = match.group(0)
        name = match.group("pyname") or match.group("colname") or match.group("atname") or ""
        if kind in ("dollar", "qmark_numbered", "dollar_name"):
            name = text[1:]
        found.append(Placeholder(kind, match.start(), len(text), name))
    return found


_OPERAND_END = lazy_compile(r"[\w)\]\"]\s*$")
_KEYWORD_END = lazy_compile(
    r"\b(?:SELECT|WHERE|AND|OR|NOT|ON|SET|VALUES|BY|LIMIT|OFFSET|THEN|ELSE|WHEN|CASE|IN|IS|LIKE|ILIKE|BETWEEN|AS|RETURN|"
    r"RETURNING|HAVING|DISTINCT|FROM|INTO|USING|ALL|ANY|SOME|EXISTS|ESCAPE)\s*$",
    re.IGNORECASE,
)


def _jsonb_key_operator(masked: str, offset: int) -> bool:
    """PostgreSQL's jsonb key-exists operator, ``data ? 'item_type'``, not a placeholder: the ``?``
    stands between an operand (a name, a closing bracket) and a string literal, where a
    placeholder cannot (``?|`` and ``?&`` are excluded by the pattern itself)."""
    before = masked[max(0, offset - 40):offset]
    after = masked[offset + 1:offset + 8].lstrip()
    return after.startswith("'") and bool(_OPERAND_END.search(before)) and not _KEYWORD_END.search(before)


class OffsetMap:
    """Maps offsets in a rewritten string back to the original (replacements may change length)."""

    __slots__ = ("_starts", "_entries")

    def __init__(self, entries: list[tuple[int, int, int, int]]) -> None:
        # (new_start, new_end, old_start, old_end), sorted by new_start
        self._entries = entries
        self._starts = [entry[0] for entry in entries]

    def original(self, offset: int) -> int:
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return offset
        new_start, new_end, old_start, old_end = self._entries[index]
        if offset < new_end:
            return old_start
        return old_end + (offset - new_end)


# Sentinels: the names archlint writes into SQL where the source had something no parser reads.
# normalise() below: an interpolation hole becomes ``__hN`` (an identifier) or ``:__hN`` (a value), a
# positional placeholder ``:__pN``, a knex ``??`` identifier binding ``__ident``.  The statement
# builders (semantics/builders) put ``__raw__`` where a raw fragment was not read, ``__unknown__``
# for a table they could not name, ``__set__`` for a SET list they did not lift and ``__p_name`` for
# a TypeORM ``:name`` parameter in a select fragment.  Checks that
# judge names (AL411/AL412) skip any name holding one: :func:`has_sentinel`.
HOLE = "__h"
PLACEHOLDER = "__p"
IDENTIFIER = "__ident"
RAW = "__raw__"
UNKNOWN_TABLE = "__unknown__"
SET_LIST = "__set__"
_SENTINEL = lazy_compile(rf"{HOLE}\d+|{IDENTIFIER}|{PLACEHOLDER}(?:\d+|_\w)|{RAW}|{UNKNOWN_TABLE}|{SET_LIST}")
_HOLE_NAME = lazy_compile(rf":?{HOLE}(\d+)")  # `"${table}"`: a quoted identifier holds `:__h0`


def has_sentinel(name: str) -> bool:
    """Whether ``name`` (an identifier of a parsed statement) holds a sentinel."""
    return _SENTINEL.search(name) is not None


def hole_number(name: str) -> int | None:
    """The number of the interpolation hole whose sentinel ``name`` is (``__h3``, ``:__h3``), else ``None``."""
    match = _HOLE_NAME.fullmatch(name)
    return int(match.group(1)) if match else None


def placeholder_sentinel(number: int) -> str:
    """The bind parameter name normalise() gives the ``number``-th positional placeholder."""
    return f"{PLACEHOLDER}{number}"


class Normalised(NamedTuple):
    sql: str
    offsets: OffsetMap


def normalise(statement: Statement, holes: list[int], found: list[Placeholder], identifier_holes: bool) -> Normalised:
    """Rewrite placeholders to bind parameters (``:__pN``, ``:name``) and holes (offsets of ``{}``
    in the statement) to sentinels:
    ``:__hN`` (a bind parameter, the value position) or ``__hN`` (an identifier), so the parser
    neither fails on driver syntax nor invents ``STRUCT(x)`` from a brace."""
    replacements: list[tuple[int, int, str]] = []
    for number, placeholder in enumerate(found):
        if placeholder.kind == "knex_identifier":
            replacement = IDENTIFIER
        elif placeholder.kind in ("named", "pyformat", "at", "dollar_name"):
            replacement = f":{placeholder.name}"
        else:
            replacement = f":{placeholder_sentinel(number)}"  # not `?`: sqlglot reads `?::int` as one operator token
        replacements.append((placeholder.offset, placeholder.offset + placeholder.length, replacement))
    for number, offset in enumerate(holes):
        if statement.masked[offset : offset + 2] != "{}":
            continue  # inside a quoted SQL literal: the literal is masked anyway
        name = f"{HOLE}{number}"
        replacements.append((offset, offset + 2, name if identifier_holes else f":{name}"))
    replacements.sort()
    pieces: list[str] = []
    entries: list[tuple[int, int, int, int]] = []
    cursor = 0
    length = 0
    for start, end, replacement in replacements:
        if start < cursor:
            continue
        pieces.append(statement.text[cursor:start])
        length += start - cursor
        entries.append((length, length + len(replacement), start, end))
        pieces.append(replacement)
        length += len(replacement)
        cursor = end
    pieces.append(statement.text[cursor:])
    return Normalised("".join(pieces), OffsetMap(entries))


def line_col_to_offset(text: str, line: int, column: int) -> int:
    """sqlglot's 1-based line and column (of the error token's end) -> offset into ``text``."""
    offset = 0
    for _ in range(line - 1):
        newline = text.find("\n", offset)
        if newline < 0:
            break
        offset = newline + 1
    return min(max(offset + column - 1, 0), len(text))


def is_statement(text: str) -> bool:
    return bool(STATEMENT_START.match(text))
