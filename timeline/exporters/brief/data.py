"""What a brief prints, as plain values copied out of the ORM, and its ordering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from timeline import dates, labels
from timeline.claims import ClaimView
from timeline.snapshot import EventSnapshot

TEMPLATE_VERSION = "brief-2"

# The words come from timeline.labels, as everywhere else.
STATUS_LABELS = labels.STATUS_LABELS
STATUS_MEANINGS = [(labels.STATUS_LABELS[status], meaning) for status, meaning in labels.STATUS_MEANINGS.items()]
CONFIDENCE_MEANINGS = list(labels.CONFIDENCE_MEANINGS.items())
RELIABILITY_LABELS = labels.RELIABILITY_WORDS
CREDIBILITY_LABELS = labels.CREDIBILITY_WORDS


@dataclass(frozen=True, slots=True)
class BriefCitation:
    source_id: int
    quote: str
    locator: str


@dataclass(slots=True)
class BriefEvent:
    """What the brief prints about one event: plain values, no ORM."""

    pk: int
    title: str
    summary: str
    date: str
    lower: dt.date
    upper: dt.date
    precision: str
    status: str
    claimant: str
    grade: str
    credibility: int
    key: bool
    location: str
    reported: str
    actors: list[str]
    tags: list[str]
    citations: list[BriefCitation]
    url: str
    number: int = 0
    # Not published: printed with DRAFT on the entry and on every page.
    draft: bool = False
    # Where it happened, for the locator map (both or neither).
    latitude: float | None = None
    longitude: float | None = None
    # Who said what, in the order made (only claims the brief's reader may see).
    claims: tuple[ClaimView, ...] = ()

    @property
    def display_date(self) -> str:
        return dates.parse_stored(self.date).display(short=True)

    @property
    def is_span(self) -> bool:
        """True when the date covers more than one day (uncertain or an interval)."""
        return self.lower != self.upper


@dataclass(slots=True)
class BriefSource:
    pk: int
    title: str
    publisher: str
    published: str
    url: str
    reliability: str
    number: int = 0
    # A copy kept by a web archive, and when the original was read; "" when none.
    archived_url: str = ""
    accessed: str = ""
    # (quote, locator) -> numbers of the events citing it, in chronology order
    quotes: dict[tuple[str, str], list[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BriefInfo:
    """Everything on the cover that does not come from the events."""

    title: str
    description: str = ""
    marking: str = ""
    as_of: dt.datetime | None = None
    filter_words: Sequence[str] = ()
    data_version: str = ""
    author: str = "Event timelines"
    site_url: str = ""
    # The analyst's framing, printed first: plain text with **bold** and *italic*.
    bottom_line: str = ""
    key_judgements: str = ""


def brief_info_for(
    timeline: Any,
    *,
    filter_words: Sequence[str] = (),
    as_of: dt.datetime | None = None,
    data_version: str = "",
    site_url: str = "",
) -> BriefInfo:
    """Cover information for a timeline (any object with title, description, marking,
    content_changed_at). ``as_of`` defaults to when the timeline's content last changed."""
    return BriefInfo(
        title=timeline.title,
        description=timeline.description or "",
        marking=timeline.marking or "",
        as_of=as_of or getattr(timeline, "content_changed_at", None),
        filter_words=tuple(filter_words),
        data_version=data_version,
        site_url=site_url,
        bottom_line=getattr(timeline, "bottom_line", "") or "",
        key_judgements=getattr(timeline, "key_judgements", "") or "",
    )


def snapshot_events(
    events: Iterable[EventSnapshot | Any], *, site_url: str = ""
) -> tuple[list[BriefEvent], dict[int, BriefSource]]:
    """The brief's numbered entries for ``events``: :class:`~timeline.snapshot.EventSnapshot`
    values (``queries.event_snapshots``, with the claims the reader may see), or ``Event``
    instances with relations prefetched (``queries.events_with_relations``, and the claims in
    ``claim_list``: ``queries.claims_prefetch``), copied so the model instances can be freed."""
    entries: list[BriefEvent] = []
    sources: dict[int, BriefSource] = {}
    # Names, places, statuses and locators repeat from event to event: keep one copy of each
    # (each row read from the database is a new string; at 10,000 events about 5 MiB).
    shared: dict[str, str] = {}
    share = shared.setdefault
    for item in events:
        event = item if isinstance(item, EventSnapshot) else EventSnapshot.from_model(item)
        citations = []
        for citation in event.citations:
            source = citation.source
            if source.pk not in sources:
                sources[source.pk] = BriefSource(
                    pk=source.pk,
                    title=source.title,
                    publisher=source.publisher,
                    published=source.published,
                    url=source.url,
                    reliability=source.reliability,
                    archived_url=source.archived_url,
                    accessed=source.accessed.isoformat() if source.accessed else "",
                )
            citations.append(BriefCitation(source.pk, citation.quote, share(citation.locator, citation.locator)))
        # An open end ("since October 2024") is drawn and grouped by its known end only.
        fuzzy = dates.parse_stored(event.date)
        entries.append(
            BriefEvent(
                pk=event.pk,
                title=event.title,
                summary=event.summary,
                date=event.date,
                lower=fuzzy.known_lower,
                upper=fuzzy.known_upper,
                precision=share(event.precision, event.precision),
                status=share(event.status, event.status),
                claimant=share(event.claimant, event.claimant),
                grade=share(event.grade, event.grade),
                credibility=event.credibility,
                key=event.key,
                location=share(event.location, event.location),
                reported=share(event.reported, event.reported),
                actors=[share(name, name) for name in event.actors],
                tags=[share(name, name) for name in event.tags],
                citations=citations,
                url=f"{site_url}{event.path}" if site_url else "",
                draft=not event.published,
                latitude=event.latitude if event.longitude is not None else None,
                longitude=event.longitude if event.latitude is not None else None,
                claims=event.claims,
            )
        )
    return entries, sources


# --- Ordering and numbering ---


def group_key(event: BriefEvent) -> tuple[int, int]:
    """(year, month) of the chronology group; month 0 for events only known to the year."""
    same_year = event.lower.year == event.upper.year
    whole_year = same_year and (event.lower.month, event.lower.day, event.upper.month, event.upper.day) == (
        1,
        1,
        12,
        31,
    )
    if whole_year and "/" not in event.date:
        return event.lower.year, 0
    return event.lower.year, event.lower.month


def chronology_key(event: BriefEvent) -> tuple[Any, ...]:
    return (*group_key(event), event.lower, event.upper, event.pk)


def number_events_and_sources(events: list[BriefEvent], sources: dict[int, BriefSource]) -> list[BriefSource]:
    """Number events in chronology order and sources by first citation; collect the quotes."""
    ordered: list[BriefSource] = []
    for number, event in enumerate(events, start=1):
        event.number = number
        for citation in event.citations:
            source = sources[citation.source_id]
            if not source.number:
                ordered.append(source)
                source.number = len(ordered)
            cited_by = source.quotes.setdefault((citation.quote.strip(), citation.locator.strip()), [])
            if not cited_by or cited_by[-1] != number:
                cited_by.append(number)
    return ordered
