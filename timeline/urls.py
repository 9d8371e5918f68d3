from django.urls import path

from timeline import briefs, export, feeds, views

app_name = "timeline"

urlpatterns = [
    path("", views.timeline_index, name="timeline-index"),
    path("oembed/", views.oembed, name="oembed"),
    path("timelines/<slug:slug>/", views.timeline_detail, name="timeline-detail"),
    path("timelines/<slug:slug>/embed/", views.timeline_embed, name="timeline-embed"),
    path("events/<uuid:uid>/", views.event_detail, name="event-detail"),
    path("events/<uuid:uid>.ics", feeds.event_download, name="event-ics"),
    path("timelines/<slug:slug>/calendar.ics", feeds.timeline_feed, name="timeline-feed"),
    path("feeds/<str:token>/calendar.ics", feeds.token_feed, name="token-feed"),
    path("feeds/<str:key>/events/<uuid:uid>/", views.feed_event_detail, name="feed-event"),
    path("timelines/<slug:slug>/brief.pdf", briefs.timeline_brief, name="timeline-brief"),
    path("timelines/<slug:slug>/events.csv", export.timeline_export_view("csv"), name="timeline-csv"),
    path("timelines/<slug:slug>/events.xlsx", export.timeline_export_view("xlsx"), name="timeline-xlsx"),
    path(
        "timelines/<slug:slug>/timelinejs.json", export.timeline_export_view("timelinejs"), name="timeline-timelinejs"
    ),
    path("timelines/<slug:slug>/events.geojson", export.timeline_export_view("geojson"), name="timeline-geojson"),
    path("briefs/jobs/<uuid:job_id>/", briefs.brief_job_status, name="brief-job"),
    path("briefs/jobs/<uuid:job_id>/brief.pdf", briefs.brief_job_download, name="brief-job-download"),
]
