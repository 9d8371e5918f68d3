import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from timeline import dates
from timeline.dates import InvalidDate, Precision

# Codes whose span this service widens on purpose: a winter runs into the next
# year's February, where the edtf package stops at 31 December (see SEASON_SPANS).
WIDENED_WINTERS = {24, 28, 30}


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
        ("2024-10/..", "2024-10/..", "since October 2024"),
        ("../2025-04-28", "../2025-04-28", "until 28 April 2025"),
        ("2024-10/", "2024-10/", "October 2024 – (end unknown)"),
        ("/2025-04-28", "/2025-04-28", "(start unknown) – 28 April 2025"),
        ("2025-40", "2025-40", "First half of 2025"),
        ("2025-04-28T10:00:00+00:00", "2025-04-28T10:00:00Z", "28 April 2025, 10:00 UTC"),
        ("2025-04-28T10:00:00+0900", "2025-04-28T10:00:00+09:00", "28 April 2025, 10:00 UTC+9"),
        ("2025-04-28T10:00:30-05:30", "2025-04-28T10:00:30-05:30", "28 April 2025, 10:00:30 UTC-5:30"),
    ],
)
def test_parse_reads_edtf_and_phrases(text, edtf, display):
    parsed = dates.parse(text)

    assert (parsed.edtf, parsed.display()) == (edtf, display)


# The README's table of phrases: every row here is a row there.
@pytest.mark.parametrize(
    ("text", "edtf"),
    [
        # English
        ("mid-2024", "2024-38"),
        ("early 2025", "2025-37"),
        ("late 2024", "2024-39"),
        ("first half of 2025", "2025-40"),
        ("second half of 2025", "2025-41"),
        ("late April 2025", "2025-04-21/2025-04-30"),
        ("early February 2024", "2024-02-01/2024-02-10"),
        ("second half of February 2024", "2024-02-16/2024-02-29"),
        ("the week of 3 March 2025", "2025-03-03/2025-03-09"),
        ("the week of 5 March 2025", "2025-03-03/2025-03-09"),
        ("since October 2024", "2024-10/.."),
        ("until 28 April 2025", "../2025-04-28"),
        ("June 2025 – present", "2025-06/.."),
        ("1–5 May 2025", "2025-05-01/2025-05-05"),
        ("December to February 2025", "2024-12/2025-02"),
        ("17/06/2025", "2025-06-17"),
        ("06/17/2025", "2025-06-17"),
        ("17.06.2025", "2025-06-17"),
        ("2025-04-28 10:00 KST", "2025-04-28T10:00:00+09:00"),
        ("28 April 2025, 10:00 GMT", "2025-04-28T10:00:00Z"),
        ("28 April 2025, 10:00 MSK", "2025-04-28T10:00:00+03:00"),
        ("28 April 2025, 10:00 EET", "2025-04-28T10:00:00+02:00"),
        ("28 April 2025, 10:00 EEST", "2025-04-28T10:00:00+03:00"),
        ("28 April 2025, 10:00 Kyiv time", "2025-04-28T10:00:00+03:00"),
        ("28 January 2025, 10:00 Kyiv time", "2025-01-28T10:00:00+02:00"),
        ("28 April 2025, 10:00 Pyongyang time", "2025-04-28T10:00:00+09:00"),
        ("1 September 2015, 12:00 Pyongyang time", "2015-09-01T12:00:00+08:30"),
        # Ukrainian
        ("17 червня 2025", "2025-06-17"),
        ("квітень 2025", "2025-04"),
        ("у квітні 2025 року", "2025-04"),
        ("близько червня 2025", "2025-06~"),
        ("наприкінці 2024 року", "2024-39"),
        ("на початку квітня 2025", "2025-04-01/2025-04-10"),
        ("у першій половині 2025 року", "2025-40"),
        ("навесні 2025", "2025-21"),
        ("з жовтня 2024", "2024-10/.."),
        ("до 28 квітня 2025", "../2025-04-28"),
        ("з жовтня 2024 по квітень 2025", "2024-10/2025-04"),
        ("17 червня 2025 о 10:00 за київським часом", "2025-06-17T10:00:00+03:00"),
        # Russian
        ("17 июня 2025 года", "2025-06-17"),
        ("в апреле 2025", "2025-04"),
        ("около июня 2025", "2025-06~"),
        ("в конце 2024 года", "2024-39"),
        ("в середине апреля 2025", "2025-04-11/2025-04-20"),
        ("во второй половине 2025 года", "2025-41"),
        ("с октября 2024 года", "2024-10/.."),
        ("до 28 апреля 2025", "../2025-04-28"),
        ("с 1 по 5 мая 2025", "2025-05-01/2025-05-05"),
        ("28 апреля 2025, 10:00 по московскому времени", "2025-04-28T10:00:00+03:00"),
        # Korean
        ("2025년 4월", "2025-04"),
        ("2025년 4월 17일", "2025-04-17"),
        ("2025년 4월경", "2025-04~"),
        ("2025년 말", "2025-39"),
        ("2025년 4월 초", "2025-04-01/2025-04-10"),
        ("2025년 상반기", "2025-40"),
        ("2025년 1분기", "2025-33"),
        ("2025년 봄", "2025-21"),
        ("2024년 10월부터", "2024-10/.."),
        ("2025년 4월 28일까지", "../2025-04-28"),
        ("2024년 10월부터 2025년 4월까지", "2024-10/2025-04"),
        # French
        ("avril 2025", "2025-04"),
        ("1er avril 2025", "2025-04-01"),
        ("vers juin 2025", "2025-06~"),
        ("mi-avril 2025", "2025-04-11/2025-04-20"),
        ("fin 2024", "2024-39"),
        ("début 2025", "2025-37"),
        ("au premier semestre 2025", "2025-40"),
        ("au printemps 2025", "2025-21"),
        ("depuis octobre 2024", "2024-10/.."),
        ("jusqu'au 28 avril 2025", "../2025-04-28"),
        ("du 1er au 5 mai 2025", "2025-05-01/2025-05-05"),
        # German
        ("17. Juni 2025", "2025-06-17"),
        ("März 2025", "2025-03"),
        ("etwa Juni 2025", "2025-06~"),
        ("Mitte 2024", "2024-38"),
        ("Ende April 2025", "2025-04-21/2025-04-30"),
        ("im ersten Halbjahr 2025", "2025-40"),
        ("im Frühjahr 2025", "2025-21"),
        ("seit Oktober 2024", "2024-10/.."),
        ("bis 28. April 2025", "../2025-04-28"),
        ("von Oktober 2024 bis April 2025", "2024-10/2025-04"),
    ],
)
def test_parse_reads_phrases_in_reporters_languages(text, edtf):
    assert dates.parse(text).edtf == edtf


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


