"""Events as a table: the CSV and XLSX exports, in the columns the importers read back.

One row per event in :data:`timeline.importers.rows.COLUMNS`, from the one event
snapshot (:class:`timeline.snapshot.EventSnapshot`). Actors and tags are joined with
``; ``; the ``sources`` cell is a JSON list of the citations (title, URL, publisher,
reliability, quote, locator) so that an import restores them exactly.

Cells of free text that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return get a leading apostrophe, so a spreadsheet never runs them as formulas (the
import takes that apostrophe off again). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from timeline import dates
from timeline.importers.rows import COLUMNS
from timeline.snapshot import EventSnapshot

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Columns whose values the export computes as numbers or fixed words: never neutralised.
PLAIN_COLUMNS = frozenset(
    {"uid", "date", "lower", "upper", "precision", "status", "credibility", "grade", "key"}
    | {"latitude", "longitude", "published", "version", "updated"}
)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo :func:`neutralise` (the importers call it on every cell of our own columns)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _safe(row: dict[str, Any]) -> dict[str, Any]:
    return {
        column: neutralise(value) if isinstance(value, str) and column not in PLAIN_COLUMNS else value
        for column, value in row.items()
    }


def event_row(event: EventSnapshot) -> dict[str, Any]:
    """One event in the export's columns."""
    fuzzy = dates.parse_stored(event.date)
    sources = [
        {
            "title": c.source.title,
            "url": c.source.url,
            "publisher": c.source.publisher,
            "reliability": c.source.reliability,
            "quote": c.quote,
            "locator": c.locator,
        }
        for c in event.citations
    ]
    return _safe(
        {
            "uid": event.uid,
            "date": event.date,
            "display_date": fuzzy.display(),
            "lower": fuzzy.lower.isoformat(),
            "upper": fuzzy.upper.isoformat(),
            "precision": event.precision,
            "title": event.title,
            "summary": event.summary,
            "status": event.status,
            "claimant": event.claimant,
            "credibility": event.credibility,
            "grade": event.grade,
            "key": "yes" if event.key else "no",
            "actors": "; ".join(event.actors),
            "tags": "; ".join(event.tags),
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
    )


def api_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """One event of the API's JSON (``EventSerializer``) in the same columns (``?format=csv``)."""
    sources = [
        {
            "title": c["source"]["title"],
            "url": c["source"]["url"],
            "publisher": c["source"]["publisher"],
            "reliability": c["source"]["reliability"],
            "quote": c["quote"],
            "locator": c["locator"],
        }
        for c in item.get("citations") or []
    ]
    claimant = item.get("claimant") or {}
    return _safe(
        {
            "uid": item["uid"],
            "date": item["date"],
            "display_date": item["date_display"],
            "lower": item["date_lower"],
            "upper": item["date_upper"],
            "precision": item["precision"],
            "title": item["title"],
            "summary": item["summary"],
            "status": item["status"],
            "claimant": claimant.get("name", "") if isinstance(claimant, dict) else "",
            "credibility": item["credibility"],
            "grade": item["grade"],
            "key": "yes" if item["key"] else "no",
            "actors": "; ".join(actor["name"] for actor in item.get("actors") or []),
            "tags": "; ".join(tag["name"] for tag in item.get("tags") or []),
            "location": item["location"],
            "latitude": item["latitude"],
            "longitude": item["longitude"],
            "sources": json.dumps(sources, ensure_ascii=False) if sources else "",
            "reported": item["reported"],
            "published": "yes" if item["published"] else "no",
            "external_id": item.get("external_id", ""),
            "version": item["version"],
            "updated": item["updated_at"],
        }
    )


def csv_bytes(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to read anything but ASCII right."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def render_csv(events: Iterable[EventSnapshot]) -> bytes:
    return csv_bytes(event_row(event) for event in events)


def render_xlsx(events: Iterable[EventSnapshot]) -> bytes:
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
