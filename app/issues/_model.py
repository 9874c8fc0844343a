"""An issue's table, its creation body, and what a pull carries of it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from app.records import BOTH, CreateBody, Number, PhotoBody, RecordBase, stored_in, time_column


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


# The columns of an issue: what was recorded, and what its timeline decides (status, department, rating).
class IssueBase(RecordBase):
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
    group_id: Optional[str] = None  # a special group's suggestion or finding (专门小组)
    # What the timeline decides (app.issues._rules.derived).
    department_id: Optional[str] = None
    rating: Optional[int] = None
    satisfaction: Optional[str] = None
    urgency: str = "normal"
    nature: str = "problem"
    key_suggestion: bool = False
    deadline: Optional[date] = None
    extension_asked: Optional[date] = None
    escalation: int = 0
    assigned_at: Optional[datetime] = time_column(default=None)
    resolved_at: Optional[datetime] = time_column(default=None)
    verified_at: Optional[datetime] = time_column(default=None)
    reopened: int = 0
    merged_into: Optional[str] = None


# An issue as the stores hold it, with its search text and the indexes its list pages by.
class Issue(IssueBase, table=True):
    __tablename__ = "issue"
    __table_args__ = stored_in(
        BOTH,
        Index("ix_issue_created", "created_at", "id"),
        Index("ix_issue_status_created", "status", "created_at", "id"),
        Index("ix_issue_category_created", "category_id", "created_at", "id"),
        Index("ix_issue_station_created", "station_id", "created_at", "id"),
        Index("ix_issue_department", "department_id"),
        Index("ix_issue_deadline", "status", "deadline"),
    )
    search_text: str = ""
    co_department_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    follower_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# An issue as a pull carries it.
class IssuePublic(IssueBase):
    co_department_ids: list[str] = Field(default_factory=list)
    follower_ids: list[str] = Field(default_factory=list)


class Location(BaseModel):
    """A WGS-84 position with its accuracy in metres and where it came from."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    latitude: Number
    longitude: Number
    accuracy_m: Number | None = None
    source: str = PydanticField(default=LocationSource.MANUAL.value, max_length=100)


class IssueDraft(BaseModel):
    """What a user enters to record an issue."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    title: str = ""
    category_id: str | None = PydanticField(default=None, max_length=100)
    description: str = ""
    place_type: str = PydanticField(default=PlaceType.OTHER.value, max_length=100)
    place_name: str = ""
    location: Location | None = None
    photos: tuple[PhotoBody, ...] = PydanticField(default=(), max_length=100)
    source: str = PydanticField(default=IssueSource.VISIT.value, max_length=100)
    station_id: str | None = PydanticField(default=None, max_length=100)
    group_id: str | None = PydanticField(default=None, max_length=100)


class IssueCreate(CreateBody, IssueDraft):
    """The body of an `issue.create` mutation: a draft with its ids and time."""

    model_config = ConfigDict(frozen=False, extra="ignore")
    photos: list[PhotoBody] = PydanticField(default_factory=list, max_length=100)  # type: ignore[assignment]
