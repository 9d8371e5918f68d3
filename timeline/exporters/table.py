"""Events as a table: the CSV and XLSX exports, in the columns the importers read back.

One row per event in :data:`timeline.importers.rows.COLUMNS`. Actors and tags are
joined with ``; ``; the ``sources`` cell is a JSON list of the citations (title, URL,
publisher, reliability, quote, locator) so that an import restores them exactly.

Cells of free text that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return get a leading apostrophe, so a spreadsheet never runs them as formulas (the
import takes that apostrophe off again). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from timeline.importers.rows import COLUMNS
from timeline.models import Event, Reliability
from timeline.queries import RELATION_LISTS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Columns whose values the export computes as numbers or fixed words: never neutralised.
PLAIN_COLUMNS = frozenset(
    {"uid", "date", "lower", "upper", "precision", "status", "credibility", "grade", "key"}
    | {"latitude", "longitude", "published", "version", "updated"}
)


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo :func:`neutralise` (the importers call it on every cell of our own columns)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def related(event: Event, name: str) -> list[Any]:
    listed = getattr(event, RELATION_LISTS[name], None)
    return list(getattr(event, name).all()) if listed is None else listed


def event_row(event: Event) -> dict[str, Any]:
    """One event in the export's columns; expects ``queries.events_with_relation_lists``."""
    citations = related(event, "citations")
    reliability = min((c.source.reliability for c in citations), default=Reliability.F)
    sources = [
        {
            "title": c.source.title,
            "url": c.source.url,
            "publisher": c.source.publisher,
            "reliability": c.source.reliability,
            "quote": c.quote,
            "locator": c.locator,
        }
        for c in citations
    ]
    row: dict[str, Any] = {
        "uid": str(event.uid),
        "date": event.date,
        "display_date": event.date_display,
        "lower": event.date_lower.isoformat(),
        "upper": event.date_upper.isoformat(),
        "precision": event.precision,
        "title": event.title,
        "summary": event.summary,
        "status": event.status,
        "claimant": event.claimant.name if event.claimant else "",
        "credibility": event.credibility,
        "grade": f"{reliability}{event.credibility}",
        "key": "yes" if event.key else "no",
        "actors": "; ".join(actor.name for actor in related(event, "actors")),
        "tags": "; ".join(tag.name for tag in related(event, "tags")),
        "location": event.location,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "sources": json.dumps(sources, ensure_ascii=False) if sources else "",
        "reported": event.reported,
        "published": "yes" if event.published else "no",
        "external_id": event.external_id,
        "version": event.version,
        "updated": event.updated_at.isoformat(),
    }
    return {
        column: neutralise(value) if isinstance(value, str) and column not in PLAIN_COLUMNS else value
        for column, value in row.items()
    }


def render_csv(events: Iterable[Event]) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to read anything but ASCII right."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for event in events:
        writer.writerow({k: "" if v is None else v for k, v in event_row(event).items()})
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def render_xlsx(events: Iterable[Event]) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Events")
    sheet.append(list(COLUMNS))
    for event in events:
        cells = []
        for value in event_row(event).values():
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
