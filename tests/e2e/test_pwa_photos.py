"""One set of checks for both photo paths: Pillow (phone, PC, server) and the browser's codecs (the PWA).

The browser path runs where it runs in the PWA: app.photos.process_photo_with and pwa._canvas
inside Pyodide in a module worker, from the build's own runtime and compiled archives, in
Debian's Chromium. A small page posts each fixture to it and hands back what came out. Both
results must keep the same contract: an upright JPEG with no EXIF, long edge at most 1600 px,
at most 300 KB, sRGB, addressed by the SHA-256 of its bytes, with GPS and capture time read
from the original, and the evidence band drawn with the bundled font. A HEIC Chromium cannot
decode is refused with PHOTO_UNSUPPORTED; a damaged file is refused the same way on both paths.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import io
import json
import shutil
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from app.photos import PhotoError, TARGET_BYTES, Watermark, process_photo
from app.problems import Problem
from tests.e2e.browser import PHOTO_FIXTURES, launch_chromium
from tests.e2e.test_pwa import pwa_build  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

JPEGS = ["gps-DSCN0010.jpg", "mobile-HMD_Nokia_8.3_5G.jpg", "mobile-jolla.jpg", "orientation-landscape_3.jpg",
         "orientation-landscape_6.jpg", "orientation-landscape_8.jpg", "orientation-portrait_6.jpg"]
ODD = ["corrupted.jpg", "invalid-image00971.jpg"]  # broken image data; an unusual but whole file
HEIC = "heic-IMG_5195.HEIC"
STAMP = Watermark(("2026-05-15 10:32", "石桥村 柑桔园 30.1234°N 114.5678°E", "桔园镇人大"))

WORKER = """
let ready = null;
async function boot(config) {
  const { loadPyodide } = await import(config.pyodide);
  const pyodide = await loadPyodide({ indexURL: new URL(".", new URL(config.pyodide, location.href)).href,
                                      stdLibURL: config.stdlib });
  const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  pyodide.FS.mkdirTree("/lianluo");
  pyodide.FS.writeFile("/lianluo/site.zip", await bytes(config.site));
  pyodide.unpackArchive(await bytes(config.disk), "zip", { extractDir: "/lianluo/disk" });
  pyodide.globals.set("font_url", new URL(config.font, location.href).href);
  await pyodide.runPythonAsync(`
import sys
sys.path[0:0] = ["/lianluo/disk", "/lianluo/site.zip"]
import base64
from app.photos import PhotoError, Watermark, process_photo_with
from pwa._canvas import CanvasCodec
codec = CanvasCodec(font_url)

async def run(data, lines):
    try:
        photo = await process_photo_with(codec, bytes(data.to_py()), watermark=Watermark(tuple(lines)) if lines else None)
    except PhotoError as error:
        return {"error": error.code.value}
    return {"data": base64.b64encode(photo.data).decode(), "thumbnail": base64.b64encode(photo.thumbnail).decode(),
            "width": photo.width, "height": photo.height, "sha256": photo.sha256, "latitude": photo.latitude,
            "longitude": photo.longitude, "taken_at": photo.taken_at.isoformat() if photo.taken_at else None}
`);
  return pyodide;
}
self.onmessage = async (event) => {
  const { id, config, data, lines } = event.data;
  try {
    if (config) { ready = boot(config); await ready; self.postMessage({ id, ok: true }); return; }
    const pyodide = await ready;
    const result = await pyodide.globals.get("run")(data, lines || null);
    self.postMessage({ id, result: result.toJs({ dict_converter: Object.fromEntries }) });
  } catch (error) { self.postMessage({ id, failed: String(error && error.stack || error) }); }
};
"""

PAGE = """<!DOCTYPE html><meta charset="utf-8"><title>photo codec check</title><script>
const worker = new Worker("check-worker.js", { type: "module" });
const waiting = new Map(); let next = 0;
worker.onmessage = (e) => { const w = waiting.get(e.data.id); waiting.delete(e.data.id); w(e.data); };
window.ask = (message) => new Promise((resolve) => { const id = next++; waiting.set(id, resolve);
  worker.postMessage(Object.assign({ id }, message)); });
