"""The bundled Chinese font covers everything the app can show.

Flutter's web renderers draw text with the fonts the app gives them and nothing
else; a character the bundled font lacks shows as an empty box, because the
fallback fonts Flutter would fetch live on servers our users cannot reach.
These tests read the committed font (assets/fonts/NotoSansSC-Lianluo.otf) and
check it against the project's text, GB 2312 and the 通用规范汉字表 list.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from app.assets import FONT_FILE

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "assets" / FONT_FILE
FONT_DIR = FONT.parent
LICENCE = FONT_DIR / "OFL.txt"
TONGYONG = FONT_DIR / "charsets" / "tongyong-8105.txt"
UI_SYMBOLS = FONT_DIR / "charsets" / "ui-symbols.txt"

# Where the app's visible text lives (kept in step with scripts/build_font.py).
JSON_DIRS = ("assets/i18n", "assets/checklists", "assets/demo")
PYTHON_DIRS = ("app", "views", "sync")

REBUILD = (
    "Run `python scripts/build_font.py` (needs Debian's fonts-noto-cjk) and commit "
    "assets/fonts/NotoSansSC-Lianluo.otf. If the script reports a character as absent "
    "from Noto Sans CJK SC, replace it in the text (e.g. use an ft.Icons icon instead "
    "of an emoji or dingbat)."
)


@pytest.fixture(scope="module")
def cmap() -> dict[int, str]:
    assert FONT.is_file(), f"{FONT.relative_to(ROOT)} is missing. {REBUILD}"
    with TTFont(str(FONT), lazy=True) as font:
        return font.getBestCmap()


def needs_glyph(ch: str) -> bool:
    """Whitespace and control/format codes are not drawn, so they need no glyph."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")


def json_strings(value) -> list[str]:
    """Every string in a JSON document: values and object keys."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out: list[str] = []
        for k, v in value.items():
            out.append(k)
            out.extend(json_strings(v))
        return out
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


def json_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for d in JSON_DIRS for p in (root / d).rglob("*.json") if p.is_file())


def python_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for d in PYTHON_DIRS for p in (root / d).rglob("*.py") if p.is_file())


def project_chars(root: Path = ROOT) -> dict[str, set[str]]:
    """Characters of the project's text that need a glyph -> the files they come from."""
    found: dict[str, set[str]] = {}
    for path in json_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            pytest.fail(f"{rel} is not valid UTF-8 JSON: {exc}")
        for text in json_strings(doc):
            for ch in text:
                if needs_glyph(ch):
                    found.setdefault(ch, set()).add(rel)
    for path in python_files(root):
        rel = path.relative_to(root).as_posix()
        for ch in path.read_text(encoding="utf-8"):
            if ord(ch) > 0x7F and needs_glyph(ch):
                found.setdefault(ch, set()).add(rel)
    return found


def describe(missing: list[str], where: dict[str, set[str]] | None = None) -> str:
    lines = []
    for ch in missing[:60]:
        line = f"  U+{ord(ch):04X} {ch} {unicodedata.name(ch, '(unnamed)')}"
        if where:
            files = sorted(where[ch])
            line += " in " + ", ".join(files[:3]) + (f" (+{len(files) - 3} more)" if len(files) > 3 else "")
        lines.append(line)
    if len(missing) > 60:
        lines.append(f"  ... and {len(missing) - 60} more")
    return "\n".join(lines)


def gb2312_hanzi() -> set[str]:
    """GB 2312's hanzi: rows 16-87 (lead bytes 0xB0-0xF7), decoded by Python's codec."""
    chars = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def charset(path: Path) -> list[str]:
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            out.extend(ch for ch in line.split("\t")[-1] if not ch.isspace())
    return out


# --- the project's own text --------------------------------------------------


def test_i18n_catalogue_exists():
    found = sorted((ROOT / "assets" / "i18n").rglob("*.json"))
    assert found, "assets/i18n has no JSON catalogue: the app's strings are expected there (zh-CN first)"


def test_project_text_is_covered(cmap):
    where = project_chars()
    missing = sorted(ch for ch in where if ord(ch) not in cmap)
    assert not missing, (
        f"{len(missing)} character(s) of the app's text are not in the bundled font "
        f"and would show as empty boxes:\n{describe(missing, where)}\n{REBUILD}"
    )


# --- standard character sets ----------------------------------------------------


