"""年度: the office's year hub, the lists behind its figures, the annual summary and the deputies' duty records.

    hub = YearHubModel(ctx)                    # the year's report figures as tiles, and the screens of the year
    hub.choose_year(2024)                      # remembered on this device: every screen of the year follows it
    YearListModel(ctx, "inspections").rows     # what a tile opens when its list is not a list of issues
    summary = SummaryModel(ctx)                # the generated sections, the office's edits over them
    summary.save("people", "…"); summary.reset("people"); name, data = summary.document()
    DeputiesModel(ctx).rows                    # every deputy with the year's counts
    RecordModel(ctx, person_id).sections       # one deputy's duty record (a deputy: only their own)
    year_line(ctx)                             # 今年：走访 3 次 · 反映问题 2 件 … for a deputy's home
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Role
from app.clock import to_china
from app.duty import DutyReport, duty_record
from app.duty._record import DutyRecord
from app.inspections import Inspection
from app.issues import today_in_china
from app.models import Person, Station
from app.projects import Ballot, Opinion, Project
from app.quiz import QuizAttempt
from app.receptions import Reception
from app.store import get_meta, set_meta
from app.trainings import Training
from app.viewmodels.context import AppContext
from app.viewmodels.nav import DASHBOARD, YEAR, YEAR_DEPUTIES, YEAR_LIST, YEAR_RECORD, YEAR_SUMMARY, IssueSet
from app.year import Section, edited, names_of, summary_document, summary_sections, year_figures
from app.year._figures import YearFigures

YEAR_KEY = "year_hub_year"  # the year the office last chose, kept on this device
EDITS_KEY = "year_summary_edits.{year}"  # the office's edits of a year's summary: {section key: text}
YEARS_BACK = 4
DEPUTY_ROLES = (Role.DEPUTY.value,)


def chosen_year(ctx: AppContext) -> int:
    """The year the office works on: the one last chosen here, else this year."""
    with ctx.session() as session:
        stored = get_meta(session, YEAR_KEY)
    return int(stored) if stored.isdigit() else today_in_china().year


def year_of(route: str, ctx: AppContext) -> int:
    """The year a route names (?year=2024), else the one chosen on this device."""
    found = parse_qs(urlsplit(route).query).get("year", [""])[0]
    return int(found) if found.isdigit() else chosen_year(ctx)


@dataclass(frozen=True)
class YearChoice:
    year: int
    label: str
    selected: bool


def year_choices(ctx: AppContext, year: int) -> list[YearChoice]:
    """This year and the four before it (and the one shown, if older), newest first."""
    this = today_in_china().year
    years = sorted(set(range(this, this - YEARS_BACK - 1, -1)) | {year}, reverse=True)
    return [YearChoice(y, ctx.t("year_screen.year", year=y), y == year) for y in years]


def choose_year(ctx: AppContext, year: int) -> None:
    """Remember the year chosen, for every screen of the year on this device."""
    with ctx.session() as session:
        set_meta(session, YEAR_KEY, str(int(year)))
        session.commit()


@dataclass(frozen=True)
class Tile:
    """One figure of the township's report: its number in big type, what it counts, where its list opens."""

    key: str
    value: str
    label: str
    route: str
    spoken: str  # what a screen reader says: the label, then the number


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    hint: str
    route: str  # empty: not a screen (导出 opens its dialog)


