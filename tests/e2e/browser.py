"""Drive the field app in Debian's Chromium the way a deputy would, through Flutter's semantics tree.

Used by the e2e tests and by scripts/screenshots.py. Everything here talks only to 127.0.0.1:
the app runs as a subprocess (`python -m app --demo --web`) on a free port with its own data
directory, and the browser is told not to reach out for updates, sync or components.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Locator, Page, Playwright, Request, Response, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
PHOTO_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "photos"
GPS_PHOTO = PHOTO_FIXTURES / "gps-DSCN0010.jpg"  # Nikon JPEG with EXIF GPS, ~43.47N 11.88E

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
    # A camera that shows a test pattern, allowed without a prompt: the capture screen can take photos.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
PHONE = {"width": 412, "height": 860}
DESKTOP = {"width": 1280, "height": 800}

# The Flutter engine (skwasm/CanvasKit, ~37 MB of wasm) can take 10-30 s to boot on 2 cores.
BOOT_TIMEOUT_MS = 90_000
# A tap reaches Python over the websocket and the redrawn screen comes back; photo processing included.
ACTION_TIMEOUT_MS = 30_000
SERVER_START_TIMEOUT_S = 60
# expect() waits 5 s by default; a redraw after a tap can take longer on a busy 2-core machine.
expect.set_options(timeout=ACTION_TIMEOUT_MS)

# Flet's prebuilt client asks a public CDN for this one Rive script even with no_cdn; it fails harmlessly.
KNOWN_OUTSIDE_REQUEST = re.compile(
    r"^https://cdn\.jsdelivr\.net/npm/@rive-app/flutter-native-wasm@[\w.\-]+/wasm/rive_native\.js$")
BUNDLED_FONT_PATH = "fonts/NotoSansSC-Lianluo.otf"


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the app ------------------------------------------------------------------------------------------------------
class AppServer:
    """The field app in web mode, as a subprocess with its own data directory, on a free loopback port."""

    def __init__(self, data_dir: Path, *, demo: bool = True, user: str | None = None, server_url: str | None = None):
        self.data_dir = Path(data_dir)
        self.demo, self.user = demo, user
        self.server_url = server_url
        self.port = 0
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-app.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "AppServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        args = [sys.executable, "-m", "app", "--web", "--data-dir", str(self.data_dir), "--port", str(self.port),
                "--host", "127.0.0.1"]
        if self.demo:
            args.append("--demo")
        if self.user:
            args += ["--user", self.user]
        # Chinese UI whatever .env says, and a central store address where nothing listens.
        env = dict(os.environ, LIANLUO_LANGUAGE="zh-CN", PYTHONUNBUFFERED="1",
                   LIANLUO_SERVER_URL=self.server_url or f"http://127.0.0.1:{free_port()}")
        env.pop("LIANLUO_DATA_DIR", None)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode} before serving:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                error.close()  # an answer, but not yet the page: its connection is closed, not left to the collector
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the app did not serve {self.url} within {SERVER_START_TIMEOUT_S} s:\n{self.log()}")

    def kill(self) -> None:
        """Kill the app at once, as a phone's system kills an app in the background."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the app (its whole process group), politely first."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def __enter__(self) -> "AppServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# -- the browser --------------------------------------------------------------------------------------------------
