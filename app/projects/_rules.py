"""The rules of livelihood projects: opinions merged into candidates, the ballot, tasks, inspections, ratings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping

from pydantic import Field

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor, Role
from app.clock import to_china
from app.errors import DomainError
from app.problems import Problem
from app.records import Context, EventType, Happened, Payload, PhotoBody, value_of

VOTE_CHOICES = ("for", "against", "abstain")  # 赞成 / 反对 / 弃权
RATING_CHOICES = ("satisfied", "basic", "unsatisfied")  # 满意 / 基本满意 / 不满意
TEXT = {"text": Problem.TEXT_REQUIRED}


def choices_of(purpose: str) -> tuple[str, ...]:
    return VOTE_CHOICES if purpose == "vote" else RATING_CHOICES


# ---------------------------------------------------------------- opinions

@dataclass(frozen=True)
class OpinionState:
    status: str = "open"  # open → merged
    project_id: str | None = None


class OpinionMergePayload(Payload):
    project_id: str | None = Field(default=None, max_length=100)


def _merge(state: OpinionState, event: Happened) -> OpinionState:
    return replace(state, project_id=event.payload["project_id"])


OPINION_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("merge", frozenset({"open"}), OFFICE_ROLES, OpinionMergePayload, leads_to="merged",
              required={"project_id": Problem.UNKNOWN_PROJECT},
              references={"project_id": ("project", Problem.UNKNOWN_PROJECT)}, effect=_merge),
    EventType("comment", frozenset({"open", "merged"}), ALL_ROLES, required=TEXT),
)}


# ---------------------------------------------------------------- projects

@dataclass(frozen=True)
class ProjectState:
    status: str = "candidate"  # candidate → chosen (→ completed) | not_chosen
    id: str | None = None
    ballot_id: str | None = None
    inspections: int = 0


class AdoptPayload(Payload):
    ballot_id: str | None = Field(default=None, max_length=100)


class InspectPayload(Payload):
    stage: str | None = Field(default=None, pattern=r"^(mid_year|year_end|other)$")
    photos: list[PhotoBody] = Field(default_factory=list, max_length=20)


def _check_adopt(state: ProjectState, event: Happened, ctx: Context | None) -> None:
    """A project is adopted only when a closed round chose it."""
    if ctx is None:
        return
    ballot = ctx.row("ballot", event.payload["ballot_id"])
    if ballot is None or ballot["status"] != "closed" or state.id not in (ballot["chosen_ids"] or []):
        raise DomainError(Problem.NOT_CHOSEN, field="ballot_id")


def project_start(row: Any, _payload: Mapping[str, Any]) -> ProjectState:
    return ProjectState(id=value_of(row, "id"))


def project_derived(state: ProjectState) -> dict[str, Any]:
    return {"status": state.status, "ballot_id": state.ballot_id, "inspections": state.inspections}


def _adopt(state: ProjectState, event: Happened) -> ProjectState:
    return replace(state, ballot_id=event.payload["ballot_id"])


def _inspected(state: ProjectState, _event: Happened) -> ProjectState:
    return replace(state, inspections=state.inspections + 1)


PROJECT_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("adopt", frozenset({"candidate"}), OFFICE_ROLES, AdoptPayload, leads_to="chosen",
              required={"ballot_id": Problem.NOT_CHOSEN}, check=_check_adopt, effect=_adopt),
    EventType("decline", frozenset({"candidate"}), OFFICE_ROLES, AdoptPayload, leads_to="not_chosen"),
    EventType("inspect", frozenset({"chosen", "completed"}), FIELD_ROLES | OFFICE_ROLES, InspectPayload,
              required=TEXT, attaches_photos=True, effect=_inspected),
    EventType("complete", frozenset({"chosen"}), OFFICE_ROLES, leads_to="completed", required=TEXT),
    EventType("comment", frozenset({"candidate", "chosen", "not_chosen", "completed"}), ALL_ROLES, required=TEXT),
)}


# ---------------------------------------------------------------- tasks

@dataclass(frozen=True)
class TaskState:
    status: str = "open"  # open → done
    percent: int = 0
    spent: float = 0.0
    done_at: date | None = None
    unit_kind: str = "department"
    unit_id: str | None = None


class ProgressPayload(Payload):
    percent: Any = None
    spent: float | None = Field(default=None, ge=0, le=1e7, allow_inf_nan=False)
    photos: list[PhotoBody] = Field(default_factory=list, max_length=20)


def _check_progress(_state: TaskState, event: Happened, _ctx: Context | None) -> None:
    percent = event.payload.get("percent")
    if percent is not None and (not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100):
        raise DomainError(Problem.PERCENT_RANGE, field="percent")


def _progress(state: TaskState, event: Happened) -> TaskState:
    percent = event.payload.get("percent")
    spent = event.payload.get("spent")
    return replace(state, percent=state.percent if percent is None else int(percent),
                   spent=state.spent if spent is None else float(spent))


def _done(state: TaskState, event: Happened) -> TaskState:
    spent = event.payload.get("spent")  # the last report gives what the whole task cost
    return replace(state, percent=100, done_at=to_china(event.at).date(),
                   spent=state.spent if spent is None else float(spent))


def _responsible(state: TaskState, actor: Actor) -> None:
    """The responsible unit reports: its department, or the station's staff and deputies; the office too."""
    if actor.role in OFFICE_ROLES:
        return
    mine = actor.department_id if state.unit_kind == "department" else actor.station_id
    if mine is None or mine != state.unit_id:
        raise DomainError(Problem.NOT_YOUR_DEPARTMENT)


