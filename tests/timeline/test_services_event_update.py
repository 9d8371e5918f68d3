"""services.event_update: the one way the admin and the API edit an event."""

import pytest

from tests.factories import ActorFactory, EventFactory, UserFactory
from timeline import services
from timeline.models import Event


@pytest.mark.django_db
def test_event_update_that_changes_nothing_keeps_the_version():
    actor = ActorFactory()
    event = EventFactory(title="Shells delivered", actors=[actor])
    version = Event.objects.get(pk=event.pk).version

    changed = services.event_update(
        event=event, values={"title": "Shells delivered"}, relations={"actors": [actor]}, user=UserFactory()
    )

    assert (changed, Event.objects.get(pk=event.pk).version) == (False, version)


@pytest.mark.django_db
def test_event_update_counts_a_change_of_a_relation_only():
    event = EventFactory(title="Shells delivered")
    version = Event.objects.get(pk=event.pk).version
    actor = ActorFactory()

    changed = services.event_update(event=event, values={}, relations={"actors": [actor]})

    stored = Event.objects.get(pk=event.pk)
    assert (changed, stored.version, list(stored.actors.all())) == (True, version + 1, [actor])


@pytest.mark.django_db
def test_event_update_refuses_an_edit_of_an_older_version_and_writes_nothing():
    event = EventFactory(title="Before")
    seen = Event.objects.get(pk=event.pk).version
    Event.objects.get(pk=event.pk).save()

    with pytest.raises(services.StaleEvent) as refused:
        services.event_update(event=event, values={"title": "After"}, seen_version=seen)

    assert (refused.value.seen, refused.value.stored) == (seen, seen + 1)
    assert Event.objects.get(pk=event.pk).title == "Before"
