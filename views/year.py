"""年度: the office's year hub, the lists behind its figures, the annual summary, the deputies' duty records.

    /year                      the year's report figures as tiles (each opens its list) and the year's screens
    /year/list?what=…          a list behind a tile (inspections, trainings, reports, quiz attempts, …)
    /year/summary              年度总结: each part's text written from the data, edited, saved, reset; 导出 Word
    /year/deputies             every deputy with the year's counts; /year/deputies/<id> one deputy's record
    /year/record               a deputy's own record (我的履职)
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.exports import ExportModel
from app.viewmodels.nav import YEAR, YEAR_DEPUTIES, YEAR_LIST, YEAR_RECORD, YEAR_SUMMARY
from app.viewmodels.year import (Count, DeputiesModel, RecordModel, SectionView, SummaryModel, Tile, YearHubModel,
                                 YearListModel, year_of)
from views.components import empty_state, section_title
from views.exports import export_dialog, save_download
from views.theme import BODY, TOUCH, WIDE

Go = Callable[[str], None]
INK, MUTED, ACCENT, EDGE, LINE, GOOD = "#263238", "#455A64", "#00695C", "#B0BEC5", "#CFD8DC", "#1B5E20"
YEAR_ROUTES = (YEAR.route,)
EXPORT_TABLES = ("issue", "inspection", "reception", "visit", "project", "training", "quiz_attempt", "duty_report")
LINK_ICONS = {"charts": ft.Icons.INSERT_CHART_OUTLINED, "map": ft.Icons.MAP_OUTLINED, "export": ft.Icons.DOWNLOAD,
              "trainings": ft.Icons.SCHOOL_OUTLINED, "reports": ft.Icons.ASSIGNMENT_OUTLINED,
              "quiz": ft.Icons.QUIZ_OUTLINED, "summary": ft.Icons.DESCRIPTION_OUTLINED,
              "deputies": ft.Icons.BADGE_OUTLINED}


def year_screen(page: ft.Page, ctx: AppContext, route: str, *, go: Go) -> tuple[ft.Control, str]:
    """The body and title of a route of the year."""
    t, path = ctx.t, urlsplit(route).path.rstrip("/")
    year = year_of(route, ctx)
    if path == YEAR_LIST:
        model = YearListModel.of(ctx, route)
        return list_body(model, go), model.title
    if path == YEAR_SUMMARY:
        return summary_body(page, ctx, year), t("year_screen.summary.title")
    if path.startswith(YEAR_DEPUTIES + "/"):
        model = RecordModel(ctx, path.removeprefix(YEAR_DEPUTIES + "/"), year)
        return record_body(model), model.title
    if path == YEAR_DEPUTIES:
        model = DeputiesModel(ctx, year)
        return deputies_body(page, model, go), model.title
    if path == YEAR_RECORD:
        model = RecordModel(ctx)
        return record_body(model), t("year_screen.own_title")
    return hub_body(page, ctx, go=go), t("year_screen.nav")


def _column(items: list[ft.Control]) -> ft.Control:
    return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _pad(control: ft.Control, **kw) -> ft.Control:
    return ft.Container(control, padding=ft.Padding.only(left=16, right=16, top=kw.get("top", 8),
                                                         bottom=kw.get("bottom", 0)))


# -- the hub ------------------------------------------------------------------------------------------------------
def hub_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = YearHubModel(ctx)
    t = ctx.t
    root = _column([])

    def draw() -> None:
        years = ft.Row([ft.Chip(label=ft.Text(y.label, size=BODY), selected=y.selected, show_checkmark=True,
                                on_select=lambda _, y=y.year: pick(y), height=TOUCH) for y in model.years],
                       wrap=True, spacing=8, run_spacing=8)
        tiles = ft.ResponsiveRow([ft.Container(_tile(tile, go), col={"xs": 6, "sm": 4, "md": 3})
                                  for tile in model.tiles], spacing=12, run_spacing=12)
        root.controls = [
            _pad(ft.Text(model.title, size=BODY + 6, weight=ft.FontWeight.W_600, color=INK), top=16),
            _pad(ft.Semantics(content=years, label=t("year_screen.choose_year"), container=True)),
            section_title(t("year_screen.figures")),
            _pad(tiles),
            section_title(t("year_screen.screens")),
            *[_link_tile(page, ctx, model, link.key, link.label, link.hint, link.route, go) for link in model.links],
            ft.Container(height=24),
        ]

    def pick(year: int) -> None:
        model.choose_year(year)
        draw()
        root.update()

    draw()
    return root


def _tile(tile: Tile, go: Go) -> ft.Control:
    lines = ft.Column([ft.Text(tile.value, size=34, weight=ft.FontWeight.BOLD, color=ACCENT),
                       ft.Text(tile.label, size=BODY, color=INK, max_lines=2)], spacing=2, tight=True)
    words = ft.Semantics(content=lines, label=tile.spoken, button=True, exclude_semantics=True,
                         identifier=f"tile-{tile.key}")
    return ft.Container(words, bgcolor="#FFFFFF", border=ft.Border.all(1, EDGE), border_radius=12, padding=14,
                        ink=True, on_click=lambda _: go(tile.route), height=128)


def _link_tile(page: ft.Page, ctx: AppContext, model: YearHubModel, key: str, label: str, hint: str, route: str,
               go: Go) -> ft.Control:
    def opened(_) -> None:
        if route:
            go(route)
            return
        export = ExportModel(ctx, tables=EXPORT_TABLES)
        export.set_year(model.year)
        export_dialog(page, ctx, export)

    return ft.ListTile(leading=ft.Icon(LINK_ICONS.get(key, ft.Icons.CHEVRON_RIGHT), color=ACCENT),
                       title=ft.Text(label, size=BODY + 1, weight=ft.FontWeight.W_600, color=INK),
                       subtitle=ft.Text(hint, size=BODY, color=MUTED), trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                       on_click=opened, min_height=64)


# -- a list behind a tile -----------------------------------------------------------------------------------------
def list_body(model: YearListModel, go: Go) -> ft.Control:
    items: list[ft.Control] = [section_title(model.count_text)]
    for row in model.rows:
        items.append(ft.ListTile(title=ft.Text(row.title, size=BODY, color=INK, weight=ft.FontWeight.W_600),
                                 subtitle=ft.Text(row.detail, size=BODY, color=MUTED), min_height=TOUCH + 8,
                                 trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT) if row.route else None,
                                 on_click=(lambda _, r=row.route: go(r)) if row.route else None))
    if not model.rows:
        items.append(empty_state(ft.Icons.INBOX_OUTLINED, model.empty_text))
    return _column(items)


# -- the annual summary -------------------------------------------------------------------------------------------
def summary_body(page: ft.Page, ctx: AppContext, year: int) -> ft.Control:
    model = SummaryModel(ctx, year)
    t = ctx.t
    root = _column([])
    said = ft.Text("", size=BODY, color=GOOD)

    def draw() -> None:
        said.value = model.saved_text
        export = ft.Semantics(content=ft.FilledButton(content=ft.Text(t("year_screen.summary.export"), size=BODY),
                                                      icon=ft.Icons.DOWNLOAD, height=TOUCH,
                                                      on_click=lambda _: page.run_task(export_word)),
                              identifier="summary-export", container=True)
        root.controls = [
            _pad(ft.Text(model.title, size=BODY + 4, weight=ft.FontWeight.W_600, color=INK), top=16),
            _pad(ft.Text(t("year_screen.summary.intro"), size=BODY, color=MUTED)),
            _pad(ft.Row([export], wrap=True)),
            _pad(said),
            *[_section(ctx, s, on_save=save, on_reset=reset) for s in model.sections],
            ft.Container(height=24),
        ]

    def save(key: str, text: str) -> None:
        model.save(key, text)
        draw()
        root.update()

    def reset(key: str) -> None:
        model.reset(key)
        draw()
        root.update()

    async def export_word() -> None:
        name, data = model.document()
        if await save_download(page, name, data, "docx", title=t("year_screen.summary.export")):
            said.value = t("year_screen.summary.exported", name=name)
            said.update()

    draw()
    return root


def _section(ctx: AppContext, section: SectionView, *, on_save, on_reset) -> ft.Control:
    t = ctx.t
    field = ft.TextField(value=section.text, multiline=True, min_lines=3, max_lines=12, text_size=BODY,
                         label=section.heading, border_color=EDGE)
    buttons = ft.Row([
        ft.Semantics(content=ft.FilledTonalButton(content=ft.Text(t("year_screen.summary.save"), size=BODY),
                                                  icon=ft.Icons.SAVE_OUTLINED, height=TOUCH,
                                                  on_click=lambda _: on_save(section.key, field.value or "")),
                     identifier=f"summary-save-{section.key}", container=True),
        ft.TextButton(content=ft.Text(t("year_screen.summary.reset"), size=BODY), height=TOUCH,
                      disabled=not section.is_edited, on_click=lambda _: on_reset(section.key)),
    ], wrap=True, spacing=8)
    body = ft.Column([
        ft.Text(section.heading, size=BODY + 2, weight=ft.FontWeight.W_600, color=INK),
        ft.Text(section.note, size=BODY, color=ACCENT if section.is_edited else MUTED),
        ft.Semantics(content=field, identifier=f"summary-{section.key}", container=True),
        buttons,
    ], spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    return ft.Container(ft.Container(body, bgcolor="#FFFFFF", border=ft.Border.all(1, EDGE), border_radius=12,
                                     padding=14), padding=ft.Padding.symmetric(horizontal=16, vertical=8))


# -- the deputies' duty records -----------------------------------------------------------------------------------
def deputies_body(page: ft.Page, model: DeputiesModel, go: Go) -> ft.Control:
    items: list[ft.Control] = [section_title(model.count_text)]
    wide = (page.width or 0) >= WIDE
    for row in model.rows:
        name = ft.Text(row.name, size=BODY + 1, weight=ft.FontWeight.W_600, color=INK)
        where = ft.Text(row.station, size=BODY, color=MUTED)
        counts = ft.Row([_count(c) for c in row.counts], wrap=True, spacing=12, run_spacing=4)
        head = ft.Row([name, where], spacing=12, wrap=True) if wide else ft.Column([name, where], spacing=0)
        items.append(ft.Container(ft.Column([head, counts], spacing=6), ink=True, on_click=lambda _, r=row: go(r.route),
                                  padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                                  border=ft.Border.only(bottom=ft.BorderSide(1, LINE))))
    return _column(items)


def _count(count: Count) -> ft.Control:
    return ft.Text(spans=[ft.TextSpan(f"{count.label} ", ft.TextStyle(size=BODY, color=MUTED)),
                          ft.TextSpan(count.value, ft.TextStyle(size=BODY, color=INK, weight=ft.FontWeight.W_600))],
                   size=BODY)


def record_body(model: RecordModel) -> ft.Control:
    items: list[ft.Control] = [
        _pad(ft.Text(model.title, size=BODY + 4, weight=ft.FontWeight.W_600, color=INK), top=16),
    ]
    if model.station:
        items.append(_pad(ft.Text(model.station, size=BODY, color=MUTED)))
    items.append(_pad(ft.Row([_count(c) for c in model.counts], wrap=True, spacing=16, run_spacing=6), top=12))
    for section in model.sections:
        items.append(section_title(section.title))
        lines = section.lines or (model.empty_line,)
        items += [ft.Container(ft.Text(line, size=BODY, color=INK if section.lines else MUTED),
                               padding=ft.Padding.symmetric(horizontal=16, vertical=4)) for line in lines]
    items.append(ft.Container(height=24))
    return _column(items)
