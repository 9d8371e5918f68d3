import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import CitationFactory, EventFactory, SourceFactory, TimelineFactory
from timeline.models import Event, EventTombstone


@pytest.mark.django_db
def test_event_save_derives_month_bounds():
    event = EventFactory(date="April 2025")

    event.refresh_from_db()

    assert (event.date, event.date_lower, event.date_upper, event.precision) == (
        "2025-04",
        dt.date(2025, 4, 1),
        dt.date(2025, 4, 30),
        "month",
    )


@pytest.mark.django_db
def test_event_save_normalises_circa_phrase():
    event = EventFactory(date="c. June 2025")

    event.refresh_from_db()

    assert (event.date, event.approximate, event.date_display) == ("2025-06~", True, "c. June 2025")


@pytest.mark.django_db
def test_event_full_clean_refuses_month_13():
    event = EventFactory.build(timeline=TimelineFactory(), date="2025-13")

    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()

    assert excinfo.value.message_dict["date"] == [
        "“2025-13”: month 13 is out of range; use 01–12 (or 21–41 for a season)."
    ]


@pytest.mark.django_db
def test_event_save_refuses_invalid_date_and_writes_nothing():
    timeline = TimelineFactory()

    with pytest.raises(ValidationError):
        Event.objects.create(timeline=timeline, title="Bad", date="2025-13")

    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_event_version_counts_saves():
    event = EventFactory()

    event.title = "Changed"
    event.save()
    event.save()

    assert Event.objects.get(pk=event.pk).version == 3


@pytest.mark.django_db
def test_event_uid_survives_edits():
    event = EventFactory()
    uid = event.uid

    event.date = "2025-05"
    event.title = "Another"
    event.save()

    assert Event.objects.get(pk=event.pk).uid == uid


@pytest.mark.django_db
def test_event_grade_uses_best_cited_reliability():
    event = EventFactory(credibility=3)
    CitationFactory(event=event, source=SourceFactory(reliability="C"))
    CitationFactory(event=event, source=SourceFactory(reliability="B"))

    assert event.grade == "B3"


@pytest.mark.django_db
def test_event_grade_without_citations_is_f():
    event = EventFactory(credibility=2)

    assert event.grade == "F2"


@pytest.mark.django_db
def test_event_delete_leaves_tombstone_and_touches_timeline():
    event = EventFactory()
    before = event.timeline.content_changed_at
    uid = event.uid

    event.delete()

    event.timeline.refresh_from_db()
    assert EventTombstone.objects.get().uid == uid
    assert event.timeline.content_changed_at > before


@pytest.mark.django_db
def test_timeline_delete_removes_events_and_keeps_their_tombstones():
    event = EventFactory()

    event.timeline.delete()

    # Mirrors learn of the deletion from the tombstones, which outlive the timeline.
    assert (Event.objects.count(), list(EventTombstone.objects.values_list("uid", flat=True))) == (0, [event.uid])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("credibility", 7, "event_credibility_1_6"),
        ("latitude", 91, "event_latitude_range"),
        ("longitude", -181, "event_longitude_range"),
    ],
)
def test_event_database_constraints(field, value, constraint):
    event = EventFactory()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        Event.objects.filter(pk=event.pk).update(**{field: value})

    assert constraint in str(excinfo.value) or "CHECK" in str(excinfo.value)


@pytest.mark.django_db
def test_source_url_must_be_http():
    source = SourceFactory.build(url="javascript:alert(1)")

    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()

    assert list(excinfo.value.message_dict) == ["url"]


@pytest.mark.django_db
def test_event_save_stores_open_interval_with_sortable_bounds():
    since = EventFactory(date="since October 2024")
    until = EventFactory(timeline=since.timeline, date="until 28 April 2025")
    day = EventFactory(timeline=since.timeline, date="2024-11-05")

    ordered = list(
        Event.objects.filter(timeline=since.timeline).in_order().values_list("date", "date_lower", "date_upper")
    )

    assert ordered == [
        ("../2025-04-28", dt.date(1, 1, 1), dt.date(2025, 4, 28)),
        ("2024-10/..", dt.date(2024, 10, 1), dt.date(9999, 12, 31)),
        ("2024-11-05", dt.date(2024, 11, 5), dt.date(2024, 11, 5)),
    ]
    assert (since.date_display, until.date_display, day.date_display) == (
        "since October 2024",
        "until 28 April 2025",
        "5 November 2024",
    )


@pytest.mark.django_db
def test_event_save_refuses_a_datetime_interval_with_the_one_message():
    with pytest.raises(ValidationError) as excinfo:
        EventFactory(date="2025-04-28T10:00:00Z/2025-04-29")

    assert excinfo.value.message_dict["date"] == [
        "“2025-04-28T10:00:00Z/2025-04-29”: an interval cannot have times of day. Give the days it covers "
        "(e.g. 2025-04-28/2025-04-29), or enter each timed moment as its own event."
    ]
