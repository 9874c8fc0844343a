"""Liaison stations at work: reception days, field visits, and villagers' concerns sent by QR code.

    _calendar.py  the reception-day schedule: the 15th, moved off weekends and public holidays
    _model.py     the tables of reception days, visits and concerns
    _rules.py     their rules; phone numbers checked and masked for every role but the office's
    _figures.py   days held, people received, concerns, issues raised and resolved, visits per deputy

Three kinds of record: a reception day at a station (its visitors and what each raised,
answered on the spot or turned into an issue in one tap, and who attended), a field
visit (走访: where, who, whom they met, notes, photos, the issues it raised), and a
villager's concern from a station's public page (扫码说事).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Sequence

from sqlmodel import Session, col, select

from app.actors import Actor, Role
from app.clock import utcnow
from app.errors import DomainError
from app.ids import new_id
from app.issues import IssueDraft, IssueSource, Location, LocationSource, capture_issue
from app.models import Station
from app.problems import Problem
from app.receptions._calendar import Calendar, MoveRule, china_calendar, moved, reception_dates
from app.receptions._figures import StationFigures, station_figures
from app.receptions._model import (Concern, ConcernCreate, ConcernPublic, Reception, ReceptionCreate,
                                   ReceptionPublic, Visit, VisitCreate, VisitPublic)
from app.receptions._rules import (CONCERN_EVENTS, RECEPTION_EVENTS, VISIT_EVENTS, VISIT_PLACES, check_phone,
                                   concern_check, concern_derived, concern_may_create, concern_start, guard,
                                   mask_phone, reception_check, reception_derived, reception_may_create,
                                   reception_start, redact_concerns, redact_visitors, visit_derived, visit_start,
                                   _check_place)
from app.records import (Grant, PhotoBody, RecordKind, Scope, Visibility, create_record, record_event, register,
                         state_of)

STATION_GRANTS = {Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                  Role.DEPUTY: frozenset({Grant.STATION, Grant.AUTHOR, Grant.FOLLOWER}),
                  Role.STATION_STAFF: frozenset({Grant.STATION, Grant.AUTHOR, Grant.FOLLOWER})}


def _reception_row(body: ReceptionCreate, actor: Actor) -> dict[str, Any]:
    return dict(station_id=body.station_id, day=body.day, scheduled=body.scheduled, author_id=actor.id,
                duty_deputy_ids=list(body.duty_deputy_ids))


RECEPTION = register(RecordKind(
    name="reception", table=Reception, public=ReceptionPublic, create=ReceptionCreate, events=RECEPTION_EVENTS,
    initial_status="planned", start=reception_start, row=_reception_row, derived=reception_derived,
    visibility=Visibility(STATION_GRANTS),
    scope=Scope(station="station_id", department=None, author="author_id", followers="duty_deputy_ids"),
    check_create=reception_check, may_create=reception_may_create, guard=guard, redact=redact_visitors,
))


def _visit_row(body: VisitCreate, actor: Actor) -> dict[str, Any]:
    loc = body.location
    deputies = list(dict.fromkeys([actor.id, *body.deputy_ids])) if actor.role is Role.DEPUTY else list(body.deputy_ids)
    return dict(station_id=body.station_id or actor.station_id, place_type=body.place_type,
                place_name=body.place_name.strip(), latitude=float(loc.latitude) if loc else None,
                longitude=float(loc.longitude) if loc else None,
                accuracy_m=float(loc.accuracy_m) if loc and loc.accuracy_m is not None else None,
                location_source=loc.source if loc else LocationSource.NONE.value, people_met=body.people_met,
                notes=body.notes, author_id=actor.id, deputy_ids=deputies)


VISIT = register(RecordKind(
    name="visit", table=Visit, public=VisitPublic, create=VisitCreate, events=VISIT_EVENTS, initial_status="active",
    start=visit_start, row=_visit_row, derived=visit_derived, visibility=Visibility(STATION_GRANTS),
    scope=Scope(station="station_id", department=None, author="author_id", followers="deputy_ids"),
    check_create=_check_place, guard=guard,
))


def _concern_row(body: ConcernCreate, actor: Actor) -> dict[str, Any]:
    return dict(station_id=body.station_id, receipt=body.receipt, village=body.village.strip(),
                text=body.text.strip(), phone=check_phone(body.phone), author_id=actor.id)


CONCERN = register(RecordKind(
    name="concern", table=Concern, public=ConcernPublic, create=ConcernCreate, events=CONCERN_EVENTS,
    initial_status="open", start=concern_start, row=_concern_row, derived=concern_derived,
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                           Role.DEPUTY: frozenset({Grant.STATION}), Role.STATION_STAFF: frozenset({Grant.STATION})}),
    scope=Scope(station="station_id", department=None, author=None),
    check_create=concern_check, may_create=concern_may_create, guard=guard, redact=redact_concerns,
))


# ---------------------------------------------------------------- the schedule

def plan_reception_days(session: Session, *, actor: Actor, year: int, day: int = 15,
                        rule: MoveRule | str = MoveRule.NEXT_WORKDAY, stations: Iterable[str] | None = None,
                        duty: dict[str, Sequence[str]] | None = None) -> list[Reception]:
    """Put each station's twelve reception days of a year on the schedule (those missing); commits each."""
    station_ids = list(stations) if stations is not None else [
        s.id for s in session.exec(select(Station).order_by(col(Station.sort_order)))]
    planned = []
    for station_id in station_ids:
        have = {r.day for r in session.exec(select(Reception).where(Reception.station_id == station_id))}
        for when in reception_dates(year, day=day, rule=rule):
            if when in have:
                continue
            body = ReceptionCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), station_id=station_id,
                                   day=when, scheduled=True, duty_deputy_ids=list((duty or {}).get(station_id, ())))
            planned.append(create_record(session, RECEPTION, body, actor=actor))
    return planned