class YearHubModel:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.year = chosen_year(ctx)
        self.refresh()

    @property
    def years(self) -> list[YearChoice]:
        return year_choices(self.ctx, self.year)

    def choose_year(self, year: int) -> None:
        self.year = int(year)
        choose_year(self.ctx, self.year)
        self.refresh()

    def refresh(self) -> None:
        with self.ctx.session() as session:
            self.figures = year_figures(session, self.year)
        self.title = self.ctx.t("year_screen.hub_title", year=self.year)

    @property
    def tiles(self) -> list[Tile]:
        t, f, y = self.ctx.t, self.figures, self.year
        look_back = t("dashboard.no_value") if f.look_back_rate is None else \
            t("dashboard.percent", n=f"{f.look_back_rate:g}")

        def listed(what: str) -> str:
            return f"{YEAR_LIST}?{urlencode({'what': what, 'year': y})}"

        def issues(key: str, ids: Sequence[str]) -> str:
            return IssueSet(t("year_screen.list_title", year=y, what=t(f"year_screen.tile.{key}")), tuple(ids)).route()

        raw = [
            ("stations", t("year_screen.stations_value", centre=len(f.centre_stations), areas=len(f.area_stations)),
             listed("stations")),
            ("inspections", str(len(f.inspection_ids)), listed("inspections")),
            ("trainings", str(len(f.training_ids)), listed("trainings")),
            ("reports", str(len(f.report_ids)), listed("reports")),
            ("quiz", str(len(f.quiz_attempt_ids)), listed("quiz")),
            ("received", str(f.people_received), listed("received")),
            ("solved", str(len(f.solved_ids)), issues("solved", f.solved_ids)),
            ("projects", str(len(f.chosen_project_ids)), listed("projects")),
            ("ratings", str(len(f.rating_rounds)), listed("ratings")),
            ("look_back", look_back, issues("look_back", f.looked_back_ids)),
            ("opinions", str(len(f.opinion_ids)), listed("opinions")),
        ]
        return [Tile(key, value, t(f"year_screen.tile.{key}"), route,
                     t("year_screen.tile_spoken", label=t(f"year_screen.tile.{key}"), value=value))
                for key, value, route in raw]

    @property
    def links(self) -> list[Link]:
        t, y = self.ctx.t, self.year
        raw = [("charts", f"{DASHBOARD}?year={y}"), ("map", "/map"), ("export", ""), ("trainings", "/trainings"),
               ("reports", "/reports"), ("quiz", "/quiz"), ("summary", f"{YEAR_SUMMARY}?year={y}"),
               ("deputies", f"{YEAR_DEPUTIES}?year={y}")]
        return [Link(key, t(f"year_screen.link.{key}"), t(f"year_screen.link_hint.{key}"), route) for key, route in raw]


# -- the lists behind the tiles ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListRow:
    title: str
    detail: str
    route: str = ""  # where the row opens, if it has a screen


LISTS = ("stations", "inspections", "trainings", "reports", "quiz", "received", "projects", "ratings", "opinions")


class YearListModel:
    def __init__(self, ctx: AppContext, what: str, year: int | None = None):
        if what not in LISTS:
            raise ValueError(f"no list {what!r}")
        self.ctx, self.what = ctx, what
        self.year = year or chosen_year(ctx)
        t = ctx.t
        with ctx.session() as session:
            f = year_figures(session, self.year)
            self.rows = self._rows(session, f)
        self.title = t("year_screen.list_title", year=self.year, what=t(f"year_screen.tile.{what}"))
        self.count_text = t("year_screen.list_count", n=len(self.rows))
        self.empty_text = t("year_screen.list_empty")

    @classmethod
    def of(cls, ctx: AppContext, route: str) -> "YearListModel":
        query = parse_qs(urlsplit(route).query)
        return cls(ctx, (query.get("what") or ["stations"])[0], year_of(route, ctx))

    def _rows(self, session: Session, f: YearFigures) -> list[ListRow]:
        t, what = self.ctx.t, self.what
        people = {p.id: p.name for p in session.exec(select(Person))}
        stations = {s.id: self.ctx.name_of(s) for s in session.exec(select(Station))}

        def got(table: Any, ids: Sequence[str]) -> list[Any]:
            found = {r.id: r for r in session.exec(select(table).where(col(table.id).in_(list(ids))))} if ids else {}
            return [found[i] for i in ids if i in found]

        if what == "stations":
            kinds = [("centre", f.centre_stations), ("area", f.area_stations)]
            return [ListRow(stations.get(i, ""), t(f"year_screen.station_kind.{kind}")) for kind, ids in kinds
                    for i in ids]
        if what == "inspections":
            return [ListRow(i.title, t("year_screen.row.inspection", day=_day(i.signed_off_at),
                                       station=stations.get(i.station_id or "", "")), f"/inspections/{i.id}")
                    for i in got(Inspection, f.inspection_ids)]
        if what == "trainings":
            return [ListRow(x.title, t("year_screen.row.training", day=x.day.isoformat(), place=x.place,
                                       n=len(x.attended_ids))) for x in got(Training, f.training_ids)]
        if what == "reports":
            return [ListRow(r.title, t("year_screen.row.report", name=people.get(r.author_id or "", ""),
                                       status=t(f"status.{r.status}"))) for r in got(DutyReport, f.report_ids)]
        if what == "quiz":
            return [ListRow(people.get(a.author_id or "", ""), t("year_screen.row.quiz", day=_day(a.created_at),
                            score=t("dashboard.no_value") if a.score is None else a.score))
                    for a in got(QuizAttempt, f.quiz_attempt_ids)]
        if what == "received":
            return [ListRow(stations.get(r.station_id, ""), t("year_screen.row.reception", day=r.day.isoformat(),
                                                              n=r.visitors)) for r in got(Reception, f.reception_ids)]
        if what == "projects":
            return [ListRow(p.title, t(f"status.{p.status}"), f"/projects/{p.id}")
                    for p in got(Project, f.chosen_project_ids)]
        if what == "ratings":
            return [ListRow(r.title, t("year_screen.row.rating", n=r.voted), f"/projects/rounds/{r.ballot_id}")
                    for r in f.rating_rounds]
        return [ListRow(o.title, stations.get(o.station_id or "", "")) for o in got(Opinion, f.opinion_ids)]


