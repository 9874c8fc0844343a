"""The year's figures a township reports, each with the records behind it.

    建成1个镇级中心联络站和7个片区联络站 · 视察评议3次 · 业务培训2场次 · 述职报告8份 ·
    应知应会知识测试69人次 · 接待群众120余人次 · 解决民生问题30余件 · 票决民生实事项目3个 ·
    满意度测评2次 · 回头看问题整改率100% · 民生实事项目意见11件

Definitions: an inspection counts once signed off in the year; a training session once
held (not cancelled) on a day of the year; a duty report once submitted for a call of the
year; a quiz attempt (人次) once handed in during the year; people received over the
reception days held in the year; a problem solved when it is resolved now and its
resolution fell in the year; a voted project when a vote of the year chose it; a rating
round when it closed; the look-back rate over the issues looked back at in the year, of
which those confirmed fixed now; an opinion in the year of the project it was shaped into,
else in the year it was collected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.duty import DutyReport, ReportCall
from app.duty._record import year_bounds
from app.inspections import Inspection
from app.issues import Issue
from app.issues._figures import Period, loop_report
from app.models import Station, StationKind
from app.projects import Ballot, Opinion, Project
from app.quiz import QuizAttempt
from app.receptions import station_figures
from app.records import RecordEvent
from app.trainings import trainings_in

RESOLVED = ("resolved", "rated", "verified")


def rate(part: int, whole: int) -> float | None:
    """A percentage rounded down to a tenth (100.0 only when all count); None of nothing."""
    return math.floor(1000 * part / whole) / 10 if whole else None


@dataclass(frozen=True)
class RatingRound:
    ballot_id: str
    title: str
    voted: int
    # project id -> choice -> count
    results: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class YearFigures:
    year: int
    centre_stations: tuple[str, ...] = ()
    area_stations: tuple[str, ...] = ()
    inspection_ids: tuple[str, ...] = ()
    training_ids: tuple[str, ...] = ()
    trained: int = 0  # attendances over the sessions
    report_ids: tuple[str, ...] = ()
    quiz_attempt_ids: tuple[str, ...] = ()
    quiz_takers: int = 0
    quiz_average: float | None = None
    reception_ids: tuple[str, ...] = ()
    people_received: int = 0
    solved_ids: tuple[str, ...] = ()
    solved_by_category: dict[str | None, int] = field(default_factory=dict)
    chosen_project_ids: tuple[str, ...] = ()
    rating_rounds: tuple[RatingRound, ...] = ()
    looked_back_ids: tuple[str, ...] = ()
    rectified_ids: tuple[str, ...] = ()
    opinion_ids: tuple[str, ...] = ()
    rectification: float | None = None  # 整改率 of the issues first assigned in the year
    on_time: float | None = None

    @property
    def look_back_rate(self) -> float | None:
        return rate(len(self.rectified_ids), len(self.looked_back_ids))


def opinions_of(session: Session, year: int) -> list[str]:
    """The project opinions of a year: those shaped into a project of the year (collected before its
    vote, perhaps the year before), and those collected in the year not shaped into another year's."""
    since, until = year_bounds(year)
    years = dict(session.exec(select(Project.id, Project.year)).all())
    found = []
    for opinion_id, created_at, project_id in session.exec(
            select(Opinion.id, Opinion.created_at, Opinion.project_id).order_by(col(Opinion.created_at))):
        shaped = years.get(project_id) if project_id else None
        if shaped == year or (shaped is None and since <= created_at < until):
            found.append(opinion_id)
    return found


def year_figures(session: Session, year: int) -> YearFigures:
    """Every figure of a year from this store (the office's replica or the central store: the township's)."""
    since, until = year_bounds(year)
    stations = list(session.exec(select(Station).order_by(col(Station.sort_order))))
    inspections = session.exec(select(Inspection.id).where(
        Inspection.status == "signed_off", col(Inspection.signed_off_at) >= since,
        col(Inspection.signed_off_at) < until).order_by(col(Inspection.signed_off_at))).all()
    trainings = [t for t in trainings_in(session, year) if t.status == "held"]
    calls = session.exec(select(ReportCall.id).where(ReportCall.year == year)).all()
    reports = session.exec(select(DutyReport.id).where(col(DutyReport.call_id).in_(calls))
                           .order_by(col(DutyReport.created_at))).all() if calls else []
    attempts = session.exec(select(QuizAttempt.id, QuizAttempt.author_id, QuizAttempt.score).where(
        col(QuizAttempt.created_at) >= since, col(QuizAttempt.created_at) < until)
        .order_by(col(QuizAttempt.created_at))).all()
    scores = [score for _, _, score in attempts if score is not None]
    stations_year = station_figures(session, start=date(year, 1, 1), end=date(year, 12, 31))
    solved = session.exec(select(Issue.id, Issue.category_id).where(
        col(Issue.status).in_(RESOLVED), col(Issue.resolved_at) >= since, col(Issue.resolved_at) < until)
        .order_by(col(Issue.resolved_at))).all()
    by_category: dict[str | None, int] = {}
    for _, category in solved:
        by_category[category] = by_category.get(category, 0) + 1
    ballots = list(session.exec(select(Ballot).where(Ballot.year == year, Ballot.status == "closed")
                                .order_by(col(Ballot.created_at))))
    chosen = list(dict.fromkeys(p for b in ballots if b.purpose == "vote" for p in b.chosen_ids))
    adopted = {p.id for p in session.exec(select(Project).where(col(Project.id).in_(chosen)))} if chosen else set()
    rounds = tuple(RatingRound(b.id, b.title, b.voted, {k: dict(v) for k, v in (b.results or {}).items()})
                   for b in ballots if b.purpose == "rating")
    looked = session.exec(select(RecordEvent.record_id).where(
        RecordEvent.record_kind == "issue", RecordEvent.type == "look_back", col(RecordEvent.rejected_code).is_(None),
        col(RecordEvent.created_at) >= since, col(RecordEvent.created_at) < until)).all()
    looked = list(dict.fromkeys(looked))
    verified = set(session.exec(select(Issue.id).where(col(Issue.id).in_(looked), Issue.status == "verified")).all()) \
        if looked else set()
    opinions = opinions_of(session, year)
    loop = loop_report(session, Period.whole_year(year)).total
    return YearFigures(
        year=year,
        centre_stations=tuple(s.id for s in stations if s.kind == StationKind.CENTRE.value),
        area_stations=tuple(s.id for s in stations if s.kind == StationKind.AREA.value),
        inspection_ids=tuple(inspections), training_ids=tuple(t.id for t in trainings),
        trained=sum(t.attended for t in trainings), report_ids=tuple(reports),
        quiz_attempt_ids=tuple(a for a, _, _ in attempts), quiz_takers=len({p for _, p, _ in attempts}),
        quiz_average=round(sum(scores) / len(scores), 1) if scores else None,
        reception_ids=stations_year.reception_ids, people_received=stations_year.people_received,
        solved_ids=tuple(i for i, _ in solved), solved_by_category=by_category,
        chosen_project_ids=tuple(p for p in chosen if p in adopted), rating_rounds=rounds,
        looked_back_ids=tuple(looked), rectified_ids=tuple(i for i in looked if i in verified),
        opinion_ids=tuple(opinions), rectification=loop.rectification.percent, on_time=loop.on_time.percent,
    )
