"""API benchmark: GET of a 100-event page and of one event, ours against a naive baseline and a floor.

- ours: the real /api/v1/ endpoints (DRF, EventFilter, cursor pages, shared prefetching);
- naive: nested ModelSerializers with the same fields over querysets without
  select_related/prefetch_related (the N+1 queries a first attempt makes);
- floor: the same fields read with ``values()`` and written with ``json.dumps``
  in a plain Django view, i.e. what the database and JSON alone cost.

All three are requested through Django's test Client, so routing and
middleware are paid by each. Each case runs in its own fresh processes (three,
the median reported), so nothing one case imported, compiled or cached helps
another; the first request of each process is reported too. The data is
``harness.seed``'s: distinct dates and texts, mixed scripts. Run with
``python -m benchmarks api [--events N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

PAGE_SIZE = 100
REPEAT = 15

urlpatterns: list[Any] = []


def run(events: int = 10_000) -> None:
    from benchmarks.harness import https_client, median_of_processes, report, seed
    from timeline.models import Timeline

    if not Timeline.objects.filter(slug=SLUG).exists():
        seed(events, slug=SLUG)
    with _benchmark_site():
        _check_same_answers(https_client(HTTP_ACCEPT="application/json"), _urls())
    results = {case: median_of_processes("benchmarks.api", case, processes=PROCESSES, key="page") for case in CASES}

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:8.2f} ms"

    ours, naive, floor = results["ours"], results["naive"], results["floor"]
    rows = [
        (f"events seeded ({ours['vendor']})", f"{events}"),
        (
            f"GET page of {PAGE_SIZE}, first in a fresh process: ours / naive / floor",
            " / ".join(ms(results[name]["page_first"]).strip() for name in CASES),
        ),
        (f"GET page of {PAGE_SIZE}: ours", ms(ours["page"])),
        (f"GET page of {PAGE_SIZE}: naive", ms(naive["page"])),
        (f"GET page of {PAGE_SIZE}: floor", ms(floor["page"])),
        ("  ratio ours/naive (target <= 0.33)", f"{ours['page'] / naive['page']:8.2f}"),
        ("  ratio ours/floor (target <= 3)", f"{ours['page'] / floor['page']:8.2f}"),
        ("GET one event: ours", ms(ours["one"])),
        ("GET one event: naive", ms(naive["one"])),
        ("GET one event: floor", ms(floor["one"])),
        ("  ratio ours/naive", f"{ours['one'] / naive['one']:8.2f}"),
        ("  ratio ours/floor", f"{ours['one'] / floor['one']:8.2f}"),
        ("queries, ours, page of 100 / 500", f"{ours['queries'][0]} / {ours['queries'][1]}"),
        ("queries, naive, page of 100 / 500", f"{naive['queries'][0]} / {naive['queries'][1]}"),
    ]
    report(
        f"API: each case in {PROCESSES} fresh processes (median of {REPEAT} requests after the first in each; "
        "the median process reported)",
        rows,
    )


SLUG = "bench-api"
CASES = ("ours", "naive", "floor")
PROCESSES = 3


@contextlib.contextmanager
def _benchmark_site() -> Iterator[None]:
    """This module's URLs (the site plus the naive and floor views), without the anonymous rate limit."""
    from django.conf import settings
    from django.test import override_settings
    from django.urls import clear_url_caches

    # The benchmark measures serving, not the rate limit, which would refuse it after 1000 requests.
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1000000/hour"}
    urlpatterns[:] = _benchmark_urls()
    try:
        with override_settings(
            ROOT_URLCONF=__name__, REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        ):
            clear_url_caches()
            yield
    finally:
        clear_url_caches()


