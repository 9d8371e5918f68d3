"""Who the client is, and how often it may ask for expensive work.

* :func:`client_address` is the one rule for a request's client IP address
  (``settings.TRUSTED_PROXY_COUNT``); the API throttles, the render throttles
  and the admin login lockout (django-axes) all use it.
* The throttle classes are DRF's, reading their rates per request from
  ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (scopes ``anon``, ``user``,
  ``brief_render``, ``brief_render_user``, ``feed_render``).
* :func:`throttled_response` applies them to plain Django views (briefs,
  feeds): it answers 429 with ``Retry-After`` or lets the request through.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


def client_address(request: HttpRequest) -> str:
    """The client's IP address under ``settings.TRUSTED_PROXY_COUNT`` (DRF's ``NUM_PROXIES`` rule).

    With 0 (the default) it is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored,
    since any client can send that header. With N > 0 reverse proxies in front of
    the service, each appending the address it saw, it is the N-th entry from the
    right of ``X-Forwarded-For`` (with 1, the right-most): entries further left
    were written by the client and prove nothing. Without the header it is
    ``REMOTE_ADDR``; "" when neither is present.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote_addr


class RequestTimeRates:
    """Mixin for DRF throttles: the rate is read per request and the client is :func:`client_address`.

    DRF's ``SimpleRateThrottle`` binds ``THROTTLE_RATES`` when its module is
    imported, so later settings changes (tests, ``override_settings``) would not
    reach it; ``api_settings`` is reloaded on every settings change.
    """

    scope: str | None

    def get_rate(self) -> str | None:
        """The rate for ``scope``; raises ``ImproperlyConfigured`` when the scope has none."""
        try:
            return cast("str | None", api_settings.DEFAULT_THROTTLE_RATES[str(self.scope)])
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}"
            ) from None

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class AnonThrottle(RequestTimeRates, AnonRateThrottle):
    """API reads and writes of anonymous clients, per client address (scope ``anon``)."""

    scope = "anon"


class UserThrottle(RequestTimeRates, UserRateThrottle):
    """API requests per signed-in user, or per client address when anonymous (scope ``user``)."""

    scope = "user"


class SignedInRateThrottle(RequestTimeRates, SimpleRateThrottle):
    """Counts signed-in users by their id; anonymous requests are left to an anonymous throttle."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class BriefRenderAnonThrottle(RequestTimeRates, AnonRateThrottle):
    """PDF briefs rendered for anonymous readers, per client address (scope ``brief_render``)."""

    scope = "brief_render"


class BriefRenderUserThrottle(SignedInRateThrottle):
    """PDF briefs rendered for a signed-in user (scope ``brief_render_user``)."""

    scope = "brief_render_user"


class FeedRenderThrottle(RequestTimeRates, UserRateThrottle):
    """Calendar feeds rendered (not served from the cache), per user or client address (scope ``feed_render``).

    Calendar apps rarely sign in, so one scope covers everyone.
    """

    scope = "feed_render"


BRIEF_RENDER_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (BriefRenderAnonThrottle, BriefRenderUserThrottle)
FEED_RENDER_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (FeedRenderThrottle,)


def throttled_response(
    request: HttpRequest, throttle_classes: Sequence[type[SimpleRateThrottle]], *, message: str
) -> HttpResponse | None:
    """Count ``request`` against each throttle, as DRF's views do; None when all of them allow it.

    Otherwise a 429 whose plain-text body is ``message`` followed by the wait, with
    ``Retry-After`` in whole seconds (at least 1). Like DRF, every throttle is
    asked, so a request refused by one is still counted by the others.
    """
    waits = []
    for throttle_class in throttle_classes:
        throttle = throttle_class()
        # DRF's throttles need only request.user and request.META, which a Django request has.
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            waits.append(throttle.wait() or 1)
    if not waits:
        return None
    seconds = max(1, math.ceil(max(waits)))
    response = HttpResponse(
        f"{message} Try again in {seconds} seconds.\n", status=429, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(seconds)
    return response
