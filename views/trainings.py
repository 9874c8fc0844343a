"""业务培训: the office puts sessions on record and ticks who came (offline); a deputy confirms on their phone.

    /me/trainings      the sessions a deputy is listed for; 确认参加
    /trainings         the office's sessions of a year, who attended what; 新增培训
    /trainings/<id>    one session: facts, materials and their photos, the list to tick, 取消培训
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.trainings import MY_TRAININGS, TRAININGS, MyTrainingsModel, TrainingModel, TrainingsModel
from views.camera import pick_images
from views.components import empty_state, section_title, thumbnail
from views.office import _chip, _fill, _label, _per_page, _screen
from views.projects import (_alert, _card, _choice_chip, _good, _kept, _meta, _opens, _outlined, _pad, _quiet,
                            _tick, _title, form_dialog)
from views.theme import BODY, TOUCH

Go = Callable[[str], None]


def trainings_screen(page: ft.Page, ctx: AppContext, route: str, *, go: Go) -> tuple[ft.Control, str]:
    t, path = ctx.t, urlsplit(route).path.rstrip("/")
    if path == MY_TRAININGS:
        return my_trainings_body(page, ctx), t("training.my_title")
    if path.startswith(TRAININGS + "/"):
        return training_body(page, ctx, path.removeprefix(TRAININGS + "/")), t("training.detail_title")
    return trainings_body(page, ctx, go=go), t("training.office_title")


def my_trainings_body(page: ft.Page, ctx: AppContext) -> ft.Control:
    model = _kept(page, ctx, "trainings.mine", lambda: MyTrainingsModel(ctx))
    t = ctx.t
    root = _screen()

    def draw() -> None:
        items: list[ft.Control] = []
        if model.error:
            items.append(_pad(_alert(model.error), top=12))
        for row in model.rows:
            column: list[ft.Control] = [_title(row.title), ft.Row([_chip(row.status), _chip(row.mine)], wrap=True),
                                        _meta(row.facts)]
            if row.can_confirm:
                column.append(ft.Row([ft.FilledButton(content=_label(t("training.confirm")), icon=ft.Icons.HOW_TO_REG,
                                                      height=TOUCH, on_click=lambda _, i=row.id: confirm(i))]))
            items.append(_card("training-row", column))
        if not model.rows:
            items.append(empty_state(ft.Icons.SCHOOL_OUTLINED, model.empty_text))
        _fill(root, items)

    def confirm(training_id: str) -> None:
        if model.confirm(training_id):
            ctx.saved_locally()
        else:
            draw()

    draw()
    return root


def trainings_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, "trainings.office", lambda: TrainingsModel(ctx))
    t = ctx.t
    root = _screen()

    def draw() -> None:
        items: list[ft.Control] = [
            _pad(ft.Row([_choice_chip(y.label, y.selected, lambda v=y.value: (model.choose_year(v), draw()))
                         for y in model.years], wrap=True, spacing=8, run_spacing=8), top=12),
            section_title(model.heading)]
        if model.may_plan:
            items.append(_pad(ft.Row([ft.FilledButton(content=_label(t("training.new")), icon=ft.Icons.ADD,
                                                      height=TOUCH, on_click=lambda _: new_training())])))
        items += [_card("training-row", [_opens(ft.Icons.SCHOOL_OUTLINED, [
            _title(r.title), ft.Row([_chip(r.status)], wrap=True), _meta(r.facts), ft.Text(r.attendance, size=BODY)],
            lambda i=r.id: go(f"{TRAININGS}/{i}"))]) for r in model.rows]
        if not model.rows:
            items.append(empty_state(ft.Icons.SCHOOL_OUTLINED, model.empty_text))
        if model.attendees:
            items.append(section_title(model.attendees_title))
            items += [_card("training-attendee", [_title(a.name), _meta(a.text)]) for a in model.attendees]
        _fill(root, items)

    def new_training() -> None:
        form = model.form()
        form_dialog(page, ctx, form, on_saved=lambda: go(f"{TRAININGS}/{form.training_id}"))

    draw()
    return root


def training_body(page: ft.Page, ctx: AppContext, training_id: str) -> ft.Control:
    model = _kept(page, ctx, f"training:{training_id}", lambda: TrainingModel(ctx, training_id))
    picker, _ = _per_page(page, "training-picker", ft.FilePicker)  # kept referenced, or Flet drops it
    t = ctx.t
    root = _screen()

    def draw() -> None:
        if not model.found:
            _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("training.not_found"))])
            return
        items: list[ft.Control] = [
            _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                            ft.Row([_chip(model.status)], wrap=True)], spacing=8), top=16),
            _pad(_meta(model.facts))]
        if model.materials:
            items += [section_title(t("training.materials")), _pad(ft.Text(model.materials, size=BODY))]
        if model.photos or model.may_add_materials:
            items.append(section_title(t("training.photos")))
            tiles: list[ft.Control] = [thumbnail(ctx.photos.read_thumbnail(sha) if ctx.photos.has(sha) else None,
                                                 size=96) for sha in model.photos]
            items.append(_pad(ft.Row(tiles, wrap=True, spacing=8, run_spacing=8)) if tiles else
                         _quiet(t("training.no_photos")))
            if model.may_add_materials:
                items.append(_pad(ft.Row([_outlined(t("training.add_photos"), ft.Icons.PHOTO_LIBRARY_OUTLINED,
                                                    lambda: page.run_task(add_photos))])))
        if model.notice:
            items.append(_pad(_good(model.notice)))
        if model.error:
            items.append(_pad(_alert(model.error)))
        items.append(section_title(t("training.roster_title", summary=model.summary)))
        if model.may_tick:
            items.append(_pad(_meta(t("training.tick_hint"))))
        items += [_pad(_tick(f"{line.name}（{line.detail}）" if line.detail else line.name, line.ticked,
                             lambda on, i=line.person_id: (model.tick(i, on), draw()), disabled=not model.may_tick),
                       top=0) for line in model.lines]
        if model.may_tick:
            items.append(_pad(ft.Row([
                ft.FilledButton(content=_label(t("training.save_attendance")), icon=ft.Icons.SAVE, height=TOUCH,
                                on_click=lambda _: save()),
                _outlined(t("training.everyone_came"), ft.Icons.DONE_ALL, lambda: (model.tick_all(), draw()))],
                wrap=True, spacing=8, run_spacing=8), top=12))
        if model.may_cancel:
            items.append(_pad(ft.Row([_outlined(t("training.cancel"), ft.Icons.EVENT_BUSY, cancel)]), top=16))
        _fill(root, items)

    def save() -> None:
        if model.save_attendance():
            ctx.saved_locally()
        else:
            draw()

    def cancel() -> None:
        form_dialog(page, ctx, model.cancel_form(), on_saved=lambda: (model.reload(), draw()))

    async def add_photos() -> None:
        files = await pick_images(picker)
        if files and await model.add_materials(files):
            ctx.saved_locally()
        draw()

    draw()
    return root
