"""Demo livelihood projects for 桔园镇: 2024's eleven opinions, its vote, three projects tasked, inspected, rated;
and this year's first opinions, proposed from issues, waiting for the office to shape them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from sqlmodel import Session, select

from app.actors import Actor
from app.ids import new_id
from app.issues import Issue
from app.models import Person
from app.projects import BALLOT, OPINION, PROJECT, TASK, Ballot, Opinion
from app.projects._model import BallotCreate, OpinionCreate, ProjectCreate, TaskCreate
from app.records import EventBody, add_event, add_record
from app.reference import stable_id

YEAR = 2024
CHINA = timezone(timedelta(hours=8))
DEPUTIES = ("deputy-wang", "deputy-li", "deputy-zhang", "deputy-liu", "deputy-chen", "deputy-yang", "deputy-zhao",
            "deputy-zhou")

# 2024's project opinions, collected through the stations before the session: author, station, day, title, text.
OPINIONS = (
    ("deputy-liu", "liulin", "2023-10-12", "柳林村二组村道硬化", "二组一点二公里村道还是泥巴路，雨天学生上学、农产品外运都难。"),
    ("deputy-zhang", "zaoyuan", "2023-10-20", "枣园村机耕道硬化", "通往二组农田的机耕道坑洼塌陷，收割机进不去。"),
    ("deputy-wang", "juyuan", "2023-11-02", "桔园村三组生产便道硬化", "柑桔园生产便道窄而烂，采果季运果困难。"),
    ("deputy-li", "qixing", "2023-10-25", "七星村五组供水点过滤设施维修", "雨后自来水浑浊，过滤池年久失修。"),
    ("deputy-yang", "heba", "2023-11-08", "河坝村一组供水主管道更换", "主管道老化，一年破裂三次，停水影响一百多户。"),
    ("staff-hu", "juyuan", "2023-11-15", "桔园村三组蓄水池维修", "蓄水池渗漏，旱季存不住水。"),
    ("deputy-zhao", "shimen", "2023-11-20", "石门村文化广场安装路灯", "广场晚上没有照明，群众活动不便也不安全。"),
    ("deputy-zhou", "centre", "2023-11-22", "镇中心小学门口交通安全设施", "校门口紧邻县道，缺减速带和警示标志。"),
    ("deputy-chen", "xinzhuang", "2023-11-28", "柑桔病虫害绿色防控示范", "红蜘蛛、溃疡病年年发生，希望建绿色防控示范片。"),
    ("deputy-zhao", "shimen", "2023-12-05", "石门村河道清淤", "桥下河道淤积，汛期排水不畅。"),
    ("deputy-wang", "juyuan", "2023-12-08", "桔园村三组灌溉渠道清淤", "灌溉渠道淤堵，抗旱时水引不进来。"),
)

# The candidates the office shaped from them: title, opinions (by index), place, cost (万元), funding, beneficiaries,
# end date, the votes for / against / abstain of the eight deputies.
CANDIDATES = (
    ("村组道路硬化工程", (0, 1, 2), "柳林村二组、枣园村二组、桔园村三组", 113.0, "县级交通补助资金 + 镇财政配套",
     "三个村民小组 860 户", "2024-11-30", (8, 0, 0)),
    ("农村供水设施维修改造", (3, 4, 5), "七星村五组、河坝村一组、桔园村三组", 62.0, "县水利专项资金 + 镇财政配套",
     "1200 余户群众", "2024-10-31", (7, 0, 1)),
    ("公共照明和校园周边交通安全设施", (6, 7), "石门村文化广场、镇中心小学", 8.0, "镇财政", "石门村群众和镇中心小学师生",
     "2024-12-31", (6, 1, 1)),
    ("柑桔病虫害绿色防控示范片", (8,), "新庄村柑桔示范园", 15.0, "县农业农村局项目资金", "示范园周边果农 300 户",
     "2024-12-31", (3, 2, 3)),
    ("河渠清淤整治", (9, 10), "石门村河道、桔园村三组渠道", 20.0, "镇财政", "沿河沿渠农户", "2024-10-31", (4, 2, 2)),
)

# Tasks of the three chosen projects: project, title, unit kind, unit, person, deadline, budget, then the reports
# as (who, day, type, percent, spent, text).
TASKS = (
    (0, "柳林村二组村道硬化 1.2 公里", "department", "build", "罗明", "2024-09-30", 48.0,
     (("dept-build", "2024-05-20", "progress", 40, 18.0, "路基平整完成，开始铺筑基层。"),
      ("dept-build", "2024-09-25", "done", 100, 46.5, "完成硬化 1.2 公里，已通过验收。"))),
    (0, "枣园村二组机耕道硬化", "department", "build", "罗明", "2024-10-31", 40.0,
     (("dept-build", "2024-06-10", "progress", 30, 12.0, "塌陷路段回填完成。"),
      ("dept-build", "2024-11-08", "done", 100, 41.0, "雨季影响工期，十一月初完成硬化。"))),
    (0, "桔园村三组生产便道硬化", "station", "juyuan", "胡小红", "2024-11-30", 25.0,
     (("staff-hu", "2024-11-20", "done", 100, 24.0, "生产便道硬化完成，采果车辆可直达果园。"),)),
    (1, "七星村五组过滤池改造", "department", "water", "何永平", "2024-06-30", 20.0,
     (("dept-water", "2024-06-25", "done", 100, 19.5, "更换滤料、新建沉淀池，水质复检合格。"),)),
    (1, "河坝村一组供水主管道更换", "department", "water", "何永平", "2024-08-31", 30.0,
     (("dept-water", "2024-05-30", "progress", 50, 14.0, "已更换主管道一千米。"),
      ("dept-water", "2024-08-28", "done", 100, 31.2, "主管道全部更换，恢复正常供水。"))),
    (1, "桔园村三组蓄水池防渗维修", "department", "water", "何永平", "2024-10-31", 12.0,
     (("dept-water", "2024-10-15", "done", 100, 11.0, "蓄水池防渗处理完成。"),)),
    (2, "石门村文化广场安装路灯 12 盏", "station", "shimen", "赵德全", "2024-07-31", 5.0,
     (("deputy-zhao", "2024-07-20", "done", 100, 4.6, "十二盏太阳能路灯安装完成。"),)),
    (2, "镇中心小学门口减速带和警示标志", "department", "safety", "高峰", "2024-05-31", 3.0,
     (("dept-safety", "2024-05-28", "done", 100, 2.8, "设置减速带两道、警示标志四块。"),)),
)

# Inspections of the chosen projects by deputies: project, who, day, stage, findings.
INSPECTIONS = (
    (0, "deputy-zhou", "2024-06-28", "mid_year", "柳林村段路基已完成，枣园村段进度偏慢，建议加派机械，确保雨季前完成基层。"),
    (1, "deputy-li", "2024-06-28", "mid_year", "七星村过滤池已投用，水质明显好转；河坝村管道更换过半。"),
    (0, "deputy-liu", "2024-12-10", "year_end", "三段道路全部完工，质量良好，群众满意。"),
    (1, "deputy-yang", "2024-12-10", "year_end", "三处供水设施全部完工，供水稳定。"),
    (2, "deputy-zhao", "2024-12-10", "year_end", "路灯和校门口安全设施运行正常。"),
)

# The two satisfaction ratings: title, day, then satisfied / basic / unsatisfied for each chosen project.
RATINGS = (
    ("2024年民生实事项目年中满意度测评", "2024-07-05", ((5, 3, 0), (6, 2, 0), (4, 3, 1))),
    ("2024年民生实事项目年底满意度测评", "2024-12-18", ((7, 1, 0), (7, 1, 0), (6, 2, 0))),
)

# This year's first opinions, proposed from issues on the deputies' phones: author, issue title, opinion title, days ago.
THIS_YEAR = (
    ("deputy-liu", "村道硬化未完工，雨天泥泞", "柳林村二组剩余四百米村道硬化", 2),
    ("deputy-wang", "抗旱水源不足，柑桔园灌溉困难", "桔园村三组抗旱水源工程", 10),
    ("deputy-wang", "校门口道路缺少减速带和警示标志", "桔园村小学校门口交通安全设施", 1),
    ("deputy-zhao", "文化广场路灯损坏", "石门村文化广场路灯维修", 3),
    ("deputy-chen", None, "新庄村柑桔冷藏保鲜库", 20),
)


def at(day: str, hour: int = 10) -> datetime:
    """A day in China at an hour of the working day, as the store keeps it (UTC)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=CHINA).astimezone(timezone.utc)


