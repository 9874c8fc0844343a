"""Turn camera photos into small, upright, metadata-free JPEGs and keep them by hash.

Photos are most of what a deputy's phone sends over a weak village network, and they are
evidence in supervision letters, so one entry point, ``process_photo``, does the same work
on the phone at capture and on the server:

- it accepts JPEG, PNG, WebP and HEIC/HEIF and refuses anything else with a ``PhotoError``
  whose ``code`` is stable and whose message lives in ``assets/i18n/*/photos.json``;
- it checks the pixel count from the file header before decoding anything;
- it decodes JPEGs in libjpeg's DCT-scaled draft mode, so a 12 MP photo is never fully
  decoded when 1600 px are wanted;
- it reads GPS and capture time from EXIF with a small parser of its own (malformed
  metadata is ignored, never fatal) and writes the stored file with no EXIF at all;
- it can burn an evidence watermark (time, place, township) into a band at the bottom.

Usage::

    photo = process_photo(data, watermark=Watermark(("2026-05-15 10:32", "石桥村 柑桔园")))
    sha = PhotoStore(root).put(photo)

The module is pure Python on Pillow (and pillow-heif when present), with no threads or
OS-specific calls needed, so the same code can run inside Pyodide.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import io
import math
import os
import re
import struct
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image, ImageDraw, ImageFile, ImageFont

try:  # pillow-heif is a compiled extension; a Pyodide build may not have it.
    import pillow_heif
except ImportError:  # pragma: no cover - depends on the platform
    pillow_heif = None

try:  # littlecms may be missing from a minimal Pillow build.
    from PIL import ImageCms
except ImportError:  # pragma: no cover - depends on the platform
    ImageCms = None

__all__ = [
    "FONT_PATH",
    "TARGET_BYTES",
    "PhotoError",
    "PhotoStore",
    "ProcessedPhoto",
    "Watermark",
    "make_thumbnail",
    "process_photo",
    "process_photos",
    "watermark_band_height",
]

# The bundled subset of Noto Sans SC; resolved from the package root so it works from a
# checkout, an installed wheel and a packaged phone app alike.
FONT_PATH = Path(__file__).resolve().parent.parent / "assets/fonts/NotoSansSC-Lianluo.otf"

# Phones in the field are in China: EXIF times without an offset are China Standard Time.
CHINA_TZ = timezone(timedelta(hours=8))

# What one stored photo may weigh on a village 3G link; a detailed photo that would be
# larger is encoded at a somewhat lower quality, never below _QUALITY_FLOOR.
TARGET_BYTES = 300 * 1024
_QUALITY_FLOOR = 60

_HEIF_OPENER_REGISTERED = False


def _register_heif_opener() -> bool:
    """Register pillow-heif's Pillow opener once per process."""
    global _HEIF_OPENER_REGISTERED
    if pillow_heif is None:
        return False
    if not _HEIF_OPENER_REGISTERED:
        pillow_heif.register_heif_opener()
        _HEIF_OPENER_REGISTERED = True
    return True


_register_heif_opener()


# --------------------------------------------------------------------------- errors


class PhotoError(Exception):
    """A photo the pipeline refuses, with a stable code and the values its message needs.

    ``code`` is one of ``photo.empty``, ``photo.not_image``, ``photo.unsupported_format``,
    ``photo.damaged``, ``photo.too_many_pixels`` and ``photo.hash_mismatch``; the visible
    message is the catalog entry ``"error." + code`` formatted with ``params``. ``str()``
    is an English fallback for logs.

    Example::

        try:
            photo = process_photo(data)
        except PhotoError as exc:
            show(t(f"error.{exc.code}", **exc.params))
    """

    def __init__(self, code: str, message: str, params: dict[str, object] | None = None):
        super().__init__(message)
        self.code = code
        self.params: dict[str, object] = dict(params or {})

    @property
    def message_key(self) -> str:
        """Return the translation catalog key of this error's message."""
        return f"error.{self.code}"

    def __reduce__(self):
        return (type(self), (self.code, str(self), self.params))

    def __repr__(self) -> str:
        return f"PhotoError({self.code!r}, {str(self)!r}, {self.params!r})"


