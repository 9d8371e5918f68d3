"""The one export pipeline (timeline/export.py): every surface refuses a bad filter with the
same body, answers 304 from the same ETag rule, and a new format is one small module."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import CitationFactory, EventFactory, SourceFactory, TimelineFactory, UserFactory
from timeline import export

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.timeline.export_urls")]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/?timeline=kursk&",
        "/timelines/kursk/calendar.ics?",
        "/timelines/kursk/brief.pdf?",
        "/timelines/kursk/events.tsv?",
    ],
)
def test_every_export_surface_refuses_a_bad_filter_with_the_same_body(client, path):
    TimelineFactory(slug="kursk")

    response = client.get(path + "min_credibility=9&overlaps=2025-13")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "min_credibility": ["Select a valid choice. 9 is not one of the available choices."],
        "overlaps": [response.json()["overlaps"][0]],
    }
    assert response.json()["overlaps"][0].startswith("“2025-13”: month 13 is out of range")


def test_a_new_format_is_served_filtered_with_etag_and_304(client):
    timeline = TimelineFactory(slug="kursk")
    source = SourceFactory(reliability="B")
    kept = EventFactory(timeline=timeline, title="Shells\tdelivered", date="2025-04", status="denied", credibility=3)
    CitationFactory(event=kept, source=source)
    EventFactory(timeline=timeline, title="Doubtful", credibility=5)
    EventFactory(timeline=timeline, title="Draft", published=False, credibility=1)

    first = client.get("/timelines/kursk/events.tsv?min_credibility=3")
    again = client.get("/timelines/kursk/events.tsv?min_credibility=3", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, again.status_code) == (200, 304)
    assert first["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert first["Content-Disposition"] == 'attachment; filename="kursk-filtered.tsv"'
    lines = [line.split("\t") for line in first.content.decode().splitlines()]
    assert lines == [
        ["uid", "date", "status", "grade", "title"],
        [str(kept.uid), "2025-04", "Denied", "B3", "Shells delivered"],
    ]
    assert again["ETag"] == first["ETag"]


def test_a_new_format_hides_a_private_timeline_like_a_missing_one(client):
    TimelineFactory(slug="secret", visibility="private")

    hidden = client.get("/timelines/secret/events.tsv")
    missing = client.get("/timelines/nothing/events.tsv")

    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.content == missing.content
    assert b"secret" not in hidden.content


def test_a_new_format_shows_drafts_only_to_readers_with_the_view_permission(client):
    timeline = TimelineFactory(slug="kursk")
    EventFactory(timeline=timeline, title="Draft", published=False)
    editor = UserFactory()
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_event", "view_timeline"]))

    anonymous = client.get("/timelines/kursk/events.tsv")
    client.force_login(editor)
    signed_in = client.get("/timelines/kursk/events.tsv")

    assert (b"Draft" in anonymous.content, b"Draft" in signed_in.content) == (False, True)
    assert anonymous["ETag"] != signed_in["ETag"]


def test_an_edit_changes_the_etag_and_the_body(client):
    timeline = TimelineFactory(slug="kursk")
    event = EventFactory(timeline=timeline, title="Before")
    first = client.get("/timelines/kursk/events.tsv")

    event.title = "After"
    event.save()
    second = client.get("/timelines/kursk/events.tsv", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert b"After" in second.content


@pytest.mark.parametrize(
    ("header", "weak", "expected"),
    [
        ('"abc"', True, True),
        ('W/"abc"', True, True),
        ('W/"abc"', False, False),
        ('"x", "abc"', False, True),
        ("*", False, True),
        ('"x"', True, False),
    ],
)
def test_etag_matches_compares_as_rfc_9110_says(header, weak, expected):
    assert export.etag_matches(header, "abc", weak=weak) is expected


def test_register_refuses_a_taken_identifier():
    class Again(export.Exporter):
        identifier = "tsv"

    with pytest.raises(ValueError):
        export.register(Again)


@pytest.mark.parametrize("path", ["/timelines/kursk/events.tsv", "/timelines/kursk/brief.pdf"])
def test_a_role_holders_export_with_drafts_is_never_served_to_a_reader_without_them(client, path):
    from tests.timeline.test_briefs import pdf_text
    from timeline.models import TimelineRole

    timeline = TimelineFactory(slug="kursk")
    EventFactory(timeline=timeline, title="Published one", published=True)
    EventFactory(timeline=timeline, title="Draft one", published=False)
    viewer = UserFactory()
    TimelineRole.objects.create(timeline=timeline, user=viewer, role="viewer")

    client.force_login(viewer)
    with_drafts = client.get(path)
    client.logout()
    anonymous = client.get(path)

    def text(response):
        return pdf_text(response.content) if path.endswith(".pdf") else response.content.decode()

    assert ("Draft one" in text(with_drafts), "Draft one" in text(anonymous)) == (True, False)
    assert with_drafts["ETag"] != anonymous["ETag"]
