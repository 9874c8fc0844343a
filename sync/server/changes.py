"""The change log: every change the store accepts, in one global order, with who may pull it.

Each row carries the full record as the server holds it after the change, and the
scope columns of the record it belongs to (its kind, station, department and author),
so a pull is one indexed range query from the cursor on. Rows are only ever appended,
inside a write session (see db.py), which gives `seq` its meaning. A pushed batch builds
its rows the same way in memory and gives out their seqs itself, in order, under that
lock (push/; it also sends a record's history again to a department it is assigned to,
and tells the department it leaves that the record is no longer theirs: a `revoked` change).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Iterable

from sqlalchemy import func, insert, select, update
from sqlmodel import Session, SQLModel

from app.clock import as_utc, utcnow
from app.models import PersonPublic
from app.records import RecordEvent, RecordKind, kinds, photos_of, timeline, value_of
from app.replica import reference_entities
from sync.server.db import change_log


class Audience(StrEnum):
    EVERYONE = "everyone"  # reference data
    RECORD = "record"  # whoever may see the record
    DEPARTMENT = "department"  # only the row's department: a record's history sent again on assignment,
    # the revocation the department a record leaves receives, or a co-handling department's copy
    PERSON = "person"  # only the row's person: a follower's copy, the history sent when they start following


PERSON_PUBLIC = tuple(PersonPublic.model_fields)


def record_data(row: SQLModel) -> dict[str, Any]:
    """Return a record as plain JSON: every column, times as ISO 8601 UTC; a person's public fields only."""
    names = [c.name for c in row.__table__.columns]  # type: ignore[attr-defined]
    if row.__tablename__ == "person":  # type: ignore[attr-defined]
        names = list(PERSON_PUBLIC)
    data: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = as_utc(value).isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = value
    return data


def change_rows(entity: str, data: dict[str, Any], *, kind: RecordKind | None, record: Any,
                audience: Audience = Audience.RECORD, department: str | None = None, person: str | None = None,
                now: datetime) -> list[dict[str, Any]]:
    """The change-log rows (without their seq) of one change, with the scope columns of its record.

    A change for whoever may see the record is logged once, plus once more for each further
    department handling it and each person following it (they are found by those columns,
    not by the record's station). `department` or `person` address a row to one of them
    alone (a record's history sent again, a revocation).
    """
    scope = kind.scope.of(record) if kind is not None and record is not None else None
    entity_id = f"{data['record_id']}:{data['sha256']}" if entity == "photo" else str(data.get("id") or "")
    main = {"entity": str(entity), "entity_id": entity_id, "record_kind": kind.name if kind is not None else None,
            "record_id": value_of(record, "id") if record is not None else None, "audience": audience.value,
            "station_id": scope.station_id if scope else None,
            "department_id": department or (scope.department_id if scope else None),
            "author_id": scope.author_id if scope else None, "person_id": person, "data": data, "created_at": now}
    rows = [main]
    if audience is Audience.RECORD and scope is not None:
        rows += [main | {"audience": Audience.DEPARTMENT.value, "department_id": other}
                 for other in scope.departments[1:]]
        rows += [main | {"audience": Audience.PERSON.value, "person_id": follower} for follower in scope.followers]
    return rows


def append(session: Session, entity: str, data: dict[str, Any], *, audience: Audience,
           kind: RecordKind | None = None, record: Any = None) -> int:
    """Append one change (and its copies for co-handling departments and followers); return its seq."""
    rows = change_rows(entity, data, kind=kind, record=record, audience=audience, now=utcnow())
    seqs = [int(session.execute(insert(change_log).values(**row)).inserted_primary_key[0]) for row in rows]
    return seqs[0]


def log_record(session: Session, kind: RecordKind, record: Any) -> int:
    return append(session, kind.name, record_data(record), audience=Audience.RECORD, kind=kind, record=record)


def log_event(session: Session, kind: RecordKind, event: RecordEvent, record: Any) -> int:
    """Append an event; one that has no place in the order yet gets its seq as server_seq."""
    if event.server_seq is not None:
        return append(session, "event", record_data(event), audience=Audience.RECORD, kind=kind, record=record)
    seq = append(session, "event", {"id": event.id}, audience=Audience.RECORD, kind=kind, record=record)
    event.server_seq = seq
    session.add(event)
    session.flush()
    session.execute(update(change_log).where(change_log.c.seq == seq).values(data=record_data(event)))
    return seq


def log_reference(session: Session, entity: str, row: SQLModel) -> int:
    return append(session, entity, record_data(row), audience=Audience.EVERYONE)


def sync_reference(session: Session) -> int:
    """Log every reference record that is new or changed since it was last logged; return how many; no commit."""
    latest = (select(change_log.c.entity, change_log.c.entity_id, func.max(change_log.c.seq).label("seq"))
              .where(change_log.c.audience == Audience.EVERYONE.value)
              .group_by(change_log.c.entity, change_log.c.entity_id).subquery())
    logged = {(row.entity, row.entity_id): row.data for row in session.execute(
        select(latest.c.entity, latest.c.entity_id, change_log.c.data)
        .join(change_log, change_log.c.seq == latest.c.seq))}
    count = 0
    for entity, model, _public in reference_entities():
        for row in _all(session, model):
            data = record_data(row)
            if logged.get((entity, row.id)) != data:  # type: ignore[attr-defined]
                append(session, entity, data, audience=Audience.EVERYONE)
                count += 1
    return count


def log_unlogged_records(session: Session) -> int:
    """Log records whose events have no place in the order yet (loaded by a command, not pushed); no commit."""
    pending = session.execute(select(RecordEvent.record_kind, RecordEvent.record_id)
                              .where(RecordEvent.server_seq.is_(None))  # type: ignore[union-attr]
                              .order_by(RecordEvent.created_at)).all()
    by_kind = {kind.name: kind for kind in kinds()}
    records = list(dict.fromkeys((kind_name, record_id) for kind_name, record_id in pending))
    for kind_name, record_id in records:
        kind = by_kind.get(kind_name)
        record = session.get(kind.table, record_id) if kind is not None else None
        if record is not None:
            log_new_record(session, kind, record)
    return len(records)


def log_new_record(session: Session, kind: RecordKind, record: Any) -> None:
    """Log a record written on the central store itself (a command, the public page): it, its photos, its events."""
    session.flush()
    log_record(session, kind, record)
    for photo in photos_of(session, record.id):
        append(session, "photo", record_data(photo), audience=Audience.RECORD, kind=kind, record=record)
    for event in timeline(session, record.id):
        if event.server_seq is None:
            log_event(session, kind, event, record)


def head(session: Session) -> int:
    """Return the highest seq in the log (0 when empty)."""
    return int(session.execute(select(func.coalesce(func.max(change_log.c.seq), 0))).scalar_one())


def _all(session: Session, model: type[SQLModel]) -> Iterable[SQLModel]:
    return session.execute(select(model).order_by(model.id)).scalars().all()  # type: ignore[attr-defined]
