"""PDF briefs: events in, PDF bytes out.

A brief is what an analyst hands to a decision maker: a cover that says exactly
what it covers and as of when, the key events, a chart, the chronology grouped
by year and month with an Admiralty grade on every event, numbered sources with
the quotes cited, and a key to the grades.

The layout is built for one pass: "Page X of Y" is a per-page form XObject
filled in when the canvas is saved (the usual two-pass ``NumberedCanvas`` would
point every bookmark at page 1), the outline is written by the headings as they
are drawn, and each chronology entry is one flowable that wraps its paragraphs
once and can split across pages. Output is deterministic: the same inputs give
the same bytes (``invariant``, creation date = the as-of time).

reportlab is imported inside the functions that need it, never at import time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from timeline import dates
from timeline.exporters.brief_text import (
    LINK_COLOUR,
    SANS,
    SANS_BOLD,
    SANS_ITALIC,
    BriefText,
    Segment,
    Span,
    font_fingerprint,
    layout_lines,
    register_fonts,
    safe_href,
    text_width,
)

# Bump when the layout changes: it is part of every brief's cache key.
TEMPLATE_VERSION = "brief-1"

STATUS_LABELS = {
    "reported": "Reported",
    "claimed": "Claimed",
    "confirmed": "Confirmed",
    "disputed": "Disputed",
    "denied": "Denied",
    "retracted": "Retracted",
}
STATUS_MEANINGS = [
    ("Reported", "stated by a source; nobody has formally claimed it."),
    ("Claimed", "asserted by a party with a stake in it (the claimant)."),
    ("Confirmed", "corroborated by independent sources."),
    ("Disputed", "contested by another party or by conflicting evidence."),
    ("Denied", "rejected by a party concerned."),
    ("Retracted", "withdrawn by the party or source that made it."),
]
RELIABILITY_LABELS = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
CREDIBILITY_LABELS = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}

# Colours (hex, so that this module needs no reportlab at import time).
INK = "#1b1f24"
MUTED = "#5b6570"
RULE = "#c5ccd3"
ACCENT = "#1f3a5f"
ACCENT_LIGHT = "#c9d6e3"
KEY_RED = "#a8322d"
MARKING_RED = "#8b1a1a"
QUOTE_INK = "#3a434c"

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4
MARGIN_X = 20 * MM
MARGIN_TOP = 27 * MM
MARGIN_BOTTOM = 22 * MM
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
DATE_COLUMN = 33 * MM
COLUMN_GAP = 5 * MM
MAX_KEY_LANES = 6
SOURCE_INDENT = 9 * MM


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
    )


def snapshot_events(events: Iterable[Any], *, site_url: str = "") -> tuple[list[BriefEvent], dict[int, BriefSource]]:
    """Copy what the brief needs out of ``Event`` instances (with relations prefetched,
    see ``queries.events_with_relations``), so the model instances can be freed."""
    snapshots: list[BriefEvent] = []
    sources: dict[int, BriefSource] = {}
    for event in events:
        citations = []
        for citation in event.citations.all():
            source = citation.source
            if source.pk not in sources:
                sources[source.pk] = BriefSource(
                    pk=source.pk,
                    title=source.title,
                    publisher=source.publisher,
                    published=source.published,
                    url=source.url,
                    reliability=source.reliability,
                )
            citations.append(BriefCitation(source.pk, citation.quote, citation.locator))
        reliabilities = [sources[c.source_id].reliability for c in citations]
        # An open end ("since October 2024") is drawn and grouped by its known end only.
        fuzzy = dates.parse_stored(event.date)
        snapshots.append(
            BriefEvent(
                pk=event.pk,
                title=event.title,
                summary=event.summary,
                date=event.date,
                lower=fuzzy.known_lower,
                upper=fuzzy.known_upper,
                precision=event.precision,
                status=event.status,
                claimant=event.claimant.name if event.claimant_id else "",
                grade=f"{min(reliabilities) if reliabilities else 'F'}{event.credibility}",
                credibility=event.credibility,
                key=event.key,
                location=event.location,
                reported=event.reported,
                actors=[actor.name for actor in event.actors.all()],
                tags=[tag.name for tag in event.tags.all()],
                citations=citations,
                url=f"{site_url}{event.get_absolute_url()}" if site_url else "",
            )
        )
    return snapshots, sources


def render_brief(events: Iterable[Any], *, info: BriefInfo) -> bytes:
    """Render the brief for ``events`` (``Event`` instances with relations prefetched,
    in any order) and return the PDF bytes.

    The same events and ``info`` always give the same bytes (for one reportlab
    version and the shipped fonts). Characters no shipped font covers are logged.
    """
    snapshots, sources = snapshot_events(events, site_url=info.site_url)
    return render_brief_snapshots(snapshots, sources, info=info)


def render_brief_snapshots(events: list[BriefEvent], sources: dict[int, BriefSource], *, info: BriefInfo) -> bytes:
    """Render from plain snapshots (see :func:`snapshot_events`)."""
    text = BriefText()
    events = sorted(events, key=_chronology_key)
    # Numbers and quotes are per brief: never carry them over from an earlier render.
    sources = {pk: dataclasses.replace(source, number=0, quotes={}) for pk, source in sources.items()}
    ordered_sources = _number_events_and_sources(events, sources)
    styles = _styles()
    buffer = io.BytesIO()
    doc = _brief_doc(buffer, info=info, events=events)
    story = _story(events, ordered_sources, info=info, text=text, styles=styles)
    doc.build(story, canvasmaker=functools.partial(_brief_canvas_class(), as_of=info.as_of))
    text.log_missing(f"Brief “{info.title}”")
    return buffer.getvalue()


def brief_cache_fingerprint() -> str:
    """What, besides the data and filter, decides a brief's bytes."""
    import reportlab

    return f"{TEMPLATE_VERSION}|reportlab {reportlab.Version}|fonts {font_fingerprint()}"


