"""Small pieces every screen uses: status chip, issue tile, sync chip, empty state."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.rows import IssueRow
from app.viewmodels.sync import ChipState
from views.theme import BODY, STATUS_COLOURS, TOUCH


def status_chip(status: str, label: str) -> ft.Control:
    bg, fg = STATUS_COLOURS.get(status, ("#ECEFF1", "#263238"))
    return ft.Container(ft.Text(label, size=14, color=fg, weight=ft.FontWeight.W_600),
                        bgcolor=bg, border_radius=14, padding=ft.Padding.symmetric(horizontal=10, vertical=4))


def thumbnail(data: bytes | None, size: int = 64) -> ft.Control:
    if data:
        return ft.Image(src=data, width=size, height=size, fit=ft.BoxFit.COVER, border_radius=8)
    return ft.Container(ft.Icon(ft.Icons.IMAGE_OUTLINED, color="#90A4AE"), width=size, height=size,
                        bgcolor="#ECEFF1", border_radius=8, alignment=ft.Alignment.CENTER)


def issue_tile(row: IssueRow, on_open: Callable[[str], None]) -> ft.Control:
    where = " · ".join(part for part in (row.place, row.station) if part)
    body = ft.Row([
        thumbnail(row.thumbnail),
        ft.Column([
            ft.Text(row.title, size=BODY + 1, weight=ft.FontWeight.W_600, max_lines=2,
                    overflow=ft.TextOverflow.ELLIPSIS),
            ft.Text(where, size=14, color="#546E7A", max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
            ft.Row([status_chip(row.status, row.status_label), ft.Text(row.age, size=14, color="#546E7A")]
                   + ([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=18, color="#8A4B00"),
                       ft.Text(row.waiting, size=14, color="#8A4B00")] if row.waiting else []),
                   spacing=8),
        ], spacing=4, expand=True),
    ], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)
    return ft.Container(body, padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                        on_click=lambda _: on_open(row.id), ink=True)


def empty_state(icon: ft.IconData, text: str, action: ft.Control | None = None) -> ft.Control:
    items: list[ft.Control] = [ft.Icon(icon, size=56, color="#90A4AE"),
                               ft.Text(text, size=BODY, text_align=ft.TextAlign.CENTER, color="#455A64")]
    if action is not None:
        items.append(action)
    return ft.Container(ft.Column(items, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12),
                        padding=32, alignment=ft.Alignment.CENTER)


def sync_chip(state: ChipState, on_click: Callable | None = None) -> ft.Control:
    """The app bar's connection chip: an icon (a spinner while a sync runs) and the words, never colour alone."""
    if state.busy:
        sign: ft.Control = ft.ProgressRing(width=16, height=16, stroke_width=2, color="#FFFFFF")
    else:
        sign = ft.Icon(ft.Icons.CLOUD_OFF if state.offline else ft.Icons.CLOUD_DONE_OUTLINED, size=18, color="#FFFFFF")
    # Offline is also a different ground, so it is seen at a glance; the word says it anyway.
    return ft.Container(ft.Row([sign, ft.Text(state.text, size=14, color="#FFFFFF")], spacing=6, tight=True),
                        padding=ft.Padding.symmetric(horizontal=12, vertical=6), border_radius=16,
                        bgcolor="#8A4B00" if state.offline else "#33FFFFFF", on_click=on_click, height=TOUCH - 12)


def sync_button(text: str, *, busy: bool, on_click: Callable[[], None]) -> ft.Control:
    """立即同步: a spinner and disabled while its run goes on."""
    icon = ft.ProgressRing(width=18, height=18, stroke_width=2) if busy else ft.Icon(ft.Icons.SYNC)
    return ft.FilledTonalButton(content=ft.Row([icon, ft.Text(text, size=BODY)], tight=True, spacing=8),
                                height=TOUCH, on_click=lambda _: on_click(), disabled=busy)


def section_title(text: str, indent: int = 16) -> ft.Control:
    return ft.Container(ft.Text(text, size=BODY, weight=ft.FontWeight.W_600, color="#37474F"),
                        padding=ft.Padding.only(left=indent, right=indent, top=16, bottom=4))


def big_button(text: str, icon: ft.IconData, on_click: Callable) -> ft.Control:
    return ft.FilledButton(content=ft.Row([ft.Icon(icon, size=26), ft.Text(text, size=BODY + 2)],
                                          alignment=ft.MainAxisAlignment.CENTER, tight=True),
                           height=64, on_click=on_click, expand=True)
