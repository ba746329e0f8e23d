"""``OUT/summary.csv`` of ``archlint audit``: one flat row per run for spreadsheets and pandas.

Per-constraint columns are ``true`` / ``false``, or empty when the task did not require that
constraint (or the run could not be verified), so a column's mean is directly a compliance rate.
``mode`` is ``greenfield`` or ``feature``; a feature run with a ``base`` counts the findings its
change introduces.
"""

from __future__ import annotations

import csv
import io

from archlint.domain.findings import CATEGORIES

CONSTRAINTS = ("framework", "architecture", "database", "orm")
IDENTITY = ("path", "kind", "task", "runtime", "agent", "model", "date", "run", "framework", "level",
            "architecture", "database", "orm", "mode", "base")
COLUMNS = (
    *IDENTITY, "compliant", *(f"{name}_ok" for name in CONSTRAINTS),
    "failed", "first_failure", "findings", *(f"findings_{category}" for category in CATEGORIES), "seconds", "error",
)


def render(rows: list[dict], out_dir: str = "") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(flatten(row))
    return buffer.getvalue()


def flatten(row: dict) -> dict:
    verdicts = {verdict["constraint"]: verdict for verdict in row.get("verdicts", ())}
    failing = [verdict for verdict in row.get("verdicts", ()) if not verdict["compliant"]]
    counts = row.get("findings", {})
    flat = {name: _cell(row.get(name)) for name in IDENTITY}
    flat.update({
        "compliant": _cell(row.get("compliant")),
        **{f"{name}_ok": _cell(verdicts[name]["compliant"]) if name in verdicts else "" for name in CONSTRAINTS},
        "failed": ";".join(verdict["constraint"] for verdict in failing),
        "first_failure": _first_failure(failing),
        "findings": counts.get("total", 0),
        **{f"findings_{category}": counts.get("by_category", {}).get(category, 0) for category in CATEGORIES},
        "seconds": row.get("seconds", ""),
        "error": row.get("error") or "",
    })
    return flat


def _first_failure(failing: list[dict]) -> str:
    if not failing:
        return ""
    verdict = failing[0]
    evidence = verdict.get("evidence")
    where = f" ({evidence['path']}:{evidence['line']})" if evidence else ""
    return f"{verdict['constraint']}: {verdict['reason']}{where}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
