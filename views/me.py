"""Me: who uses this device, the language, the app's version."""

from __future__ import annotations

import flet as ft

from app.viewmodels.me import MeModel
from views.components import section_title
from views.theme import BODY


ENTRY_ICONS = {"quiz": ft.Icons.QUIZ_OUTLINED, "trainings": ft.Icons.SCHOOL_OUTLINED,
               "reports": ft.Icons.ASSIGNMENT_IND_OUTLINED, "record": ft.Icons.BADGE_OUTLINED}


def me_body(model: MeModel, on_language, *, on_sync=None, on_switch=None, on_go=None) -> ft.Control:
    t = model.ctx.t
    account: list[ft.Control] = []
    if on_go is not None:
        record = model.record_entry()  # 我的履职
        account += [_entry(e, on_go) for e in ([record] if record else []) + model.year_entries()]
    if on_sync is not None:
        account.append(ft.ListTile(leading=ft.Icon(ft.Icons.SYNC), title=ft.Text(t("me.sync"), size=BODY),
                                   on_click=lambda _: on_sync(), min_height=56))
    if on_switch is not None:
        account.append(ft.ListTile(leading=ft.Icon(ft.Icons.SWITCH_ACCOUNT), title=ft.Text(t("me.switch_user"), size=BODY),
                                   on_click=lambda _: on_switch(), min_height=56))
    return ft.Column([
        ft.Container(ft.Row([
            ft.CircleAvatar(content=ft.Text(model.name[:1], size=22), radius=28),
            ft.Column([ft.Text(model.name, size=20, weight=ft.FontWeight.W_600),
                       ft.Text(" · ".join(p for p in (model.role, model.station) if p), size=BODY, color="#546E7A")],
                      spacing=2, expand=True),
        ], spacing=16), padding=16),
        *account,
        section_title(t("me.language")),
        ft.Container(ft.RadioGroup(content=ft.Column([
            ft.Radio(value=code, label=label, label_style=ft.TextStyle(size=BODY)) for code, label in
            model.language_options()]), value=model.language, on_change=lambda e: on_language(e.control.value)),
            padding=ft.Padding.symmetric(horizontal=8)),
        section_title(t("me.photos")),
        ft.Container(ft.Row([
            ft.Switch(value=model.watermark, on_change=lambda e: model.set_watermark(bool(e.control.value))),
            ft.Text(t("photos.watermark.toggle"), size=BODY, expand=True),  # wraps, where a Switch label would not
        ]), padding=ft.Padding.symmetric(horizontal=16)),
        ft.Container(ft.Text(t("photos.watermark.hint"), size=14, color="#546E7A"),
                     padding=ft.Padding.symmetric(horizontal=16)),
        section_title(t("me.about")),
        ft.Container(ft.Text(t("me.version", version=model.app_version), size=BODY),
                     padding=ft.Padding.symmetric(horizontal=16)),
    ], spacing=4, scroll=ft.ScrollMode.AUTO, expand=True)


def _entry(entry, on_go) -> ft.Control:
    """知识测试 · 1 场待考: the count in words beside the title, never a bare number."""
    badge = [ft.Container(ft.Text(entry.badge, size=15, color="#8A4B00", weight=ft.FontWeight.W_600),
                          bgcolor="#FFF3E0", border_radius=14, padding=ft.Padding.symmetric(horizontal=10, vertical=4))
             ] if entry.badge else []
    tile = ft.ListTile(leading=ft.Icon(ENTRY_ICONS.get(entry.key, ft.Icons.CHEVRON_RIGHT)),
                       title=ft.Row([ft.Text(entry.label, size=BODY), *badge], spacing=8, wrap=True),
                       trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT), min_height=56,
                       on_click=lambda _: on_go(entry.route))
    return ft.Semantics(content=tile, identifier=f"me-{entry.key}", container=True)
