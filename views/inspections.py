"""检查: the user's inspections and 开始检查; one inspection's checklist, answered item by item outdoors.

Every answer is recorded the moment it is given (an outbox event), so a phone that dies in the
orchard loses nothing. The inspection screen shows one section at a time, picked from chips that
count what is answered; its last tab is the result: score, flagged items, sign-off and the report.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.inspections import (RESULTS, InspectionModel, InspectionRow, InspectionsModel, ItemView, Outcome,
                                        Segment, StartForm)
from app.viewmodels.office import Chip, Tone
from views.camera import pick_images, take_photo
from views.components import big_button, empty_state, section_title, status_chip
from views.office import TONES, _chip, _label, _per_page, _Saver, _update, _waiting
from views.theme import BODY, TOUCH

OnOpen = Callable[[str], None]
Locator = Callable[[], Awaitable[tuple[float, float, float | None] | None]]
LOCATE_TIMEOUT_S = 20
MUTED, ERROR, LINE = "#455A64", "#B71C1C", "#CFD8DC"
# A chosen answer is filled in its tone and carries a tick; the word is always there too.
FILLS = {Tone.GOOD: "#1B5E20", Tone.DANGER: "#B71C1C", Tone.QUIET: "#455A64"}
TILE = 88


# -- the 检查 tab -----------------------------------------------------------------------------------------------------
def inspections_body(page: ft.Page, ctx: AppContext, *, on_open: OnOpen, locate: Locator | None = None) -> ft.Control:
    """My inspections, newest first, and a large 开始检查."""
    t = ctx.t
    model = InspectionsModel(ctx)
    items: list[ft.Control] = []
    if model.can_start:
        items.append(ft.Container(ft.Row([big_button(t("inspect.start.button"), ft.Icons.FACT_CHECK_OUTLINED,
                                                     lambda _: start_dialog(page, ctx, on_open=on_open,
                                                                            locate=locate))]),
                                  padding=ft.Padding.symmetric(horizontal=16, vertical=12)))
    items.append(section_title(model.count_text))
    items += [_row(row, on_open) for row in model.rows]
    if not model.rows:
        items.append(empty_state(ft.Icons.FACT_CHECK_OUTLINED, model.empty_text))
    items.append(ft.Container(height=24))
    return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _row(row: InspectionRow, on_open: OnOpen) -> ft.Control:
    chips = [_chip(row.status), _chip(Chip(row.progress)), _chip(Chip(row.score, Tone.INFO))]
    if row.flagged:
        chips.append(_chip(row.flagged))
    if row.waiting:
        chips.append(_waiting(row.waiting))
    body = ft.Row([
        ft.Icon(ft.Icons.FACT_CHECK_OUTLINED, size=36, color="#00695C"),
        ft.Column([ft.Text(row.title, size=BODY + 1, weight=ft.FontWeight.W_600),
                   ft.Text(" · ".join(p for p in (row.place, row.day) if p), size=BODY, color=MUTED),
                   ft.Row(chips, wrap=True, spacing=6, run_spacing=6)], spacing=4, expand=True),
        ft.Icon(ft.Icons.CHEVRON_RIGHT, color=MUTED),
    ], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)
    area = ft.Container(body, padding=ft.Padding.symmetric(horizontal=16, vertical=12), ink=True,
                        on_click=lambda _: on_open(row.id), border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))
    return ft.Semantics(content=area, identifier="inspection-row", button=True, container=True)


def start_dialog(page: ft.Page, ctx: AppContext, *, on_open: OnOpen, locate: Locator | None) -> None:
    """开始检查: the checklist, the place (name, type, the phone's position) and who takes part."""
    t = ctx.t
    form = StartForm(ctx)
    templates = ft.Row(wrap=True, spacing=8, run_spacing=8)
    place_types = ft.Row(wrap=True, spacing=8, run_spacing=8)
    place = ft.TextField(label=t("inspect.start.place"), hint_text=t("inspect.start.place_hint"), text_size=BODY,
                         on_change=lambda e: form.set_place_name(e.control.value))
    where = ft.Text(form.location_label, size=BODY, expand=True)
    notice = ft.Text("", size=BODY, color="#8A4B00", visible=False)
    groups = ft.Row(wrap=True, spacing=8, run_spacing=8)
    people = ft.Column(spacing=0)
    problem = ft.Text("", size=BODY, color=ERROR, visible=False)

    def draw() -> None:
        templates.controls = [_choice_chip(o.label, o.selected, lambda v=o.value: change(form.set_template, v))
                              for o in form.template_options()]
        place_types.controls = [_choice_chip(o.label, o.selected, lambda v=o.value: change(form.set_place_type, v))
                                for o in form.place_type_options()]
        groups.controls = [_choice_chip(o.label, o.selected, lambda v=o.value: change(form.choose_group, v))
                           for o in form.group_options()]
        where.value = form.location_label
        notice.value, notice.visible = form.notice, bool(form.notice)
        people.controls = [ft.Checkbox(label=f"{p.name}（{p.detail}）", value=p.selected, height=TOUCH,
                                       label_style=ft.TextStyle(size=BODY),
                                       on_change=lambda e, i=p.id: form.toggle_participant(i, bool(e.control.value)))
                           for p in form.participant_options()]
        place.error = form.errors.get("place_name") or None
        error = form.errors.get("form") or form.errors.get("template") or ""
        problem.value, problem.visible = error, bool(error)
        _update(dialog)

    def change(step, *args) -> None:
        step(*args)
        draw()

    async def find(quiet: bool = False) -> None:
        fix = None
        if locate is not None:
            try:
                fix = await asyncio.wait_for(locate(), LOCATE_TIMEOUT_S)
            except Exception:  # no permission, no fix in time: the inspection starts without a position
                fix = None
        if fix is not None:
            form.set_device_location(*fix)
        elif not quiet:
            form.location_unavailable()

    def submit(_) -> None:
        if form.start(announce=False):
            page.pop_dialog()  # opened once the dialog has gone (dismissed)
        else:
            draw()

    def dismissed(_) -> None:
        if form.inspection_id:
            ctx.saved_locally()
            on_open(form.inspection_id)

    form.on_change = draw
    body = ft.Column([
        _caption(t("inspect.start.template")), templates,
        place,
        _caption(t("capture.place_type")), place_types,
        _caption(t("capture.location")),
        ft.Container(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, color="#00695C"), where]), bgcolor="#F1F8E9",
                     border_radius=12, padding=12),
        ft.Row([ft.OutlinedButton(content=_label(t("capture.locate")), icon=ft.Icons.MY_LOCATION, height=TOUCH,
                                  on_click=lambda _: page.run_task(find)),
                ft.TextButton(content=_label(t("capture.clear_location")), height=TOUCH,
                              on_click=lambda _: form.clear_location())], wrap=True, spacing=8),
        notice,
        _caption(t("inspect.start.people")), _quiet(t("inspect.start.people_hint")),
        *([_caption(t("inspect.start.groups")), groups] if form.group_options() else []), people,
        problem,
    ], tight=True, spacing=10, scroll=ft.ScrollMode.AUTO)
    dialog = ft.AlertDialog(
        title=ft.Text(t("inspect.start.title"), size=20, weight=ft.FontWeight.W_600),
        content=ft.Container(body, width=560), scrollable=True, on_dismiss=dismissed,
        actions=[ft.TextButton(content=_label(t("office.cancel")), height=TOUCH, on_click=lambda _: page.pop_dialog()),
                 ft.FilledButton(content=_label(t("inspect.start.confirm")), icon=ft.Icons.PLAY_ARROW, height=TOUCH,
                                 on_click=submit)])
    draw()
    page.show_dialog(dialog)
    page.run_task(find, True)  # ask the phone where we are as the form opens, quietly


