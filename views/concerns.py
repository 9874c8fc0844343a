"""扫码说事: the concerns villagers sent from the station's poster, with their photo and receipt number;
answered (the villager reads it by the number), turned into an issue in one tap, or closed with a reason."""

from __future__ import annotations

import flet as ft

from app.viewmodels.concerns import ConcernQueueModel, ConcernRow, ReplyForm
from app.viewmodels.context import AppContext
from views.components import empty_state, section_title, thumbnail
from views.office import _waiting
from views.stations import (OnOpen, card, chip, choice_chips, download_poster, fill, filled, issue_chip, kept,
                            outlined, padded, problem_text, quiet, screen_column, snack, text_dialog)
from views.theme import BODY

PHOTO = 96


def queue_body(page: ft.Page, ctx: AppContext, *, on_open_issue: OnOpen) -> ft.Control:
    """The queue, open concerns first by default; the villagers' photos are fetched from the central store."""
    t = ctx.t
    model, made = kept(page, ctx, "concerns", lambda: ConcernQueueModel(ctx))
    if not made:
        model.reload()
    root = screen_column()

    def draw() -> None:
        items: list[ft.Control] = [section_title(model.heading),
                                   padded(quiet(t("concern.explain")))]
        if model.poster_station:
            items.append(padded(outlined(t("concern.poster"), lambda: download_poster(page, ctx, model.poster_station),
                                         icon=ft.Icons.QR_CODE_2)))
        if model.allowed_here:
            items.append(padded(choice_chips(model.filter_options(), lambda v: change(model.choose_filter, v)),
                                vertical=8))
        items += [_row(ctx, row, on_open_issue=on_open_issue, on_issue=to_issue,
                       on_reply=lambda i, kind: _reply_dialog(page, ctx, model.reply_form(i, kind)),
                       on_photo=lambda sha: _photo_dialog(page, ctx, model.photo_bytes(sha)))
                  for row in model.rows]
        if not model.rows:
            items.append(empty_state(ft.Icons.QR_CODE_2, model.empty_text))
        fill(root, items)

    def change(step, value) -> None:
        step(value)
        draw()

    def to_issue(concern_id: str) -> None:
        if model.to_issue(concern_id):
            snack(page, t("concern.issued"))
        else:
            draw()

    async def fetch() -> None:
        if await model.fetch_missing_photos():
            draw()

    draw()
    if model.missing_photos and ctx.syncer is not None:
        page.run_task(fetch)
    return root


def _row(ctx: AppContext, row: ConcernRow, *, on_open_issue: OnOpen, on_issue, on_reply, on_photo) -> ft.Control:
    t = ctx.t
    top: list[ft.Control] = [chip(row.chip), ft.Text(row.receipt, size=BODY, weight=ft.FontWeight.W_600)]
    if row.waiting:
        top.append(_waiting(row.waiting))
    words: list[ft.Control] = [ft.Row(top, wrap=True, spacing=8, run_spacing=4),
                               ft.Text(row.text, size=BODY + 1, weight=ft.FontWeight.W_600),
                               quiet(" · ".join(p for p in (row.village, row.station) if p))]
    meta = " · ".join(p for p in (row.phone and t("concern.phone", phone=row.phone), row.when) if p)
    words.append(quiet(meta))
    if row.photo_note:
        words.append(quiet(row.photo_note, colour="#8A4B00"))
    lines: list[ft.Control] = [ft.Row([ft.Column(words, spacing=4, expand=True)]
                                      + ([_photo(ctx, row, on_photo)] if row.photo else []),
                                      vertical_alignment=ft.CrossAxisAlignment.START, spacing=12)]
    if row.answer:
        lines.append(ft.Text(row.answer, size=BODY))
    if row.issue:
        lines.append(ft.Row([issue_chip(row.issue, on_open_issue)], wrap=True))
    buttons = []
    if row.can_issue:
        buttons.append(filled(t("concern.to_issue"), lambda: on_issue(row.id), icon=ft.Icons.ASSIGNMENT_OUTLINED))
    if row.can_answer:
        buttons.append(outlined(t("concern.answer.button"), lambda: on_reply(row.id, "answer"),
                                icon=ft.Icons.RECORD_VOICE_OVER_OUTLINED))
    if row.can_close:
        buttons.append(outlined(t("concern.close.button"), lambda: on_reply(row.id, "close"),
                                icon=ft.Icons.DO_NOT_DISTURB_ON_OUTLINED))
    if row.error:
        lines.append(problem_text(row.error))
    return card(lines, identifier="concern-row", buttons=buttons)


def _photo(ctx: AppContext, row: ConcernRow, on_photo) -> ft.Control:
    picture = thumbnail(row.thumbnail, size=PHOTO)
    if row.thumbnail is None:
        return picture
    return ft.Semantics(content=ft.Container(picture, on_click=lambda _: on_photo(row.photo), ink=True,
                                             border_radius=8),
                        button=True, label=ctx.t("concern.photo_open"), container=True)


def _photo_dialog(page: ft.Page, ctx: AppContext, data: bytes | None) -> None:
    if not data:
        return
    page.show_dialog(ft.AlertDialog(
        content=ft.Container(ft.Image(src=data, fit=ft.BoxFit.CONTAIN), width=560),
        actions=[ft.TextButton(content=ft.Text(ctx.t("common.close"), size=BODY), height=48,
                               on_click=lambda _: page.pop_dialog())]))


def _reply_dialog(page: ft.Page, ctx: AppContext, form: ReplyForm) -> None:
    """答复 or 关闭: the words are what the villager reads when they look up their receipt number."""
    t = ctx.t
    text_dialog(page, ctx, form, title=form.title, label_text=form.label, confirm=form.confirm,
                done_text=t("concern.replied"), note=t("concern.public_note"))
