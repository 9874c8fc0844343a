"""检查 on the demo township, with no page and no browser: the list, 开始检查, answering, conflicts, issues, sign-off."""

from __future__ import annotations

import asyncio
import io

import pytest
from docx import Document
from sqlmodel import select

from app.actors import Actor
from app.inspections import Inspection, answer_item
from app.issues import Issue, IssueSource
from app.models import OutboxMutation, Person
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.inspections import (RESULTS, InspectionModel, InspectionsModel, parse_number, range_text)
from app.viewmodels.nav import destinations, parent_of, section_of
from app.viewmodels.office import Tone
from tests.views.test_office import signed_in, store  # noqa: F401 (the demo township, and a user on it)

ZHOU, SUN = (stable_id("person", code) for code in ("deputy-zhou", "staff-sun"))


@pytest.fixture
def zhou(store) -> AppContext:
    return signed_in(store, "deputy-zhou")


def start(ctx: AppContext, *, place: str = "镇中心小学", template: str = "school-safety",
          people: tuple[str, ...] = (SUN,)) -> InspectionModel:
    form = InspectionsModel(ctx).start_form()
    form.set_template(template)
    form.set_place_name(place)
    for person in people:
        form.toggle_participant(person, True)
    inspection_id = form.start()
    assert inspection_id, form.errors
    return InspectionModel(ctx, inspection_id)


def item(model: InspectionModel, item_id: str):
    section = model.template.section_of(item_id).id
    model.select(section)
    return next(v for v in model.items if v.id == item_id)


def answer_as(store, code: str, inspection_id: str, item_id: str, value, note: str = "") -> None:
    """Another participant's answer, as it arrives when their phone syncs."""
    ctx = AppContext(*store)
    with ctx.session() as session:
        person = session.get(Person, stable_id("person", code))
        answer_item(session, actor=Actor.of(person), inspection_id=inspection_id, item_id=item_id, value=value,
                    note=note)


def outbox_kinds(ctx: AppContext) -> list[str]:
    with ctx.session() as session:
        return [m.kind for m in session.exec(select(OutboxMutation).order_by(OutboxMutation.created_at))]


# -- the 检查 tab ---------------------------------------------------------------------------------------------------
def test_deputies_and_station_staff_get_the_inspections_tab_and_an_inspection_goes_back_to_it():
    assert [d.route for d in destinations("deputy")] == ["/", "/issues", "/inspections", "/projects", "/me"]
    assert "/inspections" in [d.route for d in destinations("station_staff")]
    assert "/inspections" not in [d.route for d in destinations("department")]
    assert parent_of("/inspections/abc", "deputy") == "/inspections"
    assert section_of("/inspections/abc", "station_staff") == "/inspections"
    assert parent_of("/inspections/abc", "office") == "/"  # the office opens one from a link, on top of home


def test_the_list_shows_each_inspection_with_its_progress_score_flags_and_status(store, zhou):
    model = InspectionsModel(zhou)
    assert model.can_start and model.rows == [] and "开始检查" in model.empty_text
    inspection = start(zhou)
    inspection.answer("canteen.licence", "pass")
    inspection.answer("fire.escape_routes", "fail")
    [row] = InspectionsModel(zhou).rows
    assert (row.title, row.place, row.progress, row.score) == ("校园安全检查", "镇中心小学", "已查 2/29 项", "得分 2/5")
    assert row.flagged.label == "发现问题 1 项" and row.flagged.tone is Tone.DANGER
    assert row.status.label == "检查中" and row.waiting == "待同步"  # not the issue's 办理中: another kind's word
    assert not InspectionsModel(signed_in(store, "dept-water")).can_start  # a department answers issues

def test_start_asks_for_the_place_and_offers_the_stations_people_first(zhou):
    form = InspectionsModel(zhou).start_form()
    assert [o.label for o in form.template_options()] == ["校园安全检查", "柑桔园巡查"]
    assert form.place_type == "school"
    people = form.participant_options()
    assert people[0].name == "孙丽" and "中心联络站" in people[0].detail  # the same station comes first
    assert "周海涛" not in [p.name for p in people]  # the lead is not a participant of his own
    assert form.start() is None and form.errors["place_name"] == "请填写检查地点。"
    form.set_template("citrus-orchard")
    assert form.place_type == "orchard"  # follows the checklist until the user picks one
    form.set_place_type("village")
    form.set_template("school-safety")
    assert form.place_type == "village"
    form.set_device_location(33.1541, 107.3310, 6.0)
    assert "33.15410, 107.33100" in form.location_label and "±6 米" in form.location_label
    form.set_place_name(" 镇中心小学 ")
    form.toggle_participant(SUN, True)
    inspection_id = form.start()
    with zhou.session() as session:
        inspection = session.get(Inspection, inspection_id)
    assert (inspection.place_name, inspection.place_type, inspection.participant_ids) == ("镇中心小学", "village", [SUN])
    assert inspection.latitude == pytest.approx(33.1541)
    assert outbox_kinds(zhou) == ["inspection.create"]


