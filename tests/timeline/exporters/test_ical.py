"""The iCal exporter, tested without a database by parsing what it writes."""

import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from hypothesis import example, given
from hypothesis import strategies as st

from tests.timeline.exporters.injection import OPTIONS, PAYLOADS, injection_events, injection_feed
from tests.timeline.ical_checks import ical_js_available, ical_js_events, parse_feed
from timeline.exporters import ical
from timeline.snapshot import CitationSnapshot, EventSnapshot, SourceSnapshot

ROOT = Path(__file__).resolve().parents[3]
UTC = dt.UTC
SITE = ical.ExportOptions(site_url="https://timelines.example.org")


def cited(*sources):
    """Citations of ``sources`` (``SourceSnapshot`` values), in order, as an event snapshot holds them."""
    return tuple(CitationSnapshot(source) for source in sources)


def feed_event(**changes):
    """The exporter's input, an ``EventSnapshot`` (the date's EDTF is ``date``, its status words
    come from ``timeline.labels``), with ``changes``."""
    event = EventSnapshot(
        pk=1,
        uid="7c1f3e0a-0000-4000-8000-000000000001",
        version=3,
        title="DPRK acknowledges casualties",
        summary="Pyongyang confirmed losses for the first time.",
        date="2025-04",
        precision="month",
        location="Kursk region",
        latitude=51.73,
        longitude=36.19,
        status="claimed",
        credibility=3,
        key=False,
        reported="",
        published=True,
        claimant="GUR",
        tags=("casualties", "dprk"),
        citations=cited(
            SourceSnapshot(
                pk=1, title="Budanov interview", publisher="Ukrainska Pravda", url="https://pravda.example/1"
            ),
            SourceSnapshot(pk=2, title="KCNA statement", publisher="KCNA", url="ftp://kcna.example/2"),
        ),
        created_at=dt.datetime(2025, 4, 20, 8, 0, tzinfo=UTC),
        updated_at=dt.datetime(2025, 5, 2, 9, 30, tzinfo=UTC),
        path="/events/7c1f3e0a-0000-4000-8000-000000000001/",
    )
    return dataclasses.replace(event, **changes)


def render(*events, options=SITE, header=None):
    return ical.render_calendar(list(events), header or ical.CalendarHeader(name="Test", description="Tests"), options)


def only_event(body):
    events = parse_feed(body).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_render_calendar_header_has_names_and_refresh_hints_and_no_method():
    options = ical.ExportOptions(site_url="https://timelines.example.org", refresh=dt.timedelta(hours=6))

    calendar = parse_feed(render(options=options, header=ical.CalendarHeader(name="Kursk", description="Events")))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == ical.PRODID
    assert (calendar["NAME"], calendar["X-WR-CALNAME"]) == ("Kursk", "Kursk")
    assert (calendar["DESCRIPTION"], calendar["X-WR-CALDESC"]) == ("Events", "Events")
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=6)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"
    assert "METHOD" not in calendar


def test_render_vevent_writes_every_property_once():
    body = render(feed_event())

    vevent = only_event(body)

    assert str(vevent["UID"]) == "7c1f3e0a-0000-4000-8000-000000000001"
    assert vevent["DTSTAMP"].dt == dt.datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
    assert vevent["LAST-MODIFIED"].dt == dt.datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
    assert vevent["CREATED"].dt == dt.datetime(2025, 4, 20, 8, 0, tzinfo=UTC)
    assert vevent["SEQUENCE"] == 3
    assert str(vevent["SUMMARY"]) == "[Apr 2025 · claimed · F3] DPRK acknowledges casualties"
    assert str(vevent["LOCATION"]) == "Kursk region"
    assert vevent["GEO"].latitude == 51.73
    assert vevent["GEO"].longitude == 36.19
    assert [str(c) for c in vevent["CATEGORIES"].cats] == ["casualties", "dprk"]
    assert str(vevent["URL"]) == "https://timelines.example.org/events/7c1f3e0a-0000-4000-8000-000000000001/"
    assert str(vevent["TRANSP"]) == "TRANSPARENT"
    assert str(vevent["X-TIMELINE-EDTF"]) == "2025-04"
    assert str(vevent["X-TIMELINE-PRECISION"]) == "month"
    assert str(vevent["X-TIMELINE-CLAIM-STATUS"]) == "claimed"
    assert str(vevent["X-TIMELINE-CLAIMANT"]) == "GUR"
    assert str(vevent["X-TIMELINE-CREDIBILITY"]) == "3"
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert [name for name, _ in vevent.property_items(recursive=False) if name in ("VALARM", "RRULE")] == []
    assert vevent.subcomponents == []


