"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per finding,
which GitHub turns into annotations on the pull request's diff.

Escaping follows the Actions toolkit (``@actions/core`` ``command.ts``): in the message ``%``,
CR and LF are percent-encoded; in property values ``:`` and ``,`` are as well, since they
delimit the command.  Text from the analysed files is made inert first (``inert.markdown``):
control characters spelled out, so the raw log cannot drive a terminal, and an HTML tag or a
link in a message has its brackets escaped, so no surface that renders markdown runs it.  Paths must be relative to the repository checkout, so the caller passes
a prefix when the analysed root is a subdirectory of the working directory.
"""

from __future__ import annotations

from archlint.domain.findings import Finding
from archlint.reporters.inert import markdown, terminal

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _last_column(finding: Finding) -> int:
    """GitHub's endColumn is the last annotated column; archlint's end_column is one past it."""
    last = max(finding.end_column - 1, 1)
    return max(last, finding.column) if finding.end_line <= finding.line else last


def render(findings: list[Finding], path_prefix: str = "") -> str:
    lines = []
    for finding in findings:
        properties = {
            "file": terminal(path_prefix + finding.path),
            "line": finding.line,
            "col": finding.column,
            "endLine": max(finding.end_line, finding.line),
            "endColumn": _last_column(finding),
            "title": f"{finding.rule} {finding.name}",
        }
        joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        message = escape_data(f"{markdown(finding.message)}\nfix: {markdown(finding.guidance)}")
        lines.append(f"::{_COMMANDS[finding.severity]} {joined}::{message}")
    return "".join(line + "\n" for line in lines)
