"""A small TCP proxy on loopback that behaves like a village link: slow, far, and sometimes cut.

The kernel here has no netem, so tests and the benchmark put this between the sync
client and a real server:

- ``up_bps`` / ``down_bps``: a token bucket per direction, shared by every connection
  (one phone, one link), in bytes per second;
- ``delay``: one-way latency added to every chunk (a 150 ms round trip is 0.075), and a
  round trip before a new connection carries data (the TCP handshake); chunks are
  delayed, not serialised, so latency and bandwidth add up as on a real link;
- ``abort_after``: cut the connection (RST both sides) that carries the upstream byte
  number ``abort_after`` counted from when it was armed (``arm_abort`` arms it again
  mid-test), ``abort_connections`` times;
- ``on_upstream``: called with the proxy's total upstream byte count each time it grows
  (a test kills the server the moment a request has reached it).

    async with NetProxy("127.0.0.1", server_port, up_bps=250_000, delay=0.075) as proxy:
        client = SyncClient(..., base_url=proxy.url)
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Callable

PIECE = 16 * 1024


class TokenBucket:
    """Let through `rate` bytes a second on average, in bursts of at most `burst` bytes."""

    def __init__(self, rate: float, burst: int = PIECE):
        self.rate = float(rate)
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, count: int) -> None:
        async with self.lock:  # first come, first served across connections
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            # Go into debt and sleep it off: a sleep that overruns is paid back by the
            # refill, so the long-run rate is exact whatever the timer's granularity.
            self.tokens -= count
            if self.tokens < 0:
                await asyncio.sleep(-self.tokens / self.rate)


@dataclass
class Stats:
    connections: int = 0
    aborted: int = 0
    bytes_up: int = 0
    bytes_down: int = 0


class NetProxy:
    """Forward 127.0.0.1:<port> to target_host:target_port through a shaped, breakable link."""

    def __init__(self, target_host: str, target_port: int, *, up_bps: float | None = None,
                 down_bps: float | None = None, delay: float = 0.0, abort_after: int | None = None,
                 abort_connections: int = 1, on_upstream: Callable[[int], None] | None = None):
        self.target = (target_host, target_port)
        self.up = TokenBucket(up_bps, burst=min(PIECE, max(1024, int(up_bps / 50)))) if up_bps else None
        self.down = TokenBucket(down_bps, burst=min(PIECE, max(1024, int(down_bps / 50)))) if down_bps else None
        self.delay = delay
        self.abort_after: int | None = None
        self.abort_connections = 0
        self._armed_at = 0
        self._forwarded_up = 0  # upstream bytes taken in from clients, cut or not
        if abort_after is not None:
            self.arm_abort(abort_after, connections=abort_connections)
        self.on_upstream = on_upstream
        self.stats = Stats()
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    def arm_abort(self, after: int, *, connections: int = 1) -> None:
        """Cut the connection that carries the `after`-th upstream byte from now on, `connections` times."""
        self.abort_after = after
        self.abort_connections = self.stats.aborted + connections
        self._armed_at = self._forwarded_up

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> "NetProxy":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.stats.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
            # TCP's handshake: the client's first byte can leave one round trip after connect().
            await asyncio.sleep(2 * self.delay)
        except OSError:
            client_writer.transport.abort()
            self._tasks.discard(task)
            return
        link = _Link(self, client_writer, server_writer)
        try:
            await asyncio.gather(link.pump(client_reader, server_writer, upstream=True),
                                 link.pump(server_reader, client_writer, upstream=False))
        except (asyncio.CancelledError, ConnectionError, OSError):
            pass
        finally:
            for writer in (client_writer, server_writer):
                writer.transport.abort()
            self._tasks.discard(task)


class _Link:
    """One proxied connection: two directions, each read → bandwidth → delay → write."""

    def __init__(self, proxy: NetProxy, client_writer: asyncio.StreamWriter, server_writer: asyncio.StreamWriter):
        self.proxy = proxy
        self.writers = (client_writer, server_writer)
        self.sent_up = 0
        self.cut = False

    def abort(self) -> None:
        if not self.cut:
            self.cut = True
            self.proxy.stats.aborted += 1
        for writer in self.writers:
            writer.transport.abort()

    async def pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upstream: bool) -> None:
        proxy = self.proxy
        bucket = proxy.up if upstream else proxy.down
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        deliver = asyncio.ensure_future(self._deliver(queue, writer, upstream=upstream))
        try:
            while not self.cut:
                data = await reader.read(PIECE)
                if not data:
                    break
                if upstream and proxy.abort_after is not None and proxy.stats.aborted < proxy.abort_connections:
                    room = proxy._armed_at + proxy.abort_after - proxy._forwarded_up
                    if len(data) >= room:
                        proxy._armed_at = proxy._forwarded_up + max(0, room)  # the next cut counts from here
                        data = data[:max(0, room)]
                        if data:
                            await self._send(bucket, queue, data, upstream)
                        await queue.join()
                        self.abort()
                        break
                await self._send(bucket, queue, data, upstream)
        finally:
            await queue.put(None)
            await asyncio.gather(deliver, return_exceptions=True)

    async def _send(self, bucket: TokenBucket | None, queue: asyncio.Queue, data: bytes, upstream: bool) -> None:
        if bucket is not None:
            for start in range(0, len(data), bucket.burst):
                await bucket.take(len(data[start:start + bucket.burst]))
        if upstream:
            self.sent_up += len(data)
            self.proxy._forwarded_up += len(data)
        await queue.put((time.monotonic() + self.proxy.delay, data))

    async def _deliver(self, queue: asyncio.Queue, writer: asyncio.StreamWriter, *, upstream: bool) -> None:
        proxy = self.proxy
        try:
            while True:
                item = await queue.get()
                try:
                    if item is None:
                        if not self.cut and writer.can_write_eof():
                            writer.write_eof()
                        return
                    due, data = item
                    wait = due - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    if self.cut:
                        continue
                    writer.write(data)
                    await writer.drain()
                    if upstream:
                        proxy.stats.bytes_up += len(data)
                        if proxy.on_upstream is not None:
                            proxy.on_upstream(proxy.stats.bytes_up)
                    else:
                        proxy.stats.bytes_down += len(data)
                finally:
                    queue.task_done()
        except (ConnectionError, OSError):
            self.abort()
