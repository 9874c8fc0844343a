"""检查 in a real browser: a deputy runs a school-safety inspection and finds the issue it raised.

周海涛 (the centre station's deputy) starts a 校园安全检查 at 镇中心小学 with 孙丽, answers canteen
items (a fridge temperature outside its range is asked about first), marks the escape routes
不合格 with a note and turns them into an issue; 孙丽's different answer to the fire drill
arrives as from her phone, and he picks one; he signs off, downloads the Word report, opens the
raised issue from the inspection and finds it in the 问题 list. Each screen is photographed at
412x860 and 1280x800 into SHOTS, to be looked at.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from docx import Document
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from app.actors import Actor
from app.clock import utcnow
from app.ids import new_id
from app.inspections import INSPECTION, Inspection
from app.models import Person
from app.records import EventBody, add_event
from app.reference import stable_id
from app.store import open_store
from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, expect_screen, go_back, go_tab, issue_tile,
                               new_page, open_app, settle, tap, text, type_into)
from tests.e2e.test_detail import scroll_to
from tests.e2e.test_office import serve

pytestmark = pytest.mark.e2e

PLACE = "镇中心小学"
ESCAPE = "疏散通道、安全出口畅通，无锁闭、堵塞、占用"  # the fire-safety item that fails
NOTE = "二楼东侧安全出口被课桌堵塞"
SHOTS = Path("/tmp/lianluo-inspection-shots")  # screenshots to look at, kept after the run


@contextmanager
def window(browser, server: AppServer, viewport: dict, route: str = "/inspections") -> Iterator[Page]:
    """The app in a fresh browser window of this size, on this route."""
    page, _ = new_page(browser, viewport)
    try:
        open_app(page, server.url, route)
        yield page
    finally:
        page.context.close()


def shoot(page: Page, name: str) -> None:
    """A screenshot once the screen has settled and its last frame is drawn: inspections-412x860.png."""
    settle(page)
    page.wait_for_timeout(600)
    size = page.viewport_size
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def item(page: Page, item_id: str) -> Locator:
    return by_id(page, f"item-{item_id}")


def says(target: Locator, words: str) -> None:
    """A card's words are its group's name in the semantics tree (one node a screen reader reads whole)."""
    expect(target).to_have_accessible_name(re.compile(re.escape(words)))


def section(page: Page, title: str) -> None:
    chip = by_id(page, "inspection-sections").get_by_role("checkbox", name=re.compile(f"^{title}"))
    tap(chip)
    expect(chip).to_have_attribute("aria-checked", "true")


def answer(page: Page, item_id: str, word: str, *, answered: int) -> None:
    tap(item(page, item_id).get_by_role("button", name=word, exact=True))
    expect(text(page, f"已查 {answered}/").first).to_be_visible()


def open_inspection(page: Page) -> None:
    tap(by_id(page, "inspection-row").first)
    expect_screen(page, "检查表")


def answer_from_another_phone(server: AppServer, code: str, item_id: str, value: str, note: str) -> None:
    """Another participant's answer as it reaches this phone when hers syncs: in the store, not the outbox."""
    engine = open_store(server.data_dir / "lianluo.sqlite3")
    try:
        with Session(engine) as session:
            inspection = session.exec(select(Inspection)).one()
            person = session.get(Person, stable_id("person", code))
            add_event(session, INSPECTION, EventBody(id=new_id(), record_id=inspection.id, type="answer",
                                                     created_at=utcnow(), payload={"item_id": item_id, "value": value,
                                                                                   "note": note, "photos": []}),
                      actor=Actor.of(person))
            session.commit()
    finally:
        engine.dispose()