def _day(value: Any) -> str:
    return to_china(value).date().isoformat() if value else ""


# -- the annual summary ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionView:
    key: str
    heading: str
    text: str
    generated: str
    is_edited: bool
    note: str  # 已修改（导出时用修改后的文字） / 按数据生成


class SummaryModel:
    """The annual summary of a year: each part's generated text, the office's edits kept on this device."""

    def __init__(self, ctx: AppContext, year: int | None = None):
        self.ctx = ctx
        self.year = year or chosen_year(ctx)
        self.saved_text = ""
        self.refresh()

    def refresh(self) -> None:
        t = self.ctx.t
        with self.ctx.session() as session:
            self.figures = year_figures(session, self.year)
            self.names = names_of(session)
            stored = get_meta(session, EDITS_KEY.format(year=self.year))
        self.edits: dict[str, str] = json.loads(stored) if stored else {}
        self.generated = summary_sections(self.figures, self.names, t)
        self.title = t("year.doc.title", township=self.ctx.settings.township, year=self.year)

    @property
    def sections(self) -> list[SectionView]:
        t = self.ctx.t
        shown = edited(self.generated, self.edits)
        return [SectionView(s.key, s.heading, s.text, g.text, s.key in self.edits,
                            t("year_screen.summary.edited") if s.key in self.edits else t("year_screen.summary.generated"))
                for s, g in zip(shown, self.generated)]

    def _store(self) -> None:
        with self.ctx.session() as session:
            set_meta(session, EDITS_KEY.format(year=self.year), json.dumps(self.edits, ensure_ascii=False))
            session.commit()

    def save(self, key: str, text: str) -> None:
        """Keep the office's text of a part (the same as generated: no edit is kept)."""
        generated = next(s.text for s in self.generated if s.key == key)
        if text.strip() == generated.strip():
            self.edits.pop(key, None)
        else:
            self.edits[key] = text
        self._store()
        self.saved_text = self.ctx.t("year_screen.summary.saved")

    def reset(self, key: str) -> None:
        """Back to the text written from the figures."""
        self.edits.pop(key, None)
        self._store()
        self.saved_text = self.ctx.t("year_screen.summary.reset_done")

    def final_sections(self) -> list[Section]:
        return edited(self.generated, self.edits)

    def document(self) -> tuple[str, bytes]:
        """The summary as a Word file, with its name."""
        data = summary_document(self.figures, self.final_sections(), self.names, self.ctx.settings, self.ctx.t)
        return f"{self.title}.docx", data


# -- the deputies' duty records --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Count:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class DeputyRow:
    id: str
    name: str
    station: str
    counts: tuple[Count, ...]
    route: str

    @property
    def summary(self) -> str:
        return " · ".join(f"{c.label} {c.value}" for c in self.counts)


COUNT_KEYS = ("visits", "receptions", "raised", "solved", "inspections", "votes", "trainings", "quiz")


def record_counts(ctx: AppContext, record: DutyRecord) -> tuple[Count, ...]:
    """The year's counts of a duty record, in the order the screens show them."""
    t = ctx.t
    best = max((q.best for q in record.quizzes if q.best is not None), default=None)
    values = {"visits": len(record.visits), "receptions": len(record.reception_days), "raised": len(record.issues),
              "solved": len(record.resolved), "inspections": len(record.inspections), "votes": len(record.votes),
              "trainings": len(record.trainings),
              "quiz": t("dashboard.no_value") if best is None else t("year_screen.score", n=best)}
    return tuple(Count(k, t(f"year_screen.count.{k}"), str(values[k])) for k in COUNT_KEYS)


