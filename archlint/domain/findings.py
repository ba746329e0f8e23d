"""Findings: what every check emits and every reporter prints (see output-contract.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from archlint.domain.records import NamedTuple

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

CATEGORIES = (
    "layering",
    "db-access",
    "orm",
    "sql",
    "injection",
    "performance",
    "stack",
    "framework",
    "parse",
)


class TraceStep(NamedTuple):
    """One step of the path that leads to a finding across functions: the route handler's call,
    the service's call, the repository's query."""

    path: str
    line: int
    column: int
    note: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: rule, location, message, consequence and guidance."""
    rule: str
    name: str
    category: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    guidance: str
    trace: tuple[TraceStep, ...] = ()
    # (key, value) facts the check knew, for the commands that judge findings (verify reads AL102's
    # ("layers", (from, to))); never printed, never compared
    data: tuple = field(default=(), compare=False, repr=False)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)

    def datum(self, key: str, default=None):
        """The value the check recorded under ``key`` in :attr:`data`, else ``default``."""
        return next((value for name, value in self.data if name == key), default)

    @property
    def members(self) -> tuple[Finding, ...]:
        """The findings this one stands for (``("merged", …)``: the views that reach one shared
        per-row query, each once reported on its own), ``()`` for a plain finding.  Baselines,
        inline suppressions and ``--changed-only`` judge a merged finding through them too."""
        return self.datum("merged", ())

    def to_dict(self) -> dict:
        """The exact JSON shape of output-contract.md (field order included)."""
        return {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "guidance": self.guidance,
            **({"trace": [step._asdict() for step in self.trace]} if self.trace else {}),
        }
