"""The rules of every kind, applied one way: judge a creation or an event, build its rows, fold a timeline.

Pure functions over plain values, so the phone (on its store) and the server (on a batch
held in memory) judge a change by the same rules. History is never re-judged: events
the server accepted are folded as accepted; only events still waiting on a device are
judged, against the state the accepted ones build.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence

from pydantic import BaseModel, ValidationError

from app.actors import Actor, Role
from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.problems import Problem
from app.records._bodies import CreateBody, EventBody, PhotoBody
from app.records._kind import CREATE, Context, EventType, Happened, RecordKind

TEXT_MAX = 10_000
# A phone's clock may run a little ahead; a time further ahead than this is refused.
FUTURE_SLACK = timedelta(days=1)


def validated(model: type[BaseModel], value: Any) -> Any:
    """Return value as the model, or raise DomainError(request.malformed) naming what is wrong."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
        first = exc.errors()[0]["loc"] if exc.errors() else ()
        raise DomainError(Problem.MALFORMED, field=str(first[0]) if first else None, errors=errors) from None


def check_time(moment: datetime | None, ctx: Context | None) -> None:
    """Refuse a time more than a day ahead of this store's clock."""
    if moment is None:
        return
    now = ctx.now() if ctx is not None else utcnow()
    if moment > now + FUTURE_SLACK:
        raise DomainError(Problem.TIME_IN_FUTURE, field="created_at", at=moment.isoformat(), now=now.isoformat())


# ---------------------------------------------------------------- creations

@dataclass(frozen=True)
class Creation:
    """The rows a judged creation adds: the record (every column), its photos, its `create` event."""

    row: dict[str, Any]
    photos: list[dict[str, Any]]
    event: dict[str, Any]
    state: Any


def judge_create(kind: RecordKind, body: Mapping[str, Any] | CreateBody, *, actor: Actor,
                 ctx: Context) -> CreateBody:
    """Validate a creation body and judge it by the kind's rules; return it, or raise DomainError."""
    model = validated(kind.create, body)
    check_time(model.created_at, ctx)
    if not kind.may_create(actor, model):
        raise DomainError(Problem.OUT_OF_SCOPE, field="station_id")
    hashes = [p.sha256 for p in model.photos]
    if len(set(hashes)) != len(hashes):
        raise DomainError(Problem.PHOTO_TWICE, field="photos")
    kind.check_create(model, ctx, actor)
    return model


def creation(kind: RecordKind, model: CreateBody, *, actor: Actor, now: datetime) -> Creation:
    """Return the rows a judged creation adds."""
    created_at = model.created_at or now
    row = {column.name: None for column in kind.table.__table__.columns}  # type: ignore[attr-defined]
    row.update(kind.row(model, actor))
    row.update(id=model.id, created_at=created_at, updated_at=created_at)
    payload = kind.create_payload(model)
    state = kind.start(row, payload)
    row.update(kind.derived(state))
    if kind.search_text is not None:
        row["search_text"] = kind.search_text(row)
    photos = [photo_row(kind, model.id, photo, position) for position, photo in enumerate(model.photos)]
    event = event_row(kind, model.id, event_id=model.event_id, type_=CREATE, actor=actor, payload=payload,
                      created_at=created_at)
    return Creation(row, photos, event, state)


def photo_row(kind: RecordKind, record_id: str, photo: PhotoBody | Mapping[str, Any], position: int) -> dict[str, Any]:
    """Return the columns of a photo attached to a record."""
    get = photo.get if isinstance(photo, Mapping) else lambda name, default=None: getattr(photo, name, default)
    return dict(record_id=record_id, sha256=get("sha256"), record_kind=kind.name, position=position,
                width=int(get("width") or 0), height=int(get("height") or 0), byte_size=int(get("byte_size") or 0),
                taken_at=get("taken_at"), latitude=get("latitude"), longitude=get("longitude"))


def event_row(kind: RecordKind, record_id: str, *, event_id: str, type_: str, actor: Actor,
              payload: Mapping[str, Any], created_at: datetime) -> dict[str, Any]:
    """Return the columns of a timeline event, with the actor as they are now."""
    return dict(id=event_id, record_kind=kind.name, record_id=record_id, type=type_, actor_id=actor.id,
                actor_role=actor.role.value, actor_station_id=actor.station_id,
                actor_department_id=actor.department_id, created_at=created_at, payload=dict(payload),
                server_seq=None, rejected_code=None, rejected_reason=None)


# ---------------------------------------------------------------- events

def judge_event(kind: RecordKind, state: Any, body: Mapping[str, Any] | EventBody, *, actor: Actor,
                ctx: Context | None) -> tuple[EventBody, EventType, dict[str, Any]]:
    """Judge one event on a record in this state; return the body, its type and its payload, or raise."""
    model = validated(EventBody, body)
    check_time(model.created_at, ctx)
    event_type = event_type_of(kind, model.type)
    at = model.created_at or (ctx.now() if ctx is not None else utcnow())
    return model, event_type, check_event(kind, event_type, state, model.payload, actor=actor, ctx=ctx, at=at)


