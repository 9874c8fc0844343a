"""Records on a local store (the phone's replica, or the central store's admin commands): write, fold, read.

A change made here is judged by the kind's rules and written with its outbox entry in
the same transaction, so nothing captured waits for the network:

    row = create_record(session, ISSUE, body, actor=me)
    record_event(session, ISSUE, actor=office, record_id=row.id, type_="assign", payload={...})
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import select as core_select
from sqlmodel import Session, SQLModel, col, select

from app.actors import Actor
from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.ids import new_id
from app.problems import Problem
from app.records._bodies import CreateBody, EventBody
from app.records._kind import RecordKind, attached_photos
from app.records._rules import (apply, check_new_photos, creation, event_row, fold, judge_create, judge_event,
                                photo_row, timeline_key)
from app.records._tables import RecordEvent, RecordPhoto
from app.models import OutboxMutation


class StoreContext:
    """What the rules look up on a local store: whether a reference row exists, and the time."""

    def __init__(self, session: Session, now: datetime | None = None):
        self.session = session
        self._now = now
        self._seen: dict[tuple[str, str], bool] = {}
        self._rows: dict[tuple[str, str], Mapping[str, Any] | None] = {}

    def has(self, table: str, record_id: str) -> bool:
        key = (table, record_id)
        if key not in self._seen:
            columns = SQLModel.metadata.tables[table].c
            self._seen[key] = self.session.execute(
                core_select(columns.id).where(columns.id == record_id)).first() is not None
        return self._seen[key]

    def row(self, table: str, record_id: str) -> Mapping[str, Any] | None:
        """A row as stored, read once for as long as this context judges (nothing is written meanwhile)."""
        key = (table, record_id)
        if key not in self._rows:
            columns = SQLModel.metadata.tables[table]
            found = self.session.execute(core_select(columns).where(columns.c.id == record_id)).mappings().first()
            self._rows[key] = dict(found) if found is not None else None
        return self._rows[key]

    def now(self) -> datetime:
        return self._now or utcnow()


def add_record(session: Session, kind: RecordKind, body: Mapping[str, Any] | CreateBody, *, actor: Actor,
               now: datetime | None = None) -> Any:
    """Judge a creation and add its record, photos and `create` event; no outbox, no commit."""
    ctx = StoreContext(session, now)
    model = judge_create(kind, body, actor=actor, ctx=ctx)
    made = creation(kind, model, actor=actor, now=ctx.now())
    if session.get(kind.table, model.id) is not None:
        raise DomainError(Problem.RECORD_EXISTS, field="id", id=model.id)
    record = kind.table(**made.row)
    session.add(record)
    session.flush()
    for photo in made.photos:
        session.add(RecordPhoto(**photo))
    session.add(RecordEvent(**made.event))
    session.flush()
    return record


def add_event(session: Session, kind: RecordKind, body: Mapping[str, Any] | EventBody, *, actor: Actor,
              now: datetime | None = None) -> RecordEvent:
    """Judge an event against the record's current state and append it; no outbox, no commit."""
    ctx = StoreContext(session, now)
    record_id = body.record_id if isinstance(body, EventBody) else body.get("record_id")
    record = session.get(kind.table, record_id) if record_id else None
    if record is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    model, event_type, payload = judge_event(kind, state_of(session, kind, record), body, actor=actor, ctx=ctx)
    held = photos_of(session, record.id)
    check_new_photos([p.sha256 for p in held], attached_photos(event_type, payload))
    event = RecordEvent(**event_row(kind, record.id, event_id=model.id, type_=model.type, actor=actor,
                                    payload=payload, created_at=model.created_at or ctx.now()))
    session.add(event)
    position = len(held)
    for offset, photo in enumerate(attached_photos(event_type, payload)):
        session.add(RecordPhoto(**photo_row(kind, record.id, photo, position + offset)))
    session.flush()
    refresh(session, kind, record)
    return event


