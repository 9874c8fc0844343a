"""The phone's sync client: photos, then the outbox, then pull, over whatever network there is."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime
from typing import Awaitable, Callable

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import utcnow
from app.outbox import (SyncOutcome, SyncReport, SyncStatus, clear_problem, note_run, pending_mutations,
                        photo_hashes, read_status, split_by_photos)
from app.problems import Problem
from app.replica import ReplicaUser, auth_token, forget_token, remember_login, signed_in_user
from sync.client._errors import AuthRequired, LoginRefused, Offline, SyncError
from sync.client._http import Api, problem_of
from sync.client._pull import pull
from sync.client._push import Pusher
from sync.client._run import (BACKOFF_BASE, BACKOFF_CAP, ProgressCallback, ReportCallback, Run, backoff_delay,
                              emit)
from sync.client._uploads import CHUNK_SIZE, PhotoSource, Uploads, together
from sync.protocol import LoginRequest, LoginResponse, UserPublic

UPLOAD_CONCURRENCY = 3
IDLE_INTERVAL = 60.0


class SyncClient:
    """Sync one local replica with the central store.

    Example::

        async with SyncClient(engine, photos, base_url=url, device_id=device_id) as client:
            await client.login("deputy-wang", password, device_name="王建华的手机")
            report = await client.sync_once(on_progress=print)
            if report.outcome is SyncOutcome.AUTH_REQUIRED: ...  # ask to log in again
    """

    def __init__(self, engine: Engine, photo_store: PhotoSource, *, base_url: str, device_id: str,
                 transport: httpx.AsyncBaseTransport | None = None, chunk_size: int = CHUNK_SIZE,
                 upload_concurrency: int = UPLOAD_CONCURRENCY, idle_interval: float = IDLE_INTERVAL,
                 backoff_base: float = BACKOFF_BASE, backoff_cap: float = BACKOFF_CAP,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rand: Callable[[], float] = random.random, clock: Callable[[], datetime] = utcnow):
        self.engine = engine
        self.photos = photo_store
        self.device_id = device_id
        self.api = Api(base_url, transport, connections=upload_concurrency + 1)
        self.uploads = Uploads(self.api, engine, photo_store, chunk_size=chunk_size,
                               concurrency=upload_concurrency, sleep=sleep)
        self.pusher = Pusher(self.api, engine, photo_store, device_id=device_id)
        self.idle_interval = idle_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self._lock = asyncio.Lock()
        self.last_report: SyncReport | None = None

    @property
    def base_url(self) -> str:
        return self.api.base_url

    async def __aenter__(self) -> "SyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.api.aclose()

    # ------------------------------------------------------------------ status

    def status(self) -> SyncStatus:
        """Read what waits to sync from the local store (no network)."""
        with Session(self.engine) as session:
            return read_status(session, self.photos)

    def user(self) -> ReplicaUser | None:
        with Session(self.engine) as session:
            return signed_in_user(session)

    # ------------------------------------------------------------------ login

    async def login(self, username: str, password: str, device_name: str = "") -> UserPublic:
        """Sign in, keep the token and the user in the local store; raise LoginRefused or Offline."""
        try:
            body = LoginRequest(username=username, password=password, device_name=device_name[:100])
        except ValueError as exc:  # empty or overlong: the server would refuse it the same way
            raise LoginRefused(Problem.MALFORMED, str(exc)) from None
        response = await self.api.send("POST", "/auth/login", None, content=body.model_dump_json().encode())
        if response.status_code in (401, 403):
            raise LoginRefused(*problem_of(response), response.status_code)
        if response.status_code != 200:
            raise SyncError(*problem_of(response), response.status_code)
        try:
            login = LoginResponse.model_validate_json(response.content)
        except ValueError as exc:
            raise SyncError(Problem.SERVER_ERROR, str(exc), response.status_code) from None
        user = login.user
        with Session(self.engine) as session:
            pending = pending_mutations(session, limit=1)
            previous = signed_in_user(session)
            # The server takes the author from the token: another user's waiting changes
            # must not go out under this login.
            if pending and previous is not None and previous.id != user.id:
                raise LoginRefused(Problem.PENDING_OTHER_USER,
                                   f"{previous.name} still has changes waiting to sync on this device")
            remember_login(session, token=login.token, expires_at=login.expires_at,
                           user=ReplicaUser(**user.model_dump()))
            clear_problem(session)
            session.commit()
        return user

    # ------------------------------------------------------------------ one run

    async def sync_once(self, on_progress: ProgressCallback | None = None) -> SyncReport:
        """Send waiting photos, push the outbox, pull what changed; never raises for a network failure."""
        async with self._lock:
            run = Run(started_at=self._clock(), on_progress=on_progress)
            with Session(self.engine) as session:
                token = auth_token(session)
            outcome, code, message = SyncOutcome.OK, "", ""
            if not token:
                outcome, code = SyncOutcome.SIGNED_OUT, Problem.AUTH_REQUIRED.value
            else:
                try:
                    await self._send(token, run)
                    await pull(self.api, self.engine, token, run)
                except Offline as exc:
                    outcome, code, message = SyncOutcome.OFFLINE, exc.code, exc.message
                except AuthRequired as exc:
                    outcome, code, message = SyncOutcome.AUTH_REQUIRED, exc.code, exc.message
                    with Session(self.engine) as session:
                        forget_token(session)
                        session.commit()
                except SyncError as exc:
                    outcome, code, message = SyncOutcome.ERROR, exc.code, exc.message
                except (ValueError, KeyError) as exc:  # an answer that is not what the protocol says
                    outcome, code = SyncOutcome.ERROR, Problem.SERVER_ERROR.value
                    message = f"{type(exc).__name__}: {exc}"
            finished = self._clock()
            with Session(self.engine) as session:
                note_run(session, outcome=outcome, at=finished, problem=str(code))
                session.commit()
                status = read_status(session, self.photos)
            report = run.report(outcome=outcome, finished_at=finished, code=str(code), message=message,
                                status=status)
            self.last_report = report
            return report

    async def _send(self, token: str, run: Run) -> None:
        """Upload the photos the server lacks, then push the outbox in creation order.

        Photos are most of the bytes on a village link, so while they go up, the changes
        of records that wait for no photo are pushed alongside (the server applies them
        while the link is busy); the rest follow once their photos are there. Within a
        record the order is always the order the changes were made.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            waiting = pending_mutations(session)
        run.mutations_total = len(waiting)
        named = [sha for m in waiting for sha in photo_hashes(m.kind, m.body)]
        wanted = list(dict.fromkeys(sha for sha in named if self.photos.has(sha)))
        missing = await self.uploads.missing(token, wanted)
        if not missing:
            await self.pusher.push(token, waiting, run)
            return
        unsendable = {sha for sha in named if sha not in wanted}
        early, late = split_by_photos(waiting, set(missing) | unsendable)
        await together(self.uploads.send(token, missing, run), self.pusher.push(token, early, run))
        await self.pusher.push(token, late, run)

    async def save_reference(self, entity: str, code: str, body: dict) -> dict:
        """Add or change a station or special group on the central store (the office; online only), then pull.

        `entity` is "stations" or "groups". Raises Offline without a network and SyncError
        with the server's problem (e.g. auth.forbidden, request.malformed) when refused.
        """
        if entity not in ("stations", "groups"):
            raise ValueError(f"not a kind of reference data the office keeps: {entity!r}")
        with Session(self.engine) as session:
            token = auth_token(session)
        response = await self.api.request("PUT", f"/{entity}/{code}", token, json_body=body)
        await self.sync_once()
        return response.json()

    async def fetch_poster(self, station_id: str) -> bytes:
        """A station's A4 poster (PDF, with the QR code of its public page) from the central store; online only.

        Raises Offline without a network and SyncError with the server's problem when refused.
        """
        with Session(self.engine) as session:
            token = auth_token(session)
        response = await self.api.request("GET", f"/stations/{station_id}/poster.pdf", token)
        return response.content

    async def download_photo(self, sha256: str) -> bool:
        """Fetch a photo another device took, for a record's screen; False when it cannot be had now."""
        with Session(self.engine) as session:
            token = auth_token(session)
        return bool(token) and await self.uploads.download(token, sha256)

    # ------------------------------------------------------------------ loop

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, *, on_report: ReportCallback | None = None,
                  on_progress: ProgressCallback | None = None) -> None:
        """Sync whenever the server can be reached until stop is set; wake.set() syncs now.

        After a success the next run comes after idle_interval; after failures the wait
        doubles from backoff_base up to backoff_cap, with jitter. When the server wants
        a new login the loop waits for wake (the user signed in again) or stop.
        """
        failures = 0
        while not stop.is_set():
            wake.clear()
            report = await self.sync_once(on_progress)
            await emit(on_report, report)
            if report.outcome is SyncOutcome.OK:
                failures, delay = 0, self.idle_interval
            elif report.outcome in (SyncOutcome.AUTH_REQUIRED, SyncOutcome.SIGNED_OUT):
                failures, delay = 0, None
            else:
                failures += 1
                delay = backoff_delay(failures, base=self.backoff_base, cap=self.backoff_cap, rand=self._rand)
            await self._wait(delay, stop, wake)

    async def _wait(self, delay: float | None, stop: asyncio.Event, wake: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
        if delay is not None:
            waiters.append(asyncio.ensure_future(self._sleep(delay)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
