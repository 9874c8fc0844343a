"""Apply a pushed batch: judged in memory by the phone's rules, written in one transaction.

    results = apply_batch(engine, user=user, device_id="…", mutations=request.mutations)

A mutation id is remembered with a hash of its body and the answer it got, so the same
batch sent three times stores each record once and answers the same thing each time.

How a batch goes:

1. Without the database: each mutation's body hash, its text checked (no NUL, no unpaired
   surrogate, no NaN) and its shape checked against `sync.protocol`.
2. Under the store's write lock (db.write_session), in one transaction: a handful of
   set-based reads (which ids were applied before, the reference data, the issues the
   batch names with their timelines and photos, which photos are uploaded), then every
   mutation judged in order by `app.issues` / `app.workflow` against that state held in
   memory. An accepted mutation updates the state, so a later one in the same batch sees
   it; a refused one changes nothing (a refused event is kept in the timeline, marked).
3. Every row the batch produces, written with one bulk statement per table; change-log
   `seq`s given out in order under the lock, so a pull never skips a change. Commit.

The batch is all or nothing: a server killed in the middle keeps none of it, and the
phone's retry applies it. Should the bulk write fail on one bad row anyway (a rule this
module did not foresee), the batch is applied again one mutation per transaction, so only
that mutation answers `server.error`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any, Iterable, Iterator, Mapping, Sequence

from pydantic import ValidationError
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.ids import is_uuid
from app.issues import (attached_photo, cached_fields, check_draft_against, check_event_body, create_records,
                        draft_from_body, event_record, replay_timeline, timeline_key)
from app.models import Category, Department, Issue, IssueEvent, IssuePhoto, Person, Station
from app.workflow import EventKind, IssueState, apply_event, initial_state
from sync.protocol import (RETRYABLE_CODES, EntityKind, ErrorCode, IssueCreateBody, IssueEventBody, Mutation,
                           MutationKind, MutationStatus)
from sync.server.auth import CurrentUser
from sync.server.changes import Audience
from sync.server.db import applied_mutation, blob, change_log, write_session
from sync.server.errors import json_safe, message_for
from sync.server.scope import can_see_issue, may_create_in

log = logging.getLogger("lianluo.server.push")

# Rows per IN (...) list and per bulk statement.
CHUNK = 500

ISSUE, EVENT, PHOTO = Issue.__table__, IssueEvent.__table__, IssuePhoto.__table__  # type: ignore[attr-defined]
ISSUE_COLUMNS = tuple(c.name for c in ISSUE.columns)
EVENT_COLUMNS = tuple(c.name for c in EVENT.columns)
PHOTO_COLUMNS = tuple(c.name for c in PHOTO.columns)


def _times(table: Any) -> tuple[str, ...]:
    """The table's time columns (the change log carries them as ISO 8601 text)."""
    names = []
    for column in table.columns:
        try:
            if issubclass(getattr(column.type, "impl_instance", column.type).python_type, datetime):
                names.append(column.name)
        except NotImplementedError:
            pass
    return tuple(names)


ISSUE_TIMES, EVENT_TIMES, PHOTO_TIMES = _times(ISSUE), _times(EVENT), _times(PHOTO)
# The columns of an issue that its timeline decides (app.issues.refresh_state).
CACHED_COLUMNS = ("status", "department_id", "category_id", "rating", "updated_at")

# Refusals that are not a user's timeline entry (a client's mistake): answered, not kept.
_NOT_TIMELINE = frozenset({"issue.bad_id", "event.unknown_kind", "event.create_twice"})
# The enums' values, compared many times a batch.
_CREATE, _EVENT = MutationKind.ISSUE_CREATE.value, MutationKind.ISSUE_EVENT.value
_KINDS = frozenset({_CREATE, _EVENT})
_ATTACH_PHOTO = EventKind.ATTACH_PHOTO.value
_ISSUE, _PHOTO, _EVENT_ENTITY = EntityKind.ISSUE.value, EntityKind.PHOTO.value, EntityKind.EVENT.value
_REVOKED = EntityKind.REVOKED.value
_TO_ISSUE, _TO_DEPARTMENT = Audience.ISSUE.value, Audience.DEPARTMENT.value


