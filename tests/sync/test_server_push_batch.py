"""Push, a batch at a time: judged in order in memory, written in one transaction."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.issues import Issue, timeline
from app.models import Station
from sync.server import changes, push
from sync.server.db import write_session
from tests.sync.conftest import department, issue_create, issue_event, jpeg


def _rows(central, sql: str, **params) -> list[tuple]:
    with central.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]


def _count(central, sql: str, **params) -> int:
    return _rows(central, sql, **params)[0][0]


def test_events_on_an_issue_created_earlier_in_the_same_batch_see_it(central):
    wang = central.login("deputy-wang")
    sha = central.upload(wang, jpeg(11))
    create = issue_create(title="水渠堵塞")
    issue_id = create["body"]["id"]
    batch = [create, issue_event(issue_id, "comment", text="下游三户无法灌溉"),
             issue_event(issue_id, "attach_photo", sha256=sha, width=64, height=48),
             issue_event(issue_id, "comment", text="已拍照")]
    results = central.push(wang, *batch)

    assert [r["status"] for r in results] == ["applied"] * 4
    seqs = [r["seq"] for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    with Session(central.engine) as session:
        events = timeline(session, issue_id)
        assert [e.type for e in events] == ["create", "comment", "attach_photo", "comment"]
        assert [e.server_seq for e in events] == seqs
        issue = session.get(Issue, issue_id)
        assert issue.updated_at == max(e.created_at for e in events)
    assert _rows(central, "SELECT sha256, position FROM record_photo WHERE record_id = :i", i=issue_id) == [(sha, 0)]
    # The deputy pulls the issue, its photo and every event, each once for this audience.
    pulled, _ = central.pull_all(wang)
    mine = [c for c in pulled if c["data"].get("record_id", c["data"].get("id")) == issue_id]
    assert sorted(c["data"]["id"] for c in mine if c["entity"] == "event") == sorted(
        [create["body"]["event_id"]] + [m["body"]["id"] for m in batch[1:]])
    assert [c["data"]["sha256"] for c in mine if c["entity"] == "photo"] == [sha]


def test_the_office_classifies_assigns_and_supervises_a_new_issue_in_one_batch(central):
    office, water = central.login("office-ma"), central.login("dept-water")
    _, water_cursor = central.pull_all(water)
    create = issue_create(station="qixing", category="other", title="自来水管网老化")
    issue_id = create["body"]["id"]
    results = central.push(office, create,
                           issue_event(issue_id, "classify", category_id=create["body"]["category_id"]),
                           issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"),
                                       text="请水利站处理"),
                           issue_event(issue_id, "supervise", text="请本周内答复"))
    assert [r["status"] for r in results] == ["applied"] * 4
    with Session(central.engine) as session:
        issue = session.get(Issue, issue_id)
        assert (issue.status, issue.department_id) == ("assigned", department("water"))
    # The department was sent what came before the assignment, to it alone, and the rest as it happened.
    later, _ = central.pull_all(water, since=water_cursor)
    events = [c["data"]["id"] for c in later if c["entity"] == "event"]
    assert sorted(events) == sorted(e for (e,) in _rows(central, "SELECT id FROM record_event WHERE record_id = :i",
                                                        i=issue_id))
    assert [c["entity"] for c in later if c["data"].get("id") == issue_id][:1] == ["issue"]
    # And it may act on it at once.
    assert central.push(water, issue_event(issue_id, "respond", text="已到现场"))[0]["status"] == "applied"


def test_an_event_refused_in_the_middle_of_a_batch_does_not_stop_the_ones_after_it(central):
    wang, li = central.login("deputy-wang"), central.login("deputy-li")
    theirs = issue_create(station="qixing")
    central.push(li, theirs)
    create = issue_create()
    issue_id = create["body"]["id"]
    rate = issue_event(issue_id, "rate", score=5)  # not resolved yet: refused, kept in the timeline
    elsewhere = issue_event(theirs["body"]["id"], "comment", text="我也看到了")  # another station's: not kept
    comment = issue_event(issue_id, "comment", text="塌陷扩大")
    results = central.push(wang, create, rate, elsewhere, comment)

    assert [(r["status"], r["code"]) for r in results] == [
        ("applied", None), ("rejected", "event.not_allowed_in_status"), ("rejected", "scope.forbidden"),
        ("applied", None)]
    assert results[0]["seq"] < results[1]["seq"] < results[3]["seq"]
    assert results[2]["seq"] is None
    with Session(central.engine) as session:
        events = {e.id: e for e in timeline(session, issue_id)}
        refused = events[rate["body"]["id"]]
        assert (refused.rejected_code, refused.server_seq) == ("event.not_allowed_in_status", results[1]["seq"])
        assert refused.rejected_reason == results[1]["reason"]
        assert events[comment["body"]["id"]].rejected_code is None
        assert session.get(Issue, issue_id).status == "new"
    assert _count(central, "SELECT count(*) FROM record_event WHERE id = :i", i=elsewhere["body"]["id"]) == 0
    assert _count(central, "SELECT count(*) FROM applied_mutation") == 5  # li's create and the four


def test_the_same_mutation_twice_in_one_batch_is_applied_once(central):
    wang = central.login("deputy-wang")
    create = issue_create(title="桥面裂缝")
    comment = issue_event(create["body"]["id"], "comment", text="裂缝约两米长")
    altered = {**comment, "body": {**comment["body"], "payload": {"text": "裂缝约三米长"}}}
    results = central.push(wang, create, comment, create, altered, comment)

    assert [r["status"] for r in results] == ["applied", "applied", "duplicate", "rejected", "duplicate"]
    assert results[2]["first_status"] == "applied" and results[2]["seq"] == results[0]["seq"]
    assert results[3]["code"] == "mutation.conflict"
    assert results[4]["seq"] == results[1]["seq"]
    assert _count(central, "SELECT count(*) FROM issue WHERE id = :i", i=create["body"]["id"]) == 1
    assert _count(central, "SELECT count(*) FROM record_event WHERE record_id = :i", i=create["body"]["id"]) == 2
    assert _count(central, "SELECT count(*) FROM applied_mutation") == 2
    texts = [p for (p,) in _rows(central, "SELECT data FROM change_log WHERE entity = 'event' AND entity_id = :i",
                                 i=comment["body"]["id"])]
    assert len(texts) == 1


def test_a_retryable_refusal_twice_in_one_batch_is_judged_twice_and_not_remembered(central):
    wang = central.login("deputy-wang")
    sha = hashlib.sha256(jpeg(12)).hexdigest()
    create = issue_create(photos=(sha,))
    before = central.snapshot()
    results = central.push(wang, create, create)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "blob.missing")] * 2
    assert central.snapshot() == before
    central.upload(wang, jpeg(12))
    assert [r["status"] for r in central.push(wang, create, create)] == ["applied", "duplicate"]


def test_a_batch_of_duplicates_new_mutations_and_conflicts_answers_each_in_order(central):
    wang = central.login("deputy-wang")
    a, b = issue_create(title="甲"), issue_create(title="乙")
    first = central.push(wang, a, b)
    c, d = issue_create(title="丙"), issue_event(a["body"]["id"], "comment", text="补充")
    b_changed = {**b, "body": {**b["body"], "title": "乙（改）"}}
    unknown = {"id": issue_create()["id"], "kind": "issue.delete", "body": {}}
    batch = [c, a, b_changed, d, unknown, a]
    results = central.push(wang, *batch)

    assert [r["id"] for r in results] == [m["id"] for m in batch]
    assert [(r["status"], r["code"]) for r in results] == [
        ("applied", None), ("duplicate", None), ("rejected", "mutation.conflict"), ("applied", None),
        ("rejected", "mutation.unknown_kind"), ("duplicate", None)]
    assert results[1]["seq"] == results[5]["seq"] == first[0]["seq"]
    assert first[1]["seq"] < results[0]["seq"] < results[3]["seq"]
    # Sent again as a whole: every answer repeats, the conflict still a conflict.
    again = central.push(wang, *batch)
    assert [(r["status"], r["first_status"], r["code"]) for r in again] == [
        ("duplicate", "applied", None), ("duplicate", "applied", None), ("rejected", None, "mutation.conflict"),
        ("duplicate", "applied", None), ("duplicate", "rejected", "mutation.unknown_kind"),
        ("duplicate", "applied", None)]
    assert _rows(central, "SELECT title FROM issue WHERE id = :i", i=b["body"]["id"]) == [("乙",)]


def test_a_batch_the_store_cannot_write_at_once_is_applied_one_by_one(central, monkeypatch):
    wang = central.login("deputy-wang")
    good, bad, also_good = issue_create(title="一"), issue_create(title="二"), issue_create(title="三")
    write = push.Batch.write

    def refuse_the_bad_one(batch):
        if any(m.id == bad["id"] for m in batch.mutations):
            raise IntegrityError("INSERT", {}, Exception("a row the store refuses"))
        write(batch)

    monkeypatch.setattr(push.Batch, "write", refuse_the_bad_one)
    results = central.push(wang, good, bad, also_good)
    assert [(r["status"], r["code"]) for r in results] == [("applied", None), ("rejected", "server.error"),
                                                            ("applied", None)]
    assert _rows(central, "SELECT title FROM issue ORDER BY title") == [("一",), ("三",)]
    monkeypatch.setattr(push.Batch, "write", write)
    # Nothing of it was kept: sent again, it is applied.
    assert [r["status"] for r in central.push(wang, good, bad, also_good)] == ["duplicate", "applied", "duplicate"]


def test_a_batch_that_fails_keeps_nothing_and_can_be_sent_again(central, monkeypatch):
    wang = central.login("deputy-wang")
    create = issue_create()
    batch = [create, issue_event(create["body"]["id"], "comment", text="补充")]
    before = central.snapshot()

    def broken(_batch):
        raise OSError("disk full")

    monkeypatch.setattr(push.Batch, "write", broken)
    results = central.push(wang, *batch)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "server.error")] * 2
    assert central.snapshot() == before
    monkeypatch.undo()
    assert [r["status"] for r in central.push(wang, *batch)] == ["applied", "applied"]


def test_a_change_logged_after_a_batch_takes_the_next_seq(central):
    wang = central.login("deputy-wang")
    results = central.push(wang, *[issue_create(title=f"问题{n}") for n in range(3)])
    with write_session(central.engine) as session:
        station = session.exec(select(Station)).first()
        seq = changes.log_reference(session, "station", station)
        session.commit()
    assert seq > max(r["seq"] for r in results)
    [after] = central.push(wang, issue_create())
    assert after["seq"] > seq


def test_an_issue_reassigned_twice_in_one_batch_reaches_each_department_whole(central):
    wang, office = central.login("deputy-wang"), central.login("office-ma")
    water, build = central.login("dept-water"), central.login("dept-build")
    create = issue_create(category="water")
    issue_id = create["body"]["id"]
    central.push(wang, create, issue_event(issue_id, "comment", text="管道渗水"))
    _, water_cursor = central.pull_all(water)
    _, build_cursor = central.pull_all(build)
    to_water = issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"), text="请水利站查看")
    to_build = issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("build"), text="改由村镇建设办处理")
    assert [r["status"] for r in central.push(office, to_water, to_build)] == ["applied", "applied"]

    all_events = {e for (e,) in _rows(central, "SELECT id FROM record_event WHERE record_id = :i", i=issue_id)}
    build_later, _ = central.pull_all(build, since=build_cursor)
    assert {c["data"]["id"] for c in build_later if c["entity"] == "event"} == all_events
    assert [c["data"]["department_id"] for c in build_later if c["entity"] == "issue"] == [department("build")]
    water_later, _ = central.pull_all(water, since=water_cursor)
    assert {c["data"]["id"] for c in water_later if c["entity"] == "event"} == all_events - {to_build["body"]["id"]}
    assert central.push(build, issue_event(issue_id, "respond", text="已安排"))[0]["status"] == "applied"
    assert central.push(water, issue_event(issue_id, "respond", text="已查看"))[0]["code"] == "scope.forbidden"


def test_the_same_photo_attached_by_two_devices_is_refused_the_second_time(central):
    wang, hu = central.login("deputy-wang"), central.login("staff-hu")
    sha = central.upload(wang, jpeg(12))
    create = issue_create(title="水渠堵塞")
    issue_id = create["body"]["id"]
    assert central.push(wang, create)[0]["status"] == "applied"
    first = central.push(wang, issue_event(issue_id, "attach_photo", sha256=sha, width=64, height=48))[0]
    second = central.push(hu, issue_event(issue_id, "attach_photo", sha256=sha, width=64, height=48))[0]
    assert first["status"] == "applied"
    assert (second["status"], second["code"]) == ("rejected", "record.photo_twice")  # final: not sent forever
    assert _rows(central, "SELECT sha256 FROM record_photo WHERE record_id = :i", i=issue_id) == [(sha,)]
