"""Two devices that worked on the same issue offline both sync: both timelines hold both events; a refused one is shown to its author."""

from __future__ import annotations

import asyncio

from app.issues import Issue, timeline
from app.outbox import SyncOutcome, read_status
from app.reference import stable_id
from tests.sync.phones import asgi_http, make_central, new_phone


def test_faults_two_devices_offline_on_one_issue_converge_and_refusal_reaches_its_author(tmp_path):
    central = make_central(tmp_path / "central")

    async def main():
        async with asgi_http(central) as http:
            wang = await new_phone(tmp_path, "wang", "deputy-wang", http)  # 桔园片区 deputy
            # The same deputy's tablet: the rating is his to give, from whichever device.
            hu = await new_phone(tmp_path, "tablet", "deputy-wang", http)
            office = await new_phone(tmp_path, "office", "office-ma", http)
            build = await new_phone(tmp_path, "build", "dept-build", http)

            # The loop up to "resolved", each step synced by the one who did it.
            issue = wang.capture(title="村道边沟堵塞，雨天漫水", category="roads")
            assert (await wang.client.sync_once()).ok
            assert (await office.client.sync_once()).ok
            office.act(issue.id, "assign", deadline="2030-12-31", department_id=stable_id("department", "build"), text="请村镇建设办处理")
            assert (await office.client.sync_once()).ok
            assert (await build.client.sync_once()).ok
            build.act(issue.id, "resolve", text="已清理边沟二百米")
            assert (await build.client.sync_once()).ok
            assert (await wang.client.sync_once()).ok and (await hu.client.sync_once()).ok

            # Out in the village, no signal: both record on the same issue.
            wang_comment = wang.act(issue.id, "comment", text="群众反映清理及时")
            wang_rate = wang.act(issue.id, "rate", satisfaction="satisfied", text="满意")
            hu_comment = hu.act(issue.id, "comment", text="建议加装盖板")
            hu_rate = hu.act(issue.id, "rate", satisfaction="basic", text="基本满意")

            first = await wang.client.sync_once()
            second = await hu.client.sync_once()
            again = await wang.client.sync_once()  # pulls what hu sent
            return wang, hu, issue, (wang_comment, wang_rate, hu_comment, hu_rate), (first, second, again)

    wang, hu, issue, events, reports = asyncio.run(main())
    wang_comment, wang_rate, hu_comment, hu_rate = events
    first, second, again = reports
    assert first.outcome is SyncOutcome.OK and first.applied == 2 and not first.rejected
    assert second.outcome is SyncOutcome.OK and second.applied == 1
    # The second rating came too late: the issue was rated by then. Refused, and said so.
    [refused] = second.rejected
    assert refused.event_id == hu_rate.id and refused.code == "event.not_allowed_in_status"
    assert refused.title == "村道边沟堵塞，雨天漫水" and refused.reason

    accepted_ids = {wang_comment.id, wang_rate.id, hu_comment.id}
    orders = []
    for phone in (wang, hu):
        with phone.session() as session:
            line = timeline(session, issue.id)
            accepted = [e for e in line if e.rejected_code is None]
            assert accepted_ids <= {e.id for e in accepted}
            assert all(e.server_seq is not None for e in accepted)
            orders.append([e.id for e in accepted])
            stored = session.get(Issue, issue.id)
            assert stored.status == "rated" and stored.satisfaction == "satisfied"
            marked = {e.id: e.rejected_code for e in line if e.rejected_code}
            assert marked == {hu_rate.id: "event.not_allowed_in_status"}
    assert orders[0] == orders[1]  # one global order on both devices

    with hu.session() as session:
        status = read_status(session)
        assert status.pending_mutations == 0
        assert [r.event_id for r in status.rejected] == [hu_rate.id]
        assert status.rejected[0].event_type == "rate"
    with wang.session() as session:
        assert read_status(session).rejected == ()  # refused on the tablet, which sent it, not on the phone
    central.state.engine.dispose()
