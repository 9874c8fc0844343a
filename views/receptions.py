"""代表接待日: the station's schedule, and a day's log filled in on the day (offline; synced when there is a network).

Each visitor is one form (name and phone if they wish, the village, what they raised); each concern is
answered on the spot or turned into an issue with one tap, and then shows that issue's status chip.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Tone
from app.viewmodels.receptions import (AnswerForm, ConcernLine, DayRow, PlanForm, ReceptionLogModel, ScheduleModel,
                                       VisitorForm)
from app.viewmodels.stations import RECEPTIONS
from views.components import big_button, empty_state, section_title
from views.office import _update, _waiting
from views.stations import (MUTED, OnOpen, TEAL, ask, caption, card, chip, choice_chips, field, fill, filled,
                            form_dialog, issue_chip, kept, outlined, padded, problem_text, quiet, screen_column,
                            snack, station_picker, text_dialog)
from views.theme import BODY, TOUCH


# -- the schedule -------------------------------------------------------------------------------------------------
def schedule_body(page: ft.Page, ctx: AppContext, *, station_id: str | None, go: Callable[[str], None]) -> ft.Control:
    """接待日: 记录今天的接待, the days to come, the days held (the office picks the station and plans a year)."""
    t = ctx.t
    model, made = kept(page, ctx, "schedule", lambda: ScheduleModel(ctx, station_id=station_id))
    if not made:
        if station_id:
            model.chosen_station = station_id
        model.reload()
    root = screen_column()

    def draw() -> None:
        items: list[ft.Control] = []
        stations = model.station_options()
        if stations:
            items.append(padded(station_picker(stations, lambda v: change(model.choose_station, v),
                                               t("stations.pick_station")), vertical=12))
        items.append(section_title(model.heading))
        if model.can_log:
            items.append(ft.Container(ft.Row([big_button(t("reception.log_today"), ft.Icons.HOW_TO_REG_OUTLINED,
                                                         lambda _: start(None))]),
                                      padding=ft.Padding.symmetric(horizontal=16, vertical=8)))
        buttons = []
        if model.can_log:
            buttons.append(outlined(t("reception.log_other_day"), lambda: pick_day(start), icon=ft.Icons.EDIT_CALENDAR))
        if model.can_plan:
            buttons.append(outlined(t("reception.plan.button"), lambda: _plan_dialog(page, ctx, model.plan_form()),
                                    icon=ft.Icons.CALENDAR_MONTH))
        if buttons:
            items.append(padded(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)))
        if model.errors.get("form"):
            items.append(padded(problem_text(model.errors["form"])))
        items.append(section_title(model.upcoming_title))
        items += [_day(ctx, row, model.errors.get(row.id, ""), on_open=open_day, on_move=move)
                  for row in model.upcoming]
        if not model.upcoming:
            items.append(empty_state(ft.Icons.EVENT_BUSY, model.empty_text))
        if model.past:
            items.append(section_title(model.past_title))
            items += [_day(ctx, row, model.errors.get(row.id, ""), on_open=open_day, on_move=move)
                      for row in model.past]
        fill(root, items)

    def change(step, value) -> None:
        step(value)
        draw()

    def open_day(reception_id: str) -> None:
        go(f"{RECEPTIONS}/{reception_id}")

    def start(day: date | None) -> None:
        begun = model.start_log(day)
        if begun.reception_id:
            open_day(begun.reception_id)
            return

        def yes() -> None:
            made_id = model.log_unscheduled(begun.day)
            if made_id:
                open_day(made_id)
            else:
                draw()

        ask(page, ctx, title=t("reception.confirm_title"), question=begun.confirm, yes=t("reception.confirm_yes"),
            on_yes=yes)

    def pick_day(then: Callable[[date], None], current: date | None = None) -> None:
        today = model.today
        current = current or today

        def picked(e) -> None:
            if e.control.value:
                then(e.control.value.date())

        chinese = t.language.startswith("zh")
        page.show_dialog(ft.DatePicker(value=datetime(current.year, current.month, current.day),
                                       first_date=datetime(today.year - 1, 1, 1),
                                       last_date=datetime(today.year + 1, 12, 31), on_change=picked,
                                       locale=ft.Locale("zh", "CN") if chinese else ft.Locale("en", "GB"),
                                       help_text=t("reception.pick_day"), cancel_text=t("action.cancel"),
                                       confirm_text=t("action.ok")))

    def move(row: DayRow) -> None:
        def moved(day: date) -> None:
            if model.reschedule(row.id, day):
                snack(page, t("reception.moved", day=day.isoformat()))
            else:
                draw()

        pick_day(moved, row.day)

    draw()
    return root


def _day(ctx: AppContext, row: DayRow, error: str, *, on_open: OnOpen, on_move: Callable[[DayRow], None]) -> ft.Control:
    chips = [chip(c) for c in row.chips] + ([_waiting(row.waiting)] if row.waiting else [])
    lines: list[ft.Control] = [ft.Text(row.day_text, size=BODY + 2, weight=ft.FontWeight.W_600),
                               ft.Row(chips, wrap=True, spacing=6, run_spacing=6)]
    if row.counts:
        lines.append(ft.Text(row.counts, size=BODY))
    if row.duty:
        lines.append(quiet(row.duty))
    buttons = [outlined(ctx.t("reception.reschedule"), lambda: on_move(row), icon=ft.Icons.EDIT_CALENDAR)] \
        if row.can_reschedule else []
    if error:
        buttons.append(problem_text(error))
    return card(lines, identifier="reception-day", buttons=buttons, on_click=lambda: on_open(row.id))


def _plan_dialog(page: ft.Page, ctx: AppContext, form: PlanForm) -> None:
    """安排全年接待日: the year and the rule; the twelve dates are shown before they are planned."""
    t = ctx.t
    form.redraw = False
    years = ft.Row(wrap=True, spacing=8, run_spacing=8)
    rules = ft.Row(wrap=True, spacing=8, run_spacing=8)
    preview = quiet("")
    problem = problem_text("")

    def redraw() -> None:
        years.controls = choice_chips(form.year_options(), lambda v: (setattr(form, "year", int(v)), redraw())).controls
        rules.controls = choice_chips(form.rule_options(), lambda v: (setattr(form, "rule", v), redraw())).controls
        preview.value = form.preview
        problem.value, problem.visible = form.form_error, bool(form.form_error)
        for control in (years, rules, preview, problem):
            _update(control)

    def submit() -> None:
        if form.submit():
            page.pop_dialog()
        else:
            redraw()

    def dismissed() -> None:
        if form.done:
            ctx.saved_locally()
            snack(page, form.result_text)

    redraw()
    form_dialog(page, ctx, title=t("reception.plan.title"),
                body=[quiet(t("reception.plan.explain", day=form.day), colour="#263238"),
                      caption(t("reception.plan.which_year")), years, caption(t("reception.plan.rule")), rules, preview, problem],
                confirm=t("reception.plan.confirm"), on_confirm=submit, on_dismiss=dismissed,
                icon=ft.Icons.CALENDAR_MONTH)


# -- one day's log -----------------------------------------------------------------------------------------------
def log_body(page: ft.Page, ctx: AppContext, reception_id: str, *, on_open_issue: OnOpen) -> ft.Control:
    """A reception day's log: who attended, each visitor and what they raised, and what became of it."""
    t = ctx.t
    model, made = kept(page, ctx, f"log:{reception_id}", lambda: ReceptionLogModel(ctx, reception_id))
    if not made:
        model.reload()
    root = screen_column()
    if not model.found:
        fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("reception.log.not_found"))])
        return root

    def to_issue(concern_id: str) -> None:
        if model.to_issue(concern_id):
            snack(page, t("reception.log.issued"))

    def attend(person_id: str) -> None:
        if not model.attend(person_id):
            fill(root, _log_items(ctx, model, on_open_issue=on_open_issue, actions=actions))

    actions = {
        "visitor": lambda: _visitor_dialog(page, ctx, model.visitor_form()),
        "answer": lambda concern_id: _answer_dialog(page, ctx, model.answer_form(concern_id)),
        "to_issue": to_issue,
        "attend": attend,
    }
    fill(root, _log_items(ctx, model, on_open_issue=on_open_issue, actions=actions))
    return root


