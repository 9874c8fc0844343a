"""An issue's detail in a real browser: the whole timeline drawn on screen, and one step taken through its form.

The semantics tree can hold a timeline Flutter never drew (seen here: five events in the tree, one
on the screen), so each event is scrolled to with the mouse wheel and its box on the screenshot
must hold drawn text and the timeline's coloured bar.
"""

from __future__ import annotations

import io
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from app.issues import today_in_china
from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, choose_chip, expect_field_value,
                               expect_screen, new_page, open_app, settle, tap, text)

pytestmark = pytest.mark.e2e

CANTEEN = "学校食堂排烟管道油污较多"  # verified by a look-back: five events
CANTEEN_EVENTS = ("create", "assign", "resolve", "rate", "look_back")
SPEED_BUMPS = "校门口道路缺少减速带和警示标志"  # new, waiting for the office
BAR = (0x80, 0xCB, 0xC4)  # the timeline's bar (views/detail.py)
APP_BAR = 56
SHOTS = Path("/tmp/lianluo-detail-shots")  # screenshots to look at, kept after the run


def serve(tmp_path: Path, request, user: str):
    server = AppServer(tmp_path / user, user=user)
    server.start()
    request.addfinalizer(server.stop)
    return server


def issue_id(server: AppServer, title: str) -> str:
    with sqlite3.connect(server.data_dir / "lianluo.sqlite3") as db:
        return db.execute("select id from issue where title = ?", (title,)).fetchone()[0]


def open_detail(page: Page, server: AppServer, title: str) -> None:
    """Open an issue's detail by its address; the app makes its demo replica when the first page comes."""
    if not (server.data_dir / "lianluo.sqlite3").exists():
        open_app(page, server.url, "/")
        expect(page.get_by_role("heading").first).to_be_visible()
    open_app(page, server.url, f"/issues/{issue_id(server, title)}")
    expect_screen(page, "问题详情")
    expect(text(page, title, exact=True)).to_be_visible()


def drawn(page: Page, box: dict) -> tuple[int, int]:
    """How many dark (text) pixels and how many bar-coloured pixels the screen shows in a box."""
    image = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
    data, dark, bar = image.tobytes(), 0, 0
    for r, g, b in zip(data[0::3], data[1::3], data[2::3]):
        if r + g + b < 300:
            dark += 1
        elif abs(r - BAR[0]) < 12 and abs(g - BAR[1]) < 12 and abs(b - BAR[2]) < 12:
            bar += 1
    return dark, bar


def scroll_to(page: Page, target: Locator, viewport: dict) -> dict:
    """Turn the mouse wheel over the screen until the target's whole box lies inside the viewport."""
    page.mouse.move(viewport["width"] / 2, viewport["height"] / 2)
    top, bottom = APP_BAR + 2, viewport["height"] - 4
    for _ in range(40):
        box = target.bounding_box()
        # Flutter clips a node's box to what is on screen: one touching an edge may be cut off.
        if box and box["height"] >= 30 and box["y"] >= top and box["y"] + box["height"] <= bottom:
            return box
        page.mouse.wheel(0, 200 if not box or box["y"] + box["height"] / 2 > viewport["height"] / 2 else -200)
        page.wait_for_timeout(150)
        settle(page, quiet_ms=200)
    raise AssertionError(f"never scrolled into view: {target}")


def expect_drawn(page: Page, target: Locator, viewport: dict) -> None:
    box = scroll_to(page, target, viewport)
    page.wait_for_timeout(300)  # the frame after the scroll
    dark, bar = drawn(page, box)
    assert dark > 200 and bar > 50, f"{target} is in the tree at {box} but not drawn (text {dark}, bar {bar} px)"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_all_five_events_of_a_verified_issue_are_drawn_on_screen(browser, tmp_path, request, viewport):
    server = serve(tmp_path, request, "deputy-zhou")
    page, _ = new_page(browser, viewport)
    try:
        open_detail(page, server, CANTEEN)
        expect(by_id(page, "timeline-create")).to_be_attached()
        for kind in CANTEEN_EVENTS:
            expect_drawn(page, by_id(page, f"timeline-{kind}"), viewport)
        for words in ("牵头：镇中心学校", "林晓梅（镇中心学校）", "满意 · 已整改，建议落实定期清洗。", "结论：已整改到位"):
            expect(text(page, words).first).to_be_visible()
        # Back to the top with the wheel: the title is drawn again, nothing was left blank.
        title = text(page, CANTEEN, exact=True)
        box = scroll_to(page, title, viewport)
        assert drawn(page, box)[0] > 100
    finally:
        page.context.close()


