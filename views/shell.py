"""The app shell: routes, the app bar with the sync chip, and the navigation of the user's role.

A phone shows the role's destinations in a bottom bar; a wide screen shows them in a rail beside
every screen but the detail, capture and sync screens, with the content at a readable width.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Sequence

import flet as ft

from app.viewmodels.capture import CaptureModel
from app.viewmodels.context import AppContext
from app.viewmodels.home import HomeModel
from app.viewmodels.issue_detail import IssueDetailModel
from app.viewmodels.issue_list import IssueListModel
from app.viewmodels.issue_set import IssueSetModel
from app.viewmodels.me import MeModel
from app.viewmodels.nav import (CAPTURE, DASHBOARD, DETAIL, SYNC, IssueSet, allowed, destinations, is_top,
                                needs_rail, parent_of, path_of, section_of)
from app.viewmodels.projects import PROJECT_ROUTES
from app.viewmodels.stations import STATION_ROUTES
from app.viewmodels.sync import LoginModel, SyncModel, sync_chip as chip_state
from views.capture import CaptureScreen
from views.components import empty_state, issue_tile, section_title, sync_chip
from views.detail import detail_body
from views.home import home_body
from views.issues import IssueListScreen
from views.login import LoginScreen
from views.me import me_body
from views.sync_screen import sync_body
from views.theme import BODY, CONTENT_MAX, FONT_FAMILY, FONT_FILE, WIDE, app_theme

NAV_ICONS = {
    "home": (ft.Icons.HOME_OUTLINED, ft.Icons.HOME),
    "issues": (ft.Icons.LIST_ALT_OUTLINED, ft.Icons.LIST_ALT),
    "triage": (ft.Icons.MOVE_TO_INBOX_OUTLINED, ft.Icons.MOVE_TO_INBOX),
    "supervise": (ft.Icons.ALARM_OUTLINED, ft.Icons.ALARM),
    "queue": (ft.Icons.ASSIGNMENT_OUTLINED, ft.Icons.ASSIGNMENT),
    "inspections": (ft.Icons.FACT_CHECK_OUTLINED, ft.Icons.FACT_CHECK),
    "map": (ft.Icons.MAP_OUTLINED, ft.Icons.MAP),
    "year": (ft.Icons.CALENDAR_MONTH_OUTLINED, ft.Icons.CALENDAR_MONTH),
    "projects": (ft.Icons.HOW_TO_VOTE_OUTLINED, ft.Icons.HOW_TO_VOTE),
    "me": (ft.Icons.PERSON_OUTLINE, ft.Icons.PERSON),
}
NO_ICON = (ft.Icons.CIRCLE_OUTLINED, ft.Icons.CIRCLE)  # a destination whose icon is not named above
RAIL_WIDTH = 100  # the rail and its divider
LOGIN_WIDTH = 520
MAX_DEPTH = 5  # screens stacked above a destination: detail over a list over the dashboard over home

Locator = Callable[[], Awaitable[tuple[float, float, float | None] | None]]


class Shell:
    """Owns the page: builds the view stack for the current route and redraws when data changes."""

    def __init__(self, page: ft.Page, ctx: AppContext, locate: Locator | None = None):
        self.page, self.ctx, self.locate = page, ctx, locate
        self.capture: CaptureScreen | None = None
        self.issue_list: IssueListScreen | None = None
        self.login: LoginScreen | None = None
        self._parents: dict[str, str] = {}  # a pushed screen → the screen it was opened from
        self._wide = self._is_wide()
        self._language = ctx.t.language
        if not page.web:  # in the browser the font comes with the engine (assets/assets/FontManifest.json)
            page.fonts = {FONT_FAMILY: FONT_FILE}
        page.theme = page.dark_theme = app_theme()
        page.theme_mode = ft.ThemeMode.LIGHT
        page.title = ctx.t("app.title")
        page.on_route_change = lambda _: self.render()
        page.on_view_pop = self._pop
        page.on_resize = self._resized
        ctx.subscribe(self._data_changed)
        self._unsubscribe: Callable[[], None] | None = None
        if ctx.syncer is not None:
            self._listen()
            # A closed tab stops the probing it asked for; the same browser coming back (a reload) resumes it.
            page.on_disconnect = page.on_close = lambda _: self._stop_listening()
            page.on_connect = lambda _: (self._listen(), self.render())

    def _listen(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.ctx.syncer.subscribe(self._sync_changed)

    def _stop_listening(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    # -- routing --------------------------------------------------------------------------------------------------
    @property
    def role(self) -> str | None:
        user = self.ctx.current_user()
        return user.role if user else None

    def go(self, route: str) -> None:
        current = self.page.route or "/"
        if route != current and not is_top(route, self.role):
            self._parents[route] = current  # back goes where it was opened from
        self.page.navigate(route)

    def render(self) -> None:
        route = self.page.route or "/"
        if self.ctx.syncer is not None and self.ctx.current_user() is None and route != "/login":
            route = "/login"  # the first start: sign in once, then work offline as that user
        if route == "/login":
            self._show([self._login_view()])
            return
        self.login = None
        role = self.role
        if not allowed(route, role):
            route = "/"
        if route != CAPTURE:
            self.capture = None
        self._show([self._view(r, role, back=i > 0) for i, r in enumerate(self._chain(route, role))])

    def _chain(self, route: str, role: str | None) -> list[str]:
        """The routes from the role's destination up to this one, e.g. / → /dashboard → /issues?ids=…"""
        chain = [route]
        while not is_top(chain[0], role) and len(chain) <= MAX_DEPTH:
            parent = self._parents.get(chain[0]) or parent_of(chain[0], role)
            if parent in chain or not allowed(parent, role):
                parent = "/"
            chain.insert(0, parent)
        return chain

    def _show(self, views: list[ft.View]) -> None:
        self.page.views.clear()
        self.page.views.extend(views)
        self.page.update()

    async def _pop(self, e: ft.ViewPopEvent) -> None:
        if len(self.page.views) > 1:
            self.page.views.pop()
        await self.page.push_route(self.page.views[-1].route or "/")

    def _is_wide(self) -> bool:
        return (self.page.width or 0) >= WIDE

    def _resized(self, _e) -> None:
        if self._is_wide() != self._wide:
            self._wide = self._is_wide()
            self.render()

    def _data_changed(self) -> None:
        self.page.title = self.ctx.t("app.title")
        if self.issue_list is not None and self._language != self.ctx.t.language:
            self.issue_list = None  # its labels are in the old language
        elif self.issue_list is not None:
            self.issue_list.model.reload()  # keeps the search and filters the user set
            self.issue_list.render()
        self._language = self.ctx.t.language
        if self.capture is None and self.login is None:
            self.render()

    def _sync_changed(self) -> None:
        """Progress redraws the sync screen; a finished run that changed data redraws the rest; else the chip."""
        route = self.page.route or "/"
        report = self.ctx.syncer.last_report
        if route == SYNC:
            self.render()
        elif self.ctx.syncer.progress is None and report is not None and (
                report.changes_pulled or report.applied or report.rejected):
            self.ctx.changed()
        elif self.page.views and self.login is None:
            view = self.page.views[-1]
            if view.appbar is not None:
                view.appbar.actions = [self._chip()]
                self.page.update()

    # -- views ----------------------------------------------------------------------------------------------------
    def _chip(self) -> ft.Control:
        return ft.Container(sync_chip(chip_state(self.ctx), on_click=self._open_sync),
                            padding=ft.Padding.only(right=12))

    def _app_bar(self, title: str, *, back: bool = False) -> ft.AppBar:
        return ft.AppBar(title=ft.Text(title, size=20, weight=ft.FontWeight.W_600), bgcolor="#00695C",
                         color="#FFFFFF", automatically_imply_leading=back, actions=[self._chip()])

    def _view(self, route: str, role: str | None, *, back: bool) -> ft.View:
        t, path = self.ctx.t, path_of(route)
        if path == CAPTURE:
            return self._capture_view()
        if path == SYNC and self.ctx.syncer is not None:
            return self._sync_view()
        if path.startswith(DETAIL):
            return self._detail_view(path.removeprefix(DETAIL))
        issue_set = IssueSet.of(route)
        if issue_set is not None:
            body, title = self._issue_set(issue_set)
        elif path == "/issues":
            if self.issue_list is None:
                self.issue_list = IssueListScreen(IssueListModel(self.ctx), self._open_issue)
            body, title = self.issue_list.root, t("nav.issues")
        elif path == "/me":
            body, title = self._me(), t("nav.me")
        elif path == "/inspections":
            from views.inspections import inspections_body

            body = inspections_body(self.page, self.ctx, on_open=lambda i: self.go(f"/inspections/{i}"),
                                    locate=self.locate)
            title = t("inspect.screen_title")
        elif path.startswith("/inspections/"):
            from views.inspections import inspection_body

            body = inspection_body(self.page, self.ctx, path.removeprefix("/inspections/"),
                                   on_open_issue=self._open_issue)
            title = t("inspect.detail_title")
        elif path == "/triage":
            from views.office import triage_body

            body, title = triage_body(self.page, self.ctx, on_open=self._open_issue), t("shell.nav.triage")
        elif path == "/supervise":
            from views.office import supervise_body

            body, title = supervise_body(self.page, self.ctx, on_open=self._open_issue), t("shell.nav.supervise")
        elif path == "/queue":
            from views.office import queue_body

            body, title = queue_body(self.page, self.ctx, on_open=self._open_issue), t("shell.nav.queue")
        elif path == "/map":
            from views.map import map_body

            body, title = map_body(self.page, self.ctx, go=self.go), t("map.screen_title")
        elif path == DASHBOARD:
            from views.dashboard import dashboard_body

            from app.viewmodels.year import year_of

            body = dashboard_body(self.page, self.ctx, on_open_list=self._open_list, year=year_of(route, self.ctx),
                                  go=self.go)
            title = t("shell.dashboard")
        elif path == "/year" or path.startswith("/year/"):
            from views.year import year_screen

            body, title = year_screen(self.page, self.ctx, route, go=self.go)
        elif path.startswith(PROJECT_ROUTES):
            from views.projects import projects_screen

            body, title = projects_screen(self.page, self.ctx, route, go=self.go, on_open_issue=self._open_issue)
        elif path.startswith(STATION_ROUTES):
            from views.stations import station_screen

            body, title = station_screen(self.page, self.ctx, route, go=self.go, on_open_issue=self._open_issue,
                                         on_open_list=self._open_list, locate=self.locate)
        elif path.startswith(("/quiz", "/me/quiz")):
            from views.quiz import quiz_screen

            body, title = quiz_screen(self.page, self.ctx, route, go=self.go)
        elif path.startswith(("/trainings", "/me/trainings")):
            from views.trainings import trainings_screen

            body, title = trainings_screen(self.page, self.ctx, route, go=self.go)
        elif path.startswith(("/reports", "/me/reports")):
            from views.reports import reports_screen

            body, title = reports_screen(self.page, self.ctx, route, go=self.go)
        else:
            body = home_body(HomeModel(self.ctx), on_capture=lambda: self.go(CAPTURE), on_open=self._open_issue,
                             on_go=self.go)
            title = t("app.title")
        return self._framed(route, role, title, body, back=back)

    def _framed(self, route: str, role: str | None, title: str, body: ft.Control, *, back: bool) -> ft.View:
        """The screen with the role's navigation: a rail on a wide screen, the bottom bar on a phone's top screens."""
        t = self.ctx.t
        items = destinations(role)
        symbols = [NAV_ICONS.get(d.icon, NO_ICON) for d in items]
        section = section_of(route, role, self._parents)
        index = next((i for i, d in enumerate(items) if d.route == section), None)
        appbar = self._app_bar(title, back=back)
        if self._wide and needs_rail(route):
            rail = ft.NavigationRail(
                selected_index=index, label_type=ft.NavigationRailLabelType.ALL, min_width=88,
                destinations=[ft.NavigationRailDestination(icon=icons[0], selected_icon=icons[1], label=t(d.label_key))
                              for d, icons in zip(items, symbols)],
                on_change=lambda e: self.go(items[e.control.selected_index].route))
            # Lines stay readable on an office screen: the content keeps a phone-like column width.
            width = min(CONTENT_MAX, max((self.page.width or WIDE) - RAIL_WIDTH, WIDE - RAIL_WIDTH))
            content = ft.Row([rail, ft.VerticalDivider(width=1),
                              ft.Row([ft.Container(body, width=width)], alignment=ft.MainAxisAlignment.CENTER,
                                     vertical_alignment=ft.CrossAxisAlignment.START, expand=True)],
                             expand=True, vertical_alignment=ft.CrossAxisAlignment.STRETCH)
            return ft.View(route=route, controls=[content], appbar=appbar, padding=0)
        nav = None
        if not back:
            nav = ft.NavigationBar(
                selected_index=index,
                destinations=[ft.NavigationBarDestination(icon=icons[0], selected_icon=icons[1], label=t(d.label_key))
                              for d, icons in zip(items, symbols)],
                on_change=lambda e: self.go(items[e.control.selected_index].route))
        return ft.View(route=route, controls=[body], appbar=appbar, navigation_bar=nav, padding=0)

    def _issue_set(self, issue_set: IssueSet) -> tuple[ft.Control, str]:
        model = IssueSetModel(self.ctx, issue_set)
        items: list[ft.Control] = [section_title(model.count_text)]
        if model.missing_text:
            items.append(ft.Container(ft.Text(model.missing_text, size=BODY, color="#455A64"),
                                      padding=ft.Padding.symmetric(horizontal=16)))
        items += [issue_tile(row, self._open_issue) for row in model.rows]
        if not model.rows:
            items.append(empty_state(ft.Icons.INBOX_OUTLINED, model.empty_text))
        return ft.Column(items, spacing=0, scroll=ft.ScrollMode.AUTO, expand=True), model.title

    def _me(self) -> ft.Control:
        syncing = self.ctx.syncer is not None
        return me_body(MeModel(self.ctx), self.ctx.set_language,
                       on_sync=self._open_sync if syncing else None,
                       on_switch=self._switch_user if syncing else None, on_go=self.go)

    def _capture_view(self) -> ft.View:
        if self.capture is None:
            self.capture = CaptureScreen(self.page, CaptureModel(self.ctx), on_saved=self._saved, locate=self.locate)
            self.page.run_task(self.capture.start)
        return ft.View(route=CAPTURE, controls=[self.capture.root],
                       appbar=self._app_bar(self.ctx.t("capture.screen_title"), back=True),
                       bottom_appbar=self.capture.save_bar, padding=0)

    def _login_view(self) -> ft.View:
        if self.login is None:
            self.login = LoginScreen(LoginModel(self.ctx, self.ctx.syncer), on_done=self._signed_in,
                                     on_back=self._login_back, on_sync=self._sync_and_tell)
        content: ft.Control = self.login.root
        if self._wide:  # a form a phone's width, in the middle of an office screen
            content = ft.Row([ft.Container(self.login.root, width=LOGIN_WIDTH)], alignment=ft.MainAxisAlignment.CENTER,
                             vertical_alignment=ft.CrossAxisAlignment.STRETCH, expand=True)
        return ft.View(route="/login", controls=[content], padding=0)

    def _sync_view(self) -> ft.View:
        model = SyncModel(self.ctx, self.ctx.syncer)
        return ft.View(route=SYNC, controls=[sync_body(model, on_open=self._open_issue,
                                                       on_login=lambda: self.go("/login"),
                                                       on_sync=lambda: self._sync_and_tell(model.sync_and_report))],
                       appbar=self._app_bar(self.ctx.t("sync.screen_title"), back=True), padding=0)

    def _detail_view(self, issue_id: str) -> ft.View:
        model = IssueDetailModel(self.ctx, issue_id)
        if model.missing_photos and self.ctx.syncer is not None:
            async def fetch() -> None:
                if await model.fetch_missing_photos() and self.page.route == f"{DETAIL}{issue_id}":
                    self.render()
            self.page.run_task(fetch)
        return ft.View(route=f"{DETAIL}{issue_id}",
                       controls=[detail_body(self.page, model, on_open=self._open_issue)],
                       appbar=self._app_bar(self.ctx.t("detail.screen_title"), back=True), padding=0)

    # -- actions --------------------------------------------------------------------------------------------------
    def _signed_in(self) -> None:
        self.login = None
        self.issue_list = None  # a list of the previous user's, if this was a switch
        self._parents.clear()
        if (self.page.route or "/") == "/login":
            self.go("/")
        else:  # the login screen stood in for the route asked for: show that now
            self.render()

    def _login_back(self) -> None:
        self.login = None
        self.go("/me")

    def _switch_user(self) -> None:
        """我的 → 切换用户: to the login screen, unless the user's changes still wait to sync."""
        refusal = MeModel(self.ctx).switch_refusal()
        if not refusal:
            self.go("/login")
            return
        t = self.ctx.t

        def sync_now(_=None) -> None:
            self.page.pop_dialog()
            self._sync_and_tell(SyncModel(self.ctx, self.ctx.syncer).sync_and_report)

        self.page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t("shell.switch.title"), size=20),
            content=ft.Container(ft.Text(refusal, size=BODY), width=420),
            actions=[ft.TextButton(t("shell.switch.cancel"), on_click=lambda _: self.page.pop_dialog(), height=48),
                     ft.FilledButton(t("sync.now"), icon=ft.Icons.SYNC, on_click=sync_now, height=48)]))

    def _sync_and_tell(self, sync: Callable[[], Awaitable[str]]) -> None:
        """立即同步: the chip and the button spin while it runs; a snack bar says how it ended."""
        async def run() -> None:
            text = await sync()
            self.page.show_dialog(ft.SnackBar(ft.Text(text, size=BODY), duration=4000))

        self.page.run_task(run)

    def _open_sync(self, _=None) -> None:
        if self.ctx.syncer is not None:
            self.go(SYNC)

    def _open_issue(self, issue_id: str) -> None:
        self.go(f"{DETAIL}{issue_id}")

    def _open_list(self, title: str, issue_ids: Sequence[str]) -> None:
        self.go(IssueSet(title=title, ids=tuple(issue_ids)).route())

    def _saved(self, _issue_id: str) -> None:
        self.capture = None
        self.page.show_dialog(ft.SnackBar(ft.Text(self.ctx.t("capture.saved"), size=16)))
        self.go("/")
