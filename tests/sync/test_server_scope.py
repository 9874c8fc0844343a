"""Scope: a deputy's token reaches their own station's issues and nothing else, on every endpoint;
a department sees what is assigned to it, and the whole of it."""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from tests.sync.conftest import department, issue_create, issue_event, jpeg


def _issue_ids(changes) -> set[str]:
    return {c["data"]["id"] for c in changes if c["entity"] == "issue"}


def _event_ids(changes) -> set[str]:
    return {c["data"]["id"] for c in changes if c["entity"] == "event"}


def test_a_deputy_cannot_create_an_issue_in_another_station(central):
    wang = central.login("deputy-wang")  # 桔园片区
    before = central.snapshot()
    [result] = central.push(wang, issue_create(station="qixing"))
    assert (result["status"], result["code"]) == ("rejected", "scope.forbidden")
    after = central.snapshot()
    assert {k: v for k, v in after.items() if k != "applied_mutation"} == \
        {k: v for k, v in before.items() if k != "applied_mutation"}


def test_a_deputy_cannot_act_on_another_stations_issue(central):
    li, wang = central.login("deputy-li"), central.login("deputy-wang")
    theirs = issue_create(station="qixing", title="砖厂粉尘较大")
    central.push(li, theirs)
    before = central.snapshot()
    comment = issue_event(theirs["body"]["id"], "comment", text="我也看到了")
    [result] = central.push(wang, comment)
    assert (result["status"], result["code"]) == ("rejected", "scope.forbidden")
    after = central.snapshot()
    assert {k: v for k, v in after.items() if k != "applied_mutation"} == \
        {k: v for k, v in before.items() if k != "applied_mutation"}
    with central.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM record_event WHERE id = :i"),
                            {"i": comment["body"]["id"]}).scalar_one() == 0


def test_a_deputys_pull_holds_their_station_and_nothing_of_another(central):
    li, wang, hu = central.login("deputy-li"), central.login("deputy-wang"), central.login("staff-hu")
    theirs, ours = issue_create(station="qixing"), issue_create(station="juyuan")
    central.push(li, theirs)
    central.push(hu, ours)  # station staff of 桔园 recorded it: the 桔园 deputy sees it too
    changes, _ = central.pull_all(wang)
    assert _issue_ids(changes) == {ours["body"]["id"]}
    assert all(c["data"].get("record_id") != theirs["body"]["id"] for c in changes)
    # Reference data goes to everyone; people's phone numbers to no one.
    entities = {c["entity"] for c in changes}
    assert {"station", "department", "category", "person"} <= entities
    people = [c["data"] for c in changes if c["entity"] == "person"]
    assert len(people) == 19 and all("phone" not in p for p in people)


def test_a_deputy_cannot_download_another_stations_photo(central):
    li, wang = central.login("deputy-li"), central.login("deputy-wang")
    photo = jpeg(7)
    sha = central.upload(li, photo)
    central.push(li, issue_create(station="qixing", photos=(sha,)))
    response = central.client.get(f"/api/v1/blobs/{sha}", headers=wang)
    assert response.status_code == 403
    assert response.json()["code"] == "scope.forbidden"
    own = central.client.get(f"/api/v1/blobs/{sha}", headers=li)
    assert own.status_code == 200 and own.content == photo
    assert own.headers["content-type"] == "image/jpeg"
    office = central.client.get(f"/api/v1/blobs/{sha}", headers=central.login("office-ma"))
    assert office.status_code == 200


def test_a_photo_no_visible_issue_holds_is_not_found(central):
    wang = central.login("deputy-wang")
    sha = central.upload(wang, jpeg(3))
    response = central.client.get(f"/api/v1/blobs/{sha}", headers=wang)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    unknown = central.client.get(f"/api/v1/blobs/{hashlib.sha256(b'x').hexdigest()}", headers=wang)
    assert unknown.status_code == 404


def test_a_department_sees_only_what_is_assigned_to_it(central):
    wang, office = central.login("deputy-wang"), central.login("office-ma")
    water, build = central.login("dept-water"), central.login("dept-build")
    to_water, to_build, unassigned = issue_create(category="water"), issue_create(), issue_create()
    central.push(wang, to_water, to_build, unassigned)
    central.push(office, issue_event(to_water["body"]["id"], "assign", deadline="2030-12-31", department_id=department("water")),
                 issue_event(to_build["body"]["id"], "assign", deadline="2030-12-31", department_id=department("build")))
    water_changes, _ = central.pull_all(water)
    assert _issue_ids(water_changes) == {to_water["body"]["id"]}
    assert _issue_ids(central.pull_all(build)[0]) == {to_build["body"]["id"]}
    # A department may not act on another's issue.
    [result] = central.push(water, issue_event(to_build["body"]["id"], "respond", text="已查看"))
    assert (result["status"], result["code"]) == ("rejected", "scope.forbidden")


def test_a_department_receives_the_whole_issue_when_it_is_assigned_later(central):
    wang, office, water = central.login("deputy-wang"), central.login("office-ma"), central.login("dept-water")
    sha = central.upload(wang, jpeg(5))
    create = issue_create(category="water", photos=(sha,))
    issue_id = create["body"]["id"]
    central.push(wang, create, issue_event(issue_id, "comment", text="三组蓄水池见底"))
    # The department pulls before the assignment: nothing of the issue.
    changes, cursor = central.pull_all(water)
    assert _issue_ids(changes) == set()
    # Much later the office assigns it; the department's cursor is past the issue's first changes.
    central.push(office, issue_event(issue_id, "classify", category_id=create["body"]["category_id"]))
    _, office_cursor = central.pull_all(office)
    [assign] = central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"),
                                                text="请水利站查看"))
    later, _ = central.pull_all(water, since=cursor)
    assert _issue_ids(later) == {issue_id}
    with central.engine.connect() as conn:
        all_events = set(conn.execute(text("SELECT id FROM record_event WHERE record_id = :i"),
                                      {"i": issue_id}).scalars())
    assert _event_ids(later) == all_events and len(all_events) == 4
    assert [c["data"]["sha256"] for c in later if c["entity"] == "photo"] == [sha]
    # The issue row comes before its events, so a phone can store them in order.
    first_issue = min(c["seq"] for c in later if c["entity"] == "issue")
    assert all(c["seq"] > first_issue for c in later if c["entity"] in ("event", "photo"))
    assert central.client.get(f"/api/v1/blobs/{sha}", headers=water).status_code == 200
    # The re-sent history goes to that department only, not again to everyone else.
    office_later, _ = central.pull_all(office, since=office_cursor)
    assert [c["entity"] for c in office_later] == ["issue", "event"]
    assert office_later[-1]["seq"] == assign["seq"]
    # Now it may respond.
    assert central.push(water, issue_event(issue_id, "respond", text="已到现场"))[0]["status"] == "applied"


def test_office_sees_every_station(central):
    li, wang, office = central.login("deputy-li"), central.login("deputy-wang"), central.login("office-ma")
    a, b = issue_create(station="qixing"), issue_create(station="juyuan")
    central.push(li, a)
    central.push(wang, b)
    assert _issue_ids(central.pull_all(office)[0]) == {a["body"]["id"], b["body"]["id"]}
