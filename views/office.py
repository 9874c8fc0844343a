"""The office's 分办 and 督办 screens and a department's 待办: rows to act on, alone or ticked in a batch."""

from __future__ import annotations

from typing import Callable, TypeVar

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.exports import ExportModel
from app.viewmodels.office import Chip, Tone
from app.viewmodels.queue import QueueModel, QueueRow
from app.viewmodels.supervise import LetterForm, LetterRow, SupervisionForm, SuperviseModel, SuperviseRow
from app.viewmodels.triage import TriageModel, TriageRow
from views.actions import assign_dialog, open_action
from views.components import empty_state, section_title, status_chip, thumbnail
from views.exports import export_row
from views.theme import BODY, TOUCH

OnOpen = Callable[[str], None]
M = TypeVar("M")

# Each chip carries its word; the colour only adds to it.
TONES = {
    Tone.DANGER: ("#FFEBEE", "#B71C1C"),
    Tone.WARNING: ("#FFF3E0", "#8A4B00"),
    Tone.INFO: ("#E3F2FD", "#0D47A1"),
    Tone.GOOD: ("#E8F5E9", "#1B5E20"),
    Tone.QUIET: ("#ECEFF1", "#37474F"),
}
MUTED = "#455A64"
ERROR = "#B71C1C"


# -- the three screens ------------------------------------------------------------------------------------------------
def triage_body(page: ft.Page, ctx: AppContext, *, on_open: OnOpen) -> ft.Control:
    """分办: new issues, urgent first; classify, mark a duplicate, return, or tick several and assign them."""
    model = _kept(page, ctx, TriageModel)
    t = ctx.t
    root = _screen()

    def draw() -> None:
        items: list[ft.Control] = [_heading(model.count_text), export_row(page, ctx, lambda: ExportModel(
            ctx, list_ids=[r.id for r in model.rows], list_title=t("shell.nav.triage")))]
        bar = _batch_bar(ctx, model.selection_text, [
            ft.FilledButton(content=_label(t("office.triage.assign_selected")), icon=ft.Icons.SEND, height=TOUCH,
                            on_click=lambda _: assign(model.selected_ids)),
        ], on_clear=lambda: change(model.clear_selection)) if model.selected_ids else None
        items += [_triage_row(ctx, row, on_open=on_open, on_toggle=lambda i, on: change(model.toggle, i, on),
                              on_action=act, on_assign=lambda i: assign([i])) for row in model.rows]
        if not model.rows:
            items.append(empty_state(ft.Icons.INBOX_OUTLINED, model.empty_text))
        _fill(root, items, bar)

    def change(step, *args) -> None:
        step(*args)
        draw()

    def act(issue_id: str, type_: str) -> None:
        open_action(page, ctx, [issue_id], type_)  # the detail's own form of the step

    def assign(issue_ids: list[str]) -> None:
        assign_dialog(page, ctx, list(issue_ids), on_done=model.clear_selection)

    draw()
    return root


def supervise_body(page: ft.Page, ctx: AppContext, *, on_open: OnOpen) -> ft.Control:
    """督办: overdue and due-soon issues with their level; remind, write a letter, report to the leadership."""
    model = _kept(page, ctx, SuperviseModel)
    t = ctx.t
    root = _screen()
    saver, _ = _per_page(page, "letter-saver", lambda: _Saver(page, ctx))

    def draw() -> None:
        items: list[ft.Control] = [export_row(page, ctx, lambda: ExportModel(
            ctx, tables=("issue", "letter"), list_ids=[r.id for r in model.overdue + model.due_soon],
            list_title=t("shell.nav.supervise")))]
        bar = _batch_bar(ctx, model.selection_text, _supervise_buttons(t, lambda: model.selected_ids, steps),
                         on_clear=lambda: change(model.clear_selection)) if model.selected_ids else None
        for title, rows, empty in ((model.overdue_title, model.overdue, "office.supervise.empty_overdue"),
                                   (model.due_soon_title, model.due_soon, "office.supervise.empty_soon")):
            items.append(_heading(title))
            items += [_supervise_row(ctx, row, on_open=on_open, on_toggle=lambda i, on: change(model.toggle, i, on),
                                     steps=steps) for row in rows]
            if not rows:
                items.append(_quiet(t(empty)))
        items.append(_heading(model.letters_title))
        items += [_letter_row(ctx, row, on_download=saver.save_letter(model)) for row in model.letters]
        if not model.letters:
            items.append(_quiet(t("office.letter.none")))
        _fill(root, items, bar)

    def change(step, *args) -> None:
        step(*args)
        draw()

    def steps(kind: str, issue_ids: list[str]) -> None:
        if kind == "letter":
            _letter_dialog(page, ctx, model.letter_form(issue_ids), lambda said: saver.save_letter(model, said))
        else:
            form = model.remind_form(issue_ids) if kind == "remind" else model.escalate_form(issue_ids)
            _supervision_dialog(page, ctx, form, kind)

    draw()
    return root


