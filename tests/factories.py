"""Test helpers named after what users do."""

from __future__ import annotations

from sqlmodel import Session

from app.actors import Actor
from app.issues import IssueDraft, capture_issue as _capture, record_event
from app.models import Person
from app.reference import stable_id


def capture_issue(session: Session, person: Person, **overrides):
    fields = dict(title="机耕道路面塌陷", category_id=stable_id("category", "roads"),
                  description="农用车无法通行", place_type="farmland", place_name="枣园村二组")
    fields.update(overrides)
    return _capture(session, actor=Actor.of(person), draft=IssueDraft(**fields))


def act(session: Session, person: Person, issue_id: str, kind: str, **payload):
    return record_event(session, actor=Actor.of(person), issue_id=issue_id, type_=kind, payload=payload)
