"""Archive now: ask a web archive to keep a copy of a source's page (``tasks.archive_source_job``).

The backend is pluggable: ``TIMELINE_ARCHIVE_BACKEND`` names a class (dotted path) built
with ``TIMELINE_ARCHIVE_OPTIONS`` as keyword arguments, whose ``archive(url)`` returns an
:class:`ArchivedCopy` or raises :class:`ArchiveFailed`. The default is the Wayback Machine's
Save Page Now API (:class:`SavePageNowBackend`). Nothing is archived unless
``TIMELINE_ARCHIVE_ENABLED`` is set (README, "Archiving sources").
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


class ArchiveFailed(Exception):
    """The archive did not keep a copy; the message says why (shown in the admin and the job)."""


@dataclass(frozen=True)
class ArchivedCopy:
    url: str
    captured: dt.date


def archiving_enabled() -> bool:
    return bool(settings.TIMELINE_ARCHIVE_ENABLED)


def archive_backend() -> Any:
    """The configured backend, built with ``TIMELINE_ARCHIVE_OPTIONS``.

    Raises ``ImportError`` for a dotted path that names nothing.
    """
    return import_string(settings.TIMELINE_ARCHIVE_BACKEND)(**settings.TIMELINE_ARCHIVE_OPTIONS)


class SavePageNowBackend:
    """The Wayback Machine's Save Page Now (SPN2) API: ``POST /save`` starts a capture and
    answers a job id; ``GET /save/status/<job id>`` is polled until it is ``success`` (with
    the capture's timestamp) or ``error``. The copy is ``/web/<timestamp>/<original URL>``."""

    poll_interval = 3.0

    def __init__(self, *, base_url: str, access_key: str = "", secret_key: str = "", timeout: float = 120) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_key = access_key
        self.secret_key = secret_key
        self.timeout = timeout

    def archive(self, url: str) -> ArchivedCopy:
        """Capture ``url``; raises :class:`ArchiveFailed` when the archive refuses, fails or takes
        longer than ``timeout`` seconds."""
        started = self._request("/save", data={"url": url, "skip_first_archive": "1"})
        job_id = started.get("job_id")
        if not job_id:
            raise ArchiveFailed(str(started.get("message") or "The archive answered no capture job."))
        deadline = time.monotonic() + self.timeout
        while True:
            status = self._request(f"/save/status/{urllib.parse.quote(str(job_id), safe='')}")
            state = status.get("status")
            if state == "success":
                stamp = str(status.get("timestamp") or "")
                original = str(status.get("original_url") or url)
                try:
                    captured = dt.datetime.strptime(stamp[:8], "%Y%m%d").date()
                except ValueError:
                    raise ArchiveFailed(f"The archive answered an unreadable capture time {stamp!r}.") from None
                return ArchivedCopy(url=f"{self.base_url}/web/{stamp}/{original}", captured=captured)
            if state != "pending":
                raise ArchiveFailed(str(status.get("message") or status.get("status_ext") or f"capture {state}"))
            if time.monotonic() > deadline:
                raise ArchiveFailed(f"The capture was not finished after {self.timeout} seconds.")
            time.sleep(self.poll_interval)

    def _request(self, path: str, *, data: dict[str, str] | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json", "User-Agent": "timeline-archive-now/1"}
        if self.access_key:
            headers["Authorization"] = f"LOW {self.access_key}:{self.secret_key}"
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ArchiveFailed(f"The archive answered HTTP {exc.code}.") from None
        except (OSError, ValueError) as exc:
            raise ArchiveFailed(f"The archive could not be reached: {exc}") from None
        if not isinstance(payload, dict):
            raise ArchiveFailed("The archive answered something other than a JSON object.")
        return payload
