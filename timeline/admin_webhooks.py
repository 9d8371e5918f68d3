"""Webhooks in the admin: managed on the timeline's page by its owners, with a delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from timeline import access
from timeline.admin_permissions import OwnersInline, RecordAdminMixin
from timeline.models import DeliveryStatus, Webhook, WebhookDelivery
from timeline.webhooks import DELIVERY_FIELDS, delivery_retry, webhook_secret_new


class WebhookInline(OwnersInline):
    """The timeline's webhooks; shown to those who may manage its roles (owners, superusers)."""

    model = Webhook
    extra = 1
    fields = ("url", "description", "active", "secret_hint", "delivery_log")
    readonly_fields = ("secret_hint", "delivery_log")
    verbose_name = "webhook"
    # A plain address box: the admin's "Currently: … Change: …" widget would push the table past 1,280 px.
    formfield_overrides = {models.URLField: {"widget": forms.URLInput(attrs={"size": 50}), "assume_scheme": "https"}}
    verbose_name_plural = "Webhooks (signed POSTs when published events change; README “Webhooks”)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Webhook]:
        return super().get_queryset(request).select_related("timeline")

    @admin.display(description="Secret")
    def secret_hint(self, obj: Webhook) -> str:
        return obj.secret_hint or "— (made when saved, shown once)"

    @admin.display(description="Deliveries")
    def delivery_log(self, obj: Webhook) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:timeline_webhookdelivery_changelist") + f"?webhook__id__exact={obj.pk}"
        return format_html('<a href="{}">delivery log</a>', url)


class TimelineWebhookAdminMixin:
    """Gives new hooks their creator and secret, and shows each secret once (like API token keys)."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Webhook:
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            return
        hooks = formset.save(commit=False)
        for hook in formset.deleted_objects:
            hook.delete()
        for hook in hooks:
            made = hook.pk is None
            if made:
                hook.created_by = request.user
                hook.secret = webhook_secret_new()
            hook.save()
            if made:
                self.message_user(  # type: ignore[attr-defined]
                    request,
                    format_html(
                        "The signing secret of the webhook {}: <code>{}</code> Copy it now: it is not shown again.",
                        hook.url,
                        hook.secret,
                    ),
                    messages.WARNING,
                )
        formset.save_m2m()


class WebhookDeliveryAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The delivery log: what was sent where, how it went and when it is tried next."""

    list_display = (
        "created_at",
        "kind",
        "event_uid",
        "event_version",
        "hook_url",
        "status",
        "attempts",
        "last_response_code",
        "last_error_short",
        "next_attempt_at",
    )
    list_filter = ("status", "kind", "webhook__timeline")
    search_fields = ("event_uid", "webhook__url")
    list_select_related = ("webhook",)
    actions = ("retry_now",)
    fields = ("webhook", *DELIVERY_FIELDS, "body")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).filter(webhook__in=access.webhooks_managed_by(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_somewhere(request.user, "manage_roles")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return access.may_somewhere(request.user, "manage_roles")
        return access.may(request.user, "manage_roles", obj.webhook.timeline)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return access.may_somewhere(request.user, "manage_roles")

    @admin.display(description="Hook", ordering="webhook__url")
    def hook_url(self, obj: WebhookDelivery) -> str:
        return obj.webhook.url

    @admin.display(description="Last error")
    def last_error_short(self, obj: WebhookDelivery) -> str:
        return obj.last_error[:80] + ("…" if len(obj.last_error) > 80 else "") if obj.last_error else "—"

    @admin.action(description="Retry the selected failed or cancelled deliveries now", permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        retried = 0
        for delivery in queryset.filter(status__in=(DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)):
            delivery_retry(delivery=delivery)
            retried += 1
        self.message_user(request, f"{retried} delivery(ies) queued again.", messages.SUCCESS)
