"""PDF briefs: events in, PDF bytes out.

A brief is what an analyst hands to a decision maker: a cover that says exactly
what it covers and as of when, the key events, a chart, the chronology grouped
by year and month with an Admiralty grade on every event, numbered sources with
the quotes cited, and a key to the grades.

The layout is built for one pass: "Page X of Y" is a per-page form XObject
filled in when the canvas is saved (the usual two-pass ``NumberedCanvas`` would
point every bookmark at page 1), the outline is written by the headings as they
are drawn, and each chronology entry is one flowable that wraps its paragraphs
once and can split across pages. Output is deterministic: the same inputs give
the same bytes (``invariant``, creation date = the as-of time).

The package's modules: ``data`` (plain snapshots, ordering), ``layout`` (geometry,
colours), ``text`` (fonts, fallback, safe text, line breaking), ``styles``,
``document`` (canvas, page furniture), ``flowables``, ``story`` (sections, cover,
summary), ``chronology`` (entries, sources), ``chart`` and ``key``. Importing this
package (or ``data``, ``layout``, ``text``) never imports reportlab: the modules that
do are imported inside :func:`render_brief_snapshots`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

from timeline.exporters.brief.data import (
    TEMPLATE_VERSION,
    BriefEvent,
    BriefInfo,
    BriefSource,
    brief_info_for,
    chronology_key,
    number_events_and_sources,
    snapshot_events,
)
from timeline.exporters.brief.layout import MARGIN_X
from timeline.exporters.brief.text import BriefText, font_fingerprint, uncovered_count


def render_brief(events: Iterable[Any], *, info: BriefInfo) -> bytes:
    """Render the brief for ``events`` (``Event`` instances with relations prefetched,
    in any order) and return the PDF bytes.

    The same events and ``info`` always give the same bytes (for one reportlab
    version and the shipped fonts). Characters no shipped font covers print as a
    placeholder (□), are counted on the cover and logged.
    """
    snapshots, sources = snapshot_events(events, site_url=info.site_url)
    return render_brief_snapshots(snapshots, sources, info=info)


def render_brief_snapshots(events: list[BriefEvent], sources: dict[int, BriefSource], *, info: BriefInfo) -> bytes:
    """Render from plain snapshots (see :func:`snapshot_events`)."""
    from timeline.exporters.brief.document import BriefCanvas, PdfBytes, brief_doc
    from timeline.exporters.brief.story import build_story
    from timeline.exporters.brief.styles import paragraph_styles

    text = BriefText()
    events = sorted(events, key=chronology_key)
    # Numbers and quotes are per brief: never carry them over from an earlier render.
    sources = {pk: dataclasses.replace(source, number=0, quotes={}) for pk, source in sources.items()}
    ordered_sources = number_events_and_sources(events, sources)
    styles = paragraph_styles()
    buffer = PdfBytes()
    doc = brief_doc(buffer, info=info, events=events)
    uncovered = uncovered_count(_brief_texts(events, ordered_sources, info))
    story = build_story(events, ordered_sources, info=info, text=text, styles=styles, uncovered=uncovered)
    # The story holds what it prints: the quotes collected per source (tens of thousands at
    # 10,000 events) would otherwise stay alive until the file is written.
    del sources, ordered_sources
    doc.build(story, canvasmaker=functools.partial(BriefCanvas, as_of=info.as_of))
    text.log_missing(f"Brief “{info.title}”")
    return buffer.getvalue()


def _brief_texts(events: list[BriefEvent], sources: list[BriefSource], info: BriefInfo) -> Iterable[str]:
    """Every user string the brief prints."""
    yield from (info.title, info.description, info.marking, *info.filter_words)
    for event in events:
        yield from (event.title, event.summary, event.claimant, event.location, *event.actors, *event.tags)
    for source in sources:
        yield from (source.title, source.publisher, source.url)
        for quote, locator in source.quotes:
            yield quote
            yield locator


def brief_cache_fingerprint() -> str:
    """What, besides the data and filter, decides a brief's bytes."""
    import reportlab

    return f"{TEMPLATE_VERSION}|reportlab {reportlab.Version}|fonts {font_fingerprint()}"


__all__ = [
    "MARGIN_X",
    "TEMPLATE_VERSION",
    "BriefEvent",
    "BriefInfo",
    "BriefSource",
    "brief_cache_fingerprint",
    "brief_info_for",
    "render_brief",
    "render_brief_snapshots",
    "snapshot_events",
]
