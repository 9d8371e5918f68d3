"""Dates typed the way reporters write them, in English, Ukrainian, Russian,
Korean, French and German, turned into EDTF for :mod:`timeline.dates`. The
words of each language are in :mod:`timeline.phrases.words`.

Why not a library: ``dateparser`` 1.5.0 (measured on this service's phrases,
Python 3.11, 2 vCPU) reads plain days and months in all six languages, but
returns nothing for qualifiers ("mid-2024", "late April 2025", "first half of
2025", "the week of 3 March 2025", "наприкінці 2024 року"), seasons, "c. June
2025" and "since October 2024"; it reads "05/06/2025" as 6 May without a word
of the ambiguity; and it costs 0.33 s to import, 1.2 s for its first Ukrainian
phrase and about 3 ms per phrase after that. The qualifiers are the point of
this module, so the rules are written here (the words in :mod:`timeline.phrases.words`):
about 50 µs per phrase, median over 10,000 distinct phrases (``make bench BENCH_ARGS=dates``).

Rules (the README's table shows examples in each language):

* month names in each language, in the grammatical cases news uses ("17 червня
  2025", "в апреле 2025", "у квітні 2025"), Korean "2025년 4월 17일", French
  "1er avril 2025", German "17. Juni 2025";
* numeric days: 17/06/2025, 17.06.2025, 06/17/2025 are read when only one order
  gives a real date; 05/06/2025 is refused as ambiguous;
* "c." and its equivalents make a date approximate (``~``), a trailing "?"
  uncertain (``?``);
* qualifiers are kept, never dropped: on a year, early/mid/late are the EDTF
  divisions "first/second/last third of" (codes 37-39: January-April,
  May-August, September-December) and first/second half the codes 40-41; on a
  month, early/mid/late are days 1-10, 11-20 and 21 to the end, first/second
  half days 1-15 and 16 to the end, as an interval of days; "the week of" a day
  is its Monday-to-Sunday week. Any other use is refused with a suggestion;
* "since X" / "from X on" is ``X/..``; "until X" is ``../X``; "X – (end
  unknown)" is ``X/`` and "(start unknown) – X" is ``/X``;
* times take an offset, a UTC/GMT offset, or a zone name news uses (UTC, GMT,
  KST, MSK, EET, EEST, CET, CEST, "Kyiv time", "Pyongyang time", "Moscow
  time", "Seoul time" and their Ukrainian, Russian and Korean forms). Named
  zones are resolved with the IANA database for that date and time, so "Kyiv
  time" is UTC+3 in summer and UTC+2 in winter.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from timeline.dates import MONTHS, InvalidDate, parse_stored, unreadable_message
from timeline.phrases.words import (
    APPROX,
    APPROX_SUFFIX,
    EARLY,
    FILLER,
    FIRST_HALF,
    FIXED_ZONES,
    HEMISPHERE_BASE,
    HEMISPHERE_ORDER,
    HEMISPHERE_SEASON,
    KOREAN_KIND,
    KOREAN_QUALIFIER,
    LATE,
    MID,
    MONTH_WORDS,
    NAMED_ZONES,
    PRESENT,
    QUALIFIER_OF,
    QUALIFIER_PREFIX,
    QUARTERS,
    ROMAN,
    SEASON_WORDS,
    SECOND_HALF,
    SUB_NAMES,
    WEEK_OF,
    YEAR_CODES,
)

__all__ = ["to_edtf"]

MAX_LENGTH = 200


# --- Open and closed intervals -----------------------------------------------------------

_SINCE = re.compile(
    r"^(?:since|starting from|starting in|starting|from|починаючи з|з|із|від|начиная с|с|со|"
    r"depuis|à partir de|à partir d'|dès|seit|ab)\s+(?P<a>.+?)"
    r"(?:\s+(?:on|onwards|onward|and ongoing|до сьогодні|донині|по сей день|по настоящее время|à ce jour|bis heute))?$"
)
_SINCE_SUFFIX = re.compile(r"^(?P<a>.+?)\s*(?:부터|이후로|이후|이래)$")
_UNTIL = re.compile(
    r"^(?:until|till|up to|up until|through|до|по|jusqu'à|jusqu'au|jusqu'en|jusque|bis zum|bis zur|bis)\s+(?P<b>.+)$"
)
_UNTIL_SUFFIX = re.compile(r"^(?P<b>.+?)\s*까지$")
_BETWEEN = re.compile(
    r"^(?:(?:between|from|з|із|від|між|с|со|между|entre|de|du|von|vom|zwischen)\s+|d')(?P<a>.+?)\s+"
    r"(?:and|to|until|till|through|до|по|і|й|та|и|et|à|au|bis|und)\s+(?P<b>.+)$"
)
_KOREAN_RANGE = re.compile(r"^(?P<a>.+?)\s*부터\s*(?P<b>.+?)\s*까지$")
_RANGE_SPLIT = re.compile(r"\s*(?:–|—|\s-\s|\bto\b|\buntil\b|\btill\b|\bthrough\b)\s*")
_START_UNKNOWN = "(start unknown)"
_END_UNKNOWN = "(end unknown)"

_TIME_TAIL = re.compile(
    r"^(?P<date>.+?)(?:,?\s+|t)(?:at\s+|о\s+|об\s+|в\s+|à\s+|um\s+)?"
    r"(?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?:uhr|h))?"
    r"\s*(?P<zone>.*)$"
)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$")
_LOCAL = frozenset(["", "(local time)", "local time", "local"])

# --- Numbers and EDTF-like text -------------------------------------------------------------

_EDTF_CHARS = re.compile(r"[0-9TtZz:+\-~?%/.]+")
_NUMERIC_DAY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})")
_NUMERIC_MONTH = re.compile(r"(\d{1,2})[./](\d{4})")
_YEAR_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")
_YEAR_WORD = re.compile(r"(\d{1,4})\s*(?:року|рік|р\.|р\b|года|год|г\.|г\b)")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|e|\.)?$")


def to_edtf(text: str) -> str:
    """Turn what an editor typed into an EDTF string.

    Canonical EDTF comes back unchanged; other EDTF-like text is tidied
    ("T10:00+0900" gets its seconds, "2024-2025" becomes 2024/2025, unambiguous
    numeric days are reordered); phrases are read by the rules in the module
    docstring. The result is not checked for real dates: :func:`timeline.dates.parse`
    does that. Raises :class:`InvalidDate` for empty, unreadable or ambiguous text
    and for qualifiers that cannot be kept, with a message saying what to type.
    """
    cleaned = unicodedata.normalize("NFC", text or "").strip()
    if not cleaned:
        raise InvalidDate("Enter a date, e.g. 2025-04 or “April 2025”.")
    if len(cleaned) > MAX_LENGTH:
        raise InvalidDate(f"A date is at most {MAX_LENGTH} characters; write it as EDTF, e.g. 2025-04-17.")
    if _EDTF_CHARS.fullmatch(cleaned):
        return _edtf_like(cleaned, cleaned)
    lowered = " ".join(cleaned.lower().replace("’", "'").replace("−", "-").split())
    lowered = lowered.rstrip(".").strip()
    try:
        return _phrase(lowered, cleaned)
    except InvalidDate:
        raise
    except (ValueError, IndexError, KeyError, OverflowError) as exc:
        # A safety net: whatever slipped past the rules above is still just unreadable text.
        raise InvalidDate(unreadable_message(cleaned)) from exc


def _edtf_like(text: str, whole: str) -> str:
    years = _YEAR_RANGE.fullmatch(text)
    if years:
        return f"{years[1]}/{years[2]}"
    numeric = _NUMERIC_DAY.fullmatch(text)
    if numeric:
        return _numeric_day(numeric, whole)
    month = _NUMERIC_MONTH.fullmatch(text)
    if month:
        return f"{month[2]}-{int(month[1]):02d}"
    text = text.replace("t", "T").replace("z", "Z")
    # EDTF wants seconds; editors often type "T10:00+09:00".
    return re.sub(r"T(\d{2}):(\d{2})(?=$|Z|[+\-~?%])", r"T\1:\2:00", text)


def _numeric_day(match: re.Match[str], whole: str) -> str:
    first, second, year_text = int(match[1]), int(match[3]), match[4]
    if len(year_text) != 4:
        raise InvalidDate(f"“{whole}”: write the year in full, e.g. 17/06/2025.")
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first
    elif first == second:
        day = month = first
    elif first > 12 and second > 12:
        raise InvalidDate(f"“{whole}”: neither {first} nor {second} is a month.")
    else:
        raise InvalidDate(
            f"“{whole}” is ambiguous (day and month order differ between countries). "
            f"Write it as {year_text}-{second:02d}-{first:02d} or {year_text}-{first:02d}-{second:02d} "
            "(year-month-day), or with the month's name."
        )
    return f"{year_text}-{month:02d}-{day:02d}"


def _phrase(lowered: str, whole: str) -> str:
    between = _BETWEEN.fullmatch(lowered) or _KOREAN_RANGE.fullmatch(lowered)
    if between:
        return _interval(between["a"], between["b"], whole)
    until = _UNTIL.fullmatch(lowered) or _UNTIL_SUFFIX.fullmatch(lowered)
    if until:
        start, end = _point(until["b"], whole)
        return f"../{end or start}"
    parts = _RANGE_SPLIT.split(lowered)
    since = _SINCE.fullmatch(lowered) or _SINCE_SUFFIX.fullmatch(lowered)
    if since and len(parts) == 1:
        return f"{_point(since['a'], whole)[0]}/.."
    if len(parts) == 2:
        first, last = parts
        if last in PRESENT:
            return f"{_point(first, whole)[0]}/.."
        if first == _START_UNKNOWN:
            start, end = _point(last, whole)
            return f"/{end or start}"
        if last == _END_UNKNOWN:
            return f"{_point(first, whole)[0]}/"
        return _interval(first, last, whole)
    if len(parts) > 2:
        raise InvalidDate(unreadable_message(whole))
    start, end = _point(lowered, whole)
    return start if end is None else f"{start}/{end}"


def _has_year(phrase: str) -> bool:
    return re.search(r"\d{3,4}|\d\s*년|\bad\s+\d", phrase) is not None


def _interval(first: str, last: str, whole: str) -> str:
    last_start, last_end = _point(last, whole)
    last_edtf = last_end or last_start
    if _has_year(first):
        return f"{_point(first, whole)[0]}/{last_edtf}"
    # "October to December 2024", "1–5 May 2025": the first end borrows what it lacks
    # from the second; across a new year ("December to February 2025") one year back.
    if not last_edtf[:4].isdigit():
        raise InvalidDate(unreadable_message(whole))
    year = int(last_edtf[:4])
    if _ORDINAL.fullmatch(first.strip()) and last_edtf[5:7].isdigit() and 1 <= int(last_edtf[5:7]) <= 12:
        month_name = MONTHS[int(last_edtf[5:7]) - 1].lower()
        first = f"{first.strip().rstrip('.')} {month_name}"
    candidate = f"{_point(f'{first} {year:04d}', whole)[0]}/{last_edtf}"
    try:
        parse_stored(candidate, original=whole)
    except InvalidDate:
        if year > 1:
            earlier = f"{_point(f'{first} {year - 1:04d}', whole)[0]}/{last_edtf}"
            try:
                parse_stored(earlier, original=whole)
            except InvalidDate:
                return candidate
            return earlier
    return candidate


def _point(phrase: str, whole: str) -> tuple[str, str | None]:
    """One end of a date: (EDTF, None), or (start, end) of the days a qualifier names."""
    phrase = phrase.strip().strip(",").strip()
    qualifier = ""
    approx = APPROX.match(phrase)
    if approx and approx.end() > 0:
        phrase = phrase[approx.end() :].strip()
        qualifier = "~"
    suffix = APPROX_SUFFIX.search(phrase)
    if suffix:
        phrase = phrase[: suffix.start()].strip()
        qualifier = "~"
    if phrase.endswith("?"):
        phrase = phrase[:-1].strip()
        qualifier = "%" if qualifier else "?"
    if phrase.startswith("the "):
        phrase = phrase[4:]
    if not phrase:
        raise InvalidDate(unreadable_message(whole))
    if _EDTF_CHARS.fullmatch(phrase):
        edtf = _edtf_like(phrase, whole)
        return _with_qualifier(edtf, qualifier, whole), None
    timed = _TIME_TAIL.fullmatch(phrase)
    if timed and _zone_known(timed["zone"]):
        return _timed(timed, whole) + qualifier, None
    sub = QUALIFIER_PREFIX.match(phrase)
    korean = None if sub else KOREAN_QUALIFIER.fullmatch(phrase)
    if sub or korean:
        if sub:
            kind, rest = QUALIFIER_OF[sub["word"]], phrase[sub.end() :]
        else:
            assert korean is not None
            kind, rest = KOREAN_KIND[korean["word"]], korean["rest"]
        return _qualified(kind, rest, qualifier, whole)
    return _plain(phrase, whole) + qualifier, None


def _with_qualifier(edtf: str, qualifier: str, whole: str) -> str:
    if not qualifier:
        return edtf
    if edtf[-1:] in "~?%" or "/" in edtf:
        raise InvalidDate(unreadable_message(whole))
    return edtf + qualifier


def _zone_known(zone: str) -> bool:
    zone = zone.strip()
    return zone in _LOCAL or zone in FIXED_ZONES or zone in NAMED_ZONES or _OFFSET.fullmatch(zone) is not None


def _timed(match: re.Match[str], whole: str) -> str:
    day_edtf, end = _point(match["date"], whole)
    if end is not None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day_edtf):
        raise InvalidDate(f"“{whole}”: a time needs a full date (day, month and year).")
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    stamp = f"{day_edtf}T{hour:02d}:{minute:02d}:{second:02d}"
    zone = match["zone"].strip()
    if zone in _LOCAL:
        return stamp
    if zone in FIXED_ZONES:
        return stamp + _offset_text(FIXED_ZONES[zone])
    if zone in NAMED_ZONES:
        return stamp + _named_offset(stamp, NAMED_ZONES[zone], whole)
    offset = _OFFSET.fullmatch(zone)
    assert offset is not None
    minutes = int(offset["hours"]) * 60 + int(offset["minutes"] or 0)
    if int(offset["hours"]) > 14:
        raise InvalidDate(f"“{whole}”: {zone.upper()} is not a UTC offset.")
    return stamp + _offset_text(-minutes if offset["sign"] == "-" else minutes)


def _offset_text(minutes: int) -> str:
    if not minutes:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _named_offset(stamp: str, zone_name: str, whole: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        local = dt.datetime.fromisoformat(stamp).replace(tzinfo=ZoneInfo(zone_name))
    except ValueError as exc:
        raise InvalidDate(f"“{whole}”: {exc}.") from None
    offset = local.utcoffset() or dt.timedelta(0)
    return _offset_text(int(offset.total_seconds()) // 60)


def _qualified(kind: str, rest: str, qualifier: str, whole: str) -> tuple[str, str | None]:
    inner, end = _point(rest, whole)
    if "/" in inner:
        raise InvalidDate(unreadable_message(whole))
    if end is not None or inner[-1:] in "~?%":
        raise InvalidDate(
            f"“{whole}”: only one qualifier at a time; type the period itself, e.g. 2025-04-01/2025-04-10."
        )
    parsed = parse_stored(inner, original=whole)
    point = parsed.start
    assert point is not None
    precision = parsed.precision.value
    if kind == WEEK_OF:
        if precision != "day":
            raise InvalidDate(f"“{whole}”: “the week of” needs a day, e.g. “the week of 3 March 2025”.")
        monday = parsed.lower - dt.timedelta(days=parsed.lower.weekday())
        sunday = monday + dt.timedelta(days=6)
        return monday.isoformat() + qualifier, sunday.isoformat() + qualifier
    if precision == "year":
        return f"{point.year:04d}-{YEAR_CODES[kind]}{qualifier}", None
    if precision == "month":
        last = parsed.upper.day
        first_day, last_day = {
            EARLY: (1, 10),
            MID: (11, 20),
            LATE: (21, last),
            FIRST_HALF: (1, 15),
            SECOND_HALF: (16, last),
        }[kind]
        month = inner[:7]
        return f"{month}-{first_day:02d}{qualifier}", f"{month}-{last_day:02d}{qualifier}"
    raise InvalidDate(
        f"“{whole}”: “{kind}” can qualify a year (“{kind} 2025” is the {SUB_NAMES[kind]} 2025) "
        f"or a month (“{kind} April 2025” is a range of days), not a {precision}. "
        "Type the period itself, e.g. “April 2025 – May 2025”."
    )


def _plain(phrase: str, whole: str) -> str:
    """A point with no qualifier: a year, season, month or day in any of the languages."""
    hemisphere = HEMISPHERE_SEASON.fullmatch(phrase)
    if hemisphere:
        code = HEMISPHERE_BASE[hemisphere["side"]] + HEMISPHERE_ORDER[hemisphere["season"]]
        year_text = _plain(hemisphere["rest"], whole)
        if not re.fullmatch(r"\d{4}", year_text):
            raise InvalidDate(unreadable_message(whole))
        return f"{year_text}-{code}"
    phrase = re.sub(r"\bad\s+(\d{1,4})\b", lambda m: f"{int(m[1]):04d}", phrase)
    phrase = _YEAR_WORD.sub(lambda m: f"{int(m[1]):04d}", phrase)
    phrase = re.sub(r"(\d)\s*(년|월|일|분기)", r"\1\2 ", phrase)
    tokens = [t for t in re.split(r"[\s,]+", phrase) if t]
    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: int | None = None
    for index, token in enumerate(tokens):
        bare = token.rstrip(".")
        numeric = _NUMERIC_DAY.fullmatch(token)
        if numeric:
            return _numeric_day(numeric, whole)
        if re.fullmatch(r"\d{4}|\d{1,4}년", token):
            if year is not None:
                raise InvalidDate(unreadable_message(whole))
            year = int(token.rstrip("년"))
        elif re.fullmatch(r"\d{1,2}월", token):
            month = int(token[:-1])
            if not 1 <= month <= 12:
                raise InvalidDate(f"“{whole}”: month {month} is out of range (1–12).")
        elif re.fullmatch(r"\d{1,2}일", token):
            day = int(token[:-1])
        elif re.fullmatch(r"[1-4]분기", token):
            season = 32 + int(token[0])
        elif token == "квартал" and day is not None and 1 <= day <= 4:
            season, day = 32 + day, None
        elif token in ROMAN and index + 1 < len(tokens) and tokens[index + 1] == "квартал":
            day = ROMAN[token]
        elif ordinal := _ORDINAL.fullmatch(token):
            if day is not None:
                raise InvalidDate(unreadable_message(whole))
            day = int(ordinal[1])
        elif bare in MONTH_WORDS:
            month = MONTH_WORDS[bare]
        elif token in SEASON_WORDS or token in QUARTERS:
            season = SEASON_WORDS.get(token) or QUARTERS[token]
        elif token in FILLER or bare in FILLER:
            continue
        else:
            raise InvalidDate(unreadable_message(whole))
    if year is None:
        raise InvalidDate(f"“{whole}” has no year. Add one, e.g. “April 2025”.")
    if season is not None:
        if month is not None or day is not None:
            raise InvalidDate(unreadable_message(whole))
        return f"{year:04d}-{season}"
    if month is None:
        if day is not None:
            raise InvalidDate(unreadable_message(whole))
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"
