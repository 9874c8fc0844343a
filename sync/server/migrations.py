"""The central store's schema, one numbered step at a time, on SQLite and PostgreSQL alike.

Each step builds its own frozen SQLAlchemy Core tables and never changes once released;
a new need is a new step. Times are `TIMESTAMP WITH TIME ZONE` on PostgreSQL (the
records' datetimes are aware UTC), JSON columns are JSON on both.
"""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Connection, DateTime, Float, ForeignKey, Index, Integer,
                        MetaData, String, Table, select, text, true)
from sqlalchemy.engine import Engine

from app.schema import (Migration, closed_loop_tables, event_data_for_engine, groups_and_places, inspection_tables,
                        people_of, photo_data_for_engine, project_tables, records_for_engine, rewrite_json,
                        station_work_tables, year_tables)
from app.schema import migrate as _migrate
from app.schema import run_script

# PostgreSQL advisory lock key held by every writer of the change log (and by migrate).
WRITE_LOCK_KEY = 7_315_402


def _v1_initial(conn: Connection) -> None:
    md = MetaData()
    tz = DateTime(timezone=True)
    seq_type = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: an alias of the rowid
    # The records, in the same shapes as on the phone (app/models.py).
    Table("station", md,
          Column("id", String, primary_key=True), Column("code", String, nullable=False, unique=True),
          Column("name", String, nullable=False), Column("name_en", String, nullable=False, server_default=""),
          Column("kind", String, nullable=False), Column("sort_order", Integer, nullable=False, server_default="0"))
    Table("department", md,
          Column("id", String, primary_key=True), Column("code", String, nullable=False, unique=True),
          Column("name", String, nullable=False), Column("name_en", String, nullable=False, server_default=""),
          Column("sort_order", Integer, nullable=False, server_default="0"))
    Table("category", md,
          Column("id", String, primary_key=True), Column("code", String, nullable=False, unique=True),
          Column("name", String, nullable=False), Column("name_en", String, nullable=False, server_default=""),
          Column("sort_order", Integer, nullable=False, server_default="0"),
          Column("active", Boolean, nullable=False, server_default=true()))
    Table("person", md,
          Column("id", String, primary_key=True), Column("name", String, nullable=False),
          Column("role", String, nullable=False),
          Column("station_id", String, ForeignKey("station.id")),
          Column("department_id", String, ForeignKey("department.id")),
          Column("phone", String, nullable=False, server_default=""))
    Table("issue", md,
          Column("id", String, primary_key=True), Column("title", String, nullable=False),
          Column("description", String, nullable=False, server_default=""),
          Column("category_id", String, ForeignKey("category.id")),
          Column("place_type", String, nullable=False), Column("place_name", String, nullable=False, server_default=""),
          Column("latitude", Float), Column("longitude", Float), Column("accuracy_m", Float),
          Column("location_source", String, nullable=False), Column("reporter_id", String),
          Column("station_id", String, ForeignKey("station.id")), Column("source", String, nullable=False),
          Column("created_at", tz, nullable=False), Column("status", String, nullable=False),
          Column("department_id", String), Column("rating", Integer), Column("updated_at", tz, nullable=False),
          Column("search_text", String, nullable=False, server_default=""),
          Index("ix_issue_created", "created_at", "id"),
          Index("ix_issue_station_created", "station_id", "created_at", "id"),
          Index("ix_issue_department", "department_id"))
    Table("issue_event", md,
          Column("id", String, primary_key=True),
          Column("issue_id", String, ForeignKey("issue.id"), nullable=False, index=True),
          Column("kind", String, nullable=False), Column("actor_id", String),
          Column("actor_role", String, nullable=False, server_default=""),
          Column("created_at", tz, nullable=False), Column("payload", JSON, nullable=False),
          Column("server_seq", BigInteger), Column("rejected_code", String), Column("rejected_reason", String))
    Table("issue_photo", md,
          Column("issue_id", String, ForeignKey("issue.id"), primary_key=True),
          Column("sha256", String, primary_key=True),
          Column("position", Integer, nullable=False, server_default="0"),
          Column("width", Integer, nullable=False, server_default="0"),
          Column("height", Integer, nullable=False, server_default="0"),
          Column("byte_size", BigInteger, nullable=False, server_default="0"),
          Column("taken_at", tz), Column("latitude", Float), Column("longitude", Float),
          Index("ix_issue_photo_sha256", "sha256"))
    # The server's own tables.
    Table("users", md,
          Column("id", String, primary_key=True), Column("username", String, nullable=False, unique=True),
          Column("password_hash", String, nullable=False),
          Column("person_id", String, ForeignKey("person.id"), nullable=False, unique=True),
          Column("created_at", tz, nullable=False), Column("password_changed_at", tz, nullable=False))
    Table("device_token", md,
          Column("id", String, primary_key=True),
          Column("user_id", String, ForeignKey("users.id"), nullable=False, index=True),
          Column("token_hash", String, nullable=False, unique=True),
          Column("device_name", String, nullable=False, server_default=""),
          Column("created_at", tz, nullable=False), Column("expires_at", tz, nullable=False),
          Column("revoked_at", tz), Column("last_seen_at", tz))
    Table("applied_mutation", md,
          Column("id", String, primary_key=True), Column("body_hash", String, nullable=False),
          Column("kind", String, nullable=False), Column("user_id", String, nullable=False),
          Column("device_id", String, nullable=False), Column("result", JSON, nullable=False),
          Column("created_at", tz, nullable=False))
    Table("change_log", md,
          Column("seq", seq_type, primary_key=True, autoincrement=True),
          Column("entity", String, nullable=False), Column("entity_id", String, nullable=False),
          Column("issue_id", String),
          # everyone: reference data; issue: whoever sees the issue; department: only that
          # department (an issue's earlier history sent again when it is assigned there).
          Column("audience", String, nullable=False),
          Column("station_id", String), Column("department_id", String), Column("reporter_id", String),
          Column("data", JSON, nullable=False), Column("created_at", tz, nullable=False),
          Index("ix_change_log_audience_seq", "audience", "seq"),
          Index("ix_change_log_station_seq", "station_id", "seq"),
          Index("ix_change_log_department_seq", "department_id", "seq"),
          Index("ix_change_log_reporter_seq", "reporter_id", "seq"),
          Index("ix_change_log_entity", "entity", "entity_id"),
          sqlite_autoincrement=True)
    Table("blob", md,
          Column("sha256", String, primary_key=True), Column("length", BigInteger, nullable=False),
          Column("complete", Boolean, nullable=False, server_default=text("false")),
          Column("created_at", tz, nullable=False), Column("completed_at", tz),
          Column("uploaded_by", String))
    md.create_all(conn)


