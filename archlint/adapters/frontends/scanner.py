"""The cheap pass for Python: a file's *head* (imports, suppressions, signals) from its bytes,
with C-backed ``re`` and no syntax tree.

Why: the import graph is all the layer and cycle rules need, and a tree-sitter parse costs about
0.7 ms per file (Django's 5.7 MB: 0.65 s on one core) while this scan costs a tenth of that.
tree-sitter stays the reference: :func:`scan_python` yields exactly the ``Import`` records the
tree-sitter frontend yields (spans, names, levels and kinds: runtime, lazy inside a function,
type-only under ``if TYPE_CHECKING:``, PEP 810 ``lazy import``; ``importlib.import_module`` /
``__import__`` calls resolved through the file's import bindings, literal or opaque), and where it
cannot be sure (a block header it cannot classify, a string inside an import statement, a
backslash-continued ``from``, an ``import_module(<expression>)`` that constant folding might turn
into a real target — :mod:`~archlint.adapters.frontends.opaque_imports` proves the others opaque)
it returns ``None`` and the caller asks the frontend instead.
``tests/test_scanner.py`` holds both to the same answer on a tricky corpus;
``bench/scanner_equivalence.py`` (and the opt-in ``tests/test_scanner_equivalence.py``) on whole
trees: Django, SQLAlchemy, a saleor-sized tree.

String awareness: an ``import`` line inside a triple-quoted string (a doctest, a code sample in
a docstring) is not an import.  Single-quoted strings and comments cannot hold a line start, so
only triple-quoted strings need finding, and only up to the last candidate statement.
"""

from __future__ import annotations

import bisect
import re

from archlint.adapters.frontends.source import decode
from archlint.domain.facts import DYNAMIC, LAZY, OPAQUE, RUNTIME, TYPE_ONLY, FileFacts, Import, Span
from archlint.domain.lazy_regex import lazy_compile

# A statement that may be an import: at a line start, or after `;` / a one-line header's `:`.
_IMPORT_WORD = re.compile(rb"import\b")  # a literal: C's fast search drives the scan
_LINE_STATEMENT = re.compile(rb"[ \t]*(lazy[ \t]+)?(from|import)(?=[ \t\\(.])")
# `x = 1; import y`, `try: import x`, `else: from a import b` (the last match on its line).
_INLINE_STATEMENT = lazy_compile(rb"[;:][ \t]*(lazy[ \t]+)?(?:(from)[ \t.][ \t.\w]*?[ \t]|())import\b")
_TRIPLE_END = {
    b'"""': re.compile(rb'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', re.S),
    b"'''": lazy_compile(rb"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''", re.S),
}
# Code on one line up to a point: anything but quotes and `#`, or complete one-line strings.
_CODE_PREFIX = re.compile(rb"""(?:[^'"#\n]|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")*""")
# One-line statements (most) and a parenthesised name list without comments: no Python loop.
_SIMPLE_STATEMENT = re.compile(rb"[^\n\r#;()\\'\"]*")
_PAREN_GROUP = lazy_compile(rb"\([^()#\\'\"]*\)")
_FROM = re.compile(rb"from\b\s*([.\s]*)([^\W\d][\w.\s]*?)?\s*\bimport\b(.*)", re.S)
_SUPPRESSION = lazy_compile(rb"#[^\n]*archlint[^\n]*")
_NAME = re.compile(rb"[^\W\d]\w*")
# `_Scan._simple`'s shapes: one line, then the line's end, a comment or `;`
_SIMPLE_FROM = re.compile(
    rb"from[ \t]+(\.*)([^\W\d]\w*(?:\.[^\W\d]\w*)*)?[ \t]+import[ \t]+"
    rb"(\*|[^\W\d]\w*(?:[ \t]+as[ \t]+[^\W\d]\w*)?(?:[ \t]*,[ \t]*[^\W\d]\w*(?:[ \t]+as[ \t]+[^\W\d]\w*)?)*)[ \t]*(?=[\r\n#;]|\Z)"
)
_SIMPLE_IMPORT = re.compile(rb"import[ \t]+([^\W\d]\w*(?:\.[^\W\d]\w*)*)(?:[ \t]+as[ \t]+([^\W\d]\w*))?[ \t]*(?=[\r\n#;]|\Z)")
# A `from` statement's name list without aliases: `_NAME`s, commas between them, one trailing comma
_PLAIN_NAMES = re.compile(rb"\s*[^\W\d]\w*(?:\s*,\s*[^\W\d]\w*)*\s*,?\s*")
_HEADER = lazy_compile(rb"[ \t]*(?:(async[ \t]+)?(def)\b|(if)[ \t(]|(class|for|while|with|try|except|else|elif|finally|match|case)\b)")
# `except ImportError:` / `except (ValueError, ImportError) as e:` / `except:` — the caught text
# (group 1) when the clause ends on its line; None for a multi-line or `except*` clause.
# `with contextlib.suppress(ImportError):` / `with suppress(ImportError, AttributeError):` — the
# suppressed exceptions (group 1) when the header holds only that context manager
_SUPPRESS = lazy_compile(rb"[ \t]*with[ \t]+(?:contextlib\.)?suppress\(([^()\n]*)\)[ \t]*:")
_EXCEPT = lazy_compile(rb"except\b(?:(?!\*)([^\n:#(]*(?:\([^()\n]*\))?[^\n:#]*?)\s*:|)")
_EXCEPT_OPEN = lazy_compile(rb"except[ \t]*\([ \t]*(?:#[^\n]*)?\r?\n")
# the logical line of such a clause: `except ( A,  B, ):` (then `as e`, the colon and a body on its line)
_EXCEPT_TUPLE = lazy_compile(rb"except\s*\(([\w.,\s]*)\)\s*(?:as\s+[^\W\d]\w*\s*)?:")
_DOTTED = lazy_compile(rb"[A-Za-z_][\w.]*")
_IMPORT_ERRORS = frozenset({b"ImportError", b"ModuleNotFoundError", b"Exception", b"BaseException"})
_TYPE_CHECKING_IF = lazy_compile(rb"[ \t]*if[ \t]+((?:[^\W\d]\w*\.)*TYPE_CHECKING)[ \t]*:")


