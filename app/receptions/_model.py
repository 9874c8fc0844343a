"""The tables of reception days, field visits and villagers' concerns."""

from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from app.issues import Location
from app.records import BOTH, CreateBody, RecordBase, Uuid, stored_in


# ---------------------------------------------------------------- reception days (代表接待日)

class ReceptionBase(RecordBase):
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    day: date = Field(default_factory=date.today)
    scheduled: bool = True  # False: logged on a day the schedule did not have
    author_id: Optional[str] = None
    # What the log adds up to.
    visitors: int = 0
    concerns: int = 0
    answered: int = 0
    issues_raised: int = 0


class Reception(ReceptionBase, table=True):
    __tablename__ = "reception"
    __table_args__ = stored_in(BOTH, Index("ix_reception_station_day", "station_id", "day"),
                               Index("ix_reception_day", "day"))
    duty_deputy_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attended_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ReceptionPublic(ReceptionBase):
    duty_deputy_ids: list[str] = Field(default_factory=list)
    attended_ids: list[str] = Field(default_factory=list)


class ReceptionCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    station_id: str = PydanticField(max_length=100)
    day: date
    scheduled: bool = True
    duty_deputy_ids: list[Uuid] = PydanticField(default_factory=list, max_length=30)


# ---------------------------------------------------------------- field visits (走访)

class VisitBase(RecordBase):
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    place_type: str = "field"
    place_name: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    accuracy_m: Optional[float] = None
    location_source: str = "none"
    people_met: str = ""
    notes: str = ""
    author_id: Optional[str] = None
    issue_count: int = 0


class Visit(VisitBase, table=True):
    __tablename__ = "visit"
    __table_args__ = stored_in(BOTH, Index("ix_visit_created", "created_at", "id"),
                               Index("ix_visit_station_created", "station_id", "created_at", "id"))
    deputy_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class VisitPublic(VisitBase):
    deputy_ids: list[str] = Field(default_factory=list)


class VisitCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    place_type: str = PydanticField(default="field", max_length=40)
    place_name: str = PydanticField(default="", max_length=100)
    location: Location | None = None
    station_id: str | None = PydanticField(default=None, max_length=100)
    deputy_ids: list[Uuid] = PydanticField(default_factory=list, max_length=30)
    people_met: str = PydanticField(default="", max_length=2000)
    notes: str = PydanticField(default="", max_length=20_000)


# ---------------------------------------------------------------- villagers' concerns (扫码说事)

class ConcernBase(RecordBase):
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    receipt: str = ""  # the number the villager asks about it by
    village: str = ""
    text: str = ""
    phone: str = ""  # protected: masked for every role but the office's
    author_id: Optional[str] = None
    # What the station made of it.
    answer: str = ""
    issue_id: Optional[str] = None


class Concern(ConcernBase, table=True):
    __tablename__ = "concern"
    __table_args__ = stored_in(BOTH, Index("ix_concern_receipt", "receipt", unique=True),
                               Index("ix_concern_station_created", "station_id", "created_at", "id"))


class ConcernPublic(ConcernBase):
    pass


class ConcernCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    station_id: str = PydanticField(max_length=100)
    receipt: str = PydanticField(max_length=40)
    village: str = PydanticField(max_length=60)
    text: str = PydanticField(max_length=2000)
    phone: str = PydanticField(default="", max_length=20)
