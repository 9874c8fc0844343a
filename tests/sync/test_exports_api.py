"""GET /api/v1/exports/{table}.{format}: the same token and the same scope as a pull, files read back."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import Session, select

from app.issues import ISSUE, Issue
from app.models import Person
from app.actors import Actor
from app.reference import stable_id


def get(central, path, headers=None, **params):
    return central.client.get(f"/api/v1/exports/{path}", headers=headers or {}, params=params)


def test_the_office_downloads_issues_as_excel_csv_and_geojson(central):
    central.load_demo_issues()
    office = central.login("office-ma")
    excel = get(central, "issue.xlsx", office)
    assert excel.status_code == 200, excel.text
    assert excel.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert unquote(excel.headers["content-disposition"].split("''", 1)[1]) == "联络通_问题.xlsx"
    sheet = load_workbook(io.BytesIO(excel.content))["问题"]
    with Session(central.engine) as session:
        count = len(session.exec(select(Issue)).all())
    assert sheet.max_row == 1 + count and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:2] == ["问题", "状态"]
    text = get(central, "issue.csv", office).content
    assert text.startswith(b"\xef\xbb\xbf") and len(list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))) == 1 + count
    places = get(central, "issue.geojson", office)
    assert places.headers["content-type"].startswith("application/geo+json")
    assert json.loads(places.content)["features"][0]["geometry"]["type"] == "Point"
    this_year = get(central, "all.xlsx", office, year=2026)
    assert this_year.status_code == 200 and "年度数据" in load_workbook(io.BytesIO(this_year.content)).sheetnames


def test_an_export_is_scoped_like_a_pull_and_refused_where_nothing_may_be_seen(central):
    central.load_demo_issues()
    li = central.login("deputy-li")
    sheet = load_workbook(io.BytesIO(get(central, "issue.xlsx", li).content))["问题"]
    with Session(central.engine) as session:
        actor = Actor.of(session.get(Person, stable_id("person", "deputy-li")))
        issues = session.exec(select(Issue)).all()
        visible = sorted(i.title for i in issues if ISSUE.visible(actor, i))
    assert sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True)) == visible
    assert 0 < len(visible) < len(issues)
    water = central.login("dept-water")
    refused = get(central, "inspection.xlsx", water)
    assert refused.status_code == 403 and refused.json()["code"] == "export.forbidden"
    assert get(central, "figures.csv", li).json()["code"] == "export.forbidden"
    assert get(central, "issue.xlsx").status_code == 401  # the sync token is needed
    assert get(central, "passwords.csv", li).json()["code"] == "export.unknown_table"
    assert get(central, "letter.geojson", li).json()["code"] == "export.format"
    assert get(central, "issue.pdf", li).json()["code"] == "export.format"
    assert get(central, "issue.xlsx", li, year=1900).status_code == 400


def test_a_villagers_phone_is_masked_in_a_stations_export_and_whole_in_the_offices(central):
    page = central.client.post("/c/juyuan", data={"village": "桔园村四组", "text": "四组饮水管漏水", "phone": "139 0000 1111"})
    assert page.status_code == 200
    rows = {}
    for code in ("office-ma", "staff-hu", "deputy-zhao"):
        data = get(central, "concern.csv", central.login(code)).content.decode("utf-8-sig")
        rows[code] = list(csv.DictReader(io.StringIO(data)))
    assert [r["联系电话"] for r in rows["office-ma"]] == ["13900001111"]
    assert [r["联系电话"] for r in rows["staff-hu"]] == ["139****1111"]
    assert rows["deputy-zhao"] == []  # another station's
