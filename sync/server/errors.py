"""Every error answers a Problem: a stable code, a clear English message, and details.

The phone shows its own words for a code (`error.<code>` in the catalog); the message
here is for logs, scripts and the people who run the server.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import Translator
from app.problems import Problem, problem_of
from sync.protocol import ProblemBody

log = logging.getLogger("lianluo.server")

class HTTPProblem(StarletteHTTPException):
    """An error answer with its code; raised anywhere, even from a body reader, and nothing is changed.

    It is an HTTPException so FastAPI passes it through unchanged when it is raised while
    the request body is read (the size limit).
    """

    def __init__(self, problem: Problem, *, status: int | None = None, detail: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None, message: str | None = None):
        super().__init__(status_code=status or problem.status, headers=dict(headers or {}))
        self.code = problem
        self.problem_detail = dict(detail or {})
        self.message = message


def message_for(code: str, params: Mapping[str, Any] | None = None) -> str:
    """Return the English message for a code, from the catalog; the code itself if it has none."""
    problem = problem_of(str(code))
    try:
        return Translator("en")(problem.message_key if problem else str(code), **dict(params or {}))
    except Exception:  # a broken catalog must not turn an error answer into a crash
        log.exception("could not read the English catalog")
        return code


def json_safe(value: Any) -> Any:
    """Return value as plain JSON any store keeps: no NaN or infinity, no NUL or lone surrogate, no objects."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    return str(value)


def problem_response(problem: Problem, status: int | None = None, *, detail: Mapping[str, Any] | None = None,
                     headers: Mapping[str, str] | None = None, message: str | None = None) -> JSONResponse:
    detail = json_safe(dict(detail or {}))
    body = ProblemBody(code=problem.value, message=message or message_for(problem, detail), detail=detail)
    return JSONResponse(body.model_dump(), status_code=status or problem.status, headers=dict(headers or {}))


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors()[:20]:
        errors.append({"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
                       "type": str(error.get("type", ""))})
    return errors


def install_handlers(app: FastAPI) -> None:
    """Answer every error, FastAPI's own included, with a Problem."""

    @app.exception_handler(HTTPProblem)
    async def _problem(_request: Request, exc: HTTPProblem) -> JSONResponse:
        return problem_response(exc.code, exc.status_code, detail=exc.problem_detail, headers=exc.headers,
                                message=exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(Problem.MALFORMED, detail={"errors": _validation_errors(exc)})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        by_status = {404: Problem.NOT_FOUND, 413: Problem.TOO_LARGE, 401: Problem.AUTH_REQUIRED,
                     403: Problem.FORBIDDEN}
        code = by_status.get(exc.status_code) or (Problem.SERVER_ERROR if exc.status_code >= 500 else Problem.MALFORMED)
        detail = {"reason": exc.detail} if isinstance(exc.detail, str) else {}
        return problem_response(code, exc.status_code, detail=detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return problem_response(Problem.SERVER_ERROR)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ProblemBody, "description": "`request.malformed` (not JSON, or not the protocol's shape) or "
                                           "`protocol.unsupported_version` (X-Lianluo-Protocol)"},
    401: {"model": ProblemBody, "description": "`auth.required`, `auth.invalid_token`, `auth.token_expired` or "
                                           "`auth.token_revoked`: sign in again"},
    413: {"model": ProblemBody, "description": "`request.too_large`: the body is over the size limit"},
    500: {"model": ProblemBody, "description": "`server.error`: a bug; the request may be retried"},
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the Problem responses an operation declares in the OpenAPI document."""
    extra = {
        403: {"model": ProblemBody, "description": "`auth.forbidden` (the role may not) or `scope.forbidden` "
                                               "(another station's or department's data)"},
        404: {"model": ProblemBody, "description": "`not_found`"},
        409: {"model": ProblemBody, "description": "`blob.offset_mismatch`: the detail and the Upload-Offset header "
                                               "give the offset the server holds"},
        422: {"model": ProblemBody, "description": "`blob.hash_mismatch` or `blob.not_image`"},
    }
    return {**PROBLEM_RESPONSES, **{s: extra[s] for s in statuses}}
