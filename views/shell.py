"""The app shell: routes, the app bar with the sync chip, bottom navigation or a rail on wide screens."""

from __future__ import annotations

from typing import Awaitable, Callable

import flet as ft

from app.viewmodels.capture import CaptureModel
from app.viewmodels.context import AppContext
from app.viewmodels.home import HomeModel
from app.viewmodels.issue_detail import IssueDetailModel
from app.viewmodels.issue_list import IssueListModel
from app.viewmodels.me import MeModel
from views.capture import CaptureScreen
from views.components import sync_chip
from views.detail import detail_body
from views.home import home_body
from views.issues import IssueListScreen
from views.login import LoginScreen
from views.me import me_body
from views.sync_screen import sync_body
from app.viewmodels.sync import LoginModel, SyncModel
from views.theme import CONTENT_MAX, FONT_FAMILY, FONT_FILE, WIDE, app_theme

TOP_ROUTES = ("/", "/issues", "/me")
NAV_ICONS = ((ft.Icons.HOME_OUTLINED, ft.Icons.HOME, "nav.home"),
             (ft.Icons.LIST_ALT_OUTLINED, ft.Icons.LIST_ALT, "nav.issues"),
             (ft.Icons.PERSON_OUTLINE, ft.Icons.PERSON, "nav.me"))

Locator = Callable[[], Awaitable[tuple[float, float, float | None] | None]]


