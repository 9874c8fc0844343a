"""History is never judged again: moving a department's clerk leaves what they resolved resolved everywhere."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from app.issues import Issue
from app.reference import stable_id
from app.records import timeline
from sync.server.auth import move_user
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone


def _status(phone, issue_id: str) -> str:
    with Session(phone.engine) as session:
        return session.get(Issue, issue_id).status


def test_moving_the_clerk_who_resolved_an_issue_leaves_it_resolved_on_phone_office_pc_and_server(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        engine = central.state.engine
        async with asgi_http(central) as transport:
            deputy = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            clerk = await new_phone(tmp_path, "he", "dept-water", transport)

            issue = deputy.capture(title="三组蓄水池漏水", category="water")
            assert (await deputy.client.sync_once()).ok
            assert (await office.client.sync_once()).ok
            office.act(issue.id, "assign", deadline="2030-12-31", department_id=stable_id("department", "water"), text="请水利站办理")
            assert (await office.client.sync_once()).ok
            assert (await clerk.client.sync_once()).ok
            clerk.act(issue.id, "resolve", text="已补漏，恢复蓄水")
            assert (await clerk.client.sync_once()).ok

            # The water station's clerk moves to agriculture; the office then writes on the issue, so the
            # server and every replica fold its timeline again, with the clerk now in another department.
            move_user(engine, "dept-water", department="agri")
            office.act(issue.id, "comment", text="请代表评价")
            for phone in (office, deputy):
                assert (await phone.client.sync_once()).ok

            assert central_rows(engine, "SELECT status FROM issue WHERE id = :id", id=issue.id) == [("resolved",)]
            assert _status(office, issue.id) == "resolved"
            assert _status(deputy, issue.id) == "resolved"
            # The event says who the clerk was when they resolved it.
            with Session(office.engine) as session:
                resolve = next(e for e in timeline(session, issue.id) if e.type == "resolve")
            assert resolve.actor_department_id == stable_id("department", "water")
            # And the deputy can still rate it: it is resolved by the rules as well as in the list.
            deputy.act(issue.id, "rate", score=5, text="满意")
            report = await deputy.client.sync_once()
            assert report.ok and not report.rejected
            assert central_rows(engine, "SELECT status FROM issue WHERE id = :id", id=issue.id) == [("rated",)]

    asyncio.run(main())
