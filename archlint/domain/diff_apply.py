"""Put a file's hunks into its old text, the way ``git apply`` does, and say which lines the
patch added.

Each hunk must match exactly (no fuzz: a hunk whose context differs is a patch that does not
apply).  It is looked for at the line its header names, shifted by the offset earlier hunks
needed, then nearer lines first; a hunk that starts at line 1 or has no trailing context is
first tried at the start or end of the file, as git does.  Two liberties over ``git apply``,
both about line ends only: a hunk whose lines match once CR/LF differences are ignored (a patch
made on an LF checkout applied to a CRLF one, or the reverse) is applied, and the lines it adds
take the file's own line end.  Binary data (``GIT binary patch``) is inflated and, for a delta,
replayed against the old bytes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from archlint.domain.diff import BinaryHunk, FilePatch, Hunk


class HunkFailed(Exception):
    """Hunk ``number`` (1-based) of a file does not match its text."""

    def __init__(self, number: int, total: int, hunk: Hunk | None, reason: str) -> None:
        where = f"hunk {number} of {total}" + (f" ({hunk.header}, patch line {hunk.line})" if hunk is not None else "")
        super().__init__(f"{where} {reason}")
        self.number = number


class BinaryUnavailable(Exception):
    """A binary change whose new content the patch does not carry ("Binary files … differ")."""


@dataclass(frozen=True, slots=True)
class Applied:
    """A file's content after a patch, with the lines the patch added."""
    content: bytes
    added: frozenset[int] = frozenset()  # 1-based lines of ``content`` that the patch added
    kept: dict[int, int] = field(default_factory=dict)  # old line number -> new line number of unchanged lines


def split_lines(data: bytes) -> list[bytes]:
    """Lines with their end-of-line bytes; only ``\\n`` ends a line (as in diff and git)."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def apply_file(old: bytes | None, patch: FilePatch) -> Applied:
    """The new content of one file.  ``old`` is None when the file does not exist yet."""
    if patch.binary:
        return Applied(_binary(old or b"", patch.forward))
    applied = apply_hunks(old or b"", patch.hunks)
    if patch.new_path is None and applied.content:
        raise HunkFailed(len(patch.hunks), len(patch.hunks), patch.hunks[-1] if patch.hunks else None,
                         "deletes the file, but the file holds more than the patch removes")
    return applied


def apply_hunks(old: bytes, hunks: tuple[Hunk, ...]) -> Applied:
    lines = split_lines(old)
    eol = b"\r\n" if sum(line.endswith(b"\r\n") for line in lines) * 2 > len(lines) else b"\n"
    out: list[bytes] = []
    added: set[int] = set()
    kept: dict[int, int] = {}
    position = drift = 0
    for number, hunk in enumerate(hunks, start=1):
        stated = hunk.old_start - 1 if hunk.old_count else hunk.old_start
        found = _locate(lines, hunk, stated + drift, position)
        if found is None:
            raise HunkFailed(number, len(hunks), hunk, "does not match the file")
        start, loose = found
        drift = start - stated
        for index in range(position, start):
            out.append(lines[index])
            kept[index + 1] = len(out)
        cursor = start
        for tag, text in hunk.lines:
            if tag == " ":
                out.append(lines[cursor])
                kept[cursor + 1] = len(out)
                cursor += 1
            elif tag == "-":
                cursor += 1
            else:
                out.append(_with_eol(text, eol) if loose else text)
                added.add(len(out))
        position = cursor
    for index in range(position, len(lines)):
        out.append(lines[index])
        kept[index + 1] = len(out)
    for index in range(len(out) - 1):  # a line that lost its end in the middle (loose matching only)
        if not out[index].endswith(b"\n"):
            out[index] += eol
    return Applied(b"".join(out), frozenset(added), kept)


def _locate(lines: list[bytes], hunk: Hunk, expected: int, low: int) -> tuple[int, bool] | None:
    """(index where the hunk's old side starts, whether it matched only ignoring CR/LF)."""
    side = hunk.old_side()
    high = len(lines) - len(side)
    if high < low:
        return None
    if not side:
        return min(max(expected, low), len(lines)), False
    leading, trailing = hunk.context()
    anchors = []
    if hunk.old_start <= 1:
        anchors.append(0)
    if trailing == 0 and leading > 0:
        anchors.append(high)
    anchored = [index for index in anchors if low <= index <= high]
    for loose in (False, True):
        for index in anchored:
            if _matches(lines, index, side, loose):
                return index, loose
        for index in _around(expected, low, high):
            if _matches(lines, index, side, loose):
                return index, loose
    return None


def _around(expected: int, low: int, high: int):
    """low..high, nearest to ``expected`` first."""
    centre = min(max(expected, low), high)
    yield centre
    for distance in range(1, high - low + 1):
        below, above = centre - distance, centre + distance
        if below < low and above > high:
            return
        if above <= high:
            yield above
        if below >= low:
            yield below


def _matches(lines: list[bytes], start: int, side: list[bytes], loose: bool) -> bool:
    if not loose:
        return lines[start:start + len(side)] == side
    return all(lines[start + i].rstrip(b"\r\n") == text.rstrip(b"\r\n") for i, text in enumerate(side))


def _with_eol(text: bytes, eol: bytes) -> bytes:
    if text.endswith(b"\n"):
        return text.rstrip(b"\r\n") + eol
    return text


# binary ------------------------------------------------------------------------------------------
def _binary(old: bytes, hunk: BinaryHunk | None) -> bytes:
    if hunk is None:
        raise BinaryUnavailable("the patch marks a binary change but does not carry its data")
    try:
        data = zlib.decompress(hunk.data)
    except zlib.error as exc:
        raise BinaryUnavailable(f"GIT binary patch data is corrupt: {exc}") from exc
    if len(data) != hunk.size:
        raise BinaryUnavailable("GIT binary patch data has the wrong size")
    return data if hunk.method == "literal" else apply_delta(old, data)


def apply_delta(source: bytes, delta: bytes) -> bytes:
    """Replay a git delta (copy/insert instructions) against ``source``."""
    position = 0

    def varint() -> int:
        nonlocal position
        value = shift = 0
        while True:
            byte = delta[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    try:
        if varint() != len(source):
            raise BinaryUnavailable("the binary delta was made for a different version of the file")
        size = varint()
        out = bytearray()
        while position < len(delta):
            command = delta[position]
            position += 1
            if command & 0x80:
                offset = length = 0
                for bit in range(4):
                    if command & (1 << bit):
                        offset |= delta[position] << (8 * bit)
                        position += 1
                for bit in range(3):
                    if command & (1 << (4 + bit)):
                        length |= delta[position] << (8 * bit)
                        position += 1
                length = length or 0x10000
                out += source[offset:offset + length]
            elif command:
                out += delta[position:position + command]
                position += command
            else:
                raise BinaryUnavailable("the binary delta holds an invalid instruction")
    except IndexError as exc:
        raise BinaryUnavailable("the binary delta is cut short") from exc
    if len(out) != size:
        raise BinaryUnavailable("the binary delta gives the wrong size")
    return bytes(out)