def _damaged(reason: str) -> PhotoError:
    return PhotoError(
        "photo.damaged", f"The photo is damaged and cannot be read ({reason}).", {"reason": reason}
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Watermark:
    """Lines of evidence text burned into a band at the bottom of the stored photo.

    Example::

        Watermark(("2026-05-15 10:32", "石桥村 柑桔园 30.1234°N 114.5678°E", "白马镇人大"))

    ``font_path`` and ``font_index`` override the bundled font (``FONT_PATH``), e.g. a
    face of a ``.ttc`` collection.
    """

    lines: tuple[str, ...]
    font_path: Path | str | None = None
    font_index: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.lines, str):
            object.__setattr__(self, "lines", (self.lines,))
        else:
            object.__setattr__(self, "lines", tuple(str(line) for line in self.lines))


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """A photo ready to store and send: upright sRGB JPEG without EXIF, plus what EXIF told."""

    data: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)
    width: int
    height: int
    sha256: str
    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime | None = None


# --------------------------------------------------------------------------- sniffing

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = _HEIC_BRANDS | {b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def _ftyp_brands(data: bytes) -> tuple[bytes, set[bytes]]:
    size = int.from_bytes(data[0:4], "big")
    end = min(len(data), size if 16 <= size <= 4096 else 16)
    compatible = {data[i : i + 4] for i in range(16, end - 3, 4)}
    return data[8:12], compatible


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 with a BOM
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut by the slice
            return False
        text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return printable >= 0.95 * max(len(text), 1)


def _sniff(data: bytes) -> str:
    """Return the accepted format of ``data`` or raise the PhotoError naming what it is."""
    head = data[:512]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        major, compatible = _ftyp_brands(head)
        brands = {major} | compatible
        if major in _AVIF_BRANDS or (brands & _AVIF_BRANDS and not brands & _HEIC_BRANDS):
            raise _unsupported("AVIF")
        if major in _HEIF_BRANDS:  # pillow-heif recognises a file by its major brand
            if not _register_heif_opener():
                raise _unsupported("HEIC")
            return "HEIF"
        if brands & _HEIF_BRANDS:
            raise _unsupported("HEIF")
        raise _not_image("MOV" if major == b"qt  " else "MP4")
    unsupported = (
        ((b"GIF87a", b"GIF89a"), "GIF"),
        ((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"), "TIFF"),
        ((b"8BPS",), "PSD"),
        ((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n"), "JPEG XL"),
        ((b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"), "ICO"),
        ((b"\x97JB2",), "JBIG2"),
        ((b"\x00\x00\x00\x0cjP  ",), "JPEG 2000"),
        ((b"qoif",), "QOI"),
    )
    for signatures, name in unsupported:
        if head.startswith(signatures):
            raise _unsupported(name)
    if head.startswith(b"BM") and len(data) > 26 and data[14] in (12, 40, 52, 56, 64, 108, 124):
        raise _unsupported("BMP")
    lowered = head.lower()
    if b"<svg" in lowered:
        raise _unsupported("SVG")
    not_images = (
        ((b"%PDF",), "PDF"),
        ((b"PK\x03\x04", b"PK\x05\x06"), "ZIP"),
        ((b"Rar!",), "RAR"),
        ((b"7z\xbc\xaf\x27\x1c",), "7Z"),
        ((b"\x1f\x8b",), "GZIP"),
        ((b"\xd0\xcf\x11\xe0",), "DOC"),
        ((b"ID3",), "MP3"),
        ((b"OggS",), "OGG"),
        ((b"fLaC",), "FLAC"),
        ((b"\x1aE\xdf\xa3",), "MKV"),
    )
    for signatures, name in not_images:
        if head.startswith(signatures):
            raise _not_image(name)
    if head[:4] == b"RIFF":
        raise _not_image({b"WAVE": "WAV", b"AVI ": "AVI"}.get(head[8:12], "RIFF"))
    if lowered.lstrip().startswith((b"<!doctype html", b"<html")):
        raise _not_image("HTML")
    if _looks_like_text(head):
        raise _not_image("text")
    raise _not_image("unknown")


def _unsupported(name: str) -> PhotoError:
    return PhotoError(
        "photo.unsupported_format",
        f"{name} images are not accepted; use a JPEG, PNG, WebP or HEIC photo.",
        {"format": name},
    )


def _not_image(got: str) -> PhotoError:
    # ``got`` is a format name (PDF, MP4, ...) or "text" / "unknown", which the catalogs
    # spell out under "photos.kind.<got>".
    shown = "not an image" if got == "unknown" else got
    return PhotoError(
        "photo.not_image", f"This file is not an image (got {shown}).", {"got": got}
    )


# --------------------------------------------------------------------------- headers

_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _next_marker(data: bytes, pos: int) -> tuple[int, int] | None:
    """Return (marker, offset of its 0xFF) of the next marker from pos, skipping fill bytes."""
    pos = data.find(b"\xff", pos)
    if pos < 0:
        return None
    n = len(data)
    while pos + 1 < n and data[pos + 1] == 0xFF:
        pos += 1
    return (data[pos + 1], pos) if pos + 1 < n else None


def _jpeg_header(data: bytes) -> tuple[list[tuple[int, int, int]], int]:
    """Return the header segments as (marker, start, end) and where the first scan starts.

    Stray bytes between segments are skipped, as libjpeg does.
    """
    segments, pos, n = [], 2, len(data)
    while (found := _next_marker(data, pos)) is not None:
        marker, start = found
        pos = start + 2
        if marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD8:
            continue
        if marker == 0xD9 or pos + 2 > n:
            break
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > n:
            break
        if marker == 0xDA:
            return segments, start
        segments.append((marker, start, pos + length))
        pos += length
    raise _damaged("no JPEG image data")


def _jpeg_frame(data: bytes) -> tuple[int, int, int, bytes]:
    """Return (marker, width, height, SOF body) of the frame header."""
    segments, _ = _jpeg_header(data)
    for marker, start, end in segments:
        if marker in _SOF_MARKERS and end - start >= 10:
            body = data[start + 4 : end]
            height, width = struct.unpack(">HH", body[1:5])
            return marker, width, height, body
    raise _damaged("no JPEG frame header")


def _split_jpeg_metadata(data: bytes) -> tuple[bytes, bytes | None]:
    """Return the JPEG with only what decoding needs, and its raw EXIF block.

    Pillow reads EXIF and MPF segments while opening and warns on malformed ones; we read
    EXIF ourselves, so it only gets the frame, tables, ICC profile and Adobe colour flags.
    """
    segments, scan = _jpeg_header(data)
    kept, exif = [data[:2]], None
    for marker, start, end in segments:
        body_head = data[start + 4 : start + 18]
        if marker == 0xE1 and exif is None and body_head.startswith(b"Exif\x00"):
            exif = data[start + 4 : end]
        if marker in (0xE0, 0xEE) or marker < 0xE0:
            kept.append(data[start:end])
        elif marker == 0xE2 and body_head.startswith(b"ICC_PROFILE\x00"):
            kept.append(data[start:end])
    kept.append(data[scan:])
    return b"".join(kept), exif


def _header_size(fmt: str, data: bytes) -> tuple[int, int]:
    """Read the image's width and height from its header, decoding no pixels."""
    if fmt == "JPEG":
        _, width, height, _ = _jpeg_frame(data)
    elif fmt == "PNG":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise _damaged("no PNG header")
        width, height = struct.unpack(">II", data[16:24])
    elif fmt == "WEBP":
        chunk = data[12:16]
        if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
            width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[26:30]))
        elif chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
            bits = int.from_bytes(data[21:25], "little")
            width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        elif chunk == b"VP8X" and len(data) >= 30:
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
        else:
            raise _damaged("no WebP header")
    else:  # HEIF: libheif reads the container without decoding the image
        try:
            width, height = pillow_heif.open_heif(io.BytesIO(data)).size
        except Exception as exc:
            raise _damaged(f"HEIF container: {exc}") from exc
    if width <= 0 or height <= 0:
        raise _damaged("zero image size")
    return width, height


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    # Pillow's own bomb guard must never be what stops us: cap at its limit too.
    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS:
        limit = min(limit, int(Image.MAX_IMAGE_PIXELS))
    if width * height > limit:
        raise PhotoError(
            "photo.too_many_pixels",
            f"The image is too large: {width}x{height} pixels (the limit is {limit}).",
            {"width": width, "height": height, "pixels": width * height, "max_pixels": limit},
        )


# --------------------------------------------------------------------------- JPEG stream

# After a scan's data only these markers may follow (tables, another scan, the end).
_AFTER_SCAN = frozenset({0xC4, 0xCC, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xFE} | set(range(0xE0, 0xF0)))
# Inside scan data 0xFF is followed by 0x00 (a stuffed data byte), a restart marker, or
# more 0xFF fill bytes before a marker. Both patterns start with a literal byte, so the
# regex engine skips through megabytes of data at C speed.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_RESTART = re.compile(rb"\xff([\xd0-\xd7])")
_RESTART_CYCLE = bytes(range(0xD0, 0xD8))


def _check_jpeg_stream(data: bytes) -> None:
    """Refuse a JPEG whose compressed data is visibly broken.

    libjpeg only warns (and Pillow stays silent) when scan data is damaged: it resyncs on
    the next restart marker and paints grey over the gap. A damaged photo must not be
    stored as evidence, so walk the marker structure: restart markers in sequence and in
    the expected number, nothing but a legal marker after a scan, and an end-of-image.
    """
    frame, width, height, sof = _jpeg_frame(data)
    components: dict[int, tuple[int, int]] = {}
    for i in range(sof[5] if len(sof) > 5 else 0):
        entry = sof[6 + 3 * i : 9 + 3 * i]
        if len(entry) == 3:
            components[entry[0]] = (entry[1] >> 4 or 1, entry[1] & 0x0F or 1)
    h_max = max((h for h, _ in components.values()), default=1)
    v_max = max((v for _, v in components.values()), default=1)
    progressive = frame in (0xC2, 0xC6, 0xCA, 0xCE)

    n, pos, interval = len(data), 2, 0
    while (found := _next_marker(data, pos)) is not None:
        marker, start = found
        pos = start + 2
        if marker == 0xD9:
            return
        if marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD7:
            continue
        if pos + 2 > n:
            break
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > n:
            break
        body = data[pos + 2 : pos + length]
        pos += length
        if marker == 0xDD and len(body) >= 2:
            interval = int.from_bytes(body[:2], "big")
        if marker != 0xDA:
            continue
        scan_ids = [body[1 + 2 * i] for i in range(body[0]) if 1 + 2 * i < len(body)] if body else []
        end = _SCAN_END.search(data, pos)
        if end is None:
            break
        restarts = b"".join(_RESTART.findall(data, pos, end.start() + 1))
        if restarts != (_RESTART_CYCLE * (len(restarts) // 8 + 1))[: len(restarts)]:
            raise _damaged("restart marker out of sequence")
        code = data[end.start() + 1]
        if code not in _AFTER_SCAN:
            raise _damaged(f"unexpected marker 0x{code:02X} in the image data")
        if interval and not progressive:
            units = _scan_units(width, height, h_max, v_max, components, scan_ids)
            if units and len(restarts) != _ceil_div(units, interval) - 1:
                raise _damaged("image data cut short")
        pos = end.start()
    raise _damaged("the file ends before the image does")


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _scan_units(width, height, h_max, v_max, components, scan_ids) -> int:
    """Count the units a restart interval counts in this scan: blocks or whole MCUs."""
    if len(scan_ids) == 1 and scan_ids[0] in components:
        h, v = components[scan_ids[0]]
        return _ceil_div(_ceil_div(width * h, h_max), 8) * _ceil_div(_ceil_div(height * v, v_max), 8)
    if scan_ids and all(c in components for c in scan_ids):
        return _ceil_div(width, 8 * h_max) * _ceil_div(height, 8 * v_max)
    return 0


# --------------------------------------------------------------------------- EXIF


@dataclass(frozen=True, slots=True)
class _Metadata:
    orientation: int = 1
    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime | None = None


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


def _read_metadata(raw_exif: bytes | None) -> _Metadata:
    """Return orientation, GPS and capture time from raw EXIF; damaged parts come out as None."""
    tiff_bytes = _exif_tiff(raw_exif)
    if tiff_bytes is None:
        return _Metadata()
    try:
        tiff = _Tiff(tiff_bytes)
        ifd0 = tiff.ifd(tiff.first_ifd())
    except (struct.error, ValueError):
        return _Metadata()
    orientation = _first_int(ifd0.get(0x0112))
    latitude = longitude = taken_at = None
    try:
        gps_offset = _first_int(ifd0.get(0x8825))
        if gps_offset:
            latitude, longitude = _gps_position(tiff.ifd(gps_offset))
    except (struct.error, ValueError, TypeError, ZeroDivisionError, OverflowError):
        latitude = longitude = None
    try:
        exif_offset = _first_int(ifd0.get(0x8769))
        if exif_offset:
            exif = tiff.ifd(exif_offset)
            taken_at = _capture_time(exif.get(0x9003), exif.get(0x9011)) or _capture_time(
                exif.get(0x9004), exif.get(0x9012)
            )
    except (struct.error, ValueError, TypeError, OverflowError):
        taken_at = None
    return _Metadata(
        orientation=orientation if orientation in range(1, 9) else 1,
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
    )


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


# --------------------------------------------------------------------------- pixels

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _fit_size(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    scale = edge / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _fit(im: Image.Image, edge: int, *, reducing_gap: float = 3.0) -> Image.Image:
    target = _fit_size(im.size, edge)
    if target == im.size:
        return im
    # reducing_gap box-reduces by whole factors first; 3.0 is indistinguishable from plain
    # LANCZOS, 2.0 (Pillow's thumbnail default) is plenty for a list thumbnail.
    return im.resize(target, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


def _decode(fmt: str, data: bytes, edge: int) -> Image.Image:
    """Open and fully decode ``data``; JPEGs only at the smallest DCT scale still ≥ ``edge``."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on: damaged photos would be stored")
    try:
        im = Image.open(io.BytesIO(data), formats=[fmt])
        if fmt == "JPEG" and im.mode in ("RGB", "L", "YCbCr"):
            im.draft(im.mode if im.mode == "L" else "RGB", _fit_size(im.size, edge))
        im.load()
        if fmt == "JPEG" and _grey_last_row(im):
            # libjpeg pads data that ran out early with flat mid-grey and only warns.
            raise _damaged("image data missing at the end")
    except PhotoError:
        raise
    except Image.DecompressionBombError as exc:  # unreachable while _check_pixels runs first
        raise PhotoError("photo.too_many_pixels", str(exc), {}) from exc
    except MemoryError as exc:
        raise _damaged("not enough memory to decode") from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error...
        raise _damaged(f"{type(exc).__name__}: {exc}") from exc
    return im


def _grey_last_row(im: Image.Image) -> bool:
    width, height = im.size
    extrema = im.crop((0, height - 1, width, height)).getextrema()
    if im.getbands() == ("L",) or len(im.getbands()) == 1:
        extrema = (extrema,)
    return all(band == (128, 128) for band in extrema)


def _normalize_mode(im: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB, RGBA or CMYK (kept for its ICC profile)."""
    mode = im.mode
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return im
    if mode in ("LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in im.info):
        return im.convert("RGBA")
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode == "F":
        return im.convert("L")
    return im.convert("RGB")


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode != "RGBA":
        return im
    white = Image.new("RGB", im.size, (255, 255, 255))
    white.paste(im, mask=im.getchannel("A"))
    return white


@functools.lru_cache(maxsize=8)
def _srgb_transform(icc: bytes, mode: str):
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    description = ImageCms.getProfileDescription(source) or ""
    if "sRGB" in description and mode == "RGB":
        return None  # already sRGB: converting would cost time and change nothing
    target = ImageCms.createProfile("sRGB")
    # One transform may serve two server threads at once: lcms's one-pixel cache is not
    # safe for that, so it is turned off.
    return ImageCms.buildTransform(source, target, mode, "RGB", flags=ImageCms.Flags.NOCACHE)


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB RGB through the embedded ICC profile when there is one."""
    if icc and ImageCms is not None and im.mode in ("RGB", "L", "CMYK"):
        try:
            transform = _srgb_transform(bytes(icc), im.mode)
            if transform is None:
                return im
            return ImageCms.applyTransform(im, transform)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unusable profile: fall back to a plain conversion
    return im if im.mode == "RGB" else im.convert("RGB")


def _encode(im: Image.Image, quality: int, *, progressive: bool) -> bytes:
    # Drop every carried-over info key: Pillow would write e.g. a JPEG comment from it,
    # and no EXIF, XMP or ICC profile may reach the stored file.
    im.info = {}
    out = io.BytesIO()
    im.save(
        out,
        "JPEG",
        quality=quality,
        optimize=True,
        progressive=progressive,
        subsampling="4:2:0",
    )
    return out.getvalue()


def _encode_within(im: Image.Image, quality: int, budget: int) -> bytes:
    """Encode progressively at ``quality``, stepping down (not below 60) to fit ``budget``."""
    data = _encode(im, quality, progressive=True)
    floor = min(quality, _QUALITY_FLOOR)
    while len(data) > budget and quality > floor:
        # Around quality 70-80 each step of quality costs about 1.8% of the size.
        steps = math.ceil((len(data) - budget) / len(data) / 0.018)
        quality = max(floor, quality - max(2, steps))
        data = _encode(im, quality, progressive=True)
    return data


# --------------------------------------------------------------------------- watermark


def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    # A FreeType face must not be used by two threads at once: one cached font per thread.
    return _thread_font(path, index, size, threading.get_ident())


@functools.lru_cache(maxsize=32)
def _thread_font(path: str, index: int, size: int, _thread: int) -> ImageFont.FreeTypeFont:
    if not Path(path).is_file():
        raise FileNotFoundError(f"watermark font not found: {path}")
    # The basic layout needs no HarfBuzz/raqm and draws CJK text correctly.
    return ImageFont.truetype(path, size=size, index=index, layout_engine=ImageFont.Layout.BASIC)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Split one line so each piece fits ``width``; Chinese breaks anywhere, words at spaces."""
    if font.getlength(text) <= width:
        return [text]
    lines, current = [], ""
    for token in re.findall(r"[A-Za-z0-9.,:°'\"+\-/]+\s*|\s+|.", text):
        candidate = current + token
        if current and font.getlength(candidate.rstrip()) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines or [text]


def watermark_band_height(im_size: tuple[int, int], watermark: Watermark) -> int:
    """Return the height in pixels of the band ``watermark`` takes on an image of this size."""
    return _layout_watermark(im_size, watermark)[2]


def _layout_watermark(size: tuple[int, int], watermark: Watermark):
    width, height = size
    path = str(watermark.font_path or FONT_PATH)
    lines = [line for line in watermark.lines if line.strip()]
    if not lines:
        return None, [], 0, 0, 0
    font_size = max(12, round(max(min(width, height) * 0.034, max(width, height) * 0.018)))
    while True:
        font = _font(path, watermark.font_index, font_size)
        pad = max(4, round(font_size * 0.5))
        wrapped = [piece for line in lines for piece in _wrap(line, font, width - 2 * pad)]
        line_height = round(font_size * 1.3)
        band = len(wrapped) * line_height + 2 * pad
        # Evidence must stay visible: the band never covers more than 40% of the photo.
        if band <= 0.4 * height or font_size <= 10:
            return font, wrapped, min(band, height), pad, line_height
        font_size = max(10, int(font_size * 0.8))


def _burn_watermark(im: Image.Image, watermark: Watermark) -> None:
    font, lines, band, pad, line_height = _layout_watermark(im.size, watermark)
    if not lines:
        return
    width, height = im.size
    box = (0, height - band, width, height)
    overlay = Image.new("RGBA", (width, band), (0, 0, 0, 120))
    draw = ImageDraw.Draw(overlay)
    shadow = max(1, line_height // 24)
    for i, line in enumerate(lines):
        y = pad + i * line_height
        draw.text((pad + shadow, y + shadow), line, font=font, fill=(0, 0, 0, 160))
        draw.text((pad, y), line, font=font, fill=(255, 255, 255, 255))
    region = im.crop(box).convert("RGBA")
    region.alpha_composite(overlay)
    im.paste(region.convert("RGB"), box)


# --------------------------------------------------------------------------- pipeline


def process_photo(
    data: bytes,
    *,
    max_edge: int = 1600,
    quality: int = 80,
    thumb_edge: int = 320,
    watermark: Watermark | None = None,
    max_pixels: int = 50_000_000,
) -> ProcessedPhoto:
    """Turn camera bytes into the stored JPEG, its thumbnail and its GPS and capture time.

    Example::

        photo = process_photo(Path("IMG_0001.HEIC").read_bytes())
        photo.width, photo.height, photo.latitude, photo.taken_at

    Raises ``PhotoError`` for anything that is not a usable JPEG, PNG, WebP or HEIC photo.
    """
    if not data:
        raise PhotoError("photo.empty", "The file is empty.")
    data = bytes(data)
    fmt = _sniff(data)
    width, height = _header_size(fmt, data)
    _check_pixels(width, height, max_pixels)
    if fmt == "JPEG":
        _check_jpeg_stream(data)

    raw_exif = None
    if fmt == "JPEG":
        data, raw_exif = _split_jpeg_metadata(data)
    im = _decode(fmt, data, max_edge)
    if im.size[0] * im.size[1] > width * height:  # never trust a header the decoder disagrees with
        _check_pixels(*im.size, max_pixels)
    meta = _read_metadata(raw_exif if fmt == "JPEG" else im.info.get("exif"))
    icc = im.info.get("icc_profile")

    try:
        im = _normalize_mode(im)
        im = _fit(im, max_edge)
        im = _flatten(im)
        im = _to_srgb(im, icc)
        # pillow-heif already applied the container's rotation and reset the EXIF tag.
        if fmt != "HEIF" and meta.orientation in _TRANSPOSE:
            im = im.transpose(_TRANSPOSE[meta.orientation])
    except (OSError, ValueError) as exc:
        raise _damaged(f"{type(exc).__name__}: {exc}") from exc

    if watermark is not None:
        _burn_watermark(im, watermark)
    stored = _encode_within(im, quality, TARGET_BYTES)
    thumbnail = _encode(_fit(im, thumb_edge, reducing_gap=2.0), quality, progressive=False)
    return ProcessedPhoto(
        data=stored,
        thumbnail=thumbnail,
        width=im.size[0],
        height=im.size[1],
        sha256=hashlib.sha256(stored).hexdigest(),
        latitude=meta.latitude,
        longitude=meta.longitude,
        taken_at=meta.taken_at,
    )


def make_thumbnail(stored: bytes, *, thumb_edge: int = 320, quality: int = 80) -> bytes:
    """Return a list thumbnail for an already stored JPEG (e.g. a blob pulled from the server)."""
    im = _decode("JPEG", stored, thumb_edge)
    im = _to_srgb(_normalize_mode(im), None)
    return _encode(_fit(im, thumb_edge, reducing_gap=2.0), quality, progressive=False)


# Pyodide has no threads; there the work runs on the loop, yielding between photos.
_HAVE_THREADS = sys.platform not in ("emscripten", "wasi")

ProgressCallback = Callable[[int, int], object | Awaitable[object]]


async def process_photos(
    items: list[bytes],
    *,
    on_progress: ProgressCallback | None = None,
    **kw,
) -> list[ProcessedPhoto | PhotoError]:
    """Process photos one after another off the event loop, reporting progress after each.

    Example::

        results = await process_photos(picked, on_progress=lambda done, total: ...)

    A refused photo yields its ``PhotoError`` in its slot; the others still come through.
    ``kw`` are ``process_photo``'s keyword arguments.
    """
    results: list[ProcessedPhoto | PhotoError] = []
    total = len(items)
    for done, data in enumerate(items, 1):
        try:
            if _HAVE_THREADS:
                result = await asyncio.to_thread(process_photo, data, **kw)
            else:  # pragma: no cover - Pyodide
                result = process_photo(data, **kw)
                await asyncio.sleep(0)
        except PhotoError as exc:
            result = exc
        results.append(result)
        if on_progress is not None:
            outcome = on_progress(done, total)
            if inspect.isawaitable(outcome):
                await outcome
    return results


# --------------------------------------------------------------------------- storage

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _check_sha(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def _hash_mismatch(expected: str, got: str) -> PhotoError:
    return PhotoError(
        "photo.hash_mismatch",
        f"The photo's bytes do not match its hash (expected {expected}, got {got}).",
        {"expected": expected, "got": got},
    )


def _fsync_dir(path: Path) -> None:
    # Makes the rename durable on POSIX; elsewhere a directory cannot be opened and the
    # file's own fsync is the best there is.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either absent or complete, never partial."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:16]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


class PhotoStore:
    """Keep stored photos and thumbnails on disk under the SHA-256 of the stored bytes.

    Layout: ``root/ab/cd/<sha256>.jpg`` and ``root/thumbs/ab/cd/<sha256>.jpg``. Every write
    goes to a temporary file in the same folder, is fsynced and renamed into place, so a
    killed app or a full disk never leaves a half-written photo under its name.

    Example::

        store = PhotoStore(data_dir / "photos")
        sha = store.put(process_photo(data))
        store.read(sha), store.read_thumbnail(sha), store.verify(sha)
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Return where the stored photo with this hash lives (whether or not it is there)."""
        sha = _check_sha(sha256)
        return self.root / sha[:2] / sha[2:4] / f"{sha}.jpg"

    def thumbnail_path(self, sha256: str) -> Path:
        """Return where the thumbnail of the photo with this hash lives."""
        sha = _check_sha(sha256)
        return self.root / "thumbs" / sha[:2] / sha[2:4] / f"{sha}.jpg"

    def has(self, sha256: str) -> bool:
        """Tell whether the photo with this hash is stored."""
        return self.path(sha256).is_file()

    def put(self, processed: ProcessedPhoto) -> str:
        """Store a processed photo and its thumbnail once; return its hash."""
        sha = _check_sha(processed.sha256)
        actual = hashlib.sha256(processed.data).hexdigest()
        if actual != sha:
            raise _hash_mismatch(sha, actual)
        photo_path, thumb_path = self.path(sha), self.thumbnail_path(sha)
        # The thumbnail goes first, so a photo that is there always has its thumbnail.
        wrote_thumbnail = False
        if not thumb_path.is_file():
            _write_atomic(thumb_path, processed.thumbnail)
            wrote_thumbnail = True
        if not photo_path.is_file():
            try:
                _write_atomic(photo_path, processed.data)
            except BaseException:
                if wrote_thumbnail:
                    thumb_path.unlink(missing_ok=True)
                raise
        return sha

    def put_bytes(self, sha256: str, data: bytes) -> str:
        """Store uploaded stored-photo bytes once, refusing them unless they hash to ``sha256``."""
        sha = _check_sha(sha256)
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha:
            raise _hash_mismatch(sha, actual)
        if not self.has(sha):
            _write_atomic(self.path(sha), bytes(data))
        return sha

    def read(self, sha256: str) -> bytes:
        """Return the stored photo's bytes; FileNotFoundError when it is not stored."""
        return self.path(sha256).read_bytes()

    def read_thumbnail(self, sha256: str) -> bytes:
        """Return the thumbnail, making it from the stored photo if the photo came without one."""
        thumb_path = self.thumbnail_path(sha256)
        try:
            return thumb_path.read_bytes()
        except FileNotFoundError:
            thumbnail = make_thumbnail(self.read(sha256))
            _write_atomic(thumb_path, thumbnail)
            return thumbnail

    def verify(self, sha256: str) -> bool:
        """Tell whether the stored photo is there and its bytes still hash to ``sha256``."""
        try:
            digest = hashlib.sha256(self.path(sha256).read_bytes()).hexdigest()
        except FileNotFoundError:
            return False
        return digest == sha256
