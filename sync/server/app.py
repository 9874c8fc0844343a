"""The central store's web application.

    app = create_app(load_settings())     # uvicorn serves it: python -m sync.server serve
"""

from __future__ import annotations

import logging
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.reference import seed_reference
from app.settings import Settings, require_secret
from sync.protocol import API_PREFIX, MAX_BLOB_BYTES, MAX_BODY_BYTES, PROTOCOL_VERSION, Problem
from sync.server.blobs import BlobStore
from sync.server.changes import sync_reference
from sync.server.db import open_database, write_session
from sync.server.errors import HTTPProblem, install_handlers, problem_response
from sync.server.migrations import migrate
from sync.server.openapi import install_openapi
from sync.server import public
from sync.server.routes import api_router
from sync.server.throttle import LoginThrottle
from sync.server.webapp import install_web

log = logging.getLogger("lianluo.server")

DESCRIPTION = f"""
The central store of 联络通 (Lianluo): phones push what deputies, station staff, the office
and departments recorded offline, and pull what each of them may see.

* **Sign in**: `POST {API_PREFIX}/auth/login` gives this device a bearer token.
* **Push**: a batch of mutations, each with its own UUID; sending one again is harmless.
* **Pull**: changes after a cursor, in pages, scoped to the user.
* **Blobs**: ask which photos are missing, upload them resumably, the server checks the hash.

Every error is a `Problem` (`code`, `message`, `detail`) with a stable `code`. Clients send
`X-Lianluo-Protocol: {PROTOCOL_VERSION}`.
"""


def ensure_reference(engine: Engine) -> None:
    """Load the township's stations, departments and categories, and log what is new or changed."""
    with write_session(engine) as session:
        seed_reference(session)  # commits
    with write_session(engine) as session:
        sync_reference(session)
        session.commit()


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """Build the central store's app on the database the settings name, migrating it first."""
    require_secret(settings)
    engine = engine or open_database(settings)
    migrate(engine)
    ensure_reference(engine)

    # No lifespan hook disposes the engine: several test clients may share one app, and the
    # process ending closes the connections anyway.
    app = FastAPI(title="联络通 Lianluo central store", version=f"{PROTOCOL_VERSION}", description=DESCRIPTION)
    app.state.settings = settings
    app.state.engine = engine
    app.state.blobs = BlobStore(engine, settings.data_dir)
    app.state.login_throttle = LoginThrottle()
    install_handlers(app)
    app.include_router(api_router())
    app.include_router(public.router)
    app.state.concern_limit = public.AddressLimit()
    install_openapi(app)
    install_web(app, settings)  # the field app's browser build at /app/
    app.add_middleware(BodyLimit)
    return app


class BodyLimit:
    """Refuse a body over the limit, by its Content-Length and by the bytes that actually arrive.

    The limit is MAX_BODY_BYTES for JSON and MAX_BLOB_BYTES for a blob upload.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        blob_upload = scope["method"] == "PATCH" and scope["path"].startswith(f"{API_PREFIX}/blobs/")
        limit = MAX_BLOB_BYTES if blob_upload else MAX_BODY_BYTES
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await problem_response(Problem.MALFORMED, 400, detail={
                    "errors": ["Content-Length is not a number"]})(scope, receive, send)
                return
            if size > limit:
                await problem_response(Problem.TOO_LARGE, 413, detail={
                    "max_bytes": limit, "length": size})(scope, receive, send)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPProblem(Problem.TOO_LARGE, detail={"max_bytes": limit})
            return message

        await self.app(scope, limited, send)
