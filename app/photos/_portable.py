"""The photo pipeline over another image codec than Pillow: the browser's, through an injected object.

In the browser build (Pyodide) there is no Pillow, but the browser decodes, turns upright,
resizes and encodes JPEG itself. Everything that is not pixels stays here and is the same
code as the Pillow path: the format sniffing, the header's pixel count, the JPEG structure
check, GPS and capture time read from the original's EXIF, the watermark's layout, the
quality steps to the 300 KB budget and the SHA-256 address. The codec only moves pixels:

    use_codec(CanvasCodec(font_url))       # once, by the browser build's entry point
    photo = await process_photo_with(codec, data, watermark=...)
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from app.photos import _jpeg
from app.photos._budget import QUALITY_FLOOR, next_attempt
from app.photos._dimensions import check_pixels, header_size
from app.photos._errors import PhotoError, empty, unsupported
from app.photos._exif import read_metadata
from app.photos._pipeline import TARGET_BYTES, ProcessedPhoto
from app.photos._sniff import sniff
from app.photos._watermark import Watermark, layout_lines


class ImageCodec(Protocol):
    """What the pipeline needs from an image codec; `image` is the codec's own handle."""

    async def decode_upright(self, fmt: str, data: bytes, max_edge: int) -> Any:
        """Decode the original bytes with its EXIF orientation applied, long edge at most max_edge, on white."""

    def size(self, image: Any) -> tuple[int, int]: ...

    async def resized(self, image: Any, edge: int) -> Any:
        """Return a copy with its long edge at most ``edge``."""

    def measure(self, text: str, font_size: int) -> float:
        """Width of ``text`` in the watermark font at ``font_size`` px."""

    async def draw_watermark(self, image: Any, lines: list[str], font_size: int, band: int, pad: int,
                             line_height: int) -> None: ...

    async def encode(self, image: Any, quality: int) -> bytes:
        """Encode as an sRGB JPEG carrying no metadata."""

    def close(self, image: Any) -> None: ...


_codec: ImageCodec | None = None


def use_codec(codec: ImageCodec | None) -> None:
    """Process photos with ``codec`` instead of Pillow from now on (None: back to Pillow)."""
    global _codec
    _codec = codec


def current_codec() -> ImageCodec | None:
    return _codec


async def process_photo_with(codec: ImageCodec, data: bytes, *, max_edge: int = 1600, quality: int = 80,
                             thumb_edge: int = 320, watermark: Watermark | None = None,
                             max_pixels: int = 50_000_000) -> ProcessedPhoto:
    """``process_photo``'s contract through ``codec``: upright, ≤ max_edge, ≤ 300 KB, no EXIF, by SHA-256."""
    if not data:
        raise empty()
    data = bytes(data)
    fmt = sniff(data)
    raw_exif = None
    if fmt == "HEIF":
        declared = None  # the container is read by the browser's decoder, if it has one
    else:
        declared = header_size(fmt, data)
        check_pixels(*declared, max_pixels)
    if fmt == "JPEG":
        _jpeg.check_stream(data)
        _, raw_exif = _jpeg.split_metadata(data)
    meta = read_metadata(raw_exif)  # GPS and time from the original, before anything is re-encoded
    try:
        image = await codec.decode_upright(fmt, data, max_edge)
    except PhotoError:
        raise
    except Exception as exc:
        if fmt == "HEIF":  # e.g. Chromium and Firefox have no HEIC decoder; Safari has
            raise unsupported("HEIC") from exc
        from app.photos._errors import damaged

        raise damaged(f"{type(exc).__name__}: {exc}") from exc
    images = [image]
    try:
        width, height = codec.size(image)
        if declared is None:
            check_pixels(width, height, max_pixels)
        if watermark is not None:
            lines, font_size, band, pad, line_height = layout_lines((width, height), watermark,
                                                                   codec.measure)
            if lines:
                await codec.draw_watermark(image, lines, font_size, band, pad, line_height)
        stored, image = await _encode_within(codec, image, quality, TARGET_BYTES, images)
        thumb = await codec.resized(image, thumb_edge)
        images.append(thumb)
        thumbnail = await _encode(codec, thumb, quality)
        width, height = codec.size(image)
    finally:
        for each in images:
            codec.close(each)
    return ProcessedPhoto(data=stored, thumbnail=thumbnail, width=width, height=height,
                          sha256=hashlib.sha256(stored).hexdigest(), latitude=meta.latitude,
                          longitude=meta.longitude, taken_at=meta.taken_at)


async def _encode(codec: ImageCodec, image, quality: int) -> bytes:
    # The canvas is sRGB and says so in a profile of its own: dropped, like every other segment.
    return _jpeg.without_metadata(await codec.encode(image, quality))


async def _encode_within(codec: ImageCodec, image, quality: int, budget: int, images: list):
    floor = min(quality, QUALITY_FLOOR)
    data = await _encode(codec, image, quality)
    while True:
        step = next_attempt(len(data), budget, quality, floor, codec.size(image))
        if step is None:
            return data, image
        quality, edge = step
        if edge is not None:
            image = await codec.resized(image, edge)
            images.append(image)
        data = await _encode(codec, image, quality)
