"""述职报告: a deputy writes their duty report on the phone from a draft of their duty record; the office asks
for reports, reads them, sends them back with a reason or accepts them, and exports each as Word.

    /me/reports                   the calls that ask this deputy, and where their report stands
    /me/reports/<call_id>         the deputy's report: 保存草稿, 提交, the office's reason, 修改后重新提交
    /reports                      the office's calls; 征集述职报告
    /reports/<call_id>            who has submitted, who not yet, returned, accepted
    /reports/<call_id>/<id>       one report: 退回修改, 收录, 导出 Word
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.reports import (MY_REPORTS, REPORTS, CallModel, MyReportsModel, ReportEditor, ReportModel,
                                    ReportsModel)
from views.camera import pick_images, take_photo
from views.components import empty_state, section_title, thumbnail
from views.office import _Saver, _chip, _fill, _label, _per_page, _screen, _snack, _update
from views.projects import (_alert, _card, _good, _kept, _meta, _opens, _outlined, _pad, _status_box, _title,
                            confirm_dialog, form_dialog)
from views.theme import BODY, TOUCH
from views.visits import _add_tile, _photo_tile

Go = Callable[[str], None]
INK = "#263238"


def reports_screen(page: ft.Page, ctx: AppContext, route: str, *, go: Go) -> tuple[ft.Control, str]:
    t, path = ctx.t, urlsplit(route).path.rstrip("/")
    if path.startswith(MY_REPORTS + "/"):
        return editor_body(page, ctx, path.removeprefix(MY_REPORTS + "/")), t("report.editor_title")
    if path == MY_REPORTS:
        return my_reports_body(page, ctx, go=go), t("report.my_title")
    parts = path.removeprefix(REPORTS + "/").split("/") if path.startswith(REPORTS + "/") else []
    if len(parts) == 2:
        return report_body(page, ctx, parts[1]), t("report.detail_title")
    if len(parts) == 1:
        return call_body(page, ctx, parts[0], go=go), t("report.call_title")
    return calls_body(page, ctx, go=go), t("report.office_title")


# -- a deputy -------------------------------------------------------------------------------------------------------
def my_reports_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, "reports.mine", lambda: MyReportsModel(ctx))
    root = _screen()
    items: list[ft.Control] = []
    for row in model.rows:
        chips = [_chip(row.mine)] + ([_chip(row.deadline)] if row.deadline else [])
        lines = [_title(row.title), ft.Row(chips, wrap=True, spacing=6)]
        if row.note:
            lines.append(ft.Text(row.note, size=BODY, color=INK))
        items.append(_card("report-row", [_opens(ft.Icons.ASSIGNMENT_IND_OUTLINED, lines,
                                                 lambda i=row.id: go(f"{MY_REPORTS}/{i}"))]))
    if not model.rows:
        items.append(empty_state(ft.Icons.ASSIGNMENT_IND_OUTLINED, model.empty_text))
    _fill(root, items)
    return root


def editor_body(page: ft.Page, ctx: AppContext, call_id: str) -> ft.Control:
    """The deputy's report: the draft from their duty record to edit, photos, 保存草稿 and 提交."""
    model, made = _per_page(page, f"report.editor:{call_id}:{id(ctx)}", lambda: ReportEditor(ctx, call_id))
    if not made:
        model.reload()
    picker, _ = _per_page(page, "report-picker", ft.FilePicker)  # kept referenced, or Flet drops it
    t = ctx.t
    root = _screen()
    title = ft.TextField(label=t("report.field.title"), value=model.title, text_size=BODY,
                         on_change=lambda e: model.set_field("title", e.control.value))
    text = ft.TextField(label=t("report.field.text"), value=model.text, text_size=BODY, multiline=True, min_lines=10,
                        max_lines=24, on_change=lambda e: model.set_field("text", e.control.value))

    def draw() -> None:
        if not model.found:
            _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("report.not_found"))])
            return
        chips = [_chip(model.chip)] + ([_chip(model.deadline)] if model.deadline and model.editable else [])
        items: list[ft.Control] = [
            _pad(ft.Column([ft.Text(model.call_title, size=22, weight=ft.FontWeight.W_600),
                            ft.Row(chips, wrap=True, spacing=6)], spacing=8), top=16)]
        if model.state_text:
            items.append(_pad(_status_box(model.state_text, good=model.status == "accepted")))
        if model.notice:
            items.append(_pad(_good(model.notice)))
        if not model.editable:
            if model.report is not None:
                items += [section_title(model.report.title)]
                items += [_pad(ft.Text(p, size=BODY)) for p in model.report.text.splitlines() if p.strip()]
            if model.sent_photos:
                items.append(_pad(ft.Row([thumbnail(ctx.photos.read_thumbnail(s) if ctx.photos.has(s) else None,
                                                    size=96) for s in model.sent_photos], wrap=True, spacing=8)))
            _fill(root, items)
            return
        title.value, text.value = model.title, model.text
        title.error = model.errors.get("title") or None
        text.error = model.errors.get("text") or None
        items += [_pad(_meta(t("report.draft_hint"))), _pad(title, top=8), _pad(text, top=8),
                  _pad(ft.Row([ft.TextButton(content=_label(t("report.redraft")), icon=ft.Icons.AUTORENEW,
                                             height=TOUCH, on_click=lambda _: redraft())])),
                  section_title(t("report.photos"))]
        tiles = [_photo_tile(ctx, p.sha256, lambda sha=p.sha256: (model.remove_photo(sha), draw()))
                 for p in model.photos]
        tiles += [_add_tile(ft.Icons.PHOTO_CAMERA_OUTLINED, t("capture.take_photo"), lambda: page.run_task(take),
                            model.busy),
                  _add_tile(ft.Icons.PHOTO_LIBRARY_OUTLINED, t("capture.add_photo"), lambda: page.run_task(pick),
                            model.busy)]
        items.append(_pad(ft.Row(tiles, wrap=True, spacing=8, run_spacing=8)))
        if model.busy:
            items.append(_pad(ft.Row([ft.ProgressRing(width=20, height=20), ft.Text(model.progress_text, size=BODY)])))
        items += [_pad(_alert(n)) for n in model.notices]
        if model.errors.get("form"):
            items.append(_pad(_alert(model.errors["form"])))
        items.append(_pad(ft.Row([
            _outlined(t("report.save_draft"), ft.Icons.SAVE_OUTLINED, save),
            ft.FilledButton(content=_label(model.submit_label), icon=ft.Icons.SEND, height=TOUCH,
                            on_click=lambda _: submit())], wrap=True, spacing=8, run_spacing=8), top=12))
        _fill(root, items)

    def redraft() -> None:
        confirm_dialog(page, ctx, t("report.redraft"), t("report.redraft_text"), t("report.redraft"),
                       lambda: (model.redraft(), draw()))

    def save() -> None:
        model.save_draft()
        draw()

    def submit() -> None:
        if model.submit():
            _snack(page, t("report.sent"))
        draw()

    async def pick() -> None:
        await model.add_photos(await pick_images(picker))

    async def take() -> None:
        data = await take_photo(page, t)
        if data is not None:
            await model.add_photos([(t("camera.file_name"), data)])

    model.on_change = lambda: (draw(), _update(root))
    draw()
    return root


