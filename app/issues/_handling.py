"""The office's and departments' work on issues: queues, duplicate candidates, batch steps, deadlines.

Pure queries and service functions over a local store (the office PC's or a department's
replica); every step is a timeline event recorded with `record_event`, so it works offline
and is judged again by the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Sequence

from sqlmodel import Session, col, select

from app.actors import Actor
from app.clock import utcnow
from app.errors import DomainError
from app.issues._kind import ISSUE
from app.issues._model import Issue
from app.issues._rules import HANDLING, Status, china_day
from app.problems import Problem
from app.records import RecordEvent, StoreContext, check_event, event_type_of, record_event, state_of

EARTH_RADIUS_M = 6_371_000.0
DUPLICATE_RADIUS_M = 300.0
DUPLICATE_DAYS = 90
DUE_SOON_DAYS = 3


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two WGS-84 points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Candidate:
    """An issue that may be the same as the one being triaged, and how far from it."""

    issue: Issue
    distance_m: float


def duplicate_candidates(session: Session, issue: Issue, *, radius_m: float = DUPLICATE_RADIUS_M,
                         days: int = DUPLICATE_DAYS) -> list[Candidate]:
    """Issues of the same category within ~300 m raised in the 90 days before this one, nearest first."""
    if issue.latitude is None or issue.longitude is None or not issue.category_id:
        return []
    since = issue.created_at - timedelta(days=days)
    # A box around the point first (an index-friendly filter), the exact distance after.
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(issue.latitude)), 0.01)
    rows = session.exec(select(Issue).where(
        Issue.category_id == issue.category_id, Issue.id != issue.id, col(Issue.status) != Status.MERGED.value,
        col(Issue.created_at) >= since, col(Issue.created_at) <= issue.created_at + timedelta(days=days),
        col(Issue.latitude).between(issue.latitude - dlat, issue.latitude + dlat),
        col(Issue.longitude).between(issue.longitude - dlon, issue.longitude + dlon)))
    found = [Candidate(other, distance_m(issue.latitude, issue.longitude, other.latitude, other.longitude))
             for other in rows]
    return sorted((c for c in found if c.distance_m <= radius_m), key=lambda c: c.distance_m)


def triage_queue(session: Session) -> list[Issue]:
    """New issues waiting to be classified and assigned, urgent first, then oldest first."""
    rows = session.exec(select(Issue).where(Issue.status == Status.NEW.value))
    return sorted(rows, key=lambda i: (i.urgency != "urgent", i.created_at))


def department_queue(session: Session, department_id: str) -> list[Issue]:
    """What a department handles now (as lead or co-handling), the nearest deadline first."""
    rows = session.exec(select(Issue).where(col(Issue.status).in_([s.value for s in HANDLING])))
    mine = [i for i in rows if i.department_id == department_id or department_id in (i.co_department_ids or [])]
    return sorted(mine, key=lambda i: (i.deadline or date.max, i.created_at))


def overdue(session: Session, today: date) -> list[Issue]:
    """Issues being handled past their deadline, the longest overdue first."""
    rows = session.exec(select(Issue).where(col(Issue.status).in_([s.value for s in HANDLING]),
                                            col(Issue.deadline) < today).order_by(col(Issue.deadline)))
    return list(rows)


def due_soon(session: Session, today: date, *, days: int = DUE_SOON_DAYS) -> list[Issue]:
    """Issues being handled whose deadline comes within the next few days (today included)."""
    rows = session.exec(select(Issue).where(col(Issue.status).in_([s.value for s in HANDLING]),
                                            col(Issue.deadline) >= today,
                                            col(Issue.deadline) <= today + timedelta(days=days))
                        .order_by(col(Issue.deadline)))
    return list(rows)


def days_overdue(issue: Issue, today: date) -> int:
    return max(0, (today - issue.deadline).days) if issue.deadline else 0


def today_in_china() -> date:
    return china_day(utcnow())


# ---------------------------------------------------------------- steps that are several events

def assign_issues(session: Session, *, actor: Actor, issue_ids: Sequence[str], department_id: str,
                  deadline: date, text: str = "", co_department_ids: Iterable[str] = ()) -> list[RecordEvent]:
    """Assign several issues in one go (交办), each its own event; all or none: a refusal changes nothing."""
    payload = {"department_id": department_id, "deadline": deadline.isoformat(), "text": text,
               "co_department_ids": list(co_department_ids)}
    _check_all(session, actor, issue_ids, "assign", payload)
    return [record_event(session, ISSUE, actor=actor, record_id=i, type_="assign", payload=payload) for i in issue_ids]


def mark_duplicate(session: Session, *, actor: Actor, duplicate_id: str, original_id: str,
                   text: str = "") -> list[RecordEvent]:
    """Merge a duplicate into the original; the duplicate's reporter then follows the original."""
    if duplicate_id == original_id:
        raise DomainError(Problem.MERGE_INTO_ITSELF, field="into")
    duplicate, original = session.get(Issue, duplicate_id), session.get(Issue, original_id)
    if duplicate is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    if original is None:
        raise DomainError(Problem.UNKNOWN_ISSUE, field="into")
    events = [record_event(session, ISSUE, actor=actor, record_id=duplicate_id, type_="merge",
                           payload={"into": original_id, "text": text})]
    reporter = duplicate.reporter_id
    if reporter and reporter != original.reporter_id and reporter not in (original.follower_ids or []):
        events.append(record_event(session, ISSUE, actor=actor, record_id=original_id, type_="add_follower",
                                   payload={"person_id": reporter, "duplicate_id": duplicate_id}))
    return events


def _check_all(session: Session, actor: Actor, issue_ids: Sequence[str], type_: str, payload: dict) -> None:
    """Judge one event on each issue before recording any, so a batch is all or nothing."""
    ctx = StoreContext(session)
    for issue_id in issue_ids:
        issue = session.get(Issue, issue_id)
        if issue is None:
            raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id", id=issue_id)
        check_event(ISSUE, event_type_of(ISSUE, type_), state_of(session, ISSUE, issue), payload, actor=actor,
                    ctx=ctx, at=ctx.now())


__all__ = ["Candidate", "distance_m", "duplicate_candidates", "triage_queue", "department_queue", "overdue",
           "due_soon", "days_overdue", "today_in_china", "assign_issues", "mark_duplicate"]
