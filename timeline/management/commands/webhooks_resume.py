from django.core.management.base import BaseCommand

from timeline.webhooks import deliveries_resume


class Command(BaseCommand):
    help = (
        "Queue again webhook deliveries that are pending but overdue (their job was lost, e.g. a worker "
        "killed while sending). Safe to run at any time, e.g. from cron every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--overdue-minutes", type=int, default=5, help="How late a delivery must be (default 5).")

    def handle(self, *args, overdue_minutes, **options):
        import datetime as dt

        resumed = deliveries_resume(overdue=dt.timedelta(minutes=max(overdue_minutes, 0)))
        self.stdout.write(f"{resumed} overdue webhook delivery(ies) queued again.")
