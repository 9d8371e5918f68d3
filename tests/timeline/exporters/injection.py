"""Hostile text for the iCal exporter, shared by the injection tests and their ``python -O`` run.

Run as ``python -O -m tests.timeline.exporters.injection`` to write the feed to stdout.
"""

from __future__ import annotations

import datetime as dt
import sys

from timeline.exporters import ical
from timeline.snapshot import CitationSnapshot, EventSnapshot, SourceSnapshot

LONG_WORD = "Ж" * 2 + "x" * 9_998
PAYLOADS = [
    "lone\rcarriage return",
    "line\nfeed",
    "crlf\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:injected",
    "nul\x00byte",
    "escape\x1b[31mred",
    "commas, commas, commas",
    "semi;colons;here",
    "back\\slash\\ and \\n and \\N and \\, literal",
    "colon: DTSTART:20250101",
    LONG_WORD,
    "Кирило Буданов: «Ми знаємо»",
    "김정은 위원장, 러시아 파병",
    "quotes \"double\" and 'single' and ^caret^",
    "tab\tseparated",
]
OPTIONS = ical.ExportOptions(site_url="https://timelines.example.org", description_max=100_000)
MOMENT = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def injection_event(number: int, payload: str) -> EventSnapshot:
    """An event carrying ``payload`` in every text field."""
    source = SourceSnapshot(
        pk=number + 1, title=payload[:300], publisher=payload[:200], url="https://news.example.org/a"
    )
    return EventSnapshot(
        pk=number + 1,
        uid=f"00000000-0000-4000-8000-{number:012d}",
        version=1,
        title=payload[:300],
        summary=payload,
        date="2025-04",
        precision="month",
        location=payload[:200],
        latitude=None,
        longitude=None,
        status="claimed",
        credibility=3,
        key=False,
        reported="",
        published=True,
        claimant=payload[:200],
        tags=(payload[:100], "plain"),
        citations=(CitationSnapshot(source),),
        created_at=MOMENT,
        updated_at=MOMENT,
        path=f"/events/00000000-0000-4000-8000-{number:012d}/",
    )


def injection_events() -> list[EventSnapshot]:
    return [injection_event(number, payload) for number, payload in enumerate(PAYLOADS)]


def injection_feed() -> bytes:
    header = ical.CalendarHeader(name=PAYLOADS[2], description=PAYLOADS[2])
    return ical.render_calendar(injection_events(), header, OPTIONS)


if __name__ == "__main__":
    sys.stdout.buffer.write(injection_feed())