def decoded_head(path: str, raw: bytes) -> tuple[FileFacts, bytes | None]:
    """A Python file's head before any reading of its code: its decoding problems, and ``data``
    (the decoded bytes) — ``None`` when there is nothing to read (undecodable, binary or blank),
    the head then being final (no syntax to check).  Shared by the scanner and the frontend's
    lean head, so both count lines and problems alike."""
    facts = FileFacts(path=path, language="python", content_hash="", syntax_checked=False)
    decoded = decode(raw, "python")
    facts.problems.extend(decoded.problems)
    data = decoded.data
    if decoded.skip or not data.strip():
        facts.lines = data.count(b"\n") + (1 if data else 0)
        facts.syntax_checked = True
        return facts, None
    return facts, data


def python_head(path: str, raw: bytes, signals: bool = True) -> FileFacts | None:
    """The cheap pass over one Python file: the same head the frontend's ``full=False`` pass
    gives (imports, suppressions, signals, lines, decoding problems) but no syntax verdict
    (``syntax_checked`` is False); ``None`` when the scanner defers to the frontend.

    ``signals=False`` leaves ``facts.signals`` as ``None`` (unknown): only body-reading rules use
    it, and a run without them saves the search (a third of the scan's cost)."""
    facts, data = decoded_head(path, raw)
    if data is None:
        return facts
    scanned = scan_python(data)
    if scanned is None:
        return None
    facts.imports, facts.suppressions = scanned
    facts.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    facts.signals = ("sql" if file_signal(data) else "") if signals else None
    return facts


# The Python frontend's ``_FILE_SIGNAL`` split for speed (0.28 s -> ~0.03 s on Django): bytes.lower() makes
# the case-insensitive search case-sensitive (both fold ASCII only), which lets ``re`` skip to the
# quote characters; the DB-URL alternative has no literal start, so plain substring tests gate it.
_SQL_AFTER_QUOTE = re.compile(
    rb"[\"'(]\s*(select|insert|update|delete|create|alter|drop|with|pragma|replace|truncate|merge|upsert|"
    rb"begin|commit|rollback|explain|vacuum|grant|set\s+search_path)\s"
)
_DB_URL = re.compile(rb"\b(postgres(ql)?|sqlite3?|mysql|mariadb|mssql|oracle|mongodb|cockroachdb)(\+\w+)?:|django\.db\.backends\.")
_DB_URL_TOKENS = (b"postgres", b"sqlite", b"mysql", b"mariadb", b"mssql", b"oracle", b"mongodb", b"cockroachdb", b"django.db.backends.")


def python_signal(raw: bytes) -> str:
    """``signals`` of a Python file's raw bytes, for a head scanned without it."""
    decoded = decode(raw, "python")
    return "sql" if not decoded.skip and file_signal(decoded.data) else ""


def file_signal(data: bytes) -> bool:
    """Exactly the Python frontend's ``_FILE_SIGNAL.search(data) is not None``, faster
    (``tests/test_scanner.py`` compares them)."""
    lowered = data.lower()
    if _SQL_AFTER_QUOTE.search(lowered):
        return True
    return any(token in lowered for token in _DB_URL_TOKENS) and _DB_URL.search(lowered) is not None


_ARGS_TEXT_LIMIT = 2_000  # the frontend's cap on a call's argument text
_DYNAMIC_IMPORTERS = {"importlib:import_module", "builtins:__import__", "__import__"}
_DYNAMIC_CALL = lazy_compile(rb"(?<![\w.])((?:[^\W\d]\w*[ \t]*\.[ \t]*)*(?:import_module|__import__))[ \t]*\(")
_ARGUMENT_TOKEN = lazy_compile(rb"""'''|\"\"\"|[^()'"#]+|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[()#'"]""")


