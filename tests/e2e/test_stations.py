"""联络站 in a real browser: a station's staff log a reception day and turn a concern into an issue; a villager
with no account sends a concern with a photo from the public page on a phone, and the station's staff, signed
in through that central store, turn it into an issue.

Every screen on the way is photographed at 412x860 (and the station screens again at 1280x800) into SHOTS,
to be looked at; the public page also at 360 px wide.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import (DESKTOP, GPS_PHOTO, PHONE, AppServer, button, by_id, expect_screen, field_input,
                               go_back, go_tab, issue_tile, new_page, open_app, settle, tap, text, type_into)
from tests.e2e.test_sync_flow import central, sign_in  # noqa: F401  (central is a fixture)

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/lianluo-stations-shots")  # screenshots to look at, kept after the run
WATER = "三组自来水时断时续，老人挑水困难"
ROAD = "村道坑洼，下雨积水"
LAMP = "一组路口路灯不亮"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(400)  # images decode off the frame
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


@contextmanager
def window(browser, url: str, viewport: dict, route: str = "/", ready: str | None = None) -> Iterator[Page]:
    page, network = new_page(browser, viewport)
    try:
        open_app(page, url, route, ready_text=ready)
        yield page
        assert network.unexpected_outside() == []
    except BaseException:
        shoot(page, "failure")
        (SHOTS / "failure-semantics.html").write_text(page.evaluate(
            "() => document.querySelector('flt-semantics-host')?.outerHTML ?? ''"))
        raise
    finally:
        page.context.close()


def concern(page: Page, words: str) -> Locator:
    """One thing a visitor raised, on the log: a group named by its words, with its steps inside."""
    return page.get_by_role("group", name=re.compile("^" + re.escape(words)))


def visitor(page: Page, *, village: str, concerns: list[str], name: str = "", phone: str = "") -> None:
    """接待一位群众: fill the form in its dialog and save; the dialog goes and the visitor is on the log."""
    tap(button(page, "接待一位群众"))
    expect(field_input(page, "村（组）")).to_be_attached()
    if name:
        type_into(page, "姓名", name)
    if phone:
        type_into(page, "手机号", phone)
    type_into(page, "村（组）", village)
    for number, words in enumerate(concerns, start=1):
        if number > 1:
            tap(button(page, "再记一件"))
            expect(field_input(page, f"第{number}件")).to_be_attached()
        type_into(page, f"第{number}件", words)
    tap(button(page, "保存", exact=True))
    expect(field_input(page, "村（组）")).to_have_count(0)
    expect(concern(page, concerns[0])).to_be_visible()  # the log was redrawn with it


def test_station_staff_log_a_reception_with_two_visitors_and_a_concern_becomes_an_issue(browser, tmp_path, request):
    server = AppServer(tmp_path / "hu", user="staff-hu")
    server.start()
    request.addfinalizer(server.stop)
    with window(browser, server.url, PHONE, ready="胡小红，您好") as page:
        shoot(page, "home-staff")
        tap(button(page, "接待日：").first)
        expect_screen(page, "代表接待日")
        shoot(page, "schedule-empty")

        # Today is no reception day of 桔园片区联络站: the app asks before it logs an extra one.
        tap(button(page, "记录今天的接待"))
        expect(text(page, "这天没有安排接待日")).to_be_visible()
        shoot(page, "schedule-confirm")
        tap(button(page, "记录为临时接待"))
        expect_screen(page, "接待记录")
        expect(text(page, "这是一次临时接待")).to_be_visible()

        # A wrong number is refused at the field, and nothing is recorded.
        tap(button(page, "接待一位群众"))
        type_into(page, "手机号", "1381234")
        type_into(page, "第1件", WATER)
        tap(button(page, "保存", exact=True))
        expect(text(page, "请填写11位手机号").first).to_be_visible()
        shoot(page, "visitor-phone-refused")
        tap(button(page, "取消"))
        expect(field_input(page, "村（组）")).to_have_count(0)

        visitor(page, name="李大爷", phone="13812345678", village="桔园村三组", concerns=[WATER, ROAD])
        visitor(page, village="桔园村一组", concerns=[LAMP])
        expect(text(page, "来访群众（2 位）")).to_be_visible()
        # The phone number is masked for the staff, in the list too: the whole number is nowhere on the page.
        expect(page.get_by_role("group", name=re.compile(re.escape("1. 李大爷 138****5678 · 桔园村三组")))).to_be_visible()
        assert "13812345678" not in page.locator("flt-semantics-host").inner_html()
        shoot(page, "log-two-visitors")

        # One tap: the concern is an issue, and its status chip says so.
        water = concern(page, WATER)
        tap(water.get_by_role("button", name="转为问题", exact=True))
        expect(water.get_by_role("button", name="已转为问题 · 待分办")).to_be_visible()
        expect(water.get_by_role("button", name="转为问题", exact=True)).to_have_count(0)
        shoot(page, "log-issue-raised")

        # The issue is in 问题, and the chip opens it.
        tap(by_id(page, "issue-chip").first)
        expect_screen(page, "问题详情")
        expect(text(page, WATER).first).to_be_visible()
        for screen_title in ("接待记录", "代表接待日", "联络通"):  # back where it came from, then to 问题
            go_back(page)
            expect_screen(page, screen_title)
        go_tab(page, "问题")
        expect(issue_tile(page, WATER)).to_be_visible()


def test_screenshots_of_the_station_screens_on_a_phone_and_a_wide_screen(browser, tmp_path, request):
    """Each station screen for the staff and the office, at both sizes, with something on it."""
    staff = AppServer(tmp_path / "hu", user="staff-hu")
    office = AppServer(tmp_path / "ma", user="office-ma")
    for server in (staff, office):
        server.start()
        request.addfinalizer(server.stop)
    for viewport in (PHONE, DESKTOP):
        with window(browser, staff.url, viewport, ready="胡小红，您好") as page:
            tap(button(page, "走访：").first)
            expect_screen(page, "走访")
            shoot(page, "visits-empty")
            tap(button(page, "记录走访"))
            expect(field_input(page, "地点名称（必填）")).to_be_attached()
            type_into(page, "地点名称（必填）", "桔园村三组柑桔园")
            tap(page.get_by_role("checkbox", name="柑桔园", exact=True))
            type_into(page, "了解到的情况", "灌溉水渠淤塞，果园缺水")
            shoot(page, "visit-form")
            tap(button(page, "保存走访"))
            expect_screen(page, "走访详情")
            shoot(page, "visit-detail")
            tap(button(page, "提出问题"))
            expect(field_input(page, "问题标题（必填）")).to_be_attached()
            shoot(page, "visit-raise")
            tap(page.get_by_role("button", name="提出问题", exact=True).last)
            expect(by_id(page, "issue-chip")).to_be_visible()
            tap(button(page, "删除这次走访"))
            tap(page.get_by_role("button", name="删除这次走访").last)
            expect(text(page, "这次走访已经提出了问题，不能删除。")).to_be_visible()
            shoot(page, "visit-delete-refused")
        with window(browser, office.url, viewport, ready="马文静，您好") as page:
            tap(button(page, "联络站：").first)
            expect_screen(page, "联络站")
            expect(text(page, "离线：修改联络站和专门小组需要联网").first).to_be_visible()
            shoot(page, "stations-office")
            station = by_id(page, "station-row").first
            tap(station.get_by_role("button", name="编辑"))
            expect(field_input(page, "地址")).to_be_attached()
            tap(button(page, "保存到镇人大"))
            expect(text(page, "没有做任何改动").first).to_be_visible()  # offline: said in plain words
            shoot(page, "station-edit-offline")
            tap(button(page, "取消"))
            expect(field_input(page, "地址")).to_have_count(0)
            tap(button(page, "新增专门小组"))
            expect(field_input(page, "小组名称")).to_be_attached()
            shoot(page, "group-new")
            tap(button(page, "取消"))
            expect(field_input(page, "小组名称")).to_have_count(0)
            tap(station.get_by_role("button", name="下载海报"))
            expect(text(page, "下载海报需要联网").first).to_be_visible()
            tap(button(page, "代表接待日："))
            expect_screen(page, "代表接待日")
            if viewport is PHONE:
                tap(button(page, "安排全年接待日"))
                expect(text(page, "接待日将是").first).to_be_visible()
                shoot(page, "plan-year")
                tap(button(page, "安排", exact=True))
                expect(text(page, "待接待").first).to_be_visible()
            shoot(page, "schedule-office")
            page.go_back()
            expect_screen(page, "联络站")
            tap(button(page, "联络站统计"))
            expect_screen(page, "联络站统计")
            shoot(page, "figures")


# -- 扫码说事 through a real central store ------------------------------------------------------------------------------
def concern_state(central_url: str, receipt: str) -> str:
    """What the villager's receipt page says now."""
    return httpx.get(f"{central_url}/c/receipt/{receipt}").text


