#!/usr/bin/env python3
"""Draw the app icon set for 联络通 / Lianluo with Pillow.

The icon is a calm deep teal-green rounded square with the character 联 in
white, drawn with the bundled font (assets/fonts/NotoSansSC-Lianluo.otf), so the
script needs nothing from outside the repository.

Outputs (the names Flet's web server serves; files under the app's assets_dir
take precedence over flet-web's own copies of the same path):

    assets/favicon.png                    32x32, browser tab
    assets/icons/icon-192.png             PWA icon ("any"), transparent corners
    assets/icons/icon-512.png             PWA icon ("any"), transparent corners
    assets/icons/icon-maskable-192.png    PWA icon ("maskable"), full bleed
    assets/icons/icon-maskable-512.png    PWA icon ("maskable"), full bleed
    assets/icons/apple-touch-icon-192.png iOS home screen (index.html links it)
    assets/icons/loading-animation.png    splash image index.html shows while loading

Usage:  python scripts/build_icons.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
ICONS = ASSETS / "icons"
FONT = ASSETS / "fonts" / "NotoSansSC-Lianluo.otf"

GLYPH = "联"
# Deep teal-green: calm, and white on it has a contrast ratio of about 7:1.
BRAND = (14, 102, 88)          # #0E6658, also the manifest's theme_color
BRAND_LIGHT = (24, 128, 110)   # top of the gentle vertical gradient
WHITE = (255, 255, 255)

SUPERSAMPLE = 4  # draw large, then downsample: smooth edges at every size


def _gradient(size: int) -> Image.Image:
    """A square, top-to-bottom gradient from BRAND_LIGHT to BRAND."""
    column = Image.new("RGB", (1, size))
    for y in range(size):
        t = y / max(size - 1, 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(BRAND_LIGHT, BRAND)))
    return column.resize((size, size))


def _draw_glyph(img: Image.Image, box: float, font_path: Path) -> None:
    """Draw GLYPH in white, its ink centred and `box` (fraction of the side) tall."""
    size = img.width
    target = size * box
    # Size the font so the glyph's ink (not its em box) fills `target`.
    probe = ImageFont.truetype(str(font_path), 1000)
    left, top, right, bottom = probe.getbbox(GLYPH)
    scale = target / max(right - left, bottom - top)
    font = ImageFont.truetype(str(font_path), max(1, round(1000 * scale)))
    left, top, right, bottom = font.getbbox(GLYPH)
    stroke = max(1, round(size * 0.008))  # Regular is the only weight bundled: embolden a little
    x = (size - (right - left)) / 2 - left
    y = (size - (bottom - top)) / 2 - top
    ImageDraw.Draw(img).text((x, y), GLYPH, font=font, fill=WHITE, stroke_width=stroke, stroke_fill=WHITE)


def rounded_icon(size: int, font_path: Path = FONT, margin: float = 0.0, radius: float = 0.22,
                 glyph: float = 0.60) -> Image.Image:
    """The "any"-purpose icon: rounded square on a transparent background."""
    big = size * SUPERSAMPLE
    inset = round(big * margin)
    side = big - 2 * inset
    tile = _gradient(side).convert("RGBA")
    _draw_glyph(tile, glyph, font_path)
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, side - 1, side - 1), radius=round(side * radius), fill=255)
    out = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    out.paste(tile, (inset, inset), mask)
    return out.resize((size, size), Image.Resampling.LANCZOS)


def full_bleed_icon(size: int, font_path: Path = FONT, glyph: float = 0.50) -> Image.Image:
    """Maskable / Apple touch icon: opaque square, glyph inside the central safe zone.

    A maskable icon may be cropped to a circle of 80 % of its width; a glyph 50 %
    tall and wide stays inside it.
    """
    big = size * SUPERSAMPLE
    tile = _gradient(big)
    _draw_glyph(tile, glyph, font_path)
    return tile.resize((size, size), Image.Resampling.LANCZOS)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def outputs(font_path: Path = FONT) -> dict[Path, Image.Image]:
    return {
        ASSETS / "favicon.png": rounded_icon(32, font_path, radius=0.20, glyph=0.72),
        ICONS / "icon-192.png": rounded_icon(192, font_path, margin=0.04),
        ICONS / "icon-512.png": rounded_icon(512, font_path, margin=0.04),
        ICONS / "icon-maskable-192.png": full_bleed_icon(192, font_path),
        ICONS / "icon-maskable-512.png": full_bleed_icon(512, font_path),
        ICONS / "apple-touch-icon-192.png": full_bleed_icon(192, font_path, glyph=0.58),
        ICONS / "loading-animation.png": rounded_icon(512, font_path, margin=0.04),
    }


def main() -> int:
    if not FONT.exists():
        print(f"{FONT} is missing: run scripts/build_font.py first", file=sys.stderr)
        return 2
    for path, img in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_png(img))
        print(f"wrote {path.relative_to(ROOT)} {img.width}x{img.height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