# --- Ordering and numbering ---------------------------------------------------------


def _group_key(event: BriefEvent) -> tuple[int, int]:
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


def _chronology_key(event: BriefEvent) -> tuple[Any, ...]:
    return (*_group_key(event), event.lower, event.upper, event.pk)


def _number_events_and_sources(events: list[BriefEvent], sources: dict[int, BriefSource]) -> list[BriefSource]:
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


# --- Styles ----------------------------------------------------------------------------


@functools.cache
def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle("brief-body", fontName=SANS, fontSize=9, leading=12.6, textColor=HexColor(INK))

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "cover_kicker": style(
            "cover-kicker", fontName=SANS_BOLD, fontSize=9, leading=12, textColor=HexColor(ACCENT), spaceAfter=6
        ),
        "cover_title": style("cover-title", fontName=SANS_BOLD, fontSize=26, leading=31, spaceAfter=10),
        "cover_description": style(
            "cover-description", fontSize=11.5, leading=16, textColor=HexColor(MUTED), spaceAfter=18
        ),
        "cover_label": style("cover-label", fontName=SANS_BOLD, fontSize=8, leading=11, textColor=HexColor(MUTED)),
        "cover_value": style("cover-value", fontSize=9.5, leading=13),
        "cover_note": style("cover-note", fontSize=8, leading=11, textColor=HexColor(MUTED)),
        "h1": style(
            "h1",
            fontName=SANS_BOLD,
            fontSize=17,
            leading=21,
            textColor=HexColor(ACCENT),
            spaceBefore=16,
            spaceAfter=8,
            keepWithNext=1,
        ),
        "h2": style(
            "h2",
            fontName=SANS_BOLD,
            fontSize=13,
            leading=16,
            textColor=HexColor(ACCENT),
            spaceBefore=10,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "h3": style(
            "h3",
            fontName=SANS_BOLD,
            fontSize=9.5,
            leading=13,
            textColor=HexColor(INK),
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "lead": style("lead", fontSize=9.5, leading=13.5, spaceAfter=8),
        "note": style("note", fontSize=7.5, leading=10, textColor=HexColor(MUTED), spaceBefore=4),
        "summary_date": style("summary-date", fontName=SANS_BOLD, fontSize=8.5, leading=11.5),
        "summary_title": style("summary-title", fontSize=8.5, leading=11.5),
        "summary_grade": style("summary-grade", fontName=SANS_BOLD, fontSize=8.5, leading=11.5, alignment=TA_LEFT),
        "key_term": style("key-term", fontName=SANS_BOLD, fontSize=8.5, leading=11.5),
        "key_text": style("key-text", fontSize=8.5, leading=11.5),
    }


# --- Document, canvas, page furniture -----------------------------------------------------


def _page_label_form(number: int) -> str:
    return f"BriefPageLabel{number}"


@functools.cache
def _brief_canvas_class() -> type:
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen.canvas import Canvas

    class BriefCanvas(Canvas):
        """Fills in "Page X of Y" when the total is known: each page shows a form
        XObject named after its number, defined here in ``save``."""

        def __init__(self, *args: Any, as_of: dt.datetime | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if as_of is not None:
                stamp = as_of.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
                self.setDateFormatter(lambda *_: stamp)

        def save(self) -> None:
            if self._code:
                self.showPage()
            total = self.getPageNumber() - 1
            for number in range(1, total + 1):
                self.beginForm(_page_label_form(number), lowerx=-150, lowery=-4, upperx=0, uppery=12)
                self.setFont(SANS, 7.5)
                self.setFillColor(HexColor(MUTED))
                self.drawRightString(0, 0, f"Page {number} of {total}")
                self.endForm()
            super().save()

    return BriefCanvas


def _brief_doc(buffer: io.BytesIO, *, info: BriefInfo, events: list[BriefEvent]) -> Any:
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    register_fonts()
    tag_counts = Counter(tag for event in events for tag in event.tags)
    keywords = ["brief", "timeline", *[tag for tag, _ in tag_counts.most_common(12)]]
    subject = "; ".join(info.filter_words) if info.filter_words else "All events in the timeline"
    doc = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{info.title} — brief",
        subject=f"Brief: {subject}",
        author=info.author,
        creator=info.author,
        producer=f"{info.author} ({TEMPLATE_VERSION})",
        keywords=keywords,
        invariant=1,
        initialFontName=SANS,
        initialFontSize=9,
        lang="en",
        displayDocTitle=1,
        pageCompression=1,
    )
    furniture = functools.partial(_draw_page_furniture, info=info)
    cover_frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - MARGIN_BOTTOM - 48 * MM, id="cover")
    body_frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="cover", frames=[cover_frame], onPage=furniture),
            PageTemplate(id="body", frames=[body_frame], onPage=furniture),
        ]
    )
    return doc


