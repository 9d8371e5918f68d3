"""Review before publishing: pending revisions of events, submitted, approved or sent back.

On a timeline with ``review_required``, a change to a published event (or publishing a
draft) by someone who may not publish there is stored as a :class:`~timeline.models.Revision`
instead of being written: readers keep seeing the published event on every surface (they all
read ``Event`` rows). A reviewer other than the author approves it, which writes it through
``services.event_update`` (one history row, the version up, feeds and sync see it), or sends
it back with a comment. Reviewers hear of a submission, and the author of the verdict, by
email through Django's email backend.

Who may do what is ``timeline/access.py``'s answer ("submit", "approve", "publish").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from timeline import access, claims, services
from timeline.history import EMPTY, FieldChange, change_lines, event_change_recorded, event_values
from timeline.models import Actor, Event, Revision, RevisionState, Role, Source, Tag, Timeline, TimelineRole


class ReviewError(Exception):
    """A review step that cannot be taken; the message says why, for the person who tried."""


class NotAllowed(ReviewError):
    """The user may not take this step on this timeline."""


class NothingToReview(ReviewError):
    """The proposed change would change nothing."""


class RevisionConflict(ReviewError):
    """Another change of the event is already waiting, or the revision is no longer pending."""


class RevisionStale(ReviewError):
    """The event changed after the revision was submitted; approving would undo that change."""


class RevisionBroken(ReviewError):
    """Something the revision refers to (an actor, tag, source or timeline) was deleted since."""


def needs_review(user: Any, event: Event, values: dict[str, Any]) -> bool:
    """Whether writing ``values`` (field -> value) onto ``event`` by ``user`` must wait for review:
    the event's timeline (or the one it would move to) requires review, the change touches what
    readers see (the event is published, or ``values`` publish it), and ``user`` may not publish
    there. A new event (no ``pk``) is written as a draft first, so only its publishing is reviewed."""
    timelines = [event.timeline] if event.timeline_id else []
    target = values.get("timeline")
    if isinstance(target, Timeline) and target.pk != event.timeline_id:
        timelines.append(target)
    if not any(timeline.review_required for timeline in timelines):
        return False
    published_now = bool(event.pk) and Event.objects.filter(pk=event.pk, published=True).exists()
    if not (published_now or values.get("published")):
        return False
    return not all(access.may(user, "publish", timeline) for timeline in timelines)


# --- Proposed state as data ---------------------------------------------------------------


def _pk(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def proposal_from_written(values: dict[str, Any], relations: dict[str, Any]) -> dict[str, Any]:
    """``values`` and ``relations`` (as ``services.event_update`` takes them: objects) as plain
    data for ``Revision.proposed``: foreign keys and m2m as ids, citations and claims whole."""
    proposed: dict[str, Any] = {name: _pk(value) for name, value in values.items()}
    for name in ("actors", "tags"):
        if name in relations:
            proposed[name] = sorted(_pk(obj) for obj in relations[name])
    if "citations" in relations:
        proposed["citations"] = [
            {"source": _pk(c["source"]), "quote": c.get("quote", ""), "locator": c.get("locator", "")}
            for c in relations["citations"]
        ]
    if "claims" in relations:
        proposed["claims"] = [
            {
                "claimant": _pk(c["claimant"]),
                "stance": c["stance"],
                "made": c.get("made", "") or "",
                "note": c.get("note", ""),
                "citations": sorted(set(c.get("citations", ()))),
            }
            for c in relations["claims"]
        ]
    return proposed


def _load(model: Any, ids: list[Any], what: str) -> dict[Any, Any]:
    found = model.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk is not None and pk not in found]
    if missing:
        raise RevisionBroken(f"The change names a {what} deleted since (id {missing[0]}); send it back.")
    return found


# A claim in a proposal, with its default: the claimant's id, the citations it cites by position.
CLAIM_PROPOSAL_KEYS: dict[str, Any] = {"claimant": None, "stance": "asserts", "made": "", "note": "", "citations": []}


def proposal_loaded(proposed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``Revision.proposed`` back as ``values`` and ``relations`` for ``services.event_update``.
    Raises :class:`RevisionBroken` when a timeline, actor, tag or source it names was deleted."""
    values = {k: v for k, v in proposed.items() if k not in ("actors", "tags", "citations", "claims")}
    relations: dict[str, Any] = {}
    if "timeline" in values:
        values["timeline"] = _load(Timeline, [values["timeline"]], "timeline")[values["timeline"]]
    if values.get("claimant") is not None:
        values["claimant"] = _load(Actor, [values["claimant"]], "claimant")[values["claimant"]]
    for name, model in (("actors", Actor), ("tags", Tag)):
        if name in proposed:
            found = _load(model, proposed[name], name[:-1])
            relations[name] = [found[pk] for pk in proposed[name]]
    if "citations" in proposed:
        sources = _load(Source, [c["source"] for c in proposed["citations"]], "source")
        relations["citations"] = [{**c, "source": sources[c["source"]]} for c in proposed["citations"]]
    if "claims" in proposed:
        claimants = _load(Actor, [c["claimant"] for c in proposed["claims"]], "claimant")
        relations["claims"] = [{**c, "claimant": claimants[c["claimant"]]} for c in proposed["claims"]]
    return values, relations


