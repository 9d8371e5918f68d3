"""Review before publishing: pending revisions through the service, the API and the admin, and
what readers see (API, feed, brief) before and after approval."""

import shutil
import subprocess

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    UserFactory,
)
from timeline import review, services
from timeline.models import Event, Revision, RevisionState, Role, TimelineRole


@pytest.fixture
def desk(db):
    """Timeline "a" (public, review on) with an owner, an editor and a reviewer; timeline "b" (public,
    review on) where the editor is a viewer only. One published event on each."""
    a = TimelineFactory(slug="a", title="Timeline A", review_required=True)
    b = TimelineFactory(slug="b", title="Timeline B", review_required=True)
    people = {
        name: UserFactory(username=name, is_staff=True, email=f"{name}@example.org")
        for name in ("owner", "editor", "reviewer", "second-reviewer", "reader")
    }
    for name, role in (
        ("owner", Role.OWNER),
        ("editor", Role.EDITOR),
        ("reviewer", Role.REVIEWER),
        ("second-reviewer", Role.REVIEWER),
    ):
        TimelineRole.objects.create(timeline=a, user=people[name], role=role)
    TimelineRole.objects.create(timeline=b, user=people["editor"], role=Role.VIEWER)
    event_a = EventFactory(timeline=a, title="Troops seen at Wonsan", location="Wonsan", published=True)
    event_b = EventFactory(timeline=b, title="Shells shipped from Rajin", published=True)
    return {"a": a, "b": b, "people": people, "event_a": event_a, "event_b": event_b}


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def event_path(event, action=""):
    return f"/api/v1/events/{event.uid}/" + (f"{action}/" if action else "")


# --- Service -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_keeps_the_event_and_mails_the_reviewers(desk, django_capture_on_commit_callbacks):
    event, editor = desk["event_a"], desk["people"]["editor"]
    before = (event.title, event.version)

    with django_capture_on_commit_callbacks(execute=True):
        revision = review.revision_submit(event=event, values={"title": "Troops left Wonsan"}, user=editor)

    event.refresh_from_db()
    assert (event.title, event.version) == before
    assert (revision.state, revision.proposed, revision.base_version) == ("pending", {"title": "Troops left Wonsan"}, 1)
    assert [sorted(m.to) for m in mail.outbox] == [
        ["owner@example.org", "reviewer@example.org", "second-reviewer@example.org"]
    ]
    assert "Title: Troops seen at Wonsan → Troops left Wonsan" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_approve_writes_one_history_row_and_counts_the_version(desk):
    event, editor, reviewer = desk["event_a"], desk["people"]["editor"], desk["people"]["reviewer"]
    tag, actor, source = TagFactory(name="Rail"), ActorFactory(name="KPA"), SourceFactory(title="NK News")
    revision = review.revision_submit(
        event=event,
        values={"title": "Troops left Wonsan", "location": "Wonsan port"},
        relations={
            "tags": [tag],
            "actors": [actor],
            "citations": [{"source": source, "quote": "trains left", "locator": "¶2"}],
            "claims": [{"claimant": actor, "stance": "asserts", "made": "2025-06", "note": "", "citations": [0]}],
        },
        user=editor,
    )
    rows_before = Event.history.filter(id=event.pk).count()
    mail.outbox.clear()

    review.revision_approve(revision=revision, user=reviewer)

    event.refresh_from_db()
    revision.refresh_from_db()
    assert (event.title, event.location, event.version) == ("Troops left Wonsan", "Wonsan port", 2)
    assert [t.name for t in event.tags.all()] == ["Rail"]
    assert [(c.source.title, c.quote) for c in event.citations.all()] == [("NK News", "trains left")]
    assert [(c.claimant.name, [x.quote for x in c.citations.all()]) for c in event.claims.all()] == [
        ("KPA", ["trains left"])
    ]
    assert Event.history.filter(id=event.pk).count() == rows_before + 1
    latest = Event.history.filter(id=event.pk).first()
    assert (latest.history_user, latest.history_change_reason) == (reviewer, "Change by editor, approved")
    assert (revision.state, revision.reviewed_by) == ("approved", reviewer)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["editor@example.org"], "Approved: your change of “Troops seen at Wonsan”")
    ]


