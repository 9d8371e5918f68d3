"""``manage.py brief <slug> [filters] -o FILE``: write a timeline's PDF brief.

Takes every filter the events API takes, as options (``--tag munitions --tag
casualties --min-credibility 3``), with no size limit. Published events only
unless ``--include-drafts``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

import django_filters
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from timeline.briefs import InvalidBriefFilter, brief_request, render_brief_for
from timeline.filters import EventFilter
from timeline.models import Event, Timeline

MULTIPLE = (django_filters.MultipleChoiceFilter, django_filters.ModelMultipleChoiceFilter)


def filter_options() -> dict[str, Any]:
    """EventFilter's filters by name, except ``timeline`` (the command's argument)."""
    return {name: f for name, f in EventFilter.base_filters.items() if name != "timeline"}


class Command(BaseCommand):
    help = "Write the PDF brief of a timeline, filtered like the events API, to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The timeline's slug.")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write, or - for standard output.")
        parser.add_argument(
            "--include-drafts", action="store_true", help="Include unpublished events (default: published only)."
        )
        for name, event_filter in filter_options().items():
            help_text = str(event_filter.extra.get("help_text", ""))
            if isinstance(event_filter, MULTIPLE):
                parser.add_argument(f"--{name.replace('_', '-')}", dest=name, action="append", help=help_text)
            else:
                parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=help_text)

    def handle(self, *args: Any, **options: Any) -> None:
        timeline = Timeline.objects.filter(slug=options["slug"]).first()
        if timeline is None:
            raise CommandError(f"No timeline with slug “{options['slug']}”.")
        params = QueryDict(mutable=True)
        for name, event_filter in filter_options().items():
            value = options.get(name)
            if value is None:
                continue
            params.setlist(name, value if isinstance(event_filter, MULTIPLE) else [value])
        base = Event.objects.filter(timeline=timeline)
        if not options["include_drafts"]:
            base = base.published()
        try:
            brief = brief_request(
                timeline=timeline, params=params, base=base, scope="all" if options["include_drafts"] else "published"
            )
        except InvalidBriefFilter as exc:
            raise CommandError(f"Invalid filter: {exc}") from exc
        pdf = render_brief_for(brief)
        self._write(pdf, options["output"])
        if options["output"] != "-":
            self.stderr.write(f"Wrote {options['output']} ({len(pdf):,} bytes).")

    def _write(self, pdf: bytes, output: str) -> None:
        """Write all of ``pdf`` or nothing: a temporary file renamed into place."""
        if output == "-":
            sys.stdout.buffer.write(pdf)
            return
        directory = os.path.dirname(os.path.abspath(output))
        try:
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".brief-", suffix=".pdf")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(pdf)
            # mkstemp creates the file private (0600); a brief gets the usual mode for new files.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, output)
        except OSError as exc:
            os.unlink(temporary)
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
