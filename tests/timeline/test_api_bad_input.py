"""Every malformed write gets a 4xx with a message, never a 500 and never a partial write."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import EditorFactory, SourceFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, events_url
from timeline.models import Event, Source

VALID = {"timeline": "dprk", "title": "DPRK troops reported in Kursk", "date": "2025-04"}


@pytest.fixture
def editor_client(db):
    TimelineFactory(slug="dprk")
    return client_for(EditorFactory())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"date": "2025-13"}, {"date": ["“2025-13”: month 13 is out of range; use 01–12 (or 21–41 for a season)."]}),
        (
            {"date": "2025-06/2025-04"},
            {"date": ["“2025-06/2025-04” ends (April 2025) before it starts (June 2025)."]},
        ),
        ({"date": ""}, {"date": ["This field may not be blank."]}),
        ({"reported": "yesterday"}, {"reported": [None]}),
        ({"tags": ["no-such-tag"]}, {"tags": ["Unknown tag “no-such-tag”."]}),
        ({"actors": [999999]}, {"actors": ["Unknown actor “999999”."]}),
        ({"actors": ["Kim"]}, {"actors": ["Give the actor's id, or an object with “id” in it."]}),
        ({"claimant": 999999}, {"claimant": ["Unknown actor “999999”."]}),
        ({"citations": [{"source": 999999}]}, {"citations": {"0": {"source": ["Unknown source “999999”."]}}}),
        ({"citations": [{"source": None}]}, {"citations": {"0": {"source": ["This field may not be null."]}}}),
        ({"timeline": "no-such-timeline"}, {"timeline": ["Object with slug=no-such-timeline does not exist."]}),
        ({"latitude": 91}, {"latitude": ["Ensure this value is less than or equal to 90."]}),
        ({"longitude": -181}, {"longitude": ["Ensure this value is greater than or equal to -180."]}),
        ({"credibility": 7}, {"credibility": ['"7" is not a valid choice.']}),
        ({"status": "rumoured"}, {"status": ['"rumoured" is not a valid choice.']}),
        ({"colour": "red"}, {"colour": ["Unknown field."]}),
        (
            {"citations": [{"source": None, "page": 3}]},
            {"citations": {"0": {"page": ["Unknown field."], "source": [None]}}},
        ),
        ({"title": ""}, {"title": ["This field may not be blank."]}),
    ],
)
def test_event_create_bad_field_is_400_with_field_message(editor_client, change, errors):
    response = editor_client.post(events_url(), {**VALID, **change}, format="json")

    body = response.json()
    assert (response.status_code, Event.objects.count()) == (400, 0)
    assert _shape(body) == _shape(errors)
    assert _messages(body) == _messages(errors, like=body)


def _shape(errors):
    """Field names (and nested item keys) of an error body."""
    if isinstance(errors, dict):
        return {key: _shape(value) for key, value in errors.items()}
    return len(errors)


def _messages(errors, like=None):
    """Messages, with ``None`` in ``errors`` standing for "any message" (copied from ``like``)."""
    if isinstance(errors, dict):
        return {key: _messages(value, (like or {}).get(key)) for key, value in errors.items()}
    return [message if message is not None else like[i] for i, message in enumerate(errors)]


@pytest.mark.django_db
def test_event_create_unknown_fields_are_named_with_other_errors(editor_client):
    response = editor_client.post(events_url(), {**VALID, "date": "2025-13", "colour": "red"}, format="json")

    assert (response.status_code, sorted(response.json())) == (400, ["colour", "date"])


@pytest.mark.django_db
def test_event_create_malformed_json_is_400(editor_client):
    response = editor_client.post(events_url(), '{"title": "unterminated', content_type="application/json")

    assert (response.status_code, response.json()["detail"].startswith("JSON parse error")) == (400, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ('"latitude": 1e400', {"latitude": ["A valid number is required."]}),
        ('"actors": [99999999999999999999]', {"actors": ["Unknown actor “99999999999999999999”."]}),
        ('"credibility": 99999999999999999999', {"credibility": ['"99999999999999999999" is not a valid choice.']}),
    ],
)
def test_event_create_out_of_range_numbers_are_400(editor_client, raw, errors):
    body = '{"timeline": "dprk", "title": "x", "date": "2025", ' + raw + "}"

    response = editor_client.post(events_url(), body, content_type="application/json")

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.django_db
def test_event_create_json_nan_is_400(editor_client):
    body = '{"timeline": "dprk", "title": "x", "date": "2025", "latitude": NaN}'

    response = editor_client.post(events_url(), body, content_type="application/json")

    assert (response.status_code, response.json()["detail"].startswith("JSON parse error")) == (400, True)


@pytest.mark.django_db
def test_event_create_json_that_is_not_an_object_is_400(editor_client):
    response = editor_client.post(events_url(), "[1, 2]", content_type="application/json")

    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_event_create_wrong_content_type_is_415(editor_client, content_type):
    response = editor_client.post(events_url(), json.dumps(VALID), content_type=content_type)

    assert (response.status_code, response.json()) == (
        415,
        {"detail": f'Unsupported media type "{content_type}" in request.'},
    )


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_event_create_oversized_body_is_413(editor_client):
    body = {**VALID, "summary": "x" * 1000}

    response = editor_client.post(events_url(), body, format="json")

    assert (response.status_code, response.json(), Event.objects.count()) == (
        413,
        {"detail": "The request body is larger than the limit of 1000 bytes."},
        0,
    )


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_event_create_body_within_limit_is_accepted(editor_client):
    response = editor_client.post(events_url(), {**VALID, "summary": "x" * 800}, format="json")

    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://files.example.org/report.pdf", "javascript:alert(1)", "not a url"])
def test_source_create_non_http_url_is_400(editor_client, url):
    response = editor_client.post(reverse("api:source-list"), {"title": "Report", "url": url}, format="json")

    assert (response.status_code, list(response.json()), Source.objects.count()) == (400, ["url"], 0)


@pytest.mark.django_db
def test_source_create_invalid_published_date_is_400(editor_client):
    response = editor_client.post(
        reverse("api:source-list"), {"title": "Report", "published": "2025-13"}, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"published": ["“2025-13”: month 13 is out of range; use 01–12 (or 21–41 for a season)."]},
    )


@pytest.mark.django_db
def test_source_create_reliability_outside_a_to_f_is_400(editor_client):
    response = editor_client.post(reverse("api:source-list"), {"title": "Report", "reliability": "G"}, format="json")

    assert (response.status_code, response.json()) == (400, {"reliability": ['"G" is not a valid choice.']})


@pytest.mark.django_db
def test_source_update_keeps_valid_http_url(editor_client):
    source = SourceFactory(url="https://news.example.org/1")

    response = editor_client.patch(
        reverse("api:source-detail", kwargs={"pk": source.pk}), {"url": "http://news.example.org/2"}, format="json"
    )

    assert (response.status_code, response.json()["url"]) == (200, "http://news.example.org/2")


@pytest.mark.django_db
def test_tag_create_duplicate_name_is_400(editor_client):
    editor_client.post(reverse("api:tag-list"), {"name": "Troops"}, format="json")

    response = editor_client.post(reverse("api:tag-list"), {"name": "Troops"}, format="json")

    assert (response.status_code, list(response.json())) == (400, ["name"])


@pytest.mark.django_db
@pytest.mark.parametrize("citations", [[{}], [{"quote": "q"}]])
def test_event_patch_citation_without_source_is_400_and_keeps_event(editor_client, citations):
    from tests.factories import CitationFactory, EventFactory

    event = EventFactory(timeline=TimelineFactory(slug="dprk"))
    CitationFactory(event=event)
    url = reverse("api:event-detail", kwargs={"uid": event.uid})

    response = editor_client.patch(url, {"citations": citations}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"citations": {"0": {"source": ["This field is required."]}}},
    )
    assert (event.citations.count(), Event.objects.get(pk=event.pk).version) == (1, 1)