# -- one inspection --------------------------------------------------------------------------------------------------
def inspection_body(page: ft.Page, ctx: AppContext, inspection_id: str, *, on_open_issue: OnOpen) -> ft.Control:
    """The checklist of one inspection; the same screen is kept across redraws (the section, what is typed)."""
    screen, made = _per_page(page, f"inspection:{id(ctx)}:{inspection_id}",
                             lambda: InspectionScreen(page, ctx, inspection_id))
    screen.on_open_issue = on_open_issue
    if not made:
        screen.model.reload()
        if screen.offset > 0:  # the shell put the screen into a new view, which starts at the top
            page.run_task(screen.keep_place)
    screen.draw()
    return screen.root


class _ReportFile:
    """What the office's Word saver asks of a model: the file of the id it is handed."""

    def __init__(self, model: InspectionModel):
        self.model = model

    def letter_file(self, _inspection_id: str) -> tuple[str, bytes]:
        return self.model.report_file()


class InspectionScreen:
    """Controls rebuilt from the model on every change; the root column stays, so the page keeps its place."""

    def __init__(self, page: ft.Page, ctx: AppContext, inspection_id: str):
        self.page, self.ctx = page, ctx
        self.model = InspectionModel(ctx, inspection_id, on_change=self.redraw)
        self.on_open_issue: OnOpen = lambda _issue_id: None
        self.picker = ft.FilePicker()  # a service: kept referenced here, or Flet drops it after the next event
        self.saver, _ = _per_page(page, "letter-saver", lambda: _Saver(page, ctx))
        self.saved = ""
        self.offset = 0.0  # how far down the checklist the user has scrolled
        self.root = ft.Column(spacing=0, scroll=ft.ScrollMode.AUTO, expand=True, scroll_interval=50,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH, on_scroll=self._scrolled)

    # -- drawing ----------------------------------------------------------------------------------------------------
    def redraw(self) -> None:
        self.draw()
        _update(self.root)

    def draw(self) -> None:
        m, t = self.model, self.ctx.t
        if not m.found:
            self.root.controls = [empty_state(ft.Icons.SEARCH_OFF, t("inspect.not_found"))]
            return
        items: list[ft.Control] = [self._header(), self._tabs()]
        items += [self._notice(text) for text in m.notices]
        if m.section == RESULTS:
            items += self._results()
        else:
            items.append(section_title(m.section_title))
            items += [self._item(view) for view in m.items]
            following = m.next_section
            if following is not None:
                section_id, label = following
                items.append(ft.Container(ft.OutlinedButton(content=_label(label), icon=ft.Icons.ARROW_FORWARD,
                                                            height=TOUCH + 8, on_click=lambda _: self._go(section_id)),
                                          padding=16))
        items.append(ft.Container(height=32))
        self.root.controls = items

    def _header(self) -> ft.Control:
        m, t = self.model, self.ctx.t
        chips = [_chip(m.status), _chip(Chip(m.progress_text)), _chip(Chip(m.score_text, Tone.INFO))]
        chips.append(_chip(Chip(m.flagged_text, Tone.DANGER if m.flagged_count else Tone.QUIET)))
        if m.conflicts_text:
            chips.append(_chip(Chip(m.conflicts_text, Tone.WARNING)))
        if m.waiting:
            chips.append(_waiting(t("list.waiting")))
        lines: list[ft.Control] = [
            ft.Text(m.title, size=22, weight=ft.FontWeight.W_600),
            ft.Text(" · ".join(p for p in (m.place, m.day) if p), size=BODY, color=MUTED),
            ft.Text(m.people_text, size=BODY, color=MUTED),
            ft.ProgressBar(value=m.fraction, bar_height=10, border_radius=5, color="#00695C", bgcolor="#E0E0E0",
                           semantics_label=m.progress_text),
            ft.Row(chips, wrap=True, spacing=6, run_spacing=6),
        ]
        if m.signed_text:
            lines.append(ft.Row([ft.Icon(ft.Icons.VERIFIED, color=TONES[Tone.GOOD][1]),
                                 ft.Text(m.signed_text, size=BODY, color=TONES[Tone.GOOD][1], expand=True)]))
        return ft.Container(ft.Column(lines, spacing=8), padding=ft.Padding.only(left=16, right=16, top=16, bottom=8))

    def _tabs(self) -> ft.Control:
        chips = [_choice_chip(tab.label, tab.selected, lambda i=tab.id: self._go(i),
                              icon=ft.Icons.ERROR_OUTLINE if tab.attention else None) for tab in self.model.tabs]
        return ft.Semantics(content=ft.Container(ft.Row(chips, wrap=True, spacing=8, run_spacing=8),
                                                 padding=ft.Padding.symmetric(horizontal=16, vertical=8)),
                            identifier="inspection-sections", container=True)

    def _item(self, view: ItemView) -> ft.Control:
        m, t = self.model, self.ctx.t
        lines: list[ft.Control] = [
            ft.Row([ft.Text(view.number, size=BODY + 1, weight=ft.FontWeight.W_600, color=MUTED),
                    ft.Text(view.text, size=BODY + 1, weight=ft.FontWeight.W_600, expand=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START),
        ]
        if view.help:
            lines.append(_quiet(view.help))
        lines.append(self._control(view))
        if view.by:
            lines.append(ft.Text(view.by, size=BODY, color=MUTED))
        if view.flagged:
            flag = [_chip(Chip(t("inspect.flag"), Tone.DANGER))]
            if view.missing:
                flag.append(ft.Text(view.needs, size=BODY, color=ERROR, weight=ft.FontWeight.W_600, expand=True))
            elif view.evidence:
                flag += [ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, color=TONES[Tone.GOOD][1], size=20),
                         ft.Text(view.evidence, size=BODY, color=TONES[Tone.GOOD][1], expand=True)]
            lines.append(ft.Row(flag, spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER))
        if view.conflict:
            lines.append(self._conflict(view))
        if view.extras_open:
            lines += self._extras(view)
        elif m.editable:
            lines.append(ft.Row([ft.TextButton(content=_label(t("inspect.extras")), icon=ft.Icons.ADD_COMMENT_OUTLINED,
                                               height=TOUCH, on_click=lambda _: self._act(m.open_extras, view.id))]))
        lines += self._issue(view)
        if view.error:
            lines.append(ft.Text(view.error, size=BODY, color=ERROR))
        card = ft.Container(ft.Column(lines, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                            padding=ft.Padding.symmetric(horizontal=16, vertical=14),
                            bgcolor="#FFF8F7" if view.flagged else None,
                            border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))
        return ft.Semantics(content=card, identifier=f"item-{view.id}", container=True)

    def _control(self, view: ItemView) -> ft.Control:
        m, t = self.model, self.ctx.t
        enabled = m.editable
        if view.kind == "segments":
            return ft.Row([_segment(s, lambda v=s.value: self._answer(view.id, v), enabled) for s in view.segments],
                          spacing=8)
        if view.kind == "choice":
            return ft.Row([_choice_chip(s.label, s.selected, lambda v=s.value: self._answer(view.id, v),
                                        disabled=not enabled) for s in view.segments],
                          wrap=True, spacing=8, run_spacing=8)
        if view.kind == "multiple":
            return ft.Column([ft.Checkbox(label=s.label, value=s.selected, height=TOUCH, disabled=not enabled,
                                          label_style=ft.TextStyle(size=BODY),
                                          on_change=lambda e, v=s.value: self._toggle(view.id, v, e.control.value))
                              for s in view.segments], spacing=0)
        if view.kind == "number":
            box = ft.TextField(label=t("inspect.number.label", unit=view.unit) if view.unit else t("inspect.value"),
                               value=view.value_text, text_size=BODY + 2, keyboard_type=ft.KeyboardType.NUMBER,
                               suffix=ft.Text(view.unit, size=BODY) if view.unit else None, read_only=not enabled,
                               expand=True, on_change=lambda e: m.set_typed(view.id, e.control.value),
                               on_submit=lambda _: self._number(view.id, m.typed.get(view.id, view.value_text)))
            row: list[ft.Control] = [box]
            if enabled:
                row.append(ft.FilledTonalButton(content=_label(t("inspect.save")), height=TOUCH + 8,
                                                on_click=lambda _: self._number(view.id,
                                                                                m.typed.get(view.id, view.value_text))))
            parts: list[ft.Control] = [ft.Row(row, spacing=8)]
            if view.range:
                parts.append(_quiet(view.range))
            return ft.Column(parts, spacing=4)
        if view.kind == "text":
            box = ft.TextField(label=t("inspect.text.label"), value=view.value_text, text_size=BODY, multiline=True,
                               min_lines=2, max_lines=8, read_only=not enabled,
                               on_change=lambda e: m.set_typed(view.id, e.control.value),
                               on_blur=lambda _: self._after(m.leave_text(view.id)))
            parts = [box]
            if enabled:
                parts.append(ft.Row([ft.FilledTonalButton(content=_label(t("inspect.save")), height=TOUCH,
                                                          on_click=lambda _: self._text_answer(
                                                              view.id, m.typed.get(view.id, view.value_text)))]))
            return ft.Column(parts, spacing=8)
        return _quiet(t("inspect.photo.hint"))  # a photo item: its photos are its answer, below

    def _extras(self, view: ItemView) -> list[ft.Control]:
        m, t = self.model, self.ctx.t
        parts: list[ft.Control] = []
        if view.kind != "text":
            note = ft.TextField(label=t("inspect.note"), value=view.note, text_size=BODY, multiline=True, min_lines=2,
                                max_lines=6, read_only=not m.editable,
                                on_change=lambda e: m.set_note(view.id, e.control.value),
                                on_blur=lambda _: self._note(view.id, None))
            parts.append(note)
            if m.editable:
                parts.append(ft.Row([ft.FilledTonalButton(content=_label(t("inspect.note.save")), height=TOUCH,
                                                          icon=ft.Icons.SAVE_OUTLINED,
                                                          on_click=lambda _: self._note(view.id, None))]))
        tiles: list[ft.Control] = [self._photo(sha) for sha in view.photos]
        if m.editable:
            busy = m.busy is not None
            tiles.append(_add_tile(ft.Icons.PHOTO_CAMERA_OUTLINED, t("capture.take_photo"),
                                   lambda _: self.page.run_task(self._take, view.id), busy))
            tiles.append(_add_tile(ft.Icons.PHOTO_LIBRARY_OUTLINED, t("capture.add_photo"),
                                   lambda _: self.page.run_task(self._pick, view.id), busy))
        if tiles:
            parts.append(ft.Row(tiles, wrap=True, spacing=8, run_spacing=8))
        if m.busy == view.id and m.progress is not None:
            parts.append(ft.Row([ft.ProgressRing(width=20, height=20),
                                 ft.Text(t("photos.processing", done=m.progress[0], total=m.progress[1]), size=BODY)]))
        return parts

    def _conflict(self, view: ItemView) -> ft.Control:
        t = self.ctx.t
        rows: list[ft.Control] = [ft.Text(t("inspect.conflict.title"), size=BODY, weight=ft.FontWeight.W_600,
                                          color=TONES[Tone.WARNING][1])]
        for given in view.conflict:
            words = ft.Column([ft.Text(f"{given.who}：{given.what}", size=BODY, weight=ft.FontWeight.W_600),
                               *([ft.Text(given.note, size=BODY)] if given.note else []),
                               ft.Text(given.when, size=BODY, color=MUTED)], spacing=2, expand=True)
            row: list[ft.Control] = [words]
            if view.can_choose:
                row.append(ft.FilledButton(content=_label(t("inspect.conflict.choose")), height=TOUCH,
                                           on_click=lambda _, a=given.answer_id: self._act(self.model.choose, view.id,
                                                                                           a)))
            rows.append(ft.Row(row, spacing=8))
        if not view.can_choose:
            rows.append(_quiet(t("inspect.conflict.wait")))
        box = ft.Container(ft.Column(rows, spacing=8), bgcolor=TONES[Tone.WARNING][0], border_radius=12, padding=12,
                           border=ft.Border.all(1, "#FFB74D"))
        return ft.Semantics(content=box, identifier=f"conflict-{view.id}", container=True)

    def _issue(self, view: ItemView) -> list[ft.Control]:
        t = self.ctx.t
        if view.issue is not None:
            issue = view.issue
            chip = status_chip(issue.status, issue.status_label) if issue.here else _chip(Chip(issue.status_label))
            link = ft.Container(ft.Row([ft.Icon(ft.Icons.ASSIGNMENT_OUTLINED, color="#00695C"),
                                        ft.Text(t("inspect.issue.raised"), size=BODY, color="#00695C",
                                                weight=ft.FontWeight.W_600), chip,
                                        ft.Icon(ft.Icons.CHEVRON_RIGHT, color=MUTED) if issue.here else ft.Container()],
                                       spacing=8, wrap=True),
                                height=TOUCH, ink=True, border_radius=8,
                                on_click=(lambda _: self.on_open_issue(issue.issue_id)) if issue.here else None)
            return [ft.Semantics(content=link, identifier=f"issue-{view.id}", button=issue.here, container=True)]
        if view.can_raise:
            return [ft.Row([ft.FilledButton(content=_label(t("inspect.issue.raise")), icon=ft.Icons.ASSIGNMENT_LATE,
                                            height=TOUCH, style=ft.ButtonStyle(bgcolor=ERROR, color="#FFFFFF"),
                                            on_click=lambda _: self._raise(view.id))])]
        return []

    def _results(self) -> list[ft.Control]:
        m, t = self.model, self.ctx.t
        figures = ft.Row([_figure(t("inspect.result.score"), m.score_value, Tone.INFO),
                          _figure(t("inspect.result.flagged"), str(m.flagged_count),
                                  Tone.DANGER if m.flagged_count else Tone.GOOD),
                          _figure(t("inspect.result.answered"), f"{m.answered}/{m.total}", Tone.QUIET)],
                         spacing=8)
        items: list[ft.Control] = [ft.Container(figures, padding=ft.Padding.symmetric(horizontal=16, vertical=8))]
        if m.unanswered_text:
            items.append(ft.Container(_quiet(m.unanswered_text), padding=ft.Padding.symmetric(horizontal=16)))
        flagged = m.flagged_items
        items.append(section_title(t("inspect.result.flagged_items", n=len(flagged))))
        for view in flagged:
            lines: list[ft.Control] = [ft.Text(view.text, size=BODY + 1, weight=ft.FontWeight.W_600),
                                       ft.Text(t("inspect.result.answer", answer=view.answer), size=BODY)]
            if view.note:
                lines.append(ft.Text(view.note, size=BODY, color=MUTED))
            if view.missing:
                lines.append(ft.Text(view.needs, size=BODY, color=ERROR, weight=ft.FontWeight.W_600))
            lines += self._issue(view)
            if view.error:
                lines.append(ft.Text(view.error, size=BODY, color=ERROR))
            items.append(ft.Semantics(content=ft.Container(ft.Column(lines, spacing=6), bgcolor="#FFF8F7",
                                                           padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                                                           border=ft.Border.only(bottom=ft.BorderSide(1, LINE))),
                                      identifier=f"flagged-{view.id}", container=True))
        if not flagged:
            items.append(ft.Container(_quiet(t("inspect.result.none_flagged")), padding=16))
        items.append(section_title(t("inspect.sign.title")))
        sign: list[ft.Control] = []
        if m.signed_text:
            sign.append(ft.Text(m.signed_text, size=BODY, color=TONES[Tone.GOOD][1], weight=ft.FontWeight.W_600))
        elif m.can_sign_off:
            sign += [ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=TONES[Tone.WARNING][1]),
                             ft.Text(line, size=BODY, expand=True)]) for line in m.blockers]
            sign.append(ft.Row([ft.FilledButton(content=_label(t("inspect.sign.button")), icon=ft.Icons.DRAW_OUTLINED,
                                                height=TOUCH + 8, on_click=lambda _: self._act(m.sign_off))]))
            if m.errors.get("sign_off"):
                sign.append(ft.Text(m.errors["sign_off"], size=BODY, color=ERROR))
        else:
            sign.append(_quiet(t("inspect.sign.lead_only")))
        items.append(ft.Container(ft.Column(sign, spacing=8), padding=ft.Padding.symmetric(horizontal=16)))
        items.append(section_title(t("inspect.report.title")))
        report: list[ft.Control] = [ft.Row([ft.OutlinedButton(content=_label(t("inspect.report.download")),
                                                              icon=ft.Icons.DOWNLOAD, height=TOUCH + 8,
                                                              on_click=lambda _: self._report())])]
        if self.saved:
            report.append(ft.Text(self.saved, size=BODY, color=TONES[Tone.GOOD][1]))
        items.append(ft.Container(ft.Column(report, spacing=8), padding=ft.Padding.symmetric(horizontal=16)))
        return items

    def _photo(self, sha256: str) -> ft.Control:
        photos = self.ctx.photos
        data = photos.read_thumbnail(sha256) if photos.has(sha256) else None
        if data is None:
            return ft.Container(ft.Icon(ft.Icons.CLOUD_DOWNLOAD_OUTLINED, color="#90A4AE"), width=TILE, height=TILE,
                                bgcolor="#ECEFF1", border_radius=12, alignment=ft.Alignment.CENTER)
        return ft.Image(src=data, width=TILE, height=TILE, fit=ft.BoxFit.COVER, border_radius=12)

    def _notice(self, text: str) -> ft.Control:
        return ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ERROR), ft.Text(text, size=BODY, expand=True),
                                    ft.IconButton(ft.Icons.CLOSE, on_click=lambda _: self._act(
                                        self.model.dismiss_notices))]),
                            bgcolor="#FFEBEE", border_radius=12, padding=ft.Padding.symmetric(horizontal=12, vertical=4),
                            margin=ft.Margin.symmetric(horizontal=16, vertical=4))

    # -- events -----------------------------------------------------------------------------------------------------
    def _act(self, step, *args) -> None:
        self._after(step(*args))

    def _after(self, recorded) -> None:
        """A step that recorded something has redrawn every screen already (ctx.saved_locally); else draw here."""
        if not (recorded.saved if isinstance(recorded, Outcome) else recorded):
            self.redraw()

    def _go(self, section_id: str) -> None:
        self.model.select(section_id)
        self.redraw()
        self.page.run_task(self._to_top)

    async def _to_top(self) -> None:
        await self._scroll(0.0)

    async def keep_place(self) -> None:
        """Back to where the user was once the redrawn view is on the screen (every answer redraws the app)."""
        await self._scroll(self.offset)

    async def _scroll(self, offset: float) -> None:
        try:
            await self.root.scroll_to(offset=offset, duration=0)
        except Exception:  # not on the page any more
            pass

    def _scrolled(self, e: ft.OnScrollEvent) -> None:
        self.offset = e.pixels

    def _answer(self, item_id: str, value) -> None:
        self._ask(self.model.answer(item_id, value), lambda: self.model.answer(item_id, value, confirmed=True))

    def _number(self, item_id: str, text: str) -> None:
        self._ask(self.model.answer_number(item_id, text),
                  lambda: self.model.answer_number(item_id, text, confirmed=True))

    def _ask(self, outcome: Outcome, confirmed: Callable[[], Outcome]) -> None:
        """Record at once, or first ask (a number outside its range) and record once the question has gone."""
        if not outcome.confirm:
            self._after(outcome)
            return
        t, said = self.ctx.t, {"yes": False}

        def yes(_) -> None:
            said["yes"] = True
            self.page.pop_dialog()

        def dismissed(_) -> None:
            self._after(confirmed() if said["yes"] else False)

        self.page.show_dialog(ft.AlertDialog(
            modal=True, on_dismiss=dismissed,
            title=ft.Text(t("inspect.number.confirm_title"), size=20, weight=ft.FontWeight.W_600),
            content=ft.Container(ft.Text(outcome.confirm, size=BODY), width=480),
            actions=[ft.TextButton(content=_label(t("inspect.number.retype")), height=TOUCH,
                                   on_click=lambda _: self.page.pop_dialog()),
                     ft.FilledButton(content=_label(t("inspect.number.record")), height=TOUCH, on_click=yes)]))

    def _toggle(self, item_id: str, option: str, on) -> None:
        self._after(self.model.toggle_option(item_id, option, bool(on)))

    def _text_answer(self, item_id: str, text: str) -> None:
        self._after(self.model.answer_text(item_id, text))

    def _note(self, item_id: str, text: str | None) -> None:
        self._after(self.model.save_note(item_id, text))

    def _raise(self, item_id: str) -> None:
        raised = self.model.raise_issue(item_id)
        if raised:
            self.page.show_dialog(ft.SnackBar(ft.Text(self.ctx.t("inspect.issue.raised_snack"), size=BODY)))
        self._after(raised)

    async def _pick(self, item_id: str) -> None:
        await self.model.add_photos(item_id, await pick_images(self.picker))

    async def _take(self, item_id: str) -> None:
        data = await take_photo(self.page, self.ctx.t)
        if data is None:
            self.model.notices.append(self.ctx.t("camera.unavailable"))
            self.redraw()
            return
        await self.model.add_photos(item_id, [(self.ctx.t("camera.file_name"), data)])

    def _report(self) -> None:
        def said(text: str) -> None:
            self.saved = text
            self.redraw()

        self.saver.save_letter(_ReportFile(self.model), said)(self.model.inspection_id)


