"""What the liaison stations did in a period: reception days held, people received, concerns, issues, visits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.clock import CHINA
from app.issues import Issue
from app.receptions._model import Concern, Reception, Visit
from app.records import RecordEvent

DONE = ("resolved", "rated", "verified")


@dataclass(frozen=True)
class StationFigures:
    """The figures the township reports (接待群众120余人次, 推动解决民生问题30余件), with the records behind them."""

    days_held: int = 0
    people_received: int = 0
    concerns: int = 0  # raised at reception days and through the public page
    issues_raised: int = 0  # from receptions, concerns and visits
    issues_resolved: int = 0  # of those, resolved or better
    visits: int = 0
    visits_per_deputy: dict[str, int] = field(default_factory=dict)
    reception_ids: tuple[str, ...] = ()
    issue_ids: tuple[str, ...] = ()
    resolved_ids: tuple[str, ...] = ()
    visit_ids: tuple[str, ...] = ()


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, CHINA), datetime.combine(end + timedelta(days=1), time.min, CHINA))


def station_figures(session: Session, *, start: date, end: date, station_id: str | None = None) -> StationFigures:
    """The stations' figures for the days start..end (China time), for one station or all."""
    since, until = _bounds(start, end)

    def here(stmt, table):
        return stmt.where(table.station_id == station_id) if station_id else stmt

    receptions = list(session.exec(here(select(Reception).where(col(Reception.day) >= start,
                                                                col(Reception.day) <= end), Reception)))
    held = [r for r in receptions if r.status == "held"]
    concerns = list(session.exec(here(select(Concern).where(col(Concern.created_at) >= since,
                                                            col(Concern.created_at) < until), Concern)))
    visits = [v for v in session.exec(here(select(Visit).where(col(Visit.created_at) >= since,
                                                               col(Visit.created_at) < until), Visit))
              if v.status != "deleted"]
    owners = [r.id for r in receptions] + [c.id for c in concerns] + [v.id for v in visits]
    raised: list[str] = []
    for part in range(0, len(owners), 500):
        for event in session.exec(select(RecordEvent).where(
                col(RecordEvent.record_id).in_(owners[part:part + 500]),
                col(RecordEvent.type).in_(["to_issue", "raise_issue"]), col(RecordEvent.rejected_code).is_(None))):
            raised.append(str(event.payload.get("issue_id")))
    issues = {i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_(raised)))} if raised else {}
    resolved = [i for i in raised if i in issues and issues[i].status in DONE]
    per_deputy = Counter(d for v in visits for d in (v.deputy_ids or []))
    return StationFigures(
        days_held=len(held), people_received=sum(r.visitors for r in held),
        concerns=sum(r.concerns for r in held) + len(concerns), issues_raised=len(raised),
        issues_resolved=len(resolved), visits=len(visits), visits_per_deputy=dict(per_deputy),
        reception_ids=tuple(r.id for r in held), issue_ids=tuple(raised), resolved_ids=tuple(resolved),
        visit_ids=tuple(v.id for v in visits))
