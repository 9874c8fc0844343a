"""项目: livelihood projects chosen by the deputies' vote, their rounds, tasks and story.

    /projects                  the year's open rounds first (投票), my unit's tasks, the office's opinions, projects
    /projects/<id>             one project: facts, money spent against plan, tasks with chips, its whole story
    /projects/rounds/<id>      one round: the office checks deputies in, opens, enters paper totals, closes, adopts;
                               a deputy votes there (赞成 / 反对 / 弃权, or 满意 / 基本满意 / 不满意), reviews, submits
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable
from urllib.parse import urlsplit

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Tone
from app.viewmodels.projects import (NUMBER, PROJECTS, ROUNDS, Field, Fields, OpinionRow, ProjectModel, ProjectRow,
                                     ProjectsModel, ProposeModel, RoundRow, StepForm, StoryRow, TaskForm, TaskRow)
from app.viewmodels.rounds import REVIEW, ChoiceButton, PaperForm, RoundModel
from views.actions import ActionDialog
from views.components import empty_state, section_title
from views.detail import _photo_strip
from views.office import (TONES, _batch_bar, _chip, _fill, _label, _per_page, _Saver, _screen, _snack, _update,
                          _waiting)
from views.theme import BODY, CONTENT_MAX, TOUCH, WIDE

Go = Callable[[str], None]
OnOpen = Callable[[str], None]
MUTED, ERROR, LINE, LINK = "#455A64", "#B71C1C", "#CFD8DC", "#00695C"
# A chosen answer is filled in its tone, with a tick; an answer not chosen is outlined in it. The word is always there.
FILLS = {Tone.GOOD: "#1B5E20", Tone.DANGER: "#B71C1C", Tone.QUIET: "#455A64", Tone.INFO: "#0D47A1",
         Tone.WARNING: "#8A4B00"}
VOTE_HEIGHT = 60
FACT_ICONS = {"year": ft.Icons.EVENT_NOTE, "place": ft.Icons.PLACE_OUTLINED, "cost": ft.Icons.PAYMENTS_OUTLINED,
              "funding": ft.Icons.ACCOUNT_BALANCE_OUTLINED, "beneficiaries": ft.Icons.GROUPS_OUTLINED,
              "end": ft.Icons.FLAG_OUTLINED}
STORY_ICONS = {"opinion": ft.Icons.LIGHTBULB_OUTLINE, "project": ft.Icons.FOLDER_SPECIAL_OUTLINED,
               "round": ft.Icons.HOW_TO_VOTE_OUTLINED, "task": ft.Icons.ENGINEERING_OUTLINED}


def projects_screen(page: ft.Page, ctx: AppContext, route: str, *, go: Go,
                    on_open_issue: OnOpen) -> tuple[ft.Control, str]:
    """The body and title of a project screen's route."""
    t, path = ctx.t, urlsplit(route).path.rstrip("/")
    if path.startswith(ROUNDS):
        return round_body(page, ctx, path.removeprefix(ROUNDS), go=go), t("projects.round.screen_title")
    if path.startswith(PROJECTS + "/"):
        return (project_body(page, ctx, path.removeprefix(PROJECTS + "/"), go=go, on_open_issue=on_open_issue),
                t("projects.project.screen_title"))
    return projects_body(page, ctx, go=go, on_open_issue=on_open_issue), t("projects.screen_title")


