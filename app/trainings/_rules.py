"""The rules of a training session: who takes attendance, who confirms their own, what it may carry."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from pydantic import Field

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.problems import Problem
from app.records import Context, EventType, Happened, Payload, PhotoBody, value_of

# Who runs a session and takes its attendance: the office, and the staff of a station.
ORGANISERS = OFFICE_ROLES | {Role.STATION_STAFF}
LIVE = frozenset({"planned", "held"})


@dataclass(frozen=True)
class TrainingState:
    status: str = "planned"  # planned → held (once anyone's attendance is recorded) | cancelled
    invited: tuple[str, ...] = ()
    attended: tuple[str, ...] = ()


class AttendancePayload(Payload):
    # Ticked on a list, offline: who was there and who was not (a later list corrects an earlier one).
    present_ids: list[str] = Field(default_factory=list, max_length=500)
    absent_ids: list[str] = Field(default_factory=list, max_length=500)


class MaterialsPayload(Payload):
    photos: list[PhotoBody] = Field(default_factory=list, max_length=30)


def _check_attendance(state: TrainingState, event: Happened, ctx: Context | None) -> None:
    named = list(event.payload.get("present_ids") or ()) + list(event.payload.get("absent_ids") or ())
    if not named:
        raise DomainError(Problem.PERSON_REQUIRED, field="present_ids")
    for person in named:
        if state.invited and person not in state.invited:
            raise DomainError(Problem.NOT_INVITED, field="present_ids")
        if ctx is not None and not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="present_ids")


def _attendance(state: TrainingState, event: Happened) -> TrainingState:
    absent = set(event.payload.get("absent_ids") or ())
    present = [p for p in state.attended if p not in absent]
    present += [p for p in event.payload.get("present_ids") or () if p not in present and p not in absent]
    return replace(state, status="held", attended=tuple(present))


def _may_confirm(state: TrainingState, actor: Actor) -> None:
    if state.invited and actor.id not in state.invited:
        raise DomainError(Problem.NOT_INVITED)


def _confirm(state: TrainingState, event: Happened) -> TrainingState:
    person = event.actor.id
    attended = state.attended if person in state.attended else state.attended + (person,)
    return replace(state, status="held", attended=attended)


def start(row: Any, _payload: Mapping[str, Any]) -> TrainingState:
    return TrainingState(invited=tuple(value_of(row, "invited_ids") or ()))


def derived(state: TrainingState) -> dict[str, Any]:
    return {"status": state.status, "attended_ids": list(state.attended), "attended": len(state.attended)}


def check_create(body: Any, ctx: Context, _actor: Actor) -> None:
    if not body.title.strip():
        raise DomainError(Problem.TITLE_REQUIRED, field="title")
    if body.station_id is not None and not ctx.has("station", body.station_id):
        raise DomainError(Problem.UNKNOWN_STATION, field="station_id")
    for person in body.invited_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="invited_ids")


def may_create(actor: Actor, _body: Any) -> bool:
    return actor.role in ORGANISERS


EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("attendance", LIVE, ORGANISERS, AttendancePayload, check=_check_attendance, effect=_attendance),
    EventType("confirm", LIVE, FIELD_ROLES, may=_may_confirm, effect=_confirm),
    EventType("materials", LIVE, ORGANISERS, MaterialsPayload, attaches_photos=True),
    EventType("cancel", frozenset({"planned"}), ORGANISERS, leads_to="cancelled", required={"text": Problem.TEXT_REQUIRED}),
    EventType("comment", LIVE | {"cancelled"}, ALL_ROLES, required={"text": Problem.TEXT_REQUIRED}),
)}
