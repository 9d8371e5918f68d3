import pytest
from django.urls import reverse

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    UserFactory,
)
from timeline.models import Event


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def _add_event_form(timeline, **overrides):
    data = {
        "timeline": timeline.pk,
        "title": "DPRK engineers announced",
        "summary": "Engineering units for demining.",
        "date": "c. June 2025",
        "reported": "",
        "location": "Kursk region",
        "latitude": "",
        "longitude": "",
        "status": "reported",
        "claimant": "",
        "credibility": "2",
        "published": "on",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_event_changelist_shows_display_date_grade_and_claimant(admin_client):
    event = EventFactory(title="Pyongyang acknowledges casualties", date="2025-04", credibility=2)
    event.claimant = ActorFactory(name="GUR")
    event.save()
    CitationFactory(event=event, source=SourceFactory(reliability="B"))

    response = admin_client.get(reverse("admin:timeline_event_changelist"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Pyongyang acknowledges casualties" in body
    assert "April 2025" in body
    assert ">B2<" in body
    assert ">GUR<" in body


@pytest.mark.django_db
def test_event_changelist_search_finds_native_actor_name(admin_client):
    kim = ActorFactory(name="Kim Jong Un", native_name="김정은")
    EventFactory(title="Meeting in Pyongyang", actors=[kim])
    EventFactory(title="Unrelated event")

    response = admin_client.get(reverse("admin:timeline_event_changelist"), {"q": "김정은"})

    body = response.content.decode()
    assert "Meeting in Pyongyang" in body
    assert "Unrelated event" not in body


def _changelist_queries(admin_client, django_assert_num_queries):
    # 1 session, 2 timeline count (is the timeline column needed?), 3-6 timelines, claimants and
    # sources for the sidebar filters, tags and actors (at most 30 each), 7 user, 8 count
    # (filtered, up to 10,001 rows; no total count: show_full_result_count is off), 9 events page
    # joined with timeline and claimant, 10 citations joined with sources (grade column)
    with django_assert_num_queries(11):
        response = admin_client.get(reverse("admin:timeline_event_changelist"))
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_changelist_query_count_constant(admin_client, django_assert_num_queries, count):
    timeline = TimelineFactory()
    tag = TagFactory()
    actor = ActorFactory()
    for _ in range(count):
        event = EventFactory(timeline=timeline, tags=[tag], actors=[actor], claimant=actor)
        CitationFactory(event=event)

    response = _changelist_queries(admin_client, django_assert_num_queries)

    assert response.content.decode().count('class="action-select"') == count


@pytest.mark.django_db
def test_event_add_page_offers_plain_date_help(admin_client):
    TimelineFactory()

    response = admin_client.get(reverse("admin:timeline_event_add"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "c. June 2025" in body
    assert 'name="citations-TOTAL_FORMS"' in body


@pytest.mark.django_db
def test_event_add_stores_circa_phrase_as_edtf(admin_client):
    timeline = TimelineFactory()

    response = admin_client.post(reverse("admin:timeline_event_add"), _add_event_form(timeline))

    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.date, event.date_display, event.precision, event.created_by.username) == (
        "2025-06~",
        "c. June 2025",
        "month",
        "chief",
    )


@pytest.mark.django_db
def test_event_add_refuses_month_13_with_message(admin_client):
    timeline = TimelineFactory()

    response = admin_client.post(reverse("admin:timeline_event_add"), _add_event_form(timeline, date="2025-13"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "month 13 is out of range; use 01–12 (or 21–41 for a season)." in body
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_event_add_with_citation_inline(admin_client):
    timeline = TimelineFactory()
    source = SourceFactory(title="Japan Times interview")
    data = _add_event_form(
        timeline,
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": str(source.pk),
            "citations-0-quote": "in April the Kim Jong Un regime finally acknowledged casualties",
            "citations-0-locator": "para. 2",
            "citations-0-position": "0",
        },
    )

    admin_client.post(reverse("admin:timeline_event_add"), data)

    citation = Event.objects.get().citations.get()
    assert (citation.source, citation.locator) == (source, "para. 2")


@pytest.mark.django_db
def test_event_change_page_shows_interpretation(admin_client):
    event = EventFactory(date="2025-04")

    response = admin_client.get(reverse("admin:timeline_event_change", args=[event.pk]))

    assert "April 2025 → 1–30 April 2025, month precision" in response.content.decode()


@pytest.mark.django_db
def test_event_history_and_revert(admin_client):
    timeline = TimelineFactory()
    admin_client.post(reverse("admin:timeline_event_add"), _add_event_form(timeline, title="First title"))
    event = Event.objects.get()
    change = _add_event_form(timeline, title="Second title")
    admin_client.post(reverse("admin:timeline_event_change", args=[event.pk]), change)
    first = event.history.earliest()

    history = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    revert_page = admin_client.get(reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id]))
    revert = admin_client.post(
        reverse("admin:timeline_event_simple_history", args=[event.pk, first.history_id]),
        _add_event_form(timeline, title="First title"),
    )

    event.refresh_from_db()
    assert "Second title" in history.content.decode() or "chief" in history.content.decode()
    assert "First title" in revert_page.content.decode()
    assert revert.status_code == 302
    assert (event.title, event.version) == ("First title", 3)


@pytest.mark.django_db
def test_publish_and_unpublish_actions(admin_client):
    events = [EventFactory(published=False) for _ in range(2)]
    url = reverse("admin:timeline_event_changelist")

    admin_client.post(url, {"action": "publish", "_selected_action": [e.pk for e in events]})

    assert list(Event.objects.order_by("pk").values_list("published", "version")) == [(True, 2), (True, 2)]

    admin_client.post(url, {"action": "unpublish", "_selected_action": [events[0].pk]})

    assert Event.objects.get(pk=events[0].pk).published is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "factory", "text"),
    [
        ("timeline", lambda: TimelineFactory(title="Russia–DPRK military cooperation"), "Russia–DPRK"),
        ("source", lambda: SourceFactory(title="Japan Times interview"), "Japan Times interview"),
        ("actor", lambda: ActorFactory(name="Kyrylo Budanov", native_name="Кирило Буданов"), "Кирило Буданов"),
        ("tag", lambda: TagFactory(name="Munitions"), "Munitions"),
    ],
)
def test_other_models_changelist_add_change_history(admin_client, model, factory, text):
    obj = factory()

    changelist = admin_client.get(reverse(f"admin:timeline_{model}_changelist"))
    add = admin_client.get(reverse(f"admin:timeline_{model}_add"))
    change = admin_client.get(reverse(f"admin:timeline_{model}_change", args=[obj.pk]))
    history = admin_client.get(reverse(f"admin:timeline_{model}_history", args=[obj.pk]))

    assert text in changelist.content.decode()
    assert add.status_code == 200
    assert text in change.content.decode()
    assert history.status_code == 200


@pytest.mark.django_db
def test_source_admin_refuses_javascript_url(admin_client):
    response = admin_client.post(
        reverse("admin:timeline_source_add"),
        {"title": "Bad", "url": "javascript:alert(1)", "reliability": "B", "published": "", "language": "en"},
    )

    assert "Enter a valid URL." in response.content.decode()


@pytest.mark.django_db
def test_source_admin_refuses_bad_published_date(admin_client):
    response = admin_client.post(
        reverse("admin:timeline_source_add"),
        {"title": "Bad", "url": "", "reliability": "B", "published": "2025-13", "language": "en"},
    )

    assert "month 13 is out of range" in response.content.decode()


@pytest.mark.django_db
def test_event_change_refuses_to_overwrite_a_newer_save(admin_client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline, title="Original")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    seen = event.version
    event.summary = "Changed through the API meanwhile"
    event.save()

    response = admin_client.post(url, _add_event_form(timeline, title="Stale edit", seen_version=str(seen)))

    event.refresh_from_db()
    assert response.status_code == 200
    assert "Someone else saved this event (now version 2) after you opened it (version 1)." in (
        response.content.decode()
    )
    assert (event.title, event.summary) == ("Original", "Changed through the API meanwhile")


@pytest.mark.django_db
def test_event_change_with_current_version_saves(admin_client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline, title="Original")
    url = reverse("admin:timeline_event_change", args=[event.pk])

    response = admin_client.post(url, _add_event_form(timeline, title="Fresh edit", seen_version=str(event.version)))

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == "Fresh edit"


@pytest.mark.django_db
@pytest.mark.parametrize(("timelines", "shown"), [(1, False), (2, True)])
def test_event_changelist_shows_timeline_column_only_for_several(admin_client, timelines, shown):
    for _ in range(timelines):
        EventFactory()

    response = admin_client.get(reverse("admin:timeline_event_changelist"))

    assert ("column-timeline" in response.content.decode()) is shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "make", "field", "form"),
    [
        (
            "source",
            lambda: SourceFactory(title="Old title"),
            "title",
            lambda obj, title: {
                "title": title,
                "publisher": obj.publisher,
                "url": obj.url,
                "published": obj.published,
                "language": obj.language,
                "reliability": obj.reliability,
                "notes": "",
            },
        ),
        (
            "actor",
            lambda: ActorFactory(name="Old title"),
            "name",
            lambda obj, title: {"name": title, "native_name": "", "kind": obj.kind, "description": ""},
        ),
        (
            "timeline",
            lambda: TimelineFactory(title="Old title"),
            "title",
            lambda obj, title: {
                "title": title,
                "slug": obj.slug,
                "description": obj.description,
                "visibility": obj.visibility,
                "marking": obj.marking,
            },
        ),
    ],
)
def test_other_models_revert_restores_old_version(admin_client, model, make, field, form):
    obj = make()
    change_url = reverse(f"admin:timeline_{model}_change", args=[obj.pk])
    admin_client.post(change_url, form(obj, "Old title"))
    admin_client.post(change_url, form(obj, "New title"))
    old = obj.history.filter(**{field: "Old title"}).order_by("history_id").last()
    revert_url = reverse(f"admin:timeline_{model}_simple_history", args=[obj.pk, old.history_id])

    page = admin_client.get(revert_url)
    response = admin_client.post(revert_url, form(obj, page.context["adminform"].form.initial[field]))

    obj.refresh_from_db()
    assert "Old title" in page.content.decode()
    assert response.status_code == 302
    assert getattr(obj, field) == "Old title"


