"""Is a JS/TS file really invalid?  tree-sitter's verdict, minus the grammars' known gaps.

The tree-sitter JavaScript and TypeScript grammars (0.25 / 0.23.2, the newest published on PyPI and
npm alike) reject a handful of constructs that node and tsc accept — mostly in ``.d.ts`` files,
where a false "syntax error" is pure noise.  No maintained grammar parses them (the upstream issues
are open), so archlint recognises each construct by its exact shape and rewrites it to text of the
*same length* that the grammar does parse, then parses again: only errors that survive are
reported, at their real (unchanged) positions.  When the rewrite parses without error, its tree is
also the one the facts and the IR are built from (``parse_without_gaps``): the first tree's error
recovery can swallow everything after the gap (effect 4.1.5's ``Function.ts`` lost ``dual`` and
the whole file with it).  The rewrites run only for files whose first parse
has an error, and each is narrow enough that it cannot turn a real mistake into valid code in any
way that matters at runtime (they touch TypeScript-only syntax, erased before anything runs).

Known gaps (upstream tree-sitter-typescript / tree-sitter-javascript issues):

* ``using`` as a plain name (``using += 1``, ``using(x)``): read as the resource-management keyword;
* ``export type * from './m'`` / ``export type * as ns from './m'`` (TS 5.0; issue #348);
* ``accessor`` fields (``static accessor x = 1``; TS 4.9, decorators proposal);
* variance annotations on type parameters (``interface P<out T>``, ``<in T>``, ``<in out T>``; TS 4.7);
* an import type before type arguments or brackets, or inside parentheses
  (``import("./x.js").Foo<T>``, ``(import("./x").A | B)[]``; issue #322);
* a generic function type as the first type argument (``g<<C>(c: C) => C>()``: read as ``<<``);
* escapes inside a template literal type (``type T = `a\\`b```, ``$\\{x\\}``);
* a member named ``abstract`` (``abstract?: boolean``) or ``accessor`` (``accessor(v?: string)``);
* call signatures separated by line breaks instead of ``;`` (``<A>(a: A): B`` then ``(n: number): C``:
  Effect's style, vite's ``importGlob.d.ts``);
* ``import defer * as ns from`` (TS 5.9) and ``import source x from`` (source-phase imports);
* type arguments on a tagged template (``sql<{ count: number }>`SELECT …```);
* ``as`` as a variable name (``let as = …``) and ``in`` as an interface member name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from archlint.domain.facts import ParseProblem

_WHITESPACE = re.compile(r"\s+")
# The patterns below start with a literal (a word-boundary or "not after" test is a look-behind placed
# after it), so the regex engine jumps between occurrences of that literal instead of trying a match at
# every byte: the rewrites of effect's 187 files that need them took 1.3 s, now a tenth of that.
_NAME = rb"[A-Za-z_$\x80-\xff][\w$\x80-\xff]*"

# `using` followed by something a declaration can never be followed by: an assignment, a member
# access, a call, a closing bracket, a separator, a template.
_USING_AS_NAME = re.compile(rb"using(?<=\busing)(?=\s*(?:[-+*/%&|^]?=(?!=)|\.|\[|\(|`|\)|,|;|:|\?))")
_EXPORT_TYPE_STAR = re.compile(rb"export(?<=\bexport)\s+(type)(?=\s*\*)")
_ACCESSOR = re.compile(rb"(accessor)(?<![\w$.]accessor)(?=[ \t]+(?!(?:in|instanceof|as|satisfies)\b)[#\w$\[\x80-\xff'\"])")
# (Comments may sit between `<` and the modifier; written so that no text can be matched two ways,
# which would make a failed match backtrack for ever.)
_VARIANCE = re.compile(rb"[<,](?:\s|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|//[^\n]*\n)*(in\s+out|in|out)(?=\s+" + _NAME + rb"\s*(?:[,>=]|extends\b))")
# `import("./x").Foo` as a type is fine alone, but not before `<T>` / `[]` or inside `( … )`: the
# whole import type becomes one identifier of the same length (`_____________<T>` is a plain
# generic type reference, and a real `import("./x").then(…)` stays a valid call).
_IMPORT_TYPE = re.compile(rb"import(?<=\bimport)\s*\(\s*['\"][^'\"\n]*['\"]\s*\)(?:\s*\.\s*" + _NAME + rb")+")
_GENERIC_FUNCTION_TYPE_ARG = re.compile(rb"[\w$)\]]\s*(<)<(?=\s*" + _NAME + rb"\s*(?:extends\b|,|>))")
# Template literal *types* take no escapes (`a\`b`, `$\{x\}`); blanking an escape of one of these
# characters keeps any string, template or regex it sits in valid (quotes are never touched).
# A match is a run of an odd number of backslashes (not preceded by another) and the character:
# its last backslash escapes it (see _blank_template_escapes).
_TEMPLATE_ESCAPE = re.compile(rb"\\(?<!\\\\)(?:\\\\)*[`{}$]")
# A member named like a modifier: `abstract: boolean` in an interface, `accessor(…)` in a class.
_MODIFIER_AS_NAME = re.compile(
    rb"a(?:bstract(?<![\w$.]abstract)(?=\s*\??:)|bstract(?<![\w$.]abstract)(?=\s*\()|ccessor(?<![\w$.]accessor)(?=\s*[(?:=;]))"
)
# An interface member named `in` on its own line (`name: string` / `in: "query"`).
_KEYWORD_MEMBER = re.compile(rb"\n[ \t]+(in|instanceof)(?=\??:)")
# Call signatures in an interface or type literal separated by line breaks instead of `;`
# (`<A>(a: A): B` on one line, `(n: number): C` on the next): the grammar reads the next
# signature's `<` / `(` as continuing the previous type.
_SIGNATURE_LINE = re.compile(rb"\n([ \t]+)(?:<|\(|new\s*[<(])")
_BLOCK_COMMENT_END = b"*/"
_LAST_WORD = re.compile(rb"[\w$]+\Z")
_CONTINUING_KEYWORDS = frozenset(
    b"extends keyof typeof infer is as satisfies return await yield new in of instanceof delete throw case "
    b"else do readonly unique asserts".split()
)
# `let as = …`: `as` is a plain name outside a type assertion.
_AS_AS_NAME = re.compile(rb"(?:let(?<=\blet)|const(?<=\bconst)|var(?<=\bvar))\s+(as)\b")
# Type arguments on a tagged template (`sql<{ count: number }>`SELECT …``): found from the `>` back.
_TYPED_TAG_END = re.compile(rb">[ \t]*`")
_KEYOF_READONLY = re.compile(rb"keyof(?<=\bkeyof)\s+(readonly)(?=\s)")
# `global { … }` augmenting the global scope from inside `declare module "m" { … }`: rewritten to a
# namespace of the same length, taking two columns of the line's indentation.
_GLOBAL_AUGMENTATION = re.compile(rb"(?m)^([ \t]*)[ \t]{2}global(?=\s*\{)")
# Any IdentifierName may be exported or imported under `as`, reserved words included
# (`export { _null as null }`, zod's generated code).
_RESERVED_EXPORT_NAME = re.compile(
    rb"as(?<=\bas)\s+(null|true|false|if|in|do|for|new|try|var|void|with|case|else|enum|this|break|catch|class|const|"
    rb"super|throw|while|delete|export|import|return|switch|typeof|extends|finally|continue|debugger|function|"
    rb"instanceof)(?=\s*[,}])"
)
# Declaration files declare an anonymous default function without a body; read as
# `declare function $(…): T;` (same length: `export default function (` has 25 characters).
_DEFAULT_FUNCTION_SIGNATURE = re.compile(rb"\bexport\s+default\s+function\s*\(")
_IMPORT_PHASE = re.compile(rb"import(?<=\bimport)\s+(?:(defer)(?=\s*\*)|(source)(?=\s+" + _NAME + rb"\s+from\b))")

_LIST_LIMIT = 100_000  # a list longer than this is not one of the shapes above


def _blank(data: bytearray, start: int, end: int) -> None:
    """Spaces over ``data[start:end]``, newlines kept, so every later position is unchanged."""
    data[start:end] = bytes(b if b in b"\r\n" else 0x20 for b in data[start:end])


def _blank_groups(pattern: re.Pattern[bytes]) -> Callable[[bytes, bytearray], None]:
    def rewrite(source: bytes, out: bytearray) -> None:
        for match in pattern.finditer(source):
            for group in range(1, pattern.groups + 1):
                if match.start(group) >= 0:  # the groups are the tokens to remove
                    _blank(out, match.start(group), match.end(group))

    return rewrite


_CLOSERS = {0x3C: 0x3E, 0x5B: 0x5D, 0x28: 0x29, 0x7B: 0x7D}  # <> [] () {}


def _matching_close(source: bytes, start: int) -> int | None:
    """Index just past the bracket closing the ``<`` or ``[`` at ``start``, with every bracket
    kind nested properly in between (``=>`` is an arrow, not a bracket); ``None`` when the text
    is not a type-argument or index list of a reasonable size."""
    expected: list[int] = []
    limit = min(len(source), start + _LIST_LIMIT)
    for index in range(start, limit):
        char = source[index]
        if char in _CLOSERS:
            expected.append(_CLOSERS[char])
        elif char in (0x3E, 0x5D, 0x29, 0x7D) and not (char == 0x3E and source[index - 1] == 0x3D):
            if not expected or expected.pop() != char:
                return None
            if not expected:
                return index + 1
    return None


def _blank_type_suffixes(pattern: re.Pattern[bytes]) -> Callable[[bytes, bytearray], None]:
    """Blank the ``<…>`` and ``[…]`` lists that follow each match (its last group is the first
    list's opening bracket)."""

    def rewrite(source: bytes, out: bytearray) -> None:
        blanked_until = 0
        for match in pattern.finditer(source):
            start = match.start(pattern.groups)
            if start < blanked_until:
                continue  # inside a list already blanked
            while start < len(source) and source[start] in b"<[":
                end = _matching_close(source, start)
                if end is None:
                    break
                _blank(out, start, end)
                start = blanked_until = end
                while start < len(source) and source[start] in b" \t":
                    start += 1

    return rewrite


def _renamer(pattern: re.Pattern[bytes]) -> Callable[[bytes, bytearray], None]:
    """Turn the keyword each match's group (or whole match) holds into an identifier of the same
    length (``using`` -> ``_sing``, ``null`` -> ``_ull``)."""

    def rewrite(source: bytes, out: bytearray) -> None:
        for match in pattern.finditer(source):
            out[match.start(pattern.groups)] = 0x5F

    return rewrite


def _as_identifier(pattern: re.Pattern[bytes]) -> Callable[[bytes, bytearray], None]:
    """Overwrite each (single-line) match with an identifier of the same length."""

    def rewrite(source: bytes, out: bytearray) -> None:
        for match in pattern.finditer(source):
            if b"\n" not in match.group():
                out[match.start() : match.end()] = b"_" * (match.end() - match.start())

    return rewrite


def _separate_signatures(source: bytes, out: bytearray) -> None:
    """``;`` in the first indentation column of a signature line whose previous line (comments
    skipped) ends a type: ``…=> Effect<A>`` / ``<B>(b: B): C`` becomes ``…=> Effect<A>`` / ``;<B>(b: B): C``."""
    for match in _SIGNATURE_LINE.finditer(source):
        last = _previous_code_char(source, match.start())
        if last > 0 and _ends_a_type(source, last):
            out[match.start(1)] = 0x3B  # ;


def _ends_a_type(source: bytes, end: int) -> bool:
    """Does the code before ``end`` end a type (``Effect<A>``, ``void``, ``T[]``, ``{ … }``) rather
    than an operator or a keyword that continues it (``=>``, ``extends``, ``keyof``)?"""
    last = source[end - 1]
    if last in b">])}":
        return source[end - 2 : end] != b"=>"
    if not (chr(last).isalnum() or last in b"_$"):
        return False
    word = _LAST_WORD.search(source, max(0, end - 40), end)
    return word is None or word.group() not in _CONTINUING_KEYWORDS


def _previous_code_char(source: bytes, end: int) -> int:
    """Index just past the last character before ``end`` that is not whitespace or a comment
    (``/* … */`` blocks and ``// …`` line comments)."""
    while end > 0:
        while end > 0 and source[end - 1] in b" \t\r\n":
            end -= 1
        if source[end - 2 : end] == _BLOCK_COMMENT_END:
            opening = source.rfind(b"/*", 0, end - 2)
            if opening < 0:
                return end
            end = opening
            continue
        line_start = source.rfind(b"\n", 0, end) + 1
        comment = _line_comment(source[line_start:end])
        if comment is not None:
            end = line_start + comment
            continue
        return end
    return end


def _line_comment(line: bytes) -> int | None:
    """Where a ``//`` comment starts in ``line`` (the first ``//`` outside quotes), or ``None``."""
    position = line.find(b"//")
    while position >= 0:
        before = line[:position]
        if before.count(b'"') % 2 == 0 and before.count(b"'") % 2 == 0 and before.count(b"`") % 2 == 0:
            return position
        position = line.find(b"//", position + 2)
    return None


_OPENERS = {0x3E: 0x3C, 0x5D: 0x5B, 0x29: 0x28, 0x7D: 0x7B}  # <> [] () {}, read backwards


def _matching_open(source: bytes, close: int) -> int | None:
    """Index of the ``<`` that the ``>`` at ``close`` closes (brackets nested properly, ``=>``
    skipped), or ``None``."""
    expected: list[int] = []
    for index in range(close, max(-1, close - _LIST_LIMIT), -1):
        char = source[index]
        if char in _OPENERS and not (char == 0x3E and index > 0 and source[index - 1] == 0x3D):
            expected.append(_OPENERS[char])
        elif char in (0x3C, 0x5B, 0x28, 0x7B):
            if not expected or expected.pop() != char:
                return None
            if not expected:
                return index
    return None


def _blank_tag_type_arguments(source: bytes, out: bytearray) -> None:
    for match in _TYPED_TAG_END.finditer(source):
        opening = _matching_open(source, match.start())
        if opening is None:
            continue
        before = opening
        while before > 0 and source[before - 1] in b" \t":
            before -= 1
        if before > 0 and (chr(source[before - 1]).isalnum() or source[before - 1] in b"_$"):
            _blank(out, opening, match.start() + 1)


def _global_as_namespace(source: bytes, out: bytearray) -> None:
    for match in _GLOBAL_AUGMENTATION.finditer(source):
        start = match.start(1) + len(match.group(1))
        out[start : start + 8] = b"module g"


def _blank_template_escapes(source: bytes, out: bytearray) -> None:
    """Blank each escape ``\\``-plus-character :data:`_TEMPLATE_ESCAPE` ends with."""
    for match in _TEMPLATE_ESCAPE.finditer(source):
        _blank(out, match.end() - 2, match.end())


_VARIANCE_REWRITE = _blank_groups(_VARIANCE)  # one rewrite for both tokens: run once per file


def _default_function_as_declaration(source: bytes, out: bytearray) -> None:
    for match in _DEFAULT_FUNCTION_SIGNATURE.finditer(source):
        width = match.end() - match.start()
        if width >= 19:
            out[match.start() : match.end()] = b"declare function" + b" " * (width - 18) + b"$("


_GAPS: tuple[tuple[bytes, Callable[[bytes, bytearray], None]], ...] = (
    (b"using", _renamer(_USING_AS_NAME)),
    (b"type", _blank_groups(_EXPORT_TYPE_STAR)),
    (b"accessor", _blank_groups(_ACCESSOR)),
    (b"in", _VARIANCE_REWRITE),
    (b"out", _VARIANCE_REWRITE),
    (b"import", _as_identifier(_IMPORT_TYPE)),
    (b"<<", _blank_type_suffixes(_GENERIC_FUNCTION_TYPE_ARG)),
    (b"\\", _blank_template_escapes),
    (b"import", _blank_groups(_IMPORT_PHASE)),
    (b"readonly", _blank_groups(_KEYOF_READONLY)),
    (b"global", _global_as_namespace),
    (b"as", _renamer(_RESERVED_EXPORT_NAME)),
    (b"a", _renamer(_MODIFIER_AS_NAME)),
    (b"in", _renamer(_KEYWORD_MEMBER)),
    (b"\n", _separate_signatures),
    (b"as", _renamer(_AS_AS_NAME)),
    (b"`", _blank_tag_type_arguments),
)
_DECLARATION_GAPS: tuple[tuple[bytes, Callable[[bytes, bytearray], None]], ...] = (
    (b"default", _default_function_as_declaration),
)


def without_grammar_gaps(source: bytes, declaration: bool = False) -> bytes:
    """``source`` with every known-valid construct the grammar cannot parse rewritten to
    same-length text it can; ``source`` itself when none occurs.  ``declaration``: a ``.d.ts``
    file, where functions have no bodies."""
    out: bytearray | None = None
    done: set[int] = set()
    for token, rewrite in _GAPS + (_DECLARATION_GAPS if declaration else ()):
        if token in source and id(rewrite) not in done:  # (each reads `source`: a second run changes nothing)
            done.add(id(rewrite))
            if out is None:
                out = bytearray(source)
            rewrite(source, out)
    return source if out is None or out == source else bytes(out)


class Parsed(NamedTuple):
    """One file's parse.  ``tree`` is the tree to build facts and IR from: the parse of the
    grammar-gap rewrite when the first parse had errors and the rewrite has none (same length, so
    every node's byte offsets, lines and columns are those of the real source; read node text from
    the real source, not ``node.text``), else the first parse.  ``error_root`` / ``error_source``:
    the tree and text whose first error is the file's AL001, ``None`` when the file is valid."""

    tree: object
    error_root: object | None
    error_source: bytes
    parses: int  # 1, or 2 when the first parse had errors and a rewrite was tried


def parse_without_gaps(parser, source: bytes, declaration: bool = False) -> Parsed:
    """Parse ``source``; a second parse of its grammar-gap rewrite only when the first has errors."""
    tree = parser.parse(source)
    if not tree.root_node.has_error:
        return Parsed(tree, None, source, 1)
    rewritten = without_grammar_gaps(source, declaration)
    if rewritten is source:
        return Parsed(tree, tree.root_node, source, 1)
    clean = parser.parse(rewritten)
    if not clean.root_node.has_error:
        return Parsed(clean, None, source, 2)
    return Parsed(tree, clean.root_node, rewritten, 2)


def parsed_problem(parsed: Parsed, columns) -> ParseProblem | None:
    """AL001 for the first real syntax error of ``parsed``, or ``None``."""
    if parsed.error_root is None:
        return None
    return _first_error(parsed.error_root, parsed.error_source, columns)


def _first_error(root, source: bytes, columns) -> ParseProblem:
    """AL001 at the first ERROR or MISSING node in source order, found by descending only into
    children that contain an error."""
    node = root
    while True:
        for child in node.children:
            if child.is_missing or child.type == "ERROR":
                return ParseProblem("AL001", _message(child, source), columns.span(child))
            if child.has_error:
                node = child
                break
        else:
            return ParseProblem("AL001", "syntax error", columns.span(node))


def _message(node, source: bytes) -> str:
    if node.is_missing:
        return f"syntax error: missing `{node.type}`"
    leaf = node
    while leaf.child_count:
        leaf = leaf.child(0)
    text = source[leaf.start_byte : leaf.end_byte].decode("utf-8", "replace")
    token = _WHITESPACE.sub(" ", text).strip()[:30]
    return f"syntax error: unexpected `{token}`" if token else "syntax error"
