"""述职报告 on screen, with no page: the office asks deputies for their reports by a deadline and reads, returns
or accepts them; a deputy writes theirs from a draft filled in from their duty record, with photos.

    MyReportsModel(ctx)                 the calls that ask this deputy, and where their report stands
    ReportEditor(ctx, call_id)          the deputy's report: draft kept on the phone, 提交 / 修改后重新提交
    ReportsModel(ctx)                   the office's calls, each with its counts; CallForm asks for reports
    CallModel(ctx, call_id)             who has submitted, who not yet, who was sent back, who is accepted
    ReportModel(ctx, report_id)         one report for the office: 退回修改 with a reason, 收录, 导出 Word
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Role
from app.duty import (DUTY_REPORT, DutyReport, ReportCall, accept_report, call_for_reports, duty_record,
                      report_document, report_draft, reports_for, resubmit_report, return_report, submissions,
                      submit_report)
from app.errors import DomainError
from app.issues import today_in_china
from app.models import Person, Station
from app.problems import Problem
from app.problems import Problem
from app.records import PhotoBody, allowed_events, photos_of, state_of
from app.store import get_meta, set_meta
from app.viewmodels.capture import CaptureModel, CapturedPhoto
from app.viewmodels.context import AppContext
from app.viewmodels.issue_actions import Option
from app.viewmodels.office import Chip, Tone, deadline_chip
from app.viewmodels.projects import Field, Fields

REPORTS = "/reports"  # the office's; a call: /reports/<call_id>; a report: /reports/<call_id>/<report_id>
MY_REPORTS = "/me/reports"  # a deputy's; their report to a call: /me/reports/<call_id>
DRAFT_KEY = "duty_report.draft:{call}:{person}"
STATUSES = ("submitted", "returned", "accepted")
TONES = {"submitted": Tone.INFO, "returned": Tone.DANGER, "accepted": Tone.GOOD, "missing": Tone.WARNING}


def report_chip(ctx: AppContext, status: str | None) -> Chip:
    if status is None:
        return Chip(ctx.t("report.missing"), TONES["missing"])
    return Chip(ctx.t.of_kind("status", "duty_report", status), TONES.get(status, Tone.QUIET))


def _refusal(ctx: AppContext, error: DomainError) -> str:
    return ctx.t(error.code.message_key, **error.params)


def _mine(session: Session, call_id: str, person_id: str) -> DutyReport | None:
    return next((r for r in reports_for(session, call_id) if r.author_id == person_id), None)


def file_name(title: str) -> str:
    """A report's title as a file name a phone and Windows both accept."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_")[:80] or "report"


# -- a deputy's list ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MyCallRow:
    id: str
    title: str
    deadline: Chip | None
    mine: Chip  # 未提交 / 已提交 / 退回修改 / 已收录
    note: str  # the office's reason when returned; 草稿已保存 while a draft waits
    to_write: bool


class MyReportsModel:
    """述职报告: the office's calls that ask this deputy, the open ones first."""

    def __init__(self, ctx: AppContext, *, today: date | None = None):
        self.ctx, self.today = ctx, today or today_in_china()
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.rows: list[MyCallRow] = []
        if user is None:
            return
        with ctx.session() as session:
            calls = [c for c in session.exec(select(ReportCall).order_by(col(ReportCall.created_at).desc()))
                     if user.id in c.person_ids]
            for call in calls:
                report = _mine(session, call.id, user.id)
                draft = bool(get_meta(session, DRAFT_KEY.format(call=call.id, person=user.id)))
                status = report.status if report else None
                note = (t("report.returned_because", note=report.returned_note) if status == "returned" else
                        t("report.draft_kept") if draft and status is None else "")
                open_call = call.status == "open"
                self.rows.append(MyCallRow(call.id, call.title, deadline_chip(ctx, call.deadline, self.today)
                                           if open_call and status in (None, "returned") else None,
                                           report_chip(ctx, status), note,
                                           open_call and status in (None, "returned")))
        self.rows.sort(key=lambda r: not r.to_write)

    @property
    def to_write(self) -> int:
        return sum(1 for r in self.rows if r.to_write)

    @property
    def empty_text(self) -> str:
        return self.ctx.t("report.empty_mine")


