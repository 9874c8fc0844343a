"""接待日, 走访, 扫码说事 and the office's 联络站 on the demo township, with no page and no browser."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from pathlib import Path


from app.actors import PUBLIC_ACTOR
from app.i18n import load_catalog
from app.ids import new_id
from app.issues import Issue
from app.photos import process_photo
from app.receptions import CONCERN, ConcernCreate, Visit, plan_reception_days
from app.records import PhotoBody, add_record
from app.reference import stable_id
from app.clock import utcnow
from app.viewmodels.concerns import ConcernQueueModel
from app.viewmodels.context import AppContext
from app.viewmodels.receptions import ReceptionLogModel, ScheduleModel
from app.viewmodels.stations import (CONCERNS, RECEPTIONS, STATIONS, VISITS, StationFiguresModel,
                                     StationsAdminModel, station_shortcuts)
from app.viewmodels.visits import VisitForm, VisitModel, VisitsModel
from tests.views.test_office import outbox, signed_in, store  # noqa: F401  (store is a fixture)

REPO = Path(__file__).resolve().parents[2]
JUYUAN = stable_id("station", "juyuan")
QIXING = stable_id("station", "qixing")
TODAY = date(2026, 12, 2)  # a Wednesday with no reception day on the schedule
KEY = re.compile(r"^(reception|visit|concern|stations)\.[a-z0-9_.]+$")




def no_keys(*texts: str) -> None:
    """Every string a screen shows came from the catalog (a missing key shows as the key itself)."""
    shown = [t for t in texts if isinstance(t, str) and KEY.match(t)]
    assert shown == [], f"catalog keys shown raw: {shown}"


def a_villager_sends(ctx: AppContext, *, station_id: str = JUYUAN, text: str = "四组饮水管漏水",
                     phone: str = "13900001111", photo: bytes | None = None, receipt: str = "1202-001") -> str:
    """What the central store's public page records (as the public actor), here on the local store."""
    photos = []
    if photo is not None:
        processed = process_photo(photo)
        ctx.photos.put(processed)
        photos = [PhotoBody(sha256=processed.sha256, width=processed.width, height=processed.height,
                            byte_size=len(processed.data))]
    with ctx.session() as session:
        concern = add_record(session, CONCERN, ConcernCreate(
            id=new_id(), event_id=new_id(), created_at=utcnow(), station_id=station_id, receipt=receipt,
            village="桔园村四组", text=text, phone=phone, photos=photos), actor=PUBLIC_ACTOR)
        session.commit()
        return concern.id


# -- the catalog ------------------------------------------------------------------------------------------------------
def test_the_screens_catalog_has_the_same_keys_in_both_languages_and_only_its_own_prefixes():
    zh = json.loads((REPO / "assets/i18n/zh-CN/stations_screen.json").read_text(encoding="utf-8"))
    en = json.loads((REPO / "assets/i18n/en/stations_screen.json").read_text(encoding="utf-8"))
    assert set(zh) == set(en)
    assert all(KEY.match(k) for k in zh)
    assert load_catalog("zh-CN")  # no key defined twice across the files


# -- 接待日 ----------------------------------------------------------------------------------------------------------
def test_logging_a_day_with_no_reception_day_asks_first_then_logs_it_as_unscheduled(store):
    hu = signed_in(store, "staff-hu")
    schedule = ScheduleModel(hu, today=TODAY)
    assert schedule.station_id == JUYUAN and schedule.can_log and not schedule.can_plan
    start = schedule.start_log()
    assert start.reception_id is None and "临时接待" in start.confirm and "12月2日 周三" in start.confirm
    assert outbox(hu) == []  # the question came before anything was recorded
    reception_id = schedule.log_unscheduled(start.day)
    schedule.reload()
    assert [r.id for r in schedule.upcoming] == [reception_id]
    assert [c.label for c in schedule.upcoming[0].chips] == ["今天接待", "临时接待"]
    assert schedule.start_log().reception_id == reception_id  # the second time: straight to the log


