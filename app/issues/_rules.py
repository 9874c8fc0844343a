"""The closed loop as rules: which event may happen in which status, by whom, and what it leads to."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Mapping

from pydantic import Field

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.issues._model import IssueSource, Location, LocationSource, PlaceType
from app.problems import Problem
from app.clock import to_china
from app.records import Context, EventType, Happened, Payload, PhotoBody, PhotoPayload, value_of

TITLE_MAX = 120
DESCRIPTION_MAX = 20_000
PLACE_NAME_MAX = 100


class Status(StrEnum):
    NEW = "new"  # 待分办
    ASSIGNED = "assigned"  # 已交办 (also after a rating of 不满意 or a look-back that found it not fixed)
    IN_PROGRESS = "in_progress"  # 办理中
    RESOLVED = "resolved"  # 已办结
    RATED = "rated"  # 已评价 (满意 / 基本满意)
    VERIFIED = "verified"  # 已核实: a look-back (回头看) confirmed the fix
    RETURNED = "returned"  # 已退回
    MERGED = "merged"  # 已合并


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意: handled again


class Finding(StrEnum):
    CONFIRMED = "confirmed"  # the fix holds
    NOT_FIXED = "not_fixed"  # handled again


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class Nature(StrEnum):
    PROBLEM = "problem"  # 问题
    SUGGESTION = "suggestion"  # 建议


# Escalation levels of supervision (跟踪督办), each an event in the timeline.
REMINDER, LETTER, LEADERSHIP = 1, 2, 3

OPEN = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.RATED, Status.VERIFIED,
                  Status.RETURNED})
HANDLING = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})
DONE = frozenset({Status.RESOLVED, Status.RATED, Status.VERIFIED})
NEW_OR_HANDLING = frozenset({Status.NEW}) | HANDLING


@dataclass(frozen=True)
class IssueState:
    """What an issue's timeline adds up to; never stored as the truth, always recomputed."""

    status: Status = Status.NEW
    category_id: str | None = None
    department_id: str | None = None  # the lead department
    co_department_ids: tuple[str, ...] = ()
    station_id: str | None = None
    reporter_id: str | None = None
    urgency: str = Urgency.NORMAL.value
    nature: str = Nature.PROBLEM.value
    key_suggestion: bool = False
    deadline: date | None = None
    extension_asked: date | None = None  # a deadline the lead department asked for, not yet answered
    escalation: int = 0  # 1 reminder, 2 supervision letter, 3 reported to the township leadership
    assigned_at: datetime | None = None
    resolved_at: datetime | None = None
    verified_at: datetime | None = None
    satisfaction: str | None = None
    rating: int | None = None  # the 1-5 score of ratings recorded before satisfaction levels
    reopened: int = 0  # how many times a rating or a look-back sent it back
    merged_into: str | None = None
    follower_ids: tuple[str, ...] = ()


def start(row: Any, create_payload: Mapping[str, Any]) -> IssueState:
    """Return the state an issue's creation starts its timeline in."""
    # Issues recorded before the create event kept the category start from the row's.
    category = create_payload["category_id"] if "category_id" in create_payload else value_of(row, "category_id")
    return IssueState(category_id=category, station_id=value_of(row, "station_id"),
                      reporter_id=value_of(row, "reporter_id"))


def derived(state: IssueState) -> dict[str, Any]:
    """The issue's columns that its timeline decides (besides updated_at)."""
    return {"status": state.status.value if isinstance(state.status, Status) else state.status,
            "department_id": state.department_id, "co_department_ids": list(state.co_department_ids),
            "category_id": state.category_id, "rating": state.rating, "satisfaction": state.satisfaction,
            "urgency": state.urgency, "nature": state.nature, "key_suggestion": state.key_suggestion,
            "deadline": state.deadline, "extension_asked": state.extension_asked, "escalation": state.escalation,
            "assigned_at": state.assigned_at, "resolved_at": state.resolved_at, "verified_at": state.verified_at,
            "reopened": state.reopened, "merged_into": state.merged_into, "follower_ids": list(state.follower_ids)}


def guard(state: IssueState, event: EventType, actor: Actor) -> None:
    """A department acts only on the issues it handles: as lead, or (for progress and comments) co-handling."""
    if actor.role is not Role.DEPARTMENT:
        return
    if state.department_id == actor.department_id:
        return
    if event.name in CO_HANDLING and actor.department_id in state.co_department_ids:
        return
    raise DomainError(Problem.NOT_YOUR_DEPARTMENT)