@pytest.mark.django_db
def test_author_cannot_approve_their_own_change(desk):
    owner = desk["people"]["owner"]
    revision = review.revision_submit(event=desk["event_a"], values={"title": "Mine"}, user=owner)

    with pytest.raises(review.NotAllowed):
        review.revision_approve(revision=revision, user=owner)

    assert Event.objects.get(pk=desk["event_a"].pk).title == "Troops seen at Wonsan"


@pytest.mark.django_db
def test_approving_a_change_to_an_older_version_is_refused(desk):
    event, people = desk["event_a"], desk["people"]
    revision = review.revision_submit(event=event, values={"title": "Editor's title"}, user=people["editor"])
    event.summary = "The owner changed it meanwhile."
    event.save()

    with pytest.raises(review.RevisionStale):
        review.revision_approve(revision=revision, user=people["reviewer"])

    assert Event.objects.get(pk=event.pk).title == "Troops seen at Wonsan"


@pytest.mark.django_db
def test_someone_elses_pending_change_blocks_a_second_one_and_the_own_one_is_replaced(desk):
    event, people = desk["event_a"], desk["people"]
    first = review.revision_submit(event=event, values={"title": "One"}, user=people["editor"])

    again = review.revision_submit(event=event, values={"title": "Two"}, user=people["editor"])
    with pytest.raises(review.RevisionConflict):
        review.revision_submit(event=event, values={"title": "Three"}, user=people["owner"])

    assert (again.pk, Revision.objects.get().proposed) == (first.pk, {"title": "Two"})


@pytest.mark.django_db
def test_submitting_a_draft_proposes_publishing_it(desk):
    draft = EventFactory(timeline=desk["a"], title="Draft", published=False)

    revision = review.revision_submit(event=draft, values={}, user=desk["people"]["editor"])

    assert revision.proposed == {"published": True}
    assert [(c.field, c.old, c.new) for c in review.revision_changes(revision)] == [("Published", "no", "yes")]


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_patch_by_an_editor_becomes_a_pending_revision(desk):
    event = desk["event_a"]

    response = api_as(desk["people"]["editor"]).patch(event_path(event), {"title": "Changed"}, format="json")
    reader = api_as(None).get(event_path(event))

    assert response.status_code == 202
    assert (response.json()["state"], response.json()["changes"]) == (
        "pending",
        [{"field": "Title", "old": "Troops seen at Wonsan", "new": "Changed"}],
    )
    assert (reader.json()["title"], reader.json()["version"]) == ("Troops seen at Wonsan", 1)


@pytest.mark.django_db
def test_api_submit_approve_and_reject(desk, django_capture_on_commit_callbacks):
    event, people = desk["event_a"], desk["people"]
    editor, reviewer = api_as(people["editor"]), api_as(people["reviewer"])

    with django_capture_on_commit_callbacks(execute=True):
        submitted = editor.post(event_path(event, "submit"), {"title": "First try", "note": "Please"}, format="json")
        own = editor.post(event_path(event, "approve"))
        no_comment = reviewer.post(event_path(event, "reject"), {"comment": "  "}, format="json")
        rejected = reviewer.post(event_path(event, "reject"), {"comment": "Cite a source."}, format="json")
        again = editor.post(event_path(event, "submit"), {"title": "Second try"}, format="json")
        approved = reviewer.post(event_path(event, "approve"))
        nothing = reviewer.post(event_path(event, "approve"))

    assert (submitted.status_code, submitted.json()["note"]) == (202, "Please")
    assert own.status_code == 403
    assert (no_comment.status_code, no_comment.json()) == (400, {"comment": ["Say what the author should change."]})
    assert (rejected.status_code, rejected.json()["state"], rejected.json()["comment"]) == (
        200,
        "rejected",
        "Cite a source.",
    )
    assert again.status_code == 202
    assert (approved.status_code, approved.json()["title"], approved.json()["version"]) == (200, "Second try", 2)
    assert approved["ETag"] == '"2"'
    assert (nothing.status_code, nothing.json()) == (409, {"detail": "No change of this event is waiting for review."})
    sent_back = [m for m in mail.outbox if m.subject.startswith("Sent back")]
    assert [(m.to, "Cite a source." in m.body) for m in sent_back] == [(["editor@example.org"], True)]


