"""The office's 分办 and 督办 and a department's 待办 in a real browser, on the demo township.

The office classifies an issue (it moves to the top as 紧急), marks another as a duplicate of
the issue a hundred metres away, assigns two ticked ones in one go, sends a reminder on the
overdue one and writes it a supervision letter, whose Word file the browser downloads; the water
station acknowledges its new issue from its queue. Each screen is also photographed at 412x860
and 1280x800 into SHOTS, to be looked at.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from docx import Document
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, choose_chip, expect_screen, go_back,
                               new_page, open_app, settle, tap, text)

pytestmark = pytest.mark.e2e

SCHOOL_GATE = "校门口道路缺少减速带和警示标志"  # new, the newest: last in the queue until it is urgent
RESERVOIR = "三组蓄水池干涸，果园浇不上水"  # new, a hundred metres from DROUGHT
LAMPS, VILLAGE_ROAD = "文化广场路灯损坏", "村道硬化未完工，雨天泥泞"  # new, the oldest two
DUE_SOON = "河道有人倾倒建筑垃圾"  # due tomorrow
DROUGHT = "抗旱水源不足，柑桔园灌溉困难"  # the water station's, assigned, not yet acknowledged
OVERDUE = "柑桔销售渠道单一，价格偏低"  # nine days past its deadline
REMINDER = "请抓紧办理，按期反馈办理结果。"  # the words a reminder starts with
SHOTS = Path("/tmp/lianluo-office-shots")  # screenshots to look at, kept after the run


def serve(tmp_path: Path, request, user: str) -> AppServer:
    server = AppServer(tmp_path / user, user=user)
    server.start()
    request.addfinalizer(server.stop)
    return server


@contextmanager
def window(browser, server: AppServer, viewport: dict) -> Iterator[Page]:
    """The app in a fresh browser window of this size, on its first screen."""
    page, _ = new_page(browser, viewport)
    try:
        open_app(page, server.url, "/")
        yield page
    except BaseException:
        shoot(page, "failure")  # what the screen showed when the test stopped
        (SHOTS / "failure-semantics.html").write_text(page.evaluate(
            "() => document.querySelector('flt-semantics-host')?.outerHTML ?? ''"))
        raise
    finally:
        page.context.close()


def row(page: Page, kind: str, title: str) -> Locator:
    """A row of 分办 (triage-row), 督办 (supervise-row) or 待办 (queue-row), by its issue's title."""
    return by_id(page, kind).filter(has_text=title)


def go_to(page: Page, label: str) -> None:
    """Tap a destination of the bottom bar (a tab) or, on a wide screen, of the rail ("分办 Tab 3 of 5")."""
    rail = page.get_by_role("button", name=re.compile(rf"^{label}\s+Tab \d+ of \d+$"))
    tap(page.get_by_role("tab", name=label).or_(rail))
    expect_screen(page, label)


def tick(page: Page, target: Locator) -> None:
    """Tick a row's box and wait until the redrawn row shows it ticked."""
    box = target.get_by_role("checkbox")
    tap(box)
    expect(box).to_have_attribute("aria-checked", "true")


def dialog(page: Page) -> Locator:
    return page.get_by_role("alertdialog")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(400)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def scroll_down(page: Page) -> None:
    """Turn the mouse wheel over the list until its end is on the screen."""
    size = page.viewport_size
    page.mouse.move(size["width"] / 2, size["height"] / 2)
    for _ in range(10):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    settle(page)


def expect_on_screen(page: Page, target: Locator) -> None:
    """Drawn inside the window, not only present in the semantics tree."""
    expect(target).to_be_visible()
    box, size = target.bounding_box(), page.viewport_size
    assert box and box["width"] > 0 and box["height"] > 0, f"{target} has no box"
    assert 0 <= box["x"] and box["x"] + box["width"] <= size["width"] + 1, f"{target} is outside the window: {box}"
    assert 0 <= box["y"] and box["y"] + box["height"] <= size["height"] + 1, f"{target} is outside the window: {box}"


