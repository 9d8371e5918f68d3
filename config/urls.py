from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Event timelines"
admin.site.site_title = "Event timelines"
admin.site.index_title = "Timelines, events and sources"

urlpatterns = [
    # Browsers ask for /favicon.ico on every site; an answer keeps 404s out of logs and consoles.
    path("favicon.ico", RedirectView.as_view(url=static("timeline/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("timeline.api", "api"))),
    path("", include("timeline.urls")),
]

# API clients get JSON for unmatched addresses and server errors too, not an HTML page.
handler404 = "timeline.api.not_found"
handler500 = "timeline.api.server_error"
