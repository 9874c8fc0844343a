"""票决 and 满意度测评: opening a round, checking deputies in, paper totals, results; a deputy's secret ballot.

    form = RoundForm(ctx, purpose="vote", year=2027)    # title, candidates ticked, how many to choose, the roll
    ballot_id = form.submit() and form.ballot_id
    round_ = RoundModel(ctx, ballot_id)
    round_.check_in_all(); round_.open_round()          # refused without a quorum, with the counts in words
    round_.choose(project_id, "for"); round_.review(); round_.submit()   # on a deputy's phone
    round_.close(); round_.adopt()                      # the office, once the store's counts are in

A deputy's choices live only in this model until they are submitted; once the store has
counted them the phone keeps that the deputy voted, never how.
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
from app.projects import (BALLOT, Ballot, Project, adopt_results, cast_vote, check_cast, choices_of, close_round,
                          open_round)
from app.projects._sheet import result_sheet
from app.records import allowed_events, record_event, state_of, timeline
from app.viewmodels.context import AppContext
from app.viewmodels.inspections import parse_number
from app.viewmodels.issue_actions import Option
from app.viewmodels.office import Chip, Tone, names
from app.viewmodels.projects import (NUMBER, Field, Fields, _actor, _Bad, cast_state, is_office, money_text,
                                     outcome_key, project_chip, purpose_chip, rating_chip, refusal_text, round_chip)
from app.viewmodels.supervise import FILE_NAME_FORBIDDEN

CHOOSE, REVIEW, SENT = "choose", "review", "sent"  # the steps of a deputy's ballot
DEFAULT_TO_CHOOSE = 3
# How each choice is drawn: its tone (the view picks colours; the word is always on the button).
CHOICE_TONES = {"for": Tone.GOOD, "against": Tone.DANGER, "abstain": Tone.QUIET,
                "satisfied": Tone.GOOD, "basic": Tone.INFO, "unsatisfied": Tone.DANGER}


def choice_label(ctx: AppContext, purpose: str, choice: str) -> str:
    return ctx.t(f"choice.{choice}" if purpose == "vote" else f"satisfaction.{choice}")


def deputies(session: Session) -> list[Person]:
    """Every deputy of the township, by station then name: the roll a round has by default."""
    stations = {s.id: s.sort_order for s in session.exec(select(Station))}
    people = session.exec(select(Person).where(Person.role == Role.DEPUTY.value))
    return sorted(people, key=lambda p: (stations.get(p.station_id, 99), p.name))


# -- opening a round ------------------------------------------------------------------------------------------------
@dataclass
class RoundForm(Fields):
    """发起票决 / 发起满意度测评: the title, the candidates ticked, how many to choose, who may vote."""

    purpose: str = "vote"
    year: int = 0
    candidate_ids: list[str] | None = None  # ticked at first (a second round on the tied ones); else every option
    to_choose: int | None = None
    values: dict[str, Any] = field(default_factory=dict, init=False)
    ballot_id: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        wanted = ("candidate",) if self.purpose == "vote" else ("chosen", "completed")
        with ctx.session() as session:
            projects = session.exec(select(Project).where(Project.year == self.year,
                                                          col(Project.status).in_(wanted))
                                    .order_by(col(Project.created_at)))
            self.candidate_options = tuple(Option(p.id, p.title, p.place_name) for p in projects)
            people = deputies(session)
            stations = names(session, Station, (p.station_id for p in people))
            self.roll_options = tuple(Option(p.id, p.name, ctx.name_of(stations.get(p.station_id))) for p in people)
        chosen = self.candidate_ids if self.candidate_ids is not None else [o.value for o in self.candidate_options]
        places = self.to_choose if self.to_choose is not None else min(DEFAULT_TO_CHOOSE, len(chosen)) or 1
        self.values = {"title": t(f"projects.round.default_title.{self.purpose}", y=self.year),
                       "candidate_ids": list(chosen), "to_choose": str(places),
                       "roll_ids": [o.value for o in self.roll_options]}

    @property
    def title(self) -> str:
        return self.ctx.t(f"projects.round.new.{self.purpose}")

    @property
    def fields(self) -> list[Field]:
        fields = [self._field("title", "line", "projects.round.name", required=True),
                  self._field("candidate_ids", "ticks", "projects.round.candidates_field",
                              options=self.candidate_options, hint_key=f"projects.round.none.{self.purpose}"
                              if not self.candidate_options else "")]
        if self.purpose == "vote":
            fields.append(self._field("to_choose", NUMBER, "projects.round.to_choose_field"))
        fields.append(self._field("roll_ids", "ticks", "projects.round.roll_field", options=self.roll_options))
        return fields

    def submit(self) -> bool:
        if not str(self.values["title"]).strip():
            return self.refuse(Problem.TITLE_REQUIRED.message_key, "title")
        places = 0
        if self.purpose == "vote":
            number = parse_number(str(self.values["to_choose"]))
            if not isinstance(number, int):
                return self.refuse("projects.round.to_choose_invalid", "to_choose")
            places = number

        def write(session: Session) -> None:
            ballot = open_round(session, actor=self.ctx.actor(), title=str(self.values["title"]).strip(),
                                year=self.year, candidate_ids=self.values["candidate_ids"],
                                roll_ids=self.values["roll_ids"], to_choose=places, purpose=self.purpose)
            self.ballot_id = ballot.id

        return self._attempt(write, fields=("title", "candidate_ids", "to_choose", "roll_ids"))


# -- one round ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CandidateView:
    id: str
    title: str
    meta: str  # place · 预计投资 48.5 万元
    description: str
    status: Chip  # the project's own: 候选 / 已当选 / 未当选


@dataclass(frozen=True)
class RollRow:
    id: str
    name: str
    station: str
    present: bool


@dataclass(frozen=True)
class ResultRow:
    project_id: str
    title: str
    counts: tuple[tuple[str, int], ...]  # (赞成, 3), (反对, 0), (弃权, 0)
    outcome: Chip | None  # 当选 / 得票相同 / 未当选; a rating's share of satisfied


@dataclass(frozen=True)
class ChoiceButton:
    value: str
    label: str
    tone: Tone
    selected: bool


class RoundModel:
    """A round as the office runs it and as a deputy votes in it."""

    def __init__(self, ctx: AppContext, ballot_id: str, *, today: date | None = None):
        self.ctx, self.ballot_id, self.today = ctx, ballot_id, today or today_in_china()
        self.choices: dict[str, str] = {}
        self.step = CHOOSE
        self.error = ""  # a refusal of the last step, in words
        self.notice = ""  # what the last step did
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        actor = self.actor = _actor(ctx)
        self.is_office = is_office(actor)
        with ctx.session() as session:
            ballot = session.get(Ballot, self.ballot_id)
            self.found = ballot is not None
            if ballot is None:
                self.candidates, self.roll, self.results, self.steps = [], [], [], frozenset()
                self.cast, self.vote_refusal, self.on_roll = cast_state(ctx, session, self.ballot_id), "", False
                self.choices, self.step = {}, CHOOSE
                return
            self.state = state_of(session, BALLOT, ballot)
            self.title, self.purpose, self.status_value = ballot.title, ballot.purpose, ballot.status
            self.purpose_chip, self.status = purpose_chip(ctx, ballot.purpose), round_chip(ctx, ballot.status)
            projects = names(session, Project, ballot.candidate_ids)
            self.candidates = [self._candidate(projects.get(p), p) for p in ballot.candidate_ids]
            people = names(session, Person, ballot.roll_ids)
            stations = names(session, Station, (p.station_id for p in people.values()))
            present = set(ballot.checked_in_ids)
            self.roll = sorted((RollRow(p, people[p].name if p in people else p,
                                        ctx.name_of(stations.get(people[p].station_id)) if p in people else "",
                                        p in present) for p in ballot.roll_ids),
                               key=lambda r: (r.present, r.station, r.name))
            self.roll_size, self.present = len(ballot.roll_ids), len(present)
            self.need = self.roll_size // 2 + 1  # more than half of all deputies on the roll
            self.voted = ballot.voted
            self.steps = frozenset(e.name for e in allowed_events(BALLOT, self.state, actor)) if actor else frozenset()
            closing = next((e for e in timeline(session, ballot.id) if e.type == "close"), None)
            waiting = waiting_changes(session, [ballot.id]).get(ballot.id, set())
            # The counts come from the central store with the close: until it has answered, only paper is known.
            self.counted = ballot.status == "closed" and (closing is None or closing.id not in waiting)
            self.results = self._results(ballot, projects) if self.counted else []
            self.chosen, self.tie = list(ballot.chosen_ids), list(ballot.tie_ids)
            self.can_adopt = (self.is_office and self.counted and ballot.purpose == "vote" and
                              any(p is not None and p.status == "candidate" and p.id not in ballot.tie_ids
                                  for p in projects.values()))
            self.cast = cast_state(ctx, session, ballot.id)
            self.on_roll = actor is not None and actor.id in ballot.roll_ids
            self.vote_refusal = self._refusal()
            self.paper = {p: dict(c) for p, c in self.state.paper.items()}
        if self.cast.voted or not self.can_vote:
            self.choices = {}  # once cast, the screen forgets the choices too
            self.step = SENT if self.cast.voted else CHOOSE

    def _candidate(self, project: Project | None, project_id: str) -> CandidateView:
        ctx, t = self.ctx, self.ctx.t
        if project is None:
            return CandidateView(project_id, t("projects.round.unknown_project"), "", "", Chip("", Tone.QUIET))
        meta = " · ".join(p for p in (project.place_name, t("projects.estimate", money=money_text(
            ctx, project.estimated_cost)) if project.estimated_cost else "") if p)
        return CandidateView(project.id, project.title, meta, project.description,
                             project_chip(ctx, project.status))

    def _results(self, ballot: Ballot, projects: dict[str, Project]) -> list[ResultRow]:
        ctx = self.ctx
        rows = []
        for project_id in ballot.candidate_ids:
            counts = (ballot.results or {}).get(project_id) or {}
            labelled = tuple((choice_label(ctx, ballot.purpose, c), int(counts.get(c, 0)))
                             for c in choices_of(ballot.purpose))
            if ballot.purpose == "vote":
                key = outcome_key(ballot, project_id)
                tone = {"projects.outcome.chosen": Tone.GOOD, "projects.outcome.tie": Tone.WARNING}.get(key, Tone.QUIET)
                outcome: Chip | None = Chip(ctx.t(key), tone)
            else:
                outcome = rating_chip(ctx, {c: int(counts.get(c, 0)) for c in choices_of("rating")}) \
                    if sum(counts.values()) else None
            project = projects.get(project_id)
            rows.append(ResultRow(project_id, project.title if project else project_id, labelled, outcome))
        return rows

    def _refusal(self) -> str:
        """Why this user cannot vote in the round now, in words ('' when they can)."""
        if self.actor is None or self.cast.voted:
            return ""
        try:
            check_cast(self.state, {c: choices_of(self.purpose)[0] for c in self.state.candidates}, self.actor)
        except DomainError as error:
            return refusal_text(self.ctx, error)
        return self.cast.refusal

    # -- what the screen says -------------------------------------------------------------------------------------
    @property
    def can_vote(self) -> bool:
        return self.found and not self.vote_refusal and not self.cast.voted and self.actor is not None

    @property
    def facts(self) -> list[str]:
        t = self.ctx.t
        facts = [t(f"projects.round.items.{self.purpose}", n=len(self.candidates))]
        if self.purpose == "vote":
            facts.append(t("projects.round.to_choose", n=self.state.to_choose))
        facts.append(t("projects.round.present", present=self.present, roll=self.roll_size))
        if self.status_value != "draft":
            facts.append(t("projects.round.voted_count", n=self.voted))
        return facts

    @property
    def quorum_text(self) -> str:
        t = self.ctx.t
        key = "projects.round.quorum_met" if self.present * 2 > self.roll_size else "projects.round.quorum_short"
        return t(key, present=self.present, roll=self.roll_size, need=self.need)

    @property
    def quorum_met(self) -> bool:
        return self.present * 2 > self.roll_size

    @property
    def rule_text(self) -> str:
        """须获得 5 票以上赞成（全体 8 名代表的过半数）, for a vote; the rating's words for a rating round."""
        if self.purpose == "vote":
            return self.ctx.t("projects.round.rule", need=self.need, roll=self.roll_size, k=self.state.to_choose)
        return self.ctx.t("projects.round.rating_rule")

    @property
    def outcome_text(self) -> str:
        t = self.ctx.t
        if not self.counted or self.purpose != "vote":
            return ""
        text = t("projects.round.outcome", n=len(self.chosen))
        return text + (t("projects.round.outcome_tie", n=len(self.tie)) if self.tie else "")

    @property
    def waiting_text(self) -> str:
        """While the close waits for the central store, which alone holds the phones' counts."""
        return self.ctx.t("projects.round.counts_waiting") if self.status_value == "closed" and not self.counted \
            else ""

    @property
    def vote_status(self) -> str:
        """A deputy's words about their ballot: not begun, voted (waiting or counted), refused, not on the roll.

        Nothing for the office or a department, who have no ballot ('' too while the deputy may vote)."""
        t, cast = self.ctx.t, self.cast
        if cast.voted and cast.refusal:
            return cast.refusal  # the store had their ballot from another device
        if cast.voted:
            return t("projects.vote.waiting" if cast.waiting else "projects.vote.counted")
        if cast.refusal:
            return cast.refusal
        if not self.on_roll:
            return t(Problem.NOT_ON_ROLL.message_key) if self.actor is not None and self.actor.role == Role.DEPUTY \
                else ""
        if self.status_value == "draft":
            return t("projects.vote.not_begun")
        if self.status_value == "closed":
            return t("projects.vote.closed")
        return self.vote_refusal

    @property
    def can_check_in(self) -> bool:
        return "check_in" in self.steps

    @property
    def can_open(self) -> bool:
        return "open" in self.steps

    @property
    def can_close(self) -> bool:
        return "close" in self.steps

    @property
    def can_enter_paper(self) -> bool:
        return "paper_totals" in self.steps

    @property
    def absent(self) -> list[RollRow]:
        return [r for r in self.roll if not r.present]

    # -- the office's steps ---------------------------------------------------------------------------------------
    def _record(self, type_: str, payload: dict[str, Any]) -> bool:
        self.error = self.notice = ""
        try:
            with self.ctx.session() as session:
                record_event(session, BALLOT, actor=self.ctx.actor(), record_id=self.ballot_id, type_=type_,
                             payload=payload)
        except DomainError as error:
            self.error = refusal_text(self.ctx, error)
            return False
        self.reload()
        return True

    def check_in(self, person_id: str) -> bool:
        return self._record("check_in", {"person_id": person_id})

    def check_in_all(self) -> bool:
        """签到 for everyone on the roll not checked in yet."""
        return all([self.check_in(r.id) for r in self.absent])

    def open_round(self) -> bool:
        """开始投票: refused, with the counts in words, unless more than half of all deputies are present."""
        return self._record("open", {})

    def close(self) -> bool:
        self.error = self.notice = ""
        try:
            with self.ctx.session() as session:
                close_round(session, actor=self.ctx.actor(), ballot_id=self.ballot_id)
        except DomainError as error:
            self.error = refusal_text(self.ctx, error)
            return False
        self.reload()
        return True

    def adopt(self) -> bool:
        """确认结果: the chosen candidates become this year's livelihood projects, the others not chosen."""
        self.error = self.notice = ""
        try:
            with self.ctx.session() as session:
                adopted = adopt_results(session, actor=self.ctx.actor(), ballot_id=self.ballot_id)
        except DomainError as error:
            self.error = refusal_text(self.ctx, error)
            return False
        self.notice = self.ctx.t("projects.round.adopted", n=len(adopted))
        self.reload()
        return True

    def paper_form(self) -> "PaperForm":
        return PaperForm(self.ctx, round_=self)

    def second_round_form(self) -> RoundForm:
        """A second round on the tied candidates, for the places still open."""
        places = max(1, self.state.to_choose - len(self.chosen))
        return RoundForm(self.ctx, purpose="vote", year=self._year(), candidate_ids=list(self.tie), to_choose=places)

    def _year(self) -> int:
        with self.ctx.session() as session:
            ballot = session.get(Ballot, self.ballot_id)
            return ballot.year if ballot else self.today.year

    def sheet_file(self) -> tuple[str, bytes]:
        """The result sheet (Word), and a file name to save it under."""
        ctx = self.ctx
        with ctx.session() as session:
            ballot = session.get(Ballot, self.ballot_id)
            data = result_sheet(session, ballot, ctx.settings)
        name = ctx.t("projects.round.file_name", title=ballot.title)
        return "".join("_" if c in FILE_NAME_FORBIDDEN else c for c in name) + ".docx", data

    def letter_file(self, _ballot_id: str) -> tuple[str, bytes]:
        """What the office's Word saver asks of a model (it was made for letters)."""
        return self.sheet_file()

    # -- a deputy's ballot ----------------------------------------------------------------------------------------
    def buttons(self, project_id: str) -> list[ChoiceButton]:
        chosen = self.choices.get(project_id)
        return [ChoiceButton(c, choice_label(self.ctx, self.purpose, c), CHOICE_TONES[c], c == chosen)
                for c in choices_of(self.purpose)]

    def choose(self, project_id: str, choice: str) -> None:
        if project_id in self.state.candidates and choice in choices_of(self.purpose):
            self.choices[project_id] = choice
            self.error = ""

    @property
    def missing(self) -> int:
        return sum(1 for c in self.state.candidates if c not in self.choices) if self.found else 0

    @property
    def progress_text(self) -> str:
        return self.ctx.t("projects.vote.progress", done=len(self.candidates) - self.missing, n=len(self.candidates))

    def review(self) -> bool:
        """下一步: the whole ballot to check before it is sent; refused while a candidate has no choice."""
        if self.missing:
            self.error = self.ctx.t("projects.vote.missing", n=self.missing)
            return False
        self.error, self.step = "", REVIEW
        return True

    def edit(self) -> None:
        self.step = CHOOSE

    @property
    def review_rows(self) -> list[tuple[str, ChoiceButton]]:
        return [(c.title, next(b for b in self.buttons(c.id) if b.selected)) for c in self.candidates
                if c.id in self.choices]

    def submit(self) -> bool:
        """提交选票: into the outbox, sent at once when online; the screen forgets the choices."""
        self.error = ""
        try:
            with self.ctx.session() as session:
                cast_vote(session, actor=self.ctx.actor(), ballot_id=self.ballot_id, choices=dict(self.choices))
        except DomainError as error:
            self.error = refusal_text(self.ctx, error)
            return False
        self.choices, self.step = {}, SENT
        self.reload()
        return True


