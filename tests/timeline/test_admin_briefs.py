"""Admin hooks for briefs: the timeline page's download link and the events action."""

import io

import pdfplumber
import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from timeline.admin_briefs import TimelineBriefAdminMixin, brief_download_link, brief_for_selected_events
from timeline.models import Event


def admin_request(user):
    request = RequestFactory().post("/admin/timeline/event/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_brief_download_link_points_at_the_brief(client):
    timeline = TimelineFactory(slug="kursk", visibility="private")
    client.force_login(EditorFactory())

    html = TimelineBriefAdminMixin().brief_download(timeline)
    response = client.get("/timelines/kursk/brief.pdf")

    assert html.startswith('<a class="button" href="/timelines/kursk/brief.pdf">Download brief (PDF)</a>')
    assert response.status_code == 200


def test_brief_download_link_is_empty_before_saving():
    assert brief_download_link(TimelineFactory.build()) == ""


@pytest.mark.django_db
def test_brief_action_returns_the_pdf_of_the_selected_events():
    timeline = TimelineFactory(slug="kursk", title="Kursk")
    chosen = EventFactory(timeline=timeline, title="Chosen event", published=False)
    EventFactory(timeline=timeline, title="Other event")
    request = admin_request(EditorFactory())

    response = brief_for_selected_events(
        admin.ModelAdmin(Event, admin.site), request, Event.objects.filter(pk=chosen.pk)
    )

    with pdfplumber.open(io.BytesIO(response.content)) as document:
        text = "\n".join(page.extract_text() for page in document.pages)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="kursk-selected-brief-')
    assert ("Chosen event" in text, "Other event" in text, "1 event selected in the admin" in text) == (
        True,
        False,
        True,
    )


@pytest.mark.django_db
def test_brief_action_refuses_too_many_events_with_a_message(settings):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 1
    timeline = TimelineFactory(slug="kursk")
    EventFactory.create_batch(2, timeline=timeline)
    request = admin_request(EditorFactory())

    response = brief_for_selected_events(admin.ModelAdmin(Event, admin.site), request, Event.objects.all())

    assert response is None
    assert [str(m) for m in request._messages] == [
        "This brief would hold 2 events; the web limit is 1 (settings.TIMELINE_BRIEF_MAX_EVENTS). "
        "Narrow the filter, or ask an operator to run "
        "`python manage.py brief kursk [the same filters as --options] -o brief.pdf`, which has no limit."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("selected", [1, 3])
def test_brief_action_through_a_filtered_changelist_returns_the_pdf(client, selected):
    timeline = TimelineFactory(title="Kursk operations")
    events = [EventFactory(timeline=timeline, title=f"Kursk event {n}", status="claimed") for n in range(4)]
    EventFactory(timeline=timeline, title="Disputed elsewhere", status="disputed")
    client.force_login(EditorFactory())
    chosen = [event.pk for event in events[:selected]]

    # As the browser sends it: the filtered changelist's address, the action and the ticked rows.
    response = client.post(
        "/admin/timeline/event/?status__exact=claimed",
        {"action": "brief_for_selected_events", "_selected_action": chosen, "index": "0"},
    )

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = "\n".join(page.extract_text() or "" for page in pdfplumber.open(io.BytesIO(response.content)).pages)
    assert sorted(title for title in (f"Kursk event {n}" for n in range(4)) if title in text) == [
        f"Kursk event {n}" for n in range(selected)
    ]
    assert "Disputed elsewhere" not in text
