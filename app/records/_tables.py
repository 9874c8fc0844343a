"""The tables every kind of record shares: the timeline's events and the photos attached to a record."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.tables import BOTH, stored_in, time_column

# The columns every record kind's table has; a kind adds its own creation fields and list columns.
class RecordBase(SQLModel):
    id: str = Field(primary_key=True)
    created_at: datetime = time_column(default_factory=utcnow)
    # Kept from the timeline by the engine; never edited directly.
    status: str = ""
    updated_at: datetime = time_column(default_factory=utcnow)


# The columns of a timeline event, as the tables and the wire share them.
class EventBase(SQLModel):
    id: str = Field(primary_key=True)
    record_kind: str
    record_id: str = Field(index=True)
    type: str
    actor_id: Optional[str] = None
    actor_role: str = ""
    actor_station_id: Optional[str] = None
    actor_department_id: Optional[str] = None
    created_at: datetime = time_column(default_factory=utcnow)
    # Filled in when the server has ordered or refused the event.
    server_seq: Optional[int] = Field(default=None, sa_type=BigInteger)  # type: ignore[call-overload]
    rejected_code: Optional[str] = None
    rejected_reason: Optional[str] = None


# One entry of a record's append-only timeline; the actor as they were when they recorded it.
class RecordEvent(EventBase, table=True):
    __tablename__ = "record_event"
    __table_args__ = stored_in(BOTH)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# An event as a pull carries it.
class EventPublic(EventBase):
    payload: dict[str, Any] = Field(default_factory=dict)


# The columns of a photo attached to a record (the bytes live in the photo store under their SHA-256).
class PhotoBase(SQLModel):
    record_id: str = Field(primary_key=True)
    sha256: str = Field(primary_key=True)
    record_kind: str
    position: int = 0
    width: int = 0
    height: int = 0
    byte_size: int = Field(default=0, sa_type=BigInteger)  # type: ignore[call-overload]
    taken_at: Optional[datetime] = time_column(default=None)
    latitude: Optional[float] = None
    longitude: Optional[float] = None


# A photo attached to a record.
class RecordPhoto(PhotoBase, table=True):
    __tablename__ = "record_photo"
    __table_args__ = stored_in(BOTH, Index("ix_record_photo_sha256", "sha256"))


# A photo as a pull carries it.
class PhotoPublic(PhotoBase):
    pass
