"""Claims on the public pages: the event's claim history in order, the list's claim line, access."""

import re

import pytest

from tests.factories import ActorFactory, CitationFactory, EditorFactory, EventFactory, SourceFactory, TimelineFactory
from timeline.models import Claim, Visibility

pytestmark = pytest.mark.django_db


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def kursk_event():
    timeline = TimelineFactory(slug="dprk")
    gur, dprk = ActorFactory(name="GUR"), ActorFactory(name="DPRK")
    # Dated between the claims: one made before the event's period ends, one after.
    event = EventFactory(timeline=timeline, title="North Korean troops fight in Kursk", date="2024-11/2025-03")
    event.actors.set([gur, dprk])
    citation = CitationFactory(event=event, source=SourceFactory(reliability="B"), quote="finally acknowledged")
    Claim.objects.create(event=event, claimant=dprk, stance="acknowledges", made="2025-04").citations.set([citation])
    Claim.objects.create(event=event, claimant=gur, stance="asserts", made="2024-10", note="First report.")
    Claim.objects.create(event=event, claimant=dprk, stance="denies", made="../2025-04")
    secret = ActorFactory(name="Informant K-7")
    EventFactory(timeline=TimelineFactory(slug="internal", visibility=Visibility.PRIVATE)).actors.set([secret])
    Claim.objects.create(event=event, claimant=secret, stance="disputes", made="2024-09")
    return event


def test_event_page_shows_claim_history_in_order_without_hidden_claimants(client):
    event = kursk_event()

    text = page_text(client.get(event.get_absolute_url()))

    history = text[text.index("Who said what") : text.index("Sources")]
    assert history == (
        "Who said what Asserted by GUR (Oct 2024) First report. Denied by DPRK (before Apr 2025) "
        "Acknowledged by DPRK (Apr 2025) · sources graded B finally acknowledged "
    )
    assert "Informant" not in client.get(event.get_absolute_url()).content.decode()


def test_event_page_shows_the_hidden_claimant_to_an_editor(client):
    event = kursk_event()
    client.force_login(EditorFactory())

    text = page_text(client.get(event.get_absolute_url()))

    assert "Disputed by Informant K-7 (Sep 2024)" in text
    assert text.index("Disputed by Informant K-7") < text.index("Asserted by GUR")


def test_timeline_page_lists_each_event_with_its_claims_line(client):
    event = kursk_event()

    text = page_text(client.get(event.timeline.get_absolute_url()))

    assert "Asserted by GUR (Oct 2024) · denied by DPRK (before Apr 2025) · acknowledged by DPRK (Apr 2025)" in text
    assert "Informant" not in text
