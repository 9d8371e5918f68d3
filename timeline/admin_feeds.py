"""Calendar feeds in the Timeline admin: subscribe links and private-token actions.

Wire into ``TimelineAdmin`` (timeline/admin.py)::

    from timeline.admin_feeds import TimelineFeedAdminMixin

    class TimelineAdmin(TimelineFeedAdminMixin, SimpleHistoryAdmin):
        readonly_fields = (..., "calendar_feed_links")
        actions = [..., "rotate_feed_token", "revoke_feed_token"]

and list ``calendar_feed_links`` in ``fields``/``fieldsets`` if those are set.
The actions call the services; the new private address is shown once, in a
message, because only its digest is stored.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from timeline import access
from timeline.feeds import GOOGLE_FEED_LIMIT, subscription_feed_size, timeline_subscribe_links
from timeline.models import Timeline, Visibility
from timeline.services import timeline_revoke_feed_token, timeline_rotate_feed_token

LINK_LABELS = (
    ("webcal", "Subscribe (Apple Calendar, Outlook, Thunderbird)"),
    ("google", "Add to Google Calendar"),
    ("https", "Feed address (https)"),
    ("download", "Download .ics (a snapshot)"),
)


def feed_links_html(timeline: Timeline, request: HttpRequest | None = None, *, token: str | None = None) -> str:
    """The subscribe and download links of ``timeline`` as an HTML list (empty string if it has none)."""
    links = timeline_subscribe_links(timeline, request, token=token)
    if not links:
        return ""
    return format_html(
        '<ul class="timeline-feed-links">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}" rel="noreferrer">{}</a></li>',
            ((links[key], label) for key, label in LINK_LABELS),
        ),
    )


def private_feed_status(timeline: Timeline) -> str:
    if timeline.feed_token_hash and timeline.feed_token_created_at:
        return f"Private feed address active since {timeline.feed_token_created_at:%Y-%m-%d %H:%M} UTC."
    return "No private feed address."


def feed_size_warning(timeline: Timeline) -> str:
    """A warning (HTML) when ``timeline``'s public feed passes what Google Calendar reads, else ""."""
    if timeline.visibility not in access.READABLE_BY_LINK:
        return ""
    size = subscription_feed_size(timeline)
    if size <= GOOGLE_FEED_LIMIT:
        return ""
    return format_html(
        '<p class="errornote timeline-feed-size">This feed is {} MB. Google Calendar stops reading feeds at '
        "about 1 MB, so its subscribers miss events. Give them a narrower feed: a moving window such as "
        "<code>?from=-90d&amp;to=+30d</code>, or a tag or credibility filter (see the README, "
        "“Calendar feeds”).</p>",
        f"{size / 1e6:.1f}",
    )


class TimelineFeedAdminMixin:
    """Adds the ``calendar_feed_links`` read-only field and the token actions to a ``ModelAdmin``."""

    @admin.display(description="Calendar feed")
    def calendar_feed_links(self, obj: Timeline | None) -> str:
        if obj is None or obj.pk is None:
            return "Save the timeline to get its calendar feed."
        links = feed_links_html(obj)
        if obj.visibility == Visibility.PRIVATE:
            note = "Private timeline: readers subscribe through the private feed address only."
        else:
            note = "Published events only; events dated only to a year are in the download, not the subscription."
        hint = "“Rotate private feed token” makes a new private address (shown once) and retires the old one."
        return format_html(
            "{}{}<p>{}</p><p>{} {}</p>", links, feed_size_warning(obj), note, private_feed_status(obj), hint
        )

    @admin.action(description="Rotate private feed token", permissions=["change"])
    def rotate_feed_token(self, request: HttpRequest, queryset: QuerySet[Timeline]) -> None:
        for timeline in queryset:
            had_token = bool(timeline.feed_token_hash)
            token = timeline_rotate_feed_token(timeline=timeline)
            links = timeline_subscribe_links(timeline, request, token=token)
            self.message_user(  # type: ignore[attr-defined]
                request,
                format_html(
                    'New private feed address for “{}”: <code>{}</code> (Google: <a href="{}" rel="noreferrer">'
                    "add by URL</a>). Copy it now: it is not stored and will not be shown again. "
                    "{}",
                    timeline.title,
                    links["https"],
                    links["google"],
                    "The previous address now answers 410 Gone." if had_token else "",
                ),
                messages.WARNING,
            )

    @admin.action(description="Revoke private feed token", permissions=["change"])
    def revoke_feed_token(self, request: HttpRequest, queryset: QuerySet[Timeline]) -> None:
        count = 0
        for timeline in queryset:
            timeline_revoke_feed_token(timeline=timeline)
            count += 1
        self.message_user(  # type: ignore[attr-defined]
            request, f"Revoked the private feed address of {count} timeline(s); they now answer 410 Gone."
        )
