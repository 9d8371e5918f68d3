"""PDF briefs over HTTP: ``/timelines/<slug>/brief.pdf?<any events filter>``.

A thin layer over :mod:`timeline.exporters.brief`, served by :mod:`timeline.export`
(the same filter, 400 body, ETag/304, cache and render throttle as the feeds).

Briefs larger than ``settings.TIMELINE_BRIEF_MAX_EVENTS`` are rendered by a worker
(:func:`timeline.tasks.render_brief_job`): the request answers 202 with a status
address (``/briefs/jobs/<id>/``), whose answer links the stored PDF once the job
has finished: JSON for scripts, a page that reloads itself for browsers. The admin's
brief of selected events (:func:`selected_brief`, served by the same pipeline) queues
:func:`timeline.tasks.render_selected_brief_job` the same way above the limit, from the
export's ``defer`` hook. PDFs are stored through Django's storage API under
``briefs/<etag>.pdf``, so a large brief asked for again with unchanged data is
served from storage at once.
Renders, whether here or queued for a worker, are throttled per client (scopes
``brief_render`` and ``brief_render_user``); 304s, cached and stored PDFs are not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from timeline import access, export
from timeline.access import events_listed_for, reads_drafts_of, timelines_visible_to
from timeline.filters import window_anchor
from timeline.models import Claim, Event, Timeline
from timeline.queries import count_up_to, event_snapshots
from timeline.snapshot import EventSnapshot
from timeline.throttles import BRIEF_RENDER_THROTTLES

# Editors and readers may get different briefs at one address: revalidate every time.
PDF_HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Cookie, Authorization"}
JOB_CACHE_PREFIX = "brief-job"
STORAGE_FOLDER = "briefs"
# What the status address calls each state of a job.
JOB_STATES = {
    TaskResultStatus.READY: "waiting",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.SUCCESSFUL: "finished",
    TaskResultStatus.FAILED: "failed",
}


@dataclass(frozen=True)
class BriefRequest:
    """A validated brief: which timeline, which events, and the words for the cover."""

    timeline: Timeline
    events: QuerySet[Event]
    filter_words: list[str]
    etag: str
    as_of: dt.datetime
    # The claims the reader may see (access.claims_visible_to); none when not given.
    claims: QuerySet[Claim] | None = None

    @property
    def data_version(self) -> str:
        return self.etag[:12]


# The pipeline's refusal: ``errors`` maps each field to its messages.
InvalidBriefFilter = export.FilterRefused


def brief_request(
    *, timeline: Timeline, params: QueryDict, base: QuerySet[Event], scope: str, request: Any = None
) -> BriefRequest:
    """Validate ``params`` with ``EventFilter`` against ``base`` (the events the reader may see
    in ``timeline``) and compute the ETag. ``scope`` names what ``base`` is ("published"/"all").
    The ETag follows ``timeline.content_changed_at``, which also moves when a cited
    source, an actor or a tag is edited (signals.py).

    Raises :class:`~timeline.export.FilterRefused`. Runs no query unless a filter value needs one.
    """
    params = params.copy()
    params.pop("timeline", None)  # the path names the timeline
    event_filter = export.validated_filter(params, queryset=base, request=request)
    as_of = timeline.content_changed_at
    reader = getattr(request, "user", None)
    claims = access.claims_visible_to(reader, events=base)
    etag = export.selection_key(
        [
            timeline.pk,
            timeline.slug,
            timeline.title,
            timeline.description,
            timeline.marking,
            timeline.bottom_line,
            timeline.key_judgements,
        ],
        as_of.isoformat(),
        export.query_parts(params),
        # A window relative to today ("from=-90d") means other events tomorrow.
        window_anchor(params),
        scope,
        # Claims by actors named only elsewhere show to readers of everything alone.
        "claims-all" if access.reads_everything(reader, "actor") else "claims-named",
        export.exporter_for("pdf").fingerprint(),
    )
    return BriefRequest(
        timeline=timeline,
        events=event_filter.qs,
        filter_words=event_filter.describe(),
        etag=etag,
        as_of=as_of,
        claims=claims,
    )


def brief_snapshot(brief: BriefRequest, events: Iterable[EventSnapshot] | None = None) -> export.ExportSnapshot:
    """What the brief exporter renders for ``brief`` (its own events unless ``events`` are given)."""
    timeline = brief.timeline
    return export.ExportSnapshot(
        events=events if events is not None else brief_events(brief),
        title=timeline.title,
        description=timeline.description or "",
        marking=timeline.marking or "",
        bottom_line=timeline.bottom_line or "",
        key_judgements=timeline.key_judgements or "",
        filter_words=tuple(brief.filter_words),
        as_of=brief.as_of,
        data_version=brief.data_version,
    )


def brief_events(brief: BriefRequest) -> list[EventSnapshot]:
    """``brief``'s events as the brief prints them, with the claims its reader may see."""
    claims = brief.claims if brief.claims is not None else Claim.objects.none()
    return event_snapshots(brief.events, claims=claims)


