"""A supervision letter's table and creation body."""

from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from app.records import BOTH, CreateBody, RecordBase, Uuid, stored_in


class LetterBase(RecordBase):
    # 〔year〕 and the number the central store gives when the letter reaches it (None until then).
    year: int = 0
    number: Optional[int] = None
    department_id: Optional[str] = Field(default=None, foreign_key="department.id")
    subject: str = ""  # the matter, as in 关于……的监督意见函
    situation: str = ""  # what the deputies found
    actions: str = ""  # the actions asked for
    deadline: Optional[date] = None
    author_id: Optional[str] = None
    station_id: Optional[str] = None


# A supervision letter (监督意见函) to the lead department about one or several issues.
class Letter(LetterBase, table=True):
    __tablename__ = "letter"
    __table_args__ = stored_in(BOTH, Index("ix_letter_number", "year", "number", unique=True),
                               Index("ix_letter_created", "created_at", "id"))
    issue_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# A letter as a pull carries it.
class LetterPublic(LetterBase):
    issue_ids: list[str] = Field(default_factory=list)


class LetterCreate(CreateBody):
    """The body of a `letter.create` mutation."""

    model_config = ConfigDict(extra="ignore")
    department_id: str = PydanticField(max_length=100)
    issue_ids: list[Uuid] = PydanticField(min_length=1, max_length=50)
    subject: str = PydanticField(default="", max_length=200)
    situation: str = PydanticField(default="", max_length=20_000)
    actions: str = PydanticField(default="", max_length=20_000)
    deadline: date
