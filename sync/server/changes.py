"""The change log: every change the store accepts, in one global order, with who may pull it.

Each row carries the full record as the server holds it after the change, and the
scope columns of the issue it belongs to (station, department, reporter), so a pull
is one indexed range query from the cursor on. Rows are only ever appended, inside a
write session (see db.py), which gives `seq` its meaning. A pushed batch builds its rows
the same way in memory and gives out their seqs itself, in order, under that lock
(push.py; it also sends an issue's history again to a department it is assigned to, and
tells the department it leaves that the issue is no longer theirs: a `revoked` change).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Iterable

from sqlalchemy import func, insert, select, update
from sqlmodel import Session, SQLModel

from app.clock import as_utc, utcnow
from app.issues import photos_of, timeline
from app.models import Category, Department, Issue, IssueEvent, IssuePhoto, Person, Station
from sync.protocol import EntityKind
from sync.server.db import change_log


class Audience(StrEnum):
    EVERYONE = "everyone"  # reference data
    ISSUE = "issue"  # whoever may see the issue
    DEPARTMENT = "department"  # only the row's department: an issue's history sent again on assignment,
    # or the revocation the department an issue leaves receives


PERSON_PUBLIC = ("id", "name", "role", "station_id", "department_id")
REFERENCE: tuple[tuple[EntityKind, type[SQLModel]], ...] = (
    (EntityKind.STATION, Station), (EntityKind.DEPARTMENT, Department), (EntityKind.CATEGORY, Category),
    (EntityKind.PERSON, Person),
)


def record_data(row: SQLModel) -> dict[str, Any]:
    """Return a record as plain JSON: every column, times as ISO 8601 UTC; a person's public fields only."""
    names = [c.name for c in row.__table__.columns]  # type: ignore[attr-defined]
    if isinstance(row, Person):
        names = list(PERSON_PUBLIC)
    data: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = as_utc(value).isoformat()
        data[name] = value
    return data


def append(session: Session, entity: EntityKind | str, data: dict[str, Any], *, audience: Audience,
           issue: Issue | None = None, department_id: str | None = None) -> int:
    """Append one change; return its seq."""
    values = dict(entity=str(entity), entity_id=str(data.get("id") or data.get("sha256") or ""),
                  issue_id=issue.id if issue else None, audience=audience.value,
                  station_id=issue.station_id if issue else None,
                  department_id=department_id if department_id is not None else (issue.department_id if issue else None),
                  reporter_id=issue.reporter_id if issue else None, data=data, created_at=utcnow())
    if entity == EntityKind.PHOTO:
        values["entity_id"] = f"{data['issue_id']}:{data['sha256']}"
    result = session.execute(insert(change_log).values(**values))
    return int(result.inserted_primary_key[0])


def log_issue(session: Session, issue: Issue) -> int:
    return append(session, EntityKind.ISSUE, record_data(issue), audience=Audience.ISSUE, issue=issue)


def log_photo(session: Session, photo: IssuePhoto, issue: Issue) -> int:
    return append(session, EntityKind.PHOTO, record_data(photo), audience=Audience.ISSUE, issue=issue)


def log_event(session: Session, event: IssueEvent, issue: Issue) -> int:
    """Append an event; one that has no place in the order yet gets its seq as server_seq."""
    if event.server_seq is not None:
        return append(session, EntityKind.EVENT, record_data(event), audience=Audience.ISSUE, issue=issue)
    seq = append(session, EntityKind.EVENT, {"id": event.id}, audience=Audience.ISSUE, issue=issue)
    event.server_seq = seq
    session.add(event)
    session.flush()
    session.execute(update(change_log).where(change_log.c.seq == seq).values(data=record_data(event)))
    return seq


def log_reference(session: Session, entity: EntityKind | str, row: SQLModel) -> int:
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
    for entity, model in REFERENCE:
        for row in _all(session, model):
            data = record_data(row)
            if logged.get((entity.value, row.id)) != data:
                append(session, entity, data, audience=Audience.EVERYONE)
                count += 1
    return count


def log_unlogged_issues(session: Session) -> int:
    """Log issues whose events have no place in the order yet (loaded by a command, not pushed); no commit."""
    issue_ids = list(dict.fromkeys(session.execute(
        select(IssueEvent.issue_id).where(IssueEvent.server_seq.is_(None)).order_by(IssueEvent.created_at)
    ).scalars()))
    for issue_id in issue_ids:
        issue = session.get(Issue, issue_id)
        if issue is None:
            continue
        log_issue(session, issue)
        for photo in photos_of(session, issue_id):
            log_photo(session, photo, issue)
        for event in timeline(session, issue_id):
            if event.server_seq is None:
                log_event(session, event, issue)
    return len(issue_ids)


def head(session: Session) -> int:
    """Return the highest seq in the log (0 when empty)."""
    return int(session.execute(select(func.coalesce(func.max(change_log.c.seq), 0))).scalar_one())


def _all(session: Session, model: type[SQLModel]) -> Iterable[SQLModel]:
    return session.execute(select(model).order_by(model.id)).scalars().all()  # type: ignore[attr-defined]
