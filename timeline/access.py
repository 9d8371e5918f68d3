"""The one access policy: who may see which timelines, events, names and tombstones.

Every surface asks this module: the API's querysets and filter choices, the
HTML pages, the calendar feeds, the PDF briefs and the admin. The rules:

* A reader with the model's ``view`` (or ``change``) permission (editors,
  superusers) sees everything: private timelines, drafts, every actor, source and tag.
* Anyone else sees published events of public timelines, and of an unlisted
  timeline when they name it (by slug, or an event by uid).
* Names around events follow the events: an actor, source or tag appears to a
  reader only when it is attached to an event that reader may list in the scope
  of the request (the timeline they named, else the listed timelines). A name
  used only on a private or unlisted timeline, or only on drafts, appears nowhere.
* A claim shows only when its claimant is an actor the reader may see by name (as
  above; being a claimant does not by itself name an actor): what an actor named only
  on private timelines or drafts claimed stays hidden, wherever the event shows.
* What a reader may not see answers exactly like what does not exist: these
  functions only ever narrow querysets, so a hidden object is simply absent
  (a 404, or "not one of the available choices" in a filter).

* Roles per timeline (owner, editor, reviewer, viewer; ``timeline/rules.py`` has the
  table): anyone with a role on a timeline reads all of it, drafts included, as if
  it were theirs; ``may`` answers every other action (edit, submit, approve,
  publish, manage roles) for one timeline or event. The global "Editors" group and
  superusers keep every right on every timeline.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils.crypto import constant_time_compare, salted_hmac

from timeline.models import Actor, Claim, Event, Revision, Source, Tag, Timeline, Visibility, Webhook

# Visibilities whose published events anyone may read when they name the timeline.
READABLE_BY_LINK = (Visibility.PUBLIC, Visibility.UNLISTED)


def reads_everything(user: Any, model_name: str) -> bool:
    """Whether ``user`` may read drafts, private timelines and hidden names of ``model_name``
    ("event", "timeline", "actor", "source", "tag", "eventtombstone") on every timeline.

    The global ``view`` permission grants it, and so does ``change``, as in Django's admin:
    whoever may change a row may read it. A role on one timeline does not.
    """
    if user is None or not user.is_active:
        return False
    return bool(user.has_perm(f"timeline.view_{model_name}") or user.has_perm(f"timeline.change_{model_name}"))


def may(user: Any, action: str, obj: Timeline | Event | Revision) -> bool:
    """Whether ``user`` may ``action`` ("view", "edit", "submit", "approve", "publish",
    "manage_roles") on the timeline ``obj`` (or the timeline of the event or revision ``obj``;
    approving looks at who last changed that event, or who wrote that revision). Raises
    ``KeyError`` for an unknown action."""
    from timeline.rules import ACTIONS, ROLE_RULES

    if action not in ACTIONS:
        raise KeyError(action)
    if user is None:
        return False
    return bool(ROLE_RULES.test_rule(action, user, obj))


def role_timeline_ids(user: Any, *roles: str) -> QuerySet[Any]:
    """Ids of the timelines on which ``user`` has one of ``roles`` (any role when none given)."""
    from timeline.models import TimelineRole

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return TimelineRole.objects.none().values("timeline_id")
    held = TimelineRole.objects.filter(user_id=user.pk)
    if roles:
        held = held.filter(role__in=roles)
    return held.values("timeline_id")


def has_any_role(user: Any, *roles: str) -> bool:
    """Whether ``user`` has one of ``roles`` (any role when none given) on some timeline."""
    return role_timeline_ids(user, *roles).exists()


def may_somewhere(user: Any, action: str) -> bool:
    """Whether ``user`` may ``action`` on at least one timeline; no query for superusers and
    holders of the global permission (it decides which admin actions and fields are offered)."""
    from timeline.rules import ROLES_FOR

    if user is None or not user.is_active:
        return False
    if user.is_superuser or (action != "manage_roles" and user.has_perm("timeline.change_event")):
        return True
    return has_any_role(user, *ROLES_FOR[action])


def timelines_where(user: Any, action: str) -> QuerySet[Timeline]:
    """Timelines on which ``user`` may ``action`` (the choices of the event form's timeline field)."""
    from timeline.rules import ROLES_FOR

    if user is None or not user.is_active:
        return Timeline.objects.none()
    if user.is_superuser or (action != "manage_roles" and user.has_perm("timeline.change_event")):
        return Timeline.objects.all()
    return Timeline.objects.filter(pk__in=role_timeline_ids(user, *ROLES_FOR[action]))


def webhooks_managed_by(user: Any) -> QuerySet[Webhook]:
    """Webhooks ``user`` may see and manage: those of the timelines whose roles they manage
    (owners, superusers; the global Editors group does not)."""
    return Webhook.objects.filter(timeline__in=timelines_where(user, "manage_roles"))


def reads_drafts_of(user: Any, timeline: Timeline | int) -> bool:
    """Whether ``user`` reads the drafts of ``timeline`` (a timeline or its id): with the global
    permission, or a role on it. Exports name their scope by it, so a body rendered with drafts
    (ETag, cache key) is never the one served to a reader without them."""
    if reads_everything(user, "event"):
        return True
    timeline_id = timeline if isinstance(timeline, int) else timeline.pk
    return role_timeline_ids(user).filter(timeline_id=timeline_id).exists()


def timelines_visible_to(user: Any, *, listed: bool = False) -> QuerySet[Timeline]:
    """Timelines ``user`` may read. With ``listed``, leave out unlisted ones for readers
    without the view permission (they are readable by slug only, never listed)."""
    if reads_everything(user, "timeline"):
        return Timeline.objects.all()
    visible = [Visibility.PUBLIC] if listed else list(READABLE_BY_LINK)
    return Timeline.objects.filter(Q(visibility__in=visible) | Q(pk__in=role_timeline_ids(user)))


def events_visible_to(user: Any) -> QuerySet[Event]:
    """Events ``user`` may read when addressed one by one (by uid): published events of
    public and unlisted timelines, or everything with the view permission."""
    if reads_everything(user, "event"):
        return Event.objects.all()
    return Event.objects.filter(
        Q(published=True, timeline__visibility__in=READABLE_BY_LINK) | Q(timeline_id__in=role_timeline_ids(user))
    )


def events_listed_for(user: Any, *, timeline: Timeline | None = None) -> QuerySet[Event]:
    """Events ``user`` may list: those of ``timeline`` when given (the caller has checked
    that the reader may see it), else those of the timelines listed to the reader."""
    events = events_visible_to(user)
    if timeline is not None:
        return events.filter(timeline=timeline)
    if reads_everything(user, "event"):
        return events
    return events.filter(Q(timeline__visibility=Visibility.PUBLIC) | Q(timeline_id__in=role_timeline_ids(user)))


def published_events_of(timeline: Timeline) -> QuerySet[Event]:
    """The events a feed of ``timeline`` carries: published ones only, whoever asks
    (a feed address is shared, so it never depends on a signed-in user)."""
    return Event.objects.filter(timeline=timeline, published=True)


def _first_event(events: QuerySet[Event]) -> IsNull:
    """``events`` has a row: its first id in id order, not null (PostgreSQL).

    An ``EXISTS`` here let the planner read the link or events table sequentially, expecting a
    match within the first rows; for a name used only outside the scope (a private timeline,
    or none) it read every row. Ordered by id, the first match is read from the indexes
    ``(actor_id, event_id)``, ``(tag_id, event_id)``, ``(source_id, event_id)`` and
    ``(claimant_id, id)`` (migration ``0014_scale_1m``) and a sequential scan would have to
    sort every match.
    """
    return IsNull(Subquery(events.order_by("pk").values("pk")[:1]), False)


def actors_named_on(events: QuerySet[Event]) -> QuerySet[Actor]:
    """Actors involved in, or claiming, any of ``events``."""
    if connection.vendor == "postgresql":
        # One indexed probe per actor, stopping at its first link in scope; the IN lists below
        # read every link of every event in scope (a sequential scan on a large timeline).
        return Actor.objects.filter(
            Q(_first_event(events.filter(actors=OuterRef("pk"))))
            | Q(_first_event(events.filter(claimant=OuterRef("pk"))))
        )
    # Semi-joins (IN) rather than correlated EXISTS: SQLite evaluates an EXISTS once per actor,
    # which cost a timeline page of 10,000 events 0.5 s; the IN lists are built once.
    ids = events.order_by().values("pk")
    involved = Event.actors.through.objects.filter(event_id__in=ids).values("actor_id")
    claiming = events.order_by().filter(claimant_id__isnull=False).values("claimant_id")
    return Actor.objects.filter(Q(pk__in=involved) | Q(pk__in=claiming))


def sources_cited_on(events: QuerySet[Event]) -> QuerySet[Source]:
    """Sources cited by any of ``events``."""
    if connection.vendor == "postgresql":
        return Source.objects.filter(_first_event(events.filter(citations__source=OuterRef("pk"))))
    return Source.objects.filter(Exists(events.order_by().filter(citations__source=OuterRef("pk"))))


def tags_on(events: QuerySet[Event]) -> QuerySet[Tag]:
    """Tags of any of ``events``."""
    if connection.vendor == "postgresql":
        return Tag.objects.filter(_first_event(events.filter(tags=OuterRef("pk"))))
    ids = events.order_by().values("pk")
    return Tag.objects.filter(pk__in=Event.tags.through.objects.filter(event_id__in=ids).values("tag_id"))


def actors_visible_to(user: Any, *, events: QuerySet[Event] | None = None) -> QuerySet[Actor]:
    """Actors ``user`` may see by name: every actor with the view permission, else those
    named on ``events`` (the events in the request's scope; default: those listed to ``user``)."""
    if reads_everything(user, "actor"):
        return Actor.objects.all()
    return actors_named_on(events if events is not None else events_listed_for(user))


def sources_visible_to(user: Any, *, events: QuerySet[Event] | None = None) -> QuerySet[Source]:
    """Sources ``user`` may see: every source with the view permission, else those cited on
    ``events`` (default: the events listed to ``user``)."""
    if reads_everything(user, "source"):
        return Source.objects.all()
    return sources_cited_on(events if events is not None else events_listed_for(user))


def tags_visible_to(user: Any, *, events: QuerySet[Event] | None = None) -> QuerySet[Tag]:
    """Tags ``user`` may see: every tag with the view permission, else those on ``events``
    (default: the events listed to ``user``)."""
    if reads_everything(user, "tag"):
        return Tag.objects.all()
    return tags_on(events if events is not None else events_listed_for(user))


def claims_visible_to(user: Any, *, events: QuerySet[Event] | None = None) -> QuerySet[Claim]:
    """Claims ``user`` may see: every claim with the view permission on actors, else those whose
    claimant is named (involved, or the event's claimant) on ``events`` (default: the events
    ``user`` may read). Callers narrow to the events they show."""
    if reads_everything(user, "actor"):
        return Claim.objects.all()
    scope = events if events is not None else events_visible_to(user)
    return Claim.objects.filter(claimant__in=actors_named_on(scope))


def may_import_into(user: Any, timeline: Timeline) -> bool:
    """Whether ``user`` may import events into ``timeline`` (which they must be able to see):
    importing creates and changes events, so it needs both permissions."""
    if user is None or not user.is_active:
        return False
    return bool(user.has_perm("timeline.add_event") and user.has_perm("timeline.change_event"))


# The capability a private feed's event links carry (see feed_event_key).
FEED_EVENT_KEY_SALT = "timeline.access.feed-event-pages"


def feed_event_key(timeline: Timeline, query: str) -> str:
    """The key in the event links of ``timeline``'s private feed narrowed by ``query`` (its
    filter parameters, canonically encoded): an HMAC of the feed token's stored digest and
    the filter, under ``SECRET_KEY``.

    So the links never contain the feed token (a forwarded event link cannot subscribe),
    open only events of that timeline that the same filter lets through, and stop working
    when the token is rotated or revoked. "" when the timeline has no current token.
    """
    if not timeline.feed_token_hash:
        return ""
    return salted_hmac(FEED_EVENT_KEY_SALT, f"{timeline.feed_token_hash}|{query}", algorithm="sha256").hexdigest()[:40]


def events_readable_with_feed_key(key: str, *, uid: Any, query: str) -> QuerySet[Event]:
    """The published events a private feed's event link ``key`` opens: those of the timeline
    whose current token and filter ``query`` the key was made from (the caller still applies
    the filter), else none. The event ``uid`` names the timeline to check the key against."""
    timeline = Timeline.objects.filter(events__uid=uid).exclude(feed_token_hash="").first()
    if timeline is None or not constant_time_compare(feed_event_key(timeline, query), key):
        return Event.objects.none()
    return published_events_of(timeline)
