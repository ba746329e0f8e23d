"""The cheap pass for JavaScript / TypeScript: a file's *head* (imports, suppressions, signals)
from its bytes, with C-backed ``re`` and no syntax tree.

Why: the layer and cycle rules read the import graph alone, and a tree-sitter parse of a TS
file costs more than everything else the head needs (effect's 625 files, 24.8 MB: the parse
was 40% of the frontend's head, and the head carried a whole body and IR besides).  tree-sitter
stays the reference: :func:`js_head` yields exactly the ``Import`` records and suppressions the
frontend yields, or ``None`` when it cannot be sure, and the caller asks the frontend instead.
It is sure for ES-module import / export-from statements (default, namespace and named
clauses, ``import type`` / ``export type``, per-specifier ``type``).  It defers a file with a
``require`` or ``import(`` (their kind depends on the enclosing function and ``try``), a
decorator in code (ESM imports may then be *deferred*, see the frontend's
``lazy_esm_imports``), JSX, HTML comments, a keyword inside a template, a regular expression it
cannot tell from a division, an import statement of a shape it does not model (a string name,
import attributes, ``import x = …``) — and, when ``signals`` are asked, a file with a string
the frontend would keep (SQL or a DB URL) or a ``define`` (Sequelize's model definition): those
files are data-layer candidates, and their one parse gives the body and IR as well — or a
re-export (``export … from``): the deep scope follows imported names through a barrel's
re-exports, which it reads from the body.

Lexing: comments, strings, templates (with nested ``${}``) and regular expressions are found by
one search per token start; a ``/`` is a regular expression after an operator or a keyword,
a division after a name, a number or a closing bracket — and where that guess could hide a
quote or a comment (a ``/`` after ``)`` or ``}`` whose would-be regex holds one), the file is
deferred.  ``tests/test_js_scanner.py`` holds scanner and frontend to one answer.
"""

from __future__ import annotations

import bisect
import re

from archlint.adapters.frontends.source import JS_FILE_DB_URL as _FILE_DB_URL
from archlint.adapters.frontends.source import JS_SQL_CANDIDATE as _SQL_CANDIDATE
from archlint.adapters.frontends.source import JS_SUPPRESSION as _SUPPRESSION
from archlint.adapters.frontends.source import JS_URL_CANDIDATE as _URL_CANDIDATE
from archlint.adapters.frontends.source import decode, has_signal
from archlint.domain.facts import RUNTIME, TYPE_ONLY, FileFacts, Import, Span

# A token start (a slash, a quote, a backtick; braces too inside a template's ${…}), with the
# comment or string it opens taken whole: a match of one byte is a slash, a backtick, a brace or
# an unterminated string.  One leading character class lets the engine skip to candidates fast.
_LEXEMES = (rb"""(?:(?<=/)/[^\n\r]*+|(?<=/)\*[\s\S]*?\*/"""
            rb"""|(?<=')(?:[^'\\\n\r]++|\\(?:\r\n|[\s\S]))*+'|(?<=")(?:[^"\\\n\r]++|\\(?:\r\n|[\s\S]))*+")?""")
_TOKEN = re.compile(rb"""[/'"`]""" + _LEXEMES)
_TOKEN_NESTED = re.compile(rb"""[/'"`{}]""" + _LEXEMES)
_TEMPLATE_PART = re.compile(rb"(?:[^`\\$]++|\\[\s\S]|\$(?!\{))*+(`|\$\{)")
_REGEX = re.compile(rb"/(?![*/])(?:[^/\\\[\n\r]|\\[^\n\r]|\[(?:[^\]\\\n\r]|\\[^\n\r])*\])+/[A-Za-z]*")
_LINE_END = re.compile(rb"[\n\r]")
_REGEX_KEYWORDS = frozenset(
    b"return typeof case do else in of new delete void throw instanceof yield await extends".split()
)
_NAME_BYTE = re.compile(rb"[\w$]")
_WORD_BEFORE = re.compile(rb"[\w$]+$")
# What the lexer must look at as code: the import keywords, names whose call makes a deferral,
# and decorators.  (`x.import` / `x.require` are members, not these.)
_KEYWORD = re.compile(rb"(?:import|export)(?![\w$])")  # searched in the code alone (see _Scan.code)
_DEFERRING = re.compile(rb"require(?![\w$])|@")
_DEFINE = re.compile(rb"define(?![\w$])")
_EXPORT_HEAD = re.compile(rb"export\s*+(?:type\s++)?[{*]")  # an export that may name a source
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")

