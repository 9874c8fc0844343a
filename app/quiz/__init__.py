"""The essential-knowledge quiz (应知应会知识测试), two kinds of record: a quiz the office opens, and
each deputy's attempt, taken offline on the phone and scored by the central store.

    _bank.py    the question bank under assets/question_banks/: validated whole when loaded; marking
    _model.py   questions (every device, without answers), the key (central store only), quizzes, attempts
    _rules.py   drawing and shuffling each deputy's questions, the time limit, retakes, the key at the close

The phone never holds the answers of an open quiz: the questions reach it as reference
data without them, an attempt is scored by the central store when it syncs (`server_fields`),
and the key comes to the phones only with the quiz's close (`server_payload`).

    quiz = open_quiz(session, actor=office, title="2026年应知应会知识测试", bank_id="essentials",
                     question_count=20, time_limit_minutes=30, closes_at=…)
    sheet = start_attempt(session, actor=deputy, quiz_id=quiz.id)       # offline
    attempt = hand_in(session, actor=deputy, sheet=sheet, answers={question_id: ["B"], …})
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace as _replace
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from sqlalchemy import inspect as _inspect
from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Actor, Role
from app.assets import asset
from app.clock import utcnow
from app.errors import DomainError
from app.ids import new_id
from app.models import Person
from app.problems import Problem
from app.quiz._bank import (QUESTION_TYPES, Bank, BankError, BankQuestion, Marked, load_bank, mark, options_of,
                            parse_bank)
from app.quiz._model import (AttemptCreate, Quiz, QuizAttempt, QuizAttemptPublic, QuizCreate, QuizKey, QuizPublic,
                             QuizQuestion, QuizQuestionPublic)
from app.quiz._rules import (ATTEMPT_EVENTS, GRACE, QUIZ_EVENTS, attempt_check, attempt_derived, attempt_start,
                             attempts_allowed, draw, may_attempt, option_order, quiz_check, quiz_derived,
                             quiz_payload, quiz_start)
from app.records import Grant, RecordKind, Scope, StoreContext, Visibility, create_record, record_event, register
from app.reference import stable_id

BUILTIN_BANKS = ("essentials",)
EVERYONE = Visibility({role: frozenset({Grant.ALL}) for role in Role if role is not Role.PUBLIC})


def question_id(bank_id: str, code: str) -> str:
    return stable_id("quiz_question", f"{bank_id}:{code}")


# ---------------------------------------------------------------- the bank on the central store

def builtin_banks() -> list[Bank]:
    """The banks the app ships (assets/question_banks), validated."""
    return [parse_bank(json.loads(asset(f"question_banks/{name}.json").read_text(encoding="utf-8")),
                       source=f"question_banks/{name}.json") for name in BUILTIN_BANKS]


def holds_keys(session: Session) -> bool:
    """Whether this store keeps answers: only the central store has the key table."""
    return _inspect(session.get_bind()).has_table(QuizKey.__tablename__)


def publish_bank(session: Session, bank: Bank) -> int:
    """Put a bank's questions (for every device) and its answers (for this store alone) in the central store,
    adding new questions and updating changed ones; return how many changed; commits."""
    if not holds_keys(session):
        raise RuntimeError("only the central store keeps a question bank's answers")
    changed = 0
    for number, q in enumerate(bank.questions, start=1):
        qid = question_id(bank.id, q.id)
        options = [o.model_dump() for o in options_of(q)]
        values = dict(bank_id=bank.id, code=q.id, number=number, type=q.type, text=q.text, source=q.source,
                      topic=q.topic, options=options)
        row = session.get(QuizQuestion, qid)
        if row is None:
            session.add(QuizQuestion(id=qid, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            session.add(row)
            changed += 1
        key = session.get(QuizKey, qid)
        if key is None:
            session.add(QuizKey(question_id=qid, answer=list(q.answer)))
        elif key.answer != list(q.answer):
            key.answer = list(q.answer)
            session.add(key)
    session.commit()
    return changed


def _seed(session: Session) -> None:
    if holds_keys(session):
        for bank in builtin_banks():
            publish_bank(session, bank)


def key_of(session: Any, question_ids: Sequence[str]) -> dict[str, list[str]]:
    """The answers of these questions (central store only)."""
    table = QuizKey.__table__  # type: ignore[attr-defined]
    found: dict[str, list[str]] = {}
    ids = list(question_ids)
    for start in range(0, len(ids), 500):
        for qid, answer in session.execute(select(table.c.question_id, table.c.answer)
                                           .where(table.c.question_id.in_(ids[start:start + 500]))):
            found[qid] = list(answer)
    return found


# ---------------------------------------------------------------- the kinds

def _quiz_row(body: QuizCreate, actor: Actor) -> dict[str, Any]:
    return dict(title=body.title.strip(), bank_id=body.bank_id, question_ids=list(body.question_ids),
                question_count=body.question_count, time_limit_minutes=body.time_limit_minutes,
                retakes=body.retakes, closes_at=body.closes_at, roll_ids=list(dict.fromkeys(body.roll_ids)),
                author_id=actor.id)


def _with_key(batch: Any, row: Mapping[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The close of a quiz carries its answers, which only the central store holds."""
    return payload | {"key": key_of(batch.session, row["question_ids"])}