def render_brief_for(brief: BriefRequest, events: Iterable[EventSnapshot] | None = None) -> bytes:
    """Render ``brief`` (its own events unless ``events`` are given)."""
    return export.exporter_for("pdf").render(brief_snapshot(brief, events))


def brief_filename(timeline: Timeline, brief: BriefRequest) -> str:
    suffix = "-filtered" if brief.filter_words else ""
    return f"{timeline.slug}-brief-{brief.as_of:%Y%m%d}{suffix}.pdf"


def pdf_headers(response: HttpResponseBase, *, filename: str, etag: str) -> None:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    export.label(response, etag)
    for name, value in PDF_HEADERS.items():
        response[name] = value


def stored_brief_name(etag: str) -> str:
    """Where the brief with ``etag`` is kept in the default storage."""
    return f"{STORAGE_FOLDER}/{etag}.pdf"


def store_brief(brief: BriefRequest) -> tuple[str, int]:
    """Render ``brief`` into the default storage unless it is there already.

    Returns the storage name and the number of events. The name follows the
    ETag, so equal data and filter share one file and a change makes a new one.
    """
    name = stored_brief_name(brief.etag)
    count = brief.events.count()
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(render_brief_for(brief)))
        if saved != name:
            # Another worker stored the same brief meanwhile; keep one copy.
            default_storage.delete(saved)
    return name, count


@dataclass(frozen=True)
class SelectedBrief:
    """A brief of events chosen one by one (in the admin, drafts included), resolved before
    anything is rendered: its cover words, file name and ETag."""

    events: QuerySet[Event]
    event_ids: list[int]
    slug: str
    title: str
    description: str
    marking: str
    as_of: dt.datetime
    etag: str
    timeline_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.event_ids)

    @property
    def filename(self) -> str:
        return f"{self.slug}-selected-brief-{self.as_of:%Y%m%d}.pdf"

    @property
    def storage_name(self) -> str:
        return stored_brief_name(f"selected-{self.etag}")

    def snapshot(self) -> export.ExportSnapshot:
        count = self.count
        return export.ExportSnapshot(
            events=event_snapshots(self.events),
            title=self.title,
            description=self.description,
            marking=self.marking,
            as_of=self.as_of,
            filter_words=(f"{count:,} event{'s' if count != 1 else ''} selected in the admin",),
            data_version=f"{self.as_of:%Y%m%d%H%M%S}",
        )


