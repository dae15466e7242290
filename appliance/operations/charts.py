"""Server-rendered SVG charts (no script): a line over days and grouped bars per day."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 26


@dataclass(frozen=True)
class Serie:
    """One named row of values, one value per label of the chart."""

    label: str
    colour: str
    values: list[int]


def _scale(top: int) -> int:
    """A round maximum for the y axis, at least the data's."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step * 4
    return top


def _frame(chart_id: str, title: str, summary: str, labels: list[str], top: int) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d5d9de"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
            f"{top * i // 4}</text>"
        )
    step = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            x = LEFT + plot_w * (i + 0.5) / len(labels)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    return parts


def line_chart(chart_id: str, title: str, summary: str, labels: list[str], serie: Serie) -> str:
    """One line over the labels (e.g. subscribers at the end of each day)."""
    if not labels:
        return ""
    top = _scale(max(serie.values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    points = " ".join(
        f"{LEFT + plot_w * (i + 0.5) / len(labels):.1f},{TOP + plot_h - plot_h * v / top:.1f}"
        for i, v in enumerate(serie.values)
    )
    parts = _frame(chart_id, title, summary, labels, top)
    parts.append(
        f'<polyline fill="none" stroke="{serie.colour}" stroke-width="2.5" points="{points}"/>'
    )
    return "".join(parts) + "</svg>"


def bar_chart(
    chart_id: str, title: str, summary: str, labels: list[str], series: list[Serie]
) -> str:
    """Bars side by side per label, one colour per serie, with a legend."""
    if not labels:
        return ""
    top = _scale(max((v for s in series for v in s.values), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(labels)
    bar = max(1.0, slot * 0.8 / max(1, len(series)))
    parts = _frame(chart_id, title, summary, labels, top)
    for k, serie in enumerate(series):
        for i, value in enumerate(serie.values):
            if value:
                h = plot_h * value / top
                x = LEFT + slot * i + slot * 0.1 + bar * k
                parts.append(
                    f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                    f'height="{h:.1f}" fill="{serie.colour}"/>'
                )
        parts.append(
            f'<rect x="{LEFT + 150 * k}" y="0" width="10" height="10" fill="{serie.colour}"/>'
            f'<text x="{LEFT + 150 * k + 14}" y="9" font-size="11">{escape(serie.label)}</text>'
        )
    return "".join(parts) + "</svg>"
