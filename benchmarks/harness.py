"""Shared benchmark plumbing: a throwaway database, synthetic data and timing helpers.

Benchmarks report ratios against baselines measured in the same run, never
absolute pass/fail times.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def setup_django(database_path: str | None = None) -> str:
    """Point Django at a fresh SQLite file (unless DATABASE_URL is set), migrate, return its path."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
    if "DATABASE_URL" in os.environ:
        # A case's subprocess: its parent made (and seeded) the database.
        path = database_path or os.environ["DATABASE_URL"]
    else:
        path = database_path or os.path.join(tempfile.mkdtemp(prefix="timeline-bench-"), "bench.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, interactive=False)
    return path


ACTORS = ["GUR", "KCNA", "the Kremlin", "Seoul's NIS", "Kyiv", "Pyongyang", "the 11th Corps", "Rosoboronexport"]
VERBS = ["reports", "denies", "confirms", "claims", "announces", "disputes", "documents", "estimates"]
OBJECTS = [
    "a shipment of artillery shells",
    "troop rotations",
    "a missile test",
    "casualties among DPRK soldiers",
    "a rail convoy",
    "a technology transfer",
    "a training camp",
    "drone deliveries",
    "a naval transfer",
    "new recruits",
]
PLACES = ["Kursk", "Rason", "Vladivostok", "Khasan", "Belgorod", "Pokrovsk", "Tumangang", "Zarubino", "Sumy", "Kharkiv"]
SENTENCES = [
    "Satellite images show {n} rail cars at the border crossing.",
    "A spokesperson said about {n} containers had been moved.",
    "The claim could not be verified independently.",
    "Local officials described heavy traffic on the route for {n} days.",
    "An intercepted call mentions a delivery of {n} units.",
    "Analysts compared the imagery with earlier passes.",
    "The ministry published a statement the next morning.",
    "Observers counted {n} vehicles near the depot.",
    "The source has reported similar movements before.",
    "Residents filmed a convoy of {n} trucks.",
]


def realistic_edtf(rng: random.Random, index: int) -> str:
    """A date as reporters give them: mostly days and months over 20 years, some
    approximate, seasons, intervals, open-ended intervals and timed moments."""
    import datetime as dt

    day = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(0, 7300))
    kind = rng.random()
    if kind < 0.45:
        return f"{day:%Y-%m-%d}"
    if kind < 0.60:
        return f"{day:%Y-%m}" + rng.choice(["", "~", "?"])
    if kind < 0.68:
        end = day + dt.timedelta(days=rng.randrange(1, 40))
        return f"{day:%Y-%m-%d}/{end:%Y-%m-%d}"
    if kind < 0.76:
        end = day + dt.timedelta(days=rng.randrange(31, 400))
        return f"{day:%Y-%m}/{end:%Y-%m}"
    if kind < 0.82:
        return f"{day.year:04d}-{rng.randint(21, 41)}"
    if kind < 0.88:
        return rng.choice([f"{day:%Y-%m}/..", f"../{day:%Y-%m-%d}"])
    if kind < 0.95:
        offset = rng.choice(["Z", "+03:00", "+09:00", "+02:00"])
        return f"{day:%Y-%m-%d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00{offset}"
    return f"{day.year:04d}" + rng.choice(["", "~"])


# What reports quote in the original: Ukrainian, Korean, Russian, Arabic, Chinese, Georgian.
QUOTED = [
    "Міноборони повідомило про колону",
    "북한군 파병 보도",
    "Генштаб сообщил о переброске",
    "قالت الوزارة إن القافلة وصلت",
    "朝鲜士兵在库尔斯克",
    "სამინისტროს განცხადება",
]