@dataclass
class Refusal(Exception):
    """A mutation refused before or by the rules; nothing of it is stored (but see `record`)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    # For an event on an issue the user can see: keep the event in the timeline, marked refused.
    record: dict[str, Any] | None = None


class Unforeseen(Exception):
    """A mutation the store cannot write although the rules accept it: answered `server.error`, not kept."""


# ---------------------------------------------------------------- hashing and the wire's text

# json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")), made once.
_HASH_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash_text(kind: str, body: Mapping[str, Any]) -> str:
    return _HASH_ENCODER.encode({"kind": kind, "body": body})


def body_hash(kind: str, body: Mapping[str, Any]) -> str:
    """Return a hash of a mutation's kind and body that ignores key order and spacing."""
    return hashlib.sha256(_hash_text(kind, body).encode("utf-8", "surrogatepass")).hexdigest()


def _hash_and_screen(kind: str, body: Mapping[str, Any]) -> tuple[str, bool]:
    """Return `body_hash(kind, body)` and whether the body's text is surely clean, from one serialisation.

    The JSON text escapes a NUL as \\u0000, keeps an unpaired surrogate (which then does not
    encode strictly) and writes NaN and infinities as NaN / Infinity: if none of those
    appear, `wire_text_problem` has nothing to find.
    """
    text_ = _hash_text(kind, body)
    try:
        data = text_.encode("utf-8")
    except UnicodeEncodeError:
        return hashlib.sha256(text_.encode("utf-8", "surrogatepass")).hexdigest(), False
    clean = "\\u0000" not in text_ and "NaN" not in text_ and "Infinity" not in text_
    return hashlib.sha256(data).hexdigest(), clean


def wire_text_problem(value: Any, path: str = "body") -> str | None:
    """Name the first value the store cannot keep: a NUL or unpaired surrogate in text, NaN or infinity."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{path}: text contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path}: text is not valid Unicode"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: numbers must be finite"
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = wire_text_problem(key, path) or wire_text_problem(item, f"{path}.{key}")
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = wire_text_problem(item, f"{path}[{index}]")
            if problem:
                return problem
    return None


# ---------------------------------------------------------------- results

def _result(mutation_id: str, status: MutationStatus | str, *, seq: int | None = None, code: str | None = None,
            params: Mapping[str, Any] | None = None, reason: str | None = None) -> dict[str, Any]:
    """One mutation's answer, as `protocol.MutationResult` dumps it (and as applied_mutation keeps it)."""
    detail = json_safe(dict(params)) if params else {}
    if code is not None and reason is None:
        reason = message_for(code, detail)
    return {"id": mutation_id, "status": str(status), "seq": seq, "code": code, "reason": reason, "detail": detail,
            "first_status": None}


def _applied(mutation_id: str, seq: int) -> dict[str, Any]:
    return {"id": mutation_id, "status": "applied", "seq": seq, "code": None, "reason": None, "detail": {},
            "first_status": None}


def _server_error(mutation_id: str) -> dict[str, Any]:
    return _result(mutation_id, MutationStatus.REJECTED, code=ErrorCode.SERVER_ERROR.value)


def _duplicate(first: Mapping[str, Any]) -> dict[str, Any]:
    """Answer a mutation sent again with what its first send answered."""
    answer = {"id": first.get("id"), "status": first.get("status"), "seq": first.get("seq"),
              "code": first.get("code"), "reason": first.get("reason"), "detail": first.get("detail") or {},
              "first_status": None}
    return answer | {"status": MutationStatus.DUPLICATE.value, "first_status": answer["status"]}


