"""Reception days, field visits, the schedule and the stations' figures, on one store."""

from __future__ import annotations

from datetime import date

import pytest

from app.actors import Actor
from app.errors import DomainError
from app.issues import Issue, record_event as issue_event
from app.receptions import (Reception, Visit, answer_on_the_spot, check_phone, concern_to_issue, mask_phone,
                            moved, open_reception, plan_reception_days, raise_issue_from_visit, reception_dates,
                            receive_visitor, record_visit, scheduled_on, station_figures)
from app.receptions import RECEPTION, VISIT
from app.records import record_event, state_of
from app.reference import stable_id

JUYUAN = stable_id("station", "juyuan")


def test_twelve_reception_days_a_year_moved_off_weekends_and_holidays():
    dates = reception_dates(2026)
    assert len(dates) == 12
    assert dates[1] == date(2026, 2, 24)  # the 15th is in the Spring Festival holiday (15th-23rd)
    assert dates[2] == date(2026, 3, 16) and dates[7] == date(2026, 8, 17)  # Sundays, Saturdays: the Monday after
    assert dates[4] == date(2026, 5, 15)  # a Friday: kept
    assert reception_dates(2026, rule="previous_workday")[1] == date(2026, 2, 14)  # a Saturday worked (调休)
    assert reception_dates(2026, rule="keep")[1] == date(2026, 2, 15)
    assert moved(date(2026, 2, 14), "next_workday") == date(2026, 2, 14)  # a Saturday worked instead (调休)
    assert reception_dates(2027)[0] == date(2027, 1, 15)  # a year the notice does not cover yet: weekends only
    assert reception_dates(2027)[4] == date(2027, 5, 17)
    with pytest.raises(ValueError):
        reception_dates(2026, day=31)


def test_the_office_plans_each_stations_days_once(session, township):
    office = Actor.of(township["office-ma"])
    planned = plan_reception_days(session, actor=office, year=2026, stations=[JUYUAN],
                                  duty={JUYUAN: [township["deputy-wang"].id]})
    assert [r.day for r in planned] == reception_dates(2026)
    assert plan_reception_days(session, actor=office, year=2026, stations=[JUYUAN]) == []  # again: nothing more
    assert session.get(Reception, planned[0].id).duty_deputy_ids == [township["deputy-wang"].id]


@pytest.mark.parametrize("phone,ok", [("13812345678", True), ("138 1234 5678", True), ("+8613812345678", True),
                                      ("", True), ("12345678901", False), ("0915-1234567", False), ("1381234567", False)])
def test_a_visitors_phone_is_a_mainland_mobile_number_or_nothing(phone, ok):
    if ok:
        assert check_phone(phone) in ("", "13812345678")
    else:
        with pytest.raises(DomainError) as refusal:
            check_phone(phone)
        assert refusal.value.code == "reception.phone_invalid"
    assert mask_phone("13812345678") == "138****5678"


def test_a_reception_day_logs_visitors_each_concern_answered_or_turned_into_an_issue(session, township):
    wang = Actor.of(township["deputy-wang"])
    reception = open_reception(session, actor=wang, station_id=JUYUAN, day=date(2026, 5, 15))
    assert reception.scheduled is False  # no schedule: logged as an extra day (the screen asked first)
    _visitor, (water,) = receive_visitor(session, actor=wang, reception_id=reception.id, village="桔园村三组",
                                         name="李大爷", phone="13812345678", concerns=["三组自来水时断时续"])
    _other, (road, lamp) = receive_visitor(session, actor=wang, reception_id=reception.id, village="桔园村一组",
                                           concerns=["村道坑洼", "路灯不亮"])
    answer_on_the_spot(session, actor=wang, reception_id=reception.id, concern_id=lamp,
                       text="已联系村委会，本周更换灯泡")
    issue = concern_to_issue(session, actor=wang, reception_id=reception.id, concern_id=water)
    stored = session.get(Reception, reception.id)
    assert (stored.status, stored.visitors, stored.concerns, stored.answered, stored.issues_raised) == \
        ("held", 2, 3, 1, 1)
    raised = session.get(Issue, issue.id)
    assert raised.source == "reception" and raised.station_id == JUYUAN and raised.place_name == "桔园村三组"
    with pytest.raises(DomainError) as twice:
        answer_on_the_spot(session, actor=wang, reception_id=reception.id, concern_id=water, text="再答一次")
    assert twice.value.code == "reception.concern_handled"
    session.rollback()
    with pytest.raises(DomainError) as empty:
        receive_visitor(session, actor=wang, reception_id=reception.id, village="x", concerns=["  "])
    assert empty.value.code == "reception.concern_required"
    session.rollback()
    assert scheduled_on(session, JUYUAN, date(2026, 5, 15)).id == reception.id
    assert road in state_of(session, RECEPTION, session.get(Reception, reception.id)).concerns