@pytest.mark.django_db
def test_api_submit_refuses_bad_input_with_field_messages(desk):
    editor = api_as(desk["people"]["editor"])

    bad = editor.post(event_path(desk["event_a"], "submit"), {"date": "someday", "colour": "red"}, format="json")
    unchanged = editor.post(event_path(desk["event_a"], "submit"), {"title": "Troops seen at Wonsan"}, format="json")

    assert bad.status_code == 400
    assert sorted(bad.json()) == ["colour", "date"]
    assert (unchanged.status_code, unchanged.json()) == (
        400,
        {"non_field_errors": ["The change changes nothing: there is nothing to review."]},
    )
    assert Revision.objects.count() == 0


@pytest.mark.django_db
def test_api_revisions_list_and_waiting_for_me(desk):
    people = desk["people"]
    review.revision_submit(event=desk["event_a"], values={"title": "By the editor"}, user=people["editor"])
    review.revision_submit(event=desk["event_b"], values={"title": "Hidden"}, user=UserFactory(is_superuser=True))

    waiting = api_as(people["reviewer"]).get("/api/v1/revisions/", {"waiting": "me"}).json()["results"]
    editors_own = api_as(people["editor"]).get("/api/v1/revisions/", {"waiting": "me"}).json()["results"]
    all_of_editor = api_as(people["editor"]).get("/api/v1/revisions/").json()["results"]
    reader = api_as(people["reader"]).get("/api/v1/revisions/").json()["results"]
    bad = api_as(people["reviewer"]).get("/api/v1/revisions/", {"state": "lost"})

    assert [r["event_title"] for r in waiting] == ["Troops seen at Wonsan"]
    assert editors_own == []
    # The editor is a viewer of b: they read b's revisions but review none.
    assert sorted(r["event_title"] for r in all_of_editor) == ["Shells shipped from Rajin", "Troops seen at Wonsan"]
    assert reader == []
    assert (bad.status_code, list(bad.json())) == (400, ["state"])


@pytest.mark.django_db
def test_api_revision_the_caller_may_not_see_answers_like_a_missing_one(desk):
    hidden = TimelineFactory(slug="hidden", visibility="private", review_required=True)
    secret = EventFactory(timeline=hidden, title="Secret", published=True)
    revision = review.revision_submit(event=secret, values={"title": "Secret 2"}, user=UserFactory(is_superuser=True))
    outsider = api_as(desk["people"]["reader"])

    detail = outsider.get(f"/api/v1/revisions/{revision.pk}/")
    missing = outsider.get("/api/v1/revisions/999999/")
    approve = outsider.post(event_path(secret, "approve"))
    approve_missing = outsider.post("/api/v1/events/00000000-0000-4000-8000-000000000000/approve/")
    # A published event of a public timeline: the reader sees it, not its pending change.
    public_pending = review.revision_submit(event=desk["event_a"], values={"title": "x"}, user=desk["people"]["editor"])
    public_detail = outsider.get(f"/api/v1/revisions/{public_pending.pk}/")
    public_approve = outsider.post(event_path(desk["event_a"], "approve"))

    assert (detail.status_code, detail.json()) == (missing.status_code, missing.json())
    assert detail.status_code == 404
    assert (approve.status_code, approve.json()) == (approve_missing.status_code, approve_missing.json())
    assert (public_detail.status_code, public_approve.status_code) == (404, 409)


