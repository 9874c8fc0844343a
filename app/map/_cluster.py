"""Markers that would overlap at a zoom gathered into clusters, and the view that shows every point.

A cluster is seeded by the first point not yet taken (in a stable order) and takes every free point within
CLUSTER_PX pixels of it at that zoom; the grid of cells that size finds the candidates without comparing
every pair. Its marker stands at its members' mean place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from app.map._coords import to_pixels
from app.map._points import MapPoint

CLUSTER_PX = 56  # a marker is 48 px across: nearer than this, two would touch
MAX_ZOOM = 18


@dataclass(frozen=True)
class Cluster:
    members: tuple[MapPoint, ...]
    latitude: float
    longitude: float

    @property
    def single(self) -> MapPoint | None:
        return self.members[0] if len(self.members) == 1 else None

    @property
    def key(self) -> str:
        """Stable across redraws at the same zoom: the seed's kind and id."""
        seed = self.members[0]
        return f"{seed.kind}:{seed.id}"


def cluster(points: Sequence[MapPoint], *, zoom: float, radius_px: float = CLUSTER_PX) -> list[Cluster]:
    """Gather the points into clusters for this zoom; at the deepest zoom nothing is gathered but equal places."""
    if zoom >= MAX_ZOOM:
        radius_px = 1.0
    pixels = [to_pixels(p.latitude, p.longitude, zoom) for p in points]
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(pixels):
        cells.setdefault((math.floor(x / radius_px), math.floor(y / radius_px)), []).append(i)
    taken = [False] * len(points)
    clusters: list[Cluster] = []
    for i, (x, y) in enumerate(pixels):
        if taken[i]:
            continue
        cx, cy = math.floor(x / radius_px), math.floor(y / radius_px)
        near = sorted(j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in cells.get((cx + dx, cy + dy), ())
                      if not taken[j] and math.hypot(pixels[j][0] - x, pixels[j][1] - y) <= radius_px)
        for j in near:
            taken[j] = True
        members = tuple(points[j] for j in near)
        clusters.append(Cluster(members, sum(p.latitude for p in members) / len(members),
                                sum(p.longitude for p in members) / len(members)))
    return clusters


def fit(points: Sequence[MapPoint], *, width: float, height: float, padding: float = 48,
        max_zoom: int = 16) -> tuple[float, float, int]:
    """(lat, lon, zoom): the centre and the deepest whole zoom that shows every point in a view this size."""
    if not points:
        return 35.0, 105.0, 4  # all of China: nothing to show yet
    south, north = min(p.latitude for p in points), max(p.latitude for p in points)
    west, east = min(p.longitude for p in points), max(p.longitude for p in points)
    lat, lon = (south + north) / 2, (west + east) / 2
    room_x, room_y = max(width - 2 * padding, 1), max(height - 2 * padding, 1)
    for zoom in range(max_zoom, 1, -1):
        x0, y0 = to_pixels(north, west, zoom)
        x1, y1 = to_pixels(south, east, zoom)
        if x1 - x0 <= room_x and y1 - y0 <= room_y:
            return lat, lon, zoom
    return lat, lon, 2
