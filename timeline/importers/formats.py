"""Readers: a file in one of the supported formats → rows in the service's own columns.

Formats (``FORMATS``):

- ``csv`` / ``xlsx``: the columns of the CSV export (:data:`rows.COLUMNS`); several actors
  or tags in a cell are separated by ``;``; the ``sources`` cell holds a JSON list of
  ``{"title", "url", "publisher", "quote", "locator", "reliability"}`` objects as the
  export writes it, or, typed by hand, one URL per line.
- ``timelinejs``: the TimelineJS Google Sheets template, as CSV or XLSX (Year, Month, Day,
  Time, End Year, …, Display Date, Headline, Text, Media, Media Credit, Media Caption,
  Group, Type). An empty Day means month precision, an empty Month year precision.
- ``timelinejs-json``: TimelineJS3 JSON (``{"events": [{"start_date": …, "text": …}]}``).
- ``acled``: ACLED CSV exports (``event_id_cnty``, ``event_date``, ``time_precision``, …).
- ``ics``: iCalendar files, read with ``icalendar``; this service's own feeds come back as
  the EDTF they were made from (``X-TIMELINE-EDTF``), other calendars by DTSTART/DTEND.
- ``json``: this service's API JSON (a list of events, or a page with ``results``).

Nothing here touches the database: :mod:`timeline.importers.service` validates and writes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.html import strip_tags

from timeline import dates
from timeline.importers.rows import COLUMNS, LIST_SEPARATOR, FileRefused, Problem, Row, SourceRef

FORMATS = ("csv", "xlsx", "timelinejs", "timelinejs-json", "acled", "ics", "json")

FORMAT_NAMES = {
    "csv": "CSV (this service's columns)",
    "xlsx": "Excel workbook (this service's columns)",
    "timelinejs": "TimelineJS spreadsheet template",
    "timelinejs-json": "TimelineJS JSON",
    "acled": "ACLED CSV export",
    "ics": "iCalendar",
    "json": "this service's API JSON",
}

TIMELINEJS_COLUMNS = ("year", "headline")
ACLED_COLUMNS = ("event_id_cnty", "event_date", "time_precision")

# A workbook is a zip: refuse one whose parts would inflate past this, or by more than this ratio.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 200


def max_bytes() -> int:
    return int(getattr(settings, "TIMELINE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "TIMELINE_IMPORT_MAX_ROWS", 50_000))


# --- Reading a file ------------------------------------------------------------------


def read(data: bytes, *, filename: str = "", format: str | None = None) -> tuple[str, list[Row]]:
    """The file's format (detected when not given) and its rows. Raises :class:`FileRefused`."""
    if len(data) > max_bytes():
        raise FileRefused(
            f"The file is {len(data):,} bytes; the limit is {max_bytes():,}. Split it and import each part."
        )
    if not data.strip():
        raise FileRefused("The file is empty.")
    if format is not None and format not in FORMATS:
        raise FileRefused(f"Unknown format “{format}”. Formats: {', '.join(FORMATS)}.")
    if _is_zip(data):
        if format not in (None, "xlsx", "timelinejs"):
            raise FileRefused(f"This is an Excel workbook, not {FORMAT_NAMES[format]}.")
        table = _xlsx_table(data)
        format = format or ("timelinejs" if _has_columns(table, TIMELINEJS_COLUMNS) else "xlsx")
        rows = _table_rows(table, format)
    elif format == "xlsx":
        raise FileRefused("This is not an Excel workbook (.xlsx).")
    else:
        text = decode(data)
        format = format or detect(text, filename)
        if format == "ics":
            rows = read_ics(text)
        elif format in ("json", "timelinejs-json"):
            rows = read_json(text, format)
        else:
            rows = _table_rows(_csv_table(text), format)
    if len(rows) > max_rows():
        raise FileRefused(f"The file has {len(rows):,} rows; the limit is {max_rows():,}. Split it.")
    return format, rows


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (with BOM); anything else is refused with advice."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("The file starts like UTF-16 text but cannot be read as UTF-16.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"The file is not UTF-8 or UTF-16 text (byte {exc.start + 1} cannot be read). "
            "Save it as “CSV UTF-8” (or UTF-16) and import it again."
        ) from None