def _claims_words(claims: list[dict[str, Any]]) -> str:
    names = dict(Actor.objects.filter(pk__in=[c["claimant"] for c in claims]).values_list("pk", "name"))
    lines = [
        f"{names.get(c['claimant'], '(deleted actor)')} {c['stance']}" + (f" ({c['made']})" if c.get("made") else "")
        for c in claims
    ]
    return "; ".join(lines) or EMPTY


def revision_changes(revision: Revision) -> list[FieldChange]:
    """What approving ``revision`` would change on its event as stored now, in words
    (``history.change_lines``, with the claims in this queue's words)."""
    current = event_values(revision.event)
    proposed = dict(revision.proposed)
    claims = proposed.pop("claims", None)
    if "citations" in proposed:
        titles = dict(
            Source.objects.filter(pk__in=[c["source"] for c in proposed["citations"]]).values_list("pk", "title")
        )
        proposed["citations"] = [{**c, "source_title": titles.get(c["source"], "")} for c in proposed["citations"]]
    lines = change_lines({name: current[name] for name in proposed if name in current}, proposed)
    if claims is not None:
        # event_values read the stored claims already, in the order made.
        before, after = _claims_words(current["claims"]), _claims_words(claims)
        if before != after:
            lines.append(FieldChange("Claims", before, after))
    return lines


def revert_submit(*, event: Event, record: Any, user: Any) -> Revision:
    """Submit reverting ``event`` to the history row ``record`` for review (for someone whose
    revert of a published event on a reviewed timeline must wait): what ``services.event_revert``
    would write, less ``published``, which they may not change. Raises as :func:`revision_submit`."""
    targets, _missing = services.event_revert_targets(record=record)
    targets.pop("published", None)
    # Citations and claims not recorded in that row (None) stay as they are.
    proposed = {
        name: value for name, value in targets.items() if value is not None or name not in ("citations", "claims")
    }
    if proposed.get("citations") is not None:
        proposed["citations"] = [
            {"source": c["source"], "quote": c.get("quote", ""), "locator": c.get("locator", "")}
            for c in proposed["citations"]
        ]
    if proposed.get("claims") is not None:
        proposed["claims"] = [
            {key: c.get(key, default) for key, default in CLAIM_PROPOSAL_KEYS.items()} for c in proposed["claims"]
        ]
    values, relations = proposal_loaded(proposed)
    return revision_submit(
        event=event,
        values=values,
        relations=relations,
        user=user,
        note=f"Revert to version {record.version} of {record.history_date:%Y-%m-%d %H:%M}",
    )


# --- Steps ---------------------------------------------------------------------------------


