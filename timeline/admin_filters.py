"""Admin list filters Django does not ship: an event date range read like the event form reads
dates, and sources without an archived copy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from timeline import dates


class DateRangeFilter(admin.ListFilter):
    """Events whose date overlaps the range ``date_from``–``date_to`` (either may be left empty).

    Each end is read as the event form reads a date ("April 2025", "c. 2024", "2025-04-28"):
    ``date_from`` from its first day, ``date_to`` to its last, so "since October 2024" events
    overlap any range after it. Text that is not a date filters nothing and shows the
    reason as an error message above the list.
    """

    title = "date range"
    parameter_names = ("date_from", "date_to")
    template = "admin/timeline/date_range_filter.html"

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        for name in self.parameter_names:
            if name in params:
                value = params.pop(name)
                value = value[-1] if isinstance(value, list) else value
                if value.strip():
                    self.used_parameters[name] = value.strip()
        self.bounds: dict[str, Any] = {}
        self.errors: list[str] = []
        for name, text in self.used_parameters.items():
            try:
                parsed = dates.parse(str(text))
            except dates.InvalidDate as exc:
                label = "From" if name == "date_from" else "To"
                self.errors.append(f"{label} “{text}”: {exc}")
                continue
            self.bounds[name] = parsed.lower if name == "date_from" else parsed.upper

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameter_names)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        for error in self.errors:
            messages.error(request, f"Date range not applied. {error}")
        if "date_from" in self.bounds:
            queryset = queryset.filter(date_upper__gte=self.bounds["date_from"])
        if "date_to" in self.bounds:
            queryset = queryset.filter(date_lower__lte=self.bounds["date_to"])
        return queryset

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        others = changelist.get_filters_params()
        hidden = [
            (name, value)
            for name, values in others.items()
            if name not in self.parameter_names
            for value in (values if isinstance(values, list) else [values])
        ]
        for name in ("q", "o"):
            if name in changelist.params:
                hidden.append((name, changelist.params[name]))
        yield {
            "hidden": hidden,
            "date_from": self.used_parameters.get("date_from", ""),
            "date_to": self.used_parameters.get("date_to", ""),
            "clear_query": changelist.get_query_string(remove=list(self.parameter_names)),
            "selected": bool(self.used_parameters),
        }


class ArchiveCopyFilter(admin.SimpleListFilter):
    """Sources by archived copy: online sources without one are the ones to fix."""

    title = "archived copy"
    parameter_name = "archive"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("missing", "Online, no archived copy"), ("kept", "Archived copy kept"), ("offline", "No URL")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "missing":
            return queryset.exclude(url="").filter(archived_url="")
        if self.value() == "kept":
            return queryset.exclude(archived_url="")
        if self.value() == "offline":
            return queryset.filter(url="")
        return queryset
