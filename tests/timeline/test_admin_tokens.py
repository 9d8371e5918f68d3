"""API tokens in the admin: the list, the add form that shows the key once, the revoke action, who may."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import UserFactory
from tests.timeline.api_helpers import events_url
from timeline.models import ApiToken
from timeline.services import api_token_create, api_token_digest

KEY = re.compile(r"tl_[A-Za-z0-9_-]{43}")


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_api_token_admin_add_shows_the_key_once(superuser_client):
    owner = UserFactory(username="importer")

    response = superuser_client.post(
        reverse("admin:timeline_apitoken_add"),
        {"user": owner.pk, "name": "nightly import", "read_only": "on", "expires_in_days": "7"},
        follow=True,
    )
    again = superuser_client.get(reverse("admin:timeline_apitoken_changelist"))

    page = response.content.decode()
    keys = KEY.findall(page)
    token = ApiToken.objects.get()
    assert (response.status_code, len(keys), token.digest) == (200, 1, api_token_digest(keys[0]))
    assert "Copy it now: only its digest is stored, and it will not be shown again." in page
    assert (token.user, token.name, token.read_only, token.expires_at - token.created_at) == (
        owner,
        "nightly import",
        True,
        dt.timedelta(days=7),
    )
    assert KEY.findall(again.content.decode()) == []
    assert superuser_client.get(events_url(), HTTP_AUTHORIZATION=f"Token {keys[0]}").status_code == 200


@pytest.mark.django_db
def test_api_token_admin_add_page_asks_for_name_scope_and_lifetime(superuser_client):
    response = superuser_client.get(reverse("admin:timeline_apitoken_add"))

    page = response.content.decode()
    assert [name for name in ("user", "name", "read_only", "expires_in_days") if f'name="{name}"' in page] == [
        "user",
        "name",
        "read_only",
        "expires_in_days",
    ]
    assert 'name="digest"' not in page


@pytest.mark.django_db
def test_api_token_admin_changelist_lists_tokens_without_their_digest(superuser_client):
    token, _ = api_token_create(user=UserFactory(username="importer"), name="nightly import", read_only=True)

    response = superuser_client.get(reverse("admin:timeline_apitoken_changelist"))

    page = response.content.decode()
    assert [text in page for text in ("nightly import", "importer", token.prefix, token.digest)] == [
        True,
        True,
        True,
        False,
    ]


@pytest.mark.django_db
def test_api_token_admin_revoke_action_revokes_selected_tokens(superuser_client):
    user = UserFactory()
    chosen, key = api_token_create(user=user, name="leaked")
    kept, _ = api_token_create(user=user, name="kept")

    response = superuser_client.post(
        reverse("admin:timeline_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [chosen.pk]},
        follow=True,
    )

    chosen.refresh_from_db()
    kept.refresh_from_db()
    assert "Revoked 1 token(s): they answer 401 from now on." in response.content.decode()
    assert (chosen.revoked_at is not None, kept.revoked_at) == (True, None)
    assert superuser_client.get(events_url(), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


@pytest.mark.django_db
def test_api_token_admin_is_refused_to_staff_without_the_permission(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("admin:timeline_apitoken_changelist"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_api_token_admin_staff_with_permission_make_and_see_only_their_own(client):
    staff = UserFactory(username="analyst", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken", "change_apitoken"])
    )
    api_token_create(user=UserFactory(username="someone"), name="their script")
    client.force_login(staff)

    form = client.get(reverse("admin:timeline_apitoken_add")).content.decode()
    client.post(reverse("admin:timeline_apitoken_add"), {"name": "my dashboard", "user": "999"})
    listed = client.get(reverse("admin:timeline_apitoken_changelist")).content.decode()

    assert ('name="user"' in form, ApiToken.objects.get(name="my dashboard").user) == (False, staff)
    assert ("my dashboard" in listed, "their script" in listed) == (True, False)


@pytest.mark.django_db
def test_api_token_admin_change_page_lets_only_the_name_change(superuser_client):
    token, _ = api_token_create(user=UserFactory(username="importer"), name="old name", read_only=True)
    url = reverse("admin:timeline_apitoken_change", args=[token.pk])

    page = superuser_client.get(url).content.decode()
    superuser_client.post(url, {"name": "new name", "read_only": ""})

    token.refresh_from_db()
    assert ('name="name"' in page, 'name="read_only"' in page, token.prefix in page, token.digest in page) == (
        True,
        False,
        True,
        False,
    )
    assert (token.name, token.read_only) == ("new name", True)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_api_token_changelist_query_count_constant(superuser_client, django_assert_num_queries, count):
    for number in range(count):
        api_token_create(user=UserFactory(), name=f"script {number}")

    # 1 session, 2 user, 3 count (filtered), 4 count (total), 5 tokens page joined with their users.
    with django_assert_num_queries(5):
        response = superuser_client.get(reverse("admin:timeline_apitoken_changelist"))

    assert response.content.decode().count('class="action-select"') == count
