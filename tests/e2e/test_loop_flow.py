"""The closed loop across three people at once, through a real central store, and the figure it moves.

王建华 records an issue on his phone; 马文静 (the office, on a PC) assigns it to the water station;
何永平 (the water station) resolves it; 王建华 rates it 满意; the office's dashboard then counts it
fixed: its rectification rate (整改率) goes from n / d to n + 1 / d + 1, read off the screen before
and after. The dashboard is photographed at 412x860 and 1280x800 into SHOTS, to be looked at.
"""

from __future__ import annotations

import math
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import (DESKTOP, PHONE, button, by_id, choose_chip, expect_screen, go_back, issue_tile,
                               new_page, open_app, record_issue, screen, settle, tap, text, type_into)
# The central store with the demo township, and the field app served against it, as the sync flow has them.
from tests.e2e.test_sync_flow import central, field_app, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/lianluo-dashboard-shots")  # screenshots to look at, kept after the run
DASHBOARD = "办理统计"


def signed_in(page: Page, url: str, username: str, greeting: str) -> None:
    open_app(page, url, "/")
    sign_in(page, username, "lianluo2026")
    # Seen on a busy machine: 登录 answered 请填写用户名和密码 although both fields showed the typed text (the
    # values never reached the login model). Not what this test is about: type them again, and say so.
    empty = text(page, "请填写用户名和密码")
    expect(screen(page, "联络通").or_(empty).first).to_be_visible()
    if empty.count():
        print(f"warning: signing in as {username} was answered 请填写用户名和密码; typing it all again")
        sign_in(page, username, "lianluo2026")
    expect_screen(page, "联络通")
    expect(text(page, greeting)).to_be_visible()


def tap_until(target: Locator, shown: Locator, tries: int = 3) -> None:
    """Tap until what the tap opens is shown. A background sync that pulls something redraws the screen,
    and a tap in the middle of that lands on the control being replaced; a person would tap again."""
    for _ in range(tries - 1):
        tap(target)
        try:
            expect(shown).to_be_visible(timeout=10_000)
            return
        except AssertionError:
            continue
    tap(target)
    expect(shown).to_be_visible()


def sync_now(page: Page) -> None:
    """Tap the chip, then 立即同步, wait until it says 已同步 in the snack bar, and come back."""
    chip = page.get_by_role("button", name="已同步", exact=True)
    expect(chip).to_be_visible(timeout=60_000)  # what was recorded here has gone up first
    tap_until(chip, screen(page, "同步"))
    expect_screen(page, "同步")
    tap(button(page, "立即同步"))
    expect(text(page, "已同步", exact=True)).to_have_count(2)  # the chip, and the snack bar
    go_back(page)


def open_issue(page: Page, title: str) -> None:
    """Tap an issue's row (home, queue or list) and wait for its detail."""
    tap_until(issue_tile(page, title), screen(page, "问题详情"))
    expect_screen(page, "问题详情")


def open_dashboard(page: Page) -> None:
    """From the office's home: its 办理统计 shortcut."""
    tap_until(page.get_by_role("button", name=re.compile(f"^{DASHBOARD}")), screen(page, DASHBOARD))
    expect_screen(page, DASHBOARD)
    expect(by_id(page, "figure-rectification")).to_be_visible()


def rectification_card(page: Page):
    """The 整改率 card: a group named by what it shows (整改率 25% 3 / 12 已整改 / 已交办), with its list buttons."""
    return by_id(page, "figure-rectification")


def rectification(page: Page) -> tuple[int, int]:
    """The 整改率 card's counts: (verified fixed, assigned)."""
    card = rectification_card(page)
    expect(card).to_have_accessible_name(re.compile(r"^整改率"))
    found = re.search(r"(\d+) / (\d+)", card.get_attribute("aria-label") or "")
    assert found, f"no counts on the card: {card.get_attribute('aria-label')!r}"
    return int(found[1]), int(found[2])


def expect_rectification(page: Page, fixed: int, assigned: int) -> None:
    """The card says the rate and its counts (整改率 25% 3 / 12), and lies inside the window, not only in the tree;
    the pixels themselves are in the screenshots."""
    card = rectification_card(page)
    expect(card).to_have_accessible_name(
        re.compile(rf"^整改率\s+{re.escape(percent(fixed, assigned))}\s+{fixed} / {assigned}\s"))
    box, size = card.bounding_box(), page.viewport_size
    assert box and box["width"] > 100 and box["height"] > 100, f"the card has no room: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1, f"the card is outside the window: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1, f"the card is outside the window: {box}"


def this_year(page: Page) -> str:
    """The period the dashboard shows by default, as its heading names it (2026年)."""
    found = re.search(r"(\d{4}年)交办的问题共", page.locator("flt-semantics-host").inner_text())
    assert found, "no period heading on the dashboard"
    return found[1]


def percent(fixed: int, assigned: int) -> str:
    """The rate as the dashboard writes it: rounded down to a tenth, without a trailing .0."""
    return f"{math.floor(1000 * fixed / assigned) / 10:.1f}".removesuffix(".0") + "%"