def realistic_text(rng: random.Random, index: int) -> tuple[str, str]:
    """A distinct title and summary per event, built from varied sentences; about a third
    quote words in another script (Cyrillic, Hangul, Arabic, Han, Georgian)."""
    title = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} near {rng.choice(PLACES)} (#{index})"
    summary = " ".join(rng.choice(SENTENCES).format(n=rng.randint(2, 900)) for _ in range(rng.randint(2, 6)))
    if rng.random() < 0.35:
        quoted = rng.choice(QUOTED)
        title = f"{title}: «{quoted}»"
        summary = f"{summary} The original reads: «{quoted}»."
    return title, summary


def seed(n_events: int = 10_000, *, slug: str = "bench", seed_value: int = 1) -> Any:
    """Create a public timeline of ``n_events`` published events, each with 2 citations,
    2 actors and 2 tags, and on about 40% of them a claim by one of its actors backed by one
    of its citations, with realistic distinct dates (see :func:`realistic_edtf`:
    about half of 10,000 events have a date no other event has) and distinct texts.
    Returns the timeline."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from timeline import dates
    from timeline.claims import Stance, made_bounds
    from timeline.models import Actor, Citation, Claim, Event, Source, Tag, Timeline

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
        for i in range(n_events):
            parsed = dates.parse(realistic_edtf(rng, i))
            title, summary = realistic_text(rng, i)
            events.append(
                Event(
                    timeline=timeline,
                    title=title,
                    summary=summary,
                    date=parsed.edtf,
                    date_lower=parsed.lower,
                    date_upper=parsed.upper,
                    precision=parsed.precision.value,
                    approximate=parsed.approximate,
                    uncertain=parsed.uncertain,
                    location=rng.choice(PLACES) + " region",
                    status=rng.choice(["claimed", "reported", "confirmed", "disputed"]),
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
        involved = {e.id: rng.sample(actors, 2) for e in events}
        ActorLink.objects.bulk_create(
            [ActorLink(event_id=e.id, actor_id=a.id) for e in events for a in involved[e.id]],
            batch_size=2000,
        )
        TagLink.objects.bulk_create(
            [TagLink(event_id=e.id, tag_id=t.id) for e in events for t in rng.sample(tags, 2)],
            batch_size=2000,
        )
        citations = Citation.objects.bulk_create(
            [
                Citation(
                    event_id=e.id,
                    source=s,
                    quote=rng.choice(SENTENCES).format(n=rng.randint(2, 900)),
                    locator=f"para. {rng.randint(1, 40)}",
                )
                for e in events
                for s in rng.sample(sources, 2)
            ],
            batch_size=2000,
        )
        # Claims by an actor named on the event (so every reader may see them), made on a
        # day of their own or undated, each backed by one of the event's two citations.
        claimed = [(e, citations[2 * n + rng.randrange(2)]) for n, e in enumerate(events) if rng.random() < 0.4]
        claims = []
        for event, _ in claimed:
            made = "" if rng.random() < 0.2 else f"{dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(7300))}"
            made_lower, made_upper = made_bounds(made)
            claims.append(
                Claim(
                    event_id=event.id,
                    claimant=rng.choice(involved[event.id]),
                    stance=rng.choice(list(Stance)),
                    made=made,
                    made_lower=made_lower,
                    made_upper=made_upper,
                    note=rng.choice(["", "", "Repeated in a later statement."]),
                )
            )
        Claim.objects.bulk_create(claims, batch_size=2000)
        ClaimCitation = Claim.citations.through
        ClaimCitation.objects.bulk_create(
            [
                ClaimCitation(claim_id=claim.id, citation_id=citation.id)
                for claim, (_, citation) in zip(claims, claimed, strict=True)
            ],
            batch_size=2000,
        )
        # Bulk paths skip the signals that keep the search document (timeline/search.py).
        from timeline.search import refresh_search_text

        refresh_search_text(Event.objects.filter(timeline=timeline))
    return timeline


def run_case(module: str, case: str, *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m <module> --case <case>`` in a fresh process (same database, same cache
    settings) and return the JSON object its last line of output holds.

    A case module reads ``--case`` and prints one JSON line (see ``benchmarks.feeds``). A case
    that fails raises ``RuntimeError`` carrying the end of its error output.
    """
    completed = subprocess.run(
        [sys.executable, "-m", module, "--case", case],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{module} --case {case} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median_of_processes(
    module: str, case: str, *, processes: int = 3, key: str = "seconds", env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``case`` in ``processes`` fresh processes (:func:`run_case`) and return the result
    whose ``key`` is the median (the middle one: its other figures belong to the same run)."""
    samples = sorted((run_case(module, case, env=env) for _ in range(processes)), key=lambda sample: sample[key])
    return samples[len(samples) // 2]


def https_client(**defaults: Any) -> Any:
    """Django's test client requesting over https, as production settings require (plain
    http is redirected); ``defaults`` are WSGI environ entries sent with every request."""
    from django.test import Client

    class HttpsClient(Client):
        # Each request method passes secure=False unless told; https is the only scheme served.
        def generic(self, *args: Any, **kwargs: Any) -> Any:
            return super().generic(*args, **{**kwargs, "secure": True})

    return HttpsClient(**defaults)


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
