"""The closed loop's figures on hand-made timelines and on the demo township, with exact numbers."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

import app.issues as issues_module
import app.records._local as local_records
from app.clock import CHINA
from app.demo import seed_demo
from app.issues import Issue
from app.issues._figures import (Dimension, IssueFacts, Period, PeriodKind, Ratio, breakdown, figures_of,
                                 first_assignment_day, issue_facts, loop_report)
from app.records import RecordEvent
from app.reference import stable_id
from tests.factories import act, capture_issue


class Clock:
    """The time every capture and event on the local store is recorded at."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 2, 0, tzinfo=timezone.utc)

    def at(self, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
        """Set the clock to a China time of 2026."""
        self.now = datetime(2026, month, day, hour, minute, tzinfo=CHINA).astimezone(timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(local_records, "utcnow", lambda: clock.now)
    monkeypatch.setattr(issues_module, "utcnow", lambda: clock.now)
    return clock


def dept(code: str) -> str:
    return stable_id("department", code)


class Township:
    """The hand-made issues of the first half of 2026, each a timeline recorded step by step."""

    def __init__(self, session, people, clock):
        self.session, self.people, self.clock = session, people, clock

    def on(self, month: int, day: int, who: str, issue_id: str, kind: str, hour: int = 10, minute: int = 0,
           **payload):
        self.clock.at(month, day, hour, minute)
        return act(self.session, self.people[who], issue_id, kind, **payload)

    def raise_issue(self, month: int, day: int, who: str, title: str, category: str = "roads") -> str:
        self.clock.at(month, day, 9)
        return capture_issue(self.session, self.people[who], title=title,
                             category_id=stable_id("category", category)).id

    def assign(self, month: int, day: int, issue_id: str, department: str, deadline: str, **at):
        return self.on(month, day, "office-ma", issue_id, "assign", department_id=dept(department),
                       deadline=deadline, text="请办理", **at)


@pytest.fixture
def loop(session, township, clock):
    """Issues A..F and the rest, as a township's first half-year leaves them:

    A  water, 满意 at the first try, on time
    B  water, 不满意 (sent back), resolved again after its deadline, then 基本满意
    C  agri, an extension granted, resolved within it, never rated, a look-back confirmed it
    D  water, 不满意, being handled again
    E  agri, assigned at 00:10 on 1 April, resolved, not rated yet
    F  water, 满意, then a look-back found it not fixed
    G  never assigned; H assigned, then merged into A; I assigned in May
    """
    t = Township(session, township, clock)
    ids = {}
    ids["A"] = t.raise_issue(3, 2, "deputy-wang", "A 机耕道塌方")
    t.assign(3, 2, ids["A"], "water", "2026-03-16")
    t.on(3, 10, "dept-water", ids["A"], "resolve", text="已修复")
    t.on(3, 11, "deputy-wang", ids["A"], "rate", satisfaction="satisfied", text="满意")

    ids["B"] = t.raise_issue(3, 3, "deputy-wang", "B 水渠渗漏")
    t.assign(3, 3, ids["B"], "water", "2026-03-17")
    t.on(3, 5, "dept-water", ids["B"], "resolve", text="已处理")
    t.on(3, 6, "deputy-wang", ids["B"], "rate", satisfaction="unsatisfied", text="还在漏")
    t.on(3, 12, "dept-water", ids["B"], "respond", text="重新勘察")
    t.on(3, 20, "dept-water", ids["B"], "resolve", text="已重新修补")
    t.on(3, 21, "deputy-wang", ids["B"], "rate", satisfaction="basic", text="基本好了")

    ids["C"] = t.raise_issue(3, 4, "deputy-li", "C 饮用水浑浊", category="water")
    t.assign(3, 4, ids["C"], "agri", "2026-03-10")
    t.on(3, 8, "dept-agri", ids["C"], "request_extension", deadline="2026-03-20", text="设备要采购")
    t.on(3, 9, "office-ma", ids["C"], "grant_extension", text="同意")
    t.on(3, 18, "dept-agri", ids["C"], "resolve", text="已更换滤料")
    t.on(3, 25, "office-ma", ids["C"], "look_back", finding="confirmed", text="回头看：水清了")

    ids["D"] = t.raise_issue(3, 5, "deputy-wang", "D 路灯不亮", category="agri")
    t.assign(3, 5, ids["D"], "water", "2026-03-19")
    t.on(3, 6, "dept-water", ids["D"], "resolve", text="已修")
    t.on(3, 7, "deputy-wang", ids["D"], "rate", satisfaction="unsatisfied", text="没修好")

    ids["E"] = t.raise_issue(3, 31, "deputy-li", "E 果园虫害", category="agri")
    t.assign(4, 1, ids["E"], "agri", "2026-04-05", hour=0, minute=10)
    t.on(4, 4, "dept-agri", ids["E"], "resolve", text="已防治")

    ids["F"] = t.raise_issue(4, 2, "deputy-wang", "F 道路积水")
    t.assign(4, 2, ids["F"], "water", "2026-04-16")
    t.on(4, 4, "dept-water", ids["F"], "resolve", text="已疏通")
    t.on(4, 5, "deputy-wang", ids["F"], "rate", satisfaction="satisfied", text="满意")
    t.on(4, 8, "office-ma", ids["F"], "look_back", finding="not_fixed", text="回头看：又积水了")

    ids["G"] = t.raise_issue(3, 8, "deputy-wang", "G 未交办")
    ids["H"] = t.raise_issue(3, 6, "deputy-wang", "H 重复")
    t.assign(3, 6, ids["H"], "water", "2026-03-20")
    t.on(3, 7, "office-ma", ids["H"], "merge", into=ids["A"], text="同一问题")
    ids["I"] = t.raise_issue(5, 6, "deputy-wang", "I 五月交办")
    t.assign(5, 6, ids["I"], "build", "2026-05-20")
    return ids


def named(ids, letters: str) -> tuple[str, ...]:
    return tuple(ids[x] for x in letters)


def test_the_first_quarter_counts_a_reopened_issue_and_one_confirmed_by_a_look_back(session, loop):
    total = loop_report(session, Period.quarter(2026, 1)).total
    assert total.assigned == named(loop, "ABCD")  # G never assigned, H merged, E assigned in April
    # 整改率: A (满意), B (基本满意 after 不满意), C (look-back) of A, B, C, D.
    assert total.rectification.numerator == named(loop, "ABC")
    assert total.rectification.denominator == named(loop, "ABCD")
    assert total.rectification.rest == named(loop, "D")
    assert total.rectification.percent == 75.0
    # 按期: A on 10 March (deadline 16), C on 18 March (extended to 20); B on 20 March (deadline 17) is late.
    assert total.on_time.numerator == named(loop, "AC") and total.on_time.denominator == named(loop, "ABC")
    assert total.on_time.percent == 66.6  # rounded down: 2 / 3
    # Days from the first assignment to the latest resolution: A 8, B 17, C 14.
    assert total.days_to_resolve.issue_ids == named(loop, "ABC")
    assert total.days_to_resolve.total_days == 39 and total.days_to_resolve.days == 13.0
    # Every rating, those that sent B and D back included.
    mix = total.satisfaction
    assert mix.counts == {"satisfied": 1, "basic": 1, "unsatisfied": 2} and mix.total == 4
    assert mix.issues("unsatisfied") == named(loop, "BD") and mix.issues("basic") == named(loop, "B")


def test_april_holds_the_issue_assigned_ten_minutes_after_midnight(session, loop):
    april = loop_report(session, Period.month(2026, 4)).total
    assert april.assigned == named(loop, "EF")  # E: 00:10 China time on 1 April, still 31 March in UTC
    assert april.rectification.numerator == ()  # E not rated; F sent back by its look-back
    assert april.rectification.percent == 0.0
    assert april.on_time.numerator == named(loop, "E") and april.on_time.percent == 100.0
    assert april.days_to_resolve.days == 3.0
    assert april.satisfaction.counts == {"satisfied": 1, "basic": 0, "unsatisfied": 0}
    march = loop_report(session, Period.month(2026, 3)).total
    assert march.assigned == named(loop, "ABCD")


def test_the_year_by_department_station_category_and_month(session, loop):
    report = loop_report(session, Period.whole_year(2026))
    total = report.total
    assert total.assigned == named(loop, "ABCDEFI")
    assert (len(total.rectification.numerator), len(total.rectification.denominator)) == (3, 7)
    assert total.rectification.percent == 42.8
    assert total.on_time.numerator == named(loop, "ACE") and total.on_time.percent == 75.0
    assert total.days_to_resolve.total_days == 42 and total.days_to_resolve.days == 10.5

    water, agri, build = report.by(Dimension.DEPARTMENT)[dept("water")], report.by(Dimension.DEPARTMENT)[dept("agri")], \
        report.by(Dimension.DEPARTMENT)[dept("build")]
    assert set(report.by(Dimension.DEPARTMENT)) == {dept("water"), dept("agri"), dept("build")}
    assert water.rectification == Ratio(named(loop, "AB"), named(loop, "ABDF"))
    assert water.on_time == Ratio(named(loop, "A"), named(loop, "AB"))
    assert water.days_to_resolve.days == 12.5  # (8 + 17) / 2
    assert water.satisfaction.counts == {"satisfied": 2, "basic": 1, "unsatisfied": 2}
    assert agri.rectification == Ratio(named(loop, "C"), named(loop, "CE")) and agri.on_time.percent == 100.0
    assert build.rectification.percent == 0.0 and build.on_time.percent is None
    assert build.days_to_resolve.days is None

    juyuan, qixing = stable_id("station", "juyuan"), stable_id("station", "qixing")
    assert {k: v.assigned for k, v in report.by(Dimension.STATION).items()} == {juyuan: named(loop, "ABDFI"),
                                                                     qixing: named(loop, "CE")}
    assert report.by(Dimension.STATION)[qixing].rectification.percent == 50.0
    roads, water_cat, agri_cat = (stable_id("category", c) for c in ("roads", "water", "agri"))
    assert {k: v.assigned for k, v in report.by(Dimension.CATEGORY).items()} == {
        roads: named(loop, "ABFI"), water_cat: named(loop, "C"), agri_cat: named(loop, "DE")}
    assert {k: len(v.rectification.numerator) for k, v in report.by(Dimension.CATEGORY).items()} == {
        roads: 2, water_cat: 1, agri_cat: 0}
    assert {k: v.assigned for k, v in report.by(Dimension.MONTH).items()} == {
        "2026-03": named(loop, "ABCD"), "2026-04": named(loop, "EF"), "2026-05": named(loop, "I")}
    assert loop_report(session, Period.quarter(2026, 2)).total.assigned == named(loop, "EFI")
    assert loop_report(session, Period.whole_year(2025)).total == figures_of([])
    assert first_assignment_day(session) == date(2026, 3, 2)


def test_a_rating_the_server_refused_does_not_count(session, loop):
    before = loop_report(session, Period.quarter(2026, 1)).total.satisfaction.counts
    session.add(RecordEvent(id="refused-rating", record_kind="issue", record_id=loop["A"], type="rate",
                            actor_id="someone-else", actor_role="deputy", payload={"satisfaction": "unsatisfied"},
                            created_at=datetime(2026, 3, 12, 2, tzinfo=timezone.utc), server_seq=None,
                            rejected_code="event.not_the_reporter"))
    session.commit()
    assert loop_report(session, Period.quarter(2026, 1)).total.satisfaction.counts == before


def test_a_rating_still_waiting_that_the_rules_would_refuse_does_not_count(session, loop):
    # Written straight into the timeline as a second device's rating would arrive: a second 满意 on A,
    # which is rated already, so folding its timeline refuses it.
    session.add(RecordEvent(id="late-rating", record_kind="issue", record_id=loop["A"], type="rate",
                            actor_id=stable_id("person", "deputy-wang"), actor_role="deputy",
                            payload={"satisfaction": "unsatisfied", "text": "x"},
                            created_at=datetime(2026, 3, 12, 2, tzinfo=timezone.utc)))
    session.commit()
    assert loop_report(session, Period.quarter(2026, 1)).total.satisfaction.counts == {
        "satisfied": 1, "basic": 1, "unsatisfied": 2}


def test_figures_of_nothing_have_no_rates():
    empty = figures_of([])
    assert empty.rectification.percent is None and empty.on_time.percent is None
    assert empty.days_to_resolve.days is None and empty.satisfaction.total == 0


def test_rates_are_rounded_down_so_a_hundred_means_all():
    assert Ratio(tuple(str(i) for i in range(1999)), tuple(str(i) for i in range(2000))).percent == 99.9
    assert Ratio(("a", "b"), ("a", "b")).percent == 100.0
    assert Ratio(("a",), ("a", "b", "c")).percent == 33.3


def test_an_issue_without_a_deadline_is_not_counted_late_or_on_time():
    facts = [IssueFacts(id="x", assigned_on=date(2026, 3, 1), status="resolved", resolved_on=date(2026, 3, 9)),
             IssueFacts(id="y", assigned_on=date(2026, 3, 1), status="rated", resolved_on=date(2026, 3, 2),
                        deadline=date(2026, 3, 1), ratings=("satisfied",))]
    figures = figures_of(facts)
    assert figures.on_time == Ratio((), ("y",))  # y a day late; x has no deadline
    assert figures.days_to_resolve.days == 4.5  # both resolved: (8 + 1) / 2
    assert breakdown(facts, Dimension.MONTH).keys() == {"2026-03"}


def test_periods():
    day = date(2026, 11, 30)
    assert Period.containing(PeriodKind.MONTH, day).key == "2026-11"
    assert Period.containing("quarter", day) == Period.quarter(2026, 4)
    assert Period.quarter(2026, 4).end_day == date(2027, 1, 1)
    assert Period.month(2026, 12).end_day == date(2027, 1, 1)
    assert [p.key for p in Period.quarter(2026, 2).months()] == ["2026-04", "2026-05", "2026-06"]
    assert len(Period.whole_year(2026).months()) == 12
    assert all(Period.parse(p.key) == p for p in (Period.month(2026, 3), Period.quarter(2026, 3),
                                                  Period.whole_year(2026)))
    start, end = Period.month(2026, 4).bounds_utc()
    assert start == datetime(2026, 3, 31, 16, tzinfo=timezone.utc)
    assert end == datetime(2026, 4, 30, 16, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        Period.month(2026, 13)


# ---------------------------------------------------------------- the demo township

DEMO_NOW = datetime(2026, 5, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in 桔园镇


@pytest.fixture
def demo(session):
    seed_demo(session, now=DEMO_NOW)
    return {i.title: i.id for i in session.exec(select(Issue))}


def test_the_demo_township_figures(session, demo):
    report = loop_report(session, Period.whole_year(2026))
    total = report.total
    # 12 issues assigned (the others never assigned, returned or merged); 3 rated or confirmed.
    assert len(total.assigned) == 12
    assert {demo_title(demo, i) for i in total.rectification.numerator} == {
        "农村饮用水雨后浑浊", "学校食堂排烟管道油污较多", "山体有滑坡隐患"}
    assert total.rectification.percent == 25.0
    # Resolved: 14, 18 (late: deadline 14 days after its assignment), 9, 1 and 12 days after assignment.
    assert (len(total.on_time.numerator), len(total.on_time.denominator)) == (4, 5)
    assert demo_title(demo, total.on_time.rest[0]) == "柑桔溃疡病防控需要技术指导"
    assert total.days_to_resolve.total_days == 54 and total.days_to_resolve.days == 10.8
    assert total.satisfaction.counts == {"satisfied": 2, "basic": 1, "unsatisfied": 0}

    water = report.by(Dimension.DEPARTMENT)[dept("water")]
    assert (len(water.rectification.numerator), len(water.rectification.denominator)) == (1, 3)
    assert water.on_time.percent == 100.0 and water.days_to_resolve.days == 7.5
    assert {k: len(v.assigned) for k, v in report.by(Dimension.MONTH).items()} == {"2026-03": 2, "2026-04": 4, "2026-05": 6}
    may = loop_report(session, Period.month(2026, 5)).total
    assert len(may.assigned) == 6 and may.rectification.percent == 0.0
    assert loop_report(session, Period.quarter(2026, 2)).total.rectification.percent == 20.0  # 2 of 10


def test_the_demo_facts_agree_with_the_issue_columns(session, demo):
    facts = issue_facts(session, Period.whole_year(2026))
    for fact in facts:
        issue = session.get(Issue, fact.id)
        assert fact.status == issue.status and fact.deadline == issue.deadline
        assert fact.resolved_on == (issue.resolved_at.astimezone(CHINA).date() if issue.resolved_at else None)
        assert fact.ratings == ((issue.satisfaction,) if issue.satisfaction else ())


def demo_title(demo, issue_id: str) -> str:
    return next(title for title, i in demo.items() if i == issue_id)
