"""The demo township's year on record (2024): what 桔园镇's published report counts, held as records.

With the demo loaded, the year's figures come out as the report gives them: 1 centre and 7
area stations, 3 inspections and appraisals of key work, 2 training sessions for station
staff, 8 duty reports, 69 quiz attempts, 120 and more people received, 30 and more
problems solved, 3 voted projects and 2 satisfaction ratings (app.demo_projects), look-backs
with every problem rectified, 11 project opinions (app.demo_projects). Every record is
made through the engine, with its timeline, as the phones would have made it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from sqlmodel import Session, select

from app.actors import Actor, Role
from app.duty import DUTY_REPORT, REPORT_CALL
from app.duty._model import DutyReportCreate, ReportCallCreate
from app.ids import new_id
from app.inspections import INSPECTION, latest_template
from app.inspections._model import InspectionCreate
from app.issues import ISSUE, IssueDraft, IssueSource, PlaceType, create_body
from app.models import Person
from app.quiz import ATTEMPT, QUIZ, QuizAttempt, QuizQuestion, builtin_banks, draw, mark, options_of, question_id
from app.quiz._model import AttemptCreate, QuizCreate
from app.receptions import RECEPTION, reception_dates
from app.receptions._model import ReceptionCreate
from app.records import EventBody, add_event, add_history
from app.reference import add_person, stable_id
from app.trainings import TRAINING, Training
from app.trainings._model import TrainingCreate

YEAR = 2024
CHINA = timezone(timedelta(hours=8))
STATIONS = ("centre", "juyuan", "qixing", "zaoyuan", "liulin", "xinzhuang", "heba", "shimen")
NAMED_DEPUTIES = ("deputy-wang", "deputy-li", "deputy-zhang", "deputy-liu", "deputy-chen", "deputy-yang",
                  "deputy-zhao", "deputy-zhou")

# The township's other deputies (61 with the eight above: 69 took the quiz), named, each with a station.
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = ("建国", "秀兰", "志强", "桂芳", "明华", "春梅", "德明", "玉兰", "国庆", "海燕", "永红", "丽华", "长青", "淑珍",
          "建军", "红梅", "文斌", "小燕", "卫东", "金凤", "家富", "翠英", "世杰", "晓红", "平安", "凤英", "正刚", "月娥",
          "学军", "玉梅", "新民", "春兰", "宏伟", "美玲", "光明", "素芬", "振华", "桂英", "立新", "彩霞", "庆丰", "爱华",
          "忠义", "巧云", "福生", "秀云", "天明", "艳丽", "俊杰", "春花", "和平", "冬梅", "兴旺", "慧敏", "富强", "玉珍",
          "勇刚", "兰英", "胜利", "小琴", "守成")


def other_deputies() -> list[tuple[str, str, str]]:
    """(code, name, station) of the township's other 61 deputies: the same names on every store."""
    rng = random.Random(2024)
    surnames = rng.sample(_SURNAMES, len(_GIVEN))
    return [(f"deputy-{n:02d}", surnames[n - 1] + given, STATIONS[n % len(STATIONS)])
            for n, given in enumerate(_GIVEN, start=1)]


def at(day: date | str, hour: int = 10, minute: int = 0) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA).astimezone(timezone.utc)


def _later(session: Session, kind: Any, record_id: str, actor: Actor, type_: str, payload: Mapping[str, Any],
           when: datetime) -> None:
    """An event on a record after others were added that needed it as it was."""
    add_event(session, kind, EventBody(id=new_id(), record_id=record_id, type=type_, payload=dict(payload),
                                       created_at=when), actor=actor)


def _record(session: Session, kind: Any, body: Any, actor: Actor,
            steps: list[tuple[Actor, str, Mapping[str, Any], datetime]] = ()) -> Any:
    """Add a record with its timeline: (who, event type, payload, when) in the order they happened."""
    return add_history(session, kind, body, actor=actor, events=[
        (by, EventBody(id=new_id(), record_id=body.id, type=type_, payload=dict(payload), created_at=when))
        for by, type_, payload, when in steps])


# ---------------------------------------------------------------- the year's problems, solved and looked back at

