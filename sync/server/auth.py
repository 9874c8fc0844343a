"""Accounts, passwords and per-device bearer tokens.

Passwords are kept as argon2id hashes. A login gives one device its own random
token; the store keeps only an HMAC of it (keyed by the server's secret), so a copy
of the database does not let anyone sign in, and changing the secret signs every
device out. The office can revoke one device without touching the others.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import as_utc, utcnow
from app.ids import new_id
from app.models import Person
from app.reference import stable_id
from app.actors import Actor, Role
from sync.protocol import Problem, UserPublic
from sync.server.db import device_token, read_session, users, write_session
from sync.server.errors import HTTPProblem

# argon2-cffi's defaults (RFC 9106's low-memory profile); tests swap in a cheaper one.
HASHER = PasswordHasher()
# A hash of nothing in particular, checked when the username is unknown, so a wrong
# username costs the same time as a wrong password.
_DUMMY_HASH: str | None = None
# How often a device's "last seen" time is written, at most.
LAST_SEEN_EVERY = timedelta(minutes=10)

bearer = HTTPBearer(auto_error=False, description="The device token from POST /api/v1/auth/login")


class AccountError(ValueError):
    """An account command cannot be carried out; the message says why."""


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user behind a request, as the rules and the scope need them."""

    user_id: str
    username: str
    person_id: str
    name: str
    role: Role
    station_id: str | None
    department_id: str | None
    token_id: str

    @property
    def actor(self) -> Actor:
        return Actor(id=self.person_id, role=self.role, station_id=self.station_id, department_id=self.department_id)

    def public(self) -> UserPublic:
        return UserPublic(id=self.person_id, username=self.username, name=self.name, role=self.role.value,
                          station_id=self.station_id, department_id=self.department_id)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def check_password(engine: Engine, username: str, password: str) -> str | None:
    """Return the user's id if the password is right, else None; rehash an outdated hash."""
    global _DUMMY_HASH
    with read_session(engine) as session:
        row = session.execute(select(users.c.id, users.c.password_hash)
                              .where(users.c.username == username)).first()
    if row is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = HASHER.hash(secrets.token_hex(8))
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(row.password_hash, password):
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        with write_session(engine) as session:
            session.execute(update(users).where(users.c.id == row.id).values(password_hash=HASHER.hash(password)))
            session.commit()
    return row.id


def issue_token(engine: Engine, *, secret_key: str, user_id: str, device_name: str, days: int) -> tuple[str, str, datetime]:
    """Create a device token; return (token id, token, expiry)."""
    token = secrets.token_urlsafe(32)
    token_id, now = new_id(), utcnow()
    expires = now + timedelta(days=days)
    with write_session(engine) as session:
        session.execute(device_token.insert().values(
            id=token_id, user_id=user_id, token_hash=token_hash(secret_key, token), device_name=device_name,
            created_at=now, expires_at=expires, revoked_at=None, last_seen_at=now))
        session.commit()
    return token_id, token, expires


def revoke_token(engine: Engine, token_id: str) -> bool:
    """Revoke one device token; return False if there is no such token."""
    with write_session(engine) as session:
        found = session.execute(select(device_token.c.id, device_token.c.revoked_at)
                                .where(device_token.c.id == token_id)).first()
        if found is None:
            return False
        if found.revoked_at is None:
            session.execute(update(device_token).where(device_token.c.id == token_id).values(revoked_at=utcnow()))
        session.commit()
    return True


def revoke_user_tokens(engine: Engine, user_id: str) -> int:
    """Revoke every live token of a user; return how many."""
    with write_session(engine) as session:
        result = session.execute(update(device_token)
                                 .where(device_token.c.user_id == user_id, device_token.c.revoked_at.is_(None))
                                 .values(revoked_at=utcnow()))
        session.commit()
    return result.rowcount or 0


def load_user(session: Session, user_id: str, token_id: str = "") -> CurrentUser | None:
    row = session.execute(select(users.c.id, users.c.username, users.c.person_id).where(users.c.id == user_id)).first()
    person = session.get(Person, row.person_id) if row else None
    if row is None or person is None:
        return None
    return CurrentUser(user_id=row.id, username=row.username, person_id=person.id, name=person.name,
                       role=Role(person.role), station_id=person.station_id, department_id=person.department_id,
                       token_id=token_id)


def authenticate(engine: Engine, secret_key: str, token: str | None) -> CurrentUser:
    """Return the user a bearer token belongs to; raise an HTTPProblem saying what is wrong with it."""
    if not token:
        raise HTTPProblem(Problem.AUTH_REQUIRED, headers={"WWW-Authenticate": "Bearer"})
    if len(token) > 200 or not token.isascii():
        raise HTTPProblem(Problem.AUTH_INVALID, headers={"WWW-Authenticate": "Bearer"})
    now = utcnow()
    with read_session(engine) as session:
        row = session.execute(select(device_token).where(device_token.c.token_hash == token_hash(secret_key, token))
                              ).first()
        if row is None:
            raise HTTPProblem(Problem.AUTH_INVALID, headers={"WWW-Authenticate": "Bearer"})
        if row.revoked_at is not None:
            raise HTTPProblem(Problem.AUTH_REVOKED, headers={"WWW-Authenticate": "Bearer"})
        if as_utc(row.expires_at) <= now:
            raise HTTPProblem(Problem.AUTH_EXPIRED, headers={"WWW-Authenticate": "Bearer"})
        user = load_user(session, row.user_id, row.id)
    if user is None:
        raise HTTPProblem(Problem.AUTH_INVALID, headers={"WWW-Authenticate": "Bearer"})
    if row.last_seen_at is None or now - as_utc(row.last_seen_at) > LAST_SEEN_EVERY:
        with write_session(engine) as session:
            session.execute(update(device_token).where(device_token.c.id == row.id).values(last_seen_at=now))
            session.commit()
    return user


