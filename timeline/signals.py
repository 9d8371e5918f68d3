"""Keep tombstones and timeline change times right whatever deletes an event."""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from timeline.models import Event, EventTombstone, Timeline


@receiver(post_delete, sender=Event, dispatch_uid="timeline_event_tombstone")
def event_deleted(sender: type[Event], instance: Event, **kwargs: Any) -> None:
    now = timezone.now()
    EventTombstone.objects.update_or_create(
        uid=instance.uid, defaults={"timeline_id": instance.timeline_id, "deleted_at": now}
    )
    Timeline(pk=instance.timeline_id).touch(now)


@receiver(post_delete, sender=Timeline, dispatch_uid="timeline_deleted")
def timeline_deleted(sender: type[Timeline], instance: Timeline, **kwargs: Any) -> None:
    EventTombstone.objects.filter(timeline_id=instance.pk).delete()