def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@dataclass
class NetworkLog:
    """Every URL the page asked for, and the status of every answer."""

    requests: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> "NetworkLog":
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        return self

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _response(self, response: Response) -> None:
        self.statuses[response.url] = response.status

    def outside_loopback(self) -> list[str]:
        """URLs that left 127.0.0.1 (data: and blob: URLs never leave the browser)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if parts.hostname != "127.0.0.1":
                out.append(url)
        return out

    def unexpected_outside(self) -> list[str]:
        return [url for url in self.outside_loopback() if not KNOWN_OUTSIDE_REQUEST.match(url)]

    def matching(self, fragment: str) -> list[str]:
        return [url for url in self.requests if fragment in url]


def new_page(browser: Browser, viewport: dict | None = None) -> tuple[Page, NetworkLog]:
    context = browser.new_context(viewport=viewport or PHONE, locale="zh-CN", service_workers="block",
                                  permissions=["camera"])
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    return page, NetworkLog().attach(page)


def enable_semantics(page: Page) -> None:
    """Flutter builds its accessibility tree only once asked; the placeholder button asks."""
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=BOOT_TIMEOUT_MS)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("flt-semantics[role]", state="attached", timeout=BOOT_TIMEOUT_MS)


def open_app(page: Page, base_url: str, route: str = "/", *, ready_text: str | None = None) -> None:
    """Load a route, wait for the engine and the first screen, and turn on the semantics tree."""
    page.goto(base_url + route, wait_until="load", timeout=BOOT_TIMEOUT_MS)
    enable_semantics(page)
    if ready_text:
        expect(text(page, ready_text).first).to_be_visible(timeout=BOOT_TIMEOUT_MS)
    settle(page)


def reload(page: Page, *, ready_text: str | None = None) -> None:
    page.reload(wait_until="load", timeout=BOOT_TIMEOUT_MS)
    enable_semantics(page)
    if ready_text:
        expect(text(page, ready_text).first).to_be_visible(timeout=BOOT_TIMEOUT_MS)
    settle(page)


# -- finding things -----------------------------------------------------------------------------------------------
def text(page: Page, value: str, *, exact: bool = False) -> Locator:
    """A visible text in the semantics tree (Flutter emits labels as DOM text)."""
    return page.locator("flt-semantics-host").get_by_text(value, exact=exact)


def button(page: Page, name: str, *, exact: bool = False) -> Locator:
    return page.get_by_role("button", name=name, exact=exact)


def by_id(page: Page, identifier: str) -> Locator:
    """A control wrapped in ft.Semantics(identifier=...)."""
    return page.locator(f"[flt-semantics-identifier='{identifier}']")


def field_input(page: Page, label: str) -> Locator:
    """The real <input>/<textarea> Flutter puts behind a TextField, found by its label.

    While the field has focus Flutter appends the hint (and an error) to aria-label, hence the prefix match.
    """
    return page.locator(f"input[aria-label^='{label}'], textarea[aria-label^='{label}']")


def photo_tiles(page: Page) -> Locator:
    """The photos in the capture strip: each carries a remove button whose tooltip labels it."""
    return page.locator("flt-semantics[aria-label='删除这张照片']")


def issue_tile(page: Page, title: str) -> Locator:
    """An issue row (home or list) is one button whose text starts with the title."""
    return page.get_by_role("button").filter(has_text=title)


# -- what a deputy does -------------------------------------------------------------------------------------------
def settle(page: Page, quiet_ms: int = 300, timeout_ms: int = ACTION_TIMEOUT_MS) -> bool:
    """Wait until the semantics tree has stopped changing for quiet_ms (a route transition or a
    redraw is over), so what is found next is what stays on the screen. False if it never settled."""
    return page.evaluate("""([quiet, timeout]) => new Promise(resolve => {
        const host = document.querySelector('flt-semantics-host') || document.body;
        const finish = settled => {
            observer.disconnect(); clearTimeout(timer); clearTimeout(limit); resolve(settled);
        };
        const restart = () => { clearTimeout(timer); timer = setTimeout(() => finish(true), quiet); };
        const observer = new MutationObserver(restart);
        let timer = setTimeout(() => finish(true), quiet);
        const limit = setTimeout(() => finish(false), timeout);
        observer.observe(host, {subtree: true, childList: true, attributes: true, characterData: true});
    })""", [quiet_ms, timeout_ms])


def tap(locator: Locator) -> None:
    """Activate a button, tab or chip the way a screen reader does: a click event on its semantics node.

    Mouse clicks go to screen coordinates, and right after a screen change Flutter may still be moving
    the semantics nodes, so a mouse click can land on the wrong row; the click event cannot."""
    settle(locator.page)
    locator.dispatch_event("click")


def screen(page: Page, title: str) -> Locator:
    """The app bar title of the screen on top (联络通, 问题, 我的, 记录问题, 问题详情)."""
    return page.get_by_role("heading", name=title, exact=True)


def expect_screen(page: Page, title: str) -> None:
    expect(screen(page, title)).to_be_visible(timeout=ACTION_TIMEOUT_MS)
    settle(page)


def go_tab(page: Page, label: str) -> None:
    """Tap a bottom-navigation tab (首页 / 问题 / 我的) and wait for its screen."""
    tap(page.get_by_role("tab", name=label))
    expect_screen(page, {"首页": "联络通"}.get(label, label))
    expect(page.get_by_role("tab", name=label)).to_have_attribute("aria-selected", "true")


def go_back(page: Page) -> None:
    tap(page.get_by_role("button", name="Back"))


def open_issue(page: Page, title: str) -> None:
    """Tap an issue row (home or list) and wait for its detail."""
    tap(issue_tile(page, title))
    expect_screen(page, "问题详情")


def type_into(page: Page, label: str, value: str) -> None:
    """Focus a text field (a real click: the browser must give it focus) and enter the text."""
    settle(page)
    box = field_input(page, label)
    for attempt in range(3):
        box.click()
        expect(box).to_be_focused()  # Flutter has taken the field over for editing; typing before that is lost
        box.fill(value)
        try:
            # Moving from one field to the next, Flutter can still be handing its editing <input> over when
            # the text arrives; the text then never reaches the field, and it is typed again.
            expect(box).to_have_value(value, timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def expect_field_value(page: Page, label: str, value: str) -> None:
    """What a TextField holds. Flutter puts the text into the DOM <input> only while the field has
    focus (that is when a screen reader reads it too), so focus it first."""
    settle(page)
    box = field_input(page, label)
    box.click()
    expect(box).to_be_focused()
    expect(box).to_have_value(value)


def add_photo(page: Page, photo: Path) -> None:
    """Tap 从相册选择, choose the file in the browser's picker, wait until the photo is in the strip.

    A real mouse click: the browser opens a file picker only for a trusted user gesture."""
    settle(page)
    photos_before = photo_tiles(page).count()
    with page.expect_file_chooser(timeout=ACTION_TIMEOUT_MS) as chooser:
        button(page, "从相册选择").click()
    chooser.value.set_files(str(photo))
    expect(photo_tiles(page)).to_have_count(photos_before + 1, timeout=ACTION_TIMEOUT_MS)


def choose_chip(page: Page, label: str) -> None:
    chip = page.get_by_role("checkbox", name=label, exact=True).first
    tap(chip)
    expect(chip).to_have_attribute("aria-checked", "true")


def open_capture(page: Page) -> None:
    """From home: tap the big 记录问题 button."""
    tap(button(page, "记录问题"))
    expect_screen(page, "记录问题")
    expect(field_input(page, "标题（必填）")).to_be_attached()


def save(page: Page) -> None:
    tap(button(page, "保存", exact=True))


def record_issue(page: Page, *, title: str, photo: Path | None = None, category: str | None = "道路交通",
                 save_it: bool = True) -> None:
    """From home: 记录问题, add the photo, type the title, choose the category, tap 保存."""
    open_capture(page)
    if photo is not None:
        add_photo(page, photo)
    if title:
        type_into(page, "标题（必填）", title)
    if category:
        choose_chip(page, category)
    if save_it:
        save(page)
