"""Roles per timeline: a matrix of roles × actions on two timelines, through the policy and through the admin."""

import pytest
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory, UserFactory
from timeline import access
from timeline.models import Event, Role, Timeline, TimelineRole

ACTIONS = ("view", "edit", "submit", "approve own", "approve other's", "publish", "manage roles")
# On timeline "a" (private): what each person may do. Every person with a role has it on "a";
# "editor" is also a viewer of "b". "b" is private too, so "nobody" sees neither.
ALLOWED_ON_A = {
    "owner": {"view", "edit", "submit", "approve other's", "publish", "manage roles"},
    "editor": {"view", "edit", "submit"},
    "reviewer": {"view", "approve other's", "publish"},
    "viewer": {"view"},
    "nobody": set(),
    "global editor": {"view", "edit", "submit", "approve other's", "publish"},
    "superuser": set(ACTIONS),
}
ALLOWED_ON_B = {
    "owner": set(),
    "editor": {"view"},
    "reviewer": set(),
    "viewer": set(),
    "nobody": set(),
    "global editor": {"view", "edit", "submit", "approve other's", "publish"},
    "superuser": set(ACTIONS),
}


@pytest.fixture
def people(db):
    a = TimelineFactory(slug="a", title="Timeline A", visibility="private")
    b = TimelineFactory(slug="b", title="Timeline B", visibility="private")
    users = {
        "owner": UserFactory(username="owner", is_staff=True),
        "editor": UserFactory(username="editor", is_staff=True),
        "reviewer": UserFactory(username="reviewer", is_staff=True),
        "viewer": UserFactory(username="viewer", is_staff=True),
        "nobody": UserFactory(username="nobody", is_staff=True),
        "global editor": EditorFactory(username="global-editor", is_staff=True),
        "superuser": UserFactory(username="super", is_staff=True, is_superuser=True),
    }
    for name in ("owner", "editor", "reviewer", "viewer"):
        TimelineRole.objects.create(timeline=a, user=users[name], role=name)
    TimelineRole.objects.create(timeline=b, user=users["editor"], role=Role.VIEWER)
    return {"a": a, "b": b, "users": users}


def _allowed(user, action, timeline, other):
    if action in ("approve own", "approve other's"):
        author = user if action == "approve own" else other
        return access.may(user, "approve", Event(timeline=timeline, updated_by=author, title="x", date="2025"))
    return access.may(user, action.replace(" ", "_"), timeline)


@pytest.mark.django_db
def test_role_matrix_has_no_unexpected_allow_or_denial(people):
    other = UserFactory(username="other-author")

    unexpected = [
        (name, slug, action, "allowed" if allowed else "denied")
        for slug, expected in (("a", ALLOWED_ON_A), ("b", ALLOWED_ON_B))
        for name, user in people["users"].items()
        for action in ACTIONS
        if (allowed := _allowed(user, action, people[slug], other)) != (action in expected[name])
    ]

    assert unexpected == []


@pytest.mark.django_db
def test_inactive_people_may_do_nothing_whatever_their_role(people):
    owner = people["users"]["owner"]
    owner.is_active = False
    owner.save()

    assert [access.may(owner, action, people["a"]) for action in ("view", "edit", "manage_roles")] == [False] * 3


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ALLOWED_ON_A))
def test_admin_follows_the_matrix_for_view_edit_publish_and_roles(client, people, name):
    user = people["users"][name]
    drafts = {slug: EventFactory(timeline=people[slug], title=f"Draft on {slug}", published=False) for slug in "ab"}
    client.force_login(user)
    seen = {}

    for slug in "ab":
        event = drafts[slug]
        page = client.get(reverse("admin:timeline_event_change", args=[event.pk]))
        html = page.content.decode() if page.status_code == 200 else ""
        timeline_page = client.get(reverse("admin:timeline_timeline_change", args=[people[slug].pk]))
        # Publishing as the browser does it: the changelist's action on the ticked draft.
        client.post(reverse("admin:timeline_event_changelist"), {"action": "publish", "_selected_action": [event.pk]})
        seen[slug] = {
            "view": page.status_code == 200,
            "edit": 'name="_save"' in html,
            "publish": Event.objects.get(pk=event.pk).published,
            "manage roles": "Roles (people need staff status" in timeline_page.content.decode(),
        }
        Event.objects.filter(pk=event.pk).update(published=False)
    listed = client.get(reverse("admin:timeline_event_changelist"))
    titles = sorted(e.title for e in listed.context["cl"].result_list) if listed.status_code == 200 else []

    expected = {
        slug: {action: action in allowed[name] for action in ("view", "edit", "publish", "manage roles")}
        for slug, allowed in (("a", ALLOWED_ON_A), ("b", ALLOWED_ON_B))
    }
    assert seen == expected
    assert titles == [f"Draft on {slug}" for slug in "ab" if expected[slug]["view"]]


@pytest.mark.django_db
def test_owner_sees_the_timelines_roles_on_its_page_and_nobody_elses(client, people):
    TimelineRole.objects.create(timeline=people["b"], user=UserFactory(username="b-owner"), role=Role.OWNER)
    client.force_login(people["users"]["owner"])

    page = client.get(reverse("admin:timeline_timeline_change", args=[people["a"].pk])).content.decode()

    assert 'name="roles-INITIAL_FORMS" value="4"' in page
    for name in ("owner", "editor", "reviewer", "viewer"):
        user = people["users"][name]
        assert f'<option value="{user.pk}" selected>{name}</option>' in page
    assert "b-owner" not in page


