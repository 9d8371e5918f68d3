import pytest
from django.core.management import call_command

from timeline import dates
from timeline.models import Actor, Citation, Event, Source, Tag, Timeline

DEMO_SLUG = "russia-dprk-military-cooperation"


@pytest.mark.django_db
def test_demo_fixture_loads_twice_without_duplicates():
    call_command("loaddata", "demo", verbosity=0)
    call_command("loaddata", "demo", verbosity=0)

    counts = [model.objects.count() for model in (Timeline, Event, Source, Citation, Actor, Tag)]

    assert counts == [1, 11, 1, 13, 8, 8]


@pytest.mark.django_db
def test_demo_fixture_events_are_sourced_and_dated_honestly():
    call_command("loaddata", "demo", verbosity=0)

    timeline = Timeline.objects.get(slug=DEMO_SLUG)
    april = Event.objects.get(title__startswith="Pyongyang acknowledges")

    assert timeline.title == "Russia–DPRK military cooperation"
    assert (april.date, april.precision, april.date_display) == ("2025-04", "month", "April 2025")
    assert Event.objects.filter(citations__isnull=True).count() == 0
    assert Event.objects.filter(claimant__isnull=True).count() == 0


@pytest.mark.django_db
def test_demo_fixture_derived_date_columns_match_parser():
    call_command("loaddata", "demo", verbosity=0)

    mismatched = [
        event.title
        for event in Event.objects.all()
        if (event.date_lower, event.date_upper, event.precision, event.approximate, event.uncertain)
        != (lambda p: (p.lower, p.upper, p.precision.value, p.approximate, p.uncertain))(dates.parse(event.date))
    ]

    assert mismatched == []


@pytest.mark.django_db
def test_demo_fixture_quotes_come_from_the_article(settings):
    # The article the demo quotes ships with it, so a fresh clone needs nothing from outside.
    article = settings.BASE_DIR / "fixtures" / "sources" / "japan-times-budanov-interview.txt"
    text = article.read_text()
    call_command("loaddata", "demo", verbosity=0)

    missing = [c.quote for c in Citation.objects.all() if c.quote not in text]

    assert missing == []


@pytest.mark.django_db
def test_load_demo_command_is_idempotent_and_keeps_edits(capsys):
    call_command("load_demo")
    event = Event.objects.get(pk=1)
    event.title = "Edited by an analyst"
    event.save()

    call_command("load_demo")

    assert Event.objects.get(pk=1).title == "Edited by an analyst"
    assert Event.objects.count() == 11
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_ensure_admin_creates_once_and_prints_password(capsys, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    call_command("ensure_admin")
    first = capsys.readouterr().out
    call_command("ensure_admin")
    second = capsys.readouterr().out

    assert "Created admin account 'admin' with password: " in first
    assert "exists (password unchanged)" in second


@pytest.mark.django_db
def test_ensure_admin_uses_environment_password(monkeypatch):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-test-password")

    call_command("ensure_admin")

    # The login lockout (django-axes) needs the request that carries the password.
    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="admin", password="a-long-test-password") is not None
