"""Push: the outbox in creation order, in batches the server takes, each answer written back."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import OutboxMutation
from app.outbox import DONE_STATES, batches, photo_hashes, plan_push, record_result, rejected_change
from sync.client._errors import SyncError
from sync.client._http import Api, problem_of
from sync.client._run import Run
from sync.protocol import (MAX_BATCH, MAX_BODY_BYTES, RETRYABLE_CODES, Mutation, MutationResult, MutationStatus,
                           PushRequest, PushResponse)


class Pusher:
    """Sends waiting mutations and records what the server made of each."""

    def __init__(self, api: Api, engine: Any, photos: Any, *, device_id: str):
        self.api, self.engine, self.photos, self.device_id = api, engine, photos, device_id

    async def push(self, token: str, waiting: list[OutboxMutation], run: Run) -> None:
        unavailable = set(run.photos_failed) | {sha for m in waiting for sha in _hashes(m) if not self.photos.has(sha)}
        ready, held = plan_push(waiting, unavailable=unavailable)
        run.held_back += held
        max_count = MAX_BATCH
        position = 0
        while position < len(ready):
            batch = next(iter(batches(ready[position:position + max_count], max_count=max_count,
                                      max_bytes=MAX_BODY_BYTES * 3 // 4)))
            self._count_attempt(batch)
            request = PushRequest(device_id=self.device_id,
                                  mutations=[Mutation(id=m.id, kind=m.kind, body=m.body) for m in batch])
            response = await self.api.request("POST", "/push", token, json_body=request.model_dump(mode="json"),
                                              allow=(413,))
            if response.status_code == 413:
                if len(batch) == 1:
                    raise SyncError(*problem_of(response), 413)
                max_count = max(1, len(batch) // 2)
                continue
            results = {r.id: r for r in PushResponse.model_validate_json(response.content).results}
            with Session(self.engine) as session:
                for sent in batch:
                    self._record(session, sent.id, results.get(sent.id), run)
                session.commit()
            position += len(batch)
            run.mutations_sent += len(batch)
            await run.progress("push")

    def _count_attempt(self, batch: list[OutboxMutation]) -> None:
        with Session(self.engine) as session:
            for mutation in batch:
                row = session.get(OutboxMutation, mutation.id)
                if row is not None:
                    row.attempts += 1
                    session.add(row)
            session.commit()

    def _record(self, session: Session, mutation_id: str, result: MutationResult | None, run: Run) -> None:
        """Write one push answer onto its outbox mutation; an answer that does not stick leaves it waiting."""
        mutation = session.get(OutboxMutation, mutation_id)
        if result is None or mutation is None or mutation.state in DONE_STATES:
            run.retry_later += result is None
            return
        status = result.status
        if status is MutationStatus.DUPLICATE and result.first_status is MutationStatus.REJECTED:
            status = MutationStatus.REJECTED  # the first send was refused; its answer was lost
        if status is MutationStatus.REJECTED and result.code in RETRYABLE_CODES:
            run.retry_later += 1
            return
        record_result(session, mutation, status=status.value, code=result.code, reason=result.reason,
                      seq=result.seq)
        if status is MutationStatus.APPLIED:
            run.applied += 1
        elif status is MutationStatus.DUPLICATE:
            run.duplicates += 1
        else:
            run.rejected.append(rejected_change(session, mutation))


def _hashes(mutation: OutboxMutation) -> list[str]:
    return photo_hashes(mutation.kind, mutation.body)
