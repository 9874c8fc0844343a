"""The map without a page: tile URLs from the settings, WGS-84 → GCJ-02, clusters by zoom, what each person sees."""

from __future__ import annotations

import math

import pytest
from sqlmodel import select

from app.actors import Actor
from app.demo import seed_demo
from app.issues import ISSUE, Issue
from app.map import (LEGEND, STATUS_COLOURS, MapPoint, PointKind, TilesOff, cluster, colour_of, expand, fit,
                     gcj02_to_wgs84, grid_lines, grid_step, map_points, out_of_china, tile_source, to_pixels,
                     wgs84_to_gcj02)
from app.models import Person, Station
from app.reference import stable_id
from app.settings import Settings, SettingsError, load_settings


# -- tiles ---------------------------------------------------------------------------------------------------------
def test_tianditu_is_the_default_and_needs_a_key():
    assert Settings().map_tiles == "tianditu"
    assert tile_source(Settings()) is TilesOff.NO_KEY
    source = tile_source(Settings(tianditu_key="k123"))
    assert not source.gcj02 and len(source.layers) == 2  # streets, then the Chinese place names above them
    streets, names = source.url(x=6, y=3, z=4), source.url(x=6, y=3, z=4, layer=1)
    assert streets == ("https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
                       "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX=4&TILEROW=3&TILECOL=6&tk=k123")
    assert "/cva_w/" in names and "LAYER=cva" in names
    assert source.layers[0].subdomains == tuple("01234567")


def test_amap_tiles_are_gcj02_and_none_means_the_plain_grid():
    source = tile_source(Settings(map_tiles="amap"))
    assert source.gcj02 and source.url(x=52, y=25, z=6) == (
        "https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x=52&y=25&z=6")
    assert tile_source(Settings(map_tiles="none", tianditu_key="k")) is TilesOff.NONE
    assert TilesOff.FAILED.message_key == "map.tiles.failed"


def test_a_tile_server_of_the_townships_own_stands_in_for_the_providers():
    own = tile_source(Settings(map_tile_url="http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"))
    assert own.url(x=1, y=2, z=3) == "http://127.0.0.1:9/tiles/3/1/2.png" and not own.gcj02  # no key needed
    assert tile_source(Settings(map_tiles="amap", map_tile_url="http://127.0.0.1:9/{z}/{x}/{y}")).gcj02
    keyed = tile_source(Settings(map_tile_url="https://maps.example/{z}/{x}/{y}?tk={key}", tianditu_key="abc"))
    assert keyed.url(x=1, y=2, z=3) == "https://maps.example/3/1/2?tk=abc"
    assert expand("{z}/{x}/{unknown}", z=1, x=2) == "1/2/{unknown}"


def test_the_map_settings_are_read_from_the_environment_and_checked():
    settings = load_settings(None, {"LIANLUO_MAP_TILES": "AMap", "LIANLUO_TIANDITU_KEY": " k ",
                                    "LIANLUO_MAP_TILE_URL": "http://127.0.0.1:8123/{z}/{x}/{y}.png"})
    assert (settings.map_tiles, settings.tianditu_key, settings.map_tile_url) == (
        "amap", "k", "http://127.0.0.1:8123/{z}/{x}/{y}.png")
    with pytest.raises(SettingsError, match="LIANLUO_MAP_TILES"):
        load_settings(None, {"LIANLUO_MAP_TILES": "google"})
    with pytest.raises(SettingsError, match="LIANLUO_MAP_TILE_URL"):
        load_settings(None, {"LIANLUO_MAP_TILE_URL": "http://127.0.0.1/tiles.png"})


# -- coordinates -----------------------------------------------------------------------------------------------------
def test_wgs84_points_are_shifted_to_gcj02_as_amap_draws_them():
    # The reference pair published with the widely used coordtransform library (Tian'anmen, Beijing).
    lat, lon = wgs84_to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9) and lon == pytest.approx(116.41024449916938, abs=1e-9)
    # In 桔园镇 the shift is a few hundred metres, and the way back lands within a centimetre.
    shifted = wgs84_to_gcj02(33.1532, 107.3321)
    metres = math.hypot((shifted[0] - 33.1532) * 111_000, (shifted[1] - 107.3321) * 93_000)
    assert 100 < metres < 700
    back = gcj02_to_wgs84(*shifted)
    assert back == pytest.approx((33.1532, 107.3321), abs=1e-7)
    assert out_of_china(48.85, 2.35) and wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)  # Paris stays put


