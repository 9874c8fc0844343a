"""One issue through every state of the closed loop, three roles on their own replicas, synced through the server.

A deputy's phone raises it, the office PC triages and assigns it (with a co-handling
department), the lead department handles it, asks for more time, resolves it; the
deputy is not satisfied, so it goes back; resolved again, rated, and a look-back
confirms it. A duplicate raised by a deputy of another station is merged into it, and
that deputy then follows it. After every step the server and every replica agree.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlmodel import Session

from app.issues import Issue, Location, timeline
from app.reference import stable_id
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone

WATER, AGRI = stable_id("department", "water"), stable_id("department", "agri")
HERE = Location(latitude=33.1532, longitude=107.3321, accuracy_m=8, source="device")
NEARBY = Location(latitude=33.1540, longitude=107.3330, accuracy_m=10, source="device")  # ~120 m away


def _day(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _issue(phone, issue_id: str) -> Issue | None:
    with Session(phone.engine) as session:
        return session.get(Issue, issue_id)


def test_one_issue_through_every_state_with_three_replicas(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        engine = central.state.engine
        async with asgi_http(central) as transport:
            deputy = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            water = await new_phone(tmp_path, "water", "dept-water", transport)
            agri = await new_phone(tmp_path, "agri", "dept-agri", transport)
            other = await new_phone(tmp_path, "zhao", "deputy-zhao", transport)  # 石门片区: not Wang's station
            phones = (deputy, office, water, agri, other)

            async def sync(*which):
                """Every phone named (all, by default) sends, then every one pulls what the others sent."""
                for _ in range(2):
                    for phone in which or phones:
                        report = await phone.client.sync_once()
                        assert report.ok and not report.rejected, (phone.name, report)

            def everywhere(issue_id: str, status: str, *, seen_by=(deputy, office, water)):
                assert central_rows(engine, "SELECT status FROM issue WHERE id = :id", id=issue_id) == [(status,)]
                for phone in seen_by:
                    assert _issue(phone, issue_id).status == status, phone.name

            issue = deputy.capture(title="三组蓄水池漏水，抗旱用水不足", category="water", location=HERE)
            await sync(deputy, office)
            everywhere(issue.id, "new", seen_by=(deputy, office))

            # 分办 and 交办: urgent, to the water station with the agricultural station helping.
            office.act(issue.id, "classify", category_id=stable_id("category", "water"), urgency="urgent")
            office.act(issue.id, "assign", department_id=WATER, co_department_ids=[AGRI], deadline=_day(7),
                       text="请水利站牵头、农综站配合，七日内修复")
            await sync()
            everywhere(issue.id, "assigned", seen_by=(deputy, office, water, agri))
            assert _issue(water, issue.id).urgency == "urgent"
            assert _issue(other, issue.id) is None  # another station's deputy sees nothing of it

            # The departments handle it; the water station needs more time and the office agrees.
            water.act(issue.id, "acknowledge")
            agri.act(issue.id, "respond", text="协办：已调配抽水设备一台")
            water.act(issue.id, "request_extension", deadline=_day(14), text="需等防渗材料到货")
            await sync(water, agri, office)
            office.act(issue.id, "grant_extension", text="同意延期一周")
            await sync(office, water)
            assert _issue(water, issue.id).deadline == date.fromisoformat(_day(14))
            water.act(issue.id, "resolve", text="已完成蓄水池防渗处理")
            await sync()
            everywhere(issue.id, "resolved")

            # Not satisfied: back to the water station, on every replica.
            deputy.act(issue.id, "rate", satisfaction="unsatisfied", text="雨后又开始渗水")
            await sync()
            everywhere(issue.id, "assigned")
            assert _issue(office, issue.id).reopened == 1 and _issue(water, issue.id).resolved_at is None

            water.act(issue.id, "respond", text="重新做防渗层")
            water.act(issue.id, "resolve", text="防渗层重做，蓄水一周无渗漏")
            await sync()
            deputy.act(issue.id, "rate", satisfaction="satisfied", text="这次修好了")
            await sync()
            everywhere(issue.id, "rated")

            # A duplicate from another station's deputy, close by: merged, and its reporter follows the original.
            duplicate = other.capture(title="蓄水池漏水", category="water", location=NEARBY)
            await sync(other, office)
            with office.session() as session:
                from app.actors import Actor
                from app.issues import duplicate_candidates, mark_duplicate
                from app.models import Person

                candidates = duplicate_candidates(session, session.get(Issue, duplicate.id))
                assert [c.issue.id for c in candidates] == [issue.id] and 50 < candidates[0].distance_m < 300
                mark_duplicate(session, actor=Actor.of(session.get(Person, stable_id("person", "office-ma"))),
                               duplicate_id=duplicate.id, original_id=issue.id, text="同一蓄水池")
            await sync()
            assert _issue(other, issue.id).status == "rated"  # the follower now holds the original, whole
            with Session(other.engine) as session:
                assert [e.type for e in timeline(session, issue.id)][:3] == ["create", "classify", "assign"]
            assert _issue(other, duplicate.id).status == "merged"

            # 回头看 confirms the fix; the follower hears of it too.
            office.act(issue.id, "look_back", finding="confirmed", text="回头看：蓄水池无渗漏")
            await sync()
            everywhere(issue.id, "verified", seen_by=(deputy, office, water, agri, other))

    asyncio.run(main())


def test_the_server_refuses_what_a_role_or_the_state_does_not_allow(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            deputy = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            neighbour = await new_phone(tmp_path, "hu", "staff-hu", transport)  # the same station
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            build = await new_phone(tmp_path, "build", "dept-build", transport)
            issue = deputy.capture(title="村道边沟堵塞", category="roads")
            await deputy.client.sync_once()
            await office.client.sync_once()
            office.act(issue.id, "assign", department_id=stable_id("department", "water"), deadline=_day(5))
            await office.client.sync_once()
            # The construction office cannot act on an issue that is not theirs: the server never sent it.
            await build.client.sync_once()
            assert _issue(build, issue.id) is None
            # A rating by someone other than the reporting deputy: refused on the server too.
            await neighbour.client.sync_once()
            from app.issues import ISSUE, event_body
            from app.records import queue

            with neighbour.session() as session:
                body = event_body(issue_id=issue.id, type_="rate", payload={"satisfaction": "satisfied"})
                queue(session, ISSUE.event_mutation, body.model_dump(mode="json"), record_kind="issue",
                      record_id=issue.id, event_id=body.id)
                session.commit()
            report = await neighbour.client.sync_once()
            assert [r.code for r in report.rejected] == ["event.not_allowed_in_status"]  # not even resolved yet
            return issue

    asyncio.run(main())
