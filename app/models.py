"""Tables of the local replica. The central store uses the same record shapes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class StationKind(StrEnum):
    CENTRE = "centre"
    AREA = "area"


class PlaceType(StrEnum):
    FARMLAND = "farmland"
    ORCHARD = "orchard"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    VILLAGE = "village"
    OTHER = "other"


class LocationSource(StrEnum):
    DEVICE = "device"  # the phone's position service, with its accuracy
    EXIF = "exif"  # the first photo's GPS tags
    MANUAL = "manual"  # typed coordinates or a pin on the map
    NONE = "none"


class IssueSource(StrEnum):
    VISIT = "visit"
    RECEPTION = "reception"
    CHECKLIST = "checklist"
    VOTE_FOLLOWUP = "vote_followup"


def _now() -> datetime:
    return utcnow()


# A liaison station: the town centre station or a village area station.
class Station(SQLModel, table=True):
    __tablename__ = "station"
    id: str = Field(primary_key=True)
    code: str = Field(index=True, unique=True)
    name: str
    name_en: str = ""
    kind: str = StationKind.AREA.value
    sort_order: int = 0


# A government department that handles assigned issues (承办单位).
class Department(SQLModel, table=True):
    __tablename__ = "department"
    id: str = Field(primary_key=True)
    code: str = Field(index=True, unique=True)
    name: str
    name_en: str = ""
    sort_order: int = 0


# An issue category; editable data, not code.
class Category(SQLModel, table=True):
    __tablename__ = "category"
    id: str = Field(primary_key=True)
    code: str = Field(index=True, unique=True)
    name: str
    name_en: str = ""
    sort_order: int = 0
    active: bool = True


# A person who uses the system: deputy, station staff, office, department or admin.
class Person(SQLModel, table=True):
    __tablename__ = "person"
    id: str = Field(primary_key=True)
    name: str
    role: str
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    department_id: Optional[str] = Field(default=None, foreign_key="department.id")
    phone: str = ""


# An issue's creation record. Its status is a cache of what the timeline adds up to.
class Issue(SQLModel, table=True):
    __tablename__ = "issue"
    id: str = Field(primary_key=True)
    title: str
    description: str = ""
    category_id: Optional[str] = Field(default=None, foreign_key="category.id")
    place_type: str = PlaceType.OTHER.value
    place_name: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    accuracy_m: Optional[float] = None
    location_source: str = LocationSource.NONE.value
    reporter_id: Optional[str] = None
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    source: str = IssueSource.VISIT.value
    created_at: datetime = Field(default_factory=_now)
    # Cached from the timeline by app.issues.refresh_state; never edited directly.
    status: str = "new"
    department_id: Optional[str] = None
    rating: Optional[int] = None
    updated_at: datetime = Field(default_factory=_now)
    search_text: str = ""


# One entry of an issue's append-only timeline.
class IssueEvent(SQLModel, table=True):
    __tablename__ = "issue_event"
    id: str = Field(primary_key=True)
    issue_id: str = Field(foreign_key="issue.id", index=True)
    kind: str
    actor_id: Optional[str] = None
    actor_role: str = ""
    created_at: datetime = Field(default_factory=_now)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Filled in when the server has ordered or refused the event.
    server_seq: Optional[int] = None
    rejected_code: Optional[str] = None
    rejected_reason: Optional[str] = None


# A photo attached to an issue; the bytes live in the photo store under their SHA-256.
class IssuePhoto(SQLModel, table=True):
    __tablename__ = "issue_photo"
    issue_id: str = Field(foreign_key="issue.id", primary_key=True)
    sha256: str = Field(primary_key=True)
    position: int = 0
    width: int = 0
    height: int = 0
    byte_size: int = 0
    taken_at: Optional[datetime] = None
    latitude: Optional[float] = None
    longitude: Optional[float] = None


# What the capture form holds so far; autosaved so a killed app loses nothing.
class Draft(SQLModel, table=True):
    __tablename__ = "draft"
    id: str = Field(primary_key=True)
    author_id: Optional[str] = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=_now)


# A change made on this device that the server has not yet confirmed.
class OutboxMutation(SQLModel, table=True):
    __tablename__ = "outbox"
    id: str = Field(primary_key=True)
    kind: str
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=_now)
    state: str = "pending"  # pending → applied | duplicate | rejected
    result_code: Optional[str] = None
    result_reason: Optional[str] = None
    attempts: int = 0


# Small settings of this replica: who is signed in, the pull cursor, the language.
class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str = ""