# -- the list -------------------------------------------------------------------------------------------------------
def projects_body(page: ft.Page, ctx: AppContext, *, go: Go, on_open_issue: OnOpen) -> ft.Control:
    """项目: the year's rounds (投票 at the top for a deputy on the roll), my tasks, opinions, projects by status."""
    model = _kept(page, ctx, "projects", lambda: ProjectsModel(ctx))
    t = ctx.t
    root = _screen()

    def draw() -> None:
        items: list[ft.Control] = []
        if len(model.years) > 1:
            items.append(_pad(ft.Row([_choice_chip(y.label, y.selected, lambda y=y.value: change(model.choose_year, y))
                                      for y in model.years], wrap=True, spacing=8, run_spacing=8)))
        if model.is_office:
            items.append(_pad(ft.Row([
                _outlined(t("projects.round.new.vote"), ft.Icons.HOW_TO_VOTE_OUTLINED, lambda: new_round("vote")),
                _outlined(t("projects.round.new.rating"), ft.Icons.THUMB_UP_OUTLINED, lambda: new_round("rating")),
                _outlined(t("projects.candidate.new"), ft.Icons.ADD, lambda: new_candidate([])),
            ], wrap=True, spacing=8, run_spacing=8)))
        if model.rounds:
            items.append(section_title(model.rounds_title))
            items += [_round_card(ctx, row, go) for row in model.rounds]
        if model.tasks:
            items.append(section_title(model.tasks_title))
            items += [_task_card(ctx, row, on_report=report, on_open=lambda i: go(f"{PROJECTS}/{i}"))
                      for row in model.tasks]
        if model.is_office:
            items.append(section_title(model.opinions_title))
            items += [_opinion_card(ctx, row, on_toggle=lambda i, on: change(model.toggle, i, on),
                                    on_open_issue=on_open_issue) for row in model.opinions]
            if not model.opinions:
                items.append(_quiet(t("projects.opinions_empty")))
        for group in model.groups:
            items.append(section_title(group.title))
            items += [_project_card(row, go) for row in group.rows]
        if not model.groups:
            items.append(empty_state(ft.Icons.FOLDER_SPECIAL_OUTLINED, model.empty_text))
        bar = _batch_bar(ctx, model.selection_text, [
            ft.FilledButton(content=_label(t("projects.candidate.merge")), icon=ft.Icons.MERGE_TYPE, height=TOUCH,
                            on_click=lambda _: new_candidate(model.selected_ids)),
        ], on_clear=lambda: change(model.clear_selection)) if model.selected_ids else None
        _fill(root, items, bar)

    def change(step, *args) -> None:
        step(*args)
        draw()

    def new_candidate(opinion_ids: list[str]) -> None:
        form = model.candidate_form(opinion_ids)

        def saved() -> None:
            model.clear_selection()
            go(f"{PROJECTS}/{form.project_id}")

        form_dialog(page, ctx, form, on_saved=saved, intro=[_bullet(title) for title in form.opinion_titles])

    def new_round(purpose: str) -> None:
        form = model.round_form(purpose)
        form_dialog(page, ctx, form, on_saved=lambda: go(f"{ROUNDS}{form.ballot_id}"))

    def report(task_id: str) -> None:
        ProgressDialog(page, StepForm(ctx, task_id, "progress")).show()

    draw()
    return root


def _round_card(ctx: AppContext, row: RoundRow, go: Go) -> ft.Control:
    t = ctx.t
    lines: list[ft.Control] = [
        _title(row.title),
        ft.Row([_chip(row.purpose), _chip(row.status)] + ([_chip(row.voted)] if row.voted else []),
               wrap=True, spacing=6, run_spacing=6),
        _meta(row.detail),
    ]
    if row.refusal:
        lines.append(_alert(row.refusal))
    opens = _opens(ft.Icons.HOW_TO_VOTE_OUTLINED, lines, lambda: go(f"{ROUNDS}{row.id}"))
    column: list[ft.Control] = [opens]
    if row.can_vote:
        column.append(ft.FilledButton(content=ft.Text(row.action, size=BODY + 2,
                                                      weight=ft.FontWeight.W_600),
                                      icon=ft.Icons.HOW_TO_VOTE, height=56, on_click=lambda _: go(f"{ROUNDS}{row.id}")))
    return _card("round-row", column, highlight=row.can_vote)


def _project_card(row: ProjectRow, go: Go) -> ft.Control:
    chips = [_chip(row.status), *(_chip(c) for c in row.chips)] + ([_waiting(row.waiting)] if row.waiting else [])
    lines: list[ft.Control] = [_title(row.title)]
    if row.meta:
        lines.append(_meta(row.meta))
    if row.progress:
        lines.append(_meta(row.progress))
    lines.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
    return _card("project-row", [_opens(ft.Icons.FOLDER_SPECIAL_OUTLINED, lines, lambda: go(f"{PROJECTS}/{row.id}"))])


def _opinion_card(ctx: AppContext, row: OpinionRow, *, on_toggle, on_open_issue: OnOpen) -> ft.Control:
    t = ctx.t
    lines: list[ft.Control] = [_title(row.title), _meta(row.meta)]
    if row.text and row.text != row.title:
        lines.append(ft.Text(row.text, size=BODY, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS))
    if row.issue_id:
        lines.append(_link(t("projects.story.from_issue", title=row.issue_title), lambda: on_open_issue(row.issue_id)))
    if row.waiting:
        lines.append(_waiting(row.waiting))
    tick = ft.Checkbox(value=row.selected, semantics_label=t("office.select_row", title=row.title), width=TOUCH,
                       height=TOUCH, on_change=lambda e: on_toggle(row.id, bool(e.control.value)))
    body = ft.Row([tick, ft.Column(lines, spacing=4, expand=True)], spacing=4,
                  vertical_alignment=ft.CrossAxisAlignment.START)
    return _card("opinion-row", [body], highlight=row.selected)


