"""An inspection's rules: participants answer items in any order, the lead settles differences and signs off.

Each answer is an event, so the sections deputies answer on their own phones merge into
one inspection when they sync; two people's different answers to one item are both kept
(a conflict) until the lead picks one. Scores and flags come from the template version
the inspection was started with, which its `create` event keeps whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Mapping

from pydantic import Field

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor
from app.errors import DomainError
from app.inspections._template import NOT_APPLICABLE, Item, ResponseType, Template
from app.problems import Problem
from app.records import Context, EventType, Happened, Payload, PhotoBody, value_of


class InspectionStatus(StrEnum):
    IN_PROGRESS = "in_progress"  # 检查中
    SIGNED_OFF = "signed_off"  # 已签字确认


@dataclass(frozen=True)
class Answer:
    """One person's answer to one item."""

    event_id: str
    by: str
    value: Any
    note: str
    photos: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class InspectionState:
    status: str = InspectionStatus.IN_PROGRESS.value
    template: Template | None = None
    lead_id: str | None = None
    participant_ids: tuple[str, ...] = ()
    answers: Mapping[str, tuple[Answer, ...]] = field(default_factory=dict)  # item id -> the latest of each person
    chosen: Mapping[str, str] = field(default_factory=dict)  # item id -> the event id of the answer the lead chose
    issues: Mapping[str, str] = field(default_factory=dict)  # item id -> the issue it became
    signed_off_at: datetime | None = None

    def answer(self, item_id: str) -> Answer | None:
        """The answer that counts for an item: the lead's choice, or the one all agree on (None if they differ)."""
        given = self.answers.get(item_id, ())
        if item_id in self.chosen:
            return next((a for a in given if a.event_id == self.chosen[item_id]), None)
        if not given or len({_same(a.value) for a in given}) > 1:
            return None
        return max(given, key=lambda a: a.at)

    def in_conflict(self, item_id: str) -> bool:
        given = self.answers.get(item_id, ())
        return item_id not in self.chosen and len({_same(a.value) for a in given}) > 1

    def values(self) -> dict[str, Any]:
        return {item_id: a.value for item_id in self.answers if (a := self.answer(item_id)) is not None}

    def shown_items(self) -> list[Item]:
        if self.template is None:
            return []
        values = self.values()
        return [item for _section, item in self.template.walk() if self.template.shown(item, values)]

    def flagged_items(self) -> list[Item]:
        return [item for item in self.shown_items() if (a := self.answer(item.id)) and item.is_flagged(a.value)]

    def missing_evidence(self) -> list[Item]:
        """Flagged items without the photo or note their template asks for."""
        missing = []
        for item in self.flagged_items():
            answer = self.answer(item.id)
            has_photo, has_note = bool(answer.photos), bool(answer.note.strip())
            need = item.requires
            if (need == "photo" and not has_photo) or (need == "note" and not has_note) or \
                    (need == "photo_or_note" and not (has_photo or has_note)):
                missing.append(item)
        return missing


def _same(value: Any) -> Any:
    return tuple(sorted(value)) if isinstance(value, list) else value


def start(row: Any, create_payload: Mapping[str, Any]) -> InspectionState:
    definition = create_payload.get("template")
    template = Template.model_validate(definition) if definition else None
    return InspectionState(template=template, lead_id=value_of(row, "author_id"),
                           participant_ids=tuple(value_of(row, "participant_ids") or ()))


def derived(state: InspectionState) -> dict[str, Any]:
    shown = state.shown_items()
    counted = [(item, a) for item in shown if (a := state.answer(item.id)) is not None]
    scored = [(item, item.score(a.value)) for item, a in counted]
    return {"status": state.status, "score": float(sum(s for _i, s in scored if s is not None)),
            "max_score": float(sum(i.max_score() for i, s in scored if s is not None)),
            "answered": len(counted), "total": len(shown), "flagged": len(state.flagged_items()),
            "conflicts": sum(1 for item in shown if state.in_conflict(item.id)), "issue_count": len(state.issues),
            "signed_off_at": state.signed_off_at, "participant_ids": list(state.participant_ids)}


# ---------------------------------------------------------------- payloads

class AnswerPayload(Payload):
    item_id: str | None = Field(default=None, max_length=80)
    value: Any = None
    note: str = Field(default="", max_length=2000)
    photos: list[PhotoBody] = Field(default_factory=list, max_length=10)


class ChoosePayload(Payload):
    item_id: str | None = Field(default=None, max_length=80)
    answer_id: str | None = Field(default=None, max_length=100)


class RaisedPayload(Payload):
    item_id: str | None = Field(default=None, max_length=80)
    issue_id: str | None = Field(default=None, max_length=100)


class ParticipantPayload(Payload):
    person_id: str | None = Field(default=None, max_length=100)


# ---------------------------------------------------------------- who may, what must hold, what it does

def _participant(state: InspectionState, actor: Actor) -> None:
    if actor.id != state.lead_id and actor.id not in state.participant_ids:
        raise DomainError(Problem.NOT_A_PARTICIPANT)


def _lead(state: InspectionState, actor: Actor) -> None:
    if actor.id != state.lead_id:
        raise DomainError(Problem.ONLY_LEAD)


def _item(state: InspectionState, item_id: Any) -> Item:
    item = state.template.items.get(str(item_id)) if state.template is not None else None
    if item is None:
        raise DomainError(Problem.UNKNOWN_ITEM, field="item_id", item=str(item_id))
    return item