def test_a_deputy_works_on_their_own_stations_reception_days_only(session, township):
    office = Actor.of(township["office-ma"])
    [qixing_day, *_] = plan_reception_days(session, actor=office, year=2026, stations=[stable_id("station", "qixing")])
    with pytest.raises(DomainError) as refusal:
        receive_visitor(session, actor=Actor.of(township["deputy-wang"]), reception_id=qixing_day.id,
                        village="七星村", concerns=["x"])
    assert refusal.value.code == "scope.forbidden"


def test_a_visit_that_raised_issues_cannot_be_deleted(session, township):
    wang = Actor.of(township["deputy-wang"])
    visit = record_visit(session, actor=wang, place_type="orchard", place_name="桔园村柑桔合作社",
                         people_met="合作社负责人刘某", notes="今年收购价偏低")
    quiet = record_visit(session, actor=wang, place_type="household", place_name="桔园村五保户王某家")
    issue = raise_issue_from_visit(session, actor=wang, visit_id=visit.id, title="柑桔收购价偏低，销售渠道单一")
    assert session.get(Issue, issue.id).source == "visit" and session.get(Visit, visit.id).issue_count == 1
    with pytest.raises(DomainError) as refusal:
        record_event(session, VISIT, actor=wang, record_id=visit.id, type_="delete", payload={})
    assert refusal.value.code == "visit.has_issues"
    session.rollback()
    record_event(session, VISIT, actor=wang, record_id=quiet.id, type_="delete", payload={})
    assert session.get(Visit, quiet.id).status == "deleted"
    assert session.get(Visit, visit.id).deputy_ids == [wang.id]  # the deputy who recorded it was there


def test_the_stations_figures_count_days_people_concerns_issues_and_visits(session, township):
    wang, office = Actor.of(township["deputy-wang"]), Actor.of(township["office-ma"])
    water = Actor.of(township["dept-water"])
    day = open_reception(session, actor=wang, station_id=JUYUAN, day=date(2026, 5, 15))
    open_reception(session, actor=wang, station_id=JUYUAN, day=date(2026, 6, 15))  # planned, nobody came
    _v, (first,) = receive_visitor(session, actor=wang, reception_id=day.id, village="一组", concerns=["水渠漏水"])
    _v, (second,) = receive_visitor(session, actor=wang, reception_id=day.id, village="二组", concerns=["路灯"])
    issue = concern_to_issue(session, actor=wang, reception_id=day.id, concern_id=first)
    answer_on_the_spot(session, actor=wang, reception_id=day.id, concern_id=second, text="已修")
    visit = record_visit(session, actor=wang, place_type="field", place_name="三组农田")
    raise_issue_from_visit(session, actor=wang, visit_id=visit.id, title="机耕道损坏")
    issue_event(session, actor=office, issue_id=issue.id, type_="assign",
                payload={"department_id": water.department_id, "deadline": "2030-01-01"})
    issue_event(session, actor=water, issue_id=issue.id, type_="resolve", payload={"text": "已修复"})
    figures = station_figures(session, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert (figures.days_held, figures.people_received, figures.concerns) == (1, 2, 2)
    assert (figures.issues_raised, figures.issues_resolved, figures.visits) == (2, 1, 1)
    assert figures.visits_per_deputy == {wang.id: 1} and figures.resolved_ids == (issue.id,)
    assert station_figures(session, start=date(2026, 1, 1), end=date(2026, 12, 31),
                           station_id=stable_id("station", "qixing")).days_held == 0
