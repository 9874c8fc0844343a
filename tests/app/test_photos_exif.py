"""Where and when a photo was taken, read from its EXIF; damaged metadata never fails a photo."""

from __future__ import annotations

import struct
from datetime import datetime, timezone

import pytest
from PIL import Image

from app.photos import process_photo
from tests.app.test_photos import FIXTURES, GPS_FILES, encode, processed, test_picture

def expected_position(name: str) -> tuple[float, float]:
    """Work out the decimal position from the raw EXIF with Pillow, apart from our parser."""
    with Image.open(FIXTURES / name) as original:
        gps = original.getexif().get_ifd(0x8825)

    def decimal(ref, dms, negative):
        degrees, minutes, seconds = (float(v) for v in dms)
        value = degrees + minutes / 60 + seconds / 3600
        return -value if ref.strip().upper() == negative else value

    return decimal(gps[1], gps[2], "S"), decimal(gps[3], gps[4], "W")


@pytest.mark.parametrize("name", GPS_FILES)
def test_gps_position_of_camera_photos(name):
    photo = processed(name)
    latitude, longitude = expected_position(name)
    assert photo.latitude == pytest.approx(latitude, abs=1e-7)
    assert photo.longitude == pytest.approx(longitude, abs=1e-7)
    assert photo.latitude == pytest.approx(43.47, abs=0.01)
    assert photo.longitude == pytest.approx(11.88, abs=0.01)


@pytest.mark.parametrize(
    "name, near",
    [
        ("mobile-HMD_Nokia_8.3_5G.jpg", (60.15, 24.91)),
        # The HEIC's reference is West (Missouri, USA), so the longitude is negative.
        ("heic-IMG_5195.HEIC", (39.05, -94.29)),
    ],
)
def test_gps_position_of_phone_photos(name, near):
    photo = processed(name)
    latitude, longitude = expected_position(name)
    assert (photo.latitude, photo.longitude) == pytest.approx((latitude, longitude), abs=1e-7)
    assert (photo.latitude, photo.longitude) == pytest.approx(near, abs=0.01)


@pytest.mark.parametrize(
    "name",
    ["mobile-jolla.jpg", "heic-mobile-iphone_13_pro_max.HEIC", "invalid-image00971.jpg", "orientation-landscape_6.jpg"],
)
def test_photos_without_gps_have_no_position(name):
    photo = processed(name)
    assert photo.latitude is None and photo.longitude is None


@pytest.mark.parametrize(
    "name, utc",
    [
        # DateTimeOriginal 14:12:31 with OffsetTimeOriginal +03:00.
        ("mobile-HMD_Nokia_8.3_5G.jpg", datetime(2022, 8, 14, 11, 12, 31, tzinfo=timezone.utc)),
        # -05:00 in a HEIC.
        ("heic-IMG_5195.HEIC", datetime(2021, 4, 11, 20, 47, 53, tzinfo=timezone.utc)),
        # No offset recorded: taken as China time, UTC+8.
        ("gps-DSCN0010.jpg", datetime(2008, 10, 22, 8, 28, 39, tzinfo=timezone.utc)),
        ("mobile-jolla.jpg", datetime(2014, 9, 21, 8, 0, 56, tzinfo=timezone.utc)),
        ("orientation-landscape_1.jpg", None),
    ],
)
def test_capture_time_is_read_in_utc(name, utc):
    taken_at = processed(name).taken_at
    assert taken_at == utc
    if utc is not None:
        assert taken_at.utcoffset().total_seconds() == 0


def test_malformed_exif_fixture_is_accepted_and_its_metadata_ignored():
    photo = processed("invalid-image00971.jpg")
    assert (photo.width, photo.height) == (636, 227)
    assert photo.latitude is None and photo.taken_at is None


