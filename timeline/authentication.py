"""API token authentication: hashed keys that can expire, be revoked and be read-only.

A script sends ``Authorization: Token <key>`` (or ``Bearer <key>``). The key is
looked up by its SHA-256 digest (``ApiToken.digest``); the database never holds
a key. Unknown, expired and revoked keys, and keys of inactive users, are all
answered 401 with one message, so an answer never tells which it was.

Why not django-rest-knox: it hashes and expires tokens but has no read-only
scope, which is the point of handing a token to a dashboard or a mirror.
DRF's own ``rest_framework.authtoken`` stores keys in clear and never expires
them; migration 0004 converted its keys into ``ApiToken`` digests.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from timeline.models import ApiToken
from timeline.services import api_token_digest

INVALID_TOKEN_MESSAGE = "Invalid, expired or revoked token."


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate ``Authorization: Token <key>`` or ``Bearer <key>`` against stored digests.

    Returns ``(user, token)``, so views find the ``ApiToken`` in ``request.auth``.
    Another scheme (or no header) is left to the next authentication class.
    Raises ``AuthenticationFailed`` (401) for a malformed header and for a key
    that is unknown, expired, revoked or whose user is inactive.
    """

    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: give the key after the word Token.")
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN_MESSAGE) from None
        return self.authenticate_key(key)

    def authenticate_key(self, key: str) -> tuple[Any, ApiToken]:
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
        if token is None or not token.is_usable(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN_MESSAGE)
        token.record_use(now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to an anonymous write, naming the scheme to use.
        return "Token"


class ReadOnlyTokenPermission(permissions.BasePermission):
    """Refuse unsafe methods (POST, PUT, PATCH, DELETE) to a read-only ``ApiToken``, whoever holds it.

    Listed before the model permissions in ``DEFAULT_PERMISSION_CLASSES`` so that
    its message is the one a read-only token gets (403).
    """

    message = "This token is read-only: it may read but not create, change or delete anything."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only and request.method not in permissions.SAFE_METHODS)


class ModelPermissionsOrAnonReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """DRF's ``DjangoModelPermissionsOrAnonReadOnly``, without building the view's queryset for a
    method that needs no permission (GET, HEAD, OPTIONS).

    DRF builds it (``view.get_queryset()``: the access policy's filters and every prefetch of
    the event list) only to learn its model, and then checks an empty list of permissions, which
    every user passes; the answer is the same without it.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.user and self.perms_map.get(request.method or "") == []:
            return True
        return bool(super().has_permission(request, view))


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes ``ApiTokenAuthentication`` in the OpenAPI schema."""

    target_class = "timeline.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`; make a key in the admin (API tokens) "
            "or with `manage.py api_token <username>`.",
        }
