"""The time axis of a timeline page: where each event's mark goes, as plain numbers.

Pure: events in (as :class:`AxisEvent`), an :class:`Axis` out, no database and no
request. The page draws the axis as server-rendered SVG from these numbers, so it
works without JavaScript; ``timeline/static/timeline/axis.js`` only re-scales the
same marks for zoom and panning.

Each mark covers the days its date may mean (``lower`` to ``upper`` inclusive):
a point for a day or a minute, a bar for a month, season, year or interval. An
approximate or uncertain end is drawn as a hatched cap on that end, so "c. June
2025" and "October 2024 – April 2025" look like what they are. When more events
fall in the window than :data:`MARK_LIMIT`, or more overlap than
:data:`MAX_LANES` rows hold, the rest are counted per period instead of drawn.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from timeline import dates

# The SVG's user units: the axis is drawn 1000 wide, whatever the screen.
WIDTH = 1000.0
LANE_HEIGHT = 32.0
TOP = 28.0
# A point or short bar is never narrower than this many units, so it can be seen and tapped.
MIN_MARK_WIDTH = 24.0
# Marks are this tall (units), so on the narrowest axis (1000 px) each is at least a 24 px tap target.
MARK_HEIGHT = 26.0
MAX_LANES = 16
# At most this many single marks per axis; more events in the window are counted per period.
MARK_LIMIT = 400
# Share of a bar drawn hatched at an approximate or uncertain end.
FUZZY_CAP_SHARE = 0.2

POINT_PRECISIONS = frozenset({dates.Precision.DAY.value, dates.Precision.MINUTE.value})


@dataclass(frozen=True, slots=True)
class AxisEvent:
    """What the axis needs of one event."""

    uid: str
    title: str
    edtf: str
    lower: dt.date
    upper: dt.date
    precision: str
    key: bool
    status: str
    status_label: str
    grade: str
    claimant: str
    url: str


@dataclass(frozen=True, slots=True)
class Mark:
    """One event drawn over its bounds, in SVG units."""

    event: AxisEvent
    label: str
    name: str
    x: float
    width: float
    y: float
    point: bool
    fuzzy_start: bool
    fuzzy_end: bool
    open_start: bool
    open_end: bool
    lower_day: int
    upper_day: int

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cap_width(self) -> float:
        return max(self.width * FUZZY_CAP_SHARE, 2.0)

    @property
    def end_cap_x(self) -> float:
        return self.x + self.width - self.cap_width

    @property
    def label_x(self) -> float:
        """Where a bar's title starts: inside the bar, after a hatched start."""
        return round(self.x + (self.cap_width if self.fuzzy_start else 0) + 5, 2)

    @property
    def label_y(self) -> float:
        return self.y + MARK_HEIGHT / 2 + 4.5

    @property
    def cy(self) -> float:
        return self.y + MARK_HEIGHT / 2


@dataclass(frozen=True, slots=True)
class Bin:
    """Events counted over a period instead of drawn one by one."""

    lower: dt.date
    upper: dt.date
    count: int
    x: float
    width: float
    height: float
    y: float
    label: str
    zoom_query: str
    lower_day: int
    upper_day: int


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str
    day: int


@dataclass(slots=True)
class Axis:
    """The laid-out axis: window, ticks, marks, counted periods and the SVG height."""

    start: dt.date
    end: dt.date
    ticks: list[Tick] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    bins: list[Bin] = field(default_factory=list)
    lanes: int = 1
    total: int = 0

    @property
    def height(self) -> float:
        return TOP + LANE_HEIGHT * (self.lanes + (1 if self.bins else 0)) + 10

    @property
    def bins_y(self) -> float:
        return TOP + LANE_HEIGHT * self.lanes

    @property
    def baseline(self) -> float:
        return TOP - 6

    @property
    def start_day(self) -> int:
        return self.start.toordinal()

    @property
    def end_day(self) -> int:
        return self.end.toordinal() + 1

    @property
    def counted(self) -> int:
        return sum(one.count for one in self.bins)

    def x(self, day: dt.date) -> float:
        """Where ``day`` (its first moment) lies on the axis, in SVG units."""
        return (day.toordinal() - self.start_day) / (self.end_day - self.start_day) * WIDTH