def take_step(page: Page, action: str, *, chip: str | None = None, choice: str | None = None,
              words: tuple[str, str] | None = None) -> None:
    """On an issue's detail: tap a step, fill its form (a chip, a large choice, a text), confirm; the dialog goes."""
    dialog = page.get_by_role("alertdialog")
    tap_until(button(page, action, exact=True), dialog)
    if chip:
        choose_chip(page, chip)
    if choice:
        tile = dialog.get_by_role("button", name=re.compile(rf"^{choice}(\s|$)"))  # named by its word (and icon)
        tap(tile)
        expect(tile).to_have_attribute("aria-current", "true")  # how Flutter marks the chosen tile
    if words:
        type_into(page, *words)
    tap(button(page, f"确认{action}"))
    expect(dialog).to_have_count(0)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(500)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def test_a_rated_issue_moves_the_rectification_rate(central, field_app, browser):
    deputy, water, office = (new_page(browser, size)[0] for size in (PHONE, PHONE, DESKTOP))
    try:
        signed_in(deputy, field_app.url, "deputy-wang", "王建华，您好")
        signed_in(water, field_app.url, "dept-water", "何永平，您好")
        signed_in(office, field_app.url, "office-ma", "马文静，您好")

        # 王建华 records an issue; it goes up to the central store.
        title = f"水渠渗漏 {uuid.uuid4().hex[:6]}"
        record_issue(deputy, title=title, category="供水与饮水安全")
        expect(issue_tile(deputy, title)).to_be_visible()
        expect(text(deputy, "全部记录已同步")).to_be_visible(timeout=60_000)

        # The office's figure before: this year's issues, n of d verified fixed.
        open_dashboard(office)
        fixed, assigned = rectification(office)
        year = this_year(office)
        go_back(office)

        # The office gets the new issue and assigns it to the water station (15 days, the form's default).
        sync_now(office)
        open_issue(office, title)
        take_step(office, "交办", chip="镇水利站")
        expect(by_id(office, "timeline-assign")).to_contain_text("牵头：镇水利站")
        go_back(office)
        open_dashboard(office)
        expect_rectification(office, fixed, assigned + 1)  # assigned now, not fixed yet
        go_back(office)

        # The water station gets it and resolves it.
        sync_now(water)
        open_issue(water, title)
        take_step(water, "办结", words=("办理结果", "已清淤并修补渠道，恢复通水。"))
        expect(by_id(water, "timeline-resolve")).to_be_visible()
        expect(text(water, "全部记录已同步").or_(text(water, "已同步", exact=True)).first).to_be_visible(timeout=60_000)

        # 王建华 gets the result and rates it 满意.
        sync_now(deputy)
        open_issue(deputy, title)
        take_step(deputy, "满意度评价", choice="满意")
        expect(by_id(deputy, "timeline-rate")).to_contain_text("满意")

        # The office's figure after: one more fixed, of one more assigned.
        expect(text(deputy, "已同步", exact=True).first).to_be_visible(timeout=60_000)  # the rating went up
        sync_now(office)
        open_dashboard(office)
        expect_rectification(office, fixed + 1, assigned + 1)
        shoot(office, "dashboard")

        # The list behind the figure holds the issue.
        tap_until(rectification_card(office).get_by_role("button", name=f"已整改 {fixed + 1}"),
                  screen(office, f"{year} · 已整改"))
        expect_screen(office, f"{year} · 已整改")
        expect(text(office, f"共 {fixed + 1} 件")).to_be_visible()
        expect(issue_tile(office, title)).to_be_visible()
        go_back(office)

        # And behind a cell of the table by department: the water station's 整改率 asks which list, then opens it.
        cell = office.get_by_role("button", name=re.compile(r" · 镇水利站 · 整改率 "))
        tap_until(cell, text(office, "查看问题清单"))  # the sheet, over the dashboard
        tap(office.get_by_role("button", name=re.compile(r"^已整改 \d+$")))
        expect_screen(office, f"{year} · 镇水利站 · 已整改")
        expect(issue_tile(office, title)).to_be_visible()
        go_back(office)

        # The same screen on a phone's width: the headline card then takes the whole width.
        expect_screen(office, DASHBOARD)
        office.set_viewport_size(PHONE)
        expect(office.get_by_role("button", name=re.compile(r"Tab 1 of \d+$"))).to_have_count(0)  # no rail
        card = rectification_card(office)
        for _ in range(50):
            box = card.bounding_box()
            if box and box["x"] < 30 and box["width"] > PHONE["width"] - 60:
                break
            office.wait_for_timeout(200)
        else:
            raise AssertionError(f"the dashboard was not laid out for a phone: {card.bounding_box()}")
        expect_rectification(office, fixed + 1, assigned + 1)
        shoot(office, "dashboard")
    finally:
        for page in (deputy, water, office):
            page.context.close()
