"""Trainings and duty reports between replicas through the central store; who voted, published at the close."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlmodel import select

from app.duty import DutyReport, ReportCall, call_for_reports, submissions, submit_report
from app.projects import BALLOT, Ballot, close_round, cast_vote, make_candidate, open_round
from app.records import record_event
from app.replica import signed_in_user
from app.trainings import Training, confirm_attendance, plan_training, take_attendance
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone


def _actor(phone):
    with phone.session() as session:
        return signed_in_user(session).actor()


def test_attendance_offline_and_reports_reach_the_office_and_no_other_deputy(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            staff = await new_phone(tmp_path, "sun", "staff-sun", transport)
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            li = await new_phone(tmp_path, "li", "deputy-li", transport)
            with office.session() as session:
                training = plan_training(session, actor=_actor(office), title="联络站工作规范", day=date(2026, 3, 20),
                                         place="镇人大会议室", trainer="张主任",
                                         invited_ids=[_actor(wang).id, _actor(li).id])
                call = call_for_reports(session, actor=_actor(office), title="2026年度代表述职", year=2026,
                                        deadline=date(2026, 12, 20), person_ids=[_actor(wang).id, _actor(li).id])
            assert (await office.client.sync_once()).ok
            for phone in (staff, wang, li):
                assert (await phone.client.sync_once()).ok
            # In the meeting room without a signal: the staff ticks 王建华, 李秀英 confirms on her own phone.
            with staff.session() as session:
                take_attendance(session, actor=_actor(staff), training_id=training.id, present_ids=[_actor(wang).id])
            with li.session() as session:
                confirm_attendance(session, actor=_actor(li), training_id=training.id)
            with wang.session() as session:
                submit_report(session, actor=_actor(wang), call_id=call.id, title="王建华述职报告", text="一年来……")
            for phone in (staff, li, wang):
                report = await phone.client.sync_once()
                assert report.ok and not report.rejected
            assert (await office.client.sync_once()).ok
            with office.session() as session:
                held = session.get(Training, training.id)
                assert held.status == "held" and set(held.attended_ids) == {_actor(wang).id, _actor(li).id}
                asked = submissions(session, session.get(ReportCall, call.id))
                assert [(s.person.name, s.submitted) for s in asked] == [("王建华", True), ("李秀英", False)]
                assert asked[0].report.year == 2026
            assert (await li.client.sync_once()).ok
            with li.session() as session:
                assert session.exec(select(DutyReport)).all() == []  # another deputy's report is not hers to read
            assert central_rows(central.state.engine, "SELECT year, status FROM duty_report") == [(2026, "submitted")]

    asyncio.run(main())


def test_a_closed_round_names_who_voted_in_sorted_order_and_nothing_of_how(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            deputies = {code: await new_phone(tmp_path, code, code, transport)
                        for code in ("deputy-wang", "deputy-li", "deputy-zhang")}
            roll = [_actor(p).id for p in deputies.values()]
            with office.session() as session:
                me = _actor(office)
                road = make_candidate(session, actor=me, title="村道硬化", year=2026)
                ballot = open_round(session, actor=me, title="票决", year=2026, candidate_ids=[road.id],
                                    roll_ids=roll, to_choose=1)
                for person in roll:
                    record_event(session, BALLOT, actor=me, record_id=ballot.id, type_="check_in",
                                 payload={"person_id": person})
                record_event(session, BALLOT, actor=me, record_id=ballot.id, type_="open", payload={})
            assert (await office.client.sync_once()).ok
            for code in ("deputy-zhang", "deputy-wang"):  # 李秀英 does not vote
                phone = deputies[code]
                assert (await phone.client.sync_once()).ok
                with phone.session() as session:
                    cast_vote(session, actor=_actor(phone), ballot_id=ballot.id, choices={road.id: "for"})
                assert (await phone.client.sync_once()).ok
            with office.session() as session:
                assert (await office.client.sync_once()).ok
                assert session.get(Ballot, ballot.id).voter_ids == []  # nothing while the round is open
                close_round(session, actor=me, ballot_id=ballot.id)
            assert (await office.client.sync_once()).ok
            with office.session() as session:
                closed = session.get(Ballot, ballot.id)
            voted = sorted([_actor(deputies["deputy-wang"]).id, _actor(deputies["deputy-zhang"]).id])
            assert closed.voter_ids == voted and closed.results[road.id]["for"] == 2

    asyncio.run(main())
