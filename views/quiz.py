"""知识测试: a deputy takes the essential-knowledge quiz on the phone, offline; the office opens and closes it.

    /me/quiz          a deputy's quizzes: the open ones to take, the score of each hand-in
    /me/quiz/<id>     one quiz: 开始答题, one question a screen with large answers, the clock, 交卷, the score,
                      and after the close each question right or wrong with the article it comes from
    /quiz             the office's quizzes; 开启测试
    /quiz/<id>        scores per deputy, who has not taken it, per question once closed; 结束测试
"""

from __future__ import annotations

import asyncio
from typing import Callable
from urllib.parse import urlsplit

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Tone
from app.viewmodels.quiz import (MY_QUIZZES, QUIZZES, AnswerOption, QuizListModel, QuizResultsModel, QuizzesModel,
                                 TakeQuizModel)
from views.components import empty_state, section_title
from views.office import TONES, _chip, _fill, _label, _screen, _update
from views.projects import (_alert, _card, _good, _kept, _meta, _opens, _outlined, _pad, _quiet, _status_box, _title,
                            confirm_dialog, form_dialog)
from views.theme import BODY, TOUCH

Go = Callable[[str], None]
TEAL, INK, LINE = "#00695C", "#263238", "#90A4AE"
ANSWER_PADDING = 16  # above and below a 28 px icon: every answer is at least 60 px high


def quiz_screen(page: ft.Page, ctx: AppContext, route: str, *, go: Go) -> tuple[ft.Control, str]:
    """The body and title of a quiz screen's route."""
    t, path = ctx.t, urlsplit(route).path.rstrip("/")
    if path.startswith(MY_QUIZZES + "/"):
        return take_body(page, ctx, path.removeprefix(MY_QUIZZES + "/"), go=go), t("quiz.take_title")
    if path == MY_QUIZZES:
        return my_quizzes_body(page, ctx, go=go), t("quiz.my_title")
    if path.startswith(QUIZZES + "/"):
        return results_body(page, ctx, path.removeprefix(QUIZZES + "/"), go=go), t("quiz.results_title")
    return quizzes_body(page, ctx, go=go), t("quiz.office_title")


# -- a deputy -------------------------------------------------------------------------------------------------------
def my_quizzes_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, "quiz.mine", lambda: QuizListModel(ctx))
    root = _screen()
    items: list[ft.Control] = []
    for row in model.rows:
        column = [_opens(ft.Icons.QUIZ_OUTLINED, [_title(row.title), ft.Row([_chip(row.status)], wrap=True),
                                                  _meta(row.facts), ft.Text(row.mine, size=BODY, color=INK)],
                         lambda i=row.id: go(f"{MY_QUIZZES}/{i}"))]
        if row.can_start:
            column.append(ft.Row([ft.FilledButton(content=_label(row.action), icon=ft.Icons.EDIT_NOTE, height=TOUCH,
                                                  on_click=lambda _, i=row.id: go(f"{MY_QUIZZES}/{i}"))]))
        items.append(_card("quiz-row", column))
    if not model.rows:
        items.append(empty_state(ft.Icons.QUIZ_OUTLINED, model.empty_text))
    _fill(root, items)
    return root


