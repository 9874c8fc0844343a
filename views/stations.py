"""联络站: the routes of the stations' screens, the pieces they share, and the office's 联络站 and 统计 screens.

    body, title = station_screen(page, ctx, "/receptions", go=shell.go, ...)   # what the shell asks for

The screens: 接待日 (views/receptions.py), 走访 (views/visits.py), 扫码说事 (views/concerns.py), and here the
office's stations and special groups (edited on the central store, online only), their posters and figures.
Each screen keeps its model for this page and user, so a redraw after a sync keeps what was chosen.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Sequence, TypeVar
from urllib.parse import parse_qs, urlsplit

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Tone
from app.viewmodels.stations import (CONCERNS, FIGURES, RECEPTIONS, VISITS, Choice, GroupForm, GroupRow,
                                     IssueLink, StationFigure, StationFiguresModel, StationForm, StationRow,
                                     StationsAdminModel, fetch_poster)
from views.components import section_title
from views.office import TONES, _per_page, _Saver, _update
from views.theme import BODY, TOUCH

OnOpen = Callable[[str], None]
OpenList = Callable[[str, Sequence[str]], None]
Locator = Callable[[], Awaitable[tuple[float, float, float | None] | None]]
M = TypeVar("M")
MUTED, ERROR, LINE, TEAL = "#455A64", "#B71C1C", "#CFD8DC", "#00695C"
LOCATE_TIMEOUT_S = 20


# -- routing ------------------------------------------------------------------------------------------------------
def station_screen(page: ft.Page, ctx: AppContext, route: str, *, go: Callable[[str], None], on_open_issue: OnOpen,
                   on_open_list: OpenList, locate: Locator | None = None) -> tuple[ft.Control, str]:
    """The body and title of a station screen's route: /receptions, /visits, /concerns, /stations and below."""
    t = ctx.t
    parts = urlsplit(route)
    path, query = parts.path.rstrip("/") or "/", {k: v[0] for k, v in parse_qs(parts.query).items()}
    if path == RECEPTIONS:
        from views.receptions import schedule_body

        return schedule_body(page, ctx, station_id=query.get("station"), go=go), t("reception.screen_title")
    if path.startswith(RECEPTIONS + "/"):
        from views.receptions import log_body

        return (log_body(page, ctx, path.removeprefix(RECEPTIONS + "/"), on_open_issue=on_open_issue),
                t("reception.log.screen_title"))
    if path == VISITS:
        from views.visits import history_body

        return (history_body(page, ctx, deputy_id=query.get("deputy"), station_id=query.get("station"), go=go,
                             locate=locate), t("visit.screen_title"))
    if path.startswith(VISITS + "/"):
        from views.visits import visit_body

        return (visit_body(page, ctx, path.removeprefix(VISITS + "/"), on_open_issue=on_open_issue),
                t("visit.detail_title"))
    if path == CONCERNS:
        from views.concerns import queue_body

        return queue_body(page, ctx, on_open_issue=on_open_issue), t("concern.screen_title")
    if path == FIGURES:
        return figures_body(page, ctx, go=go, on_open_list=on_open_list), t("stations.figures.screen_title")
    return stations_body(page, ctx, go=go, locate=locate), t("stations.screen_title")


# -- pieces every station screen uses ----------------------------------------------------------------------------
def kept(page: ft.Page, ctx: AppContext, key: str, factory: Callable[[], M]) -> tuple[M, bool]:
    """A screen's model for this page and this user, across redraws; True when it was just made."""
    user = ctx.current_user()
    return _per_page(page, f"stations:{key}:{id(ctx)}:{user.id if user else ''}", factory)


def chip(c: Chip) -> ft.Control:
    """A chip with its word at body size; the colour only adds to it."""
    bg, fg = TONES[c.tone]
    return ft.Container(ft.Text(c.label, size=BODY, color=fg, weight=ft.FontWeight.W_600), bgcolor=bg,
                        border_radius=14, padding=ft.Padding.symmetric(horizontal=10, vertical=4))


