"""The rules of reception days, field visits and villagers' concerns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.problems import Problem
from app.records import Context, EventType, Happened, Payload, PhotoPayload, value_of

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
VISIT_PLACES = ("field", "orchard", "enterprise", "school", "household", "village", "other")
STATION_PEOPLE = FIELD_ROLES | OFFICE_ROLES


def mask_phone(phone: str) -> str:
    """A phone number as lists show it to everyone but the office: 138****5678."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else ("****" if phone else "")


def check_phone(phone: str | None) -> str:
    """Return a mainland mobile number without spaces or dashes, or raise; an empty one is fine."""
    cleaned = re.sub(r"[\s\-]", "", phone or "")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    if cleaned and not MAINLAND_MOBILE.match(cleaned):
        raise DomainError(Problem.PHONE_INVALID, field="phone")
    return cleaned


def _station_of(state: Any, actor: Actor) -> None:
    """Deputies and staff work on their own station's records; the office on all."""
    if actor.role in FIELD_ROLES and state.station_id != actor.station_id and actor.id not in state.people:
        raise DomainError(Problem.OUT_OF_SCOPE)


def _guard(state: Any, _event: EventType, actor: Actor) -> None:
    _station_of(state, actor)


# ---------------------------------------------------------------- reception days

@dataclass(frozen=True)
class Concern:
    id: str
    visitor_id: str
    text: str
    answer: str = ""
    issue_id: str | None = None

    @property
    def handled(self) -> bool:
        return bool(self.answer) or self.issue_id is not None


@dataclass(frozen=True)
class ReceptionState:
    status: str = "planned"  # planned → held (once someone is received or attends)
    station_id: str | None = None
    day: date | None = None
    duty: tuple[str, ...] = ()
    attended: tuple[str, ...] = ()
    visitors: tuple[Mapping[str, Any], ...] = ()
    concerns: Mapping[str, Concern] = field(default_factory=dict)

    @property
    def people(self) -> tuple[str, ...]:
        return self.duty + self.attended


def reception_start(row: Any, _payload: Mapping[str, Any]) -> ReceptionState:
    day = value_of(row, "day")
    return ReceptionState(station_id=value_of(row, "station_id"),
                          day=date.fromisoformat(day) if isinstance(day, str) else day,
                          duty=tuple(value_of(row, "duty_deputy_ids") or ()))


def reception_derived(state: ReceptionState) -> dict[str, Any]:
    concerns = list(state.concerns.values())
    return {"status": state.status, "day": state.day, "duty_deputy_ids": list(state.duty),
            "attended_ids": list(state.attended), "visitors": len(state.visitors), "concerns": len(concerns),
            "answered": sum(1 for c in concerns if c.answer), "issues_raised": sum(1 for c in concerns if c.issue_id)}


