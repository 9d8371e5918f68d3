"""Smoke test of the production stack through HTTP (run by .ci/smoke).

Usage: ``python .ci/smoke.py http://127.0.0.1:<port> <timeline slug> <events>``.
Every request but the ones that check plain http says ``X-Forwarded-Proto: https``,
as the TLS proxy in front of the service would. Exits non-zero on the first failure.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

BASE = sys.argv[1].rstrip("/")
SLUG = sys.argv[2]
EVENTS = int(sys.argv[3])
HTTPS = {"X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def fetch(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` (or an absolute https link of this site); returns status, headers, body."""
    if path.startswith("https://"):
        parts = urlsplit(path)
        path = parts.path + ("?" + parts.query if parts.query else "")
    request = urllib.request.Request(BASE + path, headers={**HTTPS, **(headers or {})})
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def check(label: str, condition: bool, detail: object = "") -> None:
    if not condition:
        print(f"FAILED: {label} {detail}")
        sys.exit(1)
    print(f"ok: {label}")


# Plain http is redirected to https; /health/ answers over http for load balancers.
status, headers, _ = fetch("/api/v1/", headers={"X-Forwarded-Proto": "http"})
check("plain http is redirected to https", status == 301 and headers["location"].startswith("https://"), status)
status, headers, body = fetch("/health/", headers={"X-Forwarded-Proto": "http"})
check("/health/ answers 200 with every check ok", status == 200 and json.loads(body)["status"] == "ok", body)
check("responses carry a request id", re.fullmatch(r"[0-9a-f]{32}", headers.get("x-request-id", "")) is not None)

# The admin login page is styled: its hashed CSS is served, compressed and cached for ever.
status, headers, body = fetch("/admin/login/")
check("admin login page", status == 200 and b"Log in" in body, status)
check("HSTS on https responses", headers.get("strict-transport-security", "").startswith("max-age="), headers)
css = re.findall(rb'href="(/static/admin/css/[^"]+\.[0-9a-f]{12}\.css)"', body)
check("admin CSS links are hashed", bool(css), body[:400])
status, headers, body = fetch(css[0].decode(), headers={"Accept-Encoding": "gzip"})
check("admin CSS is served", status == 200 and headers["content-type"].startswith("text/css"), (status, headers))
check("admin CSS is compressed", headers.get("content-encoding") == "gzip" and b"{" in gzip.decompress(body))
check("hashed static files are cached for ever", "immutable" in headers.get("cache-control", ""), headers)

# Swagger UI and its assets come from this installation.
status, headers, body = fetch("/api/v1/schema/swagger-ui/")
check("Swagger UI page", status == 200, status)
assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', body)
check("Swagger UI names its assets", len(assets) >= 2, body[:600])
for asset in assets:
    status, _, content = fetch(asset.decode())
    check(f"Swagger UI asset {asset.decode()}", status == 200 and len(content) > 0, status)
status, _, body = fetch("/api/v1/schema/")
check("OpenAPI schema", status == 200 and b"openapi" in body, status)

# The API, with https links behind the proxy.
status, headers, body = fetch(f"/api/v1/events/?timeline={SLUG}&page_size=10", headers={"Accept": "application/json"})
page = json.loads(body)
check("API list", status == 200 and len(page["results"]) == 10, status)
check("API next link is https", page["next"].startswith("https://"), page["next"])
check("API event links are https", page["results"][0]["links"]["self"].startswith("https://"), page["results"][0])
event_url = page["results"][0]["links"]["self"]
status, headers, _ = fetch(event_url, headers={"Accept": "application/json"})
check("API event", status == 200 and headers.get("etag", "").startswith('"'), (status, headers))
for attempt in ("through DRF", "from the kept ETag"):
    status, again, body = fetch(event_url, headers={"Accept": "application/json", "If-None-Match": headers["etag"]})
    check(f"API event answers 304 to its ETag ({attempt})", status == 304 and body == b"", status)
check("event 304 carries the security headers", again.get("x-content-type-options") == "nosniff", again)
status, headers, body = fetch(f"/timelines/{SLUG}/")
host = urlsplit(BASE).netloc.encode()
check("public page links are https", status == 200 and b"https://" + host in body and b"http://" + host not in body)
check("anonymous page may be kept by a CDN", headers.get("cache-control", "").startswith("public, max-age="), headers)

# The calendar feed: compressed, public, 304 on revalidation.
status, headers, body = fetch(f"/timelines/{SLUG}/calendar.ics", headers={"Accept-Encoding": "gzip"})
check("feed", status == 200 and headers["content-type"].startswith("text/calendar"), status)
check("feed is compressed", headers.get("content-encoding") == "gzip", headers)
feed = gzip.decompress(body)
check("feed holds the events", feed.startswith(b"BEGIN:VCALENDAR") and feed.count(b"BEGIN:VEVENT") > 100)
check("feed may be kept by a CDN", headers.get("cache-control", "").startswith("public, max-age="), headers)
status, _, _ = fetch(f"/timelines/{SLUG}/calendar.ics", headers={"If-None-Match": headers["etag"]})
check("feed answers 304 to its ETag", status == 304, status)

# A brief above the web limit: a job for the worker, then the download.
started = time.monotonic()
status, headers, body = fetch(f"/timelines/{SLUG}/brief.pdf", headers={"Accept": "text/html"})
check("a browser asking for a large brief gets its status page", status == 202 and b"brief-job-status" in body, status)
status, headers, body = fetch(f"/timelines/{SLUG}/brief.pdf")
queued = json.loads(body)
check(f"brief of {EVENTS} events is queued", status == 202 and queued["events"] == EVENTS, (status, body[:300]))
check("status address is https", queued["status_url"].startswith("https://"), queued)
while True:
    status, _, body = fetch(queued["status_url"])
    job = json.loads(body)
    if job["status"] in ("finished", "failed") or time.monotonic() - started > 600:
        break
    time.sleep(1)
check("worker finished the brief job", job["status"] == "finished", job)
print(f"   (queued to finished in {time.monotonic() - started:.1f} s)")
status, headers, pdf = fetch(job["download"])
check("brief download", status == 200 and pdf.startswith(b"%PDF"), (status, pdf[:20]))
try:
    from pypdf import PdfReader
except ImportError:
    pages = -1
else:
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
check(f"brief is a readable PDF ({pages} pages, {len(pdf):,} bytes)", pages != 0)
status, _, again = fetch(f"/timelines/{SLUG}/brief.pdf")
check("the same brief is then served from storage", status == 200 and again == pdf, status)

print("smoke test passed")
