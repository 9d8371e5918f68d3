"""The document, its canvas and the page furniture (header, footer, marking, page label).
Imported only when rendering: this module imports reportlab.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zlib
from collections import Counter
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfdoc import PDFStream
from reportlab.pdfgen.canvas import Canvas

from timeline import dates
from timeline.exporters.brief.data import TEMPLATE_VERSION, BriefEvent, BriefInfo
from timeline.exporters.brief.layout import (
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MARKING_RED,
    MM,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
)
from timeline.exporters.brief.text import SANS, SANS_BOLD, BriefText, register_fonts, visual_runs


class _PageStream(PDFStream):
    """A page's compressed content stream that lets go of its bytes once written into the
    file: while the document is saved, every object's formatted bytes are collected and then
    joined, so each page's stream would otherwise be held three times at the peak."""

    def format(self, document: Any) -> bytes:
        formatted = super().format(document)
        self.content = b""
        return bytes(formatted)


class PdfBytes:
    """The file a brief is saved to: keeps the bytes reportlab writes (once, whole)
    instead of copying them into a buffer and out again."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(data)
        return len(data)

    def getvalue(self) -> bytes:
        return self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)


def page_label_form(number: int) -> str:
    return f"BriefPageLabel{number}"


def section_page_form(key: str) -> str:
    return f"BriefSectionPage-{key}"


class BriefCanvas(Canvas):
    """Fills in page numbers when they are known, in one pass: each page shows a form
    XObject named after its number ("Page X of Y"), and the contents a form per
    section; both are defined here in ``save``, once headings have recorded their pages."""

    def __init__(self, *args: Any, as_of: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Outline key -> page number, recorded by headings as they are drawn.
        self.section_pages: dict[str, int] = {}
        # Outline keys whose page the contents shows.
        self.contents_keys: list[str] = []
        # The page furniture's operators but the page label, recorded on the first page.
        self.furniture_code: list[str] | None = None
        # (font, text) -> the subsets and shown strings of text drawn by the flowables' FastText.
        self.encoded_text: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {}
        # y -> the operators of the grade box drawn at that height in a chronology entry.
        self.grade_boxes: dict[float, list[str]] = {}
        if as_of is not None:
            stamp = as_of.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
            self.setDateFormatter(lambda *_: stamp)

    def showPage(self) -> None:
        """Close the page and compress its content stream now: reportlab keeps every page's
        stream as text until the document is saved, which at 10,000 events held about
        60 MiB. The bytes written are the same (same zlib call, same /Filter entry)."""
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if page.compression and page.stream and not page.Contents:
            from reportlab.pdfbase.pdfdoc import PDFArray, PDFName

            content = page.stream.encode("utf8") if isinstance(page.stream, str) else page.stream
            compressed = _PageStream(content=zlib.compress(content))
            compressed.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
            compressed.__Comment__ = "page stream"
            page.Contents = compressed
            page.stream = None

    def save(self) -> None:
        if self._code:
            self.showPage()
        total = self.getPageNumber() - 1
        for number in range(1, total + 1):
            self.beginForm(page_label_form(number), lowerx=-150, lowery=-4, upperx=0, uppery=12)
            self.setFont(SANS, 7.5)
            self.setFillColor(HexColor(MUTED))
            self.drawRightString(0, 0, f"Page {number} of {total}")
            self.endForm()
        for key in self.contents_keys:
            self.beginForm(section_page_form(key), lowerx=-60, lowery=-4, upperx=0, uppery=12)
            self.setFont(SANS, 9)
            self.setFillColor(HexColor(MUTED))
            self.drawRightString(0, 0, str(self.section_pages.get(key, "–")))
            self.endForm()
        super().save()


def brief_doc(buffer: io.BytesIO | PdfBytes, *, info: BriefInfo, events: list[BriefEvent]) -> Any:
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
    furniture = functools.partial(_draw_page_furniture, info=info, drafts=any(event.draft for event in events))
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


def _draw_page_furniture(canv: Any, doc: Any, *, info: BriefInfo, drafts: bool = False) -> None:
    """Header and footer on every page: marking, brief title, as-of time, page label, and
    a DRAFT line when any event is unpublished.

    Only the page label differs from page to page: the operators drawn on the first
    page are kept on the canvas (``furniture_code``) and written again on the others,
    the same bytes without laying out the same strings hundreds of times."""
    if doc.page == 1:
        canv.showOutline()
    canv.saveState()
    recorded = getattr(canv, "furniture_code", None)
    if recorded is None:
        start = len(canv._code)
        _draw_fixed_furniture(canv, info=info, drafts=drafts)
        if hasattr(canv, "furniture_code"):
            canv.furniture_code = canv._code[start:]
    else:
        canv._code.extend(recorded)
    canv.translate(PAGE_WIDTH - MARGIN_X, 11 * MM)
    canv.doForm(page_label_form(doc.page))
    canv.restoreState()


def _draw_fixed_furniture(canv: Any, *, info: BriefInfo, drafts: bool) -> None:
    """What the header and footer show on every page alike (all but the page label)."""
    text = BriefText()
    left, right = MARGIN_X, PAGE_WIDTH - MARGIN_X
    marking = info.marking.strip()
    if marking:
        canv.setFillColor(HexColor(MARKING_RED))
        _draw_runs(canv, PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * MM, text.font_runs(marking, face=SANS_BOLD), 8, "centre")
        _draw_runs(canv, PAGE_WIDTH / 2, 8 * MM, text.font_runs(marking, face=SANS_BOLD), 8, "centre")
    if drafts:
        canv.setFillColor(HexColor(MARKING_RED))
        _draw_runs(canv, left, PAGE_HEIGHT - 11 * MM, [(SANS_BOLD, "DRAFT · includes unpublished events")], 8, "left")
    canv.setFillColor(HexColor(MUTED))
    as_of = format_as_of(info.as_of)
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

    runs = visual_runs(runs)
    widths = [stringWidth(run, font, size) for font, run in runs]
    if align == "centre":
        x -= sum(widths) / 2
    elif align == "right":
        x -= sum(widths)
    for (font, run), width in zip(runs, widths, strict=True):
        canv.setFont(font, size)
        canv.drawString(x, y, run)
        x += width


def format_as_of(as_of: dt.datetime | None) -> str:
    if as_of is None:
        return "As of: not stated"
    as_of = as_of.astimezone(dt.UTC)
    return f"As of {as_of.day} {dates.MONTHS[as_of.month - 1]} {as_of.year}, {as_of:%H:%M} UTC"
