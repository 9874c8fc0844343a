"""Push (mutations in) and pull (changes out, scoped to the user)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import Select, select

from app.records import kind_named
from sync.protocol import (MAX_PULL_PAGE, PROTOCOL_VERSION, Change, Problem, PullResponse, PushRequest,
                           PushResponse)
from sync.server.auth import CurrentUser, UserDep
from sync.server.changes import head
from sync.server.db import change_log, read_session
from sync.server.errors import HTTPProblem, responses
from sync.server.push import apply_batch, wire_text_problem
from sync.server.routes import EngineDep
from sync.server.scope import change_filter

router = APIRouter(tags=["sync"])

MAX_SEQ = 2**63 - 1


@router.post("/push", response_model=PushResponse, responses=responses())
def push(body: PushRequest, user: UserDep, engine: EngineDep) -> PushResponse:
    """Apply a batch of mutations in order; answer one result per mutation, in the same order.

    The batch is judged in order and kept in one transaction (all of it or, after a crash, none
    of it: send it again). Each mutation answers `applied` (with `seq`, its
    event's place in the global order), `duplicate` (the id was applied before with the same
    body; the first answer is repeated, see `first_status`) or `rejected` with a `code`:
    a rule's code (e.g. `event.not_allowed_in_status`; the event is then kept in the
    timeline, marked refused), `scope.forbidden`, `mutation.conflict` (same id, other body),
    `mutation.unknown_kind`, `record.exists`, `request.malformed`, or the retryable
    `blob.missing` (upload the photos named in `detail.missing`, then send it again) and
    `server.error`. The author is always the signed-in user, never a field of the body.
    """
    if body.protocol != PROTOCOL_VERSION:
        raise HTTPProblem(Problem.UNSUPPORTED_VERSION, detail={"sent": body.protocol,
                                                                 "supported": [PROTOCOL_VERSION]})
    problem = wire_text_problem(body.device_id, "device_id")
    if problem:
        raise HTTPProblem(Problem.MALFORMED, detail={"errors": [problem]})
    return PushResponse(results=apply_batch(engine, user=user, device_id=body.device_id, mutations=body.mutations))


@router.get("/pull", response_model=PullResponse, responses=responses())
def pull(user: UserDep, engine: EngineDep,
         since: Annotated[int, Query(ge=0, le=MAX_SEQ, description="the cursor of the last page; 0 at first")] = 0,
         limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = 500) -> PullResponse:
    """Return the changes after `since` that this user may see, oldest first, one page at a time.

    Each change is a whole record as the server holds it. Pass `cursor` back as `since`;
    while `more` is true another page is waiting.
    """
    return read_changes(engine, user, since=since, limit=limit)


def changes_query(user: CurrentUser, *, since: int, top: int, limit: int) -> Select:
    """Return the query for the user's changes in (since, top]: a range of the seq index, filtered."""
    c = change_log.c
    return (select(c.seq, c.entity, c.data, c.record_kind).where(c.seq > since, c.seq <= top, change_filter(user))
            .order_by(c.seq).limit(limit))


def read_changes(engine, user: CurrentUser, *, since: int, limit: int) -> PullResponse:
    """Read one page of the user's changes; the cost grows with the changes after the cursor only."""
    with read_session(engine) as session:
        top = head(session)
        rows = session.execute(changes_query(user, since=since, top=top, limit=limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    # The whole range up to `top` was read: the next pull starts after it, even if none of it was this user's.
    cursor = rows[-1].seq if more else max(top, since)
    return PullResponse(changes=[Change(seq=row.seq, entity=row.entity, data=_readable(row, user)) for row in rows],
                        cursor=cursor, more=more)


def _readable(row, user: CurrentUser) -> dict:
    """The change's data as this user may read it: a kind masks what is protected (a visitor's phone)."""
    kind = kind_named(row.record_kind) if row.record_kind else None
    if kind is None or kind.redact is None:
        return row.data
    return kind.redact(row.entity, row.data, user.actor)
