"""Acceptance: the demo tells the seed's story with claims, and the brief and the feed, read by
pdftotext and ical.js, show Pyongyang's denial and acknowledgement with their dates."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.timeline.ical_checks import ical_js_available, ical_js_events, parse_feed
from timeline.models import Citation, Claim, Event

DEMO_SLUG = "russia-dprk-military-cooperation"
INVOLVEMENT = "North Korean troops fight in Russia's Kursk region"
STORY = "Asserted by GUR (Oct 2024) · denied by DPRK (before Apr 2025) · acknowledged by DPRK (Apr 2025)"


@pytest.fixture
def demo(db):
    call_command("loaddata", "demo", verbosity=0)


def test_demo_claims_tell_the_seed_story_with_quotes_from_the_article(demo, settings):
    article = (settings.BASE_DIR / "fixtures" / "sources" / "japan-times-budanov-interview.txt").read_text()
    involvement = Event.objects.get(title=INVOLVEMENT)
    engineers = Event.objects.get(title__startswith="Russia announces DPRK will send 6,000")

    story = [
        (c.claimant.name, c.stance, c.made, [x.quote for x in c.citations.all()]) for c in involvement.claims.all()
    ]
    announcement = engineers.claims.get()

    assert [row[:3] for row in story] == [
        ("GUR", "asserts", "2024-10"),
        ("DPRK", "denies", "../2025-04"),
        ("DPRK", "acknowledges", "2025-04"),
    ]
    assert story[1][3] == ["Although Pyongyang long denied its involvement"]
    assert story[2][3][0].startswith("in April the Kim Jong Un regime finally acknowledged casualties")
    assert (announcement.claimant.name, announcement.stance) == ("Russian defence ministry", "asserts")
    assert "6,000 personnel" in announcement.citations.get().quote
    # Every claim carries a quote, and every quote is the article's.
    assert [c.pk for c in Claim.objects.all() if not c.citations.exists()] == []
    assert [c.quote for c in Citation.objects.filter(claims__isnull=False) if c.quote not in article] == []


def test_demo_statuses_are_what_their_claims_support(demo):
    events = Event.objects.prefetch_related("claims")

    mismatched = [(e.title, e.status, e.derived_status()) for e in events if e.status != e.derived_status()]

    assert mismatched == []
    assert Event.objects.filter(status_override=True).count() == 0
    assert Event.objects.get(title=INVOLVEMENT).status == "confirmed"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_demo_brief_read_by_pdftotext_shows_denial_and_acknowledgement_with_dates(demo, client, tmp_path):
    response = client.get(reverse("timeline:timeline-brief", kwargs={"slug": DEMO_SLUG}))
    path = tmp_path / "demo.pdf"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)

    raw = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    text = re.sub(r"\s+", " ", raw)

    assert response.status_code == 200
    assert "Asserted by GUR (Oct 2024) · sources graded B" in text
    assert "Denied by DPRK (before Apr 2025) · sources graded B" in text
    assert "Acknowledged by DPRK (Apr 2025) · sources graded B" in text
    assert text.index("Denied by DPRK (before Apr 2025)") < text.index("Acknowledged by DPRK (Apr 2025)")
    assert (
        "Claims per claimant: Kyrylo Budanov 6 (6 asserted); DPRK 3 (1 denied, 2 acknowledged); "
        "GUR 3 (3 asserted); Russian defence ministry 1 (1 asserted)." in text
    )


@pytest.mark.skipif(not ical_js_available(), reason="ical.js is not installed (npm install --no-save ical.js)")
def test_demo_feed_read_by_ical_js_shows_denial_and_acknowledgement_with_dates(demo, client):
    body = client.get(reverse("timeline:timeline-feed", kwargs={"slug": DEMO_SLUG})).content

    by_title = {event["summary"].split("] ", 1)[-1]: event for event in ical_js_events(body)}
    vevent = next(v for v in parse_feed(body).walk("VEVENT") if str(v["SUMMARY"]).endswith(INVOLVEMENT))

    assert by_title[INVOLVEMENT]["description"].split("\n")[0] == STORY
    assert str(vevent["X-TIMELINE-CLAIMS"]) == (
        "asserts 2024-10 GUR | denies ../2025-04 DPRK | acknowledges 2025-04 DPRK"
    )
