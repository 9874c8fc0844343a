"""The device's position through Flet's geolocator, where the platform gives one."""

from __future__ import annotations

import flet as ft


def make_locator(page: ft.Page):
    """Return an async function giving (latitude, longitude, accuracy in metres), or None without a fix."""
    try:
        import flet_geolocator as fgl
    except ImportError:  # a build without the geolocator: typed coordinates and photo EXIF remain
        return None
    geolocator = fgl.Geolocator()
    page.services.append(geolocator)

    async def locate():
        status = await geolocator.request_permission()
        if status in (fgl.GeolocatorPermissionStatus.DENIED, fgl.GeolocatorPermissionStatus.DENIED_FOREVER):
            return None
        position = await geolocator.get_current_position()
        if position is None or position.latitude is None or position.longitude is None:
            return None
        return position.latitude, position.longitude, position.accuracy

    return locate
