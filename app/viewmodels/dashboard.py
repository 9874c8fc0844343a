"""The office's dashboard: the closed loop's figures for a period, in total and by department, station,
category and month, each figure with the lists of issues behind it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Mapping

from sqlmodel import Session, select

from app.issues import today_in_china
from app.issues._figures import (LEVELS, Dimension, LoopFigures, LoopReport, Period, PeriodKind, Ratio,
                                 first_assignment_day, loop_report)
from app.models import Category, Department, Station
from app.store import get_meta, set_meta
from app.viewmodels.context import AppContext

# Kept on this device, so the office finds the dashboard as it left it (also after a sync redraws it).
PERIOD_KEY = "dashboard_period"
DIMENSION_KEY = "dashboard_dimension"


class Choice(StrEnum):
    """The periods the picker offers: the current month, quarter or year, or a month chosen from a list."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class ListLink:
    """One list of issues behind a figure: what it is called on the dashboard, and in the list's title."""

    label: str  # 未整改
    count: int
    text: str  # 未整改 3
    title: str  # 2026年5月 · 镇水利站 · 未整改
    issue_ids: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """One figure: its value in big type, the counts it is taken of, and the lists behind it."""

    key: str  # rectification, on_time, days, assigned, satisfaction
    name: str  # 整改率
    value: str  # 75% / 12.5天 / —
    counts: str  # 3 / 4 (empty where a figure is not a ratio)
    explain: str  # 已整改 / 已交办
    links: tuple[ListLink, ...]
    title: str = ""  # what it is of: 2026年 · 镇水利站 · 整改率

    @property
    def spoken(self) -> str:
        """What a screen reader says for a cell of the table: what it is of, then the figure."""
        return " ".join(part for part in (self.title, self.value, self.counts) if part)


@dataclass(frozen=True)
class MixPart:
    """One satisfaction level in the bar: its word, how many ratings, what share."""

    level: str
    label: str
    count: int
    share: str  # 50%
    text: str  # 满意 2（50%）
    link: ListLink


@dataclass(frozen=True)
class TableRow:
    """One department, station, category or month, its figures in the table's column order."""

    key: str
    name: str
    cells: tuple[Figure, ...]


