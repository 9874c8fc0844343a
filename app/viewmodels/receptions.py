"""代表接待日: a station's schedule, and a day's log filled in on the day, offline, with no page.

    schedule = ScheduleModel(ctx)
    start = schedule.start_log()                    # today's reception day, or a question first
    reception_id = start.reception_id or schedule.log_unscheduled(start.day)
    log = ReceptionLogModel(ctx, reception_id)
    form = log.visitor_form()                       # name and phone if they wish, village, what they raised
    form.set("village", "桔园村三组"); form.set_concern(0, "三组自来水时断时续"); form.submit()
    issue_id = log.to_issue(log.visitors[0].concerns[0].id)   # one tap: the concern is an issue
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.actors import Role
from app.errors import DomainError
from app.issues import today_in_china
from app.models import Person, Station
from app.outbox import waiting_changes
from app.problems import Problem
from app.receptions import (RECEPTION, MoveRule, Reception, answer_on_the_spot, check_phone, concern_to_issue,
                            open_reception, plan_reception_days, receive_visitor, reception_dates, scheduled_on)
from app.records import allowed_events, record_event, state_of
from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Form, Tone
from app.viewmodels.stations import (STATION_PEOPLE, Choice, IssueLink, is_office, issue_link, issues_by_id,
                                     names_text, people_of, phone_text, refusal_text, weekday_text)

MAX_CONCERNS = 10  # what one visitor raises at most (the rules' limit)


def reception_chip(ctx: AppContext, status: str, day: date, today: date) -> Chip:
    """已接待 / 今天接待 / 待接待 / 未记录: the status, and for a planned day where it stands against today."""
    t = ctx.t
    if status == "held":
        return Chip(t("reception.chip.held"), Tone.GOOD)
    if day == today:
        return Chip(t("reception.chip.today"), Tone.WARNING)
    if day > today:
        return Chip(t("reception.chip.planned"), Tone.INFO)
    return Chip(t("reception.chip.missed"), Tone.QUIET)


def counts_text(ctx: AppContext, reception: Reception) -> str:
    t = ctx.t
    if not reception.visitors:
        return ""
    parts = [t("reception.count.visitors", n=reception.visitors), t("reception.count.concerns", n=reception.concerns)]
    if reception.answered:
        parts.append(t("reception.count.answered", n=reception.answered))
    if reception.issues_raised:
        parts.append(t("reception.count.issues", n=reception.issues_raised))
    return " · ".join(parts)


# -- the schedule ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayRow:
    id: str
    day: date
    day_text: str  # 12月15日 周二
    chips: tuple[Chip, ...]  # the status, and 临时 for a day the schedule did not have
    counts: str  # 来访 2 人 · 反映 3 件 · 转为问题 1 件
    duty: str  # 值班代表：王建华
    waiting: str
    can_reschedule: bool


@dataclass(frozen=True)
class LogStart:
    """What 记录接待 leads to: the day's log, or first a question (no reception day on that date)."""

    day: date
    reception_id: str | None = None
    confirm: str = ""


