"""Read orientation, GPS position and capture time from raw EXIF, in pure Python.

The block is a TIFF structure (byte order, IFD0 → GPS IFD and Exif IFD, rationals), read
with ``struct`` alone so that a build without Pillow reads it too. Malformed metadata is
ignored, never fatal: a damaged tag comes out as None.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# Phones in the field are in China: EXIF times without an offset are China Standard Time.
CHINA_TZ = timezone(timedelta(hours=8))

_ORIENTATION, _GPS_IFD, _EXIF_IFD = 0x0112, 0x8825, 0x8769
_DATE_TIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_DATE_TIME_DIGITIZED, _OFFSET_TIME_DIGITIZED = 0x9004, 0x9012


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the pipeline keeps from EXIF: how to turn the pixels upright, where, and when."""

    orientation: int = 1
    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime | None = None


def read_metadata(raw_exif: bytes | None) -> Metadata:
    """Return orientation, GPS and capture time from raw EXIF; damaged parts come out as None."""
    tiff_bytes = _exif_tiff(raw_exif)
    if tiff_bytes is None:
        return Metadata()
    try:
        tiff = _Tiff(tiff_bytes)
        ifd0 = tiff.ifd(tiff.first_ifd())
    except (struct.error, ValueError):
        return Metadata()
    orientation = _first_int(ifd0.get(_ORIENTATION))
    latitude = longitude = taken_at = None
    try:
        gps_offset = _first_int(ifd0.get(_GPS_IFD))
        if gps_offset:
            latitude, longitude = _gps_position(tiff.ifd(gps_offset))
    except (struct.error, ValueError, TypeError, ZeroDivisionError, OverflowError):
        latitude = longitude = None
    try:
        exif_offset = _first_int(ifd0.get(_EXIF_IFD))
        if exif_offset:
            exif = tiff.ifd(exif_offset)
            taken_at = _capture_time(
                exif.get(_DATE_TIME_ORIGINAL), exif.get(_OFFSET_TIME_ORIGINAL)
            ) or _capture_time(exif.get(_DATE_TIME_DIGITIZED), exif.get(_OFFSET_TIME_DIGITIZED))
    except (struct.error, ValueError, TypeError, OverflowError):
        taken_at = None
    return Metadata(
        orientation=orientation if orientation in range(1, 9) else 1,
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
    )


class _Tiff:
    """Read the few EXIF tags we need from a TIFF structure, tolerating any damage."""

    _SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}

    def __init__(self, buf: bytes):
        self.buf = buf
        self.order = "<" if buf[:2] == b"II" else ">"

    def first_ifd(self) -> int:
        return struct.unpack(self.order + "I", self.buf[4:8])[0]

    def ifd(self, offset: int) -> dict[int, object]:
        buf, order, tags = self.buf, self.order, {}
        if not 8 <= offset <= len(buf) - 2:
            return tags
        (count,) = struct.unpack(order + "H", buf[offset : offset + 2])
        for i in range(min(count, 512)):
            entry = buf[offset + 2 + 12 * i : offset + 14 + 12 * i]
            if len(entry) < 12:
                break
            tag, kind, n = struct.unpack(order + "HHI", entry[:8])
            size = self._SIZES.get(kind)
            if size is None or n > 4096:
                continue
            raw = entry[8:12]
            if size * n > 4:
                (where,) = struct.unpack(order + "I", raw)
                raw = buf[where : where + size * n]
            if len(raw) < size * n:
                continue
            tags[tag] = self._decode(kind, n, raw)
        return tags

    def _decode(self, kind: int, n: int, raw: bytes) -> object:
        order = self.order
        if kind == 2:
            return raw[:n].split(b"\x00", 1)[0].decode("latin-1").strip()
        if kind in (1, 7):
            return raw[:n]
        if kind == 3:
            return struct.unpack(f"{order}{n}H", raw[: 2 * n])
        if kind in (4, 9):
            return struct.unpack(f"{order}{n}{'I' if kind == 4 else 'i'}", raw[: 4 * n])
        fmt = "I" if kind == 5 else "i"
        values = struct.unpack(f"{order}{2 * n}{fmt}", raw[: 8 * n])
        return tuple(zip(values[0::2], values[1::2]))


def _exif_tiff(raw: bytes | None) -> bytes | None:
    if not raw:
        return None
    start = raw.find(b"Exif\x00\x00", 0, 16)
    if start >= 0:
        raw = raw[start + 6 :]
    if raw[:4] in (b"II*\x00", b"MM\x00*"):
        return raw
    return None


def _first_int(value: object) -> int | None:
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return value[0]
    return None


def _gps_position(gps: dict[int, object]) -> tuple[float | None, float | None]:
    latitude = _gps_coordinate(gps.get(1), gps.get(2), "N", "S", 90.0)
    longitude = _gps_coordinate(gps.get(3), gps.get(4), "E", "W", 180.0)
    if latitude is None or longitude is None:
        return None, None
    if latitude == 0.0 and longitude == 0.0:  # what some phones write when there is no fix
        return None, None
    return latitude, longitude


def _gps_coordinate(ref: object, value: object, positive: str, negative: str, limit: float):
    if isinstance(ref, bytes):
        ref = ref.decode("latin-1", "replace")
    if not isinstance(ref, str) or ref.strip().upper()[:1] not in (positive, negative):
        return None
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    parts = []
    for item in value:
        if not (isinstance(item, tuple) and len(item) == 2) or item[1] == 0:
            return None
        parts.append(item[0] / item[1])
    degrees = parts[0] + sum(p / 60**i for i, p in enumerate(parts[1:], 1))
    if any(p < 0 for p in parts) or any(p >= 60.0001 for p in parts[1:]) or degrees > limit:
        return None
    return -degrees if ref.strip().upper()[:1] == negative else degrees


_EXIF_TIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _capture_time(value: object, offset: object) -> datetime | None:
    if not isinstance(value, str) or not (match := _EXIF_TIME.match(value.strip())):
        return None
    try:
        local = datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    tz = CHINA_TZ
    if isinstance(offset, str) and (found := _EXIF_OFFSET.match(offset.strip())):
        sign = -1 if found[1] == "-" else 1
        hours, minutes = int(found[2]), int(found[3])
        if hours <= 14 and minutes < 60:
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return local.replace(tzinfo=tz).astimezone(timezone.utc)
