"""The Content-Security-Policy and Referrer-Policy headers (config/settings.py, timeline/api/urls.py)."""

import pytest
from django.urls import reverse

from tests.factories import EventFactory


def directives(response):
    parts = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["timeline", "event", "api-root", "admin-login"])
def test_pages_carry_the_strict_policy(client, kind):
    event = EventFactory()
    url = {
        "timeline": event.timeline.get_absolute_url(),
        "event": event.get_absolute_url(),
        "api-root": reverse("api:api-root"),
        "admin-login": reverse("admin:login"),
    }[kind]

    response = client.get(url, HTTP_ACCEPT="text/html")

    policy = directives(response)
    assert response.status_code == 200
    assert (policy["default-src"], policy["script-src"], policy["style-src"]) == (["'self'"], ["'self'"], ["'self'"])
    assert (policy["object-src"], policy["base-uri"], policy["frame-ancestors"]) == (["'none'"], ["'none'"], ["'none'"])
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_redoc_page_names_its_nonce_and_asks_no_font_host(client):
    response = client.get(reverse("api:redoc"))

    body = response.content.decode()
    nonce = directives(response)["style-src"][1]
    assert nonce.startswith("'nonce-")
    assert f'nonce="{nonce[7:-1]}"' in body
    assert ("fonts.googleapis.com" in body, "fonts.gstatic.com" in body, "<style" in body) == (False, False, False)


@pytest.mark.django_db
def test_swagger_ui_page_has_no_inline_code(client):
    response = client.get(reverse("api:swagger-ui"))

    body = response.content.decode()
    assert ("<style" in body, "<script>" in body) == (False, False)
    assert '<script src="/api/v1/schema/swagger-ui/?script="></script>' in body