def china_day(moment: datetime) -> date:
    return to_china(moment).date()


# ---------------------------------------------------------------- payloads

class ClassifyPayload(Payload):
    category_id: str | None = Field(default=None, max_length=100)
    urgency: str | None = Field(default=None, max_length=20)
    nature: str | None = Field(default=None, max_length=20)
    key_suggestion: bool | None = None  # 重点建议


class AssignPayload(Payload):
    department_id: str | None = Field(default=None, max_length=100)
    co_department_ids: list[str] = Field(default_factory=list, max_length=10)
    deadline: date | None = None


class ExtensionPayload(Payload):
    deadline: date | None = None


class ReplyPayload(Payload):
    """Progress or the result from a department: words, photos, how far along."""

    photos: list[PhotoBody] = Field(default_factory=list, max_length=20)
    percent: int | None = Field(default=None, ge=0, le=100)


class RatePayload(Payload):
    satisfaction: str | None = Field(default=None, max_length=20)
    # Ratings recorded before satisfaction levels gave a 1-5 score.
    score: Any = Field(default=None, json_schema_extra={"type": "integer", "minimum": 1, "maximum": 5})


class LookBackPayload(Payload):
    finding: str | None = Field(default=None, max_length=20)
    photos: list[PhotoBody] = Field(default_factory=list, max_length=20)  # after the fix, beside the first ones


class EscalatePayload(Payload):
    level: int | None = None
    letter_id: str | None = Field(default=None, max_length=100)


class MergePayload(Payload):
    into: str | None = Field(default=None, max_length=100)


class FollowPayload(Payload):
    person_id: str | None = Field(default=None, max_length=100)
    duplicate_id: str | None = Field(default=None, max_length=100)


# ---------------------------------------------------------------- who may, what must hold, what it does

def _lead_only(state: IssueState, actor: Actor) -> None:
    if actor.role is Role.DEPARTMENT and state.department_id != actor.department_id:
        raise DomainError(Problem.NOT_YOUR_DEPARTMENT)


def _reporter_only(state: IssueState, actor: Actor) -> None:
    if actor.id != state.reporter_id:
        raise DomainError(Problem.NOT_THE_REPORTER)


def _extension_asked(state: IssueState, _actor: Actor) -> None:
    if state.extension_asked is None:
        raise DomainError(Problem.NO_EXTENSION_ASKED)


def _check_photo(_state: IssueState, event: Happened, _ctx: Context | None) -> None:
    sha = event.payload.get("sha256")
    if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
        raise DomainError(Problem.PHOTO_HASH_REQUIRED, field="sha256")


def _check_classify(_state: IssueState, event: Happened, _ctx: Context | None) -> None:
    payload = event.payload
    if payload.get("urgency") is not None and payload["urgency"] not in Urgency.__members__.values():
        raise DomainError(Problem.UNKNOWN_URGENCY, field="urgency")
    if payload.get("nature") is not None and payload["nature"] not in Nature.__members__.values():
        raise DomainError(Problem.UNKNOWN_NATURE, field="nature")


def _check_deadline(value: Any, event: Happened, *, after: date | None = None) -> date:
    deadline = date.fromisoformat(value) if isinstance(value, str) else value
    if deadline < china_day(event.at):  # a deadline before the day it is set
        raise DomainError(Problem.DEADLINE_PAST, field="deadline", deadline=deadline.isoformat())
    if after is not None and deadline <= after:
        raise DomainError(Problem.DEADLINE_NOT_LATER, field="deadline", deadline=after.isoformat())
    return deadline


def _check_assign(_state: IssueState, event: Happened, ctx: Context | None) -> None:
    payload = event.payload
    _check_deadline(payload["deadline"], event)
    co = payload.get("co_department_ids") or []
    if payload["department_id"] in co:
        raise DomainError(Problem.LEAD_IS_CO, field="co_department_ids")
    if ctx is not None and any(not ctx.has("department", d) for d in co):
        raise DomainError(Problem.UNKNOWN_DEPARTMENT, field="co_department_ids")