def event_type_of(kind: RecordKind, name: str) -> EventType:
    if name == CREATE:
        raise DomainError(Problem.CREATE_TWICE)
    event_type = kind.events.get(name)
    if event_type is None:
        raise DomainError(Problem.UNKNOWN_EVENT, kind=name[:100])
    return event_type


def may_record(kind: RecordKind, event_type: EventType, state: Any, actor: Actor) -> None:
    """Raise DomainError if this actor may not record this type of event in this state, whatever it says."""
    if actor.role not in event_type.roles:
        raise DomainError(Problem.ROLE_NOT_ALLOWED, kind=event_type.name, role=actor.role.value)
    if state.status not in event_type.allowed_in:
        raise DomainError(Problem.NOT_ALLOWED_IN_STATUS, kind=event_type.name, status=state.status)
    if kind.guard is not None:
        kind.guard(state, event_type, actor)
    if event_type.may is not None:
        event_type.may(state, actor)


def allowed_events(kind: RecordKind, state: Any, actor: Actor) -> list[EventType]:
    """Return the event types this actor may record on a record in this state now, in the kind's order."""
    allowed = []
    for event_type in kind.events.values():
        try:
            may_record(kind, event_type, state, actor)
        except DomainError:
            continue
        allowed.append(event_type)
    return allowed


def check_event(kind: RecordKind, event_type: EventType, state: Any, raw: Mapping[str, Any], *, actor: Actor,
                ctx: Context | None, at: datetime) -> dict[str, Any]:
    """Raise DomainError if this actor may not record this event now; return its payload as stored."""
    may_record(kind, event_type, state, actor)
    payload = validated(event_type.payload, raw)
    if len(payload.text or "") > TEXT_MAX:
        raise DomainError(Problem.EVENT_TEXT_TOO_LONG, field="text", max=TEXT_MAX)
    for name, problem in event_type.required.items():
        value = getattr(payload, name, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DomainError(problem, field=name)
    if ctx is not None:
        for name, (table, problem) in event_type.references.items():
            value = getattr(payload, name, None)
            if value and not ctx.has(table, value):
                raise DomainError(problem, field=name)
    stored = payload.model_dump(mode="json", exclude_unset=True)
    if event_type.check is not None:
        event_type.check(state, Happened(event_type.name, stored, actor, at), ctx)
    return stored


def check_new_photos(held: Iterable[str], photos: Sequence[Mapping[str, Any]]) -> None:
    """Refuse photos the record holds already, or named twice (two offline devices may attach the same one)."""
    hashes = [str(p["sha256"]) for p in photos]
    if len(set(hashes)) != len(hashes) or set(hashes) & set(held):
        raise DomainError(Problem.PHOTO_TWICE, field="photos")


def apply(event_type: EventType, state: Any, payload: Mapping[str, Any], actor: Actor, at: datetime, *,
          event_id: str = "") -> Any:
    """Return the state after an accepted event."""
    if event_type.leads_to is not None:
        state = replace(state, status=event_type.leads_to)
    if event_type.effect is not None:
        state = event_type.effect(state, Happened(event_type.name, payload, actor, as_utc(at), event_id))
    return state


# ---------------------------------------------------------------- timelines

@dataclass(frozen=True)
class Verdict:
    """One waiting event after a fold: it would be accepted, or refused with the rule's problem."""

    event_id: str
    accepted: bool
    problem: Problem | None = None
    params: Mapping[str, Any] | None = None


def timeline_key(event: Any) -> tuple:
    """The timeline's order: the server's order, then events still waiting, by time."""
    return (event.server_seq is None, event.server_seq or 0, as_utc(event.created_at), event.id)


def actor_of(event: Any) -> Actor:
    """Return the actor an event recorded of its author (a role this version does not know counts as a deputy's)."""
    try:
        role = Role(event.actor_role or Role.DEPUTY.value)
    except ValueError:
        role = Role.DEPUTY
    return Actor(id=event.actor_id or "", role=role, station_id=event.actor_station_id,
                 department_id=event.actor_department_id)


def fold(kind: RecordKind, row: Any, events: Sequence[Any], *, ctx: Context | None = None) -> tuple[Any, list[Verdict]]:
    """Fold a record's timeline (in timeline order) into its state.

    Refused events are skipped; accepted ones (with a server seq) are applied as they
    are; events still waiting on this device are judged against the state so far.
    """
    create = next((e for e in events if e.type == CREATE), None)
    state = kind.start(row, create.payload if create is not None else {})
    verdicts: list[Verdict] = []
    for event in events:
        if event.type == CREATE or event.rejected_code is not None:
            continue
        event_type = kind.events.get(event.type)
        if event_type is None:  # a type of a newer app version: it cannot count here
            continue
        actor, at = actor_of(event), as_utc(event.created_at)
        if event.server_seq is not None:
            state = apply(event_type, state, event.payload or {}, actor, at, event_id=event.id)
            continue
        try:
            payload = check_event(kind, event_type, state, event.payload or {}, actor=actor, ctx=ctx, at=at)
        except DomainError as refusal:
            verdicts.append(Verdict(event.id, False, refusal.code, refusal.params))
            continue
        state = apply(event_type, state, payload, actor, at, event_id=event.id)
        verdicts.append(Verdict(event.id, True))
    return state, verdicts
