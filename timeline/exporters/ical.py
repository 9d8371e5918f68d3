"""iCalendar (RFC 5545 / RFC 7986) export: events in, bytes out.

Events come in as :class:`~timeline.snapshot.EventSnapshot` values (built by
``queries.event_snapshots``). Each becomes one VEVENT block, built with
``icalendar`` (``Event``, ``vText``, its date types, escaping and folding) and
depending only on that value and :class:`ExportOptions`, so blocks are cached
under :func:`vevent_cache_key` and a feed is a join of cached blocks framed by
a calendar header. :func:`prerender_blocks` fills the cache ahead of readers:
when an event is saved (``timeline.signals`` queues ``tasks.prerender_feed_blocks``
on commit) and after a deploy that changes ``BLOCK_FORMAT`` (``manage.py
warm_feeds``).

Written here rather than by icalendar, each for a stated reason:

* control characters and bidirectional overrides are stripped
  (:func:`clean_text`): icalendar 7.3.2 writes NUL and ESC through, and a
  right-to-left override would reverse a title in a reader's calendar;
* GEO is written in fixed-point notation (:class:`FixedGeo`): ``vGeo`` writes
  ``repr(float)``, which gives ``GEO:1e-05;-1e-07``, not a FLOAT in RFC 5545;
* a literal backslash before a capital N gets a word joiner (U+2060) between
  them: icalendar's ``escape_char`` reads ``\\N`` in the text as a line break;
* the calendar name and description carry ``VALUE=TEXT``: ical.js reads
  NAME and X-WR-CALNAME as an unknown type and would show ``Munitions\\, Troops``.

Date precision maps to calendar entries without inventing a day:

* a date-time with a known offset -> a timed event in UTC;
* a day, or an interval of days -> an all-day event or span (exclusive DTEND);
* a month, season or year (and intervals of them) -> an all-day span over the
  whole period, with the period in the title: "[Apr 2025 · claimed · B3] …";
  a span ending on 31 December 9999 (``9999-12``) has a DURATION instead of a
  DTEND, which would be year 10000;
* approximate or uncertain dates -> "c." or "?" in the title prefix;
* a time with no known offset -> an all-day event on its day;
* an open or unknown end ("since October 2024", ``2024-10/..``; "until 28 April
  2025", ``../2025-04-28``) -> an all-day span over the period of the known end
  only (October 2024; 28 April 2025), titled "[since Oct 2024 · …] …": a calendar
  cannot draw a bar without an end, and the title says it goes on.

Every title starts with the claim status and the Admiralty grade ("[denied · B3] …";
the words and the grade rule come from :mod:`timeline.labels`), and STATUS is CONFIRMED
for a confirmed claim and TENTATIVE for every other: never CANCELLED, which clients
hide or strike through, while a denied claim is a fact subscribers must still see.

Date-time intervals never reach this module: :mod:`timeline.dates` refuses them.

Leaving year-precision events out of subscription feeds is the caller's choice
(the HTTP layer excludes them from the queryset).

Nothing here reads settings, touches the database beyond prefetched relations,
or knows about requests.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import icalendar
from icalendar.prop import vGeo

from timeline import dates
from timeline.claims import claims_header_value, claims_line
from timeline.snapshot import EventSnapshot, SourceSnapshot

__all__ = [
    "BLOCK_FORMAT",
    "EXPORTER_VERSION",
    "CalendarHeader",
    "ExportOptions",
    "FeedEvent",
    "FeedSource",
    "clean_text",
    "prerender_blocks",
    "render_calendar",
    "render_vevent",
    "vevent_cache_key",
]

# The block format version. Bump it whenever the bytes of a block change for the
# same inputs: it is part of every cache key, so old blocks are never served after
# a deploy, and ``manage.py warm_feeds`` fills the new keys before subscribers come.
# 4: claims (the description's first line and X-TIMELINE-CLAIMS).
BLOCK_FORMAT = "4"
EXPORTER_VERSION = BLOCK_FORMAT
PRODID = "-//Event Timelines//Calendar feed 1//EN"
SUMMARY_MAX = 400
LOCATION_MAX = 255
CATEGORIES_MAX = 20

# C0 controls except TAB and LF, DEL, C1 controls and lone surrogates. icalendar
# 7.3.2 writes NUL and ESC through unchanged; CR is normalised to LF first.
_STRIP = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), *range(0xD800, 0xE000)])
# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI,
# FSI, PDI): "\u202egpj.exe" would show as "exe.jpg" in a title or a file name.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_STRIP.update(BIDI_CONTROLS)
_NEWLINES = {0x2028: "\n", 0x2029: "\n"}
_TEXT = {"VALUE": "TEXT"}


class BlockCache(Protocol):
    """The part of Django's cache API the exporter uses."""

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]: ...

    def set_many(self, data: dict[str, Any], timeout: Any = ...) -> Any: ...


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """Everything outside the events that changes a block's bytes.

    ``site_url`` is the absolute base of canonical event links
    ("https://timelines.example.org"); ``description_max`` caps DESCRIPTION in
    characters; ``refresh`` is the refresh hint written into the calendar header.
    """

    site_url: str
    description_max: int = 4000
    refresh: dt.timedelta = dt.timedelta(hours=12)

    @property
    def fingerprint(self) -> str:
        raw = f"{BLOCK_FORMAT}|{self.site_url}|{self.description_max}"
        return hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()


