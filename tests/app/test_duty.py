"""Trainings, calls for duty reports and the reports, and a deputy's duty record of the year, on one store."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from docx import Document

from app.actors import Actor
from app.clock import utcnow
from app.duty import (DutyReport, accept_report, call_for_reports, duty_record, report_document, report_draft,
                      resubmit_report, return_report, submissions, submit_report)
from app.errors import DomainError
from app.i18n import Translator
from app.issues import china_day
from app.receptions import record_visit
from app.records import timeline
from app.trainings import Training, attended_by, confirm_attendance, plan_training, take_attendance
from tests.factories import act, capture_issue

YEAR = china_day(utcnow()).year


def _people(township, *codes):
    return [Actor.of(township[c]) for c in codes]


def test_attendance_is_ticked_on_a_list_or_confirmed_by_the_attendee_and_a_later_list_corrects(session, township):
    office, staff, wang, li, zhao = _people(township, "office-ma", "staff-sun", "deputy-wang", "deputy-li",
                                            "deputy-zhao")
    training = plan_training(session, actor=office, title="联络站工作规范与接待流程", day=date(YEAR, 3, 20),
                             place="镇人大会议室", trainer="县人大常委会 张主任",
                             invited_ids=[wang.id, li.id, staff.id])
    assert session.get(Training, training.id).status == "planned"
    take_attendance(session, actor=staff, training_id=training.id, present_ids=[wang.id, staff.id])
    confirm_attendance(session, actor=li, training_id=training.id)
    take_attendance(session, actor=staff, training_id=training.id, absent_ids=[wang.id])  # ticked by mistake
    held = session.get(Training, training.id)
    assert held.status == "held" and held.attended_ids == [staff.id, li.id] and held.attended == 2
    assert [t.id for t in attended_by(session, li.id, YEAR)] == [training.id]
    with pytest.raises(DomainError) as stranger:
        confirm_attendance(session, actor=zhao, training_id=training.id)
    assert stranger.value.code == "training.not_invited"
    session.rollback()
    with pytest.raises(DomainError) as deputy:
        take_attendance(session, actor=wang, training_id=training.id, present_ids=[wang.id])
    assert deputy.value.code == "event.role_not_allowed"
    session.rollback()
    with pytest.raises(DomainError) as untitled:
        plan_training(session, actor=office, title=" ", day=date(YEAR, 4, 1))
    assert untitled.value.code == "issue.title_required"


def test_the_office_calls_for_reports_sees_who_submitted_and_sends_one_back(session, township, settings):
    office, wang, li, zhao = _people(township, "office-ma", "deputy-wang", "deputy-li", "deputy-zhao")
    call = call_for_reports(session, actor=office, title=f"{YEAR}年度代表述职", year=YEAR,
                            deadline=date(YEAR, 12, 20), person_ids=[wang.id, li.id])
    report = submit_report(session, actor=wang, call_id=call.id, title="王建华代表述职报告",
                           text="一年来，我走访群众……\n二是反映群众诉求……")
    assert report.year == YEAR and report.status == "submitted"
    assert [(s.person.name, s.submitted)
            for s in submissions(session, call)] == [("王建华", True), ("李秀英", False)]
    with pytest.raises(DomainError) as not_asked:
        submit_report(session, actor=zhao, call_id=call.id, title="赵德全述职", text="……")
    assert not_asked.value.code == "report.not_called"
    session.rollback()
    with pytest.raises(DomainError) as empty:
        submit_report(session, actor=li, call_id=call.id, title="李秀英述职", text="  ")
    assert empty.value.code == "event.text_required"
    session.rollback()
    return_report(session, actor=office, report_id=report.id, text="请补充参加票决和测评的情况")
    returned = session.get(DutyReport, report.id)
    assert returned.status == "returned" and returned.returned_note == "请补充参加票决和测评的情况"
    with pytest.raises(DomainError) as someone_else:
        resubmit_report(session, actor=li, report_id=report.id, title="x", text="y")
    assert someone_else.value.code == "report.only_author"
    session.rollback()
    resubmit_report(session, actor=wang, report_id=report.id, title="王建华代表述职报告（修改稿）",
                    text="一年来，我走访群众……\n四是参加民生实事项目票决2次。")
    accept_report(session, actor=office, report_id=report.id)
    final = session.get(DutyReport, report.id)
    assert final.status == "accepted" and final.title.endswith("（修改稿）") and "票决2次" in final.text
    # Nothing written is lost: the first text is still in the timeline.
    assert timeline(session, report.id)[0].payload["text"].startswith("一年来，我走访群众……\n二是")
    document = Document(io.BytesIO(report_document(session, final, _NoPhotos(), settings)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "王建华代表述职报告（修改稿）" in text and "四是参加民生实事项目票决2次。" in text and "王建华代表" in text


class _NoPhotos:
    def has(self, _sha):
        return False


def test_a_duty_record_gathers_the_year_and_the_draft_report_starts_from_it(session, township):
    office, wang, water = _people(township, "office-ma", "deputy-wang", "dept-water")
    first = capture_issue(session, township["deputy-wang"], title="桔园村三组饮水管道破裂")
    act(session, township["office-ma"], first.id, "assign", department_id=water.department_id,
        deadline=(china_day(utcnow()) + timedelta(days=14)).isoformat())
    act(session, township["dept-water"], first.id, "acknowledge")
    act(session, township["dept-water"], first.id, "resolve", text="已更换管道")
    capture_issue(session, township["deputy-wang"], title="建议增设村道路灯")
    capture_issue(session, township["deputy-li"], title="李秀英的问题")
    record_visit(session, actor=wang, place_type="orchard", place_name="桔园村柑桔示范园")
    training = plan_training(session, actor=office, title="代表履职培训", day=china_day(utcnow()),
                             invited_ids=[wang.id])
    confirm_attendance(session, actor=wang, training_id=training.id)
    record = duty_record(session, wang.id, YEAR)
    assert len(record.visits) == 1 and len(record.issues) == 2 and len(record.resolved) == 1
    assert [t.id for t in record.trainings] == [training.id] and record.votes == ()
    title, text = report_draft(record, Translator())
    assert title == f"王建华代表{YEAR}年度履职情况报告"
    assert "全年开展走访1次" in text and "收集反映问题和建议2件" in text and "已解决1件" in text
    assert f"桔园村三组饮水管道破裂（{Translator()('status.resolved')}）" in text
    assert "李秀英的问题" not in text
    english_title, _ = report_draft(record, Translator("en"))
    assert english_title == f"Duty report of deputy 王建华 for {YEAR}"
