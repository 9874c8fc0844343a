"""What one sync run did, counted as it goes, and how long to wait before the next."""

from __future__ import annotations

import inspect
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from app.outbox import RejectedChange, SyncProgress, SyncReport, SyncStatus

BACKOFF_BASE = 5.0
BACKOFF_CAP = 600.0

ProgressCallback = Callable[[SyncProgress], Any]
ReportCallback = Callable[[SyncReport], Any]


def backoff_delay(failures: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP,
                  rand: Callable[[], float] = random.random) -> float:
    """Return the wait after this many failures in a row: doubling from base, capped, with jitter.

    Half the delay is fixed and half random ("equal jitter"), so phones that lost the
    network together do not all come back in the same second, and no wait is near zero.
    """
    ceiling = min(cap, base * 2 ** max(0, failures - 1))
    return ceiling / 2 + rand() * ceiling / 2


@dataclass
class Run:
    """Counters of one run, turned into a SyncReport at the end."""

    started_at: datetime
    on_progress: ProgressCallback | None = None
    photos_uploaded: int = 0
    photos_failed: list[str] = field(default_factory=list)
    bytes_uploaded: int = 0
    bytes_total: int = 0
    photos_total: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: list[RejectedChange] = field(default_factory=list)
    mutations_sent: int = 0
    mutations_total: int = 0
    held_back: int = 0
    retry_later: int = 0
    changes_pulled: int = 0

    async def progress(self, phase: str, **fields: Any) -> None:
        """Tell the listener where the run is (the running totals, and what fields add)."""
        if self.on_progress is None:
            return
        totals = dict(bytes_sent=self.bytes_uploaded, bytes_total=self.bytes_total,
                      photos_done=self.photos_uploaded, photos_total=self.photos_total,
                      mutations_sent=self.mutations_sent, mutations_total=self.mutations_total,
                      changes_pulled=self.changes_pulled)
        await emit(self.on_progress, SyncProgress(phase=phase, **(totals | fields)))

    def report(self, *, outcome: Any, finished_at: datetime, code: str, message: str,
               status: SyncStatus) -> SyncReport:
        return SyncReport(
            outcome=outcome, started_at=self.started_at, finished_at=finished_at, problem_code=code,
            problem_message=message, photos_uploaded=self.photos_uploaded, photos_failed=tuple(self.photos_failed),
            bytes_uploaded=self.bytes_uploaded, applied=self.applied, duplicates=self.duplicates,
            rejected=tuple(self.rejected), held_back=self.held_back, retry_later=self.retry_later,
            changes_pulled=self.changes_pulled, status=status)


async def emit(callback: Callable[[Any], Any] | None, value: Any) -> None:
    if callback is None:
        return
    result = callback(value)
    if inspect.isawaitable(result):
        await result