def queue_body(page: ft.Page, ctx: AppContext, *, on_open: OnOpen) -> ft.Control:
    """待办: the department's issues, nearest deadline first; 签收 from the row, the rest in the detail."""
    model = QueueModel(ctx)
    t = ctx.t
    root = _screen()
    error = ft.Text("", size=BODY, color=ERROR, visible=False)

    def draw() -> None:
        if not model.department_id:
            _fill(root, [empty_state(ft.Icons.APARTMENT, t("office.no_department"))])
            return
        error.value, error.visible = model.error, bool(model.error)
        items: list[ft.Control] = [_heading(model.heading),
                                   ft.Container(error, padding=ft.Padding.symmetric(horizontal=16))]
        items += [_queue_row(ctx, row, on_open=on_open, on_acknowledge=acknowledge) for row in model.rows]
        if not model.rows:
            items.append(empty_state(ft.Icons.TASK_ALT, model.empty_text))
        _fill(root, items)

    def acknowledge(issue_id: str) -> None:
        if model.acknowledge(issue_id):
            _recorded(page, ctx)
        draw()

    draw()
    return root


# -- rows ---------------------------------------------------------------------------------------------------------
def _triage_row(ctx: AppContext, row: TriageRow, *, on_open: OnOpen, on_toggle, on_action, on_assign) -> ft.Control:
    t, r = ctx.t, row.row
    lines: list[ft.Control] = [
        _title(r.title),
        _meta(" · ".join(p for p in (r.place, r.station) if p)),
        _meta(" · ".join(p for p in (t("office.triage.reported", name=row.reporter) if row.reporter else "",
                                     row.category, r.age) if p)),
    ]
    chips = [_chip(c) for c in row.chips] + ([_waiting(r.waiting)] if r.waiting else [])
    if chips:
        lines.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
    buttons = [_button(t("office.triage.classify"), lambda: on_action(row.id, "classify"),
                       "classify" in row.actions),
               _button(t("office.triage.duplicate"), lambda: on_action(row.id, "merge"),
                       "merge" in row.actions),
               _button(t("office.triage.return"), lambda: on_action(row.id, "return"),
                       "return" in row.actions),
               _button(t("office.triage.assign"), lambda: on_assign(row.id),
                       "assign" in row.actions)]
    return _card("triage-row", row.selected, on_toggle=lambda on: on_toggle(row.id, on),
                 select_label=t("office.select_row", title=row.title),
                 body=_opens(r.thumbnail, lines, lambda: on_open(row.id)), buttons=buttons)


