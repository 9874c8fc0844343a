"""Home: greeting, the first thing this user does (record, triage, handle), what waits to sync, recent issues."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.home import HomeModel, Shortcut
from app.viewmodels.stations import station_shortcuts
from views.components import big_button, empty_state, issue_tile, section_title
from views.theme import BODY, TOUCH

SHORTCUT_ICONS = {
    "triage": ft.Icons.MOVE_TO_INBOX_OUTLINED,
    "overdue": ft.Icons.ALARM,
    "due_soon": ft.Icons.EVENT_OUTLINED,
    "dashboard": ft.Icons.INSIGHTS_OUTLINED,
    "record": ft.Icons.BADGE_OUTLINED,
    "queue": ft.Icons.ASSIGNMENT_OUTLINED,
    "reception": ft.Icons.EVENT_AVAILABLE_OUTLINED,
    "visit": ft.Icons.DIRECTIONS_WALK,
    "concern": ft.Icons.QR_CODE_2,
    "stations": ft.Icons.HOME_WORK_OUTLINED,
}


def home_body(model: HomeModel, *, on_capture: Callable, on_open: Callable[[str], None],
              on_go: Callable[[str], None]) -> ft.Control:
    t = model.ctx.t
    items: list[ft.Control] = [
        ft.Container(ft.Text(model.greeting, size=BODY + 4, weight=ft.FontWeight.W_600),
                     padding=ft.Padding.only(left=16, right=16, top=16, bottom=0 if model.can_record else 8)),
    ]
    if model.can_record:
        items.append(ft.Container(ft.Row([big_button(t("home.record"), ft.Icons.ADD_A_PHOTO_OUTLINED,
                                                     lambda _: on_capture())]),
                                  padding=ft.Padding.symmetric(horizontal=16, vertical=12)))
    shortcuts = model.shortcuts + station_shortcuts(model.ctx)  # 接待日, 走访, 扫码说事 / 联络站
    if shortcuts:
        items.append(ft.Container(ft.Column([_shortcut(s, on_go) for s in shortcuts], spacing=8),
                                  padding=ft.Padding.only(left=16, right=16, bottom=12)))
    items += [
        ft.Container(
            ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED if model.pending else ft.Icons.CLOUD_DONE_OUTLINED,
                            color="#00695C"),
                    ft.Text(model.pending_text, size=BODY, expand=True),
                    ft.Text(t("home.my_total", n=model.my_total), size=14, color="#546E7A")]),
            bgcolor="#E0F2F1", border_radius=12, padding=14, margin=ft.Margin.symmetric(horizontal=16)),
        section_title(model.recent_title),
    ]
    if model.recent:
        items += [issue_tile(row, on_open) for row in model.recent]
        items.append(ft.Container(ft.TextButton(model.see_all_text, on_click=lambda _: on_go(model.see_all_route),
                                                height=TOUCH),
                                  padding=ft.Padding.symmetric(horizontal=8)))
    else:
        items.append(empty_state(ft.Icons.EDIT_NOTE, model.empty_text))
    return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True)


def _shortcut(shortcut: Shortcut, on_go: Callable[[str], None]) -> ft.Control:
    colour = "#8A4B00" if shortcut.attention else "#00695C"
    return ft.Container(
        ft.Row([ft.Icon(SHORTCUT_ICONS.get(shortcut.icon, ft.Icons.CHEVRON_RIGHT), color=colour),
                ft.Text(shortcut.text, size=BODY, expand=True, color="#263238",
                        weight=ft.FontWeight.W_600 if shortcut.attention else ft.FontWeight.NORMAL),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color="#546E7A")]),
        bgcolor="#FFF3E0" if shortcut.attention else "#FFFFFF", border=ft.Border.all(1, "#B0BEC5"),
        border_radius=12, padding=ft.Padding.symmetric(horizontal=14, vertical=12), ink=True,
        on_click=lambda _: on_go(shortcut.route))
