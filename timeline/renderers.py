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