def detect(text: str, filename: str = "") -> str:
    """The format of a text file, from its content first and its name second."""
    head = text.lstrip()[:2000]
    if head.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if head.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except ValueError:
            raise FileRefused("The file looks like JSON but is not valid JSON.") from None
        if isinstance(document, dict) and isinstance(document.get("events"), list):
            return "timelinejs-json"
        return "json"
    table = _csv_table(text)
    if _has_columns(table, ACLED_COLUMNS):
        return "acled"
    if _has_columns(table, TIMELINEJS_COLUMNS):
        return "timelinejs"
    if _has_columns(table, ("title", "date")):
        return "csv"
    name = filename.lower()
    raise FileRefused(
        "Cannot tell the file's format"
        + (f" ({name.rsplit('.', 1)[-1]} file)" if "." in name else "")
        + ": a CSV needs a header row with at least “title” and “date” (or the TimelineJS or ACLED columns). "
        f"Name the format: {', '.join(FORMATS)}."
    )


# --- Tables (CSV and XLSX) ------------------------------------------------------------

Table = tuple[list[str], list[tuple[int, list[Any]]]]


def _csv_table(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        body = [(reader.line_num, cells) for cells in reader if any(cell.strip() for cell in cells)]
    except csv.Error as exc:
        raise FileRefused(f"The CSV cannot be read near line {reader.line_num}: {exc}.") from None
    return [cell.strip() for cell in header], body


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _xlsx_table(data: bytes) -> Table:
    """The first sheet's cells as stored: formulas are never evaluated (cached values are read)."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused("The workbook is damaged (not a valid .xlsx file).") from None
    total = sum(info.file_size for info in infos)
    if total > XLSX_MAX_UNCOMPRESSED or any(
        info.compress_size and info.file_size / info.compress_size > XLSX_MAX_RATIO for info in infos
    ):
        raise FileRefused("The workbook would inflate to more than this service reads; it is refused.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise FileRefused(f"The workbook cannot be read: {exc}.") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell_text(cell) for cell in next(rows, ())]
        body = []
        for number, cells in enumerate(rows, start=2):
            if any(_cell_text(cell) for cell in cells):
                body.append((number, list(cells)))
            if len(body) > max_rows():
                break
    finally:
        workbook.close()
    return header, body


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _normal(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip().lower())


def _has_columns(table: Table, needed: Iterable[str]) -> bool:
    header = {_normal(name) for name in table[0]}
    return all(_normal(name) in header for name in needed)


def _table_rows(table: Table, format: str) -> list[Row]:
    header, body = table
    if not header or not any(header):
        raise FileRefused("The file has no header row.")
    names = [_normal(name) for name in header]
    reader: Callable[[int, dict[str, str]], Row | None] = {
        "csv": _own_row,
        "xlsx": _own_row,
        "timelinejs": _timelinejs_row,
        "acled": _acled_row,
    }.get(format, _own_row)
    needed = {"csv": ("title", "date"), "xlsx": ("title", "date"), "timelinejs": TIMELINEJS_COLUMNS}.get(
        format, ACLED_COLUMNS if format == "acled" else ()
    )
    missing = [name for name in needed if _normal(name) not in names]
    if missing:
        raise FileRefused(f"The header row lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
    rows = []
    for line, cells in body:
        record = {name: _cell_text(cells[i]) if i < len(cells) else "" for i, name in enumerate(names) if name}
        row = reader(line, record)
        if row is not None:
            rows.append(row)
    return rows


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _own_row(line: int, record: dict[str, str]) -> Row:
    from timeline.exporters.table import restore

    own = {name.replace(" ", "_"): restore(value) for name, value in record.items()}
    row = Row(line=line, values={column: own.get(column, "") for column in COLUMNS if column in own})
    row.actors = split_list(own.get("actors", ""))
    row.tags = split_list(own.get("tags", ""))
    row.sources, problem = parse_sources_cell(own.get("sources", ""), line)
    if problem:
        row.problems.append(problem)
    return row


def parse_sources_cell(cell: str, line: int) -> tuple[list[SourceRef], Problem | None]:
    """The ``sources`` cell: the export's JSON list, or one URL per line."""
    cell = cell.strip()
    if not cell:
        return [], None
    if cell.startswith("["):
        try:
            items = json.loads(cell)
        except ValueError:
            return [], Problem(line, "sources", "Not a valid JSON list; give one URL per line or the export's JSON.")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return [], Problem(line, "sources", "Give a JSON list of objects with title, url, quote and locator.")
        known = SourceRef.__dataclass_fields__
        return [SourceRef(**{k: str(v or "") for k, v in item.items() if k in known}) for item in items], None
    return [SourceRef(url=part.strip()) for part in cell.splitlines() if part.strip()], None


# --- TimelineJS -----------------------------------------------------------------------


def _int_or_problem(value: str, line: int, column: str, problems: list[Problem]) -> int | None:
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        problems.append(Problem(line, column, f"“{value}” is not a number."))
        return None


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def _timelinejs_point(
    parts: Mapping[str, Any], line: int, prefix: str, problems: list[Problem], time_text: str = ""
) -> str:
    """EDTF for one end of a TimelineJS date: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a date-time."""

    def number(key: str) -> int | None:
        value = parts.get(key)
        if isinstance(value, int):
            return value
        return _int_or_problem(str(value or "").strip(), line, f"{prefix}{key.title()}".strip(), problems)

    year, month, day = number("year"), number("month"), number("day")
    if year is None:
        return ""
    text = f"{year:04d}"
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
    hour = parts.get("hour")
    if time_text:
        match = _TIME.match(time_text.strip())
        if not match:
            problems.append(Problem(line, f"{prefix}Time".strip(), f"“{time_text}” is not a time such as 14:30."))
            return text
        hour_value = int(match.group(1)) % 12 + (12 if (match.group(4) or "").lower().startswith("p") else 0)
        if not match.group(4):
            hour_value = int(match.group(1))
        time = (hour_value, int(match.group(2)), int(match.group(3) or 0))
    elif hour not in (None, ""):
        time = (int(hour), int(parts.get("minute") or 0), int(parts.get("second") or 0))
    else:
        return text
    if day is None:
        problems.append(Problem(line, f"{prefix}Time".strip(), "A time needs a day."))
        return text
    return f"{text}T{time[0]:02d}:{time[1]:02d}:{time[2]:02d}"


def timelinejs_date(start: str, end: str, display: str) -> str:
    """The EDTF for a TimelineJS entry. The display date wins when it reads as the same period
    with more to say (``c. June 2025`` for Year 2025, Month 6 keeps the "c.")."""
    structured = f"{start}/{end}" if end and end != start else start
    if display:
        try:
            said = dates.parse(display)
            plain = dates.parse(structured)
        except dates.InvalidDate:
            return structured
        if (said.known_lower, said.known_upper) == (plain.lower, plain.upper):
            return said.edtf
    return structured


def _timelinejs_row(line: int, record: dict[str, str]) -> Row | None:
    kind = record.get("type", "").strip().lower()
    if kind in ("title", "era"):
        return None  # the title slide and eras are not events
    problems: list[Problem] = []
    start = _timelinejs_point(
        {k: record.get(k, "") for k in ("year", "month", "day")}, line, "", problems, record.get("time", "")
    )
    end = _timelinejs_point(
        {k: record.get(f"end {k}", "") for k in ("year", "month", "day")},
        line,
        "End ",
        problems,
        record.get("end time", ""),
    )
    row = Row(line=line, problems=problems)
    row.values = {
        "date": timelinejs_date(start, end, record.get("display date", "")),
        "title": strip_html(record.get("headline", "")),
        "summary": strip_html(record.get("text", "")),
    }
    if record.get("group"):
        row.tags = [record["group"]]
    media = record.get("media", "")
    if media.startswith(("http://", "https://")):
        row.sources = [
            SourceRef(
                url=media,
                title=record.get("media caption", "") or record.get("media credit", "") or media,
                publisher=record.get("media credit", ""),
            )
        ]
    return row


def strip_html(text: str) -> str:
    """TimelineJS text is HTML; events keep plain text (paragraphs become blank lines). The
    paragraph our own export adds for the claim, grade and sources is left out."""
    text = re.sub(r'(?is)<p class="tl-meta">.*?</p>', "", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</p\s*>", "\n\n", text)
    return html.unescape(strip_tags(text)).strip()


def _timelinejs_json_rows(document: Mapping[str, Any]) -> list[Row]:
    rows = []
    for number, entry in enumerate(document.get("events") or [], start=1):
        if not isinstance(entry, dict):
            rows.append(Row(line=number, problems=[Problem(number, "", "Each event must be a JSON object.")]))
            continue
        problems: list[Problem] = []
        start_date, end_date = _object(entry.get("start_date")), _object(entry.get("end_date"))
        start = _timelinejs_point(start_date, number, "start_date ", problems)
        end = _timelinejs_point(end_date, number, "end_date ", problems) if end_date else ""
        display = str(entry.get("display_date") or start_date.get("display_date") or "")
        text = _object(entry.get("text"))
        row = Row(line=number, problems=problems)
        row.values = {
            "date": timelinejs_date(start, end, display),
            "title": strip_html(str(text.get("headline") or "")),
            "summary": strip_html(str(text.get("text") or "")),
        }
        unique = str(entry.get("unique_id") or "")
        row.values["uid" if _is_uuid(unique) else "external_id"] = unique
        if entry.get("group"):
            row.tags = [str(entry["group"])]
        media = _object(entry.get("media"))
        url = str(media.get("url") or "")
        if url.startswith(("http://", "https://")):
            row.sources = [
                SourceRef(
                    url=url,
                    title=strip_html(str(media.get("caption") or "")) or str(media.get("credit") or "") or url,
                    publisher=strip_html(str(media.get("credit") or "")),
                )
            ]
        rows.append(row)
    return rows


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- ACLED ----------------------------------------------------------------------------


def acled_date(event_date: str, precision: str) -> str:
    """ACLED's ``event_date`` with its ``time_precision``: 1 the day, 2 the week (Monday to
    Sunday around the day), 3 the month. Raises ``ValueError`` with a message."""
    text = event_date.strip()
    for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise ValueError(f"“{event_date}” is not a date such as 2024-10-15 or 15 October 2024.")
    if precision in ("1", ""):
        return day.isoformat()
    if precision == "2":
        monday = day - dt.timedelta(days=day.weekday())
        return f"{monday.isoformat()}/{(monday + dt.timedelta(days=6)).isoformat()}"
    if precision == "3":
        return f"{day.year:04d}-{day.month:02d}"
    raise ValueError(f"“{precision}” is not an ACLED time precision (1, 2 or 3).")


def _acled_row(line: int, record: dict[str, str]) -> Row:
    get = lambda name: record.get(_normal(name), "").strip()  # noqa: E731
    row = Row(line=line)
    try:
        date = acled_date(get("event_date"), get("time_precision"))
    except ValueError as exc:
        row.problems.append(Problem(line, "event_date", str(exc)))
        date = ""
    place = ", ".join(part for part in (get("location"), get("admin1"), get("country")) if part)
    kind = get("sub_event_type") or get("event_type") or "Event"
    summary = get("notes")
    if get("fatalities"):
        summary = f"{summary}\n\nFatalities: {get('fatalities')}".strip()
    row.values = {
        "external_id": get("event_id_cnty"),
        "date": date,
        "title": f"{kind}: {get('location') or get('country') or 'unknown place'}",
        "summary": summary,
        "location": place,
        "latitude": get("latitude"),
        "longitude": get("longitude"),
    }
    actors = [get("actor1"), *split_list(get("assoc_actor_1")), get("actor2"), *split_list(get("assoc_actor_2"))]
    row.actors = list(dict.fromkeys(actor for actor in actors if actor))
    row.tags = list(dict.fromkeys(tag for tag in (get("event_type"), get("sub_event_type")) if tag))
    row.sources = [SourceRef(title=name) for name in split_list(get("source"))]
    return row


# --- JSON -----------------------------------------------------------------------------


def read_json(text: str, format: str) -> list[Row]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise FileRefused(f"The file is not valid JSON: {exc}.") from None
    if format == "timelinejs-json":
        if not isinstance(document, dict) or not isinstance(document.get("events"), list):
            raise FileRefused("TimelineJS JSON needs an object with an “events” list.")
        return _timelinejs_json_rows(document)
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        document = document["results"]
    if not isinstance(document, list):
        raise FileRefused("API JSON needs a list of events (or a page with “results”).")
    return [_api_row(number, item) for number, item in enumerate(document, start=1)]


def _name_of(value: Any, key: str = "name") -> str:
    if isinstance(value, dict):
        return str(value.get(key) or value.get("name") or "")
    return "" if value is None else str(value)


def _api_row(number: int, item: Any) -> Row:
    if not isinstance(item, dict):
        return Row(line=number, problems=[Problem(number, "", "Each event must be a JSON object.")])
    row = Row(line=number)
    for column in ("uid", "date", "title", "summary", "status", "credibility", "key", "location", "reported"):
        if column in item:
            row.values[column] = "" if item[column] is None else item[column]
    for column in ("latitude", "longitude", "published", "external_id"):
        if column in item:
            row.values[column] = "" if item[column] is None else item[column]
    row.values["claimant"] = _name_of(item.get("claimant"))
    row.actors = [_name_of(actor) for actor in item.get("actors") or [] if _name_of(actor)]
    row.tags = [_name_of(tag) for tag in item.get("tags") or [] if _name_of(tag)]
    for citation in item.get("citations") or []:
        if not isinstance(citation, dict):
            row.problems.append(Problem(number, "citations", "Each citation must be a JSON object."))
            continue
        source = _object(citation.get("source"))
        row.sources.append(
            SourceRef(
                url=str(source.get("url") or ""),
                title=str(source.get("title") or ""),
                publisher=str(source.get("publisher") or ""),
                reliability=str(source.get("reliability") or ""),
                quote=str(citation.get("quote") or ""),
                locator=str(citation.get("locator") or ""),
            )
        )
    return row


# --- iCalendar ------------------------------------------------------------------------

_PREFIX = re.compile(r"^\[[^\]]*\]\s*")
_SOURCE_LINE = re.compile(r"^\d+\.\s+(.*)$")


def read_ics(text: str) -> list[Row]:
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise FileRefused(f"The calendar cannot be read: {exc}.") from None
    rows = []
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        rows.append(_ics_row(number, component))
    if not rows:
        raise FileRefused("The calendar holds no events (VEVENT).")
    return rows


def _ics_text(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def _ics_row(number: int, component: Any) -> Row:
    row = Row(line=number)
    uid = _ics_text(component, "UID")
    own = bool(_ics_text(component, "X-TIMELINE-EDTF"))
    row.values["uid" if _is_uuid(uid) else "external_id"] = uid
    summary = _ics_text(component, "SUMMARY")
    description = _ics_text(component, "DESCRIPTION")
    if own:
        row.values["date"] = _ics_text(component, "X-TIMELINE-EDTF")
        row.values["title"] = _PREFIX.sub("", summary)
        row.values["status"] = _ics_text(component, "X-TIMELINE-CLAIM-STATUS")
        row.values["claimant"] = _ics_text(component, "X-TIMELINE-CLAIMANT")
        row.values["credibility"] = _ics_text(component, "X-TIMELINE-CREDIBILITY")
        row.values["summary"], row.sources = _own_description(description)
    else:
        row.values["title"] = summary
        row.values["summary"] = description
        try:
            row.values["date"] = _ics_date(component)
        except ValueError as exc:
            row.problems.append(Problem(number, "DTSTART", str(exc)))
    row.values["location"] = _ics_text(component, "LOCATION")
    geo = component.get("GEO")
    if geo is not None:
        row.values["latitude"], row.values["longitude"] = geo.latitude, geo.longitude
    categories = component.get("CATEGORIES")
    for group in categories if isinstance(categories, list) else [categories] if categories is not None else []:
        row.tags.extend(str(category) for category in group.cats)
    return row


def _own_description(description: str) -> tuple[str, list[SourceRef]]:
    """This service's feed description: date line, summary, "Sources:" list, canonical URL."""
    paragraphs = description.replace("\r\n", "\n").split("\n\n")
    if paragraphs and paragraphs[0].startswith("Date: "):
        paragraphs = paragraphs[1:]
    if paragraphs and re.fullmatch(r"https?://\S+", paragraphs[-1].strip()):
        paragraphs = paragraphs[:-1]
    sources: list[SourceRef] = []
    if paragraphs and paragraphs[-1].startswith("Sources:"):
        for line in paragraphs[-1].splitlines()[1:]:
            match = _SOURCE_LINE.match(line.strip())
            if not match:
                continue
            parts = match.group(1).split(" — ")
            url = parts[-1] if parts[-1].startswith(("http://", "https://")) else ""
            if url:
                parts = parts[:-1]
            sources.append(SourceRef(url=url, title=parts[0] if parts else url, publisher=" — ".join(parts[1:])))
        paragraphs = paragraphs[:-1]
    return "\n\n".join(paragraphs).strip(), sources


def _ics_date(component: Any) -> str:
    start = component.get("DTSTART")
    if start is None:
        raise ValueError("The event has no start (DTSTART).")
    begin = start.dt
    end_prop = component.get("DTEND")
    if isinstance(begin, dt.datetime):
        if begin.tzinfo is not None:
            return begin.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return begin.strftime("%Y-%m-%dT%H:%M:%S")
    if end_prop is not None and isinstance(end_prop.dt, dt.date) and not isinstance(end_prop.dt, dt.datetime):
        last = end_prop.dt - dt.timedelta(days=1)  # DTEND of an all-day event is exclusive
        if last > begin:
            return f"{begin.isoformat()}/{last.isoformat()}"
    return begin.isoformat()