def _supervise_row(ctx: AppContext, row: SuperviseRow, *, on_open: OnOpen, on_toggle, steps) -> ft.Control:
    t, r = ctx.t, row.row
    chips = [status_chip(r.status, r.status_label)] + ([_chip(row.due)] if row.due else [])
    chips.append(_chip(Chip(t("office.escalation.label", level=row.escalation.label), row.escalation.tone)))
    lines: list[ft.Control] = [
        _title(r.title),
        _meta(" · ".join(p for p in (t("office.supervise.department", name=row.department), r.station) if p)),
        ft.Row(chips + ([_waiting(r.waiting)] if r.waiting else []), wrap=True, spacing=6, run_spacing=6),
    ]
    return _card("supervise-row", row.selected, on_toggle=lambda on: on_toggle(row.id, on),
                 select_label=t("office.select_row", title=row.title),
                 body=_opens(r.thumbnail, lines, lambda: on_open(row.id)),
                 buttons=_supervise_buttons(t, lambda: [row.id], steps))


def _supervise_buttons(t, issue_ids: Callable[[], list[str]], steps) -> list[ft.Control]:
    return [_button(t("office.supervise.remind"), lambda: steps("remind", issue_ids())),
            _button(t("office.supervise.letter"), lambda: steps("letter", issue_ids())),
            _button(t("office.supervise.report"), lambda: steps("report", issue_ids()))]


def _queue_row(ctx: AppContext, row: QueueRow, *, on_open: OnOpen, on_acknowledge) -> ft.Control:
    t, r = ctx.t, row.row
    chips = [status_chip(r.status, r.status_label), _chip(row.role)] + ([_chip(row.due)] if row.due else [])
    lines: list[ft.Control] = [
        _title(r.title),
        _meta(" · ".join(p for p in (r.place, r.station, r.age) if p)),
        ft.Row(chips + ([_waiting(r.waiting)] if r.waiting else []), wrap=True, spacing=6, run_spacing=6),
    ]
    if row.extension:
        lines.append(ft.Row([ft.Icon(ft.Icons.MORE_TIME, size=20, color=TONES[Tone.WARNING][1]),
                             ft.Text(row.extension, size=BODY, color=TONES[Tone.WARNING][1], expand=True)]))
    buttons = ([ft.FilledButton(content=_label(t("office.queue.acknowledge")), height=TOUCH,
                                icon=ft.Icons.ASSIGNMENT_TURNED_IN_OUTLINED, on_click=lambda _: on_acknowledge(row.id))]
               if row.can_acknowledge else [])
    return _card("queue-row", None, on_toggle=None, select_label="",
                 body=_opens(r.thumbnail, lines, lambda: on_open(row.id)), buttons=buttons)


