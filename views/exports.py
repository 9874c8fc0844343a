"""Export: the button a list or the map carries, and its dialog; the file downloads as a supervision letter's Word file does."""

from __future__ import annotations

from typing import Callable

import flet as ft

from app.viewmodels.context import AppContext
from app.viewmodels.exports import ExportChoice, ExportModel
from views.theme import BODY, TOUCH

PICKER = "exports.picker"
ERROR, GOOD, MUTED = "#B71C1C", "#1B5E20", "#455A64"


def export_button(page: ft.Page, ctx: AppContext, make_model: Callable[[], ExportModel]) -> ft.Control:
    """Export: opens the choices of this screen (its model is read when tapped, so it exports what is shown then)."""
    button = ft.OutlinedButton(content=ft.Text(ctx.t("export.button"), size=BODY), icon=ft.Icons.DOWNLOAD,
                               height=TOUCH, on_click=lambda _: export_dialog(page, ctx, make_model()))
    return ft.Semantics(content=button, identifier="export-button", container=True)


def export_row(page: ft.Page, ctx: AppContext, make_model: Callable[[], ExportModel]) -> ft.Control:
    """The export button under a list's heading, where the eye finds it after the count."""
    return ft.Container(ft.Row([export_button(page, ctx, make_model)]), padding=ft.Padding.symmetric(horizontal=16))


def export_dialog(page: ft.Page, ctx: AppContext, model: ExportModel) -> None:
    t = ctx.t
    said = ft.Text("", size=BODY, visible=False)
    groups = ft.Column(spacing=12, tight=True)

    def draw() -> None:
        rows: list[ft.Control] = []
        placed = False
        for group in model.groups:
            if group.by_year and not placed:  # the year comes before what it chooses
                rows.append(year)
                placed = True
            rows.append(ft.Text(group.heading, size=BODY, weight=ft.FontWeight.W_600))
            rows.append(ft.Row([_choice_button(page, choice, save) for choice in group.choices], wrap=True, spacing=8,
                               run_spacing=8))
        groups.controls = rows

    def pick_year(e) -> None:
        model.set_year(e.control.value)
        draw()
        groups.update()

    async def save(choice: ExportChoice) -> None:
        made = model.file(choice)
        if made is None:
            _say(said, model.error, ERROR)
            return
        name, data = made
        if await save_download(page, name, data, choice.fmt, title=t("export.dialog.title")):
            _say(said, model.saved_text(name), GOOD)

    year = ft.Dropdown(label=t("export.year"), value=str(model.year), width=160, text_size=BODY,
                       options=[ft.DropdownOption(key=str(y), text=str(y)) for y in model.years], on_select=pick_year)
    draw()
    body = ft.Column([ft.Text(t("export.hint"), size=BODY, color=MUTED), groups, said], spacing=16,
                     tight=True, scroll=ft.ScrollMode.AUTO)
    page.show_dialog(ft.AlertDialog(
        title=ft.Text(t("export.dialog.title"), size=20, weight=ft.FontWeight.W_600),
        content=ft.Container(body, width=520), scrollable=True,
        actions=[ft.TextButton(content=ft.Text(t("export.close"), size=BODY), height=TOUCH,
                               on_click=lambda _: page.pop_dialog())]))


def _choice_button(page: ft.Page, choice: ExportChoice, save) -> ft.Control:
    icon = {"xlsx": ft.Icons.TABLE_CHART_OUTLINED, "csv": ft.Icons.NOTES, "geojson": ft.Icons.MAP_OUTLINED}[choice.fmt]
    return ft.Semantics(content=ft.FilledTonalButton(content=ft.Text(choice.label, size=BODY), icon=icon, height=TOUCH,
                                                     on_click=lambda _: page.run_task(save, choice)),
                        identifier=f"export-{choice.key}", container=True)


def _say(text: ft.Text, words: str, colour: str) -> None:
    text.value, text.color, text.visible = words, colour, True
    try:
        text.update()
    except RuntimeError:  # the dialog was closed meanwhile
        pass


async def save_download(page: ft.Page, name: str, data: bytes, fmt: str, *, title: str) -> bool:
    """Save a file: a download in the browser, a save dialog on the desktop; True once it is saved."""
    saved = await _picker(page).save_file(dialog_title=title, file_name=name, file_type=ft.FilePickerFileType.CUSTOM,
                                          allowed_extensions=[fmt], src_bytes=data)
    return bool(saved) or page.web  # the browser gives no path back, only the download


def _picker(page: ft.Page) -> ft.FilePicker:
    """One file picker per browser session, kept referenced (Flet drops a service nobody holds)."""
    store = page.session.store
    if not store.contains_key(PICKER):
        store.set(PICKER, ft.FilePicker())
    return store.get(PICKER)
