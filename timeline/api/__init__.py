"""The REST API under /api/v1/ (Django REST framework, documented with drf-spectacular).

Who may read what: anonymous readers (and signed-in users without permissions)
see published events of public timelines; an unlisted timeline and its events
are readable by slug or uid but never listed; private timelines and drafts need
the model's view permission or a role on the timeline (timeline/access.py decides,
for every surface). Event writes ask the per-timeline roles through the same policy
(``access.may``: edit, publish, submit, approve); timelines, actors, sources and tags
need the Django model permission ("Editors" group). Every write needs a token that
is not read-only (timeline/authentication.py). Creates honour the
``Idempotency-Key`` header (timeline/idempotency.py).

The package, one module per concern:

- ``events``: the event viewset (list, read, write, ``deleted/``);
- ``reference``: timelines, actors, tags and sources;
- ``review``: review before publishing (``submit/``, ``approve/``, ``reject/``, ``revisions/``);
- ``pagination``: keyset cursors for events, numbered pages for the rest;
- ``conditional``: ETags, ``If-None-Match`` and ``If-Match``;
- ``errors``: the JSON parser and the one place exceptions become answers;
- ``schema``: OpenAPI constants shared by the viewsets;
- ``urls``: the router and the documentation pages (included by config/urls.py);
- ``handlers``: the site's 404 and 500 handlers.
"""

from timeline.api.handlers import not_found, server_error
from timeline.api.urls import urlpatterns

__all__ = ["not_found", "server_error", "urlpatterns"]
