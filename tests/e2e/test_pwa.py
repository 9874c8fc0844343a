"""The field app as an offline PWA, served by the central store at /app/ and run in Debian's Chromium.

A deputy opens it online once and signs in; then the network goes and the store stops. The app
reloads from its service worker, records an issue with a photo from the file picker and the
browser's location, survives its tab being closed, opens in a new tab with the issue and its
photo, refuses a second tab while one is open, and syncs everything once the store is back.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sync.server.demo import load_demo
from tests.e2e.browser import (ACTION_TIMEOUT_MS, BOOT_TIMEOUT_MS, PHONE, PHOTO_FIXTURES, REPO_ROOT, by_id,
                               expect_screen, issue_tile, open_app, open_issue, record_issue, reload, text)
from tests.e2e.test_sync_flow import office_sees, sign_in
from tests.sync.phones import CHEAP_HASH, ServerProcess, make_central

pytestmark = pytest.mark.e2e

PHOTO = PHOTO_FIXTURES / "mobile-jolla.jpg"  # a phone's JPEG without GPS: the place comes from the browser
HERE = {"latitude": 30.4521, "longitude": 114.8733, "accuracy": 12}
# Pyodide, the app and the engine start in 10-15 s on 2 cores from cache, longer on the first load.
START_TIMEOUT_MS = max(BOOT_TIMEOUT_MS, 120_000)


@pytest.fixture(scope="module")
def pwa_build():
    """The browser build in dist/app (skipped when nothing changed since the last build)."""
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "build_pwa.py")], check=True, cwd=REPO_ROOT)
    return REPO_ROOT / "dist" / "app"


@pytest.fixture
def central(tmp_path, pwa_build):
    data = tmp_path / "central"
    app = make_central(data)
    load_demo(app.state.engine, issues=True, password_hash=CHEAP_HASH)
    app.state.engine.dispose()
    server = ServerProcess(data)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def context(browser, request):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="allow",
                                  permissions=["geolocation", "camera"], geolocation=HERE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context
    finally:
        if getattr(getattr(request.node, "rep_call", None), "failed", False):
            evidence = Path(tempfile.gettempdir()) / "lianluo-e2e-failures" / "test_pwa"
            evidence.mkdir(parents=True, exist_ok=True)
            for i, page in enumerate(context.pages):
                page.screenshot(path=str(evidence / f"page-{i}.png"))
        context.close()


def wait_until_installed(page) -> None:
    """The service worker controls the page and its cache holds the whole shell."""
    page.wait_for_function("""async () => {
        if (!navigator.serviceWorker.controller) return false;
        const keys = await caches.keys();
        return keys.some(k => k.startsWith('lianluo-'));
    }""", timeout=START_TIMEOUT_MS, polling=500)
    page.evaluate("navigator.serviceWorker.ready")


def test_offline_day_in_the_browser(central, context):
    url = f"{central.url}/app/"
    page = context.new_page()
    open_app(page, url, "", ready_text="第一次使用请联网登录一次")
    sign_in(page, "deputy-wang", "lianluo2026")
    expect_screen(page, "联络通")
    expect(issue_tile(page, "抗旱水源不足，柑桔园灌溉困难")).to_be_visible(timeout=60_000)  # pulled over fetch
    wait_until_installed(page)

    # The network goes and the central store stops: the app reloads from its own cache.
    central.stop()
    context.set_offline(True)
    reload(page, ready_text="抗旱水源不足，柑桔园灌溉困难")
    expect_screen(page, "联络通")

    title = f"村道塌方 {uuid.uuid4().hex[:6]}"
    record_issue(page, title=title, photo=PHOTO, category="道路交通")
    expect(issue_tile(page, title)).to_be_visible()
    page.close()  # the tab goes; what was saved stays in IndexedDB

    page = context.new_page()
    # A second tab while this one is open waits, and says why, in Chinese.
    open_app(page, url, "", ready_text=title)
    second = context.new_page()
    second.goto(url)
    expect(second.get_by_text("联络通已在另一个标签页或窗口中打开").first).to_be_visible(timeout=START_TIMEOUT_MS)
    second.close()

    open_issue(page, title)
    expect(by_id(page, "detail-photo")).to_have_count(1)  # the photo came back from the replica's files
    location = text(page, "手机定位")
    expect(location.first).to_have_text(re.compile(r"^30\.45\d*, 114\.87\d*.*±12 米.*手机定位$"))

    # The store comes back: the same sync client, over fetch, sends the photo and the issue.
    context.set_offline(False)
    central.start()
    expect(text(page, "已同步", exact=True).first).to_be_visible(timeout=START_TIMEOUT_MS)  # the sync chip
    issue = office_sees(central.url, title)
    assert issue is not None, "the office does not see the issue recorded offline in the browser"
    assert abs(issue["latitude"] - HERE["latitude"]) < 1e-3
    assert len(issue["photos"]) == 1 and issue["photos"][0]["download"] == 200