# station, reporter, category, place type, place, title, description, month, day, department, resolution,
# satisfaction, look-back (None, "confirmed", or "fixed_later": not fixed at the first look-back, then confirmed).
PROBLEMS = (
    ("juyuan", "deputy-wang", "water", PlaceType.ORCHARD, "桔园村三组", "伏旱期间柑桔园灌溉用水紧张",
     "七月连续晴热，三组蓄水池见底，二百亩柑桔园缺水。", 7, 16, "water", "协调抽水泵两台，从河坝引水抗旱。", "satisfied", "confirmed"),
    ("qixing", "deputy-li", "water", PlaceType.VILLAGE, "七星村五组", "集中供水点水质浑浊",
     "雨后自来水浑浊，群众不敢饮用。", 4, 15, "water", "更换过滤池滤料并清洗蓄水池，复检合格。", "satisfied", "confirmed"),
    ("heba", "deputy-yang", "water", PlaceType.VILLAGE, "河坝村一组", "供水主管道破裂停水",
     "主管道老化破裂，一百多户停水。", 3, 8, "water", "抢修更换管道八十米，当天恢复供水。", "satisfied", "confirmed"),
    ("shimen", "deputy-zhao", "water", PlaceType.VILLAGE, "石门村四组", "山坪塘渗漏蓄不住水",
     "塘坝渗漏，旱季无水可用。", 5, 20, "water", "完成塘坝防渗处理。", "basic", "fixed_later"),
    ("zaoyuan", "deputy-zhang", "water", PlaceType.VILLAGE, "枣园村一组", "饮水井周边有生活垃圾",
     "水源井旁堆放垃圾，存在污染隐患。", 6, 3, "eco", "清运垃圾并设置水源保护围栏和警示牌。", "satisfied", "confirmed"),
    ("liulin", "deputy-liu", "water", PlaceType.VILLAGE, "柳林村三组", "高处农户水压不足",
     "高处八户经常停水。", 8, 15, "water", "加装增压泵，供水正常。", "satisfied", None),
    ("xinzhuang", "deputy-chen", "water", PlaceType.ORCHARD, "新庄村柑桔示范园", "灌溉渠道淤塞",
     "渠道淤塞，抗旱引水困难。", 7, 22, "water", "组织清淤一点五公里。", "satisfied", "confirmed"),
    ("centre", "deputy-zhou", "water", PlaceType.SCHOOL, "镇中心小学", "学校直饮水设备滤芯过期",
     "直饮水机滤芯超期未换。", 9, 5, "school", "更换全部滤芯并建立更换台账。", "satisfied", "confirmed"),
    ("juyuan", "staff-hu", "water", PlaceType.VILLAGE, "桔园村二组", "自来水管入户接口漏水",
     "十余户接口漏水，水费纠纷多。", 10, 15, "water", "统一更换入户接口。", "basic", None),
    ("qixing", "deputy-li", "water", PlaceType.VILLAGE, "七星村二组", "抗旱应急水源不足",
     "二组无备用水源。", 8, 2, "water", "新打抗旱应急井一口。", "satisfied", None),
    ("zaoyuan", "deputy-zhang", "eco", PlaceType.VILLAGE, "枣园村河段", "河道漂浮垃圾多",
     "雨后河面垃圾堆积。", 5, 15, "eco", "清理河道并落实河长巡河。", "satisfied", "confirmed"),
    ("shimen", "deputy-zhao", "eco", PlaceType.VILLAGE, "石门村桥下", "河道倾倒建筑垃圾",
     "有人在桥下倾倒建筑垃圾。", 4, 9, "eco", "清运建筑垃圾四十方，设立监控。", "satisfied", "fixed_later"),
    ("heba", "deputy-yang", "eco", PlaceType.ENTERPRISE, "河坝村养殖场", "养殖场污水直排",
     "养殖场污水流入农田。", 6, 17, "eco", "督促建设沼气池和储粪池，污水不再外排。", "basic", "confirmed"),
    ("liulin", "deputy-liu", "eco", PlaceType.VILLAGE, "柳林村一组", "秸秆焚烧烟雾扰民",
     "夏收后焚烧秸秆。", 6, 10, "eco", "开展禁烧宣传，推广秸秆还田。", "satisfied", None),
    ("xinzhuang", "deputy-chen", "eco", PlaceType.VILLAGE, "新庄村", "农药包装废弃物随意丢弃",
     "果园地头农药瓶袋随处可见。", 3, 15, "agri", "设立回收点十个，定期集中回收。", "satisfied", "confirmed"),
    ("centre", "deputy-zhou", "eco", PlaceType.VILLAGE, "镇街道", "街道垃圾清运不及时",
     "集镇垃圾桶满溢。", 11, 15, "eco", "增加清运频次为每日两次。", "satisfied", None),
    ("liulin", "deputy-liu", "roads", PlaceType.VILLAGE, "柳林村二组", "村道坑洼积水",
     "雨天积水，学生上学不便。", 2, 18, "build", "修补路面坑槽三百平方米。", "satisfied", None),
    ("zaoyuan", "deputy-zhang", "roads", PlaceType.FARMLAND, "枣园村机耕道", "机耕道塌陷",
     "收割机无法通行。", 9, 12, "build", "修复塌陷路段并疏通排水沟。", "satisfied", "confirmed"),
    ("centre", "deputy-zhou", "roads", PlaceType.SCHOOL, "镇中心小学门口", "校门口缺少减速带",
     "车辆车速快，学生过马路危险。", 3, 4, "safety", "安装减速带和警示标志。", "satisfied", "confirmed"),
    ("shimen", "deputy-zhao", "roads", PlaceType.VILLAGE, "石门村", "村道护栏损毁",
     "临崖路段护栏缺失。", 10, 8, "build", "补装波形护栏一百二十米。", "satisfied", None),
    ("juyuan", "deputy-wang", "agri", PlaceType.ORCHARD, "桔园村三组", "柑桔红蜘蛛防治技术缺乏",
     "果农用药不对症。", 4, 22, "agri", "组织农技人员现场指导两次。", "satisfied", None),
    ("heba", "deputy-yang", "agri", PlaceType.ORCHARD, "河坝村柑桔园", "柑桔溃疡病防控",
     "部分果园出现溃疡病斑。", 5, 6, "agri", "举办防控技术培训，发放资料一百二十份。", "satisfied", None),
    ("xinzhuang", "deputy-chen", "agri", PlaceType.ORCHARD, "新庄村", "柑桔销售渠道单一",
     "上市集中，价格偏低。", 11, 20, "agri", "对接电商平台和县果业局，组织线上销售。", "basic", None),
    ("qixing", "deputy-li", "agri", PlaceType.FARMLAND, "七星村", "高标准农田灌溉设施损坏",
     "部分闸阀损坏。", 6, 25, "agri", "维修闸阀十二处。", "satisfied", None),
    ("centre", "deputy-zhou", "school", PlaceType.SCHOOL, "镇中心小学", "学校食堂消毒记录不全",
     "消毒柜使用记录缺失。", 9, 20, "school", "完善消毒制度并每日记录。", "satisfied", "confirmed"),
    ("centre", "staff-sun", "school", PlaceType.SCHOOL, "镇中心小学", "教学楼灭火器过期",
     "三楼灭火器超过检验期。", 9, 20, "school", "更换灭火器二十具。", "satisfied", "confirmed"),
    ("juyuan", "deputy-wang", "school", PlaceType.SCHOOL, "桔园村小学", "学校围墙开裂",
     "围墙有裂缝，存在倒塌隐患。", 10, 10, "school", "拆除重建危险墙段。", "satisfied", None),
    ("zaoyuan", "deputy-zhang", "safety", PlaceType.ENTERPRISE, "枣园村砖厂", "企业安全通道堆放杂物",
     "安全通道被占用。", 5, 28, "safety", "督促企业清理通道并整改。", "satisfied", "confirmed"),
    ("heba", "deputy-yang", "safety", PlaceType.VILLAGE, "河坝村", "地质灾害隐患点缺少警示",
     "滑坡隐患点无警示牌。", 7, 2, "land", "设置警示牌并落实监测员。", "satisfied", None),
    ("liulin", "deputy-liu", "land", PlaceType.FARMLAND, "柳林村四组", "耕地被违规堆放砂石",
     "占用耕地堆放砂石。", 8, 20, "land", "清除砂石并恢复耕种条件。", "satisfied", "confirmed"),
    ("shimen", "deputy-zhao", "land", PlaceType.FARMLAND, "石门村二组", "耕地占补平衡地块撂荒",
     "补充耕地未耕种。", 4, 25, "land", "落实承包户复耕。", "basic", "confirmed"),
    ("xinzhuang", "deputy-chen", "other", PlaceType.VILLAGE, "新庄村", "村卫生室缺少常用药",
     "老人买药要到镇上。", 12, 2, "school", "协调镇卫生院定期配送常用药。", "satisfied", None),
)


