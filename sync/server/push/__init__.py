"""Apply a pushed batch: judged in memory by the phone's rules, written in one transaction.

    results = apply_batch(engine, user=user, device_id="…", mutations=request.mutations)

    _wire.py      without the database: body hash, text screening, shape (the kinds' bodies), the answers
    _batch.py     the batch under the write lock: set-based reads, judging in order, the change log, bulk writes
    _handlers.py  every kind's two mutations, a creation and an event, judged against the batch
    _bulk.py      executemany inserts and the change log's seqs

A mutation id is remembered with a hash of its body and the answer it got, so the same
batch sent three times stores each record once and answers the same thing each time.

How a batch goes:

1. Without the database: each mutation's body hash, its text checked (no NUL, no unpaired
   surrogate, no NaN), its kind looked up among the registered kinds and its body checked
   against that kind's creation body or the event body.
2. Under the store's write lock (db.write_session), in one transaction: a handful of
   set-based reads (which ids were applied before, the records the batch names with their
   timelines and photos, which photos are uploaded; reference data on first use), then
   every mutation judged in order by `app.records` against that state held in memory. An
   accepted mutation updates the state, so a later one in the same batch sees it; a refused
   one changes nothing (a refused event is kept in the timeline, marked).
3. Every row the batch produces, written with one bulk statement per table; change-log
   `seq`s given out in order under the lock, so a pull never skips a change. Commit.

The batch is all or nothing: a server killed in the middle keeps none of it, and the
phone's retry applies it. Should the bulk write fail on one bad row anyway (a rule this
module did not foresee), the batch is applied again one mutation per transaction, so only
that mutation answers `server.error`.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError

from sync.protocol import Mutation
from sync.server.auth import CurrentUser
from sync.server.db import write_session
from sync.server.push._batch import Batch
from sync.server.push._handlers import judge
from sync.server.push._wire import Prepared, body_hash, prepare, server_error, wire_text_problem

__all__ = ["apply_batch", "body_hash", "wire_text_problem"]

log = logging.getLogger("lianluo.server.push")


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
            return [server_error(prepared[0].id)]
        # A row the store refused although the rules accepted it: find which, one mutation at a time.
        log.warning("a batch of %d mutations could not be written at once; applying them one by one",
                    len(prepared), exc_info=True)
        results = []
        for one in prepared:
            try:
                results += _apply(engine, user, device_id, [one])
            except Exception:
                log.exception("mutation %s (%s) could not be written", one.id, one.kind)
                results.append(server_error(one.id))
        return results
    except Exception:
        # A database failure: nothing of the batch is kept, so every mutation can be sent again.
        log.exception("a batch of %d mutations failed", len(prepared))
        return [server_error(p.id) for p in prepared]


def _apply(engine: Engine, user: CurrentUser, device_id: str, prepared: Sequence[Prepared]) -> list[dict[str, Any]]:
    with write_session(engine) as session:
        batch = Batch(session, user, device_id, prepared)
        batch.load()
        results = batch.judge_all(judge)
        batch.write()
        session.commit()
    return results