class ScheduleModel:
    """A station's reception days, upcoming first, then the past ones, newest first."""

    def __init__(self, ctx: AppContext, *, station_id: str | None = None, today: date | None = None):
        self.ctx = ctx
        self.today = today or today_in_china()
        self.chosen_station = station_id
        self.errors: dict[str, str] = {}  # a row's id (or "form") → the refusal to show there
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.office = is_office(ctx)
        self.stations = ctx.stations()
        if self.office:
            known = {s.id for s in self.stations}
            self.station_id = self.chosen_station if self.chosen_station in known else (
                self.stations[0].id if self.stations else None)
        else:
            self.station_id = user.station_id if user else None
        self.can_plan = self.office
        self.can_log = user is not None and user.role in STATION_PEOPLE and self.station_id is not None
        actor = ctx.actor() if user else None
        with ctx.session() as session:
            station = session.get(Station, self.station_id) if self.station_id else None
            receptions = list(session.exec(select(Reception).where(Reception.station_id == self.station_id)
                                           .order_by(col(Reception.day)))) if self.station_id else []
            duty = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(
                [d for r in receptions for d in r.duty_deputy_ids or []])))}
            waiting = waiting_changes(session, [r.id for r in receptions])
            allowed = {r.id: {e.name for e in allowed_events(RECEPTION, state_of(session, RECEPTION, r), actor)}
                       for r in receptions} if actor else {}
        self.station_name = ctx.name_of(station)
        rows = [DayRow(
            id=r.id, day=r.day, day_text=weekday_text(ctx, r.day),
            chips=(reception_chip(ctx, r.status, r.day, self.today),)
            + (() if r.scheduled else (Chip(t("reception.chip.unscheduled"), Tone.WARNING),)),
            counts=counts_text(ctx, r),
            duty=t("reception.duty", names=names_text(duty.get(d) for d in r.duty_deputy_ids or []))
            if r.duty_deputy_ids else "",
            waiting=t("list.waiting") if r.id in waiting else "",
            can_reschedule="reschedule" in allowed.get(r.id, ())) for r in receptions]
        self.upcoming = [r for r in rows if r.day >= self.today]
        self.past = [r for r in reversed(rows) if r.day < self.today]
        self.heading = t("reception.heading", station=self.station_name) if station else t("reception.no_station")
        self.upcoming_title = t("reception.upcoming", n=len(self.upcoming))
        self.past_title = t("reception.past", n=len(self.past))
        self.empty_text = t("reception.empty_office" if self.office else "reception.empty")

    def station_options(self) -> list[Choice]:
        """The office picks the station whose schedule it looks at; the others see their own."""
        if not self.office:
            return []
        return [Choice(s.id, self.ctx.name_of(s), s.id == self.station_id) for s in self.stations]

    def choose_station(self, station_id: str) -> None:
        self.chosen_station = station_id
        self.errors = {}
        self.reload()

    # -- logging a day -----------------------------------------------------------------------------------------
    def start_log(self, day: date | None = None) -> LogStart:
        """记录接待 on a date (today by default): its reception day, or the question to ask first."""
        day = day or self.today
        with self.ctx.session() as session:
            found = scheduled_on(session, self.station_id, day) if self.station_id else None
        if found is not None:
            return LogStart(day, found.id)
        return LogStart(day, None, self.ctx.t("reception.confirm_unscheduled", day=weekday_text(self.ctx, day),
                                              station=self.station_name))

    def log_unscheduled(self, day: date) -> str | None:
        """The user said yes: log the date as a reception day the schedule did not have."""
        self.errors.pop("form", None)
        try:
            with self.ctx.session() as session:
                reception = open_reception(session, actor=self.ctx.actor(), station_id=self.station_id, day=day)
        except DomainError as error:
            self.errors["form"] = refusal_text(self.ctx, error)
            return None
        self.ctx.saved_locally()
        return reception.id

    def reschedule(self, reception_id: str, day: date) -> bool:
        """调整日期 of a planned reception day (the office)."""
        self.errors.pop(reception_id, None)
        try:
            with self.ctx.session() as session:
                record_event(session, RECEPTION, actor=self.ctx.actor(), record_id=reception_id, type_="reschedule",
                             payload={"day": day.isoformat()})
        except DomainError as error:
            self.errors[reception_id] = refusal_text(self.ctx, error)
            return False
        self.reload()
        self.ctx.saved_locally()
        return True

    def plan_form(self) -> "PlanForm":
        return PlanForm(self.ctx, today=self.today)


