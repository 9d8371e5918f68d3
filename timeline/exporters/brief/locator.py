"""The locator map: where the located events are, on shipped country outlines
(``outlines``: Natural Earth 1:110m), with a world inset showing the area. No
tiles, no network. Imported only when rendering.

The projection is equirectangular with longitudes scaled by the cosine of the
middle latitude, which keeps shapes right enough for a regional locator map.
Outlines are clipped to the map (Sutherland–Hodgman), so nothing is drawn outside
it and the PDF holds only the visible part of each country.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from timeline.exporters.brief.data import BriefEvent
from timeline.exporters.brief.layout import ACCENT, FRAME_WIDTH, INK, KEY_RED, MM, MUTED, RULE
from timeline.exporters.brief.outlines import country_rings
from timeline.exporters.brief.text import SANS, SANS_BOLD

MAP_HEIGHT = 95 * MM
# Key events labelled on the map; the note says when more are located.
MAX_MAP_KEYS = 20
# Events are counted in cells of about this many points, drawn as one circle each.
CELL = 9.0
LAND = "#e8e4da"
SEA = "#f4f7fa"
BORDER = "#b9b2a2"


@dataclass(frozen=True, slots=True)
class _View:
    """Longitude/latitude box shown and its mapping onto the drawing."""

    west: float
    south: float
    east: float
    north: float
    x: float
    y: float
    scale: float
    squash: float  # cosine of the middle latitude

    def point(self, longitude: float, latitude: float) -> tuple[float, float]:
        return (
            self.x + (longitude - self.west) * self.squash * self.scale,
            self.y + (latitude - self.south) * self.scale,
        )

    @property
    def width(self) -> float:
        return (self.east - self.west) * self.squash * self.scale

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale


def located(events: list[BriefEvent]) -> list[BriefEvent]:
    return [event for event in events if event.latitude is not None and event.longitude is not None]


def locator_section(events: list[BriefEvent], key_events: list[BriefEvent], *, styles: dict[str, Any]) -> list[Any]:
    """The map and a note saying what it shows; a note alone when no event has coordinates."""
    from reportlab.platypus import Paragraph

    placed = located(events)
    if not placed:
        return [Paragraph("No event in this selection has coordinates, so there is no map.", styles["note"])]
    key_numbers = {event.pk: number for number, event in enumerate(key_events, start=1)}
    placed_keys = located(key_events)
    drawing, cell_km = _map(placed, placed_keys[:MAX_MAP_KEYS], key_numbers)
    share = len(placed) / len(events)
    note = (
        f"{len(placed):,} of {len(events):,} events ({share:.0%}) have coordinates. Each circle counts the events "
        f"within about {cell_km:,} km of it; its area grows with the count. "
    )
    if placed_keys:
        note += "Red diamonds: key events (K numbers as in the summary)"
        if len(placed_keys) > MAX_MAP_KEYS:
            note += f"; the first {MAX_MAP_KEYS} of {len(placed_keys):,} located key events are labelled"
        note += ". "
    note += "Inset: the area shown. Country outlines: Natural Earth 1:110m (public domain); borders are approximate."
    return [drawing, Paragraph(note, styles["note"])]


def _view(events: list[BriefEvent], width: float, height: float, x: float = 0, y: float = 0) -> _View:
    longitudes = [event.longitude or 0.0 for event in events]
    latitudes = [event.latitude or 0.0 for event in events]
    west, east = min(longitudes), max(longitudes)
    south, north = min(latitudes), max(latitudes)
    pad_x = max(2.0, (east - west) * 0.15)
    pad_y = max(1.5, (north - south) * 0.15)
    west, east = max(-180.0, west - pad_x), min(180.0, east + pad_x)
    south, north = max(-85.0, south - pad_y), min(85.0, north + pad_y)
    squash = max(0.2, math.cos(math.radians((south + north) / 2)))
    # Fill the box: widen whichever side is short for the box's proportions.
    span_x, span_y = (east - west) * squash, north - south
    if span_x / span_y < width / height:
        extra = (span_y * width / height / squash - (east - west)) / 2
        west, east = max(-180.0, west - extra), min(180.0, east + extra)
    else:
        extra = (span_x * height / width - span_y) / 2
        south, north = max(-85.0, south - extra), min(85.0, north + extra)
    scale = min(width / ((east - west) * squash), height / (north - south))
    return _View(west, south, east, north, x, y, scale, squash)


def _map(events: list[BriefEvent], key_events: list[BriefEvent], key_numbers: dict[int, int]) -> tuple[Any, int]:
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
    from reportlab.lib.colors import HexColor

    drawing = Drawing(FRAME_WIDTH, MAP_HEIGHT)
    # The renderer's default font would be the non-embedded Helvetica.
    drawing.initialFontName = SANS
    drawing.initialFontSize = 7
    view = _view(events, FRAME_WIDTH, MAP_HEIGHT)
    box = (view.x, view.y, view.x + view.width, view.y + view.height)
    drawing.add(Rect(*box[:2], view.width, view.height, fillColor=HexColor(SEA), strokeColor=None))
    _add_land(drawing, view, box, Polygon)
    _add_graticule(drawing, view, box, Line, String)

    cells: Counter[tuple[int, int]] = Counter()
    where: dict[tuple[int, int], list[float]] = {}
    for event in events:
        px, py = view.point(event.longitude or 0.0, event.latitude or 0.0)
        cell = (int(px // CELL), int(py // CELL))
        cells[cell] += 1
        sums = where.setdefault(cell, [0.0, 0.0])
        sums[0] += px
        sums[1] += py
    peak = max(cells.values())
    accent = HexColor(ACCENT)
    # Largest first, so that small circles stay visible on top.
    for cell, count in sorted(cells.items(), key=lambda item: (-item[1], item[0])):
        px, py = where[cell][0] / count, where[cell][1] / count
        radius = 1.6 + 9 * math.sqrt(count / peak)
        drawing.add(
            Circle(px, py, radius, fillColor=accent, fillOpacity=0.55, strokeColor=HexColor("#ffffff"), strokeWidth=0.4)
        )
    red = HexColor(KEY_RED)
    # Key events at one place share a diamond and a label ("K2, K13, K16"), so labels do not overprint.
    key_places: dict[tuple[int, int], list[tuple[float, float, int]]] = {}
    for event in key_events:
        px, py = view.point(event.longitude or 0.0, event.latitude or 0.0)
        key_places.setdefault((int(px // CELL), int(py // CELL)), []).append((px, py, key_numbers[event.pk]))
    for place in sorted(key_places.values()):
        px, py = sum(p[0] for p in place) / len(place), sum(p[1] for p in place) / len(place)
        numbers = sorted(p[2] for p in place)
        label = ", ".join(f"K{n}" for n in numbers[:3]) + (f" +{len(numbers) - 3}" if len(numbers) > 3 else "")
        drawing.add(Polygon([px, py + 3.5, px + 3.5, py, px, py - 3.5, px - 3.5, py], fillColor=red, strokeColor=None))
        drawing.add(String(px + 4.5, py + 1.5, label, fontName=SANS_BOLD, fontSize=6.5, fillColor=red))
    drawing.add(Rect(*box[:2], view.width, view.height, fillColor=None, strokeColor=HexColor(INK), strokeWidth=0.6))
    _add_inset(drawing, view, Polygon, Rect)
    # One cell in kilometres along the middle latitude (111.3 km per degree of latitude).
    cell_km = max(1, round(CELL / view.scale * 111.3))
    return drawing, cell_km


def _add_land(drawing: Any, view: _View, box: tuple[float, float, float, float], polygon: Callable[..., Any]) -> None:
    from reportlab.lib.colors import HexColor

    land, border = HexColor(LAND), HexColor(BORDER)
    for ring in country_rings():
        if not _overlaps(ring, view.west, view.south, view.east, view.north):
            continue
        points = _clip([view.point(lon, lat) for lon, lat in ring], box)
        if len(points) >= 3:
            flat = [coordinate for point in points for coordinate in point]
            drawing.add(polygon(flat, fillColor=land, strokeColor=border, strokeWidth=0.35))


def _add_graticule(drawing: Any, view: _View, box: tuple[float, float, float, float], line: Any, string: Any) -> None:
    from reportlab.lib.colors import HexColor

    span = max(view.east - view.west, view.north - view.south)
    step = next((s for s in (1, 2, 5, 10, 15, 30) if span / s <= 8), 45)
    muted, rule = HexColor(MUTED), HexColor(RULE)
    latitude = math.ceil(view.south / step) * step
    while latitude < view.north:
        _, y = view.point(view.west, latitude)
        drawing.add(line(box[0], y, box[2], y, strokeColor=rule, strokeWidth=0.25, strokeDashArray=[1, 2]))
        label = f"{abs(latitude)}°{'N' if latitude >= 0 else 'S'}"
        drawing.add(string(box[0] + 2, y + 1.5, label, fontName=SANS, fontSize=5.5, fillColor=muted))
        latitude += step
    longitude = math.ceil(view.west / step) * step
    while longitude < view.east:
        x, _ = view.point(longitude, view.south)
        drawing.add(line(x, box[1], x, box[3], strokeColor=rule, strokeWidth=0.25, strokeDashArray=[1, 2]))
        label = f"{abs(longitude)}°{'E' if longitude >= 0 else 'W'}"
        drawing.add(string(x + 1.5, box[1] + 2, label, fontName=SANS, fontSize=5.5, fillColor=muted))
        longitude += step


def _add_inset(drawing: Any, view: _View, polygon: Any, rect: Any) -> None:
    """The whole world, small, in the top right corner, with the map's area outlined."""
    from reportlab.lib.colors import HexColor

    width, height = 42 * MM, 21 * MM
    x0, y0 = view.x + view.width - width - 3, view.y + view.height - height - 3
    scale = width / 360
    drawing.add(
        rect(x0, y0, width, height, fillColor=HexColor("#ffffff"), strokeColor=HexColor(MUTED), strokeWidth=0.4)
    )

    def point(longitude: float, latitude: float) -> tuple[float, float]:
        return x0 + (longitude + 180) * scale, y0 + (max(-90.0, min(90.0, latitude)) + 90) * scale * height / width * 2

    land = HexColor(LAND)
    for ring in country_rings():
        points = [point(lon, lat) for lon, lat in ring[:: max(1, len(ring) // 12)]]
        if len(points) >= 3:
            drawing.add(polygon([c for p in points for c in p], fillColor=land, strokeColor=None))
    (left, bottom), (right, top) = point(view.west, view.south), point(view.east, view.north)
    drawing.add(
        rect(
            left,
            bottom,
            max(right - left, 2),
            max(top - bottom, 2),
            fillColor=None,
            strokeColor=HexColor(KEY_RED),
            strokeWidth=0.8,
        )
    )


def _overlaps(ring: tuple[tuple[float, float], ...], west: float, south: float, east: float, north: float) -> bool:
    longitudes = [lon for lon, _ in ring]
    latitudes = [lat for _, lat in ring]
    return min(longitudes) <= east and max(longitudes) >= west and min(latitudes) <= north and max(latitudes) >= south


def _clip(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: ``points`` (a closed ring) clipped to the rectangle ``box``."""
    left, bottom, right, top = box
    edges: list[tuple[Callable[[tuple[float, float]], bool], Callable[..., tuple[float, float]]]] = [
        (lambda p: p[0] >= left, lambda p, q: _cross_x(p, q, left)),
        (lambda p: p[0] <= right, lambda p, q: _cross_x(p, q, right)),
        (lambda p: p[1] >= bottom, lambda p, q: _cross_y(p, q, bottom)),
        (lambda p: p[1] <= top, lambda p, q: _cross_y(p, q, top)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
            previous = current
        points = result
    return points


def _cross_x(p: tuple[float, float], q: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - p[0]) / (q[0] - p[0])
    return x, p[1] + t * (q[1] - p[1])


def _cross_y(p: tuple[float, float], q: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - p[1]) / (q[1] - p[1])
    return p[0] + t * (q[0] - p[0]), y