def _check_extension(state: IssueState, event: Happened, _ctx: Context | None) -> None:
    if state.extension_asked is not None:
        raise DomainError(Problem.EXTENSION_PENDING)
    _check_deadline(event.payload["deadline"], event, after=state.deadline)


def _check_grant(state: IssueState, event: Happened, _ctx: Context | None) -> None:
    if event.payload.get("deadline"):
        _check_deadline(event.payload["deadline"], event, after=state.deadline)


def _check_rate(_state: IssueState, event: Happened, _ctx: Context | None) -> None:
    satisfaction = event.payload.get("satisfaction")
    if satisfaction is None and "score" in event.payload:  # a rating of before satisfaction levels
        score = event.payload["score"]
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise DomainError(Problem.SCORE_RANGE, field="score")
        return
    if satisfaction not in Satisfaction.__members__.values():
        raise DomainError(Problem.SATISFACTION_REQUIRED, field="satisfaction")


def _check_look_back(_state: IssueState, event: Happened, _ctx: Context | None) -> None:
    if _finding(event.payload) is None:
        raise DomainError(Problem.FINDING_REQUIRED, field="finding")


def _check_escalate(state: IssueState, event: Happened, _ctx: Context | None) -> None:
    level = event.payload.get("level")
    if level not in (LETTER, LEADERSHIP) or isinstance(level, bool):
        raise DomainError(Problem.ESCALATION_RANGE, field="level")


def _check_merge(_state: IssueState, event: Happened, ctx: Context | None) -> None:
    into = event.payload["into"]
    if ctx is not None and not ctx.has("issue", into):
        raise DomainError(Problem.UNKNOWN_ISSUE, field="into")


def _finding(payload: Mapping[str, Any]) -> str | None:
    finding = payload.get("finding")
    if finding == "ok":  # look-backs recorded before findings had names
        return Finding.CONFIRMED.value
    return finding if finding in Finding.__members__.values() else None


def _satisfaction(payload: Mapping[str, Any]) -> str:
    if payload.get("satisfaction"):
        return payload["satisfaction"]
    score = payload.get("score") or 0
    return Satisfaction.SATISFIED if score >= 4 else Satisfaction.BASIC if score == 3 else Satisfaction.UNSATISFIED


def _handled_again(state: IssueState) -> IssueState:
    return replace(state, status=Status.ASSIGNED, reopened=state.reopened + 1, resolved_at=None, verified_at=None,
                   extension_asked=None)


def _classify(state: IssueState, event: Happened) -> IssueState:
    payload = event.payload
    return replace(state, category_id=payload["category_id"], urgency=payload.get("urgency") or state.urgency,
                   nature=payload.get("nature") or state.nature,
                   key_suggestion=bool(payload.get("key_suggestion", state.key_suggestion)))


def _assign(state: IssueState, event: Happened) -> IssueState:
    payload = event.payload
    deadline = payload.get("deadline")
    return replace(state, department_id=payload["department_id"],
                   co_department_ids=tuple(payload.get("co_department_ids") or ()),
                   deadline=date.fromisoformat(deadline) if isinstance(deadline, str) else deadline,
                   assigned_at=state.assigned_at or event.at, extension_asked=None)


def _ask_extension(state: IssueState, event: Happened) -> IssueState:
    return replace(state, extension_asked=date.fromisoformat(event.payload["deadline"]))


def _grant(state: IssueState, event: Happened) -> IssueState:
    given = event.payload.get("deadline")
    return replace(state, deadline=date.fromisoformat(given) if given else state.extension_asked,
                   extension_asked=None)


def _refuse(state: IssueState, _event: Happened) -> IssueState:
    return replace(state, extension_asked=None)


def _remind(state: IssueState, _event: Happened) -> IssueState:
    return replace(state, escalation=max(state.escalation, REMINDER))


def _escalate(state: IssueState, event: Happened) -> IssueState:
    return replace(state, escalation=max(state.escalation, int(event.payload["level"])))


def _resolve(state: IssueState, event: Happened) -> IssueState:
    return replace(state, resolved_at=event.at, extension_asked=None)


def _rate(state: IssueState, event: Happened) -> IssueState:
    satisfaction = _satisfaction(event.payload)
    score = event.payload.get("score")
    rated = replace(state, satisfaction=satisfaction, rating=score if isinstance(score, int) else None)
    return _handled_again(rated) if satisfaction == Satisfaction.UNSATISFIED else rated


