"""A supervision letter's rules: the office writes it to one lead department about issues it handles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from app.actors import ALL_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.issues import HANDLING, china_day
from app.problems import Problem
from app.records import Context, EventType


class LetterStatus(StrEnum):
    ISSUED = "issued"  # 已发函: waiting for the department's answer
    ANSWERED = "answered"  # 已回复
    CLOSED = "closed"  # 已办结


@dataclass(frozen=True)
class LetterState:
    status: str = LetterStatus.ISSUED.value


def start(_row: Any, _payload: Mapping[str, Any]) -> LetterState:
    return LetterState()


def derived(state: LetterState) -> dict[str, Any]:
    return {"status": state.status}


def check_create(letter: Any, ctx: Context, _actor: Actor) -> None:
    """The addressee must exist, the issues must be with it, and the deadline must not have passed."""
    if not letter.department_id or not ctx.has("department", letter.department_id):
        raise DomainError(Problem.LETTER_DEPARTMENT_REQUIRED, field="department_id")
    if not letter.issue_ids:
        raise DomainError(Problem.LETTER_ISSUES_REQUIRED, field="issue_ids")
    handling = {s.value for s in HANDLING}
    for issue_id in letter.issue_ids:
        issue = ctx.row("issue", issue_id)
        if issue is None:
            raise DomainError(Problem.UNKNOWN_ISSUE, field="issue_ids", id=issue_id)
        if issue["department_id"] != letter.department_id or issue["status"] not in handling:
            raise DomainError(Problem.LETTER_ISSUE_ELSEWHERE, field="issue_ids", id=issue_id)
    today = china_day(letter.created_at or ctx.now())
    if letter.deadline < today:
        raise DomainError(Problem.DEADLINE_PAST, field="deadline", deadline=letter.deadline.isoformat())


def may_create(actor: Actor, _letter: Any) -> bool:
    return actor.role in OFFICE_ROLES


EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("comment", frozenset(LetterStatus), ALL_ROLES, required={"text": Problem.TEXT_REQUIRED}),
    EventType("answer", frozenset({LetterStatus.ISSUED, LetterStatus.ANSWERED}), OFFICE_ROLES | {Role.DEPARTMENT},
              leads_to=LetterStatus.ANSWERED, required={"text": Problem.TEXT_REQUIRED}),
    EventType("close", frozenset({LetterStatus.ISSUED, LetterStatus.ANSWERED}), OFFICE_ROLES,
              leads_to=LetterStatus.CLOSED),
)}
