"""Shared benchmark plumbing: a throwaway database, synthetic data and timing helpers.

Benchmarks report ratios against baselines measured in the same run, never
absolute pass/fail times.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def setup_django(database_path: str | None = None) -> str:
    """Point Django at a fresh SQLite file (unless DATABASE_URL is set), migrate, return its path."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
    path = database_path or os.path.join(tempfile.mkdtemp(prefix="timeline-bench-"), "bench.sqlite3")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{path}")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, interactive=False)
    return path


def seed(n_events: int = 10_000, *, slug: str = "bench", seed_value: int = 1) -> Any:
    """Create a public timeline of ``n_events`` published events, each with 2 citations,
    2 actors and 2 tags, in a mix of precisions. Returns the timeline."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from timeline import dates
    from timeline.models import Actor, Citation, Event, Source, Tag, Timeline

    rng = random.Random(seed_value)
    with transaction.atomic():
        timeline, _ = Timeline.objects.get_or_create(
            slug=slug, defaults={"title": f"Benchmark timeline ({n_events} events)", "marking": "BENCHMARK"}
        )
        actors = [Actor.objects.create(name=f"{slug} actor {i}", native_name=f"Актор {i}") for i in range(50)]
        tags = [Tag.objects.create(name=f"{slug} tag {i}", slug=f"{slug}-tag-{i}") for i in range(30)]
        sources = [
            Source.objects.create(
                title=f"Report {i}",
                publisher="The Example Times",
                url=f"https://news.example.org/{i}",
                reliability="ABCDEF"[i % 6],
            )
            for i in range(200)
        ]
        now = timezone.now()
        events = []
        start = dt.date(2015, 1, 1)
        for i in range(n_events):
            day = start + dt.timedelta(days=rng.randrange(0, 3650))
            kind = i % 5
            if kind == 0:
                edtf = f"{day:%Y-%m}"
            elif kind == 1:
                edtf = f"{day:%Y-%m}~"
            elif kind == 2:
                end = day + dt.timedelta(days=rng.randrange(30, 200))
                edtf = f"{day:%Y-%m}/{end:%Y-%m}"
            else:
                edtf = f"{day:%Y-%m-%d}"
            parsed = dates.parse(edtf)
            events.append(
                Event(
                    timeline=timeline,
                    title=f"Event {i}: reported movement near the border",
                    summary="Sources describe the movement of units and supplies. " * 4,
                    date=parsed.edtf,
                    date_lower=parsed.lower,
                    date_upper=parsed.upper,
                    precision=parsed.precision.value,
                    approximate=parsed.approximate,
                    uncertain=parsed.uncertain,
                    location="Kursk region",
                    status="claimed",
                    credibility=rng.randint(1, 6),
                    key=i % 50 == 0,
                    published=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        Event.objects.bulk_create(events, batch_size=1000)
        events = list(Event.objects.filter(timeline=timeline).only("id"))
        ActorLink = Event.actors.through
        TagLink = Event.tags.through
        ActorLink.objects.bulk_create(
            [ActorLink(event_id=e.id, actor_id=a.id) for e in events for a in rng.sample(actors, 2)],
            batch_size=2000,
        )
        TagLink.objects.bulk_create(
            [TagLink(event_id=e.id, tag_id=t.id) for e in events for t in rng.sample(tags, 2)],
            batch_size=2000,
        )
        Citation.objects.bulk_create(
            [
                Citation(event_id=e.id, source=s, quote="A quoted sentence from the report.", locator=f"para. {k}")
                for e in events
                for k, s in enumerate(rng.sample(sources, 2))
            ],
            batch_size=2000,
        )
    return timeline


def median_time(func: Callable[[], Any], *, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``func`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    print("-" * len(title))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