def test_render_vevent_description_reads_date_line_summary_sources_then_url():
    vevent = only_event(render(feed_event()))

    assert str(vevent["DESCRIPTION"]).split("\n") == [
        "Date: April 2025 (month precision) · Claimed by GUR · Credibility 3",
        "",
        "Pyongyang confirmed losses for the first time.",
        "",
        "Sources:",
        "1. Budanov interview — Ukrainska Pravda — https://pravda.example/1",
        "2. KCNA statement — KCNA",
        "",
        "https://timelines.example.org/events/7c1f3e0a-0000-4000-8000-000000000001/",
    ]


@pytest.mark.parametrize(
    ("status", "label", "claimant", "expected"),
    [
        (
            "confirmed",
            "Confirmed",
            "GUR",
            "Date: April 2025 (month precision) · Confirmed · Claimant: GUR · Credibility 3",
        ),
        ("reported", "Reported", "", "Date: April 2025 (month precision) · Reported · Credibility 3"),
    ],
)
def test_render_vevent_description_first_line_names_status(status, label, claimant, expected):
    event = feed_event(status=status, claimant=claimant)
    assert event.status_label == label

    vevent = only_event(render(event))

    assert str(vevent["DESCRIPTION"]).split("\n")[0] == expected


def test_render_vevent_description_is_capped_and_keeps_date_line_and_url():
    options = ical.ExportOptions(site_url="https://timelines.example.org", description_max=300)
    event = feed_event(summary="word " * 500)

    description = str(only_event(render(event, options=options))["DESCRIPTION"])

    assert len(description) <= 300
    assert description.startswith("Date: April 2025 (month precision)")
    assert description.endswith("…\n\nhttps://timelines.example.org/events/7c1f3e0a-0000-4000-8000-000000000001/")


def test_render_vevent_leaves_out_url_that_is_not_http():
    options = ical.ExportOptions(site_url="javascript:alert(1)//")

    vevent = only_event(render(feed_event(), options=options))

    assert "URL" not in vevent
    assert "javascript" not in str(vevent["DESCRIPTION"])


def test_render_vevent_bytes_are_stable():
    first = ical.render_vevent(feed_event(), SITE)

    second = ical.render_vevent(feed_event(), SITE)

    assert first == second


def test_render_vevent_refuses_naive_times():
    event = feed_event(updated_at=dt.datetime(2025, 5, 2, 9, 30))

    with pytest.raises(ValueError, match="Naive"):
        ical.render_vevent(event, SITE)


def test_render_calendar_with_no_events_is_an_empty_calendar():
    calendar = parse_feed(render())

    assert calendar.subcomponents == []


# --- Precision -------------------------------------------------------------------------------


def days_covered(edtf, days):
    calendar = parse_feed(render(feed_event(date=edtf)))
    return [day for day in days if recurring_ical_events.of(calendar).at(day)]


def test_month_event_covers_every_day_of_the_month_only():
    days = [dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 4, 30), dt.date(2025, 5, 1)]

    covered = days_covered("2025-04", days)

    assert covered == [dt.date(2025, 4, 1), dt.date(2025, 4, 30)]


def test_day_event_covers_its_day_only():
    days = [dt.date(2025, 4, 16), dt.date(2025, 4, 17), dt.date(2025, 4, 18)]

    covered = days_covered("2025-04-17", days)

    assert covered == [dt.date(2025, 4, 17)]


def test_interval_event_covers_both_ends():
    days = [dt.date(2024, 9, 30), dt.date(2024, 10, 1), dt.date(2025, 4, 30), dt.date(2025, 5, 1)]

    covered = days_covered("2024-10/2025-04", days)

    assert covered == [dt.date(2024, 10, 1), dt.date(2025, 4, 30)]


def test_season_event_covers_the_season():
    days = [dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 5, 31), dt.date(2025, 6, 1)]

    covered = days_covered("2025-21", days)

    assert covered == [dt.date(2025, 3, 1), dt.date(2025, 5, 31)]