class DashboardModel:
    """The dashboard's state: the period and breakdown chosen, and the figures they give."""

    def __init__(self, ctx: AppContext, *, today: date | None = None):
        self.ctx = ctx
        self.today = today or today_in_china()
        with ctx.session() as session:
            # The year by default: the figure a township reports, and not empty on the first of a month.
            stored_period = get_meta(session, PERIOD_KEY, Choice.YEAR.value)
            stored_dimension = get_meta(session, DIMENSION_KEY, Dimension.DEPARTMENT.value)
            self._first_day = first_assignment_day(session)
        self.choice, self.chosen_month = self._read_choice(stored_period)
        self.dimension = Dimension(stored_dimension) if stored_dimension in Dimension.__members__.values() \
            else Dimension.DEPARTMENT
        self.refresh()

    # -- choices ------------------------------------------------------------------------------------------------
    def period_options(self) -> list[tuple[str, str]]:
        t = self.ctx.t
        return [(c.value, t(f"dashboard.choice.{c.value}")) for c in (Choice.MONTH, Choice.QUARTER, Choice.YEAR)]

    def month_options(self) -> list[tuple[str, str]]:
        """Every month from the first assignment on this device to this one, newest first."""
        this = Period.containing(PeriodKind.MONTH, self.today)
        first = Period.containing(PeriodKind.MONTH, self._first_day) if self._first_day else this
        first = min(first, this)
        months, at = [], this
        while at >= first:
            months.append((at.key, self.period_label(at)))
            at = Period.month(at.year - 1, 12) if at.number == 1 else Period.month(at.year, at.number - 1)
        return months

    def dimension_options(self) -> list[tuple[str, str]]:
        t = self.ctx.t
        shown = [Dimension.DEPARTMENT, Dimension.STATION, Dimension.CATEGORY]
        if self.period.kind is not PeriodKind.MONTH:
            shown.append(Dimension.MONTH)
        return [(d.value, t(f"dashboard.by.{d.value}")) for d in shown]

    def choose_period(self, choice: str) -> None:
        """本月 / 本季度 / 本年 (or `chosen`, the month last picked)."""
        self.choice = Choice(choice)
        if self.choice is Choice.CHOSEN and self.chosen_month is None:
            self.chosen_month = Period.containing(PeriodKind.MONTH, self.today)
        self._remember()

    def choose_month(self, key: str) -> None:
        """A month picked from the list, as `2026-04`."""
        period = Period.parse(key)
        if period.kind is not PeriodKind.MONTH:
            raise ValueError(f"not a month: {key!r}")
        self.choice, self.chosen_month = Choice.CHOSEN, period
        self._remember()

    def choose_dimension(self, dimension: str) -> None:
        self.dimension = Dimension(dimension)
        self._remember()

    @property
    def selected_month(self) -> str | None:
        """The month picked from the list, while it is the period shown."""
        return self.chosen_month.key if self.choice is Choice.CHOSEN and self.chosen_month else None

    @property
    def period(self) -> Period:
        if self.choice is Choice.CHOSEN and self.chosen_month is not None:
            return self.chosen_month
        kind = {Choice.QUARTER: PeriodKind.QUARTER, Choice.YEAR: PeriodKind.YEAR}.get(self.choice, PeriodKind.MONTH)
        return Period.containing(kind, self.today)

    def _read_choice(self, stored: str) -> tuple[Choice, Period | None]:
        if stored in Choice.__members__.values() and stored != Choice.CHOSEN:
            return Choice(stored), None
        try:
            month = Period.parse(stored)
        except ValueError:
            return Choice.YEAR, None
        return (Choice.CHOSEN, month) if month.kind is PeriodKind.MONTH else (Choice.YEAR, None)

    def _remember(self) -> None:
        if self.dimension is Dimension.MONTH and self.period.kind is PeriodKind.MONTH:
            self.dimension = Dimension.DEPARTMENT  # a month has no months to break down into
        stored = self.selected_month or self.choice.value
        with self.ctx.session() as session:
            set_meta(session, PERIOD_KEY, stored)
            set_meta(session, DIMENSION_KEY, self.dimension.value)
            session.commit()
        self.refresh()

    # -- figures ------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        t = self.ctx.t
        with self.ctx.session() as session:
            self.report: LoopReport = loop_report(session, self.period)
            names = self._names(session)
        self.period_text = self.period_label(self.period)
        total = self.report.total
        self.empty = not total.assigned
        self.empty_text = t("dashboard.empty", period=self.period_text)
        self.figures = self._figures(total, ())
        self.mix = self._mix(total, ())
        self.mix_total = t("dashboard.mix_total", n=total.satisfaction.total)
        self.headers = (t(f"dashboard.by.{self.dimension.value}"), t("dashboard.col.assigned"),
                        t("dashboard.col.rectification"), t("dashboard.col.on_time"), t("dashboard.col.days"),
                        t("dashboard.col.satisfaction"))
        groups = self.report.by(self.dimension)
        names = names.get(self.dimension, {})
        place = {key: index for index, key in enumerate(names)}
        keys = sorted(groups, key=lambda k: (k is None, place.get(k, len(place)), k or ""))
        self.rows = [self._row(key, names.get(key) or self._group_name(key), groups[key]) for key in keys]

    def period_label(self, period: Period) -> str:
        t = self.ctx.t
        return t(f"dashboard.period.{period.kind.value}", y=period.year, n=period.number)

    def _group_name(self, key: str | None) -> str:
        """A month's name, or 未定 for an issue without a department, station or category (or an unknown one)."""
        if key is not None and self.dimension is Dimension.MONTH:
            return self.period_label(Period.parse(key))
        return self.ctx.t("dashboard.unknown")

    def _names(self, session: Session) -> Mapping[Dimension, dict[str, str]]:
        """Reference names in their sort order, for each breakdown that has them."""
        tables = {Dimension.DEPARTMENT: Department, Dimension.STATION: Station, Dimension.CATEGORY: Category}
        table = tables.get(self.dimension)
        if table is None:
            return {}
        rows = session.exec(select(table).order_by(table.sort_order, table.code))
        return {self.dimension: {row.id: self.ctx.name_of(row) for row in rows}}

    def _percent(self, value: float | None) -> str:
        t = self.ctx.t
        return t("dashboard.no_value") if value is None else t("dashboard.percent", n=number_text(value))

    def _title(self, *parts: str) -> str:
        return self.ctx.t("dashboard.separator").join((self.period_text, *parts))

    def _link(self, where: tuple[str, ...], label: str, ids: tuple[str, ...]) -> ListLink:
        return ListLink(label=label, count=len(ids), text=self.ctx.t("dashboard.link", label=label, n=len(ids)),
                        title=self._title(*where, label), issue_ids=ids)

    def _ratio(self, key: str, ratio: Ratio, where: tuple[str, ...], *, counted: str, rest: str,
               of: str) -> Figure:
        t = self.ctx.t
        value = self._percent(ratio.percent)
        name = t(f"dashboard.figure.{key}")
        return Figure(key=key, name=name, value=value, title=self._title(*where, name),
                      counts=t("dashboard.counts", n=len(ratio.numerator), d=len(ratio.denominator)),
                      explain=t("dashboard.counts_of", counted=t(counted), of=t(of)),
                      links=(self._link(where, t(counted), ratio.numerator), self._link(where, t(rest), ratio.rest),
                             self._link(where, t(of), ratio.denominator)))

    def _figures(self, figures: LoopFigures, where: tuple[str, ...]) -> tuple[Figure, ...]:
        t = self.ctx.t
        average = figures.days_to_resolve
        days = t("dashboard.no_value") if average.days is None else t("dashboard.days_value", n=number_text(average.days))
        return (
            self._ratio("rectification", figures.rectification, where, counted="dashboard.list.fixed",
                        rest="dashboard.list.not_fixed", of="dashboard.list.assigned"),
            self._ratio("on_time", figures.on_time, where, counted="dashboard.list.on_time",
                        rest="dashboard.list.late", of="dashboard.list.resolved"),
            Figure(key="days", name=t("dashboard.figure.days"), value=days, counts="",
                   title=self._title(*where, t("dashboard.figure.days")),
                   explain=t("dashboard.days_explain", n=len(average.issue_ids)),
                   links=(self._link(where, t("dashboard.list.resolved"), average.issue_ids),)),
        )

    def _mix(self, figures: LoopFigures, where: tuple[str, ...]) -> tuple[MixPart, ...]:
        t = self.ctx.t
        mix = figures.satisfaction
        parts = []
        for level in LEVELS:
            count, share, label = mix.count(level), mix.share(level), t(f"satisfaction.{level}")
            text = t("dashboard.mix_part", label=label, n=count, share=self._percent(share)) if mix.total else \
                t("dashboard.link", label=label, n=count)
            parts.append(MixPart(level=level, label=label, count=count, share=self._percent(share), text=text,
                                 link=self._link((*where, t("dashboard.figure.satisfaction")), label, mix.issues(level))))
        return tuple(parts)

    def _row(self, key: str | None, name: str, figures: LoopFigures) -> TableRow:
        t = self.ctx.t
        where = (name,)
        rectification, on_time, days = (replace(f, name=t(f"dashboard.col.{f.key}"))
                                        for f in self._figures(figures, where))
        assigned = Figure(key="assigned", name=t("dashboard.col.assigned"), value=str(len(figures.assigned)),
                          counts="", explain="", title=self._title(name, t("dashboard.list.assigned")),
                          links=(self._link(where, t("dashboard.list.assigned"), figures.assigned),))
        mix = self._mix(figures, where)
        satisfaction = Figure(key="satisfaction", name=t("dashboard.col.satisfaction"),
                              value=t("dashboard.mix_short", **{p.level: p.count for p in mix}), counts="", explain="",
                              title=self._title(name, t("dashboard.figure.satisfaction")),
                              links=tuple(p.link for p in mix))
        return TableRow(key=key or "", name=name, cells=(assigned, rectification, on_time, days, satisfaction))


def number_text(value: float) -> str:
    """12.0 → 12, 12.5 → 12.5."""
    return f"{value:.1f}".removesuffix(".0")
