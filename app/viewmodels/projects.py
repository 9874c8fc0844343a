"""项目: livelihood projects (民生实事) from the opinions behind them to the last rating, with no page.

    model = ProjectsModel(ctx)                       # this year's rounds, my unit's tasks, opinions, projects
    form = model.candidate_form(model.selected_ids)  # the office shapes ticked opinions into a candidate
    form.submit()
    page = ProjectModel(ctx, project_id)             # facts, money, tasks with their chips, the whole story
    ProposeModel(ctx, issue_id).propose()            # 提为民生实事建议, one tap from an issue

The ballot's screens (a round, a deputy's vote) are in app/viewmodels/rounds.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Actor, Role
from app.clock import as_utc
from app.errors import DomainError
from app.issues import Issue, today_in_china
from app.models import Department, OutboxMutation, Person, Station
from app.outbox import OutboxState, waiting_changes
from app.problems import Problem
from app.projects import (PROJECT, RATING_CHOICES, TASK, Ballot, Opinion, Project, Task, add_task, make_candidate,
                          propose_opinion)
from app.records import allowed_events, record_event, state_of, timeline
from app.viewmodels.capture import CapturedPhoto
from app.viewmodels.context import AppContext
from app.viewmodels.inspections import parse_number
from app.viewmodels.issue_actions import PERCENTS, ActionForm, FormField, Kind, Option
from app.viewmodels.issue_detail import PhotoView, day_text as long_day
from app.viewmodels.office import Chip, Form, Selection, Tone, deadline_chip, names

# The screens of this module's family, for the shell's routing.
PROJECTS = "/projects"
ROUNDS = "/projects/rounds/"  # one round: /projects/rounds/<id>
PROJECT_ROUTES = (PROJECTS,)
# The order statuses are listed in, each with its chip's tone.
STATUSES = (("candidate", Tone.INFO), ("chosen", Tone.GOOD), ("completed", Tone.GOOD), ("not_chosen", Tone.QUIET))
TONE_OF = dict(STATUSES)
CAST = "ballot.cast"
NUMBER = "number"  # a field for an amount, typed (万元)
STAGES = ("mid_year", "year_end", "other")
ROUND_ORDER = {"open": 0, "draft": 1, "closed": 2}


# -- small pieces ---------------------------------------------------------------------------------------------------
def money_text(ctx: AppContext, amount: float | None) -> str:
    """48.5 万元 (an amount as the project sheets write it)."""
    return ctx.t("projects.money", n=amount_text(amount or 0.0))


def amount_text(amount: float) -> str:
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def project_chip(ctx: AppContext, status: str) -> Chip:
    return Chip(ctx.t(f"status.{status}"), TONE_OF.get(status, Tone.QUIET))


def is_office(actor: Actor | None) -> bool:
    return actor is not None and actor.role in OFFICE_ROLES


def _actor(ctx: AppContext) -> Actor | None:
    user = ctx.current_user()
    return Actor.of(user) if user is not None else None


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def cast_of(session: Session, ballot_id: str) -> OutboxMutation | None:
    """This device's ballot in a round, the latest one (waiting, counted, or refused by the store)."""
    return session.exec(select(OutboxMutation).where(OutboxMutation.kind == CAST,
                                                     OutboxMutation.record_id == ballot_id)
                        .order_by(col(OutboxMutation.created_at).desc())).first()


@dataclass(frozen=True)
class CastState:
    """What this device knows of its deputy's ballot in a round: never what it said."""

    voted: bool  # waiting to go up, counted, or refused because the deputy voted on another device
    waiting: bool  # still only on this device
    refusal: str  # why the store did not count it, in words ('' when it did, or nothing was cast)


def cast_state(ctx: AppContext, session: Session, ballot_id: str) -> CastState:
    mutation = cast_of(session, ballot_id)
    if mutation is None:
        return CastState(False, False, "")
    if mutation.state != OutboxState.REJECTED.value:
        return CastState(True, mutation.state == OutboxState.PENDING.value, "")
    code = mutation.result_code or ""
    key = f"projects.vote.refused.{code}"  # said to the deputy; the rules' own words name the round's status
    refusal = ctx.t(key) if ctx.t.has(key) else ctx.t("projects.vote.refused", why=mutation.result_reason or code)
    return CastState(code == Problem.ALREADY_VOTED.value, False, refusal)


def refusal_text(ctx: AppContext, error: DomainError) -> str:
    return ctx.t(error.code.message_key, **error.params)


# -- the list -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    value: Any
    label: str
    selected: bool = False


@dataclass(frozen=True)
class RoundRow:
    """A round on the list: its kind, where it stands, and what this user may do there now."""

    id: str
    title: str
    purpose: Chip  # 票决 / 满意度测评
    status: Chip  # 准备中 / 投票中 / 已结束
    detail: str  # 候选项目 4 个 · 要选出 2 个 · 已签到 3 / 8
    can_vote: bool  # 投票: open, on the roll, not cast yet
    action: str  # the button's word: 投票, or 测评 in a rating round
    voted: Chip | None  # 已投票 (待同步) once cast
    refusal: str  # the store refused this device's ballot, and why


