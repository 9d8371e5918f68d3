"""Claims in calendar feeds: the description's first line, X-TIMELINE-CLAIMS, order and access."""

import pytest

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TimelineFactory
from tests.timeline.ical_checks import ical_js_available, ical_js_events, parse_feed
from tests.timeline.test_feeds import feed_url
from timeline.models import Claim, Visibility

pytestmark = pytest.mark.django_db

STORY = "Asserted by GUR (Oct 2024) · denied by DPRK (before Apr 2025) · acknowledged by DPRK (Apr 2025)"


def kursk_timeline():
    timeline = TimelineFactory(slug="dprk")
    gur, dprk = ActorFactory(name="GUR"), ActorFactory(name="DPRK")
    # The event is dated before some of its claims (made later) and after one (made before).
    event = EventFactory(timeline=timeline, title="North Korean troops fight in Kursk", date="2024-11/2025-03")
    event.actors.set([gur, dprk])
    citation = CitationFactory(event=event, source=SourceFactory(reliability="B"))
    Claim.objects.create(event=event, claimant=dprk, stance="acknowledges", made="2025-04").citations.set([citation])
    Claim.objects.create(event=event, claimant=dprk, stance="denies", made="../2025-04")
    Claim.objects.create(event=event, claimant=gur, stance="asserts", made="2024-10")
    return timeline, event


def test_feed_description_starts_with_the_claims_in_order_and_names_them_for_scripts(client):
    timeline, _ = kursk_timeline()

    vevent = parse_feed(client.get(feed_url(timeline)).content).walk("VEVENT")[0]

    assert str(vevent["DESCRIPTION"]).split("\n")[0] == STORY
    assert (
        str(vevent["X-TIMELINE-CLAIMS"]) == "asserts 2024-10 GUR | denies ../2025-04 DPRK | acknowledges 2025-04 DPRK"
    )
    assert str(vevent["X-TIMELINE-CLAIM-STATUS"]) == "reported"


@pytest.mark.skipif(not ical_js_available(), reason="ical.js is not installed (npm install --no-save ical.js)")
def test_feed_claims_read_by_ical_js(client):
    timeline, _ = kursk_timeline()

    events = ical_js_events(client.get(feed_url(timeline)).content)

    assert events[0]["description"].split("\n")[0] == STORY


def test_feed_hides_a_claim_by_an_actor_named_only_on_a_private_timeline(client):
    timeline, event = kursk_timeline()
    secret = ActorFactory(name="Informant K-7")
    EventFactory(timeline=TimelineFactory(slug="internal", visibility=Visibility.PRIVATE)).actors.set([secret])
    Claim.objects.create(event=event, claimant=secret, stance="disputes", made="2025-05")

    body = client.get(feed_url(timeline)).content
    vevent = parse_feed(body).walk("VEVENT")[0]

    assert str(vevent["DESCRIPTION"]).split("\n")[0] == STORY
    assert "Informant" not in body.decode()


def test_feed_shows_a_claim_edit_at_once(client):
    timeline, event = kursk_timeline()
    client.get(feed_url(timeline))
    claim = event.claims.get(stance="asserts")

    claim.stance = "retracts"
    claim.save()
    body = client.get(feed_url(timeline)).content

    first_line = str(parse_feed(body).walk("VEVENT")[0]["DESCRIPTION"]).split("\n")[0]
    assert first_line.startswith("Retracted by GUR (Oct 2024) · denied by DPRK")


def test_feed_shows_a_renamed_claimant_at_once(client):
    timeline, event = kursk_timeline()
    client.get(feed_url(timeline))
    gur = event.claims.get(stance="asserts").claimant

    gur.name = "HUR"
    gur.save()
    body = client.get(feed_url(timeline)).content

    first_line = str(parse_feed(body).walk("VEVENT")[0]["DESCRIPTION"]).split("\n")[0]
    assert first_line.startswith("Asserted by HUR (Oct 2024)")
