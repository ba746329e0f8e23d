"""``OUT/report.html`` of ``archlint audit``: one self-contained page (inline CSS, SVG and a few
lines of script; a Content-Security-Policy forbids every network load) that can be mailed,
archived with the results or opened from a laptop with no connection.

Links to runs and evidence are relative to the report's directory, so they keep working when
the results tree and the audit output are moved together.
"""

from __future__ import annotations

import os
import pathlib
from html import escape
from urllib.parse import quote

from archlint import __version__
from archlint.reporters import audit_stats as stats
from archlint.reporters.audit_svg import grouped_rates, ranked, stacked_counts

SERIES = [stats.ALL, *stats.CONSTRAINTS]
SERIES_COLORS = {"all": "#3b3f46", "framework": "#4e79a7", "architecture": "#f28e2b", "database": "#59a14f", "orm": "#e15759"}
CATEGORY_COLORS = {
    "layering": "#4e79a7", "db-access": "#f28e2b", "orm": "#e15759", "sql": "#76b7b2", "injection": "#b07aa1",
    "performance": "#edc948", "stack": "#59a14f", "framework": "#9c755f", "parse": "#bab0ac",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:18px 24px;color:#1f2328}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h2.part{font-size:20px;margin-top:40px;border-bottom:3px solid #3b3f46}
.muted{color:#656d76}.stats span{display:inline-block;margin-right:18px}.bad{color:#c62828}.good{color:#2e7d32}
figure{margin:8px 0 0;overflow-x:auto}figcaption{color:#656d76;font-size:12px;margin-top:2px}
svg.chart{max-width:100%;height:auto}svg.chart rect.bar:hover{opacity:.75}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px}td code{word-break:break-all}td{overflow-wrap:anywhere}input[type=search]{padding:4px 8px;width:320px;margin:4px 0 8px}details{margin:6px 0}
"""

SCRIPT = """
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("input[data-table]"), function (input) {
    var name = input.getAttribute("data-table");
    var rows = Array.prototype.slice.call(document.querySelectorAll("#" + name + " tbody tr"));
    var shown = document.getElementById(name + "-shown");
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase(), count = 0;
      rows.forEach(function (row) {
        var hit = !needle || row.textContent.toLowerCase().indexOf(needle) >= 0;
        row.hidden = !hit;
        count += hit ? 1 : 0;
      });
      if (shown) { shown.textContent = String(count); }
    });
  });
  document.body.setAttribute("data-ready", "1");
})();
"""


def render(rows: list[dict], out_dir: str, rule_names: dict[str, str] | None = None) -> str:
    """Greenfield runs (built from an empty directory) and feature runs (changes of an existing
    repository) are reported apart: a feature run is judged on what its change did, so mixing the
    two would compare different things.  With greenfield runs only, the page is one part."""
    links = _Links(rows, out_dir)
    names = rule_names or {}
    greenfield = [row for row in rows if row.get("mode") != "feature"]
    feature = [row for row in rows if row.get("mode") == "feature"]
    body = [
        "<h1>archlint audit</h1>",
        f'<p class="muted">{len(rows)} runs from <code>{escape(links.base)}</code> · archlint {escape(__version__)}</p>',
        _stats_line(rows),
    ]
    if greenfield:
        if feature:
            body += [f'<h2 class="part" id="greenfield">Greenfield runs ({len(greenfield)})</h2>', _stats_line(greenfield)]
        body += [
            *_rate_section("Compliance by framework", "by-framework", stats.rates(greenfield, lambda r: r.get("framework", ""))),
            *_rate_section("Compliance by level (L0–L3 = number of structural constraints)", "by-level",
                           _in_level_order(stats.rates(greenfield, stats.level_name))),
            *_categories_section(greenfield),
            *_rules_section(greenfield, names),
            *_agents_section(greenfield),
            *_failures_section(greenfield, links),
        ]
    if feature:
        body += _feature_part(feature, links, names)
    body += _errors_section(rows, links)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,"><title>archlint audit</title>'
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + f"\n<script>{SCRIPT}</script></body></html>\n")


def _stats_line(rows: list[dict]) -> str:
    verified = stats.verified(rows)
    compliant = sum(1 for row in verified if row.get("compliant"))
    return ('<p class="stats">'
            f'<span><b>{len(verified)}</b> verified</span><span class="good"><b>{compliant}</b> compliant</span>'
            f'<span class="bad"><b>{len(verified) - compliant}</b> non-compliant</span>'
            f'<span><b>{len(rows) - len(verified)}</b> errors</span></p>')


def _feature_part(rows: list[dict], links: _Links, names: dict[str, str]) -> list[str]:
    """Feature runs: compliance of the repository each run leaves, what the change did to each
    verdict, the findings the changes introduce, and the failing runs with what their change did."""
    based = sum(1 for row in rows if row.get("base"))
    part = [f'<h2 class="part" id="feature">Feature runs ({len(rows)})</h2>',
            f'<p class="muted">Changes of an existing repository; {based} judged against their base checkout '
            "(verdicts of the resulting repository, findings = those the change introduces).</p>",
            _stats_line(rows),
            *_rate_section("Feature runs: compliance by framework", "feature-by-framework",
                           stats.rates(rows, lambda r: r.get("framework", "")))]
    changes = stats.verdict_changes(rows)
    if changes:
        head = "".join(f"<th>{escape(state)}</th>" for state in stats.CHANGE_STATES)
        lines = "".join(f"<tr><td>{escape(constraint)}</td>" + "".join(
            f'<td class="num">{counts.get(state, 0)}</td>' for state in stats.CHANGE_STATES) + "</tr>"
            for constraint, counts in changes.items())
        part += ["<h2>What the changes did to each verdict</h2>",
                 f'<table id="verdict-changes"><thead><tr><th>constraint</th>{head}</tr></thead><tbody>{lines}</tbody></table>']
    items = [(f"{rule} {names.get(rule, '')}".strip(), count, f"{rule}: {count} findings introduced in {runs} runs")
             for rule, count, runs in stats.top_rules(rows)]
    if items:
        part += ["<h2>Findings the changes introduce</h2>",
                 _figure("feature-rules", ranked(items, "#e15759", "Findings the changes introduce"),
                         "Findings introduced per rule over all verified feature runs (top 15).")]
    part += _failures_section(rows, links, table="feature-failures", title="Non-compliant feature runs")
    return part


def _in_level_order(table: dict) -> dict:
    return {level: table[level] for level in [*stats.LEVELS, *sorted(set(table) - set(stats.LEVELS))] if level in table}


def _figure(identifier: str, svg: str, caption: str) -> str:
    return f'<figure id="chart-{identifier}">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def _rate_section(title: str, identifier: str, table: dict) -> list[str]:
    svg = grouped_rates(table, SERIES, SERIES_COLORS, title)
    head = "".join(f"<th>{escape(name)}</th>" for name in SERIES)
    lines = "".join(
        f"<tr><td>{escape(group)}</td>" + "".join(f'<td class="num">{_rate(cells.get(name))}</td>' for name in SERIES) + "</tr>"
        for group, cells in table.items())
    return [f"<h2>{escape(title)}</h2>",
            _figure(identifier, svg, "Share of verified runs meeting each constraint the task required; "
                                     "'all' = every required constraint holds. Errors are not counted."),
            f"<details><summary>numbers</summary><table><thead><tr><th></th>{head}</tr></thead><tbody>{lines}</tbody></table></details>"]


def _rate(cell) -> str:
    if not cell or not cell[1]:
        return '<span class="muted">–</span>'
    return f"{cell[0] / cell[1]:.0%} <span class=\"muted\">({cell[0]}/{cell[1]})</span>"


def _categories_section(rows: list[dict]) -> list[str]:
    totals = stats.category_totals(rows)
    svg = stacked_counts(totals, list(CATEGORY_COLORS), CATEGORY_COLORS, "Finding categories by framework")
    return ["<h2>Finding categories by framework</h2>",
            _figure("categories", svg, "archlint check findings over all verified runs of each framework, by category.")]


def _rules_section(rows: list[dict], names: dict[str, str]) -> list[str]:
    items = [(f"{rule} {names.get(rule, '')}".strip(), count, f"{rule}: {count} findings in {runs} runs")
             for rule, count, runs in stats.top_rules(rows)]
    return ["<h2>Most frequent rules</h2>",
            _figure("rules", ranked(items, "#4e79a7", "Most frequent rules"), "Findings per rule over all verified runs (top 15).")]


def _agents_section(rows: list[dict]) -> list[str]:
    table = stats.rates(rows, lambda row: f"{row.get('agent') or '?'} / {row.get('model') or '?'}")
    if set(table) <= {"? / ?"}:
        return []
    lines = "".join(f"<tr><td>{escape(name)}</td><td class=\"num\">{_rate(cells.get(stats.ALL))}</td></tr>" for name, cells in table.items())
    return ["<h2>Compliance by agent / model</h2>",
            f"<table><thead><tr><th>agent / model</th><th>all constraints hold</th></tr></thead><tbody>{lines}</tbody></table>"]


def _failures_section(rows: list[dict], links: _Links, table: str = "failures", title: str = "Non-compliant runs") -> list[str]:
    failing = stats.failures(rows)
    lines = []
    for row, verdict in failing:
        evidence = verdict.get("evidence")
        where = "–"
        if evidence:
            label = f"{evidence['path']}:{evidence['line']}"
            where = (f'<a href="{links.evidence(row, evidence)}"><code>{escape(label)}</code></a>'
                     f'<br><span class="muted">{escape(evidence.get("detail", ""))}</span>')
        change = f'<br><span class="muted">{escape(verdict["patch"])}</span>' if verdict.get("patch") else ""
        lines.append(
            f"<tr><td>{links.run_link(row)}</td><td>{escape(row.get('task', ''))}</td>"
            f"<td>{escape(verdict['constraint'])} = {escape(verdict['expected'])}</td>"
            f"<td>{escape(verdict['reason'])}{change}</td><td>{where}</td></tr>")
    return [f"<h2>{escape(title)} ({len({id(row) for row, _ in failing})} runs, {len(failing)} violated constraints)</h2>",
            (f'<input type="search" id="{table}-filter" data-table="{table}" placeholder="filter: framework, constraint, path…" '
             f'aria-label="filter"> <span class="muted"><span id="{table}-shown">{len(failing)}</span> shown</span>'),
            (f'<table id="{table}"><thead><tr><th style="width:24%">run</th><th style="width:16%">task</th><th>constraint</th>'
             f'<th style="width:30%">reason</th><th style="width:20%">evidence</th></tr></thead><tbody>{"".join(lines)}</tbody></table>')]


def _errors_section(rows: list[dict], links: _Links) -> list[str]:
    failed = stats.errors(rows)
    if not failed:
        return ["<h2>Errors</h2><p class=\"muted\">none — every run was verified.</p>"]
    lines = "".join(f"<tr><td>{links.run_link(row)}</td><td>{escape(row.get('task', '') or '–')}</td>"
                     f"<td>{escape(row['error'])}</td></tr>" for row in failed)
    return [f"<h2>Errors ({len(failed)} runs not verified)</h2>",
            f'<table id="errors"><thead><tr><th>run</th><th>task</th><th>error</th></tr></thead><tbody>{lines}</tbody></table>']


class _Links:
    """Run paths shown relative to their common directory, linked relative to the report."""

    def __init__(self, rows: list[dict], out_dir: str) -> None:
        paths = [row["path"] for row in rows]
        try:
            self.base = os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else ""
        except ValueError:  # different drives
            self.base = ""
        self.out_dir = out_dir

    def run_link(self, row: dict) -> str:
        shown = os.path.relpath(row["path"], self.base) if self.base else row["path"]
        return f'<a href="{self._href(row["path"])}"><code>{escape(shown.replace(os.sep, "/"))}</code></a>'

    def evidence(self, row: dict, evidence: dict) -> str:
        """The evidence file inside a run directory; for a patch, the patch itself (the file
        only ever existed in a temporary directory)."""
        if row.get("kind") == "patch":
            return self._href(row["path"])
        return self._href(os.path.join(row["path"], *evidence["path"].split("/")))

    def _href(self, path: str) -> str:
        try:
            return escape(quote(os.path.relpath(path, self.out_dir).replace(os.sep, "/")))
        except ValueError:
            return escape(pathlib.Path(path).as_uri())
