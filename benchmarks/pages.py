"""Reader page benchmark: a timeline page of ``events`` events against one of 100, each case
in a fresh process.

The parent seeds both public timelines (``harness.seed``: realistic dates over 20 years,
distinct texts, two tags, actors and citations per event) and then starts one subprocess
per case, so no case warms another (imported modules, compiled templates, parsed dates):

* server: GETs of ``/timelines/<slug>/`` through Django's test client; the first GET of the
  process (cold) and the median of the next five (warm). The page's size is counted in SVG
  marks, counted periods and listed events.
* browser: the same page served by a WSGI server in the subprocess (on ``BENCH_PORT``, an
  ephemeral port by default) and opened in headless chromium (``TIMELINE_CHROMIUM``, default
  ``/usr/bin/chromium``), a fresh browser context (empty cache) per load. *Interactive* is
  the first moment after the ``load`` event (so after ``axis.js`` has added the zoom buttons)
  at which a frame has been drawn and a queued task has run: the page then answers input.
  Median of five loads, measured from the navigation's start.

Targets (issue 13): the large page's warm server time <= 3x the small page's, and its time
to interactive <= 2x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

SMALL, LARGE = "bench-pages-small", "bench-pages-large"
LOADS = 5

# Runs before the page's own scripts: notes when the page, loaded, has drawn a frame and run a task.
INTERACTIVE_PROBE = """
window.addEventListener("load", () => {
  requestAnimationFrame(() => setTimeout(() => { window.__interactive = performance.now(); }, 0));
});
"""


def run(events: int = 10_000) -> None:
    from benchmarks.harness import report, seed
    from timeline.models import Timeline

    if not Timeline.objects.filter(slug=LARGE).exists():
        seed(events, slug=LARGE)
        seed(100, slug=SMALL, seed_value=2)
    results = {(kind, slug): _in_subprocess(kind, slug) for kind in ("server", "browser") for slug in (SMALL, LARGE)}
    rows = []
    for slug, name in ((SMALL, "100 events"), (LARGE, f"{events} events")):
        server = results[("server", slug)]
        rows.append(
            (
                f"{name}: server time",
                f"{server['warm'] * 1000:.0f} ms warm, {server['cold'] * 1000:.0f} ms cold "
                f"({server['queries']} queries, {server['bytes'] / 1e3:.0f} kB, {server['marks']} marks, "
                f"{server['bins']} counted periods, {server['listed']} listed)",
            )
        )
    for slug, name in ((SMALL, "100 events"), (LARGE, f"{events} events")):
        browser = results[("browser", slug)]
        rows.append(
            (
                f"{name}: interactive in chromium",
                f"{browser['interactive']:.0f} ms (DOMContentLoaded {browser['dom_content_loaded']:.0f} ms, "
                f"{browser['nodes']} DOM nodes)",
            )
        )
    server_ratio = results[("server", LARGE)]["warm"] / results[("server", SMALL)]["warm"]
    browser_ratio = results[("browser", LARGE)]["interactive"] / results[("browser", SMALL)]["interactive"]
    for label, ratio, target in (
        ("server time ratio", server_ratio, 3),
        ("time to interactive ratio", browser_ratio, 2),
    ):
        rows.append((label, f"{ratio:.2f}x (target <= {target}x): {'met' if ratio <= target else 'MISSED'}"))
    report(f"Timeline page, {events} events against 100 (each case in a fresh process)", rows)


def _in_subprocess(kind: str, slug: str) -> dict[str, Any]:
    """Run one case in a fresh interpreter that inherits this process's DATABASE_URL."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.pages", "--case", kind, "--slug", slug],
        capture_output=True,
        text=True,
        # Production settings over plain HTTP, with static files from the apps (no collectstatic), as
        # in benchmarks.serve.
        env={**os.environ, "DJANGO_HASHED_STATIC": "0", "DJANGO_SSL_REDIRECT": "0", "DJANGO_LOG_LEVEL": "WARNING"},
    )
    if completed.returncode:
        raise RuntimeError(f"The {kind} case of {slug} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _server_case(slug: str) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    url = reverse("timeline:timeline-detail", kwargs={"slug": slug})

    def get() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    started = time.perf_counter()
    get()
    cold = time.perf_counter() - started
    samples = []
    for _ in range(LOADS):
        started = time.perf_counter()
        get()
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        body = get()
    marks, bins, listed = (body.count(part) for part in (b'class="mark ', b'class="bin"', b'<li class="status-'))
    return {
        "cold": cold,
        "warm": statistics.median(samples),
        "queries": len(queries),
        "bytes": len(body),
        "marks": marks,
        "bins": bins,
        "listed": listed,
    }


def _browser_case(slug: str) -> dict[str, Any]:
    import threading
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    class ThreadingServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server(
        "127.0.0.1",
        int(os.environ.get("BENCH_PORT", "0")),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}" + reverse("timeline:timeline-detail", kwargs={"slug": slug})
    samples = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium"), headless=True
            )
            # One load to warm the server process (templates, first queries): the browser is measured.
            for number in range(LOADS + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.add_init_script(INTERACTIVE_PROBE)
                page.goto(url, wait_until="load")
                page.wait_for_function("window.__interactive !== undefined")
                assert page.locator("nav.zoom button").count() > 0, "axis.js did not add its buttons"
                timing = page.evaluate(
                    """() => ({
                        interactive: window.__interactive,
                        dom_content_loaded: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
                        nodes: document.getElementsByTagName("*").length,
                    })"""
                )
                if number:
                    samples.append(timing)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    middle = statistics.median(sample["interactive"] for sample in samples)
    return next(sample for sample in samples if sample["interactive"] == middle)


def main() -> None:
    parser = argparse.ArgumentParser(description="one reader page case in a fresh process, for benchmarks.pages.run")
    parser.add_argument("--case", choices=("server", "browser"), required=True)
    parser.add_argument("--slug", required=True)
    args = parser.parse_args()
    from benchmarks.harness import setup_django

    setup_django()
    result = _server_case(args.slug) if args.case == "server" else _browser_case(args.slug)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