def scheduled_on(session: Session, station_id: str, day: date) -> Reception | None:
    """The station's reception day on that date, if the schedule has one."""
    return session.exec(select(Reception).where(Reception.station_id == station_id, Reception.day == day)).first()


def open_reception(session: Session, *, actor: Actor, station_id: str, day: date) -> Reception:
    """The reception day to log: the scheduled one, else one logged as unscheduled (the screen asks first)."""
    found = scheduled_on(session, station_id, day)
    if found is not None:
        return found
    body = ReceptionCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), station_id=station_id, day=day,
                           scheduled=False)
    return create_record(session, RECEPTION, body, actor=actor)


def receive_visitor(session: Session, *, actor: Actor, reception_id: str, concerns: Sequence[str],
                    village: str = "", name: str = "", phone: str = "") -> tuple[str, list[str]]:
    """Log one visitor and what they raised; return the visitor's id and the concerns' ids; commits."""
    visitor = {"id": new_id(), "name": name.strip(), "phone": check_phone(phone), "village": village.strip()}
    raised = [{"id": new_id(), "text": text.strip()} for text in concerns]
    record_event(session, RECEPTION, actor=actor, record_id=reception_id, type_="receive",
                 payload={"visitor": visitor, "concerns": raised})
    return visitor["id"], [c["id"] for c in raised]


def answer_on_the_spot(session: Session, *, actor: Actor, reception_id: str, concern_id: str, text: str) -> Any:
    return record_event(session, RECEPTION, actor=actor, record_id=reception_id, type_="answer",
                        payload={"concern_id": concern_id, "text": text})


