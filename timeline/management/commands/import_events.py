"""``manage.py import_events <timeline> FILE [--format F] [--dry-run]``: import events from a file.

Formats: csv, xlsx, timelinejs (the TimelineJS template sheet as CSV or XLSX),
timelinejs-json, acled, ics, json (see ``timeline.importers.formats``). Without
``--format`` the format is detected and named. All or nothing: a file with any bad
row writes nothing and lists every problem (row, column, message); the command then
exits 1. ``--dry-run`` shows what each row would become and writes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from timeline.importers import FORMAT_NAMES, FORMATS, FileRefused, import_rows, read
from timeline.models import Timeline


class Command(BaseCommand):
    help = "Import events into a timeline from CSV, XLSX, TimelineJS, ACLED, iCalendar or API JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("timeline", help="The timeline's slug.")
        parser.add_argument("file", help="The file to import, or - for standard input.")
        parser.add_argument("--format", choices=FORMATS, help="The file's format (detected when left out).")
        parser.add_argument("--dry-run", action="store_true", help="Show what each row becomes; write nothing.")
        parser.add_argument("--user", help="Username recorded in the events' history.")

    def handle(self, *args: Any, **options: Any) -> None:
        timeline = Timeline.objects.filter(slug=options["timeline"]).first()
        if timeline is None:
            raise CommandError(f"No timeline with slug “{options['timeline']}”.")
        user = None
        if options["user"]:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user “{options['user']}”.")
        name = options["file"]
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror or exc}.") from None
        try:
            format, rows = read(data, filename=name, format=options["format"])
        except FileRefused as exc:
            raise CommandError(str(exc)) from None
        if not options["format"]:
            self.stdout.write(f"Format: {format} ({FORMAT_NAMES[format]})")
        report = import_rows(timeline, rows, user=user, dry_run=options["dry_run"], format=format)
        verbosity = options["verbosity"]
        for outcome in report.outcomes:
            if outcome.action == "error" or (verbosity >= 2 or options["dry_run"]):
                reading = f" ({outcome.reading})" if outcome.reading else ""
                self.stdout.write(f"row {outcome.line}: {outcome.action}: {outcome.date}{reading} {outcome.title}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing was imported: {len(report.problems)} problem{'s' if len(report.problems) != 1 else ''} "
                f"in {report.counts()['error']} row{'s' if report.counts()['error'] != 1 else ''}."
            )
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb} into “{timeline.slug}”: {report.summary()}.")
