"""The production stack under a bounded load: gunicorn with 1 and with 2 workers.

Cases (each at most ``CASE_SECONDS`` seconds and ``CASE_MAX_REQUESTS`` requests, only to
127.0.0.1, ``CONCURRENCY`` client threads, a new connection per request as gunicorn's
sync workers close them):

* trivial: ``GET /favicon.ico`` (a redirect through every middleware, no database): the floor
  (``/`` lists timelines since the readers' pages landed, so it is no longer trivial);
* API page: ``/api/v1/events/?timeline=bench&page_size=100``;
* event 304: one event with its ETag in ``If-None-Match``;
* feed warm: the timeline's calendar feed, its body already cached;
* feed 304: the feed with its ETag.

Each request names a different client in ``X-Forwarded-For``, as thousands of subscribers
would, so the API throttle's per-client history stays as short as in production instead of
growing with every request of the benchmark.

Both servers (1 and 2 workers, on ``PORT`` and ``PORT + 1``) run side by side, and every case
is measured in ``ROUNDS`` slices that take turns with the other cases and the other server, so a
change of the machine's load during the run (other jobs share its cores) weighs on all cases
alike instead of on whichever ran last. For each case and server it also reports the CPU cores
the server processes used (from /proc) and the load average, since a second worker can only
help when a second core is free.

Reports req/s, p50 and p99 per case and worker count. Targets (issue 11): event 304 and
feed 304 >= 0.5x the trivial view's req/s; 2 workers >= 1.6x one worker for the API page.
The client shares the machine's cores with the server, so absolute numbers are low and
the ratios are what to compare. Uses ``DATABASE_URL``/``REDIS_URL`` when set (PostgreSQL
and Redis as in production), else the benchmark's SQLite file and a local-memory cache.
"""

from __future__ import annotations

import http.client
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.harness import report, seed

PORT = int(os.environ.get("BENCH_SERVE_PORT", "8690"))
CASE_SECONDS = 10.0
ROUNDS = 5
CASE_MAX_REQUESTS = 20_000
CONCURRENCY = 4
MAX_EVENTS = 2_000