def test_a_day_logged_with_two_visitors_one_concern_answered_one_turned_into_an_issue(store):
    hu = signed_in(store, "staff-hu")
    schedule = ScheduleModel(hu, today=TODAY)
    log = ReceptionLogModel(hu, schedule.log_unscheduled(TODAY), today=TODAY)
    assert log.can_receive and log.visitors == []

    form = log.visitor_form()
    form.set("name", "李大爷")
    form.set("phone", "1381234567")  # a digit short
    form.set("village", "桔园村三组")
    form.set_concern(0, "三组自来水时断时续")
    assert not form.submit() and "11位手机号" in form.error_of("phone")
    form.set("phone", "138 1234 5678")
    assert form.add_concern()
    form.set_concern(1, "村道坑洼")
    assert form.submit()
    second = log.visitor_form()
    assert not second.submit() and second.error_of("concerns") == "请写下来访群众反映的事。"
    second.set("village", "桔园村一组")
    second.set_concern(0, "路灯不亮")
    assert second.submit()

    log.reload()
    first, other = log.visitors
    assert first.heading == "1. 李大爷" and first.details == "138****5678 · 桔园村三组"  # staff see it masked
    assert other.heading == "2. 未留姓名"
    water, road = first.concerns
    assert water.can_answer and water.can_issue
    answer = log.answer_form(road.id)
    assert not answer.submit() and answer.error_of("text")
    answer.text = "已联系村委会，下周修补"
    assert answer.submit()
    issue_id = log.to_issue(water.id)
    assert issue_id
    water, road = log.visitors[0].concerns
    assert water.issue is not None and water.issue.issue_id == issue_id and water.issue.chip.label == "已转为问题 · 待分办"
    assert not water.can_answer and not water.can_issue
    assert road.answer == "当场答复：已联系村委会，下周修补" and not road.can_issue
    assert log.counts == "来访 2 人 · 反映 3 件 · 当场答复 1 件 · 转为问题 1 件"
    with hu.session() as session:
        issue = session.get(Issue, issue_id)
        assert (issue.title, issue.source, issue.station_id, issue.place_name) == \
            ("三组自来水时断时续", "reception", JUYUAN, "桔园村三组")
    no_keys(log.title, log.counts, log.attended_text, log.visitors_title, *[v.heading for v in log.visitors])


def test_deputies_attending_are_marked_once_and_the_office_sees_the_whole_phone_number(store):
    hu = signed_in(store, "staff-hu")
    log = ReceptionLogModel(hu, ScheduleModel(hu, today=TODAY).log_unscheduled(TODAY), today=TODAY)
    wang = stable_id("person", "deputy-wang")
    assert [(a.id, a.attended, a.can_mark) for a in log.attendees] == [(wang, False, True)]
    assert log.attend(wang)
    assert [(a.attended, a.can_mark) for a in log.attendees] == [(True, False)]
    assert log.chip.label == "已接待"
    form = log.visitor_form()
    form.set("phone", "13812345678")
    form.set_concern(0, "果园灌溉用水")
    assert form.submit()
    office = signed_in(store, "office-ma")
    seen = ReceptionLogModel(office, log.reception_id, today=TODAY)
    assert seen.visitors[0].details == "13812345678"


def test_the_office_plans_a_year_and_moves_a_planned_day(store):
    office = signed_in(store, "office-ma")
    schedule = ScheduleModel(office, station_id=QIXING, today=TODAY)
    assert schedule.can_plan and [o.selected for o in schedule.station_options()].count(True) == 1
    plan = schedule.plan_form()
    plan.year = 2027
    assert "1月15日" in plan.preview and "5月17日" in plan.preview  # a Saturday moved to the Monday
    assert plan.submit() and plan.planned == 8 * 12
    assert plan.submit() and plan.planned == 0 and "都已经安排好了" in plan.result_text
    schedule.reload()
    first = schedule.upcoming[0]
    assert first.day == date(2027, 1, 15) and first.can_reschedule and first.chips[0].label == "待接待"
    assert schedule.reschedule(first.id, date(2027, 1, 18))
    assert schedule.upcoming[0].day == date(2027, 1, 18)
    hu = signed_in(store, "staff-hu")
    staff_view = ScheduleModel(hu, today=TODAY)
    assert not staff_view.upcoming[0].can_reschedule  # the office moves days; staff log them
    assert staff_view.start_log(date(2027, 1, 15)).reception_id is not None


