"""One issue: status, photos, where it stands, what the user may do now, and the whole timeline."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.issue_detail import Fact, IssueDetailModel, PhotoView, TimelineRow
from views.actions import open_action
from views.components import empty_state, section_title, status_chip
from views.theme import BODY, CONTENT_MAX, TOUCH, WIDE

FACT_ICONS = {
    "category": ft.Icons.CATEGORY_OUTLINED, "place": ft.Icons.PLACE_OUTLINED, "location": ft.Icons.MY_LOCATION,
    "station": ft.Icons.HOME_WORK_OUTLINED, "reporter": ft.Icons.PERSON_OUTLINE, "created": ft.Icons.SCHEDULE,
    "department": ft.Icons.APARTMENT, "co_departments": ft.Icons.GROUPS_OUTLINED, "deadline": ft.Icons.EVENT,
    "extension": ft.Icons.MORE_TIME, "escalation": ft.Icons.CAMPAIGN_OUTLINED, "urgency": ft.Icons.PRIORITY_HIGH,
    "nature": ft.Icons.LIGHTBULB_OUTLINE, "satisfaction": ft.Icons.SENTIMENT_SATISFIED_OUTLINED,
    "merged": ft.Icons.MERGE_TYPE,
}
ACTION_ICONS = {
    "assign": ft.Icons.SEND, "classify": ft.Icons.LABEL_OUTLINE, "return": ft.Icons.UNDO,
    "reopen": ft.Icons.REPLAY, "acknowledge": ft.Icons.INBOX, "respond": ft.Icons.FORUM_OUTLINED,
    "request_extension": ft.Icons.MORE_TIME, "grant_extension": ft.Icons.EVENT_AVAILABLE,
    "refuse_extension": ft.Icons.EVENT_BUSY, "supervise": ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED,
    "escalate": ft.Icons.CAMPAIGN_OUTLINED, "resolve": ft.Icons.TASK_ALT, "rate": ft.Icons.THUMB_UP_OUTLINED,
    "look_back": ft.Icons.YOUTUBE_SEARCHED_FOR, "comment": ft.Icons.CHAT_OUTLINED,
    "attach_photo": ft.Icons.ADD_A_PHOTO_OUTLINED, "merge": ft.Icons.MERGE_TYPE,
    "add_follower": ft.Icons.PERSON_ADD_ALT,
}
MUTED, ALERT, LINK = "#546E7A", "#B71C1C", "#00695C"
THUMB = 96


def detail_body(page: ft.Page, model: IssueDetailModel, on_open: Callable[[str], None] | None = None) -> ft.Control:
    t = model.ctx.t
    if not model.found:
        return empty_state(ft.Icons.SEARCH_OFF, t("detail.not_found"))
    on_open = on_open or (lambda _issue_id: None)
    items: list[ft.Control] = [
        ft.Container(ft.Column([
            ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
            status_chip(model.status, model.status_label),
        ], spacing=8), padding=ft.Padding.only(left=16, right=16, top=16)),
    ]
    if model.photos:
        items.append(ft.Container(ft.Row([_photo(page, model, p, 140) for p in model.photos],
                                         scroll=ft.ScrollMode.AUTO, spacing=8),
                                  padding=ft.Padding.symmetric(horizontal=16, vertical=12)))
    items.append(ft.Container(ft.Column([_fact(f, on_open) for f in model.facts], spacing=6),
                              padding=ft.Padding.symmetric(horizontal=16, vertical=8)))
    if model.actions:
        items += [section_title(t("action.title")), _actions(page, model)]
    from views.projects import propose_button  # here: the projects' screens draw photos with this module's pieces

    items += propose_button(page, model.ctx, model.issue_id)  # 提为民生实事建议
    if model.description:
        items += [section_title(t("detail.description")),
                  ft.Container(ft.Text(model.description, size=BODY),
                               padding=ft.Padding.symmetric(horizontal=16))]
    items.append(section_title(t("detail.timeline")))
    items += [_event(page, model, row, on_open) for row in model.timeline]
    items.append(ft.Container(height=32))
    # Every child sizes to its content: a child asking for all the height (a stretched row, an expanding
    # column) inside this scrolling column is unbounded, and Flutter then stops drawing after the first one.
    body = ft.Column(items, spacing=0, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    if (page.width or 0) >= WIDE:  # an office screen: a readable column in the middle
        body = ft.Row([ft.Container(body, width=min(CONTENT_MAX, page.width))], alignment=ft.MainAxisAlignment.CENTER,
                      vertical_alignment=ft.CrossAxisAlignment.START)
    return ft.Column([body], scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _fact(fact: Fact, on_open: Callable[[str], None]) -> ft.Control:
    colour = ALERT if fact.alert else None
    value: ft.Control = ft.Text(fact.value, size=BODY, expand=True, color=colour,
                                weight=ft.FontWeight.W_600 if fact.alert else None)
    if fact.link is not None:
        link = fact.link
        value = ft.Container(ft.Text(fact.value, size=BODY, color=LINK, weight=ft.FontWeight.W_600,
                                     style=ft.TextStyle(decoration=ft.TextDecoration.UNDERLINE)),
                             on_click=lambda _: on_open(link.issue_id), expand=True, ink=True,
                             padding=ft.Padding.symmetric(vertical=12))
    return ft.Row([ft.Icon(FACT_ICONS.get(fact.key, ft.Icons.INFO_OUTLINE), size=20, color=colour or MUTED),
                   ft.Text(fact.label, size=15, color=MUTED, width=72), value],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def _actions(page: ft.Page, model: IssueDetailModel) -> ft.Control:
    def opener(type_: str):
        return lambda _: open_action(page, model.ctx, [model.issue_id], type_)

    buttons = []
    for index, action in enumerate(model.actions):
        label = ft.Text(action.label, size=BODY + 1)
        icon = ACTION_ICONS.get(action.type, ft.Icons.EDIT_NOTE)
        kind = ft.FilledButton if index == 0 else ft.OutlinedButton
        buttons.append(kind(content=label, icon=icon, height=TOUCH + 4, on_click=opener(action.type)))
    return ft.Container(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8),
                        padding=ft.Padding.symmetric(horizontal=16, vertical=4))


def _photo(page: ft.Page, model: IssueDetailModel, photo: PhotoView, size: int = THUMB) -> ft.Control:
    t = model.ctx.t
    if not photo.available:
        return ft.Container(ft.Column([ft.Icon(ft.Icons.CLOUD_DOWNLOAD_OUTLINED, color="#90A4AE"),
                                       ft.Text(t("detail.photo_not_here"), size=13, color=MUTED,
                                               text_align=ft.TextAlign.CENTER)],
                                      alignment=ft.MainAxisAlignment.CENTER,
                                      horizontal_alignment=ft.CrossAxisAlignment.CENTER),
                            width=size, height=size, bgcolor="#ECEFF1", border_radius=12, padding=8)

    def open_full(_):
        data = model.photo_bytes(photo.sha256)
        page.show_dialog(ft.AlertDialog(content=ft.Image(src=data, fit=ft.BoxFit.CONTAIN),
                                        actions=[ft.TextButton(t("common.close"), height=TOUCH,
                                                               on_click=lambda _: page.pop_dialog())]))

    return ft.Semantics(content=ft.Container(ft.Image(src=photo.thumbnail, width=size, height=size,
                                                      fit=ft.BoxFit.COVER, border_radius=12),
                                             on_click=open_full, border_radius=12),
                        identifier="detail-photo", label=t("capture.photos"), button=True)


def _photo_strip(page: ft.Page, model: IssueDetailModel, photos) -> ft.Control:
    return ft.Row([_photo(page, model, p) for p in photos], wrap=True, spacing=8, run_spacing=8)


def _event(page: ft.Page, model: IssueDetailModel, row: TimelineRow, on_open: Callable[[str], None]) -> ft.Control:
    t = model.ctx.t
    lines: list[ft.Control] = [
        ft.Row([ft.Text(row.what, size=BODY + 1, weight=ft.FontWeight.W_600),
                ft.Text(row.who, size=15, color="#37474F")], wrap=True, spacing=8),
        ft.Text(row.when, size=14, color=MUTED),
    ]
    lines += [ft.Text(d, size=BODY, color="#263238", weight=ft.FontWeight.W_500) for d in row.details]
    if row.link is not None:
        link = row.link
        lines.append(ft.Container(ft.Row([ft.Icon(ft.Icons.OPEN_IN_NEW, size=20, color=LINK),
                                          ft.Text(link.label, size=BODY, color=LINK, weight=ft.FontWeight.W_600,
                                                  expand=True)], spacing=6),
                                  on_click=lambda _: on_open(link.issue_id), ink=True,
                                  padding=ft.Padding.symmetric(vertical=12)))
    if row.text:
        lines.append(ft.Text(row.text, size=BODY))
    if row.type == "look_back" and (row.before or row.photos):
        lines.append(ft.Row([
            ft.Column([ft.Text(t("timeline.before"), size=15, color=MUTED), _photo_strip(page, model, row.before)],
                      spacing=4, expand=True),
            ft.Column([ft.Text(t("timeline.after"), size=15, color=MUTED), _photo_strip(page, model, row.photos)],
                      spacing=4, expand=True),
        ], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START))
    elif row.photos:
        lines.append(_photo_strip(page, model, row.photos))
    if row.pending:
        lines.append(ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=18, color="#8A4B00"),
                             ft.Text(t("detail.event_pending"), size=14, color="#8A4B00")], spacing=6))
    if row.rejected:
        lines.append(ft.Container(ft.Text(t("detail.event_rejected", reason=row.rejected), size=15, color=ALERT),
                                  bgcolor="#FFEBEE", border_radius=8, padding=8))
    # The coloured bar is the container's left border: a row stretched to the text's height would be unbounded here.
    card = ft.Container(ft.Column(lines, spacing=4),
                        border=ft.Border.only(left=ft.BorderSide(4, ALERT if row.rejected else "#80CBC4")),
                        padding=ft.Padding.only(left=12, right=8, top=6, bottom=6),
                        margin=ft.Margin.symmetric(horizontal=16, vertical=6))
    return ft.Semantics(content=card, identifier=f"timeline-{row.type}", container=True)
