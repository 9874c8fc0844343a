"""The plain grid markers stand on without tiles: lines of latitude and longitude at a round spacing."""

from __future__ import annotations

import math

STEPS = (10.0, 5.0, 2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002)
MIN_GAP_PX = 120  # lines closer than this would be clutter
SCREENS = 3  # the grid reaches this many views each way, so a pan keeps it in sight


def grid_step(zoom: float) -> float:
    """The finest round spacing, in degrees, whose lines stand at least MIN_GAP_PX apart at this zoom."""
    degrees_per_px = 360.0 / (256 * 2.0 ** zoom)
    fitting = [step for step in STEPS if step / degrees_per_px >= MIN_GAP_PX]
    return fitting[-1] if fitting else STEPS[0]


def grid_lines(lat: float, lon: float, zoom: float, *, width: float = 1280,
               height: float = 900) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Lines ((lat, lon), (lat, lon)) of a grid around a centre, wide enough for a few views of this size."""
    step = grid_step(zoom)
    degrees_per_px = 360.0 / (256 * 2.0 ** zoom)
    half_lon = SCREENS * width * degrees_per_px
    half_lat = min(SCREENS * height * degrees_per_px, 80.0)
    south, north = max(lat - half_lat, -85.0), min(lat + half_lat, 85.0)
    west, east = lon - half_lon, lon + half_lon
    lines = []
    for n in range(math.ceil(west / step), math.floor(east / step) + 1):
        lines.append(((south, n * step), (north, n * step)))
    for n in range(math.ceil(south / step), math.floor(north / step) + 1):
        lines.append(((n * step, west), (n * step, east)))
    return lines
