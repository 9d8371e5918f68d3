"""Small helpers for the API tests: real token authentication, URLs by name."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def authorization_for(user) -> str:
    """The ``Authorization`` header value of a real API token for ``user``, made if it has none.

    The one place tests make API tokens: HTTP clients of every kind (the test client,
    schemathesis over real HTTP) take the header from here.
    """
    token, _ = Token.objects.get_or_create(user=user)
    return f"Token {token.key}"


def client_for(user=None) -> APIClient:
    """An API client signed in with a real token for ``user`` (anonymous without one)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization_for(user))
    return client


def event_url(event) -> str:
    return reverse("api:event-detail", kwargs={"uid": event.uid})


def events_url() -> str:
    return reverse("api:event-list")


def uids(response) -> list[str]:
    return [row["uid"] for row in response.json()["results"]]
