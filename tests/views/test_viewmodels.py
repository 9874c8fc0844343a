"""The screens' state and actions, on an in-memory store, with no page and no browser."""

import asyncio

import pytest
from sqlmodel import select

from app.demo import seed_demo
from app.issues import Issue
from app.models import OutboxMutation
from app.photos import PhotoStore
from app.reference import stable_id
from app.viewmodels.capture import CaptureModel
from app.viewmodels.context import AppContext
from app.viewmodels.home import HomeModel
from app.viewmodels.issue_detail import IssueDetailModel
from app.viewmodels.issue_list import IssueListModel
from app.viewmodels.me import MeModel


@pytest.fixture
def ctx(engine, settings, tmp_path):
    with AppContext(engine, PhotoStore(tmp_path / "photos"), settings).session() as session:
        seed_demo(session)
    context = AppContext(engine, PhotoStore(tmp_path / "photos"), settings)
    context.sign_in_locally(stable_id("person", "deputy-wang"))
    return context


def fill(model: CaptureModel, **fields):
    for name, value in fields.items():
        model.set_field(name, value)


def test_home_shows_my_recent_issues_and_what_waits(ctx):
    home = HomeModel(ctx)
    assert home.greeting == "王建华，您好"
    assert [r.title for r in home.recent][:1] == ["校门口道路缺少减速带和警示标志"]
    assert all(r.status_label for r in home.recent)
    assert home.pending == 0 and home.pending_text == "全部记录已同步"


def test_capture_saves_an_issue_with_photos_and_exif_location(ctx, photo_fixtures):
    model = CaptureModel(ctx)
    asyncio.run(model.add_photos([("gps.jpg", (photo_fixtures / "gps-DSCN0010.jpg").read_bytes()),
                                  ("notes.txt", b"not a photo at all")]))
    assert len(model.photos) == 1
    assert model.location is not None and model.location.source == "exif"
    assert abs(model.location.latitude - 43.47) < 0.05
    assert "照片位置" in model.location_label
    assert len(model.notices) == 1 and "notes.txt" in model.notices[0]
    fill(model, title="七星村五组饮用水浑浊", category_id=stable_id("category", "water"), place_type="village")
    issue_id = model.save()
    assert issue_id is not None
    home = HomeModel(ctx)
    assert home.recent[0].title == "七星村五组饮用水浑浊" and home.recent[0].thumbnail
    assert home.recent[0].waiting == "待同步" and home.recent[1].waiting == ""  # demo issues are not waiting
    assert home.pending == 1
    detail = IssueDetailModel(ctx, issue_id)
    assert detail.photos[0].available and "43.4" in detail.location
    assert detail.timeline[0].pending is True


def test_an_empty_title_marks_the_field_and_saves_nothing(ctx):
    model = CaptureModel(ctx)
    fill(model, description="只写了描述", category_id=stable_id("category", "roads"))
    assert model.save() is None
    assert model.errors["title"] == "请填写标题。"
    with ctx.session() as session:
        assert session.exec(select(OutboxMutation)).all() == []
    assert model.description == "只写了描述"  # nothing typed is lost


def test_typed_coordinates_out_of_range_are_refused_with_a_message(ctx):
    model = CaptureModel(ctx)
    fill(model, latitude_text="95", longitude_text="107.3")
    assert model.apply_typed_location() is False
    assert model.errors["latitude"] == "纬度要在 -90 到 90 之间。" and model.location is None
    fill(model, latitude_text="33.1532", longitude_text="107.3321")
    assert model.apply_typed_location() is True
    assert model.location.source == "manual" and "手动输入" in model.location_label


def test_the_device_position_does_not_override_typed_coordinates(ctx):
    model = CaptureModel(ctx)
    fill(model, latitude_text="33.1", longitude_text="107.3")
    model.apply_typed_location()
    model.set_device_location(30.0, 100.0, 5.0)
    assert model.location.latitude == 33.1
    fresh = CaptureModel(ctx)
    fresh.discard()
    fresh.set_device_location(33.15, 107.33, 8.0)
    assert "±8 米" in fresh.location_label and "手机定位" in fresh.location_label


