"""Offline is the normal state: a sync with no server says so, keeps everything, and backs off."""

from __future__ import annotations

import asyncio
import socket

import httpx
from sqlmodel import Session, select

from app.issues import PhotoRef
from app.models import OutboxMutation
from app.outbox import SyncOutcome
from app.replica import ReplicaUser, remember_login
from sync.client import SyncClient, backoff_delay
from tests.factories import act, capture_issue

SHA = "ab" * 32


class NoPhotos:
    def has(self, sha256):
        return False

    def read(self, sha256):
        raise FileNotFoundError(sha256)

    def path(self, sha256):
        raise FileNotFoundError(sha256)


def _signed_in(session, person) -> None:
    remember_login(session, token="token-from-last-week", expires_at="2026-12-31T00:00:00+00:00",
                   user=ReplicaUser(id=person.id, username="deputy-wang", name=person.name, role=person.role,
                                    station_id=person.station_id))
    session.commit()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no route to host", request=request)


def test_faults_sync_with_no_server_answers_offline_and_keeps_the_outbox(engine, session, township):
    wang = township["deputy-wang"]
    _signed_in(session, wang)
    issue = capture_issue(session, wang, photos=(PhotoRef(sha256=SHA),))
    act(session, wang, issue.id, "comment", text="补充情况")
    before = {m.id: (m.kind, m.body) for m in session.exec(select(OutboxMutation))}

    async def main():
        # Nothing listens on this port: a real refused connection, not a mock.
        async with SyncClient(engine, NoPhotos(), base_url=f"http://127.0.0.1:{_free_port()}",
                              device_id="phone-1") as client:
            return await client.sync_once()

    report = asyncio.run(main())
    assert report.outcome is SyncOutcome.OFFLINE
    assert report.status.pending_mutations == 2 and report.status.pending_photos == 1
    assert report.status.offline and report.status.last_success is None
    with Session(engine) as fresh:
        after = {m.id: (m.kind, m.body, m.state) for m in fresh.exec(select(OutboxMutation))}
    assert {k: v[:2] for k, v in after.items()} == before
    assert {v[2] for v in after.values()} == {"pending"}


def test_faults_backoff_grows_doubling_and_is_capped():
    top = [backoff_delay(n, base=5, cap=600, rand=lambda: 1.0) for n in range(1, 12)]
    assert top == [5, 10, 20, 40, 80, 160, 320, 600, 600, 600, 600]
    low = [backoff_delay(n, base=5, cap=600, rand=lambda: 0.0) for n in range(1, 12)]
    assert low == [t / 2 for t in top]  # jitter never brings a wait near zero


def test_faults_run_loop_backs_off_while_offline_and_resets_after_success(engine, session, township):
    wang = township["deputy-wang"]
    _signed_in(session, wang)
    calls = {"n": 0}

    def server(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= 9:  # nine attempts find no network, then the village gets a signal
            raise httpx.ConnectError("network unreachable", request=request)
        return httpx.Response(200, json={"changes": [], "cursor": 0, "more": False})

    waits: list[float] = []

    async def main():
        stop, wake = asyncio.Event(), asyncio.Event()

        async def fake_sleep(delay: float) -> None:  # no real waiting: record and return
            waits.append(delay)
            if len(waits) >= 11:
                stop.set()

        client = SyncClient(engine, NoPhotos(), base_url="http://central", device_id="phone-1",
                            transport=httpx.MockTransport(server), sleep=fake_sleep, rand=lambda: 0.5,
                            backoff_base=5, backoff_cap=600, idle_interval=60)
        await asyncio.wait_for(client.run(stop, wake), timeout=10)
        await client.aclose()

    asyncio.run(main())
    expected = [backoff_delay(n, base=5, cap=600, rand=lambda: 0.5) for n in range(1, 10)]
    assert waits[:9] == expected
    assert waits[6] == 240.0 and waits[7] == waits[8] == 450.0  # capped at 600 s, half of it jitter
    assert waits[9] == waits[10] == 60  # reachable again: back to the quiet interval
    assert calls["n"] == 11


def test_faults_sync_now_cuts_a_backoff_wait_short(engine, session, township):
    wang = township["deputy-wang"]
    _signed_in(session, wang)
    attempts: list[float] = []

    def server(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("no signal", request=request)

    async def main():
        stop, wake = asyncio.Event(), asyncio.Event()

        async def endless_sleep(delay: float) -> None:
            await asyncio.Event().wait()  # only wake or stop can end this wait

        client = SyncClient(engine, NoPhotos(), base_url="http://central", device_id="phone-1",
                            transport=httpx.MockTransport(server), sleep=endless_sleep)
        loop_task = asyncio.create_task(client.run(stop, wake))
        for _ in range(50):
            await asyncio.sleep(0.01)
        assert len(attempts) == 1  # waiting, not spinning
        wake.set()  # the user taps "sync now"
        for _ in range(50):
            await asyncio.sleep(0.01)
        assert len(attempts) == 2
        stop.set()
        await asyncio.wait_for(loop_task, timeout=5)
        await client.aclose()

    asyncio.run(main())


def test_faults_expired_token_waits_for_a_new_login_instead_of_retrying(engine, session, township):
    wang = township["deputy-wang"]
    _signed_in(session, wang)
    capture_issue(session, wang)
    calls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(401, json={"code": "auth.token_expired", "message": "token expired", "detail": {}})

    waits: list[float] = []

    async def main():
        stop, wake = asyncio.Event(), asyncio.Event()

        async def fake_sleep(delay: float) -> None:
            waits.append(delay)

        client = SyncClient(engine, NoPhotos(), base_url="http://central", device_id="phone-1",
                            transport=httpx.MockTransport(server), sleep=fake_sleep)
        reports = []
        loop_task = asyncio.create_task(client.run(stop, wake, on_report=reports.append))
        for _ in range(30):
            await asyncio.sleep(0.01)
        assert len(reports) == 1  # no retry loop against a token the server refuses
        stop.set()
        await asyncio.wait_for(loop_task, timeout=5)
        await client.aclose()
        return reports

    [report] = asyncio.run(main())
    assert report.outcome is SyncOutcome.AUTH_REQUIRED and report.problem_code == "auth.token_expired"
    assert report.status.needs_login and report.status.pending_mutations == 1
    assert waits == [] and len(calls) == 1