# -- 扫码说事 --------------------------------------------------------------------------------------------------------
def test_a_stations_queue_shows_its_villagers_concerns_masked_and_turns_one_into_an_issue_with_its_photo(
        store, photo_fixtures):
    hu = signed_in(store, "staff-hu")
    mine = a_villager_sends(hu, photo=(photo_fixtures / "gps-DSCN0010.jpg").read_bytes())
    a_villager_sends(hu, station_id=QIXING, text="七星村路灯", receipt="1202-002")
    queue = ConcernQueueModel(hu)
    assert [r.id for r in queue.rows] == [mine]  # another station's concern stays in its queue
    row = queue.rows[0]
    assert (row.receipt, row.phone, row.chip.label) == ("回执号 1202-001", "139****1111", "待处理")
    assert row.thumbnail and row.can_issue and row.can_answer and row.can_close
    issue_id = queue.to_issue(mine)
    assert queue.rows == [] and queue.counts == {"open": 0, "done": 1, "all": 1}
    queue.choose_filter("done")
    assert queue.rows[0].chip.label == "已转为问题" and queue.rows[0].issue.issue_id == issue_id
    with hu.session() as session:
        issue = session.get(Issue, issue_id)
        assert issue.place_name == "桔园村四组" and issue.station_id == JUYUAN
    from app.issues import photos_of
    with hu.session() as session:
        assert len(photos_of(session, issue_id)) == 1  # the villager's photo came with it
    office = ConcernQueueModel(signed_in(store, "office-ma"))
    office.choose_filter("all")
    assert {r.station for r in office.rows} == {"桔园片区联络站", "七星片区联络站"}
    assert {r.phone for r in office.rows} == {"13900001111"}


def test_a_concern_is_answered_or_closed_only_with_words(store):
    hu = signed_in(store, "staff-hu")
    first = a_villager_sends(hu)
    second = a_villager_sends(hu, text="广场舞音响太吵", receipt="1202-002", phone="")
    queue = ConcernQueueModel(hu)
    reply = queue.reply_form(first, "answer")
    assert not reply.submit() and reply.error_of("text") == "请写下答复的内容。"
    reply.text = "已请村委会本周维修"
    assert reply.submit()
    close = queue.reply_form(second, "close")
    close.text = "已当面劝导，双方达成一致"
    assert close.submit()
    queue.choose_filter("all")
    words = {r.id: (r.chip.label, r.answer, r.can_answer) for r in queue.rows}
    assert words == {first: ("已答复", "答复：已请村委会本周维修", False),
                     second: ("已关闭", "关闭原因：已当面劝导，双方达成一致", False)}


def test_a_department_has_no_concern_queue(store):
    queue = ConcernQueueModel(signed_in(store, "dept-water"))
    assert not queue.allowed_here and queue.rows == [] and "联络站" in queue.empty_text


