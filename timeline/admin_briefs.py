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
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from timeline import access
from timeline.briefs import pdf_response, too_many_events_message
from timeline.models import Event, Timeline
from timeline.queries import claims_prefetch, events_with_relations


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
def brief_for_selected_events(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse | None:
    """The brief of exactly the selected events (drafts included: the admin sees them).

    Above ``settings.TIMELINE_BRIEF_MAX_EVENTS`` it shows an error message instead.
    """
    from timeline.exporters.brief import BriefInfo, render_brief

    limit = settings.TIMELINE_BRIEF_MAX_EVENTS
    claims = claims_prefetch(access.claims_visible_to(request.user))
    events = list(events_with_relations(queryset.order_by()).prefetch_related(claims))
    if len(events) > limit:
        slug = events[0].timeline.slug
        modeladmin.message_user(request, too_many_events_message(len(events), limit, slug), level=messages.ERROR)
        return None
    timelines = {event.timeline_id: event.timeline for event in events}
    if len(timelines) == 1:
        (timeline,) = timelines.values()
        title, description, marking, slug = timeline.title, timeline.description, timeline.marking, timeline.slug
        as_of = timeline.content_changed_at
    else:
        ordered = sorted(timelines.values(), key=lambda t: t.title)
        title = "Selected events"
        description = "Events selected in the admin from: " + ", ".join(t.title for t in ordered) + "."
        marking = " / ".join(dict.fromkeys(t.marking for t in ordered if t.marking))
        slug = "selected-events"
        as_of = max((t.content_changed_at for t in ordered), default=timezone.now())
    info = BriefInfo(
        title=title,
        description=description,
        marking=marking,
        as_of=as_of,
        filter_words=[f"{len(events):,} event{'s' if len(events) != 1 else ''} selected in the admin"],
        data_version=f"{as_of:%Y%m%d%H%M%S}",
        site_url=settings.SITE_URL,
    )
    pdf = render_brief(events, info=info)
    etag = f"admin-{slug}-{as_of:%Y%m%d%H%M%S}-{len(events)}"
    return pdf_response(pdf, filename=f"{slug}-selected-brief-{as_of:%Y%m%d}.pdf", etag=etag)
