"""The closed loop's figures: rectification rate, on-time rate, days to resolve, satisfaction mix.

The definitions (each figure carries the issue ids behind it, numerator and denominator):

- **Assigned in a period** (the denominator of 整改率): an issue whose *first* assignment (交办) falls in the
  period, in China time; later re-assignments and reopenings do not move it. An issue merged into another
  is left out (it is counted through the original).
- **Verified fixed** (the numerator of 整改率): its latest outcome is a rating of 满意 or 基本满意, or a
  look-back (回头看) confirmed the fix, and nothing has sent it back since: its status is now `rated` or
  `verified`. A resolved issue not yet rated or looked back at is not verified fixed.
- **On time** (按期办结率): among the issues that are resolved now (`resolved`, `rated`, `verified`) and
  have a deadline, those whose latest resolution fell on or before the deadline in force (a granted
  extension is the new deadline), by China day.
- **Days to resolve** (平均办结天数): over the same resolved issues, China days from the first assignment
  to the latest resolution (an issue sent back and resolved again counts its whole time), averaged.
- **Satisfaction mix** (满意度): every accepted rating in the timelines of the issues assigned in the
  period, including ratings of 不满意 that sent an issue back (an issue rated twice counts twice).
- Rates are rounded *down* to a tenth of a percent, so 100% means every one.

    report = loop_report(session, Period.containing(PeriodKind.YEAR, today))
    report.total.rectification.percent, report.by(Dimension.DEPARTMENT)["<department id>"].on_time.numerator
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any, Callable, Iterable, Mapping

from sqlmodel import Session, col, select

from app.clock import CHINA
from app.issues._kind import ISSUE
from app.issues._model import Issue
from app.issues._rules import DONE, Satisfaction, Status, _satisfaction, china_day
from app.records import RecordEvent, StoreContext, fold, timeline, timeline_key

FIXED = frozenset({Status.RATED.value, Status.VERIFIED.value})
RESOLVED = frozenset(s.value for s in DONE)
LEVELS = (Satisfaction.SATISFIED.value, Satisfaction.BASIC.value, Satisfaction.UNSATISFIED.value)


# ---------------------------------------------------------------- periods

class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """A month, a quarter or a year of the calendar, in China time."""

    kind: PeriodKind
    year: int
    number: int = 1  # the month (1-12) or the quarter (1-4); 1 for a year

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        if not 1 <= month <= 12:
            raise ValueError(f"no month {month}")
        return cls(PeriodKind.MONTH, year, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if not 1 <= quarter <= 4:
            raise ValueError(f"no quarter {quarter}")
        return cls(PeriodKind.QUARTER, year, quarter)

    @classmethod
    def whole_year(cls, year: int) -> "Period":
        return cls(PeriodKind.YEAR, year, 1)

    @classmethod
    def containing(cls, kind: PeriodKind | str, day: date) -> "Period":
        """The month, quarter or year that day falls in."""
        kind = PeriodKind(kind)
        if kind is PeriodKind.MONTH:
            return cls.month(day.year, day.month)
        if kind is PeriodKind.QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.whole_year(day.year)

    @classmethod
    def parse(cls, key: str) -> "Period":
        """Read a key as `key` writes it: 2026-05, 2026-Q2, 2026."""
        year, _, rest = key.partition("-")
        if not rest:
            return cls.whole_year(int(year))
        if rest.upper().startswith("Q"):
            return cls.quarter(int(year), int(rest[1:]))
        return cls.month(int(year), int(rest))

    @property
    def key(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def first_day(self) -> date:
        if self.kind is PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end_day(self) -> date:
        """The first day after the period."""
        if self.kind is PeriodKind.YEAR or (self.kind is PeriodKind.QUARTER and self.number == 4) or (
                self.kind is PeriodKind.MONTH and self.number == 12):
            return date(self.year + 1, 1, 1)
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, 3 * self.number + 1, 1)
        return date(self.year, self.number + 1, 1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day < self.end_day

    def months(self) -> list["Period"]:
        """The months the period is made of, in order."""
        first = self.first_day.month
        count = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        return [Period.month(self.year, m) for m in range(first, first + count)]

    def bounds_utc(self) -> tuple[datetime, datetime]:
        """The period as UTC times [start, end): China midnight to China midnight."""
        start, end = (datetime(d.year, d.month, d.day, tzinfo=CHINA).astimezone(timezone.utc)
                      for d in (self.first_day, self.end_day))
        return start, end


# ---------------------------------------------------------------- what the figures are made of

@dataclass(frozen=True)
class IssueFacts:
    """What the figures need of one assigned issue, from its columns and its timeline."""

    id: str
    assigned_on: date  # China day of its first assignment
    status: str
    department_id: str | None = None  # the lead department now
    station_id: str | None = None
    category_id: str | None = None
    deadline: date | None = None  # in force now: a granted extension moved it
    resolved_on: date | None = None  # China day of its latest resolution, while it stays resolved
    ratings: tuple[str, ...] = ()  # the satisfaction of every accepted rating, in timeline order

    @property
    def fixed(self) -> bool:
        """Verified fixed: rated 满意/基本满意 or confirmed by a look-back, and not sent back since."""
        return self.status in FIXED

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED and self.resolved_on is not None

    @property
    def on_time(self) -> bool:
        return self.resolved and self.deadline is not None and self.resolved_on <= self.deadline

    @property
    def days_to_resolve(self) -> int | None:
        return (self.resolved_on - self.assigned_on).days if self.resolved else None


@dataclass(frozen=True)
class Ratio:
    """A rate with the issues behind it: those counted (numerator) among those it is taken of."""

    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()

    @property
    def rest(self) -> tuple[str, ...]:
        """The issues of the denominator not counted: not fixed yet, or late."""
        counted = set(self.numerator)
        return tuple(i for i in self.denominator if i not in counted)

    @property
    def percent(self) -> float | None:
        """The rate in percent, rounded down to a tenth (100.0 only when all count); None of nothing."""
        if not self.denominator:
            return None
        return math.floor(1000 * len(self.numerator) / len(self.denominator)) / 10


@dataclass(frozen=True)
class Average:
    """An average number of days, with the issues it is taken over."""

    total_days: int = 0
    issue_ids: tuple[str, ...] = ()

    @property
    def days(self) -> float | None:
        """The average to a tenth of a day; None over no issue."""
        if not self.issue_ids:
            return None
        return round(self.total_days / len(self.issue_ids), 1)


@dataclass(frozen=True)
class SatisfactionMix:
    """Every rating (issue id, satisfaction level), ratings that sent an issue back included."""

    ratings: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> int:
        return len(self.ratings)

    def count(self, level: str) -> int:
        return sum(1 for _, rated in self.ratings if rated == level)

    def issues(self, level: str) -> tuple[str, ...]:
        """The issues that got this rating at least once, each once."""
        return tuple(dict.fromkeys(issue_id for issue_id, rated in self.ratings if rated == level))

    @property
    def counts(self) -> dict[str, int]:
        return {level: self.count(level) for level in LEVELS}

    def share(self, level: str) -> float | None:
        """This level's share of the ratings in percent, rounded down to a tenth; None without ratings."""
        of_level = tuple(issue_id for issue_id, rated in self.ratings if rated == level)
        return Ratio(of_level, tuple(issue_id for issue_id, _ in self.ratings)).percent


