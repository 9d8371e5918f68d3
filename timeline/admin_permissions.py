"""Admin permissions as rules: inlines whose permissions are one rule of the access policy,
asked with the parent object, and lists that are written by the service only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from timeline import access


class RuleInline(admin.TabularInline):
    """An inline whose add, change and delete permissions are one rule of the access policy: :meth:`allows`."""

    def allows(self, request: HttpRequest, obj: Any) -> bool:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Django's inline empties its rows unless permission holds without an object, which a
        # per-object rule refuses; the page asked ``allows``/``has_view_permission`` with the
        # object before showing the inline, and the formset narrows the rows to that object.
        return admin.options.BaseModelAdmin.get_queryset(self, request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allows(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allows(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allows(request, obj)


class EventPartInline(RuleInline):
    """A part of the event edited on its form (citations, claims): whoever may edit the event
    (by role or globally) edits its parts, and whoever may view it sees them."""

    def allows(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return access.may_somewhere(request.user, "edit")
        return access.may(request.user, "edit", obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or access.may(request.user, "view", obj)


class OwnersInline(RuleInline):
    """A part of the timeline that its owners manage (roles, webhooks): shown only to them."""

    def allows(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and access.may(request.user, "manage_roles", obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allows(request, obj)


class RecordAdminMixin:
    """A record the service writes (review revisions, webhook deliveries): read in the admin,
    acted on through its actions, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
