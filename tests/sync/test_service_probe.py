"""The connection chip's source: the probe of the central store, waking the loop, and 立即同步's answer.

Time is a fake clock the test moves on; the only real waits are for the in-process server to answer.
"""

from __future__ import annotations

import asyncio
import warnings

import httpx
import pytest

from app.outbox import SyncOutcome
from app.settings import Settings
from sync.protocol import API_PREFIX
from sync.service import PROBE_INTERVAL, PROBE_TIMEOUT, SyncService
from tests.sync.phones import asgi_http, make_central, new_phone

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture
def central(tmp_path):
    app = make_central(tmp_path / "central")
    yield app
    app.state.engine.dispose()


class Cable(httpx.AsyncBaseTransport):
    """The link to the central store: plugged in, pulled out (refused at once) or hanging (no answer ever)."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.plugged, self.hanging = True, False
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if self.hanging:
            await asyncio.Event().wait()
        if not self.plugged:
            raise httpx.ConnectError("the cable is pulled", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Clock:
    """A fake clock for every sleep of the service and its client: time moves only when the test says."""

    def __init__(self):
        self.now = 0.0
        self.sleepers: list[tuple[float, asyncio.Future]] = []

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, future))
        await future

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [(at, f) for at, f in self.sleepers if at <= self.now]
        self.sleepers = [(at, f) for at, f in self.sleepers if at > self.now]
        for _at, future in due:
            if not future.done():
                future.set_result(None)


async def started(tmp_path, central, clock: Clock) -> tuple[SyncService, Cable, object]:
    """A signed-in phone's sync service, on the fake clock, with its first run done."""
    cable = Cable(asgi_http(central))
    phone = await new_phone(tmp_path, "wang", "deputy-wang", cable, sleep=clock.sleep, rand=lambda: 0.0,
                            first_sync=False)
    service = SyncService(phone.engine, phone.photos, Settings(), client=phone.client, sleep=clock.sleep)
    service.ensure_started()
    await until(lambda: service.last_report is not None, "the first run")
    return service, cable, phone


async def until(condition, what: str) -> None:
    """Let the loop run until condition() holds (the in-process server answers in real time)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


def test_ping_answers_204_without_a_login_and_is_documented(central):
    with TestClient(central) as client:
        response = client.get(f"{API_PREFIX}/ping")
        assert response.status_code == 204 and response.content == b""
        document = client.get("/openapi.json").json()
    operation = document["paths"][f"{API_PREFIX}/ping"]["get"]
    assert "204" in operation["responses"] and "security" not in operation


def test_the_defaults_say_offline_within_two_seconds():
    # A probe starts at most one interval after the store went away and gives up after the timeout.
    assert PROBE_INTERVAL + PROBE_TIMEOUT < 2.0


def test_the_chip_turns_offline_at_the_next_probe_and_sync_starts_when_the_store_answers(tmp_path, central):
    clock = Clock()
    heard = []

    async def main():
        service, cable, _phone = await started(tmp_path, central, clock)
        service.subscribe(lambda: heard.append((clock.now, service.online, service.requested)))
        assert service.last_report.ok and service.online
        await until(lambda: service.reachable is True and clock.sleepers, "the first probe")

        cable.plugged = False  # the central store goes away at t=0.1
        clock.advance(0.1)
        assert service.online  # nothing has asked yet
        clock.advance(PROBE_INTERVAL)
        await until(lambda: service.online is False, "offline noticed")
        went_offline = clock.now

        runs_before = service._reports
        cable.plugged = True  # back at this moment
        back_at = clock.now
        clock.advance(PROBE_INTERVAL)
        await until(lambda: service._reports > runs_before, "a run after the store came back")
        started_after = clock.now - back_at
        report = service.last_report
        await service.stop()
        return went_offline, started_after, report, cable

    went_offline, started_after, report, cable = asyncio.run(main())
    assert went_offline - 0.1 <= 2.0
    assert started_after <= 5.0 and report.outcome is SyncOutcome.OK
    assert any(online is False for _t, online, _r in heard)  # the chip was told at once
    assert any(requested for _t, _o, requested in heard)  # and that a run was under way
    assert f"{API_PREFIX}/ping" in cable.paths


def test_a_store_that_never_answers_counts_as_gone_after_the_timeout(tmp_path, central):
    async def main():
        cable = Cable(asgi_http(central))
        phone = await new_phone(tmp_path, "wang", "deputy-wang", cable, first_sync=False)
        service = SyncService(phone.engine, phone.photos, Settings(), client=phone.client)
        assert await service.probe() is True  # with the usual timeout: a busy machine may take a while to answer
        cable.hanging, service.probe_timeout = True, 0.05
        up = await service.probe()
        await phone.client.aclose()
        return up, service.online

    assert asyncio.run(main()) == (False, False)


def test_the_probe_rests_while_no_screen_is_open(tmp_path, central):
    clock = Clock()

    async def main():
        service, cable, _phone = await started(tmp_path, central, clock)
        for _ in range(5):
            clock.advance(PROBE_INTERVAL)
            await asyncio.sleep(0.01)
        idle = cable.paths.count(f"{API_PREFIX}/ping")
        unsubscribe = service.subscribe(lambda: None)
        await until(lambda: cable.paths.count(f"{API_PREFIX}/ping") == 1, "a probe once a screen is open")
        unsubscribe()
        await service.stop()
        return idle

    assert asyncio.run(main()) == 0


def test_sync_now_answers_with_how_its_run_ended(tmp_path, central):
    clock = Clock()

    async def main():
        service, cable, phone = await started(tmp_path, central, clock)
        phone.capture(title="村道塌方")
        asked = asyncio.ensure_future(service.sync_and_report())
        await asyncio.sleep(0)
        busy = service.requested
        done = await asyncio.wait_for(asked, 10)
        cable.plugged = False
        offline = await asyncio.wait_for(service.sync_and_report(), 10)
        after = service.requested, service.online
        await service.stop()
        return busy, done, offline, after

    busy, done, offline, after = asyncio.run(main())
    assert busy  # the chip can show a spinner from the moment the button is pressed
    assert done.outcome is SyncOutcome.OK and done.applied == 1
    assert offline.outcome is SyncOutcome.OFFLINE
    assert after == (False, False)
