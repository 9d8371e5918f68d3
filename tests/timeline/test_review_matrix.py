"""Roles × actions (view, edit, submit, approve own, approve other's, publish, manage roles) on two
timelines that require review, through the admin and through the API, as each person would do them:
0 unexpected allows or denials against the table in tests/timeline/test_roles.py.

Each action is tried on fresh rows, and counted as allowed only when it took effect (the event
changed, a revision was stored, a page offered the control); refusals may be a 403 or, where the
person may not see the timeline, the same 404 as for a missing event. Roles are managed on the
timeline's admin page only (the API has no roles endpoint), so "manage roles" is an admin check.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import EventFactory, UserFactory
from tests.timeline import test_roles
from tests.timeline.test_roles import ACTIONS, ALLOWED_ON_A, ALLOWED_ON_B
from timeline.models import Event, Revision, Timeline

# The two timelines and their people, as the role matrix of test_roles.py has them.
people = test_roles.people
API_ACTIONS = tuple(action for action in ACTIONS if action != "manage roles")


@pytest.fixture
def reviewed(people):
    Timeline.objects.filter(pk__in=[people["a"].pk, people["b"].pk]).update(review_required=True)
    for slug in "ab":
        people[slug].refresh_from_db()
    return people


def pending_revision(timeline, author):
    event = EventFactory(timeline=timeline, title="Before review", published=True)
    return Revision.objects.create(event=event, author=author, proposed={"title": "Approved"}, base_version=1)


def api_tries(client, timeline, user, other):
    """What ``client`` (signed in as ``user``) managed to do on ``timeline`` through the API."""
    draft = EventFactory(timeline=timeline, title="Draft", published=False)
    published = EventFactory(timeline=timeline, title="Published", published=True)
    path = "/api/v1/events/{}/".format
    done = {"view": client.get(path(draft.uid)).status_code == 200}

    edited = client.patch(path(draft.uid), {"title": "Edited"}, format="json")
    done["edit"] = edited.status_code == 200 and Event.objects.get(pk=draft.pk).title == "Edited"
    submitted = client.post(path(published.uid) + "submit/", {"title": "Proposed"}, format="json")
    done["submit"] = submitted.status_code == 202 and Revision.objects.filter(event=published).exists()
    for action, author in (("approve own", user), ("approve other's", other)):
        revision = pending_revision(timeline, author)
        answer = client.post(path(revision.event.uid) + "approve/")
        done[action] = answer.status_code == 200 and Event.objects.get(pk=revision.event_id).title == "Approved"
    to_publish = EventFactory(timeline=timeline, title="To publish", published=False)
    client.patch(path(to_publish.uid), {"published": True}, format="json")
    done["publish"] = Event.objects.get(pk=to_publish.pk).published
    return done


def admin_tries(client, timeline, user, other):
    """What ``client`` (signed in as ``user``) managed to do on ``timeline`` in the admin."""
    draft = EventFactory(timeline=timeline, title="Draft", published=False)
    page = client.get(reverse("admin:timeline_event_change", args=[draft.pk]))
    html = page.content.decode() if page.status_code == 200 else ""
    done = {"view": page.status_code == 200, "edit": 'name="_save"' in html}

    published = EventFactory(timeline=timeline, title="Published", published=True)
    form = client.get(reverse("admin:timeline_event_change", args=[published.pk]))
    done["submit"] = False
    if form.status_code == 200 and 'name="_submit_review"' in form.content.decode():
        data = {
            "timeline": timeline.pk,
            "title": "Proposed",
            "date": published.date,
            "status": published.status,
            "credibility": published.credibility,
            "published": "on",
            "seen_version": published.version,
            "_submit_review": "Submit for review",
            **{f"{p}-{k}": v for p in ("citations", "claims") for k, v in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))},
        }
        client.post(reverse("admin:timeline_event_change", args=[published.pk]), data)
        done["submit"] = Revision.objects.filter(event=published, author=user).exists()
    for action, author in (("approve own", user), ("approve other's", other)):
        revision = pending_revision(timeline, author)
        client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
        done[action] = Event.objects.get(pk=revision.event_id).title == "Approved"
    to_publish = EventFactory(timeline=timeline, title="To publish", published=False)
    client.post(reverse("admin:timeline_event_changelist"), {"action": "publish", "_selected_action": [to_publish.pk]})
    done["publish"] = Event.objects.get(pk=to_publish.pk).published
    timeline_page = client.get(reverse("admin:timeline_timeline_change", args=[timeline.pk]))
    done["manage roles"] = "Roles (people need staff status" in timeline_page.content.decode()
    return done


def unexpected(name, tries, actions):
    return [
        (name, slug, action, "allowed" if done[action] else "denied")
        for slug, (expected, done) in tries.items()
        for action in actions
        if done[action] != (action in expected[name])
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ALLOWED_ON_A))
def test_review_matrix_through_the_api_has_no_unexpected_allow_or_denial(reviewed, name):
    user, other = reviewed["users"][name], UserFactory(username="other-author")
    client = APIClient()
    client.force_authenticate(user)

    tries = {
        slug: (table, api_tries(client, reviewed[slug], user, other))
        for slug, table in (("a", ALLOWED_ON_A), ("b", ALLOWED_ON_B))
    }

    assert unexpected(name, tries, API_ACTIONS) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ALLOWED_ON_A))
def test_review_matrix_through_the_admin_has_no_unexpected_allow_or_denial(client, reviewed, name):
    user, other = reviewed["users"][name], UserFactory(username="other-author")
    client.force_login(user)

    tries = {
        slug: (table, admin_tries(client, reviewed[slug], user, other))
        for slug, table in (("a", ALLOWED_ON_A), ("b", ALLOWED_ON_B))
    }

    assert unexpected(name, tries, ACTIONS) == []