def _draw_page_furniture(canv: Any, doc: Any, *, info: BriefInfo) -> None:
    """Header and footer on every page: marking, brief title, as-of time, page label."""
    from reportlab.lib.colors import HexColor

    text = BriefText()
    canv.saveState()
    if doc.page == 1:
        canv.showOutline()
    left, right = MARGIN_X, PAGE_WIDTH - MARGIN_X
    marking = info.marking.strip()
    if marking:
        canv.setFillColor(HexColor(MARKING_RED))
        _draw_runs(canv, PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * MM, text.font_runs(marking, face=SANS_BOLD), 8, "centre")
        _draw_runs(canv, PAGE_WIDTH / 2, 8 * MM, text.font_runs(marking, face=SANS_BOLD), 8, "centre")
    canv.setFillColor(HexColor(MUTED))
    as_of = _format_as_of(info.as_of)
    as_of_width = _runs_width(text.font_runs(as_of), 7.5)
    title_runs = _truncate_runs(text.font_runs(info.title), 7.5, right - left - as_of_width - 10 * MM)
    _draw_runs(canv, left, PAGE_HEIGHT - 17 * MM, title_runs, 7.5, "left")
    _draw_runs(canv, right, PAGE_HEIGHT - 17 * MM, text.font_runs(as_of), 7.5, "right")
    canv.setStrokeColor(HexColor(RULE))
    canv.setLineWidth(0.5)
    canv.line(left, PAGE_HEIGHT - 19 * MM, right, PAGE_HEIGHT - 19 * MM)
    canv.line(left, 15 * MM, right, 15 * MM)
    footer_left = f"Data version {info.data_version}" if info.data_version else "Event timeline brief"
    _draw_runs(canv, left, 11 * MM, text.font_runs(footer_left), 7.5, "left")
    canv.translate(right, 11 * MM)
    canv.doForm(_page_label_form(doc.page))
    canv.restoreState()


def _runs_width(runs: list[tuple[str, str]], size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(run, font, size) for font, run in runs)


def _truncate_runs(runs: list[tuple[str, str]], size: float, width: float) -> list[tuple[str, str]]:
    """Shorten ``runs`` with an ellipsis so that they fit ``width``."""
    if _runs_width(runs, size) <= width:
        return runs
    chars = [(font, ch) for font, run in runs for ch in run]
    while chars and _runs_width([*chars, (SANS, "…")], size) > width:
        chars.pop()
    merged: list[tuple[str, str]] = []
    for font, ch in [*chars, (SANS, "…")]:
        if merged and merged[-1][0] == font:
            merged[-1] = (font, merged[-1][1] + ch)
        else:
            merged.append((font, ch))
    return merged


def _draw_runs(canv: Any, x: float, y: float, runs: list[tuple[str, str]], size: float, align: str) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widths = [stringWidth(run, font, size) for font, run in runs]
    if align == "centre":
        x -= sum(widths) / 2
    elif align == "right":
        x -= sum(widths)
    for (font, run), width in zip(runs, widths, strict=True):
        canv.setFont(font, size)
        canv.drawString(x, y, run)
        x += width


def _format_as_of(as_of: dt.datetime | None) -> str:
    if as_of is None:
        return "As of: not stated"
    as_of = as_of.astimezone(dt.UTC)
    return f"As of {as_of.day} {dates.MONTHS[as_of.month - 1]} {as_of.year}, {as_of:%H:%M} UTC"


# --- Flowables --------------------------------------------------------------------------------


