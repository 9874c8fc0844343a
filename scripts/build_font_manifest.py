"""Write assets/assets/FontManifest.json: Flet's own font list plus the bundled Chinese font.

Flutter loads the fonts of this manifest before it draws the first frame, so Chinese text
never shows as empty boxes (or asks for fallback fonts) while the bundled font downloads.
Flet serves this file in place of its own when the app runs with no CDN; rebuild it after
upgrading flet-web (tests/views/test_web_assets.py says when):

    .venv/bin/python scripts/build_font_manifest.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from views.theme import FONT_FAMILY, FONT_FILE  # noqa: E402

OUT = ROOT / "assets" / "assets" / "FontManifest.json"


def flet_manifest() -> list[dict]:
    import flet_web

    return json.loads((Path(flet_web.__file__).parent / "web" / "assets" / "FontManifest.json").read_text())


def manifest() -> list[dict]:
    # Flutter fetches "assets/" + asset; the font is served from the assets folder's root.
    ours = {"family": FONT_FAMILY, "fonts": [{"asset": f"../{FONT_FILE}"}]}
    return [entry for entry in flet_manifest() if entry.get("family") != FONT_FAMILY] + [ours]


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(manifest(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