def _letter_row(ctx: AppContext, row: LetterRow, *, on_download) -> ft.Control:
    t = ctx.t
    number = (ft.Text(row.number, size=BODY + 1, weight=ft.FontWeight.W_600) if row.numbered else
              ft.Row([_chip(Chip(row.number, Tone.WARNING)), _meta(t("office.letter.unnumbered_hint"))],
                     wrap=True, spacing=8))
    lines: list[ft.Control] = [
        number,
        ft.Text(row.subject, size=BODY),
        _meta(" · ".join(p for p in (t("office.letter.to", department=row.department),
                                     t("office.letter.deadline_on", date=row.deadline) if row.deadline else "",
                                     row.issues) if p)),
        ft.Row([_chip(row.status)], spacing=6),
    ]
    # Its own node, so a screen reader reads the letter before its button (and the words stay text).
    body = ft.Semantics(content=ft.Row([ft.Icon(ft.Icons.DESCRIPTION_OUTLINED, size=40, color="#00695C"),
                                        ft.Column(lines, spacing=4, expand=True)],
                                       spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
                        container=True, expand=True)
    return _card("letter-row", None, on_toggle=None, select_label="", body=body,
                 buttons=[_button(t("office.letter.download"), lambda: on_download(row.id))])


# -- dialogs ------------------------------------------------------------------------------------------------------
def _supervision_dialog(page: ft.Page, ctx: AppContext, form: SupervisionForm, kind: str) -> None:
    """催办 or 报告镇党委政府 on the ticked issues, with words the department will read."""
    t = ctx.t
    prefix = "office.remind" if kind == "remind" else "office.report"
    text = ft.TextField(label=t(f"{prefix}.text"), value=form.text, multiline=True, min_lines=3, max_lines=8,
                        text_size=BODY, on_change=lambda e: setattr(form, "text", e.control.value))
    problem = ft.Text("", size=BODY, color=ERROR, visible=False)

    def submit(_) -> None:
        form.redraw = False
        if form.submit():
            page.pop_dialog()  # the screens are redrawn once it has gone (dismissed)
            return
        text.error = form.error_of("text") or None
        problem.value, problem.visible = form.form_error, bool(form.form_error)
        _update(dialog)

    def dismissed(_) -> None:
        if form.done:
            ctx.saved_locally()
            _recorded(page, ctx)

    dialog = ft.AlertDialog(
        on_dismiss=dismissed,
        title=ft.Text(t(f"{prefix}.title", n=len(form.issue_ids)), size=20, weight=ft.FontWeight.W_600),
        content=ft.Container(ft.Column([text, problem], tight=True, spacing=12), width=520),
        actions=[ft.TextButton(content=_label(t("office.cancel")), height=TOUCH, on_click=lambda _: page.pop_dialog()),
                 ft.FilledButton(content=_label(t(f"{prefix}.confirm")), height=TOUCH, on_click=submit)])
    page.show_dialog(dialog)


def _letter_dialog(page: ft.Page, ctx: AppContext, form: LetterForm,
                   downloader: Callable[[Callable[[str], None]], Callable[[str], object]]) -> None:
    """监督意见函: the lead department, the issues, what was found, the actions asked for and the deadline."""
    t = ctx.t

    def field(name: str, label: str, *, lines: int = 1) -> ft.TextField:
        return ft.TextField(label=label, value=getattr(form, name), text_size=BODY, multiline=lines > 1,
                            min_lines=lines if lines > 1 else None, max_lines=lines * 3 if lines > 1 else 1,
                            on_change=lambda e: form.set(name, e.control.value))

    subject = field("subject", t("office.letter.subject"), lines=2)
    situation = field("situation", t("office.letter.situation"), lines=3)
    actions = field("actions", t("office.letter.actions"), lines=4)
    deadline = field("deadline_text", t("office.letter.deadline"))
    problem = ft.Text(form.form_error, size=BODY, color=ERROR, visible=bool(form.form_error))
    body = ft.Column([
        ft.Text(t("office.letter.to", department=form.department), size=BODY, weight=ft.FontWeight.W_600)
        if form.department else ft.Container(),
        ft.Text(t("office.letter.issues"), size=BODY, color=MUTED),
        *[ft.Text(f"· {title}", size=BODY) for title in form.issue_titles],
        subject, situation, actions, deadline, problem,
    ], tight=True, spacing=12, scroll=ft.ScrollMode.AUTO)
    confirm = ft.FilledButton(content=_label(t("office.letter.confirm")), icon=ft.Icons.DESCRIPTION, height=TOUCH,
                              disabled=not form.can_submit)

    def dismissed(_) -> None:
        if form.done:
            ctx.saved_locally()
            _written_dialog(page, ctx, downloader, form.letter_id)

    dialog = ft.AlertDialog(title=ft.Text(t("office.letter.title"), size=20, weight=ft.FontWeight.W_600),
                            content=ft.Container(body, width=560),
                            actions=[ft.TextButton(content=_label(t("office.cancel")), height=TOUCH,
                                                   on_click=lambda _: page.pop_dialog()), confirm],
                            scrollable=True, on_dismiss=dismissed)

    def submit(_) -> None:
        form.redraw = False
        if not form.submit():
            for control, names in ((subject, ("subject",)), (situation, ("situation",)),
                                   (actions, ("actions",)), (deadline, ("deadline",))):
                control.error = form.error_of(*names) or None
            problem.value, problem.visible = form.form_error, bool(form.form_error)
            _update(dialog)
            return
        page.pop_dialog()  # the screens are redrawn and the Word file offered once it has gone (dismissed)

    confirm.on_click = submit
    page.show_dialog(dialog)


def _written_dialog(page: ft.Page, ctx: AppContext, downloader, letter_id: str) -> None:
    """The letter is written: offer its Word file, and say here when it was saved (a snack bar would be a
    dialog above this one, and closing would close the snack bar)."""
    t = ctx.t
    saved = ft.Text("", size=BODY, color=TONES[Tone.GOOD][1], visible=False)

    def said(text: str) -> None:
        saved.value, saved.visible = text, True
        _update(dialog)

    on_download = downloader(said)
    dialog = ft.AlertDialog(
        title=ft.Text(t("office.letter.title"), size=20, weight=ft.FontWeight.W_600),
        content=ft.Container(ft.Column([
            ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color=TONES[Tone.GOOD][1]),
                    ft.Text(t("office.letter.written"), size=BODY, expand=True)]),
            ft.Row([_chip(Chip(t("office.letter.unnumbered"), Tone.WARNING)),
                    _meta(t("office.letter.unnumbered_hint"))], wrap=True),
            saved,
        ], tight=True, spacing=12), width=560),
        actions=[ft.TextButton(content=_label(t("common.close")), height=TOUCH, on_click=lambda _: page.pop_dialog()),
                 ft.FilledButton(content=_label(t("office.letter.download")), icon=ft.Icons.DOWNLOAD, height=TOUCH,
                                 on_click=lambda _: on_download(letter_id))])
    page.show_dialog(dialog)


