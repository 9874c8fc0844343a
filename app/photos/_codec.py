"""Decode, turn upright, resize, convert to sRGB and encode photos with Pillow.

The only module of the package that imports Pillow at its top: the pipeline imports it on
the first photo, so a build without Pillow (Pyodide) can still import the package and
use the store, the sniffing and the EXIF reading.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageFile

from app.photos._budget import QUALITY_FLOOR, next_attempt
from app.photos._dimensions import fit_size as _fit_size
from app.photos._errors import PhotoError, damaged
from app.photos._heif import register_heif
from app.problems import Problem

try:  # littlecms may be missing from a minimal Pillow build.
    from PIL import ImageCms
except ImportError:  # pragma: no cover - depends on the platform
    ImageCms = None


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def pixel_limit(max_pixels: int) -> int:
    """Return the pixel count to refuse above: ``max_pixels``, or Pillow's bomb guard if lower."""
    # Pillow's own bomb guard must never be what stops us: cap at its limit too.
    if Image.MAX_IMAGE_PIXELS:
        return min(max_pixels, int(Image.MAX_IMAGE_PIXELS))
    return max_pixels


def decode(fmt: str, data: bytes, edge: int) -> Image.Image:
    """Open and fully decode ``data``; JPEGs only at the smallest DCT scale still ≥ ``edge``."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on: damaged photos would be stored")
    if fmt == "HEIF":
        register_heif()  # Pillow opens HEIF only once pillow-heif's opener is registered
    try:
        im = Image.open(io.BytesIO(data), formats=[fmt])
        if fmt == "JPEG" and im.mode in ("RGB", "L", "YCbCr"):
            im.draft(im.mode if im.mode == "L" else "RGB", _fit_size(im.size, edge))
        im.load()
        if fmt == "JPEG" and _grey_last_row(im):
            # libjpeg pads data that ran out early with flat mid-grey and only warns.
            raise damaged("image data missing at the end")
    except PhotoError:
        raise
    except Image.DecompressionBombError as exc:  # unreachable while the header check runs first
        raise PhotoError(Problem.PHOTO_TOO_MANY_PIXELS, str(exc), {}) from exc
    except MemoryError as exc:
        raise damaged("not enough memory to decode") from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error...
        raise damaged(f"{type(exc).__name__}: {exc}") from exc
    return im


def _grey_last_row(im: Image.Image) -> bool:
    width, height = im.size
    extrema = im.crop((0, height - 1, width, height)).getextrema()
    if im.getbands() == ("L",) or len(im.getbands()) == 1:
        extrema = (extrema,)
    return all(band == (128, 128) for band in extrema)


def to_upright_srgb(im: Image.Image, edge: int, orientation: int, icc: bytes | None) -> Image.Image:
    """Bring a decoded image to upright sRGB RGB with its long edge at most ``edge``.

    ``orientation`` is the EXIF tag (1 when the decoder already applied it).
    """
    try:
        im = _normalize_mode(im)
        im = fit(im, edge)
        im = _flatten(im)
        im = _to_srgb(im, icc)
        if orientation in _TRANSPOSE:
            im = im.transpose(_TRANSPOSE[orientation])
    except (OSError, ValueError) as exc:
        raise damaged(f"{type(exc).__name__}: {exc}") from exc
    return im


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


def fit(im: Image.Image, edge: int, *, reducing_gap: float = 3.0) -> Image.Image:
    """Return ``im`` with its long edge at most ``edge``, resized with LANCZOS."""
    target = _fit_size(im.size, edge)
    if target == im.size:
        return im
    # reducing_gap box-reduces by whole factors first; 3.0 is indistinguishable from plain
    # LANCZOS, 2.0 (Pillow's thumbnail default) is plenty for a list thumbnail.
    return im.resize(target, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


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


def encode(im: Image.Image, quality: int, *, progressive: bool) -> bytes:
    """Encode ``im`` as a JPEG carrying no metadata at all."""
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


def encode_within(im: Image.Image, quality: int, budget: int) -> tuple[Image.Image, bytes]:
    """Encode progressively in at most ``budget`` bytes; return the image encoded and its bytes.

    The quality steps down from ``quality`` to QUALITY_FLOOR first; a photo still too big
    there (gravel, foliage, a noisy night shot) loses pixels until it fits.
    """
    floor = min(quality, QUALITY_FLOOR)
    data = encode(im, quality, progressive=True)
    while (step := next_attempt(len(data), budget, quality, floor, im.size)) is not None:
        quality, edge = step
        if edge is not None:
            im = fit(im, edge)
        data = encode(im, quality, progressive=True)
    return im, data


def thumbnail(im: Image.Image, edge: int, quality: int) -> bytes:
    """Encode a list thumbnail of an upright sRGB image, long edge ``edge``."""
    return encode(fit(im, edge, reducing_gap=2.0), quality, progressive=False)