def _urls() -> dict[str, tuple[str, str]]:
    from timeline.models import Event

    events = Event.objects.filter(timeline__slug=SLUG).order_by("id")
    uid = events.values_list("uid", flat=True)[events.count() // 2]
    list_query = f"?timeline={SLUG}&page_size={PAGE_SIZE}"
    return {
        "ours": (f"/api/v1/events/{list_query}", f"/api/v1/events/{uid}/"),
        "naive": (f"/bench/naive/events/{list_query}", f"/bench/naive/events/{uid}/"),
        "floor": (f"/bench/floor/events/{list_query}", f"/bench/floor/events/{uid}/"),
    }


def _worker(case: str) -> dict[str, Any]:
    """One case in this (fresh) process: the first request of a page and of one event, then the
    median of ``REPEAT`` more of each, and the queries of a page of 100 and of 500."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.harness import https_client

    settings.ALLOWED_HOSTS = ["*"]
    with _benchmark_site():
        client = https_client(HTTP_ACCEPT="application/json")
        page_url, one_url = _urls()[case]

        def timed(url: str) -> float:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            return elapsed

        page_first, one_first = timed(page_url), timed(one_url)
        page = statistics.median(timed(page_url) for _ in range(REPEAT))
        one = statistics.median(timed(one_url) for _ in range(REPEAT))
        queries = []
        for size in (PAGE_SIZE, 500):
            with CaptureQueriesContext(connection) as captured:
                timed(page_url.replace(f"page_size={PAGE_SIZE}", f"page_size={size}"))
            queries.append(len(captured.captured_queries))
    return {
        "page_first": page_first,
        "one_first": one_first,
        "page": page,
        "one": one,
        "queries": queries,
        "vendor": connection.vendor,
    }


def _check_same_answers(client: Any, urls: dict[str, tuple[str, str]]) -> None:
    """The three must return the same fields, or the comparison means nothing."""
    pages = {name: client.get(pair[0]).json() for name, pair in urls.items()}
    details = {name: client.get(pair[1]).json() for name, pair in urls.items()}
    ours_page = pages["ours"]["results"]
    for name in ("naive", "floor"):
        page = pages[name]["results"]
        assert [row["uid"] for row in page] == [row["uid"] for row in ours_page], name
        assert list(page[0]) == list(ours_page[0]), (name, list(page[0]))
        assert page[0]["citations"] == ours_page[0]["citations"], name
        assert [row["claims"] for row in page] == [row["claims"] for row in ours_page], name
        assert (page[0]["date_display"], page[0]["grade"]) == (ours_page[0]["date_display"], ours_page[0]["grade"])
        assert list(details[name]) == list(details["ours"]), name


# --- Naive: nested ModelSerializers, no select_related / prefetch_related -----------------


def _benchmark_urls() -> list[Any]:
    from django.urls import include, path

    from config.urls import urlpatterns as site_urls

    naive_list, naive_detail = _naive_views()
    return [
        path("bench/naive/events/", naive_list),
        path("bench/naive/events/<uuid:uid>/", naive_detail),
        path("bench/floor/events/", floor_list),
        path("bench/floor/events/<uuid:uid>/", floor_detail),
        path("", include(site_urls)),
    ]


def _naive_views() -> tuple[Any, Any]:
    from django.urls import reverse
    from rest_framework import generics, serializers

    from timeline import access, claims, links
    from timeline.models import Actor, Citation, Claim, Event, Source, Tag

    class NaiveActorSerializer(serializers.ModelSerializer):
        class Meta:
            model = Actor
            fields = ("id", "name", "native_name", "kind")

    class NaiveTagSerializer(serializers.ModelSerializer):
        class Meta:
            model = Tag
            fields = ("slug", "name")

    class NaiveSourceSerializer(serializers.ModelSerializer):
        class Meta:
            model = Source
            fields = ("id", "title", "publisher", "url", "published", "reliability")

    class NaiveCitationSerializer(serializers.ModelSerializer):
        source = NaiveSourceSerializer()

        class Meta:
            model = Citation
            fields = ("source", "quote", "locator")

    class NaiveClaimSerializer(serializers.ModelSerializer):
        claimant = NaiveActorSerializer()
        made_display = serializers.SerializerMethodField()
        citations = serializers.SerializerMethodField()
        reliability = serializers.SerializerMethodField()

        class Meta:
            model = Claim
            fields = ("claimant", "stance", "made", "made_display", "citations", "reliability", "note")

        def get_made_display(self, claim: Claim) -> str:
            return claims.made_display(claim.made)

        def get_citations(self, claim: Claim) -> list[int]:
            positions = [citation.pk for citation in claim.event.citations.all()]
            return sorted(positions.index(citation.pk) for citation in claim.citations.all())

        def get_reliability(self, claim: Claim) -> str:
            return min((citation.source.reliability for citation in claim.citations.all()), default="")

    class NaiveEventSerializer(serializers.ModelSerializer):
        timeline = serializers.SlugRelatedField(slug_field="slug", read_only=True)
        date_display = serializers.CharField()
        reported_display = serializers.CharField()
        claimant = NaiveActorSerializer(allow_null=True)
        actors = NaiveActorSerializer(many=True)
        tags = NaiveTagSerializer(many=True)
        citations = NaiveCitationSerializer(many=True)
        claims = serializers.SerializerMethodField()
        reliability = serializers.CharField()
        grade = serializers.CharField()
        links = serializers.SerializerMethodField()

        class Meta:
            model = Event
            fields = (
                "uid",
                "timeline",
                "title",
                "summary",
                "date",
                "date_display",
                "date_lower",
                "date_upper",
                "precision",
                "approximate",
                "uncertain",
                "reported",
                "reported_display",
                "location",
                "latitude",
                "longitude",
                "status",
                "status_override",
                "status_override_reason",
                "claimant",
                "credibility",
                "reliability",
                "grade",
                "key",
                "actors",
                "tags",
                "citations",
                "claims",
                "published",
                "version",
                "created_at",
                "updated_at",
                "links",
            )

        def get_claims(self, event: Event) -> list[dict[str, Any]]:
            visible = access.claims_visible_to(self.context["request"].user).filter(event=event)
            return NaiveClaimSerializer(visible, many=True).data

        def get_links(self, event: Event) -> dict[str, str]:
            request = self.context["request"]
            return {
                "self": request.build_absolute_uri(reverse("api:event-detail", kwargs={"uid": event.uid})),
                "html": request.build_absolute_uri(event.get_absolute_url()),
                "calendar": request.build_absolute_uri(links.event_calendar_path(event.uid)),
            }

    class NaiveList(generics.ListAPIView):
        serializer_class = NaiveEventSerializer

        def get_queryset(self) -> Any:
            return Event.objects.filter(timeline__slug=self.request.GET["timeline"], published=True).order_by(
                "date_lower", "date_upper", "id"
            )

        def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            from rest_framework.response import Response

            size = int(request.GET.get("page_size", PAGE_SIZE))
            page = self.get_queryset()[:size]
            data = self.get_serializer(page, many=True).data
            return Response({"next": None, "previous": None, "results": data})

    class NaiveDetail(generics.RetrieveAPIView):
        serializer_class = NaiveEventSerializer
        lookup_field = "uid"

        def get_queryset(self) -> Any:
            return Event.objects.filter(published=True)

    return NaiveList.as_view(), NaiveDetail.as_view()


# --- Floor: values() + json.dumps ----------------------------------------------------------

EVENT_COLUMNS = (
    "id",
    "uid",
    "timeline__slug",
    "title",
    "summary",
    "date",
    "date_lower",
    "date_upper",
    "precision",
    "approximate",
    "uncertain",
    "reported",
    "location",
    "latitude",
    "longitude",
    "status",
    "status_override",
    "status_override_reason",
    "claimant__id",
    "claimant__name",
    "claimant__native_name",
    "claimant__kind",
    "credibility",
    "key",
    "published",
    "version",
    "created_at",
    "updated_at",
)


def _floor_events(request: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from timeline import dates, links
    from timeline.models import Citation, Event

    ids = [row["id"] for row in rows]
    actors: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for link in Event.actors.through.objects.filter(event_id__in=ids).values(
        "event_id", "actor__id", "actor__name", "actor__native_name", "actor__kind"
    ):
        actors[link["event_id"]].append(
            {
                "id": link["actor__id"],
                "name": link["actor__name"],
                "native_name": link["actor__native_name"],
                "kind": link["actor__kind"],
            }
        )
    tags: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for link in Event.tags.through.objects.filter(event_id__in=ids).values("event_id", "tag__slug", "tag__name"):
        tags[link["event_id"]].append({"slug": link["tag__slug"], "name": link["tag__name"]})
    citations: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    citation_ids: dict[int, list[int]] = {i: [] for i in ids}
    for citation in (
        Citation.objects.filter(event_id__in=ids)
        .order_by("position", "id")
        .values(
            "id",
            "event_id",
            "quote",
            "locator",
            "source__id",
            "source__title",
            "source__publisher",
            "source__url",
            "source__published",
            "source__reliability",
        )
    ):
        citation_ids[citation["event_id"]].append(citation["id"])
        citations[citation["event_id"]].append(
            {
                "source": {
                    "id": citation["source__id"],
                    "title": citation["source__title"],
                    "publisher": citation["source__publisher"],
                    "url": citation["source__url"],
                    "published": citation["source__published"],
                    "reliability": citation["source__reliability"],
                },
                "quote": citation["quote"],
                "locator": citation["locator"],
            }
        )
    claimed = _floor_claims(request, ids, citations, citation_ids)
    base = request.build_absolute_uri("/")[:-1]
    out = []
    for row in rows:
        cited = citations[row["id"]]
        reliability = min((c["source"]["reliability"] for c in cited), default="F")
        claimant = (
            {
                "id": row["claimant__id"],
                "name": row["claimant__name"],
                "native_name": row["claimant__native_name"],
                "kind": row["claimant__kind"],
            }
            if row["claimant__id"] is not None
            else None
        )
        out.append(
            {
                "uid": str(row["uid"]),
                "timeline": row["timeline__slug"],
                "title": row["title"],
                "summary": row["summary"],
                "date": row["date"],
                "date_display": dates.parse(row["date"]).display(),
                "date_lower": row["date_lower"].isoformat(),
                "date_upper": row["date_upper"].isoformat(),
                "precision": row["precision"],
                "approximate": row["approximate"],
                "uncertain": row["uncertain"],
                "reported": row["reported"],
                "reported_display": dates.parse(row["reported"]).display() if row["reported"] else "",
                "location": row["location"],
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "status": row["status"],
                "status_override": row["status_override"],
                "status_override_reason": row["status_override_reason"],
                "claimant": claimant,
                "credibility": row["credibility"],
                "reliability": reliability,
                "grade": f"{reliability}{row['credibility']}",
                "key": row["key"],
                "actors": actors[row["id"]],
                "tags": tags[row["id"]],
                "citations": cited,
                "claims": claimed[row["id"]],
                "published": row["published"],
                "version": row["version"],
                "created_at": row["created_at"].isoformat(),
                "updated_at": row["updated_at"].isoformat(),
                "links": {
                    "self": f"{base}/api/v1/events/{row['uid']}/",
                    "html": f"{base}/events/{row['uid']}/",
                    "calendar": base + links.event_calendar_path(row["uid"]),
                },
            }
        )
    return out


def _floor_claims(
    request: Any, ids: list[int], citations: dict[int, list[dict[str, Any]]], citation_ids: dict[int, list[int]]
) -> dict[int, list[dict[str, Any]]]:
    """The claims the reader may see on the events ``ids``, as the API shapes them: two queries."""
    from timeline import access, claims
    from timeline.models import Claim

    rows = list(
        access.claims_visible_to(request.user)
        .filter(event_id__in=ids)
        .values(
            "id",
            "event_id",
            "stance",
            "made",
            "note",
            "claimant__id",
            "claimant__name",
            "claimant__native_name",
            "claimant__kind",
        )
    )
    backing: dict[int, list[int]] = {}
    for link in Claim.citations.through.objects.filter(claim_id__in=[row["id"] for row in rows]).values(
        "claim_id", "citation_id"
    ):
        backing.setdefault(link["claim_id"], []).append(link["citation_id"])
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in rows:
        event = row["event_id"]
        positions = {citation: n for n, citation in enumerate(citation_ids[event])}
        cited = sorted(positions[c] for c in backing.get(row["id"], ()) if c in positions)
        out[event].append(
            {
                "claimant": {
                    "id": row["claimant__id"],
                    "name": row["claimant__name"],
                    "native_name": row["claimant__native_name"],
                    "kind": row["claimant__kind"],
                },
                "stance": row["stance"],
                "made": row["made"],
                "made_display": claims.made_display(row["made"]),
                "citations": cited,
                "reliability": min((citations[event][n]["source"]["reliability"] for n in cited), default=""),
                "note": row["note"],
            }
        )
    return out


def floor_list(request: Any) -> Any:
    from django.http import HttpResponse

    from timeline.models import Event

    size = int(request.GET.get("page_size", PAGE_SIZE))
    rows = list(
        Event.objects.filter(timeline__slug=request.GET["timeline"], published=True)
        .order_by("date_lower", "date_upper", "id")
        .values(*EVENT_COLUMNS)[:size]
    )
    body = {"next": None, "previous": None, "results": _floor_events(request, rows)}
    return HttpResponse(json.dumps(body), content_type="application/json")


def floor_detail(request: Any, uid: Any) -> Any:
    from django.http import HttpResponse

    from timeline.models import Event

    rows = list(Event.objects.filter(uid=uid, published=True).values(*EVENT_COLUMNS))
    return HttpResponse(json.dumps(_floor_events(request, rows)[0]), content_type="application/json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one API case in a fresh process, for benchmarks.api.run")
    parser.add_argument("--case", choices=CASES, required=True)
    print(json.dumps(_worker(parser.parse_args().case)))
