import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline import dates
from timeline.dates import InvalidDate, Precision


@pytest.mark.parametrize(
    ("text", "edtf", "display"),
    [
        ("2025-06-17", "2025-06-17", "17 June 2025"),
        ("2025-04", "2025-04", "April 2025"),
        ("2025-06~", "2025-06~", "c. June 2025"),
        ("2025?", "2025?", "2025?"),
        ("2024-10/2025-04", "2024-10/2025-04", "October 2024 – April 2025"),
        ("2025-04-28T10:00:00+09:00", "2025-04-28T10:00:00+09:00", "28 April 2025, 10:00 UTC+9"),
        ("2025-21", "2025-21", "Spring 2025"),
        ("April 2025", "2025-04", "April 2025"),
        ("c. June 2025", "2025-06~", "c. June 2025"),
        ("June 17, 2025", "2025-06-17", "17 June 2025"),
        ("17th June 2025?", "2025-06-17?", "17 June 2025?"),
        ("between October and December 2024", "2024-10/2024-12", "October 2024 – December 2024"),
        ("circa 2025", "2025~", "c. 2025"),
        ("2024-2025", "2024/2025", "2024 – 2025"),
    ],
)
def test_parse_reads_edtf_and_phrases(text, edtf, display):
    parsed = dates.parse(text)

    assert (parsed.edtf, parsed.display()) == (edtf, display)


def test_parse_month_spans_whole_month_without_inventing_a_day():
    parsed = dates.parse("2025-04")

    assert (parsed.lower, parsed.upper, parsed.precision) == (dt.date(2025, 4, 1), dt.date(2025, 4, 30), "month")


def test_parse_interval_takes_coarsest_precision_and_outer_bounds():
    parsed = dates.parse("2024-10~/2025-04-17")

    assert (parsed.lower, parsed.upper, parsed.precision, parsed.approximate) == (
        dt.date(2024, 10, 1),
        dt.date(2025, 4, 17),
        Precision.MONTH,
        True,
    )


def test_parse_winter_runs_into_next_year():
    parsed = dates.parse("2025-24")

    assert (parsed.lower, parsed.upper) == (dt.date(2025, 12, 1), dt.date(2026, 2, 28))


def test_parse_datetime_keeps_offset_and_moment():
    parsed = dates.parse("2025-04-28T10:00:00+09:00")

    assert parsed.moment.astimezone(dt.UTC) == dt.datetime(2025, 4, 28, 1, 0, tzinfo=dt.UTC)
    assert parsed.precision == Precision.MINUTE


def test_interpretation_explains_the_reading():
    assert dates.parse("April 2025").interpretation() == "April 2025 → 1–30 April 2025, month precision"


def test_short_display_abbreviates_months():
    assert dates.parse("2024-10/2025-04").display(short=True) == "Oct 2024 – Apr 2025"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "“2025-13”: month 13 is out of range; use 01–12 (or 21–41 for a season)."),
        ("2025-02-29", "“2025-02-29”: day 29 does not exist in February 2025 (it has 28 days)."),
        ("2025-04/2024-10", "“2025-04/2024-10” ends (October 2024) before it starts (April 2025)."),
        ("0000", "Year 0 in “0000” is outside the supported range 1–9999."),
        ("12025", "Year 12025 in “12025” is outside the supported range 1–9999."),
        (
            "2024-10/..",
            "“2024-10/..” has an open or unknown end. Give the earliest and latest dates a source "
            "supports, e.g. 2024-10/2025-04.",
        ),
        ("", "Enter a date, e.g. 2025-04 or “April 2025”."),
        ("June", "“June” has no year. Add one, e.g. “April 2025”."),
        (
            "9999-12-31T23:59:00-12:00",
            "“9999-12-31T23:59:00-12:00” falls outside the supported range 1–9999 when expressed in UTC.",
        ),
        (
            "17.06.2025",
            "“17.06.2025” is ambiguous (day and month order differ between countries). "
            "Write it as 2025-06-17 or “17 June 2025”.",
        ),
    ],
)
def test_parse_refuses_with_reason(text, message):
    with pytest.raises(InvalidDate) as excinfo:
        dates.parse(text)

    assert str(excinfo.value) == message


def test_parse_refuses_gibberish_with_examples():
    with pytest.raises(InvalidDate) as excinfo:
        dates.parse("recently")

    assert str(excinfo.value).startswith("Could not read “recently” as a date. Use EDTF such as")


@st.composite
def edtf_points(draw):
    year = draw(st.integers(min_value=1, max_value=9998))
    kind = draw(st.sampled_from(["year", "season", "month", "day"]))
    qualifier = draw(st.sampled_from(["", "~", "?", "%"]))
    if kind == "year":
        return f"{year:04d}{qualifier}", Precision.YEAR
    if kind == "season":
        return f"{year:04d}-{draw(st.integers(21, 24))}{qualifier}", Precision.SEASON
    month = draw(st.integers(1, 12))
    if kind == "month":
        return f"{year:04d}-{month:02d}{qualifier}", Precision.MONTH
    day = draw(st.integers(1, 28))
    return f"{year:04d}-{month:02d}-{day:02d}{qualifier}", Precision.DAY


@given(edtf_points())
def test_point_bounds_ordered_and_precision_kept(point):
    text, precision = point

    parsed = dates.parse(text)

    assert parsed.lower <= parsed.upper
    assert parsed.precision == precision
    assert parsed.approximate == (text[-1] in "~%")
    assert parsed.uncertain == (text[-1] in "?%")


@given(edtf_points())
def test_point_display_parses_back_to_same_edtf(point):
    text, _ = point
    parsed = dates.parse(text)

    reparsed = dates.parse(parsed.display())

    assert reparsed.edtf == parsed.edtf


@given(edtf_points(), edtf_points())
def test_interval_bounds_and_display_round_trip(first, second):
    (a, pa), (b, pb) = sorted([first, second], key=lambda p: dates.parse(p[0]).lower)
    if dates.parse(b).upper < dates.parse(a).lower:
        return

    parsed = dates.parse(f"{a}/{b}")

    assert parsed.lower <= parsed.upper
    assert parsed.precision == min(pa, pb, key=lambda p: p.rank)
    assert dates.parse(parsed.display()).edtf == parsed.edtf


@given(edtf_points())
def test_bounds_never_finer_than_precision(point):
    text, precision = point

    parsed = dates.parse(text)

    if precision in (Precision.YEAR, Precision.SEASON, Precision.MONTH):
        assert parsed.lower.day == 1
        assert parsed.lower != parsed.upper
