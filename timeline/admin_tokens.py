"""API tokens in the admin: list them, make one (its key shown once), revoke them.

Registered for ``ApiToken`` in timeline/admin.py.

Superusers see and make tokens for every user. Staff with the API token
permissions see and make only their own: a token for someone else would let
them act with that person's permissions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from timeline import services
from timeline.models import ApiToken


class ApiTokenAddForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        label="Expires in (days)", min_value=1, required=False, help_text="Empty: the token never expires."
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name", "read_only")


class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "read_only",
        "usable",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    list_filter = ("read_only",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    actions = ("revoke_selected",)
    # Shown on a token's page; the add form has its own fields (get_fields).
    fields = ("user", "name", "prefix", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        tokens = super().get_queryset(request)
        if not request.user.is_superuser:
            tokens = tokens.filter(user=request.user)
        return tokens

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            fields = ("user", "name", "read_only", "expires_in_days")
            return fields if request.user.is_superuser else fields[1:]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        # Only the name may change: a new scope or lifetime is a new token.
        return tuple(field for field in self.fields if field != "name")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        days = form.cleaned_data.get("expires_in_days")
        token, key = services.api_token_create(
            user=obj.user if request.user.is_superuser else request.user,
            name=obj.name,
            read_only=obj.read_only,
            expires_in=dt.timedelta(days=days) if days else None,
        )
        # The admin goes on with the object it passed in (history entry, redirect).
        obj.pk = token.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            format_html(
                "The key of the token “{}”: <code>{}</code> Copy it now: only its digest is stored, "
                "and it will not be shown again.",
                token.name,
                key,
            ),
            messages.WARNING,
        )

    @admin.display(description="Usable", boolean=True)
    def usable(self, obj: ApiToken) -> bool:
        return obj.is_usable()

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = sum(services.api_token_revoke(token=token) for token in queryset)
        self.message_user(request, f"Revoked {count} token(s): they answer 401 from now on.")
