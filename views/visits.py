"""Field visits: a deputy's visit history, recording a visit where it happens (photos
and the phone's position as when recording an issue), and one visit with the issues raised from it in one tap."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.stations import VISITS, Choice
from app.viewmodels.visits import RaiseForm, VisitForm, VisitModel, VisitRow, VisitsModel
from views.camera import pick_images, take_photo
from views.components import big_button, empty_state, section_title, thumbnail
from views.office import _update, _waiting
from views.stations import (MUTED, TEAL, Locator, OnOpen, ask, caption, card, chip, choice_chips, field, fill,
                            form_dialog, issue_chip, kept, locate_into, outlined, padded, problem_text, quiet,
                            screen_column, snack)
from views.theme import BODY, TOUCH

TILE = 96


# -- the history ------------------------------------------------------------------------------------------------
def history_body(page: ft.Page, ctx: AppContext, *, deputy_id: str | None, station_id: str | None,
                 go: Callable[[str], None], locate: Locator | None) -> ft.Control:
    """Field visits: the button to record one, then the visits of the deputy chosen (the user, for a deputy), newest first."""
    t = ctx.t
    key = f"visits:{deputy_id}:{station_id}"
    model, made = kept(page, ctx, key, lambda: VisitsModel(ctx, deputy_id=deputy_id, station_id=station_id))
    if not made:
        model.reload()
    root = screen_column()

    def draw() -> None:
        items: list[ft.Control] = []
        if model.can_record:
            items.append(ft.Container(ft.Row([big_button(t("visit.record"), ft.Icons.DIRECTIONS_WALK,
                                                         lambda _: _visit_dialog(page, ctx, on_saved=opened,
                                                                                 locate=locate))]),
                                      padding=ft.Padding.symmetric(horizontal=16, vertical=12)))
        items.append(padded(choice_chips(model.deputy_options(), lambda v: change(model.choose_deputy, v)),
                            vertical=8))
        items.append(section_title(model.heading))
        items += [_row(row, lambda i: go(f"{VISITS}/{i}")) for row in model.rows]
        if not model.rows:
            items.append(empty_state(ft.Icons.DIRECTIONS_WALK, model.empty_text))
        fill(root, items)

    def change(step, value) -> None:
        step(value)
        draw()

    def opened(visit_id: str) -> None:
        go(f"{VISITS}/{visit_id}")

    draw()
    return root


def _row(row: VisitRow, on_open: OnOpen) -> ft.Control:
    chips = ([chip(row.issues)] if row.issues else []) + ([_waiting(row.waiting)] if row.waiting else [])
    words: list[ft.Control] = [ft.Text(row.place, size=BODY + 1, weight=ft.FontWeight.W_600), quiet(row.day)]
    if row.deputies:
        words.append(ft.Text(row.deputies, size=BODY))
    if row.people_met:
        words.append(quiet(row.people_met))
    if chips:
        words.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
    picture = [thumbnail(row.thumbnail)] if row.thumbnail else []  # no empty frame for a visit without photos
    lines: list[ft.Control] = [ft.Row(picture + [ft.Column(words, spacing=4, expand=True)],
                                      spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)]
    return card(lines, identifier="visit-row", on_click=lambda: on_open(row.id))


# -- recording a visit ----------------------------------------------------------------------------------------------
def _visit_dialog(page: ft.Page, ctx: AppContext, *, on_saved: OnOpen, locate: Locator | None) -> None:
    """Where (type, name, the phone's position), who went, whom they met, what was found, photos."""
    t = ctx.t
    form = VisitForm(ctx)
    picker = ft.FilePicker()  # a service: kept referenced by the dialog's handlers, or Flet drops it
    place_types = ft.Row(wrap=True, spacing=8, run_spacing=8)
    place_name = field(t("visit.place_name"), "", lambda v: form.set_field("place_name", v),
                       hint=t("visit.place_name_hint"))
    where = ft.Text(form.location_label, size=BODY, expand=True)
    deputies = ft.Column(spacing=0)
    people = field(t("visit.people_met"), "", lambda v: form.set_field("people_met", v), lines=2,
                   hint=t("visit.people_met_hint"))
    notes = field(t("visit.notes"), "", lambda v: form.set_field("notes", v), lines=4, hint=t("visit.notes_hint"))
    photos = ft.Row(wrap=True, spacing=8, run_spacing=8)
    progress = ft.Row([ft.ProgressRing(width=20, height=20), ft.Text("", size=BODY)], visible=False)
    notices = ft.Column(spacing=6)
    problem = problem_text("")

    def draw() -> None:
        place_types.controls = choice_chips([Choice(v, label, v == form.place_type)
                                             for v, label in form.place_type_options()],
                                            lambda v: (form.set_field("place_type", v), draw())).controls
        where.value = form.location_label
        fixed = form.fixed_deputy
        deputies.controls = [ft.Checkbox(label=o.label, value=o.selected, height=TOUCH, disabled=o.value == fixed,
                                         label_style=ft.TextStyle(size=BODY),
                                         on_change=lambda e, i=o.value: form.toggle_deputy(i, bool(e.control.value)))
                             for o in form.deputy_options()]
        photos.controls = [_photo_tile(ctx, p.sha256, lambda sha=p.sha256: form.remove_photo(sha))
                           for p in form.photos] + [
            _add_tile(ft.Icons.PHOTO_CAMERA_OUTLINED, t("capture.take_photo"), take, form.busy),
            _add_tile(ft.Icons.PHOTO_LIBRARY_OUTLINED, t("capture.add_photo"), pick, form.busy)]
        progress.visible = form.busy
        progress.controls[1].value = form.progress_text
        notices.controls = [quiet(text, colour="#B71C1C") for text in form.notices]
        place_name.error = form.errors.get("place_name") or None
        error = form.errors.get("form") or form.errors.get("place_type") or form.errors.get("deputy_ids") or ""
        problem.value, problem.visible = error, bool(error)
        _update(dialog)

    async def pick() -> None:
        await form.add_photos(await pick_images(picker))

    async def take() -> None:
        data = await take_photo(page, t)
        if data is None:
            form.camera_unavailable()
            return
        await form.add_photos([(t("camera.file_name"), data)])

    def submit() -> None:
        if form.save(announce=False):
            page.pop_dialog()  # opened once the dialog has gone (dismissed)
        else:
            draw()

    def dismissed() -> None:
        if form.visit_id:
            ctx.saved_locally()
            on_saved(form.visit_id)

    form.on_change = draw
    body = [quiet(form.today_text, colour="#263238"),
            caption(t("visit.place_type")), place_types, place_name,
            caption(t("capture.location")),
            ft.Container(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, color=TEAL), where]), bgcolor="#F1F8E9",
                         border_radius=12, padding=12),
            ft.Row([outlined(t("capture.locate"), lambda: page.run_task(locate_into, locate, form.set_device_location,
                                                                         form.location_unavailable),
                             icon=ft.Icons.MY_LOCATION),
                    ft.TextButton(content=ft.Text(t("capture.clear_location"), size=BODY), height=TOUCH,
                                  on_click=lambda _: form.clear_location())], wrap=True, spacing=8),
            caption(t("visit.deputies_present")), deputies,
            people, notes,
            caption(t("capture.photos")), photos, progress, notices, problem]
    dialog = form_dialog(page, ctx, title=t("visit.record"), body=body, confirm=t("visit.save"), on_confirm=submit,
                         on_dismiss=dismissed, icon=ft.Icons.CHECK)
    draw()
    page.run_task(locate_into, locate, form.set_device_location)  # where we are, quietly, as the form opens


