"""The admin's import through the test client: preview, confirm, tokens, permissions, queued jobs."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import EditorFactory, TimelineFactory, UserFactory
from timeline.models import Event

GOOD = b"title,date\nOne,2025-04\nTwo,c. June 2025\n"


def import_url(timeline):
    return reverse("admin:timeline_timeline_import", args=[timeline.pk])


def preview(client, timeline, data=GOOD, name="events.csv"):
    return client.post(import_url(timeline), {"file": SimpleUploadedFile(name, data), "format": ""})


def token_of(response) -> str:
    return re.search(rb'name="token" value="([^"]+)"', response.content).group(1).decode()


@pytest.mark.django_db
def test_preview_writes_nothing_and_confirm_imports_once(client):
    client.force_login(EditorFactory())
    timeline = TimelineFactory()
    response = preview(client, timeline)
    assert response.status_code == 200
    assert b"2025-06~" in response.content and b"1\xe2\x80\x9330 June 2025" in response.content
    assert not Event.objects.filter(timeline=timeline).exists()
    token = token_of(response)
    done = client.post(import_url(timeline), {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Event.objects.filter(timeline=timeline).count() == 2
    # The same preview cannot be confirmed twice.
    again = client.post(import_url(timeline), {"confirm": "1", "token": token}, follow=True)
    assert b"expired or was already imported" in again.content
    assert Event.objects.filter(timeline=timeline).count() == 2


@pytest.mark.django_db
def test_another_users_preview_cannot_be_confirmed(client):
    timeline = TimelineFactory()
    client.force_login(EditorFactory())
    token = token_of(preview(client, timeline))
    other = EditorFactory()
    client.force_login(other)
    response = client.post(import_url(timeline), {"confirm": "1", "token": token}, follow=True)
    assert b"expired or was already imported" in response.content
    assert not Event.objects.filter(timeline=timeline).exists()


@pytest.mark.django_db
def test_a_bad_file_is_a_form_error(client):
    client.force_login(EditorFactory())
    response = preview(client, TimelineFactory(), data=b"\x00\x01nothing,useful\n")
    assert response.status_code == 200
    assert b"errorlist" in response.content


@pytest.mark.django_db
def test_staff_without_event_permissions_may_not_import(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=False))
    timeline = TimelineFactory()
    assert client.get(import_url(timeline)).status_code in (302, 403, 404)
    assert preview(client, timeline).status_code in (302, 403, 404)
    assert not Event.objects.filter(timeline=timeline).exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_confirmed_file_goes_to_a_worker_and_the_status_page_follows_it(client, settings, tmp_path):
    from tests.worker import run_worker

    settings.MEDIA_ROOT = tmp_path
    settings.TIMELINE_IMPORT_SYNC_MAX_ROWS = 5
    client.force_login(EditorFactory())
    timeline = TimelineFactory()
    data = ("title,date\n" + "".join(f"Event {n},2025-{1 + n % 12:02d}\n" for n in range(30))).encode()
    token = token_of(preview(client, timeline, data=data))
    queued = client.post(import_url(timeline), {"confirm": "1", "token": token})
    assert queued.status_code == 302
    status = client.get(queued["Location"])
    assert b"waiting" in status.content and b'http-equiv="refresh"' in status.content
    assert run_worker(media_root=tmp_path).returncode == 0
    finished = client.get(queued["Location"])
    assert b"Imported: 30 new" in finished.content and b"refresh" not in finished.content
    assert Event.objects.filter(timeline=timeline).count() == 30
