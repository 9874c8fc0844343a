"""The sync screen and the sign-in screen: what waits, how it is going, and what the server refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.outbox import SyncProgress, SyncStatus
from app.problems import Problem
from app.viewmodels.context import AppContext


class Syncer(Protocol):
    """What the screens need of the background sync (sync.service.SyncService provides it)."""

    progress: SyncProgress | None

    def status(self) -> SyncStatus: ...

    def sync_now(self) -> None: ...

    async def login(self, username: str, password: str, device_name: str = "") -> str | None: ...


@dataclass(frozen=True)
class RejectedRow:
    title: str  # the issue it was about
    what: str  # which change: recording the issue, or one step of its timeline
    why: str  # the server's reason in plain words
    advice: str  # what the user can do about it
    issue_id: str | None


def _error_text(t, code: str, fallback: str = "") -> str:
    key = f"error.{code}"
    return t(key) if t.has(key) else (fallback or t("sync.unknown_problem", code=code))


class SyncModel:
    def __init__(self, ctx: AppContext, syncer: Syncer):
        self.ctx, self.syncer = ctx, syncer
        self.refresh()

    def refresh(self) -> None:
        t = self.ctx.t
        status = self.syncer.status()
        self.status = status
        self.pending_text = t("sync.pending", n=status.pending_mutations) if status.pending_mutations \
            else t("sync.all_sent")
        self.photos_text = (t("sync.photos_waiting", n=status.pending_photos, mb=f"{status.pending_photo_bytes / 1e6:.1f}")
                            if status.pending_photos else "")
        self.last_success_text = (t("sync.last_success", when=t.datetime(status.last_success))
                                  if status.last_success else t("sync.never"))
        self.problem_text = ""
        if status.needs_login:
            self.problem_text = t("sync.needs_login")
        elif status.offline:
            self.problem_text = t(Problem.OFFLINE.message_key)
        elif status.last_problem:
            self.problem_text = _error_text(t, status.last_problem)
        progress = self.syncer.progress
        self.running = progress is not None
        self.overall = progress.fraction if progress else 0.0
        self.phase_text = t(f"sync.phase.{progress.phase}") if progress else ""
        self.photo_fraction = (progress.photo_sent / progress.photo_size
                               if progress and progress.photo_size else None)
        self.photo_text = (t("sync.photo_progress", done=progress.photos_done, total=progress.photos_total)
                           if progress and progress.photos_total else "")
        self.rejected = [RejectedRow(title=r.title or t("sync.untitled"),
                                     what=t(f"event.{r.event_type}") if r.event_type else r.kind,
                                     why=_error_text(t, r.code, r.reason),
                                     advice=t(f"advice.{r.code}") if t.has(f"advice.{r.code}") else t("advice.default"),
                                     issue_id=r.record_id if r.record_kind == "issue" else None)
                         for r in status.rejected]

    def sync_now(self) -> None:
        self.syncer.sync_now()


class LoginModel:
    def __init__(self, ctx: AppContext, syncer: Syncer):
        self.ctx, self.syncer = ctx, syncer
        self.username = ""
        self.password = ""
        self.error = ""
        self.busy = False

    async def submit(self) -> bool:
        t = self.ctx.t
        if not self.username.strip() or not self.password:
            self.error = t("login.fill_both")
            return False
        self.busy, self.error = True, ""
        try:
            code = await self.syncer.login(self.username.strip(), self.password, t("login.device_name"))
        finally:
            self.busy = False
        if code is not None:
            self.error = _error_text(t, code)
            return False
        self.password = ""
        self.ctx.changed()
        return True