_WS = rb"(?:\s++|//[^\n\r]*+|/\*[\s\S]*?\*/)*+"  # whitespace and comments between tokens
_NAME = rb"[A-Za-z_$\x80-\xff][\w$\x80-\xff]*+"
_SPEC_STRING = rb"""(?:'[^'\\\n\r]*'|"[^"\\\n\r]*")"""
_SPECIFIER = rb"(?:type(?![\w$\x80-\xff])" + _WS + rb"(?=[A-Za-z_$\x80-\xff]))?" + _NAME + rb"(?:" + _WS + rb"as" + _WS + _NAME + rb")?"
_SPECIFIERS = rb"\{" + _WS + rb"(?:" + _SPECIFIER + rb"(?:" + _WS + rb"," + _WS + _SPECIFIER + rb")*" + _WS + rb",?" + _WS + rb")?\}"
_SOURCE = rb"(?P<source>" + _SPEC_STRING + rb")"
_IMPORT = re.compile(
    rb"import(?P<type>" + _WS + rb"type(?=\s|/[/*]|\{|\*))?" + _WS
    + rb"(?:(?P<clause>(?:(?P<default>" + _NAME + rb")(?:" + _WS + rb"," + _WS + rb"(?=[{*]))?)?"
    + rb"(?:(?P<namespace>\*)" + _WS + rb"as" + _WS + _NAME + rb"|(?P<named>" + _SPECIFIERS + rb"))?)" + _WS + rb"from" + _WS + rb")?"
    + _SOURCE
)
_EXPORT = re.compile(
    rb"export(?P<type>" + _WS + rb"type(?=\s|/[/*]|\{|\*))?" + _WS
    + rb"(?:(?P<star>\*)(?:" + _WS + rb"as" + _WS + _NAME + rb")?|(?P<named>" + _SPECIFIERS + rb"))" + _WS + rb"from" + _WS + _SOURCE
)
_EXPORT_FROM_LESS = re.compile(
    rb"export" + _WS + rb"(?:type" + _WS + rb")?(?:\{[^}]*\}" + _WS + rb"(?P<source>from)?|(?P<star>\*))"
)
_SPECIFIER_PARTS = re.compile(rb"(?:(type)(?![\w$\x80-\xff])" + _WS + rb"(?=[A-Za-z_$\x80-\xff]))?(" + _NAME + rb")(?:" + _WS + rb"as" + _WS + _NAME + rb")?")
_COMMENT_IN = re.compile(rb"//[^\n\r]*|/\*[\s\S]*?\*/")
_NEXT_TOKEN = re.compile(_WS + rb"(with|assert|;|\S)?")
_JSX_SUFFIXES = (".tsx", ".jsx")

# Kinds of the ranges the lexer finds (code is everything between them)
_COMMENT, _STRING_KIND, _TEMPLATE, _REGEX_KIND = range(4)


class _Unsure(Exception):
    """The scanner cannot be sure of this file's answer: the frontend decides."""


def js_head(path: str, raw: bytes, language: str, signals: bool = True) -> FileFacts | None:
    """The frontend's head of one JS/TS file (imports, suppressions, lines, decoding problems,
    ``signals``) without a parse, or ``None`` when the scanner defers to the frontend.  The head
    has no syntax verdict (``syntax_checked`` is False) and no body or IR: they come from one
    parse, when a rule reads them.  ``signals=False`` leaves ``facts.signals`` unknown (``None``)."""
    if path.lower().endswith(_JSX_SUFFIXES):
        return None
    facts = FileFacts(path=path, language=language, content_hash="", signals=None if not signals else "")
    facts.lines = raw.count(b"\n") + (not raw.endswith(b"\n")) if raw else 0
    decoded = decode(raw, language)
    facts.problems.extend(decoded.problems)
    data = decoded.data
    if decoded.skip or not data.strip():
        return facts  # what the frontend returns too: no parse, nothing to check
    try:
        facts.imports, facts.suppressions = _Scan(data, signals, path.lower().endswith((".ts", ".mts", ".cts"))).run()
    except _Unsure:
        return None
    facts.syntax_checked = False
    return facts