def _task_card(ctx: AppContext, row: TaskRow, *, on_report: OnOpen, on_open: OnOpen | None = None) -> ft.Control:
    t = ctx.t
    lines: list[ft.Control] = [_title(row.title)]
    if row.project:
        lines.append(_meta(t("projects.task.of_project", title=row.project)))
    if row.unit:
        lines.append(_meta(row.unit))
    chips = ([_chip(row.due)] if row.due else []) + ([_waiting(row.waiting)] if row.waiting else [])
    if chips:
        lines.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
    lines.append(ft.Row([ft.ProgressBar(value=row.percent / 100, expand=True, height=10, border_radius=5,
                                        color=LINK, bgcolor="#E0E0E0"),
                         ft.Text(row.percent_text, size=BODY, weight=ft.FontWeight.W_600)], spacing=12))
    if row.money:
        lines.append(_meta(row.money))
    top = _opens(ft.Icons.ENGINEERING_OUTLINED, lines, lambda: on_open(row.project_id)) if on_open else \
        ft.Column(lines, spacing=4)
    column: list[ft.Control] = [top]
    if row.can_report:
        column.append(ft.Row([ft.FilledTonalButton(content=_label(t("projects.step.progress")),
                                                   icon=ft.Icons.ADD_TASK, height=TOUCH,
                                                   on_click=lambda _: on_report(row.id))]))
    return _card("task-row", column)


# -- one project ----------------------------------------------------------------------------------------------------
def project_body(page: ft.Page, ctx: AppContext, project_id: str, *, go: Go, on_open_issue: OnOpen) -> ft.Control:
    """A project's page: what it is, money spent against plan, its tasks, and its whole story."""
    model = ProjectModel(ctx, project_id)
    t = ctx.t
    if not model.found:
        return empty_state(ft.Icons.SEARCH_OFF, t("projects.project.not_found"))
    chips = [_chip(model.status)] + ([_chip(model.rating)] if model.rating else [])
    items: list[ft.Control] = [
        _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                        ft.Row(chips, wrap=True, spacing=6, run_spacing=6)], spacing=8), top=16),
        _pad(ft.Column([_fact(f.key, f.label, f.value) for f in model.facts], spacing=6)),
    ]
    if model.description:
        items += [section_title(t("projects.project.description")), _pad(ft.Text(model.description, size=BODY))]
    items += [section_title(t("projects.project.money")), _money(model)]
    if model.steps:
        items.append(_pad(ft.Row([(ft.FilledButton if i == 0 else ft.OutlinedButton)(
            content=ft.Text(s.label, size=BODY + 1), height=TOUCH + 4,
            on_click=lambda _, s=s: ProgressDialog(page, model.step_form(s.type)).show())
            for i, s in enumerate(model.steps)], wrap=True, spacing=8, run_spacing=8)))
    items.append(section_title(model.tasks_title))
    if model.can_add_task:
        items.append(_pad(ft.Row([_outlined(t("projects.task.add"), ft.Icons.ADD,
                                            lambda: form_dialog(page, ctx, model.task_form()))])))
    items += [_task_card(ctx, row, on_report=lambda i: ProgressDialog(page, model.progress_form(i)).show())
              for row in model.tasks]
    if not model.tasks:
        items.append(_quiet(t("projects.project.no_tasks")))
    items.append(section_title(t("projects.project.story")))
    items += [_story(page, model, row, go=go, on_open_issue=on_open_issue) for row in model.story]
    items.append(ft.Container(height=32))
    return _readable(page, items)


def _money(model: ProjectModel) -> ft.Control:
    money = model.money
    colour = ERROR if money.over else LINK
    return _pad(ft.Column([
        ft.Row([ft.Text(money.spent, size=BODY + 1, weight=ft.FontWeight.W_600, color=colour)], wrap=True),
        ft.ProgressBar(value=money.fraction, height=12, border_radius=6, color=colour, bgcolor="#E0E0E0"),
        _meta(f"{money.plan} · {money.budget}"),
    ], spacing=6))


