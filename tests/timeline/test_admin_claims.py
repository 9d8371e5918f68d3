"""The admin's claims inline: autocomplete, order made, the status rule and the override's reason."""

import re

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, EventFactory, TimelineFactory, UserFactory
from tests.timeline.test_admin import _add_event_form
from timeline.models import Event


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


def claims_form(event, claims, **overrides):
    """The change form of ``event`` with ``claims`` as new inline rows: (claimant, stance, made, citations)."""
    data = _add_event_form(
        event.timeline,
        title=event.title,
        summary=event.summary,
        date=event.date,
        location=event.location,
        credibility=str(event.credibility),
        seen_version=str(event.version),
        status=event.status,
        **{"claims-TOTAL_FORMS": str(len(claims))},
    )
    for index, (claimant, stance, made, citations) in enumerate(claims):
        data[f"claims-{index}-claimant"] = str(claimant.pk)
        data[f"claims-{index}-stance"] = stance
        data[f"claims-{index}-made"] = made
        data[f"claims-{index}-note"] = ""
        if citations:
            data[f"claims-{index}-citations"] = [str(c.pk) for c in citations]
    data.update(overrides)
    return data


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.django_db
def test_admin_claims_inline_derives_status_orders_by_made_and_bumps_version(admin_client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline, title="North Korean troops fight in Kursk", date="2024-10/2025-04")
    citation = CitationFactory(event=event, quote="Pyongyang long denied its involvement")
    gur, dprk = ActorFactory(name="GUR"), ActorFactory(name="DPRK")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    # Typed out of order, and with the plain-English dates the form reads.
    form = claims_form(
        event,
        [
            (dprk, "acknowledges", "April 2025", [citation]),
            (gur, "asserts", "October 2024", []),
            (dprk, "denies", "../2025-04", [citation]),
        ],
    )

    response = admin_client.post(url, form)
    page = admin_client.get(url)

    stored = Event.objects.get(pk=event.pk)
    claims = list(stored.claims.all())
    assert response.status_code == 302
    assert [(c.claimant.name, c.stance, c.made) for c in claims] == [
        ("GUR", "asserts", "2024-10"),
        ("DPRK", "denies", "../2025-04"),
        ("DPRK", "acknowledges", "2025-04"),
    ]
    assert [list(c.citations.all()) for c in claims] == [[], [citation], [citation]]
    assert (stored.status, stored.version) == ("confirmed", 2)
    text = page_text(page)
    assert "The claims below support Confirmed ." in text
    assert "Acknowledged by a party (conceding what concerns it): confirmed." in text
    # The inline rows appear in the order made, each claimant through the autocomplete widget.
    assert re.findall(r'name="claims-\d-made"[^>]*value="([^"]*)"', page.content.decode()) == [
        "2024-10",
        "../2025-04",
        "2025-04",
    ]
    assert page.content.decode().count('data-ajax--url="/admin/autocomplete/"') >= 2


@pytest.mark.django_db
def test_admin_status_override_requires_a_reason(admin_client):
    event = EventFactory(title="Ammunition supplies", date="2025")
    gur = ActorFactory(name="GUR")
    url = reverse("admin:timeline_event_change", args=[event.pk])

    refused = admin_client.post(
        url, claims_form(event, [(gur, "asserts", "2025", [])], status="confirmed", status_override="on")
    )
    accepted = admin_client.post(
        url,
        claims_form(
            event,
            [(gur, "asserts", "2025", [])],
            status="confirmed",
            status_override="on",
            status_override_reason="Satellite imagery confirms the deliveries.",
        ),
    )

    stored = Event.objects.get(pk=event.pk)
    assert refused.status_code == 200
    assert "Say why the status differs from what the claims support." in page_text(refused)
    assert accepted.status_code == 302
    assert (stored.status, stored.status_override, stored.claims.count()) == ("confirmed", True, 1)


@pytest.mark.django_db
def test_admin_claim_with_unreadable_date_is_a_form_error(admin_client):
    event = EventFactory(title="Ammunition supplies", date="2025")
    gur = ActorFactory(name="GUR")

    response = admin_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        claims_form(event, [(gur, "asserts", "next Blursday", [])]),
    )

    assert response.status_code == 200
    assert "Could not read “next Blursday” as a date." in page_text(response)
    assert Event.objects.get(pk=event.pk).claims.count() == 0