# -- a deputy writes their report -----------------------------------------------------------------------------------
class ReportEditor(CaptureModel):
    """The deputy's report to one call: title and text (first drafted from their duty record), photos; the draft
    stays on this phone until it is submitted. Uses the capture form's photo pipeline, not its draft."""

    def __init__(self, ctx: AppContext, call_id: str, *, today: date | None = None, on_change=None):
        self.call_id, self.today = call_id, today or today_in_china()
        self.text = ""
        self.notice = ""
        self.report_id: str | None = None
        super().__init__(ctx, on_change)
        self.reload()
        self._open_draft()

    # The capture form's draft is the capture form's; this one is kept under its own key.
    def _reopen(self) -> None:
        return None

    def _autosave(self) -> None:
        return None

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        self.user = ctx.current_user()
        with ctx.session() as session:
            call = session.get(ReportCall, self.call_id)
            self.found = call is not None and self.user is not None
            if not self.found:
                self.call_title, self.deadline, self.status, self.report = "", None, None, None
                self.editable, self.state_text = False, ""
                return
            self.call_title, self.year = call.title, call.year
            report = _mine(session, call.id, self.user.id)
            self.report = report
            self.report_id = report.id if report else None
            self.status = report.status if report else None
            self.deadline = deadline_chip(ctx, call.deadline, self.today)
            self.editable = call.status == "open" and self.status in (None, "returned")
            self.state_text = {None: "" if call.status == "open" else t(Problem.CALL_CLOSED.message_key),
                               "submitted": t("report.submitted_waiting"),
                               "returned": t("report.returned_because", note=report.returned_note if report else ""),
                               "accepted": t("report.accepted_note")}[self.status]
            self.sent_photos = [p.sha256 for p in photos_of(session, report.id)] if report else []

    @property
    def chip(self) -> Chip:
        return report_chip(self.ctx, self.status)

    @property
    def submit_label(self) -> str:
        return self.ctx.t("report.resubmit" if self.status == "returned" else "report.submit")

    def _slot(self) -> str:
        return DRAFT_KEY.format(call=self.call_id, person=self.user.id if self.user else "")

    def _open_draft(self) -> None:
        """The draft kept on this phone; else the report as sent back; else one filled in from the duty record."""
        if not self.found:
            return
        with self.ctx.session() as session:
            kept = get_meta(session, self._slot())
            if kept:
                data = json.loads(kept)
                self.title, self.text = data.get("title", ""), data.get("text", "")
                self.photos = [CapturedPhoto(**p) for p in data.get("photos") or []]
                self.reopened = True
            elif self.report is not None:
                self.title, self.text = self.report.title, self.report.text
            else:
                self.title, self.text = report_draft(duty_record(session, self.user.id, self.year), self.ctx.t)

    def set_field(self, name: str, value: str) -> None:
        if name not in ("title", "text"):
            raise ValueError(f"unknown report field {name!r}")
        setattr(self, name, value)
        self.errors.pop(name, None)
        self.notice = ""

    def save_draft(self) -> bool:
        """保存草稿: on this phone only, until it is submitted."""
        if not self.editable:
            return False
        with self.ctx.session() as session:
            set_meta(session, self._slot(), json.dumps({"title": self.title, "text": self.text,
                                                        "photos": [p.__dict__ for p in self.photos]},
                                                       ensure_ascii=False))
            session.commit()
        self.notice = self.ctx.t("report.draft_saved")
        return True

    def redraft(self) -> None:
        """重新生成草稿: the duty record's draft again (what was typed is replaced)."""
        with self.ctx.session() as session:
            self.title, self.text = report_draft(duty_record(session, self.user.id, self.year), self.ctx.t)

    def submit(self) -> bool:
        """提交 (or 修改后重新提交): it waits in the outbox when offline; the draft is dropped once recorded."""
        t = self.ctx.t
        self.errors, self.notice = {}, ""
        if not self.editable:
            self.errors["form"] = t("report.not_editable")
            return False
        if not self.title.strip():
            self.errors["title"] = t(Problem.TITLE_REQUIRED.message_key)
        if not self.text.strip():
            self.errors["text"] = t(Problem.TEXT_REQUIRED.message_key)
        if self.errors:
            return False
        photos = [PhotoBody(sha256=p.sha256, width=p.width, height=p.height, byte_size=p.byte_size)
                  for p in self.photos]
        try:
            with self.ctx.session() as session:
                if self.status == "returned" and self.report_id:
                    resubmit_report(session, actor=self.ctx.actor(), report_id=self.report_id,
                                    title=self.title.strip(), text=self.text, photos=photos)
                else:
                    self.report_id = submit_report(session, actor=self.ctx.actor(), call_id=self.call_id,
                                                   title=self.title.strip(), text=self.text, photos=photos).id
                set_meta(session, self._slot(), "")
                session.commit()
        except DomainError as refusal:
            self.errors["form"] = _refusal(self.ctx, refusal)
            return False
        self.photos = []
        self.reload()
        self.notice = t("report.sent")
        self.ctx.saved_locally()
        return True


