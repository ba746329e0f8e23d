"""The rule registry: the catalogue of every rule archlint can report.

The entries themselves are data (``rules/catalogue/*.toml``); this module only gives them a
type and a way to turn a rule id plus a location into a :class:`Finding`, so no check
hard-codes a rule's name, category, severity or guidance.
"""

from __future__ import annotations

from dataclasses import dataclass

from archlint.domain.facts import Span
from archlint.domain.findings import CATEGORIES, SEVERITIES, Finding


FIX_KINDS = ("", "safe", "unsafe")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule of the registry: id, name, category, severity and its explanation."""
    id: str
    name: str
    category: str
    severity: str
    summary: str
    what: str
    why: str
    example: str
    use_instead: str
    guidance: str
    heuristic: bool = False
    # heuristic rules: the false-alarm rate measured on the precision corpus (bench/precision.py)
    precision: str = ""
    # Automatic fix (`archlint check --fix`): "" none, "safe" (changes nothing but the bug),
    # "unsafe" (may change behaviour the code relies on: applied only with --unsafe-fixes).
    fix: str = ""
    fix_what: str = ""  # what the fix rewrites, and where it declines

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"rule {self.id}: unknown category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: unknown severity {self.severity!r}")
        if self.fix not in FIX_KINDS or bool(self.fix) != bool(self.fix_what):
            raise ValueError(f"rule {self.id}: fix must be one of {FIX_KINDS} and come with fix_what")


class Registry:
    """All rules by id (and by name), in id order."""

    def __init__(self, specs: list[RuleSpec]) -> None:
        self._by_id = {spec.id: spec for spec in sorted(specs, key=lambda s: s.id)}
        self._by_name = {spec.name: spec for spec in specs}

    def __iter__(self):
        return iter(self._by_id.values())

    def __contains__(self, rule: str) -> bool:
        return rule in self._by_id or rule in self._by_name

    def get(self, rule: str) -> RuleSpec:
        return self._by_id.get(rule) or self._by_name[rule]

    def finding(self, rule: str, path: str, span: Span, message: str, guidance: str | None = None, trace: tuple = (),
                data: tuple = ()) -> Finding:
        """A finding for ``rule`` at ``span``; ``guidance`` overrides the catalogue's generic fix
        when the check knows something more specific (which layer to move the code to); ``data``:
        the structured facts a command reads instead of the message (:attr:`Finding.data`)."""
        spec = self._by_id[rule]
        return Finding(
            rule=spec.id,
            name=spec.name,
            category=spec.category,
            severity=spec.severity,
            path=path,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            message=message,
            guidance=guidance or spec.guidance,
            trace=tuple(trace),
            data=data,
        )
