"""The tables of inspections: the published template versions, and each inspection with its list columns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Optional

from pydantic import ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.inspections._template import Template
from app.issues import Location
from app.records import BOTH, CreateBody, RecordBase, Uuid, stored_in, time_column

_NAMESPACE = uuid.UUID("2b0d7c5e-51f4-4a8e-9a0b-7b3f3c1e9d42")


def template_row_id(key: str) -> str:
    """The id of a published template version (`school-safety@1`): the same on every store."""
    return str(uuid.uuid5(_NAMESPACE, key))


# The columns of a published template version (reference data: every device gets every version).
class TemplateBase(SQLModel):
    id: str = Field(primary_key=True)
    template_id: str
    version: int
    title: str
    title_en: str = ""
    place_type: str = "other"
    fingerprint: str
    published_at: datetime = time_column()


class InspectionTemplate(TemplateBase, table=True):
    __tablename__ = "inspection_template"
    __table_args__ = stored_in(BOTH, Index("ix_inspection_template_key", "template_id", "version", unique=True))
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class InspectionTemplatePublic(TemplateBase):
    definition: dict[str, Any] = Field(default_factory=dict)


# The columns of an inspection: where, what template version, who took part; and what its answers add up to.
class InspectionBase(RecordBase):
    template_id: str = ""
    template_version: int = 0
    title: str = ""
    place_type: str = "other"
    place_name: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    accuracy_m: Optional[float] = None
    location_source: str = "none"
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    author_id: Optional[str] = None  # the lead deputy
    group_id: Optional[str] = None  # a special group's joint inspection (e.g. the citrus-industry group's)
    # What the answers add up to (app.inspections._rules.derived).
    score: float = 0.0
    max_score: float = 0.0
    answered: int = 0
    total: int = 0
    flagged: int = 0
    conflicts: int = 0
    issue_count: int = 0
    signed_off_at: Optional[datetime] = time_column(default=None)


class Inspection(InspectionBase, table=True):
    __tablename__ = "inspection"
    __table_args__ = stored_in(BOTH, Index("ix_inspection_created", "created_at", "id"),
                               Index("ix_inspection_station_created", "station_id", "created_at", "id"))
    participant_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class InspectionPublic(InspectionBase):
    participant_ids: list[str] = Field(default_factory=list)


class InspectionCreate(CreateBody):
    """The body of an `inspection.create` mutation: the template version it keeps, and where, and who."""

    model_config = ConfigDict(extra="ignore")
    template: Template
    title: str = PydanticField(default="", max_length=120)
    place_type: str = PydanticField(default="other", max_length=100)
    place_name: str = PydanticField(default="", max_length=100)
    location: Location | None = None
    station_id: str | None = PydanticField(default=None, max_length=100)
    participant_ids: list[Uuid] = PydanticField(default_factory=list, max_length=30)
    group_id: str | None = PydanticField(default=None, max_length=100)
