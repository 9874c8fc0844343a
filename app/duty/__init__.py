"""Deputies' duty: the duty record of a year (履职档案), and duty reports (述职报告) the office calls for.

    _model.py     the call for reports and a deputy's report
    _rules.py     who writes, who sends back, when
    _record.py    a deputy's year assembled from what they did in the app (never how they voted)
    _document.py  a duty report as a Word document

Two kinds of record: the office's call (which deputies, by when) and a deputy's report,
written on the phone or PC from a draft filled in from their duty record (kept on the
device until submitted), with photos of anything attached; the office sees who has
submitted, sends a report back with a note or accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Actor, Role
from app.clock import utcnow
from app.duty._model import (DutyReport, DutyReportCreate, DutyReportPublic, ReportCall, ReportCallCreate,
                             ReportCallPublic)
from app.duty._rules import (CALL_EVENTS, REPORT_EVENTS, call_check, call_derived, call_start, may_report,
                             report_check, report_derived, report_payload, report_start)
from app.ids import new_id
from app.models import Person
from app.records import Grant, RecordKind, Scope, Visibility, create_record, record_event, register

EVERYONE = Visibility({role: frozenset({Grant.ALL}) for role in Role if role is not Role.PUBLIC})


def _call_row(body: ReportCallCreate, actor: Actor) -> dict[str, Any]:
    return dict(title=body.title.strip(), year=body.year, deadline=body.deadline, author_id=actor.id,
                person_ids=list(dict.fromkeys(body.person_ids)))


REPORT_CALL = register(RecordKind(
    name="report_call", table=ReportCall, public=ReportCallPublic, create=ReportCallCreate, events=CALL_EVENTS,
    initial_status="open", start=call_start, row=_call_row, derived=call_derived, visibility=EVERYONE,
    scope=Scope(station=None, department=None, author="author_id"), check_create=call_check,
    may_create=lambda actor, _body: actor.role in OFFICE_ROLES,
))


def _report_row(body: DutyReportCreate, actor: Actor) -> dict[str, Any]:
    return dict(call_id=body.call_id, year=0, title=body.title.strip(), text=body.text, author_id=actor.id,
                station_id=actor.station_id, returned_note="")


def _report_year(batch_or_ctx: Any, row: Any) -> dict[str, Any]:
    call = batch_or_ctx.row("report_call", row["call_id"])
    return {"year": call["year"] if call else 0}


# A report is its author's and the office's: other deputies do not read it.
DUTY_REPORT = register(RecordKind(
    name="duty_report", table=DutyReport, public=DutyReportPublic, create=DutyReportCreate, events=REPORT_EVENTS,
    initial_status="submitted", start=report_start, row=_report_row, derived=report_derived,
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                           Role.DEPUTY: frozenset({Grant.AUTHOR}), Role.STATION_STAFF: frozenset({Grant.AUTHOR})}),
    scope=Scope(station="station_id", department=None, author="author_id"), check_create=report_check,
    may_create=may_report, create_payload=report_payload, server_fields=_report_year,
))


# ---------------------------------------------------------------- services

def call_for_reports(session: Session, *, actor: Actor, title: str, year: int, deadline: date,
                     person_ids: Sequence[str]) -> ReportCall:
    """Ask these deputies for their duty reports of a year by a deadline; commits."""
    body = ReportCallCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), title=title, year=year,
                            deadline=deadline, person_ids=list(person_ids))
    return create_record(session, REPORT_CALL, body, actor=actor)


def submit_report(session: Session, *, actor: Actor, call_id: str, title: str, text: str,
                  photos: Sequence[Any] = ()) -> DutyReport:
    """Submit a duty report (it waits in the outbox when offline); commits."""
    body = DutyReportCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), call_id=call_id, title=title,
                            text=text, photos=list(photos))
    report = create_record(session, DUTY_REPORT, body, actor=actor)
    call = session.get(ReportCall, call_id)
    if call is not None and not report.year:
        report.year = call.year  # the central store gives it too; shown at once on this device
        session.add(report)
        session.commit()
    return report


def resubmit_report(session: Session, *, actor: Actor, report_id: str, title: str, text: str,
                    photos: Sequence[Any] = ()) -> Any:
    return record_event(session, DUTY_REPORT, actor=actor, record_id=report_id, type_="resubmit",
                        payload={"title": title, "text": text, "photos": [p.model_dump(mode="json") if hasattr(
                            p, "model_dump") else dict(p) for p in photos]})


def return_report(session: Session, *, actor: Actor, report_id: str, text: str) -> Any:
    return record_event(session, DUTY_REPORT, actor=actor, record_id=report_id, type_="return", payload={"text": text})


def accept_report(session: Session, *, actor: Actor, report_id: str) -> Any:
    return record_event(session, DUTY_REPORT, actor=actor, record_id=report_id, type_="accept", payload={})


def reports_for(session: Session, call_id: str) -> list[DutyReport]:
    return list(session.exec(select(DutyReport).where(DutyReport.call_id == call_id)
                             .order_by(col(DutyReport.created_at))))


@dataclass(frozen=True)
class Submission:
    """One deputy a call asks, and where their report stands (None: not submitted)."""

    person: Person
    report: DutyReport | None

    @property
    def submitted(self) -> bool:
        return self.report is not None


def submissions(session: Session, call: ReportCall) -> list[Submission]:
    """Who the call asks, each with their report: the submitted ones first, then by name."""
    reports = {r.author_id: r for r in reports_for(session, call.id)}
    people = [p for p in (session.get(Person, pid) for pid in call.person_ids) if p is not None]
    found = [Submission(p, reports.get(p.id)) for p in people]
    return sorted(found, key=lambda s: (not s.submitted, s.person.name))


def open_calls_for(session: Session, person_id: str) -> list[ReportCall]:
    """The open calls that ask this deputy, soonest deadline first."""
    calls = session.exec(select(ReportCall).where(ReportCall.status == "open").order_by(col(ReportCall.deadline)))
    return [c for c in calls if person_id in c.person_ids]


def calls_in(session: Session, year: int) -> list[ReportCall]:
    return list(session.exec(select(ReportCall).where(ReportCall.year == year).order_by(col(ReportCall.created_at))))


from app.duty._record import DutyRecord, duty_record, report_draft  # noqa: E402  (it reads the kinds above)
from app.duty._document import report_document  # noqa: E402

__all__ = [
    "REPORT_CALL", "DUTY_REPORT", "ReportCall", "DutyReport", "ReportCallCreate", "DutyReportCreate", "Submission",
    "call_for_reports", "submit_report", "resubmit_report", "return_report", "accept_report", "reports_for",
    "submissions", "open_calls_for", "calls_in", "DutyRecord", "duty_record", "report_draft", "report_document",
]
