"""Capture drafts: the form is saved as the user types, so a killed app loses nothing."""

from __future__ import annotations

from typing import Any, Mapping

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.ids import new_id
from app.models import Draft


def save_draft(session: Session, *, draft_id: str | None, author_id: str | None, data: Mapping[str, Any]) -> str:
    """Write the form's current content; return the draft's id; commits."""
    draft = session.get(Draft, draft_id) if draft_id else None
    if draft is None:
        draft = Draft(id=draft_id or new_id(), author_id=author_id)
    draft.data = dict(data)
    draft.updated_at = utcnow()
    session.add(draft)
    session.commit()
    return draft.id


def latest_draft(session: Session, author_id: str | None) -> Draft | None:
    """Return the author's most recently edited draft, to reopen the form where it stopped."""
    stmt = select(Draft).where(Draft.author_id == author_id).order_by(col(Draft.updated_at).desc()).limit(1)
    return session.exec(stmt).first()


def discard_draft(session: Session, draft_id: str | None) -> None:
    """Forget a draft once its issue is saved or the user throws it away; commits."""
    if draft_id and (draft := session.get(Draft, draft_id)) is not None:
        session.delete(draft)
        session.commit()