def _v2_record_engine(conn: Connection) -> None:
    # Every kind of record shares one timeline and one photo table, and the change log speaks of
    # records (its kind, id and author) rather than issues; events keep their author's station
    # and department. The logged events and photos are rewritten in the shape phones now read.
    records_for_engine(conn)
    run_script(conn, """
    CREATE INDEX ix_issue_status_created ON issue (status, created_at, id);
    CREATE INDEX ix_issue_category_created ON issue (category_id, created_at, id);
    DROP INDEX ix_change_log_reporter_seq;
    ALTER TABLE change_log RENAME COLUMN issue_id TO record_id;
    ALTER TABLE change_log RENAME COLUMN reporter_id TO author_id;
    ALTER TABLE change_log ADD COLUMN record_kind VARCHAR;
    UPDATE change_log SET record_kind = 'issue' WHERE record_id IS NOT NULL;
    UPDATE change_log SET audience = 'record' WHERE audience = 'issue';
    CREATE INDEX ix_change_log_author_seq ON change_log (author_id, seq)
    """)
    log = Table("change_log", MetaData(), Column("seq", BigInteger, primary_key=True), Column("entity", String),
                Column("data", JSON))
    people = people_of(conn)
    for entity, convert in (("event", lambda data: event_data_for_engine(data, people)),
                            ("photo", photo_data_for_engine)):
        last = 0
        while True:  # a thousand rows at a time: the log of a busy county holds millions
            rows = conn.execute(select(log.c.seq, log.c.data).where(log.c.entity == entity, log.c.seq > last)
                                .order_by(log.c.seq).limit(1000)).all()
            if not rows:
                break
            rewrite_json(conn, log, "seq", "data", rows, convert)
            last = rows[-1][0]


def _v3_closed_loop(conn: Connection) -> None:
    # The closed loop's columns on issues; and the change log can address one person (someone who
    # follows a record, e.g. the reporter of a duplicate merged into it).
    closed_loop_tables(conn)
    run_script(conn, """
    ALTER TABLE change_log ADD COLUMN person_id VARCHAR;
    CREATE INDEX ix_change_log_person_seq ON change_log (person_id, seq)
    """)


def _v4_inspections(conn: Connection) -> None:
    inspection_tables(conn)


def _v5_stations(conn: Connection) -> None:
    station_work_tables(conn)


def _v6_groups(conn: Connection) -> None:
    groups_and_places(conn)


def _v7_projects(conn: Connection) -> None:
    project_tables(conn, central=True)


def _v8_year(conn: Connection) -> None:
    year_tables(conn, central=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records, accounts, device tokens, applied mutations, change log, blobs", _v1_initial),
    Migration(2, "one timeline and photo table for every kind of record; the change log by record", _v2_record_engine),
    Migration(3, "the closed loop's columns on issues; change-log rows for one person", _v3_closed_loop),
    Migration(4, "inspections and their templates", _v4_inspections),
    Migration(5, "reception days, field visits and villagers' concerns", _v5_stations),
    Migration(6, "stations' places and special groups", _v6_groups),
    Migration(7, "livelihood projects, their tasks and ballot rounds", _v7_projects),
    Migration(8, "trainings, duty reports, the quiz and its key; who voted in a closed round", _v8_year),
)

LATEST = MIGRATIONS[-1].version


def migrate(engine: Engine, *, up_to: int | None = None) -> int:
    """Apply every step not yet applied, each in its own transaction; return the version reached."""
    return _migrate(engine, MIGRATIONS, what="the central store", up_to=up_to, lock_key=WRITE_LOCK_KEY)