def event_label(event: AxisEvent) -> str:
    """The date as read: "c. June 2025", "October 2024 – April 2025", "2025?"."""
    return dates.parse_stored(event.edtf).display()


def accessible_name(event: AxisEvent, label: str) -> str:
    """What a screen reader says for a mark: "c. June 2025: title, claimed by X, denied, grade B2"."""
    parts = [f"{label}: {event.title}"]
    if event.claimant:
        parts.append(f"claimed by {event.claimant}")
    parts.append(event.status_label.lower())
    if event.key:
        parts.append("key event")
    parts.append(f"grade {event.grade}")
    return ", ".join(parts)


def window_for(lower: dt.date, upper: dt.date) -> tuple[dt.date, dt.date]:
    """The window shown for events spanning ``lower``–``upper``: whole months around them,
    at least a month wide, so a single day is not stretched over the whole axis. Callers
    pass the known bounds: an open end's stored bound (year 1 or 9999) would make the
    window millennia wide."""
    start = lower.replace(day=1)
    last = dt.date(upper.year + (upper.month == 12), upper.month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, last


def tick_level(start: dt.date, end: dt.date) -> str:
    """The tick spacing for a window: "decade", "year", "month" or "day"."""
    days = (end - start).days + 1
    if days > 365 * 25:
        return "decade"
    if days > 365 * 2 + 1:
        return "year"
    if days > 62:
        return "month"
    return "day"


def ticks_for(axis: Axis) -> list[Tick]:
    """Ticks at the start of each decade, year, month or day (a few a screen) in the window."""
    level = tick_level(axis.start, axis.end)
    ticks: list[Tick] = []
    if level in ("decade", "year"):
        step = 10 if level == "decade" else 1
        year = (axis.start.year // step) * step
        while year <= axis.end.year:
            day = dt.date(max(year, 1), 1, 1)
            if day >= axis.start:
                label = f"{year}s" if level == "decade" else str(year)
                ticks.append(Tick(axis.x(day), label, day.toordinal()))
            year += step
    elif level == "month":
        year, month = axis.start.year, axis.start.month
        while (year, month) <= (axis.end.year, axis.end.month):
            day = dt.date(year, month, 1)
            label = (
                f"{dates.MONTHS_SHORT[month - 1]} {year}" if month == 1 or not ticks else dates.MONTHS_SHORT[month - 1]
            )
            ticks.append(Tick(axis.x(day), label, day.toordinal()))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        day = axis.start
        step = max(1, ((axis.end - axis.start).days + 1) // 10)
        while day <= axis.end:
            ticks.append(Tick(axis.x(day), f"{day.day} {dates.MONTHS_SHORT[day.month - 1]}", day.toordinal()))
            day += dt.timedelta(days=step)
    return ticks


def layout(
    events: list[AxisEvent],
    *,
    start: dt.date,
    end: dt.date,
    total: int | None = None,
    counts: dict[tuple[int, int], int] | None = None,
) -> Axis:
    """Lay out ``events`` over the window ``start``–``end`` (inclusive).

    Marks are packed into at most :data:`MAX_LANES` rows so they never overlap;
    an event that finds no free row is counted in its month instead. ``counts``
    (events per (year, month), from the database) replaces single marks for the
    periods they cover when the caller could not load every event: then
    ``events`` are only the ones to draw over the counts (key events).
    Raises ``ValueError`` when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"The axis window ends ({end}) before it starts ({start}).")
    axis = Axis(start=start, end=end, total=total if total is not None else len(events))
    axis.ticks = ticks_for(axis)
    lane_ends: list[float] = []
    overflow: Counter[tuple[int, int]] = Counter(counts or {})
    for event in events:
        lower, upper = max(event.lower, start), min(event.upper, end)
        if upper < lower:
            continue
        x0, x1 = axis.x(lower), axis.x(upper + dt.timedelta(days=1))
        point = event.precision in POINT_PRECISIONS and event.lower == event.upper
        width = max(x1 - x0, MIN_MARK_WIDTH)
        if width > x1 - x0:
            x0 = max(0.0, min(WIDTH - width, (x0 + x1 - width) / 2))
        lane = next((index for index, taken in enumerate(lane_ends) if taken <= x0), None)
        if lane is None and len(lane_ends) < MAX_LANES:
            lane = len(lane_ends)
            lane_ends.append(0.0)
        if lane is None:
            if counts is None:
                overflow[(event.lower.year, event.lower.month)] += 1
            continue
        lane_ends[lane] = x0 + width + 2
        parsed = dates.parse_stored(event.edtf)
        # An open or unknown end has no point: its side of the bar runs to the window's edge, hatched.
        start_point = parsed.start
        end_point = parsed.end if parsed.is_interval else parsed.start
        label = parsed.display()
        axis.marks.append(
            Mark(
                event=event,
                label=label,
                name=accessible_name(event, label),
                x=round(x0, 2),
                width=round(width, 2),
                y=TOP + lane * LANE_HEIGHT + 4,
                point=point,
                fuzzy_start=not point and (start_point is None or start_point.approximate or start_point.uncertain),
                fuzzy_end=not point and (end_point is None or end_point.approximate or end_point.uncertain),
                open_start=start_point is None,
                open_end=end_point is None,
                lower_day=event.lower.toordinal(),
                upper_day=event.upper.toordinal() + 1,
            )
        )
    axis.lanes = max(1, len(lane_ends))
    axis.bins = bins_for(axis, overflow)
    return axis


def bins_for(axis: Axis, counts: Counter[tuple[int, int]] | dict[tuple[int, int], int]) -> list[Bin]:
    """Counted periods as bars whose height follows the count: by month when the window is
    under ten years, else by year."""
    by_year = (axis.end - axis.start).days > 3653
    merged: Counter[tuple[int, int]] = Counter()
    for (year, month), count in counts.items():
        if count:
            merged[(year, 0 if by_year else month)] += count
    if not merged:
        return []
    most = max(merged.values())
    bins = []
    for (year, month), count in sorted(merged.items()):
        if by_year:
            lower, upper, label, query = dt.date(year, 1, 1), dt.date(year, 12, 31), str(year), f"{year:04d}"
        else:
            lower = dt.date(year, month, 1)
            upper = window_for(lower, lower)[1]
            label, query = f"{dates.MONTHS[month - 1]} {year}", f"{year:04d}-{month:02d}"
        shown_lower, shown_upper = max(lower, axis.start), min(upper, axis.end)
        if shown_upper < shown_lower:
            continue
        x0 = axis.x(shown_lower)
        width = max(axis.x(shown_upper + dt.timedelta(days=1)) - x0, MIN_MARK_WIDTH)
        height = 6 + (LANE_HEIGHT - 10) * count / most
        bins.append(
            Bin(
                lower=lower,
                upper=upper,
                count=count,
                x=round(min(x0, WIDTH - width), 2),
                width=round(width, 2),
                height=round(height, 2),
                y=round(axis.bins_y + LANE_HEIGHT - 2 - height, 2),
                label=f"{label}: {count} more event{'s' if count != 1 else ''}",
                zoom_query=query,
                lower_day=lower.toordinal(),
                upper_day=upper.toordinal() + 1,
            )
        )
    return bins


def zoom_levels(start: dt.date, end: dt.date) -> list[tuple[str, str]]:
    """Links that zoom in without JavaScript: (label, EDTF for ``overlaps``) for each
    decade, year or month in the window, one level finer than the window's ticks."""
    level = tick_level(start, end)
    if level == "decade":
        first = start.year // 10 * 10
        return [(f"{year}s", f"{year:04d}/{year + 9:04d}") for year in range(max(first, 1), end.year + 1, 10)]
    if level == "year":
        return [(str(year), f"{year:04d}") for year in range(start.year, end.year + 1)]
    if level == "month":
        links = []
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            links.append((f"{dates.MONTHS_SHORT[month - 1]} {year}", f"{year:04d}-{month:02d}"))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return links
    return []
