"""The office keeps the liaison stations and the special groups (reference data every phone pulls)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.models import Person, SpecialGroup, SpecialGroupPublic, Station, StationKind, StationPublic
from app.problems import Problem
from app.reference import stable_id
from sync.server.auth import OfficeDep
from sync.server.changes import sync_reference
from sync.server.db import write_session
from sync.server.errors import HTTPProblem, responses
from sync.server.routes import EngineDep

router = APIRouter(tags=["stations"])
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9\-]+$")]


class StationSave(BaseModel):
    """A station as the office writes it; a new code makes a new station."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=100)
    kind: StationKind = StationKind.AREA
    address: str = Field(default="", max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    sort_order: int = Field(default=0, ge=0, le=1000)


class GroupSave(BaseModel):
    """A special group as the office writes it: its station, what it looks after, its members."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=100)
    station_id: str | None = Field(default=None, max_length=100)
    focus: str = Field(default="", max_length=200)
    member_ids: list[str] = Field(default_factory=list, max_length=100)
    sort_order: int = Field(default=0, ge=0, le=1000)


@router.put("/stations/{code}", response_model=StationPublic, responses=responses(403))
def save_station(code: Annotated[str, Path(max_length=40)], body: StationSave, _office: OfficeDep,
                 engine: EngineDep) -> StationPublic:
    """Add a station or change one (office and admin); every phone gets it with its next pull."""
    if body.code != code:
        raise HTTPProblem(Problem.MALFORMED, detail={"errors": ["code: the path and the body name different codes"]})
    with write_session(engine) as session:
        station = session.get(Station, stable_id("station", code)) or Station(id=stable_id("station", code), code=code,
                                                                               name=body.name)
        for name, value in body.model_dump().items():
            setattr(station, name, value.value if isinstance(value, StationKind) else value)
        session.add(station)
        session.flush()
        sync_reference(session)
        session.commit()
        return StationPublic.model_validate(station.model_dump())


@router.put("/groups/{code}", response_model=SpecialGroupPublic, responses=responses(403))
def save_group(code: Annotated[str, Path(max_length=40)], body: GroupSave, _office: OfficeDep,
               engine: EngineDep) -> SpecialGroupPublic:
    """Add a special group or change one (office and admin): its station, focus and members."""
    if body.code != code:
        raise HTTPProblem(Problem.MALFORMED, detail={"errors": ["code: the path and the body name different codes"]})
    with write_session(engine) as session:
        if body.station_id is not None and session.get(Station, body.station_id) is None:
            raise HTTPProblem(Problem.UNKNOWN_STATION, detail={"station_id": body.station_id})
        people = set(session.execute(select(Person.id).where(Person.id.in_(body.member_ids))).scalars())
        unknown = [m for m in body.member_ids if m not in people]
        if unknown:
            raise HTTPProblem(Problem.UNKNOWN_PERSON, detail={"member_ids": unknown})
        group = session.get(SpecialGroup, stable_id("group", code)) or SpecialGroup(
            id=stable_id("group", code), code=code, name=body.name)
        for name, value in body.model_dump().items():
            setattr(group, name, value)
        session.add(group)
        session.flush()
        sync_reference(session)
        session.commit()
        return SpecialGroupPublic.model_validate(group.model_dump())
