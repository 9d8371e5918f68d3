"""The flowables of a brief: headings that write the outline, chronology entries and
text flows drawn from pre-laid-out lines (no ``Paragraph`` parsing), and the text block
they share. Imported only when rendering: this module imports reportlab.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfdoc import PDFObject
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Flowable, Paragraph

from timeline.exporters.brief.data import BriefEvent
from timeline.exporters.brief.layout import ACCENT, COLUMN_GAP, DATE_COLUMN, INK, KEY_RED, MM, MUTED, RULE
from timeline.exporters.brief.styles import colour
from timeline.exporters.brief.text import SANS, SANS_BOLD, Segment, Span, layout_lines, text_width


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
        pages = getattr(self.canv, "section_pages", None)
        if pages is not None:
            pages.setdefault(self.outline_key, self.canv.getPageNumber())
        self.canv.bookmarkHorizontal(self.outline_key, 0, self.height + self.style.spaceBefore)
        self.canv.addOutlineEntry(
            self.outline_title, self.outline_key, level=self.outline_level, closed=self.outline_level >= 1
        )
        super().draw()


class Contents(Flowable):
    """A contents list: each entry links to its section, and its page number is a form
    the canvas fills in when the document is saved (see ``BriefCanvas``)."""

    def __init__(self, entries: list[tuple[str, str, int]]) -> None:
        """``entries``: (title, outline key, level 0 or 1)."""
        super().__init__()
        self.entries = entries

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = 15 * len(self.entries)
        return self.width, self.height

    def draw(self) -> None:
        from timeline.exporters.brief.document import section_page_form

        canv = self.canv
        for index, (title, key, level) in enumerate(self.entries):
            y = self.height - 15 * (index + 1) + 4
            indent = 12 * level
            canv.setFont(SANS_BOLD if level == 0 else SANS, 9.5 if level == 0 else 9)
            canv.setFillColor(colour(INK))
            canv.drawString(indent, y, title)
            canv.setStrokeColor(colour(RULE))
            canv.setLineWidth(0.3)
            canv.line(indent, y - 3, self.width, y - 3)
            canv.linkRect("", key, (indent, y - 3, self.width, y + 10), relative=1, thickness=0)
            canv.contents_keys.append(key)
            canv.saveState()
            canv.translate(self.width, y)
            canv.doForm(section_page_form(key))
            canv.restoreState()


class EventEntry(Flowable):
    """One chronology event: a date column (date, grade, number) beside the text.

    Text blocks are laid out on first wrap (once per width) by the plain line
    breaker of ``text``. Splits between lines, so an event longer than
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
        placed: list[Block] = []
        rest: list[Block] = []
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
            canv.setFillColor(colour(KEY_RED))
            canv.rect(-4.5 * MM, 4, 1.6, self.height - 8, stroke=0, fill=1)
        canv.setStrokeColor(colour(RULE))
        canv.setLineWidth(0.4)
        canv.line(0, 0.5, self.width, 0.5)

    def _draw_grade(self, canv: Any, y: float) -> None:
        """The grade in a box, then the event number and KEY, as one text object."""
        canv.setStrokeColor(colour(ACCENT))
        canv.setLineWidth(0.6)
        boxes = getattr(canv, "grade_boxes", None)
        box = boxes.get(y) if boxes is not None else None
        if box is None:
            start = len(canv._code)
            canv.roundRect(0, y, 17, 11, 2, stroke=1, fill=0)
            if boxes is not None and len(boxes) < 64:
                boxes[y] = canv._code[start:]
        else:
            # The same box at the same place in the entry: its operators again.
            canv._code.extend(box)
        grade = self.event.grade
        text = FastText(canv, 8.5 - text_width(grade, SANS_BOLD, 7.5) / 2, y + 3)
        text.set_font(SANS_BOLD, 7.5, 9)
        text.set_fill(ACCENT)
        text.out(grade)
        text.set_origin(21, y + 3)
        text.set_font(SANS, 7, 8.4)
        text.set_fill(MUTED)
        text.out(f"#{self.event.number}")
        if self.event.key:
            text.set_font(SANS_BOLD, 7, 8.4)
            text.set_fill(KEY_RED)
            text.out("  KEY")
        text.draw()