def valid_value(item: Item, value: Any, photos: list) -> bool:
    """Whether a value is an answer the item takes."""
    if item.type in (ResponseType.PASS_FAIL, ResponseType.YES_NO, ResponseType.SINGLE):
        return isinstance(value, str) and value in item.answers()
    if item.type is ResponseType.MULTIPLE:
        return isinstance(value, list) and all(isinstance(v, str) and v in item.answers() for v in value)
    if item.type is ResponseType.NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e12
    if item.type is ResponseType.TEXT:
        return isinstance(value, str) and bool(value.strip())
    if item.type is ResponseType.PHOTO:
        return bool(photos)
    return False


def _check_answer(state: InspectionState, event: Happened, _ctx: Context | None) -> None:
    item = _item(state, event.payload.get("item_id"))
    if not valid_value(item, event.payload.get("value"), event.payload.get("photos") or []):
        raise DomainError(Problem.BAD_ANSWER, field="value", item=item.id)
    if not state.template.shown(item, state.values()):
        raise DomainError(Problem.ITEM_NOT_SHOWN, field="item_id", item=item.id)


def _answer(state: InspectionState, event: Happened) -> InspectionState:
    payload = event.payload
    item_id = str(payload["item_id"])
    answer = Answer(event_id=event.id,
                    by=event.actor.id, value=payload.get("value"), note=str(payload.get("note") or ""),
                    photos=tuple(p["sha256"] for p in payload.get("photos") or ()), at=event.at)
    # A person who answers again changes their own answer; other people's stay beside it.
    kept = tuple(a for a in state.answers.get(item_id, ()) if a.by != event.actor.id) + (answer,)
    chosen = {k: v for k, v in state.chosen.items() if k != item_id}  # a new answer reopens the lead's choice
    return replace(state, answers={**state.answers, item_id: kept}, chosen=chosen)


def _check_choose(state: InspectionState, event: Happened, _ctx: Context | None) -> None:
    item = _item(state, event.payload.get("item_id"))
    if not state.in_conflict(item.id):
        raise DomainError(Problem.NO_CONFLICT, field="item_id", item=item.id)
    if event.payload.get("answer_id") not in {a.event_id for a in state.answers.get(item.id, ())}:
        raise DomainError(Problem.UNKNOWN_ANSWER, field="answer_id", item=item.id)


def _choose(state: InspectionState, event: Happened) -> InspectionState:
    return replace(state, chosen={**state.chosen, str(event.payload["item_id"]): str(event.payload["answer_id"])})


def _check_raise(state: InspectionState, event: Happened, _ctx: Context | None) -> None:
    item = _item(state, event.payload.get("item_id"))
    if item not in state.flagged_items():
        raise DomainError(Problem.NOT_FLAGGED, field="item_id", item=item.id)
    if item.id in state.issues:
        raise DomainError(Problem.ISSUE_RAISED, field="item_id", item=item.id)


def _raised(state: InspectionState, event: Happened) -> InspectionState:
    return replace(state, issues={**state.issues, str(event.payload["item_id"]): str(event.payload["issue_id"])})


def _check_sign_off(state: InspectionState, _event: Happened, _ctx: Context | None) -> None:
    open_items = [item.id for item in state.shown_items() if state.in_conflict(item.id)]
    if open_items:
        raise DomainError(Problem.CONFLICTS_OPEN, items="、".join(open_items))
    missing = state.missing_evidence()
    if missing:
        raise DomainError(Problem.EVIDENCE_MISSING, item=missing[0].text, items="、".join(i.id for i in missing))


def _sign_off(state: InspectionState, event: Happened) -> InspectionState:
    return replace(state, signed_off_at=event.at)


def _join(state: InspectionState, event: Happened) -> InspectionState:
    person = str(event.payload["person_id"])
    if person in state.participant_ids or person == state.lead_id:
        return state
    return replace(state, participant_ids=state.participant_ids + (person,))


IN_PROGRESS = frozenset({InspectionStatus.IN_PROGRESS})
EVERY = frozenset(InspectionStatus)
INSPECTORS = FIELD_ROLES | OFFICE_ROLES

EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("answer", IN_PROGRESS, INSPECTORS, AnswerPayload, may=_participant,
              required={"item_id": Problem.UNKNOWN_ITEM}, check=_check_answer, effect=_answer, attaches_photos=True),
    EventType("choose", IN_PROGRESS, INSPECTORS, ChoosePayload, may=_lead,
              required={"item_id": Problem.UNKNOWN_ITEM, "answer_id": Problem.UNKNOWN_ANSWER}, check=_check_choose,
              effect=_choose),
    EventType("add_participant", IN_PROGRESS, INSPECTORS, ParticipantPayload, may=_lead,
              required={"person_id": Problem.PERSON_REQUIRED},
              references={"person_id": ("person", Problem.UNKNOWN_PERSON)}, effect=_join),
    # A flagged item turned into an issue (the issue is its own record; this links it). Also after sign-off.
    EventType("raise_issue", EVERY, INSPECTORS, RaisedPayload, may=_participant,
              required={"item_id": Problem.UNKNOWN_ITEM, "issue_id": Problem.UNKNOWN_ISSUE},
              references={"issue_id": ("issue", Problem.UNKNOWN_ISSUE)}, check=_check_raise, effect=_raised),
    EventType("sign_off", IN_PROGRESS, INSPECTORS, may=_lead, leads_to=InspectionStatus.SIGNED_OFF,
              check=_check_sign_off, effect=_sign_off),
    EventType("comment", EVERY, ALL_ROLES, required={"text": Problem.TEXT_REQUIRED}),
)}
