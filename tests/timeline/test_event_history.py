"""Event history through the admin and the API: one row per save, readable diffs, reverts that restore everything."""

import icalendar
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ActorFactory, SourceFactory, TagFactory, TimelineFactory, UserFactory
from tests.timeline.test_admin import _add_event_form
from timeline.models import Event, Timeline
from timeline.services import DEMO_TIMELINE_SLUG, demo_timeline_load


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(username="chief", first_name="Olena", last_name="Chief", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def _form(timeline, *, citations=(), **overrides):
    """The event form as test_admin's, with ``citations`` ((source, quote) pairs) as new inline rows."""
    data = _add_event_form(timeline, **{"citations-TOTAL_FORMS": str(len(citations))})
    for index, (source, quote) in enumerate(citations):
        data |= {
            f"citations-{index}-source": str(source.pk),
            f"citations-{index}-quote": quote,
            f"citations-{index}-locator": f"¶{index + 1}",
            f"citations-{index}-position": str(index),
        }
    data.update(overrides)
    return data


def _edited_event(admin_client):
    """An event saved twice through the admin: version 1 (Kursk, Troops, one citation), then
    version 2 with another title, location, tags, actor and citation (the old citation deleted)."""
    timeline = TimelineFactory(slug="cooperation")
    troops, munitions = TagFactory(name="Troops"), TagFactory(name="Munitions")
    gur, kpa = ActorFactory(name="GUR"), ActorFactory(name="Korean People's Army")
    interview = SourceFactory(title="Budanov interview", publisher="")
    report = SourceFactory(title="Reuters report", publisher="")
    admin_client.post(
        reverse("admin:timeline_event_add"),
        _form(
            timeline,
            title="First title",
            tags=[troops.pk],
            actors=[gur.pk],
            citations=[(interview, "about 11,000 soldiers")],
        ),
    )
    event = Event.objects.get()
    citation = event.citations.get()
    second = _form(
        timeline,
        title="Second title",
        location="Pyongyang",
        tags=[munitions.pk],
        actors=[kpa.pk],
        seen_version=str(event.version),
        citations=[(report, "shells shipped")],
    )
    second |= {
        "citations-TOTAL_FORMS": "2",
        "citations-INITIAL_FORMS": "1",
        "citations-0-id": str(citation.pk),
        "citations-0-event": str(event.pk),
        "citations-0-source": str(interview.pk),
        "citations-0-quote": "about 11,000 soldiers",
        "citations-0-locator": "¶1",
        "citations-0-position": "0",
        "citations-0-DELETE": "on",
        "citations-1-source": str(report.pk),
        "citations-1-quote": "shells shipped",
        "citations-1-locator": "¶2",
        "citations-1-position": "1",
    }
    response = admin_client.post(reverse("admin:timeline_event_change", args=[event.pk]), second)
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    return event


@pytest.mark.django_db
def test_admin_save_with_tags_and_citations_writes_one_history_row_per_save(admin_client):
    event = _edited_event(admin_client)

    rows = list(event.history.order_by("history_id"))

    assert [(row.history_type, row.version, row.title) for row in rows] == [
        ("+", 1, "First title"),
        ("~", 2, "Second title"),
    ]
    assert [[c["quote"] for c in row.citations_snapshot] for row in rows] == [
        ["about 11,000 soldiers"],
        ["shells shipped"],
    ]
    assert [sorted(t.tag.name for t in row.tags.all()) for row in rows] == [["Troops"], ["Munitions"]]
    assert [row.history_user.username for row in rows] == ["chief", "chief"]


@pytest.mark.django_db
def test_history_page_names_who_changed_what_and_never_prints_none(admin_client):
    event = _edited_event(admin_client)

    page = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk])).content.decode()

    assert "None" not in page
    assert "Olena Chief (chief)" in page
    assert "<strong>Title:</strong> First title&nbsp;&rarr;&nbsp;Second title" in page
    assert "<strong>Location:</strong> Kursk region&nbsp;&rarr;&nbsp;Pyongyang" in page
    assert "<strong>Tags:</strong> Troops&nbsp;&rarr;&nbsp;Munitions" in page
    assert "<strong>Citations:</strong> Budanov interview, ¶1: “about 11,000 soldiers”&nbsp;&rarr;&nbsp;" in page
    assert "Reuters report, ¶2: “shells shipped”" in page
    # Bookkeeping that moves on every save is not listed as a change.
    assert "<strong>Version:</strong>" not in page


@pytest.mark.django_db
def test_revert_page_shows_what_would_change_and_changes_nothing(admin_client):
    event = _edited_event(admin_client)
    first = event.history.get(version=1)

    page = admin_client.get(reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id]))

    html = page.content.decode()
    event.refresh_from_db()
    assert page.status_code == 200
    assert '<td class="revert-now">Second title</td><td class="revert-then">First title</td>' in html
    assert '<td class="revert-now">Munitions</td><td class="revert-then">Troops</td>' in html
    assert "Budanov interview, ¶1: “about 11,000 soldiers”" in html
    assert 'value="Revert to version 1"' in html
    assert (event.title, event.version, event.history.count()) == ("Second title", 2, 2)


