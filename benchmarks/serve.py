"""The production stack under a bounded load: gunicorn with 1 and with 2 workers.

Cases (each at most ``CASE_SECONDS`` seconds, only to 127.0.0.1, ``CONCURRENCY`` connections,
a new connection per request as gunicorn's sync workers close them):

* trivial: ``GET /favicon.ico`` (a redirect through every middleware, no database): the floor
  (``/`` lists timelines since the readers' pages landed, so it is no longer trivial);
* API page: ``/api/v1/events/?timeline=bench&page_size=100``;
* event 304: one event with its ETag in ``If-None-Match``;
* feed warm: the timeline's calendar feed, its body already cached;
* feed 304: the feed with its ETag.

The load comes from ``wrk`` when it is installed (Debian's ``wrk`` package), else from a small
asyncio client (:mod:`benchmarks.loadgen`); each request names a different client in
``X-Forwarded-For``, as thousands of subscribers would. The generator's own CPU per request is
reported, since it shares the cores with the server.

Both servers (1 and 2 workers, on ``PORT`` and ``PORT + 1``) run side by side, and every case
is measured in ``ROUNDS`` slices that take turns with the other cases and the other server
(which of the two goes first alternates), so a change of the machine's load during the run
(other jobs share its cores) weighs on all cases alike instead of on whichever ran last. Each
server first answers every case for ``WARM_SECONDS`` unmeasured (imports, connections, the
kept ETags of the 304 paths, the feed's cached body: what a server polled all day has).
gunicorn's worker replacement (``max_requests``) is off: at a thousand requests a second it
would restart a worker every few seconds, and its boot (a second of a core) would land on
whichever slice it hits.

Reported per case and worker count: req/s, p50 and p99 (merged from the slices' percentiles),
the server's CPU per request and the cores it used (gunicorn's master and workers, from
/proc), the same for the PostgreSQL backends serving it (found by ``application_name``), the
generator's CPU per request, and the cores the rest of the machine used meanwhile (other
engineers' jobs: busy time from /proc/stat less all of these) or left idle. CPU per request
hardly depends on how loaded the machine is; req/s does.

Targets (issue 11): event 304 and feed 304 >= 0.5x the trivial view's req/s; 2 workers >= 1.6x
one worker for the API page. The second can only be met when the machine has a second core
free for the server: the report gives the 2-vs-1 ratio as req/s and as req/s per server core
used, and the cores left to the server. Uses ``DATABASE_URL``/``REDIS_URL`` when set
(PostgreSQL and Redis as in production), else the benchmark's SQLite file and a local-memory
cache.
"""

from __future__ import annotations

import http.client
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks import loadgen
from benchmarks.harness import report, seed

