"""Livelihood projects chosen by the deputies' vote (民生实事项目票决制), then tasked, supervised and rated.

    _model.py   opinions, projects, tasks, ballot rounds; and what only the central store holds
    _rules.py   merging opinions, adopting what a round chose, tasks, inspections, rounds, counting
    _sheet.py   the result sheet (Word): counts per candidate, the quorum, the outcome

The ballot is secret. A deputy's phone sends `ballot.cast` with a choice for each
candidate; the central store records in one place that the deputy voted (so nobody
votes twice, also not from two devices) and in another adds the choices to counts that
carry no voter; no event, no change-log row, no stored hash and no answer holds the
choices with the voter, and the phone forgets them once the store has answered. The
counts are published when the office closes the round. A rating round (满意度测评)
works the same way with 满意 / 基本满意 / 不满意.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Mapping, Sequence

from sqlalchemy import and_, case, insert, or_, update
from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Actor, Role
from app.clock import utcnow
from app.errors import DomainError
from app.ids import new_id
from app.models import OutboxMutation
from app.problems import Problem
from app.projects._model import (Ballot, BallotCount, BallotCreate, BallotPublic, BallotVoter, CastBody, Opinion,
                                 OpinionCreate, OpinionPublic, Project, ProjectCreate, ProjectPublic, Task,
                                 TaskCreate, TaskPublic)
from app.projects._rules import (BALLOT_EVENTS, OPINION_EVENTS, PROJECT_EVENTS, RATING_CHOICES, TASK_EVENTS,
                                 VOTE_CHOICES, BallotState, ballot_derived, ballot_start, check_cast, choices_of,
                                 opinion_derived, opinion_start, outcome, project_derived, project_start, tally,
                                 task_derived, task_start)
from app.records import (Action, Grant, RecordKind, Scope, Visibility, create_record, queue, record_event, register,
                         state_of)

# Projects are the township's business: everyone signed in sees them, their tasks and their rounds.
EVERYONE = Visibility({role: frozenset({Grant.ALL}) for role in Role if role is not Role.PUBLIC})


def _opinion_row(body: OpinionCreate, actor: Actor) -> dict[str, Any]:
    return dict(title=body.title.strip(), text=body.text, station_id=body.station_id or actor.station_id,
                issue_id=body.issue_id, concern_id=body.concern_id, author_id=actor.id)


OPINION = register(RecordKind(
    name="opinion", table=Opinion, public=OpinionPublic, create=OpinionCreate, events=OPINION_EVENTS,
    initial_status="open", start=opinion_start, row=_opinion_row, derived=opinion_derived, visibility=EVERYONE,
    scope=Scope(station="station_id", department=None, author="author_id"),
))


def _project_row(body: ProjectCreate, actor: Actor) -> dict[str, Any]:
    return dict(title=body.title.strip(), description=body.description, place_name=body.place_name,
                estimated_cost=body.estimated_cost, funding_source=body.funding_source,
                beneficiaries=body.beneficiaries, year=body.year, end_date=body.end_date, author_id=actor.id,
                opinion_ids=list(body.opinion_ids), issue_ids=list(body.issue_ids))


PROJECT = register(RecordKind(
    name="project", table=Project, public=ProjectPublic, create=ProjectCreate, events=PROJECT_EVENTS,
    initial_status="candidate", start=project_start, row=_project_row, derived=project_derived,
    visibility=EVERYONE, scope=Scope(station=None, department=None, author="author_id"),
    may_create=lambda actor, _body: actor.role in OFFICE_ROLES,
))


def _task_check(body: TaskCreate, ctx: Any, _actor: Actor) -> None:
    project = ctx.row("project", body.project_id)
    if project is None:
        raise DomainError(Problem.UNKNOWN_PROJECT, field="project_id")
    end = project["end_date"]
    end = date.fromisoformat(end) if isinstance(end, str) else end
    if end is not None and body.deadline > end:
        raise DomainError(Problem.TASK_AFTER_PROJECT, field="deadline", end=end.isoformat())
    if not ctx.has(body.unit_kind, body.unit_id):
        raise DomainError(Problem.UNKNOWN_DEPARTMENT if body.unit_kind == "department" else Problem.UNKNOWN_STATION,
                          field="unit_id")


def _task_row(body: TaskCreate, actor: Actor) -> dict[str, Any]:
    return dict(project_id=body.project_id, title=body.title.strip(), unit_kind=body.unit_kind, unit_id=body.unit_id,
                station_id=body.unit_id if body.unit_kind == "station" else None,
                department_id=body.unit_id if body.unit_kind == "department" else None, person=body.person,
                deadline=body.deadline, budget=body.budget, author_id=actor.id)


TASK = register(RecordKind(
    name="task", table=Task, public=TaskPublic, create=TaskCreate, events=TASK_EVENTS, initial_status="open",
    start=task_start, row=_task_row, derived=task_derived, visibility=EVERYONE,
    scope=Scope(station="station_id", department="department_id", author="author_id"),
    check_create=_task_check, may_create=lambda actor, _body: actor.role in OFFICE_ROLES,
))


def _ballot_check(body: BallotCreate, ctx: Any, _actor: Actor) -> None:
    if not body.candidate_ids:
        raise DomainError(Problem.CANDIDATES_REQUIRED, field="candidate_ids")
    for project in body.candidate_ids:
        if ctx.row("project", project) is None:
            raise DomainError(Problem.UNKNOWN_PROJECT, field="candidate_ids")
    if body.purpose == "vote" and not 1 <= body.to_choose <= len(body.candidate_ids):
        raise DomainError(Problem.TO_CHOOSE_RANGE, field="to_choose", candidates=len(body.candidate_ids))
    for person in body.roll_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="roll_ids")


def _ballot_row(body: BallotCreate, actor: Actor) -> dict[str, Any]:
    return dict(title=body.title.strip(), purpose=body.purpose, year=body.year, to_choose=body.to_choose,
                author_id=actor.id, voted=0, candidate_ids=list(body.candidate_ids),
                roll_ids=list(dict.fromkeys(body.roll_ids)))


def counts(session: Any, ballot_id: str) -> dict[str, dict[str, int]]:
    """The store's electronic counts of a round: candidate -> choice -> n (no voter anywhere)."""
    table = BallotCount.__table__  # type: ignore[attr-defined]
    found: dict[str, dict[str, int]] = {}
    for project, choice, n in session.execute(select(table.c.project_id, table.c.choice, table.c.count)
                                              .where(table.c.ballot_id == ballot_id)):
        found.setdefault(project, {})[choice] = int(n)
    return found


