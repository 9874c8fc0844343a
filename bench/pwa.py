"""The browser build (PWA) on this machine: bytes of the first install, start from cache, what a reload fetches.

    .venv/bin/python bench/pwa.py            # builds dist/app if needed; writes bench/pwa-results.txt

The central store runs in this process (uvicorn on loopback, the demo township) and serves the
PWA at /app/ and the API beside it; every byte it sends is counted as it leaves, so workers' and
the service worker's requests count too. Debian's Chromium, headless, one phone-sized page:

1. first install: a fresh profile opens /app/ and waits for the sign-in screen and the service
   worker's cache; bytes sent for /app/ (target <= 15 MB);
2. start from cache: signed in, the page is reloaded with the network cut and the store stopped
   answering, to the usable home screen (its 记录问题 button), best of several (target <= 5 s);
3. a reload from cache: what the store sent for /app/ during online reloads (target: nothing).

Side by side in the same run, the server-mode page of the same app (`python -m app --web`, Flet
over a websocket) is loaded the same way as the baseline: its bytes per load and time to home.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.browser import PHONE, AppServer, enable_semantics, launch_chromium, type_into, tap, button  # noqa: E402
from tests.e2e.browser import field_input, free_port, text  # noqa: E402

RESULTS = ROOT / "bench" / "pwa-results.txt"
TARGET_INSTALL_MB = 15.0
TARGET_START_S = 5.0
RUNS = 3
HOME_READY = "记录问题"  # the home screen's big button: the app is usable


class Counter:
    """ASGI middleware counting the bytes of every response by path (headers included, as on the wire)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.bytes: dict[str, int] = defaultdict(int)
            self.requests: list[str] = []

    def shell_paths(self) -> list[str]:
        with self.lock:
            return [p for p in self.requests if p.startswith("/app")]

    def shell(self) -> tuple[int, int]:
        """(requests, bytes) for the app's own files under /app/."""
        with self.lock:
            return (sum(1 for p in self.requests if p.startswith("/app")),
                    sum(n for p, n in self.bytes.items() if p.startswith("/app")))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        with self.lock:
            self.requests.append(path)

        async def counting(message):
            size = 0
            if message["type"] == "http.response.start":
                size = 17 + sum(len(k) + len(v) + 4 for k, v in message.get("headers", []))
            elif message["type"] == "http.response.body":
                size = len(message.get("body", b""))
            with self.lock:
                self.bytes[path] += size
            await send(message)

        await self.app(scope, receive, counting)


def start_store(data_dir: Path):
    import uvicorn

    from app.settings import Settings
    from sync.server.app import create_app
    from sync.server.demo import load_demo
    from tests.sync.phones import CHEAP_HASH

    settings = Settings(data_dir=data_dir, secret_key="bench-secret-0123456789", pwa_dir=ROOT / "dist" / "app",
                        log_level="WARNING")
    app = create_app(settings)
    load_demo(app.state.engine, issues=True, password_hash=CHEAP_HASH)
    counter = Counter(app)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(counter, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, counter, f"http://127.0.0.1:{port}"


def wait_home(page, timeout_ms: int = 120_000) -> None:
    expect(button(page, HOME_READY).first).to_be_visible(timeout=timeout_ms)


def timed_load(page, action) -> float:
    """Seconds from the navigation's start to the usable home screen."""
    action()
    enable_semantics(page)
    wait_home(page)
    return page.evaluate("performance.now()") / 1000


def sign_in(page) -> None:
    expect(field_input(page, "用户名")).to_be_attached(timeout=120_000)
    type_into(page, "用户名", "deputy-wang")
    type_into(page, "密码", "lianluo2026")
    tap(button(page, "登录", exact=True))


def measure_pwa(browser, url: str, counter: Counter) -> dict:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="allow")
    page = context.new_page()
    counter.reset()
    started = time.monotonic()
    page.goto(url)
    enable_semantics(page)
    expect(text(page, "第一次使用请联网登录一次").first).to_be_visible(timeout=120_000)
    first_screen = time.monotonic() - started
    page.wait_for_function("""async () => navigator.serviceWorker.controller !== null &&
                              (await caches.keys()).some(k => k.startsWith('lianluo-'))""", timeout=120_000,
                           polling=250)
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_timeout(1000)  # the install's last cache writes
    install_requests, install_bytes = counter.shell()
    sign_in(page)
    wait_home(page)
    expect(text(page, "已同步", exact=True).first).to_be_visible(timeout=120_000)

    online, fetched, paths = [], [], set()
    for _ in range(RUNS):
        counter.reset()
        online.append(timed_load(page, lambda: page.reload()))
        page.wait_for_timeout(2000)  # whatever the page fetches once it runs counts too
        fetched.append(counter.shell())
        paths.update(counter.shell_paths())
    context.set_offline(True)
    offline = [timed_load(page, lambda: page.reload()) for _ in range(RUNS)]
    timing = page.evaluate("JSON.stringify(window.lianluoTiming || {})")
    context.close()
    return {"install_bytes": install_bytes, "install_requests": install_requests, "first_screen": first_screen,
            "online": online, "offline": offline, "reload_fetched": fetched, "reload_paths": sorted(paths),
            "timing": timing}


