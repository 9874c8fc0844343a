"""The detail's view-model, with no page: where the issue stands, and every timeline event with who, when and what."""

from __future__ import annotations

from datetime import timedelta

from app.records import RecordEvent
from app.viewmodels.issue_actions import ActionForm
from app.viewmodels.issue_detail import IssueDetailModel
from tests.views.test_issue_actions import (CANTEEN, DUMPING, LANDSLIDE, SPEED_BUMPS, ctx, dept, issue,  # noqa: F401
                                            issue_id, sign_in)


def facts(detail: IssueDetailModel) -> dict[str, tuple[str, bool]]:
    return {f.key: (f.value, f.alert) for f in detail.facts}


def day(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def test_the_canteen_issue_shows_all_five_steps_with_who_when_and_what(ctx):
    detail = IssueDetailModel(ctx, issue_id(ctx, CANTEEN))
    rows = detail.timeline
    assert [(r.what, r.who) for r in rows] == [("记录问题", "周海涛"), ("交办", "马文静"),
                                               ("办结", "林晓梅（镇中心学校）"), ("满意度评价", "周海涛"),
                                               ("回头看", "周海涛")]
    assert rows[1].details[0] == "牵头：镇中心学校" and rows[1].details[1].startswith("期限：")
    assert rows[1].text == "下发监督意见函，请学校限期整改。"
    assert rows[3].text == "满意 · 已整改，建议落实定期清洗。"
    assert rows[4].details == ("结论：已整改到位",) and rows[4].type == "look_back"
    assert all(r.when.startswith("20") and not r.pending and r.rejected is None for r in rows)
    shown = facts(detail)
    assert shown["satisfaction"] == ("满意", False) and shown["department"] == ("镇中心学校", False)
    assert "·" not in shown["deadline"][0]  # verified: no days left or overdue to count


def test_the_deadline_says_how_many_days_are_left_or_how_many_overdue(ctx):
    deadline = issue(ctx, DUMPING).deadline
    issue_id_ = issue_id(ctx, DUMPING)
    assert facts(IssueDetailModel(ctx, issue_id_, today=deadline - timedelta(days=2)))["deadline"] == (
        f"{day(deadline)} · 还剩 2 天", False)
    assert facts(IssueDetailModel(ctx, issue_id_, today=deadline))["deadline"] == (f"{day(deadline)} · 今天到期", False)
    assert facts(IssueDetailModel(ctx, issue_id_, today=deadline + timedelta(days=3)))["deadline"] == (
        f"{day(deadline)} · 已超期 3 天", True)
    assert facts(IssueDetailModel(ctx, issue_id_))["escalation"] == ("催办", True)


def test_co_handling_departments_and_a_basic_satisfaction_are_shown(ctx):
    sign_in(ctx, "office-ma")
    form = ActionForm(ctx, [issue_id(ctx, SPEED_BUMPS)], "assign")
    form.set("department_id", dept("build"))
    form.toggle("co_department_ids", dept("safety"))
    form.toggle("co_department_ids", dept("school"))
    assert form.submit()
    shown = facts(IssueDetailModel(ctx, issue_id(ctx, SPEED_BUMPS)))
    assert shown["co_departments"] == ("镇应急管理办公室、镇中心学校", False)
    assert facts(IssueDetailModel(ctx, issue_id(ctx, LANDSLIDE)))["satisfaction"] == ("基本满意", False)


def test_a_refused_step_says_why_and_a_waiting_one_that_it_waits(ctx):
    sign_in(ctx, "dept-eco")
    form = ActionForm(ctx, [issue_id(ctx, DUMPING)], "comment")
    form.set("text", "本周五前反馈。")
    assert form.submit()
    detail = IssueDetailModel(ctx, issue_id(ctx, DUMPING))
    assert detail.timeline[-1].pending and detail.timeline[-1].who == "郑涛（镇生态环境保护办公室）"
    with ctx.session() as session:  # as a sync leaves it when the central store refused it
        event = session.get(RecordEvent, detail.timeline[-1].id)
        event.rejected_code, event.rejected_reason = "event.not_your_department", "not yours"
        session.add(event)
        session.commit()
    row = IssueDetailModel(ctx, issue_id(ctx, DUMPING)).timeline[-1]
    assert row.rejected == "这个问题没有交办给您的单位。"


def test_an_issue_this_device_does_not_hold_offers_nothing(ctx):
    sign_in(ctx, "office-ma")
    detail = IssueDetailModel(ctx, "no-such-issue")
    assert detail.found is False and detail.actions == [] and detail.missing_photos == []


def test_the_detail_offers_the_steps_of_the_signed_in_user(ctx):
    sign_in(ctx, "deputy-zhou")
    assert [a.label for a in IssueDetailModel(ctx, issue_id(ctx, CANTEEN)).actions] == ["回头看", "重新办理", "留言",
                                                                                        "补充照片"]
