"""The outbox as the user sees it: what waits to sync, what the server refused, how the last sync went.

Pure queries and dataclasses over the local store, so a view-model can render the
app bar's sync chip and the list of refused changes without importing httpx.

    status = read_status(session, photo_store)
    status.pending_mutations, status.pending_photos, status.rejected[0].reason
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Iterable, Mapping, Protocol, Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import as_utc
from app.models import OutboxMutation
from app.records import RecordEvent, action_of, attached_photos, kind_named, kind_of_mutation, refresh
from app.store import get_meta, set_meta


class OutboxState(StrEnum):
    PENDING = "pending"  # waits for the server
    APPLIED = "applied"  # the server took it
    DUPLICATE = "duplicate"  # the server had it already (an earlier send whose answer was lost)
    REJECTED = "rejected"  # the server refused it by the rules; shown to its author


DONE_STATES = frozenset({OutboxState.APPLIED.value, OutboxState.DUPLICATE.value})

# Meta keys this module and the sync client keep in the local store.
LAST_ATTEMPT = "sync.last_attempt"
LAST_SUCCESS = "sync.last_success"
LAST_OUTCOME = "sync.last_outcome"
LAST_PROBLEM = "sync.last_problem"


class SyncOutcome(StrEnum):
    """How one sync run ended; each is a state the UI has words for, not an exception."""

    OK = "ok"
    OFFLINE = "offline"  # no answer from the server: the normal state in the field
    AUTH_REQUIRED = "auth_required"  # token expired or revoked: ask the user to log in again
    SIGNED_OUT = "signed_out"  # never logged in on this device
    ERROR = "error"  # the server answered with an error; retried later


@dataclass(frozen=True)
class RejectedChange:
    """A change the server refused, with its stable code and reason, for the author to see."""

    mutation_id: str
    kind: str  # <kind>.create | <kind>.event
    record_kind: str
    record_id: str | None
    title: str  # the record's title, where its kind has one
    event_id: str | None
    event_type: str | None
    code: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class SyncStatus:
    """What waits on this device and how the last sync went; what the app bar chip shows."""

    pending_mutations: int = 0
    pending_photos: int = 0
    pending_photo_bytes: int = 0
    rejected: tuple[RejectedChange, ...] = ()
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_outcome: str = ""
    last_problem: str = ""  # the code of the last failure (e.g. auth.token_expired)
    needs_login: bool = False

    @property
    def waiting(self) -> bool:
        return self.pending_mutations > 0 or self.pending_photos > 0

    @property
    def offline(self) -> bool:
        return self.last_outcome == SyncOutcome.OFFLINE.value


@dataclass(frozen=True)
class SyncProgress:
    """Where a running sync is: phase, the photo being sent, bytes of that photo and of the whole run."""

    phase: str  # photos | push | pull
    photo_sha256: str | None = None
    photo_sent: int = 0
    photo_size: int = 0
    bytes_sent: int = 0
    bytes_total: int = 0
    photos_done: int = 0
    photos_total: int = 0
    mutations_sent: int = 0
    mutations_total: int = 0
    changes_pulled: int = 0

    @property
    def fraction(self) -> float:
        """Share of the photo bytes sent so far (photos are what takes time on a weak link)."""
        return self.bytes_sent / self.bytes_total if self.bytes_total else 1.0


@dataclass(frozen=True)
class SyncReport:
    """What one sync run did and how it ended, with the status after it."""

    outcome: SyncOutcome
    started_at: datetime
    finished_at: datetime
    problem_code: str = ""
    problem_message: str = ""
    photos_uploaded: int = 0
    photos_failed: tuple[str, ...] = ()
    bytes_uploaded: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: tuple[RejectedChange, ...] = ()  # refused in this run
    held_back: int = 0  # left waiting: they name a photo this phone cannot send
    retry_later: int = 0  # answered with a refusal that does not stick (e.g. blob.missing)
    changes_pulled: int = 0
    status: SyncStatus = field(default_factory=SyncStatus)

    @property
    def ok(self) -> bool:
        return self.outcome is SyncOutcome.OK


class PhotoSizes(Protocol):
    """The part of the photo store the status needs: where a photo's bytes are."""

    def has(self, sha256: str) -> bool: ...

    def path(self, sha256: str): ...


