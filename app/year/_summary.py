"""The annual summary (年度工作总结): a Word document for a year and a township, written from the data.

Its figures and tables come from `year_figures`; its narrative starts as text written from
those figures (`summary_sections`), which the office edits before exporting. Laid out as
the supervision letter is (app.documents: GB/T 9704).

    sections = summary_sections(figures, names, t)           # [(key, heading, text)], editable
    data = summary_document(figures, sections, names, settings, t)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Mapping, Sequence

from sqlmodel import Session, select

from app.documents import Fonts, OfficialDocument, chinese_number
from app.models import Category, Station
from app.projects import Project
from app.year._figures import YearFigures, rate

SECTION_KEYS = ("stations", "people", "loop", "projects", "learning", "opinions")


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    text: str


@dataclass(frozen=True)
class Names:
    """The names the summary shows for the ids its figures hold."""

    stations: Mapping[str, str]
    categories: Mapping[str, str]
    projects: Mapping[str, str]


def names_of(session: Session) -> Names:
    return Names(stations={s.id: s.name for s in session.exec(select(Station))},
                 categories={c.id: c.name for c in session.exec(select(Category))},
                 projects={p.id: p.title for p in session.exec(select(Project))})


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}%"


def summary_sections(f: YearFigures, names: Names, t: Callable[..., str]) -> list[Section]:
    """The summary's narrative as first written from the figures: one paragraph per part, to be edited."""
    kinds = "、".join(names.categories.get(c or "", t("year.category_none")) for c, _ in
                     sorted(f.solved_by_category.items(), key=lambda kv: -kv[1])[:3])
    projects = "、".join(names.projects.get(p, "") for p in f.chosen_project_ids)
    texts = {
        "stations": t("year.text.stations", centre=len(f.centre_stations), areas=len(f.area_stations),
                      inspections=len(f.inspection_ids), trainings=len(f.training_ids), reports=len(f.report_ids),
                      quiz=len(f.quiz_attempt_ids)),
        "people": t("year.text.people", days=len(f.reception_ids), people=f.people_received,
                    solved=len(f.solved_ids), kinds=kinds or "—"),
        "loop": t("year.text.loop", looked=len(f.looked_back_ids), rate=_pct(f.look_back_rate),
                  rectification=_pct(f.rectification), on_time=_pct(f.on_time)),
        "projects": t("year.text.projects", n=len(f.chosen_project_ids), projects=projects or "—",
                      ratings=len(f.rating_rounds)),
        "learning": t("year.text.learning", trainings=len(f.training_ids), trained=f.trained,
                      quiz=len(f.quiz_attempt_ids), takers=f.quiz_takers,
                      average="—" if f.quiz_average is None else f"{f.quiz_average:g}"),
        "opinions": t("year.text.opinions", n=len(f.opinion_ids)),
    }
    return [Section(key, t(f"year.heading.{key}"), texts[key]) for key in SECTION_KEYS]


def edited(sections: Sequence[Section], texts: Mapping[str, str]) -> list[Section]:
    """The sections with the office's edits (a blank edit keeps nothing: that part is left out)."""
    return [replace(s, text=texts[s.key]) if s.key in texts else s for s in sections]


def _satisfied_share(results: Mapping[str, int]) -> str:
    total = sum(results.values())
    return _pct(rate(results.get("satisfied", 0) + results.get("basic", 0), total))


def summary_document(f: YearFigures, sections: Sequence[Section], names: Names, settings: Any,
                     t: Callable[..., str], *, day: date | None = None) -> bytes:
    """Write the annual summary as a .docx: the narrative parts, each with its table of figures."""
    fonts = Fonts(title=settings.font_title, body=settings.font_body, heading1=settings.font_heading1,
                  heading2=settings.font_heading2)
    doc = OfficialDocument(fonts, issuer=settings.issuer)
    doc.title(t("year.doc.title", township=settings.township, year=f.year))
    doc.body(t("year.doc.opening", township=settings.township, year=f.year))
    doc.table([t("year.col.figure"), t("year.col.value")], [
        [t("year.fig.stations"), t("year.fig.stations_value", centre=len(f.centre_stations),
                                    areas=len(f.area_stations))],
        [t("year.fig.inspections"), str(len(f.inspection_ids))],
        [t("year.fig.trainings"), str(len(f.training_ids))],
        [t("year.fig.reports"), str(len(f.report_ids))],
        [t("year.fig.quiz"), str(len(f.quiz_attempt_ids))],
        [t("year.fig.received"), str(f.people_received)],
        [t("year.fig.solved"), str(len(f.solved_ids))],
        [t("year.fig.projects"), str(len(f.chosen_project_ids))],
        [t("year.fig.ratings"), str(len(f.rating_rounds))],
        [t("year.fig.look_back"), _pct(f.look_back_rate)],
        [t("year.fig.opinions"), str(len(f.opinion_ids))],
    ], widths_mm=[92, 64])
    for number, section in enumerate([s for s in sections if s.text.strip()], start=1):
        doc.heading1(f"{chinese_number(number)}、{section.heading}")
        for paragraph in [p.strip() for p in section.text.splitlines() if p.strip()]:
            doc.body(paragraph)
        if section.key == "people" and f.solved_by_category:
            doc.table([t("year.col.category"), t("year.col.solved")],
                      [[names.categories.get(c or "", t("year.category_none")), str(n)]
                       for c, n in sorted(f.solved_by_category.items(), key=lambda kv: -kv[1])], widths_mm=[100, 56])
        if section.key == "projects" and f.chosen_project_ids:
            header = [t("year.col.project")] + [r.title for r in f.rating_rounds]
            rows = [[names.projects.get(p, "")] + [_satisfied_share(r.results.get(p, {})) for r in f.rating_rounds]
                    for p in f.chosen_project_ids]
            doc.table(header, rows)
    doc.signature(settings.issuer, day or date(f.year, 12, 31))
    return doc.to_bytes()
