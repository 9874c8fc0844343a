"""Sign in once with network; afterwards the app works offline as this user."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.sync import LoginModel
from views.theme import BODY


class LoginScreen:
    def __init__(self, model: LoginModel, on_done: Callable[[], None]):
        self.model, self.on_done = model, on_done
        t = model.ctx.t
        self.username = ft.TextField(label=t("login.username"), text_size=BODY, autofocus=True,
                                     on_change=lambda e: setattr(model, "username", e.control.value))
        self.password = ft.TextField(label=t("login.password"), text_size=BODY, password=True,
                                     can_reveal_password=True,
                                     on_change=lambda e: setattr(model, "password", e.control.value),
                                     on_submit=self._submit)
        self.error = ft.Text("", color="#B71C1C", size=BODY, visible=False)
        self.button = ft.FilledButton(content=ft.Text(t("login.submit"), size=BODY + 2), height=56,
                                      on_click=self._submit)
        self.root = ft.Container(ft.Column([
            ft.Image(src="icons/icon-192.png", width=88, height=88),
            ft.Text(t("app.title"), size=26, weight=ft.FontWeight.W_600),
            ft.Text(t("login.intro"), size=BODY, color="#455A64", text_align=ft.TextAlign.CENTER),
            self.username, self.password, self.error, self.button,
        ], spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH, scroll=ft.ScrollMode.AUTO),
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
        self.root.update()  # the update above ended the automatic one for this handler
