"""Slow down password guessing: a username with too many wrong passwords waits before trying again."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

MAX_FAILURES = 5
WINDOW_S = 15 * 60


class LoginThrottle:
    """Count wrong passwords per username in a sliding window, in this server process."""

    def __init__(self, *, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self._failures: dict[str, deque[float]] = {}

    def wait_seconds(self, username: str) -> int:
        """Seconds until this username may try again; 0 when it may now."""
        failures = self._recent(username)
        if len(failures) < self.max_failures:
            return 0
        return max(1, int(failures[0] + self.window_s - self.clock()) + 1)

    def failed(self, username: str) -> None:
        self._recent(username).append(self.clock())

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.strip().lower(), None)

    def _recent(self, username: str) -> deque[float]:
        failures = self._failures.setdefault(username.strip().lower(), deque())
        while failures and failures[0] <= self.clock() - self.window_s:
            failures.popleft()
        return failures