def seed_projects(session: Session, people: Mapping[str, Person], *, now: datetime) -> None:
    """Add the demo projects once, beside the demo issues; no commit."""
    if session.exec(select(Opinion).limit(1)).first() is not None:
        return
    actor = {code: Actor.of(person) for code, person in people.items()}
    office = actor["office-ma"]
    opinions = [add_record(session, OPINION, OpinionCreate(
        id=new_id(), event_id=new_id(), created_at=at(day), title=title, text=text,
        station_id=stable_id("station", station)), actor=actor[who]).id
        for who, station, day, title, text in OPINIONS]
    projects = []
    for number, (title, merged, place, cost, funding, beneficiaries, end, _votes) in enumerate(CANDIDATES):
        made = at("2023-12-20", 9 + number)
        project = add_record(session, PROJECT, ProjectCreate(
            id=new_id(), event_id=new_id(), created_at=made, title=title, year=YEAR, place_name=place,
            estimated_cost=cost, funding_source=funding, beneficiaries=beneficiaries, end_date=date.fromisoformat(end),
            description="；".join(OPINIONS[i][4].rstrip("。") for i in merged) + "。",
            opinion_ids=[opinions[i] for i in merged]), actor=office)
        for i in merged:
            _event(session, OPINION, opinions[i], office, made, "merge", {"project_id": project.id})
        projects.append(project.id)
    roll = [people[code].id for code in DEPUTIES]
    vote = _round(session, office, title="2024年民生实事项目票决", day="2024-01-18", purpose="vote", roll=roll,
                  candidates=projects, to_choose=3,
                  tallies={p: dict(zip(("for", "against", "abstain"), c[7])) for p, c in zip(projects, CANDIDATES)})
    for project_id in projects:
        adopted = project_id in (session.get(Ballot, vote).chosen_ids or [])
        _event(session, PROJECT, project_id, office, at("2024-01-19"), "adopt" if adopted else "decline",
               {"ballot_id": vote})
    chosen = projects[:3]
    for index, title, unit_kind, unit, person, deadline, budget, reports in TASKS:
        task = add_record(session, TASK, TaskCreate(
            id=new_id(), event_id=new_id(), created_at=at("2024-02-20", 9 + index), project_id=chosen[index],
            title=title, unit_kind=unit_kind, unit_id=stable_id(unit_kind, unit), person=person,
            deadline=date.fromisoformat(deadline), budget=budget), actor=office)
        for who, day, type_, percent, spent, text in reports:
            _event(session, TASK, task.id, actor[who], at(day, 16), type_,
                   {"text": text, "percent": percent, "spent": spent})
    for index, who, day, stage, text in INSPECTIONS:
        _event(session, PROJECT, chosen[index], actor[who], at(day, 15), "inspect", {"stage": stage, "text": text})
    for title, day, counts in RATINGS:
        _round(session, office, title=title, day=day, purpose="rating", roll=roll, candidates=chosen,
               tallies={p: dict(zip(("satisfied", "basic", "unsatisfied"), c)) for p, c in zip(chosen, counts)})
    for project_id in chosen:
        _event(session, PROJECT, project_id, office, at("2024-12-25"), "complete",
               {"text": "经年底视察和满意度测评，项目按计划完成。"})
    titles = {i.title: i for i in session.exec(select(Issue))}
    for who, issue_title, title, days_ago in THIS_YEAR:
        issue = titles.get(issue_title) if issue_title else None
        add_record(session, OPINION, OpinionCreate(
            id=new_id(), event_id=new_id(), created_at=now - timedelta(days=days_ago, hours=3), title=title,
            text=issue.description if issue else "新庄村柑桔集中上市时价格低，希望建一座冷藏保鲜库错峰销售。",
            issue_id=issue.id if issue else None, station_id=people[who].station_id), actor=actor[who])