@transaction.atomic
def revision_submit(
    *, event: Event, values: dict[str, Any], relations: dict[str, Any] | None = None, user: Any, note: str = ""
) -> Revision:
    """Store the change ``values``/``relations`` of ``event`` by ``user`` as a pending revision
    (the event is not written). Submitting a draft proposes publishing it. A pending revision by
    the same author is replaced; reviewers of the timeline are emailed once the transaction commits.

    Raises :class:`NotAllowed` (``user`` may not submit on the timeline), :class:`NothingToReview`
    (the change changes nothing), :class:`RevisionConflict` (someone else's change is waiting).
    """
    relations = relations or {}
    if not access.may(user, "submit", event):
        raise NotAllowed("You may not submit changes of events on this timeline.")
    target = values.get("timeline")
    if isinstance(target, Timeline) and not access.may(user, "submit", target):
        raise NotAllowed("You may not move events onto that timeline.")
    stored = services.event_lock(pk=event.pk)
    values = {k: v for k, v in values.items() if k not in services.BOOKKEEPING_FIELDS}
    if not stored.published and "published" not in values:
        values["published"] = True
    if not services.event_changes_anything(stored=stored, values=values, relations=relations):
        raise NothingToReview("The change changes nothing: there is nothing to review.")
    proposed = proposal_from_written(values, relations)
    waiting = Revision.objects.select_for_update().filter(event=stored, state=RevisionState.PENDING).first()
    if waiting is not None and waiting.author_id != user.pk:
        raise RevisionConflict(
            "Another change of this event is already waiting for review; it must be approved or sent back first."
        )
    if waiting is None:
        revision = Revision(event=stored, author=user)
    else:
        revision = waiting
    revision.proposed = proposed
    revision.base_version = stored.version
    revision.note = note
    revision.created_at = timezone.now()
    revision.save()
    transaction.on_commit(lambda: _mail_reviewers(revision))
    return revision


@transaction.atomic
def revision_approve(*, revision: Revision, user: Any) -> Event:
    """Apply the pending ``revision`` through ``services.event_update`` (one history row naming
    the author and ``user``, the version up) and mark it approved; the author is emailed.

    Raises :class:`NotAllowed` (``user`` may not approve it, e.g. its author),
    :class:`RevisionConflict` (no longer pending), :class:`RevisionStale` (the event changed since
    it was submitted), :class:`RevisionBroken` (something it names was deleted).
    """
    revision = Revision.objects.select_for_update().select_related("event__timeline").get(pk=revision.pk)
    if not access.may(user, "approve", revision):
        raise NotAllowed("You may not approve this change: a reviewer other than its author approves it.")
    if not revision.is_pending:
        raise RevisionConflict(f"This change was already {revision.get_state_display().lower()}.")
    event = services.event_lock(pk=revision.event_id)
    if event.version != revision.base_version:
        raise RevisionStale(
            f"The event changed after this change was submitted (version {revision.base_version}, now "
            f"{event.version}); approving it would undo that. Send it back so its author can redo it."
        )
    values, relations = proposal_loaded(revision.proposed)
    target = values.get("timeline", event.timeline)
    if not access.may(user, "publish", target):
        raise NotAllowed("You may not publish on the timeline this change moves the event to.")
    author = revision.author
    reason = f"Change by {author.get_username() if author else 'a deleted user'}, approved"
    if "claims" in relations and not values.get("status_override", event.status_override):
        # The claims decide the status unless overridden, in the same save (one version, one history row).
        ordered = claims.written_in_order(relations["claims"])
        values["status"] = claims.derive_status((c["claimant"].pk, c["stance"]) for c in ordered)
    with event_change_recorded(event, user=user, reason=reason):
        services.event_update(event=event, values=values, relations=relations, user=user)
    revision.state = RevisionState.APPROVED
    revision.reviewed_by = user
    revision.reviewed_at = timezone.now()
    revision.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    transaction.on_commit(lambda: _mail_author(revision))
    return event