PORT = int(os.environ.get("BENCH_SERVE_PORT", "8690"))
CASE_SECONDS = 10
ROUNDS = 5
WARM_SECONDS = 1
CONCURRENCY = 4
MAX_EVENTS = 2_000
TRIVIAL = "trivial view (GET /favicon.ico)"
API = "API page (100 events)"


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
        "GUNICORN_MAX_REQUESTS": "0",
        # The benchmark stands in for a proxy: X-Forwarded-For names the client (see load()).
        "TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        # libpq's name for the server's connections, so its PostgreSQL backends can be found.
        "PGAPPNAME": application_name(port),
    }
    env.pop("DJANGO_DEBUG", None)
    root = Path(settings.BASE_DIR)
    # A session of its own, as a service manager starts it: with the kernel's autogroup
    # scheduling, a session is what gets a fair share of a busy machine's CPU.
    server = subprocess.Popen(
        [str(root / "bin" / "serve")], cwd=root, env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
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


def application_name(port: int) -> str:
    return f"timeline-bench-serve-{port}"


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (from /proc); raises OSError when it is gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(port: int) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the server on ``port`` (found by its
    ``application_name`` in ``pg_stat_activity``, read from /proc: PostgreSQL runs on this
    machine); empty on SQLite or when the backends' /proc entries are not readable."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name(port)])
        pids = [row[0] for row in cursor.fetchall()]
    used = {}
    for pid in pids:
        try:
            used[pid] = process_cpu_seconds(pid)
        except OSError:
            continue
    return used


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


def autogroup_scheduling() -> bool:
    """Whether Linux shares CPU fairly between sessions rather than between processes
    (``kernel.sched_autogroup_enabled``): then a server's share of a busy machine is one
    session's, however many workers it runs."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def load_average() -> float:
    """The machine's 1-minute load average (other engineers' work shares these cores)."""
    return os.getloadavg()[0]


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat: everything but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children: the load generators (the servers end last)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
        self.requests = 0
        self.wall = 0.0
        # The window the CPU figures cover: the generator's run, from before it starts until after it ends.
        self.window = 0.0
        self.cpu = 0.0
        self.client_cpu = 0.0
        self.database_cpu = 0.0
        self.busy = 0.0
        # Each slice's latency percentiles, weighted by its share of the requests.
        self.quantiles: list[tuple[float, float]] = []
        self.loads: list[float] = []

    def quantile(self, fraction: float) -> float:
        """The latency (ms) below which ``fraction`` of the requests of all slices answered."""
        ordered = sorted(self.quantiles)
        total = sum(weight for _, weight in ordered)
        seen = 0.0
        for value, weight in ordered:
            seen += weight
            if seen >= fraction * total:
                return value / 1000
        return ordered[-1][0] / 1000 if ordered else 0.0

    def summary(self) -> dict[str, float]:
        requests = max(self.requests, 1)
        return {
            "rps": self.requests / self.wall,
            "p50": self.quantile(0.5),
            "p99": self.quantile(0.99),
            "cores": self.cpu / self.window,
            # Server CPU per request: unlike req/s it hardly depends on how busy the machine is.
            "cpu_ms": self.cpu / requests * 1000,
            "client_ms": self.client_cpu / requests * 1000,
            # The PostgreSQL backends' share of a request, beside the server's own.
            "database_ms": self.database_cpu / requests * 1000,
            "database_cores": self.database_cpu / self.window,
            "client_cores": self.client_cpu / self.window,
            # What the rest of the machine (other jobs) used meanwhile, and what nobody used.
            "others": max(self.busy - self.cpu - self.client_cpu - self.database_cpu, 0.0) / self.window,
            "idle": max((os.cpu_count() or 1) - self.busy / self.window, 0.0),
            "load": statistics.mean(self.loads),
        }


def load_slice(
    server: subprocess.Popen[bytes],
    port: int,
    case: tuple[str, str, dict[str, str], int],
    seconds: int,
    into: Measured | None,
    script_dir: Path,
) -> None:
    """``CONCURRENCY`` connections on the case's path for ``seconds``, added to ``into`` (not
    counted when None). Raises on an unexpected status or a failed connection."""
    label, path, headers, expect = case
    prefix = f"bench-{port}-{time.monotonic_ns()}-"
    argv = loadgen.command(
        port=port,
        path=path,
        headers=headers,
        expect=expect,
        seconds=seconds,
        concurrency=CONCURRENCY,
        prefix=prefix,
        script_dir=script_dir,
    )
    database_before = database_cpu_seconds(port)
    cpu_before, client_before, busy_before = server_cpu_seconds(server), children_cpu_seconds(), machine_busy_seconds()
    began = time.monotonic()
    finished = subprocess.run(argv, capture_output=True, text=True, check=True)
    window = time.monotonic() - began
    cpu, client, busy = server_cpu_seconds(server), children_cpu_seconds(), machine_busy_seconds()
    # A backend that started during the slice counts whole; one that ended is lost (rare: connections persist).
    database = sum(used - database_before.get(pid, 0.0) for pid, used in database_cpu_seconds(port).items())
    result = loadgen.parse_result(finished.stdout)
    if result["unexpected"] or result["errors"]:
        raise RuntimeError(
            f"{label}: {result['unexpected']} answers other than {expect} (e.g. {result['status']}), "
            f"{result['errors']} connection errors"
        )
    if into is None:
        return
    requests = int(result["requests"])  # type: ignore[call-overload]
    into.requests += requests
    into.wall += float(result["seconds"])  # type: ignore[arg-type]
    into.window += window
    into.cpu += cpu - cpu_before
    into.client_cpu += client - client_before
    into.database_cpu += database
    into.busy += busy - busy_before
    into.quantiles += [(float(value), requests / 100) for value in result["quantiles_us"]]  # type: ignore[attr-defined]
    into.loads.append(load_average())


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
    from django.db import connection

    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum keeps them on a database in use. Right after the
        # bulk insert it would guess 2 events where there are 2,000 (a sort of every event of the
        # timeline instead of an index walk: 19 ms instead of 0.5 ms for the API page's query),
        # until autovacuum happens to analyze the tables in the middle of the run.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory (per process)"
    generator = "wrk" if loadgen.wrk_path() else "asyncio client (no wrk installed)"
    load_before = load_average()
    servers: dict[int, tuple[subprocess.Popen[bytes], int]] = {}
    with tempfile.TemporaryDirectory(prefix="timeline-serve-") as scratch:
        script_dir = Path(scratch)
        try:
            for workers in (1, 2):
                port = PORT + workers - 1
                servers[workers] = (start_server(workers, port), port)
            # Both servers share Redis and the database, so either one warms the caches for both.
            plan = {workers: cases(timeline, port) for workers, (_, port) in servers.items()}
            for workers, (server, port) in servers.items():
                for case in plan[workers]:
                    load_slice(server, port, case, WARM_SECONDS, None, script_dir)
            measured = {workers: {case[0]: Measured() for case in plan[workers]} for workers in servers}
            for round_number in range(ROUNDS):
                order = (1, 2) if round_number % 2 == 0 else (2, 1)
                for index in range(len(plan[1])):
                    for workers in order:
                        server, port = servers[workers]
                        case = plan[workers][index]
                        load_slice(server, port, case, CASE_SECONDS // ROUNDS, measured[workers][case[0]], script_dir)
        finally:
            for server, _ in servers.values():
                stop_server(server)
    results = {
        workers: {label: one.summary() for label, one in by_label.items()} for workers, by_label in measured.items()
    }
    rows = []
    for label in results[1]:
        for workers in (1, 2):
            one = results[workers][label]
            rows.append(
                (
                    f"{label}, {workers} worker{'s' if workers > 1 else ''}",
                    f"{one['rps']:7.1f} req/s p50 {one['p50']:6.1f} ms p99 {one['p99']:7.1f} ms | "
                    f"server {one['cpu_ms']:6.2f} CPU ms/req on {one['cores']:.2f} cores | "
                    + (
                        f"PostgreSQL {one['database_ms']:5.2f} on {one['database_cores']:.2f} | "
                        if database == "postgresql"
                        else ""
                    )
                    + f"generator {one['client_ms'] * 1000:4.0f} CPU us/req on {one['client_cores']:.2f} | "
                    f"others {one['others']:.2f}, idle {one['idle']:.2f} cores, load {one['load']:.1f}",
                )
            )
    ratios = []
    for label in ("event 304", "feed 304"):
        by_rps = " | ".join(
            f"{workers} w {results[workers][label]['rps'] / results[workers][TRIVIAL]['rps']:.2f}x"
            for workers in (1, 2)
        )
        # Trivial's CPU per request over the case's: the ratio of req/s when CPU is what limits both.
        by_cpu = " | ".join(
            f"{workers} w {results[workers][TRIVIAL]['cpu_ms'] / max(results[workers][label]['cpu_ms'], 0.001):.2f}x"
            for workers in (1, 2)
        )
        ratios.append((f"{label} / trivial, req/s (target >= 0.5x)", by_rps))
        ratios.append((f"{label} / trivial, by server CPU per request", by_cpu))
    api = [results[workers][API] for workers in (1, 2)]
    ratios.append(("API page, 2 workers / 1 worker, req/s (target >= 1.6x)", f"{api[1]['rps'] / api[0]['rps']:.2f}x"))
    per_core = [one["rps"] / max(one["cores"], 0.01) for one in api]
    ratios.append(
        (
            "API page, 2 workers / 1 worker, req/s per server core",
            f"{per_core[1] / per_core[0]:.2f}x ({per_core[0]:.1f} / {per_core[1]:.1f} req/s per core used)",
        )
    )
    cores = os.cpu_count() or 1
    # What the server could have had: what it used plus what nobody used (a worker is one core at most).
    reach = [min(one["cores"] + one["idle"], float(workers)) for workers, one in zip((1, 2), api, strict=True)]
    ratios.append(
        (
            "API page, server cores used (1 w / 2 w)",
            f"{api[0]['cores']:.2f} / {api[1]['cores']:.2f}; at most {reach[0]:.2f} / {reach[1]:.2f} with the idle "
            f"cores ({cores} cores, the generator and other jobs on the rest): 2 w / 1 w at most "
            f"{reach[1] / max(reach[0], 0.01) * per_core[1] / per_core[0]:.2f}x at this CPU per request",
        )
    )
    if autogroup_scheduling():
        ratios.append(
            (
                "CPU sharing on this machine",
                "per session (kernel.sched_autogroup_enabled=1): when other sessions keep the cores busy, "
                "a server gets one session's share whether it runs 1 or 2 workers",
            )
        )
    report(
        f"Serving: gunicorn on {database}, cache {cache}, {count:,} events, load from {generator}, "
        f"{CONCURRENCY} connections, {CASE_SECONDS} s a case in {ROUNDS} interleaved slices, "
        f"{cores} cores shared with the generator and other jobs; "
        f"load average {load_before:.1f} before, {load_average():.1f} after",
        rows + ratios,
    )
    sys.stdout.flush()
