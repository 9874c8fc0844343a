"""The central store's database: SQLite in WAL mode by default, PostgreSQL when DATABASE_URL is set.

Every change that appends to the change log runs in a *write session*, and write
sessions run one at a time (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-level
advisory lock). So change-log sequence numbers become visible in the order they were
given out, and a pull that has read up to seq N can never later find an N-1 it missed.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.settings import Settings
from sync.server.migrations import WRITE_LOCK_KEY
from sync.server.tables import applied_mutation, blob, change_log, device_token, users

__all__ = ["applied_mutation", "blob", "change_log", "device_token", "users", "database_path", "open_database",
           "write_session", "read_session", "lock"]

_WRITE = "lianluo_write"

def database_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "central.sqlite3"


def open_database(settings: Settings) -> Engine:
    """Return an engine on the central store the settings name; does not migrate."""
    url = settings.database_url.strip()
    if url:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        # Sessions in UTC, so times read back are aware UTC like everywhere else.
        return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"})
    path = database_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_conn, _record) -> None:
    # SQLAlchemy, not the driver, opens transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a push the server has answered survives a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A writer takes the write lock before its first read, so what it reads is what it changes.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """Open a session that holds the store's write lock until it commits or rolls back."""
    with Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session:
        lock(session)
        yield session


def lock(session: Session) -> None:
    """Take the write lock in the session's current transaction (again after a commit)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
    else:
        session.connection()  # begins the transaction: BEGIN IMMEDIATE


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """Open a session for reading."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
