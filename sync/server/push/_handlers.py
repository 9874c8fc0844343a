"""The two mutations of every kind, judged against the batch held in memory: a creation, and one event.

Both stage the rows they add and the changes they log; the batch writes them at the end.
A refused event on a record the user may see is kept in its timeline, marked refused.
"""

from __future__ import annotations

from typing import Any

from app.errors import DomainError
from app.problems import Problem
from app.records import CreateBody, EventBody, apply, creation, event_row, judge_create, judge_event, photo_row
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
    return event(batch, m, m.body)  # type: ignore[arg-type]


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
    record = RecordInBatch(kind, made.row, made.state, made.photos, [made.event], new=True)
    changes = [batch.change(kind.name, logged(_times(kind), made.row), record, made.row)]
    changes += [batch.change("photo", logged(PHOTO_TIMES, photo), record, made.row) for photo in made.photos]
    changes.append(batch.event_change(made.event, record, made.row))
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
    event_type = kind.events.get(body.type)
    sha = body.payload.get("sha256")
    if event_type is not None and event_type.attaches_photo and isinstance(sha, str) and sha not in batch.complete:
        raise Refusal(Problem.BLOB_MISSING, {"missing": [sha]})
    try:
        body, event_type, payload = judge_event(kind, record.state, body, actor=batch.actor, ctx=batch)
    except DomainError as error:
        raise _kept(batch, record, body, error) from None
    # Accepted: stage the rows and their changes. The state moves on as a fold of the
    # timeline with this event at its end would.
    staged = event_row(kind, record.id, event_id=body.id, type_=body.type, actor=batch.actor, payload=payload,
                       created_at=body.created_at or batch.now())
    photos = record.photos
    if event_type.attaches_photo:
        photos = photos + [dict.fromkeys(PHOTO_COLUMNS) | photo_row(kind, record.id, payload, len(photos))]
    state = apply(event_type, record.state, payload, batch.actor)
    latest = max(record.latest, staged["created_at"])
    row = record.row | kind.derived(state)
    row["updated_at"] = max(latest, row["updated_at"])
    # In this order (seqs are given out as changes are made): the department the record leaves
    # is told, then the record as it now is, then its history for the department it reaches.
    changes = _left(batch, record, row)
    changes.append(batch.change(kind.name, logged(_times(kind), row), record, row))
    changes += _reached(batch, record, row, photos)
    if photos is not record.photos:
        changes.append(batch.change("photo", logged(PHOTO_TIMES, photos[-1]), record, row))
        batch.new_photos.append(photos[-1])
    changes.append(batch.event_change(staged, record, row))
    record.row, record.state, record.photos, record.latest, record.dirty = row, state, photos, latest, True
    record.events.append(staged)
    batch.event_ids.add(staged["id"])
    batch.new_events.append(staged)
    batch.log_rows += changes
    return staged["server_seq"]


def _left(batch: Batch, record: RecordInBatch, row: dict[str, Any]) -> list[dict]:
    """The change a move to another department logs for the one it leaves (it alone: the old scope)."""
    column = record.kind.scope.department
    if column is None or row[column] == record.row[column] or not record.row[column]:
        return []
    # Its phones drop their copy; they see nothing of the record after this.
    return [batch.change("revoked", {"entity": record.kind.name, "id": record.id}, record, record.row,
                         audience=Audience.DEPARTMENT)]


def _reached(batch: Batch, record: RecordInBatch, row: dict[str, Any], photos: list[dict[str, Any]]) -> list[dict]:
    """The history a move sends again to the department it reaches, whose cursor is past it (to it alone)."""
    column = record.kind.scope.department
    if column is None or row[column] == record.row[column] or not row[column]:
        return []
    changes = [batch.change("photo", logged(PHOTO_TIMES, earlier), record, row, audience=Audience.DEPARTMENT)
               for earlier in photos]
    changes += [batch.change("event", _logged_event(earlier), record, row, audience=Audience.DEPARTMENT)
                for earlier in record.events if earlier["server_seq"] is not None]
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