def test_a_villager_sends_a_concern_with_a_photo_and_the_station_staff_turn_it_into_an_issue(
        central, browser, tmp_path, request):
    assert shutil.which("zbarimg") and shutil.which("pdftoppm"), "scripts/test.sh installs zbar-tools and poppler-utils"
    words = f"四组饮水管漏水，水流到路上 {uuid.uuid4().hex[:4]}"
    # A villager's phone: a small screen, no account, the page the poster's QR code opens.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    villager = context.new_page()
    try:
        villager.goto(f"{central.url}/c/juyuan")
        expect(villager.get_by_role("heading", name="桔园片区联络站")).to_be_visible()
        shoot(villager, "public-form")
        villager.get_by_label("您所在的村（组）").fill("桔园村四组")
        villager.get_by_label("想反映的事").fill(words)
        villager.get_by_label("照片（可不选，一张）").set_input_files(str(GPS_PHOTO))
        villager.get_by_label("手机号（可不填，方便代表回电）").fill("139 0000 1111")
        villager.get_by_role("button", name="提交").click()
        expect(villager.get_by_text("收到了，谢谢您！")).to_be_visible()
        receipt = villager.locator(".receipt").inner_text().strip()
        assert re.fullmatch(r"\d{4}-\d{3}", receipt)
        shoot(villager, "public-receipt")
        villager.get_by_role("link", name="凭回执号查询办理情况").click()
        expect(villager.get_by_text("已收到，等待代表处理")).to_be_visible()
        shoot(villager, "public-status")
        villager.set_viewport_size({"width": 412, "height": 860})
        villager.goto(f"{central.url}/c/juyuan")
        shoot(villager, "public-form")
    finally:
        context.close()

    # The station's staff member, on a phone signed in through that central store.
    field_app = AppServer(tmp_path / "phone", demo=False, server_url=central.url)
    field_app.start()
    request.addfinalizer(field_app.stop)
    with window(browser, field_app.url, PHONE) as page:
        sign_in(page, "staff-hu", "lianluo2026")
        expect_screen(page, "联络通")
        concern_line = button(page, "扫码说事：1 条待处理")
        expect(concern_line).to_be_visible(timeout=60_000)  # pulled from the central store
        tap(concern_line)
        expect_screen(page, "扫码说事")
        # The row says the receipt number, the words, the village, and the phone number masked for the staff.
        row = page.get_by_role("group", name=re.compile(
            f"^待处理 回执号 {receipt} {re.escape(words)} 桔园村四组 手机 {re.escape('139****1111')}"))
        expect(row).to_be_visible()
        expect(row.get_by_role("button", name="看照片")).to_be_visible(timeout=60_000)  # the photo came down
        shoot(page, "concerns-queue")

        # The station's poster, printed for the wall: its QR code leads to the page the villager used.
        with page.expect_download() as download:
            tap(button(page, "下载本站海报"))
        poster = tmp_path / "poster.pdf"
        download.value.save_as(poster)
        assert download.value.suggested_filename.endswith(".pdf") and poster.read_bytes().startswith(b"%PDF")
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(poster), str(tmp_path / "poster")], check=True,
                       timeout=60)
        found = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "poster-1.png")], capture_output=True,
                               text=True, timeout=60).stdout.strip()
        assert found == f"{central.url}/c/juyuan"

        tap(row.get_by_role("button", name="转为问题", exact=True))
        expect(text(page, "没有待处理的扫码反映。")).to_be_visible()
        tap(page.get_by_role("checkbox", name=re.compile("^已处理")))
        done = page.get_by_role("group", name=re.compile(f"^已转为问题 回执号 {receipt}"))
        expect(done.get_by_role("button", name="已转为问题 · 待分办")).to_be_visible()
        shoot(page, "concerns-issued")
        tap(done.get_by_role("button", name="已转为问题 · 待分办"))
        expect_screen(page, "问题详情")
        expect(text(page, words).first).to_be_visible()
        shoot(page, "concern-issue-detail")
    # The villager's receipt says it went to a department, once the phone has synced it.
    deadline = time.monotonic() + 60
    while "已作为问题交办有关部门" not in concern_state(central.url, receipt) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "已作为问题交办有关部门" in concern_state(central.url, receipt)
