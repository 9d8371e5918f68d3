"""The site's URLs plus the one URL a new export format needs."""

from django.urls import include, path

import tests.timeline.tsv_exporter  # noqa: F401  (registers the format)
from timeline import export

urlpatterns = [
    path("timelines/<slug:slug>/events.tsv", export.timeline_export_view("tsv")),
    path("", include("config.urls")),
]
