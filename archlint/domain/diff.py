"""Unified diffs as data: git-format patches (renames, copies, deletions, mode changes, binary
markers and ``GIT binary patch`` data) and plain ``diff -u`` output.

Pure parsing.  Which directory a path is relative to, whether a file exists and what it holds
are questions for :mod:`archlint.adapters.patch`; putting hunks into a file's text is
:mod:`archlint.domain.diff_apply`.  Content stays bytes from end to end, so a file in any
encoding, or with CRLF line ends, comes out of a patch byte for byte as ``git apply`` writes it.

Paths of ``diff --git`` sections come out without their ``a/`` / ``b/`` prefixes (whatever the
prefixes were: ``--no-prefix`` and mnemonic prefixes are recognised by comparing both names);
paths of plain sections come out as written, because only the tree they apply to can tell how
many leading components to drop.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_BINARY_BLOCK = re.compile(rb"^(literal|delta) (\d+)$")
_DEV_NULL = "/dev/null"
_STRUCTURAL = (b"diff --git ", b"@@ -", b"--- ", b"+++ ", b"index ")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


class DiffError(Exception):
    """The patch text is malformed: a hunk cut short, a binary block that does not decode."""


@dataclass(frozen=True, slots=True)
class Hunk:
    """One hunk of a unified diff."""
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    # (" " | "-" | "+", the line with its end-of-line bytes; the last line of a side has none
    # when the patch said "\ No newline at end of file")
    lines: tuple[tuple[str, bytes], ...]
    line: int = 0  # where the hunk header is in the patch (1-based)

    @property
    def header(self) -> str:
        return f"@@ -{self.old_start},{self.old_count} +{self.new_start},{self.new_count} @@"

    def old_side(self) -> list[bytes]:
        return [text for tag, text in self.lines if tag != "+"]

    def new_side(self) -> list[bytes]:
        return [text for tag, text in self.lines if tag != "-"]

    def context(self) -> tuple[int, int]:
        """(leading, trailing) context lines."""
        leading = next((i for i, (tag, _t) in enumerate(self.lines) if tag != " "), len(self.lines))
        trailing = next((i for i, (tag, _t) in enumerate(reversed(self.lines)) if tag != " "), len(self.lines))
        return leading, trailing

    def added_lines(self) -> list[int]:
        """Line numbers of the added lines in the new file, where the header puts them."""
        number = self.new_start if self.new_count else self.new_start + 1
        added = []
        for tag, _text in self.lines:
            if tag == "-":
                continue
            if tag == "+":
                added.append(number)
            number += 1
        return added

    def reversed(self) -> Hunk:
        swap = {"+": "-", "-": "+", " ": " "}
        return Hunk(self.new_start, self.new_count, self.old_start, self.old_count,
                    tuple((swap[tag], text) for tag, text in self.lines), self.line)


@dataclass(frozen=True, slots=True)
class BinaryHunk:
    """One block of ``GIT binary patch`` data: the whole new content (``literal``) or a git
    delta against the old content (``delta``), zlib-compressed, ``size`` bytes once inflated."""

    method: str
    size: int
    data: bytes


@dataclass(frozen=True, slots=True)
class FilePatch:
    """The hunks of a unified diff for one file."""
    old_path: str | None  # None: the patch creates the file
    new_path: str | None  # None: the patch deletes it
    hunks: tuple[Hunk, ...] = ()
    git: bool = False  # a `diff --git` section naming one file: paths are already without a/ b/ prefixes
    old_mode: str = ""
    new_mode: str = ""
    copy: bool = False
    binary: bool = False  # "Binary files … differ" or GIT binary patch
    forward: BinaryHunk | None = None  # GIT binary patch data, when the patch carries it
    reverse: BinaryHunk | None = None
    line: int = 0  # where the section starts in the patch (1-based)

    @property
    def status(self) -> str:
        if self.old_path is None:
            return "added"
        if self.new_path is None:
            return "deleted"
        if self.old_path != self.new_path:
            return "copied" if self.copy else "renamed"
        return "modified"

    @property
    def path(self) -> str:
        """The name to show for this file: its new name, or the old one when it is deleted."""
        return self.new_path or self.old_path or "?"

    def reversed(self) -> FilePatch:
        if self.copy:  # the reverse of a copy deletes the copy
            return replace(self, old_path=self.new_path, new_path=None, copy=False,
                           hunks=tuple(h.reversed() for h in self.hunks), old_mode=self.new_mode, new_mode="",
                           forward=self.reverse, reverse=self.forward)
        return replace(self, old_path=self.new_path, new_path=self.old_path, old_mode=self.new_mode,
                       new_mode=self.old_mode, hunks=tuple(h.reversed() for h in self.hunks),
                       forward=self.reverse, reverse=self.forward)


@dataclass(frozen=True, slots=True)
class Patch:
    """A parsed unified diff."""
    files: tuple[FilePatch, ...]
    crlf: bool = False  # the whole patch text had been converted to CRLF line ends

    def reversed(self) -> Patch:
        return Patch(tuple(f.reversed() for f in reversed(self.files)), self.crlf)


def parse(data: bytes, strict: bool = True) -> Patch:
    """Every file section of ``data``.  Text around the sections (a commit message, a diffstat,
    ``Only in …`` lines, an e-mail signature) is skipped.  ``strict=False`` keeps what a cut-short
    hunk holds instead of raising :class:`DiffError`."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    crlf = _converted_to_crlf(lines)
    if crlf:
        lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    return Patch(tuple(_Parser(lines, strict).sections()), crlf)


