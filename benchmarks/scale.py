"""Scale: the listed requests on one timeline of 10k, 100k and 1M events beside a small one of 1,000.

``make bench BENCH_ARGS=scale`` (PostgreSQL: set ``DATABASE_URL``; on SQLite the sizes
stop at 100,000). ``SCALE_SIZES=10000,100000`` picks the sizes. The big timeline grows
from one size to the next (seeded with ``COPY`` on PostgreSQL: events, their history
record, 2 actors, 2 tags and 2 citations each, distinct texts in Latin, Cyrillic and
Hangul, mixed date precisions). Each size is measured in a fresh process: per request,
the warm median of 5 (in-process test client), the number of queries, and whether every
query's plan reads the events, link, citation and history tables through indexes only.
Ratios are against the same request at the first size, measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from typing import Any

from benchmarks.harness import PLACES, SENTENCES, realistic_edtf, realistic_text

BIG = "scale-big"
SMALL = "scale-small"
SMALL_EVENTS = 1_000
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
# Seconds spent generating rows and copying them in, printed after each size.
TIMINGS = {"generate": 0.0, "copy": 0.0}
# Tables whose sequential scan would make a request grow with the whole database.
LARGE_TABLES = (
    "timeline_event",
    "timeline_event_actors",
    "timeline_event_tags",
    "timeline_citation",
    "timeline_historicalevent",
)
NATIVE_NAMES = ["Кирило Буданов", "김정은", "Сергій Шойгу", "조선중앙통신", "Генштаб ЗСУ", "국가정보원", "Кремль", ""]
TAG_NAMES = ["artillery", "missiles", "troops", "логістика", "санкції", "미사일", "훈련", "rail", "navy", "drones"]
SOURCE_TITLES = [
    "Japan Times interview",
    "Укрінформ звіт",
    "연합뉴스 보도",
    "Reuters dispatch",
    "Meduza: расследование",
]
EXTRA_SENTENCES = [
    "Розвідка повідомила про {n} вагонів із боєприпасами.",
    "북한은 {n}발의 포탄을 보냈다고 보도했다.",
    "Источник сообщил о {n} грузовиках у границы.",
]


def run(events: int = 10_000) -> None:
    from django.db import connection

    sizes = [int(size) for size in os.environ.get("SCALE_SIZES", "").split(",") if size.strip()]
    if not sizes:
        sizes = [size for size in DEFAULT_SIZES if connection.vendor == "postgresql" or size <= 100_000]
    _reset()
    started = time.perf_counter()
    seed_small()
    print(f"seeded the small timeline ({SMALL_EVENTS:,} events) in {time.perf_counter() - started:.1f} s")
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        started = time.perf_counter()
        grow_big(size)
        print(
            f"grew the big timeline to {size:,} events in {time.perf_counter() - started:.1f} s "
            f"(generating rows {TIMINGS['generate']:.1f} s, COPY {TIMINGS['copy']:.1f} s so far)",
            flush=True,
        )
        results[size] = _measure_in_fresh_process()
    _print_table(sizes, results)
    if os.environ.get("SCALE_KEEP") != "1":
        _reset()


# --- Seeding --------------------------------------------------------------------------


def _reset() -> None:
    from timeline.models import Actor, Event, EventTombstone, Source, Tag, Timeline

    Event.history.model.objects.filter(timeline__slug__in=[BIG, SMALL]).delete()
    timelines = Timeline.objects.filter(slug__in=[BIG, SMALL])
    EventTombstone.objects.filter(timeline__in=timelines).delete()
    if connection_vendor() == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            for table in ("timeline_citation", "timeline_event_actors", "timeline_event_tags"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE event_id IN "
                    "(SELECT e.id FROM timeline_event e JOIN timeline_timeline t ON t.id = e.timeline_id "
                    "WHERE t.slug IN (%s, %s))",
                    [BIG, SMALL],
                )
            cursor.execute(
                "DELETE FROM timeline_event WHERE timeline_id IN "
                "(SELECT id FROM timeline_timeline WHERE slug IN (%s, %s))",
                [BIG, SMALL],
            )
    else:
        Event.objects.filter(timeline__in=timelines)._raw_delete(Event.objects.db)  # type: ignore[attr-defined]
    timelines.delete()
    Actor.objects.filter(name__startswith="scale ").delete()
    Tag.objects.filter(slug__startswith="scale-").delete()
    Source.objects.filter(publisher="Scale benchmark").delete()


def connection_vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def _names() -> tuple[list[Any], list[Any], list[Any]]:
    from timeline.models import Actor, Source, Tag

    actors = list(Actor.objects.filter(name__startswith="scale "))
    if not actors:
        actors = Actor.objects.bulk_create(
            [Actor(name=f"scale actor {i}", native_name=NATIVE_NAMES[i % len(NATIVE_NAMES)]) for i in range(60)]
        )
        tags = Tag.objects.bulk_create(
            [Tag(name=f"{TAG_NAMES[i % len(TAG_NAMES)]} {i}", slug=f"scale-{i}") for i in range(40)]
        )
        sources = Source.objects.bulk_create(
            [
                Source(
                    title=f"{SOURCE_TITLES[i % len(SOURCE_TITLES)]} {i}",
                    publisher="Scale benchmark",
                    reliability="ABCDEF"[i % 6],
                )
                for i in range(300)
            ]
        )
    else:
        tags = list(Tag.objects.filter(slug__startswith="scale-"))
        sources = list(Source.objects.filter(publisher="Scale benchmark"))
    return actors, tags, sources


def seed_small() -> None:
    from timeline.models import Timeline

    timeline = Timeline.objects.create(slug=SMALL, title="Scale: small neighbour", marking="BENCHMARK")
    _append(timeline, start=0, count=SMALL_EVENTS, seed_value=2)


def grow_big(size: int) -> None:
    from timeline.models import Timeline

    timeline, _ = Timeline.objects.get_or_create(slug=BIG, defaults={"title": "Scale: big", "marking": "BENCHMARK"})
    have = timeline.events.count()
    if size > have:
        _append(timeline, start=have, count=size - have, seed_value=size)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _append(timeline: Any, *, start: int, count: int, seed_value: int, chunk: int = 20_000) -> None:
    from django.db import connection, transaction

    from timeline import dates

    actors, tags, sources = _names()
    rng = random.Random(seed_value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM timeline_event")
        (next_id,) = cursor.fetchone()
    next_id += 1
    now = dt.datetime.now(dt.UTC)
    for offset in range(0, count, chunk):
        generate_started = time.perf_counter()
        rows: dict[str, list[tuple[Any, ...]]] = {"event": [], "history": [], "actor": [], "tag": [], "citation": []}
        for index in range(start + offset, start + min(offset + chunk, count)):
            parsed = dates.parse(realistic_edtf(rng, index))
            title, summary = realistic_text(rng, index)
            if index % 3 == 0:
                summary += " " + rng.choice(EXTRA_SENTENCES).format(n=rng.randint(2, 900))
            location = rng.choice(PLACES) + " region"
            linked_actors = rng.sample(actors, 2)
            claimant = rng.choice(actors) if index % 4 == 0 else None
            linked_tags = rng.sample(tags, 2)
            cited = rng.sample(sources, 2)
            quotes = [rng.choice(SENTENCES).format(n=rng.randint(2, 900)) for _ in cited]
            document = " ".join(
                [
                    summary,
                    location,
                    f"{claimant.name} {claimant.native_name}" if claimant else "",
                    *(f"{actor.name} {actor.native_name}" for actor in linked_actors),
                    *(tag.name for tag in linked_tags),
                    *(f"{quote} {source.title}" for quote, source in zip(quotes, cited, strict=True)),
                ]
            )
            event_id = next_id
            next_id += 1
            # Changed over two years; about one in a thousand in the last week.
            age = rng.uniform(0, 7) if rng.random() < 0.001 else rng.uniform(8, 730)
            stamp = now - dt.timedelta(days=age)
            uid = uuid.UUID(int=rng.getrandbits(128), version=4)
            status = rng.choice(["claimed", "reported", "confirmed", "disputed"])
            credibility = rng.randint(1, 6)
            rows["event"].append(
                (
                    event_id, uid, title, summary, parsed.edtf, parsed.lower, parsed.upper, parsed.precision.value,
                    parsed.approximate, parsed.uncertain, "", location, status, credibility, index % 50 == 0,
                    True, 1, stamp, stamp, claimant.pk if claimant else None, timeline.pk, document,
                )
            )  # fmt: skip
            rows["history"].append(
                (
                    event_id, uid, title, summary, parsed.edtf, "", location, status, credibility,
                    index % 50 == 0, True, 1, stamp, stamp, stamp, "+", claimant.pk if claimant else None,
                    timeline.pk,
                )
            )  # fmt: skip
            rows["actor"] += [(event_id, actor.pk) for actor in linked_actors]
            rows["tag"] += [(event_id, tag.pk) for tag in linked_tags]
            rows["citation"] += [
                (event_id, source.pk, quote, f"para. {position + 1}", position)
                for position, (quote, source) in enumerate(zip(quotes, cited, strict=True))
            ]
        with transaction.atomic():
            TIMINGS["generate"] = TIMINGS.get("generate", 0.0) + time.perf_counter() - generate_started
            copy_started = time.perf_counter()
            _copy("timeline_event", EVENT_COLUMNS, rows["event"])
            _copy("timeline_historicalevent", HISTORY_COLUMNS, rows["history"])
            _copy("timeline_event_actors", ("event_id", "actor_id"), rows["actor"])
            _copy("timeline_event_tags", ("event_id", "tag_id"), rows["tag"])
            _copy("timeline_citation", ("event_id", "source_id", "quote", "locator", "position"), rows["citation"])
        TIMINGS["copy"] += time.perf_counter() - copy_started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('timeline_event', 'id'), MAX(id)) FROM timeline_event")


EVENT_COLUMNS = (
    "id", "uid", "title", "summary", "date", "date_lower", "date_upper", "precision", "approximate", "uncertain",
    "reported", "location", "status", "credibility", "key", "published", "version", "created_at", "updated_at",
    "claimant_id", "timeline_id", "search_text",
)  # fmt: skip
HISTORY_COLUMNS = (
    "id", "uid", "title", "summary", "date", "reported", "location", "status", "credibility", "key", "published",
    "version", "created_at", "updated_at", "history_date", "history_type", "claimant_id", "timeline_id",
)  # fmt: skip


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` with ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite)."""
    from django.db import connection

    names = ", ".join(columns)
    if connection.vendor != "postgresql":
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(value) for value in row))
        buffer.write("\n")
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


