"""Request ids and one-line log records.

Every request gets an id: the ``X-Request-ID`` its proxy sent when that looks like an
id, otherwise a new random one. It is sent back as ``X-Request-ID`` and added to every
log record written while the request is handled, including Django's own
"Not Found: …" line written after the middleware chain has returned.

Records are one line each: ``TextFormatter`` writes
``2026-11-25T10:00:00.123Z INFO django.request [3f2a…] message``, ``JsonFormatter``
writes one JSON object with ``time``, ``level``, ``logger``, ``request_id`` and
``message`` (and ``exception`` when there is one).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is trusted only in this shape: it ends up in log lines and response headers.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this thread or task, or None outside requests."""
    return _request_id.get()


def _forget_request_id(**kwargs: Any) -> None:
    _request_id.set(None)


class RequestIdMiddleware:
    """Give each request an id for the logs and answer it in ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Forgotten when the response is closed: Django logs 4xx/5xx after the middleware returns.
        request_finished.connect(_forget_request_id, dispatch_uid="timeline-forget-request-id")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if _ACCEPTED_ID.fullmatch(offered) else uuid.uuid4().hex
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add ``record.request_id`` ("-" outside a request); drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


def _utc_time(record: logging.LogRecord) -> str:
    moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """``<UTC time> <LEVEL> <logger> [<request id>] <message>`` on one line.

    Line breaks in the message or traceback are written as ``\\n`` so that a record
    stays one line for log collectors.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        request_id = getattr(record, "request_id", "-")
        line = f"{_utc_time(record)} {record.levelname} {record.name} [{request_id}] {message}"
        return line.replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, request_id, message[, exception]."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def gunicorn_logging(log_format: str, level: str, *, access_log: bool = True) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error and access logs in the application's format
    (without access lines when ``access_log`` is false)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": {"()": JsonFormatter if log_format == "json" else TextFormatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "line",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            # gunicorn logs access lines whenever a logconfig_dict is given: silence them here.
            "gunicorn.access": {
                "handlers": ["console"] if access_log else [],
                "level": "INFO" if access_log else "CRITICAL",
                "propagate": False,
            },
        },
    }