def _converted_to_crlf(lines: list[bytes]) -> bool:
    """True when the patch itself went through a CRLF conversion (its headers end in CR too);
    a patch of CRLF *files* keeps LF after its headers and CR only inside content lines."""
    structural = [line for line in lines if line.startswith(_STRUCTURAL)]
    return bool(structural) and all(line.endswith(b"\r") for line in structural)


class _Parser:
    def __init__(self, lines: list[bytes], strict: bool) -> None:
        self.lines = lines
        self.strict = strict
        self.i = 0

    def _at(self, offset: int = 0) -> bytes:
        index = self.i + offset
        return self.lines[index] if index < len(self.lines) else b""

    def sections(self):
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.startswith(b"diff --git "):
                section = self._git_section()
                if section is not None:
                    yield section
            elif line.startswith(b"--- ") and self._at(1).startswith(b"+++ ") and _HUNK.match(self._at(2)):
                yield self._plain_section()
            else:
                self.i += 1

    # sections ------------------------------------------------------------------------------------
    def _plain_section(self) -> FilePatch:
        start = self.i + 1
        old, new = _header_name(self.lines[self.i][4:]), _header_name(self.lines[self.i + 1][4:])
        self.i += 2
        hunks = self._hunks()
        created = old == _DEV_NULL or _all(hunks, lambda h: h.old_start == 0 and h.old_count == 0)
        deleted = new == _DEV_NULL or _all(hunks, lambda h: h.new_start == 0 and h.new_count == 0)
        return FilePatch(None if created else old, None if deleted else new, hunks, line=start)

    def _git_section(self) -> FilePatch | None:
        start = self.i + 1
        header_a, header_b = _split_git_header(self.lines[self.i][len(b"diff --git "):])
        self.i += 1
        fields: dict[str, str] = {}
        old = new = None
        binary = False
        forward = reverse = None
        while self.i < len(self.lines):
            line = self.lines[self.i]
            key = next((k for k in _GIT_FIELDS if line.startswith(k)), None)
            if key is not None:
                fields[_GIT_FIELDS[key]] = _decode(line[len(key):]) if not line[len(key):].startswith(b'"') else _unquote(line[len(key):])
                self.i += 1
            elif line.startswith((b"similarity index ", b"dissimilarity index ", b"index ")):
                self.i += 1
            elif line.startswith(b"--- ") and self._at(1).startswith(b"+++ "):
                old, new = _header_name(line[4:]), _header_name(self._at(1)[4:])
                self.i += 2
                break
            elif line.startswith(b"Binary files ") and line.rstrip().endswith(b" differ"):
                binary = True
                self.i += 1
                break
            elif line == b"GIT binary patch":
                binary = True
                self.i += 1
                forward = self._binary_block()
                reverse = self._binary_block()
                break
            else:
                break
        hunks = () if binary else self._hunks()
        old_path, new_path = _git_names(header_a, header_b, old, new, fields)
        if fields.get("deleted") is not None or new == _DEV_NULL:
            new_path = None
        if fields.get("created") is not None or old == _DEV_NULL:
            old_path = None
        if old_path is None and new_path is None:
            if self.strict:
                raise DiffError(f"patch line {start}: cannot tell which file this `diff --git` section changes")
            return None
        old_mode = fields.get("old_mode") or fields.get("deleted") or ""
        new_mode = fields.get("new_mode") or fields.get("created") or ""
        # two names without rename headers: `git diff --no-index old/ new/`, whose names still
        # carry the two directories; they are read like a plain diff's
        paired = not any(key in fields for key in ("rename_from", "copy_from"))
        named_apart = old_path is not None and new_path is not None and old_path != new_path and paired
        return FilePatch(old_path, new_path, hunks, git=not named_apart, old_mode=old_mode.strip(), new_mode=new_mode.strip(),
                         copy="copy_from" in fields, binary=binary, forward=forward, reverse=reverse, line=start)

    # hunks ---------------------------------------------------------------------------------------
    def _hunks(self) -> tuple[Hunk, ...]:
        hunks = []
        while self.i < len(self.lines) and _HUNK.match(self.lines[self.i]):
            hunks.append(self._hunk())
        return tuple(hunks)

    def _hunk(self) -> Hunk:
        number = self.i + 1
        match = _HUNK.match(self.lines[self.i])
        old_start, new_start = int(match.group(1)), int(match.group(3))
        old_count = int(match.group(2)) if match.group(2) is not None else 1
        new_count = int(match.group(4)) if match.group(4) is not None else 1
        self.i += 1
        old_left, new_left = old_count, new_count
        body: list[list] = []
        while old_left > 0 or new_left > 0:
            if self.i >= len(self.lines):
                self._malformed(number, "the patch ends inside it")
                break
            line = self.lines[self.i]
            tag = line[:1]
            if tag == b"\\":
                _no_newline(body)
                self.i += 1
                continue
            if tag in (b" ", b"") and old_left > 0 and new_left > 0:
                old_left, new_left = old_left - 1, new_left - 1
            elif tag == b"-" and old_left > 0:
                old_left -= 1
            elif tag == b"+" and new_left > 0:
                new_left -= 1
            else:
                self._malformed(number, f"line {self.i + 1} does not belong to it")
                break
            body.append([(tag or b" ").decode(), line[1:] + b"\n"])
            self.i += 1
        if self.i < len(self.lines) and self.lines[self.i].startswith(b"\\"):
            _no_newline(body)
            self.i += 1
        return Hunk(old_start, old_count, new_start, new_count, tuple((tag, text) for tag, text in body), number)

    def _malformed(self, number: int, why: str) -> None:
        if self.strict:
            raise DiffError(f"patch line {number}: malformed hunk ({why})")

    def _binary_block(self) -> BinaryHunk | None:
        match = _BINARY_BLOCK.match(self._at())
        if match is None:
            return None
        self.i += 1
        chunks = []
        while self.i < len(self.lines) and self.lines[self.i].strip():
            chunks.append(_base85_line(self.lines[self.i], self.i + 1))
            self.i += 1
        self.i += 1  # the blank line that ends the block
        return BinaryHunk(match.group(1).decode(), int(match.group(2)), b"".join(chunks))