def _problems(session: Session, people: Mapping[str, Person], actor: Mapping[str, Actor]) -> None:
    office = actor["office-ma"]
    heads = {"water": "dept-water", "eco": "dept-eco", "build": "dept-build", "agri": "dept-agri",
             "school": "dept-school", "safety": "dept-safety", "land": "dept-land"}
    for n, (station, who, category, place_type, place, title, text, month, day, dept, resolution, satisfaction,
            look) in enumerate(PROBLEMS):
        start = at(date(YEAR, month, day), 9, n % 50)
        draft = IssueDraft(title=title, category_id=stable_id("category", category), description=text,
                           place_type=place_type.value, place_name=place, source=IssueSource.VISIT.value,
                           station_id=stable_id("station", station))
        handler = actor[heads[dept]]
        steps = [(office, "assign", {"department_id": stable_id("department", dept),
                                      "deadline": (date(YEAR, month, day) + timedelta(days=20)).isoformat(),
                                      "text": "请按期办理并书面答复。"}, 1),
                 (handler, "acknowledge", {}, 2), (handler, "resolve", {"text": resolution}, 9),
                 (actor[who], "rate", {"satisfaction": satisfaction, "text": "群众认可。"}, 12)]
        if look == "fixed_later":
            steps += [(actor[who], "look_back", {"finding": "not_fixed", "text": "回头看：问题有反弹，需继续整改。"}, 30),
                      (handler, "resolve", {"text": "再次整改完成，建立长效管护机制。"}, 40),
                      (actor[who], "look_back", {"finding": "confirmed", "text": "回头看：整改到位。"}, 55)]
        elif look == "confirmed":
            steps.append((actor[who], "look_back", {"finding": "confirmed", "text": "回头看：整改到位，群众满意。"}, 40))
        _record(session, ISSUE, create_body(draft, created_at=start), actor[who],
                [(by, kind, payload, min(start + timedelta(days=after, hours=step), at(date(YEAR, 12, 28), 16)))
                 for step, (by, kind, payload, after) in enumerate(steps)])