@dataclass(frozen=True)
class ProjectRow:
    id: str
    title: str
    status: Chip
    meta: str  # place · 预计投资 48.5 万元
    progress: str  # 任务 2 项 · 完成 60%
    chips: tuple[Chip, ...]  # 逾期任务 1 项; the last rating
    waiting: str


@dataclass(frozen=True)
class ProjectGroup:
    status: str
    title: str  # 候选项目 3 个
    rows: tuple[ProjectRow, ...]


@dataclass(frozen=True)
class OpinionRow:
    id: str
    title: str
    meta: str  # station · author · day
    text: str
    issue_id: str | None  # the issue it grew from, when on this device
    issue_title: str
    selected: bool
    waiting: str


@dataclass(frozen=True)
class TaskRow:
    id: str
    project_id: str
    title: str
    project: str  # the project's title (on lists of several projects' tasks)
    unit: str  # 镇水利站 · 责任人 何永平
    due: Chip | None  # 逾期 3 天 / 还剩 2 天 / 已完成
    percent: int
    percent_text: str  # 完成 50%
    money: str  # 预算 12 万元 · 已用 5.5 万元
    can_report: bool
    waiting: str


class ProjectsModel:
    """项目: the year's open rounds first, the tasks of my unit, the office's opinions, then projects by status."""

    def __init__(self, ctx: AppContext, *, year: int | None = None, today: date | None = None):
        self.ctx, self.today = ctx, today or today_in_china()
        self.year = year
        self.selection = Selection()
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        actor = _actor(ctx)
        self.actor = actor
        self.is_office = is_office(actor)
        with ctx.session() as session:
            projects = list(session.exec(select(Project).order_by(col(Project.created_at))))
            ballots = list(session.exec(select(Ballot).order_by(col(Ballot.created_at).desc())))
            years = {p.year for p in projects} | {b.year for b in ballots}
            if self.year is None:  # this year, where the new opinions are shaped; earlier years are a chip away
                self.year = self.today.year
            self.years = [Choice(y, t("projects.year", y=y), y == self.year)
                          for y in sorted(years | {self.today.year, self.year}, reverse=True)]
            shown = [b for b in ballots if b.year == self.year and self._shows(b, actor)]
            shown.sort(key=lambda b: ROUND_ORDER.get(b.status, len(ROUND_ORDER)))  # open rounds at the top
            self.rounds = [self._round_row(session, b, actor) for b in shown]
            mine = [p for p in projects if p.year == self.year]
            self.groups = self._groups(session, mine)
            self.tasks = self._my_tasks(session, actor, {p.id: p for p in projects})
            self.opinions = self._opinions(session) if self.is_office else []

    # -- parts --------------------------------------------------------------------------------------------------
    def _shows(self, ballot: Ballot, actor: Actor | None) -> bool:
        """The office sees every round; others a closed round, and the rounds they are on the roll of."""
        return is_office(actor) or ballot.status == "closed" or (actor is not None and actor.id in ballot.roll_ids)

    def _round_row(self, session: Session, ballot: Ballot, actor: Actor | None) -> RoundRow:
        ctx = self.ctx
        cast = cast_state(ctx, session, ballot.id)
        on_roll = actor is not None and actor.id in ballot.roll_ids
        voted = None
        if cast.voted:
            voted = Chip(ctx.t("projects.round.voted_waiting" if cast.waiting else "projects.round.voted"),
                         Tone.GOOD)
        return RoundRow(id=ballot.id, title=ballot.title, purpose=purpose_chip(ctx, ballot.purpose),
                        status=round_chip(ctx, ballot.status), detail=round_detail(ctx, ballot),
                        can_vote=ballot.status == "open" and on_roll and not cast.voted and not cast.refusal,
                        action=ctx.t(f"projects.vote.button.{ballot.purpose}"),
                        voted=voted, refusal=cast.refusal if not cast.voted else "")

    def _groups(self, session: Session, projects: list[Project]) -> list[ProjectGroup]:
        ctx = self.ctx
        tasks = _tasks_by_project(session, [p.id for p in projects])
        ratings = last_ratings(session, [p.id for p in projects])
        waiting = waiting_changes(session, [p.id for p in projects])
        groups = []
        for status, _tone in STATUSES:
            rows = tuple(self._project_row(p, tasks.get(p.id, []), ratings.get(p.id), p.id in waiting)
                         for p in projects if p.status == status)
            if rows:
                groups.append(ProjectGroup(status, ctx.t(f"projects.group.{status}", n=len(rows)), rows))
        return groups

    def _project_row(self, project: Project, tasks: list[Task], rating: dict[str, int] | None,
                     waiting: bool) -> ProjectRow:
        ctx, t = self.ctx, self.ctx.t
        meta = " · ".join(p for p in (project.place_name, t("projects.estimate", money=money_text(
            ctx, project.estimated_cost)) if project.estimated_cost else "") if p)
        progress = ""
        if tasks:
            progress = t("projects.tasks_progress", n=len(tasks), percent=round(sum(x.percent for x in tasks)
                                                                                / len(tasks)))
        chips = []
        late = [x for x in tasks if x.status == "open" and x.deadline and _day(x.deadline) < self.today]
        if late:
            chips.append(Chip(t("projects.late_tasks", n=len(late)), Tone.DANGER))
        if rating:
            chips.append(rating_chip(ctx, rating))
        return ProjectRow(id=project.id, title=project.title, status=project_chip(ctx, project.status), meta=meta,
                          progress=progress, chips=tuple(chips), waiting=t("list.waiting") if waiting else "")

    def _my_tasks(self, session: Session, actor: Actor | None, projects: dict[str, Project]) -> list[TaskRow]:
        """The open tasks of the user's department or station, nearest deadline first (none for the office)."""
        if actor is None or is_office(actor):
            return []
        if actor.role == Role.DEPARTMENT:
            if not actor.department_id:
                return []
            query = select(Task).where(Task.department_id == actor.department_id)
        elif actor.station_id:
            query = select(Task).where(Task.station_id == actor.station_id)
        else:
            return []
        tasks = list(session.exec(query.where(Task.status == "open").order_by(col(Task.deadline))))
        return task_rows(self.ctx, session, tasks, actor, self.today, projects)

    def _opinions(self, session: Session) -> list[OpinionRow]:
        ctx, t = self.ctx, self.ctx.t
        opinions = list(session.exec(select(Opinion).where(Opinion.status == "open")
                                     .order_by(col(Opinion.created_at).desc())))
        self.selection.keep_only(o.id for o in opinions)
        people = names(session, Person, (o.author_id for o in opinions))
        stations = names(session, Station, (o.station_id for o in opinions))
        issues = names(session, Issue, (o.issue_id for o in opinions))
        waiting = waiting_changes(session, [o.id for o in opinions])
        rows = []
        for o in opinions:
            author = people.get(o.author_id)
            meta = " · ".join(p for p in (ctx.name_of(stations.get(o.station_id)), author.name if author else "",
                                          t.date(o.created_at)) if p)
            issue = issues.get(o.issue_id)
            rows.append(OpinionRow(id=o.id, title=o.title, meta=meta, text=o.text,
                                   issue_id=issue.id if issue else None, issue_title=issue.title if issue else "",
                                   selected=o.id in self.selection,
                                   waiting=t("list.waiting") if o.id in waiting else ""))
        return rows

    # -- what the screen says -------------------------------------------------------------------------------------
    @property
    def rounds_title(self) -> str:
        return self.ctx.t("projects.rounds_title", n=len(self.rounds))

    @property
    def tasks_title(self) -> str:
        return self.ctx.t("projects.my_tasks", n=len(self.tasks))

    @property
    def opinions_title(self) -> str:
        return self.ctx.t("projects.opinions_title", n=len(self.opinions))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("projects.empty", y=self.year)

    @property
    def selected_ids(self) -> list[str]:
        return list(self.selection.ids)

    @property
    def selection_text(self) -> str:
        return self.ctx.t("projects.opinions_selected", n=len(self.selection))

    def choose_year(self, year: int) -> None:
        self.year = year
        self.reload()

    def toggle(self, opinion_id: str, on: bool | None = None) -> None:
        self.selection.toggle(opinion_id, on)
        self.reload()

    def clear_selection(self) -> None:
        self.selection.clear()
        self.reload()

    # -- the office's forms ---------------------------------------------------------------------------------------
    def candidate_form(self, opinion_ids: Sequence[str] = ()) -> "CandidateForm":
        return CandidateForm(self.ctx, opinion_ids=list(opinion_ids), year=self.year or self.today.year)

    def round_form(self, purpose: str = "vote") -> "RoundForm":
        from app.viewmodels.rounds import RoundForm

        return RoundForm(self.ctx, purpose=purpose, year=self.year or self.today.year)


