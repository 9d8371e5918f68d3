"""Small helpers for the API tests: real token authentication, URLs by name."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """An API client signed in with a real DRF token for ``user`` (anonymous without one)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def event_url(event) -> str:
    return reverse("api:event-detail", kwargs={"uid": event.uid})


def events_url() -> str:
    return reverse("api:event-list")


def uids(response) -> list[str]:
    return [row["uid"] for row in response.json()["results"]]