_GIT_FIELDS = {
    b"old mode ": "old_mode", b"new mode ": "new_mode", b"deleted file mode ": "deleted",
    b"new file mode ": "created", b"rename from ": "rename_from", b"rename to ": "rename_to",
    b"copy from ": "copy_from", b"copy to ": "copy_to",
}


def _all(hunks, predicate) -> bool:
    return bool(hunks) and all(predicate(h) for h in hunks)


def _no_newline(body: list[list]) -> None:
    """"\\ No newline at end of file": the line before it has no line end."""
    if body and body[-1][1].endswith(b"\n"):
        body[-1][1] = body[-1][1][:-1]


def _base85_line(line: bytes, number: int) -> bytes:
    """One line of git's base85: a length character (A-Z = 1-26, a-z = 27-52), then the data."""
    size_char = line[:1]
    if b"A" <= size_char <= b"Z":
        size = size_char[0] - ord("A") + 1
    elif b"a" <= size_char <= b"z":
        size = size_char[0] - ord("a") + 27
    else:
        raise DiffError(f"patch line {number}: not a line of GIT binary patch data")
    try:
        return base64.b85decode(line[1:].rstrip(b"\r"))[:size]
    except ValueError as exc:
        raise DiffError(f"patch line {number}: GIT binary patch data does not decode") from exc


