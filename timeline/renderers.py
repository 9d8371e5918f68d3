"""The browsable API's renderer (``REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]``)."""

from __future__ import annotations

from typing import Any

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API without its inline ``<style>`` of Pygments colours, which the CSP refuses.

    Code blocks in view descriptions are then shown uncoloured; nothing else changes.
    """

    def get_context(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(*args, **kwargs)
        context["code_style"] = None
        return context


class EventCSVRenderer(renderers.BaseRenderer):
    """``?format=csv`` on the events API: the page's events in the CSV export's columns.

    The cursor's next and previous pages go in a ``Link`` header. An error (anything that is
    not events) is answered as the API answers it, in JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        from timeline.exporters.table import api_row, csv_bytes

        response = (renderer_context or {}).get("response")
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            items = data["results"]
            if response is not None:
                links = [f'<{data[rel]}>; rel="{rel}"' for rel in ("next", "previous") if data.get(rel)]
                if links:
                    response["Link"] = ", ".join(links)
        elif isinstance(data, dict) and "uid" in data and "date_display" in data:
            items = [data]
        else:
            if response is not None:
                response["Content-Type"] = "application/json"
            return renderers.JSONRenderer().render(data, "application/json", renderer_context)
        return csv_bytes(api_row(item) for item in items)
