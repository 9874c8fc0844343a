"""统计图表: a chart card per ChartView (flet-charts), its numbers beside it in words, its parts opening their lists."""

from __future__ import annotations

import math
from typing import Callable, Sequence

import flet as ft
import flet_charts as fch

from app.viewmodels.charts import ChartView, Part
from views.theme import BODY, TOUCH

Go = Callable[[str], None]
INK, MUTED, CARD_EDGE, GRID = "#263238", "#455A64", "#B0BEC5", "#E0E0E0"
LIGHT = {"#F9A825"}  # a slice's number is written in dark ink on these
CHART_HEIGHT = 240
PIE_SIZE = 180


def chart_cards(charts: Sequence[ChartView], go: Go, *, empty_text: str, numbers_text: str,
                unit_text: Callable[[str], str]) -> list[ft.Control]:
    return [chart_card(c, go, empty_text=empty_text, numbers_text=numbers_text, unit_text=unit_text) for c in charts]


def chart_card(chart: ChartView, go: Go, *, empty_text: str, numbers_text: str,
               unit_text: Callable[[str], str]) -> ft.Control:
    """The chart's title, its note, the drawing and its numbers; a screen reader hears the numbers, not the drawing."""
    items: list[ft.Control] = [ft.Text(chart.title, size=BODY + 2, weight=ft.FontWeight.W_600, color=INK)]
    if chart.note:
        items.append(ft.Text(chart.note, size=BODY, color=INK))
    if chart.empty:
        items.append(ft.Text(empty_text, size=BODY, color=MUTED))
    elif chart.kind == "pie":
        items.append(ft.Row([_hidden(_pie(chart)), ft.Column([_legend_row(p, go) for p in chart.parts], spacing=0,
                                                             expand=True)],
                            vertical_alignment=ft.CrossAxisAlignment.CENTER, spacing=12))
    else:
        drawing = _bars(chart, go) if chart.kind == "bar" else _lines(chart)
        if chart.unit:
            items.append(ft.Text(unit_text(chart.unit), size=BODY, color=MUTED))
        items.append(_hidden(ft.Container(drawing, height=CHART_HEIGHT, padding=ft.Padding.only(top=12, right=8))))
        if len(chart.series) > 1:
            items.append(ft.Row([_swatch_text(s.colour, s.name) for s in chart.series], wrap=True, spacing=16))
        rows = [_legend_row(p, go, swatch=False) for p in chart.parts]
        if len(rows) > 6:  # twelve months: folded, so the charts stay one under the other
            items.append(ft.ExpansionTile(title=ft.Text(numbers_text, size=BODY, color=INK), controls=rows,
                                          min_tile_height=TOUCH, tile_padding=ft.Padding.symmetric(horizontal=0)))
        else:
            items += rows
    card = ft.Container(ft.Column(items, spacing=8), bgcolor="#FFFFFF", border=ft.Border.all(1, CARD_EDGE),
                        border_radius=12, padding=14)
    return ft.Container(ft.Semantics(content=card, identifier=f"chart-{chart.key}", container=True),
                        padding=ft.Padding.symmetric(horizontal=16, vertical=8))


def _hidden(drawing: ft.Control) -> ft.Control:
    """The drawing says nothing to a screen reader: the card's words carry every number."""
    return ft.Semantics(content=drawing, exclude_semantics=True)


def _swatch_text(colour: str, words: str) -> ft.Control:
    return ft.Row([ft.Container(width=16, height=16, bgcolor=colour, border_radius=4),
                   ft.Text(words, size=BODY, color=INK)], spacing=8, tight=True)


def _legend_row(part: Part, go: Go, *, swatch: bool = True) -> ft.Control:
    words = _swatch_text(part.colour, part.text) if swatch and part.colour else ft.Text(part.text, size=BODY, color=INK)
    if part.route:
        return ft.TextButton(content=words, height=TOUCH, on_click=lambda _: go(part.route),
                             style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=4)))
    return ft.Container(words, height=TOUCH, alignment=ft.Alignment.CENTER_LEFT, padding=ft.Padding.symmetric(horizontal=4))


