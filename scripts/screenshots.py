"""Take screenshots of the field app's main screens, as a deputy's phone and an office PC show them.

    .venv/bin/python scripts/screenshots.py OUT_DIR

Starts the app with its demo data (signed in as 王建华) on a free loopback port with a
throw-away data directory, drives Debian's Chromium (/usr/bin/chromium) and writes:

    home-412x860.png     home: greeting, 记录问题, what waits to sync, my recent issues
    list-412x860.png     问题: search, filters, every issue with its status
    capture-412x860.png  记录问题, filled in: a photo with GPS, a title, a category
    detail-412x860.png   that issue once saved: photo, location from the photo, timeline
    home-1280x800.png    home on a wide screen, with the navigation rail

Needs nothing from the internet. The photo comes from ../shared/fixtures/photos.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.e2e.browser import (  # noqa: E402
    DESKTOP,
    GPS_PHOTO,
    PHONE,
    AppServer,
    add_photo,
    choose_chip,
    expect_screen,
    go_tab,
    issue_tile,
    launch_chromium,
    new_page,
    open_app,
    open_capture,
    open_issue,
    save,
    settle,
    text,
    type_into,
)

TITLE = "村口机耕道路面塌陷，农用车无法通行"
HOME_READY = "我最近记录的问题"


def shoot(page: Page, path: Path) -> None:
    """Wait until the screen is still (semantics settled, two frames drawn, images decoded), then shoot."""
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(500)  # Flutter decodes images off the frame; give the last one time to land
    page.screenshot(path=str(path))
    print(f"wrote {path}")


def phone_screens(browser, url: str, out: Path) -> None:
    page, network = new_page(browser, PHONE)
    try:
        open_app(page, url, "/", ready_text=HOME_READY)
        shoot(page, out / "home-412x860.png")

        go_tab(page, "问题")
        shoot(page, out / "list-412x860.png")

        go_tab(page, "首页")
        open_capture(page)
        add_photo(page, GPS_PHOTO)
        type_into(page, "标题（必填）", TITLE)
        choose_chip(page, "道路交通")
        page.evaluate("() => document.activeElement?.blur()")  # no caret in the picture
        shoot(page, out / "capture-412x860.png")

        save(page)
        expect_screen(page, "联络通")
        expect(issue_tile(page, TITLE)).to_be_visible()
        # Let the 已保存 snack bar go first; it would cover the bottom of the detail.
        expect(text(page, "已保存在手机上")).to_have_count(0, timeout=20_000)
        open_issue(page, TITLE)
        shoot(page, out / "detail-412x860.png")
        outside = network.unexpected_outside()
        if outside:
            print(f"warning: requests left 127.0.0.1: {outside}", file=sys.stderr)
    finally:
        page.context.close()


def desktop_home(browser, url: str, out: Path) -> None:
    page, _ = new_page(browser, DESKTOP)
    try:
        open_app(page, url, "/", ready_text=HOME_READY)
        shoot(page, out / "home-1280x800.png")
    finally:
        page.context.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the PNG files to (created if missing)")
    args = parser.parse_args(argv)
    out = args.out_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if not GPS_PHOTO.is_file():
        sys.exit(f"photo fixture not found at {GPS_PHOTO}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lianluo-screens-") as tmp:
        server = AppServer(Path(tmp) / "data")
        try:
            server.start()
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    phone_screens(browser, server.url, out)
                    desktop_home(browser, server.url, out)
                finally:
                    browser.close()
        except Exception:
            print(f"--- app log ---\n{server.log()}", file=sys.stderr)
            raise
        finally:
            server.stop()
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
