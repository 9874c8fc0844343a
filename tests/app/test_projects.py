"""Livelihood projects on one store: opinions, candidates, the passing rules, quorum, paper totals, tasks."""

from __future__ import annotations

from datetime import date

import pytest

from app.actors import Actor
from app.errors import DomainError
from app.issues import Issue
from app.projects import (BALLOT, TASK, Ballot, BallotState, Opinion, Project, Task, add_task, cast_vote,
                          make_candidate, open_round, outcome, overdue_tasks, propose_opinion, tally)
from app.records import record_event
from app.reference import stable_id
from tests.factories import capture_issue


def _state(n_roll=9, to_choose=2, candidates=("a", "b", "c", "d"), paper=None):
    return BallotState(status="closed", to_choose=to_choose, candidates=candidates,
                       roll=tuple(f"p{i}" for i in range(n_roll)), paper=paper or {})


def _counts(**fors):
    return {p: {"for": n, "against": 0, "abstain": 0} for p, n in fors.items()}


def test_a_candidate_passes_with_more_than_half_of_all_deputies():
    state = _state(n_roll=9, to_choose=3)
    assert outcome(state, _counts(a=5, b=4, c=9, d=0)) == (("c", "a"), ())  # 4 of 9 is not more than half


def test_with_more_passing_than_places_the_highest_counts_win():
    state = _state(n_roll=9, to_choose=2)
    assert outcome(state, _counts(a=6, b=8, c=7, d=5)) == (("b", "c"), ())


def test_a_tie_for_the_last_place_is_shown_for_a_second_round():
    state = _state(n_roll=9, to_choose=2)
    chosen, tie = outcome(state, _counts(a=8, b=6, c=6, d=6))
    assert chosen == ("a",) and set(tie) == {"b", "c", "d"}
    assert outcome(state, _counts(a=7, b=7, c=5, d=1)) == (("a", "b"), ())  # level but exactly the places left


def test_paper_ballots_counted_by_tellers_are_added_to_the_phones():
    state = _state(paper={"a": {"for": 3, "against": 1, "abstain": 0}})
    counts = tally(state, {"a": {"for": 2}, "b": {"against": 4}})
    assert counts["a"] == {"for": 5, "against": 1, "abstain": 0} and counts["b"]["against"] == 4


def _round(session, township, *, to_choose=1, roll=("deputy-wang", "deputy-li", "deputy-zhang")):
    office = Actor.of(township["office-ma"])
    a = make_candidate(session, actor=office, title="村道硬化", year=2027, end_date=date(2027, 12, 31))
    b = make_candidate(session, actor=office, title="饮水工程维修", year=2027)
    ballot = open_round(session, actor=office, title="2027年民生实事项目票决", year=2027, candidate_ids=[a.id, b.id],
                        roll_ids=[township[c].id for c in roll], to_choose=to_choose)
    return office, a, b, ballot


def test_a_round_opens_only_with_more_than_half_of_all_deputies_checked_in(session, township):
    office, _a, _b, ballot = _round(session, township)
    record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="check_in",
                 payload={"person_id": township["deputy-wang"].id})
    with pytest.raises(DomainError) as refusal:
        record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="open", payload={})
    assert refusal.value.code == "ballot.no_quorum" and refusal.value.params == {"present": 1, "roll": 3}
    session.rollback()
    with pytest.raises(DomainError) as stranger:
        record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="check_in",
                     payload={"person_id": township["deputy-zhao"].id})
    assert stranger.value.code == "ballot.not_on_roll"
    session.rollback()
    record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="check_in",
                 payload={"person_id": township["deputy-li"].id})
    record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="open", payload={})
    assert session.get(Ballot, ballot.id).status == "open"