def take_body(page: ft.Page, ctx: AppContext, quiz_id: str, *, go: Go) -> ft.Control:
    """One quiz for a deputy: its summary, or the sheet under way, a question at a time."""
    model = _kept(page, ctx, f"quiz.take:{quiz_id}", lambda: TakeQuizModel(ctx, quiz_id))
    t = ctx.t
    root = _screen()
    clock = ft.Text("", size=BODY + 1, weight=ft.FontWeight.W_600, color=INK)

    def draw() -> None:
        if not model.found:
            _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("quiz.not_found"))])
            return
        if model.taking:
            _fill(root, _sheet(ctx, model, clock, draw, ask_hand_in), _sheet_bar(ctx, model, draw, ask_hand_in))
            _tick(page, model, clock, on_time_up=time_up)
            return
        items: list[ft.Control] = [
            _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                            ft.Row([_chip(model.status)], wrap=True)], spacing=8), top=16),
            _pad(_meta(model.facts))]
        if model.notice:
            items.append(_pad(_good(model.notice)))
        if model.error:
            items.append(_pad(_alert(model.error)))
        if model.attempts:
            items.append(section_title(t("quiz.my_attempts")))
            items += [_pad(ft.Text(line, size=BODY)) for line in model.attempts]
        if model.can_start:
            items.append(_pad(ft.Column([
                ft.Text(t("quiz.start_hint"), size=BODY, color=INK),
                ft.FilledButton(content=ft.Text(model.start_label, size=BODY + 2), icon=ft.Icons.PLAY_ARROW,
                                height=56, on_click=lambda _: start())], spacing=12,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH), top=12))
        if model.closed_note:
            items.append(_pad(_status_box(model.closed_note, good=False)))
        if model.review:
            right = sum(1 for r in model.review if r.right)
            items.append(section_title(t("quiz.review_title", right=right, total=len(model.review))))
            items += [_review(r) for r in model.review]
        _fill(root, items)

    def start() -> None:
        model.start()
        draw()

    def ask_hand_in() -> None:
        if model.confirm_text:
            confirm_dialog(page, ctx, t("quiz.hand_in"), model.confirm_text, t("quiz.hand_in_anyway"), finish)
        else:
            finish()

    def finish() -> None:
        model.hand_in()
        draw()

    def time_up() -> None:
        model.hand_in()  # at the limit: what was answered counts
        model.notice = t("quiz.time_up_handed_in") if not model.error else ""
        draw()

    draw()
    return root


def _sheet(ctx: AppContext, model: TakeQuizModel, clock: ft.Text, draw, ask_hand_in) -> list[ft.Control]:
    t, q = ctx.t, model.question
    clock.value = model.time_left_text
    head = ft.Container(ft.Row([ft.Semantics(content=ft.Text(model.progress_text, size=BODY + 1,
                                                             weight=ft.FontWeight.W_600, color=TEAL),
                                             identifier="quiz-progress"),
                                ft.Row([ft.Icon(ft.Icons.TIMER_OUTLINED, color=INK), clock], spacing=4, tight=True)],
                               alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True),
                        padding=ft.Padding.only(left=16, right=16, top=12, bottom=4), bgcolor="#E0F2F1")
    items: list[ft.Control] = [head, _pad(ft.Row([_chip(Chip(model.type_text, Tone.INFO))]), top=12),
                               _pad(ft.Text(q.text, size=BODY + 3, weight=ft.FontWeight.W_600, color=INK))]
    if q.type == "multiple":
        items.append(_pad(_meta(t("quiz.multiple_hint"))))

    def chose(key: str) -> None:
        model.choose(key)
        draw()

    items += [_pad(_answer(o, q.type == "multiple", chose), top=6) for o in model.options]
    if model.error:
        items.append(_pad(_alert(model.error)))
    items.append(section_title(t("quiz.jump_title", answered=len(model.sheet.questions) - model.unanswered,
                                 total=len(model.sheet.questions))))
    items.append(_pad(ft.Row([_number(i, model, draw) for i in range(len(model.sheet.questions))], wrap=True,
                             spacing=6, run_spacing=6)))
    items.append(_pad(ft.Row([_outlined(t("quiz.hand_in"), ft.Icons.SEND, ask_hand_in)]), top=12))
    return items


