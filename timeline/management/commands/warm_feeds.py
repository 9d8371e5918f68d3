from django.core.management.base import BaseCommand, CommandError

from timeline.exporters.ical import BLOCK_FORMAT
from timeline.feed_blocks import blocks_prerender
from timeline.models import Timeline


class Command(BaseCommand):
    help = (
        "Render the calendar blocks of every published event that the cache does not hold "
        "(run after a deploy that changes the block format, SITE_URL or the cache)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="only these timelines (default: all)")

    def handle(self, *args, slugs: list[str], **options):
        timeline_ids = None
        if slugs:
            found = dict(Timeline.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            unknown = sorted(set(slugs) - set(found))
            if unknown:
                raise CommandError(f"No timeline with the slug {', '.join(unknown)}.")
            timeline_ids = list(found.values())
        rendered = blocks_prerender(timeline_ids=timeline_ids)
        self.stdout.write(f"Rendered {rendered} calendar block(s) (block format {BLOCK_FORMAT}).")
