"""Shared, language-independent handling of raw source bytes for the frontends.

Untrusted agent output arrives here: binary files named ``.py``, latin-1 files, 40 MB bundles,
minified one-liners.  Each must become a ``parse`` problem, never an exception, so the
decisions live in one place and every frontend makes the same ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archlint.domain.facts import ParseProblem, Span
from archlint.domain.lazy_regex import lazy_compile

_new = tuple.__new__  # a record without the NamedTuple's Python-level __new__ (hot path)
# a Span from its packed fields without its Python-level __new__ (tree-sitter rows and columns are
# uint32: every field fits its 32 bits)
_packed = int.__new__

MAX_BYTES = 5 * 1024 * 1024
MINIFIED_LINE = 5_000

# A data-layer signal in a string: SQL at the start, or a database URL anywhere.
# The shape of a SQL statement, not just a leading keyword: "Update your profile" or
# "select an article" are messages, "UPDATE users SET" and "SELECT 1" are SQL.
SQL_START = re.compile(
    r"""^\s*(?:BEGIN(?:\s+(?:DEFERRED|IMMEDIATE|EXCLUSIVE))?(?:\s+TRANSACTION)?\s*;\s*)?  # a script: `BEGIN; CREATE …`
    \(?\s*(?:
        SELECT\s+(?:[\s\S]*?\bFROM\s|\d|\*|DISTINCT\b|COUNT\s*\(|\w+\s*\(|[\w.]+\s*(?:,|\bAS\b))
      | INSERT\s+(?:OR\s+\w+\s+)?INTO\s
      | UPDATE\s+[\w."`\[\]]+\s+SET\s
      | DELETE\s+FROM\s
      | (?:CREATE|DROP)\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+|VIRTUAL\s+)?(?:UNIQUE\s+)?
            (?:TABLE|INDEX|VIEW|SCHEMA|DATABASE|EXTENSION|TYPE|SEQUENCE|TRIGGER|FUNCTION)\b
      | ALTER\s+(?:TABLE|INDEX|SEQUENCE|TYPE|DATABASE|SCHEMA)\s
      | WITH\s+(?:RECURSIVE\s+)?\w+\s*(?:\([^)]*\)\s*)?AS\s*\(
      | PRAGMA\s+\w+
      | (?:REPLACE|MERGE)\s+INTO\s
      | TRUNCATE\s+(?:TABLE\s+)?[\w."`]+\s*;?\s*$
      | EXPLAIN\s+(?:ANALYZE\s+|QUERY\s+PLAN\s+)?SELECT\s
      # a transaction statement alone: in capitals, or unmistakable (`begin transaction`, `BEGIN IMMEDIATE`) —
      # a bare lower-case "begin" / "commit" is a word of any vocabulary (protobuf tokens, git, event names)
      | (?-i:BEGIN|COMMIT|ROLLBACK)\s*;?\s*$
      | (?:BEGIN|COMMIT|ROLLBACK|START)\s+TRANSACTION\s*;?\s*$
      | BEGIN\s+(?:DEFERRED|IMMEDIATE|EXCLUSIVE)(?:\s+TRANSACTION)?\s*;?\s*$
      | SET\s+search_path\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
DB_URL = re.compile(
    r"\b(postgres(ql)?(\+\w+)?|sqlite(\+\w+)?|mysql(\+\w+)?|mariadb(\+\w+)?|mssql(\+\w+)?|"
    r"oracle(\+\w+)?|mongodb(\+srv)?|cockroachdb(\+\w+)?):(//|:memory:|/)",
    re.IGNORECASE,
)

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_FIRST_LINE = Span(1, 1, 1, 1)


# A piece of SQL appended to a query under construction — `" AND x = ?"`, `` ` ORDER BY …` `` — as
# both frontends record SQL built in steps (q = "…"; q += "…").
SQL_FRAGMENT = lazy_compile(
    r"""['"`]\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|WHERE|AND|OR|ORDER\s+BY|GROUP\s+BY|HAVING|LIMIT|OFFSET|JOIN|"""
    r"""CREATE|ALTER|DROP|PRAGMA|LEFT\s+JOIN|INNER\s+JOIN|SET|VALUES|FROM|RETURNING|ON\s+CONFLICT)\b""",
    re.IGNORECASE,
)

# Django's DATABASES["default"]["ENGINE"] names the database without a URL.
DJANGO_ENGINE = re.compile(r"^django\.db\.backends\.\w+")


def has_signal(text: str) -> bool:
    """True when a literal looks like SQL, contains a DB URL or names a Django DB backend —
    the only strings we keep."""
    return bool(SQL_START.match(text) or DB_URL.search(text) or DJANGO_ENGINE.match(text))


@dataclass(slots=True)
class Decoded:
    """Source as UTF-8 bytes for tree-sitter, plus any problem found while decoding."""

    data: bytes
    problems: list[ParseProblem]
    skip: bool = False  # True: do not parse at all (binary, too large, minified)


def _python_encoding(data: bytes) -> str:
    """PEP 263: a coding cookie in the first two lines decides the encoding."""
    start = 0
    for _ in range(2):  # the first two lines, without copying the rest of the file
        end = data.find(b"\n", start)
        line = data[start:] if end < 0 else data[start:end]
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
        if end < 0:
            break
        start = end + 1
    return "utf-8"


def decode(data: bytes, language: str) -> Decoded:
    """Normalise raw bytes to UTF-8, or explain why the file cannot be analysed."""
    if len(data) > MAX_BYTES:
        size = len(data) // (1024 * 1024)
        return Decoded(b"", [ParseProblem("AL004", f"file is {size} MB (limit 5 MB); skipped", _FIRST_LINE)], True)
    if b"\x00" in data[:8192]:
        return Decoded(b"", [ParseProblem("AL002", "binary file (contains NUL bytes); skipped", _FIRST_LINE)], True)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if language != "python" and _looks_minified(data):
        msg = "minified or generated file (very long lines); skipped"
        return Decoded(b"", [ParseProblem("AL004", msg, _FIRST_LINE)], True)
    encoding = _python_encoding(data) if language == "python" else "utf-8"
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        if data.isascii():  # valid UTF-8 without building the text (most files)
            return Decoded(data, [])
        try:
            data.decode("utf-8")
            return Decoded(data, [])
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            msg = (
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}) and declares no encoding; "
                "the interpreter will refuse to load it"
            )
            text = data.decode("utf-8", "replace")
            return Decoded(text.encode("utf-8"), [ParseProblem("AL003", msg, Span(line, 1, line, 1))])
    try:
        return Decoded(data.decode(encoding).encode("utf-8"), [])
    except (LookupError, UnicodeDecodeError):
        msg = f"file declares encoding {encoding!r} but cannot be decoded with it"
        return Decoded(data.decode("utf-8", "replace").encode("utf-8"), [ParseProblem("AL003", msg, _FIRST_LINE)])


def _looks_minified(data: bytes) -> bool:
    if len(data) < 2_000:
        return False
    longest = max(len(line) for line in data.split(b"\n"))
    if longest > MINIFIED_LINE:
        return True
    return len(data) > 20_000 and len(data) / (data.count(b"\n") + 1) > 500


# The line numbers 1..n as one int object each for the whole process, shared by every file's
# records (``Columns.lines``): a list per file held its own copy of each number above 256 once a
# call's ``args_line`` kept it (saleor-sized tree, --jobs 1: 76,000 such ints in the plan's bodies,
# 7,300 distinct).  A file longer than the shared table's cap gets a list of its own.
_LINE_NUMBERS: list[int] = []
_SHARED_LINES = 100_000


def line_numbers(count: int) -> list[int]:
    """A list whose item ``row`` is ``row + 1``, for rows ``0 .. count - 1`` at least."""
    numbers = _LINE_NUMBERS
    if count > len(numbers):
        if count > _SHARED_LINES:
            return list(range(1, count + 1))
        numbers.extend(range(len(numbers) + 1, count + 1))
    return numbers


class Columns:
    """Convert tree-sitter (row, byte column) points to 1-based (line, character column).

    Pure-ASCII files (the vast majority) take the fast path: byte column == character column.
    """

    __slots__ = ("_data", "_ascii", "_line_starts", "_ascii_rows", "spans", "lines")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._ascii = data.isascii()
        self._line_starts: list[int] | None = None
        self._ascii_rows: bytearray | None = None  # 1 for a row whose bytes are all ASCII
        # one Span object per distinct range of the file (see :meth:`span`)
        self.spans: dict[Span, Span] = {}
        # ``lines[row]`` is the 1-based line number ``row + 1`` as one int object per line, for the
        # records holding a line number of their own (a call's ``args_line``): each built from
        # ``row + 1`` held its own copy of every number above 256 (CPython caches only the small
        # ones).  A span packs its fields into one int (``facts.Span``) and needs none of them.
        self.lines = line_numbers(data.count(b"\n") + 1)

    def column(self, row: int, byte_col: int) -> int:
        if self._ascii or byte_col == 0:
            return byte_col + 1
        starts = self._line_starts
        if starts is None:
            starts = [0]
            starts.extend(m.end() for m in re.finditer(b"\n", self._data))
            self._line_starts = starts
            data = self._data
            ends = starts[1:] + [len(data)]
            self._ascii_rows = bytearray(data[a:b].isascii() for a, b in zip(starts, ends))
        if row < len(starts):
            start = starts[row]
            # a column on a row of ASCII bytes (most rows of a file with a few accented comments):
            # the byte column is the character column
            if self._ascii_rows[row] and start + byte_col <= (starts[row + 1] if row + 1 < len(starts) else len(self._data)):
                return byte_col + 1
        else:
            start = 0
        return len(self._data[start : start + byte_col].decode("utf-8", "replace")) + 1

    def span(self, node) -> Span:
        """The node's range; an equal range seen before in this file is returned as the same
        object (a call and its statement, a name and its attribute's object share their start and
        often their end), so a pickle of the file's records carries each range once — positions
        were a third of the IR held for the whole run."""
        (sr, sc), (er, ec) = node.start_point, node.end_point
        span = _packed(Span, sr + 1 << 96 | self.column(sr, sc) << 64 | er + 1 << 32 | self.column(er, ec))
        return self.spans.setdefault(span, span)

    def shared(self, span: Span) -> Span:
        """``span`` as the one object this file uses for that range."""
        return self.spans.setdefault(span, span)


# JS/TS: byte-level candidates for signal strings (the frontend and ``js_scanner`` search them;
# compiled on first use: a Python-only run never does).  Each is confirmed with ``has_signal`` on
# the literal's cooked value, so both frontends agree on what counts.  The SQL candidate is an
# opening quote followed by any keyword that can start SQL (a superset of the keywords that
# ``source.SQL_START`` accepts; that pattern is the authority and may grow stricter).  Every
# DB_URL match contains ":/" or "::memory:"; plain literals scan ~10x faster than DB_URL itself.
JS_SQL_CANDIDATE = lazy_compile(
    rb"""['"`]\s*\(?\s*(?:select|insert|update|delete|create|drop|alter|with|pragma|replace|merge"""
    rb"""|truncate|explain|begin|commit|rollback|start\s+transaction|set|upsert|vacuum|grant)\b""",
    re.IGNORECASE,
)
JS_URL_CANDIDATE = lazy_compile(rb":/|::memory:|file:")
# An archlint suppression comment (`// archlint-ignore AL102 …`, `# archlint: ignore[AL103] …`), searched in the bytes.
JS_SUPPRESSION = lazy_compile(rb"archlint-ignore|archlint: ignore")
# SQLite file URLs (Prisma's ``file:./dev.db``) are a JS-side signal the shared pattern lacks.
JS_FILE_DB_URL = lazy_compile(r"file:[^\s'\"`]*\.(?:db|sqlite3?)\b", re.IGNORECASE)