# --- Measuring (in a fresh process per size) -------------------------------------------


def requests_to_measure() -> dict[str, tuple[str, str, dict[str, str]]]:
    """Label → (who, path, query) for the big timeline; "small:" labels repeat some on the small one."""
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).isoformat()
    api = "/api/v1/events/"
    cases: dict[str, tuple[str, str, dict[str, str]]] = {}
    for name, slug in (("big", BIG), ("small", SMALL)):
        cases[f"{name}: API list, first page of 100"] = ("anon", api, {"timeline": slug})
        cases[f"{name}: ?tag="] = ("anon", api, {"timeline": slug, "tag": "scale-3"})
        cases[f"{name}: ?actor="] = ("anon", api, {"timeline": slug, "actor": "ACTOR"})
        cases[f"{name}: ?q=convoy (common word)"] = ("anon", api, {"timeline": slug, "q": "convoy"})
        cases[f"{name}: ?q=Hwasong (absent word)"] = ("anon", api, {"timeline": slug, "q": "Hwasong"})
        cases[f"{name}: ?q=김정은 ordering=relevance"] = (
            "anon",
            api,
            {"timeline": slug, "q": "김정은", "ordering": "relevance"},
        )
        cases[f"{name}: deleted/?since=-7d"] = ("anon", api + "deleted/", {"timeline": slug, "since": since})
    cases["admin changelist"] = ("admin", "/admin/timeline/event/", {})
    cases["admin changelist ?q=convoy"] = ("admin", "/admin/timeline/event/", {"q": "convoy"})
    return cases


