"""API tokens: hashed storage, expiry, revocation, read-only scope and the conversion of DRF tokens."""

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from tests.factories import EditorFactory, EventFactory, TimelineFactory, UserFactory
from tests.timeline.api_helpers import client_for, event_url, events_url, uids
from timeline.authentication import ModelPermissionsOrAnonReadOnly
from timeline.models import ApiToken, Event
from timeline.search import ensure_sqlite_fts
from timeline.services import api_token_create, api_token_revoke

INVALID = {"detail": "Invalid, expired or revoked token."}


def token_client(key, scheme="Token"):
    return APIClient(HTTP_AUTHORIZATION=f"{scheme} {key}")


@pytest.mark.django_db
def test_api_token_create_stores_only_the_digest_of_the_key():
    user = UserFactory()

    token, key = api_token_create(user=user, name="mirror")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert (stored["digest"], stored["prefix"], key[:3], len(key)) == (
        hashlib.sha256(key.encode()).hexdigest(),
        key[:8],
        "tl_",
        46,
    )
    assert [name for name, value in stored.items() if isinstance(value, str) and key in value] == []


@pytest.mark.django_db
def test_api_token_create_refuses_lifetime_that_is_not_positive():
    with pytest.raises(ValueError, match="lifetime must be positive"):
        api_token_create(user=UserFactory(), name="mirror", expires_in=dt.timedelta(0))


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_api_token_authenticates_with_token_or_bearer_scheme(scheme):
    draft = EventFactory(published=False)
    _, key = api_token_create(user=EditorFactory(), name="mirror")

    response = token_client(key, scheme).get(events_url())

    assert (response.status_code, uids(response)) == (200, [str(draft.uid)])


@pytest.mark.django_db
def test_api_token_unknown_is_401():
    response = token_client("tl_not-a-key").get(events_url())

    assert (response.status_code, response.json(), response["WWW-Authenticate"]) == (401, INVALID, "Token")


@pytest.mark.django_db
def test_api_token_expired_is_401_like_unknown():
    token, key = api_token_create(user=EditorFactory(), name="mirror", expires_in=dt.timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = token_client(key).get(events_url())

    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.django_db
def test_api_token_not_yet_expired_authenticates():
    _, key = api_token_create(user=EditorFactory(), name="mirror", expires_in=dt.timedelta(days=1))

    response = token_client(key).get(events_url())

    assert response.status_code == 200


@pytest.mark.django_db
def test_api_token_revoked_is_401_like_unknown():
    token, key = api_token_create(user=EditorFactory(), name="mirror")

    revoked = api_token_revoke(token=token)
    response = token_client(key).get(events_url())

    assert (revoked, token.revoked_at is not None, response.status_code, response.json()) == (True, True, 401, INVALID)


@pytest.mark.django_db
def test_api_token_revoke_twice_keeps_first_revocation_time():
    token, _ = api_token_create(user=UserFactory(), name="mirror")
    api_token_revoke(token=token)
    first = token.revoked_at

    revoked_again = api_token_revoke(token=token)

    assert (revoked_again, token.revoked_at) == (False, first)


@pytest.mark.django_db
def test_api_token_of_inactive_user_is_401_like_unknown():
    user = EditorFactory()
    _, key = api_token_create(user=user, name="mirror")
    user.is_active = False
    user.save()

    response = token_client(key).get(events_url())

    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.django_db
def test_api_token_header_without_key_is_401():
    response = APIClient(HTTP_AUTHORIZATION="Token").get(events_url())

    assert response.status_code == 401


@pytest.mark.django_db
def test_api_token_read_only_reads():
    draft = EventFactory(published=False)
    superuser = UserFactory(is_staff=True, is_superuser=True)

    response = client_for(superuser, read_only=True).get(event_url(draft))

    assert (response.status_code, response.json()["uid"]) == (200, str(draft.uid))


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_token_read_only_is_403_on_every_unsafe_method(method):
    event = EventFactory(title="Before")
    TimelineFactory(slug="dprk")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    url = events_url() if method == "post" else event_url(event)
    body = {"timeline": "dprk", "title": "After", "date": "2025-04"}

    response = getattr(client_for(superuser, read_only=True), method)(url, body, format="json")

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "This token is read-only: it may read but not create, change or delete anything."},
    )
    assert list(Event.objects.values_list("title", flat=True)) == ["Before"]


@pytest.mark.django_db
def test_api_token_read_only_is_403_on_reference_create():
    superuser = UserFactory(is_staff=True, is_superuser=True)

    response = client_for(superuser, read_only=True).post(reverse("api:tag-list"), {"name": "Troops"}, format="json")

    assert response.status_code == 403


