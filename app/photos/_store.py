"""Keep stored photos and their thumbnails on disk, addressed by the SHA-256 of their bytes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.photos._errors import hash_mismatch
from app.photos._pipeline import ProcessedPhoto, make_thumbnail

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PhotoStore:
    """Keep stored photos and thumbnails on disk under the SHA-256 of the stored bytes.

    Layout: ``root/ab/cd/<sha256>.jpg`` and ``root/thumbs/ab/cd/<sha256>.jpg``. Every write
    goes to a temporary file in the same folder, is fsynced and renamed into place, so a
    killed app or a full disk never leaves a half-written photo under its name.

    Example::

        store = PhotoStore(data_dir / "photos")
        sha = store.put(process_photo(data))
        store.read(sha), store.read_thumbnail(sha), store.verify(sha)
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Return where the stored photo with this hash lives (whether or not it is there)."""
        sha = _check_sha(sha256)
        return self.root / sha[:2] / sha[2:4] / f"{sha}.jpg"

    def thumbnail_path(self, sha256: str) -> Path:
        """Return where the thumbnail of the photo with this hash lives."""
        sha = _check_sha(sha256)
        return self.root / "thumbs" / sha[:2] / sha[2:4] / f"{sha}.jpg"

    def has(self, sha256: str) -> bool:
        """Tell whether the photo with this hash is stored."""
        return self.path(sha256).is_file()

    def put(self, processed: ProcessedPhoto) -> str:
        """Store a processed photo and its thumbnail once; return its hash."""
        sha = _check_hash(processed.sha256, processed.data)
        photo_path, thumb_path = self.path(sha), self.thumbnail_path(sha)
        # The thumbnail goes first, so a photo that is there always has its thumbnail.
        wrote_thumbnail = False
        if not thumb_path.is_file():
            _write_atomic(thumb_path, processed.thumbnail)
            wrote_thumbnail = True
        if not photo_path.is_file():
            try:
                _write_atomic(photo_path, processed.data)
            except BaseException:
                if wrote_thumbnail:
                    thumb_path.unlink(missing_ok=True)
                raise
        return sha

    def put_bytes(self, sha256: str, data: bytes) -> str:
        """Store uploaded stored-photo bytes once, refusing them unless they hash to ``sha256``."""
        sha = _check_hash(sha256, data)
        if not self.has(sha):
            _write_atomic(self.path(sha), bytes(data))
        return sha

    def read(self, sha256: str) -> bytes:
        """Return the stored photo's bytes; FileNotFoundError when it is not stored."""
        return self.path(sha256).read_bytes()

    def read_thumbnail(self, sha256: str) -> bytes:
        """Return the thumbnail, making it from the stored photo if the photo came without one."""
        thumb_path = self.thumbnail_path(sha256)
        try:
            return thumb_path.read_bytes()
        except FileNotFoundError:
            stored = self.read(sha256)
        try:
            thumbnail = make_thumbnail(stored)
        except ImportError:  # no Pillow (the browser build): the stored photo, at most 300 KB, stands in
            return stored
        _write_atomic(thumb_path, thumbnail)
        return thumbnail

    def verify(self, sha256: str) -> bool:
        """Tell whether the stored photo is there and its bytes still hash to ``sha256``."""
        try:
            digest = hashlib.sha256(self.path(sha256).read_bytes()).hexdigest()
        except FileNotFoundError:
            return False
        return digest == sha256


def _check_sha(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def _check_hash(sha256: str, data: bytes) -> str:
    """Return ``sha256`` if it is a digest and ``data`` hashes to it; refuse them otherwise."""
    sha = _check_sha(sha256)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise hash_mismatch(sha, actual)
    return sha


def _fsync_dir(path: Path) -> None:
    # Makes the rename durable on POSIX; elsewhere a directory cannot be opened and the
    # file's own fsync is the best there is.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either absent or complete, never partial."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:16]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)
