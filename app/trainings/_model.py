"""The table of training sessions (业务培训) and its creation body."""

from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from app.records import BOTH, CreateBody, RecordBase, Uuid, stored_in


class TrainingBase(RecordBase):
    title: str = ""  # the topic
    day: Optional[date] = None
    place: str = ""
    trainer: str = ""
    materials: str = ""  # what was handed out or shown; photos of it join the record's photos
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")  # the station it trained, if one
    author_id: Optional[str] = None
    attended: int = 0


class Training(TrainingBase, table=True):
    __tablename__ = "training"
    __table_args__ = stored_in(BOTH, Index("ix_training_day", "day", "id"))
    invited_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attended_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class TrainingPublic(TrainingBase):
    invited_ids: list[str] = Field(default_factory=list)
    attended_ids: list[str] = Field(default_factory=list)


class TrainingCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    title: str = PydanticField(max_length=120)
    day: date
    place: str = PydanticField(default="", max_length=100)
    trainer: str = PydanticField(default="", max_length=60)
    materials: str = PydanticField(default="", max_length=5000)
    station_id: str | None = PydanticField(default=None, max_length=100)
    invited_ids: list[Uuid] = PydanticField(default_factory=list, max_length=500)
