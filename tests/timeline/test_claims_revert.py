"""History and revert keep the claims: who said what, when, citing which sources (issue 16).

Everything goes through the admin as an editor's browser sends it: the change form with
its claims inline, the history page, the revert page's GET (what would change) and POST.
"""

import html

import icalendar
import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, EventFactory, TimelineFactory, UserFactory
from tests.timeline.test_admin_claims import claims_form, page_text
from timeline.models import Actor, Event


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


def _claims(event):
    return [
        (c.claimant.name, c.stance, c.made, c.note, [x.quote for x in c.citations.all()]) for c in event.claims.all()
    ]


def _event_with_changed_claims(admin_client):
    """Version 2: GUR asserts (Oct 2024, citing the interview). Version 3: that claim deleted,
    DPRK denies (before Apr 2025, citing the agency report) and acknowledges (Apr 2025)."""
    timeline = TimelineFactory(slug="cooperation")
    event = EventFactory(timeline=timeline, title="North Korean troops fight in Kursk", date="2024-10/2025-04")
    interview = CitationFactory(event=event, quote="about 11,000 soldiers", position=0)
    report = CitationFactory(event=event, quote="Pyongyang long denied its involvement", position=1)
    gur, dprk = ActorFactory(name="GUR"), ActorFactory(name="DPRK")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    # Both parties are involved in the event, so public readers (the feed) see their claims too.
    involved = {"actors": [gur.pk, dprk.pk]}
    first = claims_form(event, [(gur, "asserts", "October 2024", [interview])], **involved)
    first |= _citation_rows(event, [interview, report])
    assert admin_client.post(url, first).status_code == 302
    event.refresh_from_db()
    [claim] = event.claims.all()
    second = claims_form(
        event,
        [
            (gur, "asserts", "2024-10", [interview]),
            (dprk, "denies", "../2025-04", [report]),
            (dprk, "acknowledges", "April 2025", []),
        ],
        **{"claims-INITIAL_FORMS": "1", "claims-0-id": str(claim.pk), "claims-0-event": str(event.pk)},
        **involved,
    )
    second |= _citation_rows(event, [interview, report]) | {"claims-0-DELETE": "on"}
    response = admin_client.post(url, second)
    assert response.status_code == 302, page_text(response)[:3000]
    event.refresh_from_db()
    return event


def _citation_rows(event, citations):
    """The citations inline as the change form sends it back unchanged."""
    data = {"citations-TOTAL_FORMS": str(len(citations)), "citations-INITIAL_FORMS": str(len(citations))}
    for index, citation in enumerate(citations):
        data |= {
            f"citations-{index}-id": str(citation.pk),
            f"citations-{index}-event": str(event.pk),
            f"citations-{index}-source": str(citation.source_id),
            f"citations-{index}-quote": citation.quote,
            f"citations-{index}-locator": citation.locator,
            f"citations-{index}-position": str(citation.position),
        }
    return data


@pytest.mark.django_db
def test_every_history_row_keeps_the_claims_in_order_with_their_citations(admin_client):
    event = _event_with_changed_claims(admin_client)

    rows = {row.version: row for row in event.history.all()}

    assert event.version == 3
    assert [(c["claimant_name"], c["stance"], c["made"], c["citations"]) for c in rows[2].claims_snapshot] == [
        ("GUR", "asserts", "2024-10", [0])
    ]
    assert [(c["claimant_name"], c["stance"], c["made"], c["citations"]) for c in rows[3].claims_snapshot] == [
        ("DPRK", "denies", "../2025-04", [1]),
        ("DPRK", "acknowledges", "2025-04", []),
    ]
    history = html.unescape(page_text(admin_client.get(reverse("admin:timeline_event_history", args=[event.pk]))))
    assert (
        "Claims: asserted by GUR (Oct 2024)\xa0→\xa0denied by DPRK (before Apr 2025); acknowledged by DPRK (Apr 2025)"
        in history
    )


