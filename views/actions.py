"""An issue's actions as forms in a dialog: the fields the step needs, the rules' refusals at the field.

    assign_dialog(page, ctx, ["issue-1", "issue-2"], on_done)   # 交办, one issue or a batch
    open_action(page, ctx, ["issue-1"], "resolve", on_done)      # any step the detail offers
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable, Sequence

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.issue_actions import DEFAULT_DEADLINE_DAYS, ActionForm, FormField, Kind
from views.camera import pick_images, take_photo
from views.theme import BODY, TOUCH

ERROR = "#B71C1C"
QUICK_DAYS = (7, DEFAULT_DEADLINE_DAYS, 30)
# Choices that are the whole point of the form get large tiles instead of chips.
LARGE_CHOICES = {"satisfaction", "finding"}
CHOICE_ICONS = {"satisfied": ft.Icons.SENTIMENT_VERY_SATISFIED, "basic": ft.Icons.SENTIMENT_NEUTRAL,
                "unsatisfied": ft.Icons.SENTIMENT_VERY_DISSATISFIED, "confirmed": ft.Icons.TASK_ALT,
                "not_fixed": ft.Icons.REPLAY}


def assign_dialog(page: ft.Page, ctx: AppContext, issue_ids: list[str], on_done: Callable[[], None]) -> None:
    """Open the 交办 form for one issue or several at once; on_done runs after they were assigned."""
    open_action(page, ctx, issue_ids, "assign", on_done)


def open_action(page: ft.Page, ctx: AppContext, issue_ids: Sequence[str], type_: str,
                on_done: Callable[[], None] | None = None) -> None:
    """Open the form of one step on an issue (or on several, for 交办)."""
    ActionDialog(page, ActionForm(ctx, list(issue_ids), type_, on_done=on_done)).show()


class ActionDialog:
    """Text fields are built once (typing never loses focus); choices and photos are redrawn on change."""

    def __init__(self, page: ft.Page, form: ActionForm):
        self.page, self.form = page, form
        t = form.ctx.t
        form.on_change = self.refresh
        form.on_recorded = self._recorded
        self.picker = ft.FilePicker()
        self.inputs: dict[str, ft.TextField] = {}
        self.parts: dict[str, ft.Column] = {}
        rows: list[ft.Control] = []
        if form.batch_title:
            rows.append(ft.Text(form.batch_title, size=BODY, color="#37474F", weight=ft.FontWeight.W_600))
        if form.hint:
            rows.append(ft.Text(form.hint, size=BODY, color="#37474F"))
        for f in form.fields:
            part = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
            self.parts[f.name] = part
            if f.kind == Kind.TEXT:
                self.inputs[f.name] = ft.TextField(
                    label=f.label, value=form.values.get(f.name) or "", multiline=True, min_lines=3, max_lines=8,
                    text_size=BODY, on_change=lambda e, name=f.name: form.set(name, e.control.value))
            elif f.kind == Kind.DATE:
                self.inputs[f.name] = ft.TextField(
                    label=f.label, value=form.values.get(f.name) or "", hint_text=t("action.date_hint"),
                    text_size=BODY, keyboard_type=ft.KeyboardType.DATETIME,
                    on_change=lambda e, name=f.name: form.set(name, e.control.value))
            rows.append(part)
        self.notices = ft.Text("", size=BODY, color=ERROR, visible=False)  # photos that could not be used
        self.progress = ft.Row([ft.ProgressRing(width=20, height=20), ft.Text("", size=BODY)], visible=False)
        rows += [self.progress, self.notices]
        # Why nothing was recorded, beside the buttons: the field it is about may be scrolled away.
        self.summary = ft.Text("", size=BODY, color=ERROR, visible=False)
        self.submit_button = ft.FilledButton(content=ft.Text(form.submit_label, size=BODY + 2), height=56,
                                             on_click=lambda _: self._submit())
        buttons = ft.Row([ft.TextButton(content=ft.Text(t("action.cancel"), size=BODY + 1), height=TOUCH,
                                        on_click=lambda _: self.page.pop_dialog()), self.submit_button],
                         alignment=ft.MainAxisAlignment.END, wrap=True, spacing=8)
        self.dialog = ft.AlertDialog(
            modal=True, scrollable=True,
            title=ft.Text(form.title, size=22, weight=ft.FontWeight.W_600),
            content=ft.Container(ft.Column(rows, spacing=14, tight=True,
                                           horizontal_alignment=ft.CrossAxisAlignment.STRETCH), width=520),
            actions=[ft.Column([self.summary, buttons], spacing=8, tight=True,
                               horizontal_alignment=ft.CrossAxisAlignment.STRETCH)],
            on_dismiss=self._dismissed)
        self.refresh(update=False)

    def show(self) -> None:
        self.page.show_dialog(self.dialog)

    # -- drawing --------------------------------------------------------------------------------------------------
    def refresh(self, update: bool = True) -> None:
        form = self.form
        for f in form.fields:
            error = form.errors.get(f.name)
            if f.name in self.inputs and f.kind == Kind.TEXT:
                self.inputs[f.name].error = error
                self.parts[f.name].controls = [self.inputs[f.name]]
                continue
            controls = [] if f.kind == Kind.CHECK else [ft.Text(f.label, size=BODY, weight=ft.FontWeight.W_600,
                                                                color="#37474F")]
            controls += self._field(f)
            if error:
                controls.append(ft.Text(error, size=BODY, color=ERROR))
            self.parts[f.name].controls = controls
        self.progress.visible = form.busy
        if form.progress:
            self.progress.controls[1].value = form.ctx.t("photos.processing", done=form.progress[0],
                                                         total=form.progress[1])
        self.notices.value = "\n".join(form.notices)
        self.notices.visible = bool(form.notices)
        self.summary.value = form.errors.get("form") or (form.ctx.t("action.fix_fields") if form.errors else "")
        self.summary.visible = bool(self.summary.value)
        self.submit_button.disabled = form.busy
        if update and self.dialog.open:
            self.dialog.update()

    def _field(self, f: FormField) -> list[ft.Control]:
        form, t = self.form, self.form.ctx.t
        value = form.values.get(f.name)
        if f.kind == Kind.CHOICE and f.name in LARGE_CHOICES:
            return [self._tile(o.label, o.value == value, CHOICE_ICONS.get(o.value), f.name, o.value)
                    for o in f.options]
        if f.kind == Kind.CHOICE:
            if not f.options:
                return [ft.Text(t("action.no_people"), size=BODY, color="#546E7A")]
            return [self._chips([(o.label, o.value == value, lambda _, o=o: self._set(f.name, o.value))
                                 for o in f.options])]
        if f.kind == Kind.MULTI:
            chosen = value or []
            lead = form.values.get("department_id")
            return [self._chips([(o.label, o.value in chosen, lambda _, o=o: self._toggle(f.name, o.value))
                                 for o in f.options if o.value != lead])]
        if f.kind == Kind.CHECK:
            return [ft.Container(ft.Checkbox(label=f.label, value=bool(value), label_style=ft.TextStyle(size=BODY),
                                             on_change=lambda e: form.set(f.name, bool(e.control.value))),
                                 height=TOUCH)]
        if f.kind == Kind.DATE:
            box = self.inputs[f.name]
            box.border_color = ERROR if f.name in form.errors else None  # the words follow at body size
            calendar = ft.OutlinedButton(t("action.pick_date"), icon=ft.Icons.CALENDAR_MONTH, height=TOUCH,
                                         on_click=lambda _: self._pick_date(f.name))
            quick = [(t("action.in_days", n=n), value == form.deadline_in(n),
                      lambda _, n=n: self._set_date(f.name, form.deadline_in(n))) for n in QUICK_DAYS]
            return [box, self._chips(quick, first=calendar)]
        if f.kind == Kind.PHOTOS:
            return self._photos()
        if f.kind == Kind.CANDIDATES:
            if not f.options:
                return [ft.Text(t("action.no_candidates"), size=BODY, color="#546E7A")]
            return [self._tile(o.label, o.value == value, ft.Icons.LINK, f.name, o.value, detail=o.detail)
                    for o in f.options]
        return []

    def _chips(self, items, first: ft.Control | None = None) -> ft.Control:
        chips = [ft.Chip(label=ft.Text(label, size=BODY), selected=selected, show_checkmark=True, on_select=handler,
                         height=TOUCH) for label, selected, handler in items]
        return ft.Row(([first] if first else []) + chips, wrap=True, spacing=8, run_spacing=8)

    def _tile(self, label: str, selected: bool, icon, name: str, value, *, detail: str = "") -> ft.Control:
        colour = "#00695C" if selected else "#37474F"
        text: list[ft.Control] = [ft.Text(label, size=BODY + 2, weight=ft.FontWeight.W_600, color=colour)]
        if detail:
            text.append(ft.Text(detail, size=14, color="#546E7A"))
        body = ft.Row([ft.Icon(icon, size=30, color=colour) if icon else ft.Container(width=0),
                       ft.Column(text, spacing=2, expand=True),
                       ft.Icon(ft.Icons.RADIO_BUTTON_CHECKED if selected else ft.Icons.RADIO_BUTTON_UNCHECKED,
                               color=colour)], spacing=12)
        return ft.Semantics(content=ft.Container(body, padding=ft.Padding.symmetric(horizontal=14, vertical=10),
                                         border=ft.Border.all(2 if selected else 1, colour), border_radius=12,
                                         bgcolor="#E0F2F1" if selected else None, ink=True,
                                         on_click=lambda _: self._set(name, value)),
                            label=label, selected=selected, button=True)

    def _photos(self) -> list[ft.Control]:
        form, t = self.form, self.form.ctx.t
        tiles = [ft.Stack([
            ft.Image(src=form.ctx.photos.read_thumbnail(p.sha256), width=96, height=96, fit=ft.BoxFit.COVER,
                     border_radius=10),
            ft.Container(ft.IconButton(ft.Icons.CLOSE, icon_color="#FFFFFF", icon_size=18,
                                       tooltip=t("capture.remove_photo"),
                                       on_click=lambda _, sha=p.sha256: form.remove_photo(sha)),
                         bgcolor="#80000000", border_radius=24, right=0, top=0),
        ], width=96, height=96) for p in form.photos]
        buttons = ft.Row([
            ft.OutlinedButton(t("capture.take_photo"), icon=ft.Icons.PHOTO_CAMERA_OUTLINED, height=TOUCH,
                              on_click=self._take_photo, disabled=form.busy),
            ft.OutlinedButton(t("capture.add_photo"), icon=ft.Icons.PHOTO_LIBRARY_OUTLINED, height=TOUCH,
                              on_click=self._pick_photos, disabled=form.busy),
        ], wrap=True, spacing=8, run_spacing=8)
        return ([ft.Row(tiles, wrap=True, spacing=8, run_spacing=8)] if tiles else []) + [buttons]

    # -- events ---------------------------------------------------------------------------------------------------
    def _set(self, name: str, value) -> None:
        self.form.set(name, value)
        self.refresh()

    def _toggle(self, name: str, value) -> None:
        self.form.toggle(name, value)
        self.refresh()

    def _set_date(self, name: str, value: str) -> None:
        self.inputs[name].value = value
        self._set(name, value)

    def _pick_date(self, name: str) -> None:
        try:
            current = date.fromisoformat(str(self.form.values.get(name) or ""))
        except ValueError:
            current = self.form.deadline_in(DEFAULT_DEADLINE_DAYS)
            current = date.fromisoformat(current)
        today = self.form.today

        def picked(e) -> None:
            if e.control.value:
                self._set_date(name, e.control.value.date().isoformat())

        # Earlier days stay pickable on purpose: the rules, not the calendar, say why a past day is refused.
        t = self.form.ctx.t
        chinese = t.language.startswith("zh")
        self.page.show_dialog(ft.DatePicker(value=datetime(current.year, current.month, current.day),
                                            first_date=datetime(today.year - 1, 1, 1),
                                            last_date=datetime(today.year + 2, 12, 31), on_change=picked,
                                            locale=ft.Locale("zh", "CN") if chinese else ft.Locale("en", "GB"),
                                            help_text=t("action.pick_date"), cancel_text=t("action.cancel"),
                                            confirm_text=t("action.ok")))

    async def _pick_photos(self, _=None) -> None:
        await self.form.add_photos(await pick_images(self.picker))

    async def _take_photo(self, _=None) -> None:
        data = await take_photo(self.page, self.form.ctx.t)
        if data is None:
            self.form.notices.append(self.form.ctx.t("camera.unavailable"))
            self.refresh()
        else:
            await self.form.add_photos([(self.form.ctx.t("camera.file_name"), data)])

    def _submit(self) -> None:
        if not self.form.submit():
            self.refresh()

    def _recorded(self) -> None:
        # The screens redraw with the new step only once the dialog has gone: a dialog still closing
        # while the views are replaced stays on screen for good.
        self.page.pop_dialog()
        self.page.show_dialog(ft.SnackBar(ft.Text(self.form.ctx.t("action.saved"), size=16)))

    def _dismissed(self, _=None) -> None:
        if self.form.done:
            self.form.finish()
