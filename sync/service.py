"""The field app's background sync: one loop per local replica, shared by every open screen.

Besides the sync loop, a probe asks the central store `GET /api/v1/ping` about once a second
while a screen is open, with a short timeout, so the app bar can say 离线 within two seconds of
losing the store, and the loop is woken the moment the store answers again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.ids import new_id
from app.outbox import SyncOutcome, SyncProgress, SyncReport, SyncStatus
from app.problems import Problem
from app.replica import forget_user
from app.settings import Settings
from app.store import get_meta, set_meta
from sync.client import LoginRefused, Offline, SyncClient, SyncError

DEVICE_KEY = "device_id"
PROBE_INTERVAL = 1.0  # seconds between two probes while a screen is open
PROBE_TIMEOUT = 0.8  # a store that has not answered by then counts as gone
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
    """Runs SyncClient.run in the background, probes the central store, and tells listeners what changed.

    Example::

        service = SyncService(engine, photos, settings)
        service.ensure_started()                      # on the running event loop
        unsubscribe = service.subscribe(redraw)       # probing runs while someone listens
        report = await service.sync_and_report()      # 立即同步: wait for the run it asked for
    """

    def __init__(self, engine: Engine, photos, settings: Settings, *, client: SyncClient | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 probe_interval: float = PROBE_INTERVAL, probe_timeout: float = PROBE_TIMEOUT):
        self.engine, self.photos = engine, photos
        self.client = client or SyncClient(engine, photos, base_url=settings.server_url, device_id=device_id(engine))
        self.progress: SyncProgress | None = None
        self.last_report: SyncReport | None = None
        self.reachable: bool | None = None  # whether the store answered, as the last probe or run found
        self._last_probe: bool | None = None
        self.probe_interval, self.probe_timeout = probe_interval, probe_timeout
        self._sleep = sleep
        self._listeners: list[Callable[[], None]] = []
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._watched = asyncio.Event()  # set while someone listens: the probe runs only then
        self._task: asyncio.Task | None = None
        self._probe_task: asyncio.Task | None = None
        self._reports = 0  # runs ended so far
        self._due: int | None = None  # the run that answers the latest 立即同步 (a count of runs), if any
        self._waiters: list[tuple[int, asyncio.Future]] = []

    @property
    def running(self) -> bool:
        return self.progress is not None

    @property
    def requested(self) -> bool:
        """立即同步 was asked for and the run that answers it has not ended yet."""
        return self._due is not None

    @property
    def online(self) -> bool:
        """The central store answers: as the last probe found, else as the last run found."""
        if self.reachable is not None:
            return self.reachable
        return self.status().last_outcome == SyncOutcome.OK.value

    def ensure_started(self) -> None:
        """Start the loop and the probe on the running event loop, once."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())
        if self._probe_task is None or self._probe_task.done():
            self._probe_task = loop.create_task(self._probe_loop())

    async def _run(self) -> None:
        try:
            await self.client.run(self._stop, self._wake, on_report=self._reported, on_progress=self._progressed)
        except Exception:  # a bug must not end syncing for good: log it and start over later
            log.exception("sync loop failed; restarting in 30 s")
            await self._sleep(30)
            self._task = None
            if not self._stop.is_set():
                self.ensure_started()

    async def stop(self) -> None:
        self._stop.set()
        if self._probe_task is not None:
            self._probe_task.cancel()  # it may sit in its pause between probes
        tasks = [t for t in (self._task, self._probe_task) if t is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.client.aclose()

    async def _pause(self) -> bool:
        """Stop the loop where it is (its run is given up, the store keeps what it committed); True if it ran."""
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self.progress = None
        return True

    # -- syncing now ---------------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        """Wake the loop: a run starts now, or right after the one under way."""
        # A run under way may have read the outbox before this change: the one after it answers.
        self._due = self._reports + (2 if self.running else 1)
        self._wake.set()
        self._notify()

    async def sync_and_report(self) -> SyncReport:
        """Sync now and return how the run that was asked for ended (立即同步's answer)."""
        self.sync_now()
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((self._due or self._reports + 1, future))
        return await future

    def status(self) -> SyncStatus:
        return self.client.status()

    # -- the probe -----------------------------------------------------------------------------------------------
    async def probe(self) -> bool:
        """Ask the central store once whether it is there; note the answer; True if it answered."""
        try:
            response = await asyncio.wait_for(self.client.api.http.get(self.client.api.url("/ping")),
                                              self.probe_timeout)
            up = response.status_code < 500  # any answer of the store's own (an older one has no /ping: 404)
        except (httpx.HTTPError, asyncio.TimeoutError, OSError):
            up = False
        self._probed(up)
        return up

    def _probed(self, up: bool) -> None:
        # Woken only when a probe itself saw the store gone: where pings pass but runs fail (a link
        # that breaks long uploads), the loop keeps its backoff instead of running every second.
        came_back = up and self._last_probe is False
        changed = self.reachable is not up
        self._last_probe = self.reachable = up
        if came_back:
            self.sync_now()  # back: sync at once rather than when the backoff ends (notifies)
        elif changed:
            self._notify()

    async def _probe_loop(self) -> None:
        while not self._stop.is_set():
            if not self._listeners:
                self._watched.clear()
                await self._watched.wait()  # nobody looks: no probing until a screen subscribes
                continue
            try:
                await self.probe()
            except Exception:  # never let a surprise end the probing
                log.exception("connection probe failed")
            await self._sleep(self.probe_interval)

    # -- signing in ----------------------------------------------------------------------------------------------
    async def login(self, username: str, password: str, device_name: str = "") -> str | None:
        """Sign in; return None on success or the stable code of why not.

        Signing in as somebody else removes the previous user's records, photos and drafts
        from this device first (app.replica.forget_user); it is refused while anything of
        theirs waits to sync.
        """
        previous = self.client.user()
        try:
            user = await self.client.login(username, password, device_name)
        except LoginRefused as refusal:
            return refusal.code or Problem.BAD_CREDENTIALS
        except Offline:
            return Problem.OFFLINE
        except SyncError as error:
            return error.code or Problem.SERVER_ERROR
        if previous is not None and previous.id != user.id:
            # The loop may be pulling the previous user's records: stop it before they are removed.
            was_running = await self._pause()
            with Session(self.engine) as session:
                forgotten = forget_user(session, self.photos)
            log.info("signed in as another user: removed %s records and %s photos of the previous one",
                     forgotten.records, forgotten.photos)
            self.last_report = None
            if was_running:
                self.ensure_started()
        self.sync_now()
        return None

    async def download_photos(self, hashes: list[str]) -> int:
        """Fetch photos other devices took, one after another; return how many arrived."""
        arrived = 0
        for sha256 in hashes:
            if await self.client.download_photo(sha256):
                arrived += 1
        return arrived

    # -- listeners -----------------------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        self._watched.set()
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _progressed(self, progress: SyncProgress) -> None:
        self.progress = progress
        self._notify()

    def _reported(self, report: SyncReport) -> None:
        self.progress = None
        self.last_report = report
        self._reports += 1
        if report.outcome is SyncOutcome.OFFLINE:
            self.reachable = False  # the run could not reach the store: say so before the next probe
        elif report.outcome is not SyncOutcome.SIGNED_OUT:
            self.reachable = True
        if self._due is not None and self._reports >= self._due:
            self._due = None
        answered = [(due, f) for due, f in self._waiters if self._reports >= due]
        self._waiters = [(due, f) for due, f in self._waiters if self._reports < due]
        for _due, future in answered:
            if not future.done():
                future.set_result(report)
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a closed browser tab: forget it
                log.debug("dropping a sync listener", exc_info=True)
                if listener in self._listeners:
                    self._listeners.remove(listener)
