"""Training sessions (业务培训), a kind of record: date, place, topic, trainer, materials, who attended.

    _model.py   the session's table and creation body
    _rules.py   attendance ticked on a list (offline) or confirmed by the attendee on their own phone

    training = plan_training(session, actor=office, title="联络站工作规范", day=date(2026, 3, 20),
                             place="镇人大会议室", trainer="县人大常委会 张主任", invited_ids=[...])
    take_attendance(session, actor=staff, training_id=training.id, present_ids=[...])
    confirm_attendance(session, actor=deputy, training_id=training.id)
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sqlmodel import Session, col, select

from app.actors import Actor, Role
from app.clock import utcnow
from app.ids import new_id
from app.records import Grant, RecordKind, Scope, Visibility, create_record, record_event, register
from app.trainings._model import Training, TrainingCreate, TrainingPublic
from app.trainings._rules import EVENTS, ORGANISERS, check_create, derived, may_create, start

# Everyone signed in sees the township's training sessions.
EVERYONE = Visibility({role: frozenset({Grant.ALL}) for role in Role if role is not Role.PUBLIC})


def _row(body: TrainingCreate, actor: Actor) -> dict[str, Any]:
    return dict(title=body.title.strip(), day=body.day, place=body.place, trainer=body.trainer,
                materials=body.materials, station_id=body.station_id, author_id=actor.id,
                invited_ids=list(dict.fromkeys(body.invited_ids)))


TRAINING = register(RecordKind(
    name="training", table=Training, public=TrainingPublic, create=TrainingCreate, events=EVENTS,
    initial_status="planned", start=start, row=_row, derived=derived, visibility=EVERYONE,
    scope=Scope(station="station_id", department=None, author="author_id"),
    check_create=check_create, may_create=may_create,
))


def plan_training(session: Session, *, actor: Actor, title: str, day: date, place: str = "", trainer: str = "",
                  materials: str = "", station_id: str | None = None, invited_ids: Sequence[str] = (),
                  photos: Sequence[Any] = ()) -> Training:
    """Put a training session on record (before or after it is held); commits."""
    body = TrainingCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), title=title, day=day, place=place,
                          trainer=trainer, materials=materials, station_id=station_id,
                          invited_ids=list(invited_ids), photos=list(photos))
    return create_record(session, TRAINING, body, actor=actor)


def take_attendance(session: Session, *, actor: Actor, training_id: str, present_ids: Sequence[str] = (),
                    absent_ids: Sequence[str] = ()) -> Any:
    """Record the ticked list: who was there, who was not; commits."""
    return record_event(session, TRAINING, actor=actor, record_id=training_id, type_="attendance",
                        payload={"present_ids": list(present_ids), "absent_ids": list(absent_ids)})


def confirm_attendance(session: Session, *, actor: Actor, training_id: str) -> Any:
    """The attendee confirms on their own phone that they were there; commits."""
    return record_event(session, TRAINING, actor=actor, record_id=training_id, type_="confirm", payload={})


def trainings_in(session: Session, year: int) -> list[Training]:
    """The sessions of a year (not the cancelled ones), in date order."""
    return list(session.exec(select(Training).where(col(Training.day) >= date(year, 1, 1),
                                                    col(Training.day) <= date(year, 12, 31),
                                                    Training.status != "cancelled")
                             .order_by(col(Training.day), col(Training.id))))


def attended_by(session: Session, person_id: str, year: int) -> list[Training]:
    """The sessions of a year a person attended."""
    return [t for t in trainings_in(session, year) if person_id in t.attended_ids]


__all__ = ["TRAINING", "Training", "TrainingCreate", "TrainingPublic", "ORGANISERS", "plan_training",
           "take_attendance", "confirm_attendance", "trainings_in", "attended_by"]