def issue_chip(link: IssueLink, on_open_issue: OnOpen) -> ft.Control:
    """The issue a concern became: its status chip, a button that opens it once it is on this device."""
    bg, fg = TONES[link.chip.tone]
    body = ft.Container(ft.Row([ft.Icon(ft.Icons.ASSIGNMENT_OUTLINED, size=20, color=fg),
                                ft.Text(link.chip.label, size=BODY, color=fg, weight=ft.FontWeight.W_600)]
                               + ([ft.Icon(ft.Icons.CHEVRON_RIGHT, size=20, color=fg)] if link.here else []),
                               spacing=4, tight=True),
                        bgcolor=bg, border_radius=16, padding=ft.Padding.symmetric(horizontal=12, vertical=8),
                        height=TOUCH, ink=link.here,
                        on_click=(lambda _: on_open_issue(link.issue_id)) if link.here else None)
    return ft.Semantics(content=body, button=link.here, container=True, identifier="issue-chip")


def caption(text: str) -> ft.Control:
    return ft.Text(text, size=BODY, weight=ft.FontWeight.W_600, color="#37474F")


def quiet(text: str, *, colour: str = MUTED) -> ft.Control:
    return ft.Text(text, size=BODY, color=colour)


def padded(control: ft.Control, *, vertical: int = 4) -> ft.Control:
    return ft.Container(control, padding=ft.Padding.symmetric(horizontal=16, vertical=vertical))


def label(text: str) -> ft.Control:
    return ft.Text(text, size=BODY)


def choice_chips(options: Sequence[Choice], on_pick: Callable[[str], None], *, disabled: bool = False) -> ft.Control:
    return ft.Row([ft.Chip(label=ft.Text(o.label, size=BODY), selected=o.selected, show_checkmark=True, height=TOUCH,
                           disabled=disabled, on_select=lambda _, v=o.value: on_pick(v)) for o in options],
                  wrap=True, spacing=8, run_spacing=8)


def station_picker(options: Sequence[Choice], on_pick: Callable[[str], None], label_text: str) -> ft.Control:
    """Which station (the office's choice): a drop-down, since eight names on chips fill a phone's screen."""
    chosen = next((o.value for o in options if o.selected), None)
    menu = ft.Dropdown(label=label_text, text_size=BODY, value=chosen, expand=True,
                       options=[ft.DropdownOption(key=o.value, text=o.label) for o in options],
                       on_select=lambda e: on_pick(e.control.value or ""))
    return ft.Semantics(content=ft.Row([menu]), label=label_text, container=True)


def field(label_text: str, value: str, on_change: Callable[[str], None], *, lines: int = 1, hint: str | None = None,
          keyboard: ft.KeyboardType | None = None, error: str = "") -> ft.TextField:
    return ft.TextField(label=label_text, value=value, hint_text=hint, text_size=BODY, multiline=lines > 1,
                        min_lines=lines if lines > 1 else None, max_lines=lines * 3 if lines > 1 else 1,
                        keyboard_type=keyboard, error=error or None, error_max_lines=4,
                        error_style=ft.TextStyle(size=BODY, color=ERROR),  # a refusal is read whole, at body size
                        on_change=lambda e: on_change(e.control.value))


def problem_text(text: str) -> ft.Text:
    return ft.Text(text, size=BODY, color=ERROR, visible=bool(text))


def outlined(text: str, on_click: Callable[[], object], *, icon: ft.IconData | None = None,
             disabled: bool = False) -> ft.Control:
    return ft.OutlinedButton(content=label(text), icon=icon, height=TOUCH, disabled=disabled,
                             style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=14)),
                             on_click=lambda _: on_click())


def filled(text: str, on_click: Callable[[], object], *, icon: ft.IconData | None = None,
           disabled: bool = False) -> ft.Control:
    return ft.FilledButton(content=label(text), icon=icon, height=TOUCH, disabled=disabled,
                           on_click=lambda _: on_click())


def link_row(text: str, icon: ft.IconData, on_click: Callable[[], None], *, attention: bool = False) -> ft.Control:
    """A line that opens another screen, as the home screen's are."""
    colour = "#8A4B00" if attention else TEAL
    return ft.Container(
        ft.Row([ft.Icon(icon, color=colour), ft.Text(text, size=BODY, expand=True, color="#263238",
                                                     weight=ft.FontWeight.W_600 if attention else None),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=MUTED)]),
        bgcolor="#FFF3E0" if attention else "#FFFFFF", border=ft.Border.all(1, "#B0BEC5"), border_radius=12,
        padding=ft.Padding.symmetric(horizontal=14, vertical=12), ink=True, on_click=lambda _: on_click(),
        margin=ft.Margin.symmetric(horizontal=16, vertical=4))


