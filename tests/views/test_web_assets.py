"""The browser gets the bundled Chinese font with the engine, before the first frame."""

import importlib.util
import json
from pathlib import Path

from views.theme import FONT_FAMILY, FONT_FILE

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "assets" / "assets" / "FontManifest.json"


def build_script():
    spec = importlib.util.spec_from_file_location("build_font_manifest", ROOT / "scripts" / "build_font_manifest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_font_manifest_is_flets_own_plus_the_bundled_font():
    committed = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert committed == build_script().manifest(), "flet-web changed its fonts: run scripts/build_font_manifest.py"
    ours = [entry for entry in committed if entry["family"] == FONT_FAMILY]
    assert len(ours) == 1
    asset = ours[0]["fonts"][0]["asset"]
    # Flutter fetches "assets/" + asset, relative to the page: that must land on the bundled file.
    assert (ROOT / "assets" / "assets" / asset).resolve() == (ROOT / "assets" / FONT_FILE).resolve()
    assert (ROOT / "assets" / FONT_FILE).is_file()
