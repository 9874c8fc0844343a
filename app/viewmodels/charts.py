"""统计图表: the dashboard's charts of a year, each with its numbers in words and the lists behind its parts; no page.

    charts = ChartsModel(ctx, 2024).charts     # [ChartView]: bar, line or pie, in the order the screen shows them
    chart.parts                                # a part per bar / slice / month: its label, values, list of issues
    chart.text                                 # what a screen reader hears: the title, then every part's numbers
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlmodel import col, select

from app.clock import to_china
from app.duty._record import year_bounds
from app.inspections import Inspection
from app.issues._figures import LEVELS, Period, loop_report
from app.issues import Issue
from app.models import Category, Station
from app.projects import Project, Task
from app.quiz import QuizAttempt
from app.receptions import Reception, Visit
from app.viewmodels.context import AppContext
from app.viewmodels.nav import IssueSet
from app.year import year_figures

STATUSES = ("new", "assigned", "in_progress", "returned", "resolved", "rated", "verified")
RESOLVED = ("resolved", "rated", "verified")
# Colours that hold 3:1 against white and against each other's neighbours; every part also has its words.
PALETTE = ("#00695C", "#1565C0", "#EF6C00", "#6A1B9A", "#C62828", "#2E7D32", "#5D4037", "#37474F")
LEVEL_COLOURS = {"satisfied": "#00796B", "basic": "#F9A825", "unsatisfied": "#C62828"}
SCORE_BANDS = ((0, 59), (60, 69), (70, 79), (80, 89), (90, 100))
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


@dataclass(frozen=True)
class Part:
    """One bar, slice or month: its axis label, its full name, its values (one per series), its list."""

    label: str
    name: str
    values: tuple[float, ...]
    text: str  # 供水与饮水安全 12件
    colour: str = ""
    route: str = ""  # the list behind it (issues), or empty


@dataclass(frozen=True)
class ChartView:
    key: str
    kind: str  # bar, line or pie
    title: str
    series: tuple[Series, ...]
    parts: tuple[Part, ...]
    axis: str = ""  # the bottom axis's title (月)
    unit: str = ""  # the left axis's title (件)
    note: str = ""  # a line under the title: 整改率 75%（已整改 3 / 交办 4）

    @property
    def empty(self) -> bool:
        return not any(v for p in self.parts for v in p.values)

    @property
    def max_value(self) -> float:
        return max((v for p in self.parts for v in p.values), default=0)

    @property
    def text(self) -> str:
        """The chart in words: its title, its note, then each part's numbers."""
        return "；".join([self.title, *([self.note] if self.note else []), *(p.text for p in self.parts)])


def month_of(moment: datetime | None) -> int | None:
    return to_china(moment).month if moment else None


