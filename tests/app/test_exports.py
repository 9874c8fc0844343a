"""Exports read back: Excel with openpyxl, CSV with csv, GeoJSON with json; scoped and masked as a pull is."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.actors import PUBLIC_ACTOR, Actor
from app.clock import utcnow
from app.demo import seed_demo
from app.errors import DomainError
from app.exports import export_file, issues_sheet, record_sheet, table_names, visitors_sheet
from app.exports._tables import fields_of, header
from app.i18n import Translator
from app.ids import new_id
from app.inspections import latest_template, seed_templates, start_inspection
from app.issues import ISSUE, Issue, Location
from app.models import Person
from app.receptions import CONCERN, ConcernCreate, open_reception, receive_visitor
from app.records import add_record, kinds
from app.reference import stable_id

T = Translator("zh-CN")
JUYUAN, QIXING = stable_id("station", "juyuan"), stable_id("station", "qixing")
YEAR = utcnow().year


@pytest.fixture
def demo(session: Session) -> Session:
    seed_demo(session)
    return session


def actor(session: Session, code: str) -> Actor:
    return Actor.of(session.get(Person, stable_id("person", code)))


def download(session, table, fmt, code="office-ma", year=None):
    return export_file(session, table, fmt, actor=actor(session, code), t=T, year=year)


def a_villager_writes(session, *, station=JUYUAN, phone="13812345678"):
    body = ConcernCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), station_id=station,
                         receipt=new_id()[:8], village="桔园村三组", text="三组路灯不亮", phone=phone)
    concern = add_record(session, CONCERN, body, actor=PUBLIC_ACTOR)
    session.commit()
    return concern


def test_issues_to_excel_have_chinese_headers_dates_as_dates_and_a_frozen_header(demo):
    made = download(demo, "issue", "xlsx", year=YEAR)
    assert made.name == f"联络通_问题_{YEAR}年.xlsx"
    book = load_workbook(io.BytesIO(made.data))
    sheet = book["问题"]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["问题", "状态"] and {"类别", "联络站", "承办单位", "期限", "记录时间", "纬度"} <= set(headers)
    assert sheet.freeze_panes == "A2"
    issues = list(demo.exec(select(Issue)))
    assert sheet.max_row == 1 + len(issues)
    rows = {r[0]: dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    drought = rows["抗旱水源不足，柑桔园灌溉困难"]
    assert drought["状态"] == "已交办" and drought["联络站"].startswith("桔园") and drought["承办单位"] == "镇水利站"
    assert drought["反映代表"] == "王建华" and drought["类别"] and drought["纬度"] == pytest.approx(33.1532)
    assert isinstance(drought["记录时间"], datetime) and isinstance(drought["期限"], datetime)  # Excel dates
    when = sheet.cell(row=2, column=headers.index("记录时间") + 1)
    deadline_cells = [sheet.cell(row=r, column=headers.index("期限") + 1) for r in range(2, sheet.max_row + 1)]
    assert when.is_date and when.number_format == "yyyy-mm-dd hh:mm"
    assert any(c.is_date and c.number_format == "yyyy-mm-dd" for c in deadline_cells)
    stored = next(i for i in issues if i.title == "抗旱水源不足，柑桔园灌溉困难")
    assert drought["期限"].date() == stored.deadline  # the day itself, not shifted by a time zone


def test_all_data_is_one_workbook_with_a_sheet_per_table(demo):
    book = load_workbook(io.BytesIO(download(demo, "all", "xlsx", year=YEAR).data))
    assert book.sheetnames[:4] == ["问题", "视察检查", "接待日", "接待群众"] and book.sheetnames[-1] == "年度数据"
    assert len(book.sheetnames) == len(table_names())
    assert all(ws.freeze_panes == "A2" for ws in book.worksheets)
    figures = {r[0]: r[1] for r in book["年度数据"].iter_rows(min_row=2, values_only=True)}
    assert figures["片区联络站"] == 7 and figures["镇级中心联络站"] == 1


def test_csv_is_utf8_with_a_byte_order_mark_so_excel_reads_the_chinese(demo):
    data = download(demo, "issue", "csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["问题", "状态"]
    assert len(rows) == 1 + len(list(demo.exec(select(Issue))))
    created = rows[1][rows[0].index("记录时间")]
    assert datetime.strptime(created, "%Y-%m-%d %H:%M")


def test_geojson_of_issues_and_inspections_puts_each_at_its_wgs84_place(demo):
    wang = actor(demo, "deputy-wang")
    seed_templates(demo)
    start_inspection(demo, actor=wang, template=latest_template(demo, "school-safety"), place_name="桔园村小学",
                     location=Location(latitude=33.1541, longitude=107.3310, accuracy_m=6, source="device"),
                     station_id=JUYUAN)
    issues = json.loads(download(demo, "issue", "geojson").data)
    placed = [i for i in demo.exec(select(Issue)) if i.latitude is not None]
    assert issues["type"] == "FeatureCollection" and len(issues["features"]) == len(placed) < 19
    drought = next(f for f in issues["features"] if f["properties"]["title"] == "抗旱水源不足，柑桔园灌溉困难")
    assert drought["geometry"] == {"type": "Point", "coordinates": [107.3321, 33.1532]}  # lon, lat; not GCJ-02
    assert drought["properties"]["status"] == "已交办"
    inspections = json.loads(download(demo, "inspection", "geojson").data)
    assert [f["geometry"]["coordinates"] for f in inspections["features"]] == [[107.331, 33.1541]]
    with pytest.raises(DomainError) as refused:
        download(demo, "letter", "geojson")
    assert refused.value.code == "export.format"


def test_an_export_holds_only_what_the_role_may_see(demo):
    li = actor(demo, "deputy-li")  # 七星 station
    mine = record_sheet(demo, "issue", actor=li, t=T)
    visible = [i for i in demo.exec(select(Issue)) if ISSUE.visible(li, i)]
    assert 0 < len(mine.rows) == len(visible) < len(list(demo.exec(select(Issue))))
    station = [c.key for c in mine.columns].index("station_id")
    reporter = [c.key for c in mine.columns].index("reporter_id")
    assert all(r[station] == "七星片区联络站" or r[reporter] == "李秀英" for r in mine.rows), mine.rows
    water = record_sheet(demo, "issue", actor=actor(demo, "dept-water"), t=T)
    assert water.rows and {r[[c.key for c in water.columns].index("department_id")] for r in water.rows} == {"镇水利站"}
    # A role that may see none of a table gets a clear refusal, not an empty file.
    for table in ("inspection", "figures", "visitor"):
        with pytest.raises(DomainError) as refused:
            download(demo, table, "xlsx", code="dept-water")
        assert refused.value.code == "export.forbidden"
    with pytest.raises(DomainError) as figures:
        download(demo, "figures", "xlsx", code="deputy-li")
    assert figures.value.code == "export.forbidden"
    with pytest.raises(DomainError) as unknown:
        download(demo, "passwords", "csv")
    assert unknown.value.code == "export.unknown_table"
    # The whole workbook of a department: only the sheets it may see.
    sheets = load_workbook(io.BytesIO(download(demo, "all", "xlsx", code="dept-water").data)).sheetnames
    assert "问题" in sheets and "视察检查" not in sheets and "年度数据" not in sheets


def test_phone_numbers_are_masked_for_every_role_but_the_office(demo):
    wang = actor(demo, "deputy-wang")
    a_villager_writes(demo)
    reception = open_reception(demo, actor=wang, station_id=JUYUAN, day=date(YEAR, 5, 15))
    receive_visitor(demo, actor=wang, reception_id=reception.id, village="桔园村一组", name="李大爷",
                    phone="13900001111", concerns=["村道坑洼"])

    def phones(code, table, column):
        who = actor(demo, code)
        sheet = visitors_sheet(demo, actor=who, t=T) if table == "visitor" else record_sheet(demo, table, actor=who, t=T)
        index = [c.key for c in sheet.columns].index(column)
        return [r[index] for r in sheet.rows]

    assert phones("office-ma", "concern", "phone") == ["13812345678"]
    assert phones("deputy-wang", "concern", "phone") == ["138****5678"]
    assert phones("office-ma", "visitor", "phone") == ["13900001111"]
    assert phones("deputy-wang", "visitor", "phone") == ["139****1111"]
    assert phones("deputy-li", "visitor", "phone") == []  # another station's reception day
    text = download(demo, "visitor", "csv", code="deputy-wang").data.decode("utf-8-sig")
    assert "139****1111" in text and "13900001111" not in text and "李大爷" in text and "村道坑洼" in text


def test_a_year_keeps_the_records_of_that_year(demo):
    assert len(record_sheet(demo, "issue", actor=actor(demo, "office-ma"), t=T, year=YEAR - 5).rows) == 0
    wang = actor(demo, "deputy-wang")
    open_reception(demo, actor=wang, station_id=JUYUAN, day=date(YEAR - 1, 12, 31))
    open_reception(demo, actor=wang, station_id=JUYUAN, day=date(YEAR, 1, 2))
    days = record_sheet(demo, "reception", actor=wang, t=T, year=YEAR)
    index = [c.key for c in days.columns].index("day")
    assert [r[index] for r in days.rows] == [date(YEAR, 1, 2)]  # by its day, not when it was entered


def test_a_list_on_screen_exports_exactly_its_rows_in_its_order(demo):
    issues = list(demo.exec(select(Issue).order_by(Issue.title)))[:3]
    sheet = issues_sheet(demo, [i.id for i in reversed(issues)] + ["not-here"], actor=actor(demo, "office-ma"), t=T)
    assert [r[0] for r in sheet.rows] == [i.title for i in reversed(issues)]


def test_every_column_of_every_kind_has_a_header_in_both_languages():
    english = Translator("en")
    for kind in kinds():
        for column, _ in fields_of(kind):
            for t in (T, english):
                assert header(t, kind.name, column) != column, f"{kind.name}.{column}: no header in {t.language}"
        assert T.has(f"export.table.{kind.name}") and english.has(f"export.table.{kind.name}")