# After a name: an assignment to it (`x =`, `x: T =` with the annotation over lines, `x +=`,
# `x :=`, a keyword argument `x=`, `x \\` continued); before it: `as` (`with … as x`, `except … as x`).
_ASSIGNED_AFTER = lazy_compile(rb"[\s\\]*(?::[^=]*)?(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)")
_AS_BEFORE = lazy_compile(rb"(?<!\w)as[\s\\]+\Z")
# the first names of a tuple target: `module, attr = _public_api[name]`
_UNPACKED_AFTER = lazy_compile(rb"(?:[ \t]*,[ \t]*\*?[A-Za-z_][\w.]*)+[ \t]*,?[ \t]*[)\]]?[ \t]*=(?!=)")
_UNPACKED_BEFORE = lazy_compile(rb"[ \t]*[(\[]?(?:[ \t]*\*?[A-Za-z_][\w.]*[ \t]*,)*[ \t]*\Z")
_FOR_WORD = lazy_compile(rb"(?<!\w)for(?!\w)")
_IN_WORD = lazy_compile(rb"(?<!\w)in(?!\w)")


def _bound(data: bytes, names: set[str]) -> bool:
    """May the file bind one of ``names`` anywhere (an over-approximation: any scope, keyword
    arguments, names in strings and comments count)?"""
    for name in sorted(names):
        token = name.encode()
        start = data.find(token)
        while start >= 0:  # C's substring search, then the few occurrences' surroundings
            end = start + len(token)
            if not (_is_word(data, start - 1) or _is_word(data, end)) and (
                _ASSIGNED_AFTER.match(data, end)
                or _UNPACKED_AFTER.match(data, end) and _UNPACKED_BEFORE.match(data, data.rfind(b"\n", 0, start) + 1, start)
                or _AS_BEFORE.search(data, max(0, start - 64), start)
                or _loop_target(data, start, end)
            ):
                return True
            start = data.find(token, end)
    return False


def _is_word(data: bytes, index: int) -> bool:
    """Is the byte at ``index`` part of a name (``\\w``, or any byte of a non-ASCII character)?"""
    if index < 0 or index >= len(data):
        return False
    byte = data[index]
    return byte >= 0x80 or byte == 0x5F or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def _loop_target(data: bytes, start: int, end: int) -> bool:
    """Is the name at ``start:end`` possibly in a ``for`` target: a ``for`` before it and no ``in``
    between (back to the last ``:``, which no target holds), and an ``in`` after it before the next
    ``:`` — over any number of lines."""
    back = data.rfind(b":", 0, start) + 1
    last = None
    for last in _FOR_WORD.finditer(data, back, start):
        pass
    if last is None or _IN_WORD.search(data, last.end(), start):
        return False
    colon = data.find(b":", end)
    return _IN_WORD.search(data, end, len(data) if colon < 0 else colon) is not None


def _resolve(bindings: dict[str, str], dotted: str) -> str | None:
    """The frontend's callee resolution through import bindings."""
    head, _, rest = dotted.partition(".")
    target = bindings.get(head)
    if target is None:
        return "builtins:__import__" if dotted == "__import__" else None
    if not rest:
        return target
    return f"{target}{rest}" if target.endswith(":") else f"{target}.{rest}"


class _Unsure(Exception):
    """The scan met a shape it does not model: the tree-sitter frontend answers instead."""


def scan_python(data: bytes) -> tuple[list[Import], list[tuple[int, str]]] | None:
    """Imports and archlint comments of decoded UTF-8 Python source, or ``None`` when unsure."""
    try:
        scan = _Scan(data)
        imports, suppressions = scan.run()
        if scan.dynamic:  # an alias is imported under its name
            dynamic = scan.dynamic_imports()
            if dynamic:
                imports = sorted(imports + dynamic, key=lambda record: (record.span.line, record.span.column))
        return imports, suppressions
    except _Unsure:
        return None