# ---------------------------------------------------------------- reception days: 126 people received

def _receptions(session: Session, people: Mapping[str, Person], actor: Mapping[str, Actor]) -> None:
    staff = {"centre": "staff-sun", "juyuan": "staff-hu"}
    duty = {s: [d for d in NAMED_DEPUTIES if people[d].station_id == stable_id("station", s)] for s in STATIONS}
    rng = random.Random(15)
    villages = {"centre": "集镇", "juyuan": "桔园村", "qixing": "七星村", "zaoyuan": "枣园村", "liulin": "柳林村",
                "xinzhuang": "新庄村", "heba": "河坝村", "shimen": "石门村"}
    concerns = ("反映灌溉用水紧张", "咨询医保缴费", "反映村道坑洼", "咨询柑桔补贴政策", "反映饮用水浑浊", "反映垃圾清运不及时",
                "咨询危房改造政策", "反映路灯不亮", "咨询养老保险", "反映邻里土地纠纷")
    received = 0
    for day in reception_dates(YEAR)[:11]:  # January to November; December's falls after the summary is written
        for station in STATIONS:
            recorder = actor[staff.get(station) or (duty[station] or ["deputy-zhou"])[0]]
            steps = [(recorder, "attend", {"person_id": people[d].id}, at(day, 8, 30)) for d in duty[station]]
            for v in range(1 + (rng.random() < 0.45)):
                concern = {"id": new_id(), "text": rng.choice(concerns)}
                visitor = {"id": new_id(), "name": "", "phone": "", "village": villages[station]}
                steps += [(recorder, "receive", {"visitor": visitor, "concerns": [concern]}, at(day, 9, 10 * v)),
                          (recorder, "answer", {"concern_id": concern["id"], "text": "已当场解释政策，群众表示理解。"},
                           at(day, 9, 10 * v + 5))]
                received += 1
            _record(session, RECEPTION, ReceptionCreate(  # on the schedule the office made
                id=new_id(), event_id=new_id(), created_at=at(date(YEAR - 1, 12, 20), 9),
                station_id=stable_id("station", station), day=day, scheduled=True,
                duty_deputy_ids=[people[d].id for d in duty[station]]), actor["office-ma"], steps)
    assert received >= 120, received  # the seed above is fixed: this holds the figure the report gives


