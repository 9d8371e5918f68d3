import pytest

from tests.factories import CitationFactory, EventFactory, TimelineFactory


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
