"""The rules of the quiz: drawing each deputy's questions, timing, retakes, and the key at the close.

Each deputy's questions are drawn from the quiz's pool and shuffled by a seed made of the
quiz, the deputy and the attempt, so the phone draws them offline and the central store
draws the same ones to check what it is handed.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from pydantic import Field

from app.actors import ALL_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.problems import Problem
from app.records import Context, EventType, Happened, Payload, Time, value_of

# A phone's clock and the tap on 交卷 may be a little late: the limit allows this much more.
GRACE = timedelta(seconds=60)
MAX_CHOSEN = 10


def _rng(*parts: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big"))


def draw(quiz_id: str, person_id: str, attempt: int, pool: Sequence[str], count: int) -> list[str]:
    """The questions of one attempt, in the order shown: the same on every device."""
    return _rng(quiz_id, person_id, str(attempt)).sample(list(pool), min(count, len(pool)))


def option_order(quiz_id: str, person_id: str, attempt: int, question_id: str, keys: Sequence[str]) -> list[str]:
    """The order a question's options are shown in for this attempt (true/false keeps its order)."""
    keys = list(keys)
    if sorted(keys) == ["F", "T"]:
        return keys
    _rng(quiz_id, person_id, str(attempt), question_id).shuffle(keys)
    return keys


# ---------------------------------------------------------------- the quiz

def _as_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class QuizState:
    status: str = "open"  # open → closed
    closes_at: datetime | None = None
    extra: Mapping[str, int] = field(default_factory=dict)  # further attempts given to one deputy
    key: Mapping[str, Sequence[str]] = field(default_factory=dict)  # published at the close


class RetakePayload(Payload):
    person_id: str | None = Field(default=None, max_length=100)


class ExtendPayload(Payload):
    closes_at: Time | None = None


class QuizClosePayload(Payload):
    # Given by the central store when it accepts the close: the answers of the pool's questions.
    key: dict[str, list[str]] = Field(default_factory=dict)


def quiz_start(row: Any, payload: Mapping[str, Any]) -> QuizState:
    closes = payload.get("closes_at") or value_of(row, "closes_at")
    return QuizState(closes_at=_as_time(closes))


def quiz_derived(state: QuizState) -> dict[str, Any]:
    return {"status": state.status, "closes_at": state.closes_at, "extra_attempts": dict(state.extra),
            "key": {q: list(a) for q, a in state.key.items()}}


def quiz_payload(body: Any) -> dict[str, Any]:
    return {"photos": [], "closes_at": body.closes_at.isoformat()}


def quiz_check(body: Any, ctx: Context, _actor: Actor) -> None:
    if not body.title.strip():
        raise DomainError(Problem.TITLE_REQUIRED, field="title")
    pool = list(dict.fromkeys(body.question_ids))
    if len(pool) != len(body.question_ids) or not pool:
        raise DomainError(Problem.QUIZ_BAD_POOL, field="question_ids")
    for question in pool:
        if not ctx.has("quiz_question", question):
            raise DomainError(Problem.QUIZ_BAD_POOL, field="question_ids")
    if body.question_count > len(pool):
        raise DomainError(Problem.QUIZ_COUNT_RANGE, field="question_count", pool=len(pool))
    if body.created_at is not None and body.closes_at <= body.created_at:
        raise DomainError(Problem.QUIZ_CLOSES_BEFORE, field="closes_at")
    for person in body.roll_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="roll_ids")


def _check_retake(_state: QuizState, event: Happened, ctx: Context | None) -> None:
    if ctx is not None and not ctx.has("person", event.payload["person_id"]):
        raise DomainError(Problem.UNKNOWN_PERSON, field="person_id")


def _retake(state: QuizState, event: Happened) -> QuizState:
    person = event.payload["person_id"]
    return replace(state, extra={**state.extra, person: state.extra.get(person, 0) + 1})