# -- answering ------------------------------------------------------------------------------------------------------
def test_a_special_groups_joint_inspection_takes_its_members(zhou):
    form = InspectionsModel(zhou).start_form()
    [group] = form.group_options()
    assert group.label == "柑桔产业专门小组（3 人）" and not group.selected
    form.toggle_participant(SUN, True)
    form.choose_group(group.value)
    chen, yang = stable_id("person", "deputy-chen"), stable_id("person", "deputy-yang")
    assert form.participant_ids == [SUN, chen, yang]  # the group's members but the lead himself
    assert [p.name for p in form.participant_options() if p.selected] == ["孙丽", "陈志明", "杨春燕"]
    form.choose_group(group.value)  # unchosen: its members go again, the others stay
    assert form.participant_ids == [SUN] and form.group_id is None
    form.choose_group(group.value)
    form.set_template("citrus-orchard")
    form.set_place_name("新庄村柑桔示范园")
    with zhou.session() as session:
        inspection = session.get(Inspection, form.start())
    assert inspection.group_id == group.value and set(inspection.participant_ids) == {SUN, chen, yang}


def test_each_answer_is_recorded_at_once_and_the_checklist_counts_it(zhou):
    model = start(zhou)
    assert model.section == "canteen" and model.progress_text == "已查 0/29 项"
    assert [t.label for t in model.tabs] == ["食堂食品安全 0/11", "消防安全 0/7", "校园周边道路交通 0/5",
                                             "校舍和学生宿舍 0/6", "检查结果"]
    first = model.items[0]
    assert (first.number, first.kind, [s.label for s in first.segments]) == ("1.", "segments", ["合格", "不合格", "不适用"])
    assert model.answer("canteen.licence", "pass").saved
    assert model.answer("canteen.licence", "pass").saved  # tapped again: nothing new to send
    assert outbox_kinds(zhou).count("inspection.event") == 1
    licence = item(model, "canteen.licence")
    assert licence.answered and [s.selected for s in licence.segments] == [True, False, False]
    assert [s.tone for s in licence.segments] == [Tone.GOOD, Tone.DANGER, Tone.QUIET]
    assert not licence.flagged and not licence.extras_open
    assert model.progress_text == "已查 1/29 项" and model.score_text == "得分 2/2" and model.fraction == 1 / 29

    model.answer("fire.escape_routes", "fail")
    escape = item(model, "fire.escape_routes")
    assert escape.flagged and escape.missing and escape.needs == "需要拍照或写明情况" and escape.extras_open
    assert escape.can_raise and model.flagged_text == "发现问题 1 项"
    assert [t.label for t in model.tabs][:2] == ["食堂食品安全 1/11", "消防安全 1/7 · 问题 1"]
    assert model.save_note("fire.escape_routes", "  二楼安全出口被课桌堵塞 ")
    escape = item(model, "fire.escape_routes")
    assert escape.note == "二楼安全出口被课桌堵塞" and not escape.missing and escape.evidence == "已写明情况"
    events = outbox_kinds(zhou).count("inspection.event")
    assert model.save_note("fire.escape_routes")  # the field lost focus with nothing new typed
    assert outbox_kinds(zhou).count("inspection.event") == events and item(model, "fire.escape_routes").note


def test_a_note_typed_before_the_answer_goes_with_it(zhou):
    model = start(zhou)
    assert not model.save_note("canteen.storage", "库房有过期面粉两袋")  # no answer yet: it waits
    assert item(model, "canteen.storage").note == "库房有过期面粉两袋"
    model.answer("canteen.storage", "fail")
    storage = item(model, "canteen.storage")
    assert storage.note == "库房有过期面粉两袋" and not storage.missing


