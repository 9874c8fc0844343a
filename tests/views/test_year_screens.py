"""The screens of the year's work with no page: the knowledge quiz through a central store (taken offline, scored
on sync, right and wrong only after the close), trainings and their attendance, duty reports from the draft to
accepted and exported as Word; and where those screens sit in the navigation."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta

from docx import Document
from sqlmodel import select

from app.clock import utcnow
from app.duty import DutyReport, ReportCall
from app.models import OutboxMutation
from app.quiz import Quiz, builtin_banks, question_id
from app.reference import stable_id
from app.trainings import Training
from app.viewmodels.context import AppContext
from app.viewmodels.me import MeModel
from app.viewmodels.nav import allowed, parent_of, section_of
from app.viewmodels.quiz import QuizListModel, QuizResultsModel, QuizzesModel, TakeQuizModel
from app.viewmodels.reports import CallModel, MyReportsModel, ReportEditor, ReportModel, ReportsModel
from app.viewmodels.trainings import MyTrainingsModel, TrainingModel, TrainingsModel
from tests.sync.phones import asgi_http, make_central, new_phone

WANG = stable_id("person", "deputy-wang")


def _ctx(phone, settings, code: str) -> AppContext:
    ctx = AppContext(phone.engine, phone.photos, settings)
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


def _outbox(ctx: AppContext) -> int:
    with ctx.session() as session:
        return len(session.exec(select(OutboxMutation)).all())


# -- where the screens are ----------------------------------------------------------------------------------------
def test_the_office_screens_are_the_offices_and_every_screen_goes_back_one_level():
    for path in ("/quiz", "/quiz/abc", "/trainings", "/trainings/abc", "/reports", "/reports/c/r"):
        assert allowed(path, "office") and not allowed(path, "deputy") and not allowed(path, "department")
    for path in ("/me/quiz", "/me/quiz/abc", "/me/trainings", "/me/reports/abc"):
        assert allowed(path, "deputy")
    assert parent_of("/reports/c/r", "office") == "/reports/c"
    assert parent_of("/reports/c", "office") == "/reports"
    assert parent_of("/quiz/abc", "office") == "/quiz"
    assert parent_of("/me/quiz/abc", "deputy") == "/me/quiz"
    assert parent_of("/me/quiz", "deputy") == "/me" and section_of("/me/quiz/abc", "deputy") == "/me"
    assert parent_of("/trainings", "office") in ("/year", "/me")  # the office's year, where it is on the bar


# -- the quiz -------------------------------------------------------------------------------------------------------
def test_a_deputy_takes_the_quiz_offline_sees_the_score_after_sync_and_right_and_wrong_after_the_close(tmp_path,
                                                                                                         settings):
    key = {question_id(b.id, q.id): list(q.answer) for b in builtin_banks() for q in b.questions}

    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            ma = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang_phone = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            office, wang = _ctx(ma, settings, "office-ma"), _ctx(wang_phone, settings, "deputy-wang")

            # Bad input is refused at its field and records nothing.
            form = QuizzesModel(office).form()
            assert form.pool >= 60
            form.set("question_count", "二十")
            assert not form.submit() and "1 到" in form.errors["question_count"] and _outbox(office) == 0
            form.set("question_count", "5")
            form.set("closes_on", (form.today - timedelta(days=1)).isoformat())
            assert not form.submit() and form.errors["closes_on"] == "截止日期不能早于今天。"
            form.set("closes_on", (form.today + timedelta(days=3)).isoformat())
            form.set("time_limit", "10")
            assert form.submit(), form.errors
            assert (await ma.client.sync_once()).ok
            assert (await wang_phone.client.sync_once()).ok

            mine = QuizListModel(wang)
            assert [r.id for r in mine.rows] == [form.quiz_id] and mine.to_take == 1
            assert mine.rows[0].facts.startswith("5 题 · 限时 10 分钟")
            quiz_line = next(e for e in MeModel(wang).year_entries() if e.key == "quiz")
            assert (quiz_line.label, quiz_line.badge, quiz_line.route) == ("知识测试", "1 场待考", "/me/quiz")

            # Offline from here: drawn on the phone, answered question by question.
            take = TakeQuizModel(wang, form.quiz_id)
            assert take.can_start and take.start() and take.taking
            assert take.progress_text == "第 1 / 5 题" and take.time_left_text.startswith("剩余 ")
            assert 595 <= take.seconds_left <= 600
            for index, question in enumerate(take.sheet.questions):
                take.go_to(index)
                if index == 4:
                    break  # the last question left blank
                for answer in key[question.id]:
                    take.choose(answer)
                if question.type == "multiple":  # a second tap on a chosen option takes it back
                    first = key[question.id][0]
                    take.choose(first)
                    assert first not in take.answers[question.id]
                    take.choose(first)
                assert sorted(take.answers[question.id]) == sorted(key[question.id])
            assert take.is_last and take.unanswered == 1
            assert take.confirm_text == "还有 1 题没有作答，没答的题不得分。确定现在交卷吗？"
            # Closed and reopened mid-way (the app was killed): the same questions, the same clock, the answers kept.
            again = TakeQuizModel(wang, form.quiz_id)
            assert again.sheet.question_ids == take.sheet.question_ids and again.answers == take.answers
            assert again.sheet.started_at == take.sheet.started_at and again.index == 4
            assert again.hand_in() and again.notice == "已交卷，同步后出成绩"
            assert again.attempts == ["第 1 次：已交卷，同步后出成绩"] and not again.can_start
            assert QuizListModel(wang).to_take == 0
            with wang.session() as session:
                assert session.get(Quiz, form.quiz_id).key == {}  # no answer on the phone

            assert (await wang_phone.client.sync_once()).ok
            again.reload()  # the screen kept open while the phone synced
            assert again.attempts == ["第 1 次：得分 80（答对 4 / 5 题）"] and again.notice == ""
            scored = TakeQuizModel(wang, form.quiz_id)
            assert scored.attempts == ["第 1 次：得分 80（答对 4 / 5 题）"]
            assert scored.review == [] and "公布答案后" in scored.closed_note

            assert (await ma.client.sync_once()).ok
            results = QuizResultsModel(office, form.quiz_id)
            assert [(p.name, p.result) for p in results.people] == [("王建华", "最好成绩 80 分 · 作答 1 次")]
            assert results.figures == "参加 1 人 · 1 人次 · 平均 80.0 分" and "王建华" not in results.not_taken
            assert results.questions == [] and "测试结束后" in results.key_note
            assert results.close()
            assert (await ma.client.sync_once()).ok
            assert (await wang_phone.client.sync_once()).ok
            assert (await ma.client.sync_once()).ok
            closed = QuizResultsModel(office, form.quiz_id)
            assert not closed.can_close and closed.status.label == "已结束" and len(closed.questions) == 5
            assert closed.questions[0].figures == "答对 0 / 1 人次（0%）" and closed.questions[0].weak
            review = TakeQuizModel(wang, form.quiz_id).review
            assert [r.right for r in review] == [True, True, True, True, False]
            assert review[4].verdict == "答错" and review[4].mine == "您的答案：未作答"
            assert all(r.source.startswith("出处：") for r in review) and review[0].answer.startswith("正确答案：")

    asyncio.run(main())


def test_time_up_and_a_quiz_the_deputy_is_not_on_say_so(tmp_path, settings):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            ma = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang_phone = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            office, wang = _ctx(ma, settings, "office-ma"), _ctx(wang_phone, settings, "deputy-wang")
            form = QuizzesModel(office).form()
            form.set("question_count", "3")
            form.set("time_limit", "1")
            assert form.submit()
            assert (await ma.client.sync_once()).ok and (await wang_phone.client.sync_once()).ok
            clock = [utcnow()]
            take = TakeQuizModel(wang, form.quiz_id, now=lambda: clock[0])
            assert take.start()
            clock[0] += timedelta(minutes=5)  # the screen's clock ran out long ago (the phone slept)
            assert take.time_up and take.time_left_text == "剩余 00:00"
            assert take.hand_in()  # handed in at the limit: what was answered counts
            assert (await wang_phone.client.sync_once()).ok
            assert TakeQuizModel(wang, form.quiz_id).attempts == ["第 1 次：得分 0（答对 0 / 3 题）"]
            refused = TakeQuizModel(wang, form.quiz_id)
            assert not refused.can_start and not refused.start()  # no retake allowed: said, nothing drawn
            assert refused.error.startswith("您已经交过答卷了") and not refused.taking

    asyncio.run(main())


# -- trainings ------------------------------------------------------------------------------------------------------
def _two_phones(tmp_path, settings, body):
    """The office's PC and 王建华's phone on one central store; body(office, wang, sync) runs the story."""
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            ma = await new_phone(tmp_path, "ma", "office-ma", transport)
            wang_phone = await new_phone(tmp_path, "wang", "deputy-wang", transport)

            async def sync(*phones):
                for phone in phones:
                    report = await phone.client.sync_once()
                    assert report.ok and not report.rejected, report

            await body(_ctx(ma, settings, "office-ma"), _ctx(wang_phone, settings, "deputy-wang"),
                       lambda *who: sync(*[{"office": ma, "wang": wang_phone}[w] for w in who]))

    asyncio.run(main())


def test_the_office_records_a_training_ticks_attendance_offline_and_a_deputy_confirms_their_own(tmp_path, settings):
    async def story(office, wang, sync):
        trainings = TrainingsModel(office)
        form = trainings.form()
        assert not form.submit() and form.errors["title"] and _outbox(office) == 0  # no topic: nothing recorded
        form.set("title", "代表建议撰写培训")
        form.set("day", "12月20日")
        assert not form.submit() and form.errors["day"] and _outbox(office) == 0
        form.set("day", trainings.today.isoformat())
        form.set("place", "镇人大会议室")
        form.set("trainer", "县人大 张主任")
        li, zhang = stable_id("person", "deputy-li"), stable_id("person", "deputy-zhang")
        form.set("invited_ids", [WANG, li, zhang])
        assert form.submit(), form.errors

        training = TrainingModel(office, form.training_id)  # ticked on the office's device, offline
        assert training.may_tick and training.may_cancel and [line.ticked for line in training.lines] == [False] * 3
        assert not training.save_attendance() and training.error == "请先勾选到场的人员。"
        training.tick(li, True)
        assert training.unsaved and training.save_attendance() and training.notice == "已登记 1 人到场"
        assert training.summary == "参训 1 / 3 人" and training.status.label == "已举办"
        await sync("office", "wang")

        mine = MyTrainingsModel(wang)
        row = next(r for r in mine.rows if r.id == form.training_id)
        assert row.can_confirm and row.mine.label == "待确认参加" and mine.to_confirm >= 1
        badge = next(e for e in MeModel(wang).year_entries() if e.key == "trainings").badge
        assert badge == f"{mine.to_confirm} 场待确认"
        assert mine.confirm(form.training_id)
        assert next(r for r in mine.rows if r.id == form.training_id).mine.label == "已参加"
        await sync("wang", "office")
        again = TrainingModel(office, form.training_id)
        assert again.summary == "参训 2 / 3 人" and not again.may_cancel  # held: no longer cancellable
        listing = TrainingsModel(office)
        assert next(r for r in listing.rows if r.id == form.training_id).attendance == "参训 2 / 3 人"
        assert "代表建议撰写培训" in next(a for a in listing.attendees if a.name == "王建华").text

        # A session nobody came to yet can be cancelled, with a reason; without one nothing changes.
        second = trainings.form()
        second.set("title", "预备培训")
        assert second.submit()
        cancel = TrainingModel(office, second.training_id).cancel_form()
        assert not cancel.submit() and cancel.errors["text"] == "请写明取消的原因。"
        cancel.set("text", "与镇人代会时间冲突")
        assert cancel.submit()
        with office.session() as session:
            assert session.get(Training, second.training_id).status == "cancelled"

    _two_phones(tmp_path, settings, story)


# -- duty reports ---------------------------------------------------------------------------------------------------
def test_a_duty_report_from_the_draft_to_returned_resubmitted_accepted_and_exported(tmp_path, settings):
    async def story(office, wang, sync):
        call = ReportsModel(office).form()
        call.set("year", "二〇二六")
        assert not call.submit() and call.errors["year"] and _outbox(office) == 0
        call.set("year", "2026")
        call.set("person_ids", [WANG, stable_id("person", "deputy-li")])
        assert call.submit(), call.errors
        assert CallModel(office, call.call_id).counts == "未提交 2"
        await sync("office", "wang")

        mine = MyReportsModel(wang)
        assert mine.to_write == 1 and mine.rows[0].id == call.call_id and mine.rows[0].mine.label == "未提交"
        editor = ReportEditor(wang, call.call_id)
        assert editor.editable and editor.title == "王建华代表2026年度履职情况报告"
        assert editor.text.startswith("2026年，本人认真履行人大代表职责")
        editor.set_field("text", editor.text + "\n本人还参加了柑桔产业调研。")
        assert editor.save_draft() and "提交前不会上传" in editor.notice
        assert MyReportsModel(wang).rows[0].note == "草稿已保存在本机"
        kept = ReportEditor(wang, call.call_id)  # the draft stays on this device
        assert kept.text.endswith("柑桔产业调研。")
        kept.set_field("text", "   ")
        outbox = _outbox(wang)
        assert not kept.submit() and kept.errors["text"] and _outbox(wang) == outbox
        kept.set_field("text", "本人今年走访群众十余次。\n本人还参加了柑桔产业调研。")
        assert kept.submit() and kept.status == "submitted" and not kept.editable
        assert kept.state_text == "已提交，等待镇人大办公室审阅。"
        await sync("wang", "office")

        submissions = CallModel(office, call.call_id)
        assert submissions.counts == "未提交 1 · 已提交 1"
        report_id = next(r.report_id for r in submissions.rows if r.report_id)
        report = ReportModel(office, report_id)
        assert report.may_return and report.may_accept and report.paragraphs[-1] == "本人还参加了柑桔产业调研。"
        sent_back = report.return_form()
        assert not sent_back.submit() and sent_back.errors["text"]
        sent_back.set("text", "请补充代表接待日的情况")
        assert sent_back.submit()
        await sync("office", "wang")

        back = ReportEditor(wang, call.call_id)
        assert back.status == "returned" and back.editable and back.state_text == "退回修改：请补充代表接待日的情况"
        assert back.submit_label == "修改后重新提交" and back.text.startswith("本人今年走访")
        assert MyReportsModel(wang).rows[0].mine.label == "退回修改"
        back.set_field("text", back.text + "\n参加代表接待日两次。")
        assert back.submit() and back.status == "submitted"
        await sync("wang", "office")

        report = ReportModel(office, report_id)
        assert report.note == "" and report.accept()
        assert ReportModel(office, report_id).status.label == "已收录"
        assert not ReportModel(office, report_id).may_accept
        await sync("office", "wang")
        assert ReportEditor(wang, call.call_id).state_text == "镇人大办公室已收录您的述职报告。"
        assert CallModel(office, call.call_id).counts == "未提交 1 · 已收录 1"
        name, data = report.letter_file(report_id)
        assert name == "王建华代表2026年度履职情况报告.docx"
        words = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        assert "参加代表接待日两次。" in words and "王建华" in words
        with office.session() as session:
            assert session.get(DutyReport, report_id).status == "accepted"
            assert session.get(ReportCall, call.call_id).person_ids[0] == WANG

    _two_phones(tmp_path, settings, story)
