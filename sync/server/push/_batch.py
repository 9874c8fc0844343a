"""One pushed batch under the write lock: a few set-based reads, every mutation judged in memory, bulk writes."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session, SQLModel

from app.actors import Actor
from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.problems import Problem
from app.records import RecordEvent, RecordKind, RecordPhoto, attached_photos, fold, timeline_key
from sync.protocol import RETRYABLE_CODES, MutationStatus
from sync.server.auth import CurrentUser
from app.replica import reference_entities
from sync.server.changes import Audience, change_rows
from sync.server.db import applied_mutation, blob, change_log
from sync.server.errors import message_for
from sync.server.push._bulk import bulk_insert, chunks, claim_seqs, first_free_seq
from sync.server.push._wire import Prepared, Refusal, applied, duplicate, refused, result, server_error

log = logging.getLogger("lianluo.server.push")

EVENT, PHOTO = RecordEvent.__table__, RecordPhoto.__table__  # type: ignore[attr-defined]
EVENT_COLUMNS = tuple(c.name for c in EVENT.columns)
PHOTO_COLUMNS = tuple(c.name for c in PHOTO.columns)


@lru_cache(maxsize=64)
def time_columns(table: Any) -> tuple[str, ...]:
    """The table's time and date columns (the change log carries them as ISO 8601 text)."""
    names = []
    for column in table.columns:
        try:
            if issubclass(getattr(column.type, "impl_instance", column.type).python_type, date):
                names.append(column.name)
        except NotImplementedError:
            pass
    return tuple(names)


EVENT_TIMES, PHOTO_TIMES = time_columns(EVENT), time_columns(PHOTO)


def reference_tables() -> set[str]:
    """Small tables every batch may look ids up in: read whole, once a batch."""
    return {table.__tablename__ for _entity, table, _public in reference_entities()}  # type: ignore[attr-defined]


