"""Human-readable output: findings grouped by file, each with a code frame and the fix.

Colour only when writing to a terminal (and never with NO_COLOR set), so logs and pipes stay clean.
Everything that comes from the analysed files — paths, messages, code frames — is made inert
first (control characters spelled out as ``\x1b``): an untrusted repository must not be able to
drive the user's terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from archlint.domain.findings import Finding
from archlint.reporters.inert import frame, terminal

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


class _Style:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text


def render(root: str, findings: list[Finding], stats: dict, colour: bool) -> str:
    style = _Style(colour)
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.path, []).append(finding)
    for path, group in by_file.items():
        lines.append(style(terminal(path), _BOLD))
        source = _read_lines(os.path.join(root, path))
        for finding in group:
            lines.extend(_render_finding(finding, source, style))
        lines.append("")
    lines.append(_summary(findings, stats))
    return "\n".join(lines) + "\n"


def _render_finding(finding: Finding, source: list[str] | None, style: _Style) -> Iterable[str]:
    severity = style(finding.severity, _COLOURS[finding.severity])
    yield f"  {finding.line}:{finding.column}  {severity}  {terminal(finding.message)}  {style(f'[{finding.rule} {finding.name}]', _DIM)}"
    if source and 0 < finding.line <= len(source):
        raw = source[finding.line - 1].rstrip("\n").expandtabs(4)
        if raw.strip():
            text, column = frame(raw, finding.column)
            end = frame(raw, finding.end_column)[1] if finding.end_line == finding.line else len(text) + 1
            gutter = f"{finding.line:>6} | "
            yield style(gutter, _DIM) + text[:160]
            width = max(1, end - column)
            yield " " * len(gutter) + " " * (column - 1) + style("^" * min(width, 120), _COLOURS[finding.severity])
    for step in finding.trace:
        yield f"         {style('via', _DIM)} {terminal(step.path)}:{step.line}  {terminal(step.note)}"
    yield f"         {style('fix:', _BOLD)} {terminal(finding.guidance)}"


def _read_lines(path: str) -> list[str] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(2_000_000)
    except OSError:
        return None
    if b"\x00" in data[:4096]:
        return None
    return data.decode("utf-8", "replace").splitlines()


def _summary(findings: list[Finding], stats: dict) -> str:
    counts = {severity: 0 for severity in ("error", "warning", "info")}
    for finding in findings:
        counts[finding.severity] += 1
    parts = [f"{count} {name}{'s' if count != 1 else ''}" for name, count in counts.items() if count]
    found = ", ".join(parts) if parts else "no findings"
    return f"{found} in {stats['files']} files ({stats['skipped']} skipped) in {stats['seconds']:.2f}s"


def wants_colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()
