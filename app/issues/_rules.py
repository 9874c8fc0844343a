"""The closed loop as rules: which event may happen in which status, by whom, and what it leads to."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Mapping

from pydantic import Field

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor, Role
from app.errors import DomainError
from app.issues._model import IssueSource, Location, LocationSource, PlaceType
from app.problems import Problem
from app.records import Context, EventType, Payload, PhotoPayload, value_of

TITLE_MAX = 120
DESCRIPTION_MAX = 20_000
PLACE_NAME_MAX = 100


class Status(StrEnum):
    NEW = "new"  # 待分办
    ASSIGNED = "assigned"  # 已交办
    IN_PROGRESS = "in_progress"  # 办理中
    RESOLVED = "resolved"  # 已办结
    RATED = "rated"  # 已评价
    RETURNED = "returned"  # 已退回
    MERGED = "merged"  # 已合并


OPEN = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.RATED, Status.RETURNED})
HANDLING = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})
DONE = frozenset({Status.RESOLVED, Status.RATED})
NEW_OR_HANDLING = frozenset({Status.NEW}) | HANDLING


@dataclass(frozen=True)
class IssueState:
    """What an issue's timeline adds up to; never stored as the truth, always recomputed."""

    status: Status = Status.NEW
    category_id: str | None = None
    department_id: str | None = None
    station_id: str | None = None
    reporter_id: str | None = None
    rating: int | None = None
    merged_into: str | None = None
    photo_hashes: tuple[str, ...] = field(default_factory=tuple)


def start(row: Any, create_payload: Mapping[str, Any]) -> IssueState:
    """Return the state an issue's creation starts its timeline in."""
    return IssueState(category_id=value_of(row, "category_id"), station_id=value_of(row, "station_id"),
                      reporter_id=value_of(row, "reporter_id"),
                      photo_hashes=tuple(create_payload.get("photos") or ()))


def derived(state: IssueState) -> dict[str, Any]:
    """The issue's columns that its timeline decides (besides updated_at)."""
    return {"status": state.status.value if isinstance(state.status, Status) else state.status,
            "department_id": state.department_id, "category_id": state.category_id, "rating": state.rating}


def guard(state: IssueState, _event: EventType, actor: Actor) -> None:
    """A department acts only on the issues assigned to it."""
    if actor.role is Role.DEPARTMENT and state.department_id != actor.department_id:
        raise DomainError(Problem.NOT_YOUR_DEPARTMENT)


# ---------------------------------------------------------------- payloads

class ClassifyPayload(Payload):
    category_id: str | None = Field(default=None, max_length=100)


class AssignPayload(Payload):
    department_id: str | None = Field(default=None, max_length=100)


class RatePayload(Payload):
    # Any JSON value: a score that is not a whole number from 1 to 5 is refused as `event.score_range`.
    score: Any = Field(default=None, json_schema_extra={"type": "integer", "minimum": 1, "maximum": 5})


class MergePayload(Payload):
    into: str | None = Field(default=None, max_length=100)


class LookBackPayload(Payload):
    finding: str | None = Field(default=None, max_length=100)


# ---------------------------------------------------------------- checks and effects

def _check_photo(state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> None:
    sha = payload.get("sha256")
    if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
        raise DomainError(Problem.PHOTO_HASH_REQUIRED, field="sha256")
    if sha in state.photo_hashes:
        # Two offline devices may attach the same photo: the second is refused, not retried forever.
        raise DomainError(Problem.PHOTO_TWICE, field="sha256")


def _check_score(_state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> None:
    score = payload.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise DomainError(Problem.SCORE_RANGE, field="score")


def _attach(state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> IssueState:
    return replace(state, photo_hashes=state.photo_hashes + (str(payload["sha256"]),))


def _classify(state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> IssueState:
    return replace(state, category_id=payload["category_id"])


def _assign(state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> IssueState:
    return replace(state, department_id=payload["department_id"])


def _rate(state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> IssueState:
    return replace(state, rating=payload["score"])


def _merge(state: IssueState, payload: Mapping[str, Any], _actor: Actor) -> IssueState:
    return replace(state, merged_into=payload["into"])


def _reopen(state: IssueState, _payload: Mapping[str, Any], _actor: Actor) -> IssueState:
    return replace(state, status=Status.NEW if state.status is Status.RETURNED else Status.ASSIGNED, rating=None)


TEXT = {"text": Problem.TEXT_REQUIRED}

EVENTS: Mapping[str, EventType] = {e.name: e for e in (
    EventType("comment", OPEN, ALL_ROLES, required=TEXT),
    EventType("attach_photo", OPEN, ALL_ROLES, PhotoPayload, required={"sha256": Problem.PHOTO_HASH_REQUIRED},
              check=_check_photo, effect=_attach, attaches_photo=True),
    EventType("classify", NEW_OR_HANDLING, OFFICE_ROLES, ClassifyPayload,
              required={"category_id": Problem.EVENT_CATEGORY_REQUIRED},
              references={"category_id": ("category", Problem.UNKNOWN_CATEGORY)}, effect=_classify),
    EventType("assign", NEW_OR_HANDLING, OFFICE_ROLES, AssignPayload, leads_to=Status.ASSIGNED,
              required={"department_id": Problem.DEPARTMENT_REQUIRED},
              references={"department_id": ("department", Problem.UNKNOWN_DEPARTMENT)}, effect=_assign),
    EventType("return", frozenset({Status.NEW}), OFFICE_ROLES, leads_to=Status.RETURNED, required=TEXT),
    EventType("supervise", HANDLING, OFFICE_ROLES, required=TEXT),
    EventType("respond", HANDLING, OFFICE_ROLES | {Role.DEPARTMENT}, leads_to=Status.IN_PROGRESS, required=TEXT),
    EventType("resolve", HANDLING, OFFICE_ROLES | {Role.DEPARTMENT}, leads_to=Status.RESOLVED, required=TEXT),
    EventType("rate", frozenset({Status.RESOLVED}), OFFICE_ROLES | FIELD_ROLES, RatePayload, leads_to=Status.RATED,
              check=_check_score, effect=_rate),
    EventType("look_back", DONE, OFFICE_ROLES | FIELD_ROLES, LookBackPayload, required=TEXT),
    EventType("reopen", DONE | {Status.RETURNED}, OFFICE_ROLES | FIELD_ROLES, required=TEXT, effect=_reopen),
    EventType("merge", NEW_OR_HANDLING, OFFICE_ROLES, MergePayload, leads_to=Status.MERGED,
              required={"into": Problem.MERGE_TARGET_REQUIRED}, effect=_merge, links=("into",)),
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