def measure_server_mode(browser, tmp: Path) -> dict:
    """The baseline: today's server-mode page (demo data, no sign-in), bytes by CDP, time to home."""
    with AppServer(tmp / "server-mode") as app:
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received = {"bytes": 0}
        cdp.on("Network.loadingFinished", lambda e: received.__setitem__("bytes", received["bytes"] + e["encodedDataLength"]))
        cdp.on("Network.webSocketFrameReceived", lambda e: received.__setitem__(
            "bytes", received["bytes"] + len(e["response"].get("payloadData", ""))))
        first = timed_load(page, lambda: page.goto(app.url + "/"))
        first_bytes = received["bytes"]
        reloads, reload_bytes = [], []
        for _ in range(RUNS):
            received["bytes"] = 0
            reloads.append(timed_load(page, lambda: page.reload()))
            reload_bytes.append(received["bytes"])
        context.close()
    return {"first": first, "first_bytes": first_bytes, "reloads": reloads, "reload_bytes": reload_bytes}


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pwa.py")], check=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-pwa-") as tmp:
        tmp = Path(tmp)
        server, counter, base = start_store(tmp / "central")
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                pwa = measure_pwa(browser, f"{base}/app/", counter)
                baseline = measure_server_mode(browser, tmp)
                browser.close()
        finally:
            server.should_exit = True
    load_after = os.getloadavg()[0]
    mb = pwa["install_bytes"] / 1e6
    best_offline, best_online = min(pwa["offline"]), min(pwa["online"])
    shell_requests = sum(r for r, _ in pwa["reload_fetched"])
    shell_bytes = sum(b for _, b in pwa["reload_fetched"])
    lines = [
        f"bench/pwa.py — {datetime.now():%Y-%m-%d %H:%M} — Debian Chromium headless, {PHONE['width']}x"
        f"{PHONE['height']}, best of {RUNS}; the central store serves /app/ on loopback",
        "",
        "what                                        PWA          server-mode page   ratio   target",
        "-" * 96,
        f"first install over the wire              {mb:7.2f} MB    {baseline['first_bytes'] / 1e6:7.2f} MB        "
        f"{pwa['install_bytes'] / max(1, baseline['first_bytes']):5.2f}x  <= {TARGET_INSTALL_MB:.0f} MB: "
        f"{verdict(mb <= TARGET_INSTALL_MB)}",
        f"  ({pwa['install_requests']} requests; sign-in screen after {pwa['first_screen']:.1f} s on the first load)",
        f"start from cache to the home screen       {best_offline:6.2f} s      {min(baseline['reloads']):6.2f} s "
        f"(online)  {best_offline / min(baseline['reloads']):5.2f}x  <= {TARGET_START_S:.0f} s: "
        f"{verdict(best_offline <= TARGET_START_S)}",
        f"  offline runs {', '.join(f'{t:.2f}' for t in pwa['offline'])} s; online reloads "
        f"{', '.join(f'{t:.2f}' for t in pwa['online'])} s (best {best_online:.2f} s)",
        f"reload from cache: app shell fetched      {shell_requests} requests, {shell_bytes} B   "
        f"{sum(baseline['reload_bytes']) / RUNS / 1e6:6.2f} MB per reload      target nothing: "
        f"{verdict(shell_requests == 0)}",
        f"  fetched on reload: {', '.join(pwa['reload_paths']) or 'nothing'}",
        "",
        f"load average (1 min) before and after: {load_before:.1f}, {load_after:.1f} on {os.cpu_count()} cores; "
        "other work on the machine slows every figure alike, the ratios less",
        f"where the last offline start went (ms since the worker started): {pwa['timing']}",
    ]
    output = "\n".join(lines) + "\n"
    print(output)
    RESULTS.write_text(output)


if __name__ == "__main__":
    main()