def _look_back(state: IssueState, event: Happened) -> IssueState:
    if _finding(event.payload) == Finding.CONFIRMED:
        return replace(state, status=Status.VERIFIED, verified_at=event.at)
    return _handled_again(state)


def _merge(state: IssueState, event: Happened) -> IssueState:
    return replace(state, merged_into=event.payload["into"])


def _follow(state: IssueState, event: Happened) -> IssueState:
    person = event.payload["person_id"]
    return state if person in state.follower_ids else replace(state, follower_ids=state.follower_ids + (person,))


def _reopen(state: IssueState, _event: Happened) -> IssueState:
    if state.status is Status.RETURNED:
        return replace(state, status=Status.NEW)
    return _handled_again(state)


TEXT = {"text": Problem.TEXT_REQUIRED}
DEPARTMENT = OFFICE_ROLES | {Role.DEPARTMENT}
# What a co-handling department may record besides the lead one.
CO_HANDLING = frozenset({"comment", "attach_photo", "respond"})

EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("comment", OPEN, ALL_ROLES, required=TEXT),
    EventType("attach_photo", OPEN, ALL_ROLES, PhotoPayload, required={"sha256": Problem.PHOTO_HASH_REQUIRED},
              check=_check_photo, attaches_photos=True),
    # 分办: classify, mark a duplicate, return.
    EventType("classify", NEW_OR_HANDLING, OFFICE_ROLES, ClassifyPayload,
              required={"category_id": Problem.EVENT_CATEGORY_REQUIRED},
              references={"category_id": ("category", Problem.UNKNOWN_CATEGORY)}, check=_check_classify,
              effect=_classify),
    EventType("merge", NEW_OR_HANDLING, OFFICE_ROLES, MergePayload, leads_to=Status.MERGED,
              required={"into": Problem.MERGE_TARGET_REQUIRED}, check=_check_merge, effect=_merge, links=("into",)),
    EventType("add_follower", OPEN, OFFICE_ROLES, FollowPayload, required={"person_id": Problem.PERSON_REQUIRED},
              references={"person_id": ("person", Problem.UNKNOWN_PERSON)}, effect=_follow),
    EventType("return", frozenset({Status.NEW}), OFFICE_ROLES, leads_to=Status.RETURNED, required=TEXT),
    EventType("reopen", DONE | {Status.RETURNED}, OFFICE_ROLES | FIELD_ROLES, required=TEXT, effect=_reopen),
    # 交办, and the department's handling.
    EventType("assign", NEW_OR_HANDLING, OFFICE_ROLES, AssignPayload, leads_to=Status.ASSIGNED,
              required={"department_id": Problem.DEPARTMENT_REQUIRED, "deadline": Problem.DEADLINE_REQUIRED},
              references={"department_id": ("department", Problem.UNKNOWN_DEPARTMENT)}, check=_check_assign,
              effect=_assign),
    EventType("acknowledge", frozenset({Status.ASSIGNED}), DEPARTMENT, leads_to=Status.IN_PROGRESS, may=_lead_only),
    EventType("respond", HANDLING, DEPARTMENT, ReplyPayload, leads_to=Status.IN_PROGRESS, required=TEXT,
              attaches_photos=True),
    EventType("request_extension", HANDLING, DEPARTMENT, ExtensionPayload, may=_lead_only,
              required={"deadline": Problem.DEADLINE_REQUIRED, **TEXT}, check=_check_extension,
              effect=_ask_extension),
    EventType("grant_extension", HANDLING, OFFICE_ROLES, ExtensionPayload, may=_extension_asked, check=_check_grant,
              effect=_grant),
    EventType("refuse_extension", HANDLING, OFFICE_ROLES, may=_extension_asked, required=TEXT, effect=_refuse),
    # 督办: a reminder, then a supervision letter, then a report to the township leadership.
    EventType("supervise", HANDLING, OFFICE_ROLES, required=TEXT, effect=_remind),
    EventType("escalate", HANDLING, OFFICE_ROLES, EscalatePayload, required={"level": Problem.ESCALATION_RANGE},
              check=_check_escalate, effect=_escalate),
    EventType("resolve", HANDLING, DEPARTMENT, ReplyPayload, leads_to=Status.RESOLVED, required=TEXT, may=_lead_only,
              attaches_photos=True, effect=_resolve),
    # 满意度测评 and 回头看.
    EventType("rate", frozenset({Status.RESOLVED}), OFFICE_ROLES | FIELD_ROLES, RatePayload, leads_to=Status.RATED,
              may=_reporter_only, check=_check_rate, effect=_rate),
    EventType("look_back", DONE, OFFICE_ROLES | FIELD_ROLES, LookBackPayload, required=TEXT,
              check=_check_look_back, effect=_look_back, attaches_photos=True),
)}


