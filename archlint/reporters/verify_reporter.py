"""Text output of ``archlint verify``: a short verdict table, then the evidence of each verdict
(and, for ``PATH --patch``, what the patch changed in it).  Evidence quotes the analysed files, so
it is made inert like the check report's text."""

from __future__ import annotations

from archlint.reporters.inert import terminal


def render(data: dict) -> str:
    rows = [("constraint", "expected", "verdict", "reason")]
    for verdict in data["constraints"]:
        rows.append((verdict["constraint"], verdict["expected"], "PASS" if verdict["compliant"] else "FAIL", terminal(verdict["reason"])))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(value.ljust(widths[i]) if i < 3 else value for i, value in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 6)
    for verdict in data["constraints"]:
        lines.append("")
        lines.append(f"{verdict['constraint']} evidence:")
        for item in verdict["evidence"] or [{"path": "-", "line": 0, "detail": "none"}]:
            lines.append(f"  {terminal(item['path'])}:{item['line']}  {terminal(item['detail'])}")
        if "patch" in verdict:
            lines.append(f"  patch: {terminal(verdict['patch']['summary'])}")
    errors = sum(1 for f in data["findings"] if f["severity"] == "error")
    lines.append("")
    if "patch" in data:
        patch = data["patch"]
        lines.append(f"patch {terminal(patch['path'])}: {patch['introduced']} findings introduced, {patch['fixed']} fixed "
                     "(`archlint check PATH --patch FILE` lists them)")
    lines.append(f"{'COMPLIANT' if data['compliant'] else 'NOT COMPLIANT'}; {len(data['findings'])} check findings ({errors} errors) — run `archlint check` for details")
    return "\n".join(lines) + "\n"
