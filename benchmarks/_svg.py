"""A horizontal bar chart of speed ratios, written as SVG text by hand.

Used by ``benchmarks/run.py`` for ``results.svg``; standard library only.
The x axis is logarithmic (ratios from 0.1x to 100x stay readable side by
side), with a dashed line at 1.0x (as fast as the peer) and, where a bar has
a target, a marker at the target ratio: green bars meet it, red ones miss.
"""

from __future__ import annotations

import math
from typing import NamedTuple
from xml.sax.saxutils import escape as xml_escape

__all__ = ["ChartBar", "ratio_chart_svg"]

COLOR_MET = "#2e8b57"
COLOR_MISSED = "#c0392b"
COLOR_NO_TARGET = "#4a78b0"
COLOR_TARGET_MARK = "#222222"


class ChartBar(NamedTuple):
    label: str
    ratio: float
    target: float | None = None


def _axis_limits(bars: list[ChartBar]) -> tuple:
    values = [bar.ratio for bar in bars if bar.ratio > 0]
    values += [bar.target for bar in bars if bar.target]
    low = min(values + [1.0]) / 1.5
    high = max(values + [1.0]) * 1.5
    return low, high


def _ticks(low: float, high: float) -> list[float]:
    ticks = []
    decade = 10 ** math.floor(math.log10(low))
    while decade <= high:
        for step in (1, 2, 5):
            value = step * decade
            if low <= value <= high:
                ticks.append(value)
        decade *= 10
    return ticks


def ratio_chart_svg(bars: list[ChartBar], title: str, subtitle: str = "") -> str:
    """SVG text: one bar per ratio (microflask speed / peer speed)."""
    label_width = 520
    plot_width = 520
    right_margin = 80
    bar_height = 18
    gap = 8
    top = 70
    width = label_width + plot_width + right_margin
    height = top + len(bars) * (bar_height + gap) + 50
    low, high = _axis_limits(bars)
    log_low, log_span = math.log10(low), math.log10(high) - math.log10(low)

    def x_of(value: float) -> float:
        value = min(max(value, low), high)
        return label_width + plot_width * (math.log10(value) - log_low) / log_span

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">'
        % (width, height, width, height),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="10" y="24" font-size="16" font-weight="bold">%s</text>' % xml_escape(title),
    ]
    if subtitle:
        out.append('<text x="10" y="44" fill="#555">%s</text>' % xml_escape(subtitle))
    axis_bottom = top + len(bars) * (bar_height + gap)
    for tick in _ticks(low, high):
        x = x_of(tick)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e3e3e3"/>'
                   % (x, top - 6, x, axis_bottom))
        out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%gx</text>'
                   % (x, axis_bottom + 16, tick))
    one = x_of(1.0)
    out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333" '
               'stroke-dasharray="4,3"/>' % (one, top - 10, one, axis_bottom))
    out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#333">1.0x (as fast as the peer)'
               '</text>' % (one, top - 14))
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        if bar.target is None:
            color = COLOR_NO_TARGET
        else:
            color = COLOR_MET if bar.ratio >= bar.target else COLOR_MISSED
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                   % (label_width - 8, y + bar_height - 5, xml_escape(bar.label)))
        start = x_of(low)
        end = x_of(bar.ratio) if bar.ratio > 0 else start
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (start, y, max(end - start, 1), bar_height, color))
        out.append('<text x="%.1f" y="%d">%.2fx</text>' % (end + 4, y + bar_height - 5,
                                                           bar.ratio))
        if bar.target is not None:
            tx = x_of(bar.target)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" '
                       'stroke-width="3"><title>target %.2fx</title></line>'
                       % (tx, y - 3, tx, y + bar_height + 3, COLOR_TARGET_MARK, bar.target))
    legend_y = height - 12
    out.append('<rect x="10" y="%d" width="10" height="10" fill="%s"/>' % (legend_y - 9, COLOR_MET))
    out.append('<text x="24" y="%d">target met</text>' % legend_y)
    out.append('<rect x="110" y="%d" width="10" height="10" fill="%s"/>'
               % (legend_y - 9, COLOR_MISSED))
    out.append('<text x="124" y="%d">target missed</text>' % legend_y)
    out.append('<rect x="230" y="%d" width="10" height="10" fill="%s"/>'
               % (legend_y - 9, COLOR_NO_TARGET))
    out.append('<text x="244" y="%d">no target</text>' % legend_y)
    out.append('<line x1="340" y1="%d" x2="340" y2="%d" stroke="%s" stroke-width="3"/>'
               % (legend_y - 11, legend_y + 1, COLOR_TARGET_MARK))
    out.append('<text x="348" y="%d">target ratio</text>' % legend_y)
    out.append("</svg>")
    return "\n".join(out) + "\n"