class ChartsModel:
    def __init__(self, ctx: AppContext, year: int):
        self.ctx, self.year = ctx, year
        t = ctx.t
        self.title = t("charts.title", year=year)
        since, until = year_bounds(year)
        with ctx.session() as session:
            issues = list(session.exec(select(Issue.id, Issue.status, Issue.category_id, Issue.station_id,
                                              Issue.created_at).where(col(Issue.created_at) >= since,
                                                                      col(Issue.created_at) < until,
                                                                      Issue.status != "merged")))
            solved = session.exec(select(Issue.id, Issue.resolved_at).where(
                col(Issue.status).in_(RESOLVED), col(Issue.resolved_at) >= since, col(Issue.resolved_at) < until)).all()
            self.categories = [(c.id, ctx.name_of(c)) for c in session.exec(select(Category).order_by(Category.sort_order))]
            self.stations = [(s.id, ctx.name_of(s), s.code) for s in
                             session.exec(select(Station).order_by(Station.sort_order))]
            loop = loop_report(session, Period.whole_year(year)).total
            receptions = [r for r in session.exec(select(Reception).where(
                col(Reception.day) >= datetime(year, 1, 1).date(), col(Reception.day) <= datetime(year, 12, 31).date()))
                if r.status == "held"]
            visits = [v.created_at for v in session.exec(select(Visit).where(
                col(Visit.created_at) >= since, col(Visit.created_at) < until)) if v.status != "deleted"]
            inspections = session.exec(select(Inspection.created_at).where(
                col(Inspection.created_at) >= since, col(Inspection.created_at) < until)).all()
            chosen = year_figures(session, year).chosen_project_ids
            projects = list(session.exec(select(Project).where(Project.year == year)))
            tasks = list(session.exec(select(Task).where(col(Task.project_id).in_([p.id for p in projects])))) \
                if projects else []
            scores = [s for s in session.exec(select(QuizAttempt.score).where(
                col(QuizAttempt.created_at) >= since, col(QuizAttempt.created_at) < until)).all() if s is not None]
        self.charts = [
            self._status(issues), self._categories(issues), self._by_station(issues),
            self._by_month(issues, solved), self._rectification(loop), self._satisfaction(loop),
            self._receptions(receptions), self._visits(visits, inspections),
            self._projects([p for p in projects if p.id in chosen or p.status in ("chosen", "completed")], tasks),
            self._quiz(scores),
        ]

    # -- pieces ----------------------------------------------------------------------------------------------------
    def _list(self, what: str, ids: Sequence[str]) -> str:
        t = self.ctx.t
        return IssueSet(t("charts.list_title", year=self.year, what=what), tuple(ids)).route() if ids else ""

    def _issues_part(self, label: str, name: str, ids: Sequence[str], colour: str = "") -> Part:
        return Part(label, name, (len(ids),), self.ctx.t("charts.part_issues", name=name, n=len(ids)), colour,
                    self._list(name, ids))

    def _count_part(self, label: str, name: str, values: tuple[float, ...], text_key: str, **words: Any) -> Part:
        return Part(label, name, values, self.ctx.t(text_key, name=name, **words))

    def _months(self) -> list[tuple[str, str]]:
        t = self.ctx.t
        return [(str(m), t("charts.month", n=m)) for m in MONTHS]

    # -- the charts ------------------------------------------------------------------------------------------------
    def _status(self, issues: list[Any]) -> ChartView:
        t = self.ctx.t
        ids: dict[str, list[str]] = {}
        for issue_id, status, *_ in issues:
            ids.setdefault(status, []).append(issue_id)
        parts = tuple(self._issues_part(t(f"status.{s}"), t(f"status.{s}"), ids.get(s, []), PALETTE[i % len(PALETTE)])
                      for i, s in enumerate(STATUSES) if ids.get(s))
        return ChartView("status", "pie", t("charts.status", year=self.year), (Series(t("charts.issues"), ""),), parts,
                         note=t("charts.total_issues", n=len(issues)))

    def _categories(self, issues: list[Any]) -> ChartView:
        t = self.ctx.t
        ids: dict[str | None, list[str]] = {}
        for issue_id, _, category, *_ in issues:
            ids.setdefault(category, []).append(issue_id)
        named = [(c, name) for c, name in self.categories if ids.get(c)]
        if ids.get(None):
            named.append((None, t("year.category_none")))
        parts = tuple(self._issues_part(name, name, ids[c], PALETTE[i % len(PALETTE)]) for i, (c, name) in
                      enumerate(named))
        return ChartView("category", "pie", t("charts.category", year=self.year), (Series(t("charts.issues"), ""),),
                         parts)

    def _by_station(self, issues: list[Any]) -> ChartView:
        t = self.ctx.t
        ids: dict[str | None, list[str]] = {}
        for issue_id, _, _, station, _ in issues:
            ids.setdefault(station, []).append(issue_id)
        parts = tuple(Part(short_name(t, name), name, (len(ids.get(s, [])),),
                           t("charts.part_issues", name=name, n=len(ids.get(s, []))), PALETTE[0],
                           self._list(name, ids.get(s, []))) for s, name, _ in self.stations)
        return ChartView("station", "bar", t("charts.station", year=self.year), (Series(t("charts.issues"), PALETTE[0]),),
                         parts, unit=t("charts.unit_issues"))

    def _by_month(self, issues: list[Any], solved: Iterable[Any]) -> ChartView:
        t = self.ctx.t
        raised: dict[int, list[str]] = {}
        for issue_id, _, _, _, created in issues:
            raised.setdefault(month_of(created), []).append(issue_id)
        done: dict[int, list[str]] = {}
        for issue_id, resolved in solved:
            done.setdefault(month_of(resolved), []).append(issue_id)
        parts = tuple(Part(label, name, (len(raised.get(m, [])), len(done.get(m, []))),
                           t("charts.part_month_issues", name=name, raised=len(raised.get(m, [])),
                             solved=len(done.get(m, []))), route=self._list(name, raised.get(m, []) + [
                               i for i in done.get(m, []) if i not in raised.get(m, [])]))
                      for (label, name), m in zip(self._months(), MONTHS))
        return ChartView("month", "bar", t("charts.month_issues", year=self.year),
                         (Series(t("charts.raised"), PALETTE[1]), Series(t("charts.solved"), PALETTE[2])), parts,
                         axis=t("charts.axis_month"), unit=t("charts.unit_issues"))

    def _rectification(self, loop: Any) -> ChartView:
        t = self.ctx.t
        ratio = loop.rectification
        percent = t("dashboard.no_value") if ratio.percent is None else t("dashboard.percent", n=f"{ratio.percent:g}")
        parts = (self._issues_part(t("dashboard.list.fixed"), t("dashboard.list.fixed"), ratio.numerator, PALETTE[0]),
                 self._issues_part(t("dashboard.list.not_fixed"), t("dashboard.list.not_fixed"), ratio.rest, "#546E7A"))
        return ChartView("rectification", "pie", t("charts.rectification", year=self.year),
                         (Series(t("charts.issues"), ""),), parts,
                         note=t("charts.rate_note", rate=percent, n=len(ratio.numerator), d=len(ratio.denominator)))

    def _satisfaction(self, loop: Any) -> ChartView:
        t = self.ctx.t
        mix = loop.satisfaction
        parts = tuple(Part(t(f"satisfaction.{level}"), t(f"satisfaction.{level}"), (mix.count(level),),
                           t("charts.part_ratings", name=t(f"satisfaction.{level}"), n=mix.count(level)),
                           LEVEL_COLOURS[level], self._list(t(f"satisfaction.{level}"), mix.issues(level)))
                      for level in LEVELS if mix.count(level))
        good = mix.count("satisfied") + mix.count("basic")
        rate = t("dashboard.no_value") if not mix.total else \
            t("dashboard.percent", n=f"{int(1000 * good / mix.total) / 10:g}")
        return ChartView("satisfaction", "pie", t("charts.satisfaction", year=self.year),
                         (Series(t("charts.ratings"), ""),), parts,
                         note=t("charts.satisfaction_note", rate=rate, n=good, d=mix.total))

    def _receptions(self, receptions: list[Any]) -> ChartView:
        t = self.ctx.t
        days, people = Counter(r.day.month for r in receptions), Counter()
        for r in receptions:
            people[r.day.month] += r.visitors
        parts = tuple(self._count_part(label, name, (days[m], people[m]), "charts.part_receptions", days=days[m],
                                       people=people[m]) for (label, name), m in zip(self._months(), MONTHS))
        return ChartView("receptions", "line", t("charts.receptions", year=self.year),
                         (Series(t("charts.reception_days"), PALETTE[0]), Series(t("charts.people"), PALETTE[2])),
                         parts, axis=t("charts.axis_month"), unit=t("charts.unit_times"),
                         note=t("charts.receptions_note", days=len(receptions), people=sum(people.values())))

    def _visits(self, visits: list[datetime], inspections: Sequence[datetime]) -> ChartView:
        t = self.ctx.t
        v, i = Counter(month_of(x) for x in visits), Counter(month_of(x) for x in inspections)
        parts = tuple(self._count_part(label, name, (v[m], i[m]), "charts.part_visits", visits=v[m], inspections=i[m])
                      for (label, name), m in zip(self._months(), MONTHS))
        return ChartView("visits", "line", t("charts.visits", year=self.year),
                         (Series(t("charts.visit"), PALETTE[1]), Series(t("charts.inspection"), PALETTE[3])), parts,
                         axis=t("charts.axis_month"), unit=t("charts.unit_times"))

    def _projects(self, projects: list[Any], tasks: list[Any]) -> ChartView:
        t = self.ctx.t
        parts = []
        for n, p in enumerate(projects, start=1):
            own = [x for x in tasks if str(x.project_id) == str(p.id)]
            percent = round(sum(x.percent for x in own) / len(own)) if own else 0
            parts.append(Part(str(n), p.title, (percent,), t("charts.part_project", n=n, name=p.title, percent=percent),
                              PALETTE[0], f"/projects/{p.id}"))
        return ChartView("projects", "bar", t("charts.projects", year=self.year),
                         (Series(t("charts.progress"), PALETTE[0]),), tuple(parts), axis=t("charts.axis_project"),
                         unit=t("charts.unit_percent"))

    def _quiz(self, scores: list[int]) -> ChartView:
        t = self.ctx.t
        parts = []
        for low, high in SCORE_BANDS:
            n = sum(1 for s in scores if low <= s <= high)
            label = t("charts.band_low") if low == 0 else str(low)
            name = t("charts.band_name_low", high=high) if low == 0 else t("charts.band_name", low=low, high=high)
            parts.append(Part(label, name, (n,), t("charts.part_quiz", name=name, n=n), PALETTE[1]))
        average = t("dashboard.no_value") if not scores else f"{sum(scores) / len(scores):.1f}"
        return ChartView("quiz", "bar", t("charts.quiz", year=self.year), (Series(t("charts.takers"), PALETTE[1]),),
                         tuple(parts), axis=t("charts.axis_score"), unit=t("charts.unit_people"),
                         note=t("charts.quiz_note", n=len(scores), average=average))


def short_name(t: Any, name: str) -> str:
    """A station's name short enough for an axis (桔园片区联络站 → 桔园); the whole name is in the legend."""
    for suffix in t("charts.station_suffixes").split("|"):
        if suffix and name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