@functools.cache
def _flowable_classes() -> dict[str, type]:
    from reportlab.platypus import Flowable, Paragraph

    class Heading(Paragraph):
        """A heading that bookmarks itself and adds its outline entry where it is drawn."""

        def __init__(self, markup: str, style: Any, *, outline_title: str, key: str, level: int) -> None:
            super().__init__(markup, style)
            self.outline_title = outline_title
            self.outline_key = key
            self.outline_level = level

        def split(self, availWidth: float, availHeight: float) -> list[Any]:
            return []  # a heading never breaks across pages

        def draw(self) -> None:
            self.canv.bookmarkHorizontal(self.outline_key, 0, self.height + self.style.spaceBefore)
            self.canv.addOutlineEntry(
                self.outline_title, self.outline_key, level=self.outline_level, closed=self.outline_level >= 1
            )
            super().draw()

    class EventEntry(Flowable):
        """One chronology event: a date column (date, grade, number) beside the text.

        Text blocks are laid out on first wrap (once per width) by the plain line
        breaker of ``brief_text``. Splits between lines, so an event longer than
        a page continues on the next one.
        """

        def __init__(self, event: BriefEvent, build: Any, *, continued: bool = False, right: Any = None) -> None:
            super().__init__()
            self.event = event
            self.build = build
            self.continued = continued
            self._right_blocks = right
            self._wrapped_width: float | None = None

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
            if self._wrapped_width != availWidth:
                left, right = self.build(self.event, self.continued)
                if self._right_blocks is None:
                    text_width = availWidth - DATE_COLUMN - COLUMN_GAP
                    self._right_blocks = [block.laid_out(text_width) for block in right]
                self._left_blocks = [block.laid_out(DATE_COLUMN) for block in left]
                self._left_height = sum(block.height for block in self._left_blocks) + (0 if self.continued else 17)
                self._wrapped_width = availWidth
                self.width = availWidth
                self.height = max(self._left_height, sum(block.height for block in self._right_blocks)) + 11
            return self.width, self.height

        def split(self, availWidth: float, availHeight: float) -> list[Any]:
            self.wrap(availWidth, availHeight)
            room = availHeight - 11
            if self._left_height > room:
                return []
            placed: list[_Block] = []
            rest: list[_Block] = []
            used = 0.0
            for index, block in enumerate(self._right_blocks):
                if used + block.height <= room:
                    placed.append(block)
                    used += block.height
                    continue
                fitting = int((room - used) // block.leading)
                if fitting >= 1:
                    head, tail = block.cut(fitting)
                    placed.append(head)
                    rest = [tail, *self._right_blocks[index + 1 :]]
                else:
                    rest = self._right_blocks[index:]
                break
            else:
                return [self]
            if not placed:
                return []
            first = EventEntry(self.event, self.build, continued=self.continued, right=placed)
            second = EventEntry(self.event, self.build, continued=True, right=rest)
            return [first, second]

        def draw(self) -> None:
            canv = self.canv
            top = self.height - 5
            if self.event.key and not self.continued:
                canv.bookmarkHorizontal(f"event{self.event.number}", 0, self.height)
            y = top
            for block in self._left_blocks:
                block.draw(canv, 0, y)
                y -= block.height
            if not self.continued:
                self._draw_grade(canv, y - 14)
            y = top
            for block in self._right_blocks:
                block.draw(canv, DATE_COLUMN + COLUMN_GAP, y)
                y -= block.height
            if self.event.key:
                canv.setFillColor(_colour(KEY_RED))
                canv.rect(-4.5 * MM, 4, 1.6, self.height - 8, stroke=0, fill=1)
            canv.setStrokeColor(_colour(RULE))
            canv.setLineWidth(0.4)
            canv.line(0, 0.5, self.width, 0.5)

        def _draw_grade(self, canv: Any, y: float) -> None:
            """The grade in a box, then the event number and KEY, as one text object."""
            canv.setStrokeColor(_colour(ACCENT))
            canv.setLineWidth(0.6)
            canv.roundRect(0, y, 17, 11, 2, stroke=1, fill=0)
            grade = self.event.grade
            text = canv.beginText()
            text.setTextOrigin(8.5 - text_width(grade, SANS_BOLD, 7.5) / 2, y + 3)
            text.setFont(SANS_BOLD, 7.5)
            text.setFillColor(_colour(ACCENT))
            text.textOut(grade)
            label = f"#{self.event.number}"
            text.setTextOrigin(21, y + 3)
            text.setFont(SANS, 7)
            text.setFillColor(_colour(MUTED))
            text.textOut(label)
            if self.event.key:
                text.setFont(SANS_BOLD, 7)
                text.setFillColor(_colour(KEY_RED))
                text.textOut("  KEY")
            canv.drawText(text)

    class TextFlow(Flowable):
        """Text blocks one under another, with an optional label in the left margin
        (drawn on the first part) and a named destination; splits between lines."""

        def __init__(
            self,
            blocks: list[_Block],
            *,
            label: _Block | None = None,
            anchor: str = "",
            space_before: float = 0.0,
        ) -> None:
            super().__init__()
            self.blocks = blocks
            self.label = label
            self.anchor = anchor
            self.space_before = space_before
            self._wrapped_width: float | None = None

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
            if self._wrapped_width != availWidth:
                self.blocks = [block.laid_out(availWidth) for block in self.blocks]
                if self.label is not None:
                    self.label = self.label.laid_out(availWidth)
                self._wrapped_width = availWidth
            self.width = availWidth
            self.height = self.space_before + sum(block.height for block in self.blocks)
            return self.width, self.height

        def split(self, availWidth: float, availHeight: float) -> list[Any]:
            self.wrap(availWidth, availHeight)
            room = availHeight - self.space_before
            placed: list[_Block] = []
            used = 0.0
            for index, block in enumerate(self.blocks):
                if used + block.height <= room:
                    placed.append(block)
                    used += block.height
                    continue
                fitting = int((room - used) // block.leading)
                rest = self.blocks[index:]
                if fitting >= 1:
                    head, tail = block.cut(fitting)
                    placed.append(head)
                    rest = [tail, *self.blocks[index + 1 :]]
                break
            else:
                return [self]
            if not placed:
                return []
            first = TextFlow(placed, label=self.label, anchor=self.anchor, space_before=self.space_before)
            second = TextFlow(rest)
            for part in (first, second):
                part._wrapped_width = availWidth
            return [first, second]

        def draw(self) -> None:
            canv = self.canv
            top = self.height - self.space_before
            if self.anchor:
                canv.bookmarkHorizontal(self.anchor, 0, self.height)
            if self.label is not None:
                self.label.draw(canv, 0, top)
            for block in self.blocks:
                block.draw(canv, block.indent, top)
                top -= block.height

    return {"Heading": Heading, "EventEntry": EventEntry, "TextFlow": TextFlow}


@functools.cache
def _colour(hex_colour: str) -> Any:
    from reportlab.lib.colors import HexColor

    return HexColor(hex_colour)


@dataclass(slots=True)
class _Block:
    """A run of text lines in one size and leading, drawn without ``Paragraph``."""

    spans: list[Span]
    leading: float
    space_after: float = 0.0
    lines: list[list[Segment]] = field(default_factory=list)
    indent: float = 0.0

    def laid_out(self, width: float) -> _Block:
        lines = layout_lines(self.spans, width - self.indent)
        return _Block(self.spans, self.leading, self.space_after, lines, self.indent)

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading + self.space_after

    def cut(self, count: int) -> tuple[_Block, _Block]:
        """The first ``count`` lines, and the rest."""
        return (
            _Block(self.spans, self.leading, 0.0, self.lines[:count], self.indent),
            _Block(self.spans, self.leading, self.space_after, self.lines[count:], self.indent),
        )

    def draw(self, canv: Any, x: float, top: float) -> None:
        """Draw with the first line's text top at ``top``: one text object for all lines.

        Segments of a line follow each other by the text's own advance (their x
        positions were computed from the same widths), and lines by the leading,
        so no position is written per segment.
        """
        if not self.lines or not any(self.lines):
            return
        text = canv.beginText()
        size = next(segment.size for line in self.lines for segment in line)
        text.setTextOrigin(x, top - size)
        font: tuple[str, float] | None = None
        colour = ""
        links = []
        for index, line in enumerate(self.lines):
            if index:
                text.textLine("")
            for segment in line:
                if (segment.font, segment.size) != font:
                    font = (segment.font, segment.size)
                    text.setFont(segment.font, segment.size, self.leading)
                if segment.colour != colour:
                    colour = segment.colour
                    text.setFillColor(_colour(colour))
                text.textOut(segment.text)
                if segment.href:
                    baseline = top - size - index * self.leading
                    rect = (
                        x + segment.x,
                        baseline - 0.25 * segment.size,
                        x + segment.x + segment.width,
                        baseline + segment.size,
                    )
                    links.append((segment.href, rect))
        canv.drawText(text)
        for href, rect in links:
            if href.startswith("#"):
                canv.linkRect("", href[1:], rect, relative=1, thickness=0)
            else:
                canv.linkURL(href, rect, relative=1, thickness=0)


# --- Story ------------------------------------------------------------------------------------------


def _story(
    events: list[BriefEvent],
    sources: list[BriefSource],
    *,
    info: BriefInfo,
    text: BriefText,
    styles: dict[str, Any],
) -> list[Any]:
    from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak

    classes = _flowable_classes()
    heading = classes["Heading"]
    story: list[Any] = [heading("BRIEF", styles["cover_kicker"], outline_title="Cover", key="cover", level=0)]
    story += _cover(events, info=info, text=text, styles=styles)
    story += [NextPageTemplate("body"), PageBreak()]

    key_events = [event for event in events if event.key]
    story.append(heading("Summary", styles["h1"], outline_title="Summary", key="summary", level=0))
    story += _summary(events, key_events, text=text, styles=styles)

    story.append(CondPageBreak(95 * MM))
    story.append(heading("Timeline", styles["h1"], outline_title="Timeline chart", key="chart", level=0))
    story += _chart_section(events, key_events, styles=styles)

    story.append(PageBreak())
    story.append(heading("Chronology", styles["h1"], outline_title="Chronology", key="chronology", level=0))
    story += _chronology(events, sources, text=text, styles=styles)

    story.append(PageBreak())
    story.append(heading("Sources", styles["h1"], outline_title="Sources", key="sources", level=0))
    story += _sources(sources, text=text, styles=styles)

    story.append(CondPageBreak(70 * MM))
    story.append(heading("Key to grades and statuses", styles["h1"], outline_title="Key to grades", key="key", level=0))
    story += _grading_key(styles=styles)
    return story


def _cover(events: list[BriefEvent], *, info: BriefInfo, text: BriefText, styles: dict[str, Any]) -> list[Any]:
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
    key_count = sum(1 for event in events if event.key)
    facts = [
        (
            "Marking",
            f'<font color="{MARKING_RED}">{text.markup(info.marking, face=SANS_BOLD)}</font>'
            if info.marking
            else "None given",
        ),
        ("As of", text.markup(_format_as_of(info.as_of).removeprefix("As of "))),
        ("Covers", text.markup(covers)),
        ("Events", f"{len(events):,} ({key_count:,} key)"),
        ("Dates", text.markup(span)),
        ("Data version", text.markup(info.data_version or "not stated")),
    ]
    rows = [
        [Paragraph(label.upper(), styles["cover_label"]), Paragraph(value, styles["cover_value"])]
        for label, value in facts
    ]
    table = Table(rows, colWidths=[32 * MM, FRAME_WIDTH - 32 * MM - 12])
    table.setStyle(
        _table_style(
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
            "“October 2024 – April 2025” a span. See the key at the end.",
            styles["cover_note"],
        )
    )
    return story


def _summary(
    events: list[BriefEvent], key_events: list[BriefEvent], *, text: BriefText, styles: dict[str, Any]
) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Table

    story: list[Any] = []
    statuses = Counter(event.status for event in events)
    status_words = ", ".join(
        f"{count:,} {STATUS_LABELS.get(status, status).lower()}"
        for status, count in sorted(statuses.items(), key=lambda item: (-item[1], item[0]))
    )
    if events:
        first, last = events[0], max(events, key=lambda e: e.upper)
        lead = (
            f"This brief covers <b>{len(events):,}</b> event{'s' if len(events) != 1 else ''}, from "
            f"{text.markup(dates.format_day_range(first.lower, first.lower))} to "
            f"{text.markup(dates.format_day_range(last.upper, last.upper))}: {status_words}. "
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
                    f'<a href="#event{event.number}">{text.markup(event.title)}</a>'
                    f'<font color="{MUTED}"> — {text.markup(_status_words(event))}</font>',
                    styles["summary_title"],
                ),
                Paragraph(event.grade, styles["summary_grade"]),
            ]
        )
    table = Table(rows, colWidths=[9 * MM, 34 * MM, FRAME_WIDTH - 53 * MM, 10 * MM], repeatRows=0, splitInRow=1)
    table.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor(RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TEXTCOLOR", (0, 0), (0, -1), HexColor(KEY_RED)),
            ]
        )
    )
    story.append(table)
    return story


