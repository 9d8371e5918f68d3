import os

from django.core.management.base import BaseCommand

from timeline import services


class Command(BaseCommand):
    help = (
        "Make sure the superuser 'admin' exists. Its password comes from DJANGO_SUPERUSER_PASSWORD, "
        "or is generated and printed once when the account is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        env_password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or None
        user, password = services.admin_account_ensure(username=username, password=env_password)
        if password is None:
            self.stdout.write(f"Admin account '{user.username}' exists (password unchanged).")
        elif env_password:
            self.stdout.write(f"Admin account '{user.username}' uses the password from DJANGO_SUPERUSER_PASSWORD.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Created admin account '{user.username}' with password: {password}"))
            self.stdout.write(
                "This password is shown only now. Change it in the admin, or set DJANGO_SUPERUSER_PASSWORD."
            )
