"""The violations timeline: incidents per day, week, month or year, stacked by claimed
perpetrator, as SVG markup."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Literal, get_args

from trucewatch.report.aggregates import DayCount
from trucewatch.web.charts.style import (
    FONT,
    GROUP_PALETTE,
    SVG_NS,
    UNATTRIBUTED_COLOUR,
    UNATTRIBUTED_GROUPS,
    _e,
    _n,
)


def group_colours(groups: Iterable[str]) -> dict[str, str]:
    """A stable colour per group: sorted names take the palette in turn; unattributed grey."""
    groups = set(groups)
    out: dict[str, str] = {}
    named = sorted(g for g in groups if g.strip().lower() not in UNATTRIBUTED_GROUPS)
    for number, group in enumerate(named):
        out[group] = GROUP_PALETTE[number % len(GROUP_PALETTE)]
    for group in groups:
        out.setdefault(group, UNATTRIBUTED_COLOUR)
    return out


def _nice_step(top: int, max_ticks: int = 5) -> int:
    """An integer tick step of 1, 2 or 5 × 10^k giving at most ``max_ticks`` intervals."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(top / step) <= max_ticks:
                return step
        magnitude *= 10


TimeUnit = Literal["day", "week", "month", "year"]
TIME_UNITS: tuple[TimeUnit, ...] = get_args(TimeUnit)
MIN_BAND_PX = 6.0  # automatic unit: the smallest whose bars get at least this much room

# label every n-th bar, n taken from these (calendar-friendly multiples per unit)
_LABEL_STEPS: dict[TimeUnit, tuple[int, ...]] = {
    "day": (1, 2, 3, 7, 14, 28, 56, 91, 182, 364, 728),
    "week": (1, 2, 4, 8, 13, 26, 52, 104),
    "month": (1, 2, 3, 6, 12, 24, 60, 120),
    "year": (1, 2, 5, 10, 20, 50, 100),
}


def _bucket_start(day: datetime.date, unit: TimeUnit) -> datetime.date:
    """The first day of the bucket holding ``day``: itself, its ISO week's Monday, the
    first of its month or January 1 of its year."""
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def _bucket_count(first: datetime.date, last: datetime.date, unit: TimeUnit) -> int:
    """How many buckets of ``unit`` there are from ``first``'s to ``last``'s, both included."""
    if unit == "week":
        return (_bucket_start(last, unit) - _bucket_start(first, unit)).days // 7 + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    if unit == "year":
        return last.year - first.year + 1
    return (last - first).days + 1


