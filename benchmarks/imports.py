"""Import: 10,000 CSV rows through the import service, against a bare ``bulk_create``.

The file is made once, in the export's columns, with realistic rows: distinct dates of
every kind (``harness.realistic_edtf``), distinct titles and summaries, Cyrillic and
Hangul names, 2 actors, 2 tags and 1-3 citations with quotes per row.

Cases, each in a fresh process on a fresh database (nothing warmed, nothing cached):

* import: ``formats.read`` + ``service.import_rows`` (checking, matching, creating the
  actors, tags and sources, writing events, history, links and citations);
* baseline: the same rows precomputed outside the timing (dates parsed, references
  created), then only ``bulk_create`` of the events, links and citations.

Targets: import <= 4x the baseline; the import process's peak memory <= 300 MiB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

ROWS = 10_000
CASES = ("import", "baseline")

NAMES = ["GUR", "KCNA", "Кирило Буданов", "김정은", "the Kremlin", "Seoul's NIS", "Міноборони", "Rosoboronexport"]
TAGS = ["munitions", "troops", "Курськ", "쿠르스크", "missiles", "diplomacy", "casualties", "drones"]


def make_csv(path: str, rows: int = ROWS, *, seed_value: int = 21) -> None:
    from benchmarks.harness import SENTENCES, realistic_edtf, realistic_text
    from timeline.importers.rows import COLUMNS

    rng = random.Random(seed_value)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for index in range(rows):
        title, summary = realistic_text(rng, index)
        sources = [
            {
                "title": f"Report {n}",
                "url": f"https://news.example.org/{n}",
                "publisher": "The Example Times",
                "quote": rng.choice(SENTENCES).format(n=rng.randint(2, 900)),
                "locator": f"para. {rng.randint(1, 40)}",
            }
            for n in rng.sample(range(300), rng.randint(1, 3))
        ]
        writer.writerow(
            {
                "date": realistic_edtf(rng, index),
                "title": title,
                "summary": summary,
                "status": rng.choice(["claimed", "reported", "confirmed", "disputed"]),
                "claimant": rng.choice(NAMES),
                "credibility": rng.randint(1, 6),
                "actors": "; ".join(rng.sample(NAMES, 2)),
                "tags": "; ".join(rng.sample(TAGS, 2)),
                "location": rng.choice(["Kursk", "Курськ", "Rason", "라선", "Vladivostok"]),
                "sources": json.dumps(sources, ensure_ascii=False),
                "published": "yes",
                "external_id": f"row-{index}",
            }
        )
    with open(path, "w", encoding="utf-8") as file:
        file.write(out.getvalue())


def run(events: int = ROWS) -> None:
    from benchmarks.harness import report

    with tempfile.TemporaryDirectory(prefix="timeline-bench-import-") as folder:
        path = os.path.join(folder, "events.csv")
        make_csv(path)
        size = os.path.getsize(path)
        results = {case: _in_fresh_process(case, path, folder) for case in CASES}
    imported, baseline = results["import"], results["baseline"]
    ratio = imported["seconds"] / baseline["seconds"]
    rows = [
        (f"file: {ROWS:,} CSV rows", f"{size / 1e6:.1f} MB"),
        (
            "import (read + check + write)",
            f"{imported['seconds']:.2f} s, {imported['counts']}, peak {imported['peak_mib']:.0f} MiB "
            f"(target <= 300 MiB: {'met' if imported['peak_mib'] <= 300 else 'MISSED'})",
        ),
        ("baseline: bulk_create of the same precomputed rows", f"{baseline['seconds']:.2f} s"),
        ("import / baseline", f"{ratio:.2f}x (target <= 4x: {'met' if ratio <= 4 else 'MISSED'})"),
    ]
    report("Import (each case in a fresh process on a fresh database)", rows)


def _in_fresh_process(case: str, path: str, folder: str) -> dict[str, Any]:
    env = {**os.environ}
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{os.path.join(folder, case + '.sqlite3')}"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.imports", "--case", case, "--file", path],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _import(path: str) -> dict[str, Any]:
    from timeline.importers import import_rows, read
    from timeline.models import Timeline

    timeline = Timeline.objects.create(slug=f"bench-import-{os.getpid()}", title="Import benchmark")
    with open(path, "rb") as file:
        data = file.read()
    started = time.perf_counter()
    format, rows = read(data, filename=path)
    result = import_rows(timeline, rows, format=format)
    seconds = time.perf_counter() - started
    assert result.written, result.problems[:3]
    return {"seconds": seconds, "counts": result.summary()}


def _baseline(path: str) -> dict[str, Any]:
    from django.db import transaction

    from timeline import dates
    from timeline.importers.formats import read
    from timeline.models import Actor, Citation, Event, Source, Tag, Timeline

    timeline = Timeline.objects.create(slug=f"bench-baseline-{os.getpid()}", title="Baseline")
    with open(path, "rb") as file:
        _, rows = read(file.read(), filename=path)
    actors = {name: Actor.objects.get_or_create(name=name)[0] for name in NAMES}
    tags = {name: Tag.objects.get_or_create(name=name, slug=Tag.slug_for(name))[0] for name in TAGS}
    sources: dict[str, Source] = {}
    events, links, cites = [], [], []
    for row in rows:
        parsed = dates.parse(row.get("date"))
        event = Event(
            timeline=timeline,
            title=row.get("title"),
            summary=row.get("summary"),
            date=parsed.edtf,
            date_lower=parsed.lower,
            date_upper=parsed.upper,
            precision=parsed.precision.value,
            approximate=parsed.approximate,
            uncertain=parsed.uncertain,
            status=row.get("status"),
            claimant=actors[row.get("claimant")],
            credibility=int(row.get("credibility")),
            location=row.get("location"),
            published=True,
            external_id=row.get("external_id"),
        )
        events.append(event)
        links.append(([actors[n] for n in row.actors], [tags[n] for n in row.tags]))
        for ref in row.sources:
            if ref.url not in sources:
                sources[ref.url] = Source.objects.create(url=ref.url, title=ref.title, publisher=ref.publisher)
        cites.append([(sources[ref.url], ref.quote, ref.locator) for ref in row.sources])
    started = time.perf_counter()
    with transaction.atomic():
        Event.objects.bulk_create(events, batch_size=1000)
        Event.actors.through.objects.bulk_create(
            [
                Event.actors.through(event_id=e.pk, actor_id=a.pk)
                for e, (acts, _) in zip(events, links, strict=False)
                for a in acts
            ],
            batch_size=2000,
        )
        Event.tags.through.objects.bulk_create(
            [
                Event.tags.through(event_id=e.pk, tag_id=t.pk)
                for e, (_, tgs) in zip(events, links, strict=False)
                for t in tgs
            ],
            batch_size=2000,
        )
        Citation.objects.bulk_create(
            [
                Citation(event_id=e.pk, source=s, quote=q, locator=loc, position=i)
                for e, cs in zip(events, cites, strict=False)
                for i, (s, q, loc) in enumerate(cs)
            ],
            batch_size=2000,
        )
    return {"seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=CASES, required=True)
    parser.add_argument("--file", required=True)
    args = parser.parse_args()
    from benchmarks.harness import setup_django

    setup_django()
    result = _import(args.file) if args.case == "import" else _baseline(args.file)
    # ru_maxrss is in KiB on Linux: the whole process, Django and the interpreter included.
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