QUIZ = register(RecordKind(
    name="quiz", table=Quiz, public=QuizPublic, create=QuizCreate,
    events={**QUIZ_EVENTS, "close": _replace(QUIZ_EVENTS["close"], server_payload=_with_key)},
    initial_status="open", start=quiz_start, row=_quiz_row, derived=quiz_derived, visibility=EVERYONE,
    scope=Scope(station=None, department=None, author="author_id"), check_create=quiz_check,
    may_create=lambda actor, _body: actor.role in OFFICE_ROLES, create_payload=quiz_payload,
    reference=(("quiz_question", QuizQuestion, QuizQuestionPublic),), seed=_seed,
))


def _attempt_row(body: AttemptCreate, actor: Actor) -> dict[str, Any]:
    return dict(quiz_id=body.quiz_id, attempt=body.attempt, started_at=body.started_at,
                question_ids=list(body.question_ids), answers={q: list(a) for q, a in body.answers.items()},
                author_id=actor.id, station_id=actor.station_id, score=None, correct=None,
                total=len(body.question_ids))


def _score(batch: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    """Under the central store's write lock: refuse a second hand-in of the same attempt (also from another
    device), then mark the answers against the key."""
    if batch.largest(ATTEMPT, "attempt", quiz_id=row["quiz_id"], author_id=row["author_id"]) >= row["attempt"]:
        raise DomainError(Problem.QUIZ_ALREADY_SUBMITTED)
    marked = mark(row["answers"], key_of(batch.session, row["question_ids"]), row["question_ids"])
    return {"score": marked.score, "correct": marked.correct, "total": marked.total}


ATTEMPT = register(RecordKind(
    name="quiz_attempt", table=QuizAttempt, public=QuizAttemptPublic, create=AttemptCreate, events=ATTEMPT_EVENTS,
    initial_status="submitted", start=attempt_start, row=_attempt_row, derived=attempt_derived,
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                           Role.DEPUTY: frozenset({Grant.AUTHOR}), Role.STATION_STAFF: frozenset({Grant.AUTHOR})}),
    scope=Scope(station="station_id", department=None, author="author_id"), check_create=attempt_check,
    may_create=may_attempt, server_fields=_score,
))


# ---------------------------------------------------------------- services

def bank_questions(session: Session, bank_id: str) -> list[QuizQuestion]:
    return list(session.exec(select(QuizQuestion).where(QuizQuestion.bank_id == bank_id)
                             .order_by(col(QuizQuestion.number))))


def banks_here(session: Session) -> dict[str, int]:
    """The banks this store has questions of, with how many."""
    found: dict[str, int] = {}
    for bank_id in session.exec(select(QuizQuestion.bank_id)):
        found[bank_id] = found.get(bank_id, 0) + 1
    return found