# -- the office -----------------------------------------------------------------------------------------------------
def counts_text(ctx: AppContext, statuses: list[str | None]) -> str:
    """已提交 5 · 未提交 2 · 退回修改 1 · 已收录 3 (only the ones there are)."""
    parts = []
    for status in (None, *STATUSES):
        n = sum(1 for s in statuses if s == status)
        if n:
            parts.append(f"{report_chip(ctx, status).label} {n}")
    return " · ".join(parts)


@dataclass(frozen=True)
class CallRow:
    id: str
    title: str
    status: Chip
    deadline: Chip | None
    counts: str


class ReportsModel:
    """The office's 述职报告: every call, the open ones first, with where its reports stand."""

    def __init__(self, ctx: AppContext, *, today: date | None = None):
        self.ctx, self.today = ctx, today or today_in_china()
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        with ctx.session() as session:
            calls = list(session.exec(select(ReportCall).order_by(col(ReportCall.created_at).desc())))
            self.rows = []
            for call in calls:
                statuses = [s.report.status if s.report else None for s in submissions(session, call)]
                self.rows.append(CallRow(call.id, call.title, Chip(ctx.t.of_kind("status", "report_call",
                                                                                    call.status),
                                                                   Tone.GOOD if call.status == "open" else Tone.QUIET),
                                         deadline_chip(ctx, call.deadline, self.today) if call.status == "open"
                                         else None, counts_text(ctx, statuses)))
        self.rows.sort(key=lambda r: r.deadline is None)

    @property
    def heading(self) -> str:
        return self.ctx.t("report.calls_heading", n=len(self.rows))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("report.calls_empty")

    def form(self) -> "CallForm":
        return CallForm(self.ctx)


@dataclass
class CallForm(Fields):
    """征集述职报告: a title, the year it covers, the deadline, which deputies (all by default)."""

    values: dict[str, Any] = field(default_factory=dict, init=False)
    call_id: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        today = today_in_china()
        with self.ctx.session() as session:
            people = list(session.exec(select(Person).where(Person.role == Role.DEPUTY.value)
                                       .order_by(col(Person.name))))
            stations = {s.id: s for s in session.exec(select(Station))}
        self.people_options = tuple(Option(p.id, p.name, self.ctx.name_of(stations.get(p.station_id)))
                                    for p in people)
        self.values = {"title": self.ctx.t("report.form.default_title", year=today.year), "year": str(today.year),
                       "deadline": (today + timedelta(days=14)).isoformat(),
                       "person_ids": [o.value for o in self.people_options]}

    @property
    def title(self) -> str:
        return self.ctx.t("report.form.title")

    @property
    def fields(self) -> list[Field]:
        return [self._field("title", "line", "report.form.name", required=True),
                self._field("year", "number", "report.form.year", required=True),
                self._field("deadline", "date", "report.form.deadline", required=True),
                self._field("person_ids", "ticks", "report.form.people", options=self.people_options)]

    def submit(self) -> bool:
        if not str(self.values["title"]).strip():
            return self.refuse(Problem.TITLE_REQUIRED.message_key, "title")
        year = str(self.values["year"]).strip()
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            return self.refuse("report.form.year_invalid", "year", value=year or "—")
        if not self.values["person_ids"]:
            return self.refuse(Problem.PERSON_REQUIRED.message_key, "person_ids")

        def write(session: Session) -> None:
            call = call_for_reports(session, actor=self.ctx.actor(), title=str(self.values["title"]).strip(),
                                    year=int(year), deadline=self._date("deadline", required=True),
                                    person_ids=list(self.values["person_ids"]))
            self.call_id = call.id

        return self._attempt(write, fields=[f.name for f in self.fields])


@dataclass(frozen=True)
class SubmissionRow:
    person_id: str
    name: str
    station: str
    status: Chip
    when: str  # 12月3日提交
    report_id: str | None