class TextFlow(Flowable):
    """Text blocks one under another, with an optional label in the left margin
    (drawn on the first part) and a named destination; splits between lines."""

    def __init__(
        self,
        blocks: list[Block],
        *,
        label: Block | None = None,
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
        placed: list[Block] = []
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


@dataclass(slots=True)
class Block:
    """A run of text lines in one size and leading, drawn without ``Paragraph``."""

    spans: list[Span]
    leading: float
    space_after: float = 0.0
    lines: list[list[Segment]] = field(default_factory=list)
    indent: float = 0.0

    def laid_out(self, width: float) -> Block:
        lines = layout_lines(self.spans, width - self.indent)
        return Block(self.spans, self.leading, self.space_after, lines, self.indent)

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading + self.space_after

    def cut(self, count: int) -> tuple[Block, Block]:
        """The first ``count`` lines, and the rest."""
        return (
            Block(self.spans, self.leading, 0.0, self.lines[:count], self.indent),
            Block(self.spans, self.leading, self.space_after, self.lines[count:], self.indent),
        )

    def draw(self, canv: Any, x: float, top: float) -> None:
        """Draw with the first line's text top at ``top``: one text object for all lines.

        Segments of a line follow each other by the text's own advance (their x
        positions were computed from the same widths), and lines by the leading,
        so no position is written per segment.
        """
        if not self.lines or not any(self.lines):
            return
        size = next(segment.size for line in self.lines for segment in line)
        text = FastText(canv, x, top - size)
        links = []
        for index, line in enumerate(self.lines):
            if index:
                text.next_line()
            for segment in line:
                text.set_font(segment.font, segment.size, self.leading)
                text.set_fill(segment.colour)
                text.out(segment.text)
                if segment.href:
                    baseline = top - size - index * self.leading
                    rect = (
                        x + segment.x,
                        baseline - 0.25 * segment.size,
                        x + segment.x + segment.width,
                        baseline + segment.size,
                    )
                    links.append((segment.href, rect))
        text.draw()
        for href, rect in links:
            if href.startswith("#"):
                add_internal_link(canv, href[1:], rect)
            else:
                canv.linkURL(href, rect, relative=1, thickness=0)


def add_internal_link(canv: Any, destination: str, rect: tuple[float, float, float, float]) -> None:
    """What ``canv.linkRect("", destination, rect, relative=1, thickness=0)`` adds, kept
    as a small object until the document is saved (see :class:`InternalLink`)."""
    canv._addAnnotation(InternalLink(canv._absRect(rect, 1), canv._bookmarkReference(destination)))


class InternalLink(PDFObject):
    """A link to a named destination in the brief, written with the same bytes as reportlab's
    ``LinkAnnotation`` from ``linkRect``, but held as a rectangle and a destination until the
    file is written: a brief of 10,000 events has some 20,000 of them ("Sources [3] [17]"),
    and each ``LinkAnnotation`` with its dictionaries held about 1 KiB until the end."""

    __slots__ = ("destination", "rect")

    def __init__(self, rect: tuple[float, float, float, float], destination: Any) -> None:
        self.rect = rect
        self.destination = destination

    def format(self, document: Any) -> bytes:
        # LinkAnnotation(Rect=…, Contents="", Destination=…, Border=PDFArray([0, 0, 0])).format(document)
        # gives these bytes: its dictionary's six keys sorted, on one line.
        # Many links lead to one destination ("[12]" from every event citing source 12).
        destination = getattr(self.destination, "formatted", None)
        if destination is None:
            destination = self.destination.formatted = pdf_format(self.destination, document)
        rect = _fp(*self.rect).encode("ascii")
        return b"<<\n/Border [ 0 0 0 ] /Contents () /Dest " + destination + b" /Rect [ " + rect + LINK_TAIL


LINK_TAIL = b" ] /Subtype /Link /Type /Annot\n>>"


# The strings drawn again and again are short ("Sources", " · ", " [12]", "B2"): only those are
# kept, and only so many, so that the cache stays small at 10,000 events.
ENCODED_TEXT_LENGTH = 16
ENCODED_TEXT_COUNT = 4096


class FastText:
    """A PDF text object, written as reportlab's ``PDFTextObject`` writes it for
    ``beginText``, ``setTextOrigin``, ``setFont``, ``setFillColor``, ``textOut`` and
    ``textLine("")`` (the same operators, so the same bytes), for the brief's own
    TrueType fonts only. It skips what those calls do that a brief never reads back:
    measuring every string to move a cursor nobody asks for (the layout already knows
    the widths), and formatting the same font and colour operators again for each of
    the chronology's hundreds of thousands of pieces of text.
    """

    __slots__ = ("_canv", "_code", "_doc", "_encoded", "_fill", "_font", "_font_key", "_subset", "_tail")

    def __init__(self, canv: Any, x: float, y: float) -> None:
        self._canv = canv
        self._doc = canv._doc
        # Strings drawn again ("Sources", " · ", "[12]"…) are encoded once per document.
        encoded = getattr(canv, "encoded_text", None)
        self._encoded: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {} if encoded is None else encoded
        # beginText() starts at the origin; setTextOrigin then moves it.
        self._code = ["BT 1 0 0 1 0 0 Tm", f"1 0 0 1 {_fp(x, y)} Tm"]
        self._font: Any = None
        self._font_key: tuple[str, float, float] | None = None
        self._subset = -1
        self._tail = ""
        self._fill = ""

    def set_origin(self, x: float, y: float) -> None:
        self._code.append(f"1 0 0 1 {_fp(x, y)} Tm")

    def set_font(self, name: str, size: float, leading: float) -> None:
        key = (name, size, leading)
        if key != self._font_key:
            self._font_key = key
            self._font = _font(name)
            self._subset = -1
            self._tail = _font_tail(size, leading)

    def set_fill(self, hex_colour: str) -> None:
        if hex_colour != self._fill:
            self._fill = hex_colour
            self._code.append(_fill_operator(hex_colour))

    def out(self, text: str) -> None:
        font, doc = self._font, self._doc
        key = (font.fontName, text)
        encoded = self._encoded.get(key)
        if encoded is None:
            # Which subset and code each character has is fixed for the document once given.
            encoded = tuple((subset, f"({_escape_pdf(chunk)}) Tj") for subset, chunk in _split(font, text, doc))
            if len(text) <= ENCODED_TEXT_LENGTH and len(self._encoded) < ENCODED_TEXT_COUNT:
                self._encoded[key] = encoded
        pieces = []
        for subset, shown in encoded:
            if subset != self._subset:
                pieces.append(f"{font.getSubsetInternalName(subset, doc)} {self._tail}")
                self._subset = subset
            pieces.append(shown)
        self._code.append(" ".join(pieces))

    def next_line(self) -> None:
        self._code.append(" T*")

    def draw(self) -> None:
        self._code.append("ET")
        self._canv._code.append(" ".join(self._code))


def _fp(*values: float) -> str:
    """``fp_str(*values)``, each number formatted once: text origins repeat from page to page."""
    return " ".join(map(_fp_one, values))


_FORMATTED_NUMBERS: dict[float, str] = {}


def _fp_one(value: float) -> str:
    formatted = _FORMATTED_NUMBERS.get(value)
    if formatted is None:
        formatted = str(fp_str(value))
        if len(_FORMATTED_NUMBERS) < 8192:
            _FORMATTED_NUMBERS[value] = formatted
    return formatted


def _font(name: str) -> Any:
    font = getFont(name)
    if not font._dynamicFont:  # pragma: no cover - every brief font is a TrueType font
        raise ValueError(f"{name} is not a TrueType font")
    return font


@functools.cache
def _font_tail(size: float, leading: float) -> str:
    return f"{_fp(size)} Tf {_fp(leading)} TL"


@functools.cache
def _fill_operator(hex_colour: str) -> str:
    value = colour(hex_colour)
    return f"{_fp(value.red, value.green, value.blue)} rg"


# What reportlab's escapePDF writes for each byte of a string shown in a content stream.
_ESCAPED = tuple(str(escapePDF(bytes([code]))) for code in range(256))


def _escape_pdf(chunk: bytes) -> str:
    """``escapePDF(chunk)``, by table (reportlab's own is a loop in Python unless its C
    accelerator is installed)."""
    return "".join(map(_ESCAPED.__getitem__, chunk))


def _split(font: Any, text: str, doc: Any) -> list[tuple[int, bytes]]:
    """``font.splitString(text, doc)``: (subset, codes) runs. When every character already
    has its code in this document and all are in one subset (nearly always, after the first
    pages), the codes are looked up at once instead of character by character."""
    state = font.state.get(doc) if text else None
    if state is not None:
        try:
            codes = [state.assignments[code] for code in map(ord, text)]
        except KeyError:  # a character not given a code yet (or one reportlab maps, as U+00A0)
            pass
        else:
            subset = codes[0] >> 8
            if subset == 0 and max(codes) < 256:
                return [(0, bytes(codes))]
            if all(code >> 8 == subset for code in codes):
                return [(subset, bytes(code & 0xFF for code in codes))]
    return list(font.splitString(text, doc))