@dataclass(frozen=True)
class LoopFigures:
    """The closed loop's figures over one set of assigned issues."""

    assigned: tuple[str, ...] = ()
    rectification: Ratio = field(default_factory=Ratio)  # 整改率: verified fixed / assigned
    on_time: Ratio = field(default_factory=Ratio)  # 按期办结率: on time / resolved (with a deadline)
    days_to_resolve: Average = field(default_factory=Average)  # 平均办结天数, over the resolved ones
    satisfaction: SatisfactionMix = field(default_factory=SatisfactionMix)  # 满意度


def figures_of(facts: Iterable[IssueFacts]) -> LoopFigures:
    """Compute the figures over these issues (pure)."""
    facts = list(facts)
    resolved = [f for f in facts if f.resolved]
    timed = [f for f in resolved if f.deadline is not None]
    return LoopFigures(
        assigned=tuple(f.id for f in facts),
        rectification=Ratio(tuple(f.id for f in facts if f.fixed), tuple(f.id for f in facts)),
        on_time=Ratio(tuple(f.id for f in timed if f.on_time), tuple(f.id for f in timed)),
        days_to_resolve=Average(sum(f.days_to_resolve for f in resolved), tuple(f.id for f in resolved)),
        satisfaction=SatisfactionMix(tuple((f.id, level) for f in facts for level in f.ratings)),
    )


class Dimension(StrEnum):
    """What a breakdown groups the issues by."""

    DEPARTMENT = "department"  # the lead department
    STATION = "station"
    CATEGORY = "category"
    MONTH = "month"  # the month of the first assignment