def _cast_on_server(batch: Any, record: Any, body: CastBody, actor: Actor) -> int:
    """Judge a cast under the store's write lock; record that the deputy voted, and count the choices apart."""
    check_cast(record.state, body.choices, actor)
    voter_table = BallotVoter.__table__  # type: ignore[attr-defined]
    tallies = BallotCount.__table__  # type: ignore[attr-defined]
    session = batch.session
    already = session.execute(select(voter_table.c.person_id).where(voter_table.c.ballot_id == record.id,
                                                               voter_table.c.person_id == actor.id)).first()
    if already is not None:
        raise DomainError(Problem.ALREADY_VOTED)
    session.execute(insert(voter_table).values(ballot_id=record.id, person_id=actor.id))
    # Every count of the round is written by every ballot, in one statement, so that no row, no order of rows
    # and no transaction mark (PostgreSQL's xmin) tells which counts this ballot added to.
    grid = [(project, choice) for project in record.state.candidates for choice in choices_of(record.state.purpose)]
    held = session.execute(select(tallies.c.project_id).where(tallies.c.ballot_id == record.id).limit(1)).first()
    if held is None:
        session.execute(insert(tallies), [{"ballot_id": record.id, "project_id": project, "choice": choice,
                                           "count": 0} for project, choice in grid])
    chosen = or_(*[and_(tallies.c.project_id == project, tallies.c.choice == choice)
                   for project, choice in body.choices.items()])
    session.execute(update(tallies).where(tallies.c.ballot_id == record.id)
                    .values(count=tallies.c.count + case((chosen, 1), else_=0)))
    record.row = record.row | {"voted": int(record.row["voted"] or 0) + 1, "updated_at": batch.now()}
    record.dirty = True
    return batch.log_record(record)  # the round as it now is: how many voted, nothing of what they chose


def voters(session: Any, ballot_id: str) -> list[str]:
    """Who voted in a round on their phones, sorted (nothing of what they chose, nor when, nor in what order)."""
    table = BallotVoter.__table__  # type: ignore[attr-defined]
    return sorted(session.execute(select(table.c.person_id).where(table.c.ballot_id == ballot_id)).scalars())


def _with_counts(batch: Any, row: Mapping[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The close of a round carries the store's counts and who voted, which only it holds."""
    return payload | {"tallies": counts(batch.session, row["id"]), "voters": voters(batch.session, row["id"])}


# The close of a round is where the store's counts come in.
_BALLOT_EVENTS = {**BALLOT_EVENTS, "close": replace(BALLOT_EVENTS["close"], server_payload=_with_counts)}

BALLOT = register(RecordKind(
    name="ballot", table=Ballot, public=BallotPublic, create=BallotCreate, events=_BALLOT_EVENTS,
    initial_status="draft", start=ballot_start, row=_ballot_row, derived=ballot_derived, visibility=EVERYONE,
    scope=Scope(station=None, department=None, author="author_id"), check_create=_ballot_check,
    may_create=lambda actor, _body: actor.role in OFFICE_ROLES, server_columns=("voted",),
    actions={"cast": Action("cast", CastBody, _cast_on_server, secret=True)},
))


# ---------------------------------------------------------------- services

def propose_opinion(session: Session, *, actor: Actor, title: str, text: str = "", issue_id: str | None = None,
                    concern_id: str | None = None, station_id: str | None = None) -> Opinion:
    """Propose a livelihood project (one tap from an issue or a concern); commits."""
    body = OpinionCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), title=title, text=text,
                         issue_id=issue_id, concern_id=concern_id, station_id=station_id)
    return create_record(session, OPINION, body, actor=actor)