def _refused(mutation_id: str, refusal: Refusal, *, field_name: str | None = None,
             seq: int | None = None) -> dict[str, Any]:
    params = dict(refusal.params)
    if field_name:
        params["field"] = field_name
    return _result(mutation_id, MutationStatus.REJECTED, seq=seq, code=refusal.code, params=params,
                   reason=message_for(refusal.code, params))


def _malformed(mutation_id: str, exc: ValidationError) -> dict[str, Any]:
    errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
    return _result(mutation_id, MutationStatus.REJECTED, code=ErrorCode.MALFORMED.value, params={"errors": errors})


# ---------------------------------------------------------------- 1. without the database

@dataclass(slots=True)
class Prepared:
    """A mutation as the batch judges it: its hash, and its checked body or the answer it gets regardless."""

    id: str
    kind: str
    digest: str
    body: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None  # refused whatever the store holds (unless the id was seen before)


def prepare(mutation: Mutation) -> Prepared:
    """Hash a mutation and check its text and shape; needs no database."""
    mutation_id, kind, raw = mutation.id, mutation.kind, mutation.body
    try:
        digest, clean = _hash_and_screen(kind, raw)
    except Exception:
        log.exception("mutation %s (%s) could not be hashed", mutation_id, kind)
        return Prepared(mutation_id, kind, "", answer=_server_error(mutation_id))
    prepared = Prepared(mutation_id, kind, digest)
    try:
        if kind not in _KINDS:
            prepared.answer = _result(mutation_id, MutationStatus.REJECTED, code=ErrorCode.UNKNOWN_KIND.value,
                                      params={"kind": kind[:100]})
            return prepared
        problem = None if clean else wire_text_problem(raw)
        if problem:
            prepared.answer = _result(mutation_id, MutationStatus.REJECTED, code=ErrorCode.MALFORMED.value,
                                      params={"errors": [problem]})
            return prepared
        model = IssueCreateBody if kind == _CREATE else IssueEventBody
        prepared.body = {**raw, **model.model_validate(raw).model_dump(mode="json", exclude_unset=True)}
    except ValidationError as exc:
        prepared.answer = _malformed(mutation_id, exc)
    except Exception:
        log.exception("mutation %s (%s) could not be checked", mutation_id, kind)
        prepared.answer = _server_error(mutation_id)
    return prepared


# ---------------------------------------------------------------- 2. the state a batch judges against