def _photo_tile(ctx: AppContext, sha256: str, on_remove: Callable[[], None]) -> ft.Control:
    data = ctx.photos.read_thumbnail(sha256) if ctx.photos.has(sha256) else None
    return ft.Stack([
        thumbnail(data, size=TILE),
        ft.Container(ft.IconButton(ft.Icons.CLOSE, icon_color="#FFFFFF", icon_size=18,
                                   tooltip=ctx.t("capture.remove_photo"), on_click=lambda _: on_remove()),
                     bgcolor="#80000000", border_radius=24, right=0, top=0),
    ], width=TILE, height=TILE)


def _add_tile(icon: ft.IconData, label_text: str, on_click, busy: bool) -> ft.Control:
    return ft.Container(ft.Column([ft.Icon(icon, size=30, color=TEAL), ft.Text(label_text, size=BODY, color=TEAL)],
                                  alignment=ft.MainAxisAlignment.CENTER,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=4),
                        width=TILE + 24, height=TILE, border_radius=12, bgcolor="#E0F2F1", ink=True,
                        on_click=lambda _: on_click(), disabled=busy)


# -- one visit ----------------------------------------------------------------------------------------------------
def visit_body(page: ft.Page, ctx: AppContext, visit_id: str, *, on_open_issue: OnOpen) -> ft.Control:
    """A visit: where, when, who, whom they met, notes, photos; raise an issue from it; delete it while it raised none."""
    t = ctx.t
    model, made = kept(page, ctx, f"visit:{visit_id}", lambda: VisitModel(ctx, visit_id))
    if not made:
        model.reload()
    root = screen_column()
    if not model.found:
        fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("visit.not_found"))])
        return root

    def draw() -> None:
        facts = [(ft.Icons.CALENDAR_TODAY, model.day), (ft.Icons.PLACE_OUTLINED, model.location),
                 (ft.Icons.HOME_WORK_OUTLINED, model.station), (ft.Icons.GROUPS_OUTLINED,
                                                                t("visit.deputies", names=model.deputies))]
        head: list[ft.Control] = [ft.Text(model.place, size=22, weight=ft.FontWeight.W_700)]
        if model.status:
            head.append(chip(model.status))
        head += [ft.Row([ft.Icon(icon, size=20, color=TEAL), ft.Text(text, size=BODY, expand=True)], spacing=8)
                 for icon, text in facts if text]
        if model.recorded_by:
            head.append(quiet(model.recorded_by))
        if model.waiting:
            head.append(_waiting(model.waiting))
        items: list[ft.Control] = [ft.Container(ft.Column(head, spacing=6), bgcolor="#E0F2F1", border_radius=12,
                                                padding=14, margin=ft.Margin.only(left=16, right=16, top=12))]
        if model.people_met:
            items += [section_title(t("visit.people_met")), padded(ft.Text(model.people_met, size=BODY))]
        if model.notes:
            items += [section_title(t("visit.notes")), padded(ft.Text(model.notes, size=BODY))]
        if model.photos:
            items.append(section_title(t("capture.photos")))
            items.append(padded(ft.Row([thumbnail(model.thumbnail(sha), size=120) for sha in model.photos],
                                       wrap=True, spacing=8, run_spacing=8)))
        items.append(section_title(t("visit.issues", n=len(model.issues))))
        if model.issues:
            items += [padded(ft.Column([ft.Text(link.title, size=BODY), ft.Row([issue_chip(link, on_open_issue)])],
                                       spacing=4), vertical=6) for link in model.issues]
        else:
            items.append(padded(quiet(t("visit.no_issues"))))
        buttons = []
        if model.can_raise:
            buttons.append(ft.FilledButton(content=ft.Text(t("visit.raise.button"), size=BODY),
                                           icon=ft.Icons.ASSIGNMENT_OUTLINED, height=TOUCH,
                                           on_click=lambda _: _raise_dialog(page, ctx, model.raise_form())))
        if model.can_delete:
            buttons.append(outlined(t("visit.delete"), confirm_delete, icon=ft.Icons.DELETE_OUTLINE))
        if buttons:
            items.append(padded(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8), vertical=12))
        if model.error:
            items.append(padded(problem_text(model.error)))
        fill(root, items)

    def confirm_delete() -> None:
        def yes() -> None:
            if model.delete():
                snack(page, t("visit.deleted_snack"))
            else:
                draw()

        ask(page, ctx, title=t("visit.delete_title"), question=t("visit.delete_question", place=model.place),
            yes=t("visit.delete"), on_yes=yes)

    async def fetch() -> None:
        if await model.fetch_missing_photos():
            draw()

    draw()
    if model.missing_photos and ctx.syncer is not None:
        page.run_task(fetch)
    return root


