"""Response compression for feeds and JSON."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Calendar feeds and API answers compress 5–15×. HTML pages are left alone: they carry
# CSRF tokens, which compression next to reflected input would expose (BREACH).
COMPRESSED_TYPES = ("text/calendar", "application/json", "application/vnd.oai.openapi+json")


class FeedAndJsonGZipMiddleware(GZipMiddleware):
    """Django's gzip middleware, for calendar and JSON responses only.

    A compressed response's strong ETag becomes weak (``W/"…"``), which
    ``If-None-Match`` still matches, so conditional requests keep answering 304.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
