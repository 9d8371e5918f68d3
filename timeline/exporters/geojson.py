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

from timeline import dates
from timeline.snapshot import EventSnapshot


def event_feature(event: EventSnapshot, *, longitude: float, latitude: float) -> dict[str, Any]:
    fuzzy = dates.parse_stored(event.date)
    return {
        "type": "Feature",
        "id": event.uid,
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {
            "uid": event.uid,
            "title": event.title,
            "date": event.date,
            "date_display": fuzzy.display(),
            "date_lower": fuzzy.lower.isoformat(),
            "date_upper": fuzzy.upper.isoformat(),
            "precision": event.precision,
            "approximate": fuzzy.approximate,
            "uncertain": fuzzy.uncertain,
            "location": event.location,
            "status": event.status,
            "claimant": event.claimant or None,
            "credibility": event.credibility,
            "grade": event.grade,
            "key": event.key,
            "tags": list(event.tags),
            "url": event.path,
        },
    }


def render_geojson(events: Iterable[EventSnapshot]) -> bytes:
    features = [
        event_feature(e, longitude=float(e.longitude), latitude=float(e.latitude))
        for e in events
        if e.latitude is not None and e.longitude is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