class Shell:
    """Owns the page: builds the view stack for the current route and redraws when data changes."""

    def __init__(self, page: ft.Page, ctx: AppContext, locate: Locator | None = None):
        self.page, self.ctx, self.locate = page, ctx, locate
        self.capture: CaptureScreen | None = None
        self.issue_list: IssueListScreen | None = None
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
        self.login: LoginScreen | None = None
        if ctx.syncer is not None:
            self._unsubscribe = ctx.syncer.subscribe(self._sync_changed)
            page.on_close = lambda _: self._unsubscribe()

    # -- routing --------------------------------------------------------------------------------------------------
    def go(self, route: str) -> None:
        self.page.navigate(route)

    def render(self) -> None:
        route = self.page.route or "/"
        if self.ctx.syncer is not None and self.ctx.current_user() is None and route != "/login":
            route = "/login"  # the first start: sign in once, then work offline as that user
        if route == "/login":
            self._show([self._login_view()])
            return
        self.login = None
        top = "/issues" if route.startswith("/issues") else route if route in TOP_ROUTES else "/"
        views = [self._top_view(top)]
        if route == "/sync" and self.ctx.syncer is not None:
            views = [self._top_view("/me"), self._sync_view()]
        elif route == "/capture":
            views = [self._top_view("/"), self._capture_view()]
        elif route.startswith("/issues/"):
            views.append(self._detail_view(route.removeprefix("/issues/")))
        if route != "/capture":
            self.capture = None
        self._show(views)

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
        """Progress redraws the sync screen; a finished run that changed data redraws the rest."""
        route = self.page.route or "/"
        report = self.ctx.syncer.last_report
        if route == "/sync":
            self.render()
        elif self.ctx.syncer.progress is None and report is not None and (
                report.changes_pulled or report.applied or report.rejected):
            self.ctx.changed()
        elif self.page.views and self.login is None:
            view = self.page.views[-1]
            if view.appbar is not None:
                view.appbar = self._app_bar(view.appbar.title.value, back=len(self.page.views) > 1)
                self.page.update()

    # -- views ----------------------------------------------------------------------------------------------------
    def _app_bar(self, title: str, *, back: bool = False) -> ft.AppBar:
        t = self.ctx.t
        pending = self.ctx.pending_count()
        if self.ctx.online:
            text = t("sync.chip_pending", n=pending) if pending else t("sync.chip_synced")
        else:
            text = t("sync.chip_offline_pending", n=pending) if pending else t("sync.chip_offline")
        return ft.AppBar(title=ft.Text(title, size=20, weight=ft.FontWeight.W_600), bgcolor="#00695C",
                         color="#FFFFFF", automatically_imply_leading=back,
                         actions=[ft.Container(sync_chip(not self.ctx.online, text, on_click=self._open_sync),
                                               padding=ft.Padding.only(right=12))])

    def _top_view(self, route: str) -> ft.View:
        t = self.ctx.t
        if route == "/issues":
            if self.issue_list is None:
                self.issue_list = IssueListScreen(IssueListModel(self.ctx), self._open_issue)
            body, title = self.issue_list.root, t("nav.issues")
        elif route == "/me":
            body = me_body(MeModel(self.ctx), self.ctx.set_language,
                           on_sync=self._open_sync if self.ctx.syncer is not None else None,
                           on_login=(lambda: self.go("/login")) if self.ctx.syncer is not None else None)
            title = t("nav.me")
        else:
            body = home_body(HomeModel(self.ctx), on_capture=lambda: self.go("/capture"), on_open=self._open_issue,
                             on_all=lambda: self.go("/issues"))
            title = t("app.title")
        index = TOP_ROUTES.index(route)
        if self._wide:
            rail = ft.NavigationRail(
                selected_index=index, label_type=ft.NavigationRailLabelType.ALL, min_width=88,
                destinations=[ft.NavigationRailDestination(icon=i, selected_icon=s, label=t(k)) for i, s, k in NAV_ICONS],
                on_change=lambda e: self.go(TOP_ROUTES[e.control.selected_index]))
            # Lines stay readable on an office screen: the content keeps a phone-like column width.
            column = ft.Container(body, width=min(CONTENT_MAX, max((self.page.width or WIDE) - 100, WIDE - 100)))
            content = ft.Row([rail, ft.VerticalDivider(width=1),
                              ft.Row([column], alignment=ft.MainAxisAlignment.CENTER,
                                     vertical_alignment=ft.CrossAxisAlignment.START, expand=True)],
                             expand=True, vertical_alignment=ft.CrossAxisAlignment.STRETCH)
            return ft.View(route=route, controls=[content], appbar=self._app_bar(title), padding=0)
        nav = ft.NavigationBar(
            selected_index=index,
            destinations=[ft.NavigationBarDestination(icon=i, selected_icon=s, label=t(k)) for i, s, k in NAV_ICONS],
            on_change=lambda e: self.go(TOP_ROUTES[e.control.selected_index]))
        return ft.View(route=route, controls=[body], appbar=self._app_bar(title), navigation_bar=nav, padding=0)

    def _capture_view(self) -> ft.View:
        if self.capture is None:
            self.capture = CaptureScreen(self.page, CaptureModel(self.ctx), on_saved=self._saved, locate=self.locate)
            self.page.run_task(self.capture.start)
        return ft.View(route="/capture", controls=[self.capture.root],
                       appbar=self._app_bar(self.ctx.t("capture.screen_title"), back=True),
                       bottom_appbar=self.capture.save_bar, padding=0)

    def _login_view(self) -> ft.View:
        if self.login is None:
            self.login = LoginScreen(LoginModel(self.ctx, self.ctx.syncer), on_done=self._signed_in)
        return ft.View(route="/login", controls=[self.login.root], padding=0)

    def _sync_view(self) -> ft.View:
        model = SyncModel(self.ctx, self.ctx.syncer)
        return ft.View(route="/sync", controls=[sync_body(model, on_open=self._open_issue,
                                                          on_login=lambda: self.go("/login"))],
                       appbar=self._app_bar(self.ctx.t("sync.screen_title"), back=True), padding=0)

    def _signed_in(self) -> None:
        self.login = None
        if (self.page.route or "/") == "/login":
            self.go("/")
        else:  # the login screen stood in for the route asked for: show that now
            self.render()

    def _open_sync(self, _=None) -> None:
        if self.ctx.syncer is not None:
            self.go("/sync")

    def _detail_view(self, issue_id: str) -> ft.View:
        model = IssueDetailModel(self.ctx, issue_id)
        if model.missing_photos and self.ctx.syncer is not None:
            async def fetch() -> None:
                if await model.fetch_missing_photos() and self.page.route == f"/issues/{issue_id}":
                    self.render()
            self.page.run_task(fetch)
        return ft.View(route=f"/issues/{issue_id}",
                       controls=[detail_body(self.page, model, on_open=self._open_issue)],
                       appbar=self._app_bar(self.ctx.t("detail.screen_title"), back=True), padding=0)

    # -- actions --------------------------------------------------------------------------------------------------
    def _open_issue(self, issue_id: str) -> None:
        self.go(f"/issues/{issue_id}")

    def _saved(self, _issue_id: str) -> None:
        self.capture = None
        self.page.show_dialog(ft.SnackBar(ft.Text(self.ctx.t("capture.saved"), size=16)))
        self.go("/")
