"""业务培训 on screen, with no page: the office puts sessions on record and ticks who came (offline); a deputy
confirms on their own phone that they were there.

    MyTrainingsModel(ctx)              the sessions a deputy is listed for, 确认参加 on each
    TrainingsModel(ctx)                the office's sessions of a year, and who attended what; TrainingForm
    TrainingModel(ctx, training_id)    one session: its facts and materials, the list to tick, 取消
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Sequence

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Role
from app.errors import DomainError
from app.issues import today_in_china
from app.models import Person, Station
from app.photos import PhotoError, process_photos
from app.problems import Problem
from app.records import PhotoBody, allowed_events, photos_of, record_event, state_of
from app.trainings import ORGANISERS, TRAINING, Training, confirm_attendance, plan_training, take_attendance
from app.viewmodels.context import AppContext
from app.viewmodels.issue_actions import Option
from app.viewmodels.office import Chip, Tone
from app.viewmodels.projects import Choice, Field, Fields

TRAININGS = "/trainings"  # the office's; one session: /trainings/<id>
MY_TRAININGS = "/me/trainings"
TONE = {"planned": Tone.INFO, "held": Tone.GOOD, "cancelled": Tone.QUIET}
ROSTER_ROLES = (Role.DEPUTY, Role.STATION_STAFF)


def training_chip(ctx: AppContext, status: str) -> Chip:
    return Chip(ctx.t.of_kind("status", "training", status), TONE.get(status, Tone.QUIET))


def training_facts(ctx: AppContext, training: Training) -> str:
    """3月20日 · 镇人大会议室 · 主讲 县人大常委会 张主任."""
    t = ctx.t
    day = training.day
    parts = [t("training.date", y=day.year, m=day.month, d=day.day) if day else "", training.place,
             t("training.trainer", name=training.trainer) if training.trainer else ""]
    return " · ".join(p for p in parts if p)


def _refusal(ctx: AppContext, error: DomainError) -> str:
    return ctx.t(error.code.message_key, **error.params)


def roster(session: Session) -> list[Person]:
    """Who a session may list: the township's deputies and station staff, by name."""
    return list(session.exec(select(Person).where(col(Person.role).in_([r.value for r in ROSTER_ROLES]))
                             .order_by(col(Person.name))))


# -- a deputy's trainings -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MyTrainingRow:
    id: str
    title: str
    status: Chip
    facts: str
    mine: Chip  # 已参加 / 待确认
    can_confirm: bool


class MyTrainingsModel:
    """培训: the sessions this deputy is listed for, the latest first; 确认参加 where they were there."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.error = ""
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.rows: list[MyTrainingRow] = []
        if user is None:
            return
        with ctx.session() as session:
            sessions = session.exec(select(Training).order_by(col(Training.day).desc()))
            for training in sessions:
                if training.invited_ids and user.id not in training.invited_ids or training.status == "cancelled":
                    continue
                went = user.id in training.attended_ids
                mine = Chip(t("training.attended"), Tone.GOOD) if went else Chip(t("training.not_confirmed"),
                                                                                 Tone.WARNING)
                self.rows.append(MyTrainingRow(training.id, training.title, training_chip(ctx, training.status),
                                               training_facts(ctx, training), mine, not went))

    @property
    def to_confirm(self) -> int:
        return sum(1 for r in self.rows if r.can_confirm)

    @property
    def empty_text(self) -> str:
        return self.ctx.t("training.empty_mine")

    def confirm(self, training_id: str) -> bool:
        """确认参加: recorded on this phone, sent when the network allows."""
        self.error = ""
        try:
            with self.ctx.session() as session:
                confirm_attendance(session, actor=self.ctx.actor(), training_id=training_id)
        except DomainError as refusal:
            self.error = _refusal(self.ctx, refusal)
            return False
        self.reload()
        return True


# -- the office's list --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingRow:
    id: str
    title: str
    status: Chip
    facts: str
    attendance: str  # 参训 8 / 10 人


@dataclass(frozen=True)
class AttendeeLine:
    name: str
    text: str  # 2 场：联络站工作规范；台账规范


class TrainingsModel:
    """The office's 业务培训 of a year: each session with its attendance, then who attended what."""

    def __init__(self, ctx: AppContext, *, year: int | None = None, today: date | None = None):
        self.ctx, self.year, self.today = ctx, year, today or today_in_china()
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.may_plan = user is not None and user.role in {r.value for r in ORGANISERS}
        with ctx.session() as session:
            every = list(session.exec(select(Training).order_by(col(Training.day).desc())))
            years = {x.day.year for x in every if x.day}
            if self.year is None:
                self.year = self.today.year if self.today.year in years or not years else max(years)
            self.years = [Choice(y, t("training.year", y=y), y == self.year)
                          for y in sorted(years | {self.today.year}, reverse=True)]
            shown = [x for x in every if x.day and x.day.year == self.year]
            self.rows = [TrainingRow(x.id, x.title, training_chip(ctx, x.status), training_facts(ctx, x),
                                     t("training.attendance", n=x.attended, of=len(x.invited_ids))
                                     if x.invited_ids else t("training.attendance_open", n=x.attended))
                         for x in shown]
            attended: dict[str, list[str]] = {}
            for x in shown:
                if x.status != "cancelled":
                    for person in x.attended_ids:
                        attended.setdefault(person, []).append(x.title)
            people = {p.id: p.name for p in session.exec(select(Person).where(col(Person.id).in_(list(attended))))}
            self.attendees = sorted((AttendeeLine(people[p], t("training.attended_what", n=len(titles),
                                                               titles="；".join(titles)))
                                     for p, titles in attended.items() if p in people),
                                    key=lambda a: a.name)

    @property
    def heading(self) -> str:
        return self.ctx.t("training.heading", y=self.year, n=len(self.rows))

    @property
    def attendees_title(self) -> str:
        return self.ctx.t("training.attendees_title", n=len(self.attendees))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("training.empty", y=self.year)

    def choose_year(self, year: int) -> None:
        self.year = year
        self.reload()

    def form(self) -> "TrainingForm":
        return TrainingForm(self.ctx)


