"""Migrations of both stores: the runner, and the steps the phone's replica and the central store share.

Each step is frozen once released: it builds its own SQLAlchemy Core tables and never
follows later changes of the models; a new need is a new step. The models (SQLModel's
metadata) are the one schema: a test migrates empty stores and compares them to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Connection, Date, DateTime, Float, ForeignKey, Index, Integer,
                        MetaData,
                        String, Table, bindparam, text, update)
from sqlalchemy.engine import Engine

from app.clock import utcnow


@dataclass(frozen=True)
class Migration:
    """One schema step, applied inside a transaction and recorded in _migrations."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _migrations_table() -> Table:
    return Table("_migrations", MetaData(),
                 Column("version", Integer, primary_key=True, autoincrement=False),
                 Column("name", String, nullable=False), Column("applied_at", DateTime(timezone=True), nullable=False))


def current_version(conn: Connection) -> int:
    _migrations_table().create(conn, checkfirst=True)
    return conn.execute(text("SELECT coalesce(max(version), 0) FROM _migrations")).scalar_one()


def migrate(engine: Engine, steps: Sequence[Migration], *, what: str, up_to: int | None = None,
            lock_key: int | None = None) -> int:
    """Apply every step not yet applied, each in its own transaction; return the version reached.

    On PostgreSQL each step runs under the advisory lock `lock_key`, so two servers starting
    at once never both apply it.
    """
    latest = steps[-1].version
    target = latest if up_to is None else up_to
    table = _migrations_table()
    version = 0
    for step in (None, *steps):
        with engine.begin() as conn:
            if lock_key is not None and conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
            version = current_version(conn)
            if version > latest:
                raise RuntimeError(f"{what} is at schema {version}, newer than this version of the app ({latest}); "
                                   "update the app")
            if step is None or not version < step.version <= target:
                continue
            step.apply(conn)
            conn.execute(table.insert().values(version=step.version, name=step.name, applied_at=utcnow()))
            version = step.version
    return version