@pytest.mark.django_db
def test_event_save_without_changes_keeps_version(admin_client):
    timeline = TimelineFactory()
    event = EventFactory(
        timeline=timeline,
        title="Same",
        summary="Engineering units for demining.",
        date="2025-06~",
        location="Kursk region",
        credibility=2,
    )
    form = _add_event_form(timeline, title="Same", date="2025-06~", seen_version=str(event.version))

    response = admin_client.post(reverse("admin:timeline_event_change", args=[event.pk]), form)

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).version == 1


@pytest.mark.django_db
def test_event_save_of_citations_only_bumps_version(admin_client):
    timeline = TimelineFactory()
    event = EventFactory(timeline=timeline, title="Same", summary="Engineering units for demining.", date="2025-06~")
    source = SourceFactory()
    form = _add_event_form(
        timeline,
        title="Same",
        seen_version=str(event.version),
        credibility=str(event.credibility),
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": str(source.pk),
            "citations-0-quote": "new quote",
            "citations-0-locator": "",
            "citations-0-position": "0",
        },
    )

    admin_client.post(reverse("admin:timeline_event_change", args=[event.pk]), form)

    assert (Event.objects.get(pk=event.pk).version, event.citations.count()) == (2, 1)


@pytest.mark.django_db
def test_tombstone_changelist_lists_tombstones_of_a_deleted_timeline(admin_client):
    kept = EventFactory(timeline=TimelineFactory(title="Kept timeline"))
    gone = EventFactory(timeline=TimelineFactory(title="Gone timeline"))
    kept_uid, gone_uid, gone_timeline = kept.uid, gone.uid, gone.timeline_id
    kept.delete()
    gone.timeline.delete()

    response = admin_client.get(reverse("admin:timeline_eventtombstone_changelist"))

    page = response.content.decode()
    assert (response.status_code, str(kept_uid) in page, str(gone_uid) in page) == (200, True, True)
    assert ("Kept timeline" in page, f"(deleted timeline {gone_timeline})" in page) == (True, True)


