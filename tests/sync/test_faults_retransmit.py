"""The same push sent three times (the answer lost twice on the way back) stores every record once."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from sqlmodel import select

from app.issues import timeline
from app.models import OutboxMutation
from app.outbox import SyncOutcome
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone, phone_photos


class LoseAnswers(httpx.AsyncBaseTransport):
    """Deliver requests, but drop the server's answer to the first `times` pushes (it did process them)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, path: str, times: int):
        self.inner, self.path, self.left = inner, path, times
        self.lost: list[bytes] = []
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path == self.path:
            self.bodies.append(request.content)
            if self.left > 0:
                self.left -= 1
                self.lost.append(await response.aread())
                raise httpx.ReadError("connection reset while reading the answer", request=request)
        return response


def test_faults_same_push_three_times_stores_each_record_once(tmp_path):
    central = make_central(tmp_path / "central")
    photos = phone_photos()
    lossy: list[LoseAnswers] = []

    def wrap(transport):
        lossy.append(LoseAnswers(transport, path="/api/v1/push", times=2))
        return lossy[0]

    async def main():
        async with asgi_http(central, wrap=wrap) as http:
            phone = await new_phone(tmp_path, "wang", "deputy-wang", http)
            issues = []
            for n in range(3):
                ref = phone.add_photo(photos[n].read_bytes())
                issue = phone.capture(title=f"村道塌方 第{n + 1}处", photos=[ref])
                phone.act(issue.id, "comment", text="雨后又塌了一段")
                issues.append(issue)
            reports = [await phone.client.sync_once() for _ in range(3)]
            return phone, issues, reports

    phone, issues, reports = asyncio.run(main())
    transport = lossy[0]
    # What the server processed twice without the phone hearing back, it heard the third time.
    assert [r.outcome for r in reports] == [SyncOutcome.OFFLINE, SyncOutcome.OFFLINE, SyncOutcome.OK]
    assert len(transport.bodies) == 3 and transport.bodies[0] == transport.bodies[1] == transport.bodies[2]
    assert b'"status":"applied"' in transport.lost[0] and b'"status":"applied"' not in transport.lost[1]
    assert reports[2].duplicates == 6 and reports[2].applied == 0 and not reports[2].rejected

    engine = central.state.engine
    issue_ids = [i.id for i in issues]
    assert sorted(r[0] for r in central_rows(engine, "SELECT id FROM issue")) == sorted(issue_ids)
    events = central_rows(engine, "SELECT record_id, type FROM record_event")
    assert Counter(events) == Counter({(i, kind): 1 for i in issue_ids for kind in ("create", "comment")})
    assert len(central_rows(engine, "SELECT id FROM applied_mutation")) == 6
    logged = central_rows(engine, "SELECT entity_id, count(*) FROM change_log WHERE entity = 'event' GROUP BY entity_id")
    assert len(logged) == 6 and {count for _, count in logged} == {1}
    assert len(central_rows(engine, "SELECT sha256 FROM blob WHERE complete")) == 3

    with phone.session() as session:
        assert {m.state for m in session.exec(select(OutboxMutation))} == {"duplicate"}
        for issue_id in issue_ids:
            seqs = [e.server_seq for e in timeline(session, issue_id)]
            assert len(seqs) == 2 and None not in seqs
    central.state.engine.dispose()