def logged(times: Sequence[str], row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as the change log carries it (changes.record_data): every column, times as ISO 8601 UTC."""
    data = dict(row)
    for name in times:
        value = data[name]
        if isinstance(value, datetime):
            data[name] = as_utc(value).isoformat()
        elif isinstance(value, date):
            data[name] = value.isoformat()
    return data


class RecordInBatch:
    """A record as the batch holds it: its row, what its timeline adds up to, its photos and events."""

    __slots__ = ("kind", "row", "state", "photos", "events", "latest", "new", "dirty")

    def __init__(self, kind: RecordKind, row: dict[str, Any], state: Any, photos: list[dict[str, Any]],
                 events: list[dict[str, Any]], *, new: bool):
        self.kind = kind
        self.row = row
        self.state = state
        self.photos = photos  # in position order
        self.events = events  # in timeline order, refused ones included
        self.latest = max((e["created_at"] for e in events), default=row["created_at"])
        self.new = new  # created by this batch: inserted at the end, else updated
        self.dirty = False

    @property
    def id(self) -> str:
        return self.row["id"]


class Batch:
    """One batch under the write lock: reads once, judges in memory, writes in bulk.

    It is also the rules' context (`has`, `now`): reference data is read once per batch.
    """

    def __init__(self, session: Session, user: CurrentUser, device_id: str, mutations: Sequence[Prepared]):
        self.session = session
        self.user = user
        self.actor: Actor = user.actor
        self.device_id = device_id
        self.mutations = mutations
        self._now = utcnow()
        self.known: dict[str, tuple[str, dict[str, Any]]] = {}  # mutation id -> (body hash, answer)
        self.records: dict[str, RecordInBatch] = {}  # the records events of this batch name, and those it creates
        self.record_ids: set[str] = set()  # records that exist: in the store (of those named) or created here
        self.event_ids: set[str] = set()  # events that exist, likewise
        self.complete: set[str] = set()  # photos the store holds complete, of those the batch names
        self._reference: dict[str, set[str]] = {}
        self._seen: dict[str, bool] = {}
        self._seq: int | None = None  # the next change-log seq, once the batch logs a change
        # What the batch writes.
        self.new_photos: list[dict[str, Any]] = []
        self.new_events: list[dict[str, Any]] = []
        self.log_rows: list[dict[str, Any]] = []
        self.remembered: list[dict[str, Any]] = []

    # ------------------------------------------------------------ the rules' context

    def has(self, table: str, record_id: str) -> bool:
        """Whether a row exists: reference tables are read whole once a batch, records one id at a time."""
        if record_id in self.record_ids and any(r.kind.table.__tablename__ == table for r in self.records.values()):
            return True
        ids = self._reference.get(table)
        if ids is None and table in reference_tables():
            columns = SQLModel.metadata.tables[table].c
            ids = self._reference[table] = set(self.session.execute(select(columns.id)).scalars())
        if ids is not None:
            return record_id in ids
        key = f"{table}:{record_id}"
        if key not in self._seen:
            columns = SQLModel.metadata.tables[table].c
            self._seen[key] = self.session.execute(select(columns.id).where(columns.id == record_id)).first() is not None
        return self._seen[key]

    def row(self, table: str, record_id: str) -> Mapping[str, Any] | None:
        """A record as the batch now holds it (changed by earlier mutations of the batch), else as stored."""
        held = self.records.get(record_id)
        if held is not None and held.kind.table.__tablename__ == table:
            return held.row
        columns = SQLModel.metadata.tables[table]
        found = self.session.execute(select(columns).where(columns.c.id == record_id)).mappings().first()
        return dict(found) if found is not None else None

    def largest(self, kind: RecordKind, column: str, **equal: Any) -> int:
        """The largest value of a column among a kind's records that match (stored or created in this batch)."""
        table = kind.table.__table__  # type: ignore[attr-defined]
        stored = self.session.execute(select(func.max(table.c[column])).where(
            *[table.c[name] == value for name, value in equal.items()])).scalar() or 0
        staged = [r.row[column] or 0 for r in self.records.values()
                  if r.kind is kind and r.new and all(r.row.get(n) == v for n, v in equal.items())]
        return max([stored, *staged])

    def now(self) -> datetime:
        return self._now

    # ------------------------------------------------------------ reads

    def load(self) -> None:
        session = self.session
        ids = list(dict.fromkeys(m.id for m in self.mutations))
        for part in chunks(ids):
            for row in session.execute(select(applied_mutation.c.id, applied_mutation.c.body_hash,
                                              applied_mutation.c.result).where(applied_mutation.c.id.in_(part))):
                self.known[row.id] = (row.body_hash, row.result)
        named: dict[RecordKind, dict[str, None]] = {}
        targets: set[str] = set()
        event_ids: dict[str, None] = {}
        hashes: dict[str, None] = {}
        for m in self.mutations:
            body = m.body
            if body is None or m.id in self.known:
                continue
            named.setdefault(m.record_kind, {})[m.record_id] = None  # type: ignore[index]
            if m.is_create:
                event_ids[body.event_id] = None  # type: ignore[attr-defined]
                hashes.update(dict.fromkeys(p.sha256 for p in body.photos))  # type: ignore[attr-defined]
            elif m.action is not None:
                targets.add(m.record_id)
            else:
                targets.add(m.record_id)
                event_ids[body.id] = None  # type: ignore[attr-defined]
                event_type = m.record_kind.events.get(body.type)  # type: ignore[union-attr, attr-defined]
                for photo in attached_photos(event_type, body.payload):  # type: ignore[attr-defined]
                    hashes[photo["sha256"]] = None
        for kind, record_ids in named.items():
            table = kind.table.__table__  # type: ignore[attr-defined]
            rows = []
            for part in chunks(list(record_ids)):
                rows += session.execute(select(table).where(table.c.id.in_(part))).mappings().all()
            self.record_ids.update(row["id"] for row in rows)
            self._load_records(kind, [dict(row) for row in rows if row["id"] in targets])
        for part in chunks(list(event_ids)):
            self.event_ids.update(session.execute(select(EVENT.c.id).where(EVENT.c.id.in_(part))).scalars())
        for part in chunks(list(hashes)):
            self.complete.update(session.execute(select(blob.c.sha256).where(
                blob.c.sha256.in_(part), blob.c.complete.is_(True))).scalars())

    def _load_records(self, kind: RecordKind, rows: list[dict[str, Any]]) -> None:
        """Hold the records events of this batch act on, with their timelines folded once."""
        if not rows:
            return
        ids = [row["id"] for row in rows]
        events: dict[str, list[Any]] = {i: [] for i in ids}
        photos: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for part in chunks(ids):
            for event in self.session.execute(select(EVENT).where(EVENT.c.record_id.in_(part))):
                events[event.record_id].append(event)
            for photo in self.session.execute(select(PHOTO).where(PHOTO.c.record_id.in_(part))).mappings():
                photos[photo["record_id"]].append(dict(photo))
        for row in rows:
            timeline = sorted(events[row["id"]], key=timeline_key)
            state, _ = fold(kind, row, timeline)
            self.records[row["id"]] = RecordInBatch(
                kind, row, state, sorted(photos[row["id"]], key=lambda p: p["position"]),
                [dict(e._mapping) for e in timeline], new=False)

    # ------------------------------------------------------------ the change log

    def next_seq(self) -> int:
        if self._seq is None:
            self._seq = first_free_seq(self.session)
        seq = self._seq
        self._seq += 1
        return seq

    def change(self, entity: str, data: dict[str, Any], record: RecordInBatch | None, row: Mapping[str, Any], *,
               audience: Audience = Audience.RECORD, seq: int | None = None, department: str | None = None,
               person: str | None = None) -> list[dict[str, Any]]:
        """The change-log rows of one change (changes.change_rows), given their seqs in order."""
        rows = change_rows(entity, data, kind=record.kind if record is not None else None, record=row,
                           audience=audience, department=department, person=person, now=self._now)
        for index, one in enumerate(rows):
            one["seq"] = seq if index == 0 and seq is not None else self.next_seq()
        return rows

    def log_record(self, record: RecordInBatch) -> int:
        """Log a record as the batch now holds it (a kind's own mutation changed it); return the change's seq."""
        rows = self.change(record.kind.name, logged(time_columns(record.kind.table.__table__), record.row), record,
                           record.row)
        self.log_rows += rows
        return rows[0]["seq"]

    def event_change(self, event: dict[str, Any], record: RecordInBatch, row: Mapping[str, Any]) -> list[dict]:
        """Give an event its place in the order (server_seq) and log it whole."""
        seq = event["server_seq"] = self.next_seq()
        return self.change("event", logged(EVENT_TIMES, event), record, row, seq=seq)

    # ------------------------------------------------------------ judging, in order

    def judge_all(self, judge: Callable[["Batch", Prepared], int]) -> list[dict[str, Any]]:
        """Judge every mutation in order with `judge` (which returns its event's seq or raises); answer each."""
        results = []
        for m in self.mutations:
            first = self.known.get(m.id)
            if first is not None:
                digest, answer = first
                if digest != m.digest:
                    results.append(result(m.id, MutationStatus.REJECTED, code=Problem.MUTATION_CONFLICT,
                                          params={"mutation_id": m.id}))
                else:
                    results.append(duplicate(answer))
                continue
            answer = m.answer
            if answer is None:
                try:
                    answer = self._judge(m, judge)
                except Exception:
                    # A bug: nothing of this mutation is kept (judging stages what it would change, and
                    # only changes the batch's state once nothing can fail any more).
                    log.exception("mutation %s (%s) failed", m.id, m.kind)
                    answer = server_error(m.id)
            if answer["code"] not in RETRYABLE_CODES:
                self.known[m.id] = (m.digest, answer)
                self.remembered.append({"id": m.id, "body_hash": m.digest, "kind": m.kind,
                                        "user_id": self.user.user_id, "device_id": self.device_id,
                                        "result": answer, "created_at": self._now})
            results.append(answer)
        return results

    def _judge(self, m: Prepared, judge) -> dict[str, Any]:
        try:
            return applied(m.id, judge(self, m))
        except DomainError as error:
            return refused(m.id, Refusal.of(error))
        except Refusal as refusal:
            seq = self.keep_refused(refusal) if refusal.record is not None else None
            return refused(m.id, refusal, seq=seq)

    def keep_refused(self, refusal: Refusal) -> int:
        """The design: an event the rules refuse is kept in the timeline, marked, with the reason."""
        event = refusal.record
        assert event is not None
        record = self.records[event["record_id"]]
        event["rejected_code"] = refusal.code.value
        event["rejected_reason"] = message_for(refusal.code, refusal.params)
        changes = self.event_change(event, record, record.row)
        record.latest = max(record.latest, event["created_at"])
        record.events.append(event)
        self.event_ids.add(event["id"])
        self.new_events.append(event)
        self.log_rows += changes
        return event["server_seq"]

    # ------------------------------------------------------------ bulk writes

    def write(self) -> None:
        session = self.session
        connection = session.connection()
        by_kind: dict[RecordKind, list[RecordInBatch]] = {}
        for record in self.records.values():
            by_kind.setdefault(record.kind, []).append(record)
        for kind, records in by_kind.items():
            table = kind.table.__table__  # type: ignore[attr-defined]
            created = [r.row for r in records if r.new]
            if created:
                bulk_insert(connection, table, created)
        for table, rows in ((PHOTO, self.new_photos), (EVENT, self.new_events),
                            (change_log, self.log_rows), (applied_mutation, self.remembered)):
            if rows:
                bulk_insert(connection, table, rows)
        for kind, records in by_kind.items():
            columns = (*kind.derived_columns, *kind.server_columns, "updated_at",
                       *(("search_text",) if kind.search_text else ()))
            changed = [{"_id": r.row["id"], **{f"_{c}": r.row[c] for c in columns}}
                       for r in records if r.dirty and not r.new]
            if changed:
                table = kind.table.__table__  # type: ignore[attr-defined]
                statement = update(table).where(table.c.id == bindparam("_id")).values(
                    {c: bindparam(f"_{c}") for c in columns})
                for part in chunks(changed):
                    session.execute(statement, list(part))
        if self._seq is not None:
            claim_seqs(session, self._seq - 1)
