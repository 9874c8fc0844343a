"""项目 on the demo township and through a central store, with no page and no browser: the list, the project's
story, 提为民生实事建议, shaping candidates, a round from check-in to adoption, deputies' ballots, tasks."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

import pytest
from docx import Document
from sqlmodel import select


from app.models import OutboxMutation
from app.outbox import read_status
from app.issues import today_in_china
from app.projects import Ballot, Opinion, Project, add_task
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.nav import destinations, parent_of, section_of
from app.viewmodels.office import Tone
from app.viewmodels.projects import ProjectModel, ProjectsModel, ProposeModel, StepForm
from app.viewmodels.rounds import REVIEW, SENT, RoundForm, RoundModel
from app.viewmodels.sync import SyncModel
from tests.sync.phones import asgi_http, make_central, new_phone
from tests.views.test_office import issue_named, signed_in, store  # noqa: F401 (the demo township, a user on it)

ROAD, WATER = "村组道路硬化工程", "农村供水设施维修改造"
DEPUTIES = ("deputy-wang", "deputy-li", "deputy-zhang")
YEAR = today_in_china().year  # the year new candidates are for


def project_named(ctx: AppContext, title: str) -> Project:
    with ctx.session() as session:
        return session.exec(select(Project).where(Project.title == title)).one()


def ballot_named(ctx: AppContext, title: str) -> Ballot:
    with ctx.session() as session:
        return session.exec(select(Ballot).where(Ballot.title == title)).one()


def casts(ctx: AppContext) -> list[OutboxMutation]:
    with ctx.session() as session:
        return list(session.exec(select(OutboxMutation).where(OutboxMutation.kind == "ballot.cast")))


# -- the tab and the list -----------------------------------------------------------------------------------------------
def test_every_role_has_the_projects_tab_and_its_screens_go_back_to_it():
    for role in ("deputy", "station_staff", "office", "admin", "department"):
        assert "/projects" in [d.route for d in destinations(role)]
        assert parent_of("/projects/rounds/abc", role) == "/projects"
        assert section_of("/projects/abc", role) == "/projects"


def test_the_list_opens_on_this_year_with_earlier_years_a_tap_away_and_the_office_sees_the_opinions(store):
    office = signed_in(store, "office-ma")
    model = ProjectsModel(office, today=date(2026, 12, 2))
    assert model.year == 2026  # this year, where the new opinions are shaped, though only 2024 has projects yet
    assert [y.label for y in model.years] == ["2026年", "2024年"] and model.years[0].selected
    assert model.groups == [] and model.rounds == [] and "2026年还没有民生实事项目" in model.empty_text
    assert model.opinions_title == "待合并的项目意见 5 条"  # the opinions to shape are there, whatever the year
    model.choose_year(2024)
    assert model.years[1].selected
    assert [g.status for g in model.groups] == ["completed", "not_chosen"]
    done = model.groups[0].rows
    assert [r.title for r in done] == [ROAD, WATER, "公共照明和校园周边交通安全设施"]
    assert done[0].status.label == "已完成" and done[0].progress == "任务 3 项 · 平均完成 100%"
    assert done[0].chips[0].label == "满意度 100%（满意 7 · 基本满意 1 · 不满意 0）"  # the year-end rating
    assert [r.purpose.label for r in model.rounds] == ["满意度测评", "满意度测评", "项目票决"]
    assert model.opinions_title == "待合并的项目意见 5 条"
    linked = next(o for o in model.opinions if o.title == "柳林村二组剩余四百米村道硬化")
    assert linked.issue_title == "村道硬化未完工，雨天泥泞" and linked.issue_id
    # A deputy sees no opinions to merge; a department sees the open tasks of its unit (none open in the demo).
    wang = ProjectsModel(signed_in(store, "deputy-wang"), today=date(2026, 12, 2))
    assert wang.opinions == [] and not wang.is_office and wang.year == 2026 and wang.rounds == []
    wang.choose_year(2024)
    assert len(wang.rounds) == 3


def test_a_project_page_tells_its_story_from_the_opinions_to_the_last_rating(store):
    office = signed_in(store, "office-ma")
    page = ProjectModel(office, project_named(office, ROAD).id)
    kinds = [row.kind for row in page.story]
    assert kinds[:3] == ["opinion"] * 3 and page.story[3].what == "列为候选项目"
    assert page.story[4].what == "2024年民生实事项目票决" and page.story[4].details == ("赞成 8 · 反对 0 · 弃权 0",
                                                                                      "当选")
    assert page.story[-2].what == "2024年民生实事项目年底满意度测评" and page.story[-1].what == "完成"
    assert page.money.plan == "计划 113 万元" and page.money.spent == "已用 111.5 万元（占计划 99%）"
    assert not page.money.over and 0.98 < page.money.fraction < 1
    late = next(t for t in page.tasks if t.title == "枣园村二组机耕道硬化")
    assert late.due.label == "逾期完成" and late.due.tone is Tone.WARNING and late.money == "预算 40 万元 · 已用 41 万元"
    assert ("year", "年度", "2024年") in [(f.key, f.label, f.value) for f in page.facts]
    assert [s.type for s in page.steps] == ["inspect", "comment"]  # completed: no more 完成, no new tasks
    assert not page.can_add_task


# -- 提为民生实事建议 ------------------------------------------------------------------------------------------------------
def test_one_tap_on_an_issue_proposes_it_as_a_livelihood_project_once(store):
    wang = signed_in(store, "deputy-wang")
    issue = issue_named(wang, "三组灌溉渠道堵塞")
    propose = ProposeModel(wang, issue.id)
    assert propose.visible and not propose.proposed and propose.label == "提为民生实事建议"
    assert propose.propose() and propose.label == "已提为民生实事建议"
    with wang.session() as session:
        opinion = session.exec(select(Opinion).where(Opinion.issue_id == issue.id)).one()
        assert (opinion.title, opinion.station_id, opinion.status) == (issue.title, issue.station_id, "open")
        assert session.exec(select(OutboxMutation).where(OutboxMutation.record_id == opinion.id)).one()
    assert not ProposeModel(wang, issue.id).propose()  # a second tap adds nothing
    assert not ProposeModel(signed_in(store, "dept-water"), issue.id).visible


# -- the office shapes opinions into candidates ---------------------------------------------------------------------------
def test_ticked_opinions_become_one_candidate_with_the_issues_behind_them(store):
    office = signed_in(store, "office-ma")
    model = ProjectsModel(office, year=YEAR)
    picked = [o.id for o in model.opinions if "桔园村" in o.title]
    for opinion_id in picked:
        model.toggle(opinion_id, True)
    assert model.selection_text == "已选 2 条意见"
    form = model.candidate_form(model.selected_ids)
    assert form.values["title"] in {"桔园村小学校门口交通安全设施", "桔园村三组抗旱水源工程"}
    assert form.values["end_date"] == f"{YEAR}-12-31" and form.values["year"] == str(YEAR)
    form.set("title", "")
    assert not form.submit() and form.errors == {"title": "请填写标题。"}
    form.set("title", "桔园村抗旱和校门口安全")
    form.set("estimated_cost", "三十")
    assert not form.submit() and "不是金额" in form.errors["estimated_cost"]
    form.set("estimated_cost", "３６．５")  # typed on a phone's full-width keyboard
    assert form.submit() and form.project_id
    project = project_named(office, "桔园村抗旱和校门口安全")
    assert (project.estimated_cost, project.year, project.status) == (36.5, YEAR, "candidate")
    assert len(project.issue_ids) == 2 and set(project.opinion_ids) == set(picked)
    model.reload()
    assert model.selected_ids == [] and len(model.opinions) == 3  # merged ones leave the list
    assert [g.status for g in model.groups] == ["candidate"]


# -- a round on one store: quorum, the deputy's refusals --------------------------------------------------------------
def _candidates(office: AppContext, *titles: str) -> list[str]:
    ids = []
    for title in titles:
        form = ProjectsModel(office, year=YEAR).candidate_form()
        form.set("title", title)
        assert form.submit(), form.errors
        ids.append(form.project_id)
    return ids


def open_round_on(office: AppContext, *titles: str) -> tuple[list[str], RoundModel]:
    """The office makes candidates, opens a vote on them with every deputy checked in; returns them and the round."""
    ids = _candidates(office, *titles)
    form = RoundForm(office, purpose="vote", year=YEAR)
    assert form.submit()
    round_ = RoundModel(office, form.ballot_id)
    assert round_.check_in_all() and round_.open_round()
    return ids, round_


def test_a_round_opens_only_with_a_quorum_and_says_how_many_are_missing(store):
    office = signed_in(store, "office-ma")
    _candidates(office, "甲", "乙", "丙", "丁")
    form = RoundForm(office, purpose="vote", year=YEAR)
    assert form.values["title"] == f"{YEAR}年民生实事项目票决" and len(form.values["candidate_ids"]) == 4
    assert form.values["to_choose"] == "3" and len(form.values["roll_ids"]) == 8  # all deputies by default
    form.set("to_choose", "5")
    assert not form.submit() and form.errors["to_choose"] == "要选出的项目数要在1到4之间。"
    form.set("to_choose", "2")
    assert form.submit()
    round_ = RoundModel(office, form.ballot_id)
    assert round_.status.label == "准备中" and round_.can_check_in and round_.can_open
    for person in ("deputy-wang", "deputy-li", "deputy-zhang", "deputy-liu"):
        assert round_.check_in(stable_id("person", person))
    assert "至少 5 名" in round_.quorum_text and not round_.quorum_met
    assert not round_.open_round()
    assert round_.error == "实到代表4名，没有超过全体8名代表的半数，不能开始投票。"
    assert round_.status.label == "准备中"
    assert round_.check_in_all() and round_.present == 8 and round_.absent == []
    assert round_.open_round() and round_.status.label == "投票中" and round_.can_close and round_.can_enter_paper
    # The office is not on the roll and has no ballot: the screen says nothing about one.
    assert not round_.can_vote and round_.vote_status == ""


def test_a_deputy_chooses_for_each_candidate_reviews_and_submits_and_the_phone_forgets_the_choices(store):
    office = signed_in(store, "office-ma")
    road, water = _candidates(office, "村道", "饮水")
    form = RoundForm(office, purpose="vote", year=YEAR)
    form.toggle("roll_ids", stable_id("person", "deputy-zhao"), False)
    assert form.submit()
    setup = RoundModel(office, form.ballot_id)
    setup.check_in_all()
    wang = signed_in(store, "deputy-wang")
    early = RoundModel(wang, form.ballot_id)
    assert not early.can_vote and early.vote_status == "投票还没有开始。请到会场签到，开始投票后在这里投票。"
    signed_in(store, "office-ma")  # one store here: whoever signed in last is the user of every screen
    assert setup.open_round()
    # 赵德全 is not on the roll: he is told so, and has no ballot.
    zhao = RoundModel(signed_in(store, "deputy-zhao"), form.ballot_id)
    assert not zhao.can_vote and zhao.vote_status == "您不在这次票决的代表名单上。"
    wang = signed_in(store, "deputy-wang")

    ballot = RoundModel(wang, form.ballot_id)
    assert ballot.can_vote and [b.label for b in ballot.buttons(road)] == ["赞成", "反对", "弃权"]
    assert [r.can_vote for r in ProjectsModel(wang, year=YEAR).rounds] == [True]  # 投票 at the top of the list
    ballot.choose(road, "for")
    assert not ballot.review() and ballot.error == "还有 1 个项目没有选择。" and ballot.progress_text == "已选 1 / 2 个项目"
    ballot.choose(water, "abstain")
    ballot.reload()  # a sync redraws the screen: the choices being made stay
    assert ballot.review() and ballot.step == REVIEW
    assert [(title, b.label) for title, b in ballot.review_rows] == [("村道", "赞成"), ("饮水", "弃权")]
    assert ballot.submit() and ballot.step == SENT and ballot.choices == {}
    assert ballot.vote_status.startswith("您已投票。选票暂存在本机")
    assert [m.state for m in casts(wang)] == ["pending"]
    row = ProjectsModel(wang, year=YEAR).rounds[0]
    assert not row.can_vote and row.voted.label == "已投票 · 待同步"
    again = RoundModel(wang, form.ballot_id)
    assert not again.can_vote and again.buttons(road)[0].selected is False  # nothing of the choice is shown


def test_the_stores_refusal_of_a_second_ballot_is_shown_to_the_deputy(store):
    (road,), setup = open_round_on(signed_in(store, "office-ma"), "村道")
    li = signed_in(store, "deputy-li")
    model = RoundModel(li, setup.ballot_id)
    model.choose(road, "for")
    model.review()
    assert model.submit()
    with li.session() as session:  # as the sync client writes the store's answer
        mutation = session.exec(select(OutboxMutation).where(OutboxMutation.kind == "ballot.cast")).one()
        mutation.state, mutation.result_code = "rejected", "ballot.already_voted"
        session.add(mutation)
        session.commit()
    refused = RoundModel(li, setup.ballot_id)
    assert not refused.can_vote and refused.cast.voted
    assert refused.vote_status == "您已经投过票了（可能是在另一台手机上），这张票没有重复计入。"
    row = ProjectsModel(li, year=YEAR).rounds[0]
    assert row.voted.label == "已投票" and not row.can_vote

    class Syncer:  # what the sync screen lists, as the sync service reports it
        online, progress, running, requested = True, None, False, False

        def status(self):
            with li.session() as session:
                return read_status(session)

    rejected = SyncModel(li, Syncer()).rejected
    assert [(r.what, r.why) for r in rejected] == [("投票", refused.vote_status)]


# -- the whole round through a central store ---------------------------------------------------------------------------
def _ctx(phone, settings, code: str) -> AppContext:
    ctx = AppContext(phone.engine, phone.photos, settings)
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


def test_a_round_through_the_central_store_from_the_candidates_to_tasks_progress_and_a_rating(tmp_path, settings):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            ma = await new_phone(tmp_path, "ma", "office-ma", transport)
            phones = {code: await new_phone(tmp_path, code, code, transport) for code in DEPUTIES}
            water_phone = await new_phone(tmp_path, "water", "dept-water", transport)
            office = _ctx(ma, settings, "office-ma")
            titles = ("村道硬化", "饮水工程维修", "文化广场路灯", "河道清淤")
            ids = dict(zip(titles, _candidates(office, *titles)))
            form = RoundForm(office, purpose="vote", year=YEAR)
            form.set("to_choose", "2")
            for option in form.roll_options:  # the three deputies with phones here are the roll
                if option.value not in {stable_id("person", c) for c in DEPUTIES}:
                    form.toggle("roll_ids", option.value, False)
            assert form.submit()
            round_ = RoundModel(office, form.ballot_id)
            assert round_.check_in_all() and round_.open_round()
            assert (await ma.client.sync_once()).ok
            wanted = {"deputy-wang": ("for", "for", "against", "abstain"),
                      "deputy-li": ("for", "against", "for", "against"),
                      "deputy-zhang": ("for", "for", "abstain", "abstain")}
            for code, phone in phones.items():
                assert (await phone.client.sync_once()).ok
                deputy = RoundModel(_ctx(phone, settings, code), form.ballot_id)
                assert deputy.can_vote, deputy.vote_status
                for title, choice in zip(titles, wanted[code]):
                    deputy.choose(ids[title], choice)
                assert deputy.review() and deputy.submit()
                report = await phone.client.sync_once()
                assert report.ok and report.applied == 1
                assert RoundModel(deputy.ctx, form.ballot_id).vote_status == "您已投票，选票已计入。"
            assert (await ma.client.sync_once()).ok
            round_.reload()
            assert round_.voted == 3 and "手机已投票 3 名" in round_.facts and round_.results == []

            assert round_.close()
            # Closed here, not yet counted: the phones' counts are on the central store only.
            assert round_.results == [] and not round_.can_adopt
            assert round_.waiting_text.startswith("投票已结束。手机选票由中心库计票")
            assert (await ma.client.sync_once()).ok and (await ma.client.sync_once()).ok
            round_.reload()
            counts = {r.title: r.counts for r in round_.results}
            assert counts["村道硬化"] == (("赞成", 3), ("反对", 0), ("弃权", 0))
            assert {r.title: r.outcome.label for r in round_.results} == {
                "村道硬化": "当选", "饮水工程维修": "当选", "文化广场路灯": "未当选", "河道清淤": "未当选"}
            assert round_.outcome_text == "本次票决确定民生实事项目 2 个。" and round_.can_adopt
            name, sheet = round_.sheet_file()
            assert name == f"{YEAR}年民生实事项目票决结果.docx"
            cells = [[c.text for c in row.cells] for t in Document(io.BytesIO(sheet)).tables for row in t.rows]
            assert ["村道硬化", "3", "0", "0", "当选"] in cells
            assert round_.adopt() and round_.notice == "已列为民生实事项目 2 个。" and not round_.can_adopt
            chosen = ProjectsModel(office, year=YEAR).groups
            assert [(g.status, [r.title for r in g.rows]) for g in chosen] == [
                ("chosen", ["村道硬化", "饮水工程维修"]), ("not_chosen", ["文化广场路灯", "河道清淤"])]

            # A task for the water station: not after the project's end; then its progress, from its phone.
            page = ProjectModel(office, ids["饮水工程维修"])
            assert page.can_add_task
            task = page.task_form()
            assert task.values["deadline"] == f"{YEAR}-12-31"
            task.set("title", "七星村五组过滤池改造")
            task.set("unit", f"department:{stable_id('department', 'water')}")
            task.set("person", "何永平")
            task.set("budget", "20")
            task.set("deadline", f"{YEAR + 1}-03-01")
            assert not task.submit() and task.errors["deadline"] == f"任务的完成期限不能晚于项目的完成时间（{YEAR}-12-31）。"
            task.set("deadline", f"{YEAR}-12-31")
            assert task.submit()
            assert (await ma.client.sync_once()).ok
            assert (await water_phone.client.sync_once()).ok
            water = _ctx(water_phone, settings, "dept-water")
            mine = ProjectsModel(water).tasks
            assert [(t.title, t.project, t.can_report) for t in mine] == [
                ("七星村五组过滤池改造", "饮水工程维修", True)]
            assert mine[0].due is not None and mine[0].percent == 0
            report = StepForm(water, mine[0].id, "progress")
            report.set("text", "滤料已到货，正在更换。")
            report.set("percent", 50)
            report.set("spent", "8.5")
            assert report.submit()
            done = StepForm(water, mine[0].id, "progress")
            done.set("text", "过滤池改造完成，水质复检合格。")
            done.set("percent", 100)
            done.set("spent", "十九")
            assert not done.submit() and "不是金额" in done.errors["spent"]
            done.set("spent", "19.5")
            assert done.submit()
            assert (await water_phone.client.sync_once()).ok and (await ma.client.sync_once()).ok
            page = ProjectModel(office, ids["饮水工程维修"])
            assert page.tasks[0].due.label == "已完成" and page.tasks[0].percent == 100
            assert page.money.spent == "已用 19.5 万元（占计划 98%）"  # no estimate: the tasks' budgets are the plan
            assert [r.what for r in page.story if r.kind == "task"] == [
                "分解任务：七星村五组过滤池改造", "进展：七星村五组过滤池改造", "任务完成：七星村五组过滤池改造"]

            # A rating round on the two chosen projects: the deputies' ratings, counted anonymously.
            rating = RoundForm(office, purpose="rating", year=YEAR)
            assert {o.label for o in rating.candidate_options} == {"村道硬化", "饮水工程维修"}
            rating.values["roll_ids"] = [stable_id("person", c) for c in DEPUTIES]
            assert rating.submit()
            rated = RoundModel(office, rating.ballot_id)
            assert rated.check_in_all() and rated.open_round()
            assert (await ma.client.sync_once()).ok
            for code, choice in zip(DEPUTIES, ("satisfied", "basic", "satisfied")):
                phone = phones[code]
                assert (await phone.client.sync_once()).ok
                deputy = RoundModel(_ctx(phone, settings, code), rating.ballot_id)
                assert [b.label for b in deputy.buttons(ids["村道硬化"])] == ["满意", "基本满意", "不满意"]
                for project_id in rated.state.candidates:
                    deputy.choose(project_id, choice)
                assert deputy.review() and deputy.submit()
                assert (await phone.client.sync_once()).ok
            assert (await ma.client.sync_once()).ok
            rated.reload()
            assert rated.close()
            assert (await ma.client.sync_once()).ok and (await ma.client.sync_once()).ok
            rated.reload()
            road = next(r for r in rated.results if r.title == "村道硬化")
            assert road.counts == (("满意", 2), ("基本满意", 1), ("不满意", 0))
            assert road.outcome.label == "满意度 100%（满意 2 · 基本满意 1 · 不满意 0）"
            assert ProjectModel(office, ids["村道硬化"]).rating.label == road.outcome.label

    asyncio.run(main())


def test_a_paper_ballot_total_is_refused_unless_it_is_a_count_and_is_added_at_the_close(store):
    (road,), round_ = open_round_on(signed_in(store, "office-ma"), "村道")
    paper = round_.paper_form()
    assert [title for title, _ in paper.groups] == ["纸质选票", "村道"]
    assert not paper.submit() and paper.form_error == "请至少填写一个项目的票数。"
    paper.set(f"{road}:for", "2.5")
    assert not paper.submit() and paper.errors[f"{road}:for"] == "“2.5”不是票数，请填整数。"
    paper.set(f"{road}:for", "5")
    paper.set("papers", "5")
    assert paper.submit()
    round_.reload()
    assert round_.paper == {road: {"for": 5, "against": 0, "abstain": 0}}
    assert round_.paper_form().values[f"{road}:for"] == "5"  # entered again, it starts from what was entered
    assert round_.close()
    # Alone (no central store here), the close waits for the store's counts before anything is shown.
    assert round_.results == [] and round_.waiting_text


@pytest.mark.parametrize("code", ["deputy-wang", "dept-build"])
def test_a_unit_sees_its_open_tasks_and_reports_from_them(store, code):
    office = signed_in(store, "office-ma")
    (project_id,) = _candidates(office, "村道")
    with office.session() as session:  # the office gives the task (adopting needs a counted round, elsewhere)
        unit = ("station", stable_id("station", "juyuan")) if code == "deputy-wang" else \
            ("department", stable_id("department", "build"))
        add_task(session, actor=office.actor(), project_id=project_id, title="路基平整", unit_kind=unit[0],
                 unit_id=unit[1], deadline=date.today() - timedelta(days=3), person="罗明", budget=12)
    model = ProjectsModel(signed_in(store, code), year=YEAR)
    assert [(t.title, t.due.label, t.due.tone, t.can_report) for t in model.tasks] == [
        ("路基平整", "逾期 3 天", Tone.DANGER, True)]
    other = ProjectsModel(signed_in(store, "dept-water"), year=YEAR)
    assert other.tasks == []
    assert ProjectsModel(office, year=YEAR).groups[0].rows[0].chips[0].label == "逾期任务 1 项"
