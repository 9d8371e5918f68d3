"""The optional read replica (config/db_router.py): plain reads from it, writes and sync from the primary.

A second PostgreSQL database with the same schema stands in for the replica. It is not
replicated, so which database answered shows in what each request sees.
"""

import os
import subprocess

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import EditorFactory, EventFactory, TimelineFactory
from tests.timeline.api_helpers import client_for, events_url, uids
from timeline.models import Event, Timeline

pytestmark = pytest.mark.postgresql


@pytest.fixture
def replica(transactional_db, settings):
    """The alias ``replica`` on a second database, added after the test database is set up
    (committed writes, as a replica only ever sees committed data)."""
    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_replica"
    admin = ["psql", "-h", primary["HOST"] or "127.0.0.1", "-p", primary["PORT"] or "5432", "-U", primary["USER"]]
    run = {"check": True, "capture_output": True, "env": os.environ | {"PGPASSWORD": primary["PASSWORD"] or ""}}
    subprocess.run([*admin, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"'], **run)
    subprocess.run([*admin, "-d", "postgres", "-c", f'CREATE DATABASE "{name}"'], **run)
    schema = subprocess.run(["pg_dump", "--schema-only", "--no-owner", *admin[1:], primary["NAME"]], **run).stdout
    subprocess.run([*admin, "-d", name, "-v", "ON_ERROR_STOP=1", "-q"], input=schema, **run)
    connections.settings["replica"] = {**primary, "NAME": name, "TEST": {"MIRROR": "default"}}
    # Connected here: the test case refuses to open connections to aliases it was not set up with.
    connections["replica"].connect()
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(1, "config.db_router.ReplicaReadsMiddleware")
    try:
        with override_settings(DATABASE_ROUTERS=["config.db_router.ReplicaRouter"], MIDDLEWARE=middleware):
            yield "replica"
    finally:
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]
        subprocess.run([*admin, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"'], **run)


def test_plain_reads_go_to_the_replica_and_writes_to_the_primary(replica):
    TimelineFactory(slug="dprk", title="On the primary")
    Timeline.objects.using(replica).create(slug="dprk", title="On the replica")
    body = {"timeline": "dprk", "title": "Written through the API", "date": "2025-04"}

    created = client_for(EditorFactory()).post(events_url(), body, format="json")
    page = Client().get(reverse("timeline:timeline-detail", kwargs={"slug": "dprk"}))
    listed = client_for().get(events_url(), {"timeline": "dprk"})

    assert created.status_code == 201, created.content
    assert Event.objects.using("default").filter(title="Written through the API").count() == 1
    assert Event.objects.using(replica).count() == 0
    assert ("On the replica" in page.content.decode(), "On the primary" in page.content.decode()) == (True, False)
    assert uids(listed) == []


def test_sync_requests_and_the_admin_read_the_primary(replica, admin_client):
    event = EventFactory(timeline=TimelineFactory(slug="dprk", title="On the primary"), title="Only on the primary")
    Timeline.objects.using(replica).create(slug="dprk", title="On the replica")
    since = "2000-01-01T00:00:00Z"

    changed = client_for().get(events_url(), {"timeline": "dprk", "updated_since": since})
    deleted = client_for().get(reverse("api:event-deleted"), {"timeline": "dprk", "since": since})
    admin = admin_client.get(reverse("admin:timeline_event_changelist"))
    plain = client_for().get(events_url(), {"timeline": "dprk"})

    assert uids(changed) == [str(event.uid)]
    assert deleted.status_code == 200
    assert "Only on the primary" in admin.content.decode()
    assert uids(plain) == []
