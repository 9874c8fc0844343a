"""Each person on their own: navigation by role, each browser's replica, switching user, the connection chip."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from app.demo import seed_demo
from app.issues import Issue, IssueDraft, capture_issue
from app.outbox import SyncOutcome, SyncReport, SyncStatus
from app.photos import PhotoStore
from app.problems import Problem
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.home import HomeModel
from app.viewmodels.issue_set import IssueSetModel
from app.viewmodels.me import MeModel
from app.viewmodels.nav import IssueSet, allowed, destinations, is_top, needs_rail, parent_of, section_of
from app.viewmodels.sync import LoginModel, SyncModel, outcome_text, sync_chip
from tests.views.test_sync_viewmodels import FakeSyncer

NOW = datetime(2026, 5, 15, 2, 0, tzinfo=timezone.utc)


class Syncer(FakeSyncer):
    """The background sync with the connection state the test sets, and 立即同步's answer."""

    def __init__(self, *, online=True, running=False, requested=False, status=SyncStatus(last_outcome="ok"),
                 login_answer=None, report=None):
        super().__init__(status, object() if running else None, login_answer)
        self._online, self.requested, self.report = online, requested, report

    @property
    def online(self):
        return self._online

    async def sync_and_report(self):
        self.woken += 1
        return self.report


@pytest.fixture
def township(engine, settings, tmp_path):
    with AppContext(engine, PhotoStore(tmp_path / "photos"), settings).session() as session:
        seed_demo(session)
    return engine


def as_user(engine, settings, tmp_path, code: str, syncer=None) -> AppContext:
    ctx = AppContext(engine, PhotoStore(tmp_path / "photos"), settings, syncer=syncer)
    ctx.sign_in_locally(stable_id("person", code))
    return ctx


def labels(ctx: AppContext) -> list[str]:
    return [ctx.t(d.label_key) for d in destinations(ctx.current_user().role)]


# -- navigation by role ---------------------------------------------------------------------------------------------
def test_each_role_gets_its_own_destinations(township, settings, tmp_path):
    for field in ("deputy-wang", "staff-sun"):  # and 检查, once inspections have their screen
        found = labels(as_user(township, settings, tmp_path, field))
        assert found[:2] == ["首页", "问题"] and found[-1] == "我的" and not {"分办", "督办", "待办"} & set(found)
    assert labels(as_user(township, settings, tmp_path, "office-ma")) == ["首页", "问题", "分办", "督办", "项目", "年度", "我的"]
    assert labels(as_user(township, settings, tmp_path, "dept-water")) == ["首页", "待办", "项目", "我的"]


def test_routes_belong_to_a_destination_and_only_the_role_reaches_its_screens():
    assert allowed("/triage", "office") and allowed("/dashboard", "admin")
    assert not allowed("/triage", "deputy") and not allowed("/supervise", "department")
    assert allowed("/queue", "department") and not allowed("/queue", "office")
    assert is_top("/queue", "department") and not is_top("/queue", "deputy") and not is_top("/issues?ids=a", "office")
    # Opened directly (a reload), a pushed screen goes back to where its role would have come from.
    assert parent_of("/issues/abc", "department") == "/queue" and parent_of("/issues/abc", "deputy") == "/issues"
    assert parent_of("/issues?ids=a", "office") == "/dashboard" and parent_of("/dashboard", "office") == "/year"  # 统计图表, one of 年度's screens
    assert section_of("/issues?ids=a", "office") == "/year"  # the lists behind a figure belong to 年度
    assert section_of("/issues/abc", "office", {"/issues/abc": "/triage"}) == "/triage"
    assert section_of("/issues/abc", "department") == "/queue"
    assert needs_rail("/dashboard") and needs_rail("/issues?ids=a") and needs_rail("/me")
    assert not needs_rail("/issues/abc") and not needs_rail("/capture") and not needs_rail("/sync")


def test_a_figure_opens_the_list_of_exactly_its_issues(township, settings, tmp_path):
    ctx = as_user(township, settings, tmp_path, "office-ma")
    with ctx.session() as session:
        issues = list(session.exec(select(Issue).order_by(Issue.created_at)))[:3]
    chosen = IssueSet(title="已整改：镇水利站", ids=tuple(i.id for i in issues) + ("not-on-this-device",))
    assert IssueSet.of(chosen.route()) == chosen  # the route carries the title and ids through a reload
    model = IssueSetModel(ctx, IssueSet.of(chosen.route()))
    assert model.title == "已整改：镇水利站"
    assert [r.id for r in model.rows] == [i.id for i in reversed(issues)]  # newest first
    assert model.count_text == "共 3 件" and "1 件不在本机上" in model.missing_text
    assert IssueSetModel(ctx, IssueSet(title="", ids=())).rows == []


