"""Admin hooks for PDF briefs: a download link on the timeline page and an action on events.

Wire-up (in ``timeline/admin.py``)::

    from timeline.admin_briefs import TimelineBriefAdminMixin, brief_for_selected_events

    class TimelineAdmin(TimelineBriefAdminMixin, admin.ModelAdmin):
        readonly_fields = (..., "brief_download")

    class EventAdmin(admin.ModelAdmin):
        actions = [..., brief_for_selected_events]
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from timeline import export
from timeline.briefs import pdf_headers, too_many_events_message
from timeline.models import Event, Timeline
from timeline.queries import event_snapshots


def brief_download_link(timeline: Timeline) -> str:
    """HTML for a "Download brief (PDF)" button for ``timeline``; "" before it is saved."""
    if timeline.pk is None:
        return ""
    url = reverse("timeline:timeline-brief", kwargs={"slug": timeline.slug})
    return format_html(
        '<a class="button" href="{}">Download brief (PDF)</a>'
        '<p class="help timeline-brief-help">For part of the timeline, filter it on its <a href="{}">page</a> '
        "and use the PDF link there, or select events in the event list and choose the brief action.</p>",
        url,
        timeline.get_absolute_url(),
    )


class TimelineBriefAdminMixin:
    """Adds the read-only field ``brief_download`` (list it in ``readonly_fields``)."""

    @admin.display(description="Brief")
    def brief_download(self, obj: Timeline) -> str:
        return brief_download_link(obj)


@admin.action(description="Download a PDF brief of the selected events", permissions=["view"])
def brief_for_selected_events(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Event]
) -> HttpResponseBase | None:
    """The brief of exactly the selected events (drafts included: the admin sees them).

    Above ``settings.TIMELINE_BRIEF_MAX_EVENTS`` it shows an error message instead.
    """
    limit = settings.TIMELINE_BRIEF_MAX_EVENTS
    selected = queryset.order_by()
    count = selected.count()
    timelines = list(Timeline.objects.filter(pk__in=selected.values("timeline_id")).order_by("title"))
    if count > limit:
        slug = timelines[0].slug
        modeladmin.message_user(request, too_many_events_message(count, limit, slug), level=messages.ERROR)
        return None
    if len(timelines) == 1:
        (timeline,) = timelines
        title, description, marking, slug = timeline.title, timeline.description, timeline.marking, timeline.slug
        as_of = timeline.content_changed_at
    else:
        title = "Selected events"
        description = "Events selected in the admin from: " + ", ".join(t.title for t in timelines) + "."
        marking = " / ".join(dict.fromkeys(t.marking for t in timelines if t.marking))
        slug = "selected-events"
        as_of = max((t.content_changed_at for t in timelines), default=timezone.now())
    exporter = export.exporter_for("pdf")
    snapshot = export.ExportSnapshot(
        events=event_snapshots(selected),
        title=title,
        description=description,
        marking=marking,
        as_of=as_of,
        filter_words=(f"{count:,} event{'s' if count != 1 else ''} selected in the admin",),
        data_version=f"{as_of:%Y%m%d%H%M%S}",
    )
    etag = export.selection_key(
        "admin", slug, as_of, sorted(event.pk for event in snapshot.events), exporter.fingerprint()
    )
    response = HttpResponse(exporter.render(snapshot), content_type=exporter.media_type)
    pdf_headers(response, filename=f"{slug}-selected-brief-{as_of:%Y%m%d}.pdf", etag=etag)
    return response
