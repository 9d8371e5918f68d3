"""A throwaway admin site with the feed mixin wired in, as timeline/admin.py is expected to do."""

from django.contrib import admin
from django.urls import include, path

from timeline.admin_feeds import TimelineFeedAdminMixin
from timeline.models import Timeline

site = admin.AdminSite(name="feeds_test_admin")


class FeedTimelineAdmin(TimelineFeedAdminMixin, admin.ModelAdmin):
    readonly_fields = ("calendar_feed_links",)
    actions = ["rotate_feed_token", "revoke_feed_token"]


site.register(Timeline, FeedTimelineAdmin)

urlpatterns = [
    path("admin/", site.urls),
    path("", include("timeline.urls")),
]