class _Scan:
    def __init__(self, data: bytes, signals: bool, typescript: bool) -> None:
        self.data = data
        self.signals = signals
        self.typescript = typescript  # the TypeScript grammar: no JSX
        self.starts: list[int] = []  # non-code ranges, in order
        self.ends: list[int] = []
        self.kinds: list[int] = []

    def run(self) -> tuple[list[Import], list[tuple[int, str]]]:
        data = self.data
        if b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data or (b"</" in data or b"/>" in data) and not self.typescript:
            raise _Unsure  # Unicode line separators (comments end there); JSX (the JavaScript grammar reads it in .js files)
        self.lex()
        imports: list[tuple[int, int, Import]] = []
        lines = _LineIndex(data)
        code = self.code()
        if b"<!--" in code:
            raise _Unsure  # an HTML comment (a string may hold the text: `"<!-- x -->"` in an XML encoder)
        # a CommonJS import (its kind reads the scope), a decorator (ESM imports may be deferred), or
        # maybe Sequelize's `x.define('User', {…})` (a data-layer file) when signals are asked
        if any(_standalone(code, m.start(), True) for m in _DEFERRING.finditer(code)) \
                or self.signals and any(_standalone(code, m.start(), True) for m in _DEFINE.finditer(code)):
            raise _Unsure
        for match in _KEYWORD.finditer(code):
            start = match.start()
            if not _standalone(code, start):
                continue
            word = match.group()
            if word == b"export" and not _EXPORT_HEAD.match(code, start):
                continue  # `export const …`, `export default …`: no source
            found = self.statement(word, start, lines, code)
            if found is not None:
                imports.append(found)
        if self.signals:
            self.check_signals()
        imports.sort(key=lambda item: (item[0], item[1]))
        return [record for _line, _column, record in imports], self.suppressions(lines)

    # -- lexing -------------------------------------------------------------------------------
    def lex(self) -> None:
        data = self.data
        pos = 1 if data.startswith(b"#!") else 0  # a hashbang line is not a comment
        if pos:
            pos = _line_end(data, 0)
        depth: list[int] = []  # open braces inside each enclosing template substitution
        size = len(data)
        starts_append, ends_append, kinds_append = self.starts.append, self.ends.append, self.kinds.append
        while pos < size:
            match = (_TOKEN_NESTED if depth else _TOKEN).search(data, pos)
            if match is None:
                if depth:
                    raise _Unsure
                return
            start, pos = match.span()
            token = data[start]
            if pos - start > 1:  # a whole comment or string
                starts_append(start)
                ends_append(pos)
                kinds_append(_COMMENT if token == 0x2F else _STRING_KIND)
                continue
            if token == 0x2F:  # "/"
                if data.startswith(b"/*", start):
                    raise _Unsure  # an unterminated block comment
                pos = self.slash(start)
            elif token in b"'\"":
                raise _Unsure  # an unterminated string
            elif token == 0x60:  # "`"
                pos = self.template(start + 1, start, depth)
            elif token == 0x7B:  # "{" inside a substitution
                depth[-1] += 1
                pos = start + 1
            else:  # "}"
                if depth[-1]:
                    depth[-1] -= 1
                    pos = start + 1
                else:  # the substitution closes: the template goes on
                    depth.pop()
                    pos = self.template(start + 1, start, depth)

    def template(self, pos: int, start: int, depth: list[int]) -> int:
        """Lex template text from ``pos`` (after a backtick or a substitution's ``}``)."""
        found = _TEMPLATE_PART.match(self.data, pos)
        if found is None:
            raise _Unsure
        self.add(start, found.end(), _TEMPLATE)
        if found.group(1) == b"${":
            depth.append(0)
        return found.end()

    def slash(self, start: int) -> int:
        data = self.data
        regex = _REGEX.match(data, start)
        before = start - 1
        while before >= 0 and data[before] in b" \t\r\n":
            before -= 1
        previous = data[before] if before >= 0 else 0x28  # the file's start: an expression may begin
        if _NAME_BYTE.match(data, before) if before >= 0 else False:
            word = _WORD_BEFORE.search(data, max(0, before - 16), before + 1)  # the keywords are short
            is_regex = word is not None and word.group() in _REGEX_KEYWORDS
            sure = True
        elif previous in b")]}":
            is_regex, sure = False, previous == 0x5D  # `)` / `}` may end a statement head or a block
        elif previous in b"'\"`":
            is_regex, sure = False, True
        else:
            is_regex, sure = True, True
        if is_regex:
            if regex is None:
                raise _Unsure
            self.add(start, regex.end(), _REGEX_KIND)
            return regex.end()
        if regex is not None and not sure and (_HIDES.search(regex.group(), 1) or b"\\" in regex.group()):
            raise _Unsure  # a division that could be a regex holding a quote, a comment start or an escape
        return start + 1

    def code(self) -> bytes:
        """The file's code at its own offsets: every comment, string, template text and regex
        blanked to spaces (``@`` in a JSDoc comment, ``import`` in an example, are not code)."""
        data, pieces, last = self.data, [], 0
        for start, end in zip(self.starts, self.ends):
            pieces.append(data[last:start])
            pieces.append(b" " * (end - start))
            last = end
        pieces.append(data[last:])
        return b"".join(pieces)

    def add(self, start: int, end: int, kind: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.kinds.append(kind)

    def kind_at(self, offset: int) -> int | None:
        """The kind of non-code range holding ``offset``, ``None`` in code."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return self.kinds[index]
        return None

    # -- statements ---------------------------------------------------------------------------
    def statement(self, word: bytes, start: int, lines: _LineIndex, code: bytes) -> tuple[int, int, Import] | None:
        data = self.data
        if word == b"import":
            match = _IMPORT.match(data, start)
            if match is None:
                follow = _NEXT_TOKEN.match(data, start + 6)
                if follow.group(1) in (b".", b":"):
                    return None  # import.meta; a property named `import` (`readonly import: Import`)
                raise _Unsure  # import(…), import x = …, a shape not modelled
        else:
            match = _EXPORT.match(data, start)
            if match is None:
                braces = _EXPORT_FROM_LESS.match(code, start)  # comments blanked: `{@link X}` is no brace
                if braces is not None and (braces.group("star") or braces.group("source")):
                    raise _Unsure  # `export * …` / `export {…} from` of a shape the pattern does not read
                return None  # export of a declaration or of local names: no import
        if word == b"export" and match.group("type") and match.group("star"):
            raise _Unsure  # `export type * from`: the grammar reads it as a runtime re-export
        if word == b"export" and self.signals:
            # a barrel, in a run whose rules read bodies: the deep scope follows names through its re-exports
            # (domain/callers.py reads them from the frontend's body), so the one parse gives it that body
            raise _Unsure
        source = match.group("source")
        if any(self.kind_at(i) != _STRING_KIND for i in (match.start("source"),)):
            raise _Unsure
        for index in range(start, match.start("source")):  # a string inside the clause: a string name
            if data[index] in b"'\"" and self.kind_at(index) == _STRING_KIND:
                raise _Unsure
        if b"\\" in source:
            raise _Unsure
        end = self.statement_end(match.end())
        names, flags = self.names(word, match)
        type_only = match.group("type") is not None or (bool(flags) and all(flags))
        record = Import(source[1:-1].decode("utf-8", "replace"), tuple(names), TYPE_ONLY if type_only else RUNTIME,
                        self.span(start, end, lines))
        return record.span.line, record.span.column, record

    def statement_end(self, after_source: int) -> int:
        data = self.data
        follow = _NEXT_TOKEN.match(data, after_source)
        token = follow.group(1)
        if token == b";":
            if b"\n" in data[after_source : follow.start(1)] or b"\r" in data[after_source : follow.start(1)] \
                    or _COMMENT_IN.search(data, after_source, follow.start(1)):
                raise _Unsure  # a semicolon the grammar may or may not take into the statement
            return follow.end(1)
        if token in (b"with", b"assert"):
            raise _Unsure  # import attributes
        if token is not None and not (b"\n" in data[after_source : follow.start(1)] or b"\r" in data[after_source : follow.start(1)]):
            raise _Unsure  # more on the line: not a statement the pattern reads whole
        return after_source

    def names(self, word: bytes, match: re.Match) -> tuple[list[str], list[bool]]:
        names: list[str] = []
        flags: list[bool] = []
        if word == b"import":
            clause = match.group("clause")
            if clause and match.group("default"):
                if match.group("default") in (b"type",):
                    raise _Unsure  # `import type from …` / `import type, {…}`: the grammar decides
                names.append("default")
                flags.append(False)
            if clause == b"" and match.group("source") is not None and match.start("source") > match.start("clause"):
                raise _Unsure  # `import type from "m"`: `type` is the default import's name, or a modifier
            if match.group("namespace"):
                names.append("*")
                flags.append(False)
        named = match.group("named")
        if named is not None:
            body = _COMMENT_IN.sub(b" ", named[1:-1])
            for part in body.split(b","):
                part = part.strip()
                if not part:
                    continue
                spec = _SPECIFIER_PARTS.fullmatch(part)
                if spec is None or _TYPE_AS.match(part):
                    raise _Unsure
                names.append(spec.group(2).decode("utf-8", "replace"))
                flags.append(spec.group(1) is not None)
        elif word == b"export":
            names.append("*")
        return names, flags

    def span(self, start: int, end: int, lines: _LineIndex) -> Span:
        return Span(lines.point(start)[0] + 1, lines.column(start), lines.point(end)[0] + 1, lines.column(end))

    # -- comments and signals -----------------------------------------------------------------
    def suppressions(self, lines: _LineIndex) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        seen = set()
        for match in _SUPPRESSION.finditer(self.data):
            index = bisect.bisect_right(self.starts, match.start()) - 1
            if index < 0 or match.end() > self.ends[index] or self.kinds[index] != _COMMENT or index in seen:
                continue
            seen.add(index)
            start = self.starts[index]
            found.append((lines.point(start)[0] + 1, self.data[start : self.ends[index]].decode("utf-8", "replace")))
        return found

    def check_signals(self) -> None:
        """Defer a file with a string the frontend would keep as a signal (or one it might)."""
        data = self.data
        for pattern in (_SQL_CANDIDATE, _URL_CANDIDATE):
            for match in pattern.finditer(data):
                index = bisect.bisect_right(self.starts, match.start()) - 1
                inside = index >= 0 and match.start() < self.ends[index]
                kind = self.kinds[index] if inside else None
                if kind == _COMMENT or kind == _REGEX_KIND:
                    continue
                if kind == _STRING_KIND:
                    text = _cooked(data[self.starts[index] + 1 : self.ends[index] - 1])
                    if text is None or has_signal(text) or _FILE_DB_URL.search(text):
                        raise _Unsure
                    continue
                if kind is None:
                    continue  # in code (`{ file: x }`): the frontend finds no string there
                raise _Unsure  # in a template: its cooked text is the frontend's to judge


_TYPE_AS = re.compile(rb"type\s+as\b")  # `{ type as x }`: a name `type`, or `as` typed? the grammar decides
_HIDES = re.compile(rb"['\"`]|/[/*]")


def _cooked(body: bytes) -> str | None:
    """A plain string's value as the frontend cooks it; ``None`` when escapes make it unsure."""
    if b"\\" in body:
        return None
    return body.decode("utf-8", "replace")


def _standalone(code: bytes, start: int, members: bool = False) -> bool:
    """The word at ``start`` is a name of its own, not the tail of a name nor (unless ``members``)
    a member (`x.import`); a spread (`...require(…)`, `...import(…)`) is no member."""
    if start == 0:
        return True
    before = code[start - 1]
    if before >= 0x80 or before in _NAME_BYTES:
        return False
    return members or before != 0x2E or code[max(0, start - 3) : start] == b"..."


def _line_end(data: bytes, start: int) -> int:
    found = _LINE_END.search(data, start)
    return found.start() if found is not None else len(data)


class _LineIndex:
    """Byte offset -> (row, byte column), rows counted at ``\\n`` as tree-sitter counts them
    (asked a few times per file: counted in C each time, no table of the file's lines)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def point(self, offset: int) -> tuple[int, int]:
        return self.data.count(b"\n", 0, offset), offset - (self.data.rfind(b"\n", 0, offset) + 1)

    def column(self, offset: int) -> int:
        """The 1-based character column of ``offset`` (as :class:`Columns` counts it)."""
        prefix = self.data[self.data.rfind(b"\n", 0, offset) + 1 : offset]
        return len(prefix) + 1 if prefix.isascii() else len(prefix.decode("utf-8", "replace")) + 1


def compare_file(path: str, raw: bytes, language: str) -> str | None:
    """Scanner vs tree-sitter frontend on one JS/TS file, in both modes (a layers-only run's
    head, and the head of a run whose rules read bodies): ``""`` when they agree, else the first
    difference; ``None`` when the scanner handed the file to the frontend in both."""
    from archlint.adapters.frontends import javascript

    reference = javascript.extract(path, raw, language, full=False)
    scanned = False
    for signals in (False, True):
        head = js_head(path, raw, language, signals)
        if head is None:
            continue
        scanned = True
        if head.imports != reference.imports:
            ours, theirs = set(head.imports), set(reference.imports)
            return (f"imports differ (signals={signals}): frontend only {sorted(theirs - ours)[:2]}, "
                    f"scanner only {sorted(ours - theirs)[:2]}")
        problems = [p for p in reference.problems if p.rule != "AL001"]  # the scan has no syntax verdict
        expected = (reference.suppressions, reference.lines, problems, reference.signals if signals else None)
        if (head.suppressions, head.lines, head.problems, head.signals) != expected:
            return f"head differs (signals={signals}): {(head.suppressions, head.lines, head.problems, head.signals)!r:.200} vs {expected!r:.200}"
    return "" if scanned else None