def test_a_vote_outside_an_open_round_or_off_the_roll_or_incomplete_is_refused(session, township):
    office, a, b, ballot = _round(session, township)
    wang, zhao = Actor.of(township["deputy-wang"]), Actor.of(township["deputy-zhao"])
    with pytest.raises(DomainError) as early:
        cast_vote(session, actor=wang, ballot_id=ballot.id, choices={a.id: "for", b.id: "against"})
    assert early.value.code == "ballot.not_open"
    for person in ("deputy-wang", "deputy-li"):
        record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="check_in",
                     payload={"person_id": township[person].id})
    record_event(session, BALLOT, actor=office, record_id=ballot.id, type_="open", payload={})
    for actor, choices, code in ((zhao, {a.id: "for", b.id: "for"}, "ballot.not_on_roll"),
                                 (wang, {a.id: "for"}, "ballot.bad_choices"),
                                 (wang, {a.id: "for", b.id: "maybe"}, "ballot.bad_choices"),
                                 (wang, {a.id: "satisfied", b.id: "basic"}, "ballot.bad_choices")):
        with pytest.raises(DomainError) as refusal:
            cast_vote(session, actor=actor, ballot_id=ballot.id, choices=choices)
        assert refusal.value.code == code
    cast_vote(session, actor=wang, ballot_id=ballot.id, choices={a.id: "for", b.id: "abstain"})
    with pytest.raises(DomainError) as again:
        cast_vote(session, actor=wang, ballot_id=ballot.id, choices={a.id: "for", b.id: "for"})
    assert again.value.code == "ballot.already_voted"


def test_opinions_from_issues_become_a_candidate_with_the_issues_behind_it(session, township):
    wang, office = Actor.of(township["deputy-wang"]), Actor.of(township["office-ma"])
    issue = capture_issue(session, township["deputy-wang"], title="柳林村二组四百米村道未硬化")
    opinion = propose_opinion(session, actor=wang, title="柳林村二组村道硬化", issue_id=issue.id)
    other = propose_opinion(session, actor=wang, title="二组道路太烂")
    project = make_candidate(session, actor=office, title="柳林村二组道路硬化", year=2027,
                             opinion_ids=[opinion.id, other.id], issue_ids=[issue.id], estimated_cost=48.5,
                             funding_source="镇财政 + 上级补助", beneficiaries="二组村民126户")
    assert {session.get(Opinion, o).status for o in (opinion.id, other.id)} == {"merged"}
    assert session.get(Opinion, opinion.id).project_id == project.id
    assert session.get(Project, project.id).issue_ids == [issue.id] and session.get(Issue, issue.id) is not None
    with pytest.raises(DomainError) as deputy:
        make_candidate(session, actor=wang, title="x", year=2027)
    assert deputy.value.code == "scope.forbidden"


def test_a_task_cannot_end_after_its_project_and_an_overdue_one_is_listed(session, township):
    office, a, _b, _ballot = _round(session, township)
    water = stable_id("department", "water")
    with pytest.raises(DomainError) as late:
        add_task(session, actor=office, project_id=a.id, title="路基", unit_kind="department", unit_id=water,
                 deadline=date(2028, 3, 1))
    assert late.value.code == "task.after_project"
    session.rollback()
    task = add_task(session, actor=office, project_id=a.id, title="路基平整", unit_kind="department",
                    unit_id=stable_id("department", "build"), deadline=date(2027, 5, 31), person="罗明", budget=12)
    assert [t.id for t in overdue_tasks(session, date(2027, 6, 1))] == [task.id]
    build = Actor.of(township["dept-build"])
    record_event(session, TASK, actor=build, record_id=task.id, type_="progress",
                 payload={"text": "完成路基平整一半", "percent": 50, "spent": 5.5})
    with pytest.raises(DomainError) as other_unit:
        record_event(session, TASK, actor=Actor.of(township["dept-water"]), record_id=task.id, type_="progress",
                     payload={"text": "x", "percent": 60})
    assert other_unit.value.code == "event.not_your_department"
    session.rollback()
    stored = session.get(Task, task.id)
    assert (stored.percent, stored.spent, stored.status) == (50, 5.5, "open")
