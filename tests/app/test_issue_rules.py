"""The closed loop's rules: who may do what in which state, and what each step leads to."""

from datetime import date, datetime, timedelta, timezone

import pytest

from app.actors import Actor, Role
from app.errors import DomainError
from app.issues import EVENTS, ISSUE, IssueState, PhotoRef, Status, photos_of, timeline
from app.records import RecordEvent, allowed_events, apply, check_event, event_type_of, fold
from tests.factories import act, capture_issue

OFFICE = Actor("o", Role.OFFICE)
DEPUTY = Actor("d", Role.DEPUTY, station_id="s1")  # the deputy who raised the issue
NEIGHBOUR = Actor("n", Role.DEPUTY, station_id="s1")  # another deputy of the same station
WATER = Actor("w", Role.DEPARTMENT, department_id="water")
ROADS = Actor("r", Role.DEPARTMENT, department_id="roads")
AGRI = Actor("a", Role.DEPARTMENT, department_id="agri")
SHA, OTHER_SHA = "a" * 64, "b" * 64
NOW = datetime(2026, 5, 15, 2, 0, tzinfo=timezone.utc)  # 10:00 in 桔园镇
SOON = (NOW + timedelta(days=14)).date().isoformat()
LATER = (NOW + timedelta(days=30)).date().isoformat()
ASSIGN = {"department_id": "water", "deadline": SOON, "text": "请水利站办理"}


def walk(*steps, ctx=None):
    """Fold events still waiting on this device (so each is judged) onto a new issue that `DEPUTY` raised."""
    events = [RecordEvent(id=str(i), record_kind="issue", record_id="i", type=kind, actor_id=actor.id,
                          actor_role=actor.role.value, actor_station_id=actor.station_id,
                          actor_department_id=actor.department_id, payload=payload,
                          created_at=NOW + timedelta(hours=i))
              for i, (kind, actor, payload) in enumerate(steps)]
    return fold(ISSUE, {"station_id": "s1", "reporter_id": "d"}, events, ctx=ctx)


def judge(state, kind, actor, payload, *, at=NOW, ctx=None):
    """Raise DomainError if this actor may not record this event on an issue in this state."""
    return check_event(ISSUE, event_type_of(ISSUE, kind), state, payload, actor=actor, ctx=ctx, at=at)


def refused(state, kind, actor, payload, **options) -> str:
    with pytest.raises(DomainError) as refusal:
        judge(state, kind, actor, payload, **options)
    return refusal.value.code


def handled(*more):
    """An issue assigned to the water station, which has resolved it; then `more`."""
    return walk(("assign", OFFICE, ASSIGN), ("acknowledge", WATER, {}), ("resolve", WATER, {"text": "已修复"}), *more)


def test_the_closed_loop_from_capture_to_a_confirmed_look_back():
    state, judged = handled(("rate", DEPUTY, {"satisfaction": "satisfied", "text": "满意"}),
                            ("look_back", OFFICE, {"finding": "confirmed", "text": "回头看：已整改到位"}))
    assert [j.accepted for j in judged] == [True] * 5
    assert state.status is Status.VERIFIED and state.satisfaction == "satisfied"
    assert state.department_id == "water" and state.deadline == date.fromisoformat(SOON)
    assert state.assigned_at == NOW and state.resolved_at == NOW + timedelta(hours=2)
    assert state.verified_at == NOW + timedelta(hours=4)


def test_not_satisfied_sends_it_back_to_its_department_and_a_second_round_can_end_well():
    state, judged = handled(("rate", DEPUTY, {"satisfaction": "unsatisfied", "text": "水还是浑的"}))
    assert judged[-1].accepted and state.status is Status.ASSIGNED and state.reopened == 1
    assert state.department_id == "water" and state.resolved_at is None
    again, judged = handled(("rate", DEPUTY, {"satisfaction": "unsatisfied", "text": "水还是浑的"}),
                            ("respond", WATER, {"text": "重新清洗滤池"}), ("resolve", WATER, {"text": "复检合格"}),
                            ("rate", DEPUTY, {"satisfaction": "basic"}))
    assert all(j.accepted for j in judged) and again.status is Status.RATED and again.satisfaction == "basic"


def test_a_look_back_that_finds_it_not_fixed_sends_it_back():
    state, _ = handled(("rate", DEPUTY, {"satisfaction": "satisfied"}),
                       ("look_back", NEIGHBOUR, {"finding": "not_fixed", "text": "回头看：又漏了"}))
    assert state.status is Status.ASSIGNED and state.reopened == 1 and state.verified_at is None