def test_a_number_outside_its_range_asks_first_and_a_follow_up_waits_for_its_trigger(zhou):
    model = start(zhou)
    fridge = item(model, "canteen.sample_fridge_temp")
    assert (fridge.kind, fridge.unit, fridge.range) == ("number", "℃", "合格范围 0–8 ℃")
    assert model.answer_number("canteen.sample_fridge_temp", "6").saved
    asked = model.answer_number("canteen.sample_fridge_temp", "１２")  # typed with a Chinese keyboard
    assert not asked.saved and "12 ℃" in asked.confirm and "合格范围 0–8 ℃" in asked.confirm
    assert item(model, "canteen.sample_fridge_temp").value_text == "6"  # nothing changed until confirmed
    assert model.answer_number("canteen.sample_fridge_temp", "12", confirmed=True).saved
    fridge = item(model, "canteen.sample_fridge_temp")
    assert fridge.value_text == "12" and fridge.flagged and fridge.answer == "12 ℃"
    assert not model.answer_number("canteen.sample_fridge_temp", "十二").saved
    assert item(model, "canteen.sample_fridge_temp").error == "请填写数字，例如 6 或 6.5。"

    model.select("fire")
    assert "fire.extinguishers_expired" not in [v.id for v in model.items]
    model.answer("fire.extinguishers", "fail")
    expired = item(model, "fire.extinguishers_expired")
    assert expired.range == "应为 0 具" and model.total == 30  # the follow-up counts once it is asked
    model.answer("fire.extinguishers", "pass")
    assert "fire.extinguishers_expired" not in [v.id for v in model.items]


def test_choices_texts_and_the_typed_words_survive_a_redraw(zhou):
    model = start(zhou, place="新庄村柑桔示范园", template="citrus-orchard")
    assert model.answer("planting.variety", "ponkan").saved
    variety = item(model, "planting.variety")
    assert variety.kind == "choice" and [s.label for s in variety.segments if s.selected] == ["椪柑"]
    assert model.toggle_option("cultivation.methods", "grass", True).saved
    assert model.toggle_option("cultivation.methods", "dwarfing", True).saved
    methods = item(model, "cultivation.methods")
    assert methods.kind == "multiple" and methods.answer.count("、") == 1
    assert [s.value for s in methods.segments if s.selected] == ["dwarfing", "grass"]  # the template's order
    model.set_typed("cultivation.support", "希望推广水肥一体化")
    model.reload()  # a sync redraws the screen before the text is saved
    assert item(model, "cultivation.support").value_text == "希望推广水肥一体化"
    assert model.leave_text("cultivation.methods").saved and not model.errors  # nothing typed: nothing to say
    assert not model.answer_text("cultivation.support", "  ").saved
    assert model.answer_text("cultivation.support", "希望推广水肥一体化").saved
    assert item(model, "cultivation.support").answer == "希望推广水肥一体化"


def test_a_photo_goes_through_the_capture_pipeline_and_into_the_answer(zhou, photo_fixtures):
    model = start(zhou)
    photo = ("exit.jpg", (photo_fixtures / "gps-DSCN0010.jpg").read_bytes())
    assert not asyncio.run(model.add_photos("fire.escape_routes", [photo]))
    assert item(model, "fire.escape_routes").error == "请先选择这一项的检查结果，再添加照片。"
    model.answer("fire.escape_routes", "fail")
    assert asyncio.run(model.add_photos("fire.escape_routes", [photo]))
    escape = item(model, "fire.escape_routes")
    [sha] = escape.photos
    assert zhou.photos.has(sha) and not escape.missing  # a photo is the evidence a flagged item needs
    assert not asyncio.run(model.add_photos("fire.escape_routes", [photo]))  # the same photo twice
    assert "添加了两次" in model.notices[-1]
    assert asyncio.run(model.add_photos("buildings.photo", [("site.jpg", (photo_fixtures / "gps-DSCN0012.jpg")
                                                                          .read_bytes())]))
    assert item(model, "buildings.photo").answered  # a photo item: the photos are the answer


