"""Sync: what waits, progress per photo and for the run, the last success, and every refusal explained."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.sync import SyncModel
from views.components import section_title, sync_button
from views.theme import BODY, TOUCH


def sync_body(model: SyncModel, *, on_open: Callable[[str], None], on_login: Callable[[], None],
              on_sync: Callable[[], None]) -> ft.Control:
    t = model.ctx.t
    items: list[ft.Control] = [
        ft.Container(ft.Column([
            ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, color="#00695C"), ft.Text(model.pending_text, size=BODY)]),
            *([ft.Row([ft.Icon(ft.Icons.PHOTO_LIBRARY_OUTLINED, color="#00695C"),
                       ft.Text(model.photos_text, size=BODY)])] if model.photos_text else []),
            ft.Row([ft.Icon(ft.Icons.SCHEDULE, color="#00695C"), ft.Text(model.last_success_text, size=BODY)]),
        ], spacing=10), bgcolor="#E0F2F1", border_radius=12, padding=16, margin=16),
    ]
    if model.problem_text:
        items.append(ft.Container(ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, color="#8A4B00"),
                                          ft.Text(model.problem_text, size=BODY, expand=True)]),
                                  bgcolor="#FFF3E0", border_radius=12, padding=12,
                                  margin=ft.Margin.symmetric(horizontal=16)))
    if model.status.needs_login:
        items.append(ft.Container(ft.FilledButton(content=ft.Text(t("login.submit"), size=BODY), height=TOUCH,
                                                  on_click=lambda _: on_login()), padding=16))
    if model.running:
        items += [
            section_title(model.phase_text),
            ft.Container(ft.Column([
                ft.Text(t("sync.overall"), size=15),
                ft.ProgressBar(value=model.overall, height=10, border_radius=5),
                *([ft.Text(model.photo_text, size=15),
                   ft.ProgressBar(value=model.photo_fraction, height=10, border_radius=5)]
                  if model.photo_fraction is not None else []),
            ], spacing=8), padding=ft.Padding.symmetric(horizontal=16)),
        ]
    items.append(ft.Container(sync_button(t("sync.now"), busy=model.busy, on_click=on_sync), padding=16))
    if model.rejected:
        items.append(section_title(t("sync.rejected_title", n=len(model.rejected))))
        for row in model.rejected:
            items.append(ft.Container(ft.Column([
                ft.Text(row.title, size=BODY, weight=ft.FontWeight.W_600),
                ft.Text(t("sync.rejected_what", what=row.what), size=15, color="#37474F"),
                ft.Text(row.why, size=BODY, color="#B71C1C"),
                ft.Text(row.advice, size=15, color="#37474F"),
            ], spacing=4), bgcolor="#FFEBEE", border_radius=12, padding=12,
                margin=ft.Margin.symmetric(horizontal=16, vertical=4),
                on_click=(lambda _, i=row.issue_id: on_open(i)) if row.issue_id else None))
    return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True)
