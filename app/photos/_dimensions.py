"""Read an image's width and height from its header, decoding no pixels, and refuse too many."""

from __future__ import annotations

import struct

from app.photos import _jpeg
from app.photos._errors import damaged, too_many_pixels
from app.photos._heif import heif_size


def header_size(fmt: str, data: bytes) -> tuple[int, int]:
    """Return the width and height the header of a file in format ``fmt`` declares."""
    if fmt == "JPEG":
        _, width, height, _ = _jpeg.frame(data)
    elif fmt == "PNG":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise damaged("no PNG header")
        width, height = struct.unpack(">II", data[16:24])
    elif fmt == "WEBP":
        width, height = _webp_size(data)
    else:
        width, height = heif_size(data)
    if width <= 0 or height <= 0:
        raise damaged("zero image size")
    return width, height


def check_pixels(width: int, height: int, limit: int) -> None:
    """Refuse an image of more than ``limit`` pixels."""
    if width * height > limit:
        raise too_many_pixels(width, height, limit)


def fit_size(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """Return ``size`` scaled down so its long edge is at most ``edge`` (never scaled up)."""
    width, height = size
    scale = edge / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[26:30]))
        return width, height
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    raise damaged("no WebP header")
