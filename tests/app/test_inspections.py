"""Inspection templates and rules: validation, scoring, follow-ups, flags, evidence, sign-off, pinned versions."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from app.actors import Actor
from app.errors import DomainError
from app.inspections import (Inspection, TemplateError, answer_item, builtin_templates, inspection_state,
                             latest_template, parse_template, publish_template, raise_issue_from_item,
                             seed_templates, start_inspection)
from app.issues import Issue, Location
from app.records import record_event
from app.reference import stable_id

SHA = "c" * 64


def _school(session):
    seed_templates(session)
    return latest_template(session, "school-safety")


def _start(session, township, **options):
    wang = Actor.of(township["deputy-wang"])
    inspection = start_inspection(session, actor=wang, template=_school(session), place_name="桔园村小学",
                                  location=Location(latitude=33.1541, longitude=107.3310, accuracy_m=6,
                                                    source="device"), **options)
    return wang, inspection


def _state(session, inspection):
    return inspection_state(session, session.get(Inspection, inspection.id))


def test_the_shipped_templates_are_valid_and_cover_what_inspections_check():
    school, citrus = builtin_templates()
    assert (school.id, citrus.id) == ("school-safety", "citrus-orchard")
    assert [s.title for s in school.sections] == ["食堂食品安全", "消防安全", "校园周边道路交通", "校舍和学生宿舍"]
    texts = " ".join(item.text for _s, item in school.walk())
    for needed in ("健康证明", "留样", "生熟分开", "索证索票", "灭火器", "疏散通道", "应急照明", "演练", "减速带", "校车"):
        assert needed in texts, needed
    citrus_texts = " ".join(item.text for _s, item in citrus.walk())
    for needed in ("黄龙病", "柑橘木虱", "溃疡病", "红蜘蛛", "黄板", "捕食螨", "农药使用", "灌溉", "蓄水", "有机肥", "简约化", "亩产"):
        assert needed in citrus_texts or needed in " ".join(s.title for s in citrus.sections), needed


@pytest.mark.parametrize("change,named", [
    (lambda t: t["sections"][0]["items"][0].update(type="thumbs_up"), "item canteen.licence: unknown response type"),
    (lambda t: t["sections"][1].update(title=""), "section fire: it has no title"),
    (lambda t: t["sections"][1]["items"].append(dict(t["sections"][0]["items"][0])), "item canteen.licence: the id is used twice"),
    (lambda t: t["sections"][0]["items"][0].update(scores={"good": 1}), "item canteen.licence"),
    (lambda t: t["sections"][1]["items"][1]["show_if"].update(item="fire.nowhere"), "item fire.extinguishers_expired"),
])
def test_a_template_file_with_a_mistake_is_refused_naming_the_item(change, named):
    data = json.loads(builtin_templates()[0].model_dump_json())
    change(data)
    with pytest.raises(TemplateError) as refusal:
        parse_template(json.dumps(data))
    assert named in str(refusal.value)


def test_scores_count_the_answered_items_and_leave_out_what_does_not_apply(session, township):
    wang, inspection = _start(session, township)
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="canteen.licence", value="pass")
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="canteen.sample_retention", value="fail",
                note="无留样记录")
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="canteen.accompany", value="na")
    row = session.get(Inspection, inspection.id)
    assert (row.score, row.max_score, row.answered, row.flagged) == (2.0, 5.0, 3, 1)
    assert row.total == 29  # 31 items, two follow-ups not asked yet


def test_a_follow_up_is_asked_only_after_its_answer(session, township):
    wang, inspection = _start(session, township)
    with pytest.raises(DomainError) as early:
        answer_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.extinguishers_expired", value=2)
    assert early.value.code == "inspection.item_not_shown"
    session.rollback()
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.extinguishers", value="fail",
                photos=[{"sha256": SHA}])
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.extinguishers_expired", value=2,
                note="两具压力不足")
    state = _state(session, inspection)
    assert {i.id for i in state.flagged_items()} == {"fire.extinguishers", "fire.extinguishers_expired"}
    assert session.get(Inspection, inspection.id).total == 30


@pytest.mark.parametrize("item,value", [("canteen.licence", "good"), ("canteen.sample_fridge_temp", "cold"),
                                        ("canteen.sample_fridge_temp", True), ("traffic.school_bus", "bicycle"),
                                        ("buildings.notes", "  "), ("buildings.photo", None)])
def test_an_answer_the_item_does_not_take_is_refused(session, township, item, value):
    wang, inspection = _start(session, township)
    with pytest.raises(DomainError) as refusal:
        answer_item(session, actor=wang, inspection_id=inspection.id, item_id=item, value=value)
    assert refusal.value.code == "inspection.bad_answer"


def test_a_number_outside_its_range_is_flagged_and_needs_its_evidence(session, township):
    wang, inspection = _start(session, township)
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="canteen.sample_fridge_temp", value=12)
    assert [i.id for i in _state(session, inspection).missing_evidence()] == ["canteen.sample_fridge_temp"]
    with pytest.raises(DomainError) as refusal:
        record_event(session, _kind(), actor=wang, record_id=inspection.id, type_="sign_off", payload={})
    assert refusal.value.code == "inspection.evidence_missing" and "留样冰箱温度" in refusal.value.params["item"]
    session.rollback()
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="canteen.sample_fridge_temp", value=12,
                note="冰箱故障，已报修")
    record_event(session, _kind(), actor=wang, record_id=inspection.id, type_="sign_off", payload={})
    assert session.get(Inspection, inspection.id).status == "signed_off"


def test_only_the_lead_signs_off_and_only_participants_answer(session, township):
    li = Actor.of(township["deputy-li"])
    hu = Actor.of(township["staff-hu"])
    wang, inspection = _start(session, township, participant_ids=[li.id])
    answer_item(session, actor=li, inspection_id=inspection.id, item_id="canteen.licence", value="pass")
    with pytest.raises(DomainError) as outsider:
        answer_item(session, actor=hu, inspection_id=inspection.id, item_id="canteen.licence", value="pass")
    assert outsider.value.code == "inspection.not_a_participant"
    session.rollback()
    with pytest.raises(DomainError) as not_lead:
        record_event(session, _kind(), actor=li, record_id=inspection.id, type_="sign_off", payload={})
    assert not_lead.value.code == "inspection.only_lead"


def test_a_flagged_item_becomes_an_issue_in_one_tap_with_what_was_found(session, township):
    wang, inspection = _start(session, township)
    answer_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.escape_routes", value="fail",
                note="二楼安全出口被课桌堵塞", photos=[{"sha256": SHA, "width": 1600, "height": 1200}])
    issue = raise_issue_from_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.escape_routes")
    stored = session.get(Issue, issue.id)
    assert stored.source == "checklist" and stored.category_id == stable_id("category", "safety")
    assert stored.place_name == "桔园村小学" and stored.latitude == pytest.approx(33.1541)
    assert "二楼安全出口被课桌堵塞" in stored.description and "不合格" in stored.description
    from app.issues import photos_of
    assert [p.sha256 for p in photos_of(session, issue.id)] == [SHA]
    assert _state(session, inspection).issues == {"fire.escape_routes": issue.id}
    assert session.get(Inspection, inspection.id).issue_count == 1
    with pytest.raises(DomainError) as twice:
        raise_issue_from_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.escape_routes")
    assert twice.value.code == "inspection.issue_raised"
    with pytest.raises(DomainError) as passed:
        answer_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.drill", value="yes")
        raise_issue_from_item(session, actor=wang, inspection_id=inspection.id, item_id="fire.drill")
    assert passed.value.code == "inspection.not_flagged"


def test_an_inspection_keeps_the_template_version_it_was_started_with(session, township):
    wang, first = _start(session, township)
    v1 = latest_template(session, "school-safety")
    data = json.loads(v1.model_dump_json())
    data["version"] = 2
    data["sections"][0]["items"][0]["scores"] = {"pass": 10, "fail": 0}  # the licence now weighs more
    with pytest.raises(DomainError) as stale:
        publish_template(session, parse_template(json.dumps({**data, "version": 1})))
    assert stale.value.code == "inspection.template_version_old"
    publish_template(session, parse_template(json.dumps(data)))
    session.commit()
    _wang, second = _start(session, township)
    for inspection in (first, second):
        answer_item(session, actor=wang, inspection_id=inspection.id, item_id="canteen.licence", value="pass")
    assert session.get(Inspection, first.id).score == 2.0 and session.get(Inspection, first.id).template_version == 1
    assert session.get(Inspection, second.id).score == 10.0 and session.get(Inspection, second.id).template_version == 2


def test_an_inspection_naming_a_template_that_was_never_published_is_refused(session, township):
    seed_templates(session)
    data = json.loads(latest_template(session, "school-safety").model_dump_json())
    data["sections"][0]["items"][0]["scores"] = {"pass": 100, "fail": 0}  # edited on the phone
    with pytest.raises(DomainError) as refusal:
        start_inspection(session, actor=Actor.of(township["deputy-wang"]), template=parse_template(json.dumps(data)))
    assert refusal.value.code == "inspection.unknown_template"
    assert session.exec(select(Inspection)).all() == []


def _kind():
    from app.inspections import INSPECTION
    return INSPECTION
