"""The office's 分办 and 督办 and a department's 待办 in a real browser, on the demo township.

The office classifies an issue (it moves to the top as 紧急), marks another as a duplicate of
the issue a hundred metres away, and sends a reminder on the overdue one; the water station
acknowledges its new issue from its queue. Each screen is also photographed at 412x860 and
1280x800 into SHOTS, to be looked at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, choose_chip, expect_screen, new_page,
                               open_app, settle, tap, text)

pytestmark = pytest.mark.e2e

SCHOOL_GATE = "校门口道路缺少减速带和警示标志"  # new, the newest: last in the queue until it is urgent
RESERVOIR = "三组蓄水池干涸，果园浇不上水"  # new, a hundred metres from DROUGHT
DROUGHT = "抗旱水源不足，柑桔园灌溉困难"  # the water station's, assigned, not yet acknowledged
OVERDUE = "柑桔销售渠道单一，价格偏低"  # nine days past its deadline
SHOTS = Path("/tmp/lianluo-office-shots")  # screenshots to look at, kept after the run


def serve(tmp_path: Path, request, user: str) -> AppServer:
    server = AppServer(tmp_path / user, user=user)
    server.start()
    request.addfinalizer(server.stop)
    return server


def row(page: Page, kind: str, title: str) -> Locator:
    """A row of 分办 (triage-row), 督办 (supervise-row) or 待办 (queue-row), by its issue's title."""
    return by_id(page, kind).filter(has_text=title)


def go_to(page: Page, label: str) -> None:
    """Tap a destination of the bottom bar (a tab) or, on a wide screen, of the rail ("分办 Tab 3 of 5")."""
    rail = page.get_by_role("button", name=re.compile(rf"^{label}\s+Tab \d+ of \d+$"))
    tap(page.get_by_role("tab", name=label).or_(rail))
    expect_screen(page, label)


def dialog(page: Page) -> Locator:
    return page.get_by_role("alertdialog")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(400)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def expect_on_screen(page: Page, target: Locator) -> None:
    """Drawn inside the window, not only present in the semantics tree."""
    expect(target).to_be_visible()
    box, size = target.bounding_box(), page.viewport_size
    assert box and box["width"] > 0 and box["height"] > 0, f"{target} has no box"
    assert 0 <= box["x"] and box["x"] + box["width"] <= size["width"] + 1, f"{target} is outside the window: {box}"
    assert 0 <= box["y"] and box["y"] + box["height"] <= size["height"] + 1, f"{target} is outside the window: {box}"


def test_the_office_classifies_marks_a_duplicate_and_reminds(browser, tmp_path, request):
    server = serve(tmp_path, request, "office-ma")
    page, _ = new_page(browser, PHONE)
    try:
        open_app(page, server.url, "/")
        go_to(page, "分办")
        expect(row(page, "triage-row", SCHOOL_GATE)).to_have_count(1)
        assert "校门口" not in by_id(page, "triage-row").first.inner_text()  # the newest comes last
        shoot(page, "triage")

        # 分类: urgent, and it moves to the top of the queue with the word 紧急.
        tap(row(page, "triage-row", SCHOOL_GATE).get_by_role("button", name="分类", exact=True))
        expect(dialog(page)).to_be_visible()
        choose_chip(page, "紧急")
        tap(button(page, "确认分类"))
        expect(dialog(page)).to_have_count(0)
        first = by_id(page, "triage-row").first
        expect(first).to_contain_text(SCHOOL_GATE)
        expect(first).to_contain_text("紧急")
        expect_on_screen(page, first)

        # 标为重复: the issue a hundred metres away, shown with its distance.
        tap(row(page, "triage-row", RESERVOIR).get_by_role("button", name="标为重复"))
        expect(dialog(page)).to_be_visible()
        expect(dialog(page)).to_contain_text("相距 100 米")
        shoot(page, "triage-duplicate")
        tap(dialog(page).get_by_role("button", name=DROUGHT))
        tap(button(page, "确认合并重复问题"))
        expect(dialog(page)).to_have_count(0)
        expect(row(page, "triage-row", RESERVOIR)).to_have_count(0)
        expect(text(page, "待分办 4 件").first).to_be_visible()

        # 督办: a reminder on the overdue issue; its level becomes 催办.
        go_to(page, "督办")
        overdue = row(page, "supervise-row", OVERDUE)
        expect(overdue).to_contain_text("逾期 9 天")
        expect(overdue).to_contain_text("督办：未督办")
        shoot(page, "supervise")
        tap(overdue.get_by_role("button", name="催办", exact=True))
        expect(dialog(page)).to_be_visible()
        tap(button(page, "发出催办"))
        expect(dialog(page)).to_have_count(0)
        expect(row(page, "supervise-row", OVERDUE)).to_contain_text("督办：催办")
        expect_on_screen(page, row(page, "supervise-row", OVERDUE))

        # The letter form for it: addressed to its lead department.
        tap(row(page, "supervise-row", OVERDUE).get_by_role("button", name="发监督意见函"))
        expect(dialog(page)).to_contain_text("主送：镇农业综合服务站")
        shoot(page, "supervise-letter")
        tap(button(page, "取消"))
        expect(dialog(page)).to_have_count(0)
    finally:
        page.context.close()

    wide, _ = new_page(browser, DESKTOP)
    try:
        open_app(wide, server.url, "/")
        go_to(wide, "分办")
        expect(by_id(wide, "triage-row").first).to_contain_text(SCHOOL_GATE)
        shoot(wide, "triage")
        go_to(wide, "督办")
        expect(row(wide, "supervise-row", OVERDUE)).to_contain_text("督办：催办")
        shoot(wide, "supervise")
    finally:
        wide.context.close()


def test_a_department_acknowledges_a_new_issue_from_its_queue(browser, tmp_path, request):
    server = serve(tmp_path, request, "dept-water")
    page, _ = new_page(browser, PHONE)
    try:
        open_app(page, server.url, "/")
        go_to(page, "待办")
        drought = row(page, "queue-row", DROUGHT)
        expect(drought).to_contain_text("已交办")
        expect(drought).to_contain_text("牵头")
        shoot(page, "queue")
        tap(drought.get_by_role("button", name="签收"))
        expect(row(page, "queue-row", DROUGHT)).to_contain_text("办理中")
        expect(row(page, "queue-row", DROUGHT).get_by_role("button", name="签收")).to_have_count(0)
    finally:
        page.context.close()

    wide, _ = new_page(browser, DESKTOP)
    try:
        open_app(wide, server.url, "/")
        go_to(wide, "待办")
        expect(row(wide, "queue-row", DROUGHT)).to_contain_text("办理中")
        shoot(wide, "queue")
    finally:
        wide.context.close()
