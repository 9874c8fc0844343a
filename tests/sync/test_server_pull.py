"""Pull: pages of whole records after a cursor, in the server's order."""

from __future__ import annotations

from datetime import datetime

from tests.sync.conftest import issue_create, issue_event


def test_pull_pages_through_everything_with_more_and_the_cursor(central):
    wang = central.login("deputy-wang")
    creates = [issue_create(title=f"问题{i}") for i in range(5)]
    central.push(wang, *creates)
    everything, final = central.pull_all(wang, limit=1000)

    seen, since, pages = [], 0, 0
    while True:
        page = central.client.get("/api/v1/pull", params={"since": since, "limit": 7}, headers=wang).json()
        pages += 1
        assert len(page["changes"]) <= 7
        seen += page["changes"]
        if not page["more"]:
            assert page["cursor"] == final
            break
        assert len(page["changes"]) == 7 and page["cursor"] == page["changes"][-1]["seq"]
        since = page["cursor"]
    assert pages > 2
    assert seen == everything
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # Nothing new: an empty page at the same cursor.
    empty = central.client.get("/api/v1/pull", params={"since": final}, headers=wang).json()
    assert empty == {"changes": [], "cursor": final, "more": False}


def test_a_pull_carries_whole_records_with_times_in_iso_utc(central):
    wang = central.login("deputy-wang")
    create = issue_create(title="校门口缺少减速带")
    central.push(wang, create, issue_event(create["body"]["id"], "comment", text="上下学时段很危险"))
    changes, _ = central.pull_all(wang)
    issue = next(c["data"] for c in changes if c["entity"] == "issue")
    assert issue["title"] == "校门口缺少减速带"
    assert issue["status"] == "new"
    assert datetime.fromisoformat(issue["created_at"]).utcoffset().total_seconds() == 0
    events = [c for c in changes if c["entity"] == "event"]
    assert [e["data"]["type"] for e in events] == ["create", "comment"]
    assert all(e["data"]["server_seq"] == e["seq"] for e in events)
    assert events[1]["data"]["payload"] == {"text": "上下学时段很危险"}


def test_the_cursor_moves_past_changes_the_user_may_not_see(central):
    li, wang = central.login("deputy-li"), central.login("deputy-wang")
    _, cursor = central.pull_all(wang)
    central.push(li, *[issue_create(station="qixing") for _ in range(3)])
    page = central.client.get("/api/v1/pull", params={"since": cursor}, headers=wang).json()
    assert page["changes"] == [] and page["more"] is False
    assert page["cursor"] > cursor  # next time the search starts after them


def test_each_change_of_an_issue_sends_the_issue_as_it_now_is(central):
    wang, office = central.login("deputy-wang"), central.login("office-ma")
    create = issue_create()
    central.push(wang, create)
    _, cursor = central.pull_all(wang)
    central.push(office, issue_event(create["body"]["id"], "return", text="请补充照片"))
    changes, _ = central.pull_all(wang, since=cursor)
    assert [c["entity"] for c in changes] == ["issue", "event"]
    assert changes[0]["data"]["status"] == "returned"


def test_pull_refuses_a_bad_cursor_or_page_size(central):
    wang = central.login("deputy-wang")
    for params in ({"since": -1}, {"since": "abc"}, {"limit": 0}, {"limit": 100_000}):
        response = central.client.get("/api/v1/pull", params=params, headers=wang)
        assert response.status_code == 400, params
        assert response.json()["code"] == "request.malformed"
