"""Villagers' concerns by QR code (扫码说事): a light public page on the central store, and station posters.

Plain HTML in Chinese that works in the WeChat browser and on old phones: no login, no
script needed, no font or file from anywhere else. A villager writes a concern, picks the
village, may add one photo and a phone number, and gets a receipt number; the status page
shows the concern's state by that number and nothing personal. Concerns land in that
station's queue like any record. Guards: a few concerns per address per hour and per
phone number per day, photos through the photo pipeline within a size limit, no HTML
kept from what was typed.

    GET  /c/{station}            the form           POST /c/{station}   -> the receipt
    GET  /c/receipt/{number}     the status page
    GET  /api/v1/stations/{id}/poster.pdf   the station's A4 poster with its QR code (office, staff)
"""

from __future__ import annotations

import html
import re
import time
from collections import deque
from datetime import timedelta
from typing import Annotated, Callable

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from app.actors import OFFICE_ROLES, PUBLIC_ACTOR, Role
from app.clock import to_china, utcnow
from app.errors import DomainError
from app.i18n import Translator
from app.ids import new_id
from app.models import Station
from app.photos import PhotoError, process_photo
from app.problems import Problem
from app.receptions import CONCERN, Concern, ConcernCreate, check_phone
from app.receptions._calendar import MoveRule
from app.receptions._poster import station_poster
from app.records import PhotoBody, add_record
from sync.server.auth import UserDep
from sync.server.changes import log_new_record
from sync.server.db import read_session, write_session
from sync.server.errors import HTTPProblem
from sync.server.routes import EngineDep

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_TEXT = 2000
PER_ADDRESS_PER_HOUR = 5
PER_PHONE_PER_DAY = 3
_TAGS = re.compile(r"<[^>]*>")

router = APIRouter(tags=["public"])
api_router = APIRouter(tags=["stations"])


