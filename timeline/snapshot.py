"""The one snapshot of events that every export reads: plain frozen values, no ORM.

:func:`timeline.queries.event_snapshots` builds them from a queryset in three or four
queries; :meth:`EventSnapshot.from_model` copies an ``Event`` whose relations were
prefetched. Calendar feeds, PDF briefs and any later format (CSV) render these values,
so an event's facts (its grade, its status words, its canonical path) are worked out once.

Plain dataclasses rather than model instances: at 10,000 events a model instance with
prefetched relations costs about 0.1 ms per event and relation, more than the calendar
block it feeds (``benchmarks/feeds.py`` measures the two reads side by side).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from timeline import labels


@dataclass(frozen=True, slots=True)
class SourceSnapshot:
    pk: int
    title: str
    publisher: str
    url: str
    published: str = ""
    reliability: str = labels.UNJUDGED_RELIABILITY
    # A copy kept by a web archive, and when the original was read (briefs print both).
    archived_url: str = ""
    accessed: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CitationSnapshot:
    source: SourceSnapshot
    quote: str = ""
    locator: str = ""


@dataclass(frozen=True, slots=True)
class EventSnapshot:
    """What any export may show of one event."""

    pk: int
    uid: str
    version: int
    title: str
    summary: str
    date: str
    precision: str
    location: str
    latitude: float | None
    longitude: float | None
    status: str
    credibility: int
    key: bool
    reported: str
    published: bool
    claimant: str
    tags: tuple[str, ...]
    citations: tuple[CitationSnapshot, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    # The event's canonical page, e.g. "/events/<uid>/".
    path: str
    # Names, in the order of the relation; empty when the snapshot was built without actors.
    actors: tuple[str, ...] = ()
    # Where the event was imported from (ACLED's id, a calendar's UID); empty otherwise.
    external_id: str = ""

    @property
    def edtf(self) -> str:
        return self.date

    @property
    def status_label(self) -> str:
        return labels.status_label(self.status)

    @property
    def sources(self) -> tuple[SourceSnapshot, ...]:
        """The cited sources in citation order (a source cited twice appears twice)."""
        return tuple(citation.source for citation in self.citations)

    @property
    def reliability(self) -> str:
        return labels.best_reliability(source.reliability for source in self.sources)

    @property
    def grade(self) -> str:
        return labels.grade(self.reliability, self.credibility)

    @classmethod
    def from_model(cls, event: Any) -> EventSnapshot:
        """Copy an ``Event`` whose claimant, actors, tags and citations with sources are
        loaded (``queries.events_with_relations``); runs no query then."""
        from timeline import links

        return cls(
            pk=event.pk,
            uid=str(event.uid),
            version=event.version,
            title=event.title,
            summary=event.summary,
            date=event.date,
            precision=event.precision,
            location=event.location,
            latitude=event.latitude,
            longitude=event.longitude,
            status=event.status,
            credibility=event.credibility,
            key=event.key,
            reported=event.reported,
            published=event.published,
            claimant=event.claimant.name if event.claimant_id else "",
            tags=tuple(tag.name for tag in event.tags.all()),
            citations=tuple(
                CitationSnapshot(
                    source=SourceSnapshot(
                        pk=citation.source.pk,
                        title=citation.source.title,
                        publisher=citation.source.publisher,
                        url=citation.source.url,
                        published=citation.source.published,
                        reliability=citation.source.reliability,
                        archived_url=citation.source.archived_url,
                        accessed=citation.source.accessed,
                    ),
                    quote=citation.quote,
                    locator=citation.locator,
                )
                for citation in event.citations.all()
            ),
            created_at=event.created_at,
            updated_at=event.updated_at,
            path=links.event_page_path(event.uid),
            actors=tuple(actor.name for actor in event.actors.all()),
            external_id=event.external_id,
        )