def selected_brief(events: QuerySet[Event]) -> SelectedBrief:
    """The brief of exactly ``events``: the timeline's own words when they all belong to one
    timeline, else "Selected events" naming every timeline. Two queries (the ids, the timelines).

    The ETag follows the events' ids, their timelines' change times and words, and the
    exporter's fingerprint, so equal selections of unchanged data share one stored file.
    """
    from django.utils import timezone

    selected = events.order_by()
    event_ids = sorted(selected.values_list("pk", flat=True))
    timelines = list(Timeline.objects.filter(pk__in=selected.values("timeline_id")).order_by("title"))
    if len(timelines) == 1:
        (timeline,) = timelines
        title, description, marking, slug = timeline.title, timeline.description, timeline.marking, timeline.slug
        as_of = timeline.content_changed_at
    else:
        title = "Selected events"
        description = "Events selected in the admin from: " + ", ".join(t.title for t in timelines) + "."
        marking = " / ".join(dict.fromkeys(t.marking for t in timelines if t.marking))
        slug = "selected-events"
        as_of = max((t.content_changed_at for t in timelines), default=timezone.now())
    etag = export.selection_key(
        "admin",
        event_ids,
        sorted((t.pk, t.content_changed_at.isoformat(), t.slug, t.title, t.description, t.marking) for t in timelines),
        export.exporter_for("pdf").fingerprint(),
    )
    return SelectedBrief(
        events=selected,
        event_ids=event_ids,
        slug=slug,
        title=title,
        description=description or "",
        marking=marking or "",
        as_of=as_of,
        etag=etag,
        timeline_ids=sorted(t.pk for t in timelines),
    )


def store_selected_brief(events: QuerySet[Event]) -> dict[str, Any] | None:
    """Render the brief of exactly ``events`` into the default storage unless it is there already.

    Returns ``{"file", "filename", "events", "timeline_ids"}``, or ``None`` when ``events`` is empty.
    """
    brief = selected_brief(events)
    if not brief.count:
        return None
    name = brief.storage_name
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(export.exporter_for("pdf").render(brief.snapshot())))
        if saved != name:
            default_storage.delete(saved)
    return {
        "file": name,
        "filename": brief.filename,
        "events": brief.count,
        "timeline_ids": brief.timeline_ids,
    }


def stored_pdf_response(name: str, *, filename: str, etag: str) -> HttpResponseBase:
    """Stream the stored PDF ``name``. Raises ``FileNotFoundError`` (or the storage's error) when it is missing."""
    response = FileResponse(default_storage.open(name, "rb"), content_type="application/pdf")
    pdf_headers(response, filename=filename, etag=etag)
    return response


def _reader_id(request: HttpRequest) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


def enqueue_brief_job(request: HttpRequest, timeline: Timeline, brief: BriefRequest, count: int) -> HttpResponse:
    """Queue the brief for a worker (once per ETag and reader while a job is pending) and
    answer 202 with the job's status address."""
    from timeline.tasks import render_brief_job

    reader = _reader_id(request)
    cache_key = f"{JOB_CACHE_PREFIX}:{brief.etag}:{reader}"
    job_id = cache.get(cache_key)
    if job_id is not None:
        try:
            pending = render_brief_job.get_result(job_id)
        except TaskResultDoesNotExist:
            job_id = None
        else:
            if pending.status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
                job_id = None
    if job_id is None:
        job = render_brief_job.enqueue(timeline_id=timeline.pk, query=request.GET.urlencode(), user_id=reader)
        job_id = str(job.id)
        cache.set(cache_key, job_id, timeout=60 * 60)
    return brief_job_accepted(request, job_id, count)


def enqueue_selected_brief_job(request: HttpRequest, brief: SelectedBrief) -> HttpResponse:
    """Queue the brief of the selected events for a worker and answer 202 with the job's status."""
    from timeline.tasks import render_selected_brief_job

    job = render_selected_brief_job.enqueue(event_ids=brief.event_ids, user_id=_reader_id(request))
    return brief_job_accepted(request, str(job.id), brief.count)


def wants_html(request: HttpRequest) -> bool:
    """Whether the client prefers an HTML page to JSON (a browser following a link or a form).
    ``*/*`` and no ``Accept`` mean JSON, as before for scripts."""
    return request.get_preferred_type(["application/json", "text/html"]) == "text/html"


def brief_job_page(request: HttpRequest, body: dict[str, Any], *, status: int, status_url: str) -> HttpResponse:
    """The status of a brief job as an HTML page: it reloads itself until the job is done,
    then links the PDF."""
    context = {
        **body,
        "status_word": body["status"],
        "status_url": status_url,
        "done": body["status"] in ("finished", "failed"),
        "refresh_seconds": 5,
    }
    return render(request, "timeline/brief_job.html", context, status=status)


