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
from app.issues import refresh_state
from app.models import Issue, IssueEvent, OutboxMutation
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
    kind: str  # issue.create | issue.event
    issue_id: str | None
    issue_title: str
    event_id: str | None
    event_kind: str | None
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
    if kind == "issue.create":
        return [str(p["sha256"]) for p in body.get("photos") or () if isinstance(p, Mapping) and p.get("sha256")]
    if kind == "issue.event" and body.get("kind") == "attach_photo":
        sha = (body.get("payload") or {}).get("sha256")
        return [str(sha)] if sha else []
    return []


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


def waiting_changes(session: Session) -> dict[str, set[str]]:
    """Return issue id → ids of its timeline events still waiting for the server (the outbox is small)."""
    waiting: dict[str, set[str]] = {}
    for mutation in pending_mutations(session):
        issue_id, event_id, _ = _targets(mutation)
        if issue_id:
            waiting.setdefault(issue_id, set()).update({event_id} if event_id else set())
    return waiting


def rejected_changes(session: Session) -> list[RejectedChange]:
    """Return the changes the server refused, newest first, with the issue they belong to."""
    stmt = (select(OutboxMutation).where(OutboxMutation.state == OutboxState.REJECTED.value)
            .order_by(col(OutboxMutation.created_at).desc(), col(OutboxMutation.id).desc()))
    return [rejected_change(session, m) for m in session.exec(stmt)]


def rejected_change(session: Session, mutation: OutboxMutation) -> RejectedChange:
    """Describe a refused outbox mutation for the list the author sees."""
    issue_id, event_id, event_kind = _targets(mutation)
    issue = session.get(Issue, issue_id) if issue_id else None
    return RejectedChange(mutation_id=mutation.id, kind=mutation.kind, issue_id=issue_id,
                          issue_title=issue.title if issue else str(mutation.body.get("title") or ""),
                          event_id=event_id, event_kind=event_kind, code=mutation.result_code or "",
                          reason=mutation.result_reason or "", created_at=as_utc(mutation.created_at))


def issue_of(mutation: OutboxMutation) -> str | None:
    """Return the id of the issue a mutation creates or appends to."""
    return _targets(mutation)[0]


def _targets(mutation: OutboxMutation) -> tuple[str | None, str | None, str | None]:
    """Return (issue id, timeline event id, event kind) a mutation writes."""
    body = mutation.body
    if mutation.kind == "issue.create":
        return body.get("id"), body.get("event_id"), "create"
    if mutation.kind == "issue.event":
        return body.get("issue_id"), body.get("id"), body.get("kind")
    return None, None, None


def record_result(session: Session, mutation: OutboxMutation, *, status: str, code: str | None = None,
                  reason: str | None = None, seq: int | None = None) -> None:
    """Write the server's answer onto an outbox mutation and its timeline event; no commit.

    An accepted event takes its place in the server's order (seq) at once; a refused
    one stays in the local timeline, marked, so its author sees it and why, and no
    longer counts towards the issue's status.
    """
    if status not in {s.value for s in OutboxState} or status == OutboxState.PENDING.value:
        raise ValueError(f"not a push result: {status!r}")
    mutation.state = status
    mutation.result_code = code
    mutation.result_reason = reason
    session.add(mutation)
    issue_id, event_id, _ = _targets(mutation)
    event = session.get(IssueEvent, event_id) if event_id else None
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
    issue = session.get(Issue, issue_id) if issue_id else None
    if issue is not None:
        refresh_state(session, issue)


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
