"""Capture: photos first, then title, category, place, location and description; save always in reach."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

import flet as ft

from app.viewmodels.capture import CaptureModel
from views.camera import pick_images, take_photo
from views.components import section_title
from views.theme import BODY, TOUCH

LOCATE_TIMEOUT_S = 20


class CaptureScreen:
    """Controls are built once; model changes update them in place so typing never loses focus."""

    def __init__(self, page: ft.Page, model: CaptureModel, *, on_saved: Callable[[str], None],
                 locate: Callable[[], Awaitable[tuple[float, float, float | None] | None]] | None = None):
        self.page, self.model, self.on_saved, self.locate = page, model, on_saved, locate
        t = model.ctx.t
        model.on_change = self.refresh
        self.picker = ft.FilePicker()
        self.progress = ft.Row([ft.ProgressRing(width=20, height=20), ft.Text("", size=BODY)], visible=False)
        self.notices = ft.Column(spacing=8)
        self.strip = ft.Row(scroll=ft.ScrollMode.AUTO, spacing=8)
        self.title = self._field("title", t("capture.title"), hint=t("capture.title_hint"))
        self.categories = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.place_types = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.place_name = self._field("place_name", t("capture.place_name"), hint=t("capture.place_name_hint"))
        self.location_text = ft.Text("", size=BODY, expand=True)
        self.latitude = self._field("latitude_text", t("capture.latitude"), keyboard=ft.KeyboardType.NUMBER)
        self.longitude = self._field("longitude_text", t("capture.longitude"), keyboard=ft.KeyboardType.NUMBER)
        self.typed = ft.Column([
            ft.Row([ft.Container(self.latitude, expand=True), ft.Container(self.longitude, expand=True)]),
            ft.Row([ft.OutlinedButton(t("capture.use_typed"), height=TOUCH,
                                      on_click=lambda _: self._apply_typed())]),
        ], visible=False)
        self.description = self._field("description", t("capture.description"), multiline=True)
        self.form_error = ft.Text("", color="#B71C1C", size=BODY, visible=False)
        self.reopened = ft.Container(
            ft.Row([ft.Icon(ft.Icons.RESTORE, color="#00695C"), ft.Text(t("capture.reopened"), size=BODY, expand=True),
                    ft.TextButton(t("capture.discard"), on_click=lambda _: self._discard(), height=TOUCH)]),
            bgcolor="#E0F2F1", border_radius=12, padding=ft.Padding.symmetric(horizontal=12, vertical=4),
            visible=model.reopened)
        body = ft.Column([
            self.reopened,
            section_title(indent=0, text=t("capture.photos")), self.strip, self.progress, self.notices,
            self.title,
            section_title(indent=0, text=t("capture.category")), self.categories,
            section_title(indent=0, text=t("capture.place_type")), self.place_types,
            self.place_name,
            section_title(indent=0, text=t("capture.location")),
            ft.Container(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, color="#00695C"), self.location_text]),
                         bgcolor="#F1F8E9", border_radius=12, padding=12),
            ft.Row([ft.OutlinedButton(t("capture.locate"), icon=ft.Icons.MY_LOCATION, height=TOUCH,
                                      on_click=self._locate),
                    ft.OutlinedButton(t("capture.type_coordinates"), icon=ft.Icons.EDIT_LOCATION_ALT_OUTLINED,
                                      height=TOUCH, on_click=lambda _: self._toggle_typed()),
                    ft.TextButton(t("capture.clear_location"), height=TOUCH, on_click=lambda _: model.clear_location())],
                   wrap=True, spacing=8, run_spacing=8),
            self.typed,
            self.description,
            self.form_error,
        ], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.root = ft.Container(body, padding=ft.Padding.symmetric(horizontal=16, vertical=8), expand=True)
        self.save_bar = ft.BottomAppBar(ft.Row([
            ft.FilledButton(content=ft.Text(t("capture.save"), size=BODY + 2), icon=ft.Icons.CHECK, height=56,
                            expand=True, on_click=lambda _: self._save()),
        ]), padding=ft.Padding.symmetric(horizontal=16, vertical=8), height=80)
        self.refresh(update=False)

    def _field(self, name: str, label: str, *, hint: str | None = None, multiline: bool = False,
               keyboard: ft.KeyboardType | None = None) -> ft.TextField:
        return ft.TextField(label=label, hint_text=hint, value=getattr(self.model, name), text_size=BODY,
                            multiline=multiline, min_lines=4 if multiline else None, max_lines=12 if multiline else 1,
                            keyboard_type=keyboard, on_change=lambda e: self.model.set_field(name, e.control.value))

    # -- events ---------------------------------------------------------------------------------------------------
    async def pick_photos(self, _=None) -> None:
        await self.model.add_photos(await pick_images(self.picker))

    async def take_photo(self, _=None) -> None:
        data = await take_photo(self.page, self.model.ctx.t)
        if data is None:
            self.model.camera_unavailable()
            return
        await self.model.add_photos([(self.model.ctx.t("camera.file_name"), data)])

    async def start(self) -> None:
        """Ask the phone where we are as the form opens; quietly, since the user may type it instead."""
        if self.model.location is None:
            await self._locate(quiet=True)

    async def _locate(self, _=None, *, quiet: bool = False) -> None:
        fix = None
        if self.locate is not None:
            try:
                fix = await asyncio.wait_for(self.locate(), LOCATE_TIMEOUT_S)
            except Exception:  # no permission, no fix in time, no service: typed coordinates remain
                fix = None
        if fix is not None:
            self.model.set_device_location(*fix)
        elif not quiet:
            self.model.location_unavailable()

    def _toggle_typed(self) -> None:
        self.typed.visible = not self.typed.visible

    def _apply_typed(self) -> None:
        if self.model.apply_typed_location():
            self.typed.visible = False

    def _choose(self, field: str, value: str) -> None:
        self.model.set_field(field, value)
        self.refresh()

    def _discard(self) -> None:
        self.model.discard()
        for control, name in ((self.title, "title"), (self.place_name, "place_name"),
                              (self.description, "description"), (self.latitude, "latitude_text"),
                              (self.longitude, "longitude_text")):
            control.value = getattr(self.model, name)
        self.refresh()

    def _save(self) -> None:
        issue_id = self.model.save()
        if issue_id:
            self.on_saved(issue_id)
        else:
            self.refresh()

    # -- drawing --------------------------------------------------------------------------------------------------
    def refresh(self, update: bool = True) -> None:
        m, t = self.model, self.model.ctx.t
        self.progress.visible = m.busy
        self.progress.controls[1].value = m.progress_text
        self.notices.controls = [self._notice(text) for text in m.notices]
        tiles: list[ft.Control] = [self._photo_tile(p.sha256) for p in m.photos]
        tiles.append(self._add_tile(ft.Icons.PHOTO_CAMERA_OUTLINED, t("capture.take_photo"), self.take_photo))
        tiles.append(self._add_tile(ft.Icons.PHOTO_LIBRARY_OUTLINED, t("capture.add_photo"), self.pick_photos))
        self.strip.controls = tiles
        self.categories.controls = [self._chip(label, key == m.category_id, "category_id", key)
                                    for key, label in m.category_options()]
        self.place_types.controls = [self._chip(label, key == m.place_type, "place_type", key)
                                     for key, label in m.place_type_options()]
        self.location_text.value = m.location_label
        self.title.error = m.errors.get("title")
        self.place_name.error = m.errors.get("place_name")
        self.description.error = m.errors.get("description")
        self.latitude.error = m.errors.get("latitude")
        self.longitude.error = m.errors.get("longitude")
        if m.errors.get("latitude") or m.errors.get("longitude"):
            self.typed.visible = True
        form_error = m.errors.get("form") or m.errors.get("category_id") or m.errors.get("location")
        self.form_error.value, self.form_error.visible = form_error or "", bool(form_error)
        self.reopened.visible = m.reopened
        if update:
            self.page.update()

    def _add_tile(self, icon: ft.IconData, label: str, action) -> ft.Control:
        return ft.Container(
            ft.Column([ft.Icon(icon, size=36, color="#00695C"), ft.Text(label, size=15, color="#00695C")],
                      alignment=ft.MainAxisAlignment.CENTER, horizontal_alignment=ft.CrossAxisAlignment.CENTER),
            width=112, height=112, border_radius=12, bgcolor="#E0F2F1", on_click=action, ink=True,
            disabled=self.model.busy)

    def _chip(self, label: str, selected: bool, field: str, key: str) -> ft.Control:
        return ft.Chip(label=ft.Text(label, size=BODY), selected=selected, show_checkmark=True,
                       on_select=lambda _: self._choose(field, key), height=TOUCH)

    def _photo_tile(self, sha256: str) -> ft.Control:
        data = self.model.ctx.photos.read_thumbnail(sha256) if self.model.ctx.photos.has(sha256) else None
        return ft.Stack([
            ft.Image(src=data, width=112, height=112, fit=ft.BoxFit.COVER, border_radius=12) if data
            else ft.Container(width=112, height=112, bgcolor="#ECEFF1", border_radius=12),
            ft.Container(ft.IconButton(ft.Icons.CLOSE, icon_color="#FFFFFF", icon_size=18,
                                       tooltip=self.model.ctx.t("capture.remove_photo"),
                                       on_click=lambda _: self.model.remove_photo(sha256)),
                         bgcolor="#80000000", border_radius=24, right=2, top=2),
        ], width=112, height=112)

    def _notice(self, text: str) -> ft.Control:
        return ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color="#B71C1C"),
                                    ft.Text(text, size=BODY, expand=True),
                                    ft.IconButton(ft.Icons.CLOSE, on_click=lambda _: self.model.dismiss_notices())]),
                            bgcolor="#FFEBEE", border_radius=12, padding=ft.Padding.symmetric(horizontal=12, vertical=4))
