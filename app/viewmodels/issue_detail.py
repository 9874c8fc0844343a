"""One issue: what was recorded, its photos, its place and its timeline."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from app.issues import Issue, photos_of, timeline
from app.models import Category, Department, Person, Station
from app.outbox import waiting_changes
from app.viewmodels.context import AppContext


@dataclass(frozen=True)
class TimelineRow:
    when: str
    who: str
    what: str
    text: str
    rejected: str | None  # why the server refused it, shown to its author
    pending: bool  # recorded here, not yet confirmed by the server


@dataclass(frozen=True)
class PhotoView:
    sha256: str
    thumbnail: bytes | None
    available: bool  # False while the photo is still only on another device or the server


class IssueDetailModel:
    def __init__(self, ctx: AppContext, issue_id: str):
        self.ctx = ctx
        self.issue_id = issue_id
        self.found = False
        self.refresh()

    def refresh(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        with ctx.session() as session:
            issue = session.get(Issue, self.issue_id)
            self.found = issue is not None
            if issue is None:
                return
            self.title = issue.title
            self.description = issue.description
            self.status = issue.status
            self.status_label = t(f"status.{issue.status}")
            self.category = ctx.name_of(session.get(Category, issue.category_id) if issue.category_id else None)
            self.place_type = t(f"place.{issue.place_type}")
            self.place_name = issue.place_name
            self.station = ctx.name_of(session.get(Station, issue.station_id) if issue.station_id else None)
            self.department = ctx.name_of(session.get(Department, issue.department_id) if issue.department_id else None)
            reporter = session.get(Person, issue.reporter_id) if issue.reporter_id else None
            self.reporter = reporter.name if reporter else ""
            self.created = t.datetime(issue.created_at)
            self.location = location_text(t, issue.latitude, issue.longitude, issue.accuracy_m, issue.location_source)
            self.photos = [PhotoView(p.sha256, ctx.photos.read_thumbnail(p.sha256) if ctx.photos.has(p.sha256) else None,
                                     ctx.photos.has(p.sha256)) for p in photos_of(session, issue.id)]
            events = timeline(session, issue.id)
            actors = [e.actor_id for e in events if e.actor_id]
            people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(actors)))}
            waiting = waiting_changes(session, [issue.id]).get(issue.id, set())
            self.timeline = [self._row(e, people, e.id in waiting) for e in events]

    def _row(self, event, people, waiting: bool) -> TimelineRow:
        t = self.ctx.t
        actor = people.get(event.actor_id)
        payload = event.payload or {}
        text = str(payload.get("text") or "")
        if event.type == "rate":
            said = (t(f"satisfaction.{payload['satisfaction']}") if payload.get("satisfaction")
                    else t("timeline.score", score=payload.get("score")))
            text = said + (f" · {text}" if text else "")
        elif event.type == "create" and payload.get("photos"):
            text = t("timeline.photos_recorded", n=len(payload["photos"]))
        rejected = None
        if event.rejected_code:
            rejected = t(f"error.{event.rejected_code}") if t.has(f"error.{event.rejected_code}") else (
                event.rejected_reason or event.rejected_code)
        return TimelineRow(when=t.datetime(event.created_at), who=actor.name if actor else "",
                           what=t(f"event.{event.type}"), text=text, rejected=rejected,
                           pending=waiting)

    @property
    def missing_photos(self) -> list[str]:
        """Photos named by the issue that are not on this device yet."""
        return [p.sha256 for p in self.photos if not p.available] if self.found else []

    async def fetch_missing_photos(self) -> bool:
        """Download the missing photos where a central store is reachable; True if any arrived."""
        syncer = self.ctx.syncer
        if syncer is None or not self.missing_photos:
            return False
        arrived = await syncer.download_photos(self.missing_photos)
        if arrived:
            self.refresh()
        return bool(arrived)

    def photo_bytes(self, sha256: str) -> bytes | None:
        return self.ctx.photos.read(sha256) if self.ctx.photos.has(sha256) else None


def location_text(t, latitude, longitude, accuracy_m, source) -> str:
    """Say where, how precisely and from what: '33.15320, 107.33210 · ±8 m · GPS'."""
    if latitude is None or longitude is None:
        return t("location.none")
    parts = [f"{latitude:.5f}, {longitude:.5f}"]
    if accuracy_m is not None:
        parts.append(t("location.accuracy", m=round(accuracy_m)))
    parts.append(t(f"location.source.{source}"))
    return " · ".join(parts)