def _fact(key: str, label: str, value: str) -> ft.Control:
    return ft.Row([ft.Icon(FACT_ICONS.get(key, ft.Icons.INFO_OUTLINE), size=20, color=MUTED),
                   ft.Text(label, size=15, color=MUTED, width=88), ft.Text(value, size=BODY, expand=True)],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def _story(page: ft.Page, model: ProjectModel, row: StoryRow, *, go: Go, on_open_issue: OnOpen) -> ft.Control:
    t = model.ctx.t
    lines: list[ft.Control] = [
        ft.Row([ft.Icon(STORY_ICONS.get(row.kind, ft.Icons.CIRCLE_OUTLINED), size=20, color=LINK),
                ft.Text(row.what, size=BODY + 1, weight=ft.FontWeight.W_600, expand=True)], spacing=8),
        ft.Text(" · ".join(p for p in (row.when, row.who) if p), size=15, color=MUTED),
    ]
    lines += [ft.Text(d, size=BODY, color="#263238", weight=ft.FontWeight.W_500) for d in row.details]
    if row.text:
        lines.append(ft.Text(row.text, size=BODY))
    if row.photos:
        lines.append(_photo_strip(page, model, row.photos))
    if row.issue_id:
        issue_id = row.issue_id
        lines.append(_link(t("projects.story.open_issue"), lambda: on_open_issue(issue_id)))
    if row.round_id:
        round_id = row.round_id
        lines.append(_link(t("projects.story.open_round"), lambda: go(f"{ROUNDS}{round_id}")))
    if row.pending:
        lines.append(_waiting(t("detail.event_pending")))
    if row.rejected:
        lines.append(_alert(t("detail.event_rejected", reason=row.rejected)))
    card = ft.Container(ft.Column(lines, spacing=4),
                        border=ft.Border.only(left=ft.BorderSide(4, ERROR if row.rejected else "#80CBC4")),
                        padding=ft.Padding.only(left=12, right=8, top=6, bottom=6),
                        margin=ft.Margin.symmetric(horizontal=16, vertical=6))
    return ft.Semantics(content=card, identifier=f"story-{row.kind}", container=True)


# -- one round ------------------------------------------------------------------------------------------------------
def round_body(page: ft.Page, ctx: AppContext, ballot_id: str, *, go: Go) -> ft.Control:
    """A round: the office runs it here; a deputy on the roll votes here, reviews the ballot, submits it."""
    model = _kept(page, ctx, f"round:{ballot_id}", lambda: RoundModel(ctx, ballot_id))
    saver, _ = _per_page(page, "letter-saver", lambda: _Saver(page, ctx))
    t = ctx.t
    root = _screen()

    def draw() -> None:
        if not model.found:
            _fill(root, [empty_state(ft.Icons.SEARCH_OFF, t("projects.round.not_found"))])
            return
        items: list[ft.Control] = [
            _pad(ft.Column([ft.Text(model.title, size=22, weight=ft.FontWeight.W_600),
                            ft.Row([_chip(model.purpose_chip), _chip(model.status)], wrap=True, spacing=6)],
                           spacing=8), top=16),
            _pad(_meta(" · ".join(model.facts))),
            _pad(ft.Text(model.rule_text, size=BODY)),
        ]
        if model.notice:
            items.append(_pad(_good(model.notice)))
        if model.error and not model.can_vote:
            items.append(_pad(_alert(model.error)))
        if model.can_vote:
            items += _ballot(ctx, model, draw)
        elif model.vote_status:
            items.append(_pad(_status_box(model.vote_status, good=model.cast.voted and not model.cast.refusal)))
        if model.results:
            items += _results(ctx, model)
        elif model.waiting_text:
            items.append(_pad(_status_box(model.waiting_text, good=False)))
        if model.is_office:
            items += _office_steps(ctx, model, step=step, paper=paper, close=close, adopt=adopt,
                                   download=lambda: saver.save_letter(model)(model.ballot_id),
                                   second=second_round)
        if not model.can_vote and not model.results:
            items.append(section_title(t("projects.round.candidates_title", n=len(model.candidates))))
            items += [_candidate(c.title, c.meta, c.status) for c in model.candidates]
        _fill(root, items)

    def step(action, *args) -> None:
        if action(*args):
            ctx.saved_locally()  # the screens are redrawn, this one from the kept model
        else:
            draw()

    def paper() -> None:
        form_dialog(page, ctx, model.paper_form(), on_saved=lambda: (model.reload(), draw()))

    def close() -> None:
        confirm_dialog(page, ctx, t("projects.round.close_title"), t("projects.round.close_text"),
                       t("projects.round.close"), lambda: step(model.close))

    def adopt() -> None:
        confirm_dialog(page, ctx, t("projects.round.adopt_title"), t("projects.round.adopt_text"),
                       t("projects.round.adopt"), lambda: step(model.adopt))

    def second_round() -> None:
        form = model.second_round_form()
        form_dialog(page, ctx, form, on_saved=lambda: go(f"{ROUNDS}{form.ballot_id}"))

    draw()
    return root


def _ballot(ctx: AppContext, model: RoundModel, draw: Callable[[], None]) -> list[ft.Control]:
    """The deputy's ballot: each candidate with its large choices, then the whole ballot to check, then send."""
    t = ctx.t
    if model.step == REVIEW:
        rows = [ft.Container(ft.Row([ft.Text(title, size=BODY + 1, expand=True, weight=ft.FontWeight.W_600),
                                     _choice_badge(button)], spacing=12),
                             padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                             border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))
                for title, button in model.review_rows]

        def submit(_) -> None:
            if model.submit():
                ctx.saved_locally()
            else:
                draw()

        return [section_title(t("projects.vote.review_title")), _pad(ft.Text(t("projects.vote.review_hint"),
                                                                            size=BODY)),
                *rows,
                _pad(ft.Column([
                    *([_alert(model.error)] if model.error else []),
                    ft.FilledButton(content=ft.Text(t("projects.vote.submit"), size=BODY + 2,
                                                    weight=ft.FontWeight.W_600),
                                    icon=ft.Icons.SEND, height=56, on_click=submit),
                    ft.OutlinedButton(content=_label(t("projects.vote.edit")), height=TOUCH,
                                      on_click=lambda _: (model.edit(), draw())),
                ], spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), top=12)]
    items: list[ft.Control] = [section_title(t(f"projects.vote.title.{model.purpose}")),
                               _pad(ft.Text(t(f"projects.vote.hint.{model.purpose}"), size=BODY))]
    for index, candidate in enumerate(model.candidates):
        def chose(value: str, project_id: str = candidate.id) -> None:
            model.choose(project_id, value)
            draw()

        lines: list[ft.Control] = [ft.Text(f"{index + 1}. {candidate.title}", size=BODY + 2,
                                           weight=ft.FontWeight.W_600)]
        if candidate.meta:
            lines.append(_meta(candidate.meta))
        if candidate.description:
            lines.append(ft.Text(candidate.description, size=BODY, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS))
        lines.append(ft.Row([_vote_button(b, chose) for b in model.buttons(candidate.id)], spacing=8))
        card = ft.Container(ft.Column(lines, spacing=8), padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                            border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))
        items.append(ft.Semantics(content=card, identifier=f"ballot-{index}", container=True))
    items.append(_pad(ft.Column([
        ft.Text(model.progress_text, size=BODY, weight=ft.FontWeight.W_600),
        *([_alert(model.error)] if model.error else []),
        ft.FilledButton(content=ft.Text(t("projects.vote.next"), size=BODY + 2, weight=ft.FontWeight.W_600),
                        icon=ft.Icons.ARROW_FORWARD, height=56, on_click=lambda _: (model.review(), draw())),
    ], spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), top=12))
    return items


