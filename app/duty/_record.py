"""A deputy's duty record of a year (履职档案), assembled from what they did in the app.

Visits they made or joined, reception days they were on duty at, the issues and
suggestions they raised and where those stand, inspections they took part in, the
rounds they voted in (that they voted, never how), trainings attended, quiz results,
project opinions, duty reports. It reads whatever the store holds: on the office's
replica the whole township, on a deputy's phone what the deputy may see of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from sqlmodel import Session, col, select

from app.clock import CHINA
from app.duty._model import DutyReport
from app.inspections import Inspection
from app.issues import Issue
from app.models import Person
from app.projects import Ballot, Opinion
from app.quiz import Quiz, QuizAttempt
from app.receptions import Reception, Visit
from app.trainings import attended_by

RESOLVED = frozenset({"resolved", "rated", "verified"})


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year's first and next year's first moment, China time."""
    return datetime.combine(date(year, 1, 1), time.min, CHINA), datetime.combine(date(year + 1, 1, 1), time.min, CHINA)


@dataclass(frozen=True)
class QuizScore:
    quiz_id: str
    title: str
    attempts: int
    best: int | None  # None: handed in, waiting to be scored


@dataclass(frozen=True)
class DutyRecord:
    person: Person
    year: int
    visits: tuple[Any, ...] = ()
    reception_days: tuple[Any, ...] = ()
    issues: tuple[Any, ...] = ()  # problems and suggestions raised
    inspections: tuple[Any, ...] = ()
    votes: tuple[Any, ...] = ()  # the closed rounds they voted in
    trainings: tuple[Any, ...] = ()
    quizzes: tuple[QuizScore, ...] = ()
    opinions: tuple[Any, ...] = ()
    reports: tuple[Any, ...] = ()
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def suggestions(self) -> tuple[Any, ...]:
        return tuple(i for i in self.issues if i.nature == "suggestion")

    @property
    def problems(self) -> tuple[Any, ...]:
        return tuple(i for i in self.issues if i.nature != "suggestion")

    @property
    def resolved(self) -> tuple[Any, ...]:
        return tuple(i for i in self.issues if i.status in RESOLVED)

    @property
    def people_received(self) -> int:
        return sum(r.visitors for r in self.reception_days)

    @property
    def ratings_cast(self) -> int:
        return sum(1 for b in self.votes if b.purpose == "rating")

    @property
    def ballots_cast(self) -> int:
        return sum(1 for b in self.votes if b.purpose == "vote")


def duty_record(session: Session, person_id: str, year: int) -> DutyRecord:
    """Assemble one person's duty record of a year from this store."""
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(person_id)
    since, until = year_bounds(year)

    def created_in(table: Any) -> tuple[Any, ...]:
        return (col(table.created_at) >= since, col(table.created_at) < until)

    visits = [v for v in session.exec(select(Visit).where(*created_in(Visit)).order_by(col(Visit.created_at)))
              if v.status != "deleted" and (v.author_id == person_id or person_id in (v.deputy_ids or ()))]
    receptions = [r for r in session.exec(select(Reception).where(col(Reception.day) >= date(year, 1, 1),
                                                                  col(Reception.day) <= date(year, 12, 31))
                                          .order_by(col(Reception.day)))
                  if r.status == "held" and (person_id in r.attended_ids or person_id in r.duty_deputy_ids)]
    issues = list(session.exec(select(Issue).where(Issue.reporter_id == person_id, *created_in(Issue),
                                                   Issue.status != "merged").order_by(col(Issue.created_at))))
    inspections = [i for i in session.exec(select(Inspection).where(*created_in(Inspection))
                                           .order_by(col(Inspection.created_at)))
                   if i.author_id == person_id or person_id in (i.participant_ids or ())]
    votes = [b for b in session.exec(select(Ballot).where(Ballot.year == year, Ballot.status == "closed")
                                     .order_by(col(Ballot.created_at))) if person_id in (b.voter_ids or ())]
    attempts = list(session.exec(select(QuizAttempt).where(QuizAttempt.author_id == person_id, *created_in(QuizAttempt))
                                 .order_by(col(QuizAttempt.created_at))))
    quizzes: dict[str, list[Any]] = {}
    for a in attempts:
        quizzes.setdefault(a.quiz_id, []).append(a)
    scores = []
    for quiz_id, own in quizzes.items():
        quiz = session.get(Quiz, quiz_id)
        marked = [a.score for a in own if a.score is not None]
        scores.append(QuizScore(quiz_id, quiz.title if quiz else "", len(own), max(marked) if marked else None))
    opinions = list(session.exec(select(Opinion).where(Opinion.author_id == person_id, *created_in(Opinion))))
    reports = list(session.exec(select(DutyReport).where(DutyReport.author_id == person_id, DutyReport.year == year)))
    by_status: dict[str, int] = {}
    for issue in issues:
        by_status[issue.status] = by_status.get(issue.status, 0) + 1
    return DutyRecord(person=person, year=year, visits=tuple(visits), reception_days=tuple(receptions),
                      issues=tuple(issues), inspections=tuple(inspections), votes=tuple(votes),
                      trainings=tuple(attended_by(session, person_id, year)), quizzes=tuple(scores),
                      opinions=tuple(opinions), reports=tuple(reports), by_status=by_status)


def report_draft(record: DutyRecord, t: Callable[..., str]) -> tuple[str, str]:
    """A first draft of the year's duty report (title, text) from the duty record, for the deputy to edit."""
    title = t("duty.draft.title", year=record.year, name=record.person.name)
    lines = [t("duty.draft.opening", year=record.year)]
    lines.append(t("duty.draft.visits", visits=len(record.visits), days=len(record.reception_days),
                   people=record.people_received))
    lines.append(t("duty.draft.issues", issues=len(record.issues), problems=len(record.problems),
                   suggestions=len(record.suggestions), resolved=len(record.resolved)))
    for issue in record.issues[:10]:
        lines.append(t("duty.draft.issue_line", title=issue.title, status=t(f"status.{issue.status}")))
    if record.inspections:
        lines.append(t("duty.draft.inspections", n=len(record.inspections)))
    if record.votes:
        lines.append(t("duty.draft.votes", ballots=record.ballots_cast, ratings=record.ratings_cast))
    if record.trainings or record.quizzes:
        best = max((q.best for q in record.quizzes if q.best is not None), default=None)
        lines.append(t("duty.draft.learning", trainings=len(record.trainings), quizzes=len(record.quizzes),
                       best="—" if best is None else best))
    if record.opinions:
        lines.append(t("duty.draft.opinions", n=len(record.opinions)))
    lines.append(t("duty.draft.closing"))
    return title, "\n".join(lines)
