"""The office's dashboard: big figures for a period, the satisfaction bar, and the breakdown table;
every figure opens the list of issues behind it."""

from __future__ import annotations

from typing import Callable, Sequence

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.charts import ChartsModel
from app.viewmodels.dashboard import DashboardModel, Figure, ListLink, MixPart, TableRow
from app.viewmodels.year import choose_year, chosen_year, year_choices
from views.charts import chart_cards
from views.components import empty_state, section_title
from views.theme import BODY, TOUCH, WIDE

OpenList = Callable[[str, Sequence[str]], None]

INK = "#263238"
MUTED = "#455A64"  # 4.5:1 and more on white and on the card colour
ACCENT = "#00695C"
CARD = "#FFFFFF"
CARD_EDGE = "#B0BEC5"
LINE = "#CFD8DC"
# The satisfaction bar's colours; every part also carries its word and number beside the bar.
MIX_COLOURS = {"satisfied": "#00796B", "basic": "#F9A825", "unsatisfied": "#C62828"}


def dashboard_body(page: ft.Page, ctx: AppContext, *, on_open_list: OpenList, year: int | None = None,
                   go: Callable[[str], None] | None = None) -> ft.Control:
    """The dashboard for the office; `on_open_list(title, issue_ids)` opens the list behind a figure, `go` the list
    behind a part of a chart; the charts count `year` (the year chosen in 年度 by default)."""
    return DashboardScreen(page, DashboardModel(ctx), on_open_list, year=year, go=go).root


