"""manage.py api_token: make a token and print its key once, revoke one, refuse bad input in one line."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import timezone

from tests.factories import UserFactory
from tests.timeline.api_helpers import events_url
from timeline.models import ApiToken
from timeline.services import api_token_create, api_token_digest


def run(*argv):
    """Run the command as manage.py does; returns its exit code (0 when it returns)."""
    try:
        ManagementUtility(["manage.py", "api_token", *argv]).execute()
    except SystemExit as exit_:
        return exit_.code
    return 0


# manage.py closes the database connections when a command ends: only a transactional test survives that.
@pytest.mark.django_db(transaction=True)
def test_api_token_command_prints_key_once_on_stdout(capsys, client):
    # A superuser, not an editor: transactional tests run last, after a flush emptied the "Editors" group.
    UserFactory(username="importer", is_superuser=True)

    code = run("importer", "--name", "nightly import", "--read-only", "--expires-in-days", "30")

    out, err = capsys.readouterr()
    key = out.strip()
    token = ApiToken.objects.get()
    assert (code, token.digest, token.name, token.read_only, token.user.username) == (
        0,
        api_token_digest(key),
        "nightly import",
        True,
        "importer",
    )
    assert dt.timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert err.splitlines() == [
        f"Token “nightly import” for importer (read-only, until {token.expires_at:%Y-%m-%d %H:%M} UTC). "
        "Copy the key now:",
        "It is not stored and will not be shown again.",
    ]
    assert client.get(events_url(), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nobody"], "CommandError: No user “nobody”."),
        (["importer", "--expires-in-days", "0"], "CommandError: --expires-in-days must be 1 or more."),
        (["importer", "--name", " "], "CommandError: A token needs a name saying what it is for."),
        (["importer", "--name", "x" * 101], "CommandError: A token's name has at most 100 characters."),
        (["importer", "--revoke", "tl_nope"], "CommandError: importer has no active token starting “tl_nope”."),
    ],
)
def test_api_token_command_bad_input_exits_1_with_one_line(capsys, argv, message):
    UserFactory(username="importer")

    code = run(*argv)

    out, err = capsys.readouterr()
    assert (code, out, err.splitlines(), ApiToken.objects.filter(revoked_at__isnull=True).count()) == (
        1,
        "",
        [message],
        0,
    )


@pytest.mark.django_db
def test_api_token_command_revokes_by_prefix():
    user = UserFactory(username="importer")
    token, key = api_token_create(user=user, name="old script")
    other, _ = api_token_create(user=user, name="new script")
    out = io.StringIO()

    call_command("api_token", "importer", "--revoke", key[:8], stdout=out)

    token.refresh_from_db()
    other.refresh_from_db()
    assert (token.revoked_at is not None, other.revoked_at, out.getvalue()) == (
        True,
        None,
        f"Revoked “old script” ({key[:8]}…) of importer.\n",
    )


@pytest.mark.django_db
def test_api_token_command_revokes_by_whole_key_when_prefixes_collide():
    user = UserFactory(username="importer")
    token, key = api_token_create(user=user, name="one")
    twin, _ = api_token_create(user=user, name="two")
    ApiToken.objects.filter(pk=twin.pk).update(prefix=token.prefix)

    with pytest.raises(CommandError, match="2 active tokens of importer start"):
        call_command("api_token", "importer", "--revoke", key[:8])
    call_command("api_token", "importer", "--revoke", key, stdout=io.StringIO())

    assert list(ApiToken.objects.filter(revoked_at__isnull=False).values_list("name", flat=True)) == ["one"]


@pytest.mark.django_db
def test_api_token_command_does_not_revoke_another_users_token():
    UserFactory(username="importer")
    _, key = api_token_create(user=UserFactory(username="someone"), name="theirs")

    with pytest.raises(CommandError, match="importer has no active token"):
        call_command("api_token", "importer", "--revoke", key[:8])

    assert ApiToken.objects.get().revoked_at is None
