"""Fixtures for the browser tests: Debian's Chromium, and the field app served on a free loopback port.

Each test that changes data gets its own app process and data directory; the app is always
stopped when the test ends, and its log is printed when the test failed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.browser import CHROMIUM, GPS_PHOTO, PHONE, AppServer, launch_chromium, new_page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(request) -> bool:
    return any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} not found: `apt-get install -y chromium` (never `playwright install`)"
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _serve(tmp_dir: Path, request):
    server = AppServer(tmp_dir / "data")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if _failed(request):
            print(f"\n--- app log ({server.log_path}) ---\n{server.log()}")


@pytest.fixture
def app(tmp_path, request):
    """A fresh demo app (signed in as 王建华) for one test."""
    yield from _serve(tmp_path, request)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, request):
    """One demo app for tests that only look."""
    yield from _serve(tmp_path_factory.mktemp("shared-app"), request)


def _evidence_dir(request) -> Path:
    """Outside pytest's rotating tmp dirs, so the files are still there when someone reads the report."""
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)
    return Path(tempfile.gettempdir()) / "lianluo-e2e-failures" / name


@pytest.fixture
def phone(browser, request):
    """A 412x860 page and the log of every request it makes; a screenshot is kept when the test fails."""
    evidence = _evidence_dir(request)
    shutil.rmtree(evidence, ignore_errors=True)  # nothing stale from an earlier run
    page, network = new_page(browser, PHONE)
    try:
        yield page, network
    finally:
        if _failed(request):
            _keep_evidence(page, evidence)
        page.context.close()


def _keep_evidence(page, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "failure.png"), timeout=10_000)
        (folder / "failure-semantics.html").write_text(page.evaluate(
            "() => document.querySelector('flt-semantics-host')?.outerHTML ?? document.body.outerHTML"))
        print(f"\n--- screenshot and semantics tree kept in {folder} ---")
    except Exception as error:  # the page may be gone; the evidence is a bonus
        print(f"\n--- no screenshot: {error} ---")


@pytest.fixture(scope="session")
def gps_photo() -> Path:
    assert GPS_PHOTO.is_file(), f"photo fixture not found at {GPS_PHOTO}"
    return GPS_PHOTO