def test_year_event_covers_the_year():
    days = [dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 1)]

    covered = days_covered("2025", days)

    assert covered == [dt.date(2025, 1, 1), dt.date(2025, 12, 31)]


@pytest.mark.parametrize(
    ("edtf", "summary", "start", "end"),
    [
        ("2025-04-17", "[claimed · F3] DPRK acknowledges casualties", dt.date(2025, 4, 17), dt.date(2025, 4, 18)),
        ("2025-04", "[Apr 2025 · claimed · F3] DPRK acknowledges casualties", dt.date(2025, 4, 1), dt.date(2025, 5, 1)),
        (
            "2025-06~",
            "[c. Jun 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 6, 1),
            dt.date(2025, 7, 1),
        ),
        (
            "2025-04-17~",
            "[c. 17 Apr 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 4, 17),
            dt.date(2025, 4, 18),
        ),
        ("2025?", "[2025? · claimed · F3] DPRK acknowledges casualties", dt.date(2025, 1, 1), dt.date(2026, 1, 1)),
        (
            "2025-21",
            "[Spring 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 3, 1),
            dt.date(2025, 6, 1),
        ),
        (
            "2024-10/2025-04",
            "[Oct 2024 – Apr 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2024, 10, 1),
            dt.date(2025, 5, 1),
        ),
        (
            "2024-10-01/2024-10-03",
            "[claimed · F3] DPRK acknowledges casualties",
            dt.date(2024, 10, 1),
            dt.date(2024, 10, 4),
        ),
        (
            "2025-04-17T14:00:00",
            "[17 Apr 2025, 14:00 (local time) · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 4, 17),
            dt.date(2025, 4, 18),
        ),
        (
            "2025-04-17T14:00:00+03:00",
            "[claimed · F3] DPRK acknowledges casualties",
            dt.datetime(2025, 4, 17, 11, 0, tzinfo=UTC),
            None,
        ),
        # Open and unknown ends: the span of the known end only, the title says the rest.
        (
            "2024-10/..",
            "[since Oct 2024 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2024, 10, 1),
            dt.date(2024, 11, 1),
        ),
        (
            "../2025-04-28",
            "[until 28 Apr 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 4, 28),
            dt.date(2025, 4, 29),
        ),
        (
            "2024-10-05/",
            "[5 Oct 2024 – (end unknown) · claimed · F3] DPRK acknowledges casualties",
            dt.date(2024, 10, 5),
            dt.date(2024, 10, 6),
        ),
        (
            "/2025-04",
            "[(start unknown) – Apr 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 4, 1),
            dt.date(2025, 5, 1),
        ),
        (
            "2025-40",
            "[First half of 2025 · claimed · F3] DPRK acknowledges casualties",
            dt.date(2025, 1, 1),
            dt.date(2025, 7, 1),
        ),
    ],
)
def test_precision_maps_to_calendar_entry(edtf, summary, start, end):
    vevent = only_event(render(feed_event(date=edtf)))

    assert str(vevent["SUMMARY"]) == summary
    assert vevent["DTSTART"].dt == start
    assert (vevent["DTEND"].dt if "DTEND" in vevent else None) == end


def test_open_interval_description_says_it_goes_on():
    vevent = only_event(render(feed_event(date="2024-10/..")))

    first_line = str(vevent["DESCRIPTION"]).split("\n")[0]

    assert first_line == "Date: since October 2024 (month precision, open-ended) · Claimed by GUR · Credibility 3"
    assert str(vevent["X-TIMELINE-EDTF"]) == "2024-10/.."


def test_dates_are_all_day_dates_or_utc_times():
    edtfs = ["2025-04-17", "2025-04", "2025", "2025-04-17T14:00:00+03:00", "2025-04-17T14:00:00", "2024-10/2025-04"]
    body = render(*(feed_event(uid=f"u{n}", date=edtf) for n, edtf in enumerate(edtfs)))

    lines = [line for line in body.decode().split("\r\n") if line.startswith(("DTSTART", "DTEND"))]

    assert [line for line in lines if not re.fullmatch(r"DT(START|END)(;VALUE=DATE:\d{8}|:\d{8}T\d{6}Z)", line)] == []


