from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

admin.site.site_header = "Event timelines"
admin.site.site_title = "Event timelines"
admin.site.index_title = "Timelines, events and sources"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Redirect to the favicon's static address, looked up per request: with hashed static files
    that needs collectstatic's manifest, which commands such as ``check --deploy`` run without."""
    return HttpResponsePermanentRedirect(static("timeline/favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on every site; an answer keeps 404s out of logs and consoles.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("timeline.api", "api"))),
    path("", include("timeline.urls")),
]

# API clients get JSON for unmatched addresses and server errors too, not an HTML page.
handler404 = "timeline.api.not_found"
handler500 = "timeline.api.server_error"
