"""The local replica: one SQLite file in WAL mode, migrated on open."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine, select

from app.migrations import migrate
from app.models import Meta


def open_store(path: Path | str | None) -> Engine:
    """Open (creating and migrating) the store at path; None gives an in-memory store."""
    if path is None or str(path) == ":memory:":
        engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    migrate(engine)
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
