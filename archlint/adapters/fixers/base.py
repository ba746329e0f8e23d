"""What every fixer shares: how it declines, what a file's fixing produces, and how source bytes
become the text archlint's columns count in (and back).

A fixer is a function of one finding: it locates the node the finding's span names and returns
the rewrite, or raises :class:`Decline` with the reason it is not mechanical here.  It never
searches the file for the bug itself — the check found it; the fixer only rewrites it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from archlint.domain.findings import Finding

_BOM = codecs.BOM_UTF8
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class Decline(Exception):
    """This finding has no mechanical fix here; ``str(exc)`` says why (shown to the user)."""


@dataclass(slots=True)
class FileFix:
    """The outcome of fixing (or annotating) one file."""

    path: str
    before: bytes
    after: bytes
    fixed: list[Finding] = field(default_factory=list)
    declined: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass(frozen=True, slots=True)
class SourceText:
    """A file's text as the frontends count it: BOM dropped, decoded with its declared encoding
    (Python coding cookie) or UTF-8.  :meth:`encode` gives the bytes back in the same form."""

    text: str
    encoding: str
    bom: bool

    @classmethod
    def decode(cls, data: bytes, language: str) -> SourceText:
        bom = data.startswith(_BOM)
        body = data[len(_BOM) :] if bom else data
        encoding = "utf-8"
        if language == "python":
            for line in body.split(b"\n", 2)[:2]:
                match = _CODING.match(line)
                if match:
                    encoding = match.group(1).decode("ascii", "replace")
                    break
        try:
            return cls(body.decode(encoding), encoding, bom)
        except (LookupError, UnicodeDecodeError) as exc:
            raise Decline(f"the file cannot be decoded as {encoding}") from exc

    def encode(self, text: str) -> bytes:
        return (_BOM if self.bom else b"") + text.encode(self.encoding)


class LineIndex:
    """Lines of a text, and archlint positions (1-based line, 1-based character column) as
    tree-sitter points (0-based row, byte column)."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")

    def line_text(self, line: int) -> str:
        """Line ``line`` without its line break ("" outside the text)."""
        return self.lines[line - 1].rstrip("\r") if 0 < line <= len(self.lines) else ""

    def point(self, line: int, column: int) -> tuple[int, int]:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return line - 1, len(text[: max(column - 1, 0)].encode("utf-8"))
