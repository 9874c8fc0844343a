"""What the office's and departments' work screens share: chips with words, deadlines, forms that explain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Callable, Iterable, Sequence

from sqlmodel import Session, col, select

from app.errors import DomainError
from app.issues import ISSUE, Issue, issue_state
from app.models import Department, Person
from app.records import allowed_events
from app.actors import Actor
from app.viewmodels.context import AppContext
from app.viewmodels.rows import IssueRow

FORM = ""  # the key of an error about the whole form rather than one field


class Tone(StrEnum):
    """How loud a chip is; the view picks the colours, the chip always carries its word."""

    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"
    GOOD = "good"
    QUIET = "quiet"


@dataclass(frozen=True)
class Chip:
    label: str
    tone: Tone = Tone.QUIET


def deadline_chip(ctx: AppContext, deadline: date | None, today: date) -> Chip | None:
    """逾期 3 天 / 今天到期 / 还剩 2 天 / 期限 12月20日, or None without a deadline."""
    if deadline is None:
        return None
    t, days = ctx.t, (deadline - today).days
    if days < 0:
        return Chip(t("office.due.overdue", n=-days), Tone.DANGER)
    if days == 0:
        return Chip(t("office.due.today"), Tone.WARNING)
    if days <= 3:
        return Chip(t("office.due.soon", n=days), Tone.WARNING)
    return Chip(t("office.due.on", date=day_text(ctx, deadline)), Tone.INFO)


def escalation_chip(ctx: AppContext, level: int) -> Chip:
    """催办 / 监督意见函 / 报告镇党委政府, or 未督办 before any."""
    if not level:
        return Chip(ctx.t("office.escalation.none"), Tone.QUIET)
    return Chip(ctx.t(f"escalation.{level}"), Tone.DANGER if level >= 2 else Tone.WARNING)


def day_text(ctx: AppContext, day: date) -> str:
    return ctx.t("office.format.day", m=day.month, d=day.day)


def names(session: Session, table, ids: Iterable[str | None]) -> dict[str, object]:
    """Rows of a reference table by id, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(table).where(col(table.id).in_(wanted)))}


def people(session: Session, ids: Iterable[str | None]) -> dict[str, Person]:
    return names(session, Person, ids)  # type: ignore[return-value]


def departments(session: Session, ids: Iterable[str | None]) -> dict[str, Department]:
    return names(session, Department, ids)  # type: ignore[return-value]


def allowed(session: Session, issue: Issue, actor: Actor) -> frozenset[str]:
    """The event types this user may record on the issue now."""
    return frozenset(e.name for e in allowed_events(ISSUE, issue_state(session, issue), actor))


@dataclass
class Form:
    """A step the user fills in: its errors by field (FORM for the whole form), shown beside the fields."""

    ctx: AppContext
    errors: dict[str, str] = field(default_factory=dict, init=False)
    done: bool = field(default=False, init=False)
    # False: the caller announces the change itself (ctx.saved_locally) once its dialog has gone, because
    # screens redrawn under a closing dialog leave it on the screen (seen with Flet 1.0.5 in Chromium).
    redraw: bool = field(default=True, init=False)

    @property
    def form_error(self) -> str:
        return self.errors.get(FORM, "")

    def error_of(self, *fields: str) -> str:
        """The message about any of these fields (a form shows one field for several payload names)."""
        return next((self.errors[f] for f in fields if f in self.errors), "")

    def attempt(self, action: Callable[[Session], object], *, fields: Sequence[str] = ()) -> bool:
        """Record one step on the local store; on a refusal keep its message (under its field if the form shows it)."""
        self.errors = {}
        try:
            with self.ctx.session() as session:
                action(session)
        except DomainError as error:
            where = error.field if error.field in fields else FORM
            self.errors[where] = self.ctx.t(error.code.message_key, **error.params)
            return False
        self.done = True
        if self.redraw:
            self.ctx.saved_locally()
        return True

    def refuse(self, key: str, where: str = FORM, **params: object) -> bool:
        """Refuse before recording anything, with a message of this form's own."""
        self.errors = {where: self.ctx.t(key, **params)}
        return False


@dataclass(frozen=True)
class WorkRow:
    """A row of a work list: the issue as every list shows it, plus what this list adds."""

    row: IssueRow  # thumbnail, title, place, station, status chip, age, waiting

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def title(self) -> str:
        return self.row.title


class Selection:
    """Rows ticked for a batch step; ids that left the list drop out of it."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def toggle(self, issue_id: str, on: bool | None = None) -> None:
        chosen = issue_id not in self.ids if on is None else on
        if chosen and issue_id not in self.ids:
            self.ids.append(issue_id)
        elif not chosen and issue_id in self.ids:
            self.ids.remove(issue_id)

    def clear(self) -> None:
        self.ids = []

    def keep_only(self, present: Iterable[str]) -> None:
        here = set(present)
        self.ids = [i for i in self.ids if i in here]

    def __contains__(self, issue_id: object) -> bool:
        return issue_id in self.ids

    def __len__(self) -> int:
        return len(self.ids)


class Ticking:
    """Ticking rows of a list for one step on all of them; the list is read again after each change."""

    ctx: AppContext
    selection: Selection

    def reload(self) -> None:
        raise NotImplementedError

    def toggle(self, issue_id: str, on: bool | None = None) -> None:
        self.selection.toggle(issue_id, on)
        self.reload()

    def clear_selection(self) -> None:
        self.selection.clear()
        self.reload()

    @property
    def selected_ids(self) -> list[str]:
        return list(self.selection.ids)

    @property
    def selection_text(self) -> str:
        return self.ctx.t("office.selected", n=len(self.selection))