def _measure_in_fresh_process() -> dict[str, Any]:
    env = dict(os.environ, SCALE_MEASURE="1")
    code = "from benchmarks.harness import setup_django; setup_django(); from benchmarks import scale; scale.measure()"
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    return json.loads(output[-1])


def measure() -> None:
    """Time every request (warm, median of 5); print one JSON line of results."""
    import statistics

    from django.conf import settings
    from django.contrib.auth import get_user_model

    # The admin's pages without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from timeline.models import Actor

    actor = Actor.objects.filter(name="scale actor 3").values_list("pk", flat=True).first()
    admin, _ = get_user_model().objects.get_or_create(
        username="scale-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    clients = {"anon": Client(), "admin": Client()}
    clients["admin"].force_login(admin)
    results: dict[str, Any] = {}
    for label, (who, path, query) in requests_to_measure().items():
        query = {key: str(actor) if value == "ACTOR" else value for key, value in query.items()}
        client = clients[who]
        client.get(path, query, HTTP_HOST="localhost", secure=True)
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(path, query, HTTP_HOST="localhost", secure=True)
            samples.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(path, query, HTTP_HOST="localhost", secure=True)
        scans = sorted({table for sql in queries.captured_queries for table in _sequential_scans(sql["sql"])})
        results[label] = {
            "ms": statistics.median(samples) * 1000,
            "status": response.status_code,
            "queries": len(queries.captured_queries),
            "seq_scans": scans,
        }
    print(json.dumps(results))


def _sequential_scans(sql: str) -> list[str]:
    """Large tables that ``sql``'s plan reads sequentially (PostgreSQL; SQLite: full scans)."""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            return sorted(_pg_seq_scans(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]))
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        details = [row[-1] for row in cursor.fetchall()]
    return sorted({t for t in LARGE_TABLES for d in details if d.startswith(f"SCAN {t}") and "USING" not in d})


def _pg_seq_scans(node: dict[str, Any]) -> set[str]:
    found = set()
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE_TABLES:
        found.add(node["Relation Name"])
    for child in node.get("Plans", []):
        found |= _pg_seq_scans(child)
    return found


def _print_table(sizes: list[int], results: dict[int, dict[str, Any]]) -> None:
    first = sizes[0]
    header = ["Request"] + [f"{size:,}" for size in sizes] + [f"× vs {first:,}", "queries", "index-only plans"]
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for label in results[first]:
        times = [results[size][label]["ms"] for size in sizes]
        last = results[sizes[-1]][label]
        scans = last["seq_scans"]
        lines.append(
            " | ".join(
                [
                    label + ("" if last["status"] == 200 else f" (HTTP {last['status']})"),
                    *(f"{ms:,.1f} ms" for ms in times),
                    f"{times[-1] / times[0]:.2f}",
                    str(last["queries"]),
                    "yes" if not scans else "no: seq scan on " + ", ".join(scans),
                ]
            )
        )
    print("\nScale (warm medians of 5, in-process test client; plans at the largest size)\n")
    print("\n".join(lines))
