"""联络站: what the liaison stations' screens share, the home screen's lines, the office's stations and groups,
posters and figures, with no page.

    lines = station_shortcuts(ctx)                  # 接待日 / 走访 / 扫码说事 on a deputy's home
    admin = StationsAdminModel(ctx)                 # the office: stations, special groups, posters
    form = admin.station_form(station_id)           # 编辑 a station; saved on the central store, online only
    await form.save()
    figures = StationFiguresModel(ctx)              # days held, people received, concerns, issues, visits
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Sequence

from sqlmodel import Session, col, select

from app.actors import FIELD_ROLES, OFFICE_ROLES, Role
from app.errors import DomainError
from app.clock import to_china
from app.issues import Issue, today_in_china
from app.issues._figures import Period, PeriodKind
from app.models import Person, SpecialGroup, Station, StationKind
from app.problems import Problem
from app.receptions import Concern, Reception, Visit, mask_phone, station_figures
from app.viewmodels.context import AppContext
from app.viewmodels.home import Shortcut
from app.viewmodels.office import Chip, Tone, day_text
from app.viewmodels.sync import _error_text

# The screens of this module's family, for the shell's routing.
RECEPTIONS, VISITS, NEW_VISIT, CONCERNS = "/receptions", "/visits", "/visits/new", "/concerns"
STATIONS, FIGURES = "/stations", "/stations/figures"
STATION_ROUTES = (RECEPTIONS, VISITS, CONCERNS, STATIONS)
STATION_PEOPLE = FIELD_ROLES | OFFICE_ROLES  # who works with stations (a department answers issues only)
CODE = re.compile(r"^[a-z0-9\-]{1,40}$")
DONE = ("resolved", "rated", "verified")


# -- small pieces every station screen uses ---------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """One chip of a choice: its value, its words, whether it is chosen."""

    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class IssueLink:
    """The issue a concern or visit became: its status chip, tapped to open it."""

    issue_id: str
    chip: Chip
    title: str
    here: bool  # False until the issue itself has reached this device


def is_office(ctx: AppContext) -> bool:
    user = ctx.current_user()
    return user is not None and user.role in OFFICE_ROLES


def phone_text(ctx: AppContext, phone: str) -> str:
    """A visitor's or villager's phone number as this user may see it: whole for the office, 138****5678 else."""
    if not phone:
        return ""
    return phone if is_office(ctx) else mask_phone(phone)


def weekday_text(ctx: AppContext, day: date) -> str:
    """12月15日 周二."""
    return ctx.t("stations.day", day=day_text(ctx, day), weekday=ctx.t(f"stations.weekday.{day.weekday()}"))


def issue_link(ctx: AppContext, issue_id: str | None, issues: dict[str, Issue]) -> IssueLink | None:
    if not issue_id:
        return None
    issue = issues.get(issue_id)
    if issue is None:
        return IssueLink(issue_id, Chip(ctx.t("stations.issue.not_here"), Tone.QUIET), "", False)
    tone = Tone.GOOD if issue.status in DONE else Tone.INFO
    return IssueLink(issue_id, Chip(ctx.t("stations.issue.chip", status=issue.status), tone), issue.title, True)


def issues_by_id(session: Session, ids: Iterable[str | None]) -> dict[str, Issue]:
    wanted = [i for i in dict.fromkeys(ids) if i]
    return {i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_(wanted)))} if wanted else {}


def people_of(session: Session, *, station_id: str | None = None,
              roles: Sequence[Role] = (Role.DEPUTY,)) -> list[Person]:
    """The people of a station (or of all stations) with these roles, by name."""
    query = select(Person).where(col(Person.role).in_([r.value for r in roles]))
    if station_id is not None:
        query = query.where(Person.station_id == station_id)
    return sorted(session.exec(query), key=lambda p: p.name)


async def download_photos(ctx: AppContext, hashes: Sequence[str]) -> bool:
    """Fetch photos this device lacks (a villager's, another phone's) where a central store answers."""
    if ctx.syncer is None or not hashes:
        return False
    return bool(await ctx.syncer.download_photos(list(hashes)))


def names_text(people: Iterable[Person | None]) -> str:
    return "、".join(p.name for p in people if p is not None)


def refusal_text(ctx: AppContext, error: DomainError) -> str:
    return ctx.t(error.code.message_key, **error.params)


# -- the home screen's lines ----------------------------------------------------------------------------------
def station_shortcuts(ctx: AppContext, today: date | None = None) -> list[Shortcut]:
    """接待日, 走访 and 扫码说事 for a station's deputies and staff; 联络站 for the office."""
    user = ctx.current_user()
    if user is None or user.role not in STATION_PEOPLE:
        return []
    t, today = ctx.t, today or today_in_china()
    with ctx.session() as session:
        if user.role in OFFICE_ROLES:
            waiting = _open_concerns(session, None)
            text = t("stations.home.office", n=waiting) if waiting else t("stations.home.office_none")
            return [Shortcut(text, STATIONS, "stations", bool(waiting))]
        station = user.station_id
        upcoming = session.exec(select(Reception).where(Reception.station_id == station, col(Reception.day) >= today)
                                .order_by(col(Reception.day))).first()
        month = Period.containing(PeriodKind.MONTH, today)
        # A deputy counts their own visits; the staff their station's.
        query = select(Visit) if user.role == Role.DEPUTY.value else select(Visit).where(Visit.station_id == station)
        visits = sum(1 for v in session.exec(query.where(Visit.status != "deleted"))
                     if (user.role != Role.DEPUTY.value or user.id in (v.deputy_ids or []))
                     and month.contains(china_date(v.created_at)))
        waiting = _open_concerns(session, station)
    if upcoming is None:
        reception = t("stations.home.reception_none")
    elif upcoming.day == today:
        reception = t("stations.home.reception_today")
    else:
        reception = t("stations.home.reception_next", day=weekday_text(ctx, upcoming.day))
    concern = t("stations.home.concerns", n=waiting) if waiting else t("stations.home.concerns_none")
    return [Shortcut(reception, RECEPTIONS, "reception", upcoming is not None and upcoming.day == today),
            Shortcut(t("stations.home.visits", n=visits), VISITS, "visit"),
            Shortcut(concern, CONCERNS, "concern", bool(waiting))]


