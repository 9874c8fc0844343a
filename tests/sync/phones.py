"""Phones and a central store for the sync client's tests: in process, or a real uvicorn on loopback.

    central = make_central(tmp_path)                       # create_app + demo logins
    async with asgi_http(central) as transport:
        phone = await new_phone(tmp_path, "wang", "deputy-wang", transport)
        issue = phone.capture(title="机耕道塌方", photos=[photo_bytes])
        report = await phone.client.sync_once()
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import httpx
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.issues import Issue, IssueDraft, PhotoRef, capture_issue, record_event
from app.records import RecordEvent
from app.photos import PhotoStore, process_photo
from app.reference import stable_id
from app.replica import signed_in_user
from app.settings import Settings
from app.store import open_store
from sync.client import SyncClient
from sync.server.app import create_app
from sync.server.demo import DEMO_PASSWORD, load_demo

REPO_ROOT = Path(__file__).resolve().parents[2]
PHOTO_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "photos"
SECRET = "test-secret-key-0123456789"
CENTRAL_URL = "http://central"
# Cheap argon2 parameters: the server reads them from the hash, so logins stay fast in a subprocess too.
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(DEMO_PASSWORD)


def phone_photos() -> list[Path]:
    """The real phone and camera photos the pipeline accepts (not the damaged ones)."""
    return sorted(p for p in PHOTO_FIXTURES.iterdir()
                  if p.suffix.lower() in (".jpg", ".heic") and not p.name.startswith(("corrupted", "invalid")))


def central_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, secret_key=SECRET)


def make_central(data_dir: Path):
    """Build the central store in process, on SQLite in data_dir, with the demo people's logins."""
    app = create_app(central_settings(data_dir))
    load_demo(app.state.engine, issues=False, password_hash=CHEAP_HASH)
    return app


def asgi_http(app, *, wrap=None) -> httpx.AsyncBaseTransport:
    """A transport whose requests go straight into the app (no socket); wrap(transport) may add faults."""
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=app)
    if wrap is not None:
        transport = wrap(transport)
    return transport


class Recording(httpx.AsyncBaseTransport):
    """A transport that notes every request before passing it on, and every answer that came back."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        self.responses.append(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Phone:
    """One device: its own local store, photo store and sync client."""

    name: str
    engine: Engine
    photos: PhotoStore
    client: SyncClient

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def add_photo(self, data: bytes, **options: Any) -> PhotoRef:
        """Run camera bytes through the photo pipeline into this phone's photo store."""
        processed = process_photo(data, **options)
        self.photos.put(processed)
        return PhotoRef(sha256=processed.sha256, width=processed.width, height=processed.height,
                        byte_size=len(processed.data), taken_at=processed.taken_at,
                        latitude=processed.latitude, longitude=processed.longitude)

    def capture(self, *, title: str = "机耕道路面塌陷", category: str = "roads",
                photos: Iterable[PhotoRef] = (), **fields: Any) -> Issue:
        with self.session() as session:
            actor = signed_in_user(session).actor()
            draft = IssueDraft(title=title, category_id=stable_id("category", category), description="农用车无法通行",
                               place_type="farmland", place_name="枣园村二组", photos=tuple(photos), **fields)
            return capture_issue(session, actor=actor, draft=draft)

    def act(self, issue_id: str, kind: str, **payload: Any) -> RecordEvent:
        with self.session() as session:
            actor = signed_in_user(session).actor()
            return record_event(session, actor=actor, issue_id=issue_id, type_=kind, payload=payload)


async def new_phone(root: Path, name: str, username: str, transport: httpx.AsyncBaseTransport | None = None, *,
                    base_url: str = CENTRAL_URL, first_sync: bool = True, **client_options: Any) -> Phone:
    """Set up a phone, sign in as username and (by default) pull the township's reference data."""
    folder = root / "phones" / name
    engine = open_store(folder / "lianluo.sqlite3")
    photos = PhotoStore(folder / "photos")
    client = SyncClient(engine, photos, base_url=base_url, device_id=f"device-{name}", transport=transport,
                        **client_options)
    await client.login(username, DEMO_PASSWORD, device_name=f"{name}的手机")
    if first_sync:
        report = await client.sync_once()
        assert report.ok, report
    return Phone(name, engine, photos, client)


def central_rows(engine_or_path, sql: str, **params: Any) -> list[tuple]:
    """Run a read query on the central store (an engine, or the path of its SQLite file)."""
    if isinstance(engine_or_path, (str, Path)):
        import sqlite3

        with sqlite3.connect(engine_or_path) as conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    with engine_or_path.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]


# ---------------------------------------------------------------- a real server process

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_central(data_dir: Path) -> None:
    """Create and migrate the central store in data_dir with the demo logins, then let go of it."""
    app = make_central(data_dir)
    app.state.engine.dispose()


class ServerProcess:
    """`python -m sync.server serve` on a data dir, on loopback; start, SIGKILL, start again."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANLUO_", "DATABASE_URL"))}
        env |= {"LIANLUO_SECRET_KEY": SECRET, "LIANLUO_LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sync.server", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), "--env-file", os.devnull],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text(errors='replace')[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, like a power cut of the process."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "ServerProcess":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
