"""Each person on their own, through a real central store: two browsers signed in as different people at once,
a fresh browser asked to sign in, and the connection chip turning 离线 at once when the store goes away."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (DESKTOP, PHONE, button, expect_screen, go_tab, issue_tile, new_page, open_app, reload,
                               settle, tap, text)
# The central store with the demo township, and the field app served against it, as the sync flow has them.
from tests.e2e.test_sync_flow import central, field_app, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

WANG_ONLY = "校门口道路缺少减速带和警示标志"  # 王建华's, not yet assigned: the water station must not see it
FOR_WATER = "抗旱水源不足，柑桔园灌溉困难"  # 王建华's, assigned to the water station
LOGIN_ASKED = "第一次使用请联网登录一次"
SHOTS = Path("/tmp/lianluo-session-shots")  # each role's home at a phone's and an office PC's size, to be looked at


@pytest.fixture
def browsers(browser):
    """Two browsers of two people: separate client storage, as two phones."""
    pages = [new_page(browser, PHONE)[0] for _ in range(2)]
    yield pages
    for page in pages:
        page.context.close()


def queue_row(page, title: str):
    """A row of the queue: Flutter names it a button or a group (with its 签收 button), by what it holds."""
    return page.get_by_role("button", name=title).or_(page.get_by_role("group", name=title))


def shoot_home(page: Page, who: str) -> None:
    """Photograph the home screen at 412x860 and at 1280x800 (with the rail), and go back to the phone size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        expect_screen(page, "联络通")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"home-{who}-{size['width']}x{size['height']}.png"))
    page.set_viewport_size(PHONE)
    settle(page)


def signed_in_as(page, url: str, username: str, greeting: str) -> None:
    open_app(page, url, "/")
    expect(text(page, LOGIN_ASKED)).to_be_visible()
    sign_in(page, username, "lianluo2026")
    expect_screen(page, "联络通")
    expect(text(page, greeting)).to_be_visible()


def test_two_people_at_once_each_see_their_own(field_app, browsers, browser):
    wang, water = browsers
    signed_in_as(wang, field_app.url, "deputy-wang", "王建华，您好")
    signed_in_as(water, field_app.url, "dept-water", "何永平，您好")

    # 王建华 sees his own issues, on a deputy's tabs: none of the office's or a department's.
    expect(issue_tile(wang, WANG_ONLY)).to_be_visible(timeout=60_000)
    shoot_home(wang, "deputy")
    expect(wang.get_by_role("tab", name="问题")).to_be_visible()
    for other in ("分办", "督办", "待办"):
        expect(wang.get_by_role("tab", name=other)).to_have_count(0)
    # The water station works from its queue: the issue assigned to it, nothing of the rest.
    expect(water.get_by_role("tab", name="待办")).to_be_visible()
    expect(water.get_by_role("tab", name="问题")).to_have_count(0)
    expect(issue_tile(water, FOR_WATER)).to_be_visible(timeout=60_000)
    shoot_home(water, "department")
    go_tab(water, "待办")
    expect(queue_row(water, FOR_WATER).first).to_be_visible()
    expect(queue_row(water, WANG_ONLY)).to_have_count(0)
    expect(text(water, WANG_ONLY)).to_have_count(0)

    # A reload keeps each browser signed in as its own person.
    reload(wang, ready_text="王建华，您好")
    expect(text(wang, "何永平")).to_have_count(0)
    expect(issue_tile(wang, WANG_ONLY)).to_be_visible()

    # A browser that never signed in is asked to, whoever signed in elsewhere.
    fresh, _ = new_page(browser, PHONE)
    try:
        open_app(fresh, field_app.url, "/")
        expect(text(fresh, LOGIN_ASKED)).to_be_visible()
        expect(text(fresh, "王建华")).to_have_count(0)
        reload(fresh)
        expect(text(fresh, LOGIN_ASKED)).to_be_visible()
    finally:
        fresh.context.close()
    expect(text(water, "何永平，您好").or_(text(water, FOR_WATER)).first).to_be_visible()


def test_the_chip_says_offline_within_two_seconds_and_syncs_when_the_store_is_back(central, field_app, browsers):
    page = browsers[0]
    signed_in_as(page, field_app.url, "deputy-wang", "王建华，您好")
    chip_synced = text(page, "已同步", exact=True)
    chip_offline = text(page, "离线", exact=True)
    expect(chip_synced).to_be_visible(timeout=60_000)

    # 立即同步 on the sync screen ends with a snack bar saying how it went.
    tap(chip_synced)
    expect_screen(page, "同步")
    tap(button(page, "立即同步"))
    expect(chip_synced).to_have_count(2)  # the chip, and the snack bar

    central.kill()  # gone at once, as a power cut or a pulled cable: no goodbye to the app
    gone = time.monotonic()
    expect(chip_offline).to_be_visible(timeout=10_000)
    assert time.monotonic() - gone <= 2.0, f"离线 after {time.monotonic() - gone:.1f} s"
    tap(button(page, "立即同步"))
    expect(text(page, "离线：连不上镇人大的服务器")).to_be_visible()

    central.start()
    back = time.monotonic()
    expect(chip_synced.first).to_be_visible(timeout=15_000)  # the probe wakes the sync, which succeeds
    assert time.monotonic() - back <= 5.0, f"synced again after {time.monotonic() - back:.1f} s"


def test_switching_user_leaves_only_the_new_users_records(field_app, browsers):
    page = browsers[0]
    signed_in_as(page, field_app.url, "office-ma", "马文静，您好")
    expect(issue_tile(page, WANG_ONLY)).to_be_visible(timeout=60_000)  # the office sees the whole township
    shoot_home(page, "office")
    expect(page.get_by_role("tab", name="分办")).to_be_visible()

    go_tab(page, "我的")
    tap(page.get_by_role("button", name="切换用户"))
    expect(text(page, "当前用户：马文静")).to_be_visible()  # and what a switch clears from this device
    sign_in(page, "dept-water", "lianluo2026")
    expect_screen(page, "联络通")
    expect(text(page, "何永平，您好")).to_be_visible()
    expect(issue_tile(page, FOR_WATER)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("tab", name="分办")).to_have_count(0)
    go_tab(page, "待办")
    expect(queue_row(page, FOR_WATER).first).to_be_visible()
    expect(text(page, WANG_ONLY)).to_have_count(0)  # the office's pull is gone from the device
    expect(queue_row(page, WANG_ONLY)).to_have_count(0)