# -- pieces ---------------------------------------------------------------------------------------------------------
def _segment(segment: Segment, on_click: Callable[[], None], enabled: bool) -> ft.Control:
    """One answer of 合格 / 不合格 / 不适用 (or 是 / 否): a large button, filled with a tick when chosen."""
    label = ft.Text(segment.label, size=BODY + 1, weight=ft.FontWeight.W_600)
    if segment.selected:
        return ft.FilledButton(content=label, icon=ft.Icons.CHECK, height=TOUCH + 8, expand=True,
                               disabled=not enabled, on_click=lambda _: on_click(),
                               style=ft.ButtonStyle(bgcolor=FILLS[segment.tone], color="#FFFFFF",
                                                    shape=ft.RoundedRectangleBorder(radius=10)))
    return ft.OutlinedButton(content=label, height=TOUCH + 8, expand=True, disabled=not enabled,
                             on_click=lambda _: on_click(),
                             style=ft.ButtonStyle(color="#263238", side=ft.BorderSide(1.5, "#78909C"),
                                                  shape=ft.RoundedRectangleBorder(radius=10)))


def _choice_chip(label: str, selected: bool, on_select: Callable[[], None], *, disabled: bool = False,
                 icon: ft.IconData | None = None) -> ft.Control:
    return ft.Chip(label=ft.Text(label, size=BODY), selected=selected, show_checkmark=True, height=TOUCH,
                   disabled=disabled, leading=ft.Icon(icon, color=ERROR, size=20) if icon and not selected else None,
                   on_select=lambda _: on_select())


def _add_tile(icon: ft.IconData, label: str, on_click, busy: bool) -> ft.Control:
    return ft.Container(ft.Column([ft.Icon(icon, size=30, color="#00695C"),
                                   ft.Text(label, size=BODY, color="#00695C", text_align=ft.TextAlign.CENTER)],
                                  alignment=ft.MainAxisAlignment.CENTER,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=2),
                        width=TILE + 16, height=TILE, border_radius=12, bgcolor="#E0F2F1", on_click=on_click, ink=True,
                        disabled=busy)


def _figure(label: str, value: str, tone: Tone) -> ft.Control:
    bg, fg = TONES[tone]
    return ft.Container(ft.Column([ft.Text(value, size=24, weight=ft.FontWeight.W_700, color=fg),
                                   ft.Text(label, size=BODY, color=fg)], spacing=2,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER),
                        bgcolor=bg, border_radius=12, padding=12, expand=True)


def _caption(text: str) -> ft.Control:
    return ft.Text(text, size=BODY, weight=ft.FontWeight.W_600, color="#37474F")


def _quiet(text: str) -> ft.Control:
    return ft.Text(text, size=BODY, color=MUTED)
