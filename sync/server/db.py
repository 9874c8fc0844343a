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

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Integer, MetaData, String, Table, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.settings import Settings
from sync.server.migrations import WRITE_LOCK_KEY

_WRITE = "lianluo_write"
_tz = DateTime(timezone=True)
metadata = MetaData()

# Current shapes of the server's own tables (the frozen DDL lives in migrations.py).
users = Table("users", metadata,
              Column("id", String, primary_key=True), Column("username", String), Column("password_hash", String),
              Column("person_id", String), Column("created_at", _tz), Column("password_changed_at", _tz))
device_token = Table("device_token", metadata,
                     Column("id", String, primary_key=True), Column("user_id", String), Column("token_hash", String),
                     Column("device_name", String), Column("created_at", _tz), Column("expires_at", _tz),
                     Column("revoked_at", _tz), Column("last_seen_at", _tz))
applied_mutation = Table("applied_mutation", metadata,
                         Column("id", String, primary_key=True), Column("body_hash", String), Column("kind", String),
                         Column("user_id", String), Column("device_id", String), Column("result", JSON),
                         Column("created_at", _tz))
change_log = Table("change_log", metadata,
                   Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                          autoincrement=True),
                   Column("entity", String), Column("entity_id", String), Column("issue_id", String),
                   Column("audience", String), Column("station_id", String), Column("department_id", String),
                   Column("reporter_id", String), Column("data", JSON), Column("created_at", _tz))
blob = Table("blob", metadata,
             Column("sha256", String, primary_key=True), Column("length", BigInteger), Column("complete", Boolean),
             Column("created_at", _tz), Column("completed_at", _tz), Column("uploaded_by", String))


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