@dataclass
class PlanForm(Form):
    """安排全年接待日 (the office): a year, the day of the month, and what a weekend or holiday does to it."""

    today: date = field(default_factory=today_in_china)
    year: int = 0
    day: int = 0
    rule: str = ""
    planned: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.year = self.year or self.today.year
        self.day = self.day or self.ctx.settings.reception_day
        self.rule = self.rule or self.ctx.settings.reception_rule

    def year_options(self) -> list[Choice]:
        return [Choice(str(y), self.ctx.t("reception.plan.year", y=y), y == self.year)
                for y in (self.today.year, self.today.year + 1)]

    def rule_options(self) -> list[Choice]:
        return [Choice(r.value, self.ctx.t(f"public.rule.{r.value}"), r.value == self.rule) for r in MoveRule]

    @property
    def preview(self) -> str:
        """The twelve dates the rule gives, so the office sees what it plans."""
        dates = reception_dates(self.year, day=self.day, rule=self.rule)
        return self.ctx.t("reception.plan.preview", dates="、".join(
            self.ctx.t("office.format.day", m=d.month, d=d.day) for d in dates))

    def submit(self) -> bool:
        def plan(session: Session) -> None:
            self.planned = len(plan_reception_days(session, actor=self.ctx.actor(), year=self.year, day=self.day,
                                                   rule=self.rule))

        return self.attempt(plan)

    @property
    def result_text(self) -> str:
        t = self.ctx.t
        return t("reception.plan.done", n=self.planned, y=self.year) if self.planned else \
            t("reception.plan.nothing", y=self.year)


# -- one day's log ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attendee:
    id: str
    label: str  # 王建华（值班）
    attended: bool
    can_mark: bool


@dataclass(frozen=True)
class ConcernLine:
    id: str
    text: str
    answer: str  # 当场答复：…
    issue: IssueLink | None
    can_answer: bool
    can_issue: bool
    error: str


@dataclass(frozen=True)
class VisitorView:
    id: str
    heading: str  # 1. 李大爷
    details: str  # 138****5678 · 桔园村三组
    concerns: tuple[ConcernLine, ...]


class ReceptionLogModel:
    """A reception day as logged: who came and what each raised, what became of it, who attended."""

    def __init__(self, ctx: AppContext, reception_id: str, *, today: date | None = None):
        self.ctx = ctx
        self.reception_id = reception_id
        self.today = today or today_in_china()
        self.errors: dict[str, str] = {}  # a concern's id (or "attend", "form") → the refusal to show there
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        with ctx.session() as session:
            reception = session.get(Reception, self.reception_id)
            self.found = reception is not None
            if reception is None:
                return
            state = state_of(session, RECEPTION, reception)
            station = session.get(Station, reception.station_id) if reception.station_id else None
            deputies = people_of(session, station_id=reception.station_id)
            named = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(
                list(state.duty) + list(state.attended))))}
            issues = issues_by_id(session, (c.issue_id for c in state.concerns.values()))
            allowed = {e.name for e in allowed_events(RECEPTION, state, ctx.actor())} if user else set()
            self.waiting = bool(waiting_changes(session, [reception.id]))
        self.reception, self.state = reception, state
        self.station_id = reception.station_id
        self.title = t("reception.log.title", station=ctx.name_of(station), day=weekday_text(ctx, reception.day))
        self.day_text = weekday_text(ctx, reception.day)
        self.station_name = ctx.name_of(station)
        self.chip = reception_chip(ctx, state.status, reception.day, self.today)
        self.unscheduled = "" if reception.scheduled else t("reception.log.unscheduled")
        self.counts = counts_text(ctx, reception) or t("reception.log.nobody_yet")
        self.can_receive = "receive" in allowed
        may_attend = "attend" in allowed
        people = list(deputies) + [named[p] for p in list(state.duty) + list(state.attended)
                                   if p in named and named[p] not in deputies]
        self.attendees = [Attendee(p.id, t("reception.log.on_duty", name=p.name) if p.id in state.duty else p.name,
                                   p.id in state.attended, may_attend and p.id not in state.attended)
                          for p in people if p.role == Role.DEPUTY.value or p.id in state.attended]
        self.attended_text = t("reception.log.attended", n=len(state.attended))
        self.visitors = []
        for number, visitor in enumerate(state.visitors, start=1):
            lines = tuple(ConcernLine(
                id=c.id, text=c.text, answer=t("reception.log.answer", text=c.answer) if c.answer else "",
                issue=issue_link(ctx, c.issue_id, issues),
                can_answer=not c.handled and "answer" in allowed, can_issue=not c.handled and "to_issue" in allowed,
                error=self.errors.get(c.id, ""))
                for c in state.concerns.values() if c.visitor_id == visitor["id"])
            who = visitor.get("name") or t("reception.log.no_name")
            details = " · ".join(p for p in (phone_text(ctx, visitor.get("phone") or ""), visitor.get("village") or "")
                                 if p)
            self.visitors.append(VisitorView(visitor["id"], t("reception.log.visitor", n=number, name=who), details,
                                             lines))
        self.visitors_title = t("reception.log.visitors", n=len(self.visitors))
        self.empty_text = t("reception.log.empty")

    # -- acting ---------------------------------------------------------------------------------------------------
    def visitor_form(self) -> "VisitorForm":
        return VisitorForm(self.ctx, reception_id=self.reception_id)

    def answer_form(self, concern_id: str) -> "AnswerForm":
        return AnswerForm(self.ctx, reception_id=self.reception_id, concern_id=concern_id)

    def attend(self, person_id: str) -> bool:
        """A deputy took part in the day (参加接待)."""
        return self._record("attend", lambda session: record_event(
            session, RECEPTION, actor=self.ctx.actor(), record_id=self.reception_id, type_="attend",
            payload={"person_id": person_id}))

    def to_issue(self, concern_id: str) -> str | None:
        """转为问题 in one tap: the concern's words become the issue, the visitor's village its place."""
        made: list[Any] = []
        self._record(concern_id, lambda session: made.append(concern_to_issue(
            session, actor=self.ctx.actor(), reception_id=self.reception_id, concern_id=concern_id)))
        return made[0].id if made else None

    def _record(self, where: str, action) -> bool:
        self.errors.pop(where, None)
        try:
            with self.ctx.session() as session:
                action(session)
        except DomainError as error:
            self.errors[where] = refusal_text(self.ctx, error)
            self.reload()
            return False
        self.reload()
        self.ctx.saved_locally()
        return True