def _open_concerns(session: Session, station_id: str | None) -> int:
    query = select(Concern.id).where(Concern.status == "open")
    if station_id is not None:
        query = query.where(Concern.station_id == station_id)
    return len(list(session.exec(query)))


def china_date(moment) -> date:
    return to_china(moment).date()


# -- the office: stations and special groups -----------------------------------------------------------------
@dataclass(frozen=True)
class StationRow:
    id: str
    code: str
    name: str
    kind: Chip
    address: str
    location: str
    staff: str  # 工作人员：孙丽
    deputies: str  # 代表：周海涛
    groups: str  # 专门小组：柑桔产业专门小组


@dataclass(frozen=True)
class GroupRow:
    id: str
    code: str
    name: str
    station: str
    focus: str
    members: str


class StationsAdminModel:
    """联络站 for the office: the stations with their people, the special groups, and what opens the rest."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        self.may_edit = is_office(ctx)
        with ctx.session() as session:
            stations = list(session.exec(select(Station).order_by(col(Station.sort_order))))
            groups = list(session.exec(select(SpecialGroup).order_by(col(SpecialGroup.sort_order))))
            people = list(session.exec(select(Person)))
            self.open_concerns = _open_concerns(session, None)
        by_id = {p.id: p for p in people}
        names = {s.id: ctx.name_of(s) for s in stations}
        self.rows = []
        for s in stations:
            here = sorted((p for p in people if p.station_id == s.id), key=lambda p: p.name)
            staff = [p for p in here if p.role == Role.STATION_STAFF.value]
            deputies = [p for p in here if p.role == Role.DEPUTY.value]
            linked = [ctx.name_of(g) for g in groups if g.station_id == s.id]
            self.rows.append(StationRow(
                id=s.id, code=s.code, name=ctx.name_of(s),
                kind=Chip(t(f"stations.kind.{s.kind}"),
                          Tone.INFO if s.kind == StationKind.CENTRE.value else Tone.QUIET),
                address=s.address or t("stations.no_address"),
                location=t("stations.location", lat=f"{s.latitude:.5f}", lon=f"{s.longitude:.5f}")
                if s.latitude is not None and s.longitude is not None else t("stations.no_location"),
                staff=t("stations.staff", names=names_text(staff) or t("stations.nobody")),
                deputies=t("stations.deputies", names=names_text(deputies) or t("stations.nobody")),
                groups=t("stations.groups_linked", names="、".join(linked)) if linked else ""))
        self.groups = [GroupRow(id=g.id, code=g.code, name=ctx.name_of(g),
                                station=t("stations.group.station", name=names.get(g.station_id or "", "")
                                          or t("stations.group.no_station")),
                                focus=t("stations.group.focus", text=g.focus) if g.focus else "",
                                members=t("stations.group.members", names=names_text(by_id.get(m) for m in
                                                                                 g.member_ids or [])
                                          or t("stations.nobody")))
                       for g in groups]
        self.stations_title = t("stations.list_title", n=len(self.rows))
        self.groups_title = t("stations.groups_title", n=len(self.groups))
        self.concerns_text = (t("stations.link.concerns", n=self.open_concerns) if self.open_concerns
                              else t("stations.link.concerns_none"))

    @property
    def offline_text(self) -> str:
        """What the office reads while no central store answers: changes wait for the network."""
        return "" if self.ctx.online else self.ctx.t("stations.offline")

    def station_form(self, station_id: str | None = None) -> "StationForm":
        return StationForm(self.ctx, station_id)

    def group_form(self, group_id: str | None = None) -> "GroupForm":
        return GroupForm(self.ctx, group_id)

    async def poster(self, station_id: str) -> tuple[str, bytes] | str:
        return await fetch_poster(self.ctx, station_id)


async def fetch_poster(ctx: AppContext, station_id: str) -> tuple[str, bytes] | str:
    """A station's A4 poster from the central store, as (file name, PDF); else why not, in words."""
    t = ctx.t
    with ctx.session() as session:
        station = session.get(Station, station_id)
    if station is None:
        return t("stations.poster.unknown")
    if ctx.syncer is None or not ctx.online:
        return t("stations.poster.offline")
    try:
        data = await ctx.syncer.client.fetch_poster(station_id)
    except Exception as error:  # the sync client's Offline / SyncError: said in words, nothing saved
        return _central_refusal(ctx, error)
    return t("stations.poster.file_name", code=station.code, name=ctx.name_of(station)) + ".pdf", data