# -- 走访 ------------------------------------------------------------------------------------------------------------
def test_a_deputy_records_a_visit_with_a_photo_raises_an_issue_and_cannot_delete_it_then(store, photo_fixtures):
    wang = signed_in(store, "deputy-wang")
    form = VisitForm(wang)
    assert [label for _v, label in form.place_type_options()][:6] == ["田间", "柑桔园", "企业", "学校", "农户", "村"]
    assert [(o.label, o.selected) for o in form.deputy_options()] == [("王建华（我）", True)]
    assert form.save() is None and form.errors["place_name"]
    form.set_field("place_type", "orchard")
    form.set_field("place_name", "桔园村三组柑桔园")
    form.set_field("people_met", "合作社理事长")
    form.set_field("notes", "灌溉水渠淤塞，果园缺水\n群众希望尽快清淤")
    asyncio.run(form.add_photos([("orchard.jpg", (photo_fixtures / "gps-DSCN0010.jpg").read_bytes())]))
    assert len(form.photos) == 1 and form.location is not None  # the photo's position, as capture takes it
    visit_id = form.save()
    assert visit_id
    from app.drafts import latest_draft
    with wang.session() as session:
        assert latest_draft(session, stable_id("person", "deputy-wang")) is None  # no capture draft left behind

    history = VisitsModel(wang)
    assert history.heading == "王建华的走访（1 次）" and history.rows[0].place == "柑桔园 · 桔园村三组柑桔园"
    assert history.rows[0].thumbnail
    visit = VisitModel(wang, visit_id)
    assert visit.can_raise and visit.can_delete and len(visit.photos) == 1
    raise_form = visit.raise_form()
    assert raise_form.title == "灌溉水渠淤塞，果园缺水"
    assert raise_form.submit() and raise_form.issue_id
    visit.reload()
    assert [link.issue_id for link in visit.issues] == [raise_form.issue_id]
    assert not visit.delete() and visit.error == "这次走访已经提出了问题，不能删除。"
    with wang.session() as session:
        assert session.get(Visit, visit_id).status == "active"
        issue = session.get(Issue, raise_form.issue_id)
        assert (issue.source, issue.place_type, issue.place_name) == ("visit", "orchard", "桔园村三组柑桔园")


def test_a_visit_that_raised_nothing_is_deleted_and_leaves_the_history(store):
    wang = signed_in(store, "deputy-wang")
    form = VisitForm(wang)
    form.set_field("place_name", "村委会")
    visit_id = form.save()
    assert VisitModel(wang, visit_id).delete()
    assert VisitsModel(wang).rows == []


def test_the_staff_see_the_stations_visits_and_pick_a_deputys_history(store):
    wang = signed_in(store, "deputy-wang")
    form = VisitForm(wang)
    form.set_field("place_name", "桔园村柑桔合作社")
    form.set_field("place_type", "enterprise")
    form.save()
    hu = signed_in(store, "staff-hu")
    history = VisitsModel(hu)
    assert len(history.rows) == 1 and history.heading == "桔园片区联络站的走访（1 次）"
    options = history.deputy_options()
    assert [o.label for o in options] == ["全部代表", "王建华"] and options[0].selected
    history.choose_deputy(stable_id("person", "deputy-wang"))
    assert history.route == f"{VISITS}?deputy={stable_id('person', 'deputy-wang')}"


# -- home and the office ----------------------------------------------------------------------------------------------
def test_home_offers_each_role_its_station_work(store):
    hu = signed_in(store, "staff-hu")
    a_villager_sends(hu)
    lines = station_shortcuts(hu, today=TODAY)
    assert [s.route for s in lines] == [RECEPTIONS, VISITS, CONCERNS]
    assert lines[2].text == "扫码说事：1 条待处理" and lines[2].attention
    office = station_shortcuts(signed_in(store, "office-ma"), today=TODAY)
    assert [s.route for s in office] == [STATIONS] and "1 条待处理" in office[0].text
    assert station_shortcuts(signed_in(store, "dept-water"), today=TODAY) == []
    with hu.session() as session:
        plan_reception_days(session, actor=signed_in(store, "office-ma").actor(), year=2026, stations=[JUYUAN])
    hu = signed_in(store, "staff-hu")  # one device: whoever signed in last uses it
    assert station_shortcuts(hu, today=TODAY)[0].text == "接待日：下一次 12月15日 周二"


