"""Jobs for the task queue (django-tasks; ``manage.py db_worker`` runs them).

A job's arguments are JSON and name rows by id, so any worker that reaches the
database and the file storage can run it, on this machine or another.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.http import QueryDict
from django_tasks import TaskContext, task

from timeline.access import events_listed_for, events_visible_to, reads_everything, timelines_visible_to
from timeline.models import ImportProgress


class BriefJobRefused(Exception):
    """The job's reader may no longer see its timeline (or the timeline is gone)."""


class ImportJobRefused(Exception):
    """The job's user may no longer import into its timeline (or the timeline is gone)."""


@task()
def render_brief_job(*, timeline_id: int, query: str, user_id: int | None) -> dict[str, Any]:
    """Render the brief ``query`` (an urlencoded events filter) of timeline ``timeline_id`` as
    the user ``user_id`` (``None``: an anonymous reader) may see it, and store the PDF.

    Returns ``{"file": <storage name>, "filename": <download name>, "events": <count>,
    "scope": "all" | "published", "timeline_id": <id>}``. A brief already stored for the same
    data and filter is not rendered again.

    Raises :class:`BriefJobRefused` when the reader may not see the timeline, and
    ``timeline.briefs.InvalidBriefFilter`` for a filter that no longer validates
    (e.g. a tag deleted meanwhile).
    """
    from timeline.briefs import brief_filename, brief_request, store_brief

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    timeline = timelines_visible_to(user).filter(pk=timeline_id).first()
    if timeline is None:
        raise BriefJobRefused(f"timeline {timeline_id} is not visible to the job's reader")
    scope = "all" if reads_everything(user, "event") else "published"
    brief = brief_request(
        timeline=timeline,
        params=QueryDict(query),
        base=events_listed_for(user, timeline=timeline),
        scope=scope,
        request=_Reader(user),
    )
    name, count = store_brief(brief)
    return {
        "file": name,
        "filename": brief_filename(timeline, brief),
        "events": count,
        "scope": scope,
        "timeline_id": timeline.pk,
    }


@task()
def render_selected_brief_job(*, event_ids: list[int], user_id: int | None) -> dict[str, Any]:
    """Render the brief of exactly the events ``event_ids`` (selected in the admin, drafts
    included) of those the user ``user_id`` may still see, and store the PDF.

    Returns what :func:`render_brief_job` returns, with ``"timeline_ids"`` (every timeline
    the brief draws on) instead of ``"timeline_id"``. Raises :class:`BriefJobRefused` when
    the user may no longer read every event (or none of them is left).
    """
    from timeline.briefs import store_selected_brief

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    if user is None or not reads_everything(user, "event"):
        raise BriefJobRefused(f"user {user_id} may not read the selected events")
    stored = store_selected_brief(events_visible_to(user).filter(pk__in=event_ids))
    if stored is None:
        raise BriefJobRefused("none of the selected events is left")
    return {**stored, "scope": "all"}


class _Reader:
    """What ``EventFilter`` reads from a request: its user (filter choices follow the access policy)."""

    def __init__(self, user: Any) -> None:
        from django.contrib.auth.models import AnonymousUser

        self.user = user if user is not None else AnonymousUser()


# Its own queue: a brief a reader waits for never queues behind pre-rendering (bin/worker runs both).
@task(queue_name="feeds")
def prerender_feed_blocks(*, event_ids: list[int]) -> dict[str, int]:
    """Render and cache the calendar blocks of ``event_ids`` (those still published) that
    the cache does not hold; returns ``{"rendered": <count>}`` (``timeline.feed_blocks``)."""
    from timeline.feed_blocks import blocks_prerender

    return {"rendered": blocks_prerender(event_ids=event_ids)}


@task(takes_context=True)
def import_events_job(
    context: TaskContext, *, timeline_id: int, file: str, filename: str, format: str, user_id: int
) -> dict[str, Any]:
    """Import the stored file ``file`` into timeline ``timeline_id`` as user ``user_id``, who
    must still be allowed to; all or nothing, like every import. Progress is kept in
    ``ImportProgress`` under the job's id; the stored file is deleted when the job ends.

    Returns the report as the API gives it (``timeline.api.imports.report_data``).
    """
    from timeline.access import may_import_into
    from timeline.api.imports import report_data
    from timeline.importers import import_rows, read

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    timeline = timelines_visible_to(user).filter(pk=timeline_id).first()
    try:
        if timeline is None or not may_import_into(user, timeline):
            raise ImportJobRefused(f"user {user_id} may no longer import into timeline {timeline_id}")
        job_id = str(context.task_result.id)

        def progress(phase: str, done: int, total: int) -> None:
            ImportProgress.objects.update_or_create(
                job_id=job_id, defaults={"phase": phase, "done": done, "total": total}
            )

        with default_storage.open(file, "rb") as stored:
            data = stored.read()
        found, rows = read(data, filename=filename, format=format or None)
        report = import_rows(timeline, rows, user=user, format=found, progress=progress)
        return report_data(report)
    finally:
        default_storage.delete(file)


@task()
def deliver_webhook(*, delivery_id: int, token: str) -> str:
    """Send the webhook delivery ``delivery_id`` if ``token`` is still its job's token
    (``timeline.webhooks.delivery_attempt``); returns what happened ("delivered", "retrying", …)."""
    from timeline.webhooks import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id, token=token)


@task()
def archive_source_job(*, source_id: int) -> dict[str, Any]:
    """Ask the archive backend (``timeline.archiving``) to keep a copy of source ``source_id``'s
    page and store the copy's address and the capture day as its archived URL and access date.

    Returns ``{"source_id": <id>, "archived_url": <address>, "accessed": <ISO day>}``. Raises
    ``ArchiveFailed`` when archiving is off, the source has no URL, or the archive fails.
    """
    from timeline.archiving import ArchiveFailed, archive_backend, archiving_enabled
    from timeline.services import source_archive_store

    if not archiving_enabled():
        raise ArchiveFailed("archiving is off (ARCHIVE_ENABLED)")
    from timeline.models import Source

    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source.url:
        raise ArchiveFailed(f"source {source_id} is gone or has no URL")
    copy = archive_backend().archive(source.url)
    source_archive_store(source=source, archived_url=copy.url, accessed=copy.captured)
    return {"source_id": source.pk, "archived_url": copy.url, "accessed": copy.captured.isoformat()}
