"""Photo blobs: uploaded once, resumably, checked, and kept under their SHA-256.

An upload appends to `<data_dir>/blobs/partial/<sha256>` (fsynced, so a server restart
keeps every byte it acknowledged); the bytes held are the offset a client resumes from.
When the declared length is reached the server checks the hash and that the bytes are
a JPEG the photo pipeline would store, then files it in the photo store
(`<data_dir>/photos/ab/cd/<sha256>.jpg`, app.photos.PhotoStore's layout).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import warnings
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import AsyncIterator, Iterable

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import utcnow
from app.photos import PhotoError, PhotoStore, process_photo
from sync.protocol import MAX_BLOB_BYTES, BlobStatus, Problem
from sync.server.db import blob, read_session, write_session
from sync.server.errors import HTTPProblem

# The pipeline stores photos with a long edge of 1600 px by default; leave room for a
# phone configured for more, and refuse what no phone would send.
MAX_STORED_EDGE = 4096


def photo_path(root: Path, sha256: str) -> Path:
    return PhotoStore(root).path(sha256)


def complete_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    """Return which of these hashes the store holds complete."""
    wanted = list(dict.fromkeys(hashes))
    have: set[str] = set()
    for start in range(0, len(wanted), 500):
        have.update(session.execute(select(blob.c.sha256).where(blob.c.sha256.in_(wanted[start:start + 500]),
                                                                 blob.c.complete.is_(True))).scalars())
    return have


class BlobStore:
    """Partial uploads and finished photos on disk, with their state in the `blob` table."""

    def __init__(self, engine: Engine, data_dir: Path):
        self.engine = engine
        self.partial_dir = Path(data_dir) / "blobs" / "partial"
        self.photo_root = Path(data_dir) / "photos"
        self._locks: dict[str, list] = {}

    @asynccontextmanager
    async def guard(self, sha256: str) -> AsyncIterator[None]:
        """Keep two uploads of one blob from interleaving (within one server process)."""
        entry = self._locks.setdefault(sha256, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(sha256, None)

    def is_stored(self, sha256: str) -> bool:
        """Tell whether a photo is complete and its file is there."""
        with read_session(self.engine) as session:
            complete = bool(complete_hashes(session, [sha256]))
        return complete and self.final_path(sha256).is_file()

    def partial_path(self, sha256: str) -> Path:
        return self.partial_dir / sha256

    def final_path(self, sha256: str) -> Path:
        return photo_path(self.photo_root, sha256)

    def missing(self, hashes: list[str]) -> list[str]:
        """Return the hashes (in the order asked, once each) the store does not hold complete."""
        with read_session(self.engine) as session:
            have = complete_hashes(session, hashes)
        lost = [sha for sha in have if not self.final_path(sha).is_file()]
        if lost:
            # The row says complete but the file is gone (a restore from an old backup): ask again.
            with write_session(self.engine) as session:
                session.execute(delete(blob).where(blob.c.sha256.in_(lost)))
                session.commit()
            have -= set(lost)
        return [sha for sha in dict.fromkeys(hashes) if sha not in have]

    def uploaded_by(self, sha256: str, user_id: str) -> bool | None:
        """Tell whether this account began uploading the blob: None if nobody has, False if another (or nobody known)."""
        with read_session(self.engine) as session:
            row = session.execute(select(blob.c.uploaded_by).where(blob.c.sha256 == sha256)).first()
        if row is None:
            return None
        return row.uploaded_by is not None and row.uploaded_by == user_id

    def status(self, sha256: str) -> BlobStatus:
        """Return what the store holds of a blob, finishing an upload a restart interrupted."""
        with read_session(self.engine) as session:
            row = session.execute(select(blob).where(blob.c.sha256 == sha256)).first()
        if row is not None and row.complete:
            return BlobStatus(sha256=sha256, offset=row.length, length=row.length, complete=True)
        held = self._held(sha256)
        if row is not None and held == row.length:
            return self.finish(sha256, uploaded_by=row.uploaded_by)
        return BlobStatus(sha256=sha256, offset=held, length=row.length if row is not None else None,
                          complete=False)

    def begin(self, sha256: str, *, offset: int, length: int, uploaded_by: str) -> BlobStatus:
        """Check an append may start at offset; record the declared length; raise 409 with the real offset."""
        current = self.status(sha256)
        if current.complete:
            return current
        if current.length is not None and current.length != length:
            # A different length for the same name: what was held cannot be right for both.
            self.discard(sha256)
            current = BlobStatus(sha256=sha256, offset=0, length=None, complete=False)
        if offset != current.offset:
            raise HTTPProblem(Problem.BLOB_OFFSET_MISMATCH, detail={"offset": current.offset, "sent": offset},
                              headers={"Upload-Offset": str(current.offset)})
        if current.length is None:
            with write_session(self.engine) as session:
                exists = session.execute(select(blob.c.sha256).where(blob.c.sha256 == sha256)).first()
                if exists is None:
                    session.execute(blob.insert().values(sha256=sha256, length=length, complete=False,
                                                         created_at=utcnow(), uploaded_by=uploaded_by))
                else:
                    session.execute(update(blob).where(blob.c.sha256 == sha256).values(length=length))
                session.commit()
        return BlobStatus(sha256=sha256, offset=offset, length=length, complete=False)

    def open_append(self, sha256: str):
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        return open(self.partial_path(sha256), "ab")

    def truncate(self, sha256: str, size: int) -> None:
        """Drop what one request appended beyond size (its body was longer than declared)."""
        with open(self.partial_path(sha256), "r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())

    def finish(self, sha256: str, *, uploaded_by: str | None) -> BlobStatus:
        """Check a fully received blob and file it in the photo store; raise 422 and discard it if it is bad."""
        data = self.partial_path(sha256).read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            self.discard(sha256)
            raise HTTPProblem(Problem.BLOB_HASH_MISMATCH, detail={"expected": sha256, "actual": actual})
        problem = photo_problem(data)
        if problem is not None:
            self.discard(sha256)
            raise HTTPProblem(Problem.BLOB_NOT_IMAGE, detail=problem)
        _store(self.photo_root, sha256, data)
        with write_session(self.engine) as session:
            session.execute(update(blob).where(blob.c.sha256 == sha256)
                            .values(complete=True, completed_at=utcnow(), length=len(data)))
            session.commit()
        self.partial_path(sha256).unlink(missing_ok=True)
        return BlobStatus(sha256=sha256, offset=len(data), length=len(data), complete=True)

    def keep(self, sha256: str, data: bytes, *, uploaded_by: str | None) -> None:
        """File a photo the server processed itself (the public page's) as a complete blob."""
        _store(self.photo_root, sha256, data)
        with write_session(self.engine) as session:
            if session.execute(select(blob.c.sha256).where(blob.c.sha256 == sha256)).first() is None:
                now = utcnow()
                session.execute(blob.insert().values(sha256=sha256, length=len(data), complete=True, created_at=now,
                                                     completed_at=now, uploaded_by=uploaded_by))
            session.commit()

    def _held(self, sha256: str) -> int:
        try:
            return self.partial_path(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def discard(self, sha256: str) -> None:
        """Forget an unfinished blob: its partial bytes and its row."""
        self.partial_path(sha256).unlink(missing_ok=True)
        with write_session(self.engine) as session:
            session.execute(delete(blob).where(blob.c.sha256 == sha256, blob.c.complete.is_(False)))
            session.commit()


def discard_abandoned(engine: Engine, data_dir: Path, *, older_than: timedelta) -> list[str]:
    """Forget unfinished uploads begun longer ago than older_than (a phone that never came back)."""
    store = BlobStore(engine, data_dir)
    cutoff = utcnow() - older_than
    with read_session(engine) as session:
        stale = [row.sha256 for row in session.execute(
            select(blob.c.sha256).where(blob.c.complete.is_(False), blob.c.created_at < cutoff))]
    for sha256 in stale:
        store.discard(sha256)
    return stale


def photo_problem(data: bytes) -> dict[str, object] | None:
    """Say why bytes are not a stored photo (a whole JPEG of a sane size), or None if they are one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's size warnings: the size is checked below
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
            return {"reason": "not an image", "error": type(exc).__name__}
    if fmt != "JPEG":
        return {"reason": "not a JPEG", "format": fmt}
    if max(width, height) > MAX_STORED_EDGE or min(width, height) < 1:
        return {"reason": "size", "width": width, "height": height, "max_edge": MAX_STORED_EDGE}
    try:
        # The pipeline's own checks (marker structure, pixel count), decoding at a small scale.
        process_photo(data, max_edge=64)
    except PhotoError as exc:
        return {"reason": exc.code}
    return None


def _store(root: Path, sha256: str, data: bytes) -> None:
    PhotoStore(root).put_bytes(sha256, data)


def check_length(length: int) -> None:
    if length > MAX_BLOB_BYTES:
        raise HTTPProblem(Problem.TOO_LARGE, detail={"max_bytes": MAX_BLOB_BYTES, "length": length})