def _log_items(ctx: AppContext, model: ReceptionLogModel, *, on_open_issue: OnOpen, actions: dict) -> list[ft.Control]:
    t = ctx.t
    header = [ft.Text(model.station_name, size=BODY, color=MUTED),
              ft.Text(model.day_text, size=22, weight=ft.FontWeight.W_700),
              ft.Row([chip(model.chip)] + ([_waiting(t("list.waiting"))] if model.waiting else []), spacing=8),
              ft.Text(model.counts, size=BODY)]
    if model.unscheduled:
        header.append(quiet(model.unscheduled, colour="#8A4B00"))
    items: list[ft.Control] = [ft.Container(ft.Column(header, spacing=6), bgcolor="#E0F2F1", border_radius=12,
                                            padding=14, margin=ft.Margin.only(left=16, right=16, top=12))]
    if model.can_receive:
        items.append(ft.Container(ft.Row([big_button(t("reception.log.receive"), ft.Icons.PERSON_ADD_ALT_1_OUTLINED,
                                                     lambda _: actions["visitor"]())]),
                                  padding=ft.Padding.symmetric(horizontal=16, vertical=12)))
    items.append(section_title(model.attended_text))
    # A chip without a handler is drawn greyed out: an attended deputy's keeps one that does nothing (there is
    # no un-attending), so it stays in full contrast.
    attendees = [ft.Chip(label=ft.Text(a.label, size=BODY), selected=a.attended, show_checkmark=True, height=TOUCH,
                         disabled=not a.can_mark and not a.attended,
                         on_select=(lambda _, i=a.id: actions["attend"](i)) if a.can_mark else _stay_selected)
                 for a in model.attendees]
    items.append(padded(ft.Row(attendees, wrap=True, spacing=8, run_spacing=8) if attendees
                        else quiet(t("reception.log.no_deputies"))))
    if model.attendees:
        items.append(padded(quiet(t("reception.log.attend_hint"))))
    if model.errors.get("attend"):
        items.append(padded(problem_text(model.errors["attend"])))
    items.append(section_title(model.visitors_title))
    for visitor in model.visitors:
        lines: list[ft.Control] = [ft.Text(visitor.heading, size=BODY + 1, weight=ft.FontWeight.W_600)]
        if visitor.details:
            lines.append(quiet(visitor.details))
        lines += [_concern(ctx, line, on_open_issue=on_open_issue, actions=actions) for line in visitor.concerns]
        items.append(card(lines, identifier="visitor"))
    if not model.visitors:
        items.append(empty_state(ft.Icons.PEOPLE_OUTLINE, model.empty_text))
    return items


