"""The issue list: filters, keyset pages newest first, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.issues._model import Issue

PAGE_SIZE = 30


@dataclass(frozen=True)
class IssueQuery:
    """Filters for the issue list; all optional."""

    status: str | None = None
    category_id: str | None = None
    station_id: str | None = None
    text: str = ""
    reporter_id: str | None = None


@dataclass(frozen=True)
class IssuePage:
    """One page of the list, newest first, and where the next page starts."""

    items: list[Issue] = field(default_factory=list)
    next_cursor: tuple[datetime, str] | None = None


def _filtered(stmt, query: IssueQuery):
    if query.status:
        stmt = stmt.where(Issue.status == query.status)
    if query.category_id:
        stmt = stmt.where(Issue.category_id == query.category_id)
    if query.station_id:
        stmt = stmt.where(Issue.station_id == query.station_id)
    if query.reporter_id:
        stmt = stmt.where(Issue.reporter_id == query.reporter_id)
    for word in query.text.lower().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(col(Issue.search_text).like(f"%{escaped}%", escape="\\"))
    return stmt


def list_issues(session: Session, query: IssueQuery = IssueQuery(), *, after: tuple[datetime, str] | None = None,
                limit: int = PAGE_SIZE) -> IssuePage:
    """Return one page of issues, newest first, by keyset so page 300 costs what page 1 does."""
    stmt = _filtered(select(Issue), query)
    if after is not None:
        at, last_id = after
        stmt = stmt.where(or_(Issue.created_at < at, (Issue.created_at == at) & (Issue.id < last_id)))
    stmt = stmt.order_by(col(Issue.created_at).desc(), col(Issue.id).desc()).limit(limit + 1)
    rows = list(session.exec(stmt))
    items = rows[:limit]
    cursor = (items[-1].created_at, items[-1].id) if len(rows) > limit else None
    return IssuePage(items=items, next_cursor=cursor)


def count_issues(session: Session, query: IssueQuery = IssueQuery()) -> int:
    return session.exec(_filtered(select(func.count()).select_from(Issue), query)).one()
