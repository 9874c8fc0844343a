"""Turn camera bytes into the stored photo: checked, upright, small, stamped, free of EXIF."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from app.photos import _jpeg
from app.photos._dimensions import check_pixels, header_size
from app.photos._errors import empty
from app.photos._exif import read_metadata
from app.photos._sniff import sniff
from app.photos._watermark import Watermark, burn_watermark

# What one stored photo may weigh on a village 3G link (300 KiB); a detailed photo that
# would be larger is encoded at a lower quality, and the most detailed with fewer pixels.
TARGET_BYTES = 300_000  # 300 KB as the issue and the README count them: what a village link carries


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

    The stored JPEG weighs at most ``TARGET_BYTES``. Raises ``PhotoError`` for anything
    that is not a usable JPEG, PNG, WebP or HEIC photo.
    """
    if not data:
        raise empty()
    # Pillow is loaded with the first photo, not with the package (see _codec).
    from app.photos import _codec

    data = bytes(data)
    fmt = sniff(data)
    width, height = header_size(fmt, data)
    limit = _codec.pixel_limit(max_pixels)
    check_pixels(width, height, limit)
    raw_exif = None
    if fmt == "JPEG":
        _jpeg.check_stream(data)
        data, raw_exif = _jpeg.split_metadata(data)

    im = _codec.decode(fmt, data, max_edge)
    if im.size[0] * im.size[1] > width * height:  # never trust a header the decoder disagrees with
        check_pixels(*im.size, limit)
    meta = read_metadata(raw_exif if fmt == "JPEG" else im.info.get("exif"))
    # pillow-heif already applied the container's rotation and reset the EXIF tag.
    orientation = 1 if fmt == "HEIF" else meta.orientation
    im = _codec.to_upright_srgb(im, max_edge, orientation, im.info.get("icc_profile"))

    if watermark is not None:
        burn_watermark(im, watermark)
    im, stored = _codec.encode_within(im, quality, TARGET_BYTES)
    return ProcessedPhoto(
        data=stored,
        thumbnail=_codec.thumbnail(im, thumb_edge, quality),
        width=im.size[0],
        height=im.size[1],
        sha256=hashlib.sha256(stored).hexdigest(),
        latitude=meta.latitude,
        longitude=meta.longitude,
        taken_at=meta.taken_at,
    )


def make_thumbnail(stored: bytes, *, thumb_edge: int = 320, quality: int = 80) -> bytes:
    """Return a list thumbnail for an already stored JPEG (e.g. a blob pulled from the server)."""
    from app.photos import _codec

    im = _codec.to_upright_srgb(_codec.decode("JPEG", stored, thumb_edge), thumb_edge, 1, None)
    return _codec.thumbnail(im, thumb_edge, quality)
