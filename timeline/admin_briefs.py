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

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.html import format_html

from timeline.briefs import selected_brief_response
from timeline.models import Event, Timeline


def brief_download_link(timeline: Timeline) -> str:
    """HTML for a "Download brief (PDF)" button for ``timeline``; "" before it is saved."""
    if timeline.pk is None:
        return ""
    url = reverse("timeline:timeline-brief", kwargs={"slug": timeline.slug})
    return format_html(
        '<a class="button" href="{}">Download brief (PDF)</a>'
        '<p class="help timeline-brief-help">For part of the timeline, filter it on its <a href="{}">page</a> '
        "and use the PDF link there, or select events in the event list and choose the brief action. "
        "Large briefs are rendered by a worker: a status page links the PDF when it is ready.</p>",
        url,
        timeline.get_absolute_url(),
    )


class TimelineBriefAdminMixin:
    """Adds the read-only field ``brief_download`` (list it in ``readonly_fields``)."""

    @admin.display(description="Brief")
    def brief_download(self, obj: Timeline) -> str:
        return brief_download_link(obj)


@admin.action(description="Download a PDF brief of the selected events", permissions=["view"])
def brief_for_selected_events(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponseBase:
    """The brief of exactly the selected events (drafts included: the admin sees them).

    Above ``settings.TIMELINE_BRIEF_MAX_EVENTS`` a worker renders it: the answer is 202
    with the job's status page (``Location`` names it), which links the stored PDF once
    the job has finished (``timeline.briefs.selected_brief_response``, the export's ``defer``).
    """
    return selected_brief_response(request, queryset)