class _Saver:
    """Saves a letter's Word file: a download in the browser, a save dialog on the desktop."""

    def __init__(self, page: ft.Page, ctx: AppContext):
        self.page, self.ctx = page, ctx
        self.picker = ft.FilePicker()  # a service: kept referenced here, or Flet drops it after the next event

    def save_letter(self, model: SuperviseModel,
                    on_saved: Callable[[str], None] | None = None) -> Callable[[str], object]:
        """A handler that saves the letter it is given, then says so (by default in a snack bar)."""
        async def save(letter_id: str) -> None:
            name, data = model.letter_file(letter_id)
            saved = await self.picker.save_file(dialog_title=self.ctx.t("office.letter.download"), file_name=name,
                                                file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["docx"],
                                                src_bytes=data)
            if saved or self.page.web:  # the browser gives no path back, only the download
                (on_saved or (lambda text: _snack(self.page, text)))(self.ctx.t("office.letter.saved"))

        return lambda letter_id: self.page.run_task(save, letter_id)


# -- pieces -------------------------------------------------------------------------------------------------------
def _per_page(page: ft.Page, key: str, factory: Callable[[], M]) -> tuple[M, bool]:
    """Something a screen keeps for this browser session, across redraws; True when it was just made."""
    store, slot = page.session.store, f"office.{key}"
    if store.contains_key(slot):
        return store.get(slot), False
    made = factory()
    store.set(slot, made)
    return made, True


def _kept(page: ft.Page, ctx: AppContext, factory: Callable[[AppContext], M]) -> M:
    """The screen's model for this page and user, so ticked rows survive a redraw after a sync; read afresh."""
    model, made = _per_page(page, f"{factory.__name__}:{id(ctx)}", lambda: factory(ctx))
    if not made:
        model.reload()  # type: ignore[attr-defined]
    return model


