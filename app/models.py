"""The reference tables every store shares, and the phone's own tables (drafts, outbox, settings).

Each record kind's table lives in the kind's package (app/issues, ...); the timeline and
photo tables every kind shares live in app/records. Together they are the one schema:
the migrations of both stores are checked against this metadata.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.tables import BOTH, PHONE, stored_in, time_column


class StationKind(StrEnum):
    CENTRE = "centre"
    AREA = "area"


# The columns of a reference record (a station, a department, a category), as tables and the wire share them.
class ReferenceBase(SQLModel):
    id: str = Field(primary_key=True)
    code: str = Field(index=True, unique=True)
    name: str
    name_en: str = ""
    sort_order: int = 0


# The columns of a liaison station: where it is; its staff and deputies are the people of that station.
class StationBase(ReferenceBase):
    kind: str = StationKind.AREA.value
    address: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None


# A liaison station: the town centre station or a village area station.
class Station(StationBase, table=True):
    __tablename__ = "station"
    __table_args__ = stored_in(BOTH)


# A government department that handles assigned issues (承办单位).
class Department(ReferenceBase, table=True):
    __tablename__ = "department"
    __table_args__ = stored_in(BOTH)


# An issue category; editable data, not code.
class Category(ReferenceBase, table=True):
    __tablename__ = "category"
    __table_args__ = stored_in(BOTH)
    active: bool = True


# The columns of a person that everyone may know (the phone number is not among them).
class PersonBase(SQLModel):
    id: str = Field(primary_key=True)
    name: str
    role: str
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    department_id: Optional[str] = Field(default=None, foreign_key="department.id")


# A person who uses the system: deputy, station staff, office, department or admin.
class Person(PersonBase, table=True):
    __tablename__ = "person"
    __table_args__ = stored_in(BOTH)
    phone: str = ""


# The columns of a special group (专门小组), linked to a station (站组融合).
class SpecialGroupBase(ReferenceBase):
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    focus: str = ""  # what the group looks after, e.g. 柑桔产业


# A special group of deputies: its members run joint inspections and make suggestions together.
class SpecialGroup(SpecialGroupBase, table=True):
    __tablename__ = "special_group"
    __table_args__ = stored_in(BOTH)
    member_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SpecialGroupPublic(SpecialGroupBase):
    member_ids: list[str] = Field(default_factory=list)


# What a pull carries of the reference data.
class StationPublic(StationBase):
    pass


class DepartmentPublic(ReferenceBase):
    pass


class CategoryPublic(ReferenceBase):
    active: bool = True


class PersonPublic(PersonBase):
    pass


# What the capture form holds so far; autosaved so a killed app loses nothing.
class Draft(SQLModel, table=True):
    __tablename__ = "draft"
    __table_args__ = stored_in(PHONE)
    id: str = Field(primary_key=True)
    author_id: Optional[str] = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = time_column(default_factory=utcnow)


# A change made on this device that the server has not yet confirmed, with the record it writes.
class OutboxMutation(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = stored_in(PHONE, Index("ix_outbox_state", "state", "created_at"),
                               Index("ix_outbox_record", "record_id", "state"))
    id: str = Field(primary_key=True)
    kind: str
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = time_column(default_factory=utcnow)
    state: str = "pending"  # pending → applied | duplicate | rejected
    result_code: Optional[str] = None
    result_reason: Optional[str] = None
    attempts: int = 0
    record_kind: str = ""
    record_id: str = ""
    event_id: str = ""


# Small settings of this replica: who is signed in, the pull cursor, the language.
class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    __table_args__ = stored_in(PHONE)
    key: str = Field(primary_key=True)
    value: str = ""
