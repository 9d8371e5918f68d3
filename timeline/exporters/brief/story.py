"""The order of a brief's sections, its cover and its summary. Imported only when rendering."""

from __future__ import annotations

from collections import Counter
from typing import Any

from timeline import dates
from timeline.exporters.brief.data import STATUS_LABELS, BriefEvent, BriefInfo, BriefSource, group_key
from timeline.exporters.brief.document import format_as_of
from timeline.exporters.brief.flowables import Contents, Heading
from timeline.exporters.brief.layout import ACCENT, FRAME_WIDTH, KEY_RED, MARKING_RED, MM, MUTED, RULE
from timeline.exporters.brief.styles import table_style
from timeline.exporters.brief.text import PLACEHOLDER, SANS_BOLD, BriefText

# The summary's K column: "K10000" (30 pt in bold 8.5 pt) fits on one line.
KEY_COLUMN = 12 * MM
KEY_COLUMN_PADDING = 2


def build_story(
    events: list[BriefEvent],
    sources: list[BriefSource],
    *,
    info: BriefInfo,
    text: BriefText,
    styles: dict[str, Any],
    uncovered: int = 0,
) -> list[Any]:
    from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak

    from timeline.exporters.brief.chart import chart_section
    from timeline.exporters.brief.chronology import chronology, sources_list
    from timeline.exporters.brief.framing import framing, sourcing_summary
    from timeline.exporters.brief.key import grading_key
    from timeline.exporters.brief.locator import MAP_HEIGHT, locator_section

    heading = Heading
    story: list[Any] = [heading("BRIEF", styles["cover_kicker"], outline_title="Cover", key="cover", level=0)]
    story += cover(events, info=info, text=text, styles=styles, uncovered=uncovered)
    story += [NextPageTemplate("body"), PageBreak()]

    years = sorted({group_key(event)[0] for event in events})
    contents = [("Assessment", "assessment", 0)] if (info.bottom_line.strip() or info.key_judgements.strip()) else []
    contents += [
        ("Sourcing", "sourcing", 0),
        ("Key to grades and statuses", "key", 0),
        ("Summary", "summary", 0),
        ("Timeline", "chart", 0),
        ("Map", "map", 0),
        ("Chronology", "chronology", 0),
        *[(str(year), f"y{year}", 1) for year in years[:30]],
        ("Sources", "sources", 0),
    ]
    story.append(heading("Contents", styles["h1"], outline_title="Contents", key="contents", level=0))
    story.append(Contents(contents))

    # What a reader needs before the events: the analyst's framing, how well the events
    # are sourced, and the key to the grades used everywhere after.
    assessment = framing(info, text=text, styles=styles)
    if assessment:
        story.append(heading("Assessment", styles["h1"], outline_title="Assessment", key="assessment", level=0))
        story += assessment
    story.append(heading("Sourcing", styles["h1"], outline_title="Sourcing", key="sourcing", level=0))
    story += sourcing_summary(events, sources, styles=styles)
    story.append(CondPageBreak(70 * MM))
    story.append(heading("Key to grades and statuses", styles["h1"], outline_title="Key to grades", key="key", level=0))
    story += grading_key(styles=styles)
    story.append(PageBreak())

    key_events = [event for event in events if event.key]
    story.append(heading("Summary", styles["h1"], outline_title="Summary", key="summary", level=0))
    story += summary(events, key_events, text=text, styles=styles)

    story.append(CondPageBreak(95 * MM))
    story.append(heading("Timeline", styles["h1"], outline_title="Timeline chart", key="chart", level=0))
    story += chart_section(events, key_events, styles=styles)

    story.append(CondPageBreak(MAP_HEIGHT + 30 * MM))
    story.append(heading("Map", styles["h1"], outline_title="Locator map", key="map", level=0))
    story += locator_section(events, key_events, styles=styles)

    story.append(PageBreak())
    story.append(heading("Chronology", styles["h1"], outline_title="Chronology", key="chronology", level=0))
    story += chronology(events, sources, text=text, styles=styles)

    story.append(PageBreak())
    story.append(heading("Sources", styles["h1"], outline_title="Sources", key="sources", level=0))
    story += sources_list(sources, text=text, styles=styles)
    return story


