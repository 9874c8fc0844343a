from datetime import timedelta

import pytest
from sqlmodel import select

from app.clock import utcnow
from app.actors import Actor
from app.errors import DomainError
from app.issues import (Issue, IssueDraft, IssueQuery, PhotoRef, capture_issue as capture_as, count_issues,
                        list_issues, make_location, timeline)
from app.models import OutboxMutation
from app.records import RecordEvent, RecordPhoto
from app.reference import stable_id
from tests.factories import act, capture_issue

SHA = "ab" * 32


def test_capturing_an_issue_writes_it_its_timeline_and_the_outbox_at_once(session, township):
    wang = township["deputy-wang"]
    issue = capture_issue(session, wang, photos=(PhotoRef(sha256=SHA, width=1600, height=1200, byte_size=200_000),),
                          location=make_location(33.15, 107.33, 8, "device"))
    assert issue.status == "new"
    assert issue.station_id == wang.station_id
    assert issue.location_source == "device" and issue.accuracy_m == 8
    events = timeline(session, issue.id)
    assert [e.type for e in events] == ["create"]
    assert events[0].payload["photos"] == [SHA]  # the photo's hash is evidence in the timeline
    assert events[0].payload["category_id"] == issue.category_id  # what a refused classify folds back to
    assert session.exec(select(RecordPhoto)).one().sha256 == SHA
    mutation = session.exec(select(OutboxMutation)).one()
    assert mutation.kind == "issue.create" and mutation.body["id"] == issue.id and mutation.state == "pending"


def test_an_empty_title_saves_nothing(session, township):
    with pytest.raises(DomainError) as refusal:
        capture_issue(session, township["deputy-wang"], title="   ")
    assert refusal.value.code == "issue.title_required" and refusal.value.field == "title"
    session.rollback()
    assert session.exec(select(Issue)).all() == []
    assert session.exec(select(OutboxMutation)).all() == []


def test_a_ten_thousand_character_description_is_kept_whole(session, township):
    text = ("柑桔园红蜘蛛虫害" * 1250)[:10_000]
    issue = capture_issue(session, township["deputy-wang"], description=text)
    session.expire_all()
    assert session.get(Issue, issue.id).description == text


@pytest.mark.parametrize("lat,lon,code", [
    (91, 100, "location.latitude_range"), (-90.5, 0, "location.latitude_range"),
    (30, 180.01, "location.longitude_range"), (30, -181, "location.longitude_range"),
    ("北纬", 100, "location.latitude_not_number"), (float("nan"), 100, "location.latitude_not_number"),
])
def test_coordinates_outside_the_earth_are_refused(lat, lon, code):
    with pytest.raises(DomainError) as refusal:
        make_location(lat, lon)
    assert refusal.value.code == code


def test_location_is_optional(session, township):
    issue = capture_issue(session, township["deputy-wang"], location=None)
    assert issue.latitude is None and issue.location_source == "none"


def test_an_unknown_category_is_refused(session, township):
    with pytest.raises(DomainError) as refusal:
        capture_issue(session, township["deputy-wang"], category_id=stable_id("category", "nope"))
    assert refusal.value.code == "issue.unknown_category"


def test_status_follows_the_timeline(session, township):
    issue = capture_issue(session, township["deputy-wang"])
    act(session, township["office-ma"], issue.id, "assign", deadline="2030-12-31", department_id=stable_id("department", "build"),
        text="请村镇建设办评估")
    act(session, township["dept-build"], issue.id, "respond", text="已勘察")
    assert session.get(Issue, issue.id).status == "in_progress"
    act(session, township["dept-build"], issue.id, "resolve", text="已修复")
    act(session, township["deputy-wang"], issue.id, "rate", score=4)
    issue = session.get(Issue, issue.id)
    assert (issue.status, issue.rating) == ("rated", 4)
    assert len(session.exec(select(OutboxMutation)).all()) == 5


def test_a_forbidden_event_changes_nothing(session, township):
    issue = capture_issue(session, township["deputy-wang"])
    with pytest.raises(DomainError):
        act(session, township["deputy-wang"], issue.id, "resolve", text="自己办结")
    session.rollback()
    assert [e.type for e in session.exec(select(RecordEvent))] == ["create"]
    assert len(session.exec(select(OutboxMutation)).all()) == 1


