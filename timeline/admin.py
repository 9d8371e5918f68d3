"""The admin: the team's main editing interface."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from timeline import access, dates, search, services
from timeline.admin_briefs import TimelineBriefAdminMixin, brief_for_selected_events
from timeline.admin_feeds import TimelineFeedAdminMixin
from timeline.admin_imports import TimelineImportAdminMixin
from timeline.admin_scale import (
    ActorSidebarFilter,
    EstimatedCountPaginator,
    TagSidebarFilter,
    capped_event_count,
    count_label,
)
from timeline.admin_tokens import ApiTokenAdmin
from timeline.models import (
    EVENT_EDITABLE_FIELDS,
    Actor,
    ApiToken,
    Citation,
    Event,
    EventTombstone,
    Source,
    Tag,
    Timeline,
)
from timeline.queries import citations_with_sources


class VisibleWithTotalAdminMixin:
    """The rows the editor may see (``visible_to``, from timeline.access), each with a count of
    ``total_of`` annotated in one query per page, shown by :meth:`event_count` (the "Events" column).

    With ``event_link`` (the Event field pointing at the row, e.g. "timeline") the total is
    events counted to ``EXACT_COUNT_LIMIT + 1`` at most (:func:`capped_event_count`), shown
    as "10,000+" above it: a timeline of a million events is not counted on every page.
    """

    visible_to: Any = None
    total_of = "events"
    event_link: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = super().get_queryset(request) & self.visible_to(request.user)  # type: ignore[misc]
        if self.event_link:
            return visible.annotate(row_total=capped_event_count(**{self.event_link: OuterRef("pk")}))
        return visible.annotate(row_total=Count(self.total_of))

    @admin.display(description="Events", ordering="row_total")
    def event_count(self, obj: Any) -> str:
        return count_label(int(obj.row_total))


@admin.register(Timeline)
class TimelineAdmin(
    TimelineImportAdminMixin,
    VisibleWithTotalAdminMixin,
    TimelineBriefAdminMixin,
    TimelineFeedAdminMixin,
    SimpleHistoryAdmin,
):
    class Media:
        css = {"all": ("timeline/admin.css",)}

    list_display = ("title", "slug", "visibility", "event_count", "content_changed_at")
    list_filter = ("visibility",)
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (
        "events_link",
        "brief_download",
        "calendar_feed_links",
        "content_changed_at",
        "created_at",
        "updated_at",
    )
    actions = ("rotate_feed_token", "revoke_feed_token")
    fieldsets = (
        (None, {"fields": ("title", "slug", "description", "visibility", "marking")}),
        ("Analyst framing (printed first in briefs)", {"fields": ("bottom_line", "key_judgements")}),
        ("Events", {"fields": ("events_link", "brief_download", "content_changed_at", "created_at", "updated_at")}),
        ("Calendar", {"fields": ("calendar_feed_links",)}),
    )

    visible_to = staticmethod(access.timelines_visible_to)
    event_link = "timeline"

    @admin.display(description="Events")
    def events_link(self, obj: Timeline) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:timeline_event_changelist") + f"?timeline__id__exact={obj.pk}"
        add_url = reverse("admin:timeline_event_add") + f"?timeline={obj.pk}"
        return format_html(
            '<a href="{}">{} events</a> · <a href="{}">Add an event</a> · {}',
            url,
            obj.events.count(),
            add_url,
            self.import_link(obj),
        )


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 1
    autocomplete_fields = ("source",)
    fields = ("source", "quote", "locator", "position")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 70})}}


class EventAdminForm(forms.ModelForm):
    """The event form, refusing to overwrite a change someone else saved meanwhile."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    check_seen_version = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
        if "date" in self.fields:
            # Read by timeline/date_preview.js; without JS the reading shows after saving.
            self.fields["date"].widget.attrs["data-date-preview-url"] = reverse("admin:timeline_event_date_preview")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if self.check_seen_version and self.instance.pk and seen is not None:
            try:
                # The admin's change view is one transaction: the row stays locked until it is saved.
                services.event_lock(pk=self.instance.pk, seen_version=seen)
            except Event.DoesNotExist:
                pass
            except services.StaleEvent as stale:
                raise forms.ValidationError(
                    "Someone else saved this event (now version %(stored)s) after you opened it "
                    "(version %(seen)s). Your changes were not saved: open the event again to see "
                    "theirs, then reapply yours.",
                    code="stale",
                    params={"stored": stale.stored, "seen": stale.seen},
                ) from None
        return cleaned

    class Meta:
        model = Event
        fields = EVENT_EDITABLE_FIELDS
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField", "size": 90}),
            "summary": forms.Textarea(attrs={"rows": 5, "cols": 90}),
            "location": forms.TextInput(attrs={"size": 60}),
            "date": forms.TextInput(
                attrs={"size": 40, "placeholder": "e.g. April 2025, c. June 2025, since October 2024, 17 червня 2025"}
            ),
            "reported": forms.TextInput(attrs={"size": 40}),
        }


