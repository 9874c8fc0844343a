"""Apply pushed mutations: each in its own transaction, judged by the same rules as on the phone.

    results = apply_batch(engine, user=user, device_id="…", mutations=request.mutations)

A mutation id is remembered with a hash of its body and the answer it got, so the same
batch sent three times stores each record once and answers the same thing each time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.ids import is_uuid
from app.issues import apply_create, apply_event, photos_of
from app.models import Issue, IssueEvent
from app.workflow import EventKind
from sync.protocol import (RETRYABLE_CODES, ErrorCode, IssueCreateBody, IssueEventBody, Mutation, MutationKind,
                           MutationResult, MutationStatus)
from sync.server import changes
from sync.server.auth import CurrentUser
from sync.server.blobs import complete_hashes
from sync.server.db import applied_mutation, write_session
from sync.server.errors import json_safe, message_for
from sync.server.scope import can_see_issue, may_create_in

log = logging.getLogger("lianluo.server.push")


@dataclass
class Refusal(Exception):
    """A mutation refused before or by the rules; nothing of it is stored (but see `record`)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    # For an event on an issue the user can see: keep the event in the timeline, marked refused.
    record: IssueEvent | None = None
    issue: Issue | None = None


def body_hash(kind: str, body: Mapping[str, Any]) -> str:
    """Return a hash of a mutation's kind and body that ignores key order and spacing."""
    text = json.dumps({"kind": kind, "body": body}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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


def apply_batch(engine: Engine, *, user: CurrentUser, device_id: str, mutations: list[Mutation]) -> list[MutationResult]:
    """Apply mutations in order, each in its own transaction; return one result each, in order."""
    return [apply_one(engine, user=user, device_id=device_id, mutation=m) for m in mutations]


def apply_one(engine: Engine, *, user: CurrentUser, device_id: str, mutation: Mutation) -> MutationResult:
    digest = body_hash(mutation.kind, mutation.body)
    try:
        with write_session(engine) as session:
            first = session.execute(select(applied_mutation.c.body_hash, applied_mutation.c.result)
                                    .where(applied_mutation.c.id == mutation.id)).first()
            if first is not None:
                if first.body_hash != digest:
                    return _result(mutation.id, MutationStatus.REJECTED, code=ErrorCode.MUTATION_CONFLICT.value,
                                   params={"mutation_id": mutation.id})
                answer = MutationResult.model_validate(first.result)
                return answer.model_copy(update={"status": MutationStatus.DUPLICATE, "first_status": answer.status})
            result = _judge(session, user, mutation)
            if result.code in RETRYABLE_CODES:
                session.rollback()
                return result
            session.execute(applied_mutation.insert().values(
                id=mutation.id, body_hash=digest, kind=mutation.kind, user_id=user.user_id, device_id=device_id,
                result=result.model_dump(mode="json"), created_at=utcnow()))
            session.commit()
            return result
    except Exception:
        # A bug or a database failure: nothing of this mutation is kept, so it can be sent again.
        log.exception("mutation %s (%s) failed", mutation.id, mutation.kind)
        return _result(mutation.id, MutationStatus.REJECTED, code=ErrorCode.SERVER_ERROR.value)


def _judge(session: Session, user: CurrentUser, mutation: Mutation) -> MutationResult:
    handler = _HANDLERS.get(mutation.kind)
    if handler is None:
        return _result(mutation.id, MutationStatus.REJECTED, code=ErrorCode.UNKNOWN_KIND.value,
                       params={"kind": mutation.kind[:100]})
    problem = wire_text_problem(mutation.body)
    if problem:
        return _result(mutation.id, MutationStatus.REJECTED, code=ErrorCode.MALFORMED.value,
                       params={"errors": [problem]})
    try:
        with session.begin_nested():
            seq = handler(session, user, mutation.body)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
        return _result(mutation.id, MutationStatus.REJECTED, code=ErrorCode.MALFORMED.value,
                       params={"errors": errors})
    except DomainError as refusal:
        return _refuse(session, mutation.id, Refusal(refusal.code, _params(refusal)), field_name=refusal.field)
    except Refusal as refusal:
        return _refuse(session, mutation.id, refusal)
    return _result(mutation.id, MutationStatus.APPLIED, seq=seq)


def _refuse(session: Session, mutation_id: str, refusal: Refusal, *, field_name: str | None = None) -> MutationResult:
    params = dict(refusal.params)
    if field_name:
        params["field"] = field_name
    seq = None
    reason = message_for(refusal.code, params)
    if refusal.record is not None and refusal.issue is not None and refusal.code not in RETRYABLE_CODES:
        # The design: an event the rules refuse is kept in the timeline, marked, with the reason.
        event = refusal.record
        event.rejected_code, event.rejected_reason = refusal.code, reason
        session.add(event)
        session.flush()
        seq = changes.log_event(session, event, refusal.issue)
    return _result(mutation_id, MutationStatus.REJECTED, seq=seq, code=refusal.code, params=params, reason=reason)


def _result(mutation_id: str, status: MutationStatus, *, seq: int | None = None, code: str | None = None,
            params: Mapping[str, Any] | None = None, reason: str | None = None) -> MutationResult:
    detail = json_safe(dict(params or {}))
    if code is not None and reason is None:
        reason = message_for(code, detail)
    return MutationResult(id=mutation_id, status=status, seq=seq, code=code, reason=reason, detail=detail)


def _params(error: DomainError) -> dict[str, Any]:
    return {k: v for k, v in error.params.items()}


# ---------------------------------------------------------------- issue.create

def _create(session: Session, user: CurrentUser, raw: Mapping[str, Any]) -> int:
    body = {**raw, **IssueCreateBody.model_validate(raw).model_dump(mode="json", exclude_unset=True)}
    if not may_create_in(user, body.get("station_id")):
        raise Refusal(ErrorCode.OUT_OF_SCOPE.value, {"station_id": body.get("station_id")})
    if session.get(Issue, body["id"]) is not None:
        raise Refusal(ErrorCode.RECORD_EXISTS.value, {"id": body["id"]})
    if session.get(IssueEvent, body["event_id"]) is not None:
        raise Refusal(ErrorCode.RECORD_EXISTS.value, {"id": body["event_id"]})
    wanted = [p["sha256"] for p in body.get("photos") or ()]
    have = complete_hashes(session, wanted)
    missing = [sha for sha in wanted if sha not in have]
    if missing:
        raise Refusal(ErrorCode.BLOB_MISSING.value, {"missing": missing})
    issue = apply_create(session, body, actor=user.actor)
    session.flush()
    changes.log_issue(session, issue)
    for photo in photos_of(session, issue.id):
        changes.log_photo(session, photo, issue)
    event = session.get(IssueEvent, body["event_id"])
    return changes.log_event(session, event, issue)


# ---------------------------------------------------------------- issue.event

def _event(session: Session, user: CurrentUser, raw: Mapping[str, Any]) -> int:
    body = {**raw, **IssueEventBody.model_validate(raw).model_dump(mode="json", exclude_unset=True)}
    issue = session.get(Issue, body["issue_id"])
    if issue is None:
        raise DomainError("issue.not_found")
    if not can_see_issue(user, issue):
        raise Refusal(ErrorCode.OUT_OF_SCOPE.value, {"issue_id": issue.id})
    if session.get(IssueEvent, body["id"]) is not None:
        raise Refusal(ErrorCode.RECORD_EXISTS.value, {"id": body["id"]})
    payload = body.get("payload") or {}
    sha = payload.get("sha256")
    if body["kind"] == EventKind.ATTACH_PHOTO and isinstance(sha, str) and not complete_hashes(session, [sha]):
        raise Refusal(ErrorCode.BLOB_MISSING.value, {"missing": [sha]})
    department_before = issue.department_id
    try:
        event = apply_event(session, body, actor=user.actor)
    except DomainError as refusal:
        raise _recorded(session, user, issue, body, refusal) from None
    session.flush()
    changes.log_issue(session, issue)
    if issue.department_id and issue.department_id != department_before:
        changes.log_history_for_department(session, issue, skip_event=event.id)
    if event.kind == EventKind.ATTACH_PHOTO:
        for photo in photos_of(session, issue.id):
            if photo.sha256 == sha:
                changes.log_photo(session, photo, issue)
    return changes.log_event(session, event, issue)


# Refusals that are not a user's timeline entry (a client's mistake): answered, not kept.
_NOT_TIMELINE = frozenset({"issue.bad_id", "event.unknown_kind", "event.create_twice"})


def _recorded(session: Session, user: CurrentUser, issue: Issue, body: Mapping[str, Any],
              error: DomainError) -> Refusal:
    """Turn a rule's refusal into one that keeps the event in the timeline, when it can be kept."""
    refusal = Refusal(error.code, _params(error) | ({"field": error.field} if error.field else {}))
    if error.code in _NOT_TIMELINE or not is_uuid(str(body.get("id"))):
        return refusal
    created_at = as_utc(datetime.fromisoformat(body["created_at"])) if body.get("created_at") else utcnow()
    refusal.record = IssueEvent(id=body["id"], issue_id=issue.id, kind=str(body.get("kind"))[:100],
                                actor_id=user.person_id, actor_role=user.role.value, created_at=created_at,
                                payload=dict(body.get("payload") or {}))
    refusal.issue = issue
    return refusal


_HANDLERS: dict[str, Callable[[Session, CurrentUser, Mapping[str, Any]], int]] = {
    MutationKind.ISSUE_CREATE.value: _create,
    MutationKind.ISSUE_EVENT.value: _event,
}