def start_server(workers: int, port: int) -> subprocess.Popen[bytes]:
    """Start bin/serve on 127.0.0.1:``port`` with ``workers`` processes and wait until /health/ answers."""
    from django.conf import settings

    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESS_LOG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_HASHED_STATIC": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_ANON": "100000000/hour",
        # The benchmark stands in for a proxy: X-Forwarded-For names the client (see load()).
        "TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    env.pop("DJANGO_DEBUG", None)
    root = Path(settings.BASE_DIR)
    server = subprocess.Popen([str(root / "bin" / "serve")], cwd=root, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /health/ within 30 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by gunicorn's master and its workers, live and
    replaced ones (``max_requests``), from Linux's /proc."""

    def stat(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    try:
        master = stat(server.pid)
        workers = [
            int(pid)
            for task in Path(f"/proc/{server.pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
    except OSError:
        return 0.0
    # utime, stime, then cutime, cstime: the workers the master has reaped.
    ticks = sum(int(value) for value in master[11:15])
    for pid in workers:
        try:
            ticks += sum(int(value) for value in stat(pid)[11:13])
        except OSError:
            continue  # exited between the listing and now; its time reaches cutime/cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    """The machine's 1-minute load average (other engineers' work shares these cores)."""
    return os.getloadavg()[0]


def fetch(port: int, path: str, headers: dict[str, str], *, timeout: float = 30) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


class Measured:
    """What the slices of one case on one server add up to."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.wall = 0.0
        self.cpu = 0.0
        self.loads: list[float] = []

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {
            "rps": len(ordered) / self.wall,
            "p50": statistics.median(ordered) * 1000,
            "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "cores": self.cpu / self.wall,
            # Server CPU per request: unlike req/s it hardly depends on how busy the machine is.
            "cpu_ms": self.cpu / max(len(ordered), 1) * 1000,
            "load": statistics.mean(self.loads),
        }


def load_slice(
    server: subprocess.Popen[bytes], port: int, path: str, headers: dict[str, str], expect: int, into: Measured
) -> None:
    """``CONCURRENCY`` clients on ``path`` for one slice (``CASE_SECONDS / ROUNDS``), added to ``into``.
    Raises on an unexpected status."""
    clients = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + CASE_SECONDS / ROUNDS
    budget = CASE_MAX_REQUESTS // ROUNDS

    def client() -> None:
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) >= budget or errors:
                    return
            started = time.perf_counter()
            status, _ = fetch(port, path, {**headers, "X-Forwarded-For": f"bench-client-{next(clients)}"})
            elapsed = time.perf_counter() - started
            with lock:
                if status != expect:
                    errors.append(f"{path}: {status}, expected {expect}")
                latencies.append(elapsed)

    cpu_before = server_cpu_seconds(server)
    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    into.wall += time.monotonic() - began
    into.cpu += server_cpu_seconds(server) - cpu_before
    into.latencies += latencies
    into.loads.append(load_average())
    if errors:
        raise RuntimeError(errors[0])


def cases(timeline, port: int) -> list[tuple[str, str, dict[str, str], int]]:
    from timeline.models import Event

    event = Event.objects.filter(timeline=timeline).order_by("id").first()
    assert event is not None
    api = "/api/v1/events/?timeline=bench&page_size=100"
    event_path = f"/api/v1/events/{event.uid}/"
    feed = "/timelines/bench/calendar.ics"
    # The first feed request renders every event (not timed); later ones come from the cache.
    _, event_headers = fetch(port, event_path, {"Accept": "application/json"}, timeout=120)
    _, feed_headers = fetch(port, feed, {}, timeout=300)
    return [
        ("trivial view (GET /favicon.ico)", "/favicon.ico", {}, 301),
        ("API page (100 events)", api, {"Accept": "application/json"}, 200),
        ("event 304", event_path, {"Accept": "application/json", "If-None-Match": event_headers["etag"]}, 304),
        ("feed warm", feed, {}, 200),
        ("feed 304", feed, {"If-None-Match": feed_headers["etag"]}, 304),
    ]


def run(*, events: int) -> None:
    from django.conf import settings

    count = min(events, MAX_EVENTS)
    timeline = seed(count, slug="bench")
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory (per process)"
    load_before = load_average()
    servers: dict[int, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for workers in (1, 2):
            port = PORT + workers - 1
            servers[workers] = (start_server(workers, port), port)
        # Both servers share Redis and the database, so either one warms the caches for both.
        plan = {workers: cases(timeline, port) for workers, (_, port) in servers.items()}
        measured = {workers: {label: Measured() for label, *_ in plan[workers]} for workers in servers}
        for _ in range(ROUNDS):
            for index in range(len(plan[1])):
                for workers, (server, port) in servers.items():
                    label, path, headers, expect = plan[workers][index]
                    load_slice(server, port, path, headers, expect, measured[workers][label])
    finally:
        for server, _ in servers.values():
            stop_server(server)
    results = {
        workers: {label: one.summary() for label, one in by_label.items()} for workers, by_label in measured.items()
    }
    rows = []
    for label in results[1]:
        one, two = results[1][label], results[2][label]
        rows.append(
            (
                label,
                f"1 worker {one['rps']:6.1f} req/s p50 {one['p50']:6.1f} ms p99 {one['p99']:6.1f} ms "
                f"server {one['cores']:.2f} cores {one['cpu_ms']:5.1f} CPU ms/req, load {one['load']:.1f} | "
                f"2 workers {two['rps']:6.1f} req/s p50 {two['p50']:6.1f} ms p99 {two['p99']:6.1f} ms "
                f"server {two['cores']:.2f} cores {two['cpu_ms']:5.1f} CPU ms/req, load {two['load']:.1f}",
            )
        )
    floor = {workers: results[workers]["trivial view (GET /favicon.ico)"]["rps"] for workers in (1, 2)}
    ratios = [
        (f"event 304 / trivial ({workers} w)", f"{results[workers]['event 304']['rps'] / floor[workers]:.2f}x")
        for workers in (1, 2)
    ]
    ratios += [
        (f"feed 304 / trivial ({workers} w)", f"{results[workers]['feed 304']['rps'] / floor[workers]:.2f}x")
        for workers in (1, 2)
    ]
    # The same comparison by server CPU per request (trivial's / the case's): what the ratio of
    # req/s becomes when the server has the cores to itself.
    trivial_cpu = {workers: results[workers]["trivial view (GET /favicon.ico)"]["cpu_ms"] for workers in (1, 2)}
    ratios += [
        (
            f"{label} / trivial by CPU per request",
            " | ".join(
                f"{workers} w {trivial_cpu[workers] / max(results[workers][label]['cpu_ms'], 0.001):.2f}x"
                for workers in (1, 2)
            ),
        )
        for label in ("event 304", "feed 304")
    ]
    api_scaling = results[2]["API page (100 events)"]["rps"] / results[1]["API page (100 events)"]["rps"]
    ratios.append(("API page, 2 workers / 1 worker", f"{api_scaling:.2f}x"))
    api = [results[workers]["API page (100 events)"] for workers in (1, 2)]
    # What the machine gave the server: with other work on the cores, 2 workers may get less than
    # 2 cores, and req/s per server core shows whether a worker wastes time waiting on another.
    ratios.append(
        (
            "API page, server cores used (1 w / 2 w)",
            f"{api[0]['cores']:.2f} / {api[1]['cores']:.2f}; req/s per core "
            f"{api[0]['rps'] / max(api[0]['cores'], 0.01):.1f} / {api[1]['rps'] / max(api[1]['cores'], 0.01):.1f}",
        )
    )
    report(
        f"Serving: gunicorn on {database}, cache {cache}, {count:,} events, {CONCURRENCY} clients, "
        f"<= {CASE_SECONDS:.0f} s a case in {ROUNDS} interleaved slices, "
        f"{os.cpu_count()} cores shared with the client; "
        f"load average {load_before:.1f} before, {load_average():.1f} after",
        rows + ratios,
    )
    sys.stdout.flush()
