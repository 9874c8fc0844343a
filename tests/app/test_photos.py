"""The photo pipeline on real phone and camera photos: upright, small, private, refused when bad.

The helpers here (fixtures, encode, processed, ...) serve the other test_photos_*.py files too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import io
import json
import pickle
import re
import struct
import threading
import time
import zlib
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image, ImageChops, ImageCms, ImageFile, ImageOps, ImageStat

from app.i18n import Translator
from app.photos import (
    bundled_font,
    PhotoError,
    PhotoStore,
    ProcessedPhoto,
    Watermark,
    process_photo,
    process_photos,
    _batch,
    watermark_band_height,
)
from app.problems import Problem

REPO_ROOT = Path(__file__).resolve().parents[2]
# The tests open HEIC fixtures with Pillow as an independent reference; the app registers
# the opener itself on its first HEIC (see test_photos_package.py).
pillow_heif.register_heif_opener()


def fixtures_dir() -> Path:
    """Return the shared photo fixtures: the `shared` folder beside the repository root."""
    return REPO_ROOT.parent / "shared" / "fixtures" / "photos"


FIXTURES = fixtures_dir()

# Every fixture and what must come of it: the upright shape of an accepted photo, or the
# code a refused one gets. A new fixture fails test_every_fixture_is_classified until it
# is added here.
ACCEPTED = {
    "gps-DSCN0010.jpg": "landscape",
    "gps-DSCN0012.jpg": "landscape",
    "gps-DSCN0021.jpg": "landscape",
    "gps-DSCN0025.jpg": "landscape",
    "gps-DSCN0027.jpg": "landscape",
    "orientation-landscape_1.jpg": "landscape",
    "orientation-landscape_3.jpg": "landscape",
    "orientation-landscape_6.jpg": "landscape",
    "orientation-landscape_8.jpg": "landscape",
    "orientation-portrait_1.jpg": "portrait",
    "orientation-portrait_6.jpg": "portrait",
    "mobile-HMD_Nokia_8.3_5G.jpg": "landscape",
    "mobile-jolla.jpg": "landscape",
    "heic-mobile-iphone_13_pro_max.HEIC": "portrait",
    "heic-IMG_5195.HEIC": "portrait",
    "invalid-image00971.jpg": "landscape",
}
REFUSED = {"corrupted.jpg": "photo.damaged"}
GPS_FILES = sorted(name for name in ACCEPTED if name.startswith("gps-"))
PHONE_PHOTOS = sorted(name for name in ACCEPTED if name.startswith(("mobile-", "heic-")))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@functools.cache
def processed(name: str) -> ProcessedPhoto:
    """Process a fixture once per test run; ProcessedPhoto is immutable, so sharing is safe."""
    return process_photo(fixture_bytes(name))


def refusal(data: bytes, **kw) -> PhotoError:
    with pytest.raises(PhotoError) as caught:
        process_photo(data, **kw)
    return caught.value


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def jpeg_segments(data: bytes) -> list[int]:
    """List the marker codes of a JPEG's header segments, up to the first scan."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"no marker at {pos}"
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    raise AssertionError("no scan")


