"""The demo township in the central store: reference data, people, issues, and a login for everyone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from app.demo import PEOPLE, seed_demo, seed_people
from app.demo_year import seed_demo_year
from app.reference import seed_reference
from sync.server import auth
from sync.server.changes import log_unlogged_records, sync_reference
from sync.server.db import write_session

DEMO_PASSWORD = "lianluo2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    station: str
    department: str


def load_demo(engine: Engine, *, issues: bool = True, year: bool = False, password: str = DEMO_PASSWORD,
              password_hash: str | None = None) -> list[DemoAccount]:
    """Load the demo township and create a login (username = person code) for each demo person.

    With `year`, also the township's 2024 on record (app.demo_year: what its published report
    counts, and its other 61 deputies). Safe to run again: what is there is left alone.
    Returns the demo accounts.
    """
    with write_session(engine) as session:
        if issues:
            seed_demo(session)  # commits; does nothing if there are issues already
            if year:
                seed_demo_year(session)  # commits; does nothing if the year is there
        else:
            seed_reference(session)
            seed_people(session)
    with write_session(engine) as session:
        sync_reference(session)
        log_unlogged_records(session)
        session.commit()
    hashed = password_hash or auth.hash_password(password)
    accounts = []
    for code, name, role, station, department in PEOPLE:
        if auth.user_id_of(engine, code) is None:
            auth.create_user(engine, username=code, name=name, role=role.value, password_hash=hashed,
                             station=station, department=department)
        accounts.append(DemoAccount(code, name, role.value, station or "", department or ""))
    return accounts