def _check_extend(state: QuizState, event: Happened, _ctx: Context | None) -> None:
    closes = _as_time(event.payload.get("closes_at"))
    if closes is None or (state.closes_at is not None and closes <= state.closes_at):
        raise DomainError(Problem.QUIZ_CLOSES_BEFORE, field="closes_at")


def _extend(state: QuizState, event: Happened) -> QuizState:
    return replace(state, closes_at=_as_time(event.payload["closes_at"]))


def _close(state: QuizState, event: Happened) -> QuizState:
    return replace(state, key=dict(event.payload.get("key") or {}))


QUIZ_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("allow_retake", frozenset({"open"}), OFFICE_ROLES, RetakePayload,
              required={"person_id": Problem.PERSON_REQUIRED}, check=_check_retake, effect=_retake),
    EventType("extend", frozenset({"open"}), OFFICE_ROLES, ExtendPayload, check=_check_extend, effect=_extend),
    EventType("close", frozenset({"open"}), OFFICE_ROLES, QuizClosePayload, leads_to="closed", effect=_close),
)}


# ---------------------------------------------------------------- an attempt

@dataclass(frozen=True)
class AttemptState:
    status: str = "submitted"  # submitted (scored by the central store when it arrives)


def attempt_start(_row: Any, _payload: Mapping[str, Any]) -> AttemptState:
    return AttemptState()


def attempt_derived(state: AttemptState) -> dict[str, Any]:
    return {"status": state.status}


def attempts_allowed(quiz: Mapping[str, Any], person_id: str) -> int:
    return 1 + int(quiz.get("retakes") or 0) + int((quiz.get("extra_attempts") or {}).get(person_id, 0))


def attempt_check(body: Any, ctx: Context, actor: Actor) -> None:
    """Judge a handed-in attempt against its quiz (on the phone and again on the central store)."""
    quiz = ctx.row("quiz", body.quiz_id)
    if quiz is None:
        raise DomainError(Problem.UNKNOWN_QUIZ, field="quiz_id")
    handed_in = body.created_at or ctx.now()
    closes = _as_time(quiz["closes_at"])
    if quiz["status"] != "open" or (closes is not None and handed_in > closes):
        raise DomainError(Problem.QUIZ_CLOSED, field="quiz_id")
    if quiz["roll_ids"] and actor.id not in quiz["roll_ids"]:
        raise DomainError(Problem.NOT_ON_QUIZ_ROLL)
    if body.attempt > attempts_allowed(quiz, actor.id):
        raise DomainError(Problem.QUIZ_NO_RETAKE, allowed=attempts_allowed(quiz, actor.id))
    if body.question_ids != draw(quiz["id"], actor.id, body.attempt, quiz["question_ids"], quiz["question_count"]):
        raise DomainError(Problem.QUIZ_WRONG_QUESTIONS, field="question_ids")
    if body.started_at > handed_in:
        raise DomainError(Problem.QUIZ_TIME_UP, field="started_at", minutes=quiz["time_limit_minutes"])
    if handed_in - body.started_at > timedelta(minutes=quiz["time_limit_minutes"]) + GRACE:
        raise DomainError(Problem.QUIZ_TIME_UP, field="started_at", minutes=quiz["time_limit_minutes"])
    for question, chosen in body.answers.items():
        row = ctx.row("quiz_question", question) if question in body.question_ids else None
        keys = {o["key"] for o in (row["options"] if row else ())}
        if row is None or len(chosen) > MAX_CHOSEN or not set(chosen) <= keys or \
                (row["type"] != "multiple" and len(chosen) > 1):
            raise DomainError(Problem.QUIZ_BAD_ANSWER, field="answers")


def may_attempt(actor: Actor, _body: Any) -> bool:
    return actor.role in (Role.DEPUTY, Role.STATION_STAFF)


ATTEMPT_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("comment", frozenset({"submitted"}), ALL_ROLES, required={"text": Problem.TEXT_REQUIRED}),
)}
