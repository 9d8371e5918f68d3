"""A shared generation for the validators of feed answers kept in the cache.

``timeline.feeds`` keeps, per feed address, the ETag and Last-Modified it last answered
with, tagged with the current generation; a poll naming that ETag is then answered 304
from one cache round trip. Any change of any timeline's content, settings or visibility
starts a new generation, so every kept validator stops matching at once.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "feed-validators:generation"


def current_generation() -> str:
    """The current generation, starting a new one if the cache lost it (never an old one again)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def expire_feed_validators() -> None:
    """Start a new generation now and again when the current transaction commits: a poll
    between the two would otherwise keep validators read before the change was visible."""

    def expire() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)

    expire()
    transaction.on_commit(expire)
