from django.urls import path

from timeline import briefs, views

app_name = "timeline"

urlpatterns = [
    path("timelines/<slug:slug>/", views.timeline_detail, name="timeline-detail"),
    path("events/<uuid:uid>/", views.event_detail, name="event-detail"),
    path("timelines/<slug:slug>/brief.pdf", briefs.timeline_brief, name="timeline-brief"),
]