# ---------------------------------------------------------------- inspections and appraisals of key work

INSPECTIONS = (
    ("school-safety", "镇中心小学校园安全实地视察", "镇中心小学", "centre", "deputy-zhou",
     ("deputy-chen", "deputy-yang"), "2024-09-20"),
    ("school-safety", "桔园村小学校园安全实地视察", "桔园村小学", "juyuan", "deputy-wang", ("deputy-li",), "2024-10-10"),
    ("citrus-orchard", "柑桔产业专门小组示范园视察", "新庄村柑桔示范园", "xinzhuang", "deputy-chen",
     ("deputy-yang", "deputy-zhou"), "2024-05-14"),
)


def _inspections(session: Session, people: Mapping[str, Person], actor: Mapping[str, Actor]) -> None:
    for template_id, title, place, station, lead, others, day in INSPECTIONS:
        template = latest_template(session, template_id)
        if template is None:
            continue
        steps, minute = [], 0
        for section in template.sections:
            for item in section.items:
                fine = [answer for answer in item.scores if answer not in item.flagged]
                if item.type in ("pass_fail", "yes_no") and item.show_if is None and fine:
                    minute += 1
                    steps.append((actor[lead], "answer", {"item_id": item.id, "value": fine[0], "note": "",
                                                          "photos": []}, at(day, 9) + timedelta(minutes=minute)))
        steps.append((actor[lead], "sign_off", {}, at(day, 12)))
        _record(session, INSPECTION, InspectionCreate(
            id=new_id(), event_id=new_id(), created_at=at(day, 9), template=template, title=title, place_name=place,
            place_type=template.place_type, station_id=stable_id("station", station),
            participant_ids=[people[o].id for o in others]), actor[lead], steps)


# ---------------------------------------------------------------- trainings, duty reports, the quiz

def _trainings(session: Session, people: Mapping[str, Person], actor: Mapping[str, Actor]) -> None:
    office, staff = actor["office-ma"], ["staff-sun", "staff-hu"]
    invited = [people[c].id for c in (*staff, *NAMED_DEPUTIES)]
    for day, title, trainer, materials in (
            ("2024-03-20", "代表联络站工作人员业务培训：接待、记录与问题交办", "县人大常委会代表工作室 张主任",
             "《代表联络站工作制度》《接待群众登记表》填写示例"),
            ("2024-09-12", "代表建议办理和联络站台账规范培训", "镇人大主席 李刚",
             "《代表建议办理工作流程》《联络站台账样本》")):
        _record(session, TRAINING, TrainingCreate(
            id=new_id(), event_id=new_id(), created_at=at(day, 8), title=title, day=date.fromisoformat(day),
            place="镇人大代表中心联络站", trainer=trainer, materials=materials,
            station_id=stable_id("station", "centre"), invited_ids=invited), office,
            [(office, "attendance", {"present_ids": invited[:8], "absent_ids": []}, at(day, 11))])