@dataclass
class TrainingForm(Fields):
    """新增培训: topic, day, place, trainer, materials, who is listed (every deputy and station staff by default)."""

    values: dict[str, Any] = field(default_factory=dict, init=False)
    training_id: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        with self.ctx.session() as session:
            people = roster(session)
            stations = {s.id: s for s in session.exec(select(Station))}
        self.people_options = tuple(Option(p.id, p.name, self.ctx.name_of(stations.get(p.station_id)))
                                    for p in people)
        self.values = {"title": "", "day": today_in_china().isoformat(), "place": "", "trainer": "",
                       "materials": "", "invited_ids": [o.value for o in self.people_options]}

    @property
    def title(self) -> str:
        return self.ctx.t("training.form.title")

    @property
    def fields(self) -> list[Field]:
        return [self._field("title", "line", "training.form.topic", required=True),
                self._field("day", "date", "training.form.day", required=True),
                self._field("place", "line", "training.form.place"),
                self._field("trainer", "line", "training.form.trainer"),
                self._field("materials", "lines", "training.form.materials"),
                self._field("invited_ids", "ticks", "training.form.invited", options=self.people_options)]

    def submit(self) -> bool:
        if not str(self.values["title"]).strip():
            return self.refuse(Problem.TITLE_REQUIRED.message_key, "title")
        if not self.values["invited_ids"]:
            return self.refuse("training.form.nobody", "invited_ids")

        def write(session: Session) -> None:
            training = plan_training(session, actor=self.ctx.actor(), title=str(self.values["title"]).strip(),
                                     day=self._date("day", required=True), place=str(self.values["place"]).strip(),
                                     trainer=str(self.values["trainer"]).strip(),
                                     materials=str(self.values["materials"]).strip(),
                                     invited_ids=list(self.values["invited_ids"]))
            self.training_id = training.id

        return self._attempt(write, fields=[f.name for f in self.fields])


# -- one session ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RosterLine:
    person_id: str
    name: str
    detail: str  # the station
    ticked: bool  # on the list being ticked (what was recorded, changed by the taps not yet saved)


