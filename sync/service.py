"""The field app's background sync: one loop per local replica, shared by every open screen."""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.ids import new_id
from app.outbox import SyncProgress, SyncReport, SyncStatus
from app.problems import Problem
from app.settings import Settings
from app.store import get_meta, set_meta
from sync.client import LoginRefused, Offline, SyncClient, SyncError

DEVICE_KEY = "device_id"
log = logging.getLogger(__name__)


def device_id(engine: Engine) -> str:
    """Return this replica's id, minted once, so the server can tell devices apart."""
    with Session(engine) as session:
        value = get_meta(session, DEVICE_KEY)
        if not value:
            value = new_id()
            set_meta(session, DEVICE_KEY, value)
            session.commit()
        return value


class SyncService:
    """Runs SyncClient.run in the background and tells listeners about progress and results."""

    def __init__(self, engine: Engine, photos, settings: Settings, *, client: SyncClient | None = None):
        self.client = client or SyncClient(engine, photos, base_url=settings.server_url, device_id=device_id(engine))
        self.progress: SyncProgress | None = None
        self.last_report: SyncReport | None = None
        self._listeners: list[Callable[[], None]] = []
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self.progress is not None

    def ensure_started(self) -> None:
        """Start the loop on the running event loop, once."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await self.client.run(self._stop, self._wake, on_report=self._reported, on_progress=self._progressed)
        except Exception:  # a bug must not end syncing for good: log it and start over later
            log.exception("sync loop failed; restarting in 30 s")
            await asyncio.sleep(30)
            self._task = None
            if not self._stop.is_set():
                self.ensure_started()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.aclose()

    def sync_now(self) -> None:
        self._wake.set()

    def status(self) -> SyncStatus:
        return self.client.status()

    async def login(self, username: str, password: str, device_name: str = "") -> str | None:
        """Sign in; return None on success or the stable code of why not."""
        try:
            await self.client.login(username, password, device_name)
        except LoginRefused as refusal:
            return refusal.code or Problem.BAD_CREDENTIALS
        except Offline:
            return Problem.OFFLINE
        except SyncError as error:
            return error.code or Problem.SERVER_ERROR
        self.sync_now()
        self._notify()
        return None

    async def download_photos(self, hashes: list[str]) -> int:
        """Fetch photos other devices took, one after another; return how many arrived."""
        arrived = 0
        for sha256 in hashes:
            if await self.client.download_photo(sha256):
                arrived += 1
        return arrived

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _progressed(self, progress: SyncProgress) -> None:
        self.progress = progress
        self._notify()

    def _reported(self, report: SyncReport) -> None:
        self.progress = None
        self.last_report = report
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a closed browser tab: forget it
                log.debug("dropping a sync listener", exc_info=True)
                if listener in self._listeners:
                    self._listeners.remove(listener)
