"""iCalendar (RFC 5545 / RFC 7986) export: events in, bytes out.

Events come in as :class:`~timeline.snapshot.EventSnapshot` values (built by
``queries.event_snapshots``). Each becomes one VEVENT block, which
depends only on that value and :class:`ExportOptions`, so blocks are cached
under :func:`vevent_cache_key` and a feed is a join of cached blocks framed by
a calendar header.

Values are escaped with icalendar's TEXT rules (RFC 5545 §3.3.11, the same
output as ``icalendar.vText``), lines are written and folded here: icalendar's
``Component.to_ical`` spends most of its time folding, and a feed of 10,000
events must render in well under a second.

Date precision maps to calendar entries without inventing a day:

* a date-time with a known offset -> a timed event in UTC;
* a day, or an interval of days -> an all-day event or span (exclusive DTEND);
* a month, season or year (and intervals of them) -> an all-day span over the
  whole period, with the period in the title: "[Apr 2025] …";
* approximate or uncertain dates -> "c." or "?" in the title prefix;
* a time with no known offset -> an all-day event on its day;
* an open or unknown end ("since October 2024", ``2024-10/..``; "until 28 April
  2025", ``../2025-04-28``) -> an all-day span over the period of the known end
  only (October 2024; 28 April 2025), titled "[since Oct 2024] …": a calendar
  cannot draw a bar without an end, and the title says it goes on.

Date-time intervals never reach this module: :mod:`timeline.dates` refuses them.

Leaving year-precision events out of subscription feeds is the caller's choice
(the HTTP layer excludes them from the queryset).

Nothing here reads settings, touches the database beyond prefetched relations,
or knows about requests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from timeline import dates
from timeline.claims import claims_header_value, claims_line
from timeline.snapshot import EventSnapshot, SourceSnapshot

__all__ = [
    "EXPORTER_VERSION",
    "CalendarHeader",
    "ExportOptions",
    "FeedEvent",
    "FeedSource",
    "clean_text",
    "escape_text",
    "fold_line",
    "render_calendar",
    "render_vevent",
    "vevent_cache_key",
]

# Bump whenever the bytes of a block change for the same inputs: it is part of
# every cache key, so old blocks are never served after a deploy.
EXPORTER_VERSION = "3"
PRODID = "-//Event Timelines//Calendar feed 1//EN"
SUMMARY_MAX = 400
LOCATION_MAX = 255
CATEGORIES_MAX = 20
FOLD_LIMIT = 75

# C0 controls except TAB and LF, DEL, C1 controls and lone surrogates. icalendar
# 7.3.2 writes NUL and ESC through unchanged; CR is normalised to LF first.
_STRIP = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), *range(0xD800, 0xE000)])
_NEWLINES = {0x2028: "\n", 0x2029: "\n"}


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
        raw = f"{EXPORTER_VERSION}|{self.site_url}|{self.description_max}"
        return hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()


# The exporter reads the one event snapshot every export shares (timeline.snapshot).
FeedEvent = EventSnapshot
FeedSource = SourceSnapshot


@dataclass(frozen=True, slots=True)
class CalendarHeader:
    """What the VCALENDAR says about itself. Never put a capability URL here."""

    name: str
    description: str = ""


def vevent_cache_key(event: FeedEvent, options: ExportOptions) -> str:
    """The cache key of an event's block: uid, version, exporter version and options,
    plus a digest of what the block shows from other rows (claimant, tags, sources).

    Editing a source's title or URL, or renaming the claimant or a tag, changes the
    key although the event's own version stays the same.
    """
    related = [event.claimant, event.path, *event.tags, "\x1e", claims_header_value(event.claims), "\x1e"]
    for source in event.sources:
        related += [source.title, source.publisher, source.url]
    digest = hashlib.blake2b("\x1f".join(related).encode(), digest_size=8).hexdigest()
    return f"ical:vevent:{options.fingerprint}:{event.uid}:{event.version}:{digest}"


# --- Text ----------------------------------------------------------------------


def clean_text(value: str, *, single_line: bool = False) -> str:
    """Normalise line breaks to LF and strip control characters (TAB is kept).

    With ``single_line``, line breaks become spaces (SUMMARY, LOCATION, CATEGORIES).
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n").translate(_NEWLINES).translate(_STRIP)
    if single_line:
        text = text.replace("\n", " ")
    return text


def escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11): ``\\ \; \, \n``; colons stay as they are.

    Gives the same result as ``icalendar.vText(value).to_ical()`` on cleaned text.
    """
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets on UTF-8 character boundaries (RFC 5545 §3.1).

    Like icalendar, never ends a folded segment with a backslash, so that no
    escape sequence is split for clients that unfold carelessly.
    """
    if len(line) <= FOLD_LIMIT // 4:
        return line
    encoded = line.encode()
    size = len(encoded)
    if size <= FOLD_LIMIT:
        return line
    parts = []
    start, limit = 0, FOLD_LIMIT
    while size - start > limit:
        end = start + limit
        # Back off to the first byte of a character (continuation bytes are 10xxxxxx).
        while encoded[end] & 0xC0 == 0x80:
            end -= 1
        if encoded[end - 1] == 0x5C and end - 1 > start:
            end -= 1
        parts.append(encoded[start:end])
        # Continuation lines start with a space, which counts towards the 75 octets.
        start, limit = end, FOLD_LIMIT - 1
    parts.append(encoded[start:])
    return b"\r\n ".join(parts).decode()