def encode(im: Image.Image, fmt: str = "JPEG", **kw) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def test_picture(size=(400, 300)) -> Image.Image:
    """An asymmetric picture: a gradient with a red block in the top-left corner."""
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    im.paste((220, 30, 30), (0, 0, size[0] // 3, size[1] // 4))
    return im


test_picture.__test__ = False  # a helper, not a test


def mean_difference(a: Image.Image, b: Image.Image, size=(64, 48)) -> float:
    small = lambda im: im.convert("L").resize(size, Image.Resampling.BOX)  # noqa: E731
    return ImageStat.Stat(ImageChops.difference(small(a), small(b))).mean[0]


# --------------------------------------------------------------------------- fixtures


def test_every_fixture_is_classified():
    found = {p.name for p in FIXTURES.iterdir() if p.name != "README.md"}
    assert found, f"no fixtures at {FIXTURES}"
    assert found == set(ACCEPTED) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_photo_comes_out_upright_small_and_as_a_clean_jpeg(name):
    photo = processed(name)
    with Image.open(FIXTURES / name) as original:
        original_edge = max(original.size)
    stored = decoded(photo.data)
    assert stored.format == "JPEG" and stored.mode == "RGB"
    assert stored.size == (photo.width, photo.height)
    assert max(stored.size) == min(1600, original_edge)
    shape = "landscape" if stored.width > stored.height else "portrait"
    assert shape == ACCEPTED[name]
    assert stored.info.get("progressive") == 1, "stored photos are progressive JPEGs"
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()

    thumb = decoded(photo.thumbnail)
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert abs(thumb.width / thumb.height - stored.width / stored.height) < 0.02


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_stored_photo_and_thumbnail_carry_no_metadata(name):
    photo = processed(name)
    for data in (photo.data, photo.thumbnail):
        im = decoded(data)
        assert len(im.getexif()) == 0
        assert b"Exif\x00\x00" not in data
        markers = jpeg_segments(data)
        # APP1 (EXIF/XMP), APP2 (ICC, MPF), APP13 (IPTC) and COM must all be gone.
        assert not {0xE1, 0xE2, 0xED, 0xFE} & set(markers), [hex(m) for m in markers]
        assert "icc_profile" not in im.info and "xmp" not in im.info


def test_camera_make_and_model_do_not_survive():
    with Image.open(FIXTURES / "mobile-HMD_Nokia_8.3_5G.jpg") as original:
        source = original.getexif()
    make, model = source.get(0x010F), source.get(0x0110)
    assert make and model
    data = processed("mobile-HMD_Nokia_8.3_5G.jpg").data
    assert make.strip("\x00 ").encode() not in data and model.strip("\x00 ").encode() not in data


@pytest.mark.parametrize(
    "name, upright",
    [
        ("orientation-landscape_3.jpg", "orientation-landscape_1.jpg"),
        ("orientation-landscape_6.jpg", "orientation-landscape_1.jpg"),
        ("orientation-landscape_8.jpg", "orientation-landscape_1.jpg"),
        ("orientation-portrait_6.jpg", "orientation-portrait_1.jpg"),
    ],
)
def test_orientation_tag_is_applied_to_the_pixels(name, upright):
    ours, reference = decoded(processed(name).data), decoded(processed(upright).data)
    assert ours.size == reference.size
    difference = mean_difference(ours, reference)
    assert difference < 6, f"{name} does not look like {upright} (mean difference {difference:.1f})"
    # The check can tell orientations apart: the same picture upside down is far off.
    assert mean_difference(ours, reference.transpose(Image.Transpose.ROTATE_180)) > 4 * max(difference, 2)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_all_eight_exif_orientations_including_mirrors(orientation):
    upright = test_picture()
    # Store pixels so that applying the tag gives the upright picture back.
    inverse = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_90,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_270,
    }
    raw = upright.transpose(inverse[orientation]) if orientation in inverse else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(raw, quality=95, exif=exif.tobytes())
    # Pillow's own exif_transpose is the independent reference.
    expected = ImageOps.exif_transpose(decoded(data))
    assert mean_difference(expected, upright) < 3
    ours = decoded(process_photo(data).data)
    assert ours.size == upright.size
    assert mean_difference(ours, upright) < 3


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    decoded_sizes = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded_sizes.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    process_photo(fixture_bytes("mobile-HMD_Nokia_8.3_5G.jpg"))
    assert decoded_sizes and decoded_sizes[0] == (2304, 988), decoded_sizes


# --------------------------------------------------------------------------- formats


def test_heic_photos_are_accepted_upright():
    photo = processed("heic-mobile-iphone_13_pro_max.HEIC")
    assert (photo.width, photo.height) == (1200, 1600)
    assert processed("heic-IMG_5195.HEIC").height == 1600


def test_png_and_webp_are_accepted():
    for data in (encode(test_picture(), "PNG"), encode(test_picture(), "WEBP", quality=90)):
        photo = process_photo(data)
        assert (photo.width, photo.height) == (400, 300)
        assert mean_difference(decoded(photo.data), test_picture()) < 3


def test_transparency_is_flattened_onto_white():
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    im.paste((0, 0, 255, 255), (0, 0, 100, 100))
    stored = decoded(process_photo(encode(im, "PNG")).data)
    assert all(abs(a - b) <= 3 for a, b in zip(stored.getpixel((170, 50)), (255, 255, 255)))
    assert stored.getpixel((30, 50))[2] > 240 and stored.getpixel((30, 50))[0] < 15


def test_an_embedded_colour_profile_is_converted_to_srgb():
    with Image.open(FIXTURES / "heic-mobile-iphone_13_pro_max.HEIC") as heic:
        display_p3 = heic.info["icc_profile"]
    colour = (40, 200, 90)
    data = encode(Image.new("RGB", (64, 64), colour), "PNG", icc_profile=display_p3)
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), colour),
        ImageCms.ImageCmsProfile(io.BytesIO(display_p3)),
        ImageCms.createProfile("sRGB"),
    ).getpixel((0, 0))
    assert max(abs(a - b) for a, b in zip(expected, colour)) > 10, "pick a colour P3 and sRGB disagree on"
    got = decoded(process_photo(data).data).getpixel((32, 32))
    assert max(abs(a - b) for a, b in zip(got, expected)) <= 4, (got, expected)