def test_all_gb2312_hanzi_are_covered(cmap):
    hanzi = gb2312_hanzi()
    assert len(hanzi) == 6763
    missing = sorted(ch for ch in hanzi if ord(ch) not in cmap)
    assert not missing, f"{len(missing)} GB 2312 hanzi are missing:\n{describe(missing)}\n{REBUILD}"


def test_all_gb2312_symbols_are_covered(cmap):
    symbols = set()
    for hi in range(0xA1, 0xB0):
        for lo in range(0xA1, 0xFF):
            try:
                symbols.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    missing = sorted(ch for ch in symbols if ord(ch) not in cmap)
    assert not missing, f"{len(missing)} GB 2312 symbols are missing:\n{describe(missing)}\n{REBUILD}"


def test_tongyong_8105_list_is_whole():
    chars = charset(TONGYONG)
    assert len(chars) == 8105 and len(set(chars)) == 8105
    assert all(unicodedata.name(c, "").startswith("CJK UNIFIED IDEOGRAPH") for c in chars)
    # Spot checks against the published table: first, last, and the level boundaries.
    assert (chars[0], chars[3499], chars[3500], chars[6499], chars[6500], chars[-1]) == (
        "一", "矗", "乂", "齉", "亍", "蠼")
    # The app's own words are all in the table.
    assert set("联络通人大代表接待日走访问题分类交办督满意度") <= set(chars)


def test_all_tongyong_8105_are_covered(cmap):
    missing = [ch for ch in charset(TONGYONG) if ord(ch) not in cmap]
    assert not missing, f"{len(missing)} of the 8,105 standard characters are missing:\n{describe(missing)}\n{REBUILD}"


def test_ui_symbols_and_ascii_are_covered(cmap):
    wanted = set(charset(UI_SYMBOLS)) | {chr(c) for c in range(0x21, 0x7F)}
    wanted |= set("，。、；：？！“”‘’《》【】（）…—·±°×→✓①㎡")
    missing = sorted(ch for ch in wanted if ord(ch) not in cmap)
    assert not missing, f"UI symbols missing from the font:\n{describe(missing)}\n{REBUILD}"


# --- the file itself --------------------------------------------------------------


def test_licence_sits_next_to_the_font():
    assert LICENCE.is_file(), f"{LICENCE.relative_to(ROOT)} must ship with the font (SIL OFL 1.1, condition 2)"
    text = LICENCE.read_text(encoding="utf-8")
    assert LICENCE.parent == FONT.parent
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Copyright 2014-2021 Adobe" in text
    assert "PERMISSION & CONDITIONS" in text and "DISCLAIMER" in text


def test_font_is_small_named_and_licensed():
    size = FONT.stat().st_size
    assert size < 6 * 1024 * 1024, f"{FONT.name} is {size:,} bytes; keep it under 6 MB"
    with TTFont(str(FONT), lazy=True) as font:
        family = font["name"].getDebugName(1)
        licence = font["name"].getDebugName(13) or ""
        tables = set(font.keys())
    assert family == "Noto Sans SC Lianluo"
    assert "Source" not in family  # the Reserved Font Name in OFL.txt
    assert "Open Font License" in licence
    assert "CFF " in tables or "glyf" in tables
    for table in ("cmap", "hmtx", "hhea", "head", "maxp", "OS/2", "post"):
        assert table in tables, f"{table} table missing"


# --- web branding (served from assets/ ahead of the framework's defaults) -------------


def png_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as img:
        assert img.format == "PNG", f"{path.name} is not a PNG"
        return img.size


def test_manifest_and_icons_carry_the_apps_name():
    manifest = json.loads((ROOT / "assets" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["short_name"] == "联络通"
    assert "联络通" in manifest["name"] and "Flet" not in json.dumps(manifest, ensure_ascii=False)
    assert manifest["theme_color"].startswith("#")
    purposes = set()
    for icon in manifest["icons"]:
        path = ROOT / "assets" / icon["src"]
        assert path.is_file(), f"manifest names {icon['src']}, which is not in assets/"
        w, h = (int(x) for x in icon["sizes"].split("x"))
        assert png_size(path) == (w, h), f"{icon['src']} is not {icon['sizes']}"
        purposes.add(icon.get("purpose", "any"))
    assert {"any", "maskable"} <= purposes
    # index.html links these two by fixed names; the splash shows the third.
    assert png_size(ROOT / "assets" / "favicon.png") == (32, 32)
    assert png_size(ROOT / "assets" / "icons" / "apple-touch-icon-192.png") == (192, 192)
    assert png_size(ROOT / "assets" / "icons" / "loading-animation.png") == (512, 512)