@transaction.atomic
def revision_reject(*, revision: Revision, user: Any, comment: str) -> Revision:
    """Send the pending ``revision`` back to its author with ``comment`` (emailed to them);
    the event stays as it is.

    Raises ``ValueError`` for an empty comment, :class:`NotAllowed` and :class:`RevisionConflict`
    as :func:`revision_approve` does.
    """
    if not comment.strip():
        raise ValueError("Say what the author should change.")
    revision = Revision.objects.select_for_update().select_related("event__timeline").get(pk=revision.pk)
    if not access.may(user, "approve", revision):
        raise NotAllowed("You may not send back this change: a reviewer other than its author does.")
    if not revision.is_pending:
        raise RevisionConflict(f"This change was already {revision.get_state_display().lower()}.")
    revision.state = RevisionState.REJECTED
    revision.comment = comment.strip()
    revision.reviewed_by = user
    revision.reviewed_at = timezone.now()
    revision.save(update_fields=["state", "comment", "reviewed_by", "reviewed_at"])
    transaction.on_commit(lambda: _mail_author(revision))
    return revision


# --- Who sees which revisions --------------------------------------------------------------


def revisions_visible_to(user: Any) -> QuerySet[Revision]:
    """Revisions ``user`` may read: those of events on timelines whose drafts they read (a
    revision is unpublished content); none for everyone else."""
    revisions = Revision.objects.select_related("event__timeline", "author", "reviewed_by")
    if access.reads_everything(user, "event"):
        return revisions
    return revisions.filter(event__timeline_id__in=access.role_timeline_ids(user))


def revisions_waiting_for(user: Any) -> QuerySet[Revision]:
    """Pending revisions ``user`` may approve: on timelines where they review (or own, or hold
    the global permission), written by someone else."""
    pending = revisions_visible_to(user).filter(state=RevisionState.PENDING)
    if getattr(user, "pk", None) is not None:
        pending = pending.exclude(author_id=user.pk)
    if user.is_superuser or "timeline.change_event" in user.get_all_permissions():
        return pending
    return pending.filter(event__timeline_id__in=access.role_timeline_ids(user, Role.OWNER, Role.REVIEWER))


# --- Email -----------------------------------------------------------------------------------


def _admin_url(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def reviewer_addresses(revision: Revision) -> list[str]:
    """Email addresses of the revision's timeline's reviewers and owners, its author left out."""
    roles = TimelineRole.objects.filter(
        timeline_id=revision.event.timeline_id, role__in=(Role.REVIEWER, Role.OWNER), user__is_active=True
    ).exclude(Q(user__email="") | Q(user_id=revision.author_id))
    return sorted(set(roles.values_list("user__email", flat=True)))


def _mail_reviewers(revision: Revision) -> None:
    addresses = reviewer_addresses(revision)
    if not addresses:
        return
    author = revision.author.get_username() if revision.author else "someone"
    lines = "\n".join(f"- {c.field}: {c.old} → {c.new}" for c in revision_changes(revision))
    send_mail(
        subject=f"Review wanted: “{revision.event.title}” on {revision.event.timeline.title}",
        message=(
            f"{author} submitted a change for review.\n\n{lines}\n\n"
            + (f"Note: {revision.note}\n\n" if revision.note else "")
            + f"Review it: {_admin_url('admin:timeline_revision_change', revision.pk)}\n"
        ),
        from_email=None,
        recipient_list=addresses,
    )


def _mail_author(revision: Revision) -> None:
    author = revision.author
    if author is None or not author.email:
        return
    reviewer = revision.reviewed_by.get_username() if revision.reviewed_by else "a reviewer"
    if revision.state == RevisionState.APPROVED:
        subject = f"Approved: your change of “{revision.event.title}”"
        body = f"{reviewer} approved your change; readers see it now.\n"
    else:
        subject = f"Sent back: your change of “{revision.event.title}”"
        body = f"{reviewer} sent your change back:\n\n{revision.comment}\n"
    body += f"\nThe event: {_admin_url('admin:timeline_event_change', revision.event_id)}\n"
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[author.email])