# The exporter reads the one event snapshot every export shares (timeline.snapshot): its
# status words and grade come from timeline.labels.
FeedEvent = EventSnapshot
FeedSource = SourceSnapshot


@dataclass(frozen=True, slots=True)
class CalendarHeader:
    """What the VCALENDAR says about itself. Never put a capability URL here."""

    name: str
    description: str = ""


def vevent_cache_key(event: FeedEvent, options: ExportOptions) -> str:
    """The cache key of an event's block: uid, version, block format and options,
    plus a digest of what the block shows from other rows (claimant, tags, sources).

    Editing a source, the claimant or a tag also moves the event's version
    (``timeline.signals``), so the stamp in the block follows; the digest keeps the
    key right for any path that changes those rows without signals.
    """
    related = [event.claimant, event.path, *event.tags, "\x1e", claims_header_value(event.claims), "\x1e"]
    for source in event.sources:
        related += [source.title, source.publisher, source.url, source.reliability]
    digest = hashlib.blake2b("\x1f".join(related).encode(), digest_size=8).hexdigest()
    return f"ical:vevent:{options.fingerprint}:{event.uid}:{event.version}:{digest}"


# --- Text ----------------------------------------------------------------------


def clean_text(value: str, *, single_line: bool = False) -> str:
    """Normalise line breaks to LF and strip control characters and bidirectional
    overrides (TAB is kept).

    With ``single_line``, line breaks become spaces (SUMMARY, LOCATION, CATEGORIES).
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n").translate(_NEWLINES).translate(_STRIP)
    if "\\N" in text:
        # icalendar's escaping turns a literal backslash-N into a line break; a word joiner keeps it text.
        text = text.replace("\\N", "\\\u2060N")
    if single_line:
        text = text.replace("\n", " ")
    return text


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("Naive datetimes would be written as floating times; pass aware datetimes.")
    return moment.astimezone(dt.UTC)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


class FixedGeo(vGeo):
    """GEO in fixed-point notation: ``vGeo`` writes ``1e-05``, which RFC 5545's FLOAT forbids."""

    def to_ical(self) -> str:
        return f"{_fixed(self.latitude)};{_fixed(self.longitude)}"


def _fixed(number: float) -> str:
    # The shortest decimal that reads back as the same float, without an exponent.
    text = format(decimal.Decimal(repr(float(number))), "f")
    return text if "." in text else text + ".0"


# --- Dates -----------------------------------------------------------------------


def _add_dates(vevent: icalendar.Event, fuzzy: dates.FuzzyDate) -> None:
    """DTSTART and DTEND (or DURATION) for a date, per the precision mapping in the module docstring."""
    moment = fuzzy.moment
    if moment is not None:
        vevent.add("DTSTART", _utc(moment))
        return
    lower, upper = fuzzy.known_lower, fuzzy.known_upper
    vevent.add("DTSTART", lower)
    if upper < dt.date.max:
        # All-day DTEND is exclusive: the day after the last day the date may mean.
        vevent.add("DTEND", upper + dt.timedelta(days=1))
    else:
        # 31 December 9999 has no day after it: state the length instead.
        vevent.add("DURATION", upper - lower + dt.timedelta(days=1))


