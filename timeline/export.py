"""One export pipeline for every format: resolve → filter → selection key and ETag →
conditional request → cache → render.

Shaped after pretalx's exporter base class and registry (``src/pretalx/common/exporter.py``):
an :class:`Exporter` declares its identifier, media type and file extension, says what
besides the data decides its bytes (:meth:`Exporter.fingerprint`) and renders an
:class:`ExportSnapshot` to bytes. It never sees a request or a response. Everything
HTTP lives here, once:

* :func:`timeline_for` resolves the timeline through :mod:`timeline.access` (an unknown
  and an invisible timeline answer the same 404);
* :func:`validated_filter` reads the request with :class:`~timeline.filters.EventFilter`
  and raises :class:`FilterRefused`, which every surface answers with the same 400
  body, DRF's shape: ``{"field": ["message", ...]}`` (:func:`refusal_response`);
* :func:`selection_key` digests the timeline state, the filter and the exporter's
  fingerprint into the ETag;
* :func:`not_modified` is the one ``If-None-Match``/``If-Modified-Since`` check (Django's
  ``get_conditional_response``; a date is compared only once its second is over, see
  :func:`validator_time`), :func:`etag_matches` the one comparison of held tags;
* :func:`serve` answers a resolved :class:`Export`: 304, the body kept by this process
  (:class:`RecentBodies`, where the export names one) or cached, or a throttled render
  that is cached for the next reader; an export that asks for it (``compress``) also keeps
  its gzip-compressed body, for the clients that take gzip.

A new format (CSV) is one module with an ``Exporter`` subclass registered with
:func:`register` (about 15 lines: identifier, media type, extension, ``render``) and one
URL: ``path("timelines/<slug:slug>/events.csv", export.timeline_export_view("csv"))``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import content_disposition_header, http_date, parse_etags
from django.utils.text import compress_string
from django.views.decorators.http import require_safe

from timeline import access
from timeline.filters import EventFilter, window_anchor
from timeline.models import Event, Timeline
from timeline.snapshot import EventSnapshot

# --- Exporters and their registry -------------------------------------------------------


@dataclass(frozen=True)
class ExportSnapshot:
    """Everything an exporter renders: the events, in order, and the words about them."""

    events: Sequence[EventSnapshot] | Iterable[EventSnapshot]
    title: str
    description: str = ""
    marking: str = ""
    bottom_line: str = ""
    key_judgements: str = ""
    filter_words: tuple[str, ...] = ()
    as_of: dt.datetime | None = None
    data_version: str = ""


class Exporter:
    """The base of every export format: declarative metadata plus :meth:`render`.

    Subclasses set ``identifier`` (unique, e.g. "ics"), ``media_type`` and ``extension``,
    and implement :meth:`render`. Rendering is pure: the same snapshot and fingerprint
    give the same bytes.
    """

    identifier: ClassVar[str] = ""
    media_type: ClassVar[str] = "application/octet-stream"
    extension: ClassVar[str] = ""

    def fingerprint(self) -> str:
        """What, besides the data and the filter, decides the bytes (versions, options)."""
        return self.identifier

    def render(self, snapshot: ExportSnapshot) -> bytes:
        """The export of ``snapshot`` as bytes."""
        raise NotImplementedError

    def filename(self, slug: str, snapshot_words: Sequence[str] = ()) -> str:
        return f"{slug}{'-filtered' if snapshot_words else ''}.{self.extension}"


EXPORTERS: dict[str, Callable[[], Exporter]] = {}


def register(exporter_class: type[Exporter]) -> type[Exporter]:
    """Class decorator: make ``exporter_class`` findable by its identifier."""
    if not exporter_class.identifier or exporter_class.identifier in EXPORTERS:
        raise ValueError(f"Exporter identifier {exporter_class.identifier!r} is empty or taken.")
    EXPORTERS[exporter_class.identifier] = exporter_class
    return exporter_class


def exporter_for(identifier: str) -> Exporter:
    """A new exporter for ``identifier`` (exporters read settings when made, never at import)."""
    # The shipped formats register when their module is imported.
    import timeline.exporters.formats  # noqa: F401

    return EXPORTERS[identifier]()


# --- Filters: one 400 for every surface --------------------------------------------------


class FilterRefused(ValueError):
    """Parameters that do not validate; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


