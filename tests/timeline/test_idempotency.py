"""The Idempotency-Key header on API creates: replays, mismatches, expiry and concurrent repeats."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import EditorFactory, TimelineFactory, UserFactory
from tests.timeline.api_helpers import client_for, events_url
from timeline.models import Actor, ApiToken, Event, IdempotencyRecord, Source, Tag, Timeline
from timeline.services import api_token_create


def event_body(title="DPRK troops reported in Kursk"):
    return {"timeline": "dprk", "title": title, "date": "c. October 2024"}


@pytest.mark.django_db
def test_event_create_with_repeated_key_replays_first_answer():
    TimelineFactory(slug="dprk")
    client = client_for(EditorFactory())

    first = client.post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="import-42")
    second = client.post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="import-42")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert (second["Location"], second["ETag"], second["Idempotent-Replayed"]) == (
        first["Location"],
        first["ETag"],
        "true",
    )
    assert "Idempotent-Replayed" not in first
    assert list(Event.objects.values_list("uid", flat=True)) == [Event.objects.get().uid]
    assert str(Event.objects.get().uid) == second.json()["uid"]


@pytest.mark.django_db
def test_event_create_with_repeated_key_ignores_key_order_of_the_body():
    TimelineFactory(slug="dprk")
    client = client_for(EditorFactory())
    body = event_body()

    client.post(events_url(), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(events_url(), dict(reversed(body.items())), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (response.status_code, response["Idempotent-Replayed"], Event.objects.count()) == (201, "true", 1)


@pytest.mark.django_db
def test_event_create_with_reused_key_and_other_body_is_422():
    TimelineFactory(slug="dprk")
    client = client_for(EditorFactory())
    client.post(events_url(), event_body("First"), format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(events_url(), event_body("Second"), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "This Idempotency-Key was already used for a different request. Send a new key with a new request."},
    )
    assert list(Event.objects.values_list("title", flat=True)) == ["First"]


@pytest.mark.django_db
def test_create_with_key_used_on_another_endpoint_is_422():
    client = client_for(EditorFactory())
    client.post(reverse("api:tag-list"), {"name": "Troops", "slug": "troops"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(
        reverse("api:actor-list"), {"name": "Troops", "slug": "troops"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert (response.status_code, Actor.objects.count()) == (422, 0)


@pytest.mark.django_db
def test_event_create_with_same_key_from_another_user_is_independent():
    TimelineFactory(slug="dprk")

    first = client_for(EditorFactory()).post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = client_for(EditorFactory()).post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (first.status_code, second.status_code, "Idempotent-Replayed" in second, Event.objects.count()) == (
        201,
        201,
        False,
        2,
    )


@pytest.mark.django_db
def test_event_create_without_key_creates_each_time():
    TimelineFactory(slug="dprk")
    client = client_for(EditorFactory())

    for _ in range(3):
        client.post(events_url(), event_body(), format="json")

    assert Event.objects.count() == 3


@pytest.mark.django_db
def test_event_create_with_key_longer_than_255_is_400():
    TimelineFactory(slug="dprk")

    response = client_for(EditorFactory()).post(
        events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )

    assert (response.status_code, response.json(), Event.objects.count()) == (
        400,
        {"detail": "The Idempotency-Key header must hold 1 to 255 characters."},
        0,
    )


@pytest.mark.django_db
def test_event_create_with_key_of_255_characters_is_kept():
    TimelineFactory(slug="dprk")

    response = client_for(EditorFactory()).post(
        events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 255
    )

    assert (response.status_code, IdempotencyRecord.objects.get().key) == (201, "k" * 255)


@pytest.mark.django_db
def test_event_create_refused_is_not_kept_and_can_be_corrected_under_same_key():
    TimelineFactory(slug="dprk")
    client = client_for(EditorFactory())
    refused = client.post(events_url(), {**event_body(), "date": "2025-13"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (refused.status_code, response.status_code, "Idempotent-Replayed" in response) == (400, 201, False)
    assert (Event.objects.count(), IdempotencyRecord.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_event_create_after_key_expired_creates_again_and_purges_old_keys():
    TimelineFactory(slug="dprk")
    editor = EditorFactory()
    client = client_for(editor)
    client.post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    client.post(events_url(), event_body("Other"), format="json", HTTP_IDEMPOTENCY_KEY="other")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (response.status_code, "Idempotent-Replayed" in response, Event.objects.count()) == (201, False, 3)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k"]


@pytest.mark.django_db
def test_idempotency_record_expires_after_configured_hours(settings):
    settings.TIMELINE_IDEMPOTENCY_TTL_HOURS = 2
    TimelineFactory(slug="dprk")
    before = timezone.now()

    client_for(EditorFactory()).post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")

    record = IdempotencyRecord.objects.get()
    assert record.expires_at - record.created_at == dt.timedelta(hours=2)
    assert record.created_at >= before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "body", "model"),
    [
        ("timeline", {"slug": "kursk", "title": "Kursk"}, Timeline),
        ("actor", {"name": "GUR"}, Actor),
        ("source", {"title": "Japan Times"}, Source),
        ("tag", {"name": "Troops", "slug": "troops"}, Tag),
    ],
)
def test_reference_create_with_repeated_key_replays_first_answer(name, body, model):
    client = client_for(EditorFactory())
    url = reverse(f"api:{name}-list")

    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (first.status_code, second.status_code, second["Idempotent-Replayed"]) == (201, 201, "true")
    assert (second.json(), model.objects.count()) == (first.json(), 1)


@pytest.mark.django_db
def test_anonymous_create_with_key_is_401_and_keeps_nothing():
    TimelineFactory(slug="dprk")

    response = client_for().post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (response.status_code, IdempotencyRecord.objects.count()) == (401, 0)


@pytest.mark.django_db(transaction=True)
def test_event_create_sent_twice_at_once_with_same_key_creates_one_event():
    TimelineFactory(slug="dprk")
    # A superuser, not an editor: transactional tests run last, after a flush emptied the "Editors" group.
    token, key = api_token_create(user=UserFactory(is_superuser=True), name="importer")
    # Marked as just used, so that neither request below writes its last_used_at.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    start = threading.Barrier(2)
    responses = []

    def post():
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        try:
            start.wait(timeout=10)
            responses.append(client.post(events_url(), event_body(), format="json", HTTP_IDEMPOTENCY_KEY="k"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    uid = str(Event.objects.get().uid)
    answers = sorted((r.status_code, r.json().get("uid", ""), r.get("Idempotent-Replayed", "")) for r in responses)
    assert answers in (
        # PostgreSQL: the second request waits for the first to commit, then replays its answer.
        [(201, uid, ""), (201, uid, "true")],
        # SQLite: the second request meets the first one's write lock and is told to retry.
        [(201, uid, ""), (409, "", "")],
    )
