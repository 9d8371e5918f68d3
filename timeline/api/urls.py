"""The API's routes and its documentation pages (Swagger UI, ReDoc) with the CSP additions they need."""

from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from timeline.api.events import EventViewSet
from timeline.api.imports import import_job
from timeline.api.reference import ActorViewSet, SourceViewSet, TagViewSet, TimelineViewSet
from timeline.api.review import RevisionViewSet
from timeline.api.webhooks import WebhookViewSet

router = DefaultRouter()
router.register("timelines", TimelineViewSet, basename="timeline")
router.register("events", EventViewSet, basename="event")
router.register("sources", SourceViewSet, basename="source")
router.register("actors", ActorViewSet, basename="actor")
router.register("tags", TagViewSet, basename="tag")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("revisions", RevisionViewSet, basename="revision")

# What the API documentation pages need beyond the site's CSP (config/settings.py), as a browser showed:
# Swagger UI draws its icons as data: images.
swagger_ui_csp = csp_update({"img-src": ["data:"]})
# ReDoc injects <style> elements: those made by Redoc.init carry this response's nonce
# (timeline/static/timeline/redoc-init.js); the two its bundle adds while loading, before any
# nonce can reach it, are allowed by their hashes (an empty one and the bundle's base CSS). A new
# drf-spectacular-sidecar may change the second: the browser test then names the new hash.
REDOC_BUNDLE_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]
# ReDoc also draws icons as data: images and runs its search in a worker made from a blob: URL.
# Its sidebar always asks for its vendor's logo from a third-party host: that stays refused.
redoc_csp = csp_update(
    {"style-src": [NONCE, *REDOC_BUNDLE_STYLE_HASHES], "img-src": ["data:"], "worker-src": ["blob:"]}
)

# Included by config/urls.py under /api/v1/ with the "api" namespace.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from ?script=, so the page needs no inline script.
    path(
        "schema/swagger-ui/",
        swagger_ui_csp(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="timeline/api/swagger_ui.html")
        ),
        name="swagger-ui",
    ),
    path(
        "schema/redoc/",
        redoc_csp(SpectacularRedocView.as_view(url_name="api:schema", template_name="timeline/api/redoc.html")),
        name="redoc",
    ),
    path("imports/<str:job_id>/", import_job, name="import-job"),
    *router.urls,
]
