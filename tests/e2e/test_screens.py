"""Each main screen, on a 412x860 phone, shows its key Chinese texts, and the bundled font can draw them.

Read through Flutter's semantics tree (what a screen reader gets). The semantics tree does not
prove a glyph was drawn, so every character found there is also checked against the bundled
font's character map; scripts/screenshots.py gives the pictures to look at.
"""

from __future__ import annotations

import unicodedata

import pytest
from fontTools.ttLib import TTFont
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    BUNDLED_FONT_PATH,
    REPO_ROOT,
    button,
    field_input,
    go_tab,
    issue_tile,
    open_app,
    open_capture,
    open_issue,
    text,
)

pytestmark = pytest.mark.e2e

DEMO_ISSUE = "校门口道路缺少减速带和警示标志"  # 王建华's newest demo issue, status 待分办


@pytest.fixture(scope="module")
def cmap() -> dict[int, str]:
    with TTFont(str(REPO_ROOT / "assets" / BUNDLED_FONT_PATH), lazy=True) as font:
        return font.getBestCmap()


def screen_text(page: Page) -> str:
    """All text the semantics tree carries: DOM text plus labels and descriptions."""
    return page.evaluate("""() => {
        const host = document.querySelector('flt-semantics-host');
        const parts = [host ? host.innerText : ''];
        for (const el of document.querySelectorAll('[aria-label], [aria-description]'))
            parts.push(el.getAttribute('aria-label') || '', el.getAttribute('aria-description') || '');
        return parts.join('\\n');
    }""")


def assert_drawable(page: Page, cmap: dict[int, str]) -> None:
    shown = screen_text(page)
    missing = sorted({ch for ch in shown if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
                      and ord(ch) not in cmap})
    assert not missing, f"no glyph in {BUNDLED_FONT_PATH} for {missing} (would show as empty boxes)"


def expect_texts(page: Page, *texts: str) -> None:
    for value in texts:
        expect(text(page, value).first, f"{value!r} is not on the screen").to_be_visible()


def test_home(shared_app, phone, cmap):
    page, _ = phone
    open_app(page, shared_app.url, "/", ready_text="我最近记录的问题")
    expect_texts(page, "联络通", "王建华，您好", "我最近记录的问题", "查看全部问题")
    expect(button(page, "记录问题")).to_be_visible()
    expect(issue_tile(page, DEMO_ISSUE)).to_contain_text("待分办")
    for tab in ("首页", "问题", "我的"):
        expect(page.get_by_role("tab", name=tab)).to_be_visible()
    expect(page.get_by_role("tab", name="首页")).to_have_attribute("aria-selected", "true")
    assert_drawable(page, cmap)


def test_capture(shared_app, phone, cmap):
    page, _ = phone
    open_app(page, shared_app.url, "/")
    open_capture(page)
    expect_texts(page, "照片", "类别", "地点类型")
    expect(button(page, "从相册选择")).to_be_visible()
    expect(field_input(page, "标题（必填）")).to_be_attached()
    expect(page.get_by_role("checkbox", name="道路交通", exact=True)).to_be_visible()
    expect(button(page, "保存", exact=True)).to_be_visible()
    assert_drawable(page, cmap)


def test_issue_list(shared_app, phone, cmap):
    page, _ = phone
    open_app(page, shared_app.url, "/")
    go_tab(page, "问题")
    expect(field_input(page, "搜索标题、地点、描述")).to_be_attached()
    # The three filters (状态 / 类别 / 联络站) are not checked here: Flutter exposes each Dropdown as a
    # button without a name, so a screen reader says only "button" (their labels are not in the tree).
    expect(issue_tile(page, DEMO_ISSUE)).to_be_visible()
    for status in ("待分办", "已交办", "办理中", "已办结"):  # each row carries its status word
        expect(page.get_by_role("button").filter(has_text=status).first).to_be_visible()
    assert_drawable(page, cmap)


def test_issue_detail(shared_app, phone, cmap):
    page, _ = phone
    open_app(page, shared_app.url, "/")
    go_tab(page, "问题")
    open_issue(page, DEMO_ISSUE)
    expect(text(page, DEMO_ISSUE, exact=True)).to_be_visible()
    expect_texts(page, "待分办", "类别", "地点", "联络站", "记录人", "记录时间", "办理过程")
    assert_drawable(page, cmap)