@pytest.mark.django_db
def test_openapi_documents_the_review_endpoints(desk):
    schema = api_as(None).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    assert sorted(p for p in paths if "revision" in p or p.endswith(("submit/", "approve/", "reject/"))) == [
        "/api/v1/events/{uid}/approve/",
        "/api/v1/events/{uid}/reject/",
        "/api/v1/events/{uid}/submit/",
        "/api/v1/revisions/",
        "/api/v1/revisions/{id}/",
    ]
    assert sorted(paths["/api/v1/events/{uid}/submit/"]["post"]["responses"]) == [
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "429",
    ]
    assert "202" in paths["/api/v1/events/{uid}/"]["patch"]["responses"]


# --- Role holders' writes through the API ----------------------------------------------------------


@pytest.mark.django_db
def test_api_writes_follow_the_roles(desk):
    a, b, people = desk["a"], desk["b"], desk["people"]
    a.review_required = b.review_required = False
    a.save()
    b.save()
    editor, viewer = api_as(people["editor"]), api_as(people["reader"])
    TimelineRole.objects.create(timeline=a, user=people["reader"], role=Role.VIEWER)
    draft_a = EventFactory(timeline=a, title="Draft A", published=False)

    create_a = editor.post("/api/v1/events/", {"timeline": "a", "title": "New", "date": "2025-06"}, format="json")
    create_b = editor.post("/api/v1/events/", {"timeline": "b", "title": "New", "date": "2025-06"}, format="json")
    publish_a = editor.patch(event_path(draft_a), {"published": True}, format="json")
    edit_a = editor.patch(event_path(desk["event_a"]), {"title": "Edited"}, format="json")
    edit_b = editor.patch(event_path(desk["event_b"]), {"title": "Edited"}, format="json")
    viewer_edit = viewer.patch(event_path(desk["event_a"]), {"title": "By a viewer"}, format="json")
    viewer_delete = viewer.delete(event_path(desk["event_a"]))
    move = editor.patch(event_path(desk["event_a"]), {"timeline": "b"}, format="json")
    reviewer_publishes = api_as(people["reviewer"]).patch(event_path(draft_a), {"published": True}, format="json")

    assert (create_a.status_code, create_b.status_code) == (201, 403)
    assert publish_a.json() == {"detail": "You may not publish or unpublish events on this timeline."}
    assert (publish_a.status_code, edit_a.status_code, edit_b.status_code) == (403, 200, 403)
    assert (viewer_edit.status_code, viewer_delete.status_code, move.status_code) == (403, 403, 403)
    reviewer_edits = api_as(people["reviewer"]).patch(event_path(draft_a), {"title": "Reviewer's"}, format="json")

    # The reviewer may publish (the role matrix) but not change what an event says.
    assert (reviewer_publishes.status_code, reviewer_edits.status_code) == (200, 403)
    assert Event.objects.get(pk=draft_a.pk).published is True
    assert sorted(Event.objects.values_list("title", flat=True)) == [
        "Draft A",
        "Edited",
        "New",
        "Shells shipped from Rajin",
    ]


# --- Admin ---------------------------------------------------------------------------------------


def event_form_data(event, **changes):
    data = {
        "timeline": event.timeline_id,
        "title": event.title,
        "summary": event.summary,
        "date": event.date,
        "reported": event.reported,
        "location": event.location,
        "latitude": "",
        "longitude": "",
        "status": event.status,
        "status_override_reason": "",
        "credibility": event.credibility,
        "seen_version": event.version,
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "1000",
    }
    if event.published:
        data["published"] = "on"
    data.update(changes)
    return data