class Visitor(BaseModel):
    """One person received: name and phone only if they wish (protected), their village."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=100)
    name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    village: str = Field(default="", max_length=60)


class RaisedConcern(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=100)
    text: str = Field(default="", max_length=4000)


class ReceivePayload(Payload):
    visitor: Visitor | None = None
    concerns: list[RaisedConcern] = Field(default_factory=list, max_length=10)


class ConcernPayload(Payload):
    concern_id: str | None = Field(default=None, max_length=100)
    issue_id: str | None = Field(default=None, max_length=100)


class PersonPayload(Payload):
    person_id: str | None = Field(default=None, max_length=100)


class RescheduledPayload(Payload):
    day: date | None = None
    duty_deputy_ids: list[str] | None = Field(default=None, max_length=30)


def _check_receive(_state: ReceptionState, event: Happened, _ctx: Context | None) -> None:
    check_phone(event.payload["visitor"].get("phone"))
    concerns = event.payload.get("concerns") or []
    if not concerns or any(not str(c.get("text") or "").strip() for c in concerns):
        raise DomainError(Problem.VISITOR_CONCERN_REQUIRED, field="concerns")


def _receive(state: ReceptionState, event: Happened) -> ReceptionState:
    visitor = dict(event.payload["visitor"])
    concerns = dict(state.concerns)
    for concern in event.payload.get("concerns") or ():
        concerns[concern["id"]] = Concern(id=concern["id"], visitor_id=visitor["id"], text=concern["text"])
    return replace(state, status="held", visitors=state.visitors + (visitor,), concerns=concerns)


def _open_concern(state: Any, event: Happened) -> Concern:
    concern = state.concerns.get(event.payload.get("concern_id"))
    if concern is None:
        raise DomainError(Problem.UNKNOWN_CONCERN, field="concern_id")
    if concern.handled:
        raise DomainError(Problem.CONCERN_HANDLED, field="concern_id")
    return concern


def _check_open_concern(state: Any, event: Happened, _ctx: Context | None) -> None:
    _open_concern(state, event)


def _answer(state: ReceptionState, event: Happened) -> ReceptionState:
    concern = state.concerns[event.payload["concern_id"]]
    return replace(state, concerns={**state.concerns, concern.id: replace(concern, answer=event.payload["text"])})


def _to_issue(state: ReceptionState, event: Happened) -> ReceptionState:
    concern = state.concerns[event.payload["concern_id"]]
    return replace(state, concerns={**state.concerns, concern.id: replace(concern, issue_id=event.payload["issue_id"])})


def _attend(state: ReceptionState, event: Happened) -> ReceptionState:
    person = event.payload.get("person_id") or event.actor.id
    if person in state.attended:
        return replace(state, status="held")
    return replace(state, status="held", attended=state.attended + (person,))


def _reschedule(state: ReceptionState, event: Happened) -> ReceptionState:
    day = event.payload.get("day")
    duty = event.payload.get("duty_deputy_ids")
    return replace(state, day=date.fromisoformat(day) if isinstance(day, str) else (day or state.day),
                   duty=tuple(duty) if duty is not None else state.duty)


ANY = frozenset({"planned", "held"})
TEXT = {"text": Problem.TEXT_REQUIRED}

RECEPTION_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("attend", ANY, STATION_PEOPLE, PersonPayload,
              references={"person_id": ("person", Problem.UNKNOWN_PERSON)}, effect=_attend),
    EventType("receive", ANY, STATION_PEOPLE, ReceivePayload, required={"visitor": Problem.VISITOR_CONCERN_REQUIRED},
              check=_check_receive, effect=_receive),
    EventType("answer", ANY, STATION_PEOPLE, ConcernPayload, required={"concern_id": Problem.UNKNOWN_CONCERN, **TEXT},
              check=_check_open_concern, effect=_answer),
    EventType("to_issue", ANY, STATION_PEOPLE, ConcernPayload,
              required={"concern_id": Problem.UNKNOWN_CONCERN, "issue_id": Problem.UNKNOWN_ISSUE},
              references={"issue_id": ("issue", Problem.UNKNOWN_ISSUE)}, check=_check_open_concern,
              effect=_to_issue),
    EventType("reschedule", frozenset({"planned"}), OFFICE_ROLES, RescheduledPayload, effect=_reschedule),
    EventType("comment", ANY, ALL_ROLES, required=TEXT),
)}


def reception_may_create(actor: Actor, body: Any) -> bool:
    """The office plans the schedule; a station's deputies and staff may log a day it did not have."""
    if actor.role in OFFICE_ROLES:
        return True
    return actor.role in FIELD_ROLES and body.station_id == actor.station_id and not body.scheduled


def reception_check(body: Any, ctx: Context, _actor: Actor) -> None:
    if not ctx.has("station", body.station_id):
        raise DomainError(Problem.UNKNOWN_STATION, field="station_id")
    for person in body.duty_deputy_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="duty_deputy_ids")


def redact_visitors(entity: str, data: dict[str, Any], viewer: Actor) -> dict[str, Any]:
    """Mask a visitor's phone number for every role but the office's (in pulls, lists and exports)."""
    if viewer.role in OFFICE_ROLES or entity != "event" or data.get("type") != "receive":
        return data
    payload = dict(data.get("payload") or {})
    visitor = dict(payload.get("visitor") or {})
    if visitor.get("phone"):
        visitor["phone"] = mask_phone(visitor["phone"])
    return {**data, "payload": {**payload, "visitor": visitor}}


# ---------------------------------------------------------------- field visits

@dataclass(frozen=True)
class VisitState:
    status: str = "active"  # active → deleted (only while it raised no issue)
    station_id: str | None = None
    deputies: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()

    @property
    def people(self) -> tuple[str, ...]:
        return self.deputies


def visit_start(row: Any, _payload: Mapping[str, Any]) -> VisitState:
    return VisitState(station_id=value_of(row, "station_id"), deputies=tuple(value_of(row, "deputy_ids") or ()))


def visit_derived(state: VisitState) -> dict[str, Any]:
    return {"status": state.status, "issue_count": len(state.issues), "deputy_ids": list(state.deputies)}