def test_parse_open_end_has_widest_bounds_and_known_period():
    parsed = dates.parse("since October 2024")

    assert (parsed.lower, parsed.upper, parsed.known_lower, parsed.known_upper, parsed.precision) == (
        dt.date(2024, 10, 1),
        dt.date(9999, 12, 31),
        dt.date(2024, 10, 1),
        dt.date(2024, 10, 31),
        Precision.MONTH,
    )


def test_parse_open_start_has_widest_bounds_and_known_period():
    parsed = dates.parse("until 28 April 2025")

    assert (parsed.lower, parsed.upper, parsed.known_lower, parsed.known_upper) == (
        dt.date(1, 1, 1),
        dt.date(2025, 4, 28),
        dt.date(2025, 4, 28),
        dt.date(2025, 4, 28),
    )


def test_interpretation_explains_the_reading():
    assert dates.parse("April 2025").interpretation() == "April 2025 → 1–30 April 2025, month precision"


def test_interpretation_of_open_interval_says_it_goes_on():
    assert dates.parse("2024-10/..").interpretation() == (
        "since October 2024 → from 1 October 2024 on, month precision, open-ended"
    )


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
        ("../..", "“../..” gives neither a start nor an end. Give at least one, e.g. 2024-10/.. (since)."),
        ("", "Enter a date, e.g. 2025-04 or “April 2025”."),
        ("June", "“June” has no year. Add one, e.g. “April 2025”."),
        (
            "9999-12-31T23:59:00-12:00",
            "“9999-12-31T23:59:00-12:00” falls outside the supported range 1–9999 when expressed in UTC.",
        ),
        (
            "05.06.2025",
            "“05.06.2025” is ambiguous (day and month order differ between countries). "
            "Write it as 2025-06-05 or 2025-05-06 (year-month-day), or with the month's name.",
        ),
        (
            "2025-04-28T10:00:00Z/2025-04-29",
            dates.DATETIME_INTERVAL_MESSAGE.format(text="2025-04-28T10:00:00Z/2025-04-29"),
        ),
        (
            "late spring 2025",
            "“late spring 2025”: “late” can qualify a year (“late 2025” is the last third of 2025) or a month "
            "(“late April 2025” is a range of days), not a season. "
            "Type the period itself, e.g. “April 2025 – May 2025”.",
        ),
        (
            "the week of April 2025",
            "“the week of April 2025”: “the week of” needs a day, e.g. “the week of 3 March 2025”.",
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


# --- Property tests ----------------------------------------------------------------------

QUALIFIERS = st.sampled_from(["", "~", "?", "%"])


@st.composite
def edtf_points(draw, *, kinds=("year", "season", "month", "day")):
    """A valid canonical EDTF point and its precision; seasons draw every code 21-41."""
    year = draw(st.integers(min_value=1, max_value=9998))
    kind = draw(st.sampled_from(kinds))
    qualifier = draw(QUALIFIERS)
    if kind == "year":
        return f"{year:04d}{qualifier}", Precision.YEAR
    if kind == "season":
        return f"{year:04d}-{draw(st.integers(21, 41))}{qualifier}", Precision.SEASON
    month = draw(st.integers(1, 12))
    if kind == "month":
        return f"{year:04d}-{month:02d}{qualifier}", Precision.MONTH
    day = draw(st.integers(1, 31))
    try:
        dt.date(year, month, day)
    except ValueError:
        day = 28
    return f"{year:04d}-{month:02d}-{day:02d}{qualifier}", Precision.DAY


@st.composite
def intervals(draw):
    """A valid closed interval of any two precisions."""
    first, second = draw(edtf_points()), draw(edtf_points())
    (a, pa), (b, pb) = sorted([first, second], key=lambda p: dates.parse_stored(p[0]).lower)
    if dates.parse_stored(b).upper < dates.parse_stored(a).lower:
        b, pb = a, pa
    return f"{a}/{b}", min(pa, pb, key=lambda p: p.rank)


OFFSET_FORMS = st.sampled_from(["", "Z", "+00:00", "+09:00", "+0900", "+09", "-05:30", "-0330", "+14:00", "-12:00"])


@st.composite
def date_times(draw):
    day = draw(st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9998, 12, 31)))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{draw(OFFSET_FORMS)}"


