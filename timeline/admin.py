"""The admin: the team's main editing interface."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from timeline import access, claims, dates, review, search, services
from timeline.admin_briefs import TimelineBriefAdminMixin, brief_for_selected_events
from timeline.admin_feeds import TimelineFeedAdminMixin
from timeline.admin_filters import ArchiveCopyFilter, DateRangeFilter
from timeline.admin_history import ReadableHistoryAdmin
from timeline.admin_imports import TimelineImportAdminMixin
from timeline.admin_permissions import EventPartInline, OwnersInline
from timeline.admin_review import EventReviewAdminMixin, RevisionAdmin
from timeline.admin_scale import (
    ActorSidebarFilter,
    ClaimantSidebarFilter,
    EstimatedCountPaginator,
    SourceSidebarFilter,
    TagSidebarFilter,
    capped_event_count,
    count_label,
)
from timeline.admin_tokens import ApiTokenAdmin
from timeline.admin_webhooks import TimelineWebhookAdminMixin, WebhookDeliveryAdmin, WebhookInline
from timeline.archiving import archiving_enabled
from timeline.history import event_change_recorded, user_words
from timeline.models import (
    EVENT_EDITABLE_FIELDS,
    Actor,
    ApiToken,
    Citation,
    Claim,
    ClaimStatus,
    Event,
    EventTombstone,
    Revision,
    Role,
    Source,
    Tag,
    Timeline,
    TimelineRole,
    WebhookDelivery,
)
from timeline.queries import citations_with_sources


class TimelineRoleInline(OwnersInline):
    """Who has which role on the timeline; shown to those who may manage its roles (owners, superusers)."""

    model = TimelineRole
    extra = 1
    fields = ("user", "role")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            # A plain list of staff accounts: owners need no permission on users to pick one.
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    verbose_name = "role"
    verbose_name_plural = "Roles (people need staff status to open the admin)"


class RoleHoldersSeeMixin:
    """Timelines and events: whoever holds a role on some timeline opens the list (narrowed by
    the access policy in ``get_queryset``) and views what the policy lets them read."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or access.has_any_role(request.user)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if super().has_view_permission(request, obj):  # type: ignore[misc]
            return True
        return access.has_any_role(request.user) if obj is None else access.may(request.user, "view", obj)


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
            visible = visible.annotate(row_total=capped_event_count(**{self.event_link: OuterRef("pk")}))
        else:
            visible = visible.annotate(row_total=Count(self.total_of))
        # Combining querysets drops the default ordering, which autocomplete's paginator needs.
        return visible.order_by(*visible.model._meta.ordering)

    @admin.display(description="Events", ordering="row_total")
    def event_count(self, obj: Any) -> str:
        return count_label(int(obj.row_total))


@admin.register(Timeline)
class TimelineAdmin(
    RoleHoldersSeeMixin,
    TimelineWebhookAdminMixin,
    TimelineImportAdminMixin,
    VisibleWithTotalAdminMixin,
    TimelineBriefAdminMixin,
    TimelineFeedAdminMixin,
    ReadableHistoryAdmin,
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
        ("Review", {"fields": ("review_required",)}),
        ("Analyst framing (printed first in briefs)", {"fields": ("bottom_line", "key_judgements")}),
        ("Events", {"fields": ("events_link", "brief_download", "content_changed_at", "created_at", "updated_at")}),
        ("Calendar", {"fields": ("calendar_feed_links",)}),
    )

    inlines = (TimelineRoleInline, WebhookInline)

    visible_to = staticmethod(access.timelines_visible_to)
    event_link = "timeline"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Owners change their timeline (title, framing, roles); the global permission changes any.
        if super().has_change_permission(request, obj):
            return True
        if obj is None:
            return access.has_any_role(request.user, Role.OWNER)
        return access.may(request.user, "manage_roles", obj)

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


class CitationInline(EventPartInline):
    model = Citation
    extra = 1
    autocomplete_fields = ("source",)
    fields = ("source", "quote", "locator", "position")

    # The width comes from timeline/admin.css, so the table fits a 1,280 px window.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 30})}}


