import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from timeline import services
from timeline.models import ApiToken


class Command(BaseCommand):
    help = (
        "Make an API token for a user and print its key once (only its digest is stored), "
        "or revoke one of the user's tokens with --revoke PREFIX."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Made with manage.py api_token", help="What the token is for.")
        parser.add_argument("--read-only", action="store_true", help="The token may read but not write.")
        parser.add_argument("--expires-in-days", type=int, metavar="N", help="Expire after N days (default: never).")
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the user's token whose key starts so.")

    def handle(self, *args, username, name, read_only, expires_in_days, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user “{username}”.")
        if revoke is not None:
            self.revoke(user, revoke)
            return
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        expires_in = dt.timedelta(days=expires_in_days) if expires_in_days is not None else None
        try:
            token, key = services.api_token_create(user=user, name=name, read_only=read_only, expires_in=expires_in)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        scope = "read-only" if token.read_only else "read-write"
        until = f"until {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "with no expiry"
        # The key alone goes to standard output, so that a script can capture it.
        self.stderr.write(f"Token “{token.name}” for {user.username} ({scope}, {until}). Copy the key now:")
        self.stdout.write(key)
        self.stderr.write("It is not stored and will not be shown again.")

    def revoke(self, user, prefix):
        if not prefix:
            raise CommandError("--revoke needs the first characters of the key (the prefix the admin lists).")
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        # The whole key names its token exactly; a prefix is compared on the 8 characters that are stored.
        tokens = list(active.filter(digest=services.api_token_digest(prefix))) or list(
            active.filter(prefix__startswith=prefix[:8])
        )
        if not tokens:
            raise CommandError(f"{user.username} has no active token starting “{prefix}”.")
        if len(tokens) > 1:
            raise CommandError(f"{len(tokens)} active tokens of {user.username} start “{prefix}”; give the whole key.")
        services.api_token_revoke(token=tokens[0])
        self.stdout.write(f"Revoked “{tokens[0].name}” ({tokens[0].prefix}…) of {user.username}.")
