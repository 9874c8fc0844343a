"""Home: my recent issues, what waits to sync, and the way to record a new issue."""

from __future__ import annotations

from app.issues import IssueQuery, count_issues, list_issues
from app.viewmodels.context import AppContext
from app.viewmodels.rows import IssueRow, issue_rows

RECENT = 5


class HomeModel:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.greeting = ""
        self.recent: list[IssueRow] = []
        self.my_total = 0
        self.pending = 0
        self.refresh()

    def refresh(self) -> None:
        t = self.ctx.t
        user = self.ctx.current_user()
        self.greeting = t("home.greeting", name=user.name) if user else t("home.greeting_anonymous")
        query = IssueQuery(reporter_id=user.id if user else None)
        with self.ctx.session() as session:
            page = list_issues(session, query, limit=RECENT)
            self.recent = issue_rows(self.ctx, session, page.items)
            self.my_total = count_issues(session, query)
        self.pending = self.ctx.pending_count()

    @property
    def pending_text(self) -> str:
        t = self.ctx.t
        return t("sync.pending", n=self.pending) if self.pending else t("sync.all_sent")

    @property
    def empty_text(self) -> str:
        return self.ctx.t("home.empty")
