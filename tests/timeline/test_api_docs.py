"""The OpenAPI schema, its pages, the browsable API and the API root."""

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory
from tests.timeline.api_helpers import client_for, event_url, events_url
from timeline.filters import EventFilter


@pytest.fixture
def schema(tmp_path, db):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_generates_without_warnings_and_documents_every_filter(schema):
    operation = schema["paths"]["/api/v1/events/"]["get"]

    names = sorted(parameter["name"] for parameter in operation["parameters"])

    # cursor and page_size page the list; format picks the renderer (?format=csv).
    assert names == sorted([*EventFilter.base_filters, *EventFilter.PASS_THROUGH_PARAMETERS])


def test_schema_documents_error_responses(schema):
    events = schema["paths"]["/api/v1/events/"]
    detail = schema["paths"]["/api/v1/events/{uid}/"]

    assert sorted(events["get"]["responses"]) == ["200", "400", "401", "403", "404", "429"]
    assert sorted(events["post"]["responses"]) == [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "422",
        "429",
    ]
    assert sorted(detail["get"]["responses"]) == ["200", "304", "400", "401", "403", "404", "429"]
    # 202: the change waits for review (timeline/review.py).
    assert sorted(detail["patch"]["responses"]) == [
        "200",
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "413",
        "415",
        "429",
    ]
    assert sorted(detail["delete"]["responses"]) == ["204", "401", "403", "404", "412", "429"]


@pytest.mark.parametrize("resource", ["events", "timelines", "actors", "sources", "tags"])
def test_schema_documents_idempotency_key_on_create(schema, resource):
    operation = schema["paths"][f"/api/v1/{resource}/"]["post"]

    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert (list(headers), headers["Idempotency-Key"]["schema"]) == (["Idempotency-Key"], {"type": "string"})
    assert "replays the first answer" in headers["Idempotency-Key"]["description"]
    assert sorted(operation["responses"])[-3:] == ["415", "422", "429"]


def test_schema_describes_token_authentication(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]

    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_schema_lists_every_resource(schema):
    paths = sorted(schema["paths"])

    assert paths == [
        "/api/v1/actors/",
        "/api/v1/actors/{id}/",
        "/api/v1/events/",
        "/api/v1/events/deleted/",
        "/api/v1/events/{uid}/",
        "/api/v1/events/{uid}/approve/",
        "/api/v1/events/{uid}/reject/",
        "/api/v1/events/{uid}/submit/",
        "/api/v1/imports/{job_id}/",
        "/api/v1/revisions/",
        "/api/v1/revisions/{id}/",
        "/api/v1/sources/",
        "/api/v1/sources/{id}/",
        "/api/v1/tags/",
        "/api/v1/tags/{slug}/",
        "/api/v1/timelines/",
        "/api/v1/timelines/{slug}/",
        "/api/v1/timelines/{slug}/import/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/deliveries/",
    ]


@pytest.mark.django_db
def test_schema_endpoint_serves_openapi_3(client):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert (response.status_code, response.json()["openapi"][:2]) == (200, "3.")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:swagger-ui", "api:redoc"])
def test_schema_pages_point_at_the_schema(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert reverse("api:schema") in response.content.decode()


@pytest.mark.django_db
def test_api_root_links_every_resource(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")

    assert sorted(response.json()) == ["actors", "events", "revisions", "sources", "tags", "timelines", "webhooks"]


@pytest.mark.django_db
def test_browsable_api_renders_event_list_and_detail_for_an_editor(client):
    event = EventFactory(title="DPRK troops reported in Kursk")
    client.force_login(EditorFactory())

    listing = client.get(events_url(), HTTP_ACCEPT="text/html")
    detail = client.get(event_url(event), HTTP_ACCEPT="text/html")

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert "DPRK troops reported in Kursk" in listing.content.decode()
    assert "DPRK troops reported in Kursk" in detail.content.decode()


@pytest.mark.django_db
def test_session_authenticated_write_needs_csrf_token(client):
    event = EventFactory()
    client.handler.enforce_csrf_checks = True
    client.force_login(EditorFactory())

    response = client.patch(event_url(event), {"title": "x"}, content_type="application/json")

    assert response.status_code == 403


@pytest.mark.django_db
def test_anonymous_reads_are_throttled_at_the_configured_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/minute"},
    }
    client = client_for()

    statuses = [client.get(events_url()).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_event_responses_vary_with_the_reader():
    event = EventFactory()

    response = client_for().get(event_url(event))

    assert response["Vary"] == "Accept, Authorization, Cookie, Accept-Encoding"


@pytest.mark.django_db
def test_options_describes_event_writes_for_an_editor():
    response = client_for(EditorFactory()).options(events_url())

    body = response.json()
    assert (response.status_code, sorted(body["actions"]["POST"])[:3]) == (200, ["actors", "citations", "claimant"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:swagger-ui", "api:redoc"])
def test_schema_pages_load_their_scripts_from_this_site(client, name):
    response = client.get(reverse(name))

    body = response.content.decode()
    assert "cdn.jsdelivr.net" not in body
    assert "/static/drf_spectacular_sidecar/" in body