@dataclass
class VisitorForm(Form):
    """接待一位群众: name and phone only if they wish, the village, and each thing they raised."""

    reception_id: str = ""
    name: str = ""
    phone: str = ""
    village: str = ""
    concerns: list[str] = field(default_factory=lambda: [""])

    def set(self, name: str, value: str) -> None:
        if name not in ("name", "phone", "village"):
            raise ValueError(f"not a field of the visitor form: {name!r}")
        setattr(self, name, value)
        self.errors.pop(name, None)

    def set_concern(self, index: int, text: str) -> None:
        self.concerns[index] = text
        self.errors.pop("concerns", None)

    def add_concern(self) -> bool:
        """再记一件: room for one more thing the same visitor raised."""
        if len(self.concerns) >= MAX_CONCERNS:
            return False
        self.concerns.append("")
        return True

    @property
    def can_add(self) -> bool:
        return len(self.concerns) < MAX_CONCERNS

    def submit(self) -> bool:
        raised = [c.strip() for c in self.concerns if c.strip()]
        self.errors = {}
        try:
            check_phone(self.phone)  # said at the field before anything is recorded
        except DomainError as error:
            self.errors["phone"] = refusal_text(self.ctx, error)
        if not raised:
            self.errors["concerns"] = self.ctx.t(Problem.VISITOR_CONCERN_REQUIRED.message_key)
        if self.errors:
            return False
        return self.attempt(lambda session: receive_visitor(
            session, actor=self.ctx.actor(), reception_id=self.reception_id, concerns=raised, village=self.village,
            name=self.name, phone=self.phone), fields=("phone", "concerns"))


@dataclass
class AnswerForm(Form):
    """当场答复: what the deputy told the visitor there and then."""

    reception_id: str = ""
    concern_id: str = ""
    text: str = ""

    def submit(self) -> bool:
        if not self.text.strip():
            return self.refuse("reception.answer.required", "text")
        return self.attempt(lambda session: answer_on_the_spot(
            session, actor=self.ctx.actor(), reception_id=self.reception_id, concern_id=self.concern_id,
            text=self.text.strip()), fields=("text",))