def tiff(entries: list[tuple[int, int, int, bytes]], extra: bytes = b"") -> bytes:
    """Build a big-endian EXIF block with one IFD of (tag, type, count, value) entries."""
    head = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", len(entries))
    body = b"".join(
        struct.pack(">HHI", tag, kind, count) + value.ljust(4, b"\x00") for tag, kind, count, value in entries
    )
    return b"Exif\x00\x00" + head + body + b"\x00\x00\x00\x00" + extra


@pytest.mark.parametrize(
    "exif",
    [
        b"Exif\x00\x00garbage",
        b"Exif\x00\x00MM\x00*\x00\x00\xff\xff",  # first IFD far past the end
        tiff([(0x8825, 4, 1, struct.pack(">I", 60000))]),  # GPS IFD past the end
        # DateTimeOriginal pointing past the end
        tiff([(0x8769, 4, 1, struct.pack(">I", 26))], struct.pack(">HHHII", 1, 0x9003, 2, 20, 99999)),
        tiff([(0x0112, 3, 1, struct.pack(">H", 77))]),  # orientation out of range
        tiff([(0x0112, 2, 4, b"six\x00")]),  # orientation of the wrong type
    ],
)
def test_broken_exif_never_fails_a_photo(exif):
    data = encode(test_picture(), exif=exif)
    photo = process_photo(data)
    assert (photo.width, photo.height) == (400, 300)
    assert photo.latitude is None and photo.taken_at is None


def gps_exif(lat_ref: bytes, lat: list[tuple[int, int]], lon_ref: bytes, lon: list[tuple[int, int]]) -> bytes:
    """EXIF with a GPS IFD holding the given refs and rationals."""
    # Layout: IFD0 at 8 (1 entry: GPS pointer) -> GPS IFD at 26 (4 entries) -> rationals at 80.
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, 26) + b"\x00" * 4
    lat_data = b"".join(struct.pack(">II", n, d) for n, d in lat)
    lon_data = b"".join(struct.pack(">II", n, d) for n, d in lon)
    gps = struct.pack(">H", 4)
    gps += struct.pack(">HHI", 1, 2, 2) + lat_ref.ljust(4, b"\x00")
    gps += struct.pack(">HHII", 2, 5, len(lat), 80)
    gps += struct.pack(">HHI", 3, 2, 2) + lon_ref.ljust(4, b"\x00")
    gps += struct.pack(">HHII", 4, 5, len(lon), 80 + len(lat_data))
    gps += b"\x00" * 4
    block = b"MM\x00*" + struct.pack(">I", 8) + ifd0 + gps
    assert len(block) == 80
    return b"Exif\x00\x00" + block + lat_data + lon_data


@pytest.mark.parametrize(
    "exif, expected",
    [
        (gps_exif(b"N", [(30, 1), (30, 1), (36, 1)], b"E", [(114, 1), (18, 1), (0, 1)]), (30.51, 114.3)),
        (gps_exif(b"S", [(33, 1), (51, 1), (0, 1)], b"W", [(70, 1), (30, 1), (0, 1)]), (-33.85, -70.5)),
        (gps_exif(b"N", [(30, 1), (30, 0), (36, 1)], b"E", [(114, 1), (18, 1), (0, 1)]), (None, None)),
        (gps_exif(b"X", [(30, 1), (30, 1), (36, 1)], b"E", [(114, 1), (18, 1), (0, 1)]), (None, None)),
        (gps_exif(b"N", [(95, 1), (0, 1), (0, 1)], b"E", [(114, 1), (18, 1), (0, 1)]), (None, None)),
        (gps_exif(b"N", [(0, 1), (0, 1), (0, 1)], b"E", [(0, 1), (0, 1), (0, 1)]), (None, None)),
    ],
)
def test_gps_refs_signs_and_malformed_values(exif, expected):
    photo = process_photo(encode(test_picture(), exif=exif))
    if expected[0] is None:
        assert (photo.latitude, photo.longitude) == (None, None)
    else:
        assert (photo.latitude, photo.longitude) == pytest.approx(expected, abs=1e-9)

