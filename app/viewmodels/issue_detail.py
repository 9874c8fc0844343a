"""One issue: what was recorded, its photos, its place, where it stands in the loop, its timeline and actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from sqlmodel import col, select

from app.issues import HANDLING, Issue, days_overdue, photos_of, timeline, today_in_china
from app.models import Category, Department, Person, Station
from app.outbox import waiting_changes
from app.viewmodels.context import AppContext


@dataclass(frozen=True)
class PhotoView:
    sha256: str
    thumbnail: bytes | None
    available: bool  # False while the photo is still only on another device or the server


@dataclass(frozen=True)
class Link:
    """Another issue a fact or an event names, to open with a tap."""

    issue_id: str
    label: str


@dataclass(frozen=True)
class TimelineRow:
    id: str
    type: str
    when: str
    who: str  # the name, and for a department's people which department
    what: str  # the step: 交办, 办结, ...
    text: str  # the words the step carried
    rejected: str | None  # why the server refused it, shown to its author
    pending: bool  # recorded here, not yet confirmed by the server
    details: tuple[str, ...] = ()  # what the step decided: department and deadline, level, finding, ...
    photos: tuple[PhotoView, ...] = ()  # the photos the step carried (after the fix, for a look-back)
    before: tuple[PhotoView, ...] = ()  # a look-back's "before": the issue's first photos
    link: Link | None = None  # a merge: the issue it was merged into


@dataclass(frozen=True)
class Fact:
    """One line of what the issue is and where it stands; `key` tells the view which icon it has."""

    key: str
    label: str
    value: str
    alert: bool = False  # overdue, escalated: drawn in a warning colour (with its words)
    link: Link | None = None


class IssueDetailModel:
    def __init__(self, ctx: AppContext, issue_id: str, today: date | None = None):
        self.ctx = ctx
        self.issue_id = issue_id
        self.today = today
        self.found = False
        self.refresh()

    def refresh(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        with ctx.session() as session:
            issue = session.get(Issue, self.issue_id)
            self.found = issue is not None
            if issue is None:
                self.actions = []
                return
            self.title = issue.title
            self.description = issue.description
            self.status = issue.status
            self.status_label = t(f"status.{issue.status}")
            self.departments = {d.id: ctx.name_of(d) for d in session.exec(select(Department))}
            self.categories = {c.id: ctx.name_of(c) for c in session.exec(select(Category))}
            self.category = self.categories.get(issue.category_id or "", "")
            self.place_type = t(f"place.{issue.place_type}")
            self.place_name = issue.place_name
            self.station = ctx.name_of(session.get(Station, issue.station_id) if issue.station_id else None)
            self.department = self.departments.get(issue.department_id or "", "")
            reporter = session.get(Person, issue.reporter_id) if issue.reporter_id else None
            self.reporter = reporter.name if reporter else ""
            self.created = t.datetime(issue.created_at)
            self.location = location_text(t, issue.latitude, issue.longitude, issue.accuracy_m, issue.location_source)
            self.photos = [self._photo(p.sha256) for p in photos_of(session, issue.id)]
            events = timeline(session, issue.id)
            named = {e.actor_id for e in events if e.actor_id} | {
                (e.payload or {}).get("person_id") for e in events if e.type == "add_follower"}
            people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(named - {None})))}
            merged = {(e.payload or {}).get("into") for e in events if e.type == "merge"} | {issue.merged_into}
            self.titles = {i.id: i.title for i in session.exec(select(Issue).where(col(Issue.id).in_(merged - {None})))}
            waiting = waiting_changes(session, [issue.id]).get(issue.id, set())
            create = next((e for e in events if e.type == "create"), None)
            first = [h for h in ((create.payload or {}).get("photos") or []) if isinstance(h, str)] if create else []
            self.first_photos = tuple(self._photo(h) for h in first)
            self.timeline = self._rows(events, people, waiting)
            self.facts = self._facts(issue)
        # Imported here: the capture form imports this module, and the actions' forms import the capture form's photos.
        from app.viewmodels.issue_actions import available_actions

        self.actions = available_actions(ctx, self.issue_id)

    # -- where the issue stands -----------------------------------------------------------------------------------
    def _facts(self, issue: Issue) -> list[Fact]:
        t = self.ctx.t
        facts = [Fact("category", t("detail.category"), self.category),
                 Fact("place", t("detail.place"), " · ".join(p for p in (self.place_type, self.place_name) if p)),
                 Fact("location", t("detail.location"), self.location),
                 Fact("station", t("detail.station"), self.station),
                 Fact("reporter", t("detail.reporter"), self.reporter),
                 Fact("created", t("detail.created"), self.created)]
        if issue.urgency == "urgent":
            facts.append(Fact("urgency", t("detail.urgency"), t("urgency.urgent"), alert=True))
        if issue.nature == "suggestion":
            facts.append(Fact("nature", t("detail.nature"), t("nature.suggestion") + (
                f" · {t('detail.key_suggestion')}" if issue.key_suggestion else "")))
        if self.department:
            facts.append(Fact("department", t("detail.department"), self.department))
        co = [self.departments.get(d, d) for d in issue.co_department_ids or []]
        if co:
            facts.append(Fact("co_departments", t("detail.co_departments"), "、".join(co)))
        if issue.deadline:
            facts.append(self._deadline(issue))
        if issue.extension_asked:
            facts.append(Fact("extension", t("detail.extension_asked"), day_text(t, issue.extension_asked)))
        if issue.escalation:
            facts.append(Fact("escalation", t("detail.escalation"), t(f"escalation.{issue.escalation}"), alert=True))
        if issue.satisfaction:
            facts.append(Fact("satisfaction", t("detail.satisfaction"), t(f"satisfaction.{issue.satisfaction}"),
                              alert=issue.satisfaction == "unsatisfied"))
        if issue.merged_into:
            title = self.titles.get(issue.merged_into)
            facts.append(Fact("merged", t("detail.merged_into"), title or t("timeline.unknown_issue"),
                              link=Link(issue.merged_into, title) if title else None))
        return [f for f in facts if f.value]

    def _deadline(self, issue: Issue) -> Fact:
        t = self.ctx.t
        value, alert = day_text(t, issue.deadline), False
        if issue.status in {s.value for s in HANDLING}:
            today = self.today or today_in_china()
            late = days_overdue(issue, today)
            left = (issue.deadline - today).days
            if late:
                value, alert = f"{value} · {t('detail.overdue', n=late)}", True
            else:
                value += f" · {t('detail.due_today') if left == 0 else t('detail.days_left', n=left)}"
        return Fact("deadline", t("detail.deadline"), value, alert=alert)

    # -- the timeline ---------------------------------------------------------------------------------------------
    def _rows(self, events, people, waiting: set[str]) -> list[TimelineRow]:
        rows, asked = [], None
        for event in events:
            payload = event.payload or {}
            rows.append(self._row(event, payload, people, event.id in waiting, asked))
            if event.type == "request_extension" and not event.rejected_code:
                asked = payload.get("deadline")
        return rows

    def _row(self, event, payload: Mapping[str, Any], people, waiting: bool, asked: str | None) -> TimelineRow:
        t = self.ctx.t
        actor = people.get(event.actor_id)
        who = actor.name if actor else ""
        if event.actor_department_id and event.actor_department_id in self.departments:
            who = t("detail.who_department", name=who, department=self.departments[event.actor_department_id])
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
        link = None
        if event.type == "merge" and payload.get("into"):
            title = self.titles.get(payload["into"])
            link = Link(payload["into"], t("timeline.merged_into", title=title or t("timeline.unknown_issue"))) \
                if title else None
        photos = [p for p in payload.get("photos") or [] if isinstance(p, Mapping) and p.get("sha256")]
        if event.type == "attach_photo" and payload.get("sha256"):
            photos = [payload]
        return TimelineRow(id=event.id, type=event.type, when=t.datetime(event.created_at), who=who,
                           what=t(f"event.{event.type}"), text=text, rejected=rejected, pending=waiting,
                           details=tuple(self._details(event.type, payload, people, asked)),
                           photos=tuple(self._photo(str(p["sha256"])) for p in photos),
                           before=self.first_photos if event.type == "look_back" else (), link=link)

    def _details(self, type_: str, payload: Mapping[str, Any], people, asked: str | None) -> list[str]:
        """The step's own words: which department and by when, the level, the finding, the new deadline."""
        t, out = self.ctx.t, []
        if type_ == "assign":
            out.append(t("timeline.lead", name=self.departments.get(payload.get("department_id") or "", "")))
            co = [self.departments.get(d, d) for d in payload.get("co_department_ids") or []]
            if co:
                out.append(t("timeline.co", names="、".join(co)))
            if payload.get("deadline"):
                out.append(t("timeline.deadline", date=day_text(t, payload["deadline"])))
        elif type_ == "classify":
            category = self.categories.get(payload.get("category_id") or "")
            if category:
                out.append(t("timeline.category", name=category))
            if payload.get("urgency"):
                out.append(t("timeline.urgency", label=t(f"urgency.{payload['urgency']}")))
            if payload.get("nature"):
                out.append(t("timeline.nature", label=t(f"nature.{payload['nature']}")))
            if payload.get("key_suggestion"):
                out.append(t("timeline.key_suggestion"))
        elif type_ == "request_extension" and payload.get("deadline"):
            out.append(t("timeline.asked_deadline", date=day_text(t, payload["deadline"])))
        elif type_ == "grant_extension" and (payload.get("deadline") or asked):
            out.append(t("timeline.new_deadline", date=day_text(t, payload.get("deadline") or asked)))
        elif type_ == "supervise":
            out.append(t("timeline.level", label=t("escalation.1")))
        elif type_ == "escalate" and payload.get("level"):
            out.append(t("timeline.level", label=t(f"escalation.{payload['level']}")))
        elif type_ == "look_back" and payload.get("finding"):
            finding = "confirmed" if payload["finding"] == "ok" else payload["finding"]
            out.append(t("timeline.finding", label=t(f"finding.{finding}")))
        elif type_ == "respond" and payload.get("percent") is not None:
            out.append(t("timeline.percent", n=payload["percent"]))
        elif type_ == "add_follower" and payload.get("person_id"):
            person = people.get(payload["person_id"])
            out.append(t("timeline.follower", name=person.name if person else ""))
        elif type_ == "merge" and payload.get("into") and payload["into"] not in self.titles:
            out.append(t("timeline.merged_into", title=t("timeline.unknown_issue")))
        return out

    def _photo(self, sha256: str) -> PhotoView:
        photos = self.ctx.photos
        return PhotoView(sha256, photos.read_thumbnail(sha256) if photos.has(sha256) else None, photos.has(sha256))

    # -- photos ---------------------------------------------------------------------------------------------------
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


def day_text(t, day: date | str) -> str:
    """A calendar day in the user's language: 2026年10月17日."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return t("format.date", y=day.year, m=day.month, d=day.day)


def location_text(t, latitude, longitude, accuracy_m, source) -> str:
    """Say where, how precisely and from what: '33.15320, 107.33210 · ±8 m · GPS'."""
    if latitude is None or longitude is None:
        return t("location.none")
    parts = [f"{latitude:.5f}, {longitude:.5f}"]
    if accuracy_m is not None:
        parts.append(t("location.accuracy", m=round(accuracy_m)))
    parts.append(t(f"location.source.{source}"))
    return " · ".join(parts)
