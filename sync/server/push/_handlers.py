"""The two mutations of every kind, judged against the batch held in memory: a creation, and one event.

Both stage the rows they add and the changes they log; the batch writes them at the end.
A refused event on a record the user may see is kept in its timeline, marked refused.
"""

from __future__ import annotations

from typing import Any

from app.errors import DomainError
from app.problems import Problem
from app.records import (CreateBody, EventBody, apply, attached_photos, check_new_photos, creation, event_row,
                         judge_create, judge_event, photo_row)
from sync.server.changes import Audience
from sync.server.push._batch import (EVENT_TIMES, PHOTO_COLUMNS, PHOTO_TIMES, Batch, RecordInBatch, logged,
                                     time_columns)
from sync.server.push._wire import Prepared, Refusal

# Refusals that are not a user's timeline entry (a client's mistake): answered, not kept.
NOT_TIMELINE = frozenset({Problem.UNKNOWN_EVENT, Problem.CREATE_TWICE, Problem.MALFORMED, Problem.TIME_IN_FUTURE})


def judge(batch: Batch, m: Prepared) -> int:
    """Judge one mutation; return the seq of its timeline event, or raise DomainError or Refusal."""
    if m.is_create:
        return create(batch, m, m.body)  # type: ignore[arg-type]
    if m.action is not None:
        return act(batch, m)
    return event(batch, m, m.body)  # type: ignore[arg-type]


def act(batch: Batch, m: Prepared) -> int:
    """A kind's own mutation on a record the user may see, judged and written by the kind's action."""
    kind = m.record_kind
    record = batch.records.get(m.record_id)
    if record is None or record.kind is not kind:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    if not kind.visible(batch.actor, record.row):
        raise Refusal(Problem.OUT_OF_SCOPE, {"record_id": record.id})
    return m.action.server(batch, record, m.body, batch.actor)


def create(batch: Batch, m: Prepared, body: CreateBody) -> int:
    kind = m.record_kind
    assert kind is not None
    if not kind.may_create(batch.actor, body):
        raise Refusal(Problem.OUT_OF_SCOPE, {"station_id": getattr(body, "station_id", None)})
    for record_id in (body.id, body.event_id):
        if record_id in batch.record_ids or record_id in batch.event_ids:
            raise Refusal(Problem.RECORD_EXISTS, {"id": record_id})
    missing = [p.sha256 for p in body.photos if p.sha256 not in batch.complete]
    if missing:
        raise Refusal(Problem.BLOB_MISSING, {"missing": missing})
    made = creation(kind, judge_create(kind, body, actor=batch.actor, ctx=batch), actor=batch.actor, now=batch.now())
    if kind.server_fields is not None:
        made.row.update(kind.server_fields(batch, made.row))
    record = RecordInBatch(kind, made.row, made.state, made.photos, [made.event], new=True)
    changes = batch.change(kind.name, logged(_times(kind), made.row), record, made.row)
    for photo in made.photos:
        changes += batch.change("photo", logged(PHOTO_TIMES, photo), record, made.row)
    changes += batch.event_change(made.event, record, made.row)
    batch.records[body.id] = record
    batch.record_ids.add(body.id)
    batch.event_ids.add(body.event_id)
    batch.new_photos += made.photos
    batch.new_events.append(made.event)
    batch.log_rows += changes
    return made.event["server_seq"]


