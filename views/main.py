"""Start the field app: a desktop window where there is a display, else a web page served to the browser."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flet as ft
from sqlalchemy.engine import Engine

from app.assets import assets_dir
from app.i18n import Translator
from app.photos import PhotoStore
from app.reference import seed_reference, stable_id
from app.settings import Settings, SettingsError, load_settings
from app.store import open_store
from app.viewmodels.context import AppContext
from views.location import make_locator
from views.shell import Shell

DEMO_USER = "deputy-wang"
BROWSERS = "browsers"  # under the data dir: one replica per browser in web mode
BROWSER_KEY = "lianluo.browser_key"  # in the browser's client storage
BROWSER_KEY_FORMAT = re.compile(r"[A-Za-z0-9_-]{40,64}")  # what secrets.token_urlsafe(32) gives: a safe folder name
log = logging.getLogger(__name__)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m app", description="Lianluo: the township deputies' field app")
    parser.add_argument("--data-dir", type=Path, help="where the local store and photos live (LIANLUO_DATA_DIR)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LIANLUO_PORT", "8550")),
                        help="port of the web page (web mode)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve the web page on (web mode)")
    parser.add_argument("--web", action="store_true", help="serve to a browser even where there is a display")
    parser.add_argument("--demo", action="store_true",
                        help="work alone on the demo township's data as a demo deputy, without a central store")
    parser.add_argument("--server", default=None, help="the central store to sync with (LIANLUO_SERVER_URL)")
    parser.add_argument("--user", default=None, help="with --demo: the demo person to act as (e.g. office-ma)")
    parser.add_argument("--native", action="store_true", help="run as the packaged phone or desktop app")
    return parser.parse_args(argv)


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare(settings: Settings, *, demo: bool, demo_user: str | None) -> tuple:
    """Open the local store (migrating it), load reference or demo data, and choose the user."""
    engine = open_store(settings.local_db_path)
    photos = PhotoStore(settings.photo_dir)
    ctx = AppContext(engine, photos, settings)
    with ctx.session() as session:
        if demo:
            from app.demo import seed_demo  # only the demo mode loads the demo township

            seed_demo(session)
        else:
            seed_reference(session)
    if demo and (demo_user or ctx.current_user() is None):
        ctx.sign_in_locally(stable_id("person", demo_user or DEMO_USER))
    return engine, photos


@dataclass(frozen=True)
class Replica:
    """One device's local data: its store, its photos, its settings and (with a central store) its sync."""

    settings: Settings
    engine: Engine
    photos: PhotoStore
    syncer: Any = None  # sync.service.SyncService; None when working alone (--demo)


class Replicas:
    """The replicas this process serves, each opened on first use.

    A phone, a PC and `--demo` have one. Served to browsers with a central store, each browser
    is a device of its own: a random key in its client storage names its replica under
    `<data_dir>/browsers/<key>/`, so a fresh browser signs in itself and two people work side by side.
    """

    def __init__(self, settings: Settings, *, demo: bool = False, demo_user: str | None = None,
                 per_browser: bool = False, opened: Replica | None = None):
        self.settings, self.demo, self.demo_user, self.per_browser = settings, demo, demo_user, per_browser
        self._open: dict[str | None, Replica] = {} if opened is None else {None: opened}
        self._opening = asyncio.Lock()

    async def for_page(self, page: ft.Page) -> Replica:
        return await self.get(await browser_key(page) if self.per_browser else None)

    async def get(self, key: str | None = None) -> Replica:
        """The replica of this browser key (None: the device's one), opened off the event loop the first time."""
        if key not in self._open:
            async with self._opening:
                if key not in self._open:
                    self._open[key] = await asyncio.to_thread(self._open_replica, key)
        return self._open[key]

    def _open_replica(self, key: str | None) -> Replica:
        settings = self.settings
        if key is not None:
            settings = settings.with_overrides(data_dir=settings.data_dir / BROWSERS / key)
        engine, photos = prepare(settings, demo=self.demo, demo_user=self.demo_user)
        syncer = None
        if not self.demo:
            from sync.service import SyncService

            syncer = SyncService(engine, photos, settings)
        return Replica(settings, engine, photos, syncer)


async def browser_key(page: ft.Page) -> str:
    """Return this browser's key from its client storage, minting one the first time."""
    prefs = ft.SharedPreferences()
    try:
        value = await prefs.get(BROWSER_KEY)
    except Exception:  # storage the browser refuses (a private window's quota): a device for this visit only
        log.warning("no client storage in this browser", exc_info=True)
        value = None
    if isinstance(value, str) and BROWSER_KEY_FORMAT.fullmatch(value):
        return value
    value = secrets.token_urlsafe(32)
    try:
        await prefs.set(BROWSER_KEY, value)
    except Exception:
        log.warning("could not keep the browser key", exc_info=True)
    return value


def make_main(engine, photos, settings: Settings, syncer=None):
    """Return the per-session entry point of a device with one replica (a phone, a PC, the browser build)."""
    return serve(Replicas(settings, opened=Replica(settings, engine, photos, syncer)))


def serve(replicas: Replicas):
    """Return the per-session entry point: each browser tab or window gets its own context on its replica."""

    async def main(page: ft.Page) -> None:
        replica = await replicas.for_page(page)
        if replica.syncer is not None:
            replica.syncer.ensure_started()  # one background sync per replica, whichever session comes first
        ctx = AppContext(replica.engine, replica.photos, replica.settings, syncer=replica.syncer)
        shell = Shell(page, ctx, locate=make_locator(page))
        page.data = shell  # keep the shell alive as long as the page
        shell.render()

    return main


def run(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        settings = load_settings()
        # A packaged phone app keeps its data where the platform gives it room.
        data_dir = args.data_dir or os.environ.get("FLET_APP_STORAGE_DATA")
        if data_dir:
            settings = settings.with_overrides(data_dir=Path(data_dir))
        if args.server:
            settings = settings.with_overrides(server_url=args.server)
    except SettingsError as error:
        sys.exit(f"configuration error: {error}")
    logging.basicConfig(level=settings.log_level)
    web = not args.native and (args.web or not has_display())
    # --demo works alone: one replica of the demo township, whoever opens it.
    main = serve(Replicas(settings, demo=args.demo, demo_user=args.user, per_browser=web and not args.demo))
    if web:
        serve_web(main, settings, host=args.host, port=args.port)
    else:
        ft.run(main, assets_dir=str(assets_dir()), view=ft.AppView.FLET_APP)


def web_app(main, settings: Settings):
    """Return the ASGI app serving the field app to a browser, with nothing fetched from outside."""
    import flet_web.fastapi as flet_fastapi

    t = Translator(settings.language)
    root = flet_fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    root.mount("/", flet_fastapi.app(main, assets_dir=str(assets_dir()), no_cdn=True, app_name=t("app.title"),
                                     app_short_name=t("app.title"), app_description=t("app.description")))
    return root


def serve_web(main, settings: Settings, *, host: str, port: int) -> None:
    import uvicorn

    print(f"{Translator(settings.language)('app.title')}: http://{host}:{port}/", flush=True)
    uvicorn.run(web_app(main, settings), host=host, port=port, log_level="warning")
