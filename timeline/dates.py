"""Uncertain dates, as news reports give them.

A :class:`FuzzyDate` wraps an EDTF (ISO 8601-2) string and exposes what the rest
of the service needs: sortable lower and upper bounds, the precision the source
actually gave, approximate/uncertain flags and an English display string.

This module holds the one date grammar of the service. :func:`parse_stored`
reads canonical EDTF with one regular expression per end and no cache, in a few
microseconds (``make bench BENCH_ARGS=dates``); :func:`parse` reads the same
grammar and, for anything else, the phrases of :mod:`timeline.phrases`. The
``edtf`` package is not used at run time: property tests compare bounds with it.

What is accepted (and what every display string types back to):

* a year ``2025``, a month ``2025-04``, a day ``2025-04-17``, each optionally
  qualified ``~`` (approximate), ``?`` (uncertain) or ``%`` (both);
* a season or division of a year ``2025-21`` … ``2025-41`` (see SEASON_SPANS);
* a date-time with seconds ``2025-04-17T10:00:00``, with ``Z``, ``±HH:MM``,
  ``±HHMM`` or ``±HH`` (stored as ``Z`` or ``±HH:MM``), or with no offset;
* intervals of the above ``2024-10/2025-04`` (not of date-times: see
  DATETIME_INTERVAL_MESSAGE), with an open end (``2024-10/..``,
  ``../2025-04-28``) or an unknown end (``2024-10/``, ``/2025-04-28``).

Open and unknown ends are stored as the widest bounds (1 January 1 and
31 December 9999), so filters such as "overlaps April 2025" stay correct and
such events sort before (open start) or after (open end) closed ones with the
same known bound. :attr:`FuzzyDate.known_lower` and :attr:`FuzzyDate.known_upper`
give the period the source does state, which exports draw.

This module is pure: no ORM, no settings. It never invents precision: "April
2025" stays a month, spanning 1-30 April, and is never pinned to a day.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

__all__ = [
    "DATETIME_INTERVAL_MESSAGE",
    "End",
    "FuzzyDate",
    "InvalidDate",
    "Precision",
    "normalise",
    "parse",
    "parse_stored",
]

MIN_YEAR = 1
MAX_YEAR = 9999
EARLIEST = dt.date(MIN_YEAR, 1, 1)
LATEST = dt.date(MAX_YEAR, 12, 31)

# One message, used by every surface (admin, API, filters), for the one kind of
# interval the service refuses.
DATETIME_INTERVAL_MESSAGE = (
    "“{text}”: an interval cannot have times of day. Give the days it covers "
    "(e.g. 2025-04-28/2025-04-29), or enter each timed moment as its own event."
)


class InvalidDate(ValueError):
    """Raised for text that is not a date this service can store honestly."""


class Precision(enum.StrEnum):
    """How finely a source pinned a date. Ordered from coarse to fine."""

    YEAR = "year"
    SEASON = "season"
    MONTH = "month"
    DAY = "day"
    MINUTE = "minute"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {precision: index for index, precision in enumerate(Precision)}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTHS_SHORT = [name[:3] for name in MONTHS]
# Display names of the season codes; each one types back to its code
# (timeline.phrases reads them). Codes 21-24 are EDTF level 1, 25-41 ISO 8601-2.
SEASON_NAMES = {
    21: "Spring",
    22: "Summer",
    23: "Autumn",
    24: "Winter",
    25: "Northern spring",
    26: "Northern summer",
    27: "Northern autumn",
    28: "Northern winter",
    29: "Southern spring",
    30: "Southern summer",
    31: "Southern autumn",
    32: "Southern winter",
    33: "Q1",
    34: "Q2",
    35: "Q3",
    36: "Q4",
    37: "First third of",
    38: "Second third of",
    39: "Last third of",
    40: "First half of",
    41: "Second half of",
}
# (first month, number of months) for each season code. The edtf package gives
# winter as December only; a northern winter runs into the next year, so the span
# is widened rather than silently narrowed.
SEASON_SPANS = {
    21: (3, 3),
    22: (6, 3),
    23: (9, 3),
    24: (12, 3),
    25: (3, 3),
    26: (6, 3),
    27: (9, 3),
    28: (12, 3),
    29: (9, 3),
    30: (12, 3),
    31: (3, 3),
    32: (6, 3),
    33: (1, 3),
    34: (4, 3),
    35: (7, 3),
    36: (10, 3),
    37: (1, 4),
    38: (5, 4),
    39: (9, 4),
    40: (1, 6),
    41: (7, 6),
}

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_POINT_RE = re.compile(
    r"""(?P<year>\d{4})
        (?:-(?P<month>\d{2})
           (?:-(?P<day>\d{2})
              (?:T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})
                 (?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?
              )?
           )?
        )?
        (?P<qual>[~?%])?""",
    re.VERBOSE | re.ASCII,
)
_POINT_MATCH = _POINT_RE.fullmatch


def _last_day(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which
# was a third of parse_stored's time. Treat both classes as immutable values.
@dataclass(slots=True)
class _Point:
    """One end of a date: a single EDTF date with its own precision."""

    edtf: str
    lower: dt.date
    upper: dt.date
    precision: Precision
    approximate: bool
    uncertain: bool
    year: int
    month: int | None = None
    day: int | None = None
    season: int | None = None
    moment: dt.datetime | None = None
    tz_known: bool = False

    def label(self, *, short: bool = False, qualify: bool = True) -> str:
        months = MONTHS_SHORT if short else MONTHS
        year = _year_label(self.year)
        if self.precision is Precision.YEAR:
            text = year
        elif self.precision is Precision.SEASON:
            assert self.season is not None
            text = f"{SEASON_NAMES[self.season]} {year}"
        elif self.precision is Precision.MONTH:
            assert self.month is not None
            text = f"{months[self.month - 1]} {year}"
        elif self.precision is Precision.DAY:
            assert self.month is not None
            text = f"{self.day:d} {months[self.month - 1]} {year}"
        else:
            assert self.moment is not None and self.month is not None
            clock = f"{self.moment:%H:%M}" + (f":{self.moment.second:02d}" if self.moment.second else "")
            text = f"{self.day:d} {months[self.month - 1]} {year}, {clock}"
            text += " " + _offset_label(self.moment) if self.tz_known else " (local time)"
        if not qualify:
            return text
        if self.approximate:
            text = "c. " + text
        if self.uncertain:
            text += "?"
        return text


def _year_label(year: int) -> str:
    # "AD 100" rather than "100", which would read as a day or a number.
    return f"{year:d}" if year >= 1000 else f"AD {year:d}"


def _offset_label(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset > dt.timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


class End(enum.StrEnum):
    """How an interval end is given: a date, open (``..``: goes on) or unknown (empty)."""

    KNOWN = "known"
    OPEN = "open"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class FuzzyDate:
    """A parsed EDTF date or interval.

    ``lower`` and ``upper`` are the first and last day the date may mean,
    inclusive (1 January 1 and 31 December 9999 for an open or unknown end);
    ``precision`` is the coarsest precision of its known ends. ``start`` is None
    only for an interval whose start is open or unknown; ``end`` is None for a
    single date and for an interval whose end is open or unknown.
    """

    edtf: str
    lower: dt.date
    upper: dt.date
    precision: Precision
    approximate: bool
    uncertain: bool
    start: _Point | None
    end: _Point | None = None
    start_kind: End = End.KNOWN
    end_kind: End | None = None

    @property
    def is_interval(self) -> bool:
        return self.end_kind is not None

    @property
    def is_open(self) -> bool:
        """True for an interval with an open or unknown end."""
        return self.start_kind is not End.KNOWN or self.end_kind in (End.OPEN, End.UNKNOWN)

    @property
    def known_lower(self) -> dt.date:
        """The first day of the period a source does state (the known end's, if one is open)."""
        point = self.start or self.end
        assert point is not None
        return self.lower if self.start is not None else point.lower

    @property
    def known_upper(self) -> dt.date:
        """The last day of the period a source does state (the known end's, if one is open)."""
        point = self.end or self.start
        assert point is not None
        return self.upper if self.end is not None or not self.is_interval else point.upper

    @property
    def moment(self) -> dt.datetime | None:
        """The exact instant for a single date-time with a known offset, else None."""
        if self.start is not None and self.start.moment is not None and self.start.tz_known:
            return self.start.moment
        return None

    def display(self, *, short: bool = False) -> str:
        """How a person would write the date: "c. June 2025", "October 2024 – April 2025",
        "since October 2024", "until 28 April 2025". Every display types back to the same EDTF."""
        start, end = self.start, self.end
        if self.end_kind is None:
            assert start is not None
            return start.label(short=short)
        if start is None:
            assert end is not None
            if self.start_kind is End.OPEN:
                return f"until {end.label(short=short)}"
            return f"(start unknown) – {end.label(short=short)}"
        if end is None:
            if self.end_kind is End.OPEN:
                return f"since {start.label(short=short)}"
            return f"{start.label(short=short)} – (end unknown)"
        return f"{start.label(short=short)} – {end.label(short=short)}"

    def __str__(self) -> str:
        return self.display()

    def bounds_display(self) -> str:
        """The days the date covers: "1–30 April 2025", "1 October 2024 – 30 April 2025",
        "from 1 October 2024 on", "up to 28 April 2025"."""
        return format_day_range(self.lower, self.upper)

    def interpretation(self) -> str:
        """Explain the reading: "April 2025 → 1–30 April 2025, month precision"."""
        flags = [f for f, on in (("approximate", self.approximate), ("uncertain", self.uncertain)) if on]
        if self.start_kind is End.UNKNOWN or self.end_kind is End.UNKNOWN:
            flags.append("one end unknown")
        elif self.is_open:
            flags.append("open-ended")
        extra = (", " + ", ".join(flags)) if flags else ""
        if self.moment is not None:
            utc = self.moment.astimezone(dt.UTC)
            return f"{self.display()} → {utc:%Y-%m-%d %H:%M} UTC, {self.precision} precision{extra}"
        return f"{self.display()} → {self.bounds_display()}, {self.precision} precision{extra}"


def format_day_range(lower: dt.date, upper: dt.date) -> str:
    """Render an inclusive day range compactly ("1–30 April 2025"); the bounds of open
    ends read "from 1 October 2024 on", "up to 28 April 2025" and "any date"."""
    if lower == EARLIEST and upper == LATEST:
        return "any date"
    if upper == LATEST:
        return f"from {format_day_range(lower, lower)} on"
    if lower == EARLIEST:
        return f"up to {format_day_range(upper, upper)}"
    if lower == upper:
        return f"{lower.day} {MONTHS[lower.month - 1]} {lower.year}"
    if (lower.year, lower.month) == (upper.year, upper.month):
        return f"{lower.day}–{upper.day} {MONTHS[upper.month - 1]} {upper.year}"
    if lower.year == upper.year:
        return f"{lower.day} {MONTHS[lower.month - 1]} – {upper.day} {MONTHS[upper.month - 1]} {upper.year}"
    return f"{lower.day} {MONTHS[lower.month - 1]} {lower.year} – {upper.day} {MONTHS[upper.month - 1]} {upper.year}"


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidDate(f"Year {year} in “{text}” is outside the supported range {MIN_YEAR}–{MAX_YEAR}.")


def _parse_point(text: str, whole: str) -> _Point:
    match = _POINT_MATCH(text)
    if match is None:
        raise InvalidDate(_explain_unreadable(text, whole))
    year_s, month_s, day_s, hour_s, _, _, _, qual = match.groups()
    year = int(year_s)
    if year < MIN_YEAR:
        _check_year(year, whole)
    approximate = qual == "~" or qual == "%"
    uncertain = qual == "?" or qual == "%"
    if month_s is None:
        return _Point(text, dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, approximate, uncertain, year)
    code = int(month_s)
    if code > 12:
        if day_s is not None or code not in SEASON_SPANS:
            raise InvalidDate(f"“{whole}”: month {month_s} is out of range; use 01–12 (or 21–41 for a season).")
        first, length = SEASON_SPANS[code]
        last_month_index = first + length - 2
        last_year = year + last_month_index // 12
        if last_year > MAX_YEAR:
            raise InvalidDate(f"“{whole}” runs past the year {MAX_YEAR}.")
        last_month = last_month_index % 12 + 1
        return _Point(
            text,
            dt.date(year, first, 1),
            dt.date(last_year, last_month, _last_day(last_year, last_month)),
            Precision.SEASON,
            approximate,
            uncertain,
            year,
            season=code,
        )
    if code == 0:
        raise InvalidDate(f"“{whole}”: month {month_s} is out of range; use 01–12 (or 21–41 for a season).")
    if day_s is None:
        return _Point(
            text,
            dt.date(year, code, 1),
            dt.date(year, code, _last_day(year, code)),
            Precision.MONTH,
            approximate,
            uncertain,
            year,
            month=code,
        )
    day = int(day_s)
    last = _last_day(year, code)
    if not 1 <= day <= last:
        raise InvalidDate(f"“{whole}”: day {day_s} does not exist in {MONTHS[code - 1]} {year} (it has {last} days).")
    day_date = dt.date(year, code, day)
    if hour_s is None:
        return _Point(text, day_date, day_date, Precision.DAY, approximate, uncertain, year, code, day)
    return _parse_time(match, text, whole, day_date, approximate, uncertain)


def _parse_time(
    match: re.Match[str], text: str, whole: str, day_date: dt.date, approximate: bool, uncertain: bool
) -> _Point:
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidDate(f"“{whole}”: {hour:02d}:{minute:02d}:{second:02d} is not a time of day.")
    tz_text = match["tz"]
    tzinfo: dt.tzinfo | None = None
    if tz_text:
        if tz_text == "Z":
            tzinfo = dt.UTC
        else:
            sign = -1 if tz_text[0] == "-" else 1
            digits = tz_text[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:] or 0)
            if hours > 14 or minutes > 59:
                raise InvalidDate(f"“{whole}”: {tz_text} is not a UTC offset.")
            offset = sign * dt.timedelta(hours=hours, minutes=minutes)
            tzinfo = dt.UTC if not offset else dt.timezone(offset)
            # One stored form per instant: "Z" for zero, "±HH:MM" otherwise.
            canonical_tz = "Z" if not offset else f"{tz_text[0]}{hours:02d}:{minutes:02d}"
            if canonical_tz != tz_text:
                text = text[: match.start("tz")] + canonical_tz + text[match.end("tz") :]
    moment = dt.datetime(day_date.year, day_date.month, day_date.day, hour, minute, second, tzinfo=tzinfo)
    if tzinfo is not None:
        try:
            moment.astimezone(dt.UTC)
        except OverflowError:
            raise InvalidDate(
                f"“{whole}” falls outside the supported range {MIN_YEAR}–{MAX_YEAR} when expressed in UTC."
            ) from None
    return _Point(
        text,
        day_date,
        day_date,
        Precision.MINUTE,
        approximate,
        uncertain,
        day_date.year,
        day_date.month,
        day_date.day,
        moment=moment,
        tz_known=tzinfo is not None,
    )