REPORTERS = OFFICE_ROLES | FIELD_ROLES | {Role.DEPARTMENT}
TASK_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("progress", frozenset({"open"}), REPORTERS, ProgressPayload, may=_responsible, required=TEXT,
              check=_check_progress, effect=_progress, attaches_photos=True),
    EventType("done", frozenset({"open"}), REPORTERS, ProgressPayload, leads_to="done", may=_responsible,
              required=TEXT, effect=_done, attaches_photos=True),
    EventType("comment", frozenset({"open", "done"}), ALL_ROLES, required=TEXT),
)}


# ---------------------------------------------------------------- ballot rounds

@dataclass(frozen=True)
class BallotState:
    status: str = "draft"  # draft → open → closed
    purpose: str = "vote"
    to_choose: int = 0
    candidates: tuple[str, ...] = ()
    roll: tuple[str, ...] = ()
    checked_in: tuple[str, ...] = ()
    paper: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # counted by tellers, as totals
    results: Mapping[str, Any] = field(default_factory=dict)
    chosen: tuple[str, ...] = ()
    tie: tuple[str, ...] = ()
    voters: tuple[str, ...] = ()  # who voted on their phones, published with the counts at the close


class CheckInPayload(Payload):
    person_id: str | None = Field(default=None, max_length=100)


class PaperPayload(Payload):
    # project id -> choice -> how many paper ballots said so (added to the electronic counts)
    totals: dict[str, dict[str, int]] = Field(default_factory=dict)
    papers: int | None = Field(default=None, ge=0, le=10_000)


class ClosePayload(Payload):
    # Given by the central store when it accepts the close: the electronic counts, project -> choice -> n.
    tallies: dict[str, dict[str, int]] = Field(default_factory=dict)
    # Who voted (that they voted, never how): for each deputy's duty record. Sorted, given with the counts.
    voters: list[str] = Field(default_factory=list, max_length=500)


def _check_in(state: BallotState, event: Happened) -> BallotState:
    person = event.payload["person_id"]
    return state if person in state.checked_in else replace(state, checked_in=state.checked_in + (person,))


def _check_checkin(state: BallotState, event: Happened, _ctx: Context | None) -> None:
    if event.payload["person_id"] not in state.roll:
        raise DomainError(Problem.NOT_ON_ROLL, field="person_id")


def _check_open(state: BallotState, _event: Happened, _ctx: Context | None) -> None:
    if len(state.checked_in) * 2 <= len(state.roll):
        raise DomainError(Problem.NO_QUORUM, present=len(state.checked_in), roll=len(state.roll))


def _check_paper(state: BallotState, event: Happened, _ctx: Context | None) -> None:
    allowed = set(choices_of(state.purpose))
    for project, counts in event.payload.get("totals", {}).items():
        if project not in state.candidates or not set(counts) <= allowed or \
                any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts.values()):
            raise DomainError(Problem.BAD_BALLOT, field="totals")