class _Scan:
    __slots__ = ("data", "strings", "starts", "scanned_to", "ascii", "last_offset", "last_line", "bindings", "next_triple",
                 "dynamic", "prover")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.strings: list[tuple[int, int]] = []  # triple-quoted string ranges, in order
        self.starts: list[int] = []
        self.scanned_to = 0
        self.next_triple = (-1, -1)  # the next `"""` and `'''` at or after where they were last looked for
        self.ascii = data.isascii()
        self.last_offset = 0
        self.last_line = 0
        self.bindings: dict[str, str] = {}  # local name -> module:attr, as the frontend binds them
        # only dynamic imports read the bindings: a file without their callee's name builds none
        self.dynamic = b"import_module" in data or b"__import__" in data
        self.prover = None  # the opaque-import prover, made for the first computed import

    def run(self):
        data = self.data
        imports: list[Import] = []
        consumed = -1  # end of the last statement parsed: an `import` before it is its keyword
        for match in _IMPORT_WORD.finditer(data):
            position = match.start()
            if position < consumed:
                continue
            line_start = data.rfind(b"\n", 0, position) + 1
            statement = _LINE_STATEMENT.match(data, line_start)
            if (
                statement is not None
                and statement.start(2) > consumed
                and (statement.group(2) == b"from" or statement.start(2) == position)
            ):
                keyword_at = statement.start(1) if statement.group(1) else statement.start(2)
                if self._in_string(keyword_at) or self._continued(line_start):
                    continue
                inline = False
            else:
                inline_match = None
                for inline_match in _INLINE_STATEMENT.finditer(data, max(line_start, consumed), position + 6):
                    pass
                if inline_match is None or inline_match.end() != position + 6:
                    continue  # `import` in a string, a comment or a name
                if not self._in_code(inline_match.start()):
                    continue
                if inline_match.group(1):
                    keyword_at = inline_match.start(1)
                else:
                    keyword_at = inline_match.start(2) if inline_match.group(2) else position
                inline = True
            simple = None if inline or keyword_at != line_start else self._simple(keyword_at)
            records, consumed = simple if simple is not None else self._statement(keyword_at, inline)
            imports.extend(records)
        suppressions = []
        if b"archlint" in data:
            for match in _SUPPRESSION.finditer(data):
                comment = self._comment_start(match.start(), match.end())
                if comment is not None:
                    line = data.count(b"\n", 0, comment) + 1
                    text = data[comment : match.end()].rstrip(b"\r").decode("utf-8", "replace")
                    if "archlint" in text:
                        suppressions.append((line, text))
        return imports, suppressions

    # dynamic imports ------------------------------------------------------------------------
    def dynamic_imports(self) -> list[Import]:
        """``importlib.import_module("x")`` / ``__import__("x")`` as the frontend records them: the
        callee resolved through the file's import bindings, the first argument a literal
        (dynamic) or an expression (opaque)."""
        from archlint.domain.arguments import split_arguments

        data = self.data
        bindings = self.bindings
        found: list[Import] = []
        calls = _DYNAMIC_CALL
        aliases = sorted(name for name, target in bindings.items() if target in _DYNAMIC_IMPORTERS)
        if aliases:  # `from importlib import import_module as load`
            names = b"|".join(re.escape(name.encode()) for name in aliases)
            calls = re.compile(_DYNAMIC_CALL.pattern.replace(b"(?:import_module|__import__)", b"(?:import_module|__import__|" + names + b")"))
        for match in self._call_matches(calls, [b"import_module", b"__import__", *(name.encode() for name in aliases)]):
            start = match.start()
            if not self._in_code(start):
                continue
            if data[start - 1 : start] in (b")", b"]"):
                raise _Unsure  # `f().import_module(...)`: a callee the frontend shapes itself
            callee = b"".join(match.group(1).split()).decode()
            resolved = _resolve(bindings, callee)
            if not (resolved in _DYNAMIC_IMPORTERS or callee == "importlib.import_module"):
                continue
            open_paren = match.end() - 1
            close = self._closing(open_paren)
            inner = data[open_paren + 1 : min(close, open_paren + 1 + _ARGS_TEXT_LIMIT)].decode("utf-8", "replace")
            arguments = split_arguments(inner)
            if not arguments or arguments[0].keyword not in ("", "name"):
                continue
            first = arguments[0]
            self.last_offset = self.last_line = 0  # points are counted forward; calls come after imports
            span = self._span(start, close + 1)
            if first.literal is None:
                if not self._proven_opaque(first.text, start):
                    raise _Unsure  # the frontend folds constants into the target (computed imports)
                found.append(Import(first.text, (), OPAQUE, span))  # what folding leaves of it
            else:
                stripped = first.literal.lstrip(".")
                found.append(Import(stripped, (), DYNAMIC, span, len(first.literal) - len(stripped)))
        return found

    def _proven_opaque(self, expression: str, at: int) -> bool:
        """Does constant folding certainly leave ``expression`` as it is, by the file's assignments
        (:mod:`archlint.adapters.frontends.opaque_imports`)?  Django's ``import_module(mod_path)``
        after ``mod_path, _, cls_name = entry.rpartition(".")``."""
        if self.prover is None:
            from archlint.adapters.frontends.opaque_imports import Prover

            self.prover = Prover(self)
        return self.prover.opaque(expression, at)

    def _call_matches(self, calls: re.Pattern, tokens: list[bytes]):
        """``calls.finditer`` over the lines holding one of ``tokens`` only (a callee chain is on
        one line): C's substring search finds them, the regex runs on a few lines, not the file."""
        data = self.data
        lines = set()
        for token in tokens:
            position = data.find(token)
            while position >= 0:
                lines.add(data.rfind(b"\n", 0, position) + 1)
                position = data.find(token, position + len(token))
        for line_start in sorted(lines):
            line_end = data.find(b"\n", line_start)
            yield from calls.finditer(data, line_start, len(data) if line_end < 0 else line_end)

    def _closing(self, open_paren: int) -> int:
        """Offset of the ``)`` closing the call opened at ``open_paren`` (strings skipped)."""
        depth = 0
        for token in _ARGUMENT_TOKEN.finditer(self.data, open_paren):
            text = token.group()
            if text == b"(":
                depth += 1
            elif text == b")":
                depth -= 1
                if depth == 0:
                    return token.start()
            elif text == b"#" or len(text) == 3 and text[0] == text[1] == text[2] and text[:1] in b"'\"":
                raise _Unsure  # comments or triple-quoted strings inside the call
        raise _Unsure

    # strings --------------------------------------------------------------------------------
    def _in_string(self, offset: int) -> bool:
        """Is ``offset`` inside a triple-quoted string?  Finds them lazily, in order."""
        data = self.data
        while self.scanned_to <= offset:
            # The next `"""` or `'''`, by two C substring searches
            # whose answers are kept until passed (a regex alternation stopped at every quote).
            start = self.scanned_to
            double, single = self.next_triple
            if double < start:
                double = data.find(b'"""', start)
                if double < 0:
                    double = len(data) + 1
            if single < start:
                single = data.find(b"'''", start)
                if single < 0:
                    single = len(data) + 1
            self.next_triple = (double, single)
            opening = min(double, single)
            if opening > len(data):
                self.scanned_to = len(data) + 1
                break
            quote = data[opening : opening + 3]
            if not self._prefix_is_code(opening):
                self.scanned_to = opening + 3  # inside a one-line string or a comment
                continue
            end = _TRIPLE_END[quote].match(data, opening + 3)
            close = end.end() if end is not None else len(data)
            self.strings.append((opening, close))
            self.starts.append(opening)
            self.scanned_to = close
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.strings[index][1]

    def _prefix_is_code(self, offset: int) -> bool:
        """No comment or unclosed one-line string between the line start and ``offset``."""
        line_start = self.data.rfind(b"\n", 0, offset) + 1
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and self.strings[index][1] > line_start:
            line_start = self.strings[index][1]  # a triple-quoted string closed on this line
        elif self.data.endswith(b"\\\n", 0, line_start) or self.data.endswith(b"\\\r\n", 0, line_start):
            raise _Unsure  # the line continues the one above, which may be inside a one-line string (`'a\\`)
        return _CODE_PREFIX.match(self.data, line_start, offset).end() == offset

    def _comment_start(self, start: int, end: int) -> int | None:
        """Where the real comment begins among the ``#`` in ``data[start:end]``, if any."""
        position = start
        while 0 <= position < end:
            if self._in_code(position):
                return position
            position = self.data.find(b"#", position + 1, end)
        return None

    def _in_code(self, offset: int) -> bool:
        """``offset`` is not in a comment or one-line string (and not in a triple-quoted one)."""
        return not self._in_string(offset) and self._prefix_is_code(offset)

    # statements -----------------------------------------------------------------------------
    def _continued(self, line_start: int) -> bool:
        """The line continues the previous one (``from a \\`` then ``import b``): not modelled."""
        if line_start < 2:
            return False
        previous = self.data[max(0, line_start - 3) : line_start].rstrip(b"\r\n")
        if previous.endswith(b"\\"):
            raise _Unsure
        return False

    def _simple(self, at: int) -> tuple[list[Import], int] | None:
        """The records of a statement at column 0 in the commonest shapes, ``from .a.b import c, d as e``,
        ``from a import *`` and ``import a.b as c`` on one line, in one regex match each: exactly what
        :meth:`_statement` gives them (a module-level import, runtime and not optional, is in no
        block), and ``None`` for any other shape, which :meth:`_statement` then reads."""
        data = self.data
        if data[at] == 0x66:  # `from`
            match = _SIMPLE_FROM.match(data, at)
            if match is None:
                return None
            dots, module, listed = match.group(1, 2, 3)
            if not module and not dots:
                return None
            name = module.decode() if module else ""
            level = len(dots)
            end = match.end(3)
            if not level and name == "__future__":
                return [], end  # a compiler directive (see _statement)
            if listed == b"*":
                names = ("*",)  # binds nothing the scan can name
            elif b"as" not in listed:
                names = tuple(part.strip() for part in listed.decode().split(","))
                if self.dynamic:
                    prefix = f"{'.' * level}{name}:"
                    self.bindings.update((imported, prefix + imported) for imported in names)
            else:  # `a as b, c`: each part one name, or three words
                parts = [part.split() for part in listed.decode().split(",")]
                names = tuple(words[0] for words in parts)
                if self.dynamic:
                    prefix = f"{'.' * level}{name}:"
                    self.bindings.update((words[-1], prefix + words[0]) for words in parts)
        else:
            match = _SIMPLE_IMPORT.match(data, at)
            if match is None:
                return None
            alias = match.group(2)
            end = match.end(2 if alias else 1)
            name = match.group(1).decode()
            names = ()
            level = 0
            if self.dynamic and alias:
                self.bindings[alias.decode()] = f"{name}:"
            elif self.dynamic:
                top = name.split(".", 1)[0]
                self.bindings[top] = f"{top}:"
        # the line, counted on from the previous point as _point does; the column is 1, and the
        # statement's bytes are ASCII, so its end column is its length (in characters too)
        if at >= self.last_offset:
            self.last_line += data.count(b"\n", self.last_offset, at)
        else:
            self.last_line = data.count(b"\n", 0, at)
        self.last_offset = at
        line = self.last_line + 1
        span = Span(line, 1, line, 1 + end - at)
        return [_new(Import, (name, names, RUNTIME, span, level, False))], end

    def _statement(self, at: int, inline: bool) -> tuple[list[Import], int]:
        data = self.data
        lazy_keyword = data.startswith(b"lazy", at)
        if lazy_keyword:
            at = at + 4 + len(data[at + 4 : at + 40]) - len(data[at + 4 : at + 40].lstrip(b" \t"))
        text, end = self._logical(at)
        binds = self.dynamic
        if text.startswith(b"from"):
            records = self._from(text, binds)
            if records and records[0][0] == "__future__" and not records[0][2]:
                return [], end  # a compiler directive (tree-sitter's future_import_statement), no edge
        else:
            records = self._import(text, binds)
        if records is None:
            raise _Unsure
        span = self._span(at, end)
        if not inline and data[at - 1 : at] in (b"\n", b"") and not lazy_keyword:
            kind, optional = RUNTIME, False  # at column 0, on its own line: in no block (see _context)
        else:
            kind, optional = self._context(at, inline)
        if lazy_keyword:
            kind = LAZY
        if binds:
            for record in records:
                self.bindings.update(record[3])
        return [_new(Import, (module, names, kind, span, level, optional)) for module, names, level, _binds in records], end

    def _logical(self, at: int) -> tuple[bytes, int]:
        """The statement's text (comments and line continuations removed) and its end offset."""
        data = self.data
        simple = _SIMPLE_STATEMENT.match(data, at)
        stop = data[simple.end() : simple.end() + 1]
        if stop in (b"", b"\n", b"\r", b";", b"#"):
            text = simple.group().rstrip()
            return text, at + len(text)
        if stop == b"(":
            group = _PAREN_GROUP.match(data, simple.end())
            if group is not None:
                text = simple.group() + b" ".join(group.group().split())
                return text, simple.end() + len(group.group())
        return self._logical_slow(at)

    def _logical_slow(self, at: int) -> tuple[bytes, int]:
        data = self.data
        pieces: list[bytes] = []
        depth = 0
        position = at
        end = at
        length = len(data)
        while position < length:
            char = data[position]
            if char == 0x23:  # '#'
                newline = data.find(b"\n", position)
                position = length if newline < 0 else newline
                continue
            if char == 0x5C:  # '\\' line continuation
                if data.startswith(b"\r\n", position + 1):
                    position += 3
                elif data.startswith(b"\n", position + 1):
                    position += 2
                else:
                    raise _Unsure
                pieces.append(b" ")
                continue
            if char == 0x0A or char == 0x0D:
                if depth == 0:
                    break
                pieces.append(b" ")
                position += 1
                continue
            if char == 0x3B and depth == 0:  # ';'
                break
            if char == 0x28:
                depth += 1
            elif char == 0x29:
                depth -= 1
                if depth < 0:
                    raise _Unsure
            elif char == 0x27 or char == 0x22:
                raise _Unsure  # a string inside an import statement: not Python we model
            pieces.append(data[position : position + 1])
            if char not in (0x20, 0x09, 0x0C):
                end = position + 1
            position += 1
        if depth:
            raise _Unsure
        return b"".join(pieces), end

    @staticmethod
    def _import(text: bytes, binds: bool = True):
        """``import a.b as c, d`` -> [("a.b", (), 0), ("d", (), 0)] (each with the names it binds,
        when ``binds``)."""
        body = text[len(b"import") :].strip()
        if not body or body.startswith(b"("):
            return None
        records = []
        for part in body.split(b","):
            words = part.split()
            if len(words) == 1:
                module = words[0]
            elif len(words) == 3 and words[1] == b"as":
                module = words[0]
            else:
                return None
            if not _dotted(module):
                return None
            name = module.decode()
            if not binds:
                records.append((name, (), 0, ()))
            elif len(words) == 3:
                records.append((name, (), 0, ((words[2].decode(), f"{name}:"),)))
            else:
                top = name.split(".", 1)[0]
                records.append((name, (), 0, ((top, f"{top}:"),)))
        return records

    @staticmethod
    def _from(text: bytes, binds: bool = True):
        """``from ..a.b import (c as d, e)`` -> [("a.b", ("c", "e"), 2)] (with the names it binds,
        when ``binds``)."""
        match = _FROM.match(text)
        if match is None:
            return None
        dots, module, rest = match.group(1) or b"", match.group(2) or b"", match.group(3).strip()
        level = dots.count(b".")
        module = module.strip()
        if b" " in module or b"\t" in module:
            module = b"".join(module.split())
            if not module:
                return None
        if module and _DOTTED_NAME.fullmatch(module) is None:
            return None
        if not module and not dots.strip():
            return None
        if rest.startswith(b"(") and rest.endswith(b")"):
            rest = rest[1:-1]
        elif b"(" in rest or b")" in rest:
            return None
        name = module.decode()
        if rest.strip() == b"*":
            return [(name, ("*",), level, ())]
        prefix = f"{'.' * level}{name}:"
        if _PLAIN_NAMES.fullmatch(rest) is not None:  # `a, b, c` (most): no alias, every name valid
            names = tuple(part for part in (piece.strip() for piece in rest.decode().split(",")) if part)
            return [(name, names, level, tuple((imported, prefix + imported) for imported in names) if binds else ())]
        names = []
        bound = []
        parts = rest.split(b",")
        if parts and not parts[-1].strip():
            parts.pop()
        fullmatch = _NAME.fullmatch
        for part in parts:
            words = part.split()
            count = len(words)
            if count == 1 or (count == 3 and words[1] == b"as"):
                if fullmatch(words[0]) is None:
                    return None
                imported = words[0].decode()
                names.append(imported)
                bound.append((words[-1].decode() if count == 3 else imported, prefix + imported))
            else:
                return None
        if not names:
            return None
        return [(name, tuple(names), level, tuple(bound) if binds else ())]

    # positions ------------------------------------------------------------------------------
    def _span(self, start: int, end: int) -> Span:
        line, column = self._point(start)
        if self.ascii and _one_line(self.data, start, end):  # one line: no second count
            return Span(line, column, line, column + end - start)
        end_line, end_column = self._point(end)
        return Span(line, column, end_line, end_column)

    def _point(self, offset: int) -> tuple[int, int]:
        """1-based line and character column; statements arrive in order, so lines are counted
        from the previous point (C's ``bytes.count``), never from the file start again."""
        data = self.data
        if offset >= self.last_offset:
            self.last_line += data.count(b"\n", self.last_offset, offset)
        else:
            self.last_line = data.count(b"\n", 0, offset)
        self.last_offset = offset
        line_start = data.rfind(b"\n", 0, offset) + 1
        if self.ascii:
            return self.last_line + 1, offset - line_start + 1
        return self.last_line + 1, len(data[line_start:offset].decode("utf-8", "replace")) + 1

    # context: runtime / lazy / type-only ----------------------------------------------------
    def _context(self, at: int, inline: bool) -> tuple[str, bool]:
        """The import's kind and whether it is optional, from its enclosing block headers,
        innermost first (the frontend's ``_import_context`` and ``_guarded_by_import_error``)."""
        data = self.data
        line_start = data.rfind(b"\n", 0, at) + 1
        state = _Walk()
        done = False
        if inline and _HEADER.match(data, line_start):
            # `def f(): import x` / `try: import x` / `if TYPE_CHECKING: x = 1; import y`
            done = state.enter(self._classify(line_start), line_start)
        indent = _indent(data, line_start)
        position = line_start
        while not done and indent > 0 and position > 0:
            position = data.rfind(b"\n", 0, position - 1) + 1
            if self._in_string(position) or self._blank(position):
                continue
            width = _indent(data, position)
            if width >= indent:
                continue
            header = self._header_line(position)
            done = state.enter(self._classify(header), header)
            indent = _indent(data, header)
            position = header
        optional = state.suppressed or any(self._catches_import_error(header) for header in state.trys)
        return state.kind or RUNTIME, optional

    def _catches_import_error(self, header: int) -> bool:
        """Does the ``try:`` at ``header`` have an ``except`` that catches ImportError (or a
        base of it, or everything)?  Its clauses are the lines at the try's indentation after
        its body."""
        data = self.data
        width = _indent(data, header)
        position = data.find(b"\n", header)
        while 0 <= position < len(data):
            line = position + 1
            position = data.find(b"\n", line)
            if self._in_string(line) or self._blank(line):
                continue
            indent = _indent(data, line)
            if indent > width:
                continue  # the try body, or an except clause's body
            if indent < width:
                return False
            clause = _EXCEPT.match(data, line + indent)
            if clause is None:
                return False  # else:, finally: or the next statement
            caught = clause.group(1)
            if caught is None:
                caught = self._caught_over_lines(line + indent)
            caught = caught.strip()
            if not caught:
                return True  # a bare except
            names = {name.rsplit(b".", 1)[-1] for name in _DOTTED.findall(caught)}
            if names & _IMPORT_ERRORS:
                return True
        return False

    def _caught_over_lines(self, at: int) -> bytes:
        """The exceptions of an ``except (`` clause whose parenthesised tuple goes on over lines
        (a comment after each name, black's layout): the names, comments and newlines dropped;
        ``except*`` or anything else: not modelled."""
        if _EXCEPT_OPEN.match(self.data, at) is None:
            raise _Unsure
        text, _end = self._logical_slow(at)  # comments and newlines inside the brackets removed; a string: unsure
        clause = _EXCEPT_TUPLE.match(text)
        if clause is None:
            raise _Unsure
        return clause.group(1)

    def _blank(self, line_start: int) -> bool:
        data = self.data
        index = _INDENT.match(data, line_start).end()
        return index >= len(data) or data[index] in (0x0A, 0x0D, 0x23)

    def _header_line(self, position: int) -> int:
        """The first line of the block header that the line at ``position`` belongs to: itself,
        or for the last line of a multi-line signature (``) -> int:``) the ``def f(`` line above
        it at the same indentation, which must leave a bracket open."""
        data = self.data
        if _HEADER.match(data, position):
            return position
        width = _indent(data, position)
        cursor = position
        while cursor > 0:
            cursor = data.rfind(b"\n", 0, cursor - 1) + 1
            if self._in_string(cursor) or self._blank(cursor):
                continue
            if _indent(data, cursor) <= width:
                newline = data.find(b"\n", cursor)
                line = data[cursor : len(data) if newline < 0 else newline]
                opened = line.count(b"(") + line.count(b"[") + line.count(b"{") \
                    - line.count(b")") - line.count(b"]") - line.count(b"}")
                if _HEADER.match(data, cursor) and opened > 0:
                    return cursor
                raise _Unsure
        raise _Unsure

    def _classify(self, header: int) -> str:
        """The header's role: "def", "class", "try", "typing" (``if TYPE_CHECKING:``) or "block"."""
        match = _HEADER.match(self.data, header)
        if match is None:
            raise _Unsure
        if match.group(2):
            return "def"
        if match.group(3):
            return "typing" if _TYPE_CHECKING_IF.match(self.data, header) else "block"
        keyword = match.group(4)
        if keyword == b"with":
            suppress = _SUPPRESS.match(self.data, header)
            if suppress is not None and {n.rsplit(b".", 1)[-1] for n in _DOTTED.findall(suppress.group(1))} & _IMPORT_ERRORS:
                return "suppress"  # `with contextlib.suppress(ImportError):` — an optional import
        return keyword.decode() if keyword in (b"class", b"try") else "block"


