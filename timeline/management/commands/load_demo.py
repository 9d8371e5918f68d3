from django.core.management.base import BaseCommand

from timeline import services


class Command(BaseCommand):
    help = "Load the demo timeline (Russia–DPRK military cooperation) unless it is already loaded."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load it again, resetting the demo records to the shipped version."
        )

    def handle(self, *args, force: bool, **options):
        if services.demo_timeline_load(force=force):
            self.stdout.write(self.style.SUCCESS("Loaded the demo timeline."))
        else:
            self.stdout.write("The demo timeline is already loaded (use --force to reset it).")
