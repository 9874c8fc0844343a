"""Home: greeting, the large 'record an issue' action, what waits to sync, my recent issues."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.home import HomeModel
from views.components import big_button, empty_state, issue_tile, section_title
from views.theme import BODY


def home_body(model: HomeModel, *, on_capture: Callable, on_open: Callable[[str], None],
              on_all: Callable) -> ft.Control:
    t = model.ctx.t
    items: list[ft.Control] = [
        ft.Container(ft.Text(model.greeting, size=BODY + 4, weight=ft.FontWeight.W_600),
                     padding=ft.Padding.only(left=16, right=16, top=16)),
        ft.Container(ft.Row([big_button(t("home.record"), ft.Icons.ADD_A_PHOTO_OUTLINED, lambda _: on_capture())]),
                     padding=ft.Padding.symmetric(horizontal=16, vertical=12)),
        ft.Container(
            ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED if model.pending else ft.Icons.CLOUD_DONE_OUTLINED,
                            color="#00695C"),
                    ft.Text(model.pending_text, size=BODY, expand=True),
                    ft.Text(t("home.my_total", n=model.my_total), size=14, color="#546E7A")]),
            bgcolor="#E0F2F1", border_radius=12, padding=14, margin=ft.Margin.symmetric(horizontal=16)),
        section_title(t("home.recent")),
    ]
    if model.recent:
        items += [issue_tile(row, on_open) for row in model.recent]
        items.append(ft.Container(ft.TextButton(t("home.see_all"), on_click=lambda _: on_all(), height=48),
                                  padding=ft.Padding.symmetric(horizontal=8)))
    else:
        items.append(empty_state(ft.Icons.EDIT_NOTE, model.empty_text))
    return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True)
