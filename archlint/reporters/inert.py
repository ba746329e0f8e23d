"""Text from analysed files, made inert for each output.

Paths, messages, guidance and code frames carry text an untrusted repository chose: a string
literal with ``ESC ] 0 ; … BEL`` can retitle the user's terminal or repaint the screen, a
right-to-left override can make code read differently from what runs (Trojan Source), a file
name can hold a newline.  Each reporter passes such text through the function for its format;
the JSON-based formats (JSON, SARIF) need nothing more than the JSON encoder's own escaping, and
HTML goes through ``html.escape``.
"""

from __future__ import annotations

import re

from archlint.domain.lazy_regex import lazy_compile

# C0 controls (tab included: frames expand tabs first), DEL, C1 controls, and the invisible
# characters that reorder or hide text: bidi embeddings/overrides/isolates and marks.
_UNSAFE = lazy_compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_LINES = lazy_compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Markdown that can link, embed or inject HTML; everything else in a message is plain text.
_ACTIVE_MARKDOWN = lazy_compile(r"<[A-Za-z/!?]|\]\(|!\[")
_MARKDOWN_BRACKETS = lazy_compile(r"([<>\[\]])")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """Every control or bidi character spelled out (``ESC`` -> ``\\x1b``), as git and ruff show them."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def markdown(text: str) -> str:
    """For surfaces that may render markdown (GitHub annotations): control characters spelled out
    (line breaks kept: the workflow command encodes them), and when the text holds an HTML tag or
    a link/image, its brackets escaped so none becomes one."""
    text = _UNSAFE_IN_LINES.sub(_escape, text)
    return _MARKDOWN_BRACKETS.sub(r"\\\1", text) if _ACTIVE_MARKDOWN.search(text) else text


def frame(line: str, column: int) -> tuple[str, int]:
    """A source line for a code frame, made inert, and where ``column`` (1-based, in the original
    line) lands in it — escaping widens the characters before the caret."""
    shown = terminal(line)
    if shown is line:
        return line, column
    return shown, len(terminal(line[: max(column - 1, 0)])) + 1
