"""The office's dashboard, on the demo township, with no page: figures, period picker, breakdowns, lists."""

from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from app.demo import seed_demo
from app.issues import Issue
from app.photos import PhotoStore
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.dashboard import DashboardModel

DEMO_NOW = datetime(2026, 5, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in 桔园镇
TODAY = date(2026, 5, 20)


@pytest.fixture
def ctx(engine, settings, tmp_path):
    context = AppContext(engine, PhotoStore(tmp_path / "photos"), settings)
    with context.session() as session:
        seed_demo(session, now=DEMO_NOW)
    context.sign_in_locally(stable_id("person", "office-ma"))
    return context


@pytest.fixture
def titles(ctx):
    with ctx.session() as session:
        return {i.id: i.title for i in session.exec(select(Issue))}


def figure(model, key):
    return next(f for f in model.figures if f.key == key)


def link(fig, label):
    return next(li for li in fig.links if li.label == label)


def test_the_year_by_default_and_this_month(ctx):
    model = DashboardModel(ctx, today=TODAY)
    assert model.period_text == "2026年" and model.choice.value == "year"
    model.choose_period("month")
    assert model.period_text == "2026年5月" and not model.empty
    rect = figure(model, "rectification")
    assert (rect.name, rect.value, rect.counts, rect.explain) == ("整改率", "0%", "0 / 6", "已整改 / 已交办")
    on_time = figure(model, "on_time")
    assert (on_time.value, on_time.counts) == ("—", "0 / 0")  # nothing assigned in May is resolved yet
    assert figure(model, "days").value == "—"
    assert [p.text for p in model.mix] == ["满意 0", "基本满意 0", "不满意 0"]


def test_the_year_in_big_figures_with_the_lists_behind_them(ctx, titles):
    model = DashboardModel(ctx, today=TODAY)
    assert model.period_text == "2026年"
    rect = figure(model, "rectification")
    assert (rect.value, rect.counts) == ("25%", "3 / 12")
    fixed, not_fixed, assigned = rect.links
    assert (fixed.text, not_fixed.text, assigned.text) == ("已整改 3", "未整改 9", "已交办 12")
    assert fixed.title == "2026年 · 已整改"
    assert {titles[i] for i in fixed.issue_ids} == {"农村饮用水雨后浑浊", "学校食堂排烟管道油污较多", "山体有滑坡隐患"}
    assert set(not_fixed.issue_ids) | set(fixed.issue_ids) == set(assigned.issue_ids)
    on_time = figure(model, "on_time")
    assert (on_time.value, on_time.counts, on_time.explain) == ("80%", "4 / 5", "按期办结 / 已办结")
    assert [titles[i] for i in link(on_time, "超期办结").issue_ids] == ["柑桔溃疡病防控需要技术指导"]
    days = figure(model, "days")
    assert (days.value, days.explain) == ("10.8 天", "从交办到办结，5 个已办结问题的平均")
    assert [p.text for p in model.mix] == ["满意 2（66.6%）", "基本满意 1（33.3%）", "不满意 0（0%）"]
    assert model.mix_total.startswith("共 3 次评价")
    assert model.mix[0].link.title == "2026年 · 满意度测评 · 满意" and len(model.mix[0].link.issue_ids) == 2


def test_the_department_table_in_the_township_order(ctx):
    model = DashboardModel(ctx, today=TODAY)
    model.choose_period("year")
    assert model.dimension.value == "department"
    assert model.headers == ("承办单位", "交办", "整改率", "按期率", "平均天数", "满意度")
    names = [r.name for r in model.rows]
    assert names == ["镇水利站", "镇农业综合服务站", "镇村镇建设办公室", "镇应急管理办公室", "镇中心学校",
                     "镇生态环境保护办公室", "镇自然资源所"]
    water = model.rows[0]
    assigned, rect, on_time, days, mix = water.cells
    assert assigned.value == "3" and assigned.links[0].title == "2026年 · 镇水利站 · 已交办"
    assert (rect.name, rect.value, rect.counts) == ("整改率", "33.3%", "1 / 3")
    assert rect.spoken == "2026年 · 镇水利站 · 整改率 33.3% 1 / 3"  # what a screen reader says for the cell
    assert [li.text for li in rect.links] == ["已整改 1", "未整改 2", "已交办 3"]
    assert (on_time.value, on_time.counts) == ("100%", "2 / 2")
    assert days.value == "7.5 天"
    assert mix.value == "满意 1 · 基本 0 · 不满意 0"
    assert [li.text for li in mix.links] == ["满意 1", "基本满意 0", "不满意 0"]
    assert mix.links[0].title == "2026年 · 镇水利站 · 满意度测评 · 满意"


def test_stations_categories_and_months(ctx):
    model = DashboardModel(ctx, today=TODAY)
    model.choose_period("year")
    assert [v for v, _ in model.dimension_options()] == ["department", "station", "category", "month"]
    model.choose_dimension("station")
    assert model.headers[0] == "联络站"
    assert model.rows[0].name == "桔园镇人大代表中心联络站"  # the centre first, as the township lists them
    assert sum(int(r.cells[0].value) for r in model.rows) == 12
    model.choose_dimension("category")
    assert "供水与饮水安全" in [r.name for r in model.rows]
    model.choose_dimension("month")
    assert [(r.name, r.cells[0].value, r.cells[1].counts) for r in model.rows] == [
        ("2026年3月", "2", "1 / 2"), ("2026年4月", "4", "2 / 4"), ("2026年5月", "6", "0 / 6")]
    model.choose_period("month")  # a month has no months to break down into
    assert model.dimension.value == "department"
    assert "month" not in [v for v, _ in model.dimension_options()]


def test_a_quarter_and_a_chosen_month(ctx):
    model = DashboardModel(ctx, today=TODAY)
    model.choose_period("quarter")
    assert model.period_text == "2026年第2季度" and figure(model, "rectification").counts == "2 / 10"
    assert [k for k, _ in model.month_options()] == ["2026-05", "2026-04", "2026-03"]
    assert model.month_options()[1][1] == "2026年4月"
    model.choose_month("2026-03")
    assert model.choice.value == "chosen" and model.period_text == "2026年3月"
    assert figure(model, "rectification").counts == "1 / 2"
    assert figure(model, "on_time").counts == "1 / 2"  # the school's on time, the citrus training late


def test_the_choice_stays_when_the_screen_is_built_again(ctx):
    model = DashboardModel(ctx, today=TODAY)
    model.choose_month("2026-04")
    model.choose_dimension("station")
    again = DashboardModel(ctx, today=TODAY)  # after a sync redraws the screen, or the next day
    assert again.period_text == "2026年4月" and again.dimension.value == "station"
    again.choose_period("year")
    assert DashboardModel(ctx, today=date(2027, 2, 1)).period_text == "2027年"


def test_a_month_without_assignments_says_so(ctx):
    model = DashboardModel(ctx, today=date(2026, 8, 3))
    model.choose_period("month")
    assert model.empty and model.empty_text == "2026年8月还没有交办的问题。"
    assert figure(model, "rectification").value == "—" and model.rows == []
    assert model.month_options()[0] == ("2026-08", "2026年8月") and model.month_options()[-1][0] == "2026-03"


def test_english(ctx):
    ctx.set_language("en")
    model = DashboardModel(ctx, today=TODAY)
    model.choose_period("year")
    rect = figure(model, "rectification")
    assert (rect.name, rect.value, rect.counts, rect.explain) == ("Rectification rate", "25%", "3 / 12",
                                                                   "Fixed / Assigned")
    assert model.rows[0].name == "Township water station"
    assert model.mix[1].text == "Basically satisfied 1 (33.3%)"