def _paper(state: BallotState, event: Happened) -> BallotState:
    return replace(state, paper={**state.paper, **event.payload.get("totals", {})})


def _close(state: BallotState, event: Happened) -> BallotState:
    counts = tally(state, event.payload.get("tallies") or {})
    chosen, tie = outcome(state, counts) if state.purpose == "vote" else ((), ())
    return replace(state, results=counts, chosen=chosen, tie=tie, voters=tuple(event.payload.get("voters") or ()))


def tally(state: BallotState, electronic: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """The counts of each candidate: the phones' ballots and the tellers' paper totals, added."""
    return {project: {choice: int((electronic.get(project) or {}).get(choice, 0))
                      + int((state.paper.get(project) or {}).get(choice, 0)) for choice in choices_of(state.purpose)}
            for project in state.candidates}


def outcome(state: BallotState, counts: Mapping[str, Mapping[str, int]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Which candidates are chosen, and which tie for the last places (for a second round).

    A candidate passes with the votes of more than half of all deputies on the roll; if more
    pass than are to be chosen, the highest counts win; candidates level at the last place,
    more of them than places left, tie.
    """
    passing = sorted((p for p in state.candidates if counts[p]["for"] * 2 > len(state.roll)),
                     key=lambda p: -counts[p]["for"])
    if len(passing) <= state.to_choose:
        return tuple(passing), ()
    cut = counts[passing[state.to_choose - 1]]["for"]
    above = tuple(p for p in passing if counts[p]["for"] > cut)
    level = tuple(p for p in passing if counts[p]["for"] == cut)
    if len(above) + len(level) == state.to_choose:
        return above + level, ()
    return above, level


def ballot_start(row: Any, _payload: Mapping[str, Any]) -> BallotState:
    return BallotState(purpose=value_of(row, "purpose") or "vote", to_choose=value_of(row, "to_choose") or 0,
                       candidates=tuple(value_of(row, "candidate_ids") or ()),
                       roll=tuple(value_of(row, "roll_ids") or ()))


def ballot_derived(state: BallotState) -> dict[str, Any]:
    return {"status": state.status, "checked_in_ids": list(state.checked_in), "results": dict(state.results),
            "chosen_ids": list(state.chosen), "tie_ids": list(state.tie), "voter_ids": list(state.voters)}


BALLOT_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("check_in", frozenset({"draft", "open"}), OFFICE_ROLES, CheckInPayload,
              required={"person_id": Problem.PERSON_REQUIRED}, check=_check_checkin, effect=_check_in),
    EventType("open", frozenset({"draft"}), OFFICE_ROLES, leads_to="open", check=_check_open),
    EventType("paper_totals", frozenset({"open"}), OFFICE_ROLES, PaperPayload, check=_check_paper, effect=_paper),
    EventType("close", frozenset({"open"}), OFFICE_ROLES, ClosePayload, leads_to="closed", effect=_close),
    EventType("comment", frozenset({"draft", "open", "closed"}), ALL_ROLES, required=TEXT),
)}


def check_cast(state: BallotState, choices: Mapping[str, str], actor: Actor) -> None:
    """Raise DomainError unless this deputy may cast this ballot in this round now."""
    if state.status != "open":
        raise DomainError(Problem.VOTE_NOT_OPEN, status=state.status)
    if actor.id not in state.roll:
        raise DomainError(Problem.NOT_ON_ROLL)
    allowed = choices_of(state.purpose)
    if set(choices) != set(state.candidates) or any(c not in allowed for c in choices.values()):
        raise DomainError(Problem.BAD_BALLOT, field="choices")


def opinion_start(_row: Any, _payload: Mapping[str, Any]) -> OpinionState:
    return OpinionState()


def opinion_derived(state: OpinionState) -> dict[str, Any]:
    return {"status": state.status, "project_id": state.project_id}


def task_start(row: Any, _payload: Mapping[str, Any]) -> TaskState:
    return TaskState(unit_kind=value_of(row, "unit_kind") or "department", unit_id=value_of(row, "unit_id"))


def task_derived(state: TaskState) -> dict[str, Any]:
    return {"status": state.status, "percent": state.percent, "spent": state.spent, "done_at": state.done_at}