def _answer(option: AnswerOption, multiple: bool, on_choose: Callable[[str], None]) -> ft.Control:
    """One answer: the whole row is the target, 60 px high or more; chosen is filled, with a tick, not colour alone."""
    if multiple:
        icon = ft.Icons.CHECK_BOX if option.selected else ft.Icons.CHECK_BOX_OUTLINE_BLANK
    else:
        icon = ft.Icons.RADIO_BUTTON_CHECKED if option.selected else ft.Icons.RADIO_BUTTON_UNCHECKED
    colour = "#FFFFFF" if option.selected else INK
    row = ft.Container(ft.Row([ft.Icon(icon, color=colour, size=28),
                               ft.Text(option.label, size=BODY + 1, color=colour, expand=True,
                                       weight=ft.FontWeight.W_600 if option.selected else None)], spacing=12),
                       bgcolor=TEAL if option.selected else "#FFFFFF", border=ft.Border.all(2, TEAL if option.selected
                                                                                             else LINE),
                       border_radius=12, padding=ft.Padding.symmetric(horizontal=14, vertical=ANSWER_PADDING), ink=True,
                       on_click=lambda _: on_choose(option.key))
    return ft.Semantics(content=row, button=True, selected=option.selected, container=True,
                        identifier=f"answer-{option.key}")


def _number(index: int, model: TakeQuizModel, draw) -> ft.Control:
    """A question's number to jump to: the one shown is filled, the answered ones tinted, each with its number."""
    here, done = index == model.index, model.answered(index)
    box = ft.Container(ft.Text(str(index + 1), size=BODY, weight=ft.FontWeight.W_600,
                               color="#FFFFFF" if here else INK), width=TOUCH, height=TOUCH,
                       alignment=ft.Alignment.CENTER, border_radius=8, ink=True,
                       bgcolor=TEAL if here else "#B2DFDB" if done else "#FFFFFF",
                       border=ft.Border.all(1, TEAL if here or done else LINE),
                       on_click=lambda _: (model.go_to(index), draw()))
    return ft.Semantics(content=box, button=True, container=True)


def _sheet_bar(ctx: AppContext, model: TakeQuizModel, draw, ask_hand_in) -> ft.Control:
    """上一题 / 下一题 (交卷 on the last question) in a bar that stays put above the question."""
    t = ctx.t

    def move(step) -> None:
        step()
        draw()

    back = ft.OutlinedButton(content=_label(t("quiz.previous")), icon=ft.Icons.ARROW_BACK, height=TOUCH,
                             disabled=model.is_first, on_click=lambda _: move(model.previous), expand=True)
    if model.is_last:
        ahead = ft.FilledButton(content=_label(t("quiz.hand_in")), icon=ft.Icons.SEND, height=TOUCH, expand=True,
                                on_click=lambda _: ask_hand_in())
    else:
        ahead = ft.FilledButton(content=_label(t("quiz.next")), icon=ft.Icons.ARROW_FORWARD, height=TOUCH,
                                expand=True, on_click=lambda _: move(model.next))
    return ft.Container(ft.Row([back, ahead], spacing=12), padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                        bgcolor="#FFFFFF", border=ft.Border.only(bottom=ft.BorderSide(1, "#E0E0E0")))


def _tick(page: ft.Page, model: TakeQuizModel, clock: ft.Text, *, on_time_up: Callable[[], None]) -> None:
    """The clock on the sheet: once a second while the sheet is shown; at zero the sheet is handed in."""
    store = page.session.store
    slot = f"quiz.clock:{id(model)}"
    if store.contains_key(slot) and store.get(slot):
        return
    store.set(slot, True)
    route = page.route

    async def run() -> None:
        try:
            while model.taking and page.route == route:
                if model.time_up:
                    on_time_up()
                    return
                clock.value = model.time_left_text
                _update(clock)
                await asyncio.sleep(1)
        finally:
            store.set(slot, False)

    page.run_task(run)


def _review(row) -> ft.Control:
    bg, fg = TONES[Tone.GOOD if row.right else Tone.DANGER]
    verdict = ft.Container(ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE if row.right else ft.Icons.CANCEL, color=fg, size=20),
                                   ft.Text(row.verdict, size=BODY, color=fg, weight=ft.FontWeight.W_600)], spacing=4,
                                  tight=True), bgcolor=bg, border_radius=14,
                           padding=ft.Padding.symmetric(horizontal=10, vertical=4))
    lines = [ft.Row([ft.Text(f"{row.number}.", size=BODY, weight=ft.FontWeight.W_600), verdict], spacing=8),
             ft.Text(row.text, size=BODY, color=INK), ft.Text(row.mine, size=BODY),
             ft.Text(row.answer, size=BODY, weight=ft.FontWeight.W_600)]
    if row.source:
        lines.append(_meta(row.source))
    return _card("quiz-review", lines)


