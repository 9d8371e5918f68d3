"""Paragraph and table styles of a brief. Imported only when rendering (reportlab)."""

from __future__ import annotations

import functools
from typing import Any

from timeline.exporters.brief.layout import ACCENT, INK, MUTED
from timeline.exporters.brief.text import SANS, SANS_BOLD, register_fonts


@functools.cache
def paragraph_styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle("brief-body", fontName=SANS, fontSize=9, leading=12.6, textColor=HexColor(INK))

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    def heading(name: str, *, size: float, leading: float, color: str, before: float, after: float) -> ParagraphStyle:
        return style(
            name,
            fontName=SANS_BOLD,
            fontSize=size,
            leading=leading,
            textColor=HexColor(color),
            spaceBefore=before,
            spaceAfter=after,
            keepWithNext=1,
        )

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
        "h1": heading("h1", size=17, leading=21, color=ACCENT, before=16, after=8),
        "h2": heading("h2", size=13, leading=16, color=ACCENT, before=10, after=2),
        "h3": heading("h3", size=9.5, leading=13, color=INK, before=8, after=3),
        "lead": style("lead", fontSize=9.5, leading=13.5, spaceAfter=8),
        "note": style("note", fontSize=7.5, leading=10, textColor=HexColor(MUTED), spaceBefore=4),
        "summary_date": style("summary-date", fontName=SANS_BOLD, fontSize=8.5, leading=11.5),
        "summary_title": style("summary-title", fontSize=8.5, leading=11.5),
        "summary_grade": style("summary-grade", fontName=SANS_BOLD, fontSize=8.5, leading=11.5, alignment=TA_LEFT),
        "key_term": style("key-term", fontName=SANS_BOLD, fontSize=8.5, leading=11.5),
        "key_text": style("key-text", fontSize=8.5, leading=11.5),
    }


def table_style(commands: list[tuple[Any, ...]]) -> Any:
    """A TableStyle whose cells use the embedded font: Table sets a cell font even
    around flowables, and its default is the non-embedded Helvetica."""
    from reportlab.platypus import TableStyle

    return TableStyle([("FONT", (0, 0), (-1, -1), SANS, 9), *commands])


@functools.cache
def colour(hex_colour: str) -> Any:
    from reportlab.lib.colors import HexColor

    return HexColor(hex_colour)