class _Walk:
    """Headers met walking outward from an import: the innermost def makes it lazy, the innermost
    ``if TYPE_CHECKING:`` type-only; the ``try:`` bodies before the enclosing def/class decide
    whether it is optional (the frontend's ``_guarded_by_import_error``)."""

    __slots__ = ("kind", "guarded", "trys", "suppressed")

    def __init__(self) -> None:
        self.kind: str | None = None
        self.guarded = True  # a try: still counts (no def/class passed yet)
        self.trys: list[int] = []  # headers of the try: bodies the import sits in, innermost first
        self.suppressed = False  # inside `with contextlib.suppress(ImportError):`

    def enter(self, role: str, header: int) -> bool:
        """Take one header; True when the walk can stop (the enclosing def decides both)."""
        if role == "try" and self.guarded:
            self.trys.append(header)
        elif role == "suppress" and self.guarded:
            self.suppressed = True
        elif role == "def":
            self.kind = self.kind or LAZY
            return True
        elif role == "class":
            self.guarded = False
        elif role == "typing" and self.kind is None:
            self.kind = TYPE_ONLY
        return False


def _one_line(data: bytes, start: int, end: int) -> bool:
    return data.find(b"\n", start, end) < 0


_new = tuple.__new__  # a record without the NamedTuple's Python-level __new__ (hot path)


