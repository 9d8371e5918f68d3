"""The event list's filters (date range, claimant, source) and actor aliases in admin search and import matching."""

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory, TimelineFactory, UserFactory
from timeline.models import Actor


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


def _listed(response):
    return sorted(event.title for event in response.context["cl"].result_list)


@pytest.fixture
def spread(db):
    timeline = TimelineFactory()
    return {
        title: EventFactory(timeline=timeline, title=title, date=date)
        for title, date in [
            ("March", "2025-03-15"),
            ("April", "April 2025"),
            ("Since October", "since October 2024"),
            ("Until January", "until 10 January 2024"),
            ("June", "c. June 2025"),
        ]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"date_from": "April 2025", "date_to": "April 2025"}, ["April", "Since October"]),
        ({"date_from": "1 June 2025"}, ["June", "Since October"]),
        ({"date_to": "2024"}, ["Since October", "Until January"]),
        ({"date_from": "March 2025", "date_to": "2025-04-30"}, ["April", "March", "Since October"]),
    ],
)
def test_event_list_date_range_keeps_events_overlapping_it(admin_client, spread, query, expected):
    response = admin_client.get(reverse("admin:timeline_event_changelist"), query)

    assert response.status_code == 200
    assert _listed(response) == expected


@pytest.mark.django_db
def test_event_list_date_range_explains_text_that_is_not_a_date(admin_client, spread):
    response = admin_client.get(reverse("admin:timeline_event_changelist"), {"date_from": "2025-13"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Date range not applied. From “2025-13”:" in page
    assert len(_listed(response)) == 5
    assert 'name="date_from" value="2025-13"' in page


@pytest.mark.django_db
def test_event_list_date_range_form_keeps_the_other_filters(admin_client, spread):
    response = admin_client.get(
        reverse("admin:timeline_event_changelist"), {"status__exact": "claimed", "q": "Kursk", "date_to": "2025"}
    )

    page = response.content.decode()
    assert '<input type="hidden" name="status__exact" value="claimed">' in page
    assert '<input type="hidden" name="q" value="Kursk">' in page


@pytest.mark.django_db
def test_event_list_filters_by_claimant_and_source(admin_client):
    gur, ministry = ActorFactory(name="GUR"), ActorFactory(name="Russian defence ministry")
    interview, tass = SourceFactory(title="Budanov interview"), SourceFactory(title="TASS report")
    by_gur = EventFactory(title="By GUR", claimant=gur)
    by_ministry = EventFactory(title="By the ministry", timeline=by_gur.timeline, claimant=ministry)
    CitationFactory(event=by_gur, source=interview)
    CitationFactory(event=by_ministry, source=tass)
    url = reverse("admin:timeline_event_changelist")

    by_claimant = admin_client.get(url, {"claimant__id__exact": gur.pk})
    by_source = admin_client.get(url, {"citations__source__id__exact": tass.pk})

    page = by_claimant.content.decode()
    assert (_listed(by_claimant), _listed(by_source)) == (["By GUR"], ["By the ministry"])
    assert "By claimant" in page and "By source" in page
    assert "Budanov interview" in page and "TASS report" in page


@pytest.mark.django_db
def test_event_search_finds_an_actor_by_alias(admin_client):
    kim = ActorFactory(name="Kim Jong Un", native_name="김정은", aliases="Kim Jong-un\nKim Jong-eun")
    EventFactory(title="Kim visits Moscow", actors=[kim])
    EventFactory(title="Something else")

    by_event = admin_client.get(reverse("admin:timeline_event_changelist"), {"q": "Kim Jong-un"})
    by_actor = admin_client.get(reverse("admin:timeline_actor_changelist"), {"q": "Jong-eun"})

    assert _listed(by_event) == ["Kim visits Moscow"]
    assert [actor.name for actor in by_actor.context["cl"].result_list] == ["Kim Jong Un"]


@pytest.mark.django_db
def test_actor_matching_compares_names_native_names_and_aliases_loosely():
    kim = ActorFactory(name="Kim Jong Un", native_name="김정은", aliases="Kim Jong-eun\n  \nКим Чен Ын")
    ActorFactory(name="Kim Yo Jong")

    found = {
        text: [a.name for a in Actor.objects.matching(text)]
        for text in ["kim jong-un", "KIM JONG-EUN", "김정은", "ким чен ын", "Kim", ""]
    }

    assert kim.alias_list == ["Kim Jong-eun", "Ким Чен Ын"]
    assert found == {
        "kim jong-un": ["Kim Jong Un"],
        "KIM JONG-EUN": ["Kim Jong Un"],
        "김정은": ["Kim Jong Un"],
        "ким чен ын": ["Kim Jong Un"],
        "Kim": [],
        "": [],
    }


@pytest.mark.django_db
def test_demo_actor_kim_is_found_as_kim_jong_un_with_a_hyphen(admin_client):
    from timeline.services import demo_timeline_load

    demo_timeline_load()

    response = admin_client.get(reverse("admin:timeline_actor_changelist"), {"q": "Kim Jong-un"})

    assert [actor.name for actor in response.context["cl"].result_list] == ["Kim Jong Un"]