def _vote_button(button: ChoiceButton, on_choose: Callable[[str], None]) -> ft.Control:
    colour = FILLS[button.tone]
    content = ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, size=22, color="#FFFFFF")] if button.selected else [],
                     alignment=ft.MainAxisAlignment.CENTER, spacing=4, tight=True)
    content.controls.append(ft.Text(button.label, size=BODY + 2, weight=ft.FontWeight.W_600,
                                    color="#FFFFFF" if button.selected else colour))
    box = ft.Container(content, height=VOTE_HEIGHT, expand=True, border_radius=12, alignment=ft.Alignment.CENTER,
                       bgcolor=colour if button.selected else "#FFFFFF", border=ft.Border.all(2, colour), ink=True,
                       on_click=lambda _: on_choose(button.value))
    return ft.Semantics(content=box, button=True, selected=button.selected, label=button.label, expand=True)


def _choice_badge(button: ChoiceButton) -> ft.Control:
    colour = FILLS[button.tone]
    return ft.Container(ft.Text(button.label, size=BODY + 1, weight=ft.FontWeight.W_600, color="#FFFFFF"),
                        bgcolor=colour, border_radius=10, padding=ft.Padding.symmetric(horizontal=14, vertical=8))


def _results(ctx: AppContext, model: RoundModel) -> list[ft.Control]:
    t = ctx.t
    items: list[ft.Control] = [section_title(t("projects.round.results_title"))]
    if model.outcome_text:
        items.append(_pad(ft.Text(model.outcome_text, size=BODY, weight=ft.FontWeight.W_600)))
    for row in model.results:
        counts = ft.Row([ft.Text(f"{label} {n}", size=BODY) for label, n in row.counts], wrap=True, spacing=16)
        lines: list[ft.Control] = [ft.Text(row.title, size=BODY + 1, weight=ft.FontWeight.W_600), counts]
        if row.outcome:
            lines.append(ft.Row([_chip(row.outcome)]))
        card = ft.Container(ft.Column(lines, spacing=6), padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                            border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))
        items.append(ft.Semantics(content=card, identifier="result-row", container=True))
    return items


def _office_steps(ctx: AppContext, model: RoundModel, *, step, paper, close, adopt, download,
                  second) -> list[ft.Control]:
    """What the office does with a round: check in, open, paper totals, close, adopt, the Word sheet."""
    t = ctx.t
    items: list[ft.Control] = []
    buttons: list[ft.Control] = []
    if model.can_open:
        buttons.append(ft.FilledButton(content=_label(t("projects.round.open")), icon=ft.Icons.PLAY_ARROW,
                                       height=TOUCH, on_click=lambda _: step(model.open_round)))
    if model.can_enter_paper:
        buttons.append(_outlined(t("projects.paper.title"), ft.Icons.EDIT_NOTE, paper))
    if model.can_close:
        buttons.append(ft.FilledButton(content=_label(t("projects.round.close")), icon=ft.Icons.STOP_CIRCLE_OUTLINED,
                                       height=TOUCH, on_click=lambda _: close()))
    if model.can_adopt:
        buttons.append(ft.FilledButton(content=_label(t("projects.round.adopt")), icon=ft.Icons.TASK_ALT,
                                       height=TOUCH, on_click=lambda _: adopt()))
    if model.tie and model.counted:
        buttons.append(_outlined(t("projects.round.second"), ft.Icons.REPLAY, second))
    if model.status_value == "closed" and model.counted:
        buttons.append(_outlined(t("office.letter.download"), ft.Icons.DOWNLOAD, download))
    if buttons:
        items += [section_title(t("projects.round.steps_title")),
                  _pad(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))]
    if model.can_check_in:
        items += [section_title(t("projects.round.checkin_title")),
                  _pad(_status_box(model.quorum_text, good=model.quorum_met))]
        if model.absent:
            items.append(_pad(ft.Row([_outlined(t("projects.round.check_in_all", n=len(model.absent)),
                                                ft.Icons.DONE_ALL, lambda: step(model.check_in_all))])))
        for row in model.roll:
            label = f"{row.name}（{row.station}）" if row.station else row.name
            items.append(ft.Container(_tick(label, row.present, lambda on, i=row.id: step(model.check_in, i) if on
                                             else None, disabled=row.present),
                                      padding=ft.Padding.symmetric(horizontal=12)))
    return items