def photo_hashes(kind: str, body: Mapping[str, Any]) -> list[str]:
    """Return the photo hashes a mutation body names, in order."""
    found = kind_of_mutation(kind)
    if found is None:
        return []
    record_kind, is_create = found
    if is_create:
        return [str(p["sha256"]) for p in body.get("photos") or () if isinstance(p, Mapping) and p.get("sha256")]
    event_type = record_kind.events.get(str(body.get("type")))
    return [str(p["sha256"]) for p in attached_photos(event_type, body.get("payload") or {})]


def linked_records(kind: str, body: Mapping[str, Any]) -> list[str]:
    """Return the other records an event names (a merge's target), which must reach the server with it."""
    found = kind_of_mutation(kind)
    if found is None or found[1]:
        return []
    event_type = found[0].events.get(str(body.get("type")))
    payload = body.get("payload") or {}
    return [str(payload[name]) for name in (event_type.links if event_type else ()) if payload.get(name)]


def pending_mutations(session: Session, *, limit: int | None = None) -> list[OutboxMutation]:
    """Return the mutations waiting for the server, in the order they were made."""
    stmt = (select(OutboxMutation).where(OutboxMutation.state == OutboxState.PENDING.value)
            .order_by(col(OutboxMutation.created_at), col(OutboxMutation.id)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt))


def count_pending(session: Session) -> int:
    stmt = select(func.count()).select_from(OutboxMutation).where(OutboxMutation.state == OutboxState.PENDING.value)
    return session.exec(stmt).one()


def pending_photo_hashes(session: Session) -> list[str]:
    """Return the hashes of every photo that pending mutations name, first named first, once each."""
    seen: dict[str, None] = {}
    for mutation in pending_mutations(session):
        for sha in photo_hashes(mutation.kind, mutation.body):
            seen.setdefault(sha, None)
    return list(seen)


def waiting_changes(session: Session, record_ids: Iterable[str]) -> dict[str, set[str]]:
    """Return record id → ids of its timeline events still waiting for the server, for these records only.

    One indexed query however long the outbox is: a list page asks about its own rows.
    """
    ids = list(dict.fromkeys(record_ids))
    waiting: dict[str, set[str]] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(select(OutboxMutation.record_id, OutboxMutation.event_id).where(
            col(OutboxMutation.record_id).in_(ids[start:start + 500]),
            OutboxMutation.state == OutboxState.PENDING.value))
        for record_id, event_id in rows:
            waiting.setdefault(record_id, set()).add(event_id)
    return waiting


def has_waiting_changes(session: Session, record_id: str) -> bool:
    return bool(waiting_changes(session, [record_id]))


def rejected_changes(session: Session) -> list[RejectedChange]:
    """Return the changes the server refused, newest first, with the record they belong to."""
    stmt = (select(OutboxMutation).where(OutboxMutation.state == OutboxState.REJECTED.value)
            .order_by(col(OutboxMutation.created_at).desc(), col(OutboxMutation.id).desc()))
    return [rejected_change(session, m) for m in session.exec(stmt)]


def rejected_change(session: Session, mutation: OutboxMutation) -> RejectedChange:
    """Describe a refused outbox mutation for the list the author sees."""
    kind = kind_named(mutation.record_kind)
    record = session.get(kind.table, mutation.record_id) if kind is not None and mutation.record_id else None
    found = kind_of_mutation(mutation.kind)
    is_create = found is not None and found[1]
    title = getattr(record, "title", None) or str(mutation.body.get("title") or "")
    return RejectedChange(mutation_id=mutation.id, kind=mutation.kind, record_kind=mutation.record_kind,
                          record_id=mutation.record_id or None, title=title, event_id=mutation.event_id or None,
                          event_type="create" if is_create else str(mutation.body.get("type") or "") or None,
                          code=mutation.result_code or "", reason=mutation.result_reason or "",
                          created_at=as_utc(mutation.created_at))


def record_result(session: Session, mutation: OutboxMutation, *, status: str, code: str | None = None,
                  reason: str | None = None, seq: int | None = None) -> None:
    """Write the server's answer onto an outbox mutation and its timeline event; no commit.

    An accepted event takes its place in the server's order (seq) at once; a refused
    one stays in the local timeline, marked, so its author sees it and why, and no
    longer counts towards the record's state.
    """
    if status not in {s.value for s in OutboxState} or status == OutboxState.PENDING.value:
        raise ValueError(f"not a push result: {status!r}")
    mutation.state = status
    mutation.result_code = code
    mutation.result_reason = reason
    acting = action_of(mutation.kind)
    if acting is not None and acting[1].secret:
        # Answered for good: the device forgets what the body said (a secret ballot's choices).
        mutation.body = {k: mutation.body.get(k) for k in acting[1].hash_fields}
    session.add(mutation)
    event = session.get(RecordEvent, mutation.event_id) if mutation.event_id else None
    if event is None:
        return
    if status != OutboxState.REJECTED.value:
        # Accepted: the event already counts locally; the pull that follows settles the order.
        if seq is not None and event.server_seq is None:
            event.server_seq = seq
            session.add(event)
        return
    event.rejected_code = code or "rejected"
    event.rejected_reason = reason or ""
    session.add(event)
    session.flush()
    kind = kind_named(event.record_kind)
    record = session.get(kind.table, event.record_id) if kind is not None else None
    if record is not None:
        refresh(session, kind, record)