# --- Text hygiene -------------------------------------------------------------------------------


def test_injection_feed_has_one_vevent_per_event_and_text_intact():
    body = injection_feed()

    calendar = parse_feed(body)

    assert_injection_intact(calendar)


def test_injection_feed_is_the_same_under_python_optimize():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    result = subprocess.run(
        [sys.executable, "-O", "-c", "import sys; assert False, 'asserts are on'"], capture_output=True, check=False
    )
    optimized = subprocess.run(
        [sys.executable, "-O", "-m", "tests.timeline.exporters.injection"],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
    )

    assert result.returncode == 0
    assert optimized.stdout == injection_feed()
    assert_injection_intact(parse_feed(optimized.stdout))


def assert_injection_intact(calendar):
    vevents = calendar.walk("VEVENT")
    events = injection_events()
    assert [str(v["UID"]) for v in vevents] == [e.uid for e in events]
    assert [len(v.property_items(recursive=False)) for v in vevents] == [21] * len(events)
    for vevent, event, payload in zip(vevents, events, PAYLOADS, strict=True):
        one_line = ical.clean_text(payload, single_line=True)
        assert str(vevent["SUMMARY"]) == ical._truncate("[Apr 2025 · claimed · F3] " + one_line[:300], ical.SUMMARY_MAX)
        assert str(vevent["LOCATION"]) == ical._truncate(one_line[:200].strip(), ical.LOCATION_MAX)
        # icalendar 7.3 keeps X- values verbatim (vUnknown): they read back still TEXT-escaped.
        assert str(vevent["X-TIMELINE-CLAIMANT"]) == icalendar.vText(one_line[:200]).to_ical().decode()
        assert [str(c) for c in vevent["CATEGORIES"].cats] == [one_line[:100], "plain"]
        description = str(vevent["DESCRIPTION"])
        assert description.split("\n\n")[1] == ical.clean_text(payload).strip()
        assert f"1. {one_line[:300]} — {one_line[:200]} — https://news.example.org/a" in description
        assert event.title == payload[:300]


def test_injection_feed_parses_in_ical_js():
    if not ical_js_available():
        pytest.skip("node with the ical.js package is not installed")

    events = ical_js_events(injection_feed())

    assert [event["uid"] for event in events] == [event.uid for event in injection_events()]


def test_text_is_stripped_of_control_characters_but_keeps_tab():
    event = feed_event(title="a\x00b\x1bc\x7fd\x85e\tf", summary="one\r\ntwo\rthree\u2028four")

    vevent = only_event(render(event))

    assert str(vevent["SUMMARY"]) == "[Apr 2025 · claimed · F3] abcde\tf"
    assert str(vevent["DESCRIPTION"]).split("\n")[2:6] == ["one", "two", "three", "four"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=500))
@example("0\n\n")  # a summary holding a blank line
def test_any_title_and_summary_read_back_cleaned_through_every_parser(text):
    event = feed_event(title=text, summary=text + "!", date="2025-04-17", status="confirmed", credibility=1)

    vevent = only_event(render(event))

    assert str(vevent["SUMMARY"]) == ical._truncate("[confirmed · F1] " + ical.clean_text(text, single_line=True), 400)
    # The summary follows the heading line and a blank line; it may hold blank lines itself.
    assert str(vevent["DESCRIPTION"]).split("\n\n", 1)[1].startswith(ical.clean_text(text + "!").strip())
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_vevent_cache_key_changes_with_version_source_and_tags_only():
    base = feed_event()
    source = SourceSnapshot(pk=2, title="Renamed", publisher="KCNA", url="https://kcna.example/2")

    keys = {
        "same": ical.vevent_cache_key(feed_event(), SITE),
        "version": ical.vevent_cache_key(feed_event(version=4), SITE),
        "source": ical.vevent_cache_key(feed_event(citations=cited(source)), SITE),
        "tags": ical.vevent_cache_key(feed_event(tags=("other",)), SITE),
        "claimant": ical.vevent_cache_key(feed_event(claimant="SBU"), SITE),
        "site": ical.vevent_cache_key(base, ical.ExportOptions(site_url="https://other.example")),
    }

    assert keys["same"] == ical.vevent_cache_key(base, SITE)
    assert len(set(keys.values())) == 6
    assert OPTIONS.description_max == 100_000