_GROUP: Mapping[Dimension, Callable[[IssueFacts], str | None]] = {
    Dimension.DEPARTMENT: lambda f: f.department_id,
    Dimension.STATION: lambda f: f.station_id,
    Dimension.CATEGORY: lambda f: f.category_id,
    Dimension.MONTH: lambda f: Period.containing(PeriodKind.MONTH, f.assigned_on).key,
}


def breakdown(facts: Iterable[IssueFacts], by: Dimension | str) -> dict[str | None, LoopFigures]:
    """The figures of each group (a department's id, a station's, a category's, a month's key) (pure)."""
    groups: dict[str | None, list[IssueFacts]] = defaultdict(list)
    key = _GROUP[Dimension(by)]
    for fact in facts:
        groups[key(fact)].append(fact)
    return {group: figures_of(members) for group, members in groups.items()}


# ---------------------------------------------------------------- reading them from a store

def issue_facts(session: Session, period: Period) -> list[IssueFacts]:
    """The facts of every issue first assigned in the period, in the order they were assigned."""
    start, end = period.bounds_utc()
    in_period = (col(Issue.assigned_at) >= start, col(Issue.assigned_at) < end,
                 col(Issue.status) != Status.MERGED.value)
    # Columns, not whole rows: a year of a busy township is thousands of issues.
    rows = session.exec(select(Issue.id, Issue.assigned_at, Issue.status, Issue.department_id, Issue.station_id,
                               Issue.category_id, Issue.deadline, Issue.resolved_at)
                        .where(*in_period).order_by(col(Issue.assigned_at), col(Issue.id))).all()
    ratings = _ratings(session, select(Issue.id).where(*in_period)) if rows else {}
    return [IssueFacts(id=issue_id, assigned_on=china_day(assigned_at), status=status, department_id=department,
                       station_id=station, category_id=category, deadline=deadline,
                       resolved_on=china_day(resolved_at) if resolved_at else None, ratings=ratings.get(issue_id, ()))
            for issue_id, assigned_at, status, department, station, category, deadline, resolved_at in rows]


def _ratings(session: Session, issue_ids: Any) -> dict[str, tuple[str, ...]]:
    """Each issue's accepted ratings, from its timeline; a rating still waiting on this device counts if
    the rules accept it where it stands."""
    events = session.exec(select(RecordEvent.id, RecordEvent.record_id, RecordEvent.payload, RecordEvent.server_seq,
                                 RecordEvent.created_at).where(
        RecordEvent.record_kind == ISSUE.name, RecordEvent.type == "rate", col(RecordEvent.rejected_code).is_(None),
        col(RecordEvent.record_id).in_(issue_ids)))  # a subquery, however many issues the period holds
    found: dict[str, list[Any]] = defaultdict(list)
    for event in events:
        found[event.record_id].append(event)
    ctx = StoreContext(session)
    ratings = {}
    for issue_id, rated in found.items():
        if any(e.server_seq is None for e in rated):
            _, verdicts = fold(ISSUE, session.get(Issue, issue_id), timeline(session, issue_id), ctx=ctx)
            refused = {v.event_id for v in verdicts if not v.accepted}
            rated = [e for e in rated if e.id not in refused]
        rated.sort(key=timeline_key)
        ratings[issue_id] = tuple(str(_satisfaction(e.payload or {})) for e in rated)
    return ratings


@dataclass(frozen=True)
class LoopReport:
    """A period's figures, in total and broken down."""

    period: Period
    facts: tuple[IssueFacts, ...]
    total: LoopFigures

    def by(self, dimension: Dimension | str) -> dict[str | None, LoopFigures]:
        """The figures of each department, station, category or month."""
        return breakdown(self.facts, dimension)


def loop_report(session: Session, period: Period) -> LoopReport:
    """The closed loop's figures for the issues first assigned in a period."""
    facts = tuple(issue_facts(session, period))
    return LoopReport(period=period, facts=facts, total=figures_of(facts))


def first_assignment_day(session: Session) -> date | None:
    """The China day the earliest assignment on this store was made (where a period picker starts)."""
    first = session.exec(select(Issue.assigned_at).where(col(Issue.assigned_at).is_not(None))
                         .order_by(col(Issue.assigned_at)).limit(1)).first()
    return china_day(first) if first else None


__all__ = ["LEVELS", "Average", "Dimension", "IssueFacts", "LoopFigures", "LoopReport", "Period", "PeriodKind", "Ratio",
           "SatisfactionMix", "breakdown", "figures_of", "first_assignment_day", "issue_facts", "loop_report"]
