"""Burn evidence text (time, place, township) into a band at the bottom of a photo.

Pillow is imported inside the functions that draw, not with the module: ``Watermark`` is
part of the package's surface, which must import without Pillow.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from PIL import Image, ImageFont

from app.assets import FONT_FILE, asset_path


def bundled_font() -> Path:
    """The bundled subset of Noto Sans SC, from the installed assets (a checkout, a wheel, a phone app)."""
    return asset_path(FONT_FILE)


@dataclass(frozen=True, slots=True)
class Watermark:
    """Lines of evidence text burned into a band at the bottom of the stored photo.

    Example::

        Watermark(("2026-05-15 10:32", "石桥村 柑桔园 30.1234°N 114.5678°E", "白马镇人大"))

    ``font_path`` and ``font_index`` override the bundled font (``bundled_font()``), e.g. a
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


def watermark_band_height(im_size: tuple[int, int], watermark: Watermark) -> int:
    """Return the height in pixels of the band ``watermark`` takes on an image of this size."""
    return _layout(im_size, watermark)[2]


def burn_watermark(im: Image.Image, watermark: Watermark) -> None:
    """Draw ``watermark`` in place over the bottom of an RGB image, on a darkened band."""
    from PIL import Image, ImageDraw

    font, lines, band, pad, line_height = _layout(im.size, watermark)
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


def _layout(size: tuple[int, int], watermark: Watermark):
    path = str(watermark.font_path or bundled_font())
    sized: dict[int, ImageFont.FreeTypeFont] = {}

    def measure(text: str, font_size: int) -> float:
        if font_size not in sized:
            sized[font_size] = _font(path, watermark.font_index, font_size)
        return sized[font_size].getlength(text)

    lines, font_size, band, pad, line_height = layout_lines(size, watermark, measure)
    if not lines:
        return None, [], 0, 0, 0
    return sized.get(font_size) or _font(path, watermark.font_index, font_size), lines, band, pad, line_height


def layout_lines(size: tuple[int, int], watermark: Watermark, measure: Callable[[str, int], float]):
    """Return (wrapped lines, font size, band height, padding, line height) for any text measure."""
    width, height = size
    lines = [line for line in watermark.lines if line.strip()]
    if not lines:
        return [], 0, 0, 0, 0
    font_size = max(12, round(max(min(width, height) * 0.034, max(width, height) * 0.018)))
    while True:
        pad = max(4, round(font_size * 0.5))
        wrapped = [piece for line in lines for piece in _wrap(line, lambda t, s=font_size: measure(t, s),
                                                              width - 2 * pad)]
        line_height = round(font_size * 1.3)
        band = len(wrapped) * line_height + 2 * pad
        # Evidence must stay visible: the band never covers more than 40% of the photo.
        if band <= 0.4 * height or font_size <= 10:
            return wrapped, font_size, min(band, height), pad, line_height
        font_size = max(10, int(font_size * 0.8))


def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    # A FreeType face must not be used by two threads at once: one cached font per thread.
    return _thread_font(path, index, size, threading.get_ident())


@functools.lru_cache(maxsize=32)
def _thread_font(path: str, index: int, size: int, _thread: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    if not Path(path).is_file():
        raise FileNotFoundError(f"watermark font not found: {path}")
    # The basic layout needs no HarfBuzz/raqm and draws CJK text correctly.
    return ImageFont.truetype(path, size=size, index=index, layout_engine=ImageFont.Layout.BASIC)


def _wrap(text: str, length: Callable[[str], float], width: float) -> list[str]:
    """Split one line so each piece fits ``width``; Chinese breaks anywhere, words at spaces."""
    if length(text) <= width:
        return [text]
    lines, current = [], ""
    for token in re.findall(r"[A-Za-z0-9.,:°'\"+\-/]+\s*|\s+|.", text):
        candidate = current + token
        if current and length(candidate.rstrip()) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines or [text]