@pytest.mark.django_db
def test_owner_adds_a_reviewer_on_the_timeline_page(client, people):
    owner, newcomer = people["users"]["owner"], UserFactory(username="newcomer", is_staff=True)
    timeline = people["a"]
    client.force_login(owner)
    data = {
        "title": timeline.title,
        "slug": timeline.slug,
        "description": "",
        "visibility": "private",
        "marking": "",
        "bottom_line": "",
        "key_judgements": "",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-user": str(newcomer.pk),
        "roles-0-role": "reviewer",
        "webhooks-TOTAL_FORMS": "0",
        "webhooks-INITIAL_FORMS": "0",
        "webhooks-MIN_NUM_FORMS": "0",
        "webhooks-MAX_NUM_FORMS": "1000",
    }

    response = client.post(reverse("admin:timeline_timeline_change", args=[timeline.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert access.may(newcomer, "publish", timeline) is True
    assert access.may(newcomer, "edit", timeline) is False


@pytest.mark.django_db
def test_editor_cannot_move_an_event_to_a_timeline_they_only_view(client, people):
    editor = people["users"]["editor"]
    event = EventFactory(timeline=people["a"], title="On A", published=False)
    client.force_login(editor)

    page = client.get(reverse("admin:timeline_event_change", args=[event.pk]))

    choices = [str(label) for _value, label in page.context["adminform"].form.fields["timeline"].choices]
    assert choices == ["---------", "Timeline A"]


@pytest.mark.django_db
def test_role_viewers_read_drafts_of_their_timeline_in_the_api_and_nothing_of_others(client, people):
    EventFactory(timeline=people["a"], title="Draft on a", published=False)
    EventFactory(timeline=people["b"], title="Draft on b", published=False)
    client.force_login(people["users"]["viewer"])

    listed = client.get("/api/v1/events/").json()
    private_b = client.get("/api/v1/timelines/b/")

    assert [event["title"] for event in listed["results"]] == ["Draft on a"]
    assert private_b.status_code == 404
    assert "Timeline B" not in private_b.content.decode()
    assert Timeline.objects.count() == 2


@pytest.mark.django_db
def test_role_editor_gets_the_citations_inline_and_the_autocompletes(client, people):
    from tests.factories import TagFactory

    event = EventFactory(timeline=people["a"], title="On A", published=False, tags=[TagFactory(name="Troops")])
    client.force_login(people["users"]["editor"])

    page = client.get(reverse("admin:timeline_event_change", args=[event.pk])).content.decode()
    tags = client.get(
        "/admin/autocomplete/", {"app_label": "timeline", "model_name": "event", "field_name": "tags", "term": "Tro"}
    )

    assert 'name="citations-TOTAL_FORMS"' in page
    assert (tags.status_code, [row["text"] for row in tags.json()["results"]]) == (200, ["Troops"])


@pytest.mark.django_db
def test_role_editor_records_a_claim_in_the_claims_inline(client, people):
    from tests.factories import ActorFactory, CitationFactory
    from tests.timeline.test_admin_claims import claims_form

    dprk = ActorFactory(name="DPRK")
    # Named on the event: actors named only elsewhere stay out of the editor's lookups.
    event = EventFactory(timeline=people["a"], title="On A", date="2024-10", published=False, actors=[dprk])
    citation = CitationFactory(event=event, quote="Pyongyang long denied its involvement")
    client.force_login(people["users"]["editor"])
    url = reverse("admin:timeline_event_change", args=[event.pk])

    page = client.get(url).content.decode()
    claimants = client.get(
        "/admin/autocomplete/", {"app_label": "timeline", "model_name": "claim", "field_name": "claimant", "term": "DP"}
    )
    form = claims_form(event, [(dprk, "denies", "../2025-04", [citation])], actors=[dprk.pk])
    form |= {
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-0-id": str(citation.pk),
        "citations-0-event": str(event.pk),
        "citations-0-source": str(citation.source_id),
        "citations-0-quote": citation.quote,
        "citations-0-locator": citation.locator,
        "citations-0-position": str(citation.position),
    }
    response = client.post(url, form)

    event.refresh_from_db()
    assert 'name="claims-TOTAL_FORMS"' in page
    assert (claimants.status_code, [row["text"] for row in claimants.json()["results"]]) == (200, ["DPRK"])
    assert response.status_code == 302
    assert [(c.claimant.name, c.stance, c.made) for c in event.claims.all()] == [("DPRK", "denies", "../2025-04")]
    assert (event.status, event.version) == ("denied", 2)


@pytest.mark.django_db
def test_history_of_an_event_on_another_timeline_answers_like_a_missing_one(client, people):
    hidden = EventFactory(timeline=people["b"], title="Secret on B", published=False)
    client.force_login(people["users"]["owner"])

    history = client.get(reverse("admin:timeline_event_history", args=[hidden.pk]))
    missing = client.get(reverse("admin:timeline_event_history", args=[999999]))

    assert (history.status_code, missing.status_code) == (404, 404)
    assert "Secret on B" not in history.content.decode()
