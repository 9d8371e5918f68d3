"""Located events as GeoJSON (RFC 7946): a FeatureCollection of points.

Only events with coordinates are features. Each carries its EDTF date with bounds,
precision and flags, the claim status, claimant and grade as properties, so a map tool
can style uncertain or denied events differently. Coordinates are [longitude, latitude]
as the RFC orders them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from timeline.exporters.table import related
from timeline.models import Event, Reliability


def event_feature(event: Event) -> dict[str, Any]:
    citations = related(event, "citations")
    reliability = min((c.source.reliability for c in citations), default=Reliability.F)
    return {
        "type": "Feature",
        "id": str(event.uid),
        "geometry": {"type": "Point", "coordinates": [float(event.longitude), float(event.latitude)]},  # type: ignore[arg-type]
        "properties": {
            "uid": str(event.uid),
            "title": event.title,
            "date": event.date,
            "date_display": event.date_display,
            "date_lower": event.date_lower.isoformat(),
            "date_upper": event.date_upper.isoformat(),
            "precision": event.precision,
            "approximate": event.approximate,
            "uncertain": event.uncertain,
            "location": event.location,
            "status": event.status,
            "claimant": event.claimant.name if event.claimant else None,
            "credibility": event.credibility,
            "grade": f"{reliability}{event.credibility}",
            "key": event.key,
            "tags": [tag.name for tag in related(event, "tags")],
            "url": event.get_absolute_url(),
        },
    }


def render_geojson(events: Iterable[Event]) -> bytes:
    features = [event_feature(e) for e in events if e.latitude is not None and e.longitude is not None]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
