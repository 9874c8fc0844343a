"""地图 and 导出 as their screens see them, on the demo township, with no page and no browser."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.demo import seed_demo
from app.map import PointKind, wgs84_to_gcj02
from app.photos import PhotoStore
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.exports import LIST, ExportChoice, ExportModel
from app.viewmodels.map import MapModel


@pytest.fixture
def store(engine, settings, tmp_path):
    photos = PhotoStore(tmp_path / "photos")
    with AppContext(engine, photos, settings).session() as session:
        seed_demo(session)
    return engine, photos, settings


def signed_in(store, code: str, **settings) -> AppContext:
    engine, photos, base = store
    ctx = AppContext(engine, photos, base.with_overrides(**settings) if settings else base)
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


LOCAL = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"


def test_without_a_key_the_map_says_so_and_draws_its_markers_on_a_grid(store):
    model = MapModel(signed_in(store, "office-ma"))
    assert not model.showing_tiles and model.tile_layers == ()
    assert "天地图需要密钥" in model.notice and not model.can_retry
    assert model.grid() and model.markers
    assert model.summary.startswith("问题 ") and "联络站 8 个" in model.summary


def test_a_tile_server_that_fails_turns_the_tiles_off_once_and_may_be_asked_again(store):
    model = MapModel(signed_in(store, "office-ma", map_tile_url=LOCAL))
    assert model.showing_tiles and model.notice == "" and model.grid() == []
    assert model.tile_layers[0].url_template == LOCAL and model.attribution == "天地图"
    assert model.tiles_failed() is True and model.tiles_failed() is False  # the screen redraws once
    assert "没有应答" in model.notice and model.can_retry and model.grid()
    assert model.retry_tiles() and model.showing_tiles and model.notice == ""


def test_on_amap_tiles_markers_stand_at_their_gcj02_places(store):
    plain = MapModel(signed_in(store, "office-ma", map_tiles="none"))
    amap = MapModel(signed_in(store, "office-ma", map_tiles="amap"))
    plain.set_zoom(18)
    amap.set_zoom(18)
    a, b = plain.markers[0], amap.markers[0]
    assert (b.latitude, b.longitude) == pytest.approx(wgs84_to_gcj02(a.latitude, a.longitude))
    assert amap.tiles_failed() and (amap.markers[0].latitude, amap.markers[0].longitude) == (a.latitude, a.longitude)


def test_markers_cluster_when_zoomed_out_and_a_tap_opens_the_item_or_the_list_behind_it(store):
    model = MapModel(signed_in(store, "office-ma", map_tiles="none"))
    model.set_zoom(9)
    clusters = [m for m in model.markers if m.kind == "cluster"]
    assert clusters and sum(m.count for m in model.markers) == len(model.points)
    biggest = max(clusters, key=lambda m: m.count)
    assert f"这里有 {biggest.count} 项" in biggest.label
    items = model.open(biggest.key)
    assert len(items) == biggest.count and items[0].kind_label == "问题"
    assert all(i.route.startswith(("/issues/", "/inspections/", "/receptions?station=")) for i in items)
    assert any(i.status_label for i in items)
    assert "这里有" in model.cluster_title(biggest.key)
    assert model.set_zoom(18) is True and model.set_zoom(18.3) is False
    single = next(m for m in model.markers if m.kind == "issue")
    assert model.open(single.key).startswith("/issues/") and single.label.startswith("问题：")
    station = next(m for m in model.markers if m.kind == "station")
    assert model.open(station.key).startswith("/receptions?station=")
    assert {m.colour for m in model.markers} <= {row.colour for row in model.legend}
    assert [row.label for row in model.legend][:4] == ["待分办", "办理中", "已办结", "已退回"]


def test_a_deputy_sees_on_the_map_only_what_they_may_see(store):
    office = MapModel(signed_in(store, "office-ma"))
    li = MapModel(signed_in(store, "deputy-li"))
    issues = lambda m: {p.id for p in m.points if p.kind is PointKind.ISSUE}  # noqa: E731
    assert issues(li) < issues(office)


def test_the_export_dialog_offers_this_list_the_years_tables_and_everything_to_the_office(store):
    office = signed_in(store, "office-ma")
    from app.viewmodels.triage import TriageModel
    triage = TriageModel(office)
    model = ExportModel(office, tables=("issue",), list_ids=[r.id for r in triage.rows], list_title="分办")
    headings = [g.heading for g in model.groups]
    assert headings[0] == f"本列表（{len(triage.rows)} 条）" and headings[-1].endswith("全部数据（每张表一页）")
    assert [c.label for c in model.groups[1].choices] == ["Excel 表格", "CSV 文本", "GeoJSON 地图数据"]
    name, data = model.file(ExportChoice(LIST, "xlsx", ""))
    assert name == "联络通_分办.xlsx"
    sheet = load_workbook(io.BytesIO(data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [r.title for r in triage.rows]
    model.set_year("2025")
    assert "2025年" in model.groups[1].heading and model.year in model.years


def test_a_department_is_offered_only_what_it_may_export_and_told_why_otherwise(store):
    water = signed_in(store, "dept-water")
    model = ExportModel(water, tables=("issue", "inspection"))
    assert [g.heading for g in model.groups] == [f"问题（{model.year}年）"]
    assert model.file(ExportChoice("inspection", "xlsx", "")) is None
    assert model.error == "你的角色不能导出这些记录"
    assert model.saved_text("a.xlsx") == "已导出：a.xlsx"