def _data(times: Sequence[str], row: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the change log carries it (changes.record_data): every column, times as ISO 8601 UTC.

    `row` holds every column of its table, in the table's order; `times` names its time columns.
    """
    data = dict(row)
    for name in times:
        value = data[name]
        if value is not None:
            data[name] = as_utc(value).isoformat()
    return data


class IssueInBatch:
    """An issue as the batch holds it: its row, what its timeline adds up to, its photos and events."""

    __slots__ = ("row", "state", "photos", "events", "latest", "new", "dirty")

    def __init__(self, row: dict[str, Any], state: IssueState, photos: list[dict[str, Any]],
                 events: list[dict[str, Any]], *, new: bool):
        self.row = row
        self.state = state
        self.photos = photos  # in position order
        self.events = events  # in timeline order, refused ones included
        self.latest = max((e["created_at"] for e in events), default=row["created_at"])
        self.new = new  # created by this batch: inserted at the end, else updated
        self.dirty = False

    # What scope.can_see_issue reads.
    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def station_id(self) -> str | None:
        return self.row["station_id"]

    @property
    def reporter_id(self) -> str | None:
        return self.row["reporter_id"]

    @property
    def department_id(self) -> str | None:
        return self.row["department_id"]


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class Batch:
    """One batch under the write lock: reads once, judges in memory, writes in bulk."""

    def __init__(self, session: Session, user: CurrentUser, device_id: str, mutations: Sequence[Prepared]):
        self.session = session
        self.user = user
        self.actor = user.actor
        self.device_id = device_id
        self.mutations = mutations
        self.now = utcnow()
        self.known: dict[str, tuple[str, dict[str, Any]]] = {}  # mutation id -> (body hash, answer)
        self.issues: dict[str, IssueInBatch] = {}  # the issues events of this batch name, and the ones it creates
        self.issue_ids: set[str] = set()  # issues that exist: in the store (of those the batch names) or created
        self.event_ids: set[str] = set()  # events that exist, likewise
        self.complete: set[str] = set()  # photos the store holds complete, of those the batch names
        self._reference: dict[str, set[str]] | None = None
        self._seq: int | None = None  # the next change-log seq, once the batch logs a change
        # What the batch writes.
        self.new_photos: list[dict[str, Any]] = []
        self.new_events: list[dict[str, Any]] = []
        self.log_rows: list[dict[str, Any]] = []
        self.remembered: list[dict[str, Any]] = []

    # ------------------------------------------------------------ reads

    def load(self) -> None:
        session = self.session
        ids = list(dict.fromkeys(m.id for m in self.mutations))
        for part in _chunks(ids):
            for row in session.execute(select(applied_mutation.c.id, applied_mutation.c.body_hash,
                                              applied_mutation.c.result).where(applied_mutation.c.id.in_(part))):
                self.known[row.id] = (row.body_hash, row.result)
        issue_ids: dict[str, None] = {}
        event_ids: dict[str, None] = {}
        hashes: dict[str, None] = {}
        targets: dict[str, None] = {}
        for m in self.mutations:
            body = m.body
            if body is None or m.id in self.known:
                continue
            if m.kind == _CREATE:
                issue_ids[body["id"]] = None
                event_ids[body["event_id"]] = None
                for photo in body.get("photos") or ():
                    hashes[photo["sha256"]] = None
            else:
                issue_ids[body["issue_id"]] = targets[body["issue_id"]] = None
                event_ids[body["id"]] = None
                sha = (body.get("payload") or {}).get("sha256")
                if body["kind"] == _ATTACH_PHOTO and isinstance(sha, str):
                    hashes[sha] = None
        rows = []
        for part in _chunks(list(issue_ids)):
            rows += session.execute(select(ISSUE).where(ISSUE.c.id.in_(part))).mappings().all()
        self.issue_ids = {row["id"] for row in rows}
        for part in _chunks(list(event_ids)):
            self.event_ids.update(session.execute(select(EVENT.c.id).where(EVENT.c.id.in_(part))).scalars())
        for part in _chunks(list(hashes)):
            self.complete.update(session.execute(select(blob.c.sha256).where(
                blob.c.sha256.in_(part), blob.c.complete.is_(True))).scalars())
        self._load_issues([dict(row) for row in rows if row["id"] in targets])

    def _load_issues(self, rows: list[dict[str, Any]]) -> None:
        """Hold the issues events of this batch act on, with their timelines replayed once."""
        if not rows:
            return
        session = self.session
        ids = [row["id"] for row in rows]
        events: dict[str, list[Any]] = {i: [] for i in ids}
        photos: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for part in _chunks(ids):
            for event in session.execute(select(EVENT).where(EVENT.c.issue_id.in_(part))):
                events[event.issue_id].append(event)
            for photo in session.execute(select(PHOTO).where(PHOTO.c.issue_id.in_(part))).mappings():
                photos[photo["issue_id"]].append(dict(photo))
        actors = list(dict.fromkeys(e.actor_id for timeline in events.values() for e in timeline
                                    if e.actor_id and e.rejected_code is None))
        people: dict[str, Any] = {}
        for part in _chunks(actors):
            people.update((p.id, p) for p in session.execute(
                select(Person.id, Person.role, Person.station_id, Person.department_id)  # type: ignore[call-overload]
                .where(Person.id.in_(part))))  # type: ignore[attr-defined]
        for row in rows:
            timeline = sorted(events[row["id"]], key=timeline_key)
            issue_row = _Row(row)
            state, _ = replay_timeline(issue_row, [e for e in timeline if e.rejected_code is None], people)
            self.issues[row["id"]] = IssueInBatch(
                row, state, sorted(photos[row["id"]], key=lambda p: p["position"]),
                [dict(e._mapping) for e in timeline], new=False)

    def reference(self, name: str) -> set[str]:
        """The ids of the categories, stations or departments, read once per batch."""
        if self._reference is None:
            self._reference = {
                model.__tablename__: set(self.session.execute(select(model.id)).scalars())  # type: ignore
                for model in (Category, Station, Department)}
        return self._reference[name]

    # ------------------------------------------------------------ the change log

    def _next_seq(self) -> int:
        if self._seq is None:
            self._seq = _first_free_seq(self.session)
        seq = self._seq
        self._seq += 1
        return seq

    def _change(self, entity: str, data: dict[str, Any], issue: Mapping[str, Any], *,
                audience: str = _TO_ISSUE, seq: int | None = None) -> dict[str, Any]:
        """One change-log row (changes.append) with the scope columns of the issue as it now is."""
        entity_id = f"{data['issue_id']}:{data['sha256']}" if entity == _PHOTO else str(data.get("id") or "")
        return {"seq": self._next_seq() if seq is None else seq, "entity": entity, "entity_id": entity_id,
                "issue_id": issue["id"], "audience": audience, "station_id": issue["station_id"],
                "department_id": issue["department_id"], "reporter_id": issue["reporter_id"], "data": data,
                "created_at": self.now}

    def _event_change(self, event: dict[str, Any], issue: Mapping[str, Any]) -> dict[str, Any]:
        """Give an event its place in the order (server_seq) and log it whole."""
        seq = event["server_seq"] = self._next_seq()
        return self._change(_EVENT_ENTITY, _data(EVENT_TIMES, event), issue, seq=seq)

    # ------------------------------------------------------------ judging, in order

    def judge_all(self) -> list[dict[str, Any]]:
        results = []
        for m in self.mutations:
            first = self.known.get(m.id)
            if first is not None:
                digest, answer = first
                if digest != m.digest:
                    results.append(_result(m.id, MutationStatus.REJECTED, code=ErrorCode.MUTATION_CONFLICT.value,
                                           params={"mutation_id": m.id}))
                else:
                    results.append(_duplicate(answer))
                continue
            result = m.answer
            if result is None:
                try:
                    result = self.judge(m)
                except Exception:
                    # A bug: nothing of this mutation is kept (judging stages what it would change, and
                    # only changes the batch's state once nothing can fail any more).
                    log.exception("mutation %s (%s) failed", m.id, m.kind)
                    result = _server_error(m.id)
            if result["code"] not in RETRYABLE_CODES:
                self.known[m.id] = (m.digest, result)
                self.remembered.append({"id": m.id, "body_hash": m.digest, "kind": m.kind,
                                        "user_id": self.user.user_id, "device_id": self.device_id,
                                        "result": result, "created_at": self.now})
            results.append(result)
        return results

    def judge(self, m: Prepared) -> dict[str, Any]:
        body = m.body
        assert body is not None
        try:
            if m.kind == _CREATE:
                return _applied(m.id, self._create(body))
            return _applied(m.id, self._event(body))
        except DomainError as error:
            return _refused(m.id, Refusal(error.code, dict(error.params)), field_name=error.field)
        except Refusal as refusal:
            seq = None
            if refusal.record is not None:
                seq = self._keep_refused(refusal)
            return _refused(m.id, refusal, seq=seq)

    def _create(self, body: dict[str, Any]) -> int:
        user = self.user
        if not may_create_in(user, body.get("station_id")):
            raise Refusal(ErrorCode.OUT_OF_SCOPE.value, {"station_id": body.get("station_id")})
        if body["id"] in self.issue_ids:
            raise Refusal(ErrorCode.RECORD_EXISTS.value, {"id": body["id"]})
        if body["event_id"] in self.event_ids:
            raise Refusal(ErrorCode.RECORD_EXISTS.value, {"id": body["event_id"]})
        wanted = [p["sha256"] for p in body.get("photos") or ()]
        missing = [sha for sha in wanted if sha not in self.complete]
        if missing:
            raise Refusal(ErrorCode.BLOB_MISSING.value, {"missing": missing})
        draft = draft_from_body(body)
        check_draft_against(draft, has_category=self.reference("category").__contains__,
                            has_station=self.reference("station").__contains__)
        values, photo_values, event_values = create_records(body, draft, actor=self.actor)
        # Accepted (apply_create): stage the records and their changes, then keep them.
        row = dict.fromkeys(ISSUE_COLUMNS) | values
        photos = [dict.fromkeys(PHOTO_COLUMNS) | values for values in photo_values]
        event = dict.fromkeys(EVENT_COLUMNS) | event_values
        state = initial_state(category_id=row["category_id"], station_id=row["station_id"],
                              reporter_id=row["reporter_id"], photo_hashes=event["payload"]["photos"])
        changes = [self._change(_ISSUE, _data(ISSUE_TIMES, row), row)]
        changes += [self._change(_PHOTO, _data(PHOTO_TIMES, photo), row) for photo in photos]
        changes.append(self._event_change(event, row))
        self.issues[row["id"]] = IssueInBatch(row, state, photos, [event], new=True)
        self.issue_ids.add(row["id"])
        self.event_ids.add(event["id"])
        self.new_photos += photos
        self.new_events.append(event)
        self.log_rows += changes
        return event["server_seq"]

    def _event(self, body: dict[str, Any]) -> int:
        issue = self.issues.get(body["issue_id"])
        if issue is None:
            raise DomainError("issue.not_found")
        if not can_see_issue(self.user, issue):  # type: ignore[arg-type]
            raise Refusal(ErrorCode.OUT_OF_SCOPE.value, {"issue_id": issue.id})
        if body["id"] in self.event_ids:
            raise Refusal(ErrorCode.RECORD_EXISTS.value, {"id": body["id"]})
        sha = (body.get("payload") or {}).get("sha256")
        if body["kind"] == _ATTACH_PHOTO and isinstance(sha, str) and sha not in self.complete:
            raise Refusal(ErrorCode.BLOB_MISSING.value, {"missing": [sha]})
        try:
            kind, payload = check_event_body(body, actor=self.actor, state_of=lambda: issue.state,
                                             has_department=self.reference("department").__contains__,
                                             has_category=self.reference("category").__contains__)
        except DomainError as error:
            raise self._recorded(issue, body, error) from None
        # Accepted (apply_event): stage the records and their changes, then keep them. The state
        # moves on as a replay of the timeline with this event at its end would.
        event = dict.fromkeys(EVENT_COLUMNS) | event_record(body, issue_id=issue.id, kind=kind, payload=payload,
                                                            actor=self.actor)
        photos = issue.photos
        if kind == _ATTACH_PHOTO:
            photos = photos + [dict.fromkeys(PHOTO_COLUMNS) | attached_photo(issue.id, payload,
                                                                             position=len(photos))]
        state = apply_event(issue.state, kind, payload)
        latest = max(issue.latest, event["created_at"])
        row = issue.row | cached_fields(state)
        row["updated_at"] = max(latest, row["updated_at"])
        changes = []
        if issue.row["department_id"] and row["department_id"] != issue.row["department_id"]:
            # The department it leaves is told so (it alone: the row carries the old scope), and
            # its phones drop their copy; they see nothing of the issue after this.
            changes.append(self._change(_REVOKED, {"entity": _ISSUE, "id": issue.id}, issue.row,
                                        audience=_TO_DEPARTMENT))
        changes.append(self._change(_ISSUE, _data(ISSUE_TIMES, row), row))
        if row["department_id"] and row["department_id"] != issue.row["department_id"]:
            # Sent again to the new department only: its cursor is past the issue's history.
            changes += [self._change(_PHOTO, _data(PHOTO_TIMES, earlier), row, audience=_TO_DEPARTMENT)
                        for earlier in photos]
            changes += [self._change(_EVENT_ENTITY, _data(EVENT_TIMES, earlier), row, audience=_TO_DEPARTMENT)
                        for earlier in issue.events if earlier["server_seq"] is not None]
        if photos is not issue.photos:
            changes.append(self._change(_PHOTO, _data(PHOTO_TIMES, photos[-1]), row))
            self.new_photos.append(photos[-1])
        changes.append(self._event_change(event, row))
        issue.row, issue.state, issue.photos, issue.latest, issue.dirty = row, state, photos, latest, True
        issue.events.append(event)
        self.event_ids.add(event["id"])
        self.new_events.append(event)
        self.log_rows += changes
        return event["server_seq"]

    def _recorded(self, issue: IssueInBatch, body: Mapping[str, Any], error: DomainError) -> Refusal:
        """Turn a rule's refusal into one that keeps the event in the timeline, when it can be kept."""
        refusal = Refusal(error.code, dict(error.params) | ({"field": error.field} if error.field else {}))
        if error.code in _NOT_TIMELINE or not is_uuid(str(body.get("id"))):
            return refusal
        created_at = as_utc(datetime.fromisoformat(body["created_at"])) if body.get("created_at") else utcnow()
        refusal.record = dict.fromkeys(EVENT_COLUMNS) | dict(
            id=body["id"], issue_id=issue.id, kind=str(body.get("kind"))[:100], actor_id=self.user.person_id,
            actor_role=self.user.role.value, created_at=created_at, payload=dict(body.get("payload") or {}))
        return refusal

    def _keep_refused(self, refusal: Refusal) -> int:
        """The design: an event the rules refuse is kept in the timeline, marked, with the reason."""
        event = refusal.record
        assert event is not None
        issue = self.issues[event["issue_id"]]
        event["rejected_code"] = refusal.code
        event["rejected_reason"] = message_for(refusal.code, refusal.params)
        change = self._event_change(event, issue.row)
        issue.latest = max(issue.latest, event["created_at"])
        issue.events.append(event)
        self.event_ids.add(event["id"])
        self.new_events.append(event)
        self.log_rows.append(change)
        return event["server_seq"]

    # ------------------------------------------------------------ 3. bulk writes

    def write(self) -> None:
        session = self.session
        created = [issue.row for issue in self.issues.values() if issue.new]
        changed = [{"_id": issue.row["id"], **{f"_{c}": issue.row[c] for c in CACHED_COLUMNS}}
                   for issue in self.issues.values() if issue.dirty and not issue.new]
        connection = session.connection()
        for table, rows in ((ISSUE, created), (PHOTO, self.new_photos), (EVENT, self.new_events),
                            (change_log, self.log_rows), (applied_mutation, self.remembered)):
            if rows:
                _bulk_insert(connection, table, rows)
        if changed:
            statement = update(ISSUE).where(ISSUE.c.id == bindparam("_id")).values(
                {c: bindparam(f"_{c}") for c in CACHED_COLUMNS})
            for part in _chunks(changed):
                session.execute(statement, list(part))
        if self._seq is not None:
            _claim_seqs(session, self._seq - 1)


class _BulkInsert:
    """One table's INSERT for the driver's executemany, and its columns' own conversions for the dialect.

    The values are converted exactly as SQLAlchemy would bind them (the column types' bind
    processors: times, JSON), without its per-row bookkeeping.
    """

    def __init__(self, table: Any, dialect: Any):
        names = [c.name for c in table.columns]
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
        self.sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                    f"VALUES ({', '.join([mark] * len(names))})")
        self.values = itemgetter(*names)
        self.convert = [(index, processor) for index, column in enumerate(table.columns)
                        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None]

    def params(self, rows: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
        values, convert = self.values, self.convert
        # A value met again (the batch's time, on every row it logs) is converted once.
        last: list[list[Any]] = [[_UNSET, None] for _ in convert]
        params = []
        for row in rows:
            one = list(values(row))
            for seen, (index, processor) in zip(last, convert):
                value = one[index]
                if value is not seen[0]:
                    seen[0], seen[1] = value, processor(value)
                one[index] = seen[1]
            params.append(one)
        return params


_UNSET = object()


_INSERTS: "weakref.WeakKeyDictionary[Any, dict[str, _BulkInsert]]" = weakref.WeakKeyDictionary()  # by dialect


def _bulk_insert(connection: Any, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts of every column) with the driver's executemany, in the connection's transaction."""
    dialect = connection.dialect
    plans = _INSERTS.setdefault(dialect, {})
    plan = plans.get(table.name)
    if plan is None:
        plan = plans[table.name] = _BulkInsert(table, dialect)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        for part in _chunks(plan.params(rows)):
            cursor.executemany(plan.sql, part)
    finally:
        cursor.close()


class _Row:
    """Attribute access to a row held as a dict (what app.issues.replay_timeline reads of an issue)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def _first_free_seq(session: Session) -> int:
    """The next change-log seq; the caller holds the write lock, so no other writer takes it."""
    if session.get_bind().dialect.name == "postgresql":
        return int(session.execute(text("SELECT nextval(pg_get_serial_sequence('change_log', 'seq'))")).scalar_one())
    head = session.execute(select(func.max(change_log.c.seq))).scalar() or 0
    # AUTOINCREMENT: never reuse a seq, even of a row no longer there.
    given = session.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'")).scalar() or 0
    return max(int(head), int(given)) + 1


def _claim_seqs(session: Session, last: int) -> None:
    """Move PostgreSQL's sequence past the seqs this batch wrote itself (SQLite's AUTOINCREMENT follows by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('change_log', 'seq'), :last)"), {"last": last})


# ---------------------------------------------------------------- the entry point

def apply_batch(engine: Engine, *, user: CurrentUser, device_id: str,
                mutations: Iterable[Mutation]) -> list[dict[str, Any]]:
    """Apply mutations in order, in one transaction; return one result each (MutationResult's fields), in order."""
    prepared = [prepare(m) for m in mutations]
    if not prepared:
        return []
    try:
        return _apply(engine, user, device_id, prepared)
    except (IntegrityError, DataError):
        if len(prepared) == 1:
            log.exception("mutation %s (%s) could not be written", prepared[0].id, prepared[0].kind)
            return [_server_error(prepared[0].id)]
        # A row the store refused although the rules accepted it: find which, one mutation at a time.
        log.warning("a batch of %d mutations could not be written at once; applying them one by one",
                    len(prepared), exc_info=True)
        results = []
        for one in prepared:
            try:
                results += _apply(engine, user, device_id, [one])
            except Exception:
                log.exception("mutation %s (%s) could not be written", one.id, one.kind)
                results.append(_server_error(one.id))
        return results
    except Exception:
        # A database failure: nothing of the batch is kept, so every mutation can be sent again.
        log.exception("a batch of %d mutations failed", len(prepared))
        return [_server_error(p.id) for p in prepared]


def _apply(engine: Engine, user: CurrentUser, device_id: str, prepared: Sequence[Prepared]) -> list[dict[str, Any]]:
    with write_session(engine) as session:
        batch = Batch(session, user, device_id, prepared)
        batch.load()
        results = batch.judge_all()
        batch.write()
        session.commit()
    return results
