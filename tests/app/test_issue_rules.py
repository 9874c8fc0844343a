import pytest

from app.actors import Actor, Role
from app.errors import DomainError
from app.issues import EVENTS, ISSUE, IssueState, PhotoRef, Status, photos_of, timeline
from app.records import RecordEvent, apply, check_event, event_type_of, fold
from tests.factories import act, capture_issue

OFFICE = Actor("o", Role.OFFICE)
DEPUTY = Actor("d", Role.DEPUTY, station_id="s1")
WATER = Actor("w", Role.DEPARTMENT, department_id="water")
ROADS = Actor("r", Role.DEPARTMENT, department_id="roads")
SHA, OTHER_SHA = "a" * 64, "b" * 64


def walk(*steps):
    """Fold events still waiting on this device (so each is judged) onto a new issue of station s1."""
    events = [RecordEvent(id=str(i), record_kind="issue", record_id="i", type=kind, actor_id=actor.id,
                          actor_role=actor.role.value, actor_station_id=actor.station_id,
                          actor_department_id=actor.department_id, payload=payload)
              for i, (kind, actor, payload) in enumerate(steps)]
    return fold(ISSUE, {"station_id": "s1", "reporter_id": "d"}, events)


def judge(state, kind, actor, payload):
    """Raise DomainError if this actor may not record this event on an issue in this state."""
    return check_event(ISSUE, event_type_of(ISSUE, kind), state, payload, actor=actor, ctx=None)


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
    assert judged[0].problem == "event.not_allowed_in_status"


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
        judge(IssueState(), kind, actor, payload)
    assert refusal.value.code == code


@pytest.mark.parametrize("score", [0, 6, "5", True, None])
def test_rating_must_be_a_whole_score_from_one_to_five(score):
    state = IssueState(status=Status.RESOLVED)
    with pytest.raises(DomainError) as refusal:
        judge(state, "rate", DEPUTY, {"score": score})
    assert refusal.value.code == "event.score_range"


def test_a_department_acts_only_on_issues_assigned_to_it():
    state = apply(EVENTS["assign"], IssueState(), {"department_id": "water"}, OFFICE)
    judge(state, "respond", WATER, {"text": "收到"})
    with pytest.raises(DomainError) as refusal:
        judge(state, "respond", ROADS, {"text": "收到"})
    assert refusal.value.code == "event.not_your_department"


def test_reopen_returns_a_returned_issue_to_triage_and_a_resolved_one_to_its_department():
    _, judged = walk(("return", OFFICE, {"text": "请补充照片"}))
    returned, _ = walk(("return", OFFICE, {"text": "请补充照片"}), ("reopen", DEPUTY, {"text": "已补充"}))
    assert judged[0].accepted and returned.status is Status.NEW
    resolved, _ = walk(("assign", OFFICE, {"department_id": "water"}), ("resolve", WATER, {"text": "好了"}),
                       ("reopen", DEPUTY, {"text": "又坏了"}))
    assert resolved.status is Status.ASSIGNED and resolved.department_id == "water"


def test_photos_attached_later_join_the_issues_photos(session, township):
    issue = capture_issue(session, township["deputy-wang"], photos=(PhotoRef(sha256=SHA),))
    act(session, township["office-ma"], issue.id, "attach_photo", sha256=OTHER_SHA, width=640, height=480)
    assert [p.sha256 for p in photos_of(session, issue.id)] == [SHA, OTHER_SHA]


def test_the_same_photo_attached_twice_is_refused_the_second_time(session, township):
    issue = capture_issue(session, township["deputy-wang"])
    act(session, township["deputy-wang"], issue.id, "attach_photo", sha256=SHA)
    with pytest.raises(DomainError) as refusal:  # e.g. two offline devices attached the same photo
        act(session, township["office-ma"], issue.id, "attach_photo", sha256=SHA)
    assert refusal.value.code == "record.photo_twice"
    session.rollback()
    assert [p.sha256 for p in photos_of(session, issue.id)] == [SHA]
    assert [e.type for e in timeline(session, issue.id)] == ["create", "attach_photo"]
