"""Small helpers for the API tests: real token authentication, URLs by name."""

from django.urls import reverse
from rest_framework.test import APIClient

from timeline.services import api_token_create


def authorization_for(user, *, read_only=False) -> str:
    """The ``Authorization`` header value of a new real API token for ``user``.

    The one place tests make API tokens: HTTP clients of every kind (the test client,
    schemathesis over real HTTP) take the header from here.
    """
    _, key = api_token_create(user=user, name="tests", read_only=read_only)
    return f"Token {key}"


def client_for(user=None, *, read_only=False) -> APIClient:
    """An API client signed in with a real API token for ``user`` (anonymous without one)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization_for(user, read_only=read_only))
    return client


def event_url(event) -> str:
    return reverse("api:event-detail", kwargs={"uid": event.uid})


def events_url() -> str:
    return reverse("api:event-list")


def uids(response) -> list[str]:
    return [row["uid"] for row in response.json()["results"]]
