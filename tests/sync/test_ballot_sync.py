"""The deputies' secret ballot through the central store: counted once, never linked to a deputy."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from docx import Document
from sqlalchemy import inspect, text
from sqlmodel import Session

from app.projects import (BALLOT, PROJECT, Ballot, Project, adopt_results, cast_vote, close_round, has_cast,
                          make_candidate, open_round)
from app.projects._sheet import result_sheet
from app.records import record_event
from app.reference import stable_id
from app.replica import signed_in_user
from app.settings import Settings
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone

DEPUTIES = ("deputy-wang", "deputy-li", "deputy-zhang")
SETTINGS = Settings(data_dir="data", secret_key="test-secret-key-0123456789")


def _actor(phone):
    with phone.session() as session:
        return signed_in_user(session).actor()


def _every_stored_text(engine) -> str:
    """Every value of every table of the central store, as text: what an admin with the database could read."""
    lines = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                lines.append(f"{table}: " + json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(lines)


def test_three_deputies_vote_on_their_phones_and_no_table_or_answer_links_a_choice_to_one(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        engine = central.state.engine
        async with asgi_http(central) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            phones = {code: await new_phone(tmp_path, code, code, transport) for code in DEPUTIES}
            second_phone = await new_phone(tmp_path, "li-tablet", "deputy-li", transport)
            roll = [stable_id("person", code) for code in DEPUTIES]
            with office.session() as session:
                me = _actor(office)
                names = ("村道硬化", "饮水工程维修", "文化广场路灯", "河道清淤")
                candidates = [make_candidate(session, actor=me, title=n, year=2027) for n in names]
                ballot = open_round(session, actor=me, title="2027年民生实事项目票决", year=2027,
                                    candidate_ids=[c.id for c in candidates], roll_ids=roll, to_choose=2)
                for person in roll:
                    record_event(session, BALLOT, actor=me, record_id=ballot.id, type_="check_in",
                                 payload={"person_id": person})
                record_event(session, BALLOT, actor=me, record_id=ballot.id, type_="open", payload={})
            assert (await office.client.sync_once()).ok
            for phone in (*phones.values(), second_phone):
                assert (await phone.client.sync_once()).ok
            road, water, lamp, river = (c.id for c in candidates)
            wanted = {"deputy-wang": {road: "for", water: "for", lamp: "against", river: "abstain"},
                      "deputy-li": {road: "for", water: "against", lamp: "for", river: "against"},
                      "deputy-zhang": {road: "for", water: "for", lamp: "abstain", river: "abstain"}}
            for code, phone in phones.items():
                with phone.session() as session:
                    cast_vote(session, actor=_actor(phone), ballot_id=ballot.id, choices=wanted[code])
                    assert has_cast(session, ballot.id)
            # 李秀英's tablet was offline: she votes again there, differently.
            with second_phone.session() as session:
                cast_vote(session, actor=_actor(second_phone), ballot_id=ballot.id,
                          choices={road: "against", water: "against", lamp: "against", river: "against"})
            for phone in phones.values():
                report = await phone.client.sync_once()
                assert report.ok and report.applied == 1 and not report.rejected
            twice = await second_phone.client.sync_once()
            assert [r.code for r in twice.rejected] == ["ballot.already_voted"]  # told, and not counted

            # No phone keeps the choices once the store counted them, not even the deputy's own.
            for phone in (*phones.values(), second_phone):
                with Session(phone.engine) as session:
                    outbox = session.exec(text("SELECT body FROM outbox WHERE kind = 'ballot.cast'")).all()
                    assert outbox and all("choices" not in json.loads(b) for (b,) in outbox)
            assert central_rows(engine, "SELECT voted, status FROM ballot") == [(3, "open")]
            # While the round is open nobody, the office included, sees a count.
            with Session(office.engine) as session:
                assert (await office.client.sync_once()).ok
                assert session.get(Ballot, ballot.id).results == {}

            # Secrecy: nothing the store holds puts a deputy beside a choice.
            stored = _every_stored_text(engine)
            for line in stored.splitlines():
                has_person = any(person in line for person in roll)
                has_choice = any(f'"{c}"' in line for c in ("for", "against", "abstain")) or "choices" in line
                assert not (has_person and has_choice), line
            assert "ballot_voter" in stored and "ballot_count" in stored
            rows = central_rows(engine, "SELECT result FROM applied_mutation WHERE kind = 'ballot.cast'")
            assert len(rows) == 4 and all("for" not in str(r) and "against" not in str(r) for r in rows)

            with office.session() as session:
                close_round(session, actor=_actor(office), ballot_id=ballot.id)
            for phone in (office, *phones.values()):
                assert (await phone.client.sync_once()).ok
            with office.session() as session:
                closed = session.get(Ballot, ballot.id)
                assert closed.status == "closed"
                assert closed.results[road] == {"for": 3, "against": 0, "abstain": 0}
                assert closed.results[lamp] == {"for": 1, "against": 1, "abstain": 1}
                # 2 of 3 deputies is more than half: 村道硬化 (3) and 饮水工程维修 (2) pass, two places.
                assert set(closed.chosen_ids) == {road, water} and closed.tie_ids == []
                adopted = adopt_results(session, actor=_actor(office), ballot_id=ballot.id)
                assert set(adopted) == {road, water}
                sheet = result_sheet(session, closed, SETTINGS)
            assert (await office.client.sync_once()).ok
            assert central_rows(engine, "SELECT status FROM project WHERE id = :id", id=road) == [("chosen",)]
            assert central_rows(engine, "SELECT status FROM project WHERE id = :id", id=lamp) == [("not_chosen",)]
            with phones["deputy-wang"].session() as session:
                assert (await phones["deputy-wang"].client.sync_once()).ok
                assert session.get(Project, road).status == "chosen"
                assert session.get(Ballot, ballot.id).results[road]["for"] == 3  # counts only, for everyone
            return sheet

    sheet = asyncio.run(main())
    path = tmp_path / "sheet.docx"
    path.write_bytes(sheet)
    document = Document(str(path))
    text_ = "\n".join(p.text for p in document.paragraphs)
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert "应到代表3名，实到3名" in text_ and "确定民生实事项目2个" in text_
    assert ["村道硬化", "3", "0", "0", "当选"] in cells and ["文化广场路灯", "1", "1", "1", "未当选"] in cells


def test_a_rating_round_counts_satisfaction_anonymously_and_refuses_a_vote_outside_it(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            li = await new_phone(tmp_path, "li", "deputy-li", transport)
            roll = [stable_id("person", "deputy-wang"), stable_id("person", "deputy-li")]
            with office.session() as session:
                me = _actor(office)
                project = make_candidate(session, actor=me, title="村道硬化", year=2026, end_date=date(2026, 12, 31))
                rating = open_round(session, actor=me, title="2026年民生实事项目年中满意度测评", year=2026,
                                    candidate_ids=[project.id], roll_ids=roll, purpose="rating")
                for person in roll:
                    record_event(session, BALLOT, actor=me, record_id=rating.id, type_="check_in",
                                 payload={"person_id": person})
            assert (await office.client.sync_once()).ok
            assert (await wang.client.sync_once()).ok
            # Not open yet: a rating outside a rating round's time is refused by the phone itself...
            from app.errors import DomainError

            with wang.session() as session:
                try:
                    cast_vote(session, actor=_actor(wang), ballot_id=rating.id, choices={project.id: "satisfied"})
                    raise AssertionError("a rating before the round opened was taken")
                except DomainError as refusal:
                    assert refusal.code == "ballot.not_open"
            with office.session() as session:
                record_event(session, BALLOT, actor=_actor(office), record_id=rating.id, type_="open", payload={})
            assert (await office.client.sync_once()).ok
            for phone, choice in ((wang, "satisfied"), (li, "basic")):
                assert (await phone.client.sync_once()).ok
                with phone.session() as session:
                    cast_vote(session, actor=_actor(phone), ballot_id=rating.id, choices={project.id: choice})
                assert (await phone.client.sync_once()).ok
            with office.session() as session:
                close_round(session, actor=_actor(office), ballot_id=rating.id)
            assert (await office.client.sync_once()).ok and (await office.client.sync_once()).ok
            with office.session() as session:
                assert session.get(Ballot, rating.id).results[project.id] == {"satisfied": 1, "basic": 1,
                                                                              "unsatisfied": 0}
            # ...and by the store: a ballot sent to a closed round (a phone that was offline) is not counted.
            with li.session() as session:
                from app.projects import CastBody
                from app.records import queue

                body = CastBody(id=stable_id("cast", "late"), record_id=rating.id,
                                choices={project.id: "unsatisfied"})
                queue(session, "ballot.cast", body.model_dump(mode="json"), record_kind="ballot",
                      record_id=rating.id, event_id="")
                session.commit()
            late = await li.client.sync_once()
            assert [r.code for r in late.rejected] == ["ballot.not_open"]

    asyncio.run(main())


def test_no_row_order_or_transaction_mark_of_the_counts_tells_what_one_ballot_added(central, tmp_path):
    async def main():
        async with asgi_http(central.app) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            li = await new_phone(tmp_path, "li", "deputy-li", transport)
            roll = [stable_id("person", "deputy-wang"), stable_id("person", "deputy-li")]
            with office.session() as session:
                me = _actor(office)
                candidates = [make_candidate(session, actor=me, title=t, year=2027).id for t in ("甲", "乙", "丙")]
                ballot = open_round(session, actor=me, title="票决", year=2027, candidate_ids=candidates,
                                    roll_ids=roll, to_choose=1)
                for person in roll:
                    record_event(session, BALLOT, actor=me, record_id=ballot.id, type_="check_in",
                                 payload={"person_id": person})
                record_event(session, BALLOT, actor=me, record_id=ballot.id, type_="open", payload={})
            assert (await office.client.sync_once()).ok
            for phone, first in ((wang, "for"), (li, "against")):
                assert (await phone.client.sync_once()).ok
                with phone.session() as session:
                    cast_vote(session, actor=_actor(phone), ballot_id=ballot.id,
                              choices={c: first if i == 0 else "abstain" for i, c in enumerate(candidates)})
                assert (await phone.client.sync_once()).ok
                # Every count of the round exists from the first ballot on, and each ballot rewrote all of them.
                rows = central_rows(central.engine, "SELECT count(*) FROM ballot_count WHERE ballot_id = :b",
                                    b=ballot.id)
                assert rows == [(9,)]
                if central.backend == "postgres":
                    marks = central_rows(central.engine, "SELECT count(DISTINCT xmin::text) FROM ballot_count "
                                                         "WHERE ballot_id = :b", b=ballot.id)
                    assert marks == [(1,)]

    asyncio.run(main())
