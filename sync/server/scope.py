"""Who may see what: one rule for pulls, pushes and photo downloads.

- office and admin: everything;
- a deputy or station staff: their station's issues and the issues they reported;
- a department: the issues assigned to it (now); one assigned away is revoked (a `revoked` change);
- everyone: the reference data (stations, departments, categories, people's public fields).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import Session

from app.models import Issue, IssuePhoto
from app.workflow import Role
from sync.server.auth import CurrentUser
from sync.server.changes import Audience
from sync.server.db import change_log


def can_see_issue(user: CurrentUser, issue: Issue) -> bool:
    """Tell whether the user may read (and so write events on) this issue."""
    if user.role in (Role.OFFICE, Role.ADMIN):
        return True
    if user.role in (Role.DEPUTY, Role.STATION_STAFF):
        return (user.station_id is not None and issue.station_id == user.station_id) or \
            issue.reporter_id == user.person_id
    if user.role is Role.DEPARTMENT:
        return user.department_id is not None and issue.department_id == user.department_id
    return False


def may_create_in(user: CurrentUser, station_id: str | None) -> bool:
    """Tell whether the user may record an issue for this station (None: their own)."""
    if user.role in (Role.DEPUTY, Role.STATION_STAFF):
        return station_id is None or station_id == user.station_id
    return True


def change_filter(user: CurrentUser) -> ColumnElement[bool]:
    """Return the WHERE clause that keeps the change-log rows this user may pull."""
    c = change_log.c
    everyone = c.audience == Audience.EVERYONE.value
    if user.role in (Role.OFFICE, Role.ADMIN):
        return c.audience.in_([Audience.EVERYONE.value, Audience.ISSUE.value])
    if user.role in (Role.DEPUTY, Role.STATION_STAFF):
        mine = [c.reporter_id == user.person_id]
        if user.station_id is not None:
            mine.append(c.station_id == user.station_id)
        return or_(everyone, and_(c.audience == Audience.ISSUE.value, or_(*mine)))
    if user.role is Role.DEPARTMENT and user.department_id is not None:
        return or_(everyone, and_(c.audience.in_([Audience.ISSUE.value, Audience.DEPARTMENT.value]),
                                  c.department_id == user.department_id))
    return or_(everyone, false())


def photo_visible(session: Session, user: CurrentUser, sha256: str) -> bool | None:
    """Tell whether the user may download a photo: None if no issue holds it."""
    issues = session.execute(select(Issue).join(IssuePhoto, IssuePhoto.issue_id == Issue.id)
                             .where(IssuePhoto.sha256 == sha256)).scalars().all()
    if not issues:
        return None
    return any(can_see_issue(user, issue) for issue in issues)
