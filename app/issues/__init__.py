"""Issues, the first kind of record: what deputies raise, handled through the closed loop.

    _model.py  the issue's table, its draft and creation body, its place types and sources
    _rules.py  statuses, the timeline's event types (assign, respond, resolve, rate, ...), creation checks
    _list.py   the list: filters, keyset pages, counts

    issue = capture_issue(session, actor=me, draft=IssueDraft(title="机耕道塌方", category_id=cat))
    record_event(session, actor=office, issue_id=issue.id, type_="assign", payload={"department_id": d})
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlmodel import Session

from app.actors import Actor, Role
from app.clock import utcnow
from app.ids import new_id
from app.issues._list import PAGE_SIZE, IssuePage, IssueQuery, count_issues, list_issues
from app.issues._model import (Issue, IssueCreate, IssueDraft, IssuePublic, IssueSource, Location, LocationSource,
                               PlaceType)
from app.issues._rules import (DESCRIPTION_MAX, DONE, EVENTS, HANDLING, LEADERSHIP, LETTER, OPEN, PLACE_NAME_MAX,
                               REMINDER, TITLE_MAX, Finding, IssueState, Nature, Satisfaction, Status, Urgency,
                               check_create, china_day, derived, guard, make_location, may_create, start)
from app.issues._handling import (Candidate, assign_issues, days_overdue, department_queue, distance_m,
                                  due_soon, duplicate_candidates, mark_duplicate, overdue, today_in_china,
                                  triage_queue)
from app.issues._kind import ISSUE, PhotoRef, search_text
from app.records import (EventBody, RecordEvent, add_event, add_record, create_record, first_photos, photos_of,
                         record_event as _record_event, refresh, state_of, timeline)

def create_body(draft: IssueDraft, *, issue_id: str | None = None, event_id: str | None = None,
                created_at: datetime | None = None) -> IssueCreate:
    """Return the `issue.create` body of a draft (new ids and now, unless given)."""
    return IssueCreate(**draft.model_dump(), id=issue_id or new_id(), event_id=event_id or new_id(),
                       created_at=created_at or utcnow())


def event_body(*, issue_id: str, type_: str, payload: Mapping[str, Any], event_id: str | None = None,
               created_at: datetime | None = None) -> EventBody:
    """Return the `issue.event` body that appends one timeline event."""
    return EventBody(id=event_id or new_id(), record_id=issue_id, type=type_, payload=dict(payload),
                     created_at=created_at or utcnow())


def capture_issue(session: Session, *, actor: Actor, draft: IssueDraft, created_at: datetime | None = None) -> Issue:
    """Record a new issue on this device and queue it for the server; commits."""
    return create_record(session, ISSUE, create_body(draft, created_at=created_at), actor=actor)


def record_event(session: Session, *, actor: Actor, issue_id: str, type_: str,
                 payload: Mapping[str, Any]) -> RecordEvent:
    """Append an event to an issue's timeline on this device and queue it; commits."""
    return _record_event(session, ISSUE, actor=actor, record_id=issue_id, type_=type_, payload=payload)


def issue_state(session: Session, issue: Issue) -> IssueState:
    """Fold the issue's timeline into its current state."""
    return state_of(session, ISSUE, issue)


def refresh_state(session: Session, issue: Issue) -> IssueState:
    """Recompute the issue's status, department, category, rating and search text from its timeline."""
    return refresh(session, ISSUE, issue)


def add_issue(session: Session, body: IssueCreate, *, actor: Actor) -> Issue:
    """Add a judged issue without queueing it (demo data, admin commands); no commit."""
    return add_record(session, ISSUE, body, actor=actor)


def add_issue_event(session: Session, body: EventBody, *, actor: Actor) -> RecordEvent:
    """Append a judged event without queueing it; no commit."""
    return add_event(session, ISSUE, body, actor=actor)


__all__ = [
    "ISSUE", "PAGE_SIZE", "IssuePage", "IssueQuery", "count_issues", "list_issues", "Issue", "IssueCreate",
    "IssueDraft", "IssuePublic", "IssueSource", "Location", "LocationSource", "PlaceType", "PhotoRef",
    "DESCRIPTION_MAX", "DONE", "EVENTS", "HANDLING", "OPEN", "PLACE_NAME_MAX", "TITLE_MAX", "IssueState", "Status",
    "LEADERSHIP", "LETTER", "REMINDER", "Finding", "Nature", "Satisfaction", "Urgency", "china_day",
    "make_location", "search_text", "create_body", "event_body", "capture_issue", "record_event", "issue_state",
    "refresh_state", "add_issue", "add_issue_event", "first_photos", "photos_of", "timeline",
    "Candidate", "assign_issues", "days_overdue", "department_queue", "distance_m", "due_soon",
    "duplicate_candidates", "mark_duplicate", "overdue", "today_in_china", "triage_queue",
]