def open_quiz(session: Session, *, actor: Actor, title: str, bank_id: str, question_count: int,
              time_limit_minutes: int, closes_at: datetime, retakes: int = 0, roll_ids: Sequence[str] = (),
              question_ids: Sequence[str] | None = None) -> Quiz:
    """Open a quiz drawn from a bank (all its questions, unless a pool is named); commits."""
    pool = list(question_ids) if question_ids is not None else [q.id for q in bank_questions(session, bank_id)]
    body = QuizCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), title=title, bank_id=bank_id,
                      question_ids=pool, question_count=question_count, time_limit_minutes=time_limit_minutes,
                      retakes=retakes, closes_at=closes_at, roll_ids=list(roll_ids))
    return create_record(session, QUIZ, body, actor=actor)


def close_quiz(session: Session, *, actor: Actor, quiz_id: str) -> Any:
    """Close a quiz; the central store adds its answers when the close reaches it; commits."""
    return record_event(session, QUIZ, actor=actor, record_id=quiz_id, type_="close", payload={})


def allow_retake(session: Session, *, actor: Actor, quiz_id: str, person_id: str) -> Any:
    return record_event(session, QUIZ, actor=actor, record_id=quiz_id, type_="allow_retake",
                        payload={"person_id": person_id})


@dataclass(frozen=True)
class SheetQuestion:
    id: str
    number: int  # 1, 2, … as shown
    type: str
    text: str
    options: tuple[tuple[str, str], ...]  # (key, text), in the order shown
    source: str


@dataclass(frozen=True)
class Sheet:
    """One attempt as the phone shows it: the drawn questions, the clock started."""

    quiz_id: str
    title: str
    attempt: int
    started_at: datetime
    ends_at: datetime
    questions: tuple[SheetQuestion, ...]

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions]


def attempts_of(session: Session, quiz_id: str, person_id: str) -> list[QuizAttempt]:
    return list(session.exec(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id,
                                                       QuizAttempt.author_id == person_id)
                             .order_by(col(QuizAttempt.attempt))))


def _quiz_row_of(session: Session, quiz_id: str) -> Mapping[str, Any]:
    row = StoreContext(session).row("quiz", quiz_id)
    if row is None:
        raise DomainError(Problem.UNKNOWN_QUIZ, field="quiz_id")
    return row


def start_attempt(session: Session, *, actor: Actor, quiz_id: str, now: datetime | None = None) -> Sheet:
    """Draw this deputy's questions for their next attempt and start the clock (offline; nothing is sent)."""
    now = now or utcnow()
    quiz = _quiz_row_of(session, quiz_id)
    done = attempts_of(session, quiz_id, actor.id)
    attempt = len(done) + 1
    closes = quiz["closes_at"]
    closes = datetime.fromisoformat(closes) if isinstance(closes, str) else closes
    if quiz["status"] != "open" or (closes is not None and now > closes):
        raise DomainError(Problem.QUIZ_CLOSED, field="quiz_id")
    if quiz["roll_ids"] and actor.id not in quiz["roll_ids"]:
        raise DomainError(Problem.NOT_ON_QUIZ_ROLL)
    if attempt > attempts_allowed(quiz, actor.id):
        raise DomainError(Problem.QUIZ_NO_RETAKE, allowed=attempts_allowed(quiz, actor.id))
    drawn = draw(quiz_id, actor.id, attempt, quiz["question_ids"], quiz["question_count"])
    rows = {q.id: q for q in session.exec(select(QuizQuestion).where(col(QuizQuestion.id).in_(drawn)))}
    if len(rows) != len(drawn):
        raise DomainError(Problem.QUIZ_BAD_POOL, field="question_ids")  # the questions have not arrived yet
    questions = []
    for number, qid in enumerate(drawn, start=1):
        q = rows[qid]
        texts = {o["key"]: o["text"] for o in q.options}
        order = option_order(quiz_id, actor.id, attempt, qid, list(texts))
        questions.append(SheetQuestion(qid, number, q.type, q.text, tuple((k, texts[k]) for k in order), q.source))
    ends = now + timedelta(minutes=quiz["time_limit_minutes"])
    if closes is not None:
        ends = min(ends, closes)
    return Sheet(quiz_id, quiz["title"], attempt, now, ends, tuple(questions))


