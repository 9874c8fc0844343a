import pytest

from app.errors import DomainError
from app.workflow import Actor, EventKind, IssueState, Role, Status, apply_event, check_event, replay

OFFICE = Actor("o", Role.OFFICE)
DEPUTY = Actor("d", Role.DEPUTY, station_id="s1")
WATER = Actor("w", Role.DEPARTMENT, department_id="water")
ROADS = Actor("r", Role.DEPARTMENT, department_id="roads")
SHA = "a" * 64


def walk(*steps):
    state, judged = replay(IssueState(station_id="s1", reporter_id="d"),
                           [(str(i), kind, actor, payload) for i, (kind, actor, payload) in enumerate(steps)])
    return state, judged


def test_the_closed_loop_from_capture_to_rating():
    state, judged = walk(("assign", OFFICE, {"department_id": "water", "text": "请办理"}),
                         ("respond", WATER, {"text": "已到现场"}),
                         ("resolve", WATER, {"text": "已修复"}),
                         ("rate", DEPUTY, {"score": 5}),
                         ("look_back", OFFICE, {"text": "回头看：已整改"}))
    assert [j.accepted for j in judged] == [True] * 5
    assert state.status is Status.RATED
    assert state.department_id == "water"
    assert state.rating == 5


def test_a_refused_event_leaves_the_state_alone_and_says_why():
    state, judged = walk(("rate", DEPUTY, {"score": 4}))
    assert state.status is Status.NEW
    assert judged[0].accepted is False
    assert judged[0].code == "event.not_allowed_in_status"


def test_second_rating_after_a_rating_is_refused():
    _, judged = walk(("assign", OFFICE, {"department_id": "water"}), ("resolve", WATER, {"text": "好了"}),
                     ("rate", DEPUTY, {"score": 5}), ("rate", DEPUTY, {"score": 1}))
    assert [j.accepted for j in judged] == [True, True, True, False]


@pytest.mark.parametrize("actor,kind,payload,code", [
    (DEPUTY, "assign", {"department_id": "water"}, "event.role_not_allowed"),
    (OFFICE, "assign", {}, "event.department_required"),
    (OFFICE, "return", {"text": "  "}, "event.text_required"),
    (OFFICE, "merge", {"text": "同一问题"}, "event.merge_target_required"),
    (OFFICE, "attach_photo", {"sha256": "not-a-hash"}, "event.photo_hash_required"),
    (OFFICE, "fly", {}, "event.unknown_kind"),
    (OFFICE, "create", {}, "event.create_twice"),
])
def test_rules_refuse_with_stable_codes(actor, kind, payload, code):
    with pytest.raises(DomainError) as refusal:
        check_event(IssueState(), kind, actor, payload)
    assert refusal.value.code == code


@pytest.mark.parametrize("score", [0, 6, "5", True, None])
def test_rating_must_be_a_whole_score_from_one_to_five(score):
    state = IssueState(status=Status.RESOLVED)
    with pytest.raises(DomainError) as refusal:
        check_event(state, "rate", DEPUTY, {"score": score})
    assert refusal.value.code == "event.score_range"


def test_a_department_acts_only_on_issues_assigned_to_it():
    state = apply_event(IssueState(), EventKind.ASSIGN, {"department_id": "water"})
    check_event(state, "respond", WATER, {"text": "收到"})
    with pytest.raises(DomainError) as refusal:
        check_event(state, "respond", ROADS, {"text": "收到"})
    assert refusal.value.code == "event.not_your_department"


def test_reopen_returns_a_returned_issue_to_triage_and_a_resolved_one_to_its_department():
    _, judged = walk(("return", OFFICE, {"text": "请补充照片"}))
    returned, _ = walk(("return", OFFICE, {"text": "请补充照片"}), ("reopen", DEPUTY, {"text": "已补充"}))
    assert judged[0].accepted and returned.status is Status.NEW
    resolved, _ = walk(("assign", OFFICE, {"department_id": "water"}), ("resolve", WATER, {"text": "好了"}),
                       ("reopen", DEPUTY, {"text": "又坏了"}))
    assert resolved.status is Status.ASSIGNED and resolved.department_id == "water"


def test_photos_attached_later_are_added_to_the_state():
    state, _ = walk(("attach_photo", DEPUTY, {"sha256": SHA}))
    assert state.photo_hashes == (SHA,)


def test_the_same_photo_attached_twice_is_refused_the_second_time():
    state, judged = walk(("attach_photo", DEPUTY, {"sha256": SHA}), ("attach_photo", OFFICE, {"sha256": SHA}))
    assert [j.accepted for j in judged] == [True, False]
    assert judged[1].code == "issue.photo_twice" and state.photo_hashes == (SHA,)