def _stay_selected(e) -> None:
    e.control.selected = True
    _update(e.control)


def _concern(ctx: AppContext, line: ConcernLine, *, on_open_issue: OnOpen, actions: dict) -> ft.Control:
    t = ctx.t
    parts: list[ft.Control] = [ft.Row([ft.Icon(ft.Icons.CHAT_BUBBLE_OUTLINE, size=20, color=TEAL),
                                       ft.Text(line.text, size=BODY, expand=True)],
                                      vertical_alignment=ft.CrossAxisAlignment.START)]
    if line.answer:
        parts += [ft.Row([chip_answered(ctx)]), ft.Text(line.answer, size=BODY)]
    if line.issue:
        parts.append(ft.Row([issue_chip(line.issue, on_open_issue)], wrap=True))
    buttons = []
    if line.can_answer:
        buttons.append(outlined(t("reception.log.answer_button"), lambda: actions["answer"](line.id),
                                icon=ft.Icons.RECORD_VOICE_OVER_OUTLINED))
    if line.can_issue:
        buttons.append(filled(t("reception.log.to_issue"), lambda: actions["to_issue"](line.id),
                              icon=ft.Icons.ASSIGNMENT_OUTLINED))
    if buttons:
        parts.append(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))
    if line.error:
        parts.append(problem_text(line.error))
    return ft.Semantics(content=ft.Container(ft.Column(parts, spacing=6), padding=ft.Padding.only(left=8, top=6,
                                                                                             bottom=6),
                                             border=ft.Border.only(left=ft.BorderSide(3, "#B2DFDB"))),
                        identifier="visitor-concern", container=True)


def chip_answered(ctx: AppContext) -> ft.Control:
    return chip(Chip(ctx.t("reception.log.answered"), Tone.GOOD))


def _visitor_dialog(page: ft.Page, ctx: AppContext, form: VisitorForm) -> None:
    """接待一位群众: name and phone only if they wish (the phone is checked), the village, each concern."""
    t = ctx.t
    form.redraw = False
    name = field(t("reception.visitor.name"), form.name, lambda v: form.set("name", v),
                 hint=t("reception.visitor.optional"))
    phone = field(t("reception.visitor.phone"), form.phone, lambda v: form.set("phone", v),
                  hint=t("reception.visitor.phone_hint"), keyboard=ft.KeyboardType.PHONE)
    village = field(t("reception.visitor.village"), form.village, lambda v: form.set("village", v),
                    hint=t("reception.visitor.village_hint"))
    concerns = ft.Column(spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    more = outlined(t("reception.visitor.more"), lambda: add(), icon=ft.Icons.ADD)
    concerns_error = problem_text("")
    problem = problem_text("")

    def concern_field(index: int) -> ft.TextField:
        return field(t("reception.visitor.concern", n=index + 1), form.concerns[index],
                     lambda v, i=index: form.set_concern(i, v), lines=2)

    def add() -> None:
        if form.add_concern():
            concerns.controls.append(concern_field(len(form.concerns) - 1))
        more.visible = form.can_add
        _update(concerns)
        _update(more)

    def show_errors() -> None:
        phone.error = form.error_of("phone") or None
        concerns_error.value, concerns_error.visible = form.error_of("concerns"), bool(form.error_of("concerns"))
        problem.value, problem.visible = form.form_error, bool(form.form_error)
        for control in (phone, concerns_error, problem):
            _update(control)

    def submit() -> None:
        if form.submit():
            page.pop_dialog()
        else:
            show_errors()

    def dismissed() -> None:
        if form.done:
            ctx.saved_locally()
            snack(page, t("reception.visitor.saved"))

    concerns.controls = [concern_field(i) for i in range(len(form.concerns))]
    form_dialog(page, ctx, title=t("reception.visitor.title"),
                body=[name, phone, quiet(t("reception.visitor.privacy")), village,
                      caption(t("reception.visitor.raised")), concerns, more, concerns_error, problem],
                confirm=t("reception.visitor.save"), on_confirm=submit, on_dismiss=dismissed, icon=ft.Icons.CHECK)


def _answer_dialog(page: ft.Page, ctx: AppContext, form: AnswerForm) -> None:
    t = ctx.t
    text_dialog(page, ctx, form, title=t("reception.answer.title"), label_text=t("reception.answer.label"),
                confirm=t("reception.answer.save"))
