"""扫码说事: the concerns villagers sent from a station's public page, answered, turned into issues or closed.

    queue = ConcernQueueModel(ctx)                  # a station's (the office: every station's), open ones first
    await queue.fetch_missing_photos()              # the villagers' photos, from the central store
    issue_id = queue.to_issue(queue.rows[0].id)     # one tap; photo and village carried over
    form = queue.reply_form(concern_id, "close")    # or "answer": the words the villager reads by receipt
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from app.actors import Role
from app.errors import DomainError
from app.models import Station
from app.outbox import waiting_changes
from app.receptions import CONCERN, Concern, concern_into_issue
from app.records import allowed_events, photos_of, record_event, state_of
from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Form, Tone
from app.viewmodels.stations import (Choice, IssueLink, download_photos, is_office, issue_link, issues_by_id,
                                     may_print_poster, phone_text, refusal_text)

STATUS_TONES = {"open": Tone.WARNING, "answered": Tone.GOOD, "issued": Tone.INFO, "closed": Tone.QUIET}
FILTERS = ("open", "done", "all")


def concern_chip(ctx: AppContext, status: str) -> Chip:
    """待处理 / 已答复 / 已转为问题 / 已关闭 (a letter's 已回复 and 已办结 are other words of another kind)."""
    return Chip(ctx.t(f"concern.status.{status}"), STATUS_TONES.get(status, Tone.QUIET))


@dataclass(frozen=True)
class ConcernRow:
    id: str
    receipt: str  # 回执号 1202-001
    station: str  # for the office, which sees every station's
    village: str
    text: str
    phone: str  # 139****1111 but for the office
    when: str
    chip: Chip
    photo: str | None  # its sha256
    thumbnail: bytes | None  # None while the photo is still only on the central store
    photo_note: str  # 照片还没有下载 while it is missing
    answer: str  # 答复：… / 关闭原因：…
    issue: IssueLink | None
    can_answer: bool
    can_issue: bool
    can_close: bool
    waiting: str
    error: str


class ConcernQueueModel:
    """The station's 扫码说事 queue; a station's deputies and staff see their station's, the office every one."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.filter = "open"
        self.errors: dict[str, str] = {}
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.office = is_office(ctx)
        station_id = None if self.office or user is None else user.station_id
        self.allowed_here = user is not None and (self.office or (
            user.role in (Role.DEPUTY.value, Role.STATION_STAFF.value) and station_id is not None))
        with ctx.session() as session:
            query = select(Concern).order_by(col(Concern.created_at).desc())
            if not self.office:
                query = query.where(Concern.station_id == station_id)
            concerns = list(session.exec(query)) if self.allowed_here else []
            stations = {s.id: s for s in session.exec(select(Station))}
            photos = {c.id: [p.sha256 for p in photos_of(session, c.id)] for c in concerns}
            issues = issues_by_id(session, (c.issue_id for c in concerns))
            waiting = waiting_changes(session, [c.id for c in concerns])
            actor = ctx.actor() if user else None
            allowed = {c.id: {e.name for e in allowed_events(CONCERN, state_of(session, CONCERN, c), actor)}
                       for c in concerns} if actor else {}
        self.open_count = sum(1 for c in concerns if c.status == "open")
        self.counts = {"open": self.open_count, "done": len(concerns) - self.open_count, "all": len(concerns)}
        shown = [c for c in concerns if self.filter == "all" or (c.status == "open") == (self.filter == "open")]
        self.missing_photos = [sha for c in concerns for sha in photos[c.id][:1] if not ctx.photos.has(sha)]
        self.rows = [self._row(c, stations, photos[c.id], issues, waiting, allowed.get(c.id, set()))
                     for c in shown]
        # The staff print their own station's poster from here; the office prints them all under 联络站.
        self.poster_station = station_id if station_id and may_print_poster(ctx) else None
        self.heading = t("concern.heading_office" if self.office else "concern.heading", n=self.open_count)
        self.empty_text = (t("concern.not_for_you") if not self.allowed_here else
                           t(f"concern.empty.{self.filter}"))

    def _row(self, c: Concern, stations: dict, photos: list[str], issues: dict, waiting: dict,
             allowed: set[str]) -> ConcernRow:
        ctx, t = self.ctx, self.ctx.t
        sha = photos[0] if photos else None
        here = sha is not None and ctx.photos.has(sha)
        answer = ""
        if c.answer:
            answer = t("concern.closed_because" if c.status == "closed" else "concern.answered_with", text=c.answer)
        return ConcernRow(
            id=c.id, receipt=t("concern.receipt", number=c.receipt),
            station=ctx.name_of(stations.get(c.station_id or "")) if self.office else "",
            village=c.village, text=c.text, phone=phone_text(ctx, c.phone), when=t.datetime(c.created_at),
            chip=concern_chip(ctx, c.status), photo=sha, thumbnail=ctx.photos.read_thumbnail(sha) if here else None,
            photo_note=t("concern.photo_missing") if sha and not here else "", answer=answer,
            issue=issue_link(ctx, c.issue_id, issues), can_answer="answer" in allowed,
            can_issue="to_issue" in allowed, can_close="close" in allowed,
            waiting=t("list.waiting") if c.id in waiting else "", error=self.errors.get(c.id, ""))

    def filter_options(self) -> list[Choice]:
        t = self.ctx.t
        return [Choice(f, t(f"concern.filter.{f}", n=self.counts[f]), f == self.filter) for f in FILTERS]

    def choose_filter(self, name: str) -> None:
        if name not in FILTERS:
            raise ValueError(f"no such filter: {name!r}")
        self.filter = name
        self.reload()

    async def fetch_missing_photos(self) -> bool:
        """Download the villagers' photos this device lacks, where a central store answers; True if any came."""
        if not await download_photos(self.ctx, self.missing_photos):
            return False
        self.reload()
        return True

    def photo_bytes(self, sha256: str) -> bytes | None:
        return self.ctx.photos.read(sha256) if self.ctx.photos.has(sha256) else None

    # -- acting ---------------------------------------------------------------------------------------------------
    def to_issue(self, concern_id: str) -> str | None:
        """转为问题 in one tap: the words, the village and the photo become an issue of the station."""
        self.errors.pop(concern_id, None)
        made: list[Any] = []
        try:
            with self.ctx.session() as session:
                made.append(concern_into_issue(session, actor=self.ctx.actor(), concern_id=concern_id))
        except DomainError as error:
            self.errors[concern_id] = refusal_text(self.ctx, error)
            self.reload()
            return None
        self.reload()
        self.ctx.saved_locally()
        return made[0].id

    def reply_form(self, concern_id: str, kind: str) -> "ReplyForm":
        if kind not in ("answer", "close"):
            raise ValueError(f"not a reply to a concern: {kind!r}")
        return ReplyForm(self.ctx, concern_id=concern_id, kind=kind)


@dataclass
class ReplyForm(Form):
    """答复 (the villager reads it by the receipt number) or 关闭 with a reason."""

    concern_id: str = ""
    kind: str = "answer"
    text: str = ""

    @property
    def title(self) -> str:
        return self.ctx.t(f"concern.{self.kind}.title")

    @property
    def label(self) -> str:
        return self.ctx.t(f"concern.{self.kind}.label")

    @property
    def confirm(self) -> str:
        return self.ctx.t(f"concern.{self.kind}.confirm")

    def submit(self) -> bool:
        if not self.text.strip():
            return self.refuse(f"concern.{self.kind}.required", "text")
        return self.attempt(lambda session: record_event(
            session, CONCERN, actor=self.ctx.actor(), record_id=self.concern_id, type_=self.kind,
            payload={"text": self.text.strip()}), fields=("text",))
