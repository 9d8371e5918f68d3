"""Uncertain dates, as news reports give them.

A :class:`FuzzyDate` wraps an EDTF (ISO 8601-2) string and exposes what the rest
of the service needs: sortable lower and upper bounds, the precision the source
actually gave, approximate/uncertain flags and an English display string.

This module is pure: no ORM, no settings. It never invents precision: "April
2025" stays a month, spanning 1-30 April, and is never pinned to a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "FuzzyDate",
    "InvalidDate",
    "Precision",
    "normalise",
    "parse",
    "parse_stored",
]

MIN_YEAR = 1
MAX_YEAR = 9999


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
        return list(Precision).index(self)


MONTHS = [calendar.month_name[m] for m in range(1, 13)]
MONTHS_SHORT = [calendar.month_abbr[m] for m in range(1, 13)]
SEASON_NAMES = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
# Level-2 EDTF divisions of a year (ISO 8601-2 codes 25-41).
LEVEL2_SEASON_NAMES = {
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
    39: "Third third of",
    40: "First half of",
    41: "Second half of",
}
# (first month, number of months) for each season code this module computes itself.
# The edtf package gives winter as December only; a northern winter runs into
# the next year, so the span is widened rather than silently narrowed.
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

_POINT_RE = re.compile(
    r"""^(?P<year>\d{4})
        (?:-(?P<month>\d{2})
           (?:-(?P<day>\d{2})
              (?:T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})
                 (?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?
              )?
           )?
        )?
        (?P<qual>[~?%])?$""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
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
            name = SEASON_NAMES.get(self.season) or LEVEL2_SEASON_NAMES[self.season]
            text = f"{name} {year}"
        elif self.precision is Precision.MONTH:
            assert self.month is not None
            text = f"{months[self.month - 1]} {year}"
        elif self.precision is Precision.DAY:
            assert self.month is not None
            text = f"{self.day:d} {months[self.month - 1]} {year}"
        else:
            assert self.moment is not None and self.month is not None
            text = f"{self.day:d} {months[self.month - 1]} {year}, {self.moment:%H:%M}"
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


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A parsed EDTF date or interval.

    ``lower`` and ``upper`` are the first and last day the date may mean,
    inclusive; ``precision`` is the coarsest precision of its ends.
    """

    edtf: str
    lower: dt.date
    upper: dt.date
    precision: Precision
    approximate: bool
    uncertain: bool
    start: _Point
    end: _Point | None = None

    @property
    def is_interval(self) -> bool:
        return self.end is not None

    @property
    def moment(self) -> dt.datetime | None:
        """The exact instant for a single date-time with a known offset, else None."""
        if self.end is None and self.start.moment is not None and self.start.tz_known:
            return self.start.moment
        return None

    def display(self, *, short: bool = False) -> str:
        """How a person would write the date: "c. June 2025", "October 2024 – April 2025"."""
        if self.end is None:
            return self.start.label(short=short)
        return f"{self.start.label(short=short)} – {self.end.label(short=short)}"

    def __str__(self) -> str:
        return self.display()

    def bounds_display(self) -> str:
        """The days the date covers: "1–30 April 2025", "1 October 2024 – 30 April 2025"."""
        return format_day_range(self.lower, self.upper)

    def interpretation(self) -> str:
        """Explain the reading: "April 2025 → 1–30 April 2025, month precision"."""
        flags = [f for f, on in (("approximate", self.approximate), ("uncertain", self.uncertain)) if on]
        extra = (", " + ", ".join(flags)) if flags else ""
        if self.moment is not None:
            utc = self.moment.astimezone(dt.UTC)
            return f"{self.display()} → {utc:%Y-%m-%d %H:%M} UTC, {self.precision} precision{extra}"
        return f"{self.display()} → {self.bounds_display()}, {self.precision} precision{extra}"


def format_day_range(lower: dt.date, upper: dt.date) -> str:
    """Render an inclusive day range compactly ("1–30 April 2025")."""
    if lower == upper:
        return f"{lower.day} {MONTHS[lower.month - 1]} {lower.year}"
    if (lower.year, lower.month) == (upper.year, upper.month):
        return f"{lower.day}–{upper.day} {MONTHS[upper.month - 1]} {upper.year}"
    if lower.year == upper.year:
        return f"{lower.day} {MONTHS[lower.month - 1]} – {upper.day} {MONTHS[upper.month - 1]} {upper.year}"
    return f"{lower.day} {MONTHS[lower.month - 1]} {lower.year} – {upper.day} {MONTHS[upper.month - 1]} {upper.year}"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidDate(f"Year {year} in “{text}” is outside the supported range {MIN_YEAR}–{MAX_YEAR}.")


def _parse_point(text: str, whole: str) -> _Point:
    match = _POINT_RE.match(text)
    if match is None:
        raise InvalidDate(_unreadable_message(whole))
    year = int(match["year"])
    _check_year(year, whole)
    qual = match["qual"] or ""
    approximate = qual in ("~", "%")
    uncertain = qual in ("?", "%")
    month_s, day_s = match["month"], match["day"]
    if month_s is None:
        return _Point(text, dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, approximate, uncertain, year)
    code = int(month_s)
    if code >= 21:
        if day_s is not None or code not in SEASON_SPANS:
            raise InvalidDate(f"“{whole}”: {code} is not a month (01–12) or a season (21–24, or 25–41).")
        first, length = SEASON_SPANS[code]
        last_month_index = first - 1 + length - 1
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
    if not 1 <= code <= 12:
        raise InvalidDate(f"“{whole}”: month {month_s} is out of range; use 01–12 (or 21–24 for a season).")
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
    if not 1 <= day <= _last_day(year, code):
        raise InvalidDate(
            f"“{whole}”: day {day_s} does not exist in {MONTHS[code - 1]} {year} (it has {_last_day(year, code)} days)."
        )
    day_date = dt.date(year, code, day)
    if match["hour"] is None:
        return _Point(text, day_date, day_date, Precision.DAY, approximate, uncertain, year, code, day)
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
            tzinfo = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    moment = dt.datetime(year, code, day, hour, minute, second, tzinfo=tzinfo)
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
        year,
        code,
        day,
        moment=moment,
        tz_known=tzinfo is not None,
    )


def _unreadable_message(text: str) -> str:
    return (
        f"Could not read “{text}” as a date. Use EDTF such as 2025-04-17, 2025-04, "
        "2025-06~ (approximate), 2025? (uncertain) or 2024-10/2025-04 (interval), "
        "or a phrase such as “April 2025”, “c. June 2025” or “June 17, 2025”."
    )


@lru_cache(maxsize=4096)
def parse(text: str) -> FuzzyDate:
    """Parse an EDTF string (or a plain English phrase) into a :class:`FuzzyDate`.

    Raises :class:`InvalidDate` with a message that says what was wrong: text
    that is not a date, a month or day that does not exist, a year outside
    1–9999, an open or unknown interval end, or an interval that ends before
    it starts.
    """
    edtf_text = normalise(text)
    # The edtf package is the reference grammar; the fields are read here so
    # that bounds and precision follow this module's rules (see SEASON_SPANS).
    _validate_with_edtf_package(edtf_text, text)
    return _parse_normalised(edtf_text, text)


@lru_cache(maxsize=4096)
def parse_stored(edtf_text: str) -> FuzzyDate:
    """Parse EDTF that :func:`parse` produced before (e.g. a stored ``Event.date``).

    Skips the check against the edtf package's grammar, which is most of
    :func:`parse`'s cost, so exports of thousands of events stay fast. Raises
    :class:`InvalidDate` for anything it cannot read.
    """
    return _parse_normalised(normalise(edtf_text), edtf_text)


def _parse_normalised(edtf_text: str, text: str) -> FuzzyDate:
    if "/" in edtf_text:
        first_text, last_text = edtf_text.split("/", 1)
        if first_text in ("", "..") or last_text in ("", ".."):
            raise InvalidDate(
                f"“{text}” has an open or unknown end. Give the earliest and latest dates a "
                "source supports, e.g. 2024-10/2025-04."
            )
        first = _parse_point(first_text, text)
        last = _parse_point(last_text, text)
        if last.upper < first.lower:
            raise InvalidDate(f"“{text}” ends ({last.label()}) before it starts ({first.label()}).")
        if first.moment and last.moment and first.tz_known == last.tz_known and last.moment < first.moment:
            raise InvalidDate(f"“{text}” ends before it starts.")
        precision = min(first.precision, last.precision, key=lambda p: p.rank)
        return FuzzyDate(
            edtf=edtf_text,
            lower=first.lower,
            upper=max(first.upper, last.upper),
            precision=precision,
            approximate=first.approximate or last.approximate,
            uncertain=first.uncertain or last.uncertain,
            start=first,
            end=last,
        )
    point = _parse_point(edtf_text, text)
    return FuzzyDate(
        edtf=edtf_text,
        lower=point.lower,
        upper=point.upper,
        precision=point.precision,
        approximate=point.approximate,
        uncertain=point.uncertain,
        start=point,
    )


def _validate_with_edtf_package(edtf_text: str, original: str) -> None:
    from edtf import EDTFParseException, parse_edtf

    # The edtf package rejects qualified seasons ("2025-21~"), which ISO 8601-2
    # allows; it checks the season itself, the qualifier is read here.
    reference = re.sub(r"^(\d{4}-(?:2\d|3\d|4[01]))[~?%]$", r"\1", edtf_text)
    try:
        parse_edtf(reference)
    except EDTFParseException as exc:
        month = re.match(r"^\d{4}-(\d{2})(?:[-~?%/]|$)", edtf_text)
        if month and int(month[1]) > 12 and int(month[1]) not in SEASON_SPANS:
            raise InvalidDate(
                f"“{original}”: month {month[1]} is out of range; use 01–12 (or 21–24 for a season)."
            ) from exc
        day = re.match(r"^(\d{4})-(\d{2})-(\d{2})", edtf_text)
        if day and 1 <= int(day[2]) <= 12:
            year, month_no = int(day[1]), int(day[2])
            if year >= 1 and not 1 <= int(day[3]) <= _last_day(year, month_no):
                raise InvalidDate(
                    f"“{original}”: day {day[3]} does not exist in {MONTHS[month_no - 1]} {year}."
                ) from exc
        year_match = re.match(r"^(-?\d+)(?:$|[-~?%/])", edtf_text)
        if (
            year_match
            and len(year_match[1].lstrip("-")) != 4
            and (year_match[1].startswith("-") or len(year_match[1]) > 4 or set(year_match[1]) == {"0"})
        ):
            raise InvalidDate(
                f"Year {year_match[1]} in “{original}” is outside the supported range {MIN_YEAR}–{MAX_YEAR}."
            ) from exc
        raise InvalidDate(_unreadable_message(original)) from exc


# --- Plain phrases ---------------------------------------------------------------

_MONTH_LOOKUP = {name.lower(): i for i, name in enumerate(MONTHS, start=1)}
_MONTH_LOOKUP.update({name.lower(): i for i, name in enumerate(MONTHS_SHORT, start=1)})
_MONTH_LOOKUP["sept"] = 9
_SEASON_LOOKUP = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_APPROX_PREFIX = re.compile(
    r"^(?:circa|approximately|approx\.?|around|about|roughly|ca\.|c\.|ca\b|c\b|~)\s*",
    re.IGNORECASE,
)
_RANGE_SPLIT = re.compile(r"\s*(?:–|—|\bto\b|\buntil\b|\btill\b|\bthrough\b|\s-\s)\s*", re.IGNORECASE)
_QUARTER_LOOKUP = {"q1": 33, "q2": 34, "q3": 35, "q4": 36}
_TIME_SUFFIX = re.compile(
    r"^(?P<day>.+?),?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"\s*(?:(?P<offset>utc(?:[+-]\d{1,2}(?::\d{2})?)?|z)|\(local time\))?$"
)
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)


def normalise(text: str) -> str:
    """Turn what an editor typed into an EDTF string, without checking it fully.

    EDTF passes through unchanged (trimmed). Phrases such as "April 2025",
    "c. June 2025", "June 17, 2025", "17 June 2025?", "Spring 2025",
    "October 2024 – April 2025" and "between October and December 2024" are
    rewritten. Raises :class:`InvalidDate` for empty or unreadable text.
    """
    cleaned = unicodedata.normalize("NFC", text or "").strip()
    if not cleaned:
        raise InvalidDate("Enter a date, e.g. 2025-04 or “April 2025”.")
    # "2024-2025": a range of years typed with a hyphen.
    years = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", cleaned)
    if years:
        return f"{years[1]}/{years[2]}"
    if re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", cleaned):
        raise InvalidDate(
            f"“{cleaned}” is ambiguous (day and month order differ between countries). "
            "Write it as 2025-06-17 or “17 June 2025”."
        )
    if re.fullmatch(r"[0-9TZ:+\-~?%/.]+", cleaned):
        return _fix_edtf_time(cleaned)
    try:
        return _phrase_to_edtf(cleaned)
    except InvalidDate:
        raise
    except (ValueError, IndexError, KeyError) as exc:
        raise InvalidDate(_unreadable_message(cleaned)) from exc


def _fix_edtf_time(text: str) -> str:
    # EDTF wants seconds; editors often type "T10:00+09:00".
    return re.sub(r"T(\d{2}):(\d{2})(?=$|Z|[+-])", r"T\1:\2:00", text)


def _phrase_to_edtf(text: str) -> str:
    lowered = text.lower().rstrip(".").strip()
    lowered = re.sub(r"\bad\s+(\d{1,4})\b", lambda m: f"{int(m[1]):04d}", lowered)
    between = re.fullmatch(r"(?:between|from)\s+(.+?)\s+(?:and|to|until|till)\s+(.+)", lowered)
    if between:
        first, last = between[1], between[2]
    else:
        parts = _RANGE_SPLIT.split(lowered)
        if len(parts) == 2:
            first, last = parts
        elif len(parts) == 1:
            return _phrase_point(lowered, text)
        else:
            raise InvalidDate(_unreadable_message(text))
    last_edtf = _phrase_point(last, text)
    # "October to December 2024": the first end borrows the year of the second.
    if not re.search(r"\d{4}", first):
        year = last_edtf[:4]
        first = f"{first} {year}"
    first_edtf = _phrase_point(first, text)
    return f"{first_edtf}/{last_edtf}"


def _offset_edtf(offset: str | None) -> str:
    if not offset:
        return ""
    if offset in ("utc", "z"):
        return "Z"
    sign, rest = offset[3], offset[4:]
    hours, _, minutes = rest.partition(":")
    return f"{sign}{int(hours):02d}:{minutes or '00'}"


def _phrase_point(phrase: str, whole: str) -> str:
    phrase = phrase.strip().strip(",").strip()
    qualifier = ""
    approx = _APPROX_PREFIX.match(phrase)
    if approx and approx.end() > 0:
        phrase = phrase[approx.end() :].strip()
        qualifier = "~"
    if phrase.endswith("?"):
        phrase = phrase[:-1].strip()
        qualifier = "%" if qualifier else "?"
    if re.fullmatch(r"[0-9TZ:+\-]+", phrase):
        return _fix_edtf_time(phrase) + qualifier
    phrase = _ORDINAL.sub(r"\1", phrase)
    # "late 2024" keeps only what it is sure of: the year.
    phrase = re.sub(r"^(?:in|on|early|mid|late)\s+", "", phrase)
    timed = _TIME_SUFFIX.match(phrase)
    if timed:
        day_edtf = _phrase_point(timed["day"], whole)
        if len(day_edtf) != 10:
            raise InvalidDate(f"“{whole}”: a time needs a full date (day, month and year).")
        return day_edtf + f"T{int(timed['hour']):02d}:{timed['minute']}:00" + _offset_edtf(timed["offset"]) + qualifier
    tokens = [t for t in re.split(r"[\s,]+", phrase.replace("of ", " ")) if t]
    year = month = day = season = None
    for token in tokens:
        if re.fullmatch(r"\d{4}", token):
            if year is not None:
                raise InvalidDate(_unreadable_message(whole))
            year = int(token)
        elif re.fullmatch(r"\d{1,2}", token):
            if day is not None:
                raise InvalidDate(_unreadable_message(whole))
            day = int(token)
        elif token.rstrip(".") in _MONTH_LOOKUP:
            month = _MONTH_LOOKUP[token.rstrip(".")]
        elif token in _SEASON_LOOKUP or token in _QUARTER_LOOKUP:
            season = _SEASON_LOOKUP.get(token) or _QUARTER_LOOKUP[token]
        else:
            raise InvalidDate(_unreadable_message(whole))
    if year is None:
        raise InvalidDate(f"“{whole}” has no year. Add one, e.g. “April 2025”.")
    if season is not None:
        if month is not None or day is not None:
            raise InvalidDate(_unreadable_message(whole))
        return f"{year:04d}-{season}{qualifier}"
    if month is None:
        if day is not None:
            raise InvalidDate(_unreadable_message(whole))
        return f"{year:04d}{qualifier}"
    if day is None:
        return f"{year:04d}-{month:02d}{qualifier}"
    return f"{year:04d}-{month:02d}-{day:02d}{qualifier}"
