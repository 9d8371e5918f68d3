"""The chronology (by year and month, one entry per event) and the numbered sources
with the quotes cited. Imported only when rendering."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

from timeline import dates
from timeline.exporters.brief.data import RELIABILITY_LABELS, BriefEvent, BriefSource, group_key
from timeline.exporters.brief.flowables import Block, EventEntry, Heading, TextFlow
from timeline.exporters.brief.layout import ACCENT, INK, KEY_RED, MM, MUTED, QUOTE_INK, SOURCE_INDENT
from timeline.exporters.brief.story import status_words
from timeline.exporters.brief.text import LINK_COLOUR, SANS, SANS_BOLD, SANS_ITALIC, BriefText, Span, safe_href


def chronology(
    events: list[BriefEvent], sources: list[BriefSource], *, text: BriefText, styles: dict[str, Any]
) -> list[Any]:
    from reportlab.platypus import CondPageBreak, Paragraph

    heading, entry = Heading, EventEntry
    numbers = {source.pk: source.number for source in sources}
    build = functools.partial(entry_blocks, text=text, numbers=numbers)
    story: list[Any] = []
    if not events:
        story.append(Paragraph("No events match this brief’s selection.", styles["lead"]))
        return story
    group_sizes = Counter(group_key(event) for event in events)
    year = None
    group = None
    for event in events:
        key = group_key(event)
        if key[0] != year:
            year = key[0]
            story.append(CondPageBreak(45 * MM))
            story.append(heading(str(year), styles["h2"], outline_title=str(year), key=f"y{year}", level=1))
        if key != group:
            group = key
            count = group_sizes[key]
            if key[1]:
                name = f"{dates.MONTHS[key[1] - 1]} {key[0]}"
            else:
                name = f"{key[0]}, month not known"
            label = f'{name} <font color="{MUTED}" size="8">· {count:,} event{"s" if count != 1 else ""}</font>'
            story.append(CondPageBreak(30 * MM))
            story.append(heading(label, styles["h3"], outline_title=name, key=f"m{key[0]}-{key[1]}", level=2))
        story.append(entry(event, build))
    return story


def entry_blocks(
    event: BriefEvent, continued: bool, *, text: BriefText, numbers: dict[int, int]
) -> tuple[list[Block], list[Block]]:
    """The date column and the text blocks of one chronology entry."""

    def spans(value: str, face: str, size: float, colour: str, href: str = "") -> list[Span]:
        return [Span(run, font, size, colour, href) for font, run in text.font_runs(value, face=face)]

    if continued:
        return [Block(spans(f"{event.display_date} (continued)", SANS_ITALIC, 7.5, MUTED), 10)], []
    left = [Block(spans(event.display_date, SANS_BOLD, 8.5, INK), 11)]
    if event.draft:
        left.append(Block([Span("DRAFT · not published", SANS_BOLD, 7, KEY_RED)], 10))
    href = safe_href(event.url)
    right = [Block(spans(event.title, SANS_BOLD, 9.5, LINK_COLOUR if href else INK, href), 12.5, 1.5)]
    if event.summary.strip():
        right.append(Block(spans(event.summary.strip(), SANS, 8.5, INK), 11.8, 2))
    separator = Span(" · ", SANS, 7.5, MUTED)
    meta: list[list[Span]] = [spans(status_words(event), SANS_BOLD, 7.5, INK)]
    if event.location:
        meta.append(spans(event.location, SANS, 7.5, MUTED))
    if event.reported:
        meta.append(spans("reported " + dates.parse_stored(event.reported).display(short=True), SANS, 7.5, MUTED))
    if event.actors:
        meta.append(spans("Actors: " + ", ".join(event.actors), SANS, 7.5, MUTED))
    if event.tags:
        meta.append(spans("Tags: " + ", ".join(event.tags), SANS, 7.5, MUTED))
    cited = sorted({numbers[c.source_id] for c in event.citations})
    if cited:
        sources = [Span("Sources", SANS, 7.5, MUTED)]
        for number in cited:
            sources.append(Span(f" [{number}]", SANS_BOLD, 7.5, ACCENT, f"#src{number}"))
        meta.append(sources)
    else:
        meta.append(spans("No source cited", SANS, 7.5, MUTED))
    joined: list[Span] = []
    for index, part in enumerate(meta):
        if index:
            joined.append(separator)
        joined += part
    right.append(Block(joined, 10.2))
    return left, right


def sources_list(sources: list[BriefSource], *, text: BriefText, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    if not sources:
        return [Paragraph("No sources are cited by the events in this brief.", styles["lead"])]
    text_flow = TextFlow

    def spans(value: str, face: str, size: float, colour: str, href: str = "") -> list[Span]:
        return [Span(run, font, size, colour, href) for font, run in text.font_runs(value, face=face)]

    story: list[Any] = []
    for source in sources:
        line = spans(source.title, SANS_BOLD, 8.5, INK)
        details = [source.publisher] if source.publisher else []
        if source.published:
            details.append("published " + dates.parse_stored(source.published).display())
        reliability = RELIABILITY_LABELS.get(source.reliability, "").lower()
        details.append(f"reliability {source.reliability} ({reliability})")
        line += spans(" · " + " · ".join(details) + ".", SANS, 8.5, INK)
        if source.url:
            href = safe_href(source.url)
            line += spans(" " + source.url, SANS, 8.5, LINK_COLOUR if href else INK, href)
        if source.accessed:
            line += spans(f" (accessed {source.accessed})", SANS, 8.5, MUTED)
        if source.archived_url:
            archive_href = safe_href(source.archived_url)
            line += spans(" · archived copy: ", SANS, 8.5, INK)
            line += spans(source.archived_url, SANS, 8.5, LINK_COLOUR if archive_href else INK, archive_href)
        blocks = [Block(line, 11.8, 1.5, indent=SOURCE_INDENT)]
        for (quote, locator), cited_by in source.quotes.items():
            if not quote and not locator:
                continue
            quote_spans = spans(f"“{quote}”", SANS_ITALIC, 8, QUOTE_INK) if quote else []
            if locator:
                quote_spans += spans(f" ({locator})", SANS, 8, QUOTE_INK)
            quote_spans += spans(f" — {event_refs(cited_by)}", SANS, 8, MUTED)
            blocks.append(Block(quote_spans, 11, 1.5, indent=SOURCE_INDENT + 3 * MM))
        label = Block([Span(f"[{source.number}]", SANS_BOLD, 8.5, INK)], 11.8)
        story.append(text_flow(blocks, label=label, anchor=f"src{source.number}", space_before=5))
    return story


def event_refs(numbers: list[int]) -> str:
    """ "event #4" or "events #4, #9, #12" (long lists shortened)."""
    shown = [f"#{n}" for n in numbers[:40]]
    more = f" and {len(numbers) - 40:,} more" if len(numbers) > 40 else ""
    return ("event " if len(numbers) == 1 else "events ") + ", ".join(shown) + more
