"""The admin login lockout (django-axes): LOGIN_FAILURE_LIMIT failures per username and client address."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Each login checks a password; the production hasher would make these tests take seconds each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, username, password, **headers):
    data = {"username": username, "password": password, "next": reverse("admin:index")}
    return client.post(reverse("admin:login"), data, **headers)


def test_login_after_five_wrong_passwords_is_refused_even_with_the_right_one(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="chief", is_staff=True, is_superuser=True)

    failures = [log_in(client, "chief", f"wrong-{n}").status_code for n in range(5)]
    refused = log_in(client, "chief", PASSWORD)

    assert failures == [200, 200, 200, 200, 429]
    body = refused.content.decode()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60
    assert "<h1>Login locked</h1>" in body
    assert "Logging in as “chief” from this address is locked for\n    up to 15 minutes." in body
    assert "_auth_user_id" not in client.session


def test_lockout_leaves_other_users_on_the_same_address_unaffected(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    UserFactory(username="deputy", is_staff=True, is_superuser=True)
    for n in range(5):
        log_in(client, "chief", f"wrong-{n}")

    response = log_in(client, "deputy", PASSWORD)

    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_lockout_ignores_a_rotating_forwarded_for_without_trusted_proxies(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    for n in range(5):
        log_in(client, "chief", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = log_in(client, "chief", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 429


def test_lockout_behind_a_proxy_locks_the_proxy_appended_address_only(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    for n in range(5):
        log_in(client, "chief", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")

    locked = log_in(client, "chief", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    elsewhere = log_in(client, "chief", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert (locked.status_code, elsewhere.status_code) == (429, 302)


def test_fewer_failures_than_the_limit_then_the_right_password_logs_in(client):
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    for n in range(4):
        log_in(client, "chief", f"wrong-{n}")

    response = log_in(client, "chief", PASSWORD)

    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))