def _candidate(title: str, meta: str, status: Chip) -> ft.Control:
    lines: list[ft.Control] = [ft.Row([ft.Text(title, size=BODY + 1, weight=ft.FontWeight.W_600, expand=True),
                                       _chip(status)], spacing=8)]
    if meta:
        lines.append(_meta(meta))
    return ft.Container(ft.Column(lines, spacing=4), padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                        border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))


# -- 提为民生实事建议 on an issue's detail ----------------------------------------------------------------------------
def propose_button(page: ft.Page, ctx: AppContext, issue_id: str) -> list[ft.Control]:
    """One tap: the issue becomes a project opinion (nothing for a user who does not propose)."""
    model = ProposeModel(ctx, issue_id)
    if not model.visible:
        return []

    def propose(_) -> None:
        if model.propose():
            _snack(page, model.saved_text)
            ctx.saved_locally()
        else:
            _snack(page, model.error or model.label)

    button = ft.OutlinedButton(content=ft.Text(model.label, size=BODY + 1), height=TOUCH + 4,
                               icon=ft.Icons.CHECK if model.proposed else ft.Icons.LIGHTBULB_OUTLINE,
                               disabled=model.proposed, on_click=propose)
    return [_pad(ft.Row([button], wrap=True), top=8)]


# -- dialogs --------------------------------------------------------------------------------------------------------
class ProgressDialog(ActionDialog):
    """The issue steps' dialog for a step on a project or a task, with an amount field (万元) besides."""

    def __init__(self, page: ft.Page, form: StepForm):
        self.amounts: dict[str, ft.TextField] = {}
        super().__init__(page, form)

    def _field(self, f) -> list[ft.Control]:
        if f.kind != NUMBER:
            return super()._field(f)
        box = self.amounts.get(f.name)
        if box is None:
            box = self.amounts[f.name] = ft.TextField(
                value=str(self.form.values.get(f.name) or ""), text_size=BODY, keyboard_type=ft.KeyboardType.NUMBER,
                label=self.form.ctx.t("projects.form.amount"), hint_text=self.form.ctx.t("projects.form.amount_hint"),
                on_change=lambda e, name=f.name: self.form.set(name, e.control.value))
        box.error = self.form.errors.get(f.name)
        return [box]


def form_dialog(page: ft.Page, ctx: AppContext, form: Fields, *, on_saved: Callable[[], None] | None = None,
                intro: list[ft.Control] | None = None) -> None:
    """A form of plain fields in a dialog; saved, the screens are redrawn and on_saved runs once it has gone."""
    t = ctx.t
    inputs: dict[str, ft.Control] = {}
    errors: dict[str, ft.Text] = {}
    problem = ft.Text("", size=BODY, color=ERROR, visible=False)
    groups = form.groups if isinstance(form, PaperForm) else [("", form.fields)]
    rows: list[ft.Control] = list(intro or [])
    for title, fields in groups:
        if title:
            rows.append(ft.Text(title, size=BODY + 1, weight=ft.FontWeight.W_600))
        line = [_input(page, ctx, form, f, inputs, errors) for f in fields]
        rows.append(ft.Row(line, spacing=8, vertical_alignment=ft.CrossAxisAlignment.START)
                    if isinstance(form, PaperForm) and title and len(line) > 1 else ft.Column(line, spacing=14))
    rows.append(problem)

    def submit(_) -> None:
        form.redraw = False
        if form.submit():
            page.pop_dialog()  # the screens are redrawn once it has gone (dismissed)
            return
        for name, control in inputs.items():
            if isinstance(control, ft.TextField):
                control.error = form.errors.get(name) or None
        for name, text in errors.items():
            text.value, text.visible = form.errors.get(name, ""), bool(form.errors.get(name))
        if isinstance(form, TaskForm):
            errors["unit"].value = form.error_of_unit()
            errors["unit"].visible = bool(errors["unit"].value)
        shown = set(inputs) | set(errors)
        rest = [m for k, m in form.errors.items() if k not in shown]
        problem.value = "\n".join(rest) or (t("projects.form.fix") if form.errors else "")
        problem.visible = bool(problem.value)
        _update(dialog)

    def dismissed(_) -> None:
        if form.done:
            ctx.saved_locally()
            _snack(page, t("action.saved"))
            if on_saved is not None:
                on_saved()

    dialog = ft.AlertDialog(
        modal=True, scrollable=True, title=ft.Text(form.title, size=22, weight=ft.FontWeight.W_600),
        content=ft.Container(ft.Column(rows, spacing=14, tight=True,
                                       horizontal_alignment=ft.CrossAxisAlignment.STRETCH), width=560),
        actions=[ft.TextButton(content=_label(t("office.cancel")), height=TOUCH, on_click=lambda _: page.pop_dialog()),
                 ft.FilledButton(content=ft.Text(t("projects.form.save"), size=BODY + 1), height=TOUCH,
                                 on_click=submit)],
        on_dismiss=dismissed)
    page.show_dialog(dialog)


