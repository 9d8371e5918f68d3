"""What every import format is read into: rows in the service's own columns, and problems.

Each reader in :mod:`timeline.importers.formats` turns a file into a list of
:class:`Row` (one per event, in the columns of the CSV export) so that one service
(:mod:`timeline.importers.service`) validates and writes them, whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The columns of the CSV and XLSX exports, which the CSV and XLSX imports read back.
# Columns marked derived are written by exports and ignored by imports (the service
# computes them from ``date`` and the citations).
COLUMNS = (
    "uid",
    "date",
    "display_date",  # derived
    "lower",  # derived
    "upper",  # derived
    "precision",  # derived
    "title",
    "summary",
    "status",
    "claimant",
    "credibility",
    "grade",  # derived
    "key",
    "actors",
    "tags",
    "location",
    "latitude",
    "longitude",
    "sources",
    "reported",
    "published",
    "external_id",
    "version",  # derived
    "updated",  # derived
)
DERIVED_COLUMNS = frozenset({"display_date", "lower", "upper", "precision", "grade", "version", "updated"})

# Several actors or tags in one cell.
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Problem:
    """Why a file or one of its rows cannot be imported. ``line`` is 0 for the file as a whole."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.line}" if self.line else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class SourceRef:
    """A citation as a file gives it: the source (matched by URL, else by title) and what it says."""

    url: str = ""
    title: str = ""
    publisher: str = ""
    quote: str = ""
    locator: str = ""
    reliability: str = ""


@dataclass
class Row:
    """One event as a file gives it. ``line`` is the row's number as the user sees it in the file."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    actors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    # Problems found while reading the row (e.g. a TimelineJS month that is not a number).
    problems: list[Problem] = field(default_factory=list)

    def get(self, column: str) -> str:
        value = self.values.get(column)
        return "" if value is None else str(value).strip()


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, size, format); carries one message for the user."""
