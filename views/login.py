"""Sign in once with network; afterwards the app works offline as this user. Signing in as another switches."""

from __future__ import annotations

from typing import Awaitable, Callable

import flet as ft

from app.viewmodels.sync import LoginModel
from views.theme import BODY, TOUCH


class LoginScreen:
    def __init__(self, model: LoginModel, on_done: Callable[[], None], *, on_back: Callable[[], None] | None = None,
                 on_sync: Callable[[Callable[[], Awaitable[str]]], None] | None = None):
        self.model, self.on_done, self.on_sync = model, on_done, on_sync
        t = model.ctx.t
        self.username = ft.TextField(label=t("login.username"), text_size=BODY, autofocus=True,
                                     on_change=lambda e: setattr(model, "username", e.control.value))
        self.password = ft.TextField(label=t("login.password"), text_size=BODY, password=True,
                                     can_reveal_password=True,
                                     on_change=lambda e: setattr(model, "password", e.control.value),
                                     on_submit=self._submit)
        self.error = ft.Text("", color="#B71C1C", size=BODY, visible=False)
        # Shown when the refusal is about the previous user's changes: syncing them is the way on.
        self.sync = ft.OutlinedButton(content=ft.Text(t("sync.now"), size=BODY), icon=ft.Icons.SYNC, height=TOUCH,
                                      visible=False, on_click=self._sync)
        self.button = ft.FilledButton(content=ft.Text(t("login.submit"), size=BODY + 2), height=56,
                                      on_click=self._submit)
        items: list[ft.Control] = []
        if model.can_go_back and on_back is not None:
            items.append(ft.Row([ft.TextButton(content=ft.Text(t("shell.login.back"), size=BODY), icon=ft.Icons.ARROW_BACK,
                                               height=TOUCH, on_click=lambda _: on_back())]))
        items += [ft.Image(src="icons/icon-192.png", width=88, height=88),
                  ft.Text(t("app.title"), size=26, weight=ft.FontWeight.W_600)]
        if not model.switch_note:  # the first sign-in on this device
            items.append(ft.Text(t("login.intro"), size=BODY, color="#455A64", text_align=ft.TextAlign.CENTER))
        else:
            items.append(ft.Container(ft.Column([
                ft.Text(model.current_text, size=BODY, weight=ft.FontWeight.W_600),
                ft.Text(model.switch_note, size=BODY, color="#37474F"),
            ], spacing=4), bgcolor="#FFF3E0", border_radius=12, padding=12))
        items += [self.username, self.password, self.error, self.sync, self.button]
        self.root = ft.Container(ft.Column(items, spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                                           scroll=ft.ScrollMode.AUTO),
                                 padding=24, expand=True)

    async def _submit(self, _=None) -> None:
        self.button.disabled = True
        self.error.visible = False
        self.button.update()
        ok = await self.model.submit()
        self.button.disabled = False
        if ok:
            self.on_done()
            return
        self.error.value, self.error.visible = self.model.error, True
        self.sync.visible = self.model.offer_sync and self.on_sync is not None
        self.root.update()  # the update above ended the automatic one for this handler

    def _sync(self, _=None) -> None:
        if self.on_sync is not None:
            self.on_sync(self.model.sync_and_report)
