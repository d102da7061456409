"""Line charts as inline SVG, drawn on the server: the status page loads nothing from anywhere.

One function, ``line_chart``: time on x (the page's window), one polyline per series, a
legend, optional dashed threshold lines. Values are escaped; non-finite values are skipped.
"""

from __future__ import annotations

import math
import time
from html import escape

__all__ = ["line_chart", "PALETTE"]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
Series = dict[str, list[tuple[float, float]]]


def _nice(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.2g}"
    return f"{value:.3g}"


def _legend(names: list[str], left: float, right: float) -> dict[str, tuple[float, int]]:
    """Where each legend entry goes: (x, row), wrapping onto a new row at the right edge."""
    out, x, row = {}, left, 0
    for name in names:
        w = 22 + 5.6 * len(name)
        if x > left and x + w > right:
            x, row = left, row + 1
        out[name] = (x, row)
        x += w
    return out


def line_chart(
    series: Series,
    *,
    title: str,
    start: float,
    end: float,
    unit: str = "",
    thresholds: dict[str, float] | None = None,
    width: int = 520,
    height: int = 190,
) -> str:
    """An ``<svg>`` of ``series`` (name -> [(epoch seconds, value)]) between ``start`` and ``end``."""
    left, right, top = 52, 24, 26
    points = {n: sorted((t, v) for t, v in pts if start <= t <= end and math.isfinite(v)) for n, pts in series.items()}
    points = {n: p for n, p in points.items() if p}
    legend = _legend(sorted(points), left, width - right)
    rows = max((row for _, row in legend.values()), default=0)
    height += 13 * rows
    bottom = 40 + 13 * rows
    pw, ph = width - left - right, height - top - bottom
    marks = dict(thresholds or {})
    values = [v for p in points.values() for _, v in p] + list(marks.values())
    out = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" data-series="{len(points)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<text x="{left}" y="16" class="chart-title">{escape(title)}{escape(f" ({unit})" if unit else "")}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>',
    ]
    if not values:
        out.append(
            f'<text x="{left + pw / 2}" y="{top + ph / 2}" text-anchor="middle" class="empty">no data in this window</text>'
        )
        out.append("</svg>")
        return "".join(out)
    lo, hi = min(values), max(values)
    if lo > 0 and lo < hi * 0.5:
        lo = 0.0
    if hi == lo:
        lo, hi = lo - (abs(lo) * 0.1 or 1.0), hi + (abs(hi) * 0.1 or 1.0)
    span = end - start or 1.0

    def x(t: float) -> float:
        return left + (t - start) / span * pw

    def y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    for i in range(5):  # y grid and labels
        v = lo + (hi - lo) * i / 4
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" class="tick">{_nice(v)}</text>')
    for i in range(5):  # x labels: clock time (UTC)
        t = start + span * i / 4
        label = time.strftime("%H:%M", time.gmtime(t))
        out.append(f'<text x="{x(t):.1f}" y="{top + ph + 14}" text-anchor="middle" class="tick">{label}</text>')
    for name, level in marks.items():
        out.append(
            f'<line class="threshold" x1="{left}" x2="{left + pw}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            f'stroke="#d62728" stroke-dasharray="5,4"><title>{escape(name)} {_nice(level)}</title></line>'
        )
    for i, (name, pts) in enumerate(sorted(points.items())):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in pts)
        if len(pts) == 1:
            out.append(f'<circle class="series" cx="{x(pts[0][0]):.1f}" cy="{y(pts[0][1]):.1f}" r="3" fill="{color}"/>')
        else:
            out.append(f'<polyline class="series" fill="none" stroke="{color}" stroke-width="1.8" points="{coords}"/>')
        lx, row = legend[name]
        ly = top + ph + 22 + 13 * row
        out.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{ly + 9}" class="legend">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
