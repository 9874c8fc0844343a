"""Applying pulled pages to the local replica, and reading the outbox for the UI (no network)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import select

from app.ids import new_id
from app.issues import Issue, timeline
from app.models import OutboxMutation, Person
from app.outbox import (pending_photo_hashes, read_status, record_result, rejected_changes)
from app.reference import stable_id
from app.records import RecordEvent, RecordPhoto
from app.replica import ReplicaUser, apply_changes, get_cursor, parse_change, remember_login, signed_in_user
from tests.factories import act, capture_issue

SHA = "ab" * 32


def _issue_data(issue_id: str, reporter: Person, **extra) -> dict:
    data = {"id": issue_id, "title": "村道塌方", "description": "雨后塌方", "category_id": stable_id("category", "roads"),
            "place_type": "village", "place_name": "桔园村", "latitude": None, "longitude": None, "accuracy_m": None,
            "location_source": "none", "reporter_id": reporter.id, "station_id": reporter.station_id,
            "source": "visit", "created_at": "2026-05-01T02:00:00+00:00", "status": "rated",
            "department_id": None, "rating": 5, "updated_at": "2026-05-01T02:00:00+00:00", "unknown_field": 1}
    data.update(extra)
    return data


def _event_data(event_id: str, issue_id: str, actor: Person, kind: str, payload: dict, **extra) -> dict:
    data = {"id": event_id, "record_kind": "issue", "record_id": issue_id, "type": kind, "actor_id": actor.id,
            "actor_role": actor.role, "actor_station_id": actor.station_id,
            "actor_department_id": actor.department_id, "created_at": "2026-05-01T03:00:00+00:00",
            "payload": payload, "server_seq": None, "rejected_code": None, "rejected_reason": None}
    data.update(extra)
    return data


def _pulled(changes: list[dict]) -> list:
    """Parse changes as a pull page carries them, as the sync client does."""
    return [parse_change(c["seq"], c["entity"], c["data"]) for c in changes]


def test_client_pulled_issue_and_events_land_once_and_derive_status(session, township):
    wang, office = township["deputy-wang"], township["office-ma"]
    issue_id, create_id, assign_id = new_id(), new_id(), new_id()
    changes = [
        {"seq": 12, "entity": "event", "data": _event_data(assign_id, issue_id, office, "assign",
                                                          {"deadline": "2030-12-31", "department_id": stable_id("department", "build")})},
        {"seq": 10, "entity": "issue", "data": _issue_data(issue_id, wang)},
        {"seq": 11, "entity": "event", "data": _event_data(create_id, issue_id, wang, "create", {"photos": [SHA]})},
        {"seq": 13, "entity": "photo", "data": {"record_kind": "issue", "record_id": issue_id, "sha256": SHA,
                                                "position": 0, "width": 640, "height": 480, "byte_size": 1000,
                                                "taken_at": None}},
    ]
    for _ in range(2):  # a page applied twice (its cursor was lost) changes nothing
        applied = apply_changes(session, _pulled(changes))
        session.commit()
        assert applied.records == {issue_id}
    issue = session.get(Issue, issue_id)
    # Status comes from the timeline, not from the wire's cached copy ("rated").
    assert issue.status == "assigned" and issue.department_id == stable_id("department", "build")
    assert issue.rating is None
    assert issue.category_id == stable_id("category", "roads")  # what the deputy chose when recording it
    assert [e.type for e in timeline(session, issue_id)] == ["create", "assign"]
    assert [e.server_seq for e in timeline(session, issue_id)] == [11, 12]
    assert len(session.exec(select(RecordPhoto)).all()) == 1
    assert "村道塌方" in issue.search_text


def test_client_an_event_before_its_issue_is_held_until_the_issue_arrives(session, township):
    wang = township["deputy-wang"]
    issue_id, create_id, comment_id = new_id(), new_id(), new_id()
    first = apply_changes(session, _pulled([{"seq": 20, "entity": "event",
                                             "data": _event_data(comment_id, issue_id, wang, "comment",
                                                                 {"text": "补充"})}]))
    session.commit()
    assert first.held == 1 and session.get(RecordEvent, comment_id) is None
    second = apply_changes(session, _pulled([
        {"seq": 21, "entity": "issue", "data": _issue_data(issue_id, wang)},
        {"seq": 22, "entity": "event", "data": _event_data(create_id, issue_id, wang, "create", {"photos": []})},
    ]))
    session.commit()
    assert second.held == 0
    assert {e.id for e in timeline(session, issue_id)} == {create_id, comment_id}


def test_client_pulled_copy_of_a_local_event_takes_the_servers_fields_and_keeps_the_rest(session, township):
    wang = township["deputy-wang"]
    issue = capture_issue(session, wang)
    comment = act(session, wang, issue.id, "comment", text="现场又塌了一段")
    created_at, actor_id = comment.created_at, comment.actor_id
    # The store's copy is what counts: its place in the order, and its payload (which the store may have added
    # to, e.g. a closed ballot's counts); who recorded the event and when do not change.
    server_copy = _event_data(comment.id, issue.id, township["office-ma"], "comment", {"text": "现场又塌了一段", "n": 1})
    apply_changes(session, _pulled([{"seq": 40, "entity": "event", "data": server_copy}]))
    session.commit()
    session.refresh(comment)
    assert comment.server_seq == 40 and comment.payload == {"text": "现场又塌了一段", "n": 1}
    assert comment.actor_id == actor_id and comment.type == "comment"


def test_client_refused_event_is_marked_and_listed_for_its_author(session, township):
    wang = township["deputy-wang"]
    issue = capture_issue(session, wang)
    comment = act(session, wang, issue.id, "comment", text="补充情况")
    outbox = {m.body.get("id"): m for m in session.exec(select(OutboxMutation))}
    record_result(session, outbox[issue.id], status="applied")
    record_result(session, outbox[comment.id], status="rejected", code="event.not_allowed_in_status",
                  reason="issue is merged")
    session.commit()
    session.refresh(comment)
    assert comment.rejected_code == "event.not_allowed_in_status"
    [refused] = rejected_changes(session)
    assert refused.event_id == comment.id and refused.title == issue.title
    assert refused.reason == "issue is merged" and refused.event_type == "comment"
    status = read_status(session)
    assert status.pending_mutations == 0 and len(status.rejected) == 1


def test_client_status_counts_waiting_photos_once(session, township):
    from app.issues import PhotoRef

    wang = township["deputy-wang"]
    capture_issue(session, wang, photos=(PhotoRef(sha256=SHA),))
    issue = capture_issue(session, wang, photos=(PhotoRef(sha256=SHA),))
    act(session, wang, issue.id, "attach_photo", sha256="cd" * 32)
    assert pending_photo_hashes(session) == [SHA, "cd" * 32]
    status = read_status(session)
    assert status.pending_mutations == 3 and status.pending_photos == 2 and status.waiting


def test_client_login_is_kept_for_offline_use_and_a_new_user_restarts_the_pull(session, township):
    from app.replica import set_cursor

    wang = township["deputy-wang"]
    user = ReplicaUser(id=wang.id, username="deputy-wang", name=wang.name, role=wang.role,
                       station_id=wang.station_id)
    remember_login(session, token="t1", expires_at=datetime(2026, 6, 1, tzinfo=timezone.utc).isoformat(), user=user)
    set_cursor(session, 77)
    session.commit()
    assert signed_in_user(session) == user and get_cursor(session) == 77
    newcomer = ReplicaUser(id=new_id(), username="deputy-new", name="新代表", role="deputy",
                           station_id=stable_id("station", "missing"))
    remember_login(session, token="t2", expires_at="2026-06-01T00:00:00+00:00", user=newcomer)
    session.commit()
    assert get_cursor(session) == 0
    person = session.get(Person, newcomer.id)
    assert person.name == "新代表" and person.station_id is None  # filled in by the first pull


def _revoked(seq: int, issue_id: str) -> dict:
    return {"seq": seq, "entity": "revoked", "data": {"entity": "issue", "id": issue_id}}


def test_client_a_revoked_issue_leaves_the_replica_but_not_while_changes_of_it_wait(session, township):
    from app.issues import PhotoRef

    wang = township["deputy-wang"]
    issue = capture_issue(session, wang, photos=(PhotoRef(sha256=SHA),))
    comment = act(session, wang, issue.id, "comment", text="补充情况")
    session.commit()
    # Its creation and the comment still wait to be pushed: the issue stays, whole.
    kept = apply_changes(session, _pulled([_revoked(50, issue.id)]))
    session.commit()
    assert kept.revoked == frozenset()
    assert session.get(Issue, issue.id) is not None
    assert [(e.type, e.id) for e in timeline(session, issue.id)][1:] == [("comment", comment.id)]
    assert [e.type for e in timeline(session, issue.id)] == ["create", "comment"]
    assert len(session.exec(select(RecordPhoto).where(RecordPhoto.record_id == issue.id)).all()) == 1
    # Once the server has answered them, the same revocation removes it (the page is sent again).
    for mutation in session.exec(select(OutboxMutation)).all():
        record_result(session, mutation, status="applied")
    session.commit()
    gone = apply_changes(session, _pulled([_revoked(50, issue.id)]))
    session.commit()
    assert gone.revoked == {issue.id}
    assert session.get(Issue, issue.id) is None
    assert session.exec(select(RecordEvent).where(RecordEvent.record_id == issue.id)).all() == []
    assert session.exec(select(RecordPhoto).where(RecordPhoto.record_id == issue.id)).all() == []


def test_client_a_revocation_drops_what_came_before_it_and_keeps_what_came_after(session, township):
    wang, office = township["deputy-wang"], township["office-ma"]
    issue_id, create_id, assign_id = new_id(), new_id(), new_id()
    create = _event_data(create_id, issue_id, wang, "create", {"photos": []}, server_seq=11)
    # Received and revoked within one page: nothing of it is kept, whatever order the page holds.
    apply_changes(session, _pulled([_revoked(12, issue_id), {"seq": 11, "entity": "event", "data": create},
                                    {"seq": 10, "entity": "issue", "data": _issue_data(issue_id, wang)}]))
    session.commit()
    assert session.get(Issue, issue_id) is None and session.get(RecordEvent, create_id) is None
    # Revoked, then given back: the page's later copy is kept, sent again whole.
    assign = _event_data(assign_id, issue_id, office, "assign", {"deadline": "2030-12-31", "department_id": stable_id("department", "water")})
    applied = apply_changes(session, _pulled([
        {"seq": 21, "entity": "event", "data": assign},
        {"seq": 19, "entity": "event", "data": create},
        {"seq": 18, "entity": "issue", "data": _issue_data(issue_id, wang)},
        _revoked(17, issue_id),
        {"seq": 16, "entity": "event", "data": _event_data(new_id(), issue_id, wang, "comment", {"text": "旧的"})},
    ]))
    session.commit()
    assert applied.revoked == {issue_id}
    assert [e.id for e in timeline(session, issue_id)] == [create_id, assign_id]
    assert session.get(Issue, issue_id).status == "assigned"
