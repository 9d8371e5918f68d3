"""PDF briefs: ours against a naive baseline, for 100, 1,000 and 10,000 events.

The naive baseline is the usual first attempt: every event a row of one big
``LongTable``, "Page X of Y" by the two-pass ``NumberedCanvas`` recipe. Both
render the same events and fields (date, title, summary, actors, tags, status,
claimant, grade, location, linked citations, sources) with the same fonts and
escaping.

The data is what analysts keep (:func:`seed_realistic`): distinct titles,
summaries and quotes, about a third of them with words in another script
(Cyrillic, Hangul, Arabic, Hebrew, Chinese, Georgian, Thai, Greek), 1–3 citations
per event from 400 sources, native-script places and actors, IDN source hosts,
coordinates on most events, uncertain dates and spans.

Each case runs in a fresh subprocess, so that peak memory (VmHWM: Django, the
loaded events and the render) is measured per case. Times are render times: both
start from the same plain snapshots of the events, loaded beforehand with four
queries (that load time is printed apart). Wall and CPU time are both shown; on a
busy machine wall time also counts waiting for a core. Targets (issue 15): 1,000
events at least 3x faster than the baseline; 10,000 events at most 200 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

SIZES = (100, 1_000, 10_000)
SLUG = "bench-briefs-realistic"
SPEED_TARGET = 3.0
MEMORY_TARGET_MIB = 200

# Words in other scripts, as titles, summaries, quotes and places quote them.
FOREIGN_PHRASES = [
    "Міноборони України повідомило про втрати",
    "러시아 쿠르스크 지역에 북한군 파병",
    "قالت وزارة الدفاع إن القوافل وصلت",
    "דובר צה״ל מסר כי השיירה נעצרה",
    "朝鲜士兵在库尔斯克地区作战",
    "საქართველოს თავდაცვის სამინისტრო",
    "กระทรวงกลาโหมรายงาน",
    "Το υπουργείο Άμυνας ανακοίνωσε",
    "Генштаб ВСУ сообщил о потерях",
    "북한 조선중앙통신 보도",
]
NATIVE_PLACES = [
    ("Kursk region", 51.73, 36.19),
    ("Курська область", 51.6, 35.8),
    ("쿠르스크", 51.75, 36.2),
    ("Rason 라선", 42.26, 130.3),
    ("Vladivostok Владивосток", 43.12, 131.9),
    ("Pokrovsk Покровськ", 48.28, 37.18),
    ("حلب", 36.2, 37.15),
    ("ירושלים", 31.78, 35.22),
    ("Tbilisi თბილისი", 41.72, 44.79),
    ("Beijing 北京", 39.9, 116.4),
    ("Kharkiv Харків", 49.99, 36.23),
    ("Sumy Суми", 50.91, 34.8),
]
IDN_HOSTS = [
    "https://пример.укр/новини/",
    "https://news.example.org/",
    "https://뉴스.한국/기사/",
    "https://example.com/a/",
]


def run(events: int = 10_000) -> None:
    from benchmarks.harness import report
    from timeline.models import Timeline

    sizes = [size for size in SIZES if size <= events] or [events]
    if not Timeline.objects.filter(slug=SLUG).exists():
        seed_realistic(max(sizes), slug=SLUG)
    rows: list[tuple[str, str]] = []
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for size in sizes:
        for variant in ("ours", "naive"):
            result = _measure(variant, size)
            results[(variant, size)] = result
            rows.append(
                (
                    f"{variant:5} {size:>6,} events",
                    f"{result['seconds']:7.2f} s wall {result['cpu_seconds']:7.2f} s CPU  "
                    f"{result['peak_mib']:6.0f} MiB peak  "
                    f"{result['pages']:4d} pages  {result['bytes'] / 1024:7.0f} KiB  "
                    f"(loading {result['load_seconds']:.2f} s)",
                )
            )
        ours, naive = results[("ours", size)], results[("naive", size)]
        rows.append(
            (
                f"ratio {size:>6,} events",
                f"ours is {naive['seconds'] / ours['seconds']:.2f}x faster (wall), "
                f"{naive['cpu_seconds'] / ours['cpu_seconds']:.2f}x (CPU)",
            )
        )
    # Wall and CPU time: on a busy machine wall time also counts waiting for a core.
    report("PDF briefs (median render time, wall and CPU; peak RSS of load + render per subprocess)", rows)
    if 1_000 in sizes:
        ratio = results[("naive", 1_000)]["seconds"] / results[("ours", 1_000)]["seconds"]
        cpu_ratio = results[("naive", 1_000)]["cpu_seconds"] / results[("ours", 1_000)]["cpu_seconds"]
        print(
            f"  target 1,000 events >= {SPEED_TARGET:g}x faster than naive: "
            f"{'met' if cpu_ratio >= SPEED_TARGET else 'MISSED'} ({ratio:.2f}x wall, {cpu_ratio:.2f}x CPU)"
        )
    if 10_000 in sizes:
        peak = results[("ours", 10_000)]["peak_mib"]
        met = "met" if peak <= MEMORY_TARGET_MIB else "MISSED"
        print(f"  target 10,000 events <= {MEMORY_TARGET_MIB} MiB peak: {met} ({peak:.0f} MiB)")


def seed_realistic(n_events: int, *, slug: str = SLUG, seed_value: int = 15) -> Any:
    """A public timeline of ``n_events`` published events as analysts keep them (see the
    module docstring); returns it."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from benchmarks.harness import SENTENCES, realistic_edtf, realistic_text
    from timeline import dates
    from timeline.models import Actor, Citation, Event, Source, Tag, Timeline

    rng = random.Random(seed_value)

    def foreign() -> str:
        return rng.choice(FOREIGN_PHRASES)

    with transaction.atomic():
        timeline = Timeline.objects.create(
            slug=slug,
            title=f"Realistic brief benchmark 쿠르스크 ({n_events:,} events)",
            marking="BENCHMARK — NOT FOR DISTRIBUTION",
            bottom_line="**Bottom line:** the deployment is *likely* larger than officially acknowledged.",
            key_judgements="We assess with moderate confidence that rotations continue.",
        )
        actors = [
            Actor.objects.create(name=f"{slug} actor {i}", native_name=rng.choice(FOREIGN_PHRASES).split()[0])
            for i in range(60)
        ]
        tags = [Tag.objects.create(name=f"{slug} tag {i}", slug=f"{slug}-tag-{i}") for i in range(30)]
        sources = [
            Source.objects.create(
                title=f"Report {i}: {foreign()}" if i % 3 == 0 else f"Report {i} on troop movements",
                publisher=rng.choice(["The Example Times", "Українська правда", "연합뉴스", "الجزيرة", "KCNA"]),
                url=f"{rng.choice(IDN_HOSTS)}{i}",
                reliability="ABCDEF"[rng.randrange(6)],
            )
            for i in range(400)
        ]
        now = timezone.now()
        events = []
        for i in range(n_events):
            parsed = dates.parse(realistic_edtf(rng, i))
            title, summary = realistic_text(rng, i)
            if rng.random() < 0.3:
                title = f"{title}: {foreign()}"
            if rng.random() < 0.3:
                summary = f"{summary} «{foreign()}»"
            place, latitude, longitude = rng.choice(NATIVE_PLACES)
            located = rng.random() < 0.7
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
                    location=place,
                    latitude=latitude + rng.uniform(-0.5, 0.5) if located else None,
                    longitude=longitude + rng.uniform(-0.5, 0.5) if located else None,
                    status=rng.choice(["claimed", "reported", "confirmed", "disputed", "denied"]),
                    claimant=rng.choice(actors) if rng.random() < 0.5 else None,
                    credibility=rng.randint(1, 6),
                    key=rng.random() < 0.02,
                    published=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        Event.objects.bulk_create(events, batch_size=1000)
        events = list(Event.objects.filter(timeline=timeline).only("id"))
        actor_link, tag_link = Event.actors.through, Event.tags.through
        actor_link.objects.bulk_create(
            [actor_link(event_id=e.id, actor_id=a.id) for e in events for a in rng.sample(actors, rng.randint(1, 3))],
            batch_size=2000,
        )
        tag_link.objects.bulk_create(
            [tag_link(event_id=e.id, tag_id=t.id) for e in events for t in rng.sample(tags, rng.randint(0, 3))],
            batch_size=2000,
        )
        citations = []
        for e in events:
            for position, source in enumerate(rng.sample(sources, rng.randint(1, 3))):
                quote = rng.choice(SENTENCES).format(n=rng.randint(2, 900))
                if rng.random() < 0.25:
                    quote = f"{quote} {foreign()}"
                citations.append(
                    Citation(
                        event_id=e.id,
                        source=source,
                        quote=f"{quote} (ref. {e.id}-{position})",
                        locator=f"para. {rng.randint(1, 40)}",
                        position=position,
                    )
                )
        Citation.objects.bulk_create(citations, batch_size=2000)
    return timeline