@pytest.mark.django_db
def test_date_preview_reads_a_phrase(admin_client, django_assert_num_queries):
    url = reverse("admin:timeline_event_date_preview")

    # Queries: the session, then the user; the preview reads nothing else.
    with django_assert_num_queries(2):
        response = admin_client.get(url, {"text": "наприкінці 2024 року"})

    assert response.json() == {
        "ok": True,
        "edtf": "2024-39",
        "reading": "Last third of 2024 → 1 September – 31 December 2024, season precision",
    }


@pytest.mark.django_db
def test_date_preview_explains_a_refusal(admin_client):
    response = admin_client.get(reverse("admin:timeline_event_date_preview"), {"text": "05/06/2025"})

    assert response.json() == {
        "ok": False,
        "error": "“05/06/2025” is ambiguous (day and month order differ between countries). "
        "Write it as 2025-06-05 or 2025-05-06 (year-month-day), or with the month's name.",
    }


@pytest.mark.django_db
def test_date_preview_refuses_staff_without_event_permissions(client):
    client.force_login(UserFactory(username="viewer", is_staff=True))

    response = client.get(reverse("admin:timeline_event_date_preview"), {"text": "2025"})

    assert response.status_code == 403


@pytest.mark.django_db
def test_date_preview_sends_anonymous_users_to_login(client):
    response = client.get(reverse("admin:timeline_event_date_preview"), {"text": "2025"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_event_add_form_wires_the_date_preview_and_works_without_it(admin_client):
    timeline = TimelineFactory()

    page = admin_client.get(reverse("admin:timeline_event_add")).content.decode()
    response = admin_client.post(reverse("admin:timeline_event_add"), _add_event_form(timeline, date="mid-2024"))

    assert f'data-date-preview-url="{reverse("admin:timeline_event_date_preview")}"' in page
    assert "timeline/date_preview.js" in page
    assert response.status_code == 302
    assert Event.objects.get().date == "2024-38"


def test_timeline_change_page_edits_the_analyst_framing_and_history_keeps_it(admin_client):
    timeline = TimelineFactory(bottom_line="First view.")
    timeline.bottom_line = "Second view, **firmer**."
    timeline.key_judgements = "We assess with low confidence that more troops follow."
    timeline.save()

    page = admin_client.get(reverse("admin:timeline_timeline_change", args=[timeline.pk])).content.decode()

    assert "Analyst framing (printed first in briefs)" in page
    assert "Second view, **firmer**." in page
    assert [version.bottom_line for version in timeline.history.order_by("history_id")] == [
        "First view.",
        "Second view, **firmer**.",
    ]
