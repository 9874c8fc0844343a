"""The essential-knowledge quiz in real browsers through a real central store.

马文静 (the office, on a PC) opens a three-question quiz; 王建华 gets it on his phone, the central store goes
away (the phone is offline), he answers on the phone-sized page one question a screen, leaves the last one blank
and is asked before handing in, hands in and is told 已交卷，同步后出成绩; the store comes back, his phone syncs
and shows the score. (The office's results after that sync are checked in tests/views/test_year_screens.py;
in the browser they did not show yet, a gap noted on the issue.) Screenshots go to SHOTS, to be looked at.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (DESKTOP, PHONE, AppServer, button, by_id, expect_screen, field_input, go_tab,
                               new_page, open_app, reload, screen, settle, tap, text, type_into)
from tests.e2e.test_loop_flow import signed_in, sync_now, tap_until
from tests.e2e.test_sync_flow import central  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/lianluo-quiz-shots")  # screenshots to look at, kept after the run
TITLE = "2026年第二季度应知应会测试"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(400)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


@contextmanager
def window(browser, viewport: dict, name: str) -> Iterator[Page]:
    page, network = new_page(browser, viewport)
    try:
        yield page
        assert network.unexpected_outside() == []
    except BaseException:
        shoot(page, f"failure-{name}")
        raise
    finally:
        page.context.close()


@pytest.fixture
def apps(tmp_path, central):  # noqa: F811
    office = AppServer(tmp_path / "office", demo=False, server_url=central.url)
    deputy = AppServer(tmp_path / "wang", demo=False, server_url=central.url)
    try:
        yield office.start(), deputy.start()
    finally:
        office.stop()
        deputy.stop()


def test_the_office_opens_a_quiz_a_deputy_takes_it_offline_and_both_see_the_score(browser, central, apps):  # noqa: F811
    office, deputy = apps
    with window(browser, DESKTOP, "office") as ma, window(browser, PHONE, "wang") as wang:
        signed_in(ma, office.url, "office-ma", "马文静，您好")
        open_app(ma, office.url, "/quiz")
        expect_screen(ma, "知识测试")
        tap(button(ma, "开启测试"))
        expect(field_input(ma, "题目数量")).to_be_attached()
        type_into(ma, "测试名称（必填）", TITLE)
        type_into(ma, "题目数量", "十")
        tap(button(ma, "保存", exact=True))
        expect(text(ma, "请填写 1 到").first).to_be_visible()  # bad input: said at its field, nothing recorded
        type_into(ma, "题目数量", "3")
        type_into(ma, "答题时间（分钟）（必填）", "10")
        shoot(ma, "office-quiz-form")
        tap(button(ma, "保存", exact=True))
        expect_screen(ma, "测试成绩")
        expect(text(ma, TITLE).first).to_be_visible()
        shoot(ma, "office-quiz-opened")
        sync_now(ma)

        signed_in(wang, deputy.url, "deputy-wang", "王建华，您好")
        go_tab(wang, "我的")
        expect(text(wang, "1 场待考")).to_be_visible(timeout=60_000)
        shoot(wang, "deputy-me")

        central.stop()  # the phone is offline from here
        tap_until(wang.get_by_role("button", name=re.compile("^知识测试")), screen(wang, "知识测试"))
        shoot(wang, "deputy-quizzes")
        tap(button(wang, "开始答题").first)
        expect_screen(wang, "应知应会知识测试")
        tap(button(wang, "开始答题").first)
        expect(by_id(wang, "quiz-progress")).to_have_text("第 1 / 3 题")
        expect(text(wang, "剩余 ").first).to_be_visible()
        shoot(wang, "deputy-question-1")
        for n in (1, 2):
            tap(wang.locator("[flt-semantics-identifier^='answer-']").first)
            expect(text(wang, f"题目（已答 {n} / 3）")).to_be_visible()
            if n == 1:
                shoot(wang, "deputy-question-answered")
            tap(button(wang, "下一题"))
            expect(by_id(wang, "quiz-progress")).to_have_text(f"第 {n + 1} / 3 题")
        tap(button(wang, "交卷").first)
        expect(text(wang, "还有 1 题没有作答").first).to_be_visible()
        shoot(wang, "deputy-hand-in-confirm")
        tap(button(wang, "确定交卷"))
        expect(text(wang, "已交卷，同步后出成绩").first).to_be_visible()
        shoot(wang, "deputy-handed-in-offline")

        central.start()  # back online: the attempt goes up, is scored, the score comes down
        score = text(wang, re.compile(r"第 1 次：得分 \d+（答对 \d / 3 题）"))
        try:
            expect(score.first).to_be_visible(timeout=60_000)
        except AssertionError:
            sync_now(wang)
            expect(score.first).to_be_visible()
        shoot(wang, "deputy-score")
