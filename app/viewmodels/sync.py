"""The sync screen and the sign-in screen: what waits, how it is going, and what the server refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.outbox import SyncOutcome, SyncProgress, SyncReport, SyncStatus
from app.problems import Problem
from app.viewmodels.context import AppContext


class Syncer(Protocol):
    """What the screens need of the background sync (sync.service.SyncService provides it)."""

    progress: SyncProgress | None

    @property
    def online(self) -> bool: ...  # the central store answers (its probe, else the last run)

    @property
    def running(self) -> bool: ...

    @property
    def requested(self) -> bool: ...  # 立即同步 was pressed and its run has not ended

    def status(self) -> SyncStatus: ...

    def sync_now(self) -> None: ...

    async def sync_and_report(self) -> SyncReport: ...

    async def login(self, username: str, password: str, device_name: str = "") -> str | None: ...


@dataclass(frozen=True)
class ChipState:
    """The app bar's sync chip: its words, whether the store is out of reach, whether a run is under way."""

    text: str
    offline: bool
    busy: bool


def sync_chip(ctx: AppContext) -> ChipState:
    t, syncer = ctx.t, ctx.syncer
    pending = ctx.pending_count()
    if syncer is None or not syncer.online:
        return ChipState(t("sync.chip_offline_pending", n=pending) if pending else t("sync.chip_offline"),
                         offline=True, busy=syncer is not None and syncer.requested)
    if syncer.running or syncer.requested:
        return ChipState(t("shell.chip.syncing"), offline=False, busy=True)
    if syncer.status().needs_login:
        return ChipState(t("shell.chip.sign_in"), offline=False, busy=False)
    return ChipState(t("sync.chip_pending", n=pending) if pending else t("sync.chip_synced"), offline=False, busy=False)


def outcome_text(t, report: SyncReport) -> str:
    """How a run asked for by 立即同步 ended, in one line for the snack bar."""
    if report.outcome is SyncOutcome.OK:
        return t("shell.sync.done_refused", n=len(report.rejected)) if report.rejected else t("shell.sync.done")
    if report.outcome is SyncOutcome.OFFLINE:
        return t("shell.sync.offline")
    if report.outcome in (SyncOutcome.AUTH_REQUIRED, SyncOutcome.SIGNED_OUT):
        return t("sync.needs_login")
    return t("shell.sync.failed", why=_error_text(t, report.problem_code, report.problem_message))


def switch_refusal(ctx: AppContext) -> str:
    """Why the user cannot be switched now ('' when they can): their changes still wait to sync."""
    pending = ctx.pending_count()
    if not pending:
        return ""
    user = ctx.current_user()
    return ctx.t("shell.switch.refused", name=user.name if user else ctx.t("me.nobody"), n=pending)


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
        elif not self.syncer.online:  # the probe knows before the next run does
            self.problem_text = t(Problem.OFFLINE.message_key)
        elif status.last_problem and not status.offline:
            self.problem_text = _error_text(t, status.last_problem)
        progress = self.syncer.progress
        self.running = progress is not None
        self.busy = self.running or self.syncer.requested  # the button shows a spinner from the tap on
        self.overall = progress.fraction if progress else 0.0
        self.phase_text = t(f"sync.phase.{progress.phase}") if progress else ""
        self.photo_fraction = (progress.photo_sent / progress.photo_size
                               if progress and progress.photo_size else None)
        self.photo_text = (t("sync.photo_progress", done=progress.photos_done, total=progress.photos_total)
                           if progress and progress.photos_total else "")
        self.rejected = [RejectedRow(title=r.title or t("sync.untitled"),
                                     what=t(f"event.{r.event_type}") if r.event_type else t(f"mutation.{r.kind}")
                                     if t.has(f"mutation.{r.kind}") else r.kind,  # a ballot: 投票
                                     why=_error_text(t, r.code, r.reason),
                                     advice=t(f"advice.{r.code}") if t.has(f"advice.{r.code}") else t("advice.default"),
                                     issue_id=r.record_id if r.record_kind == "issue" else None)
                         for r in status.rejected]

    def sync_now(self) -> None:
        self.syncer.sync_now()

    async def sync_and_report(self) -> str:
        """Sync now; return how it ended, in words."""
        return outcome_text(self.ctx.t, await self.syncer.sync_and_report())


class LoginModel:
    def __init__(self, ctx: AppContext, syncer: Syncer):
        self.ctx, self.syncer = ctx, syncer
        self.username = ""
        self.password = ""
        self.error = ""
        self.busy = False
        self.offer_sync = False  # the refusal is about changes waiting: 立即同步 is the way on
        user = ctx.current_user()
        t = ctx.t
        # Someone is signed in: this is a switch, which clears their records from this device.
        self.current_text = t("shell.login.current", name=user.name) if user else ""
        self.switch_note = t("shell.login.switch_note", name=user.name) if user else ""
        self.can_go_back = user is not None

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
        self.offer_sync = code == Problem.PENDING_OTHER_USER
        if code is not None:
            self.error = switch_refusal(self.ctx) if self.offer_sync else ""
            self.error = self.error or _error_text(t, code)
            return False
        self.password = ""
        self.ctx.changed()
        return True

    async def sync_and_report(self) -> str:
        """Sync the previous user's waiting changes now; return how it ended, in words."""
        return outcome_text(self.ctx.t, await self.syncer.sync_and_report())
