"""Keep tombstones, timeline change times and event versions right whatever changes an event,
and queue the pre-rendering of changed calendar blocks (``timeline.feed_blocks``)."""

from typing import Any

from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from timeline.feed_blocks import prerender_on_commit
from timeline.feed_validators import expire_feed_validators
from timeline.history import citations_snapshot, claims_snapshot
from timeline.models import Actor, Citation, Claim, Event, EventTombstone, Source, Tag, Timeline, Webhook
from timeline.search import refresh_search_text
from timeline.webhooks import hooked_timelines_forget, webhooks_note_events


@receiver(post_delete, sender=Event, dispatch_uid="timeline_event_tombstone")
def event_deleted(sender: type[Event], instance: Event, **kwargs: Any) -> None:
    now = timezone.now()
    EventTombstone.objects.update_or_create(
        uid=instance.uid, defaults={"timeline_id": instance.timeline_id, "deleted_at": now}
    )
    Timeline(pk=instance.timeline_id).touch(now)


def _touch_timelines_of(events: Q) -> None:
    """Move ``content_changed_at`` forward on the timelines of the events matching ``events``:
    what those events show (in feeds, briefs) changed although the event rows did not."""
    Timeline.objects.filter(pk__in=Event.objects.filter(events).values("timeline_id")).touch()


def _events_show_a_changed_row(events: Q) -> None:
    """What the events matching ``events`` show (a cited source, the claimant, an actor, a tag)
    changed: move their version and change time, as an edit of the event would, so calendar
    blocks' SEQUENCE, DTSTAMP and LAST-MODIFIED, API ETags and sync follow; then their
    timelines' content time, and queue their blocks for pre-rendering."""
    from timeline.sync import change_time

    rows = list(
        Event.objects.filter(events)
        .order_by()
        .values_list("pk", "uid", "timeline_id", "published", "version")
        .distinct()
    )
    if not rows:
        return
    webhooks_note_events((pk, uid, on, published, version, on) for pk, uid, on, published, version in rows)
    ids = [row[0] for row in rows]
    now = change_time()
    Event.objects.filter(pk__in=ids).update(version=F("version") + 1, updated_at=now)
    Timeline.objects.filter(pk__in=Event.objects.filter(pk__in=ids).values("timeline_id")).touch(now)
    prerender_on_commit(ids)


@receiver(post_save, sender=Source, dispatch_uid="timeline_source_saved")
def source_saved(sender: type[Source], instance: Source, created: bool, **kwargs: Any) -> None:
    if not created:
        _events_show_a_changed_row(Q(citations__source=instance))


@receiver(post_save, sender=Actor, dispatch_uid="timeline_actor_saved")
def actor_saved(sender: type[Actor], instance: Actor, created: bool, **kwargs: Any) -> None:
    if not created:
        _events_show_a_changed_row(Q(claimant=instance) | Q(actors=instance) | Q(claims__claimant=instance))


@receiver(post_save, sender=Tag, dispatch_uid="timeline_tag_saved")
def tag_saved(sender: type[Tag], instance: Tag, created: bool, **kwargs: Any) -> None:
    if not created:
        _events_show_a_changed_row(Q(tags=instance))


@receiver(post_save, sender=Event, dispatch_uid="timeline_event_saved_prerenders_block")
def event_saved(sender: type[Event], instance: Event, **kwargs: Any) -> None:
    prerender_on_commit([instance.pk])


@receiver(post_save, sender=Citation, dispatch_uid="timeline_citation_saved")
@receiver(post_delete, sender=Citation, dispatch_uid="timeline_citation_deleted")
def citation_changed(sender: type[Citation], instance: Citation, **kwargs: Any) -> None:
    # By id: when the event itself is being deleted, its own handler touches the timeline.
    _touch_timelines_of(Q(pk=instance.event_id))
    prerender_on_commit([instance.event_id])


@receiver(post_save, sender=Claim, dispatch_uid="timeline_claim_saved")
@receiver(post_delete, sender=Claim, dispatch_uid="timeline_claim_deleted")
def claim_changed(sender: type[Claim], instance: Claim, **kwargs: Any) -> None:
    # Feeds and briefs print the claims; the writer counts the event's new version.
    _touch_timelines_of(Q(pk=instance.event_id))


@receiver(m2m_changed, sender=Event.tags.through, dispatch_uid="timeline_event_tags_changed")
@receiver(m2m_changed, sender=Event.actors.through, dispatch_uid="timeline_event_actors_changed")
def event_links_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            Timeline(pk=instance.timeline_id).touch()
            prerender_on_commit([instance.pk])
    elif action in ("post_add", "post_remove"):
        # Changed from the tag's or actor's side: pk_set holds the events.
        _events_show_a_changed_row(Q(pk__in=pk_set))
    elif action == "pre_clear":
        _events_show_a_changed_row(Q(tags=instance) if isinstance(instance, Tag) else Q(actors=instance))