def add_history(session: Session, kind: RecordKind, body: Mapping[str, Any] | CreateBody, *, actor: Actor,
                events: Iterable[tuple[Actor, Mapping[str, Any] | EventBody]] = (), now: datetime | None = None) -> Any:
    """Add a record with a timeline of events, each judged as `add_event` would judge it, in one write.

    For records that arrive with their history (the demo township, an import): the state
    is carried from event to event instead of folded again from the store each time. The
    events must come in their timeline's order (by time); no outbox, no commit.
    """
    ctx = StoreContext(session, now)
    model = judge_create(kind, body, actor=actor, ctx=ctx)
    made = creation(kind, model, actor=actor, now=ctx.now())
    if session.get(kind.table, model.id) is not None:
        raise DomainError(Problem.RECORD_EXISTS, field="id", id=model.id)
    state, rows, photos = made.state, [made.event], list(made.photos)
    for by, event in events:
        judged, event_type, payload = judge_event(kind, state, event, actor=by, ctx=ctx)
        added = attached_photos(event_type, payload)
        check_new_photos([p["sha256"] for p in photos], added)
        row = event_row(kind, model.id, event_id=judged.id, type_=judged.type, actor=by, payload=payload,
                        created_at=judged.created_at or ctx.now())
        if as_utc(row["created_at"]) < as_utc(rows[-1]["created_at"]):
            raise ValueError("a history's events come in the order of their times")
        photos += [photo_row(kind, model.id, photo, len(photos) + offset) for offset, photo in enumerate(added)]
        state = apply(event_type, state, payload, by, row["created_at"], event_id=judged.id)
        rows.append(row)
    record = kind.table(**(made.row | kind.derived(state)))
    record.updated_at = max(as_utc(r["created_at"]) for r in rows)
    if kind.search_text is not None:
        record.search_text = kind.search_text(record.model_dump())
    session.add(record)
    session.flush()
    session.add_all([RecordPhoto(**p) for p in photos] + [RecordEvent(**r) for r in rows])
    session.flush()
    return record


def create_record(session: Session, kind: RecordKind, body: CreateBody, *, actor: Actor) -> Any:
    """Record a new record on this device and queue it for the server; commits."""
    record = add_record(session, kind, body, actor=actor)
    queue(session, kind.create_mutation, body.model_dump(mode="json"), record_kind=kind.name,
          record_id=body.id, event_id=body.event_id)
    session.commit()
    session.refresh(record)
    return record


def record_event(session: Session, kind: RecordKind, *, actor: Actor, record_id: str, type_: str,
                 payload: Mapping[str, Any]) -> RecordEvent:
    """Append an event to a record's timeline on this device and queue it; commits."""
    body = EventBody(id=new_id(), record_id=record_id, type=type_, payload=dict(payload), created_at=utcnow())
    event = add_event(session, kind, body, actor=actor)
    queue(session, kind.event_mutation, body.model_dump(mode="json"), record_kind=kind.name, record_id=record_id,
          event_id=body.id)
    session.commit()
    session.refresh(event)
    return event


def queue(session: Session, mutation_kind: str, body: Mapping[str, Any], *, record_kind: str, record_id: str,
          event_id: str) -> OutboxMutation:
    """Put a change into the outbox, in the caller's transaction; the record it writes is indexed."""
    mutation = OutboxMutation(id=new_id(), kind=mutation_kind, body=dict(body), record_kind=record_kind,
                              record_id=record_id, event_id=event_id)
    session.add(mutation)
    return mutation


def timeline(session: Session, record_id: str) -> list[RecordEvent]:
    """Return the record's events in the order the rules fold them: server order, then local."""
    events = session.exec(select(RecordEvent).where(RecordEvent.record_id == record_id)).all()
    return sorted(events, key=timeline_key)


def state_of(session: Session, kind: RecordKind, record: Any) -> Any:
    """Fold the record's timeline into its current state."""
    state, _ = fold(kind, record, timeline(session, record.id), ctx=StoreContext(session))
    return state


def refresh(session: Session, kind: RecordKind, record: Any) -> Any:
    """Recompute the record's derived columns and search text from its timeline; no commit."""
    events = timeline(session, record.id)
    state, _ = fold(kind, record, events, ctx=StoreContext(session))
    for name, value in kind.derived(state).items():
        setattr(record, name, value)
    latest = max((as_utc(e.created_at) for e in events), default=as_utc(record.created_at))
    record.updated_at = max(latest, as_utc(record.updated_at))
    if kind.search_text is not None:
        record.search_text = kind.search_text(record.model_dump())
    session.add(record)
    return state


def photos_of(session: Session, record_id: str) -> list[RecordPhoto]:
    return list(session.exec(select(RecordPhoto).where(RecordPhoto.record_id == record_id)
                             .order_by(col(RecordPhoto.position))))


def first_photos(session: Session, record_ids: Iterable[str]) -> dict[str, str]:
    """Return record id → the hash of its first photo, for list thumbnails, in one query."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = session.exec(select(RecordPhoto.record_id, RecordPhoto.sha256)
                        .where(col(RecordPhoto.record_id).in_(ids)).order_by(col(RecordPhoto.position).desc()))
    return {record_id: sha for record_id, sha in rows}