def test_a_damaged_jpeg_is_refused():
    error = refusal(fixture_bytes("corrupted.jpg"))
    assert error.code == "photo.damaged"
    assert "damaged" in str(error)


@pytest.mark.parametrize(
    "cut",
    [
        lambda data: data[: len(data) // 2],  # a transfer that stopped half way
        lambda data: data[:-2],  # only the end-of-image marker missing
        lambda data: data[:600] + bytes(4000) + data[4600:],  # a block of zeros in the data
        lambda data: data[:3] + b"\x00" * 200,  # a JPEG signature and nothing after it
    ],
)
def test_truncated_and_overwritten_jpegs_are_refused(cut):
    data = encode(test_picture((800, 600)), quality=90, restart_marker_rows=1)
    assert refusal(cut(data)).code == "photo.damaged"


def restart_intervals_rearranged(how: str) -> bytes:
    """A JPEG that decodes without an error and a full last row, but with a lost or moved stripe."""
    data = encode(test_picture((800, 600)), quality=90, restart_marker_rows=1)
    a, b, c = (m.start() for m in list(re.finditer(rb"\xff[\xd0-\xd7]", data))[10:13])
    if how == "swapped":
        return data[:a] + data[b:c] + data[a:b] + data[c:]
    return data[:a] + data[b:]


@pytest.mark.parametrize("how", ["swapped", "dropped"])
def test_a_jpeg_with_moved_or_lost_stripes_is_refused(how):
    data = restart_intervals_rearranged(how)
    decoded(data)  # libjpeg itself only warns, and Pillow stays silent
    assert refusal(data).code == "photo.damaged"


def test_a_jpeg_whose_data_ran_out_early_is_refused_even_without_restart_markers():
    data = encode(test_picture((800, 600)), quality=90)
    stitched = data[: len(data) // 3] + data[2 * len(data) // 3 :]
    assert refusal(stitched).code == "photo.damaged"


def test_a_text_file_is_refused_as_not_an_image():
    error = refusal("走访记录：石桥村饮水问题\nnotes about the visit\n".encode())
    assert error.code == "photo.not_image"
    assert error.params == {"got": "text"}


def test_a_gif_is_refused_by_name():
    error = refusal(encode(test_picture(), "GIF"))
    assert error.code == "photo.unsupported_format"
    assert error.params == {"format": "GIF"}
    assert "GIF" in str(error)


@pytest.mark.parametrize(
    "data, code, params",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "photo.not_image", {"got": "PDF"}),
        (b"PK\x03\x04\x14\x00\x06\x00", "photo.not_image", {"got": "ZIP"}),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "photo.not_image", {"got": "MP4"}),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "photo.unsupported_format", {"format": "AVIF"}),
        (bytes(range(256)) * 4, "photo.not_image", {"got": "unknown"}),
    ],
)
def test_other_files_are_refused_naming_what_they_are(data, code, params):
    error = refusal(data)
    assert (error.code, error.params) == (code, params)


def test_other_image_formats_are_named():
    for fmt, name in (("BMP", "BMP"), ("TIFF", "TIFF")):
        error = refusal(encode(test_picture(), fmt))
        assert (error.code, error.params) == ("photo.unsupported_format", {"format": name})


def test_an_empty_file_is_refused():
    assert refusal(b"").code == "photo.empty"


# --------------------------------------------------------------------------- pixel bombs


