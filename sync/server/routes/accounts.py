"""Signing in and out, the signed-in user, and the office's view of signed-in devices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select

from app.clock import as_utc, utcnow
from app.models import Person
from sync.protocol import UUID_PATTERN, DeviceInfo, Problem, LoginRequest, LoginResponse, UserPublic
from sync.server import auth
from sync.server.auth import OfficeDep, UserDep
from sync.server.db import device_token, read_session, users
from sync.server.errors import HTTPProblem, responses
from sync.server.push import wire_text_problem
from sync.server.routes import EngineDep

router = APIRouter(tags=["accounts"])


@router.post("/auth/login", response_model=LoginResponse, responses=responses())
def login(body: LoginRequest, request: Request, engine: EngineDep) -> LoginResponse:
    """Sign in with a username and password; get a token for this device.

    The token is sent as `Authorization: Bearer <token>` and lasts the server's
    `LIANLUO_TOKEN_DAYS`; each device signs in on its own, so one can be revoked alone.
    """
    problem = wire_text_problem(body.model_dump())
    if problem:
        raise HTTPProblem(Problem.MALFORMED, detail={"errors": [problem]})
    settings, throttle = request.app.state.settings, request.app.state.login_throttle
    wait = throttle.wait_seconds(body.username)
    if wait:
        raise HTTPProblem(Problem.TOO_MANY_ATTEMPTS, detail={"retry_after_s": wait},
                          headers={"Retry-After": str(wait)})
    user_id = auth.check_password(engine, body.username, body.password)
    if user_id is None:
        throttle.failed(body.username)
        raise HTTPProblem(Problem.BAD_CREDENTIALS)
    throttle.succeeded(body.username)
    token_id, token, expires = auth.issue_token(engine, secret_key=settings.secret_key, user_id=user_id,
                                                device_name=body.device_name, days=settings.token_days)
    with read_session(engine) as session:
        user = auth.load_user(session, user_id, token_id)
    if user is None:
        raise HTTPProblem(Problem.BAD_CREDENTIALS)
    return LoginResponse(token=token, expires_at=expires.isoformat(), user=user.public())


@router.post("/auth/logout", status_code=204, response_class=Response, responses=responses())
def logout(user: UserDep, engine: EngineDep) -> Response:
    """Sign this device out: its token stops working at once."""
    auth.revoke_token(engine, user.token_id)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic, responses=responses())
def me(user: UserDep) -> UserPublic:
    """Return the signed-in user: who the server takes as the author of what this device pushes."""
    return user.public()


@router.get("/devices", response_model=list[DeviceInfo], responses=responses(403))
def list_devices(_office: OfficeDep, engine: EngineDep,
                 username: Annotated[str | None, Query(max_length=100)] = None,
                 live: Annotated[bool, Query(description="only tokens that still work")] = False) -> list[DeviceInfo]:
    """List signed-in devices, newest first (office and admin only)."""
    stmt = (select(device_token, users.c.username, Person.name)
            .join(users, users.c.id == device_token.c.user_id)
            .join(Person, Person.id == users.c.person_id)
            .order_by(device_token.c.created_at.desc()).limit(1000))
    if username:
        if wire_text_problem(username):
            raise HTTPProblem(Problem.MALFORMED, detail={"errors": ["username: not valid text"]})
        stmt = stmt.where(users.c.username == username)
    with read_session(engine) as session:
        rows = session.execute(stmt).all()
    devices = [_device(row) for row in rows]
    if live:
        devices = [d for d in devices if d.revoked_at is None and datetime.fromisoformat(d.expires_at) > utcnow()]
    return devices


@router.post("/devices/{token_id}/revoke", response_model=DeviceInfo, responses=responses(403, 404))
def revoke_device(token_id: Annotated[str, Path(pattern=UUID_PATTERN)], _office: OfficeDep,
                  engine: EngineDep) -> DeviceInfo:
    """Revoke one device's token (a lost phone); the user can still sign in again (office and admin only)."""
    if not auth.revoke_token(engine, token_id):
        raise HTTPProblem(Problem.NOT_FOUND, detail={"token_id": token_id})
    with read_session(engine) as session:
        row = session.execute(select(device_token, users.c.username, Person.name)
                              .join(users, users.c.id == device_token.c.user_id)
                              .join(Person, Person.id == users.c.person_id)
                              .where(device_token.c.id == token_id)).one()
    return _device(row)


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def _device(row) -> DeviceInfo:
    return DeviceInfo(id=row.id, username=row.username, name=row.name, device_name=row.device_name,
                      created_at=_iso(row.created_at), expires_at=_iso(row.expires_at),
                      last_seen_at=_iso(row.last_seen_at), revoked_at=_iso(row.revoked_at))