def cover(
    events: list[BriefEvent], *, info: BriefInfo, text: BriefText, styles: dict[str, Any], uncovered: int = 0
) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Spacer, Table

    story: list[Any] = [Paragraph(text.markup(info.title, face=SANS_BOLD), styles["cover_title"])]
    if info.description:
        story.append(Paragraph(text.markup(info.description), styles["cover_description"]))
    else:
        story.append(Spacer(1, 12))
    if events:
        span = dates.format_day_range(min(e.lower for e in events), max(e.upper for e in events))
    else:
        span = "No events"
    covers = " · ".join(info.filter_words) if info.filter_words else "All events in the timeline"
    drafts = sum(1 for event in events if event.draft)
    if drafts:
        covers += f" · includes {drafts:,} unpublished draft{'s' if drafts != 1 else ''}, marked DRAFT"
    key_count = sum(1 for event in events if event.key)
    facts = [
        (
            "Marking",
            f'<font color="{MARKING_RED}">{text.markup(info.marking, face=SANS_BOLD)}</font>'
            if info.marking
            else "None given",
        ),
        ("As of", text.markup(format_as_of(info.as_of).removeprefix("As of "))),
        ("Covers", text.markup(covers)),
        ("Events", f"{len(events):,} ({key_count:,} key)"),
        ("Dates", text.markup(span)),
        ("Data version", text.markup(info.data_version or "not stated")),
    ]
    if uncovered:
        facts.append(
            (
                "Not printable",
                f"{uncovered:,} character{'s' if uncovered != 1 else ''} no shipped font can set, "
                f"printed as {text.markup(PLACEHOLDER)}",
            )
        )
    rows = [
        [Paragraph(label.upper(), styles["cover_label"]), Paragraph(value, styles["cover_value"])]
        for label, value in facts
    ]
    table = Table(rows, colWidths=[32 * MM, FRAME_WIDTH - 32 * MM - 12])
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 1.2, HexColor(ACCENT)),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor(RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [table, Spacer(1, 16)]
    story.append(
        Paragraph(
            "Every event carries an Admiralty grade such as <b>B2</b>: the letter rates the most reliable source "
            "cited (A–F), the digit how credible the information is (1–6). Dates are given only as precisely as "
            "the sources give them: “April 2025” means some day in April, “c.” marks an approximate date, and "
            "“October 2024 – April 2025” a span. The key follows the sourcing summary.",
            styles["cover_note"],
        )
    )
    return story


def summary(
    events: list[BriefEvent], key_events: list[BriefEvent], *, text: BriefText, styles: dict[str, Any]
) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Table

    story: list[Any] = []
    statuses = Counter(event.status for event in events)
    status_counts = ", ".join(
        f"{count:,} {STATUS_LABELS.get(status, status).lower()}"
        for status, count in sorted(statuses.items(), key=lambda item: (-item[1], item[0]))
    )
    if events:
        first, last = events[0], max(events, key=lambda e: e.upper)
        lead = (
            f"This brief covers <b>{len(events):,}</b> event{'s' if len(events) != 1 else ''}, from "
            f"{text.markup(dates.format_day_range(first.lower, first.lower))} to "
            f"{text.markup(dates.format_day_range(last.upper, last.upper))}: {status_counts}. "
            f"{len(key_events):,} {'is' if len(key_events) == 1 else 'are'} marked as key."
        )
    else:
        lead = "No events match this brief’s selection."
    story.append(Paragraph(lead, styles["lead"]))
    if not key_events:
        story.append(Paragraph("No event in this selection is marked as key.", styles["note"]))
        return story
    rows = []
    for index, event in enumerate(key_events, start=1):
        rows.append(
            [
                Paragraph(f"K{index}", styles["summary_grade"]),
                Paragraph(text.markup(event.display_date, face=SANS_BOLD), styles["summary_date"]),
                Paragraph(
                    (f'<font color="{KEY_RED}"><b>DRAFT</b></font> ' if event.draft else "")
                    + f'<a href="#event{event.number}">{text.markup(event.title)}</a>'
                    f'<font color="{MUTED}"> — {text.markup(status_words(event))}</font>',
                    styles["summary_title"],
                ),
                Paragraph(event.grade, styles["summary_grade"]),
            ]
        )
    table = Table(rows, colWidths=[KEY_COLUMN, 34 * MM, FRAME_WIDTH - 56 * MM, 10 * MM], repeatRows=0, splitInRow=1)
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor(RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TEXTCOLOR", (0, 0), (0, -1), HexColor(KEY_RED)),
                ("RIGHTPADDING", (0, 0), (0, -1), KEY_COLUMN_PADDING),
            ]
        )
    )
    story.append(table)
    return story


def status_words(event: BriefEvent) -> str:
    """The claim's status and who claims it as two facts, then how many sources it rests on:
    "Claimed by GUR · single source", "Confirmed · claimant: GUR · 3 sources". Only a
    claimed event is "by" its claimant; "Confirmed by GUR" would misstate who confirmed it."""
    status = STATUS_LABELS.get(event.status, event.status)
    if event.claimant and event.status == "claimed":
        words = [f"{status} by {event.claimant}"]
    elif event.claimant:
        words = [status, f"claimant: {event.claimant}"]
    else:
        words = [status]
    sources = len({citation.source_id for citation in event.citations})
    words.append({0: "no source cited", 1: "single source"}.get(sources, f"{sources} sources"))
    return " · ".join(words)