# names ---------------------------------------------------------------------------------------------
def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _header_name(raw: bytes) -> str:
    """The file name of a ``---`` / ``+++`` line, without a timestamp after a tab."""
    if raw.startswith(b'"'):
        return _unquote(raw)
    return _decode(raw.split(b"\t", 1)[0].rstrip(b"\r"))


def _unquote(raw: bytes) -> str:
    """A C-quoted name as git writes names with unusual bytes: ``"a/caf\\303\\251.py"``."""
    text = _decode(raw.strip())
    if not text.startswith('"'):
        return text
    out = bytearray()
    i = 1
    while i < len(text) and text[i] != '"':
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following in "01234567" and i + 3 < len(text):
                out.append(int(text[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
            out.append(_ESCAPES.get(following, ord(following)))
            i += 2
            continue
        out.extend(char.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _split_git_header(rest: bytes) -> tuple[str | None, str | None]:
    """The two names of ``diff --git A B``.  Unquoted names may contain spaces, so the split is
    the one where both names are the same path under their prefixes."""
    rest = rest.rstrip(b"\r")
    if rest.startswith(b'"'):
        end = _closing_quote(rest)
        return _unquote(rest[:end + 1]), _unquote(rest[end + 1:].strip()) if rest[end + 1:].strip() else None
    if rest.endswith(b'"') and b' "' in rest:
        cut = rest.index(b' "')
        return _decode(rest[:cut]), _unquote(rest[cut + 1:])
    text = _decode(rest)
    spaces = [i for i, char in enumerate(text) if char == " "]
    for i in spaces:
        a, b = text[:i], text[i + 1:]
        if a == b or (_tail(a) and _tail(a) == _tail(b)):
            return a, b
    if " b/" in text:
        cut = text.rindex(" b/")
        return text[:cut], text[cut + 1:]
    return None, None


def _closing_quote(raw: bytes) -> int:
    i = 1
    while i < len(raw):
        if raw[i:i + 1] == b"\\":
            i += 2
            continue
        if raw[i:i + 1] == b'"':
            return i
        i += 1
    return len(raw) - 1


def _tail(name: str) -> str:
    return name.split("/", 1)[1] if "/" in name else ""


def _git_names(header_a, header_b, old, new, fields: dict[str, str]) -> tuple[str | None, str | None]:
    """Unprefixed (old, new) names of a git section, from whichever headers it has."""
    prefix_a, prefix_b = _prefixes(header_a, header_b, fields)
    rename_from = fields.get("rename_from") or fields.get("copy_from")
    rename_to = fields.get("rename_to") or fields.get("copy_to")
    old_name = rename_from or _strip(old if old not in (None, _DEV_NULL) else header_a, prefix_a)
    new_name = rename_to or _strip(new if new not in (None, _DEV_NULL) else header_b, prefix_b)
    return old_name, new_name


def _prefixes(a: str | None, b: str | None, fields: dict[str, str]) -> tuple[str, str]:
    """The prefixes git put before both names (``a/`` and ``b/`` unless configured otherwise)."""
    source, target = fields.get("rename_from") or fields.get("copy_from"), fields.get("rename_to") or fields.get("copy_to")
    if source and target and a and b and a.endswith(source) and b.endswith(target):
        return a[:len(a) - len(source)], b[:len(b) - len(target)]
    if a is None or b is None or a == b:
        return "", ""
    if "/" in a and "/" in b and _tail(a) == _tail(b):
        return a[:a.index("/") + 1], b[:b.index("/") + 1]
    return "a/", "b/"


def _strip(name: str | None, prefix: str) -> str | None:
    if name is None:
        return None
    return name[len(prefix):] if prefix and name.startswith(prefix) else name