def _table_style(commands: list[tuple[Any, ...]]) -> Any:
    """A TableStyle whose cells use the embedded font: Table sets a cell font even
    around flowables, and its default is the non-embedded Helvetica."""
    from reportlab.platypus import TableStyle

    return TableStyle([("FONT", (0, 0), (-1, -1), SANS, 9), *commands])


def _status_words(event: BriefEvent) -> str:
    status = STATUS_LABELS.get(event.status, event.status)
    return f"{status} by {event.claimant}" if event.claimant else status


def _chronology(
    events: list[BriefEvent], sources: list[BriefSource], *, text: BriefText, styles: dict[str, Any]
) -> list[Any]:
    from reportlab.platypus import CondPageBreak, Paragraph

    classes = _flowable_classes()
    heading, entry = classes["Heading"], classes["EventEntry"]
    numbers = {source.pk: source.number for source in sources}
    build = functools.partial(_entry_blocks, text=text, numbers=numbers)
    story: list[Any] = []
    if not events:
        story.append(Paragraph("No events match this brief’s selection.", styles["lead"]))
        return story
    group_sizes = Counter(_group_key(event) for event in events)
    year = None
    group = None
    for event in events:
        key = _group_key(event)
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


def _entry_blocks(
    event: BriefEvent, continued: bool, *, text: BriefText, numbers: dict[int, int]
) -> tuple[list[_Block], list[_Block]]:
    """The date column and the text blocks of one chronology entry."""

    def spans(value: str, face: str, size: float, colour: str, href: str = "") -> list[Span]:
        return [Span(run, font, size, colour, href) for font, run in text.font_runs(value, face=face)]

    if continued:
        return [_Block(spans(f"{event.display_date} (continued)", SANS_ITALIC, 7.5, MUTED), 10)], []
    left = [_Block(spans(event.display_date, SANS_BOLD, 8.5, INK), 11)]
    href = safe_href(event.url)
    right = [_Block(spans(event.title, SANS_BOLD, 9.5, LINK_COLOUR if href else INK, href), 12.5, 1.5)]
    if event.summary.strip():
        right.append(_Block(spans(event.summary.strip(), SANS, 8.5, INK), 11.8, 2))
    separator = Span(" · ", SANS, 7.5, MUTED)
    meta: list[list[Span]] = [spans(_status_words(event), SANS_BOLD, 7.5, INK)]
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
    right.append(_Block(joined, 10.2))
    return left, right