</script>"""


@pytest.fixture(scope="module")
def codec_page(pwa_build, tmp_path_factory):  # noqa: F811
    """A page whose worker runs the PWA's photo path, served with the build's runtime and archives."""
    root = tmp_path_factory.mktemp("codec-page")
    page_config = json.loads((pwa_build / "index.html").read_text().split("var lianluo = ", 1)[1]
                             .split(";\n", 1)[0])["python"]
    for rel in (page_config["site"], page_config["disk"], page_config["font"]):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pwa_build / rel, root / rel)
    pyodide_dir = page_config["pyodide"].removeprefix("./").split("/")[0]
    shutil.copytree(pwa_build / pyodide_dir, root / pyodide_dir, ignore=shutil.ignore_patterns("*.br", "*.gz"))
    (root / "check-worker.js").write_text(WORKER)
    (root / "index.html").write_text(PAGE)

    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        booted = page.evaluate("(config) => ask({ config })", page_config)
        assert booted.get("ok"), booted
        yield page
        browser.close()
    server.shutdown()
    server.server_close()  # its listening socket too, or the collector finds it open in a later test


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, *args) -> None:
        pass


def in_browser(page, data: bytes, watermark: Watermark | None = None) -> dict:
    answer = page.evaluate("([data, lines]) => ask({ data: Uint8Array.from(atob(data), c => c.charCodeAt(0)), lines })",
                           [base64.b64encode(data).decode(), list(watermark.lines) if watermark else None])
    assert "failed" not in answer, answer.get("failed")
    result = answer["result"]
    for key in ("data", "thumbnail"):
        if key in result:
            result[key] = base64.b64decode(result[key])
    return result


def with_pillow(data: bytes, watermark: Watermark | None = None) -> dict:
    try:
        photo = process_photo(data, watermark=watermark)
    except PhotoError as error:
        return {"error": error.code.value}
    return {"data": photo.data, "thumbnail": photo.thumbnail, "width": photo.width, "height": photo.height,
            "sha256": photo.sha256, "latitude": photo.latitude, "longitude": photo.longitude,
            "taken_at": photo.taken_at.isoformat() if photo.taken_at else None}


def check_contract(result: dict) -> Image.Image:
    """The stored photo's contract, whichever path made it."""
    data = result["data"]
    assert len(data) <= TARGET_BYTES
    assert hashlib.sha256(data).hexdigest() == result["sha256"]
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and im.mode == "RGB"
    assert max(im.size) <= 1600 and im.size == (result["width"], result["height"])
    assert not im.getexif(), "EXIF left in the stored photo"
    assert b"Exif\x00\x00" not in data[:64 * 1024]
    icc = im.info.get("icc_profile")
    assert icc is None or b"sRGB" in icc, "a stored photo is sRGB"
    thumb = Image.open(io.BytesIO(result["thumbnail"]))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320
    return im


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel (0-255) of two pictures brought to the same small size."""
    size = (64, round(64 * a.size[1] / a.size[0]))
    diff = ImageChops.difference(a.convert("RGB").resize(size), b.convert("RGB").resize(size))
    return sum(ImageStat.Stat(diff).mean) / 3


@pytest.mark.parametrize("name", JPEGS)
def test_both_paths_keep_the_contract(codec_page, name):
    data = (PHOTO_FIXTURES / name).read_bytes()
    pillow, browser = with_pillow(data), in_browser(codec_page, data)
    ours, theirs = check_contract(pillow), check_contract(browser)
    # Upright the same way and the same picture (a photo turned the wrong way differs by far more than 12).
    assert theirs.size == ours.size
    assert difference(ours, theirs) < 12
    # GPS and capture time come from the original's EXIF on both paths.
    for key in ("latitude", "longitude", "taken_at"):
        assert browser.get(key) == pillow.get(key), key


def test_the_watermark_is_drawn_with_the_bundled_font_in_both(codec_page):
    data = (PHOTO_FIXTURES / "gps-DSCN0010.jpg").read_bytes()
    plain = check_contract(with_pillow(data))
    for stamped in (check_contract(with_pillow(data, STAMP)), check_contract(in_browser(codec_page, data, STAMP))):
        width, height = stamped.size
        band = (0, int(height * 0.85), width, height)
        top = (0, 0, width, int(height * 0.5))
        assert difference(stamped.crop(top), plain.crop(top)) < 8  # the picture above the band is untouched
        darker = ImageStat.Stat(plain.crop(band).convert("L")).mean[0] - ImageStat.Stat(
            stamped.crop(band).convert("L")).mean[0]
        assert darker > 15, "no darkened evidence band at the bottom"
        # White text on the band: some pixels in it are near white.
        assert stamped.crop(band).convert("L").getextrema()[1] > 230


@pytest.mark.parametrize("name", ODD)
def test_an_odd_file_gets_the_same_answer_on_both(codec_page, name):
    data = (PHOTO_FIXTURES / name).read_bytes()
    pillow, browser = with_pillow(data), in_browser(codec_page, data)
    if "error" in pillow:  # refused for the same reason, before any pixel is decoded
        assert browser.get("error") == pillow["error"] == Problem.PHOTO_DAMAGED.value
    else:
        assert "error" not in browser, browser
        assert check_contract(browser).size == check_contract(pillow).size


def test_heic_the_browser_cannot_decode_is_refused_clearly(codec_page):
    data = (PHOTO_FIXTURES / HEIC).read_bytes()
    check_contract(with_pillow(data))  # pillow-heif reads it on a phone or the server
    assert in_browser(codec_page, data) == {"error": Problem.PHOTO_UNSUPPORTED.value}  # Chromium has no HEIC decoder