def card(lines: list[ft.Control], *, identifier: str, buttons: Sequence[ft.Control] = (),
         on_click: Callable[[], None] | None = None) -> ft.Control:
    """A row of a list: its words (a button that opens it, if it opens) and its own steps below."""
    body: ft.Control = ft.Column(lines, spacing=4)
    if on_click is not None:
        body = ft.Semantics(content=ft.Container(ft.Row([ft.Column(lines, spacing=4, expand=True),
                                                         ft.Icon(ft.Icons.CHEVRON_RIGHT, color=MUTED)]),
                                                 ink=True, border_radius=8, on_click=lambda _: on_click()),
                            button=True, container=True)
    column = [body] + ([ft.Row(list(buttons), wrap=True, spacing=8, run_spacing=8)] if buttons else [])
    return ft.Semantics(content=ft.Container(ft.Column(column, spacing=8),
                                             padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                                             border=ft.Border.only(bottom=ft.BorderSide(1, LINE))),
                        identifier=identifier, container=True)


def screen_column() -> ft.Column:
    return ft.Column(spacing=0, scroll=ft.ScrollMode.AUTO, expand=True,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def fill(root: ft.Column, items: list[ft.Control]) -> None:
    root.controls = items + [ft.Container(height=24)]
    _update(root)


def snack(page: ft.Page, text: str) -> None:
    page.show_dialog(ft.SnackBar(ft.Text(text, size=BODY)))


def form_dialog(page: ft.Page, ctx: AppContext, *, title: str, body: list[ft.Control], confirm: str,
                on_confirm: Callable[[], object], on_dismiss: Callable[[], None] | None = None,
                icon: ft.IconData | None = None) -> ft.AlertDialog:
    """A form in a dialog; the caller pops it when done and redraws the screens once it has gone (on_dismiss):
    screens redrawn under a closing dialog leave it on the screen."""
    dialog = ft.AlertDialog(
        title=ft.Text(title, size=20, weight=ft.FontWeight.W_600),
        content=ft.Container(ft.Column(body, tight=True, spacing=12, scroll=ft.ScrollMode.AUTO,
                                       horizontal_alignment=ft.CrossAxisAlignment.STRETCH), width=560),
        scrollable=True, inset_padding=ft.Padding.symmetric(horizontal=12, vertical=24),
        on_dismiss=(lambda _: on_dismiss()) if on_dismiss else None,
        actions=[ft.TextButton(content=label(ctx.t("office.cancel")), height=TOUCH,
                               on_click=lambda _: page.pop_dialog()),
                 ft.FilledButton(content=label(confirm), icon=icon, height=TOUCH, on_click=lambda _: on_confirm())])
    page.show_dialog(dialog)
    return dialog


def text_dialog(page: ft.Page, ctx: AppContext, form, *, title: str, label_text: str, confirm: str,
                done_text: str = "", note: str = "") -> None:
    """A step that takes words (an answer, a reason): the form's `text`, refused at the field when empty."""
    form.redraw = False
    words = field(label_text, form.text, lambda v: setattr(form, "text", v), lines=3)
    problem = problem_text("")

    def submit() -> None:
        if form.submit():
            page.pop_dialog()
            return
        words.error = form.error_of("text") or None
        problem.value, problem.visible = form.form_error, bool(form.form_error)
        _update(words)
        _update(problem)

    def dismissed() -> None:
        if form.done:
            ctx.saved_locally()
            if done_text:
                snack(page, done_text)

    form_dialog(page, ctx, title=title, body=([quiet(note)] if note else []) + [words, problem], confirm=confirm,
                on_confirm=submit, on_dismiss=dismissed, icon=ft.Icons.CHECK)


def ask(page: ft.Page, ctx: AppContext, *, title: str, question: str, yes: str, on_yes: Callable[[], None]) -> None:
    """A question before a step (a day the schedule does not have, a deletion); on_yes runs once it has gone."""
    said = {"yes": False}

    def confirm() -> None:
        said["yes"] = True
        page.pop_dialog()

    form_dialog(page, ctx, title=title, body=[quiet(question, colour="#263238")], confirm=yes, on_confirm=confirm,
                on_dismiss=lambda: on_yes() if said["yes"] else None)


async def locate_into(locate: Locator | None, on_fix: Callable[[float, float, float | None], None],
                      on_none: Callable[[], None] | None = None) -> None:
    """Ask the phone where it is (as the capture screen does); nothing comes without a fix in time."""
    fix = None
    if locate is not None:
        try:
            fix = await asyncio.wait_for(locate(), LOCATE_TIMEOUT_S)
        except Exception:  # no permission, no fix in time, no service: typed coordinates remain
            fix = None
    if fix is not None:
        on_fix(*fix)
    elif on_none is not None:
        on_none()


# -- the office: 联络站 ---------------------------------------------------------------------------------------------
class _PosterFile:
    """What the office's Word saver asks of a model, for a poster already fetched: its name and bytes."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def letter_file(self, _station_id: str) -> tuple[str, bytes]:
        return self.name, self.data


def download_poster(page: ft.Page, ctx: AppContext, station_id: str) -> None:
    """Fetch a station's poster from the central store and offer it as the office's letters are offered."""
    t = ctx.t
    saver, _ = _per_page(page, "letter-saver", lambda: _Saver(page, ctx))

    async def fetch() -> None:
        snack(page, t("stations.poster.fetching"))
        got = await fetch_poster(ctx, station_id)
        if isinstance(got, str):
            snack(page, got)
            return
        name, data = got
        saver.save_letter(_PosterFile(name, data), lambda _said: snack(page, t("stations.poster.saved")))(station_id)

    page.run_task(fetch)


def stations_body(page: ft.Page, ctx: AppContext, *, go: Callable[[str], None], locate: Locator | None) -> ft.Control:
    """The office's 联络站: what opens the stations' work, the stations with their people, the special groups."""
    t = ctx.t
    model, made = kept(page, ctx, "admin", lambda: StationsAdminModel(ctx))
    if not made:
        model.reload()
    root = screen_column()

    items: list[ft.Control] = [
        ft.Container(height=8),
        link_row(t("stations.link.receptions"), ft.Icons.EVENT_AVAILABLE_OUTLINED, lambda: go(RECEPTIONS)),
        link_row(model.concerns_text, ft.Icons.QR_CODE_2, lambda: go(CONCERNS), attention=bool(model.open_concerns)),
        link_row(t("stations.link.visits"), ft.Icons.DIRECTIONS_WALK, lambda: go(VISITS)),
        link_row(t("stations.link.figures"), ft.Icons.INSIGHTS_OUTLINED, lambda: go(FIGURES)),
    ]
    if model.offline_text:
        items.append(ft.Container(ft.Row([ft.Icon(ft.Icons.CLOUD_OFF, color="#8A4B00"),
                                          ft.Text(model.offline_text, size=BODY, expand=True, color="#5D3A00")]),
                                  bgcolor="#FFF3E0", border_radius=12, padding=12,
                                  margin=ft.Margin.symmetric(horizontal=16, vertical=8)))
    items.append(section_title(model.stations_title))
    items += [_station_row(ctx, row, may_edit=model.may_edit,
                           on_edit=lambda i: _station_dialog(page, ctx, model.station_form(i), locate),
                           on_poster=lambda i: download_poster(page, ctx, i)) for row in model.rows]
    if model.may_edit:
        items.append(padded(outlined(t("stations.add_station"), lambda: _station_dialog(
            page, ctx, model.station_form(), locate), icon=ft.Icons.ADD), vertical=8))
    items.append(section_title(model.groups_title))
    items += [_group_row(ctx, row, may_edit=model.may_edit,
                         on_edit=lambda i: _group_dialog(page, ctx, model.group_form(i))) for row in model.groups]
    if not model.groups:
        items.append(padded(quiet(t("stations.no_groups"))))
    if model.may_edit:
        items.append(padded(outlined(t("stations.add_group"), lambda: _group_dialog(page, ctx, model.group_form()),
                                     icon=ft.Icons.GROUP_ADD_OUTLINED), vertical=8))
    fill(root, items)
    return root


def _station_row(ctx: AppContext, row: StationRow, *, may_edit: bool, on_edit: OnOpen, on_poster: OnOpen) -> ft.Control:
    t = ctx.t
    lines: list[ft.Control] = [
        ft.Row([ft.Text(row.name, size=BODY + 1, weight=ft.FontWeight.W_600, expand=True), chip(row.kind)]),
        ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, size=20, color=TEAL), quiet(row.address)], spacing=6),
        quiet(row.location),
        ft.Text(row.staff, size=BODY),
        ft.Text(row.deputies, size=BODY),
    ]
    if row.groups:
        lines.append(quiet(row.groups))
    buttons = [outlined(t("stations.poster.download"), lambda: on_poster(row.id), icon=ft.Icons.QR_CODE_2)]
    if may_edit:
        buttons.insert(0, outlined(t("stations.edit"), lambda: on_edit(row.id), icon=ft.Icons.EDIT_OUTLINED))
    return card(lines, identifier="station-row", buttons=buttons)


def _group_row(ctx: AppContext, row: GroupRow, *, may_edit: bool, on_edit: OnOpen) -> ft.Control:
    lines: list[ft.Control] = [ft.Text(row.name, size=BODY + 1, weight=ft.FontWeight.W_600), quiet(row.station)]
    if row.focus:
        lines.append(ft.Text(row.focus, size=BODY))
    lines.append(ft.Text(row.members, size=BODY))
    buttons = [outlined(ctx.t("stations.edit"), lambda: on_edit(row.id), icon=ft.Icons.EDIT_OUTLINED)] \
        if may_edit else []
    return card(lines, identifier="group-row", buttons=buttons)


def _save_dialog(page: ft.Page, ctx: AppContext, form, body: list[ft.Control], problem: ft.Text,
                 redraw: Callable[[], None]) -> None:
    """A station or group form: saved on the central store, then the dialog goes and the screens redraw."""
    t = ctx.t

    async def save() -> None:
        if await form.save():
            page.pop_dialog()
            return
        problem.value, problem.visible = form.errors.get("form", ""), bool(form.errors.get("form"))
        redraw()

    def dismissed() -> None:
        if form.done:
            ctx.changed()  # the pull after the save brought the change: every screen reads it again
            snack(page, t("stations.form.saved"))

    dialog = form_dialog(page, ctx, title=form.title, body=body, confirm=t("stations.form.save"),
                         on_confirm=lambda: page.run_task(save), on_dismiss=dismissed, icon=ft.Icons.CLOUD_UPLOAD)
    if not ctx.online:
        problem.value, problem.visible = t("stations.offline_now"), True
        _update(dialog)


def _station_dialog(page: ft.Page, ctx: AppContext, form: StationForm, locate: Locator | None) -> None:
    t = ctx.t
    code = field(t("stations.form.code"), form.code, lambda v: form.set("code", v), hint=t("stations.form.code_hint"))
    code.visible = form.is_new
    name = field(t("stations.form.name"), form.name, lambda v: form.set("name", v))
    name_en = field(t("stations.form.name_en"), form.name_en, lambda v: form.set("name_en", v))
    kinds = ft.Row(wrap=True, spacing=8, run_spacing=8)
    address = field(t("stations.form.address"), form.address, lambda v: form.set("address", v), lines=2)
    latitude = field(t("capture.latitude"), form.latitude_text, lambda v: form.set("latitude_text", v),
                     keyboard=ft.KeyboardType.NUMBER)
    longitude = field(t("capture.longitude"), form.longitude_text, lambda v: form.set("longitude_text", v),
                      keyboard=ft.KeyboardType.NUMBER)
    problem = problem_text("")

    def redraw() -> None:
        kinds.controls = choice_chips(form.kind_options(), lambda v: (form.set("kind", v), redraw())).controls
        for control, name_ in ((code, "code"), (name, "name"), (latitude, "latitude"), (longitude, "longitude")):
            control.error = form.errors.get(name_) or None
        _update(kinds)
        for control in (code, name, latitude, longitude):
            _update(control)

    def fixed(lat: float, lon: float, accuracy: float | None) -> None:
        form.set_device_location(lat, lon, accuracy)
        latitude.value, longitude.value = form.latitude_text, form.longitude_text
        redraw()

    redraw()
    body = [code, name, name_en, caption(t("stations.form.kind")), kinds, address,
            caption(t("stations.form.location")),
            ft.Row([ft.Container(latitude, expand=True), ft.Container(longitude, expand=True)]),
            outlined(t("stations.form.here"), lambda: page.run_task(locate_into, locate, fixed),
                     icon=ft.Icons.MY_LOCATION),
            quiet(t("stations.form.people_note")), problem]
    _save_dialog(page, ctx, form, body, problem, redraw)


def _group_dialog(page: ft.Page, ctx: AppContext, form: GroupForm) -> None:
    t = ctx.t
    code = field(t("stations.form.code"), form.code, lambda v: form.set("code", v), hint=t("stations.form.code_hint"))
    code.visible = form.is_new
    name = field(t("stations.form.group_name"), form.name, lambda v: form.set("name", v))
    focus = field(t("stations.form.focus"), form.focus, lambda v: form.set("focus", v), lines=2,
                  hint=t("stations.form.focus_hint"))
    stations = ft.Row(wrap=True, spacing=8, run_spacing=8)
    members = ft.Column(spacing=0)
    problem = problem_text("")

    def redraw() -> None:
        stations.controls = choice_chips(form.station_options(),
                                         lambda v: (form.choose_station(v), redraw())).controls
        members.controls = [ft.Checkbox(label=o.label, value=o.selected, height=TOUCH,
                                        label_style=ft.TextStyle(size=BODY),
                                        on_change=lambda e, i=o.value: form.toggle_member(i, bool(e.control.value)))
                            for o in form.member_options()]
        code.error, name.error = form.errors.get("code") or None, form.errors.get("name") or None
        for control in (stations, members, code, name):
            _update(control)

    redraw()
    body = [code, name, caption(t("stations.form.group_station")), stations, focus,
            caption(t("stations.form.members")), members, problem]
    _save_dialog(page, ctx, form, body, problem, redraw)


# -- the stations' figures -----------------------------------------------------------------------------------
def figures_body(page: ft.Page, ctx: AppContext, *, go: Callable[[str], None], on_open_list: OpenList) -> ft.Control:
    """接待日 held, people received, concerns, issues raised and resolved, visits, and visits per deputy."""
    t = ctx.t
    model, made = kept(page, ctx, "figures", lambda: StationFiguresModel(ctx))
    if not made:
        model.reload()
    root = screen_column()

    def draw() -> None:
        items: list[ft.Control] = [
            padded(choice_chips(model.period_options(), lambda v: change(model.choose_period, v)), vertical=8)]
        stations = model.station_options()
        if stations:
            items.append(padded(station_picker(stations, lambda v: change(model.choose_station, v),
                                               t("stations.pick_station")), vertical=8))
        items.append(section_title(model.heading))
        items.append(padded(ft.ResponsiveRow([_figure_card(f, go=go, on_open_list=on_open_list)
                                              for f in model.figures], spacing=8, run_spacing=8)))
        items.append(section_title(t("stations.figures.per_deputy")))
        if model.per_deputy:
            items += [card([ft.Row([ft.Text(r.name, size=BODY + 1, weight=ft.FontWeight.W_600, expand=True),
                                    chip(Chip(r.text, Tone.INFO))]), quiet(r.station)],
                           identifier="deputy-visits", on_click=lambda r=r: go(r.route)) for r in model.per_deputy]
        else:
            items.append(padded(quiet(model.per_deputy_empty)))
        items.append(padded(quiet(t("stations.figures.explain")), vertical=12))
        fill(root, items)

    def change(step, value) -> None:
        step(value)
        draw()

    draw()
    return root


def _figure_card(figure: StationFigure, *, go: Callable[[str], None], on_open_list: OpenList) -> ft.Control:
    def opened() -> None:
        if figure.opens_issues:
            on_open_list(figure.title, list(figure.issue_ids))
        elif figure.route:
            go(figure.route)

    tappable = figure.opens_issues or bool(figure.route)
    body = ft.Container(ft.Column([ft.Text(figure.value, size=28, weight=ft.FontWeight.W_700, color=TEAL),
                                   ft.Text(figure.name, size=BODY, color="#263238")], spacing=2),
                        bgcolor="#F5FBFA", border=ft.Border.all(1, "#B2DFDB"), border_radius=12, padding=14,
                        ink=tappable, on_click=(lambda _: opened()) if tappable else None)
    return ft.Container(ft.Semantics(content=body, button=tappable, container=True, identifier=f"figure-{figure.key}"),
                        col={"xs": 6, "md": 4})
