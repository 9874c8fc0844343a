"""One issue: status, photos, where and what, and the timeline with anything the server refused."""

from __future__ import annotations

import flet as ft

from app.viewmodels.issue_detail import IssueDetailModel
from views.components import empty_state, section_title, status_chip
from views.theme import BODY


def detail_body(page: ft.Page, model: IssueDetailModel) -> ft.Control:
    t = model.ctx.t
    if not model.found:
        return empty_state(ft.Icons.SEARCH_OFF, t("detail.not_found"))
    facts = [
        (ft.Icons.CATEGORY_OUTLINED, t("detail.category"), model.category),
        (ft.Icons.PLACE_OUTLINED, t("detail.place"), " · ".join(p for p in (model.place_type, model.place_name) if p)),
        (ft.Icons.MY_LOCATION, t("detail.location"), model.location),
        (ft.Icons.HOME_WORK_OUTLINED, t("detail.station"), model.station),
        (ft.Icons.PERSON_OUTLINE, t("detail.reporter"), model.reporter),
        (ft.Icons.SCHEDULE, t("detail.created"), model.created),
    ]
    if model.department:
        facts.append((ft.Icons.APARTMENT, t("detail.department"), model.department))
    items: list[ft.Control] = [
        ft.Container(ft.Column([
            ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
            status_chip(model.status, model.status_label),
        ], spacing=8), padding=ft.Padding.only(left=16, right=16, top=16)),
    ]
    if model.photos:
        items.append(ft.Container(ft.Row([_photo(page, model, p) for p in model.photos], scroll=ft.ScrollMode.AUTO,
                                         spacing=8), padding=ft.Padding.symmetric(horizontal=16, vertical=12)))
    items.append(ft.Container(ft.Column([_fact(*f) for f in facts if f[2]], spacing=6),
                              padding=ft.Padding.symmetric(horizontal=16, vertical=8)))
    if model.description:
        items += [section_title(t("detail.description")),
                  ft.Container(ft.Text(model.description, size=BODY, selectable=True),
                               padding=ft.Padding.symmetric(horizontal=16))]
    items.append(section_title(t("detail.timeline")))
    items += [_event(t, row) for row in model.timeline]
    items.append(ft.Container(height=24))
    return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True)


def _fact(icon, label: str, value: str) -> ft.Control:
    return ft.Row([ft.Icon(icon, size=20, color="#546E7A"), ft.Text(label, size=15, color="#546E7A", width=72),
                   ft.Text(value, size=BODY, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START)


def _photo(page: ft.Page, model: IssueDetailModel, photo) -> ft.Control:
    if not photo.available:
        return ft.Container(ft.Column([ft.Icon(ft.Icons.CLOUD_DOWNLOAD_OUTLINED, color="#90A4AE"),
                                       ft.Text(model.ctx.t("detail.photo_not_here"), size=13, color="#546E7A",
                                               text_align=ft.TextAlign.CENTER)],
                                      alignment=ft.MainAxisAlignment.CENTER,
                                      horizontal_alignment=ft.CrossAxisAlignment.CENTER),
                            width=140, height=140, bgcolor="#ECEFF1", border_radius=12, padding=8)

    def open_full(_):
        data = model.photo_bytes(photo.sha256)
        page.show_dialog(ft.AlertDialog(content=ft.Image(src=data, fit=ft.BoxFit.CONTAIN),
                                        actions=[ft.TextButton(model.ctx.t("common.close"), height=48,
                                                               on_click=lambda _: page.pop_dialog())]))

    return ft.Semantics(content=ft.Container(ft.Image(src=photo.thumbnail, width=140, height=140,
                                                      fit=ft.BoxFit.COVER, border_radius=12),
                                             on_click=open_full, border_radius=12),
                        identifier="detail-photo", label=model.ctx.t("capture.photos"), button=True)


def _event(t, row) -> ft.Control:
    lines: list[ft.Control] = [
        ft.Row([ft.Text(row.what, size=BODY, weight=ft.FontWeight.W_600),
                ft.Text(row.who, size=15, color="#37474F"),
                ft.Text(row.when, size=14, color="#546E7A")], wrap=True, spacing=8),
    ]
    if row.text:
        lines.append(ft.Text(row.text, size=BODY))
    if row.pending:
        lines.append(ft.Text(t("detail.event_pending"), size=14, color="#8A4B00"))
    if row.rejected:
        lines.append(ft.Container(ft.Text(t("detail.event_rejected", reason=row.rejected), size=15, color="#B71C1C"),
                                  bgcolor="#FFEBEE", border_radius=8, padding=8))
    return ft.Container(ft.Row([
        ft.Container(width=4, bgcolor="#B71C1C" if row.rejected else "#80CBC4", border_radius=2),
        ft.Column(lines, spacing=4, expand=True),
    ], vertical_alignment=ft.CrossAxisAlignment.STRETCH, spacing=12),
        padding=ft.Padding.symmetric(horizontal=16, vertical=8))