def _is_exact(fuzzy: dates.FuzzyDate) -> bool:
    """True when the calendar entry alone says everything the date says."""
    if fuzzy.approximate or fuzzy.uncertain or fuzzy.is_open:
        return False
    if fuzzy.precision is dates.Precision.MINUTE:
        return fuzzy.moment is not None
    return fuzzy.precision is dates.Precision.DAY


def event_summary(event: FeedEvent, fuzzy: dates.FuzzyDate) -> str:
    """The title after a prefix of the period (when the calendar entry alone would overstate
    it), the claim status and the grade: "[Apr 2025 · denied · B3] …"."""
    title = clean_text(event.title, single_line=True)
    words = [] if _is_exact(fuzzy) else [fuzzy.display(short=True)]
    words += [clean_text(event.status_label, single_line=True).lower(), event.grade]
    return _truncate(f"[{' · '.join(word for word in words if word)}] {title}", SUMMARY_MAX)


def event_description(event: FeedEvent, fuzzy: dates.FuzzyDate, options: ExportOptions) -> str:
    """Plain text: the date line, the summary, numbered sources, the canonical URL; capped."""
    flags = [flag for flag, on in (("approximate", fuzzy.approximate), ("uncertain", fuzzy.uncertain)) if on]
    if fuzzy.is_open:
        flags.append("open-ended")
    date_part = f"Date: {fuzzy.display()} ({', '.join([f'{fuzzy.precision} precision', *flags])})"
    claimant = clean_text(event.claimant, single_line=True)
    if claimant and event.status == "claimed":
        status_part = f"Claimed by {claimant}"
    elif claimant:
        status_part = f"{event.status_label} · Claimant: {claimant}"
    else:
        status_part = event.status_label
    if event.claims:
        # The claims say who said what; the first line, as readers scan it.
        status_part = event.status_label
    head = f"{date_part} · {status_part} · Credibility {event.credibility}"
    if event.claims:
        head = f"{clean_text(claims_line(event.claims), single_line=True)}\n{head}"
    middle: list[str] = []
    summary = clean_text(event.summary).strip()
    if summary:
        middle.append(summary)
    if event.sources:
        lines = ["Sources:"]
        for number, source in enumerate(event.sources, start=1):
            parts = [clean_text(source.title, single_line=True), clean_text(source.publisher, single_line=True)]
            if _is_http_url(source.url):
                parts.append(source.url)
            lines.append(f"{number}. " + " — ".join(part for part in parts if part))
        middle.append("\n".join(lines))
    url = _canonical_url(event, options)
    tail = f"\n\n{url}" if url else ""
    body = "\n\n".join(middle)
    budget = options.description_max - len(head) - len(tail) - 2
    if body and budget > 1:
        return f"{head}\n\n{_truncate(body, budget)}{tail}"
    return _truncate(head, options.description_max - len(tail)) + tail


def _is_http_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and url == clean_text(url, single_line=True) and " " not in url


def _canonical_url(event: FeedEvent, options: ExportOptions) -> str:
    url = options.site_url.rstrip("/") + event.path
    return url if _is_http_url(url) else ""


# --- Blocks ----------------------------------------------------------------------


