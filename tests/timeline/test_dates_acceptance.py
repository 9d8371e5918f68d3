"""Issue 9's acceptance list, item by item, as deterministic cases beside the property tests
of ``test_dates.py`` (which draw at random and so may miss one season code in a run):
every season code, intervals of every pair of precisions, open ends, every offset form,
days 29-31, the README's table of phrases, and a date-time interval refused with one
message on every surface."""

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, events_url
from tests.timeline.test_admin import _add_event_form
from timeline import dates
from timeline.dates import InvalidDate, Precision
from timeline.models import Event

README = Path(__file__).resolve().parents[2] / "README.md"
SEASON_CODES = range(21, 42)
QUALIFIERS = ("", "~", "?", "%")


@pytest.mark.parametrize(("code", "qualifier"), list(itertools.product(SEASON_CODES, QUALIFIERS)))
def test_every_season_code_displays_as_text_that_types_back(code, qualifier):
    parsed = dates.parse(f"2025-{code}{qualifier}")

    typed_back = [dates.parse(parsed.display()).edtf, dates.parse(parsed.display(short=True)).edtf]

    assert typed_back == [f"2025-{code}{qualifier}"] * 2
    assert (parsed.precision, parsed.lower <= parsed.upper) == (Precision.SEASON, True)


@pytest.mark.parametrize("code", SEASON_CODES)
def test_every_season_code_types_back_inside_intervals_and_open_ends(code):
    for edtf in (f"2024-{code}/2025-{code}", f"2025-{code}/..", f"../2025-{code}"):
        parsed = dates.parse(edtf)

        assert dates.parse(parsed.display()).edtf == edtf


POINTS = {
    Precision.YEAR: ("2023", "2026"),
    Precision.SEASON: ("2023-22", "2026-36"),
    Precision.MONTH: ("2023-11", "2026-02"),
    Precision.DAY: ("2023-12-31", "2026-02-28"),
}


@pytest.mark.parametrize(("first", "second"), list(itertools.product(POINTS, POINTS)))
def test_interval_of_every_precision_pair_keeps_outer_bounds_and_types_back(first, second):
    start, end = POINTS[first][0], POINTS[second][1]

    parsed = dates.parse(f"{start}/{end}")

    assert parsed.edtf == f"{start}/{end}"
    assert (parsed.lower, parsed.upper) == (dates.parse(start).lower, dates.parse(end).upper)
    assert parsed.precision == min(first, second, key=lambda precision: precision.rank)
    assert dates.parse(parsed.display()).edtf == parsed.edtf


@pytest.mark.parametrize("precision", list(POINTS))
def test_open_ends_of_every_precision_sort_at_the_ends_of_time(precision):
    known = POINTS[precision][0]

    since, until = dates.parse(f"{known}/.."), dates.parse(f"../{known}")

    assert (since.lower, since.upper) == (dates.parse(known).lower, dt.date(9999, 12, 31))
    assert (until.lower, until.upper) == (dt.date(1, 1, 1), dates.parse(known).upper)
    assert [dates.parse(since.display()).edtf, dates.parse(until.display()).edtf] == [f"{known}/..", f"../{known}"]


@pytest.mark.parametrize(
    ("spellings", "utc"),
    [
        (("Z", "+00:00", "+0000", "+00"), dt.datetime(2025, 4, 28, 10, 0, tzinfo=dt.UTC)),
        (("+09:00", "+0900", "+09"), dt.datetime(2025, 4, 28, 1, 0, tzinfo=dt.UTC)),
        (("-05:30", "-0530"), dt.datetime(2025, 4, 28, 15, 30, tzinfo=dt.UTC)),
    ],
)
def test_every_offset_form_gives_the_same_instant_and_one_edtf(spellings, utc):
    parsed = [dates.parse(f"2025-04-28T10:00:00{offset}") for offset in spellings]

    assert {p.moment.astimezone(dt.UTC) for p in parsed} == {utc}
    assert len({p.edtf for p in parsed}) == 1
    assert dates.parse(parsed[0].display()).edtf == parsed[0].edtf