def _screen() -> ft.Column:
    """A screen: the bar of the ticked rows' steps, which stays put, above the list, which scrolls."""
    listing = ft.Column(spacing=0, scroll=ft.ScrollMode.AUTO, expand=True,
                        horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    return ft.Column([ft.Container(visible=False), listing], spacing=0, expand=True,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _fill(root: ft.Column, items: list[ft.Control], bar: ft.Control | None = None) -> None:
    slot, listing = root.controls
    slot.content, slot.visible = bar, bar is not None
    listing.controls = items + [ft.Container(height=24)]  # the same scrolling column: its place is kept
    _update(root)


def _update(control: ft.Control) -> None:
    """Send a change now: a step that was recorded has redrawn the page already, so no update follows the handler."""
    try:
        control.update()
    except RuntimeError:  # not on the page (yet, or any more): what is drawn next reads the model afresh
        pass


def _heading(text: str) -> ft.Control:
    return section_title(text)


def _quiet(text: str) -> ft.Control:
    return ft.Container(ft.Text(text, size=BODY, color=MUTED), padding=ft.Padding.symmetric(horizontal=16, vertical=8))


def _title(text: str) -> ft.Control:
    return ft.Text(text, size=BODY + 1, weight=ft.FontWeight.W_600, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS)


def _meta(text: str) -> ft.Control:
    return ft.Text(text, size=BODY, color=MUTED, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS)


def _chip(chip: Chip) -> ft.Control:
    bg, fg = TONES[chip.tone]
    return ft.Container(ft.Text(chip.label, size=15, color=fg, weight=ft.FontWeight.W_600), bgcolor=bg,
                        border_radius=14, padding=ft.Padding.symmetric(horizontal=10, vertical=4))


def _waiting(text: str) -> ft.Control:
    return ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=18, color="#8A4B00"),
                   ft.Text(text, size=15, color="#8A4B00")], spacing=4, tight=True)


def _label(text: str) -> ft.Control:
    return ft.Text(text, size=BODY)


def _button(label: str, action: Callable[[], object], enabled: bool = True) -> ft.Control:
    # Words without icons and a slim padding: a row's steps fit one line on a phone.
    return ft.OutlinedButton(content=_label(label), height=TOUCH, disabled=not enabled,
                             style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=14)),
                             on_click=lambda _: action())


def _opens(data: bytes | None, lines: list[ft.Control], on_click: Callable[[], None]) -> ft.Control:
    """The part of a row that opens the issue: its photo and its words, one button for a screen reader too."""
    area = ft.Container(ft.Row([thumbnail(data), ft.Column(lines, spacing=4, expand=True)], spacing=12,
                               vertical_alignment=ft.CrossAxisAlignment.START),
                        on_click=lambda _: on_click(), ink=True, border_radius=8)
    return ft.Semantics(content=area, button=True, container=True, expand=True)


def _card(identifier: str, selected: bool | None, *, on_toggle, select_label: str, body: ft.Control,
          buttons: list[ft.Control]) -> ft.Control:
    """A row: a tick box for the batch (where there is one), what opens the issue, and its own steps."""
    top: list[ft.Control] = []
    if selected is not None:
        top.append(ft.Checkbox(value=selected, semantics_label=select_label, width=TOUCH, height=TOUCH,
                               on_change=lambda e: on_toggle(bool(e.control.value))))
    top.append(body)
    column: list[ft.Control] = [ft.Row(top, spacing=4, vertical_alignment=ft.CrossAxisAlignment.START)]
    if buttons:
        column.append(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))
    card = ft.Container(ft.Column(column, spacing=8), padding=ft.Padding.symmetric(horizontal=12, vertical=12),
                        bgcolor="#E0F2F1" if selected else None,
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#E0E0E0")))
    return ft.Semantics(content=card, identifier=identifier, container=True)


def _batch_bar(ctx: AppContext, text: str, buttons: list[ft.Control], *, on_clear: Callable[[], None]) -> ft.Control:
    """What to do with the ticked rows, above the list."""
    return ft.Container(ft.Row([
        ft.Text(text, size=BODY, weight=ft.FontWeight.W_600),
        *buttons,
        ft.TextButton(content=_label(ctx.t("office.clear_selection")), height=TOUCH,
                      on_click=lambda _: on_clear()),
    ], wrap=True, spacing=8, run_spacing=8), bgcolor="#B2DFDB", border_radius=12, padding=12,
        margin=ft.Margin.symmetric(horizontal=12, vertical=8))


def _recorded(page: ft.Page, ctx: AppContext) -> None:
    _snack(page, ctx.t("office.recorded"))


def _snack(page: ft.Page, text: str) -> None:
    page.show_dialog(ft.SnackBar(ft.Text(text, size=BODY)))