def refusal_response(refused: FilterRefused) -> HttpResponse:
    """The 400 every export surface answers for bad parameters: ``{"field": ["message"]}``,
    as DRF answers in the API."""
    response = JsonResponse(refused.errors, status=400)
    response["Cache-Control"] = "no-cache"
    return response


def validated_filter(params: QueryDict, *, queryset: QuerySet[Event], request: Any = None) -> EventFilter:
    """``EventFilter`` over ``queryset`` for ``params``; raises :class:`FilterRefused`."""
    event_filter = EventFilter(params, queryset=queryset, request=request)
    if not event_filter.is_valid():
        raise FilterRefused({name: [str(m) for m in messages] for name, messages in event_filter.errors.items()})
    return event_filter


def flag(params: QueryDict, name: str) -> bool:
    """A yes/no parameter ("1", "true", "yes", "on" / "", "0", "false", "no", "off");
    raises :class:`FilterRefused` for anything else."""
    value = params.get(name, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise FilterRefused({name: [f"“{value}” is not a yes/no value; use 1 or 0."]})


def timeline_for(user: Any, slug: str) -> Timeline:
    """The timeline ``slug`` if ``user`` may read it; raises Http404 alike for one that does
    not exist and one the reader may not see."""
    timeline = access.timelines_visible_to(user).filter(slug=slug).first()
    if timeline is None:
        raise Http404("No such timeline.")
    return timeline


def selection_key(*parts: Any) -> str:
    """A 40-hex digest of ``parts`` (JSON-encoded): the ETag and cache key of one selection."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:40]


def query_parts(params: QueryDict) -> list[tuple[str, list[str]]]:
    """``params`` in a canonical order, for :func:`selection_key`."""
    return sorted((key, sorted(params.getlist(key))) for key in params)


# --- Conditional requests ------------------------------------------------------------------


def quoted(etag: str) -> str:
    return etag if etag.startswith(('"', 'W/"')) else f'"{etag}"'


def etag_matches(header: str | None, etag: str, *, weak: bool = True) -> bool:
    """Whether an ``If-None-Match`` (``weak``, RFC 9110 §8.8.3.2) or ``If-Match`` (strong)
    header names ``etag``; ``*`` matches any."""
    if not header:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    wanted = quoted(etag)
    if weak:
        return wanted.removeprefix("W/") in (tag.removeprefix("W/") for tag in tags)
    return not wanted.startswith("W/") and wanted in tags


def validator_time(moment: dt.datetime | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """For content last changed at ``moment``: (the time If-Modified-Since is compared
    with, the Last-Modified to send).

    HTTP dates have one-second resolution, so a client that read the content between two
    changes in the same second would send that second back and get a stale 304 for the
    second change. So the comparison uses ``moment`` rounded up to the whole second,
    and only once that second is over (a later change then has a later date); until
    then, no 304 is given on a date, and the Last-Modified sent is the second itself
    (rounded down), which the next comparison will not match.
    """
    if moment is None:
        return None, None
    floor = moment.replace(microsecond=0)
    ceiling = floor + dt.timedelta(seconds=1) if moment.microsecond else floor
    if ceiling <= timezone.now():
        return ceiling, ceiling
    return None, floor


def not_modified(
    request: HttpRequest, etag: str, *, last_modified: dt.datetime | None = None
) -> HttpResponseBase | None:
    """The 304 (or 412) that the request's conditional headers ask for, with the validators
    on it; None when the body must be sent. ``If-Modified-Since`` counts only without
    ``If-None-Match`` (RFC 9110 §13.2.2), and only once the second of ``last_modified``
    is over (:func:`validator_time`)."""
    return _not_modified(request, etag, *validator_time(last_modified))


def _not_modified(
    request: HttpRequest, etag: str, compared: dt.datetime | None, sent: dt.datetime | None
) -> HttpResponseBase | None:
    stamp = int(compared.timestamp()) if compared else None
    response = get_conditional_response(request, etag=quoted(etag), last_modified=stamp)
    if response is not None:
        label(response, etag, sent)
    return response


def label(response: HttpResponseBase, etag: str, last_modified: dt.datetime | None = None) -> None:
    """Put the validators on ``response`` (``last_modified`` as it is, to the second below:
    pass the Last-Modified :func:`validator_time` gives)."""
    response["ETag"] = quoted(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())


# --- Serving a resolved export -------------------------------------------------------------


class RecentBodies:
    """The bodies this process served last, by their cache key, up to ``limit`` bytes.

    A body's key is derived from its ETag (the data's state, the parameters, the
    exporter's fingerprint), so a kept body is never stale. Reading an 11 MB calendar
    back from the shared cache costs an unpickled copy (3-6 ms measured on the
    10,000-event benchmark feed, more over the network to Redis), which the 10 ms warm
    target of the feeds cannot afford.
    """

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.limit = limit
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def clear(self) -> None:
        """Forget every kept body (as a newly started process has none)."""
        with self._lock:
            self._bodies.clear()
            self._size = 0

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            self._size += len(body) - (len(old) if old is not None else 0)
            self._bodies[key] = body
            while self._size > self.limit:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped)


def _nothing() -> None:
    return None


def _no_answer() -> HttpResponseBase | None:
    return None


@dataclass(frozen=True)
class Export:
    """A request resolved to what it would render, before anything is rendered.

    ``check`` runs before a 200 is rendered, never for a 304 or a cached body (which was
    rendered for these very parameters): it raises :class:`FilterRefused`. ``prepare``
    may answer instead of rendering (a PDF stored by a worker), before the render
    throttle counts; ``defer`` may answer instead of rendering after it (a queued job).
    """

    exporter: Exporter
    etag: str
    snapshot: Callable[[], ExportSnapshot]
    last_modified: dt.datetime | None = None
    filename: str = ""
    check: Callable[[], None] = _nothing
    prepare: Callable[[], HttpResponseBase | None] = _no_answer
    defer: Callable[[], HttpResponseBase | None] = _no_answer
    throttles: Sequence[Any] = ()
    throttle_message: str = "Too many exports were rendered for this client."
    headers: dict[str, str] = field(default_factory=dict)
    # False where the parts are cached and cheap to join (a one-event calendar).
    cache_body: bool = True
    # Bodies this process keeps in memory besides the shared cache (the feeds' warm path).
    kept: RecentBodies | None = None
    # Also keep the body gzip-compressed and send that to clients that take gzip (calendar
    # clients all do): compressing an 11 MB feed costs about 0.25 s, and reading the
    # compressed body from the shared cache moves 1.3 MB instead of 11. Only for bodies
    # without secrets next to reflected input: a kept compressed body is the same bytes for
    # every request, without the random padding GZipMiddleware adds against BREACH.
    compress: bool = False

    @property
    def cache_key(self) -> str:
        return f"export:{self.exporter.identifier}:{self.etag}"

    def encoded_key(self, encoding: str) -> str:
        return f"{self.cache_key}:{encoding}" if encoding else self.cache_key


def cached_body(export: Export, *, encoding: str = "") -> bytes | None:
    """The body rendered earlier for ``export`` (these very parameters and data), from this
    process's kept bodies or the shared cache; None when it must be rendered. With
    ``encoding="gzip"``: that body gzip-compressed, if it was kept so."""
    if not export.cache_body:
        return None
    key = export.encoded_key(encoding)
    body = export.kept.get(key) if export.kept is not None else None
    if body is None:
        body = cache.get(key)
        if body is not None and export.kept is not None:
            export.kept.put(key, body)
    return body


def keep_body(export: Export, body: bytes, *, encoding: str = "") -> None:
    """Store a rendered body of ``export`` (or, with ``encoding="gzip"``, that body
    compressed) for the next reader (shared cache, kept bodies)."""
    if export.cache_body:
        key = export.encoded_key(encoding)
        cache.set(key, body)
        if export.kept is not None:
            export.kept.put(key, body)


def _gzip_wanted(request: HttpRequest, export: Export) -> bool:
    # As GZipMiddleware decides; it leaves alone a response that already has an encoding.
    return (
        export.compress
        and export.cache_body
        and bool(re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")))
    )


def serve(request: HttpRequest, export: Export) -> HttpResponseBase:
    """Answer ``export``: a 304 when the client holds the ETag, the cached body, or a render
    (after ``check``, ``prepare``, the throttle and ``defer``) that is then cached. An export
    with ``compress`` answers a client that takes gzip with its kept compressed body (made
    and kept on the first such request), with a weak ETag as GZipMiddleware gives."""
    compared, sent = validator_time(export.last_modified)
    encoding = "gzip" if _gzip_wanted(request, export) else ""
    unchanged = _not_modified(request, export.etag, compared, sent)
    if unchanged is not None:
        if encoding and unchanged.status_code == 304:
            # The ETag the 200 would carry (RFC 9110 §15.4.5).
            unchanged["ETag"] = "W/" + unchanged["ETag"]
        return unchanged
    # A compressed body is looked for first: a client that takes it never needs the plain one.
    content = cached_body(export, encoding=encoding) if encoding else None
    if content is None:
        body = cached_body(export)
        if body is None:
            rendered = _render(request, export)
            if isinstance(rendered, HttpResponseBase):
                return rendered
            body = rendered
            keep_body(export, body)
        content = body
        if encoding:
            content = compress_string(body)
            keep_body(export, content, encoding=encoding)
    response = HttpResponse(content, content_type=export.exporter.media_type)
    label(response, export.etag, sent)
    if export.compress:
        patch_vary_headers(response, ("Accept-Encoding",))
    if encoding:
        response["Content-Encoding"] = encoding
        response["ETag"] = "W/" + response["ETag"]
    if export.filename:
        response["Content-Disposition"] = content_disposition_header(True, export.filename)
    for name, value in export.headers.items():
        response[name] = value
    return response


def _render(request: HttpRequest, export: Export) -> bytes | HttpResponseBase:
    """``export``'s body, or the answer given instead of rendering it (a 400 for bad
    parameters, ``prepare``'s or ``defer``'s answer, a 429 from the render throttle)."""
    from timeline.throttles import throttled_response

    try:
        export.check()
    except FilterRefused as refused:
        return refusal_response(refused)
    answer = export.prepare()
    if answer is not None:
        return answer
    if export.throttles:
        refused_render = throttled_response(request, export.throttles, message=export.throttle_message)
        if refused_render is not None:
            return refused_render
    answer = export.defer()
    if answer is not None:
        return answer
    return export.exporter.render(export.snapshot())


def timeline_export(request: HttpRequest, slug: str, *, identifier: str) -> HttpResponseBase:
    """The generic export of a timeline's events, filtered like the API, for the reader:
    what a new format's URL points at (see the module docstring)."""
    from timeline.queries import event_snapshots

    exporter = exporter_for(identifier)
    timeline = timeline_for(request.user, slug)
    base = access.events_listed_for(request.user, timeline=timeline)
    params = request.GET.copy()
    params.pop("timeline", None)
    try:
        event_filter = validated_filter(params, queryset=base, request=request)
    except FilterRefused as refused:
        return refusal_response(refused)
    scope = "all" if access.reads_drafts_of(request.user, timeline) else "published"
    # window_anchor: a window relative to today ("from=-90d") means other events tomorrow.
    etag = selection_key(
        timeline.pk,
        timeline.content_changed_at,
        query_parts(params),
        window_anchor(params),
        scope,
        exporter.fingerprint(),
    )
    words = tuple(event_filter.describe())

    def snapshot() -> ExportSnapshot:
        return ExportSnapshot(
            events=event_snapshots(event_filter.qs),
            title=timeline.title,
            description=timeline.description,
            filter_words=words,
            as_of=timeline.content_changed_at,
        )

    export = Export(
        exporter=exporter,
        etag=etag,
        snapshot=snapshot,
        filename=exporter.filename(timeline.slug, words),
        headers={"Cache-Control": "private, no-cache", "Vary": "Cookie, Authorization"},
    )
    return serve(request, export)


def timeline_export_view(identifier: str) -> Callable[..., HttpResponseBase]:
    """A GET/HEAD view exporting a timeline (``<slug:slug>`` in the URL) with ``identifier``."""

    @require_safe
    def view(request: HttpRequest, slug: str) -> HttpResponseBase:
        return timeline_export(request, slug, identifier=identifier)

    return view
