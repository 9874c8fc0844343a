"""Is the central store there: the field app's connection probe, answered without a database or a login."""

from __future__ import annotations

from fastapi import APIRouter, Response

router = APIRouter(tags=["ping"])


@router.get("/ping", status_code=204, response_class=Response,
            responses={204: {"description": "The central store is up and answering."}})
def ping() -> Response:
    """Answer 204 at once, with no body and without a login.

    The field app asks about once a second while it is open, with a short timeout, so its
    connection chip says 离线 within two seconds of losing the store and syncing starts as soon
    as the store answers again. Nothing is read or written: the answer costs next to nothing.
    """
    return Response(status_code=204)