@pytest.mark.django_db
def test_revert_restores_fields_actors_tags_and_citations_as_a_new_version(admin_client):
    event = _edited_event(admin_client)
    first = event.history.get(version=1)
    changed_before = Timeline.objects.get().content_changed_at
    updated_before = event.updated_at

    response = admin_client.post(reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id]))

    event.refresh_from_db()
    latest = event.history.latest()
    assert response.status_code == 302
    assert (event.title, event.location, event.version) == ("First title", "Kursk region", 3)
    assert [t.name for t in event.tags.all()] == ["Troops"]
    assert [a.name for a in event.actors.all()] == ["GUR"]
    assert [(c.source.title, c.quote, c.locator) for c in event.citations.all()] == [
        ("Budanov interview", "about 11,000 soldiers", "¶1")
    ]
    assert event.updated_at > updated_before
    assert Timeline.objects.get().content_changed_at > changed_before
    assert (event.history.count(), latest.version, latest.history_user.username) == (3, 3, "chief")
    assert latest.history_change_reason.startswith("Reverted to version 1 of ")


@pytest.mark.django_db
def test_revert_changes_the_calendar_feed_and_the_api(admin_client, client):
    event = _edited_event(admin_client)
    first = event.history.get(version=1)
    feed_url = reverse("timeline:timeline-feed", kwargs={"slug": "cooperation"})
    before = icalendar.Calendar.from_ical(admin_client.get(feed_url).content)

    admin_client.post(reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id]))

    after = icalendar.Calendar.from_ical(admin_client.get(feed_url).content)
    api = admin_client.get(f"/api/v1/events/{event.uid}/").json()
    [old_vevent] = before.walk("VEVENT")
    [new_vevent] = after.walk("VEVENT")
    assert (str(old_vevent["SUMMARY"]).endswith("Second title"), int(old_vevent["SEQUENCE"])) == (True, 2)
    assert (str(new_vevent["SUMMARY"]).endswith("First title"), int(new_vevent["SEQUENCE"])) == (True, 3)
    assert (api["title"], api["version"], [c["quote"] for c in api["citations"]]) == (
        "First title",
        3,
        ["about 11,000 soldiers"],
    )


@pytest.mark.django_db
def test_revert_leaves_out_what_was_deleted_since_and_says_so(admin_client):
    event = _edited_event(admin_client)
    first = event.history.get(version=1)
    Event.tags.through.objects.all().delete()
    TagFactory._meta.model.objects.filter(name="Troops").delete()
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id])

    page = admin_client.get(url).content.decode()
    admin_client.post(url)

    event.refresh_from_db()
    assert "Left out (deleted since)" in page
    assert (event.title, list(event.tags.all())) == ("First title", [])


@pytest.mark.django_db
def test_revert_of_another_events_version_or_a_missing_event_is_404(admin_client):
    event = _edited_event(admin_client)
    other = Event.objects.create(timeline=event.timeline, title="Other", date="2025")
    first = event.history.get(version=1)

    wrong_event = admin_client.post(reverse("admin:timeline_event_simple_history", args=[other.pk, first.history_id]))
    missing = admin_client.get(reverse("admin:timeline_event_simple_history", args=[999999, first.history_id]))

    event.refresh_from_db()
    assert (wrong_event.status_code, missing.status_code, event.version) == (404, 404, 2)


@pytest.mark.django_db
def test_revert_by_a_viewer_shows_the_changes_without_a_button_and_refuses_the_post(admin_client, client):
    event = _edited_event(admin_client)
    first = event.history.get(version=1)
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(viewer)
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id])

    page = client.get(url).content.decode()
    response = client.post(url)

    event.refresh_from_db()
    assert "You may view this version but not revert the event." in page
    assert 'value="Revert to version 1"' not in page
    assert (response.status_code, event.version) == (403, 2)


@pytest.mark.django_db
def test_api_write_with_tags_and_citations_writes_one_history_row(admin_client):
    event = _edited_event(admin_client)
    tag = TagFactory(name="Artillery")
    source = SourceFactory(title="Yonhap", publisher="")

    response = admin_client.patch(
        f"/api/v1/events/{event.uid}/",
        {"title": "Third title", "tags": [tag.slug], "citations": [{"source": source.pk, "quote": "via rail"}]},
        content_type="application/json",
    )

    latest = event.history.latest()
    assert response.status_code == 200, response.content
    assert (event.history.count(), latest.version, latest.title) == (3, 3, "Third title")
    assert ([t.tag.name for t in latest.tags.all()], [c["quote"] for c in latest.citations_snapshot]) == (
        ["Artillery"],
        ["via rail"],
    )


@pytest.mark.django_db
def test_demo_history_first_version_has_its_tags_and_no_none(admin_client):
    demo_timeline_load()
    event = Event.objects.filter(timeline__slug=DEMO_TIMELINE_SLUG, tags__isnull=False).distinct().first()

    first = event.history.earliest()
    page = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk])).content.decode()

    assert sorted(row.tag_id for row in first.tags.all()) == sorted(event.tags.values_list("pk", flat=True))
    assert first.citations_snapshot == [
        {
            "source": c.source_id,
            "source_title": str(c.source),
            "quote": c.quote,
            "locator": c.locator,
            "position": c.position,
        }
        for c in event.citations.select_related("source")
    ]
    assert "None" not in page
    assert "not recorded (import or script)" in page