# -- two people, the lead, issues, sign-off --------------------------------------------------------------------------
def test_two_different_answers_are_shown_to_the_lead_with_who_gave_them_and_he_picks_one(store, zhou):
    model = start(zhou)
    model.answer("fire.drill", "yes")
    answer_as(store, "staff-sun", model.inspection_id, "fire.drill", "no", note="本学期还没有演练")
    model.reload()
    drill = item(model, "fire.drill")
    assert [(g.who, g.what) for g in drill.conflict] == [("周海涛", "是"), ("孙丽", "否")]
    assert drill.conflict[1].note == "本学期还没有演练" and drill.can_choose
    assert model.conflicts_text == "1 项答案不同"
    assert [t.label for t in model.tabs][1] == "消防安全 0/7 · 待定 1"  # not counted until the lead picks
    assert model.blockers == ["“本学期已组织消防疏散演练”有两个不同的答案，请先确定采用哪一个。"]
    assert not model.sign_off()
    assert "本学期已组织消防疏散演练" in model.errors["sign_off"] and "fire.drill" not in model.errors["sign_off"]

    sun = InspectionModel(signed_in(store, "staff-sun"), model.inspection_id)  # (one store: the same phone)
    assert item(sun, "fire.drill").conflict and not item(sun, "fire.drill").can_choose  # only the lead picks
    assert not sun.can_sign_off and not sun.choose("fire.drill", drill.conflict[0].answer_id)
    assert item(sun, "fire.drill").error == "这一步只有检查组组长才能做。"

    zhou.sign_in_locally(ZHOU)
    model.reload()
    assert model.choose("fire.drill", drill.conflict[1].answer_id), model.errors
    drill = item(model, "fire.drill")
    assert not drill.conflict and drill.flagged and model.conflicts == 0


def test_a_flagged_item_becomes_an_issue_whose_status_the_inspection_shows(zhou):
    model = start(zhou)
    assert not item(model, "canteen.licence").can_raise
    model.answer("fire.escape_routes", "fail")
    model.save_note("fire.escape_routes", "二楼安全出口被课桌堵塞")
    assert model.raise_issue("canteen.licence") is None  # not answered, not flagged: the rule's words
    assert item(model, "canteen.licence").error == "只有发现问题的检查项才能转为问题交办。"
    issue_id = model.raise_issue("fire.escape_routes")
    with zhou.session() as session:
        issue = session.get(Issue, issue_id)
    assert issue.source == IssueSource.CHECKLIST.value and issue.place_name == "镇中心小学"
    assert "二楼安全出口被课桌堵塞" in issue.description
    escape = item(model, "fire.escape_routes")
    assert (escape.issue.issue_id, escape.issue.status_label, escape.issue.here) == (issue_id, "待分办", True)
    assert not escape.can_raise
    model.select(RESULTS)
    [flagged] = model.flagged_items
    assert flagged.issue.issue_id == issue_id and flagged.answer == "不合格"


def test_the_lead_signs_off_once_every_flagged_item_has_its_evidence_and_gets_the_report(zhou):
    model = start(zhou, people=())
    model.answer("canteen.licence", "pass")
    model.answer("fire.escape_routes", "fail")
    assert model.can_sign_off and model.blockers == ["“疏散通道、安全出口畅通，无锁闭、堵塞、占用”发现问题，需要拍照或写明情况。"]
    assert not model.sign_off()
    assert model.errors["sign_off"] == "“疏散通道、安全出口畅通，无锁闭、堵塞、占用”发现问题，请先拍照或写明情况再签字确认。"
    model.save_note("fire.escape_routes", "二楼安全出口被课桌堵塞")
    assert model.unanswered_text == "还有 27 项没有填写。"
    assert model.sign_off()
    assert model.status.label == "已签字确认" and model.signed_text.startswith("已签字确认：周海涛")
    assert not model.editable and not model.can_sign_off
    assert not model.answer("canteen.storage", "pass").saved  # the rules refuse; the screen says why
    assert "已签字确认" in item(model, "canteen.storage").error

    name, data = model.report_file()
    assert name == "镇中心小学校园安全检查报告.docx"
    written = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "镇中心小学校园安全检查报告" in written and "周海涛" in written


def test_in_english_the_answers_and_ranges_are_in_english(zhou):
    zhou.set_language("en")
    model = start(zhou)
    first = model.items[0]
    assert [s.label for s in first.segments] == ["Pass", "Fail", "N/A"]
    assert range_text(zhou, model.template.items["canteen.sample_fridge_temp"]) == "Acceptable 0–8 ℃"
    assert model.progress_text == "0/29 checked"


def test_numbers_as_typed_on_a_phone():
    assert parse_number("6") == 6 and isinstance(parse_number("6"), int)
    assert parse_number("6.5") == 6.5 and parse_number("６．５") == 6.5 and parse_number(" -2 ") == -2
    assert parse_number("6.0") == 6.0 and isinstance(parse_number("6.0"), float)
    for bad in ("", "abc", "nan", "1e20"):
        assert parse_number(bad) is None