# -- the office -----------------------------------------------------------------------------------------------------
def quizzes_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, "quiz.office", lambda: QuizzesModel(ctx))
    t = ctx.t
    root = _screen()

    def new_quiz() -> None:
        form = model.form()
        form_dialog(page, ctx, form, on_saved=lambda: go(f"{QUIZZES}/{form.quiz_id}"))

    items: list[ft.Control] = [section_title(model.heading)]
    if model.is_office:
        items.append(_pad(ft.Row([ft.FilledButton(content=_label(t("quiz.open_new")), icon=ft.Icons.ADD,
                                                  height=TOUCH, on_click=lambda _: new_quiz())])))
    items += [_card("quiz-row", [_opens(ft.Icons.QUIZ_OUTLINED, [_title(r.title), ft.Row([_chip(r.status)], wrap=True),
                                                                 _meta(r.facts), ft.Text(r.figures, size=BODY)],
                                        lambda i=r.id: go(f"{QUIZZES}/{i}"))]) for r in model.rows]
    if not model.rows:
        items.append(empty_state(ft.Icons.QUIZ_OUTLINED, model.empty_text))
    _fill(root, items)
    return root


def results_body(page: ft.Page, ctx: AppContext, quiz_id: str, *, go: Go) -> ft.Control:
    model = _kept(page, ctx, f"quiz.results:{quiz_id}", lambda: QuizResultsModel(ctx, quiz_id))
    t = ctx.t
    root = _screen()

    def draw() -> None:
        if not model.found:
            _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("quiz.not_found"))])
            return
        items: list[ft.Control] = [
            _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                            ft.Row([_chip(model.status)], wrap=True)], spacing=8), top=16),
            _pad(_meta(model.facts)), _pad(ft.Semantics(content=ft.Text(model.figures, size=BODY + 1,
                                                                        weight=ft.FontWeight.W_600),
                                                        identifier="quiz-figures"))]
        if model.error:
            items.append(_pad(_alert(model.error)))
        if model.can_close:
            items.append(_pad(ft.Row([_outlined(t("quiz.close"), ft.Icons.LOCK_OUTLINE, close)]), top=8))
        items.append(section_title(model.people_title))
        for p in model.people:
            column: list[ft.Control] = [_title(p.name), ft.Text(p.result, size=BODY)]
            if p.can_retake:
                column.append(ft.Row([_outlined(t("quiz.allow_retake"), ft.Icons.REPLAY,
                                                lambda i=p.person_id: step(model.allow_retake, i))]))
            items.append(_card("quiz-person", column))
        if not model.people:
            items.append(_quiet(t("quiz.nobody_yet")))
        if model.not_taken:
            items.append(section_title(model.not_taken_title))
            items.append(_pad(ft.Text("、".join(model.not_taken), size=BODY)))
        items.append(section_title(t("quiz.per_question_title")))
        if model.key_note:
            items.append(_pad(_status_box(model.key_note, good=False)))
        items += [_card("quiz-question", [ft.Text(f"{q.number}. {q.text}", size=BODY),
                                          ft.Text(q.figures, size=BODY, weight=ft.FontWeight.W_600,
                                                  color=TONES[Tone.DANGER][1] if q.weak else INK),
                                          ft.ProgressBar(value=q.share, height=8, color=TEAL, bgcolor="#E0E0E0")])
                  for q in model.questions]
        _fill(root, items)

    def step(action, *args) -> None:
        if action(*args):
            ctx.saved_locally()
        else:
            draw()

    def close() -> None:
        confirm_dialog(page, ctx, t("quiz.close_title"), t("quiz.close_text"), t("quiz.close"),
                       lambda: step(model.close))

    draw()
    return root