def _input(page: ft.Page, ctx: AppContext, form: Fields, f: Field, inputs: dict, errors: dict) -> ft.Control:
    """One field: a text box (a line, lines, an amount, a day with a calendar), chips, or ticks."""
    t = ctx.t
    label = f"{f.label}{t('projects.form.required') if f.required else ''}"
    if f.kind in ("line", "lines", NUMBER, "date"):
        box = ft.TextField(label=label, value=str(f.value or ""), text_size=BODY, multiline=f.kind == "lines",
                           min_lines=3 if f.kind == "lines" else None, max_lines=8 if f.kind == "lines" else 1,
                           keyboard_type=ft.KeyboardType.NUMBER if f.kind == NUMBER else None,
                           hint_text=t("action.date_hint") if f.kind == "date" else None,
                           expand=True, on_change=lambda e: form.set(f.name, e.control.value))
        inputs[f.name] = box
        if f.kind != "date":
            return box
        return ft.Column([box, ft.Row([ft.OutlinedButton(content=_label(t("action.pick_date")),
                                                         icon=ft.Icons.CALENDAR_MONTH, height=TOUCH,
                                                         on_click=lambda _: _pick_date(page, ctx, box, form, f.name))])],
                         spacing=6)
    error = errors[f.name] = ft.Text(f.error, size=BODY, color=ERROR, visible=bool(f.error))
    caption = ft.Text(label, size=BODY, weight=ft.FontWeight.W_600, color="#37474F")
    if f.kind == "choice":
        chips = ft.Row(wrap=True, spacing=8, run_spacing=8)

        def draw_chips() -> None:
            chips.controls = [_choice_chip(o.label, form.values.get(f.name) == o.value,
                                           lambda v=o.value: (form.set(f.name, v), draw_chips(), _update(chips)))
                              for o in f.options]

        draw_chips()
        return ft.Column([caption, chips, error], spacing=6)
    ticks = [_tick(f"{o.label}（{o.detail}）" if o.detail else o.label, o.value in (f.value or []),
                   lambda on, v=o.value: form.toggle(f.name, v, on)) for o in f.options]
    hint = [ft.Text(f.hint, size=BODY, color=MUTED)] if f.hint else []
    return ft.Column([caption, *hint, *ticks, error], spacing=0)


def _pick_date(page: ft.Page, ctx: AppContext, box: ft.TextField, form: Fields, name: str) -> None:
    t = ctx.t
    try:
        current = date.fromisoformat(str(form.values.get(name) or ""))
    except ValueError:
        current = date.today()

    def picked(e) -> None:
        if e.control.value:
            box.value = e.control.value.date().isoformat()
            form.set(name, box.value)
            _update(box)

    chinese = t.language.startswith("zh")
    page.show_dialog(ft.DatePicker(value=datetime(current.year, current.month, current.day),
                                   first_date=datetime(current.year - 2, 1, 1), last_date=datetime(current.year + 3,
                                                                                                  12, 31),
                                   on_change=picked, locale=ft.Locale("zh", "CN") if chinese else ft.Locale("en", "GB"),
                                   help_text=t("action.pick_date"), cancel_text=t("action.cancel"),
                                   confirm_text=t("action.ok")))


def confirm_dialog(page: ft.Page, ctx: AppContext, title: str, text: str, confirm: str,
                   on_confirm: Callable[[], None]) -> None:
    """Ask before a step that cannot be taken back; the step runs once the dialog has gone."""
    chosen = []

    def yes(_) -> None:
        chosen.append(True)
        page.pop_dialog()

    page.show_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(title, size=22, weight=ft.FontWeight.W_600),
        content=ft.Container(ft.Text(text, size=BODY), width=480),
        actions=[ft.TextButton(content=_label(ctx.t("office.cancel")), height=TOUCH,
                               on_click=lambda _: page.pop_dialog()),
                 ft.FilledButton(content=_label(confirm), height=TOUCH, on_click=yes)],
        on_dismiss=lambda _: on_confirm() if chosen else None))