_INDENT = re.compile(rb"[ \t\f]*")


def _indent(data: bytes, line_start: int) -> int:
    return _INDENT.match(data, line_start).end() - line_start


_DOTTED_NAME = re.compile(rb"[^\W\d]\w*(?:\.[^\W\d]\w*)*")  # names joined by dots: `_NAME` for each part


def _dotted(module: bytes) -> bool:
    return _DOTTED_NAME.fullmatch(module) is not None


def compare_file(path: str, raw: bytes) -> str | None:
    """Scanner vs tree-sitter frontend on one Python file: ``""`` when their heads agree, else
    the first difference; ``None`` when the scanner handed the file to the frontend."""
    from archlint.adapters.frontends import python

    head = python_head(path, raw)
    reference = python.extract(path, raw, full=False)
    if head is None:
        lean = python.extract(path, raw, lean=True)  # what a layers-only run asks the frontend instead
        if lean.imports != reference.imports or lean.suppressions != reference.suppressions or lean.has_body:
            return f"the lean head differs: {lean.imports!r:.200} vs {reference.imports!r:.200}"
        return None
    if any(p.rule == "AL001" for p in reference.problems):
        return ""  # the interpreter cannot import the file: its imports are moot
    if head.imports != reference.imports:
        ours, theirs = set(head.imports), set(reference.imports)
        missing = sorted(theirs - ours)[:2]
        extra = sorted(ours - theirs)[:2]
        return f"imports differ: frontend only {missing}, scanner only {extra}"
    for name in ("suppressions", "signals", "lines", "problems"):
        if getattr(head, name) != getattr(reference, name):
            return f"{name} differ: {getattr(head, name)!r:.120} vs {getattr(reference, name)!r:.120}"
    return ""
