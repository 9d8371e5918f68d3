"""Importing events: spreadsheets, TimelineJS, ACLED, calendars and the API's JSON.

``formats.read`` turns a file into rows in the service's own columns (detecting the
format when it is not named); ``service.import_rows`` checks every row, shows what each
becomes and writes all of them or nothing. The admin, ``manage.py import_events`` and
the API share both.
"""

from timeline.importers.formats import FORMAT_NAMES, FORMATS, read
from timeline.importers.rows import FileRefused, Problem, Row
from timeline.importers.service import Outcome, Report, import_rows

__all__ = ["FORMATS", "FORMAT_NAMES", "FileRefused", "Outcome", "Problem", "Report", "Row", "import_rows", "read"]
