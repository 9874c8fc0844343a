"""Who may see what: one rule for pulls, pushes and photo downloads, read off each kind's visibility.

A kind says, for each role, which grants let a person see a record (app.records.Grant):
all of them, those of their station, those they recorded, those with their department.
The same grants become the WHERE clause over the change log's scope columns, so what a
pull sends and what a push or a download allows cannot disagree. Reference data
(stations, departments, categories, people's public fields) goes to everyone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import Session

from app.records import Grant, RecordKind, RecordPhoto, kind_named, kinds
from sync.server.auth import CurrentUser
from sync.server.changes import Audience
from sync.server.db import change_log


def can_see(user: CurrentUser, kind: RecordKind, record: Any) -> bool:
    """Tell whether the user may read (and so write events on) this record."""
    return kind.visible(user.actor, record)


def _grant_clause(user: CurrentUser, grant: Grant) -> ColumnElement[bool] | None:
    c = change_log.c
    if grant is Grant.ALL:
        return c.audience == Audience.RECORD.value
    if grant is Grant.STATION and user.station_id is not None:
        return and_(c.audience == Audience.RECORD.value, c.station_id == user.station_id)
    if grant is Grant.AUTHOR:
        return and_(c.audience == Audience.RECORD.value, c.author_id == user.person_id)
    if grant is Grant.DEPARTMENT and user.department_id is not None:
        # A department also receives what is sent to it alone (history again, revocations, its co-handling copy).
        return and_(c.audience.in_([Audience.RECORD.value, Audience.DEPARTMENT.value]),
                    c.department_id == user.department_id)
    if grant is Grant.FOLLOWER:
        return and_(c.audience == Audience.PERSON.value, c.person_id == user.person_id)
    return None


def change_filter(user: CurrentUser) -> ColumnElement[bool]:
    """Return the WHERE clause that keeps the change-log rows this user may pull."""
    c = change_log.c
    # Kinds that grant this role the same things share one clause.
    by_grants: dict[frozenset[Grant], list[str]] = {}
    for kind in kinds():
        grants = kind.visibility.grants.get(user.role, frozenset())
        if grants:
            by_grants.setdefault(grants, []).append(kind.name)
    clauses: list[ColumnElement[bool]] = [c.audience == Audience.EVERYONE.value]
    for grants, names in by_grants.items():
        allowed = [clause for grant in sorted(grants) if (clause := _grant_clause(user, grant)) is not None]
        if not allowed:
            continue
        kind_clause = c.record_kind == names[0] if len(names) == 1 else c.record_kind.in_(names)
        clauses.append(and_(kind_clause, or_(*allowed)))
    return or_(*clauses) if len(clauses) > 1 else or_(clauses[0], false())


def photo_visible(session: Session, user: CurrentUser, sha256: str) -> bool | None:
    """Tell whether the user may download a photo: None if no record holds it."""
    holders = session.execute(select(RecordPhoto.record_kind, RecordPhoto.record_id)
                              .where(RecordPhoto.sha256 == sha256)).all()
    if not holders:
        return None
    for kind_name, record_id in holders:
        kind = kind_named(kind_name)
        record = session.get(kind.table, record_id) if kind is not None else None
        if record is not None and can_see(user, kind, record):
            return True
    return False
