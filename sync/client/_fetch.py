"""An httpx transport over the browser's fetch, for the sync client running in Pyodide.

The browser build has no sockets: every request the sync client makes goes through
`fetch`, so the same `SyncClient` runs in the phone's browser unchanged:

    client = SyncClient(engine, photos, base_url=origin, device_id=device, transport=FetchTransport())

A network failure (offline, the store stopped, CORS refused) is `httpx.ConnectError`, a
request that outlived its timeout is `httpx.ReadTimeout`, so the client reports offline
and backs off exactly as it does over sockets.
"""

from __future__ import annotations

import httpx

# fetch decodes the body itself and hides some headers: passing these on would make httpx
# decode a second time or check a length that no longer holds.
_DROPPED_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# The browser sets these itself and refuses a page that tries.
_FORBIDDEN_REQUEST_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding", "user-agent"})


class FetchTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through the browser's `fetch` (Pyodide only)."""

    def __init__(self, *, credentials: str = "same-origin"):
        self.credentials = credentials

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import js  # Pyodide's bridge to the browser; only there
        from pyodide.ffi import JsException, to_js

        body = await request.aread()
        headers = js.Headers.new()
        for name, value in request.headers.multi_items():
            if name.lower() not in _FORBIDDEN_REQUEST_HEADERS:
                headers.append(name, value)
        options = {"method": request.method, "headers": headers, "cache": "no-store",
                   "credentials": self.credentials, "redirect": "follow"}
        if body and request.method not in ("GET", "HEAD"):
            options["body"] = to_js(body)
        timeout = _timeout_ms(request)
        if timeout is not None:
            options["signal"] = js.AbortSignal.timeout(timeout)
        init = to_js(options, dict_converter=js.Object.fromEntries)
        try:
            response = await js.fetch(str(request.url), init)
            content = b"" if request.method == "HEAD" else (await response.arrayBuffer()).to_bytes()
        except JsException as exc:
            name = getattr(exc, "name", "") or ""
            if name in ("TimeoutError", "AbortError") or "TimeoutError" in str(exc):
                raise httpx.ReadTimeout(str(exc), request=request) from None
            raise httpx.ConnectError(str(exc) or "fetch failed", request=request) from None
        pairs = [(name, value) for name, value in (entry.to_py() for entry in response.headers.entries())
                 if name.lower() not in _DROPPED_RESPONSE_HEADERS]
        return httpx.Response(response.status, headers=pairs, content=content, request=request)


def _timeout_ms(request: httpx.Request) -> int | None:
    """The longest of the request's httpx timeouts, in milliseconds (fetch has one timeout, not four)."""
    timeout = request.extensions.get("timeout") or {}
    values = [v for v in timeout.values() if v is not None]
    return int(max(values) * 1000) if values else None