def test_only_the_deputy_who_raised_it_rates_it_and_only_once_it_is_resolved():
    resolved, _ = handled()
    assert refused(resolved, "rate", NEIGHBOUR, {"satisfaction": "satisfied"}) == "event.not_the_reporter"
    assert refused(resolved, "rate", OFFICE, {"satisfaction": "satisfied"}) == "event.not_the_reporter"
    assigned, _ = walk(("assign", OFFICE, ASSIGN))
    assert refused(assigned, "rate", DEPUTY, {"satisfaction": "satisfied"}) == "event.not_allowed_in_status"
    rated, judged = handled(("rate", DEPUTY, {"satisfaction": "satisfied"}), ("rate", DEPUTY, {"satisfaction": "basic"}))
    assert [j.accepted for j in judged][-1] is False and rated.satisfaction == "satisfied"


@pytest.mark.parametrize("payload", [{}, {"satisfaction": "great"}, {"satisfaction": None}])
def test_a_rating_says_satisfied_basically_or_not(payload):
    resolved, _ = handled()
    assert refused(resolved, "rate", DEPUTY, payload) == "event.satisfaction_required"


def test_ratings_recorded_as_scores_before_satisfaction_levels_still_fold():
    state, judged = handled(("rate", DEPUTY, {"score": 4}))
    assert judged[-1].accepted and state.status is Status.RATED and state.satisfaction == "satisfied"
    assert state.rating == 4


@pytest.mark.parametrize("score", [0, 6, "5", True])
def test_an_old_style_score_must_be_a_whole_number_from_one_to_five(score):
    resolved, _ = handled()
    assert refused(resolved, "rate", DEPUTY, {"score": score}) == "event.score_range"


def test_a_transition_the_state_does_not_allow_is_refused_with_the_state_it_is_in():
    returned, _ = walk(("return", OFFICE, {"text": "请补充照片"}))
    with pytest.raises(DomainError) as refusal:
        judge(returned, "resolve", WATER, {"text": "已办结"})
    assert refusal.value.code == "event.not_allowed_in_status" and refusal.value.params["status"] == "returned"


@pytest.mark.parametrize("actor,kind,payload,code", [
    (DEPUTY, "assign", ASSIGN, "event.role_not_allowed"),
    (OFFICE, "assign", {"deadline": SOON}, "event.department_required"),
    (OFFICE, "assign", {"department_id": "water"}, "event.deadline_required"),
    (OFFICE, "assign", {**ASSIGN, "deadline": "2026-05-14"}, "event.deadline_past"),
    (OFFICE, "assign", {**ASSIGN, "co_department_ids": ["water"]}, "event.lead_is_co"),
    (OFFICE, "return", {"text": "  "}, "event.text_required"),
    (OFFICE, "merge", {"text": "同一问题"}, "event.merge_target_required"),
    (OFFICE, "attach_photo", {"sha256": "not-a-hash"}, "event.photo_hash_required"),
    (OFFICE, "classify", {"category_id": "c", "urgency": "someday"}, "event.unknown_urgency"),
    (OFFICE, "classify", {"category_id": "c", "nature": "rumour"}, "event.unknown_nature"),
    (OFFICE, "fly", {}, "event.unknown_kind"),
    (OFFICE, "create", {}, "event.create_twice"),
])
def test_rules_refuse_with_stable_codes(actor, kind, payload, code):
    with pytest.raises(DomainError) as refusal:
        if kind in ("fly", "create"):
            event_type_of(ISSUE, kind)
        judge(IssueState(), kind, actor, payload)
    assert refusal.value.code == code


def test_a_deadline_is_judged_against_the_day_it_was_set():
    # Set offline yesterday for today: still fine when it reaches the server today.
    judge(IssueState(), "assign", OFFICE, {**ASSIGN, "deadline": NOW.date().isoformat()}, at=NOW)


def test_a_department_acts_only_on_issues_assigned_to_it_and_co_handlers_only_report_progress():
    state, _ = walk(("assign", OFFICE, {**ASSIGN, "co_department_ids": ["agri"]}))
    judge(state, "respond", WATER, {"text": "收到"})
    assert refused(state, "respond", ROADS, {"text": "收到"}) == "event.not_your_department"
    judge(state, "respond", AGRI, {"text": "协办：已派农技员"})
    assert refused(state, "resolve", AGRI, {"text": "办结"}) == "event.not_your_department"
    assert refused(state, "acknowledge", AGRI, {}) == "event.not_your_department"


