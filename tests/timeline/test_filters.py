import pytest

from tests.factories import EventFactory, TimelineFactory

UNKNOWN = (
    "Unknown parameter. Filters are: timeline, overlaps, within, precision, status, claimant, stance, actor, tag, "
    "source, min_credibility, key, published, q, updated_since, ordering."
)


@pytest.fixture
def timeline(db):
    timeline = TimelineFactory(slug="dprk")
    EventFactory(timeline=timeline)
    return timeline


@pytest.mark.django_db
def test_api_refuses_unknown_parameter(client, timeline):
    response = client.get("/api/v1/events/", {"tags": "troops"}, HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (400, {"tags": [UNKNOWN]})


@pytest.mark.django_db
def test_api_accepts_paging_parameters(client, timeline):
    response = client.get("/api/v1/events/", {"page_size": "1", "format": "json"})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/timelines/dprk/calendar.ics", "/timelines/dprk/brief.pdf", "/timelines/dprk/"])
def test_exports_and_page_refuse_unknown_parameter(client, timeline, path):
    response = client.get(path, {"tags": "troops"})

    assert response.status_code == 400
    assert "Unknown parameter." in response.content.decode()