def hand_in(session: Session, *, actor: Actor, sheet: Sheet, answers: Mapping[str, Sequence[str]],
            now: datetime | None = None) -> QuizAttempt:
    """Hand in an attempt (it waits in the outbox when offline; the central store scores it); commits."""
    if any(a.attempt == sheet.attempt for a in attempts_of(session, sheet.quiz_id, actor.id)):
        raise DomainError(Problem.QUIZ_ALREADY_SUBMITTED)
    body = AttemptCreate(id=new_id(), event_id=new_id(), created_at=now or utcnow(), quiz_id=sheet.quiz_id,
                         attempt=sheet.attempt, started_at=sheet.started_at, question_ids=sheet.question_ids,
                         answers={q: list(a) for q, a in answers.items() if a})
    return create_record(session, ATTEMPT, body, actor=actor)


@dataclass(frozen=True)
class PersonResult:
    person_id: str
    name: str
    attempts: int
    best: int | None  # None: handed in, not yet scored (waiting to sync)
    last_at: datetime | None


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    number: int
    text: str
    asked: int
    right: int


@dataclass(frozen=True)
class QuizResults:
    people: tuple[PersonResult, ...]
    questions: tuple[QuestionResult, ...]  # only once the quiz is closed and its key is here
    attempts: int  # 人次
    average: float | None

    @property
    def takers(self) -> int:
        return len(self.people)


def quiz_results(session: Session, quiz: Quiz) -> QuizResults:
    """Results per deputy (best score, attempts) and, once the key is published, per question."""
    attempts = list(session.exec(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id)))
    names = {p.id: p.name for p in session.exec(select(Person))}
    by_person: dict[str, list[QuizAttempt]] = {}
    for a in attempts:
        by_person.setdefault(a.author_id or "", []).append(a)
    people = []
    for person, own in by_person.items():
        scores = [a.score for a in own if a.score is not None]
        people.append(PersonResult(person, names.get(person, ""), len(own), max(scores) if scores else None,
                                   max(a.created_at for a in own)))
    people.sort(key=lambda r: (-(r.best if r.best is not None else -1), r.name))
    questions: list[QuestionResult] = []
    if quiz.key:
        rows = {q.id: q for q in session.exec(select(QuizQuestion).where(col(QuizQuestion.id).in_(quiz.question_ids)))}
        asked: dict[str, int] = {}
        right: dict[str, int] = {}
        for a in attempts:
            for qid in a.question_ids:
                asked[qid] = asked.get(qid, 0) + 1
                if sorted(a.answers.get(qid) or ()) == sorted(quiz.key.get(qid) or ()):
                    right[qid] = right.get(qid, 0) + 1
        for qid in sorted(asked, key=lambda q: rows[q].number if q in rows else 0):
            row = rows.get(qid)
            questions.append(QuestionResult(qid, row.number if row else 0, row.text if row else "", asked[qid],
                                            right.get(qid, 0)))
    scored = [a.score for a in attempts if a.score is not None]
    return QuizResults(tuple(people), tuple(questions), len(attempts),
                       round(sum(scored) / len(scored), 1) if scored else None)


__all__ = [
    "QUIZ", "ATTEMPT", "Quiz", "QuizAttempt", "QuizQuestion", "QuizKey", "QuizCreate", "AttemptCreate", "Bank",
    "BankQuestion", "BankError", "Marked", "QUESTION_TYPES", "BUILTIN_BANKS", "GRACE", "load_bank", "parse_bank",
    "mark", "options_of", "builtin_banks", "publish_bank", "holds_keys", "key_of", "question_id", "bank_questions",
    "banks_here", "open_quiz", "close_quiz", "allow_retake", "Sheet", "SheetQuestion", "start_attempt", "hand_in",
    "attempts_of", "draw", "option_order", "attempts_allowed", "PersonResult", "QuestionResult", "QuizResults",
    "quiz_results",
]