def test_assigning_to_an_unknown_department_is_refused(session, township):
    issue = capture_issue(session, township["deputy-wang"])
    with pytest.raises(DomainError) as refusal:
        act(session, township["office-ma"], issue.id, "assign", deadline="2030-12-31", department_id=stable_id("department", "x"))
    assert refusal.value.code == "event.unknown_department"


def _many(session, person, n):
    base = utcnow() - timedelta(days=n)
    for i in range(n):
        capture_as(session, actor=Actor.of(person), created_at=base + timedelta(minutes=i),
                   draft=IssueDraft(title=f"问题{i:05d}", category_id=stable_id("category", "roads" if i % 2 else "water"),
                                    place_name="枣园村" if i % 3 == 0 else "七星村"))


def test_the_list_pages_newest_first_without_gaps_or_repeats(session, township):
    _many(session, township["deputy-wang"], 95)
    seen, cursor = [], None
    while True:
        page = list_issues(session, IssueQuery(), after=cursor, limit=30)
        seen += [i.title for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"问题{i:05d}" for i in reversed(range(95))]


def test_the_list_filters_and_searches(session, township):
    _many(session, township["deputy-wang"], 30)
    roads = list_issues(session, IssueQuery(category_id=stable_id("category", "roads")), limit=100).items
    assert len(roads) == 15 and all(i.category_id == stable_id("category", "roads") for i in roads)
    found = list_issues(session, IssueQuery(text="枣园"), limit=100).items
    assert len(found) == 10
    both = list_issues(session, IssueQuery(text="枣园 问题00003"), limit=100).items
    assert [i.title for i in both] == ["问题00003"]
    assert list_issues(session, IssueQuery(text="100%"), limit=100).items == []
    assert count_issues(session, IssueQuery(status="new")) == 30
    other_station = list_issues(session, IssueQuery(station_id=stable_id("station", "shimen"))).items
    assert other_station == []


def test_the_list_of_ten_thousand_issues_reads_a_page_through_an_index(session, township, engine):
    from sqlalchemy import text as sql

    rows = [{"id": f"00000000-0000-7000-8000-{i:012d}", "t": f"问题{i}", "c": f"2026-01-01 00:{i // 600:02d}:{i % 60:02d}",
             "s": "new" if i % 3 else "assigned"} for i in range(10_000)]
    session.exec(sql("INSERT INTO issue (id, title, description, place_type, place_name, location_source, source, "
                     "created_at, status, updated_at, search_text) VALUES "
                     "(:id, :t, '', 'other', '', 'none', 'visit', :c, :s, :c, :t)").bindparams(), params=rows)
    session.commit()
    page = list_issues(session, IssueQuery(status="assigned"), limit=30)
    assert len(page.items) == 30 and page.next_cursor is not None
    # No full sort of the table for "newest first", with or without a filter: an index serves the order.
    from sqlmodel import col
    for query in (IssueQuery(), IssueQuery(status="assigned")):
        stmt = select(Issue).order_by(col(Issue.created_at).desc(), col(Issue.id).desc()).limit(31)
        if query.status:
            stmt = stmt.where(Issue.status == query.status)
        compiled = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in session.exec(sql("EXPLAIN QUERY PLAN " + compiled)).all())
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_a_refused_classify_folds_back_to_the_category_the_issue_was_recorded_with(session, township):
    from app.issues import refresh_state
    from app.models import OutboxMutation
    from app.outbox import record_result

    issue = capture_issue(session, township["deputy-wang"])  # 道路交通
    act(session, township["office-ma"], issue.id, "classify", category_id=stable_id("category", "water"))
    assert session.get(Issue, issue.id).category_id == stable_id("category", "water")
    classify = session.exec(select(OutboxMutation).where(OutboxMutation.kind == "issue.event")).one()
    record_result(session, classify, status="rejected", code="event.not_allowed_in_status", reason="…")
    session.commit()
    refresh_state(session, session.get(Issue, issue.id))
    assert session.get(Issue, issue.id).category_id == stable_id("category", "roads")
