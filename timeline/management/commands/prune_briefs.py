import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from timeline.briefs import stored_briefs_prune


class Command(BaseCommand):
    help = "Delete PDF briefs that workers stored more than --days days ago (they are rendered again when asked for)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=7, help="age in days (default 7)")

    def handle(self, *args, days: float, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        deleted = stored_briefs_prune(older_than=dt.timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} stored brief(s) older than {days:g} days.")