def _sources(sources: list[BriefSource], *, text: BriefText, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    if not sources:
        return [Paragraph("No sources are cited by the events in this brief.", styles["lead"])]
    text_flow = _flowable_classes()["TextFlow"]

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
        blocks = [_Block(line, 11.8, 1.5, indent=SOURCE_INDENT)]
        for (quote, locator), cited_by in source.quotes.items():
            if not quote and not locator:
                continue
            quote_spans = spans(f"“{quote}”", SANS_ITALIC, 8, QUOTE_INK) if quote else []
            if locator:
                quote_spans += spans(f" ({locator})", SANS, 8, QUOTE_INK)
            quote_spans += spans(f" — {_event_refs(cited_by)}", SANS, 8, MUTED)
            blocks.append(_Block(quote_spans, 11, 1.5, indent=SOURCE_INDENT + 3 * MM))
        label = _Block([Span(f"[{source.number}]", SANS_BOLD, 8.5, INK)], 11.8)
        story.append(text_flow(blocks, label=label, anchor=f"src{source.number}", space_before=5))
    return story


def _event_refs(numbers: list[int]) -> str:
    """ "event #4" or "events #4, #9, #12" (long lists shortened)."""
    shown = [f"#{n}" for n in numbers[:40]]
    more = f" and {len(numbers) - 40:,} more" if len(numbers) > 40 else ""
    return ("event " if len(numbers) == 1 else "events ") + ", ".join(shown) + more


def _grading_key(*, styles: dict[str, Any]) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Spacer, Table

    def table(rows: list[tuple[str, str]], first_width: float) -> Any:
        data = [[Paragraph(term, styles["key_term"]), Paragraph(meaning, styles["key_text"])] for term, meaning in rows]
        grid = Table(data, colWidths=[first_width, None])
        grid.setStyle(
            _table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor(RULE)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ]
            )
        )
        return grid

    reliability = list(RELIABILITY_LABELS.items())
    credibility = [(str(number), label) for number, label in CREDIBILITY_LABELS.items()]
    half = (FRAME_WIDTH - 8 * MM) / 2
    columns = Table(
        [
            [
                Paragraph("Source reliability (letter)", styles["h3"]),
                Paragraph("Information credibility (digit)", styles["h3"]),
            ],
            [table(reliability, 8 * MM), table(credibility, 8 * MM)],
        ],
        colWidths=[half + 8 * MM, half],
    )
    columns.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [
        Paragraph(
            "A grade such as <b>B2</b> combines the reliability of the most reliable source cited for the event "
            "with the credibility of the information itself. An event with no source is graded F.",
            styles["lead"],
        ),
        columns,
        Spacer(1, 6),
        Paragraph("Claim statuses", styles["h3"]),
        table(STATUS_MEANINGS, 22 * MM),
        Spacer(1, 6),
        Paragraph(
            "A red bar and “KEY” mark key events; “#12” is the event’s number, used in the sources list. "
            "“c.” marks an approximate date and “?” an uncertain one.",
            styles["note"],
        ),
    ]