# -- home by role ---------------------------------------------------------------------------------------------------
def test_the_office_home_leads_to_triage_supervision_and_the_dashboard(township, settings, tmp_path):
    home = HomeModel(as_user(township, settings, tmp_path, "office-ma"))
    routes = [s.route for s in home.shortcuts]
    assert routes == ["/triage", "/supervise", "/supervise", "/dashboard"]
    with AppContext(township, PhotoStore(tmp_path / "photos"), settings).session() as session:
        new = len(list(session.exec(select(Issue).where(Issue.status == "new"))))
    assert home.shortcuts[0].text == f"待分办 {new} 件" and new > 0
    assert home.can_record and home.recent_title == "全镇最新问题" and len(home.recent) == 5


def test_a_department_home_is_its_queue_and_records_nothing(township, settings, tmp_path):
    home = HomeModel(as_user(township, settings, tmp_path, "dept-water"))
    assert not home.can_record
    assert [s.route for s in home.shortcuts][:1] == ["/queue"] and home.see_all_route == "/queue"
    assert home.recent and home.recent_title.startswith("本单位待办")
    assert home.see_all_text == "查看全部待办"


def test_a_deputy_home_is_as_before(township, settings, tmp_path):
    home = HomeModel(as_user(township, settings, tmp_path, "deputy-wang"))
    assert home.can_record and home.recent_title == "我最近记录的问题"
    # The one line added: the deputy's year so far, opening their duty record (我的履职).
    assert [(s.route, s.text.split("：")[0]) for s in home.shortcuts] == [("/year/record", "今年")]


# -- the connection chip and 立即同步 -----------------------------------------------------------------------------
def test_the_chip_follows_the_probe_not_the_last_run(township, settings, tmp_path):
    def chip(**state):
        return sync_chip(as_user(township, settings, tmp_path, "deputy-wang", Syncer(**state)))

    gone = chip(online=False)  # the last run was fine, but the store has stopped answering
    assert gone.offline and gone.text == "离线" and not gone.busy
    assert chip().text == "已同步" and not chip().offline
    assert chip(requested=True).busy and chip(requested=True).text == "同步中"
    assert chip(running=True).busy
    assert chip(status=SyncStatus(last_outcome="auth_required", needs_login=True)).text == "需要登录"
    alone = sync_chip(as_user(township, settings, tmp_path, "deputy-wang"))  # --demo: no central store
    assert alone.offline and not alone.busy


def test_sync_now_says_how_it_ended(township, settings, tmp_path):
    def report(outcome, **fields):
        return SyncReport(outcome=outcome, started_at=NOW, finished_at=NOW, **fields)

    ctx = as_user(township, settings, tmp_path, "deputy-wang")
    assert outcome_text(ctx.t, report(SyncOutcome.OK)) == "已同步"
    assert outcome_text(ctx.t, report(SyncOutcome.OFFLINE)).startswith("离线")
    assert outcome_text(ctx.t, report(SyncOutcome.AUTH_REQUIRED)) == ctx.t("sync.needs_login")
    failed = outcome_text(ctx.t, report(SyncOutcome.ERROR, problem_code="server.error"))
    assert failed.startswith("同步没有完成") and "server.error" not in failed
    syncer = Syncer(report=report(SyncOutcome.OK))
    model = SyncModel(as_user(township, settings, tmp_path, "deputy-wang", syncer), syncer)
    assert asyncio.run(model.sync_and_report()) == "已同步" and syncer.woken == 1
    assert SyncModel(ctx, Syncer(requested=True)).busy  # the button spins from the tap on
    assert SyncModel(ctx, Syncer(online=False)).problem_text.startswith("连不上服务器")


# -- switching user -------------------------------------------------------------------------------------------------
def test_switching_is_refused_while_changes_wait_and_says_so(township, settings, tmp_path):
    ctx = as_user(township, settings, tmp_path, "deputy-wang", Syncer())
    assert MeModel(ctx).switch_refusal() == ""
    with ctx.session() as session:
        capture_issue(session, actor=ctx.actor(), draft=IssueDraft(title="七星村五组饮用水浑浊",
                                                                   category_id=stable_id("category", "water")))
    refusal = MeModel(ctx).switch_refusal()
    assert refusal.startswith("王建华还有 1 条记录没有同步") and "不会被删除" in refusal

    login = LoginModel(ctx, Syncer(login_answer=Problem.PENDING_OTHER_USER.value))
    assert login.current_text == "当前用户：王建华" and "会被清除" in login.switch_note and login.can_go_back
    login.username, login.password = "dept-water", "lianluo2026"
    assert asyncio.run(login.submit()) is False
    assert login.offer_sync and login.error == refusal  # with a 立即同步 button beside it


def test_a_fresh_device_signs_in_without_a_switch_note(engine, settings, tmp_path):
    ctx = AppContext(engine, PhotoStore(tmp_path / "photos"), settings, syncer=Syncer())
    login = LoginModel(ctx, ctx.syncer)
    assert login.switch_note == "" and not login.can_go_back
    login.username, login.password = "deputy-wang", "wrong"
    ctx.syncer.login_answer = Problem.BAD_CREDENTIALS.value
    assert asyncio.run(login.submit()) is False and not login.offer_sync and login.error
