"""Photo blobs: which are missing, resumable upload, download."""

from __future__ import annotations

import os
import re
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.requests import ClientDisconnect

from app.actors import Role
from sync.protocol import SHA256_PATTERN, BlobCheck, BlobCheckResult, BlobStatus, Problem
from sync.server.auth import UserDep
from sync.server.blobs import BlobStore, check_length
from sync.server.db import read_session
from sync.server.errors import HTTPProblem, responses
from sync.server.routes import EngineDep
from sync.server.scope import photo_visible

router = APIRouter(tags=["blobs"])

Sha = Annotated[str, Path(pattern=SHA256_PATTERN, description="the SHA-256 of the stored photo, lower-case hex")]
_SHA = re.compile(SHA256_PATTERN)
_UPLOAD_BODY = {"requestBody": {"required": True, "description": "the bytes from Upload-Offset on",
                                "content": {"application/offset+octet-stream": {
                                    "schema": {"type": "string", "format": "binary"}}}}}


def _store(request: Request) -> BlobStore:
    return request.app.state.blobs


@router.post("/blobs/missing", response_model=BlobCheckResult, responses=responses())
def missing(body: BlobCheck, request: Request, _user: UserDep) -> BlobCheckResult:
    """Return which of these photos the server does not hold complete; upload only those."""
    bad = [h for h in body.hashes if not isinstance(h, str) or not _SHA.match(h)]
    if bad:
        raise HTTPProblem(Problem.MALFORMED, detail={"errors": ["hashes: expected lower-case SHA-256 hex"],
                                                       "count": len(bad)})
    return BlobCheckResult(missing=_store(request).missing(body.hashes))


@router.head("/blobs/{sha256}", status_code=200, response_class=Response, responses=responses(403, 404),
             response_description="`Upload-Offset`: bytes held so far (0 if none); `Upload-Length` once known; "
                                  "`Upload-Complete`: `true` when stored")
def blob_offset(sha256: Sha, request: Request, user: UserDep, engine: EngineDep) -> Response:
    """Say how many bytes of a photo the server holds, to resume an upload from there.

    Only to someone who may see the photo, or who is uploading it: to anyone else it
    answers as a download would (403 or 404), so a HEAD tells nobody that a photo exists.
    """
    store = _store(request)
    _check_may_see(engine, store, user, sha256, uploading=True)
    return Response(status_code=200, headers=_headers(store.status(sha256)))


def _check_may_see(engine, store: BlobStore, user, sha256: str, *, uploading: bool) -> None:
    """Raise 403 for a photo of records the user may not see, 404 for one no record of theirs holds."""
    with read_session(engine) as session:
        visible = photo_visible(session, user, sha256)
    if visible is False:
        raise HTTPProblem(Problem.OUT_OF_SCOPE, detail={"sha256": sha256})
    if visible is None and user.role not in (Role.OFFICE, Role.ADMIN):
        if not uploading or store.uploaded_by(sha256, user.user_id) is False:
            raise HTTPProblem(Problem.NOT_FOUND, detail={"sha256": sha256})


@router.patch("/blobs/{sha256}", response_model=BlobStatus, openapi_extra=_UPLOAD_BODY,
              responses=responses(409, 422))
async def upload(sha256: Sha, request: Request, user: UserDep,
                 upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0)],
                 upload_length: Annotated[int, Header(alias="Upload-Length", ge=1)]) -> Response:
    """Append bytes to a photo from `Upload-Offset`; on reaching `Upload-Length` it is checked and stored.

    The offset must be what the server holds (HEAD tells); otherwise 409 `blob.offset_mismatch`
    with the real offset. A connection cut midway keeps every byte that arrived. At the end
    the bytes must hash to the name (else 422 `blob.hash_mismatch`) and be a stored-photo
    JPEG (else 422 `blob.not_image`); a refused upload is discarded, to be sent again whole.
    """
    check_length(upload_length)
    store = _store(request)
    async with store.guard(sha256):
        status = await run_in_threadpool(store.begin, sha256, offset=upload_offset, length=upload_length,
                                         uploaded_by=user.user_id)
        if status.complete:
            return _json(status)
        received = await _receive(store, request, sha256, start=upload_offset, length=upload_length)
        if received is None:
            return Response(status_code=400)  # the client went away; nobody reads this
        if upload_offset + received == upload_length:
            status = await run_in_threadpool(store.finish, sha256, uploaded_by=user.user_id)
        else:
            status = BlobStatus(sha256=sha256, offset=upload_offset + received, length=upload_length,
                                complete=False)
        return _json(status)


async def _receive(store: BlobStore, request: Request, sha256: str, *, start: int, length: int) -> int | None:
    """Append the request body to the partial file; return how many bytes came, None if the client left."""
    received = 0
    handle = store.open_append(sha256)
    try:
        try:
            async for chunk in request.stream():
                if not chunk:
                    continue
                if start + received + len(chunk) > length:
                    handle.close()
                    if start == 0:
                        await run_in_threadpool(store.discard, sha256)
                    else:
                        store.truncate(sha256, start)
                    raise HTTPProblem(Problem.MALFORMED, detail={
                        "errors": ["the body goes past Upload-Length"], "offset": start, "length": length})
                handle.write(chunk)
                received += len(chunk)
        except ClientDisconnect:
            return None
        finally:
            if not handle.closed:
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        handle.close()
    return received


@router.get("/blobs/{sha256}", response_class=FileResponse, responses={
    **responses(403, 404), 200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                                 "description": "the stored photo"}})
def download(sha256: Sha, request: Request, user: UserDep, engine: EngineDep) -> FileResponse:
    """Download a stored photo of a record the user may see."""
    store = _store(request)
    _check_may_see(engine, store, user, sha256, uploading=False)
    if not store.is_stored(sha256):
        raise HTTPProblem(Problem.NOT_FOUND, detail={"sha256": sha256})
    return FileResponse(store.final_path(sha256), media_type="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, "
                                                                                 "immutable"})


def _headers(status: BlobStatus) -> dict[str, str]:
    headers = {"Upload-Offset": str(status.offset), "Cache-Control": "no-store",
               "Upload-Complete": "true" if status.complete else "false"}
    if status.length is not None:
        headers["Upload-Length"] = str(status.length)
    return headers


def _json(status: BlobStatus) -> Response:
    return Response(status.model_dump_json(), media_type="application/json", headers=_headers(status))
