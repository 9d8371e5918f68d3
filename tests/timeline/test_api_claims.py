"""Claims in the API: nested read and write in the shape read, filters, versions, access."""

import pytest

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EditorFactory,
    EventFactory,
    SourceFactory,
    TimelineFactory,
)
from tests.timeline.api_helpers import client_for, event_url, events_url, uids
from timeline.models import Claim, Event, Visibility


def kursk_event(**overrides):
    """The seed's story: GUR asserts, DPRK denies, then acknowledges; entered out of order."""
    gur, dprk = ActorFactory(name="GUR"), ActorFactory(name="DPRK")
    event = EventFactory(title="North Korean troops fight in Kursk", date="2024-10/2025-04", **overrides)
    event.actors.set([gur, dprk])
    citation = CitationFactory(event=event, source=SourceFactory(reliability="B"), quote="long denied", position=0)
    acknowledged = Claim.objects.create(event=event, claimant=dprk, stance="acknowledges", made="2025-04")
    acknowledged.citations.set([citation])
    Claim.objects.create(event=event, claimant=gur, stance="asserts", made="2024-10")
    Claim.objects.create(event=event, claimant=dprk, stance="denies", made="../2025-04")
    return event, gur, dprk


@pytest.mark.django_db
def test_api_event_reads_claims_in_order_made_with_their_reliability():
    event = kursk_event()[0]

    body = client_for().get(event_url(event)).json()

    assert [(c["claimant"]["name"], c["stance"], c["made"], c["made_display"]) for c in body["claims"]] == [
        ("GUR", "asserts", "2024-10", "Oct 2024"),
        ("DPRK", "denies", "../2025-04", "before Apr 2025"),
        ("DPRK", "acknowledges", "2025-04", "Apr 2025"),
    ]
    assert [(c["citations"], c["reliability"]) for c in body["claims"]] == [([], ""), ([], ""), ([0], "B")]


@pytest.mark.django_db
def test_api_put_of_what_get_returned_changes_nothing_and_claim_edit_bumps_version():
    event = kursk_event(status="confirmed")[0]
    editor = EditorFactory()
    client = client_for(editor)
    body = client.get(event_url(event)).json()
    body["timeline"] = event.timeline.slug
    records_before = event.history.count()

    same = client.put(event_url(event), body, format="json")
    body["claims"][2]["stance"] = "retracts"
    changed = client.put(event_url(event), body, format="json")

    stored = Event.objects.get(pk=event.pk)
    assert (same.status_code, same.json()["version"]) == (200, 1)
    assert (changed.status_code, changed.json()["version"], changed["ETag"]) == (200, 2, '"2"')
    # GUR asserts, DPRK's latest word retracts its acknowledgement: one assertion stands.
    assert (stored.status, [c.stance for c in stored.claims.all()]) == ("claimed", ["asserts", "denies", "retracts"])
    assert stored.history.count() == records_before + 1


@pytest.mark.django_db
def test_api_create_with_claims_derives_status_and_refuses_a_contrary_status():
    editor = EditorFactory()
    timeline = TimelineFactory(slug="dprk")
    gur, mod = ActorFactory(name="GUR"), ActorFactory(name="Russian defence ministry")
    source = SourceFactory()
    body = {
        "timeline": timeline.slug,
        "title": "Russia announces 6,000 DPRK engineers",
        "date": "2025",
        "citations": [{"source": source.pk, "quote": "6,000"}],
        "claims": [
            {"claimant": {"id": mod.pk}, "stance": "asserts", "made": "June 2025", "citations": [0], "note": ""},
            {"claimant": gur.pk, "stance": "asserts", "made": "2025-07"},
        ],
    }

    refused = client_for(editor).post(events_url(), {**body, "status": "denied"}, format="json")
    created = client_for(editor).post(events_url(), body, format="json")

    assert refused.status_code == 400
    assert refused.json()["status"] == [
        "The claims make this event “confirmed”. To set another status, set status_override with a "
        "status_override_reason."
    ]
    assert (created.status_code, created.json()["status"]) == (201, "confirmed")
    assert [(c["claimant"]["name"], c["made"], c["citations"]) for c in created.json()["claims"]] == [
        ("Russian defence ministry", "2025-06", [0]),
        ("GUR", "2025-07", []),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ([{"stance": "asserts"}], {"claims": {"0": {"claimant": ["This field is required."]}}}),
        ([{"claimant": 1, "stance": "says"}], {"claims": {"0": {"stance": ['"says" is not a valid choice.']}}}),
        (
            [{"claimant": 1, "stance": "asserts", "citations": [3]}],
            {"claims": {"0": {"citations": ["No citation at position 3: the event has 0."]}}},
        ),
        ([{"claimant": 1, "stance": "asserts", "made": "Blursday"}], "made"),
        ("GUR", {"claims": {"non_field_errors": ['Expected a list of items but got type "str".']}}),
    ],
)
def test_api_bad_claims_are_field_errors_and_write_nothing(claims, expected):
    editor = EditorFactory()
    TimelineFactory(slug="dprk")
    ActorFactory(pk=1, name="GUR")
    body = {"timeline": "dprk", "title": "Bad", "date": "2025", "claims": claims}

    response = client_for(editor).post(events_url(), body, format="json")

    assert (response.status_code, Event.objects.count(), Claim.objects.count()) == (400, 0, 0)
    if expected == "made":
        assert response.json()["claims"]["0"]["made"][0].startswith("Could not read “Blursday” as a date.")
    else:
        assert response.json() == expected