@pytest.mark.django_db
def test_api_token_last_used_at_is_written_at_most_once_a_minute():
    token, key = api_token_create(user=EditorFactory(), name="mirror")
    client = token_client(key)

    client.get(events_url())
    token.refresh_from_db()
    first_use = token.last_used_at
    client.get(events_url())
    token.refresh_from_db()
    within_the_minute = token.last_used_at
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    client.get(events_url())
    token.refresh_from_db()

    assert first_use is not None
    assert within_the_minute == first_use
    assert token.last_used_at > first_use


@pytest.mark.django_db
def test_api_token_use_within_the_minute_costs_no_write(django_assert_num_queries):
    token, key = api_token_create(user=UserFactory(), name="mirror")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    client = token_client(key)

    # 1. the token with its user; 2-3. the user's own and group permissions (may they see private
    # timelines?); 4. the count of listed timelines, none, so no page query. No UPDATE of last_used_at.
    with django_assert_num_queries(4):
        response = client.get(reverse("api:timeline-list"))

    assert response.status_code == 200


LEGACY_TABLE_SQL = {
    # The columns rest_framework.authtoken creates, in each backend's types.
    "sqlite": "CREATE TABLE authtoken_token (key varchar(40) NOT NULL PRIMARY KEY, created datetime NOT NULL, "
    "user_id integer NOT NULL UNIQUE)",
    "postgresql": "CREATE TABLE authtoken_token (key varchar(40) NOT NULL PRIMARY KEY, "
    "created timestamp with time zone NOT NULL, user_id integer NOT NULL UNIQUE)",
}


@pytest.mark.django_db(transaction=True)
def test_migration_converts_legacy_drf_token_so_its_key_still_works():
    draft = EventFactory(published=False)
    # A superuser, not an editor: transactional tests run last, after a flush emptied the "Editors" group.
    owner = UserFactory(is_superuser=True)
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    executor = MigrationExecutor(connection)
    executor.migrate([("timeline", "0003_event_history_actors_tags")])
    with connection.cursor() as cursor:
        cursor.execute(LEGACY_TABLE_SQL[connection.vendor])
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [legacy_key, "2024-05-01 10:00:00", owner.pk],
        )
    try:
        executor.loader.build_graph()
        executor.migrate([("timeline", "0004_api_tokens_idempotency")])

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            legacy_rows = cursor.fetchone()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
        # Back to the latest schema: later migrations add columns the request below reads.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # migrate runs post_migrate, an executor does not: the SQLite search triggers come back.
        ensure_sqlite_fts()
    response = token_client(legacy_key).get(events_url())

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix, token.digest, token.read_only, token.expires_at) == (
        owner,
        "Converted DRF token",
        "01234567",
        hashlib.sha256(legacy_key.encode()).hexdigest(),
        False,
        None,
    )
    assert token.created_at == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
    assert legacy_rows == 0
    assert (response.status_code, uids(response)) == (200, [str(draft.uid)])


@pytest.mark.django_db(transaction=True)
def test_migration_without_legacy_table_converts_nothing():
    executor = MigrationExecutor(connection)
    executor.migrate([("timeline", "0003_event_history_actors_tags")])
    executor.loader.build_graph()

    try:
        executor.migrate([("timeline", "0004_api_tokens_idempotency")])
        converted = ("authtoken_token" in connection.introspection.table_names(), ApiToken.objects.count())
    finally:
        # Back to the latest schema: later tests need every migration after 0004 too.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # migrate runs post_migrate, an executor does not: the SQLite search triggers come back.
        ensure_sqlite_fts()

    assert converted == (False, 0)


class QuerysetCountingView:
    """A view as the model permissions see it, counting how often its queryset is built."""

    def __init__(self):
        self.built = 0

    def get_queryset(self):
        self.built += 1
        return Event.objects.all()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "signed_in", "allowed", "built"),
    [
        ("GET", False, True, 0),
        ("HEAD", True, True, 0),
        ("OPTIONS", False, True, 0),
        ("POST", False, False, 1),
        ("DELETE", True, False, 1),
    ],
)
def test_model_permissions_build_no_queryset_for_reads(method, signed_in, allowed, built):
    request = Request(APIRequestFactory().generic(method, "/api/v1/events/"))
    request.user = UserFactory() if signed_in else AnonymousUser()
    view = QuerysetCountingView()

    answer = ModelPermissionsOrAnonReadOnly().has_permission(request, view)

    assert (answer, view.built) == (allowed, built)