# -- the office -----------------------------------------------------------------------------------------------------
def calls_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, "reports.office", lambda: ReportsModel(ctx))
    t = ctx.t
    root = _screen()

    def new_call() -> None:
        form = model.form()
        form_dialog(page, ctx, form, on_saved=lambda: go(f"{REPORTS}/{form.call_id}"))

    items: list[ft.Control] = [section_title(model.heading),
                               _pad(ft.Row([ft.FilledButton(content=_label(t("report.new_call")), icon=ft.Icons.ADD,
                                                            height=TOUCH, on_click=lambda _: new_call())]))]
    for r in model.rows:
        chips = [_chip(r.status)] + ([_chip(r.deadline)] if r.deadline else [])
        items.append(_card("call-row", [_opens(ft.Icons.ASSIGNMENT_IND_OUTLINED, [
            _title(r.title), ft.Row(chips, wrap=True, spacing=6), ft.Text(r.counts, size=BODY)],
            lambda i=r.id: go(f"{REPORTS}/{i}"))]))
    if not model.rows:
        items.append(empty_state(ft.Icons.ASSIGNMENT_IND_OUTLINED, model.empty_text))
    _fill(root, items)
    return root


def call_body(page: ft.Page, ctx: AppContext, call_id: str, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, f"reports.call:{call_id}", lambda: CallModel(ctx, call_id))
    t = ctx.t
    root = _screen()
    if not model.found:
        _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("report.not_found"))])
        return root
    items: list[ft.Control] = [
        _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                        ft.Row([_chip(model.deadline)] if model.deadline else [], wrap=True)], spacing=8), top=16),
        _pad(_meta(model.facts)),
        _pad(ft.Semantics(content=ft.Text(model.counts, size=BODY + 1, weight=ft.FontWeight.W_600),
                          identifier="report-counts"))]
    for r in model.rows:
        lines = [_title(r.name), ft.Row([_chip(r.status)], wrap=True), _meta(" · ".join(p for p in (r.station, r.when)
                                                                                          if p))]
        if r.report_id:
            items.append(_card("submission-row", [_opens(ft.Icons.DESCRIPTION_OUTLINED, lines,
                                                         lambda i=r.report_id: go(f"{REPORTS}/{call_id}/{i}"))]))
        else:
            items.append(_card("submission-row", lines))
    _fill(root, items)
    return root