# -- pieces ---------------------------------------------------------------------------------------------------------
def _kept(page: ft.Page, ctx: AppContext, key: str, factory):
    """The screen's model for this page and user (ticks, the year, a ballot being filled in), read afresh."""
    model, made = _per_page(page, f"projects.{key}:{id(ctx)}", factory)
    if not made:
        model.reload()
    return model


def _readable(page: ft.Page, items: list[ft.Control]) -> ft.Control:
    """A scrolling column; on an office screen opened full width, a readable column in the middle."""
    body = ft.Column(items, spacing=0, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    if (page.width or 0) >= WIDE:
        body = ft.Row([ft.Container(body, width=min(CONTENT_MAX, page.width))], alignment=ft.MainAxisAlignment.CENTER,
                      vertical_alignment=ft.CrossAxisAlignment.START)
    return ft.Column([body], scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _pad(control: ft.Control, *, top: int = 4) -> ft.Control:
    return ft.Container(control, padding=ft.Padding.only(left=16, right=16, top=top, bottom=4))


def _card(identifier: str, column: list[ft.Control], *, highlight: bool = False) -> ft.Control:
    card = ft.Container(ft.Column(column, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                        padding=ft.Padding.symmetric(horizontal=12, vertical=12),
                        bgcolor="#E0F2F1" if highlight else None,
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#E0E0E0")))
    return ft.Semantics(content=card, identifier=identifier, container=True)


def _opens(icon, lines: list[ft.Control], on_click: Callable[[], None]) -> ft.Control:
    area = ft.Container(ft.Row([ft.Icon(icon, size=36, color=LINK), ft.Column(lines, spacing=4, expand=True),
                                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=MUTED)], spacing=12,
                               vertical_alignment=ft.CrossAxisAlignment.START),
                        on_click=lambda _: on_click(), ink=True, border_radius=8)
    return ft.Semantics(content=area, button=True, container=True)


def _title(text: str) -> ft.Control:
    return ft.Text(text, size=BODY + 1, weight=ft.FontWeight.W_600, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS)


def _meta(text: str) -> ft.Control:
    return ft.Text(text, size=BODY, color=MUTED)


def _quiet(text: str) -> ft.Control:
    return ft.Container(ft.Text(text, size=BODY, color=MUTED), padding=ft.Padding.symmetric(horizontal=16, vertical=8))


def _bullet(text: str) -> ft.Control:
    return ft.Text(f"· {text}", size=BODY)


def _alert(text: str) -> ft.Control:
    return ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ERROR), ft.Text(text, size=BODY, color=ERROR,
                                                                                      expand=True)], spacing=8),
                        bgcolor="#FFEBEE", border_radius=8, padding=10)


def _good(text: str) -> ft.Control:
    bg, fg = TONES[Tone.GOOD]
    return ft.Container(ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color=fg), ft.Text(text, size=BODY, color=fg,
                                                                                  expand=True)], spacing=8),
                        bgcolor=bg, border_radius=8, padding=10)


def _status_box(text: str, *, good: bool) -> ft.Control:
    if good:
        return _good(text)
    bg, fg = TONES[Tone.WARNING]
    return ft.Container(ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, color=fg), ft.Text(text, size=BODY, color=fg,
                                                                                  expand=True)], spacing=8),
                        bgcolor=bg, border_radius=8, padding=10)


def _link(text: str, on_click: Callable[[], None]) -> ft.Control:
    return ft.Container(ft.Row([ft.Icon(ft.Icons.OPEN_IN_NEW, size=20, color=LINK),
                                ft.Text(text, size=BODY, color=LINK, weight=ft.FontWeight.W_600, expand=True)],
                               spacing=6),
                        on_click=lambda _: on_click(), ink=True, padding=ft.Padding.symmetric(vertical=12))


def _outlined(label: str, icon, action: Callable[[], object]) -> ft.Control:
    return ft.OutlinedButton(content=_label(label), icon=icon, height=TOUCH, on_click=lambda _: action())


def _tick(label: str, value: bool, on_change: Callable[[bool], object], *, disabled: bool = False) -> ft.Control:
    """A tick box with its words beside it, wrapping at body size (a long label of a Checkbox is drawn smaller);
    the words tick it too."""
    box = ft.Checkbox(value=value, disabled=disabled, semantics_label=label,
                      on_change=lambda e: on_change(bool(e.control.value)))

    def tapped(_) -> None:
        if not disabled:
            box.value = not box.value
            _update(box)
            on_change(bool(box.value))

    return ft.Container(ft.Row([box, ft.Text(label, size=BODY, expand=True, color=MUTED if disabled else None)],
                               spacing=4), on_click=tapped, padding=ft.Padding.symmetric(vertical=2))


def _choice_chip(label: str, selected: bool, on_select: Callable[[], object]) -> ft.Control:
    return ft.Chip(label=ft.Text(label, size=BODY), selected=selected, show_checkmark=True, height=TOUCH,
                   on_select=lambda _: on_select())