class ClaimInline(EventPartInline):
    """The event's claims, in the order made (``Claim.Meta.ordering``)."""

    model = Claim
    extra = 1
    autocomplete_fields = ("claimant",)
    fields = ("claimant", "stance", "made", "citations", "note")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).select_related("claimant")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        request._timeline_claims_event = obj  # type: ignore[attr-defined]
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "citations":
            # Only this event's citations may back its claims; a new event has none yet.
            event = getattr(request, "_timeline_claims_event", None)
            kwargs["queryset"] = (
                Citation.objects.filter(event=event).select_related("source")
                if event is not None
                else Citation.objects.none()
            )
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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


@admin.register(Event)
class EventAdmin(RoleHoldersSeeMixin, EventReviewAdminMixin, ReadableHistoryAdmin):
    form = EventAdminForm
    diff_event_history = True

    class Media:
        css = {"all": ("timeline/admin.css",)}
        js = ("timeline/date_preview.js",)

    # Published comes right after the date, and "Key" is a ★ before the title rather than its own
    # column: at 1,280 px Published sat 85 px behind a sideways scroll, 227 px with the Timeline
    # column (tests/test_browser_editorial.py measures it).
    list_display = (
        "display_date",
        "published",
        "title_with_key",
        "timeline",
        "status",
        "claimant_name",
        "grade",
    )
    list_display_links = ("display_date", "title_with_key")
    list_filter = (
        "timeline",
        DateRangeFilter,
        "status",
        "credibility",
        "precision",
        "published",
        "key",
        ClaimantSidebarFilter,
        SourceSidebarFilter,
        TagSidebarFilter,
        ActorSidebarFilter,
    )
    # No COUNT(*) of every event: "(Show all)" without a total, and estimated page counts.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The source sidebar (a bounded filter, not a field's list filter) keeps the address
        # Django's related filter had, so saved links still work.
        return lookup == SourceSidebarFilter.parameter_name or super().lookup_allowed(lookup, value, request)

    list_select_related = ("timeline", "claimant")
    list_per_page = 100
    search_fields = (
        "title",
        "summary",
        "location",
        "actors__name",
        "actors__native_name",
        "actors__aliases",
        "claimant__name",
        "claimant__native_name",
        "claimant__aliases",
    )
    search_help_text = (
        "Title, summary, location, actor names (also in their own script and other spellings), tags, "
        "citation quotes and source titles."
    )
    autocomplete_fields = ("claimant", "actors", "tags")
    inlines = (ClaimInline, CitationInline)
    actions = ("publish", "unpublish", brief_for_selected_events)
    date_hierarchy = None
    readonly_fields = (
        "uid",
        "date_interpretation",
        "grade_display",
        "status_rule",
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
            {
                "fields": (
                    "status_rule",
                    "status",
                    "status_override",
                    "status_override_reason",
                    "claimant",
                    "credibility",
                    "grade_display",
                    "key",
                )
            },
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) or access.has_any_role(request.user, Role.OWNER, Role.EDITOR)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if super().has_change_permission(request, obj):
            return True
        if obj is None:
            return access.has_any_role(request.user, Role.OWNER, Role.EDITOR)
        return access.may(request.user, "edit", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.published and obj.timeline.review_required:
            # Deleting takes a published event away from readers, as unpublishing does.
            return access.may(request.user, "publish", obj)
        if super().has_delete_permission(request, obj):
            return True
        return obj is not None and access.may(request.user, "edit", obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "timeline":
            # An editor of one timeline cannot move an event onto another.
            kwargs["queryset"] = access.timelines_where(request.user, "edit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        publishes = (
            access.may(request.user, "publish", obj)
            if obj is not None
            else access.may_somewhere(request.user, "publish")
        )
        return readonly if publishes else (*readonly, "published")

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

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """Revert to one version: GET shows what would change, POST (with change permission) reverts.

        An event the user may not see, or a version that is not one of its rows,
        answers 404, exactly as a missing one.
        """
        event = self.get_object(request, unquote(object_id))
        if event is None:
            raise Http404
        record = Event.history.filter(id=event.pk, history_id=version_id).first()
        if record is None:
            raise Http404
        if not self.has_view_or_change_permission(request, event):
            raise PermissionDenied
        may_revert = self.has_change_permission(request, event)
        if request.method == "POST":
            if not may_revert:
                raise PermissionDenied
            if review.needs_review(request.user, event, {}):
                # On a reviewed timeline a revert of a published event waits for review like any change.
                try:
                    review.revert_submit(event=event, record=record, user=request.user)
                except review.ReviewError as exc:
                    self.message_user(request, str(exc), level=messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"Reverting “{event.title}” to version {record.version} was submitted for review.",
                        level=messages.SUCCESS,
                    )
                return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[event.pk]))
            services.event_revert(
                event=event,
                record=record,
                user=request.user,
                restore_published=access.may(request.user, "publish", event),
            )
            self.message_user(
                request, f"“{event.title}” was reverted to version {record.version}.", level=messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[event.pk]))
        plan = services.event_revert_plan(event=event, record=record)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revert “{event.title}” to version {record.version}",
            "opts": self.model._meta,
            "object": event,
            "record": record,
            "plan": plan,
            "may_revert": may_revert,
            "changed_by": user_words(record.history_user),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/timeline/event/revert_confirm.html", context)

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

    @admin.display(description="Title", ordering="title")
    def title_with_key(self, obj: Event) -> str:
        return f"★ {obj.title}" if obj.key else obj.title

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

    @admin.display(description="Status rule")
    def status_rule(self, obj: Event) -> str:
        derived = obj.derived_status() if obj.pk is not None else "reported"
        label = dict(ClaimStatus.choices)[derived]
        return format_html(
            "<p>The claims below support <strong>{}</strong>.</p><ul>{}</ul>",
            label,
            format_html_join("", "<li>{}</li>", ((line,) for line in claims.STATUS_RULE)),
        )

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
        """Nothing yet: the event is saved in :meth:`save_related`, together with its citations
        (an inline), so that one save is one edit and writes one history row."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        event = form.instance
        if change and self.submits_for_review(request, event, form):
            # Review before publishing: the change waits as a revision; the event stays as readers see it.
            self.submit_from_form(request, form, formsets)
            return
        # One history row for the whole save (fields, actors, tags, citations), written at the
        # end, and none for a save that changed nothing (timeline.history.event_change_recorded).
        with event_change_recorded(event, user=request.user):
            if change:
                relation_names = ("actors", "tags")
                values = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_EDITABLE_FIELDS}
                relations = {name: values.pop(name) for name in relation_names if name in values}
                # Saving an untouched form is not a new version (ETags, calendar SEQUENCE): services.event_update.
                changed = services.event_update(event=event, values=values, relations=relations, user=request.user)
            else:
                # The admin lets in signed-in staff only.
                event.created_by = event.updated_by = cast(Any, request.user)
                super().save_model(request, event, form, change)
                changed = True
            super().save_related(request, form, formsets, change)
            # The claims decide the status unless overridden; a new status is part of this version
            # when the save above counted one, else it is a new version.
            status_changed = services.event_status_refresh(event=event, version_counted=changed)
            if not changed and not status_changed and any(f.has_changed() for f in formsets):
                # Only the claims or citations changed: that is a new version of the event all the same.
                services.event_bump_version(event=event)

    def _publishable(self, request: HttpRequest, queryset: QuerySet[Event]) -> QuerySet[Event]:
        allowed = access.timelines_where(request.user, "publish")
        mine = queryset.filter(timeline__in=allowed)
        refused = queryset.count() - mine.count()
        if refused:
            self.message_user(
                request,
                f"{refused} selected event(s) left as they were: you may not publish on their timeline.",
                messages.WARNING,
            )
        return mine

    def has_publish_permission(self, request: HttpRequest) -> bool:
        """Whether the publish actions are offered: to those who may publish on some timeline."""
        return access.may_somewhere(request.user, "publish")

    @admin.action(description="Publish selected events", permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        events = self._publishable(request, queryset)
        changed = services.events_set_published(events=events, published=True, user=request.user)
        self.message_user(request, f"Published {changed} event(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected events (back to draft)", permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        events = self._publishable(request, queryset)
        changed = services.events_set_published(events=events, published=False, user=request.user)
        self.message_user(request, f"Unpublished {changed} event(s).", messages.SUCCESS)


class RoleEditorsLookUpMixin:
    """Owners and editors of a timeline may look up sources, actors and tags (the event form's
    autocompletes); what they see is still narrowed by the access policy in ``get_queryset``."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) or access.has_any_role(request.user, Role.OWNER, Role.EDITOR)

    def has_module_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_module_permission(request)  # type: ignore[misc]
        return bool(allowed) or access.has_any_role(request.user, Role.OWNER, Role.EDITOR)


