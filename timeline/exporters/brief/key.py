"""The key to grades and statuses. Imported only when rendering."""

from __future__ import annotations

from typing import Any

from timeline.exporters.brief.data import CONFIDENCE_MEANINGS, CREDIBILITY_LABELS, RELIABILITY_LABELS, STATUS_MEANINGS
from timeline.exporters.brief.layout import FRAME_WIDTH, MM, RULE
from timeline.exporters.brief.styles import table_style


def grading_key(*, styles: dict[str, Any]) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Spacer, Table

    def table(rows: list[tuple[str, str]], first_width: float) -> Any:
        data = [[Paragraph(term, styles["key_term"]), Paragraph(meaning, styles["key_text"])] for term, meaning in rows]
        grid = Table(data, colWidths=[first_width, None])
        grid.setStyle(
            table_style(
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
    columns.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
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
        Paragraph("Confidence in the analyst’s judgements", styles["h3"]),
        table(CONFIDENCE_MEANINGS, 32 * MM),
        Spacer(1, 6),
        Paragraph(
            "A red bar and “KEY” mark key events; “#12” is the event’s number, used in the sources list. "
            "“c.” marks an approximate date and “?” an uncertain one.",
            styles["note"],
        ),
    ]