def test_a_deputy_runs_a_school_safety_inspection_and_finds_the_raised_issue(browser, tmp_path, request):
    server = serve(tmp_path, request, "deputy-zhou")
    with window(browser, server, PHONE, "/") as page:
        go_tab(page, "检查")
        expect(text(page, "我的检查（共 0 次）")).to_be_visible()

        # 开始检查: the school-safety checklist (the first), the place, 孙丽 of the same station.
        tap(button(page, "开始检查").first)
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("checkbox", name="校园安全检查")).to_have_attribute("aria-checked", "true")
        sun = dialog.get_by_role("checkbox", name=re.compile("^孙丽"))
        tap(sun)
        expect(sun).to_have_attribute("aria-checked", "true")
        type_into(page, "检查地点（必填）", PLACE)
        shoot(page, "inspection-start")
        tap(dialog.get_by_role("button", name="开始检查"))
        expect_screen(page, "检查表")
        expect(text(page, "检查人员：周海涛（组长）、孙丽")).to_be_visible()
        expect(text(page, "已查 0/29 项")).to_be_visible()

        # The canteen: two passes, and a fridge at 12 ℃ is asked about before it is recorded.
        answer(page, "canteen.licence", "合格", answered=1)
        answer(page, "canteen.health_certificates", "合格", answered=2)
        type_into(page, "数值（℃）", "12")
        tap(item(page, "canteen.sample_fridge_temp").get_by_role("button", name="保存"))
        expect(page.get_by_role("alertdialog")).to_contain_text("超出合格范围 0–8 ℃")
        tap(button(page, "重新填写"))
        expect(page.get_by_role("alertdialog")).to_have_count(0)
        expect(text(page, "已查 2/29 项")).to_be_visible()  # nothing recorded
        type_into(page, "数值（℃）", "5")
        tap(item(page, "canteen.sample_fridge_temp").get_by_role("button", name="保存"))
        expect(text(page, "已查 3/29 项")).to_be_visible()
        shoot(page, "inspection-answering")

        # Fire safety: the escape routes fail; a note, then an issue in one tap.
        section(page, "消防安全")
        answer(page, "fire.extinguishers", "合格", answered=4)
        answer(page, "fire.drill", "是", answered=5)
        answer(page, "fire.escape_routes", "不合格", answered=6)
        says(item(page, "fire.escape_routes"), "需要拍照或写明情况")
        expect(text(page, "发现问题 1 项")).to_be_visible()
        type_into(page, "情况说明", NOTE)
        tap(item(page, "fire.escape_routes").get_by_role("button", name="保存说明"))
        says(item(page, "fire.escape_routes"), "已写明情况")
        tap(item(page, "fire.escape_routes").get_by_role("button", name="转为问题"))
        raised = by_id(page, "issue-fire.escape_routes")
        says(raised, "已转为问题")
        says(raised, "待分办")
        expect(item(page, "fire.escape_routes").get_by_role("button", name="转为问题", exact=True)).to_have_count(0)
        page.wait_for_timeout(4000)  # the snack bar has gone
        scroll_to(page, item(page, "fire.escape_routes"), PHONE)
        shoot(page, "inspection-flagged")

        # 孙丽 answered the fire drill 否 on her phone: the lead sees both answers and who gave them.
        answer_from_another_phone(server, "staff-sun", "fire.drill", "no", "本学期还没有组织演练")
        go_back(page)
        expect_screen(page, "检查")
        open_inspection(page)
        section(page, "消防安全")
        conflict = by_id(page, "conflict-fire.drill")
        expect(conflict).to_be_visible()
        says(conflict, "周海涛：是")
        says(conflict, "孙丽：否")
        expect(text(page, "1 项答案不同")).to_be_visible()
        scroll_to(page, conflict, PHONE)
        shoot(page, "inspection-conflict")
        with window(browser, server, DESKTOP) as wide:  # the same inspection on an office screen
            open_inspection(wide)
            shoot(wide, "inspection-answering")
            section(wide, "消防安全")
            scroll_to(wide, by_id(wide, "conflict-fire.drill"), DESKTOP)
            shoot(wide, "inspection-conflict")
        section(page, "检查结果")
        expect(text(page, "“本学期已组织消防疏散演练”有两个不同的答案，请先确定采用哪一个。")).to_be_visible()
        tap(button(page, "签字确认", exact=True))
        expect(text(page, re.compile("^还有几项出现了不同的答案（本学期已组织消防疏散演练）"))).to_be_visible()
        section(page, "消防安全")
        tap(by_id(page, "conflict-fire.drill").get_by_role("button", name="采用").first)  # his own: 是
        expect(by_id(page, "conflict-fire.drill")).to_have_count(0)

        # The end: score and flagged items, signed off, the report downloaded.
        section(page, "检查结果")
        flagged = by_id(page, "flagged-fire.escape_routes")
        says(flagged, ESCAPE)
        says(flagged, NOTE)
        expect(text(page, "发现的问题（1 项）")).to_be_visible()
        tap(button(page, "签字确认", exact=True))
        expect(text(page, re.compile("^已签字确认：周海涛")).first).to_be_visible()
        expect(text(page, "已签字确认", exact=True).first).to_be_visible()  # the status chip
        shoot(page, "inspection-end")
        with page.expect_download() as download:
            tap(button(page, "下载检查报告（Word）"))
        assert download.value.suggested_filename == f"{PLACE}校园安全检查报告.docx"
        saved = tmp_path / "report.docx"
        download.value.save_as(saved)
        document = Document(str(saved))
        written = "\n".join(p.text for p in document.paragraphs)
        cells = "\n".join(c.text for table in document.tables for row in table.rows for c in row.cells)
        assert f"{PLACE}校园安全检查报告" in written and "周海涛" in written
        assert ESCAPE in cells and NOTE in cells

        # The raised issue opens from the inspection, and it is in the 问题 list.
        tap(by_id(page, "issue-fire.escape_routes"))
        expect_screen(page, "问题详情")
        expect(text(page, ESCAPE, exact=True)).to_be_visible()
        go_back(page)
        expect_screen(page, "检查表")
        go_back(page)
        expect_screen(page, "检查")
        row = by_id(page, "inspection-row").first
        says(row, "已签字确认")
        says(row, "发现问题 1 项")
        shoot(page, "inspections")
        go_tab(page, "问题")
        expect(issue_tile(page, ESCAPE)).to_contain_text("待分办")

    with window(browser, server, DESKTOP) as wide:
        expect_screen(wide, "检查")
        shoot(wide, "inspections")
        open_inspection(wide)
        section(wide, "检查结果")
        shoot(wide, "inspection-end")
