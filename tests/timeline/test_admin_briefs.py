"""Admin hooks for briefs: the timeline page's download link and the events action."""

import io

import lxml.html
import pdfplumber
import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from tests.worker import run_worker
from timeline.admin_briefs import TimelineBriefAdminMixin, brief_download_link, brief_for_selected_events
from timeline.models import Event

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


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


def post_brief_action(client, events, **headers):
    """Tick ``events`` on the event changelist and run the brief action, as a browser does."""
    return client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "brief_for_selected_events", "index": 0, "_selected_action": [event.pk for event in events]},
        **headers,
    )


def job_status(response):
    """The status paragraph of a brief job's page."""
    (paragraph,) = lxml.html.fromstring(response.content).find_class("brief-job-status")
    return paragraph


def download_link(response):
    (link,) = job_status(response).find_class("brief-job-download")
    return link


@pytest.mark.django_db(transaction=True)
def test_brief_action_above_the_limit_queues_a_job_whose_page_links_the_pdf(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 2
    kursk = TimelineFactory(slug="kursk", title="Kursk", visibility="private")
    chosen = [
        EventFactory(timeline=kursk, title="Convoy crosses at Sudzha"),
        EventFactory(timeline=kursk, title="Draft: rail cars counted", published=False),
        EventFactory(timeline=TimelineFactory(title="Rason"), title="Ship leaves Rason"),
    ]
    EventFactory(timeline=kursk, title="Not selected")
    client.force_login(EditorFactory())

    queued = post_brief_action(client, chosen, HTTP_ACCEPT=BROWSER_ACCEPT)
    waiting = client.get(queued["Location"], HTTP_ACCEPT=BROWSER_ACCEPT)
    worker = run_worker(media_root=media_root)
    finished = client.get(queued["Location"], HTTP_ACCEPT=BROWSER_ACCEPT)
    link = download_link(finished)
    download = client.get(link.get("href"))
    as_json = client.get(queued["Location"])

    assert (queued.status_code, queued["Content-Type"]) == (202, "text/html; charset=utf-8")
    assert job_status(queued).get("data-status") == "waiting"
    assert "This brief holds 3 events" in job_status(queued).text_content()
    assert job_status(waiting).get("data-status") == "waiting"
    assert worker.returncode == 0, worker.stderr
    assert job_status(finished).get("data-status") == "finished"
    assert link.text_content() == f"download selected-events-selected-brief-{kursk.content_changed_at:%Y%m%d}.pdf"
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    text = pdf_text(b"".join(download.streaming_content))
    assert [
        title in text for title in ("Convoy crosses at Sudzha", "Draft: rail cars counted", "Ship leaves Rason")
    ] == [
        True,
        True,
        True,
    ]
    assert ("Not selected" in text, "3 events selected in the admin" in text) == (False, True)
    assert (as_json.json()["status"], as_json.json()["events"]) == ("finished", 3)
    assert [path.name.startswith("selected-") for path in (media_root / "briefs").iterdir()] == [True]


@pytest.mark.django_db(transaction=True)
def test_brief_action_job_is_404_for_another_editor(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 1
    events = EventFactory.create_batch(2)
    client.force_login(EditorFactory())
    queued = post_brief_action(client, events)

    client.force_login(EditorFactory())
    response = client.get(queued["Location"])

    assert (queued.status_code, queued.json()["events"]) == (202, 2)
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_timeline_brief_button_above_the_limit_shows_a_status_page_in_a_browser(client, settings, media_root):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 1
    timeline = TimelineFactory(slug="kursk", visibility="private")
    EventFactory.create_batch(2, timeline=timeline)
    client.force_login(EditorFactory())
    button = lxml.html.fragment_fromstring(TimelineBriefAdminMixin().brief_download(timeline), create_parent=True)
    (href,) = button.xpath("./a[@class='button']/@href")

    queued = client.get(href, HTTP_ACCEPT=BROWSER_ACCEPT)
    worker = run_worker(media_root=media_root)
    finished = client.get(queued["Location"], HTTP_ACCEPT=BROWSER_ACCEPT)
    download = client.get(download_link(finished).get("href"))

    assert (queued.status_code, job_status(queued).get("data-status")) == (202, "waiting")
    assert worker.returncode == 0, worker.stderr
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert pdf_text(b"".join(download.streaming_content)).count("Event ") >= 2


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