def _text_line(name: str, value: str) -> str:
    return fold_line(f"{name}:{escape_text(value)}")


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Naive datetimes would be written as floating times; pass aware datetimes.")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _ical_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


# --- Dates -----------------------------------------------------------------------


def _date_lines(fuzzy: dates.FuzzyDate) -> list[str]:
    """DTSTART/DTEND for a date, per the precision mapping in the module docstring."""
    moment = fuzzy.moment
    if moment is not None:
        return [f"DTSTART:{_utc(moment)}"]
    upper = fuzzy.known_upper
    lines = [f"DTSTART;VALUE=DATE:{_ical_date(fuzzy.known_lower)}"]
    if upper < dt.date.max:
        # All-day DTEND is exclusive: the day after the last day the date may mean.
        lines.append(f"DTEND;VALUE=DATE:{_ical_date(upper + dt.timedelta(days=1))}")
    return lines


def _is_exact(fuzzy: dates.FuzzyDate) -> bool:
    """True when the calendar entry alone says everything the date says."""
    if fuzzy.approximate or fuzzy.uncertain or fuzzy.is_open:
        return False
    if fuzzy.precision is dates.Precision.MINUTE:
        return fuzzy.moment is not None
    return fuzzy.precision is dates.Precision.DAY


def event_summary(event: FeedEvent, fuzzy: dates.FuzzyDate) -> str:
    """The title, prefixed with the period when the calendar entry alone would overstate it."""
    title = clean_text(event.title, single_line=True)
    if not _is_exact(fuzzy):
        title = f"[{fuzzy.display(short=True)}] {title}"
    return _truncate(title, SUMMARY_MAX)


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
    """One VEVENT block with CRLF endings, folded, ending in CRLF.

    Raises ``dates.InvalidDate`` if the stored EDTF no longer parses, and
    ``ValueError`` for naive created/updated times.
    """
    fuzzy = dates.parse_stored(event.edtf)
    stamp = _utc(event.updated_at)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(clean_text(event.uid, single_line=True))}",
        # DTSTAMP is the last change, never "now", so the bytes are stable.
        f"DTSTAMP:{stamp}",
        f"CREATED:{_utc(event.created_at)}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{int(event.version)}",
        *_date_lines(fuzzy),
        _text_line("SUMMARY", event_summary(event, fuzzy)),
        _text_line("DESCRIPTION", event_description(event, fuzzy, options)),
    ]
    location = _truncate(clean_text(event.location, single_line=True).strip(), LOCATION_MAX)
    if location:
        lines.append(_text_line("LOCATION", location))
    if event.latitude is not None and event.longitude is not None:
        lines.append(f"GEO:{float(event.latitude)};{float(event.longitude)}")
    categories = [clean_text(tag, single_line=True) for tag in event.tags[:CATEGORIES_MAX]]
    categories = [name for name in categories if name]
    if categories:
        lines.append(fold_line("CATEGORIES:" + ",".join(escape_text(name) for name in categories)))
    url = _canonical_url(event, options)
    if url:
        lines.append(fold_line(f"URL:{url}"))
    lines.append("TRANSP:TRANSPARENT")
    # Machine-readable facts, all written as escaped TEXT so no value can start a property.
    lines.append(_text_line("X-TIMELINE-EDTF", fuzzy.edtf))
    lines.append(_text_line("X-TIMELINE-PRECISION", fuzzy.precision.value))
    lines.append(_text_line("X-TIMELINE-CLAIM-STATUS", clean_text(event.status, single_line=True)))
    claimant = clean_text(event.claimant, single_line=True)
    if claimant:
        lines.append(_text_line("X-TIMELINE-CLAIMANT", claimant))
    if event.claims:
        lines.append(_text_line("X-TIMELINE-CLAIMS", clean_text(claims_header_value(event.claims), single_line=True)))
    lines.append(_text_line("X-TIMELINE-CREDIBILITY", str(int(event.credibility))))
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines).encode()


def render_header(header: CalendarHeader, options: ExportOptions) -> bytes:
    """BEGIN:VCALENDAR and the calendar properties (no METHOD: a feed is not an iTIP message)."""
    name = clean_text(header.name, single_line=True)
    description = clean_text(header.description)
    refresh = _duration(options.refresh)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _text_line("PRODID", PRODID),
        "CALSCALE:GREGORIAN",
        _text_line("NAME", name),
        _text_line("X-WR-CALNAME", name),
    ]
    if description:
        lines += [_text_line("DESCRIPTION", description), _text_line("X-WR-CALDESC", description)]
    lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}", f"X-PUBLISHED-TTL:{refresh}", ""]
    return "\r\n".join(lines).encode()


FOOTER = b"END:VCALENDAR\r\n"


def _duration(delta: dt.timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 60)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = ((hours, "H"), (minutes, "M"), (seconds, "S"))
    return "PT" + "".join(f"{amount}{unit}" for amount, unit in parts if amount)


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