class AddressLimit:
    """Count concerns per network address in a sliding hour, in this server process."""

    def __init__(self, *, limit: int = PER_ADDRESS_PER_HOUR, window_s: float = 3600,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        seen = self._seen.setdefault(address, deque())
        while seen and seen[0] <= self.clock() - self.window_s:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(self.clock())
        return True


def plain(text: str, limit: int) -> str:
    """What was typed, without any HTML, spaces trimmed, at most `limit` characters."""
    return html.unescape(_TAGS.sub("", text or "")).replace("\x00", "").strip()[:limit]


def _station(session, code: str) -> Station | None:
    return session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()


def _page(t: Translator, title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;font-size:18px;line-height:1.6;margin:0;padding:16px;color:#1a1a1a;background:#fff}}
h1{{font-size:22px;color:#b71c1c;margin:0 0 8px}} label{{display:block;margin:14px 0 4px;font-weight:bold}}
input,textarea,select{{font-size:18px;width:100%;box-sizing:border-box;padding:10px;border:2px solid #555;border-radius:6px}}
textarea{{min-height:140px}} button{{font-size:20px;width:100%;min-height:52px;margin-top:20px;background:#b71c1c;color:#fff;
border:0;border-radius:8px}} .note{{color:#444;font-size:16px}} .error{{color:#b71c1c;font-weight:bold}}
.receipt{{font-size:32px;font-weight:bold;letter-spacing:2px}}</style></head><body>{body}</body></html>""",
                        status_code=status)


def _form(t: Translator, station: Station, *, error: str = "", village: str = "", text: str = "",
          phone: str = "") -> str:
    e = html.escape
    problem = f'<p class="error">{e(error)}</p>' if error else ""
    return f"""<h1>{e(station.name)}</h1><p>{e(t("public.intro"))}</p>{problem}
<form method="post" enctype="multipart/form-data">
<label for="village">{e(t("public.village"))}</label><input id="village" name="village" maxlength="60" value="{e(village)}" required>
<label for="text">{e(t("public.text"))}</label><textarea id="text" name="text" maxlength="{MAX_TEXT}" required>{e(text)}</textarea>
<label for="photo">{e(t("public.photo"))}</label><input id="photo" name="photo" type="file" accept="image/*">
<label for="phone">{e(t("public.phone"))}</label><input id="phone" name="phone" type="tel" maxlength="20" value="{e(phone)}">
<p class="note">{e(t("public.privacy"))}</p><button type="submit">{e(t("public.submit"))}</button></form>
<p class="note"><a href="/c/receipt/">{e(t("public.lookup"))}</a></p>"""


@router.get("/c/{code}", response_class=HTMLResponse, include_in_schema=False)
def concern_form(code: str, request: Request, engine: EngineDep) -> HTMLResponse:
    t = Translator("zh-CN")
    with read_session(engine) as session:
        station = _station(session, code)
    if station is None:
        return _page(t, t("public.title"), f"<p>{html.escape(t('public.no_station'))}</p>", 404)
    return _page(t, station.name, _form(t, station))


@router.post("/c/{code}", response_class=HTMLResponse, include_in_schema=False)
async def submit_concern(code: str, request: Request, engine: EngineDep, village: Annotated[str, Form()] = "",
                         text: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
                         photo: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    t = Translator("zh-CN")
    village, text, phone = plain(village, 60), plain(text, MAX_TEXT + 1), plain(phone, 20)
    with read_session(engine) as session:
        station = _station(session, code)
    if station is None:
        return _page(t, t("public.title"), f"<p>{html.escape(t('public.no_station'))}</p>", 404)

    def again(problem: Problem, status: int = 422, **params) -> HTMLResponse:
        return _page(t, station.name, _form(t, station, error=t(problem.message_key, **params), village=village,
                                            text=text[:MAX_TEXT], phone=phone), status)

    if not request.app.state.concern_limit.allow(request.client.host if request.client else "?"):
        return again(Problem.TOO_MANY_CONCERNS, 429)
    if not text:
        return again(Problem.CONCERN_EMPTY)
    if len(text) > MAX_TEXT:
        return again(Problem.CONCERN_TOO_LONG, max=MAX_TEXT)
    if not village:
        return again(Problem.VILLAGE_REQUIRED)
    try:
        phone = check_phone(phone)
    except DomainError as error:
        return again(error.code)
    photos = []
    if photo is not None and photo.filename:
        data = await photo.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            return again(Problem.TOO_LARGE, 413)
        try:
            processed = process_photo(data, max_edge=1600)
        except PhotoError as error:
            return again(error.code)
        request.app.state.blobs.keep(processed.sha256, processed.data, uploaded_by=None)
        photos = [PhotoBody(sha256=processed.sha256, width=processed.width, height=processed.height,
                            byte_size=len(processed.data))]
    with write_session(engine) as session:
        if phone:
            since = utcnow() - timedelta(days=1)
            recent = session.execute(select(func.count()).select_from(Concern).where(
                Concern.phone == phone, Concern.created_at >= since)).scalar_one()
            if recent >= PER_PHONE_PER_DAY:
                return again(Problem.TOO_MANY_CONCERNS, 429)
        receipt = _receipt(session)
        body = ConcernCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), station_id=station.id,
                             receipt=receipt, village=village, text=text, phone=phone, photos=photos)
        try:
            concern = add_record(session, CONCERN, body, actor=PUBLIC_ACTOR)
        except DomainError as error:
            return again(error.code, **error.params)
        log_new_record(session, CONCERN, concern)
        session.commit()
    e = html.escape
    return _page(t, station.name, f"""<h1>{e(t("public.thanks"))}</h1><p>{e(t("public.receipt_is"))}</p>
<p class="receipt">{e(receipt)}</p><p>{e(t("public.receipt_keep"))}</p>
<p><a href="/c/receipt/{e(receipt)}">{e(t("public.lookup"))}</a></p>""")


def _receipt(session) -> str:
    """A short number to ask by: the day and its count, e.g. 1202-007 (unique: an index holds it)."""
    today = to_china(utcnow()).strftime("%m%d")
    taken = session.execute(select(func.count()).select_from(Concern)
                            .where(Concern.receipt.like(f"{today}-%"))).scalar_one()  # type: ignore[attr-defined]
    return f"{today}-{taken + 1:03d}"


@router.get("/c/receipt/{receipt}", response_class=HTMLResponse, include_in_schema=False)
@router.get("/c/receipt/", response_class=HTMLResponse, include_in_schema=False)
def concern_status(engine: EngineDep, receipt: str = "", number: str = "") -> HTMLResponse:
    t = Translator("zh-CN")
    e = html.escape
    wanted = plain(receipt or number, 20)
    lookup = f"""<form method="get" action="/c/receipt/"><label for="number">{e(t("public.receipt_ask"))}</label>
<input id="number" name="number" value="{e(wanted)}"><button type="submit">{e(t("public.lookup"))}</button></form>"""
    if not wanted:
        return _page(t, t("public.title"), lookup)
    with read_session(engine) as session:
        concern = session.execute(select(Concern).where(Concern.receipt == wanted)).scalar_one_or_none()
    if concern is None:
        return _page(t, t("public.title"), f'<p class="error">{e(t(Problem.RECEIPT_UNKNOWN.message_key))}</p>'
                                              f"{lookup}", 404)
    answer = f"<p>{e(t('public.answer'))}{e(concern.answer)}</p>" if concern.answer else ""
    # The state and the station's answer only: no name, phone, village or words of anyone.
    return _page(t, t("public.title"), f"""<h1>{e(t("public.receipt_title", receipt=wanted))}</h1>
<p>{e(t("public.state"))}<strong>{e(t(f"public.status.{concern.status}"))}</strong></p>{answer}{lookup}""")


@api_router.get("/stations/{station_id}/poster.pdf", response_class=Response,
                responses={200: {"content": {"application/pdf": {}}, "description": "the A4 poster"}})
def poster(station_id: str, request: Request, user: UserDep, engine: EngineDep) -> Response:
    """A station's A4 poster: its name, its reception day, and the QR code of its public page."""
    if user.role not in OFFICE_ROLES | {Role.STATION_STAFF}:
        raise HTTPProblem(Problem.FORBIDDEN, detail={"role": user.role.value})
    with read_session(engine) as session:
        station = session.get(Station, station_id)
    if station is None:
        raise HTTPProblem(Problem.NOT_FOUND, detail={"station_id": station_id})
    settings = request.app.state.settings
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    t = Translator("zh-CN")
    day = t("public.reception_day", day=settings.reception_day,
            rule=t(f"public.rule.{MoveRule(settings.reception_rule).value}"))
    data = station_poster(station_name=station.name, township=settings.township, reception_day=day,
                          url=f"{base}/c/{station.code}")
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="poster-{station.code}.pdf"'})
