"""Every stored photo fits the 300 KB a village 3G link can carry, the most detailed ones too."""

from __future__ import annotations

import functools
import hashlib
import random

import pytest
from PIL import Image

from app.photos import TARGET_BYTES, process_photo
from tests.app.test_photos import (
    ACCEPTED,
    PHONE_PHOTOS,
    WATERMARK,
    decoded,
    encode,
    fixture_bytes,
    jpeg_segments,
    processed,
)

BUDGET = 300_000  # 300 KB


@functools.cache
def gravel(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A photo with detail in every pixel: gravel, foliage or a high-ISO night shot at their worst."""
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)
    return encode(Image.frombytes("RGB", size, noise), quality=95)


def assert_stored_within_budget(photo) -> None:
    size = len(photo.data)
    assert size <= BUDGET, f"{size:,} bytes"
    stored = decoded(photo.data)
    assert stored.format == "JPEG" and stored.mode == "RGB" and stored.info.get("progressive") == 1
    assert stored.size == (photo.width, photo.height) and max(stored.size) <= 1600
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    assert not {0xE1, 0xE2} & set(jpeg_segments(photo.data)), "no EXIF, no ICC profile"


def test_the_budget_is_300_kib():
    assert TARGET_BYTES == BUDGET


# Every real photo the pipeline accepts, the 12 MP iPhone HEIC and the 9 MP Nokia JPEG
# (the largest by pixels and by file size) among them.
@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_every_fixture_photo_fits_the_budget(name):
    assert_stored_within_budget(processed(name))


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_every_fixture_photo_fits_the_budget_with_the_watermark(name):
    assert_stored_within_budget(process_photo(fixture_bytes(name), watermark=WATERMARK))


@pytest.mark.parametrize("name", PHONE_PHOTOS)
def test_phone_photo_thumbnails_are_small(name):
    assert len(processed(name).thumbnail) <= 40 * 1024


def test_the_nokia_photo_is_stored_well_under_the_budget():
    original = fixture_bytes("mobile-HMD_Nokia_8.3_5G.jpg")
    assert len(processed("mobile-HMD_Nokia_8.3_5G.jpg").data) <= min(BUDGET, len(original) // 8)


def test_a_detailed_photo_that_fits_at_a_lower_quality_keeps_every_pixel():
    # A third detail, the rest flat: too big at quality 80, small enough above the floor.
    im = Image.new("RGB", (1600, 1200), (90, 120, 60))
    im.paste(decoded(gravel((1600, 384))), (0, 0))
    photo = process_photo(encode(im, quality=95))
    assert_stored_within_budget(photo)
    assert (photo.width, photo.height) == (1600, 1200)


@pytest.mark.parametrize("watermark", [None, WATERMARK], ids=["plain", "watermarked"])
def test_a_photo_with_detail_in_every_pixel_still_fits(watermark):
    photo = process_photo(gravel(), watermark=watermark)
    assert_stored_within_budget(photo)
    # Fewer pixels are the last resort, after the lowest quality: the photo keeps its shape.
    assert photo.width / photo.height == pytest.approx(1600 / 1200, abs=0.01)