def report_body(page: ft.Page, ctx: AppContext, report_id: str) -> ft.Control:
    model = _kept(page, ctx, f"reports.report:{report_id}", lambda: ReportModel(ctx, report_id))
    saver, _ = _per_page(page, "letter-saver", lambda: _Saver(page, ctx))
    t = ctx.t
    root = _screen()

    def draw() -> None:
        if not model.found:
            _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("report.not_found"))])
            return
        items: list[ft.Control] = [
            _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                            ft.Row([_chip(model.status)], wrap=True)], spacing=8), top=16),
            _pad(_meta(model.byline))]
        if model.note:
            items.append(_pad(_status_box(model.note, good=False)))
        if model.error:
            items.append(_pad(_alert(model.error)))
        buttons: list[ft.Control] = []
        if model.may_accept:
            buttons.append(ft.FilledButton(content=_label(t("report.accept")), icon=ft.Icons.TASK_ALT, height=TOUCH,
                                           on_click=lambda _: accept()))
        if model.may_return:
            buttons.append(_outlined(t("report.return"), ft.Icons.UNDO, send_back))
        buttons.append(_outlined(t("report.export"), ft.Icons.DOWNLOAD,
                                 lambda: saver.save_letter(model)(report_id)))
        items.append(_pad(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8), top=8))
        items.append(section_title(t("report.text")))
        items += [_pad(ft.Text(p, size=BODY)) for p in model.paragraphs]
        if model.photos:
            items.append(section_title(t("report.photos")))
            items.append(_pad(ft.Row([thumbnail(ctx.photos.read_thumbnail(s) if ctx.photos.has(s) else None, size=120)
                                      for s in model.photos], wrap=True, spacing=8, run_spacing=8)))
        _fill(root, items)

    def accept() -> None:
        confirm_dialog(page, ctx, t("report.accept"), t("report.accept_text"), t("report.accept"), do_accept)

    def do_accept() -> None:
        if model.accept():
            ctx.saved_locally()
        else:
            draw()

    def send_back() -> None:
        form_dialog(page, ctx, model.return_form(), on_saved=lambda: (model.reload(), draw()))

    draw()
    return root