def _raise_dialog(page: ft.Page, ctx: AppContext, form: RaiseForm) -> None:
    """Raising an issue: the place, position and station come from the visit; a title, and the category if known."""
    t = ctx.t
    form.redraw = False
    title = field(t("visit.raise.title_field"), form.title, lambda v: setattr(form, "title", v), lines=2)
    categories = ft.Row(wrap=True, spacing=8, run_spacing=8)
    problem = problem_text("")

    def draw() -> None:
        categories.controls = choice_chips(form.category_options(),
                                           lambda v: (form.choose_category(v), draw())).controls
        title.error = form.error_of("title") or None
        problem.value, problem.visible = form.form_error, bool(form.form_error)
        for control in (categories, title, problem):
            _update(control)

    def submit() -> None:
        if form.submit():
            page.pop_dialog()
        else:
            draw()

    def dismissed() -> None:
        if form.done:
            ctx.saved_locally()
            snack(page, t("visit.raise.done"))

    draw()
    form_dialog(page, ctx, title=t("visit.raise.title"),
                body=[quiet(t("visit.raise.explain"), colour=MUTED), title, caption(t("capture.category")),
                      categories, problem],
                confirm=t("visit.raise.confirm"), on_confirm=submit, on_dismiss=dismissed,
                icon=ft.Icons.ASSIGNMENT_OUTLINED)
