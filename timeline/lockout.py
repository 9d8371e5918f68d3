"""The answer to an admin login from a locked-out username and client address (django-axes).

Settings: ``AXES_FAILURE_LIMIT``, ``AXES_COOLOFF_TIME`` (see ``LOGIN_FAILURE_LIMIT`` and
``LOGIN_LOCKOUT_MINUTES`` in config/settings.py); the client address is
:func:`timeline.throttles.client_address`.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

LOCKOUT_TEMPLATE = "timeline/admin/login_locked_out.html"


def login_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """A 429 page in the admin's layout saying the login is locked and for how long.

    ``Retry-After`` is the whole cool-off in seconds: refused attempts during a lockout
    do not extend it, so the lock ends no later than that. Called by django-axes
    (``AXES_LOCKOUT_CALLABLE``) with the refused login's request and credentials.
    """
    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(seconds / 60) if seconds else None,
    }
    response = TemplateResponse(request, LOCKOUT_TEMPLATE, context, status=429)
    response.render()
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
