"""The brief's shortcuts around reportlab write what reportlab itself writes."""

import io
import os

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from timeline.exporters.brief.flowables import FastText, add_internal_link
from timeline.exporters.brief.layout import ACCENT, INK, MUTED
from timeline.exporters.brief.text import (
    FONT_DIR,
    FONT_FILES,
    HEBREW,
    KOREAN_BOLD,
    SANS,
    SANS_BOLD,
    FontFileData,
    register_fonts,
)

# Latin, Hangul, Hebrew, a character reportlab maps (U+00A0) and ones PDF strings escape.
PIECES = [
    (SANS_BOLD, 9.5, 12.5, INK, "Troops (DPRK) \\ seen"),
    (SANS, 8.5, 11.8, MUTED, " · 쿠르스크 is not in this font"),
    (KOREAN_BOLD, 8.5, 11.8, MUTED, "쿠르스크 지역"),
    (HEBREW, 7.5, 10.2, ACCENT, "ירושלים"),
    (SANS, 7.5, 10.2, ACCENT, "non\u00a0breaking · Sources"),
    (SANS, 7.5, 10.2, ACCENT, "non\u00a0breaking · Sources"),
]


def _canvas() -> Canvas:
    return Canvas(io.BytesIO(), invariant=1, initialFontName=SANS)


def test_fast_text_writes_the_operators_of_reportlab_text_objects() -> None:
    register_fonts()
    ours, theirs = _canvas(), _canvas()

    for _ in range(2):  # the second time, every character already has its code
        fast = FastText(ours, 107.7165, 63.9)
        # As the chronology used to draw a block: font and colour set when they change.
        text = theirs.beginText()
        text.setTextOrigin(107.7165, 63.9)
        style = colour_set = None
        for index, (font, size, leading, colour, value) in enumerate(PIECES):
            if index == 3:
                fast.next_line()
                text.textLine("")
            fast.set_font(font, size, leading)
            fast.set_fill(colour)
            fast.out(value)
            if (font, size) != style:
                style = (font, size)
                text.setFont(font, size, leading)
            if colour != colour_set:
                colour_set = colour
                text.setFillColor(HexColor(colour))
            text.textOut(value)
        fast.draw()
        theirs.drawText(text)

    assert ours._code == theirs._code


def test_internal_links_are_written_as_reportlab_writes_link_rects() -> None:
    register_fonts()
    ours, theirs = _canvas(), _canvas()
    for canvas in (ours, theirs):
        canvas.translate(56.69291, 237.3544)
        canvas.bookmarkHorizontal("src12", 0, 100)
    rect = (0.5, 10.25, 120.125, 19.75)

    add_internal_link(ours, "src12", rect)
    theirs.linkRect("", "src12", rect, relative=1, thickness=0)
    pdfs = []
    for canvas in (ours, theirs):
        canvas.save()
        pdfs.append(canvas._filename.getvalue())

    assert b"/Subtype /Link" in pdfs[0]
    assert pdfs[0] == pdfs[1]


def test_font_file_data_reads_as_the_file() -> None:
    path = FONT_DIR / FONT_FILES[SANS]
    data = path.read_bytes()
    descriptor = os.open(path, os.O_RDONLY)
    view = FontFileData(descriptor, 0, len(data))

    try:
        whole_table = view[100 : 100 + FontFileData.READ_AT_ONCE + 5]
        read = [view[0], view[-1], view[10:20], view[len(data) - 3 : len(data) + 10]]
        read += [bytes(whole_table), whole_table[7:9]]
    finally:
        os.close(descriptor)

    assert len(view) == len(data)
    assert isinstance(whole_table, FontFileData)
    assert read == [
        data[0],
        data[-1],
        data[10:20],
        data[-3:],
        data[100 : 100 + FontFileData.READ_AT_ONCE + 5],
        data[107:109],
    ]
