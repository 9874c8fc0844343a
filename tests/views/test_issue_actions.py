"""The action forms of an issue's detail, with no page: fields, defaults, payloads, refusals at the field."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.demo import seed_demo
from app.issues import Issue, issue_state, timeline, today_in_china
from app.models import OutboxMutation
from app.photos import PhotoStore
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.issue_actions import FORMS, ActionForm, Kind, available_actions
from app.viewmodels.issue_detail import IssueDetailModel

CANTEEN = "学校食堂排烟管道油污较多"  # verified: five events, reporter 周海涛 (deputy-zhou)
SPEED_BUMPS = "校门口道路缺少减速带和警示标志"  # new, reporter 王建华
WATER = "农村饮用水雨后浑浊"  # rated, with the water station
LANDSLIDE = "山体有滑坡隐患"  # rated 基本满意 by 刘桂兰
BRICKS = "砖厂粉尘较大，影响周边群众"  # returned by the office
LEAK = "自来水管道破裂漏水"  # resolved by the water station, reporter 杨春燕
DUMPING = "河道有人倾倒建筑垃圾"  # in progress with the environment office, reminded once
ROADS = "机耕道路面塌陷，农用车通行困难"  # in progress with the construction office


@pytest.fixture
def ctx(engine, settings, tmp_path):
    with AppContext(engine, PhotoStore(tmp_path / "photos"), settings).session() as session:
        seed_demo(session)
    return AppContext(engine, PhotoStore(tmp_path / "photos"), settings)


def sign_in(ctx: AppContext, code: str) -> AppContext:
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


def issue_id(ctx: AppContext, title: str) -> str:
    with ctx.session() as session:
        return session.exec(select(Issue).where(Issue.title == title)).one().id


def issue(ctx: AppContext, title: str) -> Issue:
    with ctx.session() as session:
        return session.exec(select(Issue).where(Issue.title == title)).one()


def events(ctx: AppContext, title: str) -> list[str]:
    with ctx.session() as session:
        return [e.type for e in timeline(session, issue_id(ctx, title))]


def outbox(ctx: AppContext) -> int:
    with ctx.session() as session:
        return len(session.exec(select(OutboxMutation)).all())


def actions(ctx: AppContext, title: str) -> list[str]:
    return [a.type for a in available_actions(ctx, issue_id(ctx, title))]


def form(ctx: AppContext, title: str, type_: str) -> ActionForm:
    return ActionForm(ctx, [issue_id(ctx, title)], type_)


def dept(code: str) -> str:
    return stable_id("department", code)


# -- which actions, with which labels --------------------------------------------------------------------------------
def test_each_role_is_offered_exactly_the_steps_the_rules_allow_now_the_likeliest_first(ctx):
    sign_in(ctx, "office-ma")
    assert actions(ctx, SPEED_BUMPS) == ["assign", "classify", "merge", "return", "comment", "attach_photo",
                                         "add_follower"]
    assert [a.label for a in available_actions(ctx, issue_id(ctx, SPEED_BUMPS))][:4] == ["交办", "分类",
                                                                                           "合并重复问题", "退回"]
    # The office may also record a department's reply or result (given by telephone, say).
    assert actions(ctx, DUMPING) == ["supervise", "escalate", "respond", "resolve", "request_extension", "assign",
                                     "classify", "merge", "comment", "attach_photo", "add_follower"]
    sign_in(ctx, "dept-eco")
    assert actions(ctx, DUMPING) == ["respond", "resolve", "request_extension", "comment", "attach_photo"]
    sign_in(ctx, "deputy-zhou")
    assert actions(ctx, CANTEEN) == ["look_back", "reopen", "comment", "attach_photo"]
    sign_in(ctx, "deputy-yang")
    assert actions(ctx, LEAK) == ["rate", "look_back", "reopen", "comment", "attach_photo"]
    sign_in(ctx, "deputy-wang")  # not the reporter: no rating
    assert actions(ctx, LEAK) == ["look_back", "reopen", "comment", "attach_photo"]


def test_nobody_signed_in_is_offered_nothing(ctx):
    assert available_actions(ctx, issue_id(ctx, CANTEEN)) == []


def test_every_form_has_its_fields_in_chinese(ctx):
    sign_in(ctx, "office-ma")
    for type_ in FORMS:
        model = ActionForm(ctx, [issue_id(ctx, DUMPING)], type_)
        assert model.title and model.submit_label.startswith("确认")
        assert all(f.label and not f.label.startswith("action.") for f in model.fields), type_
    assert [f.name for f in form(ctx, SPEED_BUMPS, "assign").fields] == ["department_id", "co_department_ids",
                                                                         "deadline", "text"]


# -- 交办 ------------------------------------------------------------------------------------------------------------
def test_assign_defaults_to_fifteen_days_and_records_lead_co_and_deadline(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, SPEED_BUMPS, "assign")
    assert model.values["deadline"] == (today_in_china() + timedelta(days=15)).isoformat()
    assert [o.label for o in model.field("department_id").options][0] == "镇水利站"
    model.set("department_id", dept("build"))
    model.toggle("co_department_ids", dept("safety"))
    model.toggle("co_department_ids", dept("school"))
    model.toggle("co_department_ids", dept("school"))  # chosen again: taken out
    model.set("text", "请村镇建设办会同应急办设置减速带。")
    assert model.submit() is True and model.errors == {}
    row = issue(ctx, SPEED_BUMPS)
    assert row.status == "assigned" and row.department_id == dept("build")
    assert row.co_department_ids == [dept("safety")] and row.deadline == today_in_china() + timedelta(days=15)
    detail = IssueDetailModel(ctx, row.id)
    last = detail.timeline[-1]
    assert (last.what, last.pending) == ("交办", True)
    assert last.details == ("牵头：镇村镇建设办公室", "协办：镇应急管理办公室",
                            f"期限：{row.deadline.year}年{row.deadline.month}月{row.deadline.day}日")


def test_a_deadline_in_the_past_is_refused_at_the_field_and_nothing_is_recorded(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, SPEED_BUMPS, "assign")
    model.set("department_id", dept("school"))
    yesterday = today_in_china() - timedelta(days=1)
    model.set("deadline", yesterday.isoformat())
    before = outbox(ctx)
    assert model.submit() is False
    assert model.errors == {"deadline": f"办理期限 {yesterday.isoformat()} 已经过去，请选择今天或以后的日期。"}
    assert outbox(ctx) == before and issue(ctx, SPEED_BUMPS).status == "new"


def test_a_deadline_that_is_not_a_date_and_a_missing_department_are_named(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, SPEED_BUMPS, "assign")
    model.set("deadline", "下个月")
    assert model.submit() is False and model.errors == {"deadline": "“下个月”不是日期，请按 2026-10-17 这样填写。"}
    model.set("deadline", model.deadline_in(7))
    assert model.submit() is False and model.errors == {"department_id": "请选择承办单位。"}
    model.set("deadline", "")
    model.set("department_id", dept("school"))
    assert model.submit() is False and model.errors == {"deadline": "请选择办理期限。"}


def test_the_lead_department_is_never_also_a_co_handling_one(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, SPEED_BUMPS, "assign")
    model.toggle("co_department_ids", dept("school"))
    model.set("department_id", dept("school"))  # chosen as lead: no longer co-handling
    assert model.values["co_department_ids"] == []


def test_several_issues_are_assigned_in_one_batch_or_none_is(ctx):
    sign_in(ctx, "office-ma")
    ids = [issue_id(ctx, SPEED_BUMPS), issue_id(ctx, "占补平衡新增耕地撂荒")]
    model = ActionForm(ctx, ids, "assign")
    assert model.batch_title == "2 个问题"
    model.set("department_id", dept("land"))
    assert model.submit() is True
    assert {issue(ctx, SPEED_BUMPS).department_id, issue(ctx, "占补平衡新增耕地撂荒").department_id} == {dept("land")}
    returned = ActionForm(ctx, [issue_id(ctx, "文化广场路灯损坏"), issue_id(ctx, BRICKS)], "assign")
    returned.set("department_id", dept("build"))
    before = outbox(ctx)
    assert returned.submit() is False and "已退回" in returned.errors["form"]
    assert outbox(ctx) == before and issue(ctx, "文化广场路灯损坏").status == "new"  # all or nothing


def test_only_assign_takes_several_issues(ctx):
    sign_in(ctx, "office-ma")
    with pytest.raises(ValueError):
        ActionForm(ctx, [issue_id(ctx, SPEED_BUMPS), issue_id(ctx, BRICKS)], "return")


# -- the bad input of the closed loop ----------------------------------------------------------------------------------
def test_a_department_never_sees_steps_on_an_issue_not_assigned_to_it_and_a_crafted_one_is_refused(ctx):
    sign_in(ctx, "dept-water")
    assert actions(ctx, DUMPING) == []  # the environment office's issue
    before = outbox(ctx)
    crafted = form(ctx, DUMPING, "resolve")
    crafted.set("text", "已办结。")
    assert crafted.submit() is False
    assert crafted.errors == {"form": "这个问题没有交办给您的单位。"}
    assert outbox(ctx) == before and events(ctx, DUMPING)[-1] == "supervise"


def test_a_rating_by_anyone_but_the_reporting_deputy_is_refused(ctx):
    for code in ("deputy-wang", "office-ma"):
        sign_in(ctx, code)
        assert "rate" not in actions(ctx, LEAK)
        crafted = form(ctx, LEAK, "rate")
        crafted.set("satisfaction", "satisfied")
        assert crafted.submit() is False
        assert crafted.errors == {"form": "只有提出这个问题的代表才能评价。"}
    assert issue(ctx, LEAK).status == "resolved"


@pytest.mark.parametrize("who, title, type_, field, value, state, step", [
    ("office-ma", BRICKS, "resolve", "text", "已处理。", "已退回", "办结"),  # resolving a returned issue
    ("deputy-zhang", ROADS, "rate", "satisfaction", "unsatisfied", "办理中", "满意度评价"),  # rating an unresolved one
])
def test_a_step_the_state_does_not_allow_is_refused_with_the_state_it_is_in(ctx, who, title, type_, field, value,
                                                                           state, step):
    sign_in(ctx, who)
    assert type_ not in actions(ctx, title)
    crafted = form(ctx, title, type_)
    crafted.set(field, value)
    before = outbox(ctx)
    assert crafted.submit() is False and outbox(ctx) == before
    assert crafted.errors == {"form": f"问题现在是“{state}”，不能再进行“{step}”。可能别人已先处理了，请查看办理过程。"}


def test_a_rating_needs_one_of_the_three_levels(ctx):
    sign_in(ctx, "deputy-yang")
    model = form(ctx, LEAK, "rate")
    assert [o.label for o in model.field("satisfaction").options] == ["满意", "基本满意", "不满意"]
    assert model.submit() is False and model.errors == {"satisfaction": "请选择满意、基本满意或不满意。"}


# -- the rest of the loop, one step each -----------------------------------------------------------------------------
def test_unsatisfied_sends_the_issue_back_and_the_timeline_says_so(ctx):
    sign_in(ctx, "deputy-yang")
    model = form(ctx, LEAK, "rate")
    model.set("satisfaction", "unsatisfied")
    model.set("text", "还在漏水。")
    assert model.submit() is True
    row = issue(ctx, LEAK)
    assert (row.status, row.satisfaction, row.reopened) == ("assigned", "unsatisfied", 1)
    detail = IssueDetailModel(ctx, row.id)
    assert detail.timeline[-1].text == "不满意 · 还在漏水。" and detail.timeline[-1].pending


def test_a_department_acknowledges_asks_for_time_and_the_office_grants_it(ctx):
    sign_in(ctx, "office-ma")
    assign = form(ctx, SPEED_BUMPS, "assign")
    assign.set("department_id", dept("school"))
    assert assign.submit()
    deadline = issue(ctx, SPEED_BUMPS).deadline
    sign_in(ctx, "dept-school")
    assert actions(ctx, SPEED_BUMPS)[:1] == ["acknowledge"]
    assert form(ctx, SPEED_BUMPS, "acknowledge").submit()
    ask = form(ctx, SPEED_BUMPS, "request_extension")
    assert ask.values["deadline"] == (deadline + timedelta(days=15)).isoformat()
    assert ask.submit() is False and ask.errors == {"text": "请写几句说明。"}
    ask.set("deadline", deadline.isoformat())
    ask.set("text", "减速带需要县交通局审批。")
    assert ask.submit() is False and ask.errors == {"deadline": f"新的期限要晚于原定期限 {deadline.isoformat()}。"}
    ask.set("deadline", (deadline + timedelta(days=20)).isoformat())
    assert ask.submit()
    sign_in(ctx, "office-ma")
    grant = form(ctx, SPEED_BUMPS, "grant_extension")
    assert grant.values["deadline"] == (deadline + timedelta(days=20)).isoformat()  # what was asked
    assert grant.submit()
    assert issue(ctx, SPEED_BUMPS).deadline == deadline + timedelta(days=20)
    rows = IssueDetailModel(ctx, issue_id(ctx, SPEED_BUMPS)).timeline
    new_day = deadline + timedelta(days=20)
    assert rows[-2].details == (f"申请延期至 {new_day.year}年{new_day.month}月{new_day.day}日",)
    assert rows[-1].details == (f"期限延至 {new_day.year}年{new_day.month}月{new_day.day}日",)
    assert rows[-2].who == "林晓梅（镇中心学校）"


def test_classify_starts_from_what_the_issue_is_and_records_it(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, SPEED_BUMPS, "classify")
    assert model.values == {"category_id": stable_id("category", "school"), "urgency": "normal",
                            "nature": "problem", "key_suggestion": False}
    model.set("urgency", "urgent")
    model.set("nature", "suggestion")
    model.set("key_suggestion", True)
    assert model.submit()
    row = issue(ctx, SPEED_BUMPS)
    assert (row.urgency, row.nature, row.key_suggestion) == ("urgent", "suggestion", True)
    detail = IssueDetailModel(ctx, row.id)
    assert detail.timeline[-1].details == ("类别：校园安全", "紧急程度：紧急", "性质：建议", "重点建议")
    assert {f.key: f.value for f in detail.facts}["nature"] == "建议 · 重点建议"


def test_escalation_goes_one_level_up_and_the_detail_shows_the_level(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, DUMPING, "escalate")
    assert model.values["level"] == 2 and [o.label for o in model.field("level").options] == ["监督意见函",
                                                                                              "报告镇党委政府"]
    assert model.submit()
    detail = IssueDetailModel(ctx, issue_id(ctx, DUMPING))
    assert detail.timeline[-1].details == ("级别：监督意见函",)
    assert detail.timeline[-2].details == ("级别：催办",)  # the demo's reminder
    assert {f.key: (f.value, f.alert) for f in detail.facts}["escalation"] == ("监督意见函", True)


def test_return_and_reopen_need_a_reason(ctx):
    sign_in(ctx, "office-ma")
    model = form(ctx, SPEED_BUMPS, "return")
    assert model.submit() is False and model.errors == {"text": "请写几句说明。"}
    model.set("text", "请补充照片。")
    assert model.submit() and issue(ctx, SPEED_BUMPS).status == "returned"
    sign_in(ctx, "deputy-wang")
    reopen = form(ctx, SPEED_BUMPS, "reopen")
    reopen.set("text", "已补充情况。")
    assert reopen.submit() and issue(ctx, SPEED_BUMPS).status == "new"


def test_respond_and_resolve_carry_photos_from_the_capture_pipeline(ctx, photo_fixtures):
    sign_in(ctx, "dept-build")
    model = form(ctx, ROADS, "respond")
    asyncio.run(model.add_photos([("a.jpg", (photo_fixtures / "gps-DSCN0010.jpg").read_bytes()),
                                  ("b.txt", b"not a photo")]))
    assert len(model.photos) == 1 and len(model.notices) == 1 and "b.txt" in model.notices[0]
    model.set("text", "已清理排水沟。")
    model.set("percent", 50)
    assert model.submit()
    resolve = form(ctx, ROADS, "resolve")
    asyncio.run(resolve.add_photos([("c.jpg", (photo_fixtures / "gps-DSCN0012.jpg").read_bytes())]))
    resolve.set("text", "路面已修复。")
    assert resolve.submit()
    detail = IssueDetailModel(ctx, issue_id(ctx, ROADS))
    respond, resolved = detail.timeline[-2], detail.timeline[-1]
    assert respond.details == ("完成 50%",) and len(respond.photos) == 1 and respond.photos[0].thumbnail
    assert resolved.what == "办结" and len(resolved.photos) == 1 and resolved.photos[0].available
    assert resolved.who == "罗明（镇村镇建设办公室）"


def test_an_optional_choice_chosen_again_is_cleared(ctx):
    sign_in(ctx, "dept-build")
    model = form(ctx, ROADS, "respond")
    model.set("percent", 75)
    model.set("percent", 75)
    assert model.values["percent"] is None and "percent" not in model.payload()


def test_a_look_back_shows_before_and_after_side_by_side(ctx, photo_fixtures):
    sign_in(ctx, "deputy-wang")
    from app.viewmodels.capture import CaptureModel

    capture = CaptureModel(ctx)
    asyncio.run(capture.add_photos([("before.jpg", (photo_fixtures / "gps-DSCN0010.jpg").read_bytes())]))
    capture.set_field("title", "村口路灯不亮")
    capture.set_field("category_id", stable_id("category", "other"))
    new_id = capture.save()
    sign_in(ctx, "office-ma")
    assign = ActionForm(ctx, [new_id], "assign")
    assign.set("department_id", dept("build"))
    assert assign.submit()
    sign_in(ctx, "dept-build")
    resolve = ActionForm(ctx, [new_id], "resolve")
    resolve.set("text", "已更换灯泡。")
    assert resolve.submit()
    sign_in(ctx, "deputy-wang")
    look = ActionForm(ctx, [new_id], "look_back")
    assert [o.label for o in look.field("finding").options] == ["已整改到位", "未整改到位"]
    asyncio.run(look.add_photos([("after.jpg", (photo_fixtures / "gps-DSCN0012.jpg").read_bytes())]))
    look.set("finding", "confirmed")
    look.set("text", "路灯亮了。")
    assert look.submit()
    row = IssueDetailModel(ctx, new_id).timeline[-1]
    assert row.what == "回头看" and row.details == ("结论：已整改到位",)
    assert len(row.before) == 1 and len(row.photos) == 1 and row.before[0].sha256 != row.photos[0].sha256


def test_merge_offers_nearby_issues_of_the_same_category_with_their_distance(ctx):
    from app.issues import Location
    from app.viewmodels.capture import CaptureModel

    sign_in(ctx, "staff-hu")
    capture = CaptureModel(ctx)
    capture.set_field("title", "校门口没有减速带")
    capture.set_field("category_id", stable_id("category", "school"))
    capture.location = Location(latitude=33.1542, longitude=107.3311, source="manual")
    new_id = capture.save()
    sign_in(ctx, "office-ma")
    model = ActionForm(ctx, [new_id], "merge")
    options = model.field("into").options
    assert options and options[0].label == SPEED_BUMPS and options[0].detail.startswith("相距 ")
    assert model.submit() is False and model.errors == {"into": "请选择要合并到的问题。"}
    model.set("into", options[0].value)
    assert model.submit()
    detail = IssueDetailModel(ctx, new_id)
    assert detail.status_label == "已合并"
    merged = {f.key: f for f in detail.facts}["merged"]
    assert merged.value == SPEED_BUMPS and merged.link.issue_id == options[0].value
    assert detail.timeline[-1].link.label == f"合并到：{SPEED_BUMPS}"
    assert issue(ctx, SPEED_BUMPS).follower_ids == [stable_id("person", "staff-hu")]  # the duplicate's reporter
    original = IssueDetailModel(ctx, options[0].value).timeline[-1]
    assert (original.what, original.details) == ("关注", ("关注人：胡小红",))


def test_photos_added_later_are_one_event_each(ctx, photo_fixtures):
    sign_in(ctx, "deputy-zhou")
    model = form(ctx, CANTEEN, "attach_photo")
    assert model.submit() is False and model.errors == {"photos": "照片没有保存好，请重新添加。"}
    asyncio.run(model.add_photos([("a.jpg", (photo_fixtures / "gps-DSCN0010.jpg").read_bytes()),
                                  ("b.jpg", (photo_fixtures / "gps-DSCN0012.jpg").read_bytes())]))
    assert model.submit()
    assert events(ctx, CANTEEN)[-2:] == ["attach_photo", "attach_photo"]
    assert len(IssueDetailModel(ctx, issue_id(ctx, CANTEEN)).timeline[-1].photos) == 1


def test_a_comment_is_saved_locally_and_asks_for_a_sync(ctx):
    class Syncer:
        woken = 0

        def sync_now(self):
            Syncer.woken += 1

    ctx.syncer = Syncer()
    sign_in(ctx, "dept-eco")
    model = form(ctx, DUMPING, "comment")
    model.set("text", "本周五前反馈。")
    assert model.submit() and Syncer.woken == 1


def test_the_form_kinds_are_the_ones_the_view_draws():
    drawn = {Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.DATE, Kind.CHECK, Kind.PHOTOS, Kind.CANDIDATES}
    assert {spec.kind for specs in FORMS.values() for spec in specs} <= drawn


def test_assign_deadline_can_be_chosen_a_few_days_ahead(ctx):
    sign_in(ctx, "office-ma")
    model = ActionForm(ctx, [issue_id(ctx, SPEED_BUMPS)], "assign", today=date(2026, 3, 1))
    assert model.values["deadline"] == "2026-03-16" and model.deadline_in(30) == "2026-03-31"
