"""Events as TimelineJS3 JSON (``timelinejs.json``), the format newsrooms embed.

TimelineJS dates are year/month/day(/hour/minute) parts, so each end of an event's date
is written at the precision the source gave (a month stays ``{"year", "month"}``, never a
day) and a season becomes the months it spans. What TimelineJS cannot express (circa,
uncertain, open ends) is said in ``display_date`` ("c. June 2025", "since October 2024"),
from which the importer reads the exact EDTF back. The event's text carries its summary
and, in a paragraph of class ``tl-meta``, the claim, the grade and the sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils.html import escape

from timeline import dates, labels
from timeline.snapshot import EventSnapshot

META_CLASS = "tl-meta"


def _point(point: Any) -> dict[str, Any]:
    parts: dict[str, Any] = {"year": point.year}
    if point.precision in (dates.Precision.MONTH, dates.Precision.DAY, dates.Precision.MINUTE):
        parts["month"] = point.month
    if point.precision in (dates.Precision.DAY, dates.Precision.MINUTE):
        parts["day"] = point.day
    if point.precision is dates.Precision.MINUTE and point.moment is not None:
        parts["hour"], parts["minute"] = point.moment.hour, point.moment.minute
        if point.moment.second:
            parts["second"] = point.moment.second
    return parts


def _season(point: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"year": point.lower.year, "month": point.lower.month}, {
        "year": point.upper.year,
        "month": point.upper.month,
    }


def date_parts(fuzzy: dates.FuzzyDate) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``start_date`` and ``end_date`` (None for a single date) at the precision each end has."""
    start, end = fuzzy.start, fuzzy.end
    if start is None:  # "until …": TimelineJS needs a start; the display date says "until"
        assert end is not None
        start, end = end, None
    if start.precision is dates.Precision.SEASON:
        first, last = _season(start)
        start_parts, end_parts = first, (last if end is None else None)
    else:
        start_parts, end_parts = _point(start), None
    if end is not None:
        end_parts = _season(end)[1] if end.precision is dates.Precision.SEASON else _point(end)
    return start_parts, end_parts


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip())


def event_entry(event: EventSnapshot) -> dict[str, Any]:
    fuzzy = dates.parse_stored(event.date)
    start, end = date_parts(fuzzy)
    status = labels.status_label(event.status)
    claim = f"{status} · claimed by {event.claimant}" if event.claimant else status
    links = [f'<a href="{escape(c.source.url)}">{escape(c.source.title)}</a>' for c in event.citations if c.source.url]
    meta = " · ".join([escape(claim), f"grade {event.grade}", *links])
    entry: dict[str, Any] = {
        "unique_id": str(event.uid),
        "start_date": {**start, "display_date": fuzzy.display()},
        "display_date": fuzzy.display(),
        "text": {
            "headline": escape(event.title),
            "text": _paragraphs(event.summary) + f'<p class="{META_CLASS}">{meta}</p>',
        },
    }
    if end is not None:
        entry["end_date"] = end
    if event.tags:
        entry["group"] = event.tags[0]
    return entry


def render_timelinejs(*, title: str, description: str, events: Iterable[EventSnapshot]) -> bytes:
    document = {
        "title": {"text": {"headline": escape(title), "text": _paragraphs(description)}},
        "events": [event_entry(event) for event in events],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