def purpose_chip(ctx: AppContext, purpose: str) -> Chip:
    return Chip(ctx.t(f"projects.round.purpose.{purpose}"), Tone.INFO if purpose == "vote" else Tone.QUIET)


def round_chip(ctx: AppContext, status: str) -> Chip:
    tone = {"draft": Tone.WARNING, "open": Tone.GOOD, "closed": Tone.QUIET}.get(status, Tone.QUIET)
    return Chip(ctx.t(f"projects.round.status.{status}"), tone)


def round_detail(ctx: AppContext, ballot: Ballot) -> str:
    t = ctx.t
    parts = [t(f"projects.round.items.{ballot.purpose}", n=len(ballot.candidate_ids))]
    if ballot.purpose == "vote":
        parts.append(t("projects.round.to_choose", n=ballot.to_choose))
    parts.append(t("projects.round.present", present=len(ballot.checked_in_ids), roll=len(ballot.roll_ids)))
    return " · ".join(parts)


def rating_chip(ctx: AppContext, counts: dict[str, int]) -> Chip:
    """满意度 88%（满意 5 · 基本满意 2 · 不满意 1）: satisfied and basically satisfied of all who rated."""
    total = sum(counts.get(c, 0) for c in RATING_CHOICES)
    share = round(100 * (counts.get("satisfied", 0) + counts.get("basic", 0)) / total) if total else 0
    words = " · ".join(f"{ctx.t(f'satisfaction.{c}')} {counts.get(c, 0)}" for c in RATING_CHOICES)
    return Chip(ctx.t("projects.rating", percent=share, counts=words), Tone.GOOD if share >= 80 else Tone.WARNING)


