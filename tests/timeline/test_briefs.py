"""The brief endpoint: /timelines/<slug>/brief.pdf?<events filter>."""

import io

import pdfplumber
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, EventFactory, TagFactory, TimelineFactory, UserFactory


def brief_url(timeline, query=""):
    return reverse("timeline:timeline-brief", kwargs={"slug": timeline.slug}) + query


def pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.mark.django_db
def test_brief_view_returns_a_pdf_attachment(client):
    timeline = TimelineFactory(slug="kursk")
    EventFactory(timeline=timeline, title="First units arrive")

    response = client.get(brief_url(timeline))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="kursk-brief-{timeline.events.get().updated_at:%Y%m%d}.pdf"'
    )
    assert response["ETag"].startswith('"')
    assert "First units arrive" in pdf_text(response.content)


@pytest.mark.django_db
def test_brief_view_states_the_filter_and_applies_it(client):
    timeline = TimelineFactory()
    munitions = TagFactory(name="munitions", slug="munitions")
    EventFactory(timeline=timeline, title="Shells delivered", tags=[munitions], credibility=2)
    EventFactory(timeline=timeline, title="Untagged event", credibility=2)

    response = client.get(brief_url(timeline, "?tag=munitions&min_credibility=3"))

    text = pdf_text(response.content)
    assert response["Content-Disposition"].endswith('-filtered.pdf"')
    assert "Tag: munitions · Credibility 1–3" in text
    assert ("Shells delivered" in text, "Untagged event" in text) == (True, False)


@pytest.mark.django_db
def test_brief_view_rejects_an_invalid_filter_with_field_messages(client):
    timeline = TimelineFactory()

    response = client.get(brief_url(timeline, "?min_credibility=9&overlaps=someday"))

    assert response.status_code == 400
    assert sorted(response.json()) == ["min_credibility", "overlaps"]


@pytest.mark.django_db
def test_brief_view_answers_304_for_a_matching_etag(client, django_assert_num_queries):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)
    etag = client.get(brief_url(timeline))["ETag"]

    # 1: the timeline with its sources' and actors' change times
    with django_assert_num_queries(1):
        response = client.get(brief_url(timeline), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag


@pytest.mark.django_db
def test_brief_view_etag_changes_when_an_event_source_or_claimant_changes(client):
    timeline = TimelineFactory()
    claimant = ActorFactory(name="GUR")
    event = EventFactory(timeline=timeline, claimant=claimant)
    citation = CitationFactory(event=event)
    first = client.get(brief_url(timeline))["ETag"]
    event.title = "Renamed"
    event.save()
    second = client.get(brief_url(timeline))["ETag"]
    citation.source.title = "Renamed source"
    citation.source.save()
    third = client.get(brief_url(timeline))["ETag"]
    claimant.name = "HUR"
    claimant.save()

    fourth = client.get(brief_url(timeline))["ETag"]

    assert len({first, second, third, fourth}) == 4


@pytest.mark.django_db
def test_brief_view_serves_cached_bytes_without_rendering(client, django_assert_num_queries):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline)
    first = client.get(brief_url(timeline))

    # 1: the timeline; the PDF comes from the cache, so no count and no event queries
    with django_assert_num_queries(1):
        second = client.get(brief_url(timeline))

    assert second.content == first.content


@pytest.mark.django_db
def test_brief_view_queues_briefs_above_the_limit(client, settings):
    settings.TIMELINE_BRIEF_MAX_EVENTS = 2
    timeline = TimelineFactory(slug="big")
    EventFactory.create_batch(3, timeline=timeline)

    response = client.get(brief_url(timeline))

    assert response.status_code == 202
    body = response.json()
    assert body["status_url"].startswith("http://testserver/briefs/jobs/")
    assert body == {
        "status": "waiting",
        "events": 3,
        "status_url": body["status_url"],
        "message": "This brief holds 3 events, more than the 2 rendered while you wait; a worker is rendering it. "
        "Ask the status address for the download link.",
    }
    assert (response["Location"], response["Cache-Control"]) == (body["status_url"], "no-store")


@pytest.mark.django_db
def test_brief_view_is_404_for_private_timelines(client):
    timeline = TimelineFactory(visibility="private")

    response = client.get(brief_url(timeline))

    assert response.status_code == 404


@pytest.mark.django_db
def test_brief_view_shows_drafts_only_to_users_who_may_view_them(client):
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Published one")
    EventFactory(timeline=timeline, title="Draft one", published=False)
    editor = UserFactory()
    editor.user_permissions.add(
        Permission.objects.get(codename="view_event"), Permission.objects.get(codename="view_timeline")
    )

    reader_text = pdf_text(client.get(brief_url(timeline)).content)
    client.force_login(editor)
    editor_text = pdf_text(client.get(brief_url(timeline)).content)

    assert ("Published one" in reader_text, "Draft one" in reader_text) == (True, False)
    assert ("Published one" in editor_text, "Draft one" in editor_text) == (True, True)


@pytest.mark.django_db
@pytest.mark.parametrize("events", [1, 3])
def test_brief_view_query_count_is_constant(client, django_assert_num_queries, events):
    timeline = TimelineFactory()
    for _ in range(events):
        CitationFactory(event=EventFactory(timeline=timeline))

    # 1: the timeline with change times, 2: the event count for the size limit,
    # 3: events (joined with timeline and claimant), 4: actors, 5: tags, 6: citations with sources
    with django_assert_num_queries(6):
        response = client.get(brief_url(timeline))

    assert response.status_code == 200
