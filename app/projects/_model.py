"""The tables of livelihood projects: opinions, projects, tasks, ballot rounds, and the store's secret counts."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.records import BOTH, CENTRAL, CreateBody, RecordBase, Uuid, stored_in


# ---------------------------------------------------------------- project opinions (项目意见)

class OpinionBase(RecordBase):
    title: str = ""
    text: str = ""
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    issue_id: Optional[str] = None  # the issue it grew from, if any
    concern_id: Optional[str] = None  # or the villager's concern
    author_id: Optional[str] = None
    project_id: Optional[str] = None  # the candidate it was merged into


class Opinion(OpinionBase, table=True):
    __tablename__ = "opinion"
    __table_args__ = stored_in(BOTH, Index("ix_opinion_created", "created_at", "id"))


class OpinionPublic(OpinionBase):
    pass


class OpinionCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    title: str = PydanticField(max_length=120)
    text: str = PydanticField(default="", max_length=20_000)
    station_id: str | None = PydanticField(default=None, max_length=100)
    issue_id: str | None = PydanticField(default=None, max_length=100)
    concern_id: str | None = PydanticField(default=None, max_length=100)


# ---------------------------------------------------------------- projects (candidates, then chosen)

class ProjectBase(RecordBase):
    title: str = ""
    description: str = ""
    place_name: str = ""
    estimated_cost: float = 0.0  # 万元
    funding_source: str = ""
    beneficiaries: str = ""
    year: int = 0
    end_date: Optional[date] = None
    author_id: Optional[str] = None
    ballot_id: Optional[str] = None  # the round that chose it
    inspections: int = 0


class Project(ProjectBase, table=True):
    __tablename__ = "project"
    __table_args__ = stored_in(BOTH, Index("ix_project_year", "year", "created_at"))
    opinion_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    issue_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ProjectPublic(ProjectBase):
    opinion_ids: list[str] = Field(default_factory=list)
    issue_ids: list[str] = Field(default_factory=list)


class ProjectCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    title: str = PydanticField(max_length=120)
    description: str = PydanticField(default="", max_length=20_000)
    place_name: str = PydanticField(default="", max_length=100)
    estimated_cost: float = PydanticField(default=0.0, ge=0, le=1e7, allow_inf_nan=False)
    funding_source: str = PydanticField(default="", max_length=200)
    beneficiaries: str = PydanticField(default="", max_length=200)
    year: int = PydanticField(ge=2000, le=2100)
    end_date: date | None = None
    opinion_ids: list[Uuid] = PydanticField(default_factory=list, max_length=50)
    issue_ids: list[Uuid] = PydanticField(default_factory=list, max_length=50)


# ---------------------------------------------------------------- tasks of a chosen project

class TaskBase(RecordBase):
    project_id: str = ""
    title: str = ""
    unit_kind: str = "department"  # department | station
    unit_id: Optional[str] = None
    station_id: Optional[str] = None
    department_id: Optional[str] = None
    person: str = ""  # the responsible person, as the project sheet names them
    deadline: Optional[date] = None
    budget: float = 0.0  # 万元
    author_id: Optional[str] = None
    percent: int = 0
    spent: float = 0.0
    done_at: Optional[date] = None


class Task(TaskBase, table=True):
    __tablename__ = "project_task"
    __table_args__ = stored_in(BOTH, Index("ix_project_task_project", "project_id", "deadline"))


class TaskPublic(TaskBase):
    pass


class TaskCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    project_id: Uuid
    title: str = PydanticField(max_length=120)
    unit_kind: str = PydanticField(default="department", pattern=r"^(department|station)$")
    unit_id: str = PydanticField(max_length=100)
    person: str = PydanticField(default="", max_length=60)
    deadline: date
    budget: float = PydanticField(default=0.0, ge=0, le=1e7, allow_inf_nan=False)


# ---------------------------------------------------------------- ballot rounds (票决) and rating rounds (满意度测评)

class BallotBase(RecordBase):
    title: str = ""
    purpose: str = "vote"  # vote | rating
    year: int = 0
    to_choose: int = 0
    author_id: Optional[str] = None
    voted: int = 0  # how many on the roll have voted (the store alone counts it; never who chose what)


class Ballot(BallotBase, table=True):
    __tablename__ = "ballot"
    __table_args__ = stored_in(BOTH, Index("ix_ballot_created", "created_at", "id"))
    candidate_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    roll_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    checked_in_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    results: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    chosen_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tie_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    voter_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class BallotPublic(BallotBase):
    candidate_ids: list[str] = Field(default_factory=list)
    roll_ids: list[str] = Field(default_factory=list)
    checked_in_ids: list[str] = Field(default_factory=list)
    results: dict[str, Any] = Field(default_factory=dict)
    chosen_ids: list[str] = Field(default_factory=list)
    tie_ids: list[str] = Field(default_factory=list)
    voter_ids: list[str] = Field(default_factory=list)


class BallotCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    title: str = PydanticField(max_length=120)
    purpose: str = PydanticField(default="vote", pattern=r"^(vote|rating)$")
    year: int = PydanticField(ge=2000, le=2100)
    to_choose: int = PydanticField(default=0, ge=0, le=50)
    candidate_ids: list[Uuid] = PydanticField(default_factory=list, max_length=50)
    roll_ids: list[Uuid] = PydanticField(default_factory=list, max_length=500)


class CastBody(BaseModel):
    """A deputy's ballot: one choice for each candidate. The store keeps that they voted, apart from the choices."""

    model_config = ConfigDict(extra="ignore")
    id: Uuid
    record_id: Uuid  # the round
    choices: dict[str, str] = PydanticField(default_factory=dict, max_length=50)


# ---------------------------------------------------------------- what only the central store holds

# That a deputy voted in a round: so nobody votes twice, also not from two devices. No choice, no time.
class BallotVoter(SQLModel, table=True):
    __tablename__ = "ballot_voter"
    __table_args__ = stored_in(CENTRAL)
    ballot_id: str = Field(primary_key=True)
    person_id: str = Field(primary_key=True)


# How many chose what for each candidate of a round: counts only, updated in place, no voter.
class BallotCount(SQLModel, table=True):
    __tablename__ = "ballot_count"
    __table_args__ = stored_in(CENTRAL)
    ballot_id: str = Field(primary_key=True)
    project_id: str = Field(primary_key=True)
    choice: str = Field(primary_key=True)
    count: int = 0