def _round(session: Session, office: Actor, *, title: str, day: str, purpose: str, roll: list[str],
           candidates: list[str], tallies: dict[str, dict[str, int]], to_choose: int = 0) -> str:
    """A round held at a session: every deputy checked in and voted on the phone; the store's counts at the close."""
    ballot = add_record(session, BALLOT, BallotCreate(
        id=new_id(), event_id=new_id(), created_at=at(day, 8), title=title, purpose=purpose, year=YEAR,
        to_choose=to_choose, candidate_ids=candidates, roll_ids=roll), actor=office)
    for minute, person in enumerate(roll):
        _event(session, BALLOT, ballot.id, office, at(day, 9) + timedelta(minutes=minute), "check_in",
               {"person_id": person})
    _event(session, BALLOT, ballot.id, office, at(day, 10), "open", {})
    _event(session, BALLOT, ballot.id, office, at(day, 11), "close", {"tallies": tallies, "voters": sorted(roll)})
    ballot.voted = len(roll)
    session.add(ballot)
    session.flush()
    return ballot.id


def _event(session: Session, kind: Any, record_id: str, actor: Actor, when: datetime, type_: str,
           payload: dict[str, Any]) -> None:
    add_event(session, kind, EventBody(id=new_id(), record_id=record_id, type=type_, payload=payload,
                                       created_at=when), actor=actor)
