"""Colours, sizes and the bundled font: calm, high contrast outdoors, large targets."""

from __future__ import annotations

import flet as ft

from app.assets import FONT_FILE  # relative to the assets folder Flet serves

FONT_FAMILY = "NotoSansSC"
SEED = "#00695C"  # deep teal
BODY = 16
TITLE = 20
TOUCH = 48
WIDE = 720  # from this width a navigation rail replaces the bottom bar
CONTENT_MAX = 760  # the widest a column of content gets on a large screen

# Status is never colour alone: each chip also carries its word.
STATUS_COLOURS = {
    "new": ("#FFF3E0", "#8A4B00"),
    "assigned": ("#E3F2FD", "#0D47A1"),
    "in_progress": ("#EDE7F6", "#4527A0"),
    "resolved": ("#E8F5E9", "#1B5E20"),
    "rated": ("#E0F2F1", "#004D40"),
    "returned": ("#FFEBEE", "#B71C1C"),
    "merged": ("#ECEFF1", "#37474F"),
}


def app_theme() -> ft.Theme:
    return ft.Theme(font_family=FONT_FAMILY, color_scheme_seed=SEED, use_material3=True)