def _duty_reports(session: Session, people: Mapping[str, Person], actor: Mapping[str, Actor]) -> None:
    office = actor["office-ma"]
    call = _record(session, REPORT_CALL, ReportCallCreate(
        id=new_id(), event_id=new_id(), created_at=at("2024-11-20", 9), title="2024年度人大代表述职", year=YEAR,
        deadline=date(2024, 12, 15), person_ids=[people[d].id for d in NAMED_DEPUTIES]), office)
    for n, code in enumerate(NAMED_DEPUTIES):
        person = people[code]
        accepted = [(office, "accept", {}, at(date(2024, 12, 16), 10, n))] if n < 6 else []
        report = _record(session, DUTY_REPORT, DutyReportCreate(
            id=new_id(), event_id=new_id(), created_at=at(date(2024, 12, 1 + n), 20), call_id=call.id,
            title=f"{person.name}代表2024年度履职情况报告",
            text=("2024年，本人认真履行人大代表职责，参加代表接待日，走访群众，收集反映群众诉求，"
                  "参加民生实事项目票决和满意度测评。\n今后将继续密切联系群众，认真履职尽责。")), actor[code], accepted)
        report.year = YEAR  # as the central store gives it from the call
        session.add(report)
    _later(session, REPORT_CALL, call.id, office, "close", {}, at("2024-12-16", 17))  # once the reports are in


def _quiz(session: Session, people: Mapping[str, Person], actor: Mapping[str, Actor],
          takers: list[str]) -> None:
    bank = builtin_banks()[0]
    for number, q in enumerate(bank.questions, start=1):  # as the central store publishes them, without answers
        qid = question_id(bank.id, q.id)
        if session.get(QuizQuestion, qid) is None:
            session.add(QuizQuestion(id=qid, bank_id=bank.id, code=q.id, number=number, type=q.type, text=q.text,
                                     source=q.source, topic=q.topic, options=[o.model_dump() for o in options_of(q)]))
    session.flush()
    key = {question_id(bank.id, q.id): list(q.answer) for q in bank.questions}
    wrong = {question_id(bank.id, q.id): [o.key for o in options_of(q) if o.key not in q.answer][:1]
             for q in bank.questions}
    office = actor["office-ma"]
    pool = list(key)
    quiz = _record(session, QUIZ, QuizCreate(
        id=new_id(), event_id=new_id(), created_at=at("2024-05-06", 9), title="2024年人大代表应知应会知识测试",
        bank_id=bank.id, question_ids=pool, question_count=20, time_limit_minutes=30,
        closes_at=at("2024-05-31", 18), retakes=0, roll_ids=[]), office)
    rng = random.Random(69)
    for n, code in enumerate(takers):
        person = people[code]
        drawn = draw(quiz.id, person.id, 1, pool, 20)
        share = rng.uniform(0.6, 1.0)
        answers = {q: (key[q] if rng.random() < share else wrong[q]) for q in drawn}
        started = at(date(2024, 5, 10 + n % 20), 9 + n % 9, n % 50)
        attempt = _record(session, ATTEMPT, AttemptCreate(
            id=new_id(), event_id=new_id(), created_at=started + timedelta(minutes=18 + n % 10), quiz_id=quiz.id,
            attempt=1, started_at=started, question_ids=drawn, answers=answers), Actor.of(person))
        marked = mark(answers, key, drawn)
        attempt.score, attempt.correct, attempt.total = marked.score, marked.correct, marked.total
        session.add(attempt)
    # Closed once the attempts are in, with the key the central store gives at the close.
    _later(session, QUIZ, quiz.id, office, "close", {"key": key}, at("2024-06-01", 9))


def seed_year(session: Session, people: dict[str, Person]) -> None:
    """Add the demo township's 2024 once (the township's other deputies with it); no commit."""
    if session.exec(select(Training).limit(1)).first() is not None:
        return
    for code, name, station in other_deputies():
        people[code] = add_person(session, code=code, name=name, role=Role.DEPUTY.value, station=station)
    session.flush()
    actor = {code: Actor.of(p) for code, p in people.items()}
    _problems(session, people, actor)
    _receptions(session, people, actor)
    _inspections(session, people, actor)
    _trainings(session, people, actor)
    _duty_reports(session, people, actor)
    _quiz(session, people, actor, [*NAMED_DEPUTIES, *(code for code, _, _ in other_deputies())])
    session.flush()


def seed_demo_year(session: Session) -> None:
    """Load the demo township's 2024 where it is not yet (people and reference data with it); commits."""
    from app.demo import seed_people
    from app.reference import seed_reference

    seed_reference(session)
    seed_year(session, dict(seed_people(session)))
    session.commit()


__all__ = ["YEAR", "seed_year", "seed_demo_year", "other_deputies", "PROBLEMS"]
