"""The HTTP routes of the central store, one module per concern, all under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from sqlalchemy.engine import Engine

from sync.protocol import API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION, Problem
from sync.server.errors import HTTPProblem


def check_protocol(
    version: Annotated[str | None, Header(alias=PROTOCOL_HEADER, description="The sync protocol version the "
                                          f"client speaks; this server speaks {PROTOCOL_VERSION}.")] = None,
) -> None:
    """Refuse a client that says it speaks a protocol version this server does not."""
    if version is not None and version.strip() != str(PROTOCOL_VERSION):
        raise HTTPProblem(Problem.UNSUPPORTED_VERSION,
                          detail={"sent": version[:20], "supported": [PROTOCOL_VERSION]})


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def api_router() -> APIRouter:
    from sync.server.routes import accounts, blobs, ping, sync

    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(check_protocol)])
    router.include_router(accounts.router)
    router.include_router(sync.router)
    router.include_router(blobs.router)
    router.include_router(ping.router)
    from sync.server import public
    from sync.server.routes import stations

    router.include_router(public.api_router)
    router.include_router(stations.router)
    from sync.server.routes import exports

    router.include_router(exports.router)
    return router