def png_header_only(width: int, height: int, bit_depth: int = 1, colour_type: int = 0) -> bytes:
    """A PNG claiming a size, with a valid IHDR and a token IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def bomb_png(side: int = 20_000) -> bytes:
    """A real, complete 1-bit PNG of side x side white pixels, made in a fraction of a second."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * (side // 8)
    parts = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    idat = b"".join(parts) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def forbid_decoding(monkeypatch) -> None:
    """Make any later attempt to open or decode pixels fail the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the pipeline decoded an image it should have refused from its header")

    monkeypatch.setattr(Image, "open", forbidden)
    monkeypatch.setattr(Image.Image, "load", forbidden)
    monkeypatch.setattr(ImageFile.ImageFile, "load", forbidden)


def test_a_20000_pixel_square_png_is_refused_from_its_header(monkeypatch):
    data = bomb_png()
    forbid_decoding(monkeypatch)
    assert len(data) < 200_000
    started = time.perf_counter()
    error = refusal(data)
    assert time.perf_counter() - started < 0.5
    assert error.code == "photo.too_many_pixels"
    assert (error.params["width"], error.params["height"]) == (20_000, 20_000)


def test_our_pixel_limit_applies_below_pillows_own(monkeypatch):
    forbid_decoding(monkeypatch)
    # 64 MP: over our 50 MP, under the 89 MP where Pillow would first warn.
    assert refusal(png_header_only(8000, 8000)).code == "photo.too_many_pixels"
    assert refusal(png_header_only(100, 100), max_pixels=5_000).code == "photo.too_many_pixels"


def test_a_jpeg_claiming_a_huge_frame_is_refused_from_its_header(monkeypatch):
    data = bytearray(encode(test_picture()))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30_000, 30_000)
    forbid_decoding(monkeypatch)
    assert refusal(bytes(data)).code == "photo.too_many_pixels"


def test_a_webp_claiming_a_huge_canvas_is_refused_from_its_header(monkeypatch):
    forbid_decoding(monkeypatch)
    data = bytearray(b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00" + bytes(10))
    data[24:27] = (15_999).to_bytes(3, "little")
    data[27:30] = (15_999).to_bytes(3, "little")
    assert refusal(bytes(data)).code == "photo.too_many_pixels"


def test_truncated_images_stay_refused(monkeypatch):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_photo(encode(test_picture()))


# --------------------------------------------------------------------------- watermark


def test_the_watermark_font_is_the_bundled_one():
    assert bundled_font() == REPO_ROOT / "assets" / "fonts" / "NotoSansSC-Lianluo.otf"
    assert bundled_font().is_file()


WATERMARK = Watermark(("2026-05-15 10:32", "石桥村 柑桔园 30.12345, 114.56789", "白马镇人大 张代表"))


def test_the_watermark_is_burned_into_the_bottom_band_only():
    data = fixture_bytes("mobile-HMD_Nokia_8.3_5G.jpg")
    plain = decoded(processed("mobile-HMD_Nokia_8.3_5G.jpg").data).convert("L")
    marked_photo = process_photo(data, watermark=WATERMARK)
    marked = decoded(marked_photo.data).convert("L")
    assert marked.size == plain.size
    width, height = marked.size
    band = watermark_band_height(marked.size, WATERMARK)
    assert 0.1 * height < band < 0.4 * height

    difference = ImageChops.difference(plain, marked)
    rows = [y for y in range(height) if difference.crop((0, y, width, y + 1)).getbbox()]
    # JPEG codes 16-pixel rows of blocks: those straddling the band's edge may change too.
    assert rows and min(rows) >= height - band - 16, (min(rows), height - band)
    assert difference.crop((0, 0, width, height - band - 16)).getbbox() is None

    band_plain = ImageStat.Stat(plain.crop((0, height - band, width, height)))
    band_marked = ImageStat.Stat(marked.crop((0, height - band, width, height)))
    assert band_marked.mean[0] < band_plain.mean[0] - 10, "the band is darkened"
    assert band_marked.extrema[0][1] > 235, "white text is drawn on it"
    assert marked_photo.sha256 != processed("mobile-HMD_Nokia_8.3_5G.jpg").sha256


def test_the_watermark_font_can_be_overridden():
    data = encode(test_picture((800, 600)))
    explicit = process_photo(data, watermark=dataclasses.replace(WATERMARK, font_path=bundled_font()))
    assert explicit.data == process_photo(data, watermark=WATERMARK).data
    with pytest.raises(FileNotFoundError, match="no-such-font"):
        process_photo(data, watermark=dataclasses.replace(WATERMARK, font_path="/no-such-font.otf"))


def test_long_watermark_lines_wrap_and_stay_inside_the_band():
    long = Watermark(("石桥村二组王家湾水库下游三百米处的柑桔园，靠近村道的灌溉渠旁边 " * 3,))
    size = (600, 800)
    assert watermark_band_height(size, long) > watermark_band_height(size, Watermark(("短",)))
    assert watermark_band_height(size, long) <= 0.4 * size[1]
    process_photo(encode(test_picture(size)), watermark=long)


# --------------------------------------------------------------------------- many at once


def test_several_photos_are_processed_off_the_event_loop_with_progress(monkeypatch):
    threads, real = [], _batch.process_photo

    def recording(data, **kw):
        threads.append(threading.get_ident())
        return real(data, **kw)

    monkeypatch.setattr(_batch, "process_photo", recording)
    progress = []
    items = [fixture_bytes("gps-DSCN0010.jpg"), b"not a photo at all", fixture_bytes("orientation-portrait_6.jpg")]

    async def capture():
        def report(done, total):
            progress.append((done, total))

        return await process_photos(items, on_progress=report, thumb_edge=100)

    results = asyncio.run(capture())
    assert [type(r) for r in results] == [ProcessedPhoto, PhotoError, ProcessedPhoto]
    assert results[1].code == "photo.not_image"
    assert max(decoded(results[2].thumbnail).size) == 100
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert len(threads) == 3 and threading.get_ident() not in threads


def test_the_progress_callback_may_be_a_coroutine():
    seen = []

    async def report(done, total):
        await asyncio.sleep(0)
        seen.append(done)

    results = asyncio.run(process_photos([fixture_bytes("gps-DSCN0012.jpg")] * 2, on_progress=report))
    assert seen == [1, 2] and results[0].sha256 == results[1].sha256


# --------------------------------------------------------------------------- errors and catalogs


def test_results_are_frozen_and_their_repr_stays_short():
    photo = processed("gps-DSCN0010.jpg")
    with pytest.raises(dataclasses.FrozenInstanceError):
        photo.width = 1  # type: ignore[misc]
    assert len(repr(photo)) < 300
    with pytest.raises(dataclasses.FrozenInstanceError):
        WATERMARK.lines = ()  # type: ignore[misc]


def test_photo_errors_survive_pickling_with_their_code():
    error = refusal(b"")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.params, str(copy)) == (error.code, error.params, str(error))
    assert copy.code is Problem.PHOTO_EMPTY and copy.code == "photo.empty"
    assert copy.message_key == "error.photo.empty"


def every_refusal() -> list[PhotoError]:
    store_error = None
    try:
        PhotoStore(Path("/nonexistent")).put_bytes("0" * 64, b"x")
    except PhotoError as exc:
        store_error = exc
    return [
        refusal(b""),
        refusal(b"plain words"),
        refusal(encode(test_picture(), "GIF")),
        refusal(fixture_bytes("corrupted.jpg")),
        refusal(png_header_only(20_000, 20_000)),
        store_error,
    ]


def test_every_error_code_has_a_message_in_both_languages():
    photo_problems = {problem for problem in Problem if problem.startswith("photo.")}
    raised = every_refusal()
    assert all(isinstance(error.code, Problem) for error in raised)
    assert {error.code for error in raised} == photo_problems
    for language in ("zh-CN", "en"):
        catalog = json.loads((REPO_ROOT / "assets" / "i18n" / language / "photos.json").read_text("utf-8"))
        t = Translator(language)
        for error in raised:
            assert error.message_key in catalog, (language, error.code)
            shown = t(error.message_key, **error.params)
            assert "{" not in shown and shown != error.message_key
    zh = Translator("zh-CN")
    assert zh("error.photo.unsupported_format", format="GIF").startswith("不能使用 GIF")
    assert zh("photos.processing", done=2, total=5) == "正在处理照片 2/5"


def test_both_catalogs_have_the_same_keys_and_placeholders():
    zh, en = (json.loads((REPO_ROOT / "assets/i18n" / lang / "photos.json").read_text("utf-8")) for lang in ("zh-CN", "en"))
    assert set(zh) == set(en)
    names = lambda text: sorted(re.findall(r"{(\w+)}", text))  # noqa: E731
    assert {k: (names(zh[k]), names(en[k])) for k in zh if names(zh[k]) != names(en[k])} == {}
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in zh.values())
    kinds = {f"photos.kind.{got}" for got in ("text", "unknown")}
    assert kinds <= set(zh)
