"""地图 and 导出 in a real browser, on the demo township, against a tile server this test starts on loopback.

The office's map draws the local server's tiles under its markers; a cluster opens the list behind it and a
row opens its issue. With the tile server stopped the same map shows its markers on the plain grid and says
the server did not answer, without waiting on it. An export from 分办 downloads an Excel file that reads back.
Screenshots at 412x860 and 1280x800 go to SHOTS, to be looked at.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, expect_screen, new_page, open_app, reload, settle,
                               tap, text)
from tests.e2e.tiles import TILE_FILL, TileServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/lianluo-map-shots")
NO_ANSWER = "地图服务器没有应答"


@pytest.fixture
def tiles() -> Iterator[TileServer]:
    server = TileServer().start()
    yield server
    try:
        server.stop()
    except OSError:
        pass  # stopped by the test already


@pytest.fixture
def office(tmp_path, request, tiles, monkeypatch) -> AppServer:
    monkeypatch.setenv("LIANLUO_MAP_TILE_URL", tiles.url_template)  # the app reads it at start
    server = AppServer(tmp_path / "office", user="office-ma")
    server.start()
    request.addfinalizer(server.stop)
    return server


@contextmanager
def window(browser, server: AppServer, viewport: dict, route: str) -> Iterator[tuple[Page, object]]:
    page, network = new_page(browser, viewport)
    try:
        open_app(page, server.url, route)
        yield page, network
    except BaseException:
        shoot(page, f"failure-{viewport['width']}")
        raise
    finally:
        page.context.close()


def shoot(page: Page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(700)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def tile_share(path: Path) -> float:
    """How much of the screenshot is drawn in the local tiles' colour."""
    image = Image.open(path).convert("RGB")
    near = sum(count for count, colour in image.getcolors(maxcolors=1 << 20)
               if all(abs(a - b) <= 6 for a, b in zip(colour, TILE_FILL)))
    return near / (image.width * image.height)


def notice(page: Page):
    """The message above the map, read as one group (its words and its button)."""
    return page.get_by_role("group", name=re.compile(NO_ANSWER))


def wait_for_markers(page: Page) -> None:
    expect(by_id(page, "map-marker-cluster").first).to_be_attached()
    settle(page)


def test_the_map_draws_the_local_tiles_then_a_plain_grid_and_says_so_once_the_server_stops(browser, office, tiles):
    with window(browser, office, PHONE, "/map") as (page, network):  # one of 年度's screens, opened by its route
        wait_for_markers(page)
        expect_screen(page, "地图")
        page.wait_for_function("() => true")  # one more turn of the page's loop
        assert tiles.requests and all(r.startswith("/tiles/") for r in tiles.requests)
        shot = shoot(page, "map-tiles-412x860")
        assert tile_share(shot) > 0.25, "the local server's tiles are not on the screen"
        assert notice(page).count() == 0
        assert text(page, "待分办").count() and text(page, "多项（数字为项数）").count()  # the legend's words
        # A cluster opens the list behind it; a row of it opens that issue.
        tap(by_id(page, "map-marker-cluster").first)
        expect(text(page, "这里有").first).to_be_visible()
        shoot(page, "map-cluster-412x860")
        tap(by_id(page, "map-cluster-item").first)
        expect_screen(page, "问题详情")
        assert network.unexpected_outside() == []
    with window(browser, office, DESKTOP, "/map") as (page, _):
        wait_for_markers(page)
        assert tile_share(shoot(page, "map-tiles-1280x800")) > 0.25

    tiles.stop()
    asked = len(tiles.requests)
    with window(browser, office, PHONE, "/map") as (page, _):
        expect(notice(page)).to_be_visible()
        wait_for_markers(page)
        assert button(page, "重新加载底图").count() == 1
        shot = shoot(page, "map-no-server-412x860")
        assert tile_share(shot) < 0.01, "tiles are drawn although the server is gone"
        assert len(tiles.requests) == asked  # nothing reached it: it is not there
        # The map still works: a cluster still opens its list.
        tap(by_id(page, "map-marker-cluster").first)
        expect(text(page, "这里有").first).to_be_visible()
    with window(browser, office, DESKTOP, "/map") as (page, _):
        expect(notice(page)).to_be_visible()
        wait_for_markers(page)
        shoot(page, "map-no-server-1280x800")
        reload(page)
        expect(notice(page)).to_be_visible()


def test_an_export_of_the_triage_list_downloads_as_excel(browser, office, tmp_path):
    with window(browser, office, PHONE, "/triage") as (page, _):
        expect_screen(page, "分办")
        count = text(page, "件").first.inner_text()
        shoot(page, "triage-412x860")
        tap(button(page, "导出"))
        expect(text(page, "本列表").first).to_be_visible()
        shoot(page, "export-dialog-412x860")
        with page.expect_download() as download:
            tap(by_id(page, "export-list.xlsx").get_by_role("button"))
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name == "联络通_分办.xlsx"
        expect(text(page, "已导出：联络通_分办.xlsx")).to_be_visible()
        sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
        assert [c.value for c in sheet[1]][:2] == ["问题", "状态"] and sheet.freeze_panes == "A2"
        titles = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert titles and all(t for t in titles) and str(len(titles)) in count
        assert {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)} == {"待分办"}
    with window(browser, office, DESKTOP, "/triage") as (page, _):
        expect_screen(page, "分办")
        tap(button(page, "导出"))
        expect(text(page, "全部数据").first).to_be_visible()
        shoot(page, "export-dialog-1280x800")
