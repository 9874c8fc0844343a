"""The tables of the quiz: its questions (reference data without answers), the key (central store only),
a quiz the office opens, and each deputy's attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from pydantic import ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.records import BOTH, CENTRAL, CreateBody, RecordBase, Time, Uuid, stored_in, time_column


# ---------------------------------------------------------------- the bank's questions, without their answers

class QuizQuestionBase(SQLModel):
    id: str = Field(primary_key=True)  # stable: the same on every store (bank id and question id)
    bank_id: str
    code: str  # the question's id in the bank file
    number: int = 0  # its place in the bank
    type: str = "single"
    text: str = ""
    source: str = ""
    topic: str = ""


class QuizQuestion(QuizQuestionBase, table=True):
    __tablename__ = "quiz_question"
    __table_args__ = stored_in(BOTH, Index("ix_quiz_question_bank", "bank_id", "number"))
    options: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class QuizQuestionPublic(QuizQuestionBase):
    options: list[dict[str, Any]] = Field(default_factory=list)


# The answers: only the central store has them; a phone sees a quiz's key once the quiz is closed.
class QuizKey(SQLModel, table=True):
    __tablename__ = "quiz_key"
    __table_args__ = stored_in(CENTRAL)
    question_id: str = Field(primary_key=True)
    answer: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# ---------------------------------------------------------------- a quiz the office opens

class QuizBase(RecordBase):
    title: str = ""
    bank_id: str = ""
    question_count: int = 0
    time_limit_minutes: int = 0
    retakes: int = 0  # further attempts everyone may make
    closes_at: Optional[datetime] = time_column(default=None)
    author_id: Optional[str] = None


class Quiz(QuizBase, table=True):
    __tablename__ = "quiz"
    __table_args__ = stored_in(BOTH, Index("ix_quiz_created", "created_at", "id"))
    question_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # the pool
    roll_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    extra_attempts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    key: dict[str, list[str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # once closed


class QuizPublic(QuizBase):
    question_ids: list[str] = Field(default_factory=list)
    roll_ids: list[str] = Field(default_factory=list)
    extra_attempts: dict[str, int] = Field(default_factory=dict)
    key: dict[str, list[str]] = Field(default_factory=dict)


class QuizCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    title: str = PydanticField(max_length=120)
    bank_id: str = PydanticField(max_length=40)
    question_ids: list[str] = PydanticField(max_length=1000)
    question_count: int = PydanticField(ge=1, le=200)
    time_limit_minutes: int = PydanticField(ge=1, le=600)
    retakes: int = PydanticField(default=0, ge=0, le=10)
    closes_at: Time
    roll_ids: list[Uuid] = PydanticField(default_factory=list, max_length=500)


# ---------------------------------------------------------------- a deputy's attempt

class QuizAttemptBase(RecordBase):
    quiz_id: str = ""
    attempt: int = 1
    started_at: Optional[datetime] = time_column(default=None)
    author_id: Optional[str] = None
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    # Given by the central store when the attempt reaches it: the phone never holds the key of an open quiz.
    score: Optional[int] = None
    correct: Optional[int] = None
    total: int = 0


class QuizAttempt(QuizAttemptBase, table=True):
    __tablename__ = "quiz_attempt"
    __table_args__ = stored_in(BOTH, Index("ix_quiz_attempt_quiz", "quiz_id", "author_id", "attempt"))
    question_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # as drawn
    answers: dict[str, list[str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class QuizAttemptPublic(QuizAttemptBase):
    question_ids: list[str] = Field(default_factory=list)
    answers: dict[str, list[str]] = Field(default_factory=dict)


class AttemptCreate(CreateBody):
    """A finished attempt: created when the deputy hands it in (created_at), offline or not."""

    model_config = ConfigDict(extra="ignore")
    quiz_id: Uuid
    attempt: int = PydanticField(ge=1, le=20)
    started_at: Time
    question_ids: list[str] = PydanticField(max_length=200)
    answers: dict[str, list[str]] = PydanticField(default_factory=dict, max_length=200)

