"""Walk a JPEG's marker structure: its header segments, its frame, its metadata, its scan data."""

from __future__ import annotations

import re
import struct

from app.photos._errors import damaged

_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})

# After a scan's data only these markers may follow (tables, another scan, the end).
_AFTER_SCAN = frozenset({0xC4, 0xCC, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xFE} | set(range(0xE0, 0xF0)))
# Inside scan data 0xFF is followed by 0x00 (a stuffed data byte), a restart marker, or
# more 0xFF fill bytes before a marker. Both patterns start with a literal byte, so the
# regex engine skips through megabytes of data at C speed.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_RESTART = re.compile(rb"\xff([\xd0-\xd7])")
_RESTART_CYCLE = bytes(range(0xD0, 0xD8))


def _next_marker(data: bytes, pos: int) -> tuple[int, int] | None:
    """Return (marker, offset of its 0xFF) of the next marker from pos, skipping fill bytes."""
    pos = data.find(b"\xff", pos)
    if pos < 0:
        return None
    n = len(data)
    while pos + 1 < n and data[pos + 1] == 0xFF:
        pos += 1
    return (data[pos + 1], pos) if pos + 1 < n else None


def _header(data: bytes) -> tuple[list[tuple[int, int, int]], int]:
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
    raise damaged("no JPEG image data")


def frame(data: bytes) -> tuple[int, int, int, bytes]:
    """Return (marker, width, height, SOF body) of the frame header."""
    segments, _ = _header(data)
    for marker, start, end in segments:
        if marker in _SOF_MARKERS and end - start >= 10:
            body = data[start + 4 : end]
            height, width = struct.unpack(">HH", body[1:5])
            return marker, width, height, body
    raise damaged("no JPEG frame header")


def split_metadata(data: bytes) -> tuple[bytes, bytes | None]:
    """Return the JPEG with only what decoding needs, and its raw EXIF block (APP1).

    Pillow reads EXIF and MPF segments while opening and warns on malformed ones; we read
    EXIF ourselves, so it only gets the frame, tables, ICC profile and Adobe colour flags.
    """
    segments, scan = _header(data)
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


def without_metadata(data: bytes) -> bytes:
    """Return a JPEG with every application segment but JFIF and Adobe's colour flags removed.

    For an encoder that writes its own profile or comment (a browser's canvas writes its sRGB
    profile): the stored photo carries no metadata, whichever encoder made it.
    """
    segments, scan = _header(data)
    kept = [data[:2]]
    for marker, start, end in segments:
        if marker in (0xE0, 0xEE) or marker < 0xE0:
            kept.append(data[start:end])
    kept.append(data[scan:])
    return b"".join(kept)


def check_stream(data: bytes) -> None:
    """Refuse a JPEG whose compressed data is visibly broken.

    libjpeg only warns (and Pillow stays silent) when scan data is damaged: it resyncs on
    the next restart marker and paints grey over the gap. A damaged photo must not be
    stored as evidence, so walk the marker structure: restart markers in sequence and in
    the expected number, nothing but a legal marker after a scan, and an end-of-image.
    """
    sof_marker, width, height, sof = frame(data)
    components: dict[int, tuple[int, int]] = {}
    for i in range(sof[5] if len(sof) > 5 else 0):
        entry = sof[6 + 3 * i : 9 + 3 * i]
        if len(entry) == 3:
            components[entry[0]] = (entry[1] >> 4 or 1, entry[1] & 0x0F or 1)
    h_max = max((h for h, _ in components.values()), default=1)
    v_max = max((v for _, v in components.values()), default=1)
    progressive = sof_marker in _PROGRESSIVE

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
            raise damaged("restart marker out of sequence")
        code = data[end.start() + 1]
        if code not in _AFTER_SCAN:
            raise damaged(f"unexpected marker 0x{code:02X} in the image data")
        if interval and not progressive:
            units = _scan_units(width, height, h_max, v_max, components, scan_ids)
            if units and len(restarts) != _ceil_div(units, interval) - 1:
                raise damaged("image data cut short")
        pos = end.start()
    raise damaged("the file ends before the image does")


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