def brief_job_accepted(request: HttpRequest, job_id: str, count: int) -> HttpResponse:
    """202 for a queued brief job: JSON with ``status_url`` for scripts, the status page for
    browsers; ``Location`` names the status address either way."""
    status_url = request.build_absolute_uri(reverse("timeline:brief-job", kwargs={"job_id": job_id}))
    body = {
        "status": "waiting",
        "events": count,
        "status_url": status_url,
        "message": (
            f"This brief holds {count:,} events, more than the {settings.TIMELINE_BRIEF_MAX_EVENTS:,} "
            "rendered while you wait; a worker is rendering it. Ask the status address for the download link."
        ),
    }
    response: HttpResponse
    if wants_html(request):
        response = brief_job_page(request, body, status=202, status_url=status_url)
    else:
        response = JsonResponse(body, status=202)
    response["Location"] = status_url
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept"])
    return response


def selected_brief_response(request: HttpRequest, events: QuerySet[Event]) -> HttpResponseBase:
    """The brief of exactly ``events`` (the admin's action) through the export pipeline: the
    PDF, or above ``TIMELINE_BRIEF_MAX_EVENTS`` a job for a worker (``defer``), answered 202
    with its status page. Not throttled and not cached (editors only; each selection differs)."""
    brief = selected_brief(events)

    def queued() -> HttpResponseBase | None:
        if brief.count > settings.TIMELINE_BRIEF_MAX_EVENTS:
            return enqueue_selected_brief_job(request, brief)
        return None

    return export.serve(
        request,
        export.Export(
            exporter=export.exporter_for("pdf"),
            etag=brief.etag,
            snapshot=brief.snapshot,
            filename=brief.filename,
            defer=queued,
            headers=PDF_HEADERS,
            cache_body=False,
        ),
    )


