"""The phone's sync client: photos, then the outbox, then pull, over whatever network there is.

Everything runs on asyncio with the HTTP transport injected, so tests pass an
``httpx.ASGITransport`` or ``httpx.MockTransport`` and the same code can later run
inside Pyodide. Being offline is the normal state: a run that cannot reach the
server ends quietly with ``SyncOutcome.OFFLINE`` and the outbox keeps everything.

    client = SyncClient(engine, PhotoStore(root), base_url="http://127.0.0.1:8700", device_id=device)
    await client.login("deputy-wang", "…", device_name="王建华的手机")
    report = await client.sync_once()
    stop, wake = asyncio.Event(), asyncio.Event()
    asyncio.create_task(client.run(stop, wake))   # wake.set() is the "sync now" button
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Protocol

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import utcnow
from app.models import OutboxMutation
from app.photos import PhotoError
from app.outbox import (DONE_STATES, RejectedChange, SyncOutcome, SyncProgress, SyncReport, SyncStatus, batches,
                        clear_problem, issue_of, note_run, pending_mutations, photo_hashes,
                        read_status, record_result, rejected_change)
from app.replica import (ReplicaUser, apply_changes, auth_token, forget_token, get_cursor, remember_login,
                         set_cursor, signed_in_user)
from app.store import get_meta, set_meta
from sync import protocol
from sync.protocol import (API_PREFIX, MAX_BATCH, MAX_BODY_BYTES, MAX_PULL_PAGE, PROTOCOL_HEADER, PROTOCOL_VERSION,
                           RETRYABLE_CODES, ErrorCode, LoginResponse, MutationStatus, UserPublic)

__all__ = ["SyncClient", "SyncError", "LoginRefused", "SyncOutcome", "SyncProgress", "SyncReport", "SyncStatus",
           "backoff_delay"]

CHUNK_SIZE = 256 * 1024
UPLOAD_CONCURRENCY = 3
RESUME_ATTEMPTS = 5
BACKOFF_BASE = 5.0
BACKOFF_CAP = 600.0
IDLE_INTERVAL = 60.0
PARTIAL_UPLOADS = "sync.partial_uploads"

ProgressCallback = Callable[[SyncProgress], Any]
ReportCallback = Callable[[SyncReport], Any]


class PhotoSource(Protocol):
    """The part of app.photos.PhotoStore the client uses."""

    def has(self, sha256: str) -> bool: ...

    def read(self, sha256: str) -> bytes: ...

    def path(self, sha256: str): ...

    def put_bytes(self, sha256: str, data: bytes) -> str: ...


class SyncError(Exception):
    """The server answered with an error the user or the app must act on."""

    def __init__(self, code: str, message: str = "", status: int = 0):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


class LoginRefused(SyncError):
    """Wrong username or password, or an account that may not sign in."""


class Offline(SyncError):
    """No answer from the server (no network, server down, connection cut)."""

    def __init__(self, message: str = ""):
        super().__init__("network.offline", message)


class _AuthRequired(SyncError):
    pass


def backoff_delay(failures: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP,
                  rand: Callable[[], float] = random.random) -> float:
    """Return the wait after this many failures in a row: doubling from base, capped, with jitter.

    Half the delay is fixed and half random ("equal jitter"), so phones that lost the
    network together do not all come back in the same second, and no wait is near zero.
    """
    ceiling = min(cap, base * 2 ** max(0, failures - 1))
    return ceiling / 2 + rand() * ceiling / 2


@dataclass
class _Run:
    """Counters of one run, turned into a SyncReport at the end."""

    started_at: datetime
    photos_uploaded: int = 0
    photos_failed: list[str] = field(default_factory=list)
    bytes_uploaded: int = 0
    bytes_total: int = 0
    photos_total: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: list[RejectedChange] = field(default_factory=list)
    mutations_sent: int = 0
    mutations_total: int = 0
    held_back: int = 0
    retry_later: int = 0
    changes_pulled: int = 0


class SyncClient:
    """Sync one local replica with the central store.

    Example::

        async with SyncClient(engine, photos, base_url=url, device_id=device_id) as client:
            await client.login("deputy-wang", password, device_name="王建华的手机")
            report = await client.sync_once(on_progress=print)
            if report.outcome is SyncOutcome.AUTH_REQUIRED: ...  # ask to log in again
    """

    def __init__(self, engine: Engine, photo_store: PhotoSource, *, base_url: str, device_id: str,
                 http: httpx.AsyncClient | None = None, chunk_size: int = CHUNK_SIZE,
                 upload_concurrency: int = UPLOAD_CONCURRENCY, idle_interval: float = IDLE_INTERVAL,
                 backoff_base: float = BACKOFF_BASE, backoff_cap: float = BACKOFF_CAP,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rand: Callable[[], float] = random.random, clock: Callable[[], datetime] = utcnow):
        self.engine = engine
        self.photos = photo_store
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self._own_http = http is None
        # Weak village links: slow writes are normal, so the timeouts are long; a dead
        # connection still ends within them and the run reports offline.
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=15.0),
                                              limits=httpx.Limits(max_keepalive_connections=upload_concurrency + 1))
        self.chunk_size = chunk_size
        self.upload_concurrency = max(1, upload_concurrency)
        self.idle_interval = idle_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self._lock = asyncio.Lock()
        self.last_report: SyncReport | None = None

    async def __aenter__(self) -> "SyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

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
            body = protocol.LoginRequest(username=username, password=password, device_name=device_name[:100])
        except ValueError as exc:  # empty or overlong: the server would refuse it the same way
            raise LoginRefused(ErrorCode.MALFORMED.value, str(exc)) from None
        try:
            response = await self.http.post(self._url("/auth/login"), content=body.model_dump_json(),
                                            headers=self._headers(token=None))
        except httpx.TransportError as exc:
            raise Offline(str(exc) or type(exc).__name__) from exc
        if response.status_code in (401, 403):
            code, message = _problem(response)
            raise LoginRefused(code, message, response.status_code)
        if response.status_code != 200:
            code, message = _problem(response)
            raise SyncError(code, message, response.status_code)
        try:
            login = LoginResponse.model_validate_json(response.content)
        except ValueError as exc:
            raise SyncError(ErrorCode.SERVER_ERROR.value, str(exc), response.status_code) from None
        user = login.user
        with Session(self.engine) as session:
            pending = [m for m in pending_mutations(session, limit=1)]
            previous = signed_in_user(session)
            # The server takes the author from the token: another user's waiting changes
            # must not go out under this login.
            if pending and previous is not None and previous.id != user.id:
                raise LoginRefused("sync.pending_other_user",
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
            run = _Run(started_at=self._clock())
            with Session(self.engine) as session:
                token = auth_token(session)
            outcome, code, message = SyncOutcome.OK, "", ""
            if not token:
                outcome, code = SyncOutcome.SIGNED_OUT, ErrorCode.AUTH_REQUIRED.value
            else:
                try:
                    await self._send(token, run, on_progress)
                    await self._pull(token, run, on_progress)
                except httpx.TransportError as exc:
                    outcome, code, message = SyncOutcome.OFFLINE, "network.offline", str(exc) or type(exc).__name__
                except Offline as exc:
                    outcome, code, message = SyncOutcome.OFFLINE, exc.code, exc.message
                except _AuthRequired as exc:
                    outcome, code, message = SyncOutcome.AUTH_REQUIRED, exc.code, exc.message
                    with Session(self.engine) as session:
                        forget_token(session)
                        session.commit()
                except SyncError as exc:
                    outcome, code, message = SyncOutcome.ERROR, exc.code, exc.message
                except (ValueError, KeyError) as exc:  # an answer that is not what the protocol says
                    outcome, code = SyncOutcome.ERROR, ErrorCode.SERVER_ERROR.value
                    message = f"{type(exc).__name__}: {exc}"
            finished = self._clock()
            with Session(self.engine) as session:
                note_run(session, outcome=outcome, at=finished, problem=code)
                session.commit()
                status = read_status(session, self.photos)
            report = SyncReport(
                outcome=outcome, started_at=run.started_at, finished_at=finished, problem_code=code,
                problem_message=message, photos_uploaded=run.photos_uploaded, photos_failed=tuple(run.photos_failed),
                bytes_uploaded=run.bytes_uploaded, applied=run.applied, duplicates=run.duplicates,
                rejected=tuple(run.rejected), held_back=run.held_back, retry_later=run.retry_later,
                changes_pulled=run.changes_pulled, status=status)
            self.last_report = report
            return report

    # ------------------------------------------------------------------ photos

    async def _send(self, token: str, run: _Run, on_progress: ProgressCallback | None) -> None:
        """Upload the photos the server lacks, then push the outbox in creation order.

        Photos are most of the bytes on a village link, so while they go up, the changes
        of issues that wait for no photo are pushed alongside (the server applies them
        while the link is busy); the rest follow once their photos are there. Within an
        issue the order is always the order the changes were made.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            waiting = pending_mutations(session)
        run.mutations_total = len(waiting)
        wanted = list(dict.fromkeys(sha for m in waiting for sha in photo_hashes(m.kind, m.body)
                                    if self.photos.has(sha)))
        missing: list[str] = []
        for start in range(0, len(wanted), MAX_BATCH):
            response = await self._request("POST", "/blobs/missing", token,
                                           json_body={"hashes": wanted[start:start + MAX_BATCH]})
            missing += protocol.BlobCheckResult.model_validate_json(response.content).missing
        if not missing:
            await self._push(token, waiting, run, on_progress)
            return
        unsendable = {sha for m in waiting for sha in photo_hashes(m.kind, m.body) if sha not in wanted}
        early, late = _split_by_photos(waiting, set(missing) | unsendable)
        await _together(self._send_photos(token, missing, run, on_progress),
                        self._push(token, early, run, on_progress))
        await self._push(token, late, run, on_progress)

    async def _send_photos(self, token: str, missing: list[str], run: _Run,
                           on_progress: ProgressCallback | None) -> None:
        if not missing:
            return
        run.photos_total = len(missing)
        run.bytes_total = sum(self.photos.path(sha).stat().st_size for sha in missing)
        queue: asyncio.Queue[str] = asyncio.Queue()
        for sha in missing:
            queue.put_nowait(sha)

        async def worker() -> None:
            while not queue.empty():
                sha = queue.get_nowait()
                await self._upload(token, sha, self.photos.read(sha), run, on_progress)

        await _together(*(worker() for _ in range(min(self.upload_concurrency, len(missing)))))

    async def _upload(self, token: str, sha: str, data: bytes, run: _Run,
                      on_progress: ProgressCallback | None) -> None:
        """Send one photo in chunks, resuming from the server's offset after a cut connection."""
        size = len(data)
        # Ask where to resume only if an earlier upload of it was cut: a fresh photo saves a round trip.
        offset = await self._blob_offset(token, sha) if sha in self._partial_uploads() else 0
        counted = offset  # bytes of this photo already counted in the run's progress
        run.bytes_uploaded += offset
        cuts = 0
        while offset < size:
            chunk = data[offset:offset + self.chunk_size]
            headers = {"Upload-Offset": str(offset), "Upload-Length": str(size),
                       "Content-Type": "application/offset+octet-stream"}
            try:
                response = await self.http.patch(self._url(f"/blobs/{sha}"), content=chunk,
                                                 headers=self._headers(token) | headers)
            except httpx.TransportError:
                self._note_partial(sha, True)
                cuts += 1
                if cuts > RESUME_ATTEMPTS:
                    raise
                await self._sleep(min(0.5 * cuts, 5.0))
                offset = await self._blob_offset(token, sha)
                continue
            if response.status_code == 409:  # the server holds another offset: it says which
                cuts += 1
                if cuts > RESUME_ATTEMPTS:
                    raise SyncError(*_problem(response), response.status_code)
                held = response.headers.get("Upload-Offset")
                offset = int(held) if held and held.isdigit() else await self._blob_offset(token, sha)
                continue
            if response.status_code in (400, 413, 422):
                # The bytes are refused (not a photo, or they do not hash to their name):
                # retrying cannot help; the mutation naming it will come back refused.
                run.photos_failed.append(sha)
                return
            self._check(response)
            status = protocol.BlobStatus.model_validate_json(response.content)
            offset = size if status.complete else status.offset
            run.bytes_uploaded += max(0, offset - counted)
            counted = max(counted, offset)
            await _emit(on_progress, SyncProgress(
                phase="photos", photo_sha256=sha, photo_sent=offset, photo_size=size,
                bytes_sent=run.bytes_uploaded, bytes_total=run.bytes_total, photos_done=run.photos_uploaded,
                photos_total=run.photos_total))
            if status.complete:
                break
        if cuts:
            self._note_partial(sha, False)
        run.photos_uploaded += 1
        await _emit(on_progress, SyncProgress(
            phase="photos", photo_sha256=sha, photo_sent=size, photo_size=size, bytes_sent=run.bytes_uploaded,
            bytes_total=run.bytes_total, photos_done=run.photos_uploaded, photos_total=run.photos_total))

    def _partial_uploads(self) -> set[str]:
        with Session(self.engine) as session:
            raw = get_meta(session, PARTIAL_UPLOADS)
        return set(json.loads(raw)) if raw else set()

    def _note_partial(self, sha: str, partial: bool) -> None:
        """Remember which photos the server may hold in part, to ask for their offset next time."""
        with Session(self.engine) as session:
            raw = get_meta(session, PARTIAL_UPLOADS)
            hashes = set(json.loads(raw)) if raw else set()
            hashes = hashes | {sha} if partial else hashes - {sha}
            set_meta(session, PARTIAL_UPLOADS, json.dumps(sorted(hashes)))
            session.commit()

    async def download_photo(self, sha256: str) -> bool:
        """Fetch a photo another device took, for the issue screen; False when it cannot be had now."""
        with Session(self.engine) as session:
            token = auth_token(session)
        if not token:
            return False
        try:
            response = await self.http.get(self._url(f"/blobs/{sha256}"), headers=self._headers(token))
        except httpx.TransportError:
            return False  # offline: the screen says the photo is not here yet
        if response.status_code != 200:
            return False
        try:
            self.photos.put_bytes(sha256, response.content)  # checks the bytes hash to the name
        except PhotoError:
            return False
        return True

    async def _blob_offset(self, token: str, sha: str) -> int:
        response = await self._request("HEAD", f"/blobs/{sha}", token, allow=(404,))
        if response.status_code == 404:
            return 0
        return int(response.headers.get("Upload-Offset", "0"))

    # ------------------------------------------------------------------ push

    async def _push(self, token: str, waiting: list[OutboxMutation], run: _Run,
                    on_progress: ProgressCallback | None) -> None:
        # A change naming a photo the server cannot get (gone from this phone, or refused)
        # waits, and so does everything after it on the same issue: sent out of order,
        # the later events would be refused for good.
        unavailable = set(run.photos_failed)
        blocked: set[str] = set()
        ready: list[OutboxMutation] = []
        for mutation in waiting:
            issue_id = issue_of(mutation)
            hashes = photo_hashes(mutation.kind, mutation.body)
            if issue_id in blocked or any(sha in unavailable or not self.photos.has(sha) for sha in hashes):
                if issue_id:
                    blocked.add(issue_id)
                run.held_back += 1
                continue
            ready.append(mutation)
        max_count = MAX_BATCH
        position = 0
        while position < len(ready):
            batch = next(iter(batches(ready[position:position + max_count], max_count=max_count,
                                      max_bytes=MAX_BODY_BYTES * 3 // 4)))
            with Session(self.engine) as session:
                for mutation in batch:
                    row = session.get(OutboxMutation, mutation.id)
                    if row is not None:
                        row.attempts += 1
                        session.add(row)
                session.commit()
            payload = {"protocol": PROTOCOL_VERSION, "device_id": self.device_id,
                       "mutations": [{"id": m.id, "kind": m.kind, "body": m.body} for m in batch]}
            response = await self._request("POST", "/push", token, json_body=payload, allow=(413,))
            if response.status_code == 413:
                if len(batch) == 1:
                    raise SyncError(*_problem(response), 413)
                max_count = max(1, len(batch) // 2)
                continue
            results = {r.id: r for r in protocol.PushResponse.model_validate_json(response.content).results}
            with Session(self.engine) as session:
                for sent in batch:
                    self._record(session, sent.id, results.get(sent.id), run)
                session.commit()
            position += len(batch)
            run.mutations_sent += len(batch)
            await _emit(on_progress, SyncProgress(phase="push", mutations_sent=run.mutations_sent,
                                                  mutations_total=run.mutations_total,
                                                  bytes_sent=run.bytes_uploaded, bytes_total=run.bytes_total))

    def _record(self, session: Session, mutation_id: str, result: protocol.MutationResult | None, run: _Run) -> None:
        """Write one push answer onto its outbox mutation; an answer that does not stick leaves it waiting."""
        mutation = session.get(OutboxMutation, mutation_id)
        if result is None or mutation is None or mutation.state in DONE_STATES:
            run.retry_later += result is None
            return
        status = result.status
        if status is MutationStatus.DUPLICATE and result.first_status is MutationStatus.REJECTED:
            status = MutationStatus.REJECTED  # the first send was refused; its answer was lost
        if status is MutationStatus.REJECTED and result.code in RETRYABLE_CODES:
            run.retry_later += 1
            return
        record_result(session, mutation, status=status.value, code=result.code, reason=result.reason,
                      seq=result.seq)
        if status is MutationStatus.APPLIED:
            run.applied += 1
        elif status is MutationStatus.DUPLICATE:
            run.duplicates += 1
        else:
            run.rejected.append(rejected_change(session, mutation))

    # ------------------------------------------------------------------ pull

    async def _pull(self, token: str, run: _Run, on_progress: ProgressCallback | None) -> None:
        with Session(self.engine) as session:
            cursor = get_cursor(session)
        while True:
            response = await self._request("GET", f"/pull?since={cursor}&limit={MAX_PULL_PAGE}", token)
            page = response.json()
            protocol.PullResponse.model_validate(page)
            with Session(self.engine) as session:
                apply_changes(session, page["changes"])
                set_cursor(session, page["cursor"])
                session.commit()
            run.changes_pulled += len(page["changes"])
            await _emit(on_progress, SyncProgress(phase="pull", changes_pulled=run.changes_pulled,
                                                  mutations_sent=run.mutations_sent,
                                                  mutations_total=run.mutations_total,
                                                  bytes_sent=run.bytes_uploaded, bytes_total=run.bytes_total))
            if not page["more"] or page["cursor"] <= cursor:
                return
            cursor = page["cursor"]

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
            await _emit(on_report, report)
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

    # ------------------------------------------------------------------ HTTP

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def _request(self, method: str, path: str, token: str, *, json_body: Any = None,
                       allow: tuple[int, ...] = ()) -> httpx.Response:
        content = None if json_body is None else json.dumps(json_body, ensure_ascii=False,
                                                             separators=(",", ":")).encode()
        response = await self.http.request(method, self._url(path), content=content, headers=self._headers(token))
        if response.status_code in allow:
            return response
        self._check(response)
        return response

    def _check(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        code, message = _problem(response)
        if response.status_code == 401:
            raise _AuthRequired(code or ErrorCode.AUTH_INVALID.value, message, 401)
        raise SyncError(code, message, response.status_code)


def _problem(response: httpx.Response) -> tuple[str, str]:
    """Return (code, message) of an error response, whatever its body."""
    try:
        problem = protocol.Problem.model_validate_json(response.content)
        return problem.code, problem.message
    except ValueError:
        pass
    fallback = ErrorCode.SERVER_ERROR.value if response.status_code >= 500 else f"http.{response.status_code}"
    return fallback, response.reason_phrase


def _split_by_photos(waiting: list[OutboxMutation], uploading: set[str]) -> tuple[list, list]:
    """Split the outbox into the issues that wait for no upload and the rest, each in creation order.

    A merge names a second issue; both go with the rest, so neither can overtake the other.
    """
    later: set[str | None] = {None}
    for mutation in waiting:
        issue_id = issue_of(mutation)
        if any(sha in uploading for sha in photo_hashes(mutation.kind, mutation.body)):
            later.add(issue_id)
        if mutation.kind == "issue.event" and mutation.body.get("kind") == "merge":
            later.update({issue_id, str((mutation.body.get("payload") or {}).get("into"))})
    early = [m for m in waiting if issue_of(m) not in later]
    late = [m for m in waiting if issue_of(m) in later]
    return early, late


async def _together(*coroutines: Awaitable[Any]) -> None:
    """Run coroutines concurrently; the first failure cancels the others and is raised."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _emit(callback: Callable[[Any], Any] | None, value: Any) -> None:
    if callback is None:
        return
    result = callback(value)
    if inspect.isawaitable(result):
        await result