@pytest.mark.django_db
def test_api_override_needs_a_reason():
    event = kursk_event()[0]
    editor = EditorFactory()

    refused = client_for(editor).patch(event_url(event), {"status": "denied", "status_override": True}, format="json")
    accepted = client_for(editor).patch(
        event_url(event),
        {"status": "denied", "status_override": True, "status_override_reason": "Imagery shows no troops."},
        format="json",
    )

    assert (refused.status_code, refused.json()) == (
        400,
        {"status_override_reason": ["Say why the status differs from what the claims support."]},
    )
    assert (accepted.status_code, accepted.json()["status"], accepted.json()["status_override"]) == (
        200,
        "denied",
        True,
    )


@pytest.mark.django_db
def test_api_filters_claimant_matches_any_claim_and_stance():
    event, gur, dprk = kursk_event()
    other = EventFactory(timeline=event.timeline, title="Ammunition", date="2025")
    other.actors.set([gur])
    Claim.objects.create(event=other, claimant=gur, stance="asserts", made="2025")
    client = client_for()

    by_dprk = client.get(events_url(), {"claimant": dprk.pk})
    by_gur = client.get(events_url(), {"claimant": gur.pk})
    denied = client.get(events_url(), {"stance": "denies"})
    asserted = client.get(events_url(), {"stance": ["asserts", "retracts"]})
    bad = client.get(events_url(), {"stance": "says"})

    assert uids(by_dprk) == [str(event.uid)]
    assert uids(by_gur) == [str(event.uid), str(other.uid)]
    assert uids(denied) == [str(event.uid)]
    assert uids(asserted) == [str(event.uid), str(other.uid)]
    assert (bad.status_code, bad.json()["stance"]) == (
        400,
        ["Select a valid choice. says is not one of the available choices."],
    )


@pytest.mark.django_db
def test_api_claim_by_private_only_actor_is_hidden_from_readers_shown_to_editors():
    event = kursk_event()[0]
    secret = ActorFactory(name="Informant K-7")
    hidden_timeline = TimelineFactory(slug="internal", visibility=Visibility.PRIVATE)
    EventFactory(timeline=hidden_timeline, title="Informant briefing").actors.set([secret])
    Claim.objects.create(event=event, claimant=secret, stance="disputes", made="2025-05")

    anonymous = client_for().get(event_url(event))
    listed = client_for().get(events_url(), {"stance": "disputes"})
    by_secret = client_for().get(events_url(), {"claimant": secret.pk})
    editor = client_for(EditorFactory()).get(event_url(event)).json()

    names = [c["claimant"]["name"] for c in anonymous.json()["claims"]]
    assert names == ["GUR", "DPRK", "DPRK"]
    assert "Informant K-7" not in anonymous.content.decode()
    assert uids(listed) == []
    assert (by_secret.status_code, "Informant" in by_secret.content.decode()) == (400, False)
    assert [c["claimant"]["name"] for c in editor["claims"]] == ["GUR", "DPRK", "DPRK", "Informant K-7"]


@pytest.mark.django_db
def test_api_openapi_schema_describes_claims_and_filters(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    claim = schema["components"]["schemas"]["Claim"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
    assert set(claim["properties"]) == {
        "claimant",
        "stance",
        "made",
        "made_display",
        "citations",
        "reliability",
        "note",
    }
    assert {"claimant", "stance"} <= parameters
    assert "claims" in schema["components"]["schemas"]["Event"]["properties"]