def test_the_office_classifies_marks_a_duplicate_and_reminds(browser, tmp_path, request):
    server = serve(tmp_path, request, "office-ma")
    with window(browser, server, PHONE) as page:
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

        # Two ticked rows assigned in one go.
        for title in (LAMPS, VILLAGE_ROAD):
            tick(page, row(page, "triage-row", title))
        expect(text(page, "已选 2 件").first).to_be_visible()
        shoot(page, "triage-batch")
        tap(button(page, "交办所选"))
        expect(dialog(page)).to_contain_text("2 个问题")
        choose_chip(page, "镇村镇建设办公室")
        tap(button(page, "确认交办"))
        expect(dialog(page)).to_have_count(0)
        for title in (LAMPS, VILLAGE_ROAD):
            expect(row(page, "triage-row", title)).to_have_count(0)
        expect(text(page, "待分办 2 件").first).to_be_visible()

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
        tap(row(page, "supervise-row", OVERDUE).get_by_role("button", name=re.compile(f"^{OVERDUE}")))
        expect_screen(page, "问题详情")
        expect(text(page, REMINDER).first).to_be_visible()  # the reminder's words, last in the timeline
        go_back(page)
        expect_screen(page, "督办")

        # A supervision letter to its lead department, and its Word file downloaded.
        tap(row(page, "supervise-row", OVERDUE).get_by_role("button", name="发监督意见函"))
        expect(dialog(page)).to_contain_text("主送：镇农业综合服务站")
        shoot(page, "supervise-letter")
        tap(button(page, "生成意见函"))
        expect(dialog(page)).to_contain_text("意见函已生成")
        with page.expect_download() as download:
            tap(button(page, "下载 Word 文件"))
        saved = tmp_path / "letter.docx"
        download.value.save_as(saved)
        assert download.value.suggested_filename.endswith(".docx")
        written = "\n".join(p.text for p in Document(str(saved)).paragraphs)
        assert "镇农业综合服务站" in written and OVERDUE in written
        expect(dialog(page)).to_contain_text("已保存 Word 文件")
        tap(button(page, "关闭"))
        expect(dialog(page)).to_have_count(0)
        expect(row(page, "supervise-row", OVERDUE)).to_contain_text("督办：监督意见函")
        for title in (DUE_SOON, DROUGHT):  # ticked for one step on both; the bar stays above the list
            tick(page, row(page, "supervise-row", title))
        expect(text(page, "已选 2 件").first).to_be_visible()
        shoot(page, "supervise-batch")
        tap(button(page, "取消选择"))
        expect(text(page, "已选 2 件")).to_have_count(0)
        scroll_down(page)  # the letters come after the lists
        expect(row(page, "letter-row", "柑桔销售")).to_contain_text("待编号")
        shoot(page, "supervise-letters")

    with window(browser, server, DESKTOP) as wide:
        go_to(wide, "分办")
        expect(by_id(wide, "triage-row").first).to_contain_text(SCHOOL_GATE)
        shoot(wide, "triage")
        go_to(wide, "督办")
        expect(row(wide, "supervise-row", OVERDUE)).to_contain_text("督办：监督意见函")
        shoot(wide, "supervise")


def test_a_department_acknowledges_a_new_issue_from_its_queue(browser, tmp_path, request):
    server = serve(tmp_path, request, "dept-water")
    with window(browser, server, PHONE) as page:
        go_to(page, "待办")
        drought = row(page, "queue-row", DROUGHT)
        expect(drought).to_contain_text("已交办")
        expect(drought).to_contain_text("牵头")
        shoot(page, "queue")
        tap(drought.get_by_role("button", name="签收"))
        expect(row(page, "queue-row", DROUGHT)).to_contain_text("办理中")
        expect(row(page, "queue-row", DROUGHT).get_by_role("button", name="签收")).to_have_count(0)

    with window(browser, server, DESKTOP) as wide:
        go_to(wide, "待办")
        expect(row(wide, "queue-row", DROUGHT)).to_contain_text("办理中")
        shoot(wide, "queue")