def test_an_extension_is_asked_by_the_lead_department_and_answered_by_the_office():
    asked, judged = walk(("assign", OFFICE, ASSIGN), ("request_extension", WATER, {"deadline": LATER, "text": "需采购滤料"}))
    assert judged[-1].accepted and asked.extension_asked == date.fromisoformat(LATER)
    assert refused(asked, "request_extension", WATER, {"deadline": LATER, "text": "再延"}) == "event.extension_pending"
    granted, _ = walk(("assign", OFFICE, ASSIGN), ("request_extension", WATER, {"deadline": LATER, "text": "需采购"}),
                      ("grant_extension", OFFICE, {"text": "同意"}))
    assert granted.deadline == date.fromisoformat(LATER) and granted.extension_asked is None
    kept, _ = walk(("assign", OFFICE, ASSIGN), ("request_extension", WATER, {"deadline": LATER, "text": "需采购"}),
                   ("refuse_extension", OFFICE, {"text": "请按期办结"}))
    assert kept.deadline == date.fromisoformat(SOON) and kept.extension_asked is None
    assigned, _ = walk(("assign", OFFICE, ASSIGN))
    assert refused(assigned, "grant_extension", OFFICE, {}) == "event.no_extension_asked"
    assert refused(assigned, "request_extension", WATER, {"deadline": SOON, "text": "x"}) == "event.deadline_not_later"


def test_supervision_escalates_from_a_reminder_to_a_letter_to_the_leadership():
    state, _ = walk(("assign", OFFICE, ASSIGN), ("supervise", OFFICE, {"text": "请加快办理"}))
    assert state.escalation == 1
    state, _ = walk(("assign", OFFICE, ASSIGN), ("escalate", OFFICE, {"level": 2, "text": "发监督意见函"}),
                    ("supervise", OFFICE, {"text": "再催"}), ("escalate", OFFICE, {"level": 3, "text": "报告镇党委"}))
    assert state.escalation == 3
    assert refused(state, "escalate", OFFICE, {"level": 7}) == "event.escalation_range"


def test_triage_classifies_urgency_nature_and_key_suggestions():
    state, judged = walk(("classify", OFFICE, {"category_id": "water", "urgency": "urgent", "nature": "suggestion",
                                               "key_suggestion": True}))
    assert judged[0].accepted
    assert (state.category_id, state.urgency, state.nature, state.key_suggestion) == ("water", "urgent", "suggestion", True)


def test_a_duplicate_mark_must_name_an_issue_the_office_can_see():
    class Store:
        def has(self, table, record_id):
            return (table, record_id) in {("issue", "original")}

        def now(self):
            return NOW

    state, judged = walk(("merge", OFFICE, {"into": "original", "text": "同一问题"}), ctx=Store())
    assert judged[0].accepted and state.status is Status.MERGED and state.merged_into == "original"
    assert refused(IssueState(), "merge", OFFICE, {"into": "nowhere"}, ctx=Store()) == "event.unknown_issue"


def test_the_actions_offered_are_exactly_those_this_user_may_take_now():
    def offered(state, actor):
        return {e.name for e in allowed_events(ISSUE, state, actor)}

    new = IssueState(reporter_id="d")
    assert {"classify", "assign", "merge", "return"} <= offered(new, OFFICE)
    assert offered(new, DEPUTY) == {"comment", "attach_photo"}
    assigned, _ = walk(("assign", OFFICE, ASSIGN))
    assert {"acknowledge", "respond", "resolve", "request_extension"} <= offered(assigned, WATER)
    assert offered(assigned, ROADS) == set()
    resolved, _ = handled()
    assert "rate" in offered(resolved, DEPUTY) and "rate" not in offered(resolved, NEIGHBOUR)


def test_reopen_returns_a_returned_issue_to_triage_and_a_resolved_one_to_its_department():
    _, judged = walk(("return", OFFICE, {"text": "请补充照片"}))
    returned, _ = walk(("return", OFFICE, {"text": "请补充照片"}), ("reopen", DEPUTY, {"text": "已补充"}))
    assert judged[0].accepted and returned.status is Status.NEW
    resolved, _ = handled(("reopen", DEPUTY, {"text": "又坏了"}))
    assert resolved.status is Status.ASSIGNED and resolved.department_id == "water"


def test_an_accepted_event_applies_as_it_is():
    state = apply(EVENTS["assign"], IssueState(), {"department_id": "water", "deadline": SOON}, OFFICE, NOW)
    assert state.status is Status.ASSIGNED and state.department_id == "water"


def test_photos_attached_later_join_the_issues_photos(session, township):
    issue = capture_issue(session, township["deputy-wang"], photos=(PhotoRef(sha256=SHA),))
    act(session, township["office-ma"], issue.id, "attach_photo", sha256=OTHER_SHA, width=640, height=480)
    assert [p.sha256 for p in photos_of(session, issue.id)] == [SHA, OTHER_SHA]


def test_a_reply_carries_its_photos_into_the_issues_photos(session, township):
    issue = capture_issue(session, township["deputy-wang"], photos=(PhotoRef(sha256=SHA),))
    act(session, township["office-ma"], issue.id, "assign", department_id=township["dept-water"].department_id,
        deadline=SOON.replace("2026-05", "2030-05"))
    act(session, township["dept-water"], issue.id, "resolve", text="已修复", photos=[{"sha256": OTHER_SHA}])
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