def current_user(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> CurrentUser:
    """FastAPI dependency: the signed-in user, or a 401 Problem."""
    state = request.app.state
    return authenticate(state.engine, state.settings.secret_key, credentials.credentials if credentials else None)


UserDep = Annotated[CurrentUser, Depends(current_user)]


def require_office(user: UserDep) -> CurrentUser:
    """FastAPI dependency: the signed-in user, who must be office or admin."""
    if user.role not in (Role.OFFICE, Role.ADMIN):
        raise HTTPProblem(Problem.FORBIDDEN, detail={"role": user.role.value})
    return user


OfficeDep = Annotated[CurrentUser, Depends(require_office)]


# ---------------------------------------------------------------- accounts (admin commands)

def create_user(engine: Engine, *, username: str, name: str, role: str, password: str | None = None,
                password_hash: str | None = None, station: str | None = None,
                department: str | None = None) -> str:
    """Create a login and its person (id derived from the username); return the user's id.

    station and department are reference codes (e.g. `juyuan`, `water`).
    """
    from sync.server.changes import log_reference  # the change log needs the person's row

    username = username.strip()
    if not username or len(username) > 100 or not username.isprintable():
        raise AccountError("the username must be 1 to 100 printable characters")
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}") from None
    if role_value in (Role.DEPUTY, Role.STATION_STAFF) and not station:
        raise AccountError(f"a {role_value.value} needs --station")
    if role_value is Role.DEPARTMENT and not department:
        raise AccountError("a department user needs --department")
    if password_hash is None:
        if not password or len(password) < 8:
            raise AccountError("the password must have at least 8 characters")
        password_hash = hash_password(password)
    from app.models import Department, Station

    with write_session(engine) as session:
        if session.execute(select(users.c.id).where(users.c.username == username)).first() is not None:
            raise AccountError(f"the username {username!r} is taken")
        station_id = stable_id("station", station) if station else None
        department_id = stable_id("department", department) if department else None
        if station_id and session.get(Station, station_id) is None:
            raise AccountError(f"unknown station code {station!r}")
        if department_id and session.get(Department, department_id) is None:
            raise AccountError(f"unknown department code {department!r}")
        person = session.get(Person, stable_id("person", username))
        if person is None:
            person = Person(id=stable_id("person", username), name=name, role=role_value.value,
                            station_id=station_id, department_id=department_id)
            session.add(person)
            session.flush()
            log_reference(session, "person", person)
        user_id, now = new_id(), utcnow()
        session.execute(users.insert().values(id=user_id, username=username, password_hash=password_hash,
                                              person_id=person.id, created_at=now, password_changed_at=now))
        session.commit()
    return user_id


def move_user(engine: Engine, username: str, *, station: str | None = None,
              department: str | None = None) -> str:
    """Move a user's person to another station or department (reference codes); return the person's id.

    What they recorded before keeps who they were then: every event holds its actor's
    station and department, so history is not judged again by the move.
    """
    from app.models import Department, Station
    from sync.server.changes import log_reference

    with write_session(engine) as session:
        row = session.execute(select(users.c.person_id).where(users.c.username == username)).first()
        if row is None:
            raise AccountError(f"no user {username!r}")
        person = session.get(Person, row.person_id)
        if station is not None:
            station_id = stable_id("station", station) if station else None
            if station_id and session.get(Station, station_id) is None:
                raise AccountError(f"unknown station code {station!r}")
            person.station_id = station_id
        if department is not None:
            department_id = stable_id("department", department) if department else None
            if department_id and session.get(Department, department_id) is None:
                raise AccountError(f"unknown department code {department!r}")
            person.department_id = department_id
        session.add(person)
        session.flush()
        log_reference(session, "person", person)
        session.commit()
        return person.id


def set_password(engine: Engine, username: str, password: str) -> str:
    """Give a user a new password; return the user's id."""
    if len(password) < 8:
        raise AccountError("the password must have at least 8 characters")
    with write_session(engine) as session:
        row = session.execute(select(users.c.id).where(users.c.username == username)).first()
        if row is None:
            raise AccountError(f"no user {username!r}")
        session.execute(update(users).where(users.c.id == row.id)
                        .values(password_hash=hash_password(password), password_changed_at=utcnow()))
        session.commit()
    return row.id


def user_id_of(engine: Engine, username: str) -> str | None:
    with read_session(engine) as session:
        row = session.execute(select(users.c.id).where(users.c.username == username)).first()
    return row.id if row else None
