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

Optionally the marks are split into labelled lanes, one per tag or actor (an event
with two tags is drawn in both lanes): :data:`MAX_GROUPS` lanes of the names with
most events, one for the rest and one for events with none, each of at most
:data:`MAX_GROUP_ROWS` rows.
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
# Lanes by tag or actor: at most this many named lanes (then "other"), each of at most this many rows.
MAX_GROUPS = 8
MAX_GROUP_ROWS = 6
# Height of a lane's name above its rows (units).
GROUP_LABEL_HEIGHT = 20.0
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
    # The tags or actors whose lanes the event is drawn in, when the axis has lanes.
    groups: tuple[str, ...] = ()


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
    # Unique within the axis (for the ids of clip paths).
    number: int = 0

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
    # 0: the row of months (or years); 1: years of events dated to no month, under a window of months.
    row: int = 0


@dataclass(slots=True)
class Lane:
    """A labelled band of rows (one tag or actor), or the whole axis when it has no lanes."""

    label: str
    y: float
    rows: int = 0
    marks: list[Mark] = field(default_factory=list)
    # The lane's events that found no free row (drawn in another lane, or counted by period).
    missed: int = 0

    @property
    def title(self) -> str:
        """The lane's visible name: "Troops", or "Troops (2 more not drawn)"."""
        return f"{self.label} ({self.missed} more not drawn)" if self.missed else self.label

    @property
    def description(self) -> str:
        """The lane's accessible name: "Troops: 6 events" or "Troops: 4 of 6 events drawn"."""
        shown, total = len(self.marks), len(self.marks) + self.missed
        plural = "s" if total != 1 else ""
        if self.missed:
            return f"{self.label}: {shown} of {total} event{plural} drawn"
        return f"{self.label}: {total} event{plural}"

    @property
    def label_y(self) -> float:
        return self.y + 15

    @property
    def bottom(self) -> float:
        return self.y + (GROUP_LABEL_HEIGHT if self.label else 0) + LANE_HEIGHT * max(self.rows, 1)


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
    # The labelled bands of rows: one unlabelled band when the axis has no lanes by tag or actor.
    groups: list[Lane] = field(default_factory=list)

    @property
    def grouped(self) -> bool:
        return any(lane.label for lane in self.groups)

    @property
    def height(self) -> float:
        rows = max((one.row + 1 for one in self.bins), default=0)
        return self.bins_y + LANE_HEIGHT * rows + 10

    @property
    def bins_y(self) -> float:
        if self.groups:
            return self.groups[-1].bottom
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
    group_labels: tuple[str, str] | None = None,
) -> Axis:
    """Lay out ``events`` over the window ``start``–``end`` (inclusive).

    Marks are packed into at most :data:`MAX_LANES` rows so they never overlap;
    an event that finds no free row is counted in its month instead. ``counts``
    (events per (year, month), from the database) replaces single marks for the
    periods they cover when the caller could not load every event: then
    ``events`` are only the ones to draw over the counts (key events).

    With ``group_labels`` (the names of the lane for events without a tag or actor,
    and of the lane for the rest), marks go into lanes by each event's ``groups``;
    see the module's docstring. Raises ``ValueError`` when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"The axis window ends ({end}) before it starts ({start}).")
    axis = Axis(start=start, end=end, total=total if total is not None else len(events))
    axis.ticks = ticks_for(axis)
    visible = [event for event in events if max(event.lower, start) <= min(event.upper, end)]
    if group_labels is None:
        bands = [("", visible, MAX_LANES)]
    else:
        bands = [(label, members, MAX_GROUP_ROWS) for label, members in lanes_of(visible, *group_labels)]
    drawn: set[str] = set()
    missed: dict[str, AxisEvent] = {}
    y = TOP
    for label, members, max_rows in bands:
        lane = Lane(label=label, y=y)
        first_row_y = y + (GROUP_LABEL_HEIGHT if label else 0)
        row_ends: list[float] = []
        for event in members:
            mark = None
            if len(axis.marks) < MARK_LIMIT:
                mark = _place(axis, event, row_ends, max_rows, first_row_y, number=len(axis.marks) + 1)
            if mark is None:
                missed.setdefault(event.uid, event)
                lane.missed += 1
                continue
            drawn.add(mark.event.uid)
            lane.marks.append(mark)
            axis.marks.append(mark)
        lane.rows = len(row_ends)
        axis.groups.append(lane)
        y = lane.bottom + (4 if label else 0)
    axis.lanes = max(1, sum(max(lane.rows, 1) for lane in axis.groups))
    # Over ``counts`` too: those leave out the events passed to be drawn, so a missed one is counted here.
    overflow: Counter[tuple[int, int]] = Counter(counts or {})
    for uid, event in missed.items():
        if uid not in drawn:
            overflow[(event.lower.year, event.lower.month)] += 1
    axis.bins = bins_for(axis, overflow)
    return axis


def lanes_of(events: list[AxisEvent], none_label: str, other_label: str) -> list[tuple[str, list[AxisEvent]]]:
    """``events`` split by their ``groups``: the :data:`MAX_GROUPS` names with most events
    (then by name), then ``other_label`` for events of other names only, then ``none_label``
    for events without any. Each event appears in the lane of each of its names, in order."""
    sizes = Counter(name for event in events for name in set(event.groups))
    named = [name for name, _ in sorted(sizes.items(), key=lambda item: (-item[1], item[0].casefold()))]
    kept, rest = named[:MAX_GROUPS], set(named[MAX_GROUPS:])
    lanes: dict[str, list[AxisEvent]] = {name: [] for name in kept}
    others: list[AxisEvent] = []
    without: list[AxisEvent] = []
    for event in events:
        names = set(event.groups)
        for name in kept:
            if name in names:
                lanes[name].append(event)
        if not names:
            without.append(event)
        elif not names & set(kept) and names & rest:
            others.append(event)
    bands = list(lanes.items())
    if others:
        bands.append((other_label, others))
    if without:
        bands.append((none_label, without))
    return bands


def _place(
    axis: Axis, event: AxisEvent, row_ends: list[float], max_rows: int, first_row_y: float, *, number: int
) -> Mark | None:
    """``event``'s mark in the first of ``row_ends`` free at its start (a new row while there
    are fewer than ``max_rows``), or None when no row is free. Updates ``row_ends``."""
    lower, upper = max(event.lower, axis.start), min(event.upper, axis.end)
    x0, x1 = axis.x(lower), axis.x(upper + dt.timedelta(days=1))
    point = event.precision in POINT_PRECISIONS and event.lower == event.upper
    width = max(x1 - x0, MIN_MARK_WIDTH)
    if width > x1 - x0:
        x0 = max(0.0, min(WIDTH - width, (x0 + x1 - width) / 2))
    row = next((index for index, taken in enumerate(row_ends) if taken <= x0), None)
    if row is None and len(row_ends) < max_rows:
        row = len(row_ends)
        row_ends.append(0.0)
    if row is None:
        return None
    row_ends[row] = x0 + width + 2
    parsed = dates.parse_stored(event.edtf)
    # An open or unknown end has no point: its side of the bar runs to the window's edge, hatched.
    start_point = parsed.start
    end_point = parsed.end if parsed.is_interval else parsed.start
    label = parsed.display()
    return Mark(
        event=event,
        label=label,
        name=accessible_name(event, label),
        x=round(x0, 2),
        width=round(width, 2),
        y=first_row_y + row * LANE_HEIGHT + 4,
        point=point,
        fuzzy_start=not point and (start_point is None or start_point.approximate or start_point.uncertain),
        fuzzy_end=not point and (end_point is None or end_point.approximate or end_point.uncertain),
        open_start=start_point is None,
        open_end=end_point is None,
        lower_day=event.lower.toordinal(),
        upper_day=event.upper.toordinal() + 1,
        number=number,
    )


def bins_for(axis: Axis, counts: Counter[tuple[int, int]] | dict[tuple[int, int], int]) -> list[Bin]:
    """Counted periods as bars whose height follows the count: by month when the window is
    under ten years, else by year. Under ten years, events dated only to a year or season
    (key ``(year, 0)``) are in no month: they are counted per year in a second row."""
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
        elif month == 0:
            lower, upper, query = dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}"
            label = f"{year} (year or season only)"
        else:
            lower = dt.date(year, month, 1)
            upper = window_for(lower, lower)[1]
            label, query = f"{dates.MONTHS[month - 1]} {year}", f"{year:04d}-{month:02d}"
        row = 1 if month == 0 and not by_year else 0
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
                y=round(axis.bins_y + LANE_HEIGHT * (row + 1) - 2 - height, 2),
                label=f"{label}: {count} more event{'s' if count != 1 else ''}",
                zoom_query=query,
                lower_day=lower.toordinal(),
                upper_day=upper.toordinal() + 1,
                row=row,
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