@require_GET
def timeline_brief(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The PDF brief of a timeline's events, filtered like the events API.

    404 for timelines the reader may not see; readers without the view
    permission or a role on the timeline get published events only. 400 with field messages for an
    invalid filter, 304 when the ETag matches. Above ``TIMELINE_BRIEF_MAX_EVENTS``
    the stored PDF when a worker has rendered this brief already, else 202 with a
    status address (a job is queued). 429 (plain text, ``Retry-After``) when the
    brief must be rendered or queued and the client is over its render rate.
    """
    timeline = export.timeline_for(request.user, slug)
    # Role holders read their timeline's drafts too: their brief must not share a scope (ETag,
    # cached PDF) with readers of published events only.
    sees_all = reads_drafts_of(request.user, timeline)
    base = events_listed_for(request.user, timeline=timeline)
    try:
        brief = brief_request(
            timeline=timeline, params=request.GET, base=base, scope="all" if sees_all else "published", request=request
        )
    except export.FilterRefused as refused:
        return export.refusal_response(refused)
    filename = brief_filename(timeline, brief)
    limit = settings.TIMELINE_BRIEF_MAX_EVENTS
    counted: list[int] = []

    def over_limit() -> bool:
        # Counted to the limit only: enough to tell a brief rendered here from a worker's.
        if not counted:
            counted.append(count_up_to(brief.events, limit))
        return counted[0] > limit

    def stored() -> HttpResponseBase | None:
        name = stored_brief_name(brief.etag)
        if over_limit() and default_storage.exists(name):
            return stored_pdf_response(name, filename=filename, etag=brief.etag)
        return None

    def queued() -> HttpResponseBase | None:
        if over_limit():
            # The exact number for the reader: a worker is about to read them all anyway.
            return enqueue_brief_job(request, timeline, brief, brief.events.count())
        return None

    return export.serve(
        request,
        export.Export(
            exporter=export.exporter_for("pdf"),
            etag=brief.etag,
            snapshot=lambda: brief_snapshot(brief),
            filename=filename,
            prepare=stored,
            defer=queued,
            throttles=BRIEF_RENDER_THROTTLES,
            throttle_message="Too many PDF briefs were rendered for this client.",
            headers=PDF_HEADERS,
        ),
    )


def _job_for(request: HttpRequest, job_id: Any) -> Any:
    """The brief job ``job_id`` if ``request`` comes from the reader who asked for it. Raises Http404."""
    from timeline.tasks import render_brief_job, render_selected_brief_job

    try:
        job = render_brief_job.get_backend().get_result(str(job_id))
    except TaskResultDoesNotExist:
        raise Http404("No such brief job.") from None
    if job.task.func not in (render_brief_job.func, render_selected_brief_job.func):
        raise Http404("No such brief job.")
    if job.kwargs.get("user_id") != _reader_id(request):
        # Another reader's job answers like one that does not exist.
        raise Http404("No such brief job.")
    return job


@require_GET
def brief_job_status(request: HttpRequest, job_id: Any) -> HttpResponse:
    """A brief job's state: ``{"status": "waiting" | "running" | "finished" | "failed", ...}``,
    or for a browser (``Accept`` preferring HTML) a page saying the same that reloads itself
    until the job is done.

    Finished jobs add ``download`` (the stored PDF's address), ``events`` and
    ``filename``; failed ones add ``error`` (the exception's type). 404 for an
    unknown job and for another reader's job.
    """
    job = _job_for(request, job_id)
    body: dict[str, Any] = {"status": JOB_STATES.get(job.status, str(job.status).lower())}
    if job.status == TaskResultStatus.SUCCESSFUL:
        result = job.return_value
        body.update(
            events=result["events"],
            filename=result["filename"],
            download=request.build_absolute_uri(reverse("timeline:brief-job-download", kwargs={"job_id": job.id})),
        )
    elif job.status == TaskResultStatus.FAILED:
        body["error"] = job.errors[-1].exception_class_path.rsplit(".", 1)[-1] if job.errors else "unknown"
    response: HttpResponse
    if wants_html(request):
        response = brief_job_page(request, body, status=200, status_url=request.build_absolute_uri())
    else:
        response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
def brief_job_download(request: HttpRequest, job_id: Any) -> HttpResponseBase:
    """The PDF a finished brief job stored, for the reader who asked for it, as long as
    that reader may still see the timeline (and drafts, if the brief holds them).

    404 for an unknown or unfinished job, another reader's job, or a stored file that
    has been removed; 304 when the ETag matches.
    """
    job = _job_for(request, job_id)
    if job.status != TaskResultStatus.SUCCESSFUL:
        raise Http404("This brief is not ready yet.")
    result = job.return_value
    timeline_ids = set(result["timeline_ids"] if "timeline_ids" in result else [result["timeline_id"]])
    if timelines_visible_to(request.user).filter(pk__in=timeline_ids).count() != len(timeline_ids):
        raise Http404("No such brief job.")
    if result["scope"] == "all" and not all(reads_drafts_of(request.user, pk) for pk in timeline_ids):
        raise Http404("No such brief job.")
    etag = result["file"].rsplit("/", 1)[-1].removesuffix(".pdf")
    not_modified = export.not_modified(request, etag)
    if not_modified is not None:
        return not_modified
    if not default_storage.exists(result["file"]):
        raise Http404("This brief is no longer stored; ask for it again.")
    return stored_pdf_response(result["file"], filename=result["filename"], etag=etag)


def stored_briefs_prune(*, older_than: dt.timedelta) -> int:
    """Delete stored briefs last written more than ``older_than`` ago; returns how many.

    A deleted brief is rendered again by a worker when someone asks for it, and a
    finished job whose file is gone answers 404 with "ask for it again".
    """
    from django.utils import timezone

    if not default_storage.exists(STORAGE_FOLDER):
        return 0
    cutoff = timezone.now() - older_than
    _, names = default_storage.listdir(STORAGE_FOLDER)
    deleted = 0
    for name in names:
        path = f"{STORAGE_FOLDER}/{name}"
        if name.endswith(".pdf") and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