def last_ratings(session: Session, project_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Each project's counts in the latest closed rating round it was rated in."""
    wanted, found = set(project_ids), {}
    rounds = session.exec(select(Ballot).where(Ballot.purpose == "rating", Ballot.status == "closed")
                          .order_by(col(Ballot.created_at)))
    for ballot in rounds:
        for project_id, counts in (ballot.results or {}).items():
            if project_id in wanted and sum(counts.values()):
                found[project_id] = dict(counts)
    return found


def _tasks_by_project(session: Session, project_ids: Sequence[str]) -> dict[str, list[Task]]:
    found: dict[str, list[Task]] = {}
    if project_ids:
        for task in session.exec(select(Task).where(col(Task.project_id).in_(list(project_ids)))
                                 .order_by(col(Task.deadline))):
            found.setdefault(task.project_id, []).append(task)
    return found


def task_rows(ctx: AppContext, session: Session, tasks: Sequence[Task], actor: Actor | None, today: date,
              projects: dict[str, Project] | None = None) -> list[TaskRow]:
    t = ctx.t
    units = unit_names(ctx, session)
    waiting = waiting_changes(session, [x.id for x in tasks])
    rows = []
    for task in tasks:
        state = state_of(session, TASK, task)
        may = {e.name for e in allowed_events(TASK, state, actor)} if actor is not None else set()
        if task.status == "done":
            late = task.done_at is not None and task.deadline is not None and _day(task.done_at) > _day(task.deadline)
            due: Chip | None = Chip(t("projects.task.done_late" if late else "projects.task.done"),
                                    Tone.WARNING if late else Tone.GOOD)
        else:
            due = deadline_chip(ctx, _day(task.deadline), today)
        unit = units.get(task.unit_id or "", "")
        money = [t("projects.task.budget", money=money_text(ctx, task.budget)) if task.budget else "",
                 t("projects.task.spent", money=money_text(ctx, task.spent)) if task.spent else ""]
        project = (projects or {}).get(task.project_id)
        rows.append(TaskRow(id=task.id, project_id=task.project_id, title=task.title,
                            project=project.title if project else "",
                            unit=" · ".join(p for p in (unit, t("projects.task.person", name=task.person)
                                                        if task.person else "") if p),
                            due=due, percent=task.percent, percent_text=t("projects.task.percent", n=task.percent),
                            money=" · ".join(m for m in money if m),
                            can_report="progress" in may,
                            waiting=t("list.waiting") if task.id in waiting else ""))
    return rows


def unit_names(ctx: AppContext, session: Session) -> dict[str, str]:
    """Departments and stations by id, in the user's language: who a task can be given to."""
    found = {d.id: ctx.name_of(d) for d in session.exec(select(Department))}
    found.update({s.id: ctx.name_of(s) for s in session.exec(select(Station))})
    return found


# -- forms ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """A field as the view draws it: how it is entered, its words, its value, its options, its error."""

    name: str
    kind: str  # line | lines | number | date | choice | ticks
    label: str
    value: Any = ""
    options: tuple[Option, ...] = ()
    error: str = ""
    hint: str = ""
    required: bool = False


class Fields(Form):
    """A form of plain fields: values by name, set one at a time; the view draws `fields`."""

    values: dict[str, Any]

    def set(self, name: str, value: Any) -> None:
        if name not in self.values:
            raise AttributeError(name)
        self.values[name] = value
        self.errors.pop(name, None)

    def toggle(self, name: str, value: Any, on: bool | None = None) -> None:
        chosen = list(self.values[name])
        wanted = value not in chosen if on is None else on
        if wanted and value not in chosen:
            chosen.append(value)
        elif not wanted and value in chosen:
            chosen.remove(value)
        self.set(name, chosen)

    def _field(self, name: str, kind: str, label_key: str, *, options: Sequence[Option] = (), hint_key: str = "",
               required: bool = False, **params: Any) -> Field:
        t = self.ctx.t
        return Field(name, kind, t(label_key, **params), self.values.get(name), tuple(options),
                     self.errors.get(name, ""), t(hint_key) if hint_key else "", required)

    def _number(self, name: str) -> float:
        """An amount as typed ('' is none); raises ValueError with the field's name when it is no amount."""
        text = str(self.values.get(name) or "").strip()
        if not text:
            return 0.0
        value = parse_number(text)
        if value is None or value < 0:
            raise _Bad(name, "projects.form.amount_invalid", value=text)
        return float(value)

    def _date(self, name: str, *, required: bool = False) -> date | None:
        text = str(self.values.get(name) or "").strip()
        if not text:
            if required:
                raise _Bad(name, "projects.form.date_required")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _Bad(name, "action.date_invalid", value=text) from None

    def _attempt(self, action: Callable[[Session], object], fields: Sequence[str]) -> bool:
        """Check what was typed, then record; a bad value is refused at its field, nothing recorded."""
        try:
            return self.attempt(action, fields=fields)
        except _Bad as bad:
            return self.refuse(bad.key, bad.field, **bad.params)


class _Bad(Exception):
    def __init__(self, field_name: str, key: str, **params: Any):
        super().__init__(key)
        self.field, self.key, self.params = field_name, key, params


@dataclass
class CandidateForm(Fields):
    """合并为候选项目: opinions shaped by the office into one candidate, with what the deputies will vote on."""

    opinion_ids: list[str] = field(default_factory=list)
    year: int = 0
    values: dict[str, Any] = field(default_factory=dict, init=False)
    opinion_titles: list[str] = field(default_factory=list, init=False)
    issue_ids: list[str] = field(default_factory=list, init=False)
    project_id: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        with self.ctx.session() as session:
            opinions = [o for o in (session.get(Opinion, i) for i in self.opinion_ids) if o is not None]
            places = names(session, Station, (o.station_id for o in opinions))
        self.opinion_titles = [o.title for o in opinions]
        self.issue_ids = list(dict.fromkeys(o.issue_id for o in opinions if o.issue_id))
        first = opinions[0] if opinions else None
        self.values = {"title": first.title if first else "",
                       "description": "\n".join(o.text or o.title for o in opinions),
                       "place_name": self.ctx.name_of(places.get(first.station_id)) if first else "",
                       "estimated_cost": "", "funding_source": "", "beneficiaries": "",
                       "end_date": f"{self.year}-12-31", "year": str(self.year)}

    @property
    def title(self) -> str:
        return self.ctx.t("projects.candidate.title")

    @property
    def fields(self) -> list[Field]:
        return [self._field("title", "line", "projects.candidate.name", required=True),
                self._field("description", "lines", "projects.candidate.description"),
                self._field("place_name", "line", "projects.candidate.place"),
                self._field("estimated_cost", NUMBER, "projects.candidate.cost"),
                self._field("funding_source", "line", "projects.candidate.funding"),
                self._field("beneficiaries", "line", "projects.candidate.beneficiaries"),
                self._field("end_date", "date", "projects.candidate.end_date"),
                self._field("year", NUMBER, "projects.candidate.year")]

    def submit(self) -> bool:
        if not str(self.values["title"]).strip():
            return self.refuse(Problem.TITLE_REQUIRED.message_key, "title")

        def write(session: Session) -> None:
            year = int(self._number("year") or 0)
            project = make_candidate(session, actor=self.ctx.actor(), title=str(self.values["title"]).strip(),
                                     year=year, opinion_ids=self.opinion_ids, issue_ids=self.issue_ids,
                                     description=str(self.values["description"]).strip(),
                                     place_name=str(self.values["place_name"]).strip(),
                                     estimated_cost=self._number("estimated_cost"),
                                     funding_source=str(self.values["funding_source"]).strip(),
                                     beneficiaries=str(self.values["beneficiaries"]).strip(),
                                     end_date=self._date("end_date"))
            self.project_id = project.id

        return self._attempt(write, fields=[f.name for f in self.fields])


@dataclass
class TaskForm(Fields):
    """添加任务 to a chosen project: who does it (a department or a station), who answers for it, by when, budget."""

    project_id: str = ""
    values: dict[str, Any] = field(default_factory=dict, init=False)
    project_title: str = field(default="", init=False)
    end: date | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        ctx = self.ctx
        with ctx.session() as session:
            project = session.get(Project, self.project_id)
            self.project_title = project.title if project else ""
            self.end = _day(project.end_date) if project else None
            self.units = tuple(Option(f"department:{d.id}", ctx.name_of(d))
                               for d in session.exec(select(Department).order_by(col(Department.sort_order)))) + \
                tuple(Option(f"station:{s.id}", ctx.name_of(s))
                      for s in session.exec(select(Station).order_by(col(Station.sort_order))))
        self.values = {"title": "", "unit": None, "person": "",
                       "deadline": self.end.isoformat() if self.end else "", "budget": ""}

    @property
    def title(self) -> str:
        return self.ctx.t("projects.task.add")

    @property
    def fields(self) -> list[Field]:
        return [self._field("title", "line", "projects.task.name", required=True),
                self._field("unit", "choice", "projects.task.unit", options=self.units, required=True),
                self._field("person", "line", "projects.task.person_field"),
                self._field("deadline", "date", "projects.task.deadline", required=True),
                self._field("budget", NUMBER, "projects.task.budget_field")]

    def submit(self) -> bool:
        if not str(self.values["title"]).strip():
            return self.refuse(Problem.TITLE_REQUIRED.message_key, "title")
        if not self.values["unit"]:
            return self.refuse("projects.task.unit_required", "unit")
        kind, _, unit_id = str(self.values["unit"]).partition(":")

        def write(session: Session) -> None:
            add_task(session, actor=self.ctx.actor(), project_id=self.project_id,
                     title=str(self.values["title"]).strip(), unit_kind=kind, unit_id=unit_id,
                     deadline=self._date("deadline", required=True), person=str(self.values["person"]).strip(),
                     budget=self._number("budget"))

        return self._attempt(write, fields=("title", "unit_id", "deadline", "budget", "person"))

    def error_of_unit(self) -> str:
        return self.errors.get("unit") or self.errors.get("unit_id", "")


# -- a step on a project or a task, in the issue steps' dialog (photos through the capture pipeline) ---------------
@dataclass(frozen=True)
class StepSpec:
    kind: Any  # the record kind
    fields: tuple[tuple[str, str, str, bool], ...]  # (name, kind, label key, required)


STEPS: dict[str, StepSpec] = {
    "progress": StepSpec(TASK, (("text", Kind.TEXT, "action.field.progress", True),
                                ("percent", Kind.CHOICE, "action.field.percent", False),
                                ("spent", NUMBER, "projects.step.spent", False),
                                ("photos", Kind.PHOTOS, "action.field.photos", False))),
    "inspect": StepSpec(PROJECT, (("stage", Kind.CHOICE, "projects.step.stage", True),
                                  ("text", Kind.TEXT, "projects.step.findings", True),
                                  ("photos", Kind.PHOTOS, "action.field.photos", False))),
    "complete": StepSpec(PROJECT, (("text", Kind.TEXT, "projects.step.result", True),)),
    "comment": StepSpec(PROJECT, (("text", Kind.TEXT, "action.field.comment", True),)),
}
PROJECT_STEPS = ("inspect", "complete", "comment")  # offered on a project's page, as the rules allow


class StepForm(ActionForm):
    """汇报进展 on a task, or 视察 / 完成 / 留言 on a project: the issue steps' form, on another kind of record.

    A progress report of 100% finishes the task (its `done` event).
    """

    def __init__(self, ctx: AppContext, record_id: str, type_: str, *, on_done: Callable[[], None] | None = None,
                 today: date | None = None):
        # Not ActionForm.__init__: that one reads an issue. The attributes are the ones its dialog draws.
        spec = STEPS[type_]
        self.ctx, self.type, self.issue_ids, self.kind = ctx, type_, [record_id], spec.kind
        self.on_change: Callable[[], None] = lambda: None
        self.on_done = on_done or (lambda: None)
        self.on_recorded: Callable[[], None] = self.finish
        self.today = today or today_in_china()
        self.photos: list[CapturedPhoto] = []
        self.errors: dict[str, str] = {}
        self.notices: list[str] = []
        self.progress: tuple[int, int] | None = None
        self.done = False
        t = ctx.t
        self.title = t(f"projects.step.{type_}")
        self.submit_label = t("action.submit", action=self.title)
        self.hint = t(f"projects.step.hint.{type_}") if t.has(f"projects.step.hint.{type_}") else ""
        with ctx.session() as session:
            record = session.get(spec.kind.table, record_id)
            self.issue_title = record.title if record is not None else ""
        self.batch_title = self.issue_title
        self.fields = [FormField(name, kind, t(label), required, self._step_options(name))
                       for name, kind, label, required in spec.fields]
        self.values = {f.name: "" if f.kind in (Kind.TEXT, NUMBER) else None for f in self.fields}
        if type_ == "inspect":
            self.values["stage"] = "mid_year" if self.today.month <= 6 else "year_end"

    def _step_options(self, name: str) -> tuple[Option, ...]:
        t = self.ctx.t
        if name == "percent":
            return tuple(Option(p, t("action.percent", n=p)) for p in PERCENTS)
        if name == "stage":
            return tuple(Option(s, t(f"projects.stage.{s}")) for s in STAGES)
        return ()

    def payload(self) -> dict[str, Any]:
        out = super().payload()
        spent = str(out.pop("spent", "") or "").strip()
        if spent:
            value = parse_number(spent)
            if value is None or value < 0:
                raise DomainError(Problem.MALFORMED, field="spent")
            out["spent"] = float(value)
        return out

    def submit(self) -> bool:
        try:
            return super().submit()
        except DomainError as refusal:  # an amount that is no amount, refused at its field
            self.errors[refusal.field or "form"] = self.ctx.t("projects.form.amount_invalid",
                                                               value=self.values.get("spent", ""))
            return False

    def _record(self, session, payload: dict[str, Any]) -> None:
        type_ = "done" if self.type == "progress" and payload.get("percent") == 100 else self.type
        record_event(session, self.kind, actor=self.ctx.actor(), record_id=self.issue_ids[0], type_=type_,
                     payload=payload)


# -- one project's page ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class Money:
    """Money spent against plan: the estimate, the tasks' budgets, what they reported spent."""

    plan: str  # 计划 48.5 万元
    budget: str  # 任务预算 40 万元
    spent: str  # 已用 12.5 万元（26%）
    fraction: float  # spent of plan, 0..1 (for the bar; more than the plan shows full, in words too)
    over: bool


@dataclass(frozen=True)
class StoryRow:
    """One step of the project's story, from the first opinion to the last rating."""

    kind: str  # opinion | project | round | task
    type: str  # the event: create, adopt, progress, ... (or the round's purpose)
    when: str
    what: str
    who: str
    text: str = ""
    details: tuple[str, ...] = ()
    photos: tuple[PhotoView, ...] = ()
    issue_id: str | None = None  # an opinion's issue, opened with a tap
    round_id: str | None = None
    pending: bool = False
    rejected: str = ""


@dataclass(frozen=True)
class StepChoice:
    type: str
    label: str


class ProjectModel:
    """One project: what it is, where the money stands, its tasks, and its whole story."""

    def __init__(self, ctx: AppContext, project_id: str, *, today: date | None = None):
        self.ctx, self.project_id, self.today = ctx, project_id, today or today_in_china()
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        actor = _actor(ctx)
        with ctx.session() as session:
            project = session.get(Project, self.project_id)
            self.found = project is not None
            if project is None:
                self.steps, self.tasks, self.story, self.facts = [], [], [], []
                return
            self.title = project.title
            self.status = project_chip(ctx, project.status)
            self.description = project.description
            tasks = list(session.exec(select(Task).where(Task.project_id == project.id)
                                      .order_by(col(Task.deadline))))
            self.tasks = task_rows(ctx, session, tasks, actor, self.today)
            self.money = self._money(project, tasks)
            self.facts = self._facts(project)
            rating = last_ratings(session, [project.id]).get(project.id)
            self.rating = rating_chip(ctx, rating) if rating else None
            state = state_of(session, PROJECT, project)
            may = {e.name for e in allowed_events(PROJECT, state, actor)} if actor is not None else set()
            self.steps = [StepChoice(s, t(f"projects.step.{s}")) for s in PROJECT_STEPS if s in may]
            self.can_add_task = is_office(actor) and project.status == "chosen"
            self.story = self._story(session, project, tasks)

    def _facts(self, project: Project) -> list[Fact]:
        ctx, t = self.ctx, self.ctx.t
        facts = [Fact("year", t("projects.fact.year"), t("projects.year", y=project.year)),
                 Fact("place", t("projects.fact.place"), project.place_name),
                 Fact("cost", t("projects.fact.cost"), money_text(ctx, project.estimated_cost)
                      if project.estimated_cost else ""),
                 Fact("funding", t("projects.fact.funding"), project.funding_source),
                 Fact("beneficiaries", t("projects.fact.beneficiaries"), project.beneficiaries),
                 Fact("end", t("projects.fact.end"), long_day(t, _day(project.end_date)) if project.end_date else "")]
        return [f for f in facts if f.value]

    def _money(self, project: Project, tasks: list[Task]) -> Money:
        ctx, t = self.ctx, self.ctx.t
        plan, budget, spent = project.estimated_cost or 0.0, sum(x.budget for x in tasks), sum(x.spent for x in tasks)
        base = plan or budget
        share = round(100 * spent / base) if base else 0
        return Money(plan=t("projects.money.plan", money=money_text(ctx, plan)),
                     budget=t("projects.money.budget", money=money_text(ctx, budget)),
                     spent=t("projects.money.spent", money=money_text(ctx, spent), percent=share),
                     fraction=min(1.0, spent / base) if base else 0.0, over=bool(base) and spent > base)

    # -- the story ------------------------------------------------------------------------------------------------
    def _story(self, session: Session, project: Project, tasks: list[Task]) -> list[StoryRow]:
        ctx, t = self.ctx, self.ctx.t
        dated: list[tuple[datetime, StoryRow]] = []
        opinions = [o for o in (session.get(Opinion, i) for i in project.opinion_ids) if o is not None]
        events = [(e, None) for e in timeline(session, project.id)]
        for task in tasks:
            events += [(e, task) for e in timeline(session, task.id)]
        people = names(session, Person, [o.author_id for o in opinions] + [e.actor_id for e, _ in events])
        stations = names(session, Station, (o.station_id for o in opinions))
        issues = names(session, Issue, (o.issue_id for o in opinions))
        units = unit_names(ctx, session)
        waiting = set().union(*waiting_changes(session, [project.id, *(x.id for x in tasks)]).values())
        for o in opinions:
            author = people.get(o.author_id)
            who = " · ".join(p for p in (author.name if author else "", ctx.name_of(stations.get(o.station_id)))
                             if p)
            issue = issues.get(o.issue_id)
            dated.append((o.created_at, StoryRow(
                "opinion", "opinion", t.datetime(o.created_at), t("projects.story.opinion"), who,
                text=o.title if not o.text or o.text == o.title else f"{o.title}\n{o.text}",
                details=(t("projects.story.from_issue", title=issue.title),) if issue else (),
                issue_id=issue.id if issue else None)))
        for event, task in events:
            person = people.get(event.actor_id)
            payload = event.payload or {}
            what, details = self._event_words(event.type, payload, task, units)
            rejected = ""
            if event.rejected_code:
                key = f"error.{event.rejected_code}"
                rejected = t(key) if t.has(key) else (event.rejected_reason or event.rejected_code)
            dated.append((event.created_at, StoryRow(
                "task" if task else "project", event.type, t.datetime(event.created_at), what,
                person.name if person else "", text=str(payload.get("text") or ""), details=details,
                photos=tuple(self._photo(p.get("sha256")) for p in payload.get("photos") or []
                             if isinstance(p, dict) and p.get("sha256")),
                pending=event.id in waiting, rejected=rejected)))
        for ballot in session.exec(select(Ballot).order_by(col(Ballot.created_at))):
            if project.id in (ballot.candidate_ids or []):
                dated.append(self._round_row(session, ballot, project.id))
        dated.sort(key=lambda pair: as_utc(pair[0]))
        return [row for _, row in dated]

    def _event_words(self, type_: str, payload: dict, task: Task | None,
                     units: dict[str, str]) -> tuple[str, tuple[str, ...]]:
        ctx, t = self.ctx, self.ctx.t
        if task is None:
            if type_ == "create":
                return t("projects.story.candidate"), ()
            if type_ == "inspect":
                stage = payload.get("stage")
                return t("event.inspect"), ((t(f"projects.stage.{stage}"),) if stage else ())
            return t(f"event.{type_}"), ()
        if type_ == "create":
            details = [t("projects.story.task_unit", unit=units.get(task.unit_id or "", ""))]
            if task.person:
                details.append(t("projects.task.person", name=task.person))
            if task.deadline:
                details.append(t("projects.story.task_deadline", date=long_day(t, _day(task.deadline))))
            if task.budget:
                details.append(t("projects.task.budget", money=money_text(ctx, task.budget)))
            return t("projects.story.task", title=task.title), (" · ".join(details),)
        details = []
        if payload.get("percent") is not None or type_ == "done":
            details.append(t("projects.task.percent", n=100 if type_ == "done" else payload["percent"]))
        if payload.get("spent") is not None:
            details.append(t("projects.task.spent", money=money_text(ctx, payload["spent"])))
        word = t("projects.story.task_done" if type_ == "done" else "projects.story.task_step", title=task.title,
                 step=t(f"event.{type_}"))
        return word, ((" · ".join(details),) if details else ())

    def _round_row(self, session: Session, ballot: Ballot, project_id: str) -> tuple[datetime, StoryRow]:
        ctx, t = self.ctx, self.ctx.t
        closing = next((e for e in reversed(timeline(session, ballot.id)) if e.type == "close"), None)
        when = closing.created_at if closing is not None else ballot.created_at
        counts = (ballot.results or {}).get(project_id) or {}
        details: list[str] = []
        if ballot.status == "closed" and counts:
            choices = RATING_CHOICES if ballot.purpose == "rating" else ("for", "against", "abstain")
            prefix = "satisfaction" if ballot.purpose == "rating" else "choice"
            details.append(" · ".join(f"{t(f'{prefix}.{c}')} {counts.get(c, 0)}" for c in choices))
            if ballot.purpose == "vote":
                details.append(t(outcome_key(ballot, project_id)))
        else:
            details.append(t(f"projects.round.status.{ballot.status}"))
        return when, StoryRow("round", ballot.purpose, t.datetime(when), ballot.title, "",
                              details=tuple(details), round_id=ballot.id)

    def _photo(self, sha256: str) -> PhotoView:
        photos = self.ctx.photos
        return PhotoView(sha256, photos.read_thumbnail(sha256) if photos.has(sha256) else None, photos.has(sha256))

    def photo_bytes(self, sha256: str) -> bytes | None:
        return self.ctx.photos.read(sha256) if self.ctx.photos.has(sha256) else None

    # -- steps ----------------------------------------------------------------------------------------------------
    def step_form(self, type_: str, on_done: Callable[[], None] | None = None) -> StepForm:
        return StepForm(self.ctx, self.project_id, type_, on_done=on_done, today=self.today)

    def progress_form(self, task_id: str, on_done: Callable[[], None] | None = None) -> StepForm:
        return StepForm(self.ctx, task_id, "progress", on_done=on_done, today=self.today)

    def task_form(self) -> TaskForm:
        return TaskForm(self.ctx, project_id=self.project_id)

    @property
    def tasks_title(self) -> str:
        return self.ctx.t("projects.tasks_title", n=len(self.tasks))


def outcome_key(ballot: Ballot, project_id: str) -> str:
    """当选 / 得票相同，待再次票决 / 未当选 (a closed vote's outcome for one candidate)."""
    if project_id in (ballot.chosen_ids or []):
        return "projects.outcome.chosen"
    if project_id in (ballot.tie_ids or []):
        return "projects.outcome.tie"
    return "projects.outcome.not_chosen"


# -- 提为民生实事建议, from an issue ------------------------------------------------------------------------------------
class ProposeModel:
    """One tap on an issue's detail: the issue becomes a project opinion for the office to shape."""

    PROPOSERS = frozenset({Role.DEPUTY, Role.STATION_STAFF}) | OFFICE_ROLES

    def __init__(self, ctx: AppContext, issue_id: str):
        self.ctx, self.issue_id = ctx, issue_id
        self.error = ""
        actor = _actor(ctx)
        with ctx.session() as session:
            issue = session.get(Issue, issue_id)
            self.visible = issue is not None and actor is not None and actor.role in self.PROPOSERS
            self.proposed = session.exec(select(Opinion.id).where(Opinion.issue_id == issue_id)).first() is not None

    @property
    def label(self) -> str:
        return self.ctx.t("projects.propose.done" if self.proposed else "projects.propose.button")

    def propose(self) -> bool:
        """Record the opinion on this device (it goes up with the next sync); False with `error` if refused."""
        if self.proposed:
            return False
        try:
            with self.ctx.session() as session:
                issue = session.get(Issue, self.issue_id)
                propose_opinion(session, actor=self.ctx.actor(), title=issue.title[:120], text=issue.description,
                                issue_id=issue.id, station_id=issue.station_id)
        except DomainError as error:
            self.error = refusal_text(self.ctx, error)
            return False
        self.proposed = True
        return True

    @property
    def saved_text(self) -> str:
        return self.ctx.t("projects.propose.saved")

