"""Every malformed write gets a 4xx with a message, never a 500 and never a partial write."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from tests.timeline.api_helpers import client_for, events_url
from timeline.models import Actor, Citation, Event, Source, Tag, Timeline

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
        ({"timeline": "no-such-timeline"}, {"timeline": ["Unknown timeline “no-such-timeline”."]}),
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


# --- Input that used to reach the database or a format string (500s), now refused ---------------


def _row_counts():
    return {model.__name__: model.objects.count() for model in (Event, Source, Tag, Actor, Timeline, Citation)}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/events/", "/timelines/dprk/brief.pdf"])
def test_date_filter_with_percent_sign_is_400_naming_the_text(editor_client, path):
    response = editor_client.get(path, {"overlaps": "50%"})

    message = (response.json().get("errors") or response.json())["overlaps"][0]
    assert (response.status_code, "“50%”" in message) == (400, True)


@pytest.mark.django_db
def test_feed_date_filter_with_percent_sign_is_400_naming_the_text(editor_client):
    response = editor_client.get("/timelines/dprk/calendar.ics", {"overlaps": "50%"})

    # The one 400 body of every export surface: field -> messages.
    assert (response.status_code, "“50%”" in response.json()["overlaps"][0]) == (400, True)


@pytest.mark.django_db
def test_timeline_page_date_filter_with_percent_sign_is_400_naming_the_text(editor_client):
    response = editor_client.get("/timelines/dprk/", {"overlaps": "50%"})

    assert (response.status_code, "“50%”" in response.content.decode()) == (400, True)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/events/", "/api/v1/tags/", "/api/v1/timelines/"])
@pytest.mark.parametrize("page_size", ["²", "٣", "0", "-1", "null", ""])
def test_page_size_that_is_not_an_ascii_whole_number_is_400(editor_client, path, page_size):
    response = editor_client.get(path, {"page_size": page_size})

    assert (response.status_code, response.json()) == (400, {"page_size": ["Give a whole number from 1 upwards."]})


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/tags/", "/api/v1/sources/"])
def test_empty_page_number_is_400(editor_client, path):
    response = editor_client.get(path, {"page": ""})

    assert (response.status_code, response.json()) == (400, {"page": ["Give a page number from 1 upwards."]})


@pytest.mark.django_db
def test_page_size_with_thousands_of_digits_is_the_largest_page(editor_client):
    response = editor_client.get(events_url(), {"page_size": "9" * 5000})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["¹", "1²"])
def test_actor_filter_with_unicode_digits_is_400(editor_client, actor):
    response = editor_client.get(events_url(), {"actor": actor})

    assert (response.status_code, list(response.json())) == (400, ["actor"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tags/a%00b/",
        "/api/v1/timelines/a%00b/",
        "/api/v1/actors/a%00b/",
        "/api/v1/actors/1%00/",
        "/api/v1/sources/1%00/",
    ],
)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_api_lookup_with_nul_is_json_404_and_writes_nothing(editor_client, path, method):
    TagFactory(slug="a")
    before = _row_counts()

    response = getattr(editor_client, method)(path, {"name": "x"}, format="json")

    assert (response.status_code, response.json(), _row_counts()) == (404, {"detail": "Not found."}, before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/timelines/a%00b/", 404),
        ("/timelines/a%00b/calendar.ics", 404),
        ("/timelines/a%00b/brief.pdf", 404),
        ("/feeds/a%00b/calendar.ics", 410),
    ],
)
def test_page_and_feed_lookup_with_nul_is_4xx(client, path, status):
    response = client.get(path)

    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"timeline": "a\x00b"}, {"timeline": ["Null characters are not allowed."]}),
        ({"tag": "a\x00b"}, {"tag": ["Null characters are not allowed."]}),
        ({"q": "a\x00b"}, {"q": ["Null characters are not allowed."]}),
        ({"cursor": "a\x00b"}, {"cursor": ["Invalid cursor."]}),
    ],
)
def test_event_list_parameter_with_nul_is_400_with_field_message(editor_client, params, errors):
    response = editor_client.get(events_url(), params)

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["tag", "q", "timeline"])
def test_feed_parameter_with_nul_is_400_naming_it(client, name):
    TimelineFactory(slug="dprk")

    response = client.get("/timelines/dprk/calendar.ics", {name: "a\x00b"})

    # The one 400 body of every export surface: field -> messages.
    assert (response.status_code, list(response.json())) == (400, [name])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"timeline": "a\x00b"}, {"timeline": ["Null characters are not allowed."]}),
        ({"timeline": {"slug": "a\x00b"}}, {"timeline": ["Null characters are not allowed."]}),
        ({"tags": ["a\x00"]}, {"tags": ["Null characters are not allowed."]}),
        ({"tags": [{"slug": "a\x00"}]}, {"tags": ["Null characters are not allowed."]}),
        ({"title": "a\x00b"}, {"title": ["Null characters are not allowed."]}),
    ],
)
def test_event_create_with_nul_in_a_reference_is_400_and_writes_nothing(editor_client, change, errors):
    before = _row_counts()

    response = editor_client.post(events_url(), {**VALID, **change}, format="json")

    assert (response.status_code, response.json(), _row_counts()) == (400, errors, before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/tags/", {"name": "a\x00"}, "name"),
        ("/api/v1/tags/", {"name": "Troops", "slug": "a\x00"}, "slug"),
        ("/api/v1/timelines/", {"slug": "a\x00", "title": "T"}, "slug"),
        ("/api/v1/actors/", {"name": "a\x00"}, "name"),
    ],
)
def test_reference_create_with_nul_is_400_and_writes_nothing(editor_client, path, body, field):
    before = _row_counts()

    response = editor_client.post(path, body, format="json")

    assert (response.status_code, list(response.json()), _row_counts()) == (400, [field], before)


@pytest.mark.django_db
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_event_create_json_nested_thousands_deep_is_400(editor_client, opening):
    closing = "]" if opening == "[" else "}"
    body = '{"timeline": "dprk", "title": ' + opening * 5000 + "1" + closing * 5000 + "}"
    before = _row_counts()

    response = editor_client.post(events_url(), body, content_type="application/json")

    assert (response.status_code, response.json()["detail"], _row_counts()) == (
        400,
        "JSON parse error - the document is nested too deeply.",
        before,
    )


@pytest.mark.django_db
def test_tag_create_whose_slug_collides_is_400_naming_the_holder(editor_client):
    TagFactory(slug="troops", name="Troops")

    response = editor_client.post(reverse("api:tag-list"), {"name": "TROOPS!"}, format="json")

    assert (response.status_code, response.json(), Tag.objects.count()) == (
        400,
        {
            "name": [
                "This name makes the slug “troops”, which the tag “Troops” has; choose another name or give a slug."
            ]
        },
        1,
    )


@pytest.mark.django_db
def test_tag_create_colliding_name_with_own_slug_is_accepted(editor_client):
    TagFactory(slug="troops", name="Troops")

    response = editor_client.post(reverse("api:tag-list"), {"name": "TROOPS!", "slug": "troops-2"}, format="json")

    assert (response.status_code, Tag.objects.count()) == (201, 2)


@pytest.mark.django_db
def test_actor_delete_while_claimant_is_409_naming_the_events_and_keeps_it(editor_client):
    actor = ActorFactory(name="GUR")
    EventFactory.create_batch(2, claimant=actor)
    before = _row_counts()

    response = editor_client.delete(reverse("api:actor-detail", kwargs={"pk": actor.pk}))

    assert (response.status_code, response.json(), _row_counts()) == (
        409,
        {
            "detail": "This actor is still used by 2 events (as claimant or cited source); "
            "change or delete those events first. Nothing was deleted."
        },
        before,
    )


@pytest.mark.django_db
def test_source_delete_while_cited_is_409_naming_the_events_and_keeps_it(editor_client):
    citation = CitationFactory()
    before = _row_counts()

    response = editor_client.delete(reverse("api:source-detail", kwargs={"pk": citation.source.pk}))

    assert (response.status_code, response.json(), _row_counts()) == (
        409,
        {
            "detail": "This source is still used by 1 event (as claimant or cited source); "
            "change or delete those events first. Nothing was deleted."
        },
        before,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"title": 0}, {"title": ["Not a valid string."]}),
        ({"summary": True}, {"summary": ["Not a valid string."]}),
        ({"published": 0}, {"published": ["Must be a valid boolean."]}),
        ({"key": "yes"}, {"key": ["Must be a valid boolean."]}),
        ({"credibility": "3"}, {"credibility": ['"3" is not a valid choice.']}),
        ({"status": 1}, {"status": ['"1" is not a valid choice.']}),
        ({"latitude": "1.5"}, {"latitude": ["A valid number is required."]}),
        ({"actors": ["5"]}, {"actors": ["Give the actor's id, or an object with “id” in it."]}),
    ],
)
def test_event_create_value_of_the_wrong_json_type_is_400(editor_client, change, errors):
    response = editor_client.post(events_url(), {**VALID, **change}, format="json")

    assert (response.status_code, response.json(), Event.objects.count()) == (400, errors, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/tags/", {"name": 0}, "name"),
        ("/api/v1/actors/", {"name": 0}, "name"),
        ("/api/v1/timelines/", {"slug": "t", "title": 5}, "title"),
        ("/api/v1/sources/", {"title": ["Report"]}, "title"),
    ],
)
def test_reference_create_text_that_is_not_a_json_string_is_400(editor_client, path, body, field):
    before = _row_counts()

    response = editor_client.post(path, body, format="json")

    assert (response.status_code, response.json(), _row_counts()) == (400, {field: ["Not a valid string."]}, before)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/events/not-a-uid/", "/api/v2/"])
def test_unmatched_api_address_is_json_404(editor_client, method, path):
    response = getattr(editor_client, method)(path)

    assert (response.status_code, response["Content-Type"], response.json()) == (
        404,
        "application/json",
        {"detail": "Not found."},
    )


@pytest.mark.django_db
def test_unmatched_page_address_is_html_404(client):
    response = client.get("/nothing/")

    assert (response.status_code, response["Content-Type"]) == (404, "text/html; charset=utf-8")


@pytest.mark.django_db
def test_api_method_not_allowed_is_json_405(editor_client):
    response = editor_client.delete(events_url())

    assert (response.status_code, response.json()) == (405, {"detail": 'Method "DELETE" not allowed.'})
