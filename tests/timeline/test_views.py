import pytest

from tests.factories import ActorFactory, CitationFactory, EventFactory, TimelineFactory
from timeline.models import Claim


@pytest.mark.django_db
def test_event_page_shows_date_grade_and_sources(client):
    event = EventFactory(title="DPRK acknowledges casualties", date="2025-04", credibility=2)
    CitationFactory(event=event, source__title="Budanov interview", source__reliability="B", quote="in April")

    response = client.get(event.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "DPRK acknowledges casualties" in body
    assert "April 2025" in body
    assert "Grade B2" in body
    assert "Budanov interview" in body


@pytest.mark.django_db
@pytest.mark.parametrize(("published", "visibility"), [(False, "public"), (True, "private")])
def test_event_page_hides_drafts_and_private_events(client, published, visibility):
    event = EventFactory(published=published, timeline=TimelineFactory(visibility=visibility))

    response = client.get(event.get_absolute_url())

    assert response.status_code == 404


@pytest.mark.django_db
def test_timeline_page_lists_filtered_events_with_filters_in_words(client):
    timeline = TimelineFactory(title="Russia–DPRK military cooperation")
    EventFactory(timeline=timeline, title="Shell deliveries", credibility=2)
    EventFactory(timeline=timeline, title="Rumoured deployment", credibility=5)

    response = client.get(f"/timelines/{timeline.slug}/", {"min_credibility": "3"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Shell deliveries" in body
    assert "Rumoured deployment" not in body
    assert "Credibility 1–3" in body


@pytest.mark.django_db
def test_timeline_page_bad_filter_is_400_with_message(client):
    timeline = TimelineFactory()

    response = client.get(f"/timelines/{timeline.slug}/", {"overlaps": "2025-13"})

    assert response.status_code == 400
    assert "month 13 is out of range" in response.content.decode()


@pytest.mark.django_db
def test_timeline_page_hides_private_timeline_and_drafts(client):
    private = TimelineFactory(visibility="private")
    public = TimelineFactory()
    EventFactory(timeline=public, title="Draft note", published=False)

    private_response = client.get(f"/timelines/{private.slug}/")
    public_response = client.get(f"/timelines/{public.slug}/")

    assert private_response.status_code == 404
    assert "Draft note" not in public_response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_timeline_page_query_count_constant(client, django_assert_num_queries, count):
    timeline = TimelineFactory()
    for _ in range(count):
        claimant = ActorFactory()
        event = EventFactory(timeline=timeline, actors=[claimant])
        Claim.objects.create(event=event, claimant=claimant, stance="asserts", made="2025").citations.set(
            [CitationFactory(event=event)]
        )

    # 1 timeline, 2-5 choices for the claimant, actor, tag and source checkboxes, 6 count and date range,
    # 7 events per month, 8 the axis's marks (with claimant and best reliability), then the listed page:
    # 9 events joined with timeline and claimant, 10 actors, 11 tags, 12 citations with sources,
    # 13 claims the reader may see joined with their claimant, 14 the claims' citation ids
    with django_assert_num_queries(14):
        response = client.get(f"/timelines/{timeline.slug}/")

    body = response.content.decode()
    assert body.count('<span class="date">') == count
    assert body.count('class="mark ') == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_timeline_page_with_lanes_query_count_constant(client, django_assert_num_queries, count):
    timeline = TimelineFactory()
    for _ in range(count):
        CitationFactory(event=EventFactory(timeline=timeline))

    # The 13 queries of the page without lanes (claims add one), and 14 the axis events' tag names.
    with django_assert_num_queries(14):
        response = client.get(f"/timelines/{timeline.slug}/", {"lanes": "tag"})

    assert response.content.decode().count('class="mark ') == count


@pytest.mark.django_db
def test_timeline_page_export_links_carry_the_filter(client):
    timeline = TimelineFactory(slug="dprk")
    EventFactory(timeline=timeline)

    response = client.get("/timelines/dprk/", {"min_credibility": "3"})

    body = response.content.decode()
    assert 'href="webcal://testserver/timelines/dprk/calendar.ics?min_credibility=3"' in body
    assert 'href="http://testserver/timelines/dprk/calendar.ics?min_credibility=3&amp;download=1"' in body
    assert 'href="http://testserver/api/v1/events/?timeline=dprk&amp;min_credibility=3"' in body
