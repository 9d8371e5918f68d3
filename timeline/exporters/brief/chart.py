"""The timeline chart: events per month or year and the key events below the axis.
Imported only when rendering."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from timeline import dates
from timeline.exporters.brief.data import BriefEvent
from timeline.exporters.brief.layout import (
    ACCENT,
    ACCENT_LIGHT,
    FRAME_WIDTH,
    INK,
    KEY_RED,
    MAX_KEY_LANES,
    MUTED,
    RULE,
)
from timeline.exporters.brief.text import SANS, SANS_BOLD


@dataclass(frozen=True, slots=True)
class _Bins:
    """Equal calendar bins (months or years) covering the events."""

    unit: str  # "month" or "year"
    step: int  # months or years per bin
    start: dt.date
    count: int

    def start_of(self, index: int) -> dt.date:
        if self.unit == "month":
            months = self.start.year * 12 + self.start.month - 1 + index * self.step
            return dt.date(months // 12, months % 12 + 1, 1)
        return dt.date(min(self.start.year + index * self.step, dates.MAX_YEAR), 1, 1)

    def position(self, day: dt.date, *, end: bool = False) -> float:
        """Where ``day`` falls in bin units (``end``: the end of that day)."""
        if self.unit == "month":
            months = (day.year * 12 + day.month - 1) - (self.start.year * 12 + self.start.month - 1)
            length = (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - day.replace(day=1)).days
            fraction = (day.day - (0 if end else 1)) / length
            return (months + fraction) / self.step
        year_length = 366 if dt.date(day.year, 12, 31).timetuple().tm_yday == 366 else 365
        fraction = (day.timetuple().tm_yday - (0 if end else 1)) / year_length
        return (day.year - self.start.year + fraction) / self.step

    def index(self, day: dt.date) -> int:
        return min(self.count - 1, max(0, int(self.position(day))))


# Monthly bars stay readable (about 4.5 pt each) up to eight years; longer spans chart years.
MAX_MONTH_BINS = 96
# Key events marked below the axis; the rest are listed in the summary, and the chart says so.
MAX_CHART_KEYS = 40
# Lanes of the strip where events dated only to a span are drawn as lines.
MAX_SPAN_LANES = 12
# Above this many spans, lines would pile up: the strip becomes a density band, each bin
# shaded by how many spans may fall in it.
MAX_SPAN_LINES = 150
DENSITY_SHADES = ("#eef2f6", "#c9d6e3", "#8fa7c0", "#55779b", "#1f3a5f")


def _bins_for(events: list[BriefEvent]) -> _Bins:
    lower = min(event.lower for event in events)
    upper = max(event.upper for event in events)
    months = (upper.year * 12 + upper.month) - (lower.year * 12 + lower.month) + 1
    if months <= MAX_MONTH_BINS:
        return _Bins("month", 1, lower.replace(day=1), max(months, 1))
    years = upper.year - lower.year + 1
    step = max(1, math.ceil(years / 60))
    return _Bins("year", step, dt.date(lower.year, 1, 1), math.ceil(years / step))


def chart_section(events: list[BriefEvent], key_events: list[BriefEvent], *, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    if not events:
        return [Paragraph("Nothing to chart.", styles["note"])]
    bins = _bins_for(events)
    unit = "month" if bins.unit == "month" else ("year" if bins.step == 1 else f"{bins.step} years")
    period = bins.unit if bins.step == 1 else "period"
    spans = sum(1 for event in events if bins.index(event.lower) != bins.index(event.upper))
    if spans > MAX_SPAN_LINES:
        spans_words = (
            f"The band above the bars: the {_events(spans)} whose date is uncertain or a span longer than that, "
            f"as a density: the darker a {period}, the more of them may fall in it (darkest: the most, "
            f"{_span_peak(events, bins):,}); they are not counted in any bar. "
        )
    else:
        spans_words = (
            f"Lines above the bars: the {_events(spans)} whose date is uncertain or a span longer than that, drawn "
            "over the whole time they may fall in and not counted in any bar. "
        )
    note = (
        f"Bars: events per {unit}, counting only the {_events(len(events) - spans)} dated within one {period}. "
        + spans_words
        + "Below the axis, key events (K1, K2 … as in the summary): a diamond for a single day, a bar for a span."
    )
    if len(key_events) > MAX_CHART_KEYS:
        numbers = [number for number, _ in charted_keys(key_events)]
        note += (
            f" {MAX_CHART_KEYS} of the {len(key_events):,} key events, spread evenly through the list, are marked "
            f"(K{numbers[0]}, K{numbers[1]}, K{numbers[2]} … K{numbers[-1]}); every key event is listed "
            "in the summary."
        )
    return [_chart(events, key_events, bins), Paragraph(note, styles["note"])]


def _chart(events: list[BriefEvent], key_events: list[BriefEvent], bins: _Bins) -> Any:
    from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth

    exact = [0] * bins.count
    span_events = []
    for event in events:
        first, last = bins.index(event.lower), bins.index(event.upper)
        if first == last:
            exact[first] += 1
        else:
            span_events.append(event)
    density = len(span_events) > MAX_SPAN_LINES
    span_lanes = [] if density else _pack_spans(span_events, bins)
    if density:
        strip = 14.0
    else:
        strip = (min(max(span_lanes, default=-1) + 1, MAX_SPAN_LANES)) * 2.5 + (6 if span_events else 0)
    peak = max(exact) or 1
    tick = _nice_tick(peak)
    top_value = tick * math.ceil(peak / tick)

    charted = charted_keys(key_events)
    shown_keys = [event for _, event in charted]
    lanes = _pack_lanes(shown_keys, bins)
    lane_count = max(lanes, default=-1) + 1
    lane_height = 11
    width = FRAME_WIDTH
    plot_left, plot_right = 24, width - 4
    # Below the axis: month labels, year labels, then the key-event lanes.
    axis_y = 4 + lane_count * lane_height + (10 if lane_count else 0) + 20
    plot_height = 120
    height = axis_y + plot_height + 10 + strip
    slot = (plot_right - plot_left) / bins.count
    drawing = Drawing(width, height)
    # The renderer's default font would be the non-embedded Helvetica.
    drawing.initialFontName = SANS
    drawing.initialFontSize = 7
    muted, accent, light = HexColor(MUTED), HexColor(ACCENT), HexColor(ACCENT_LIGHT)

    value = 0
    while value <= top_value:
        y = axis_y + plot_height * value / top_value
        drawing.add(Line(plot_left, y, plot_right, y, strokeColor=HexColor(RULE), strokeWidth=0.3))
        drawing.add(
            String(plot_left - 4, y - 2.5, f"{value:,}", fontName=SANS, fontSize=6.5, fillColor=muted, textAnchor="end")
        )
        value += tick

    bar_gap = min(1.5, slot * 0.15)
    for index in range(bins.count):
        x = plot_left + index * slot + bar_gap / 2
        exact_height = plot_height * exact[index] / top_value
        if exact_height:
            drawing.add(Rect(x, axis_y, slot - bar_gap, exact_height, fillColor=accent, strokeColor=None))
    drawing.add(Line(plot_left, axis_y, plot_right, axis_y, strokeColor=HexColor(INK), strokeWidth=0.6))
    strip_bottom = axis_y + plot_height + 8
    if density:
        overlaps = _span_counts(span_events, bins)
        top = max(overlaps) or 1
        for index, count in enumerate(overlaps):
            if count:
                shade = DENSITY_SHADES[min(len(DENSITY_SHADES) - 1, (len(DENSITY_SHADES) * count - 1) // top)]
                x = plot_left + index * slot
                drawing.add(Rect(x, strip_bottom, slot, 8, fillColor=HexColor(shade), strokeColor=None))
    for event, lane in zip(span_events if not density else [], span_lanes, strict=True):
        y = strip_bottom + (lane % MAX_SPAN_LANES) * 2.5
        x0 = plot_left + slot * bins.position(event.lower)
        x1 = plot_left + slot * bins.position(event.upper, end=True)
        drawing.add(Line(x0, y, max(x1, x0 + 1), y, strokeColor=light, strokeWidth=1.6))

    label_every = max(1, math.ceil(bins.count / 24))
    for index in range(bins.count):
        start = bins.start_of(index)
        x = plot_left + (index + 0.5) * slot
        if bins.unit == "month":
            if index % label_every == 0:
                drawing.add(
                    String(
                        x,
                        axis_y - 9,
                        dates.MONTHS_SHORT[start.month - 1],
                        fontName=SANS,
                        fontSize=6.5,
                        fillColor=muted,
                        textAnchor="middle",
                    )
                )
            if start.month == 1 or index == 0:
                drawing.add(
                    String(
                        plot_left + index * slot + 1,
                        axis_y - 18,
                        str(start.year),
                        fontName=SANS_BOLD,
                        fontSize=7,
                        fillColor=HexColor(INK),
                    )
                )
                drawing.add(
                    Line(
                        plot_left + index * slot,
                        axis_y,
                        plot_left + index * slot,
                        axis_y - 3,
                        strokeColor=HexColor(INK),
                        strokeWidth=0.6,
                    )
                )
        elif index % label_every == 0:
            label = str(start.year) if bins.step == 1 else f"{start.year}–{start.year + bins.step - 1}"
            drawing.add(String(x, axis_y - 9, label, fontName=SANS, fontSize=6.5, fillColor=muted, textAnchor="middle"))

    red = HexColor(KEY_RED)
    for (number, event), lane in zip(charted, lanes, strict=True):
        y = axis_y - 32 - lane * lane_height
        x0 = plot_left + slot * bins.position(event.lower)
        x1 = plot_left + slot * bins.position(event.upper, end=True)
        if event.is_span and x1 - x0 > 3:
            drawing.add(Rect(x0, y - 1.5, x1 - x0, 3, fillColor=red, strokeColor=None))
            drawing.add(Line(x0, y - 3.5, x0, y + 3.5, strokeColor=red, strokeWidth=0.7))
            drawing.add(Line(x1, y - 3.5, x1, y + 3.5, strokeColor=red, strokeWidth=0.7))
            label_x = x1 + 3
        else:
            middle = (x0 + x1) / 2
            drawing.add(
                Polygon(
                    [middle, y + 3.5, middle + 3.5, y, middle, y - 3.5, middle - 3.5, y],
                    fillColor=red,
                    strokeColor=None,
                )
            )
            label_x = middle + 5
        label = f"K{number}"
        label_width = stringWidth(label, SANS_BOLD, 6.5)
        label_y, anchor = y - 2.3, "start"
        if label_x + label_width > width:  # no room right of the marker: left of it, or above a long span
            if x0 - 4 - label_width >= 0:
                label_x, anchor = x0 - 4, "end"
            else:
                label_x, label_y, anchor = x1, y + 3, "end"
        drawing.add(String(label_x, label_y, label, fontName=SANS_BOLD, fontSize=6.5, fillColor=red, textAnchor=anchor))
    return drawing


def charted_keys(key_events: list[BriefEvent]) -> list[tuple[int, BriefEvent]]:
    """The key events the chart marks, with their K numbers: all of them up to
    ``MAX_CHART_KEYS``, else that many spread evenly through the list (the first ones
    alone would crowd the start of a long period and leave the rest bare)."""
    numbered = list(enumerate(key_events, start=1))
    if len(numbered) <= MAX_CHART_KEYS:
        return numbered
    step = len(numbered) / MAX_CHART_KEYS
    return [numbered[int(index * step)] for index in range(MAX_CHART_KEYS)]


def _pack_lanes(key_events: list[BriefEvent], bins: _Bins) -> list[int]:
    """Assign each key event a lane so that markers and labels do not overlap."""
    lane_ends: list[float] = []
    lanes = []
    for event in key_events:
        start = bins.position(event.lower) - 0.15
        end = bins.position(event.upper, end=True) + 0.6 + 0.3 * bins.count / 24
        free = [lane for lane, lane_end in enumerate(lane_ends) if start >= lane_end]
        if free:
            lane = free[0]
        elif len(lane_ends) < MAX_KEY_LANES:
            lane_ends.append(end)
            lane = len(lane_ends) - 1
        else:  # crowded: overlap in the lane that frees up first
            lane = min(range(len(lane_ends)), key=lane_ends.__getitem__)
        lane_ends[lane] = max(lane_ends[lane], end)
        lanes.append(lane)
    return lanes


def _pack_spans(span_events: list[BriefEvent], bins: _Bins) -> list[int]:
    """A lane for each span so that spans in one lane do not overlap (first free lane)."""
    lane_ends: list[float] = []
    lanes = []
    for event in sorted(span_events, key=lambda e: (e.lower, e.upper)):
        start, end = bins.position(event.lower), bins.position(event.upper, end=True)
        lane = next((index for index, lane_end in enumerate(lane_ends) if start >= lane_end), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        lane_ends[lane] = end
        lanes.append(lane)
    # Back to the order of ``span_events``.
    order = sorted(range(len(span_events)), key=lambda i: (span_events[i].lower, span_events[i].upper))
    result = [0] * len(span_events)
    for position, index in enumerate(order):
        result[index] = lanes[position]
    return result


def _span_counts(span_events: list[BriefEvent], bins: _Bins) -> list[int]:
    """For each bin, how many of ``span_events`` may fall in it."""
    counts = [0] * bins.count
    for event in span_events:
        for index in range(bins.index(event.lower), bins.index(event.upper) + 1):
            counts[index] += 1
    return counts


def _span_peak(events: list[BriefEvent], bins: _Bins) -> int:
    spans = [event for event in events if bins.index(event.lower) != bins.index(event.upper)]
    return max(_span_counts(spans, bins), default=0)


def _events(count: int) -> str:
    return f"{count:,} event{'s' if count != 1 else ''}"


def _nice_tick(peak: int) -> int:
    """A round gridline step giving three to six lines up to ``peak``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if peak / step <= 5:
            return step
    return 10 ** len(str(peak))
