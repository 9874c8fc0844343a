"""Adding a kind of record is one package and one registration: a kind defined only here syncs through the server.

The kind below (a station's note that people tick and close) is not part of the app:
no line of the outbox, push, pull, change log, replica or scope names it, and yet it is
created offline, pushed, judged by its own rules on the server, pulled by a second
phone of the same station, kept from a phone of another station, and refused when a
rule says no.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, Optional

import pytest
from sqlmodel import Field, Session, select

from app.actors import ALL_ROLES, FIELD_ROLES, OFFICE_ROLES, Actor, Role
from app.ids import new_id
from app.records import (CreateBody, EventType, Grant, Happened, RecordBase, RecordKind, Scope, Visibility, create_record,
                         record_event, register, unregister)
from app.problems import Problem
from app.replica import signed_in_user
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone


# ---------------------------------------------------------------- the kind, declared in one place

class NoteBase(RecordBase):
    text: str
    station_id: Optional[str] = None
    author_id: Optional[str] = None
    ticks: int = 0


class StationNote(NoteBase, table=True):
    __tablename__ = "test_station_note"  # no "store" info: not part of the app's schema


class StationNotePublic(NoteBase):
    pass


class NoteCreate(CreateBody):
    text: str = Field(max_length=200)


@dataclass(frozen=True)
class NoteState:
    status: str = "open"
    ticks: int = 0


def _tick(state: NoteState, _event: Happened) -> NoteState:
    return replace(state, ticks=state.ticks + 1)


NOTE = RecordKind(
    name="test_note", table=StationNote, public=StationNotePublic, create=NoteCreate,
    events={e.name: e for e in (
        EventType("tick", frozenset({"open"}), ALL_ROLES, effect=_tick),
        EventType("close", frozenset({"open"}), FIELD_ROLES | OFFICE_ROLES, leads_to="closed",
                  required={"text": Problem.TEXT_REQUIRED}),
    )},
    initial_status="open",
    start=lambda row, _payload: NoteState(),
    row=lambda body, actor: {"text": body.text, "station_id": actor.station_id, "author_id": actor.id},
    derived=lambda state: {"status": state.status, "ticks": state.ticks},
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.DEPUTY: frozenset({Grant.STATION}),
                           Role.STATION_STAFF: frozenset({Grant.STATION})}),
    scope=Scope(station="station_id", department=None, author="author_id"),
)


@pytest.fixture
def note_kind():
    register(NOTE)
    yield NOTE
    unregister(NOTE.name)


def _with_table(engine) -> None:
    StationNote.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]


def _note(phone) -> StationNote | None:
    with phone.session() as session:
        notes = session.exec(select(StationNote)).all()
        return notes[0] if notes else None


def _act(phone, record_id: str, type_: str, **payload):
    with phone.session() as session:
        return record_event(session, NOTE, actor=signed_in_user(session).actor(), record_id=record_id, type_=type_,
                            payload=payload)


def test_a_kind_defined_only_in_a_test_syncs_between_two_phones_through_the_server(tmp_path, note_kind):
    async def main():
        central = make_central(tmp_path / "central")
        _with_table(central.state.engine)
        async with asgi_http(central) as transport:
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)  # 桔园片区
            hu = await new_phone(tmp_path, "hu", "staff-hu", transport)  # the same station
            zhao = await new_phone(tmp_path, "zhao", "deputy-zhao", transport)  # another station
            for phone in (wang, hu, zhao):
                _with_table(phone.engine)

            with wang.session() as session:
                actor = signed_in_user(session).actor()
                note = create_record(session, NOTE, NoteCreate(id=new_id(), event_id=new_id(), text="十五号接待日带签到表"),
                                     actor=actor)
            _act(wang, note.id, "tick")
            assert (await wang.client.sync_once()).ok

            rows = central_rows(central.state.engine, "SELECT status, ticks, author_id FROM test_station_note")
            assert rows == [("open", 1, signed_in_user(Session(wang.engine)).id)]

            assert (await hu.client.sync_once()).ok
            pulled = _note(hu)
            assert (pulled.text, pulled.status, pulled.ticks) == ("十五号接待日带签到表", "open", 1)
            _act(hu, note.id, "tick")
            _act(hu, note.id, "close", text="已准备好")
            assert (await hu.client.sync_once()).ok

            # Meanwhile, offline, Wang ticks the note he still sees open: the server's rules refuse it.
            _act(wang, note.id, "tick")
            report = await wang.client.sync_once()
            assert report.ok
            assert [(r.event_type, r.code) for r in report.rejected] == [("tick", Problem.NOT_ALLOWED_IN_STATUS)]
            back = _note(wang)
            assert (back.status, back.ticks) == ("closed", 2)  # the refused tick does not count

            assert (await zhao.client.sync_once()).ok
            assert _note(zhao) is None  # another station's note never reaches this phone
            with pytest.raises(Exception):
                _act(zhao, note.id, "tick")  # and he cannot act on what he cannot see

    asyncio.run(main())
