"""分办, 督办 and 待办 on the demo township, with no page and no browser."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from sqlmodel import select

from app.demo import seed_demo
from app.issues import Issue, issue_state, record_event, today_in_china
from app.letters import Letter
from app.models import OutboxMutation
from app.photos import PhotoStore
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.issue_actions import ActionForm
from app.viewmodels.issue_detail import IssueDetailModel
from app.viewmodels.queue import QueueModel
from app.viewmodels.supervise import SuperviseModel
from app.viewmodels.triage import TriageModel

OVERDUE = "柑桔销售渠道单一，价格偏低"  # the agricultural station's, nine days past its deadline
DUE_SOON = "河道有人倾倒建筑垃圾"  # the ecology office's, due tomorrow, reminded once
DROUGHT = "抗旱水源不足，柑桔园灌溉困难"  # the water station's, assigned and not yet acknowledged
RESERVOIR = "三组蓄水池干涸，果园浇不上水"  # new, a hundred metres from DROUGHT
SCHOOL_GATE = "校门口道路缺少减速带和警示标志"  # new, the newest


@pytest.fixture
def store(engine, settings, tmp_path):
    photos = PhotoStore(tmp_path / "photos")
    with AppContext(engine, photos, settings).session() as session:
        seed_demo(session)
    return engine, photos, settings


def signed_in(store, code: str) -> AppContext:
    ctx = AppContext(*store)
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


@pytest.fixture
def office(store) -> AppContext:
    return signed_in(store, "office-ma")


def issue_named(ctx: AppContext, title: str) -> Issue:
    with ctx.session() as session:
        return session.exec(select(Issue).where(Issue.title == title)).one()


def outbox(ctx: AppContext) -> list[OutboxMutation]:
    with ctx.session() as session:
        return list(session.exec(select(OutboxMutation)))


def timeline_of(ctx: AppContext, title: str) -> list[str]:
    return [row.what for row in IssueDetailModel(ctx, issue_named(ctx, title).id).timeline]


# -- 分办 -----------------------------------------------------------------------------------------------------------
def test_triage_holds_the_new_issues_oldest_first_and_an_urgent_one_moves_to_the_top(office):
    triage = TriageModel(office)
    with office.session() as session:
        new = sorted(session.exec(select(Issue).where(Issue.status == "new")), key=lambda i: i.created_at)
    assert [r.id for r in triage.rows] == [i.id for i in new] and len(new) == 5
    gate = next(r for r in triage.rows if r.title == SCHOOL_GATE)
    assert (gate.reporter, gate.row.station, gate.category) == ("王建华", "桔园片区联络站", "校园安全")
    assert gate.row.age == "1天前" and gate.chips == ()
    assert {"classify", "merge", "return", "assign"} <= gate.actions

    form = ActionForm(office, [gate.id], "classify")
    form.set("urgency", "urgent")
    form.set("nature", "suggestion")
    form.set("key_suggestion", True)
    assert form.submit()
    triage.reload()
    assert triage.rows[0].title == SCHOOL_GATE
    assert [c.label for c in triage.rows[0].chips] == ["紧急", "建议", "重点建议"]
    assert timeline_of(office, SCHOOL_GATE)[-1] == "分类"


def test_a_duplicate_is_offered_the_nearby_issue_with_its_distance_and_its_reporter_follows_it(office):
    reservoir, drought = issue_named(office, RESERVOIR), issue_named(office, DROUGHT)
    form = ActionForm(office, [reservoir.id], "merge")
    [candidate] = form.field("into").options
    assert candidate.value == drought.id and candidate.detail.startswith("相距 100 米")
    assert ActionForm(office, [issue_named(office, SCHOOL_GATE).id], "merge").field("into").options == ()

    form.set("into", drought.id)
    assert form.submit()
    assert RESERVOIR not in [r.title for r in TriageModel(office).rows]
    assert issue_named(office, RESERVOIR).status == "merged"
    assert stable_id("person", "staff-hu") in issue_named(office, DROUGHT).follower_ids
    assert timeline_of(office, DROUGHT)[-1] == "关注"


def test_ticked_rows_stay_ticked_across_a_reload_and_leave_the_batch_when_they_leave_the_queue(office):
    triage = TriageModel(office)
    first, second = triage.rows[0].id, triage.rows[1].id
    triage.toggle(first)
    triage.toggle(second)
    assert triage.selection_text == "已选 2 件"
    with office.session() as session:  # another office PC returned one meanwhile; it arrives with a sync
        record_event(session, actor=office.actor(), issue_id=second, type_="return",
                     payload={"text": "请补充照片"})
    triage.reload()
    assert triage.selected_ids == [first] and [r.selected for r in triage.rows][:1] == [True]
    triage.toggle(first, False)
    assert triage.selected_ids == []


def test_a_batch_assignment_that_fails_on_one_issue_changes_none(office):
    triage = TriageModel(office)
    ids = [r.id for r in triage.rows[:3]]
    for issue_id in ids:
        triage.toggle(issue_id)
    with office.session() as session:  # the third is returned before the batch is sent
        record_event(session, actor=office.actor(), issue_id=ids[2], type_="return", payload={"text": "不属实"})
    before = len(outbox(office))
    form = ActionForm(office, triage.selected_ids, "assign")
    form.set("department_id", stable_id("department", "build"))
    assert not form.submit()
    assert "已退回" in form.errors["form"]
    assert [issue_named(office, r.title).status for r in triage.rows[:2]] == ["new", "new"]
    assert len(outbox(office)) == before  # nothing of the batch was queued

    triage.toggle(ids[2], False)
    form = ActionForm(office, triage.selected_ids, "assign")
    form.set("department_id", stable_id("department", "build"))
    assert form.submit()
    triage.reload()
    assert not {r.id for r in triage.rows} & set(ids) and triage.selected_ids == []


# -- 督办 -----------------------------------------------------------------------------------------------------------
def test_supervision_lists_what_is_overdue_and_due_soon_with_days_and_levels(office):
    model = SuperviseModel(office)
    assert [r.title for r in model.overdue] == [OVERDUE]
    [late] = model.overdue
    assert (late.due.label, late.escalation.label) == ("逾期 9 天", "未督办")
    assert late.department == "镇农业综合服务站"
    assert [r.title for r in model.due_soon] == [DUE_SOON, DROUGHT]
    assert model.due_soon[0].due.label == "还剩 1 天" and model.due_soon[0].escalation.label == "催办"
    assert model.overdue_title == "已逾期 1 件" and model.due_soon_title == "三天内到期 2 件"


def test_a_reminder_and_a_report_to_the_leadership_land_in_the_timeline(office):
    model = SuperviseModel(office)
    late = model.overdue[0]
    reminder = model.remind_form([late.id])
    assert reminder.text  # a reminder's usual words, to edit
    assert reminder.submit()
    model.reload()
    assert model.overdue[0].escalation.label == "催办"
    assert timeline_of(office, OVERDUE)[-1] == "督办"

    report = model.escalate_form([late.id])
    report.text = "逾期九天仍未办结。"
    assert report.submit()
    model.reload()
    assert model.overdue[0].escalation.label == "报告镇党委政府"
    detail = IssueDetailModel(office, late.id)
    assert detail.timeline[-1].what == "升级督办" and "逾期九天" in detail.timeline[-1].text


def test_a_batch_reminder_goes_to_all_ticked_issues_or_to_none(office):
    model = SuperviseModel(office)
    both = [model.overdue[0].id, model.due_soon[1].id]
    done = issue_named(office, "农村饮用水雨后浑浊").id  # rated: nothing to remind about
    before = len(outbox(office))
    refused = model.remind_form(both + [done])
    assert not refused.submit()
    assert "已评价" in refused.form_error and len(outbox(office)) == before

    reminder = model.remind_form(both)
    reminder.text = ""
    assert not reminder.submit() and reminder.error_of("text") == "请写几句说明。"
    reminder.text = "请本周内反馈。"
    assert reminder.submit()
    assert [timeline_of(office, t)[-1] for t in (OVERDUE, DROUGHT)] == ["督办", "督办"]


def test_a_letter_goes_to_the_lead_department_of_its_issues_only(office):
    model = SuperviseModel(office)
    mixed = model.letter_form([model.overdue[0].id, model.due_soon[1].id])  # agriculture and water
    assert not mixed.can_submit and mixed.form_error == "函里的问题要都交办给同一个牵头单位。"
    assert not mixed.submit()
    with office.session() as session:
        assert session.exec(select(Letter)).all() == []


def test_a_letter_is_written_unnumbered_until_the_central_store_numbers_it_and_saved_as_word(office):
    model = SuperviseModel(office)
    form = model.letter_form([model.overdue[0].id])
    assert form.department == "镇农业综合服务站" and form.issue_titles == [OVERDUE]
    assert OVERDUE in form.subject and "1个已超过办理期限" in form.situation
    assert form.deadline_text == (today_in_china() + timedelta(days=7)).isoformat()
    form.set("deadline_text", (today_in_china() - timedelta(days=1)).isoformat())
    assert not form.submit() and "已经过去" in form.error_of("deadline")
    form.set("deadline_text", "下周五")
    assert not form.submit() and form.error_of("deadline").startswith("请按 年-月-日")
    form.set("deadline_text", (today_in_china() + timedelta(days=10)).isoformat())
    assert form.submit() and form.letter_id and not form.can_submit

    model.reload()
    [letter] = model.letters
    assert (letter.number, letter.numbered, letter.status.label) == ("待编号", False, "已发函")
    assert letter.department == "镇农业综合服务站" and letter.issues == "涉及 1 个问题"
    assert model.overdue[0].escalation.label == "监督意见函"
    assert timeline_of(office, OVERDUE)[-1] == "升级督办"
    name, data = model.letter_file(letter.id)
    assert name.endswith(".docx") and name.startswith("待编号")
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "镇农业综合服务站" in text and OVERDUE in text

    with office.session() as session:  # what a sync brings back: the number the central store gave
        row = session.get(Letter, letter.id)
        row.number = 3
        session.add(row)
        session.commit()
    model.reload()
    year = today_in_china().year  # the year the letter was written in
    assert model.letters[0].number == f"桔人大函〔{year}〕3号" and model.letters[0].numbered
    assert model.letter_file(letter.id)[0].startswith(f"桔人大函〔{year}〕3号")


# -- 待办 -----------------------------------------------------------------------------------------------------------
def test_a_department_queue_holds_only_its_issues_nearest_deadline_first(store):
    agri = QueueModel(signed_in(store, "dept-agri"))
    with agri.ctx.session() as session:
        mine = [i for i in session.exec(select(Issue)) if i.status in ("assigned", "in_progress")
                and i.department_id == stable_id("department", "agri")]
    assert {r.id for r in agri.rows} == {i.id for i in mine} and len(mine) == 2
    assert [r.title for r in agri.rows][0] == OVERDUE and agri.rows[0].due.label == "逾期 9 天"
    assert agri.heading.startswith("镇农业综合服务站")
    water = QueueModel(signed_in(store, "dept-water"))
    assert [r.title for r in water.rows] == [DROUGHT]
    assert water.rows[0].role.label == "牵头" and water.rows[0].can_acknowledge


def test_a_co_handling_department_sees_the_issue_but_cannot_acknowledge_it(store):
    office = signed_in(store, "office-ma")
    gate = issue_named(office, SCHOOL_GATE)
    form = ActionForm(office, [gate.id], "assign")
    form.set("department_id", stable_id("department", "school"))
    form.toggle("co_department_ids", stable_id("department", "safety"))
    assert form.submit()
    safety = QueueModel(signed_in(store, "dept-safety"))
    row = next(r for r in safety.rows if r.title == SCHOOL_GATE)
    assert row.role.label == "协办" and not row.can_acknowledge
    assert all(r.title != SCHOOL_GATE for r in QueueModel(signed_in(store, "dept-water")).rows)


def test_acknowledging_from_the_row_starts_the_handling_once(store):
    water = QueueModel(signed_in(store, "dept-water"))
    drought = water.rows[0].id
    assert water.acknowledge(drought)
    assert water.rows[0].row.status_label == "办理中" and not water.rows[0].can_acknowledge
    assert not water.acknowledge(drought)  # a second tap (or another device got there first)
    assert "办理中" in water.error
    assert timeline_of(water.ctx, DROUGHT).count("签收") == 1


def test_an_extension_request_shows_on_the_row_until_it_is_answered(store):
    agri = signed_in(store, "dept-agri")
    issue = issue_named(agri, OVERDUE)
    asked = today_in_china() + timedelta(days=20)
    with agri.session() as session:
        record_event(session, actor=agri.actor(), issue_id=issue.id, type_="request_extension",
                     payload={"deadline": asked.isoformat(), "text": "电商平台对接需要时间"})
    row = next(r for r in QueueModel(agri).rows if r.id == issue.id)
    assert row.extension == f"已申请延期至 {asked.month}月{asked.day}日，等待答复"
    with agri.session() as session:
        assert issue_state(session, session.get(Issue, issue.id)).extension_asked == asked


def test_someone_of_no_department_has_an_empty_queue(store):
    model = QueueModel(signed_in(store, "office-ma"))
    assert model.rows == [] and model.department_id is None
