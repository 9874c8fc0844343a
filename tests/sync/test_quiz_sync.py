"""The essential-knowledge quiz through the central store: taken offline, scored on sync, the key kept back."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from app.clock import utcnow
from app.errors import DomainError
from app.quiz import (Quiz, QuizAttempt, QuizQuestion, attempts_of, builtin_banks, close_quiz, draw, hand_in,
                      open_quiz, quiz_results, start_attempt)
from app.quiz import allow_retake
from app.replica import signed_in_user
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone


def _actor(phone):
    with phone.session() as session:
        return signed_in_user(session).actor()


def _every_text(engine) -> str:
    lines = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                lines.append(f"{table}: " + json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False))
    return "\n".join(lines)


def test_a_deputy_takes_the_quiz_offline_and_it_is_scored_when_it_syncs_without_the_key_on_the_phone(tmp_path):
    bank = builtin_banks()[0]
    answers_by_code = {q.id: list(q.answer) for q in bank.questions}

    async def main():
        central = make_central(tmp_path / "central")
        engine = central.state.engine
        async with asgi_http(central) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            li = await new_phone(tmp_path, "li", "deputy-li", transport)
            li_tablet = await new_phone(tmp_path, "li-tablet", "deputy-li", transport)
            with office.session() as session:
                pool = session.exec(select(QuizQuestion).where(QuizQuestion.bank_id == bank.id)).all()
                assert len(pool) == len(bank.questions)  # the questions came as reference data
                quiz = open_quiz(session, actor=_actor(office), title="2026年应知应会知识测试", bank_id=bank.id,
                                 question_count=10, time_limit_minutes=30, closes_at=utcnow() + timedelta(days=7),
                                 roll_ids=[_actor(wang).id, _actor(li).id])
                code_of = {q.id: q.code for q in pool}
            assert (await office.client.sync_once()).ok
            for phone in (wang, li, li_tablet):
                assert (await phone.client.sync_once()).ok

            # Offline on their phones: each draws their own questions and hands in.
            with wang.session() as session:
                sheet = start_attempt(session, actor=_actor(wang), quiz_id=quiz.id)
                assert len(sheet.questions) == 10
                right = {q.id: answers_by_code[code_of[q.id]] for q in sheet.questions}
                hand_in(session, actor=_actor(wang), sheet=sheet, answers=right)
                assert attempts_of(session, quiz.id, _actor(wang).id)[0].score is None  # not scored on the phone
                with pytest.raises(DomainError) as second:
                    start_attempt(session, actor=_actor(wang), quiz_id=quiz.id)
                assert second.value.code == "quiz.no_retake"
            with li.session() as session:
                li_sheet = start_attempt(session, actor=_actor(li), quiz_id=quiz.id)
                assert li_sheet.question_ids != sheet.question_ids  # drawn per deputy
                half = {q.id: answers_by_code[code_of[q.id]] for q in li_sheet.questions[:5]}
                half |= {q.id: ["Z"] for q in li_sheet.questions[5:6]}
            with li.session() as session, pytest.raises(DomainError) as bad:
                hand_in(session, actor=_actor(li), sheet=li_sheet, answers=half)
            assert bad.value.code == "quiz.bad_answer"
            half.pop(li_sheet.questions[5].id)
            with li.session() as session:
                hand_in(session, actor=_actor(li), sheet=li_sheet, answers=half)
            # The same attempt handed in again from 李秀英's tablet, offline too.
            with li_tablet.session() as session:
                tablet_sheet = start_attempt(session, actor=_actor(li_tablet), quiz_id=quiz.id)
                assert tablet_sheet.question_ids == li_sheet.question_ids  # the same draw on every device
                hand_in(session, actor=_actor(li_tablet), sheet=tablet_sheet, answers={})

            # Nothing on a deputy's phone holds the key while the quiz is open.
            for phone in (wang, li):
                stored = _every_text(phone.engine)
                assert '"answer"' not in stored
                with phone.session() as session:
                    assert session.get(Quiz, quiz.id).key == {}
                    assert "answer" not in QuizQuestion.model_fields
            for phone in (wang, li):
                report = await phone.client.sync_once()
                assert report.ok and not report.rejected
            twice = await li_tablet.client.sync_once()
            assert [r.code for r in twice.rejected] == ["quiz.already_submitted"]
            with wang.session() as session:
                assert attempts_of(session, quiz.id, _actor(wang).id)[0].score == 100
            with li.session() as session:
                mine = attempts_of(session, quiz.id, _actor(li).id)[0]
                assert (mine.score, mine.correct, mine.total) == (50, 5, 10)
                assert session.get(Quiz, quiz.id).key == {}  # still open: no key
            assert '"answer"' not in _every_text(li.engine)
            assert central_rows(engine, "SELECT score FROM quiz_attempt ORDER BY score") == [(50,), (100,)]

            # The office allows 李秀英 a retake; her second attempt draws new questions.
            with office.session() as session:
                allow_retake(session, actor=_actor(office), quiz_id=quiz.id, person_id=_actor(li).id)
            assert (await office.client.sync_once()).ok
            assert (await li.client.sync_once()).ok
            with li.session() as session:
                again = start_attempt(session, actor=_actor(li), quiz_id=quiz.id)
                assert again.attempt == 2 and again.question_ids == draw(quiz.id, _actor(li).id, 2,
                                                                         quiz.question_ids, 10)
                # Too late: handed in 40 minutes after starting, with a 30-minute limit.
                with pytest.raises(DomainError) as late:
                    hand_in(session, actor=_actor(li), sheet=again, answers={},
                            now=again.started_at + timedelta(minutes=40))
                assert late.value.code == "quiz.time_up" and late.value.params == {"minutes": 30}

            # At the close the key comes to the phones, and the results per question can be read.
            with office.session() as session:
                close_quiz(session, actor=_actor(office), quiz_id=quiz.id)
            assert (await office.client.sync_once()).ok
            with office.session() as session:
                closed = session.get(Quiz, quiz.id)
                assert closed.status == "closed" and len(closed.key) == len(bank.questions)
                results = quiz_results(session, closed)
            assert results.attempts == 2 and results.takers == 2 and results.average == 75
            assert [(p.name, p.best) for p in results.people] == [("王建华", 100), ("李秀英", 50)]
            asked = {q.question_id: (q.asked, q.right) for q in results.questions}
            assert sum(a for a, _ in asked.values()) == 20 and sum(r for _, r in asked.values()) == 15
            assert (await wang.client.sync_once()).ok
            with wang.session() as session:
                assert session.get(Quiz, quiz.id).key[sheet.questions[0].id] == right[sheet.questions[0].id]
            # After the close nothing more is counted.
            assert (await li.client.sync_once()).ok
            with li.session() as session:
                with pytest.raises(DomainError) as closed_now:
                    start_attempt(session, actor=_actor(li), quiz_id=quiz.id)
            assert closed_now.value.code == "quiz.closed"

    asyncio.run(main())


def test_a_pull_of_an_open_quiz_carries_questions_without_answers_and_the_close_carries_the_key(tmp_path):
    """What the API answers: the questions' fields only, no key while open; the close event carries it."""
    import httpx

    bank = builtin_banks()[0]

    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            with office.session() as session:
                quiz = open_quiz(session, actor=_actor(office), title="测试", bank_id=bank.id, question_count=5,
                                 time_limit_minutes=20, closes_at=utcnow() + timedelta(days=1))
            assert (await office.client.sync_once()).ok
            with wang.session() as session:
                from app.replica import auth_token
                token = auth_token(session)

            async def changes():
                async with httpx.AsyncClient(transport=transport, base_url="http://central") as http:
                    found, since = [], 0
                    while True:
                        page = (await http.get("/api/v1/pull", params={"since": since},
                                               headers={"Authorization": f"Bearer {token}"})).json()
                        found += page["changes"]
                        since = page["cursor"]
                        if not page["more"]:
                            return found

            opened = await changes()
            questions = [c["data"] for c in opened if c["entity"] == "quiz_question"]
            assert len(questions) == len(bank.questions)
            assert set(questions[0]) == {"id", "bank_id", "code", "number", "type", "text", "source", "topic",
                                         "options"}
            assert [c["data"]["key"] for c in opened if c["entity"] == "quiz"] == [{}]
            assert not [c for c in opened if c["entity"] in ("quiz", "quiz_question")
                        and '"answer' in json.dumps(c["data"])]
            with office.session() as session:
                close_quiz(session, actor=_actor(office), quiz_id=quiz.id)
            assert (await office.client.sync_once()).ok
            closes = [c["data"] for c in await changes() if c["entity"] == "event" and c["data"]["type"] == "close"]
            key = closes[-1]["payload"]["key"]
            code_of = {q["id"]: q["code"] for q in questions}
            assert {code_of[q]: a for q, a in key.items()} == {q.id: list(q.answer) for q in bank.questions}

    asyncio.run(main())