@pytest.mark.django_db
def test_revert_restores_the_claims_their_citations_and_the_status_as_a_new_version(admin_client):
    event = _event_with_changed_claims(admin_client)
    assert (event.status, event.version) == ("confirmed", 3)
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, event.history.get(version=2).history_id])
    feed_url = reverse("timeline:timeline-feed", kwargs={"slug": "cooperation"})

    plan = page_text(admin_client.get(url))
    response = admin_client.post(url)

    event = Event.objects.get(pk=event.pk)
    assert "Claims denied by DPRK (before Apr 2025); acknowledged by DPRK (Apr 2025) asserted by GUR (Oct 2024)" in (
        plan
    )
    assert response.status_code == 302
    assert _claims(event) == [("GUR", "asserts", "2024-10", "", ["about 11,000 soldiers"])]
    assert (event.status, event.version) == ("claimed", 4)
    latest = event.history.latest()
    assert [(c["claimant_name"], c["stance"]) for c in latest.claims_snapshot] == [("GUR", "asserts")]
    [vevent] = icalendar.Calendar.from_ical(admin_client.get(feed_url).content).walk("VEVENT")
    assert (str(vevent["X-TIMELINE-CLAIMS"]), int(vevent["SEQUENCE"])) == ("asserts 2024-10 GUR", 4)
    api = admin_client.get(f"/api/v1/events/{event.uid}/").json()
    assert [(c["claimant"]["name"], c["stance"], c["made"], c["citations"]) for c in api["claims"]] == [
        ("GUR", "asserts", "2024-10", [0])
    ]
    assert (api["status"], api["version"]) == ("claimed", 4)


@pytest.mark.django_db
def test_reverting_forward_again_brings_back_both_dprk_claims(admin_client):
    event = _event_with_changed_claims(admin_client)
    to_two = reverse("admin:timeline_event_simple_history", args=[event.pk, event.history.get(version=2).history_id])
    to_three = reverse("admin:timeline_event_simple_history", args=[event.pk, event.history.get(version=3).history_id])

    admin_client.post(to_two)
    admin_client.post(to_three)

    event = Event.objects.get(pk=event.pk)
    assert _claims(event) == [
        ("DPRK", "denies", "../2025-04", "", ["Pyongyang long denied its involvement"]),
        ("DPRK", "acknowledges", "2025-04", "", []),
    ]
    assert (event.status, event.version) == ("confirmed", 5)


@pytest.mark.django_db
def test_revert_leaves_out_a_claim_whose_claimant_was_deleted_since_and_says_so(admin_client):
    event = _event_with_changed_claims(admin_client)
    Actor.objects.filter(name="GUR").delete()  # no claim refers to GUR at version 3
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, event.history.get(version=2).history_id])

    plan = page_text(admin_client.get(url))
    admin_client.post(url)

    event = Event.objects.get(pk=event.pk)
    assert "claim “asserted by GUR (Oct 2024)”: its claimant was deleted since" in plan
    assert (_claims(event), event.version) == ([], 4)


@pytest.mark.django_db
def test_revert_to_a_row_saved_before_claims_were_kept_leaves_the_claims_and_says_so(admin_client):
    event = _event_with_changed_claims(admin_client)
    first = event.history.get(version=2)
    type(first).objects.filter(pk=first.pk).update(claims_snapshot=None)
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id])

    plan = page_text(admin_client.get(url))
    admin_client.post(url)

    event = Event.objects.get(pk=event.pk)
    assert "saved before claims were kept in history: the claims stay as they are now" in plan
    assert [c[:2] for c in _claims(event)] == [("DPRK", "denies"), ("DPRK", "acknowledges")]


@pytest.mark.django_db(transaction=True)
def test_migration_gives_each_events_latest_history_row_its_current_claims():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from timeline.search import ensure_sqlite_fts

    before = [("timeline", "0010_claims_migrate")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        timeline = old.get_model("timeline", "Timeline").objects.create(slug="old", title="Old")
        event = old.get_model("timeline", "Event").objects.create(
            timeline=timeline, title="Troops in Kursk", date="2024-10", date_lower="2024-10-01", date_upper="2024-10-31"
        )
        source = old.get_model("timeline", "Source").objects.create(title="Interview", url="https://example.org/a")
        citation = old.get_model("timeline", "Citation").objects.create(event=event, source=source, quote="11,000")
        gur = old.get_model("timeline", "Actor").objects.create(name="GUR")
        claim = old.get_model("timeline", "Claim").objects.create(event=event, claimant=gur, made="2024-10")
        claim.citations.add(citation)
        history = old.get_model("timeline", "HistoricalEvent")
        kept = {f.attname for f in history._meta.concrete_fields}
        fields = {f.attname: getattr(event, f.attname) for f in event._meta.concrete_fields if f.attname in kept}
        for version, when in ((1, "2025-01-01T00:00:00Z"), (2, "2025-02-01T00:00:00Z")):
            history.objects.create(**(fields | {"version": version}), history_date=when, history_type="~")

        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        ensure_sqlite_fts()

        rows = list(Event.history.model.objects.filter(id=event.pk).order_by("version"))
        assert [row.claims_snapshot for row in rows] == [
            None,
            [
                {
                    "claimant": gur.pk,
                    "claimant_name": "GUR",
                    "stance": "asserts",
                    "made": "2024-10",
                    "note": "",
                    "citations": [0],
                }
            ],
        ]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        ensure_sqlite_fts()