@admin.register(Source)
class SourceAdmin(VisibleWithTotalAdminMixin, RoleEditorsLookUpMixin, ReadableHistoryAdmin):
    class Media:
        css = {"all": ("timeline/admin.css",)}

    # A URL typed without a scheme is read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "publisher", "published", "reliability", "language", "archived", "citation_count")
    list_filter = (ArchiveCopyFilter, "reliability", "language", "publisher")
    search_fields = ("title", "publisher", "url", "archived_url", "notes")
    visible_to = staticmethod(access.sources_visible_to)
    total_of = "citations"
    actions = ("archive_now",)
    change_form_template = "admin/timeline/source/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        archive = path(
            "<path:object_id>/archive/",
            self.admin_site.admin_view(self.archive_view),
            name="timeline_source_archive",
        )
        return [archive, *super().get_urls()]

    def has_archive_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Whether "Archive now" is offered: archiving is configured and the user may change sources."""
        return archiving_enabled() and self.has_change_permission(request, obj)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        source = self.get_object(request, unquote(object_id))
        extra = {
            "archive_now": source is not None and bool(source.url) and self.has_archive_permission(request, source)
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def archive_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: queue "archive now" for one source, then back to its page. A source the user may
        not see answers 404, as a missing one."""
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404
        if request.method != "POST" or not source.url or not self.has_archive_permission(request, source):
            raise PermissionDenied
        services.sources_archive_queue(sources=[source])
        self.message_user(
            request,
            f"“{source.title}” was queued for archiving; its archived copy and access date fill in when it is done.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:timeline_source_change", args=[source.pk]))

    @admin.action(description="Archive now (ask the web archive for a copy)", permissions=["archive"])
    def archive_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        queued = services.sources_archive_queue(sources=queryset)
        offline = queryset.count() - queued
        self.message_user(
            request,
            f"{queued} source(s) queued for archiving; archived copies and access dates fill in when done."
            + (f" {offline} without a URL left alone." if offline else ""),
            messages.SUCCESS,
        )

    @admin.display(description="Archived copy")
    def archived(self, obj: Source) -> str:
        if not obj.url:
            return "— (offline source)"
        if obj.lacks_archive_copy:
            return format_html('<strong class="archive-missing">{}</strong>', "⚠ none")
        return format_html('<a href="{}" rel="noopener noreferrer">archived</a>', obj.archived_url)

    @admin.display(description="Citations", ordering="row_total")
    def citation_count(self, obj: Source) -> int:
        return int(obj.row_total)  # type: ignore[attr-defined]


@admin.register(Actor)
class ActorAdmin(VisibleWithTotalAdminMixin, RoleEditorsLookUpMixin, ReadableHistoryAdmin):
    list_display = ("name", "native_name", "kind", "event_count")
    list_filter = ("kind",)
    search_fields = ("name", "native_name", "aliases", "description")

    visible_to = staticmethod(access.actors_visible_to)
    event_link = "actors"


@admin.register(Tag)
class TagAdmin(VisibleWithTotalAdminMixin, RoleEditorsLookUpMixin, admin.ModelAdmin):
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
admin.site.register(WebhookDelivery, WebhookDeliveryAdmin)
admin.site.register(Revision, RevisionAdmin)
