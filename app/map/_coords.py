"""Coordinates: our points are WGS-84 (GPS); AMap/Gaode tiles are drawn in GCJ-02, shifted by up to ~500 m.

The shift is the published GCJ-02 formula (the Krasovsky ellipsoid and two trigonometric series); it applies
only inside China, and the way back is found by iteration, good to well under a metre.
"""

from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses it
_EE = 0.00669342162296594323  # its eccentricity squared


def out_of_china(lat: float, lon: float) -> bool:
    """GCJ-02 shifts only points in China's rough bounding box; outside it the coordinates stay as they are."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Return (lat, lon) in GCJ-02 for a WGS-84 point (unchanged outside China)."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float, *, rounds: int = 10) -> tuple[float, float]:
    """Return (lat, lon) in WGS-84 for a GCJ-02 point: the forward shift undone by fixed-point iteration."""
    guess_lat, guess_lon = lat, lon
    for _ in range(rounds):
        shifted_lat, shifted_lon = wgs84_to_gcj02(guess_lat, guess_lon)
        guess_lat, guess_lon = guess_lat + (lat - shifted_lat), guess_lon + (lon - shifted_lon)
    return guess_lat, guess_lon


def to_pixels(lat: float, lon: float, zoom: float, tile_size: int = 256) -> tuple[float, float]:
    """A point's place in Web Mercator pixels at a zoom (as the tiles and the map draw it)."""
    scale = tile_size * 2.0 ** zoom
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = (lon + 180.0) / 360.0 * scale
    sin = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    return x, y