class CallModel:
    """One call for the office: who has submitted, who not yet, who was sent back, who is accepted."""

    def __init__(self, ctx: AppContext, call_id: str, *, today: date | None = None):
        self.ctx, self.call_id, self.today = ctx, call_id, today or today_in_china()
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        with ctx.session() as session:
            call = session.get(ReportCall, self.call_id)
            self.found = call is not None
            if call is None:
                self.title, self.rows, self.counts, self.deadline, self.facts = "", [], "", None, ""
                return
            self.title = call.title
            self.deadline = deadline_chip(ctx, call.deadline, self.today) if call.status == "open" else None
            self.facts = t("report.call_facts", year=call.year, n=len(call.person_ids))
            stations = {s.id: s for s in session.exec(select(Station))}
            found = submissions(session, call)
            order = {None: 1, "returned": 2, "submitted": 0, "accepted": 3}
            self.rows = sorted((SubmissionRow(
                s.person.id, s.person.name, ctx.name_of(stations.get(s.person.station_id)),
                report_chip(ctx, s.report.status if s.report else None),
                t("report.submitted_on", day=t.date(s.report.submitted_at or s.report.created_at)) if s.report else "",
                s.report.id if s.report else None) for s in found),
                key=lambda r: (order.get(_status_of(found, r.person_id), 4), r.name))
            self.counts = counts_text(ctx, [s.report.status if s.report else None for s in found])


def _status_of(found: list, person_id: str) -> str | None:
    return next((s.report.status if s.report else None for s in found if s.person.id == person_id), None)


class ReportModel:
    """One report for the office: who wrote it, the text and photos; 退回修改 with a reason, 收录, 导出 Word."""

    def __init__(self, ctx: AppContext, report_id: str):
        self.ctx, self.report_id = ctx, report_id
        self.error = ""
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        with ctx.session() as session:
            report = session.get(DutyReport, self.report_id)
            self.found = report is not None
            if report is None:
                self.title, self.byline, self.paragraphs, self.photos, self.may = "", "", [], [], set()
                self.status, self.note, self.call_id = report_chip(ctx, None), "", ""
                return
            author = session.get(Person, report.author_id) if report.author_id else None
            station = session.get(Station, report.station_id) if report.station_id else None
            self.title, self.call_id = report.title, report.call_id
            self.byline = " · ".join(p for p in (author.name if author else "", ctx.name_of(station),
                                                 t("report.submitted_on", day=t.date(report.submitted_at
                                                                                     or report.created_at))) if p)
            self.paragraphs = [p.strip() for p in report.text.splitlines() if p.strip()]
            self.photos = [p.sha256 for p in photos_of(session, report.id)]
            self.status = report_chip(ctx, report.status)
            self.note = t("report.returned_because", note=report.returned_note) if report.status == "returned" else ""
            user = ctx.current_user()
            actor = ctx.actor() if user is not None and user.role in OFFICE_ROLES else None
            state = state_of(session, DUTY_REPORT, report)
            self.may = {e.name for e in allowed_events(DUTY_REPORT, state, actor)} if actor else set()

    @property
    def may_return(self) -> bool:
        return "return" in self.may

    @property
    def may_accept(self) -> bool:
        return "accept" in self.may

    def return_form(self) -> "ReturnForm":
        return ReturnForm(self.ctx, report_id=self.report_id)

    def accept(self) -> bool:
        self.error = ""
        try:
            with self.ctx.session() as session:
                accept_report(session, actor=self.ctx.actor(), report_id=self.report_id)
        except DomainError as refusal:
            self.error = _refusal(self.ctx, refusal)
            return False
        self.reload()
        return True

    def letter_file(self, _report_id: str = "") -> tuple[str, bytes]:
        """The report as a Word document (the office's Word saver asks this of a model)."""
        with self.ctx.session() as session:
            report = session.get(DutyReport, self.report_id)
            data = report_document(session, report, self.ctx.photos, self.ctx.settings)
        return f"{file_name(report.title)}.docx", data


@dataclass
class ReturnForm(Fields):
    """退回修改: the reason the deputy will read on their phone."""

    report_id: str = ""
    values: dict[str, Any] = field(default_factory=lambda: {"text": ""}, init=False)

    @property
    def title(self) -> str:
        return self.ctx.t("report.return_title")

    @property
    def fields(self) -> list[Field]:
        return [self._field("text", "lines", "report.return_reason", required=True)]

    def submit(self) -> bool:
        reason = str(self.values["text"]).strip()
        if not reason:
            return self.refuse("report.return_reason_required", "text")
        return self.attempt(lambda session: return_report(session, actor=self.ctx.actor(), report_id=self.report_id,
                                                          text=reason), fields=["text"])