def make_candidate(session: Session, *, actor: Actor, title: str, year: int, opinion_ids: Sequence[str] = (),
                   issue_ids: Sequence[str] = (), description: str = "", place_name: str = "",
                   estimated_cost: float = 0.0, funding_source: str = "", beneficiaries: str = "",
                   end_date: date | None = None, photos: Sequence[Any] = ()) -> Project:
    """Shape opinions into a candidate project; each opinion is marked merged into it; commits."""
    body = ProjectCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), title=title, year=year,
                         description=description, place_name=place_name, estimated_cost=estimated_cost,
                         funding_source=funding_source, beneficiaries=beneficiaries, end_date=end_date,
                         opinion_ids=list(opinion_ids), issue_ids=list(issue_ids), photos=list(photos))
    project = create_record(session, PROJECT, body, actor=actor)
    for opinion_id in opinion_ids:
        record_event(session, OPINION, actor=actor, record_id=opinion_id, type_="merge",
                     payload={"project_id": project.id})
    return project


def open_round(session: Session, *, actor: Actor, title: str, year: int, candidate_ids: Sequence[str],
               roll_ids: Sequence[str], to_choose: int = 0, purpose: str = "vote") -> Ballot:
    """Put a round on the table (a vote, or a satisfaction rating); deputies are then checked in; commits."""
    body = BallotCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), title=title, purpose=purpose, year=year,
                        to_choose=to_choose, candidate_ids=list(candidate_ids), roll_ids=list(roll_ids))
    return create_record(session, BALLOT, body, actor=actor)


def cast_vote(session: Session, *, actor: Actor, ballot_id: str, choices: Mapping[str, str]) -> OutboxMutation:
    """A deputy's ballot, kept only in the outbox until the central store has counted it; commits.

    The phone checks what it can (the round is open, the deputy is on the roll, every
    candidate has a valid choice, this device has not cast already); a second cast from
    another device is refused when it reaches the store.
    """
    ballot = session.get(Ballot, ballot_id)
    if ballot is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    check_cast(state_of(session, BALLOT, ballot), choices, actor)
    if has_cast(session, ballot_id):
        raise DomainError(Problem.ALREADY_VOTED)
    body = CastBody(id=new_id(), record_id=ballot_id, choices=dict(choices))
    mutation = queue(session, f"{BALLOT.name}.cast", body.model_dump(mode="json"), record_kind=BALLOT.name,
                     record_id=ballot_id, event_id="")
    session.commit()
    return mutation


def has_cast(session: Session, ballot_id: str) -> bool:
    """Whether this device cast a ballot in the round (waiting or counted; not one the store refused)."""
    return session.exec(select(OutboxMutation.id).where(
        OutboxMutation.kind == f"{BALLOT.name}.cast", OutboxMutation.record_id == ballot_id,
        col(OutboxMutation.state) != "rejected")).first() is not None


def close_round(session: Session, *, actor: Actor, ballot_id: str) -> Any:
    """Close a round; the store adds its counts when the close reaches it; commits."""
    return record_event(session, BALLOT, actor=actor, record_id=ballot_id, type_="close", payload={})


def adopt_results(session: Session, *, actor: Actor, ballot_id: str) -> list[str]:
    """After a closed vote: adopt the chosen candidates, decline the others that are not tied; commits."""
    ballot = session.get(Ballot, ballot_id)
    if ballot is None or ballot.status != "closed":
        raise DomainError(Problem.NOT_CHOSEN, field="ballot_id")
    adopted = []
    for project_id in ballot.candidate_ids:
        project = session.get(Project, project_id)
        if project is None or project.status != "candidate" or project_id in ballot.tie_ids:
            continue
        kind = "adopt" if project_id in ballot.chosen_ids else "decline"
        record_event(session, PROJECT, actor=actor, record_id=project_id, type_=kind, payload={"ballot_id": ballot_id})
        if kind == "adopt":
            adopted.append(project_id)
    return adopted


def add_task(session: Session, *, actor: Actor, project_id: str, title: str, unit_kind: str, unit_id: str,
             deadline: date, person: str = "", budget: float = 0.0) -> Task:
    body = TaskCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), project_id=project_id, title=title,
                      unit_kind=unit_kind, unit_id=unit_id, person=person, deadline=deadline, budget=budget)
    return create_record(session, TASK, body, actor=actor)


def overdue_tasks(session: Session, today: date) -> list[Task]:
    """Open tasks past their deadline: supervision lists them beside overdue issues."""
    return list(session.exec(select(Task).where(Task.status == "open", col(Task.deadline) < today)
                             .order_by(col(Task.deadline))))


__all__ = [
    "OPINION", "PROJECT", "TASK", "BALLOT", "Opinion", "Project", "Task", "Ballot", "BallotVoter", "BallotCount",
    "CastBody", "BallotState", "VOTE_CHOICES", "RATING_CHOICES", "choices_of", "tally", "outcome", "counts", "voters",
    "propose_opinion", "make_candidate", "open_round", "cast_vote", "has_cast", "close_round", "adopt_results",
    "add_task", "overdue_tasks",
]
