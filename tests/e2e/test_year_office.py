"""年度 in a real browser, on the demo township with its 2024 on record: the office picks 2024, sees the report's
figures, opens one of their lists, the dashboard's charts, and the annual summary; edits a part, saves it,
exports Word, and the downloaded .docx holds the edited text. Screens go to SHOTS at 1280x800 and 412x860,
to be looked at.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.demo import seed_demo
from app.demo_year import YEAR, seed_demo_year
from app.store import open_store
from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, choose_chip, expect_screen, field_input,
                               go_back, new_page, open_app, settle, tap, text)

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/lianluo-year-shots")
FIGURES = {"联络站（中心+片区）": "1+7", "视察评议（次）": "3", "业务培训（场次）": "2", "述职报告（份）": "8",
           "知识测试（人次）": "69", "票决民生实事（个）": "3", "满意度测评（次）": "2", "“回头看”整改率": "100%",
           "项目意见（件）": "11"}
EDIT = "全镇一个中心站、七个片区站全年常态运行，代表进站履职成为习惯。"


@pytest.fixture
def office(tmp_path, request) -> AppServer:
    """The office's PC working alone on the demo township, its 2024 loaded into the store before the app starts."""
    data = tmp_path / "office"
    engine = open_store(data / "lianluo.sqlite3")
    with Session(engine) as session:
        seed_demo(session)
        seed_demo_year(session)
    engine.dispose()
    server = AppServer(data, user="office-ma")
    server.start()
    request.addfinalizer(server.stop)
    return server


def shoot(page: Page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(700)
    size = page.viewport_size
    path = SHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path))
    return path


def scroll(page: Page, dy: int) -> None:
    """Turn the mouse wheel over the middle of the screen (Flutter scrolls what is under the pointer)."""
    size = page.viewport_size
    page.mouse.move(size["width"] * 0.6, size["height"] * 0.6)
    page.mouse.wheel(0, dy)
    page.mouse.move(size["width"] - 2, size["height"] * 0.6)  # off the charts: no tooltip over the picture
    page.wait_for_timeout(400)


def tile(page: Page, label: str, value: str):
    return page.get_by_role("button", name=f"{label}：{value}，点开看明细", exact=True)


def year_tab(page: Page) -> None:
    rail = page.get_by_role("button", name=re.compile(r"^年度\s+Tab \d+ of \d+$"))
    tap(page.get_by_role("tab", name="年度").or_(rail))
    expect_screen(page, "年度")


def test_the_office_opens_its_year_sees_the_report_charts_and_exports_the_edited_summary(browser, office, tmp_path):
    page, network = new_page(browser, DESKTOP)
    try:
        open_app(page, office.url, "/")
        year_tab(page)
        choose_chip(page, f"{YEAR}年")
        expect(text(page, f"{YEAR}年度工作")).to_be_visible()
        for label, value in FIGURES.items():
            expect(tile(page, label, value)).to_be_attached()
        received = page.get_by_role("button", name=re.compile(r"^接待群众（人次）：(\d+)，"))
        assert int(re.search(r"：(\d+)，", received.get_attribute("aria-label") or received.inner_text()).group(1)) >= 120
        shoot(page, "year-hub")

        # A figure opens the list behind it.
        tap(tile(page, "视察评议（次）", "3"))
        expect_screen(page, f"{YEAR}年 · 视察评议（次）")
        expect(text(page, "共 3 项")).to_be_visible()
        go_back(page)
        expect_screen(page, "年度")

        # 统计图表: the dashboard with the year's charts above its table.
        tap(page.get_by_role("button", name=re.compile(r"^统计图表")))
        expect_screen(page, "办理统计")
        expect(page.get_by_role("group", name=re.compile(f"^{YEAR}年统计图表"))).to_be_visible()
        for key in ("status", "category", "station", "month"):
            expect(by_id(page, f"chart-{key}")).to_be_attached()
        # Each chart says its numbers: the card's words, not the drawing.
        expect(page.get_by_role("group", name=re.compile(r"整改率 100%（已整改 32 "))).to_be_attached()
        for n in range(6):  # every chart, drawn, to be looked at
            shoot(page, f"charts-{n}")
            scroll(page, 700)
        go_back(page)
        expect_screen(page, "年度")

        # 年度总结: a part edited and saved, then the Word file with the edited text.
        tap(page.get_by_role("button", name=re.compile(r"^年度总结")))
        expect_screen(page, "年度工作总结")
        expect(text(page, "桔园镇人大2024年度工作总结")).to_be_visible()
        box = field_input(page, "建强履职阵地")
        box.click()
        expect(box).to_be_focused()
        box.fill(EDIT)
        expect(box).to_have_value(EDIT)
        tap(by_id(page, "summary-save-stations").get_by_role("button"))
        expect(text(page, "已保存修改。")).to_be_visible()
        expect(text(page, "已修改（导出时用修改后的文字）")).to_be_visible()
        shoot(page, "summary-edited")
        with page.expect_download() as download:
            tap(by_id(page, "summary-export").get_by_role("button"))
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name == "桔园镇人大2024年度工作总结.docx"
        document = Document(io.BytesIO(saved.read_bytes()))
        paragraphs = [p.text for p in document.paragraphs]
        assert EDIT in paragraphs and "建成1个镇级人大代表中心联络站" not in "\n".join(paragraphs)
        cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
        assert cells["重点工作视察评议（次）"] == "3" and cells["收集民生实事项目意见（件）"] == "11"
        expect(text(page, "已导出：桔园镇人大2024年度工作总结.docx")).to_be_visible()
        assert network.unexpected_outside() == []

        # The same screens on a phone's width.
        page.set_viewport_size(PHONE)
        go_back(page)
        expect_screen(page, "年度")
        shoot(page, "year-hub")
        tap(page.get_by_role("button", name=re.compile(r"^统计图表")))
        expect_screen(page, "办理统计")
        for n in range(4):
            scroll(page, 800)
            shoot(page, f"charts-{n}")
        go_back(page)
        tap(page.get_by_role("button", name=re.compile(r"^代表履职档案")))
        expect_screen(page, f"{YEAR}年代表履职档案")
        shoot(page, "deputies")
        tap(page.get_by_role("button", name=re.compile(r"^王建华\s")).first)
        expect_screen(page, f"王建华 · {YEAR}年履职档案")
        shoot(page, "record")
    except BaseException:
        shoot(page, "failure")
        raise
    finally:
        page.context.close()