def test_the_office_sees_each_stations_people_and_groups_and_cannot_save_offline(store):
    office = signed_in(store, "office-ma")
    admin = StationsAdminModel(office)
    assert len(admin.rows) == 8 and admin.may_edit
    juyuan = next(r for r in admin.rows if r.id == JUYUAN)
    assert juyuan.staff == "工作人员：胡小红" and juyuan.deputies == "代表：王建华" and juyuan.address == "桔园村村委会"
    centre = admin.rows[0]
    assert centre.kind.label == "中心联络站" and "柑桔产业专门小组" in centre.groups
    assert "离线" in admin.offline_text  # no central store here
    group = admin.groups[0]
    assert group.members == "成员：陈志明、杨春燕、周海涛"
    form = admin.station_form(JUYUAN)
    form.set("address", "桔园村村委会二楼")
    assert not asyncio.run(form.save()) and "没有做任何改动" in form.errors["form"]
    new = admin.group_form()
    new.set("code", "Bad Code")
    assert not asyncio.run(new.save()) and new.errors["code"] and new.errors["name"]
    assert "联网" in asyncio.run(admin.poster(JUYUAN))
    no_keys(*(r.location for r in admin.rows), admin.stations_title, admin.groups_title, admin.concerns_text)


class FakeClient:
    """The sync client's two online calls, as the office's screens use them."""

    def __init__(self):
        self.saved: list[tuple[str, str, dict]] = []

    async def save_reference(self, entity: str, code: str, body: dict) -> dict:
        self.saved.append((entity, code, body))
        return body

    async def fetch_poster(self, station_id: str) -> bytes:
        return b"%PDF-1.4 poster of " + station_id.encode()


class FakeSyncer:
    online = True

    def __init__(self):
        self.client = FakeClient()

    def sync_now(self) -> None:
        pass


def test_online_the_office_saves_a_station_and_a_group_and_downloads_a_poster(store):
    office = signed_in(store, "office-ma")
    office.syncer = FakeSyncer()
    admin = StationsAdminModel(office)
    assert admin.offline_text == ""
    form = admin.station_form(JUYUAN)
    form.set("address", "桔园村村委会二楼")
    form.set("latitude_text", "33.15")
    form.set("longitude_text", "200")
    assert not asyncio.run(form.save()) and form.errors["longitude"]
    form.set("longitude_text", "107.33")
    assert asyncio.run(form.save())
    entity, code, body = office.syncer.client.saved[-1]
    assert (entity, code, body["address"], body["latitude"], body["longitude"]) == \
        ("stations", "juyuan", "桔园村村委会二楼", 33.15, 107.33)
    group = admin.group_form()
    group.set("code", "school-safety")
    group.set("name", "校园安全专门小组")
    group.choose_station(JUYUAN)
    group.toggle_member(stable_id("person", "deputy-wang"), True)
    assert asyncio.run(group.save())
    assert office.syncer.client.saved[-1][2]["member_ids"] == [stable_id("person", "deputy-wang")]
    name, data = asyncio.run(admin.poster(JUYUAN))
    assert name == "扫码说事海报-桔园片区联络站.pdf" and data.startswith(b"%PDF")


def test_the_stations_figures_open_the_issues_behind_them(store):
    hu = signed_in(store, "staff-hu")
    log = ReceptionLogModel(hu, ScheduleModel(hu, today=date.today()).log_unscheduled(date.today()))
    form = log.visitor_form()
    form.set_concern(0, "三组自来水时断时续")
    form.submit()
    log.reload()
    issue_id = log.to_issue(log.visitors[0].concerns[0].id)
    office = signed_in(store, "office-ma")
    figures = StationFiguresModel(office)
    by_key = {f.key: f for f in figures.figures}
    assert by_key["days_held"].value == "1 次" and by_key["people_received"].value == "1 人次"
    assert by_key["issues_raised"].issue_ids == (issue_id,) and by_key["issues_raised"].opens_issues
    assert by_key["visits"].route == VISITS and not by_key["visits"].opens_issues
    figures.choose_station(QIXING)
    assert {f.key: f.value for f in figures.figures}["days_held"] == "0 次"
    assert figures.figures[0].route == f"{RECEPTIONS}?station={QIXING}"
    figures.choose_period("month")
    assert figures.heading.endswith("七星片区联络站")
    assert StationFiguresModel(signed_in(store, "staff-hu")).station_options() == []  # their own station only
    no_keys(*(f.name for f in figures.figures), *(f.value for f in figures.figures), figures.heading)
