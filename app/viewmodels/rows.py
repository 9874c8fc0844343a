"""How an issue appears in a list: thumbnail, title, place, station, status and age."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sqlmodel import Session, col, select

from app.issues import Issue, first_photos
from app.models import Station
from app.outbox import waiting_changes
from app.viewmodels.context import AppContext


@dataclass(frozen=True)
class IssueRow:
    id: str
    title: str
    place: str
    station: str
    status: str
    status_label: str
    age: str
    thumbnail: bytes | None
    waiting: str = ""  # "待同步" while recorded here and not yet on the central store


def issue_rows(ctx: AppContext, session: Session, issues: Sequence[Issue]) -> list[IssueRow]:
    """Turn issues into list rows with one query for thumbnails and one for stations."""
    thumbs = first_photos(session, [i.id for i in issues])
    waiting = waiting_changes(session, [i.id for i in issues])
    station_ids = {i.station_id for i in issues if i.station_id}
    stations = {s.id: s for s in session.exec(select(Station).where(col(Station.id).in_(station_ids)))} if station_ids else {}
    rows = []
    for issue in issues:
        sha = thumbs.get(issue.id)
        thumbnail = ctx.photos.read_thumbnail(sha) if sha and ctx.photos.has(sha) else None
        rows.append(IssueRow(id=issue.id, title=issue.title, place=issue.place_name,
                             station=ctx.name_of(stations.get(issue.station_id)), status=issue.status,
                             status_label=ctx.t(f"status.{issue.status}"), age=ctx.t.age(issue.created_at),
                             thumbnail=thumbnail,
                             waiting=ctx.t("list.waiting") if issue.id in waiting else ""))
    return rows