def run_script(conn: Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(text(statement))


# ---------------------------------------------------------------- shared step: one timeline for every kind

def people_of(conn: Connection) -> dict[str, tuple[str | None, str | None]]:
    """Each person's station and department as they are now: the snapshot migrated events get."""
    return {row[0]: (row[1], row[2]) for row in conn.execute(text("SELECT id, station_id, department_id FROM person"))}


def event_data_for_engine(data: dict[str, Any], people: dict[str, tuple[str | None, str | None]]) -> dict[str, Any]:
    """Turn an issue event as it was written before the record engine into a record event.

    Its actor's station and department are the person's as they are now, exactly as
    `records_for_engine` gives the stored events, so phone and server hold the same.
    """
    if "record_id" in data:
        return data
    out = {k: v for k, v in data.items() if k not in ("issue_id", "kind")}
    station, department = people.get(str(data.get("actor_id")), (None, None))
    out.update(record_kind="issue", record_id=data.get("issue_id"), type=data.get("kind"),
               actor_station_id=station, actor_department_id=department)
    return out


def photo_data_for_engine(data: dict[str, Any]) -> dict[str, Any]:
    """Turn an issue photo as it was written before the record engine into a record photo."""
    if "record_id" in data:
        return data
    out = {k: v for k, v in data.items() if k != "issue_id"}
    out.update(record_id=data.get("issue_id"), record_kind="issue")
    return out


def change_for_engine(change: dict[str, Any], people: dict[str, tuple[str | None, str | None]]) -> dict[str, Any]:
    """Turn a pulled change (seq, entity, data) of before the record engine into one of after it."""
    entity = change.get("entity", "")
    if entity == "event":
        return {**change, "data": event_data_for_engine(dict(change["data"]), people)}
    if entity == "photo":
        return {**change, "data": photo_data_for_engine(dict(change["data"]))}
    return change


def records_for_engine(conn: Connection) -> None:
    """Move issue events and photos into the tables every kind of record shares.

    The actor's station and department are taken from the person as they are now: the
    best that can be known of events recorded before events kept them.
    """
    md = MetaData()
    tz = DateTime(timezone=True)
    Table("record_event", md,
          Column("id", String, primary_key=True), Column("record_kind", String, nullable=False),
          Column("record_id", String, nullable=False), Column("type", String, nullable=False),
          Column("actor_id", String), Column("actor_role", String, nullable=False, server_default=""),
          Column("actor_station_id", String), Column("actor_department_id", String),
          Column("created_at", tz, nullable=False), Column("payload", JSON, nullable=False),
          Column("server_seq", BigInteger), Column("rejected_code", String), Column("rejected_reason", String),
          Index("ix_record_event_record_id", "record_id"))
    Table("record_photo", md,
          Column("record_id", String, primary_key=True), Column("sha256", String, primary_key=True),
          Column("record_kind", String, nullable=False),
          Column("position", Integer, nullable=False, server_default="0"),
          Column("width", Integer, nullable=False, server_default="0"),
          Column("height", Integer, nullable=False, server_default="0"),
          Column("byte_size", BigInteger, nullable=False, server_default="0"),
          Column("taken_at", tz), Column("latitude", Float), Column("longitude", Float),
          Index("ix_record_photo_sha256", "sha256"))
    md.create_all(conn)
    run_script(conn, """
    INSERT INTO record_event (id, record_kind, record_id, type, actor_id, actor_role, actor_station_id,
                              actor_department_id, created_at, payload, server_seq, rejected_code, rejected_reason)
        SELECT e.id, 'issue', e.issue_id, e.kind, e.actor_id, e.actor_role, p.station_id, p.department_id,
               e.created_at, e.payload, e.server_seq, e.rejected_code, e.rejected_reason
        FROM issue_event e LEFT JOIN person p ON p.id = e.actor_id;
    INSERT INTO record_photo (record_id, sha256, record_kind, position, width, height, byte_size, taken_at,
                              latitude, longitude)
        SELECT issue_id, sha256, 'issue', position, width, height, byte_size, taken_at, latitude, longitude
        FROM issue_photo;
    DROP TABLE issue_event;
    DROP TABLE issue_photo
    """)


def rewrite_json(conn: Connection, table: Table, key: str, column: str, rows: Sequence[Any],
                 convert: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Write convert(value) back for each (key, value) row, in statements of a thousand."""
    statement = update(table).where(table.c[key] == bindparam("_key")).values({column: bindparam("_value")})
    batch = [{"_key": k, "_value": convert(dict(v))} for k, v in rows]
    for start in range(0, len(batch), 1000):
        conn.execute(statement, batch[start:start + 1000])


# ---------------------------------------------------------------- shared step: the closed loop's columns

def closed_loop_tables(conn: Connection) -> None:
    """Give issues the columns the closed loop keeps for lists (co-handling, deadlines, ratings, look-backs),
    and make the table of supervision letters."""
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    json_type = "JSON"
    false = "false" if conn.dialect.name == "postgresql" else "0"
    run_script(conn, f"""
    ALTER TABLE issue ADD COLUMN co_department_ids {json_type} NOT NULL DEFAULT '[]';
    ALTER TABLE issue ADD COLUMN follower_ids {json_type} NOT NULL DEFAULT '[]';
    ALTER TABLE issue ADD COLUMN satisfaction VARCHAR;
    ALTER TABLE issue ADD COLUMN urgency VARCHAR NOT NULL DEFAULT 'normal';
    ALTER TABLE issue ADD COLUMN nature VARCHAR NOT NULL DEFAULT 'problem';
    ALTER TABLE issue ADD COLUMN key_suggestion BOOLEAN NOT NULL DEFAULT {false};
    ALTER TABLE issue ADD COLUMN deadline DATE;
    ALTER TABLE issue ADD COLUMN extension_asked DATE;
    ALTER TABLE issue ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE issue ADD COLUMN assigned_at {timestamp};
    ALTER TABLE issue ADD COLUMN resolved_at {timestamp};
    ALTER TABLE issue ADD COLUMN verified_at {timestamp};
    ALTER TABLE issue ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE issue ADD COLUMN merged_into VARCHAR;
    CREATE INDEX ix_issue_deadline ON issue (status, deadline)
    """)
    md = MetaData()
    tz = DateTime(timezone=True)
    Table("department", md, Column("id", String, primary_key=True))  # there already: named for the foreign key
    Table("letter", md,
          Column("id", String, primary_key=True), Column("created_at", tz, nullable=False),
          Column("status", String, nullable=False), Column("updated_at", tz, nullable=False),
          Column("year", Integer, nullable=False), Column("number", Integer),
          Column("department_id", String, ForeignKey("department.id")),
          Column("subject", String, nullable=False), Column("situation", String, nullable=False),
          Column("actions", String, nullable=False), Column("deadline", Date), Column("author_id", String),
          Column("station_id", String), Column("issue_ids", JSON, nullable=False),
          Index("ix_letter_number", "year", "number", unique=True), Index("ix_letter_created", "created_at", "id"))
    md.create_all(conn)


# ---------------------------------------------------------------- shared step: inspections

def inspection_tables(conn: Connection) -> None:
    """Make the tables of published inspection templates and of inspections."""
    md = MetaData()
    tz = DateTime(timezone=True)
    Table("station", md, Column("id", String, primary_key=True))  # there already: named for the foreign key
    Table("inspection_template", md,
          Column("id", String, primary_key=True), Column("template_id", String, nullable=False),
          Column("version", Integer, nullable=False), Column("title", String, nullable=False),
          Column("title_en", String, nullable=False), Column("place_type", String, nullable=False),
          Column("fingerprint", String, nullable=False), Column("published_at", tz, nullable=False),
          Column("definition", JSON, nullable=False),
          Index("ix_inspection_template_key", "template_id", "version", unique=True))
    Table("inspection", md,
          Column("id", String, primary_key=True), Column("created_at", tz, nullable=False),
          Column("status", String, nullable=False), Column("updated_at", tz, nullable=False),
          Column("template_id", String, nullable=False), Column("template_version", Integer, nullable=False),
          Column("title", String, nullable=False), Column("place_type", String, nullable=False),
          Column("place_name", String, nullable=False), Column("latitude", Float), Column("longitude", Float),
          Column("accuracy_m", Float), Column("location_source", String, nullable=False),
          Column("station_id", String, ForeignKey("station.id")), Column("author_id", String),
          Column("score", Float, nullable=False), Column("max_score", Float, nullable=False),
          Column("answered", Integer, nullable=False), Column("total", Integer, nullable=False),
          Column("flagged", Integer, nullable=False), Column("conflicts", Integer, nullable=False),
          Column("issue_count", Integer, nullable=False), Column("signed_off_at", tz),
          Column("participant_ids", JSON, nullable=False),
          Index("ix_inspection_created", "created_at", "id"),
          Index("ix_inspection_station_created", "station_id", "created_at", "id"))
    md.create_all(conn)


# ---------------------------------------------------------------- shared step: the liaison stations' work

def station_work_tables(conn: Connection) -> None:
    """Make the tables of reception days, field visits and villagers' concerns."""
    md = MetaData()
    tz = DateTime(timezone=True)
    Table("station", md, Column("id", String, primary_key=True))  # there already: named for the foreign keys

    def record(name: str, *columns: Any) -> None:
        Table(name, md, Column("id", String, primary_key=True), Column("created_at", tz, nullable=False),
              Column("status", String, nullable=False), Column("updated_at", tz, nullable=False),
              Column("station_id", String, ForeignKey("station.id")), Column("author_id", String), *columns)

    record("reception", Column("day", Date, nullable=False), Column("scheduled", Boolean, nullable=False),
           Column("visitors", Integer, nullable=False), Column("concerns", Integer, nullable=False),
           Column("answered", Integer, nullable=False), Column("issues_raised", Integer, nullable=False),
           Column("duty_deputy_ids", JSON, nullable=False), Column("attended_ids", JSON, nullable=False),
           Index("ix_reception_station_day", "station_id", "day"), Index("ix_reception_day", "day"))
    record("visit", Column("place_type", String, nullable=False), Column("place_name", String, nullable=False),
           Column("latitude", Float), Column("longitude", Float), Column("accuracy_m", Float),
           Column("location_source", String, nullable=False), Column("people_met", String, nullable=False),
           Column("notes", String, nullable=False), Column("issue_count", Integer, nullable=False),
           Column("deputy_ids", JSON, nullable=False),
           Index("ix_visit_created", "created_at", "id"),
           Index("ix_visit_station_created", "station_id", "created_at", "id"))
    record("concern", Column("receipt", String, nullable=False), Column("village", String, nullable=False),
           Column("text", String, nullable=False), Column("phone", String, nullable=False),
           Column("answer", String, nullable=False), Column("issue_id", String),
           Index("ix_concern_receipt", "receipt", unique=True),
           Index("ix_concern_station_created", "station_id", "created_at", "id"))
    md.create_all(conn)


# ---------------------------------------------------------------- shared step: stations' places, special groups

def groups_and_places(conn: Connection) -> None:
    """Give stations an address and a location; make special groups; issues and inspections may name one."""
    run_script(conn, """
    ALTER TABLE station ADD COLUMN address VARCHAR NOT NULL DEFAULT '';
    ALTER TABLE station ADD COLUMN latitude FLOAT;
    ALTER TABLE station ADD COLUMN longitude FLOAT;
    ALTER TABLE issue ADD COLUMN group_id VARCHAR;
    ALTER TABLE inspection ADD COLUMN group_id VARCHAR
    """)
    md = MetaData()
    Table("station", md, Column("id", String, primary_key=True))  # there already: named for the foreign key
    Table("special_group", md,
          Column("id", String, primary_key=True), Column("code", String, nullable=False, unique=True),
          Column("name", String, nullable=False), Column("name_en", String, nullable=False),
          Column("sort_order", Integer, nullable=False), Column("station_id", String, ForeignKey("station.id")),
          Column("focus", String, nullable=False), Column("member_ids", JSON, nullable=False))
    md.create_all(conn)


# ---------------------------------------------------------------- shared step: livelihood projects

def project_tables(conn: Connection, *, central: bool) -> None:
    """Make the tables of project opinions, projects, their tasks and ballot rounds (and, on the central
    store, who voted and the counts, kept apart)."""
    md = MetaData()
    tz = DateTime(timezone=True)
    Table("station", md, Column("id", String, primary_key=True))  # there already: named for the foreign key

    def record(name: str, *columns: Any) -> None:
        Table(name, md, Column("id", String, primary_key=True), Column("created_at", tz, nullable=False),
              Column("status", String, nullable=False), Column("updated_at", tz, nullable=False),
              Column("author_id", String), *columns)

    record("opinion", Column("title", String, nullable=False), Column("text", String, nullable=False),
           Column("station_id", String, ForeignKey("station.id")), Column("issue_id", String),
           Column("concern_id", String), Column("project_id", String), Index("ix_opinion_created", "created_at", "id"))
    record("project", Column("title", String, nullable=False), Column("description", String, nullable=False),
           Column("place_name", String, nullable=False), Column("estimated_cost", Float, nullable=False),
           Column("funding_source", String, nullable=False), Column("beneficiaries", String, nullable=False),
           Column("year", Integer, nullable=False), Column("end_date", Date), Column("ballot_id", String),
           Column("inspections", Integer, nullable=False), Column("opinion_ids", JSON, nullable=False),
           Column("issue_ids", JSON, nullable=False), Index("ix_project_year", "year", "created_at"))
    record("project_task", Column("project_id", String, nullable=False), Column("title", String, nullable=False),
           Column("unit_kind", String, nullable=False), Column("unit_id", String), Column("station_id", String),
           Column("department_id", String), Column("person", String, nullable=False), Column("deadline", Date),
           Column("budget", Float, nullable=False), Column("percent", Integer, nullable=False),
           Column("spent", Float, nullable=False), Column("done_at", Date),
           Index("ix_project_task_project", "project_id", "deadline"))
    record("ballot", Column("title", String, nullable=False), Column("purpose", String, nullable=False),
           Column("year", Integer, nullable=False), Column("to_choose", Integer, nullable=False),
           Column("voted", Integer, nullable=False), Column("candidate_ids", JSON, nullable=False),
           Column("roll_ids", JSON, nullable=False), Column("checked_in_ids", JSON, nullable=False),
           Column("results", JSON, nullable=False), Column("chosen_ids", JSON, nullable=False),
           Column("tie_ids", JSON, nullable=False), Index("ix_ballot_created", "created_at", "id"))
    if central:
        Table("ballot_voter", md, Column("ballot_id", String, primary_key=True),
              Column("person_id", String, primary_key=True))
        Table("ballot_count", md, Column("ballot_id", String, primary_key=True),
              Column("project_id", String, primary_key=True), Column("choice", String, primary_key=True),
              Column("count", Integer, nullable=False))
    md.create_all(conn)


# ---------------------------------------------------------------- shared step: the year on record

def year_tables(conn: Connection, *, central: bool) -> None:
    """Make the tables of training sessions, calls for duty reports and the reports, the quiz's questions,
    quizzes and attempts (and, on the central store, the quiz's key); a closed ballot round names who voted."""
    md = MetaData()
    tz = DateTime(timezone=True)
    Table("station", md, Column("id", String, primary_key=True))  # there already: named for the foreign key

    def record(name: str, *columns: Any) -> None:
        Table(name, md, Column("id", String, primary_key=True), Column("created_at", tz, nullable=False),
              Column("status", String, nullable=False), Column("updated_at", tz, nullable=False),
              Column("author_id", String), *columns)

    record("training", Column("title", String, nullable=False), Column("day", Date), Column("place", String, nullable=False),
           Column("trainer", String, nullable=False), Column("materials", String, nullable=False),
           Column("station_id", String, ForeignKey("station.id")), Column("attended", Integer, nullable=False),
           Column("invited_ids", JSON, nullable=False), Column("attended_ids", JSON, nullable=False),
           Index("ix_training_day", "day", "id"))
    record("report_call", Column("title", String, nullable=False), Column("year", Integer, nullable=False),
           Column("deadline", Date), Column("person_ids", JSON, nullable=False),
           Index("ix_report_call_year", "year", "created_at"))
    record("duty_report", Column("call_id", String, nullable=False), Column("year", Integer, nullable=False),
           Column("title", String, nullable=False), Column("text", String, nullable=False),
           Column("station_id", String, ForeignKey("station.id")), Column("submitted_at", tz),
           Column("returned_note", String, nullable=False), Index("ix_duty_report_call", "call_id", "author_id"))
    Table("quiz_question", md, Column("id", String, primary_key=True), Column("bank_id", String, nullable=False),
          Column("code", String, nullable=False), Column("number", Integer, nullable=False),
          Column("type", String, nullable=False), Column("text", String, nullable=False),
          Column("source", String, nullable=False), Column("topic", String, nullable=False),
          Column("options", JSON, nullable=False), Index("ix_quiz_question_bank", "bank_id", "number"))
    record("quiz", Column("title", String, nullable=False), Column("bank_id", String, nullable=False),
           Column("question_count", Integer, nullable=False), Column("time_limit_minutes", Integer, nullable=False),
           Column("retakes", Integer, nullable=False), Column("closes_at", tz),
           Column("question_ids", JSON, nullable=False), Column("roll_ids", JSON, nullable=False),
           Column("extra_attempts", JSON, nullable=False), Column("key", JSON, nullable=False),
           Index("ix_quiz_created", "created_at", "id"))
    record("quiz_attempt", Column("quiz_id", String, nullable=False), Column("attempt", Integer, nullable=False),
           Column("started_at", tz), Column("station_id", String, ForeignKey("station.id")),
           Column("score", Integer), Column("correct", Integer), Column("total", Integer, nullable=False),
           Column("question_ids", JSON, nullable=False), Column("answers", JSON, nullable=False),
           Index("ix_quiz_attempt_quiz", "quiz_id", "author_id", "attempt"))
    if central:
        Table("quiz_key", md, Column("question_id", String, primary_key=True), Column("answer", JSON, nullable=False))
    md.create_all(conn)
    run_script(conn, "ALTER TABLE ballot ADD COLUMN voter_ids JSON NOT NULL DEFAULT '[]'")
