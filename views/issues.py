"""The issue list: search, filters, newest first, a page at a time."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.issue_list import IssueListModel
from views.components import empty_state, issue_tile
from views.theme import BODY


class IssueListScreen:
    """Built once per visit; the search field keeps its focus while the rows below are redrawn."""

    def __init__(self, model: IssueListModel, on_open: Callable[[str], None]):
        self.model, self.on_open = model, on_open
        t = model.ctx.t
        self.search = ft.TextField(label=t("list.search"), prefix_icon=ft.Icons.SEARCH, text_size=BODY,
                                   on_submit=lambda e: self._search(e.control.value),
                                   on_change=lambda e: self._search(e.control.value) if not e.control.value else None,
                                   dense=False)
        self.status = self._dropdown(t("list.filter_status"), model.status_options(), "status")
        self.category = self._dropdown(t("list.filter_category"), model.category_options(), "category_id")
        self.station = self._dropdown(t("list.filter_station"), model.station_options(), "station_id")
        self.rows = ft.Column(spacing=0)
        self.root = ft.Column([
            ft.Container(self.search, padding=ft.Padding.only(left=16, right=16, top=12)),
            # Three equal columns that fit a phone; the padding leaves room for the floating labels.
            ft.Container(ft.Row([ft.Container(d, expand=True, padding=ft.Padding.only(top=8))
                                 for d in (self.status, self.category, self.station)], spacing=8),
                         padding=ft.Padding.only(left=16, right=16, top=6, bottom=8)),
            self.rows,
        ], spacing=0, scroll=ft.ScrollMode.AUTO, expand=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.render()

    def _dropdown(self, label: str, options: list[tuple[str, str]], field: str) -> ft.Control:
        all_label = self.model.ctx.t("list.filter_all")
        # The label is what a screen reader says for the filter, not just "button".
        return ft.Semantics(label=label, container=True, content=ft.Dropdown(label=label, text_size=15, value="", expand=True,
                           options=[ft.DropdownOption(key="", text=all_label)]
                           + [ft.DropdownOption(key=k, text=v) for k, v in options],
                           on_select=lambda e: self._filter(field, e.control.value)))

    def _search(self, text: str) -> None:
        self.model.set_filter(text=text or "")
        self.render()

    def _filter(self, field: str, value: str | None) -> None:
        self.model.set_filter(**{field: value or None})
        self.render()

    def _more(self) -> None:
        self.model.load_more()
        self.render()

    def render(self) -> None:
        t = self.model.ctx.t
        controls: list[ft.Control] = [issue_tile(row, self.on_open) for row in self.model.rows]
        if not controls:
            controls.append(empty_state(ft.Icons.INBOX_OUTLINED, self.model.empty_text))
        if self.model.has_more:
            controls.append(ft.Container(ft.OutlinedButton(t("list.more"), on_click=lambda _: self._more(), height=48),
                                         padding=16, alignment=ft.Alignment.CENTER))
        self.rows.controls = controls
