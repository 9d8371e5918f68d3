"""Country outlines for the brief's locator map, shipped with the package.

``outlines.json`` holds the 177 country polygons of Natural Earth's 1:110m
"admin 0 countries" (public domain: "No permission is needed to use Natural
Earth"), taken from the ``naturalearth_lowres`` shapefile geopandas 0.14 shipped
(``ne_110m_admin_0_countries``). They are simplified (Douglas–Peucker, 0.1°, half a
millimetre on a map of Europe in the brief) and stored as integer hundredths of a
degree, delta-encoded: the 10,643 points of a 181 KB shapefile become 8,410 points
in 61 KB (28 KB in the wheel's zip). No tiles and no network: the
map is drawn from this file alone.

Rebuild with ``python -m timeline.exporters.brief.outlines path/to/countries.shp``.
Reading a shapefile's polygons takes a few lines of ``struct`` (only polygon
records, type 5), so no shapefile library is a dependency.
"""

from __future__ import annotations

import functools
import itertools
import json
import struct
import sys
from pathlib import Path

OUTLINES_PATH = Path(__file__).resolve().parent / "outlines.json"
SCALE = 100  # stored units per degree
TOLERANCE = 0.1  # degrees

Ring = list[tuple[float, float]]


@functools.cache
def country_rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    """Every ring of every country outline as (longitude, latitude) points."""
    data = json.loads(OUTLINES_PATH.read_text())
    rings = []
    for encoded in data["rings"]:
        x = y = 0
        points = []
        for index in range(0, len(encoded), 2):
            x += encoded[index]
            y += encoded[index + 1]
            points.append((x / SCALE, y / SCALE))
        rings.append(tuple(points))
    return tuple(rings)


def read_shapefile_rings(path: Path) -> list[Ring]:
    """The rings of every polygon record (shape type 5) of an ESRI shapefile.

    Raises ``ValueError`` if the file is not a shapefile.
    """
    data = path.read_bytes()
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise ValueError(f"{path} is not a shapefile")
    rings: list[Ring] = []
    position = 100
    while position + 8 <= len(data):
        _, length = struct.unpack(">ii", data[position : position + 8])
        record = data[position + 8 : position + 8 + length * 2]
        position += 8 + length * 2
        if struct.unpack("<i", record[:4])[0] != 5:
            continue
        part_count, point_count = struct.unpack("<ii", record[36:44])
        parts = [*struct.unpack(f"<{part_count}i", record[44 : 44 + 4 * part_count]), point_count]
        offset = 44 + 4 * part_count
        points = [struct.unpack("<2d", record[offset + 16 * i : offset + 16 * i + 16]) for i in range(point_count)]
        rings += [points[start:end] for start, end in itertools.pairwise(parts)]
    return rings


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker: drop points closer than ``tolerance`` to the line they sit on."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        farthest, distance = 0, 0.0
        for index in range(first + 1, last):
            x, y = points[index]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def build(shapefile: Path, output: Path = OUTLINES_PATH) -> str:
    """Write the simplified, encoded outlines of ``shapefile`` to ``output``; return a note
    of what was written."""
    encoded_rings = []
    total = 0
    for ring in read_shapefile_rings(shapefile):
        points = simplify(ring, TOLERANCE)
        if len(points) < 4:
            continue
        encoded: list[int] = []
        last_x = last_y = 0
        for longitude, latitude in points:
            x, y = round(longitude * SCALE), round(latitude * SCALE)
            encoded += [x - last_x, y - last_y]
            last_x, last_y = x, y
        encoded_rings.append(encoded)
        total += len(points)
    payload = {
        "source": "Natural Earth 1:110m admin 0 countries (public domain), simplified",
        "scale": SCALE,
        "rings": encoded_rings,
    }
    output.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    return f"{total:,} points in {len(encoded_rings)} rings, {output.stat().st_size // 1000} KB"


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