def _measure(variant: str, size: int) -> dict[str, Any]:
    """Render in a subprocess that inherits this process's DATABASE_URL."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.briefs", "--variant", variant, "--size", str(size)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _worker(variant: str, size: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from timeline.exporters.brief import brief_info_for, render_brief_snapshots, snapshot_events
    from timeline.models import Event, Timeline
    from timeline.queries import events_with_relations

    timeline = Timeline.objects.get(slug=SLUG)
    queryset = events_with_relations(Event.objects.filter(timeline=timeline).order_by("id"))[:size]
    info = brief_info_for(timeline, data_version="bench")
    # Loading is the same for both (four queries, then plain snapshots): timed apart.
    started = time.perf_counter()
    events, sources = snapshot_events(queryset.iterator(chunk_size=500))
    load_seconds = time.perf_counter() - started
    render = render_brief_snapshots if variant == "ours" else naive_brief
    render(events[:20], sources, info=info)  # fonts registered, modules imported
    repeat = 3 if size <= 1_000 else 1
    samples = []
    cpu_samples = []
    pdf = b""
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        pdf = render(events, sources, info=info)
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - cpu_started)
    peak_kib = _peak_rss_kib()
    # Counted from the bytes: parsing the PDF here would add to the peak measured above.
    pages = len(re.findall(rb"/Type /Page\n", pdf))
    return {
        "seconds": statistics.median(samples),
        "cpu_seconds": statistics.median(cpu_samples),
        "load_seconds": load_seconds,
        "peak_mib": peak_kib / 1024,
        "pages": pages,
        "bytes": len(pdf),
    }


def naive_brief(snapshots: list[Any], sources: dict[int, Any], *, info: Any) -> bytes:
    """The baseline: one LongTable of every event, NumberedCanvas for "Page X of Y"."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    from timeline.exporters.brief.text import SANS, SANS_BOLD, BriefText

    text = BriefText()
    numbers = {pk: number for number, pk in enumerate(sources, start=1)}

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_page_states)
            for state in self._saved_page_states:
                self.__dict__.update(state)
                self.setFont(SANS, 7.5)
                self.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    body = ParagraphStyle("b", fontName=SANS, fontSize=8.5, leading=11)
    bold = ParagraphStyle("bb", parent=body, fontName=SANS_BOLD)
    rows = [[Paragraph(h, bold) for h in ("Date", "Event", "Status", "Grade", "Location", "Sources")]]
    for event in snapshots:
        cited = " ".join(f'<a href="#src{numbers[c.source_id]}">[{numbers[c.source_id]}]</a>' for c in event.citations)
        rows.append(
            [
                Paragraph(text.markup(event.display_date), body),
                Paragraph(
                    f"<b>{text.markup(event.title)}</b><br/>{text.markup(event.summary)}<br/>"
                    f"Actors: {text.markup(', '.join(event.actors))} · Tags: {text.markup(', '.join(event.tags))}",
                    body,
                ),
                Paragraph(text.markup(f"{event.status} {event.claimant}"), body),
                Paragraph(event.grade, body),
                Paragraph(text.markup(event.location), body),
                Paragraph(cited, body),
            ]
        )
    table = LongTable(rows, colWidths=[25 * mm, 75 * mm, 22 * mm, 12 * mm, 18 * mm, 18 * mm], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), SANS, 8.5), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=info.title, invariant=1, initialFontName=SANS)
    sources_list = [
        Paragraph(f'<a name="src{number}"/>[{number}] {text.markup(sources[pk].title)}', body)
        for pk, number in numbers.items()
    ]
    doc.build([Paragraph(text.markup(info.title), bold), table, *sources_list], canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def _peak_rss_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux's VmHWM belongs to the process's own address space; ``ru_maxrss`` is
    carried across exec and so still counts the forked copy of a large parent.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one brief render, for benchmarks.briefs.run")
    parser.add_argument("--variant", choices=["ours", "naive"], required=True)
    parser.add_argument("--size", type=int, required=True)
    arguments = parser.parse_args()
    print(json.dumps(_worker(arguments.variant, arguments.size)))
