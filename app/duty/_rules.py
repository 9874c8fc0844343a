"""The rules of a call for duty reports and of a deputy's report: who writes, who sends back, when."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from pydantic import Field

from app.actors import ALL_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.problems import Problem
from app.records import Context, EventType, Happened, Payload, PhotoBody, value_of
from app.duty._model import REPORT_TEXT_MAX

TEXT = {"text": Problem.TEXT_REQUIRED}


# ---------------------------------------------------------------- the call

@dataclass(frozen=True)
class CallState:
    status: str = "open"  # open → closed


def call_start(_row: Any, _payload: Mapping[str, Any]) -> CallState:
    return CallState()


def call_derived(state: CallState) -> dict[str, Any]:
    return {"status": state.status}


def call_check(body: Any, ctx: Context, _actor: Actor) -> None:
    if not body.title.strip():
        raise DomainError(Problem.TITLE_REQUIRED, field="title")
    if not body.person_ids:
        raise DomainError(Problem.PERSON_REQUIRED, field="person_ids")
    for person in body.person_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="person_ids")


CALL_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("remind", frozenset({"open"}), OFFICE_ROLES, required=TEXT),
    EventType("close", frozenset({"open"}), OFFICE_ROLES, leads_to="closed"),
    EventType("reopen", frozenset({"closed"}), OFFICE_ROLES, leads_to="open"),
)}


# ---------------------------------------------------------------- the report

@dataclass(frozen=True)
class ReportState:
    status: str = "submitted"  # submitted → accepted | returned → submitted …
    author_id: str | None = None
    submitted_at: datetime | None = None
    returned_note: str = ""
    title: str = ""
    text: str = ""


class ResubmitPayload(Payload):
    title: str | None = Field(default=None, max_length=120)
    text: str | None = Field(default=None, max_length=REPORT_TEXT_MAX)
    photos: list[PhotoBody] = Field(default_factory=list, max_length=30)


class AttachPayload(Payload):
    photos: list[PhotoBody] = Field(default_factory=list, max_length=30)


def report_start(row: Any, payload: Mapping[str, Any]) -> ReportState:
    """The report as first submitted: its words are kept in the creation's payload, so none is ever lost."""
    return ReportState(author_id=value_of(row, "author_id"), submitted_at=value_of(row, "created_at"),
                       title=payload.get("title", value_of(row, "title") or ""),
                       text=payload.get("text", value_of(row, "text") or ""))


def report_payload(body: Any) -> dict[str, Any]:
    return {"photos": [p.sha256 for p in body.photos], "title": body.title.strip(), "text": body.text}


def report_derived(state: ReportState) -> dict[str, Any]:
    return {"status": state.status, "submitted_at": state.submitted_at, "returned_note": state.returned_note,
            "title": state.title, "text": state.text}


def _author_only(state: ReportState, actor: Actor) -> None:
    if actor.id != state.author_id:
        raise DomainError(Problem.ONLY_AUTHOR)


def _returned(state: ReportState, event: Happened) -> ReportState:
    return replace(state, returned_note=event.payload.get("text") or "")


def _resubmitted(state: ReportState, event: Happened) -> ReportState:
    return replace(state, submitted_at=event.at, returned_note="",
                   title=(event.payload.get("title") or state.title).strip(),
                   text=event.payload.get("text") if event.payload.get("text") is not None else state.text)


def report_check(body: Any, ctx: Context, actor: Actor) -> None:
    call = ctx.row("report_call", body.call_id)
    if call is None:
        raise DomainError(Problem.UNKNOWN_CALL, field="call_id")
    if call["status"] != "open":
        raise DomainError(Problem.CALL_CLOSED, field="call_id")
    if actor.id not in (call["person_ids"] or ()):
        raise DomainError(Problem.NOT_CALLED, field="call_id")
    if not body.title.strip():
        raise DomainError(Problem.TITLE_REQUIRED, field="title")
    if not body.text.strip():
        raise DomainError(Problem.TEXT_REQUIRED, field="text")


def may_report(actor: Actor, _body: Any) -> bool:
    return actor.role in (Role.DEPUTY, Role.STATION_STAFF)


REPORT_EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("return", frozenset({"submitted"}), OFFICE_ROLES, leads_to="returned", required=TEXT, effect=_returned),
    EventType("resubmit", frozenset({"returned"}), ALL_ROLES, ResubmitPayload, leads_to="submitted",
              may=_author_only, effect=_resubmitted, attaches_photos=True),
    EventType("attach", frozenset({"submitted", "returned"}), ALL_ROLES, AttachPayload, may=_author_only,
              attaches_photos=True),
    EventType("accept", frozenset({"submitted"}), OFFICE_ROLES, leads_to="accepted"),
    EventType("comment", frozenset({"submitted", "returned", "accepted"}), ALL_ROLES, required=TEXT),
)}
