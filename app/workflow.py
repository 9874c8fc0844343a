"""The closed loop as rules: which event may happen in which status, by whom, and what it leads to.

The phone and the server both call `check_event` and `replay`, so an event the
phone accepts offline is judged by the same rules when it reaches the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Iterable, Mapping

from app.errors import DomainError


class Role(StrEnum):
    DEPUTY = "deputy"
    STATION_STAFF = "station_staff"
    OFFICE = "office"
    DEPARTMENT = "department"
    ADMIN = "admin"


class Status(StrEnum):
    NEW = "new"  # 待分办
    ASSIGNED = "assigned"  # 已交办
    IN_PROGRESS = "in_progress"  # 办理中
    RESOLVED = "resolved"  # 已办结
    RATED = "rated"  # 已评价
    RETURNED = "returned"  # 已退回
    MERGED = "merged"  # 已合并


class EventKind(StrEnum):
    CREATE = "create"
    COMMENT = "comment"
    ATTACH_PHOTO = "attach_photo"
    CLASSIFY = "classify"
    ASSIGN = "assign"
    RETURN = "return"
    SUPERVISE = "supervise"
    RESPOND = "respond"
    RESOLVE = "resolve"
    RATE = "rate"
    LOOK_BACK = "look_back"
    REOPEN = "reopen"
    MERGE = "merge"


ALL_ROLES = frozenset(Role)
OFFICE = frozenset({Role.OFFICE, Role.ADMIN})
FIELD = frozenset({Role.DEPUTY, Role.STATION_STAFF})
OPEN = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.RATED, Status.RETURNED})
HANDLING = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})
DONE = frozenset({Status.RESOLVED, Status.RATED})


@dataclass(frozen=True)
class Rule:
    """Where an event kind may happen, who may record it, and the status it leads to."""

    allowed_in: frozenset[Status]
    roles: frozenset[Role]
    leads_to: Status | None = None  # None: the status stays
    needs_text: bool = False


RULES: Mapping[EventKind, Rule] = {
    EventKind.COMMENT: Rule(OPEN, ALL_ROLES, needs_text=True),
    EventKind.ATTACH_PHOTO: Rule(OPEN, ALL_ROLES),
    EventKind.CLASSIFY: Rule(frozenset({Status.NEW}) | HANDLING, OFFICE),
    EventKind.ASSIGN: Rule(frozenset({Status.NEW}) | HANDLING, OFFICE, Status.ASSIGNED),
    EventKind.RETURN: Rule(frozenset({Status.NEW}), OFFICE, Status.RETURNED, needs_text=True),
    EventKind.SUPERVISE: Rule(HANDLING, OFFICE, needs_text=True),
    EventKind.RESPOND: Rule(HANDLING, OFFICE | {Role.DEPARTMENT}, Status.IN_PROGRESS, needs_text=True),
    EventKind.RESOLVE: Rule(HANDLING, OFFICE | {Role.DEPARTMENT}, Status.RESOLVED, needs_text=True),
    EventKind.RATE: Rule(frozenset({Status.RESOLVED}), OFFICE | FIELD, Status.RATED),
    EventKind.LOOK_BACK: Rule(DONE, OFFICE | FIELD, needs_text=True),
    EventKind.REOPEN: Rule(DONE | {Status.RETURNED}, OFFICE | FIELD, needs_text=True),
    EventKind.MERGE: Rule(frozenset({Status.NEW}) | HANDLING, OFFICE, Status.MERGED),
}


@dataclass(frozen=True)
class Actor:
    """Who records an event: enough to judge the rules without a database."""

    id: str
    role: Role
    station_id: str | None = None
    department_id: str | None = None


@dataclass(frozen=True)
class IssueState:
    """What the timeline adds up to; never stored as the truth, always recomputed."""

    status: Status = Status.NEW
    category_id: str | None = None
    department_id: str | None = None
    station_id: str | None = None
    reporter_id: str | None = None
    rating: int | None = None
    merged_into: str | None = None
    photo_hashes: tuple[str, ...] = field(default_factory=tuple)


def check_event(state: IssueState, kind: EventKind | str, actor: Actor, payload: Mapping[str, object]) -> None:
    """Raise DomainError if this event may not be recorded now by this actor."""
    try:
        kind = EventKind(kind)
    except ValueError:
        raise DomainError("event.unknown_kind", kind=str(kind)) from None
    if kind is EventKind.CREATE:
        raise DomainError("event.create_twice")
    rule = RULES[kind]
    if actor.role not in rule.roles:
        raise DomainError("event.role_not_allowed", kind=kind.value, role=actor.role.value)
    if state.status not in rule.allowed_in:
        raise DomainError("event.not_allowed_in_status", kind=kind.value, status=state.status.value)
    if actor.role is Role.DEPARTMENT and state.department_id != actor.department_id:
        raise DomainError("event.not_your_department")
    if rule.needs_text and not str(payload.get("text") or "").strip():
        raise DomainError("event.text_required", field="text")
    if kind is EventKind.ASSIGN and not payload.get("department_id"):
        raise DomainError("event.department_required", field="department_id")
    if kind is EventKind.CLASSIFY and not payload.get("category_id"):
        raise DomainError("event.category_required", field="category_id")
    if kind is EventKind.MERGE and not payload.get("into"):
        raise DomainError("event.merge_target_required", field="into")
    if kind is EventKind.ATTACH_PHOTO and not _is_sha256(payload.get("sha256")):
        raise DomainError("event.photo_hash_required", field="sha256")
    if kind is EventKind.ATTACH_PHOTO and payload["sha256"] in state.photo_hashes:
        # Two offline devices may attach the same photo: the second is refused, not retried forever.
        raise DomainError("issue.photo_twice", field="sha256")
    if kind is EventKind.RATE:
        score = payload.get("score")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise DomainError("event.score_range", field="score")


def apply_event(state: IssueState, kind: EventKind | str, payload: Mapping[str, object]) -> IssueState:
    """Return the state after an accepted event."""
    kind = EventKind(kind)
    rule = RULES[kind]
    changes: dict[str, object] = {}
    if rule.leads_to is not None:
        changes["status"] = rule.leads_to
    if kind is EventKind.ASSIGN:
        changes["department_id"] = payload["department_id"]
    elif kind is EventKind.CLASSIFY:
        changes["category_id"] = payload["category_id"]
    elif kind is EventKind.RATE:
        changes["rating"] = payload["score"]
    elif kind is EventKind.MERGE:
        changes["merged_into"] = payload["into"]
    elif kind is EventKind.ATTACH_PHOTO:
        changes["photo_hashes"] = state.photo_hashes + (str(payload["sha256"]),)
    elif kind is EventKind.REOPEN:
        changes["status"] = Status.NEW if state.status is Status.RETURNED else Status.ASSIGNED
        changes["rating"] = None
    return replace(state, **changes)


def initial_state(*, category_id: str | None, station_id: str | None, reporter_id: str | None,
                  photo_hashes: Iterable[str] = ()) -> IssueState:
    """Return the state a creation record starts the timeline in."""
    return IssueState(category_id=category_id, station_id=station_id, reporter_id=reporter_id,
                      photo_hashes=tuple(photo_hashes))


@dataclass(frozen=True)
class Judged:
    """One event after replay: accepted, or rejected with the rule's code."""

    event_id: str
    accepted: bool
    code: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)


def replay(start: IssueState, events: Iterable[tuple[str, str, Actor, Mapping[str, object]]]) -> tuple[IssueState, list[Judged]]:
    """Fold (event_id, kind, actor, payload) in order; rejected events leave the state alone."""
    state, judged = start, []
    for event_id, kind, actor, payload in events:
        try:
            check_event(state, kind, actor, payload)
        except DomainError as refusal:
            judged.append(Judged(event_id, False, refusal.code, refusal.params))
            continue
        state = apply_event(state, kind, payload)
        judged.append(Judged(event_id, True))
    return state, judged


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
