import pytest
from django.urls import reverse

from tests.factories import ActorFactory, EventFactory
from timeline.filters import EventFilter
from timeline.models import Event
from timeline.sqlite import unicode_like


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%кирило%", "Кирило Буданов", True),
        ("%КИРИЛО%", "Кирило Буданов", True),
        ("%київ%", "КИЇВ", True),
        ("%50\\%%", "about 50% of shells", True),
        ("%50\\%%", "about 50 shells", False),
        ("a_c", "abc", True),
        ("a_c", "abbc", False),
    ],
)
def test_unicode_like_folds_case_beyond_ascii(pattern, value, expected):
    assert unicode_like(pattern, value, "\\") is expected


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["кирило", "КИРИЛО", "Кирило", "буданов"])
def test_event_search_finds_cyrillic_names_in_any_case(query):
    budanov = ActorFactory(name="Kyrylo Budanov", native_name="Кирило Буданов")
    found = EventFactory(title="Interview", actors=[budanov])
    EventFactory(title="Unrelated")

    result = list(EventFilter({"q": query}, queryset=Event.objects.all()).qs)

    assert result == [found]


@pytest.mark.django_db
def test_event_search_matches_every_word_in_any_field():
    budanov = ActorFactory(name="Kyrylo Budanov")
    found = EventFactory(title="Warning of impulsive actions", actors=[budanov])
    EventFactory(title="Warning about something else")

    result = list(EventFilter({"q": "Budanov warning"}, queryset=Event.objects.all()).qs)

    assert result == [found]


@pytest.mark.django_db
def test_admin_search_is_case_insensitive_for_cyrillic(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    EventFactory(title="Удар по Києву")

    response = client.get(reverse("admin:timeline_event_changelist"), {"q": "києву"})

    assert "Удар по Києву" in response.content.decode()