def event(batch: Batch, m: Prepared, body: EventBody) -> int:
    kind = m.record_kind
    assert kind is not None
    record = batch.records.get(body.record_id)
    if record is None or record.kind is not kind:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    if not kind.visible(batch.actor, record.row):
        raise Refusal(Problem.OUT_OF_SCOPE, {"record_id": record.id})
    if body.id in batch.event_ids:
        raise Refusal(Problem.RECORD_EXISTS, {"id": body.id})
    missing = [p["sha256"] for p in attached_photos(kind.events.get(body.type), body.payload)
               if p["sha256"] not in batch.complete]
    if missing:
        raise Refusal(Problem.BLOB_MISSING, {"missing": missing})
    try:
        body, event_type, payload = judge_event(kind, record.state, body, actor=batch.actor, ctx=batch)
        check_new_photos([p["sha256"] for p in record.photos], attached_photos(event_type, payload))
    except DomainError as error:
        raise _kept(batch, record, body, error) from None
    if event_type.server_payload is not None:
        payload = event_type.server_payload(batch, record.row, dict(payload))
    # Accepted: stage the rows and their changes. The state moves on as a fold of the
    # timeline with this event at its end would.
    staged = event_row(kind, record.id, event_id=body.id, type_=body.type, actor=batch.actor, payload=payload,
                       created_at=body.created_at or batch.now())
    added = [dict.fromkeys(PHOTO_COLUMNS) | photo_row(kind, record.id, photo, len(record.photos) + offset)
             for offset, photo in enumerate(attached_photos(event_type, payload))]
    photos = record.photos + added
    state = apply(event_type, record.state, payload, batch.actor, staged["created_at"], event_id=staged["id"])
    latest = max(record.latest, staged["created_at"])
    row = record.row | kind.derived(state)
    row["updated_at"] = max(latest, row["updated_at"])
    # In this order (seqs are given out as changes are made): the department the record leaves
    # is told, then the record as it now is, then its history for the department it reaches.
    changes = _left(batch, record, row)
    changes += batch.change(kind.name, logged(_times(kind), row), record, row)
    changes += _reached(batch, record, row, photos)
    for photo in added:
        changes += batch.change("photo", logged(PHOTO_TIMES, photo), record, row)
        batch.new_photos.append(photo)
    changes += batch.event_change(staged, record, row)
    record.row, record.state, record.photos, record.latest, record.dirty = row, state, photos, latest, True
    record.events.append(staged)
    batch.event_ids.add(staged["id"])
    batch.new_events.append(staged)
    batch.log_rows += changes
    return staged["server_seq"]


def _left(batch: Batch, record: RecordInBatch, row: dict[str, Any]) -> list[dict]:
    """The revocations a change logs for the departments and followers it leaves (each alone: the old scope).

    Their phones drop their copy; they see nothing of the record after this.
    """
    before, after = record.kind.scope.of(record.row), record.kind.scope.of(row)
    revoked = {"entity": record.kind.name, "id": record.id}
    changes = []
    for department in [d for d in before.departments if d not in after.departments]:
        changes += batch.change("revoked", revoked, record, record.row, audience=Audience.DEPARTMENT,
                                department=department)
    for person in [p for p in before.followers if p not in after.followers]:
        changes += batch.change("revoked", revoked, record, record.row, audience=Audience.PERSON, person=person)
    return changes


def _reached(batch: Batch, record: RecordInBatch, row: dict[str, Any], photos: list[dict[str, Any]]) -> list[dict]:
    """The history a change sends again to the departments and followers it reaches: their cursors are past it."""
    before, after = record.kind.scope.of(record.row), record.kind.scope.of(row)
    targets = [(Audience.DEPARTMENT, {"department": d}) for d in after.departments if d not in before.departments]
    targets += [(Audience.PERSON, {"person": p}) for p in after.followers if p not in before.followers]
    changes = []
    for audience, to in targets:
        for earlier in photos:
            changes += batch.change("photo", logged(PHOTO_TIMES, earlier), record, row, audience=audience, **to)
        for earlier in record.events:
            if earlier["server_seq"] is not None:
                changes += batch.change("event", _logged_event(earlier), record, row, audience=audience, **to)
    return changes


def _kept(batch: Batch, record: RecordInBatch, body: EventBody, error: DomainError) -> Refusal:
    """Turn a rule's refusal into one that keeps the event in the timeline, when it can be kept."""
    refusal = Refusal.of(error)
    if error.code in NOT_TIMELINE:
        return refusal
    refusal.record = event_row(record.kind, record.id, event_id=body.id, type_=body.type[:100], actor=batch.actor,
                               payload=body.payload, created_at=body.created_at or batch.now())
    return refusal


def _times(kind) -> tuple[str, ...]:
    return time_columns(kind.table.__table__)


def _logged_event(event: dict[str, Any]) -> dict[str, Any]:
    return logged(EVENT_TIMES, event)