def test_web_mercator_pixels_double_with_each_zoom():
    assert to_pixels(0, 0, 0) == pytest.approx((128, 128))
    x1, y1 = to_pixels(33.15, 107.33, 10)
    x2, y2 = to_pixels(33.15, 107.33, 11)
    assert (x2, y2) == pytest.approx((2 * x1, 2 * y1))


# -- clusters --------------------------------------------------------------------------------------------------------
def point(n: int, lat: float, lon: float, kind=PointKind.ISSUE, status="new") -> MapPoint:
    return MapPoint(kind, f"p{n}", lat, lon, f"第{n}件", status)


def test_near_markers_gather_when_zoomed_out_and_part_when_zoomed_in():
    village = [point(i, 33.1532 + i * 0.0002, 107.3321 + i * 0.0002) for i in range(5)]  # ~30 m apart
    far = point(9, 33.20, 107.40)
    points = village + [far]
    out = cluster(points, zoom=12)
    assert sorted(len(c.members) for c in out) == [1, 5]
    group = next(c for c in out if len(c.members) == 5)
    assert group.latitude == pytest.approx(sum(p.latitude for p in village) / 5)
    assert group.single is None and next(c for c in out if c.single).single == far
    inside = cluster(points, zoom=18)
    assert len(inside) == 6 and all(c.single for c in inside)
    for zoom in range(3, 19):  # every point in exactly one cluster, the same way each time
        clusters = cluster(points, zoom=zoom)
        assert sorted(p.id for c in clusters for p in c.members) == sorted(p.id for p in points)
        assert [c.key for c in clusters] == [c.key for c in cluster(points, zoom=zoom)]


def test_the_first_view_shows_every_point():
    points = [point(1, 33.10, 107.30), point(2, 33.20, 107.40)]
    lat, lon, zoom = fit(points, width=412, height=600)
    assert (lat, lon) == pytest.approx((33.15, 107.35))
    (x0, y0), (x1, y1) = to_pixels(33.20, 107.30, zoom), to_pixels(33.10, 107.40, zoom)
    assert x1 - x0 <= 412 and y1 - y0 <= 600
    assert to_pixels(33.10, 107.40, zoom + 1)[0] - to_pixels(33.20, 107.30, zoom + 1)[0] > 412 - 96
    assert fit([], width=400, height=400) == (35.0, 105.0, 4)


def test_the_plain_grid_has_round_lines_a_readable_distance_apart():
    assert grid_step(8) > grid_step(13) > grid_step(17)
    lines = grid_lines(33.15, 107.33, 13)
    meridians = sorted({a[1] for a, b in lines if a[1] == b[1]})
    assert meridians and all(round(m / grid_step(13), 6).is_integer() for m in meridians)
    assert meridians[0] < 107.33 < meridians[-1]


# -- what each person sees ---------------------------------------------------------------------------------------------
def test_each_person_sees_the_points_they_may_see_with_a_colour_and_a_word(session):
    seed_demo(session)
    office = Actor.of(session.get(Person, stable_id("person", "office-ma")))
    li = Actor.of(session.get(Person, stable_id("person", "deputy-li")))
    everything, unplaced = map_points(session, office)
    issues = list(session.exec(select(Issue)))
    placed = [i for i in issues if i.latitude is not None and i.status != "merged"]
    assert [p.id for p in everything if p.kind is PointKind.ISSUE] == [i.id for i in sorted(
        placed, key=lambda i: (i.created_at, i.id))]
    assert unplaced == len([i for i in issues if i.latitude is None and i.status != "merged"])
    stations = [p for p in everything if p.kind is PointKind.STATION]
    assert len(stations) == len([s for s in session.exec(select(Station)) if s.latitude is not None]) == 8
    mine, _ = map_points(session, li)
    assert {p.id for p in mine if p.kind is PointKind.ISSUE} == {i.id for i in placed if ISSUE.visible(li, i)}
    assert len([p for p in mine if p.kind is PointKind.ISSUE]) < len(placed)
    assert {colour_of(p) for p in everything if p.kind is PointKind.ISSUE} <= set(STATUS_COLOURS.values())
    # Every colour on the map has its word in the legend.
    assert {colour_of(p) for p in everything} <= {entry.colour for entry in LEGEND}
