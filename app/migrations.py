"""The local store's schema, one numbered step at a time, so an app update never loses data.

Each step is frozen SQL: once released it never changes; a new need is a new step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Connection, text

from app.clock import utcnow


@dataclass(frozen=True)
class Migration:
    """One schema step, applied inside a transaction and recorded in _migrations."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _run(conn: Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(text(statement))


def _v1_initial(conn: Connection) -> None:
    _run(conn, """
    CREATE TABLE station (
        id VARCHAR PRIMARY KEY, code VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL,
        name_en VARCHAR NOT NULL DEFAULT '', kind VARCHAR NOT NULL, sort_order INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE department (
        id VARCHAR PRIMARY KEY, code VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL,
        name_en VARCHAR NOT NULL DEFAULT '', sort_order INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE category (
        id VARCHAR PRIMARY KEY, code VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL,
        name_en VARCHAR NOT NULL DEFAULT '', sort_order INTEGER NOT NULL DEFAULT 0,
        active BOOLEAN NOT NULL DEFAULT 1);
    CREATE TABLE person (
        id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
        station_id VARCHAR REFERENCES station(id), department_id VARCHAR REFERENCES department(id),
        phone VARCHAR NOT NULL DEFAULT '');
    CREATE TABLE issue (
        id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, description VARCHAR NOT NULL DEFAULT '',
        category_id VARCHAR REFERENCES category(id), place_type VARCHAR NOT NULL,
        place_name VARCHAR NOT NULL DEFAULT '', latitude FLOAT, longitude FLOAT, accuracy_m FLOAT,
        location_source VARCHAR NOT NULL, reporter_id VARCHAR, station_id VARCHAR REFERENCES station(id),
        source VARCHAR NOT NULL, created_at DATETIME NOT NULL, status VARCHAR NOT NULL,
        department_id VARCHAR, rating INTEGER, updated_at DATETIME NOT NULL);
    CREATE TABLE issue_event (
        id VARCHAR PRIMARY KEY, issue_id VARCHAR NOT NULL REFERENCES issue(id), kind VARCHAR NOT NULL,
        actor_id VARCHAR, actor_role VARCHAR NOT NULL DEFAULT '', created_at DATETIME NOT NULL,
        payload JSON NOT NULL, server_seq INTEGER, rejected_code VARCHAR, rejected_reason VARCHAR);
    CREATE INDEX ix_issue_event_issue_id ON issue_event (issue_id);
    CREATE TABLE issue_photo (
        issue_id VARCHAR NOT NULL REFERENCES issue(id), sha256 VARCHAR NOT NULL,
        position INTEGER NOT NULL DEFAULT 0, width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0,
        byte_size INTEGER NOT NULL DEFAULT 0, taken_at DATETIME, latitude FLOAT, longitude FLOAT,
        PRIMARY KEY (issue_id, sha256));
    CREATE TABLE draft (
        id VARCHAR PRIMARY KEY, author_id VARCHAR, data JSON NOT NULL, updated_at DATETIME NOT NULL);
    CREATE TABLE outbox (
        id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, body JSON NOT NULL, created_at DATETIME NOT NULL,
        state VARCHAR NOT NULL, result_code VARCHAR, result_reason VARCHAR, attempts INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL DEFAULT '')
    """)


def _v2_issue_list(conn: Connection) -> None:
    # The issue list filters and searches 10,000 issues page by page: give it a
    # search column and indexes that serve "newest first" under each filter.
    _run(conn, """
    ALTER TABLE issue ADD COLUMN search_text VARCHAR NOT NULL DEFAULT '';
    UPDATE issue SET search_text = lower(title || ' ' || place_name || ' ' || description);
    CREATE INDEX ix_issue_created ON issue (created_at, id);
    CREATE INDEX ix_issue_status_created ON issue (status, created_at, id);
    CREATE INDEX ix_issue_category_created ON issue (category_id, created_at, id);
    CREATE INDEX ix_issue_station_created ON issue (station_id, created_at, id);
    CREATE INDEX ix_outbox_state ON outbox (state, created_at)
    """)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1_initial),
    Migration(2, "issue list search and indexes", _v2_issue_list),
)

LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    conn.execute(text(
        "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at VARCHAR NOT NULL)"))
    return conn.execute(text("SELECT coalesce(max(version), 0) FROM _migrations")).scalar_one()


def migrate(engine, *, up_to: int | None = None) -> int:
    """Apply every step not yet applied, each in its own transaction; return the version reached."""
    target = LATEST if up_to is None else up_to
    with engine.begin() as conn:
        version = current_version(conn)
    if version > LATEST:
        raise RuntimeError(f"local store is at schema {version}, newer than this app ({LATEST}); update the app")
    for step in MIGRATIONS:
        if version < step.version <= target:
            with engine.begin() as conn:
                step.apply(conn)
                conn.execute(text("INSERT INTO _migrations (version, name, applied_at) VALUES (:v, :n, :t)"),
                             {"v": step.version, "n": step.name, "t": utcnow().isoformat()})
            version = step.version
    return version
