"""Photos up and down: only those the server lacks, in chunks, resumed from the server's offset after a cut."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable, Protocol

from sqlmodel import Session

from app.outbox import PhotoSizes
from app.photos import PhotoError
from app.store import get_meta, set_meta
from sync.client._errors import Offline, SyncError
from sync.client._http import Api, check, problem_of
from sync.client._run import Run
from sync.protocol import MAX_BATCH, BlobCheckResult, BlobStatus

CHUNK_SIZE = 256 * 1024
RESUME_ATTEMPTS = 5
PARTIAL_UPLOADS = "sync.partial_uploads"


class PhotoSource(PhotoSizes, Protocol):
    """The part of app.photos.PhotoStore the client uses."""

    def read(self, sha256: str) -> bytes: ...

    def put_bytes(self, sha256: str, data: bytes) -> str: ...


class Uploads:
    """Sends this replica's photos and fetches other devices' photos, through one Api."""

    def __init__(self, api: Api, engine: Any, photos: PhotoSource, *, chunk_size: int, concurrency: int,
                 sleep: Callable[[float], Awaitable[None]]):
        self.api, self.engine, self.photos = api, engine, photos
        self.chunk_size = chunk_size
        self.concurrency = max(1, concurrency)
        self._sleep = sleep

    async def missing(self, token: str, hashes: list[str]) -> list[str]:
        """Return which of these photos the server does not hold complete."""
        missing: list[str] = []
        for start in range(0, len(hashes), MAX_BATCH):
            response = await self.api.request("POST", "/blobs/missing", token,
                                              json_body={"hashes": hashes[start:start + MAX_BATCH]})
            missing += BlobCheckResult.model_validate_json(response.content).missing
        return missing

    async def send(self, token: str, missing: list[str], run: Run) -> None:
        """Upload these photos, a few at a time."""
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
                await self.upload(token, sha, self.photos.read(sha), run)

        await together(*(worker() for _ in range(min(self.concurrency, len(missing)))))

    async def upload(self, token: str, sha: str, data: bytes, run: Run) -> None:
        """Send one photo in chunks, resuming from the server's offset after a cut connection."""
        size = len(data)
        # Ask where to resume only if an earlier upload of it was cut: a fresh photo saves a round trip.
        offset = await self.offset(token, sha) if sha in self._partial() else 0
        counted = offset  # bytes of this photo already counted in the run's progress
        run.bytes_uploaded += offset
        cuts = 0
        while offset < size:
            headers = {"Upload-Offset": str(offset), "Upload-Length": str(size),
                       "Content-Type": "application/offset+octet-stream"}
            try:
                response = await self.api.send("PATCH", f"/blobs/{sha}", token,
                                               content=data[offset:offset + self.chunk_size], headers=headers)
            except Offline:
                self._note_partial(sha, True)
                cuts += 1
                if cuts > RESUME_ATTEMPTS:
                    raise
                await self._sleep(min(0.5 * cuts, 5.0))
                offset = await self.offset(token, sha)
                continue
            if response.status_code == 409:  # the server holds another offset: it says which
                cuts += 1
                if cuts > RESUME_ATTEMPTS:
                    raise SyncError(*problem_of(response), response.status_code)
                held = response.headers.get("Upload-Offset")
                offset = int(held) if held and held.isdigit() else await self.offset(token, sha)
                continue
            if response.status_code in (400, 413, 422):
                # The bytes are refused (not a photo, or they do not hash to their name):
                # retrying cannot help; the mutation naming it will come back refused.
                run.photos_failed.append(sha)
                return
            check(response)
            status = BlobStatus.model_validate_json(response.content)
            offset = size if status.complete else status.offset
            run.bytes_uploaded += max(0, offset - counted)
            counted = max(counted, offset)
            await run.progress("photos", photo_sha256=sha, photo_sent=offset, photo_size=size)
            if status.complete:
                break
        if cuts:
            self._note_partial(sha, False)
        run.photos_uploaded += 1
        await run.progress("photos", photo_sha256=sha, photo_sent=size, photo_size=size)

    async def offset(self, token: str, sha: str) -> int:
        response = await self.api.request("HEAD", f"/blobs/{sha}", token, allow=(404,))
        if response.status_code == 404:
            return 0
        return int(response.headers.get("Upload-Offset", "0"))

    async def download(self, token: str, sha256: str) -> bool:
        """Fetch a photo another device took; False when it cannot be had now."""
        try:
            response = await self.api.send("GET", f"/blobs/{sha256}", token)
        except Offline:
            return False  # offline: the screen says the photo is not here yet
        if response.status_code != 200:
            return False
        try:
            self.photos.put_bytes(sha256, response.content)  # checks the bytes hash to the name
        except PhotoError:
            return False
        return True

    def _partial(self) -> set[str]:
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


async def together(*coroutines: Awaitable[Any]) -> None:
    """Run coroutines concurrently; the first failure cancels the others and is raised."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