def _step(top: float) -> float:
    """A round step for the left axis: 1, 2, 5, 10, 20, 50 … giving four or five lines."""
    if top <= 4:
        return 1
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _axes(chart: ChartView, *, label_at: Callable[[int], float]) -> tuple[fch.ChartAxis, fch.ChartAxis, float]:
    top = max(chart.max_value, 1)
    step = _step(top)
    top = step * math.ceil(top / step)
    ticks = [step * i for i in range(int(top / step) + 1)]
    left = fch.ChartAxis(labels=[fch.ChartAxisLabel(value=v, label=ft.Text(f"{v:g}", size=BODY, color=MUTED))
                                 for v in ticks], label_size=44, label_spacing=step)  # the unit is written above: 单位：件
    bottom = fch.ChartAxis(labels=[fch.ChartAxisLabel(value=label_at(i), label=ft.Container(
        ft.Text(p.label, size=BODY, color=INK), padding=ft.Padding.only(top=6))) for i, p in enumerate(chart.parts)],
        label_size=34, label_spacing=1, title=ft.Text(chart.axis, size=BODY, color=MUTED) if chart.axis else None, title_size=28)
    return left, bottom, top


def _bars(chart: ChartView, go: Go) -> ft.Control:
    left, bottom, top = _axes(chart, label_at=lambda i: i)
    width = 10 if len(chart.series) > 1 else 18

    def tapped(e: fch.BarChartEvent) -> None:
        if e.type == fch.ChartEventType.TAP_UP and e.group_index is not None and chart.parts[e.group_index].route:
            go(chart.parts[e.group_index].route)

    return fch.BarChart(
        groups=[fch.BarChartGroup(x=i, rods=[fch.BarChartRod(from_y=0, to_y=v, width=width, color=s.colour,
                                                             border_radius=3, tooltip=_tip(chart, p, s.name, v))
                                             for v, s in zip(p.values, chart.series)], spacing=2)
                for i, p in enumerate(chart.parts)],
        left_axis=left, bottom_axis=bottom, min_y=0, max_y=top, interactive=True, on_event=tapped,
        horizontal_grid_lines=fch.ChartGridLines(interval=_step(top), color=GRID, width=1),
        border=ft.Border.only(bottom=ft.BorderSide(1, CARD_EDGE), left=ft.BorderSide(1, CARD_EDGE)), expand=True)


def _lines(chart: ChartView) -> ft.Control:
    left, bottom, top = _axes(chart, label_at=lambda i: i)
    series = [fch.LineChartData(points=[fch.LineChartDataPoint(x=i, y=p.values[n], tooltip=_tip(chart, p, s.name,
                                                                                              p.values[n]))
                                        for i, p in enumerate(chart.parts)], color=s.colour, stroke_width=3,
                                point=True) for n, s in enumerate(chart.series)]
    return fch.LineChart(data_series=series, left_axis=left, bottom_axis=bottom, min_x=0,
                         max_x=max(len(chart.parts) - 1, 1), min_y=0, max_y=top, interactive=True,
                         horizontal_grid_lines=fch.ChartGridLines(interval=_step(top), color=GRID, width=1),
                         border=ft.Border.only(bottom=ft.BorderSide(1, CARD_EDGE), left=ft.BorderSide(1, CARD_EDGE)),
                         expand=True)


def _tip(chart: ChartView, part: Part, series: str, value: float) -> str:
    """A bar's or a point's own number (a month's chart has two series: each says its own)."""
    return part.text if len(chart.series) == 1 else f"{part.name} · {series} {value:g}"


def _pie(chart: ChartView) -> ft.Control:
    total = sum(p.values[0] for p in chart.parts) or 1
    # A slice too thin for its number leaves it to the legend beside it.
    sections = [fch.PieChartSection(value=p.values[0], color=p.colour, radius=62,
                                    title=f"{p.values[0]:g}" if p.values[0] / total >= 0.06 else "",
                                    title_style=ft.TextStyle(size=BODY, color=INK if p.colour in LIGHT else "#FFFFFF",
                                                             weight=ft.FontWeight.BOLD))
                for p in chart.parts if p.values[0]]
    return ft.Container(fch.PieChart(sections=sections, center_space_radius=24, sections_space=2),
                        width=PIE_SIZE, height=PIE_SIZE)
