"""The central store's own tables: accounts, device tokens, answered mutations, the change log, photo blobs.

They are part of the one schema (SQLModel's metadata, with the record tables of app/);
the code reads and writes them through SQLAlchemy Core (`users`, `change_log`, ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from app.records import CENTRAL, stored_in, time_column


# A login: a username and password hash for one person.
class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = stored_in(CENTRAL)
    id: str = Field(primary_key=True)
    username: str = Field(sa_column_kwargs={"unique": True})
    password_hash: str
    person_id: str = Field(foreign_key="person.id", sa_column_kwargs={"unique": True})
    created_at: datetime = time_column()
    password_changed_at: datetime = time_column()


# One signed-in device: the hash of its bearer token, until it expires or the office revokes it.
class DeviceToken(SQLModel, table=True):
    __tablename__ = "device_token"
    __table_args__ = stored_in(CENTRAL)
    id: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(sa_column_kwargs={"unique": True})
    device_name: str = ""
    created_at: datetime = time_column()
    expires_at: datetime = time_column()
    revoked_at: Optional[datetime] = time_column(default=None)
    last_seen_at: Optional[datetime] = time_column(default=None)


# A mutation the store answered for good, with a hash of its body and the answer, so a resend is harmless.
class AppliedMutation(SQLModel, table=True):
    __tablename__ = "applied_mutation"
    __table_args__ = stored_in(CENTRAL)
    id: str = Field(primary_key=True)
    body_hash: str
    kind: str
    user_id: str
    device_id: str
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = time_column()


# Every change the store accepted, in one global order, with the scope columns of its record.
class ChangeLog(SQLModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = stored_in(
        CENTRAL,
        Index("ix_change_log_audience_seq", "audience", "seq"),
        Index("ix_change_log_station_seq", "station_id", "seq"),
        Index("ix_change_log_department_seq", "department_id", "seq"),
        Index("ix_change_log_author_seq", "author_id", "seq"),
        Index("ix_change_log_person_seq", "person_id", "seq"),
        Index("ix_change_log_entity", "entity", "entity_id"),
        sqlite_autoincrement=True,
    )
    # SQLite: an alias of the rowid, never reused (AUTOINCREMENT).
    seq: Optional[int] = Field(default=None, sa_column=Column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True))
    entity: str
    entity_id: str
    record_kind: Optional[str] = None
    record_id: Optional[str] = None
    # everyone: reference data; record: whoever may see the record; department: only that
    # department (a record's history sent again when it is assigned there, or its revocation).
    audience: str
    station_id: Optional[str] = None
    department_id: Optional[str] = None
    author_id: Optional[str] = None
    person_id: Optional[str] = None  # audience person: the one person the row is for (a record's follower)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = time_column()


# A photo upload: complete once its bytes hash to its name and the file is stored.
class Blob(SQLModel, table=True):
    __tablename__ = "blob"
    __table_args__ = stored_in(CENTRAL)
    sha256: str = Field(primary_key=True)
    length: int = Field(sa_type=BigInteger)
    complete: bool = False
    created_at: datetime = time_column()
    completed_at: Optional[datetime] = time_column(default=None)
    uploaded_by: Optional[str] = None


users = User.__table__
device_token = DeviceToken.__table__
applied_mutation = AppliedMutation.__table__
change_log = ChangeLog.__table__
blob = Blob.__table__