@pytest.mark.django_db
def test_admin_save_by_an_editor_submits_and_a_reviewer_approves_from_the_queue(client, desk):
    event, people = desk["event_a"], desk["people"]
    source = SourceFactory(title="Daily NK")
    client.force_login(people["editor"])

    saved = client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        {
            **event_form_data(event, title="Troops left Wonsan"),
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-quote": "They left by rail",
            "citations-0-locator": "¶3",
            "citations-0-position": "0",
        },
        follow=True,
    )
    event.refresh_from_db()
    while_pending = (event.title, event.version, event.citations.count())
    client.force_login(people["reviewer"])
    queue = client.get(reverse("admin:timeline_revision_changelist"))
    revision = Revision.objects.get()
    page = client.get(reverse("admin:timeline_revision_change", args=[revision.pk]))
    approved = client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})

    assert "was submitted for review" in saved.content.decode()
    assert while_pending == ("Troops seen at Wonsan", 1, 0)
    assert [r.event.title for r in queue.context["cl"].result_list] == ["Troops seen at Wonsan"]
    assert [(c.field, c.old, c.new) for c in page.context["changes"]] == [
        ("Title", "Troops seen at Wonsan", "Troops left Wonsan"),
        ("Citations", "—", "Daily NK, ¶3: “They left by rail”"),
    ]
    assert 'name="_approve"' in page.content.decode()
    assert approved.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version, [c.quote for c in event.citations.all()]) == (
        "Troops left Wonsan",
        2,
        ["They left by rail"],
    )


@pytest.mark.django_db
def test_admin_queue_leaves_out_own_changes_and_send_back_shows_the_comment(client, desk):
    event, people = desk["event_a"], desk["people"]
    client.force_login(people["editor"])
    client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        {**event_form_data(event, title="Mine"), "_submit_review": "1", "review_note": "Check the date"},
    )
    revision = Revision.objects.get()
    own_queue = client.get(reverse("admin:timeline_revision_changelist"))
    own_page = client.get(reverse("admin:timeline_revision_change", args=[revision.pk]))
    client.force_login(people["reviewer"])
    empty_comment = client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_reject": "1"})
    client.post(
        reverse("admin:timeline_revision_change", args=[revision.pk]), {"_reject": "1", "comment": "Source it."}
    )
    client.force_login(people["editor"])
    form = client.get(reverse("admin:timeline_event_change", args=[event.pk])).content.decode()

    assert list(own_queue.context["cl"].result_list) == []
    assert ('name="_approve"' in own_page.content.decode(), revision.note) == (False, "Check the date")
    assert empty_comment.context["reject_form"].errors == {"comment": ["This field is required."]}
    assert Revision.objects.get().state == RevisionState.REJECTED
    assert 'id="review-sent-back"' in form and "Source it." in form
    assert Event.objects.get(pk=event.pk).title == "Troops seen at Wonsan"


@pytest.mark.django_db
def test_admin_revision_of_a_hidden_timeline_answers_like_a_missing_one(client, desk):
    hidden = TimelineFactory(slug="hidden", visibility="private", review_required=True)
    secret = EventFactory(timeline=hidden, title="Secret", published=True)
    revision = review.revision_submit(event=secret, values={"title": "x"}, user=UserFactory(is_superuser=True))
    client.force_login(desk["people"]["reviewer"])

    hidden_page = client.get(reverse("admin:timeline_revision_change", args=[revision.pk]))
    missing = client.get(reverse("admin:timeline_revision_change", args=[999999]))

    assert (hidden_page.status_code, missing.status_code) == (404, 404)
    assert "Secret" not in hidden_page.content.decode()


