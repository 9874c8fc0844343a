"""走访: field visits recorded where they happen (today, the place, who, whom they met, photos), the issues
raised from them in one tap, and each deputy's visit history, with no page.

    form = VisitForm(ctx)                          # the date is today
    form.set_field("place_type", "orchard"); form.set_field("place_name", "桔园村三组果园")
    await form.add_photos([("orchard.jpg", data)])  # the capture screen's photo pipeline
    visit_id = form.save()
    visit = VisitModel(ctx, visit_id)
    visit.raise_form().submit()                    # an issue from the visit: place, position and station carried over
    visit.delete()                                 # refused once the visit raised an issue
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from app.actors import FIELD_ROLES, Role
from app.errors import DomainError
from app.issues import today_in_china
from app.models import Person, Station
from app.outbox import waiting_changes
from app.receptions import VISIT, VISIT_PLACES, Visit, raise_issue_from_visit, record_visit
from app.records import PhotoBody, allowed_events, photos_of, record_event, state_of
from app.viewmodels.capture import CaptureModel
from app.viewmodels.context import AppContext
from app.viewmodels.issue_detail import location_text
from app.viewmodels.office import Chip, Form, Tone
from app.viewmodels.stations import (VISITS, Choice, IssueLink, china_date, download_photos, is_office, issue_link,
                                     issues_by_id, names_text, people_of, refusal_text, weekday_text)

VISIT_FIELDS = ("place_type", "place_name", "people_met", "notes", "latitude_text", "longitude_text")


def place_text(ctx: AppContext, place_type: str, place_name: str) -> str:
    """柑桔园 · 桔园村三组果园."""
    return " · ".join(p for p in (ctx.t(f"visit.place.{place_type}"), place_name) if p)


# -- the history --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitRow:
    id: str
    place: str
    day: str
    deputies: str  # 走访代表：王建华、……
    people_met: str
    issues: Chip | None  # 提出问题 2 件
    thumbnail: bytes | None
    waiting: str


class VisitsModel:
    """Visits newest first: a deputy's own by default, a station's for its staff, every one for the office."""

    def __init__(self, ctx: AppContext, *, deputy_id: str | None = None, station_id: str | None = None):
        self.ctx = ctx
        user = ctx.current_user()
        self.office = is_office(ctx)
        self.own_station = None if self.office or user is None else user.station_id
        self.station_id = station_id if self.office else self.own_station
        # A deputy opens their own history; anyone may pick another deputy's.
        self.deputy_id = deputy_id if deputy_id is not None else (
            user.id if user is not None and user.role == Role.DEPUTY.value else "")
        self.can_record = user is not None and user.role in FIELD_ROLES
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        with ctx.session() as session:
            query = select(Visit).where(Visit.status != "deleted").order_by(col(Visit.created_at).desc())
            if self.station_id:
                query = query.where(Visit.station_id == self.station_id)
            visits = [v for v in session.exec(query) if not self.deputy_id or self.deputy_id in (v.deputy_ids or [])]
            deputies = people_of(session, station_id=self.station_id)
            named = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(
                [d for v in visits for d in v.deputy_ids or []] + [self.deputy_id])))}
            thumbs = {v.id: next(iter(photos_of(session, v.id)), None) for v in visits}
            waiting = waiting_changes(session, [v.id for v in visits])
            station = session.get(Station, self.station_id) if self.station_id else None
        self._deputies = deputies
        if self.deputy_id and self.deputy_id not in {p.id for p in deputies} and self.deputy_id in named:
            self._deputies = [named[self.deputy_id]] + deputies
        rows = []
        for v in visits:
            photo = thumbs.get(v.id)
            rows.append(VisitRow(
                id=v.id, place=place_text(ctx, v.place_type, v.place_name),
                day=weekday_text(ctx, china_date(v.created_at)),
                deputies=t("visit.deputies", names=names_text(named.get(d) for d in v.deputy_ids or []))
                if v.deputy_ids else "",
                people_met=t("visit.people_met_line", text=v.people_met) if v.people_met else "",
                issues=Chip(t("visit.issue_count", n=v.issue_count), Tone.INFO) if v.issue_count else None,
                thumbnail=ctx.photos.read_thumbnail(photo.sha256) if photo and ctx.photos.has(photo.sha256) else None,
                waiting=t("list.waiting") if v.id in waiting else ""))
        self.rows = rows
        who = named.get(self.deputy_id)
        where = ctx.name_of(station) if station else t("stations.figures.all_stations")
        self.heading = (t("visit.history_of", name=who.name, n=len(rows)) if who else
                        t("visit.history_at", where=where, n=len(rows)))
        self.empty_text = t("visit.empty_mine" if self.can_record else "visit.empty")

    def deputy_options(self) -> list[Choice]:
        """全部 and each deputy of the station (the township's, for the office)."""
        t = self.ctx.t
        return [Choice("", t("visit.all_deputies"), not self.deputy_id)] + [
            Choice(p.id, p.name, p.id == self.deputy_id) for p in self._deputies]

    def choose_deputy(self, deputy_id: str) -> None:
        self.deputy_id = deputy_id
        self.reload()

    @property
    def route(self) -> str:
        return f"{VISITS}?deputy={self.deputy_id}" if self.deputy_id else VISITS


# -- recording a visit ----------------------------------------------------------------------------------------
class VisitForm(CaptureModel):
    """记录走访: the capture form's photos and position, with a visit's place types, people and notes.

    It reuses the capture form's photo pipeline and location rules; it keeps no draft of its own
    (the capture form's draft is the capture form's), so the form lives as long as the screen."""

    def __init__(self, ctx: AppContext, on_change=None):
        self.people_met = ""
        self.notes = ""
        self.deputy_ids: list[str] = []
        self.visit_id: str | None = None
        super().__init__(ctx, on_change)
        self.place_type = "field"
        user = ctx.current_user()
        self.me = user
        with ctx.session() as session:
            self._deputies = people_of(session, station_id=user.station_id if user else None)
        self.today_text = ctx.t("visit.today", day=weekday_text(ctx, today_in_china()))

    # No draft: the capture form's draft table holds the capture form's.
    def _reopen(self) -> None:
        return None

    def _autosave(self) -> None:
        return None

    def place_type_options(self) -> list[tuple[str, str]]:
        return [(p, self.ctx.t(f"visit.place.{p}")) for p in VISIT_PLACES]

    def set_field(self, name: str, value: str) -> None:
        if name not in VISIT_FIELDS:
            raise ValueError(f"unknown visit field {name!r}")
        setattr(self, name, value)
        self.errors.pop(name, None)

    def deputy_options(self) -> list[Choice]:
        """The station's deputies; a deputy recording is there, always."""
        me = self.me.id if self.me is not None and self.me.role == Role.DEPUTY.value else None
        return [Choice(p.id, self.ctx.t("visit.me", name=p.name) if p.id == me else p.name,
                       p.id == me or p.id in self.deputy_ids) for p in self._deputies]

    @property
    def fixed_deputy(self) -> str | None:
        return self.me.id if self.me is not None and self.me.role == Role.DEPUTY.value else None

    def toggle_deputy(self, person_id: str, on: bool) -> None:
        if on and person_id not in self.deputy_ids:
            self.deputy_ids.append(person_id)
        elif not on and person_id in self.deputy_ids:
            self.deputy_ids.remove(person_id)

    def save(self, *, announce: bool = True) -> str | None:
        """Record the visit on this device; on a refusal mark the field and keep everything typed.

        announce=False leaves ctx.saved_locally() to the caller (a dialog redraws the screens once it has gone)."""
        t = self.ctx.t
        self.errors = {}
        if not self.place_name.strip():
            self.errors["place_name"] = t("visit.place_required")
            self.on_change()
            return None
        photos = [PhotoBody(sha256=p.sha256, width=p.width, height=p.height, byte_size=p.byte_size,
                            latitude=p.latitude, longitude=p.longitude) for p in self.photos]
        try:
            with self.ctx.session() as session:
                visit = record_visit(session, actor=self.ctx.actor(), place_type=self.place_type,
                                     place_name=self.place_name.strip(), location=self.location,
                                     deputy_ids=self.deputy_ids, people_met=self.people_met.strip(),
                                     notes=self.notes.strip(), photos=photos)
        except DomainError as refusal:
            self.errors[refusal.field or "form"] = refusal_text(self.ctx, refusal)
            self.on_change()
            return None
        except LookupError:
            self.errors["form"] = t("capture.no_user")
            self.on_change()
            return None
        self.visit_id = visit.id
        if announce:
            self.ctx.saved_locally()
        return visit.id


# -- one visit --------------------------------------------------------------------------------------------------
class VisitModel:
    """A visit: where, when, who, whom they met, notes, photos, the issues raised from it."""

    def __init__(self, ctx: AppContext, visit_id: str):
        self.ctx = ctx
        self.visit_id = visit_id
        self.error = ""
        self.deleted = False
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        with ctx.session() as session:
            visit = session.get(Visit, self.visit_id)
            self.found = visit is not None
            if visit is None:
                return
            state = state_of(session, VISIT, visit)
            people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(
                list(visit.deputy_ids or []) + [visit.author_id])))}
            station = session.get(Station, visit.station_id) if visit.station_id else None
            self.photos = [p.sha256 for p in photos_of(session, visit.id)]
            issues = issues_by_id(session, state.issues)
            allowed = {e.name for e in allowed_events(VISIT, state, ctx.actor())} if user else set()
            self.waiting = t("list.waiting") if waiting_changes(session, [visit.id]) else ""
        self.visit = visit
        self.deleted = visit.status == "deleted"
        self.place = place_text(ctx, visit.place_type, visit.place_name)
        self.day = weekday_text(ctx, china_date(visit.created_at))
        self.station = ctx.name_of(station)
        self.location = location_text(t, visit.latitude, visit.longitude, visit.accuracy_m, visit.location_source)
        self.deputies = names_text(people.get(d) for d in visit.deputy_ids or []) or t("stations.nobody")
        author = people.get(visit.author_id or "")
        self.recorded_by = t("visit.recorded_by", name=author.name) if author else ""
        self.people_met = visit.people_met
        self.notes = visit.notes
        self.issues: list[IssueLink] = [link for i in state.issues if (link := issue_link(ctx, i, issues))]
        self.can_raise = "raise_issue" in allowed and not self.deleted
        self.can_delete = "delete" in allowed
        self.status = Chip(t("visit.deleted"), Tone.QUIET) if self.deleted else None

    @property
    def missing_photos(self) -> list[str]:
        return [sha for sha in self.photos if not self.ctx.photos.has(sha)] if self.found else []

    def thumbnail(self, sha256: str) -> bytes | None:
        return self.ctx.photos.read_thumbnail(sha256) if self.ctx.photos.has(sha256) else None

    async def fetch_missing_photos(self) -> bool:
        """Download the visit's photos another device took, where a central store answers."""
        if not await download_photos(self.ctx, self.missing_photos):
            return False
        self.reload()
        return True

    def raise_form(self) -> "RaiseForm":
        return RaiseForm(self.ctx, visit_id=self.visit_id, title=_first_line(self.notes))

    def delete(self) -> bool:
        """删除 a visit recorded by mistake; the rules refuse it once the visit raised an issue."""
        self.error = ""
        try:
            with self.ctx.session() as session:
                record_event(session, VISIT, actor=self.ctx.actor(), record_id=self.visit_id, type_="delete",
                             payload={})
        except DomainError as error:
            self.error = refusal_text(self.ctx, error)
            return False
        self.reload()
        self.ctx.saved_locally()
        return True


def _first_line(text: str, limit: int = 40) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line[:limit]


@dataclass
class RaiseForm(Form):
    """提出问题 from a visit: a title (the notes' first line to start with) and a category if known."""

    visit_id: str = ""
    title: str = ""
    category_id: str | None = None
    issue_id: str | None = field(default=None, init=False)

    def category_options(self) -> list[Choice]:
        return [Choice(c.id, self.ctx.name_of(c), c.id == self.category_id) for c in self.ctx.categories()]

    def choose_category(self, category_id: str) -> None:
        self.category_id = None if category_id == self.category_id else category_id

    def submit(self) -> bool:
        if not self.title.strip():
            return self.refuse("visit.raise.title_required", "title")

        def raise_it(session) -> None:
            self.issue_id = raise_issue_from_visit(session, actor=self.ctx.actor(), visit_id=self.visit_id,
                                                   title=self.title.strip(), category_id=self.category_id).id

        return self.attempt(raise_it, fields=("title",))