# ---------------------------------------------------------------- creation

def check_create(draft: Any, ctx: Context, _actor: Actor) -> None:
    """Raise DomainError naming the first field of a draft that cannot be saved."""
    if not draft.title.strip():
        raise DomainError(Problem.TITLE_REQUIRED, field="title")
    if len(draft.title) > TITLE_MAX:
        raise DomainError(Problem.TITLE_TOO_LONG, field="title", max=TITLE_MAX)
    if len(draft.description) > DESCRIPTION_MAX:
        raise DomainError(Problem.DESCRIPTION_TOO_LONG, field="description", max=DESCRIPTION_MAX)
    if len(draft.place_name) > PLACE_NAME_MAX:
        raise DomainError(Problem.PLACE_NAME_TOO_LONG, field="place_name", max=PLACE_NAME_MAX)
    if not draft.category_id:
        raise DomainError(Problem.CATEGORY_REQUIRED, field="category_id")
    if not ctx.has("category", draft.category_id):
        raise DomainError(Problem.UNKNOWN_CATEGORY, field="category_id")
    if draft.place_type not in PlaceType.__members__.values():
        raise DomainError(Problem.UNKNOWN_PLACE_TYPE, field="place_type")
    if draft.source not in IssueSource.__members__.values():
        raise DomainError(Problem.UNKNOWN_SOURCE, field="source")
    if draft.station_id is not None and not ctx.has("station", draft.station_id):
        raise DomainError(Problem.UNKNOWN_STATION, field="station_id")
    if getattr(draft, "group_id", None) is not None and not ctx.has("special_group", draft.group_id):
        raise DomainError(Problem.UNKNOWN_GROUP, field="group_id")
    if draft.location is not None:
        loc = draft.location
        make_location(loc.latitude, loc.longitude, loc.accuracy_m, loc.source)


def may_create(actor: Actor, draft: Any) -> bool:
    """Deputies and station staff record issues for their own station only."""
    if actor.role in FIELD_ROLES:
        return draft.station_id is None or draft.station_id == actor.station_id
    return True


def make_location(latitude: object, longitude: object, accuracy_m: object = None,
                  source: str = LocationSource.MANUAL.value) -> Location:
    """Check coordinates (typed, from the device or from EXIF) and return a Location."""
    lat = _to_float(latitude, "latitude")
    lon = _to_float(longitude, "longitude")
    if not -90.0 <= lat <= 90.0:
        raise DomainError(Problem.LATITUDE_RANGE, field="latitude", value=latitude)
    if not -180.0 <= lon <= 180.0:
        raise DomainError(Problem.LONGITUDE_RANGE, field="longitude", value=longitude)
    acc = None if accuracy_m in (None, "") else _to_float(accuracy_m, "accuracy_m")
    if acc is not None and acc < 0:
        raise DomainError(Problem.ACCURACY_NEGATIVE, field="accuracy_m")
    if source not in LocationSource.__members__.values() or source == LocationSource.NONE.value:
        raise DomainError(Problem.UNKNOWN_LOCATION_SOURCE, field="location", source=source)
    return Location(latitude=lat, longitude=lon, accuracy_m=acc, source=source)


_NOT_NUMBER = {"latitude": Problem.LATITUDE_NOT_NUMBER, "longitude": Problem.LONGITUDE_NOT_NUMBER,
               "accuracy_m": Problem.ACCURACY_NOT_NUMBER}


def _to_float(value: object, name: str) -> float:
    if isinstance(value, bool):  # true and false are not numbers here
        raise DomainError(_NOT_NUMBER[name], field=name, value=value)
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(_NOT_NUMBER[name], field=name, value=value) from None
    if not math.isfinite(number):
        raise DomainError(_NOT_NUMBER[name], field=name, value=value)
    return number
