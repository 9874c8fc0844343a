"""年度 on the demo township's 2024, with no page: the hub's figures and the lists behind them, the charts' numbers,
the annual summary edited, kept and reset, the deputies' duty records, and a deputy kept to their own."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from docx import Document

from app.demo import seed_demo
from app.demo_year import YEAR, seed_demo_year
from app.photos import PhotoStore
from app.reference import stable_id
from app.viewmodels.charts import ChartsModel
from app.viewmodels.context import AppContext
from app.viewmodels.home import HomeModel
from app.viewmodels.me import MeModel
from app.viewmodels.nav import IssueSet, allowed, destinations, parent_of, section_of
from app.viewmodels.year import (DeputiesModel, RecordModel, SummaryModel, YearHubModel, YearListModel, chosen_year,
                                 year_line)


@pytest.fixture(scope="module")
def year_store(tmp_path_factory):
    """The demo township with its 2024, once for this module (the tests below only read it, or undo what they do)."""
    from app.settings import Settings
    from app.store import open_store

    folder = tmp_path_factory.mktemp("year")
    engine = open_store(None)
    settings = Settings(data_dir=str(folder), secret_key="test-secret-key-0123456789")
    photos = PhotoStore(folder / "photos")
    with AppContext(engine, photos, settings).session() as session:
        seed_demo(session)
        seed_demo_year(session)
    return engine, photos, settings


def as_user(store, code: str) -> AppContext:
    ctx = AppContext(*store)
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


@pytest.fixture
def office(year_store) -> AppContext:
    ctx = as_user(year_store, "office-ma")
    YearHubModel(ctx).choose_year(YEAR)
    return ctx


def test_the_office_has_the_year_in_its_bar_and_the_map_moved_into_it():
    labels = [d.route for d in destinations("office")]
    assert "/year" in labels and "/map" not in labels and len(labels) == 7
    for route in ("/year/summary", "/year/deputies", "/year/list?what=quiz", "/dashboard", "/map"):
        assert parent_of(route, "office") == "/year" and section_of(route, "office") == "/year"
    assert parent_of("/year/deputies/abc", "office") == "/year/deputies"


def test_a_deputy_may_open_their_own_record_and_no_other_screen_of_the_year():
    for route in ("/year", "/year/summary", "/year/deputies", "/year/deputies/someone", "/year/list?what=quiz"):
        assert not allowed(route, "deputy"), route
        assert allowed(route, "office"), route
    assert allowed("/year/record", "deputy") and parent_of("/year/record", "deputy") == "/me"


def test_the_hub_shows_the_townships_report_and_each_figure_opens_its_list(office):
    hub = YearHubModel(office)
    assert chosen_year(office) == YEAR and hub.year == YEAR
    tiles = {tile.key: tile for tile in hub.tiles}
    assert tiles["stations"].value == "1+7"
    assert {k: tiles[k].value for k in ("inspections", "trainings", "reports", "quiz", "projects", "ratings",
                                        "opinions")} == {"inspections": "3", "trainings": "2", "reports": "8",
                                                         "quiz": "69", "projects": "3", "ratings": "2",
                                                         "opinions": "11"}
    assert int(tiles["received"].value) >= 120 and int(tiles["solved"].value) >= 30
    assert tiles["look_back"].value == "100%"
    assert tiles["inspections"].spoken == "视察评议（次）：3，点开看明细"
    # A list of issues opens as the dashboard's lists do; the others as the year's own list.
    solved = IssueSet.of(tiles["solved"].route)
    assert solved is not None and len(solved.ids) == int(tiles["solved"].value)
    for key in ("stations", "inspections", "trainings", "reports", "quiz", "projects", "ratings", "opinions"):
        listed = YearListModel.of(office, tiles[key].route)
        assert len(listed.rows) == (8 if key == "stations" else int(tiles[key].value)), key
    inspections = YearListModel(office, "inspections", YEAR)
    assert all(row.route.startswith("/inspections/") for row in inspections.rows)
    quiz = YearListModel(office, "quiz", YEAR)
    assert "王建华" in {row.title for row in quiz.rows}
    assert {link.key: link.route for link in hub.links} == {
        "charts": f"/dashboard?year={YEAR}", "map": "/map", "export": "", "trainings": "/trainings",
        "reports": "/reports", "quiz": "/quiz", "summary": f"/year/summary?year={YEAR}",
        "deputies": f"/year/deputies?year={YEAR}"}


def test_an_empty_year_shows_zeros_not_errors(office):
    hub = YearHubModel(office)
    hub.choose_year(2019)
    assert {tile.key: tile.value for tile in hub.tiles}["inspections"] == "0"
    assert {tile.key: tile.value for tile in hub.tiles}["look_back"] == "—"
    assert all(chart.empty for chart in ChartsModel(office, 2019).charts if chart.key != "month")
    hub.choose_year(YEAR)


def test_the_charts_count_the_year_and_say_their_numbers(office):
    charts = {chart.key: chart for chart in ChartsModel(office, YEAR).charts}
    assert list(charts) == ["status", "category", "station", "month", "rectification", "satisfaction", "receptions",
                            "visits", "projects", "quiz"]
    assert {charts[k].kind for k in ("status", "category", "rectification", "satisfaction")} == {"pie"}
    assert charts["month"].kind == "bar" and len(charts["month"].series) == 2 and len(charts["month"].parts) == 12
    raised = sum(p.values[0] for p in charts["month"].parts)
    assert raised == sum(p.values[0] for p in charts["status"].parts) == sum(p.values[0] for p in charts["station"].parts)
    assert sum(p.values[1] for p in charts["month"].parts) == 32  # the problems solved in the year, as the hub says
    water = next(p for p in charts["category"].parts if p.name == "供水与饮水安全")
    assert water.values[0] == max(p.values[0] for p in charts["category"].parts)
    assert len(IssueSet.of(water.route).ids) == water.values[0]  # a slice opens its issues
    assert "整改率 100%" in charts["rectification"].note
    people = sum(p.values[1] for p in charts["receptions"].parts)
    assert people >= 120 and f"接待群众 {people} 人次" in charts["receptions"].note
    assert len(charts["projects"].parts) == 3 and all(p.route.startswith("/projects/") for p in charts["projects"].parts)
    assert sum(p.values[0] for p in charts["quiz"].parts) == 69
    # The text alternative carries every number of the chart.
    assert charts["quiz"].text.startswith(f"{YEAR}年知识测试成绩分布；交卷 69 人次")
    assert all(p.text in charts["station"].text for p in charts["station"].parts)
    assert charts["station"].parts[1].label == "桔园"  # 桔园片区联络站, short on the axis


def test_the_summary_is_written_from_the_data_and_keeps_the_offices_edits(office):
    summary = SummaryModel(office)
    assert summary.year == YEAR
    sections = {s.key: s for s in summary.sections}
    assert "建成1个镇级人大代表中心联络站和7个村级片区联络站" in sections["stations"].text
    assert not any(s.is_edited for s in summary.sections)
    edit = "依托镇村两级联络站共收集民生实事项目意见11件，均已报请镇党委研究。"
    summary.save("opinions", edit)
    assert summary.saved_text == "已保存修改。"
    # Kept on this device: a new screen (after a restart, a sync) reads it back.
    again = {s.key: s for s in SummaryModel(office, YEAR).sections}
    assert again["opinions"].text == edit and again["opinions"].is_edited
    assert again["opinions"].note == "已修改（导出时用修改后的文字）"
    assert again["opinions"].generated == sections["opinions"].text
    name, data = SummaryModel(office, YEAR).document()
    assert name == "桔园镇人大2024年度工作总结.docx"
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert edit in text and sections["opinions"].text not in text
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cells["收集述职报告（份）"] == "8"  # the figures come from the data, whatever the text says
    # Reset: the generated text again, and the edit gone from the store.
    summary.reset("opinions")
    assert summary.saved_text == "已恢复为按数据生成的文字。"
    assert {s.key: s for s in SummaryModel(office, YEAR).sections}["opinions"].text == sections["opinions"].text
    # Saving the generated text unchanged keeps no edit.
    summary.save("people", sections["people"].text)
    assert not SummaryModel(office, YEAR).edits


def test_the_deputies_list_counts_each_deputys_year(office):
    deputies = DeputiesModel(office)
    assert deputies.count_text.startswith("代表 69 名")
    wang = next(row for row in deputies.rows if row.name == "王建华")
    counts = {c.key: c.value for c in wang.counts}
    record = RecordModel(office, wang.id, YEAR)
    assert {c.key: c.value for c in record.counts} == counts
    assert counts["trainings"] == "2" and counts["votes"] == "3" and counts["quiz"].endswith("分")
    assert int(counts["receptions"]) > 0 and int(counts["raised"]) > 0
    assert parse_qs(urlsplit(wang.route).query)["year"] == [str(YEAR)]
    votes = next(s for s in record.sections if s.key == "votes")
    assert all(line.endswith("已参加") for line in votes.lines)  # that they voted, never how
    assert record.title == "王建华 · 2024年履职档案"


def test_a_deputy_sees_their_own_year_on_home_and_me_and_nobody_elses(year_store):
    wang = as_user(year_store, "deputy-wang")
    own = RecordModel(wang)
    assert own.person_id == stable_id("person", "deputy-wang")
    with pytest.raises(PermissionError):
        RecordModel(wang, stable_id("person", "deputy-li"))
    line = year_line(wang)
    assert line.startswith("今年：走访 ") and "反映问题" in line
    home = HomeModel(wang)
    assert home.shortcuts[0].text == line and home.shortcuts[0].route == "/year/record"
    entry = MeModel(wang).record_entry()
    assert entry is not None and entry.label == "我的履职" and entry.route == "/year/record"
    office = as_user(year_store, "office-ma")
    assert MeModel(office).record_entry() is None and year_line(office) == ""
