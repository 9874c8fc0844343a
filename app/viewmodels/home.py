"""Home: the greeting, what this user does first (record, triage, handle), what waits to sync, recent issues."""

from __future__ import annotations

from dataclasses import dataclass

from app.actors import OFFICE_ROLES, Role
from app.issues import (IssueQuery, count_issues, days_overdue, department_queue, due_soon, list_issues, overdue,
                        today_in_china, triage_queue)
from app.viewmodels.context import AppContext
from app.viewmodels.nav import DASHBOARD, QUEUE, SUPERVISE, TRIAGE
from app.viewmodels.rows import IssueRow, issue_rows
from app.viewmodels.year import YEAR_RECORD, year_line

RECENT = 5


@dataclass(frozen=True)
class Shortcut:
    """A line on the home screen that opens the screen where that work is done."""

    text: str
    route: str
    icon: str  # a name the view maps to its icon
    attention: bool = False  # something is late: drawn stronger, and its words say so too


class HomeModel:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.greeting = ""
        self.recent: list[IssueRow] = []
        self.shortcuts: list[Shortcut] = []
        self.can_record = True
        self.recent_title = ""
        self.my_total = 0
        self.pending = 0
        self.refresh()

    def refresh(self) -> None:
        t = self.ctx.t
        user = self.ctx.current_user()
        role = user.role if user else None
        self.greeting = t("home.greeting", name=user.name) if user else t("home.greeting_anonymous")
        self.can_record = role != Role.DEPARTMENT  # a department answers issues; it does not raise them
        self.see_all_route = QUEUE.route if role == Role.DEPARTMENT else "/issues"
        self.see_all_text = t("shell.home.see_queue") if role == Role.DEPARTMENT else t("home.see_all")
        today = today_in_china()
        with self.ctx.session() as session:
            if role in OFFICE_ROLES:
                late, soon = overdue(session, today), due_soon(session, today)
                self.shortcuts = [
                    Shortcut(t("shell.home.triage", n=len(triage_queue(session))), TRIAGE.route, "triage"),
                    Shortcut(t("shell.home.overdue", n=len(late)), SUPERVISE.route, "overdue", bool(late)),
                    Shortcut(t("shell.home.due_soon", n=len(soon)), SUPERVISE.route, "due_soon"),
                    Shortcut(t("shell.home.dashboard"), DASHBOARD, "dashboard"),
                ]
                query, issues = IssueQuery(), None
                self.recent_title, self.empty = t("shell.home.recent_township"), t("shell.home.empty_township")
            elif role == Role.DEPARTMENT and user.department_id:
                queue = department_queue(session, user.department_id)
                late = [i for i in queue if days_overdue(i, today) > 0]
                self.shortcuts = [Shortcut(t("shell.home.queue", n=len(queue)), QUEUE.route, "queue")]
                if late:
                    self.shortcuts.append(Shortcut(t("shell.home.queue_overdue", n=len(late)), QUEUE.route,
                                                   "overdue", True))
                query, issues = None, queue
                self.recent_title, self.empty = t("shell.home.recent_queue"), t("shell.home.empty_queue")
            else:
                line = year_line(self.ctx)  # 今年：走访 3 次 · 反映问题 2 件 …, opening their duty record
                self.shortcuts = [Shortcut(line, YEAR_RECORD, "record")] if line else []
                query, issues = IssueQuery(reporter_id=user.id if user else None), None
                self.recent_title, self.empty = t("home.recent"), t("home.empty")
            if query is not None:
                issues = list_issues(session, query, limit=RECENT).items
                self.my_total = count_issues(session, query)
            else:
                self.my_total = len(issues)
            self.recent = issue_rows(self.ctx, session, issues[:RECENT])
        self.pending = self.ctx.pending_count()

    @property
    def pending_text(self) -> str:
        t = self.ctx.t
        return t("sync.pending", n=self.pending) if self.pending else t("sync.all_sent")

    @property
    def empty_text(self) -> str:
        return self.empty
