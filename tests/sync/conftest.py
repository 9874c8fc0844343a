"""Server fixtures: the central store on SQLite and on a real PostgreSQL, one fresh database per test.

`central` is parametrized, so every server test runs on both. The PostgreSQL server is
started once per session from the Debian binaries (as the `postgres` user when the
tests run as root) on a free port, with its socket in /tmp, and stopped at the end.
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
from argon2 import PasswordHasher
from PIL import Image
from sqlalchemy import text

from app.clock import utcnow
from app.ids import new_id
from app.issues import ISSUE, IssueDraft, PhotoRef, create_body, event_body
from app.reference import stable_id
from app.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # Starlette's advice to install httpx2, if it is missing
    from fastapi.testclient import TestClient

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server import auth
from sync.server.app import create_app
from sync.server.demo import DEMO_PASSWORD, load_demo

PG_HINT = ("PostgreSQL's server binaries were not found (/usr/lib/postgresql/*/bin/initdb). The server tests "
           "run on PostgreSQL too: use the README's test command (scripts/test.sh), which installs them "
           "(apt-get install -y postgresql).")
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Hash passwords with cheap argon2 parameters in tests; the server's own are deliberately slow."""
    saved = auth.HASHER
    auth.HASHER = CHEAP_HASHER
    yield
    auth.HASHER = saved


@pytest.fixture(scope="session")
def demo_password_hash() -> str:
    return CHEAP_HASHER.hash(DEMO_PASSWORD)


# ---------------------------------------------------------------- PostgreSQL

@dataclass
class PostgresServer:
    host: str
    port: int

    def url(self, database: str) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail(PG_HINT, pytrace=False)
    bindir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="lianluo-pg-", dir="/tmp"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                                     "-w", "-t", "60", "start"]), check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace")
        if log.exists():
            detail += log.read_text(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {detail}", pytrace=False)
    try:
        yield PostgresServer("127.0.0.1", port)
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """Create a fresh database for one test; drop it afterwards."""
    name = f"lianluo_test_{uuid.uuid4().hex[:12]}"
    postgres_server.admin(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    postgres_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- the central store

@dataclass
class Central:
    """A running central store (in process) with the demo people and their logins."""

    backend: str
    settings: Settings
    app: Any
    client: TestClient
    password_hash: str
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self):
        return self.app.state.engine

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    def login(self, username: str, *, password: str = DEMO_PASSWORD, device_name: str = "") -> dict[str, str]:
        """Sign in; return the headers a phone sends with its token."""
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password,
                                                                 "device_name": device_name or username})
        assert response.status_code == 200, response.text
        body = response.json()
        self.tokens[username] = body["token"]
        return bearer(body["token"])

    def load_demo_issues(self) -> None:
        load_demo(self.engine, issues=True, password_hash=self.password_hash)

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused request must leave alone: rows per table, the log's head, files."""
        tables = ["issue", "record_event", "record_photo", "person", "users", "device_token", "applied_mutation",
                  "change_log", "blob"]
        with self.engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
            counts["head"] = conn.execute(text("SELECT coalesce(max(seq), 0) FROM change_log")).scalar_one()
            counts["statuses"] = sorted(conn.execute(text("SELECT id, status FROM issue")).all())
        files = [p.relative_to(self.data_dir) for p in self.data_dir.rglob("*") if p.is_file()]
        counts["files"] = sorted(str(p) for p in files if p.parts[0] in ("blobs", "photos"))
        return counts

    def push(self, headers: dict[str, str], *mutations: dict, device_id: str = "phone-1") -> list[dict]:
        """Send one batch; return the results (the response must be 200)."""
        response = self.client.post("/api/v1/push", headers=headers,
                                    json={"protocol": PROTOCOL_VERSION, "device_id": device_id,
                                          "mutations": list(mutations)})
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull_all(self, headers: dict[str, str], *, since: int = 0, limit: int = 1000) -> tuple[list[dict], int]:
        """Pull every page; return the changes and the final cursor."""
        changes: list[dict] = []
        while True:
            response = self.client.get("/api/v1/pull", params={"since": since, "limit": limit}, headers=headers)
            assert response.status_code == 200, response.text
            page = response.json()
            changes += page["changes"]
            since = page["cursor"]
            if not page["more"]:
                return changes, since

    def upload(self, headers: dict[str, str], data: bytes) -> str:
        """Upload a photo whole; return its hash."""
        sha = hashlib.sha256(data).hexdigest()
        response = self.client.patch(f"/api/v1/blobs/{sha}", content=data, headers={
            **headers, "Upload-Offset": "0", "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream"})
        assert response.status_code == 200, response.text
        assert response.json()["complete"] is True
        return sha


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}


# ---------------------------------------------------------------- what phones send

def issue_create(*, station: str | None = "juyuan", title: str = "机耕道路面塌陷", category: str = "roads",
                 photos: tuple[str, ...] = (), issue_id: str | None = None, mutation_id: str | None = None,
                 **fields: Any) -> dict:
    """The `issue.create` mutation a phone queues when a user saves an issue."""
    draft = IssueDraft(title=title, category_id=stable_id("category", category), description="农用车无法通行",
                       place_type="farmland", place_name="枣园村二组",
                       station_id=stable_id("station", station) if station else None,
                       photos=tuple(PhotoRef(sha256=sha, width=64, height=48) for sha in photos), **fields)
    body = create_body(draft, issue_id=issue_id or new_id(), created_at=utcnow()).model_dump(mode="json")
    body["reporter_id"] = "ignored"  # the author is whoever signed in: a body cannot name one
    return {"id": mutation_id or new_id(), "kind": ISSUE.create_mutation, "body": body}


def issue_event(issue_id: str, kind: str, *, mutation_id: str | None = None, event_id: str | None = None,
                **payload: Any) -> dict:
    """The `issue.event` mutation a phone queues when a user acts on an issue."""
    body = event_body(event_id=event_id, issue_id=issue_id, type_=kind, payload=payload, created_at=utcnow())
    return {"id": mutation_id or new_id(), "kind": ISSUE.event_mutation, "body": body.model_dump(mode="json")}


def department(code: str) -> str:
    return stable_id("department", code)


def jpeg(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small photo as the phone's pipeline stores it: a baseline JPEG, no metadata."""
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def central(request, tmp_path, demo_password_hash) -> Iterator[Central]:
    """The central store with the township's reference data, the demo people and their logins."""
    database_url = request.getfixturevalue("postgres_database") if request.param == "postgres" else ""
    settings = Settings(data_dir=tmp_path / "central", secret_key="test-secret-key-0123456789",
                        database_url=database_url)
    app = create_app(settings)
    load_demo(app.state.engine, issues=False, password_hash=demo_password_hash)
    client = TestClient(app)
    try:
        yield Central(request.param, settings, app, client, demo_password_hash)
    finally:
        client.close()
        app.state.engine.dispose()
