"""Identical creates racing each other: one is stored, the others get a 4xx, none a 500.

The unique checks of the serializers read before they write, so two requests can both pass
them; the database's unique constraint then refuses the second insert, which the API answers
409. These tests race real threads, each with its own database connection: many identical
requests at once (PostgreSQL), and a second connection storing the same row between a
request's check and its insert (PostgreSQL and SQLite).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import signals
from rest_framework.test import APIClient

from tests.factories import EditorFactory
from tests.timeline.api_helpers import authorization_for
from timeline.models import Actor, Tag, Timeline

# Committed rows are seen by every thread's connection; the flush afterwards would also
# remove the "Editors" group its migration made, so it is restored for each test.
pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
ROUNDS = 5


def race(url: str, bodies: list[dict], authorization: str) -> list[int]:
    """POST every body at once from its own thread; the statuses, in order."""
    barrier = threading.Barrier(len(bodies))

    def post(body: dict) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=authorization)
        try:
            barrier.wait(timeout=30)
            return client.post(url, body, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


# Threads racing on the suite's in-memory SQLite measure its table locks, not the API: a
# connection reading a table another one is writing gets "database table is locked" at once.
# There the two-connection test below makes the race instead; PostgreSQL gets both.
if connection.vendor == "postgresql":

    @pytest.mark.parametrize(
        ("url", "model", "body"),
        [
            ("/api/v1/tags/", Tag, lambda n: {"name": f"Troops {n}"}),
            ("/api/v1/actors/", Actor, lambda n: {"name": f"GUR {n}"}),
            ("/api/v1/timelines/", Timeline, lambda n: {"slug": f"kursk-{n}", "title": f"Kursk {n}"}),
        ],
    )
    def test_concurrent_identical_creates_store_one_and_refuse_the_rest(url, model, body):
        authorization = authorization_for(EditorFactory())

        statuses = [race(url, [body(n)] * THREADS, authorization) for n in range(ROUNDS)]

        assert [sorted(round_statuses)[0] for round_statuses in statuses] == [201] * ROUNDS
        assert {status for round_statuses in statuses for status in round_statuses} - {201} <= {400, 409}
        assert [round_statuses.count(201) for round_statuses in statuses] == [1] * ROUNDS
        assert model.objects.count() == ROUNDS


@pytest.mark.parametrize(
    ("url", "model", "body", "fields"),
    [
        ("/api/v1/tags/", Tag, {"name": "Troops"}, {"name": "Troops", "slug": "troops"}),
        ("/api/v1/actors/", Actor, {"name": "GUR"}, {"name": "GUR"}),
        # Timelines race only in the threaded test above (PostgreSQL): on the suite's in-memory
        # SQLite the request still holds a shared lock on the timeline table at pre_save, so
        # the other connection could not write there at that moment.
    ],
)
def test_create_that_loses_the_unique_race_is_409_and_writes_nothing(url, model, body, fields):
    # Another connection stores the same row after the request's unique check passed and
    # just before its insert: the moment two racing requests meet, made certain.
    authorization = authorization_for(EditorFactory())

    def store_same_row_elsewhere(sender, instance, **kwargs):
        signals.pre_save.disconnect(store_same_row_elsewhere, sender=model)

        def store() -> None:
            try:
                model.objects.create(**fields)
            finally:
                connections.close_all()

        other = threading.Thread(target=store)
        other.start()
        other.join()

    signals.pre_save.connect(store_same_row_elsewhere, sender=model, weak=False)
    try:
        response = APIClient(HTTP_AUTHORIZATION=authorization).post(url, body, format="json")
    finally:
        signals.pre_save.disconnect(store_same_row_elsewhere, sender=model)

    assert (response.status_code, response.json(), model.objects.count()) == (
        409,
        {
            "detail": "The write conflicts with a change another request made at the same moment (such as the "
            "same name or slug); nothing was written. Read the current data and try again."
        },
        1,
    )