@pytest.mark.django_db
def test_owner_switches_review_on_in_the_timeline_admin(client, desk):
    timeline = desk["a"]
    timeline.review_required = False
    timeline.save()
    client.force_login(desk["people"]["owner"])
    page = client.get(reverse("admin:timeline_timeline_change", args=[timeline.pk])).content.decode()
    roles = list(timeline.roles.all())
    data = {
        "title": timeline.title,
        "slug": timeline.slug,
        "description": timeline.description,
        "visibility": timeline.visibility,
        "marking": timeline.marking,
        "bottom_line": "",
        "key_judgements": "",
        "review_required": "on",
        "roles-TOTAL_FORMS": str(len(roles)),
        "roles-INITIAL_FORMS": str(len(roles)),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "webhooks-TOTAL_FORMS": "0",
        "webhooks-INITIAL_FORMS": "0",
        "webhooks-MIN_NUM_FORMS": "0",
        "webhooks-MAX_NUM_FORMS": "1000",
    }
    for index, role in enumerate(roles):
        data |= {f"roles-{index}-id": role.pk, f"roles-{index}-user": role.user_id, f"roles-{index}-role": role.role}

    response = client.post(reverse("admin:timeline_timeline_change", args=[timeline.pk]), data)

    assert 'name="review_required"' in page
    assert response.status_code == 302
    timeline.refresh_from_db()
    assert timeline.review_required is True


# --- Acceptance: what readers see ------------------------------------------------------------------


def feed_summaries(client, slug):
    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("timeline:timeline-feed", kwargs={"slug": slug})).content
    )
    return sorted(str(component["SUMMARY"]) for component in calendar.walk("VEVENT"))


def brief_text(client, slug, tmp_path):
    response = client.get(reverse("timeline:timeline-brief", kwargs={"slug": slug}))
    assert response.status_code == 200
    path = tmp_path / "brief.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.django_db
def test_pending_change_reaches_no_reader_and_the_approved_one_reaches_api_feed_and_brief(client, desk, tmp_path):
    event, people = desk["event_a"], desk["people"]
    CitationFactory(event=event, source=SourceFactory(title="Yonhap"))
    draft = EventFactory(timeline=desk["a"], title="Convoy crossed at Tumen", published=False)
    editor, reviewer = api_as(people["editor"]), api_as(people["reviewer"])
    editor.patch(event_path(event), {"title": "Troops boarded ships at Wonsan"}, format="json")
    editor.post(event_path(draft, "submit"), {}, format="json")

    pending = {
        "api": sorted(e["title"] for e in api_as(None).get("/api/v1/events/", {"timeline": "a"}).json()["results"]),
        "feed": feed_summaries(client, "a"),
        "brief": brief_text(client, "a", tmp_path),
    }
    since = timezone.now().isoformat()
    synced_pending = api_as(None).get("/api/v1/events/", {"timeline": "a", "updated_since": since}).json()
    assert reviewer.post(event_path(event, "approve")).status_code == 200
    assert reviewer.post(event_path(draft, "approve")).status_code == 200
    synced = api_as(None).get("/api/v1/events/", {"timeline": "a", "updated_since": since}).json()
    approved = {
        "api": sorted(e["title"] for e in api_as(None).get("/api/v1/events/", {"timeline": "a"}).json()["results"]),
        "feed": feed_summaries(client, "a"),
        "brief": brief_text(client, "a", tmp_path),
    }

    assert pending["api"] == ["Troops seen at Wonsan"]
    assert [s.endswith("Troops seen at Wonsan") for s in pending["feed"]] == [True]
    assert "Troops seen at Wonsan" in pending["brief"]
    assert ("boarded ships" in pending["brief"], "Tumen" in pending["brief"]) == (False, False)
    assert approved["api"] == ["Convoy crossed at Tumen", "Troops boarded ships at Wonsan"]
    # Mirrors syncing with updated_since get both approved changes, and nothing while they waited.
    assert synced_pending["results"] == []
    assert sorted(e["title"] for e in synced["results"]) == approved["api"]
    assert len(approved["feed"]) == 2
    assert any("Troops boarded ships at Wonsan" in s for s in approved["feed"])
    assert any("Convoy crossed at Tumen" in s for s in approved["feed"])
    assert "boarded ships" in approved["brief"] and "Tumen" in approved["brief"]
    assert "Troops seen at Wonsan" not in approved["brief"]