class DashboardScreen:
    def __init__(self, page: ft.Page, model: DashboardModel, on_open_list: OpenList, *, year: int | None = None,
                 go: Callable[[str], None] | None = None):
        self.page, self.model, self.on_open_list = page, model, on_open_list
        self.go = go or page.navigate
        self.chart_year = year or chosen_year(model.ctx)
        self.root = ft.Column(spacing=0, scroll=ft.ScrollMode.AUTO, expand=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.render()

    @property
    def wide(self) -> bool:
        return (self.page.width or 0) >= WIDE

    # -- events -------------------------------------------------------------------------------------------------
    def _period(self, choice: str) -> None:
        self.model.choose_period(choice)
        self.render()

    def _month(self, key: str | None) -> None:
        if key:
            self.model.choose_month(key)
            self.render()

    def _dimension(self, dimension: str) -> None:
        self.model.choose_dimension(dimension)
        self.render()

    def _open(self, link: ListLink) -> None:
        self.page.pop_dialog()
        self.on_open_list(link.title, list(link.issue_ids))

    def _choose_list(self, title: str, links: Sequence[ListLink]) -> None:
        """One list: open it; several (已整改 / 未整改 / 已交办): ask which."""
        if len(links) == 1:
            self.on_open_list(links[0].title, list(links[0].issue_ids))
            return
        t = self.model.ctx.t
        buttons: list[ft.Control] = [
            ft.OutlinedButton(content=ft.Text(li.text, size=BODY), height=TOUCH, disabled=not li.count,
                              on_click=lambda _, li=li: self._open(li))
            for li in links]
        self.page.show_dialog(ft.BottomSheet(ft.Container(ft.Column([
            ft.Text(title, size=BODY + 2, weight=ft.FontWeight.W_600, color=INK),
            ft.Text(t("dashboard.open_list"), size=BODY, color=MUTED),
            *buttons,
            ft.TextButton(t("dashboard.close"), height=TOUCH, on_click=lambda _: self.page.pop_dialog()),
        ], spacing=10, tight=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), padding=20)))

    # -- drawing ------------------------------------------------------------------------------------------------
    def render(self) -> None:
        model, t = self.model, self.model.ctx.t
        controls: list[ft.Control] = [self._picker(),
                                      ft.Container(ft.Text(t("dashboard.assigned_total", period=model.period_text,
                                                             n=len(model.report.total.assigned)),
                                                           size=BODY + 4, weight=ft.FontWeight.W_600, color=INK),
                                                   padding=ft.Padding.only(left=16, right=16, top=8, bottom=4))]
        if model.empty:
            controls.append(empty_state(ft.Icons.INSERT_CHART_OUTLINED, model.empty_text))
        else:
            controls += [self._cards(), self._mix_card()]
        controls += self._charts()
        if not model.empty:
            controls.append(self._breakdown())
        controls.append(self._definitions())
        self.root.controls = controls

    def _chart_year(self, year: int) -> None:
        self.chart_year = year
        choose_year(self.model.ctx, year)
        self.render()

    def _charts(self) -> list[ft.Control]:
        """统计图表 of a year, above the table: its own year chips, since the table's period may be a month."""
        t = self.model.ctx.t
        charts = ChartsModel(self.model.ctx, self.chart_year)
        years = ft.Row([ft.Chip(label=ft.Text(y.label, size=BODY), selected=y.selected, show_checkmark=True,
                                on_select=lambda _, y=y.year: self._chart_year(y), height=TOUCH)
                        for y in year_choices(self.model.ctx, self.chart_year)], wrap=True, spacing=8, run_spacing=8)
        head = ft.Container(ft.Column([ft.Text(charts.title, size=BODY + 4, weight=ft.FontWeight.W_600, color=INK),
                                       ft.Text(t("charts.year_hint"), size=BODY, color=MUTED), years], spacing=8),
                            padding=ft.Padding.only(left=16, right=16, top=16, bottom=4))
        cards = chart_cards(charts.charts, self.go, empty_text=t("charts.empty"), numbers_text=t("charts.numbers"),
                            unit_text=lambda unit: t("charts.unit", unit=unit))
        return [ft.Semantics(content=head, identifier="charts", container=True), *cards]

    def _picker(self) -> ft.Control:
        model, t = self.model, self.model.ctx.t
        chips: list[ft.Control] = [
            ft.Chip(label=ft.Text(label, size=BODY), selected=model.choice.value == value, show_checkmark=True,
                    on_select=lambda _, v=value: self._period(v), height=TOUCH)
            for value, label in model.period_options()]
        months = ft.Dropdown(label=t("dashboard.choose_month"), text_size=BODY, value=model.selected_month, width=180,
                             options=[ft.DropdownOption(key=k, text=v) for k, v in model.month_options()],
                             on_select=lambda e: self._month(e.control.value))
        picker = ft.Semantics(content=months, label=t("dashboard.choose_month"), container=True)
        return ft.Container(ft.Row([*chips, picker], wrap=True, spacing=8, run_spacing=8,
                                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
                            padding=ft.Padding.only(left=16, right=16, top=12))

    def _cards(self) -> ft.Control:
        rectification, on_time, days = (self._card(f) for f in self.model.figures)
        if self.wide:
            row = ft.Row([rectification, on_time, days], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)
            return ft.Container(row, padding=ft.Padding.symmetric(horizontal=16, vertical=8))
        # On a phone the headline figure takes the whole width, the other two share a row.
        return ft.Container(ft.Column([ft.Row([rectification]),
                                       ft.Row([on_time, days], spacing=12,
                                              vertical_alignment=ft.CrossAxisAlignment.START)], spacing=12),
                            padding=ft.Padding.symmetric(horizontal=16, vertical=8))

    def _card(self, figure: Figure) -> ft.Control:
        items: list[ft.Control] = [
            ft.Text(figure.name, size=BODY + 1, weight=ft.FontWeight.W_600, color=INK),
            ft.Text(figure.value, size=40, weight=ft.FontWeight.BOLD, color=ACCENT),
        ]
        if figure.counts:
            items.append(ft.Text(figure.counts, size=BODY + 4, weight=ft.FontWeight.W_600, color=INK))
        items.append(ft.Text(figure.explain, size=BODY, color=MUTED))
        items.append(ft.Row([self._link_button(li) for li in figure.links], wrap=True, spacing=4, run_spacing=0))
        card = ft.Container(ft.Column(items, spacing=4), bgcolor=CARD, border=ft.Border.all(1, CARD_EDGE),
                            border_radius=12, padding=14, expand=True)
        return ft.Semantics(content=card, identifier=f"figure-{figure.key}", container=True, expand=True)

    def _link_button(self, link: ListLink) -> ft.Control:
        return ft.TextButton(content=ft.Text(link.text, size=BODY), height=TOUCH, disabled=not link.count,
                             on_click=lambda _: self.on_open_list(link.title, list(link.issue_ids)),
                             style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=4)))

    def _mix_card(self) -> ft.Control:
        model, t = self.model, self.model.ctx.t
        total = sum(p.count for p in model.mix)
        if total:
            bar = ft.Row([ft.Container(bgcolor=MIX_COLOURS[p.level], expand=p.count, height=28)
                          for p in model.mix if p.count], spacing=2)
        else:
            bar = ft.Container(ft.Text(t("dashboard.mix_empty"), size=BODY, color=MUTED), bgcolor="#ECEFF1",
                               height=28, alignment=ft.Alignment.CENTER)
        legend = [self._mix_part(p) for p in model.mix]
        body = ft.Column([
            ft.Text(t("dashboard.figure.satisfaction"), size=BODY + 1, weight=ft.FontWeight.W_600, color=INK),
            ft.Text(model.mix_total, size=BODY, color=MUTED),
            ft.Container(bar, border_radius=6, clip_behavior=ft.ClipBehavior.HARD_EDGE),
            ft.Row(legend, wrap=True, spacing=4, run_spacing=0) if self.wide else ft.Column(legend, spacing=0),
        ], spacing=8)
        return ft.Container(ft.Semantics(content=ft.Container(body, bgcolor=CARD, border=ft.Border.all(1, CARD_EDGE),
                                                          border_radius=12, padding=14),
                                         identifier="figure-satisfaction", container=True),
                            padding=ft.Padding.symmetric(horizontal=16, vertical=8))

    def _mix_part(self, part: MixPart) -> ft.Control:
        swatch = ft.Container(width=18, height=18, bgcolor=MIX_COLOURS[part.level], border_radius=4)
        return ft.TextButton(content=ft.Row([swatch, ft.Text(part.text, size=BODY, color=INK)], spacing=8, tight=True),
                             height=TOUCH, disabled=not part.count,
                             on_click=lambda _: self.on_open_list(part.link.title, list(part.link.issue_ids)))

    def _breakdown(self) -> ft.Control:
        model = self.model
        chips: list[ft.Control] = [
            ft.Chip(label=ft.Text(label, size=BODY), selected=model.dimension.value == value, show_checkmark=True,
                    on_select=lambda _, v=value: self._dimension(v), height=TOUCH)
            for value, label in model.dimension_options()]
        rows: list[ft.Control] = [self._wide_row(r) for r in model.rows] if self.wide else \
            [self._phone_row(r) for r in model.rows]
        if self.wide:
            rows.insert(0, self._header())
        return ft.Column([
            section_title(model.ctx.t("dashboard.breakdown")),
            ft.Container(ft.Row(chips, wrap=True, spacing=8, run_spacing=8), padding=ft.Padding.symmetric(horizontal=16)),
            ft.Container(ft.Column(rows, spacing=0), padding=ft.Padding.only(left=16, right=16, top=8, bottom=8)),
        ], spacing=4)

    # Column widths of the wide table, as flex factors: name, 交办, 整改率, 按期率, 平均天数, 满意度.
    FLEX = (5, 2, 3, 3, 3, 5)

    def _header(self) -> ft.Control:
        cells = [ft.Container(ft.Text(h, size=BODY, weight=ft.FontWeight.W_600, color=MUTED), expand=f,
                              padding=ft.Padding.symmetric(horizontal=6))
                 for h, f in zip(self.model.headers, self.FLEX)]
        return ft.Container(ft.Row(cells, spacing=0), padding=ft.Padding.symmetric(vertical=8),
                            border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))

    def _wide_row(self, row: TableRow) -> ft.Control:
        name = ft.Container(ft.Text(row.name, size=BODY, weight=ft.FontWeight.W_600, color=INK), expand=self.FLEX[0],
                            padding=ft.Padding.symmetric(horizontal=6))
        cells = [self._cell(cell, flex) for cell, flex in zip(row.cells, self.FLEX[1:])]
        return ft.Container(ft.Row([name, *cells], spacing=0, vertical_alignment=ft.CrossAxisAlignment.CENTER),
                            border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))

    def _phone_row(self, row: TableRow) -> ft.Control:
        assigned, rectification, on_time, days, satisfaction = row.cells
        title = ft.Row([ft.Text(row.name, size=BODY + 1, weight=ft.FontWeight.W_600, color=INK, expand=True),
                        self._cell(assigned, None, labelled=True)])
        figures = ft.Row([self._cell(c, 1, labelled=True) for c in (rectification, on_time, days)], spacing=4)
        return ft.Container(ft.Column([title, figures, self._cell(satisfaction, None)], spacing=2),
                            padding=ft.Padding.symmetric(vertical=10),
                            border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))

    def _cell(self, cell: Figure, flex: int | None, *, labelled: bool = False) -> ft.Control:
        """A figure of the table: tapping it opens its list, or asks which of its lists."""
        lines: list[ft.Control] = []
        if labelled:
            lines.append(ft.Text(cell.name, size=BODY, color=MUTED))
        lines.append(ft.Text(cell.value, size=BODY + 1, weight=ft.FontWeight.W_600, color=ACCENT))
        if cell.counts:
            lines.append(ft.Text(cell.counts, size=BODY, color=INK))
        # One line alone gets more room, so every cell is a 48 px target.
        padding = ft.Padding.symmetric(horizontal=6, vertical=6 if len(lines) > 1 else 14)
        enabled = any(li.count for li in cell.links)
        # A screen reader hears what the figure is of (2026年 · 镇水利站 · 整改率 33.3% 1 / 3), once, not a bare
        # number: the label replaces the texts' own words, and merges into the tappable container's node.
        words = ft.Semantics(content=ft.Column(lines, spacing=0, tight=True), label=cell.spoken, button=True,
                             exclude_semantics=True)
        return ft.Container(words, ink=True, border_radius=8, padding=padding, expand=flex,
                            on_click=lambda _: self._choose_list(cell.title, cell.links),
                            disabled=not enabled)

    def _definitions(self) -> ft.Control:
        t = self.model.ctx.t
        return ft.Container(ft.ExpansionTile(
            title=ft.Text(t("dashboard.definitions"), size=BODY, color=INK),
            controls=[ft.Container(ft.Text(t("dashboard.definitions_text"), size=BODY, color=MUTED),
                                   padding=ft.Padding.only(left=16, right=16, bottom=12))],
            min_tile_height=TOUCH), padding=ft.Padding.only(left=0, right=0, top=8, bottom=24))
