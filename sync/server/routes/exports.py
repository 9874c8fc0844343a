"""Exports: any table as Excel, CSV or GeoJSON, scoped and masked exactly as a pull is, with the sync token."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response

from app.errors import DomainError
from app.exports import ALL, export_file
from app.i18n import Translator
from sync.protocol import ProblemBody
from sync.server.auth import UserDep
from sync.server.db import read_session
from sync.server.errors import HTTPProblem, responses
from sync.server.routes import EngineDep

router = APIRouter(tags=["exports"])

_FILE = {"xlsx": "an Excel workbook", "csv": "CSV in UTF-8 with a byte-order mark", "geojson": "GeoJSON (RFC 7946)"}


@router.get("/exports/{file}", response_class=Response, responses={
    **responses(403, 404),
    200: {"description": "The file: " + ", ".join(_FILE.values()),
          "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                      "text/csv": {}, "application/geo+json": {}}},
    403: {"model": ProblemBody, "description": "`export.forbidden`: the role may see none of the table's records"},
    404: {"model": ProblemBody, "description": "`export.unknown_table`, or `export.format` (GeoJSON of a table "
                                               "without places; `all` is Excel only)"},
})
def export(request: Request, user: UserDep, engine: EngineDep,
           file: Annotated[str, Path(max_length=60, pattern=r"^[a-z_]+\.[a-z]+$",
                                     description="`<table>.<xlsx|csv|geojson>`: a record kind (issue, inspection, "
                                                 f"reception, ...), `visitor`, `figures`, or `{ALL}` (Excel)")],
           year: Annotated[int | None, Query(ge=2000, le=2100, description="only the records of this year")] = None,
           ) -> Response:
    """Download a table as the signed-in user may see it: another station's rows left out, phones masked."""
    table, _, fmt = file.partition(".")
    t = Translator(request.app.state.settings.language)
    try:
        with read_session(engine) as session:
            made = export_file(session, table, fmt, actor=user.actor, t=t, year=year)
    except DomainError as error:
        raise HTTPProblem(error.code, detail={k: str(v) for k, v in error.params.items()}) from None
    disposition = f"attachment; filename*=UTF-8''{quote(made.name)}"
    return Response(made.data, media_type=made.media_type, headers={"Content-Disposition": disposition})