class DeputiesModel:
    def __init__(self, ctx: AppContext, year: int | None = None):
        self.ctx = ctx
        self.year = year or chosen_year(ctx)
        t = ctx.t
        with ctx.session() as session:
            stations = {s.id: (s.sort_order, ctx.name_of(s)) for s in session.exec(select(Station))}
            deputies = sorted(session.exec(select(Person).where(col(Person.role).in_(DEPUTY_ROLES))),
                              key=lambda p: (stations.get(p.station_id or "", (999, ""))[0], p.name))
            self.rows = [DeputyRow(p.id, p.name, stations.get(p.station_id or "", (0, ""))[1],
                                   record_counts(ctx, duty_record(session, p.id, self.year)),
                                   f"{YEAR_DEPUTIES}/{p.id}?year={self.year}") for p in deputies]
        self.title = t("year_screen.deputies_title", year=self.year)
        self.count_text = t("year_screen.deputies_count", n=len(self.rows))
        self.headers = (t("year_screen.col.name"),) + tuple(t(f"year_screen.count.{k}") for k in COUNT_KEYS)


@dataclass(frozen=True)
class RecordSection:
    key: str
    title: str
    lines: tuple[str, ...]


class RecordModel:
    """One deputy's duty record of a year; a deputy opening /year/record sees their own, nobody else's."""

    def __init__(self, ctx: AppContext, person_id: str | None = None, year: int | None = None):
        self.ctx = ctx
        user = ctx.current_user()
        if user is None:
            raise LookupError("no user is signed in on this device")
        if person_id and person_id != user.id and user.role not in OFFICE_ROLES:
            raise PermissionError("a deputy sees their own duty record only")
        self.person_id = person_id or user.id
        self.year = year or (chosen_year(ctx) if user.role in OFFICE_ROLES else today_in_china().year)
        t = ctx.t
        with ctx.session() as session:
            record = duty_record(session, self.person_id, self.year)
            station = session.get(Station, record.person.station_id) if record.person.station_id else None
        self.name = record.person.name
        self.station = ctx.name_of(station)
        self.title = t("year_screen.record_title", name=self.name, year=self.year)
        self.counts = record_counts(ctx, record)
        self.sections = self._sections(record)

    def _sections(self, r: DutyRecord) -> list[RecordSection]:
        t = self.ctx.t
        parts = [
            ("visits", [t("year_screen.line.visit", day=_day(v.created_at), place=v.place_name or "—")
                        for v in r.visits]),
            ("receptions", [t("year_screen.line.reception", day=x.day.isoformat(), n=x.visitors)
                            for x in r.reception_days]),
            ("raised", [t("year_screen.line.issue", title=i.title, status=t(f"status.{i.status}")) for i in r.issues]),
            ("inspections", [i.title for i in r.inspections]),
            ("votes", [t("year_screen.line.vote", title=b.title) for b in r.votes]),
            ("trainings", [t("year_screen.line.training", day=x.day.isoformat(), title=x.title) for x in r.trainings]),
            ("quiz", [t("year_screen.line.quiz", title=q.title, attempts=q.attempts,
                        best=t("dashboard.no_value") if q.best is None else q.best) for q in r.quizzes]),
            ("reports", [x.title for x in r.reports]),
        ]
        return [RecordSection(k, t(f"year_screen.section.{k}", n=len(lines)), tuple(lines)) for k, lines in parts]

    @property
    def empty_line(self) -> str:
        return self.ctx.t("year_screen.record_none")


def year_line(ctx: AppContext) -> str:
    """A deputy's year in one line for their home screen ('' for other roles)."""
    user = ctx.current_user()
    if user is None or user.role not in DEPUTY_ROLES:
        return ""
    with ctx.session() as session:
        record = duty_record(session, user.id, today_in_china().year)
    return ctx.t("year_screen.home_line", visits=len(record.visits), raised=len(record.issues),
                 solved=len(record.resolved), days=len(record.reception_days))


__all__ = ["YEAR", "YEAR_RECORD", "YearHubModel", "YearListModel", "SummaryModel", "DeputiesModel", "RecordModel",
           "year_line", "chosen_year", "choose_year", "year_choices", "year_of"]
