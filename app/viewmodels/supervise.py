"""督办: overdue and due-soon issues with their escalation level; reminders, letters, reports to the leadership."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Sequence

from sqlmodel import Session

from app.errors import DomainError
from app.issues import ISSUE, LEADERSHIP, Issue, days_overdue, due_soon, overdue, record_event, today_in_china
from app.letters import Letter, document_number, issue_letter, letter_document, list_letters
from app.problems import Problem
from app.records import StoreContext, check_event, event_type_of, state_of
from app.viewmodels.context import AppContext
from app.viewmodels.office import (FORM, Chip, Form, Selection, Ticking, Tone, WorkRow, day_text, deadline_chip,
                                   departments, escalation_chip)
from app.viewmodels.rows import issue_rows

LETTER_DAYS = 7  # the deadline a letter proposes: a week from today
FILE_SUBJECT = 30  # characters of the subject in the Word file's name
FILE_NAME_FORBIDDEN = set('\\/:*?"<>|')  # not allowed in a Windows file name, where the office PCs are


@dataclass(frozen=True)
class SuperviseRow(WorkRow):
    department: str
    department_id: str | None
    due: Chip | None  # 逾期 9 天 / 今天到期 / 还剩 2 天
    escalation: Chip  # 未督办 / 催办 / 监督意见函 / 报告镇党委政府
    selected: bool


@dataclass(frozen=True)
class LetterRow:
    id: str
    number: str  # 桔人大函〔2026〕3号, or 待编号 until the central store numbers it
    numbered: bool
    subject: str
    department: str
    deadline: str
    status: Chip
    issues: str  # 涉及 2 个问题


class SuperviseModel(Ticking):
    def __init__(self, ctx: AppContext, *, today: date | None = None):
        self.ctx = ctx
        self.today = today
        self.selection = Selection()
        self.overdue: list[SuperviseRow] = []
        self.due_soon: list[SuperviseRow] = []
        self.letters: list[LetterRow] = []
        self.reload()

    @property
    def day(self) -> date:
        return self.today or today_in_china()

    def reload(self) -> None:
        ctx, today = self.ctx, self.day
        with ctx.session() as session:
            late, soon = overdue(session, today), due_soon(session, today)
            self.selection.keep_only(i.id for i in late + soon)
            self.overdue = self._rows(session, late)
            self.due_soon = self._rows(session, soon)
            self.letters = [self._letter_row(session, letter) for letter in list_letters(session)]

    def _rows(self, session: Session, issues: list[Issue]) -> list[SuperviseRow]:
        ctx, today = self.ctx, self.day
        depts = departments(session, (i.department_id for i in issues))
        return [SuperviseRow(row=row, department=ctx.name_of(depts.get(issue.department_id)),
                             department_id=issue.department_id, due=deadline_chip(ctx, issue.deadline, today),
                             escalation=escalation_chip(ctx, issue.escalation), selected=issue.id in self.selection)
                for issue, row in zip(issues, issue_rows(ctx, session, issues))]

    def _letter_row(self, session: Session, letter: Letter) -> LetterRow:
        ctx, t = self.ctx, self.ctx.t
        dept = departments(session, [letter.department_id]).get(letter.department_id)
        number = document_number(letter, ctx.settings) if letter.number else t("office.letter.unnumbered")
        return LetterRow(id=letter.id, number=number, numbered=letter.number is not None, subject=letter.subject,
                         department=ctx.name_of(dept),
                         deadline=day_text(ctx, letter.deadline) if letter.deadline else "",
                         status=Chip(t(f"office.letter.status.{letter.status}"),
                                     Tone.GOOD if letter.status != "issued" else Tone.INFO),
                         issues=t("office.letter.issue_count", n=len(letter.issue_ids)))

    @property
    def overdue_title(self) -> str:
        return self.ctx.t("office.supervise.overdue", n=len(self.overdue))

    @property
    def due_soon_title(self) -> str:
        return self.ctx.t("office.supervise.due_soon", n=len(self.due_soon))

    @property
    def letters_title(self) -> str:
        return self.ctx.t("office.letter.list", n=len(self.letters))


    # -- the forms ------------------------------------------------------------------------------------------------
    def remind_form(self, issue_ids: Sequence[str]) -> "SupervisionForm":
        return SupervisionForm(self.ctx, list(issue_ids), level=1, text=self.ctx.t("office.remind.default"))

    def escalate_form(self, issue_ids: Sequence[str]) -> "SupervisionForm":
        return SupervisionForm(self.ctx, list(issue_ids), level=LEADERSHIP, text=self.ctx.t("office.report.default"))

    def letter_form(self, issue_ids: Sequence[str]) -> "LetterForm":
        return LetterForm(self.ctx, list(issue_ids), today=self.day)

    def letter_file(self, letter_id: str) -> tuple[str, bytes]:
        """The Word document of a letter, and a file name to save it under."""
        ctx = self.ctx
        with ctx.session() as session:
            letter = session.get(Letter, letter_id)
            data = letter_document(session, letter, ctx.photos, ctx.settings)
            number = document_number(letter, ctx.settings) if letter.number else ctx.t("office.letter.unnumbered")
        subject = letter.subject if len(letter.subject) <= FILE_SUBJECT else letter.subject[:FILE_SUBJECT] + "…"
        name = ctx.t("office.letter.file_name", number=number, subject=subject)
        return "".join("_" if c in FILE_NAME_FORBIDDEN else c for c in name) + ".docx", data


@dataclass
class SupervisionForm(Form):
    """催办 (a `supervise` event, level 1) or 报告镇党委政府 (`escalate`, level 3) on one or several issues."""

    issue_ids: list[str] = field(default_factory=list)
    level: int = 1
    text: str = ""

    @property
    def event(self) -> tuple[str, dict]:
        if self.level == 1:
            return "supervise", {"text": self.text.strip()}
        return "escalate", {"level": self.level, "text": self.text.strip()}

    def submit(self) -> bool:
        type_, payload = self.event
        return self.attempt(lambda session: _record_all(session, self.ctx, self.issue_ids, type_, payload),
                            fields=("text",))


def _record_all(session: Session, ctx: AppContext, issue_ids: Sequence[str], type_: str, payload: dict) -> None:
    """Judge the event on every issue first, so a batch reminder goes to all of them or none."""
    actor, store = ctx.actor(), StoreContext(session)
    for issue_id in issue_ids:
        issue = session.get(Issue, issue_id)
        if issue is None:
            raise DomainError(Problem.RECORD_NOT_FOUND, id=issue_id)
        check_event(ISSUE, event_type_of(ISSUE, type_), state_of(session, ISSUE, issue), payload, actor=actor,
                    ctx=store, at=store.now())
    for issue_id in issue_ids:
        record_event(session, actor=actor, issue_id=issue_id, type_=type_, payload=payload)


@dataclass
class LetterForm(Form):
    """监督意见函 to the lead department of one or several issues: subject, findings, actions, deadline."""

    issue_ids: list[str] = field(default_factory=list)
    today: date | None = None
    department_id: str | None = field(default=None, init=False)
    department: str = field(default="", init=False)
    issue_titles: list[str] = field(default_factory=list, init=False)
    subject: str = field(default="", init=False)
    situation: str = field(default="", init=False)
    actions: str = field(default="", init=False)
    deadline_text: str = field(default="", init=False)  # YYYY-MM-DD, as typed or picked
    letter_id: str | None = field(default=None, init=False)  # the letter, once written

    def __post_init__(self) -> None:
        t, ctx = self.ctx.t, self.ctx
        with ctx.session() as session:
            issues = [i for i in (session.get(Issue, issue_id) for issue_id in self.issue_ids) if i is not None]
            leads = {i.department_id for i in issues}
            self.issue_titles = [i.title for i in issues]
            if len(leads) == 1 and None not in leads:
                self.department_id = leads.pop()
                self.department = ctx.name_of(departments(session, [self.department_id]).get(self.department_id))
            elif issues:
                self.errors[FORM] = t(Problem.LETTER_ISSUE_ELSEWHERE.message_key)
            if issues:
                first = issues[0].title.rstrip("。")
                self.subject = (t("office.letter.subject_one", title=first) if len(issues) == 1
                                else t("office.letter.subject_many", title=first, n=len(issues)))
                today = self.today or today_in_china()
                late = [i for i in issues if days_overdue(i, today)]
                self.situation = (t("office.letter.situation_late", late=len(late)) if late
                                  else t("office.letter.situation_open"))
                self.actions = t("office.letter.actions_default")
                self.deadline_text = (today + timedelta(days=LETTER_DAYS)).isoformat()

    @property
    def can_submit(self) -> bool:
        return self.department_id is not None and self.letter_id is None

    def set(self, name: str, value: str) -> None:
        if name not in ("subject", "situation", "actions", "deadline_text"):
            raise AttributeError(name)
        setattr(self, name, value)

    def submit(self) -> bool:
        if self.department_id is None:
            return self.refuse(Problem.LETTER_ISSUE_ELSEWHERE.message_key)
        try:
            deadline = date.fromisoformat(self.deadline_text.strip())
        except ValueError:
            return self.refuse("office.date_format", "deadline")

        def write(session: Session) -> None:
            letter = issue_letter(session, actor=self.ctx.actor(), issue_ids=self.issue_ids,
                                  department_id=self.department_id, subject=self.subject.strip(),
                                  situation=self.situation.strip(), actions=self.actions.strip(), deadline=deadline)
            self.letter_id = letter.id

        return self.attempt(write, fields=("deadline", "subject", "situation", "actions"))
