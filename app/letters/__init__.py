"""Supervision letters (监督意见函), a kind of record: the office's formal letter to a lead department.

    _model.py     the letter's table and creation body
    _rules.py     who may write one, what it must name, its statuses and events
    _document.py  the Word document, laid out as an official document (app.documents)

A letter made on an office PC, online or not, is numbered by the central store when it
reaches it (`server_fields`): two PCs that worked offline can never give the same number.

    letter = issue_letter(session, actor=office, issue_ids=[...], department_id=water, subject="…",
                          situation="…", actions="…", deadline=date(2026, 6, 15))
    data = letter_document(session, letter, photos, settings)   # .docx bytes
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Actor, Role
from app.clock import utcnow
from app.ids import new_id
from app.issues import ISSUE, LETTER, china_day
from app.letters._document import document_number, letter_document
from app.letters._model import Letter, LetterCreate, LetterPublic
from app.letters._rules import EVENTS, LetterStatus, check_create, derived, may_create, start
from app.records import (Grant, RecordKind, Scope, StoreContext, Visibility, check_event, create_record,
                         event_type_of, judge_create, record_event, register, state_of)


def _row(letter: LetterCreate, actor: Actor) -> dict[str, Any]:
    return dict(year=china_day(letter.created_at or utcnow()).year, number=None, department_id=letter.department_id,
                subject=letter.subject.strip(), situation=letter.situation, actions=letter.actions,
                deadline=letter.deadline, author_id=actor.id, station_id=None, issue_ids=list(letter.issue_ids))


def _number(batch: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    """The next number of the year, given under the central store's write lock."""
    return {"number": batch.largest(LETTERS, "number", year=row["year"]) + 1}


def _search(row: Mapping[str, Any]) -> str:
    return f"{row.get('subject') or ''} {row.get('actions') or ''}".lower()


LETTERS = register(RecordKind(
    name="letter", table=Letter, public=LetterPublic, create=LetterCreate, events=EVENTS,
    initial_status=LetterStatus.ISSUED.value, start=start, row=_row, derived=derived,
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                           Role.DEPARTMENT: frozenset({Grant.DEPARTMENT})}),
    scope=Scope(station=None, department="department_id", author="author_id"),
    check_create=check_create, may_create=may_create, server_fields=_number,
))


def issue_letter(session: Session, *, actor: Actor, issue_ids: Sequence[str], department_id: str, subject: str,
                 situation: str, actions: str, deadline: date) -> Letter:
    """Write a supervision letter and record it on each issue it names (督办 level 2); commits.

    The issues' escalations are judged before anything is written, so a letter either goes
    with all of them or not at all.
    """
    body = LetterCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), department_id=department_id,
                        issue_ids=list(issue_ids), subject=subject, situation=situation, actions=actions,
                        deadline=deadline)
    ctx = StoreContext(session)
    judge_create(LETTERS, body, actor=actor, ctx=ctx)
    escalation = {"level": LETTER, "letter_id": body.id, "text": subject}
    for issue_id in body.issue_ids:
        issue = session.get(ISSUE.table, issue_id)
        if issue is not None:
            check_event(ISSUE, event_type_of(ISSUE, "escalate"), state_of(session, ISSUE, issue), escalation,
                        actor=actor, ctx=ctx, at=ctx.now())
    letter = create_record(session, LETTERS, body, actor=actor)
    for issue_id in body.issue_ids:
        record_event(session, ISSUE, actor=actor, record_id=issue_id, type_="escalate", payload=escalation)
    return letter


def list_letters(session: Session) -> list[Letter]:
    """Every letter on this replica, newest first."""
    return list(session.exec(select(Letter).order_by(col(Letter.created_at).desc(), col(Letter.id).desc())))


__all__ = ["LETTERS", "Letter", "LetterCreate", "LetterPublic", "LetterStatus", "issue_letter", "list_letters",
           "letter_document", "document_number", "OFFICE_ROLES"]