@pytest.mark.parametrize(
    ("text", "edtf"),
    [
        ("2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29"),
        ("2025-01-31", "2025-01-31"),
        ("2025-06-30", "2025-06-30"),
        ("29 February 2024", "2024-02-29"),
        ("29 лютого 2024", "2024-02-29"),
        ("31 декабря 2025 года", "2025-12-31"),
        ("2024년 2월 29일", "2024-02-29"),
        ("31/12/2025", "2025-12-31"),
        ("2024-02-29/2024-03-31", "2024-02-29/2024-03-31"),
        ("second half of February 2024", "2024-02-16/2024-02-29"),
        ("second half of February 2025", "2025-02-16/2025-02-28"),
        ("late April 2025", "2025-04-21/2025-04-30"),
        # A day-31 moment whose instant falls in the next year in UTC keeps its local day.
        ("2025-12-31T23:30:00-05:00", "2025-12-31T23:30:00-05:00"),
        ("2025-03-01T00:30:00+0900", "2025-03-01T00:30:00+09:00"),
    ],
)
def test_days_29_to_31_that_exist_are_read(text, edtf):
    parsed = dates.parse(text)

    assert parsed.edtf == edtf
    assert dates.parse(parsed.display()).edtf == edtf


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-02-29", "day 29 does not exist in February 2025 (it has 28 days)."),
        ("1900-02-29", "day 29 does not exist in February 1900 (it has 28 days)."),
        ("2025-04-31", "day 31 does not exist in April 2025 (it has 30 days)."),
        ("2025-02-30/2025-03-02", "day 30 does not exist in February 2025 (it has 28 days)."),
        ("2025-11-31T10:00:00Z", "day 31 does not exist in November 2025 (it has 30 days)."),
        ("29 лютого 2025", "day 29 does not exist in February 2025 (it has 28 days)."),
        ("31 апреля 2025", "day 31 does not exist in April 2025 (it has 30 days)."),
        ("2025년 2월 29일", "day 29 does not exist in February 2025 (it has 28 days)."),
        ("31 juin 2025", "day 31 does not exist in June 2025 (it has 30 days)."),
        ("31. September 2025", "day 31 does not exist in September 2025 (it has 30 days)."),
        ("31/04/2025", "day 31 does not exist in April 2025 (it has 30 days)."),
    ],
)
def test_days_29_to_31_that_do_not_exist_are_refused_with_the_month_length(text, message):
    with pytest.raises(InvalidDate) as excinfo:
        dates.parse(text)

    assert str(excinfo.value) == f"“{text}”: {message}"


def readme_phrase_rows():
    """(language, typed, stored) for every phrase in the README's table of phrases."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| Language | You type | Stored (EDTF) |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.strip().splitlines()[1:]:
        language, typed, stored = (cell.strip() for cell in line.strip("|").split("|"))
        typed_items = re.findall(r"`([^`]+)`", typed)
        stored_items = [item.strip().strip("`") for item in stored.split("·")]
        assert len(typed_items) == len(stored_items), line
        rows += [(language, phrase, edtf) for phrase, edtf in zip(typed_items, stored_items, strict=True)]
    return rows


def test_readme_table_has_phrases_in_every_language():
    languages = {language for language, _, _ in readme_phrase_rows()}

    assert languages == {"English", "Ukrainian", "Russian", "Korean", "French", "German"}


@pytest.mark.parametrize(("language", "typed", "stored"), readme_phrase_rows())
def test_readme_table_of_phrases_is_what_parse_gives(language, typed, stored):
    if stored.startswith("refused"):
        with pytest.raises(InvalidDate):
            dates.parse(typed)
        return

    assert dates.parse(typed).edtf == stored


DATETIME_INTERVAL = "2025-04-28T10:00:00Z/2025-04-29"


def interval_refusal(text):
    return dates.DATETIME_INTERVAL_MESSAGE.format(text=text)


@pytest.mark.django_db
def test_datetime_interval_is_refused_with_one_message_by_the_api(db):
    TimelineFactory(slug="dprk")
    client = client_for(EditorFactory())

    response = client.post(
        events_url(), {"timeline": "dprk", "title": "Convoy", "date": DATETIME_INTERVAL}, format="json"
    )

    assert (response.status_code, response.json(), Event.objects.count()) == (
        400,
        {"date": [interval_refusal(DATETIME_INTERVAL)]},
        0,
    )


@pytest.mark.django_db
def test_datetime_interval_is_refused_with_one_message_by_the_admin_form_and_preview(admin_client):
    timeline = TimelineFactory()

    form = admin_client.post(reverse("admin:timeline_event_add"), _add_event_form(timeline, date=DATETIME_INTERVAL))
    preview = admin_client.get(reverse("admin:timeline_event_date_preview"), {"text": DATETIME_INTERVAL})

    assert form.status_code == 200
    assert form.context["adminform"].form.errors["date"] == [interval_refusal(DATETIME_INTERVAL)]
    assert preview.json() == {"ok": False, "error": interval_refusal(DATETIME_INTERVAL)}
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_datetime_interval_is_refused_with_one_message_by_the_filters(client):
    event = EventFactory(date="2025-04-28")
    feed = reverse("timeline:timeline-feed", kwargs={"slug": event.timeline.slug})

    api = client.get(reverse("api:event-list"), {"overlaps": DATETIME_INTERVAL}, HTTP_ACCEPT="application/json")
    calendar = client.get(feed, {"overlaps": DATETIME_INTERVAL})

    assert (api.status_code, calendar.status_code) == (400, 400)
    assert api.json() == calendar.json() == {"overlaps": [interval_refusal(DATETIME_INTERVAL)]}