@pytest.mark.django_db
def test_admin_revert_by_an_editor_waits_for_review(client, desk):
    event, people = desk["event_a"], desk["people"]
    services.event_update(event=event, values={"title": "Owner's new title"}, user=people["owner"])
    oldest = Event.history.filter(id=event.pk).last()
    client.force_login(people["editor"])

    response = client.post(
        f"/admin/timeline/event/{event.pk}/history/{oldest.history_id}/",
        {"revert": "1"},
    )

    event.refresh_from_db()
    revision = Revision.objects.get()
    assert response.status_code == 302
    assert (event.title, event.version) == ("Owner's new title", 2)
    assert (revision.author, revision.proposed["title"], "published" in revision.proposed) == (
        people["editor"],
        "Troops seen at Wonsan",
        False,
    )
    assert [c.field for c in review.revision_changes(revision)] == ["Title"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_api_revisions_list_query_count(desk, count, django_assert_num_queries):
    for index in range(count):
        event = EventFactory(timeline=desk["a"], title=f"Event {index}", published=True)
        review.revision_submit(event=event, values={"title": f"Changed {index}"}, user=desk["people"]["editor"])
    client = api_as(desk["people"]["reviewer"])

    # 1-2: the reviewer's permissions (user, groups), asked by the access policy;
    # 3: the count for the page; 4: the page of revisions with events, timelines and people joined.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/revisions/", {"waiting": "me"})

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
def test_editor_may_not_delete_a_published_event_of_a_reviewed_timeline(client, desk):
    people = desk["people"]
    published, draft = desk["event_a"], EventFactory(timeline=desk["a"], title="Draft", published=False)
    other = EventFactory(timeline=desk["a"], title="Also published", published=True)
    client.force_login(people["editor"])

    api_published = api_as(people["editor"]).delete(event_path(published))
    api_draft = api_as(people["editor"]).delete(event_path(draft))
    admin_published = client.post(reverse("admin:timeline_event_delete", args=[other.pk]), {"post": "yes"})
    client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )

    assert (api_published.status_code, api_draft.status_code) == (403, 204)
    assert "requires review before publishing" in api_published.json()["detail"]
    assert admin_published.status_code == 403
    assert sorted(Event.objects.filter(timeline=desk["a"]).values_list("title", flat=True)) == [
        "Also published",
        "Troops seen at Wonsan",
    ]


@pytest.mark.django_db
def test_admin_revert_of_claims_by_an_editor_waits_and_approving_it_restores_them(client, desk):
    from tests.factories import ActorFactory, CitationFactory

    event, people = desk["event_a"], desk["people"]
    citation = CitationFactory(event=event, quote="Pyongyang long denied its involvement")
    gur, dprk = ActorFactory(name="GUR"), ActorFactory(name="DPRK")
    asserted = [{"claimant": gur, "stance": "asserts", "made": "2024-10", "citations": [0]}]
    services.event_update(event=event, values={}, relations={"claims": asserted}, user=people["owner"])
    denied = [{"claimant": dprk, "stance": "denies", "made": "../2025-04", "citations": []}]
    services.event_update(event=event, values={}, relations={"claims": denied}, user=people["owner"])
    with_gur = Event.history.filter(id=event.pk).order_by("-history_id")[1]
    client.force_login(people["editor"])

    client.post(f"/admin/timeline/event/{event.pk}/history/{with_gur.history_id}/", {"revert": "1"})
    revision = Revision.objects.get()
    waiting = [(c.claimant.name, c.stance) for c in Event.objects.get(pk=event.pk).claims.all()]
    review.revision_approve(revision=revision, user=people["reviewer"])

    event = Event.objects.get(pk=event.pk)
    assert waiting == [("DPRK", "denies")]
    assert revision.proposed["claims"] == [
        {"claimant": gur.pk, "stance": "asserts", "made": "2024-10", "note": "", "citations": [0]}
    ]
    assert [(c.claimant.name, c.stance, [x.quote for x in c.citations.all()]) for c in event.claims.all()] == [
        ("GUR", "asserts", [citation.quote])
    ]