def render_vevent(event: FeedEvent, options: ExportOptions) -> bytes:
    """One VEVENT block built with icalendar: CRLF endings, folded, ending in CRLF.

    Raises ``dates.InvalidDate`` if the stored EDTF no longer parses, and
    ``ValueError`` for naive created/updated times.
    """
    fuzzy = dates.parse_stored(event.edtf)
    stamp = _utc(event.updated_at)
    vevent = icalendar.Event()
    vevent.add("UID", clean_text(event.uid, single_line=True))
    # DTSTAMP is the last change of anything the block shows, never "now", so the bytes are stable.
    vevent.add("DTSTAMP", stamp)
    vevent.add("CREATED", _utc(event.created_at))
    vevent.add("LAST-MODIFIED", stamp)
    vevent.add("SEQUENCE", int(event.version))
    _add_dates(vevent, fuzzy)
    vevent.add("SUMMARY", event_summary(event, fuzzy))
    vevent.add("DESCRIPTION", event_description(event, fuzzy, options))
    vevent.add("STATUS", "CONFIRMED" if event.status == "confirmed" else "TENTATIVE")
    location = _truncate(clean_text(event.location, single_line=True).strip(), LOCATION_MAX)
    if location:
        vevent.add("LOCATION", location)
    if event.latitude is not None and event.longitude is not None:
        vevent["GEO"] = FixedGeo((float(event.latitude), float(event.longitude)))
    categories = [clean_text(tag, single_line=True) for tag in event.tags[:CATEGORIES_MAX]]
    categories = [name for name in categories if name]
    if categories:
        vevent.add("CATEGORIES", categories)
    url = _canonical_url(event, options)
    if url:
        vevent.add("URL", url)
    vevent.add("TRANSP", "TRANSPARENT")
    # Machine-readable facts, all written as vText so no value can start a property.
    vevent.add("X-TIMELINE-EDTF", icalendar.vText(fuzzy.edtf))
    vevent.add("X-TIMELINE-PRECISION", icalendar.vText(fuzzy.precision.value))
    vevent.add("X-TIMELINE-CLAIM-STATUS", icalendar.vText(clean_text(event.status, single_line=True)))
    claimant = clean_text(event.claimant, single_line=True)
    if claimant:
        vevent.add("X-TIMELINE-CLAIMANT", icalendar.vText(claimant))
    if event.claims:
        vevent.add(
            "X-TIMELINE-CLAIMS", icalendar.vText(clean_text(claims_header_value(event.claims), single_line=True))
        )
    vevent.add("X-TIMELINE-CREDIBILITY", icalendar.vText(str(int(event.credibility))))
    return vevent.to_ical(sorted=False)


FOOTER = b"END:VCALENDAR\r\n"


def render_header(header: CalendarHeader, options: ExportOptions) -> bytes:
    """BEGIN:VCALENDAR and the calendar properties (no METHOD: a feed is not an iTIP message)."""
    name = clean_text(header.name, single_line=True)
    description = clean_text(header.description)
    calendar = icalendar.Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", name, parameters=_TEXT)
    calendar.add("X-WR-CALNAME", icalendar.vText(name), parameters=_TEXT)
    if description:
        calendar.add("DESCRIPTION", description, parameters=_TEXT)
        calendar.add("X-WR-CALDESC", icalendar.vText(description), parameters=_TEXT)
    refresh = max(options.refresh, dt.timedelta(minutes=1))
    # icalendar's refresh_interval setter leaves out VALUE=DURATION, which RFC 7986 §5.7 requires.
    calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(refresh))
    body = calendar.to_ical(sorted=False)
    assert body.endswith(FOOTER)
    return body[: -len(FOOTER)]


def render_blocks(
    events: Sequence[FeedEvent], options: ExportOptions, *, cache: BlockCache | None = None
) -> list[bytes]:
    """VEVENT blocks for ``events``, from ``cache`` where possible.

    Missing blocks are rendered and stored back with one ``set_many``.
    """
    if cache is None:
        return [render_vevent(event, options) for event in events]
    keys = [vevent_cache_key(event, options) for event in events]
    found = cache.get_many(keys)
    missing: dict[str, bytes] = {}
    blocks = []
    for key, event in zip(keys, events, strict=True):
        block = found.get(key)
        if block is None:
            block = missing[key] = render_vevent(event, options)
        blocks.append(block)
    if missing:
        cache.set_many(missing)
    return blocks


def prerender_blocks(events: Sequence[FeedEvent], options: ExportOptions, *, cache: BlockCache) -> int:
    """Store the blocks of ``events`` that ``cache`` does not hold yet; returns how many were rendered.

    An event whose stored date no longer parses is skipped (the feed request
    raises for it, where it can be seen).
    """
    keys = [vevent_cache_key(event, options) for event in events]
    found = cache.get_many(keys)
    missing: dict[str, bytes] = {}
    for key, event in zip(keys, events, strict=True):
        if key not in found:
            try:
                missing[key] = render_vevent(event, options)
            except dates.InvalidDate:
                continue
    if missing:
        cache.set_many(missing)
    return len(missing)


def render_calendar(
    events: Sequence[FeedEvent],
    header: CalendarHeader,
    options: ExportOptions,
    *,
    cache: BlockCache | None = None,
) -> bytes:
    """A complete VCALENDAR: header, one VEVENT per event, footer.

    With no events the calendar has no components, which every client tested
    accepts (RFC 5545 asks for at least one; an empty feed is the truth).
    """
    blocks = render_blocks(events, options, cache=cache)
    return b"".join([render_header(header, options), *blocks, FOOTER])