def may_print_poster(ctx: AppContext) -> bool:
    """The office and a station's staff print posters (as the central store allows)."""
    user = ctx.current_user()
    return user is not None and (user.role in OFFICE_ROLES or user.role == Role.STATION_STAFF.value)


def _central_refusal(ctx: AppContext, error: Exception) -> str:
    code = getattr(error, "code", "")
    if code == Problem.OFFLINE.value:
        return ctx.t("stations.offline_now")
    if not code:
        raise error
    return _error_text(ctx.t, str(code), getattr(error, "message", ""))


class ReferenceForm:
    """A station or a group as the office edits it; saved on the central store and pulled back (online only)."""

    entity = ""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.errors: dict[str, str] = {}
        self.done = False
        self.is_new = True
        self.code = ""
        self.name = ""

    def set(self, name: str, value: Any) -> None:
        setattr(self, name, value)
        self.errors.pop(name, None)
        self.errors.pop("form", None)

    def body(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def _check_code_and_name(self) -> None:
        t = self.ctx.t
        if self.is_new and not CODE.match(self.code.strip()):
            self.errors["code"] = t("stations.form.code_invalid")
        if not self.name.strip():
            self.errors["name"] = t("stations.form.name_required")

    async def save(self) -> bool:
        """Save on the central store; offline it says so and changes nothing."""
        t = self.ctx.t
        self.errors = {}
        body = self.body()
        if body is None:
            return False
        syncer = self.ctx.syncer
        if syncer is None or not self.ctx.online:
            self.errors["form"] = t("stations.offline_now")
            return False
        try:
            await syncer.client.save_reference(self.entity, body["code"], body)
        except Exception as error:  # the sync client's Offline / SyncError
            self.errors["form"] = _central_refusal(self.ctx, error)
            return False
        self.done = True
        return True


class StationForm(ReferenceForm):
    entity = "stations"

    def __init__(self, ctx: AppContext, station_id: str | None = None):
        super().__init__(ctx)
        with ctx.session() as session:
            station = session.get(Station, station_id) if station_id else None
            count = len(list(session.exec(select(Station.id))))
        self.is_new = station is None
        self.code = station.code if station else ""
        self.name = station.name if station else ""
        self.name_en = station.name_en if station else ""
        self.kind = station.kind if station else StationKind.AREA.value
        self.address = station.address if station else ""
        self.latitude_text = f"{station.latitude:.5f}" if station and station.latitude is not None else ""
        self.longitude_text = f"{station.longitude:.5f}" if station and station.longitude is not None else ""
        self.sort_order = station.sort_order if station else count
        t = ctx.t
        self.title = t("stations.form.edit_station", name=self.name) if station else t("stations.form.new_station")

    def kind_options(self) -> list[Choice]:
        return [Choice(k.value, self.ctx.t(f"stations.kind.{k.value}"), k.value == self.kind) for k in StationKind]

    def set_device_location(self, latitude: float, longitude: float, _accuracy: float | None = None) -> None:
        self.latitude_text, self.longitude_text = f"{latitude:.5f}", f"{longitude:.5f}"
        self.errors.pop("latitude", None)
        self.errors.pop("longitude", None)

    def body(self) -> dict[str, Any] | None:
        from app.issues import make_location

        self._check_code_and_name()
        latitude = longitude = None
        if self.latitude_text.strip() or self.longitude_text.strip():
            try:
                place = make_location(self.latitude_text, self.longitude_text)
                latitude, longitude = place.latitude, place.longitude
            except DomainError as error:
                self.errors[error.field if error.field in ("latitude", "longitude") else "latitude"] = \
                    refusal_text(self.ctx, error)
        if self.errors:
            return None
        return {"code": self.code.strip(), "name": self.name.strip(), "name_en": self.name_en.strip(),
                "kind": self.kind, "address": self.address.strip(), "latitude": latitude, "longitude": longitude,
                "sort_order": self.sort_order}


class GroupForm(ReferenceForm):
    entity = "groups"

    def __init__(self, ctx: AppContext, group_id: str | None = None):
        super().__init__(ctx)
        with ctx.session() as session:
            group = session.get(SpecialGroup, group_id) if group_id else None
            count = len(list(session.exec(select(SpecialGroup.id))))
            self._deputies = people_of(session)
            self._stations = {s.id: s for s in session.exec(select(Station))}
        self.is_new = group is None
        self.code = group.code if group else ""
        self.name = group.name if group else ""
        self.name_en = group.name_en if group else ""
        self.station_id = group.station_id if group else None
        self.focus = group.focus if group else ""
        self.member_ids = list(group.member_ids or []) if group else []
        self.sort_order = group.sort_order if group else count
        t = ctx.t
        self.title = t("stations.form.edit_group", name=self.name) if group else t("stations.form.new_group")

    def station_options(self) -> list[Choice]:
        stations = sorted(self._stations.values(), key=lambda s: s.sort_order)
        return [Choice(s.id, self.ctx.name_of(s), s.id == self.station_id) for s in stations]

    def member_options(self) -> list[Choice]:
        """The deputies, each with their station: a group draws on the whole township."""
        return [Choice(p.id, self.ctx.t("stations.person_at", name=p.name,
                                        station=self.ctx.name_of(self._stations.get(p.station_id or ""))),
                       p.id in self.member_ids) for p in self._deputies]

    def choose_station(self, station_id: str) -> None:
        self.station_id = None if station_id == self.station_id else station_id

    def toggle_member(self, person_id: str, on: bool) -> None:
        if on and person_id not in self.member_ids:
            self.member_ids.append(person_id)
        elif not on and person_id in self.member_ids:
            self.member_ids.remove(person_id)

    def body(self) -> dict[str, Any] | None:
        self._check_code_and_name()
        if self.errors:
            return None
        return {"code": self.code.strip(), "name": self.name.strip(), "name_en": self.name_en.strip(),
                "station_id": self.station_id, "focus": self.focus.strip(), "member_ids": list(self.member_ids),
                "sort_order": self.sort_order}


# -- the stations' figures -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StationFigure:
    """One figure: its value, its name, and what a tap opens (a list of issues, or a screen's route)."""

    key: str
    name: str
    value: str
    title: str  # 2026年 · 桔园片区联络站 · 群众反映转为问题
    issue_ids: tuple[str, ...] = ()
    route: str = ""

    @property
    def opens_issues(self) -> bool:
        return bool(self.issue_ids)


@dataclass(frozen=True)
class DeputyVisits:
    deputy_id: str
    name: str
    station: str
    count: int
    text: str  # 3 次
    route: str


class StationFiguresModel:
    """What the stations did in a period (本月 / 本季度 / 本年), for one station or the whole township."""

    PERIODS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)

    def __init__(self, ctx: AppContext, *, today: date | None = None):
        self.ctx = ctx
        self.today = today or today_in_china()
        self.period_kind = PeriodKind.YEAR  # the figure the township reports
        user = ctx.current_user()
        self.fixed_station = user.station_id if user is not None and user.role in FIELD_ROLES else None
        self.station_id: str | None = self.fixed_station
        self.reload()

    def period_options(self) -> list[Choice]:
        return [Choice(k.value, self.ctx.t(f"stations.figures.period.{k.value}"), k is self.period_kind)
                for k in self.PERIODS]

    def station_options(self) -> list[Choice]:
        """全镇 and each station; a station's own people see their station only."""
        if self.fixed_station:
            return []
        everyone = Choice("", self.ctx.t("stations.figures.all_stations"), self.station_id is None)
        return [everyone] + [Choice(s.id, self.ctx.name_of(s), s.id == self.station_id) for s in self.ctx.stations()]

    def choose_period(self, kind: str) -> None:
        self.period_kind = PeriodKind(kind)
        self.reload()

    def choose_station(self, station_id: str) -> None:
        if not self.fixed_station:
            self.station_id = station_id or None
        self.reload()

    @property
    def period(self) -> Period:
        return Period.containing(self.period_kind, self.today)

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        period = self.period
        end = date.fromordinal(period.end_day.toordinal() - 1)
        with ctx.session() as session:
            found = station_figures(session, start=period.first_day, end=end, station_id=self.station_id)
            station = session.get(Station, self.station_id) if self.station_id else None
            deputies = {p.id: p for p in session.exec(select(Person).where(
                col(Person.id).in_(list(found.visits_per_deputy))))} if found.visits_per_deputy else {}
            stations = {s.id: s for s in session.exec(select(Station))}
        self.period_text = t(f"dashboard.period.{period.kind.value}", y=period.year, n=period.number)
        self.where_text = ctx.name_of(station) if station else t("stations.figures.all_stations")
        self.heading = t("stations.figures.heading", period=self.period_text, where=self.where_text)
        here = f"?station={self.station_id}" if self.station_id else ""

        def figure(key: str, value: int, *, issue_ids: Sequence[str] = (), route: str = "") -> StationFigure:
            name = t(f"stations.figures.{key}")
            return StationFigure(key, name, t(f"stations.figures.{key}.value", n=value),
                                 " · ".join((self.period_text, self.where_text, name)), tuple(issue_ids), route)

        self.figures = [
            figure("days_held", found.days_held, route=RECEPTIONS + here),
            figure("people_received", found.people_received, route=RECEPTIONS + here),
            figure("concerns", found.concerns, route=CONCERNS),
            figure("issues_raised", found.issues_raised, issue_ids=found.issue_ids),
            figure("issues_resolved", found.issues_resolved, issue_ids=found.resolved_ids),
            figure("visits", found.visits, route=VISITS + here),
        ]
        rows = []
        for deputy_id, count in found.visits_per_deputy.items():
            person = deputies.get(deputy_id)
            rows.append(DeputyVisits(deputy_id, person.name if person else t("stations.someone"),
                                     ctx.name_of(stations.get(person.station_id or "")) if person else "", count,
                                     t("stations.figures.visits.value", n=count), f"{VISITS}?deputy={deputy_id}"))
        self.per_deputy = sorted(rows, key=lambda r: (-r.count, r.name))
        self.per_deputy_empty = t("stations.figures.no_visits", period=self.period_text)
