from django.urls import path  # noqa: F401 - routes are added by the API, feed and brief modules

app_name = "timeline"

urlpatterns: list = []
