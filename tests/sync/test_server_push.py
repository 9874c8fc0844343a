"""Push: each mutation applied once, judged by the rules, answered in order."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from app.ids import new_id
from app.issues import Issue, timeline
from app.problems import Problem
from sync.protocol import RETRYABLE_CODES
from tests.sync.conftest import department, issue_create, issue_event, jpeg


def _count(central, sql: str, **params) -> int:
    with central.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_the_same_batch_sent_three_times_stores_every_record_once(central):
    wang = central.login("deputy-wang")
    create = issue_create(title="抗旱水源不足")
    comment = issue_event(create["body"]["id"], "comment", text="三组蓄水池已见底")
    answers = [central.push(wang, create, comment) for _ in range(3)]

    assert [r["status"] for r in answers[0]] == ["applied", "applied"]
    for again in answers[1:]:
        assert [r["status"] for r in again] == ["duplicate", "duplicate"]
        assert [r["first_status"] for r in again] == ["applied", "applied"]
        assert [r["seq"] for r in again] == [r["seq"] for r in answers[0]]
    assert _count(central, "SELECT count(*) FROM issue WHERE title = '抗旱水源不足'") == 1
    assert _count(central, "SELECT count(*) FROM record_event WHERE record_id = :i", i=create["body"]["id"]) == 2
    assert _count(central, "SELECT count(*) FROM change_log WHERE entity = 'event' AND record_id = :i",
                  i=create["body"]["id"]) == 2


def test_the_author_comes_from_the_token_not_the_body(central):
    wang = central.login("deputy-wang")
    create = issue_create()
    create["body"]["reporter_id"] = "someone-else"
    [result] = central.push(wang, create)
    assert result["status"] == "applied"
    with Session(central.engine) as session:
        issue = session.get(Issue, create["body"]["id"])
        assert issue.reporter_id == central.client.get("/api/v1/me", headers=wang).json()["id"]
        assert timeline(session, issue.id)[0].actor_role == "deputy"


def test_a_mutation_id_reused_with_another_body_is_a_conflict(central):
    wang = central.login("deputy-wang")
    create = issue_create(title="村道硬化未完工")
    assert central.push(wang, create)[0]["status"] == "applied"
    altered = {**create, "body": {**create["body"], "title": "村道硬化已完工"}}
    before = central.snapshot()
    [result] = central.push(wang, altered)
    assert result["status"] == "rejected"
    assert result["code"] == "mutation.conflict"
    assert result["reason"]
    assert central.snapshot() == before
    # The first body still answers as a duplicate: the conflict did not replace it.
    assert central.push(wang, create)[0]["status"] == "duplicate"


def test_accepted_events_get_their_global_seq(central):
    wang, office = central.login("deputy-wang"), central.login("office-ma")
    create = issue_create()
    [created] = central.push(wang, create)
    [assigned] = central.push(office, issue_event(create["body"]["id"], "assign", deadline="2030-12-31", department_id=department("build"),
                                                  text="请村镇建设办评估"))
    assert created["seq"] < assigned["seq"]
    with Session(central.engine) as session:
        events = timeline(session, create["body"]["id"])
        assert [e.server_seq for e in events] == [created["seq"], assigned["seq"]]
        assert session.get(Issue, create["body"]["id"]).status == "assigned"


def test_two_devices_that_acted_offline_on_one_issue_both_land_in_the_timeline(central):
    wang, hu = central.login("deputy-wang"), central.login("staff-hu")
    create = issue_create()
    central.push(wang, create, device_id="wang-phone")
    issue_id = create["body"]["id"]
    # Both phones pulled the issue, went offline, and each added a comment.
    from_wang = issue_event(issue_id, "comment", text="今天又去看了，塌陷扩大")
    from_hu = issue_event(issue_id, "comment", text="已通知村委会设置警示")
    assert central.push(hu, from_hu, device_id="hu-phone")[0]["status"] == "applied"
    assert central.push(wang, from_wang, device_id="wang-phone")[0]["status"] == "applied"
    with Session(central.engine) as session:
        texts = [e.payload.get("text") for e in timeline(session, issue_id) if e.type == "comment"]
    assert texts == ["已通知村委会设置警示", "今天又去看了，塌陷扩大"]


def test_an_event_the_rules_forbid_is_rejected_and_kept_in_the_timeline_marked(central):
    wang, office = central.login("deputy-wang"), central.login("office-ma")
    create = issue_create()
    central.push(wang, create)
    issue_id = create["body"]["id"]
    # The office returned the issue; meanwhile, offline, the deputy rated it as if resolved.
    central.push(office, issue_event(issue_id, "return", text="请补充照片后重新提交"))
    rate = issue_event(issue_id, "rate", score=5)
    [result] = central.push(wang, rate)

    assert result["status"] == "rejected"
    assert result["code"] == "event.not_allowed_in_status"
    assert result["detail"] == {"kind": "rate", "status": "returned"}
    assert result["reason"] and "returned" in result["reason"].lower()
    with Session(central.engine) as session:
        refused = next(e for e in timeline(session, issue_id) if e.id == rate["body"]["id"])
        assert refused.rejected_code == "event.not_allowed_in_status"
        assert refused.rejected_reason == result["reason"]
        assert refused.server_seq == result["seq"]
        assert session.get(Issue, issue_id).status == "returned"
    # Its author pulls it back, marked.
    changes, _ = central.pull_all(wang)
    pulled = [c["data"] for c in changes if c["entity"] == "event" and c["data"]["id"] == rate["body"]["id"]]
    assert pulled and pulled[-1]["rejected_code"] == "event.not_allowed_in_status"
    # Sending it again answers the same refusal and records nothing more.
    [again] = central.push(wang, rate)
    assert (again["status"], again["first_status"], again["code"]) == ("duplicate", "rejected",
                                                                      "event.not_allowed_in_status")
    assert _count(central, "SELECT count(*) FROM record_event WHERE id = :i", i=rate["body"]["id"]) == 1


def test_a_role_the_rules_do_not_allow_is_rejected_with_its_code(central):
    wang = central.login("deputy-wang")
    create = issue_create()
    central.push(wang, create)
    [result] = central.push(wang, issue_event(create["body"]["id"], "assign", deadline="2030-12-31", department_id=department("water")))
    assert (result["status"], result["code"]) == ("rejected", "event.role_not_allowed")


def test_a_rejection_of_one_mutation_does_not_stop_the_rest(central):
    wang = central.login("deputy-wang")
    first, second = issue_create(title="第一条"), issue_create(title="")
    third = issue_create(title="第三条")
    results = central.push(wang, first, second, third)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["code"] == "issue.title_required"
    assert results[1]["detail"]["field"] == "title"
    assert [r["id"] for r in results] == [first["id"], second["id"], third["id"]]


def test_a_body_of_the_wrong_shape_is_rejected_as_malformed_and_changes_nothing(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    bad_time = issue_create()
    bad_time["body"]["created_at"] = "yesterday"
    bad_photo = issue_create()
    bad_photo["body"]["photos"] = [{"sha256": "not-a-hash"}]
    bad_text = issue_create(title="标题\x00")
    results = central.push(wang, bad_time, bad_photo, bad_text,
                           {"id": new_id(), "kind": "issue.create", "body": {"id": 5}})
    assert [r["code"] for r in results] == ["request.malformed"] * 4
    assert all(r["detail"]["errors"] for r in results)
    snapshot = central.snapshot()
    assert {k: v for k, v in snapshot.items() if k != "applied_mutation"} == \
        {k: v for k, v in before.items() if k != "applied_mutation"}


def test_an_unknown_kind_of_mutation_is_rejected(central):
    wang = central.login("deputy-wang")
    [result] = central.push(wang, {"id": "01900000-0000-7000-8000-000000000001", "kind": "issue.delete",
                                   "body": {}})
    assert (result["status"], result["code"]) == ("rejected", "mutation.unknown_kind")


def test_an_issue_naming_a_photo_not_yet_uploaded_is_refused_until_it_is(central):
    wang = central.login("deputy-wang")
    photo = jpeg(1)
    import hashlib

    sha = hashlib.sha256(photo).hexdigest()
    create = issue_create(photos=(sha,))
    before = central.snapshot()
    [result] = central.push(wang, create)
    assert (result["status"], result["code"]) == ("rejected", "blob.missing")
    assert result["detail"]["missing"] == [sha]
    assert central.snapshot() == before  # not even remembered: it is to be sent again
    central.upload(wang, photo)
    [result] = central.push(wang, create)
    assert result["status"] == "applied"
    assert _count(central, "SELECT count(*) FROM record_photo WHERE sha256 = :s", s=sha) == 1


def test_a_record_id_taken_by_another_mutation_is_refused(central):
    wang = central.login("deputy-wang")
    create = issue_create()
    central.push(wang, create)
    copy = {**create, "id": issue_create()["id"]}
    [result] = central.push(wang, copy)
    assert (result["status"], result["code"]) == ("rejected", "record.exists")


def test_the_department_responds_and_resolves_and_the_deputy_rates(central):
    wang, office, water = central.login("deputy-wang"), central.login("office-ma"), central.login("dept-water")
    create = issue_create(category="water", title="自来水管道破裂漏水")
    central.push(wang, create)
    issue_id = create["body"]["id"]
    central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"), text="请立即抢修"))
    results = central.push(water, issue_event(issue_id, "respond", text="已到现场"),
                           issue_event(issue_id, "resolve", text="已更换破裂管段，恢复供水"))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert central.push(wang, issue_event(issue_id, "rate", score=4))[0]["status"] == "applied"
    with Session(central.engine) as session:
        issue = session.get(Issue, issue_id)
        assert (issue.status, issue.rating) == ("rated", 4)


def _records(snapshot: dict) -> dict:
    """A snapshot without the answers the store remembers: what a refused mutation must leave alone."""
    return {k: v for k, v in snapshot.items() if k != "applied_mutation"}


def test_a_latitude_of_true_is_refused_not_stored_as_one(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    boolean = issue_create()
    boolean["body"]["location"] = {"latitude": True, "longitude": 116.4, "accuracy_m": 8, "source": "device"}
    [result] = central.push(wang, boolean)
    assert (result["status"], result["code"]) == ("rejected", "request.malformed")
    assert any(error.startswith("location.latitude") for error in result["detail"]["errors"])
    assert _records(central.snapshot()) == _records(before)
    # The same issue with a number for its latitude is kept, with that number.
    number = issue_create()
    number["body"]["location"] = {**boolean["body"]["location"], "latitude": 33.15}
    assert central.push(wang, number)[0]["status"] == "applied"
    with Session(central.engine) as session:
        assert session.get(Issue, number["body"]["id"]).latitude == 33.15


def test_a_time_in_the_year_9999_is_refused_and_nothing_is_stored(central):
    wang = central.login("deputy-wang")
    create = issue_create()
    central.push(wang, create)
    before = central.snapshot()
    future = "9999-12-31T00:00:00+00:00"
    issue = issue_create()
    issue["body"]["created_at"] = future
    comment = issue_event(create["body"]["id"], "comment", text="塌陷扩大")
    comment["body"]["created_at"] = future
    results = central.push(wang, issue, comment)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "record.time_in_future")] * 2
    assert all(r["detail"]["field"] == "created_at" and r["reason"] for r in results)
    assert _records(central.snapshot()) == _records(before)
    # Final, not retried for ever: sent again, the same refusal.
    again = central.push(wang, issue, comment)
    assert [(r["status"], r["first_status"], r["code"]) for r in again] == [
        ("duplicate", "rejected", "record.time_in_future")] * 2


def test_a_mutation_kind_with_a_nul_character_gets_a_final_typed_refusal(central):
    wang = central.login("deputy-wang")
    create = issue_create()
    odd = [{**create, "kind": "issue.create\x00"}, {**issue_create(), "kind": "iss\x00ue.create"},
           {"id": issue_create()["id"], "kind": "\x00", "body": {}}]
    before = central.snapshot()
    first = central.push(wang, *odd)
    assert [r["status"] for r in first] == ["rejected"] * 3
    assert all(r["code"] in ("mutation.unknown_kind", "request.malformed") for r in first), first
    assert not any(Problem(r["code"]).retryable or r["code"] in RETRYABLE_CODES for r in first)
    assert _records(central.snapshot()) == _records(before)
    again = central.push(wang, *odd)
    assert [(r["status"], r["first_status"], r["code"]) for r in again] == [
        ("duplicate", "rejected", r["code"]) for r in first]
    assert _records(central.snapshot()) == _records(before)