# -- paper ballots counted by the tellers -------------------------------------------------------------------------
@dataclass
class PaperForm(Fields):
    """录入纸质选票: for each candidate, how many paper ballots said each choice; added to the phones' counts."""

    round_: RoundModel | None = None
    values: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        round_ = self.round_
        self.values = {"papers": ""}
        for candidate in round_.candidates:
            counts = round_.paper.get(candidate.id, {})
            for choice in choices_of(round_.purpose):
                self.values[f"{candidate.id}:{choice}"] = str(counts[choice]) if choice in counts else ""

    @property
    def title(self) -> str:
        return self.ctx.t("projects.paper.title")

    @property
    def groups(self) -> list[tuple[str, list[Field]]]:
        """Each candidate with one number field per choice."""
        round_ = self.round_
        groups = [(self.ctx.t("projects.paper.papers_title"),
                   [self._field("papers", NUMBER, "projects.paper.papers")])]
        for candidate in round_.candidates:
            fields = []
            for choice in choices_of(round_.purpose):
                name = f"{candidate.id}:{choice}"
                fields.append(Field(name, NUMBER, choice_label(self.ctx, round_.purpose, choice),
                                    self.values[name], error=self.errors.get(name, "")))
            groups.append((candidate.title, fields))
        return groups

    def submit(self) -> bool:
        totals: dict[str, dict[str, int]] = {}
        try:
            for name, text in self.values.items():
                if name == "papers" or not str(text).strip():
                    continue
                project, _, choice = name.partition(":")
                totals.setdefault(project, {})[choice] = self._count(name)
            papers = self._count("papers") if str(self.values["papers"]).strip() else None
        except _Bad as bad:
            return self.refuse(bad.key, bad.field, **bad.params)
        if not totals:
            return self.refuse("projects.paper.nothing")
        for project, counts in totals.items():  # a candidate's totals replace what was entered for it before
            for choice in choices_of(self.round_.purpose):
                counts.setdefault(choice, 0)
        payload: dict[str, Any] = {"totals": totals}
        if papers is not None:
            payload["papers"] = papers

        def write(session: Session) -> None:
            record_event(session, BALLOT, actor=self.ctx.actor(), record_id=self.round_.ballot_id,
                         type_="paper_totals", payload=payload)

        return self.attempt(write, fields=("papers",))

    def _count(self, name: str) -> int:
        text = str(self.values[name]).strip()
        number = parse_number(text)
        if not isinstance(number, int) or number < 0:
            raise _Bad(name, "projects.paper.count_invalid", value=text)
        return number