def revert_form(form_class: type[forms.ModelForm], record: Any) -> type[forms.ModelForm]:
    """The event form for reverting to the historical ``record``.

    It starts from the record's actors and tags (django-simple-history's form
    would show the current ones) and does not refuse the older version.
    """

    class EventRevertForm(form_class):  # type: ignore[valid-type,misc]
        check_seen_version = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if record is not None:
                self.initial["actors"] = [row.actor_id for row in record.actors.all()]
                self.initial["tags"] = [row.tag_id for row in record.tags.all()]

    return EventRevertForm


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    form = EventAdminForm

    class Media:
        css = {"all": ("timeline/admin.css",)}
        js = ("timeline/date_preview.js",)

    list_display = (
        "display_date",
        "title",
        "timeline",
        "status",
        "claimant_name",
        "grade",
        "key",
        "published",
    )
    list_display_links = ("display_date", "title")
    list_filter = (
        "timeline",
        "status",
        "credibility",
        "precision",
        "published",
        "key",
        TagSidebarFilter,
        ActorSidebarFilter,
    )
    # No COUNT(*) of every event: "(Show all)" without a total, and estimated page counts.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_select_related = ("timeline", "claimant")
    list_per_page = 100
    search_fields = (
        "title",
        "summary",
        "location",
        "actors__name",
        "actors__native_name",
        "claimant__name",
        "claimant__native_name",
    )
    search_help_text = (
        "Title, summary, location, actor names (also in their own script), tags, citation quotes and source titles."
    )
    autocomplete_fields = ("claimant", "actors", "tags")
    inlines = (CitationInline,)
    actions = ("publish", "unpublish", brief_for_selected_events)
    date_hierarchy = None
    readonly_fields = (
        "uid",
        "date_interpretation",
        "grade_display",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "public_link",
    )
    fieldsets = (
        (None, {"fields": ("timeline", "title", "summary", "seen_version")}),
        ("When", {"fields": ("date", "date_interpretation", "reported")}),
        ("Where", {"fields": ("location", ("latitude", "longitude"))}),
        (
            "Claim and grading",
            {"fields": ("status", "claimant", "credibility", "grade_display", "key")},
        ),
        ("Who and what", {"fields": ("actors", "tags")}),
        ("Publishing", {"fields": ("published", "public_link")}),
        (
            "Record",
            {
                "classes": ("collapse",),
                "fields": ("uid", "version", "created_at", "created_by", "updated_at", "updated_by"),
            },
        ),
    )

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "date-preview/",
            self.admin_site.admin_view(self.date_preview_view),
            name="timeline_event_date_preview",
        )
        return [preview, *super().get_urls()]

    def date_preview_view(self, request: HttpRequest) -> JsonResponse:
        """How ``?text=`` would be read as an event date: ``{"ok": true, "edtf", "reading"}``
        or ``{"ok": false, "error"}``. Raises ``PermissionDenied`` for users who may
        neither add nor change events. Reads nothing from the database."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.GET.get("text", "")
        try:
            parsed = dates.parse(text)
        except dates.InvalidDate as exc:
            return JsonResponse({"ok": False, "error": str(exc)})
        return JsonResponse({"ok": True, "edtf": parsed.edtf, "reading": parsed.interpretation()})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        # Citations with their sources feed the grade column in one extra query per page.
        visible = super().get_queryset(request) & access.events_visible_to(request.user)
        return visible.prefetch_related(citations_with_sources())

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Event], search_term: str
    ) -> tuple[QuerySet[Event], bool]:
        """The indexed search every surface uses (``timeline.search``); no duplicates to remove."""
        if not search_term.strip():
            return queryset, False
        return search.search(queryset, search_term), False

    def get_list_display(self, request: HttpRequest) -> Any:
        # With a single timeline its column would repeat one title on every row.
        if not hasattr(request, "_timeline_several"):
            request._timeline_several = Timeline.objects.count() > 1  # type: ignore[attr-defined]
        if not request._timeline_several:  # type: ignore[attr-defined]
            return tuple(name for name in self.list_display if name != "timeline")
        return self.list_display

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        record = getattr(request, "_timeline_reverting_to", None)
        if record is not None:
            form = revert_form(form, record)
        return form

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None):
        request._timeline_reverting_to = Event.history.filter(  # type: ignore[attr-defined]
            id=object_id, history_id=version_id
        ).first()
        return super().history_form_view(request, object_id, version_id, extra_context)

    def view_on_site(self, obj: Event) -> str | None:
        return obj.get_absolute_url() if obj.published else None

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        if "timeline" not in initial:
            only_timeline = Timeline.objects.values_list("pk", flat=True)[:2]
            if len(only_timeline) == 1:
                initial["timeline"] = only_timeline[0]
        return initial

    @admin.display(description="Date", ordering="date_lower")
    def display_date(self, obj: Event) -> str:
        return obj.date_display

    @admin.display(description="Claimant", ordering="claimant__name")
    def claimant_name(self, obj: Event) -> str:
        return obj.claimant.name if obj.claimant else "—"

    @admin.display(description="Grade")
    def grade(self, obj: Event) -> str:
        return obj.grade

    @admin.display(description="Grade (source reliability + credibility)")
    def grade_display(self, obj: Event) -> str:
        if obj.pk is None:
            return "Shown after saving, from the cited sources and the credibility."
        return obj.grade

    @admin.display(description="Read as")
    def date_interpretation(self, obj: Event) -> str:
        if not obj.date:
            return "Type a date as the source gives it: “April 2025”, “c. June 2025”, 2024-10/2025-04."
        return obj.fuzzy_date.interpretation()

    @admin.display(description="Public page")
    def public_link(self, obj: Event) -> str:
        if obj.pk is None or not obj.published:
            return "— (drafts have no public page)"
        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        if not change:
            # The admin lets in signed-in staff only.
            obj.created_by = obj.updated_by = cast(Any, request.user)
            super().save_model(request, obj, form, change)
            return
        relation_names = ("actors", "tags")
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_EDITABLE_FIELDS}
        relations = {name: values.pop(name) for name in relation_names if name in values}
        # Saving an untouched form is not a new version (ETags, calendar SEQUENCE): services.event_update.
        if not services.event_update(event=obj, values=values, relations=relations, user=request.user):
            request._timeline_event_unchanged = True  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if getattr(request, "_timeline_event_unchanged", False) and any(f.has_changed() for f in formsets):
            # Only the citations changed: that is a new version of the event all the same.
            services.event_bump_version(event=form.instance)

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        changed = services.events_set_published(events=queryset, published=True, user=request.user)
        self.message_user(request, f"Published {changed} event(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected events (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        changed = services.events_set_published(events=queryset, published=False, user=request.user)
        self.message_user(request, f"Unpublished {changed} event(s).", messages.SUCCESS)


@admin.register(Source)
class SourceAdmin(VisibleWithTotalAdminMixin, SimpleHistoryAdmin):
    # A URL typed without a scheme is read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "publisher", "published", "reliability", "language", "citation_count")
    list_filter = ("reliability", "language", "publisher")
    search_fields = ("title", "publisher", "url", "notes")

    visible_to = staticmethod(access.sources_visible_to)
    total_of = "citations"

    @admin.display(description="Citations", ordering="row_total")
    def citation_count(self, obj: Source) -> int:
        return int(obj.row_total)  # type: ignore[attr-defined]


@admin.register(Actor)
class ActorAdmin(VisibleWithTotalAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "native_name", "kind", "event_count")
    list_filter = ("kind",)
    search_fields = ("name", "native_name", "description")

    visible_to = staticmethod(access.actors_visible_to)
    event_link = "actors"


@admin.register(Tag)
class TagAdmin(VisibleWithTotalAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "event_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    visible_to = staticmethod(access.tags_visible_to)
    event_link = "tags"


@admin.register(EventTombstone)
class EventTombstoneAdmin(admin.ModelAdmin):
    list_display = ("uid", "timeline_name", "deleted_at")
    list_filter = ("timeline",)
    search_fields = ("uid",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventTombstone]:
        # Tombstones outlive their timeline, so no join that would drop them.
        return (
            super()
            .get_queryset(request)
            .annotate(timeline_title=Subquery(Timeline.objects.filter(pk=OuterRef("timeline_id")).values("title")[:1]))
        )

    @admin.display(description="Timeline")
    def timeline_name(self, obj: EventTombstone) -> str:
        return obj.timeline_title or f"(deleted timeline {obj.timeline_id})"  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(ApiToken, ApiTokenAdmin)
