"""A deputy records an issue with a photo in the browser, with nothing fetched from outside this machine.

The app runs in web mode with its demo data (signed in as 王建华); Debian's Chromium drives it
through Flutter's semantics tree, as a screen reader would.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    BUNDLED_FONT_PATH,
    button,
    by_id,
    photo_tiles,
    tap,
    choose_chip,
    expect_field_value,
    expect_screen,
    field_input,
    go_back,
    go_tab,
    issue_tile,
    open_app,
    open_issue,
    record_issue,
    reload,
    text,
    type_into,
)

pytestmark = pytest.mark.e2e

HOME_READY = "我最近记录的问题"
TITLE_FIELD = "标题（必填）"
STATUS_WORDS = re.compile("待分办|已交办|办理中|已办结|已评价|已退回|已合并")


def unique_title(base: str) -> str:
    return f"{base} {uuid.uuid4().hex[:6]}"


def issue_rows(page):
    """Rows of the issue list (each row is one button carrying a status word)."""
    return page.get_by_role("button").filter(has_text=STATUS_WORDS)


def my_total(page) -> str:
    """Home's '共 N 件' (how many issues I recorded)."""
    total = text(page, re.compile(r"^共 \d+ 件$"))
    expect(total).to_have_count(1)
    return total.inner_text()


def test_record_issue_with_photo_then_find_it_after_reload(app, phone, gps_photo):
    page, network = phone
    title = unique_title("村口机耕道路面塌陷")
    open_app(page, app.url, "/", ready_text=HOME_READY)

    record_issue(page, title=title, photo=gps_photo, category="道路交通")
    expect(text(page, "已保存在手机上")).to_be_visible()
    expect(issue_tile(page, title)).to_have_count(1)  # home's recent list shows it at once

    # A reload starts a new session: the issue must come from the local store, not from memory.
    reload(page, ready_text=HOME_READY)
    go_tab(page, "问题")
    row = issue_tile(page, title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待分办")
    open_issue(page, title)

    expect(text(page, "办理过程")).to_be_visible()
    expect(text(page, title, exact=True)).to_be_visible()
    expect(text(page, "道路交通", exact=True)).to_be_visible()
    # The photo's EXIF GPS (~43.47N 11.88E) became the issue's location.
    location = text(page, "照片位置")
    expect(location).to_have_count(1)
    expect(location).to_have_text(re.compile(r"^43\.4\d*, 11\.8\d* · 照片位置$"))
    expect(by_id(page, "detail-photo")).to_have_count(1)  # the photo's thumbnail

    outside = network.unexpected_outside()
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert [u for u in network.requests if "/canvaskit/" in u], "the engine was not loaded from the app itself"
    fonts = network.matching(BUNDLED_FONT_PATH)
    assert fonts, f"the bundled font {BUNDLED_FONT_PATH} was never requested"
    assert {network.statuses.get(url) for url in fonts} == {200}, {url: network.statuses.get(url) for url in fonts}


def test_empty_title_is_refused_and_nothing_is_saved(app, phone):
    page, _ = phone
    open_app(page, app.url, "/", ready_text=HOME_READY)
    total_before = my_total(page)
    go_tab(page, "问题")
    expect(issue_rows(page)).not_to_have_count(0)
    rows_before = issue_rows(page).count()
    go_tab(page, "首页")

    record_issue(page, title="", category="道路交通")
    # The field's error text is what a screen reader announces with it.
    expect(field_input(page, TITLE_FIELD)).to_have_attribute("aria-description", "请填写标题。")
    expect(button(page, "保存", exact=True)).to_be_visible()  # still on the form

    go_back(page)
    expect_screen(page, "联络通")
    assert my_total(page) == total_before
    go_tab(page, "问题")
    expect(issue_rows(page)).to_have_count(rows_before)


def test_draft_survives_a_reload(app, phone):
    page, _ = phone
    title = unique_title("水渠堵塞")
    open_app(page, app.url, "/capture")
    expect(field_input(page, TITLE_FIELD)).to_be_attached()
    type_into(page, TITLE_FIELD, title)
    # The chip is checked only once the app answered, and events arrive in order, so the typed
    # title has reached the app (and its autosave) by then.
    choose_chip(page, "农业与柑桔产业")

    reload(page)  # the browser reconnects to the same running form
    expect_field_value(page, TITLE_FIELD, title)

    app.kill()  # the app is killed: only what was autosaved to the store survives
    app.start()
    open_app(page, app.url, "/capture")
    expect_field_value(page, TITLE_FIELD, title)
    expect(text(page, "已恢复上次没写完的内容。")).to_be_visible()
    chip = page.get_by_role("checkbox", name="农业与柑桔产业", exact=True)
    expect(chip).to_have_attribute("aria-checked", "true")


def test_take_a_photo_with_the_camera(app, phone):
    page, _ = phone
    open_app(page, app.url, "/capture")
    expect(field_input(page, TITLE_FIELD)).to_be_attached()
    before = photo_tiles(page).count()
    tap(button(page, "拍照", exact=True))
    expect(text(page, "对准问题")).to_be_visible()  # the live preview is running
    tap(button(page, "拍下这张"))
    expect(photo_tiles(page)).to_have_count(before + 1)