@given(edtf_points())
def test_point_bounds_ordered_and_precision_kept(point):
    text, precision = point

    parsed = dates.parse(text)

    assert parsed.lower <= parsed.upper
    assert parsed.precision == precision
    assert parsed.approximate == (text[-1] in "~%")
    assert parsed.uncertain == (text[-1] in "?%")


@given(st.one_of(edtf_points(), intervals()))
def test_display_parses_back_to_same_edtf(value):
    text, _ = value
    parsed = dates.parse(text)

    assert dates.parse(parsed.display()).edtf == parsed.edtf
    assert dates.parse(parsed.display(short=True)).edtf == parsed.edtf


@given(intervals())
def test_interval_bounds_and_precision(value):
    text, precision = value

    parsed = dates.parse(text)

    assert parsed.lower <= parsed.upper
    assert parsed.precision == precision


@given(edtf_points(), st.sampled_from(["..", ""]), st.booleans())
def test_open_interval_sorts_and_types_back(point, open_text, open_start):
    text, precision = point
    edtf = f"{open_text}/{text}" if open_start else f"{text}/{open_text}"

    parsed = dates.parse(edtf)

    known = dates.parse_stored(text)
    assert (parsed.known_lower, parsed.known_upper, parsed.precision) == (known.lower, known.upper, precision)
    assert (parsed.lower, parsed.upper) == (
        (dt.date(1, 1, 1), known.upper) if open_start else (known.lower, dt.date(9999, 12, 31))
    )
    assert dates.parse(parsed.display()).edtf == parsed.edtf