def read_status(session: Session, photo_store: PhotoSizes | None = None) -> SyncStatus:
    """Read what waits to sync and how the last sync went, from the local store alone."""
    hashes = pending_photo_hashes(session)
    size = 0
    if photo_store is not None:
        for sha in hashes:
            try:
                size += photo_store.path(sha).stat().st_size
            except (OSError, ValueError):
                pass
    outcome = get_meta(session, LAST_OUTCOME)
    return SyncStatus(
        pending_mutations=count_pending(session), pending_photos=len(hashes), pending_photo_bytes=size,
        rejected=tuple(rejected_changes(session)), last_attempt=_time(get_meta(session, LAST_ATTEMPT)),
        last_success=_time(get_meta(session, LAST_SUCCESS)), last_outcome=outcome,
        last_problem=get_meta(session, LAST_PROBLEM),
        needs_login=outcome in (SyncOutcome.AUTH_REQUIRED.value, SyncOutcome.SIGNED_OUT.value),
    )


def note_run(session: Session, *, outcome: SyncOutcome, at: datetime, problem: str = "") -> None:
    """Remember how a sync run ended (and when it last succeeded); no commit."""
    set_meta(session, LAST_ATTEMPT, as_utc(at).isoformat())
    set_meta(session, LAST_OUTCOME, outcome.value)
    set_meta(session, LAST_PROBLEM, problem)
    if outcome is SyncOutcome.OK:
        set_meta(session, LAST_SUCCESS, as_utc(at).isoformat())


def clear_problem(session: Session) -> None:
    """Forget the last failure (after the user signed in again); no commit."""
    set_meta(session, LAST_OUTCOME, "")
    set_meta(session, LAST_PROBLEM, "")


def _time(text: str) -> datetime | None:
    return as_utc(datetime.fromisoformat(text)) if text else None


def batches(mutations: Sequence[OutboxMutation], *, max_count: int, max_bytes: int) -> Iterable[list[OutboxMutation]]:
    """Cut mutations into batches of at most max_count and roughly max_bytes of JSON, keeping order."""
    batch: list[OutboxMutation] = []
    size = 0
    for mutation in mutations:
        cost = len(json.dumps(mutation.body, ensure_ascii=False).encode()) + 120
        if batch and (len(batch) >= max_count or size + cost > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(mutation)
        size += cost
    if batch:
        yield batch


def plan_push(waiting: Sequence[OutboxMutation], *, unavailable: set[str]) -> tuple[list[OutboxMutation], int]:
    """Return the mutations that can be pushed now, in order, and how many must wait.

    A change naming a photo the server cannot get (not on this phone, or refused) waits,
    and so does everything after it on the same record: sent out of order, the later
    events would be refused for good.
    """
    blocked: set[str] = set()
    ready: list[OutboxMutation] = []
    held = 0
    for mutation in waiting:
        hashes = photo_hashes(mutation.kind, mutation.body)
        if mutation.record_id in blocked or any(sha in unavailable for sha in hashes):
            blocked.add(mutation.record_id)
            held += 1
            continue
        ready.append(mutation)
    return ready, held


def split_by_photos(waiting: Sequence[OutboxMutation], uploading: set[str]) -> tuple[list, list]:
    """Split the outbox into the records that wait for no upload and the rest, each in creation order.

    An event naming another record (a merge) goes with the rest, and that record too, so
    neither can overtake the other.
    """
    later: set[str] = {""}
    for mutation in waiting:
        if any(sha in uploading for sha in photo_hashes(mutation.kind, mutation.body)):
            later.add(mutation.record_id)
        linked = linked_records(mutation.kind, mutation.body)
        if linked:
            later.update({mutation.record_id, *linked})
    early = [m for m in waiting if m.record_id not in later]
    late = [m for m in waiting if m.record_id in later]
    return early, late
