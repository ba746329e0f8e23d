"""Bar charts as inline SVG strings, so ``report.html`` needs no charting library, no script and
no network to show its charts.  Every bar has a ``<title>`` (the browser's tooltip) with its exact
numbers; the report's tables repeat them for screen readers and copy-paste."""

from __future__ import annotations

from html import escape

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
PLOT_HEIGHT = 180
TOP, BOTTOM, LEFT = 34, 40, 46
MUTED = "#8a8f98"


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" {FONT}>' + "".join(body) + "</svg>")


def _legend(names: list[str], colors: dict[str, str], x: float, y: float) -> list[str]:
    parts = []
    for name in names:
        parts.append(f'<rect class="legend" x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colors[name]}"/>'
                     f'<text x="{x + 14:.1f}" y="{y:.1f}">{escape(name)}</text>')
        x += _legend_entry(name)
    return parts


def _legend_entry(name: str) -> float:
    return 22 + 6.5 * len(name)  # swatch, gap and an estimate of the label at 11 px


def _empty(label: str) -> str:
    return _svg(320, 60, label, [f'<text x="10" y="34" fill="{MUTED}">no data</text>'])


def grouped_rates(groups: dict[str, dict[str, tuple[int, int]]], series: list[str], colors: dict[str, str],
                  label: str) -> str:
    """Vertical bars, one cluster per group, one bar per series, height = compliant / required.
    A series the group never required has no bar (not a zero bar)."""
    if not groups:
        return _empty(label)
    bar, gap = 13, 22
    cluster = bar * len(series)
    width = LEFT + len(groups) * (cluster + gap) + 10
    body = _legend(series, colors, LEFT, 14)
    for tick in range(0, 101, 25):
        y = TOP + PLOT_HEIGHT * (1 - tick / 100)
        body.append(f'<line x1="{LEFT - 4}" x2="{width - 6:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e5e8"/>'
                    f'<text x="{LEFT - 7}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}%</text>')
    for index, (group, cells) in enumerate(groups.items()):
        x0 = LEFT + 6 + index * (cluster + gap)
        runs = max((cell[1] for cell in cells.values()), default=0)
        for position, name in enumerate(series):
            cell = cells.get(name)
            if not cell or not cell[1]:
                continue
            rate = cell[0] / cell[1]
            height = max(1.0, PLOT_HEIGHT * rate)
            body.append(f'<rect class="bar" x="{x0 + position * bar:.1f}" y="{TOP + PLOT_HEIGHT - height:.1f}" '
                        f'width="{bar - 2}" height="{height:.1f}" fill="{colors[name]}">'
                        f'<title>{escape(group)} · {escape(name)}: {cell[0]}/{cell[1]} ({rate:.0%})</title></rect>')
        middle = x0 + cluster / 2
        body.append(f'<text x="{middle:.1f}" y="{TOP + PLOT_HEIGHT + 15}" text-anchor="middle">{escape(group)}</text>'
                    f'<text x="{middle:.1f}" y="{TOP + PLOT_HEIGHT + 29}" text-anchor="middle" fill="{MUTED}">n={runs}</text>')
    return _svg(max(width, LEFT + sum(map(_legend_entry, series))), TOP + PLOT_HEIGHT + BOTTOM, label, body)


def stacked_counts(groups: dict[str, dict[str, int]], series: list[str], colors: dict[str, str], label: str) -> str:
    """Horizontal stacked bars: one bar per group, one segment per series, scaled to the largest total."""
    totals = {group: sum(values.values()) for group, values in groups.items()}
    if not groups or not any(totals.values()):
        return _empty(label)
    present = [name for name in series if any(values.get(name) for values in groups.values())]
    row, left, span = 24, 90, 460
    largest = max(totals.values())
    body = _legend(present, colors, 10, 14)
    for index, (group, values) in enumerate(groups.items()):
        y = TOP + index * row
        body.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(group)}</text>')
        x = float(left)
        for name in present:
            count = values.get(name, 0)
            if not count:
                continue
            length = span * count / largest
            body.append(f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
                        f'fill="{colors[name]}"><title>{escape(group)} · {escape(name)}: {count}</title></rect>')
            x += length
        body.append(f'<text x="{x + 6:.1f}" y="{y + 14}" fill="{MUTED}">{totals[group]}</text>')
    return _svg(left + span + 60, TOP + len(groups) * row + 10, label, body)


def ranked(items: list[tuple[str, int, str]], color: str, label: str) -> str:
    """Horizontal bars for (label, value, tooltip) items, longest first as given."""
    if not items:
        return _empty(label)
    row, left, span = 22, 260, 300
    largest = max(value for _label, value, _tip in items) or 1
    body = []
    for index, (name, value, tip) in enumerate(items):
        y = 8 + index * row
        length = max(1.0, span * value / largest)
        body.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(name)}</text>'
                    f'<rect class="bar" x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 6}" fill="{color}">'
                    f'<title>{escape(tip)}</title></rect>'
                    f'<text x="{left + length + 6:.1f}" y="{y + 13}" fill="{MUTED}">{value}</text>')
    return _svg(left + span + 60, 16 + len(items) * row, label, body)