@given(date_times())
def test_datetime_every_offset_form_gives_one_instant(text):
    parsed = dates.parse(text)

    assert parsed.precision == Precision.MINUTE
    assert dates.parse(parsed.display()).edtf == parsed.edtf
    offset = text[19:]
    if offset:
        assert parsed.moment is not None
        assert (
            parsed.moment.utcoffset()
            == dt.datetime.fromisoformat(text[:19] + ("+00:00" if offset == "Z" else offset)).utcoffset()
        )
    else:
        assert parsed.moment is None


@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_invalid_date(text):
    try:
        parsed = dates.parse(text)
    except InvalidDate:
        return

    assert parsed.lower <= parsed.upper


DATEISH = st.lists(
    st.sampled_from(
        [
            "2025",
            "0001",
            "9999",
            "04",
            "31",
            "29",
            "-",
            "/",
            "..",
            "~",
            "?",
            "%",
            "T",
            ":",
            "00",
            "+",
            "Z",
            " ",
            "–",
            "c.",
            "april",
            "червня",
            "4월",
            "년",
            "since",
            "until",
            "early",
            "late",
            "mid-",
            "the week of",
            "first half of",
            "q1",
            "spring",
            "northern",
            "(end unknown)",
            "(start unknown)",
            "utc",
            "kst",
            ",",
            "17.",
        ]
    ),
    max_size=8,
).map("".join)


@given(DATEISH)
def test_date_like_text_parses_or_raises_invalid_date(text):
    try:
        parsed = dates.parse(text)
    except InvalidDate:
        return

    assert parsed.lower <= parsed.upper
    assert dates.parse(parsed.edtf) == parsed


# --- The edtf package as an oracle ---------------------------------------------------------


def oracle_bounds(text):
    """Bounds from the edtf package, or None when it refuses the text."""
    from edtf import parse_edtf, struct_time_to_date

    try:
        parsed = parse_edtf(text)
        return struct_time_to_date(parsed.lower_strict()), struct_time_to_date(parsed.upper_strict())
    except Exception:
        return None


def unqualified(text):
    # The edtf package refuses qualified seasons ("2025-21~"), which ISO 8601-2 allows;
    # qualifiers never move strict bounds, so the oracle is asked without them.
    return text.replace("~", "").replace("?", "").replace("%", "")


@given(st.one_of(edtf_points(), intervals()))
def test_bounds_agree_with_edtf_oracle(value):
    text, _ = value
    parsed = dates.parse_stored(text)

    expected = oracle_bounds(unqualified(text))

    codes = {int(part[5:7]) for part in unqualified(text).split("/") if len(part) == 7}
    # The edtf package reads ISO 8601-2 codes 25-41 alone but not inside intervals.
    assume(not (expected is None and "/" in text and max(codes, default=0) >= 25))
    assert expected is not None
    lower, upper = expected
    winters = {int(part[5:7]) for part in text.split("/") if len(unqualified(part)) == 7 and part[5] in "234"}
    assert parsed.lower == lower
    if not winters & WIDENED_WINTERS:
        assert parsed.upper == upper


@given(st.integers(1, 9999), st.integers(0, 45), st.integers(0, 32))
def test_acceptance_agrees_with_edtf_oracle(year, month, day):
    text = f"{year:04d}-{month:02d}-{day:02d}"

    try:
        parsed = dates.parse_stored(text)
    except InvalidDate:
        parsed = None

    expected = oracle_bounds(text)
    assert (parsed is None) == (expected is None)
    if parsed is not None:
        assert (parsed.lower, parsed.upper) == expected


@given(date_times())
def test_datetime_day_agrees_with_edtf_oracle(text):
    # The oracle reads only "Z", "±HH:MM" and no offset; other ISO 8601 forms are this service's.
    parsed = dates.parse_stored(text)

    expected = oracle_bounds(parsed.edtf)

    if expected is not None:
        assert (parsed.lower, parsed.upper) == expected


@pytest.mark.parametrize(
    ("lower", "upper", "words"),
    [
        (dt.date(2025, 4, 1), dt.date(2025, 4, 30), "1–30 April 2025"),
        (dt.date(2024, 10, 1), dt.date(9999, 12, 31), "from 1 October 2024 on"),
        (dt.date(1, 1, 1), dt.date(2025, 4, 28), "up to 28 April 2025"),
    ],
)
def test_format_day_range_reads_open_bounds(lower, upper, words):
    assert dates.format_day_range(lower, upper) == words
