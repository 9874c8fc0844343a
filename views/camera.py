"""Take a photo with the device camera inside the app, where the platform has one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import flet as ft

from views.theme import BODY, TOUCH


async def take_photo(page: ft.Page, t) -> bytes | None:
    """Show a live preview with a shutter; return the JPEG taken, or None if cancelled or no camera."""
    try:
        import flet_camera as fc
    except ImportError:
        return None
    done: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
    camera = fc.Camera(preview_enabled=True, expand=True)
    status = ft.Text(t("camera.starting"), size=BODY)

    def finish(result: bytes | None) -> None:
        if not done.done():
            done.set_result(result)
        page.pop_dialog()

    async def shutter(_):
        try:
            finish(bytes(await camera.take_picture()))
        except Exception:
            status.value = t("camera.failed")
            status.update()

    dialog = ft.AlertDialog(
        modal=True, title=ft.Text(t("camera.title"), size=20),
        content=ft.Container(ft.Column([ft.Container(camera, expand=True, bgcolor="#000000", border_radius=8), status]),
                             width=360, height=520),
        actions=[ft.TextButton(t("camera.cancel"), height=TOUCH, on_click=lambda _: finish(None)),
                 ft.FilledButton(content=ft.Text(t("camera.shutter"), size=BODY + 2), icon=ft.Icons.CAMERA_ALT,
                                 height=56, on_click=shutter)])
    page.show_dialog(dialog)
    try:
        cameras = await camera.get_available_cameras()
        if not cameras:
            finish(None)
            return None
        back = [c for c in cameras if getattr(c.lens_direction, "value", c.lens_direction) == "back"]
        await camera.initialize((back or cameras)[0], fc.ResolutionPreset.VERY_HIGH, enable_audio=False)
        status.value = t("camera.ready")
        status.update()
    except Exception:
        finish(None)
        return None
    return await done


async def pick_images(picker: ft.FilePicker) -> list[tuple[str, bytes]]:
    """Let the user choose photos from the gallery or the disk; return each one's name and bytes."""
    files = await picker.pick_files(file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True, with_data=True)
    picked = []
    for f in files or []:
        data = f.bytes if f.bytes is not None else (Path(f.path).read_bytes() if f.path else b"")
        picked.append((f.name, bytes(data)))
    return picked
