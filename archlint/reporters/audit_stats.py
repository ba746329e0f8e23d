"""Aggregates of audit rows for the report: compliance rates, finding totals, failing verdicts.

Rates are over *verified* runs only; error rows (timeouts, patches that add nothing, runs with no
task) are counted separately rather than as failures, because they say nothing about whether the
agent respected a constraint — the report lists them so they cannot hide.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from archlint.domain.findings import CATEGORIES

CONSTRAINTS = ("framework", "architecture", "database", "orm")
ALL = "all"  # every requested constraint of the run holds
LEVELS = ("L0", "L1", "L2", "L3")

Cell = tuple[int, int]  # (compliant runs, runs that required it)


def verified(rows: list[dict]) -> list[dict]:
    return [row for row in rows if not row.get("error")]


def errors(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row.get("error")]


def level_name(row: dict) -> str:
    return f"L{row['level']}" if isinstance(row.get("level"), int) else "?"


def rates(rows: list[dict], group: Callable[[dict], str]) -> dict[str, dict[str, Cell]]:
    """group -> constraint (and ``all``) -> (compliant, required), over verified runs."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in verified(rows):
        cells = table[group(row) or "?"]
        for verdict in row.get("verdicts", ()):
            cell = cells[verdict["constraint"]]
            cell[0] += bool(verdict["compliant"])
            cell[1] += 1
        cells[ALL][0] += bool(row.get("compliant"))
        cells[ALL][1] += 1
    return {name: {key: (cell[0], cell[1]) for key, cell in cells.items()} for name, cells in sorted(table.items())}


def category_totals(rows: list[dict]) -> dict[str, dict[str, int]]:
    """framework -> category -> findings, in the contract's category order."""
    totals: dict[str, Counter] = defaultdict(Counter)
    for row in verified(rows):
        totals[row.get("framework") or "?"].update(row.get("findings", {}).get("by_category", {}))
    order = {name: index for index, name in enumerate(CATEGORIES)}
    return {framework: dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))
            for framework, counts in sorted(totals.items())}


def top_rules(rows: list[dict], limit: int = 15) -> list[tuple[str, int, int]]:
    """(rule, findings, runs with at least one), most findings first."""
    findings: Counter = Counter()
    runs: Counter = Counter()
    for row in verified(rows):
        by_rule = row.get("findings", {}).get("by_rule", {})
        findings.update(by_rule)
        runs.update(rule for rule, count in by_rule.items() if count)
    return [(rule, count, runs[rule]) for rule, count in sorted(findings.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def failures(rows: list[dict]) -> list[tuple[dict, dict]]:
    """(row, failing verdict) for every constraint a verified run violates."""
    return [(row, verdict) for row in verified(rows) for verdict in row.get("verdicts", ()) if not verdict["compliant"]]


CHANGE_STATES = ("still compliant", "now compliant", "no longer compliant", "still not compliant")


def verdict_changes(rows: list[dict]) -> dict[str, dict[str, int]]:
    """constraint -> change state -> runs, over verified feature runs judged against a base."""
    table: dict[str, Counter] = defaultdict(Counter)
    for row in verified(rows):
        for verdict in row.get("verdicts", ()):
            if verdict.get("was_compliant") is None:
                continue
            state = CHANGE_STATES[(0 if verdict["was_compliant"] else 1) if verdict["compliant"] else (2 if verdict["was_compliant"] else 3)]
            table[verdict["constraint"]][state] += 1
    return {constraint: dict(counts) for constraint, counts in sorted(table.items())}


def percent(cell: Cell | None) -> float | None:
    return None if not cell or not cell[1] else cell[0] / cell[1]