class VisitIssuePayload(Payload):
    issue_id: str | None = Field(default=None, max_length=100)


def _check_delete(state: VisitState, _event: Happened, _ctx: Context | None) -> None:
    if state.issues:
        raise DomainError(Problem.VISIT_HAS_ISSUES)


def _raised(state: VisitState, event: Happened) -> VisitState:
    return replace(state, issues=state.issues + (str(event.payload["issue_id"]),))


def _check_place(body: Any, ctx: Context, _actor: Actor) -> None:
    if body.place_type not in VISIT_PLACES:
        raise DomainError(Problem.UNKNOWN_PLACE_TYPE, field="place_type")
    if body.station_id is not None and not ctx.has("station", body.station_id):
        raise DomainError(Problem.UNKNOWN_STATION, field="station_id")
    for person in body.deputy_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="deputy_ids")


VISIT_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("raise_issue", frozenset({"active"}), STATION_PEOPLE, VisitIssuePayload,
              required={"issue_id": Problem.UNKNOWN_ISSUE}, references={"issue_id": ("issue", Problem.UNKNOWN_ISSUE)},
              effect=_raised),
    EventType("attach_photo", frozenset({"active"}), STATION_PEOPLE, PhotoPayload,
              required={"sha256": Problem.PHOTO_HASH_REQUIRED}, attaches_photos=True),
    EventType("delete", frozenset({"active"}), STATION_PEOPLE, leads_to="deleted", check=_check_delete),
    EventType("comment", frozenset({"active"}), ALL_ROLES, required=TEXT),
)}


# ---------------------------------------------------------------- villagers' concerns

@dataclass(frozen=True)
class ConcernState:
    status: str = "open"  # open → answered | issued | closed
    station_id: str | None = None
    answer: str = ""
    issue_id: str | None = None

    @property
    def people(self) -> tuple[str, ...]:
        return ()


def concern_start(row: Any, _payload: Mapping[str, Any]) -> ConcernState:
    return ConcernState(station_id=value_of(row, "station_id"))


def concern_derived(state: ConcernState) -> dict[str, Any]:
    return {"status": state.status, "answer": state.answer, "issue_id": state.issue_id}


def _concern_answer(state: ConcernState, event: Happened) -> ConcernState:
    return replace(state, answer=event.payload["text"])


def _concern_issue(state: ConcernState, event: Happened) -> ConcernState:
    return replace(state, issue_id=event.payload["issue_id"])


def _concern_close(state: ConcernState, event: Happened) -> ConcernState:
    return replace(state, answer=event.payload["text"])


OPEN_CONCERN = frozenset({"open"})
CONCERN_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("answer", OPEN_CONCERN, STATION_PEOPLE, leads_to="answered", required=TEXT, effect=_concern_answer),
    EventType("to_issue", OPEN_CONCERN, STATION_PEOPLE, ConcernPayload, leads_to="issued",
              required={"issue_id": Problem.UNKNOWN_ISSUE}, references={"issue_id": ("issue", Problem.UNKNOWN_ISSUE)},
              effect=_concern_issue),
    EventType("close", OPEN_CONCERN, STATION_PEOPLE, leads_to="closed", required=TEXT, effect=_concern_close),
    EventType("comment", frozenset({"open", "answered", "issued", "closed"}), ALL_ROLES, required=TEXT),
)}


def concern_may_create(actor: Actor, _body: Any) -> bool:
    """Only the central store's public page creates concerns; no device pushes one."""
    return actor.role is Role.PUBLIC


def concern_check(body: Any, ctx: Context, _actor: Actor) -> None:
    if not ctx.has("station", body.station_id):
        raise DomainError(Problem.UNKNOWN_STATION, field="station_id")
    if not body.text.strip():
        raise DomainError(Problem.CONCERN_EMPTY, field="text")
    if not body.village.strip():
        raise DomainError(Problem.VILLAGE_REQUIRED, field="village")
    check_phone(body.phone)


def redact_concerns(entity: str, data: dict[str, Any], viewer: Actor) -> dict[str, Any]:
    """Mask the villager's phone number for every role but the office's."""
    if viewer.role in OFFICE_ROLES or entity != "concern" or not data.get("phone"):
        return data
    return {**data, "phone": mask_phone(data["phone"])}


def guard(state: Any, event: EventType, actor: Actor) -> None:
    _guard(state, event, actor)