class TrainingModel:
    """One session: its facts, materials and photos; the office ticks who came and saves the list; 取消."""

    def __init__(self, ctx: AppContext, training_id: str):
        self.ctx, self.training_id = ctx, training_id
        self.ticks: dict[str, bool] = {}  # taps not yet saved
        self.error = self.notice = ""
        self.progress = False
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        with ctx.session() as session:
            training = session.get(Training, self.training_id)
            self.found = training is not None
            if training is None:
                self.title, self.facts, self.materials, self.photos, self.lines = "", "", "", [], []
                self.status, self.may = Chip("", Tone.QUIET), set()
                return
            self.title, self.facts, self.materials = training.title, training_facts(ctx, training), training.materials
            self.status = training_chip(ctx, training.status)
            actor = ctx.actor() if user is not None else None
            state = state_of(session, TRAINING, training)
            self.may = {e.name for e in allowed_events(TRAINING, state, actor)} if actor else set()
            self.photos = [p.sha256 for p in photos_of(session, training.id)]
            people = {p.id: p for p in roster(session)}
            listed = training.invited_ids or list(people)
            stations = {s.id: s for s in session.exec(select(Station))}
            self.lines = []
            for pid in listed:
                person = people.get(pid) or session.get(Person, pid)
                if person is None:
                    continue
                ticked = self.ticks.get(pid, pid in training.attended_ids)
                self.lines.append(RosterLine(pid, person.name, ctx.name_of(stations.get(person.station_id)), ticked))
            self.attended = list(training.attended_ids)
            self.summary = t("training.attendance", n=len(training.attended_ids), of=len(listed))

    @property
    def may_tick(self) -> bool:
        return "attendance" in self.may

    @property
    def may_cancel(self) -> bool:
        return "cancel" in self.may

    @property
    def may_add_materials(self) -> bool:
        return "materials" in self.may

    @property
    def unsaved(self) -> bool:
        return any(on != (pid in self.attended) for pid, on in self.ticks.items())

    def tick(self, person_id: str, on: bool) -> None:
        self.ticks[person_id] = on
        self.notice = ""
        self.reload()

    def tick_all(self) -> None:
        for line in self.lines:
            self.ticks[line.person_id] = True
        self.reload()

    def save_attendance(self) -> bool:
        """保存出勤: who was there and who was not, as ticked (offline; sent when the network allows)."""
        present = [line.person_id for line in self.lines if line.ticked]
        absent = [line.person_id for line in self.lines if not line.ticked and line.person_id in self.attended]
        if not present and not absent:
            self.error = self.ctx.t("training.tick_someone")
            return False
        ok = self._step(lambda session: take_attendance(session, actor=self.ctx.actor(),
                                                        training_id=self.training_id, present_ids=present,
                                                        absent_ids=absent))
        if ok:
            self.ticks = {}
            self.notice = self.ctx.t("training.attendance_saved", n=len(present))
            self.reload()
        return ok

    def cancel_form(self) -> "CancelForm":
        return CancelForm(self.ctx, training_id=self.training_id)

    async def add_materials(self, files: Sequence[tuple[str, bytes]]) -> bool:
        """Photos of the handouts or slides, through the photo pipeline, then recorded on the session."""
        self.error = ""
        if not files:
            return False
        self.progress = True
        results = await process_photos([data for _name, data in files])
        self.progress = False
        kept, refused = [], []
        for (name, _data), result in zip(files, results):
            if isinstance(result, PhotoError):
                refused.append(self.ctx.t("capture.photo_refused", name=name,
                                          reason=self.ctx.t(result.message_key, **result.params)))
            else:
                self.ctx.photos.put(result)
                kept.append(PhotoBody(sha256=result.sha256, width=result.width, height=result.height,
                                      byte_size=len(result.data)).model_dump(mode="json"))
        if kept:
            self._step(lambda session: record_event(session, TRAINING, actor=self.ctx.actor(),
                                                    record_id=self.training_id, type_="materials",
                                                    payload={"photos": kept}))
        if refused:
            self.error = "\n".join(refused)
        return bool(kept)

    def _step(self, action: Callable[[Session], object]) -> bool:
        self.error = ""
        try:
            with self.ctx.session() as session:
                action(session)
        except DomainError as refusal:
            self.error = _refusal(self.ctx, refusal)
            return False
        self.reload()
        return True


@dataclass
class CancelForm(Fields):
    """取消培训: why, for the record and for those listed."""

    training_id: str = ""
    values: dict[str, Any] = field(default_factory=lambda: {"text": ""}, init=False)

    @property
    def title(self) -> str:
        return self.ctx.t("training.cancel_title")

    @property
    def fields(self) -> list[Field]:
        return [self._field("text", "lines", "training.cancel_reason", required=True)]

    def submit(self) -> bool:
        reason = str(self.values["text"]).strip()
        if not reason:
            return self.refuse("training.cancel_reason_required", "text")
        return self.attempt(lambda session: record_event(session, TRAINING, actor=self.ctx.actor(),
                                                         record_id=self.training_id, type_="cancel",
                                                         payload={"text": reason}), fields=["text"])