@receiver(post_save, sender=Timeline, dispatch_uid="timeline_saved_expires_feed_validators")
@receiver(post_delete, sender=Timeline, dispatch_uid="timeline_deleted_expires_feed_validators")
def timeline_changed(sender: type[Timeline], instance: Timeline, **kwargs: Any) -> None:
    # Title, description, visibility and updated_at shape every feed of the timeline.
    expire_feed_validators()


# --- The search document (timeline/search.py) follows what it holds -------------------


@receiver(post_save, sender=Event, dispatch_uid="timeline_event_search_saved")
def event_saved_search(sender: type[Event], instance: Event, raw: bool = False, **kwargs: Any) -> None:
    refresh_search_text([instance.pk])


@receiver(post_save, sender=Citation, dispatch_uid="timeline_citation_search_saved")
@receiver(post_delete, sender=Citation, dispatch_uid="timeline_citation_search_deleted")
def citation_changed_search(sender: type[Citation], instance: Citation, **kwargs: Any) -> None:
    refresh_search_text([instance.event_id])


@receiver(post_save, sender=Source, dispatch_uid="timeline_source_search_saved")
def source_saved_search(sender: type[Source], instance: Source, created: bool, **kwargs: Any) -> None:
    if not created:
        refresh_search_text(Event.objects.filter(citations__source=instance))


@receiver(post_save, sender=Actor, dispatch_uid="timeline_actor_search_saved")
def actor_saved_search(sender: type[Actor], instance: Actor, created: bool, **kwargs: Any) -> None:
    if not created:
        refresh_search_text(Event.objects.filter(Q(claimant=instance) | Q(actors=instance)))


@receiver(post_save, sender=Tag, dispatch_uid="timeline_tag_search_saved")
def tag_saved_search(sender: type[Tag], instance: Tag, created: bool, **kwargs: Any) -> None:
    if not created:
        refresh_search_text(Event.objects.filter(tags=instance))


@receiver(pre_delete, sender=Actor, dispatch_uid="timeline_actor_search_deleting")
@receiver(pre_delete, sender=Tag, dispatch_uid="timeline_tag_search_deleting")
def named_deleting_search(sender: Any, instance: Any, **kwargs: Any) -> None:
    # The link rows go with the object, without m2m_changed: remember whose document held the name.
    instance._search_event_ids = list(instance.events.values_list("pk", flat=True))


@receiver(post_delete, sender=Actor, dispatch_uid="timeline_actor_search_deleted")
@receiver(post_delete, sender=Tag, dispatch_uid="timeline_tag_search_deleted")
def named_deleted_search(sender: Any, instance: Any, **kwargs: Any) -> None:
    refresh_search_text(getattr(instance, "_search_event_ids", []))


@receiver(m2m_changed, sender=Event.tags.through, dispatch_uid="timeline_event_tags_search")
@receiver(m2m_changed, sender=Event.actors.through, dispatch_uid="timeline_event_actors_search")
def event_links_changed_search(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            refresh_search_text([instance.pk])
    elif action in ("post_add", "post_remove"):
        refresh_search_text(pk_set or [])
    elif action == "pre_clear":
        instance._search_event_ids = list(instance.events.values_list("pk", flat=True))
    elif action == "post_clear":
        refresh_search_text(getattr(instance, "_search_event_ids", []))


@receiver(pre_create_historical_record, sender=Event.history.model, dispatch_uid="timeline_event_history_citations")
def event_history_keeps_citations(sender: Any, instance: Event, history_instance: Any, **kwargs: Any) -> None:
    # A deletion's row is written after the citations are gone: "not recorded", not "none".
    if history_instance.history_type != "-":
        history_instance.citations_snapshot = citations_snapshot(instance)
        history_instance.claims_snapshot = claims_snapshot(instance)


# --- Webhooks (timeline/webhooks.py) hear of every written event -------------------------


@receiver(post_save, sender=Event, dispatch_uid="timeline_event_webhooks_saved")
def event_saved_webhooks(sender: type[Event], instance: Event, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return  # fixtures being loaded are not news
    version_before, was_published, was_on = getattr(instance, "_stored_state", (0, False, instance.timeline_id))
    webhooks_note_events([(instance.pk, instance.uid, was_on, was_published, version_before, instance.timeline_id)])


@receiver(post_delete, sender=Event, dispatch_uid="timeline_event_webhooks_deleted")
def event_deleted_webhooks(sender: type[Event], instance: Event, **kwargs: Any) -> None:
    webhooks_note_events(
        [(instance.pk, instance.uid, instance.timeline_id, instance.published, instance.version, instance.timeline_id)],
        deleted=True,
    )


@receiver(post_save, sender=Webhook, dispatch_uid="timeline_webhook_saved")
@receiver(post_delete, sender=Webhook, dispatch_uid="timeline_webhook_deleted")
def webhook_changed(sender: type[Webhook], instance: Webhook, **kwargs: Any) -> None:
    hooked_timelines_forget()