def test_a_killed_app_reopens_the_draft_where_it_stopped(ctx, photo_fixtures):
    model = CaptureModel(ctx)
    asyncio.run(model.add_photos([("p.jpg", (photo_fixtures / "orientation-portrait_6.jpg").read_bytes())]))
    fill(model, title="机耕道塌方", description="三十米路段")
    del model  # the app is killed: nothing but the store survives
    reopened = CaptureModel(AppContext(ctx.engine, ctx.photos, ctx.settings))
    assert reopened.reopened
    assert (reopened.title, reopened.description, len(reopened.photos)) == ("机耕道塌方", "三十米路段", 1)
    reopened.discard()
    assert not CaptureModel(ctx).reopened


def test_a_damaged_photo_is_explained_and_the_rest_of_the_issue_kept(ctx, photo_fixtures):
    model = CaptureModel(ctx)
    fill(model, title="砖厂粉尘")
    asyncio.run(model.add_photos([("corrupted.jpg", (photo_fixtures / "corrupted.jpg").read_bytes())]))
    assert model.photos == [] and len(model.notices) == 1
    assert model.title == "砖厂粉尘"


def test_the_list_filters_searches_and_pages(ctx):
    listing = IssueListModel(ctx, page_size=5)
    assert len(listing.rows) == 5 and listing.has_more
    listing.load_more()
    assert len(listing.rows) == 10
    listing.set_filter(status="returned")
    assert [r.status_label for r in listing.rows] == ["已退回"]
    listing.set_filter(status="", text="柑桔")
    with ctx.session() as session:
        expected = {i.id for i in session.exec(select(Issue)) if "柑桔" in i.title + i.place_name + i.description}
    assert len(expected) >= 3 and {r.id for r in listing.rows} == expected
    listing.set_filter(text="没有这种问题")
    assert listing.rows == [] and listing.empty_text.startswith("没有符合条件")


def test_detail_shows_the_whole_timeline(ctx):
    with ctx.session() as session:
        issue = session.exec(select(Issue).where(Issue.title == "学校食堂排烟管道油污较多")).one()
    detail = IssueDetailModel(ctx, issue.id)
    assert [row.what for row in detail.timeline] == ["记录问题", "交办", "办结", "满意度评价", "回头看"]
    assert detail.status_label == "已核实" and detail.department == "镇中心学校"  # the look-back confirmed it
    assert not any(row.pending for row in detail.timeline)  # nothing of it waits on this device
    assert detail.timeline[3].text.startswith("满意")


def test_language_switches_to_english_and_is_remembered(ctx):
    me = MeModel(ctx)
    me.set_language("en")
    assert HomeModel(ctx).greeting == "Hello, 王建华"
    assert AppContext(ctx.engine, ctx.photos, ctx.settings).t.language == "en"
    with pytest.raises(ValueError):
        me.set_language("fr")


def test_the_evidence_stamp_can_be_switched_off_and_stays_off(ctx, photo_fixtures):
    data = (photo_fixtures / "orientation-landscape_1.jpg").read_bytes()
    stamped = CaptureModel(ctx)
    asyncio.run(stamped.add_photos([("a.jpg", data)]))
    stamped_hash = stamped.photos[0].sha256
    stamped.discard()
    me = MeModel(ctx)
    assert me.watermark is True  # the settings' default
    me.set_watermark(False)
    assert MeModel(AppContext(ctx.engine, ctx.photos, ctx.settings)).watermark is False
    plain = CaptureModel(ctx)
    asyncio.run(plain.add_photos([("a.jpg", data)]))
    assert plain.photos[0].sha256 != stamped_hash  # the same photo, without the band at the bottom
