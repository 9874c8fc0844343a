"""The central store's HTTP API as the phone speaks it: one injected transport, the protocol's headers, problems.

All I/O goes through an `httpx.AsyncBaseTransport`, so tests pass `httpx.ASGITransport`
or `httpx.MockTransport` and the browser build passes one over the browser's fetch.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.problems import Problem
from sync.client._errors import AuthRequired, Offline, SyncError
from sync.protocol import API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION, ProblemBody


class Api:
    """Requests to one central store, with the protocol's headers and its problems raised as SyncError."""

    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None, *, connections: int):
        self.base_url = base_url.rstrip("/")
        # Weak village links: slow writes are normal, so the timeouts are long; a dead
        # connection still ends within them and the run reports offline.
        self.http = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(60.0, connect=15.0),
                                      limits=httpx.Limits(max_keepalive_connections=connections))

    async def aclose(self) -> None:
        await self.http.aclose()

    def url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    @staticmethod
    def headers(token: str | None) -> dict[str, str]:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def send(self, method: str, path: str, token: str | None, *, content: bytes | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        """Send one request; a transport failure is Offline."""
        try:
            return await self.http.request(method, self.url(path), content=content,
                                           headers=self.headers(token) | (headers or {}))
        except httpx.TransportError as exc:
            raise Offline(str(exc) or type(exc).__name__) from exc

    async def request(self, method: str, path: str, token: str | None, *, json_body: Any = None,
                      allow: tuple[int, ...] = ()) -> httpx.Response:
        """Send a JSON request; an error answer (but those in `allow`) is raised as SyncError."""
        content = None if json_body is None else json.dumps(json_body, ensure_ascii=False,
                                                             separators=(",", ":")).encode()
        response = await self.send(method, path, token, content=content)
        if response.status_code not in allow:
            check(response)
        return response


def check(response: httpx.Response) -> None:
    """Raise the error an answer carries: AuthRequired for 401, else SyncError."""
    if response.status_code < 400:
        return
    code, message = problem_of(response)
    if response.status_code == 401:
        raise AuthRequired(code or Problem.AUTH_INVALID, message, 401)
    raise SyncError(code, message, response.status_code)


def problem_of(response: httpx.Response) -> tuple[str, str]:
    """Return (code, message) of an error answer, whatever its body."""
    try:
        problem = ProblemBody.model_validate_json(response.content)
        return problem.code, problem.message
    except ValueError:
        pass
    # Not the central store's answer (a proxy's page, a captive portal): nothing to act on but to retry.
    return Problem.SERVER_ERROR.value, f"HTTP {response.status_code} {response.reason_phrase}"