def _bucket_starts(
    first: datetime.date, last: datetime.date, unit: TimeUnit
) -> list[datetime.date]:
    """Every bucket's first day from ``first``'s bucket to ``last``'s, gaps included."""
    start = _bucket_start(first, unit)
    out: list[datetime.date] = []
    for number in range(_bucket_count(first, last, unit)):
        if unit == "week":
            out.append(start + datetime.timedelta(weeks=number))
        elif unit == "month":
            months = start.month - 1 + number
            out.append(datetime.date(start.year + months // 12, months % 12 + 1, 1))
        elif unit == "year":
            out.append(datetime.date(start.year + number, 1, 1))
        else:
            out.append(start + datetime.timedelta(days=number))
    return out


def _bucket_label(start: datetime.date, unit: TimeUnit) -> str:
    """Axis label: "2021-08-11" (day), "2021-08-09" (week, its Monday), "2021-08", "2021"."""
    if unit == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if unit == "year":
        return f"{start.year:04d}"
    return start.isoformat()


def _bucket_name(start: datetime.date, unit: TimeUnit) -> str:
    """The bucket in titles: like its label, but "week of 2021-08-09" for a week."""
    label = _bucket_label(start, unit)
    return f"week of {label}" if unit == "week" else label


def auto_unit(first: datetime.date, last: datetime.date, plot_w: float) -> TimeUnit:
    """The smallest unit whose bars from ``first`` to ``last`` (gaps included) each get at
    least :data:`MIN_BAND_PX` of ``plot_w``; year when none does."""
    for unit in TIME_UNITS:
        if _bucket_count(first, last, unit) * MIN_BAND_PX <= plot_w:
            return unit
    return "year"


def _label_every(bars: int, band: float, label_px: float, unit: TimeUnit = "day") -> int:
    """Label every n-th bar so that labels of ``label_px`` do not overlap."""
    for step in _LABEL_STEPS[unit]:
        if step * band >= label_px:
            return step
    return max(1, math.ceil(label_px / band)) if bars else 1


def _text_px(text: str, size: float = 11.0) -> float:
    return len(text) * size * 0.6


def timeline_svg(
    counts: Sequence[DayCount],
    *,
    width: int = 960,
    height: int = 320,
    unit: TimeUnit | None = None,
) -> str:
    """A stacked bar chart of violations per day, week, month or year and group.

    One bar per ``unit`` from the first day's to the last day's (empty ones included), one
    segment per group with a stable colour, integer y ticks, thinned labels and a legend.
    Weeks are ISO weeks (starting on Monday, labelled by it), months are labelled
    "2021-08" and years "2021". ``unit=None`` picks the smallest unit whose bars each get
    at least 6 px of the plot's width (see :func:`auto_unit`); the ``<svg>`` carries the
    unit used as ``data-unit``. Empty input gives a small SVG saying so.
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    if unit is not None and unit not in TIME_UNITS:
        raise ValueError(f"unit must be one of {', '.join(TIME_UNITS)} or None, got {unit!r}")
    per_day: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in counts:
        if item.count > 0:
            per_day[item.day][item.group] += item.count
    if not per_day:
        return (
            f'<svg xmlns="{SVG_NS}" id="timeline" role="img" '
            'aria-label="Timeline: no violations in range" viewBox="0 0 320 40" '
            'width="320" height="40">'
            f'<text x="160" y="24" text-anchor="middle" {FONT} font-size="13" '
            'fill="#666666">no violations in range</text></svg>'
        )

    first, last = min(per_day), max(per_day)
    groups = sorted({g for per_group in per_day.values() for g in per_group})
    colours = group_colours(groups)
    # legend order: named groups alphabetically, unattributed ones last
    legend = sorted(groups, key=lambda g: (colours[g] == UNATTRIBUTED_COLOUR, g))

    # legend rows, laid out first because they take height from the plot
    left, right, top = 44.0, 12.0, 12.0
    legend_rows: list[list[tuple[str, float]]] = [[]]
    cursor = left
    for group in legend:
        item_w = 14 + _text_px(group) + 18
        if legend_rows[-1] and cursor + item_w > width - right:
            legend_rows.append([])
            cursor = left
        legend_rows[-1].append((group, cursor))
        cursor += item_w
    legend_h = 18.0 * len(legend_rows)
    axis_h = 22.0
    bottom = axis_h + legend_h + 6
    plot_w = max(1.0, width - left - right)
    plot_h = max(1.0, height - top - bottom)

    chosen: TimeUnit = auto_unit(first, last, plot_w) if unit is None else unit
    buckets = _bucket_starts(first, last, chosen)
    totals: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, per_group in per_day.items():
        bucket = totals[_bucket_start(day, chosen)]
        for group, value in per_group.items():
            bucket[group] += value

    peak = max(sum(per_group.values()) for per_group in totals.values())
    step = _nice_step(peak)
    y_max = step * math.ceil(peak / step)

    def y(value: float) -> float:
        return top + plot_h - value / y_max * plot_h

    band = plot_w / len(buckets)
    bar_w = min(band * 0.8 if band >= 4 else band, 48.0)
    gap = band - bar_w

    span = f"{_bucket_name(buckets[0], chosen)} to {_bucket_name(buckets[-1], chosen)}"
    description = f"Violations per {chosen}, {span}"
    out: list[str] = [
        f'<svg xmlns="{SVG_NS}" id="timeline" role="img" ',
        f'aria-label="{_e(description)}" data-unit="{chosen}" ',
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} ',
        'font-size="11">',
        f"<title>{_e(description)}</title>",
    ]

    # y axis: gridlines and integer ticks
    out.append('<g class="y-axis" fill="#555555" text-anchor="end">')
    for tick in range(0, y_max + 1, step):
        ty = _n(y(tick))
        out.append(
            f'<line x1="{_n(left)}" x2="{_n(left + plot_w)}" y1="{ty}" y2="{ty}" '
            f'stroke="{"#999999" if tick == 0 else "#E4E4E4"}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{ty}" dy="0.35em">{tick}</text>'
        )
    out.append("</g>")

    # bars
    out.append('<g class="bars">')
    for number, start in enumerate(buckets):
        per_group = totals.get(start, {})
        total = sum(per_group.values())
        x = _n(left + number * band + gap / 2)
        name = _bucket_name(start, chosen)
        out.append(
            f'<g class="{chosen}" data-{chosen}="{_bucket_label(start, chosen)}" '
            f'data-start="{start.isoformat()}" data-total="{total}">'
        )
        stacked = 0
        for group in groups:
            value = per_group.get(group, 0)
            if not value:
                continue
            y_top, y_bottom = y(stacked + value), y(stacked)
            stacked += value
            out.append(
                f'<rect x="{x}" y="{_n(y_top)}" width="{_n(bar_w)}" '
                f'height="{_n(y_bottom - y_top)}" fill="{colours[group]}" '
                f'data-group="{_e(group)}" data-count="{value}">'
                f"<title>{_e(f'{name} — {group}: {value}')}</title></rect>"
            )
        out.append("</g>")
    out.append("</g>")

    # x labels, thinned so they do not overlap; one nudged in from an edge may crowd
    # its neighbour, which is then left out
    label_w = _text_px(_bucket_label(first, chosen))
    label_every = _label_every(len(buckets), band, label_w + 10, chosen)
    axis_y = top + plot_h
    out.append('<g class="x-axis" fill="#555555" text-anchor="middle">')
    free_from = -math.inf  # where the previous label ended
    for number in range(0, len(buckets), label_every):
        cx = left + (number + 0.5) * band
        tx = min(max(cx, label_w / 2 + 2), width - 2 - label_w / 2)
        if tx - label_w / 2 < free_from + 8:
            continue
        free_from = tx + label_w / 2
        out.append(
            f'<line x1="{_n(cx)}" x2="{_n(cx)}" y1="{_n(axis_y)}" y2="{_n(axis_y + 4)}" '
            'stroke="#999999"/>'
            f'<text x="{_n(tx)}" y="{_n(axis_y + 16)}">'
            f"{_bucket_label(buckets[number], chosen)}</text>"
        )
    out.append("</g>")

    # legend
    out.append('<g class="legend" fill="#333333">')
    for row, items in enumerate(legend_rows):
        ly = axis_y + axis_h + 6 + row * 18
        for group, lx in items:
            out.append(
                f'<rect x="{_n(lx)}" y="{_n(ly)}" width="10" height="10" '
                f'fill="{colours[group]}"/>'
                f'<text x="{_n(lx + 14)}" y="{_n(ly + 5)}" dy="0.35em">{_e(group)}</text>'
            )
    out.append("</g></svg>")
    return "".join(out)
