"""Stations through the central store: a reception log synced, phones masked by role, the public page, posters."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from datetime import date

from sqlmodel import Session, select

from app.issues import Issue
from app.receptions import Concern, Reception, concern_into_issue, open_reception, receive_visitor
from app.reference import stable_id
from app.replica import signed_in_user
from tests.sync.conftest import jpeg
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone

JUYUAN = stable_id("station", "juyuan")


def _actor(phone):
    with phone.session() as session:
        return signed_in_user(session).actor()


def test_a_reception_log_syncs_between_two_replicas_with_the_phone_number_masked_but_for_the_office(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            hu = await new_phone(tmp_path, "hu", "staff-hu", transport)  # 桔园片区 station staff
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)  # a deputy of the same station
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            with hu.session() as session:
                reception = open_reception(session, actor=_actor(hu), station_id=JUYUAN, day=date(2026, 5, 15))
                _v, (water,) = receive_visitor(session, actor=_actor(hu), reception_id=reception.id,
                                               village="桔园村三组", name="李大爷", phone="13812345678",
                                               concerns=["自来水时断时续"])
            for phone in (hu, wang, office):
                assert (await phone.client.sync_once()).ok
            with wang.session() as session:
                from app.receptions import RECEPTION
                from app.records import state_of

                state = state_of(session, RECEPTION, session.get(Reception, reception.id))
                assert state.visitors[0]["phone"] == "138****5678"  # a deputy sees it masked
                assert state.visitors[0]["village"] == "桔园村三组"
            with office.session() as session:
                from app.receptions import RECEPTION
                from app.records import state_of

                state = state_of(session, RECEPTION, session.get(Reception, reception.id))
                assert state.visitors[0]["phone"] == "13812345678"  # the office sees the whole number
            # The deputy turns the concern into an issue; the staff member sees both after syncing.
            from app.receptions import concern_to_issue

            with wang.session() as session:
                issue = concern_to_issue(session, actor=_actor(wang), reception_id=reception.id, concern_id=water)
            assert (await wang.client.sync_once()).ok and (await hu.client.sync_once()).ok
            with Session(hu.engine) as session:
                assert session.get(Reception, reception.id).issues_raised == 1
                assert session.get(Issue, issue.id).source == "reception"
            assert central_rows(central.state.engine, "SELECT visitors, issues_raised FROM reception") == [(1, 1)]

    asyncio.run(main())


def test_a_villager_sends_a_concern_with_a_photo_and_a_station_turns_it_into_an_issue(tmp_path):
    central = make_central(tmp_path / "central")
    from fastapi.testclient import TestClient

    web = TestClient(central)
    form = web.get("/c/juyuan")
    assert form.status_code == 200 and "桔园片区联络站" in form.text and "<script" not in form.text
    assert "http" not in re.sub(r'href="/[^"]*"', "", form.text)  # nothing fetched from anywhere
    answer = web.post("/c/juyuan", data={"village": "桔园村<b>四组</b>", "text": "四组饮水管<script>x</script>漏水",
                                         "phone": "139 0000 1111"},
                      files={"photo": ("leak.jpg", jpeg(3, (800, 600)), "image/jpeg")})
    assert answer.status_code == 200 and "回执号" in answer.text
    receipt = re.search(r'class="receipt">([^<]+)<', answer.text).group(1)
    rows = central_rows(central.state.engine, "SELECT village, text, phone, status FROM concern")
    assert rows == [("桔园村四组", "四组饮水管x漏水", "13900001111", "open")]  # no HTML kept
    status = web.get(f"/c/receipt/{receipt}")
    assert status.status_code == 200 and "已收到" in status.text
    assert "13900001111" not in status.text and "四组饮水管" not in status.text  # nothing personal, nothing said
    assert web.get("/c/receipt/0000-000").status_code == 404

    async def staff():
        async with asgi_http(central) as transport:
            hu = await new_phone(tmp_path, "hu", "staff-hu", transport)
            zhao = await new_phone(tmp_path, "zhao", "deputy-zhao", transport)  # another station
            with Session(zhao.engine) as session:
                assert session.exec(select(Concern)).all() == []  # the concern stays in its station's queue
            with hu.session() as session:
                concern = session.exec(select(Concern)).one()
                assert concern.phone == "139****1111"  # staff see it masked
                photos = concern_photos(session, concern.id)
                issue = concern_into_issue(session, actor=_actor(hu), concern_id=concern.id, title="四组饮水管漏水")
            assert len(photos) == 1 and await hu.client.download_photo(photos[0])  # the staff's phone gets it
            assert (await hu.client.sync_once()).ok
            return issue

    issue = asyncio.run(staff())
    assert central_rows(central.state.engine, "SELECT status FROM concern") == [("issued",)]
    assert central_rows(central.state.engine, "SELECT source, place_name FROM issue WHERE id = :id",
                        id=issue.id) == [("reception", "桔园村四组")]
    assert "已作为问题交办" in web.get(f"/c/receipt/{receipt}").text


def concern_photos(session, concern_id):
    from app.records import photos_of

    return [p.sha256 for p in photos_of(session, concern_id)]


def test_the_public_page_refuses_empty_concerns_non_images_and_floods_with_words_in_chinese(tmp_path):
    central = make_central(tmp_path / "central")
    from fastapi.testclient import TestClient

    web = TestClient(central)
    empty = web.post("/c/juyuan", data={"village": "一组", "text": "   "})
    assert empty.status_code == 422 and "请写下您想反映的事" in empty.text
    not_image = web.post("/c/juyuan", data={"village": "一组", "text": "漏水"},
                         files={"photo": ("x.jpg", b"not a photo at all", "image/jpeg")})
    assert not_image.status_code == 422 and "照片" in not_image.text or "图片" in not_image.text
    bad_phone = web.post("/c/juyuan", data={"village": "一组", "text": "漏水", "phone": "12345"})
    assert bad_phone.status_code == 422 and "手机号不对" in bad_phone.text
    assert web.get("/c/nowhere").status_code == 404
    central.state.concern_limit.limit = 2  # the per-address limit (5 an hour) made small for the test
    central.state.concern_limit._seen.clear()
    codes = [web.post("/c/juyuan", data={"village": "一组", "text": f"第{n}件事"}).status_code for n in range(4)]
    assert codes == [200, 200, 429, 429]
    assert central_rows(central.state.engine, "SELECT count(*) FROM concern") == [(2,)]


def test_the_same_phone_number_sends_at_most_three_concerns_a_day(tmp_path):
    central = make_central(tmp_path / "central")
    from fastapi.testclient import TestClient

    web = TestClient(central)
    central.state.concern_limit.limit = 100
    codes = [web.post("/c/juyuan", data={"village": "一组", "text": f"事{n}", "phone": "13711112222"}).status_code
             for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_stations_poster_is_an_a4_pdf_whose_qr_code_leads_to_its_page(tmp_path):
    assert shutil.which("zbarimg") and shutil.which("pdftoppm"), \
        "zbar-tools and poppler-utils are needed: scripts/test.sh installs them"
    central = make_central(tmp_path / "central")
    from fastapi.testclient import TestClient

    web = TestClient(central)
    login = web.post("/api/v1/auth/login", json={"username": "office-ma", "password": "lianluo2026"}).json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    deputy = web.post("/api/v1/auth/login", json={"username": "deputy-wang", "password": "lianluo2026"}).json()
    assert web.get(f"/api/v1/stations/{JUYUAN}/poster.pdf",
                   headers={"Authorization": f"Bearer {deputy['token']}"}).status_code == 403
    poster = web.get(f"/api/v1/stations/{JUYUAN}/poster.pdf", headers=headers)
    assert poster.status_code == 200 and poster.content.startswith(b"%PDF")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(poster.content)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info and re.search(r"Pages:\s+1\n", info)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "poster")], check=True, timeout=60)
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "poster-1.png")], capture_output=True,
                           text=True, timeout=60).stdout.strip()
    assert found == "http://testserver/c/juyuan"
    assert web.get(found.replace("http://testserver", "")).status_code == 200


def test_the_office_keeps_the_stations_and_special_groups_and_every_phone_gets_them(tmp_path):
    central = make_central(tmp_path / "central")
    from fastapi.testclient import TestClient

    from app.models import SpecialGroup, Station

    web = TestClient(central)

    def token(username):
        return {"Authorization": "Bearer " + web.post("/api/v1/auth/login", json={
            "username": username, "password": "lianluo2026"}).json()["token"]}

    office, deputy = token("office-ma"), token("deputy-wang")
    station = {"code": "taoyuan", "name": "桃园片区联络站", "address": "桃园村村委会", "latitude": 33.19,
               "longitude": 107.36}
    assert web.put("/api/v1/stations/taoyuan", json=station, headers=deputy).status_code == 403
    assert web.put("/api/v1/stations/taoyuan", json={**station, "latitude": 200}, headers=office).status_code == 400
    saved = web.put("/api/v1/stations/taoyuan", json=station, headers=office)
    assert saved.status_code == 200 and saved.json()["address"] == "桃园村村委会"
    members = [stable_id("person", "deputy-chen"), stable_id("person", "nobody")]
    group = {"code": "water", "name": "水利专门小组", "station_id": JUYUAN, "member_ids": members}
    assert web.put("/api/v1/groups/water", json=group, headers=office).status_code == 422  # an unknown member
    assert web.put("/api/v1/groups/water", json={**group, "member_ids": members[:1]}, headers=office).status_code == 200

    async def phone():
        async with asgi_http(central) as transport:
            wang = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            with Session(wang.engine) as session:
                assert session.get(Station, stable_id("station", "taoyuan")).address == "桃园村村委会"
                groups = {g.code: g for g in session.exec(select(SpecialGroup))}
                assert groups["water"].member_ids == members[:1] and "citrus" in groups

    asyncio.run(phone())
