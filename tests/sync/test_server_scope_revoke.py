"""Scope ends: a department an issue is assigned away from is told so, its phones drop their copy,
and an issue assigned back is sent again whole."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlmodel import select

from app.issues import Issue, timeline
from app.records import RecordEvent, RecordPhoto
from tests.sync.conftest import department, issue_create, issue_event, jpeg
from tests.sync.phones import asgi_http, new_phone


def _of_issue(changes, issue_id: str) -> list[dict]:
    """The record changes of one issue (the issue row, its events and photos)."""
    return [c for c in changes if (c["data"].get("id") if c["entity"] == "issue" else c["data"].get("record_id"))
            == issue_id and c["entity"] in ("issue", "event", "photo")]


def _revoked(changes) -> list[dict]:
    return [c["data"] for c in changes if c["entity"] == "revoked"]


def _server_events(central, issue_id: str) -> set[str]:
    with central.engine.connect() as conn:
        return set(conn.execute(text("SELECT id FROM record_event WHERE record_id = :i"), {"i": issue_id}).scalars())


def _local(phone, issue_id: str) -> tuple[Issue | None, list[RecordEvent], list[RecordPhoto]]:
    with phone.session() as session:
        return (session.get(Issue, issue_id), timeline(session, issue_id),
                list(session.exec(select(RecordPhoto).where(RecordPhoto.record_id == issue_id))))


def _assigned_to_water(central):
    """Deputy Wang's issue (a photo, a comment) assigned to the water station, and one more that stays there."""
    wang, office = central.login("deputy-wang"), central.login("office-ma")
    sha = central.upload(wang, jpeg(11))
    create = issue_create(category="water", photos=(sha,))
    issue_id = create["body"]["id"]
    other = issue_create(category="water", title="三组蓄水池漏水")
    central.push(wang, create, other, issue_event(issue_id, "comment", text="三组蓄水池见底"))
    central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"), text="请水利站查看"),
                 issue_event(other["body"]["id"], "assign", deadline="2030-12-31", department_id=department("water")))
    return issue_id, other["body"]["id"], sha


def test_the_department_an_issue_leaves_pulls_its_revocation_and_nothing_after(central):
    office, water, build = central.login("office-ma"), central.login("dept-water"), central.login("dept-build")
    issue_id, other_id, sha = _assigned_to_water(central)
    changes, water_cursor = central.pull_all(water)
    assert {c["data"]["id"] for c in changes if c["entity"] == "issue"} == {issue_id, other_id}
    assert _revoked(changes) == []
    _, office_cursor = central.pull_all(office)

    [moved] = central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("build"),
                                               text="改由村镇建设办处理"))
    [answer] = central.push(build, issue_event(issue_id, "respond", text="已派人查看"))
    assert moved["status"] == answer["status"] == "applied"

    later, water_cursor = central.pull_all(water, since=water_cursor)
    assert _revoked(later) == [{"entity": "issue", "id": issue_id}]
    assert _of_issue(later, issue_id) == []  # neither the re-assignment nor the answer
    [revocation] = [c for c in later if c["entity"] == "revoked"]
    assert moved["seq"] > revocation["seq"] > 0
    # Served like any change: in seq order, the same one change a page as all at once.
    everything, _ = central.pull_all(water)
    assert central.pull_all(water, limit=1)[0] == everything
    assert [c["seq"] for c in everything] == sorted(c["seq"] for c in everything)
    assert everything[-1] == revocation
    # Nobody else is sent it: the office still sees the issue, the deputy too.
    office_later, _ = central.pull_all(office, since=office_cursor)
    assert _revoked(office_later) == [] and len(_of_issue(office_later, issue_id)) == 4
    assert _revoked(central.pull_all(central.login("deputy-wang"))[0]) == []
    # The building station receives the issue with its whole history, photo included.
    received, build_cursor = central.pull_all(build)
    assert _revoked(received) == []
    assert {c["data"]["id"] for c in received if c["entity"] == "event"} == _server_events(central, issue_id)
    assert len(_server_events(central, issue_id)) == 5
    assert [c["data"]["sha256"] for c in received if c["entity"] == "photo"] == [sha]
    # Water may no longer act on it, nor fetch its photo.
    [refused] = central.push(water, issue_event(issue_id, "respond", text="已到现场"))
    assert (refused["status"], refused["code"]) == ("rejected", "scope.forbidden")
    assert central.client.get(f"/api/v1/blobs/{sha}", headers=water).status_code == 403

    # Given back to water: it is sent whole again, after its revocation; building's copy is revoked.
    [back] = central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"),
                                              text="仍由水利站处理"))
    again, _ = central.pull_all(water, since=water_cursor)
    assert _revoked(again) == []
    resent = _of_issue(again, issue_id)
    assert {c["data"]["id"] for c in resent if c["entity"] == "event"} == _server_events(central, issue_id)
    assert len(_server_events(central, issue_id)) == 6
    assert [c["data"]["sha256"] for c in resent if c["entity"] == "photo"] == [sha]
    assert min(c["seq"] for c in resent) > revocation["seq"]
    assert back["seq"] == max(c["seq"] for c in resent)
    build_later, _ = central.pull_all(build, since=build_cursor)
    assert _revoked(build_later) == [{"entity": "issue", "id": issue_id}]
    assert _of_issue(build_later, issue_id) == []
    assert central.push(water, issue_event(issue_id, "respond", text="已到现场"))[0]["status"] == "applied"


def test_a_revoked_issue_leaves_the_departments_phone_and_comes_back_whole(central, tmp_path):
    office, build = central.login("office-ma"), central.login("dept-build")
    issue_id, other_id, sha = _assigned_to_water(central)

    async def main():
        async with asgi_http(central.app) as http:
            # The water station's phone pulls both issues, and opens the photo.
            phone = await new_phone(tmp_path, "water", "dept-water", http)
            assert await phone.client.download_photo(sha)
            held = _local(phone, issue_id)
            central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("build"),
                                             text="改由村镇建设办处理"))
            central.push(build, issue_event(issue_id, "respond", text="已派人查看"))
            report = await phone.client.sync_once()
            assert report.ok, report
            gone, kept = _local(phone, issue_id), _local(phone, other_id)
            central.push(office, issue_event(issue_id, "assign", deadline="2030-12-31", department_id=department("water"),
                                             text="仍由水利站处理"))
            report = await phone.client.sync_once()
            assert report.ok, report
            return phone, held, gone, kept, _local(phone, issue_id)

    phone, held, gone, kept, back = asyncio.run(main())
    issue, events, photos = held
    assert issue is not None and issue.department_id == department("water")
    assert len(events) == 3 and [p.sha256 for p in photos] == [sha]
    # Assigned away: the issue, its events and its photo rows are gone; the photo file stays.
    assert gone == (None, [], [])
    assert phone.photos.has(sha)
    assert kept[0] is not None and len(kept[1]) == 2  # the issue still assigned to water stays
    # Given back: the whole timeline again, the building station's answer included.
    issue, events, photos = back
    assert issue is not None and issue.department_id == department("water") and issue.status == "assigned"
    assert {e.id for e in events} == _server_events(central, issue_id) and len(events) == 6
    assert [e.type for e in events][-3:] == ["assign", "respond", "assign"]
    assert all(e.server_seq is not None for e in events)
    assert [p.sha256 for p in photos] == [sha]