def _explain_unreadable(point: str, whole: str) -> str:
    year = re.match(r"(-?\d+)(?:$|[-~?%])", point)
    if year and len(year[1]) < 4 and int(year[1]) >= 1:
        return f"“{whole}”: write the year with four digits, e.g. {int(year[1]):04d}."
    if year and (len(year[1]) != 4 or year[1].startswith("-")):
        return f"Year {int(year[1])} in “{whole}” is outside the supported range {MIN_YEAR}–{MAX_YEAR}."
    return unreadable_message(whole)


def unreadable_message(text: str) -> str:
    """The message for text that is neither EDTF nor a phrase this service reads."""
    return (
        f"Could not read “{text}” as a date. Use EDTF such as 2025-04-17, 2025-04, "
        "2025-06~ (approximate), 2025? (uncertain), 2024-10/2025-04 (interval) or 2024-10/.. (since), "
        "or a phrase such as “April 2025”, “c. June 2025”, “late 2024”, “17 червня 2025” or “2025년 4월”."
    )


_END_KINDS = {"..": End.OPEN, "": End.UNKNOWN}


def parse_stored(edtf_text: str, *, original: str | None = None) -> FuzzyDate:
    """Parse canonical EDTF (e.g. a stored ``Event.date``) into a :class:`FuzzyDate`.

    This is the service's one date grammar; it costs microseconds and needs no
    cache. ``original`` is the text to quote in error messages (defaults to
    ``edtf_text``). Raises :class:`InvalidDate` for anything outside the grammar
    in the module docstring, a month or day that does not exist, a year outside
    1–9999, a date-time interval, or an interval that ends before it starts.
    """
    whole = edtf_text if original is None else original
    if "/" not in edtf_text:
        point = _parse_point(edtf_text, whole)
        return FuzzyDate(
            point.edtf, point.lower, point.upper, point.precision, point.approximate, point.uncertain, point
        )
    first_text, _, last_text = edtf_text.partition("/")
    start_kind = _END_KINDS.get(first_text, End.KNOWN)
    end_kind = _END_KINDS.get(last_text, End.KNOWN)
    if start_kind is not End.KNOWN and end_kind is not End.KNOWN:
        raise InvalidDate(f"“{whole}” gives neither a start nor an end. Give at least one, e.g. 2024-10/.. (since).")
    first = _parse_point(first_text, whole) if start_kind is End.KNOWN else None
    last = _parse_point(last_text, whole) if end_kind is End.KNOWN else None
    if (first is not None and first.moment is not None) or (last is not None and last.moment is not None):
        raise InvalidDate(DATETIME_INTERVAL_MESSAGE.format(text=whole))
    if first is not None and last is not None:
        if last.upper < first.lower:
            raise InvalidDate(f"“{whole}” ends ({last.label()}) before it starts ({first.label()}).")
        precision = first.precision if first.precision.rank <= last.precision.rank else last.precision
        return FuzzyDate(
            f"{first.edtf}/{last.edtf}",
            first.lower,
            # The interval ends within its last end, even when its start is coarser
            # ("2025/2025-21" ends in spring 2025, not in December).
            last.upper,
            precision,
            first.approximate or last.approximate,
            first.uncertain or last.uncertain,
            first,
            last,
            End.KNOWN,
            End.KNOWN,
        )
    known = first or last
    assert known is not None
    return FuzzyDate(
        f"{first_text if first is None else first.edtf}/{last_text if last is None else last.edtf}",
        EARLIEST if first is None else first.lower,
        LATEST if last is None else last.upper,
        known.precision,
        known.approximate,
        known.uncertain,
        first,
        last,
        start_kind,
        end_kind,
    )


def parse(text: str) -> FuzzyDate:
    """Parse EDTF, or a phrase in one of the reporters' languages, into a :class:`FuzzyDate`.

    Canonical EDTF takes the :func:`parse_stored` path; anything else is read by
    :func:`timeline.phrases.to_edtf`. Raises :class:`InvalidDate` with a message
    that says what was wrong or what to type instead; never another exception.
    """
    cleaned = (text or "").strip()
    if _POINT_MATCH(cleaned) is not None:
        return parse_stored(cleaned)
    return parse_stored(normalise(cleaned), original=cleaned)


def normalise(text: str) -> str:
    """Turn what an editor typed into an EDTF string (see :mod:`timeline.phrases`).

    Raises :class:`InvalidDate` for empty or unreadable text, for qualifiers that
    cannot be kept, and for numeric dates whose day and month order is ambiguous.
    """
    from timeline import phrases

    return phrases.to_edtf(text)