def concern_to_issue(session: Session, *, actor: Actor, reception_id: str, concern_id: str, title: str = "",
                     category_id: str | None = None) -> Any:
    """Turn a concern raised at a reception into an issue in one tap; the reception shows the issue."""
    reception = session.get(Reception, reception_id)
    if reception is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    state = state_of(session, RECEPTION, reception)
    concern = state.concerns.get(concern_id)
    if concern is None:
        raise DomainError(Problem.UNKNOWN_CONCERN, field="concern_id")
    visitor = next((v for v in state.visitors if v["id"] == concern.visitor_id), {})
    issue = capture_issue(session, actor=actor, draft=IssueDraft(
        title=(title or concern.text)[:120], category_id=category_id or _other(), description=concern.text,
        place_type="village", place_name=visitor.get("village", ""), source=IssueSource.RECEPTION.value,
        station_id=reception.station_id))
    record_event(session, RECEPTION, actor=actor, record_id=reception_id, type_="to_issue",
                 payload={"concern_id": concern_id, "issue_id": issue.id})
    return issue


# ---------------------------------------------------------------- field visits

def record_visit(session: Session, *, actor: Actor, place_type: str, place_name: str, location: Location | None = None,
                 deputy_ids: Iterable[str] = (), people_met: str = "", notes: str = "",
                 photos: Sequence[PhotoBody] = (), station_id: str | None = None) -> Visit:
    body = VisitCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), place_type=place_type,
                       place_name=place_name, location=location, deputy_ids=list(deputy_ids), people_met=people_met,
                       notes=notes, photos=list(photos), station_id=station_id)
    return create_record(session, VISIT, body, actor=actor)


def raise_issue_from_visit(session: Session, *, actor: Actor, visit_id: str, title: str, description: str = "",
                           category_id: str | None = None) -> Any:
    """An issue raised from a visit in one tap: place, location and station carried over."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    location = None
    if visit.latitude is not None and visit.longitude is not None:
        location = Location(latitude=visit.latitude, longitude=visit.longitude, accuracy_m=visit.accuracy_m,
                            source=visit.location_source)
    place_type = visit.place_type if visit.place_type in ("orchard", "enterprise", "school", "village") else (
        "farmland" if visit.place_type == "field" else "other")
    issue = capture_issue(session, actor=actor, draft=IssueDraft(
        title=title, category_id=category_id or _other(), description=description or visit.notes,
        place_type=place_type, place_name=visit.place_name, location=location, source=IssueSource.VISIT.value,
        station_id=visit.station_id))
    record_event(session, VISIT, actor=actor, record_id=visit_id, type_="raise_issue", payload={"issue_id": issue.id})
    return issue


def _other() -> str:
    from app.reference import stable_id

    return stable_id("category", "other")


__all__ = [
    "RECEPTION", "VISIT", "CONCERN", "Reception", "Visit", "Concern", "ReceptionCreate", "VisitCreate",
    "ConcernCreate", "Calendar", "MoveRule", "china_calendar", "moved", "reception_dates", "plan_reception_days",
    "scheduled_on", "open_reception", "receive_visitor", "answer_on_the_spot", "concern_to_issue", "record_visit",
    "raise_issue_from_visit", "mask_phone", "check_phone", "VISIT_PLACES", "concern_into_issue", "station_figures",
    "StationFigures",
]


def concern_into_issue(session: Session, *, actor: Actor, concern_id: str, title: str = "",
                       category_id: str | None = None) -> Any:
    """Turn a villager's concern from the public page into an issue in one tap (photo and village carried over)."""
    from app.records import photos_of

    concern = session.get(Concern, concern_id)
    if concern is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    photos = tuple(PhotoBody(sha256=p.sha256, width=p.width, height=p.height, byte_size=p.byte_size)
                   for p in photos_of(session, concern_id))
    issue = capture_issue(session, actor=actor, draft=IssueDraft(
        title=(title or concern.text)[:120], category_id=category_id or _other(), description=concern.text,
        place_type="village", place_name=concern.village, photos=photos, source=IssueSource.RECEPTION.value,
        station_id=concern.station_id))
    record_event(session, CONCERN, actor=actor, record_id=concern_id, type_="to_issue", payload={"issue_id": issue.id})
    return issue
