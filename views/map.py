"""地图: issues by status, inspections and stations on the settings' tiles, or on a plain grid that says why.

Markers near each other at the zoom are one cluster with its count; a tap opens the item, or the list behind
a cluster. A tile that does not load turns the tiles off at once: the grid, the markers and a message stay,
and nothing waits on the tile server. + and − zoom for those who do not pinch.
"""

from __future__ import annotations

from typing import Callable

import flet as ft
import flet_map as fm

from app.viewmodels.context import AppContext
from app.viewmodels.exports import ExportModel
from app.viewmodels.map import MapItem, MapModel, MarkerView
from views.exports import export_button
from views.theme import BODY, TOUCH

Go = Callable[[str], None]
MARKER = 48  # the touch target; the disc inside is a little smaller, with a white ring
ICONS = {"issue": ft.Icons.PRIORITY_HIGH, "inspection": ft.Icons.FACT_CHECK, "station": ft.Icons.HOME_WORK}
GRID = "#B0BEC5"
GROUND = "#F4F1EA"  # the plain grid's paper
MUTED = "#455A64"
WARNING = ("#FFF3E0", "#8A4B00")
CHROME = 330  # app bar, notice, legend and the bar below: what the map leaves for itself on a phone


def map_body(page: ft.Page, ctx: AppContext, *, go: Go) -> ft.Control:
    model = MapModel(ctx, width=min(page.width or 412, 760), height=max((page.height or 860) - CHROME, 240))
    t = ctx.t
    markers = fm.MarkerLayer(markers=[])
    grid = fm.PolylineLayer(polylines=[])
    the_map = fm.Map(
        expand=True, initial_center=fm.MapLatitudeLongitude(*model.centre), initial_zoom=model.zoom,
        min_zoom=3, max_zoom=18, bgcolor=GROUND, layers=[], on_position_change=lambda e: moved(e),
        interaction_configuration=fm.InteractionConfiguration(flags=fm.InteractionFlag.ALL & ~fm.InteractionFlag.ROTATE))
    notice = ft.Container(bgcolor=WARNING[0], border_radius=12, padding=12,
                          margin=ft.Margin.symmetric(horizontal=12, vertical=8))
    wrapped_notice = ft.Semantics(content=notice, identifier="map-notice", container=True, visible=False)

    def draw_layers() -> None:
        tiles = [fm.TileLayer(url_template=spec.url_template, subdomains=list(spec.subdomains),
                              additional_options=dict(spec.options), max_native_zoom=model.max_native_zoom,
                              user_agent_package_name="cn.lianluo.app", on_image_error=tile_failed,
                              evict_error_tile_strategy=fm.TileLayerEvictErrorTileStrategy.DISPOSE,
                              display_mode=fm.InstantaneousTileDisplay())
                 for spec in model.tile_layers]
        draw_grid()
        draw_markers()
        the_map.bgcolor = "#E0E0E0" if model.showing_tiles else GROUND
        credit = [fm.SimpleAttribution(text=model.attribution, text_style=ft.TextStyle(size=14))] \
            if model.attribution else []
        the_map.layers = tiles + [grid, markers] + credit
        draw_notice()

    def draw_grid(centre=None) -> None:
        grid.polylines = [fm.PolylineMarker(coordinates=[fm.MapLatitudeLongitude(*a), fm.MapLatitudeLongitude(*b)],
                                            color=GRID, border_color=GRID, stroke_width=1)
                          for a, b in model.grid(centre)]

    def draw_markers() -> None:
        markers.markers = [_marker(m, lambda key=m.key: tapped(key)) for m in model.markers]

    def draw_notice() -> None:
        wrapped_notice.visible = bool(model.notice)
        items: list[ft.Control] = [ft.Row([ft.Icon(ft.Icons.GRID_ON, color=WARNING[1]),
                                           ft.Text(model.notice, size=BODY, color=WARNING[1], expand=True)],
                                          vertical_alignment=ft.CrossAxisAlignment.START)]
        if model.can_retry:
            items.append(ft.OutlinedButton(content=ft.Text(t("map.retry"), size=BODY), icon=ft.Icons.REFRESH,
                                           height=TOUCH, on_click=lambda _: retry()))
        notice.content = ft.Column(items, spacing=8, tight=True)

    def tile_failed(_e=None) -> None:
        if model.tiles_failed():
            draw_layers()
            _update(root)

    def retry() -> None:
        if model.retry_tiles():
            draw_layers()
            _update(root)

    def moved(e: fm.MapPositionChangeEvent) -> None:
        centre = (e.coordinates.latitude, e.coordinates.longitude)
        if model.set_zoom(e.camera.zoom, centre):
            draw_grid(centre)
            draw_markers()
            _update(the_map)

    def tapped(key: str) -> None:
        opened = model.open(key)
        if isinstance(opened, str):
            go(opened)
        elif opened:
            _cluster_dialog(page, ctx, model.cluster_title(key), opened, go)

    async def zoom(step: int) -> None:
        await (the_map.zoom_in() if step > 0 else the_map.zoom_out())

    zooms = ft.Column([
        _round_button(ft.Icons.ADD, t("map.zoom_in"), lambda _: page.run_task(zoom, 1), "map-zoom-in"),
        _round_button(ft.Icons.REMOVE, t("map.zoom_out"), lambda _: page.run_task(zoom, -1), "map-zoom-out"),
    ], spacing=8, right=12, top=12)
    draw_layers()
    below = [ft.Text(model.summary, size=BODY, weight=ft.FontWeight.W_600)]
    if model.unplaced_text:
        below.append(ft.Text(model.unplaced_text, size=BODY, color=MUTED))
    below.append(_legend(t("map.legend.title"), model))
    below.append(export_button(page, ctx, lambda: ExportModel(ctx, tables=("issue", "inspection"))))
    root = ft.Column([
        wrapped_notice,
        ft.Container(ft.Stack([the_map, zooms], expand=True), expand=True, border_radius=12,
                     clip_behavior=ft.ClipBehavior.ANTI_ALIAS, margin=ft.Margin.only(left=12, right=12, top=8)),
        ft.Container(ft.Column(below, spacing=8, tight=True),
                     padding=ft.Padding.only(left=16, right=16, top=8, bottom=12)),
    ], spacing=0, expand=True)
    return root


