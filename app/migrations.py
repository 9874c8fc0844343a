"""The local store's schema, one numbered step at a time, so an app update never loses data.

Each step is frozen SQL: once released it never changes; a new need is a new step.
"""

from __future__ import annotations

import json

from sqlalchemy import Column, Connection, MetaData, String, Table, text

from app.schema import (Migration, change_for_engine, closed_loop_tables, groups_and_places, inspection_tables,
                        people_of, project_tables, records_for_engine, station_work_tables, year_tables)
from app.schema import migrate as _migrate
from app.schema import run_script as _run


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


def _v3_record_engine(conn: Connection) -> None:
    # Every kind of record shares one timeline and one photo table; the outbox knows the record
    # each change writes (so a list page asks it about its own rows only), and events keep their
    # author's station and department.
    records_for_engine(conn)
    _run(conn, """
    ALTER TABLE outbox ADD COLUMN record_kind VARCHAR NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN record_id VARCHAR NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN event_id VARCHAR NOT NULL DEFAULT '';
    CREATE INDEX ix_outbox_record ON outbox (record_id, state);
    CREATE INDEX ix_issue_department ON issue (department_id)
    """)
    outbox = Table("outbox", MetaData(), Column("id", String, primary_key=True), Column("kind", String),
                   Column("body", String), Column("record_kind", String), Column("record_id", String),
                   Column("event_id", String))
    for mutation_id, kind, body in conn.execute(text("SELECT id, kind, body FROM outbox")).all():
        body = json.loads(body)
        if kind == "issue.event":
            body = {k: v for k, v in body.items() if k not in ("issue_id", "kind")} | {
                "record_id": body.get("issue_id"), "type": body.get("kind")}
            record_id, event_id = body["record_id"], body.get("id")
        else:
            record_id, event_id = body.get("id"), body.get("event_id")
        conn.execute(outbox.update().where(outbox.c.id == mutation_id).values(
            body=json.dumps(body, ensure_ascii=False), record_kind="issue", record_id=record_id or "",
            event_id=event_id or ""))
    # Changes held back for a parent that had not arrived are in the old shape too.
    held = conn.execute(text("SELECT value FROM meta WHERE key = 'sync.held'")).scalar()
    if held:
        people = people_of(conn)
        changes = [change_for_engine(c, people) for c in json.loads(held) if isinstance(c, dict) and "data" in c]
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'sync.held'"),
                     {"v": json.dumps(changes, ensure_ascii=False)})


def _v4_closed_loop(conn: Connection) -> None:
    # The closed loop keeps co-handling departments, deadlines, escalation, satisfaction and
    # look-backs on the issue for its lists; the next refresh of each issue fills them in.
    closed_loop_tables(conn)


def _v5_inspections(conn: Connection) -> None:
    inspection_tables(conn)


def _v6_stations(conn: Connection) -> None:
    station_work_tables(conn)


def _v7_groups(conn: Connection) -> None:
    groups_and_places(conn)


def _v8_projects(conn: Connection) -> None:
    project_tables(conn, central=False)


def _v9_year(conn: Connection) -> None:
    year_tables(conn, central=False)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1_initial),
    Migration(2, "issue list search and indexes", _v2_issue_list),
    Migration(3, "one timeline and photo table for every kind of record", _v3_record_engine),
    Migration(4, "the closed loop's columns on issues", _v4_closed_loop),
    Migration(5, "inspections and their templates", _v5_inspections),
    Migration(6, "reception days, field visits and villagers' concerns", _v6_stations),
    Migration(7, "stations' places and special groups", _v7_groups),
    Migration(8, "livelihood projects, their tasks and ballot rounds", _v8_projects),
    Migration(9, "trainings, duty reports, the quiz; who voted in a closed round", _v9_year),
)

LATEST = MIGRATIONS[-1].version


def migrate(engine, *, up_to: int | None = None) -> int:
    """Apply every step not yet applied, each in its own transaction; return the version reached."""
    return _migrate(engine, MIGRATIONS, what="the local store", up_to=up_to)