# --- Chart ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Bins:
    """Equal calendar bins (months or years) covering the events."""

    unit: str  # "month" or "year"
    step: int  # months or years per bin
    start: dt.date
    count: int

    def start_of(self, index: int) -> dt.date:
        if self.unit == "month":
            months = self.start.year * 12 + self.start.month - 1 + index * self.step
            return dt.date(months // 12, months % 12 + 1, 1)
        return dt.date(min(self.start.year + index * self.step, dates.MAX_YEAR), 1, 1)

    def position(self, day: dt.date, *, end: bool = False) -> float:
        """Where ``day`` falls in bin units (``end``: the end of that day)."""
        if self.unit == "month":
            months = (day.year * 12 + day.month - 1) - (self.start.year * 12 + self.start.month - 1)
            length = (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - day.replace(day=1)).days
            fraction = (day.day - (0 if end else 1)) / length
            return (months + fraction) / self.step
        year_length = 366 if dt.date(day.year, 12, 31).timetuple().tm_yday == 366 else 365
        fraction = (day.timetuple().tm_yday - (0 if end else 1)) / year_length
        return (day.year - self.start.year + fraction) / self.step

    def index(self, day: dt.date) -> int:
        return min(self.count - 1, max(0, int(self.position(day))))


def _bins_for(events: list[BriefEvent]) -> _Bins:
    lower = min(event.lower for event in events)
    upper = max(event.upper for event in events)
    months = (upper.year * 12 + upper.month) - (lower.year * 12 + lower.month) + 1
    if months <= 36:
        return _Bins("month", 1, lower.replace(day=1), max(months, 1))
    years = upper.year - lower.year + 1
    step = max(1, math.ceil(years / 60))
    return _Bins("year", step, dt.date(lower.year, 1, 1), math.ceil(years / step))


def _chart_section(events: list[BriefEvent], key_events: list[BriefEvent], *, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    if not events:
        return [Paragraph("Nothing to chart.", styles["note"])]
    bins = _bins_for(events)
    unit = "month" if bins.unit == "month" else ("year" if bins.step == 1 else f"{bins.step} years")
    note = (
        f"Events per {unit}. Dark: dated within the {bins.unit if bins.step == 1 else 'period'}. Light: the date is "
        f"uncertain or a span, drawn across every {bins.unit if bins.step == 1 else 'period'} it may fall in. "
        "Below the axis, key events (K1, K2 … as in the summary): a diamond for a single day, a bar for a span."
    )
    return [_chart(events, key_events, bins), Paragraph(note, styles["note"])]


def _chart(events: list[BriefEvent], key_events: list[BriefEvent], bins: _Bins) -> Any:
    from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth

    exact = [0] * bins.count
    spread = [0] * bins.count
    for event in events:
        first, last = bins.index(event.lower), bins.index(event.upper)
        if first == last:
            exact[first] += 1
        else:
            for index in range(first, last + 1):
                spread[index] += 1
    peak = max(a + b for a, b in zip(exact, spread, strict=True)) or 1
    tick = _nice_tick(peak)
    top_value = tick * math.ceil(peak / tick)

    shown_keys = key_events[:40]
    lanes = _pack_lanes(shown_keys, bins)
    lane_count = max(lanes, default=-1) + 1
    lane_height = 11
    width = FRAME_WIDTH
    plot_left, plot_right = 24, width - 4
    # Below the axis: month labels, year labels, then the key-event lanes.
    axis_y = 4 + lane_count * lane_height + (10 if lane_count else 0) + 20
    plot_height = 120
    height = axis_y + plot_height + 10
    slot = (plot_right - plot_left) / bins.count
    drawing = Drawing(width, height)
    # The renderer's default font would be the non-embedded Helvetica.
    drawing.initialFontName = SANS
    drawing.initialFontSize = 7
    muted, accent, light = HexColor(MUTED), HexColor(ACCENT), HexColor(ACCENT_LIGHT)

    value = 0
    while value <= top_value:
        y = axis_y + plot_height * value / top_value
        drawing.add(Line(plot_left, y, plot_right, y, strokeColor=HexColor(RULE), strokeWidth=0.3))
        drawing.add(
            String(plot_left - 4, y - 2.5, f"{value:,}", fontName=SANS, fontSize=6.5, fillColor=muted, textAnchor="end")
        )
        value += tick

    bar_gap = min(1.5, slot * 0.15)
    for index in range(bins.count):
        x = plot_left + index * slot + bar_gap / 2
        exact_height = plot_height * exact[index] / top_value
        spread_height = plot_height * spread[index] / top_value
        if exact_height:
            drawing.add(Rect(x, axis_y, slot - bar_gap, exact_height, fillColor=accent, strokeColor=None))
        if spread_height:
            drawing.add(
                Rect(x, axis_y + exact_height, slot - bar_gap, spread_height, fillColor=light, strokeColor=None)
            )
    drawing.add(Line(plot_left, axis_y, plot_right, axis_y, strokeColor=HexColor(INK), strokeWidth=0.6))

    label_every = max(1, math.ceil(bins.count / 24))
    for index in range(bins.count):
        start = bins.start_of(index)
        x = plot_left + (index + 0.5) * slot
        if bins.unit == "month":
            if index % label_every == 0:
                drawing.add(
                    String(
                        x,
                        axis_y - 9,
                        dates.MONTHS_SHORT[start.month - 1],
                        fontName=SANS,
                        fontSize=6.5,
                        fillColor=muted,
                        textAnchor="middle",
                    )
                )
            if start.month == 1 or index == 0:
                drawing.add(
                    String(
                        plot_left + index * slot + 1,
                        axis_y - 18,
                        str(start.year),
                        fontName=SANS_BOLD,
                        fontSize=7,
                        fillColor=HexColor(INK),
                    )
                )
                drawing.add(
                    Line(
                        plot_left + index * slot,
                        axis_y,
                        plot_left + index * slot,
                        axis_y - 3,
                        strokeColor=HexColor(INK),
                        strokeWidth=0.6,
                    )
                )
        elif index % label_every == 0:
            label = str(start.year) if bins.step == 1 else f"{start.year}–{start.year + bins.step - 1}"
            drawing.add(String(x, axis_y - 9, label, fontName=SANS, fontSize=6.5, fillColor=muted, textAnchor="middle"))

    red = HexColor(KEY_RED)
    for number, (event, lane) in enumerate(zip(shown_keys, lanes, strict=True), start=1):
        y = axis_y - 32 - lane * lane_height
        x0 = plot_left + slot * bins.position(event.lower)
        x1 = plot_left + slot * bins.position(event.upper, end=True)
        if event.is_span and x1 - x0 > 3:
            drawing.add(Rect(x0, y - 1.5, x1 - x0, 3, fillColor=red, strokeColor=None))
            drawing.add(Line(x0, y - 3.5, x0, y + 3.5, strokeColor=red, strokeWidth=0.7))
            drawing.add(Line(x1, y - 3.5, x1, y + 3.5, strokeColor=red, strokeWidth=0.7))
            label_x = x1 + 3
        else:
            middle = (x0 + x1) / 2
            drawing.add(
                Polygon(
                    [middle, y + 3.5, middle + 3.5, y, middle, y - 3.5, middle - 3.5, y],
                    fillColor=red,
                    strokeColor=None,
                )
            )
            label_x = middle + 5
        label = f"K{number}"
        label_width = stringWidth(label, SANS_BOLD, 6.5)
        label_y, anchor = y - 2.3, "start"
        if label_x + label_width > width:  # no room right of the marker: left of it, or above a long span
            if x0 - 4 - label_width >= 0:
                label_x, anchor = x0 - 4, "end"
            else:
                label_x, label_y, anchor = x1, y + 3, "end"
        drawing.add(String(label_x, label_y, label, fontName=SANS_BOLD, fontSize=6.5, fillColor=red, textAnchor=anchor))
    return drawing


def _pack_lanes(key_events: list[BriefEvent], bins: _Bins) -> list[int]:
    """Assign each key event a lane so that markers and labels do not overlap."""
    lane_ends: list[float] = []
    lanes = []
    for event in key_events:
        start = bins.position(event.lower) - 0.15
        end = bins.position(event.upper, end=True) + 0.6 + 0.3 * bins.count / 24
        free = [lane for lane, lane_end in enumerate(lane_ends) if start >= lane_end]
        if free:
            lane = free[0]
        elif len(lane_ends) < MAX_KEY_LANES:
            lane_ends.append(end)
            lane = len(lane_ends) - 1
        else:  # crowded: overlap in the lane that frees up first
            lane = min(range(len(lane_ends)), key=lane_ends.__getitem__)
        lane_ends[lane] = max(lane_ends[lane], end)
        lanes.append(lane)
    return lanes


def _nice_tick(peak: int) -> int:
    """A round gridline step giving three to six lines up to ``peak``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if peak / step <= 5:
            return step
    return 10 ** len(str(peak))


__all__ = [
    "TEMPLATE_VERSION",
    "BriefEvent",
    "BriefInfo",
    "BriefSource",
    "brief_cache_fingerprint",
    "brief_info_for",
    "render_brief",
    "render_brief_snapshots",
    "snapshot_events",
]