def _marker(m: MarkerView, on_tap: Callable[[], None]) -> fm.Marker:
    inner = (ft.Text(str(m.count), size=18, weight=ft.FontWeight.BOLD, color="#FFFFFF") if m.kind == "cluster"
             else ft.Icon(ICONS[m.kind], size=24, color="#FFFFFF"))
    disc = ft.Container(inner, width=MARKER - 4, height=MARKER - 4, bgcolor=m.colour, alignment=ft.Alignment.CENTER,
                        border=ft.Border.all(3, "#FFFFFF"), border_radius=(MARKER - 4) / 2 if m.kind in (
                            "issue", "cluster") else 10,
                        shadow=ft.BoxShadow(blur_radius=4, color="#66000000", offset=ft.Offset(0, 1)),
                        on_click=lambda _: on_tap())
    content = ft.Semantics(content=disc, identifier=f"map-marker-{m.kind}", label=m.label, button=True,
                           container=True)
    return fm.Marker(content=content, coordinates=fm.MapLatitudeLongitude(m.latitude, m.longitude),
                     width=MARKER, height=MARKER)


def _round_button(icon: ft.IconData, tooltip: str, on_click, identifier: str) -> ft.Control:
    button = ft.IconButton(icon=icon, icon_size=28, tooltip=tooltip, on_click=on_click, width=TOUCH, height=TOUCH,
                           bgcolor="#FFFFFF", icon_color="#263238",
                           style=ft.ButtonStyle(side=ft.BorderSide(1, "#90A4AE")))
    return ft.Semantics(content=button, identifier=identifier, label=tooltip, container=True)


def _legend(title: str, model: MapModel) -> ft.Control:
    """Every colour with its word; issues are discs, inspections and stations squares, as on the map."""
    entries = []
    for row in model.legend:
        sign = ft.Container(width=18, height=18, bgcolor=row.colour, border_radius=9 if row.kind in (
            "issue", "cluster") else 4)
        entries.append(ft.Row([sign, ft.Text(row.label, size=BODY)], spacing=6, tight=True))
    return ft.Semantics(content=ft.Row([ft.Text(title, size=BODY, color=MUTED), *entries], wrap=True, spacing=14,
                                       run_spacing=6), identifier="map-legend", container=True)


def _cluster_dialog(page: ft.Page, ctx: AppContext, title: str, items: list[MapItem], go: Go) -> None:
    """The list behind a cluster: each row opens its item."""
    def open_item(route: str) -> None:
        page.pop_dialog()
        go(route)

    rows = [ft.Semantics(content=ft.Container(ft.Row([
        ft.Container(width=14, height=40, bgcolor=item.colour, border_radius=4),
        ft.Column([ft.Text(item.title, size=BODY + 1, weight=ft.FontWeight.W_600, max_lines=2,
                           overflow=ft.TextOverflow.ELLIPSIS),
                   ft.Text(" · ".join(p for p in (item.kind_label, item.status_label) if p), size=BODY,
                           color=MUTED)], spacing=2, expand=True),
        ft.Icon(ft.Icons.CHEVRON_RIGHT, color=MUTED)], spacing=12),
        padding=ft.Padding.symmetric(horizontal=8, vertical=8), ink=True, border_radius=8,
        on_click=lambda _, r=item.route: open_item(r)), button=True, container=True, identifier="map-cluster-item")
        for item in items]
    page.show_dialog(ft.AlertDialog(
        title=ft.Text(title, size=20, weight=ft.FontWeight.W_600),
        content=ft.Container(ft.Column(rows, spacing=4, tight=True, scroll=ft.ScrollMode.AUTO), width=520),
        scrollable=True,
        actions=[ft.TextButton(content=ft.Text(ctx.t("map.close"), size=BODY), height=TOUCH,
                               on_click=lambda _: page.pop_dialog())]))


def _update(control: ft.Control) -> None:
    try:
        control.update()
    except RuntimeError:  # not on the page any more: the next draw reads the model afresh
        pass
