"""The local replica: one SQLite file in WAL mode, migrated on open, kept by a small storage interface.

On a phone or a PC the file is on disk and a commit is durable by itself; in the browser
the file lives in memory and must be written to IndexedDB after commits. Both are a
`Storage`, told after each commit (`persist`), so nothing else in the app knows where
the file lives:

    engine = open_store(path)                      # on disk
    engine = open_store(path, storage=browser)     # the PWA: persist() flushes to IndexedDB
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine, select

from app.migrations import migrate
from app.models import Meta


class Storage(Protocol):
    """Where the replica's file is kept; `persist` is called at every commit and makes it durable there."""

    def persist(self) -> None: ...


class DiskStorage:
    """A file on disk: SQLite's own commit makes it durable, so there is nothing more to do."""

    def persist(self) -> None:
        return None


def open_store(path: Path | str | None, *, storage: Storage | None = None) -> Engine:
    """Open (creating and migrating) the store at path; None gives an in-memory store."""
    if path is None or str(path) == ":memory:":
        engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    migrate(engine)
    kept_by = storage or DiskStorage()
    event.listen(engine, "commit", lambda _conn: kept_by.persist())
    return engine


def _on_connect(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    # WAL: a reader never waits for the writer, and a killed app keeps every committed row.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_meta(session: Session, key: str, default: str = "") -> str:
    row = session.get(Meta, key)
    return row.value if row else default


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
        session.add(row)


def all_meta(session: Session) -> dict[str, str]:
    return {row.key: row.value for row in session.exec(select(Meta))}