def test_the_office_assigns_a_new_issue_and_the_timeline_shows_it_at_once(phone, tmp_path, request):
    server = serve(tmp_path, request, "office-ma")
    page, _ = phone
    open_detail(page, server, SPEED_BUMPS)
    expect(text(page, "可以进行的操作")).to_be_visible()
    for step in ("分类", "退回", "合并重复问题", "留言"):
        expect(button(page, step, exact=True)).to_be_attached()
    tap(button(page, "交办", exact=True))
    expect(text(page, "牵头单位", exact=True)).to_be_visible()
    choose_chip(page, "镇村镇建设办公室")
    expect(page.get_by_role("checkbox", name="15 天后", exact=True)).to_have_attribute("aria-checked", "true")
    # The calendar opens on the default deadline's month; its 28th is never before today.
    default = today_in_china() + timedelta(days=15)
    tap(button(page, "选日期"))
    tap(page.get_by_role("button", name="28, ").first)
    tap(button(page, "确定", exact=True))
    expect_field_value(page, "办理期限", f"{default.year}-{default.month:02d}-28")
    page.evaluate("() => document.activeElement?.blur()")
    tap(button(page, "确认交办"))
    expect(text(page, "牵头单位", exact=True)).to_have_count(0)
    expect(text(page, "已交办", exact=True).first).to_be_visible()
    assign = by_id(page, "timeline-assign")
    expect(assign).to_contain_text("牵头：镇村镇建设办公室")
    expect(assign).to_contain_text(f"期限：{default.year}年{default.month}月28日")
    expect(assign).to_contain_text("马文静")
    expect(assign).to_contain_text("等待同步")
    expect_drawn(page, assign, PHONE)
    expect(button(page, "交办", exact=True)).to_be_attached()  # handing it to another department stays possible
    expect(button(page, "催办", exact=True)).to_be_attached()


def test_a_past_deadline_is_refused_in_the_form(phone, tmp_path, request):
    server = serve(tmp_path, request, "office-ma")
    page, _ = phone
    open_detail(page, server, SPEED_BUMPS)
    tap(button(page, "交办", exact=True))
    choose_chip(page, "镇水利站")
    box = page.locator("input[aria-label^='办理期限']")
    box.click()
    box.fill("2020-01-01")
    tap(button(page, "确认交办"))
    expect(text(page, "办理期限 2020-01-01 已经过去").first).to_be_visible()
    tap(button(page, "取消", exact=True))
    expect(text(page, "待分办", exact=True).first).to_be_visible()
    expect(by_id(page, "timeline-assign")).to_have_count(0)


@pytest.mark.parametrize("user, title", [("deputy-zhou", CANTEEN), ("office-ma", "河道有人倾倒建筑垃圾"),
                                         ("dept-eco", "河道有人倾倒建筑垃圾")])
def test_screenshots_of_the_detail_for_each_role(browser, tmp_path, request, user, title):
    """Pictures to look at (in /tmp/lianluo-detail-shots): a deputy's, the office's and a department's detail."""
    server = serve(tmp_path, request, user)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (PHONE, DESKTOP):
        page, _ = new_page(browser, viewport)
        try:
            open_detail(page, server, title)
            size = f"{viewport['width']}x{viewport['height']}"
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS / f"detail-{user}-{size}.png"))
            last = by_id(page, "timeline-look_back" if user == "deputy-zhou" else "timeline-supervise")
            expect_drawn(page, last, viewport)
            page.screenshot(path=str(SHOTS / f"detail-{user}-{size}-end.png"))
        finally:
            page.context.close()
